/*
 * kernel_cli.h: what `parigot run` (run.c) and `parigot graph` (graph.c)
 * share: the options that reach the kernel, loading app.yaml with --only
 * checked against it, and the help text for both.
 */
#ifndef PG_CLI_KERNEL_CLI_H
#define PG_CLI_KERNEL_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "kernel/kernel.h"

/* Defaults for both commands: text log at info on stderr. */
void pg__cli_kernel_defaults(pg_kernel_options *opts);

/* Matches one kernel option at argv[*i] (--only, --deterministic, --seed,
 * --log-format, --log-level); on a match fills opts (strings borrowed from
 * argv), advances *i and returns true. A bad value prints why and sets
 * *bad. */
bool pg__cli_kernel_option(int argc, char **argv, int *i,
                           pg_kernel_options *opts, bool *bad);

/* Loads app.yaml and checks that opts->only (if set) names one of its
 * programs. Returns PG_EXIT_OK and writes *out (free with
 * pg_app_config_free), or prints the reason to stderr and returns
 * PG_EXIT_CONFIG (the file) or PG_EXIT_USAGE (--only). */
int pg__cli_load_app(const char *path, const pg_kernel_options *opts,
                     pg_app_config **out);

/* Help text: the kernel options, and the exit codes (from PG_EXIT_MAP). */
void pg__cli_kernel_options_help(FILE *out);
void pg__cli_exit_codes_help(FILE *out);

#endif /* PG_CLI_KERNEL_CLI_H */
