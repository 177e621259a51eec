#!/usr/bin/env bash
# check_imports.sh: builds a guest with sdk/parigot-cc (checkout.c of
# examples/shop uses every syscall) and checks with wasm-objdump that each
# `parigot` import has exactly the wasm signature PARIGOT_SYSCALL_MAP in
# include/parigot/abi.h gives it, and that every syscall is imported.
#
#   check_imports.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1 build=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$src/sdk/parigot-cc" --build "$build" --proto-path "$src/examples/shop" \
  --proto shop/v1/shop.proto "$src/examples/shop/checkout.c" -o "$dir/g.wasm"

# abi.h: XX(name, "ii->i", ...) -> "name ii->i"
sed -n 's/^ *XX(\([a-z_]*\), *"\([^"]*\)".*/\1 \2/p' "$src/include/parigot/abi.h" \
  | sort > "$dir/want"
# wasm-objdump: type[K] (i32, i32) -> i32 and func[N] sig=K <- parigot.name
wasm-objdump -x -j Type "$dir/g.wasm" \
  | sed -n 's/^ - type\[\([0-9]*\)\] (\(.*\)) -> \(.*\)$/\1|\2|\3/p' \
  | while IFS='|' read -r k params result; do
      p=$(echo "$params" | sed 's/i32/i/g; s/i64/I/g; s/[ ,]//g')
      r=$(echo "$result" | sed 's/nil//; s/i32/i/g; s/i64/I/g')
      echo "$k $p->$r"
    done > "$dir/types"
wasm-objdump -x -j Import "$dir/g.wasm" \
  | sed -n 's/.*sig=\([0-9]*\) .*<- parigot\.\([a-z_]*\)$/\1 \2/p' \
  | while read -r k name; do
      echo "$name $(awk -v k="$k" '$1 == k {print $2}' "$dir/types")"
    done | sort > "$dir/got"
if ! diff -u "$dir/want" "$dir/got"; then
  echo "FAIL: the guest's parigot imports (+) differ from abi.h (-)"
  exit 1
fi
echo "ok: $(wc -l < "$dir/got") parigot imports match PARIGOT_SYSCALL_MAP"
