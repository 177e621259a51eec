/*
 * sched.c: the kernel's event loop. Every replica is an engine instance run
 * as a coroutine: the loop takes the next runnable replica from a FIFO run
 * queue and runs it for one time slice (a fuel budget), until it blocks in
 * a syscall (the host function yields), runs out of fuel (back of the
 * queue), exits or traps. Between slices it fires due timers (call
 * deadlines, serve/wait timeouts, restart backoff, shutdown grace) and
 * drains the inbox, through which other threads and the signal handler
 * reach the loop. When nothing is runnable it sleeps in ppoll() until the
 * next timer or an inbox event.
 *
 * --deterministic: the clock is virtual. It advances by a fixed step plus
 * one ns per executed instruction at every scheduling decision and jumps to
 * the next timer when the loop is idle; guests' WASI clocks, their random
 * bytes (a PRNG seeded from --seed, the program and the replica) and the
 * log's timestamps all derive from it, so the same app prints the same log.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kernel/kernel_internal.h"

/* Virtual time: 2026-01-01T00:00:00Z, and the cost of one decision. */
#define PG__VIRTUAL_EPOCH_NS (1767225600ull * 1000000000ull)
#define PG__VIRTUAL_STEP_NS 1000u

/* ---- clock ------------------------------------------------------------- */

static uint64_t clock_ns(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t pg__now(pg__kernel *k) {
  return k->opts.deterministic ? k->vnow : clock_ns(CLOCK_MONOTONIC);
}

uint64_t pg__wall_ns(pg__kernel *k) {
  return k->opts.deterministic ? PG__VIRTUAL_EPOCH_NS + k->vnow
                               : clock_ns(CLOCK_REALTIME);
}

/* ---- timers: a binary min-heap by (when, seq) ------------------------- */

static bool timer_before(const pg__timer *a, const pg__timer *b) {
  return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void heap_set(pg__kernel *k, size_t i, pg__timer *t) {
  k->heap[i] = t;
  t->heap_index = (uint32_t)i;
}

static void sift_up(pg__kernel *k, size_t i) {
  pg__timer *t = k->heap[i];
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (!timer_before(t, k->heap[parent])) break;
    heap_set(k, i, k->heap[parent]);
    i = parent;
  }
  heap_set(k, i, t);
}

static void sift_down(pg__kernel *k, size_t i) {
  pg__timer *t = k->heap[i];
  for (;;) {
    size_t child = 2 * i + 1;
    if (child >= k->nheap) break;
    if (child + 1 < k->nheap && timer_before(k->heap[child + 1], k->heap[child]))
      child++;
    if (!timer_before(k->heap[child], t)) break;
    heap_set(k, i, k->heap[child]);
    i = child;
  }
  heap_set(k, i, t);
}

void pg__timer_arm(pg__kernel *k, pg__timer *t, pg__timer_kind kind,
                   void *owner, uint64_t when) {
  pg__timer_cancel(k, t);
  if (k->nheap == k->cap_heap) {
    size_t cap = k->cap_heap ? 2 * k->cap_heap : 64;
    pg__timer **heap = realloc(k->heap, cap * sizeof *heap);
    /* Out of memory: the timer never fires. Deadlines then rely on the
     * peer; nothing unsafe happens. */
    if (!heap) return;
    k->heap = heap;
    k->cap_heap = cap;
  }
  t->when = when;
  t->seq = k->timer_seq++;
  t->kind = kind;
  t->owner = owner;
  k->heap[k->nheap] = t;
  t->heap_index = (uint32_t)k->nheap++;
  sift_up(k, t->heap_index);
}

void pg__timer_cancel(pg__kernel *k, pg__timer *t) {
  if (t->heap_index == PG__TIMER_IDLE) return;
  size_t i = t->heap_index;
  t->heap_index = PG__TIMER_IDLE;
  pg__timer *last = k->heap[--k->nheap];
  if (i == k->nheap) return;
  heap_set(k, i, last);
  sift_up(k, i);
  sift_down(k, last->heap_index);
}

static void fire(pg__kernel *k, pg__timer *t) {
  switch (t->kind) {
  case PG__TIMER_CALL_DEADLINE:
    pg__deadline_due(k, t->owner);
    break;
  case PG__TIMER_BLOCK_TIMEOUT:
    pg__block_timeout_due(k, t->owner);
    break;
  case PG__TIMER_RESTART:
    pg__restart_due(k, t->owner);
    break;
  case PG__TIMER_STOP_GRACE:
    pg__kernel_grace_due(k, t->owner);
    break;
  }
}

static void fire_due_timers(pg__kernel *k) {
  if (k->nheap == 0) return;
  uint64_t now = pg__now(k);
  while (k->nheap > 0 && k->heap[0]->when <= now) {
    pg__timer *t = k->heap[0];
    pg__timer_cancel(k, t);
    fire(k, t);
  }
}

/* ---- run queue --------------------------------------------------------- */

void pg__enqueue(pg__kernel *k, pg__replica *r) {
  r->state = PG__R_RUNNABLE;
  r->rq_next = NULL;
  if (k->rq_tail)
    k->rq_tail->rq_next = r;
  else
    k->rq_head = r;
  k->rq_tail = r;
}

static pg__replica *dequeue(pg__kernel *k) {
  pg__replica *r = k->rq_head;
  if (!r) return NULL;
  k->rq_head = r->rq_next;
  if (!k->rq_head) k->rq_tail = NULL;
  r->rq_next = NULL;
  return r;
}

void pg__wake(pg__kernel *k, pg__replica *r, int32_t status) {
  if (r->state == PG__R_BLOCK_SERVE) pg__idle_remove(r->prog, r);
  pg__timer_cancel(k, &r->timer);
  r->resume_cell = (pg_cell)(uint32_t)status;
  r->has_result = true;
  pg__enqueue(k, r);
}

/* One time slice of r. */
static void run_slice(pg__kernel *k, pg__replica *r) {
  pg_instance *inst = r->inst;
  r->state = PG__R_RUNNING;
  k->current = r;
  pg_instance_set_fuel(inst, k->fuel_slice);
  pg_status st;
  if (!r->started) {
    r->started = true;
    st = pg_instance_invoke(inst, r->start, NULL, 0);
  } else if (r->has_result) {
    r->has_result = false;
    st = pg_instance_resume(inst, &r->resume_cell, 1);
  } else {
    st = pg_instance_resume(inst, NULL, 0);
  }
  k->current = NULL;
  if (k->opts.deterministic)
    k->vnow += PG__VIRTUAL_STEP_NS + (k->fuel_slice - pg_instance_fuel(inst));
  pg__replica_settle(k, r, st);
}

/* ---- signals and the inbox --------------------------------------------- */

/* The handler may only touch these: a flag and the self-pipe's write end. */
static volatile sig_atomic_t signal_received;
static volatile int signal_wfd = -1;
static struct sigaction old_int, old_term;

static void on_signal(int signo) {
  int saved = errno;
  signal_received = signo;
  if (signal_wfd >= 0) {
    ssize_t n = write(signal_wfd, "s", 1);
    (void)n; /* a full pipe already wakes the loop */
  }
  errno = saved;
}

int pg__signals_install(pg__kernel *k) {
  signal_received = 0;
  signal_wfd = k->inbox.wfd;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGINT, &sa, &old_int) != 0) return -1;
  if (sigaction(SIGTERM, &sa, &old_term) != 0) return -1;
  return 0;
}

void pg__signals_restore(void) {
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGTERM, &old_term, NULL);
  signal_wfd = -1;
}

int pg__inbox_init(pg__inbox *in) {
  memset(in, 0, sizeof *in);
  int fds[2];
  if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) return -1;
  in->rfd = fds[0];
  in->wfd = fds[1];
  pthread_mutex_init(&in->mu, NULL);
  atomic_init(&in->pending, 0);
  return 0;
}

void pg__inbox_destroy(pg__inbox *in) {
  pg__inbox_event *e = in->head;
  while (e) {
    pg__inbox_event *next = e->next;
    /* Every kind but a signal carries a malloc'd record (or NULL). */
    if (e->kind != PG__EV_SIGNAL) free(e->data);
    free(e);
    e = next;
  }
  close(in->rfd);
  close(in->wfd);
  pthread_mutex_destroy(&in->mu);
}

int pg__inbox_post(pg__inbox *in, int kind, void *data) {
  pg__inbox_event *e = malloc(sizeof *e);
  if (!e) return -1;
  *e = (pg__inbox_event){.kind = kind, .data = data};
  pthread_mutex_lock(&in->mu);
  if (in->tail)
    in->tail->next = e;
  else
    in->head = e;
  in->tail = e;
  int before = atomic_fetch_add_explicit(&in->pending, 1, memory_order_release);
  pthread_mutex_unlock(&in->mu);
  /* Only the first event after the loop's last take needs to wake it: the
   * loop empties the pipe before it takes the list, so events that find
   * others pending are taken with them. Under load (16 calls in flight
   * over NATS) this saves a write per event. */
  if (before == 0) {
    ssize_t n = write(in->wfd, "e", 1);
    (void)n; /* a full pipe already wakes the loop */
  }
  return 0;
}

static void drain_pipe(pg__inbox *in) {
  char buf[64];
  while (read(in->rfd, buf, sizeof buf) > 0) {
  }
}

/* Runs one event on the loop; its record (e->data) is consumed. */
static void handle_event(pg__kernel *k, pg__inbox_event *e) {
  switch (e->kind) {
  case PG__EV_SIGNAL:
    pg__kernel_signal(k, (int)(intptr_t)e->data);
    break;
  case PG__EV_REMOTE_REPLY:
    pg__remote_reply(k, e->data);
    break;
  case PG__EV_REMOTE_REQUEST:
    pg__remote_request(k, e->data);
    break;
  case PG__EV_NATS_STATUS:
    pg__remote_status(k, e->data);
    break;
  case PG__EV_CLUSTER:
    pg__cluster_pump(k);
    break;
  default:
    free(e->data);
    break;
  }
}

static void drain_inbox(pg__kernel *k) {
  pg__inbox *in = &k->inbox;
  drain_pipe(in);
  if (signal_received) {
    int signo = signal_received;
    signal_received = 0;
    pg__kernel_signal(k, signo);
  }
  if (atomic_load_explicit(&in->pending, memory_order_acquire) == 0) return;
  pthread_mutex_lock(&in->mu);
  pg__inbox_event *e = in->head;
  in->head = in->tail = NULL;
  atomic_store_explicit(&in->pending, 0, memory_order_relaxed);
  pthread_mutex_unlock(&in->mu);
  while (e) {
    pg__inbox_event *next = e->next;
    handle_event(k, e);
    free(e);
    e = next;
  }
}

/* Nothing runnable: sleep until the next timer or an inbox event. */
static void idle_wait(pg__kernel *k) {
  struct pollfd pfd = {.fd = k->inbox.rfd, .events = POLLIN};
  if (k->opts.deterministic && k->nheap > 0) {
    if (k->heap[0]->when > k->vnow) k->vnow = k->heap[0]->when;
    return; /* virtual time jumps; nothing real to wait for */
  }
  struct timespec ts, *timeout = NULL;
  if (k->nheap > 0) {
    uint64_t now = pg__now(k), when = k->heap[0]->when;
    uint64_t wait = when > now ? when - now : 0;
    ts.tv_sec = (time_t)(wait / 1000000000ull);
    ts.tv_nsec = (long)(wait % 1000000000ull);
    timeout = &ts;
  }
  ppoll(&pfd, 1, timeout, NULL);
}

void pg__loop(pg__kernel *k, pg__until_fn until) {
  while (!until(k)) {
    if (signal_received ||
        atomic_load_explicit(&k->inbox.pending, memory_order_relaxed))
      drain_inbox(k);
    fire_due_timers(k);
    pg__replica *r = dequeue(k);
    if (r) {
      run_slice(k, r);
      continue;
    }
    if (until(k)) break;
    idle_wait(k);
  }
}
