# Shared helpers for the shell test scripts (sourced, not run).
# Prints TAP lines; call `done_testing` at the end.
BUILD=${BUILD:-build}
PR=${PR:-./prof-render}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "#   $l"; done; }

# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() {
  d=$1
  shift
  if "$@" >"$TMP/check.out" 2>&1; then ok "$d"; else not_ok "$d" "command: $*" "$(head -c 2000 "$TMP/check.out")"; fi
}

# same_file DESCRIPTION EXPECTED ACTUAL: passes when the files are equal;
# shows a unified diff otherwise.
same_file() {
  if cmp -s "$2" "$3"; then ok "$1"; else not_ok "$1" "$(diff -u "$2" "$3" | head -n 40 | cut -c1-300)"; fi
}

# exit_is DESCRIPTION CODE COMMAND...: passes when the command exits CODE.
exit_is() {
  d=$1
  want=$2
  shift 2
  "$@" >"$TMP/exit.out" 2>"$TMP/exit.err"
  got=$?
  if [ "$got" -eq "$want" ]; then ok "$d"; else not_ok "$d" "expected exit $want, got $got: $*" "$(head -c 1000 "$TMP/exit.err")"; fi
}

# skip_all_without CMD WHY: ends the script with a skip when CMD is missing.
skip_all_without() {
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "ok 1 # SKIP $2"
  echo "1..1"
  exit 0
}

done_testing() { echo "1..$n"; [ "$failed" -eq 0 ]; }

# big_folded OUT: a folded file larger than the reader's PARALLEL_MIN
# (4 MiB, formats/folded.c), so that its tree is built on a second thread:
# BIG_COPIES copies of perf-vertx (199 lines), each under a root frame of
# its own. 23,880 lines make 12 batches of 2,048 lines: more than the ring
# of 8 between the two threads holds, so its batches are reused.
BIG_COPIES=120
big_folded() {
  for i in $(seq $BIG_COPIES); do
    sed "s/^/copy$i;/" testdata/folded/perf-vertx-stacks-01-collapsed-all.txt
  done > "$1"
}
