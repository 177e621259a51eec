#!/usr/bin/env bash
# nodes_test.sh: startup across nodes with real `parigot run --node`
# processes and a real nats-server (JetStream, own store in a temporary
# directory, a free loopback port; stopped and removed at exit).
#
#   usage: nodes_test.sh PARIGOT DECLARE_WASM
#
# DECLARE_WASM is examples/broken's declare.wasm: a program that requires
# and exports what its arguments say, then calls run() (and serves, when
# it exports something). Cases:
#   order    two nodes, the second started late: the first says whom it
#            waits for, both log the same startup order, the main on node x
#            is released only once what it needs is ready on node y
#   restart  a node restarted while the other runs joins without the other
#            restarting (the bucket kept the declarations)
#   cycle    a cycle split across two nodes aborts both (exit 4) with the
#            very lines of the one-process run
#   logs     `parigot logs` prints both nodes' lines, time-ordered
#   follow   `parigot logs --follow` prints lines published after it started
#   graph    `parigot graph` shows the placement
set -u
PARIGOT=$1
DECLARE=$2
tmp=$(mktemp -d /tmp/pg_cluster_nodes_XXXXXX)
nats_pid=
pids=()
failures=0
checks=0

cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  [ -n "$nats_pid" ] && kill "$nats_pid" 2>/dev/null && wait "$nats_pid" 2>/dev/null
  [ -n "${PG_KEEP_TMP:-}" ] && echo "kept $tmp" >&2 || rm -rf "$tmp"
}
trap cleanup EXIT

ok() { checks=$((checks + 1)); }
fail() {
  checks=$((checks + 1)); failures=$((failures + 1))
  echo "  FAIL: $*" >&2
}
show() { echo "  --- $1:" >&2; sed 's/^/    /' "$1" >&2; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

start_nats() {
  port=$(free_port)
  nats-server -a 127.0.0.1 -p "$port" -js -sd "$tmp/js" >"$tmp/nats.log" 2>&1 &
  nats_pid=$!
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "nats-server did not start" >&2; exit 1
}

# app NAME DEPLOY_NODES_YAML PROGRAMS_YAML: writes $tmp/NAME.yaml.
app() {
  cat >"$tmp/$1.yaml" <<EOF
app: $1
deadline_ms: 2000
programs:
$3
deploy:
  nats:
    url: nats://127.0.0.1:$port
  nodes:
$2
EOF
}

prog() { # NAME ROLE ARGS
  printf '  - name: %s\n    wasm: %s\n    role: %s\n    args: [%s]\n' \
    "$1" "$DECLARE" "$2" "$3"
}

# node NAME APP: starts `parigot run APP --node NAME` in the background;
# its log goes to $tmp/APP.NAME.log (appended), its pid to var pid_NAME.
node() {
  "$PARIGOT" run "$tmp/$2.yaml" --node "$1" --log-level debug \
    >>"$tmp/$2.$1.log" 2>&1 &
  pids+=($!)
  eval "pid_$1=$!"
}

# wait_line FILE REGEX SECONDS
wait_line() {
  for _ in $(seq $((${3} * 20))); do
    grep -qE "$2" "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}

# wait_exit PID SECONDS -> sets $rc (124 on timeout, then the node is killed)
wait_exit() {
  for _ in $(seq $((${2} * 20))); do
    if ! kill -0 "$1" 2>/dev/null; then wait "$1"; rc=$?; return 0; fi
    sleep 0.05
  done
  kill -9 "$1" 2>/dev/null; wait "$1" 2>/dev/null; rc=124
}

expect_line() { # FILE REGEX
  if grep -qE "$2" "$1"; then ok; else fail "$1 lacks /$2/"; show "$1"; fi
}
expect_no_line() {
  if grep -qE "$2" "$1"; then fail "$1 has /$2/"; show "$1"; else ok; fi
}
expect_rc() { # WHAT GOT WANT
  if [ "$2" = "$3" ]; then ok; else fail "$1: exit status $2, want $3"; fi
}

# -- order: x = main + b, y = a + c; y starts late ---------------------------
case_order() {
  app pair "    - {name: x, programs: [main, b]}
    - {name: y, programs: [a, c]}" \
"$(prog main main require:t.v1.B)
$(prog b server export:t.v1.B,require:t.v1.A)
$(prog a server export:t.v1.A)
$(prog c server export:t.v1.C,require:t.v1.A)"
  node x pair
  wait_line "$tmp/pair.x.log" 'waiting for declarations from node y: a, c$' 10 \
    && ok || { fail "node x does not say it waits for y"; show "$tmp/pair.x.log"; }
  node y pair
  wait_exit "$pid_x" 20
  expect_rc "node x (main exits 0)" "$rc" 0
  wait_line "$tmp/pair.y.log" 'all programs of node y ready' 10 && ok ||
    fail "node y never ready"
  kill -TERM "$pid_y"; wait_exit "$pid_y" 10
  expect_rc "node y (SIGTERM)" "$rc" 130
  for n in x y; do
    expect_line "$tmp/pair.$n.log" 'INFO  parigot startup order: a, b, c, main$'
  done
  expect_line "$tmp/pair.x.log" 'node x: every node has declared'
  expect_line "$tmp/pair.x.log" 'DEBUG parigot released b$'
  expect_line "$tmp/pair.x.log" 'all programs of node x ready startup_ms='
  expect_line "$tmp/pair.y.log" 'DEBUG parigot released a$'
  expect_no_line "$tmp/pair.y.log" 'released (b|main)$'
  expect_no_line "$tmp/pair.y.log" 'waiting for declarations'
  # b (on x) requires a (on y): released only after y published a ready.
  local released_b y_ready
  released_b=$(grep -m1 'released b$' "$tmp/pair.x.log" | cut -c1-24)
  y_ready=$(grep -m1 'released a$' "$tmp/pair.y.log" | cut -c1-24)
  if [[ -n "$released_b" && ! "$released_b" < "$y_ready" ]]; then ok; else
    fail "b released at $released_b, before a on y ($y_ready)"; fi
}

# -- restart: y restarts while x keeps serving ----------------------------------
case_restart() {
  app duo "    - {name: x, programs: [b]}
    - {name: y, programs: [a]}" \
"$(prog b server export:t.v1.B,require:t.v1.A)
$(prog a server export:t.v1.A)"
  node x duo; node y duo
  wait_line "$tmp/duo.x.log" 'all programs of node x ready' 10 && ok ||
    { fail "x not ready"; show "$tmp/duo.x.log"; }
  kill -TERM "$pid_y"; wait_exit "$pid_y" 10
  expect_rc "node y stopped" "$rc" 130
  : >"$tmp/duo.y.log"
  node y duo
  wait_line "$tmp/duo.y.log" 'all programs of node y ready' 10 && ok ||
    { fail "restarted y not ready"; show "$tmp/duo.y.log"; }
  expect_no_line "$tmp/duo.y.log" 'waiting for declarations'
  expect_line "$tmp/duo.y.log" 'startup order: a, b$'
  if kill -0 "$pid_x" 2>/dev/null; then ok; else fail "x died meanwhile"; fi
  local starts
  starts=$(grep -c 'startup order' "$tmp/duo.x.log")
  expect_rc "x logged its startup order once" "$starts" 1
  kill -TERM "$pid_x" "$pid_y"
  wait_exit "$pid_x" 10; wait_exit "$pid_y" 10
}

# -- cycle split across two nodes -----------------------------------------------
case_cycle() {
  local progs
  progs="$(prog main main require:t.v1.A)
$(prog a server export:t.v1.A,require:t.v1.B)
$(prog b server export:t.v1.B,require:t.v1.C)
$(prog c server export:t.v1.C,require:t.v1.A)"
  app loop "    - {name: x, programs: [main, a, b]}
    - {name: y, programs: [c]}" "$progs"
  node x loop; node y loop
  wait_exit "$pid_x" 20; local rx=$rc
  wait_exit "$pid_y" 20; local ry=$rc
  expect_rc "node x" "$rx" 4
  expect_rc "node y" "$ry" 4
  # The one-process run of the same programs, without the deploy section.
  sed '/^deploy:/,$d' "$tmp/loop.yaml" >"$tmp/loop1.yaml"
  "$PARIGOT" run "$tmp/loop1.yaml" >"$tmp/loop1.log" 2>&1
  expect_rc "one process" "$?" 4
  grep -E ' (ERROR|FATAL) ' "$tmp/loop1.log" | cut -c26- >"$tmp/want"
  for n in x y; do
    grep -E ' (ERROR|FATAL) ' "$tmp/loop.$n.log" | cut -c26- >"$tmp/got.$n"
    if [ -s "$tmp/want" ] && diff "$tmp/want" "$tmp/got.$n" >"$tmp/diff"; then
      ok; else fail "node $n's abort differs from one process:"; show "$tmp/diff"; fi
  done
  expect_line "$tmp/got.x" '^ERROR parigot cycle: a → b → c → a \(a requires t.v1.B from b, b requires t.v1.C from c, c requires t.v1.A from a\)$'
}

# -- parigot logs ------------------------------------------------------------------
case_logs() {
  "$PARIGOT" logs "$tmp/pair.yaml" >"$tmp/logs.out" 2>"$tmp/logs.err"
  expect_rc "parigot logs" "$?" 0
  expect_line "$tmp/logs.out" ' INFO  x/parigot startup order: a, b, c, main$'
  expect_line "$tmp/logs.out" ' INFO  y/parigot startup order: a, b, c, main$'
  expect_line "$tmp/logs.out" ' DEBUG y/parigot released a$'
  cut -c1-24 "$tmp/logs.out" >"$tmp/stamps"
  if [ -s "$tmp/stamps" ] && sort -c "$tmp/stamps" 2>/dev/null; then ok; else
    fail "parigot logs: not in time order"; show "$tmp/logs.out"; fi
  "$PARIGOT" logs "$tmp/pair.yaml" --format json >"$tmp/logs.json"
  expect_line "$tmp/logs.json" '^\{"time":"[^"]+","node":"y","level":"debug","program":"parigot","msg":"released a"\}$'
  # An app no node ran: exit 3 and why.
  sed 's/^app: pair/app: nobody/' "$tmp/pair.yaml" >"$tmp/nobody.yaml"
  "$PARIGOT" logs "$tmp/nobody.yaml" >/dev/null 2>"$tmp/nobody.err"
  expect_rc "parigot logs (no stream)" "$?" 3
  expect_line "$tmp/nobody.err" '^parigot: app nobody has no log stream PARIGOT_LOG_nobody yet: no node has run with this NATS$'
}

# -- parigot logs --follow: lines of a node started afterwards appear ---------------
case_follow() {
  "$PARIGOT" logs "$tmp/pair.yaml" --follow --window 100 >"$tmp/follow.out" \
    2>"$tmp/follow.err" &
  local follower=$!
  pids+=("$follower")
  wait_line "$tmp/follow.out" 'y/parigot app pair stopped' 10 && ok ||
    fail "the follower did not print the history"
  : >"$tmp/pair.y.log"
  node y pair # alone: x's declarations are still in the bucket
  wait_line "$tmp/pair.y.log" 'all programs of node y ready' 10 && ok ||
    { fail "y alone did not start"; show "$tmp/pair.y.log"; }
  kill -TERM "$pid_y"; wait_exit "$pid_y" 10
  local n
  n=$(grep -c 'y/parigot app pair stopped' "$tmp/follow.out")
  for _ in $(seq 100); do
    [ "$n" -ge 2 ] && break
    sleep 0.05
    n=$(grep -c 'y/parigot app pair stopped' "$tmp/follow.out")
  done
  expect_rc "followed lines of the second run of y" "$n" 2
  kill -INT "$follower"; wait_exit "$follower" 5
  expect_rc "parigot logs --follow after SIGINT" "$rc" 0
}

# -- parigot graph -------------------------------------------------------------------
case_graph() {
  "$PARIGOT" graph "$tmp/pair.yaml" >"$tmp/graph.txt" 2>"$tmp/graph.err"
  expect_rc "parigot graph" "$?" 0
  expect_line "$tmp/graph.txt" '^    node      x$'
  expect_line "$tmp/graph.txt" '^    node      y$'
  "$PARIGOT" graph "$tmp/pair.yaml" --format dot >"$tmp/graph.dot" 2>/dev/null
  expect_line "$tmp/graph.dot" 'label="node y";'
  if command -v dot >/dev/null; then
    dot -Tsvg "$tmp/graph.dot" >/dev/null && ok || fail "dot rejects the graph"
  fi
}

start_nats
cd "$tmp" || exit 1
for c in order restart cycle logs follow graph; do
  before=$failures
  "case_$c"
  if [ "$failures" = "$before" ]; then echo "ok $c"; else echo "not ok $c"; fi
done
echo "$((checks - failures)) passed, $failures failed"
[ "$failures" = 0 ]
