/*
 * compile.c: validates WebAssembly function bodies and compiles them into
 * the engine's threaded slot code (see ir.h). TEMPORARY STUB so the team can
 * link; the real validator/compiler replaces it.
 */
#include <stdlib.h>

#include "module.h"

struct pg_fcode {
  int unused;
};

pg_status pg__compile_module(pg_module *m, pg_err *err) {
  (void)m;
  (void)err;
  return PG_OK;
}

void pg__fcode_free(pg_fcode *code) { free(code); }
