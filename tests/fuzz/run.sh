#!/bin/sh
# Runs libFuzzer targets (built by `make fuzz-build`) for FUZZ_SECONDS
# each, FUZZ_JOBS at a time, and prints one line per target: executions,
# coverage (edges, features), corpus size, and crashes. Called by
# `make fuzz`; the arguments are target names (tests/fuzz/targets).
# Crash inputs land in build-fuzz/crashes/TARGET-*; once fixed, copy each
# into tests/fuzz/regress/TARGET/ so the test suite replays it.
# libFuzzer's log lines may quote input bytes that are not valid UTF-8;
# the C locale lets sed and grep treat them as plain bytes.
LC_ALL=C
export LC_ALL
# fontconfig keeps a few bytes from its one-time set-up (tests/lsan.supp).
LSAN_OPTIONS="suppressions=$(pwd)/tests/lsan.supp:print_suppressions=0"
export LSAN_OPTIONS
# A GLib warning (pango handed text it refuses) is a crash.
G_DEBUG=fatal-warnings
export G_DEBUG
SECONDS_EACH=${FUZZ_SECONDS:-60}
JOBS=${FUZZ_JOBS:-1}
mkdir -p build-fuzz/corpus build-fuzz/crashes build-fuzz/logs

run_target() {
  t=$1
  seeds=$(awk -v t="$t" '$1 == t { $1 = ""; print }' tests/fuzz/targets)
  regress=""
  [ -d "tests/fuzz/regress/$t" ] && regress="tests/fuzz/regress/$t"
  mkdir -p "build-fuzz/corpus/$t"
  log="build-fuzz/logs/$t.log"
  # shellcheck disable=SC2086
  "build-fuzz/fuzz-$t" -max_total_time="$SECONDS_EACH" -max_len=65536 \
    -timeout=20 -rss_limit_mb=2560 -print_final_stats=1 \
    -artifact_prefix="build-fuzz/crashes/$t-" \
    "build-fuzz/corpus/$t" $regress $seeds >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  last=$(grep -aE '^#[0-9]+' "$log" | tail -n 1)
  cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
  ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
  corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
  # CPU time of the fuzzer (this shell runs one target; `times` prints the
  # children's user and system time on its second line, as 0m1.23s; not
  # inside $(...), whose subshell has no children).
  times >"build-fuzz/logs/$t.times"
  cpu=$(awk 'NR == 2 {
    t = 0
    for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] }
    printf "%.0f", t }' "build-fuzz/logs/$t.times")
  status=ok
  [ "$rc" -eq 0 ] || status="FAILED (exit $rc, see $log)"
  printf '%-13s %6ss  cpu %6ss  execs %-10s cov %-6s ft %-7s corpus %-6s %s\n' \
    "$t" "$SECONDS_EACH" "${cpu:-?}" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$status"
  [ "$rc" -eq 0 ]
}

if [ "$1" = "--one" ]; then
  shift
  run_target "$1"
  exit
fi

echo "fuzzing each target for $SECONDS_EACH s, $JOBS at a time"
printf '%s\n' "$@" | xargs -P "$JOBS" -n 1 sh "$0" --one | tee build-fuzz/summary.txt
! grep -q FAILED build-fuzz/summary.txt
