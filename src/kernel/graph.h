/*
 * graph.h: the dependency graph of an app (graph.c), computed after every
 * program has declared what it requires and exports (DESIGN.md, startup
 * step 3). Pure data in, pure data out: no engine, no I/O except the
 * formatters, so it is tested on its own.
 *
 * One node per program; an edge from A to B for every service A requires
 * that B exports. Built-in services (log, file) are exported by the kernel,
 * which is always ready, and make no edges.
 */
#ifndef PG_KERNEL_GRAPH_H
#define PG_KERNEL_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* What one program declared. All strings borrowed for the call. */
typedef struct pg_graph_node {
  const char *name;
  const char *const *requires;
  size_t nrequires;
  const char *const *exports;
  size_t nexports;
  /* Set when the program exited or trapped before calling run(): then its
   * declarations may be incomplete and the app cannot start. */
  bool died_before_run;
  const char *death_reason; /* e.g. "exited with code 3", "trapped: ..." */
  /* Deployment only (app.yaml's deploy section): the nodes the program
   * runs on, in placement order. The printers show them; the graph itself
   * ignores them. NULL/0 outside a deployment. */
  const char *const *placement;
  size_t nplacement;
} pg_graph_node;

typedef struct pg_graph_edge {
  size_t from, to;     /* node indices: `from` requires what `to` exports */
  const char *service; /* borrowed from the nodes */
} pg_graph_edge;

typedef struct pg_graph {
  size_t nnodes;
  /* Deterministic topological order (Kahn's algorithm, ties broken by
   * program name): order[0] is released first. Owned; nnodes entries,
   * valid only when nproblems == 0. */
  size_t *order;
  pg_graph_edge *edges; /* owned, nedges, sorted by (from name, service) */
  size_t nedges;
  /* Every problem found, each one complete sentence, in a stable order:
   *   missing:   "program 'web' requires service 'x.v1.Cart', which no
   *               program exports"
   *   duplicate: "service 'x.v1.Cart' is exported by both 'cart' and
   *               'cart2'"
   *   cycle:     "cycle: a → b → c → a (a requires x.v1.B from b, b
   *               requires x.v1.C from c, c requires x.v1.A from a)"
   *   died:      "program 'x' exited with code 3 before run()"
   * Owned strings. */
  char **problems;
  size_t nproblems;
} pg_graph;

/* Builds the graph of `nodes` given the kernel's built-in services.
 * Returns 0 (problems, if any, are in out->problems) or -1 when out of
 * memory. Free with pg_graph_free. */
int pg_graph_build(const pg_graph_node *nodes, size_t nnodes,
                   const char *const *builtins, size_t nbuiltins,
                   pg_graph *out);
void pg_graph_free(pg_graph *g);

/* The programs `root` needs, transitively, itself included: sets
 * needed[i] for each (needed has nnodes entries). */
void pg_graph_closure(const pg_graph *g, size_t root, bool *needed);

/* Writes the graph for people (`parigot graph`): programs with what they
 * export and require (and, deployed, the nodes they run on), edges, then
 * the startup order or the problems. */
void pg_graph_print_text(const pg_graph *g, const pg_graph_node *nodes,
                         FILE *out);
/* Writes it as Graphviz DOT (renders with `dot -Tsvg`). Deployed, the
 * programs are grouped in one cluster box per node ("node b"; a program
 * on several nodes goes in one box for that set: "nodes b, c"). */
void pg_graph_print_dot(const pg_graph *g, const pg_graph_node *nodes,
                        const char *app_name, FILE *out);

#endif /* PG_KERNEL_GRAPH_H */
