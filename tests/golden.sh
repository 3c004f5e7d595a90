#!/bin/sh
# Golden tests: fixed inputs (testdata/folded/) and options, expected
# outputs in testdata/golden/ (NAME.svg for rendering, NAME.folded for
# `prof-render collapse`). After an intended change, `make golden` rewrites
# them; review the diff before committing.
#   sh tests/golden.sh             compare
#   sh tests/golden.sh regenerate  rewrite the expected files
#
# The expected files were checked by hand against the corpus oracles when
# they were written: the collapse of speedscope's simple*.txt against the
# stacks of its bg-flamegraph.test.ts.snap, FlameGraph's collapsed results
# (canonical folded files that collapse reproduces), and the frames of the
# SVGs against tests/inferno.sh's inferno comparisons. The oracle checks at
# the end of this file run every time.
. tests/lib.sh
G=testdata/golden
F=testdata/folded
mode=${1:-compare}
case $mode in
compare | regenerate) ;;
*) echo "usage: sh tests/golden.sh [regenerate]" >&2; exit 2 ;;
esac
mkdir -p $G

# golden NAME EXT COMMAND...: run COMMAND; its stdout must equal $G/NAME.EXT.
# SVGs must also be well-formed XML and the same on a second run.
golden() {
  name=$1 ext=$2
  shift 2
  want=$G/$name.$ext
  if ! "$@" > "$TMP/out" 2> "$TMP/err"; then
    not_ok "$name: command failed" "$*" "$(head -c 500 "$TMP/err")"
    return
  fi
  if [ "$mode" = regenerate ]; then
    cp "$TMP/out" "$want"
    ok "$name: regenerated $want"
  elif [ ! -f "$want" ]; then
    not_ok "$name: $want is missing (run make golden)"
  elif cmp -s "$want" "$TMP/out"; then
    ok "$name: equals $want"
  else
    not_ok "$name: differs from $want" "$*" \
      "$(diff -u "$want" "$TMP/out" | head -n 30 | cut -c1-300)"
  fi
  if [ "$ext" = svg ]; then
    check "$name: xmllint --noout accepts it" xmllint --noout "$TMP/out"
    "$@" > "$TMP/again" 2> /dev/null
    if cmp -s "$TMP/out" "$TMP/again"; then
      ok "$name: a second run is byte-identical"
    else
      not_ok "$name: a second run is byte-identical" "$(cmp "$TMP/out" "$TMP/again")"
    fi
  fi
}

SIMPLE=$F/speedscope__stackcollapse__simple
RECURSION=$F/speedscope__stackcollapse__recursion.txt
DIFF=$F/inferno__flamegraph__differential__perf-cycles-instructions-01-collapsed-all-diff.txt
ASYNC=$F/inferno__flamegraph__colors__async-profiler-collapsed-part.txt
AUSTIN=$F/inferno__flamegraph__austin__flames.txt
GREY=$F/inferno__flamegraph__grey-frames__grey-frames.txt
FRAC=$F/inferno__flamegraph__fractional-samples
VERTX=$F/perf-vertx-stacks-01-collapsed-all.txt
NJ=--no-javascript
HOSTILE='</script><script>alert(1)</script> ]]> & "quotes"'

# Rendering. The default keeps the script (its embedding is part of the
# output); the others leave it out to keep the files small, except the
# hostile texts, which must not break out of the script either.
golden default svg $PR $SIMPLE.txt
golden inverted svg $PR $NJ --inverted $RECURSION
golden reverse svg $PR $NJ --reverse $RECURSION
golden flamechart svg $PR $NJ --flamechart $F/speedscope__stackcollapse__alternating.txt
golden java svg $PR $NJ --colors java $ASYNC
golden sort-weight svg $PR $NJ --sort weight $AUSTIN
golden minwidth-percent svg $PR $NJ --minwidth 1% $GREY
golden diff svg $PR $NJ $DIFF
golden diff-negate svg $PR $NJ --negate $DIFF
golden factor-bytes svg $PR $NJ --factor 2 --countname bytes --colors mem $AUSTIN
golden fractional svg $PR $NJ ${FRAC}__with-space.txt
golden hostile-texts svg $PR --title "$HOSTILE" --subtitle "$HOSTILE" --notes "$HOSTILE" \
  --nametype "$HOSTILE" --countname "$HOSTILE" --fonttype "$HOSTILE" $GREY
golden sizes svg $PR $NJ --width 600 --height 12 --fontsize 10 --title tall $F/speedscope__stackcollapse__tall.txt

# Collapsing: encodings, line endings, invalid lines, fractional and
# differential counts, comment headers, long lines.
golden collapse-simple folded $PR collapse $SIMPLE.txt
golden collapse-simple-utf16-le folded $PR collapse $SIMPLE-utf16-le.txt
golden collapse-simple-utf16-be folded $PR collapse $SIMPLE-utf16-be.txt
golden collapse-simple-crlf folded $PR collapse $SIMPLE-crlf.txt
golden collapse-simple-with-invalids folded $PR collapse -q $SIMPLE-with-invalids.txt
golden collapse-fractional folded $PR collapse ${FRAC}__fractional.txt
golden collapse-zero-fractionals folded $PR collapse ${FRAC}__zero-fractionals.txt
golden collapse-with-space folded $PR collapse ${FRAC}__with-space.txt
golden collapse-differential folded $PR collapse $DIFF
golden collapse-bad-lines folded $PR collapse -q $F/inferno__flamegraph__bad-lines__bad-lines.txt
golden collapse-austin folded $PR collapse $AUSTIN
golden collapse-firefox folded $PR collapse $F/firefox-profiler__flamegraph.txt

# Oracle checks of the collapse goldens.
# speedscope's snapshot (bg-flamegraph.test.ts.snap) has the same stacks
# "a;b;c 2", "a;b;d 4", "a;b;c 3", "a;b 5" for all five variants.
for v in simple-utf16-le simple-utf16-be simple-crlf simple-with-invalids; do
  $PR collapse -q $F/speedscope__stackcollapse__$v.txt > "$TMP/$v" 2> /dev/null
done
$PR collapse $SIMPLE.txt > "$TMP/simple"
same=yes
for v in simple-utf16-le simple-utf16-be simple-crlf simple-with-invalids; do
  cmp -s "$TMP/simple" "$TMP/$v" || same="no: $v differs"
done
if [ "$same" = yes ]; then
  ok "collapse of simple.txt, -utf16-le, -utf16-be, -crlf and -with-invalids is identical"
else
  not_ok "collapse of simple.txt, -utf16-le, -utf16-be, -crlf and -with-invalids is identical" "$same"
fi
printf 'a;b 5\na;b;c 5\na;b;d 4\n' > "$TMP/simple.want"
same_file "collapse of simple.txt: speedscope's stacks a;b;c 2+3, a;b;d 4, a;b 5 merged" "$TMP/simple.want" "$TMP/simple"

# perf-vertx (FlameGraph's stackcollapse-perf.pl output): collapse equals the
# input with duplicate stacks merged, sorted by LC_ALL=C sort.
# The count is after the last blank; the stack keeps any other blank (a
# frame may be a single space, as in "...write0_[j];  3").
awk '{ n = $NF; s = $0; sub(/ [^ ]*$/, "", s)
       if (!(s in sum)) order[++k] = s; sum[s] += n }
     END { for (i = 1; i <= k; i++) print order[i] " " sum[order[i]] }' $VERTX |
  LC_ALL=C sort > "$TMP/vertx.want"
$PR collapse $VERTX > "$TMP/vertx"
same_file "collapse of perf-vertx-stacks-01-collapsed-all.txt = merged input, LC_ALL=C sort" "$TMP/vertx.want" "$TMP/vertx"

done_testing
