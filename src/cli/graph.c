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

static int usage_error(void) {
  fprintf(stderr, "\n");
  graph_usage(stderr);
  return PG_EXIT_USAGE;
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

/* One option at argv[*i]; false when it is unknown. */
static bool graph_option(int argc, char **argv, int *i,
                         pg_kernel_options *opts, pg_graph_format *format,
                         bool *bad) {
  const char *v = NULL;
  if (pg__cli_option(argc, argv, i, "--format", &v, bad)) {
    if (v) parse_format(v, format, bad);
    return true;
  }
  return pg__cli_kernel_option(argc, argv, i, opts, bad);
}

/* Parses argv; returns -1 to go on, else an exit code. */
static int parse_graph_args(int argc, char **argv, pg_kernel_options *opts,
                            pg_graph_format *format, const char **app_path) {
  bool bad = false, options_done = false;
  for (int i = 1; i < argc && !bad;) {
    const char *arg = argv[i];
    if (!options_done && arg[0] == '-' && arg[1]) {
      if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
        graph_usage(stdout);
        return PG_EXIT_OK;
      } else if (!strcmp(arg, "--")) {
        options_done = true;
        i++;
      } else if (!graph_option(argc, argv, &i, opts, format, &bad)) {
        fprintf(stderr, "parigot graph: unknown option '%s'\n", arg);
        bad = true;
      }
      continue;
    }
    if (*app_path) {
      fprintf(stderr, "parigot graph: one APP.yaml only ('%s' and '%s')\n",
              *app_path, arg);
      bad = true;
    }
    *app_path = argv[i++];
  }
  if (!bad && !*app_path) {
    fprintf(stderr, "parigot graph: which app? (parigot graph APP.yaml)\n");
    bad = true;
  }
  return bad ? usage_error() : -1;
}

int pg__cli_graph(int argc, char **argv) {
  pg_kernel_options opts;
  pg__cli_kernel_defaults(&opts);
  pg_graph_format format = PG_GRAPH_TEXT;
  const char *app_path = NULL;
  int code = parse_graph_args(argc, argv, &opts, &format, &app_path);
  if (code >= 0) return code;
  pg_app_config *app = NULL;
  code = pg__cli_load_app(app_path, &opts, &app);
  if (code != PG_EXIT_OK) return code;
  code = pg_kernel_graph(app, &opts, format, stdout);
  pg_app_config_free(app);
  return code;
}
