#!/usr/bin/env python3
# attribute.py: used by profile.sh. Reads `perf script -F comm,ip,sym,symoff`
# lines on stdin and the output of pg_bench_handlers (OFFSET NAME lines),
# and prints the share of pg_bench_engine's samples in each interpreter
# handler: a sample at run+X belongs to the handler with the greatest start
# offset <= X (handlers are laid out as contiguous blocks, so this is close
# though not exact where the compiler shares code between handlers).
#   usage: attribute.py HANDLERS BINARY [TOP] < perf-script-output
import bisect
import collections
import subprocess
import sys


def symbol_addresses(binary):
    out = subprocess.run(["nm", binary], capture_output=True, text=True,
                         check=True).stdout
    addrs = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3:
            addrs.setdefault(parts[2], []).append(int(parts[0], 16))
    for name in ("run", "pg__interp_handlers"):
        if len(addrs.get(name, [])) != 1:
            sys.exit("attribute.py: expected exactly one symbol %r in %s "
                     "(the interpreter loop of interp.c)" % (name, binary))
    return {name: values[0] for name, values in addrs.items()}


def main():
    handlers_file, binary = sys.argv[1], sys.argv[2]
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    addrs = symbol_addresses(binary)
    run_from_origin = addrs["run"] - addrs["pg__interp_handlers"]
    table = sorted((int(line.split()[0]), line.split()[1])
                   for line in open(handlers_file) if line.strip())
    starts = [offset for offset, _ in table]
    counts = collections.Counter()
    total = 0
    for line in sys.stdin:
        if "pg_bench_engine" not in line:
            continue  # the native subprocess
        total += 1
        if "run+0x" not in line:
            counts["(outside the loop: %s)" % line.split()[-1].split("+")[0]] += 1
            continue
        offset = int(line.split("run+0x")[1].split()[0], 16) + run_from_origin
        i = bisect.bisect_right(starts, offset) - 1
        counts[table[i][1] if i >= 0 else "(loop entry)"] += 1
    for name, n in counts.most_common(top):
        print("%6.2f%%  %s" % (100.0 * n / max(total, 1), name))


main()
