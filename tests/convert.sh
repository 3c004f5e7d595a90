#!/bin/sh
# `prof-render convert`: any input out as gzipped pprof. Round trips keep
# every stack, value, label and line (prof-render reads back the same
# collapse and top); when `go tool pprof` is installed (.ci/run installs
# Debian's golang-go), pprof itself must see the same samples and the same
# -top table in the converted file as in the original.
. tests/lib.sh

if command -v go >/dev/null 2>&1 && go tool pprof -h >/dev/null 2>&1; then GO=1; else GO=0; fi
export HOME="$TMP" PPROF_BINARY_PATH="$TMP/none" TZ=UTC
samples() { go tool pprof -raw -symbolize=none "$1" 2>&1 | sed -n '/^Samples:/,/^Locations/p'; }
gotop() { go tool pprof -top -nodecount=1000000 -symbolize=none "$1" 2>&1; }

for f in testdata/pprof/*; do
  b=$(basename "$f")
  if ! $PR convert -o "$TMP/rt.pb.gz" "$f" 2>"$TMP/err"; then
    not_ok "$b: convert" "$(cat "$TMP/err")"; continue
  fi
  $PR collapse "$f" > "$TMP/a"; $PR collapse "$TMP/rt.pb.gz" > "$TMP/b"
  same_file "$b: stacks and values survive the round trip" "$TMP/a" "$TMP/b"
  $PR top "$f" | grep -v '^Build ID' > "$TMP/a"; $PR top "$TMP/rt.pb.gz" | grep -v '^Build ID' > "$TMP/b"
  same_file "$b: top survives the round trip" "$TMP/a" "$TMP/b"
  if [ $GO = 1 ]; then
    samples "$f" > "$TMP/a"; samples "$TMP/rt.pb.gz" > "$TMP/b"
    same_file "$b: go tool pprof sees the same samples and labels" "$TMP/a" "$TMP/b"
    gotop "$f" | grep -v '^Build ID' > "$TMP/a"; gotop "$TMP/rt.pb.gz" | grep -v '^Build ID' > "$TMP/b"
    same_file "$b: go tool pprof -top is unchanged" "$TMP/a" "$TMP/b"
  fi
done
if [ $GO = 0 ]; then
  n=$((n + 1))
  echo "ok $n - go tool pprof checks # SKIP go is not installed"
fi

# Folded in, pprof out, folded back: the same stacks (counts are integers).
V=testdata/FlameGraph/results/perf-vertx-stacks-01-collapsed-all.txt
$PR convert -o "$TMP/v.pb.gz" $V
$PR collapse "$TMP/v.pb.gz" > "$TMP/v"
same_file "folded -> pprof -> folded keeps every stack" $V "$TMP/v"
$PR convert --to folded -o "$TMP/v2" "$TMP/v.pb.gz"
same_file "convert --to folded" $V "$TMP/v2"
$PR convert -o "$TMP/v.folded" "$TMP/v.pb.gz"
same_file "an -o ending in .folded writes folded" $V "$TMP/v.folded"
exit_is "--to with an unknown format: exit 2" 2 $PR convert --to xml -o "$TMP/x" $V
if [ $GO = 1 ]; then
  # pprof reads the converted folded input and finds the same total.
  go tool pprof -top "$TMP/v.pb.gz" 2>/dev/null | grep '^Showing nodes' | sed 's/Showing nodes accounting for [0-9]*, [0-9.%]* of //' > "$TMP/b"
  echo "285 total" > "$TMP/a"
  same_file "go tool pprof reads converted folded input with the same total" "$TMP/a" "$TMP/b"
fi
done_testing
