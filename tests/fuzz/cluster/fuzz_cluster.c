/*
 * fuzz_cluster.c: libFuzzer target for what a node reads from NATS (the
 * bytes come from other nodes or anyone allowed on the bucket and the log
 * stream): the JSON reader (src/kernel/json.c), a declaration
 * (cluster_view.c: decoded, re-encoded and decoded again to the same
 * thing, then applied to a view whose graph is built), and a published log
 * line (logmerge.c: parsed, merged and printed in both formats).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/cluster.h"
#include "kernel/json.h"
#include "kernel/logmerge.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

static void check_decl(const char *text, size_t len) {
  pg_cluster_decl d, again;
  char err[256];
  if (pg_cluster_decl_decode(text, len, &d, err, sizeof err) != 0) return;
  char *enc = NULL;
  size_t enclen = 0;
  if (pg_cluster_decl_encode(&d, &enc, &enclen) != 0) abort();
  if (pg_cluster_decl_decode(enc, enclen, &again, err, sizeof err) != 0)
    abort(); /* what we write, we read */
  if (strcmp(d.program, again.program) || d.nrequires != again.nrequires ||
      d.nexports != again.nexports || !d.died != !again.died)
    abort();
  pg_cluster_decl_clear(&again);
  /* As the value of its own key, in a one-node placement. */
  const char *const programs[] = {d.program};
  const char *const nodes[] = {d.node};
  const size_t only[] = {0};
  const size_t *const node_programs[] = {only};
  const size_t counts[] = {1};
  pg_cluster_placement pl = {nodes, 1, node_programs, counts};
  pg_cluster_view v;
  if (pg_cluster_view_init(&v, programs, 1, &pl) == 0) {
    char key[600];
    pg_cluster_key("decl", d.program, d.node, key, sizeof key);
    if (pg_cluster_view_apply(&v, key, text, len, false, err, sizeof err) ==
            PG_CLUSTER_CHANGED &&
        pg_cluster_view_complete(&v)) {
      pg_graph_node gn[1];
      pg_graph g = {0};
      if (pg_cluster_view_graph_nodes(&v, gn) == 0 &&
          pg_graph_build(gn, 1, NULL, 0, &g) == 0)
        pg_graph_print_text(&g, gn, devnull);
      pg_graph_free(&g);
    }
    pg_cluster_view_free(&v);
  }
  free(enc);
  pg_cluster_decl_clear(&d);
}

static void print_rec(void *ctx, const pg_logrec *r) { pg_logrec_print(ctx, r); }

static void check_log_line(const char *text, size_t len) {
  pg_logrec r;
  char err[256];
  if (pg_logrec_parse(text, len, &r, err, sizeof err) != 0) return;
  pg_logmerge m = {0};
  pg_logmerge_add(&m, &r);
  for (int format = PG_LOG_TEXT; format <= PG_LOG_JSON; format++) {
    pg_log_options lo = {.out = devnull, .format = (pg_log_format)format};
    pg_log *log = NULL;
    if (pg_log_new(&log, &lo) != 0) abort();
    if (format == PG_LOG_TEXT) {
      pg_logrec copy;
      if (pg_logrec_parse(text, len, &copy, err, sizeof err) != 0) abort();
      pg_logrec_print(log, &copy);
      pg_logrec_clear(&copy);
    } else {
      pg_logmerge_flush(&m, UINT64_MAX, print_rec, log);
    }
    pg_log_free(log);
  }
  pg_logmerge_free(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!devnull) devnull = fopen("/dev/null", "w");
  const char *text = (const char *)data;
  pg_json *v = NULL;
  char err[256];
  if (pg_json_parse(text, size, &v, err, sizeof err) == 0) {
    uint64_t u;
    int32_t i;
    for (size_t k = 0; v->type == PG_JSON_OBJECT && k < v->nitems; k++) {
      pg_json_u64(&v->items[k], &u);
      pg_json_i32(&v->items[k], &i);
    }
    pg_json_free(v);
  }
  check_decl(text, size);
  check_log_line(text, size);
  return 0;
}
