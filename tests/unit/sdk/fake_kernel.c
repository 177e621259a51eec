/*
 * fake_kernel.c: the syscalls of the `parigot` module (abi.h) for native
 * SDK tests — see fake_kernel.h. Natively, parigot_internal.h declares
 * parigot__sys_* as plain functions, which this file defines.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../sdk/parigot_internal.h"
#include "fake_kernel.h"

fake_kernel fake = {.locatable = "file.v1.FileService", .next_id = 100};

void fake_reset(void) {
  for (size_t i = 0; i < FAKE_MAX_CALLS; i++)
    free(fake.calls[i].reply);
  const char *loc = fake.locatable;
  memset(&fake, 0, sizeof fake);
  fake.locatable = loc;
  fake.next_id = 100;
}

size_t fake_pending(void) {
  size_t n = 0;
  for (size_t i = 0; i < FAKE_MAX_CALLS; i++)
    n += fake.calls[i].used;
  return n;
}

static fake_call *find_call(uint32_t id) {
  for (size_t i = 0; i < FAKE_MAX_CALLS; i++)
    if (fake.calls[i].used && fake.calls[i].id == id)
      return &fake.calls[i];
  return NULL;
}

int32_t parigot__sys_version(void) {
  const char *v = getenv("FAKE_ABI_VERSION");
  return v ? atoi(v) : PARIGOT_ABI_VERSION;
}

int32_t parigot__sys_require(const char *name, uint32_t len) {
  return name && len ? PG_CODE_OK : PG_CODE_INVALID_ARGUMENT;
}

int32_t parigot__sys_export(const char *name, uint32_t len) {
  return name && len ? PG_CODE_OK : PG_CODE_INVALID_ARGUMENT;
}

int32_t parigot__sys_run(void) { return PG_CODE_OK; }

int32_t parigot__sys_locate(const char *name, uint32_t len, uint32_t *out) {
  if (strlen(fake.locatable) != len || memcmp(name, fake.locatable, len))
    return PG_CODE_PERMISSION_DENIED;
  *out = FAKE_HANDLE;
  return PG_CODE_OK;
}

int32_t parigot__sys_call(uint32_t handle, const char *method,
                          uint32_t method_len, const uint8_t *req,
                          uint32_t req_len, uint32_t timeout_ms,
                          uint32_t *out_id) {
  if (handle != FAKE_HANDLE)
    return PG_CODE_PERMISSION_DENIED;
  for (size_t i = 0; i < FAKE_MAX_CALLS; i++) {
    fake_call *c = &fake.calls[i];
    if (c->used)
      continue;
    memset(c, 0, sizeof *c);
    c->used = true;
    c->id = fake.next_id++;
    snprintf(c->method, sizeof c->method, "%.*s", (int)method_len, method);
    c->timeout_ms = timeout_ms;
    fake_answer(c, req, req_len);
    fake.started++;
    *out_id = c->id;
    return PG_CODE_OK;
  }
  return PG_CODE_RESOURCE_EXHAUSTED;
}

/* Every call is complete at once; answer the LAST id of the array, so
 * the SDK's index mapping is exercised. */
int32_t parigot__sys_wait(const uint32_t *ids, uint32_t count,
                          uint32_t timeout_ms, uint32_t *out_index) {
  (void)timeout_ms;
  for (uint32_t i = 0; i < count; i++)
    if (!find_call(ids[i]))
      return PG_CODE_NOT_FOUND;
  *out_index = count - 1;
  return PG_CODE_OK;
}

int32_t parigot__sys_result(uint32_t id, uint8_t *buf, uint32_t cap,
                            parigot_abi_result *out) {
  fake_call *c = find_call(id);
  if (!c)
    return PG_CODE_NOT_FOUND;
  uint32_t msg_len = (uint32_t)strlen(c->msg);
  *out = (parigot_abi_result){c->status, c->reply_len, msg_len};
  if (c->reply_len + msg_len > cap) {
    fake.result_retries++;
    return PG_CODE_RESOURCE_EXHAUSTED;
  }
  if (c->reply_len)
    memcpy(buf, c->reply, c->reply_len);
  memcpy(buf + c->reply_len, c->msg, msg_len);
  free(c->reply);
  c->reply = NULL;
  c->used = false;
  return PG_CODE_OK;
}

int32_t parigot__sys_serve(uint8_t *buf, uint32_t cap,
                           parigot_abi_incoming *out, uint32_t timeout_ms) {
  (void)timeout_ms;
  if (fake.next_incoming == fake.n_incoming)
    return PG_CODE_CANCELLED;
  const fake_incoming *in = &fake.incoming[fake.next_incoming];
  uint32_t slen = (uint32_t)strlen(in->service);
  uint32_t mlen = (uint32_t)strlen(in->method);
  *out = (parigot_abi_incoming){(uint32_t)fake.next_incoming + 1, slen, mlen,
                                in->req_len, 5000};
  if (slen + mlen + in->req_len > cap) {
    fake.serve_retries++;
    return PG_CODE_RESOURCE_EXHAUSTED;
  }
  memcpy(buf, in->service, slen);
  memcpy(buf + slen, in->method, mlen);
  if (in->req_len)
    memcpy(buf + slen + mlen, in->req, in->req_len);
  fake.next_incoming++;
  return PG_CODE_OK;
}

int32_t parigot__sys_respond(uint32_t id, int32_t status, const uint8_t *reply,
                             uint32_t reply_len, const char *msg,
                             uint32_t msg_len) {
  if (fake.n_responses == 8 || reply_len > sizeof fake.responses[0].reply)
    return PG_CODE_RESOURCE_EXHAUSTED;
  fake_response *r = &fake.responses[fake.n_responses++];
  r->call_id = id;
  r->status = status;
  r->reply_len = reply_len;
  if (reply_len)
    memcpy(r->reply, reply, reply_len);
  snprintf(r->msg, sizeof r->msg, "%.*s", (int)msg_len, msg ? msg : "");
  return PG_CODE_OK;
}

_Noreturn void parigot__sys_exit(int32_t code) { exit(code); }
