/*
 * badptr.c: the programs of the broken app badptr.yaml, on the raw syscall
 * ABI (include/parigot/abi.h; the SDK never passes bad pointers). argv[1]
 * picks the side:
 *   server  exports broken.v1.Raw, then passes bad pointers to export,
 *           serve and respond before answering each call properly;
 *   main    requires broken.v1.Raw, then passes bad pointers to require,
 *           export, locate, call, wait and result, and checks that every
 *           one returns INVALID_ARGUMENT (docs/abi.md: "nothing is read or
 *           written") while good calls keep working around them; then
 *           forges handles and ids: a service it did not require
 *           (PERMISSION_DENIED, docs/abi.md "Rules the kernel enforces"),
 *           unknown call ids (NOT_FOUND), declarations after run()
 *           (FAILED_PRECONDITION).
 * "Bad" means: far outside memory, straddling the end of memory, wrapping
 * around 2^32, and lengths larger than memory. Each side prints
 * "WRONG: ..." per failed check and a summary line; the server also sends
 * its count of failed checks in every reply, so main's exit status (0 when
 * everything held) covers both sides.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "parigot/abi.h"

#define IMPORT(n) __attribute__((import_module("parigot"), import_name(n)))
IMPORT("require") int32_t sys_require(uint32_t name, uint32_t len);
IMPORT("export") int32_t sys_export(uint32_t name, uint32_t len);
IMPORT("run") int32_t sys_run(void);
IMPORT("locate") int32_t sys_locate(uint32_t name, uint32_t len, uint32_t out);
IMPORT("call")
int32_t sys_call(uint32_t handle, uint32_t method, uint32_t method_len,
                 uint32_t req, uint32_t req_len, uint32_t timeout_ms,
                 uint32_t out_id);
IMPORT("wait")
int32_t sys_wait(uint32_t ids, uint32_t count, uint32_t timeout_ms,
                 uint32_t out_index);
IMPORT("result")
int32_t sys_result(uint32_t id, uint32_t buf, uint32_t cap, uint32_t out);
IMPORT("serve")
int32_t sys_serve(uint32_t buf, uint32_t cap, uint32_t out,
                  uint32_t timeout_ms);
IMPORT("respond")
int32_t sys_respond(uint32_t id, int32_t status, uint32_t reply,
                    uint32_t reply_len, uint32_t msg, uint32_t msg_len);

#define INVALID_ARGUMENT 3
#define NOT_FOUND 5
#define PERMISSION_DENIED 7
#define FAILED_PRECONDITION 9
#define SERVICE "broken.v1.Raw"
#define SERVICE_LEN ((uint32_t)(sizeof SERVICE - 1))
#define FAR 0xfffffff0u /* far past any memory this program has */

static int checks, wrong;

/* A guest address as the ABI passes it. */
#define ADDR(p) ((uint32_t)(uintptr_t)(p))

/* One past the last byte of memory 0. */
static uint32_t memory_end(void) {
  return (uint32_t)(__builtin_wasm_memory_size(0) * 65536u);
}

static void expect(int32_t got, int32_t want, const char *what) {
  checks++;
  if (got != want) {
    wrong++;
    printf("WRONG: %s returned %d, expected %d\n", what, got, want);
  }
}
#define EXPECT_INVALID(expr) expect((expr), INVALID_ARGUMENT, #expr)
#define EXPECT_OK(expr) expect((expr), 0, #expr)

/* require/export: the name's range is checked. */
static void bad_declarations(void) {
  uint32_t end = memory_end();
  EXPECT_INVALID(sys_require(FAR, 8));
  EXPECT_INVALID(sys_require(end - 4, 8));       /* straddles the end */
  EXPECT_INVALID(sys_require(0xffffffffu, 2));   /* wraps around 2^32 */
  EXPECT_INVALID(sys_require(ADDR(SERVICE), end)); /* longer than memory */
  EXPECT_INVALID(sys_export(FAR, 8));
  EXPECT_INVALID(sys_export(end - 1, 2));
  EXPECT_INVALID(sys_export(0xfffffffeu, 4));
}

/* ---- the server side ---------------------------------------------------- */

static uint8_t in_buf[4096];
static parigot_abi_incoming incoming;

/* Answers one call: first bad replies and messages, then the real one,
 * which carries this side's count of failed checks. */
static void answer(void) {
  uint32_t id = incoming.call_id, end = memory_end();
  EXPECT_INVALID(sys_respond(id, 0, FAR, 16, ADDR(""), 0));
  EXPECT_INVALID(sys_respond(id, 0, end - 8, 16, ADDR(""), 0));
  EXPECT_INVALID(sys_respond(id, 0, ADDR(in_buf), 0xffffff00u, ADDR(""), 0));
  EXPECT_INVALID(sys_respond(id, 5, ADDR(""), 0, FAR, 10));
  EXPECT_INVALID(sys_respond(id, 5, ADDR(""), 0, 0xffffffffu, 2));
  char reply[64];
  int n = snprintf(reply, sizeof reply, "server-wrong=%d", wrong);
  EXPECT_OK(sys_respond(id, 0, ADDR(reply), (uint32_t)n, ADDR(""), 0));
}

static int server(void) {
  bad_declarations();
  EXPECT_OK(sys_export(ADDR(SERVICE), SERVICE_LEN));
  EXPECT_OK(sys_run());
  uint32_t end = memory_end();
  for (;;) {
    EXPECT_INVALID(sys_serve(FAR, 64, ADDR(&incoming), 0));
    EXPECT_INVALID(sys_serve(ADDR(in_buf), end, ADDR(&incoming), 0));
    EXPECT_INVALID(sys_serve(ADDR(in_buf), sizeof in_buf, FAR, 0));
    EXPECT_INVALID(sys_serve(ADDR(in_buf), sizeof in_buf, end - 4, 0));
    int32_t st = sys_serve(ADDR(in_buf), sizeof in_buf, ADDR(&incoming), 0);
    if (st != 0)
      break; /* CANCELLED: the kernel stops the app */
    answer();
  }
  printf("badptr server: %d checks, %d wrong\n", checks, wrong);
  return wrong == 0 ? 0 : 1;
}

/* ---- the main side -------------------------------------------------------- */

static uint32_t handle;
static uint8_t reply_buf[256];
static parigot_abi_result result;

/* Starts a good call to Echo; returns its id (0 and a WRONG line when it
 * does not start). */
static uint32_t start_call(void) {
  uint32_t id = 0;
  EXPECT_OK(sys_call(handle, ADDR("Echo"), 4, ADDR("ping"), 4, 0, ADDR(&id)));
  return id;
}

/* Collects call `id` and checks the server's verdict in the reply. */
static void finish_call(uint32_t id) {
  EXPECT_OK(sys_result(id, ADDR(reply_buf), sizeof reply_buf, ADDR(&result)));
  checks++;
  const char *want = "server-wrong=0";
  if (result.status != 0 || result.reply_len != strlen(want) ||
      memcmp(reply_buf, want, result.reply_len) != 0) {
    wrong++;
    printf("WRONG: reply status %d, %.*s (want OK, %s)\n", result.status,
           (int)(result.reply_len < 64 ? result.reply_len : 64),
           (const char *)reply_buf, want);
  }
}

static void bad_locate(void) {
  uint32_t end = memory_end();
  EXPECT_INVALID(sys_locate(FAR, SERVICE_LEN, ADDR(&handle)));
  EXPECT_INVALID(sys_locate(end - 4, SERVICE_LEN, ADDR(&handle)));
  EXPECT_INVALID(sys_locate(ADDR(SERVICE), SERVICE_LEN, FAR));
  EXPECT_INVALID(sys_locate(ADDR(SERVICE), SERVICE_LEN, end - 2));
  EXPECT_INVALID(sys_locate(ADDR(SERVICE), SERVICE_LEN, 0xfffffffeu));
  EXPECT_OK(sys_locate(ADDR(SERVICE), SERVICE_LEN, ADDR(&handle)));
}

static void bad_calls(void) {
  uint32_t id, end = memory_end();
  EXPECT_INVALID(sys_call(handle, FAR, 4, ADDR("ping"), 4, 0, ADDR(&id)));
  EXPECT_INVALID(sys_call(handle, end - 2, 4, ADDR("ping"), 4, 0, ADDR(&id)));
  EXPECT_INVALID(sys_call(handle, ADDR("Echo"), 4, FAR, 4, 0, ADDR(&id)));
  EXPECT_INVALID(sys_call(handle, ADDR("Echo"), 4, ADDR("ping"), end, 0,
                          ADDR(&id)));
  EXPECT_INVALID(sys_call(handle, ADDR("Echo"), 4, 0xffffffffu, 2, 0,
                          ADDR(&id)));
  EXPECT_INVALID(sys_call(handle, ADDR("Echo"), 4, ADDR("ping"), 4, 0, FAR));
  EXPECT_INVALID(sys_call(handle, ADDR("Echo"), 4, ADDR("ping"), 4, 0,
                          end - 1));
}

/* wait and result with bad pointers around one good call, which must still
 * be there (and complete) afterwards: nothing was written or forgotten. */
static void bad_waits_and_results(void) {
  uint32_t id = start_call(), index = 99, end = memory_end();
  uint32_t ids[1] = {id};
  EXPECT_INVALID(sys_wait(FAR, 1, 0, ADDR(&index)));
  EXPECT_INVALID(sys_wait(end - 2, 1, 0, ADDR(&index)));
  EXPECT_INVALID(sys_wait(ADDR(ids), 0x40000000u, 0, ADDR(&index)));
  EXPECT_INVALID(sys_wait(ADDR(ids), 1, 0, FAR));
  EXPECT_INVALID(sys_wait(ADDR(ids), 1, 0, end - 3));
  EXPECT_INVALID(sys_result(id, FAR, 64, ADDR(&result)));
  EXPECT_INVALID(sys_result(id, ADDR(reply_buf), end, ADDR(&result)));
  EXPECT_INVALID(sys_result(id, 0xffffff00u, 0x200, ADDR(&result)));
  EXPECT_INVALID(sys_result(id, ADDR(reply_buf), sizeof reply_buf, FAR));
  EXPECT_INVALID(sys_result(id, ADDR(reply_buf), sizeof reply_buf, end - 8));
  expect((int32_t)index, 99, "index untouched by the failed waits");
  EXPECT_OK(sys_wait(ADDR(ids), 1, 0, ADDR(&index)));
  expect((int32_t)index, 0, "wait's index of the good call");
  finish_call(id);
}

/* Handles and ids this program could not have been given, and
 * declarations too late: the kernel refuses them. */
static void forged_handles(void) {
  uint32_t id, out, index;
  const char *log = "log.v1.LogService"; /* exported by the kernel */
  expect(sys_locate(ADDR(log), (uint32_t)strlen(log), ADDR(&out)),
         PERMISSION_DENIED, "locate of a service it did not require");
  uint32_t forged[] = {0, handle + 1, handle - 1 ? handle - 1 : 1000,
                       0xffffffffu};
  for (size_t i = 0; i < sizeof forged / sizeof forged[0]; i++) {
    if (forged[i] == handle)
      continue;
    expect(sys_call(forged[i], ADDR("Echo"), 4, ADDR("ping"), 4, 0,
                    ADDR(&id)),
           PERMISSION_DENIED, "call through a forged handle");
  }
  uint32_t unknown[1] = {0xdeadbeefu};
  expect(sys_wait(ADDR(unknown), 1, 0, ADDR(&index)), NOT_FOUND,
         "wait for an unknown call id");
  expect(sys_result(0xdeadbeefu, ADDR(reply_buf), sizeof reply_buf,
                    ADDR(&result)),
         NOT_FOUND, "result of an unknown call id");
  expect(sys_respond(0xdeadbeefu, 0, ADDR(""), 0, ADDR(""), 0), NOT_FOUND,
         "respond to a call it is not serving");
  expect(sys_require(ADDR(SERVICE), SERVICE_LEN), FAILED_PRECONDITION,
         "require after run()");
  expect(sys_export(ADDR(SERVICE), SERVICE_LEN), FAILED_PRECONDITION,
         "export after run()");
}

static int client(void) {
  bad_declarations();
  EXPECT_OK(sys_require(ADDR(SERVICE), SERVICE_LEN));
  EXPECT_OK(sys_run());
  bad_locate();
  bad_calls();
  bad_waits_and_results();
  forged_handles();
  for (int i = 0; i < 3; i++) /* the host and the server are still fine */
    finish_call(start_call());
  printf("badptr main: %d checks, %d wrong\n", checks, wrong);
  return wrong == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "server") == 0)
    return server();
  if (argc == 2 && strcmp(argv[1], "main") == 0)
    return client();
  fprintf(stderr, "usage: badptr server|main\n");
  return 2;
}
