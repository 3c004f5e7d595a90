#!/bin/sh
# Oracle tests of the Chrome readers (.cpuprofile and trace events): per
# function, the self and total weights that prof-render reads equal those
# of speedscope's jest snapshots (testdata/chrome/*.snap, converted by
# tests/chrome_snap.py, which shares no code with prof-render). Also:
# every Chrome file of the corpus loads or fails with a clear message,
# --weight samples, idle samples, positionTicks lines, thread selection,
# repaired truncated traces and bad input.
. tests/lib.sh
D=testdata/chrome

skip_all_without python3 "python3 is needed to read the snapshots"

# snap SNAPSHOT "EXPORT" INPUT [prof-render options...] [-- --strip-args]
snap() {
  s=$1 e=$2 f=$3
  shift 3
  strip=""
  if [ "$(eval echo \${$#})" = "--strip-args" ]; then strip=--strip-args; fi
  args=""
  for a in "$@"; do [ "$a" = "--strip-args" ] || args="$args '$a'"; done
  if ! eval "$PR collapse -q $args '$D/$f'" > "$TMP/s.folded" 2>"$TMP/s.err"; then
    not_ok "$e ($f) reads" "$(cat "$TMP/s.err")"
    return
  fi
  python3 tests/chrome_snap.py "$D/$s" "$e" "$TMP/s.folded" "$TMP/s.want" "$TMP/s.got" $strip
  same_file "$e: per-function weights equal speedscope's ($f $args)" "$TMP/s.want" "$TMP/s.got"
}

# ---- .cpuprofile ----
C=chrome.test.ts.snap
snap $C "importFromChromeCPUProfile 1" speedscope__Chrome__65__simple.cpuprofile
snap $C "importFromV8Profiler Node 10 1" speedscope__node__10.11.0__example.cpuprofile

# ---- trace CPU profiles (one thread: no root with --no-thread-root) ----
snap $C "importFromChromeTimeline Chrome 69 1" speedscope__Chrome__69__simple.json --no-thread-root
snap $C "importFromChromeTimeline Chrome 116 1" speedscope__Chrome__116__Trace-20230603T221323.json --no-thread-root
snap $C "importTraceEvents Chrome 141 profile with missing arg data 1" speedscope__Chrome__141__no-arg-data.json --no-thread-root
snap $C "importFromChromeTimeline Workers Chrome 66 1" speedscope__Chrome__66__worker.json --thread CrRendererMain
snap $C "importFromChromeTimeline Workers Chrome 66 2" speedscope__Chrome__66__worker.json "--thread=DedicatedWorker thread"
snap $C "importFromChromeTimeline Workers Chrome 66 2" speedscope__Chrome__66__worker.json --thread 31089

# ---- duration events and Hermes samples ----
T=trace-event.test.ts.snap
while IFS=: read -r export file; do
  snap $T "importTraceEvents $export 1" "speedscope__trace-event__$file.json" --no-thread-root --strip-args
done <<'EOF'
BEX interaction:bex-interaction
bad E events:too-many-end-events
different number of start and end calls to same function at same timestamp:simultaneous-anonymous-calls
end event with empty stack:end-event-with-empty-stack
end-non-top-of-stack:end-non-top-of-stack
event re-ordering:must-retain-original-order
event reordering name match:event-reordering-name-match
invalid x nesting:invalid-x-nesting
matching x:matching-x
mismatched args:mismatched-args
mismatched name:mismatched-name
not enough end events:not-enough-end-events
not out-of-order:out-of-order
not out-of-order unbalanced name:out-of-order-unbalanced-name
only begin events:only-begin-events
partial json import:simple-partial
partial json import trailing comma:simple-partial-trailing-comma
partial json import whitespace padding:simple-partial-whitespace
simple:simple
simple object:simple-object
unbalanced args:unbalanced-args
unbalanced name:unbalanced-name
x events matching end:x-events-matching-end
x events matching start:x-events-matching-start
zero duration events:zero-duration-events
simple hermes profile:simple-hermes
hermes profile with multiple frames:simple-hermes
simple profile with samples:simple-with-samples
EOF
# Several threads and processes: one snapshot per thread.
i=1
for id in 0 1 10000000 10000001 20000000 20000001 30000000 30000001; do
  snap $T "importTraceEvents multiprocess $i" speedscope__trace-event__multiprocess.json --thread $id --strip-args
  i=$((i + 1))
done
snap $T "importTraceEvents multi-thread profile with samples 1" speedscope__trace-event__multi-thread-with-samples.json --thread mqt_js --strip-args
snap $T "importTraceEvents multi-thread profile with samples 2" speedscope__trace-event__multi-thread-with-samples.json --thread 2 --strip-args

# ---- every Chrome file loads, or fails with one clear line ----
# testdata/chrome holds every corpus Chrome file (the larger ones gzipped).
n_files=0
for f in $D/*.json $D/*.gz $D/*.cpuprofile; do
  n_files=$((n_files + 1))
  $PR collapse -q "$f" > "$TMP/all.out" 2> "$TMP/all.err"
  rc=$?
  if [ $rc -eq 0 ]; then
    ok "loads $(basename "$f")"
  elif [ $rc -eq 65 ] && [ "$(wc -l < "$TMP/all.err")" -eq 1 ]; then
    ok "fails clearly on $(basename "$f"): $(cat "$TMP/all.err")"
  else
    not_ok "loads or fails clearly: $(basename "$f") (exit $rc)" "$(head -c 500 "$TMP/all.err")"
  fi
done
# The corpus has 43 trace and 4 .cpuprofile files; all are here.
[ "$n_files" -eq 47 ] && ok "all 47 corpus Chrome files were checked" || not_ok "all 47 corpus Chrome files were checked" "found $n_files"

# ---- formats are told apart by content ----
for f in speedscope__Chrome__65__simple.cpuprofile speedscope__Chrome__116__Trace-20230603T221323.json speedscope__trace-event__simple.json; do
  $PR convert --to folded -q "$D/$f" > /dev/null 2>&1 &&
    $PR top -q "$D/$f" > /dev/null 2>&1 && ok "sniffs $f" || not_ok "sniffs $f"
done
$PR info "$D/speedscope__Chrome__65__simple.cpuprofile" 2>/dev/null | grep -q cpuprofile ||
  $PR collapse --input-format cpuprofile "$D/speedscope__Chrome__65__simple.cpuprofile" > /dev/null
check "--input-format cpuprofile" $PR collapse --input-format cpuprofile "$D/speedscope__Chrome__65__simple.cpuprofile"
check "--input-format chrome-trace" $PR collapse --input-format chrome-trace "$D/speedscope__trace-event__simple.json"

# ---- --weight samples and idle, against counts taken from the file ----
P=$D/firefox-profiler__hello.cjs-20231120T211435.cpuprofile
python3 - "$P" > "$TMP/counts" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
name = {n["id"]: n["callFrame"]["functionName"] for n in p["nodes"]}
idle = sum(1 for s in p["samples"] if name[s] == "(idle)")
d = p["timeDeltas"]
# Every sample weighs the time to the next one (the last weighs 0).
print(len(p["samples"]) - idle, len(p["samples"]), int(sum(d[1:])))
EOF
read busy all span < "$TMP/counts"
sum() { awk '{s += $NF} END {printf "%.0f\n", s}'; }
got=$($PR collapse --weight samples "$P" | sum)
[ "$got" = "$busy" ] && ok "--weight samples counts the non-idle samples ($busy)" || not_ok "--weight samples: $got samples, expected $busy"
got=$($PR collapse --weight samples --include-idle "$P" | sum)
[ "$got" = "$all" ] && ok "--include-idle --weight samples counts every sample ($all)" || not_ok "--include-idle: $got samples, expected $all"
got=$($PR collapse --include-idle "$P" | sum)
[ "$got" = "$span" ] && ok "--include-idle: the weights add up to the profile's span ($span us)" || not_ok "--include-idle time: $got, expected $span"
$PR collapse --include-idle --weight samples "$P" | grep -q "^(idle) " && ok "an idle sample shows as (idle)" || not_ok "no (idle) frame"
$PR collapse "$P" | grep -q '(idle)' && not_ok "(idle) shown without --include-idle" || ok "(idle) dropped by default"
$PR top --format tsv "$P" | head -1 | grep -q . && ok "top reads a .cpuprofile" || not_ok "top reads a .cpuprofile"

# ---- positionTicks: per-line self equals the file's ticks ----
P=$D/firefox-profiler__hello.cjs-20231120T211435.cpuprofile
python3 - "$P" > "$TMP/ticks.want" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
want = {}
for n in p["nodes"]:
    cf = n["callFrame"]
    if cf["functionName"] in ("(idle)", "(root)", "(program)", "(garbage collector)"):
        continue
    for t in n.get("positionTicks", []):
        name = cf["functionName"] or "(anonymous)"
        key = "%s %s:%d" % (name, cf["url"], t["line"]) if cf["url"] else name
        want[key] = want.get(key, 0) + t["ticks"]
for k in sorted(want):
    print("%s\t%d" % (k, want[k]))
EOF
$PR collapse --weight samples --granularity lines "$P" |
  awk '{v = $NF; sub(/ [0-9.]+$/, ""); n = split($0, f, ";"); s[f[n]] += v} END {for (k in s) printf "%s\t%d\n", k, s[k]}' |
  LC_ALL=C sort > "$TMP/ticks.all"
LC_ALL=C sort "$TMP/ticks.want" > "$TMP/ticks.want.s"
cut -f1 "$TMP/ticks.want.s" | while IFS= read -r k; do grep -F -x -- "$(printf '%s\t' "$k")$(grep -F -- "$k	" "$TMP/ticks.all" | head -1 | cut -f2)" "$TMP/ticks.all" | head -1; done > "$TMP/ticks.got"
same_file "positionTicks: each line's self (--weight samples --granularity lines) equals its ticks" "$TMP/ticks.want.s" "$TMP/ticks.got"
a=$($PR collapse --weight samples "$P" | sum)
b=$($PR collapse --weight samples --granularity lines "$P" | sum)
[ "$a" = "$b" ] && ok "lines add up to the functions ($a samples)" || not_ok "lines $b != functions $a"
$PR collapse "$P" | grep -q 'patchProcessObject [0-9]' && ok "function granularity merges the lines back" || not_ok "patchProcessObject missing"
lines=$($PR collapse --granularity lines "$P" | grep -c 'patchProcessObject node:internal/bootstrap/pre_execution:[0-9]* [0-9]')
[ "$lines" -eq 3 ] && ok "line granularity shows patchProcessObject's 3 lines" || not_ok "patchProcessObject: $lines lines"

# ---- threads ----
W=$D/speedscope__Chrome__66__worker.json
$PR collapse "$W" | cut -d';' -f1 | sed 's/ [0-9.]*$//' | sort -u > "$TMP/roots"
printf 'CrRendererMain\nDedicatedWorker thread\n' > "$TMP/roots.want"
same_file "a trace's threads become root frames" "$TMP/roots.want" "$TMP/roots"
$PR collapse --thread CrRendererMain "$W" > "$TMP/main"
$PR collapse "$W" | grep '^CrRendererMain;' | sed 's/^CrRendererMain;//' > "$TMP/main.want"
same_file "--thread NAME keeps that thread, without its root" "$TMP/main.want" "$TMP/main"
$PR collapse --thread 30851 "$W" > "$TMP/main.id"
same_file "--thread ID picks the same thread" "$TMP/main" "$TMP/main.id"
exit_is "--thread with a thread the trace lacks: exit 2" 2 $PR collapse --thread nosuch "$W"
grep -q "30851 (CrRendererMain), 31089 (DedicatedWorker thread)" "$TMP/exit.err" && ok "the error lists the threads" || not_ok "the error lists the threads" "$(cat "$TMP/exit.err")"

# ---- truncated traces are repaired ----
S=$D/speedscope__trace-event__simple.json
$PR collapse "$S" > "$TMP/full"
for f in simple-partial simple-partial-trailing-comma simple-partial-whitespace; do
  $PR collapse "$D/speedscope__trace-event__$f.json" > "$TMP/part" 2> "$TMP/part.err"
  same_file "$f: read like the complete trace" "$TMP/full" "$TMP/part"
  grep -q "cut short" "$TMP/part.err" && ok "$f: a warning says so" || not_ok "$f: no warning"
done

# ---- bad input: exit 65, the message names the JSON path ----
bad() { # DESCRIPTION FORMAT JSON PATTERN
  printf '%s' "$3" > "$TMP/bad.json"
  exit_is "$1: exit 65" 65 $PR collapse --input-format "$2" "$TMP/bad.json"
  grep -q -- "$4" "$TMP/exit.err" && ok "$1: the message says where" || not_ok "$1: message" "$(cat "$TMP/exit.err")"
}
bad "string line number" cpuprofile \
  '{"nodes":[{"id":1,"callFrame":{"functionName":"a","lineNumber":"x"}}],"samples":[1],"timeDeltas":[1]}' \
  'at .nodes\[0\].callFrame.lineNumber: expected a whole number, found a string'
bad "node without callFrame" cpuprofile '{"nodes":[{"id":1}],"samples":[1],"timeDeltas":[1]}' \
  'at .nodes\[0\].callFrame: expected an object'
bad "cycle of parents" cpuprofile \
  '{"nodes":[{"id":1,"callFrame":{},"children":[2]},{"id":2,"callFrame":{},"children":[1]}],"samples":[1],"timeDeltas":[1]}' \
  'cycle of parent links'
bad "duplicate node id" cpuprofile '{"nodes":[{"id":1,"callFrame":{}},{"id":1,"callFrame":{}}],"samples":[1],"timeDeltas":[1]}' \
  'at .nodes\[1\].id: expected a unique node id'
bad "NaN-like time delta" cpuprofile '{"nodes":[{"id":1,"callFrame":{}}],"samples":[1],"timeDeltas":["x"]}' \
  'at .timeDeltas\[0\]: expected a time delta'
bad "missing samples" cpuprofile '{"nodes":[]}' 'at .samples: expected an array, but it is missing'
bad "huge number" cpuprofile '{"nodes":[{"id":1e400,"callFrame":{}}],"samples":[],"timeDeltas":[]}' 'invalid JSON\|expected a whole number'
bad "invalid UTF-8" chrome-trace "$(printf '[{"ph":"X","name":"\377","ts":1,"pid":1,"tid":1}]')" 'invalid UTF-8'
bad "trace: ts a boolean" chrome-trace '[{"ph":"B","name":"a","ts":true,"pid":1,"tid":1}]' 'at \[0\].ts: expected a finite number'
bad "trace: chunk nodes not an array" chrome-trace \
  '{"traceEvents":[{"ph":"P","name":"Profile","id":"1","pid":1,"tid":1,"ts":0,"args":{"data":{"startTime":0}}},{"ph":"P","name":"ProfileChunk","id":"1","pid":1,"tid":1,"ts":1,"args":{"data":{"cpuProfile":{"nodes":7}}}}]}' \
  'at .traceEvents\[1\].args.data.cpuProfile.nodes: expected an array'
bad "trace without profile or durations" chrome-trace '[{"ph":"M","name":"thread_name","pid":1,"tid":1,"args":{"name":"x"}}]' \
  'expected a CPU profile'
bad "not JSON" chrome-trace '[{"ph":"B",' 'invalid JSON'
done_testing
