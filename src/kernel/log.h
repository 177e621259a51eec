/*
 * log.h: the unified log (log.c). One stream for the whole app: every line
 * has a time (RFC 3339, UTC, milliseconds), a level, the program (and
 * replica) it came from, a message and key=value fields. Sources:
 * LogService calls, guest stdout/stderr (line-buffered per program replica
 * and stream), and the kernel's own events (startup order, aborts, traps,
 * restarts).
 *
 * Text:  2026-11-29T18:41:08.123Z INFO  store[0] saved item key=apple n=3
 * JSON:  {"time":"2026-11-29T18:41:08.123Z","level":"info",
 *         "program":"store","replica":0,"msg":"saved item",
 *         "fields":{"key":"apple","n":"3"}}
 *
 * Kernel events use the program name "parigot". The clock is a hook so
 * --deterministic can make two runs print byte-identical logs. Not
 * thread-safe: the kernel's event loop owns it.
 */
#ifndef PG_KERNEL_LOG_H
#define PG_KERNEL_LOG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum pg_log_level {
  PG_LOG_DEBUG,
  PG_LOG_INFO,
  PG_LOG_WARN,
  PG_LOG_ERROR,
  PG_LOG_FATAL
} pg_log_level;

typedef enum pg_log_format { PG_LOG_TEXT, PG_LOG_JSON } pg_log_format;

typedef enum pg_log_stream_id { PG_LOG_STDOUT, PG_LOG_STDERR } pg_log_stream_id;

typedef struct pg_log_field {
  const char *key;   /* borrowed for the call */
  const char *value; /* borrowed for the call */
} pg_log_field;

typedef struct pg_log pg_log;

typedef struct pg_log_options {
  FILE *out;            /* borrowed; where lines go (stderr if NULL) */
  pg_log_format format;
  pg_log_level min_level; /* lines below are dropped */
  /* Wall-clock time in ns since the Unix epoch; NULL = CLOCK_REALTIME. */
  uint64_t (*clock_ns)(void *ctx);
  void *clock_ctx;
} pg_log_options;

/* opts is copied. Returns 0, or -1 when out of memory. */
int pg_log_new(pg_log **out, const pg_log_options *opts);
/* Flushes partial guest lines and frees. Accepts NULL. */
void pg_log_free(pg_log *log);

/* One line. replica < 0 prints no replica. Strings are borrowed for the
 * call; the message and values are escaped as needed (control characters,
 * quotes, newlines) so one call is always exactly one line. */
void pg_log_emit(pg_log *log, pg_log_level level, const char *program,
                 int replica, const char *msg, const pg_log_field *fields,
                 size_t nfields);
void pg_log_emitf(pg_log *log, pg_log_level level, const char *program,
                  int replica, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* A counted string: may hold NUL bytes or invalid UTF-8. */
typedef struct pg_log_span {
  const char *data; /* borrowed for the call; may be NULL when len is 0 */
  size_t len;
} pg_log_span;

/* As pg_log_emit, for counted strings (LogService requests may hold NUL):
 * kv[2*i] is the key and kv[2*i+1] the value of field i. All borrowed. */
void pg_log_emit_spans(pg_log *log, pg_log_level level, const char *program,
                       int replica, pg_log_span msg, const pg_log_span *kv,
                       size_t nfields);

/* Bytes a guest wrote to stdout/stderr: complete lines are emitted (stdout
 * at INFO with field stream=stdout, stderr at WARN with stream=stderr);
 * a partial line waits for its newline, for pg_log_flush_guest, or is cut
 * at 64 KiB. */
void pg_log_guest_output(pg_log *log, const char *program, int replica,
                         pg_log_stream_id stream, const uint8_t *bytes,
                         size_t len);
/* Emits what is left of a guest's partial lines (at exit or restart). */
void pg_log_flush_guest(pg_log *log, const char *program, int replica);

/* ---- across nodes (cluster.c, `parigot logs`) ------------------------- */

/* Receives every line this log emits (at or above its level) as one JSON
 * object, without newline, borrowed for the call:
 *   {"time":"2026-11-29T18:41:08.123Z","ns":1795984868123456789,
 *    "node":"b","seq":17,"level":"info","program":"cart","replica":0,
 *    "msg":"...","fields":{...}}
 * seq counts this log's published lines from 0. Called on the thread that
 * emits (the kernel's event loop). */
typedef void (*pg_log_sink)(void *ctx, const char *json, size_t len);

/* Sets (or, with sink NULL, removes) the sink; node is copied and names
 * this node in published lines. Returns 0, or -1 when out of memory (the
 * previous sink is kept then). */
int pg_log_set_sink(pg_log *log, const char *node, pg_log_sink sink,
                    void *ctx);

/* One line another node published: written with its own time and node
 * ("2026-...Z INFO  b/cart[0] msg k=v" in text, a "node" member in JSON).
 * Not handed to the sink. All strings borrowed for the call. */
void pg_log_emit_remote(pg_log *log, uint64_t time_ns, const char *node,
                        pg_log_level level, pg_log_span program, int replica,
                        pg_log_span msg, const pg_log_span *kv,
                        size_t nfields);

const char *pg_log_level_name(pg_log_level level); /* "info", ... */
/* Parses "debug".."fatal"; returns -1 for anything else. */
int pg_log_level_parse(const char *s);

#endif /* PG_KERNEL_LOG_H */
