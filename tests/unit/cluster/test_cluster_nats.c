/*
 * test_cluster_nats.c: the NATS side of startup across nodes (cluster.c)
 * against a real nats-server (JetStream, own store, free loopback port):
 * nodes that join one after the other agree on one graph through the
 * bucket, readiness published by one node reaches the others, a node's
 * keys outlive the bucket's TTL only while the node lives, and log
 * lines published by two nodes come back from the stream merged in time
 * order with the node on each line.
 */
#include "nats_harness.h"

#include <nats/nats.h>
#include <pthread.h>

#include "kernel/cluster.h"
#include "kernel/logmerge.h"
#include "pg_test.h"

static test_nats server;

/* ---- a node: connection, cluster, view ----------------------------------- */

typedef struct node {
  natsConnection *nc;
  pg_cluster *cl;
  pg_cluster_view view;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int wakes; /* guarded by mu */
  size_t bad;
  uint32_t ttl_ms; /* the bucket's, if this node creates it; 0: default */
} node;

static void on_wake(void *ctx) {
  node *n = ctx;
  pthread_mutex_lock(&n->mu);
  n->wakes++;
  pthread_cond_signal(&n->cv);
  pthread_mutex_unlock(&n->mu);
}

static void on_change(void *ctx, const char *key, const char *value,
                      size_t len, bool deleted) {
  node *n = ctx;
  if (pg_cluster_view_apply(&n->view, key, value, len, deleted, NULL, 0) ==
      PG_CLUSTER_BAD)
    n->bad++;
}

static const char *const programs[] = {"main", "cart", "inventory"};
static const char *const node_names[] = {"a", "b"};
static const size_t on_a[] = {0}, on_b[] = {1, 2};
static const size_t *const node_programs[] = {on_a, on_b};
static const size_t node_nprograms[] = {1, 2};
static const pg_cluster_placement placement = {node_names, 2, node_programs,
                                               node_nprograms};

static int node_open_ttl(node *n, const char *app, const char *name,
                         uint32_t ttl_ms) {
  char err[512] = "";
  memset(n, 0, sizeof *n);
  n->ttl_ms = ttl_ms;
  pthread_mutex_init(&n->mu, NULL);
  pthread_cond_init(&n->cv, NULL);
  if (natsConnection_ConnectTo(&n->nc, server.url) != NATS_OK) return -1;
  if (pg_cluster_open(&n->cl, n->nc, app, name, n->ttl_ms, on_wake, n, err,
                      sizeof err) != 0) {
    fprintf(stderr, "  open: %s\n", err);
    return -1;
  }
  return pg_cluster_view_init(&n->view, programs, 3, &placement);
}

static int node_open(node *n, const char *app, const char *name) {
  return node_open_ttl(n, app, name, 0);
}

static void node_close(node *n) {
  pg_cluster_close(n->cl);
  natsConnection_Destroy(n->nc);
  pg_cluster_view_free(&n->view);
  pthread_mutex_destroy(&n->mu);
  pthread_cond_destroy(&n->cv);
}

static int put_decl(node *n, const char *program, const char *nodename,
                    const char *req, const char *exp) {
  char *r[] = {(char *)req}, *e[] = {(char *)exp};
  pg_cluster_decl d = {.program = (char *)program, .node = (char *)nodename,
                       .requires = r, .nrequires = req != NULL,
                       .exports = e, .nexports = exp != NULL};
  char *text = NULL, key[128], err[256];
  size_t len = 0;
  pg_cluster_decl_encode(&d, &text, &len);
  pg_cluster_key("decl", program, nodename, key, sizeof key);
  int rc = pg_cluster_put(n->cl, key, text, len, err, sizeof err);
  free(text);
  return rc;
}

/* Drains changes until pred(n) holds or 5 s pass. */
static bool wait_for(node *n, bool (*pred)(node *n)) {
  struct timespec end;
  clock_gettime(CLOCK_REALTIME, &end);
  end.tv_sec += 5;
  for (;;) {
    pg_cluster_drain(n->cl, on_change, n);
    if (pred(n)) return true;
    pthread_mutex_lock(&n->mu);
    int rc = 0;
    while (n->wakes == 0 && rc == 0)
      rc = pthread_cond_timedwait(&n->cv, &n->mu, &end);
    n->wakes = 0;
    pthread_mutex_unlock(&n->mu);
    if (rc != 0) {
      pg_cluster_drain(n->cl, on_change, n);
      return pred(n);
    }
  }
}

static bool complete(node *n) { return pg_cluster_view_complete(&n->view); }
static bool caught_up(node *n) { return pg_cluster_caught_up(n->cl); }
static bool cart_ready(node *n) {
  return pg_cluster_view_ready_somewhere(&n->view, 1);
}

static void collect(void *ctx, const char *text) {
  strcat(ctx, text);
  strcat(ctx, "\n");
}

/* The graph order of a complete view as "x,y,z" (static buffer per call). */
static void order_of(node *n, char *out, size_t cap) {
  pg_graph_node nodes[3];
  pg_graph g = {0};
  static const char *const builtins[] = {"log.v1.LogService"};
  out[0] = '\0';
  if (pg_cluster_view_graph_nodes(&n->view, nodes) != 0 ||
      pg_graph_build(nodes, 3, builtins, 1, &g) != 0)
    return;
  for (size_t i = 0; i < g.nproblems; i++)
    snprintf(out + strlen(out), cap - strlen(out), "%s;", g.problems[i]);
  for (size_t i = 0; !g.nproblems && i < g.nnodes; i++)
    snprintf(out + strlen(out), cap - strlen(out), "%s%s", i ? "," : "",
             nodes[g.order[i]].name);
  pg_graph_free(&g);
}

static void test_late_node_joins_and_both_agree(void) {
  node a, b;
  ASSERT_EQ(node_open(&a, "shop", "a"), 0);
  ASSERT_EQ(put_decl(&a, "main", "a", "shop.v1.Cart", NULL), 0);
  char err[256] = "";
  ASSERT_EQ(pg_cluster_watch(a.cl, err, sizeof err), 0);
  ASSERT_TRUE(wait_for(&a, caught_up));
  ASSERT_TRUE(!complete(&a));
  char lines[512] = "";
  ASSERT_EQ(pg_cluster_view_missing(&a.view, collect, lines), 1);
  ASSERT_STR_EQ(lines, "waiting for declarations from node b: cart, "
                       "inventory\n");
  /* Node b starts later: it publishes, then sees a's key already there. */
  ASSERT_EQ(node_open(&b, "shop", "b"), 0);
  ASSERT_EQ(put_decl(&b, "cart", "b", "shop.v1.Inventory", "shop.v1.Cart"),
            0);
  ASSERT_EQ(put_decl(&b, "inventory", "b", "log.v1.LogService",
                     "shop.v1.Inventory"),
            0);
  ASSERT_EQ(pg_cluster_watch(b.cl, err, sizeof err), 0);
  ASSERT_TRUE(wait_for(&b, complete));
  ASSERT_TRUE(wait_for(&a, complete));
  char oa[256], ob[256];
  order_of(&a, oa, sizeof oa);
  order_of(&b, ob, sizeof ob);
  ASSERT_STR_EQ(oa, "inventory,cart,main");
  ASSERT_STR_EQ(ob, oa);
  /* Readiness published by b reaches a. */
  ASSERT_EQ(pg_cluster_put(b.cl, "ready.cart.b", "{}", 2, err, sizeof err),
            0);
  ASSERT_TRUE(wait_for(&a, cart_ready));
  ASSERT_EQ(a.bad + b.bad, 0);
  node_close(&a);
  node_close(&b);
}

static void test_cycle_split_across_nodes(void) {
  node a, b;
  char err[256] = "";
  ASSERT_EQ(node_open(&a, "loop", "a"), 0);
  ASSERT_EQ(node_open(&b, "loop", "b"), 0);
  ASSERT_EQ(put_decl(&a, "main", "a", "shop.v1.Cart", "shop.v1.Main"), 0);
  ASSERT_EQ(put_decl(&b, "cart", "b", "shop.v1.Inventory", "shop.v1.Cart"),
            0);
  ASSERT_EQ(put_decl(&b, "inventory", "b", "shop.v1.Main",
                     "shop.v1.Inventory"),
            0);
  ASSERT_EQ(pg_cluster_watch(a.cl, err, sizeof err), 0);
  ASSERT_EQ(pg_cluster_watch(b.cl, err, sizeof err), 0);
  ASSERT_TRUE(wait_for(&a, complete));
  ASSERT_TRUE(wait_for(&b, complete));
  char oa[512], ob[512];
  order_of(&a, oa, sizeof oa);
  order_of(&b, ob, sizeof ob);
  ASSERT_STR_EQ(oa, "cycle: cart → inventory → main → cart (cart requires "
                    "shop.v1.Inventory from inventory, inventory requires "
                    "shop.v1.Main from main, main requires shop.v1.Cart "
                    "from cart);");
  ASSERT_STR_EQ(ob, oa);
  node_close(&a);
  node_close(&b);
}

/* Whether key is in the app's bucket now (read with plain libnats). */
static bool key_exists(const char *app, const char *key) {
  natsConnection *nc = NULL;
  jsCtx *js = NULL;
  kvStore *kv = NULL;
  kvEntry *e = NULL;
  char bucket[128];
  pg_cluster_bucket_name(app, bucket, sizeof bucket);
  bool found = natsConnection_ConnectTo(&nc, server.url) == NATS_OK &&
               natsConnection_JetStream(&js, nc, NULL) == NATS_OK &&
               js_KeyValue(&kv, js, bucket) == NATS_OK &&
               kvStore_Get(&e, kv, key) == NATS_OK;
  kvEntry_Destroy(e);
  kvStore_Destroy(kv);
  jsCtx_Destroy(js);
  natsConnection_Destroy(nc);
  return found;
}

static void test_keys_live_while_their_node_lives(void) {
  node a;
  char err[256] = "";
  ASSERT_EQ(node_open_ttl(&a, "ttl", "a", 1200), 0);
  ASSERT_EQ(pg_cluster_put(a.cl, "ready.main.a", "{}", 2, err, sizeof err),
            0);
  ASSERT_EQ(pg_cluster_watch(a.cl, err, sizeof err), 0); /* refreshes */
  usleep(2000000);
  ASSERT_TRUE(key_exists("ttl", "ready.main.a")); /* older than the TTL */
  /* Withdrawn keys are not refreshed back. */
  ASSERT_EQ(pg_cluster_put(a.cl, "decl.x.a", "{}", 2, err, sizeof err), 0);
  ASSERT_EQ(pg_cluster_delete(a.cl, "decl.x.a", err, sizeof err), 0);
  usleep(600000);
  ASSERT_TRUE(!key_exists("ttl", "decl.x.a"));
  /* The node dies without withdrawing: its key expires. */
  node_close(&a);
  ASSERT_TRUE(key_exists("ttl", "ready.main.a"));
  usleep(1700000);
  ASSERT_TRUE(!key_exists("ttl", "ready.main.a"));
}

/* ---- the log stream ------------------------------------------------------ */

static uint64_t clock_of(void *ctx) { return *(uint64_t *)ctx; }

static void print_rec(void *ctx, const pg_logrec *r) {
  pg_logrec_print(ctx, r);
}

static void test_log_lines_merge_across_nodes(void) {
  node a, b;
  ASSERT_EQ(node_open(&a, "logs", "a"), 0);
  ASSERT_EQ(node_open(&b, "logs", "b"), 0);
  uint64_t ta = 1000000000ull, tb = 1000000000ull;
  pg_log_options oa = {.out = fopen("/dev/null", "w"), .clock_ns = clock_of,
                       .clock_ctx = &ta};
  pg_log_options ob = {.out = fopen("/dev/null", "w"), .clock_ns = clock_of,
                       .clock_ctx = &tb};
  pg_log *la = NULL, *lb = NULL;
  ASSERT_EQ(pg_log_new(&la, &oa), 0);
  ASSERT_EQ(pg_log_new(&lb, &ob), 0);
  ASSERT_EQ(pg_log_set_sink(la, "a", pg_cluster_log_sink, a.cl), 0);
  ASSERT_EQ(pg_log_set_sink(lb, "b", pg_cluster_log_sink, b.cl), 0);
  /* b's lines reach the server first but a's are older in time. */
  tb += 2000000;
  pg_log_emit(lb, PG_LOG_INFO, "cart", 0, "b two", NULL, 0);
  tb += 2000000;
  pg_log_emit(lb, PG_LOG_WARN, "parigot", -1, "b four", NULL, 0);
  ta += 1000000;
  pg_log_emit(la, PG_LOG_INFO, "main", 0, "a one", NULL, 0);
  ta += 2000000;
  pg_log_emit(la, PG_LOG_INFO, "main", 0, "a three", NULL, 0);
  pg_log_free(la);
  pg_log_free(lb);
  fclose(oa.out);
  fclose(ob.out);
  node_close(&a); /* flushes */
  node_close(&b);

  natsConnection *nc = NULL;
  ASSERT_EQ(natsConnection_ConnectTo(&nc, server.url), NATS_OK);
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&out, &len);
  pg_log_options lo = {.out = f};
  pg_log *log = NULL;
  ASSERT_EQ(pg_log_new(&log, &lo), 0);
  pg_cluster_logs_options o = {.emit = print_rec, .ctx = log};
  char err[256] = "";
  int rc = pg_cluster_logs(nc, "logs", &o, err, sizeof err);
  pg_log_free(log);
  fclose(f);
  ASSERT_EQ(rc, 0);
  ASSERT_STR_EQ(out, "1970-01-01T00:00:01.001Z INFO  a/main[0] a one\n"
                     "1970-01-01T00:00:01.002Z INFO  b/cart[0] b two\n"
                     "1970-01-01T00:00:01.003Z INFO  a/main[0] a three\n"
                     "1970-01-01T00:00:01.004Z WARN  b/parigot b four\n");
  free(out);
  /* An app no node has run: a clear error. */
  rc = pg_cluster_logs(nc, "nosuch", &o, err, sizeof err);
  ASSERT_EQ(rc, -1);
  ASSERT_STR_EQ(err, "app nosuch has no log stream PARIGOT_LOG_nosuch yet: "
                     "no node has run with this NATS");
  natsConnection_Destroy(nc);
}

int main(void) {
  if (test_nats_start(&server, NULL) != 0) {
    fprintf(stderr, "cannot start nats-server\n");
    return 1;
  }
  PG_RUN(test_late_node_joins_and_both_agree);
  PG_RUN(test_cycle_split_across_nodes);
  PG_RUN(test_keys_live_while_their_node_lives);
  PG_RUN(test_log_lines_merge_across_nodes);
  test_nats_stop(&server);
  nats_Close();
  return PG_DONE();
}
