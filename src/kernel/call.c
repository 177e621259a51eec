/*
 * call.c: calls between programs (docs/abi.md). A call is a pooled record
 * in a slot table: the id the guest sees is the slot plus a generation, so
 * lookups are O(1) and a stale id never finds a reused record. A call to a
 * program's service waits in that program's FIFO queue until one of its
 * replicas is blocked in serve(); the longest-idle replica gets it (a
 * deterministic first-free policy that spreads calls over replicas). A call
 * to a built-in service runs synchronously on the loop. Every call has a
 * deadline timer; when it fires the caller gets DEADLINE_EXCEEDED and a
 * late reply is dropped (respond then says NOT_FOUND).
 *
 * With --node, a call to a service whose program has no replica on this
 * node goes over NATS (remote.c sends it; it is SERVING with no server
 * until the reply event), and calls from other nodes enter a local
 * program's queue like any other (pg__call_incoming), their reply going
 * back over NATS when they complete. Every call carries a trace id and a
 * span id; a call made while serving another continues that one's trace.
 *
 * Records and their buffers are reused, so a warmed-up round trip does no
 * malloc (the target is a few µs per call).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "kernel/kernel_internal.h"

#define RECORDS_PER_CHUNK 256
#define GEN_MASK ((1u << (32 - PG__CALL_SLOT_BITS)) - 1)

/* ---- the slot table ---------------------------------------------------- */

int pg__calls_init(pg__kernel *k) {
  k->ncalls = k->cap_calls = k->nfree = 0;
  k->calls = NULL;
  k->free_slots = NULL;
  return 0;
}

void pg__calls_free(pg__kernel *k) {
  /* Records come in chunks; the first record of each chunk owns it. */
  for (uint32_t i = 0; i < k->ncalls; i++) {
    free(k->calls[i]->buf);
    free(k->calls[i]->reply_to);
  }
  for (uint32_t i = 0; i < k->ncalls; i += RECORDS_PER_CHUNK) free(k->calls[i]);
  free(k->calls);
  free(k->free_slots);
}

static int grow_table(pg__kernel *k) {
  if (k->ncalls + RECORDS_PER_CHUNK > PG__CALL_MAX_SLOTS) return -1;
  uint32_t cap = k->cap_calls + RECORDS_PER_CHUNK;
  pg__call **calls = realloc(k->calls, cap * sizeof *calls);
  if (!calls) return -1;
  k->calls = calls;
  uint32_t *slots = realloc(k->free_slots, cap * sizeof *slots);
  if (!slots) return -1;
  k->free_slots = slots;
  pg__call *chunk = calloc(RECORDS_PER_CHUNK, sizeof *chunk);
  if (!chunk) return -1;
  k->cap_calls = cap;
  /* Push in reverse so the lowest slot is handed out first. */
  for (uint32_t i = 0; i < RECORDS_PER_CHUNK; i++) {
    uint32_t slot = k->ncalls + i;
    pg__call *c = &chunk[i];
    c->id = slot | (1u << PG__CALL_SLOT_BITS);
    c->deadline.heap_index = PG__TIMER_IDLE;
    k->calls[slot] = c;
  }
  for (uint32_t i = RECORDS_PER_CHUNK; i-- > 0;)
    k->free_slots[k->nfree++] = k->ncalls + i;
  k->ncalls += RECORDS_PER_CHUNK;
  return 0;
}

static pg__call *call_alloc(pg__kernel *k) {
  if (k->nfree == 0 && grow_table(k) != 0) return NULL;
  pg__call *c = k->calls[k->free_slots[--k->nfree]];
  c->state = PG__CALL_QUEUED;
  c->waited = c->delivered = false;
  c->caller = c->server = NULL;
  c->next = c->prev = NULL;
  c->method_len = c->req_len = c->reply_len = c->msg_len = 0;
  c->status = 0;
  c->remote = false;
  return c;
}

void pg__call_release(pg__kernel *k, pg__call *c) {
  pg__timer_cancel(k, &c->deadline);
  uint32_t slot = c->id & (PG__CALL_MAX_SLOTS - 1);
  uint32_t gen = (c->id >> PG__CALL_SLOT_BITS) & GEN_MASK;
  gen = (gen + 1) & GEN_MASK;
  if (gen == 0) gen = 1; /* ids are never 0 */
  c->id = slot | gen << PG__CALL_SLOT_BITS;
  c->state = PG__CALL_FREE;
  c->caller = c->server = NULL;
  free(c->reply_to);
  c->reply_to = NULL;
  /* A huge buffer is not worth keeping for the next call. */
  if (c->cap > (1u << 20)) {
    free(c->buf);
    c->buf = NULL;
    c->cap = 0;
  }
  k->free_slots[k->nfree++] = slot;
}

pg__call *pg__call_find(pg__kernel *k, uint32_t id) {
  uint32_t slot = id & (PG__CALL_MAX_SLOTS - 1);
  if (slot >= k->ncalls) return NULL;
  pg__call *c = k->calls[slot];
  return c->id == id && c->state != PG__CALL_FREE ? c : NULL;
}

static int reserve(pg__call *c, size_t need) {
  if (need <= c->cap) return 0;
  size_t cap = c->cap ? c->cap : 256;
  while (cap < need) cap *= 2;
  uint8_t *buf = realloc(c->buf, cap);
  if (!buf) return -1;
  c->buf = buf;
  c->cap = cap;
  return 0;
}

/* ---- lists: a program's queue, a server's held calls, idle replicas ---- */

static void queue_push(pg__program *p, pg__call *c) {
  c->next = NULL;
  c->prev = p->queue_tail;
  if (p->queue_tail)
    p->queue_tail->next = c;
  else
    p->queue_head = c;
  p->queue_tail = c;
}

static void queue_remove(pg__program *p, pg__call *c) {
  if (c->prev) c->prev->next = c->next; else p->queue_head = c->next;
  if (c->next) c->next->prev = c->prev; else p->queue_tail = c->prev;
  c->next = c->prev = NULL;
}

static void held_push(pg__replica *r, pg__call *c) {
  c->prev = NULL;
  c->next = r->held;
  if (r->held) r->held->prev = c;
  r->held = c;
}

static void held_remove(pg__replica *r, pg__call *c) {
  if (c->prev) c->prev->next = c->next; else r->held = c->next;
  if (c->next) c->next->prev = c->prev;
  c->next = c->prev = NULL;
}

void pg__idle_remove(pg__program *p, pg__replica *r) {
  if (r->idle_prev) r->idle_prev->idle_next = r->idle_next;
  else if (p->idle_head == r) p->idle_head = r->idle_next;
  else return; /* not in the list */
  if (r->idle_next) r->idle_next->idle_prev = r->idle_prev;
  else p->idle_tail = r->idle_prev;
  r->idle_next = r->idle_prev = NULL;
}

static pg__replica *idle_pop(pg__program *p) {
  pg__replica *r = p->idle_head;
  if (r) pg__idle_remove(p, r);
  return r;
}

/* Takes c out of whatever list holds it. */
static void detach(pg__call *c) {
  if (c->state == PG__CALL_QUEUED && c->service->owner)
    queue_remove(c->service->owner, c);
  else if (c->state == PG__CALL_SERVING && c->server)
    held_remove(c->server, c);
  c->server = NULL;
}

/* ---- completion -------------------------------------------------------- */

void pg__call_complete(pg__kernel *k, pg__call *c, int32_t status,
                       const uint8_t *reply, size_t reply_len,
                       const char *msg, size_t msg_len) {
  pg__timer_cancel(k, &c->deadline);
  detach(c);
  if (reply_len + msg_len > PARIGOT_ABI_MAX_PAYLOAD + 4096 ||
      reserve(c, reply_len + msg_len) != 0) {
    status = PG_CODE_RESOURCE_EXHAUSTED;
    reply_len = msg_len = 0;
  }
  if (reply_len) memcpy(c->buf, reply, reply_len);
  if (msg_len) memcpy(c->buf + reply_len, msg, msg_len);
  c->reply_len = (uint32_t)reply_len;
  c->msg_len = (uint32_t)msg_len;
  c->status = status;
  c->state = PG__CALL_DONE;
  if (c->reply_to) { /* a call from another node: answer it there */
    pg__remote_respond(k, c);
    pg__call_release(k, c);
    return;
  }
  pg__replica *caller = c->caller;
  if (!caller) {
    pg__call_release(k, c);
    return;
  }
  if (caller->state == PG__R_BLOCK_RESULT && caller->a_call == c) {
    int32_t code = pg__call_collect(k, caller, c, caller->a_buf,
                                    caller->a_cap, caller->a_out);
    pg__wake(k, caller, code);
  } else if (c->waited && caller->state == PG__R_BLOCK_WAIT) {
    pg__wait_try_finish(k, caller, false);
  }
}

void pg__call_completef(pg__kernel *k, pg__call *c, int32_t status,
                        const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  size_t n = pg__vformat(msg, sizeof msg, fmt, ap);
  va_end(ap);
  pg__call_complete(k, c, status, NULL, 0, msg, n);
}

size_t pg__vformat(char *msg, size_t cap, const char *fmt, va_list ap) {
  int n = vsnprintf(msg, cap, fmt, ap);
  if (n < 0) return 0;
  return (size_t)n >= cap ? cap - 1 : (size_t)n;
}

int32_t pg__call_collect(pg__kernel *k, pg__replica *r, pg__call *c,
                         uint32_t buf, uint32_t cap, uint32_t out) {
  uint8_t *rec = pg_memory_ptr(r->inst, out, sizeof(parigot_abi_result));
  if (!rec) return PG_CODE_INVALID_ARGUMENT;
  pg__put32(rec, (uint32_t)c->status);
  pg__put32(rec + 4, c->reply_len);
  pg__put32(rec + 8, c->msg_len);
  uint64_t total = (uint64_t)c->reply_len + c->msg_len;
  if (total > cap) return PG_CODE_RESOURCE_EXHAUSTED;
  if (total > 0) {
    uint8_t *dst = pg_memory_ptr(r->inst, buf, total);
    if (!dst) return PG_CODE_INVALID_ARGUMENT;
    memcpy(dst, c->buf, total);
  }
  r->outstanding--;
  pg__call_release(k, c);
  return PG_CODE_OK;
}

/* ---- trace context ------------------------------------------------------ */

/* A random id, never 0. One getrandom at first use, not one per call (a
 * syscall would cost a good part of a local round trip). */
static uint64_t trace_random(pg__kernel *k) {
  if (!k->trace_seeded) {
    k->trace_seeded = true;
    k->trace_prng = k->opts.seed ^ 0x7472616365ull; /* "trace" */
    if (!k->opts.deterministic &&
        getrandom(&k->trace_prng, sizeof k->trace_prng, 0) !=
            (ssize_t)sizeof k->trace_prng)
      k->trace_prng ^= pg__wall_ns(k);
  }
  uint64_t v;
  while ((v = pg__splitmix64(&k->trace_prng)) == 0) {
  }
  return v;
}

static void new_trace(pg__kernel *k, pg_trace *t) {
  uint64_t hi = trace_random(k), lo = trace_random(k);
  memcpy(t->id, &hi, 8);
  memcpy(t->id + 8, &lo, 8);
  t->parent_span = 0;
}

/* A call r makes while it holds a served call continues that call's
 * trace, as its child; otherwise it starts a trace. */
static void trace_call(pg__kernel *k, pg__replica *r, pg__call *c) {
  pg__call *serving = r->held; /* the most recently delivered first */
  if (serving) {
    memcpy(c->trace.id, serving->trace.id, sizeof c->trace.id);
    c->trace.parent_span = serving->span;
  } else {
    new_trace(k, &c->trace);
  }
  c->span = trace_random(k);
}

/* ---- starting a call --------------------------------------------------- */

/* A built-in service answers at once, on the loop. */
static void call_builtin(pg__kernel *k, pg__replica *r, pg__call *c,
                         const uint8_t *req, uint32_t req_len) {
  pg__service *svc = c->service;
  if (!svc->host) {
    pg__call_completef(k, c, PG_CODE_UNAVAILABLE,
                       "service %s is unavailable: %s", svc->name,
                       svc->unavailable ? svc->unavailable : "?");
    return;
  }
  char method[PARIGOT_ABI_MAX_NAME + 1];
  memcpy(method, c->buf, c->method_len);
  method[c->method_len] = '\0';
  pg_caller who = {.program = r->prog->cfg->name, .replica = (int)r->no};
  uint8_t *reply = NULL;
  size_t reply_len = 0;
  char msg[512] = "";
  int code = svc->host->handle(svc->host, &who, method, req, req_len, &reply,
                               &reply_len, msg, sizeof msg);
  if (code == PG_CODE_OK)
    pg__call_complete(k, c, code, reply, reply_len, NULL, 0);
  else
    pg__call_complete(k, c, code, NULL, 0, msg, strnlen(msg, sizeof msg));
  free(reply);
}

int32_t pg__call_start(pg__kernel *k, pg__replica *r, pg__service *svc,
                       const uint8_t *method, uint32_t method_len,
                       const uint8_t *req, uint32_t req_len,
                       uint32_t timeout_ms, uint32_t *out_id) {
  if (r->outstanding >= PARIGOT_ABI_MAX_OUTSTANDING)
    return PG_CODE_RESOURCE_EXHAUSTED;
  pg__call *c = call_alloc(k);
  if (!c) return PG_CODE_RESOURCE_EXHAUSTED;
  if (reserve(c, (size_t)method_len + req_len) != 0) {
    pg__call_release(k, c);
    return PG_CODE_RESOURCE_EXHAUSTED;
  }
  memcpy(c->buf, method, method_len);
  if (req_len) memcpy(c->buf + method_len, req, req_len);
  c->method_len = method_len;
  c->req_len = req_len;
  c->caller = r;
  c->service = svc;
  r->outstanding++;
  *out_id = c->id;
  trace_call(k, r, c);
  if (!svc->owner) {
    call_builtin(k, r, c, req, req_len);
    return PG_CODE_OK;
  }
  uint32_t ms = timeout_ms ? timeout_ms : k->app->deadline_ms;
  if (ms == 0) ms = 5000;
  c->deadline_ns = pg__now(k) + (uint64_t)ms * 1000000ull;
  pg__program *p = svc->owner;
  if (!pg__program_local(p)) { /* on another node: over NATS */
    c->state = PG__CALL_SERVING;
    c->remote = true;
    pg__timer_arm(k, &c->deadline, PG__TIMER_CALL_DEADLINE, c, c->deadline_ns);
    pg__remote_send(k, c, ms);
    return PG_CODE_OK;
  }
  if (p->stopping || p->alive_for_good == 0) {
    pg__call_completef(k, c, PG_CODE_UNAVAILABLE,
                       "service %s: program %s is not running", svc->name,
                       p->cfg->name);
    return PG_CODE_OK;
  }
  pg__timer_arm(k, &c->deadline, PG__TIMER_CALL_DEADLINE, c, c->deadline_ns);
  queue_push(p, c);
  pg__dispatch(k, p);
  return PG_CODE_OK;
}

int pg__call_incoming(pg__kernel *k, pg__service *svc, const char *method,
                      size_t method_len, const uint8_t *req, size_t req_len,
                      uint32_t timeout_ms, const pg_trace *trace,
                      const char *reply_to) {
  pg__call *c = call_alloc(k);
  if (!c) return -1;
  if (reserve(c, method_len + req_len) != 0 ||
      (reply_to && !(c->reply_to = strdup(reply_to)))) {
    pg__call_release(k, c);
    return -1;
  }
  memcpy(c->buf, method, method_len);
  if (req_len) memcpy(c->buf + method_len, req, req_len);
  c->method_len = (uint32_t)method_len;
  c->req_len = (uint32_t)req_len;
  c->service = svc;
  if (trace)
    c->trace = *trace;
  else
    new_trace(k, &c->trace);
  c->span = trace_random(k);
  uint32_t ms = timeout_ms ? timeout_ms : k->app->deadline_ms;
  c->deadline_ns = pg__now(k) + (uint64_t)(ms ? ms : 5000) * 1000000ull;
  pg__program *p = svc->owner;
  if (p->stopping || p->alive_for_good == 0) {
    pg__call_completef(k, c, PG_CODE_UNAVAILABLE,
                       "service %s: program %s is not running", svc->name,
                       p->cfg->name);
    return 0;
  }
  pg__timer_arm(k, &c->deadline, PG__TIMER_CALL_DEADLINE, c, c->deadline_ns);
  queue_push(p, c);
  pg__dispatch(k, p);
  return 0;
}

/* ---- delivery to servers ----------------------------------------------- */

/* Copies c into r's serve() buffer (r->a_buf/a_cap/a_out); r now holds c.
 * Returns the code serve() returns. */
static int32_t deliver(pg__kernel *k, pg__replica *r, pg__call *c) {
  if (c->state == PG__CALL_QUEUED) {
    queue_remove(r->prog, c);
    c->state = PG__CALL_SERVING;
    c->server = r;
    held_push(r, c);
  }
  uint8_t *rec = pg_memory_ptr(r->inst, r->a_out, sizeof(parigot_abi_incoming));
  if (!rec) return PG_CODE_INVALID_ARGUMENT;
  pg__service *svc = c->service;
  uint64_t now = pg__now(k);
  uint64_t left = c->deadline_ns > now ? (c->deadline_ns - now) / 1000000u : 0;
  pg__put32(rec, c->id);
  pg__put32(rec + 4, (uint32_t)svc->name_len);
  pg__put32(rec + 8, c->method_len);
  pg__put32(rec + 12, c->req_len);
  pg__put32(rec + 16, (uint32_t)(left > UINT32_MAX ? UINT32_MAX : left));
  uint64_t total = (uint64_t)svc->name_len + c->method_len + c->req_len;
  if (total > r->a_cap) {
    c->delivered = false;
    return PG_CODE_RESOURCE_EXHAUSTED;
  }
  uint8_t *dst = pg_memory_ptr(r->inst, r->a_buf, total);
  if (!dst) return PG_CODE_INVALID_ARGUMENT;
  memcpy(dst, svc->name, svc->name_len);
  memcpy(dst + svc->name_len, c->buf, (size_t)c->method_len + c->req_len);
  c->delivered = true;
  return PG_CODE_OK;
}

int32_t pg__serve_next(pg__kernel *k, pg__replica *r) {
  for (pg__call *c = r->held; c; c = c->next)
    if (!c->delivered) return deliver(k, r, c);
  pg__call *c = r->prog->queue_head;
  return c ? deliver(k, r, c) : -1;
}

void pg__dispatch(pg__kernel *k, pg__program *p) {
  while (p->queue_head && p->idle_head) {
    pg__replica *r = idle_pop(p);
    int32_t code = deliver(k, r, p->queue_head);
    pg__wake(k, r, code);
  }
}

/* ---- failures, deadlines, timeouts -------------------------------------- */

void pg__calls_of_dead(pg__kernel *k, pg__replica *r, int32_t status,
                       const char *msg) {
  while (r->held) {
    pg__call *c = r->held;
    pg__call_completef(k, c, status, "service %s: %s", c->service->name, msg);
  }
  if (r->outstanding == 0) return;
  for (uint32_t i = 0; i < k->ncalls; i++) {
    pg__call *c = k->calls[i];
    if (c->state == PG__CALL_FREE || c->caller != r) continue;
    c->caller = NULL;
    if (c->state == PG__CALL_QUEUED) {
      detach(c);
      pg__call_release(k, c);
    } else if (c->state == PG__CALL_DONE) {
      pg__call_release(k, c);
    } /* SERVING: released when the server answers or the deadline fires */
  }
  r->outstanding = 0;
}

void pg__fail_queue(pg__kernel *k, pg__program *p, int32_t status,
                    const char *msg) {
  while (p->queue_head) {
    pg__call *c = p->queue_head;
    pg__call_completef(k, c, status, "service %s: %s", c->service->name, msg);
  }
}

void pg__deadline_due(pg__kernel *k, pg__call *c) {
  if (c->state != PG__CALL_QUEUED && c->state != PG__CALL_SERVING) return;
  pg__call_completef(k, c, PG_CODE_DEADLINE_EXCEEDED,
                     "deadline exceeded calling %s/%.*s", c->service->name,
                     (int)c->method_len, (const char *)c->buf);
}

void pg__block_timeout_due(pg__kernel *k, pg__replica *r) {
  if (r->state == PG__R_BLOCK_WAIT) {
    pg__wait_try_finish(k, r, true);
  } else if (r->state == PG__R_BLOCK_SERVE) {
    pg__wake(k, r, PG_CODE_DEADLINE_EXCEEDED);
  } else if (r->state == PG__R_BLOCK_SLEEP) {
    pg__wake(k, r, 0); /* WASI ESUCCESS: the sleep is over */
  }
}
