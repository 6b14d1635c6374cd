-- Wireshark dissector for New IP v1 (docs/spec.md). Registers on UDP port 6464 and on
-- EtherType 0x88B5 (spec §1). Validation follows spec §7 rule for rule and in the same order,
-- so a malformed packet shows the same error name and offset that libnewip reports.
--
-- Use:  tshark -X lua_script:tools/wireshark/newip.lua -r capture.pcap -V
--       or copy this file to ~/.local/lib/wireshark/plugins/

local p_newip = Proto("newip", "New IP")
local p_ncmp = Proto("ncmp", "New IP Control Message Protocol")

local UDP_PORT = 6464
local ETHERTYPE = 0x88B5
local NCMP = 253

local band, rshift = bit32.band, bit32.rshift

local lat_modes = { [0] = "in-time", [1] = "on-time" }
local clause_names = { [0] = "padding", [1] = "latency", [2] = "priority" }
local elem_names = { [0] = "padding", [1] = "source authentication", [2] = "signature",
                     [3] = "replay protection" }
local ncmp_types = {
  [1] = "Destination unreachable", [2] = "Packet too big", [3] = "Hop limit exceeded",
  [4] = "Parameter problem", [5] = "Contract cannot be met", [128] = "Echo request",
  [129] = "Echo reply", [130] = "Shut-off request", [131] = "Shut-off acknowledgement",
}

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
  ncmp_csum = ProtoField.uint16("newip.ncmp.csum", "Checksum", base.HEX),
  ncmp_param = ProtoField.uint32("newip.ncmp.param", "Parameter", base.DEC),
}
local field_list = {}
for _, f in pairs(F) do field_list[#field_list + 1] = f end
p_newip.fields = field_list

local ef_malformed = ProtoExpert.new("newip.malformed", "Malformed New IP packet",
                                     expert.group.MALFORMED, expert.severity.ERROR)
p_newip.experts = { ef_malformed }

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
  nt:add(F.ncmp_type, tvb(off, 1))
  nt:add(F.ncmp_code, tvb(off + 1, 1))
  nt:add(F.ncmp_csum, tvb(off + 2, 2))
  nt:add(F.ncmp_param, tvb(off + 4, 4))
  pinfo.cols.protocol = "NCMP"
  pinfo.cols.info:append(" " .. (ncmp_types[u8(tvb, off)] or "Unknown type"))
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

function p_newip.dissector(tvb, pinfo, tree)
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
