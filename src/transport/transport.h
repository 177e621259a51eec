/*
 * transport.h: calls that leave the process, over NATS (DESIGN.md,
 * "Deployment as microservices"). One pg_transport is one node's NATS
 * connection with
 *   - one wildcard reply subscription (_INBOX.<random>.*): the replies to
 *     every request this node sends, matched to calls by the id at the end;
 *   - one queue subscription per service this node serves
 *     (parigot.<app>.svc.<service>, queue group "<service>"), so NATS
 *     balances the calls over every node that runs a replica.
 * Names and headers are in wire.h.
 *
 * Threads: libnats delivers messages and connection events on its own
 * threads. This library copies each into one malloc'd record and hands it
 * to the callback the user gave (pg_transport_callbacks); a callback must
 * only pass the record on (the kernel posts it to its inbox) and must not
 * call back into the transport. pg_transport_free waits for running
 * callbacks and no callback starts after it begins.
 *
 * The library knows nothing of the kernel; the kernel's remote.c maps its
 * calls onto it. cluster.c uses pg_transport_conn() for JetStream KV and
 * log subjects.
 */
#ifndef PG_TRANSPORT_TRANSPORT_H
#define PG_TRANSPORT_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nats/nats.h>

#include "transport/wire.h"

typedef struct pg_transport pg_transport;

/* A reply to one of this node's requests. One allocation: free() it. */
typedef struct pg_transport_reply {
  uint32_t call_id;   /* from the reply subject; never 0 */
  bool no_responders; /* NATS found no subscriber: status is UNAVAILABLE */
  bool malformed;     /* no valid Parigot-Status: status is INTERNAL */
  int32_t status;     /* gRPC code 0..16 */
  uint8_t *body;      /* body_len bytes, inside this allocation */
  size_t body_len;
  char *message;      /* message_len bytes + NUL, inside; may hold NUL */
  size_t message_len;
} pg_transport_reply;

/* A call from another node (or this one) to a service this node serves.
 * One allocation: free() it; every pointer points inside it. */
typedef struct pg_transport_incoming {
  char *service;     /* as given to pg_transport_serve */
  size_t service_len;
  char *method;      /* method_len bytes + NUL */
  size_t method_len;
  uint8_t *body;
  size_t body_len;
  char *reply_to;    /* NULL: the sender wants no reply */
  uint32_t deadline_ms; /* time left when sent; 0: no header */
  bool has_trace;
  pg_trace trace;    /* the caller's trace and its span */
  char *from;        /* Parigot-From, or "" */
} pg_transport_incoming;

typedef enum pg_transport_event_kind {
  PG_TRANSPORT_DISCONNECTED,
  PG_TRANSPORT_RECONNECTED,
  PG_TRANSPORT_CLOSED,
  PG_TRANSPORT_ERROR /* an asynchronous error (slow consumer, ...) */
} pg_transport_event_kind;

/* A change of the connection. One allocation: free() it. */
typedef struct pg_transport_event {
  pg_transport_event_kind kind;
  char text[256]; /* e.g. "nats: disconnected from nats://127.0.0.1:4222" */
} pg_transport_event;

/* Run on libnats threads; each record is consumed (the callee frees it).
 * A NULL callback drops those records. */
typedef struct pg_transport_callbacks {
  void (*reply)(void *ctx, pg_transport_reply *reply);
  void (*request)(void *ctx, pg_transport_incoming *request);
  void (*event)(void *ctx, pg_transport_event *event);
  void *ctx; /* borrowed; must outlive the transport */
} pg_transport_callbacks;

/* Copied by pg_transport_connect (strings too). */
typedef struct pg_transport_options {
  const char *app;  /* the app's name: subjects are parigot.<app>.... */
  const char *node; /* this node's name (connection name, Parigot-From) */
  const char *const *urls; /* nurls >= 1 server URLs */
  size_t nurls;
  const char *user, *password; /* both or neither */
  const char *token;           /* or a token */
  bool tls;                    /* require TLS */
  const char *tls_ca;          /* CA bundle to trust; NULL: system's */
  const char *tls_cert, *tls_key; /* client certificate; both or neither */
  uint32_t connect_timeout_ms; /* per attempt; 0 = 2000 */
  pg_transport_callbacks callbacks;
} pg_transport_options;

/* Connects and subscribes to the reply inbox. On success writes *out and
 * returns 0. On failure returns -1 and writes to err a line such as
 * "nats: cannot connect to nats://127.0.0.1:4222: Authorization Violation";
 * it never waits longer than the connect timeout per server. */
int pg_transport_connect(pg_transport **out, const pg_transport_options *o,
                         char *err, size_t errlen);

/* Stops the subscriptions, flushes what was published (for at most a
 * second), closes the connection and frees t. Accepts NULL. Waits for
 * callbacks in progress; none runs afterwards. */
void pg_transport_free(pg_transport *t);

/* The libnats connection, borrowed until pg_transport_free. */
natsConnection *pg_transport_conn(pg_transport *t);
/* The server URL in use (for messages); "" when unknown. Copy it. */
const char *pg_transport_url(pg_transport *t);

/* Serves `service` from now on: its requests reach callbacks.request.
 * Returns 0, or -1 with the reason in err. Serving twice is a no-op. */
int pg_transport_serve(pg_transport *t, const char *service, char *err,
                       size_t errlen);
/* Stops serving `service` (NATS sends its next calls elsewhere). */
void pg_transport_unserve(pg_transport *t, const char *service);

/* One outgoing call; every field is borrowed for the duration of
 * pg_transport_send. */
typedef struct pg_transport_call {
  const char *service;
  size_t service_len;
  const char *method;
  size_t method_len;
  const uint8_t *body;
  size_t body_len;
  uint32_t call_id;     /* comes back in pg_transport_reply.call_id; != 0 */
  uint32_t deadline_ms; /* time left */
  const pg_trace *trace; /* NULL: no trace header */
  const char *from;      /* NULL: no Parigot-From header */
} pg_transport_call;

/* Publishes the request (call borrowed for the call: its bytes are copied
 * into the NATS message); the reply (or NATS's "no responders") arrives
 * later through callbacks.reply. Returns 0; PG_TRANSPORT_BAD_NAME when
 * the service or method name cannot travel over NATS (the caller's
 * fault); or PG_TRANSPORT_FAILED (a closed connection, a payload over the
 * server's limit). Either failure writes the reason to err. */
enum { PG_TRANSPORT_FAILED = -1, PG_TRANSPORT_BAD_NAME = -2 };
int pg_transport_send(pg_transport *t, const pg_transport_call *call,
                         char *err, size_t errlen);

/* Answers a request: reply_to from pg_transport_incoming (borrowed), the
 * status, the reply bytes (status OK) or the error message (otherwise),
 * both borrowed. Returns 0, or -1 when it could not be published (the
 * caller then sees its deadline pass). */
int pg_transport_respond(pg_transport *t, const char *reply_to, int32_t status,
                         const uint8_t *body, size_t body_len, const char *msg,
                         size_t msg_len);

#endif /* PG_TRANSPORT_TRANSPORT_H */
