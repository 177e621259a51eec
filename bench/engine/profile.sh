#!/usr/bin/env bash
# profile.sh: which interpreter operations a workload spends its time in.
#   bench/engine/profile.sh BUILD WORKLOAD [TOP]
# Records one parigot run of WORKLOAD with `perf record` and prints the
# share of samples per handler (see tools/attribute.py). Needs perf and a
# build with symbols (RelWithDebInfo, the default).
set -euo pipefail
build=${1:?usage: profile.sh BUILD WORKLOAD [TOP]}
workload=${2:?usage: profile.sh BUILD WORKLOAD [TOP]}
top=${3:-20}
here=$(cd "$(dirname "$0")" && pwd)
dir=$build/bench/engine
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$dir/pg_bench_handlers" > "$tmp/handlers.txt"
perf record -q -o "$tmp/perf.data" "$dir/pg_bench_engine" --dir "$dir" \
  --runs 1 --inst-iterations 1 "$workload" > /dev/null
perf script -i "$tmp/perf.data" -F comm,ip,sym,symoff 2> /dev/null |
  "$here/tools/attribute.py" "$tmp/handlers.txt" "$dir/pg_bench_engine" "$top"
