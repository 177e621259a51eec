/*
 * echo_client.c: the main program of the kernel benchmark. In one run it
 * times the same Echo (100-byte request, 100-byte reply) three ways:
 *   round trip  the generated client stub through the kernel to the
 *               echo_server program and back (what a service call costs);
 *   no kernel   the same generated stub, but its transport calls the
 *               generated dispatch function in this program: encoding,
 *               decoding and the handler, everything except the kernel;
 *   handler     a plain function call of the handler on decoded structs;
 * and prints calls per second, ns per call and the ratios. argv[1] is the
 * number of calls of each kind (default 200000). Exits 1 when an answer is
 * wrong.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handler.h"
#include "parigot/parigot.h"

static uint8_t arena_storage[8 * 1024];
static pg_arena arena;
static uint8_t payload[BENCH_PAYLOAD];

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The transport of the "no kernel" client: dispatches in this program. */
static int call_locally(void *ctx, const char *service, const char *method,
                        const uint8_t *req, size_t req_len, pg_buf *reply,
                        const char **errmsg) {
  (void)ctx;
  (void)service;
  return bench_v1_EchoService_dispatch(&bench_handlers, NULL, method, req,
                                       req_len, reply, errmsg);
}

static bool reply_ok(const bench_v1_Blob *resp) {
  if (resp->data.len != BENCH_PAYLOAD)
    return false;
  for (size_t i = 0; i < BENCH_PAYLOAD; i++)
    if (resp->data.data[i] != payload[i])
      return false;
  return true;
}

/* Makes `calls` Echo calls through `client`; returns ns per call, or a
 * negative number after printing the first wrong answer. */
static double time_stub(const pg_client *client, long calls) {
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

static double time_handler(long calls) {
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

static void report(const char *what, double ns, double round_trip_ns) {
  printf("bench: %-34s %9.1f ns/call %12.0f calls/s   round trip = %.1fx\n",
         what, ns, 1e9 / ns, round_trip_ns / ns);
}

int main(int argc, char **argv) {
  long calls = argc > 1 ? atol(argv[1]) : 200000;
  if (calls < 1)
    calls = 1;
  pg_arena_init(&arena, arena_storage, sizeof arena_storage);
  for (size_t i = 0; i < sizeof payload; i++)
    payload[i] = (uint8_t)(i * 7);
  pg_client kernel_client, local_client = {call_locally, NULL};
  if (parigot_require(bench_v1_EchoService_NAME) != PG_CODE_OK ||
      parigot_run() != PG_CODE_OK ||
      parigot_locate(bench_v1_EchoService_NAME, &kernel_client) !=
          PG_CODE_OK) {
    fprintf(stderr, "echo_client: %s\n", parigot_last_error());
    return 2;
  }
  if (time_stub(&kernel_client, calls / 10 + 1) < 0) /* warm up */
    return 1;
  double round_trip = time_stub(&kernel_client, calls);
  double no_kernel = time_stub(&local_client, calls);
  double handler = time_handler(calls);
  if (round_trip < 0 || no_kernel < 0 || handler < 0)
    return 1;
  printf("bench: %ld calls each, 100-byte request and reply\n", calls);
  report("round trip through the kernel", round_trip, round_trip);
  report("same stub + dispatch, no kernel", no_kernel, round_trip);
  report("plain call of the handler", handler, round_trip);
  /* What crossing programs adds: the SDK's transport and serve loop (wasm,
   * interpreted) plus the syscalls and the kernel's routing. */
  printf("bench: cost of crossing programs: %.1f ns per call (SDK transport "
         "+ syscalls + kernel)\n",
         round_trip - no_kernel);
  return 0;
}
