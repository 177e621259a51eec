/*
 * serve.c: the server half of the guest SDK — the table of exported
 * services and parigot_serve(), the loop that takes one incoming call at a
 * time from the kernel (`serve`), hands it to the generated skeleton's
 * dispatch function and answers it (`respond`). The incoming buffer and
 * the per-call arena are the program's own and grow as calls need.
 */
#include <stdlib.h>
#include <string.h>

#include "parigot_internal.h"
#include "serve_internal.h"

typedef struct exported {
  const pg_service_desc *service; /* borrowed, static generated data */
  size_t name_len;                /* strlen(service->name), kept: the
                                     lookup runs on every served call */
  parigot_dispatch_fn dispatch;
  const void *handlers; /* borrowed for the life of the program */
  void *ctx;            /* borrowed, handed to the handlers */
} exported;

static exported exports[PARIGOT_MAX_EXPORTS];
static size_t n_exports;

#define DEFAULT_ARENA_SIZE (256u * 1024u)
static size_t arena_size = DEFAULT_ARENA_SIZE;
static parigot__buffer incoming_buf; /* service, method, request */
static parigot__buffer arena_buf;    /* the served call's pg_arena */
/* The deadline_ms the kernel gave the call being served; 0 between calls. */
static uint32_t serving_deadline_ms;

uint32_t parigot_serve_deadline_ms(void) { return serving_deadline_ms; }

static exported *find_export(const char *name, size_t len) {
  for (size_t i = 0; i < n_exports; i++) {
    if (exports[i].name_len == len &&
        memcmp(exports[i].service->name, name, len) == 0)
      return &exports[i];
  }
  return NULL;
}

int parigot__serve_register(const pg_service_desc *service,
                            parigot_dispatch_fn dispatch, const void *handlers,
                            void *ctx) {
  if (find_export(service->name, strlen(service->name)))
    return parigot__fail(PG_CODE_ALREADY_EXISTS,
                         "parigot_export: %s is already exported",
                         service->name);
  if (n_exports == PARIGOT_MAX_EXPORTS)
    return parigot__fail(PG_CODE_RESOURCE_EXHAUSTED,
                         "parigot_export: more than %d exported services",
                         PARIGOT_MAX_EXPORTS);
  exports[n_exports++] =
      (exported){service, strlen(service->name), dispatch, handlers, ctx};
  return PG_CODE_OK;
}

void parigot__serve_unregister(const pg_service_desc *service) {
  for (size_t i = 0; i < n_exports; i++) {
    if (exports[i].service == service) {
      exports[i] = exports[--n_exports];
      return;
    }
  }
}

void parigot_serve_set_arena_size(size_t bytes) {
  arena_size = bytes ? bytes : DEFAULT_ARENA_SIZE;
}

/* Waits for the next call; on OK *in is filled and incoming_buf holds its
 * names and request. Grows the buffer and retries on RESOURCE_EXHAUSTED
 * (the kernel keeps the call for us). */
static int next_call(parigot_abi_incoming *in) {
  if (!parigot__buffer_reserve(&incoming_buf, 4096))
    return parigot__fail(PG_CODE_RESOURCE_EXHAUSTED, "parigot_serve: out of "
                                                     "memory");
  for (;;) {
    int code = parigot__sys_serve(incoming_buf.data,
                                  (uint32_t)incoming_buf.cap, in, 0);
    if (code != PG_CODE_RESOURCE_EXHAUSTED)
      return code;
    size_t need = (size_t)in->service_len + in->method_len + in->req_len;
    if (need <= incoming_buf.cap || !parigot__buffer_reserve(&incoming_buf, need))
      return parigot__fail(PG_CODE_RESOURCE_EXHAUSTED,
                           "parigot_serve: cannot hold an incoming call of "
                           "%zu bytes",
                           need);
  }
}

/* Dispatches the call in incoming_buf and sends its answer. */
static void handle_call(const parigot_abi_incoming *in) {
  const char *service = (const char *)incoming_buf.data;
  const char *method_bytes = service + in->service_len;
  const uint8_t *req = (const uint8_t *)method_bytes + in->method_len;
  char method[PARIGOT_ABI_MAX_NAME + 1];
  size_t method_len = in->method_len;
  if (method_len > PARIGOT_ABI_MAX_NAME)
    method_len = PARIGOT_ABI_MAX_NAME; /* the kernel never sends longer */
  memcpy(method, method_bytes, method_len);
  method[method_len] = '\0';

  const char *errmsg = NULL;
  pg_buf reply = {NULL, 0, NULL};
  pg_arena arena;
  int code;
  exported *e = find_export(service, in->service_len);
  size_t want = arena_size > 2 * (size_t)in->req_len + 4096
                    ? arena_size
                    : 2 * (size_t)in->req_len + 4096;
  if (!e) {
    code = PG_CODE_UNIMPLEMENTED;
    errmsg = "this program does not export that service";
  } else if (!parigot__buffer_reserve(&arena_buf, want)) {
    code = PG_CODE_RESOURCE_EXHAUSTED;
    errmsg = "the server is out of memory";
  } else {
    pg_arena_init(&arena, arena_buf.data, arena_buf.cap);
    reply.arena = &arena;
    serving_deadline_ms = in->deadline_ms;
    code = e->dispatch(e->handlers, e->ctx, method, req, in->req_len, &reply,
                       &errmsg);
    serving_deadline_ms = 0;
  }
  if (code == PG_CODE_OK) {
    parigot__sys_respond(in->call_id, code, reply.data, (uint32_t)reply.len,
                         NULL, 0);
    return;
  }
  if (!errmsg)
    errmsg = pg_code_str(code);
  /* NOT_FOUND from respond: the caller gave up (deadline); nothing to do. */
  parigot__sys_respond(in->call_id, code, NULL, 0, errmsg,
                       (uint32_t)strlen(errmsg));
}

int parigot_serve(void) {
  parigot__check_abi();
  if (n_exports == 0)
    return parigot__fail(PG_CODE_FAILED_PRECONDITION,
                         "parigot_serve: nothing exported");
  for (;;) {
    parigot_abi_incoming in;
    int code = next_call(&in);
    if (code == PG_CODE_CANCELLED)
      return PG_CODE_OK;
    if (code == PG_CODE_DEADLINE_EXCEEDED)
      continue; /* only with a timeout; we wait forever */
    if (code != PG_CODE_OK)
      return parigot__fail(code, "parigot_serve: %s", pg_code_str(code));
    handle_call(&in);
  }
}
