#!/usr/bin/env bash
# demo.sh: shows parigot running a multi-program app in one process — the
# store example (examples/store): `store` exports demo.vvv.StoreService and
# keeps its items as files through the built-in file service; `main`
# exercises it and checks every answer. Runs `parigot run` on the app.yaml
# CMake put beside the built programs, so the unified log shows the startup
# order and both programs' lines in one stream, then shows the files the
# store left in the file service's root. Exits with parigot's status.
#
#   scripts/demo.sh [BUILD]     (default BUILD: build)
set -euo pipefail
build=${1:-build}
parigot=$build/bin/parigot
app=$build/examples/store/app.yaml
for f in "$parigot" "$app" "$build/examples/store/store.wasm" \
         "$build/examples/store/main.wasm"; do
  if [ ! -e "$f" ]; then
    echo "demo.sh: $f is missing; build first (make build)" >&2
    exit 1
  fi
done
data=$build/examples/store/data
mkdir -p "$data"
rm -f "$data"/*.item # start empty, so every demo prints the same story

echo "\$ $parigot graph $app"
"$parigot" graph "$app"
echo
echo "\$ $parigot run $app"
set +e
"$parigot" run "$app" 2>&1
code=$?
set -e
echo
echo "(exit code $code)"
echo "\$ ls $data    # the store's items, kept through file.v1.FileService"
ls "$data"
exit $code
