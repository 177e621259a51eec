/*
 * values.h: spec-test values as wast2json writes them, and how the runner
 * compares and prints them.
 *
 * wast2json writes each value as {"type": T, "value": V}: integers and floats
 * as the unsigned decimal of their bits, "nan:canonical" / "nan:arithmetic"
 * for NaN patterns, "null" or a number N for references ("ref.extern N").
 * The runner passes `ref.extern N` to the engine as the host pointer N+1, so
 * every N maps to a distinct non-null pointer and back.
 */
#ifndef PG_SPEC_VALUES_H
#define PG_SPEC_VALUES_H

#include <stdbool.h>
#include <stddef.h>

#include "json.h"
#include "parigot/engine.h"

/* What an expected result accepts. */
typedef enum pg_spec_match {
  PG_SPEC_MATCH_EXACT,          /* same type and bits (refs: same pointer) */
  PG_SPEC_MATCH_NAN_CANONICAL,  /* a NaN whose payload is the canonical one */
  PG_SPEC_MATCH_NAN_ARITHMETIC, /* a NaN with the quiet bit set */
  PG_SPEC_MATCH_ANY_REF         /* any non-null reference of the type */
} pg_spec_match;

typedef struct pg_spec_expected {
  pg_spec_match match;
  pg_val val; /* val.type always set; the bits only for EXACT */
} pg_spec_expected;

/* Converts one argument {"type","value"} (borrowed) to *out. On failure
 * returns false and writes the reason to err. */
bool pg_spec_parse_arg(const pg_json *v, pg_val *out, char *err, size_t errlen);

/* Converts one expected result (borrowed) to *out; as pg_spec_parse_arg. */
bool pg_spec_parse_expected(const pg_json *v, pg_spec_expected *out, char *err,
                            size_t errlen);

/* Whether `got` (borrowed) satisfies `want` (borrowed). */
bool pg_spec_matches(const pg_spec_expected *want, const pg_val *got);

/* Writes "i32:0x2 (2)" style text for a value / an expectation. */
void pg_spec_format_val(const pg_val *v, char *buf, size_t len);
void pg_spec_format_expected(const pg_spec_expected *e, char *buf, size_t len);

/* The spec-test name of a value type ("i32", "externref", ...). */
const char *pg_spec_type_name(pg_valtype t);

/* The host pointer standing for `ref.extern n`. */
void *pg_spec_extern_ref(unsigned long long n);

#endif /* PG_SPEC_VALUES_H */
