/*
 * client.c: the client half of the guest SDK — parigot_locate() and the
 * pg_client transport that generated stubs call through (the `call`
 * syscall, then `result`), and fan-out: start several calls, wait for any,
 * finish each. Replies land directly in the caller's arena; one that does
 * not fit is drained into a program-owned scratch buffer grown to the size
 * the kernel reports, so the kernel never keeps a call we abandoned.
 */
#include <stdlib.h>
#include <string.h>

#include "parigot_internal.h"

/* A located service. pg_client.ctx points at one; they live as long as
 * the program and are shared by every client of the same service. */
typedef struct target {
  uint32_t handle;     /* from `locate` */
  uint32_t timeout_ms; /* per call; 0 = the app's default deadline */
  struct target *next;
  char name[];         /* "pkg.Service" */
} target;

static target *targets;

static int transport(void *ctx, const char *service, const char *method,
                     const uint8_t *req, size_t req_len, pg_buf *reply,
                     const char **errmsg);

/* The target behind `client`, or NULL when parigot_locate did not fill it. */
static target *target_of(const pg_client *client) {
  if (!client || client->call != transport || !client->ctx)
    return NULL;
  return client->ctx;
}

static target *find_target(const char *service) {
  for (target *t = targets; t; t = t->next)
    if (strcmp(t->name, service) == 0)
      return t;
  return NULL;
}

int parigot_locate(const char *service, pg_client *out) {
  parigot__check_abi();
  if (!service || !out)
    return parigot__fail(PG_CODE_INVALID_ARGUMENT,
                         "parigot_locate: service and out are required");
  target *t = find_target(service);
  if (!t) {
    size_t len = strlen(service);
    uint32_t handle;
    int code = parigot__sys_locate(service, (uint32_t)len, &handle);
    if (code != PG_CODE_OK)
      return parigot__fail(code, "parigot_locate(\"%s\"): %s", service,
                           code == PG_CODE_PERMISSION_DENIED
                               ? "not required by this program"
                               : pg_code_str(code));
    t = malloc(sizeof *t + len + 1);
    if (!t)
      return parigot__fail(PG_CODE_RESOURCE_EXHAUSTED,
                           "parigot_locate: out of memory");
    t->handle = handle;
    t->timeout_ms = 0;
    memcpy(t->name, service, len + 1);
    t->next = targets;
    targets = t;
  }
  out->call = transport;
  out->ctx = t;
  return PG_CODE_OK;
}

int parigot_client_set_timeout(const pg_client *client, uint32_t timeout_ms) {
  target *t = target_of(client);
  if (!t)
    return parigot__fail(PG_CODE_INVALID_ARGUMENT,
                         "parigot_client_set_timeout: not a located client");
  t->timeout_ms = timeout_ms;
  return PG_CODE_OK;
}

/* Starts a call of `method` with request bytes; writes the call id. */
static int start(target *t, const char *method, const uint8_t *req,
                 size_t req_len, uint32_t *id) {
  if (req_len > PARIGOT_ABI_MAX_PAYLOAD)
    return parigot__fail(PG_CODE_RESOURCE_EXHAUSTED,
                         "%s/%s: request of %zu bytes is above the limit",
                         t->name, method, req_len);
  /* Inside a handler, a call never outlives the caller we serve: its
   * deadline is capped at the one our incoming call arrived with (gRPC
   * deadline propagation; the time the handler already spent is not
   * subtracted, which would cost a clock read per call). */
  uint32_t timeout = t->timeout_ms;
  uint32_t serving = parigot_serve_deadline_ms();
  if (serving && (timeout == 0 || timeout > serving))
    timeout = serving;
  int code = parigot__sys_call(t->handle, method, (uint32_t)strlen(method),
                               req, (uint32_t)req_len, timeout, id);
  if (code != PG_CODE_OK)
    return parigot__fail(code, "call %s/%s: %s", t->name, method,
                         pg_code_str(code));
  return PG_CODE_OK;
}

/* A reply bigger than the caller's arena: take it off the kernel into the
 * scratch buffer and report it (or the callee's error, which we keep). */
static int drain(uint32_t id, const parigot_abi_result *first,
                 const char **errmsg) {
  size_t need = (size_t)first->reply_len + first->msg_len;
  parigot_abi_result rec;
  if (!parigot__buffer_reserve(&parigot__scratch, need + 1))
    return parigot__fail(PG_CODE_RESOURCE_EXHAUSTED,
                         "reply of %zu bytes: out of memory", need);
  int code = parigot__sys_result(id, parigot__scratch.data,
                                 (uint32_t)parigot__scratch.cap - 1, &rec);
  if (code != PG_CODE_OK)
    code = parigot__fail(code, "result: %s", pg_code_str(code));
  else if (rec.status != PG_CODE_OK)
    code = parigot__fail(rec.status, "%.*s", (int)rec.msg_len,
                         (const char *)parigot__scratch.data + rec.reply_len);
  else
    code = parigot__fail(PG_CODE_RESOURCE_EXHAUSTED,
                         "reply of %u bytes does not fit in the arena",
                         rec.reply_len);
  *errmsg = parigot_last_error();
  return code;
}

/*
 * Collects call `id` into `arena` (blocking until it completes): returns
 * its status; on OK *data and *len hold the reply, otherwise *errmsg a message
 * (in the arena or static). The kernel forgets the id in every case except
 * a failing `result` syscall itself.
 */
static int collect(uint32_t id, pg_arena *arena, const uint8_t **data,
                   size_t *len, const char **errmsg) {
  size_t left = arena && arena->base ? arena->cap - arena->used : 0;
  uint8_t *buf = left ? arena->base + arena->used : NULL;
  uint32_t cap = left > 1 ? (uint32_t)(left - 1) : 0; /* 1 for a NUL */
  parigot_abi_result rec = {0, 0, 0};
  *data = NULL;
  *len = 0;
  int code = parigot__sys_result(id, buf, cap, &rec);
  if (code == PG_CODE_RESOURCE_EXHAUSTED)
    return drain(id, &rec, errmsg);
  if (code != PG_CODE_OK) {
    *errmsg = pg_code_str(code);
    return parigot__fail(code, "result: %s", pg_code_str(code));
  }
  if (buf) {
    buf[rec.reply_len + rec.msg_len] = '\0';
    arena->used += rec.reply_len + rec.msg_len + 1;
  }
  if (rec.status != PG_CODE_OK) {
    *errmsg = rec.msg_len ? (const char *)buf + rec.reply_len
                          : pg_code_str(rec.status);
    return rec.status;
  }
  *data = rec.reply_len ? buf : NULL;
  *len = rec.reply_len;
  return PG_CODE_OK;
}

/* pg_call_fn: one blocking call, as generated stubs make it. */
static int transport(void *ctx, const char *service, const char *method,
                     const uint8_t *req, size_t req_len, pg_buf *reply,
                     const char **errmsg) {
  target *t = ctx;
  const char *ignored;
  uint32_t id;
  (void)service; /* the handle already names it */
  if (!errmsg)
    errmsg = &ignored;
  int code = start(t, method, req, req_len, &id);
  if (code != PG_CODE_OK) {
    *errmsg = parigot_last_error();
    return code;
  }
  return collect(id, reply->arena, &reply->data, &reply->len, errmsg);
}

/* ---- fan-out ------------------------------------------------------------ */

int parigot_call_start(const pg_client *client, const pg_service_desc *service,
                       size_t method_index, const void *req,
                       parigot_call *call) {
  parigot__check_abi();
  *call = (parigot_call){0, PARIGOT_CALL_FAILED, PG_CODE_INVALID_ARGUMENT,
                         NULL};
  target *t = target_of(client);
  if (!t || !service || method_index >= service->n_methods || !req)
    return parigot__fail(PG_CODE_INVALID_ARGUMENT,
                         "parigot_call_start: bad client, service or method");
  const pg_method_desc *m = &service->methods[method_index];
  call->method = m;
  size_t size = m->request->encoded_size(req);
  if (!parigot__buffer_reserve(&parigot__scratch, size ? size : 1)) {
    call->status = PG_CODE_RESOURCE_EXHAUSTED;
    return parigot__fail(call->status, "%s: request of %zu bytes: out of "
                                       "memory", m->path, size);
  }
  m->request->write(req, parigot__scratch.data);
  call->status = start(t, m->name, parigot__scratch.data, size, &call->id);
  if (call->status == PG_CODE_OK)
    call->state = PARIGOT_CALL_PENDING;
  return call->status;
}

static uint32_t wait_ids[PARIGOT_ABI_MAX_OUTSTANDING];
static size_t wait_pos[PARIGOT_ABI_MAX_OUTSTANDING];

int parigot_call_wait_any(parigot_call *calls, size_t n, size_t *index) {
  size_t pending = 0;
  for (size_t i = 0; i < n; i++) {
    if (calls[i].state == PARIGOT_CALL_READY ||
        calls[i].state == PARIGOT_CALL_FAILED) {
      *index = i;
      return PG_CODE_OK;
    }
    if (calls[i].state == PARIGOT_CALL_PENDING &&
        pending < PARIGOT_ABI_MAX_OUTSTANDING) {
      wait_ids[pending] = calls[i].id;
      wait_pos[pending++] = i;
    }
  }
  if (pending == 0)
    return parigot__fail(PG_CODE_FAILED_PRECONDITION,
                         "parigot_call_wait_any: no unfinished call");
  uint32_t at = 0;
  int code = parigot__sys_wait(wait_ids, (uint32_t)pending, 0, &at);
  if (code != PG_CODE_OK)
    return parigot__fail(code, "wait: %s", pg_code_str(code));
  if (at >= pending)
    return parigot__fail(PG_CODE_INTERNAL, "wait: index %u out of range",
                         at);
  calls[wait_pos[at]].state = PARIGOT_CALL_READY;
  *index = wait_pos[at];
  return PG_CODE_OK;
}

int parigot_call_finish(parigot_call *call, void *resp, pg_arena *arena,
                        const char **errmsg) {
  const char *ignored;
  if (!errmsg)
    errmsg = &ignored;
  *errmsg = NULL;
  if (call->state == PARIGOT_CALL_IDLE) {
    *errmsg = "parigot_call_finish: no call started";
    return PG_CODE_FAILED_PRECONDITION;
  }
  if (call->method && resp)
    memset(resp, 0, call->method->response->size);
  if (call->state == PARIGOT_CALL_FAILED) {
    call->state = PARIGOT_CALL_IDLE;
    *errmsg = pg_code_str(call->status);
    return call->status;
  }
  const pg_method_desc *m = call->method;
  const uint8_t *data;
  size_t len;
  call->state = PARIGOT_CALL_IDLE;
  call->status = collect(call->id, arena, &data, &len, errmsg);
  if (call->status != PG_CODE_OK)
    return call->status;
  if (m->response->decode(resp, data, len, arena, NULL) != PG_WIRE_OK) {
    *errmsg = "reply does not decode";
    call->status = PG_CODE_INTERNAL;
  }
  return call->status;
}
