#!/bin/sh
# Golden tests: fixed inputs and options, expected outputs in
# testdata/golden/. After an intended change, `make golden` rewrites them;
# review the diff before committing.
#   sh tests/golden.sh             compare
#   sh tests/golden.sh regenerate  rewrite the expected files
. tests/lib.sh
G=testdata/golden
F=testdata/folded
mode=${1:-compare}
mkdir -p $G

# case NAME EXT COMMAND...: run COMMAND, compare its stdout with $G/NAME.EXT
case_() {
  name=$1; ext=$2; shift 2
  if ! "$@" > "$TMP/out" 2>"$TMP/err"; then
    not_ok "$name: command failed" "$*" "$(head -c 500 "$TMP/err")"; return
  fi
  if [ "$mode" = regenerate ]; then
    cp "$TMP/out" "$G/$name.$ext"; ok "$name: regenerated"; return
  fi
  same_file "$name matches $G/$name.$ext" "$G/$name.$ext" "$TMP/out"
  if [ "$ext" = svg ]; then
    check "$name: well-formed XML" xmllint --noout "$TMP/out"
    "$@" > "$TMP/again" 2>/dev/null
    same_file "$name: a second run is byte-identical" "$TMP/out" "$TMP/again"
  fi
}

DIFF=$F/inferno__flamegraph__differential__perf-cycles-instructions-01-collapsed-all-diff.txt
ASYNC=$F/inferno__flamegraph__colors__async-profiler-collapsed-part.txt
SIMPLE=$F/speedscope__stackcollapse__simple.txt
NJ=--no-javascript

case_ default svg $PR $SIMPLE
case_ diff svg $PR $NJ $DIFF
case_ diff-negate svg $PR $NJ --negate $DIFF
case_ inverted svg $PR $NJ --inverted $F/speedscope__stackcollapse__recursion.txt
case_ reverse svg $PR $NJ --reverse $F/speedscope__stackcollapse__recursion.txt
case_ flamechart svg $PR $NJ --flamechart $F/speedscope__stackcollapse__alternating.txt
case_ java svg $PR $NJ --colors java $ASYNC
case_ sort-weight svg $PR $NJ --sort weight --colors aqua $ASYNC
case_ minwidth-percent svg $PR $NJ --minwidth 1% $ASYNC
case_ factor-bytes svg $PR $NJ --factor 2 --countname bytes --colors mem $F/inferno__flamegraph__austin__flames.txt
case_ fractional svg $PR $NJ $F/inferno__flamegraph__fractional-samples__with-space.txt
case_ hostile-texts svg $PR $NJ --title '</script><script>alert(1)</script> ]]> & "quotes"' \
  --subtitle "it's <b>bold</b>" --notes ']]> --> <!--' --nametype '<x>' --countname '&amp;' \
  --fonttype 'a"b' $F/inferno__flamegraph__grey-frames__grey-frames.txt
case_ tall svg $PR $NJ --width 600 --height 12 --fontsize 10 $F/speedscope__stackcollapse__tall.txt

case_ collapse-simple-utf16-le folded $PR collapse $F/speedscope__stackcollapse__simple-utf16-le.txt
case_ collapse-simple-utf16-be folded $PR collapse $F/speedscope__stackcollapse__simple-utf16-be.txt
case_ collapse-simple-crlf folded $PR collapse $F/speedscope__stackcollapse__simple-crlf.txt
case_ collapse-with-invalids folded $PR collapse -q $F/speedscope__stackcollapse__simple-with-invalids.txt
case_ collapse-fractional folded $PR collapse $F/inferno__flamegraph__fractional-samples__fractional.txt
case_ collapse-differential folded $PR collapse $DIFF
case_ collapse-bad-lines folded $PR collapse -q $F/inferno__flamegraph__bad-lines__bad-lines.txt
case_ collapse-austin folded $PR collapse $F/inferno__flamegraph__austin__flames.txt
case_ collapse-firefox folded $PR collapse $F/firefox-profiler__flamegraph.txt

done_testing
