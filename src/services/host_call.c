/*
 * host_call.c: decode, encode and error helpers shared by the built-in
 * services (host_call.h). Requests are decoded first into a 4 KiB arena on
 * the stack (a log line, a file path: the common case costs no malloc);
 * when that is too small the arena moves to the heap and doubles until the
 * request fits. The bound is a multiple of the request's own size, since
 * a decoded message never needs more than a few times its encoded bytes.
 */
#include "services/host_call.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* Heap arenas grow to at most this many times the request's size (plus a
 * page): far above what any decode needs, it only stops a runaway loop. */
#define ARENA_GROWTH_LIMIT 64

int pg__fail(char *err, size_t errlen, int code, const char *fmt, ...) {
  if (err && errlen) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
  }
  return code;
}

static int decode_failure(const pg_message_type *type, pg_wire_status st,
                          size_t at, char *err, size_t errlen) {
  return pg__fail(err, errlen, PG_CODE_INVALID_ARGUMENT,
                  "%s does not decode: %s at byte %zu", type->full_name,
                  pg_wire_status_str(st), at);
}

int pg__request_decode(const pg_message_type *type, void *msg,
                       const uint8_t *req, size_t req_len,
                       pg__request_arena *ra, char *err, size_t errlen) {
  size_t at = 0;
  ra->heap = NULL;
  pg_arena_init(&ra->arena, ra->stack, sizeof ra->stack);
  pg_wire_status st = type->decode(msg, req, req_len, &ra->arena, &at);
  size_t cap = 2 * req_len + 4096;
  size_t limit = ARENA_GROWTH_LIMIT * req_len + 4096;
  while (st == PG_WIRE_ARENA_FULL && cap <= limit) {
    free(ra->heap);
    ra->heap = malloc(cap);
    if (!ra->heap)
      return pg__fail(err, errlen, PG_CODE_RESOURCE_EXHAUSTED,
                      "out of memory decoding %s (%zu bytes)",
                      type->full_name, req_len);
    pg_arena_init(&ra->arena, ra->heap, cap);
    st = type->decode(msg, req, req_len, &ra->arena, &at);
    cap *= 2;
  }
  if (st != PG_WIRE_OK)
    return decode_failure(type, st, at, err, errlen);
  return PG_CODE_OK;
}

void pg__request_arena_free(pg__request_arena *ra) {
  free(ra->heap);
  ra->heap = NULL;
}

int pg__reply_encode(const pg_message_type *type, const void *msg,
                     uint8_t **reply, size_t *reply_len, char *err,
                     size_t errlen) {
  size_t size = type->encoded_size(msg);
  *reply = NULL;
  *reply_len = 0;
  if (size == 0)
    return PG_CODE_OK;
  uint8_t *bytes = malloc(size);
  if (!bytes)
    return pg__fail(err, errlen, PG_CODE_RESOURCE_EXHAUSTED,
                    "out of memory encoding %s (%zu bytes)", type->full_name,
                    size);
  uint8_t *end = type->write(msg, bytes);
  (void)end; /* write produces exactly encoded_size bytes */
  *reply = bytes;
  *reply_len = size;
  return PG_CODE_OK;
}
