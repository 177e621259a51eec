/*
 * fragile.c: the server of the broken app trap.yaml — exports
 * broken.v1.FragileService, whose Echo answers with the request's text and
 * how many calls this incarnation has answered, except when the request
 * says `trap`: then it stores far outside its memory, an "out of bounds
 * memory access" trap in the middle of the call. The kernel fails that
 * call with INTERNAL and restarts the program (fragile_main.c checks).
 * When the request says `spin`, it loops forever instead: the caller's
 * deadline passes and the kernel must stop it by force (spin.yaml).
 * Run with the argument `steady`, it exports broken.v1.SteadyService
 * instead, with the same handler: the program that is not restarted.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "broken/v1/fragile.pg.h"
#include "parigot/parigot.h"

static uint32_t served; /* back to 0 in every incarnation */

static int do_echo(void *ctx, const broken_v1_EchoRequest *req,
                   broken_v1_EchoResponse *resp, pg_arena *arena,
                   const char **errmsg) {
  (void)ctx;
  (void)arena;
  (void)errmsg;
  if (req->trap) {
    /* Far past any wasm32 memory this program has: the engine traps. */
    volatile uint32_t *far = (volatile uint32_t *)(uintptr_t)0xfffffff0u;
    *far = 1;
  }
  if (req->spin) {
    volatile uint32_t laps = 0;
    for (;;)
      laps++;
  }
  resp->text = req->text;
  resp->served = ++served;
  return PG_CODE_OK;
}

static const broken_v1_FragileService_handlers handlers = {.Echo = do_echo};
static const broken_v1_SteadyService_handlers steady_handlers = {
    .Echo = do_echo};

int main(int argc, char **argv) {
  bool steady = argc > 1 && strcmp(argv[1], "steady") == 0;
  int code =
      steady ? PARIGOT_EXPORT(broken_v1_SteadyService, &steady_handlers, NULL)
             : PARIGOT_EXPORT(broken_v1_FragileService, &handlers, NULL);
  if (code != PG_CODE_OK || parigot_run() != PG_CODE_OK ||
      parigot_serve() != PG_CODE_OK) {
    fprintf(stderr, "fragile: %s\n", parigot_last_error());
    return 1;
  }
  printf("%s: served %u calls in this incarnation\n",
         steady ? "steady" : "fragile", served);
  return 0;
}
