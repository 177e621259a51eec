#!/usr/bin/env bash
# nats_test.sh: parigot deployed over NATS (issue 5), against a private
# nats-server on a free loopback port that the test starts and stops
# (nats_lib.sh). Each CASE is one CTest test:
#
#   shop      the shop app spread over three nodes (main+checkout,
#             cart+inventory, pricing; the last one starts late) gives the
#             same answers as in one process; `parigot graph` shows where
#             each program runs
#   failover  pricing replicas on nodes b and c; c is killed (SIGKILL)
#             mid-workload: the workload finishes through b, only calls in
#             flight on c fail (and are retried), none past its deadline
#   rejoin    c killed mid-workload and started again: it serves again,
#             nobody else restarts
#   cycle     examples/broken/cycle.yaml split over two nodes: x alone
#             waits for y; then both exit 4 with exactly the problem lines
#             of the one-process run
#   missing   examples/broken/missing.yaml over two nodes, the same way
#   auth      nats-server with user/password: right credentials run the
#             shop, a wrong password or none is refused (exit 3, message)
#   token     the same with a token
#   tls       nats-server requiring TLS + client certificates: the node
#             with ca/cert/key runs the shop; without tls:, trusting
#             another CA or without a client certificate it is refused
#   logs      after the shop run, `parigot logs` prints the lines of all
#             three nodes merged in time order, node/program on each
#
#   nats_test.sh PARIGOT BUILD CASE
set -uo pipefail
parigot=$1
build=$(cd "$2" && pwd)
current=$3
here=$(cd "$(dirname "$0")" && pwd)
source "$here/nats_lib.sh"

shop=$build/examples/shop
broken=$build/examples/broken
quoter=$build/tests/integration/nats

# main's lines: the progress lines, the summary and the verdict.
main_lines='^INFO  main\[0\] shop: '

# run_single NAME APP: the app in one process (the reference answers).
run_single() {
  node_start "$1" run "$2"
  node_wait "$1" 60
  expect_rc "$1" 0
}

# stop_servers NAME...: server-only nodes stop when asked (SIGTERM), or on
# their own once main is gone; either way within 10 s and cleanly.
stop_servers() {
  local name
  for name in "$@"; do
    kill -TERM "${node_pid[$name]}" 2>/dev/null
    node_wait "$name" 10
    expect_rc "$name" 0 130
  done
}

# run_shop_three_nodes: the shop over nodes a, b, c (c starts late); a's
# main must give the answers of the one-process run.
run_shop_three_nodes() {
  run_single single "$shop/app.yaml"
  expect_line single "INFO  main[0] shop: all answers correct stream=stdout"

  nats_start
  write_app "$tmp/apps/app/app.yaml" "$shop/app.yaml" "$shop" "deploy:
  nats:
    url: @URL@
  nodes:
    - name: a
      programs: [main, checkout]
    - name: b
      programs: [cart, inventory]
    - name: c
      programs: [pricing]"
  local start=$SECONDS
  node_start a run "$tmp/apps/app/app.yaml" --node a
  node_start b run "$tmp/apps/app/app.yaml" --node b
  sleep 1 # c starts late: a and b wait for pricing to be ready somewhere
  node_start c run "$tmp/apps/app/app.yaml" --node c
  node_wait a 60
  expect_rc a 0
  expect_same single a "$main_lines"
  expect_line a "INFO  main[0] shop: all answers correct stream=stdout"
  expect_match a 'pricing replicas seen: 2 stream=stdout$'
  # Every node computed the graph and order of the one-process run.
  expect_same single a '^INFO  parigot startup order: '
  # Each node ran only its own programs.
  expect_no a '^INFO  (cart|inventory|pricing)\['
  stop_servers b c
  expect_same single b '^INFO  parigot startup order: '
  expect_same single c '^INFO  parigot startup order: '
  expect_no b '^[A-Z]+ +(main|checkout|pricing)\['
  expect_match c '^INFO  pricing\[[01]\] pricing replica [0-9a-f]+ quoted [1-9][0-9]* lines'
  echo "three nodes: main done in $((SECONDS - start)) s"
}

# `parigot graph` of the deployed app shows each program's node.
check_shop_placement() {
  node_start graph graph "$tmp/apps/app/app.yaml"
  node_wait graph 20
  expect_rc graph 0
  awk '/^  [a-z]+$/ { prog = $1 } /^    nodes? / { $1 = ""; print prog ":" $0 }' \
    "$tmp/graph" >"$tmp/placement"
  printf '%s\n' "main: a" "checkout: a" "cart: b" "inventory: b" "pricing: c" \
    >"$tmp/placement.want"
  if diff "$tmp/placement" "$tmp/placement.want" >"$tmp/placement.diff"; then ok; else
    fail "parigot graph placement (< got, > want):"; sed 's/^/  /' "$tmp/placement.diff"
    show graph; fi
}

case_shop() {
  run_shop_three_nodes
  check_shop_placement
}

# After the three-node run, `parigot logs` prints every node's lines
# merged in time order, node and program on each line.
case_logs() {
  run_shop_three_nodes
  node_start logs logs "$tmp/apps/app/app.yaml"
  node_wait logs 20
  expect_rc logs 0
  expect_match logs 'a/main\[0\] shop: all answers correct'
  expect_match logs 'a/main\[0\] shop: 200 orders: '
  expect_match logs 'b/(cart|inventory)\[0\]|b/parigot'
  expect_match logs 'c/pricing\[[01]\] pricing replica [0-9a-f]+ quoted'
  # main's lines in the merged stream are the lines of node a's own log.
  sed -n 's/.* a\/main\[0\] \(shop: .*\)$/\1/p' "$tmp/logs.raw" >"$tmp/merged"
  sed -n 's/^INFO  main\[0\] \(shop: .*\)$/\1/p' "$tmp/a" >"$tmp/own"
  if [ -s "$tmp/own" ] && diff "$tmp/own" "$tmp/merged" >"$tmp/logs.diff"; then ok; else
    fail "main's lines: node a's log (<) vs parigot logs (>):"; sed 's/^/  /' "$tmp/logs.diff"; fi
  # Time order: the RFC 3339 stamps sort as text.
  grep -oE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z' "$tmp/logs.raw" >"$tmp/stamps"
  if [ -s "$tmp/stamps" ] && sort -c "$tmp/stamps" 2>/dev/null; then ok; else
    fail "parigot logs: lines not in time order (or no timestamps)"; show logs; fi
}

# write_quoter_app SECONDS SLOTS DEADLINE_MS: quoter on node a, pricing
# (two replicas a node) on b and c.
write_quoter_app() {
  cat >"$tmp/failover.yaml" <<YAML
# written by tests/integration/nats/nats_test.sh ($current)
app: failover
programs:
  - name: quoter
    wasm: quoter.wasm
    role: main
    args: ["$1", "$2", "$3"]
  - name: pricing
    wasm: pricing.wasm
    role: server
    replicas: 2
YAML
  write_app "$tmp/apps/app/app.yaml" "$tmp/failover.yaml" "$quoter" "deploy:
  nats:
    url: @URL@
  nodes:
    - name: a
      programs: [quoter]
    - name: b
      programs: [pricing]
    - name: c
      programs: [pricing]"
  ln -sf "$shop/pricing.wasm" "$tmp/apps/app/pricing.wasm"
}

# second_line N: the quoter's progress line of second N (timestamp-less).
second_line() { grep -E "quoter: second $1:" "$tmp/a.raw" | strip_times; }

case_failover() {
  local seconds=6 slots=8 deadline_ms=1000
  nats_start
  write_quoter_app $seconds $slots $deadline_ms
  node_start b run "$tmp/apps/app/app.yaml" --node b
  node_start c run "$tmp/apps/app/app.yaml" --node c
  local start=$SECONDS
  node_start a run "$tmp/apps/app/app.yaml" --node a
  # Mid-workload: two full seconds served by both nodes, then c dies.
  if wait_for_line a 'quoter: second 2:' 30; then
    node_kill c KILL
    echo "killed node c at $((SECONDS - start)) s"
    strip_times <"$tmp/a.raw" >"$tmp/a.at_kill"
    # Nothing failed while both nodes were up.
    expect_no a.at_kill 'retrying after|WRONG'
  fi
  node_wait a $((seconds + 20))
  local took=$((SECONDS - start))
  expect_rc a 0
  expect_match a '^INFO  quoter\[0\] quoter: done: [1-9][0-9]* ok, 0 wrong, '
  # Before the kill all four replicas answered; in the last second only
  # b's two.
  grep -sE 'quoter: second [0-9]+:' "$tmp/a.at_kill" | tail -1 >"$tmp/before"
  if grep -q ', 4 replicas answered' "$tmp/before"; then ok; else
    fail "before the kill: want 4 replicas answering, got: $(cat "$tmp/before")"; fi
  grep -E 'quoter: second [0-9]+:' "$tmp/a" | tail -1 >"$tmp/after"
  if grep -q ', 2 replicas answered' "$tmp/after"; then ok; else
    fail "after the kill: want b's 2 replicas answering, got: $(cat "$tmp/after")"; show a; fi
  # Only calls in flight on c failed: at most one per slot.
  local retried
  retried=$(sed -n 's/.*quoter: done: .* \([0-9]*\) retried.*/\1/p' "$tmp/a")
  if [ -n "$retried" ] && [ "$retried" -le "$slots" ]; then ok; else
    fail "retried calls: want at most $slots (those in flight on c), got '$retried'"; fi
  expect_no a 'past its deadline|WRONG'
  # Bounded: startup, the workload's time, one deadline for the lost
  # calls, slack for a loaded machine or a sanitizer build. (Each call's
  # own bound is checked by the quoter: deadline + 500 ms.)
  if [ "$took" -le $((seconds + 15)) ]; then ok; else
    fail "the run took $took s, want <= $((seconds + 15)) s"; fi
  stop_servers b
  echo "failover: $(sed -n 's/.*quoter: done: \(.*\) stream=stdout/\1/p' "$tmp/a") in $took s"
}

# A node that dies and comes back joins again without restarting the
# others: c is killed after second 2 and started again after second 4; by
# the last second all four replicas answer again, and b started once.
case_rejoin() {
  local seconds=9 slots=8 deadline_ms=1000
  nats_start
  write_quoter_app $seconds $slots $deadline_ms
  node_start b run "$tmp/apps/app/app.yaml" --node b
  node_start c run "$tmp/apps/app/app.yaml" --node c
  node_start a run "$tmp/apps/app/app.yaml" --node a
  wait_for_line a 'quoter: second 2:' 30 && node_kill c KILL
  wait_for_line a 'quoter: second 4:' 30
  if second_line 4 | grep -q ', 2 replicas answered'; then ok; else
    fail "second 4, c dead: want 2 replicas, got: $(second_line 4)"; fi
  node_start c2 run "$tmp/apps/app/app.yaml" --node c
  node_wait a $((seconds + 25))
  expect_rc a 0
  expect_match a '^INFO  quoter\[0\] quoter: done: [1-9][0-9]* ok, 0 wrong, '
  if second_line $seconds | grep -q ', 4 replicas answered'; then ok; else
    fail "second $seconds, c back: want 4 replicas, got: $(second_line $seconds)"
    show a; fi
  # b's two, the first c's two and the new c's two.
  expect_match a 'quoter: done: .*, 6 replicas seen'
  stop_servers b c2
  expect_match c2 '^INFO  pricing\[[01]\] pricing replica [0-9a-f]+ quoted [1-9][0-9]* lines'
  local starts
  starts=$(grep -c 'all programs of node b ready' "$tmp/b")
  if [ "$starts" = 1 ]; then ok; else
    fail "node b: started $starts times, want once"; show b; fi
}

# split_abort APP X_PROGRAMS Y_PROGRAMS: examples/broken/APP.yaml over
# nodes x and y. x alone waits for y (it cannot know the graph); then both
# exit 4 with exactly the ERROR/FATAL lines of the one-process run.
split_abort() {
  local app=$1
  node_start single run "$broken/$app.yaml"
  node_wait single 30
  expect_rc single 4
  nats_start
  write_app "$tmp/apps/app/app.yaml" "$broken/$app.yaml" "$broken" "deploy:
  nats:
    url: @URL@
  nodes:
    - name: x
      programs: [$2]
    - name: y
      programs: [$3]"
  node_start x run "$tmp/apps/app/app.yaml" --node x
  sleep 2
  if kill -0 "${node_pid[x]}" 2>/dev/null; then ok; else
    fail "node x ended before node y started (it cannot see the problems alone)"
    strip_times <"$tmp/x.raw" >"$tmp/x"; show x; fi
  node_start y run "$tmp/apps/app/app.yaml" --node y
  node_wait x 30
  expect_rc x 4
  node_wait y 30
  expect_rc y 4
  local n
  for n in x y; do
    expect_same single $n '^(ERROR|FATAL) parigot '
    expect_no $n 'startup order|all programs ready'
  done
}

case_cycle() {
  split_abort cycle "main, a, b, d" "c, e"
  local n
  for n in x y; do
    expect_line $n "ERROR parigot cycle: a → b → c → a (a requires broken.v1.B from b, b requires broken.v1.C from c, c requires broken.v1.A from a)"
    expect_line $n "ERROR parigot cycle: d → e → d (d requires broken.v1.E from e, e requires broken.v1.D from d)"
    expect_line $n "FATAL parigot app cycle cannot start: 2 problems"
  done
}

# A service nobody exports, with the requiring programs on two nodes.
case_missing() {
  split_abort missing "main, web" "worker"
  local n
  for n in x y; do
    expect_line $n "ERROR parigot program 'web' requires service 'broken.v1.Nowhere', which no program exports"
    expect_line $n "ERROR parigot program 'worker' requires service 'broken.v1.Gone', which no program exports"
  done
}

# refused NAME WHAT: node NAME was refused by the server: exit 3 (config)
# at once, a message naming the server and the reason, nothing started.
refused() {
  node_wait "$1" 20
  expect_rc "$1" 3
  expect_line "$1" "ERROR parigot nats: cannot connect to $nats_url: $2"
  expect_no "$1" 'startup order|all programs ready'
}

# auth_case SERVER_ARGS GOOD_CREDS BAD_CREDS: with the right credentials
# the shop runs on one node over NATS; with wrong ones, or none, the node
# is refused.
auth_case() {
  local server_args=$1 good=$2 bad=$3
  nats_start $server_args
  local head="deploy:
  nats:
    url: @URL@" nodes="
  nodes:
    - name: solo
      programs: [main, checkout, cart, inventory, pricing]"
  write_app "$tmp/apps/good/app.yaml" "$shop/app.yaml" "$shop" "$head$good$nodes"
  write_app "$tmp/apps/bad/app.yaml" "$shop/app.yaml" "$shop" "$head$bad$nodes"
  write_app "$tmp/apps/none/app.yaml" "$shop/app.yaml" "$shop" "$head$nodes"
  node_start good run "$tmp/apps/good/app.yaml" --node solo
  node_wait good 60
  expect_rc good 0
  expect_line good "INFO  main[0] shop: all answers correct stream=stdout"
  node_start bad run "$tmp/apps/bad/app.yaml" --node solo
  refused bad 'Authorization Violation'
  node_start none run "$tmp/apps/none/app.yaml" --node solo
  refused none 'Authorization Violation'
}

# make_certs DIR: a test CA, a server certificate for 127.0.0.1 and a
# client certificate signed by it, plus a second CA that signed neither.
make_certs() {
  local d=$1 ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
  mkdir -p "$d"
  (
    cd "$d" || exit 1
    openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.pem -days 1 \
      -subj "/CN=parigot test CA" &&
      openssl req -x509 "${ec[@]}" -keyout other.key -out other-ca.pem -days 1 \
        -subj "/CN=some other CA" &&
      openssl req "${ec[@]}" -keyout server.key -out server.csr -subj "/CN=127.0.0.1" &&
      printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >server.ext &&
      openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
        -out server.pem -days 1 -extfile server.ext &&
      openssl req "${ec[@]}" -keyout client.key -out client.csr -subj "/CN=node" &&
      printf 'extendedKeyUsage=clientAuth\n' >client.ext &&
      openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
        -out client.pem -days 1 -extfile client.ext
  ) >"$tmp/openssl.log" 2>&1 || {
    fail "openssl could not make the test certificates:"; sed 's/^/  | /' "$tmp/openssl.log"
    exit 1
  }
}

# TLS options reach libnats: a server that requires TLS and client
# certificates (--tlsverify) serves a node whose tls: names the CA, its
# certificate and key; a node without tls:, one that trusts another CA and
# one without a client certificate are refused (exit 3, the reason).
case_tls() {
  local certs=$tmp/certs
  make_certs "$certs"
  nats_start --tlsverify --tlscert "$certs/server.pem" --tlskey "$certs/server.key" \
    --tlscacert "$certs/ca.pem"
  local head="deploy:
  nats:
    url: @URL@" nodes="
  nodes:
    - name: solo
      programs: [main, checkout, cart, inventory, pricing]"
  write_app "$tmp/apps/good/app.yaml" "$shop/app.yaml" "$shop" "$head
    tls: {ca: $certs/ca.pem, cert: $certs/client.pem, key: $certs/client.key}$nodes"
  write_app "$tmp/apps/plain/app.yaml" "$shop/app.yaml" "$shop" "$head$nodes"
  write_app "$tmp/apps/stranger/app.yaml" "$shop/app.yaml" "$shop" "$head
    tls: {ca: $certs/other-ca.pem, cert: $certs/client.pem, key: $certs/client.key}$nodes"
  write_app "$tmp/apps/anonymous/app.yaml" "$shop/app.yaml" "$shop" "$head
    tls: {ca: $certs/ca.pem}$nodes"
  node_start good run "$tmp/apps/good/app.yaml" --node solo
  node_wait good 60
  expect_rc good 0
  expect_line good "INFO  main[0] shop: all answers correct stream=stdout"
  local name
  for name in plain stranger anonymous; do
    node_start $name run "$tmp/apps/$name/app.yaml" --node solo
    node_wait $name 20
    expect_rc $name 3
    expect_match $name "^ERROR parigot nats: cannot connect to ${nats_url//./\\.}: [^ ].*"
    expect_no $name 'startup order|all programs ready'
  done
  # What each refusal said, for the reader of the test log.
  for name in plain stranger anonymous; do
    echo "$name: $(grep -m1 'cannot connect' "$tmp/$name")"
  done
}

case $current in
shop) case_shop ;;
logs) case_logs ;;
tls) case_tls ;;
failover) case_failover ;;
rejoin) case_rejoin ;;
cycle) case_cycle ;;
missing) case_missing ;;
auth)
  auth_case "--user parigot --pass s3cret" "
    user: parigot
    password: s3cret" "
    user: parigot
    password: wrong"
  ;;
token)
  auth_case "--auth t0ken-of-the-app" "
    token: t0ken-of-the-app" "
    token: not-the-token"
  ;;
*) echo "nats_test.sh: unknown case '$current'" >&2; exit 2 ;;
esac
finish
