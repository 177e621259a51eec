/*
 * fuzz_module.c: libFuzzer target for the module decoder and everything
 * that runs on untrusted module bytes before a program's own code does:
 * pg_module_new (decode, validate, compile) and, for modules without
 * imports, pg_instance_new (allocation, segment initialization, the start
 * function) under tight limits, then both frees.
 *
 * It must never crash, leak, read out of bounds, hang or allocate without
 * bound; the CTest test fuzz.module runs it for 20 seconds from a seed
 * corpus that wat2wasm builds from the .wat files in seeds/.
 */
#include <stddef.h>
#include <stdint.h>

#include "module.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Tables of millions of entries are legal but their allocation says
 * nothing about the engine's robustness; skip instantiating them so the
 * fuzzer's memory limit catches real leaks and runaway allocations. */
static bool small_tables(const pg_module *m) {
  for (uint32_t i = 0; i < m->ntables; i++)
    if (m->tables[i].limits.min > (1u << 16)) return false;
  return true;
}

static void try_instantiate(pg_module *m) {
  if (pg_module_import_count(m) != 0 || !small_tables(m)) return;
  pg_limits limits = {
      .max_memory_pages = 16, /* 1 MiB */
      .stack_bytes = 64 * 1024,
      .max_call_depth = 200,
      .fuel = 100000, /* the start function may loop forever */
  };
  pg_instance *inst = NULL;
  char err[256];
  if (pg_instance_new(&inst, m, NULL, &limits, err, sizeof err) == PG_OK)
    pg_instance_free(inst);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  pg_module *m = NULL;
  char err[256];
  if (pg_module_new(&m, data, size, err, sizeof err) != PG_OK) return 0;
  try_instantiate(m);
  pg_module_free(m);
  return 0;
}
