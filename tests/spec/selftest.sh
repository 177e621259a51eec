#!/usr/bin/env bash
# selftest.sh: checks pg_spec itself, independently of the official suite.
#
#   selftest.sh PG_SPEC WAST2JSON SELFTEST_DIR OUT_DIR
#
# selftest/right.wast must pass completely, every command of
# selftest/wrong.wast (except its first module) must be reported as a
# failure -- proof that the comparisons are not vacuous -- and the broken
# json files in selftest/bad/ must give clean failures, never a crash.
# Prints "N passed, N failed" over these checks; exits 1 if any failed.
set -uo pipefail
if [ $# -ne 4 ]; then
  echo "usage: selftest.sh PG_SPEC WAST2JSON SELFTEST_DIR OUT_DIR" >&2
  exit 2
fi
pg_spec=$1 wast2json=$2 src=$3 out=$4
passed=0 failed=0

# check NAME WANT_RC WANT_TEXT -- ARGS...: runs pg_spec ARGS, compares.
check() {
  local name=$1 want_rc=$2 want_text=$3
  shift 4
  local output rc
  output=$("$pg_spec" "$@" 2>&1)
  rc=$?
  if [ "$rc" -ne "$want_rc" ] || ! grep -qF -- "$want_text" <<<"$output"; then
    echo "FAIL $name: exit $rc (want $want_rc), output lacks \"$want_text\":"
    sed 's/^/    /' <<<"$output" | tail -n 40
    failed=$((failed + 1))
  else
    echo "ok $name"
    passed=$((passed + 1))
  fi
}

mkdir -p "$out/right" "$out/wrong" "$out/hang"
"$wast2json" "$src/right.wast" -o "$out/right/right.json" || exit 1
# wrong.wast holds modules wabt's own checker rejects on purpose.
"$wast2json" --no-check "$src/wrong.wast" -o "$out/wrong/wrong.json" || exit 1
"$wast2json" "$src/hang.wast" -o "$out/hang/hang.json" || exit 1

check right 0 "right.wast: 34 passed, 0 failed, 1 skipped" -- \
  "$out/right/right.json"
check wrong 1 "wrong.wast: 1 passed, 27 failed, 0 skipped" -- \
  "$out/wrong/wrong.json"
check wrong_message 1 \
  'expected trap "integer overflow", got trap "integer divide by zero"' -- \
  "$out/wrong/wrong.json"
check not_json 1 "is not valid json: line 3, column 1" -- \
  "$src/bad/notjson.json"
check no_commands 1 'no "commands" array' -- "$src/bad/nocommands.json"
check bad_shapes 1 "shapes.wast: 0 passed, 14 failed, 0 skipped" -- \
  "$src/bad/shapes.json"
check missing_file 1 "cannot read" -- "$out/does-not-exist.json"
check several_files 1 "35 passed, 27 failed, 1 skipped" -- \
  "$out/right/right.json" "$out/wrong/wrong.json"
check max_shown 1 "more failures not shown (--max-shown 3)" -- \
  --max-shown 3 "$out/wrong/wrong.json"
check usage 2 "usage: pg_spec" --
check bad_option 2 "usage: pg_spec" -- --max-shown x "$out/right/right.json"
check expect_total_ok 0 "34 passed, 0 failed, 1 skipped" -- \
  --expect-total 35 --max-skipped 1 "$out/right/right.json"
check expect_total_wrong 1 "ran 35 commands, expected 36" -- \
  --expect-total 36 "$out/right/right.json"
check max_skipped 1 "skipped 1 commands, at most 0 allowed" -- \
  --max-skipped 0 "$out/right/right.json"
check fuel_slices 0 "right.wast: 34 passed, 0 failed, 1 skipped" -- \
  --fuel-slice 1 "$out/right/right.json"
check fuel_resumes 0 "resumes after PG_OUT_OF_FUEL" -- \
  --fuel-slice 1 "$out/right/right.json"
check hang_detected 1 'invoke "spin"(): expected a return, got status fuel' \
  -- --fuel-slice 100 --max-fuel 100000 "$out/hang/hang.json"
check hang_recovers 1 "hang.wast: 2 passed, 1 failed, 0 skipped" -- \
  --fuel-slice 100 --max-fuel 100000 "$out/hang/hang.json"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
