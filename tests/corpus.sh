#!/bin/sh
# Oracle tests on real folded files from other projects (testdata/, see
# THIRD_PARTY.md): everything loads, FlameGraph's own collapsed outputs
# come back byte for byte, and the encodings of one file agree.
. tests/lib.sh

# Every folded input of the corpus loads (the empty one must be refused).
for f in testdata/folded/*; do
  case $f in
  *empty__empty.txt) exit_is "empty $(basename "$f") is refused with exit 65" 65 $PR collapse "$f" ;;
  *) check "loads $(basename "$f")" $PR collapse -q "$f" ;;
  esac
done

# stackcollapse-perf.pl's outputs are canonical folded files: sorted,
# merged, one blank before the count. collapse must reproduce them exactly.
for f in testdata/FlameGraph/results/*; do
  $PR collapse "$f" > "$TMP/c" 2>"$TMP/e"
  same_file "collapse reproduces FlameGraph $(basename "$f")" "$f" "$TMP/c"
done

# speedscope's simple.txt in five encodings/variants gives one profile.
S=testdata/folded/speedscope__stackcollapse__simple
$PR collapse $S.txt > "$TMP/simple"
printf 'a;b 5\na;b;c 5\na;b;d 4\n' > "$TMP/simple.want"
same_file "simple.txt merges to the speedscope snapshot's stacks" "$TMP/simple.want" "$TMP/simple"
for v in crlf utf16-le utf16-be with-invalids; do
  $PR collapse -q $S-$v.txt > "$TMP/v"
  same_file "simple-$v.txt equals simple.txt" "$TMP/simple" "$TMP/v"
done
$PR collapse $S-with-invalids.txt 2>&1 >/dev/null | grep -q "simple-with-invalids.txt:8: skipping line" &&
  ok "the invalid line of simple-with-invalids.txt is reported at line 8" ||
  not_ok "the invalid line of simple-with-invalids.txt is reported at line 8"

# inferno's multiple-inputs test: two halves merge into the whole.
M=testdata/folded/inferno__flamegraph__multiple-inputs__perf-vertx-stacks-01-collapsed-all-unsorted
$PR collapse $M-1.txt $M-2.txt > "$TMP/halves"
$PR collapse testdata/folded/inferno__flamegraph__unsorted-input__perf-vertx-stacks-01-collapsed-all-unsorted.txt > "$TMP/whole"
same_file "two input halves merge into the unsorted whole" "$TMP/whole" "$TMP/halves"

# Independent oracle: merge and sort with awk and sort(1).
cat $M-2.txt $M-1.txt | awk '{c=$NF; sub(/ [0-9.]+$/, ""); s[$0]+=c} END {for (k in s) print k " " s[k]}' |
  LC_ALL=C sort > "$TMP/awk"
$PR collapse $M-2.txt $M-1.txt > "$TMP/ours"
same_file "collapse equals awk-merge plus LC_ALL=C sort" "$TMP/awk" "$TMP/ours"

# Fractional counts are kept (inferno truncates them).
$PR collapse testdata/folded/inferno__flamegraph__fractional-samples__fractional.txt > "$TMP/frac"
awk '{s+=$NF} END {printf "%.3f\n", s}' testdata/folded/inferno__flamegraph__fractional-samples__fractional.txt > "$TMP/frac.want"
awk '{s+=$NF} END {printf "%.3f\n", s}' "$TMP/frac" > "$TMP/frac.got"
same_file "fractional counts keep their sum" "$TMP/frac.want" "$TMP/frac.got"

done_testing
