#!/usr/bin/env bash
# Runs the kernel benchmark from build tree BUILD (default: build), as
# scripts/bench.sh does for `make bench`:
#   1. a round trip between two wasm programs in one process (generated
#      stubs, 100-byte request and reply): ns per call and calls per second,
#      beside the same stub without the kernel and a plain call of the
#      handler, measured in the same run (echo_client.c), and the same stub
#      and handler compiled natively (native.c);
#   2. start to all-ready of a 10-program app: the kernel's own
#      "all programs ready startup_ms" (from pg_kernel_run's start to the
#      last release) and the whole process's wall time (main exits at once).
# Pinned to one core with taskset when it exists. Targets (issue 4): at
# least 250,000 calls/s (4 us a round trip), all-ready under 50 ms.
#
#   run.sh [BUILD] [--quick] [--calls N] [--runs N]
set -euo pipefail
build=${1:-build}
shift || true
calls=200000
runs=20
while [ $# -gt 0 ]; do
  case $1 in
  --quick) calls=5000 runs=3 ;;
  --calls) calls=$2; shift ;;
  --runs) runs=$2; shift ;;
  *) echo "bench/kernel/run.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done
parigot=$build/bin/parigot
dir=$build/bench/kernel
native=$dir/pg_bench_kernel_native
for f in "$parigot" "$dir/echo_server.wasm" "$dir/echo_client.wasm" "$dir/node.wasm" "$native"; do
  if [ ! -e "$f" ]; then
    echo "bench/kernel/run.sh: $f is not built (targets parigot, bench_kernel_*)" >&2
    exit 1
  fi
done
pin=()
if command -v taskset >/dev/null && taskset -c 0 true 2>/dev/null; then
  pin=(taskset -c 0)
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dir=$(cd "$dir" && pwd)

# ---- 1. round trip ---------------------------------------------------------
cat >"$tmp/echo.yaml" <<YAML
app: bench_echo
programs:
  - name: server
    wasm: $dir/echo_server.wasm
    role: server
  - name: client
    wasm: $dir/echo_client.wasm
    role: main
    args: ["$calls"]
YAML
echo "round trip between two wasm programs (one process${pin:+, pinned to core 0}):"
if ! "${pin[@]}" "$parigot" run "$tmp/echo.yaml" >"$tmp/echo.log" 2>&1; then
  echo "bench/kernel/run.sh: the round-trip app failed:" >&2
  cat "$tmp/echo.log" >&2
  exit 1
fi
# The client's lines, without the log's time, level and program columns.
sed -n 's/^.* client\[0\] bench: \(.*\) stream=stdout$/  \1/p' "$tmp/echo.log" \
  >"$tmp/echo.out"
if ! grep -q 'round trip through the kernel' "$tmp/echo.out"; then
  echo "bench/kernel/run.sh: no results in the log:" >&2
  cat "$tmp/echo.log" >&2
  exit 1
fi
cat "$tmp/echo.out"
round_trip=$(sed -n 's/^ *round trip through the kernel *\([0-9.]*\) ns.*/\1/p' "$tmp/echo.out")
"${pin[@]}" "$native" "$calls" "$round_trip" | sed 's/^bench: /  /'
echo "  target: >= 250000 calls/s (<= 4000 ns a round trip)"

# ---- 2. start to all-ready, 10 programs ------------------------------------
# main needs s1..s3; below them a layered graph down to s7..s9. Every
# program has its own .wasm file, as in a real app (nothing can be shared
# by path).
deps=("" "s4 s5" "s5 s6" "s6 s7" "s8" "s8 s9" "s9" "" "" "")
{
  echo "app: bench_ten"
  echo "programs:"
  echo "  - name: main"
  echo "    wasm: main.wasm"
  echo "    role: main"
  echo "    args: [require:bench.v1.S1, require:bench.v1.S2, require:bench.v1.S3]"
  for i in 1 2 3 4 5 6 7 8 9; do
    args="export:bench.v1.S$i"
    for d in ${deps[$i]}; do args="$args, require:bench.v1.S${d#s}"; done
    echo "  - name: s$i"
    echo "    wasm: s$i.wasm"
    echo "    role: server"
    echo "    args: [$args]"
  done
} >"$tmp/ten.yaml"
for p in main s1 s2 s3 s4 s5 s6 s7 s8 s9; do cp "$dir/node.wasm" "$tmp/$p.wasm"; done

: >"$tmp/ready_ms"
: >"$tmp/wall_ms"
for r in $(seq "$runs"); do
  start=$(date +%s%N)
  if ! "${pin[@]}" "$parigot" run "$tmp/ten.yaml" >"$tmp/ten.log" 2>&1; then
    echo "bench/kernel/run.sh: the 10-program app failed:" >&2
    cat "$tmp/ten.log" >&2
    exit 1
  fi
  end=$(date +%s%N)
  ms=$(sed -n 's/.*all programs ready startup_ms=\([0-9.]*\).*/\1/p' "$tmp/ten.log")
  if [ -z "$ms" ]; then
    echo "bench/kernel/run.sh: no 'all programs ready' line:" >&2
    cat "$tmp/ten.log" >&2
    exit 1
  fi
  echo "$ms" >>"$tmp/ready_ms"
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f\n", (b - a) / 1e6 }' >>"$tmp/wall_ms"
done
# stats FILE: min, median and max of a column of numbers.
stats() {
  sort -g "$1" | awk '{ v[NR] = $1 } END {
    printf "min %8.3f ms   median %8.3f ms   max %8.3f ms", v[1], v[int((NR + 1) / 2)], v[NR] }'
}
echo "start to all-ready, 10 programs ($runs runs):"
sed -n 's/.*parigot \(startup order: .*\)$/  \1/p' "$tmp/ten.log"
echo "  all ready: $(stats "$tmp/ready_ms")   (kernel: pg_kernel_run start to last release)"
echo "  process:   $(stats "$tmp/wall_ms")   (whole parigot run, main exits at once)"
echo "  target: all ready < 50 ms"
