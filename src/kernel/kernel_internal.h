/*
 * kernel_internal.h: the state the kernel's core files share. One
 * pg__kernel owns everything; only the event loop (one thread) touches it,
 * except the inbox, which other threads and the signal handler feed.
 *
 * Split by concept:
 *   kernel.c  - pg_kernel_run / pg_kernel_graph: startup steps 1-5, the
 *               graph, release in topological order, shutdown, exit status
 *   program.c - programs and replicas: modules, instances, WASI, death,
 *               restart with backoff, stopping
 *   sched.c   - the event loop: run queue, time slices, timers, the
 *               (virtual) clock, the inbox, signals
 *   call.c    - calls: the call table, routing to a program's queue,
 *               delivery to replicas blocked in serve, completion,
 *               deadlines
 *   syscall.c - the host functions of the `parigot` import module
 *               (include/parigot/abi.h, docs/abi.md)
 *
 * Ownership: the kernel owns every object here (k its programs, a program
 * its replicas, the call table its calls), so a pg__kernel, pg__program,
 * pg__replica or pg__call pointer parameter is borrowed for the call;
 * comments say where a function keeps, copies or consumes anything else.
 */
#ifndef PG_KERNEL_INTERNAL_H
#define PG_KERNEL_INTERNAL_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/cluster.h"
#include "kernel/config.h"
#include "kernel/graph.h"
#include "kernel/kernel.h"
#include "kernel/log.h"
#include "parigot/abi.h"
#include "parigot/call.h"
#include "parigot/engine.h"
#include "parigot/wasi.h"
#include "services/service.h"
#include "transport/transport.h"

typedef struct pg__kernel pg__kernel;
typedef struct pg__program pg__program;
typedef struct pg__replica pg__replica;
typedef struct pg__call pg__call;

/* Call statuses are gRPC's canonical codes, PG_CODE_* from the one table
 * in sdk/include/parigot/call.h (the host compiles the SDK's wire runtime
 * natively as pg_sdk, so kernel and guests share it). */

/* ---- timers ------------------------------------------------------------ */

typedef enum pg__timer_kind {
  PG__TIMER_CALL_DEADLINE, /* owner: pg__call */
  PG__TIMER_BLOCK_TIMEOUT, /* owner: pg__replica blocked in wait/serve/sleep */
  PG__TIMER_RESTART,       /* owner: pg__replica waiting to restart */
  PG__TIMER_STOP_GRACE     /* owner: pg__program being stopped */
} pg__timer_kind;

/* An entry of the kernel's timer heap, embedded in its owner.
 * Invariant: heap_index == PG__TIMER_IDLE exactly when not armed. */
typedef struct pg__timer {
  uint64_t when; /* kernel clock, ns */
  uint64_t seq;  /* arming order: ties fire first-armed first */
  uint32_t heap_index;
  pg__timer_kind kind;
  void *owner;
} pg__timer;
#define PG__TIMER_IDLE UINT32_MAX

/* ---- calls ------------------------------------------------------------- */

typedef enum pg__call_state {
  PG__CALL_FREE,    /* in the free list */
  PG__CALL_QUEUED,  /* in its program's queue, no replica has it yet */
  PG__CALL_SERVING, /* held by `server` (delivered, or waiting for a serve
                       retry with a bigger buffer), not yet answered */
  PG__CALL_DONE     /* completed; waits for the caller's `result` */
} pg__call_state;

/* A service as the kernel routes it: built-in (host != NULL) or exported by
 * a program (owner != NULL). The handle `locate` gives is index + 1. */
typedef struct pg__service {
  char *name; /* owned */
  size_t name_len;
  pg__program *owner;    /* borrowed; NULL for built-ins */
  pg_host_service *host; /* owned; NULL for program services */
  const char *unavailable; /* built-in that could not be set up: why */
} pg__service;

/* One call. Records are pooled (never freed while the kernel lives) and
 * their buffer is reused, so a call costs no malloc once warmed up. */
struct pg__call {
  uint32_t id; /* slot | generation << PG__CALL_SLOT_BITS; never 0 */
  pg__call_state state;
  bool waited;          /* the caller is blocked in `wait` on this call */
  bool delivered;       /* SERVING: the server has the bytes */
  pg__replica *caller;  /* borrowed; NULL once the caller is gone */
  pg__service *service; /* borrowed */
  pg__replica *server;  /* SERVING: who holds it */
  pg__call *next, *prev; /* in the program queue or the server's held list */
  pg__timer deadline;
  uint64_t deadline_ns; /* absolute, kernel clock */
  /* QUEUED/SERVING: method (method_len) then request (req_len).
   * DONE: reply (reply_len) then message (msg_len). */
  uint8_t *buf; /* owned, cap bytes */
  size_t cap;
  uint32_t method_len, req_len, reply_len, msg_len;
  int32_t status; /* DONE: the call's pg_code */
  /* Deployment over NATS (remote.c). remote: SERVING with no server here;
   * the request went over NATS and the reply comes as an inbox event.
   * reply_to (owned): the call came from another node; completing it
   * publishes the reply there (caller is NULL). */
  bool remote;
  char *reply_to;
  pg_trace trace; /* trace id, and the span of the call that caused it */
  uint64_t span;  /* this call's span id; never 0 */
};
#define PG__CALL_SLOT_BITS 20
#define PG__CALL_MAX_SLOTS (1u << PG__CALL_SLOT_BITS)

/* ---- replicas and programs -------------------------------------------- */

typedef enum pg__rstate {
  PG__R_NEW,          /* _start not yet invoked */
  PG__R_RUNNABLE,     /* in the run queue */
  PG__R_RUNNING,      /* its code is on the C stack right now */
  PG__R_BLOCK_RUN,    /* in run(), waiting for release */
  PG__R_BLOCK_WAIT,   /* in wait() */
  PG__R_BLOCK_RESULT, /* in result() */
  PG__R_BLOCK_SERVE,  /* in serve(), in its program's idle list */
  PG__R_BLOCK_SLEEP,  /* in WASI poll_oneoff on clocks (a sleep) */
  PG__R_DEAD          /* no instance: exited, trapped or stopped */
} pg__rstate;

struct pg__replica {
  pg__program *prog; /* borrowed */
  uint32_t no;       /* replica number, 0-based */
  pg_instance *inst; /* owned; NULL when DEAD */
  pg_wasi *wasi;     /* owned */
  pg_linker *linker; /* owned; freed after inst */
  const pg_func *start; /* borrowed from inst: _start */
  pg__rstate state;
  bool started;      /* _start invoked: resume, do not invoke */
  bool has_result;   /* resume with resume_cell (after a yield) */
  pg_cell resume_cell;
  bool ran;          /* run() has returned OK (declarations closed) */
  bool ready;        /* reached serve() once after release, or dead */
  bool stop_for_good;/* dead and not coming back */
  pg__replica *rq_next; /* run queue link */
  pg__replica *idle_next, *idle_prev; /* program's idle list (serve) */
  pg__timer timer;   /* block timeout or restart backoff */
  /* Blocked-call arguments (guest offsets; re-checked on wake-up). */
  uint32_t a_buf, a_cap, a_out, a_count;
  pg__call *a_call;  /* BLOCK_RESULT: the call */
  /* Calls this replica holds as a server (SERVING), a list by next/prev. */
  pg__call *held;
  uint32_t outstanding; /* calls it made that are not yet collected */
  uint32_t restarts;    /* for the backoff */
  uint64_t up_since;    /* kernel clock when this incarnation started */
  uint64_t prng[2];     /* --deterministic random bytes */
  char label[96];       /* "store[0]" for messages */
};

struct pg__program {
  pg__kernel *k;
  const pg_program_config *cfg; /* borrowed from the app config */
  size_t index;                 /* in the app config */
  pg_module *module;            /* owned; shared by the replicas */
  char **requires;              /* owned; declared services, deduplicated */
  size_t nrequires, cap_requires;
  char **exports;
  size_t nexports, cap_exports;
  pg__replica *replicas; /* owned, nreplicas */
  uint32_t nreplicas;
  bool needed;         /* false when --only left it out */
  bool released;       /* run() returns for its replicas */
  bool stopping;       /* shutdown: serve() returns CANCELLED */
  bool died_before_run;
  char death_reason[256];
  uint32_t alive_for_good; /* replicas not stopped for good */
  bool failed;             /* main/test: a replica exited non-zero/trapped */
  size_t *deps;            /* owned; programs it requires (indices) */
  size_t ndeps;
  uint8_t *may_call;       /* owned; nservices flags: services it required */
  /* Calls to its services waiting for a replica (FIFO by next/prev). */
  pg__call *queue_head, *queue_tail;
  /* Replicas blocked in serve (FIFO: the longest idle gets the next call). */
  pg__replica *idle_head, *idle_tail;
  pg__timer grace; /* shutdown: abort after this */
  /* Has replicas in this process: always in one process; deployed, when
   * app.yaml places it on this node. Otherwise nreplicas is 0, module is
   * NULL and requires/exports come from the other nodes (cluster_node.c). */
  bool local;
};

/* ---- the inbox --------------------------------------------------------- */

/* Events from other threads (and the signal handler) reach the loop here.
 * post() is thread-safe; the loop drains it. The pipe wakes a loop that is
 * sleeping in poll(). */
typedef struct pg__inbox_event {
  struct pg__inbox_event *next;
  int kind; /* PG__EV_... */
  void *data;
} pg__inbox_event;
enum {
  PG__EV_SIGNAL = 1,         /* data: none (the handler's flag) */
  PG__EV_REMOTE_REPLY = 2,   /* data: pg_transport_reply * (remote.c) */
  PG__EV_REMOTE_REQUEST = 3, /* data: pg_transport_incoming * */
  PG__EV_NATS_STATUS = 4     /* data: pg_transport_event * */
};

typedef struct pg__inbox {
  pthread_mutex_t mu;
  pg__inbox_event *head, *tail; /* guarded by mu */
  atomic_int pending;           /* events posted and not yet drained */
  int rfd, wfd;                 /* self-pipe, both non-blocking */
} pg__inbox;

int pg__inbox_init(pg__inbox *in);
void pg__inbox_destroy(pg__inbox *in);
/* Thread-safe. ev is consumed (freed by the loop). Returns 0 or -1. */
int pg__inbox_post(pg__inbox *in, int kind, void *data);

/* ---- the kernel -------------------------------------------------------- */

typedef enum pg__phase {
  PG__PHASE_DECLARE, /* steps 1-2: _start runs until run() */
  PG__PHASE_SERVE,   /* steps 4-5 */
  PG__PHASE_STOP,    /* stopping servers in reverse order */
  PG__PHASE_DONE
} pg__phase;

struct pg__kernel {
  const pg_app_config *app; /* borrowed */
  pg_kernel_options opts;   /* copied */
  pg_log *log;              /* owned */
  pg__phase phase;
  pg__program *programs; /* owned, nprograms, config order */
  size_t nprograms;
  pg__service *services; /* owned; built-ins first */
  size_t nservices;
  size_t *service_by_name; /* owned; indices sorted by name (bsearch) */
  /* Release order (pg_graph order, needed programs only). */
  size_t *order;
  size_t norder, next_release;
  bool all_ready_logged;
  size_t stop_pos; /* shutdown walks order[] backwards from here */
  /* Run queue: FIFO of RUNNABLE replicas. */
  pg__replica *rq_head, *rq_tail;
  pg__replica *current; /* RUNNING, or NULL */
  /* Timers: a binary min-heap by (when, seq). */
  pg__timer **heap;
  size_t nheap, cap_heap;
  uint64_t timer_seq;
  /* Clock: ns. Real mode: CLOCK_MONOTONIC. Deterministic: virtual. */
  uint64_t vnow;
  uint64_t start_ns;
  /* Calls: slot table of pooled records plus a free-slot stack. */
  pg__call **calls;
  uint32_t ncalls, cap_calls;
  uint32_t *free_slots;
  uint32_t nfree;
  pg__inbox inbox;
  int mains_left; /* main/test programs still running */
  bool interrupted;
  bool main_failed;
  uint64_t fuel_slice; /* instructions per time slice */
  /* Deployed (opts.node): this node's NATS connection (remote.c) and its
   * part in the cluster (cluster_node.c); both NULL in one process. */
  struct pg_transport *transport;
  pg__cluster_node *cluster;
  /* Trace and span ids: splitmix64 state, seeded on first use (from the
   * seed with --deterministic, else from getrandom). */
  uint64_t trace_prng;
  bool trace_seeded;
};

/* sched.c */
uint64_t pg__now(pg__kernel *k);
/* Wall-clock ns for logs and guests (virtual epoch when deterministic). */
uint64_t pg__wall_ns(pg__kernel *k);
void pg__timer_arm(pg__kernel *k, pg__timer *t, pg__timer_kind kind,
                   void *owner, uint64_t when);
void pg__timer_cancel(pg__kernel *k, pg__timer *t);
void pg__enqueue(pg__kernel *k, pg__replica *r);
/* Makes a blocked replica runnable; its syscall returns `status`. */
void pg__wake(pg__kernel *k, pg__replica *r, int32_t status);
/* Runs the loop until `until(k)` is true (checked between events). */
typedef bool (*pg__until_fn)(pg__kernel *k);
void pg__loop(pg__kernel *k, pg__until_fn until);
int pg__signals_install(pg__kernel *k);
void pg__signals_restore(void);

/* program.c */
int pg__programs_load(pg__kernel *k); /* step 1; 0 or PG_EXIT_CONFIG */
int pg__replica_start(pg__kernel *k, pg__replica *r); /* new instance */
/* The replica's instance returned `st` from invoke/resume. */
void pg__replica_settle(pg__kernel *k, pg__replica *r, pg_status st);
/* Drops the replica's instance now (not from inside its own host call). */
void pg__replica_kill(pg__kernel *k, pg__replica *r, const char *why);
void pg__restart_due(pg__kernel *k, pg__replica *r);
void pg__programs_free(pg__kernel *k);
int pg__declare(pg__replica *r, bool is_export, const char *name,
                size_t len);
/* Adds a declaration (copied) to a program that runs on other nodes, as
 * they published it; duplicates are ignored. 0, or -1 when out of memory. */
int pg__program_add_declaration(pg__program *p, bool is_export,
                                const char *name);

/* kernel.c */
void pg__kernel_replica_ready(pg__kernel *k, pg__replica *r);
/* Releases what can be released now (step 4); also called when readiness
 * changed on another node. */
void pg__kernel_try_release(pg__kernel *k);
void pg__kernel_program_ended(pg__kernel *k, pg__program *p);
void pg__kernel_grace_due(pg__kernel *k, pg__program *p);
void pg__kernel_signal(pg__kernel *k, int signo);

/* call.c */
int pg__calls_init(pg__kernel *k);
void pg__calls_free(pg__kernel *k);
pg__call *pg__call_find(pg__kernel *k, uint32_t id);
/* Starts a call from r; writes *out_id. Returns a pg_code for `call`. */
int32_t pg__call_start(pg__kernel *k, pg__replica *r, pg__service *svc,
                       const uint8_t *method, uint32_t method_len,
                       const uint8_t *req, uint32_t req_len,
                       uint32_t timeout_ms, uint32_t *out_id);
/* Completes c with status, reply and message (copied). */
void pg__call_complete(pg__kernel *k, pg__call *c, int32_t status,
                       const uint8_t *reply, size_t reply_len,
                       const char *msg, size_t msg_len);
void pg__call_completef(pg__kernel *k, pg__call *c, int32_t status,
                        const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void pg__call_release(pg__kernel *k, pg__call *c); /* back to the pool */
/* vsnprintf into msg (cap >= 1 bytes, borrowed): the length written, cut
 * to cap - 1 when the text is longer (0 on an encoding error). */
size_t pg__vformat(char *msg, size_t cap, const char *fmt, va_list ap);
/* Writes a DONE call's record and bytes for `result`; returns the pg_code
 * of the syscall (OK frees the call, RESOURCE_EXHAUSTED keeps it). */
int32_t pg__call_collect(pg__kernel *k, pg__replica *r, pg__call *c,
                         uint32_t buf, uint32_t cap, uint32_t out);
/* Hands queued calls of p to its idle replicas. */
void pg__dispatch(pg__kernel *k, pg__program *p);
/* For a replica entering serve(): delivers the next call into its buffer
 * and returns the syscall's code, or returns -1 when nothing is queued. */
int32_t pg__serve_next(pg__kernel *k, pg__replica *r);
/* The replica is going away: fails the calls it serves with `status`,
 * forgets the calls it made. */
void pg__calls_of_dead(pg__kernel *k, pg__replica *r, int32_t status,
                       const char *msg);
/* Fails every queued call of p (shutdown). */
void pg__fail_queue(pg__kernel *k, pg__program *p, int32_t status,
                    const char *msg);
void pg__deadline_due(pg__kernel *k, pg__call *c);
void pg__block_timeout_due(pg__kernel *k, pg__replica *r);
void pg__idle_remove(pg__program *p, pg__replica *r);
/* A call from another node to svc (a local program's service): queued
 * like a local call; its reply goes to reply_to (copied; NULL = none).
 * trace NULL starts a new trace. Returns 0, or -1 when out of memory or
 * call slots (the caller answers RESOURCE_EXHAUSTED). */
int pg__call_incoming(pg__kernel *k, pg__service *svc, const char *method,
                      size_t method_len, const uint8_t *req, size_t req_len,
                      uint32_t timeout_ms, const pg_trace *trace,
                      const char *reply_to);

/* Little-endian u32 stores and loads for the ABI's records in guest memory
 * (include/parigot/abi.h); p is a host pointer already checked for 4 bytes. */
static inline void pg__put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}
static inline uint32_t pg__get32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

/* The next number of the splitmix64 generator whose state is *state
 * (borrowed): the deterministic random bytes guests get and the trace ids. */
static inline uint64_t pg__splitmix64(uint64_t *state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/* A program with replicas on this node (all of them in one process). */
static inline bool pg__program_local(const pg__program *p) {
  return p->local;
}

/* remote.c: deployment over NATS; each is a no-op without k->transport. */
int pg__remote_open(pg__kernel *k);  /* 0, or logs and returns PG_EXIT_CONFIG */
int pg__remote_serve(pg__kernel *k); /* queue subscriptions: local exports */
void pg__remote_unserve_program(pg__kernel *k, pg__program *p);
void pg__remote_close(pg__kernel *k); /* before pg__inbox_destroy */
/* Sends c (SERVING, remote) over NATS; on failure completes it. */
void pg__remote_send(pg__kernel *k, pg__call *c, uint32_t timeout_ms);
/* Publishes the reply of a completed call that has reply_to. */
void pg__remote_respond(pg__kernel *k, pg__call *c);
/* Inbox events; each consumes its record. */
void pg__remote_reply(pg__kernel *k, pg_transport_reply *r);
void pg__remote_request(pg__kernel *k, pg_transport_incoming *q);
void pg__remote_status(pg__kernel *k, pg_transport_event *e);

/* syscall.c */
int pg__syscalls_link(pg__replica *r, pg_linker *l);
/* The service called name (len bytes), or NULL (binary search). */
pg__service *pg__service_find(pg__kernel *k, const char *name, size_t len);
/* A call r waits on completed (or, give_up, its wait timed out): scans the
 * guest's id array again and wakes r when one is done (OK, index written)
 * or when giving up (DEADLINE_EXCEEDED). */
void pg__wait_try_finish(pg__kernel *k, pg__replica *r, bool give_up);

#endif /* PG_KERNEL_INTERNAL_H */
