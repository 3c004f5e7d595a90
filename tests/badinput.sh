#!/bin/sh
# The bad-input catalogue: every row of testdata/bad/*/cases.tsv runs one
# hostile file through the CLI, under a time limit (and a memory limit
# outside the sanitizer build), with the reader forced by the directory
# name (except in sniff/). Each row asserts:
#   - the documented exit code;
#   - on failure: exactly one error line, naming the file and a position
#     (":LINE:" or ": byte N:") and matching the row's pattern; no output
#     file created; an existing output file left as it was;
#   - on success: an SVG that is well-formed XML.
# Rows whose FILE is gen:NAME use an input that tests/bad/gen.py (or
# tests/bad/gen_json.py) writes at test time, being too large to commit.
# This script runs the committed files; tests/badinput_gen.sh sets
# BAD_PART=gen for the generated ones (the two halves run side by side);
# BAD_PART=all runs both.
. tests/lib.sh
BAD_PART=${BAD_PART:-files}

TIME_LIMIT=${BAD_TIME_LIMIT:-120}
# Under the sanitizers, generated inputs of 10,000,000 items shrink to
# 1,000,000 (ASan makes them ten times slower; the plain build runs them
# whole).
case $BUILD in
  *asan*) MEM_LIMIT="" SHRINK=1 ;; # ASan reserves terabytes of address space
  *) MEM_LIMIT=4194304 SHRINK=0 ;; # KiB of address space: 4 GiB
esac
have_python=1
command -v python3 >/dev/null 2>&1 || have_python=0

run_case() { # dir file exit options pattern
  dir=$1 file=$2 want=$3 opts=$4 pattern=$5
  reader=${dir##*/}
  case $file in
    gen:*)
      name=${file#gen:}
      [ $SHRINK = 1 ] && name=$(echo "$name" | sed 's/-10000000$/-1000000/')
      if [ $have_python = 0 ]; then
        ok "$reader/$name # SKIP python3 is not installed"
        return
      fi
      path=$TMP/$name
      gen=tests/bad/gen.py
      case $reader in folded|perf|pprof|sniff) ;; *) gen=tests/bad/gen_json.py ;; esac
      python3 "$gen" "$name" "$path" || { not_ok "$reader/$name: cannot generate"; return; }
      ;;
    *) path=$dir/$file name="" ;;
  esac
  [ "$opts" = "-" ] && opts=""
  [ "$reader" = sniff ] || opts="--input-format $reader $opts"
  label="$reader/${name:-$file}"
  out=$TMP/out.svg
  rm -f "$out"
  # shellcheck disable=SC2086
  ( [ -n "$MEM_LIMIT" ] && ulimit -v "$MEM_LIMIT"
    exec timeout "$TIME_LIMIT" "$PR" $opts -o "$out" "$path" ) >/dev/null 2>"$TMP/err"
  got=$?
  errs=$(grep -v '^prof-render: warning: ' "$TMP/err")
  if [ "$got" -ne "$want" ]; then
    not_ok "$label exits $want" "got $got" "$(head -c 600 "$TMP/err")"
    return
  fi
  if [ "$want" -eq 0 ]; then
    if xmllint --noout "$out" 2>"$TMP/xml"; then
      ok "$label: exit 0, well-formed SVG"
    else
      not_ok "$label: exit 0, well-formed SVG" "$(head -c 600 "$TMP/xml")"
    fi
    return
  fi
  lines=$(printf '%s\n' "$errs" | grep -c .)
  first=$(printf '%s\n' "$errs" | head -n 1)
  case $first in
    "prof-render: $path:"[0-9]*": "*|"prof-render: $path: byte "[0-9]*": "*) where=1 ;;
    *) where=0 ;;
  esac
  if [ "$lines" -ne 1 ] || [ $where -eq 0 ] ||
     ! printf '%s\n' "$first" | grep -Eq -- "$pattern"; then
    not_ok "$label: exit $want, one line naming file and position" \
      "expected one line 'prof-render: $path:LINE: ...' or '... byte N: ...' matching /$pattern/" \
      "got: $(head -c 600 "$TMP/err")"
    return
  fi
  if [ -e "$out" ]; then
    not_ok "$label: exit $want, no output file" "$out was created"
    return
  fi
  echo previous >"$out"
  # shellcheck disable=SC2086
  ( [ -n "$MEM_LIMIT" ] && ulimit -v "$MEM_LIMIT"
    exec timeout "$TIME_LIMIT" "$PR" $opts -o "$out" "$path" ) >/dev/null 2>&1
  if [ "$(cat "$out")" != previous ]; then
    not_ok "$label: exit $want, the previous output left as it was"
    return
  fi
  ok "$label: exit $want: ${first#prof-render: $path}"
}

# A generated input is large: it goes once its case is done.
run_case_clean() {
  run_case "$@"
  case $2 in gen:*) rm -f "$TMP/${2#gen:}" "$TMP/$(echo "${2#gen:}" | sed 's/-10000000$/-1000000/')" ;; esac
}

for cases in testdata/bad/*/cases.tsv; do
  dir=${cases%/cases.tsv}
  tab=$(printf '\t')
  while IFS=$tab read -r file want opts pattern; do
    case $file in ''|'#'*) continue ;; esac
    case $BAD_PART:$file in files:gen:*) continue ;; gen:gen:*|all:*|files:*) ;; *) continue ;; esac
    run_case_clean "$dir" "$file" "$want" "$opts" "$pattern"
  done <"$cases"
done
done_testing
