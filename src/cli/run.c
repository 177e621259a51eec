/*
 * run.c: `parigot run APP.yaml`, which runs every program of an app in one
 * process through the kernel (pg_kernel_run), plus what `parigot graph`
 * shares with it (kernel_cli.h): the kernel's options, loading app.yaml,
 * and the help text for exit codes. The kernel reports everything that
 * happens after loading on the unified log; this file only turns the
 * command line into a pg_kernel_options and app.yaml into a pg_app_config.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "kernel_cli.h"

void pg__cli_kernel_defaults(pg_kernel_options *opts) {
  memset(opts, 0, sizeof *opts);
  opts->log_format = PG_LOG_TEXT;
  opts->log_level = PG_LOG_INFO;
}

static bool parse_log_format(const char *v, pg_log_format *out) {
  if (!strcmp(v, "text")) *out = PG_LOG_TEXT;
  else if (!strcmp(v, "json")) *out = PG_LOG_JSON;
  else return false;
  return true;
}

/* Checks the value of an option that takes one; prints why on failure. */
static bool check_value(const char *option, const char *value, bool ok,
                        const char *expected, bool *bad) {
  if (ok) return true;
  fprintf(stderr, "parigot: %s: '%s' is not %s\n", option, value, expected);
  *bad = true;
  return false;
}

bool pg__cli_kernel_option(int argc, char **argv, int *i,
                           pg_kernel_options *opts, bool *bad) {
  const char *v = NULL;
  uint64_t seed;
  if (!strcmp(argv[*i], "--deterministic")) {
    opts->deterministic = true;
    *i += 1;
  } else if (pg__cli_option(argc, argv, i, "--only", &v, bad)) {
    if (v) opts->only = v;
  } else if (pg__cli_option(argc, argv, i, "--seed", &v, bad)) {
    if (v && check_value("--seed", v, pg__cli_parse_u64(v, UINT64_MAX, &seed),
                         "a whole number", bad)) {
      opts->seed = seed;
      opts->deterministic = true; /* a seed means nothing otherwise */
    }
  } else if (pg__cli_option(argc, argv, i, "--log-format", &v, bad)) {
    if (v) check_value("--log-format", v, parse_log_format(v, &opts->log_format),
                       "text or json", bad);
  } else if (pg__cli_option(argc, argv, i, "--log-level", &v, bad)) {
    int level = v ? pg_log_level_parse(v) : 0;
    if (v && check_value("--log-level", v, level >= 0,
                         "debug, info, warn, error or fatal", bad))
      opts->log_level = (pg_log_level)level;
  } else {
    return false;
  }
  return true;
}

static void list_programs(const pg_app_config *app, FILE *out) {
  for (size_t i = 0; i < app->nprograms; i++)
    fprintf(out, "%s%s", i ? ", " : "", app->programs[i].name);
}

int pg__cli_load_app(const char *path, const pg_kernel_options *opts,
                     pg_app_config **out) {
  char err[1024];
  pg_app_config *app = NULL;
  if (pg_app_config_load(path, &app, err, sizeof err) != 0) {
    fprintf(stderr, "parigot: %s\n", err);
    return PG_EXIT_CONFIG;
  }
  if (opts->only) {
    bool found = false;
    for (size_t i = 0; i < app->nprograms && !found; i++)
      found = !strcmp(app->programs[i].name, opts->only);
    if (!found) {
      fprintf(stderr, "parigot: --only: %s has no program '%s' (it has: ",
              path, opts->only);
      list_programs(app, stderr);
      fprintf(stderr, ")\n");
      pg_app_config_free(app);
      return PG_EXIT_USAGE;
    }
  }
  *out = app;
  return PG_EXIT_OK;
}

void pg__cli_kernel_options_help(FILE *out) {
  fprintf(out,
          "  --only PROGRAM        start only PROGRAM and the programs it\n"
          "                        needs, transitively\n"
          "  --deterministic       fix the scheduling order, the clock the\n"
          "                        programs see and their random bytes, so\n"
          "                        two runs print the same log\n"
          "  --seed N              seed of those random bytes (default 0;\n"
          "                        implies --deterministic)\n"
          "  --log-format FORMAT   text (default) or json (one object a line)\n"
          "  --log-level LEVEL     debug, info (default), warn, error, fatal\n");
}

void pg__cli_exit_codes_help(FILE *out) {
  fprintf(out, "exit codes:\n");
#define PG_EXIT_HELP_(name, value, meaning) fprintf(out, "  %-4d %s\n", value, meaning);
  PG_EXIT_MAP(PG_EXIT_HELP_)
#undef PG_EXIT_HELP_
}

static void run_usage(FILE *out) {
  fprintf(out,
          "usage: parigot run APP.yaml [options]\n"
          "\n"
          "Runs every program of the app described by APP.yaml in this one\n"
          "process: loads each .wasm, runs it until it calls run(), checks\n"
          "the dependency graph (missing services, duplicate exports,\n"
          "cycles), releases the programs in dependency order and serves\n"
          "their calls until every main program has exited (or SIGINT or\n"
          "SIGTERM). Everything goes to one log on stderr.\n"
          "With --node, this process is one node of a deployment: it runs\n"
          "that node's programs and calls the others over NATS.\n"
          "\n"
          "options:\n");
  pg__cli_kernel_options_help(out);
  fprintf(out,
          "  --node NAME           run only the programs that app.yaml's\n"
          "                        deploy section places on node NAME and\n"
          "                        reach the others over NATS\n"
          "  -h, --help            show this help\n\n");
  pg__cli_exit_codes_help(out);
}

/* --node NAME: the app must have a deploy section naming that node.
 * Returns PG_EXIT_OK, or prints why and returns PG_EXIT_USAGE. */
static int check_node(const char *path, const pg_app_config *app,
                      const char *node) {
  if (!node || pg_app_config_node(app, node)) return PG_EXIT_OK;
  if (!app->deploy) {
    fprintf(stderr,
            "parigot: --node %s: %s has no deploy section (nodes and NATS; "
            "see docs/deploy.md)\n",
            node, path);
    return PG_EXIT_USAGE;
  }
  fprintf(stderr, "parigot: --node: %s has no node '%s' (it has: ", path,
          node);
  for (size_t i = 0; i < app->deploy->nnodes; i++)
    fprintf(stderr, "%s%s", i ? ", " : "", app->deploy->nodes[i].name);
  fprintf(stderr, ")\n");
  return PG_EXIT_USAGE;
}

/* One option of run at argv[*i] (ctx: the pg_kernel_options); false when
 * it is unknown. */
static bool run_option(int argc, char **argv, int *i, void *ctx, bool *bad) {
  pg_kernel_options *opts = ctx;
  return pg__cli_option(argc, argv, i, "--node", &opts->node, bad) ||
         pg__cli_kernel_option(argc, argv, i, opts, bad);
}

int pg__cli_run(int argc, char **argv) {
  pg_kernel_options opts;
  pg__cli_kernel_defaults(&opts);
  const char *app_path = NULL;
  int code = pg__cli_parse_app_args(argc, argv, "run", run_usage, run_option,
                                    &opts, &app_path);
  if (code >= 0) return code;
  pg_app_config *app = NULL;
  code = pg__cli_load_app(app_path, &opts, &app);
  if (code != PG_EXIT_OK) return code;
  code = check_node(app_path, app, opts.node);
  if (code == PG_EXIT_OK) code = pg_kernel_run(app, &opts);
  pg_app_config_free(app);
  return code;
}
