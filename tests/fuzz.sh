#!/bin/sh
# Replays every fuzz target's seed corpus (tests/fuzz/targets: the test
# data) and every crash input ever found (tests/fuzz/regress/TARGET/)
# through the same checks the fuzzers make: reading whole and in small
# pieces agrees, the model's invariants hold, every writer runs, SVG
# output is well-formed text, nothing is printed (the library never
# prints; GLib warnings abort). No libFuzzer needed; `make fuzz` fuzzes.
. tests/lib.sh

grep -v '^#' tests/fuzz/targets >"$TMP/targets"
while read -r t seeds; do
  [ -n "$t" ] || continue
  regress=""
  [ -d "tests/fuzz/regress/$t" ] && regress="tests/fuzz/regress/$t"
  # shellcheck disable=SC2086
  # G_DEBUG: a GLib warning (pango handed invalid UTF-8...) aborts.
  if G_DEBUG=fatal-warnings "$BUILD/fuzz/replay-$t" $seeds $regress >"$TMP/out" 2>"$TMP/err" &&
     ! grep -qv '^replay: ' "$TMP/err"; then
    ok "fuzz target $t replays its corpus: $(cat "$TMP/out")"
  else
    not_ok "fuzz target $t replays its corpus" \
      "$(grep -v '^replay: ' "$TMP/err" | head -n 30)" \
      "last input: $(grep '^replay: ' "$TMP/err" | tail -n 1)"
  fi
done <"$TMP/targets"
done_testing
