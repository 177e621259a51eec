/*
 * test_remote.c: the kernel's calls over NATS end to end, with the real
 * `parigot` binary and the store example (examples/store): a private
 * nats-server on a free loopback port, node b running `store` and node a
 * running `main` (`parigot run app.yaml --node a|b`). main's lines must be
 * exactly those of the one-process run — every answer and every error
 * message (NOT_FOUND: no such key, INVALID_ARGUMENT: keys are ...) crossed
 * the network unchanged. While b still serves, this test itself calls it
 * over NATS as a foreign node would (pg_transport): a Get of a missing key
 * and an unknown method come back with the guest's status and message;
 * after b is killed the same call finds no responders. A node with a wrong
 * password exits 3 with the clear line.
 *
 *   test_transport_remote PARIGOT STORE_DIR
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nats_server.h"
#include "pg_test.h"
#include "transport/transport.h"

static const char *parigot, *store_dir;
static char tmpdir[256];
static pg_test_nats server;

/* ---- files and processes -------------------------------------------------- */

static void write_text(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  if (!f) {
    perror(path);
    exit(2);
  }
  fputs(text, f);
  fclose(f);
}

static char *read_text(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return strdup("");
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *s = calloc(1, (size_t)n + 1);
  if (s && fread(s, 1, (size_t)n, f) != (size_t)n) s[0] = '\0';
  fclose(f);
  return s;
}

/* Writes TMP/NAME.yaml: the store app with `data` as the file root and a
 * deploy section (node a: main, node b: store) on `url` with
 * user/password (NULL: none). Returns the path in out. */
static void write_app(const char *name, const char *data, const char *url,
                      const char *user, const char *password, char *out,
                      size_t cap) {
  char auth[256] = "";
  if (user)
    snprintf(auth, sizeof auth, "    user: %s\n    password: %s\n", user,
             password);
  char yaml[4096];
  snprintf(yaml, sizeof yaml,
           "app: store\n"
           "services:\n"
           "  file.v1.FileService: {root: %s}\n"
           "programs:\n"
           "  - {name: store, wasm: %s/store.wasm, role: server}\n"
           "  - {name: main, wasm: %s/main.wasm, role: main}\n"
           "deploy:\n"
           "  nats:\n"
           "    url: %s\n"
           "%s"
           "  nodes:\n"
           "    - {name: a, programs: [main]}\n"
           "    - {name: b, programs: [store]}\n",
           data, store_dir, store_dir, url, auth);
  snprintf(out, cap, "%s/%s.yaml", tmpdir, name);
  write_text(out, yaml);
}

static void fresh_dir(const char *path) {
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", path, path);
  if (system(cmd) != 0) fprintf(stderr, "could not make %s\n", path);
}

/* Starts `parigot run APP [--node NODE]` with stdout+stderr to LOG. */
static pid_t start_parigot(const char *app, const char *node,
                           const char *log) {
  fflush(NULL); /* no buffered output may be written twice */
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) _exit(126);
    dup2(fd, 1);
    dup2(fd, 2);
    if (node)
      execl(parigot, parigot, "run", app, "--node", node, (char *)NULL);
    else
      execl(parigot, parigot, "run", app, (char *)NULL);
    _exit(127);
  }
  return pid;
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* The exit code of pid within ms, or -1 (then it is killed). */
static int wait_exit(pid_t pid, int ms) {
  int status;
  for (int waited = 0; waited <= ms; waited += 20) {
    if (waitpid(pid, &status, WNOHANG) == pid)
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    sleep_ms(20);
  }
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return -1;
}

/* main[0]'s lines of a log, each without its timestamp (malloc'd). */
static char *main_lines(const char *log) {
  char *text = read_text(log);
  size_t cap = strlen(text) + 1, len = 0;
  char *out = calloc(1, cap);
  for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
    char *rest = strchr(line, ' ');
    if (!rest || !strstr(rest, " main[0] ")) continue;
    len += (size_t)snprintf(out + len, cap - len, "%s\n", rest + 1);
  }
  free(text);
  return out;
}

/* ---- a foreign node's calls (pg_transport from this process) --------------- */

typedef struct replies {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  pg_transport_reply *last;
} replies;

static void on_reply(void *ctx, pg_transport_reply *r) {
  replies *box = ctx;
  pthread_mutex_lock(&box->mu);
  free(box->last);
  box->last = r;
  pthread_cond_broadcast(&box->cv);
  pthread_mutex_unlock(&box->mu);
}

/* Calls demo.vvv.StoreService/METHOD with body; the reply or NULL. */
static pg_transport_reply *call_store(pg_transport *t, replies *box,
                                      const char *method, const void *body,
                                      size_t len, uint32_t id) {
  pg_transport_call c = {.service = "demo.vvv.StoreService",
                         .service_len = 21, .method = method,
                         .method_len = strlen(method), .body = body,
                         .body_len = len, .call_id = id, .deadline_ms = 2000,
                         .from = "test/raw"};
  char err[256];
  if (pg_transport_send(t, &c, err, sizeof err) != 0) {
    fprintf(stderr, "  send: %s\n", err);
    return NULL;
  }
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += 3;
  pthread_mutex_lock(&box->mu);
  while (!box->last || box->last->call_id != id)
    if (pthread_cond_timedwait(&box->cv, &box->mu, &until) != 0) break;
  pg_transport_reply *r = box->last && box->last->call_id == id ? box->last
                                                                : NULL;
  if (r) box->last = NULL;
  pthread_mutex_unlock(&box->mu);
  return r;
}

static replies box = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
                      NULL};

static int connect_raw(pg_transport **t) {
  const char *urls[] = {server.url};
  pg_transport_options o = {.app = "store", .node = "test", .urls = urls,
                            .nurls = 1, .connect_timeout_ms = 1000,
                            .callbacks = {.reply = on_reply, .ctx = &box}};
  char err[512];
  if (pg_transport_connect(t, &o, err, sizeof err) == 0) return 0;
  fprintf(stderr, "  raw connect: %s\n", err);
  return -1;
}

/* GetRequest{key: "banana"} in protobuf wire format. */
static const uint8_t get_banana[] = {0x0a, 6, 'b', 'a', 'n', 'a', 'n', 'a'};

static void check_foreign_calls(pg_transport *t) {
  pg_transport_reply *r = call_store(t, &box, "Get", get_banana,
                                     sizeof get_banana, 101);
  ASSERT_TRUE(r != NULL);
  ASSERT_EQ(r->status, 5); /* NOT_FOUND */
  ASSERT_STR_EQ(r->message, "no such key");
  free(r);
  r = call_store(t, &box, "Nope", NULL, 0, 102);
  ASSERT_TRUE(r != NULL);
  ASSERT_EQ(r->status, 12); /* UNIMPLEMENTED, from the guest's dispatch */
  ASSERT_STR_EQ(r->message, "unknown method");
  free(r);
}

/* ---- tests -------------------------------------------------------------------- */

static void test_store_across_two_nodes(void) {
  char data[300], app[400], log_single[400], log_a[400], log_b[400];
  snprintf(data, sizeof data, "%s/data1", tmpdir);
  fresh_dir(data);
  write_app("app1", data, server.url, NULL, NULL, app, sizeof app);
  snprintf(log_single, sizeof log_single, "%s/single.log", tmpdir);
  ASSERT_EQ(wait_exit(start_parigot(app, NULL, log_single), 30000), 0);
  char *want = main_lines(log_single);
  ASSERT_STR_CONTAINS(want, "store example passed wrong_answers=0");

  fresh_dir(data);
  snprintf(log_a, sizeof log_a, "%s/a.log", tmpdir);
  snprintf(log_b, sizeof log_b, "%s/b.log", tmpdir);
  pid_t b = start_parigot(app, "b", log_b);
  pid_t a = start_parigot(app, "a", log_a);
  int rc_a = wait_exit(a, 30000);
  /* b still serves: call it as a foreign node would. */
  pg_transport *t = NULL;
  bool connected = connect_raw(&t) == 0;
  if (connected) check_foreign_calls(t);
  kill(b, SIGTERM);
  int rc_b = wait_exit(b, 10000);
  char *got = main_lines(log_a);
  bool same = !strcmp(got, want);
  if (!same) {
    char *text = read_text(log_a);
    fprintf(stderr, "--- node a log:\n%s--- want main lines:\n%s", text, want);
    free(text);
  }
  free(got);
  free(want);
  /* After b is gone nobody serves the store: NATS has no responders. */
  pg_transport_reply *r = connected ? call_store(t, &box, "Get", get_banana,
                                                 sizeof get_banana, 103)
                                    : NULL;
  bool unavailable = r && r->no_responders && r->status == 14;
  free(r);
  pg_transport_free(t);
  ASSERT_TRUE(connected);
  ASSERT_EQ(rc_a, 0);
  ASSERT_TRUE(rc_b == 0 || rc_b == 130);
  ASSERT_TRUE(same);
  ASSERT_TRUE(unavailable);
}

static void test_wrong_password_exits_3(void) {
  pg_test_nats secured;
  const char *extra[] = {"--user", "store", "--pass", "right", NULL};
  ASSERT_EQ(pg_test_nats_start(&secured, NATS_SERVER, extra), 0);
  char data[300], app[400], log[400], want[300];
  snprintf(data, sizeof data, "%s/data2", tmpdir);
  fresh_dir(data);
  write_app("app2", data, secured.url, "store", "wrong", app, sizeof app);
  snprintf(log, sizeof log, "%s/refused.log", tmpdir);
  int rc = wait_exit(start_parigot(app, "b", log), 20000);
  pg_test_nats_stop(&secured);
  char *text = read_text(log);
  snprintf(want, sizeof want,
           " ERROR parigot nats: cannot connect to %s: Authorization "
           "Violation\n",
           secured.url);
  bool has_line = strstr(text, want) != NULL;
  bool started = strstr(text, "store[0]") != NULL;
  if (!has_line) fprintf(stderr, "--- log:\n%s--- want: %s", text, want);
  free(text);
  ASSERT_EQ(rc, 3);
  ASSERT_TRUE(has_line);
  ASSERT_TRUE(!started);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s PARIGOT STORE_DIR\n", argv[0]);
    return 2;
  }
  static char store_abs[4096];
  parigot = argv[1];
  store_dir = realpath(argv[2], store_abs) ? store_abs : argv[2];
  snprintf(tmpdir, sizeof tmpdir, "/tmp/pg_remote_test_XXXXXX");
  if (!mkdtemp(tmpdir)) return 2;
  if (pg_test_nats_start(&server, NATS_SERVER, (const char *[]){
                             "-js", "-sd", tmpdir, NULL}) != 0)
    return 1;
  PG_RUN(test_store_across_two_nodes);
  PG_RUN(test_wrong_password_exits_3);
  pg_test_nats_stop(&server);
  if (!getenv("PG_KEEP_TMP")) {
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
  }
  return PG_DONE();
}
