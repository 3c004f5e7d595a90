#!/bin/sh
# prof-render diff: the comparison of two releases and the CI gate.
# - Real profiles: testdata/diff/ holds Go CPU profiles of
#   tests/diff/workload.go (made by tests/diff/gen.sh), version 1 twice and
#   version 2, whose checksum is 30% slower, twice. The gate must name
#   main.checksum and exit 1 for v1 -> v2, and pass v1 -> v1.
# - The report in every form (text, Markdown, JSON, JUnit), with hostile
#   function names; the differential graph and folded pairs; errors.
# The statistics themselves (false alarms, power) are measured in
# tests/test_diff.c.
. tests/lib.sh
D=testdata/diff
V1=$D/v1-run1.pb.gz
V1B=$D/v1-run2.pb.gz
V2=$D/v2-run1.pb.gz
V2B=$D/v2-run2.pb.gz

# ---- the gate on real profiles ----
exit_is "v1 -> v2 (checksum 30% slower): --fail-on-regression exits 1" 1 \
  $PR diff --fail-on-regression "$V1" "$V2"
cp "$TMP/exit.out" "$TMP/v1v2.txt"
check "  ... and names main.checksum as the regression" \
  grep -Eq '^ .* regressed +main\.checksum$' "$TMP/v1v2.txt"
check "  ... and only it" sh -c "[ \$(grep -c ' regressed ' '$TMP/v1v2.txt') -eq 1 ]"
check "  ... the verdict line says so" grep -q '^Verdict: REGRESSION: 1 function got slower' "$TMP/v1v2.txt"
exit_is "v1 -> v2 without --fail-on-regression exits 0" 0 $PR diff "$V1" "$V2"
exit_is "v1 -> v1 (another run): no regression, exit 0" 0 \
  $PR diff --fail-on-regression "$V1" "$V1B"
check "  ... the verdict is ok" grep -q '^Verdict: ok: no function got slower' "$TMP/exit.out"
exit_is "v2 -> v1: checksum improved, no regression" 0 \
  $PR diff --fail-on-regression "$V2" "$V1"
check "  ... and is reported as improved" grep -Eq ' improved +main\.checksum$' "$TMP/exit.out"
exit_is "several runs a side (BASE... -- NEW...): Welch's t-test" 0 \
  $PR diff "$V1" "$V1B" -- "$V2" "$V2B"
check "  ... says which test it used" grep -q "Welch's t-test on the per-run shares" "$TMP/exit.out"
$PR diff --base-files "$V1" --base-files "$V1B" --new-files "$V2" --new-files "$V2B" >"$TMP/files.txt"
$PR diff "$V1" "$V1B" -- "$V2" "$V2B" >"$TMP/dashes.txt"
same_file "--base-files/--new-files equal BASE... -- NEW..." "$TMP/dashes.txt" "$TMP/files.txt"
exit_is "--metric total runs" 0 $PR diff --metric total "$V1" "$V2"
check "  ... and says what it tested" grep -q 'the total share grew' "$TMP/exit.out"
exit_is "--threshold 500% turns the regression off" 0 \
  $PR diff --fail-on-regression --threshold 500% "$V1" "$V2"
exit_is "--match lines: functions by file and line" 1 \
  $PR diff --match lines --fail-on-regression "$V1" "$V2"
check "  ... the rows carry file:line" grep -Eq 'regressed +main\.checksum .*\.go:[0-9]+$' "$TMP/exit.out"

# ---- function identity: by name, and by module where a name is in two ----
# Sentry profiles carry each frame's binary (folded files do not): memcpy
# in libc and in libfoo, main.work in the app, renamed app-v1 -> app-v2
# and libfoo.so.1 -> .2 between the releases. release APP LIBFOO COUNTS:
# the samples ending in main.work, libc's memcpy, libfoo's, other.
release() {
  awk -v app="$1" -v foo="$2" -v counts="$3" 'BEGIN {
    printf "{\"version\":\"2\",\"platform\":\"native\",\"profile\":{\"frames\":["
    printf "{\"function\":\"main.main\",\"package\":\"%s\"},", app
    printf "{\"function\":\"main.work\",\"package\":\"%s\"},", app
    printf "{\"function\":\"memcpy\",\"package\":\"/usr/lib/x86_64-linux-gnu/libc.so.6\"},"
    printf "{\"function\":\"memcpy\",\"package\":\"%s\"},", foo
    printf "{\"function\":\"other\",\"package\":\"%s\"}],", app
    printf "\"stacks\":[[1,0],[2,1,0],[3,1,0],[4,0]],\"samples\":["
    split(counts, c, " ")
    t = 0; sep = ""
    for (s = 1; s <= 4; s++)
      for (i = 0; i < c[s]; i++) {
        printf "%s{\"stack_id\":%d,\"thread_id\":\"1\",\"timestamp\":%.2f}", sep, s - 1, 1700000000 + t / 100
        t++; sep = ","
      }
    printf "]}}\n"
  }'
}
release /opt/app/bin/app-v1 /opt/lib/libfoo.so.1 "300 100 100 500" >"$TMP/m1.json"
release /opt/app/bin/app-v2 /opt/lib/libfoo.so.2 "300 200 100 400" >"$TMP/m2.json"
exit_is "modules: libc's memcpy grows, libfoo's does not: exit 1" 1 \
  $PR diff --fail-on-regression "$TMP/m1.json" "$TMP/m2.json"
cp "$TMP/exit.out" "$TMP/m.txt"
check "  ... names memcpy [libc.so] as the regression, and only it" sh -c "
  grep -Eq ' regressed +memcpy \\[libc\\.so\\]\$' '$TMP/m.txt' &&
  [ \$(grep -c ' regressed ' '$TMP/m.txt') -eq 1 ]"
check "  ... libfoo.so.1 and .2 are one module: memcpy [libfoo.so] one row, unchanged" sh -c "
  [ \$(grep -Ec ' +\\+0\\.00pp .* memcpy \\[libfoo\\.so\\]\$' '$TMP/m.txt') -eq 1 ] &&
  ! grep -Eq 'memcpy( \\[libfoo\\.so\\.[12]\\])?\$' '$TMP/m.txt'"
check "  ... main.work, in a renamed binary, is one row matched by name" sh -c "
  [ \$(grep -c 'main\\.work' '$TMP/m.txt') -eq 1 ] &&
  grep -Eq ' +\\+0\\.00pp .* main\\.work\$' '$TMP/m.txt'"

# ---- the report's other forms ----
$PR diff --summary json "$V1" "$V2" >"$TMP/v.json"
if command -v python3 >/dev/null 2>&1; then
  check "json: valid, verdict regression, main.checksum with its numbers" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["verdict"] == "regression", d["verdict"]
r = d["regressions"]
assert [x["function"] for x in r] == ["main.checksum"], r
x = r[0]
assert x["new_share"] > x["base_share"] and x["delta_pp"] >= 1 and x["relative"] >= 0.1
assert x["p_value"] <= d["alpha_per_function"] <= d["alpha"] == 0.01
assert abs(x["delta_pp"] - 100 * (x["new_share"] - x["base_share"])) < 1e-9
assert d["totals"]["base_runs"] == 1 and d["totals"]["new_runs"] == 1
' "$TMP/v.json"
fi
$PR diff --summary junit --summary-file "$TMP/junit.xml" "$V1" "$V2" >"$TMP/junit.stdout"
check "junit: written to --summary-file, nothing on stdout" test ! -s "$TMP/junit.stdout"
check "junit: well-formed XML, one failure naming main.checksum" sh -c "
  xmllint --noout '$TMP/junit.xml' &&
  grep -q 'failures=\"1\"' '$TMP/junit.xml' &&
  grep -q '<testcase classname=\"prof-render.diff\" name=\"main.checksum\"><failure' '$TMP/junit.xml'"
$PR diff --summary markdown "$V1" "$V2" >"$TMP/v.md"
check "markdown: a heading with the verdict and a table" sh -c "
  grep -q '^### prof-render diff: regression' '$TMP/v.md' &&
  grep -q '^| function | base self | new self' '$TMP/v.md' &&
  grep -q '^| main\\\\.checksum | .* | \\*\\*regressed\\*\\* |$' '$TMP/v.md'"

# ---- hostile names ----
printf 'main;a|b 1000\nmain;*x* 1000\nmain;<script>alert(1)</script> 1000\nmain;`c` 1000\nmain;esc\033[31mred 1000\nmain;q"uote\\ 1000\n' >"$TMP/hb.folded"
printf 'main;a|b 3000\nmain;*x* 1000\nmain;<script>alert(1)</script> 3000\nmain;`c` 1000\nmain;esc\033[31mred 3000\nmain;q"uote\\ 3000\n' >"$TMP/hn.folded"
$PR diff "$TMP/hb.folded" "$TMP/hn.folded" >"$TMP/h.txt"
check "text: no escape character from the data reaches the terminal" sh -c "! grep -q \"\$(printf '\\033')\" '$TMP/h.txt'"
$PR diff --summary markdown "$TMP/hb.folded" "$TMP/hn.folded" >"$TMP/h.md"
check "markdown: names cannot break the table or open markup" sh -c "
  grep -qF '| a\\|b |' '$TMP/h.md' && grep -qF '&lt;script&gt;' '$TMP/h.md' &&
  ! grep -qF '<script>' '$TMP/h.md' && grep -qF '\\\`c\\\`' '$TMP/h.md'"
if command -v python3 >/dev/null 2>&1; then
  $PR diff --summary json "$TMP/hb.folded" "$TMP/hn.folded" >"$TMP/h.json"
  check "json: hostile names are valid JSON and read back as they were" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
names = {x["function"] for x in d["regressions"] + d["improvements"]}
assert "<script>alert(1)</script>" in names and "a|b" in names, names
assert "q\"uote\\" in names and "esc\x1b[31mred" in names, names
' "$TMP/h.json"
fi
$PR diff --summary junit "$TMP/hb.folded" "$TMP/hn.folded" >"$TMP/h.xml"
check "junit: hostile names stay well-formed XML" xmllint --noout "$TMP/h.xml"

# ---- the differential graph and folded pairs ----
$PR diff -o "$TMP/d.folded" "$V1" "$V2" >/dev/null
check "-o x.folded: two-column folded stacks, BASE scaled to NEW's total" awk '
  NF < 3 { bad = 1 } { b += $(NF - 1); n += $NF }
  END { exit bad || b <= 0 || (b - n) * (b - n) > 1e-6 * n * n }' "$TMP/d.folded"
$PR diff --absolute -o "$TMP/da.folded" "$V1" "$V2" >/dev/null
$PR collapse "$V1" >"$TMP/v1.folded"
check "--absolute keeps BASE's own values" sh -c "
  [ \"\$(awk '{s += \$(NF - 1)} END {print s}' '$TMP/da.folded')\" = \"\$(awk '{s += \$NF} END {print s}' '$TMP/v1.folded')\" ]"
$PR diff -o "$TMP/d.svg" "$V1" "$V2" >/dev/null
check "-o x.svg: a well-formed differential flame graph" sh -c "
  xmllint --noout '$TMP/d.svg' && grep -q '<title>main.checksum (NEW [0-9.]*s, [0-9.]*%; BASE [0-9.]*s, [0-9.]*%; +[0-9.]* pp, +[0-9.]*%)</title>' '$TMP/d.svg'"

# A small diff with every case: x grew, y shrank, c only in NEW, gone;z
# only in BASE. BASE has 50 samples, NEW 62, so normalised BASE counts
# are scaled by 1.24 in the graph, and the tooltips undo it.
printf 'main;a;x 10\nmain;a;y 20\nmain;gone;z 15\nmain;b 5\n' >"$TMP/small-base.folded"
printf 'main;a;x 30\nmain;a;y 20\nmain;b 5\nmain;c 7\n' >"$TMP/small-new.folded"
SB=$TMP/small-base.folded
SN=$TMP/small-new.folded
titles() { grep -o '<title>[^<]*</title>' "$1"; }
$PR diff -o "$TMP/s.svg" "$SB" "$SN" >/dev/null
titles "$TMP/s.svg" >"$TMP/s.titles"
check "tooltips: both sides' own samples and shares, the change and the relative change" \
  grep -qx '<title>x (NEW 30 samples, 48.39%; BASE 10 samples, 20.00%; +28.39 pp, +141.9%)</title>' "$TMP/s.titles"
check "  ... a function new in NEW says so" \
  grep -qx '<title>c (NEW 7 samples, 11.29%; BASE 0 samples, 0.00%; +11.29 pp, only in NEW)</title>' "$TMP/s.titles"
check "  ... width from NEW: the frames only in BASE are not drawn" sh -c "! grep -q '<title>gone ' '$TMP/s.titles'"
check "  ... but their caller says how much vanished" \
  grep -q '<title>main (.*; calls only in BASE: 15 samples)</title>' "$TMP/s.titles"
check "  ... and is outlined" grep -q '<title>main (.*stroke="#2030C0"' "$TMP/s.svg"
check "  ... and only it" sh -c "[ \$(grep -c '<g><title>.*stroke=' '$TMP/s.svg') -eq 1 ]"
check "a legend: the hues, the outline, where widths come from, what colours compare" sh -c "
  grep -q '<g id=\"legend\">' '$TMP/s.svg' && grep -q '>grew</text>' '$TMP/s.svg' &&
  grep -q '>shrank</text>' '$TMP/s.svg' && grep -q '>has calls only in BASE</text>' '$TMP/s.svg' &&
  grep -q '>width: NEW</text>' '$TMP/s.svg' && grep -q '>colour: change in share of the total</text>' '$TMP/s.svg'"
$PR diff --width-from max -o "$TMP/smax.svg" "$SB" "$SN" >/dev/null
titles "$TMP/smax.svg" >"$TMP/smax.titles"
check "--width-from max: frames only in BASE are drawn, with their BASE values" \
  grep -qx '<title>z (NEW 0 samples, 0.00%; BASE 15 samples, 30.00%; -30.00 pp, only in BASE)</title>' "$TMP/smax.titles"
# Normalised, BASE's stacks weigh 1.24x: max(12.4, 30) + max(24.8, 20) +
# 18.6 + max(6.2, 5) + 7 = 30 + 24.8 + 18.6 + 6.2 + 7.
check "  ... each stack as wide as its larger side: the root spans 86.6" \
  grep -q '<title>all (.*fg:w="86.6"' "$TMP/smax.svg"
check "  ... nothing is outlined, nothing is hidden" sh -c "! grep -q 'stroke=\"#2030C0\" stroke-width=\"1.5\" rx' '$TMP/smax.svg'"
$PR diff --width-from base -o "$TMP/sbase.svg" "$SB" "$SN" >/dev/null
check "--width-from base: BASE's frames at BASE's (scaled) widths; c only in NEW is hidden and marked" sh -c "
  grep -q '<title>z (.*fg:w=\"18.6\"' '$TMP/sbase.svg' && ! grep -q '<title>c ' '$TMP/sbase.svg' &&
  grep -q '<title>main (.*; calls only in NEW: 7 samples)</title>' '$TMP/sbase.svg' &&
  grep -q '>width: BASE</text>' '$TMP/sbase.svg'"
$PR diff --absolute -o "$TMP/sabs.svg" "$SB" "$SN" >/dev/null
check "--absolute: the legend says colours compare samples" \
  grep -q '>colour: change in samples</text>' "$TMP/sabs.svg"
check "  ... and BASE's values are its own" \
  grep -q '<title>x (NEW 30 samples, 48.39%; BASE 10 samples, 20.00%' "$TMP/sabs.svg"
exit_is "--width-from wide: 2" 2 $PR diff --width-from wide "$SB" "$SN"
$PR diff -o "$TMP/s.pdf" "$SB" "$SN" >/dev/null
if command -v pdftotext >/dev/null 2>&1; then
  pdftotext "$TMP/s.pdf" "$TMP/s.pdf.txt"
  check "PDF: the same legend, drawn" sh -c "
    grep -q 'has calls only in BASE' '$TMP/s.pdf.txt' && grep -q 'width: NEW' '$TMP/s.pdf.txt'"
fi
$PR -o "$TMP/plain.svg" "$TMP/d.folded"
check "a two-column folded file without diff keeps flamegraph.pl's tooltips and no legend" sh -c "
  grep -q '; +[0-9.]*%)</title>' '$TMP/plain.svg' && ! grep -q 'id=\"legend\"' '$TMP/plain.svg'"
$PR --width-from max -o "$TMP/plainmax.svg" "$TMP/d.folded"
# Each line of the folded pair is as wide as its larger column: the root
# spans their sum (the SVG prints it shortest-exact, compared to 1e-9).
want=$(awk '{b = $(NF - 1); a = $NF; s += (a > b ? a : b)} END {printf "%.17g", s}' "$TMP/d.folded")
got=$(sed -n 's/.*<title>all (.*fg:w="\([^"]*\)".*/\1/p' "$TMP/plainmax.svg")
check "  ... --width-from max applies to it too: the root spans the sum of each line's larger value" \
  awk -v w="$want" -v g="$got" 'BEGIN { d = w - g; exit !(g != "" && d * d <= 1e-18 * w * w) }'
exit_is "the differential folded file reads back as a differential profile" 0 \
  $PR -o "$TMP/back.svg" "$TMP/d.folded"
check "  ... drawn with the change in its tooltips" grep -q '; +[0-9.]*%)</title>' "$TMP/back.svg"
$PR diff -o "$TMP/d.png" "$V1" "$V2" >/dev/null
check "-o x.png: a PNG" sh -c "head -c 8 '$TMP/d.png' | od -An -c | grep -q 'P   N   G'"

# ---- on a terminal: colour, unless NO_COLOR; never the data's escapes ----
if command -v script >/dev/null 2>&1; then
  script -qec "$PR diff '$SB' '$SN'" /dev/null >"$TMP/tty.txt" 2>&1
  ESC=$(printf '\033')
  check "on a terminal: the verdict and the regressed rows in red" sh -c "
    grep -q 'Verdict: ${ESC}\[1m${ESC}\[31mREGRESSION' '$TMP/tty.txt' &&
    grep -q '${ESC}\[31mregressed' '$TMP/tty.txt'"
  check "  ... the improved ones in green" grep -q "${ESC}\\[32mimproved" "$TMP/tty.txt"
  NO_COLOR=1 script -qec "$PR diff '$SB' '$SN'" /dev/null >"$TMP/tty-nc.txt" 2>&1
  check "  ... no colour with NO_COLOR" sh -c "! grep -q '$ESC' '$TMP/tty-nc.txt'"
  script -qec "$PR diff '$TMP/hb.folded' '$TMP/hn.folded'" /dev/null >"$TMP/tty-h.txt" 2>&1
  check "  ... and no escape from the data: only the table's own colours" sh -c "
    ! grep -q '${ESC}\[31mred' '$TMP/tty-h.txt' && grep -q 'esc.*red' '$TMP/tty-h.txt'"
fi

# ---- errors ----
exit_is "one profile is a usage error" 2 $PR diff "$V1"
exit_is "three profiles without -- is a usage error" 2 $PR diff "$V1" "$V1B" "$V2"
exit_is "a missing file: 66" 66 $PR diff "$V1" "$TMP/nope.pb.gz"
printf 'not a profile\0\1\2' >"$TMP/bad.bin"
exit_is "a bad file: 65" 65 $PR diff "$V1" "$TMP/bad.bin"
exit_is "--threshold x: 2" 2 $PR diff --threshold x "$V1" "$V2"
exit_is "--p-value 1: 2" 2 $PR diff --p-value 1 "$V1" "$V2"
exit_is "--summary yaml: 2" 2 $PR diff --summary yaml "$V1" "$V2"
exit_is "an unwritable --summary-file: 74" 74 $PR diff --summary-file /nonexistent/x.json "$V1" "$V2"

done_testing
