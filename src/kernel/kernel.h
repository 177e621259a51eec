/*
 * kernel.h: parigot's kernel — runs every program of an app as engine
 * instances (coroutines) on one event loop, in one process (DESIGN.md,
 * "The kernel"): load, run each _start until run(), resolve the graph,
 * release in topological order, route calls with deadlines, restart
 * trapped servers with backoff, stop on SIGINT/SIGTERM or when every main
 * has exited. The `parigot run` and `parigot graph` commands call this.
 */
#ifndef PG_KERNEL_KERNEL_H
#define PG_KERNEL_KERNEL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "kernel/config.h"
#include "kernel/log.h"

/* Exit statuses of `parigot run`: XX(NAME, value, meaning). */
#define PG_EXIT_MAP(XX)                                                       \
  XX(OK, 0, "every main program exited with 0")                              \
  XX(PROGRAM_FAILED, 1, "a main program exited non-zero or trapped")         \
  XX(USAGE, 2, "bad command line")                                           \
  XX(CONFIG, 3, "app.yaml or a module could not be loaded")                  \
  XX(STARTUP, 4, "the app could not start: missing service, cycle, ...")     \
  XX(INTERRUPTED, 130, "stopped by SIGINT or SIGTERM")

typedef enum pg_exit_status {
#define PG_EXIT_ENUM_(name, value, meaning) PG_EXIT_##name = value,
  PG_EXIT_MAP(PG_EXIT_ENUM_)
#undef PG_EXIT_ENUM_
} pg_exit_status;

typedef enum pg_graph_format { PG_GRAPH_TEXT, PG_GRAPH_DOT } pg_graph_format;

typedef struct pg_kernel_options {
  const char *only;    /* run only what this program needs; NULL = all */
  const char *node;    /* deploy: run this node's programs and reach the
                          others over NATS; NULL = one process (all) */
  bool deterministic;  /* fixed schedule, clock and random bytes */
  uint64_t seed;       /* for --deterministic's random bytes */
  pg_log_format log_format;
  pg_log_level log_level;
  FILE *log_out;       /* borrowed; NULL = stderr */
} pg_kernel_options;

/* Runs `app` to the end; app and opts (with its strings) are borrowed
 * until it returns. Returns a pg_exit_status. Everything that goes wrong
 * is reported on the unified log. */
int pg_kernel_run(const pg_app_config *app, const pg_kernel_options *opts);

/* Startup steps 1-3 only: loads the modules, runs each _start until run(),
 * resolves the graph and prints it to `out` without serving anything.
 * app, opts and out are borrowed for the call. Returns PG_EXIT_OK,
 * PG_EXIT_CONFIG or PG_EXIT_STARTUP (the problems are printed with the
 * graph). */
int pg_kernel_graph(const pg_app_config *app, const pg_kernel_options *opts,
                    pg_graph_format format, FILE *out);

#endif /* PG_KERNEL_KERNEL_H */
