#!/usr/bin/env python3
"""interop.py: checks protoc-gen-parigot's C against the real protoc.

For every case of the C driver (interop.c):
  1. driver `encode CASE` | protoc --decode=TYPE  ==  expected text
  2. our bytes == protoc --encode=TYPE < expected text (byte-compatible)
  3. protoc --encode=TYPE < expected text | driver `check CASE`  succeeds
Expected texts are cases/CASE.txt, or made here for the large ones (a
1 MiB string, deep nesting). Usage: interop.py DRIVER PROTO_DIR CASES_DIR
"""
import subprocess
import sys

driver, proto_dir, cases_dir = sys.argv[1:4]
PROTO = "everything.proto"

# Cases whose bytes come from a different (newer) message type: only the
# decode direction applies (protoc encodes TYPE, the driver decodes).
ENCODE_AS = {"unknown_fields": "pgtest.ScalarsV2"}


def generated_text(name):
    if name == "big_string":
        s = "".join(chr(ord("a") + i % 26) for i in range(1 << 20))
        return 'scalars {\n  str: "%s"\n}\n' % s
    if name == "deep":
        depth = 50
        text = ""
        for i in range(depth):
            text += "  " * i + "recurse {\n"
        text += "  " * depth + "big_number: 42\n"
        for i in reversed(range(depth)):
            text += "  " * i + "}\n"
        return text
    with open("%s/%s.txt" % (cases_dir, name)) as f:
        return f.read()


def protoc(mode, type_name, data):
    return subprocess.run(
        ["protoc", "--%s=%s" % (mode, type_name), "-I", proto_dir, PROTO],
        input=data, capture_output=True)


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return i
    return min(len(a), len(b))


def run_case(name, type_name):
    text = generated_text(name)
    problems = []
    if name not in ENCODE_AS:
        ours = subprocess.run([driver, "encode", name], capture_output=True)
        decoded = protoc("decode", type_name, ours.stdout)
        got = decoded.stdout.decode("utf-8", "replace")
        if ours.returncode or decoded.returncode:
            problems.append("encode: driver %d, protoc %d: %s" % (
                ours.returncode, decoded.returncode, decoded.stderr.decode()))
        elif ours.stdout != protoc("encode", type_name, text.encode()).stdout:
            problems.append("our bytes differ from protoc --encode's")
        elif got != text:
            i = first_difference(got, text)
            problems.append("protoc --decode of our bytes differs at char %d:"
                            "\n  got:  %r\n  want: %r" % (
                                i, got[max(0, i - 40):i + 40],
                                text[max(0, i - 40):i + 40]))
    encoded = protoc("encode", ENCODE_AS.get(name, type_name), text.encode())
    if encoded.returncode:
        problems.append("protoc --encode failed: %s" % encoded.stderr.decode())
    else:
        check = subprocess.run([driver, "check", name], input=encoded.stdout,
                               capture_output=True)
        if check.returncode:
            problems.append("our decode of protoc's bytes: %s" %
                            check.stderr.decode().strip())
    return problems


listing = subprocess.run([driver, "list"], capture_output=True, check=True)
passed = failed = 0
for line in listing.stdout.decode().splitlines():
    name, type_name = line.split()
    problems = run_case(name, type_name)
    if problems:
        failed += 1
        print("not ok %s" % name)
        for p in problems:
            print("  " + p)
    else:
        passed += 1
        print("ok %s" % name)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
