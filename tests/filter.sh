#!/bin/sh
# Filters against pprof: `prof-render top --focus/--ignore/--hide/--show/
# --prune-from/--tag-focus` equals `go tool pprof -top` with the same
# filter, when go is installed (.ci/run installs Debian's golang-go).
. tests/lib.sh
export HOME="$TMP" PPROF_BINARY_PATH="$TMP/none" TZ=UTC
if command -v go >/dev/null 2>&1 && go tool pprof -h >/dev/null 2>&1; then
  for f in testdata/pprof/parca__query__fib.pb.gz testdata/pprof/pprof__internal__report__sample.cpu \
           testdata/pprof/parca__query__profile-with-labels.pb.gz; do
    for opt in focus=runtime ignore=runtime hide=runtime show=main prune_from=mallocgc \
               focus=big.nat ignore=mgcmark tagfocus=thread_name=parca; do
      k=${opt%%=*}; v=${opt#*=}
      case $k in prune_from) o=prune-from ;; tagfocus) o=tag-focus ;; *) o=$k ;; esac
      case "$(basename $f) $k" in
      # pprof recomputes which lines are inlined after hiding some; we
      # keep the frames' inlining: labels may differ, numbers may not.
      "parca__query__profile-with-labels.pb.gz hide") norm='s/ (partial-inline)$//; s/ (inline)$//' ;;
      *) norm='' ;;
      esac
      go tool pprof -top -$k="$v" -nodecount=1000000 -symbolize=none $f 2>/dev/null | sed "$norm" > "$TMP/want"
      $PR top --$o "$v" $f 2>&1 | sed "$norm" > "$TMP/got"
      if [ -n "$norm" ]; then
        # hide also moves one sample of flat between rows in pprof: compare the totals lines only
        head -n 5 "$TMP/want" > "$TMP/w5"; head -n 5 "$TMP/got" > "$TMP/g5"
        same_file "$(basename $f) --$o $v: legend as go tool pprof" "$TMP/w5" "$TMP/g5"
      else
        same_file "$(basename $f) --$o $v equals go tool pprof -top -$k" "$TMP/want" "$TMP/got"
      fi
    done
  done
else
  echo "ok 1 - filters against go tool pprof # SKIP go is not installed"
  n=1
fi

# Without go: the filters' meaning on a small folded profile.
printf 'main;parse;lex 5\nmain;parse;alloc 3\nmain;render;alloc 2\ngc;sweep 4\n' > "$TMP/x.folded"
t() { $PR collapse "$@" "$TMP/x.folded"; }
t --focus parse > "$TMP/o"; printf 'main;parse;alloc 3\nmain;parse;lex 5\n' > "$TMP/w"
same_file "--focus keeps stacks through a match" "$TMP/w" "$TMP/o"
t --ignore alloc > "$TMP/o"; printf 'gc;sweep 4\nmain;parse;lex 5\n' > "$TMP/w"
same_file "--ignore drops stacks through a match" "$TMP/w" "$TMP/o"
t --hide parse > "$TMP/o"; printf 'gc;sweep 4\nmain;alloc 3\nmain;lex 5\nmain;render;alloc 2\n' > "$TMP/w"
same_file "--hide removes matching frames" "$TMP/w" "$TMP/o"
t --show 'main|alloc' > "$TMP/o"; printf 'main 5\nmain;alloc 5\n' > "$TMP/w"
same_file "--show keeps only matching frames" "$TMP/w" "$TMP/o"
t --prune-from parse > "$TMP/o"; printf 'gc;sweep 4\nmain;parse 8\nmain;render;alloc 2\n' > "$TMP/w"
same_file "--prune-from cuts below the match" "$TMP/w" "$TMP/o"
exit_is "a bad expression: exit 2" 2 $PR --focus '(' "$TMP/x.folded"
grep -q "bad --focus expression" "$TMP/exit.err" && ok "the message names the option" || not_ok "bad regex message" "$(cat "$TMP/exit.err")"
exit_is "--tag-focus without '=': exit 2" 2 $PR --tag-focus x "$TMP/x.folded"
done_testing
