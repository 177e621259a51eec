/*
 * host_call.h: what every built-in service needs around its handlers
 * (host_call.c): decode a request with the generated decoder into an arena
 * that grows when the request needs more, encode a reply into malloc'd
 * bytes (the pg_host_service contract), and format an error reason.
 * Internal to src/services/.
 */
#ifndef PG_SERVICES_HOST_CALL_H
#define PG_SERVICES_HOST_CALL_H

#include <stddef.h>
#include <stdint.h>

#include "parigot/call.h"
#include "parigot/wire.h"

/* Decoded-request storage: a small arena on the caller's stack, and a heap
 * arena for requests that do not fit in it. */
typedef struct pg__request_arena {
  pg_arena arena;   /* what the decoded request points into */
  void *heap;       /* owned; NULL until the stack storage was too small */
  uint8_t stack[4096];
} pg__request_arena;

/* Decodes req (borrowed) as `type` into *msg (type->size bytes, zeroed by
 * the decoder) with its strings in ra (which must outlive *msg; release it
 * with pg__request_arena_free). Returns PG_CODE_OK, or INVALID_ARGUMENT /
 * RESOURCE_EXHAUSTED with the reason in err. */
int pg__request_decode(const pg_message_type *type, void *msg,
                       const uint8_t *req, size_t req_len,
                       pg__request_arena *ra, char *err, size_t errlen);
void pg__request_arena_free(pg__request_arena *ra);

/* Encodes *msg (borrowed) into fresh malloc'd bytes for the caller of
 * handle() to free (NULL when the encoding is empty). Returns PG_CODE_OK
 * or RESOURCE_EXHAUSTED (out of memory) with the reason in err. */
int pg__reply_encode(const pg_message_type *type, const void *msg,
                     uint8_t **reply, size_t *reply_len, char *err,
                     size_t errlen);

/* Writes the reason into err (capacity errlen; NULL-safe) and returns
 * `code`, for `return pg__fail(...)`. */
int pg__fail(char *err, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif /* PG_SERVICES_HOST_CALL_H */
