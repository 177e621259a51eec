#!/usr/bin/env bash
# misbehave_test.sh: broken apps that do start but whose programs misbehave
# (examples/broken).
#   trap    a server traps mid-call, twice: the caller gets INTERNAL with
#           the trap named, the kernel logs the trap with a backtrace and
#           restarts the server with growing backoff, another program
#           answers meanwhile, later calls succeed (fragile_main checks the
#           answers and exits 0), the app ends 0;
#   trap_deterministic
#           the same on the virtual clock (--deterministic);
#   spin    a server loops forever mid-call: the caller gets
#           DEADLINE_EXCEEDED at its 300 ms deadline (twice), another
#           program keeps answering, and at the end the kernel stops the
#           spinning server by force after its 2000 ms grace;
#   mainfail / maintrap
#           the app starts, then main exits 3 / traps: the server is
#           stopped and `parigot run` exits 1 (PG_EXIT_PROGRAM_FAILED);
#   badptr  bad pointers and lengths to every syscall that takes one: each
#           returns INVALID_ARGUMENT, good calls work around them, forged
#           handles and ids are refused, the host survives (run under
#           ASan+UBSan in the sanitizer tree).
#
#   misbehave_test.sh PARIGOT BROKEN_DIR CASE
set -uo pipefail
parigot=$1
dir=$2
current=$3
source "$(dirname "$0")/lib.sh"

# trap_case [--deterministic]: in real time, and on the virtual clock
# where the order of events is fixed (then "another program answers
# during the restart" must come before the restart, which is 50 ms later;
# in real time a stalled test machine could reorder them, so that order is
# checked on the virtual clock only).
trap_case() {
  local steady_first="INFO  main[0] ok: another program answers during the restart: OK, served=2 after 1 stream=stdout"
  local caller_ok="INFO  main[0] ok: a call that traps the server fails with INTERNAL naming the trap: INTERNAL service broken.v1.FragileService: program fragile[0] trapped: out of bounds memory access stream=stdout"
  local trapped="ERROR parigot program fragile[0] trapped: out of bounds memory access"
  local after="INFO  main[0] ok: calls after the restart: 50 of 50 succeeded stream=stdout"
  run_parigot run run "$dir/trap.yaml" "$@"
  expect_rc 0 run
  expect_count run 2 "$caller_ok"
  expect_count run 2 "$trapped"
  # the backtrace names the handler that trapped, inside the skeleton
  expect_match_count run 2 '^ERROR parigot   at #0 do_echo \(func [0-9]+\)$'
  expect_match_count run 2 '^ERROR parigot   at #1 broken_v1_FragileService_dispatch \(func [0-9]+\)$'
  expect_count run 2 "$after"
  expect_count run 2 "INFO  main[0] ok: the server is a new incarnation: served=1 on the first call stream=stdout"
  expect_count run 2 "INFO  parigot restarted fragile[0]"
  # trap → restart scheduled → restarted → calls succeed, in that order,
  # for each of the two rounds (the backoff doubles); on the virtual clock
  # also where the steady program's answers fall.
  local during1=() during2=()
  if [ "${1:-}" = --deterministic ]; then
    during1=("$steady_first")
    during2=("INFO  main[0] ok: another program answers during the restart: OK, served=3 after 2 stream=stdout")
  fi
  expect_order run "INFO  main[0] ok: a normal call answers: OK stream=stdout" \
    "INFO  main[0] ok: the steady program answers: OK, served=1 after 0 stream=stdout" \
    "$trapped" \
    "WARN  parigot restarting fragile[0] in 50 ms (restart 1)" \
    "${during1[@]}" \
    "INFO  parigot restarted fragile[0]" \
    "$after" \
    "WARN  parigot restarting fragile[0] in 100 ms (restart 2)" \
    "${during2[@]}" \
    "INFO  main[0] fragile_main: 0 wrong stream=stdout" \
    "INFO  parigot app trap stopped: exit status 0 (every main program exited with 0)"
  expect_count run 1 "$steady_first"
  expect_line run "INFO  steady[0] steady: served 3 calls in this incarnation stream=stdout"
  expect_no run 'WRONG|steady\[0\] trapped|restarting steady'
}

spin_case() {
  local exceeded="ok: a call whose server loops forever ends at its deadline: DEADLINE_EXCEEDED deadline exceeded calling broken.v1.FragileService/Echo stream=stdout"
  run_parigot run run "$dir/spin.yaml"
  expect_rc 0 run
  expect_line run "INFO  main[0] $exceeded"
  expect_line run "INFO  main[0] ok: a call to the still spinning server ends at its deadline: DEADLINE_EXCEEDED deadline exceeded calling broken.v1.FragileService/Echo stream=stdout"
  expect_count run 2 "INFO  main[0] ok: the call lasted its deadline: not before the deadline stream=stdout"
  expect_count run 2 "INFO  main[0] ok: another program answers while one spins: OK stream=stdout"
  expect_order run "INFO  main[0] spin_main: 0 wrong stream=stdout" \
    "INFO  parigot stopping steady" \
    "INFO  parigot program steady[0] exited with code 0" \
    "INFO  parigot stopping fragile" \
    "WARN  parigot program fragile did not stop within 2000 ms; aborting it" \
    "INFO  parigot app spin stopped: exit status 0 (every main program exited with 0)"
  expect_no run 'WRONG'
}

# main_failed_case APP LINE: main ended badly with LINE logged.
main_failed_case() {
  run_parigot run run "$dir/$1.yaml"
  expect_rc 1 run
  expect_order run "INFO  parigot startup order: server, main" \
    "INFO  parigot all programs ready startup_ms=$(sed -n 's/.*startup_ms=//p' "$tmp/run")" \
    "$2" \
    "INFO  parigot every main program has exited; stopping servers" \
    "INFO  parigot stopping server" \
    "INFO  parigot program server[0] exited with code 0" \
    "WARN  parigot app $1 stopped: exit status 1 (a main program exited non-zero or trapped)"
  expect_no run 'restart'
}

badptr_case() {
  run_parigot run run "$dir/badptr.yaml"
  expect_rc 0 run
  expect_line run "INFO  main[0] badptr main: 57 checks, 0 wrong stream=stdout"
  expect_line run "INFO  server[0] badptr server: 53 checks, 0 wrong stream=stdout"
  expect_line run "INFO  parigot program server[0] exited with code 0"
  expect_line run "INFO  parigot app badptr stopped: exit status 0 (every main program exited with 0)"
  expect_no run 'WRONG|trapped'
}

case $current in
trap) trap_case ;;
trap_deterministic) trap_case --deterministic ;;
spin) spin_case ;;
mainfail) main_failed_case mainfail "WARN  parigot program main[0] exited with code 3" ;;
maintrap) main_failed_case maintrap "ERROR parigot program main[0] trapped: unreachable" ;;
badptr) badptr_case ;;
*) fail "unknown case" ;;
esac
finish
