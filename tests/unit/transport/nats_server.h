/*
 * nats_server.h: starts a real nats-server for a test on a free loopback
 * port (127.0.0.1 only, never another address) and stops it. Extra
 * arguments (--user/--pass, -js -sd DIR) are passed through.
 */
#ifndef PG_TEST_NATS_SERVER_H
#define PG_TEST_NATS_SERVER_H

#include <sys/types.h>

typedef struct pg_test_nats {
  pid_t pid;
  int port;
  char url[64]; /* "nats://127.0.0.1:PORT" */
} pg_test_nats;

/* A TCP port on 127.0.0.1 that nobody listened on a moment ago. */
int pg_test_free_port(void);

/* Starts `server` (the nats-server binary) with -a 127.0.0.1 -p PORT and
 * `extra` (NULL-terminated, borrowed), and waits (at most 5 s) until it
 * accepts connections. Returns 0, or -1 with the reason on stderr. */
int pg_test_nats_start(pg_test_nats *n, const char *server,
                       const char *const *extra);

/* SIGTERM, then SIGKILL after 2 s; reaps the process. Accepts pid 0. */
void pg_test_nats_stop(pg_test_nats *n);

#endif /* PG_TEST_NATS_SERVER_H */
