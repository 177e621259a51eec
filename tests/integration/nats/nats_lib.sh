# nats_lib.sh: the harness of the multi-node tests (sourced). It starts a
# private nats-server on a free loopback port, runs `parigot run --node`
# processes in the background, bounds every wait, and on exit (normal,
# failure or signal) kills everything it started and removes its files.
#
#   nats_start [--user U --pass P | --auth TOKEN]
#       nats-server -a 127.0.0.1 -p -1 (the kernel picks a free port; read
#       back from --ports_file_dir) -js -sd $tmp/js; sets $nats_url
#       (nats://127.0.0.1:PORT) once the server answers on it.
#   write_app OUT SRC_YAML WASM_DIR [DEPLOY_TEXT]
#       OUT = SRC_YAML with its .wasm files linked from WASM_DIR, plus the
#       deploy: section DEPLOY_TEXT (where @URL@ is $nats_url).
#   node_start NAME ARGS...   `parigot ARGS...` in the background, output
#                             in $tmp/NAME.raw (and $tmp/NAME without times)
#   node_wait NAME SECONDS    waits for it; kills it past SECONDS; sets $rc
#                             (124 when it had to be killed)
#   node_kill NAME [SIGNAL]   signals it (default KILL) and reaps it
#   wait_for_line NAME REGEX SECONDS   until the node's output matches
#
# Checks count into "N passed, N failed" (finish), and every failed check
# prints what was expected beside what came out. Log lines are compared
# without their RFC 3339 timestamp.

passed=0
failed=0
current=${current:-setup}
declare -A node_pid=()
nats_pid=
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pg-nats-test.XXXXXX")

# The watchdog: if this script itself is killed outright (SIGKILL, so no
# trap runs), it kills whatever the script started (the pids in
# $tmp/pids) and removes $tmp. A normal exit stops it first.
start_watchdog() {
  local parent=$$
  (
    trap '' TERM INT
    while kill -0 "$parent" 2>/dev/null; do sleep 1; done
    local pid
    # Only what this harness starts: a pid may have been reused since.
    while read -r pid; do
      grep -qaE 'parigot|nats-server|pg_bench_nats' "/proc/$pid/cmdline" 2>/dev/null &&
        kill -KILL "$pid"
    done <"$tmp/pids"
    rm -rf "$tmp"
  ) </dev/null >/dev/null 2>&1 &
  watchdog_pid=$!
  # Out of the job table: cleanup's KILL of it is expected, not news.
  disown "$watchdog_pid" 2>/dev/null || true
}
watch_pid() { echo "$1" >>"$tmp/pids"; }
: >"$tmp/pids"

cleanup() {
  local name
  [ -n "${watchdog_pid:-}" ] && kill -KILL "$watchdog_pid" 2>/dev/null
  for name in "${!node_pid[@]}"; do
    kill -KILL "${node_pid[$name]}" 2>/dev/null
  done
  if [ -n "$nats_pid" ]; then
    kill -TERM "$nats_pid" 2>/dev/null
    # nats-server flushes JetStream on TERM; give it a moment, then insist.
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      kill -0 "$nats_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$nats_pid" 2>/dev/null
  fi
  wait 2>/dev/null
  if [ "${PG_KEEP_TMP:-0}" = 1 ]; then
    echo "(kept $tmp)"
  else
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
start_watchdog

ok() { passed=$((passed + 1)); }
fail() {
  failed=$((failed + 1))
  echo "FAIL [$current]: $*"
}
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" = 0 ]
}
# show NAME: the node's output (first 80 lines), for a failure's context.
show() { sed -n '1,80s/^/  | /p' "$tmp/$1"; }

strip_times() { sed -E 's/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z //'; }

nats_start() {
  local args=(-a 127.0.0.1 -p -1 -js -sd "$tmp/js" --ports_file_dir "$tmp")
  args+=("$@")
  mkdir -p "$tmp/js"
  nats-server "${args[@]}" >"$tmp/nats-server.log" 2>&1 &
  nats_pid=$!
  watch_pid "$nats_pid"
  local ports="$tmp/nats-server_$nats_pid.ports" port=
  for _ in $(seq 100); do
    if [ -s "$ports" ]; then
      port=$(sed -n 's/.*"[a-z]*:\/\/127\.0\.0\.1:\([0-9]*\)".*/\1/p' "$ports" | head -1)
      [ -n "$port" ] && answers_on "$port" && break
    fi
    kill -0 "$nats_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$port" ] || ! answers_on "$port"; then
    echo "FAIL [$current]: nats-server did not start (args: ${args[*]}):"
    sed 's/^/  | /' "$tmp/nats-server.log"
    exit 1
  fi
  nats_url="nats://127.0.0.1:$port"
}

# answers_on PORT: a NATS server greets with INFO on connect.
answers_on() {
  (
    exec 9<>"/dev/tcp/127.0.0.1/$1" || exit 1
    read -r -t 2 line <&9 && [ "${line#INFO}" != "$line" ]
  ) 2>/dev/null
}

write_app() {
  local out=$1 src=$2 wasm_dir=$3 deploy=${4:-} dir f
  dir=$(dirname "$out")
  mkdir -p "$dir"
  for f in "$wasm_dir"/*.wasm; do
    [ -e "$dir/$(basename "$f")" ] || ln -s "$(cd "$(dirname "$f")" && pwd)/$(basename "$f")" "$dir/"
  done
  cp "$src" "$out"
  if [ -n "$deploy" ]; then
    printf '%s\n' "${deploy//@URL@/$nats_url}" >>"$out"
  fi
}

node_start() {
  local name=$1
  shift
  "$parigot" "$@" >"$tmp/$name.raw" 2>&1 </dev/null &
  node_pid[$name]=$!
  watch_pid $!
}

node_wait() {
  local name=$1 seconds=$2 pid=${node_pid[$1]} i
  for ((i = 0; i < seconds * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    rc=124
  else
    wait "$pid" 2>/dev/null
    rc=$?
  fi
  unset "node_pid[$name]"
  strip_times <"$tmp/$name.raw" >"$tmp/$name"
}

node_kill() {
  local name=$1 sig=${2:-KILL}
  kill "-$sig" "${node_pid[$name]}" 2>/dev/null
  node_wait "$name" 10 2>/dev/null
}

wait_for_line() {
  local name=$1 regex=$2 seconds=$3 i
  for ((i = 0; i < seconds * 10; i++)); do
    grep -qE -- "$regex" "$tmp/$name.raw" 2>/dev/null && return 0
    sleep 0.1
  done
  fail "$name: no line matching /$regex/ within $seconds s"
  strip_times <"$tmp/$name.raw" >"$tmp/$name"
  show "$name"
  return 1
}

expect_rc() { # expect_rc NAME WANT...: $rc is one of WANT
  local name=$1 want
  shift
  for want in "$@"; do [ "$rc" = "$want" ] && { ok; return; }; done
  fail "$name: exit code: expected $*, got $rc"
  show "$name"
}
expect_line() { # expect_line NAME LINE: NAME printed exactly LINE
  if grep -qxF -- "$2" "$tmp/$1"; then ok; else
    fail "$1: no line \"$2\""; show "$1"; fi
}
expect_match() { # expect_match NAME REGEX
  if grep -qE -- "$2" "$tmp/$1"; then ok; else
    fail "$1: no line matching /$2/"; show "$1"; fi
}
expect_no() { # expect_no NAME REGEX
  if grep -qE -- "$2" "$tmp/$1"; then
    fail "$1: unexpected line: $(grep -m1 -E -- "$2" "$tmp/$1")"
  else ok; fi
}
# expect_same NAME_A NAME_B REGEX: the lines matching REGEX (sed-able
# columns already stripped by the caller) are the same in both files.
expect_same() {
  grep -E -- "$3" "$tmp/$1" >"$tmp/same.a"
  grep -E -- "$3" "$tmp/$2" >"$tmp/same.b"
  if [ -s "$tmp/same.a" ] && diff "$tmp/same.a" "$tmp/same.b" >"$tmp/same.diff"; then
    ok
  else
    fail "lines /$3/ differ between $1 (<) and $2 (>):"
    sed 's/^/  /' "$tmp/same.diff"
    [ -s "$tmp/same.a" ] || echo "  (none in $1)"
  fi
}
