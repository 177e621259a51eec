/*
 * cluster.h: startup across nodes (DESIGN.md, "Deployment as
 * microservices"). With `parigot run app.yaml --node NAME` every node runs
 * only its own programs, yet all nodes must agree on one graph, one order
 * and the same problems. They agree through a JetStream key-value bucket
 * `parigot_<app>`:
 *
 *   decl.<program>.<node>   what <program> declared on <node>: requires,
 *                           exports, or that it died before run() (JSON)
 *   ready.<program>.<node>  <program> is released and serving on <node>
 *
 * Each node publishes its own keys and watches the bucket. Once a
 * declaration is present for every (program, node) of the placement, every
 * node builds the same graph from the same inputs (pg_graph_build over all
 * programs of the app, each program's declarations merged over its nodes
 * in placement order), so a cycle or a missing service aborts every node
 * with the one-process message. A node's programs are released in the
 * global order, each once what it requires is ready on some node.
 *
 * Two halves:
 *   cluster_view.c  the pure part: the declaration codec and the view of
 *                   the bucket (complete? who is missing? merged
 *                   declarations, readiness). No NATS; unit-tested alone.
 *   cluster.c       the NATS part: bucket and log stream, the watcher
 *                   thread, and the kernel's hooks (pg__cluster_*).
 * The libnats threads never touch kernel state: the watcher copies each
 * bucket change into the cluster's own queue and wakes the event loop
 * through the kernel inbox; the loop applies the changes (pump).
 */
#ifndef PG_KERNEL_CLUSTER_H
#define PG_KERNEL_CLUSTER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/graph.h"

/* ---- declarations (decl.<program>.<node>) -------------------------------- */

typedef struct pg_cluster_decl {
  char *program; /* owned */
  char *node;    /* owned */
  char **requires; /* owned, nrequires strings, as declared */
  size_t nrequires;
  char **exports; /* owned, nexports strings */
  size_t nexports;
  char *died; /* owned; NULL, or why it died before run() */
} pg_cluster_decl;

/* The value of decl.<program>.<node>:
 *   {"v":1,"program":"cart","node":"b","requires":["..."],
 *    "exports":["..."],"died":null}
 * Writes a malloc'd string to *out (NUL-terminated, *len bytes). Returns 0
 * or -1 (out of memory). */
int pg_cluster_decl_encode(const pg_cluster_decl *d, char **out, size_t *len);
/* Parses one; on success fills *out (free with pg_cluster_decl_clear) and
 * returns 0, else -1 with the reason in err. text is borrowed. */
int pg_cluster_decl_decode(const char *text, size_t len, pg_cluster_decl *out,
                           char *err, size_t errlen);
void pg_cluster_decl_clear(pg_cluster_decl *d);

/* The bucket's name for an app: "parigot_" + the name with every byte
 * outside [A-Za-z0-9_-] replaced by '_' (bucket names allow no more). */
void pg_cluster_bucket_name(const char *app, char *out, size_t cap);
/* "decl.<program>.<node>" / "ready.<program>.<node>". */
void pg_cluster_key(const char *kind, const char *program, const char *node,
                    char *out, size_t cap);

/* ---- the view of the bucket ---------------------------------------------- */

/* One (program, node) of the placement. */
typedef struct pg_cluster_slot {
  size_t program;    /* index among the view's programs */
  const char *node;  /* borrowed from the placement given to init */
  bool has_decl;
  pg_cluster_decl decl; /* owned when has_decl */
  bool ready;           /* ready.<program>.<node> is present */
} pg_cluster_slot;

typedef struct pg_cluster_view {
  const char *const *programs; /* borrowed: every program of the app */
  size_t nprograms;
  pg_cluster_slot *slots; /* owned; node-major, placement order */
  size_t nslots;
  /* Set once the graph was built from the declarations: a declaration
   * that changes afterwards is reported, not adopted. */
  bool frozen;
  /* pg_cluster_view_graph_nodes: merged lists per program (owned arrays of
   * borrowed strings). */
  const char ***merged_requires, ***merged_exports;
} pg_cluster_view;

/* What init needs: node i runs programs[i][0..nprograms[i]) (indices into
 * `programs`). All borrowed for the view's life. */
typedef struct pg_cluster_placement {
  const char *const *nodes;
  size_t nnodes;
  const size_t *const *node_programs;
  const size_t *node_nprograms;
} pg_cluster_placement;

/* Fills *v (borrowed; free with pg_cluster_view_free; a failed init
 * leaves it empty) for `programs` (borrowed for the view's life) placed by pl
 * (read during the call; its node names stay borrowed by the view).
 * Returns 0, or -1 when out of memory or pl names a program index out of
 * range. */
int pg_cluster_view_init(pg_cluster_view *v, const char *const *programs,
                         size_t nprograms, const pg_cluster_placement *pl);
void pg_cluster_view_free(pg_cluster_view *v);

/* What one bucket change did to the view. */
typedef enum pg_cluster_change {
  PG_CLUSTER_IGNORED,   /* a key of no slot (another deployment, ...) */
  PG_CLUSTER_UNCHANGED, /* same as before */
  PG_CLUSTER_CHANGED,
  PG_CLUSTER_LATE_CHANGE, /* frozen and a declaration differs: err says */
  PG_CLUSTER_BAD          /* the value is not a declaration: err says */
} pg_cluster_change;

/* Applies the change of `key` (value of len bytes, borrowed; deleted for a
 * delete or purge marker). */
pg_cluster_change pg_cluster_view_apply(pg_cluster_view *v, const char *key,
                                        const char *value, size_t len,
                                        bool deleted, char *err,
                                        size_t errlen);

/* A declaration for every slot. */
bool pg_cluster_view_complete(const pg_cluster_view *v);

/* Calls line(ctx, text) once per node still missing declarations, in
 * placement order: "waiting for declarations from node b: cart, inventory".
 * Returns how many nodes are missing some. */
size_t pg_cluster_view_missing(const pg_cluster_view *v,
                               void (*line)(void *ctx, const char *text),
                               void *ctx);

/* Fills nodes[0..nprograms) for pg_graph_build from the declarations (the
 * view must be complete): a program's requires and exports are the union
 * over its nodes in placement order; it died before run() when it did on
 * any node (the first such node's reason). Strings are borrowed from the
 * view and valid until the view changes or is freed. 0 or -1 (memory). */
int pg_cluster_view_graph_nodes(pg_cluster_view *v, pg_graph_node *nodes);

/* ready.<program>.<node> is present for some node of the program. */
bool pg_cluster_view_ready_somewhere(const pg_cluster_view *v,
                                     size_t program);

/* ---- the NATS side (cluster.c) ------------------------------------------- */

typedef struct __natsConnection natsConnection;
typedef struct pg_cluster pg_cluster;

/* The log stream's name for an app: "PARIGOT_LOG_" + the name sanitized as
 * for buckets. Its subjects are "parigot.<app>.log.>". */
void pg_cluster_log_stream_name(const char *app, char *out, size_t cap);

/* Binds (creating them when absent) the bucket parigot_<app> and the log
 * stream on nc (borrowed; must outlive the cluster). `wake` is called from
 * the watcher thread whenever bucket changes are queued (and once a second
 * while ticks are on); it must only post to the event loop's inbox.
 * app and node are copied. ttl_ms (0: 30 s) is the bucket's TTL when this
 * call creates it: the keys this node writes are written again every
 * third of it while the watcher runs, so a node that dies without
 * withdrawing them loses them after at most ttl_ms. Returns 0, or -1 with
 * the reason in err. */
int pg_cluster_open(pg_cluster **out, natsConnection *nc, const char *app,
                    const char *node, uint32_t ttl_ms,
                    void (*wake)(void *ctx), void *wake_ctx, char *err,
                    size_t errlen);
/* Stops the watcher, flushes published lines (up to 2 s) and frees; nc is
 * left open. Accepts NULL. */
void pg_cluster_close(pg_cluster *c);

/* Synchronous bucket writes (JetStream API, up to a few seconds when NATS
 * is unreachable). 0, or -1 with the reason in err. */
int pg_cluster_put(pg_cluster *c, const char *key, const char *value,
                   size_t len, char *err, size_t errlen);
int pg_cluster_delete(pg_cluster *c, const char *key, char *err,
                      size_t errlen);

/* Starts the watcher thread over every key of the bucket: first the
 * current values, then every change. 0, or -1 with the reason. */
int pg_cluster_watch(pg_cluster *c, char *err, size_t errlen);
/* Stops and joins the watcher (no-op when none). Stop it before writing
 * this node's last keys, so that their echo is not left in flight. */
void pg_cluster_unwatch(pg_cluster *c);
/* While on, the watcher also wakes the loop once a second. */
void pg_cluster_ticks(pg_cluster *c, bool on);

/* Hands every queued change to fn (on the calling thread, the event loop)
 * in the order the watcher received them; returns how many. value is NULL
 * for deletes and purges; key and value are borrowed for the call. */
size_t pg_cluster_drain(pg_cluster *c,
                        void (*fn)(void *ctx, const char *key,
                                   const char *value, size_t len,
                                   bool deleted),
                        void *ctx);
/* The watcher has delivered the bucket's values as they were when it
 * started (later ones are changes). */
bool pg_cluster_caught_up(pg_cluster *c);

/* A pg_log_sink (log.h): publishes the line on parigot.<app>.log.<node>.
 * ctx is the pg_cluster. */
void pg_cluster_log_sink(void *ctx, const char *json, size_t len);

/* ---- the kernel's hooks (cluster_node.c) --------------------------------- */

/* The inbox event kind the watcher posts (data NULL): sched.c's
 * handle_event calls pg__cluster_pump for it. */
#define PG__EV_CLUSTER 16

typedef struct pg__kernel pg__kernel;
typedef struct pg__program pg__program;
typedef struct pg__cluster_node pg__cluster_node; /* k->cluster */

/* Deployed (k->opts.node), right after transport's pg__remote_open: binds
 * the bucket and log stream on k->transport's connection and publishes
 * the log from then on. 0, or logs why at FATAL and returns
 * PG_EXIT_CONFIG. */
int pg__cluster_open(pg__kernel *k);
/* After startup step 2: publishes this node's declarations, waits until
 * every (program, node) of the placement has declared (logging for whom
 * it waits), then gives programs that run elsewhere their declarations.
 * 0, PG_EXIT_INTERRUPTED, or PG_EXIT_CONFIG (NATS failed; logged). */
int pg__cluster_agree(pg__kernel *k);
/* The graph's nodes from every node's declarations (after agree). */
int pg__cluster_graph_nodes(pg__kernel *k, pg_graph_node *nodes);
/* Applies queued bucket changes; releases what became possible. Any
 * thread state: call it on the event loop only. No-op when not deployed. */
void pg__cluster_pump(pg__kernel *k);
/* Program `program` (index) is ready on some node (false when not
 * deployed). */
bool pg__cluster_ready_somewhere(pg__kernel *k, size_t program);
/* Publishes (ready) or withdraws this node's ready.<p>.<node>; no-op when
 * not deployed or unchanged. */
void pg__cluster_program_ready(pg__kernel *k, pg__program *p, bool ready);
/* Withdraws this node's ready keys, stops publishing the log, frees;
 * before transport's pg__remote_close. No-op when not deployed. */
void pg__cluster_close(pg__kernel *k);

/* ---- reading the deployment log (`parigot logs`) ------------------------- */

struct pg_logrec;
typedef struct pg_cluster_logs_options {
  bool follow;        /* keep printing new lines until *stop */
  unsigned window_ms; /* follow: hold a line this long for late, earlier
                         lines of other nodes */
  const atomic_bool *stop; /* borrowed; may be NULL without follow */
  /* Each line, in time order (node, then the node's order, on ties). */
  void (*emit)(void *ctx, const struct pg_logrec *r);
  /* A message that is not a published log line (subject, why). */
  void (*bad_line)(void *ctx, const char *subject, const char *why);
  void *ctx;
} pg_cluster_logs_options;

/* Reads the app's log stream from its start on nc (borrowed) and hands
 * every line to o->emit in time order; without follow it returns once the
 * stream is read. 0, or -1 with the reason in err (no stream yet: "app X
 * has no log stream ..."). */
int pg_cluster_logs(natsConnection *nc, const char *app,
                    const pg_cluster_logs_options *o, char *err,
                    size_t errlen);

#endif /* PG_KERNEL_CLUSTER_H */
