/*
 * json.h: a small JSON reader for the spec-test runner.
 *
 * wast2json describes each spec script as one JSON document (commands,
 * values, module file names). This parser builds a read-only tree from such
 * a document. It accepts exactly RFC 8259 JSON, keeps strings with their
 * length (export names in the spec tests may contain "\u0000"), bounds the
 * nesting depth, and reports the line and column of the first error. The
 * accessors accept NULL and wrong-typed nodes and answer "absent", so the
 * runner can check a field in one expression without crashing on a
 * malformed file.
 */
#ifndef PG_SPEC_JSON_H
#define PG_SPEC_JSON_H

#include <stdbool.h>
#include <stddef.h>

typedef enum pg_json_type {
  PG_JSON_NULL,
  PG_JSON_FALSE,
  PG_JSON_TRUE,
  PG_JSON_NUMBER,
  PG_JSON_STRING,
  PG_JSON_ARRAY,
  PG_JSON_OBJECT
} pg_json_type;

typedef struct pg_json pg_json;

/* Deepest nesting of arrays and objects the parser accepts. */
#define PG_JSON_MAX_DEPTH 64

/* Parses `text` (borrowed, `len` bytes, need not be NUL-terminated). On
 * success writes the tree to *out (owned by the caller; free it with
 * pg_json_free) and returns true. On failure returns false, leaves *out
 * untouched and writes "line L, column C: reason" to `err` (may be NULL;
 * truncated to errlen). */
bool pg_json_parse(pg_json **out, const char *text, size_t len, char *err,
                   size_t errlen);

/* Frees a tree returned by pg_json_parse (consumed). Accepts NULL. */
void pg_json_free(pg_json *root);

/* The node's type; PG_JSON_NULL for a NULL node. */
pg_json_type pg_json_type_of(const pg_json *v);

/* Member `key` of object `obj` (borrowed, lives as long as the tree), or
 * NULL when obj is not an object or has no such member. With duplicate keys
 * the last one wins, as in most JSON readers. */
const pg_json *pg_json_get(const pg_json *obj, const char *key);

/* Number of elements of an array or members of an object; 0 otherwise. */
size_t pg_json_count(const pg_json *v);

/* Element i of an array (or value of member i of an object), or NULL when
 * out of range or not a container. Borrowed. */
const pg_json *pg_json_at(const pg_json *v, size_t i);

/* Key of member i of an object (borrowed, NUL-terminated), or NULL. */
const char *pg_json_key_at(const pg_json *v, size_t i);

/* The NUL-terminated contents of a string node (borrowed), or NULL when v
 * is not a string. *len (may be NULL) receives the length in bytes, which
 * is larger than strlen() when the string holds "\u0000". */
const char *pg_json_string(const pg_json *v, size_t *len);

/* Shortcut: pg_json_string(pg_json_get(obj, key), NULL). */
const char *pg_json_get_string(const pg_json *obj, const char *key);

/* Writes a number node's value to *out and returns true; false when v is
 * not a number. */
bool pg_json_number(const pg_json *v, double *out);

#endif /* PG_SPEC_JSON_H */
