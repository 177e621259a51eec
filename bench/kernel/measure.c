/*
 * measure.c: the timing loops of the kernel benchmark (see measure.h).
 * Portable C: it runs as wasm32 inside parigot and natively.
 */
#include "measure.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static uint8_t arena_storage[8 * 1024];
static pg_arena arena;
static uint8_t payload[BENCH_PAYLOAD];

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void bench_init(void) {
  pg_arena_init(&arena, arena_storage, sizeof arena_storage);
  for (size_t i = 0; i < sizeof payload; i++)
    payload[i] = (uint8_t)(i * 7);
}

static int call_locally(void *ctx, const char *service, const char *method,
                        const uint8_t *req, size_t req_len, pg_buf *reply,
                        const char **errmsg) {
  (void)ctx;
  (void)service;
  return bench_v1_EchoService_dispatch(&bench_handlers, NULL, method, req,
                                       req_len, reply, errmsg);
}

pg_client bench_local_client(void) {
  pg_client client = {call_locally, NULL};
  return client;
}

static bool reply_ok(const bench_v1_Blob *resp) {
  return resp->data.len == BENCH_PAYLOAD &&
         memcmp(resp->data.data, payload, BENCH_PAYLOAD) == 0;
}

double bench_time_stub(const pg_client *client, long calls) {
  bench_v1_Blob req = {{payload, sizeof payload}}, resp;
  uint64_t start = now_ns();
  for (long i = 0; i < calls; i++) {
    const char *err = NULL;
    pg_arena_reset(&arena);
    int code = bench_v1_EchoService_Echo(client, &req, &resp, &arena, &err);
    if (code != PG_CODE_OK || (i == 0 && !reply_ok(&resp))) {
      printf("bench: call %ld: %s %s\n", i, pg_code_name(code),
             err ? err : "(wrong reply bytes)");
      return -1;
    }
  }
  return (double)(now_ns() - start) / (double)calls;
}

double bench_time_handler(long calls) {
  bench_v1_Blob req = {{payload, sizeof payload}}, resp;
  uint64_t start = now_ns();
  for (long i = 0; i < calls; i++) {
    const char *err = NULL;
    pg_arena_reset(&arena);
    memset(&resp, 0, sizeof resp);
    if (bench_echo(NULL, &req, &resp, &arena, &err) != PG_CODE_OK)
      return -1;
    /* Keep the compiler from hoisting the call out of the loop. */
    __asm__ volatile("" : : "r"(resp.data.data) : "memory");
  }
  return (double)(now_ns() - start) / (double)calls;
}

void bench_report(const char *what, double ns, double round_trip_ns) {
  printf("bench: %-36s %9.1f ns/call %12.0f calls/s   round trip = %.1fx\n",
         what, ns, 1e9 / ns, round_trip_ns / ns);
}
