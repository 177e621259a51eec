/*
 * test_cluster_view.c: the parts of startup across nodes and of the
 * unified deployment log that need no NATS server: the JSON reader/writer
 * (src/kernel/json.c), the declaration codec and the bucket view
 * (cluster_view.c: completeness, "waiting for" lines, merged declarations
 * giving the same graph whatever order keys arrive in, readiness, late
 * changes), the log sink and remote lines (log.c) and the time-ordered
 * merge (logmerge.c).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/cluster.h"
#include "kernel/graph.h"
#include "kernel/json.h"
#include "kernel/log.h"
#include "kernel/logmerge.h"
#include "pg_test.h"

/* ---- json ---------------------------------------------------------------- */

static int parses(const char *text) {
  pg_json *v = NULL;
  char err[128];
  int rc = pg_json_parse(text, strlen(text), &v, err, sizeof err);
  pg_json_free(v);
  return rc;
}

static void test_json_accepts_and_rejects(void) {
  ASSERT_EQ(parses("{\"a\":[1,-2.5e3,true,false,null,\"x\"],\"b\":{}}"), 0);
  ASSERT_EQ(parses("  []  "), 0);
  ASSERT_EQ(parses(""), -1);
  ASSERT_EQ(parses("{\"a\":1,}"), -1);
  ASSERT_EQ(parses("[1 2]"), -1);
  ASSERT_EQ(parses("\"\\ud800\""), -1); /* lone surrogate */
  ASSERT_EQ(parses("\"a\x01\""), -1);   /* raw control character */
  ASSERT_EQ(parses("\"\xc3\x28\""), -1); /* invalid UTF-8 */
  ASSERT_EQ(parses("01"), -1);
  ASSERT_EQ(parses("[1] x"), -1);
  ASSERT_EQ(parses("tru"), -1);
  char deep[200];
  memset(deep, '[', 40);
  memset(deep + 40, ']', 40);
  deep[80] = '\0';
  ASSERT_EQ(parses(deep), -1); /* deeper than PG_JSON_MAX_DEPTH */
  deep[20] = '\0';
  memset(deep + 10, ']', 10); /* 10 deep */
  ASSERT_EQ(parses(deep), 0);
}

static void test_json_strings_and_numbers(void) {
  const char *text = "{\"s\":\"a\\u0000b\\n\\ud83d\\ude00\",\"n\":"
                     "18446744073709551615,\"big\":18446744073709551616,"
                     "\"neg\":-7,\"f\":1.5}";
  pg_json *v = NULL;
  char err[128] = "";
  ASSERT_EQ(pg_json_parse(text, strlen(text), &v, err, sizeof err), 0);
  const pg_json *s = pg_json_get(v, "s");
  ASSERT_TRUE(s && s->type == PG_JSON_STRING);
  ASSERT_EQ(s->len, 8);
  ASSERT_TRUE(memcmp(s->str, "a\0b\n\xf0\x9f\x98\x80", 8) == 0);
  uint64_t n = 0;
  int32_t i = 0;
  ASSERT_EQ(pg_json_u64(pg_json_get(v, "n"), &n), 0);
  ASSERT_U64_EQ(n, UINT64_MAX);
  ASSERT_EQ(pg_json_u64(pg_json_get(v, "big"), &n), -1);
  ASSERT_EQ(pg_json_u64(pg_json_get(v, "neg"), &n), -1);
  ASSERT_EQ(pg_json_i32(pg_json_get(v, "neg"), &i), 0);
  ASSERT_EQ(i, -7);
  ASSERT_EQ(pg_json_u64(pg_json_get(v, "f"), &n), -1);
  ASSERT_TRUE(pg_json_get(v, "absent") == NULL);
  pg_json_free(v);
}

static void test_json_writer_round_trip(void) {
  pg_jsonw w = {0};
  pg_jsonw_raw(&w, "[");
  pg_jsonw_str(&w, "q\"\\\n\x01\xff", 6);
  pg_jsonw_raw(&w, "]");
  size_t len = 0;
  char *text = pg_jsonw_take(&w, &len);
  ASSERT_STR_EQ(text, "[\"q\\\"\\\\\\n\\u0001\xef\xbf\xbd\"]");
  pg_json *v = NULL;
  ASSERT_EQ(pg_json_parse(text, len, &v, NULL, 0), 0);
  ASSERT_EQ(v->items[0].len, 8);
  pg_json_free(v);
  free(text);
}

/* ---- declarations -------------------------------------------------------- */

static void test_decl_round_trip(void) {
  char *req[] = {"shop.v1.Inventory", "log.v1.LogService"};
  char *exp[] = {"shop.v1.Cart"};
  pg_cluster_decl d = {.program = "cart", .node = "b", .requires = req,
                       .nrequires = 2, .exports = exp, .nexports = 1};
  char *text = NULL;
  size_t len = 0;
  ASSERT_EQ(pg_cluster_decl_encode(&d, &text, &len), 0);
  ASSERT_STR_EQ(text, "{\"v\":1,\"program\":\"cart\",\"node\":\"b\","
                      "\"requires\":[\"shop.v1.Inventory\","
                      "\"log.v1.LogService\"],\"exports\":[\"shop.v1.Cart\"],"
                      "\"died\":null}");
  pg_cluster_decl back;
  char err[128] = "";
  ASSERT_EQ(pg_cluster_decl_decode(text, len, &back, err, sizeof err), 0);
  ASSERT_STR_EQ(back.program, "cart");
  ASSERT_STR_EQ(back.node, "b");
  ASSERT_EQ(back.nrequires, 2);
  ASSERT_STR_EQ(back.requires[1], "log.v1.LogService");
  ASSERT_EQ(back.nexports, 1);
  ASSERT_TRUE(back.died == NULL);
  pg_cluster_decl_clear(&back);
  free(text);
}

static void test_decl_rejects_bad_values(void) {
  static const char *const bad[] = {
      "[]", "{\"v\":2,\"program\":\"a\",\"node\":\"b\",\"requires\":[],"
            "\"exports\":[]}",
      "{\"v\":1,\"node\":\"b\",\"requires\":[],\"exports\":[]}",
      "{\"v\":1,\"program\":\"a\",\"node\":\"b\",\"requires\":[1],"
      "\"exports\":[]}",
      "{\"v\":1,\"program\":\"a\\u0000\",\"node\":\"b\",\"requires\":[],"
      "\"exports\":[]}",
      "{\"v\":1,\"program\":\"a\",\"node\":\"b\",\"requires\":[],"
      "\"exports\":[],\"died\":3}",
      "{\"v\":1,"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    pg_cluster_decl d;
    char err[128] = "";
    if (pg_cluster_decl_decode(bad[i], strlen(bad[i]), &d, err, sizeof err) !=
        -1)
      PG_FAIL_("accepted bad declaration %zu: %s", i, bad[i]);
    ASSERT_TRUE(err[0] != '\0');
  }
}

static void test_names(void) {
  char buf[64];
  pg_cluster_bucket_name("my.shop v2", buf, sizeof buf);
  ASSERT_STR_EQ(buf, "parigot_my_shop_v2");
  pg_cluster_key("decl", "cart", "b", buf, sizeof buf);
  ASSERT_STR_EQ(buf, "decl.cart.b");
}

/* ---- the view ------------------------------------------------------------ */

/* The shop-like app of these tests: main -> cart -> inventory, main ->
 * pricing; on nodes a (main), b (cart, inventory), c (pricing) and pricing
 * also on b. */
static const char *const programs[] = {"main", "cart", "inventory",
                                       "pricing"};
static const char *const node_names[] = {"a", "b", "c"};
static const size_t on_a[] = {0}, on_b[] = {1, 2, 3}, on_c[] = {3};
static const size_t *const node_programs[] = {on_a, on_b, on_c};
static const size_t node_nprograms[] = {1, 3, 1};
static const pg_cluster_placement placement = {node_names, 3, node_programs,
                                               node_nprograms};

static char *decl_json(const char *program, const char *node,
                       const char *req, const char *exp, const char *died) {
  char *r[1] = {(char *)req}, *e[1] = {(char *)exp};
  pg_cluster_decl d = {.program = (char *)program, .node = (char *)node,
                       .requires = r, .nrequires = req ? 1 : 0,
                       .exports = e, .nexports = exp ? 1 : 0,
                       .died = (char *)died};
  char *text = NULL;
  size_t len;
  pg_cluster_decl_encode(&d, &text, &len);
  return text;
}

typedef struct decl_case {
  const char *program, *node, *req, *exp;
} decl_case;

static const decl_case shop[] = {
    {"main", "a", "shop.v1.Cart", NULL},
    {"cart", "b", "shop.v1.Inventory", "shop.v1.Cart"},
    {"inventory", "b", "log.v1.LogService", "shop.v1.Inventory"},
    {"pricing", "b", NULL, "shop.v1.Pricing"},
    {"pricing", "c", NULL, "shop.v1.Pricing"}};

static pg_cluster_change apply_case(pg_cluster_view *v, const decl_case *c) {
  char key[128], err[256];
  pg_cluster_key("decl", c->program, c->node, key, sizeof key);
  char *text = decl_json(c->program, c->node, c->req, c->exp, NULL);
  pg_cluster_change ch =
      pg_cluster_view_apply(v, key, text, strlen(text), false, err, sizeof err);
  free(text);
  return ch;
}

static void collect_line(void *ctx, const char *text) {
  char *buf = ctx;
  strcat(buf, text);
  strcat(buf, "\n");
}

static void test_view_waits_then_completes(void) {
  pg_cluster_view v;
  ASSERT_EQ(pg_cluster_view_init(&v, programs, 4, &placement), 0);
  ASSERT_EQ(v.nslots, 5);
  char lines[1024] = "";
  ASSERT_EQ(pg_cluster_view_missing(&v, collect_line, lines), 3);
  ASSERT_STR_EQ(lines, "waiting for declarations from node a: main\n"
                       "waiting for declarations from node b: cart, "
                       "inventory, pricing\n"
                       "waiting for declarations from node c: pricing\n");
  ASSERT_EQ(apply_case(&v, &shop[0]), PG_CLUSTER_CHANGED);
  ASSERT_EQ(apply_case(&v, &shop[0]), PG_CLUSTER_UNCHANGED);
  ASSERT_EQ(apply_case(&v, &shop[1]), PG_CLUSTER_CHANGED);
  ASSERT_EQ(apply_case(&v, &shop[4]), PG_CLUSTER_CHANGED);
  lines[0] = '\0';
  ASSERT_EQ(pg_cluster_view_missing(&v, collect_line, lines), 1);
  ASSERT_STR_EQ(lines, "waiting for declarations from node b: inventory, "
                       "pricing\n");
  ASSERT_TRUE(!pg_cluster_view_complete(&v));
  ASSERT_EQ(apply_case(&v, &shop[2]), PG_CLUSTER_CHANGED);
  ASSERT_EQ(apply_case(&v, &shop[3]), PG_CLUSTER_CHANGED);
  ASSERT_TRUE(pg_cluster_view_complete(&v));
  ASSERT_EQ(pg_cluster_view_missing(&v, NULL, NULL), 0);
  /* A delete before the graph is built forgets the declaration. */
  ASSERT_EQ(pg_cluster_view_apply(&v, "decl.pricing.c", NULL, 0, true, NULL,
                                  0),
            PG_CLUSTER_CHANGED);
  ASSERT_TRUE(!pg_cluster_view_complete(&v));
  pg_cluster_view_free(&v);
}

/* Builds the graph from a view fed in the order perm[] and returns its
 * order as "a,b,c" (malloc'd) — or its problems joined by '\n'. */
static char *graph_after(const size_t *perm, size_t n,
                         const decl_case *cases) {
  pg_cluster_view v;
  pg_graph g = {0};
  pg_graph_node nodes[4];
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&out, &len);
  static const char *const builtins[] = {"log.v1.LogService"};
  if (pg_cluster_view_init(&v, programs, 4, &placement) != 0) goto done;
  for (size_t i = 0; i < n; i++) apply_case(&v, &cases[perm[i]]);
  if (!pg_cluster_view_complete(&v)) goto done;
  if (pg_cluster_view_graph_nodes(&v, nodes) != 0) goto done;
  if (pg_graph_build(nodes, 4, builtins, 1, &g) != 0) goto done;
  for (size_t i = 0; i < g.nproblems; i++) fprintf(f, "%s\n", g.problems[i]);
  for (size_t i = 0; !g.nproblems && i < g.nnodes; i++)
    fprintf(f, "%s%s", i ? "," : "", nodes[g.order[i]].name);
done:
  fclose(f);
  pg_graph_free(&g);
  pg_cluster_view_free(&v);
  return out;
}

static void test_view_same_graph_in_any_order(void) {
  static const size_t orders[][5] = {
      {0, 1, 2, 3, 4}, {4, 3, 2, 1, 0}, {2, 0, 4, 1, 3}, {3, 1, 4, 0, 2}};
  for (size_t i = 0; i < 4; i++) {
    char *order = graph_after(orders[i], 5, shop);
    ASSERT_STR_EQ(order, "inventory,cart,main,pricing");
    free(order);
  }
}

static void test_view_cycle_across_nodes_same_as_one_process(void) {
  /* inventory (on b) now requires the cart (on b) and main (on a) exports
   * the inventory too: a cycle and a duplicate across nodes. */
  static const decl_case bad[] = {
      {"main", "a", "shop.v1.Cart", "shop.v1.Main"},
      {"cart", "b", "shop.v1.Inventory", "shop.v1.Cart"},
      {"inventory", "b", "shop.v1.Cart", "shop.v1.Inventory"},
      {"pricing", "b", NULL, "shop.v1.Pricing"},
      {"pricing", "c", NULL, "shop.v1.Pricing"}};
  static const size_t fwd[] = {0, 1, 2, 3, 4}, back[] = {4, 3, 2, 1, 0};
  char *x = graph_after(fwd, 5, bad), *y = graph_after(back, 5, bad);
  ASSERT_STR_EQ(x, y);
  /* The one-process graph of the same declarations. */
  const char *r0[] = {"shop.v1.Cart"}, *e0[] = {"shop.v1.Main"};
  const char *r1[] = {"shop.v1.Inventory"}, *e1[] = {"shop.v1.Cart"};
  const char *r2[] = {"shop.v1.Cart"}, *e2[] = {"shop.v1.Inventory"};
  const char *e3[] = {"shop.v1.Pricing"};
  pg_graph_node nodes[] = {
      {.name = "main", .requires = r0, .nrequires = 1, .exports = e0,
       .nexports = 1},
      {.name = "cart", .requires = r1, .nrequires = 1, .exports = e1,
       .nexports = 1},
      {.name = "inventory", .requires = r2, .nrequires = 1, .exports = e2,
       .nexports = 1},
      {.name = "pricing", .exports = e3, .nexports = 1}};
  pg_graph g = {0};
  ASSERT_EQ(pg_graph_build(nodes, 4, NULL, 0, &g), 0);
  ASSERT_EQ(g.nproblems, 1);
  char want[512];
  snprintf(want, sizeof want, "%s\n", g.problems[0]);
  ASSERT_STR_EQ(x, want);
  ASSERT_STR_CONTAINS(x, "cycle: cart → inventory → cart");
  pg_graph_free(&g);
  free(x);
  free(y);
}

static void test_view_died_on_one_node(void) {
  pg_cluster_view v;
  ASSERT_EQ(pg_cluster_view_init(&v, programs, 4, &placement), 0);
  for (size_t i = 0; i < 4; i++) apply_case(&v, &shop[i]);
  char *text = decl_json("pricing", "c", NULL, NULL, "exited with code 3");
  ASSERT_EQ(pg_cluster_view_apply(&v, "decl.pricing.c", text, strlen(text),
                                  false, NULL, 0),
            PG_CLUSTER_CHANGED);
  free(text);
  pg_graph_node nodes[4];
  ASSERT_EQ(pg_cluster_view_graph_nodes(&v, nodes), 0);
  ASSERT_TRUE(nodes[3].died_before_run);
  ASSERT_STR_EQ(nodes[3].death_reason, "exited with code 3");
  ASSERT_EQ(nodes[3].nexports, 1); /* the union over b and c */
  ASSERT_TRUE(!nodes[1].died_before_run);
  pg_cluster_view_free(&v);
}

static void test_view_ready_late_change_and_junk(void) {
  pg_cluster_view v;
  ASSERT_EQ(pg_cluster_view_init(&v, programs, 4, &placement), 0);
  for (size_t i = 0; i < 5; i++) apply_case(&v, &shop[i]);
  v.frozen = true;
  ASSERT_TRUE(!pg_cluster_view_ready_somewhere(&v, 3));
  ASSERT_EQ(pg_cluster_view_apply(&v, "ready.pricing.c", "{}", 2, false,
                                  NULL, 0),
            PG_CLUSTER_CHANGED);
  ASSERT_TRUE(pg_cluster_view_ready_somewhere(&v, 3));
  ASSERT_TRUE(!pg_cluster_view_ready_somewhere(&v, 1));
  ASSERT_EQ(pg_cluster_view_apply(&v, "ready.pricing.c", NULL, 0, true, NULL,
                                  0),
            PG_CLUSTER_CHANGED);
  ASSERT_TRUE(!pg_cluster_view_ready_somewhere(&v, 3));
  /* Same declaration again: fine. Another one: reported, not adopted. */
  ASSERT_EQ(apply_case(&v, &shop[1]), PG_CLUSTER_UNCHANGED);
  decl_case changed = {"cart", "b", "shop.v1.Pricing", "shop.v1.Cart"};
  char err[256] = "";
  char *text = decl_json("cart", "b", changed.req, changed.exp, NULL);
  ASSERT_EQ(pg_cluster_view_apply(&v, "decl.cart.b", text, strlen(text),
                                  false, err, sizeof err),
            PG_CLUSTER_LATE_CHANGE);
  ASSERT_STR_CONTAINS(err, "program cart on node b declared something else");
  free(text);
  /* A value naming another program than its key, junk, unknown keys. */
  text = decl_json("main", "a", NULL, NULL, NULL);
  ASSERT_EQ(pg_cluster_view_apply(&v, "decl.cart.b", text, strlen(text),
                                  false, err, sizeof err),
            PG_CLUSTER_BAD);
  ASSERT_STR_EQ(err, "declares program 'main' on node 'a'");
  free(text);
  ASSERT_EQ(pg_cluster_view_apply(&v, "decl.cart.b", "{{", 2, false, err,
                                  sizeof err),
            PG_CLUSTER_BAD);
  ASSERT_EQ(pg_cluster_view_apply(&v, "decl.cart.z", "{}", 2, false, err,
                                  sizeof err),
            PG_CLUSTER_IGNORED);
  ASSERT_EQ(pg_cluster_view_apply(&v, "other", "{}", 2, false, err,
                                  sizeof err),
            PG_CLUSTER_IGNORED);
  pg_cluster_view_free(&v);
}

/* ---- the log across nodes ------------------------------------------------ */

typedef struct captured {
  char lines[8][512];
  size_t n;
} captured;

static void capture(void *ctx, const char *json, size_t len) {
  captured *c = ctx;
  if (c->n < 8 && len < 512) {
    memcpy(c->lines[c->n], json, len);
    c->lines[c->n++][len] = '\0';
  }
}

static uint64_t fixed_clock(void *ctx) { return *(uint64_t *)ctx; }

static void test_log_sink_publishes_json(void) {
  char *out = NULL;
  size_t outlen = 0;
  FILE *f = open_memstream(&out, &outlen);
  uint64_t now = 1795984868123456789ull;
  pg_log_options lo = {.out = f, .format = PG_LOG_TEXT,
                       .min_level = PG_LOG_INFO, .clock_ns = fixed_clock,
                       .clock_ctx = &now};
  pg_log *log = NULL;
  ASSERT_EQ(pg_log_new(&log, &lo), 0);
  captured c = {0};
  ASSERT_EQ(pg_log_set_sink(log, "b", capture, &c), 0);
  pg_log_field fld = {"key", "a b"};
  pg_log_emit(log, PG_LOG_INFO, "cart", 0, "saved", &fld, 1);
  pg_log_emit(log, PG_LOG_DEBUG, "cart", 0, "dropped", NULL, 0);
  now += 1000;
  pg_log_emit(log, PG_LOG_WARN, "parigot", -1, "x\ny", NULL, 0);
  pg_log_free(log);
  fclose(f);
  ASSERT_EQ(c.n, 2);
  ASSERT_STR_EQ(c.lines[0],
                "{\"time\":\"2026-11-29T20:41:08.123Z\",\"ns\":"
                "1795984868123456789,\"node\":\"b\",\"seq\":0,\"level\":"
                "\"info\",\"program\":\"cart\",\"replica\":0,\"msg\":"
                "\"saved\",\"fields\":{\"key\":\"a b\"}}");
  ASSERT_STR_CONTAINS(c.lines[1], "\"seq\":1,\"level\":\"warn\","
                                  "\"program\":\"parigot\",\"msg\":\"x\\ny\"}");
  /* The local text log is unchanged by the sink. */
  ASSERT_STR_EQ(out, "2026-11-29T20:41:08.123Z INFO  cart[0] saved "
                     "key=\"a b\"\n"
                     "2026-11-29T20:41:08.123Z WARN  parigot x\\ny\n");
  free(out);
}

static pg_logrec rec(const char *json) {
  pg_logrec r = {0};
  char err[128] = "";
  if (pg_logrec_parse(json, strlen(json), &r, err, sizeof err) != 0)
    fprintf(stderr, "  parse failed: %s: %s\n", err, json);
  return r;
}

static void print_to(void *ctx, const pg_logrec *r) {
  pg_logrec_print(ctx, r);
}

static void test_logmerge_orders_by_time_node_seq(void) {
  static const char *const in[] = {
      "{\"ns\":3000000,\"node\":\"b\",\"seq\":1,\"level\":\"info\","
      "\"program\":\"cart\",\"replica\":0,\"msg\":\"third\"}",
      "{\"ns\":1000000,\"node\":\"b\",\"seq\":0,\"level\":\"info\","
      "\"program\":\"cart\",\"replica\":0,\"msg\":\"first\"}",
      "{\"ns\":3000000,\"node\":\"a\",\"seq\":7,\"level\":\"warn\","
      "\"program\":\"parigot\",\"msg\":\"tie, node a first\","
      "\"fields\":{\"k\":\"v w\"}}",
      "{\"ns\":2000000,\"node\":\"c\",\"seq\":0,\"level\":\"error\","
      "\"program\":\"pricing\",\"replica\":1,\"msg\":\"nul\\u0000here\"}",
      "{\"ns\":9000000,\"node\":\"a\",\"seq\":8,\"level\":\"info\","
      "\"program\":\"main\",\"replica\":0,\"msg\":\"late\"}"};
  pg_logmerge m = {0};
  for (size_t i = 0; i < 5; i++) {
    pg_logrec r = rec(in[i]);
    ASSERT_TRUE(r.doc != NULL);
    ASSERT_EQ(pg_logmerge_add(&m, &r), 0);
  }
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&out, &len);
  pg_log_options lo = {.out = f, .format = PG_LOG_TEXT};
  pg_log *log = NULL;
  ASSERT_EQ(pg_log_new(&log, &lo), 0);
  /* --follow: only what is older than the window goes out. */
  ASSERT_EQ(pg_logmerge_flush(&m, 3000000, print_to, log), 4);
  ASSERT_EQ(m.n, 1);
  ASSERT_EQ(pg_logmerge_flush(&m, UINT64_MAX, print_to, log), 1);
  pg_log_free(log);
  fclose(f);
  ASSERT_STR_EQ(out,
                "1970-01-01T00:00:00.001Z INFO  b/cart[0] first\n"
                "1970-01-01T00:00:00.002Z ERROR c/pricing[1] nul\\x00here\n"
                "1970-01-01T00:00:00.003Z WARN  a/parigot tie, node a first "
                "k=\"v w\"\n"
                "1970-01-01T00:00:00.003Z INFO  b/cart[0] third\n"
                "1970-01-01T00:00:00.009Z INFO  a/main[0] late\n");
  free(out);
  pg_logmerge_free(&m);
}

static void test_logrec_json_output_and_rejects(void) {
  pg_logrec r = rec("{\"time\":\"x\",\"ns\":5000000,\"node\":\"n1\",\"seq\":"
                    "3,\"level\":\"debug\",\"program\":\"p\",\"msg\":\"m\"}");
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&out, &len);
  pg_log_options lo = {.out = f, .format = PG_LOG_JSON};
  pg_log *log = NULL;
  ASSERT_EQ(pg_log_new(&log, &lo), 0);
  pg_logrec_print(log, &r);
  pg_log_free(log);
  fclose(f);
  ASSERT_STR_EQ(out, "{\"time\":\"1970-01-01T00:00:00.005Z\",\"node\":\"n1\","
                     "\"level\":\"debug\",\"program\":\"p\",\"msg\":\"m\"}\n");
  free(out);
  pg_logrec_clear(&r);
  static const char *const bad[] = {
      "{\"node\":\"a\",\"seq\":0,\"level\":\"info\",\"program\":\"p\","
      "\"msg\":\"m\"}",
      "{\"ns\":1,\"node\":\"a\",\"seq\":0,\"level\":\"loud\",\"program\":"
      "\"p\",\"msg\":\"m\"}",
      "{\"ns\":1,\"node\":\"a\",\"seq\":0,\"level\":\"info\",\"program\":"
      "\"p\",\"msg\":\"m\",\"replica\":-2}",
      "{\"ns\":1,\"node\":\"a\",\"seq\":0,\"level\":\"info\",\"program\":"
      "\"p\",\"msg\":\"m\",\"fields\":{\"k\":1}}",
      "not json"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    pg_logrec b;
    char err[128] = "";
    if (pg_logrec_parse(bad[i], strlen(bad[i]), &b, err, sizeof err) != -1)
      PG_FAIL_("accepted bad log line %zu: %s", i, bad[i]);
  }
}

/* ---- placement in the graph printers ------------------------------------- */

static char *print_placed(bool dot) {
  static const char *const on_a_only[] = {"a"}, *const on_bc[] = {"b", "c"};
  const char *r0[] = {"x.v1.P"}, *e1[] = {"x.v1.P"};
  pg_graph_node nodes[] = {
      {.name = "main", .requires = r0, .nrequires = 1,
       .placement = on_a_only, .nplacement = 1},
      {.name = "pricing", .exports = e1, .nexports = 1, .placement = on_bc,
       .nplacement = 2}};
  pg_graph g = {0};
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&out, &len);
  if (pg_graph_build(nodes, 2, NULL, 0, &g) == 0) {
    if (dot)
      pg_graph_print_dot(&g, nodes, "shop", f);
    else
      pg_graph_print_text(&g, nodes, f);
  }
  fclose(f);
  pg_graph_free(&g);
  return out;
}

static void test_graph_shows_placement(void) {
  char *text = print_placed(false);
  ASSERT_STR_EQ(text, "programs (2):\n"
                      "  main\n"
                      "    requires  x.v1.P (from pricing)\n"
                      "    node      a\n"
                      "  pricing\n"
                      "    exports   x.v1.P\n"
                      "    nodes     b, c\n"
                      "edges (1):\n"
                      "  main → pricing  x.v1.P\n"
                      "startup order:\n"
                      "  1. pricing\n"
                      "  2. main\n");
  free(text);
  char *dot = print_placed(true);
  ASSERT_STR_CONTAINS(dot, "  subgraph cluster_0 {\n    label=\"node a\";\n"
                           "    style=dashed;\n"
                           "    fontname=\"Helvetica\";\n"
                           "    p0 [label=\"main\\n(starts #2)\"];\n  }\n");
  ASSERT_STR_CONTAINS(dot, "  subgraph cluster_1 {\n    label=\"nodes b, "
                           "c\";\n");
  ASSERT_STR_CONTAINS(dot, "  p0 -> p1 [label=\"x.v1.P\"];\n");
  /* Graphviz accepts it, when installed. */
  if (system("command -v dot >/dev/null 2>&1") == 0) {
    FILE *p = popen("dot -Tsvg >/dev/null 2>&1", "w");
    ASSERT_TRUE(p != NULL);
    fputs(dot, p);
    ASSERT_EQ(pclose(p), 0);
  }
  free(dot);
}

int main(void) {
  PG_RUN(test_json_accepts_and_rejects);
  PG_RUN(test_json_strings_and_numbers);
  PG_RUN(test_json_writer_round_trip);
  PG_RUN(test_decl_round_trip);
  PG_RUN(test_decl_rejects_bad_values);
  PG_RUN(test_names);
  PG_RUN(test_view_waits_then_completes);
  PG_RUN(test_view_same_graph_in_any_order);
  PG_RUN(test_view_cycle_across_nodes_same_as_one_process);
  PG_RUN(test_view_died_on_one_node);
  PG_RUN(test_view_ready_late_change_and_junk);
  PG_RUN(test_log_sink_publishes_json);
  PG_RUN(test_logmerge_orders_by_time_node_seq);
  PG_RUN(test_logrec_json_output_and_rejects);
  PG_RUN(test_graph_shows_placement);
  return PG_DONE();
}
