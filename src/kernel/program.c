/*
 * program.c: programs and their replicas. A program is one compiled module
 * (loaded once, shared by its replicas) plus what it declared; a replica is
 * one engine instance with its own WASI state and its own `parigot`
 * syscalls, run as a coroutine by sched.c. This file creates replicas,
 * settles what an instance returned (blocked, preempted, exited, trapped),
 * reports deaths on the unified log, fails the calls a dead replica held,
 * and restarts trapped servers with exponential backoff (50 ms doubling to
 * 5 s) while the rest of the app keeps running.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel_internal.h"

#define BACKOFF_FIRST_MS 50u
#define BACKOFF_MAX_MS 5000u
/* Up this long without trapping: the next restart waits BACKOFF_FIRST_MS. */
#define BACKOFF_RESET_NS (10ull * 1000000000ull)
/* Most services one program may declare (a guest cannot exhaust memory). */
#define MAX_DECLARATIONS 1024

/* ---- loading (startup step 1) ------------------------------------------ */

static uint8_t *read_file(const char *path, size_t *len, char *err,
                          size_t errlen) {
  FILE *f = fopen(path, "rb");
  uint8_t *buf = NULL;
  if (!f) {
    snprintf(err, errlen, "%s", strerror(errno));
    return NULL;
  }
  if (fseek(f, 0, SEEK_END) != 0) goto fail;
  long size = ftell(f);
  if (size < 0 || fseek(f, 0, SEEK_SET) != 0) goto fail;
  buf = malloc(size ? (size_t)size : 1);
  if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) goto fail;
  fclose(f);
  *len = (size_t)size;
  return buf;
fail:
  snprintf(err, errlen, "cannot read: %s", errno ? strerror(errno) : "?");
  free(buf);
  fclose(f);
  return NULL;
}

static int init_replicas(pg__kernel *k, pg__program *p) {
  p->nreplicas = !p->local ? 0 : p->cfg->replicas ? p->cfg->replicas : 1;
  p->replicas = calloc(p->nreplicas ? p->nreplicas : 1, sizeof *p->replicas);
  if (!p->replicas) return -1;
  for (uint32_t i = 0; i < p->nreplicas; i++) {
    pg__replica *r = &p->replicas[i];
    r->prog = p;
    r->no = i;
    r->state = PG__R_DEAD;
    r->timer.heap_index = PG__TIMER_IDLE;
    snprintf(r->label, sizeof r->label, "%s[%u]", p->cfg->name, i);
  }
  p->alive_for_good = p->nreplicas;
  p->grace.heap_index = PG__TIMER_IDLE;
  return 0;
}

/* Deployed (opts.node): does program i run on this node? */
static bool runs_here(pg__kernel *k, size_t i) {
  if (!k->opts.node) return true;
  const pg_node_config *here = pg_app_config_node(k->app, k->opts.node);
  return here && pg_app_config_on_node(here, i);
}

int pg__programs_load(pg__kernel *k) {
  k->nprograms = k->app->nprograms;
  k->programs = calloc(k->nprograms ? k->nprograms : 1, sizeof *k->programs);
  if (!k->programs) return PG_EXIT_CONFIG;
  for (size_t i = 0; i < k->nprograms; i++) {
    pg__program *p = &k->programs[i];
    p->k = k;
    p->cfg = &k->app->programs[i];
    p->index = i;
    p->needed = true;
    p->local = runs_here(k, i); /* else: no replicas, no module here */
    if (init_replicas(k, p) != 0) return PG_EXIT_CONFIG;
  }
  /* Every module is tried, so one run lists every bad file. */
  int rc = 0;
  for (size_t i = 0; i < k->nprograms; i++) {
    pg__program *p = &k->programs[i];
    if (!p->local) continue; /* its node loads it */
    char err[512] = "";
    size_t len = 0;
    uint8_t *bytes = read_file(p->cfg->wasm_path, &len, err, sizeof err);
    if (bytes &&
        pg_module_new(&p->module, bytes, len, err, sizeof err) != PG_OK)
      p->module = NULL;
    free(bytes);
    if (!p->module) {
      pg_log_emitf(k->log, PG_LOG_ERROR, "parigot", -1,
                   "program %s: cannot load %s: %s", p->cfg->name,
                   p->cfg->wasm_path, err);
      rc = PG_EXIT_CONFIG;
    }
  }
  return rc;
}

/* ---- WASI hooks --------------------------------------------------------- */

static void guest_write(void *ctx, int fd, const uint8_t *bytes, size_t len) {
  pg__replica *r = ctx;
  pg_log_guest_output(r->prog->k->log, r->prog->cfg->name, (int)r->no,
                      fd == 2 ? PG_LOG_STDERR : PG_LOG_STDOUT, bytes, len);
}

static uint64_t guest_clock(void *ctx, uint32_t clock_id) {
  pg__replica *r = ctx;
  pg__kernel *k = r->prog->k;
  return clock_id == PG_WASI_CLOCK_REALTIME ? pg__wall_ns(k) : pg__now(k);
}

static void guest_random(void *ctx, uint8_t *buf, size_t len) {
  pg__replica *r = ctx;
  for (size_t i = 0; i < len; i += 8) {
    uint64_t v = pg__splitmix64(&r->prng[0]);
    size_t n = len - i < 8 ? len - i : 8;
    memcpy(buf + i, &v, n);
  }
}

/* A guest's sleep suspends only its instance: a timer resumes it (on the
 * virtual clock under --deterministic). During startup step 2 the loop
 * ends when nothing is runnable, so there the sleep stays synchronous. */
static bool guest_sleep(void *ctx, uint64_t ns) {
  pg__replica *r = ctx;
  pg__kernel *k = r->prog->k;
  if (k->phase == PG__PHASE_DECLARE || r->state != PG__R_RUNNING) return false;
  r->state = PG__R_BLOCK_SLEEP;
  pg__timer_arm(k, &r->timer, PG__TIMER_BLOCK_TIMEOUT, r, pg__now(k) + ns);
  return true;
}

/* ---- instances ---------------------------------------------------------- */

static void drop_instance(pg__replica *r) {
  pg_instance_free(r->inst);
  pg_wasi_free(r->wasi); /* after the instance that imports from it */
  pg_linker_free(r->linker);
  r->inst = NULL;
  r->wasi = NULL;
  r->linker = NULL;
  r->start = NULL;
}

static int make_wasi(pg__kernel *k, pg__replica *r, char *err, size_t errlen) {
  const pg_program_config *cfg = r->prog->cfg;
  const char **argv = calloc(cfg->nargs + 2, sizeof *argv);
  const char **envp = calloc(cfg->nenv + 1, sizeof *envp);
  int rc = -1;
  if (!argv || !envp) goto done;
  argv[0] = cfg->name;
  for (size_t i = 0; i < cfg->nargs; i++) argv[i + 1] = cfg->args[i];
  for (size_t i = 0; i < cfg->nenv; i++) envp[i] = cfg->env[i];
  pg_wasi_config wc = {.argc = (int)cfg->nargs + 1, .argv = argv,
                       .envp = envp, .stdin_fd = -1, .stdout_fd = 1,
                       .stderr_fd = 2, .write = guest_write,
                       .sleep = guest_sleep, .hook_ctx = r};
  if (k->opts.deterministic) {
    wc.clock_ns = guest_clock;
    wc.random_bytes = guest_random;
  }
  rc = pg_wasi_new(&r->wasi, &wc, err, errlen) == PG_OK ? 0 : -1;
done:
  free(argv);
  free(envp);
  return rc;
}

int pg__replica_start(pg__kernel *k, pg__replica *r) {
  pg__program *p = r->prog;
  char err[512] = "out of memory";
  r->prng[0] = k->opts.seed ^ (0x51ed270b27b4d3c5ull * (p->index + 1)) ^
               ((uint64_t)r->no << 32) ^ ((uint64_t)r->restarts << 48);
  if (make_wasi(k, r, err, sizeof err) != 0) goto fail;
  if (pg_linker_new(&r->linker) != PG_OK ||
      pg_wasi_link(r->wasi, r->linker) != PG_OK ||
      pg__syscalls_link(r, r->linker) != 0)
    goto fail;
  if (pg_instance_new(&r->inst, p->module, r->linker, NULL, err,
                      sizeof err) != PG_OK) {
    r->inst = NULL;
    goto fail;
  }
  r->start = pg_instance_func(r->inst, "_start");
  if (!r->start) {
    snprintf(err, sizeof err, "no _start export (not a WASI command)");
    goto fail;
  }
  pg_instance_set_user(r->inst, r);
  r->up_since = pg__now(k);
  r->started = r->has_result = r->ran = r->ready = false;
  r->held = NULL;
  r->outstanding = 0;
  pg__enqueue(k, r);
  return 0;
fail:
  pg_log_emitf(k->log, PG_LOG_ERROR, "parigot", -1,
               "program %s: cannot instantiate %s: %s", r->label,
               p->cfg->wasm_path, err);
  drop_instance(r);
  r->state = PG__R_DEAD;
  return -1;
}

/* ---- deaths ------------------------------------------------------------- */

/* The replica's incarnation ended: its guest lines are flushed and the
 * built-in services drop what it held (e.g. open file handles). */
static void replica_gone(pg__kernel *k, pg__replica *r) {
  pg_log_flush_guest(k->log, r->prog->cfg->name, (int)r->no);
  pg_caller who = {.program = r->prog->cfg->name, .replica = (int)r->no};
  for (size_t i = 0; i < k->nservices; i++) {
    pg_host_service *h = k->services[i].host;
    if (h && h->release) h->release(h, &who);
  }
}

static void stop_for_good(pg__kernel *k, pg__replica *r) {
  if (r->stop_for_good) return;
  r->stop_for_good = true;
  pg__timer_cancel(k, &r->timer);
  pg__program *p = r->prog;
  p->alive_for_good--;
  if (!r->ready) {
    r->ready = true; /* a dead replica must not hold up the release */
    pg__kernel_replica_ready(k, r);
  }
  if (p->alive_for_good == 0) pg__kernel_program_ended(k, p);
}

static void log_trap(pg__kernel *k, pg__replica *r) {
  pg_log_emitf(k->log, PG_LOG_ERROR, "parigot", -1, "program %s trapped: %s",
               r->label, pg_instance_trap_message(r->inst));
  char bt[4096];
  size_t n = pg_instance_backtrace(r->inst, bt, sizeof bt);
  if (n >= sizeof bt) n = sizeof bt - 1;
  bt[n] = '\0';
  for (char *line = strtok(bt, "\n"); line; line = strtok(NULL, "\n")) {
    while (*line == ' ') line++;
    pg_log_emitf(k->log, PG_LOG_ERROR, "parigot", -1, "  at %s", line);
  }
}

static void schedule_restart(pg__kernel *k, pg__replica *r) {
  /* A replica that stayed up a while starts the backoff anew; one that
   * keeps trapping (even after reaching serve) backs off further. */
  if (pg__now(k) - r->up_since > BACKOFF_RESET_NS) r->restarts = 0;
  uint32_t shift = r->restarts < 10 ? r->restarts : 10;
  uint64_t ms = (uint64_t)BACKOFF_FIRST_MS << shift;
  if (ms > BACKOFF_MAX_MS) ms = BACKOFF_MAX_MS;
  r->restarts++;
  pg_log_emitf(k->log, PG_LOG_WARN, "parigot", -1,
               "restarting %s in %llu ms (restart %u)", r->label,
               (unsigned long long)ms, r->restarts);
  pg__timer_arm(k, &r->timer, PG__TIMER_RESTART, r,
                pg__now(k) + ms * 1000000ull);
  if (!r->ready) {
    r->ready = true;
    pg__kernel_replica_ready(k, r);
  }
}

/* r's instance ended: exit code, or trapped (message `why`, or the
 * instance's trap message when why is NULL). */
static void replica_died(pg__kernel *k, pg__replica *r, bool trapped,
                         int code, const char *why) {
  pg__program *p = r->prog;
  char what[300];
  if (trapped)
    snprintf(what, sizeof what, "trapped: %s",
             why ? why : pg_instance_trap_message(r->inst));
  else
    snprintf(what, sizeof what, "exited with code %d", code);
  replica_gone(k, r);
  if (trapped && why)
    pg_log_emitf(k->log, PG_LOG_ERROR, "parigot", -1, "program %s %s",
                 r->label, what);
  else if (trapped)
    log_trap(k, r);
  else
    pg_log_emitf(k->log, code ? PG_LOG_WARN : PG_LOG_INFO, "parigot", -1,
                 "program %s exited with code %d", r->label, code);
  if (!r->ran && !p->released && !p->died_before_run) {
    p->died_before_run = true;
    snprintf(p->death_reason, sizeof p->death_reason, "%s", what);
  }
  if ((trapped || code != 0) && p->cfg->role != PG_ROLE_SERVER)
    p->failed = k->main_failed = true;
  char msg[400];
  snprintf(msg, sizeof msg, "program %s %s", r->label, what);
  pg__calls_of_dead(k, r, trapped ? PG_CODE_INTERNAL : PG_CODE_UNAVAILABLE,
                    msg);
  drop_instance(r);
  r->state = PG__R_DEAD;
  bool restart = k->phase == PG__PHASE_SERVE && p->released &&
                 !p->stopping && p->cfg->role == PG_ROLE_SERVER &&
                 (trapped || code != 0);
  if (restart)
    schedule_restart(k, r);
  else
    stop_for_good(k, r);
}

void pg__replica_settle(pg__kernel *k, pg__replica *r, pg_status st) {
  switch (st) {
  case PG_YIELD:
    if (r->state != PG__R_RUNNING) return; /* the syscall set its state */
    /* A host function yielded without telling the kernel why: nothing
     * would ever resume it, so it ends like a trap rather than hang. */
    pg_instance_abort(r->inst);
    replica_died(k, r, true, 0, "a host function suspended it unexpectedly");
    return;
  case PG_OUT_OF_FUEL:
    pg__enqueue(k, r); /* preempted: back of the queue */
    return;
  case PG_OK:
    replica_died(k, r, false, 0, NULL);
    return;
  case PG_TRAP:
    if (pg_instance_trap_kind(r->inst) == PG_TRAP_EXIT)
      replica_died(k, r, false, pg_instance_exit_code(r->inst), NULL);
    else
      replica_died(k, r, true, 0, NULL);
    return;
  default:
    /* NOMEM or an engine state error: treat it as a trap of that
     * instance, never of the host. */
    replica_died(k, r, true, 0, pg_status_str(st));
    return;
  }
}

static void rq_remove(pg__kernel *k, pg__replica *r) {
  pg__replica *prev = NULL;
  for (pg__replica *q = k->rq_head; q; prev = q, q = q->rq_next) {
    if (q != r) continue;
    if (prev) prev->rq_next = q->rq_next; else k->rq_head = q->rq_next;
    if (k->rq_tail == q) k->rq_tail = prev;
    q->rq_next = NULL;
    return;
  }
}

void pg__replica_kill(pg__kernel *k, pg__replica *r, const char *why) {
  if (r->state == PG__R_DEAD) {
    stop_for_good(k, r); /* cancels a pending restart */
    return;
  }
  if (r->state == PG__R_RUNNABLE) rq_remove(k, r);
  if (r->state == PG__R_BLOCK_SERVE) pg__idle_remove(r->prog, r);
  if (r->state == PG__R_BLOCK_WAIT) pg__wait_try_finish(k, r, true);
  if (r->state == PG__R_RUNNABLE) rq_remove(k, r);
  pg__timer_cancel(k, &r->timer);
  replica_gone(k, r);
  if (why)
    pg_log_emitf(k->log, PG_LOG_INFO, "parigot", -1, "program %s %s", r->label,
                 why);
  char msg[200];
  snprintf(msg, sizeof msg, "program %s was stopped", r->label);
  pg__calls_of_dead(k, r, PG_CODE_UNAVAILABLE, msg);
  if (r->inst) pg_instance_abort(r->inst);
  drop_instance(r);
  r->state = PG__R_DEAD;
  stop_for_good(k, r);
}

void pg__restart_due(pg__kernel *k, pg__replica *r) {
  pg__program *p = r->prog;
  if (k->phase != PG__PHASE_SERVE || p->stopping || r->stop_for_good) {
    stop_for_good(k, r);
    return;
  }
  if (pg__replica_start(k, r) != 0) {
    stop_for_good(k, r);
    return;
  }
  pg_log_emitf(k->log, PG_LOG_INFO, "parigot", -1, "restarted %s", r->label);
}

/* ---- declarations -------------------------------------------------------- */

int pg__program_add_declaration(pg__program *p, bool is_export,
                                const char *name) {
  char ***list = is_export ? &p->exports : &p->requires;
  size_t *n = is_export ? &p->nexports : &p->nrequires;
  size_t *cap = is_export ? &p->cap_exports : &p->cap_requires;
  for (size_t i = 0; i < *n; i++)
    if (strcmp((*list)[i], name) == 0) return 0;
  if (*n == *cap) {
    size_t c = *cap ? 2 * *cap : 8;
    char **grown = realloc(*list, c * sizeof *grown);
    if (!grown) return -1;
    *list = grown;
    *cap = c;
  }
  char *copy = strdup(name);
  if (!copy) return -1;
  (*list)[(*n)++] = copy;
  return 0;
}

int pg__declare(pg__replica *r, bool is_export, const char *name, size_t len) {
  pg__program *p = r->prog;
  char ***list = is_export ? &p->exports : &p->requires;
  size_t *n = is_export ? &p->nexports : &p->nrequires;
  size_t *cap = is_export ? &p->cap_exports : &p->cap_requires;
  for (size_t i = 0; i < *n; i++)
    if (strlen((*list)[i]) == len && memcmp((*list)[i], name, len) == 0)
      return PG_CODE_OK;
  if (p->k->phase != PG__PHASE_DECLARE) {
    /* A restarted replica declaring something new: the graph is fixed. */
    pg_log_emitf(p->k->log, PG_LOG_WARN, "parigot", -1,
                 "program %s %s %.*s after startup; ignored", r->label,
                 is_export ? "exported" : "required", (int)len, name);
    return PG_CODE_OK;
  }
  if (*n >= MAX_DECLARATIONS) return PG_CODE_RESOURCE_EXHAUSTED;
  if (*n == *cap) {
    size_t c = *cap ? 2 * *cap : 8;
    char **grown = realloc(*list, c * sizeof *grown);
    if (!grown) return PG_CODE_RESOURCE_EXHAUSTED;
    *list = grown;
    *cap = c;
  }
  char *copy = strndup(name, len);
  if (!copy) return PG_CODE_RESOURCE_EXHAUSTED;
  (*list)[(*n)++] = copy;
  return PG_CODE_OK;
}

void pg__programs_free(pg__kernel *k) {
  for (size_t i = 0; i < k->nprograms; i++) {
    pg__program *p = &k->programs[i];
    for (uint32_t j = 0; p->replicas && j < p->nreplicas; j++)
      drop_instance(&p->replicas[j]);
    for (size_t j = 0; j < p->nrequires; j++) free(p->requires[j]);
    for (size_t j = 0; j < p->nexports; j++) free(p->exports[j]);
    free(p->requires);
    free(p->exports);
    free(p->replicas);
    free(p->deps);
    free(p->may_call);
    pg_module_free(p->module);
  }
  free(k->programs);
  k->programs = NULL;
}
