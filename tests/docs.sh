#!/bin/sh
# docs/API.md is generated from lib/profrender.h by docs/gen_api.py: the
# reference must be regenerated whenever the header changes.
. tests/lib.sh
if ! command -v python3 >/dev/null 2>&1; then
  echo "ok 1 - docs # SKIP needs python3"; echo "1..1"; exit 0
fi
python3 docs/gen_api.py lib/profrender.h >"$TMP/API.md"
same_file "docs/API.md is up to date (python3 docs/gen_api.py lib/profrender.h > docs/API.md)" \
  docs/API.md "$TMP/API.md"
# Every public function and type has a comment (gen_api.py --check lists
# the ones without).
python3 docs/gen_api.py --check lib/profrender.h >"$TMP/undocumented" 2>&1
check "every declaration in lib/profrender.h has a comment above it" test ! -s "$TMP/undocumented"
[ -s "$TMP/undocumented" ] && sed 's/^/#   /' "$TMP/undocumented"
# ... and the check itself notices a declaration without one.
printf '/* Documented. */\nint prf_a(void);\n\nint prf_b(void);\n' >"$TMP/h.h"
python3 docs/gen_api.py --check "$TMP/h.h" >"$TMP/h.out" 2>&1
check "gen_api.py --check names an undocumented function" grep -q 'prf_b' "$TMP/h.out"
for f in prf_profile_read_file prf_profile_merge prf_flame_write prf_diff_compute prf_buffer_write; do
  check "docs/API.md documents $f" grep -q "$f(" docs/API.md
done

# The man page: renders without warnings, and names every long option the
# --help text names.
if command -v groff >/dev/null 2>&1; then
  groff -man -ww -z docs/prof-render.1 >"$TMP/groff.err" 2>&1
  check "docs/prof-render.1 renders without warnings" test ! -s "$TMP/groff.err"
fi
$PR --help | grep -o -- '--[a-z][a-z-]*' | sort -u >"$TMP/help.opts"
sed 's/\\-/-/g' docs/prof-render.1 | grep -o -- '--[a-z][a-z-]*' | sort -u >"$TMP/man.opts"
comm -23 "$TMP/help.opts" "$TMP/man.opts" >"$TMP/missing"
check "the man page names every option of --help" test ! -s "$TMP/missing"
[ -s "$TMP/missing" ] && sed 's/^/#   missing: /' "$TMP/missing"
done_testing
