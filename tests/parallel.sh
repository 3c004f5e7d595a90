#!/bin/sh
# The folded reader builds the call tree on a second thread for inputs
# over 4 MiB (formats/folded.c). The result must be what one thread
# gives: the collapse of BIG_COPIES copies of a file, each under its own root, is
# the copies of the one file's collapse; outputs are byte-identical run to
# run; an error found by the building thread names its line. (Data races:
# tests/threads.sh runs the same input under ThreadSanitizer.)
. tests/lib.sh
SMALL=testdata/folded/perf-vertx-stacks-01-collapsed-all.txt
big_folded "$TMP/big.folded"
size=$(wc -c < "$TMP/big.folded")
[ "$size" -gt 4194304 ] && ok "the input is over 4 MiB ($size bytes)" || not_ok "the input is too small for two threads" "$size"

# The second thread is really started for the big input, not for the
# small one (otherwise the checks below would pass on one thread alone);
# compared, as sanitizers may start threads of their own in both.
if command -v strace >/dev/null 2>&1; then
  threads() { strace -f -qq -e trace=clone,clone3 -o "$TMP/strace" $PR collapse "$1" >/dev/null 2>&1; grep -c 'clone' "$TMP/strace"; }
  big_n=$(threads "$TMP/big.folded")
  small_n=$(threads "$SMALL")
  [ "$big_n" -eq $((small_n + 1)) ] &&
    ok "a second thread builds the tree of the big input only" ||
    not_ok "threads started: big $big_n, small $small_n (want one more for big)"
else
  echo "ok $((n + 1)) # SKIP strace is not installed"; n=$((n + 1))
fi

$PR collapse "$SMALL" > "$TMP/small.out"
for i in $(seq $BIG_COPIES); do sed "s/^/copy$i;/" "$TMP/small.out"; done | LC_ALL=C sort > "$TMP/want"
$PR collapse "$TMP/big.folded" > "$TMP/got"
same_file "two threads: the collapse is the copies of one file's collapse" "$TMP/want" "$TMP/got"

$PR -o "$TMP/a.svg" "$TMP/big.folded"
$PR -o "$TMP/b.svg" "$TMP/big.folded"
same_file "two threads: the same SVG bytes run after run" "$TMP/a.svg" "$TMP/b.svg"
$PR top --nodecount 20 "$TMP/big.folded" > "$TMP/top"
$PR top --nodecount 20 "$SMALL" | sed '1,/flat%/d' |
  awk -v k=$BIG_COPIES '{ $1 *= k; $4 *= k; print }' > "$TMP/top.want"
sed '1,/flat%/d' "$TMP/top" | awk '{ $1 = $1; print }' > "$TMP/top.got"
same_file "two threads: top's counts are BIG_COPIES times one file's" "$TMP/top.want" "$TMP/top.got"

# A stack too deep for --max-depth far into the file: the building thread
# finds it; the error names its line.
line=$(($(wc -l < "$TMP/big.folded") - 100))
max=$(awk '{ n = split($0, f, ";"); if (n > m) m = n } END { print m }' "$TMP/big.folded")
awk -v n="$line" -v d="$max" 'NR == n {
    s = "deep"; for (i = 1; i <= d; i++) s = s ";f" i; print s " 1"; next } { print }' \
  "$TMP/big.folded" > "$TMP/deep.folded"
exit_is "two threads: a too deep stack is bad data (65)" 65 $PR --max-depth "$max" -o "$TMP/d.svg" "$TMP/deep.folded"
grep -q "deep.folded:$line: .*deeper than $max frames" "$TMP/exit.err" &&
  ok "two threads: the error names the too deep stack's line ($line)" ||
  not_ok "two threads: the error does not name line $line" "$(cat "$TMP/exit.err")"
[ ! -e "$TMP/d.svg" ] && ok "two threads: no output file after the error" || not_ok "an output file was left"
done_testing
