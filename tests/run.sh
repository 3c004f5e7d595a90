#!/bin/sh
# Runs every unit test program and every test script. Each prints TAP
# lines ("ok N - what" / "not ok N - what"); this script shows the
# failures with their diagnostics and ends with "N passed, N failed".
#
# TEST_JOBS (default: the number of processors) tests run at once, the
# slowest started first; the results are printed in a fixed order (the
# programs, then the scripts by name) as soon as each is known.
BUILD=${BUILD:-build}
export BUILD
JOBS=${TEST_JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)}
pass=0
fail=0
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

order=""
for t in "$BUILD"/tests/test_*; do
  [ -x "$t" ] && order="$order $t"
done
for s in tests/*.sh; do
  case $s in tests/run.sh|tests/lib.sh) continue ;; esac
  order="$order $s"
done
# About the order of their run times, longest first.
slow="badinput_gen chrome convert badinput inferno threads report sentry speedscope image progress"
start=""
for s in $slow; do
  [ -f "tests/$s.sh" ] && start="$start tests/$s.sh"
done
for t in $order; do
  case " $start " in *" $t "*) ;; *) start="$start $t" ;; esac
done

# One test: its output in $out/NAME.log, then its exit status in NAME.rc.
# shellcheck disable=SC2016
printf '%s\n' $start | xargs -P "$JOBS" -I{} sh -c '
  n=$(basename "$1")
  case $1 in
    *.sh) sh "$1" ;;
    *) env CMOCKA_MESSAGE_OUTPUT=TAP "$1" ;;
  esac >"$2/$n.log" 2>&1
  echo $? >"$2/$n.tmp" && mv "$2/$n.tmp" "$2/$n.rc"' _ {} "$out" &
runner=$!

for t in $order; do
  name=$(basename "$t")
  log=$out/$name.log
  while [ ! -f "$out/$name.rc" ]; do
    if ! kill -0 "$runner" 2>/dev/null && [ ! -f "$out/$name.rc" ]; then
      echo "rc-missing" >"$out/$name.rc" # the runner died
      break
    fi
    sleep 1
  done
  rc=$(cat "$out/$name.rc")
  [ "$rc" = rc-missing ] && rc=127
  p=$(grep -c '^ok ' "$log" 2>/dev/null)
  f=$(grep -c '^not ok ' "$log" 2>/dev/null)
  p=${p:-0} f=${f:-0}
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
done
wait "$runner"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
