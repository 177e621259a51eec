/*
 * values.c: parsing, comparing and printing spec-test values (values.h).
 *
 * Floats are compared by their bits, never as C doubles, so -0.0 differs
 * from 0.0 and NaN payloads matter, as the spec requires.
 */
#include "values.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define F32_EXP_QUIET 0x7fc00000u
#define F32_ABS 0x7fffffffu
#define F64_EXP_QUIET UINT64_C(0x7ff8000000000000)
#define F64_ABS UINT64_C(0x7fffffffffffffff)

static const struct {
  const char *name;
  pg_valtype type;
} type_names[] = {
    {"i32", PG_I32}, {"i64", PG_I64},         {"f32", PG_F32},
    {"f64", PG_F64}, {"funcref", PG_FUNCREF}, {"externref", PG_EXTERNREF},
};

const char *pg_spec_type_name(pg_valtype t) {
  for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
    if (type_names[i].type == t) return type_names[i].name;
  return "?";
}

static bool type_from_name(const char *name, pg_valtype *out) {
  for (size_t i = 0; name && i < sizeof type_names / sizeof type_names[0]; i++)
    if (strcmp(type_names[i].name, name) == 0) {
      *out = type_names[i].type;
      return true;
    }
  return false;
}

void *pg_spec_extern_ref(unsigned long long n) {
  return (void *)(uintptr_t)(n + 1);
}

static bool is_ref(pg_valtype t) {
  return t == PG_FUNCREF || t == PG_EXTERNREF;
}

/* Parses a decimal number of at most `max`; wast2json writes bit patterns
 * unsigned, but a leading '-' (two's complement) is accepted too. */
static bool parse_bits(const char *s, uint64_t max, uint64_t *out) {
  if (!s || !*s) return false;
  bool negative = s[0] == '-';
  const char *digits = negative ? s + 1 : s;
  if (*digits < '0' || *digits > '9') return false;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(digits, &end, 10);
  if (errno || *end || v > max) return false;
  *out = negative ? ((uint64_t)0 - v) & max : v;
  return true;
}

/* Fills out->of from the "value" text for a number or reference type. */
static bool parse_payload(pg_valtype t, const char *s, pg_val *out) {
  uint64_t bits = 0;
  switch (t) {
    case PG_I32:
    case PG_F32:
      if (!parse_bits(s, UINT32_MAX, &bits)) return false;
      out->of.i32 = (uint32_t)bits;
      return true;
    case PG_I64:
    case PG_F64:
      if (!parse_bits(s, UINT64_MAX, &bits)) return false;
      out->of.i64 = bits;
      return true;
    case PG_FUNCREF:
    case PG_EXTERNREF:
      if (s && strcmp(s, "null") == 0) {
        out->of.ref = NULL;
        return true;
      }
      /* A funcref argument can only be null in a script. */
      if (t == PG_FUNCREF || !parse_bits(s, UINT32_MAX, &bits)) return false;
      out->of.ref = pg_spec_extern_ref(bits);
      return true;
  }
  return false;
}

static bool parse_type(const pg_json *v, pg_valtype *out, char *err,
                       size_t errlen) {
  const char *tname = pg_json_get_string(v, "type");
  if (!type_from_name(tname, out)) {
    snprintf(err, errlen, "unsupported value type \"%s\"",
             tname ? tname : "(missing)");
    return false;
  }
  return true;
}

bool pg_spec_parse_arg(const pg_json *v, pg_val *out, char *err,
                       size_t errlen) {
  pg_val val = {0};
  if (!parse_type(v, &val.type, err, errlen)) return false;
  const char *text = pg_json_get_string(v, "value");
  if (!parse_payload(val.type, text, &val)) {
    snprintf(err, errlen, "bad %s argument \"%s\"", pg_spec_type_name(val.type),
             text ? text : "(missing)");
    return false;
  }
  *out = val;
  return true;
}

bool pg_spec_parse_expected(const pg_json *v, pg_spec_expected *out, char *err,
                            size_t errlen) {
  pg_spec_expected e = {.match = PG_SPEC_MATCH_EXACT};
  if (!parse_type(v, &e.val.type, err, errlen)) return false;
  const char *text = pg_json_get_string(v, "value");
  bool is_float = e.val.type == PG_F32 || e.val.type == PG_F64;
  if (is_float && text && strcmp(text, "nan:canonical") == 0) {
    e.match = PG_SPEC_MATCH_NAN_CANONICAL;
  } else if (is_float && text && strcmp(text, "nan:arithmetic") == 0) {
    e.match = PG_SPEC_MATCH_NAN_ARITHMETIC;
  } else if (is_ref(e.val.type) && (!text || strcmp(text, "null") != 0) &&
             (e.val.type == PG_FUNCREF || !text)) {
    /* (ref.func) / (ref.extern) without an index: any non-null one. */
    e.match = PG_SPEC_MATCH_ANY_REF;
  } else if (!parse_payload(e.val.type, text, &e.val)) {
    snprintf(err, errlen, "bad expected %s \"%s\"",
             pg_spec_type_name(e.val.type), text ? text : "(missing)");
    return false;
  }
  *out = e;
  return true;
}

static bool bits_match(const pg_spec_expected *want, const pg_val *got) {
  switch (want->val.type) {
    case PG_I32:
    case PG_F32: return got->of.i32 == want->val.of.i32;
    case PG_I64:
    case PG_F64: return got->of.i64 == want->val.of.i64;
    case PG_FUNCREF:
    case PG_EXTERNREF: return got->of.ref == want->val.of.ref;
  }
  return false;
}

static bool nan_matches(pg_spec_match m, pg_valtype t, const pg_val *got) {
  if (t == PG_F32) {
    uint32_t b = got->of.f32;
    if (m == PG_SPEC_MATCH_NAN_CANONICAL) return (b & F32_ABS) == F32_EXP_QUIET;
    return (b & F32_EXP_QUIET) == F32_EXP_QUIET;
  }
  uint64_t b = got->of.f64;
  if (m == PG_SPEC_MATCH_NAN_CANONICAL) return (b & F64_ABS) == F64_EXP_QUIET;
  return (b & F64_EXP_QUIET) == F64_EXP_QUIET;
}

bool pg_spec_matches(const pg_spec_expected *want, const pg_val *got) {
  if (got->type != want->val.type) return false;
  switch (want->match) {
    case PG_SPEC_MATCH_EXACT: return bits_match(want, got);
    case PG_SPEC_MATCH_NAN_CANONICAL:
    case PG_SPEC_MATCH_NAN_ARITHMETIC:
      return nan_matches(want->match, want->val.type, got);
    case PG_SPEC_MATCH_ANY_REF: return got->of.ref != NULL;
  }
  return false;
}

static void format_ref(const pg_val *v, char *buf, size_t len) {
  const char *tn = pg_spec_type_name(v->type);
  uintptr_t p = (uintptr_t)v->of.ref;
  if (!p)
    snprintf(buf, len, "%s:null", tn);
  else if (v->type == PG_EXTERNREF && p <= (uintptr_t)UINT32_MAX + 1)
    snprintf(buf, len, "%s:%" PRIuPTR, tn, p - 1); /* back to ref.extern N */
  else
    snprintf(buf, len, "%s:%p", tn, v->of.ref);
}

void pg_spec_format_val(const pg_val *v, char *buf, size_t len) {
  const char *tn = pg_spec_type_name(v->type);
  float f;
  double d;
  switch (v->type) {
    case PG_I32:
      snprintf(buf, len, "i32:0x%" PRIx32 " (%" PRIu32 " / %" PRId32 ")",
               v->of.i32, v->of.i32, (int32_t)v->of.i32);
      return;
    case PG_I64:
      snprintf(buf, len, "i64:0x%" PRIx64 " (%" PRIu64 " / %" PRId64 ")",
               v->of.i64, v->of.i64, (int64_t)v->of.i64);
      return;
    case PG_F32:
      memcpy(&f, &v->of.f32, sizeof f);
      snprintf(buf, len, "f32:0x%08" PRIx32 " (%.9g)", v->of.f32, (double)f);
      return;
    case PG_F64:
      memcpy(&d, &v->of.f64, sizeof d);
      snprintf(buf, len, "f64:0x%016" PRIx64 " (%.17g)", v->of.f64, d);
      return;
    case PG_FUNCREF:
    case PG_EXTERNREF: format_ref(v, buf, len); return;
  }
  snprintf(buf, len, "%s(type 0x%x)", tn, (unsigned)v->type);
}

void pg_spec_format_expected(const pg_spec_expected *e, char *buf, size_t len) {
  const char *tn = pg_spec_type_name(e->val.type);
  switch (e->match) {
    case PG_SPEC_MATCH_NAN_CANONICAL:
      snprintf(buf, len, "%s:nan:canonical", tn);
      return;
    case PG_SPEC_MATCH_NAN_ARITHMETIC:
      snprintf(buf, len, "%s:nan:arithmetic", tn);
      return;
    case PG_SPEC_MATCH_ANY_REF: snprintf(buf, len, "%s:non-null", tn); return;
    case PG_SPEC_MATCH_EXACT: pg_spec_format_val(&e->val, buf, len); return;
  }
}
