/*
 * logmerge.h: the unified log of a deployment (logmerge.c). Every node
 * publishes its log lines as JSON (log.h, pg_log_sink) to
 * `parigot.<app>.log.<node>`; a JetStream stream keeps them. `parigot logs`
 * reads them back in the order the stream holds them — by arrival, which
 * interleaves nodes arbitrarily — and prints them in time order with the
 * node and program on each line. This file is that part without NATS:
 * parse one published line, and a merger that orders records by
 * (time ns, node, seq) and lets them out once they are old enough that no
 * earlier line can still arrive (the reorder window of `--follow`).
 */
#ifndef PG_KERNEL_LOGMERGE_H
#define PG_KERNEL_LOGMERGE_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/json.h"
#include "kernel/log.h"

/* One published line. Spans point into doc, which the record owns. */
typedef struct pg_logrec {
  uint64_t ns;  /* the line's time, ns since the Unix epoch */
  uint64_t seq; /* the node's line number */
  const char *node; /* NUL-terminated */
  pg_log_level level;
  pg_log_span program;
  int replica; /* -1: none */
  pg_log_span msg;
  pg_log_span *kv; /* owned; 2 * nfields spans (key, value, ...) */
  size_t nfields;
  pg_json *doc; /* owned */
} pg_logrec;

/* Parses one published line (borrowed). 0 and *out (free with
 * pg_logrec_clear), or -1 with the reason in err. */
int pg_logrec_parse(const char *text, size_t len, pg_logrec *out, char *err,
                    size_t errlen);
void pg_logrec_clear(pg_logrec *r);

/* Writes a record to log with its own time and node (pg_log_emit_remote). */
void pg_logrec_print(pg_log *log, const pg_logrec *r);

/* Records waiting to be printed: a min-heap by (ns, node, seq). */
typedef struct pg_logmerge {
  pg_logrec *heap; /* owned, n of cap */
  size_t n, cap;
} pg_logmerge;

/* Takes r over (also when it fails: then r is cleared). 0, or -1 when out
 * of memory. */
int pg_logmerge_add(pg_logmerge *m, pg_logrec *r);
/* Hands every record with ns <= upto to emit, in order, and frees it;
 * UINT64_MAX flushes everything. Returns how many. */
size_t pg_logmerge_flush(pg_logmerge *m, uint64_t upto,
                         void (*emit)(void *ctx, const pg_logrec *r),
                         void *ctx);
void pg_logmerge_free(pg_logmerge *m); /* drops what is left */

#endif /* PG_KERNEL_LOGMERGE_H */
