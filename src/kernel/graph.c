/*
 * graph.c: the dependency graph of an app (contract in graph.h): edges from
 * each program to the programs exporting what it requires, every startup
 * problem at once (missing services, duplicate exports, cycles, programs
 * that died before run()), the deterministic release order (Kahn's
 * algorithm, ties broken by program name) and the closure used by --only.
 *
 * Internally nodes are numbered by *rank*, their position in name order, so
 * "smallest rank" is "first by name" and every tie is broken the same way
 * on every run. Cycles are enumerated with Johnson's algorithm restricted
 * to each strongly connected component (Tarjan), so each elementary cycle
 * is found exactly once, rooted at its first node by name. Recursion depth
 * in both is bounded by the number of programs in the app.
 *
 * The printers also show a deployment's placement (the nodes each program
 * runs on) when the caller fills pg_graph_node.placement.
 */
#include "kernel/graph.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CYCLES_PRINTED 20
/* Enumeration stops here; beyond it the count is reported as "at least". */
#define MAX_CYCLES_COUNTED 10000

/* ---- a small growable string ---------------------------------------- */

typedef struct strbuf {
  char *data; /* owned; NUL-terminated when not NULL */
  size_t len, cap;
  bool oom; /* a write failed; the content is incomplete */
} strbuf;

static void sb_reserve(strbuf *sb, size_t more) {
  if (sb->oom || sb->len + more + 1 <= sb->cap) return;
  size_t cap = sb->cap ? sb->cap : 64;
  while (cap < sb->len + more + 1) cap *= 2;
  char *data = realloc(sb->data, cap);
  if (!data) {
    sb->oom = true;
    return;
  }
  sb->data = data;
  sb->cap = cap;
}

__attribute__((format(printf, 2, 3))) static void
sb_printf(strbuf *sb, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0) {
    sb->oom = true;
    return;
  }
  sb_reserve(sb, (size_t)n);
  if (sb->oom) return;
  va_start(ap, fmt);
  vsnprintf(sb->data + sb->len, sb->cap - sb->len, fmt, ap);
  va_end(ap);
  sb->len += (size_t)n;
}

/* A name that came from a guest: control characters and backslashes are
 * written as \xNN so one problem is always one line. */
static void sb_name(strbuf *sb, const char *s) {
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c < 0x20 || c == 0x7f || c == '\\')
      sb_printf(sb, "\\x%02x", c);
    else
      sb_printf(sb, "%c", c);
  }
}

/* Hands the string over (NULL when a write failed). */
static char *sb_take(strbuf *sb) {
  if (sb->oom || !sb->data) {
    free(sb->data);
    return NULL;
  }
  char *s = sb->data;
  sb->data = NULL;
  return s;
}

/* ---- the builder ---------------------------------------------------- */

/* One (service, exporter) pair; sorted by service, then rank. */
typedef struct export_entry {
  const char *service;
  size_t rank;
} export_entry;

/* A list of ranks. */
typedef struct rank_list {
  size_t *items;
  size_t n, cap;
} rank_list;

typedef struct builder {
  const pg_graph_node *nodes; /* borrowed */
  size_t n;
  const char *const *builtins; /* borrowed */
  size_t nbuiltins;
  size_t *by_rank; /* rank -> node index */
  size_t *rank;    /* node index -> rank */
  export_entry *exports;
  size_t nexports;
  rank_list *adj;  /* rank -> ranks it requires from; sorted, unique */
  rank_list *radj; /* rank -> ranks that require from it */
  size_t edges_cap;
  size_t problems_cap;
  pg_graph *g;
  bool oom;
} builder;

static bool list_push(rank_list *l, size_t v) {
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 4;
    size_t *items = realloc(l->items, cap * sizeof *items);
    if (!items) return false;
    l->items = items;
    l->cap = cap;
  }
  l->items[l->n++] = v;
  return true;
}

static bool list_has(const rank_list *l, size_t v) {
  for (size_t i = 0; i < l->n; i++)
    if (l->items[i] == v) return true;
  return false;
}

static int cmp_size(const void *a, const void *b) {
  size_t x = *(const size_t *)a, y = *(const size_t *)b;
  return x < y ? -1 : x > y;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Takes ownership of the string in sb (even on failure). */
static void add_problem(builder *b, strbuf *sb) {
  char *text = sb_take(sb);
  pg_graph *g = b->g;
  if (!text) {
    b->oom = true;
    return;
  }
  if (g->nproblems == b->problems_cap) {
    size_t cap = b->problems_cap ? b->problems_cap * 2 : 8;
    char **p = realloc(g->problems, cap * sizeof *p);
    if (!p) {
      free(text);
      b->oom = true;
      return;
    }
    g->problems = p;
    b->problems_cap = cap;
  }
  g->problems[g->nproblems++] = text;
}

static const char *name_of_rank(const builder *b, size_t r) {
  return b->nodes[b->by_rank[r]].name;
}

/* qsort has no context argument; ranking sorts indices by name through
 * this file-level pointer, set only for the duration of one sort. */
static const pg_graph_node *sort_nodes_;

static int cmp_node_name(const void *a, const void *b) {
  size_t x = *(const size_t *)a, y = *(const size_t *)b;
  int c = strcmp(sort_nodes_[x].name, sort_nodes_[y].name);
  return c ? c : (x < y ? -1 : x > y);
}

static int rank_nodes(builder *b) {
  b->by_rank = malloc((b->n ? b->n : 1) * sizeof *b->by_rank);
  b->rank = malloc((b->n ? b->n : 1) * sizeof *b->rank);
  if (!b->by_rank || !b->rank) return -1;
  for (size_t i = 0; i < b->n; i++) b->by_rank[i] = i;
  sort_nodes_ = b->nodes;
  qsort(b->by_rank, b->n, sizeof *b->by_rank, cmp_node_name);
  sort_nodes_ = NULL;
  for (size_t r = 0; r < b->n; r++) b->rank[b->by_rank[r]] = r;
  return 0;
}

/* ---- exports and duplicates ----------------------------------------- */

static int cmp_export(const void *a, const void *b) {
  const export_entry *x = a, *y = b;
  int c = strcmp(x->service, y->service);
  return c ? c : (x->rank < y->rank ? -1 : x->rank > y->rank);
}

static int collect_exports(builder *b) {
  size_t total = 0;
  for (size_t i = 0; i < b->n; i++) total += b->nodes[i].nexports;
  b->exports = malloc((total ? total : 1) * sizeof *b->exports);
  if (!b->exports) return -1;
  size_t k = 0;
  for (size_t i = 0; i < b->n; i++)
    for (size_t j = 0; j < b->nodes[i].nexports; j++)
      b->exports[k++] = (export_entry){b->nodes[i].exports[j], b->rank[i]};
  qsort(b->exports, total, sizeof *b->exports, cmp_export);
  /* A program that exports the same service twice exports it once. */
  size_t out = 0;
  for (size_t i = 0; i < total; i++)
    if (out == 0 || cmp_export(&b->exports[out - 1], &b->exports[i]) != 0)
      b->exports[out++] = b->exports[i];
  b->nexports = out;
  return 0;
}

static bool is_builtin(const builder *b, const char *service) {
  for (size_t i = 0; i < b->nbuiltins; i++)
    if (!strcmp(b->builtins[i], service)) return true;
  return false;
}

/* Index of the first export of `service`, or nexports. */
static size_t find_export(const builder *b, const char *service) {
  size_t lo = 0, hi = b->nexports;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (strcmp(b->exports[mid].service, service) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

/* "service 'S' is exported by both 'a' and 'b'" (or "by 'a', 'b' and
 * 'c'"); a built-in service exported by a program is a conflict too. */
static void report_duplicates(builder *b) {
  for (size_t i = 0; i < b->nexports;) {
    size_t end = i + 1;
    while (end < b->nexports &&
           !strcmp(b->exports[end].service, b->exports[i].service))
      end++;
    strbuf sb = {0};
    if (is_builtin(b, b->exports[i].service)) {
      for (size_t k = i; k < end; k++) {
        sb_printf(&sb, "program '%s' exports service '",
                  name_of_rank(b, b->exports[k].rank));
        sb_name(&sb, b->exports[k].service);
        sb_printf(&sb, "', which is built into parigot");
        add_problem(b, &sb);
      }
    } else if (end - i > 1) {
      sb_printf(&sb, "service '");
      sb_name(&sb, b->exports[i].service);
      sb_printf(&sb, "' is exported by %s", end - i == 2 ? "both " : "");
      for (size_t k = i; k < end; k++)
        sb_printf(&sb, "%s'%s'", k == i ? "" : k + 1 == end ? " and " : ", ",
                  name_of_rank(b, b->exports[k].rank));
      add_problem(b, &sb);
    }
    i = end;
  }
}

/* ---- edges and missing services -------------------------------------- */

static int add_edge(builder *b, size_t from_rank, size_t to_rank,
                    const char *service) {
  pg_graph *g = b->g;
  if (g->nedges == b->edges_cap) {
    size_t cap = b->edges_cap ? b->edges_cap * 2 : 16;
    pg_graph_edge *e = realloc(g->edges, cap * sizeof *e);
    if (!e) return -1;
    g->edges = e;
    b->edges_cap = cap;
  }
  g->edges[g->nedges++] = (pg_graph_edge){b->by_rank[from_rank],
                                          b->by_rank[to_rank], service};
  if (!list_has(&b->adj[from_rank], to_rank) &&
      !list_push(&b->adj[from_rank], to_rank))
    return -1;
  if (!list_has(&b->radj[to_rank], from_rank) &&
      !list_push(&b->radj[to_rank], from_rank))
    return -1;
  return 0;
}

static void report_missing(builder *b, size_t from_rank, const char *service) {
  strbuf sb = {0};
  sb_printf(&sb, "program '%s' requires service '", name_of_rank(b, from_rank));
  sb_name(&sb, service);
  sb_printf(&sb, "', which no program exports");
  add_problem(b, &sb);
}

/* Edges of one program, in service order; missing services reported. */
static int link_node(builder *b, size_t r) {
  const pg_graph_node *node = &b->nodes[b->by_rank[r]];
  const char **req = malloc((node->nrequires ? node->nrequires : 1) *
                            sizeof *req);
  if (!req) return -1;
  if (node->nrequires) /* requires may be NULL when there are none */
    memcpy(req, node->requires, node->nrequires * sizeof *req);
  qsort(req, node->nrequires, sizeof *req, cmp_str);
  int rc = 0;
  for (size_t i = 0; i < node->nrequires && rc == 0; i++) {
    if ((i > 0 && !strcmp(req[i - 1], req[i])) || is_builtin(b, req[i]))
      continue;
    size_t e = find_export(b, req[i]);
    if (e == b->nexports || strcmp(b->exports[e].service, req[i]) != 0) {
      report_missing(b, r, req[i]);
      continue;
    }
    for (; e < b->nexports && !strcmp(b->exports[e].service, req[i]) && !rc;
         e++)
      rc = add_edge(b, r, b->exports[e].rank, b->exports[e].service);
  }
  free(req);
  return rc;
}

static int link_all(builder *b) {
  b->adj = calloc(b->n ? b->n : 1, sizeof *b->adj);
  b->radj = calloc(b->n ? b->n : 1, sizeof *b->radj);
  if (!b->adj || !b->radj) return -1;
  for (size_t r = 0; r < b->n; r++)
    if (link_node(b, r) < 0) return -1;
  for (size_t r = 0; r < b->n; r++) {
    if (b->adj[r].n > 1)
      qsort(b->adj[r].items, b->adj[r].n, sizeof(size_t), cmp_size);
    if (b->radj[r].n > 1)
      qsort(b->radj[r].items, b->radj[r].n, sizeof(size_t), cmp_size);
  }
  return 0;
}

/* ---- cycles ---------------------------------------------------------- */

/* Tarjan's strongly connected components, in rank space. */
typedef struct scc_state {
  const builder *b;
  size_t *index, *low, *comp; /* SIZE_MAX = unvisited */
  bool *on_stack;
  size_t *stack;
  size_t sp, next_index, ncomp;
} scc_state;

static void scc_visit(scc_state *st, size_t v) {
  st->index[v] = st->low[v] = st->next_index++;
  st->stack[st->sp++] = v;
  st->on_stack[v] = true;
  const rank_list *out = &st->b->adj[v];
  for (size_t i = 0; i < out->n; i++) {
    size_t w = out->items[i];
    if (st->index[w] == SIZE_MAX) {
      scc_visit(st, w);
      if (st->low[w] < st->low[v]) st->low[v] = st->low[w];
    } else if (st->on_stack[w] && st->index[w] < st->low[v]) {
      st->low[v] = st->index[w];
    }
  }
  if (st->low[v] != st->index[v]) return;
  size_t w;
  do {
    w = st->stack[--st->sp];
    st->on_stack[w] = false;
    st->comp[w] = st->ncomp;
  } while (w != v);
  st->ncomp++;
}

/* Johnson's elementary circuits. */
typedef struct cycle_state {
  builder *b;
  const size_t *comp;
  size_t s; /* the root: every cycle found goes through it and ranks >= s */
  bool *blocked;
  rank_list *blocked_by; /* Johnson's B sets */
  size_t *path;
  size_t depth;
  size_t count;   /* cycles found so far */
  bool stopped;   /* MAX_CYCLES_COUNTED reached */
} cycle_state;

static bool in_scope(const cycle_state *cs, size_t w) {
  return w >= cs->s && cs->comp[w] == cs->comp[cs->s];
}

/* "x.v1.A", "x.v1.A and x.v1.B", "x.v1.A, x.v1.B and x.v1.C": every
 * service `from` requires from `to`. */
static void describe_link(builder *b, strbuf *sb, size_t from, size_t to) {
  const pg_graph *g = b->g;
  size_t from_node = b->by_rank[from], to_node = b->by_rank[to];
  size_t total = 0, k = 0;
  for (size_t i = 0; i < g->nedges; i++)
    total += g->edges[i].from == from_node && g->edges[i].to == to_node;
  sb_printf(sb, "%s requires ", name_of_rank(b, from));
  for (size_t i = 0; i < g->nedges; i++) {
    if (g->edges[i].from != from_node || g->edges[i].to != to_node) continue;
    sb_printf(sb, "%s", k == 0 ? "" : k + 1 == total ? " and " : ", ");
    sb_name(sb, g->edges[i].service);
    k++;
  }
  sb_printf(sb, " from %s", name_of_rank(b, to));
}

static void report_cycle(cycle_state *cs) {
  builder *b = cs->b;
  cs->count++;
  if (cs->count >= MAX_CYCLES_COUNTED) cs->stopped = true;
  if (cs->count > MAX_CYCLES_PRINTED) return;
  strbuf sb = {0};
  sb_printf(&sb, "cycle: ");
  for (size_t i = 0; i < cs->depth; i++)
    sb_printf(&sb, "%s → ", name_of_rank(b, cs->path[i]));
  sb_printf(&sb, "%s (", name_of_rank(b, cs->path[0]));
  for (size_t i = 0; i < cs->depth; i++) {
    if (i) sb_printf(&sb, ", ");
    describe_link(b, &sb, cs->path[i], cs->path[(i + 1) % cs->depth]);
  }
  sb_printf(&sb, ")");
  add_problem(b, &sb);
}

static void unblock(cycle_state *cs, size_t u) {
  cs->blocked[u] = false;
  rank_list *waiting = &cs->blocked_by[u];
  while (waiting->n > 0) {
    size_t w = waiting->items[--waiting->n];
    if (cs->blocked[w]) unblock(cs, w);
  }
}

static bool circuit(cycle_state *cs, size_t v) {
  bool found = false;
  cs->path[cs->depth++] = v;
  cs->blocked[v] = true;
  const rank_list *out = &cs->b->adj[v];
  for (size_t i = 0; i < out->n && !cs->stopped; i++) {
    size_t w = out->items[i];
    if (!in_scope(cs, w)) continue;
    if (w == cs->s) {
      report_cycle(cs);
      found = true;
    } else if (!cs->blocked[w] && circuit(cs, w)) {
      found = true;
    }
  }
  if (found) {
    unblock(cs, v);
  } else {
    for (size_t i = 0; i < out->n; i++) {
      size_t w = out->items[i];
      if (in_scope(cs, w) && !list_has(&cs->blocked_by[w], v) &&
          !list_push(&cs->blocked_by[w], v))
        cs->b->oom = cs->stopped = true;
    }
  }
  cs->depth--;
  return found;
}

/* Whether rank s lies on any cycle: a bigger component, or a self-edge. */
static bool on_some_cycle(const builder *b, const size_t *comp,
                          const size_t *comp_size, size_t s) {
  return comp_size[comp[s]] > 1 || list_has(&b->adj[s], s);
}

static void find_cycles_from(cycle_state *cs, size_t s) {
  cs->s = s;
  for (size_t v = s; v < cs->b->n; v++) {
    cs->blocked[v] = false;
    cs->blocked_by[v].n = 0;
  }
  cs->depth = 0;
  circuit(cs, s);
}

static void report_more_cycles(builder *b, const cycle_state *cs) {
  if (cs->count <= MAX_CYCLES_PRINTED) return;
  strbuf sb = {0};
  sb_printf(&sb, "and %s%zu more cycles", cs->stopped ? "at least " : "",
            cs->count - MAX_CYCLES_PRINTED);
  add_problem(b, &sb);
}

static int report_cycles(builder *b) {
  size_t n = b->n ? b->n : 1;
  scc_state st = {.b = b};
  cycle_state cs = {.b = b};
  size_t *comp_size = calloc(n, sizeof *comp_size);
  st.index = malloc(n * sizeof(size_t));
  st.low = malloc(n * sizeof(size_t));
  st.comp = malloc(n * sizeof(size_t));
  st.stack = malloc(n * sizeof(size_t));
  st.on_stack = calloc(n, sizeof(bool));
  cs.blocked = calloc(n, sizeof(bool));
  cs.blocked_by = calloc(n, sizeof(rank_list));
  cs.path = malloc(n * sizeof(size_t));
  int rc = -1;
  if (!comp_size || !st.index || !st.low || !st.comp || !st.stack ||
      !st.on_stack || !cs.blocked || !cs.blocked_by || !cs.path)
    goto fail;
  for (size_t v = 0; v < b->n; v++) st.index[v] = SIZE_MAX;
  for (size_t v = 0; v < b->n; v++)
    if (st.index[v] == SIZE_MAX) scc_visit(&st, v);
  for (size_t v = 0; v < b->n; v++) comp_size[st.comp[v]]++;
  cs.comp = st.comp;
  for (size_t s = 0; s < b->n && !cs.stopped; s++)
    if (on_some_cycle(b, st.comp, comp_size, s)) find_cycles_from(&cs, s);
  report_more_cycles(b, &cs);
  rc = 0;
fail:
  for (size_t v = 0; cs.blocked_by && v < b->n; v++)
    free(cs.blocked_by[v].items);
  free(cs.blocked_by);
  free(cs.blocked);
  free(cs.path);
  free(st.index);
  free(st.low);
  free(st.comp);
  free(st.stack);
  free(st.on_stack);
  free(comp_size);
  return rc;
}

/* ---- programs that died, and the order -------------------------------- */

static void report_deaths(builder *b) {
  for (size_t r = 0; r < b->n; r++) {
    const pg_graph_node *node = &b->nodes[b->by_rank[r]];
    if (!node->died_before_run) continue;
    strbuf sb = {0};
    sb_printf(&sb, "program '%s' ", node->name);
    sb_name(&sb, node->death_reason ? node->death_reason : "stopped");
    sb_printf(&sb, " before run()");
    add_problem(b, &sb);
  }
}

/* A binary min-heap of ranks: the ready program first by name. */
typedef struct rank_heap {
  size_t *items;
  size_t n;
} rank_heap;

static void heap_push(rank_heap *h, size_t v) {
  size_t i = h->n++;
  while (i > 0 && h->items[(i - 1) / 2] > v) {
    h->items[i] = h->items[(i - 1) / 2];
    i = (i - 1) / 2;
  }
  h->items[i] = v;
}

static size_t heap_pop(rank_heap *h) {
  size_t top = h->items[0], last = h->items[--h->n], i = 0;
  for (;;) {
    size_t child = 2 * i + 1;
    if (child >= h->n) break;
    if (child + 1 < h->n && h->items[child + 1] < h->items[child]) child++;
    if (h->items[child] >= last) break;
    h->items[i] = h->items[child];
    i = child;
  }
  if (h->n) h->items[i] = last;
  return top;
}

/* Kahn's algorithm; programs on a cycle (never ready) follow in name order
 * so `order` is always a permutation, though only meaningful without
 * problems. */
static int compute_order(builder *b) {
  size_t n = b->n ? b->n : 1;
  size_t *waiting = malloc(n * sizeof *waiting);
  bool *placed = calloc(n, sizeof *placed);
  rank_heap heap = {malloc(n * sizeof(size_t)), 0};
  b->g->order = malloc(n * sizeof *b->g->order);
  int rc = -1;
  if (!waiting || !placed || !heap.items || !b->g->order) goto fail;
  for (size_t r = 0; r < b->n; r++) {
    waiting[r] = b->adj[r].n;
    if (waiting[r] == 0) heap_push(&heap, r);
  }
  size_t k = 0;
  while (heap.n > 0) {
    size_t r = heap_pop(&heap);
    placed[r] = true;
    b->g->order[k++] = b->by_rank[r];
    for (size_t i = 0; i < b->radj[r].n; i++)
      if (--waiting[b->radj[r].items[i]] == 0)
        heap_push(&heap, b->radj[r].items[i]);
  }
  for (size_t r = 0; r < b->n; r++)
    if (!placed[r]) b->g->order[k++] = b->by_rank[r];
  rc = 0;
fail:
  free(waiting);
  free(placed);
  free(heap.items);
  return rc;
}

static void free_builder(builder *b) {
  for (size_t r = 0; r < b->n; r++) {
    if (b->adj) free(b->adj[r].items);
    if (b->radj) free(b->radj[r].items);
  }
  free(b->adj);
  free(b->radj);
  free(b->exports);
  free(b->by_rank);
  free(b->rank);
}

int pg_graph_build(const pg_graph_node *nodes, size_t nnodes,
                   const char *const *builtins, size_t nbuiltins,
                   pg_graph *out) {
  memset(out, 0, sizeof *out);
  out->nnodes = nnodes;
  builder b = {.nodes = nodes, .n = nnodes, .builtins = builtins,
               .nbuiltins = nbuiltins, .g = out};
  int rc = -1;
  if (rank_nodes(&b) < 0 || collect_exports(&b) < 0 || link_all(&b) < 0)
    goto fail;
  report_duplicates(&b);
  if (report_cycles(&b) < 0) goto fail;
  report_deaths(&b);
  if (compute_order(&b) < 0 || b.oom) goto fail;
  rc = 0;
fail:
  free_builder(&b);
  if (rc < 0) pg_graph_free(out);
  return rc;
}

void pg_graph_free(pg_graph *g) {
  if (!g) return;
  for (size_t i = 0; i < g->nproblems; i++) free(g->problems[i]);
  free(g->problems);
  free(g->edges);
  free(g->order);
  memset(g, 0, sizeof *g);
}

void pg_graph_closure(const pg_graph *g, size_t root, bool *needed) {
  for (size_t i = 0; i < g->nnodes; i++) needed[i] = false;
  if (root >= g->nnodes) return;
  needed[root] = true;
  /* Sweep the edges until nothing changes: at most one sweep per level of
   * the dependency chain, cheap for apps of a few hundred programs. */
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i < g->nedges; i++)
      if (needed[g->edges[i].from] && !needed[g->edges[i].to]) {
        needed[g->edges[i].to] = true;
        changed = true;
      }
  }
}

/* ---- printers -------------------------------------------------------- */

/* The required services of a node, sorted and unique (caller frees). */
static const char **sorted_requires(const pg_graph_node *node, size_t *nout) {
  const char **req = malloc((node->nrequires ? node->nrequires : 1) *
                            sizeof *req);
  if (!req) return NULL;
  if (node->nrequires) /* requires may be NULL when there are none */
    memcpy(req, node->requires, node->nrequires * sizeof *req);
  qsort(req, node->nrequires, sizeof *req, cmp_str);
  size_t n = 0;
  for (size_t i = 0; i < node->nrequires; i++)
    if (n == 0 || strcmp(req[n - 1], req[i]) != 0) req[n++] = req[i];
  *nout = n;
  return req;
}

/* The edge of `from` for `service`, or NULL (built in, or missing). */
static const pg_graph_edge *edge_for(const pg_graph *g, size_t from,
                                     const char *service) {
  for (size_t i = 0; i < g->nedges; i++)
    if (g->edges[i].from == from && !strcmp(g->edges[i].service, service))
      return &g->edges[i];
  return NULL;
}

/* A required service without an edge is built in unless pg_graph_build
 * reported it missing; the problem text is the record of that. */
static bool is_missing(const pg_graph *g, const pg_graph_node *node,
                       const char *service) {
  strbuf sb = {0};
  sb_printf(&sb, "program '%s' requires service '", node->name);
  sb_name(&sb, service);
  sb_printf(&sb, "', which no program exports");
  char *text = sb_take(&sb);
  bool found = false;
  for (size_t i = 0; text && i < g->nproblems && !found; i++)
    found = !strcmp(g->problems[i], text);
  free(text);
  return found;
}

/* Writes a guest-provided name with control characters as \xNN. */
static void put_name(FILE *out, const char *s) {
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c < 0x20 || c == 0x7f || c == '\\')
      fprintf(out, "\\x%02x", c);
    else
      fputc(c, out);
  }
}

static void print_node_text(const pg_graph *g, const pg_graph_node *nodes,
                            size_t i, FILE *out) {
  const pg_graph_node *node = &nodes[i];
  fprintf(out, "  %s\n", node->name);
  if (node->nexports) {
    fprintf(out, "    exports   ");
    for (size_t k = 0; k < node->nexports; k++) {
      if (k) fprintf(out, ", ");
      put_name(out, node->exports[k]);
    }
    fprintf(out, "\n");
  }
  size_t nreq = 0;
  const char **req = sorted_requires(node, &nreq);
  if (req && nreq) {
    fprintf(out, "    requires  ");
    for (size_t k = 0; k < nreq; k++) {
      const pg_graph_edge *e = edge_for(g, i, req[k]);
      if (k) fprintf(out, ", ");
      put_name(out, req[k]);
      if (e)
        fprintf(out, " (from %s)", nodes[e->to].name);
      else
        fprintf(out, " (%s)",
                is_missing(g, node, req[k]) ? "missing" : "built in");
    }
    fprintf(out, "\n");
  }
  free(req);
  if (node->nplacement) {
    fprintf(out, "    %-10s", node->nplacement == 1 ? "node" : "nodes");
    for (size_t k = 0; k < node->nplacement; k++) {
      if (k) fprintf(out, ", ");
      put_name(out, node->placement[k]);
    }
    fprintf(out, "\n");
  }
  if (node->died_before_run) {
    fprintf(out, "    died      ");
    put_name(out, node->death_reason ? node->death_reason : "stopped");
    fprintf(out, " before run()\n");
  }
}

void pg_graph_print_text(const pg_graph *g, const pg_graph_node *nodes,
                         FILE *out) {
  fprintf(out, "programs (%zu):\n", g->nnodes);
  for (size_t i = 0; i < g->nnodes; i++) print_node_text(g, nodes, i, out);
  fprintf(out, "edges (%zu):\n", g->nedges);
  for (size_t i = 0; i < g->nedges; i++) {
    fprintf(out, "  %s → %s  ", nodes[g->edges[i].from].name,
            nodes[g->edges[i].to].name);
    put_name(out, g->edges[i].service);
    fprintf(out, "\n");
  }
  if (g->nproblems) {
    fprintf(out, "problems (%zu):\n", g->nproblems);
    for (size_t i = 0; i < g->nproblems; i++)
      fprintf(out, "  %s\n", g->problems[i]);
    return;
  }
  fprintf(out, "startup order:\n");
  for (size_t i = 0; i < g->nnodes; i++)
    fprintf(out, "  %zu. %s\n", i + 1, nodes[g->order[i]].name);
}

/* Inside a DOT "string": quotes and backslashes escaped, control
 * characters dropped (DOT has no escape for them). */
static void put_dot(FILE *out, const char *s) {
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      fprintf(out, "\\%c", c);
    else if (c >= 0x20 && c != 0x7f)
      fputc(c, out);
  }
}

static size_t order_position(const pg_graph *g, size_t node) {
  for (size_t i = 0; i < g->nnodes; i++)
    if (g->order[i] == node) return i;
  return g->nnodes;
}

static void print_node_dot(const pg_graph *g, const pg_graph_node *nodes,
                           size_t i, FILE *out) {
  const pg_graph_node *node = &nodes[i];
  fprintf(out, "  p%zu [label=\"", i);
  put_dot(out, node->name);
  if (g->nproblems == 0)
    fprintf(out, "\\n(starts #%zu)", order_position(g, i) + 1);
  for (size_t k = 0; k < node->nexports; k++) {
    fprintf(out, "\\n");
    put_dot(out, node->exports[k]);
  }
  fprintf(out, "\"");
  if (node->died_before_run)
    fprintf(out, ", color=red, fontcolor=red, xlabel=\"died before run()\"");
  fprintf(out, "];\n");
}

/* Edges to the kernel (built-in services) and to missing services, which
 * pg_graph_build keeps out of g->edges. */
static void print_unlinked_dot(const pg_graph *g, const pg_graph_node *nodes,
                               size_t i, FILE *out, bool *kernel_used) {
  size_t nreq = 0;
  const char **req = sorted_requires(&nodes[i], &nreq);
  for (size_t k = 0; req && k < nreq; k++) {
    if (edge_for(g, i, req[k])) continue;
    if (is_missing(g, &nodes[i], req[k])) {
      fprintf(out, "  m%zu_%zu [label=\"", i, k);
      put_dot(out, req[k]);
      fprintf(out, "\\n(no exporter)\", color=red, fontcolor=red, "
                   "style=dashed];\n");
      fprintf(out, "  p%zu -> m%zu_%zu [color=red, label=\"", i, i, k);
    } else {
      *kernel_used = true;
      fprintf(out, "  p%zu -> kernel [style=dashed, label=\"", i);
    }
    put_dot(out, req[k]);
    fprintf(out, "\"];\n");
  }
  free(req);
}

static bool same_placement(const pg_graph_node *a, const pg_graph_node *b) {
  if (a->nplacement != b->nplacement) return false;
  for (size_t k = 0; k < a->nplacement; k++)
    if (strcmp(a->placement[k], b->placement[k]) != 0) return false;
  return true;
}

/* Deployed: one cluster box per distinct set of nodes, in the order the
 * sets first appear among the programs, holding the programs on exactly
 * that set. Programs without a placement stay outside. */
static void print_placed_nodes_dot(const pg_graph *g,
                                   const pg_graph_node *nodes, FILE *out) {
  size_t nclusters = 0;
  for (size_t i = 0; i < g->nnodes; i++) {
    if (!nodes[i].nplacement) {
      print_node_dot(g, nodes, i, out);
      continue;
    }
    bool seen = false;
    for (size_t j = 0; j < i && !seen; j++)
      seen = same_placement(&nodes[j], &nodes[i]);
    if (seen) continue;
    fprintf(out, "  subgraph cluster_%zu {\n    label=\"%s ", nclusters++,
            nodes[i].nplacement == 1 ? "node" : "nodes");
    for (size_t k = 0; k < nodes[i].nplacement; k++) {
      if (k) fprintf(out, ", ");
      put_dot(out, nodes[i].placement[k]);
    }
    fprintf(out, "\";\n    style=dashed;\n    fontname=\"Helvetica\";\n");
    for (size_t j = i; j < g->nnodes; j++)
      if (same_placement(&nodes[j], &nodes[i])) {
        fprintf(out, "  ");
        print_node_dot(g, nodes, j, out);
      }
    fprintf(out, "  }\n");
  }
}

static bool any_placement(const pg_graph *g, const pg_graph_node *nodes) {
  for (size_t i = 0; i < g->nnodes; i++)
    if (nodes[i].nplacement) return true;
  return false;
}

void pg_graph_print_dot(const pg_graph *g, const pg_graph_node *nodes,
                        const char *app_name, FILE *out) {
  fprintf(out, "digraph \"");
  put_dot(out, app_name ? app_name : "app");
  fprintf(out, "\" {\n"
               "  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n"
               "  edge [fontname=\"Helvetica\", fontsize=10];\n");
  if (any_placement(g, nodes))
    print_placed_nodes_dot(g, nodes, out);
  else
    for (size_t i = 0; i < g->nnodes; i++) print_node_dot(g, nodes, i, out);
  for (size_t i = 0; i < g->nedges; i++) {
    fprintf(out, "  p%zu -> p%zu [label=\"", g->edges[i].from,
            g->edges[i].to);
    put_dot(out, g->edges[i].service);
    fprintf(out, "\"];\n");
  }
  bool kernel_used = false;
  for (size_t i = 0; i < g->nnodes; i++)
    print_unlinked_dot(g, nodes, i, out, &kernel_used);
  if (kernel_used)
    fprintf(out, "  kernel [label=\"parigot\\n(built-in services)\", "
                 "shape=component, style=dashed];\n");
  if (g->nproblems) {
    fprintf(out, "  labelloc=b;\n  label=\"problems:\\l");
    for (size_t i = 0; i < g->nproblems; i++) {
      put_dot(out, g->problems[i]);
      fprintf(out, "\\l");
    }
    fprintf(out, "\";\n");
  }
  fprintf(out, "}\n");
}
