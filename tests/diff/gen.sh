#!/bin/sh
# Makes testdata/diff/: CPU profiles (pprof, 100 Hz) of tests/diff/workload.go,
# version 1 twice and version 2 twice (checksum 30% slower), each running
# for SECONDS (20 by default). Run from the repository root; needs Go.
# The profiles are committed: the tests do not run Go.
set -e
SECONDS_EACH=${SECONDS:-20}
out=testdata/diff
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp tests/diff/workload.go "$tmp/main.go"
(cd "$tmp" && go mod init workload >/dev/null 2>&1 && go build -o workload .)
for run in 1 2; do
  "$tmp/workload" -version 1 -seconds "$SECONDS_EACH" -o "$out/v1-run$run.pb.gz"
  "$tmp/workload" -version 2 -seconds "$SECONDS_EACH" -o "$out/v2-run$run.pb.gz"
done
ls -l "$out"
