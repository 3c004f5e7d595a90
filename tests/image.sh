#!/bin/sh
# PNG and PDF flame graphs (render/image.c).
# - Geometry: for several inputs and options, the PNG must match the SVG of
#   the same input rasterised by librsvg (rsvg-convert): outside text at
#   least 99% of pixels identical, every frame with its SVG fill
#   (tests/pngcmp.c), also at --scale 2 against a 2x rasterisation. The
#   PDF, rasterised by poppler, is held to the same.
# - Same input, same bytes; PDF structure; text that pango must not choke
#   on; the size limit; the command line's format selection.
. tests/lib.sh
PNGCMP=$BUILD/tests/pngcmp
F=testdata/folded
VERTX=$F/perf-vertx-stacks-01-collapsed-all.txt
DIFF=$F/inferno__flamegraph__differential__perf-cycles-instructions-01-collapsed-all-diff.txt

# ---- geometry against librsvg ----
# compare NAME [--scale S] -- PROF-RENDER OPTIONS AND INPUTS
compare() {
  name=$1
  shift
  scale=1
  if [ "$1" = "--scale" ]; then scale=$2; shift 2; fi
  shift # --
  if ! $PR --no-javascript -o "$TMP/$name.svg" "$@" 2>"$TMP/err" ||
     ! $PR --scale "$scale" -o "$TMP/$name.png" "$@" 2>>"$TMP/err"; then
    not_ok "PNG geometry: $name" "$(cat "$TMP/err")"
    return
  fi
  if [ -s "$TMP/err" ]; then
    not_ok "PNG geometry: $name: nothing on stderr" "$(head -c 500 "$TMP/err")"
    return
  fi
  rsvg-convert --zoom "$scale" -o "$TMP/$name-ref.png" "$TMP/$name.svg"
  if "$PNGCMP" --scale "$scale" "$TMP/$name.svg" "$TMP/$name-ref.png" \
      "$TMP/$name.png" >"$TMP/cmp.out" 2>&1; then
    ok "PNG geometry: $name: $(sed 's/^pngcmp: //' "$TMP/cmp.out")"
  else
    not_ok "PNG geometry: $name" "$(cat "$TMP/cmp.out")"
  fi
}

if command -v rsvg-convert >/dev/null 2>&1; then
  compare vertx -- --colors java "$VERTX"
  compare vertx-2x --scale 2 -- --colors java "$VERTX"
  compare icicle -- --inverted --title "Icicle: ünïcødé" "$VERTX"
  compare reverse-weight -- --reverse --sort weight --colors mem $F/perf-java-stacks-01-collapsed-all.txt
  compare differential -- "$DIFF"
  compare negate-narrow -- --negate --width 400 --minwidth 0.5 "$DIFF"
  compare pprof-chart -- --flamechart --subtitle "a subtitle" testdata/pprof/pprof__internal__proftest__large.cpu
  compare cpuprofile -- --colors js testdata/chrome/speedscope__Chrome__65__simple.cpuprofile
else
  echo "ok 1 # SKIP rsvg-convert (librsvg2-bin) is not installed"
fi

# PDF: rasterised by poppler (pdftocairo), against the SVG as librsvg
# draws it; poppler rounds the background gradient by one level here and
# there, hence a tolerance of 2 per channel.
pdf_compare() {
  name=$1
  shift
  if ! $PR --no-javascript -o "$TMP/$name.svg" "$@" || ! $PR -o "$TMP/$name.pdf" "$@"; then
    not_ok "PDF geometry: $name: rendering failed"
    return
  fi
  rsvg-convert -o "$TMP/$name-ref.png" "$TMP/$name.svg"
  pdftocairo -png -singlefile -r 72 "$TMP/$name.pdf" "$TMP/$name-pdf"
  if "$PNGCMP" --tolerance 2 "$TMP/$name.svg" "$TMP/$name-ref.png" \
      "$TMP/$name-pdf.png" >"$TMP/cmp.out" 2>&1; then
    ok "PDF geometry: $name: $(sed 's/^pngcmp: //' "$TMP/cmp.out")"
  else
    not_ok "PDF geometry: $name" "$(cat "$TMP/cmp.out")"
  fi
}
if command -v rsvg-convert >/dev/null 2>&1 && command -v pdftocairo >/dev/null 2>&1; then
  pdf_compare vertx-pdf --colors java "$VERTX"
  pdf_compare differential-pdf --inverted "$DIFF"
else
  echo "ok 1 # SKIP rsvg-convert (librsvg2-bin) or pdftocairo (poppler-utils) is not installed"
fi

# ---- reproducible output ----
for fmt in png pdf; do
  $PR -o "$TMP/a.$fmt" "$VERTX" && $PR -o "$TMP/b.$fmt" "$VERTX"
  same_file "$fmt: same input, same bytes" "$TMP/a.$fmt" "$TMP/b.$fmt"
done
$PR --format png "$VERTX" >"$TMP/stdout.png"
same_file "png: --format png to stdout is the file -o writes" "$TMP/a.png" "$TMP/stdout.png"
$PR --scale 2 -o "$TMP/2x.png" "$VERTX"
check "png: the size is the layout's (1200 wide), doubled by --scale 2" \
  sh -c "od -An -tx1 -j16 -N8 '$TMP/a.png' | tr -d ' \n' | grep -q '^000004b0' &&
         od -An -tx1 -j16 -N8 '$TMP/2x.png' | tr -d ' \n' | grep -q '^00000960'"

# ---- PDF ----
pdf=$TMP/a.pdf
check "pdf: a PDF file" sh -c "head -c 5 '$pdf' | grep -q '^%PDF-' && tail -c 8 '$pdf' | grep -q '%%EOF'"
height=$(sed -n 's/.*height="\([0-9]*\)" onload.*/\1/p' "$TMP/vertx.svg" 2>/dev/null)
[ -n "$height" ] || height=$($PR --no-javascript "$VERTX" | sed -n 's/.*<svg version="1.1" width="[0-9]*" height="\([0-9]*\)".*/\1/p')
check "pdf: one page of the SVG's size in points (1200 x $height)" \
  grep -aq "/MediaBox \[ *0 0 1200 $height *\]" "$pdf"
check "pdf: text in DejaVu Sans (embedded), reproducible date" \
  sh -c "grep -aq 'FontName /[A-Z]*+DejaVuSans' '$pdf' && grep -aq 'CreationDate (19700101000000Z)' '$pdf'"

# ---- the text, read back from the PDF (pdftotext) ----
if command -v pdftotext >/dev/null 2>&1; then
  pdftotext "$pdf" "$TMP/a.txt"
  check "pdf text: title, frame labels and the footer's total" \
    sh -c "grep -qx 'Flame Graph' '$TMP/a.txt' && grep -qx 'java_start' '$TMP/a.txt' &&
           grep -qx 'Total: 285 samples' '$TMP/a.txt'"
  $PR -o "$TMP/pprof.pdf" testdata/pprof/pprof__internal__proftest__large.cpu
  pdftotext "$TMP/pprof.pdf" "$TMP/pprof.txt"
  check "pdf text: a pprof profile's footer gives the measure and the sample type" \
    grep -qx 'Total: 240.29s · sample type cpu (nanoseconds)' "$TMP/pprof.txt"
  $PR --title "Before → after" -o "$TMP/diff.pdf" "$DIFF"
  pdftotext "$TMP/diff.pdf" "$TMP/diff.txt"
  check "pdf text: a differential graph has a legend; the title is UTF-8" \
    sh -c "grep -q 'grew' '$TMP/diff.txt' && grep -q 'shrank' '$TMP/diff.txt' &&
           grep -qx 'Before → after' '$TMP/diff.txt'"
  $PR -o "$TMP/plain.pdf" "$VERTX"
  pdftotext "$TMP/plain.pdf" "$TMP/plain.txt"
  check "pdf text: no legend without a differential profile" \
    sh -c "! grep -q 'shrank' '$TMP/plain.txt'"
  # A label is cut where pango says it stops fitting: the cut ones end in
  # "..", and none is longer than its name.
  check "pdf text: long names are cut with '..'" grep -q '^hypercall_\.\.$' "$TMP/a.txt"
fi
$PR --fonttype "DejaVu Serif" -o "$TMP/serif.pdf" "$VERTX"
check "--fonttype is honoured (DejaVu Serif embedded)" grep -aq 'FontName /[A-Z]*+DejaVuSerif' "$TMP/serif.pdf"

# ---- text pango must take as it comes ----
# invalid UTF-8, control characters, right-to-left and combining text,
# emoji, markup characters and a 1 MB name: drawn without a word on stderr.
{
  printf 'main;\377\376bad utf8;leaf 5\n'
  printf 'main;ctl\001\002\033[31m;x 4\n'
  printf 'main;\327\251\327\234\327\225\327\235 \330\263\331\204\330\247\331\205;y 3\n'
  printf 'main;e\314\201\314\202\314\203;\360\237\224\245 fire;z 3\n'
  printf 'main;<b>&amp;</b> %%s %%n;w 2\n'
  printf 'main;'; head -c 1000000 /dev/zero | tr '\0' 'n'; printf ' 6\n'
} >"$TMP/hostile.folded"
for fmt in png pdf; do
  if $PR -o "$TMP/hostile.$fmt" "$TMP/hostile.folded" 2>"$TMP/hostile.err" &&
     [ ! -s "$TMP/hostile.err" ] && [ -s "$TMP/hostile.$fmt" ]; then
    ok "$fmt: hostile names drawn, nothing on stderr"
  else
    not_ok "$fmt: hostile names drawn, nothing on stderr" "$(head -c 500 "$TMP/hostile.err")"
  fi
done
if command -v rsvg-convert >/dev/null 2>&1; then
  compare hostile -- "$TMP/hostile.folded"
fi

# ---- limits and errors ----
awk 'BEGIN { s = "f0"; for (i = 1; i < 2100; i++) s = s ";f" i; print s, 1 }' >"$TMP/deep.folded"
exit_is "png: 2100 levels (over 32767 pixels) is refused" 65 $PR -o "$TMP/deep.png" "$TMP/deep.folded"
check "png: the message names the size and the way out" \
  grep -q "would be 1200 x 336[0-9][0-9] pixels (2101 levels deep); the limit is 32767" "$TMP/exit.err"
check "png: no output file left behind" test ! -e "$TMP/deep.png"
exit_is "png: 2100 levels fit with --height 8" 0 $PR --height 8 -o "$TMP/deep.png" "$TMP/deep.folded"
exit_is "--scale 0 is a usage error" 2 $PR --scale 0 -o "$TMP/x.png" "$VERTX"
check "  ... saying the range" grep -q "scale must be between 0.1 and 16" "$TMP/exit.err"
exit_is "--format tsv is for top, not render" 2 $PR --format tsv "$VERTX"
exit_is "--format png is for render, not top" 2 $PR top --format png "$VERTX"
exit_is "--format jpeg is refused" 2 $PR --format jpeg "$VERTX"
$PR -o "$TMP/upper.PNG" "$VERTX"
check "-o NAME.PNG (any case) writes a PNG" sh -c "head -c 8 '$TMP/upper.PNG' | od -An -c | grep -q 'P   N   G'"
$PR --format svg -o "$TMP/forced.png" "$VERTX"
check "--format wins over the extension" grep -q '^<?xml' "$TMP/forced.png"
exit_is "png: unwritable output is exit 74" 74 $PR -o /nonexistent/dir/x.png "$VERTX"

done_testing
