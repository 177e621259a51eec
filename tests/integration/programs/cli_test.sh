#!/usr/bin/env bash
# cli_test.sh: checks the `parigot` command from the outside: help and
# version text, usage errors (exit 2), a missing file and malformed or
# unlinkable modules (exit 1 with the engine's reason), traps (message and
# backtrace on stderr, exit 134), fuel, exit-code propagation, and --dir
# confinement (a guest trying '..', an absolute path or a symlink out is
# refused, and nothing outside the directory changes).
#
#   cli_test.sh PARIGOT WASM_DIR
set -uo pipefail
parigot=$1
wasm=$2
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "${BASH_SOURCE[0]}")/../cli_check.sh" # run, ok, fail, expect_*
expect_no_out() { if [[ "$out" != *"$1"* ]]; then ok; else fail "stdout has \"$1\""; fi; }

current="help"
run --help
expect_rc 0; expect_out "usage: parigot <command>"; expect_out "exec"; expect_out "exit codes"
run exec --help
expect_rc 0; expect_out "usage: parigot exec"; expect_out "--dir HOST[:GUEST]"
expect_out "--env K=V"; expect_out "--fuel N"; expect_out "--max-memory PAGES"; expect_out "134"
run --version
expect_rc 0; expect_out "parigot "

current="usage errors"
run
expect_rc 2; expect_err "usage: parigot"
run frobnicate
expect_rc 2; expect_err "unknown command 'frobnicate'"
run --bogus
expect_rc 2; expect_err "unknown option '--bogus'"
run exec --bogus "$wasm/pgcli_trap.wasm"
expect_rc 2; expect_err "unknown option '--bogus'"; expect_err "usage: parigot exec"
run exec
expect_rc 2; expect_err "no module file given"
run exec --env NOEQUALS "$wasm/pgcli_trap.wasm"
expect_rc 2; expect_err "--env wants K=V"
run exec --fuel lots "$wasm/pgcli_trap.wasm"
expect_rc 2; expect_err "--fuel wants a number"
run exec --dir
expect_rc 2; expect_err "--dir needs a value"

current="missing file"
run exec "$tmp/does-not-exist.wasm"
expect_rc 1; expect_err "cannot open $tmp/does-not-exist.wasm: No such file or directory"

current="malformed module"
printf 'this is not wasm at all' >"$tmp/text.wasm"
run exec "$tmp/text.wasm"
expect_rc 1; expect_err "parigot: $tmp/text.wasm: malformed module"
# a valid header, then a type section whose length runs past the end
printf '\0asm\1\0\0\0\1\100\1\140' >"$tmp/cut.wasm"
run exec "$tmp/cut.wasm"
expect_rc 1; expect_err "parigot: $tmp/cut.wasm: malformed module:"

current="unlinkable import"
# (module (import "wasi_snapshot_preview1" "no_such_call" (func)))
printf '\0asm\1\0\0\0\1\4\1\140\0\0\2\47\1\26wasi_snapshot_preview1\14no_such_call\0\0' >"$tmp/unknown.wasm"
run exec "$tmp/unknown.wasm"
expect_rc 1; expect_err "unlinkable"; expect_err "no_such_call"
# (module (import "env" "f" (func)))
printf '\0asm\1\0\0\0\1\4\1\140\0\0\2\11\1\3env\1f\0\0' >"$tmp/env.wasm"
run exec "$tmp/env.wasm"
expect_rc 1; expect_err "unlinkable"; expect_err "env"
# a module with no _start
printf '\0asm\1\0\0\0' >"$tmp/empty.wasm"
run exec "$tmp/empty.wasm"
expect_rc 1; expect_err "has no _start"

current="traps"
run exec "$wasm/pgcli_trap.wasm" unreachable
expect_rc 134; expect_out "about to trap: unreachable"
expect_err "parigot: trap in $wasm/pgcli_trap.wasm: unreachable"
expect_err "innermost_trap"; expect_err "middle_frame"; expect_err "#0"
run exec "$wasm/pgcli_trap.wasm" div
expect_rc 134; expect_err "integer divide by zero"
run exec "$wasm/pgcli_trap.wasm" oob
expect_rc 134; expect_err "out of bounds memory access"
run exec "$wasm/pgcli_trap.wasm" stack
expect_rc 134; expect_err "call stack exhausted"; expect_err "recurse_forever"
run exec --fuel 1000000 "$wasm/pgcli_trap.wasm" loop
expect_rc 134; expect_err "fuel exhausted"

current="exit codes"
run exec "$wasm/pgprog_args_exit.wasm" exit 42
expect_rc 42; expect_out "calling exit(42)"; expect_out "atexit handler ran"
run exec "$wasm/pgprog_args_exit.wasm" return 0
expect_rc 0
run exec "$wasm/pgprog_args_exit.wasm" exit 300
expect_rc 44
run exec -- "$wasm/pgprog_args_exit.wasm" --not-an-option x
expect_rc 16; expect_out "argv[1]=[--not-an-option]"

current="--max-memory"
run exec --max-memory 1 "$wasm/pgcli_trap.wasm" alloc
expect_rc 1; expect_err "parigot: $wasm/pgcli_trap.wasm:"
run exec --max-memory 50 "$wasm/pgcli_trap.wasm" alloc
expect_rc 0; expect_out "allocated 3 MiB"
run exec --max-memory=1000 "$wasm/pgcli_trap.wasm" alloc
expect_rc 0; expect_out "allocated 62 MiB"
run exec --max-memory 70000 "$wasm/pgcli_trap.wasm"
expect_rc 2; expect_err "--max-memory wants 1..65536 pages"

current="--dir confinement"
mkdir -p "$tmp/box/sub" "$tmp/outside"
echo "inside the box" >"$tmp/box/hello.txt"
echo "top secret" >"$tmp/outside/secret"
ln -s ../outside/secret "$tmp/box/up_link"
ln -s /etc/passwd "$tmp/box/abs_link"
ln -s hello.txt "$tmp/box/in_link"
ln -s .. "$tmp/box/sub/dotdot"
fs="$wasm/pgcli_fs_guest.wasm"
run exec --dir "$tmp/box:/box" "$fs" cat:/box/hello.txt cat:/box/in_link \
  cat:/box/sub/../hello.txt cat:/box/sub/dotdot/hello.txt
expect_rc 0
expect_out "cat /box/hello.txt: [inside the box]"
expect_out "cat /box/in_link: [inside the box]"
expect_out "cat /box/sub/../hello.txt: [inside the box]"
expect_out "cat /box/sub/dotdot/hello.txt: [inside the box]"
run exec --dir "$tmp/box:/box" "$fs" cat:/box/../outside/secret cat:/etc/passwd \
  cat:/box/up_link cat:/box/abs_link cat:/box/sub/dotdot/../outside/secret \
  write:/box/../escaped.txt mkdir:/box/../escaped_dir
expect_rc 0
expect_out "cat /box/../outside/secret: error:"
expect_out "cat /etc/passwd: error:"
expect_out "cat /box/up_link: error:"
expect_out "cat /box/abs_link: error:"
expect_out "cat /box/sub/dotdot/../outside/secret: error:"
expect_out "write /box/../escaped.txt: error:"
expect_out "mkdir /box/../escaped_dir: error:"
expect_no_out "top secret"; expect_no_out "root:"
if [ ! -e "$tmp/escaped.txt" ] && [ ! -e "$tmp/escaped_dir" ]; then ok; else fail "a file was created outside the box"; fi
run exec --dir "$tmp/box:/box" "$fs" write:/box/new.txt mkdir:/box/d \
  mv:/box/new.txt,/box/d/moved.txt ls:/box ls:/box/d cat:/box/d/moved.txt \
  rm:/box/d/moved.txt rmdir:/box/d ls:/box
expect_rc 0
expect_out "write /box/new.txt: ok"
expect_out "mkdir /box/d: ok"
expect_out "mv /box/d/moved.txt: ok"
expect_out "ls /box: abs_link d hello.txt in_link sub up_link"
expect_out "ls /box/d: moved.txt"
expect_out "cat /box/d/moved.txt: [written by the guest]"
expect_out "rm /box/d/moved.txt: ok"
expect_out "rmdir /box/d: ok"
expect_out "ls /box: abs_link hello.txt in_link sub up_link"
run exec "$fs" cat:/box/hello.txt
expect_rc 0; expect_out "cat /box/hello.txt: error:"
run exec --dir "$tmp/nonexistent" "$fs"
expect_rc 1; expect_err "$tmp/nonexistent"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
