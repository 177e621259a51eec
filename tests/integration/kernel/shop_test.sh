#!/usr/bin/env bash
# shop_test.sh: the kernel on the shop example (examples/shop: main →
# checkout → cart → inventory, checkout fanning out to two pricing
# replicas).
#   run            the app runs to the end, exit 0, startup order logged
#   deterministic  --deterministic --seed 1 twice: byte-identical output;
#                  --seed 2 differs only where the random bytes show (the
#                  pricing replicas' random tags and, through their encoded
#                  size, the virtual clock)
#   graph          `parigot graph`: the exact text (startup order
#                  inventory, cart, pricing, checkout, main) and DOT that
#                  `dot -Tsvg` renders
#   only           --only cart / --only checkout start only what is needed
#                  (checked from the log: who ran, who did not); SIGTERM
#                  stops the servers in reverse startup order, exit 130
#
#   shop_test.sh PARIGOT SHOP_DIR CASE
set -uo pipefail
parigot=$1
dir=$2
current=$3
source "$(dirname "$0")/lib.sh"
app=$dir/app.yaml

run_case() {
  run_parigot run run "$app"
  expect_rc 0 run
  expect_line run "INFO  parigot startup order: inventory, cart, pricing, checkout, main"
  expect_line run "INFO  main[0] shop: all answers correct stream=stdout"
  expect_line run "INFO  parigot app shop stopped: exit status 0 (every main program exited with 0)"
  expect_order run "INFO  parigot stopping checkout" "INFO  parigot stopping pricing" \
    "INFO  parigot stopping cart" "INFO  parigot stopping inventory"
}

# mask_random FILE: the output with what the seed decides hidden.
mask_random() {
  strip_times <"$1" | sed -E 's/replica [0-9a-f]{16}/replica <random>/'
}

deterministic_case() {
  run_parigot one run "$app" --deterministic --seed 1
  expect_rc 0 one
  run_parigot two run "$app" --deterministic --seed 1
  expect_rc 0 two
  if cmp -s "$tmp/one.raw" "$tmp/two.raw"; then ok; else
    fail "two runs with --seed 1 differ (< first, > second):"
    diff "$tmp/one.raw" "$tmp/two.raw" | head -20 | sed 's/^/  /'
  fi
  # The virtual clock starts at a fixed instant.
  if head -1 "$tmp/one.raw" | grep -q '^2026-01-01T00:00:00.000Z '; then ok; else
    fail "first line is not at the virtual epoch: $(head -1 "$tmp/one.raw")"; fi
  run_parigot three run "$app" --deterministic --seed 2
  expect_rc 0 three
  if cmp -s "$tmp/one.raw" "$tmp/three.raw"; then
    fail "--seed 2 printed the same bytes as --seed 1 (the seed is ignored)"
  else ok; fi
  if diff <(mask_random "$tmp/one.raw") <(mask_random "$tmp/three.raw") >"$tmp/diff"; then ok; else
    fail "--seed 1 and --seed 2 differ beyond the random tags and times:"
    head -20 "$tmp/diff" | sed 's/^/  /'
  fi
  expect_line one "INFO  main[0] shop: all answers correct stream=stdout"
}

graph_case() {
  run_parigot text graph "$app"
  expect_rc 0 text
  cat >"$tmp/want" <<'TEXT'
programs (5):
  main
    requires  shop.v1.CheckoutService (from checkout)
  checkout
    exports   shop.v1.CheckoutService
    requires  shop.v1.CartService (from cart), shop.v1.PricingService (from pricing)
  cart
    exports   shop.v1.CartService
    requires  shop.v1.InventoryService (from inventory)
  inventory
    exports   shop.v1.InventoryService
  pricing
    exports   shop.v1.PricingService
edges (4):
  cart → inventory  shop.v1.InventoryService
  checkout → cart  shop.v1.CartService
  checkout → pricing  shop.v1.PricingService
  main → checkout  shop.v1.CheckoutService
startup order:
  1. inventory
  2. cart
  3. pricing
  4. checkout
  5. main
TEXT
  if diff "$tmp/text" "$tmp/want" >"$tmp/diff"; then ok; else
    fail "parigot graph text differs (< got, > expected):"
    sed 's/^/  /' "$tmp/diff"
  fi

  "$parigot" graph "$app" --format dot >"$tmp/dot" 2>"$tmp/dot.err" </dev/null
  rc=$?
  expect_rc 0 dot.err
  expect_line dot 'digraph "shop" {'
  expect_line dot '  p1 -> p4 [label="shop.v1.PricingService"];'
  if ! command -v dot >/dev/null; then
    echo "note: graphviz 'dot' is not installed; the DOT was not rendered"
    return
  fi
  if dot -Tsvg "$tmp/dot" >"$tmp/svg" 2>"$tmp/svg.err"; then ok; else
    fail "dot -Tsvg failed: $(cat "$tmp/svg.err")"; fi
  local name
  for name in main checkout cart inventory pricing; do
    if grep -q ">$name</text>" "$tmp/svg"; then ok; else
      fail "the SVG has no node text '$name'"; fi
  done
}

# run_until_ready_then_term OUT ARGS...: starts parigot, waits (up to 20 s)
# for "all programs ready", sends SIGTERM, waits for the exit; sets $rc.
run_until_ready_then_term() {
  local name=$1 pid i
  shift
  : >"$tmp/$name.raw"
  "$parigot" "$@" >"$tmp/$name.raw" 2>&1 </dev/null &
  pid=$!
  for i in $(seq 200); do
    grep -q 'all programs ready' "$tmp/$name.raw" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -TERM "$pid" 2>/dev/null
  wait "$pid"
  rc=$?
  strip_times <"$tmp/$name.raw" >"$tmp/$name"
}

# expect_ran OUT PROGRAM...: each program's replica 0 exited normally.
expect_ran() {
  local out=$1 p
  shift
  for p in "$@"; do expect_line "$out" "INFO  parigot program $p[0] exited with code 0"; done
}
# expect_not_ran OUT PROGRAM...: no line from or about the program after
# the --only line (declaring is all it did).
expect_not_ran() {
  local out=$1 p
  shift
  for p in "$@"; do
    expect_no "$out" "^[A-Z]+ +$p\\[|program $p\\[|stopping $p\$"
  done
}

only_case() {
  run_until_ready_then_term cart run "$app" --only cart
  expect_rc 130 cart
  expect_line cart "INFO  parigot --only cart: running cart, inventory; stopped after declaring: main, checkout, pricing"
  expect_line cart "INFO  parigot startup order: inventory, cart"
  expect_ran cart cart inventory
  expect_not_ran cart main checkout pricing
  expect_order cart "INFO  parigot received SIGTERM; stopping servers" \
    "INFO  parigot stopping cart" "INFO  parigot stopping inventory" \
    "WARN  parigot app shop stopped: exit status 130 (stopped by SIGINT or SIGTERM)"

  run_until_ready_then_term checkout run "$app" --only checkout
  expect_rc 130 checkout
  expect_line checkout "INFO  parigot --only checkout: running checkout, cart, inventory, pricing; stopped after declaring: main"
  expect_line checkout "INFO  parigot startup order: inventory, cart, pricing, checkout"
  expect_ran checkout checkout cart inventory pricing
  expect_line checkout "INFO  parigot program pricing[1] exited with code 0"
  expect_not_ran checkout main
  expect_order checkout "INFO  parigot received SIGTERM; stopping servers" \
    "INFO  parigot stopping checkout" "INFO  parigot stopping pricing" \
    "INFO  parigot stopping cart" "INFO  parigot stopping inventory"

  # --only main needs everything, and ends by itself.
  run_parigot main run "$app" --only main
  expect_rc 0 main
  expect_line main "INFO  parigot startup order: inventory, cart, pricing, checkout, main"
  expect_ran main main checkout cart inventory pricing
}

case $current in
run) run_case ;;
deterministic) deterministic_case ;;
graph) graph_case ;;
only) only_case ;;
*) fail "unknown case" ;;
esac
finish
