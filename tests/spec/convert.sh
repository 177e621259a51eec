#!/usr/bin/env bash
# convert.sh: converts spec-test .wast files to wast2json output for pg_spec.
#
#   convert.sh WAST2JSON SUITE_DIR OUT_DIR NAME...
#
# For each NAME, SUITE_DIR/NAME.wast becomes OUT_DIR/NAME/NAME.json plus the
# module files wast2json writes beside it. A file whose json is newer than
# its .wast is left alone, so re-running costs nothing. Output goes to a
# temporary folder first and is moved in place only when wast2json
# succeeded, so an interrupted run never leaves a half-written json that
# looks up to date. SUITE_DIR is only read.
set -euo pipefail
if [ $# -lt 4 ]; then
  echo "usage: convert.sh WAST2JSON SUITE_DIR OUT_DIR NAME..." >&2
  exit 2
fi
wast2json=$1 suite=$2 out=$3
shift 3
mkdir -p "$out"
converted=0 fresh=0
for name in "$@"; do
  src="$suite/$name.wast"
  dst="$out/$name/$name.json"
  if [ ! -f "$src" ]; then
    echo "convert.sh: missing $src" >&2
    exit 1
  fi
  if [ -f "$dst" ] && [ "$dst" -nt "$src" ]; then
    fresh=$((fresh + 1))
    continue
  fi
  tmp="$out/.$name.tmp"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  if ! "$wast2json" "$src" -o "$tmp/$name.json"; then
    echo "convert.sh: wast2json failed on $src" >&2
    rm -rf "$tmp"
    exit 1
  fi
  rm -rf "$out/$name"
  mv "$tmp" "$out/$name"
  converted=$((converted + 1))
done
echo "convert.sh: $converted converted, $fresh up to date"
