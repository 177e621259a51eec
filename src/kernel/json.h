/*
 * json.h: the little JSON the cluster needs (json.c). Nodes publish their
 * declarations, readiness and log lines on NATS as small JSON objects
 * (cluster.c, log.c) and read the other nodes' back (cluster_view.c,
 * logmerge.c). The bytes come from the network, so the reader checks
 * everything, bounds its nesting and never trusts a length; strings are
 * counted (a log message may hold "\u0000").
 *
 * Reader: pg_json_parse builds a small tree; numbers keep their text so a
 * 64-bit nanosecond time survives exactly (pg_json_u64).
 * Writer: pg_jsonw appends to a growing buffer; a failed allocation sticks
 * (oom) and the caller checks once at the end.
 */
#ifndef PG_KERNEL_JSON_H
#define PG_KERNEL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum pg_json_type {
  PG_JSON_NULL,
  PG_JSON_BOOL,
  PG_JSON_NUMBER,
  PG_JSON_STRING,
  PG_JSON_ARRAY,
  PG_JSON_OBJECT
} pg_json_type;

typedef struct pg_json pg_json;
struct pg_json {
  pg_json_type type;
  bool boolean;   /* BOOL */
  char *str;      /* STRING: decoded bytes; NUMBER: its text. Owned,
                     NUL-terminated, len bytes (a string may hold NUL) */
  size_t len;
  pg_json *items; /* ARRAY, OBJECT: owned, nitems children */
  size_t nitems;
  char *key;      /* member of an OBJECT: owned, key_len bytes */
  size_t key_len;
};

/* Deepest nesting accepted (arrays and objects). */
#define PG_JSON_MAX_DEPTH 32

/* Parses exactly one JSON value (surrounding white space allowed) from
 * len bytes at text (borrowed for the call). On success writes *out (free
 * with pg_json_free) and returns 0; otherwise returns -1 and writes a
 * reason with the byte offset to err. */
int pg_json_parse(const char *text, size_t len, pg_json **out, char *err,
                  size_t errlen);
void pg_json_free(pg_json *v); /* accepts NULL */

/* The member `key` of an object, or NULL (also when v is no object). The
 * first one wins when a key repeats. */
const pg_json *pg_json_get(const pg_json *v, const char *key);
/* The string member `key` (NUL-terminated), or NULL. */
const char *pg_json_get_str(const pg_json *v, const char *key);
/* A NUMBER that is a non-negative integer fitting 64 bits: 0 and *out, or
 * -1. */
int pg_json_u64(const pg_json *v, uint64_t *out);
/* A NUMBER that is an integer in [INT32_MIN, INT32_MAX]: 0 and *out, or -1. */
int pg_json_i32(const pg_json *v, int32_t *out);

/* ---- writer ------------------------------------------------------------- */

typedef struct pg_jsonw {
  char *data; /* owned; NUL-terminated when not NULL */
  size_t len, cap;
  bool oom;   /* an allocation failed: the text is incomplete */
} pg_jsonw;

void pg_jsonw_raw(pg_jsonw *w, const char *s);
/* A JSON string of len bytes (quotes added; invalid UTF-8 -> U+FFFD). */
void pg_jsonw_str(pg_jsonw *w, const char *s, size_t len);
void pg_jsonw_cstr(pg_jsonw *w, const char *s); /* NULL writes null */
/* `"key":` */
void pg_jsonw_key(pg_jsonw *w, const char *key);
/* Hands the text over (NULL when oom); the writer is empty afterwards. */
char *pg_jsonw_take(pg_jsonw *w, size_t *len);

#endif /* PG_KERNEL_JSON_H */
