/*
 * nats_server.c: a nats-server child process per test (nats_server.h).
 */
#define _GNU_SOURCE
#include "nats_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in loopback(int port) {
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

int pg_test_free_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  struct sockaddr_in a = loopback(0);
  socklen_t len = sizeof a;
  int port = -1;
  if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
      getsockname(fd, (struct sockaddr *)&a, &len) == 0)
    port = ntohs(a.sin_port);
  close(fd);
  return port;
}

static int accepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  struct sockaddr_in a = loopback(port);
  int ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
  close(fd);
  return ok;
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static pid_t spawn(const char *server, int port, const char *const *extra) {
  char port_text[16];
  snprintf(port_text, sizeof port_text, "%d", port);
  const char *argv[32] = {server, "-a", "127.0.0.1", "-p", port_text};
  int argc = 5;
  for (size_t i = 0; extra && extra[i] && argc < 31; i++) argv[argc++] = extra[i];
  argv[argc] = NULL;
  fflush(NULL); /* no buffered output may be written twice */
  pid_t pid = fork();
  if (pid == 0) {
    /* A test that crashes must not leave its server behind. */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    /* The server's own log would only clutter the test output, and an
     * inherited stdout would keep the test's pipe open if it outlived us. */
    if (!getenv("PG_TEST_NATS_VERBOSE")) {
      FILE *null = freopen("/dev/null", "w", stderr);
      null = freopen("/dev/null", "w", stdout);
      (void)null;
    }
    execv(server, (char *const *)argv);
    _exit(127);
  }
  return pid;
}

int pg_test_nats_start(pg_test_nats *n, const char *server,
                       const char *const *extra) {
  memset(n, 0, sizeof *n);
  for (int attempt = 0; attempt < 5; attempt++) {
    n->port = pg_test_free_port();
    if (n->port <= 0) continue;
    n->pid = spawn(server, n->port, extra);
    if (n->pid < 0) break;
    for (int waited = 0; waited < 5000; waited += 20) {
      if (accepts(n->port)) {
        snprintf(n->url, sizeof n->url, "nats://127.0.0.1:%d", n->port);
        return 0;
      }
      int status;
      if (waitpid(n->pid, &status, WNOHANG) == n->pid) { /* e.g. port taken */
        n->pid = 0;
        break;
      }
      sleep_ms(20);
    }
    pg_test_nats_stop(n);
  }
  fprintf(stderr, "could not start %s on a loopback port\n", server);
  return -1;
}

void pg_test_nats_stop(pg_test_nats *n) {
  if (n->pid <= 0) return;
  kill(n->pid, SIGTERM);
  for (int waited = 0; waited < 2000; waited += 10) {
    if (waitpid(n->pid, NULL, WNOHANG) == n->pid) {
      n->pid = 0;
      return;
    }
    sleep_ms(10);
  }
  kill(n->pid, SIGKILL);
  waitpid(n->pid, NULL, 0);
  n->pid = 0;
}
