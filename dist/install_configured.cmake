# Install-time half of `make install`: the files that name install paths (pkg-config, the
# systemd unit) are written when installing, so `--prefix` (make install PREFIX=...) and
# DESTDIR hold, and they go in install_manifest.txt like every other file (make uninstall).
set(prefix "${CMAKE_INSTALL_PREFIX}")
function(nip_put template dest)
  file(READ "${NIP_SRC}/dist/${template}" text)
  string(REPLACE "@PREFIX@" "${prefix}" text "${text}")
  string(REPLACE "@LIBDIR@" "${prefix}/${NIP_LIBDIR}" text "${text}")
  string(REPLACE "@SBINDIR@" "${prefix}/${NIP_SBINDIR}" text "${text}")
  string(REPLACE "@INCLUDEDIR@" "${prefix}/${NIP_INCLUDEDIR}" text "${text}")
  string(REPLACE "@VERSION@" "${NIP_VERSION}" text "${text}")
  set(out "${prefix}/${dest}")
  message(STATUS "Installing: $ENV{DESTDIR}${out}")
  file(WRITE "$ENV{DESTDIR}${out}" "${text}")
  list(APPEND CMAKE_INSTALL_MANIFEST_FILES "${out}") # without DESTDIR, as CMake lists its own
  set(CMAKE_INSTALL_MANIFEST_FILES "${CMAKE_INSTALL_MANIFEST_FILES}" PARENT_SCOPE)
endfunction()
nip_put(newip.pc.in "${NIP_LIBDIR}/pkgconfig/newip.pc")
nip_put(newipd@.service.in "lib/systemd/system/newipd@.service")
