/*
 * spin_main.c: the main program of the broken app spin.yaml. It asks
 * broken.v1.FragileService (fragile.c) to loop forever, with a 300 ms
 * deadline on its client, and checks:
 *   1. the call fails with DEADLINE_EXCEEDED after about 300 ms, not
 *      sooner, and the program is not stuck behind the loop;
 *   2. another program (broken.v1.SteadyService) still answers while the
 *      spinning one burns its fuel slices;
 *   3. a second call to the spinning service also ends at its deadline
 *      (the instance is busy; nobody serves it).
 * Then it exits; the kernel must stop the spinning server by force. Prints
 * "ok: ..." or "WRONG: ..." per check and exits 0 when all passed.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "broken/v1/fragile.pg.h"
#include "parigot/parigot.h"

#define DEADLINE_MS 300

static pg_client fragile, steady;
static uint8_t arena_storage[16 * 1024];
static pg_arena arena;
static int wrong;

static void check(bool ok, const char *what, const char *detail) {
  if (!ok)
    wrong++;
  printf("%s: %s: %s\n", ok ? "ok" : "WRONG", what, detail);
}

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* A call that spins the server: DEADLINE_EXCEEDED, no sooner than the
 * deadline. */
static void spinning_call(const char *what) {
  broken_v1_EchoRequest req = {pg_str("spin"), false, true};
  broken_v1_EchoResponse resp;
  const char *err = NULL;
  char detail[200];
  pg_arena_reset(&arena);
  uint64_t start = now_ms();
  int code = broken_v1_FragileService_Echo(&fragile, &req, &resp, &arena, &err);
  uint64_t took = now_ms() - start;
  snprintf(detail, sizeof detail, "%s %s", pg_code_name(code),
           err ? err : "");
  check(code == PG_CODE_DEADLINE_EXCEEDED, what, detail);
  snprintf(detail, sizeof detail, "%s", took >= DEADLINE_MS - 1
                                           ? "not before the deadline"
                                           : "too soon");
  check(took >= DEADLINE_MS - 1, "the call lasted its deadline", detail);
}

static void steady_answers(void) {
  broken_v1_EchoRequest req = {pg_str("steady"), false, false};
  broken_v1_EchoResponse resp;
  const char *err = NULL;
  pg_arena_reset(&arena);
  int code = broken_v1_SteadyService_Echo(&steady, &req, &resp, &arena, &err);
  check(code == PG_CODE_OK && resp.text.len == 6,
        "another program answers while one spins", pg_code_name(code));
}

int main(void) {
  pg_arena_init(&arena, arena_storage, sizeof arena_storage);
  if (parigot_require(broken_v1_FragileService_NAME) != PG_CODE_OK ||
      parigot_require(broken_v1_SteadyService_NAME) != PG_CODE_OK ||
      parigot_run() != PG_CODE_OK ||
      parigot_locate(broken_v1_FragileService_NAME, &fragile) != PG_CODE_OK ||
      parigot_locate(broken_v1_SteadyService_NAME, &steady) != PG_CODE_OK ||
      parigot_client_set_timeout(&fragile, DEADLINE_MS) != PG_CODE_OK) {
    fprintf(stderr, "spin_main: %s\n", parigot_last_error());
    return 2;
  }
  spinning_call("a call whose server loops forever ends at its deadline");
  steady_answers();
  spinning_call("a call to the still spinning server ends at its deadline");
  steady_answers();
  printf("spin_main: %d wrong\n", wrong);
  return wrong == 0 ? 0 : 1;
}
