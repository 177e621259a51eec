/*
 * call.h: what generated client stubs and server skeletons need from the
 * guest SDK: gRPC's canonical status codes (one X-macro table), the
 * transport function a stub sends a call through, and the descriptors of
 * services and methods. The kernel implements the transport over parigot
 * syscalls; tests plug in a fake one. See docs/codegen.md.
 */
#ifndef PARIGOT_CALL_H
#define PARIGOT_CALL_H

#include "parigot/wire.h"

#ifdef __cplusplus
extern "C" {
#endif

/* gRPC's canonical status codes: XX(NAME, value, message). */
#define PG_CODE_MAP(XX)                                                       \
  XX(OK, 0, "ok")                                                             \
  XX(CANCELLED, 1, "cancelled")                                               \
  XX(UNKNOWN, 2, "unknown error")                                             \
  XX(INVALID_ARGUMENT, 3, "invalid argument")                                 \
  XX(DEADLINE_EXCEEDED, 4, "deadline exceeded")                               \
  XX(NOT_FOUND, 5, "not found")                                               \
  XX(ALREADY_EXISTS, 6, "already exists")                                     \
  XX(PERMISSION_DENIED, 7, "permission denied")                               \
  XX(RESOURCE_EXHAUSTED, 8, "resource exhausted")                             \
  XX(FAILED_PRECONDITION, 9, "failed precondition")                           \
  XX(ABORTED, 10, "aborted")                                                  \
  XX(OUT_OF_RANGE, 11, "out of range")                                        \
  XX(UNIMPLEMENTED, 12, "unimplemented")                                      \
  XX(INTERNAL, 13, "internal error")                                          \
  XX(UNAVAILABLE, 14, "unavailable")                                          \
  XX(DATA_LOSS, 15, "data loss")                                              \
  XX(UNAUTHENTICATED, 16, "unauthenticated")

typedef enum pg_code {
#define PG_CODE_ENUM_(name, value, msg) PG_CODE_##name = value,
  PG_CODE_MAP(PG_CODE_ENUM_)
#undef PG_CODE_ENUM_
} pg_code;

/* "OK", "CANCELLED", ... as gRPC spells them; "?" for other values. */
const char *pg_code_name(int code);
/* A static message for `code` (never NULL). */
const char *pg_code_str(int code);

/* Bytes of a reply. The caller sets `arena`; the transport stores the
 * reply bytes (and any error message) there and sets data/len. */
typedef struct pg_buf {
  const uint8_t *data; /* len bytes inside *arena; NULL when len is 0 */
  size_t len;
  pg_arena *arena; /* borrowed from the caller for the call's duration */
} pg_buf;

/*
 * The transport: sends one unary call and waits for its reply.
 *   ctx     the transport's own state (borrowed)
 *   service full service name, "pkg.Service" (borrowed, static)
 *   method  method name, "Method" (borrowed, static)
 *   req     encoded request, req_len bytes (borrowed for the call)
 *   reply   reply->arena set by the caller; on PG_CODE_OK the transport
 *           sets reply->data/len to the response bytes, stored in the arena
 *   errmsg  may be NULL; on failure the transport may set *errmsg to a
 *           static string or one stored in reply->arena
 * Returns a pg_code: PG_CODE_OK, the callee's status, or the transport's
 * own (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED when the reply
 * does not fit in the arena, ...).
 */
typedef int (*pg_call_fn)(void *ctx, const char *service, const char *method,
                          const uint8_t *req, size_t req_len, pg_buf *reply,
                          const char **errmsg);

/* What a client stub needs: the transport function and its context. */
typedef struct pg_client {
  pg_call_fn call;
  void *ctx; /* borrowed; passed to call() */
} pg_client;

typedef struct pg_method_desc {
  const char *name; /* "Method" */
  const char *path; /* "/pkg.Service/Method" */
  const pg_message_type *request;
  const pg_message_type *response;
} pg_method_desc;

typedef struct pg_service_desc {
  const char *name; /* "pkg.Service" */
  size_t n_methods;
  const pg_method_desc *methods;
} pg_service_desc;

/*
 * One unary call, as every generated stub makes it: encodes `req` into
 * `arena`, calls through `client`, decodes the reply into `resp` (zeroed
 * first; its strings, bytes and arrays live in `arena`). Returns a pg_code;
 * RESOURCE_EXHAUSTED when the request does not fit in the arena, INTERNAL
 * when the reply does not decode. All pointers are borrowed.
 */
int pg_call_unary(const pg_client *client, const pg_service_desc *service,
                  size_t method_index, const void *req, void *resp,
                  pg_arena *arena, const char **errmsg);

/* Does `method` name methods[index] of `service`, either as "Method" or as
 * the path "/pkg.Service/Method"? */
bool pg_method_is(const pg_service_desc *service, size_t index,
                  const char *method);

/* Server side: encodes the handler's `resp` (borrowed) into reply->arena
 * and points reply at it. Returns PG_CODE_OK or RESOURCE_EXHAUSTED. */
int pg_reply_encode(const pg_message_type *type, const void *resp,
                    pg_buf *reply, const char **errmsg);

#ifdef __cplusplus
}
#endif
#endif /* PARIGOT_CALL_H */
