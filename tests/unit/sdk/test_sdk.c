/*
 * test_sdk.c: unit tests of the guest SDK (sdk/parigot.c, client.c,
 * serve.c) against the scripted fake kernel of fake_kernel.c, built
 * natively: blocking calls through generated stubs, error messages, replies
 * that outgrow the caller's arena (drained, never left with the kernel),
 * fan-out with out-of-order completion, the serve loop (routing, growth of
 * the incoming buffer, UNIMPLEMENTED, error messages, CANCELLED) and
 * export/locate errors. Run with FAKE_ABI_VERSION=2 it checks the version
 * message and exit status instead (a separate CTest).
 */
#include <stdlib.h>
#include <string.h>

#include "file/v1/file.pg.h"
#include "fake_kernel.h"
#include "parigot/parigot.h"
#include "pg_test.h"

/* The fake server behind outgoing calls: Read returns max_bytes bytes,
 * Stat fails with a message, everything else is UNIMPLEMENTED. */
void fake_answer(fake_call *c, const uint8_t *req, uint32_t req_len) {
  static uint8_t mem[4096];
  pg_arena arena;
  pg_arena_init(&arena, mem, sizeof mem);
  if (strcmp(c->method, "Read") == 0) {
    file_v1_ReadRequest rr;
    if (file_v1_ReadRequest_decode(&rr, req, req_len, &arena, NULL)) {
      c->status = PG_CODE_INVALID_ARGUMENT;
      return;
    }
    uint8_t *data = malloc(rr.max_bytes + 1);
    for (uint32_t i = 0; i < rr.max_bytes; i++)
      data[i] = (uint8_t)('a' + i % 26);
    file_v1_ReadResponse resp = {{data, rr.max_bytes}, true};
    size_t len = file_v1_ReadResponse_size(&resp);
    c->reply = malloc(len + 1);
    file_v1_ReadResponse_encode(&resp, c->reply, len, &len);
    c->reply_len = (uint32_t)len;
    free(data);
    return;
  }
  if (strcmp(c->method, "Stat") == 0) {
    c->status = PG_CODE_NOT_FOUND;
    snprintf(c->msg, sizeof c->msg, "no such file");
    return;
  }
  c->status = PG_CODE_UNIMPLEMENTED;
}

static uint8_t mem[64 * 1024];
static pg_arena arena;
static pg_client files;

static void setup(void) {
  fake_reset();
  pg_arena_init(&arena, mem, sizeof mem);
}

static void test_locate(void) {
  setup();
  pg_client other;
  ASSERT_EQ(parigot_locate("x.v1.Nope", &other), PG_CODE_PERMISSION_DENIED);
  ASSERT_STR_CONTAINS(parigot_last_error(), "x.v1.Nope");
  ASSERT_STR_CONTAINS(parigot_last_error(), "not required");
  ASSERT_EQ(parigot_locate("file.v1.FileService", &files), PG_CODE_OK);
  pg_client again;
  ASSERT_EQ(parigot_locate("file.v1.FileService", &again), PG_CODE_OK);
  ASSERT_TRUE(again.ctx == files.ctx); /* one target per service */
  pg_client fake_client = {NULL, NULL};
  ASSERT_EQ(parigot_client_set_timeout(&fake_client, 5),
            PG_CODE_INVALID_ARGUMENT);
}

static void test_blocking_call(void) {
  setup();
  file_v1_Handle h = {3};
  file_v1_ReadRequest req = {&h, 10, false, 0};
  file_v1_ReadResponse resp;
  const char *err = "unset";
  ASSERT_EQ(parigot_client_set_timeout(&files, 250), PG_CODE_OK);
  ASSERT_EQ(file_v1_FileService_Read(&files, &req, &resp, &arena, &err),
            PG_CODE_OK);
  ASSERT_EQ(resp.data.len, 10);
  ASSERT_TRUE(memcmp(resp.data.data, "abcdefghij", 10) == 0);
  ASSERT_TRUE(resp.eof);
  ASSERT_EQ(fake_pending(), 0);
  ASSERT_EQ(fake.calls[0].timeout_ms, 250);
  ASSERT_STR_EQ(fake.calls[0].method, "Read");
  parigot_client_set_timeout(&files, 0);
}

static void test_error_message(void) {
  setup();
  file_v1_StatRequest req = {pg_str("x")};
  file_v1_StatResponse resp;
  const char *err = NULL;
  ASSERT_EQ(file_v1_FileService_Stat(&files, &req, &resp, &arena, &err),
            PG_CODE_NOT_FOUND);
  ASSERT_STR_EQ(err, "no such file");
  ASSERT_TRUE(err >= (const char *)mem && err < (const char *)mem + sizeof mem);
  ASSERT_EQ(fake_pending(), 0);
}

/* A reply bigger than the arena: RESOURCE_EXHAUSTED, and the kernel does
 * not keep the call (the SDK drained it into its own grown buffer). */
static void test_reply_too_big(void) {
  setup();
  static uint8_t small[1024];
  pg_arena tiny;
  pg_arena_init(&tiny, small, sizeof small);
  file_v1_Handle h = {3};
  file_v1_ReadRequest req = {&h, 100000, false, 0};
  file_v1_ReadResponse resp;
  const char *err = NULL;
  ASSERT_EQ(file_v1_FileService_Read(&files, &req, &resp, &tiny, &err),
            PG_CODE_RESOURCE_EXHAUSTED);
  ASSERT_STR_CONTAINS(err, "does not fit in the arena");
  ASSERT_EQ(fake.result_retries, 1);
  ASSERT_EQ(fake_pending(), 0);
  /* the same reply fits a big enough arena */
  static uint8_t big[256 * 1024];
  pg_arena large;
  pg_arena_init(&large, big, sizeof big);
  ASSERT_EQ(file_v1_FileService_Read(&files, &req, &resp, &large, &err),
            PG_CODE_OK);
  ASSERT_EQ(resp.data.len, 100000);
  ASSERT_EQ(resp.data.data[99999], 'a' + 99999 % 26);
}

static void test_fan_out(void) {
  setup();
  file_v1_Handle h = {1};
  parigot_call calls[4];
  for (uint32_t i = 0; i < 3; i++) {
    file_v1_ReadRequest req = {&h, i + 1, false, 0};
    ASSERT_EQ(parigot_call_start(&files, &file_v1_FileService_desc, 2 /* Read */,
                                 &req, &calls[i]),
              PG_CODE_OK);
  }
  file_v1_StatRequest stat = {pg_str("gone")};
  ASSERT_EQ(parigot_call_start(&files, &file_v1_FileService_desc, 5 /* Stat */,
                               &stat, &calls[3]),
            PG_CODE_OK);
  ASSERT_EQ(fake_pending(), 4);
  bool seen[4] = {false};
  for (int done = 0; done < 4; done++) {
    size_t i = 99;
    ASSERT_EQ(parigot_call_wait_any(calls, 4, &i), PG_CODE_OK);
    ASSERT_EQ(i, 3 - done); /* the fake completes the last one first */
    ASSERT_EQ(calls[i].state, PARIGOT_CALL_READY);
    const char *err = NULL;
    if (i == 3) {
      file_v1_StatResponse sresp;
      ASSERT_EQ(parigot_call_finish(&calls[i], &sresp, &arena, &err),
                PG_CODE_NOT_FOUND);
      ASSERT_STR_EQ(err, "no such file");
    } else {
      file_v1_ReadResponse rresp;
      ASSERT_EQ(parigot_call_finish(&calls[i], &rresp, &arena, &err),
                PG_CODE_OK);
      ASSERT_EQ(rresp.data.len, i + 1);
    }
    ASSERT_EQ(calls[i].state, PARIGOT_CALL_IDLE);
    seen[i] = true;
  }
  ASSERT_TRUE(seen[0] && seen[1] && seen[2] && seen[3]);
  size_t i;
  ASSERT_EQ(parigot_call_wait_any(calls, 4, &i), PG_CODE_FAILED_PRECONDITION);
  ASSERT_EQ(fake_pending(), 0);
}

/* A call that cannot start is FAILED: wait_any hands it back at once and
 * finish reports why, so fan-out loops need no special case. */
static void test_fan_out_failed_start(void) {
  setup();
  parigot_call calls[2];
  file_v1_Handle h = {1};
  file_v1_ReadRequest req = {&h, 4, false, 0};
  ASSERT_EQ(parigot_call_start(&files, &file_v1_FileService_desc, 2, &req,
                               &calls[0]),
            PG_CODE_OK);
  ASSERT_EQ(parigot_call_start(&files, &file_v1_FileService_desc, 99, &req,
                               &calls[1]),
            PG_CODE_INVALID_ARGUMENT);
  ASSERT_EQ(calls[1].state, PARIGOT_CALL_FAILED);
  size_t i = 99;
  ASSERT_EQ(parigot_call_wait_any(calls, 2, &i), PG_CODE_OK);
  ASSERT_EQ(i, 1);
  file_v1_ReadResponse resp;
  ASSERT_EQ(parigot_call_finish(&calls[1], &resp, &arena, NULL),
            PG_CODE_INVALID_ARGUMENT);
  ASSERT_EQ(parigot_call_wait_any(calls, 2, &i), PG_CODE_OK);
  ASSERT_EQ(i, 0);
  ASSERT_EQ(parigot_call_finish(&calls[0], &resp, &arena, NULL), PG_CODE_OK);
  ASSERT_EQ(resp.data.len, 4);
  ASSERT_EQ(fake_pending(), 0);
}

/* ---- serving ---------------------------------------------------------- */

static int served_writes;

static int srv_write(void *ctx, const file_v1_WriteRequest *req,
                     file_v1_WriteResponse *resp, pg_arena *a,
                     const char **errmsg) {
  (void)a;
  (void)errmsg;
  if (*(int *)ctx != 42)
    return PG_CODE_INTERNAL; /* the test then sees the wrong status */
  served_writes++;
  resp->written = req->data.len;
  return PG_CODE_OK;
}

static int srv_stat(void *ctx, const file_v1_StatRequest *req,
                    file_v1_StatResponse *resp, pg_arena *a,
                    const char **errmsg) {
  (void)ctx;
  (void)resp;
  if (strcmp(req->path.data, "nested") == 0) { /* calls out, inheriting */
    file_v1_Handle h = {1};
    file_v1_ReadRequest rr = {&h, 2, false, 0};
    file_v1_ReadResponse rresp;
    return file_v1_FileService_Read(&files, &rr, &rresp, a, errmsg);
  }
  *errmsg = strcmp(req->path.data, "secret") == 0 ? "keep out" : NULL;
  return *errmsg ? PG_CODE_PERMISSION_DENIED : PG_CODE_NOT_FOUND;
}

static const file_v1_FileService_handlers handlers = {.Write = srv_write,
                                                      .Stat = srv_stat};

/* Encodes a WriteRequest with n data bytes into buf. */
static uint32_t write_request(uint8_t *buf, size_t cap, size_t n) {
  static uint8_t data[20000];
  memset(data, 'w', sizeof data);
  file_v1_Handle h = {9};
  file_v1_WriteRequest w = {&h, {data, n}, false, 0};
  size_t len;
  if (file_v1_WriteRequest_encode(&w, buf, cap, &len) != PG_WIRE_OK)
    return 0;
  return (uint32_t)len;
}

static void test_serve(void) {
  setup();
  static int ctx = 42;
  static uint8_t small[64], big[20100], stat_secret[16], stat_other[16],
      stat_nested[16];
  uint32_t small_len = write_request(small, sizeof small, 5);
  uint32_t big_len = write_request(big, sizeof big, 20000); /* > 4 KiB */
  file_v1_StatRequest s1 = {pg_str("secret")}, s2 = {pg_str("other")};
  file_v1_StatRequest s3 = {pg_str("nested")};
  size_t l1, l2, l3;
  file_v1_StatRequest_encode(&s3, stat_nested, sizeof stat_nested, &l3);
  file_v1_StatRequest_encode(&s1, stat_secret, sizeof stat_secret, &l1);
  file_v1_StatRequest_encode(&s2, stat_other, sizeof stat_other, &l2);
  ASSERT_TRUE(small_len > 0 && big_len > 20000);
  fake_incoming script[] = {
      {"file.v1.FileService", "Write", small, small_len},
      {"file.v1.FileService", "/file.v1.FileService/Write", big, big_len},
      {"file.v1.FileService", "Open", NULL, 0}, /* no handler */
      {"file.v1.FileService", "Stat", stat_secret, (uint32_t)l1},
      {"file.v1.FileService", "Stat", stat_other, (uint32_t)l2},
      {"other.v1.Service", "X", NULL, 0}, /* not exported */
      {"file.v1.FileService", "Stat", stat_nested, (uint32_t)l3},
  };
  fake.incoming = script;
  fake.n_incoming = 7;
  ASSERT_EQ(parigot_export(&file_v1_FileService_desc,
                           file_v1_FileService_dispatch_any,
                           &handlers, &ctx),
            PG_CODE_OK);
  ASSERT_EQ(parigot_export(&file_v1_FileService_desc,
                           file_v1_FileService_dispatch_any,
                           &handlers, &ctx),
            PG_CODE_ALREADY_EXISTS);
  ASSERT_STR_CONTAINS(parigot_last_error(), "already exported");
  ASSERT_EQ(parigot_serve(), PG_CODE_OK); /* ends on CANCELLED */
  ASSERT_EQ(served_writes, 2);
  ASSERT_EQ(fake.serve_retries, 1); /* grew once for the 20 KB request */
  ASSERT_EQ(fake.n_responses, 7);
  fake_response *r = fake.responses;
  file_v1_WriteResponse wresp;
  ASSERT_EQ(r[0].status, PG_CODE_OK);
  ASSERT_EQ(file_v1_WriteResponse_decode(&wresp, r[0].reply, r[0].reply_len,
                                         &arena, NULL),
            PG_WIRE_OK);
  ASSERT_EQ(wresp.written, 5);
  ASSERT_EQ(r[1].status, PG_CODE_OK);
  ASSERT_EQ(file_v1_WriteResponse_decode(&wresp, r[1].reply, r[1].reply_len,
                                         &arena, NULL),
            PG_WIRE_OK);
  ASSERT_EQ(wresp.written, 20000);
  ASSERT_EQ(r[2].status, PG_CODE_UNIMPLEMENTED);
  ASSERT_EQ(r[3].status, PG_CODE_PERMISSION_DENIED);
  ASSERT_STR_EQ(r[3].msg, "keep out");
  ASSERT_EQ(r[4].status, PG_CODE_NOT_FOUND);
  ASSERT_STR_EQ(r[4].msg, "not found"); /* no message: the code's own */
  ASSERT_EQ(r[5].status, PG_CODE_UNIMPLEMENTED);
  ASSERT_EQ(r[5].call_id, 6);
  /* the nested call inherited the incoming call's 5000 ms deadline */
  ASSERT_EQ(r[6].status, PG_CODE_OK);
  ASSERT_EQ(fake.started, 1);
  ASSERT_STR_EQ(fake.calls[0].method, "Read");
  ASSERT_EQ(fake.calls[0].timeout_ms, 5000);
  ASSERT_EQ(parigot_serve_deadline_ms(), 0);
}

int main(void) {
  PG_RUN(test_locate);
  PG_RUN(test_blocking_call);
  PG_RUN(test_error_message);
  PG_RUN(test_reply_too_big);
  PG_RUN(test_fan_out);
  PG_RUN(test_fan_out_failed_start);
  PG_RUN(test_serve);
  fake_reset();
  return PG_DONE();
}
