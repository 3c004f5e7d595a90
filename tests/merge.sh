#!/bin/sh
# prof-render merge: summing a fleet's profiles into one, in any grouping.
# Merging must be associative (the same bytes whatever the grouping) and
# commutative (the same stacks and values whatever the order), so that any
# engine can merge in a tree (xargs -P, a map-reduce step) and render
# once; pprof header fields combine as `go tool pprof -proto A B` does.
. tests/lib.sh
P=testdata/pprof
A=$P/parca__query__many__1644509272337470000.pb.gz
B=$P/parca__query__many__1644509275338070000.pb.gz
C=$P/parca__query__many__1644509278338696000.pb.gz
D=$P/parca__query__many__1644509281339135000.pb.gz

$PR merge -o "$TMP/all.pb.gz" "$A" "$B" "$C" "$D"
$PR merge -o "$TMP/ab.pb.gz" "$A" "$B"
$PR merge -o "$TMP/cd.pb.gz" "$C" "$D"
$PR merge -o "$TMP/ab_cd.pb.gz" "$TMP/ab.pb.gz" "$TMP/cd.pb.gz"
$PR merge -o "$TMP/bcd.pb.gz" "$B" "$TMP/cd.pb.gz"
$PR merge -o "$TMP/a_bcd.pb.gz" "$A" "$TMP/bcd.pb.gz"
same_file "(a b)(c d) gives the bytes of a b c d" "$TMP/all.pb.gz" "$TMP/ab_cd.pb.gz"
same_file "a (b (c d)) gives the bytes of a b c d" "$TMP/all.pb.gz" "$TMP/a_bcd.pb.gz"
$PR merge -o "$TMP/dcba.pb.gz" "$D" "$C" "$B" "$A"
$PR collapse "$TMP/all.pb.gz" >"$TMP/all.folded"
$PR collapse "$TMP/dcba.pb.gz" >"$TMP/dcba.folded"
same_file "d c b a: the same stacks and values as a b c d" "$TMP/all.folded" "$TMP/dcba.folded"
$PR collapse "$A" "$B" "$C" "$D" >"$TMP/direct.folded"
same_file "the merged file holds what the inputs hold" "$TMP/direct.folded" "$TMP/all.folded"
$PR top --sample-type 0 "$TMP/all.pb.gz" >"$TMP/all.top"
$PR top --sample-type 0 "$TMP/dcba.pb.gz" >"$TMP/dcba.top"
same_file "  ... and the same top table" "$TMP/all.top" "$TMP/dcba.top"

# The README's recipe: merge pairs in parallel with xargs -P, then merge
# the parts; the parts finish in any order.
mkdir "$TMP/parts"
ls $P/parca__query__many__* | xargs -n 3 -P 2 sh -c \
  'out=$(mktemp "$0/part-XXXXXX.pb.gz") && '"$PR"' merge -o "$out" "$@"' "$TMP/parts"
$PR merge -o "$TMP/tree.pb.gz" "$TMP"/parts/part-*.pb.gz
$PR collapse "$TMP/tree.pb.gz" >"$TMP/tree.folded"
$PR collapse $P/parca__query__many__* >"$TMP/flat.folded"
same_file "xargs -P tree merge of 10 profiles = merging them at once" "$TMP/flat.folded" "$TMP/tree.folded"

# Folded inputs merge too; the sum of the counts is kept.
printf 'a;b 3\na;c 2\n' >"$TMP/x.folded"
printf 'a;b 4\nd 1\n' >"$TMP/y.folded"
$PR merge -o "$TMP/xy.folded" "$TMP/x.folded" "$TMP/y.folded"
printf 'a;b 7\na;c 2\nd 1\n' >"$TMP/want.folded"
same_file "folded inputs: counts summed" "$TMP/want.folded" "$TMP/xy.folded"

# Header: the earliest time, the summed duration, the largest period.
V1=testdata/diff/v1-run1.pb.gz
V2=testdata/diff/v1-run2.pb.gz
$PR merge -o "$TMP/v.pb.gz" "$V1" "$V2"
meta() { $PR info "$1" | sed -n "s/^  $2: //p"; }
check "time_nanos is the earliest" sh -c "[ '$(meta "$TMP/v.pb.gz" time_nanos)' = '$(meta "$V1" time_nanos)' ]"
want=$(( $(meta "$V1" duration_nanos) + $(meta "$V2" duration_nanos) ))
check "duration_nanos is the sum" sh -c "[ '$(meta "$TMP/v.pb.gz" duration_nanos)' = '$want' ]"
if command -v go >/dev/null 2>&1 && HOME=$TMP go tool pprof -h >/dev/null 2>&1; then
  HOME=$TMP go tool pprof -proto "$V1" "$V2" >"$TMP/go.pb.gz" 2>/dev/null
  $PR info "$TMP/go.pb.gz" | sed -n '/^Metadata/,$p' >"$TMP/go.meta"
  $PR info "$TMP/v.pb.gz" | sed -n '/^Metadata/,$p' >"$TMP/ours.meta"
  same_file "the header equals go tool pprof's merge" "$TMP/go.meta" "$TMP/ours.meta"
  $PR top "$TMP/go.pb.gz" >"$TMP/go.top"
  $PR top "$TMP/v.pb.gz" >"$TMP/ours.top"
  same_file "  ... and so do the numbers" "$TMP/go.top" "$TMP/ours.top"
else
  ok "go tool pprof's merge # SKIP go is not installed"
fi

exit_is "profiles of different sample types do not merge: 65" 65 \
  $PR merge -o "$TMP/bad.pb.gz" "$A" testdata/pprof/parca__query__fib.pb.gz
check "  ... and no output is left" test ! -e "$TMP/bad.pb.gz"
exit_is "a missing input: 66" 66 $PR merge -o "$TMP/m.pb.gz" "$A" "$TMP/nope"

done_testing
