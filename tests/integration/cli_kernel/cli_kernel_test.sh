#!/usr/bin/env bash
# cli_kernel_test.sh: checks `parigot run` and `parigot graph` before the
# kernel starts anything: --help (options and the exit codes of
# PG_EXIT_MAP), usage errors (exit 2, exact message), app.yaml errors
# (exit 3, exact "FILE:LINE: key 'x': reason" message) and --only naming a
# program the app does not have (exit 2). Apps are written into a
# temporary directory; the .wasm files are empty (loading stops before
# they are read).
#
# With SHOP_APP (the built examples/shop/app.yaml), also checks `parigot
# graph` on it: the exact startup order, and DOT that graphviz renders.
#
#   cli_kernel_test.sh PARIGOT [SHOP_APP]
set -uo pipefail
parigot=$1
shop=${2:-}
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "${BASH_SOURCE[0]}")/../cli_check.sh" # run, ok, fail, expect_*
# expect_err_line TEXT: the first line of stderr is exactly TEXT.
expect_err_line() {
  local first=${err%%$'\n'*}
  if [ "$first" = "$1" ]; then ok; else fail "stderr line: expected \"$1\", got \"$first\""; fi
}

touch "$tmp/a.wasm" "$tmp/b.wasm"
app="$tmp/app.yaml"
cat >"$app" <<'YAML'
app: shop
programs:
  - name: a
    wasm: a.wasm
    role: main
  - name: b
    wasm: b.wasm
YAML

for cmd in run graph; do
  current="$cmd help"
  run $cmd --help
  expect_rc 0; expect_out "usage: parigot $cmd APP.yaml [options]"
  expect_out "--only PROGRAM"; expect_out "--deterministic"; expect_out "--seed N"
  expect_out "--log-format FORMAT"; expect_out "--log-level LEVEL"
  expect_out "exit codes:"; expect_out "0    every main program exited with 0"
  expect_out "3    app.yaml or a module could not be loaded"
  expect_out "4    the app could not start: missing service, cycle, ..."
  expect_out "130  stopped by SIGINT or SIGTERM"

  current="$cmd usage errors"
  run $cmd
  expect_rc 2; expect_err_line "parigot $cmd: which app? (parigot $cmd APP.yaml)"
  expect_err "usage: parigot $cmd APP.yaml"
  run $cmd "$app" --bogus
  expect_rc 2; expect_err_line "parigot $cmd: unknown option '--bogus'"
  run $cmd "$app" "$app"
  expect_rc 2; expect_err_line "parigot $cmd: one APP.yaml only ('$app' and '$app')"
  run $cmd "$app" --only
  expect_rc 2; expect_err_line "parigot: option --only needs a value"
  run $cmd "$app" --log-format xml
  expect_rc 2; expect_err_line "parigot: --log-format: 'xml' is not text or json"
  run $cmd "$app" --log-level=loud
  expect_rc 2; expect_err_line "parigot: --log-level: 'loud' is not debug, info, warn, error or fatal"
  run $cmd "$app" --seed -1
  expect_rc 2; expect_err_line "parigot: --seed: '-1' is not a whole number"
  run $cmd --seed 99999999999999999999 "$app"
  expect_rc 2; expect_err_line "parigot: --seed: '99999999999999999999' is not a whole number"

  current="$cmd --only"
  run $cmd "$app" --only nobody
  expect_rc 2; expect_err_line "parigot: --only: $app has no program 'nobody' (it has: a, b)"

  current="$cmd config errors"
  run $cmd "$tmp/none.yaml"
  expect_rc 3; expect_err_line "parigot: $tmp/none.yaml: cannot open: No such file or directory"
  printf 'app: shop\ncolour: red\nprograms:\n  - {name: a, wasm: a.wasm}\n' >"$tmp/bad1.yaml"
  run $cmd "$tmp/bad1.yaml"
  expect_rc 3; expect_err_line "parigot: $tmp/bad1.yaml:2: key 'colour': unknown key"
  printf 'app: shop\nprograms:\n  - name: a\n    wasm: gone.wasm\n' >"$tmp/bad2.yaml"
  run $cmd "$tmp/bad2.yaml"
  expect_rc 3; expect_err_line "parigot: $tmp/bad2.yaml:4: key 'programs[0].wasm': file '$tmp/gone.wasm' does not exist"
  printf 'app: shop\nprograms:\n  - name: a\n    wasm: a.wasm\n    replicas: 0\n' >"$tmp/bad3.yaml"
  run $cmd "$tmp/bad3.yaml"
  expect_rc 3; expect_err_line "parigot: $tmp/bad3.yaml:5: key 'programs[0].replicas': must be an integer from 1 to 1024, got '0'"
  printf 'app: shop\nprograms: [\n' >"$tmp/bad4.yaml"
  run $cmd "$tmp/bad4.yaml"
  expect_rc 3; expect_err_line "parigot: $tmp/bad4.yaml:3:1: YAML syntax error: did not find expected node content while parsing a flow node"
  : >"$tmp/empty.yaml"
  run $cmd "$tmp/empty.yaml"
  expect_rc 3; expect_err_line "parigot: $tmp/empty.yaml:1: the file is empty (expected a mapping with 'app' and 'programs')"
done

current="graph --format"
run graph "$app" --format svg
expect_rc 2; expect_err_line "parigot: --format: 'svg' is not text or dot"
run run "$app" --format dot
expect_rc 2; expect_err_line "parigot run: unknown option '--format'"

current="top-level help lists the commands"
run --help
expect_rc 0; expect_out "  run "; expect_out "  graph "

if [ -n "$shop" ]; then
  current="graph of the shop example"
  run graph "$shop"
  expect_rc 0
  expect_out "edges (4):
  cart → inventory  shop.v1.InventoryService
  checkout → cart  shop.v1.CartService
  checkout → pricing  shop.v1.PricingService
  main → checkout  shop.v1.CheckoutService
startup order:
  1. inventory
  2. cart
  3. pricing
  4. checkout
  5. main"
  run graph "$shop" --format dot
  expect_rc 0; expect_out 'digraph "shop" {'; expect_out 'p1 -> p2 [label="shop.v1.CartService"];'
  if command -v dot >/dev/null 2>&1; then
    if dot -Tsvg -o "$tmp/shop.svg" "$tmp/out" 2>"$tmp/doterr"; then ok
    else fail "dot rejected the DOT: $(cat "$tmp/doterr")"; fi
  fi
else
  echo "(shop example not built: its graph is not checked)"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
