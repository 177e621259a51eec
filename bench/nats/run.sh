#!/usr/bin/env bash
# Runs the NATS benchmark from build tree BUILD (default: build), as
# scripts/bench.sh does for `make bench`. Starts a private nats-server on
# a free loopback port (tests/integration/nats/nats_lib.sh: stopped on
# exit), then times 100-byte request / 100-byte reply round trips three
# ways in the same run, each with one call at a time and with 16 in
# flight:
#   raw libnats      pg_bench_nats_raw: plain request/reply between two
#                    processes (the reference);
#   parigot / NATS   client.wasm on node "cli" calling echo_server.wasm on
#                    node "srv": two `parigot run --node` processes;
#   parigot / 1 proc the same two programs in one `parigot run`.
# Prints p50, p99 and calls/s of each, the ratios, and the targets of
# issue 5: p50 under 150 us, at least 20,000 calls/s with concurrency,
# parigot's overhead over raw libnats under 30%. Numbers are printed, never
# judged (the machine may be busy); the exit status says whether every run
# worked.
#
# Each kind runs --runs times (default 3), alternated; the figures are the
# medians.
#
#   run.sh [BUILD] [--quick] [--calls N] [--runs N]
set -uo pipefail
build=${1:-build}
shift || true
calls=20000
runs=3
while [ $# -gt 0 ]; do
  case $1 in
  --quick) calls=2000 runs=1 ;;
  --calls) calls=$2; shift ;;
  --runs) runs=$2; shift ;;
  *) echo "bench/nats/run.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done
here=$(cd "$(dirname "$0")" && pwd)
parigot=$build/bin/parigot
dir=$build/bench/nats
raw=$dir/pg_bench_nats_raw
for f in "$parigot" "$dir/echo_server.wasm" "$dir/client.wasm" "$raw"; do
  if [ ! -e "$f" ]; then
    echo "bench/nats/run.sh: $f is not built (targets parigot, bench_nats_*, pg_bench_nats_raw)" >&2
    exit 1
  fi
done
PATH=$PATH:/usr/sbin:/usr/local/sbin
if ! command -v nats-server >/dev/null; then
  echo "bench/nats/run.sh: nats-server is not installed (Debian: nats-server)" >&2
  exit 1
fi
dir=$(cd "$dir" && pwd)
current=bench_nats
source "$here/../../tests/integration/nats/nats_lib.sh"

# bail WHAT FILE: a run failed; show its output and stop.
bail() {
  echo "bench/nats/run.sh: $1 failed:" >&2
  sed 's/^/  | /' "$2" >&2
  exit 1
}

nats_start
concurrency=(1 16)

# ---- the app, over NATS and in one process ---------------------------------
cat >"$tmp/one.yaml" <<YAML
# written by bench/nats/run.sh
app: bench_nats
programs:
  - name: server
    wasm: echo_server.wasm
    role: server
  - name: client
    wasm: client.wasm
    role: main
    args: [$(printf '"%s", ' "$calls" "${concurrency[@]}" | sed 's/, $//')]
YAML
write_app "$tmp/apps/app/app.yaml" "$tmp/one.yaml" "$dir" "deploy:
  nats:
    url: @URL@
  nodes:
    - name: srv
      programs: [server]
    - name: cli
      programs: [client]"

# run_raw: plain libnats, responder and requester in two processes; the
# result lines are appended to $tmp/raw.out.
run_raw() {
  : >"$tmp/rawsrv.raw"
  "$raw" serve "$nats_url" bench.raw.echo >"$tmp/rawsrv.raw" 2>&1 &
  node_pid[rawsrv]=$!
  watch_pid $!
  for _ in $(seq 100); do
    grep -q 'raw: serving' "$tmp/rawsrv.raw" && break
    sleep 0.1
  done
  grep -q 'raw: serving' "$tmp/rawsrv.raw" || bail "the raw responder" "$tmp/rawsrv.raw"
  timeout 120 "$raw" request "$nats_url" bench.raw.echo "$calls" \
    "${concurrency[@]}" >"$tmp/raw.run" 2>&1 ||
    bail "raw libnats request/reply" "$tmp/raw.run"
  cat "$tmp/raw.run" >>"$tmp/raw.out"
  node_kill rawsrv TERM
}

# client_lines LOG OUT: appends the client's result lines to OUT, without
# the log columns.
client_lines() {
  sed -n 's/^.* client\[0\] bench: \(.*\) stream=stdout$/bench: \1/p' "$1" >"$tmp/lines"
  grep -q '^bench: concurrency' "$tmp/lines" || bail "parigot ($1)" "$1"
  cat "$tmp/lines" >>"$2"
}

# run_remote: client node and server node, two `parigot run --node`.
run_remote() {
  node_start srv run "$tmp/apps/app/app.yaml" --node srv
  node_start cli run "$tmp/apps/app/app.yaml" --node cli
  node_wait cli 150
  [ "$rc" = 0 ] || bail "the parigot client node (exit $rc)" "$tmp/cli.raw"
  client_lines "$tmp/cli.raw" "$tmp/remote.out"
  # The kernel logs "program server[0] exited ..." where server ran: that
  # must be node srv, or these calls never crossed NATS.
  if grep -q 'program server\[' "$tmp/cli.raw"; then
    bail "node cli ran the server program itself (no call crossed NATS)" "$tmp/cli.raw"
  fi
  kill -TERM "${node_pid[srv]}" 2>/dev/null
  node_wait srv 10
}

run_local() {
  node_start one run "$tmp/apps/app/app.yaml"
  node_wait one 150
  [ "$rc" = 0 ] || bail "the one-process run (exit $rc)" "$tmp/one.raw"
  client_lines "$tmp/one.raw" "$tmp/local.out"
}

# Alternated, so that load from elsewhere on the machine falls on every
# kind alike; each figure below is the median over the runs.
: >"$tmp/raw.out"
: >"$tmp/remote.out"
: >"$tmp/local.out"
for _ in $(seq "$runs"); do
  run_raw
  run_remote
  run_local
done

# ---- report -----------------------------------------------------------------
# field FILE CONCURRENCY NAME: the median over the runs of p50 | p99 |
# rate in FILE's lines for that concurrency.
field() {
  sed -n "s/^bench: concurrency $2: [0-9]* calls, p50 \([0-9.]*\) us, p99 \([0-9.]*\) us, \([0-9]*\) calls\/s$/\1 \2 \3/p" "$1" |
    awk -v f="$3" '{ print (f == "p50" ? $1 : f == "p99" ? $2 : $3) }' |
    sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'
}
row() { # row LABEL FILE
  local line="$1" c
  for c in "${concurrency[@]}"; do
    line=$(printf '%s  %8s %8s %8s' "$line" "$(field "$2" "$c" p50)" \
      "$(field "$2" "$c" p99)" "$(field "$2" "$c" rate)")
  done
  echo "$line"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "?" }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%+.0f%%", (a / b - 1) * 100; else print "?" }'; }

echo "NATS round trips, 100-byte request and reply, $calls calls each, median of $runs run(s) ($nats_url):"
printf '%-22s  %26s  %26s\n' "" "one call at a time" "16 in flight"
printf '%-22s  %8s %8s %8s  %8s %8s %8s\n' "" "p50 us" "p99 us" "calls/s" "p50 us" "p99 us" "calls/s"
row "$(printf '%-22s' 'raw libnats')" "$tmp/raw.out"
row "$(printf '%-22s' 'parigot over NATS')" "$tmp/remote.out"
row "$(printf '%-22s' 'parigot, one process')" "$tmp/local.out"
raw_p50=$(field "$tmp/raw.out" 1 p50)
par_p50=$(field "$tmp/remote.out" 1 p50)
raw_rate=$(field "$tmp/raw.out" 16 rate)
par_rate=$(field "$tmp/remote.out" 16 rate)
one_p50=$(field "$tmp/local.out" 1 p50)
echo "ratios:"
echo "  p50, one at a time: parigot over NATS / raw libnats = $(ratio "$par_p50" "$raw_p50") (overhead $(pct "$par_p50" "$raw_p50"))"
echo "  calls/s, 16 in flight: raw libnats / parigot over NATS = $(ratio "$raw_rate" "$par_rate") (overhead $(pct "$raw_rate" "$par_rate"))"
echo "  p50, one at a time: parigot over NATS / parigot in one process = $(ratio "$par_p50" "$one_p50")"
echo "  targets (issue 5): p50 < 150 us (got $par_p50), >= 20000 calls/s with concurrency (got $par_rate), overhead over raw libnats < 30%"
