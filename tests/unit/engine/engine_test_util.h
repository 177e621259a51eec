/*
 * engine_test_util.h: shared helpers of the engine unit tests — loading a
 * fixture compiled from wat/NAME.wat and building typed values.
 */
#ifndef PG_ENGINE_TEST_UTIL_H
#define PG_ENGINE_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>

#include "parigot/engine.h"

/* Loads PG_TEST_WASM_DIR/name.wasm into a module; NULL (and a message on
 * stderr) on failure. The caller frees the module. */
static pg_module *load_fixture(const char *name) {
  char path[512], err[256];
  snprintf(path, sizeof path, "%s/%s.wasm", PG_TEST_WASM_DIR, name);
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "  cannot open %s\n", path);
    return NULL;
  }
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *bytes = malloc(len > 0 ? (size_t)len : 1);
  size_t got = bytes ? fread(bytes, 1, (size_t)len, f) : 0;
  fclose(f);
  pg_module *m = NULL;
  if (got == (size_t)len &&
      pg_module_new(&m, bytes, (size_t)len, err, sizeof err) != PG_OK) {
    fprintf(stderr, "  %s: %s\n", path, err);
    m = NULL;
  }
  free(bytes);
  return m;
}

static inline pg_val val_i32(uint32_t v) {
  pg_val out = {.type = PG_I32};
  out.of.i32 = v;
  return out;
}

static inline pg_val val_i64(uint64_t v) {
  pg_val out = {.type = PG_I64};
  out.of.i64 = v;
  return out;
}

#endif /* PG_ENGINE_TEST_UTIL_H */
