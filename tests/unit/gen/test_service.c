/*
 * test_service.c: generated client stubs and server skeletons, joined by a
 * fake in-process transport (what the kernel will do over syscalls), for
 * the test service pgtest.Echo and the built-in log and file services.
 */
#include "everything.pg.h"
#include "file/v1/file.pg.h"
#include "log/v1/log.pg.h"
#include "pg_test.h"

static uint8_t client_mem[1 << 16];
static uint8_t server_mem[1 << 16];

/* The fake transport: dispatches to a server in the same process. */
typedef struct loopback {
  int (*dispatch)(const void *handlers, void *ctx, const char *method,
                  const uint8_t *req, size_t req_len, pg_buf *reply,
                  const char **errmsg);
  const void *handlers;
  const char *last_service; /* what the stub asked for */
  const char *last_method;
  int force_code;      /* != 0: fail with this instead of dispatching */
  bool corrupt_reply;  /* answer with bytes that do not decode */
} loopback;

static int loopback_call(void *ctx, const char *service, const char *method,
                         const uint8_t *req, size_t req_len, pg_buf *reply,
                         const char **errmsg) {
  loopback *lb = ctx;
  lb->last_service = service;
  lb->last_method = method;
  if (lb->force_code) {
    *errmsg = "forced";
    return lb->force_code;
  }
  pg_arena server;
  pg_arena_init(&server, server_mem, sizeof server_mem);
  pg_buf out = {NULL, 0, &server};
  int code = lb->dispatch(lb->handlers, NULL, method, req, req_len, &out, errmsg);
  if (code != PG_CODE_OK)
    return code;
  if (lb->corrupt_reply) {
    static const uint8_t bad[] = {0x08};
    out.data = bad;
    out.len = 1;
  }
  uint8_t *copy = pg_arena_alloc(reply->arena, out.len, 1);
  if (!copy && out.len)
    return PG_CODE_RESOURCE_EXHAUSTED;
  if (out.len)
    memcpy(copy, out.data, out.len);
  reply->data = copy;
  reply->len = out.len;
  return PG_CODE_OK;
}

static int echo_dispatch(const void *h, void *ctx, const char *method,
                         const uint8_t *req, size_t req_len, pg_buf *reply,
                         const char **errmsg) {
  return pgtest_Echo_dispatch(h, ctx, method, req, req_len, reply, errmsg);
}

static int say(void *ctx, const pgtest_Scalars *req, pgtest_Scalars *resp,
               pg_arena *arena, const char **errmsg) {
  if (req->i32 < 0) {
    *errmsg = "negative";
    return PG_CODE_OUT_OF_RANGE;
  }
  *resp = *req;
  resp->i32 = req->i32 + 1;
  char *s = pg_arena_alloc(arena, 6, 1);
  memcpy(s, "reply", 6);
  resp->str = pg_str(s);
  return PG_CODE_OK;
}

static const pgtest_Echo_handlers echo_handlers = {.Say = say};

static void test_names_and_descriptor(void) {
  ASSERT_STR_EQ(pgtest_Echo_NAME, "pgtest.Echo");
  ASSERT_STR_EQ(pgtest_Echo_Say_PATH, "/pgtest.Echo/Say");
  ASSERT_STR_EQ(pgtest_Echo_desc.name, "pgtest.Echo");
  ASSERT_EQ(pgtest_Echo_desc.n_methods, 3);
  ASSERT_STR_EQ(pgtest_Echo_desc.methods[1].path, "/pgtest.Echo/Nest");
  ASSERT_STR_EQ(pgtest_Echo_desc.methods[1].response->full_name,
                "pgtest.Everything.Inner");
  ASSERT_STR_EQ(log_v1_LogService_NAME, "log.v1.LogService");
  ASSERT_STR_EQ(log_v1_LogService_Log_PATH, "/log.v1.LogService/Log");
  ASSERT_EQ(file_v1_FileService_desc.n_methods, 8);
  ASSERT_STR_EQ(file_v1_FileService_desc.methods[0].name, "Open");
  ASSERT_STR_EQ(file_v1_FileService_Delete_PATH, "/file.v1.FileService/Delete");
}

static void test_stub_round_trip(void) {
  loopback lb = {echo_dispatch, &echo_handlers, NULL, NULL, 0, false};
  pg_client client = {loopback_call, &lb};
  pg_arena arena;
  pg_arena_init(&arena, client_mem, sizeof client_mem);
  pgtest_Scalars req = {0}, resp;
  req.i32 = 41;
  req.u64 = UINT64_MAX;
  const char *err = "unset";
  ASSERT_EQ(pgtest_Echo_Say(&client, &req, &resp, &arena, &err), PG_CODE_OK);
  ASSERT_TRUE(err == NULL);
  ASSERT_STR_EQ(lb.last_service, "pgtest.Echo");
  ASSERT_STR_EQ(lb.last_method, "Say");
  ASSERT_EQ(resp.i32, 42);
  ASSERT_U64_EQ(resp.u64, UINT64_MAX);
  ASSERT_STR_EQ(resp.str.data, "reply");
  /* the handler's error code and message come back */
  req.i32 = -1;
  ASSERT_EQ(pgtest_Echo_Say(&client, &req, &resp, &arena, &err),
            PG_CODE_OUT_OF_RANGE);
  ASSERT_STR_EQ(err, "negative");
}

static void test_unimplemented_and_transport_errors(void) {
  loopback lb = {echo_dispatch, &echo_handlers, NULL, NULL, 0, false};
  pg_client client = {loopback_call, &lb};
  pg_arena arena;
  pg_arena_init(&arena, client_mem, sizeof client_mem);
  pgtest_Empty e = {0}, out;
  const char *err = NULL;
  ASSERT_EQ(pgtest_Echo_Nothing(&client, &e, &out, &arena, &err),
            PG_CODE_UNIMPLEMENTED); /* NULL handler */
  ASSERT_STR_EQ(err, "method not implemented");
  lb.force_code = PG_CODE_UNAVAILABLE;
  pgtest_Scalars req = {0}, resp;
  ASSERT_EQ(pgtest_Echo_Say(&client, &req, &resp, &arena, &err),
            PG_CODE_UNAVAILABLE);
  ASSERT_STR_EQ(err, "forced");
  lb.force_code = 0;
  lb.corrupt_reply = true;
  ASSERT_EQ(pgtest_Echo_Say(&client, &req, &resp, &arena, &err),
            PG_CODE_INTERNAL);
  ASSERT_STR_EQ(err, "reply does not decode");
  lb.corrupt_reply = false;
  pg_arena tiny;
  uint8_t tiny_mem[4];
  pg_arena_init(&tiny, tiny_mem, sizeof tiny_mem);
  req.str = pg_str("longer than four bytes");
  ASSERT_EQ(pgtest_Echo_Say(&client, &req, &resp, &tiny, &err),
            PG_CODE_RESOURCE_EXHAUSTED);
}

static void test_dispatch_directly(void) {
  pg_arena arena;
  pg_arena_init(&arena, server_mem, sizeof server_mem);
  pg_buf reply = {NULL, 0, &arena};
  const char *err = NULL;
  static const uint8_t req[] = {0x08, 0x05}; /* i32 = 5 */
  ASSERT_EQ(pgtest_Echo_dispatch(&echo_handlers, NULL, "/pgtest.Echo/Say",
                                 req, sizeof req, &reply, &err),
            PG_CODE_OK);
  pgtest_Scalars out;
  ASSERT_EQ(pgtest_Scalars_decode(&out, reply.data, reply.len, &arena, NULL),
            PG_WIRE_OK);
  ASSERT_EQ(out.i32, 6);
  ASSERT_EQ(pgtest_Echo_dispatch(&echo_handlers, NULL, "Shout", req,
                                 sizeof req, &reply, &err),
            PG_CODE_UNIMPLEMENTED);
  ASSERT_STR_EQ(err, "unknown method");
  ASSERT_EQ(pgtest_Echo_dispatch(&echo_handlers, NULL, "/other.Svc/Say", req,
                                 sizeof req, &reply, &err),
            PG_CODE_UNIMPLEMENTED);
  ASSERT_EQ(pgtest_Echo_dispatch(&echo_handlers, NULL, NULL, req, sizeof req,
                                 &reply, &err),
            PG_CODE_UNIMPLEMENTED);
  static const uint8_t bad[] = {0x08, 0x96}; /* truncated varint */
  ASSERT_EQ(pgtest_Echo_dispatch(&echo_handlers, NULL, "Say", bad, sizeof bad,
                                 &reply, &err),
            PG_CODE_INVALID_ARGUMENT);
  ASSERT_STR_EQ(err, "request does not decode");
  ASSERT_EQ(pgtest_Echo_dispatch(NULL, NULL, "Say", req, sizeof req, &reply,
                                 &err),
            PG_CODE_UNIMPLEMENTED);
}

/* A LogService server that checks what arrives. */
static int got_fields;
static int log_handler(void *ctx, const log_v1_LogRequest *req,
                       log_v1_LogResponse *resp, pg_arena *arena,
                       const char **errmsg) {
  got_fields = (int)req->n_fields;
  if (req->level != log_v1_Level_LEVEL_WARN || strcmp(req->message.data, "disk") ||
      req->n_fields != 2 || strcmp(req->fields[1].value.data, "93%"))
    return PG_CODE_INVALID_ARGUMENT;
  return PG_CODE_OK;
}

static int log_dispatch(const void *h, void *ctx, const char *method,
                        const uint8_t *req, size_t req_len, pg_buf *reply,
                        const char **errmsg) {
  return log_v1_LogService_dispatch(h, ctx, method, req, req_len, reply, errmsg);
}

static void test_log_service(void) {
  static const log_v1_LogService_handlers handlers = {.Log = log_handler};
  loopback lb = {log_dispatch, &handlers, NULL, NULL, 0, false};
  pg_client client = {loopback_call, &lb};
  pg_arena arena;
  pg_arena_init(&arena, client_mem, sizeof client_mem);
  log_v1_Field fields[2] = {{pg_str("volume"), pg_str("/data")},
                            {pg_str("used"), pg_str("93%")}};
  log_v1_LogRequest req = {log_v1_Level_LEVEL_WARN, pg_str("disk"), 2, fields};
  log_v1_LogResponse resp;
  ASSERT_EQ(log_v1_LogService_Log(&client, &req, &resp, &arena, NULL),
            PG_CODE_OK);
  ASSERT_EQ(got_fields, 2);
  ASSERT_STR_EQ(lb.last_service, "log.v1.LogService");
}

int main(void) {
  PG_RUN(test_names_and_descriptor);
  PG_RUN(test_stub_round_trip);
  PG_RUN(test_unimplemented_and_transport_errors);
  PG_RUN(test_dispatch_directly);
  PG_RUN(test_log_service);
  return PG_DONE();
}
