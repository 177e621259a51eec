/*
 * declare.c: one program for every broken app whose failure is in the
 * declarations (examples/broken/ *.yaml files): a missing service, a service
 * exported twice, cycles, a program that dies before run(). Its arguments
 * (app.yaml `args`) say, in order, what it does before run():
 *
 *   require:pkg.Service   declare a required service
 *   export:pkg.Service    declare an exported service (no methods: every
 *                         call to it gets UNIMPLEMENTED)
 *   exit:N                exit with code N right away
 *   trap                  trap right away
 *   run                   call parigot_run() here; the arguments after it
 *                         (exit:N, trap) happen once the app has started
 *
 * Without `run`, it calls parigot_run() after the last argument. In a
 * broken app run() fails (ABORTED) and
 * the program exits 1; should the app start after all, an exporter serves
 * until the kernel stops it and anything else exits 0 — either way the
 * tests see from the exit status and the log that the abort did not
 * happen.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parigot/parigot.h"

#define MAX_EXPORTS 8

/* Service descriptors built from the arguments; names point into argv,
 * which lives as long as the program. */
static pg_service_desc exported[MAX_EXPORTS];
static size_t nexported;

/* The dispatch function of every exported service: it has no methods. */
static int dispatch_nothing(const void *handlers, void *ctx,
                            const char *method, const uint8_t *req,
                            size_t req_len, pg_buf *reply,
                            const char **errmsg) {
  (void)handlers;
  (void)ctx;
  (void)method;
  (void)req;
  (void)req_len;
  (void)reply;
  *errmsg = "this service only exists to be declared";
  return PG_CODE_UNIMPLEMENTED;
}

static int declare_export(const char *service) {
  if (nexported == MAX_EXPORTS) {
    fprintf(stderr, "declare: more than %d exports\n", MAX_EXPORTS);
    return PG_CODE_RESOURCE_EXHAUSTED;
  }
  pg_service_desc *desc = &exported[nexported++];
  desc->name = service;
  desc->n_methods = 0;
  desc->methods = NULL;
  static const int no_handlers = 0;
  return parigot_export(desc, dispatch_nothing, &no_handlers, NULL);
}

/* parigot_run(), reporting a failure. */
static int run_now(void) {
  int code = parigot_run();
  if (code != PG_CODE_OK)
    printf("declare: run() returned %s\n", pg_code_name(code));
  return code;
}

/* Carries out one argument; returns a pg_code. */
static int do_argument(const char *arg) {
  if (strcmp(arg, "run") == 0)
    return run_now();
  if (strncmp(arg, "require:", 8) == 0)
    return parigot_require(arg + 8);
  if (strncmp(arg, "export:", 7) == 0)
    return declare_export(arg + 7);
  if (strncmp(arg, "exit:", 5) == 0)
    parigot_exit(atoi(arg + 5));
  if (strcmp(arg, "trap") == 0)
    __builtin_trap();
  fprintf(stderr, "declare: unknown argument '%s'\n", arg);
  return PG_CODE_INVALID_ARGUMENT;
}

int main(int argc, char **argv) {
  bool ran = false;
  for (int i = 1; i < argc; i++) {
    int code = do_argument(argv[i]);
    if (code == PG_CODE_ABORTED)
      return 1;
    if (code != PG_CODE_OK) {
      fprintf(stderr, "declare: '%s' failed: %s\n", argv[i],
              parigot_last_error());
      return 2;
    }
    ran = ran || strcmp(argv[i], "run") == 0;
  }
  if (!ran && run_now() != PG_CODE_OK)
    return 1;
  if (nexported > 0)
    return parigot_serve() == PG_CODE_OK ? 0 : 1;
  return 0;
}
