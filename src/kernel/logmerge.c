/*
 * logmerge.c: parsing published log lines and merging them in time order
 * (contract in logmerge.h). Lines come from the network: every member is
 * checked; a line that does not parse is reported by the caller, never
 * half-printed.
 */
#include "kernel/logmerge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- one record ---------------------------------------------------------- */

static pg_log_span span(const pg_json *s) {
  pg_log_span out = {s->str, s->len};
  return out;
}

static int parse_fields(const pg_json *fields, pg_logrec *r) {
  if (!fields) return 0;
  if (fields->type != PG_JSON_OBJECT) return -1;
  r->kv = calloc(fields->nitems ? 2 * fields->nitems : 1, sizeof *r->kv);
  if (!r->kv) return -1;
  for (size_t i = 0; i < fields->nitems; i++) {
    const pg_json *f = &fields->items[i];
    if (f->type != PG_JSON_STRING) return -1;
    r->kv[2 * i] = (pg_log_span){f->key, f->key_len};
    r->kv[2 * i + 1] = span(f);
  }
  r->nfields = fields->nitems;
  return 0;
}

static const char *fill_record(pg_logrec *r) {
  const pg_json *doc = r->doc;
  if (doc->type != PG_JSON_OBJECT) return "not an object";
  if (pg_json_u64(pg_json_get(doc, "ns"), &r->ns) != 0) return "bad \"ns\"";
  if (pg_json_u64(pg_json_get(doc, "seq"), &r->seq) != 0)
    return "bad \"seq\"";
  r->node = pg_json_get_str(doc, "node");
  if (!r->node) return "bad \"node\"";
  const char *level = pg_json_get_str(doc, "level");
  int lv = level ? pg_log_level_parse(level) : -1;
  if (lv < 0) return "bad \"level\"";
  r->level = (pg_log_level)lv;
  const pg_json *prog = pg_json_get(doc, "program");
  const pg_json *msg = pg_json_get(doc, "msg");
  if (!prog || prog->type != PG_JSON_STRING) return "bad \"program\"";
  if (!msg || msg->type != PG_JSON_STRING) return "bad \"msg\"";
  r->program = span(prog);
  r->msg = span(msg);
  const pg_json *replica = pg_json_get(doc, "replica");
  int32_t rep = -1;
  if (replica && (pg_json_i32(replica, &rep) != 0 || rep < 0))
    return "bad \"replica\"";
  r->replica = rep;
  if (parse_fields(pg_json_get(doc, "fields"), r) != 0)
    return "bad \"fields\"";
  return NULL;
}

int pg_logrec_parse(const char *text, size_t len, pg_logrec *out, char *err,
                    size_t errlen) {
  pg_logrec r = {0};
  if (pg_json_parse(text, len, &r.doc, err, errlen) != 0) return -1;
  const char *why = fill_record(&r);
  if (why) {
    if (err && errlen) snprintf(err, errlen, "%s", why);
    pg_logrec_clear(&r);
    return -1;
  }
  *out = r;
  return 0;
}

void pg_logrec_clear(pg_logrec *r) {
  if (!r) return;
  free(r->kv);
  pg_json_free(r->doc);
  memset(r, 0, sizeof *r);
}

void pg_logrec_print(pg_log *log, const pg_logrec *r) {
  pg_log_emit_remote(log, r->ns, r->node, r->level, r->program, r->replica,
                     r->msg, r->kv, r->nfields);
}

/* ---- the merger: a binary min-heap --------------------------------------- */

static int compare(const pg_logrec *a, const pg_logrec *b) {
  if (a->ns != b->ns) return a->ns < b->ns ? -1 : 1;
  int c = strcmp(a->node, b->node);
  if (c) return c;
  return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void swap(pg_logrec *a, pg_logrec *b) {
  pg_logrec t = *a;
  *a = *b;
  *b = t;
}

static void sift_up(pg_logmerge *m, size_t i) {
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (compare(&m->heap[i], &m->heap[parent]) >= 0) break;
    swap(&m->heap[i], &m->heap[parent]);
    i = parent;
  }
}

static void sift_down(pg_logmerge *m, size_t i) {
  for (;;) {
    size_t least = i, l = 2 * i + 1, r = l + 1;
    if (l < m->n && compare(&m->heap[l], &m->heap[least]) < 0) least = l;
    if (r < m->n && compare(&m->heap[r], &m->heap[least]) < 0) least = r;
    if (least == i) return;
    swap(&m->heap[i], &m->heap[least]);
    i = least;
  }
}

int pg_logmerge_add(pg_logmerge *m, pg_logrec *r) {
  if (m->n == m->cap) {
    size_t cap = m->cap ? 2 * m->cap : 256;
    pg_logrec *grown = realloc(m->heap, cap * sizeof *grown);
    if (!grown) {
      pg_logrec_clear(r);
      return -1;
    }
    m->heap = grown;
    m->cap = cap;
  }
  m->heap[m->n] = *r;
  memset(r, 0, sizeof *r);
  sift_up(m, m->n++);
  return 0;
}

size_t pg_logmerge_flush(pg_logmerge *m, uint64_t upto,
                         void (*emit)(void *ctx, const pg_logrec *r),
                         void *ctx) {
  size_t count = 0;
  while (m->n > 0 && m->heap[0].ns <= upto) {
    pg_logrec top = m->heap[0];
    m->heap[0] = m->heap[--m->n];
    if (m->n) sift_down(m, 0);
    if (emit) emit(ctx, &top);
    pg_logrec_clear(&top);
    count++;
  }
  return count;
}

void pg_logmerge_free(pg_logmerge *m) {
  if (!m) return;
  for (size_t i = 0; i < m->n; i++) pg_logrec_clear(&m->heap[i]);
  free(m->heap);
  memset(m, 0, sizeof *m);
}
