#!/bin/sh
# The callgrind reader (formats/callgrind.c) and the call tree rebuilt from
# a call graph (lib/callgraph.c).
#
# 1. speedscope's files (testdata/callgrind/speedscope__*, sources in
#    testdata/THIRD_PARTY.md) against speedscope's snapshot of what it
#    reads from them: each function's self and total weight (our `top`),
#    and the stacks it rebuilds (our `collapse`). One documented
#    difference: in callgrind.cfn-reset.log the calls into gamma carry 20
#    while gamma's own cost lines hold 10; speedscope draws 20, prof-render
#    keeps the function's self cost as the file states it (10) and splits
#    it between the two callers in proportion to their calls' cost.
# 2. valgrind itself: testdata/callgrind/prog.c (plain calls, direct and
#    mutual recursion) run under callgrind, compared with valgrind's own
#    callgrind_annotate: the self cost of every function of prog.c, the
#    inclusive cost of those that do not recurse; the rebuilt tree's total
#    equals the file's "summary:" and the sum of the self costs.
# 3. Bad input: exit 65 and one line naming the line; sniffing; diff,
#    report and SVG; the same input gives the same bytes.
. tests/lib.sh
D=testdata/callgrind

# top --format tsv as "function flat cum" lines, sorted.
top_tsv() {
  $PR top -q --format tsv --nodefraction 0 "$@" |
    awk -F '\t' 'NR > 1 { gsub(/ /, "_", $3); print $3, $1, $2 }' | LC_ALL=C sort
}
stacks() { $PR collapse -q "$@" | LC_ALL=C sort; }

# 1. speedscope's snapshot (src/import/__snapshots__/callgrind.test.ts.snap).
printf 'func1 100 400\nfunc2 700 700\nmain 20 820\n' > "$TMP/want_top"
printf 'main 20\nmain;func1 100\nmain;func1;func2 300\nmain;func2 400\n' > "$TMP/want_stacks"
for f in example name-compression subposition-compression; do
  top_tsv $D/speedscope__callgrind__callgrind.$f.log > "$TMP/got"
  same_file "$f: self and total per function as speedscope" "$TMP/want_top" "$TMP/got"
  stacks $D/speedscope__callgrind__callgrind.$f.log > "$TMP/got"
  same_file "$f: the stacks speedscope rebuilds" "$TMP/want_stacks" "$TMP/got"
done
M=$D/speedscope__callgrind__callgrind.multiple-event-types.log
# Time_(10ns): speedscope shows nanoseconds, the file counts 10 ns units.
top_tsv $M | awk '{ print $1, $2 * 10, $3 * 10 }' > "$TMP/got"
printf 'func1 1000 4000\nfunc2 7000 7000\nmain 200 8200\n' > "$TMP/want"
same_file "multiple events: the first event is the default (Time)" "$TMP/want" "$TMP/got"
top_tsv --sample-type 'Memory_(bytes)' $M > "$TMP/got"
printf 'func1 15000 20000\nfunc2 8000 8000\nmain 15000 38000\n' > "$TMP/want"
same_file "--sample-type picks the Memory event" "$TMP/want" "$TMP/got"
stacks --sample-type 1 $M > "$TMP/got"
printf 'main 15000\nmain;func1 15000\nmain;func1;func2 5000\nmain;func2 3000\n' > "$TMP/want"
same_file "stacks of the Memory event as speedscope" "$TMP/want" "$TMP/got"
top_tsv $D/speedscope__callgrind__callgrind.cfn-reset.log > "$TMP/got"
printf 'alpha 10 50\nbeta 10 10\ndelta 10 20\ngamma 10 10\n' > "$TMP/want"
same_file "cfn-reset: beta in beta.c, gamma back in alpha.c (gamma: the file's self cost)" "$TMP/want" "$TMP/got"
stacks $D/speedscope__callgrind__callgrind.cfn-reset.log > "$TMP/got"
printf 'alpha 10\nalpha;beta 10\nalpha;delta 10\nalpha;delta;gamma 5\nalpha;gamma 5\n' > "$TMP/want"
same_file "cfn-reset: stacks (gamma's 10 split by its calls' cost)" "$TMP/want" "$TMP/got"

# 2. valgrind on a small program.
if command -v valgrind >/dev/null 2>&1 && command -v cc >/dev/null 2>&1; then
  cp $D/prog.c "$TMP/prog.c"
  (cd "$TMP" && cc -O1 -g -o prog prog.c && valgrind -q --tool=callgrind --callgrind-out-file=cg.out ./prog >/dev/null 2>&1)
  CG=$TMP/cg.out
  check "valgrind's output reads" $PR top -q "$CG"
  top_tsv "$CG" > "$TMP/ours"
  total=$(sed -n 's/^summary: *//p' "$CG")
  $PR collapse -q "$CG" | awk -v want="$total" '{ s += $NF } END {
    d = s - want; if (d < 0) d = -d; exit !(want > 0 && d <= 1e-6 * want) }' &&
    ok "the rebuilt tree's total is the file's summary ($total)" ||
    not_ok "the rebuilt tree's total is the file's summary ($total)"
  awk -v want="$total" '{ s += $2 } END { exit !(s == want) }' "$TMP/ours" &&
    ok "the self costs add up to the summary" || not_ok "the self costs add up to the summary"
  if command -v callgrind_annotate >/dev/null 2>&1; then
    # "107,382 (41.69%)  prog.c:leaf [/tmp/prog]" -> "leaf 107382"
    ann() {
      callgrind_annotate --threshold=100 --auto=no "$@" "$CG" |
        sed -n 's/^ *\([0-9,]*\) ([ 0-9.]*%)  [^ ]*prog\.c:\([^ ]*\) \[.*/\2 \1/p' | tr -d , | LC_ALL=C sort
    }
    ann > "$TMP/self"
    awk 'NR == FNR { have[$1] = $2; next } { print $1, have[$1] }' "$TMP/ours" "$TMP/self" > "$TMP/got"
    [ "$(wc -l < "$TMP/self")" -ge 8 ] && ok "callgrind_annotate lists prog.c's functions" ||
      not_ok "callgrind_annotate lists prog.c's functions" "$(cat "$TMP/self")"
    same_file "self cost of every prog.c function equals callgrind_annotate's" "$TMP/self" "$TMP/got"
    ann --inclusive=yes | grep -E '^(leaf|work|main) ' > "$TMP/incl"
    awk 'NR == FNR { have[$1] = $3; next } { print $1, have[$1] }' "$TMP/ours" "$TMP/incl" > "$TMP/got"
    [ "$(wc -l < "$TMP/incl")" -eq 3 ] && same_file "inclusive cost of leaf, work, main equals callgrind_annotate's" "$TMP/incl" "$TMP/got" ||
      not_ok "inclusive cost of leaf, work, main" "$(cat "$TMP/incl")"
  else
    ok "# SKIP callgrind_annotate is not installed"
  fi
  # Recursion ends and conserves cost: fib'2 and the even'2/odd'2 cycle
  # keep their self cost in the tree.
  $PR collapse -q "$CG" | awk '{ n = split($0, f, ";"); c = $NF; sub(/ [^ ]*$/, "", f[n]); gsub(/ /, "_", f[n]); s[f[n]] += c }
    END { for (k in s) printf "%s %.6f\n", k, s[k] }' | LC_ALL=C sort > "$TMP/tree_self"
  awk '{ printf "%s %.6f\n", $1, $2 }' "$TMP/ours" | LC_ALL=C sort > "$TMP/file_self"
  awk 'NR == FNR { t[$1] = $2; next } $2 != 0 { d = t[$1] - $2; if (d < 0) d = -d; if (d > 1e-6 * $2) { print; bad = 1 } } END { exit bad }' \
    "$TMP/tree_self" "$TMP/file_self" > "$TMP/diffs" &&
    ok "every function's self cost in the tree equals the file's" ||
    not_ok "every function's self cost in the tree equals the file's" "$(head -5 "$TMP/diffs")"
  $PR -q -o "$TMP/a.svg" "$CG" && $PR -q -o "$TMP/b.svg" "$CG" && cmp -s "$TMP/a.svg" "$TMP/b.svg" &&
    ok "the same input draws the same bytes" || not_ok "the same input draws the same bytes"
else
  ok "# SKIP valgrind or cc is not installed"
fi

# 3. Sniffing, bad input, the other commands.
for f in $D/speedscope__*; do
  $PR info -q "$f" > "$TMP/info" 2>&1
  grep -q '^Format: callgrind' "$TMP/info" && ok "$(basename "$f") is sniffed as callgrind" ||
    not_ok "$(basename "$f") is sniffed as callgrind" "$(head -3 "$TMP/info")"
done
bad() { # DESCRIPTION WANT-IN-MESSAGE (input in $TMP/bad.cg)
  exit_is "$1: exit 65" 65 $PR collapse --input-format callgrind "$TMP/bad.cg"
  if [ "$(wc -l < "$TMP/exit.err")" -eq 1 ] && grep -q "$2" "$TMP/exit.err"; then ok "$1: one line naming it"
  else not_ok "$1: one line naming it" "want: $2" "$(cat "$TMP/exit.err")"; fi
}
printf '# callgrind format\nevents: Ir\nfn=main\n16 20\nthis is garbage\n' > "$TMP/bad.cg"; bad "a garbage line" "bad.cg:5: unknown line 'this is garbage'"
printf 'events: Ir\nfn=main\n16 x\n' > "$TMP/bad.cg"; bad "a cost that is no number" "bad.cg:3: expected a number"
printf 'events: Ir\nfn=main\n16 20\ncfn=f\ncalls=1 2\n' > "$TMP/bad.cg"; bad "calls= at the end" "bad.cg:5: the input ends after 'calls='"
printf 'events: Ir\nfn=(4)\n1 2\n' > "$TMP/bad.cg"; bad "an undefined compressed name" "bad.cg:2: compressed name '(4)'"
printf 'fn=main\n1 2\n' > "$TMP/bad.cg"; bad "costs before events:" "bad.cg:2: a cost line before 'events:'"
printf 'events: Ir\nfn=main\n1 2 3\n' > "$TMP/bad.cg"; bad "more costs than events" "bad.cg:3: more costs than events"
printf '# callgrind format\nevents: Ir\n' > "$TMP/bad.cg"; bad "no costs" "no costs found"
printf 'events: Ir\nfn=main\n1 99999999999999999999\n' > "$TMP/bad.cg"; bad "a cost above 2^63" "bad.cg:3: expected a number (costs below 2^63)"
# Addresses above 2^63 are positions, not costs; no header but events: and
# fn= is still sniffed.
printf 'events: Ir\npositions: instr line\nfn=main\n0xffffffffff600000 3 5\n+16 -2 2\n' > "$TMP/addr.cg"
stacks "$TMP/addr.cg" > "$TMP/got"
printf 'main 7\n' > "$TMP/want"
same_file "instr positions above 2^63, relative positions, sniffed without a header" "$TMP/want" "$TMP/got"
printf 'events: Ir\nfn=main\n1 2\nevents: Dr\n' > "$TMP/bad.cg"; bad "a part with other events" "bad.cg:4: 'events: Dr' differs"
# A function that costs nothing and calls nothing gets no box.
printf 'events: Ir\nfn=a\n1 5\nfn=idle\n' > "$TMP/idle.cg"
$PR info -q "$TMP/idle.cg" > "$TMP/info"
grep -q '^Stacks: 1 distinct, 1 call tree nodes' "$TMP/info" && ok "a function with no cost and no calls gets no box" ||
  not_ok "a function with no cost and no calls gets no box" "$(cat "$TMP/info")"
# Two parts (each with its header) add up.
printf 'events: Ir\nfn=main\n1 2\npart: 2\nevents: Ir\nfn=main\n1 3\n' > "$TMP/parts.cg"
stacks "$TMP/parts.cg" > "$TMP/got"
printf 'main 5\n' > "$TMP/want"
same_file "two parts with the same events add up" "$TMP/want" "$TMP/got"
# A profile that is all cycle (no root) and one whose calls carry nothing.
printf 'events: Ir\nfn=a\n1 5\ncfn=b\ncalls=1 1\n1 7\nfn=b\n1 3\ncfn=a\ncalls=1 1\n1 9\n' > "$TMP/cycle.cg"
stacks "$TMP/cycle.cg" > "$TMP/got"
printf 'a 5\na;b 3\n' > "$TMP/want"
same_file "a cycle with no root: its first function becomes the root" "$TMP/want" "$TMP/got"
top_tsv "$TMP/cycle.cg" > "$TMP/got"
printf 'a 5 12\nb 3 12\n' > "$TMP/want"
same_file "top of a cycle: the file's self and self plus calls" "$TMP/want" "$TMP/got"
# 2^30 paths: the tree stops at the node cap, with a warning, and still
# holds every function's self cost (z and y come after the cap: z is a
# root, y, which only z calls, is drawn below the root).
awk 'BEGIN { print "events: Ir"; print "fn=root"; print "1 1"
  for (j = 0; j < 2; j++) { print "cfn=f0_" j; print "calls=1 1"; print "1 1" }
  for (i = 0; i < 30; i++) for (j = 0; j < 2; j++) {
    print "fn=f" i "_" j; print "1 1"
    if (i < 29) for (k = 0; k < 2; k++) { print "cfn=f" (i + 1) "_" k; print "calls=1 1"; print "1 1" } }
  print "fn=z"; print "1 100"; print "cfn=y"; print "calls=1 1"; print "1 1000"
  print "fn=y"; print "1 1000" }' > "$TMP/explode.cg"
$PR info "$TMP/explode.cg" > "$TMP/info" 2> "$TMP/err"
grep -q 'more than 1000000 call tree nodes' "$TMP/err" && ok "a call graph with 2^30 paths stops at the node cap, with a warning" ||
  not_ok "a call graph with 2^30 paths stops at the node cap, with a warning" "$(cat "$TMP/err")"
grep -q '^Total: 1161$' "$TMP/info" && grep -q '^Stacks: 10000[0-9][0-9] distinct' "$TMP/info" &&
  ok "past the cap every self cost is still in the tree" || not_ok "past the cap every self cost is still in the tree" "$(cat "$TMP/info")"
X=$D/speedscope__callgrind__callgrind.example.log
Y=$D/speedscope__callgrind__callgrind.subposition-compression.log
check "diff of two callgrind files" $PR diff -q $X $M
grep -q 'func2' "$TMP/check.out" && ok "the diff table names the functions" || not_ok "the diff table names the functions" "$(head "$TMP/check.out")"
$PR report -q -o "$TMP/r.html" $X && grep -q 'reconstructed from a call graph' "$TMP/r.html" &&
  ok "the report says the stacks are reconstructed" || not_ok "the report says the stacks are reconstructed"
$PR -q -o "$TMP/x.svg" $X && grep -q 'id="subtitle".*reconstructed from a call graph' "$TMP/x.svg" &&
  ok "the SVG subtitle says the stacks are reconstructed" || not_ok "the SVG subtitle says the stacks are reconstructed"
$PR -q -o "$TMP/y.svg" $Y && cmp -s "$TMP/x.svg" "$TMP/y.svg" &&
  ok "subposition compression draws what the plain file draws" || not_ok "subposition compression draws what the plain file draws"
# Two inputs merge their trees; top then counts the merged tree.
top_tsv $X $Y > "$TMP/got"
printf 'func1 200 800\nfunc2 1400 1400\nmain 40 1640\n' > "$TMP/want"
same_file "two inputs merged" "$TMP/want" "$TMP/got"

done_testing
