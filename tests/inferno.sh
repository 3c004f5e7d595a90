#!/bin/sh
# Oracle test: our frame geometry against the SVGs that inferno wrote for
# the same inputs (testdata/inferno/, see THIRD_PARTY.md).
#
# The one allowed difference: inferno (like flamegraph.pl) merges only
# adjacent lines after a string sort, so p;foo, p;foo2, p;foo;bar gives it
# two foo boxes where our prefix tree has one. So per path (the names from
# the root down) the summed widths must be equal; and where inferno drew no
# path twice, every frame's position must be equal too.
#
# Not compared, on purpose: fractional-samples/* (inferno truncates
# fractional counts and splits "[T; _]" at its ';'), base/* and nameattr/*
# (options we do not have), empty/* (we refuse empty input), colors/java.svg
# (drawn from inferno's own copy of perf-java-stacks-01, which has a stack
# that FlameGraph's copy in testdata/ lacks).
. tests/lib.sh
SF=$BUILD/tests/svgframes
R=testdata/inferno/flamegraph
F=testdata/folded
V=testdata/FlameGraph/results

# compare NAME INFERNO_SVG "OPTIONS" INPUT...
compare() {
  name=$1; svg=$2; opts=$3; shift 3
  inv=""
  case " $opts " in *" --inverted "*) inv=--inverted ;; esac
  # shellcheck disable=SC2086
  if ! $PR -q --no-javascript $opts -o "$TMP/ours.svg" "$@" 2>"$TMP/err"; then
    not_ok "$name: prof-render failed" "$(cat "$TMP/err")"; return
  fi
  $SF $inv --paths "$TMP/ours.svg" > "$TMP/ours.paths"
  $SF $inv --paths "$svg" > "$TMP/theirs.paths"
  sum() { awk -F'\t' '{w[$1]+=$3} END {for (p in w) printf "%s\t%.6g\n", p, w[p]}' "$1" | LC_ALL=C sort; }
  sum "$TMP/ours.paths" > "$TMP/ours.sum"
  sum "$TMP/theirs.paths" > "$TMP/theirs.sum"
  split=$(cut -f1 "$TMP/theirs.paths" | LC_ALL=C sort | uniq -d | wc -l)
  if [ "$split" -eq 0 ]; then
    LC_ALL=C sort "$TMP/ours.paths" > "$TMP/a"; LC_ALL=C sort "$TMP/theirs.paths" > "$TMP/b"
    same_file "$name: every frame (path, x, width) equals inferno's" "$TMP/b" "$TMP/a"
  else
    same_file "$name: widths per path equal inferno's ($split paths split by inferno, merged here)" "$TMP/theirs.sum" "$TMP/ours.sum"
  fi
  h1=$(grep -o '<svg [^>]*' "$svg" | grep -o ' height="[0-9]*"' | head -1)
  h2=$(grep -o '<svg [^>]*' "$TMP/ours.svg" | grep -o ' height="[0-9]*"' | head -1)
  [ "$h1" = "$h2" ] && ok "$name: image$h1 as inferno's" || not_ok "$name: image height" "inferno$h1 ours$h2"
  t1=$(grep -o '<title>all ([^<]*</title>' "$svg")
  t2=$(grep -o '<title>all ([^<]*</title>' "$TMP/ours.svg")
  [ "$t1" = "$t2" ] && ok "$name: root title $t1" || not_ok "$name: root title" "inferno $t1" "ours    $t2"
}

DIFF=$F/inferno__flamegraph__differential__perf-cycles-instructions-01-collapsed-all-diff.txt
compare "differential (options/default)" $R/options/default.svg "" $DIFF
compare "differential --negate" $R/differential/diff-negated.svg "--negate" $DIFF
compare "two inputs merged" $R/perf-vertx-stacks/perf-vertx-stacks-01-collapsed-all.svg "" \
  $F/inferno__flamegraph__multiple-inputs__perf-vertx-stacks-01-collapsed-all-unsorted-1.txt \
  $F/inferno__flamegraph__multiple-inputs__perf-vertx-stacks-01-collapsed-all-unsorted-2.txt
compare "--reverse" $R/perf-vertx-stacks/perf-vertx-stacks-01-collapsed-all-reversed-stacks.svg "--reverse" \
  $F/inferno__flamegraph__unsorted-input__perf-vertx-stacks-01-collapsed-all-unsorted.txt
# inferno's own copy of the vert.x stacks has 286 samples, FlameGraph's 285:
# its SVGs come from the copy that the unsorted-input test also uses.
U=$F/inferno__flamegraph__unsorted-input__perf-vertx-stacks-01-collapsed-all-unsorted.txt
compare "--inverted" $R/inverted/inverted.svg "--inverted" $U
compare "--factor 2.5" $R/factor/factor-2.5.svg "--factor 2.5" $U
compare "--flamechart" $R/flamechart/flame.svg "--flamechart" $F/inferno__flamegraph__base__flames.txt
compare "narrow blocks pruned" $R/narrow-blocks/narrow-blocks.svg "" $F/inferno__flamegraph__narrow-blocks__narrow-blocks.txt
compare "async-profiler java" $R/colors/async-profiler-java.svg "--colors java" $F/inferno__flamegraph__colors__async-profiler-collapsed-part.txt
compare "js" $R/colors/js.svg "--colors js" $V/perf-js-stacks-01-collapsed-all.txt
compare "austin" $R/austin/flame.svg "" $F/inferno__flamegraph__austin__flames.txt
compare "example perf stacks" $R/example-perf-stacks/example-perf-stacks.svg "" \
  testdata/inferno/collapse-perf/results/example-perf-stacks-collapsed.txt
compare "grey frames" $R/grey-frames/grey-frames.svg "" $F/inferno__flamegraph__grey-frames__grey-frames.txt

# The documented difference itself, shown on a small input.
printf 'p;foo 1\np;foo2 1\np;foo;bar 1\n' > "$TMP/prefix.folded"
$PR -o "$TMP/prefix.svg" "$TMP/prefix.folded"
[ "$($SF --paths "$TMP/prefix.svg" | cut -f1 | grep -cx 'p;foo')" -eq 1 ] &&
  ok "p;foo, p;foo2, p;foo;bar: one foo box (real prefix merging)" ||
  not_ok "p;foo, p;foo2, p;foo;bar: one foo box"
done_testing
