/*
 * test_kernel_core.c: the kernel core end to end on tiny raw-ABI guests
 * (echo_server.c, echo_main.c): round trips and fan-out, a trapping server
 * that is restarted while the app keeps serving, bad pointers, deadlines,
 * exit statuses, startup aborts, --only, replicas, --deterministic and
 * SIGINT. Each test builds a pg_app_config in memory and reads the unified
 * log back from a memory stream. KC_VERBOSE=1 prints every log.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/kernel.h"
#include "pg_test.h"

#define MAX_PROGRAMS 4

typedef struct test_app {
  pg_app_config app;
  pg_program_config progs[MAX_PROGRAMS];
} test_app;

static void app_init(test_app *t, const char *name) {
  memset(t, 0, sizeof *t);
  t->app.path = (char *)"test/app.yaml";
  t->app.dir = (char *)"test";
  t->app.name = (char *)name;
  t->app.deadline_ms = 5000;
  t->app.programs = t->progs;
}

static pg_program_config *add(test_app *t, const char *name, const char *wasm,
                              pg_role role) {
  pg_program_config *p = &t->progs[t->app.nprograms++];
  p->name = (char *)name;
  p->wasm_path = (char *)wasm;
  p->role = role;
  p->replicas = 1;
  return p;
}

static char *scenario_args[][1] = {{"basic"}, {"trap"},  {"bad"},
                                   {"deadline"}, {"exit3"}, {"random"},
                                   {"bench"}, {"trapmain"}, {"chaos"},
                                   {"sleep"}};
enum { BASIC, TRAP, BAD, DEADLINE, EXIT3, RANDOM, BENCH, TRAPMAIN, CHAOS,
       SLEEP };

static pg_program_config *add_main(test_app *t, int scenario) {
  pg_program_config *p = add(t, "main", ECHO_MAIN_WASM, PG_ROLE_MAIN);
  p->args = scenario_args[scenario];
  p->nargs = 1;
  return p;
}

/* Runs the app; the log (text) is returned in *log (caller frees). */
static int run(test_app *t, bool deterministic, uint64_t seed,
               const char *only, char **log) {
  size_t len;
  FILE *out = open_memstream(log, &len);
  pg_kernel_options o = {.only = only, .deterministic = deterministic,
                         .seed = seed, .log_format = PG_LOG_TEXT,
                         .log_level = PG_LOG_DEBUG, .log_out = out};
  int status = pg_kernel_run(&t->app, &o);
  fclose(out);
  if (getenv("KC_VERBOSE")) fprintf(stderr, "---- %s\n%s", t->app.name, *log);
  return status;
}

static int count(const char *hay, const char *needle) {
  int n = 0;
  for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle)) n++;
  return n;
}

static void test_basic_round_trips(void) {
  test_app t;
  app_init(&t, "echo");
  add(&t, "echo", ECHO_SERVER_WASM, PG_ROLE_SERVER);
  add_main(&t, BASIC);
  char *log = NULL;
  int status = run(&t, false, 0, NULL, &log);
  if (status != 0) fputs(log, stderr);
  ASSERT_EQ(status, PG_EXIT_OK);
  ASSERT_STR_CONTAINS(log, "startup order: echo, main");
  ASSERT_STR_CONTAINS(log, "all programs ready");
  ASSERT_STR_CONTAINS(log, "main basic done, 0 failed");
  ASSERT_STR_CONTAINS(log, "stopping echo");
  ASSERT_STR_CONTAINS(log, "served 1010"); /* 1000 + 8 fan-out + Fail + Nope */
  ASSERT_STR_CONTAINS(log, "exit status 0");
  free(log);
}

static void test_trap_restarts_server(void) {
  test_app t;
  app_init(&t, "trap");
  add(&t, "echo", ECHO_SERVER_WASM, PG_ROLE_SERVER);
  add_main(&t, TRAP);
  char *log = NULL;
  int status = run(&t, false, 0, NULL, &log);
  if (status != 0) fputs(log, stderr);
  ASSERT_EQ(status, PG_EXIT_OK);
  ASSERT_STR_CONTAINS(log, "program echo[0] trapped: unreachable");
  ASSERT_STR_CONTAINS(log, "restarting echo[0] in 50 ms (restart 1)");
  ASSERT_STR_CONTAINS(log, "restarted echo[0]");
  ASSERT_STR_CONTAINS(log, "trap message: service test.Echo: program echo[0] "
                           "trapped: unreachable");
  ASSERT_STR_CONTAINS(log, "main trap done, 0 failed");
  free(log);
}

static char *small_buf[] = {"SMALL_BUF=1"};

static void test_bad_pointers(void) {
  test_app t;
  app_init(&t, "bad");
  pg_program_config *e = add(&t, "echo", ECHO_SERVER_WASM, PG_ROLE_SERVER);
  e->env = small_buf, e->nenv = 1;
  add_main(&t, BAD);
  char *log = NULL;
  int status = run(&t, false, 0, NULL, &log);
  if (status != 0) fputs(log, stderr);
  ASSERT_EQ(status, PG_EXIT_OK);
  ASSERT_STR_CONTAINS(log, "main bad done, 0 failed");
  /* The one call that reached the server did not fit in 4 bytes. */
  ASSERT_STR_CONTAINS(log, "echo[0] served 1 (retried 1)");
  free(log);
}

static void test_random_syscalls(void) {
  test_app t;
  app_init(&t, "chaos");
  add(&t, "echo", ECHO_SERVER_WASM, PG_ROLE_SERVER);
  add_main(&t, CHAOS);
  char *log = NULL;
  int status = run(&t, false, 0, NULL, &log);
  if (status != 0) fputs(log, stderr);
  ASSERT_EQ(status, PG_EXIT_OK);
  ASSERT_STR_CONTAINS(log, "main chaos done, 0 failed");
  free(log);
}

static void test_sleep_yields(void) {
  test_app t;
  app_init(&t, "sleep");
  add(&t, "echo", ECHO_SERVER_WASM, PG_ROLE_SERVER);
  add_main(&t, SLEEP);
  char *log = NULL;
  int status = run(&t, false, 0, NULL, &log);
  if (status != 0) fputs(log, stderr);
  ASSERT_EQ(status, PG_EXIT_OK);
  ASSERT_STR_CONTAINS(log, "main sleep done, 0 failed");
  free(log);
  /* On the virtual clock the sleep takes exactly its 50 ms. */
  ASSERT_EQ(run(&t, true, 1, NULL, &log), PG_EXIT_OK);
  ASSERT_STR_CONTAINS(log, "main[0] slept 50 ms");
  free(log);
}

static void test_deadline(void) {
  test_app t;
  app_init(&t, "deadline");
  add(&t, "echo", ECHO_SERVER_WASM, PG_ROLE_SERVER);
  add_main(&t, DEADLINE);
  char *log = NULL;
  int status = run(&t, false, 0, NULL, &log);
  if (status != 0) fputs(log, stderr);
  ASSERT_EQ(status, PG_EXIT_OK);
  ASSERT_STR_CONTAINS(log, "main deadline done, 0 failed");
  free(log);
}

static void test_main_exit_code(void) {
  test_app t;
  app_init(&t, "exit3");
  add(&t, "echo", ECHO_SERVER_WASM, PG_ROLE_SERVER);
  add_main(&t, EXIT3);
  char *log = NULL;
  ASSERT_EQ(run(&t, false, 0, NULL, &log), PG_EXIT_PROGRAM_FAILED);
  ASSERT_STR_CONTAINS(log, "program main[0] exited with code 3");
  ASSERT_STR_CONTAINS(log, "exit status 1");
  free(log);
}

static void test_main_trap_fails_app(void) {
  test_app t;
  app_init(&t, "trapmain");
  add(&t, "echo", ECHO_SERVER_WASM, PG_ROLE_SERVER);
  add_main(&t, TRAPMAIN);
  char *log = NULL;
  ASSERT_EQ(run(&t, false, 0, NULL, &log), PG_EXIT_PROGRAM_FAILED);
  ASSERT_STR_CONTAINS(log, "program main[0] trapped: unreachable");
  ASSERT_EQ(count(log, "restarting main"), 0);
  ASSERT_STR_CONTAINS(log, "stopping echo");
  free(log);
}

static char *ignore_cancel[] = {"IGNORE_CANCEL=1"};

static void test_stubborn_server_is_aborted(void) {
  test_app t;
  app_init(&t, "stubborn");
  pg_program_config *e = add(&t, "echo", ECHO_SERVER_WASM, PG_ROLE_SERVER);
  e->env = ignore_cancel, e->nenv = 1;
  add_main(&t, EXIT3);
  char *log = NULL;
  ASSERT_EQ(run(&t, false, 0, NULL, &log), PG_EXIT_PROGRAM_FAILED);
  ASSERT_STR_CONTAINS(log, "program echo did not stop within 2000 ms");
  ASSERT_STR_CONTAINS(log, "exit status 1");
  free(log);
}

static char *require_b[] = {"REQUIRE=b.B", "NO_ECHO=1"};
static char *require_a[] = {"REQUIRE=a.A", "NO_ECHO=1"};
static char *export_a[] = {"a.A"};
static char *export_b[] = {"b.B"};

static void test_cycle_aborts(void) {
  test_app t;
  app_init(&t, "cycle");
  pg_program_config *a = add(&t, "a", ECHO_SERVER_WASM, PG_ROLE_SERVER);
  a->args = export_a, a->nargs = 1, a->env = require_b, a->nenv = 2;
  pg_program_config *b = add(&t, "b", ECHO_SERVER_WASM, PG_ROLE_SERVER);
  b->args = export_b, b->nargs = 1, b->env = require_a, b->nenv = 2;
  char *log = NULL;
  ASSERT_EQ(run(&t, false, 0, NULL, &log), PG_EXIT_STARTUP);
  ASSERT_STR_CONTAINS(log, "cycle: a → b → a");
  ASSERT_STR_CONTAINS(log, "app cycle cannot start: 1 problem");
  free(log);
}

static char *exit_early[] = {"EXIT_EARLY=1"};

static void test_missing_duplicate_and_death(void) {
  test_app t;
  app_init(&t, "broken");
  add(&t, "echo", ECHO_SERVER_WASM, PG_ROLE_SERVER);
  add(&t, "echo2", ECHO_SERVER_WASM, PG_ROLE_SERVER);
  pg_program_config *d = add(&t, "dies", ECHO_SERVER_WASM, PG_ROLE_SERVER);
  d->env = exit_early, d->nenv = 1;
  pg_program_config *m = add(&t, "lonely", ECHO_SERVER_WASM, PG_ROLE_SERVER);
  m->env = require_b, m->nenv = 2;
  char *log = NULL;
  ASSERT_EQ(run(&t, false, 0, NULL, &log), PG_EXIT_STARTUP);
  ASSERT_STR_CONTAINS(log, "exported by both 'echo' and 'echo2'");
  ASSERT_STR_CONTAINS(log, "program 'lonely' requires service 'b.B', which "
                           "no program exports");
  ASSERT_STR_CONTAINS(log, "program 'dies' exited with code 7 before run()");
  ASSERT_STR_CONTAINS(log, "cannot start: 3 problems");
  free(log);
}

static void test_replicas_share_calls(void) {
  test_app t;
  app_init(&t, "replicas");
  add(&t, "echo", ECHO_SERVER_WASM, PG_ROLE_SERVER)->replicas = 2;
  add_main(&t, BASIC);
  char *log = NULL;
  int status = run(&t, false, 0, NULL, &log);
  ASSERT_EQ(status, PG_EXIT_OK);
  /* First-free delivery alternates the two replicas. */
  ASSERT_STR_CONTAINS(log, "echo[0] served 50");
  ASSERT_STR_CONTAINS(log, "echo[1] served 50");
  free(log);
}

static void test_only(void) {
  test_app t;
  app_init(&t, "only");
  pg_program_config *o = add(&t, "other", ECHO_SERVER_WASM, PG_ROLE_SERVER);
  o->args = export_a, o->nargs = 1, o->env = require_b + 1, o->nenv = 1;
  add(&t, "echo", ECHO_SERVER_WASM, PG_ROLE_SERVER);
  add_main(&t, BASIC);
  char *log = NULL;
  ASSERT_EQ(run(&t, false, 0, "main", &log), PG_EXIT_OK);
  ASSERT_STR_CONTAINS(
      log, "--only main: running echo, main; stopped after declaring: other");
  ASSERT_STR_CONTAINS(log, "startup order: echo, main");
  ASSERT_EQ(count(log, "other[0] served"), 0);
  ASSERT_EQ(count(log, "echo[0] served"), 1);
  free(log);
}

static void test_deterministic_logs(void) {
  test_app t;
  app_init(&t, "det");
  add(&t, "echo", ECHO_SERVER_WASM, PG_ROLE_SERVER)->replicas = 2;
  add_main(&t, RANDOM);
  char *one = NULL, *two = NULL, *other = NULL;
  ASSERT_EQ(run(&t, true, 7, NULL, &one), PG_EXIT_OK);
  ASSERT_EQ(run(&t, true, 7, NULL, &two), PG_EXIT_OK);
  ASSERT_EQ(run(&t, true, 8, NULL, &other), PG_EXIT_OK);
  ASSERT_STR_CONTAINS(one, "2026-01-01T00:00:00");
  ASSERT_STR_EQ(one, two);
  ASSERT_TRUE(strcmp(one, other) != 0);
  ASSERT_STR_CONTAINS(one, "main[0] time 1767225600.");
  free(one);
  free(two);
  free(other);
}

static void *send_sigint(void *arg) {
  usleep(200 * 1000);
  kill(getpid(), SIGINT);
  return arg;
}

static void test_sigint_stops_servers(void) {
  test_app t;
  app_init(&t, "sig");
  add(&t, "echo", ECHO_SERVER_WASM, PG_ROLE_SERVER);
  pg_program_config *o = add(&t, "other", ECHO_SERVER_WASM, PG_ROLE_SERVER);
  o->args = export_a, o->nargs = 1, o->env = require_b + 1, o->nenv = 1;
  pthread_t th;
  pthread_create(&th, NULL, send_sigint, NULL);
  char *log = NULL;
  int status = run(&t, false, 0, NULL, &log);
  pthread_join(th, NULL);
  ASSERT_EQ(status, PG_EXIT_INTERRUPTED);
  ASSERT_STR_CONTAINS(log, "received SIGINT; stopping servers");
  /* Reverse startup order: other (released last by name) stops first. */
  const char *a = strstr(log, "stopping other"), *b = strstr(log, "stopping echo");
  ASSERT_TRUE(a && b && a < b);
  ASSERT_STR_CONTAINS(log, "exit status 130");
  free(log);
}

static void test_graph_prints_order(void) {
  test_app t;
  app_init(&t, "graph");
  add_main(&t, BASIC);
  add(&t, "echo", ECHO_SERVER_WASM, PG_ROLE_SERVER);
  char *text = NULL, *log = NULL;
  size_t tlen, llen;
  FILE *out = open_memstream(&text, &tlen);
  FILE *lo = open_memstream(&log, &llen);
  pg_kernel_options o = {.log_out = lo, .log_level = PG_LOG_INFO};
  ASSERT_EQ(pg_kernel_graph(&t.app, &o, PG_GRAPH_TEXT, out), PG_EXIT_OK);
  fclose(out);
  fclose(lo);
  ASSERT_STR_CONTAINS(text, "echo");
  ASSERT_STR_CONTAINS(text, "test.Echo");
  free(text);
  free(log);
}

static void test_missing_wasm_is_config_error(void) {
  test_app t;
  app_init(&t, "nofile");
  add(&t, "ghost", "/nonexistent/ghost.wasm", PG_ROLE_MAIN);
  add(&t, "echo", ECHO_SERVER_WASM, PG_ROLE_SERVER);
  add(&t, "ghost2", "/nonexistent/ghost2.wasm", PG_ROLE_SERVER);
  char *log = NULL;
  ASSERT_EQ(run(&t, false, 0, NULL, &log), PG_EXIT_CONFIG);
  /* Every bad module is named, and nothing ran. */
  ASSERT_STR_CONTAINS(log, "program ghost: cannot load /nonexistent/ghost.wasm");
  ASSERT_STR_CONTAINS(log, "program ghost2: cannot load /nonexistent/ghost2.wasm");
  ASSERT_EQ(count(log, "echo[0]"), 0);
  free(log);
}

/* `test_kernel_core bench`: prints the round-trip rate (not a test). */
static int bench(void) {
  test_app t;
  app_init(&t, "bench");
  add(&t, "echo", ECHO_SERVER_WASM, PG_ROLE_SERVER);
  add_main(&t, BENCH);
  char *log = NULL;
  int status = run(&t, false, 0, NULL, &log);
  fputs(log, stdout);
  free(log);
  return status;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "bench") == 0) return bench();
  PG_RUN(test_basic_round_trips);
  PG_RUN(test_trap_restarts_server);
  PG_RUN(test_bad_pointers);
  PG_RUN(test_deadline);
  PG_RUN(test_random_syscalls);
  PG_RUN(test_sleep_yields);
  PG_RUN(test_main_exit_code);
  PG_RUN(test_main_trap_fails_app);
  PG_RUN(test_stubborn_server_is_aborted);
  PG_RUN(test_cycle_aborts);
  PG_RUN(test_missing_duplicate_and_death);
  PG_RUN(test_replicas_share_calls);
  PG_RUN(test_only);
  PG_RUN(test_deterministic_logs);
  PG_RUN(test_sigint_stops_servers);
  PG_RUN(test_graph_prints_order);
  PG_RUN(test_missing_wasm_is_config_error);
  return PG_DONE();
}
