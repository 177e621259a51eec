#!/usr/bin/env bash
# demo.sh: shows parigot running a real C program compiled to WebAssembly.
# Runs BUILD/bin/parigot exec on examples/hello (hello.c built for
# wasm32-wasi by CMake) and shows the command, its output and exit code.
#
#   scripts/demo.sh [BUILD]     (default BUILD: build)
set -euo pipefail
build=${1:-build}
parigot=$build/bin/parigot
hello=$build/examples/hello/hello.wasm
for f in "$parigot" "$hello"; do
  if [ ! -e "$f" ]; then
    echo "demo.sh: $f is missing; build first (make build)" >&2
    exit 1
  fi
done
echo "\$ $parigot exec $hello Ana Bo"
set +e
"$parigot" exec "$hello" Ana Bo
code=$?
set -e
echo "(exit code $code; the same hello.c built natively prints the same)"
exit $code
