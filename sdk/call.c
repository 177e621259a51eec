/*
 * call.c: the generic half of generated client stubs and server dispatch
 * (sdk/include/parigot/call.h): status code names, one unary call through
 * a pg_client, method matching and reply encoding. Generated code stays
 * small and typed; the shared logic lives here once.
 */
#include "parigot/call.h"

const char *pg_code_name(int code) {
  switch (code) {
#define PG_CODE_NAME_(name, value, msg)                                       \
  case value:                                                                 \
    return #name;
    PG_CODE_MAP(PG_CODE_NAME_)
#undef PG_CODE_NAME_
  }
  return "?";
}

const char *pg_code_str(int code) {
  switch (code) {
#define PG_CODE_MSG_(name, value, msg)                                        \
  case value:                                                                 \
    return msg;
    PG_CODE_MAP(PG_CODE_MSG_)
#undef PG_CODE_MSG_
  }
  return "unknown status code";
}

static void set_errmsg(const char **errmsg, const char *msg) {
  if (errmsg)
    *errmsg = msg;
}

int pg_call_unary(const pg_client *client, const pg_service_desc *service,
                  size_t method_index, const void *req, void *resp,
                  pg_arena *arena, const char **errmsg) {
  const pg_method_desc *m = &service->methods[method_index];
  const uint8_t *req_bytes;
  size_t req_len;
  set_errmsg(errmsg, NULL);
  memset(resp, 0, m->response->size);
  if (pg_message_encode_arena(m->request, req, arena, &req_bytes, &req_len) !=
      PG_WIRE_OK) {
    set_errmsg(errmsg, "request does not fit in the arena");
    return PG_CODE_RESOURCE_EXHAUSTED;
  }
  pg_buf reply = {NULL, 0, arena};
  int code = client->call(client->ctx, service->name, m->name, req_bytes,
                          req_len, &reply, errmsg);
  if (code != PG_CODE_OK)
    return code;
  if (m->response->decode(resp, reply.data, reply.len, arena, NULL) !=
      PG_WIRE_OK) {
    set_errmsg(errmsg, "reply does not decode");
    return PG_CODE_INTERNAL;
  }
  return PG_CODE_OK;
}

bool pg_method_is(const pg_service_desc *service, size_t index,
                  const char *method) {
  const pg_method_desc *m = &service->methods[index];
  if (!method)
    return false;
  return strcmp(method, m->name) == 0 || strcmp(method, m->path) == 0;
}

int pg_reply_encode(const pg_message_type *type, const void *resp,
                    pg_buf *reply, const char **errmsg) {
  const uint8_t *data;
  size_t len;
  if (pg_message_encode_arena(type, resp, reply->arena, &data, &len) !=
      PG_WIRE_OK) {
    set_errmsg(errmsg, "reply does not fit in the arena");
    return PG_CODE_RESOURCE_EXHAUSTED;
  }
  reply->data = len ? data : NULL;
  reply->len = len;
  return PG_CODE_OK;
}
