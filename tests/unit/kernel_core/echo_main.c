/*
 * echo_main.c: a test main on the raw ABI; argv[1] picks the scenario.
 *   basic    - 1000 echo round trips, a fan-out of 8 with wait(), an error
 *   trap     - the server traps mid-call: INTERNAL naming the trap, then the
 *              restarted server answers again
 *   bad      - bad pointers/lengths/handles/ids: the statuses of docs/abi.md
 *   deadline - a call nobody answers: DEADLINE_EXCEEDED; the late reply is
 *              refused with NOT_FOUND
 *   exit3    - exits with code 3 right after run()
 *   trapmain - traps right after run()
 *   chaos    - 20000 random syscalls with bad arguments, then a good call
 *   sleep    - usleep(50 ms) with a call outstanding: answered meanwhile
 *   random   - prints the clock and 8 random bytes (determinism tests)
 * Prints "FAIL line: cond" per failed check and exits 1 if any failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "guest_abi.h"

static int fails;
#define CHECK(c)                                                             \
  do {                                                                       \
    if (!(c)) {                                                              \
      printf("FAIL %d: %s\n", __LINE__, #c);                                 \
      fails++;                                                               \
    }                                                                        \
  } while (0)

static uint32_t echo;
static char reply[4096];
static parigot_abi_result res;

static int32_t call(const char *method, const void *req, uint32_t len,
                    uint32_t timeout_ms) {
  uint32_t id;
  int32_t st = sys_call(echo, method, (uint32_t)strlen(method), req, len,
                        timeout_ms, &id);
  if (st) return -100 - st;
  st = sys_result(id, reply, sizeof reply, &res);
  if (st) return -200 - st;
  return res.status;
}

static void basic(void) {
  char msg[64];
  for (int i = 0; i < 1000; i++) {
    int n = snprintf(msg, sizeof msg, "hello %d", i);
    int32_t st = call("Echo", msg, (uint32_t)n, 0);
    if (st != 0 || res.reply_len != (uint32_t)n || memcmp(reply, msg, n)) {
      printf("FAIL echo %d: status %d len %u\n", i, st, res.reply_len);
      fails++;
      return;
    }
  }
  uint32_t ids[8];
  char reqs[8][16];
  for (int i = 0; i < 8; i++) {
    int n = snprintf(reqs[i], sizeof reqs[i], "fan %d", i);
    CHECK(sys_call(echo, "Echo", 4, reqs[i], (uint32_t)n, 0, &ids[i]) == 0);
  }
  /* Collect in completion order; wait() only on ids not yet collected. */
  uint32_t rest[8], which[8], n = 8;
  for (uint32_t i = 0; i < 8; i++) rest[i] = ids[i], which[i] = i;
  while (n > 0) {
    uint32_t at = 99;
    CHECK(sys_wait(rest, n, 0, &at) == 0);
    if (at >= n) break;
    CHECK(sys_result(rest[at], reply, sizeof reply, &res) == 0);
    CHECK(res.status == 0 &&
          memcmp(reply, reqs[which[at]], res.reply_len) == 0);
    rest[at] = rest[n - 1];
    which[at] = which[n - 1];
    n--;
  }
  CHECK(sys_wait(ids, 1, 0, &n) == 5); /* collected: forgotten */
  CHECK(call("Fail", "", 0, 0) == 5);
  CHECK(res.msg_len == 13 && memcmp(reply, "no such thing", 13) == 0);
  CHECK(call("Nope", "", 0, 0) == 12);
}

static void trap(void) {
  CHECK(call("Echo", "x", 1, 0) == 0);
  int32_t st = call("Trap", "", 0, 0);
  CHECK(st == 13);
  reply[res.msg_len < sizeof reply ? res.msg_len : sizeof reply - 1] = 0;
  printf("trap message: %s\n", reply);
  CHECK(strstr(reply, "trapped") != NULL);
  /* The restarted server answers (the call waits for it). */
  CHECK(call("Echo", "again", 5, 0) == 0);
  CHECK(res.reply_len == 5 && memcmp(reply, "again", 5) == 0);
}

static void bad(void) {
  uint32_t h, id, idx;
  CHECK(sys_require("x.Y", 3) == 9); /* after run: FAILED_PRECONDITION */
  CHECK(sys_locate(BAD_PTR, 9, &h) == 3);
  CHECK(sys_locate("test.Echo", 9, BAD_PTR) == 3);
  CHECK(sys_locate("test.Echo", 0, &h) == 3);
  CHECK(sys_locate("test.Echo", 300, &h) == 3);
  CHECK(sys_locate("log.v1.LogService", 17, &h) == 7); /* not required */
  CHECK(sys_locate("no.Such", 7, &h) == 7);
  CHECK(sys_call(echo, BAD_PTR, 4, "", 0, 0, &id) == 3);
  CHECK(sys_call(echo, "Echo", 4, BAD_PTR, 10, 0, &id) == 3);
  CHECK(sys_call(echo, "Echo", 4, "", 0xffffffffu, 0, &id) == 3);
  CHECK(sys_call(echo, "Echo", 4, "", 0, 0, BAD_PTR) == 3);
  CHECK(sys_call(1, "Echo", 4, "", 0, 0, &id) == 7); /* log: not required */
  CHECK(sys_call(9999, "Echo", 4, "", 0, 0, &id) == 7);
  CHECK(sys_call(0, "Echo", 4, "", 0, 0, &id) == 7);
  CHECK(sys_result(12345, reply, sizeof reply, &res) == 5);
  CHECK(sys_wait(&id, 0, 0, &idx) == 3);
  CHECK(sys_wait(BAD_PTR, 2, 0, &idx) == 3);
  uint32_t unknown = 777;
  CHECK(sys_wait(&unknown, 1, 0, &idx) == 5);
  CHECK(sys_respond(12345, 0, "", 0, 0, 0) == 5);
  CHECK(sys_respond(12345, 0, BAD_PTR, 8, 0, 0) == 3);
  CHECK(sys_serve(reply, sizeof reply, BAD_PTR, 0) == 3);
  CHECK(sys_serve(reply, sizeof reply, (void *)reply, 0) == 9); /* no exports */
  /* A reply bigger than the buffer: RESOURCE_EXHAUSTED, kept, retry. */
  CHECK(sys_call(echo, "Echo", 4, "0123456789", 10, 0, &id) == 0);
  CHECK(sys_result(id, BAD_PTR, 16, &res) == 3);
  CHECK(sys_result(id, reply, 4, &res) == 8);
  CHECK(res.status == 0 && res.reply_len == 10);
  CHECK(sys_result(id, reply, sizeof reply, &res) == 0);
  CHECK(memcmp(reply, "0123456789", 10) == 0);
  CHECK(sys_result(id, reply, sizeof reply, &res) == 5); /* forgotten */
  CHECK(sys_version() == PARIGOT_ABI_VERSION);
}

static void deadline(void) {
  CHECK(call("Hang", "", 0, 30) == 4);
  /* wait() gives up first; the call itself then misses its deadline. */
  uint32_t id, idx = 99;
  CHECK(sys_call(echo, "Hang", 4, "", 0, 60, &id) == 0);
  CHECK(sys_wait(&id, 1, 10, &idx) == 4 && idx == 99);
  CHECK(sys_result(id, reply, sizeof reply, &res) == 0);
  CHECK(res.status == 4);
  CHECK(call("Late", "", 0, 0) == 0);
  int32_t late = -1;
  memcpy(&late, reply, 4);
  CHECK(res.reply_len == 4 && late == 5); /* NOT_FOUND: dropped */
}

/* Not a test: round trips per second through the kernel (100-byte request
 * and reply), for `test_kernel_core bench`. */
static void bench(void) {
  char req[100];
  memset(req, 'x', sizeof req);
  struct timespec t0, t1;
  int n = 200000;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int i = 0; i < n; i++) CHECK(call("Echo", req, sizeof req, 0) == 0);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double ns = (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
  printf("bench: %d round trips, %.0f ns each, %.0f calls/s\n", n, ns / n,
         n / (ns / 1e9));
}

/* Random syscalls with random pointers, lengths, handles and ids (pointers
 * biased toward the edges of memory): the kernel must answer each with a
 * status and never crash; afterwards an ordinary call still works. */
static uint64_t chaos_state = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void) {
  chaos_state ^= chaos_state << 13;
  chaos_state ^= chaos_state >> 7;
  chaos_state ^= chaos_state << 17;
  return (uint32_t)(chaos_state >> 32);
}

static uint32_t any_ptr(void) {
  uint32_t end = (uint32_t)__builtin_wasm_memory_size(0) * 65536u;
  switch (rnd() % 6) {
  case 0: return 0;
  case 1: return end - (rnd() % 64);
  case 2: return end + (rnd() % 64);
  case 3: return rnd();
  default: return (uint32_t)(uintptr_t)reply + rnd() % sizeof reply;
  }
}

static uint32_t any_len(void) {
  switch (rnd() % 5) {
  case 0: return 0;
  case 1: return rnd();
  case 2: return 0xffffffffu - (rnd() % 16);
  default: return rnd() % 300;
  }
}

static void chaos(void) {
  uint32_t ids[16] = {0}, nids = 0;
  for (int i = 0; i < 20000; i++) {
    void *p1 = (void *)(uintptr_t)any_ptr(), *p2 = (void *)(uintptr_t)any_ptr();
    void *p3 = (void *)(uintptr_t)any_ptr();
    uint32_t id = nids && rnd() % 2 ? ids[rnd() % nids] : rnd();
    switch (rnd() % 9) {
    case 0: sys_require(p1, any_len()); break;
    case 1: sys_export(p1, any_len()); break;
    case 2: sys_locate(p1, any_len(), p2); break;
    case 3: {
      static const char *const methods[] = {"Echo", "Hang", "Fail", "Late"};
      const char *m = methods[rnd() % 4];
      int good = rnd() % 2;
      uint32_t out;
      int32_t st = sys_call(good ? echo : rnd() % 5, good ? m : p1,
                            good ? (uint32_t)strlen(m) : any_len(),
                            good ? (void *)reply : p2, any_len() % 512,
                            1 + rnd() % 50, rnd() % 8 ? &out : p3);
      if (st == 0 && nids < 16) ids[nids++] = out;
      break;
    }
    case 4: sys_wait(rnd() % 2 ? ids : p1, rnd() % 20, rnd() % 5, p2); break;
    case 5:
      if (sys_result(id, p1, any_len(), p2) == 0)
        for (uint32_t j = 0; j < nids; j++)
          if (ids[j] == id) ids[j] = ids[--nids];
      break;
    case 6: sys_serve(p1, any_len(), p2, 1); break;
    case 7: sys_respond(id, (int32_t)rnd(), p1, any_len(), p2, any_len()); break;
    default: sys_run(); sys_version(); break;
    }
  }
  CHECK(call("Echo", "still here", 10, 0) == 0);
  CHECK(res.reply_len == 10 && memcmp(reply, "still here", 10) == 0);
}

/* Sleeps 50 ms while an echo call is outstanding; the server answers it
 * meanwhile (the sleep suspends only this instance). */
static void sleepy(void) {
  struct timespec t0, t1;
  uint32_t id;
  CHECK(sys_call(echo, "Echo", 4, "zz", 2, 0, &id) == 0);
  clock_gettime(CLOCK_MONOTONIC, &t0);
  usleep(50000);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  long ms = (long)((t1.tv_sec - t0.tv_sec) * 1000 +
                   (t1.tv_nsec - t0.tv_nsec) / 1000000);
  CHECK(ms >= 50);
  uint32_t idx = 99;
  CHECK(sys_wait(&id, 1, 1, &idx) == 0 && idx == 0); /* answered already */
  CHECK(sys_result(id, reply, sizeof reply, &res) == 0 && res.status == 0);
  printf("slept %ld ms\n", ms);
}

static void randomness(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  unsigned char rnd[8];
  arc4random_buf(rnd, sizeof rnd);
  printf("time %lld.%09ld random %02x%02x%02x%02x%02x%02x%02x%02x\n",
         (long long)ts.tv_sec, ts.tv_nsec, rnd[0], rnd[1], rnd[2], rnd[3],
         rnd[4], rnd[5], rnd[6], rnd[7]);
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "basic";
  if (sys_version() != PARIGOT_ABI_VERSION) return 20;
  if (require_s("test.Echo") != 0) return 21;
  if (sys_run() != 0) return 22;
  if (sys_locate("test.Echo", 9, &echo) != 0) return 23;
  if (strcmp(mode, "basic") == 0) basic();
  else if (strcmp(mode, "trap") == 0) trap();
  else if (strcmp(mode, "bad") == 0) bad();
  else if (strcmp(mode, "deadline") == 0) deadline();
  else if (strcmp(mode, "exit3") == 0) sys_exit(3);
  else if (strcmp(mode, "trapmain") == 0) __builtin_trap();
  else if (strcmp(mode, "random") == 0) randomness();
  else if (strcmp(mode, "bench") == 0) bench();
  else if (strcmp(mode, "chaos") == 0) chaos();
  else if (strcmp(mode, "sleep") == 0) sleepy();
  printf("main %s done, %d failed\n", mode, fails);
  return fails ? 1 : 0;
}
