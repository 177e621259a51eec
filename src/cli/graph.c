/*
 * graph.c: `parigot graph APP.yaml`, which runs startup steps 1-3 only
 * (load every module, run each until it calls run(), resolve the graph)
 * through pg_kernel_graph and prints the programs, the services they
 * export and require, the edges and the startup order — or every problem
 * that would stop `parigot run` — as text or as Graphviz DOT. Nothing is
 * served. Shares its options with `parigot run` (kernel_cli.h).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "kernel_cli.h"

static void graph_usage(FILE *out) {
  fprintf(out,
          "usage: parigot graph APP.yaml [options]\n"
          "\n"
          "Starts every program of the app only as far as its run() call, to\n"
          "learn what it requires and exports, then prints the dependency\n"
          "graph: programs, services, edges (A -> B when A requires a service\n"
          "B exports) and the startup order, or every problem that would\n"
          "stop `parigot run` (missing services, duplicate exports, cycles,\n"
          "programs that died before run()). Nothing is served.\n"
          "\n"
          "options:\n"
          "  --format FORMAT       text (default) or dot (Graphviz: pipe into\n"
          "                        `dot -Tsvg > graph.svg`)\n");
  pg__cli_kernel_options_help(out);
  fprintf(out, "  -h, --help            show this help\n\n");
  pg__cli_exit_codes_help(out);
}

static bool parse_format(const char *v, pg_graph_format *out, bool *bad) {
  if (!strcmp(v, "text")) *out = PG_GRAPH_TEXT;
  else if (!strcmp(v, "dot")) *out = PG_GRAPH_DOT;
  else {
    fprintf(stderr, "parigot: --format: '%s' is not text or dot\n", v);
    *bad = true;
    return false;
  }
  return true;
}

/* What graph's options fill in. */
typedef struct graph_args {
  pg_kernel_options *opts;
  pg_graph_format *format;
} graph_args;

/* One option at argv[*i]; false when it is unknown. */
static bool graph_option(int argc, char **argv, int *i, void *ctx,
                         bool *bad) {
  graph_args *g = ctx;
  const char *v = NULL;
  if (pg__cli_option(argc, argv, i, "--format", &v, bad)) {
    if (v) parse_format(v, g->format, bad);
    return true;
  }
  return pg__cli_kernel_option(argc, argv, i, g->opts, bad);
}

int pg__cli_graph(int argc, char **argv) {
  pg_kernel_options opts;
  pg__cli_kernel_defaults(&opts);
  pg_graph_format format = PG_GRAPH_TEXT;
  const char *app_path = NULL;
  graph_args g = {&opts, &format};
  int code = pg__cli_parse_app_args(argc, argv, "graph", graph_usage,
                                    graph_option, &g, &app_path);
  if (code >= 0) return code;
  pg_app_config *app = NULL;
  code = pg__cli_load_app(app_path, &opts, &app);
  if (code != PG_EXIT_OK) return code;
  code = pg_kernel_graph(app, &opts, format, stdout);
  pg_app_config_free(app);
  return code;
}
