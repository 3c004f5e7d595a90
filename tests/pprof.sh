#!/bin/sh
# Oracle test of the pprof reader: for every pprof file of the corpus, the
# stacks and values that prof-render reads (default sample type, function
# names root first, summed per stack) equal those of `go tool pprof -raw`
# (testdata/pprof-raw/, converted by tests/pprof_raw2folded.awk, which shares
# no code with prof-render). Inlined frames carry the _[i] suffix in folded
# output; pprof -raw lists them as plain lines, so the suffix is removed.
. tests/lib.sh

for f in testdata/pprof/*; do
  b=$(basename "$f")
  raw=testdata/pprof-raw/$b.txt
  [ -f "$raw" ] || raw=$raw.gz
  gzip -dcf "$raw" | awk -f tests/pprof_raw2folded.awk | LC_ALL=C sort > "$TMP/want"
  if ! $PR collapse -q "$f" > "$TMP/c" 2>"$TMP/err"; then
    not_ok "reads $b" "$(cat "$TMP/err")"
    continue
  fi
  sed 's/_\[i\]//g' "$TMP/c" |
    awk '{c = $NF; sub(/ [-0-9.e+]+$/, ""); s[$0] += c} END {for (k in s) printf "%s %.0f\n", k, s[k]}' |
    LC_ALL=C sort > "$TMP/got"
  same_file "$b: stacks and values equal go tool pprof -raw" "$TMP/want" "$TMP/got"
done

# Format detection: the same profile gzipped or raw, and forced.
P=testdata/pprof/parca__query__two-stacks.pb.gz
gzip -dc $P > "$TMP/raw.pb"
$PR collapse $P > "$TMP/a"
$PR collapse "$TMP/raw.pb" > "$TMP/b"
same_file "raw protobuf reads like the gzipped file" "$TMP/a" "$TMP/b"
$PR collapse --input-format pprof "$TMP/raw.pb" > "$TMP/c"
same_file "--input-format pprof" "$TMP/a" "$TMP/c"
check "renders a pprof profile to well-formed SVG" sh -c "$PR testdata/pprof/parca__query__fib.pb.gz > '$TMP/fib.svg' && xmllint --noout '$TMP/fib.svg'"

# Bad input: exit 65 with the byte offset.
head -c 100 "$TMP/raw.pb" > "$TMP/trunc.pb"
exit_is "truncated protobuf: exit 65" 65 $PR --input-format pprof "$TMP/trunc.pb"
grep -q "byte [0-9]*: malformed pprof profile" "$TMP/exit.err" && ok "the error names the byte offset" || not_ok "the error names the byte offset" "$(cat "$TMP/exit.err")"
cat "$TMP/raw.pb" "$TMP/raw.pb" > "$TMP/twice.pb"
exit_is "two concatenated profiles: exit 65" 65 $PR --input-format pprof "$TMP/twice.pb"
cat $P $P > "$TMP/twice.pb.gz"
exit_is "two concatenated gzip members: exit 65" 65 $PR "$TMP/twice.pb.gz"
grep -q "two concatenated gzip members" "$TMP/exit.err" && ok "the error says why" || not_ok "the error says why" "$(cat "$TMP/exit.err")"
done_testing
