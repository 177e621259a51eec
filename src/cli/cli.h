/*
 * cli.h: what the files of the `parigot` command share: the subcommand
 * table's entry type and the subcommands themselves (one file each:
 * exec.c, run.c, graph.c, logs.c), plus the option-parsing helpers they
 * share.
 */
#ifndef PG_CLI_H
#define PG_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define PG_CLI_VERSION "0.1.0"

/* Exit codes of `parigot exec` and the front door (`run`, `graph` and
 * `logs` use PG_EXIT_MAP in src/kernel/kernel.h; the PG_CLI_ prefix keeps
 * the two apart). */
enum {
  PG_CLI_EXIT_OK = 0,
  PG_CLI_EXIT_FAILURE = 1, /* the input could not be read, loaded or linked */
  PG_CLI_EXIT_USAGE = 2,   /* bad command line */
  PG_CLI_EXIT_TRAP = 134   /* a guest trapped (like a native abort) */
};

/* One subcommand: argv[0] is the subcommand's name; returns the exit code. */
typedef struct pg_cli_command {
  const char *name;
  const char *summary; /* one line for `parigot --help` */
  int (*run)(int argc, char **argv);
} pg_cli_command;

int pg__cli_exec(int argc, char **argv);
int pg__cli_run(int argc, char **argv);   /* run.c */
int pg__cli_graph(int argc, char **argv); /* graph.c */
int pg__cli_logs(int argc, char **argv);  /* logs.c */

/* Matches "--name VALUE" and "--name=VALUE" at argv[*i]; on a match writes
 * *value (borrowed from argv), advances *i past what it used and returns
 * true. A missing value prints a usage error and sets *bad. */
bool pg__cli_option(int argc, char **argv, int *i, const char *name,
                    const char **value, bool *bad);
/* Parses a whole unsigned decimal number; false on junk or overflow. */
bool pg__cli_parse_u64(const char *s, uint64_t max, uint64_t *out);

/* One command's own options: matches argv[*i] into ctx (the command's
 * option state, borrowed), advances *i and returns true; a bad value prints
 * why and sets *bad. False when the option is unknown. */
typedef bool pg__cli_option_fn(int argc, char **argv, int *i, void *ctx,
                               bool *bad);

/* The command line of `parigot NAME [options] APP.yaml` (run, graph,
 * logs): -h/--help prints usage(stdout) and returns PG_CLI_EXIT_OK; "--"
 * ends the options; every other option goes to `option` with ctx; exactly
 * one APP.yaml, written to *app_path (borrowed from argv). Returns -1 to
 * go on, or prints the problem and usage(stderr) and returns
 * PG_CLI_EXIT_USAGE. */
int pg__cli_parse_app_args(int argc, char **argv, const char *name,
                           void (*usage)(FILE *out), pg__cli_option_fn *option,
                           void *ctx, const char **app_path);

#endif /* PG_CLI_H */
