/*
 * wire.c: the cold half of the protobuf wire runtime (sdk/include/parigot/
 * wire.h): long varints, strings and bytes with their arena copies, UTF-8
 * validation, skipping unknown fields, the element-count pre-pass, and
 * error reporting. Generated code calls these; the hot readers and writers
 * are inline in the header.
 */
#include "parigot/wire.h"

static const char *const wire_status_messages[] = {
#define PG_WIRE_MSG_(name, msg) msg,
    PG_WIRE_STATUS_MAP(PG_WIRE_MSG_)
#undef PG_WIRE_MSG_
};

const char *pg_wire_status_str(pg_wire_status s) {
  if ((unsigned)s >= PG_WIRE_STATUS_COUNT_)
    return "unknown wire status";
  return wire_status_messages[s];
}

void *pg_arena_zalloc(pg_arena *arena, size_t size, size_t align) {
  void *p = pg_arena_alloc(arena, size, align);
  if (p && size)
    memset(p, 0, size);
  return p;
}

const uint8_t *pg_wire_fail(pg_reader *r, const uint8_t *at,
                            pg_wire_status s) {
  if (r->status == PG_WIRE_OK) {
    r->status = s;
    r->err_at = at;
  }
  return NULL;
}

pg_wire_status pg_reader_error(const pg_reader *r, size_t *err_offset) {
  if (err_offset)
    *err_offset = (size_t)(r->err_at - r->start);
  return r->status;
}

const uint8_t *pg_wire__read_varint_slow(pg_reader *r, const uint8_t *p,
                                          const uint8_t *end, uint64_t *out) {
  uint64_t v = 0;
  for (int i = 0; i < 10; i++) {
    if (p + i >= end)
      return pg_wire_fail(r, p, PG_WIRE_TRUNCATED);
    uint8_t b = p[i];
    /* the 10th byte holds bit 63 only */
    if (i == 9 && b > 1)
      return pg_wire_fail(r, p, PG_WIRE_VARINT_TOO_LONG);
    v |= (uint64_t)(b & 0x7f) << (7 * i);
    if (b < 0x80) {
      *out = v;
      return p + i + 1;
    }
  }
  return pg_wire_fail(r, p, PG_WIRE_VARINT_TOO_LONG);
}

/* Length of the UTF-8 sequence led by `b`, 0 if `b` cannot lead one. */
static int utf8_sequence_length(uint8_t b) {
  if (b < 0x80)
    return 1;
  if (b >= 0xc2 && b <= 0xdf)
    return 2;
  if (b >= 0xe0 && b <= 0xef)
    return 3;
  if (b >= 0xf0 && b <= 0xf4)
    return 4;
  return 0;
}

/* Is the multi-byte sequence at s (n bytes, all present) well formed? The
 * second byte's range excludes overlongs, surrogates and > U+10FFFF. */
static bool utf8_sequence_valid(const uint8_t *s, int n) {
  uint8_t lo = 0x80, hi = 0xbf;
  if (s[0] == 0xe0)
    lo = 0xa0;
  else if (s[0] == 0xed)
    hi = 0x9f;
  else if (s[0] == 0xf0)
    lo = 0x90;
  else if (s[0] == 0xf4)
    hi = 0x8f;
  if (s[1] < lo || s[1] > hi)
    return false;
  for (int i = 2; i < n; i++)
    if ((s[i] & 0xc0) != 0x80)
      return false;
  return true;
}

bool pg_wire_utf8_valid(const uint8_t *data, size_t len) {
  size_t i = 0;
  while (i < len) {
    /* ASCII runs, 8 bytes at a time: most strings are ASCII */
    while (len - i >= 8) {
      uint64_t chunk;
      memcpy(&chunk, data + i, 8);
      if (chunk & 0x8080808080808080ull)
        break;
      i += 8;
    }
    if (i == len)
      break;
    int n = utf8_sequence_length(data[i]);
    if (n == 0 || (size_t)n > len - i)
      return false;
    if (n > 1 && !utf8_sequence_valid(data + i, n))
      return false;
    i += (size_t)n;
  }
  return true;
}

const uint8_t *pg_wire_read_string(pg_reader *r, const uint8_t *p,
                                   const uint8_t *end, pg_string *out) {
  size_t len;
  const uint8_t *q = pg_wire_read_len(r, p, end, &len);
  if (!q)
    return NULL;
  if (!pg_wire_utf8_valid(q, len))
    return pg_wire_fail(r, p, PG_WIRE_BAD_UTF8);
  char *copy = (char *)pg_arena_alloc(r->arena, len + 1, 1);
  if (!copy)
    return pg_wire_fail(r, p, PG_WIRE_ARENA_FULL);
  if (len)
    memcpy(copy, q, len);
  copy[len] = 0;
  out->data = copy;
  out->len = len;
  return q + len;
}

const uint8_t *pg_wire_read_bytes(pg_reader *r, const uint8_t *p,
                                  const uint8_t *end, pg_bytes *out) {
  size_t len;
  const uint8_t *q = pg_wire_read_len(r, p, end, &len);
  if (!q)
    return NULL;
  uint8_t *copy = NULL;
  if (len) {
    copy = (uint8_t *)pg_arena_alloc(r->arena, len, 1);
    if (!copy)
      return pg_wire_fail(r, p, PG_WIRE_ARENA_FULL);
    memcpy(copy, q, len);
  }
  out->data = copy;
  out->len = len;
  return q + len;
}

const uint8_t *pg_wire_skip(pg_reader *r, const uint8_t *p, const uint8_t *end,
                            uint32_t tag) {
  uint64_t v;
  size_t len;
  switch (tag & 7) {
  case PG_WT_VARINT:
    return pg_wire_read_varint(r, p, end, &v);
  case PG_WT_FIXED64:
    return end - p < 8 ? pg_wire_fail(r, p, PG_WIRE_TRUNCATED) : p + 8;
  case PG_WT_FIXED32:
    return end - p < 4 ? pg_wire_fail(r, p, PG_WIRE_TRUNCATED) : p + 4;
  case PG_WT_LEN:
    p = pg_wire_read_len(r, p, end, &len);
    return p ? p + len : NULL;
  default: /* groups (3, 4) and the undefined 6, 7 */
    return pg_wire_fail(r, p, PG_WIRE_BAD_WIRE_TYPE);
  }
}

/* Elements held by one occurrence of a counted field whose value starts at
 * p (after the tag). Returns the position after the value, NULL on error. */
static const uint8_t *count_occurrence(pg_reader *r, const uint8_t *p,
                                       const uint8_t *end, uint32_t tag,
                                       pg_wire_count_kind kind, size_t *n) {
  size_t len;
  if ((tag & 7) != PG_WT_LEN || kind == PG_COUNT_EACH) {
    *n += 1;
    return pg_wire_skip(r, p, end, tag);
  }
  const uint8_t *q = pg_wire_read_len(r, p, end, &len);
  if (!q)
    return NULL;
  /* A run that ends inside a value fails here, where the decode pass
   * would fail, so that pass never finds more values than counted. */
  size_t whole = len;
  if (kind == PG_COUNT_FIXED32 || kind == PG_COUNT_FIXED64) {
    size_t width = kind == PG_COUNT_FIXED32 ? 4 : 8;
    whole = len - len % width;
    *n += len / width;
  } else {
    while (whole > 0 && q[whole - 1] >= 0x80)
      whole--;
    for (size_t i = 0; i < whole; i++)
      *n += q[i] < 0x80; /* one terminating byte per varint */
  }
  if (whole != len)
    return pg_wire_fail(r, q + whole, PG_WIRE_TRUNCATED);
  return q + len;
}

const uint8_t *pg_wire_count(pg_reader *r, const uint8_t *p,
                             const uint8_t *end, const pg_wire_counted *fields,
                             size_t n_fields, size_t *counts) {
  while (p < end) {
    uint32_t tag;
    p = pg_wire_read_tag(r, p, end, &tag);
    if (!p)
      return NULL;
    size_t i = 0;
    while (i < n_fields && fields[i].number != tag >> 3)
      i++;
    if (i < n_fields)
      p = count_occurrence(r, p, end, tag, fields[i].kind, &counts[i]);
    else
      p = pg_wire_skip(r, p, end, tag);
    if (!p)
      return NULL;
  }
  return p;
}

void *pg_wire_grow(pg_reader *r, const uint8_t *at, const void *old, size_t n,
                   size_t extra, size_t elem_size, size_t align) {
  size_t total = n + extra;
  if (total < n || total > SIZE_MAX / elem_size) {
    pg_wire_fail(r, at, PG_WIRE_ARENA_FULL);
    return NULL;
  }
  void *fresh = pg_arena_zalloc(r->arena, total * elem_size, align);
  if (!fresh) {
    pg_wire_fail(r, at, PG_WIRE_ARENA_FULL);
    return NULL;
  }
  if (n)
    memcpy(fresh, old, n * elem_size);
  return fresh;
}

void *pg_wire_enter(pg_reader *r, const uint8_t *at, void *existing,
                    size_t size, size_t align, int depth) {
  if (depth >= r->max_depth) {
    pg_wire_fail(r, at, PG_WIRE_TOO_DEEP);
    return NULL;
  }
  if (existing)
    return existing;
  void *fresh = pg_arena_zalloc(r->arena, size, align);
  if (!fresh)
    pg_wire_fail(r, at, PG_WIRE_ARENA_FULL);
  return fresh;
}

pg_wire_status pg_message_encode_arena(const pg_message_type *type,
                                       const void *msg, pg_arena *arena,
                                       const uint8_t **out, size_t *out_len) {
  size_t size = type->encoded_size(msg);
  uint8_t *buf = (uint8_t *)pg_arena_alloc(arena, size, 1);
  if (!buf)
    return PG_WIRE_ARENA_FULL;
  uint8_t *end = type->write(msg, buf);
  (void)end; /* == buf + size: write emits exactly encoded_size bytes */
  *out = buf;
  *out_len = size;
  return PG_WIRE_OK;
}
