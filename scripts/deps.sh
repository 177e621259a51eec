#!/usr/bin/env bash
# Installs, with apt-get, whatever parigot needs to build and test that is
# missing. A no-op (and quiet) when everything is already there.
set -euo pipefail

# package name -> a file that proves it is installed
declare -A need=(
  [cmake]=/usr/bin/cmake
  [make]=/usr/bin/make
  [clang-19]=/usr/bin/clang-19
  [lld-19]=/usr/bin/wasm-ld-19
  [llvm-19]=/usr/bin/llvm-ar-19
  [libclang-rt-19-dev]=/usr/lib/llvm-19/lib/clang/19/lib/linux/libclang_rt.fuzzer-x86_64.a
  [libclang-rt-19-dev-wasm32]=/usr/lib/llvm-19/lib/clang/19/lib/wasi/libclang_rt.builtins-wasm32.a
  [wasi-libc]=/usr/lib/wasm32-wasi/libc.a
  [wabt]=/usr/bin/wast2json
  [protobuf-compiler]=/usr/bin/protoc
  [protobuf-c-compiler]=/usr/bin/protoc-c
  [libprotobuf-c-dev]=/usr/include/protobuf-c/protobuf-c.h
  [libprotobuf-dev]=/usr/include/google/protobuf/descriptor.proto
  [libprotoc-dev]=/usr/include/google/protobuf/compiler/plugin.proto
  [libyaml-dev]=/usr/include/yaml.h
  [libsqlite3-dev]=/usr/include/sqlite3.h
  [nats-server]=/usr/sbin/nats-server
  [libnats-dev]=/usr/include/nats/nats.h
  [libcmocka-dev]=/usr/include/cmocka.h
  [graphviz]=/usr/bin/dot
  [python3]=/usr/bin/python3
)

missing=()
for pkg in "${!need[@]}"; do
  [ -e "${need[$pkg]}" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
