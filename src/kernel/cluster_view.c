/*
 * cluster_view.c: the pure half of startup across nodes (cluster.h): the
 * JSON of a declaration, key and bucket names, and the view every node
 * keeps of the bucket — which (program, node) pairs of the placement have
 * declared, which are ready, and the merged declarations the global graph
 * is built from. Deterministic by construction: the merge walks the
 * placement in its file order, never the order in which keys arrived, so
 * every node computes the same graph.
 */
#include "kernel/cluster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/json.h"

/* ---- names --------------------------------------------------------------- */

void pg_cluster_bucket_name(const char *app, char *out, size_t cap) {
  if (!cap) return;
  size_t n = (size_t)snprintf(out, cap, "parigot_%s", app ? app : "");
  if (n >= cap) n = cap - 1;
  for (size_t i = strlen("parigot_"); i < n; i++) {
    char c = out[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) out[i] = '_';
  }
}

void pg_cluster_key(const char *kind, const char *program, const char *node,
                    char *out, size_t cap) {
  snprintf(out, cap, "%s.%s.%s", kind, program, node);
}

/* ---- the declaration codec ----------------------------------------------- */

static void put_list(pg_jsonw *w, const char *key, char *const *items,
                     size_t n) {
  pg_jsonw_raw(w, ",");
  pg_jsonw_key(w, key);
  pg_jsonw_raw(w, "[");
  for (size_t i = 0; i < n; i++) {
    if (i) pg_jsonw_raw(w, ",");
    pg_jsonw_cstr(w, items[i]);
  }
  pg_jsonw_raw(w, "]");
}

int pg_cluster_decl_encode(const pg_cluster_decl *d, char **out, size_t *len) {
  pg_jsonw w = {0};
  pg_jsonw_raw(&w, "{\"v\":1,");
  pg_jsonw_key(&w, "program");
  pg_jsonw_cstr(&w, d->program);
  pg_jsonw_raw(&w, ",");
  pg_jsonw_key(&w, "node");
  pg_jsonw_cstr(&w, d->node);
  put_list(&w, "requires", d->requires, d->nrequires);
  put_list(&w, "exports", d->exports, d->nexports);
  pg_jsonw_raw(&w, ",");
  pg_jsonw_key(&w, "died");
  pg_jsonw_cstr(&w, d->died);
  pg_jsonw_raw(&w, "}");
  *out = pg_jsonw_take(&w, len);
  return *out ? 0 : -1;
}

/* Copies a JSON string (no NUL inside: names never hold one). */
static int copy_name(const pg_json *s, char **out) {
  if (!s || s->type != PG_JSON_STRING || strlen(s->str) != s->len) return -1;
  *out = strdup(s->str);
  return *out ? 0 : -1;
}

/* Most names one list may hold (the kernel caps declarations at 1024). */
#define MAX_NAMES 4096

static int copy_list(const pg_json *a, char ***out, size_t *n) {
  if (!a || a->type != PG_JSON_ARRAY || a->nitems > MAX_NAMES) return -1;
  *out = calloc(a->nitems ? a->nitems : 1, sizeof **out);
  if (!*out) return -1;
  for (*n = 0; *n < a->nitems; (*n)++)
    if (copy_name(&a->items[*n], &(*out)[*n]) != 0) return -1;
  return 0;
}

int pg_cluster_decl_decode(const char *text, size_t len, pg_cluster_decl *out,
                           char *err, size_t errlen) {
  pg_json *doc = NULL;
  pg_cluster_decl d = {0};
  const char *what = "not a declaration object";
  if (pg_json_parse(text, len, &doc, err, errlen) != 0) return -1;
  if (doc->type != PG_JSON_OBJECT) goto fail;
  uint64_t version;
  what = "unknown version (want \"v\":1)";
  if (pg_json_u64(pg_json_get(doc, "v"), &version) != 0 || version != 1)
    goto fail;
  what = "bad \"program\" or \"node\"";
  if (copy_name(pg_json_get(doc, "program"), &d.program) != 0 ||
      copy_name(pg_json_get(doc, "node"), &d.node) != 0)
    goto fail;
  what = "bad \"requires\" or \"exports\"";
  if (copy_list(pg_json_get(doc, "requires"), &d.requires, &d.nrequires) ||
      copy_list(pg_json_get(doc, "exports"), &d.exports, &d.nexports))
    goto fail;
  const pg_json *died = pg_json_get(doc, "died");
  what = "bad \"died\"";
  if (died && died->type != PG_JSON_NULL && copy_name(died, &d.died) != 0)
    goto fail;
  pg_json_free(doc);
  *out = d;
  return 0;
fail:
  if (err && errlen) snprintf(err, errlen, "%s", what);
  pg_json_free(doc);
  pg_cluster_decl_clear(&d);
  return -1;
}

static void free_names(char **names, size_t n) {
  for (size_t i = 0; names && i < n; i++) free(names[i]);
  free(names);
}

void pg_cluster_decl_clear(pg_cluster_decl *d) {
  if (!d) return;
  free(d->program);
  free(d->node);
  free_names(d->requires, d->nrequires);
  free_names(d->exports, d->nexports);
  free(d->died);
  memset(d, 0, sizeof *d);
}

/* ---- the view ------------------------------------------------------------ */

int pg_cluster_view_init(pg_cluster_view *v, const char *const *programs,
                         size_t nprograms, const pg_cluster_placement *pl) {
  memset(v, 0, sizeof *v);
  v->programs = programs;
  v->nprograms = nprograms;
  size_t total = 0;
  for (size_t i = 0; i < pl->nnodes; i++) total += pl->node_nprograms[i];
  v->slots = calloc(total ? total : 1, sizeof *v->slots);
  v->merged_requires = calloc(nprograms ? nprograms : 1, sizeof(char **));
  v->merged_exports = calloc(nprograms ? nprograms : 1, sizeof(char **));
  if (!v->slots || !v->merged_requires || !v->merged_exports) goto fail;
  for (size_t i = 0; i < pl->nnodes; i++)
    for (size_t j = 0; j < pl->node_nprograms[i]; j++) {
      size_t prog = pl->node_programs[i][j];
      if (prog >= nprograms) goto fail;
      v->slots[v->nslots++] = (pg_cluster_slot){.program = prog,
                                                .node = pl->nodes[i]};
    }
  return 0;
fail:
  pg_cluster_view_free(v);
  return -1;
}

static void free_merged(pg_cluster_view *v) {
  for (size_t i = 0; i < v->nprograms; i++) {
    if (v->merged_requires) free(v->merged_requires[i]);
    if (v->merged_exports) free(v->merged_exports[i]);
    if (v->merged_requires) v->merged_requires[i] = NULL;
    if (v->merged_exports) v->merged_exports[i] = NULL;
  }
}

void pg_cluster_view_free(pg_cluster_view *v) {
  if (!v) return;
  free_merged(v);
  free(v->merged_requires);
  free(v->merged_exports);
  for (size_t i = 0; i < v->nslots; i++)
    if (v->slots[i].has_decl) pg_cluster_decl_clear(&v->slots[i].decl);
  free(v->slots);
  memset(v, 0, sizeof *v);
}

/* The slot whose key is "<kind>.<program>.<node>", compared whole so that
 * names holding '.' cannot be split the wrong way. */
static pg_cluster_slot *slot_of_key(pg_cluster_view *v, const char *kind,
                                    const char *key) {
  char want[512];
  for (size_t i = 0; i < v->nslots; i++) {
    pg_cluster_slot *s = &v->slots[i];
    pg_cluster_key(kind, v->programs[s->program], s->node, want, sizeof want);
    if (strcmp(want, key) == 0) return s;
  }
  return NULL;
}

static bool same_names(char **a, size_t na, char **b, size_t nb) {
  if (na != nb) return false;
  for (size_t i = 0; i < na; i++)
    if (strcmp(a[i], b[i]) != 0) return false;
  return true;
}

static bool same_decl(const pg_cluster_decl *a, const pg_cluster_decl *b) {
  bool died_same = (!a->died && !b->died) ||
                   (a->died && b->died && strcmp(a->died, b->died) == 0);
  return died_same && same_names(a->requires, a->nrequires, b->requires,
                                 b->nrequires) &&
         same_names(a->exports, a->nexports, b->exports, b->nexports);
}

static pg_cluster_change apply_decl(pg_cluster_view *v, pg_cluster_slot *s,
                                    const char *value, size_t len,
                                    bool deleted, char *err, size_t errlen) {
  if (deleted) {
    if (v->frozen || !s->has_decl)
      return PG_CLUSTER_UNCHANGED; /* the graph stands; nothing to forget */
    pg_cluster_decl_clear(&s->decl);
    s->has_decl = false;
    return PG_CLUSTER_CHANGED;
  }
  pg_cluster_decl d;
  if (pg_cluster_decl_decode(value, len, &d, err, errlen) != 0)
    return PG_CLUSTER_BAD;
  if (strcmp(d.program, v->programs[s->program]) != 0 ||
      strcmp(d.node, s->node) != 0) {
    snprintf(err, errlen, "declares program '%s' on node '%s'", d.program,
             d.node);
    pg_cluster_decl_clear(&d);
    return PG_CLUSTER_BAD;
  }
  if (s->has_decl && same_decl(&s->decl, &d)) {
    pg_cluster_decl_clear(&d);
    return PG_CLUSTER_UNCHANGED;
  }
  if (v->frozen) {
    snprintf(err, errlen,
             "program %s on node %s declared something else than when the "
             "app started; restart every node to adopt it",
             d.program, d.node);
    pg_cluster_decl_clear(&d);
    return PG_CLUSTER_LATE_CHANGE;
  }
  if (s->has_decl) pg_cluster_decl_clear(&s->decl);
  s->decl = d;
  s->has_decl = true;
  return PG_CLUSTER_CHANGED;
}

pg_cluster_change pg_cluster_view_apply(pg_cluster_view *v, const char *key,
                                        const char *value, size_t len,
                                        bool deleted, char *err,
                                        size_t errlen) {
  char dummy[8];
  if (!err || !errlen) err = dummy, errlen = sizeof dummy;
  err[0] = '\0';
  if (!key) return PG_CLUSTER_IGNORED;
  pg_cluster_slot *s;
  if (strncmp(key, "decl.", 5) == 0 && (s = slot_of_key(v, "decl", key)))
    return apply_decl(v, s, value, len, deleted, err, errlen);
  if (strncmp(key, "ready.", 6) == 0 && (s = slot_of_key(v, "ready", key))) {
    if (s->ready == !deleted) return PG_CLUSTER_UNCHANGED;
    s->ready = !deleted;
    return PG_CLUSTER_CHANGED;
  }
  return PG_CLUSTER_IGNORED;
}

bool pg_cluster_view_complete(const pg_cluster_view *v) {
  for (size_t i = 0; i < v->nslots; i++)
    if (!v->slots[i].has_decl) return false;
  return true;
}

size_t pg_cluster_view_missing(const pg_cluster_view *v,
                               void (*line)(void *ctx, const char *text),
                               void *ctx) {
  size_t nodes = 0;
  for (size_t i = 0; i < v->nslots;) {
    const char *node = v->slots[i].node;
    char text[1024];
    int len = snprintf(text, sizeof text,
                       "waiting for declarations from node %s: ", node);
    bool any = false;
    for (; i < v->nslots && v->slots[i].node == node; i++) {
      if (v->slots[i].has_decl) continue;
      const char *name = v->programs[v->slots[i].program];
      if (len > 0 && (size_t)len < sizeof text)
        len += snprintf(text + len, sizeof text - (size_t)len, "%s%s",
                        any ? ", " : "", name);
      any = true;
    }
    if (!any) continue;
    nodes++;
    if (line) line(ctx, text);
  }
  return nodes;
}

/* Appends the names not yet in list (n entries, cap >= n + count). */
static void union_names(const char **list, size_t *n, char *const *names,
                        size_t count) {
  for (size_t i = 0; i < count; i++) {
    bool seen = false;
    for (size_t j = 0; j < *n && !seen; j++) seen = !strcmp(list[j], names[i]);
    if (!seen) list[(*n)++] = names[i];
  }
}

static int merge_program(pg_cluster_view *v, size_t p, pg_graph_node *node) {
  size_t max_req = 0, max_exp = 0;
  for (size_t i = 0; i < v->nslots; i++)
    if (v->slots[i].program == p && v->slots[i].has_decl) {
      max_req += v->slots[i].decl.nrequires;
      max_exp += v->slots[i].decl.nexports;
    }
  const char **req = calloc(max_req ? max_req : 1, sizeof *req);
  const char **exp = calloc(max_exp ? max_exp : 1, sizeof *exp);
  v->merged_requires[p] = req;
  v->merged_exports[p] = exp;
  if (!req || !exp) return -1;
  *node = (pg_graph_node){.name = v->programs[p], .requires = req,
                          .exports = exp};
  for (size_t i = 0; i < v->nslots; i++) {
    const pg_cluster_slot *s = &v->slots[i];
    if (s->program != p || !s->has_decl) continue;
    union_names(req, &node->nrequires, s->decl.requires, s->decl.nrequires);
    union_names(exp, &node->nexports, s->decl.exports, s->decl.nexports);
    if (s->decl.died && !node->died_before_run) {
      node->died_before_run = true;
      node->death_reason = s->decl.died;
    }
  }
  return 0;
}

int pg_cluster_view_graph_nodes(pg_cluster_view *v, pg_graph_node *nodes) {
  free_merged(v);
  for (size_t p = 0; p < v->nprograms; p++)
    if (merge_program(v, p, &nodes[p]) != 0) return -1;
  return 0;
}

bool pg_cluster_view_ready_somewhere(const pg_cluster_view *v,
                                     size_t program) {
  for (size_t i = 0; i < v->nslots; i++)
    if (v->slots[i].program == program && v->slots[i].ready) return true;
  return false;
}
