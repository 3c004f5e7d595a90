#!/usr/bin/env bash
# make bench: wall time, throughput and peak memory of prof-render on large
# generated folded profiles, against plain `cat` of the same file (and
# against inferno-flamegraph when it is on the PATH). See bench/README.md.
#
# Environment: BENCH_RUNS (default 3, the median is reported),
#              BENCH_INPUTS (default "ref64 ref64x2 big100 stacks1m").
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=bench/out
RUNS=${BENCH_RUNS:-3}
INPUTS=${BENCH_INPUTS:-"ref64 ref64x2 big100 stacks1m"}
mkdir -p "$OUT"

# ---- prerequisites ----
if [ ! -x ./prof-render ]; then
  echo "bench: ./prof-render is not built; run 'make bench' (or 'make') first" >&2
  exit 1
fi
if [ ! -x bench/gen_folded ] || [ bench/gen_folded.c -nt bench/gen_folded ]; then
  ${CC:-cc} -std=c11 -O2 -Wall -Wextra -o bench/gen_folded bench/gen_folded.c -lm
fi
if ! /usr/bin/time -f '%e %M' -o /dev/null true 2>/dev/null; then
  echo "bench: GNU time (/usr/bin/time with -f) is needed for peak memory." >&2
  echo "       Install it with:  apt-get install -y time" >&2
  exit 1
fi

# ---- inputs, made once per generator version ----
GEN_VERSION="$(bench/gen_folded --version) $(sha256sum bench/gen_folded.c | cut -c1-16)"

gen_args() {
  case $1 in
    ref64)    echo "--target-bytes 64000000 --avg-line-bytes 900 --seed 1" ;;
    ref64x2)  echo "--target-bytes 64000000 --avg-line-bytes 900 --seed 1 --repeat 2" ;;
    big100)   echo "--target-bytes 100000000 --seed 2" ;;
    stacks1m) echo "--stacks 1000000 --seed 3" ;;
    *) echo "bench: unknown input '$1'" >&2; exit 1 ;;
  esac
}
describe() {
  case $1 in
    ref64)    echo "64 MB, ~71,000 lines of ~900 bytes: the shape of the inferno reference" ;;
    ref64x2)  echo "ref64 printed twice: twice the input, the same distinct stacks" ;;
    big100)   echo "100 MB of distinct stacks, depth 10-60" ;;
    stacks1m) echo "1,000,000 distinct stacks, depth 10-60" ;;
  esac
}

gen() { # NAME: (re)generate bench/out/NAME.folded unless its stamp matches
  local name=$1 args stamp
  args=$(gen_args "$name")
  stamp="$GEN_VERSION $args"
  if [ -f "$OUT/$name.folded" ] && [ -f "$OUT/$name.meta" ] &&
     [ "$(cat "$OUT/$name.stamp" 2>/dev/null)" = "$stamp" ]; then
    return
  fi
  echo "bench: generating $OUT/$name.folded (gen_folded $args)" >&2
  rm -f "$OUT/$name.stamp"
  # shellcheck disable=SC2086
  bench/gen_folded $args > "$OUT/$name.folded.tmp" 2> "$OUT/$name.meta"
  mv "$OUT/$name.folded.tmp" "$OUT/$name.folded"
  echo "$stamp" > "$OUT/$name.stamp"
}
for name in $INPUTS; do gen "$name"; done

# ---- measuring ----
# Clocks read from bash's EPOCHREALTIME (microseconds, written as
# nanoseconds below): spawning date(1) around each run added about 19 ms
# to every figure, which flattered ratios of short runs against cat.
TIMEF=$OUT/time.tmp
ERRF=$OUT/stderr.tmp

# now_ns VAR: sets VAR to the clock in nanoseconds (EPOCHREALTIME's
# microseconds), with builtins only: no fork around the timed command.
now_ns() { printf -v "$1" '%s000' "${EPOCHREALTIME//[.,]/}"; }
# median: the median of the numbers on standard input.
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# run_n STDOUT CMD...: runs CMD $RUNS times; sets WALL (median seconds, from a
# nanosecond clock), RSS (median peak kB, GNU time %M) and PHASES (median of
# each "timing NAME VALUE s" line the command printed to stderr). Every
# run's wall time is added to ALL_WALLS and its read phase to ALL_READS.
run_n() {
  local stdout=$1; shift
  local i t0 t1 walls=() rsses=() phase_lines=""
  for ((i = 0; i < RUNS; i++)); do
    now_ns t0
    if ! /usr/bin/time -f '%e %M' -o "$TIMEF" "$@" > "$stdout" 2> "$ERRF"; then
      echo "bench: failed: $*" >&2
      cat "$ERRF" "$TIMEF" >&2
      exit 1
    fi
    now_ns t1
    walls+=("$(( t1 - t0 ))")
    ALL_WALLS+=("$(( t1 - t0 ))")
    ALL_READS+=($(sed -n 's/^timing read \([0-9.]*\) s$/\1/p' "$ERRF"))
    rsses+=("$(tail -n 1 "$TIMEF" | awk '{print $2}')")
    phase_lines+=$(grep '^timing ' "$ERRF" || true)$'\n'
  done
  WALL=$(printf '%s\n' "${walls[@]}" | median | awk '{printf "%.4f", $1 / 1e9}')
  RSS=$(printf '%s\n' "${rsses[@]}" | median)
  # "timing read 1.234 s" -> "read 1.234" (median per name, first-seen order)
  PHASES=$(printf '%s' "$phase_lines" | awk '
    $1 == "timing" && $2 != "peak-rss" {
      name = $2; val = $3
      # the peak memory when reading ended, in MB: reading vs rendering
      if (name == "peak-rss-read") { name = "read-peak-MB"; val = sprintf("%.1f", $3 / 1024) }
      if (!(name in n)) order[++k] = name
      v[name, ++n[name]] = val }
    END {
      for (i = 1; i <= k; i++) {
        p = order[i]; m = n[p]
        for (a = 1; a <= m; a++) s[a] = v[p, a]
        for (a = 1; a <= m; a++) for (b = a + 1; b <= m; b++)
          if (s[b] + 0 < s[a] + 0) { t = s[a]; s[a] = s[b]; s[b] = t }
        printf "%s%s %s", (i > 1 ? ", " : ""), p, s[int((m + 1) / 2)] }
    }')
}

FMT='%-9s %8s %10s  %-10s %8s %8s %9s %7s  %s\n'
row() { # INPUT MB STACKS WHAT
  awk -v in_="$1" -v mb="$2" -v st="$3" -v what="$4" -v w="$WALL" -v kb="$RSS" \
      -v cat_s="$CAT_WALL" -v ph="$PHASES" -v fmt="$FMT" 'BEGIN {
    ratio = (what == "cat") ? "1.0x" : sprintf("%.1fx", w / cat_s)
    printf fmt, in_, sprintf("%.1f", mb), st, what, sprintf("%.3f", w),
           sprintf("%.0f", mb / w), sprintf("%.1f", kb / 1024), ratio, ph }'
}

declare -A R_WALL R_RSS R_READ R_READS C_WALL C_WALLS I_WALL I_RSS SVG_SIZE HTML_SIZE HTML_PRUNED
HAVE_INFERNO=0
command -v inferno-flamegraph > /dev/null 2>&1 && HAVE_INFERNO=1

{
  echo "prof-render benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "$(./prof-render --version 2>/dev/null | head -n 1); $(bench/gen_folded --version);" \
       "$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //'), $(nproc) cores;" \
       "median of $RUNS runs, input in the page cache"
  echo
  # shellcheck disable=SC2059
  printf "$FMT" input "size MB" stacks command "wall s" "MB/s" "peak MB" "x cat" "phases (prof-render --timings, s)"
  for name in $INPUTS; do
    f=$OUT/$name.folded
    mb=$(stat -c %s "$f" | awk '{printf "%.3f", $1 / 1e6}')
    stacks=$(sed -n 's/.* \([0-9]*\) distinct stacks.*/\1/p' "$OUT/$name.meta")
    cat "$f" > /dev/null; cat "$f" > /dev/null   # warm the page cache

    ALL_WALLS=(); ALL_READS=()
    PHASES=""; run_n /dev/null cat "$f"
    CAT_WALL=$WALL
    row "$name" "$mb" "$stacks" cat
    cat_walls=("${ALL_WALLS[@]}")

    run_n /dev/null ./prof-render --timings -o "$OUT/x.svg" "$f"
    R_WALL[$name]=$WALL; R_RSS[$name]=$RSS
    SVG_SIZE[$name]=$(stat -c %s "$OUT/x.svg")
    row "$name" "$mb" "$stacks" render

    # PNG and PDF: the same read, then layout (labels measured by pango),
    # draw (cairo) and encode (PNG compression, PDF assembly)
    run_n /dev/null ./prof-render --timings -o "$OUT/x.png" "$f"
    row "$name" "$mb" "$stacks" png
    run_n /dev/null ./prof-render --timings -o "$OUT/x.pdf" "$f"
    row "$name" "$mb" "$stacks" pdf

    PHASES=""; run_n /dev/null ./prof-render collapse "$f"
    row "$name" "$mb" "$stacks" collapse

    # the HTML report: read, then the pruned tree, exact tables and JSON
    run_n /dev/null ./prof-render report --timings -o "$OUT/x.html" "$f"
    cp "$OUT/x.html" "$OUT/$name.html"
    HTML_SIZE[$name]=$(stat -c %s "$OUT/x.html")
    HTML_PRUNED[$name]=$(grep -o '"pruned":{[^}]*}' "$OUT/x.html")
    row "$name" "$mb" "$stacks" report

    # The reader against cat: every run that timed the read (render, png,
    # pdf, report), against cat run as often before and after them, so
    # that a slow moment of the machine moves neither median much.
    for ((i = 0; i < 3; i++)); do
      ALL_WALLS=(); PHASES=""; run_n /dev/null cat "$f"
      cat_walls+=("${ALL_WALLS[@]}")
    done
    C_WALL[$name]=$(printf '%s\n' "${cat_walls[@]}" | median | awk '{printf "%.4f", $1 / 1e9}')
    C_WALLS[$name]=${#cat_walls[@]}
    R_READ[$name]=$(printf '%s\n' "${ALL_READS[@]}" | median)
    R_READS[$name]="${#ALL_READS[@]} runs, $(printf '%s\n' "${ALL_READS[@]}" | sort -g | sed -n '1p;$p' | paste -sd-)"

    if [ "$HAVE_INFERNO" = 1 ]; then
      PHASES=""; run_n /dev/null inferno-flamegraph "$f"
      I_WALL[$name]=$WALL; I_RSS[$name]=$RSS
      row "$name" "$mb" "$stacks" inferno
    fi
  done
  echo
  echo "The folded reader against cat (the read phase, parsing and building the tree, of"
  echo "every render, png, pdf and report run; cat run as often; medians, read's range):"
  for name in $INPUTS; do
    awk -v n="$name" -v r="${R_READ[$name]}" -v c="${C_WALL[$name]}" -v rr="${R_READS[$name]}" \
        -v cn="${C_WALLS[$name]}" 'BEGIN {
      printf "  %-9s read %.3f s (%s s), cat %.3f s (%d runs): %.2fx the speed of cat\n", n, r, rr, c, cn, c / r }'
  done
  echo
  echo "The HTML report's size against the SVG's (prof-render report, default --prune 1e-5):"
  for name in $INPUTS; do
    awk -v n="$name" -v h="${HTML_SIZE[$name]}" -v s="${SVG_SIZE[$name]}" -v p="${HTML_PRUNED[$name]}" 'BEGIN {
      printf "  %-9s report %.2f MB, SVG %.2f MB (%.2fx); %s\n", n, h / 1e6, s / 1e6, h / s, p }'
  done
  # The page in a browser: from navigation to the first drawn flame graph,
  # in headless Chromium (tests/browser/report_test.js --large).
  if command -v node >/dev/null 2>&1 && [ -x /usr/bin/chromium ] &&
     [ -d tests/browser/node_modules/playwright-core ]; then
    echo
    echo "The HTML report in headless Chromium (navigation to the first drawn graph; screenshots in $OUT/tti-NAME/):"
    for name in $INPUTS; do
      t=$(node tests/browser/report_test.js --out "$OUT/tti-$name" --large "$OUT/$name.html" 2>&1 |
          sed -n 's/^# [^:]*: first graph drawn \(.*\)$/\1/p' | head -n 1)
      printf '  %-9s %s\n' "$name" "${t:-failed (see node tests/browser/report_test.js --large $OUT/$name.html)}"
    done
  fi
  echo
  echo "Inputs (bench/gen_folded, deterministic):"
  for name in $INPUTS; do
    printf '  %-9s %s\n' "$name" "$(describe "$name")"
  done
  echo
  if [ "$HAVE_INFERNO" = 1 ]; then
    echo "prof-render render vs inferno-flamegraph (ratio < 1: prof-render is faster / smaller):"
    for name in $INPUTS; do
      awk -v n="$name" -v rw="${R_WALL[$name]}" -v rk="${R_RSS[$name]}" \
          -v iw="${I_WALL[$name]}" -v ik="${I_RSS[$name]}" 'BEGIN {
        printf "  %-9s time %.2fx, peak memory %.2fx\n", n, rw / iw, rk / ik }'
    done
  else
    echo "inferno-flamegraph is not on the PATH; its reference figure from the project brief:"
    echo "  inferno-flamegraph reference: 0.3 s and 66 MB peak for a 64 MB folded file of"
    echo "  71,000 lines (this machine class)"
    if [ -n "${R_WALL[ref64]:-}" ]; then
      awk -v w="${R_WALL[ref64]}" -v k="${R_RSS[ref64]}" 'BEGIN {
        printf "  prof-render on ref64: %.3f s and %.1f MB peak (%.2fx the time, %.2fx the memory)\n",
               w, k / 1024, w / 0.3, k / 1024 / 66 }'
    fi
  fi
  # The least any tool must do on this machine, for the 5x target: read
  # every byte and intern every frame name, on both cores (bench/floor).
  if [ -x bench/floor ] && [ -f "$OUT/ref64.folded" ]; then
    echo
    echo "The least work of folded -> SVG on ref64 here (bench/floor, median of 5;"
    echo "no tree, no layout, no output), against the 0.06 s that 5x inferno allows:"
    bench/floor "$OUT/ref64.folded" "$(nproc)" 5
  fi
  if [ -x bench/phases ]; then
    echo
    echo "Library phase split (bench/phases: read = bytes into memory, aggregate = parse"
    echo "into the call tree, layout, write = SVG bytes to a discarding sink):"
    for name in $INPUTS; do
      case $name in ref64 | big100) bench/phases "$OUT/$name.folded" "$RUNS" ;; esac
    done
  fi
  # pprof: top on the largest corpus profile and on a generated one with
  # 1,000,000 samples over 100,000 locations, against go tool pprof -top.
  if [ ! -f "$OUT/gen1m.pb.gz" ] || [ bench/gen_pprof.c -nt "$OUT/gen1m.pb.gz" ]; then
    bench/gen_pprof --samples 1000000 --locations 100000 | gzip -1 > "$OUT/gen1m.pb.gz"
  fi
  for PP in testdata/pprof/pprof__internal__proftest__large.cpu "$OUT/gen1m.pb.gz"; do
    echo
    echo "pprof: top of $(basename "$PP") ($(stat -c %s "$PP") bytes gzipped):"
    pr_s=$(for i in 1 2 3; do now_ns s0; ./prof-render top "$PP" > /dev/null; now_ns s1; echo $(( (s1 - s0) / 1000 )); done | sort -n | sed -n 2p)
    pr_k=$(/usr/bin/time -f '%M' ./prof-render top "$PP" 2>&1 > /dev/null | tail -1)
    echo "  prof-render top:       $(awk -v u="$pr_s" 'BEGIN {printf "%.3f", u / 1e6}') s, peak ${pr_k} kB"
    if command -v go > /dev/null 2>&1 && go tool pprof -h > /dev/null 2>&1; then
      go_s=$(for i in 1 2 3; do now_ns s0; HOME=$OUT go tool pprof -top -nodecount=1000000 -symbolize=none "$PP" > /dev/null 2>&1; now_ns s1; echo $(( (s1 - s0) / 1000 )); done | sort -n | sed -n 2p)
      go_k=$(HOME=$OUT /usr/bin/time -f '%M' go tool pprof -top -nodecount=1000000 -symbolize=none "$PP" 2>&1 > /dev/null | tail -1)
      echo "  go tool pprof -top:    $(awk -v u="$go_s" 'BEGIN {printf "%.3f", u / 1e6}') s, peak ${go_k} kB"
      awk -v a="$pr_s" -v b="$go_s" 'BEGIN {printf "  prof-render is %.1fx faster\n", b / a}'
    else
      echo "  (go tool pprof is not installed: apt-get install golang-go to compare)"
    fi
  done
} | tee "$OUT/results.txt.tmp"
mv "$OUT/results.txt.tmp" "$OUT/results.txt"
rm -f "$TIMEF" "$ERRF"
echo "(also in $OUT/results.txt)"

# ======================================================================
# perf script: `prof-render collapse` (and `top`) of a generated ~100 MB
# `perf script` file (bench/gen_perf, deterministic) against `cat`, and
# against inferno-collapse-perf (single-threaded) when it is on the PATH.
# Reported: median wall time, MB/s, median CPU time (user + sys, which a
# busy machine inflates less than wall time) and median peak RSS, of
# BENCH_PERF_RUNS runs (default 7: each takes a fraction of a second, and
# three were at the mercy of one slow moment). BENCH_PERF_BYTES overrides
# the size.
# ======================================================================
# generated GEN FILE ARGS...: makes FILE with bench/GEN ARGS (its stderr, a
# description, into FILE.meta) unless FILE is there from the same generator
# source and arguments (FILE.stamp).
generated() {
  local gen=$1 file=$2 stamp
  shift 2
  make -s "bench/$gen" >&2
  stamp="$("bench/$gen" --version) $(sha256sum "bench/$gen.c" | cut -c1-16) $*"
  if [ ! -f "$file" ] || [ "$(cat "$file.stamp" 2>/dev/null)" != "$stamp" ]; then
    echo "bench: generating $file ($gen $*)" >&2
    "bench/$gen" "$@" > "$file.tmp" 2> "$file.meta"
    mv "$file.tmp" "$file"
    echo "$stamp" > "$file.stamp"
  fi
}

PERF_BYTES=${BENCH_PERF_BYTES:-100000000}
PERF_IN=$OUT/perf$PERF_BYTES.perf
generated gen_perf "$PERF_IN" --target-bytes "$PERF_BYTES" --seed 1

PERF_RUNS=${BENCH_PERF_RUNS:-7}
# perf_run CMD...: $PERF_RUNS runs; sets P_WALL, P_CPU (median s) and P_RSS (kB).
perf_run() {
  local i t0 t1 walls=() cpus=() rsses=()
  for ((i = 0; i < PERF_RUNS; i++)); do
    now_ns t0
    /usr/bin/time -f '%U %S %M' -o "$OUT/perf-time.tmp" "$@" > /dev/null 2> "$OUT/perf-err.tmp" ||
      { echo "bench: failed: $*" >&2; cat "$OUT/perf-err.tmp" >&2; exit 1; }
    now_ns t1
    walls+=("$(( t1 - t0 ))")
    cpus+=("$(tail -n 1 "$OUT/perf-time.tmp" | awk '{printf "%.3f", $1 + $2}')")
    rsses+=("$(tail -n 1 "$OUT/perf-time.tmp" | awk '{print $3}')")
  done
  P_WALL=$(printf '%s\n' "${walls[@]}" | median | awk '{printf "%.3f", $1 / 1e9}')
  P_CPU=$(printf '%s\n' "${cpus[@]}" | median)
  P_RSS=$(printf '%s\n' "${rsses[@]}" | median)
  rm -f "$OUT/perf-time.tmp" "$OUT/perf-err.tmp"
}
{
  echo
  mb=$(stat -c %s "$PERF_IN" | awk '{printf "%.1f", $1 / 1e6}')
  echo "perf script: $(basename "$PERF_IN"), $mb MB, $(cat "$PERF_IN.meta") (bench/gen_perf);"
  echo "median of $PERF_RUNS runs (uptime load: $(cut -d' ' -f1 /proc/loadavg))"
  cat "$PERF_IN" > /dev/null
  printf '  %-30s %8s %8s %8s %8s %9s\n' command "wall s" "MB/s" "cpu s" "cpu MB/s" "peak MB"
  perf_line() {
    awk -v w="$P_WALL" -v c="$P_CPU" -v k="$P_RSS" -v mb="$mb" -v what="$1" 'BEGIN {
      printf "  %-30s %8.3f %8.0f %8.3f %8.0f %9.1f\n", what, w, mb / w, c, (c > 0 ? mb / c : 0), k / 1024 }'
  }
  perf_run cat "$PERF_IN"; perf_line "cat"
  cat_wall=$P_WALL
  perf_run ./prof-render collapse "$PERF_IN"; perf_line "prof-render collapse"
  collapse_wall=$P_WALL
  perf_run ./prof-render top "$PERF_IN"; perf_line "prof-render top"
  awk -v c="$cat_wall" -v a="$collapse_wall" -v t="$P_WALL" 'BEGIN {
    printf "  the perf reader against cat (wall, with the output): collapse %.2fx, top %.2fx\n", c / a, c / t }'
  if command -v inferno-collapse-perf > /dev/null 2>&1; then
    perf_run inferno-collapse-perf --nthreads 1 "$PERF_IN"; perf_line "inferno-collapse-perf (1 thread)"
  else
    echo "  inferno-collapse-perf is not on the PATH; the brief's figure for it: about"
    echo "  0.85 s for 80 MB single-threaded on this machine class (~94 MB/s)"
  fi
} | tee -a "$OUT/results.txt"

# ---- Chrome trace: prof-render collapse of a generated ~200 MB trace ----
# (bench/gen_trace.c: Profile + ProfileChunk events of two threads among the
# timeline's other events). The whole JSON tree is held in memory (cJSON),
# so peak memory is a multiple of the input. BENCH_TRACE_BYTES sets the
# size, BENCH_TRACE_RUNS the runs (median; default 1, a run takes a while).
TRACE_BYTES=${BENCH_TRACE_BYTES:-200000000}
TRACE_RUNS=${BENCH_TRACE_RUNS:-1}
TRACE=$OUT/trace$TRACE_BYTES.json
generated gen_trace "$TRACE" --target-bytes "$TRACE_BYTES"
{
  echo
  echo "Chrome trace: $(cat "$TRACE.meta")"
  mb=$(stat -c %s "$TRACE" | awk '{printf "%.1f", $1 / 1e6}')
  RUNS=$TRACE_RUNS
  cat "$TRACE" > /dev/null
  PHASES=""; run_n /dev/null cat "$TRACE"
  echo "  cat:                   $WALL s, peak $(awk -v k="$RSS" 'BEGIN {printf "%.1f", k / 1024}') MB"
  run_n /dev/null ./prof-render collapse -q "$TRACE"
  awk -v w="$WALL" -v k="$RSS" -v mb="$mb" 'BEGIN {
    printf "  prof-render collapse:  %.2f s (%.1f MB/s), peak %.0f MB (%.1fx the input)\n",
           w, mb / w, k / 1024, k / 1024 / mb }'
} | tee -a "$OUT/results.txt"

# ---- Streaming: memory grows with distinct stacks, not with input ----
# 100,000 distinct stacks (about 100 MB) printed K times, piped from the
# generator into prof-render (nothing on disk): K = 2 (0.2 GB) and K = 20
# (2 GB). Linear time means the second takes about 10x the first; bounded
# memory means the same peak. BENCH_STREAM_REPEAT overrides the 20.
STREAM_K=${BENCH_STREAM_REPEAT:-20}
{
  echo
  echo "Streaming: bench/gen_folded --stacks 100000 --repeat K | prof-render -o x.svg -"
  echo "(median of $RUNS runs; the generator shares the two cores)"
  declare -A S_WALL S_RSS S_BYTES
  # --repeat K prints the same stacks K times: K times one copy's bytes
  one=$(bench/gen_folded --stacks 100000 --seed 4 2>/dev/null | wc -c)
  for k in 2 "$STREAM_K"; do
    walls=() rsses=()
    for ((i = 0; i < RUNS; i++)); do # the median of RUNS runs, as above
      now_ns t0
      bench/gen_folded --stacks 100000 --seed 4 --repeat "$k" 2>/dev/null |
        /usr/bin/time -f '%M' -o "$OUT/stream-time.tmp" ./prof-render -q -o "$OUT/x.svg" -
      now_ns t1
      walls+=("$(( t1 - t0 ))")
      rsses+=("$(tail -n 1 "$OUT/stream-time.tmp")")
    done
    S_WALL[$k]=$(printf '%s\n' "${walls[@]}" | median)
    S_RSS[$k]=$(printf '%s\n' "${rsses[@]}" | median)
    S_BYTES[$k]=$(( k * one ))
    awk -v k="$k" -v b="${S_BYTES[$k]}" -v w="${S_WALL[$k]}" -v r="${S_RSS[$k]}" 'BEGIN {
      printf "  K=%-3s %7.2f GB  %7.2f s  %7.0f MB/s  peak %6.1f MB\n", k, b / 1e9, w / 1e9, b / 1e6 / (w / 1e9), r / 1024 }'
  done
  awk -v w1="${S_WALL[2]}" -v w2="${S_WALL[$STREAM_K]}" -v r1="${S_RSS[2]}" -v r2="${S_RSS[$STREAM_K]}" \
      -v b1="${S_BYTES[2]}" -v b2="${S_BYTES[$STREAM_K]}" 'BEGIN {
    printf "  %.1fx the input took %.2fx the time and %.2fx the peak memory\n", b2 / b1, w2 / w1, r2 / r1 }'
  rm -f "$OUT/stream-time.tmp"
} | tee -a "$OUT/results.txt"
