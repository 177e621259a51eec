/*
 * interop.c: the C half of the interop test with the real protobuf tools
 * (interop.py drives it). For each named case it can
 *   encode CASE  write the generated encoding of the case's message to
 *                stdout (interop.py decodes it with `protoc --decode` and
 *                compares with cases/CASE.txt);
 *   check CASE   decode stdin (made by `protoc --encode` from
 *                cases/CASE.txt) with the generated decoder and compare
 *                the field values with the case's message.
 * Field values are compared by re-encoding both messages with the
 * generated encoder (deterministic, fields in number order) plus explicit
 * checks of the edge values; the encode direction is checked by protoc.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "everything.pg.h"

typedef struct interop_case {
  const char *name;
  const pg_message_type *type;
  void (*build)(void *msg); /* fills the case's message */
  int (*check)(const void *decoded); /* extra checks; 0 = fine */
} interop_case;

static pgtest_Scalars scalars_storage;
static pgtest_Everything_Inner inners[64];
static pgtest_Everything chain[64];
static char big_string[1 << 20];

static void build_min(void *msg) {
  pgtest_Everything *m = msg;
  pgtest_Scalars *s = &scalars_storage;
  s->i32 = INT32_MIN, s->i64 = INT64_MIN, s->u32 = 0, s->u64 = 0;
  s->s32 = INT32_MIN, s->s64 = INT64_MIN, s->f32 = 0, s->f64 = 0;
  s->sf32 = INT32_MIN, s->sf64 = INT64_MIN, s->b = false;
  s->fl = -INFINITY, s->db = NAN, s->color = pgtest_Color_COLOR_NEGATIVE;
  m->scalars = s;
}

static int check_min(const void *decoded) {
  const pgtest_Everything *m = decoded;
  return !(m->scalars && m->scalars->i64 == INT64_MIN &&
           m->scalars->s32 == INT32_MIN && isinf(m->scalars->fl) &&
           m->scalars->fl < 0 && isnan(m->scalars->db));
}

static void build_max(void *msg) {
  pgtest_Everything *m = msg;
  pgtest_Scalars *s = &scalars_storage;
  s->i32 = INT32_MAX, s->i64 = INT64_MAX, s->u32 = UINT32_MAX;
  s->u64 = UINT64_MAX, s->s32 = INT32_MAX, s->s64 = INT64_MAX;
  s->f32 = UINT32_MAX, s->f64 = UINT64_MAX, s->sf32 = INT32_MAX;
  s->sf64 = INT64_MAX, s->b = true, s->fl = 3.4028234663852886e38f;
  s->db = INFINITY, s->color = pgtest_Color_COLOR_GREEN;
  s->str = pg_str("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  static const uint8_t raw[] = {0x00, 0xff, 0x80, 0x0a};
  s->by.data = raw;
  s->by.len = sizeof raw;
  m->scalars = s;
}

static int check_max(const void *decoded) {
  const pgtest_Everything *m = decoded;
  return !(m->scalars && m->scalars->u64 == UINT64_MAX &&
           m->scalars->f64 == UINT64_MAX && m->scalars->by.len == 4 &&
           m->scalars->by.data[1] == 0xff &&
           strcmp(m->scalars->str.data, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") == 0);
}

/* scalars present but all default: an empty sub-message */
static void build_defaults(void *msg) {
  pgtest_Everything *m = msg;
  m->scalars = &scalars_storage;
  m->has_o_i32 = true; /* optional with its default: still on the wire */
  m->choice_case = pgtest_Everything_choice_c_i64; /* oneof with 0 too */
}

static void build_empty_repeated(void *msg) {
  static int32_t none[1];
  pgtest_Everything *m = msg;
  m->n_r_i32 = 0; /* an empty repeated field emits nothing */
  m->r_i32 = none;
}

static void build_repeated(void *msg) {
  static int32_t r_i32[] = {-1, INT32_MIN, 0, 150};
  static int64_t r_s64[] = {INT64_MIN, -1, INT64_MAX};
  static uint32_t r_f32[] = {0, UINT32_MAX};
  static double r_db[] = {-0.0, 1e-300, -INFINITY};
  static bool r_b[] = {true, false};
  static pgtest_Color r_color[] = {pgtest_Color_COLOR_NEGATIVE, pgtest_Color_COLOR_RED};
  static uint64_t r_u64[] = {UINT64_MAX, 1};
  static pg_string r_str[3];
  static pg_bytes r_by[2];
  static pgtest_Scalars r_msg[2];
  static float r_fl[] = {0.5f, -INFINITY};
  static int64_t r_sf64[] = {INT64_MIN, -2};
  pgtest_Everything *m = msg;
  r_str[0] = pg_str("");
  r_str[1] = pg_str("x");
  r_str[2] = pg_str("\"quoted\" \\ \n");
  r_by[1].data = (const uint8_t *)"\x01\x02";
  r_by[1].len = 2;
  r_msg[0].i32 = -7;
  r_msg[1].str = pg_str("second");
#define SET(f, arr) (m->n_##f = sizeof arr / sizeof *arr, m->f = arr)
  SET(r_i32, r_i32), SET(r_s64, r_s64), SET(r_f32, r_f32), SET(r_db, r_db);
  SET(r_b, r_b), SET(r_color, r_color), SET(r_u64_unpacked, r_u64);
  SET(r_str, r_str), SET(r_by, r_by), SET(r_msg, r_msg), SET(r_fl, r_fl);
  SET(r_sf64, r_sf64);
#undef SET
}

static void build_everything(void *msg) {
  static pgtest_Everything_MStrI32Entry m1 = {{"k", 1}, -3};
  static pgtest_Everything_MI64MsgEntry m2;
  static pgtest_Everything_MU32StrEntry m3;
  static pgtest_common_Stamp stamp = {1700000000, 5};
  static pgtest_common_Stamp stamps[2] = {{-1, 0}, {0, 0}};
  static int32_t values[] = {3, -3};
  pgtest_Everything *m = msg;
  build_repeated(msg);
  build_max(msg);
  inners[0].name = pg_str("outer");
  inners[0].child = &inners[1];
  inners[1].name = pg_str("inner");
  inners[1].n_values = 2;
  inners[1].values = values;
  inners[2].name = pg_str("value");
  inners[3].name = pg_str("chosen");
  m2.key = INT64_MIN;
  m2.value = &inners[2];
  m3.key = 7;
  m3.value = pg_str("seven");
  m->inner = &inners[0];
  m->choice_case = pgtest_Everything_choice_c_inner;
  m->c_inner = &inners[3];
  m->n_m_str_i32 = 1, m->m_str_i32 = &m1;
  m->n_m_i64_msg = 1, m->m_i64_msg = &m2;
  m->n_m_u32_str = 1, m->m_u32_str = &m3;
  m->has_o_i32 = true, m->o_i32 = -9;
  m->has_o_str = true, m->o_str = pg_str("");
  m->o_inner = &inners[4]; /* present and empty */
  m->has_o_db = true, m->o_db = -0.0;
  m->stamp = &stamp;
  m->n_stamps = 2, m->stamps = stamps;
  m->level = pgtest_common_Level_LEVEL_INFO;
  m->register_ = 99;
  m->field_2047 = INT64_MIN;
  m->big_number = -1;
}

static int check_everything(const void *decoded) {
  const pgtest_Everything *m = decoded;
  return !(m->choice_case == pgtest_Everything_choice_c_inner &&
           strcmp(m->c_inner->name.data, "chosen") == 0 &&
           m->m_i64_msg[0].key == INT64_MIN && m->has_o_str &&
           m->o_str.len == 0 && m->o_inner && m->big_number == -1 &&
           m->inner->child->values[1] == -3);
}

static void build_deep(void *msg) {
  pgtest_Everything *m = msg;
  m->recurse = &chain[0];
  for (int i = 0; i < 49; i++) /* 50 levels below the root */
    chain[i].recurse = &chain[i + 1];
  chain[49].big_number = 42;
}

static void build_big_string(void *msg) {
  pgtest_Everything *m = msg;
  for (size_t i = 0; i < sizeof big_string; i++)
    big_string[i] = (char)('a' + i % 26);
  scalars_storage.str.data = big_string;
  scalars_storage.str.len = sizeof big_string;
  m->scalars = &scalars_storage;
}

/* Scalars decoding what a newer peer (ScalarsV2) sent: known fields only */
static void build_unknown(void *msg) {
  pgtest_Scalars *s = msg;
  s->i32 = 5;
  s->str = pg_str("kept");
}

static const interop_case cases[] = {
    {"scalars_min", &pgtest_Everything_type, build_min, check_min},
    {"scalars_max", &pgtest_Everything_type, build_max, check_max},
    {"defaults", &pgtest_Everything_type, build_defaults, NULL},
    {"empty_repeated", &pgtest_Everything_type, build_empty_repeated, NULL},
    {"repeated", &pgtest_Everything_type, build_repeated, NULL},
    {"everything", &pgtest_Everything_type, build_everything, check_everything},
    {"deep", &pgtest_Everything_type, build_deep, NULL},
    {"big_string", &pgtest_Everything_type, build_big_string, NULL},
    {"unknown_fields", &pgtest_Scalars_type, build_unknown, NULL},
};

static _Alignas(16) uint8_t msg_mem[4096];
static _Alignas(16) uint8_t decoded_mem[4096];
static uint8_t arena_mem[8 << 20];
static uint8_t want_bytes[4 << 20], got_bytes[4 << 20], input[4 << 20];

static int encode_case(const interop_case *c) {
  c->build(msg_mem);
  size_t n = c->type->encoded_size(msg_mem);
  if (n > sizeof want_bytes)
    return 1;
  c->type->write(msg_mem, want_bytes);
  return fwrite(want_bytes, 1, n, stdout) == n ? 0 : 1;
}

static int check_case(const interop_case *c) {
  size_t len = fread(input, 1, sizeof input, stdin);
  pg_arena arena;
  pg_arena_init(&arena, arena_mem, sizeof arena_mem);
  size_t off = 0;
  pg_wire_status st = c->type->decode(decoded_mem, input, len, &arena, &off);
  if (st != PG_WIRE_OK) {
    fprintf(stderr, "%s: decode failed: %s at byte %zu\n", c->name,
            pg_wire_status_str(st), off);
    return 1;
  }
  c->build(msg_mem);
  size_t want = c->type->encoded_size(msg_mem);
  size_t got = c->type->encoded_size(decoded_mem);
  c->type->write(msg_mem, want_bytes);
  c->type->write(decoded_mem, got_bytes);
  if (want != got || memcmp(want_bytes, got_bytes, want) != 0) {
    size_t i = 0;
    while (i < want && i < got && want_bytes[i] == got_bytes[i])
      i++;
    fprintf(stderr, "%s: decoded values differ (re-encoded %zu vs %zu bytes, "
                    "first difference at byte %zu)\n", c->name, got, want, i);
    return 1;
  }
  if (c->check && c->check(decoded_mem)) {
    fprintf(stderr, "%s: an edge value did not survive\n", c->name);
    return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "list") == 0) {
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
      printf("%s %s\n", cases[i].name, cases[i].type->full_name);
    return 0;
  }
  if (argc != 3) {
    fprintf(stderr, "usage: %s list | encode CASE | check CASE\n", argv[0]);
    return 2;
  }
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    if (strcmp(cases[i].name, argv[2]) != 0)
      continue;
    if (strcmp(argv[1], "encode") == 0)
      return encode_case(&cases[i]);
    if (strcmp(argv[1], "check") == 0)
      return check_case(&cases[i]);
  }
  fprintf(stderr, "%s: unknown command or case\n", argv[0]);
  return 2;
}
