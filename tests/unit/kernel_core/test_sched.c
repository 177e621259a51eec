/*
 * test_sched.c: the scheduler's building blocks on their own: the timer
 * heap (random arms and cancels keep the (when, seq) order, ties fire in
 * arming order) and the thread-safe inbox (posts from several threads all
 * arrive, the self-pipe is readable).
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>

#include "kernel/kernel_internal.h"
#include "pg_test.h"

#define NTIMERS 2000

static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static void test_timer_heap_order(void) {
  pg__kernel *k = calloc(1, sizeof *k);
  pg__timer *t = calloc(NTIMERS, sizeof *t);
  ASSERT_TRUE(k && t);
  for (int i = 0; i < NTIMERS; i++) t[i].heap_index = PG__TIMER_IDLE;
  for (int round = 0; round < 5 * NTIMERS; round++) {
    pg__timer *x = &t[next_rand() % NTIMERS];
    if (next_rand() % 3 == 0)
      pg__timer_cancel(k, x);
    else /* few distinct times, so ties are common */
      pg__timer_arm(k, x, PG__TIMER_RESTART, x, next_rand() % 50);
  }
  size_t armed = 0;
  for (int i = 0; i < NTIMERS; i++) armed += t[i].heap_index != PG__TIMER_IDLE;
  ASSERT_EQ(k->nheap, armed);
  uint64_t last_when = 0, last_seq = 0;
  size_t popped = 0;
  while (k->nheap > 0) {
    pg__timer *top = k->heap[0];
    bool in_order = top->when > last_when ||
                    (top->when == last_when && top->seq >= last_seq);
    if (!in_order)
      PG_FAIL_("timer %zu out of order: when %llu seq %llu after %llu/%llu",
               popped, (unsigned long long)top->when,
               (unsigned long long)top->seq, (unsigned long long)last_when,
               (unsigned long long)last_seq);
    last_when = top->when;
    last_seq = top->seq;
    pg__timer_cancel(k, top);
    ASSERT_EQ(top->heap_index, PG__TIMER_IDLE);
    popped++;
  }
  ASSERT_EQ(popped, armed);
  free(k->heap);
  free(k);
  free(t);
}

#define POSTERS 4
#define POSTS 1000

static void *poster(void *arg) {
  pg__inbox *in = arg;
  for (int i = 0; i < POSTS; i++) pg__inbox_post(in, 99, NULL);
  return NULL;
}

static void test_inbox_from_threads(void) {
  pg__inbox in;
  ASSERT_EQ(pg__inbox_init(&in), 0);
  pthread_t th[POSTERS];
  for (int i = 0; i < POSTERS; i++) pthread_create(&th[i], NULL, poster, &in);
  for (int i = 0; i < POSTERS; i++) pthread_join(th[i], NULL);
  ASSERT_EQ(atomic_load(&in.pending), POSTERS * POSTS);
  size_t n = 0;
  for (pg__inbox_event *e = in.head; e; e = e->next) n++;
  ASSERT_EQ(n, POSTERS * POSTS);
  struct pollfd pfd = {.fd = in.rfd, .events = POLLIN};
  ASSERT_EQ(poll(&pfd, 1, 0), 1); /* a sleeping loop would wake */
  pg__inbox_destroy(&in);          /* frees the undrained events */
}

int main(void) {
  PG_RUN(test_timer_heap_order);
  PG_RUN(test_inbox_from_threads);
  return PG_DONE();
}
