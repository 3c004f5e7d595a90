#!/bin/sh
# Oracle tests of the Firefox Profiler reader (testdata/firefox/, see
# THIRD_PARTY.md).
# - The Firefox Profiler's own upgrade snapshots (profile-upgrading.test.ts.snap)
#   hold gecko-1/-2 and processed-1/-2/-3 upgraded to the newest Gecko (36) and
#   processed (70) formats. Converted back to JSON (awk below), each must read
#   exactly like the old file it came from: same stacks, times and names.
# - speedscope's import of three DevTools recordings (firefox.test.ts.snap):
#   every frame's selfWeight and totalWeight equal our flat and cum.
. tests/lib.sh

D=testdata/firefox

# Prints the jest snapshot entry whose name starts with `want` as JSON:
# drops the template-literal escapes, "Object {" / "Array [" become { / [,
# trailing commas before } and ] go, undefined becomes null.
snap2json() {
  awk -v want="$1" '
function unescape(s,   out, i, c) {
  out = ""
  for (i = 1; i <= length(s); i++) {
    c = substr(s, i, 1)
    if (c == "\\" && i < length(s)) { i++; c = substr(s, i, 1) }
    out = out c
  }
  return out
}
index($0, "exports[`" want) == 1 { on = 1; next }
on && /^`;$/ { if (have) print prev; exit }
on {
  line = unescape($0)
  sub(/^ */, "", line)
  if (line ~ /^[\]}]/ && have) sub(/,$/, "", prev)
  if (line !~ /"$/ && line !~ /",$/) {
    if (match(line, /^[A-Z][A-Za-z0-9]* [[{]/))
      line = substr(line, RLENGTH)
    else if (match(line, /: [A-Z][A-Za-z0-9]* [[{]/))
      line = substr(line, 1, RSTART + 1) substr(line, RSTART + RLENGTH - 1)
    if (line ~ /(^|: )undefined,?$/) sub(/undefined/, "null", line)
  }
  if (have) print prev
  prev = line; have = 1
}' "$2"
}

# 1. The Firefox Profiler's upgrade snapshots.
for name in gecko-1 gecko-2 processed-1 processed-2 processed-3; do
  case $name in gecko*) what="upgrading gecko profiles" ;; *) what="upgrading processed profiles" ;; esac
  snap2json "$what should upgrade $name.json all the way" $D/profile-upgrading.test.ts.snap > "$TMP/$name.json"
  for opt in "" "--weight samples" "--granularity lines" "--no-thread-root"; do
    $PR collapse $opt "$TMP/$name.json" > "$TMP/want" 2>&1
    $PR collapse $opt $D/firefox-profiler__$name.json > "$TMP/got" 2>&1
    if [ -s "$TMP/want" ]; then
      same_file "$name.json ${opt:+($opt) }reads like the Firefox Profiler's upgrade of it" "$TMP/want" "$TMP/got"
    else
      not_ok "the upgrade snapshot of $name.json reads" "$(cat "$TMP/want")"
    fi
  done
done

# 2. speedscope's import: frame name, selfWeight, totalWeight against our
#    flat and cum per function (the recordings' JS function names are unique).
snapframes() {
  awk -v want="$1" '
index($0, "exports[`" want "`]") == 1 { on = 1; next }
on && /^`;$/ { exit }
on && /"name": / { n = $0; sub(/^ *"name": "/, "", n); sub(/",$/, "", n) }
on && /"selfWeight": / { s = $2; sub(/,$/, "", s) }
on && /"totalWeight": / { t = $2; sub(/,$/, "", t); print n "\t" s "\t" t }' "$2"
}
for pair in "importFromFirefox 1:59__simple-firefox" \
            "importFromFirefox recursion 1:61__recursion" \
            "importFromFirefox ignore self-hosted 1:63__simple-firefox"; do
  want=${pair%%:*}
  f=$D/speedscope__Firefox__${pair#*:}.json
  snapframes "$want" $D/firefox.test.ts.snap > "$TMP/frames"
  $PR top --format tsv --nodefraction 0 "$f" > "$TMP/top"
  bad=$(awk -F'\t' 'NR == FNR { flat[$3] = $1; cum[$3] = $2; seen[$3] = 1; next }
    { rows++
      if (!seen[$1]) { print $1 " missing"; next }
      d = flat[$1] - $2; e = cum[$1] - $3
      if (d < 0) d = -d
      if (e < 0) e = -e
      if (d > 1e-9 * (1 + $2) || e > 1e-9 * (1 + $3))
        print $1 ": want self " $2 " total " $3 ", got flat " flat[$1] " cum " cum[$1] }
    END { if (rows < 4) print "only " rows " frames in the snapshot" }' "$TMP/top" "$TMP/frames")
  if [ -z "$bad" ]; then ok "$(basename "$f"): self and total weights equal speedscope's ($want)"
  else not_ok "$(basename "$f"): self and total weights equal speedscope's ($want)" "$bad"; fi
done

# 3. Every corpus Firefox file (all are in testdata/firefox, the Cleopatra
#    one gzipped) loads; the Cleopatra format of 2012-2016 is refused,
#    saying so.
n_files=0
for f in $D/*.json $D/*.json.gz; do
  n_files=$((n_files + 1))
  case $f in
  *cleopatra*)
    exit_is "$(basename "$f") is refused with exit 65" 65 $PR collapse "$f"
    grep -q "Cleopatra format" "$TMP/exit.err" && ok "... saying that it is the Cleopatra format" ||
      not_ok "... saying that it is the Cleopatra format" "$(cat "$TMP/exit.err")" ;;
  *) check "loads $(basename "$f")" sh -c "$PR collapse '$f' | grep -q ." ;;
  esac
done
[ "$n_files" -eq 16 ] && ok "all 16 corpus Firefox files were checked" || not_ok "all 16 corpus Firefox files were checked" "found $n_files"
printf '{"format":"profileJSONWithSymbolicationTable,1","meta":{"version":2},"profileJSON":[]}' > "$TMP/cleo.json"
exit_is "a Cleopatra profile is refused with exit 65" 65 $PR "$TMP/cleo.json"
grep -q "at .format: 'profileJSONWithSymbolicationTable,1' is the Cleopatra format" "$TMP/exit.err" &&
  ok "... naming the format" || not_ok "... naming the format" "$(cat "$TMP/exit.err")"

# Detection: the same profile sniffed and forced; a DevTools recording whose
# profile starts after the first 64 KiB is found by its markers.
$PR collapse --input-format firefox $D/firefox-profiler__processed-3.json > "$TMP/forced"
$PR collapse $D/firefox-profiler__processed-3.json > "$TMP/sniffed"
same_file "--input-format firefox reads like sniffing" "$TMP/forced" "$TMP/sniffed"
check "a 2.3 MB DevTools recording is detected" sh -c "$PR top $D/speedscope__Firefox__59__firefox.json | grep -q 'Type: cpu'"

# 4. Threads: all are merged under their names; --thread keeps one (by
#    name or tid) without the root frame; an unknown one lists them.
G=$D/firefox-profiler__gecko-2.json
$PR collapse $G > "$TMP/all"
grep '^Compositor;' "$TMP/all" | sed 's/^Compositor;//' > "$TMP/comp.want"
$PR collapse --thread Compositor $G > "$TMP/comp"
same_file "--thread Compositor keeps that thread's stacks, without its root frame" "$TMP/comp.want" "$TMP/comp"
T=$D/firefox-profiler__sourcemap__two.json
$PR collapse --weight samples --thread 1 $T | awk '{s+=$NF} END {print s}' > "$TMP/tid1"
if command -v jq >/dev/null 2>&1; then
  jq '[.threads[] | select(.tid == 1) | .samples.stack[] | select(. != null)] | length' $T > "$TMP/tid1.want"
  same_file "--thread 1 picks the thread with tid 1" "$TMP/tid1.want" "$TMP/tid1"
else
  ok "# SKIP jq is not installed"
fi
exit_is "--thread naming no thread: usage error" 2 $PR collapse --thread nosuch $G
grep -q "no such thread; the input has: .*Compositor" "$TMP/exit.err" && ok "... listing the threads" ||
  not_ok "... listing the threads" "$(cat "$TMP/exit.err")"
# A sub-process's GeckoMain (gecko-2: processes[0]) is read too: as many
# samples as the upgraded profile has in GeckoMain threads, in all processes.
$PR collapse --weight samples --thread GeckoMain $G | awk '{s+=$NF} END {print s}' > "$TMP/gm"
if command -v jq >/dev/null 2>&1; then
  jq '[(.threads[], .processes[].threads[]) | select(.name == "GeckoMain") | .samples.data[] | select(.[0] != null)] | length' \
    "$TMP/gecko-2.json" > "$TMP/gm.want"
  same_file "the GeckoMain threads of both processes are read" "$TMP/gm.want" "$TMP/gm"
else
  ok "# SKIP jq is not installed"
fi

# 5. --weight samples counts samples: per stack, the number of samples the
#    snapshot lists for it equals what the time weights give at interval 1.
$PR collapse --weight samples $D/speedscope__Firefox__63__simple-firefox.json > "$TMP/counts"
check "--weight samples gives whole counts" sh -c "awk '\$NF != int(\$NF) {exit 1}' '$TMP/counts'"
if command -v jq >/dev/null 2>&1; then
  jq '[.profile.threads[].samples.data[] | select(.[0] != null)] | length' \
    $D/speedscope__Firefox__63__simple-firefox.json > "$TMP/nsamples"
  awk '{s+=$NF} END {print s}' "$TMP/counts" > "$TMP/ncounted"
  same_file "--weight samples counts every sample with a stack once (jq counts them)" "$TMP/nsamples" "$TMP/ncounted"
else
  ok "# SKIP jq is not installed"
fi

# Deep stacks are walked without recursion: a chain of 200000 stacks.
awk 'BEGIN {
  n = 200000
  printf "{\"meta\":{\"interval\":1,\"version\":20},\"threads\":[{\"name\":\"deep\",\"processType\":\"default\","
  printf "\"samples\":{\"schema\":{\"stack\":0,\"time\":1},\"data\":[[%d,0]]},", n - 1
  printf "\"stackTable\":{\"schema\":{\"prefix\":0,\"frame\":1},\"data\":[[null,0]"
  for (i = 1; i < n; i++) printf ",[%d,%d]", i - 1, i % 2
  printf "]},\"frameTable\":{\"schema\":{\"location\":0},\"data\":[[0],[1]]},\"stringTable\":[\"a\",\"b\"]}]}"
}' > "$TMP/deep.json"
check "a stack 200000 frames deep" sh -c "$PR collapse '$TMP/deep.json' | awk -F';' '{exit !(NF == 200001)}'"

# 6. Bad input: exit 65 with the JSON path.
P=$D/firefox-profiler__processed-1.json
bad() { # DESCRIPTION FILE EXPECTED-MESSAGE
  exit_is "$1: exit 65" 65 $PR collapse "$2"
  grep -qF "$3" "$TMP/exit.err" && ok "$1: the error says where" ||
    not_ok "$1: the error says where" "want: $3" "got: $(cat "$TMP/exit.err")"
}
sed '0,/"prefix": \[null, 0, 1, 1, 1\]/s//"prefix": [2, 0, 1, 1, 1]/' $P > "$TMP/cycle.json"
bad "a prefix cycle (processed)" "$TMP/cycle.json" "at .threads[0].stackTable: the prefix links of stack 1 form a cycle"
sed 's/\[\[null, 0\], \[0, 1\], \[1, 2\], \[1, 3\], \[1, 4\]\]/[[null, 0], [3, 1], [1, 2], [1, 3], [1, 4]]/' $G > "$TMP/cycle2.json"
bad "a prefix cycle (Gecko)" "$TMP/cycle2.json" "at .threads[0].stackTable: the prefix links of stack 1 form a cycle"
sed 's/\[\[null, 0\], \[0, 1\], \[1, 2\], \[1, 3\], \[1, 4\]\]/[[0, 0], [0, 1], [1, 2], [1, 3], [1, 4]]/' $G > "$TMP/self.json"
bad "a stack that is its own prefix" "$TMP/self.json" "the prefix links of stack 0 form a cycle"
sed 's/\[\[null, 0\], \[0, 1\], \[1, 2\], \[1, 3\], \[1, 4\]\]/[[null, 0], [0, 1], [1, 2], [1, 3], [1, 40]]/' $G > "$TMP/frame.json"
bad "a frame index out of range" "$TMP/frame.json" "at .threads[0].stackTable.data[4][1] (frame): index 40 is out of range"
sed '0,/"stack": \[1, 2, 2, 3, 0, 1, 4\]/s//"stack": [1, 2, 2, 3, 0, 1, 99]/' $P > "$TMP/stack.json"
bad "a sample's stack out of range" "$TMP/stack.json" "at .threads[0].samples.stack[6]: index 99 is out of range"
sed '0,/"time": \[0, 1, 2, 3, 4, 5, 6\]/s//"time": [0, 1, "2", 3, 4, 5, 6]/' $P > "$TMP/time.json"
bad "a time that is a string" "$TMP/time.json" "at .threads[0].samples.time[2]: expected a finite number, found a string"
sed '0,/"name": \[0, 1, 2, 3, 7\]/s//"name": [0, 1, 2, 3, 70]/' $P > "$TMP/str.json"
bad "a string index out of range" "$TMP/str.json" "at .threads[0].funcTable.name[4]: index 70 is out of range: expected an index into the string table"
printf '{"meta":{"interval":1},"threads":{}}' > "$TMP/threads.json"
bad "threads that are not an array" "$TMP/threads.json" "at .threads: expected an array of threads, found an object"
printf '{"meta":{"interval":1,"version":20},"threads":[{"name":"x","samples":{"schema":{"stack":0,"time":1},"data":[[0,1]]},"stackTable":{"schema":{"prefix":0,"frame":1},"data":[[null,0]]},"stringTable":["a"]}]}' > "$TMP/noframes.json"
bad "a missing frame table" "$TMP/noframes.json" "at .threads[0].frameTable: expected an object (a table), but it is missing"
head -c 5000 $G > "$TMP/trunc.json"
bad "a truncated file" "$TMP/trunc.json" "trunc.json:184: at byte 4999: invalid JSON"
printf '{"meta":{"interval":1,"version":20},"threads":[{"name":"x","samples":{"schema":{"stack":0,"time":1},"data":[[0,1]]},"stackTable":{"schema":{"prefix":0,"frame":1},"data":[[null,0]]},"frameTable":{"schema":{"location":0},"data":[[0]]},"stringTable":["a\377"]}]}' > "$TMP/utf8.json"
bad "invalid UTF-8" "$TMP/utf8.json" "invalid UTF-8 (byte 0xff)"
printf '{"meta":{"interval":-1},"threads":[]}' > "$TMP/interval.json"
bad "a negative interval" "$TMP/interval.json" "at .meta.interval: expected a positive sampling interval"
done_testing
