#!/bin/sh
# Browser tests of the HTML report's page (render/report.js, report.css) in
# headless Chromium: loading under the CSP, zoom, search, table, views, URL
# state, sandwich, flame chart, diff verdict, hostile names, and the time a
# 1,000,000-node page takes to draw its first graph. Pages are assembled
# from fixture DATA by tests/browser/make_report_page.py (edge cases the C
# writer never makes: a million unpruned nodes, every unit) and written by
# `prof-render report` from real inputs; report_test.js takes any pages.
# Skipped, with a note, when Chromium, node or the test's node modules are
# not installed (.ci/run installs them). REPORT_OUT=DIR keeps the large
# page's screenshot (default: a temporary directory, printed).
. tests/lib.sh

if ! command -v node >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1 ||
   [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ] ||
   [ ! -d tests/browser/node_modules/playwright-core ]; then
  echo "ok 1 - report browser tests # SKIP needs node, python3, /usr/bin/chromium and 'npm ci' in tests/browser"
  echo "1..1"
  exit 0
fi

OUT=${REPORT_OUT:-$(mktemp -d)}
mkdir -p "$OUT"
F=tests/browser/fixtures
pages=""
for f in small timed diff hostile; do
  if python3 tests/browser/make_report_page.py "$F/$f.json" "$TMP/$f.html"; then
    ok "assemble $f.html"
    pages="$pages $TMP/$f.html"
  else
    not_ok "assemble $f.html"
  fi
done
# Pages written by prof-render report itself: a folded file, a pprof file
# with files and lines and two columns, a timed .cpuprofile with source
# links, a comparison of two releases, and hostile names.
printf '%s\n' 'main;</script><script>alert(1)</script> 3' \
  'main;"><img src=x onerror=alert(2)> 2' "main;it's \"quoted\" & <b>bold</b> 1" \
  'main;\u2028 line separator 1' >"$TMP/hostile.folded"
mk() { # NAME ARGS...: prof-render report ARGS -o $TMP/pr-NAME.html
  name=$1; shift
  if $PR report -o "$TMP/pr-$name.html" "$@" 2>"$TMP/pr-$name.err"; then
    ok "prof-render report writes pr-$name.html"
    pages="$pages $TMP/pr-$name.html"
  else
    not_ok "prof-render report writes pr-$name.html" "$(cat "$TMP/pr-$name.err")"
  fi
}
mk folded testdata/folded/perf-vertx-stacks-01-collapsed-all.txt
mk pprof testdata/pprof/pprof__internal__report__sample.cpu
mk timed --source-url 'https://example.com/r/blob/{rev}/{path}#L{line}' --rev v1 \
  testdata/chrome/firefox-profiler__hello.cjs-20231120T211435.cpuprofile
mk diff --base testdata/diff/v1-run1.pb.gz testdata/diff/v2-run1.pb.gz
mk hostile --source-url 'https://example.com/{path}' "$TMP/hostile.folded"

# The large page: about 1,000,000 nodes, generated (it is too big to keep).
LARGE_NODES=${LARGE_NODES:-1000000}
large=""
if python3 tests/browser/gen_fixtures.py --large "$LARGE_NODES" "$TMP/large.json" >/dev/null &&
   python3 tests/browser/make_report_page.py "$TMP/large.json" "$TMP/large.html"; then
  ok "generate a $LARGE_NODES-node page ($(wc -c < "$TMP/large.html") bytes)"
  large="--large $TMP/large.html"
else
  not_ok "generate the large page"
fi

# shellcheck disable=SC2086
if node tests/browser/report_test.js --out "$OUT" $large $pages > "$TMP/out" 2>&1; then
  ok "report page in Chromium ($(tail -n 1 "$TMP/out"))"
else
  not_ok "report page in Chromium" "$(grep -v '^ok' "$TMP/out" | head -n 40)"
fi
# The measured time and the screenshot's path, for the reader of the log.
grep '^#' "$TMP/out" | sed 's/^/  /'
done_testing
