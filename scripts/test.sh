#!/usr/bin/env bash
# Runs every CTest test in each build tree given (normally the optimized
# tree and the ASan+UBSan tree) and closes with one line "N passed, N failed"
# summed over all trees. Exits non-zero if any test failed.
set -uo pipefail
# The spec testsuite's per-command-kind table (from the spec_summary test's
# output), printed after each tree as the evidence of conformance.
show_spec_summary() {
  local lastlog="$1/Testing/Temporary/LastTest.log"
  [ -f "$lastlog" ] || return 0
  echo "--- WebAssembly spec testsuite (90 non-SIMD files) in $1 ---"
  awk '/Testing: spec_summary$/{on=1} on&&/<end of output>/{exit} on' "$lastlog" |
    sed -n '/^command  *passed/,/commands)$/p'
}

total_pass=0
total_fail=0
for tree in "$@"; do
  echo "=== tests in $tree ==="
  log=$(mktemp)
  ctest --test-dir "$tree" --output-on-failure -j "$(nproc)" 2>&1 | tee "$log"
  # CTest's summary: "100% tests passed, 0 tests failed out of 42"
  line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
  if [ -z "$line" ]; then
    echo "test.sh: no CTest summary from $tree" >&2
    total_fail=$((total_fail + 1))
  else
    failed=$(echo "$line" | sed -E 's/.*tests passed, ([0-9]+) tests? failed out of ([0-9]+).*/\1/')
    outof=$(echo "$line" | sed -E 's/.*failed out of ([0-9]+).*/\1/')
    total_pass=$((total_pass + outof - failed))
    total_fail=$((total_fail + failed))
  fi
  rm -f "$log"
  show_spec_summary "$tree"
done
echo "${total_pass} passed, ${total_fail} failed"
[ "$total_fail" -eq 0 ]
