/*
 * main.c: the `parigot` command's front door: global options (--help,
 * --version) and the table of subcommands, each implemented in its own file.
 * Later subcommands (run, graph) are one line in `commands` below.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const pg_cli_command commands[] = {
    {"exec", "run one WASI command module (like `wasmtime run`)", pg__cli_exec},
    {"run", "run a multi-program app (app.yaml): one process, or one node", pg__cli_run},
    {"graph", "print an app's programs, services and startup order", pg__cli_graph},
    {"logs", "print the merged log of every node of a deployment", pg__cli_logs},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out) {
  fprintf(out,
          "usage: parigot <command> [options] [args...]\n"
          "       parigot --help | --version\n"
          "\n"
          "parigot runs microservices written as WebAssembly programs.\n"
          "\n"
          "commands:\n");
  for (size_t i = 0; i < NCOMMANDS; i++)
    fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
  fprintf(out,
          "\n"
          "Run `parigot <command> --help` for a command's options.\n"
          "\n"
          "exit codes: 2 for a usage error; each command's --help lists the\n"
          "others (exec: the program's own code, 1 load error, 134 trap;\n"
          "run: 0 ok, 1 a main failed, 3 load error, 4 cannot start, 130\n"
          "interrupted).\n");
}

bool pg__cli_option(int argc, char **argv, int *i, const char *name,
                    const char **value, bool *bad) {
  const char *arg = argv[*i];
  size_t n = strlen(name);
  if (strncmp(arg, name, n) != 0) return false;
  if (arg[n] == '=') {
    *value = arg + n + 1;
    *i += 1;
    return true;
  }
  if (arg[n] != '\0') return false;
  if (*i + 1 >= argc) {
    fprintf(stderr, "parigot: option %s needs a value\n", name);
    *bad = true;
    *i += 1;
    return true;
  }
  *value = argv[*i + 1];
  *i += 2;
  return true;
}

bool pg__cli_parse_u64(const char *s, uint64_t max, uint64_t *out) {
  if (!s || *s < '0' || *s > '9') return false;
  errno = 0;
  char *end;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end != '\0' || v > max) return false;
  *out = v;
  return true;
}

int pg__cli_parse_app_args(int argc, char **argv, const char *name,
                           void (*usage_of)(FILE *out),
                           pg__cli_option_fn *option, void *ctx,
                           const char **app_path) {
  bool bad = false, options_done = false;
  for (int i = 1; i < argc && !bad;) {
    const char *arg = argv[i];
    if (!options_done && arg[0] == '-' && arg[1]) {
      if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
        usage_of(stdout);
        return PG_CLI_EXIT_OK;
      } else if (!strcmp(arg, "--")) {
        options_done = true;
        i++;
      } else if (!option(argc, argv, &i, ctx, &bad)) {
        fprintf(stderr, "parigot %s: unknown option '%s'\n", name, arg);
        bad = true;
      }
      continue;
    }
    if (*app_path) {
      fprintf(stderr, "parigot %s: one APP.yaml only ('%s' and '%s')\n", name,
              *app_path, arg);
      bad = true;
    }
    *app_path = argv[i++];
  }
  if (!bad && !*app_path) {
    fprintf(stderr, "parigot %s: which app? (parigot %s APP.yaml)\n", name,
            name);
    bad = true;
  }
  if (!bad) return -1;
  fprintf(stderr, "\n");
  usage_of(stderr);
  return PG_CLI_EXIT_USAGE;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return PG_CLI_EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
    usage(stdout);
    return PG_CLI_EXIT_OK;
  }
  if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
    printf("parigot %s\n", PG_CLI_VERSION);
    return PG_CLI_EXIT_OK;
  }
  for (size_t i = 0; i < NCOMMANDS; i++)
    if (!strcmp(cmd, commands[i].name)) return commands[i].run(argc - 1, argv + 1);
  fprintf(stderr, "parigot: unknown %s '%s'\n\n",
          cmd[0] == '-' ? "option" : "command", cmd);
  usage(stderr);
  return PG_CLI_EXIT_USAGE;
}
