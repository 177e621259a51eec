/*
 * client.c: the parigot side of the NATS benchmark (bench/nats/run.sh).
 * A `main` program that makes Echo calls (bench/kernel's
 * bench.v1.EchoService: 100-byte request, 100-byte reply) on the
 * echo_server program — in the same process, or on another node over NATS;
 * the program does not know which. For each concurrency given it times
 * CALLS calls and prints one line:
 *
 *   bench: concurrency 16: 20000 calls, p50 123.4 us, p99 456.7 us,
 *          54321 calls/s
 *
 * (one line). Concurrency 1 uses the generated blocking stub, as most code
 * does; more keeps that many calls in flight with parigot_call_start /
 * parigot_call_wait_any (fan-out). Latency is from start to reply
 * collected, on the guest's monotonic clock.
 *
 *   client CALLS CONCURRENCY...
 *
 * Exits 1 on the first failed call or wrong reply.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handler.h"
#include "parigot/parigot.h"

#define MAX_CALLS 1000000
#define MAX_SLOTS 64

static uint8_t payload[BENCH_PAYLOAD];
static uint32_t latency_ns[MAX_CALLS]; /* one run's calls, in finish order */
static uint8_t arena_storage[16 * 1024];
static pg_arena arena;
static pg_client echo;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int checked(int code, const bench_v1_Blob *resp, const char *err) {
  if (code == PG_CODE_OK && resp->data.len == BENCH_PAYLOAD &&
      memcmp(resp->data.data, payload, BENCH_PAYLOAD) == 0)
    return 0;
  printf("bench: call failed: %s %s\n", pg_code_name(code),
         err ? err : "(wrong reply bytes)");
  return -1;
}

/* One call at a time through the generated stub. */
static int run_blocking(long calls) {
  bench_v1_Blob req = {{payload, sizeof payload}}, resp;
  for (long i = 0; i < calls; i++) {
    const char *err = NULL;
    pg_arena_reset(&arena);
    uint64_t t0 = now_ns();
    int code = bench_v1_EchoService_Echo(&echo, &req, &resp, &arena, &err);
    latency_ns[i] = (uint32_t)(now_ns() - t0);
    if (checked(code, &resp, err) < 0)
      return -1;
  }
  return 0;
}

/* `slots` calls in flight until `calls` are done. */
static int run_fan_out(long calls, size_t slots) {
  static parigot_call inflight[MAX_SLOTS];
  static uint64_t started[MAX_SLOTS];
  bench_v1_Blob req = {{payload, sizeof payload}}, resp;
  long sent = 0, done = 0;
  for (size_t i = 0; i < slots && sent < calls; i++, sent++) {
    started[i] = now_ns();
    parigot_call_start(&echo, &bench_v1_EchoService_desc, 0, &req,
                       &inflight[i]);
  }
  while (done < calls) {
    size_t i;
    const char *err = NULL;
    if (parigot_call_wait_any(inflight, slots, &i) != PG_CODE_OK)
      return -1;
    pg_arena_reset(&arena);
    int code = parigot_call_finish(&inflight[i], &resp, &arena, &err);
    latency_ns[done++] = (uint32_t)(now_ns() - started[i]);
    if (checked(code, &resp, err) < 0)
      return -1;
    if (sent < calls) {
      sent++;
      started[i] = now_ns();
      parigot_call_start(&echo, &bench_v1_EchoService_desc, 0, &req,
                         &inflight[i]);
    }
  }
  return 0;
}

static int by_value(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

static int measure(long calls, size_t slots) {
  long warm = calls / 10 + 1;
  int rc = slots == 1 ? run_blocking(warm) : run_fan_out(warm, slots);
  if (rc < 0)
    return -1;
  uint64_t t0 = now_ns();
  rc = slots == 1 ? run_blocking(calls) : run_fan_out(calls, slots);
  uint64_t wall = now_ns() - t0;
  if (rc < 0)
    return -1;
  qsort(latency_ns, (size_t)calls, sizeof latency_ns[0], by_value);
  printf("bench: concurrency %zu: %ld calls, p50 %.1f us, p99 %.1f us, "
         "%.0f calls/s\n",
         slots, calls, latency_ns[calls / 2] / 1e3,
         latency_ns[calls * 99 / 100] / 1e3, calls * 1e9 / (double)wall);
  return 0;
}

int main(int argc, char **argv) {
  long calls = argc > 1 ? atol(argv[1]) : 10000;
  if (calls < 1 || calls > MAX_CALLS)
    calls = 10000;
  for (size_t i = 0; i < sizeof payload; i++)
    payload[i] = (uint8_t)(i * 7);
  pg_arena_init(&arena, arena_storage, sizeof arena_storage);
  if (parigot_require(bench_v1_EchoService_NAME) != PG_CODE_OK ||
      parigot_run() != PG_CODE_OK ||
      parigot_locate(bench_v1_EchoService_NAME, &echo) != PG_CODE_OK) {
    fprintf(stderr, "client: %s\n", parigot_last_error());
    return 2;
  }
  for (int a = 2; a < argc || a == 2; a++) {
    long slots = a < argc ? atol(argv[a]) : 1;
    if (slots < 1 || slots > MAX_SLOTS) {
      fprintf(stderr, "client: concurrency %ld: not in 1..%d\n", slots,
              MAX_SLOTS);
      return 2;
    }
    if (measure(calls, (size_t)slots) < 0)
      return 1;
  }
  return 0;
}
