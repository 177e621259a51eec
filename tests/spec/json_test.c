/*
 * json_test.c: unit tests of the spec runner's JSON parser (json.c).
 *
 * Covers what wast2json emits (objects, arrays, strings with \u escapes,
 * including \u0000 in export names), the number grammar, and the errors a
 * truncated or hostile file must produce instead of a crash.
 */
#include "json.h"

#include <stdlib.h>

#include "pg_test.h"

static pg_json *parse_ok(const char *text) {
  pg_json *v = NULL;
  char err[128];
  if (!pg_json_parse(&v, text, strlen(text), err, sizeof err)) {
    fprintf(stderr, "  unexpected parse error on %s: %s\n", text, err);
    return NULL;
  }
  return v;
}

static void test_wast2json_command(void) {
  const char *text =
      "{\"source_filename\": \"i32.wast\",\n \"commands\": [\n"
      "  {\"type\": \"module\", \"line\": 3, \"filename\": \"i32.0.wasm\"},\n"
      "  {\"type\": \"assert_return\", \"line\": 37, \"action\": {\"type\": "
      "\"invoke\", \"field\": \"add\", \"args\": [{\"type\": \"i32\", "
      "\"value\": \"1\"}]}, \"expected\": []}]}\n";
  pg_json *root = parse_ok(text);
  ASSERT_TRUE(root != NULL);
  ASSERT_EQ(pg_json_type_of(root), PG_JSON_OBJECT);
  ASSERT_STR_EQ(pg_json_get_string(root, "source_filename"), "i32.wast");
  const pg_json *cmds = pg_json_get(root, "commands");
  ASSERT_EQ(pg_json_count(cmds), 2);
  const pg_json *c1 = pg_json_at(cmds, 1);
  ASSERT_STR_EQ(pg_json_get_string(c1, "type"), "assert_return");
  double line = 0;
  ASSERT_TRUE(pg_json_number(pg_json_get(c1, "line"), &line));
  ASSERT_EQ((long long)line, 37);
  const pg_json *args = pg_json_get(pg_json_get(c1, "action"), "args");
  ASSERT_EQ(pg_json_count(args), 1);
  ASSERT_STR_EQ(pg_json_get_string(pg_json_at(args, 0), "value"), "1");
  ASSERT_EQ(pg_json_count(pg_json_get(c1, "expected")), 0);
  ASSERT_EQ(pg_json_type_of(pg_json_get(c1, "expected")), PG_JSON_ARRAY);
  ASSERT_STR_EQ(pg_json_key_at(c1, 0), "type");
  pg_json_free(root);
}

static void test_literals_and_numbers(void) {
  pg_json *root = parse_ok("[true, false, null, 0, -12, 3.5e2, 1E-1, -0.0]");
  ASSERT_TRUE(root != NULL);
  ASSERT_EQ(pg_json_count(root), 8);
  ASSERT_EQ(pg_json_type_of(pg_json_at(root, 0)), PG_JSON_TRUE);
  ASSERT_EQ(pg_json_type_of(pg_json_at(root, 1)), PG_JSON_FALSE);
  ASSERT_EQ(pg_json_type_of(pg_json_at(root, 2)), PG_JSON_NULL);
  double d = 1;
  ASSERT_TRUE(pg_json_number(pg_json_at(root, 3), &d));
  ASSERT_TRUE(d == 0.0);
  ASSERT_TRUE(pg_json_number(pg_json_at(root, 4), &d));
  ASSERT_TRUE(d == -12.0);
  ASSERT_TRUE(pg_json_number(pg_json_at(root, 5), &d));
  ASSERT_TRUE(d == 350.0);
  ASSERT_TRUE(pg_json_number(pg_json_at(root, 6), &d));
  ASSERT_TRUE(d == 0.1);
  ASSERT_TRUE(!pg_json_number(pg_json_at(root, 0), &d));
  pg_json_free(root);
}

static void test_escapes(void) {
  pg_json *root = parse_ok(
      "[\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\", \"\\u0000\\u0001x\", "
      "\"\\u00e9\\u20ac\\ud83d\\ude00\", \"raw \xc3\xa9\"]");
  ASSERT_TRUE(root != NULL);
  size_t len = 0;
  ASSERT_STR_EQ(pg_json_string(pg_json_at(root, 0), &len),
                "a\"b\\c/d\b\f\n\r\t");
  ASSERT_EQ(len, 12);
  const char *nul = pg_json_string(pg_json_at(root, 1), &len);
  ASSERT_TRUE(nul != NULL);
  ASSERT_EQ(len, 3);
  ASSERT_EQ(nul[0], 0);
  ASSERT_EQ(nul[1], 1);
  ASSERT_EQ(nul[2], 'x');
  /* e-acute (2 bytes), euro sign (3 bytes), U+1F600 via a surrogate pair */
  ASSERT_STR_EQ(pg_json_string(pg_json_at(root, 2), &len),
                "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
  ASSERT_EQ(len, 9);
  ASSERT_STR_EQ(pg_json_string(pg_json_at(root, 3), NULL), "raw \xc3\xa9");
  pg_json_free(root);
}

static void test_accessors_tolerate_absent(void) {
  ASSERT_TRUE(pg_json_get(NULL, "x") == NULL);
  ASSERT_TRUE(pg_json_at(NULL, 0) == NULL);
  ASSERT_EQ(pg_json_count(NULL), 0);
  ASSERT_TRUE(pg_json_string(NULL, NULL) == NULL);
  ASSERT_TRUE(pg_json_get_string(NULL, "x") == NULL);
  pg_json *root = parse_ok("{\"a\": 1, \"a\": \"two\", \"s\": \"x\"}");
  ASSERT_TRUE(root != NULL);
  ASSERT_STR_EQ(pg_json_get_string(root, "a"), "two"); /* last wins */
  ASSERT_TRUE(pg_json_get(root, "missing") == NULL);
  ASSERT_TRUE(pg_json_at(root, 3) == NULL);
  ASSERT_TRUE(pg_json_get(pg_json_get(root, "s"), "x") == NULL);
  ASSERT_TRUE(pg_json_at(pg_json_get(root, "s"), 0) == NULL);
  pg_json_free(root);
  pg_json_free(NULL);
}

/* Each bad document must fail with a message naming line and column. */
static void expect_error(const char *text, const char *fragment, int *bad) {
  pg_json *v = NULL;
  char err[128] = "";
  if (pg_json_parse(&v, text, strlen(text), err, sizeof err)) {
    fprintf(stderr, "  accepted bad json %s\n", text);
    pg_json_free(v);
    (*bad)++;
  } else if (!strstr(err, fragment) || !strstr(err, "line ")) {
    fprintf(stderr, "  error for %s is \"%s\", wanted \"%s\"\n", text, err,
            fragment);
    (*bad)++;
  }
}

static void test_errors(void) {
  int bad = 0;
  expect_error("", "unexpected end", &bad);
  expect_error("{\"a\": 1", "expected ','", &bad);
  expect_error("[1, 2", "expected ','", &bad);
  expect_error("[1,]", "unexpected character", &bad);
  expect_error("{\"a\" 1}", "expected ':'", &bad);
  expect_error("{1: 2}", "string key", &bad);
  expect_error("\"abc", "unterminated", &bad);
  expect_error("\"a\\qb\"", "bad escape", &bad);
  expect_error("\"\\u12\"", "truncated", &bad);
  expect_error("\"\\u12x4\"", "hex digit", &bad);
  expect_error("\"\\ud800x\"", "surrogate", &bad);
  expect_error("\"\\udc00\"", "surrogate", &bad);
  expect_error("\"a\nb\"", "control character", &bad);
  expect_error("01", "trailing", &bad);
  expect_error("-", "malformed number", &bad);
  expect_error("1.", "malformed number", &bad);
  expect_error("1e+", "malformed number", &bad);
  expect_error("tru", "expected 'true'", &bad);
  expect_error("nul", "expected 'null'", &bad);
  expect_error("[1] x", "trailing", &bad);
  ASSERT_EQ(bad, 0);
}

static void test_error_position(void) {
  pg_json *v = NULL;
  char err[128];
  const char *text = "{\n  \"a\": [1,\n  2 3]}";
  ASSERT_TRUE(!pg_json_parse(&v, text, strlen(text), err, sizeof err));
  ASSERT_STR_CONTAINS(err, "line 3, column 5");
}

static void test_depth_limit(void) {
  char deep[2 * (PG_JSON_MAX_DEPTH + 10) + 1];
  size_t n = PG_JSON_MAX_DEPTH + 10;
  memset(deep, '[', n);
  memset(deep + n, ']', n);
  deep[2 * n] = '\0';
  pg_json *v = NULL;
  char err[128];
  ASSERT_TRUE(!pg_json_parse(&v, deep, strlen(deep), err, sizeof err));
  ASSERT_STR_CONTAINS(err, "nested deeper");
  /* exactly at the limit is fine */
  n = PG_JSON_MAX_DEPTH + 1;
  memset(deep, '[', n);
  memset(deep + n, ']', n);
  deep[2 * n] = '\0';
  v = parse_ok(deep);
  ASSERT_TRUE(v != NULL);
  pg_json_free(v);
}

static void test_not_nul_terminated(void) {
  const char text[] = {'[', '7', ']', '9'}; /* only the first 3 bytes count */
  pg_json *v = NULL;
  ASSERT_TRUE(pg_json_parse(&v, text, 3, NULL, 0));
  double d = 0;
  ASSERT_TRUE(pg_json_number(pg_json_at(v, 0), &d));
  ASSERT_TRUE(d == 7.0);
  pg_json_free(v);
  ASSERT_TRUE(!pg_json_parse(&v, NULL, 0, NULL, 0));
}

int main(void) {
  PG_RUN(test_wast2json_command);
  PG_RUN(test_literals_and_numbers);
  PG_RUN(test_escapes);
  PG_RUN(test_accessors_tolerate_absent);
  PG_RUN(test_errors);
  PG_RUN(test_error_position);
  PG_RUN(test_depth_limit);
  PG_RUN(test_not_nul_terminated);
  return PG_DONE();
}
