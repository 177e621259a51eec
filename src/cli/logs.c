/*
 * logs.c: `parigot logs APP.yaml`, the unified log of a deployment. Every
 * node started with `parigot run APP.yaml --node NAME` also publishes its
 * log lines on NATS (parigot.<app>.log.<node>), where a JetStream stream
 * keeps them. This command connects with app.yaml's deploy.nats settings,
 * reads that stream from its start and prints the lines of every node
 * merged in time order, "node/program[replica]" on each line
 * (pg_cluster_logs in src/kernel/cluster.c does the reading and merging).
 * --follow keeps printing new lines until SIGINT/SIGTERM, holding each for
 * a short window so that a slightly earlier line of another node still
 * comes out first.
 */
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "kernel/cluster.h"
#include "kernel/config.h"
#include "kernel/kernel.h"
#include "kernel/logmerge.h"
#include "kernel/remote.h"
#include "transport/transport.h"

/* --follow: how long a line waits for earlier lines of other nodes. */
#define DEFAULT_WINDOW_MS 500u

typedef struct logs_args {
  const char *app_path;
  bool follow;
  pg_log_format format;
  pg_log_level level;
  uint64_t window_ms;
} logs_args;

static atomic_bool stop_following;

static void on_signal(int signo) {
  (void)signo;
  atomic_store(&stop_following, true);
}

static void logs_usage(FILE *out) {
  fprintf(out,
          "usage: parigot logs APP.yaml [options]\n"
          "\n"
          "Prints the unified log of a deployment: the lines every node\n"
          "(parigot run APP.yaml --node NAME) published on NATS, merged in\n"
          "time order, with the node and the program on each line:\n"
          "  2026-11-29T18:41:08.123Z INFO  b/cart[0] added item\n"
          "Connects with the deploy.nats settings of APP.yaml.\n"
          "\n"
          "options:\n"
          "  -f, --follow          keep printing new lines (until Ctrl-C)\n"
          "  --format FORMAT       text (default) or json (one object a\n"
          "                        line, with a \"node\" member)\n"
          "  --log-level LEVEL     print only lines at LEVEL or above:\n"
          "                        debug (default), info, warn, error, fatal\n"
          "  --window MS           --follow: hold each line this long for\n"
          "                        earlier lines of other nodes (default %u)\n"
          "  -h, --help            show this help\n"
          "\n"
          "exit codes:\n"
          "  0    the log was printed\n"
          "  2    bad command line\n"
          "  3    app.yaml could not be loaded, has no deploy section, NATS\n"
          "       could not be reached, or no node has published yet\n",
          DEFAULT_WINDOW_MS);
}

/* One option at argv[*i]; false when unknown. */
static bool logs_option(int argc, char **argv, int *i, void *ctx,
                        bool *bad) {
  logs_args *a = ctx;
  const char *v = NULL;
  if (!strcmp(argv[*i], "-f") || !strcmp(argv[*i], "--follow")) {
    a->follow = true;
    *i += 1;
  } else if (pg__cli_option(argc, argv, i, "--format", &v, bad)) {
    if (v && !strcmp(v, "text")) a->format = PG_LOG_TEXT;
    else if (v && !strcmp(v, "json")) a->format = PG_LOG_JSON;
    else if (v) {
      fprintf(stderr, "parigot: --format: '%s' is not text or json\n", v);
      *bad = true;
    }
  } else if (pg__cli_option(argc, argv, i, "--log-level", &v, bad)) {
    int level = v ? pg_log_level_parse(v) : 0;
    if (level < 0) {
      fprintf(stderr, "parigot: --log-level: '%s' is not debug, info, warn, "
                      "error or fatal\n", v);
      *bad = true;
    }
    a->level = (pg_log_level)(level < 0 ? 0 : level);
  } else if (pg__cli_option(argc, argv, i, "--window", &v, bad)) {
    if (v && !pg__cli_parse_u64(v, 60000, &a->window_ms)) {
      fprintf(stderr, "parigot: --window: '%s' is not a number of "
                      "milliseconds (0..60000)\n", v);
      *bad = true;
    }
  } else {
    return false;
  }
  return true;
}

static void print_record(void *ctx, const pg_logrec *r) {
  pg_logrec_print(ctx, r);
}

static void report_bad_line(void *ctx, const char *subject, const char *why) {
  (void)ctx;
  fprintf(stderr, "parigot logs: skipped a message on %s: %s\n", subject,
          why);
}

/* Reads and prints; returns an exit code. */
static int print_logs(const pg_app_config *app, const logs_args *a) {
  pg_transport_options to;
  pg_deploy_transport_options(app, "logs", &to);
  pg_transport *t = NULL;
  pg_log *log = NULL;
  char err[1024] = "";
  int rc = PG_EXIT_CONFIG;
  if (pg_transport_connect(&t, &to, err, sizeof err) != 0) goto done;
  pg_log_options lo = {.out = stdout, .format = a->format,
                       .min_level = a->level};
  if (pg_log_new(&log, &lo) != 0) {
    snprintf(err, sizeof err, "out of memory");
    goto done;
  }
  pg_cluster_logs_options o = {.follow = a->follow,
                               .window_ms = (unsigned)a->window_ms,
                               .stop = &stop_following,
                               .emit = print_record,
                               .bad_line = report_bad_line,
                               .ctx = log};
  if (pg_cluster_logs(pg_transport_conn(t), app->name, &o, err,
                      sizeof err) == 0)
    rc = PG_EXIT_OK;
done:
  if (rc != PG_EXIT_OK) fprintf(stderr, "parigot: %s\n", err);
  pg_log_free(log);
  pg_transport_free(t);
  return rc;
}

int pg__cli_logs(int argc, char **argv) {
  logs_args a = {.format = PG_LOG_TEXT, .level = PG_LOG_DEBUG,
                 .window_ms = DEFAULT_WINDOW_MS};
  int rc = pg__cli_parse_app_args(argc, argv, "logs", logs_usage,
                                  logs_option, &a, &a.app_path);
  if (rc >= 0) return rc;
  char err[1024];
  pg_app_config *app = NULL;
  if (pg_app_config_load(a.app_path, &app, err, sizeof err) != 0) {
    fprintf(stderr, "parigot: %s\n", err);
    return PG_EXIT_CONFIG;
  }
  if (!app->deploy) {
    fprintf(stderr, "parigot logs: %s has no deploy section (nodes and "
                    "NATS; see docs/deploy.md)\n", a.app_path);
    pg_app_config_free(app);
    return PG_EXIT_CONFIG;
  }
  struct sigaction sa, old_int, old_term;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  rc = print_logs(app, &a);
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGTERM, &old_term, NULL);
  pg_app_config_free(app);
  return rc;
}
