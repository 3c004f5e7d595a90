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
else
  ok "# SKIP perf cannot record here (not installed or not permitted)"
fi
done_testing
