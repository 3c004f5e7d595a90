#!/bin/sh
# Every allocation of the library goes through a profile's allocator
# (prf_allocator): lib/internal.h and lib/util.c hold the only calls to
# libc's malloc, calloc, realloc, free and strdup (the prf_mem_* helpers,
# and the huge-page paths of the default allocator). This fails, naming
# the lines, when a raw call appears anywhere else in lib/, formats/ or
# render/. Calls into other libraries' allocators (cJSON_free, g_free,
# regfree...) do not match.
. tests/lib.sh

RAW='(^|[^A-Za-z0-9_.>])(malloc|calloc|realloc|free|strdup|strndup|posix_memalign|aligned_alloc)[[:space:]]*\('

# raw_calls FILE...: prints each raw call as FILE:LINE: TEXT.
raw_calls() {
  grep -nE "$RAW" "$@" /dev/null | grep -vE '^[^:]*:[0-9]+:[[:space:]]*(/?\*|//)'
}

files=$(ls lib/*.[ch] formats/*.[ch] render/*.[ch] | grep -v -e '^lib/util\.c$' -e '^lib/internal\.h$')
raw_calls $files >"$TMP/raw"
if [ -s "$TMP/raw" ]; then
  not_ok "no raw libc allocation outside lib/util.c and lib/internal.h (use prf_mem_alloc & co. with the profile's allocator)" \
    "$(head -n 40 "$TMP/raw")"
else
  ok "no raw libc allocation outside lib/util.c and lib/internal.h"
fi

# The check itself catches what it is for.
printf 'static void f(void) {\n  char *p = malloc(4);\n  x = realloc (p, 8);\n  free(p);\n  g_free(p);\n  cJSON_free(p);\n}\n' >"$TMP/bad.c"
raw_calls "$TMP/bad.c" >"$TMP/bad.out"
check "the check finds malloc, realloc and free but not g_free or cJSON_free" \
  test "$(wc -l <"$TMP/bad.out")" -eq 3

done_testing
