# lib.sh: helpers shared by the kernel integration tests (sourced). A test
# runs `parigot` on an app, then checks its exit code and log lines; every
# failed check prints what was expected and what came out, and `finish`
# prints "N passed, N failed" and sets the exit status.
#
# Log lines are compared without their timestamp: "LEVEL SOURCE message"
# with the level padded as the text log pads it ("INFO  parigot ...").

passed=0
failed=0
current=${current:-setup}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run_parigot OUT ARGS...: runs parigot with ARGS, stdout and stderr into
# $tmp/OUT.raw (in order), the timestamp-less lines into $tmp/OUT; sets $rc.
run_parigot() {
  local name=$1
  shift
  "$parigot" "$@" >"$tmp/$name.raw" 2>&1 </dev/null
  rc=$?
  strip_times <"$tmp/$name.raw" >"$tmp/$name"
}

strip_times() { sed -E 's/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z //'; }

ok() { passed=$((passed + 1)); }
fail() {
  failed=$((failed + 1))
  echo "FAIL [$current]: $*"
}
# show OUT: the log, for a failure's context (first 60 lines).
show() { sed -n '1,60s/^/  | /p' "$tmp/$1"; }

expect_rc() {
  if [ "$rc" = "$1" ]; then ok; else fail "exit code: expected $1, got $rc"; show "$2"; fi
}
# expect_line OUT LINE: OUT has a line exactly LINE (timestamp stripped).
expect_line() {
  if grep -qxF -- "$2" "$tmp/$1"; then ok; else
    fail "no line: \"$2\""; show "$1"; fi
}
# expect_count OUT N LINE: LINE occurs exactly N times.
expect_count() {
  local n
  n=$(grep -cxF -- "$3" "$tmp/$1")
  if [ "$n" = "$2" ]; then ok; else
    fail "line \"$3\": expected $2 times, got $n"; show "$1"; fi
}
# expect_match_count OUT N PATTERN: N lines match the extended regex.
expect_match_count() {
  local n
  n=$(grep -cE -- "$3" "$tmp/$1")
  if [ "$n" = "$2" ]; then ok; else
    fail "lines matching /$3/: expected $2, got $n"; show "$1"; fi
}
# expect_no OUT PATTERN: no line matches the extended regex PATTERN.
expect_no() {
  if grep -qE -- "$2" "$tmp/$1"; then
    fail "unexpected line matching /$2/: $(grep -m1 -E -- "$2" "$tmp/$1")"
  else ok; fi
}
# expect_order OUT LINE...: the LINEs occur in this order (first matches).
expect_order() {
  local out=$1 prev=0 n line
  shift
  for line in "$@"; do
    n=$(grep -nxF -m1 -- "$line" "$tmp/$out" | cut -d: -f1)
    if [ -z "$n" ]; then fail "no line: \"$line\""; show "$out"; return; fi
    if [ "$n" -le "$prev" ]; then
      fail "\"$line\" (line $n) comes before the line expected first (line $prev)"
      show "$out"
      return
    fi
    prev=$n
  done
  ok
}
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" = 0 ]
}
