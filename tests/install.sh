#!/bin/sh
# make install into a staging DESTDIR, then build against what was
# installed through pkg-config, as C and as C++, run it, and uninstall.
. tests/lib.sh
case $BUILD in build-asan)
  echo "ok 1 - install # SKIP the sanitizer build is not installed"; echo "1..1"; exit 0 ;;
esac
ROOT=$TMP/root
if make -s --no-print-directory install PREFIX=/usr DESTDIR="$ROOT" >"$TMP/make.out" 2>&1; then
  ok "make install PREFIX=/usr DESTDIR=..."
else
  not_ok "make install" "$(tail -n 20 "$TMP/make.out")"
fi
for f in bin/prof-render include/profrender.h lib/libprofrender.a lib/libprofrender.so \
         lib/libprofrender.so.0 lib/pkgconfig/profrender.pc share/man/man1/prof-render.1; do
  check "installs /usr/$f" test -e "$ROOT/usr/$f"
done
want=$(sed -n 's/^#define PRF_VERSION_STRING "\(.*\)"$/\1/p' lib/profrender.h)
check "the Makefile, the header and the .pc agree on the version ($want)" sh -c "
  grep -q '^VERSION := $want\$' Makefile && grep -qx 'Version: $want' '$ROOT/usr/lib/pkgconfig/profrender.pc'"

export PKG_CONFIG_SYSROOT_DIR="$ROOT" PKG_CONFIG_PATH="$ROOT/usr/lib/pkgconfig"
flags=$(pkg-config --cflags --libs profrender)
check "pkg-config knows profrender" pkg-config --exists profrender
if cc -std=c11 -Wall -Werror examples/embed_render.c $flags -o "$TMP/embed_c" 2>"$TMP/cc.err"; then
  ok "examples/embed_render.c builds with pkg-config --cflags --libs profrender"
else
  not_ok "examples/embed_render.c builds with pkg-config" "$(head -n 20 "$TMP/cc.err")"
fi
check "  ... linked to the shared library by its soname" sh -c "
  readelf -d '$TMP/embed_c' | grep -q 'NEEDED.*\\[libprofrender\\.so\\.0\\]'"
P=testdata/pprof/pprof__internal__report__sample.cpu
LD_LIBRARY_PATH="$ROOT/usr/lib" "$TMP/embed_c" "$P" "$TMP/e.svg" >"$TMP/e.top"
$PR top --nodecount 10 "$P" >"$TMP/cli.top"
same_file "  ... and runs against the installed library" "$TMP/cli.top" "$TMP/e.top"
if command -v c++ >/dev/null 2>&1; then
  if c++ -std=c++11 -Wall -Werror tests/cxx_smoke.cpp $flags -o "$TMP/smoke_cxx" 2>"$TMP/cxx.err"; then
    ok "a C++ program builds against the installed header and library"
  else
    not_ok "a C++ program builds against the installed header" "$(head -n 20 "$TMP/cxx.err")"
  fi
  check "  ... and runs" env LD_LIBRARY_PATH="$ROOT/usr/lib" "$TMP/smoke_cxx"
fi
check "the installed CLI runs" sh -c "'$ROOT/usr/bin/prof-render' --version | grep -q '$want'"
if command -v man >/dev/null 2>&1; then
  check "the installed man page opens" sh -c "man -l '$ROOT/usr/share/man/man1/prof-render.1' 2>/dev/null | grep -q 'EXIT STATUS'"
fi
make -s --no-print-directory uninstall PREFIX=/usr DESTDIR="$ROOT" >"$TMP/un.out" 2>&1
check "make uninstall removes every file it installed" sh -c "[ -z \"\$(find '$ROOT' ! -type d)\" ]"
done_testing
