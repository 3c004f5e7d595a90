#!/bin/sh
# Oracle tests of the `perf script` reader (testdata/perf-script/, sources in
# testdata/THIRD_PARTY.md).
#
# 1. FlameGraph: for every expected result of stackcollapse-perf.pl
#    (testdata/FlameGraph/results/X-collapsed-OPT.txt, OPT one of pid, tid,
#    kernel, jit, all, addrs), `prof-render collapse --OPT` of the input X
#    is byte-identical. Eight of them (java-faults-01, java-stacks-01,
#    java-stacks-02 and vertx-stacks-01 with pid and tid) were written by an
#    older stackcollapse-perf.pl that dropped the JVM 'L' prefix
#    ("Ljava/lang/Thread:::run") only when the root frame was exactly
#    "java"; today's script drops it in every mode, as the all/kernel/jit
#    files of the same inputs show. For those eight the expected file is
#    adjusted the same way (the 'L' dropped from frames with a '/', lines
#    merged again) before the comparison.
# 2. inferno's collapse-perf results, where inferno and stackcollapse-perf.pl
#    agree. Two documented differences: inferno also counts a last sample
#    that no empty line ends (stackcollapse-perf.pl, and so prof-render,
#    drop it: see perf-dd-stacks-01), so inputs are given a final empty
#    line; and inferno demangles Rust symbols and keeps C++ template
#    arguments, so single-event, cpp-stacks-std-function and its
#    perf-rust-Yamakaky-dcpu results (FlameGraph's are compared above) are
#    not compared.
# 3. Every perf-script file of the corpus loads, or is refused with exit 65
#    and a one-line message; sniffing picks perf for perf text and still
#    folded for folded files; gzip input; bad input names its line.
. tests/lib.sh
P=testdata/perf-script
FG=testdata/FlameGraph/results

# 1. stackcollapse-perf.pl's expected results, all option sets.
for e in $FG/*; do
  b=$(basename "$e" .txt)
  name=${b%-collapsed-*}
  opt=${b##*-collapsed-}
  case $b in
  perf-java-faults-01-collapsed-[pt]id | perf-java-stacks-0[12]-collapsed-[pt]id | perf-vertx-stacks-01-collapsed-[pt]id)
    awk '{ c = $NF; s = substr($0, 1, length($0) - length(c) - 1)
           n = split(s, f, ";"); o = f[1]
           for (i = 2; i <= n; i++) { x = f[i]; if (x ~ /^L/ && x ~ /\//) x = substr(x, 2); o = o ";" x }
           t[o] += c }
         END { for (k in t) print k, t[k] }' "$e" | LC_ALL=C sort > "$TMP/want"
    what="(expected file's stale JVM 'L' prefix dropped)" ;;
  *) cp "$e" "$TMP/want"; what="" ;;
  esac
  $PR collapse -q "--$opt" "$P/FlameGraph__test__$name.txt" > "$TMP/got" 2>"$TMP/err"
  same_file "stackcollapse-perf.pl --$opt of $name $what" "$TMP/want" "$TMP/got"
done

# 2. inferno's results (input with a final empty line, see above).
inferno() {
  (gzip -dcf "$P/$1"; echo) > "$TMP/in"
  $PR collapse -q $3 "$TMP/in" > "$TMP/got" 2>"$TMP/err"
  same_file "inferno collapse-perf $3 of $1" "$2" "$TMP/got"
}
inferno inferno__collapse-perf__go-stacks.txt $P/results/go-stacks-collapsed.txt
inferno inferno__collapse-perf__java-inline.txt $P/results/java-inline-collapsed.txt
inferno inferno__collapse-perf__versioned-vmlinux.txt $P/results/versioned-vmlinux-collapsed-kernel.txt --kernel
inferno inferno__collapse-perf__sourcepawn-jitdump.txt $P/results/sourcepawn-jitdump-collapsed-jit.txt --jit
# The gzipped input as it is (it ends with an empty line).
$PR collapse -q $P/FlameGraph__example-perf-stacks.txt.gz > "$TMP/got"
same_file "gzipped example-perf-stacks equals inferno's result" testdata/folded/example-perf-stacks-collapsed.txt "$TMP/got"
gzip -c $P/FlameGraph__test__perf-dd-stacks-01.txt > "$TMP/dd.gz"
$PR collapse -q --pid "$TMP/dd.gz" > "$TMP/got"
same_file "gzip input reads like the plain file" $FG/perf-dd-stacks-01-collapsed-pid.txt "$TMP/got"

# 3. Every corpus file: loads, or exit 65 with a one-line reason.
for f in $P/*; do
  [ -f "$f" ] || continue
  b=$(basename "$f")
  case $b in
  inferno__collapse-perf__no-events.txt | inferno__collapse-perf__single-event.txt | \
  inferno__collapse-perf__versioned-vmlinux.txt | speedscope__linux-perf__one-sample.linux-perf.txt | \
  inferno__collapse-perf__single-line-stacks.txt)
    # Empty, or one sample with no empty line after it (dropped as
    # stackcollapse-perf.pl drops it), or no callchains (stackcollapse-perf.pl
    # reads nothing from it either).
    exit_is "$b is refused with exit 65" 65 $PR collapse -q --input-format perf "$f"
    if [ "$(wc -l < "$TMP/exit.err")" -eq 1 ] && grep -q "$b.*expected" "$TMP/exit.err"; then
      ok "$b: the message names the file and what was expected"
    else
      not_ok "$b: the message names the file and what was expected" "$(cat "$TMP/exit.err")"
    fi ;;
  inferno__collapse-guess__invalid-perf-with-empty-line-after-event-line.txt)
    # Malformed on purpose: not sniffed as perf; forced, it reads as
    # stackcollapse-perf.pl reads it (a sample of the header alone).
    $PR collapse -q --input-format perf "$f" > "$TMP/got"
    printf 'java 10101010\n' > "$TMP/want"
    same_file "$b, forced: the header-only sample" "$TMP/want" "$TMP/got" ;;
  *)
    check "loads $b" $PR collapse -q "$f"
    $PR collapse -q --input-format perf "$f" > "$TMP/forced" 2>&1
    $PR collapse -q "$f" > "$TMP/sniffed" 2>&1
    same_file "$b is sniffed as perf" "$TMP/forced" "$TMP/sniffed" ;;
  esac
done
for f in testdata/folded/perf-vertx-stacks-01-collapsed-all.txt testdata/folded/example-perf-stacks-collapsed.txt; do
  $PR collapse -q --input-format folded "$f" > "$TMP/forced"
  $PR collapse -q "$f" > "$TMP/sniffed"
  same_file "folded $(basename "$f") is still sniffed as folded" "$TMP/forced" "$TMP/sniffed"
done

# Options beyond the oracle files, checked against them.
# --no-thread-root: the expected stacks without their first frame.
strip_root() {
  awk '{ c = $NF; s = substr($0, 1, length($0) - length(c) - 1); i = index(s, ";")
         if (i) t[substr(s, i + 1)] += c }
       END { for (k in t) print k, t[k] }' "$1" | LC_ALL=C sort
}
strip_root $FG/perf-numa-stacks-01-collapsed-kernel.txt > "$TMP/want"
$PR collapse -q --kernel --no-thread-root $P/FlameGraph__test__perf-numa-stacks-01.txt > "$TMP/got"
same_file "--no-thread-root drops the comm root frame" "$TMP/want" "$TMP/got"
# --thread TID: that thread's stacks of the --tid result, without a root.
grep '^iperf-27409/28744;' $FG/perf-iperf-stacks-pidtid-01-collapsed-tid.txt > "$TMP/one"
strip_root "$TMP/one" > "$TMP/want"
$PR collapse -q --thread 28744 $P/FlameGraph__test__perf-iperf-stacks-pidtid-01.txt > "$TMP/got"
same_file "--thread 28744 keeps that thread" "$TMP/want" "$TMP/got"
exit_is "--thread with an unknown thread: usage error" 2 $PR collapse -q --thread nosuch $P/FlameGraph__test__perf-iperf-stacks-pidtid-01.txt
grep -q "28744 (iperf)" "$TMP/exit.err" && ok "the error lists the threads" || not_ok "the error lists the threads" "$(cat "$TMP/exit.err")"
# Periods: dd's samples weigh 10101010 each; --weight samples counts them.
awk '{ $NF = $NF / 10101010; print }' $FG/perf-dd-stacks-01-collapsed-pid.txt > "$TMP/want"
$PR collapse -q --pid --weight samples $P/FlameGraph__test__perf-dd-stacks-01.txt > "$TMP/got"
same_file "--weight samples counts samples, not periods" "$TMP/want" "$TMP/got"
$PR top -q $P/FlameGraph__test__perf-dd-stacks-01.txt > "$TMP/top" 2>&1
grep -q "^Type: cpu-clock" "$TMP/top" && grep -q "30.30ms.*__srcu_read_unlock" "$TMP/top" && ok "cpu-clock periods are nanoseconds" ||
  not_ok "cpu-clock periods are nanoseconds" "$(head -5 "$TMP/top")"
# The duration the timestamps span: dd sampled cpu-clock every 10.1 ms, so
# it equals the periods' total (the oracle's sum).
grep -q "^Duration: 101.01ms, Total samples = 101.01ms" "$TMP/top" && ok "the duration comes from the timestamps" ||
  not_ok "the duration comes from the timestamps" "$(head -3 "$TMP/top")"
# The first event type only, with a warning.
$PR collapse $P/FlameGraph__test__perf-cycles-instructions-01.txt 2>"$TMP/err" >/dev/null
grep -q "skipping samples of event 'cycles'" "$TMP/err" && ok "other events are skipped with a warning" ||
  not_ok "other events are skipped with a warning" "$(cat "$TMP/err")"
# Timestamps: a flame chart keeps the samples in time order.
check "flame chart of timed samples is well-formed SVG" sh -c \
  "$PR --flamechart -q $P/speedscope__linux-perf__forks.linux-perf.txt > '$TMP/fc.svg' && xmllint --noout '$TMP/fc.svg'"

# Bad input: exit 65, the message names the line.
printf '# a comment\nnot a perf header\n' > "$TMP/bad.txt"
exit_is "a first line that is no sample header: exit 65" 65 $PR collapse --input-format perf "$TMP/bad.txt"
grep -q "bad.txt:2: expected a perf script sample header" "$TMP/exit.err" && ok "the error names line 2" ||
  not_ok "the error names line 2" "$(cat "$TMP/exit.err")"
exit_is "folded text forced as perf: exit 65" 65 $PR collapse --input-format perf testdata/folded/perf-vertx-stacks-01-collapsed-all.txt
head -c 3000 /dev/urandom > "$TMP/junk"
exit_is "binary junk forced as perf: exit 65" 65 $PR collapse --input-format perf "$TMP/junk"
# A weird line inside a sample is skipped with a warning naming it.
$PR collapse $P/inferno__collapse-perf__weird-stack-line.txt 2>"$TMP/err" >/dev/null
grep -q "weird-stack-line.txt:5: skipping line" "$TMP/err" && ok "an unparsable line is skipped with its line number" ||
  not_ok "an unparsable line is skipped with its line number" "$(cat "$TMP/err")"

done_testing
