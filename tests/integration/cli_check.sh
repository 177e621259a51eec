# cli_check.sh: the checking kit of the shell tests that drive `parigot`
# from the outside (sourced, not run). The caller sets $parigot (the
# binary), $tmp (a scratch directory it removes), passed=0, failed=0, and
# $current (the name of the case being checked, for FAIL lines).

# run ARGS...: runs parigot, sets $rc, $out, $err.
run() {
  "$parigot" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
  rc=$?
  out=$(cat "$tmp/out")
  err=$(cat "$tmp/err")
}
ok() { passed=$((passed + 1)); }
fail() {
  failed=$((failed + 1))
  echo "FAIL [$current]: $*"
  echo "  stdout: $(head -c 600 "$tmp/out")"
  echo "  stderr: $(head -c 600 "$tmp/err")"
}
expect_rc() { if [ "$rc" = "$1" ]; then ok; else fail "exit code: expected $1, got $rc"; fi; }
expect_out() { if [[ "$out" == *"$1"* ]]; then ok; else fail "stdout lacks \"$1\""; fi; }
expect_err() { if [[ "$err" == *"$1"* ]]; then ok; else fail "stderr lacks \"$1\""; fi; }
