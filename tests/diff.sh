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
  xmllint --noout '$TMP/d.svg' && grep -q 'main.checksum' '$TMP/d.svg' && grep -q '; +[0-9.]*%)</title>' '$TMP/d.svg'"
exit_is "the differential folded file reads back as a differential profile" 0 \
  $PR -o "$TMP/back.svg" "$TMP/d.folded"
check "  ... drawn with the change in its tooltips" grep -q '; +[0-9.]*%)</title>' "$TMP/back.svg"
$PR diff -o "$TMP/d.png" "$V1" "$V2" >/dev/null
check "-o x.png: a PNG" sh -c "head -c 8 '$TMP/d.png' | od -An -c | grep -q 'P   N   G'"

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
