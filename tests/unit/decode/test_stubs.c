/*
 * test_stubs.c: stand-ins for the compiler, so the decoder's unit tests
 * link the decoder alone. Weak: a test that also links compile.c gets the
 * real functions.
 */
#include "module.h"

__attribute__((weak)) pg_status pg__compile_module(pg_module *m,
                                                   pg_err *err) {
  (void)m;
  (void)err;
  return PG_OK;
}

__attribute__((weak)) void pg__fcode_free(pg_fcode *code) { (void)code; }
