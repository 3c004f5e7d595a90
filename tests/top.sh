#!/bin/sh
# Oracle test of `prof-render top`: byte for byte the output of
# `go tool pprof -top -nodecount=1000000 -symbolize=none` for every corpus
# pprof file (testdata/pprof-top/), legend and inline labels included (in
# parca's alloc_space_delta profile, an inlined call whose gains and losses
# cancel must not count, as pprof's edge cutoff drops it).
. tests/lib.sh

for f in testdata/pprof/*; do
  b=$(basename "$f")
  $PR top "$f" > "$TMP/got" 2>&1
  same_file "$b: equals go tool pprof -top" testdata/pprof-top/$b.txt "$TMP/got"
done

# --sample-type picks another column, by name or index.
P=testdata/pprof/parca__query__fib.pb.gz
$PR top --sample-type samples $P | grep '^Type:' > "$TMP/t"
printf 'Type: samples\n' > "$TMP/want"
same_file "--sample-type by name" "$TMP/want" "$TMP/t"
$PR top --sample-type 0 $P | grep '^Type:' > "$TMP/t"
same_file "--sample-type by index" "$TMP/want" "$TMP/t"
exit_is "--sample-type that does not exist: exit 2" 2 $PR top --sample-type bogus $P
grep -q "it has: samples cpu" "$TMP/exit.err" && ok "the error lists the sample types" || not_ok "the error lists the sample types" "$(cat "$TMP/exit.err")"

# --nodecount, --sort cum, TSV.
$PR top --nodecount 3 $P > "$TMP/n3"
[ "$(sed '1,/^      flat/d' "$TMP/n3" | wc -l)" -eq 3 ] && grep -q "Showing top 3 nodes out of" "$TMP/n3" && ok "--nodecount 3" || not_ok "--nodecount 3" "$(cat "$TMP/n3")"
$PR top --sort cum $P | sed '1,/^      flat/d' | awk '{print $4}' | sed 's/s$//' > "$TMP/cums"
sort -g -r "$TMP/cums" | cmp -s - "$TMP/cums" && ok "--sort cum orders by cum" || not_ok "--sort cum orders by cum"
$PR top --format tsv $P > "$TMP/tsv"
check "TSV has a header" grep -qx "$(printf 'flat\tcum\tfunction\tfile\tline')" "$TMP/tsv"
awk -F'\t' 'NR > 1 && $3 == "main.calculateFib" {print $1, $2}' "$TMP/tsv" > "$TMP/row"
awk '$NF == "main.calculateFib" {print $1, $4}' testdata/pprof-top/parca__query__fib.pb.gz.txt |
  awk '{ for (i = 1; i <= 2; i++) { v = $i; sub(/s$/, "", v); printf "%s%.0f", (i > 1 ? " " : ""), v * 1e9 } print "" }' > "$TMP/want"
same_file "TSV carries raw values (ns) equal to pprof's" "$TMP/want" "$TMP/row"

# top of folded stacks: counts, recursion once.
printf 'main;a;a;b 3\nmain;c 2\n' > "$TMP/x.folded"
$PR top "$TMP/x.folded" > "$TMP/ft"
grep -q '^         3 60.00% 60.00%          3 60.00%  b$' "$TMP/ft" && ok "top of folded input: flat of the leaf" || not_ok "top of folded input" "$(cat "$TMP/ft")"
grep -q '^         0     0%   100%          3 60.00%  a$' "$TMP/ft" && ok "recursion counts once in cum" || not_ok "recursion counts once in cum" "$(cat "$TMP/ft")"
$PR top --ignore zz_nothing_zz "$TMP/x.folded" | grep -v 'Active filters\|ignore=' > "$TMP/ft2"
same_file "recursion counts once through the call tree too" "$TMP/ft" "$TMP/ft2"

# A plain top reads a list of stacks (top_only); with a filter, even one
# that removes nothing, the same numbers come from a walk of the call tree.
# The two ways must agree on every profile.
differ=""
for f in testdata/pprof/*.pb.gz testdata/pprof/*.cpu testdata/folded/*.txt; do
  $PR top -q --nodefraction 0 "$f" > "$TMP/plain" 2>/dev/null
  $PR top -q --nodefraction 0 --ignore zz_nothing_zz "$f" 2>/dev/null |
    grep -v 'Active filters\|ignore=zz_nothing_zz' > "$TMP/walked"
  cmp -s "$TMP/plain" "$TMP/walked" || differ="$differ $f"
done
[ -z "$differ" ] && ok "top from the stack list and from the call tree agree on every test profile" ||
  not_ok "top from the stack list and from the call tree differ" "$differ"
done_testing
