#!/bin/sh
# Runs every unit test program and every test script. Each prints TAP
# lines ("ok N - what" / "not ok N - what"); this script shows the
# failures with their diagnostics and ends with "N passed, N failed".
BUILD=${BUILD:-build}
export BUILD
pass=0
fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_one() {
  name=$1
  shift
  "$@" >"$log" 2>&1
  rc=$?
  p=$(grep -c '^ok ' "$log")
  f=$(grep -c '^not ok ' "$log")
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    f=1
    echo "not ok - $name exited with status $rc"
  fi
  if [ "$f" -ne 0 ]; then
    echo "== $name: $f failed"
    # Each failure with the diagnostic lines that follow it.
    awk '/^not ok /{show=1; print; next} /^ok /{show=0} show' "$log" | head -n 200
    if [ "$rc" -ne 0 ] && ! grep -q '^not ok ' "$log"; then tail -n 30 "$log"; fi
  fi
  echo "$name: $p passed, $f failed"
  pass=$((pass + p))
  fail=$((fail + f))
}

for t in "$BUILD"/tests/test_*; do
  [ -x "$t" ] || continue
  run_one "$(basename "$t")" env CMOCKA_MESSAGE_OUTPUT=TAP "$t"
done
for s in tests/*.sh; do
  case $s in tests/run.sh|tests/lib.sh) continue ;; esac
  run_one "$(basename "$s")" sh "$s"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
