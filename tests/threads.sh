#!/bin/sh
# No global state: separate profiles may be used from separate threads.
# tests/threads.c runs four threads at once (read, granularity, SVG, PNG,
# folded, top) under ThreadSanitizer; any race report fails the test, and
# each thread's output must equal a single-threaded run's. The library is
# compiled from source here with -fsanitize=thread.
. tests/lib.sh
CC=${CC:-cc}
# ThreadSanitizer cannot be combined with the AddressSanitizer build.
case $BUILD in build-asan) echo "ok 1 - threads # SKIP ThreadSanitizer is not combined with ASan"; echo "1..1"; exit 0 ;; esac
if [ ! -f build/flame_js.h ]; then
  not_ok "threads: build/flame_js.h exists (make all first)"
  done_testing
  exit 1
fi
if $CC -std=c11 -O1 -g -fsanitize=thread -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L \
     -Ilib -Ibuild $(pkg-config --cflags cairo pangocairo libcjson zlib libdeflate) \
     -o "$TMP/threads" tests/threads.c lib/*.c formats/*.c render/*.c \
     $(pkg-config --libs cairo pangocairo libcjson zlib libdeflate) -lm -lpthread 2>"$TMP/cc.err"; then
  ok "the library builds with -fsanitize=thread"
else
  not_ok "the library builds with -fsanitize=thread" "$(head -n 20 "$TMP/cc.err")"
fi
# Font configuration and GLib are shared by design and internally locked;
# TSan cannot see their locks (uninstrumented), so reports from inside them
# are suppressed. Anything reported in prof-render's own code fails.
# (pango's font-loading thread also releases a lock another thread took.)
for lib in libfontconfig libglib libgobject libpango libpangoft2 libpangocairo \
  libcairo libpixman libharfbuzz libfreetype; do
  printf 'race:%s\nmutex:%s\n' "$lib" "$lib"
done >"$TMP/tsan.supp"
# The third input is over 4 MiB: its reader builds the tree on a thread of
# its own (formats/folded.c), so the hand-over of batches runs under TSan.
big_folded "$TMP/big.folded"
if TSAN_OPTIONS="halt_on_error=1 suppressions=$TMP/tsan.supp" "$TMP/threads" \
     testdata/pprof/pprof__internal__report__sample.cpu \
     testdata/folded/perf-vertx-stacks-01-collapsed-all.txt \
     "$TMP/big.folded" >"$TMP/out" 2>"$TMP/err"; then
  ok "four threads at once: no data race, outputs equal one thread's"
else
  not_ok "four threads at once: no data race, outputs equal one thread's" "$(head -n 40 "$TMP/err")"
fi
done_testing
