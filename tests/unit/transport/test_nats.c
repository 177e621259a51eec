/*
 * test_nats.c: pg_transport (src/transport/nats.c) against a real
 * nats-server started on a free loopback port: a call from one node's
 * transport to another's and back with every header, error messages
 * arriving byte for byte, "no responders", queue groups balancing two
 * servers of one service and unserve moving the calls away, credentials
 * (wrong ones give the exact error line), a refused connection that fails
 * fast, and names NATS cannot carry.
 *
 * Callbacks run on libnats threads; here they append to a mailbox the
 * test thread waits on (as the kernel's inbox would).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nats_server.h"
#include "pg_test.h"
#include "transport/transport.h"

/* ---- mailbox ------------------------------------------------------------ */

#define MAILBOX_CAP 1024

typedef struct mailbox {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  void *items[MAILBOX_CAP]; /* replies or incoming requests, FIFO */
  int n;
  const char *owner; /* a name, to tell servers apart */
} mailbox;

static void mailbox_init(mailbox *m, const char *owner) {
  memset(m, 0, sizeof *m);
  pthread_mutex_init(&m->mu, NULL);
  pthread_cond_init(&m->cv, NULL);
  m->owner = owner;
}

static void mailbox_push(mailbox *m, void *item) {
  pthread_mutex_lock(&m->mu);
  if (m->n < MAILBOX_CAP) m->items[m->n++] = item;
  else free(item);
  pthread_cond_broadcast(&m->cv);
  pthread_mutex_unlock(&m->mu);
}

/* The oldest item, waiting up to ms; NULL on timeout. */
static void *mailbox_pop(mailbox *m, int ms) {
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += ms / 1000;
  until.tv_nsec += (long)(ms % 1000) * 1000000L;
  if (until.tv_nsec >= 1000000000L) {
    until.tv_sec++;
    until.tv_nsec -= 1000000000L;
  }
  pthread_mutex_lock(&m->mu);
  while (m->n == 0)
    if (pthread_cond_timedwait(&m->cv, &m->mu, &until) != 0) break;
  void *item = NULL;
  if (m->n > 0) {
    item = m->items[0];
    memmove(m->items, m->items + 1, (size_t)(m->n - 1) * sizeof *m->items);
    m->n--;
  }
  pthread_mutex_unlock(&m->mu);
  return item;
}

static void mailbox_drain(mailbox *m) {
  void *item;
  while ((item = mailbox_pop(m, 0))) free(item);
}

static void on_reply(void *ctx, pg_transport_reply *r) {
  mailbox_push(((mailbox **)ctx)[0], r);
}

static void on_request(void *ctx, pg_transport_incoming *q) {
  mailbox_push(((mailbox **)ctx)[1], q);
}

/* ---- fixtures ------------------------------------------------------------- */

static pg_test_nats server;

/* A node: its transport and the mailboxes its callbacks fill. */
typedef struct node {
  pg_transport *t;
  mailbox replies, requests;
  mailbox *boxes[2];
} node;

static int node_connect(node *n, const char *name, const char *url,
                        const char *user, const char *password, char *err,
                        size_t errlen) {
  mailbox_init(&n->replies, name);
  mailbox_init(&n->requests, name);
  n->boxes[0] = &n->replies;
  n->boxes[1] = &n->requests;
  const char *urls[] = {url};
  pg_transport_options o = {
      .app = "shop", .node = name, .urls = urls, .nurls = 1, .user = user,
      .password = password, .connect_timeout_ms = 1000,
      .callbacks = {.reply = on_reply, .request = on_request,
                    .ctx = n->boxes}};
  n->t = NULL;
  return pg_transport_connect(&n->t, &o, err, errlen);
}

static void node_close(node *n) {
  pg_transport_free(n->t);
  n->t = NULL;
  mailbox_drain(&n->replies);
  mailbox_drain(&n->requests);
}

static pg_trace sample_trace(void) {
  pg_trace t;
  for (int i = 0; i < 16; i++) t.id[i] = (uint8_t)(i * 17 + 1);
  t.parent_span = 0xfeedfacecafebeefull;
  return t;
}

static int send_call(node *from, const char *service, const char *method,
                     const void *body, size_t len, uint32_t id,
                     const pg_trace *trace) {
  pg_transport_call c = {.service = service, .service_len = strlen(service),
                         .method = method, .method_len = strlen(method),
                         .body = body, .body_len = len, .call_id = id,
                         .deadline_ms = 1500, .trace = trace,
                         .from = "a/main[0]"};
  char err[256];
  int rc = pg_transport_send(from->t, &c, err, sizeof err);
  if (rc != 0) fprintf(stderr, "  send: %s\n", err);
  return rc;
}

#define CONNECT(n, name)                                                      \
  do {                                                                        \
    char err_[512] = "";                                                      \
    if (node_connect(n, name, server.url, NULL, NULL, err_, sizeof err_))     \
      PG_FAIL_("connect %s: %s", name, err_);                                 \
  } while (0)

#define SERVE(n, service)                                                     \
  do {                                                                        \
    char err_[512] = "";                                                      \
    if (pg_transport_serve((n)->t, service, err_, sizeof err_))               \
      PG_FAIL_("serve %s: %s", service, err_);                                \
  } while (0)

/* ---- tests ------------------------------------------------------------------- */

static void test_call_across_with_headers(void) {
  static node a, b;
  CONNECT(&a, "a");
  CONNECT(&b, "b");
  SERVE(&b, "demo.v1.Echo");
  pg_trace trace = sample_trace();
  ASSERT_EQ(send_call(&a, "demo.v1.Echo", "Say", "hello", 5, 7, &trace), 0);
  pg_transport_incoming *q = mailbox_pop(&b.requests, 3000);
  ASSERT_TRUE(q != NULL);
  ASSERT_STR_EQ(q->service, "demo.v1.Echo");
  ASSERT_STR_EQ(q->method, "Say");
  ASSERT_EQ(q->body_len, 5);
  ASSERT_EQ(memcmp(q->body, "hello", 5), 0);
  ASSERT_EQ(q->deadline_ms, 1500);
  ASSERT_TRUE(q->has_trace);
  ASSERT_EQ(memcmp(q->trace.id, trace.id, 16), 0);
  ASSERT_U64_EQ(q->trace.parent_span, trace.parent_span);
  ASSERT_STR_EQ(q->from, "a/main[0]");
  ASSERT_TRUE(q->reply_to != NULL);
  ASSERT_EQ(pg_transport_respond(b.t, q->reply_to, 0,
                                 (const uint8_t *)"HELLO", 5, NULL, 0),
            0);
  free(q);
  pg_transport_reply *r = mailbox_pop(&a.replies, 3000);
  ASSERT_TRUE(r != NULL);
  ASSERT_EQ(r->call_id, 7);
  ASSERT_EQ(r->status, 0);
  ASSERT_TRUE(!r->no_responders && !r->malformed);
  ASSERT_EQ(r->body_len, 5);
  ASSERT_EQ(memcmp(r->body, "HELLO", 5), 0);
  ASSERT_EQ(r->message_len, 0);
  free(r);
  node_close(&a);
  node_close(&b);
}

static void test_error_arrives_unchanged(void) {
  static node a, b;
  CONNECT(&a, "a");
  CONNECT(&b, "b");
  SERVE(&b, "demo.v1.Echo");
  ASSERT_EQ(send_call(&a, "demo.v1.Echo", "Say", NULL, 0, 9, NULL), 0);
  pg_transport_incoming *q = mailbox_pop(&b.requests, 3000);
  ASSERT_TRUE(q != NULL);
  ASSERT_TRUE(!q->has_trace);
  ASSERT_EQ(q->body_len, 0);
  static const char msg[] = " no item \"x\": 100% gone\r\n\tcaf\xc3\xa9 \0end ";
  size_t msg_len = sizeof msg - 1;
  ASSERT_EQ(pg_transport_respond(b.t, q->reply_to, 5, NULL, 0, msg, msg_len),
            0);
  free(q);
  pg_transport_reply *r = mailbox_pop(&a.replies, 3000);
  ASSERT_TRUE(r != NULL);
  ASSERT_EQ(r->call_id, 9);
  ASSERT_EQ(r->status, 5);
  ASSERT_EQ(r->message_len, msg_len);
  ASSERT_EQ(memcmp(r->message, msg, msg_len), 0);
  free(r);
  node_close(&a);
  node_close(&b);
}

static void test_big_body_both_ways(void) {
  static node a, b;
  static uint8_t big[100000];
  for (size_t i = 0; i < sizeof big; i++) big[i] = (uint8_t)(i * 7);
  CONNECT(&a, "a");
  CONNECT(&b, "b");
  SERVE(&b, "demo.v1.Echo");
  ASSERT_EQ(send_call(&a, "demo.v1.Echo", "Big", big, sizeof big, 11, NULL),
            0);
  pg_transport_incoming *q = mailbox_pop(&b.requests, 3000);
  ASSERT_TRUE(q != NULL);
  ASSERT_EQ(q->body_len, sizeof big);
  ASSERT_EQ(memcmp(q->body, big, sizeof big), 0);
  ASSERT_EQ(pg_transport_respond(b.t, q->reply_to, 0, q->body, q->body_len,
                                 NULL, 0),
            0);
  free(q);
  pg_transport_reply *r = mailbox_pop(&a.replies, 3000);
  ASSERT_TRUE(r != NULL);
  ASSERT_EQ(r->body_len, sizeof big);
  ASSERT_EQ(memcmp(r->body, big, sizeof big), 0);
  free(r);
  node_close(&a);
  node_close(&b);
}

static void test_no_responders(void) {
  static node a;
  CONNECT(&a, "a");
  ASSERT_EQ(send_call(&a, "demo.v1.Nobody", "Say", "x", 1, 12345, NULL), 0);
  pg_transport_reply *r = mailbox_pop(&a.replies, 3000);
  ASSERT_TRUE(r != NULL);
  ASSERT_EQ(r->call_id, 12345);
  ASSERT_TRUE(r->no_responders);
  ASSERT_EQ(r->status, 14);
  ASSERT_EQ(r->body_len, 0);
  free(r);
  node_close(&a);
}

/* Sends n calls and counts how many each server got, answering each;
 * then collects the n replies. */
static void spread(node *a, node *b, node *c, int n, int *got_b, int *got_c) {
  *got_b = *got_c = 0;
  for (int i = 0; i < n; i++)
    send_call(a, "demo.v1.Echo", "Say", "x", 1, (uint32_t)i + 1, NULL);
  for (int received = 0, idle = 0; received < n && idle < 300;) {
    node *at = b;
    pg_transport_incoming *q = mailbox_pop(&b->requests, 0);
    if (!q && (q = mailbox_pop(&c->requests, 0))) at = c;
    if (!q) {
      struct timespec ts = {0, 10000000L};
      nanosleep(&ts, NULL);
      idle++;
      continue;
    }
    if (at == b) (*got_b)++; else (*got_c)++;
    pg_transport_respond(at->t, q->reply_to, 0, NULL, 0, NULL, 0);
    free(q);
    received++;
  }
  for (int i = 0; i < n; i++) free(mailbox_pop(&a->replies, 1000));
}

static void test_queue_group_balances_and_unserve_moves_calls(void) {
  static node a, b, c;
  CONNECT(&a, "a");
  CONNECT(&b, "b");
  CONNECT(&c, "c");
  SERVE(&b, "demo.v1.Echo");
  SERVE(&c, "demo.v1.Echo");
  int got_b, got_c;
  spread(&a, &b, &c, 60, &got_b, &got_c);
  /* NATS picks a member at random: both get some of 60 (p(miss) ~ 2^-59). */
  ASSERT_EQ(got_b + got_c, 60);
  ASSERT_TRUE(got_b > 0 && got_c > 0);
  pg_transport_unserve(c.t, "demo.v1.Echo");
  natsConnection_FlushTimeout(pg_transport_conn(c.t), 1000);
  spread(&a, &b, &c, 20, &got_b, &got_c);
  ASSERT_EQ(got_b, 20);
  ASSERT_EQ(got_c, 0);
  node_close(&a);
  node_close(&b);
  node_close(&c);
}

/* The checks of test_credentials against a server that wants
 * shop/s3cret (a function of its own so a failed check still lets the
 * test stop that server). */
static void check_credentials(const pg_test_nats *secured) {
  static node a;
  char err[512] = "", want[512];
  int rc = node_connect(&a, "a", secured->url, "shop", "wrong", err,
                        sizeof err);
  snprintf(want, sizeof want,
           "nats: cannot connect to %s: Authorization Violation", secured->url);
  if (rc == 0) node_close(&a);
  ASSERT_EQ(rc, -1);
  ASSERT_STR_EQ(err, want);
  rc = node_connect(&a, "a", secured->url, NULL, NULL, err, sizeof err);
  if (rc == 0) node_close(&a);
  ASSERT_EQ(rc, -1);
  ASSERT_STR_EQ(err, want);
  rc = node_connect(&a, "a", secured->url, "shop", "s3cret", err, sizeof err);
  ASSERT_EQ(rc, 0);
  ASSERT_STR_EQ(pg_transport_url(a.t), secured->url);
  node_close(&a);
}

static void test_credentials(void) {
  pg_test_nats secured;
  const char *extra[] = {"--user", "shop", "--pass", "s3cret", NULL};
  ASSERT_EQ(pg_test_nats_start(&secured, NATS_SERVER, extra), 0);
  check_credentials(&secured);
  pg_test_nats_stop(&secured);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_refused_connection_fails_fast(void) {
  int port = pg_test_free_port();
  char url[64], err[512] = "", want[128];
  snprintf(url, sizeof url, "nats://127.0.0.1:%d", port);
  static node a;
  double start = now_s();
  int rc = node_connect(&a, "a", url, NULL, NULL, err, sizeof err);
  double took = now_s() - start;
  if (rc == 0) node_close(&a);
  ASSERT_EQ(rc, -1);
  snprintf(want, sizeof want, "nats: cannot connect to %s: ", url);
  ASSERT_STR_CONTAINS(err, want);
  if (took > 3.0) PG_FAIL_("refused connect took %.2f s", took);
}

static void test_names_nats_cannot_carry(void) {
  static node a;
  CONNECT(&a, "a");
  char err[256] = "";
  ASSERT_EQ(pg_transport_serve(a.t, "bad service", err, sizeof err), -1);
  ASSERT_STR_EQ(err, "nats: service name 'bad service' cannot be a NATS "
                     "subject");
  pg_transport_call c = {.service = "demo.v1.Echo", .service_len = 12,
                         .method = "Say\r\nX: y", .method_len = 9,
                         .call_id = 1, .deadline_ms = 10};
  ASSERT_EQ(pg_transport_send(a.t, &c, err, sizeof err), PG_TRANSPORT_BAD_NAME);
  ASSERT_STR_EQ(err, "method name 'Say\r\nX: y' cannot travel over NATS");
  c.method = "Say";
  c.method_len = 3;
  c.service = "demo.*";
  c.service_len = 6;
  ASSERT_EQ(pg_transport_send(a.t, &c, err, sizeof err), PG_TRANSPORT_BAD_NAME);
  ASSERT_STR_EQ(err, "service name 'demo.*' cannot be a NATS subject");
  node_close(&a);
}

int main(void) {
  if (pg_test_nats_start(&server, NATS_SERVER, NULL) != 0) return 1;
  PG_RUN(test_call_across_with_headers);
  PG_RUN(test_error_arrives_unchanged);
  PG_RUN(test_big_body_both_ways);
  PG_RUN(test_no_responders);
  PG_RUN(test_queue_group_balances_and_unserve_moves_calls);
  PG_RUN(test_credentials);
  PG_RUN(test_refused_connection_fails_fast);
  PG_RUN(test_names_nats_cannot_carry);
  pg_test_nats_stop(&server);
  return PG_DONE();
}
