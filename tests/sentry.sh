#!/bin/sh
# Tests of the Sentry reader (v1 sampled profiles, v2 profile chunks, the
# legacy iOS format). No project publishes expected outputs for Sentry
# profiles, so the oracle is tests/sentry_oracle.py, written for this
# project: it derives the folded stacks straight from the JSON (stacks
# leaf first, each sample lasting until the next sample of its thread) and
# shares no code with prof-render. Inputs: the two corpus files from
# getsentry/vroom and hand-made v1/v2 files (strings for numbers, idle
# samples, several threads, samples out of time order).
. tests/lib.sh

D=testdata/sentry
skip_all_without python3 "python3 is needed for the Sentry oracle"

# --- every file, every option, against the oracle ---
oracle() { # DESCRIPTION FILE OPTIONS...
  d=$1; f=$2; shift 2
  python3 tests/sentry_oracle.py "$@" "$f" > "$TMP/want" 2>"$TMP/oracle.err" ||
    { not_ok "$d" "the oracle failed: $(head -c 500 "$TMP/oracle.err")"; return; }
  if ! $PR collapse -q "$@" "$f" > "$TMP/got" 2>"$TMP/err"; then
    not_ok "$d" "$(cat "$TMP/err")"
    return
  fi
  same_file "$d" "$TMP/want" "$TMP/got"
}
for f in $D/*.json $D/*.json.gz; do
  b=$(basename "$f")
  oracle "$b: stacks and durations equal the oracle" "$f"
  oracle "$b: --weight samples" "$f" --weight samples
  oracle "$b: --include-idle" "$f" --include-idle
  oracle "$b: --no-thread-root" "$f" --no-thread-root
done
oracle "--thread by name" $D/v2-two-threads.json --thread ThreadPoolExecutor-0_0
oracle "--thread by id (string ids in the input)" $D/v2-two-threads.json --thread 140245
oracle "--thread picks a legacy thread named from its queue" $D/vroom__cocoa.json.gz --thread com.apple.main-thread
oracle "--thread picks an unnamed legacy thread by id" $D/vroom__cocoa.json.gz --thread 17923
oracle "--thread picks an unnamed v1 thread by id" $D/v1-strings.json --thread 771

# A sample lasts until the next one of its thread: one thread's times
# add up to the span of its samples (the last only marks the end).
$PR collapse $D/vroom__node.json | awk '{s += $NF} END {print s}' > "$TMP/sum"
echo 484499000 > "$TMP/span"  # 484554000 - 55000, the first and last elapsed_since_start_ns
same_file "node.json: durations add up to the span of the samples" "$TMP/span" "$TMP/sum"

# --- threads ---
exit_is "--thread naming no thread: exit 2 (usage)" 2 $PR collapse --thread nosuch $D/v2-two-threads.json
grep -q "140377 (sentry.monitor)" "$TMP/exit.err" &&
  ok "the error lists every thread, also those without samples" ||
  not_ok "the error lists every thread, also those without samples" "$(cat "$TMP/exit.err")"
$PR collapse $D/v1-strings.json > "$TMP/v1"
grep -q '^thread 771;\[libdispatch\];mach_msg_trap ' "$TMP/v1" &&
  ok "an unnamed thread is rooted at 'thread ID'; an unsymbolicated frame shows its package" ||
  not_ok "an unnamed thread is rooted at 'thread ID'; an unsymbolicated frame shows its package" "$(cat "$TMP/v1")"
grep -q 'Cart.total.getter_\[i\] ' "$TMP/v1" &&
  ok "a symbolicated frame without sym_addr is inlined" || not_ok "a symbolicated frame without sym_addr is inlined" "$(cat "$TMP/v1")"
$PR collapse --include-idle $D/v2-two-threads.json > "$TMP/idle"
grep -q '^MainThread;(idle) ' "$TMP/idle" && ok "--include-idle keeps empty stacks as (idle)" ||
  not_ok "--include-idle keeps empty stacks as (idle)" "$(cat "$TMP/idle")"
if $PR collapse $D/v2-two-threads.json | grep -q idle; then
  not_ok "idle samples are dropped by default"
else ok "idle samples are dropped by default"; fi
if $PR collapse $D/vroom__cocoa.json.gz | grep -q 0xffffffffc; then
  not_ok "the bogus iOS root address is dropped"
else ok "the bogus iOS root address is dropped"; fi

# --- warnings ---
$PR collapse $D/v2-unordered.json > /dev/null 2>"$TMP/warn"
grep -q "samples of thread 0 are not in time order: sorted by time" "$TMP/warn" &&
  ok "samples out of time order: sorted, with a warning" || not_ok "samples out of time order: sorted, with a warning" "$(cat "$TMP/warn")"
$PR collapse $D/v2-two-threads.json > /dev/null 2>"$TMP/warn"
check "no warnings on a good file" test ! -s "$TMP/warn"

# --- merging, top, rendering ---
$PR collapse $D/v2-two-threads.json $D/v1-strings.json > "$TMP/merged"
{ $PR collapse $D/v2-two-threads.json; $PR collapse $D/v1-strings.json; } | LC_ALL=C sort > "$TMP/both"
same_file "two Sentry inputs merge (same value column)" "$TMP/both" "$TMP/merged"
$PR top --format tsv $D/v1-strings.json > "$TMP/top"
grep -q "^40000000	65000000	CheckoutViewController.viewDidLoad()" "$TMP/top" &&
  ok "top: flat and cum in nanoseconds" || not_ok "top: flat and cum in nanoseconds" "$(cat "$TMP/top")"
check "renders a Sentry profile to well-formed SVG" sh -c "$PR $D/vroom__cocoa.json.gz > '$TMP/c.svg' && xmllint --noout '$TMP/c.svg'"

# --- format detection ---
for f in $D/vroom__node.json $D/v2-two-threads.json $D/vroom__cocoa.json.gz; do
  $PR collapse "$f" > "$TMP/auto"
  $PR collapse --input-format sentry "$f" > "$TMP/forced"
  same_file "$(basename "$f") is detected as Sentry" "$TMP/forced" "$TMP/auto"
done
# debug_meta (sorted first by Sentry's serializer) can fill the first 64 KiB.
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
big = {"debug_meta": {"images": [{"type": "macho", "debug_id": "%032x" % i, "image_addr": hex(4096 * i),
                                  "code_file": "/usr/lib/system/libfoo%d.dylib" % i} for i in range(1500)]}}
big.update(d)
json.dump(big, sys.stdout)' $D/v1-strings.json > "$TMP/big.json"
$PR collapse "$TMP/big.json" > "$TMP/big.got" 2>"$TMP/big.err"
$PR collapse $D/v1-strings.json > "$TMP/big.want"
same_file "a v1 profile whose debug_meta fills the first 64 KiB is detected" "$TMP/big.want" "$TMP/big.got"
$PR top --thread com.apple.uikit.eventfetch-thread $D/vroom__cocoa.json.gz > /dev/null 2>"$TMP/warn"
grep -q "no sample was kept" "$TMP/warn" && ok "a thread with one sample: a warning that nothing was kept" ||
  not_ok "a thread with one sample: a warning that nothing was kept" "$(cat "$TMP/warn")"

not_sentry() { # DESCRIPTION JSON: another format's file must not be read as Sentry
  printf '%s' "$2" > "$TMP/other.json"
  $PR collapse "$TMP/other.json" > /dev/null 2>"$TMP/other.err"
  if grep -q -e 'Sentry' -e '\.profile' -e 'elapsed_since_start_ns' "$TMP/other.err"; then
    not_ok "$1" "$(cat "$TMP/other.err")"
  else ok "$1"; fi
}
not_sentry "a .cpuprofile is not taken for Sentry" '{"nodes":[{"id":1,"callFrame":{"functionName":"(root)"}}],"startTime":0,"endTime":1,"samples":[1],"timeDeltas":[1],"platform":"x","profile":1}'
not_sentry "speedscope is not taken for Sentry" '{"$schema":"https://www.speedscope.app/file-format-schema.json","shared":{"frames":[{"name":"a"}]},"profiles":[{"type":"sampled","name":"p","unit":"none","startValue":0,"endValue":1,"samples":[[0]],"weights":[1]}],"version":"1","profile":{}}'
not_sentry "a Firefox profile is not taken for Sentry" '{"meta":{"version":24,"platform":"Linux"},"threads":[],"profile":{}}'
not_sentry "a Chrome trace object is not taken for Sentry" '{"traceEvents":[{"name":"Profile","args":{"data":{"profile":1}}}],"metadata":{"platform":"x"}}'
not_sentry "a Chrome trace array is not taken for Sentry" '[{"name":"Profile","ph":"P","args":{"profile":{},"version":"1"}}]'

# --- bad input: exit 65 naming the JSON path ---
bad() { # DESCRIPTION MESSAGE JSON
  printf '%s' "$3" > "$TMP/bad.json"
  exit_is "$1: exit 65" 65 $PR collapse --input-format sentry "$TMP/bad.json"
  if grep -qF -- "$2" "$TMP/exit.err"; then ok "$1: the error says where"
  else not_ok "$1: the error says where" "expected: $2" "$(cat "$TMP/exit.err")"; fi
}
V2='"version":"2","platform":"python"'
FR='"frames":[{"function":"a"},{"function":"b"}]'
bad "stack index out of range" 'at .profile.samples[1].stack_id: expected an index below 2 (the length of .profile.stacks), found a number' \
  "{$V2,\"profile\":{$FR,\"stacks\":[[1,0],[]],\"samples\":[{\"stack_id\":0,\"thread_id\":\"1\",\"timestamp\":1.0},{\"stack_id\":2,\"thread_id\":\"1\",\"timestamp\":2.0}]}}"
bad "frame index out of range" 'at .profile.stacks[0][1]: expected an index below 2 (the length of .profile.frames), found a number' \
  "{$V2,\"profile\":{$FR,\"stacks\":[[1,7]],\"samples\":[{\"stack_id\":0,\"thread_id\":\"1\",\"timestamp\":1.0}]}}"
bad "a thread id of the wrong type" 'at .profile.samples[0].thread_id: expected a whole number, found a boolean' \
  "{$V2,\"profile\":{$FR,\"stacks\":[[1]],\"samples\":[{\"stack_id\":0,\"thread_id\":true,\"timestamp\":1.0}]}}"
bad "a timestamp that is not a number" 'at .profile.samples[0].timestamp: expected a finite number, found a string' \
  "{$V2,\"profile\":{$FR,\"stacks\":[[1]],\"samples\":[{\"stack_id\":0,\"thread_id\":\"1\",\"timestamp\":\"NaN\"}]}}"
bad "a negative timestamp" 'at .profile.samples[0].timestamp: expected a Unix time in seconds' \
  "{$V2,\"profile\":{$FR,\"stacks\":[[1]],\"samples\":[{\"stack_id\":0,\"thread_id\":\"1\",\"timestamp\":-3}]}}"
bad "a negative v1 time" 'at .profile.samples[0].elapsed_since_start_ns: expected a whole number from 0 to' \
  '{"version":"1","profile":{"frames":[],"stacks":[[]],"samples":[{"stack_id":0,"thread_id":1,"elapsed_since_start_ns":-5}]}}'
bad "a fractional v1 time" 'at .profile.samples[0].elapsed_since_start_ns: expected a whole number, found a string' \
  '{"version":"1","profile":{"frames":[],"stacks":[[]],"samples":[{"stack_id":0,"thread_id":1,"elapsed_since_start_ns":"1.5"}]}}'
bad "a line number of the wrong type" 'at .profile.frames[1].lineno: expected a whole number, found a string' \
  "{$V2,\"profile\":{\"frames\":[{\"function\":\"a\"},{\"function\":\"b\",\"lineno\":\"7\"}],\"stacks\":[],\"samples\":[]}}"
bad "in_app that is not a boolean" 'at .profile.frames[0].in_app: expected true, false or null, found a string' \
  "{$V2,\"profile\":{\"frames\":[{\"function\":\"a\",\"in_app\":\"yes\"}],\"stacks\":[],\"samples\":[]}}"
bad "a bad instruction address" 'at .profile.frames[0].instruction_addr: expected a hex address' \
  "{$V2,\"profile\":{\"frames\":[{\"instruction_addr\":\"main+12\"}],\"stacks\":[],\"samples\":[]}}"
bad "a stack that is not an array" 'at .profile.stacks[0]: expected an array of frame indexes, found an object' \
  "{$V2,\"profile\":{$FR,\"stacks\":[{}],\"samples\":[]}}"
bad "no samples" 'at .profile.samples: expected at least one sample, found an empty array' \
  "{$V2,\"profile\":{$FR,\"stacks\":[],\"samples\":[]}}"
bad "no profile" 'at .profile: expected an object, but it is missing' "{$V2}"
bad "an unknown version" 'at .version: expected "1" or "2"' '{"version":"3","profile":{}}'
bad "a frame name of the wrong type" 'at .profile.frames[0].function: expected a string, found a number' \
  "{$V2,\"profile\":{\"frames\":[{\"function\":5}],\"stacks\":[],\"samples\":[]}}"
bad "a thread name of the wrong type" 'at .profile.thread_metadata.1.name: expected a string, found an array' \
  "{$V2,\"profile\":{$FR,\"stacks\":[[0]],\"samples\":[{\"stack_id\":0,\"thread_id\":\"1\",\"timestamp\":1.0}],\"thread_metadata\":{\"1\":{\"name\":[]}}}}"
bad "metadata of the wrong type" 'at .release: expected a string, found a number' "{$V2,\"release\":5,\"profile\":{}}"
bad "a legacy profile string that is not JSON" 'in the JSON string at .profile, at byte 12: invalid JSON' \
  '{"platform":"cocoa","profile_id":"x","profile":"{\"samples\":[}"}'
bad "a legacy sample without frames" 'at (.profile|fromjson).samples[0].frames: expected an array, but it is missing' \
  '{"platform":"cocoa","profile_id":"x","profile":"{\"samples\":[{\"thread_id\":\"1\",\"relative_timestamp_ns\":\"5\"}]}"}'
bad "invalid JSON" 'invalid JSON' '{"version":"2","profile":{'
bad "a top-level array" 'at the top level: expected an object (a Sentry profile), found an array' '[1]'
done_testing
