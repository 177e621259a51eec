/*
 * nats_harness.h: a real nats-server for the cluster tests. Starts
 * `nats-server -a 127.0.0.1 -p PORT -js -sd DIR` on a free loopback port
 * with its own temporary store, waits until it accepts connections, and
 * stops it (SIGTERM, then SIGKILL) and removes the store at the end — also
 * when the test process exits early (atexit).
 */
#ifndef PG_TEST_NATS_HARNESS_H
#define PG_TEST_NATS_HARNESS_H

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct test_nats {
  pid_t pid;
  int port;
  char dir[64];
  char url[64];
} test_nats;

static test_nats *test_nats_running_;

static int test_nats_free_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET};
  socklen_t len = sizeof a;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0) return -1;
  if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
      getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
    close(fd);
    return -1;
  }
  close(fd);
  return ntohs(a.sin_port);
}

static int test_nats_accepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
  if (fd >= 0) close(fd);
  return ok;
}

static void test_nats_stop(test_nats *t) {
  if (!t || t->pid <= 0) return;
  kill(t->pid, SIGTERM);
  for (int i = 0; i < 100; i++) {
    if (waitpid(t->pid, NULL, WNOHANG) == t->pid) goto reaped;
    usleep(20000);
  }
  kill(t->pid, SIGKILL);
  waitpid(t->pid, NULL, 0);
reaped:
  t->pid = 0;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
  if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", t->dir);
  if (test_nats_running_ == t) test_nats_running_ = NULL;
}

static void test_nats_atexit(void) { test_nats_stop(test_nats_running_); }

/* Extra arguments (e.g. "--user", "u", "--pass", "p"), NULL-terminated. */
static int test_nats_start(test_nats *t, const char *const *extra) {
  memset(t, 0, sizeof *t);
  snprintf(t->dir, sizeof t->dir, "/tmp/pg_nats_XXXXXX");
  if (!mkdtemp(t->dir)) return -1;
  for (int attempt = 0; attempt < 5; attempt++) {
    t->port = test_nats_free_port();
    char port[16];
    snprintf(port, sizeof port, "%d", t->port);
    const char *argv[32] = {"nats-server", "-a", "127.0.0.1", "-p", port,
                            "-js", "-sd", t->dir};
    int n = 8;
    for (int i = 0; extra && extra[i] && n < 30; i++) argv[n++] = extra[i];
    t->pid = fork();
    if (t->pid == 0) {
      int devnull = open("/dev/null", 1);
      if (devnull >= 0) dup2(devnull, 2), dup2(devnull, 1);
      execvp("nats-server", (char *const *)argv);
      _exit(127);
    }
    if (t->pid < 0) return -1;
    for (int i = 0; i < 250; i++) { /* up to 5 s */
      if (test_nats_accepts(t->port)) {
        snprintf(t->url, sizeof t->url, "nats://127.0.0.1:%d", t->port);
        test_nats_running_ = t;
        static int registered;
        if (!registered++) atexit(test_nats_atexit);
        return 0;
      }
      if (waitpid(t->pid, NULL, WNOHANG) == t->pid) break; /* port taken */
      usleep(20000);
    }
    kill(t->pid, SIGKILL);
    waitpid(t->pid, NULL, 0);
  }
  t->pid = 0;
  return -1;
}

#endif /* PG_TEST_NATS_HARNESS_H */
