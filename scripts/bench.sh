#!/usr/bin/env bash
# Runs every benchmark runner the build produced (bench/*/run.sh or
# BUILD/bench/*/pg_bench_*), each printing its own ratios against a
# reference measured in the same run.
set -euo pipefail
build=${1:-build}
status=0
for runner in bench/*/run.sh; do
  [ -x "$runner" ] || continue
  echo "=== $(dirname "$runner") ==="
  "$runner" "$build" || status=1
done
exit $status
