#!/bin/sh
# Browser tests of the SVG's interactive script (render/flame.js): hover,
# zoom, search, ignore-case, URL state, in headless Chromium. Skipped, with
# a note, when Chromium or the test's node modules are not installed
# (.ci/run installs both).
. tests/lib.sh

if ! command -v node >/dev/null 2>&1 || [ ! -x /usr/bin/chromium ] ||
   [ ! -d tests/browser/node_modules/playwright-core ]; then
  echo "ok 1 - browser tests # SKIP needs node, /usr/bin/chromium and 'npm ci' in tests/browser"
  exit 0
fi

printf 'main;parse;read 30\nmain;parse;intern 20\nmain;render;layout 5\nmain;render;svg 12\nmain;(anon) (x) 3\nidle 10\n' > "$TMP/a.folded"
printf 'main;grow 10 40\nmain;shrink 30 10\nmain;same 5 5\n' > "$TMP/diff.folded"
printf 'a;b 1.5\nc 2.25\na;b 3\na;d 1\n' > "$TMP/chart.folded"

render() { # NAME OPTIONS... INPUT
  name=$1; shift
  if $PR "$@" -o "$TMP/$name.svg"; then :; else not_ok "render $name"; fi
}
render plain "$TMP/a.folded"
render inverted --inverted "$TMP/a.folded"
render diff "$TMP/diff.folded"
render chart --flamechart "$TMP/chart.folded"
[ -f testdata/folded/perf-vertx-stacks-01-collapsed-all.txt ] &&
  render vertx testdata/folded/perf-vertx-stacks-01-collapsed-all.txt

for svg in "$TMP"/plain.svg "$TMP"/inverted.svg "$TMP"/diff.svg "$TMP"/chart.svg "$TMP"/vertx.svg; do
  [ -f "$svg" ] || continue
  if node tests/browser/flame_test.js "$svg" > "$TMP/out" 2>&1; then
    ok "interactive script works in $(basename "$svg")"
  else
    not_ok "interactive script works in $(basename "$svg")" "$(grep -v '^ok' "$TMP/out" | head -n 20)"
  fi
done
# Output safety: hostile names must stay text, whatever a viewer does.
{
  printf '%s\n' 'main;</script><script>alert(1)</script> 3' \
    'main;"><svg onload=alert(2)> 2' \
    "main;'><img src=x onerror=window.__pwned=1> 2" \
    'main;]]><script>window.__pwned=1</script> 1' \
    'main;javascript:alert(3) 1' \
    'main;<a href="javascript:alert(4)">x</a> 1' \
    'main;&lt;script&gt;alert(5)&lt;/script&gt; 1'
  printf 'main;\342\200\256evil\342\200\254;bidi 1\n'
  printf 'main;ctl\001\033[31m\177 1\n'
} > "$TMP/hostile.folded"
if $PR --title '</title><script>alert(6)</script>' --subtitle '"><svg onload=alert(7)>' \
    -o "$TMP/hostile.svg" "$TMP/hostile.folded"; then
  check "hostile names give well-formed XML" xmllint --noout "$TMP/hostile.svg"
  own=$(grep -o "<script" "$TMP/plain.svg" | wc -l)
  if node tests/browser/hostile_test.js "$TMP/hostile.svg" "$own" > "$TMP/out" 2>&1; then
    ok "hostile names run nothing in Chromium ($(tail -n 1 "$TMP/out"))"
  else
    not_ok "hostile names run nothing in Chromium" "$(grep -v '^ok' "$TMP/out" | head -n 20)"
  fi
else
  not_ok "render hostile names"
fi
done_testing
