#!/usr/bin/env bash
# make bench: speed and peak memory of prof-render on generated folded
# profiles, as ratios against simply reading the input (cat) and against
# inferno-flamegraph when it is installed. Wall times are medians of 3.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/out
mkdir -p "$OUT"
GEN_VERSION=$(sha256sum bench/gen_folded.c | cut -c1-16)

gen() { # NAME ARGS...: generate once per generator version
  local name=$1; shift
  if [ ! -f "$OUT/$name.folded" ] || [ "$(cat "$OUT/$name.stamp" 2>/dev/null)" != "$GEN_VERSION $*" ]; then
    bench/gen_folded "$@" > "$OUT/$name.folded" 2>/dev/null
    echo "$GEN_VERSION $*" > "$OUT/$name.stamp"
  fi
}
gen ref64 --bytes 64000000               # like the reference: 64 MB, ~71,000 lines
gen big100 --bytes 100000000 --seed 2     # the 100 MB input
gen stacks1m --stacks 1000000 --seed 3 --min-depth 4 --max-depth 24
gen ref64x2 --bytes 64000000 --repeat 2   # same stacks, twice the input

if ! command -v /usr/bin/time >/dev/null 2>&1 && [ ! -x /usr/bin/time ]; then
  echo "bench: GNU time is needed (apt-get install time)" >&2
  exit 1
fi

# median wall seconds (nanosecond clock) and max peak RSS (kB) of 3 runs
measure() {
  local i t0 t1 rss ts=() rs=()
  for i in 1 2 3; do
    t0=$(date +%s%N)
    /usr/bin/time -f '%M' -o "$OUT/time.txt" "$@" > /dev/null
    t1=$(date +%s%N)
    read -r rss < "$OUT/time.txt"
    ts+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.4f", (b - a) / 1e9}')")
    rs+=("$rss")
  done
  printf '%s\n' "${ts[@]}" | sort -n | sed -n 2p
  printf '%s\n' "${rs[@]}" | sort -n | tail -1
}

{
  printf 'prof-render %s, %s, %s cores\n' "$(./prof-render --version | cut -d' ' -f2)" "$(uname -m)" "$(nproc)"
  printf '%-10s %6s %8s %8s %8s %7s %9s %8s\n' input MB lines cat_s svg_s "MB/s" "svg/cat" peak_MB
  for name in ref64 big100 stacks1m ref64x2; do
    f=$OUT/$name.folded
    cat "$f" > /dev/null
    mb=$(( $(stat -c %s "$f") / 1000000 ))
    lines=$(wc -l < "$f")
    { read -r cat_s; read -r _; } < <(measure cat "$f")
    { read -r svg_s; read -r svg_kb; } < <(measure ./prof-render -o "$OUT/out.svg" "$f")
    awk -v n="$name" -v mb="$mb" -v l="$lines" -v c="$cat_s" -v s="$svg_s" -v k="$svg_kb" 'BEGIN {
      printf "%-10s %6d %8d %8.3f %8.3f %7.0f %8.1fx %8.1f\n", n, mb, l, c, s, mb / s, s / c, k / 1024 }'
  done
  echo
  echo "Per phase (bench/phases: read = bytes into memory, aggregate = parse into the tree):"
  for name in ref64 big100 stacks1m; do bench/phases "$OUT/$name.folded" 3; done
  echo
  { read -r c_s; read -r c_kb; } < <(measure ./prof-render collapse "$OUT/ref64.folded")
  awk -v s="$c_s" -v k="$c_kb" 'BEGIN {printf "collapse ref64: %.3f s, peak %.1f MB\n", s, k / 1024}'
  if command -v inferno-flamegraph >/dev/null 2>&1; then
    { read -r i_s; read -r i_kb; } < <(measure inferno-flamegraph "$OUT/ref64.folded")
    awk -v s="$i_s" -v k="$i_kb" 'BEGIN {printf "inferno-flamegraph ref64: %.3f s, peak %.1f MB\n", s, k / 1024}'
  else
    echo "inferno-flamegraph is not installed here; its reference figure on this machine class:"
    echo "  0.3 s and 66 MB peak for a 64 MB folded file of 71,000 lines (compare with ref64 above)"
  fi
} | tee "$OUT/results.txt"
