/*
 * test_validate.c: function bodies the validator must reject (or accept),
 * written as bytes so that no assembler stands between the test and the
 * compiler. Each module has one type, one function of that type and the
 * given body; the checks are on the status and the reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parigot/engine.h"
#include "pg_test.h"

/* Builds a module: type section with `type` (bytes after 0x60), optional
 * memory, one function, and `body` (locals + instructions). */
static size_t build(uint8_t *out, const uint8_t *type, size_t type_len,
                    bool memory, const uint8_t *body, size_t body_len) {
  static const uint8_t header[] = {0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0};
  size_t n = 0;
  memcpy(out, header, sizeof header);
  n += sizeof header;
  out[n++] = 0x01; /* type section */
  out[n++] = (uint8_t)(type_len + 2);
  out[n++] = 1;
  out[n++] = 0x60;
  memcpy(out + n, type, type_len);
  n += type_len;
  out[n++] = 0x03; /* function section */
  out[n++] = 2;
  out[n++] = 1;
  out[n++] = 0;
  if (memory) {
    static const uint8_t mem[] = {0x05, 3, 1, 0, 1};
    memcpy(out + n, mem, sizeof mem);
    n += sizeof mem;
  }
  out[n++] = 0x0a; /* code section */
  out[n++] = (uint8_t)(body_len + 2);
  out[n++] = 1;
  out[n++] = (uint8_t)body_len;
  memcpy(out + n, body, body_len);
  return n + body_len;
}

static const uint8_t VOID_TYPE[] = {0, 0};          /* [] -> [] */
static const uint8_t I32_RESULT[] = {0, 1, 0x7f};   /* [] -> [i32] */

static pg_status compile(const uint8_t *type, size_t type_len, bool memory,
                         const uint8_t *body, size_t body_len, char *err,
                         size_t errlen) {
  uint8_t bytes[256];
  size_t len = build(bytes, type, type_len, memory, body, body_len);
  pg_module *m = NULL;
  err[0] = 0;
  pg_status st = pg_module_new(&m, bytes, len, err, errlen);
  pg_module_free(m);
  return st;
}

#define CHECK_BODY(type, memory, expect_status, expect_msg, ...)             \
  do {                                                                      \
    static const uint8_t body_[] = {__VA_ARGS__};                           \
    char err_[256];                                                         \
    pg_status st_ = compile(type, sizeof type, memory, body_,               \
                            sizeof body_, err_, sizeof err_);               \
    ASSERT_EQ(st_, expect_status);                                          \
    if (expect_msg) ASSERT_STR_CONTAINS(err_, (const char *)expect_msg);    \
  } while (0)

static void test_valid_bodies(void) {
  /* i32.const 1, end */
  CHECK_BODY(I32_RESULT, false, PG_OK, NULL, 0, 0x41, 1, 0x0b);
  /* unreachable makes the stack polymorphic: i32.add with nothing */
  CHECK_BODY(I32_RESULT, false, PG_OK, NULL, 0, 0x00, 0x6a, 0x0b);
  /* block (result i32) i32.const 2 br 0 end */
  CHECK_BODY(I32_RESULT, false, PG_OK, NULL, 0, 0x02, 0x7f, 0x41, 2, 0x0c, 0,
             0x0b, 0x0b);
}

static void test_type_mismatch(void) {
  /* i64.const 1 where i32 is expected */
  CHECK_BODY(I32_RESULT, false, PG_INVALID, "type mismatch", 0, 0x42, 1,
             0x0b);
  /* a value left over in a void function */
  CHECK_BODY(VOID_TYPE, false, PG_INVALID, "type mismatch", 0, 0x41, 0,
             0x0b);
  /* i32.add with one operand */
  CHECK_BODY(I32_RESULT, false, PG_INVALID, "type mismatch", 0, 0x41, 0,
             0x6a, 0x0b);
  /* untyped select on references: ref.null func x2, i32.const 1, select */
  CHECK_BODY(VOID_TYPE, false, PG_INVALID, "type mismatch", 0, 0xd0, 0x70,
             0xd0, 0x70, 0x41, 1, 0x1b, 0x1a, 0x0b);
}

static void test_unknown_indices(void) {
  CHECK_BODY(VOID_TYPE, false, PG_INVALID, "unknown local", 0, 0x20, 5,
             0x1a, 0x0b);
  CHECK_BODY(VOID_TYPE, false, PG_INVALID, "unknown label", 0, 0x0c, 1,
             0x0b);
  CHECK_BODY(VOID_TYPE, false, PG_INVALID, "unknown function", 0, 0x10, 9,
             0x0b);
  CHECK_BODY(VOID_TYPE, false, PG_INVALID, "unknown global", 0, 0x23, 0,
             0x1a, 0x0b);
  CHECK_BODY(VOID_TYPE, false, PG_INVALID, "unknown memory", 0, 0x41, 0,
             0x28, 2, 0, 0x1a, 0x0b);
  CHECK_BODY(VOID_TYPE, false, PG_INVALID, "unknown table", 0, 0x41, 0,
             0x11, 0, 0, 0x0b);
}

static void test_alignment(void) {
  /* i32.load align=2^3 */
  CHECK_BODY(VOID_TYPE, true, PG_INVALID,
             "alignment must not be larger than natural", 0, 0x41, 0, 0x28, 3,
             0, 0x1a, 0x0b);
  CHECK_BODY(VOID_TYPE, true, PG_OK, NULL, 0, 0x41, 0, 0x28, 2, 0, 0x1a,
             0x0b);
}

static void test_malformed(void) {
  CHECK_BODY(VOID_TYPE, false, PG_MALFORMED, "illegal opcode", 0, 0xff,
             0x0b);
  /* memory.size with a non-zero reserved byte */
  CHECK_BODY(VOID_TYPE, true, PG_MALFORMED, "zero byte expected", 0, 0x3f, 1,
             0x1a, 0x0b);
  /* a type error first, then an unknown opcode: malformed wins */
  CHECK_BODY(VOID_TYPE, false, PG_MALFORMED, "illegal opcode", 0, 0x42, 1,
             0x6a, 0xff, 0x0b);
}

static void test_error_names_function(void) {
  CHECK_BODY(VOID_TYPE, false, PG_INVALID, "function 0 at offset", 0, 0x41, 0,
             0x0b);
}

/* 100000 nested blocks: no recursion, no overflow. */
static void test_deep_nesting(void) {
  enum { DEPTH = 100000 };
  size_t body_len = 1 + 2 * DEPTH + DEPTH + 1;
  uint8_t *bytes = malloc(body_len + 64);
  ASSERT_TRUE(bytes != NULL);
  size_t n = 0;
  static const uint8_t head[] = {0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
                                 0x01, 4, 1, 0x60, 0, 0,
                                 0x03, 2, 1, 0};
  memcpy(bytes, head, sizeof head);
  n = sizeof head;
  /* code section: size = 1 (count) + LEB(body_len) (3 bytes) + body_len */
  bytes[n++] = 0x0a;
  size_t sec = 1 + 3 + body_len;
  bytes[n++] = (uint8_t)(0x80 | (sec & 0x7f));
  bytes[n++] = (uint8_t)(0x80 | ((sec >> 7) & 0x7f));
  bytes[n++] = (uint8_t)(sec >> 14);
  bytes[n++] = 1;
  bytes[n++] = (uint8_t)(0x80 | (body_len & 0x7f));
  bytes[n++] = (uint8_t)(0x80 | ((body_len >> 7) & 0x7f));
  bytes[n++] = (uint8_t)(body_len >> 14);
  bytes[n++] = 0; /* no locals */
  for (int i = 0; i < DEPTH; i++) {
    bytes[n++] = 0x02;
    bytes[n++] = 0x40;
  }
  for (int i = 0; i <= DEPTH; i++) bytes[n++] = 0x0b;
  pg_module *m = NULL;
  char err[256] = "";
  pg_status st = pg_module_new(&m, bytes, n, err, sizeof err);
  free(bytes);
  pg_module_free(m);
  if (st != PG_OK) fprintf(stderr, "  %s\n", err);
  ASSERT_EQ(st, PG_OK);
}

int main(void) {
  PG_RUN(test_valid_bodies);
  PG_RUN(test_type_mismatch);
  PG_RUN(test_unknown_indices);
  PG_RUN(test_alignment);
  PG_RUN(test_malformed);
  PG_RUN(test_error_names_function);
  PG_RUN(test_deep_nesting);
  return PG_DONE();
}
