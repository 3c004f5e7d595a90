#!/bin/sh
# speedscope JSON in and out. The oracle is speedscope's own jest snapshot
# of importing its sample files (testdata/speedscope/file-format.test.ts.snap):
# every frame's self and total weight must equal `top --format tsv`'s flat
# and cum, the snapshot's stacks (in time order, equal neighbours merged)
# must equal the stacks prof-render reads and writes back, and the two
# files speedscope refuses must be refused. Then round trips, hostile
# names, units and bad input.
. tests/lib.sh

D=testdata/speedscope
SNAP=$D/file-format.test.ts.snap
P=speedscope__speedscope__
if command -v python3 >/dev/null 2>&1; then PY=1; else PY=0; fi
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

# The snapshot entry KEY: "name self total" per frame, or its stacks.
snap_frames() {
  awk -v key="exports[\`$1\`] = \`" '
    index($0, key) == 1 { on = 1; next }
    on && /^`;/ { exit }
    on && /"name":/ { s = $0; sub(/.*"name": "/, "", s); sub(/",$/, "", s); name = s }
    on && /"selfWeight":/ { self = $2 + 0 }
    on && /"totalWeight":/ { printf "%s %g %g\n", name, self, $2 + 0 }' "$SNAP" | LC_ALL=C sort
}
# Stacks in order; values such as "2.00s" are read in seconds.
snap_stacks() {
  awk -v key="exports[\`$1\`] = \`" '
    index($0, key) == 1 { on = 1; next }
    on && /^`;/ { exit }
    on && /"stacks": \[/ { st = 1; next }
    on && st && /^  \]/ { st = 0 }
    on && st {
      s = $0; sub(/^ *"/, "", s); sub(/",$/, "", s)
      v = s; sub(/.* /, "", v); sub(/ [^ ]*$/, "", s)
      f = 1
      if (v ~ /ms$/) f = 1e-3; else if (v ~ /(µs|us)$/) f = 1e-6; else if (v ~ /ns$/) f = 1e-9
      sub(/[a-zµ]+$/, "", v)
      printf "%s %g\n", s, v * f
    }' "$SNAP"
}
snap_value() { # the value of a one-line snapshot entry
  awk -v key="exports[\`$1\`] = \`" 'index($0, key) == 1 { s = substr($0, length(key) + 1); sub(/`;$/, "", s); print s }' "$SNAP"
}
top_frames() { # FILE ARGS...: "function flat cum" sorted
  f=$1; shift
  $PR top --format tsv --nodefraction 0 "$@" "$f" | awk -F'\t' 'NR > 1 { printf "%s %g %g\n", $3, $1, $2 }' | LC_ALL=C sort
}
# Stacks of a written speedscope file in time order, neighbours merged
# (independent of prof-render: python reads the JSON).
json_stacks() { # FILE PROFILE-INDEX
  python3 - "$1" "$2" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
frames = [f["name"] for f in d["shared"]["frames"]]
p = d["profiles"][int(sys.argv[2])]
out = []
for s, w in zip(p["samples"], p["weights"]):
    key = ";".join(frames[i] for i in s)
    if out and out[-1][0] == key:
        out[-1][1] += w
    else:
        out.append([key, w])
for k, w in out:
    print("%s %g" % (k, w))
EOF
}

# --- speedscope's snapshot ---
oracle() { # FILE SNAPSHOT-KEY PROFILE-INDEX [--thread NAME]
  b=$1; f=$D/$1; key=$2; idx=$3; shift 3
  snap_frames "$key" > "$TMP/want"
  top_frames "$f" "$@" > "$TMP/got"
  same_file "$b $*: self and total per frame equal speedscope's snapshot" "$TMP/want" "$TMP/got"
  snap_stacks "$key" | awk '{ v = $NF; sub(/ [^ ]*$/, ""); s[$0] += v } END { for (k in s) printf "%s %g\n", k, s[k] }' |
    LC_ALL=C sort > "$TMP/want"
  $PR collapse "$@" "$f" | awk '{ v = $NF; sub(/ [^ ]*$/, ""); printf "%s %g\n", $0, v }' > "$TMP/got"
  same_file "$b $*: stacks equal the snapshot's" "$TMP/want" "$TMP/got"
  if [ $PY = 1 ]; then
    $PR convert --to speedscope -o "$TMP/out.json" "$f"
    snap_stacks "$key" > "$TMP/want"
    json_stacks "$TMP/out.json" "$idx" > "$TMP/got"
    same_file "$b $*: written back, the stacks in time order equal the snapshot's" "$TMP/want" "$TMP/got"
  else
    skip "$b: stacks in time order" "python3 is not installed"
  fi
}
oracle ${P}0.0.1__simple.speedscope.json "importSpeedscopeProfiles 0.0.1 evented profile 1" 0
oracle ${P}0.0.1__simple-no-pretty-print.speedscope.json "importSpeedscopeProfiles 0.0.1 evented profile (no pretty print) 1" 0
oracle ${P}0.1.2__simple-sampled.speedscope.json "importSpeedscopeProfiles 0.1.2 sampled profile 1" 0
oracle ${P}0.6.0__two-sampled.speedscope.json "importSpeedscopeProfiles 0.6.0 multiple profiles 1" 0 --thread one
oracle ${P}0.6.0__two-sampled.speedscope.json "importSpeedscopeProfiles 0.6.0 multiple profiles 2" 1 --thread two

# Several profiles: each is a thread, named as the root frame of its stacks.
TWO=$D/${P}0.6.0__two-sampled.speedscope.json
{ snap_stacks "importSpeedscopeProfiles 0.6.0 multiple profiles 1" | sed 's/^/one;/'
  snap_stacks "importSpeedscopeProfiles 0.6.0 multiple profiles 2" | sed 's/^/two;/'; } |
  awk '{ v = $NF; sub(/ [^ ]*$/, ""); s[$0] += v } END { for (k in s) printf "%s %g\n", k, s[k] }' | LC_ALL=C sort > "$TMP/want"
$PR collapse $TWO > "$TMP/got"
same_file "two profiles: both, under their names as root frames" "$TMP/want" "$TMP/got"
$PR collapse --thread 1 $TWO > "$TMP/a"; $PR collapse --thread two $TWO > "$TMP/b"
same_file "--thread picks a profile by index or by name" "$TMP/a" "$TMP/b"
exit_is "--thread with a name no profile has: exit 2" 2 $PR collapse --thread three $TWO
grep -q "0 (one), 1 (two)" "$TMP/exit.err" && ok "the error lists the profiles" || not_ok "the error lists the profiles" "$(cat "$TMP/exit.err")"
$PR convert -o "$TMP/two.json" $TWO
want=$(snap_value "importSpeedscopeProfiles 0.6.0 multiple profiles: profileGroup.name 1")
grep -q "\"name\":$want" "$TMP/two.json" && ok "the file's name ($want) is kept" || not_ok "the file's name ($want) is kept" "$(head -5 "$TMP/two.json")"

# Time order drawn: the snapshot's a;b;c, a;b;d, a;b;c gives two c boxes.
flamechart_c() { # FILE SNAPSHOT-KEY
  want=$(snap_stacks "$2" | grep -c ';c ')
  got=$($PR --flamechart --no-javascript $D/$1 | grep -c '<title>c ')
  [ "$want" = "$got" ] && ok "$1: --flamechart draws c $want times, as the snapshot's time order" ||
    not_ok "$1: --flamechart draws c $want times" "got $got"
}
flamechart_c ${P}0.0.1__simple.speedscope.json "importSpeedscopeProfiles 0.0.1 evented profile 1"
flamechart_c ${P}0.1.2__simple-sampled.speedscope.json "importSpeedscopeProfiles 0.1.2 sampled profile 1"

# --weight samples counts the samples of a sampled profile (python counts
# them in the file).
S=$D/${P}0.1.2__simple-sampled.speedscope.json
if [ $PY = 1 ]; then
  python3 - "$S" <<'EOF' | LC_ALL=C sort > "$TMP/want"
import json, sys, collections
d = json.load(open(sys.argv[1]))
names = [f["name"] for f in d["shared"]["frames"]]
c = collections.Counter(";".join(names[i] for i in s) for s in d["profiles"][0]["samples"])
for k, v in c.items():
    print(k, v)
EOF
  $PR collapse --weight samples $S > "$TMP/got"
  same_file "--weight samples counts samples" "$TMP/want" "$TMP/got"
else
  skip "--weight samples counts samples" "python3 is not installed"
fi
$PR top $S | grep -q '^Type: cpu' && ok "seconds give a cpu column" || not_ok "seconds give a cpu column"
$PR top $S | grep -q '^Duration: 14s,' && ok "the duration is endValue - startValue" || not_ok "the duration is endValue - startValue" "$($PR top $S)"
check "renders a speedscope file to well-formed SVG" sh -c "$PR $TWO > '$TMP/two.svg' && xmllint --noout '$TMP/two.svg'"
$PR top --weight samples $S | grep -q '^Type: samples' && ok "--weight samples gives a samples column" || not_ok "--weight samples gives a samples column"

# --- invalid files: refused as speedscope refuses them ---
exit_is "incomplete-trace.json: exit 65" 65 $PR collapse $D/${P}invalid__incomplete-trace.json
grep -q 'at \.profiles\[0\]\.events: .*non-empty stack: frame "A"' "$TMP/exit.err" &&
  ok "incomplete trace: the error names the path, the open frame and the non-empty stack" ||
  not_ok "incomplete trace: the error names the path and the open frame" "$(cat "$TMP/exit.err")"
exit_is "out-of-order-events.json: exit 65" 65 $PR collapse $D/${P}invalid__out-of-order-events.json
# speedscope's words (its snapshot), after the JSON path of the event.
want=$(snap_value "importSpeedscopeProfiles invalid due to out of order events 1" | sed 's/^"Tried/tried/; s/"$//')
grep -qF "at .profiles[0].events[6]: $want" "$TMP/exit.err" &&
  ok "out-of-order events: the error is speedscope's, with the path" ||
  not_ok "out-of-order events: the error is speedscope's, with the path" "want: $want" "$(cat "$TMP/exit.err")"

# --- sniffing ---
for f in $D/*.json; do
  $PR collapse -q --input-format speedscope "$f" > "$TMP/a" 2>&1
  $PR collapse -q "$f" > "$TMP/b" 2>&1
  same_file "$(basename "$f") is detected as speedscope" "$TMP/a" "$TMP/b"
done
wrong=""
for f in testdata/folded/* testdata/pprof/*; do
  $PR collapse -q "$f" > "$TMP/a" 2>/dev/null || continue
  case $f in testdata/folded/*) fmt=folded ;; *) fmt=pprof ;; esac
  $PR collapse -q --input-format $fmt "$f" > "$TMP/b" 2>/dev/null
  cmp -s "$TMP/a" "$TMP/b" || wrong="$wrong $f"
done
[ -z "$wrong" ] && ok "no folded or pprof file is taken for speedscope" || not_ok "no folded or pprof file is taken for speedscope" "$wrong"

# --- round trips ---
for f in $D/${P}0*.json; do
  b=$(basename "$f")
  $PR convert -o "$TMP/rt.json" "$f"
  $PR collapse "$f" > "$TMP/a"; $PR collapse "$TMP/rt.json" > "$TMP/b"
  same_file "$b -> speedscope -> model: the same stacks and weights" "$TMP/a" "$TMP/b"
  $PR top "$f" > "$TMP/a"; $PR top "$TMP/rt.json" > "$TMP/b"
  same_file "$b -> speedscope -> model: the same top (unit kept)" "$TMP/a" "$TMP/b"
  $PR convert -o "$TMP/rt2.json" "$TMP/rt.json"
  same_file "$b: writing it again gives the same bytes" "$TMP/rt.json" "$TMP/rt2.json"
done
V=testdata/FlameGraph/results/perf-vertx-stacks-01-collapsed-all.txt
$PR convert -o "$TMP/v.speedscope.json" $V
$PR convert --to folded -o "$TMP/v.folded" "$TMP/v.speedscope.json"
same_file "folded -> speedscope -> folded is identical (kernel/JIT suffixes kept)" $V "$TMP/v.folded"
$PR convert --to speedscope -o "$TMP/v2" $V
same_file "--to speedscope writes the same as an -o ending in .json" "$TMP/v.speedscope.json" "$TMP/v2"
PP=testdata/pprof/parca__query__fib.pb.gz
$PR convert -o "$TMP/fib.json" $PP
$PR top --granularity lines --format tsv --nodefraction 0 $PP > "$TMP/a"
$PR top --granularity lines --format tsv --nodefraction 0 "$TMP/fib.json" > "$TMP/b"
same_file "pprof -> speedscope keeps file and line (top by line equal)" "$TMP/a" "$TMP/b"
grep -q '"file":"/usr/local/go/src/math/big/arith_amd64.s","line":' "$TMP/fib.json" &&
  ok "frames carry file and line" || not_ok "frames carry file and line"
$PR collapse $PP > "$TMP/a"; $PR collapse "$TMP/fib.json" > "$TMP/b"
same_file "pprof -> speedscope: the same stacks (inlined frames keep _[i])" "$TMP/a" "$TMP/b"

# --- hostile names: always valid JSON ---
if [ $PY = 1 ]; then valid() { python3 -m json.tool "$1" > /dev/null 2>&1; }
elif command -v jq >/dev/null 2>&1; then valid() { jq . "$1" > /dev/null 2>&1; }
else valid() { false; }; fi
printf '{"$schema":"https://www.speedscope.app/file-format-schema.json","shared":{"frames":[{"name":"q\\"uote"},{"name":"back\\\\slash"},{"name":"new\\nline\\r\\t"},{"name":"</script><!--"},{"name":"ctl\\u0001\\u001f\\u007f"},{"name":"sep\\u2028\\u2029"},{"name":"caf\\u00e9 \\ud83d\\ude00"}]},"profiles":[{"type":"sampled","name":"x\\"y","unit":"none","startValue":0,"endValue":2,"samples":[[0,1,2,3],[4,5,6]],"weights":[1,1]}]}' > "$TMP/h.json"
printf 'm\377ain;b\376ad\300\200;ok\t1 2\n' > "$TMP/h.folded"
if [ $PY = 1 ] || command -v jq >/dev/null 2>&1; then
  $PR convert -o "$TMP/h.out.json" "$TMP/h.json"
  valid "$TMP/h.out.json" && ok "hostile names (quotes, backslashes, newlines, </script>, controls) give valid JSON" ||
    not_ok "hostile names give valid JSON" "$(cat "$TMP/h.out.json")"
  $PR collapse "$TMP/h.json" > "$TMP/a"; $PR collapse "$TMP/h.out.json" > "$TMP/b"
  same_file "hostile names survive the round trip" "$TMP/a" "$TMP/b"
  $PR convert -o "$TMP/h2.json" "$TMP/h.folded"
  valid "$TMP/h2.json" && ok "bytes that are not UTF-8 give valid JSON" || not_ok "bytes that are not UTF-8 give valid JSON" "$(cat "$TMP/h2.json")"
  grep -q '</script>' "$TMP/h.out.json" && not_ok "</script> does not appear in the output" || ok "</script> does not appear in the output"
else
  skip "hostile names give valid JSON" "neither python3 nor jq is installed"
fi

# --- units ---
J='"$schema":"https://www.speedscope.app/file-format-schema.json","shared":{"frames":[{"name":"a"},{"name":"b"}]}'
printf '{%s,"profiles":[{"type":"sampled","name":"ms","unit":"milliseconds","startValue":0,"endValue":3,"samples":[[0],[0,1]],"weights":[1,2]},{"type":"evented","name":"us","unit":"microseconds","startValue":0,"endValue":10,"events":[{"type":"O","frame":0,"at":0},{"type":"O","frame":1,"at":5},{"type":"C","frame":1,"at":7},{"type":"C","frame":0,"at":10}]}]}' "$J" > "$TMP/mixed.json"
printf 'ms;a 1000\nms;a;b 2000\nus;a 8\nus;a;b 2\n' > "$TMP/want"
$PR collapse "$TMP/mixed.json" > "$TMP/got"
same_file "milliseconds and microseconds in one file: converted to the finer" "$TMP/want" "$TMP/got"
$PR convert -o "$TMP/mixed.out.json" "$TMP/mixed.json"
grep -q '"unit":"microseconds"' "$TMP/mixed.out.json" && ok "written back in microseconds" || not_ok "written back in microseconds"
sed 's/"microseconds"/"bytes"/' "$TMP/mixed.json" > "$TMP/mixbad.json"
exit_is "time and bytes in one file: exit 65" 65 $PR collapse "$TMP/mixbad.json"
grep -q 'at \.profiles\[1\]\.unit: .*found bytes' "$TMP/exit.err" && ok "the error names the unit's path" || not_ok "the error names the unit's path" "$(cat "$TMP/exit.err")"
$PR top --thread us "$TMP/mixbad.json" | grep -q '^Type: space' && ok "bytes give a space column" || not_ok "bytes give a space column"

# --- bad input: exit 65 and the JSON path ---
bad() { # DESCRIPTION PATTERN JSON
  printf '%s' "$3" > "$TMP/bad.json"
  $PR collapse --input-format speedscope "$TMP/bad.json" > /dev/null 2> "$TMP/bad.err"
  rc=$?
  if [ $rc -eq 65 ] && grep -qF -- "$2" "$TMP/bad.err"; then ok "$1: exit 65, $2"
  else not_ok "$1" "exit $rc, want 65 and: $2" "$(cat "$TMP/bad.err")"; fi
}
SP='"type":"sampled","name":"p","unit":"none","startValue":0,"endValue":1'
EV='"type":"evented","name":"p","unit":"none","startValue":0,"endValue":1'
bad "not an object" "at the top level: expected a speedscope file" '[1,2]'
bad "no shared frames" "at .shared: expected an object, but it is missing" '{"profiles":[]}'
bad "a frame name that is a number" "at .shared.frames[0].name: expected a string, found a number" '{"shared":{"frames":[{"name":1}]},"profiles":[]}'
bad "a fractional line" "at .shared.frames[0].line: expected a whole number" '{"shared":{"frames":[{"name":"a","line":1.5}]},"profiles":[]}'
bad "no profiles" "at .profiles: expected at least one profile" '{"shared":{"frames":[]},"profiles":[]}'
bad "an unknown profile type" 'at .profiles[0].type: expected "sampled" or "evented", found "x"' '{"shared":{"frames":[]},"profiles":[{"type":"x"}]}'
bad "an unknown unit" 'at .profiles[0].unit: expected none, nanoseconds' '{"shared":{"frames":[]},"profiles":[{"type":"sampled","unit":"hours"}]}'
bad "a frame index out of range" "at .profiles[0].samples[1][0]: expected a frame index below 2" "{$J,\"profiles\":[{$SP,\"samples\":[[0],[2]],\"weights\":[1,1]}]}"
bad "a negative frame index" "at .profiles[0].samples[0][0]: expected a frame index below 2" "{$J,\"profiles\":[{$SP,\"samples\":[[-1]],\"weights\":[1]}]}"
bad "a sample that is not an array" "at .profiles[0].samples[0]: expected an array of frame indexes, found a string" "{$J,\"profiles\":[{$SP,\"samples\":[\"a\"],\"weights\":[1]}]}"
bad "fewer weights than samples" "at .profiles[0].weights: expected one weight per sample (2), found 1" "{$J,\"profiles\":[{$SP,\"samples\":[[0],[1]],\"weights\":[1]}]}"
bad "a negative weight" "at .profiles[0].weights[0]: expected a weight of zero or more, found -1" "{$J,\"profiles\":[{$SP,\"samples\":[[0]],\"weights\":[-1]}]}"
bad "a weight that is a string" "at .profiles[0].weights[0]: expected a finite number, found a string" "{$J,\"profiles\":[{$SP,\"samples\":[[0]],\"weights\":[\"1\"]}]}"
bad "Infinity" "at .profiles[0].events[0].at: expected a finite number" "{$J,\"profiles\":[{$EV,\"events\":[{\"type\":\"O\",\"frame\":0,\"at\":1e999}]}]}"
bad "events out of time order" "at .profiles[0].events[1].at: expected events in time order, found 2 after 3" "{$J,\"profiles\":[{$EV,\"events\":[{\"type\":\"O\",\"frame\":0,\"at\":3},{\"type\":\"C\",\"frame\":0,\"at\":2}]}]}"
bad "closing with nothing open" 'at .profiles[0].events[0]: tried to leave frame "a" while no frame was open' "{$J,\"profiles\":[{$EV,\"events\":[{\"type\":\"C\",\"frame\":0,\"at\":3}]}]}"
bad "an unknown event type" 'at .profiles[0].events[0].type: expected "O" (open) or "C" (close), found "X"' "{$J,\"profiles\":[{$EV,\"events\":[{\"type\":\"X\",\"frame\":0,\"at\":3}]}]}"
bad "an event without a frame" "at .profiles[0].events[0].frame: expected a frame index (a whole number), but it is missing" "{$J,\"profiles\":[{$EV,\"events\":[{\"type\":\"O\",\"at\":3}]}]}"
bad "only empty stacks" "at .profiles: no samples" "{$J,\"profiles\":[{$SP,\"samples\":[[]],\"weights\":[1]}]}"
bad "truncated JSON" "invalid JSON" "{$J,\"profiles\":[{$SP,\"samples\":[[0]]"
printf '{"shared":{"frames":[{"name":"\377"}]},"profiles":[]}' > "$TMP/bad.json"
exit_is "invalid UTF-8: exit 65" 65 $PR collapse --input-format speedscope "$TMP/bad.json"
grep -q "bad.json:1: at byte 30: invalid UTF-8 (byte 0xff)" "$TMP/exit.err" && ok "invalid UTF-8: the error names the line and the byte" || not_ok "invalid UTF-8: the error names the line and the byte" "$(cat "$TMP/exit.err")"

# A negative value cannot be written: speedscope refuses negative weights.
exit_is "a delta profile with negative values: exit 65" 65 $PR convert -o "$TMP/delta.json" testdata/pprof/parca__query__alloc_space_delta.pb.gz
grep -q "speedscope weights must be finite and not negative" "$TMP/exit.err" && ok "the error says why" || not_ok "the error says why" "$(cat "$TMP/exit.err")"
test ! -e "$TMP/delta.json" && ok "no half-written file" || not_ok "no half-written file"
printf '{%s,"profiles":[{"type":"sampled","name":"p","unit":"none","startValue":0,"endValue":1,"samples":[[0]],"weights":[1]}]}' "$J" > "$TMP/one.json"
exit_is "writing to an unwritable path: exit 74" 74 $PR convert -o /nonexistent/dir/x.json "$TMP/one.json"
done_testing
