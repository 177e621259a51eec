/*
 * test_graph.c: unit tests of pg_graph_build and friends (graph.c): the
 * deterministic startup order, every problem (missing, duplicate, cycles,
 * died) with its exact text and in its stable order, the closure behind
 * --only, and both printers.
 */
#define _GNU_SOURCE /* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/graph.h"
#include "pg_test.h"

#define NAMES_(...) ((const char *const[]){__VA_ARGS__})
#define COUNT_(...) (sizeof NAMES_(__VA_ARGS__) / sizeof(const char *))
#define REQ(...) .requires = NAMES_(__VA_ARGS__), .nrequires = COUNT_(__VA_ARGS__)
#define EXP(...) .exports = NAMES_(__VA_ARGS__), .nexports = COUNT_(__VA_ARGS__)
#define NNODES(a) (sizeof(a) / sizeof((a)[0]))

static const char *const builtins[] = {"log.v1.LogService",
                                       "file.v1.FileService"};

static int build(const pg_graph_node *nodes, size_t n, pg_graph *g) {
  return pg_graph_build(nodes, n, builtins, 2, g);
}

/* The order as "a b c" (static buffer). */
static const char *order_text(const pg_graph *g, const pg_graph_node *nodes) {
  static char buf[1024];
  buf[0] = '\0';
  for (size_t i = 0; i < g->nnodes; i++) {
    if (i) strcat(buf, " ");
    strcat(buf, nodes[g->order[i]].name);
  }
  return buf;
}

/* The edges as "a>b:svc a>c:svc" (static buffer). */
static const char *edges_text(const pg_graph *g, const pg_graph_node *nodes) {
  static char buf[2048];
  buf[0] = '\0';
  for (size_t i = 0; i < g->nedges; i++) {
    size_t len = strlen(buf);
    snprintf(buf + len, sizeof buf - len, "%s%s>%s:%s", i ? " " : "",
             nodes[g->edges[i].from].name, nodes[g->edges[i].to].name,
             g->edges[i].service);
  }
  return buf;
}

static void test_chain(void) {
  pg_graph_node nodes[] = {
      {.name = "web", REQ("x.v1.Cart", "log.v1.LogService")},
      {.name = "stock", EXP("x.v1.Stock"), REQ("file.v1.FileService")},
      {.name = "cart", EXP("x.v1.Cart"), REQ("x.v1.Stock")},
  };
  pg_graph g;
  ASSERT_EQ(build(nodes, 3, &g), 0);
  ASSERT_EQ(g.nproblems, 0);
  ASSERT_EQ(g.nnodes, 3);
  ASSERT_STR_EQ(order_text(&g, nodes), "stock cart web");
  ASSERT_STR_EQ(edges_text(&g, nodes), "cart>stock:x.v1.Stock web>cart:x.v1.Cart");
  pg_graph_free(&g);
}

static void test_diamond(void) {
  pg_graph_node nodes[] = {
      {.name = "top", REQ("x.C", "x.B")},
      {.name = "c", EXP("x.C"), REQ("x.D")},
      {.name = "b", EXP("x.B"), REQ("x.D")},
      {.name = "d", EXP("x.D")},
  };
  pg_graph g;
  ASSERT_EQ(build(nodes, 4, &g), 0);
  ASSERT_EQ(g.nproblems, 0);
  ASSERT_STR_EQ(order_text(&g, nodes), "d b c top");
  ASSERT_STR_EQ(edges_text(&g, nodes), "b>d:x.D c>d:x.D top>b:x.B top>c:x.C");
  pg_graph_free(&g);
}

/* Among the programs ready at each step the first by name goes, whatever
 * the file order. */
static void test_ties_by_name(void) {
  pg_graph_node nodes[] = {
      {.name = "zeta"},
      {.name = "mid", REQ("x.Z")},
      {.name = "alpha"},
      {.name = "zz", EXP("x.Z")},
      {.name = "beta"},
  };
  pg_graph g;
  ASSERT_EQ(build(nodes, 5, &g), 0);
  ASSERT_EQ(g.nproblems, 0);
  /* ready at first: alpha beta zeta zz; mid becomes ready after zz. */
  ASSERT_STR_EQ(order_text(&g, nodes), "alpha beta zeta zz mid");
  pg_graph_free(&g);
}

static void test_duplicate_requires_make_one_edge(void) {
  pg_graph_node nodes[] = {
      {.name = "a", REQ("x.B", "x.B", "log.v1.LogService")},
      {.name = "b", EXP("x.B", "x.B")},
  };
  pg_graph g;
  ASSERT_EQ(build(nodes, 2, &g), 0);
  ASSERT_EQ(g.nproblems, 0);
  ASSERT_STR_EQ(edges_text(&g, nodes), "a>b:x.B");
  ASSERT_STR_EQ(order_text(&g, nodes), "b a");
  pg_graph_free(&g);
}

static void test_empty(void) {
  pg_graph g;
  ASSERT_EQ(pg_graph_build(NULL, 0, NULL, 0, &g), 0);
  ASSERT_EQ(g.nnodes, 0);
  ASSERT_EQ(g.nproblems, 0);
  ASSERT_EQ(g.nedges, 0);
  pg_graph_free(&g);
  pg_graph_free(NULL);
}

static void test_self_cycle(void) {
  pg_graph_node nodes[] = {
      {.name = "a", EXP("x.A"), REQ("x.A")},
      {.name = "b"},
  };
  pg_graph g;
  ASSERT_EQ(build(nodes, 2, &g), 0);
  ASSERT_EQ(g.nproblems, 1);
  ASSERT_STR_EQ(g.problems[0], "cycle: a → a (a requires x.A from a)");
  pg_graph_free(&g);
}

static void test_three_cycle(void) {
  pg_graph_node nodes[] = {
      {.name = "c", EXP("x.v1.C"), REQ("x.v1.A")},
      {.name = "b", EXP("x.v1.B"), REQ("x.v1.C")},
      {.name = "a", EXP("x.v1.A"), REQ("x.v1.B")},
  };
  pg_graph g;
  ASSERT_EQ(build(nodes, 3, &g), 0);
  ASSERT_EQ(g.nproblems, 1);
  ASSERT_STR_EQ(g.problems[0],
                "cycle: a → b → c → a (a requires x.v1.B from b, b requires "
                "x.v1.C from c, c requires x.v1.A from a)");
  pg_graph_free(&g);
}

static void test_two_disjoint_cycles(void) {
  pg_graph_node nodes[] = {
      {.name = "q", EXP("x.Q"), REQ("x.P")},
      {.name = "p", EXP("x.P"), REQ("x.Q")},
      {.name = "ok", REQ("x.P")},
      {.name = "c", EXP("x.C"), REQ("x.E")},
      {.name = "e", EXP("x.E"), REQ("x.D")},
      {.name = "d", EXP("x.D"), REQ("x.C")},
  };
  pg_graph g;
  ASSERT_EQ(build(nodes, 6, &g), 0);
  ASSERT_EQ(g.nproblems, 2);
  ASSERT_STR_EQ(g.problems[0],
                "cycle: c → e → d → c (c requires x.E from e, e requires x.D "
                "from d, d requires x.C from c)");
  ASSERT_STR_EQ(g.problems[1],
                "cycle: p → q → p (p requires x.Q from q, q requires x.P "
                "from p)");
  pg_graph_free(&g);
}

/* Cycles that share nodes are each listed once, rooted at their first
 * program by name. */
static void test_overlapping_cycles(void) {
  pg_graph_node nodes[] = {
      {.name = "a", EXP("x.A"), REQ("x.B")},
      {.name = "b", EXP("x.B"), REQ("x.A", "x.C")},
      {.name = "c", EXP("x.C"), REQ("x.A", "x.B")},
  };
  pg_graph g;
  ASSERT_EQ(build(nodes, 3, &g), 0);
  ASSERT_EQ(g.nproblems, 3);
  ASSERT_STR_EQ(g.problems[0],
                "cycle: a → b → a (a requires x.B from b, b requires x.A "
                "from a)");
  ASSERT_STR_EQ(g.problems[1],
                "cycle: a → b → c → a (a requires x.B from b, b requires x.C "
                "from c, c requires x.A from a)");
  ASSERT_STR_EQ(g.problems[2],
                "cycle: b → c → b (b requires x.C from c, c requires x.B "
                "from b)");
  pg_graph_free(&g);
}

static void test_several_services_on_one_edge(void) {
  pg_graph_node nodes[] = {
      {.name = "a", EXP("x.A"), REQ("x.B2", "x.B1", "x.B3")},
      {.name = "b", EXP("x.B1", "x.B2", "x.B3"), REQ("x.A")},
  };
  pg_graph g;
  ASSERT_EQ(build(nodes, 2, &g), 0);
  ASSERT_EQ(g.nproblems, 1);
  ASSERT_STR_EQ(g.problems[0],
                "cycle: a → b → a (a requires x.B1, x.B2 and x.B3 from b, b "
                "requires x.A from a)");
  pg_graph_free(&g);
}

static void test_cycle_plus_missing(void) {
  pg_graph_node nodes[] = {
      {.name = "b", EXP("x.B"), REQ("x.A")},
      {.name = "a", EXP("x.A"), REQ("x.B", "x.v1.Nope")},
      {.name = "web", REQ("x.v1.Cart")},
  };
  pg_graph g;
  ASSERT_EQ(build(nodes, 3, &g), 0);
  ASSERT_EQ(g.nproblems, 3);
  ASSERT_STR_EQ(g.problems[0],
                "program 'a' requires service 'x.v1.Nope', which no program "
                "exports");
  ASSERT_STR_EQ(g.problems[1],
                "program 'web' requires service 'x.v1.Cart', which no program "
                "exports");
  ASSERT_STR_EQ(g.problems[2],
                "cycle: a → b → a (a requires x.B from b, b requires x.A from "
                "a)");
  pg_graph_free(&g);
}

static void test_duplicates(void) {
  pg_graph_node nodes[] = {
      {.name = "cart2", EXP("x.v1.Cart")},
      {.name = "cart", EXP("x.v1.Cart", "x.v1.Other")},
      {.name = "o3", EXP("x.v1.Other")},
      {.name = "o2", EXP("x.v1.Other")},
      {.name = "sneaky", EXP("log.v1.LogService")},
      {.name = "user", REQ("x.v1.Cart")},
  };
  pg_graph g;
  ASSERT_EQ(build(nodes, 6, &g), 0);
  ASSERT_EQ(g.nproblems, 3);
  ASSERT_STR_EQ(g.problems[0],
                "program 'sneaky' exports service 'log.v1.LogService', which "
                "is built into parigot");
  ASSERT_STR_EQ(g.problems[1],
                "service 'x.v1.Cart' is exported by both 'cart' and 'cart2'");
  ASSERT_STR_EQ(g.problems[2],
                "service 'x.v1.Other' is exported by 'cart', 'o2' and 'o3'");
  pg_graph_free(&g);
}

static void test_died_before_run(void) {
  pg_graph_node nodes[] = {
      {.name = "z", .died_before_run = true,
       .death_reason = "trapped: unreachable"},
      {.name = "x", .died_before_run = true,
       .death_reason = "exited with code 3"},
      {.name = "y", .died_before_run = true},
  };
  pg_graph g;
  ASSERT_EQ(build(nodes, 3, &g), 0);
  ASSERT_EQ(g.nproblems, 3);
  ASSERT_STR_EQ(g.problems[0], "program 'x' exited with code 3 before run()");
  ASSERT_STR_EQ(g.problems[1], "program 'y' stopped before run()");
  ASSERT_STR_EQ(g.problems[2], "program 'z' trapped: unreachable before run()");
  pg_graph_free(&g);
}

/* Every kind at once: missing, duplicate, cycle, died, in that order. */
static void test_all_problems_in_stable_order(void) {
  pg_graph_node nodes[] = {
      {.name = "dead", .died_before_run = true,
       .death_reason = "exited with code 1"},
      {.name = "b", EXP("x.B"), REQ("x.A")},
      {.name = "a", EXP("x.A"), REQ("x.B")},
      {.name = "d1", EXP("x.D")},
      {.name = "d2", EXP("x.D")},
      {.name = "m", REQ("x.Gone\n\x1b[31m")},
  };
  pg_graph g;
  for (int run = 0; run < 2; run++) {
    ASSERT_EQ(build(nodes, 6, &g), 0);
    ASSERT_EQ(g.nproblems, 4);
    ASSERT_STR_EQ(g.problems[0],
                  "program 'm' requires service 'x.Gone\\x0a\\x1b[31m', which "
                  "no program exports");
    ASSERT_STR_EQ(g.problems[1],
                  "service 'x.D' is exported by both 'd1' and 'd2'");
    ASSERT_STR_EQ(g.problems[2],
                  "cycle: a → b → a (a requires x.B from b, b requires x.A "
                  "from a)");
    ASSERT_STR_EQ(g.problems[3], "program 'dead' exited with code 1 before run()");
    pg_graph_free(&g);
  }
}

/* A complete graph of 5 programs has 84 elementary cycles: 20 printed. */
static void test_cycle_cap(void) {
  static const char *names[] = {"n0", "n1", "n2", "n3", "n4", "n5",
                                "n6", "n7", "n8"};
  static const char *svcs[] = {"s.0", "s.1", "s.2", "s.3", "s.4", "s.5",
                               "s.6", "s.7", "s.8"};
  pg_graph_node nodes[9];
  const char *req[9][8];
  for (size_t n = 5; n <= 9; n += 4) {
    for (size_t i = 0; i < n; i++) {
      size_t k = 0;
      for (size_t j = 0; j < n; j++)
        if (j != i) req[i][k++] = svcs[j];
      nodes[i] = (pg_graph_node){.name = names[i], .exports = &svcs[i],
                                 .nexports = 1, .requires = req[i],
                                 .nrequires = k};
    }
    pg_graph g;
    ASSERT_EQ(build(nodes, n, &g), 0);
    ASSERT_EQ(g.nproblems, 21);
    ASSERT_STR_EQ(g.problems[0],
                  "cycle: n0 → n1 → n0 (n0 requires s.1 from n1, n1 requires "
                  "s.0 from n0)");
    /* 125,664 cycles in K9: counting stops at 10,000. */
    ASSERT_STR_EQ(g.problems[20], n == 5 ? "and 64 more cycles"
                                         : "and at least 9980 more cycles");
    pg_graph_free(&g);
  }
}

static void test_closure(void) {
  pg_graph_node nodes[] = {
      {.name = "web", REQ("x.Cart")},
      {.name = "cart", EXP("x.Cart"), REQ("x.Stock", "x.Price")},
      {.name = "stock", EXP("x.Stock"), REQ("x.Db")},
      {.name = "price", EXP("x.Price"), REQ("x.Db")},
      {.name = "db", EXP("x.Db")},
      {.name = "admin", REQ("x.Db")},
  };
  pg_graph g;
  ASSERT_EQ(build(nodes, 6, &g), 0);
  ASSERT_EQ(g.nproblems, 0);
  bool needed[6];
  pg_graph_closure(&g, 1, needed);
  ASSERT_TRUE(!needed[0] && needed[1] && needed[2] && needed[3] && needed[4] &&
              !needed[5]);
  pg_graph_closure(&g, 5, needed);
  ASSERT_TRUE(!needed[0] && !needed[1] && !needed[2] && !needed[3] &&
              needed[4] && needed[5]);
  pg_graph_closure(&g, 0, needed);
  ASSERT_TRUE(needed[0] && needed[1] && needed[2] && needed[3] && needed[4] &&
              !needed[5]);
  pg_graph_closure(&g, 4, needed);
  ASSERT_TRUE(!needed[0] && !needed[1] && !needed[2] && !needed[3] &&
              needed[4] && !needed[5]);
  pg_graph_free(&g);
}

static char *capture_text(const pg_graph *g, const pg_graph_node *nodes,
                          bool dot) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  if (!f) return NULL;
  if (dot)
    pg_graph_print_dot(g, nodes, "shop \"x\"", f);
  else
    pg_graph_print_text(g, nodes, f);
  fclose(f);
  return text;
}

static void test_print_text(void) {
  pg_graph_node nodes[] = {
      {.name = "web", REQ("x.v1.Cart", "log.v1.LogService")},
      {.name = "cart", EXP("x.v1.Cart"), REQ("x.v1.Stock")},
      {.name = "stock", EXP("x.v1.Stock"), REQ("file.v1.FileService")},
  };
  pg_graph g;
  ASSERT_EQ(build(nodes, 3, &g), 0);
  char *text = capture_text(&g, nodes, false);
  ASSERT_STR_EQ(text,
                "programs (3):\n"
                "  web\n"
                "    requires  log.v1.LogService (built in), x.v1.Cart (from "
                "cart)\n"
                "  cart\n"
                "    exports   x.v1.Cart\n"
                "    requires  x.v1.Stock (from stock)\n"
                "  stock\n"
                "    exports   x.v1.Stock\n"
                "    requires  file.v1.FileService (built in)\n"
                "edges (2):\n"
                "  cart → stock  x.v1.Stock\n"
                "  web → cart  x.v1.Cart\n"
                "startup order:\n"
                "  1. stock\n"
                "  2. cart\n"
                "  3. web\n");
  free(text);
  pg_graph_free(&g);
}

static void test_print_text_problems(void) {
  pg_graph_node nodes[] = {
      {.name = "web", REQ("x.v1.Cart")},
      {.name = "late", .died_before_run = true,
       .death_reason = "exited with code 2"},
  };
  pg_graph g;
  ASSERT_EQ(build(nodes, 2, &g), 0);
  char *text = capture_text(&g, nodes, false);
  ASSERT_STR_EQ(text,
                "programs (2):\n"
                "  web\n"
                "    requires  x.v1.Cart (missing)\n"
                "  late\n"
                "    died      exited with code 2 before run()\n"
                "edges (0):\n"
                "problems (2):\n"
                "  program 'web' requires service 'x.v1.Cart', which no "
                "program exports\n"
                "  program 'late' exited with code 2 before run()\n");
  free(text);
  pg_graph_free(&g);
}

/* Feeds DOT to graphviz when it is installed; returns dot's exit status,
 * or 0 when dot is absent. */
static int run_dot(const char *text) {
  if (system("command -v dot >/dev/null 2>&1") != 0) {
    printf("  (graphviz not installed: DOT not rendered)\n");
    return 0;
  }
  char path[] = "/tmp/pg_graph_dot_XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return -1;
  ssize_t n = write(fd, text, strlen(text));
  close(fd);
  char cmd[256];
  snprintf(cmd, sizeof cmd, "dot -Tsvg '%s' -o /dev/null", path);
  int rc = n == (ssize_t)strlen(text) ? system(cmd) : -1;
  unlink(path);
  return rc;
}

static void test_print_dot(void) {
  pg_graph_node nodes[] = {
      {.name = "web", REQ("x.v1.Cart", "log.v1.LogService")},
      {.name = "cart", EXP("x.v1.Cart"), REQ("x.v1.Stock")},
      {.name = "stock", EXP("x.v1.Stock")},
  };
  pg_graph g;
  ASSERT_EQ(build(nodes, 3, &g), 0);
  char *text = capture_text(&g, nodes, true);
  ASSERT_STR_CONTAINS(text, "digraph \"shop \\\"x\\\"\" {\n");
  ASSERT_STR_CONTAINS(text, "  p2 [label=\"stock\\n(starts #1)\\nx.v1.Stock\"];\n");
  ASSERT_STR_CONTAINS(text, "  p0 [label=\"web\\n(starts #3)\"];\n");
  ASSERT_STR_CONTAINS(text, "  p1 -> p2 [label=\"x.v1.Stock\"];\n");
  ASSERT_STR_CONTAINS(text, "  p0 -> kernel [style=dashed, label=\"log.v1.LogService\"];\n");
  ASSERT_EQ(run_dot(text), 0);
  free(text);
  pg_graph_free(&g);
}

static void test_print_dot_problems(void) {
  pg_graph_node nodes[] = {
      {.name = "a", EXP("x.A"), REQ("x.B", "x.Gone")},
      {.name = "b", EXP("x.B"), REQ("x.A")},
      {.name = "dead", .died_before_run = true, .death_reason = "trapped: \"x\""},
  };
  pg_graph g;
  ASSERT_EQ(build(nodes, 3, &g), 0);
  ASSERT_EQ(g.nproblems, 3);
  char *text = capture_text(&g, nodes, true);
  ASSERT_STR_CONTAINS(text, "  m0_1 [label=\"x.Gone\\n(no exporter)\", color=red");
  ASSERT_STR_CONTAINS(text, "  p0 -> m0_1 [color=red, label=\"x.Gone\"];\n");
  ASSERT_STR_CONTAINS(text, "label=\"problems:\\lprogram 'a' requires service");
  ASSERT_STR_CONTAINS(text, "program 'dead' trapped: \\\"x\\\" before run()\\l");
  ASSERT_EQ(run_dot(text), 0);
  free(text);
  pg_graph_free(&g);
}

int main(void) {
  PG_RUN(test_chain);
  PG_RUN(test_diamond);
  PG_RUN(test_ties_by_name);
  PG_RUN(test_duplicate_requires_make_one_edge);
  PG_RUN(test_empty);
  PG_RUN(test_self_cycle);
  PG_RUN(test_three_cycle);
  PG_RUN(test_two_disjoint_cycles);
  PG_RUN(test_overlapping_cycles);
  PG_RUN(test_several_services_on_one_edge);
  PG_RUN(test_cycle_plus_missing);
  PG_RUN(test_duplicates);
  PG_RUN(test_died_before_run);
  PG_RUN(test_all_problems_in_stable_order);
  PG_RUN(test_cycle_cap);
  PG_RUN(test_closure);
  PG_RUN(test_print_text);
  PG_RUN(test_print_text_problems);
  PG_RUN(test_print_dot);
  PG_RUN(test_print_dot_problems);
  return PG_DONE();
}
