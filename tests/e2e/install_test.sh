#!/usr/bin/env bash
# Installable: `cmake --install` into a prefix, and the Debian package cpack
# builds: unpacked into a scratch root, the binary runs there, the man page
# renders, and Depends names the shared libraries dpkg-shlibdeps found.
source "$(dirname "$0")/lib.sh"
BUILD=$(cd "$(dirname "$PEERCALL")" && pwd)
[ -f "$BUILD/CPackConfig.cmake" ] || fail "no CPackConfig.cmake in $BUILD"
for tool in dpkg-deb dpkg-shlibdeps man cpack; do
  command -v $tool >/dev/null || { echo "no $tool: skipped"; exit 77; }
done
[ -f "$BUILD/peercall.1" ] || cmake --build "$BUILD" --target peercall_man_page >/dev/null || fail "no man page"

note "cmake --install"
cmake --install "$BUILD" --prefix "$WORK/prefix" > "$WORK/install.log" || fail "install: $(cat "$WORK/install.log")"
[ -x "$WORK/prefix/bin/peercall" ] || fail "no bin/peercall in the prefix"
[ -f "$WORK/prefix/share/man/man1/peercall.1" ] || fail "no share/man/man1/peercall.1 in the prefix"
"$WORK/prefix/bin/peercall" --version | grep -q "^[0-9]" || fail "the installed peercall does not run"

note "cpack -G DEB"
(cd "$WORK" && cpack --config "$BUILD/CPackConfig.cmake" -G DEB -B "$WORK/pkg") > "$WORK/cpack.log" 2>&1 ||
  fail "cpack: $(tail -20 "$WORK/cpack.log")"
deb=$(ls "$WORK"/pkg/peercall_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || fail "no .deb: $(tail -5 "$WORK/cpack.log")"
dpkg-deb -I "$deb" > "$WORK/info.txt"
note "$(grep -E 'Package|Version|Depends' "$WORK/info.txt")"
for lib in libavcodec libavformat libnice libsrtp2 libssl libsdl2 libopus; do
  grep -E '^ Depends:' "$WORK/info.txt" | grep -q "$lib" || fail "Depends lacks $lib: $(grep Depends "$WORK/info.txt")"
done
mkdir -p "$WORK/root"
dpkg -x "$deb" "$WORK/root"
"$WORK/root/usr/bin/peercall" --version > "$WORK/version.txt" || fail "the packaged peercall does not run"
note "packaged: peercall $(cat "$WORK/version.txt")"
page=$(ls "$WORK"/root/usr/share/man/man1/peercall.1* | head -1)
[ -n "$page" ] || fail "no man page in the package"
MANWIDTH=80 man -l "$page" > "$WORK/man.txt" 2>/dev/null || fail "man -l cannot render $page"
for text in "peercall listen" "--accept" "--record" "Exit codes"; do
  grep -qF -- "$text" "$WORK/man.txt" || fail "the man page lacks '$text'"
done
# The page says what --help says.
"$PEERCALL" listen --help | grep -F -- "--invite" | head -1 | sed 's/^ *//' > "$WORK/help_line.txt"
grep -qF -- "$(cut -c1-30 "$WORK/help_line.txt")" "$WORK/man.txt" || fail "the man page differs from --help"
echo "install test passed"
