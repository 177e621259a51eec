/*
 * quoter.c: the workload of the NATS failover test (failover_test.sh). A
 * `main` program that keeps SLOTS Quote calls in flight on
 * shop.v1.PricingService (the shop's pricing.wasm, replicas on two nodes)
 * for SECONDS seconds, each with a deadline of DEADLINE_MS:
 *
 *   quoter SECONDS SLOTS DEADLINE_MS
 *
 * A call that fails with UNAVAILABLE or DEADLINE_EXCEEDED (in flight on a
 * node that died) is counted and sent again; any other failure, or a wrong
 * price, is wrong. Once a second it prints a progress line with the
 * pricing replicas that answered during that second, so the test can see
 * the survivor carry on after it kills a node:
 *
 *   quoter: second 3: 1234 ok, 2 replicas answered
 *   quoter: done: 5678 ok, 0 wrong, 3 retried (UNAVAILABLE 1,
 *           DEADLINE_EXCEEDED 2), 4 replicas seen, slowest call 812 ms
 *
 * (one line). Exits 0 when nothing was wrong and no call took longer than
 * its deadline plus a grace of GRACE_MS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "parigot/parigot.h"
#include "shop/v1/shop.pg.h"

#define MAX_SLOTS 64
#define MAX_TAGS 16
/* How far past its deadline a failed call may come back: the kernel's
 * timer and the event loop's latency, not a hang. */
#define GRACE_MS 500
/* Retries are logged up to this many; then only counted. */
#define MAX_RETRY_LINES 20
/* After the workload's time, failed calls are retried this much longer
 * before they count as wrong (so a dead service cannot loop forever). */
#define RETRY_AFTER_END_MS 10000

typedef struct tag_set {
  uint64_t tags[MAX_TAGS];
  size_t n;
} tag_set;

static void tag_add(tag_set *set, uint64_t tag) {
  for (size_t i = 0; i < set->n; i++)
    if (set->tags[i] == tag)
      return;
  if (set->n < MAX_TAGS)
    set->tags[set->n++] = tag;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

typedef struct workload {
  pg_client pricing;
  parigot_call calls[MAX_SLOTS];
  double started[MAX_SLOTS]; /* now_ms() when calls[i] was started */
  uint32_t quantity[MAX_SLOTS];
  long ok, wrong, unavailable, deadline;
  double slowest_ms;
  tag_set all, this_second;
} workload;

/* Honey costs 999 cents, 10% off the unit from 10 pieces (pricing.c). */
static int64_t expected_line(uint32_t quantity) {
  int64_t unit = quantity >= 10 ? 999 * 9 / 10 : 999;
  return unit * quantity;
}

static void start_slot(workload *w, size_t i, uint32_t quantity) {
  shop_v1_Item item = {pg_str("honey"), quantity};
  shop_v1_QuoteRequest req = {&item};
  w->quantity[i] = quantity;
  w->started[i] = now_ms();
  parigot_call_start(&w->pricing, &shop_v1_PricingService_desc, 0, &req,
                     &w->calls[i]);
}

/* Collects slot i's reply; returns whether to send the same quote again. */
static bool finish_slot(workload *w, size_t i, pg_arena *arena) {
  shop_v1_QuoteResponse resp;
  const char *err = NULL;
  pg_arena_reset(arena);
  int code = parigot_call_finish(&w->calls[i], &resp, arena, &err);
  double took = now_ms() - w->started[i];
  if (took > w->slowest_ms)
    w->slowest_ms = took;
  if (code == PG_CODE_UNAVAILABLE || code == PG_CODE_DEADLINE_EXCEEDED) {
    if (code == PG_CODE_UNAVAILABLE)
      w->unavailable++;
    else
      w->deadline++;
    if (w->unavailable + w->deadline <= MAX_RETRY_LINES)
      printf("quoter: retrying after %s in %.0f ms (%s)\n",
             pg_code_name(code), took, err ? err : "");
    return true;
  }
  if (code != PG_CODE_OK || resp.line_cents != expected_line(w->quantity[i])) {
    w->wrong++;
    printf("quoter: WRONG: %s line %lld for %u honey (%s)\n",
           pg_code_name(code), (long long)resp.line_cents, w->quantity[i],
           err ? err : "");
    return false;
  }
  w->ok++;
  tag_add(&w->all, resp.priced_by);
  tag_add(&w->this_second, resp.priced_by);
  return false;
}

static int run_workload(workload *w, double seconds, size_t slots) {
  static uint8_t storage[16 * 1024];
  pg_arena arena;
  pg_arena_init(&arena, storage, sizeof storage);
  double start = now_ms(), next_report = start + 1000;
  int second = 1;
  bool stopping = false;
  for (size_t i = 0; i < slots; i++)
    start_slot(w, i, 1 + i % 12);
  for (;;) {
    size_t i;
    if (parigot_call_wait_any(w->calls, slots, &i) != PG_CODE_OK)
      break; /* nothing left in flight */
    bool again = finish_slot(w, i, &arena);
    double now = now_ms();
    if (now >= next_report) {
      printf("quoter: second %d: %ld ok, %zu replicas answered\n", second++,
             w->ok, w->this_second.n);
      w->this_second.n = 0;
      next_report += 1000;
    }
    stopping = stopping || now - start >= seconds * 1000;
    if (again && now - start >= seconds * 1000 + RETRY_AFTER_END_MS) {
      w->wrong++;
      printf("quoter: WRONG: still failing %.0f ms after the end\n",
             now - start - seconds * 1000);
      again = false;
    }
    if (again || !stopping)
      start_slot(w, i, again ? w->quantity[i] : 1 + (w->ok + i) % 12);
  }
  return 0;
}

int main(int argc, char **argv) {
  double seconds = argc > 1 ? atof(argv[1]) : 4;
  size_t slots = argc > 2 ? (size_t)atoi(argv[2]) : 4;
  uint32_t deadline_ms = argc > 3 ? (uint32_t)atoi(argv[3]) : 1000;
  if (slots < 1 || slots > MAX_SLOTS)
    slots = 4;
  static workload w;
  if (parigot_require(shop_v1_PricingService_NAME) != PG_CODE_OK ||
      parigot_run() != PG_CODE_OK ||
      parigot_locate(shop_v1_PricingService_NAME, &w.pricing) != PG_CODE_OK ||
      parigot_client_set_timeout(&w.pricing, deadline_ms) != PG_CODE_OK) {
    fprintf(stderr, "quoter: %s\n", parigot_last_error());
    return 2;
  }
  run_workload(&w, seconds, slots);
  bool too_slow = w.slowest_ms > deadline_ms + GRACE_MS;
  printf("quoter: done: %ld ok, %ld wrong, %ld retried (UNAVAILABLE %ld, "
         "DEADLINE_EXCEEDED %ld), %zu replicas seen, slowest call %.0f ms%s\n",
         w.ok, w.wrong, w.unavailable + w.deadline, w.unavailable, w.deadline,
         w.all.n, w.slowest_ms, too_slow ? " (past its deadline)" : "");
  return w.wrong || too_slow || w.ok == 0 ? 1 : 0;
}
