#!/usr/bin/env bash
# aborts_test.sh: `parigot run` (and `parigot graph`) on the broken apps of
# examples/broken that cannot start. Each must exit 4 (PG_EXIT_STARTUP),
# list every problem at once, each exactly as the kernel words it, end with
# "app NAME cannot start: N problem(s)", and release no program.
#
#   aborts_test.sh PARIGOT BROKEN_DIR CASE
# CASE: missing | duplicate | cycle | tangle | died | everything | json (the
# everything app with --log-format json) | notwasm | unknown_import (a
# module that cannot be loaded or linked: exit 3, PG_EXIT_CONFIG)
set -uo pipefail
parigot=$1
dir=$2
current=$3
source "$(dirname "$0")/lib.sh"

# expect_abort APP N PROBLEM...: run and graph both report exactly these
# problems (ERROR lines, in order) and "N problem(s)".
expect_abort() {
  local app=$1 n=$2 word=problems
  shift 2
  [ "$n" = 1 ] && word=problem
  printf 'ERROR parigot %s\n' "$@" >"$tmp/want_run"
  printf '  %s\n' "$@" >"$tmp/want_graph"

  run_parigot run run "$dir/$app.yaml"
  expect_rc 4 run
  # The problems come together, right before the one FATAL line.
  local fatal="FATAL parigot app $app cannot start: $n $word"
  expect_count run 1 "$fatal"
  grep -B "$n" -xF -- "$fatal" "$tmp/run" | head -n "$n" >"$tmp/got_run"
  if diff "$tmp/got_run" "$tmp/want_run" >"$tmp/diff"; then ok; else
    fail "the $n lines before the FATAL line differ (< got, > expected):"
    sed 's/^/  /' "$tmp/diff"
  fi
  expect_no run 'startup order|all programs ready'

  run_parigot graph graph "$dir/$app.yaml"
  expect_rc 4 graph
  expect_line graph "problems ($n):"
  sed -n '/^problems (/,$p' "$tmp/graph" | tail -n +2 | grep '^  ' >"$tmp/got_graph"
  if diff "$tmp/got_graph" "$tmp/want_graph" >"$tmp/diff"; then ok; else
    fail "graph problems differ (< got, > expected):"; sed 's/^/  /' "$tmp/diff"
  fi
  expect_no graph 'startup order'
}

# expect_load_error APP LINE: run and graph both exit 3 (PG_EXIT_CONFIG)
# with the ERROR line LINE (timestamp stripped) and start nothing.
expect_load_error() {
  local cmd
  for cmd in run graph; do
    run_parigot $cmd $cmd "$dir/$1.yaml"
    expect_rc 3 $cmd
    expect_line $cmd "$2"
    expect_no $cmd 'startup order|all programs ready|FATAL'
  done
}

case $current in
notwasm)
  expect_load_error notwasm \
    "ERROR parigot program garbage: cannot load $dir/garbage.wasm: at offset 0x0: magic header not detected"
  ;;
unknown_import)
  expect_load_error unknown_import \
    "ERROR parigot program teleport[0]: cannot instantiate $dir/broken_teleport.wasm: unknown import: \"parigot\" \"teleport\""
  ;;
missing)
  expect_abort missing 2 \
    "program 'web' requires service 'broken.v1.Nowhere', which no program exports" \
    "program 'worker' requires service 'broken.v1.Gone', which no program exports"
  ;;
duplicate)
  expect_abort duplicate 1 \
    "service 'broken.v1.Twice' is exported by both 'one' and 'two'"
  ;;
cycle)
  expect_abort cycle 2 \
    "cycle: a → b → c → a (a requires broken.v1.B from b, b requires broken.v1.C from c, c requires broken.v1.A from a)" \
    "cycle: d → e → d (d requires broken.v1.E from e, e requires broken.v1.D from d)"
  ;;
tangle)
  expect_abort tangle 3 \
    "cycle: a → b → a (a requires broken.v1.B from b, b requires broken.v1.A from a)" \
    "cycle: a → c → a (a requires broken.v1.C from c, c requires broken.v1.A from a)" \
    "cycle: a → c → b → a (a requires broken.v1.C from c, c requires broken.v1.B from b, b requires broken.v1.A from a)"
  ;;
died)
  # Besides the problems, the kernel reports each death as it happens.
  expect_abort died 2 \
    "program 'crasher' trapped: unreachable before run()" \
    "program 'quitter' exited with code 3 before run()"
  expect_line run "WARN  parigot program quitter[0] exited with code 3"
  expect_line run "ERROR parigot program crasher[0] trapped: unreachable"
  ;;
everything)
  expect_abort everything 4 \
    "program 'main' requires service 'broken.v1.Absent', which no program exports" \
    "service 'broken.v1.Both' is exported by both 'left' and 'right'" \
    "cycle: ping → pong → ping (ping requires broken.v1.Pong from pong, pong requires broken.v1.Ping from ping)" \
    "program 'dropout' exited with code 7 before run()"
  ;;
json)
  # The same abort in --log-format json: every line is one JSON object;
  # the problems are error records and the verdict a fatal one.
  run_parigot json run "$dir/everything.yaml" --log-format json
  expect_rc 4 json
  if ! command -v python3 >/dev/null; then
    echo "note: python3 is not installed; the JSON lines were not parsed"
  elif python3 - "$tmp/json.raw" >"$tmp/json.check" 2>&1 <<'PY'; then ok; else
import json, sys
want = [
    ("error", "program 'main' requires service 'broken.v1.Absent', which no program exports"),
    ("error", "service 'broken.v1.Both' is exported by both 'left' and 'right'"),
    ("error", "cycle: ping → pong → ping (ping requires broken.v1.Pong from pong, pong requires broken.v1.Ping from ping)"),
    ("error", "program 'dropout' exited with code 7 before run()"),
    ("fatal", "app everything cannot start: 4 problems"),
]
records = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
got = [(r["level"], r["msg"]) for r in records if r.get("program") == "parigot"]
for w in want:
    if w not in got:
        sys.exit("missing record %r; parigot records: %r" % (w, got))
if got[-1] != want[-1]:
    sys.exit("last record is %r, not the verdict" % (got[-1],))
PY
    fail "JSON log: $(cat "$tmp/json.check")"
  fi
  ;;
*)
  fail "unknown case"
  ;;
esac
finish
