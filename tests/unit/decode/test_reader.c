/*
 * test_reader.c: reader.h's LEB128 and fixed-width reads at their limits
 * (the cases of binary-leb128.wast, in isolation): maximal lengths, unused
 * bits that must be zero or copies of the sign, truncation, and that a
 * failed read names its reason and never moves past the end.
 */
#include "pg_test.h"
#include "reader.h"

typedef struct leb_case {
  const char *bytes;
  size_t len;
  unsigned bits;
  bool is_signed;
  const char *error; /* NULL: must succeed with `value` */
  uint64_t value;
} leb_case;

#define LEB(bytes, bits, sgn, err, val) {bytes, sizeof(bytes) - 1, bits, sgn, err, val}
#define TOO_LONG "integer representation too long"
#define TOO_LARGE "integer too large"
#define END "unexpected end"

static const leb_case cases[] = {
    LEB("\x00", 32, false, NULL, 0),
    LEB("\x7f", 32, false, NULL, 127),
    LEB("\x80\x01", 32, false, NULL, 128),
    LEB("\x80\x80\x80\x80\x00", 32, false, NULL, 0), /* non-minimal is fine */
    LEB("\xff\xff\xff\xff\x0f", 32, false, NULL, 0xffffffffu),
    LEB("\xff\xff\xff\xff\x1f", 32, false, TOO_LARGE, 0),
    LEB("\x82\x80\x80\x80\x70", 32, false, TOO_LARGE, 0),
    LEB("\x80\x80\x80\x80\x80\x00", 32, false, TOO_LONG, 0),
    LEB("\x80\x80", 32, false, END, 0),
    LEB("", 32, false, END, 0),
    LEB("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 64, false, NULL,
        UINT64_MAX),
    LEB("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", 64, false, TOO_LARGE, 0),
    LEB("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x00", 64, false, TOO_LONG,
        0),
    LEB("\x7f", 32, true, NULL, (uint64_t)-1),
    LEB("\x40", 32, true, NULL, (uint64_t)-64),
    LEB("\x3f", 32, true, NULL, 63),
    LEB("\xff\xff\xff\xff\x7f", 32, true, NULL, (uint64_t)-1),
    LEB("\x80\x80\x80\x80\x78", 32, true, NULL, (uint64_t)(int64_t)INT32_MIN),
    LEB("\xff\xff\xff\xff\x07", 32, true, NULL, INT32_MAX),
    LEB("\x80\x80\x80\x80\x70", 32, true, TOO_LARGE, 0),
    LEB("\xff\xff\xff\xff\x0f", 32, true, TOO_LARGE, 0),
    LEB("\xff\xff\xff\xff\x4f", 32, true, TOO_LARGE, 0),
    LEB("\xff\xff\xff\xff\xff\x7f", 32, true, TOO_LONG, 0),
    LEB("\xff\xff\xff\xff\x7f", 33, true, NULL, (uint64_t)-1),
    LEB("\x80\x80\x80\x80\x70", 33, true, NULL, (uint64_t)-(1ll << 32)),
    LEB("\xff\xff\xff\xff\x1f", 33, true, TOO_LARGE, 0),
    LEB("\xff\xff\xff\xff\x0f", 33, true, NULL, 0xffffffffu),
    LEB("\xff\xff\xff\xff\x2f", 33, true, TOO_LARGE, 0),
    LEB("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 64, true, NULL,
        (uint64_t)-1),
    LEB("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x7f", 64, true, NULL,
        (uint64_t)INT64_MIN),
    LEB("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x00", 64, true, NULL,
        INT64_MAX),
    LEB("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x41", 64, true, TOO_LARGE, 0),
    LEB("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 64, true, TOO_LARGE, 0),
    LEB("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 64, true, TOO_LONG,
        0),
};

static void check_case(size_t i) {
  const leb_case *c = &cases[i];
  pg_reader r;
  const uint8_t *b = (const uint8_t *)c->bytes;
  pg_reader_init(&r, b, b, b + c->len);
  uint64_t u = 0;
  int64_t s = 0;
  bool ok = c->is_signed ? pg_read_sleb(&r, c->bits, &s)
                         : pg_read_uleb(&r, c->bits, &u);
  uint64_t got = c->is_signed ? (uint64_t)s : u;
  if (c->error) {
    if (ok || !r.error || strcmp(r.error, c->error) != 0)
      fprintf(stderr, "  case %zu: want \"%s\", got %s\n", i, c->error,
              ok ? "success" : r.error);
    ASSERT_TRUE(!ok);
    ASSERT_STR_EQ(r.error, c->error);
  } else {
    if (!ok) fprintf(stderr, "  case %zu: %s\n", i, r.error);
    ASSERT_TRUE(ok);
    ASSERT_U64_EQ(got, c->value);
    ASSERT_EQ(pg_reader_left(&r), 0);
  }
  ASSERT_TRUE(r.p <= r.end);
}

static void test_leb_cases(void) {
  int failed = 0;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    pg_test_failed_ = 0;
    check_case(i);
    failed |= pg_test_failed_;
  }
  pg_test_failed_ = failed;
}

static void test_fixed_and_bytes(void) {
  static const uint8_t b[] = {0x00, 0x00, 0xc0, 0x7f, 0x01, 0x02, 0x03};
  pg_reader r;
  pg_reader_init(&r, b, b, b + sizeof b);
  uint32_t f;
  ASSERT_TRUE(pg_read_fixed32(&r, &f));
  ASSERT_EQ(f, 0x7fc00000u);
  ASSERT_EQ(pg_reader_offset(&r), 4);
  uint64_t d;
  ASSERT_TRUE(!pg_read_fixed64(&r, &d)); /* only 3 bytes left */
  ASSERT_STR_EQ(r.error, "unexpected end");
  const uint8_t *p;
  pg_reader_init(&r, b, b + 4, b + sizeof b);
  ASSERT_TRUE(!pg_read_bytes(&r, 4, &p));
  ASSERT_EQ(pg_reader_offset(&r), 4); /* a failed read does not move */
  ASSERT_TRUE(pg_read_bytes(&r, 3, &p));
  ASSERT_EQ(p[2], 0x03);
  uint8_t byte;
  ASSERT_TRUE(!pg_read_u8(&r, &byte));
}

static void test_u32_s32_wrappers(void) {
  static const uint8_t b[] = {0xff, 0xff, 0xff, 0xff, 0x0f,
                              0x80, 0x80, 0x80, 0x80, 0x78};
  pg_reader r;
  pg_reader_init(&r, b, b, b + sizeof b);
  uint32_t u;
  int32_t s;
  ASSERT_TRUE(pg_read_u32(&r, &u));
  ASSERT_EQ(u, 0xffffffffu);
  ASSERT_TRUE(pg_read_s32(&r, &s));
  ASSERT_EQ(s, INT32_MIN);
}

int main(void) {
  PG_RUN(test_leb_cases);
  PG_RUN(test_fixed_and_bytes);
  PG_RUN(test_u32_s32_wrappers);
  return PG_DONE();
}
