#!/bin/sh
# Oracle test: the frames we draw against the SVGs inferno drew for the same
# input and equivalent options (testdata/inferno/, sources in
# testdata/THIRD_PARTY.md; inferno wrote them with pretty_xml and
# no_javascript, and its min width default is 0.1 px like ours).
#
# Frames are compared as paths: the chain of names from the root "all",
# rebuilt from x-interval containment by tests/svgframes, with the width in
# samples (fg:w) and the start (fg:x).
#
# The one allowed difference: inferno, like flamegraph.pl, sorts the lines
# as strings and merges only adjacent ones, so "p;foo", "p;foo2",
# "p;foo;bar" gives it two foo boxes where our prefix tree has one. So:
#  - where inferno drew no path twice, every frame (path, x, width) must be
#    equal;
#  - where it split some path, the widths summed per path must be equal
#    (its split boxes summed = our single box), and x is not compared (the
#    split reorders siblings). Those files are listed at the end;
#  - a frame that inferno dropped because each of its split pieces was
#    narrower than the min width, while our merged box is wide enough, is
#    allowed too (with its subtree): it is missing from inferno's side, its
#    parent is not, and our box is narrower than min width times the number
#    of distinct stacks under it (the most pieces inferno can cut it into;
#    counted on our own SVG rendered with --minwidth 0). Such a file is
#    compared like one with splits, and the TAP line counts those frames.
#    A self-check with a hand-written SVG in inferno's layout exercises both
#    rules, since none of inferno's own SVGs needs them.
# Flame charts are never merged, so --flamechart must match exactly, x
# included (inferno draws the last input line leftmost: the oldest).
# Names are compared with blanks around them trimmed: perf writes a frame
# that is a single blank (";  3" in perf-vertx), which flamegraph.pl and we
# keep as " " and inferno trims to "".
# Each compared SVG gives one TAP line that also checks the image height
# and the root's title text ("all (N samples, 100%)", entities decoded).
#
# Inputs: inferno took "perf-vertx-stacks-01-collapsed-all.txt" and
# "perf-java-stacks-01-collapsed-all.txt" from its own FlameGraph fork,
# whose copies have one stack more than upstream's (286 and 46 samples
# instead of 285 and 45; the corpus has upstream's). For vert.x the
# unsorted-input file has the fork's 286 samples, so it stands in (line
# order does not matter outside flame charts); for java the extra stack is
# in no file we have, so colors/java.svg and options/truncate-right.svg are
# not compared.
#
# Adapted: fractional-samples/*: inferno truncates fractional counts to
# integers (with-space-reversed.svg shows 333 samples for 31.23 + 6.1 + 1.4
# + 19.0 + 2.567 + 274.321), where we keep them, so the input is truncated
# with awk first. with-space.txt also has a frame "...for [T; _]>::..."
# that inferno splits at the ';' inside the brackets and we deliberately do
# not: that stack is left out on both sides and only widths are compared
# (the differently named frame sorts elsewhere, so x differs).
# nameattr/*: --nameattr replaced the titles of main and cksum with "foo"
# and "bar" (nameattr.txt), so our names are renamed the same way.
#
# Not compared: base/* (--base, an option we do not have), empty/empty.svg
# (we refuse an empty input, exit 65, instead of drawing an error SVG),
# colors/java.svg and options/truncate-right.svg (see above). Options that
# only change colours or text (--colors, --hash, inferno's palette map,
# color diffusion, search/stroke/ui colours, title, notes, font, name and
# count names) are passed when we have them and ignored otherwise: they do
# not move frames.
. tests/lib.sh
SF=$BUILD/tests/svgframes
R=testdata/inferno
F=testdata/folded
MINWIDTH_PX=0.1
split_files=""

# Options for the next compare only.
RENAME=""  # awk statements on the name variable n, applied to our names
EXCLUDE="" # extended regex: paths (either side) to leave out

# filter IN OUT SIDE: path lines with blanks around names trimmed (a perf
# frame that is a single blank is " " for flamegraph.pl and us, "" for
# inferno), after RENAME (ours only) and EXCLUDE.
filter() {
  awk -F'\t' -v OFS='\t' -v ex="$EXCLUDE" -v side="$3" "{
      k = split(\$1, part, \";\"); p = \"\"
      for (i = 1; i <= k; i++) {
        n = part[i]; sub(/^[ \t]+/, \"\", n); sub(/[ \t]+\$/, \"\", n)
        if (side == \"ours\") { $RENAME; }
        p = p (i > 1 ? \";\" : \"\") n
      }
      \$1 = p
    }
    ex != \"\" && \$1 ~ ex { next }
    { print }" "$1" | LC_ALL=C sort > "$2"
}

# sums IN OUT: path TAB summed width.
sums() {
  awk -F'\t' '{ w[$1] += $3 } END { for (p in w) printf "%s\t%.10g\n", p, w[p] }' "$1" |
    LC_ALL=C sort > "$2"
}

# show_diff LABEL A B: appends the first differing lines to $TMP/diag.
show_diff() {
  {
    echo "$1 (- inferno, + ours):"
    # "-/+ x w path", long paths shortened from the left.
    diff "$2" "$3" | grep '^[<>]' | head -n 16 | awk -F'\t' '{
      s = substr($1, 1, 1) == "<" ? "-" : "+"; p = substr($1, 3)
      if (length(p) > 150) p = "..." substr(p, length(p) - 146)
      print s " " ($3 == "" ? $2 : $2 " " $3) " " p }'
  } >> "$TMP/diag"
}

# pruned_by_inferno THEIRS OURS OURS_FULL OUT: the paths that we draw and
# inferno does not, each with "allowed" or "bad". Allowed: its parent is
# drawn by inferno (or is allowed itself), and its width is below min width
# times the number of distinct stacks under it (OURS_FULL: our frames
# without min width), the most pieces inferno can have cut it into.
pruned_by_inferno() {
  awk -F'\t' -v mw="$MINWIDTH_SAMPLES" '
    function parent(q,   i) { i = match(q, /;[^;]*$/); return i ? substr(q, 1, i - 1) : "" }
    FILENAME == ARGV[1] { theirs[$1] = 1; next }
    FILENAME == ARGV[2] { w[$1] += $3; order[++n] = $1; next }
    { full[$1] += $3; kids[parent($1)] += $3; all_full[++m] = $1 }
    END {
      # Stacks under each path: frames with self samples, counted up.
      for (i = 1; i <= m; i++) {
        q = all_full[i]
        if (full[q] - kids[q] <= 0 || seen[q]++) continue
        for (a = q; a != ""; a = parent(a)) stacks[a]++
      }
      for (i = 1; i <= n; i++) {
        q = order[i]
        if (q in theirs || done[q]++) continue
        pa = parent(q)
        ok[q] = (pa in theirs || ok[pa]) && (ok[pa] || w[q] < mw * stacks[q])
        print q "\t" w[q] "\t" (ok[q] ? "allowed" : "bad")
      }
    }' "$1" "$2" "$3" > "$4"
}

# max_depth PATHS: the deepest frame (root = 0).
max_depth() {
  awk -F'\t' '{ d = gsub(/;/, ";", $1); if (d > m) m = d } END { print m + 0 }' "$1"
}

# compare NAME SVG MODE PROF-RENDER-ARGS...
#   SVG: under testdata/inferno/ (or an absolute path).
#   MODE: merged (x compared when inferno split nothing), sums (widths
#   only), chart (everything exact: flame charts are not merged).
compare() {
  name=$1 rel=$2 mode=$3
  shift 3
  case $rel in /*) svg=$rel ;; *) svg=$R/$rel ;; esac
  inv=""
  for a in "$@"; do [ "$a" = --inverted ] && inv=--inverted; done
  : > "$TMP/diag"
  if ! $PR -q --no-javascript "$@" > "$TMP/ours.svg" 2> "$TMP/err" ||
     ! $PR -q --no-javascript --minwidth 0 "$@" > "$TMP/full.svg" 2>> "$TMP/err"; then
    not_ok "$name: prof-render failed" "prof-render $*" "$(head -c 500 "$TMP/err")"
    RENAME="" EXCLUDE=""
    return
  fi
  $SF $inv --paths "$TMP/ours.svg" > "$TMP/ours.raw" 2>> "$TMP/diag" ||
    echo "svgframes failed on our SVG" >> "$TMP/diag"
  $SF $inv --paths "$TMP/full.svg" > "$TMP/full.raw" 2>> "$TMP/diag" ||
    echo "svgframes failed on our SVG (--minwidth 0)" >> "$TMP/diag"
  $SF $inv --paths "$svg" > "$TMP/theirs.raw" 2>> "$TMP/diag" ||
    echo "svgframes failed on $svg" >> "$TMP/diag"
  filter "$TMP/ours.raw" "$TMP/ours" ours
  filter "$TMP/full.raw" "$TMP/full" ours
  filter "$TMP/theirs.raw" "$TMP/theirs" theirs
  split=$(cut -f1 "$TMP/theirs" | uniq -d | wc -l | tr -d ' ')
  pruned=0
  if [ "$mode" != chart ]; then
    dup=$(cut -f1 "$TMP/ours" | uniq -d | head -n 3)
    [ -z "$dup" ] || echo "our SVG draws a path twice: $dup" >> "$TMP/diag"
    total=$(awk -F'\t' '$1 == "all" { print $3; exit }' "$TMP/theirs")
    MINWIDTH_SAMPLES=$(awk -v t="${total:-0}" -v px="$MINWIDTH_PX" 'BEGIN { printf "%.10g", px * t / 1180 }')
    pruned_by_inferno "$TMP/theirs" "$TMP/ours" "$TMP/full" "$TMP/missing"
    pruned=$(grep -c '	allowed$' "$TMP/missing")
    # The other paths that inferno lacks stay in and show up in the diff.
    awk -F'\t' 'FILENAME == ARGV[1] { if ($3 == "allowed") drop[$1] = 1; next }
      !($1 in drop)' "$TMP/missing" "$TMP/ours" > "$TMP/ours.kept"
  else
    cp "$TMP/ours" "$TMP/ours.kept"
  fi
  if [ "$mode" = chart ] || { [ "$mode" = merged ] && [ "$split" -eq 0 ] && [ "$pruned" -eq 0 ]; }; then
    note="every frame's path, x and width"
    if ! cmp -s "$TMP/theirs" "$TMP/ours.kept"; then
      show_diff "frames differ (x, width, path)" "$TMP/theirs" "$TMP/ours.kept"
    fi
  else
    note="widths per path"
    [ "$split" -eq 0 ] || note="$note; inferno split $split paths"
    [ "$pruned" -eq 0 ] || note="$note; $pruned of our frames pruned by inferno in split pieces"
    case $rel in /*) ;; *) [ "$split" -eq 0 ] && [ "$pruned" -eq 0 ] || split_files="$split_files $rel" ;; esac
    sums "$TMP/theirs" "$TMP/theirs.sum"
    sums "$TMP/ours.kept" "$TMP/ours.sum"
    cmp -s "$TMP/theirs.sum" "$TMP/ours.sum" ||
      show_diff "summed widths per path differ (width, path)" "$TMP/theirs.sum" "$TMP/ours.sum"
  fi
  # Height: (max visible depth + 1) * frame height + paddings; frames that
  # inferno pruned in pieces may make ours deeper.
  h1=$(sed -n 's/.*<svg [^>]*height="\([0-9.]*\)".*/\1/p' "$svg" | head -n 1)
  h2=$(sed -n 's/.*<svg [^>]*height="\([0-9.]*\)".*/\1/p' "$TMP/ours.svg" | head -n 1)
  extra=$(($(max_depth "$TMP/ours") - $(max_depth "$TMP/theirs")))
  [ "$pruned" -gt 0 ] || extra=0
  [ "$((${h1:-0} + 16 * extra))" = "${h2:-x}" ] ||
    echo "image height: inferno $h1, ours $h2 (expected inferno's + 16 * $extra)" >> "$TMP/diag"
  t1=$(root_title "$svg")
  t2=$(root_title "$TMP/ours.svg")
  [ -n "$t1" ] && [ "$t1" = "$t2" ] ||
    printf 'root title: inferno "%s", ours "%s"\n' "$t1" "$t2" >> "$TMP/diag"
  if [ "$mode" = chart ] && [ -s "$TMP/diag" ]; then
    # A hint: does it match with the input lines in reverse order?
    for a in "$@"; do last=$a; done
    awk '{ l[NR] = $0 } END { for (i = NR; i > 0; i--) print l[i] }' "$last" > "$TMP/reversed.txt"
    if $PR -q --no-javascript --flamechart "$TMP/reversed.txt" > "$TMP/rev.svg" 2>/dev/null &&
       $SF --paths "$TMP/rev.svg" > "$TMP/rev.raw" && filter "$TMP/rev.raw" "$TMP/rev" ours &&
       cmp -s "$TMP/theirs" "$TMP/rev"; then
      echo "hint: with the input lines reversed ours matches exactly, so only the line order differs (inferno draws the last line leftmost)" >> "$TMP/diag"
    fi
  fi
  if [ -s "$TMP/diag" ]; then
    not_ok "$name ($rel): $note" "prof-render $*" "$(cat "$TMP/diag")"
  else
    ok "$name ($rel): $note, height $h1, title \"$t1\" as inferno's"
  fi
  RENAME="" EXCLUDE=""
}

# The text of the root frame's <title>, entities decoded.
root_title() {
  grep -o '<title>all ([^<]*</title>' "$1" | head -n 1 |
    sed -e 's/<title>//' -e 's/<\/title>//' -e 's/&lt;/</g' -e 's/&gt;/>/g' \
      -e 's/&quot;/"/g' -e "s/&apos;/'/g" -e "s/&#39;/'/g" -e 's/&amp;/\&/g'
}

DIFF=$F/inferno__flamegraph__differential__perf-cycles-instructions-01-collapsed-all-diff.txt
VERTX=$F/inferno__flamegraph__unsorted-input__perf-vertx-stacks-01-collapsed-all-unsorted.txt
HALF=$F/inferno__flamegraph__multiple-inputs__perf-vertx-stacks-01-collapsed-all-unsorted
ASYNC=$F/inferno__flamegraph__colors__async-profiler-collapsed-part.txt
SYM="<& ' \""

# Differential input, default and with options that do not move frames.
compare "differential" differential/diff.svg merged $DIFF
compare "differential --negate" differential/diff-negated.svg merged --negate $DIFF
compare "default options" options/default.svg merged $DIFF
compare "--title" options/title_simple.svg merged --title "Test Graph" $DIFF
compare "--title with symbols" options/title_with_symbols.svg merged --title "Test $SYM" $DIFF
compare "--subtitle" options/subtitle_simple.svg merged --subtitle "Test Subtitle" $DIFF
compare "--subtitle with symbols" options/subtitle_with_symbols.svg merged --subtitle "Test Subtitle $SYM" $DIFF
compare "--notes" options/notes_simple.svg merged --notes "Test Notes" $DIFF
compare "--notes with symbols" options/notes_with_symbols.svg merged --notes "Test Notes $SYM" $DIFF
compare "--countname" options/count_name_simple.svg merged --countname test-samples $DIFF
compare "--countname with symbols" options/count_name_with_symbols.svg merged --countname "test-samples $SYM" $DIFF
compare "--nametype" options/name_type_simple.svg merged --nametype Tfunction: $DIFF
compare "--nametype with backslash" options/name_type_with_backslash.svg merged --nametype 'Test: \' $DIFF
compare "--nametype with quote" options/name_type_with_quote.svg merged --nametype "Test: '" $DIFF
compare "--fonttype" options/font_type_simple.svg merged --fonttype "Andale Mono" $DIFF
compare "--fonttype with quote" options/font_type_with_quote.svg merged --fonttype 'Andale Mono"' $DIFF
for fam in cursive fantasy monospace sans-serif serif; do
  compare "--fonttype $fam" options/font_type_$fam.svg merged --fonttype $fam $DIFF
done
compare "search colour (no such option: default geometry)" options/search_color.svg merged $DIFF
compare "stroke colour (no such option: default geometry)" options/stroke_color.svg merged $DIFF
compare "UI colour (no such option: default geometry)" options/uicolor_color.svg merged $DIFF

# perf-vertx: two unsorted halves, the unsorted whole, and options.
compare "two unsorted input files" perf-vertx-stacks/perf-vertx-stacks-01-collapsed-all.svg merged $HALF-1.txt $HALF-2.txt
compare "unsorted input file" perf-vertx-stacks/perf-vertx-stacks-01-collapsed-all.svg merged $VERTX
compare "--reverse" perf-vertx-stacks/perf-vertx-stacks-01-collapsed-all-reversed-stacks.svg merged --reverse $VERTX
compare "--inverted" inverted/inverted.svg merged --inverted $VERTX
compare "--factor 2.5" factor/factor-2.5.svg merged --factor 2.5 $VERTX
compare "palette map (colours only)" palette-map/consistent-palette.svg merged $VERTX
compare "colour diffusion (colours only)" options/colordiffusion.svg merged $VERTX

# Other inputs.
compare "--flamechart" flamechart/flame.svg chart --flamechart $F/inferno__flamegraph__base__flames.txt
compare "narrow blocks pruned" narrow-blocks/narrow-blocks.svg merged $F/inferno__flamegraph__narrow-blocks__narrow-blocks.txt
compare "async-profiler --colors java" colors/async-profiler-java.svg merged --colors java $ASYNC
compare "async-profiler deterministic colours" colors/deterministic.svg merged --hash $ASYNC
compare "--colors js" colors/js.svg merged --colors js $F/perf-js-stacks-01-collapsed-all.txt
compare "austin" austin/flame.svg merged $F/inferno__flamegraph__austin__flames.txt
compare "grey frames" grey-frames/grey-frames.svg merged $F/inferno__flamegraph__grey-frames__grey-frames.txt
compare "example perf stacks" example-perf-stacks/example-perf-stacks.svg merged $F/example-perf-stacks-collapsed.txt
RENAME='if (n == "main") n = "foo"; else if (n == "cksum") n = "bar"'
compare "--nameattr (titles renamed)" nameattr/nameattr.svg merged $F/perf-cycles-instructions-01-collapsed-all.txt
RENAME='if (n == "main") n = "foo"; else if (n == "cksum") n = "bar"'
compare "--nameattr, duplicate attributes (titles renamed)" nameattr/nameattr_duplicate_attributes.svg merged $F/perf-cycles-instructions-01-collapsed-all.txt

# Fractional counts, truncated as inferno does.
awk '{ c = $NF; sub(/[^ ]*$/, ""); print $0 int(c) }' \
  $F/inferno__flamegraph__fractional-samples__fractional.txt > "$TMP/fractional.txt"
compare "--reverse, fractional counts truncated" fractional-samples/fractional-reversed.svg merged --reverse "$TMP/fractional.txt"
awk '{ c = $NF; sub(/[^ ]*$/, ""); print $0 int(c) }' \
  $F/inferno__flamegraph__fractional-samples__with-space.txt > "$TMP/with-space.txt"
EXCLUDE='\[T|_\]>'
compare "--reverse, fractional counts truncated, [T; _] stack left out" fractional-samples/with-space-reversed.svg sums --reverse "$TMP/with-space.txt"

# Self-check of the allowed differences above, which none of inferno's SVGs
# needs: an SVG in inferno's layout, written here by hand, with what inferno
# draws for these sorted lines (min width 0.1 px = 8.56 samples):
#   p;foo 1000 / p;foo2 1000 / p;foo;bar 1000: foo in two boxes around foo2;
#   q;baz 5 / q;baz2 97985 / q;baz;x 5: baz in two boxes of 5, both pruned,
# where we draw foo once (2000) and baz once (10, wider than min width).
printf 'p;foo 1000\np;foo2 1000\np;foo;bar 1000\nq;baz 5\nq;baz2 97985\nq;baz;x 5\n' > "$TMP/split.txt"
{
  echo '<?xml version="1.0" standalone="no"?>'
  echo '<svg version="1.1" width="1200" height="134" xmlns="http://www.w3.org/2000/svg" xmlns:fg="http://github.com/jonhoo/inferno">'
  echo '    <svg id="frames" x="10" width="1180" total_samples="100995">'
  printf '%s\n' '0 0 100995 all' '1 0 3000 p' '2 0 1000 foo' '2 1000 1000 foo2' \
    '2 2000 1000 foo' '3 2000 1000 bar' '1 3000 97995 q' '2 3005 97985 baz2' |
    awk '{ printf "        <g>\n            <title>%s (%d samples, %s%%)</title>\n", $4, $3, $4 == "all" ? "100" : sprintf("%.2f", 100 * $3 / 100995)
           printf "            <rect x=\"%.4f%%\" y=\"%d\" width=\"%.4f%%\" height=\"15\" fill=\"rgb(0,0,0)\" fg:x=\"%d\" fg:w=\"%d\"/>\n", 100 * $2 / 100995, 85 - 16 * $1, 100 * $3 / 100995, $2, $3
           printf "            <text x=\"0\" y=\"0\">%s</text>\n        </g>\n", $4 }' |
    sed 's/(100995 samples/(100,995 samples/'
  echo '    </svg>'
  echo '</svg>'
} > "$TMP/split.svg"
compare "self-check: split and pruned-in-pieces boxes are allowed" "$TMP/split.svg" merged "$TMP/split.txt"

# The documented difference itself, on a small input.
printf 'p;foo 1\np;foo2 1\np;foo;bar 1\n' > "$TMP/prefix.folded"
$PR -o "$TMP/prefix.svg" "$TMP/prefix.folded"
$SF --paths "$TMP/prefix.svg" > "$TMP/prefix.paths"
printf 'all\t0\t3\nall;p\t0\t3\nall;p;foo\t0\t2\nall;p;foo;bar\t1\t1\nall;p;foo2\t2\t1\n' > "$TMP/prefix.want"
same_file "p;foo, p;foo2, p;foo;bar: one foo box of 2 samples (prefix tree)" "$TMP/prefix.want" "$TMP/prefix.paths"

echo "# inferno split paths (so only widths per path were compared) in:${split_files:- none}"
done_testing
