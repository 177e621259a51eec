/*
 * cluster_node.c: this node's part in startup across nodes — the glue
 * between the kernel (kernel.c) and the cluster (cluster.h) when
 * `parigot run --node NAME` runs one node of a deployment:
 *
 *   open    bind the bucket and the log stream on transport's connection
 *           and publish every log line from then on;
 *   agree   after this node's programs declared (startup step 2): write
 *           decl.<program>.<node> for each, forget stale ready keys of a
 *           previous run of this node, watch the bucket and wait (saying
 *           for whom) until every (program, node) of the placement has
 *           declared; then the remote programs take their declarations
 *           from the bucket, so the graph, the services and the routing
 *           are the same as in one process;
 *   ready   write ready.<program>.<node> once a local program is released
 *           and serving, delete it when the program stops;
 *   pump    on the event loop: apply the bucket changes the watcher
 *           queued and let the kernel release what became possible.
 *
 * The watcher thread never touches this state: it queues changes inside
 * pg_cluster and wakes the loop through the inbox (PG__EV_CLUSTER).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/cluster.h"
#include "kernel/kernel_internal.h"
#include "transport/transport.h"

/* While waiting for declarations, say for whom this often. */
#define WAITING_LOG_EVERY_NS (5ull * 1000000000ull)

struct pg__cluster_node {
  pg_cluster *cl; /* owned */
  const char *node; /* borrowed from the options */
  pg_cluster_view view;
  /* The view's inputs, all owned (strings borrowed from the config). */
  const char **program_names;
  const char **node_names;
  const size_t **node_programs;
  size_t *node_nprograms;
  bool *ready_published; /* per program: our ready key is in the bucket */
  bool waiting_logged;
  uint64_t last_waiting_log;
  bool changed_ready; /* a ready key changed since the last release try */
};

static void wake_loop(void *ctx) {
  pg__kernel *k = ctx;
  pg__inbox_post(&k->inbox, PG__EV_CLUSTER, NULL);
}

static int build_view(pg__kernel *k, pg__cluster_node *cn) {
  const pg_app_config *app = k->app;
  const pg_deploy_config *d = app->deploy;
  cn->program_names = calloc(app->nprograms + 1, sizeof *cn->program_names);
  cn->node_names = calloc(d->nnodes + 1, sizeof *cn->node_names);
  cn->node_programs = calloc(d->nnodes + 1, sizeof *cn->node_programs);
  cn->node_nprograms = calloc(d->nnodes + 1, sizeof *cn->node_nprograms);
  cn->ready_published = calloc(app->nprograms + 1, 1);
  if (!cn->program_names || !cn->node_names || !cn->node_programs ||
      !cn->node_nprograms || !cn->ready_published)
    return -1;
  for (size_t i = 0; i < app->nprograms; i++)
    cn->program_names[i] = app->programs[i].name;
  for (size_t i = 0; i < d->nnodes; i++) {
    cn->node_names[i] = d->nodes[i].name;
    cn->node_programs[i] = d->nodes[i].programs;
    cn->node_nprograms[i] = d->nodes[i].nprograms;
  }
  pg_cluster_placement pl = {cn->node_names, d->nnodes, cn->node_programs,
                             cn->node_nprograms};
  return pg_cluster_view_init(&cn->view, cn->program_names, app->nprograms,
                              &pl);
}

static void free_node(pg__cluster_node *cn) {
  if (!cn) return;
  pg_cluster_close(cn->cl);
  pg_cluster_view_free(&cn->view);
  free(cn->program_names);
  free(cn->node_names);
  free(cn->node_programs);
  free(cn->node_nprograms);
  free(cn->ready_published);
  free(cn);
}

int pg__cluster_open(pg__kernel *k) {
  char err[512] = "out of memory";
  pg__cluster_node *cn = calloc(1, sizeof *cn);
  if (!k->transport || !k->app->deploy) {
    snprintf(err, sizeof err, "no NATS connection (deploy section?)");
    goto fail;
  }
  if (!cn) goto fail;
  cn->node = k->opts.node;
  if (build_view(k, cn) != 0) goto fail;
  natsConnection *nc = pg_transport_conn(k->transport);
  if (pg_cluster_open(&cn->cl, nc, k->app->name, cn->node, 0, wake_loop, k,
                      err, sizeof err) != 0)
    goto fail;
  k->cluster = cn;
  if (pg_log_set_sink(k->log, cn->node, pg_cluster_log_sink, cn->cl) != 0)
    pg_log_emitf(k->log, PG_LOG_WARN, "parigot", -1,
                 "node %s: out of memory; log lines are not published",
                 cn->node);
  return 0;
fail:
  pg_log_emitf(k->log, PG_LOG_FATAL, "parigot", -1, "node %s: %s",
               k->opts.node, err);
  free_node(cn);
  return PG_EXIT_CONFIG;
}

void pg__cluster_close(pg__kernel *k) {
  pg__cluster_node *cn = k->cluster;
  if (!cn) return;
  pg_cluster_unwatch(cn->cl);
  char key[512], err[512];
  for (size_t i = 0; i < k->nprograms; i++) {
    if (!cn->ready_published[i]) continue;
    pg_cluster_key("ready", k->programs[i].cfg->name, cn->node, key,
                   sizeof key);
    pg_cluster_delete(cn->cl, key, err, sizeof err);
  }
  pg_log_set_sink(k->log, NULL, NULL, NULL);
  free_node(cn);
  k->cluster = NULL;
}

/* ---- agreeing on the graph ----------------------------------------------- */

static int publish_decl(pg__kernel *k, pg__program *p) {
  pg__cluster_node *cn = k->cluster;
  pg_cluster_decl d = {.program = p->cfg->name,
                       .node = (char *)cn->node,
                       .requires = p->requires,
                       .nrequires = p->nrequires,
                       .exports = p->exports,
                       .nexports = p->nexports,
                       .died = p->died_before_run ? p->death_reason : NULL};
  char *text = NULL, key[512], err[512] = "out of memory";
  size_t len = 0;
  pg_cluster_key("decl", p->cfg->name, cn->node, key, sizeof key);
  int rc = pg_cluster_decl_encode(&d, &text, &len) == 0
               ? pg_cluster_put(cn->cl, key, text, len, err, sizeof err)
               : -1;
  /* A restart of this node: its old readiness is not true any more. */
  pg_cluster_key("ready", p->cfg->name, cn->node, key, sizeof key);
  if (rc == 0) rc = pg_cluster_delete(cn->cl, key, err, sizeof err);
  free(text);
  if (rc != 0)
    pg_log_emitf(k->log, PG_LOG_FATAL, "parigot", -1, "node %s: %s",
                 cn->node, err);
  return rc;
}

static void apply_change(void *ctx, const char *key, const char *value,
                         size_t len, bool deleted) {
  pg__kernel *k = ctx;
  pg__cluster_node *cn = k->cluster;
  char err[512] = "";
  switch (pg_cluster_view_apply(&cn->view, key, value, len, deleted, err,
                                sizeof err)) {
  case PG_CLUSTER_CHANGED:
    if (!strncmp(key, "ready.", 6)) cn->changed_ready = true;
    break;
  case PG_CLUSTER_LATE_CHANGE:
    pg_log_emitf(k->log, PG_LOG_ERROR, "parigot", -1, "%s", err);
    break;
  case PG_CLUSTER_BAD:
    pg_log_emitf(k->log, PG_LOG_WARN, "parigot", -1,
                 "node %s: ignored bucket key %s: %s", cn->node, key, err);
    break;
  default:
    break;
  }
}

static void log_waiting_line(void *ctx, const char *text) {
  pg__kernel *k = ctx;
  pg_log_emit(k->log, PG_LOG_INFO, "parigot", -1, text, NULL, 0);
}

void pg__cluster_pump(pg__kernel *k) {
  pg__cluster_node *cn = k->cluster;
  if (!cn) return;
  pg_cluster_drain(cn->cl, apply_change, k);
  if (cn->changed_ready && k->phase == PG__PHASE_SERVE) {
    cn->changed_ready = false;
    pg__kernel_try_release(k);
  }
}

/* The until() of the wait: every declaration is in (or a signal came).
 * Says who we wait for once the bucket's first contents are in, then
 * every WAITING_LOG_EVERY_NS. */
static bool declarations_settled(pg__kernel *k) {
  pg__cluster_node *cn = k->cluster;
  /* Read before draining: then every value the bucket held when the
   * watcher started has been applied once it says so. */
  bool caught_up = pg_cluster_caught_up(cn->cl);
  pg__cluster_pump(k);
  if (k->interrupted) return true;
  if (!caught_up) return false;
  if (pg_cluster_view_complete(&cn->view)) return true;
  uint64_t now = pg__now(k);
  if (!cn->waiting_logged ||
      now - cn->last_waiting_log >= WAITING_LOG_EVERY_NS) {
    cn->waiting_logged = true;
    cn->last_waiting_log = now;
    pg_cluster_view_missing(&cn->view, log_waiting_line, k);
  }
  return false;
}

/* Copies the merged declarations of programs that have no replica here, so
 * make_services and routing see their exports. */
static int adopt_remote_declarations(pg__kernel *k,
                                     const pg_graph_node *nodes) {
  for (size_t i = 0; i < k->nprograms; i++) {
    pg__program *p = &k->programs[i];
    if (p->local) continue;
    for (size_t r = 0; r < nodes[i].nrequires; r++)
      if (pg__program_add_declaration(p, false, nodes[i].requires[r]) != 0)
        return -1;
    for (size_t e = 0; e < nodes[i].nexports; e++)
      if (pg__program_add_declaration(p, true, nodes[i].exports[e]) != 0)
        return -1;
  }
  return 0;
}

int pg__cluster_agree(pg__kernel *k) {
  pg__cluster_node *cn = k->cluster;
  char err[512] = "";
  for (size_t i = 0; i < k->nprograms; i++)
    if (k->programs[i].local && publish_decl(k, &k->programs[i]) != 0)
      return PG_EXIT_CONFIG;
  if (pg_cluster_watch(cn->cl, err, sizeof err) != 0) {
    pg_log_emitf(k->log, PG_LOG_FATAL, "parigot", -1, "node %s: %s",
                 cn->node, err);
    return PG_EXIT_CONFIG;
  }
  pg_cluster_ticks(cn->cl, true);
  pg__loop(k, declarations_settled);
  pg_cluster_ticks(cn->cl, false);
  if (k->interrupted) return PG_EXIT_INTERRUPTED;
  cn->view.frozen = true;
  if (cn->waiting_logged)
    pg_log_emitf(k->log, PG_LOG_INFO, "parigot", -1,
                 "node %s: every node has declared", cn->node);
  pg_graph_node *nodes = calloc(k->nprograms + 1, sizeof *nodes);
  int rc = nodes && pg_cluster_view_graph_nodes(&cn->view, nodes) == 0 &&
                   adopt_remote_declarations(k, nodes) == 0
               ? 0
               : PG_EXIT_CONFIG;
  free(nodes);
  return rc;
}

int pg__cluster_graph_nodes(pg__kernel *k, pg_graph_node *nodes) {
  return pg_cluster_view_graph_nodes(&k->cluster->view, nodes);
}

/* ---- readiness ----------------------------------------------------------- */

bool pg__cluster_ready_somewhere(pg__kernel *k, size_t program) {
  return k->cluster &&
         pg_cluster_view_ready_somewhere(&k->cluster->view, program);
}

void pg__cluster_program_ready(pg__kernel *k, pg__program *p, bool ready) {
  pg__cluster_node *cn = k->cluster;
  if (!cn || cn->ready_published[p->index] == ready) return;
  char key[512], err[512] = "";
  pg_cluster_key("ready", p->cfg->name, cn->node, key, sizeof key);
  char value[128];
  int n = snprintf(value, sizeof value, "{\"v\":1,\"replicas\":%u}",
                   p->nreplicas);
  int rc = ready ? pg_cluster_put(cn->cl, key, value, (size_t)n, err,
                                  sizeof err)
                 : pg_cluster_delete(cn->cl, key, err, sizeof err);
  if (rc != 0) {
    pg_log_emitf(k->log, PG_LOG_ERROR, "parigot", -1, "node %s: %s",
                 cn->node, err);
    return;
  }
  cn->ready_published[p->index] = ready;
}
