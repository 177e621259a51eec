/*
 * echo_server.c: the server of the kernel benchmark — exports
 * bench.v1.EchoService with the handler of handler.c and serves until the
 * kernel stops it.
 */
#include <stdio.h>

#include "handler.h"
#include "parigot/parigot.h"

int main(void) {
  if (PARIGOT_EXPORT(bench_v1_EchoService, &bench_handlers, NULL) !=
          PG_CODE_OK ||
      parigot_run() != PG_CODE_OK || parigot_serve() != PG_CODE_OK) {
    fprintf(stderr, "echo_server: %s\n", parigot_last_error());
    return 1;
  }
  return 0;
}
