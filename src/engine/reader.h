/*
 * reader.h: a bounds-checked cursor over WebAssembly binary bytes, shared by
 * the decoder (sections) and the compiler (function bodies).
 *
 * Every read checks the end first; on failure it returns false and leaves a
 * static reason in r->error ("unexpected end", "integer representation too
 * long", "integer too large"), so callers can report what went wrong and at
 * which offset (pg_reader_offset) without ever reading past the buffer.
 */
#ifndef PG_ENGINE_READER_H
#define PG_ENGINE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct pg_reader {
  const uint8_t *p;     /* next byte to read; start <= p <= end */
  const uint8_t *end;   /* one past the last readable byte */
  const uint8_t *start; /* the first byte of the module, for offsets */
  const char *error;    /* static reason of the last failure, or NULL */
} pg_reader;

static inline void pg_reader_init(pg_reader *r, const uint8_t *start,
                                  const uint8_t *p, const uint8_t *end) {
  r->start = start;
  r->p = p;
  r->end = end;
  r->error = NULL;
}

static inline size_t pg_reader_offset(const pg_reader *r) {
  return (size_t)(r->p - r->start);
}

static inline size_t pg_reader_left(const pg_reader *r) {
  return (size_t)(r->end - r->p);
}

static inline bool pg_reader_fail(pg_reader *r, const char *why) {
  r->error = why;
  return false;
}

static inline bool pg_read_u8(pg_reader *r, uint8_t *out) {
  if (r->p >= r->end) return pg_reader_fail(r, "unexpected end");
  *out = *r->p++;
  return true;
}

static inline bool pg_read_bytes(pg_reader *r, size_t n, const uint8_t **out) {
  if (pg_reader_left(r) < n) return pg_reader_fail(r, "unexpected end");
  *out = r->p;
  r->p += n;
  return true;
}

/* Unsigned LEB128 of at most `bits` bits (32 or 64). */
static inline bool pg_read_uleb(pg_reader *r, unsigned bits, uint64_t *out) {
  uint64_t result = 0;
  unsigned shift = 0;
  unsigned max_bytes = (bits + 6) / 7;
  for (unsigned i = 0;; i++) {
    uint8_t byte;
    if (!pg_read_u8(r, &byte)) return false;
    if (i == max_bytes - 1) {
      /* The last permitted byte: no continuation, and the bits beyond
       * `bits` must be zero. */
      if (byte & 0x80)
        return pg_reader_fail(r, "integer representation too long");
      unsigned used = bits - shift;
      if (used < 7 && (byte >> used) != 0)
        return pg_reader_fail(r, "integer too large");
      result |= (uint64_t)byte << shift;
      break;
    }
    result |= (uint64_t)(byte & 0x7F) << shift;
    if (!(byte & 0x80)) break;
    shift += 7;
  }
  *out = result;
  return true;
}

/* Signed LEB128 of at most `bits` bits (32, 33 or 64), sign-extended. */
static inline bool pg_read_sleb(pg_reader *r, unsigned bits, int64_t *out) {
  uint64_t result = 0;
  unsigned shift = 0;
  unsigned max_bytes = (bits + 6) / 7;
  uint8_t byte;
  for (unsigned i = 0;; i++) {
    if (!pg_read_u8(r, &byte)) return false;
    if (i == max_bytes - 1) {
      if (byte & 0x80)
        return pg_reader_fail(r, "integer representation too long");
      /* The unused high bits must all equal the sign bit. */
      unsigned used = bits - shift; /* value bits in this byte, 1..7 */
      if (used < 7) {
        int8_t rest = (int8_t)(byte << 1) >> used; /* bits 6..used-1 */
        if (rest != 0 && rest != -1)
          return pg_reader_fail(r, "integer too large");
      }
      result |= (uint64_t)(byte & 0x7F) << shift;
      shift += 7;
      break;
    }
    result |= (uint64_t)(byte & 0x7F) << shift;
    shift += 7;
    if (!(byte & 0x80)) break;
  }
  if (shift < 64 && (byte & 0x40)) result |= ~(uint64_t)0 << shift;
  *out = (int64_t)result;
  return true;
}

static inline bool pg_read_u32(pg_reader *r, uint32_t *out) {
  uint64_t v;
  if (!pg_read_uleb(r, 32, &v)) return false;
  *out = (uint32_t)v;
  return true;
}

static inline bool pg_read_s32(pg_reader *r, int32_t *out) {
  int64_t v;
  if (!pg_read_sleb(r, 32, &v)) return false;
  *out = (int32_t)v;
  return true;
}

static inline bool pg_read_s64(pg_reader *r, int64_t *out) {
  return pg_read_sleb(r, 64, out);
}

/* Little-endian fixed-width reads (float immediates, as bits). */
static inline bool pg_read_fixed32(pg_reader *r, uint32_t *out) {
  const uint8_t *b;
  if (!pg_read_bytes(r, 4, &b)) return false;
  *out = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
         (uint32_t)b[3] << 24;
  return true;
}

static inline bool pg_read_fixed64(pg_reader *r, uint64_t *out) {
  uint32_t lo, hi;
  if (!pg_read_fixed32(r, &lo) || !pg_read_fixed32(r, &hi)) return false;
  *out = (uint64_t)hi << 32 | lo;
  return true;
}

#endif /* PG_ENGINE_READER_H */
