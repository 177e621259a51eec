/*
 * kernel.c: pg_kernel_run and pg_kernel_graph (kernel.h) — the app's life
 * in DESIGN.md's five steps:
 *   1. load every module (program.c);
 *   2. run each replica's _start, in config order, until it calls run(),
 *      exits or traps, collecting require/export (the loop in sched.c);
 *   3. build the graph (graph.c) with the built-in services; on problems
 *      log every one and stop with PG_EXIT_STARTUP;
 *   4. release programs from run() in the graph's order, each only once
 *      everything it requires is released and ready;
 *   5. serve; when every main has exited (or on SIGINT/SIGTERM) stop the
 *      servers in reverse order and return the exit status.
 * --only NAME keeps just the programs NAME needs (pg_graph_closure); the
 * others are stopped right after step 2.
 *
 * One node of a deployment (opts.node, `parigot run --node NAME`): only
 * this node's programs run here (program.c); after step 2 the nodes agree
 * on every program's declarations through NATS (cluster_node.c), so step 3
 * builds the same graph over all programs of the app on every node and a
 * problem aborts them all with the same lines; step 4 releases this
 * node's programs in the global order, each once what it requires is
 * ready here or on some other node; calls to programs elsewhere go over
 * NATS (remote.c).
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel_internal.h"

#define BUILTIN_LOG "log.v1.LogService"
#define BUILTIN_FILE "file.v1.FileService"
/* Instructions per time slice: long enough that switching costs nothing
 * measurable, short enough (a few ms) that deadlines stay responsive. */
#define FUEL_SLICE 5000000u
/* How long a stopping server may take to leave its serve loop. */
#define STOP_GRACE_MS 2000u

static const char *const builtin_names[] = {BUILTIN_LOG, BUILTIN_FILE};
#define NBUILTINS (sizeof builtin_names / sizeof builtin_names[0])

static const char *exit_meaning(int status) {
#define PG_EXIT_MEANING_(name, value, meaning) \
  if (status == value) return meaning;
  PG_EXIT_MAP(PG_EXIT_MEANING_)
#undef PG_EXIT_MEANING_
  return "?";
}

/* ---- the kernel object ---------------------------------------------------- */

static uint64_t log_clock(void *ctx) { return pg__wall_ns(ctx); }

static pg__kernel *kernel_new(const pg_app_config *app,
                              const pg_kernel_options *opts) {
  pg__kernel *k = calloc(1, sizeof *k);
  if (!k) return NULL;
  k->app = app;
  if (opts) k->opts = *opts;
  k->fuel_slice = FUEL_SLICE;
  pg_log_options lo = {.out = k->opts.log_out ? k->opts.log_out : stderr,
                       .format = k->opts.log_format,
                       .min_level = k->opts.log_level};
  if (k->opts.deterministic) {
    lo.clock_ns = log_clock;
    lo.clock_ctx = k;
  }
  if (pg__inbox_init(&k->inbox) != 0) {
    free(k);
    return NULL;
  }
  if (pg_log_new(&k->log, &lo) != 0) {
    pg__inbox_destroy(&k->inbox);
    free(k);
    return NULL;
  }
  pg__calls_init(k);
  k->start_ns = pg__now(k);
  return k;
}

static void kernel_free(pg__kernel *k) {
  if (!k) return;
  for (size_t i = 0; i < k->nprograms; i++)
    for (uint32_t j = 0; j < k->programs[i].nreplicas; j++)
      pg_log_flush_guest(k->log, k->programs[i].cfg->name, (int)j);
  /* Before the transport, whose connection the cluster borrows; after the
   * last log line, which it publishes. */
  pg__cluster_close(k);
  pg__programs_free(k);
  for (size_t i = 0; i < k->nservices; i++) {
    if (k->services[i].host) k->services[i].host->free(k->services[i].host);
    free(k->services[i].name);
  }
  free(k->services);
  free(k->service_by_name);
  free(k->order);
  pg__calls_free(k);
  free(k->heap);
  pg__remote_close(k); /* after the cluster; no libnats callback after it */
  pg_log_free(k->log); /* after the log service that borrows it */
  pg__inbox_destroy(&k->inbox);
  free(k);
}

/* ---- steps 1-2: load and declare ------------------------------------------ */

static bool declared_all(pg__kernel *k) {
  return k->rq_head == NULL || k->interrupted;
}

/* Returns 0 or an exit status. */
static int load_and_declare(pg__kernel *k) {
  int rc = pg__programs_load(k);
  if (rc) return rc;
  k->phase = PG__PHASE_DECLARE;
  /* Replica 0 of every program first, so each unlinkable module is named
   * once; no _start runs unless all of them instantiate. */
  for (size_t i = 0; i < k->nprograms; i++)
    if (k->programs[i].nreplicas && /* 0: runs on another node */
        pg__replica_start(k, &k->programs[i].replicas[0]) != 0)
      rc = PG_EXIT_CONFIG;
  for (size_t i = 0; i < k->nprograms && rc == 0; i++)
    for (uint32_t j = 1; j < k->programs[i].nreplicas && rc == 0; j++)
      if (pg__replica_start(k, &k->programs[i].replicas[j]) != 0)
        rc = PG_EXIT_CONFIG;
  if (rc) return rc;
  pg__loop(k, declared_all);
  return k->interrupted ? PG_EXIT_INTERRUPTED : 0;
}

static void kill_all(pg__kernel *k) {
  for (size_t i = 0; i < k->nprograms; i++)
    for (uint32_t j = 0; j < k->programs[i].nreplicas; j++)
      pg__replica_kill(k, &k->programs[i].replicas[j], NULL);
}

/* ---- step 3: the graph ------------------------------------------------------ */

static int fill_nodes(pg__kernel *k, pg_graph_node *nodes) {
  /* A node of a deployment: every node's declarations, merged. */
  if (k->cluster) return pg__cluster_graph_nodes(k, nodes);
  for (size_t i = 0; i < k->nprograms; i++) {
    pg__program *p = &k->programs[i];
    nodes[i] = (pg_graph_node){
        .name = p->cfg->name,
        .requires = (const char *const *)p->requires,
        .nrequires = p->nrequires,
        .exports = (const char *const *)p->exports,
        .nexports = p->nexports,
        .died_before_run = p->died_before_run,
        .death_reason = p->died_before_run ? p->death_reason : NULL};
  }
  return 0;
}

/* `parigot graph` of a deployment: the nodes each program runs on, as
 * the printers want them (owned arrays of names borrowed from the
 * config, freed by free_placement). */
static const char ***fill_placement(pg__kernel *k, pg_graph_node *nodes) {
  const pg_deploy_config *d = k->app->deploy;
  if (!d) return NULL;
  const char ***lists = calloc(k->nprograms + 1, sizeof *lists);
  for (size_t i = 0; lists && i < k->nprograms; i++) {
    lists[i] = calloc(d->nnodes + 1, sizeof **lists);
    if (!lists[i]) break;
    for (size_t n = 0; n < d->nnodes; n++)
      if (pg_app_config_on_node(&d->nodes[n], i))
        lists[i][nodes[i].nplacement++] = d->nodes[n].name;
    nodes[i].placement = lists[i];
  }
  return lists;
}

static void free_placement(pg__kernel *k, const char ***lists) {
  for (size_t i = 0; lists && i < k->nprograms; i++) free(lists[i]);
  free(lists);
}

static int find_program(pg__kernel *k, const char *name, size_t *out) {
  for (size_t i = 0; i < k->nprograms; i++)
    if (strcmp(k->programs[i].cfg->name, name) == 0) {
      *out = i;
      return 0;
    }
  return -1;
}

/* Marks the programs --only needs; the graph of just those goes to *sub
 * with map[j] = program index of sub node j. Returns 0 or an exit status. */
static int only_subgraph(pg__kernel *k, const pg_graph *full,
                         const pg_graph_node *nodes, pg_graph_node *subnodes,
                         size_t *map, size_t *nsub, pg_graph *sub) {
  size_t root;
  if (find_program(k, k->opts.only, &root) != 0) {
    pg_log_emitf(k->log, PG_LOG_ERROR, "parigot", -1,
                 "--only %s: the app has no program of that name",
                 k->opts.only);
    return PG_EXIT_USAGE;
  }
  bool *needed = calloc(k->nprograms, sizeof *needed);
  if (!needed) return PG_EXIT_CONFIG;
  pg_graph_closure(full, root, needed);
  *nsub = 0;
  for (size_t i = 0; i < k->nprograms; i++) {
    k->programs[i].needed = needed[i];
    if (!needed[i]) continue;
    map[*nsub] = i;
    subnodes[(*nsub)++] = nodes[i];
  }
  free(needed);
  if (pg_graph_build(subnodes, *nsub, builtin_names, NBUILTINS, sub) != 0)
    return PG_EXIT_CONFIG;
  return 0;
}

static void log_problems(pg__kernel *k, const pg_graph *g) {
  for (size_t i = 0; i < g->nproblems; i++)
    pg_log_emit(k->log, PG_LOG_ERROR, "parigot", -1, g->problems[i], NULL, 0);
  pg_log_emitf(k->log, PG_LOG_FATAL, "parigot", -1,
               "app %s cannot start: %zu problem%s", k->app->name,
               g->nproblems, g->nproblems == 1 ? "" : "s");
}

/* Copies order and dependencies from g (whose node j is program map[j]). */
static int adopt_graph(pg__kernel *k, const pg_graph *g, const size_t *map) {
  k->order = malloc((g->nnodes ? g->nnodes : 1) * sizeof *k->order);
  if (!k->order) return -1;
  k->norder = g->nnodes;
  for (size_t i = 0; i < g->nnodes; i++) k->order[i] = map[g->order[i]];
  for (size_t e = 0; e < g->nedges; e++) {
    pg__program *p = &k->programs[map[g->edges[e].from]];
    size_t to = map[g->edges[e].to];
    bool seen = false;
    for (size_t d = 0; d < p->ndeps; d++) seen |= p->deps[d] == to;
    if (seen) continue;
    size_t *deps = realloc(p->deps, (p->ndeps + 1) * sizeof *deps);
    if (!deps) return -1;
    p->deps = deps;
    p->deps[p->ndeps++] = to;
  }
  return 0;
}

/* Builds, checks and adopts the graph. Returns 0 or an exit status. With
 * `print` (pg_kernel_graph) the full graph goes there instead of the log. */
static int resolve(pg__kernel *k, FILE *print, pg_graph_format format) {
  size_t n = k->nprograms;
  pg_graph_node *nodes = calloc(n ? n : 1, sizeof *nodes);
  pg_graph_node *subnodes = calloc(n ? n : 1, sizeof *subnodes);
  size_t *map = calloc(n ? n : 1, sizeof *map);
  pg_graph full = {0}, sub = {0};
  const char ***placement = NULL;
  int rc = PG_EXIT_CONFIG;
  if (!nodes || !subnodes || !map) goto done;
  if (fill_nodes(k, nodes) != 0) goto done;
  if (print) placement = fill_placement(k, nodes);
  if (pg_graph_build(nodes, n, builtin_names, NBUILTINS, &full) != 0) goto done;
  const pg_graph *use = &full;
  const pg_graph_node *use_nodes = nodes;
  for (size_t i = 0; i < n; i++) map[i] = i;
  if (k->opts.only && !k->cluster) {
    size_t nsub = 0;
    rc = only_subgraph(k, &full, nodes, subnodes, map, &nsub, &sub);
    if (rc) goto done;
    use = &sub;
    use_nodes = subnodes;
  }
  if (print) { /* pg_kernel_graph: the graph (of --only's closure) */
    if (format == PG_GRAPH_DOT)
      pg_graph_print_dot(use, use_nodes, k->app->name, print);
    else
      pg_graph_print_text(use, use_nodes, print);
    rc = use->nproblems ? PG_EXIT_STARTUP : 0;
    goto done;
  }
  if (use->nproblems) {
    log_problems(k, use);
    rc = PG_EXIT_STARTUP;
    goto done;
  }
  rc = adopt_graph(k, use, map) == 0 ? 0 : PG_EXIT_CONFIG;
done:
  free_placement(k, placement);
  pg_graph_free(&full);
  pg_graph_free(&sub);
  free(nodes);
  free(subnodes);
  free(map);
  return rc;
}

/* ---- services ------------------------------------------------------------- */

static int add_service(pg__kernel *k, const char *name, pg__program *owner) {
  pg__service *s = &k->services[k->nservices];
  *s = (pg__service){.name = strdup(name), .name_len = strlen(name),
                     .owner = owner};
  if (!s->name) return -1;
  k->nservices++;
  return 0;
}

static int make_builtins(pg__kernel *k) {
  pg__service *log = &k->services[0], *file = &k->services[1];
  if (pg_log_service_new(&log->host, k->log) != 0) log->host = NULL;
  if (!log->host) log->unavailable = "out of memory";
  const char *root =
      pg_app_config_service_setting(k->app, BUILTIN_FILE, "root");
  if (!root) {
    file->unavailable = "no root directory configured (app.yaml: services: "
                        "file.v1.FileService: root: DIR)";
    return 0;
  }
  char err[512] = "";
  if (pg_file_service_new(&file->host, root, err, sizeof err) != 0) {
    file->host = NULL;
    pg_log_emitf(k->log, PG_LOG_ERROR, "parigot", -1, "%s: %s: %s",
                 k->app->path, BUILTIN_FILE, err);
    return -1;
  }
  return 0;
}

static pg__kernel *sort_kernel; /* qsort has no context argument */
static int cmp_service_index(const void *a, const void *b) {
  const pg__service *x = &sort_kernel->services[*(const size_t *)a];
  const pg__service *y = &sort_kernel->services[*(const size_t *)b];
  return strcmp(x->name, y->name);
}

static int index_services(pg__kernel *k) {
  k->service_by_name = malloc(k->nservices * sizeof *k->service_by_name);
  if (!k->service_by_name) return -1;
  for (size_t i = 0; i < k->nservices; i++) k->service_by_name[i] = i;
  sort_kernel = k;
  qsort(k->service_by_name, k->nservices, sizeof *k->service_by_name,
        cmp_service_index);
  for (size_t i = 0; i < k->nprograms; i++) {
    pg__program *p = &k->programs[i];
    p->may_call = calloc(k->nservices, 1);
    if (!p->may_call) return -1;
    for (size_t r = 0; r < p->nrequires; r++)
      for (size_t s = 0; s < k->nservices; s++)
        if (strcmp(k->services[s].name, p->requires[r]) == 0)
          p->may_call[s] = 1;
  }
  return 0;
}

/* Returns 0 or an exit status. */
static int make_services(pg__kernel *k) {
  size_t total = NBUILTINS;
  for (size_t i = 0; i < k->nprograms; i++) total += k->programs[i].nexports;
  k->services = calloc(total, sizeof *k->services);
  if (!k->services) return PG_EXIT_CONFIG;
  for (size_t i = 0; i < NBUILTINS; i++)
    if (add_service(k, builtin_names[i], NULL) != 0) return PG_EXIT_CONFIG;
  if (make_builtins(k) != 0) return PG_EXIT_CONFIG;
  for (size_t i = 0; i < k->nprograms; i++) {
    pg__program *p = &k->programs[i];
    if (!p->needed) continue;
    for (size_t e = 0; e < p->nexports; e++)
      if (add_service(k, p->exports[e], p) != 0) return PG_EXIT_CONFIG;
  }
  return index_services(k) == 0 ? 0 : PG_EXIT_CONFIG;
}

/* ---- step 4: release ------------------------------------------------------ */

static bool program_ready(const pg__program *p) {
  if (!p->released) return false;
  for (uint32_t i = 0; i < p->nreplicas; i++)
    if (!p->replicas[i].ready) return false;
  return true;
}

/* What p requires from program d is served: here, or (deployed) on some
 * node that published ready.<d>.<node>. */
static bool dependency_ready(pg__kernel *k, size_t d) {
  return program_ready(&k->programs[d]) || pg__cluster_ready_somewhere(k, d);
}

static void release(pg__kernel *k, pg__program *p) {
  p->released = true;
  pg_log_emitf(k->log, PG_LOG_DEBUG, "parigot", -1, "released %s",
               p->cfg->name);
  for (uint32_t i = 0; i < p->nreplicas; i++) {
    pg__replica *r = &p->replicas[i];
    /* Nobody waits for a program that exports nothing to be ready. */
    if (p->nexports == 0) r->ready = true;
    if (r->state != PG__R_BLOCK_RUN) continue;
    r->ran = true;
    pg__wake(k, r, PG_CODE_OK);
  }
}

static void log_all_ready(pg__kernel *k) {
  for (size_t i = 0; i < k->norder; i++) {
    const pg__program *p = &k->programs[k->order[i]];
    if (p->local && !program_ready(p)) return;
  }
  k->all_ready_logged = true;
  uint64_t ns = pg__now(k) - k->start_ns;
  char ms[32];
  snprintf(ms, sizeof ms, "%.3f", (double)ns / 1e6);
  pg_log_field f = {"startup_ms", ms};
  char msg[300] = "all programs ready";
  if (k->cluster) /* deployed: this node's */
    snprintf(msg, sizeof msg, "all programs of node %s ready", k->opts.node);
  pg_log_emit(k->log, PG_LOG_INFO, "parigot", -1, msg, &f, 1);
}

/* Deployed: tells the other nodes which of ours are released and serving. */
static void publish_ready(pg__kernel *k) {
  if (!k->cluster) return;
  for (size_t i = 0; i < k->nprograms; i++) {
    pg__program *p = &k->programs[i];
    if (p->local && !p->stopping && program_ready(p))
      pg__cluster_program_ready(k, p, true);
  }
}

/* Releases, in the global order, every program of this process whose
 * requirements are ready; stops at the first that must wait, so no
 * program is released before one earlier in the order. Programs that run
 * only on other nodes are theirs to release. */
void pg__kernel_try_release(pg__kernel *k) {
  if (k->phase != PG__PHASE_SERVE) return;
  while (k->next_release < k->norder) {
    pg__program *p = &k->programs[k->order[k->next_release]];
    if (p->local) {
      for (size_t d = 0; d < p->ndeps; d++)
        if (!dependency_ready(k, p->deps[d])) goto blocked;
      release(k, p);
    }
    k->next_release++;
  }
blocked:
  publish_ready(k);
  if (!k->all_ready_logged) log_all_ready(k);
}

void pg__kernel_replica_ready(pg__kernel *k, pg__replica *r) {
  pg__kernel_try_release(k);
}

static void log_order(pg__kernel *k) {
  size_t len = 0;
  char *line = NULL;
  for (size_t i = 0; i < k->norder; i++) {
    const char *name = k->programs[k->order[i]].cfg->name;
    char *grown = realloc(line, len + strlen(name) + 3);
    if (!grown) break;
    line = grown;
    len += (size_t)sprintf(line + len, "%s%s", i ? ", " : "", name);
  }
  pg_log_emitf(k->log, PG_LOG_INFO, "parigot", -1, "startup order: %s",
               line ? line : "");
  free(line);
}

/* Appends name to a ", "-separated list in buf (cap bytes). */
static void list_add(char *buf, size_t cap, const char *name) {
  size_t len = strlen(buf);
  if (len + strlen(name) + 3 < cap)
    snprintf(buf + len, cap - len, "%s%s", len ? ", " : "", name);
}

/* --only: stop what is not needed (it ran only until run()), and say so. */
static void apply_only(pg__kernel *k) {
  if (!k->opts.only || k->cluster) return;
  char running[1024] = "", stopped[1024] = "";
  for (size_t i = 0; i < k->nprograms; i++) {
    pg__program *p = &k->programs[i];
    if (p->needed) {
      list_add(running, sizeof running, p->cfg->name);
      continue;
    }
    for (uint32_t j = 0; j < p->nreplicas; j++)
      pg__replica_kill(k, &p->replicas[j], NULL);
    list_add(stopped, sizeof stopped, p->cfg->name);
  }
  pg_log_emitf(k->log, PG_LOG_INFO, "parigot", -1,
               "--only %s: running %s; stopped after declaring: %s",
               k->opts.only, running, stopped[0] ? stopped : "(none)");
}

/* ---- step 5: stop ---------------------------------------------------------- */

static void stop_next(pg__kernel *k);

static void stop_program(pg__kernel *k, pg__program *p) {
  pg__remote_unserve_program(k, p); /* new calls go to other nodes */
  pg__cluster_program_ready(k, p, false);
  p->stopping = true;
  pg_log_emitf(k->log, PG_LOG_INFO, "parigot", -1, "stopping %s",
               p->cfg->name);
  char msg[300];
  snprintf(msg, sizeof msg, "program %s is stopping", p->cfg->name);
  pg__fail_queue(k, p, PG_CODE_UNAVAILABLE, msg);
  pg__timer_arm(k, &p->grace, PG__TIMER_STOP_GRACE, p,
                pg__now(k) + STOP_GRACE_MS * 1000000ull);
  for (uint32_t i = 0; i < p->nreplicas; i++) {
    pg__replica *r = &p->replicas[i];
    if (r->state == PG__R_BLOCK_SERVE)
      pg__wake(k, r, PG_CODE_CANCELLED);
    else if (r->state == PG__R_DEAD || r->state == PG__R_BLOCK_RUN)
      pg__replica_kill(k, r, NULL); /* waiting to restart, or never ran */
  }
}

static void stop_next(pg__kernel *k) {
  while (k->stop_pos > 0) {
    pg__program *p = &k->programs[k->order[k->stop_pos - 1]];
    if (p->alive_for_good == 0) {
      pg__timer_cancel(k, &p->grace);
      k->stop_pos--;
      continue;
    }
    if (!p->stopping) {
      stop_program(k, p);
      continue; /* it may have stopped at once */
    }
    return; /* wait for its replicas to leave */
  }
  k->phase = PG__PHASE_DONE;
}

static void begin_stop(pg__kernel *k, const char *why) {
  if (k->phase != PG__PHASE_SERVE) return;
  k->phase = PG__PHASE_STOP;
  pg_log_emitf(k->log, PG_LOG_INFO, "parigot", -1, "%s; stopping servers",
               why);
  for (size_t i = 0; i < k->nprograms; i++) {
    pg__program *p = &k->programs[i];
    if (p->cfg->role == PG_ROLE_SERVER || p->alive_for_good == 0) continue;
    for (uint32_t j = 0; j < p->nreplicas; j++)
      pg__replica_kill(k, &p->replicas[j], "was stopped");
  }
  k->stop_pos = k->norder;
  stop_next(k);
}

void pg__kernel_program_ended(pg__kernel *k, pg__program *p) {
  if (k->phase == PG__PHASE_DECLARE) return;
  char msg[300];
  snprintf(msg, sizeof msg, "program %s is not running", p->cfg->name);
  pg__fail_queue(k, p, PG_CODE_UNAVAILABLE, msg);
  if (p->needed && p->cfg->role != PG_ROLE_SERVER && --k->mains_left == 0)
    begin_stop(k, "every main program has exited");
  if (k->phase == PG__PHASE_STOP) stop_next(k);
}

void pg__kernel_grace_due(pg__kernel *k, pg__program *p) {
  pg_log_emitf(k->log, PG_LOG_WARN, "parigot", -1,
               "program %s did not stop within %u ms; aborting it",
               p->cfg->name, STOP_GRACE_MS);
  for (uint32_t i = 0; i < p->nreplicas; i++)
    pg__replica_kill(k, &p->replicas[i], NULL);
}

void pg__kernel_signal(pg__kernel *k, int signo) {
  const char *name = signo == SIGINT ? "SIGINT" : "SIGTERM";
  bool again = k->interrupted;
  k->interrupted = true;
  if (k->phase == PG__PHASE_SERVE) {
    char why[64];
    snprintf(why, sizeof why, "received %s", name);
    begin_stop(k, why);
  } else if (again && k->phase == PG__PHASE_STOP) {
    pg_log_emitf(k->log, PG_LOG_WARN, "parigot", -1,
                 "received %s again; aborting every program", name);
    kill_all(k);
    k->phase = PG__PHASE_DONE;
  } else {
    pg_log_emitf(k->log, PG_LOG_WARN, "parigot", -1, "received %s", name);
  }
}

/* ---- the entry points ------------------------------------------------------- */

static bool app_done(pg__kernel *k) {
  pg__cluster_pump(k); /* bucket changes: programs elsewhere became ready */
  return k->phase == PG__PHASE_DONE;
}

static int count_mains(pg__kernel *k) {
  int n = 0;
  for (size_t i = 0; i < k->nprograms; i++) {
    const pg__program *p = &k->programs[i];
    n += p->needed && p->cfg->role != PG_ROLE_SERVER && p->alive_for_good;
  }
  return n;
}

static int serve(pg__kernel *k) {
  k->phase = PG__PHASE_SERVE;
  k->mains_left = count_mains(k);
  log_order(k);
  pg__kernel_try_release(k);
  pg__loop(k, app_done);
  int status = k->interrupted  ? PG_EXIT_INTERRUPTED
               : k->main_failed ? PG_EXIT_PROGRAM_FAILED
                                : PG_EXIT_OK;
  pg_log_emitf(k->log, status ? PG_LOG_WARN : PG_LOG_INFO, "parigot", -1,
               "app %s stopped: exit status %d (%s)", k->app->name, status,
               exit_meaning(status));
  return status;
}

int pg_kernel_run(const pg_app_config *app, const pg_kernel_options *opts) {
  if (!app) return PG_EXIT_USAGE;
  pg__kernel *k = kernel_new(app, opts);
  if (!k) return PG_EXIT_CONFIG;
  pg__signals_install(k);
  int rc = 0;
  if (k->opts.node) { /* one node of a deployment: NATS first */
    rc = pg__remote_open(k);
    if (rc == 0) rc = pg__cluster_open(k);
  }
  if (rc == 0) rc = load_and_declare(k);
  if (rc == 0 && k->cluster) rc = pg__cluster_agree(k);
  if (rc == 0) rc = resolve(k, NULL, PG_GRAPH_TEXT);
  if (rc == 0) rc = make_services(k);
  if (rc == 0 && k->opts.node) rc = pg__remote_serve(k);
  if (rc == 0) {
    apply_only(k);
    rc = serve(k);
  } else {
    kill_all(k);
  }
  pg__signals_restore();
  kernel_free(k);
  return rc;
}

int pg_kernel_graph(const pg_app_config *app, const pg_kernel_options *opts,
                    pg_graph_format format, FILE *out) {
  if (!app || !out) return PG_EXIT_USAGE;
  pg__kernel *k = kernel_new(app, opts);
  if (!k) return PG_EXIT_CONFIG;
  pg__signals_install(k);
  int rc = load_and_declare(k);
  if (rc == 0) rc = resolve(k, out, format);
  kill_all(k);
  pg__signals_restore();
  kernel_free(k);
  return rc;
}
