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
for f in prf_profile_read_file prf_profile_merge prf_flame_write prf_diff_compute prf_buffer_write; do
  check "docs/API.md documents $f" grep -q "$f(" docs/API.md
done
done_testing
