#!/usr/bin/env bash
# Runs the protobuf benchmark from build tree BUILD (default: build), as
# scripts/bench.sh does for `make bench`: parigot's generated C beside
# libprotobuf-c on the same message, MB/s of each and the ratio.
set -euo pipefail
build=${1:-build}
runner=$build/bench/proto/pg_bench_proto
if [ ! -x "$runner" ]; then
  echo "bench/proto/run.sh: $runner is not built (target pg_bench_proto)" >&2
  exit 1
fi
exec "$runner"
