#!/bin/sh
# prof-render record: perf record + perf script + the perf reader + render.
. tests/lib.sh

exit_is "record without a command: exit 2" 2 $PR record
check "record without a command says how to call it" grep -q 'record needs a command' "$TMP/exit.err"
exit_is "record with a bad -F: exit 2" 2 $PR record -F fast -- true
exit_is "record without perf on the PATH: exit 69" 69 env PATH=/nonexistent $PR record -- /bin/true
check "the message says how to install perf" grep -q 'apt-get install linux-perf' "$TMP/exit.err"

if command -v perf >/dev/null 2>&1 && perf record -q -o "$TMP/probe.data" -- true >/dev/null 2>&1; then
  # A shell busy in a loop: its samples carry the comm "sh".
  $PR record -F 999 -o "$TMP/rec.svg" -- sh -c 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done' 2>"$TMP/rec.err"
  rc=$?
  [ $rc -eq 0 ] && ok "record renders a flame graph" || not_ok "record exit $rc" "$(cat "$TMP/rec.err")"
  check "the recording's graph is well-formed XML" xmllint --noout "$TMP/rec.svg"
  check "the profiled command is the root frame" grep -q '<title>sh (' "$TMP/rec.svg"
  check "no temporary files are left behind" sh -c "! ls \${TMPDIR:-/tmp} | grep -q '^prof-render-.*\\.\\(data\\|txt\\|log\\)$'"
  $PR record -o "$TMP/rec2.svg" -- sh -c 'exit 3' 2>"$TMP/rec2.err"
  check "a command that fails still gives a warning" grep -q 'exited with status 3' "$TMP/rec2.err"
  check "... and its graph" sh -c "xmllint --noout '$TMP/rec2.svg' && grep -q '<title>sh (' '$TMP/rec2.svg'"
  # -o names what to keep: folded stacks, a pprof profile, an HTML report.
  busy='i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done'
  $PR record -o "$TMP/rec.folded" -- sh -c "$busy" 2>"$TMP/rec3.err"
  check "record -o x.folded writes folded stacks, rooted at the command" \
    sh -c "grep -q '^sh;.* [0-9][0-9]*\$' '$TMP/rec.folded' && ! grep -q '<svg' '$TMP/rec.folded' && $PR collapse '$TMP/rec.folded' >/dev/null"
  $PR record -o "$TMP/rec.pb.gz" -- sh -c "$busy" 2>"$TMP/rec4.err"
  check "record -o x.pb.gz writes a gzipped pprof profile" \
    sh -c "[ \"\$(head -c 2 '$TMP/rec.pb.gz' | od -An -tx1 | tr -d ' ')\" = 1f8b ] && $PR info '$TMP/rec.pb.gz' | grep -q pprof"
  $PR record -o "$TMP/rec.html" -- sh -c "$busy" 2>"$TMP/rec5.err"
  check "record -o x.html writes the HTML report" \
    sh -c "head -n 1 '$TMP/rec.html' | grep -q '<!DOCTYPE html>' && grep -q 'Content-Security-Policy' '$TMP/rec.html'"
else
  ok "# SKIP perf cannot record here (not installed or not permitted)"
fi
done_testing
