/*
 * wire.h: what parigot puts on NATS, as pure functions (no connection, no
 * libnats): subject names, the KV bucket name, the reply inbox, and the
 * text of the Parigot-* headers. nats.c uses them to talk; tests check
 * them byte for byte; `parigot logs` and cluster.c use the same names.
 *
 *   parigot.<app>.svc.<service>   requests to a service; queue group
 *                                 "<service>" (all its replicas, any node)
 *   parigot.<app>.log.<node>      a node's log lines
 *   parigot_<app>                 JetStream KV bucket ('.' in app -> '_')
 *   _INBOX.<22 random>.<call-id>  replies; one wildcard subscription a node
 *
 * Request headers: Parigot-Method, Parigot-Deadline-Ms (ms left, decimal),
 * Parigot-Trace ("<32 hex trace id>-<16 hex parent span id>"),
 * Parigot-From ("node/program[replica]", informational).
 * Reply headers: Parigot-Status (decimal gRPC code 0..16),
 * Parigot-Message (the error text, percent-escaped; absent when empty).
 * Bodies are the protobuf bytes, unchanged.
 */
#ifndef PG_TRANSPORT_WIRE_H
#define PG_TRANSPORT_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PG_WIRE_H_METHOD "Parigot-Method"
#define PG_WIRE_H_DEADLINE "Parigot-Deadline-Ms"
#define PG_WIRE_H_TRACE "Parigot-Trace"
#define PG_WIRE_H_FROM "Parigot-From"
#define PG_WIRE_H_STATUS "Parigot-Status"
#define PG_WIRE_H_MESSAGE "Parigot-Message"

/* Longest subject parigot builds (service names are at most 255 bytes). */
#define PG_WIRE_SUBJECT_MAX 512
/* "_INBOX." + 22 random characters. */
#define PG_WIRE_INBOX_LEN 29
/* "<32 hex>-<16 hex>" */
#define PG_WIRE_TRACE_LEN 49

/* A call's place in a trace: the trace it belongs to and the span of the
 * call that caused it (0: a top-level call). */
typedef struct pg_trace {
  uint8_t id[16];
  uint64_t parent_span;
} pg_trace;

/* Whether `s` may be used as dot-separated subject tokens: non-empty
 * tokens of printable ASCII without space, '*' or '>'. */
bool pg_wire_subject_ok(const char *s, size_t len);

/* Each writes a NUL-terminated name into out (cap bytes) and returns its
 * length, or -1 when it does not fit or a part is not subject_ok. */
int pg_wire_subject_svc(char *out, size_t cap, const char *app,
                        const char *service, size_t service_len);
int pg_wire_subject_log(char *out, size_t cap, const char *app,
                        const char *node);
int pg_wire_kv_bucket(char *out, size_t cap, const char *app);

/* "_INBOX." followed by 22 characters of [0-9A-Za-z] made from `random`
 * (at least 22 bytes). out has PG_WIRE_INBOX_LEN + 1 bytes. */
void pg_wire_inbox(char out[PG_WIRE_INBOX_LEN + 1], const uint8_t *random);

/* The call id at the end of a reply subject "<inbox>.<id>": 0 when the
 * subject does not start with `inbox` + "." or the id is not a decimal
 * uint32 other than 0. */
uint32_t pg_wire_reply_call_id(const char *subject, const char *inbox);

/* Header values may not hold CR, LF or other control bytes, and libnats
 * trims spaces at either end; error messages must still arrive unchanged.
 * escape writes `in` with '%', bytes < 0x20, 0x7f, and a space at either
 * end as %XX (upper-case hex); everything else as is. It returns the
 * length the text needs (excluding the NUL) and writes at most cap bytes,
 * always NUL-terminated when cap > 0 (snprintf's contract). */
size_t pg_wire_escape(char *out, size_t cap, const uint8_t *in, size_t len);
/* The inverse; out needs strlen(in) bytes at most. A '%' not followed by
 * two hex digits is kept as is. Returns the number of bytes written. */
size_t pg_wire_unescape(uint8_t *out, const char *in);

/* Trace header text; parse returns 0, or -1 for anything but the exact
 * form (lower- or upper-case hex). */
void pg_wire_trace_format(char out[PG_WIRE_TRACE_LEN + 1], const pg_trace *t);
int pg_wire_trace_parse(const char *s, pg_trace *out);

/* A decimal uint32 with nothing around it ("0" .. "4294967295"): 0 and
 * *out, or -1. */
int pg_wire_parse_u32(const char *s, uint32_t *out);

/* A Parigot-Status value: 0..16, else -1. */
int pg_wire_parse_status(const char *s, int32_t *out);

#endif /* PG_TRANSPORT_WIRE_H */
