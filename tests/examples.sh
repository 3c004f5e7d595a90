#!/bin/sh
# The examples in examples/ build against the library and do what they
# say: embed_render prints what `prof-render top` prints and writes the
# SVG the CLI writes; sampler profiles its own workload (hot_a does twice
# hot_b's work); render_folded.py drives the shared library from Python.
. tests/lib.sh
CC=${CC:-cc}
LIBS="$(pkg-config --libs libcjson zlib libdeflate) -lm -ldl -pthread"
# make check-asan builds the libraries with the sanitizers: so must the
# examples that link them (and Python cannot load them without libasan).
SAN=""
case $BUILD in build-asan) SAN="-fsanitize=address,undefined,float-cast-overflow" ;; esac
if [ ! -f libprofrender.a ] || [ ! -f libprofrender.so ]; then
  not_ok "examples: libprofrender.a and .so are built (make all)"
  done_testing
  exit 1
fi

# cairo and pango are loaded only to draw a PNG or PDF (render/image.c):
# neither the CLI nor the shared library names them as needed, so a top
# or an SVG starts without their forty-odd libraries.
needed=$(readelf -d ./prof-render libprofrender.so 2>/dev/null | grep NEEDED)
if [ -n "$needed" ] && ! echo "$needed" | grep -q -e cairo -e pango -e glib; then
  ok "prof-render and libprofrender.so do not link cairo, pango or glib"
else
  not_ok "cairo/pango/glib are linked (or readelf is missing)" "$needed"
fi

# Symbol hygiene: the shared library exports prf_ names only, and its
# soname carries the ABI version.
nm -D --defined-only libprofrender.so | awk '{print $NF}' >"$TMP/syms"
check "libprofrender.so exports only prf_ symbols" sh -c "
  [ -s '$TMP/syms' ] && ! grep -v '^prf_' '$TMP/syms'"
check "  ... among them the whole API (prf_profile_merge, prf_flame_write...)" sh -c "
  grep -qx prf_profile_merge '$TMP/syms' && grep -qx prf_flame_write '$TMP/syms' &&
  grep -qx prf_buffer_write '$TMP/syms' && grep -qx prf_version '$TMP/syms'"
check "  ... and its soname is libprofrender.so.0" sh -c "
  readelf -d libprofrender.so | grep -q 'SONAME.*\[libprofrender\.so\.0\]'"

build() { # NAME EXTRA-FLAGS...
  name=$1; shift
  if $CC -std=c11 -Wall -Wextra -Werror -O1 -g $SAN "$@" -Ilib "examples/$name.c" \
       libprofrender.a $LIBS -o "$TMP/$name" 2>"$TMP/$name.cc"; then
    ok "examples/$name.c builds with -Wall -Wextra -Werror"
  else
    not_ok "examples/$name.c builds" "$(head -n 20 "$TMP/$name.cc")"
  fi
}

build embed_render
P=testdata/pprof/pprof__internal__proftest__large.cpu
"$TMP/embed_render" "$P" "$TMP/e.svg" >"$TMP/e.top"
$PR top --nodecount 10 "$P" >"$TMP/cli.top"
same_file "embed_render: its top 10 is prof-render top --nodecount 10" "$TMP/cli.top" "$TMP/e.top"
$PR --title "Flame Graph" "$P" >"$TMP/cli.svg"
same_file "  ... and its SVG is the CLI's" "$TMP/cli.svg" "$TMP/e.svg"
exit_is "  ... a missing input: 66" 66 "$TMP/embed_render" "$TMP/nope" "$TMP/x.svg"
printf 'not a profile\0\1' >"$TMP/bad"
exit_is "  ... a bad input: 65, with the file named" 65 "$TMP/embed_render" "$TMP/bad" "$TMP/x.svg"
check "  ... the message names the file" grep -q "$TMP/bad" "$TMP/exit.err"

build sampler -rdynamic -ldl
if "$TMP/sampler" "$TMP/s.svg" 2>"$TMP/s.err"; then
  ok "sampler runs and writes its flame graph"
else
  not_ok "sampler runs" "$(cat "$TMP/s.err")"
fi
# hot_a does twice hot_b's work: about 2/3 of their samples, give or take
# the sampling noise (at least 100 samples: 0.52 to 0.82 is over three
# standard deviations either side).
check "  ... hot_a holds about twice hot_b's samples" awk '
  /<title>hot_a \(/ { a = $0; sub(/.*hot_a \(/, "", a); sub(/ .*/, "", a); gsub(/,/, "", a) }
  /<title>hot_b \(/ { b = $0; sub(/.*hot_b \(/, "", b); sub(/ .*/, "", b); gsub(/,/, "", b) }
  END { if (a + b < 100) exit 1; r = a / (a + b); exit !(r > 0.52 && r < 0.82) }' "$TMP/s.svg"
check "  ... under main, through spin" grep -q '<title>spin (' "$TMP/s.svg"

if command -v python3 >/dev/null 2>&1 && [ -z "$SAN" ]; then
  F=testdata/folded/perf-vertx-stacks-01-collapsed-all.txt
  if PRF_LIBRARY=$PWD/libprofrender.so python3 examples/render_folded.py "$F" "$TMP/py.svg" >"$TMP/py.out" 2>&1; then
    ok "render_folded.py renders through the shared library"
  else
    not_ok "render_folded.py renders" "$(cat "$TMP/py.out")"
  fi
  $PR "$F" >"$TMP/cli-f.svg"
  same_file "  ... the same SVG as the CLI" "$TMP/cli-f.svg" "$TMP/py.svg"
fi

done_testing
