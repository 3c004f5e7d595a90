#!/bin/sh
# Oracle test of --granularity and --noinlines: `prof-render top` equals
# `go tool pprof -top -lines|-filefunctions|-noinlines -nodecount=1000000
# -symbolize=none` (go1.19.8, Debian golang-go; testdata/pprof-gran/) byte
# for byte; and the flame graph merges frames the same way.
. tests/lib.sh

for want in testdata/pprof-gran/*.txt; do
  stem=$(basename "$want" .txt)
  g=${stem##*.}
  b=${stem%.*}
  case $g in
  noinlines) opt=--noinlines ;;
  *) opt="--granularity $g" ;;
  esac
  # shellcheck disable=SC2086
  $PR top $opt "testdata/pprof/$b" > "$TMP/got" 2>&1
  same_file "$b $g equals go tool pprof -top -$g" "$want" "$TMP/got"
done

F=testdata/pprof/parca__query__fib.pb.gz
for g in functions filefunctions lines; do
  $PR --granularity $g -o "$TMP/$g.svg" $F
done
f=$(grep -c '<g>' "$TMP/functions.svg"); l=$(grep -c '<g>' "$TMP/lines.svg")
[ "$f" -lt "$l" ] && ok "lines split frames that functions merge ($f < $l boxes)" || not_ok "lines split frames" "$f vs $l"
grep -q '<title>math/big.addVV /usr/local/go/src/math/big/arith_amd64.s:51 (' "$TMP/lines.svg" &&
  ok "line granularity shows file:line in the tooltip" || not_ok "line granularity shows file:line"
exit_is "unknown granularity: exit 2" 2 $PR --granularity words $F
printf 'a;b 1\n' > "$TMP/x.folded"
$PR collapse --granularity lines "$TMP/x.folded" > "$TMP/c"
printf 'a;b 1\n' > "$TMP/cw"
same_file "folded input is unchanged by a granularity" "$TMP/cw" "$TMP/c"
done_testing
