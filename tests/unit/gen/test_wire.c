/*
 * test_wire.c: the SDK's wire runtime on its own: varints at every length
 * boundary, zigzag, fixed, UTF-8 validation, the arena, skipping fields,
 * the count pre-pass, and the status/code tables.
 */
#include <stdint.h>

#include "parigot/call.h"
#include "parigot/wire.h"
#include "pg_test.h"

static uint8_t storage[4096];

static pg_reader reader_over(const uint8_t *data, pg_arena *arena) {
  pg_reader r;
  pg_reader_init(&r, data, arena);
  return r;
}

static void test_varint_round_trip(void) {
  static const uint64_t values[] = {
      0, 1, 127, 128, 16383, 16384, 2097151, 2097152, UINT32_MAX,
      (uint64_t)INT32_MAX + 1, (1ull << 56) - 1, 1ull << 56, (1ull << 63) - 1,
      1ull << 63, UINT64_MAX};
  for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
    uint8_t buf[16];
    uint8_t *end = pg_wire_write_varint(buf, values[i]);
    ASSERT_EQ(end - buf, pg_wire_varint_size(values[i]));
    pg_reader r = reader_over(buf, NULL);
    uint64_t back = 0;
    const uint8_t *p = pg_wire_read_varint(&r, buf, end, &back);
    ASSERT_TRUE(p == end);
    ASSERT_U64_EQ(back, values[i]);
  }
  ASSERT_EQ(pg_wire_varint_size(UINT64_MAX), 10);
  ASSERT_EQ(pg_wire_int32_size(-1), 10);
  ASSERT_EQ(pg_wire_int32_size(INT32_MIN), 10);
  ASSERT_EQ(pg_wire_int32_size(INT32_MAX), 5);
}

static void test_varint_errors(void) {
  uint8_t truncated[] = {0x80, 0x80};
  pg_reader r = reader_over(truncated, NULL);
  uint64_t v;
  ASSERT_TRUE(!pg_wire_read_varint(&r, truncated, truncated + 2, &v));
  ASSERT_EQ(r.status, PG_WIRE_TRUNCATED);
  uint8_t eleven[11];
  memset(eleven, 0xff, 10);
  eleven[10] = 0x01;
  r = reader_over(eleven, NULL);
  ASSERT_TRUE(!pg_wire_read_varint(&r, eleven, eleven + 11, &v));
  ASSERT_EQ(r.status, PG_WIRE_VARINT_TOO_LONG);
  uint8_t above64[10];
  memset(above64, 0xff, 9);
  above64[9] = 0x02; /* bit 64 */
  r = reader_over(above64, NULL);
  ASSERT_TRUE(!pg_wire_read_varint(&r, above64, above64 + 10, &v));
  ASSERT_EQ(r.status, PG_WIRE_VARINT_TOO_LONG);
  r = reader_over(truncated, NULL);
  ASSERT_TRUE(!pg_wire_read_varint(&r, truncated, truncated, &v)); /* empty */
  ASSERT_EQ(r.status, PG_WIRE_TRUNCATED);
}

static void test_tag_errors(void) {
  uint8_t zero[] = {0x02}; /* field 0, LEN */
  pg_reader r = reader_over(zero, NULL);
  uint32_t tag;
  ASSERT_TRUE(!pg_wire_read_tag(&r, zero, zero + 1, &tag));
  ASSERT_EQ(r.status, PG_WIRE_BAD_FIELD_NUMBER);
  uint8_t huge[] = {0xf8, 0xff, 0xff, 0xff, 0x1f}; /* field 2^32-1 >> 3 .. */
  r = reader_over(huge, NULL);
  ASSERT_TRUE(!pg_wire_read_tag(&r, huge, huge + 5, &tag));
  ASSERT_EQ(r.status, PG_WIRE_BAD_FIELD_NUMBER);
  uint8_t max[] = {0xf8, 0xff, 0xff, 0xff, 0x0f}; /* field 2^29-1, varint */
  r = reader_over(max, NULL);
  ASSERT_TRUE(pg_wire_read_tag(&r, max, max + 5, &tag) == max + 5);
  ASSERT_EQ(tag >> 3, 536870911);
}

static void test_zigzag_and_fixed(void) {
  ASSERT_EQ(pg_wire_zigzag32(0), 0);
  ASSERT_EQ(pg_wire_zigzag32(-1), 1);
  ASSERT_EQ(pg_wire_zigzag32(1), 2);
  ASSERT_EQ(pg_wire_zigzag32(-2), 3);
  ASSERT_U64_EQ(pg_wire_zigzag32(INT32_MIN), UINT32_MAX);
  ASSERT_U64_EQ(pg_wire_zigzag32(INT32_MAX), UINT32_MAX - 1);
  ASSERT_U64_EQ(pg_wire_zigzag64(INT64_MIN), UINT64_MAX);
  ASSERT_EQ(pg_wire_unzigzag32(UINT32_MAX), INT32_MIN);
  ASSERT_EQ(pg_wire_unzigzag64(UINT64_MAX), INT64_MIN);
  ASSERT_EQ(pg_wire_unzigzag64(pg_wire_zigzag64(INT64_MAX)), INT64_MAX);
  uint8_t buf[8];
  pg_wire_write_fixed64(buf, 0x0102030405060708ull);
  ASSERT_EQ(buf[0], 0x08);
  ASSERT_EQ(buf[7], 0x01);
  pg_reader r = reader_over(buf, NULL);
  uint64_t v;
  ASSERT_TRUE(pg_wire_read_fixed64(&r, buf, buf + 8, &v) == buf + 8);
  ASSERT_U64_EQ(v, 0x0102030405060708ull);
  uint32_t w;
  ASSERT_TRUE(!pg_wire_read_fixed32(&r, buf, buf + 3, &w));
  ASSERT_EQ(r.status, PG_WIRE_TRUNCATED);
}

static void test_utf8(void) {
  static const char *valid[] = {"", "plain ascii text, longer than eight",
                                "caf\xc3\xa9", "\xe2\x82\xac euro",
                                "\xf0\x9f\x98\x80 emoji", "\xef\xbf\xbf",
                                "\xf4\x8f\xbf\xbf"};
  for (size_t i = 0; i < sizeof valid / sizeof *valid; i++)
    ASSERT_TRUE(pg_wire_utf8_valid((const uint8_t *)valid[i], strlen(valid[i])));
  static const char *invalid[] = {
      "\x80",             /* lone continuation */
      "\xc0\x80",         /* overlong NUL */
      "\xc1\xbf",         /* overlong */
      "\xe0\x80\x80",     /* overlong 3-byte */
      "\xed\xa0\x80",     /* surrogate U+D800 */
      "\xf0\x80\x80\x80", /* overlong 4-byte */
      "\xf4\x90\x80\x80", /* above U+10FFFF */
      "\xff",             /* never valid */
      "abcdefgh\xc3",     /* truncated after an ASCII run */
      "\xe2\x82",         /* truncated */
      "\xe2\x28\xa1",     /* bad continuation */
  };
  for (size_t i = 0; i < sizeof invalid / sizeof *invalid; i++)
    if (pg_wire_utf8_valid((const uint8_t *)invalid[i], strlen(invalid[i])))
      PG_FAIL_("invalid UTF-8 #%zu accepted", i);
}

static void test_arena(void) {
  pg_arena a;
  pg_arena_init(&a, storage, 64);
  uint8_t *one = pg_arena_alloc(&a, 1, 1);
  ASSERT_TRUE(one == storage);
  uint64_t *eight = pg_arena_alloc(&a, 8, 8);
  ASSERT_TRUE(eight != NULL);
  ASSERT_EQ((uintptr_t)eight % 8, 0);
  ASSERT_TRUE(pg_arena_alloc(&a, 64, 1) == NULL); /* does not fit */
  ASSERT_TRUE(pg_arena_alloc(&a, SIZE_MAX, 1) == NULL);
  size_t before = a.used;
  ASSERT_TRUE(pg_arena_alloc(&a, 64 - before, 1) != NULL); /* exactly fits */
  ASSERT_EQ(a.used, 64);
  ASSERT_TRUE(pg_arena_alloc(&a, 1, 1) == NULL);
  pg_arena_reset(&a);
  ASSERT_EQ(a.used, 0);
  uint8_t *z = pg_arena_zalloc(&a, 16, 1);
  ASSERT_TRUE(z != NULL);
  ASSERT_EQ(z[15], 0);
  pg_arena empty;
  pg_arena_init(&empty, NULL, 100);
  ASSERT_TRUE(pg_arena_alloc(&empty, 0, 1) == NULL);
}

static void test_skip(void) {
  /* varint, fixed64, LEN(2), fixed32, then a group start */
  static const uint8_t data[] = {0x08, 0x96, 0x01, 0x11, 1, 2, 3, 4, 5, 6, 7,
                                 8,    0x1a, 0x02, 'h', 'i', 0x25, 1, 2, 3, 4,
                                 0x2b};
  pg_reader r = reader_over(data, NULL);
  const uint8_t *p = data, *end = data + sizeof data;
  for (int i = 0; i < 4; i++) {
    uint32_t tag;
    p = pg_wire_read_tag(&r, p, end, &tag);
    ASSERT_TRUE(p != NULL);
    p = pg_wire_skip(&r, p, end, tag);
    ASSERT_TRUE(p != NULL);
  }
  uint32_t tag;
  p = pg_wire_read_tag(&r, p, end, &tag);
  ASSERT_TRUE(p != NULL);
  ASSERT_TRUE(!pg_wire_skip(&r, p, end, tag));
  ASSERT_EQ(r.status, PG_WIRE_BAD_WIRE_TYPE);
  size_t off;
  ASSERT_EQ(pg_reader_error(&r, &off), PG_WIRE_BAD_WIRE_TYPE);
  ASSERT_EQ(off, sizeof data);
  static const uint8_t past[] = {0x1a, 0x05, 'h', 'i'};
  r = reader_over(past, NULL);
  ASSERT_TRUE(!pg_wire_skip(&r, past + 1, past + 4, 0x1a));
  ASSERT_EQ(r.status, PG_WIRE_BAD_LENGTH);
}

static void test_count(void) {
  /* field 1 packed varints (3 values), field 1 unpacked (1), field 2 twice,
   * field 3 packed fixed32 (2 values), an unknown field 9 */
  static const uint8_t data[] = {0x0a, 0x04, 0x01, 0x96, 0x01, 0x7f, 0x08,
                                 0x05, 0x12, 0x00, 0x12, 0x01, 'x',  0x1a,
                                 0x08, 1,    2,    3,    4,    5,    6,
                                 7,    8,    0x48, 0x01};
  static const pg_wire_counted fields[] = {
      {1, PG_COUNT_VARINTS}, {2, PG_COUNT_EACH}, {3, PG_COUNT_FIXED32}};
  size_t counts[3] = {0};
  pg_reader r = reader_over(data, NULL);
  ASSERT_TRUE(pg_wire_count(&r, data, data + sizeof data, fields, 3, counts) ==
              data + sizeof data);
  ASSERT_EQ(counts[0], 4);
  ASSERT_EQ(counts[1], 2);
  ASSERT_EQ(counts[2], 2);
}

static void test_tables(void) {
  ASSERT_STR_EQ(pg_wire_status_str(PG_WIRE_OK), "ok");
  ASSERT_STR_EQ(pg_wire_status_str(PG_WIRE_BAD_UTF8),
                "string field is not valid UTF-8");
  ASSERT_STR_EQ(pg_wire_status_str((pg_wire_status)99), "unknown wire status");
  ASSERT_EQ(PG_CODE_UNIMPLEMENTED, 12);
  ASSERT_EQ(PG_CODE_UNAVAILABLE, 14);
  ASSERT_STR_EQ(pg_code_name(PG_CODE_INVALID_ARGUMENT), "INVALID_ARGUMENT");
  ASSERT_STR_EQ(pg_code_name(16), "UNAUTHENTICATED");
  ASSERT_STR_EQ(pg_code_name(17), "?");
  ASSERT_STR_EQ(pg_code_str(PG_CODE_DEADLINE_EXCEEDED), "deadline exceeded");
}

int main(void) {
  PG_RUN(test_varint_round_trip);
  PG_RUN(test_varint_errors);
  PG_RUN(test_tag_errors);
  PG_RUN(test_zigzag_and_fixed);
  PG_RUN(test_utf8);
  PG_RUN(test_arena);
  PG_RUN(test_skip);
  PG_RUN(test_count);
  PG_RUN(test_tables);
  return PG_DONE();
}
