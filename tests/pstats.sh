#!/bin/sh
# The pstats reader (formats/pstats.c) against Python itself: the machine's
# python3 (and /usr/bin/python3 when it is another one) profiles
# testdata/pstats/app.py with `python3 -m cProfile -o` and with
# profile.Profile().dump_stats (whose callers hold plain call counts), and
# tests/pstats_oracle.py compares with pstats.Stats of the same file:
# every function's self time, cumulative time and call count as `top`
# shows them; the rebuilt tree's total equals the sum of the self times,
# keeps each function's self time, and holds exec's cumulative time below
# exec. Then bad input (exit 65 and one line with the byte offset),
# diff, report, SVG, and the same bytes for the same input.
. tests/lib.sh
skip_all_without python3 "python3 is not installed"
APP=testdata/pstats/app.py

# The interpreter itself, not a wrapper (pyenv's shim costs a second a run).
pythons=$(python3 -c 'import sys; print(sys.executable)')
[ -x /usr/bin/python3 ] && [ "$pythons" != /usr/bin/python3 ] &&
  [ "$(/usr/bin/python3 -V)" != "$("$pythons" -V)" ] && pythons="$pythons /usr/bin/python3"

oracle() { # PY PROF WHAT
  $PR top -q --format tsv --nodefraction 0 "$2" > "$TMP/time.tsv"
  $PR top -q --format tsv --nodefraction 0 --sample-type calls "$2" > "$TMP/calls.tsv"
  $PR collapse -q "$2" > "$TMP/folded"
  "$1" tests/pstats_oracle.py "$2" "$TMP/time.tsv" "$TMP/calls.tsv" "$TMP/folded" > "$TMP/o.out" 2>&1
  grep -q '^top: [1-9][0-9]* functions compared, 0 differences' "$TMP/o.out" &&
    ok "$3: self, cumulative time and calls of every function as pstats: $(grep '^top:' "$TMP/o.out")" ||
    not_ok "$3: self, cumulative time and calls of every function as pstats" "$(cat "$TMP/o.out")"
  grep -q '^tree: [1-9][0-9]* functions compared, 0 differences' "$TMP/o.out" &&
    ok "$3: the tree holds the self times and exec's cumulative time" ||
    not_ok "$3: the tree holds the self times and exec's cumulative time" "$(cat "$TMP/o.out")"
}

i=0
for py in $pythons; do
  i=$((i + 1))
  v=$("$py" -V 2>&1)
  "$py" -m cProfile -o "$TMP/c$i.prof" $APP && ok "$v: cProfile wrote a file" || not_ok "$v: cProfile wrote a file"
  oracle "$py" "$TMP/c$i.prof" "$v cProfile"
  [ "$i" -eq 1 ] || continue # profile.py is slow: once is enough
  "$py" -c 'import profile, runpy, sys
p = profile.Profile()
p.runcall(runpy.run_path, sys.argv[1])
p.dump_stats(sys.argv[2])' $APP "$TMP/p$i.prof" && ok "$v: profile wrote a file" || not_ok "$v: profile wrote a file"
  oracle "$py" "$TMP/p$i.prof" "$v profile"
done
P=$TMP/c1.prof

# Sniffed; the columns; the reconstructed note; recursion drawn.
$PR info -q "$P" > "$TMP/info"
grep -q '^Format: pstats' "$TMP/info" && grep -q '^Value columns: time (seconds, default), calls (count)' "$TMP/info" &&
  ok "sniffed as pstats, columns time (default) and calls" || not_ok "sniffed as pstats, columns time (default) and calls" "$(cat "$TMP/info")"
$PR collapse -q "$P" | grep -q '^<built-in method builtins.exec>;<module> (testdata/pstats/app.py:1);main (testdata/pstats/app.py:35);fib (testdata/pstats/app.py:23) ' &&
  ok "fib is drawn below main, below exec" || not_ok "fib is drawn below main, below exec" "$($PR collapse -q "$P" | head -5)"
$PR collapse -q "$P" | grep -q 'even (testdata/pstats/app.py:27);odd (testdata/pstats/app.py:31) ' &&
  ok "mutual recursion: odd below even, once" || not_ok "mutual recursion: odd below even, once"
$PR collapse -q "$P" | grep -q 'odd (testdata/pstats/app.py:31);even' &&
  not_ok "the cycle is not entered again" || ok "the cycle is not entered again"
$PR -q -o "$TMP/a.svg" "$P" && $PR -q -o "$TMP/b.svg" "$P" && cmp -s "$TMP/a.svg" "$TMP/b.svg" &&
  ok "the same input draws the same bytes" || not_ok "the same input draws the same bytes"
grep -q 'id="subtitle".*reconstructed from a call graph' "$TMP/a.svg" &&
  ok "the SVG subtitle says the stacks are reconstructed" || not_ok "the SVG subtitle says the stacks are reconstructed"
$PR report -q -o "$TMP/r.html" "$P" && grep -q 'reconstructed from a call graph' "$TMP/r.html" &&
  ok "the report says the stacks are reconstructed" || not_ok "the report says the stacks are reconstructed"
$PR report -q -o "$TMP/r2.html" "$P" && cmp -s "$TMP/r.html" "$TMP/r2.html" &&
  ok "the same input gives the same report" || not_ok "the same input gives the same report"
check "diff of two runs" $PR diff -q "$P" "$TMP/p1.prof"
# Against itself (times vary between runs: which rows lead varies too).
$PR diff -q "$P" "$P" > "$TMP/diff" 2>&1
grep -q '^Verdict: ok' "$TMP/diff" && grep -q 'fib (testdata/pstats/app.py:23)$' "$TMP/diff" &&
  ok "a run against itself: no change, the functions named" ||
  not_ok "a run against itself: no change, the functions named" "$(head "$TMP/diff")"
gzip -c "$P" > "$TMP/c.prof.gz"
$PR collapse -q "$TMP/c.prof.gz" > "$TMP/gz" && $PR collapse -q "$P" > "$TMP/plain" &&
  same_file "gzipped pstats reads as the file" "$TMP/plain" "$TMP/gz"

# Bad input: exit 65, one line with the byte offset.
bad() { # DESCRIPTION WANT-IN-MESSAGE FILE
  exit_is "$1: exit 65" 65 $PR collapse --input-format pstats "$3"
  if [ "$(wc -l < "$TMP/exit.err")" -eq 1 ] && grep -q "$2" "$TMP/exit.err"; then ok "$1: one line naming the byte"
  else not_ok "$1: one line naming the byte" "want: $2" "$(cat "$TMP/exit.err")"; fi
}
size=$(wc -c < "$P")
head -c $((size / 2)) "$P" > "$TMP/half.prof"
bad "a truncated file" "half.prof: byte $((size / 2)): the input ends inside" "$TMP/half.prof"
printf '\373)\003XYZ' > "$TMP/type.prof"
bad "an unknown type byte" "type.prof: byte 3: marshal type byte 0x58 ('X')" "$TMP/type.prof"
printf '[\000\000\000\000' > "$TMP/list.prof"
bad "a list at the top" "list.prof: byte 0: marshal type byte 0x5b" "$TMP/list.prof"
printf '{r\005\000\000\000' > "$TMP/ref.prof"
bad "a back-reference to nothing" "ref.prof: byte 1: back-reference 5" "$TMP/ref.prof"
printf '{)\003z\001ai\001\000\000\000z\001fi\001\000\000\0000' > "$TMP/value.prof"
bad "a value that is not a stats tuple" "value.prof: byte 14: expected a function's" "$TMP/value.prof"
printf '{0' > "$TMP/empty.prof"
bad "an empty dict" "empty.prof: byte 0: no functions" "$TMP/empty.prof"
printf '{)\003z\001ai\001\000\000\000z\001f)\005i\001\000\000\000i\001\000\000\000g\000\000\000\000\000\000\360\077g\000\000\000\000\000\000\360\077{00x' > "$TMP/tail.prof"
bad "bytes after the dict" "tail.prof: byte 47: 1 bytes after" "$TMP/tail.prof"
awk 'BEGIN { for (i = 0; i < 100; i++) printf ")\001" }' > "$TMP/deep.prof"
bad "deep nesting" "deep.prof: byte 66: objects nested more than 32 deep" "$TMP/deep.prof"
printf '{(\377\377\377\377' > "$TMP/huge.prof"
bad "a tuple longer than the file" "huge.prof: byte 6: the input ends inside a tuple" "$TMP/huge.prof"
# The smallest valid file: one function, 1 s, called once, no callers.
printf '{)\003z\001ai\001\000\000\000z\001f)\005i\001\000\000\000i\001\000\000\000g\000\000\000\000\000\000\360\077g\000\000\000\000\000\000\360\077{00' > "$TMP/one.prof"
$PR collapse -q "$TMP/one.prof" > "$TMP/got" 2>&1
printf 'f (a:1) 1\n' > "$TMP/want"
same_file "a hand-written one-function file" "$TMP/want" "$TMP/got"

done_testing
