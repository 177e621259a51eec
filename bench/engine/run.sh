#!/usr/bin/env bash
# Runs the engine benchmark from build tree BUILD (default: build), as
# scripts/bench.sh does for `make bench`. Extra arguments go to the runner
# (e.g. --runs 1, --quick, or workload names).
set -euo pipefail
build=${1:-build}
shift || true
runner=$build/bench/engine/pg_bench_engine
if [ ! -x "$runner" ]; then
  echo "bench/engine/run.sh: $runner is not built (needs pg_engine and pg_wasi)" >&2
  exit 1
fi
exec "$runner" --dir "$build/bench/engine" "$@"
