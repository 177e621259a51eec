#!/usr/bin/env bash
# compare.sh: runs one C program natively and as wasm32-wasi under
# `parigot exec` with the same arguments, stdin and environment, and fails
# unless stdout and the exit code are byte-for-byte the same (a diff is
# printed when they differ).
#
#   compare.sh PARIGOT NATIVE WASM [--stdin FILE] [--env K=V]... [-- ARGS...]
#
# The native run gets exactly the --env variables (env -i), like the guest.
set -uo pipefail
parigot=$1 native=$2 wasm=$3
shift 3
stdin=/dev/null
envs=()
while [ $# -gt 0 ]; do
  case $1 in
    --stdin) stdin=$2; shift 2 ;;
    --env) envs+=("$2"); shift 2 ;;
    --) shift; break ;;
    *) break ;;
  esac
done
guest_env=()
for e in ${envs[@]+"${envs[@]}"}; do guest_env+=(--env "$e"); done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
env -i ${envs[@]+"${envs[@]}"} "$native" "$@" <"$stdin" >"$tmp/native.out" 2>"$tmp/native.err"
native_rc=$?
"$parigot" exec ${guest_env[@]+"${guest_env[@]}"} "$wasm" "$@" <"$stdin" >"$tmp/wasm.out" 2>"$tmp/wasm.err"
wasm_rc=$?

status=0
if ! cmp -s "$tmp/native.out" "$tmp/wasm.out"; then
  echo "FAIL: stdout differs (--- native, +++ wasm):"
  diff -u "$tmp/native.out" "$tmp/wasm.out" | head -n 60
  status=1
fi
if [ "$native_rc" != "$wasm_rc" ]; then
  echo "FAIL: exit code differs: native $native_rc, wasm $wasm_rc"
  status=1
fi
if [ $status -ne 0 ] && [ -s "$tmp/wasm.err" ]; then
  echo "wasm stderr:"
  head -n 20 "$tmp/wasm.err"
fi
if [ $status -eq 0 ]; then
  echo "ok: $(basename "$wasm") $*: $(wc -c <"$tmp/native.out") bytes of stdout identical, exit code $native_rc"
fi
exit $status
