-- Wireshark dissector for New IP v1 (docs/spec.md). Registers on UDP port 6464 and on
-- EtherType 0x88B5 (spec §1). Validation follows spec §7 rule for rule and in the same order,
-- so a malformed packet shows the same error name and offset that libnewip reports.
--
-- Use:  tshark -X lua_script:tools/wireshark/newip.lua -r capture.pcap -V
--       or copy this file to ~/.local/lib/wireshark/plugins/

local p_newip = Proto("newip", "New IP")
local p_ncmp = Proto("ncmp", "New IP Control Message Protocol")
local p_nls = Proto("nls", "New IP Link-State routing (NLS)")

local UDP_PORT = 6464
local ETHERTYPE = 0x88B5
local NCMP = 253
local NLS = 254
local NLS_VERSION = 2

local band, rshift = bit32.band, bit32.rshift

local lat_modes = { [0] = "in-time", [1] = "on-time" }
local clause_names = { [0] = "padding", [1] = "latency", [2] = "priority" }
local elem_names = { [0] = "padding", [1] = "source authentication", [2] = "signature",
                     [3] = "replay protection" }
local ncmp_types = {
  [1] = "Destination unreachable", [2] = "Packet too big", [3] = "Hop limit exceeded",
  [4] = "Parameter problem", [5] = "Contract cannot be met", [128] = "Echo request",
  [129] = "Echo reply", [130] = "Shut-off request", [131] = "Shut-off acknowledgement",
  [132] = "Source registration", [133] = "Registration acknowledgement",
}
local unreach_codes = { [0] = "no route", [1] = "shut off", [2] = "address unreachable",
                        [3] = "port unreachable", [4] = "source authentication failed",
                        [5] = "administratively prohibited" }
local shutoff_codes = { [0] = "installed", [1] = "bad signature", [2] = "source not self-certifying",
                        [3] = "packet unknown", [4] = "duration out of range", [5] = "rate limited",
                        [6] = "replayed or stale" }

local nls_types = { [1] = "Hello", [2] = "Link-state update", [3] = "Acknowledgement" }
local contract_codes = { [0] = "deadline already passed", [1] = "deadline unreachable",
                         [2] = "on-time window unreachable" }

local F = {
  version = ProtoField.uint8("newip.version", "Version", base.DEC),
  tc = ProtoField.uint8("newip.tc", "Traffic Class", base.DEC),
  ecn = ProtoField.uint8("newip.ecn", "ECN", base.DEC),
  flow = ProtoField.uint32("newip.flow", "Flow Label", base.DEC),
  plen = ProtoField.uint16("newip.plen", "Payload Length", base.DEC),
  nh = ProtoField.uint8("newip.nh", "Next Header", base.DEC),
  hlim = ProtoField.uint8("newip.hlim", "Hop Limit", base.DEC),
  hlen = ProtoField.uint8("newip.hlen", "Header Length", base.DEC),
  flags = ProtoField.uint8("newip.flags", "Flags", base.DEC),
  flag_c = ProtoField.bool("newip.flags.c", "Contract", 8, nil, 0x80),
  flag_s = ProtoField.bool("newip.flags.s", "Security", 8, nil, 0x40),
  flag_k = ProtoField.bool("newip.flags.k", "Chunked", 8, nil, 0x20),
  dlen = ProtoField.uint8("newip.dlen", "Destination Length", base.DEC),
  slen = ProtoField.uint8("newip.slen", "Source Length", base.DEC),
  dst = ProtoField.string("newip.dst", "Destination"),
  src = ProtoField.string("newip.src", "Source"),
  addr = ProtoField.string("newip.addr", "Address"),
  contract = ProtoField.bytes("newip.contract", "Contract Block"),
  c_hops = ProtoField.uint8("newip.contract.hops", "Hops Updated", base.DEC),
  c_acc = ProtoField.uint32("newip.contract.acc", "Accumulated Latency (us)", base.DEC),
  c_slack = ProtoField.int32("newip.contract.slack", "Slack to Max (us, computed)", base.DEC),
  cl_type = ProtoField.uint8("newip.clause.type", "Clause Type", base.DEC),
  cl_len = ProtoField.uint8("newip.clause.len", "Clause Length", base.DEC),
  lat_mode = ProtoField.uint8("newip.lat.mode", "Latency Mode", base.DEC, lat_modes),
  lat_min = ProtoField.uint32("newip.lat.min", "Latency Min (us)", base.DEC),
  lat_max = ProtoField.uint32("newip.lat.max", "Latency Max (us)", base.DEC),
  prio = ProtoField.uint8("newip.prio", "Priority", base.DEC),
  security = ProtoField.bytes("newip.security", "Security Block"),
  el_type = ProtoField.uint8("newip.elem.type", "Element Type", base.DEC),
  el_len = ProtoField.uint8("newip.elem.len", "Element Length", base.DEC),
  auth_keyid = ProtoField.uint32("newip.auth.keyid", "Key ID", base.DEC),
  auth_tag = ProtoField.bytes("newip.auth.tag", "Tag", base.NONE),
  sig_pk = ProtoField.bytes("newip.sig.pk", "Public Key", base.NONE),
  sig_sig = ProtoField.bytes("newip.sig.sig", "Signature", base.NONE),
  replay_ts = ProtoField.uint64("newip.replay.ts", "Timestamp (ns)", base.DEC),
  replay_nonce = ProtoField.uint32("newip.replay.nonce", "Nonce", base.DEC),
  chunks = ProtoField.bytes("newip.chunks", "Chunk Block"),
  ch_count = ProtoField.uint8("newip.chunk.count", "Chunk Count", base.DEC),
  ch_sig = ProtoField.uint8("newip.chunk.sig", "Significance", base.DEC),
  ch_trim = ProtoField.uint8("newip.chunk.trimmed", "Trimmed", base.DEC),
  ch_len = ProtoField.uint16("newip.chunk.len", "Chunk Length", base.DEC),
  ch_csum = ProtoField.uint16("newip.chunk.csum", "Chunk Checksum", base.DEC),
  error = ProtoField.string("newip.error", "Error"),
  error_off = ProtoField.uint32("newip.error_off", "Error Offset", base.DEC),
  ncmp_type = ProtoField.uint8("newip.ncmp.type", "Type", base.DEC, ncmp_types),
  ncmp_code = ProtoField.uint8("newip.ncmp.code", "Code", base.DEC),
  so_dur = ProtoField.uint16("newip.shutoff.duration", "Duration (s)", base.DEC),
  so_digest = ProtoField.bytes("newip.shutoff.digest", "Packet Digest"),
  so_reqid = ProtoField.uint32("newip.shutoff.request", "Request ID", base.HEX),
  reg_keyid = ProtoField.uint32("newip.reg.keyid", "Key ID", base.HEX),
  reg_hnonce = ProtoField.bytes("newip.reg.host_nonce", "Host Nonce"),
  reg_rnonce = ProtoField.bytes("newip.reg.router_nonce", "Router Nonce"),
  reg_life = ProtoField.uint32("newip.reg.lifetime", "Lifetime (s)", base.DEC),
  ncmp_csum = ProtoField.uint16("newip.ncmp.csum", "Checksum", base.HEX),
  ncmp_param = ProtoField.uint32("newip.ncmp.param", "Parameter", base.DEC),
  ncmp_acc = ProtoField.uint32("newip.ncmp.acc", "Accumulated Latency at the hop (us)", base.DEC),
  ncmp_mtu = ProtoField.uint32("newip.ncmp.mtu", "MTU", base.DEC),
  ncmp_ptr = ProtoField.uint32("newip.ncmp.pointer", "Pointer", base.DEC),
  ncmp_id = ProtoField.uint16("newip.ncmp.echo_id", "Identifier", base.DEC),
  ncmp_seq = ProtoField.uint16("newip.ncmp.echo_seq", "Sequence", base.DEC),
}

local N = {
  version = ProtoField.uint8("nls.version", "Version", base.DEC),
  type = ProtoField.uint8("nls.type", "Type", base.DEC, nls_types),
  len = ProtoField.uint16("nls.len", "Length", base.DEC),
  rid = ProtoField.uint64("nls.rid", "Router ID", base.HEX),
  hello_ms = ProtoField.uint16("nls.hello_ms", "Hello Interval (ms)", base.DEC),
  dead_ms = ProtoField.uint16("nls.dead_ms", "Dead Interval (ms)", base.DEC),
  mtu = ProtoField.uint16("nls.mtu", "MTU", base.DEC),
  count = ProtoField.uint8("nls.count", "Count", base.DEC),
  reserved = ProtoField.uint8("nls.reserved", "Reserved", base.DEC),
  ts = ProtoField.uint32("nls.ts", "Timestamp (us)", base.DEC),
  echo = ProtoField.uint32("nls.echo", "Echo (us)", base.DEC),
  echo_delay = ProtoField.uint32("nls.echo_delay", "Echo Delay (us)", base.DEC),
  nbr = ProtoField.uint64("nls.nbr", "Neighbour", base.HEX),
  lsa = ProtoField.bytes("nls.lsa", "LSA"),
  origin = ProtoField.uint64("nls.lsa.origin", "Origin", base.HEX),
  seq = ProtoField.uint32("nls.lsa.seq", "Sequence", base.DEC),
  age = ProtoField.uint16("nls.lsa.age", "Age (s)", base.DEC),
  lsa_len = ProtoField.uint16("nls.lsa.len", "LSA Length", base.DEC),
  csum = ProtoField.uint16("nls.lsa.csum", "Checksum", base.HEX),
  n_links = ProtoField.uint8("nls.lsa.links", "Links", base.DEC),
  n_prefixes = ProtoField.uint8("nls.lsa.prefixes", "Prefixes", base.DEC),
  name = ProtoField.string("nls.lsa.name", "Name"),
  link_nbr = ProtoField.uint64("nls.link.nbr", "Neighbour", base.HEX),
  link_metric = ProtoField.uint16("nls.link.metric", "Metric", base.DEC),
  link_lat = ProtoField.uint32("nls.link.latency", "Latency (us)", base.DEC),
  prefix = ProtoField.string("nls.prefix", "Prefix"),
  lsa_sig = ProtoField.bytes("nls.lsa.sig", "Origin Signature"),
  lsa_signed_at = ProtoField.uint32("nls.lsa.signed_at", "Signed At (Unix s)", base.DEC),
  lsa_key = ProtoField.bytes("nls.lsa.key", "Origin Key"),
  lsa_sigval = ProtoField.bytes("nls.lsa.signature", "Signature"),
  ack_origin = ProtoField.uint64("nls.ack.origin", "Origin", base.HEX),
  ack_seq = ProtoField.uint32("nls.ack.seq", "Sequence", base.DEC),
}
local nls_fields = {}
for _, f in pairs(N) do nls_fields[#nls_fields + 1] = f end
p_nls.fields = nls_fields
local field_list = {}
for _, f in pairs(F) do field_list[#field_list + 1] = f end
p_newip.fields = field_list

local ef_malformed = ProtoExpert.new("newip.malformed", "Malformed New IP packet",
                                     expert.group.MALFORMED, expert.severity.ERROR)
p_newip.experts = { ef_malformed }
local ef_nls = ProtoExpert.new("nls.malformed", "Malformed NLS message", expert.group.MALFORMED,
                               expert.severity.ERROR)
p_nls.experts = { ef_nls }

-- §4.1 text forms -------------------------------------------------------------------------

local function fmt_ipv6(b)
  local w = {}
  for i = 0, 7 do w[i] = b[2 * i] * 256 + b[2 * i + 1] end
  -- The longest run of two or more zero groups (the first if tied), as glibc's inet_ntop.
  local best, best_len, cur, cur_len = -1, 0, -1, 0
  for i = 0, 7 do
    if w[i] == 0 then
      if cur < 0 then cur, cur_len = i, 1 else cur_len = cur_len + 1 end
      if cur_len > best_len then best, best_len = cur, cur_len end
    else
      cur, cur_len = -1, 0
    end
  end
  if best_len < 2 then best = -1 end
  if best == 0 and (best_len == 6 or (best_len == 5 and w[5] == 0xffff)) then
    return (best_len == 5 and "::ffff:" or "::") ..
           string.format("%d.%d.%d.%d", b[12], b[13], b[14], b[15])
  end
  local function groups(from, to)
    local g = {}
    for k = from, to do g[#g + 1] = string.format("%x", w[k]) end
    return table.concat(g, ":")
  end
  if best < 0 then return groups(0, 7) end
  return groups(0, best - 1) .. "::" .. groups(best + best_len, 7)
end

local function fmt_addr(tvb, off, len)
  local b = {}
  for i = 0, len - 1 do b[i] = tvb(off + i, 1):uint() end
  if len == 4 then return string.format("%d.%d.%d.%d", b[0], b[1], b[2], b[3]) end
  if len == 16 then return fmt_ipv6(b) end
  local s = { "x" }
  for i = 0, len - 1 do
    if i > 0 and i % 2 == 0 then s[#s + 1] = "." end
    s[#s + 1] = string.format("%02x", b[i])
  end
  return table.concat(s)
end

-- §7 validation -----------------------------------------------------------------------------

local function u8(tvb, o) return tvb(o, 1):uint() end
local function u16(tvb, o) return tvb(o, 2):uint() end
local function u32(tvb, o) return tvb(o, 4):uint() end

local function contract_item(tvb, code, vo, len)
  if code == 1 then
    if len ~= 9 or u8(tvb, vo) > 1 then return "bad item" end
    local mode, min, max = u8(tvb, vo), u32(tvb, vo + 1), u32(tvb, vo + 5)
    if min > max or (mode == 0 and min ~= 0) then return "bad item" end
    return nil
  elseif code == 2 then
    if len ~= 1 or u8(tvb, vo) > 7 then return "bad item" end
    return nil
  end
  return "unknown"
end

local function security_item(tvb, code, vo, len)
  if code == 1 then
    if len ~= 21 or u8(tvb, vo) ~= 1 then return "bad item" end
    return nil
  elseif code == 2 then
    if len ~= 97 or u8(tvb, vo) ~= 1 then return "bad item" end
    return nil
  elseif code == 3 then
    if len ~= 12 then return "bad item" end
    return nil
  end
  return "unknown"
end

-- §5.0: returns nil or (error, offset)
local function walk_items(tvb, start, stop, item_fn)
  local seen, pos = {}, start
  while pos < stop do
    if stop - pos < 2 or u8(tvb, pos + 1) > stop - pos - 2 then return "item overrun", pos end
    local t, len = u8(tvb, pos), u8(tvb, pos + 1)
    local code, m = band(t, 0x7f), band(t, 0x80) ~= 0
    if code == 0 then
      if m then return "must understand", pos end
    else
      if seen[code] then return "duplicate item", pos end
      seen[code] = true
      local r = item_fn(tvb, code, pos + 2, len)
      if r == "unknown" then
        if m then return "must understand", pos end
      elseif r then
        return r, pos
      end
    end
    pos = pos + 2 + len
  end
  return nil
end

local function block_at(off, hl, tvb, min)
  if off >= hl or u8(tvb, off) < min or off + u8(tvb, off) > hl then
    return "block length", off
  end
  return nil
end

-- Returns nil, layout   or   error, offset.
local function validate(tvb)
  local len = tvb:len()
  if len < 12 then return "truncated", len end
  if rshift(u8(tvb, 0), 4) ~= 1 then return "version", 0 end
  local plen, hl, flags, dl, sl = u16(tvb, 4), u8(tvb, 8), u8(tvb, 9), u8(tvb, 10), u8(tvb, 11)
  if band(flags, 0x1f) ~= 0 then return "reserved", 9 end
  if dl == 0 or dl > 32 then return "address length", 10 end
  if sl == 0 or sl > 32 then return "address length", 11 end
  if hl < 12 + dl + sl then return "header length", 8 end
  if len < hl + plen then return "truncated", len end
  local L = { hl = hl, plen = plen, dl = dl, sl = sl }
  local off, e, eo = 12 + dl + sl
  if band(flags, 0x80) ~= 0 then
    e, eo = block_at(off, hl, tvb, 6); if e then return e, eo end
    L.c, L.clen = off, u8(tvb, off)
    e, eo = walk_items(tvb, off + 6, off + L.clen, contract_item); if e then return e, eo end
    off = off + L.clen
  end
  if band(flags, 0x40) ~= 0 then
    e, eo = block_at(off, hl, tvb, 2); if e then return e, eo end
    if u8(tvb, off + 1) ~= 0 then return "reserved", off + 1 end
    L.s, L.slen = off, u8(tvb, off)
    e, eo = walk_items(tvb, off + 2, off + L.slen, security_item); if e then return e, eo end
    off = off + L.slen
  end
  if band(flags, 0x20) ~= 0 then
    e, eo = block_at(off, hl, tvb, 2); if e then return e, eo end
    local blen, count, sum = u8(tvb, off), u8(tvb, off + 1), 0
    if count == 0 or blen ~= 2 + 5 * count then return "bad chunk", off + 1 end
    for i = 0, count - 1 do
      local d = off + 2 + 5 * i
      local b0 = u8(tvb, d)
      if band(b0, 0x07) ~= 0 then return "reserved", d end
      if band(b0, 0x08) ~= 0 and rshift(b0, 4) == 0 then return "bad chunk", d end
      if band(b0, 0x08) == 0 then sum = sum + u16(tvb, d + 1) end
    end
    if sum ~= plen then return "bad chunk", off end
    L.k, L.klen, L.count = off, blen, count
    off = off + blen
  end
  if off ~= hl then return "header length", 8 end
  return nil, L
end

-- Display ----------------------------------------------------------------------------------

local function show_items(tvb, tree, start, stop, is_contract)
  local pos = start
  while pos < stop do
    local t, len = u8(tvb, pos), u8(tvb, pos + 1)
    local code = band(t, 0x7f)
    local names = is_contract and clause_names or elem_names
    local label = (names[code] or "unknown") .. (band(t, 0x80) ~= 0 and " (M)" or "")
    local it = tree:add(tvb(pos, 2 + len), label)
    it:add(is_contract and F.cl_type or F.el_type, tvb(pos, 1))
    it:add(is_contract and F.cl_len or F.el_len, tvb(pos + 1, 1))
    local v = pos + 2
    if is_contract and code == 1 then
      it:add(F.lat_mode, tvb(v, 1)); it:add(F.lat_min, tvb(v + 1, 4)); it:add(F.lat_max, tvb(v + 5, 4))
    elseif is_contract and code == 2 then
      it:add(F.prio, tvb(v, 1))
    elseif not is_contract and code == 1 then
      it:add(F.auth_keyid, tvb(v + 1, 4)); it:add(F.auth_tag, tvb(v + 5, 16))
    elseif not is_contract and code == 2 then
      it:add(F.sig_pk, tvb(v + 1, 32)); it:add(F.sig_sig, tvb(v + 33, 64))
    elseif not is_contract and code == 3 then
      it:add(F.replay_ts, tvb(v, 8)); it:add(F.replay_nonce, tvb(v + 8, 4))
    end
    pos = pos + 2 + len
  end
end

local function show_chunks(tvb, tree, L)
  local kt = tree:add(F.chunks, tvb(L.k, L.klen))
  kt:add(F.ch_count, tvb(L.k + 1, 1))
  for i = 0, L.count - 1 do
    local d = L.k + 2 + 5 * i
    local b0 = u8(tvb, d)
    local ct = kt:add(tvb(d, 5), string.format("Chunk %d: significance %d%s, %d octets", i,
                      rshift(b0, 4), band(b0, 8) ~= 0 and ", trimmed" or "", u16(tvb, d + 1)))
    ct:add(F.ch_sig, tvb(d, 1), rshift(b0, 4))
    ct:add(F.ch_trim, tvb(d, 1), band(b0, 8) ~= 0 and 1 or 0)
    ct:add(F.ch_len, tvb(d + 1, 2))
    ct:add(F.ch_csum, tvb(d + 3, 2))
  end
end

local function show_ncmp(tvb, pinfo, tree, off, plen)
  if plen < 8 then return end
  local nt = tree:add(p_ncmp, tvb(off, plen))
  local ty, code = u8(tvb, off), u8(tvb, off + 1)
  nt:add(F.ncmp_type, tvb(off, 1))
  nt:add(F.ncmp_code, tvb(off + 1, 1))
  nt:add(F.ncmp_csum, tvb(off + 2, 2))
  nt:add(F.ncmp_param, tvb(off + 4, 4))
  pinfo.cols.protocol = "NCMP"
  local what = ncmp_types[ty] or "Unknown type"
  if ty == 5 then -- spec §6, §10: the hop's accumulated latency, and why
    nt:add(F.ncmp_acc, tvb(off + 4, 4))
    what = what .. " (" .. (contract_codes[code] or "code " .. code) .. ", " ..
           tvb(off + 4, 4):uint() .. " us accumulated)"
  elseif ty == 2 then
    nt:add(F.ncmp_mtu, tvb(off + 4, 4))
  elseif ty == 4 then
    nt:add(F.ncmp_ptr, tvb(off + 4, 4))
  elseif ty == 128 or ty == 129 then
    nt:add(F.ncmp_id, tvb(off + 4, 2))
    nt:add(F.ncmp_seq, tvb(off + 6, 2))
  elseif ty == 1 then
    what = what .. " (" .. (unreach_codes[code] or "code " .. code) .. ")"
  elseif ty == 130 or ty == 131 then -- spec §6.5
    nt:add(F.so_reqid, tvb(off + 4, 4))
    if plen >= 8 + 4 then nt:add(F.so_dur, tvb(off + 8, 2)) end
    if ty == 130 and plen >= 8 + 20 then
      nt:add(F.so_digest, tvb(off + 12, 16))
      what = what .. " (" .. tvb(off + 8, 2):uint() .. " s)"
    elseif ty == 131 then
      what = what .. " (" .. (shutoff_codes[code] or "code " .. code) .. ")"
    end
  elseif ty == 132 or ty == 133 then -- spec §6.6
    if ty == 133 then nt:add(F.reg_keyid, tvb(off + 4, 4)) end
    if plen >= 8 + 16 then nt:add(F.reg_hnonce, tvb(off + 8, 16)) end
    if ty == 133 and plen >= 8 + 36 then
      nt:add(F.reg_rnonce, tvb(off + 24, 16))
      nt:add(F.reg_life, tvb(off + 40, 4))
      what = what .. " (key id " .. string.format("%08x", tvb(off + 4, 4):uint()) .. ", " ..
             tvb(off + 40, 4):uint() .. " s)"
    end
  end
  -- Error messages quote the invoking packet: say whose, as far as the quote reaches.
  local q = off + 8
  if ty >= 1 and ty <= 5 and plen >= 8 + 12 then
    local dl, sl = u8(tvb, q + 10), u8(tvb, q + 11)
    if dl >= 1 and dl <= 32 and sl >= 1 and sl <= 32 and plen >= 8 + 12 + dl + sl then
      nt:add(tvb(q, plen - 8), "Invoking packet: " .. fmt_addr(tvb, q + 12 + dl, sl) .. " -> " ..
             fmt_addr(tvb, q + 12, dl) .. ", next header " .. u8(tvb, q + 6))
    end
  end
  pinfo.cols.info:append(" " .. what)
end

-- §9 NLS ----------------------------------------------------------------------------------------

local function nls_bad(t, pinfo, msg)
  t:add_proto_expert_info(ef_nls, msg)
  pinfo.cols.info:append(" [malformed NLS: " .. msg .. "]")
end

-- One LSA at off (within stop): its fields; returns the next offset, or nil and a reason.
local function show_lsa(tvb, tree, off, stop)
  if stop - off < 21 then return nil, "LSA truncated" end
  local len = u16(tvb, off + 14)
  if len < 21 or off + len > stop then return nil, "LSA length" end
  local t = tree:add(N.lsa, tvb(off, len))
  t:add(N.origin, tvb(off, 8)); t:add(N.seq, tvb(off + 8, 4)); t:add(N.age, tvb(off + 12, 2))
  t:add(N.lsa_len, tvb(off + 14, 2)); t:add(N.csum, tvb(off + 16, 2))
  t:add(N.n_links, tvb(off + 18, 1)); t:add(N.n_prefixes, tvb(off + 19, 1))
  local nl, np, namelen = u8(tvb, off + 18), u8(tvb, off + 19), u8(tvb, off + 20)
  if 21 + namelen + 14 * nl > len then return nil, "LSA counts" end
  local name = namelen > 0 and tvb(off + 21, namelen):string() or ""
  if namelen > 0 then t:add(N.name, tvb(off + 21, namelen)) end
  local p = off + 21 + namelen
  for _ = 1, nl do
    local lt = t:add(tvb(p, 14), "Link")
    lt:add(N.link_nbr, tvb(p, 8)); lt:add(N.link_metric, tvb(p + 8, 2))
    lt:add(N.link_lat, tvb(p + 10, 4))
    lt:append_text(string.format(": metric %d, latency %d us", u16(tvb, p + 8),
                                 tvb(p + 10, 4):uint()))
    p = p + 14
  end
  for _ = 1, np do
    if off + len - p < 3 then return nil, "LSA prefix truncated" end
    local alen, plen = u8(tvb, p), u16(tvb, p + 1)
    if alen == 0 or alen > 32 or p + 3 + alen > off + len or plen > 8 * alen then
      return nil, "LSA prefix"
    end
    t:add(N.prefix, tvb(p, 3 + alen), fmt_addr(tvb, p + 3, alen) .. "/" .. plen)
    p = p + 3 + alen
  end
  local signed = off + len - p == 100 -- the origin's signature trailer (spec §9.1)
  if signed then
    local st = t:add(N.lsa_sig, tvb(p, 100))
    st:add(N.lsa_signed_at, tvb(p, 4)); st:add(N.lsa_key, tvb(p + 4, 32))
    st:add(N.lsa_sigval, tvb(p + 36, 64))
  elseif p ~= off + len then
    return nil, "LSA trailing octets"
  end
  t:append_text(string.format(": %s, seq %d, %d links, %d prefixes%s", name,
                              tvb(off + 8, 4):uint(), nl, np, signed and ", signed" or ""))
  return off + len
end

local function show_nls(tvb, pinfo, tree)
  pinfo.cols.protocol = "NLS"
  local t = tree:add(p_nls, tvb())
  local n = tvb:len()
  if n < 12 then return nls_bad(t, pinfo, "shorter than the common header") end
  t:add(N.version, tvb(0, 1)); t:add(N.type, tvb(1, 1)); t:add(N.len, tvb(2, 2))
  t:add(N.rid, tvb(4, 8))
  local ty = u8(tvb, 1)
  pinfo.cols.info:append(" NLS " .. (nls_types[ty] or "unknown type"))
  if u8(tvb, 0) ~= NLS_VERSION then return nls_bad(t, pinfo, "version " .. u8(tvb, 0)) end
  if u16(tvb, 2) ~= n then return nls_bad(t, pinfo, "length") end
  if ty == 1 then
    if n < 32 then return nls_bad(t, pinfo, "hello truncated") end
    t:add(N.hello_ms, tvb(12, 2)); t:add(N.dead_ms, tvb(14, 2)); t:add(N.mtu, tvb(16, 2))
    t:add(N.count, tvb(18, 1)); t:add(N.reserved, tvb(19, 1))
    t:add(N.ts, tvb(20, 4)); t:add(N.echo, tvb(24, 4)); t:add(N.echo_delay, tvb(28, 4))
    local count = u8(tvb, 18)
    if u8(tvb, 19) ~= 0 or n ~= 32 + 8 * count then return nls_bad(t, pinfo, "hello counts") end
    for i = 0, count - 1 do t:add(N.nbr, tvb(32 + 8 * i, 8)) end
  elseif ty == 2 or ty == 3 then
    if n < 14 then return nls_bad(t, pinfo, "truncated") end
    t:add(N.count, tvb(12, 1)); t:add(N.reserved, tvb(13, 1))
    local count = u8(tvb, 12)
    if u8(tvb, 13) ~= 0 then return nls_bad(t, pinfo, "reserved") end
    if ty == 3 then
      if n ~= 14 + 12 * count then return nls_bad(t, pinfo, "acknowledgement count") end
      for i = 0, count - 1 do
        local at = t:add(tvb(14 + 12 * i, 12), "Acknowledged")
        at:add(N.ack_origin, tvb(14 + 12 * i, 8)); at:add(N.ack_seq, tvb(22 + 12 * i, 4))
      end
    else
      local off = 14
      for _ = 1, count do
        local nxt, why = show_lsa(tvb, t, off, n)
        if not nxt then return nls_bad(t, pinfo, why) end
        off = nxt
      end
      if off ~= n then return nls_bad(t, pinfo, "update trailing octets") end
    end
  else
    return nls_bad(t, pinfo, "unknown type " .. ty)
  end
end

local function show_base(tvb, tree)
  tree:add(F.version, tvb(0, 1), rshift(u8(tvb, 0), 4))
  local tc = band(rshift(u16(tvb, 0), 4), 0xff)
  tree:add(F.tc, tvb(0, 2), tc)
  tree:add(F.ecn, tvb(1, 1), band(tc, 3))
  tree:add(F.flow, tvb(1, 3), band(u32(tvb, 0), 0xfffff))
  tree:add(F.plen, tvb(4, 2))
  tree:add(F.nh, tvb(6, 1))
  tree:add(F.hlim, tvb(7, 1))
  tree:add(F.hlen, tvb(8, 1))
  local ft = tree:add(F.flags, tvb(9, 1))
  ft:add(F.flag_c, tvb(9, 1)); ft:add(F.flag_s, tvb(9, 1)); ft:add(F.flag_k, tvb(9, 1))
  tree:add(F.dlen, tvb(10, 1))
  tree:add(F.slen, tvb(11, 1))
end

-- Keyed UDP links (spec §1.1): a frame around the packet, told apart by its first octet.
local p_kl = Proto("newiplink", "New IP keyed link frame")
local kl_types = { [0xA1] = "Handshake initiation", [0xA2] = "Handshake response",
                   [0xA3] = "Data", [0xA4] = "Sealed data" }
local KL = {
  type = ProtoField.uint8("newiplink.type", "Type", base.HEX, kl_types),
  sender = ProtoField.uint32("newiplink.sender", "Sender index", base.HEX),
  receiver = ProtoField.uint32("newiplink.receiver", "Receiver index", base.HEX),
  key = ProtoField.bytes("newiplink.key", "Initiator key (Ed25519)"),
  eph = ProtoField.bytes("newiplink.ephemeral", "Ephemeral key (X25519)"),
  ts = ProtoField.uint64("newiplink.timestamp", "Timestamp (ns since the epoch)"),
  mac = ProtoField.bytes("newiplink.mac", "MAC"),
  counter = ProtoField.uint64("newiplink.counter", "Counter"),
  tag = ProtoField.bytes("newiplink.tag", "Tag (Poly1305)"),
  sealed = ProtoField.bytes("newiplink.sealed", "Sealed packet"),
  keepalive = ProtoField.bool("newiplink.keepalive", "Keepalive"),
}
p_kl.fields = { KL.type, KL.sender, KL.receiver, KL.key, KL.eph, KL.ts, KL.mac, KL.counter,
                KL.tag, KL.sealed, KL.keepalive }
local ef_kl = ProtoExpert.new("newiplink.malformed", "Malformed keyed link frame",
                              expert.group.MALFORMED, expert.severity.ERROR)
p_kl.experts = { ef_kl }

local function show_keyed(tvb, pinfo, tree)
  local ty, n = tvb(0, 1):uint(), tvb:len()
  local t = tree:add(p_kl, tvb())
  t:add(KL.type, tvb(0, 1))
  pinfo.cols.protocol = "New IP link"
  local want = ({ [0xA1] = 96, [0xA2] = 60 })[ty]
  if (want and n ~= want) or (not want and n < 32) or n < 4 or tvb(1, 3):uint() ~= 0 then
    t:add_proto_expert_info(ef_kl, "length or Reserved does not fit the type")
    pinfo.cols.info = "Malformed keyed link frame"
    return n
  end
  if ty == 0xA1 then
    t:add(KL.sender, tvb(4, 4)); t:add(KL.key, tvb(8, 32)); t:add(KL.eph, tvb(40, 32))
    t:add(KL.ts, tvb(72, 8)); t:add(KL.mac, tvb(80, 16))
    pinfo.cols.info = string.format("Handshake initiation, sender index 0x%08x", tvb(4, 4):uint())
  elseif ty == 0xA2 then
    t:add(KL.sender, tvb(4, 4)); t:add(KL.receiver, tvb(8, 4)); t:add(KL.eph, tvb(12, 32))
    t:add(KL.mac, tvb(44, 16))
    pinfo.cols.info = string.format("Handshake response to 0x%08x", tvb(8, 4):uint())
  else
    t:add(KL.receiver, tvb(4, 4)); t:add(KL.counter, tvb(8, 8)); t:add(KL.tag, tvb(n - 16, 16))
    local plen = n - 32
    if plen == 0 then
      t:add(KL.keepalive, tvb(0, 1), true):set_generated()
      pinfo.cols.info = "Keepalive, counter " .. tvb(8, 8):uint64():tonumber()
    elseif ty == 0xA4 then
      t:add(KL.sealed, tvb(16, plen))
      pinfo.cols.info = "Sealed packet, " .. plen .. " octets"
    else
      return 16 + p_newip.dissector(tvb(16, plen):tvb(), pinfo, tree) + 16
    end
  end
  return n
end

function p_newip.dissector(tvb, pinfo, tree)
  local first = tvb:len() > 0 and tvb(0, 1):uint() or 0
  if first >= 0xA1 and first <= 0xA4 then return show_keyed(tvb, pinfo, tree) end
  pinfo.cols.protocol = "New IP"
  local t = tree:add(p_newip, tvb())
  local err, L = validate(tvb)
  if err then
    if tvb:len() >= 12 then show_base(tvb, t) end
    t:add(F.error, err)
    t:add(F.error_off, L)
    t:add_proto_expert_info(ef_malformed, "Malformed: " .. err .. " at offset " .. L)
    pinfo.cols.info = "Malformed New IP: " .. err
    return tvb:len()
  end
  show_base(tvb, t)
  local dst, src = fmt_addr(tvb, 12, L.dl), fmt_addr(tvb, 12 + L.dl, L.sl)
  t:add(F.dst, tvb(12, L.dl), dst)
  t:add(F.src, tvb(12 + L.dl, L.sl), src)
  t:add(F.addr, tvb(12, L.dl), dst):set_hidden()
  t:add(F.addr, tvb(12 + L.dl, L.sl), src):set_hidden()
  t:append_text(", Src: " .. src .. ", Dst: " .. dst)
  pinfo.cols.info = src .. " -> " .. dst
  if L.c then
    local ct = t:add(F.contract, tvb(L.c, L.clen))
    ct:add(F.c_hops, tvb(L.c + 1, 1))
    ct:add(F.c_acc, tvb(L.c + 2, 4))
    show_items(tvb, ct, L.c + 6, L.c + L.clen, true)
    -- The per-hop state of spec §10 at a glance: hops that honoured it, and what is left.
    local acc, hops, max = tvb(L.c + 2, 4):uint(), u8(tvb, L.c + 1), nil
    local pos = L.c + 6
    while pos + 1 < L.c + L.clen do
      if band(u8(tvb, pos), 0x7f) == 1 then max = tvb(pos + 7, 4):uint() end
      pos = pos + 2 + u8(tvb, pos + 1)
    end
    if max then
      ct:add(F.c_slack, tvb(L.c + 2, 4), math.max(-2147483647, math.min(2147483647, max - acc))):set_generated()
      ct:append_text(string.format(": %d hops updated, %d us of %d us", hops, acc, max))
    end
  end
  if L.s then
    local st = t:add(F.security, tvb(L.s, L.slen))
    show_items(tvb, st, L.s + 2, L.s + L.slen, false)
  end
  if L.k then show_chunks(tvb, t, L) end
  local nh = u8(tvb, 6)
  if nh == NCMP then
    show_ncmp(tvb, pinfo, tree, L.hl, L.plen)
  elseif nh == NLS then
    show_nls(tvb(L.hl, L.plen):tvb(), pinfo, tree)
  elseif L.plen > 0 and not L.k then
    local payload = tvb(L.hl, L.plen):tvb()
    if not DissectorTable.get("ip.proto"):try(nh, payload, pinfo, tree) then
      Dissector.get("data"):call(payload, pinfo, tree)
    end
  end
  return tvb:len()
end

DissectorTable.get("udp.port"):add(UDP_PORT, p_newip)
DissectorTable.get("ethertype"):add(ETHERTYPE, p_newip)
