#!/bin/sh
# The progress line while a long input is read (cli/progress.c): shown on
# a terminal (script(1) gives the command one) once reading has gone on
# for a second, erased when reading ends or before a warning; never shown
# when stderr is not a terminal, with --quiet, or with TERM=dumb. The
# input comes through a FIFO whose writer pauses 1.3 s halfway.
. tests/lib.sh
skip_all_without script "script(1) (util-linux) is needed for a terminal"

IN=testdata/folded/perf-vertx-stacks-01-collapsed-all.txt
half=$(($(wc -c <"$IN") / 2))
# slow_input [bad]: with "bad", a last line that is not folded makes a
# warning come while the progress line is shown.
slow_input() {
  rm -f "$TMP/fifo"
  mkfifo "$TMP/fifo"
  ( head -c "$half" "$IN"; sleep 1.3; tail -c +"$((half + 1))" "$IN"
    [ "${1:-}" = bad ] && echo "this line has no count" ) >"$TMP/fifo" &
}
# on_tty OUTPUT COMMAND: runs COMMAND with a terminal, its output in OUTPUT.
on_tty() {
  out=$1
  shift
  script -qefc "$*" "$out" >/dev/null 2>&1
}

$PR -o "$TMP/direct.svg" "$IN" 2>/dev/null

slow_input
on_tty "$TMP/tty.txt" "$PR -o $TMP/tty.svg $TMP/fifo"
slow_input bad
on_tty "$TMP/warn.txt" "$PR -o $TMP/warn.svg $TMP/fifo"
esc=$(printf '\033')
cr=$(printf '\r')
if grep -q "${cr}prof-render: reading fifo: [0-9.]* [kM]B, [0-9.]* [kM]\{0,1\}B/s${esc}\[K" "$TMP/tty.txt"; then
  ok "a terminal shows the bytes read and the rate of an input of unknown size"
else
  not_ok "no progress line on a terminal" "$(cat -v "$TMP/tty.txt" | head -c 800)"
fi
if grep -q "${esc}\[K${cr}${esc}\[Kprof-render: warning: .*line" "$TMP/warn.txt"; then
  ok "the line is erased before a warning is printed"
else
  not_ok "a warning was printed over the progress line" "$(cat -v "$TMP/warn.txt" | head -c 800)"
fi
# The last thing the command printed is the erasing of the line.
tail -c 200 "$TMP/tty.txt" | tr -d '\n' | grep -q "${cr}${esc}\[K${cr}*Script done" \
  && ok "the line is erased when the input has been read" \
  || not_ok "the progress line was left on the terminal" "$(tail -c 300 "$TMP/tty.txt" | cat -v)"
same_file "the flame graph is the same as without a progress line" "$TMP/direct.svg" "$TMP/tty.svg"

# no_line DESCRIPTION COMMAND: COMMAND, run on a terminal, shows no line.
no_line() {
  slow_input
  on_tty "$TMP/none.txt" "$2"
  if grep -q "reading" "$TMP/none.txt"; then
    not_ok "$1: a progress line was shown" "$(cat -v "$TMP/none.txt" | head -c 800)"
  else
    ok "$1"
  fi
}
no_line "--quiet shows no progress line" "$PR --quiet -o $TMP/quiet.svg $TMP/fifo"
no_line "a terminal that cannot redraw a line (TERM=dumb) shows none" \
  "TERM=dumb $PR -o $TMP/dumb.svg $TMP/fifo"

slow_input bad
$PR -o "$TMP/pipe.svg" "$TMP/fifo" 2>"$TMP/pipe.err"
if grep -q "reading" "$TMP/pipe.err" || grep -q "$esc" "$TMP/pipe.err" ||
   ! grep -q "warning" "$TMP/pipe.err"; then
  not_ok "stderr that is not a terminal got a progress line" "$(cat -v "$TMP/pipe.err" | head -c 800)"
else
  ok "nothing but the warning when stderr is not a terminal"
fi
done_testing
