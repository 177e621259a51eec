/*
 * spectest.h: the "spectest" host module every spec script may import.
 *
 * It holds print functions (print, print_i32, print_i64, print_f32,
 * print_f64, print_i32_f32, print_f64_f64), the immutable globals
 * global_i32 = 666, global_i64 = 666, global_f32 = 666.6,
 * global_f64 = 666.6, a funcref table (10, max 20) and a memory (1, max 2),
 * as the reference interpreter defines them. One set is made per script:
 * a script may write to the table or memory and later commands see it.
 */
#ifndef PG_SPEC_SPECTEST_H
#define PG_SPEC_SPECTEST_H

#include <stddef.h>

#include "parigot/engine.h"

typedef struct pg_spectest pg_spectest;

/* Creates the spectest objects and defines them all in `linker` (borrowed;
 * it must not outlive the returned object). On success writes *out (owned
 * by the caller) and returns PG_OK; on failure frees what it made, returns
 * the engine's status and writes the reason to err; the linker may then
 * hold dangling definitions and must be freed without further use. */
pg_status pg_spectest_new(pg_spectest **out, pg_linker *linker, char *err,
                          size_t errlen);

/* Frees the objects (consumed). Call it only after every instance that may
 * import them is freed. Accepts NULL. */
void pg_spectest_free(pg_spectest *st);

#endif /* PG_SPEC_SPECTEST_H */
