/*
 * values_test.c: unit tests of the spec runner's value handling (values.c):
 * parsing wast2json values, the NaN patterns, bitwise float comparison,
 * reference mapping and the failure-line formatting. No engine needed.
 */
#include "values.h"

#include <stdlib.h>

#include "pg_test.h"

/* Parses `text` as one json value object; NULL on a parse error. */
static pg_json *json(const char *text) {
  pg_json *v = NULL;
  return pg_json_parse(&v, text, strlen(text), NULL, 0) ? v : NULL;
}

static bool arg(const char *text, pg_val *out) {
  pg_json *v = json(text);
  char err[128];
  bool ok = v && pg_spec_parse_arg(v, out, err, sizeof err);
  pg_json_free(v);
  return ok;
}

static bool expected(const char *text, pg_spec_expected *out) {
  pg_json *v = json(text);
  char err[128];
  bool ok = v && pg_spec_parse_expected(v, out, err, sizeof err);
  pg_json_free(v);
  return ok;
}

static void test_parse_numbers(void) {
  pg_val v;
  ASSERT_TRUE(arg("{\"type\": \"i32\", \"value\": \"4294967295\"}", &v));
  ASSERT_EQ(v.type, PG_I32);
  ASSERT_U64_EQ(v.of.i32, 0xffffffffu);
  ASSERT_TRUE(
      arg("{\"type\": \"i64\", \"value\": \"18446744073709551615\"}", &v));
  ASSERT_U64_EQ(v.of.i64, UINT64_MAX);
  ASSERT_TRUE(arg("{\"type\": \"i32\", \"value\": \"-1\"}", &v));
  ASSERT_U64_EQ(v.of.i32, 0xffffffffu);
  ASSERT_TRUE(arg("{\"type\": \"f32\", \"value\": \"2143289344\"}", &v));
  ASSERT_U64_EQ(v.of.f32, 0x7fc00000u);
  ASSERT_TRUE(
      arg("{\"type\": \"f64\", \"value\": \"9221120237041090560\"}", &v));
  ASSERT_U64_EQ(v.of.f64, UINT64_C(0x7ff8000000000000));
}

static void test_parse_rejects(void) {
  pg_val v;
  ASSERT_TRUE(!arg("{\"type\": \"i32\", \"value\": \"4294967296\"}", &v));
  ASSERT_TRUE(
      !arg("{\"type\": \"i64\", \"value\": \"18446744073709551616\"}", &v));
  ASSERT_TRUE(!arg("{\"type\": \"i32\", \"value\": \"12x\"}", &v));
  ASSERT_TRUE(!arg("{\"type\": \"i32\", \"value\": \"\"}", &v));
  ASSERT_TRUE(!arg("{\"type\": \"i32\"}", &v));
  ASSERT_TRUE(!arg("{\"type\": \"v128\", \"value\": \"1\"}", &v));
  ASSERT_TRUE(!arg("{\"value\": \"1\"}", &v));
  ASSERT_TRUE(!arg("{\"type\": \"f32\", \"value\": \"nan:canonical\"}", &v));
  ASSERT_TRUE(!arg("{\"type\": \"funcref\", \"value\": \"3\"}", &v));
  pg_spec_expected e;
  ASSERT_TRUE(
      !expected("{\"type\": \"i32\", \"value\": \"nan:canonical\"}", &e));
  ASSERT_TRUE(!expected("[]", &e));
}

static void test_references(void) {
  pg_val v;
  ASSERT_TRUE(arg("{\"type\": \"externref\", \"value\": \"0\"}", &v));
  ASSERT_EQ(v.type, PG_EXTERNREF);
  ASSERT_TRUE(v.of.ref != NULL);
  ASSERT_TRUE(v.of.ref == pg_spec_extern_ref(0));
  ASSERT_TRUE(pg_spec_extern_ref(0) != pg_spec_extern_ref(1));
  ASSERT_TRUE(arg("{\"type\": \"externref\", \"value\": \"null\"}", &v));
  ASSERT_TRUE(v.of.ref == NULL);
  ASSERT_TRUE(arg("{\"type\": \"funcref\", \"value\": \"null\"}", &v));
  ASSERT_EQ(v.type, PG_FUNCREF);
  ASSERT_TRUE(v.of.ref == NULL);

  pg_spec_expected e;
  ASSERT_TRUE(expected("{\"type\": \"externref\", \"value\": \"7\"}", &e));
  pg_val got = {.type = PG_EXTERNREF, .of.ref = pg_spec_extern_ref(7)};
  ASSERT_TRUE(pg_spec_matches(&e, &got));
  got.of.ref = pg_spec_extern_ref(6);
  ASSERT_TRUE(!pg_spec_matches(&e, &got));
  got.of.ref = NULL;
  ASSERT_TRUE(!pg_spec_matches(&e, &got));
  /* (ref.extern) / (ref.func) without a value: any non-null reference */
  ASSERT_TRUE(expected("{\"type\": \"funcref\"}", &e));
  ASSERT_EQ(e.match, PG_SPEC_MATCH_ANY_REF);
  got = (pg_val){.type = PG_FUNCREF, .of.ref = &e};
  ASSERT_TRUE(pg_spec_matches(&e, &got));
  got.of.ref = NULL;
  ASSERT_TRUE(!pg_spec_matches(&e, &got));
  got = (pg_val){.type = PG_EXTERNREF, .of.ref = &e};
  ASSERT_TRUE(!pg_spec_matches(&e, &got)); /* wrong reference type */
}

static bool nan_check(const char *type, const char *pattern, uint64_t bits) {
  char text[96];
  snprintf(text, sizeof text, "{\"type\": \"%s\", \"value\": \"%s\"}", type,
           pattern);
  pg_spec_expected e;
  if (!expected(text, &e)) return false;
  pg_val got = {.type = e.val.type};
  if (got.type == PG_F32)
    got.of.f32 = (uint32_t)bits;
  else
    got.of.f64 = bits;
  return pg_spec_matches(&e, &got);
}

static void test_nan_patterns(void) {
  ASSERT_TRUE(nan_check("f32", "nan:canonical", 0x7fc00000u));
  ASSERT_TRUE(nan_check("f32", "nan:canonical", 0xffc00000u));
  ASSERT_TRUE(!nan_check("f32", "nan:canonical", 0x7fc00001u));
  ASSERT_TRUE(!nan_check("f32", "nan:canonical", 0x7f800001u));
  ASSERT_TRUE(nan_check("f32", "nan:arithmetic", 0x7fc00001u));
  ASSERT_TRUE(nan_check("f32", "nan:arithmetic", 0xffffffffu));
  ASSERT_TRUE(!nan_check("f32", "nan:arithmetic", 0x7fa00000u));
  ASSERT_TRUE(!nan_check("f32", "nan:arithmetic", 0x7f800000u)); /* inf */
  ASSERT_TRUE(nan_check("f64", "nan:canonical", UINT64_C(0xfff8000000000000)));
  ASSERT_TRUE(!nan_check("f64", "nan:canonical", UINT64_C(0x7ff8000000000001)));
  ASSERT_TRUE(nan_check("f64", "nan:arithmetic", UINT64_C(0x7ff8000000000001)));
  ASSERT_TRUE(
      !nan_check("f64", "nan:arithmetic", UINT64_C(0x7ff4000000000000)));
  ASSERT_TRUE(!nan_check("f64", "nan:arithmetic", 0));
}

static void test_floats_compare_bits(void) {
  pg_spec_expected e;
  ASSERT_TRUE(expected("{\"type\": \"f32\", \"value\": \"2147483648\"}", &e));
  pg_val got = {.type = PG_F32, .of.f32 = 0}; /* +0 is not -0 */
  ASSERT_TRUE(!pg_spec_matches(&e, &got));
  got.of.f32 = 0x80000000u;
  ASSERT_TRUE(pg_spec_matches(&e, &got));
  got.type = PG_I32; /* same bits, other type */
  ASSERT_TRUE(!pg_spec_matches(&e, &got));
}

static void test_format(void) {
  char buf[128];
  pg_val v = {.type = PG_I32, .of.i32 = 0xfffffffeu};
  pg_spec_format_val(&v, buf, sizeof buf);
  ASSERT_STR_EQ(buf, "i32:0xfffffffe (4294967294 / -2)");
  v = (pg_val){.type = PG_F32, .of.f32 = 0x3f800000u};
  pg_spec_format_val(&v, buf, sizeof buf);
  ASSERT_STR_EQ(buf, "f32:0x3f800000 (1)");
  v = (pg_val){.type = PG_EXTERNREF, .of.ref = pg_spec_extern_ref(5)};
  pg_spec_format_val(&v, buf, sizeof buf);
  ASSERT_STR_EQ(buf, "externref:5");
  v.of.ref = NULL;
  pg_spec_format_val(&v, buf, sizeof buf);
  ASSERT_STR_EQ(buf, "externref:null");
  pg_spec_expected e;
  ASSERT_TRUE(
      expected("{\"type\": \"f64\", \"value\": \"nan:arithmetic\"}", &e));
  pg_spec_format_expected(&e, buf, sizeof buf);
  ASSERT_STR_EQ(buf, "f64:nan:arithmetic");
}

int main(void) {
  PG_RUN(test_parse_numbers);
  PG_RUN(test_parse_rejects);
  PG_RUN(test_references);
  PG_RUN(test_nan_patterns);
  PG_RUN(test_floats_compare_bits);
  PG_RUN(test_format);
  return PG_DONE();
}
