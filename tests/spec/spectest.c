/*
 * spectest.c: the "spectest" host module (spectest.h).
 *
 * The print functions write one line to stdout ("spectest print_i32: 42")
 * and return nothing; a few scripts call them only to check that an import
 * of the right type links and runs.
 */
#include "spectest.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPECTEST_GLOBALS 4

struct pg_spectest {
  pg_memory *memory;                    /* owned */
  pg_table *table;                      /* owned */
  pg_global *globals[SPECTEST_GLOBALS]; /* owned: i32, i64, f32, f64 */
};

static float cell_f32(pg_cell c) {
  uint32_t bits = (uint32_t)c;
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

static double cell_f64(pg_cell c) {
  double d;
  memcpy(&d, &c, sizeof d);
  return d;
}

static pg_host_result print_none(pg_host_call *call) {
  printf("spectest print\n");
  return PG_HOST_DONE;
}

static pg_host_result print_i32(pg_host_call *call) {
  printf("spectest print_i32: %" PRId32 "\n", (int32_t)call->args[0]);
  return PG_HOST_DONE;
}

static pg_host_result print_i64(pg_host_call *call) {
  printf("spectest print_i64: %" PRId64 "\n", (int64_t)call->args[0]);
  return PG_HOST_DONE;
}

static pg_host_result print_f32(pg_host_call *call) {
  printf("spectest print_f32: %.9g\n", (double)cell_f32(call->args[0]));
  return PG_HOST_DONE;
}

static pg_host_result print_f64(pg_host_call *call) {
  printf("spectest print_f64: %.17g\n", cell_f64(call->args[0]));
  return PG_HOST_DONE;
}

static pg_host_result print_i32_f32(pg_host_call *call) {
  printf("spectest print_i32_f32: %" PRId32 " %.9g\n", (int32_t)call->args[0],
         (double)cell_f32(call->args[1]));
  return PG_HOST_DONE;
}

static pg_host_result print_f64_f64(pg_host_call *call) {
  printf("spectest print_f64_f64: %.17g %.17g\n", cell_f64(call->args[0]),
         cell_f64(call->args[1]));
  return PG_HOST_DONE;
}

static const struct {
  const char *name;
  const char *sig;
  pg_host_fn fn;
} spectest_funcs[] = {
    {"print", "->", print_none},
    {"print_i32", "i->", print_i32},
    {"print_i64", "I->", print_i64},
    {"print_f32", "f->", print_f32},
    {"print_f64", "F->", print_f64},
    {"print_i32_f32", "if->", print_i32_f32},
    {"print_f64_f64", "FF->", print_f64_f64},
};

static const char *const global_names[SPECTEST_GLOBALS] = {
    "global_i32", "global_i64", "global_f32", "global_f64"};

static void global_values(pg_val out[SPECTEST_GLOBALS]) {
  float f = 666.6f;
  double d = 666.6;
  out[0] = (pg_val){.type = PG_I32, .of.i32 = 666};
  out[1] = (pg_val){.type = PG_I64, .of.i64 = 666};
  out[2] = (pg_val){.type = PG_F32};
  memcpy(&out[2].of.f32, &f, sizeof f);
  out[3] = (pg_val){.type = PG_F64};
  memcpy(&out[3].of.f64, &d, sizeof d);
}

static pg_status make_objects(pg_spectest *st, char *err, size_t errlen) {
  pg_status s = pg_memory_new(&st->memory, 1, 2, true);
  const char *what = "memory";
  if (s == PG_OK) {
    what = "table";
    s = pg_table_new(&st->table, PG_FUNCREF, 10, 20, true);
  }
  pg_val values[SPECTEST_GLOBALS];
  global_values(values);
  for (int i = 0; s == PG_OK && i < SPECTEST_GLOBALS; i++) {
    what = global_names[i];
    s = pg_global_new(&st->globals[i], values[i], false);
  }
  if (s != PG_OK)
    snprintf(err, errlen, "spectest: creating %s: %s", what, pg_status_str(s));
  return s;
}

static pg_status define_all(pg_spectest *st, pg_linker *l, char *err,
                            size_t errlen) {
  pg_status s = PG_OK;
  const char *what = "";
  size_t nfuncs = sizeof spectest_funcs / sizeof spectest_funcs[0];
  for (size_t i = 0; s == PG_OK && i < nfuncs; i++) {
    what = spectest_funcs[i].name;
    s = pg_linker_define_func(l, "spectest", what, spectest_funcs[i].sig,
                              spectest_funcs[i].fn, st);
  }
  for (int i = 0; s == PG_OK && i < SPECTEST_GLOBALS; i++) {
    what = global_names[i];
    pg_extern ext = {.kind = PG_EXTERN_GLOBAL, .of.global = st->globals[i]};
    s = pg_linker_define(l, "spectest", what, ext);
  }
  if (s == PG_OK) {
    what = "table";
    pg_extern ext = {.kind = PG_EXTERN_TABLE, .of.table = st->table};
    s = pg_linker_define(l, "spectest", what, ext);
  }
  if (s == PG_OK) {
    what = "memory";
    pg_extern ext = {.kind = PG_EXTERN_MEMORY, .of.memory = st->memory};
    s = pg_linker_define(l, "spectest", what, ext);
  }
  if (s != PG_OK)
    snprintf(err, errlen, "spectest: defining %s: %s", what, pg_status_str(s));
  return s;
}

pg_status pg_spectest_new(pg_spectest **out, pg_linker *linker, char *err,
                          size_t errlen) {
  pg_spectest *st = calloc(1, sizeof *st);
  pg_status s = PG_NOMEM;
  if (!st) {
    snprintf(err, errlen, "spectest: out of memory");
    goto fail;
  }
  s = make_objects(st, err, errlen);
  if (s != PG_OK) goto fail;
  s = define_all(st, linker, err, errlen);
  if (s != PG_OK) goto fail;
  *out = st;
  return PG_OK;
fail:
  pg_spectest_free(st);
  return s;
}

void pg_spectest_free(pg_spectest *st) {
  if (!st) return;
  pg_memory_free(st->memory);
  pg_table_free(st->table);
  for (int i = 0; i < SPECTEST_GLOBALS; i++) pg_global_free(st->globals[i]);
  free(st);
}
