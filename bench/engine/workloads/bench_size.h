/*
 * bench_size.h: the one helper every engine-benchmark workload shares.
 *
 * Each workload is an ordinary C program built twice, natively and to
 * wasm32-wasi, and run by bench/engine/runner.c under both. It takes one
 * optional argument: "quick" selects a tiny problem (the CTest smoke test
 * uses it so the benchmarks cannot rot), anything else or nothing selects
 * the full size (native takes roughly 0.1-0.3 s). Each prints a checksum
 * so the work cannot be optimized away and the runner can compare the
 * native and parigot outputs byte for byte.
 */
#ifndef PG_BENCH_SIZE_H
#define PG_BENCH_SIZE_H

#include <string.h>

/* The problem size: `quick` when argv[1] is "quick", else `full`.
 * argv is borrowed (the program's own arguments). */
static inline long bench_size(int argc, char **argv, long full, long quick)
{
  if (argc > 1 && strcmp(argv[1], "quick") == 0)
    return quick;
  return full;
}

#endif /* PG_BENCH_SIZE_H */
