#!/usr/bin/env bash
# run_app.sh: the CTest driver of the example apps. Runs
# `PARIGOT run APP [ARGS...]` (or `graph`), then checks its exit status and
# that its output contains every expected line pattern (grep -E); on a
# mismatch it prints what was wanted beside the whole output.
#
#   run_app.sh PARIGOT APP WANT_STATUS [--cmd run|graph] [--args "ARGS"]
#              PATTERN...
set -uo pipefail
parigot=$1 app=$2 want_status=$3
shift 3
run_args=()
cmd=run
if [ "${1:-}" = --cmd ]; then
  cmd=$2
  shift 2
fi
if [ "${1:-}" = --args ]; then
  read -r -a run_args <<< "$2"
  shift 2
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
timeout 60 "$parigot" "$cmd" "$app" "${run_args[@]}" > "$log" 2>&1
status=$?
failed=0
if [ "$status" != "$want_status" ]; then
  echo "FAIL exit status: want $want_status, got $status"
  failed=1
fi
for pattern in "$@"; do
  if ! grep -Eq -- "$pattern" "$log"; then
    echo "FAIL log line: want /$pattern/, not found"
    failed=1
  fi
done
if [ $failed = 1 ]; then
  echo "---- output of: $parigot $cmd $app ${run_args[*]}"
  cat "$log"
  exit 1
fi
echo "ok: $app exited $status with $# expected lines"
