/*
 * instantiate.c: how long creating and destroying an instance of a small
 * module takes (the target: under 100 us), measured one iteration
 * at a time so the report can give the mean and the 99th percentile. Two
 * references are measured in the same run: calloc + free of 64 KiB (what
 * one page of linear memory costs at the least) and the engine's own
 * pg_memory_new + pg_memory_free of one page.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"

enum { WARMUP_ITERATIONS = 100 };

typedef enum subject {
  SUBJECT_INSTANCE,
  SUBJECT_CALLOC,
  SUBJECT_MEMORY,
} subject;

static int compare_u64(const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* One create + destroy of `what`; returns false when creation fails.
 * `m` is borrowed. */
static bool create_and_destroy(subject what, pg_module *m)
{
  switch (what) {
  case SUBJECT_INSTANCE: {
    pg_instance *inst = NULL;
    if (pg_instance_new(&inst, m, NULL, NULL, NULL, 0) != PG_OK)
      return false;
    pg_instance_free(inst);
    return true;
  }
  case SUBJECT_CALLOC: {
    /* volatile: the compiler may not drop a calloc whose result is unused */
    void *volatile page = calloc(1, 65536);
    if (!page)
      return false;
    free(page);
    return true;
  }
  case SUBJECT_MEMORY: {
    pg_memory *mem = NULL;
    if (pg_memory_new(&mem, 1, 1, true) != PG_OK)
      return false;
    pg_memory_free(mem);
    return true;
  }
  }
  return false;
}

/* Times `iterations` rounds of `what` into *out; `samples` (borrowed) has
 * room for `iterations` entries. */
static bool measure(subject what, pg_module *m, int iterations,
                    uint64_t *samples, pg_bench_latency *out)
{
  for (int i = 0; i < WARMUP_ITERATIONS; i++)
    if (!create_and_destroy(what, m))
      return false;
  uint64_t total = 0;
  for (int i = 0; i < iterations; i++) {
    uint64_t start = pg__bench_now_ns();
    if (!create_and_destroy(what, m))
      return false;
    samples[i] = pg__bench_now_ns() - start;
    total += samples[i];
  }
  qsort(samples, (size_t)iterations, sizeof *samples, compare_u64);
  out->mean_us = (double)total / iterations / 1000.0;
  out->median_us = samples[iterations / 2] / 1000.0;
  out->p99_us = samples[(size_t)iterations * 99 / 100] / 1000.0;
  return true;
}

bool pg__bench_instantiate(const char *path, int iterations,
                           pg_bench_latency *instance,
                           pg_bench_latency *calloc_ref,
                           pg_bench_latency *memory_ref, char *err,
                           size_t errlen)
{
  uint8_t *bytes = NULL;
  size_t len = 0;
  pg_module *m = NULL;
  uint64_t *samples = NULL;
  bool ok = false;
  if (iterations < 1)
    iterations = 1;
  if (pg__bench_read_file(path, &bytes, &len, err, errlen) != PG_OK ||
      pg_module_new(&m, bytes, len, err, errlen) != PG_OK)
    goto fail;
  samples = malloc((size_t)iterations * sizeof *samples);
  if (!samples) {
    snprintf(err, errlen, "out of memory");
    goto fail;
  }
  if (!measure(SUBJECT_INSTANCE, m, iterations, samples, instance)) {
    snprintf(err, errlen, "pg_instance_new failed on %s", path);
    goto fail;
  }
  if (!measure(SUBJECT_CALLOC, m, iterations, samples, calloc_ref) ||
      !measure(SUBJECT_MEMORY, m, iterations, samples, memory_ref)) {
    snprintf(err, errlen, "allocation failed");
    goto fail;
  }
  ok = true;
fail:
  free(samples);
  pg_module_free(m);
  free(bytes);
  return ok;
}
