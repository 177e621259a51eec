/*
 * echo_server.c: a test server on the raw ABI. Exports test.Echo (and
 * whatever argv[1..] names, to build broken graphs) and answers:
 *   Echo  - the request back
 *   Trap  - traps (unreachable) while serving
 *   Hang  - keeps the call and never answers it
 *   Late  - answers the kept call now (the caller gave up) and replies with
 *           the 4-byte status respond() returned for it
 *   Fail  - NOT_FOUND with a message
 * Requires what env REQUIRE names; env NO_ECHO leaves test.Echo out and
 * EXIT_EARLY exits with 7 before run(); IGNORE_CANCEL keeps serving after
 * CANCELLED (the kernel must abort it); SMALL_BUF serves with a 4-byte
 * buffer first and retries after RESOURCE_EXHAUSTED. Prints "served N"
 * when cancelled.
 */
#include <stdio.h>
#include <stdlib.h>

#include "guest_abi.h"

static unsigned char buf[1 << 16];

static int is(const char *m, uint32_t len, const char *want) {
  return strlen(want) == len && memcmp(m, want, len) == 0;
}

int main(int argc, char **argv) {
  if (getenv("EXIT_EARLY")) return 7;
  if (!getenv("NO_ECHO") && export_s("test.Echo") != 0) return 10;
  for (int i = 1; i < argc; i++) export_s(argv[i]);
  const char *req = getenv("REQUIRE");
  if (req) require_s(req);
  if (sys_run() != 0) return 11;
  parigot_abi_incoming in;
  uint32_t kept = 0;
  int served = 0, retried = 0;
  int small = getenv("SMALL_BUF") != NULL;
  for (;;) {
    int32_t st = sys_serve(buf, small ? 4 : sizeof buf, &in, 0);
    if (st == 8) { /* RESOURCE_EXHAUSTED: the call waits for a retry */
      retried++;
      st = sys_serve(buf, sizeof buf, &in, 0);
    }
    if (st == 1 && !getenv("IGNORE_CANCEL")) break; /* the kernel stops us */
    if (st == 1) continue; /* a stubborn server: the grace timer aborts it */
    if (st != 0) {
      printf("serve returned %d\n", st);
      continue;
    }
    const char *m = (const char *)buf + in.service_len;
    const unsigned char *body = buf + in.service_len + in.method_len;
    served++;
    if (is(m, in.method_len, "Echo")) {
      sys_respond(in.call_id, 0, body, in.req_len, 0, 0);
    } else if (is(m, in.method_len, "Trap")) {
      __builtin_trap();
    } else if (is(m, in.method_len, "Hang")) {
      kept = in.call_id;
    } else if (is(m, in.method_len, "Late")) {
      int32_t late = sys_respond(kept, 0, "late", 4, 0, 0);
      sys_respond(in.call_id, 0, &late, 4, 0, 0);
    } else if (is(m, in.method_len, "Fail")) {
      sys_respond(in.call_id, 5, 0, 0, "no such thing", 13);
    } else {
      sys_respond(in.call_id, 12, 0, 0, "unknown method", 14);
    }
  }
  printf("served %d (retried %d)\n", served, retried);
  return 0;
}
