/*
 * wire.h: the protobuf wire-format runtime shared by every file that
 * protoc-gen-parigot generates (see docs/codegen.md).
 *
 * It holds: the decode/encode status codes, the arena that decoded strings,
 * bytes, arrays and sub-messages live in, the string/bytes types of
 * generated structs, and the small readers and writers (varint, zigzag,
 * fixed, length-delimited) the generated code is made of. The hot readers
 * and writers are static inline so generated code compiles to straight-line
 * loads and stores; the cold paths live in sdk/wire.c.
 *
 * Built for the guest (wasm32-wasi) and natively (tests, benchmarks); it
 * uses no malloc and no libc beyond memcpy/memset/strlen.
 */
#ifndef PARIGOT_WIRE_H
#define PARIGOT_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------
 * Status codes of decode and encode: the single table. XX(NAME, message)
 */
#define PG_WIRE_STATUS_MAP(XX)                                                \
  XX(OK, "ok")                                                                \
  XX(TRUNCATED, "input ends inside a field")                                  \
  XX(VARINT_TOO_LONG, "varint longer than 10 bytes or above 64 bits")         \
  XX(BAD_LENGTH, "length runs past the end of its message")                   \
  XX(BAD_WIRE_TYPE, "wire type is invalid or wrong for the field")            \
  XX(BAD_FIELD_NUMBER, "field number 0 or above 2^29-1")                      \
  XX(TOO_DEEP, "messages nested deeper than the limit")                       \
  XX(ARENA_FULL, "arena too small for the decoded message")                   \
  XX(BAD_UTF8, "string field is not valid UTF-8")                             \
  XX(BUFFER_TOO_SMALL, "output buffer smaller than the encoded size")

typedef enum pg_wire_status {
#define PG_WIRE_ENUM_(name, msg) PG_WIRE_##name,
  PG_WIRE_STATUS_MAP(PG_WIRE_ENUM_)
#undef PG_WIRE_ENUM_
  PG_WIRE_STATUS_COUNT_
} pg_wire_status;

/* A static string describing `s` (never NULL). */
const char *pg_wire_status_str(pg_wire_status s);

/* Messages nested deeper than this fail to decode with PG_WIRE_TOO_DEEP
 * (protobuf's own default recursion limit). */
#define PG_WIRE_MAX_DEPTH 100

/* Wire types (the low 3 bits of a tag). Groups (3, 4) are proto2-only and
 * are rejected with PG_WIRE_BAD_WIRE_TYPE. */
enum {
  PG_WT_VARINT = 0,
  PG_WT_FIXED64 = 1,
  PG_WT_LEN = 2,
  PG_WT_FIXED32 = 5,
};

/* ---------------------------------------------------------------------------
 * Arena: a bump allocator over caller-supplied storage. Everything a decode
 * produces (strings, bytes, repeated arrays, sub-messages) is carved out of
 * it, so a decoded message is freed by resetting or dropping the arena.
 */
typedef struct pg_arena {
  uint8_t *base; /* borrowed storage of `cap` bytes, owned by the caller */
  size_t cap;
  size_t used; /* bytes handed out (including alignment padding); <= cap */
} pg_arena;

/* storage: borrowed for as long as the arena and what it hands out live. */
static inline void pg_arena_init(pg_arena *arena, void *storage, size_t cap) {
  arena->base = (uint8_t *)storage;
  arena->cap = storage ? cap : 0;
  arena->used = 0;
}

/* Forgets every allocation; the storage is reused from the start. */
static inline void pg_arena_reset(pg_arena *arena) { arena->used = 0; }

/* `size` bytes aligned to `align` (a power of two), not zeroed; NULL when
 * the arena is full. Never NULL for size 0 while the arena has storage. */
static inline void *pg_arena_alloc(pg_arena *arena, size_t size, size_t align) {
  uintptr_t at = (uintptr_t)arena->base + arena->used;
  size_t pad = (size_t)(-at & (uintptr_t)(align - 1));
  size_t left = arena->cap - arena->used;
  if (!arena->base || pad > left || size > left - pad)
    return NULL;
  arena->used += pad + size;
  return arena->base + (arena->used - size);
}

/* As pg_arena_alloc, zero-filled. */
void *pg_arena_zalloc(pg_arena *arena, size_t size, size_t align);

/* ---------------------------------------------------------------------------
 * The string and bytes types of generated structs. Encode reads `len`
 * bytes from `data` (data may be NULL when len is 0). Decoded strings are
 * valid UTF-8, live in the arena and are NUL-terminated (data[len] == 0)
 * for convenience; decoded bytes are not terminated and are NULL when empty.
 */
typedef struct pg_string {
  const char *data;
  size_t len;
} pg_string;

typedef struct pg_bytes {
  const uint8_t *data;
  size_t len;
} pg_bytes;

/* A pg_string viewing the C string `s` (borrowed; NULL gives ""). */
static inline pg_string pg_str(const char *s) {
  pg_string out = {s ? s : "", s ? strlen(s) : 0};
  return out;
}

/* ---------------------------------------------------------------------------
 * Decoding. Every reader takes the position `p` and the end of the current
 * message, and returns the position after what it read, or NULL after
 * recording the status and the position of the failure in the pg_reader.
 * No reader touches a byte at or past `end`.
 */
typedef struct pg_reader {
  pg_arena *arena;      /* borrowed: receives everything decoded */
  const uint8_t *start; /* first byte of the whole input (error offsets) */
  const uint8_t *err_at; /* where the first error was found */
  pg_wire_status status; /* PG_WIRE_OK until a reader fails */
  int max_depth;
} pg_reader;

static inline void pg_reader_init(pg_reader *r, const uint8_t *start,
                                  pg_arena *arena) {
  r->arena = arena;
  r->start = start;
  r->err_at = start;
  r->status = PG_WIRE_OK;
  r->max_depth = PG_WIRE_MAX_DEPTH;
}

/* Records a failure at `at` and returns NULL (for `return pg_wire_fail(..)`). */
const uint8_t *pg_wire_fail(pg_reader *r, const uint8_t *at, pg_wire_status s);

const uint8_t *pg_wire__read_varint_slow(pg_reader *r, const uint8_t *p,
                                          const uint8_t *end, uint64_t *out);

static inline const uint8_t *pg_wire_read_varint(pg_reader *r,
                                                 const uint8_t *p,
                                                 const uint8_t *end,
                                                 uint64_t *out) {
  if (p < end && *p < 0x80) {
    *out = *p;
    return p + 1;
  }
  if (end - p >= 2 && p[1] < 0x80) {
    *out = (uint64_t)(p[0] & 0x7f) | ((uint64_t)p[1] << 7);
    return p + 2;
  }
  return pg_wire__read_varint_slow(r, p, end, out);
}

/* A tag: field number << 3 | wire type, field number in [1, 2^29-1]. */
static inline const uint8_t *pg_wire_read_tag(pg_reader *r, const uint8_t *p,
                                              const uint8_t *end,
                                              uint32_t *tag) {
  uint64_t v;
  const uint8_t *q = pg_wire_read_varint(r, p, end, &v);
  if (!q)
    return NULL;
  if (v < 8 || v > UINT32_MAX)
    return pg_wire_fail(r, p, PG_WIRE_BAD_FIELD_NUMBER);
  *tag = (uint32_t)v;
  return q;
}

static inline const uint8_t *pg_wire_read_fixed32(pg_reader *r,
                                                  const uint8_t *p,
                                                  const uint8_t *end,
                                                  uint32_t *out) {
  if (end - p < 4)
    return pg_wire_fail(r, p, PG_WIRE_TRUNCATED);
  *out = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
  return p + 4;
}

static inline const uint8_t *pg_wire_read_fixed64(pg_reader *r,
                                                  const uint8_t *p,
                                                  const uint8_t *end,
                                                  uint64_t *out) {
  uint32_t lo, hi;
  if (end - p < 8)
    return pg_wire_fail(r, p, PG_WIRE_TRUNCATED);
  pg_wire_read_fixed32(r, p, end, &lo);
  pg_wire_read_fixed32(r, p + 4, end, &hi);
  *out = (uint64_t)hi << 32 | lo;
  return p + 8;
}

/* The length prefix of a length-delimited field; fails with BAD_LENGTH when
 * the payload would run past `end`. */
static inline const uint8_t *pg_wire_read_len(pg_reader *r, const uint8_t *p,
                                              const uint8_t *end,
                                              size_t *len) {
  uint64_t v;
  const uint8_t *q = pg_wire_read_varint(r, p, end, &v);
  if (!q)
    return NULL;
  if (v > (uint64_t)(end - q))
    return pg_wire_fail(r, p, PG_WIRE_BAD_LENGTH);
  *len = (size_t)v;
  return q;
}

/* A `string` field: checked UTF-8, copied into the arena, NUL-terminated. */
const uint8_t *pg_wire_read_string(pg_reader *r, const uint8_t *p,
                                   const uint8_t *end, pg_string *out);
/* A `bytes` field, copied into the arena. */
const uint8_t *pg_wire_read_bytes(pg_reader *r, const uint8_t *p,
                                  const uint8_t *end, pg_bytes *out);
/* Skips the value of an unknown field with tag `tag`. */
const uint8_t *pg_wire_skip(pg_reader *r, const uint8_t *p, const uint8_t *end,
                            uint32_t tag);

/* Repeated fields are allocated once, at their final size: before decoding
 * a message, generated code counts the elements of each repeated field in
 * one pass over the message's tags (sub-messages are skipped, not entered).
 * How a field's elements are counted: */
typedef enum pg_wire_count_kind {
  PG_COUNT_EACH,    /* one element per occurrence (strings, messages, ...) */
  PG_COUNT_VARINTS, /* packable varint: a LEN occurrence holds many */
  PG_COUNT_FIXED32, /* packable 4-byte scalar */
  PG_COUNT_FIXED64, /* packable 8-byte scalar */
} pg_wire_count_kind;

typedef struct pg_wire_counted {
  uint32_t number; /* field number */
  pg_wire_count_kind kind;
} pg_wire_counted;

/* Adds to counts[i] the elements of fields[i] in [p, end); NULL on error. */
const uint8_t *pg_wire_count(pg_reader *r, const uint8_t *p,
                             const uint8_t *end, const pg_wire_counted *fields,
                             size_t n_fields, size_t *counts);

/* A fresh zeroed array for `n + extra` elements of `elem_size` bytes,
 * holding a copy of the `n` elements at `old` (borrowed; only a merged,
 * repeated occurrence of a message has some). NULL after ARENA_FULL. */
void *pg_wire_grow(pg_reader *r, const uint8_t *at, const void *old, size_t n,
                   size_t extra, size_t elem_size, size_t align);

/* The sub-message to decode into at nesting `depth`: `existing` when not
 * NULL (a repeated occurrence merges into it), else a fresh zeroed one.
 * NULL after TOO_DEEP or ARENA_FULL. */
void *pg_wire_enter(pg_reader *r, const uint8_t *at, void *existing,
                    size_t size, size_t align, int depth);

/* Reports the status of a failed decode and its byte offset. */
pg_wire_status pg_reader_error(const pg_reader *r, size_t *err_offset);

/* ---------------------------------------------------------------------------
 * Encoding: generated code computes the exact size first, then writes
 * forward into a buffer known to be large enough, so the writers below do
 * no bounds checks of their own.
 */
static inline size_t pg_wire_varint_size(uint64_t v) {
  /* 1 + floor(log2(v|1)) / 7, without a loop or a division */
  int bits = 64 - __builtin_clzll(v | 1);
  return (size_t)((bits * 9 + 64) / 64);
}

/* Size of an int32/enum varint: negative values take 10 bytes. */
static inline size_t pg_wire_int32_size(int32_t v) {
  return pg_wire_varint_size((uint64_t)(int64_t)v);
}

static inline uint8_t *pg_wire_write_varint(uint8_t *p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  *p++ = (uint8_t)v;
  return p;
}

static inline uint8_t *pg_wire_write_fixed32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
  return p + 4;
}

static inline uint8_t *pg_wire_write_fixed64(uint8_t *p, uint64_t v) {
  p = pg_wire_write_fixed32(p, (uint32_t)v);
  return pg_wire_write_fixed32(p, (uint32_t)(v >> 32));
}

/* A length prefix and `len` bytes (data borrowed; may be NULL if len 0). */
static inline uint8_t *pg_wire_write_len_bytes(uint8_t *p, const void *data,
                                               size_t len) {
  p = pg_wire_write_varint(p, len);
  if (len)
    memcpy(p, data, len);
  return p + len;
}

/* Size of a length-delimited payload of `len` bytes with its prefix. */
static inline size_t pg_wire_len_size(size_t len) {
  return pg_wire_varint_size(len) + len;
}

static inline uint32_t pg_wire_zigzag32(int32_t v) {
  return ((uint32_t)v << 1) ^ (uint32_t)(v >> 31);
}
static inline uint64_t pg_wire_zigzag64(int64_t v) {
  return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}
static inline int32_t pg_wire_unzigzag32(uint32_t v) {
  return (int32_t)((v >> 1) ^ (0u - (v & 1)));
}
static inline int64_t pg_wire_unzigzag64(uint64_t v) {
  return (int64_t)((v >> 1) ^ (0ull - (v & 1)));
}

static inline uint32_t pg_wire_float_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}
static inline uint64_t pg_wire_double_bits(double d) {
  uint64_t u;
  memcpy(&u, &d, 8);
  return u;
}
static inline float pg_wire_bits_float(uint32_t u) {
  float f;
  memcpy(&f, &u, 4);
  return f;
}
static inline double pg_wire_bits_double(uint64_t u) {
  double d;
  memcpy(&d, &u, 8);
  return d;
}

/* ---------------------------------------------------------------------------
 * A message type, generated once per message (NAME_type), so that generic
 * code (client stubs, server dispatch, fuzzers) can encode and decode any
 * message without knowing its C type.
 */
typedef struct pg_message_type {
  const char *full_name; /* "pkg.Message" */
  size_t size;           /* sizeof the C struct */
  size_t (*encoded_size)(const void *msg);
  /* writes exactly encoded_size(msg) bytes at out; returns the end */
  uint8_t *(*write)(const void *msg, uint8_t *out);
  pg_wire_status (*decode)(void *msg, const uint8_t *data, size_t len,
                           pg_arena *arena, size_t *err_offset);
} pg_message_type;

/* Encodes `msg` (borrowed) into fresh arena space; *out (valid as long as
 * the arena) and *out_len are written on success only. */
pg_wire_status pg_message_encode_arena(const pg_message_type *type,
                                       const void *msg, pg_arena *arena,
                                       const uint8_t **out, size_t *out_len);

/* Checks that [data, data+len) is valid UTF-8 (no overlongs, surrogates or
 * code points above U+10FFFF), as protobuf requires of `string` fields. */
bool pg_wire_utf8_valid(const uint8_t *data, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* PARIGOT_WIRE_H */
