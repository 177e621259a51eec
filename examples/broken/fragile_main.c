/*
 * fragile_main.c: the main program of the broken app trap.yaml. Calls
 * broken.v1.FragileService (fragile.c) and checks what a caller sees when
 * the server traps mid-call:
 *   1. a normal call answers;
 *   2. a call that makes the server trap fails with INTERNAL and a message
 *      that names the trap;
 *   3. while the kernel waits to restart it (backoff), another program of
 *      the app (broken.v1.SteadyService) still answers, and its count of
 *      served calls goes on: it was not restarted;
 *   4. the next calls succeed: the kernel restarted the server (its
 *      `served` counter starts again at 1) and the app kept serving;
 * twice over (two traps, two restarts). Prints one line per check
 * ("ok: ..." or "WRONG: ...") and exits 0 when every check passed.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "broken/v1/fragile.pg.h"
#include "parigot/parigot.h"

#define AFTER_TRAP_CALLS 50

static pg_client fragile, steady;
static uint32_t steady_served; /* the last count SteadyService reported */
static uint8_t arena_storage[16 * 1024];
static pg_arena arena;
static int wrong;

static void check(bool ok, const char *what, const char *detail) {
  if (!ok)
    wrong++;
  printf("%s: %s%s%s\n", ok ? "ok" : "WRONG", what, detail ? ": " : "",
         detail ? detail : "");
}

/* One Echo call; writes the response and the error message. */
static int echo(const char *text, bool trap, broken_v1_EchoResponse *resp,
                const char **err) {
  broken_v1_EchoRequest req = {pg_str(text), trap, false};
  pg_arena_reset(&arena);
  *err = NULL;
  return broken_v1_FragileService_Echo(&fragile, &req, resp, &arena, err);
}

static bool answered(const char *text, int code,
                     const broken_v1_EchoResponse *resp) {
  return code == PG_CODE_OK && resp->text.len == strlen(text) &&
         memcmp(resp->text.data, text, resp->text.len) == 0;
}

/* Calls that must succeed after a restart: the first one is the new
 * incarnation's first call. */
static void calls_after_trap(int round) {
  broken_v1_EchoResponse resp;
  const char *err;
  char text[64], detail[200];
  int good = 0;
  uint32_t first_served = 0;
  for (int i = 0; i < AFTER_TRAP_CALLS; i++) {
    snprintf(text, sizeof text, "after trap %d, call %d", round, i);
    int code = echo(text, false, &resp, &err);
    if (answered(text, code, &resp))
      good++;
    else if (good == i) /* report only the first failure */
      printf("call %d after trap %d: %s %s\n", i, round, pg_code_name(code),
             err ? err : "");
    if (i == 0)
      first_served = resp.served;
  }
  snprintf(detail, sizeof detail, "%d of %d succeeded", good,
           AFTER_TRAP_CALLS);
  check(good == AFTER_TRAP_CALLS, "calls after the restart", detail);
  snprintf(detail, sizeof detail, "served=%u on the first call",
           first_served);
  check(first_served == 1, "the server is a new incarnation", detail);
}

/* SteadyService answers and has served one more call than last time
 * (right after a trap: while the fragile server waits for its restart). */
static void steady_answers(const char *what) {
  broken_v1_EchoRequest req = {pg_str("steady"), false, false};
  broken_v1_EchoResponse resp;
  const char *err = NULL;
  char detail[200];
  pg_arena_reset(&arena);
  int code = broken_v1_SteadyService_Echo(&steady, &req, &resp, &arena, &err);
  snprintf(detail, sizeof detail, "%s, served=%u after %u",
           pg_code_name(code), resp.served, steady_served);
  check(answered("steady", code, &resp) && resp.served == steady_served + 1,
        what, detail);
  steady_served = resp.served;
}

static void trap_round(int round) {
  broken_v1_EchoResponse resp;
  const char *err;
  char detail[300];
  int code = echo("trap now", true, &resp, &err);
  snprintf(detail, sizeof detail, "%s %s", pg_code_name(code),
           err ? err : "(no message)");
  check(code == PG_CODE_INTERNAL && err &&
            strstr(err, "trapped: out of bounds memory access"),
        "a call that traps the server fails with INTERNAL naming the trap",
        detail);
  steady_answers("another program answers during the restart");
  calls_after_trap(round);
}

int main(void) {
  pg_arena_init(&arena, arena_storage, sizeof arena_storage);
  if (parigot_require(broken_v1_FragileService_NAME) != PG_CODE_OK ||
      parigot_require(broken_v1_SteadyService_NAME) != PG_CODE_OK ||
      parigot_run() != PG_CODE_OK ||
      parigot_locate(broken_v1_FragileService_NAME, &fragile) != PG_CODE_OK ||
      parigot_locate(broken_v1_SteadyService_NAME, &steady) != PG_CODE_OK) {
    fprintf(stderr, "fragile_main: %s\n", parigot_last_error());
    return 2;
  }
  broken_v1_EchoResponse resp;
  const char *err;
  int code = echo("hello", false, &resp, &err);
  check(answered("hello", code, &resp), "a normal call answers",
        pg_code_name(code));
  steady_answers("the steady program answers");
  trap_round(1);
  trap_round(2);
  printf("fragile_main: %d wrong\n", wrong);
  return wrong == 0 ? 0 : 1;
}
