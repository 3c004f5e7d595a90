#!/bin/sh
# End-to-end tests of the prof-render command: every option, exit codes,
# error messages, atomic output.
. tests/lib.sh

printf 'main;a;b 3\nmain;a;c 2\nmain;d 5\n' > "$TMP/x.folded"
printf 'main;a;b 1\nother 4\n' > "$TMP/y.folded"

# --- basic use ---
$PR "$TMP/x.folded" > "$TMP/x.svg" 2>"$TMP/err"
check "renders a folded file to stdout" grep -q '<title>all (10 samples, 100%)</title>' "$TMP/x.svg"
check "output is well-formed XML" xmllint --noout "$TMP/x.svg"
check "no warnings on good input" test ! -s "$TMP/err"
$PR < "$TMP/x.folded" > "$TMP/stdin.svg"
same_file "stdin gives the same output as a file" "$TMP/x.svg" "$TMP/stdin.svg"
$PR render - < "$TMP/x.folded" > "$TMP/dash.svg"
same_file "'render -' reads stdin" "$TMP/x.svg" "$TMP/dash.svg"
$PR -o "$TMP/o.svg" "$TMP/x.folded"
same_file "-o writes the same bytes as stdout" "$TMP/x.svg" "$TMP/o.svg"
$PR "$TMP/x.folded" > "$TMP/again.svg"
same_file "byte-identical output on a second run" "$TMP/x.svg" "$TMP/again.svg"

# --- merging and collapse ---
$PR collapse "$TMP/x.folded" "$TMP/y.folded" > "$TMP/merged.folded"
printf 'main;a;b 4\nmain;a;c 2\nmain;d 5\nother 4\n' > "$TMP/merged.want"
same_file "collapse merges inputs into sorted canonical folded" "$TMP/merged.want" "$TMP/merged.folded"
$PR -o "$TMP/m.svg" "$TMP/x.folded" "$TMP/y.folded"
check "render merges inputs" grep -q '<title>all (15 samples, 100%)</title>' "$TMP/m.svg"
gzip -c "$TMP/x.folded" > "$TMP/x.folded.gz"
$PR collapse "$TMP/x.folded.gz" > "$TMP/gz.folded"
$PR collapse "$TMP/x.folded" > "$TMP/plain.folded"
same_file "gzip input is decoded" "$TMP/plain.folded" "$TMP/gz.folded"

# --- options ---
opt_has() { # DESCRIPTION PATTERN OPTIONS...
  d=$1; pat=$2; shift 2
  $PR "$@" "$TMP/x.folded" > "$TMP/opt.svg" 2>"$TMP/opt.err"
  if grep -q -- "$pat" "$TMP/opt.svg" && xmllint --noout "$TMP/opt.svg" 2>/dev/null; then ok "$d"
  else not_ok "$d" "pattern: $pat" "options: $*" "$(head -c 300 "$TMP/opt.err")"; fi
}
opt_has "--title" '<text id="title" x="600.00" y="24.00">My &lt;Title&gt;</text>' --title 'My <Title>'
opt_has "--subtitle" '<text id="subtitle" x="600.00" y="48.00">sub</text>' --subtitle sub
opt_has "--subtitle makes room (height 134 + 24)" 'height="158"' --subtitle sub
opt_has "--width" 'width="800" height="134"' --width 800
opt_has "--height (frame height)" 'height="19.0"' --height 20
opt_has "--fontsize" 'font-size:20px' --fontsize 20
opt_has "--fonttype" 'font-family:"monospace"' --fonttype monospace
opt_has "--fontwidth changes label fitting" '>main</text>' --fontwidth 0.3
opt_has "--minwidth in percent prunes frames under 25%" 'fg:w="5"' --minwidth 25%
$PR --minwidth 25% "$TMP/x.folded" | grep -q '<title>c ' && not_ok "--minwidth 25% drops c (20%)" || ok "--minwidth 25% drops c (20%)"
$PR --minwidth 300 "$TMP/x.folded" | grep -q '<title>c ' && not_ok "--minwidth 300 px drops c (236 px)" || ok "--minwidth 300 px drops c (236 px)"
opt_has "--countname" '(10 bytes, 100%)' --countname bytes
opt_has "--nametype" "var nametype = 'Frame:';" --nametype Frame:
opt_has "--colors mem (palette background)" 'stop-color="#e0e0ff"' --colors mem
opt_has "-c blue" 'fill="rgb(' -c blue
opt_has "--hash is accepted" '<title>all' --hash
opt_has "--inverted" '>Icicle Graph<' --inverted
opt_has "--reverse puts leaves at the root" '<title>b (3 samples, 30.00%)</title><rect x="10.00" y="69.0"' --reverse
opt_has "--flamechart" '>Flame Chart<' --flamechart
opt_has "--sort weight puts main;d (5) before main;a (5, alpha tie)" '<title>d (5 samples, 50.00%)</title><rect x="600.00"' --sort weight
opt_has "--notes" '<desc id="notes">n &amp; m</desc>' --notes 'n & m'
opt_has "--factor" '(25 samples, 100%)' --factor 2.5
opt_has "--total" 'width="590.00"' --total 20
opt_has "--no-javascript" '<svg version="1.1" width="1200" height="134" viewBox' --no-javascript
printf 'a;b 3 5\na;c 4 1\n' > "$TMP/diff.folded"
$PR "$TMP/diff.folded" > "$TMP/diff.svg"
check "differential input shows growth" grep -q '<title>b (5 samples, 83.33%; +33.33%)' "$TMP/diff.svg"
$PR --negate "$TMP/diff.folded" > "$TMP/neg.svg"
check "--negate swaps growth and shrinkage" grep -q '<title>c (1 samples, 16.67%; +50.00%)' "$TMP/neg.svg"
$PR --flamechart --sort weight "$TMP/x.folded" > /dev/null
ok "options combine"
check "--help lists options and examples" sh -c "$PR --help | grep -q -- '--minwidth' && $PR --help | grep -q Examples"
check "--version" sh -c "$PR --version | grep -q '^prof-render [0-9]'"

# --- exit codes and messages ---
exit_is "unknown option: exit 2" 2 $PR --bogus "$TMP/x.folded"
grep -q "unknown option '--bogus'" "$TMP/exit.err" && ok "unknown option is named" || not_ok "unknown option is named" "$(cat "$TMP/exit.err")"
exit_is "missing option value: exit 2" 2 $PR "$TMP/x.folded" --width
exit_is "bad number: exit 2" 2 $PR --width abc "$TMP/x.folded"
exit_is "bad palette: exit 2" 2 $PR --colors plaid "$TMP/x.folded"
exit_is "bad sort key: exit 2" 2 $PR --sort size "$TMP/x.folded"
exit_is "--reverse with --flamechart: exit 2" 2 $PR --reverse --flamechart "$TMP/x.folded"
exit_is "bad input format name: exit 2" 2 $PR --input-format nope "$TMP/x.folded"
exit_is "render -o x.folded: exit 2, no file" 2 $PR -o "$TMP/out.folded" "$TMP/x.folded"
check "... which says to use collapse" sh -c "grep -q \"use 'prof-render collapse -o\" '$TMP/exit.err' && [ ! -e '$TMP/out.folded' ]"
exit_is "missing input: exit 66" 66 $PR "$TMP/does-not-exist.folded"
grep -q "does-not-exist.folded: cannot open: No such file" "$TMP/exit.err" && ok "missing input is named" || not_ok "missing input is named" "$(cat "$TMP/exit.err")"
exit_is "directory as input: exit 66" 66 $PR "$TMP"
: > "$TMP/empty.folded"
exit_is "empty input: exit 65" 65 $PR "$TMP/empty.folded"
grep -q "empty.folded: byte 0: empty input" "$TMP/exit.err" && ok "empty input message names the file" || not_ok "empty input message names the file" "$(cat "$TMP/exit.err")"
printf 'garbage\nmore garbage\n' > "$TMP/garbage.folded"
exit_is "no valid line: exit 65" 65 $PR "$TMP/garbage.folded"
grep -q "garbage.folded:1: warning\|garbage.folded:1: skipping" "$TMP/exit.err" && ok "skipped lines are reported with file:line" || not_ok "skipped lines are reported with file:line" "$(cat "$TMP/exit.err")"
printf 'a 1\nbad line\nb 2\n' > "$TMP/warn.folded"
$PR "$TMP/warn.folded" > /dev/null 2>"$TMP/warn.err"
grep -q "warn.folded:2: skipping line" "$TMP/warn.err" && ok "a bad line warns and the rest renders" || not_ok "a bad line warns" "$(cat "$TMP/warn.err")"
$PR -q "$TMP/warn.folded" > /dev/null 2>"$TMP/quiet.err"
check "-q silences warnings" test ! -s "$TMP/quiet.err"
i=0; : > "$TMP/many.folded"; while [ $i -lt 30 ]; do echo "bad $i x" >> "$TMP/many.folded"; i=$((i+1)); done; echo "a 1" >> "$TMP/many.folded"
$PR "$TMP/many.folded" > /dev/null 2>"$TMP/many.err"
[ "$(grep -c 'skipping line' "$TMP/many.err")" -eq 10 ] && grep -q "20 more problems not shown" "$TMP/many.err" && ok "warnings are capped at 10 with a count" || not_ok "warnings capped" "$(tail -3 "$TMP/many.err")"
printf 'a;b 1 2\n' > "$TMP/two.folded"
exit_is "merging differential with plain input: exit 65" 65 $PR "$TMP/x.folded" "$TMP/two.folded"
printf 'not gzip at all' | gzip -c | head -c 20 > "$TMP/trunc.gz"
exit_is "truncated gzip: exit 65" 65 $PR "$TMP/trunc.gz"

# --- decompression bombs and oversized input ---
head -c 20000000 /dev/zero | gzip -9 > "$TMP/bomb.gz"
exit_is "a gzip bomb over --max-input-size: exit 65" 65 $PR --max-input-size 1M "$TMP/bomb.gz"
grep -q "decodes to more than 1048576 bytes" "$TMP/exit.err" && ok "the bomb's message names the limit" || not_ok "bomb message" "$(cat "$TMP/exit.err")"
exit_is "--max-input-size with a bad unit: exit 2" 2 $PR --max-input-size 1X "$TMP/bomb.gz"

# --- output safety ---
echo "keep me" > "$TMP/existing.svg"
exit_is "failure with -o: exit 65" 65 $PR -o "$TMP/existing.svg" "$TMP/empty.folded"
check "a failed run leaves the existing output untouched" grep -qx "keep me" "$TMP/existing.svg"
check "no temporary file is left behind" sh -c "! ls '$TMP' | grep -q 'existing.svg.tmp'"
exit_is "unwritable output directory: exit 74" 74 $PR -o "$TMP/no/such/dir/x.svg" "$TMP/x.folded"
if [ -w /dev/full ]; then
  exit_is "full disk on stdout: exit 74" 74 sh -c "$PR '$TMP/x.folded' > /dev/full"
  exit_is "full disk on collapse: exit 74" 74 sh -c "$PR collapse '$TMP/x.folded' > /dev/full"
fi

# --- a stack a million frames deep (no recursion proportional to depth) ---
awk 'BEGIN { for (i = 0; i < 1000000; i++) printf "%sf%d", (i ? ";" : ""), i % 7; print " 1" }' > "$TMP/deep.folded"
exit_is "a 1,000,000-frame stack exceeds the default --max-depth" 65 $PR collapse "$TMP/deep.folded"
$PR collapse --max-depth 1000000 "$TMP/deep.folded" > "$TMP/deep.out"
same_file "a 1,000,000-frame stack collapses back unchanged (--max-depth 1000000)" "$TMP/deep.folded" "$TMP/deep.out"
check "a 1,000,000-frame stack renders" sh -c "$PR --max-depth 1000000 --reverse '$TMP/deep.folded' | tail -c 200 | grep -q '</svg>'"
check "a 1,000,000-frame stack renders as a flame chart" sh -c "$PR --max-depth 1000000 --flamechart --inverted '$TMP/deep.folded' | tail -c 200 | grep -q '</svg>'"
rm -f "$TMP/deep.folded" "$TMP/deep.out"

(umask 027 && $PR -o "$TMP/mode.svg" "$TMP/x.folded")
[ "$(stat -c %a "$TMP/mode.svg")" = 640 ] && ok "-o gives the file the mode the umask allows" || not_ok "-o file mode" "$(stat -c %a "$TMP/mode.svg")"

# --- hostile names ---
printf '%s\n' 'main;</script><script>alert(1)</script> 3' 'main;]]><!-- &amp 2' "main;it's \"quoted\" 1" > "$TMP/evil.folded"
printf 'main;ctl\001\033[31m;bad\377utf8 1\n' >> "$TMP/evil.folded"
$PR --title '</text><script>alert(2)</script>' --notes ']]> -->' "$TMP/evil.folded" > "$TMP/evil.svg"
check "hostile names give well-formed XML" xmllint --noout "$TMP/evil.svg"
check "no script injection from names" sh -c "! grep -q '<script>alert' '$TMP/evil.svg'"
check "exactly two script elements" sh -c "[ \$(grep -c '<script' '$TMP/evil.svg') -eq 2 ]"

# --- info, and metadata under the title ---
printf '# release: 2.4.1\n# environment: <prod>\nmain;a 3\nmain;b 1\n' > "$TMP/meta.folded"
$PR info "$TMP/meta.folded" > "$TMP/info.out"
check "info names the format" grep -qx 'Format: folded' "$TMP/info.out"
check "info gives the total" grep -qx 'Total: 4' "$TMP/info.out"
check "info counts stacks and depth" grep -qx 'Stacks: 2 distinct, 3 call tree nodes, max depth 2' "$TMP/info.out"
check "info lists metadata" grep -qx '  release: 2.4.1' "$TMP/info.out"
$PR info testdata/pprof/parca__query__fib.pb.gz > "$TMP/info3.out"
check "info gives the recorded duration, as pprof -top does" grep -qx 'Duration: 30.16s' "$TMP/info3.out"
check "info of pprof input lists both value columns" grep -qx 'Value columns: samples (count), cpu (nanoseconds, default)' "$TMP/info3.out"
$PR "$TMP/meta.folded" > "$TMP/meta.svg"
check "release and environment under the title, escaped" grep -q '>release 2.4.1 · &lt;prod&gt;<' "$TMP/meta.svg"
$PR --subtitle mine "$TMP/meta.folded" > "$TMP/meta2.svg"
check "--subtitle wins over the metadata" sh -c "grep -q '>mine<' '$TMP/meta2.svg' && ! grep -q 'release 2.4.1' '$TMP/meta2.svg'"
exit_is "--thread on an input without threads: exit 2" 2 $PR --thread main "$TMP/meta.folded"
check "--thread error says the input has no threads" grep -q "no such thread; the input has no threads" "$TMP/exit.err"
exit_is "--weight takes time or samples" 2 $PR --weight bogus "$TMP/meta.folded"

# -o - is standard output, as an input of - is standard input.
pr_abs=$(cd "$(dirname "$PR")" && pwd)/$(basename "$PR")
mkdir -p "$TMP/dash"
(cd "$TMP/dash" && "$pr_abs" collapse -o - "$TMP/x.folded" > "$TMP/dash.out")
if sort "$TMP/x.folded" | cmp -s - "$TMP/dash.out" && [ ! -e "$TMP/dash/-" ]; then
  ok "-o - writes to standard output, not to a file named -"
else
  not_ok "-o - did not write to standard output" "$(ls -la "$TMP/dash"; cat "$TMP/dash.out")"
fi

# --timings: the phases and the peak memory at the end of reading and of
# the run (make bench prints them); the peak never goes down.
$PR --timings -o "$TMP/t.svg" "$TMP/x.folded" 2> "$TMP/timings"
if awk '$1 == "timing" && $2 == "read" && $4 == "s" { r = 1 }
        $1 == "timing" && $2 == "render" && $4 == "s" { d = 1 }
        $1 == "timing" && $2 == "peak-rss-read" && $4 == "kB" { a = $3 }
        $1 == "timing" && $2 == "peak-rss" && $4 == "kB" { b = $3 }
        END { exit !(r && d && a > 0 && b >= a) }' "$TMP/timings"; then
  ok "--timings prints read and render times and the peak memory after each"
else
  not_ok "--timings output is incomplete" "$(cat "$TMP/timings")"
fi

# Pruning never moves a drawn frame: frames too thin to draw are left out
# of the sort and only widen the gaps between their drawn siblings. Here
# 3,000 one-sample children of main (and of main;w*) interleave in name
# order with wide ones; every frame of the pruned graph must have the
# extent it has in the graph that draws everything.
awk 'BEGIN { for (i = 0; i < 3000; i++) {
    printf "main;t%04d 1\n", i
    if (i % 300 == 150) { printf "main;t%04dw;x 4000\n", i; printf "main;t%04dw 900\n", i
      printf "main;t%04dw;y%04d 1\n", i, i; printf "main;t%04dw;z 2000\n", i } } }' > "$TMP/thin.folded"
$PR -o "$TMP/thin_all.svg" --minwidth 0 "$TMP/thin.folded"
$PR -o "$TMP/thin.svg" "$TMP/thin.folded"
SF=$BUILD/tests/svgframes
$SF --paths "$TMP/thin_all.svg" > "$TMP/thin_all.paths"
$SF --paths "$TMP/thin.svg" > "$TMP/thin.paths"
if [ "$(wc -l < "$TMP/thin.paths")" -ge 30 ] &&
   [ "$(wc -l < "$TMP/thin_all.paths")" -gt 3000 ] &&
   awk -F '\t' 'NR == FNR { all[$0] = 1; next } !($0 in all) { bad++ } END { exit bad > 0 }' \
     "$TMP/thin_all.paths" "$TMP/thin.paths"; then
  ok "pruning thin frames leaves every drawn frame where it is"
else
  not_ok "a drawn frame moved when thin frames were pruned" \
    "$(wc -l "$TMP/thin.paths" "$TMP/thin_all.paths"; awk -F '\t' 'NR == FNR { all[$0] = 1; next } !($0 in all)' "$TMP/thin_all.paths" "$TMP/thin.paths" | head -5)"
fi

# A gzipped input that a reader takes whole (JSON, pprof) and that is
# longer than the first window is decoded again at once by libdeflate.
# Here a JSON profile with 300 kB of blanks after it, in two gzip members,
# after a UTF-8 byte order mark, must read as the plain file does.
J=testdata/speedscope/speedscope__speedscope__0.6.0__two-sampled.speedscope.json
half=$(( $(wc -c < "$J") / 2 ))
{ { printf '\357\273\277'; head -c "$half" "$J"; } | gzip -c
  { tail -c +"$((half + 1))" "$J"; head -c 300000 /dev/zero | tr '\0' ' '; } |
    gzip -c; } > "$TMP/two-members.json.gz"
$PR collapse "$J" > "$TMP/json_plain.folded"
$PR collapse "$TMP/two-members.json.gz" > "$TMP/json_gz.folded"
if [ -s "$TMP/json_plain.folded" ] && cmp -s "$TMP/json_plain.folded" "$TMP/json_gz.folded"; then
  ok "a JSON profile in two gzip members after a BOM reads as the plain file"
else
  not_ok "two gzip members with a BOM read differently" "$(diff "$TMP/json_plain.folded" "$TMP/json_gz.folded" | head -5)"
fi

done_testing
