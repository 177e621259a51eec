/*
 * nats.c: pg_transport (transport.h) on libnats. Requests are published
 * with a reply subject under this node's inbox and the call id at its end,
 * so one wildcard subscription takes every reply and no per-call
 * subscription or libnats request map is needed; the server's "no
 * responders" status (503) arrives on the same inbox. Served services are
 * queue subscriptions, one per service.
 *
 * Lifetime: libnats calls us on its threads with `t` as closure. Every
 * callback enters through enter()/leave(); pg_transport_free sets
 * `closing` (new callbacks then drop their message), waits until none is
 * running, closes the connection, and waits for libnats' last callbacks
 * (each subscription's on-complete and the connection's closed callback)
 * before freeing t, so nothing of libnats touches t afterwards.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "transport/transport.h"

#define DEFAULT_CONNECT_TIMEOUT_MS 2000
#define RECONNECT_WAIT_MS 250
/* How long pg_transport_free waits for libnats' last callbacks. */
#define CLOSE_WAIT_MS 3000

typedef struct serve_sub {
  pg_transport *t;
  natsSubscription *sub; /* NULL once unserved */
  char *service;         /* owned */
  size_t service_len;
  struct serve_sub *next;
} serve_sub;

struct pg_transport {
  natsConnection *nc; /* owned */
  natsSubscription *reply_sub;
  char inbox[PG_WIRE_INBOX_LEN + 1];
  char *app; /* owned */
  pg_transport_callbacks cb;
  char url[256];
  /* Guards busy, closing, live_subs, closed (libnats threads vs free). */
  pthread_mutex_t mu;
  pthread_cond_t cond;
  int busy;       /* callbacks running right now */
  bool closing;   /* pg_transport_free has begun: callbacks drop */
  int live_subs;  /* async subscriptions whose on-complete has not run */
  bool closed;    /* the connection's closed callback has run */
  serve_sub *serving; /* owned list; used from the caller's thread only */
};

/* ---- callback guard ----------------------------------------------------- */

static bool enter(pg_transport *t) {
  pthread_mutex_lock(&t->mu);
  bool ok = !t->closing;
  if (ok) t->busy++;
  pthread_mutex_unlock(&t->mu);
  return ok;
}

static void leave(pg_transport *t) {
  pthread_mutex_lock(&t->mu);
  if (--t->busy == 0) pthread_cond_broadcast(&t->cond);
  pthread_mutex_unlock(&t->mu);
}

static void on_sub_complete(void *closure) {
  pg_transport *t = closure;
  pthread_mutex_lock(&t->mu);
  t->live_subs--;
  pthread_cond_broadcast(&t->cond);
  pthread_mutex_unlock(&t->mu);
}

/* Counts an async subscription that will report its on-complete. */
static void track_sub(pg_transport *t, natsSubscription *sub) {
  if (natsSubscription_SetOnCompleteCB(sub, on_sub_complete, t) != NATS_OK)
    return;
  pthread_mutex_lock(&t->mu);
  t->live_subs++;
  pthread_mutex_unlock(&t->mu);
}

/* ---- connection events ---------------------------------------------------- */

static void post_event(pg_transport *t, pg_transport_event_kind kind,
                       const char *fmt, const char *arg) {
  if (!t->cb.event || !enter(t)) return;
  pg_transport_event *e = calloc(1, sizeof *e);
  if (e) {
    e->kind = kind;
    snprintf(e->text, sizeof e->text, fmt, arg);
    t->cb.event(t->cb.ctx, e);
  }
  leave(t);
}

static void on_disconnected(natsConnection *nc, void *closure) {
  pg_transport *t = closure;
  post_event(t, PG_TRANSPORT_DISCONNECTED, "nats: disconnected from %s",
             t->url);
}

static void on_reconnected(natsConnection *nc, void *closure) {
  pg_transport *t = closure;
  char url[256] = "";
  natsConnection_GetConnectedUrl(nc, url, sizeof url);
  post_event(t, PG_TRANSPORT_RECONNECTED, "nats: reconnected to %s", url);
}

static void on_closed(natsConnection *nc, void *closure) {
  pg_transport *t = closure;
  post_event(t, PG_TRANSPORT_CLOSED, "nats: connection to %s closed", t->url);
  pthread_mutex_lock(&t->mu);
  t->closed = true;
  pthread_cond_broadcast(&t->cond);
  pthread_mutex_unlock(&t->mu); /* t may be freed from here on */
}

static void on_async_error(natsConnection *nc, natsSubscription *sub,
                           natsStatus st, void *closure) {
  post_event(closure, PG_TRANSPORT_ERROR, "nats: %s", natsStatus_GetText(st));
}

/* ---- replies ---------------------------------------------------------------- */

/* A header value, or NULL. */
static const char *header(natsMsg *msg, const char *key) {
  const char *v = NULL;
  return natsMsgHeader_Get(msg, key, &v) == NATS_OK ? v : NULL;
}

static pg_transport_reply *reply_from_msg(pg_transport *t, natsMsg *msg) {
  uint32_t id = pg_wire_reply_call_id(natsMsg_GetSubject(msg), t->inbox);
  if (id == 0) return NULL;
  bool no_responders = natsMsg_IsNoResponders(msg);
  const char *status_text = header(msg, PG_WIRE_H_STATUS);
  const char *escaped = header(msg, PG_WIRE_H_MESSAGE);
  size_t body_len = no_responders ? 0 : (size_t)natsMsg_GetDataLength(msg);
  size_t msg_cap = escaped ? strlen(escaped) : 0;
  pg_transport_reply *r = malloc(sizeof *r + body_len + msg_cap + 1);
  if (!r) return NULL;
  *r = (pg_transport_reply){.call_id = id, .no_responders = no_responders};
  r->body = (uint8_t *)(r + 1);
  r->body_len = body_len;
  if (body_len) memcpy(r->body, natsMsg_GetData(msg), body_len);
  r->message = (char *)r->body + body_len;
  r->message_len = escaped ? pg_wire_unescape((uint8_t *)r->message, escaped)
                           : 0;
  r->message[r->message_len] = '\0';
  if (no_responders) {
    r->status = 14; /* UNAVAILABLE */
  } else if (!status_text ||
             pg_wire_parse_status(status_text, &r->status) != 0) {
    r->malformed = true;
    r->status = 13; /* INTERNAL */
  }
  return r;
}

static void on_reply(natsConnection *nc, natsSubscription *sub, natsMsg *msg,
                     void *closure) {
  pg_transport *t = closure;
  if (enter(t)) {
    pg_transport_reply *r = reply_from_msg(t, msg);
    if (r && t->cb.reply)
      t->cb.reply(t->cb.ctx, r);
    else
      free(r);
    leave(t);
  }
  natsMsg_Destroy(msg);
}

/* ---- requests ---------------------------------------------------------------- */

/* Bytes request_from_msg needs beyond the struct. */
static size_t request_size(const serve_sub *s, natsMsg *msg,
                           const char *method, const char *from) {
  const char *reply = natsMsg_GetReply(msg);
  /* Each piece is followed by a NUL (put), the body too. */
  return s->service_len + 1 + strlen(method) + 1 +
         (size_t)natsMsg_GetDataLength(msg) + 1 +
         (reply ? strlen(reply) + 1 : 0) + strlen(from) + 1;
}

/* Copies n bytes to *cursor, then a NUL; returns where they went. */
static char *put(char **cursor, const void *src, size_t n) {
  char *at = *cursor;
  if (n) memcpy(at, src, n);
  at[n] = '\0';
  *cursor += n + 1;
  return at;
}

static pg_transport_incoming *request_from_msg(serve_sub *s, natsMsg *msg) {
  const char *method = header(msg, PG_WIRE_H_METHOD);
  const char *deadline = header(msg, PG_WIRE_H_DEADLINE);
  const char *trace = header(msg, PG_WIRE_H_TRACE);
  const char *from = header(msg, PG_WIRE_H_FROM);
  const char *reply = natsMsg_GetReply(msg);
  if (!method) method = "";
  if (!from) from = "";
  pg_transport_incoming *q = malloc(sizeof *q + request_size(s, msg, method,
                                                              from));
  if (!q) return NULL;
  *q = (pg_transport_incoming){0};
  char *cursor = (char *)(q + 1);
  q->service = put(&cursor, s->service, s->service_len);
  q->service_len = s->service_len;
  q->method_len = strlen(method);
  q->method = put(&cursor, method, q->method_len);
  q->body_len = (size_t)natsMsg_GetDataLength(msg);
  q->body = (uint8_t *)put(&cursor, natsMsg_GetData(msg), q->body_len);
  q->reply_to = reply ? put(&cursor, reply, strlen(reply)) : NULL;
  q->from = put(&cursor, from, strlen(from));
  if (!deadline || pg_wire_parse_u32(deadline, &q->deadline_ms) != 0)
    q->deadline_ms = 0;
  q->has_trace = trace && pg_wire_trace_parse(trace, &q->trace) == 0;
  return q;
}

static void on_request(natsConnection *nc, natsSubscription *sub,
                       natsMsg *msg, void *closure) {
  serve_sub *s = closure;
  pg_transport *t = s->t;
  if (enter(t)) {
    pg_transport_incoming *q = request_from_msg(s, msg);
    if (q && t->cb.request)
      t->cb.request(t->cb.ctx, q);
    else
      free(q);
    leave(t);
  }
  natsMsg_Destroy(msg);
}

/* ---- connecting ---------------------------------------------------------- */

__attribute__((format(printf, 3, 4))) static int
set_err(char *err, size_t errlen, const char *fmt, ...) {
  if (errlen) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
  }
  return -1;
}

/* The most precise text libnats has for the last failure, without the
 * "(conn.c:1905): " source location it puts in front. */
static const char *last_error(natsStatus st) {
  natsStatus last = NATS_OK;
  const char *text = nats_GetLastError(&last);
  if (!text || !text[0]) return natsStatus_GetText(st);
  if (text[0] == '(') {
    const char *end = strstr(text, "): ");
    if (end && end[3]) text = end + 3;
  }
  return text;
}

static void join_urls(char *out, size_t cap, const pg_transport_options *o) {
  out[0] = '\0';
  size_t len = 0;
  for (size_t i = 0; i < o->nurls && len + 1 < cap; i++)
    len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? ", " : "",
                            o->urls[i]);
}

static natsStatus set_auth(natsOptions *no, const pg_transport_options *o) {
  natsStatus s = NATS_OK;
  if (o->user) s = natsOptions_SetUserInfo(no, o->user, o->password);
  if (s == NATS_OK && o->token) s = natsOptions_SetToken(no, o->token);
  if (s == NATS_OK && o->tls) s = natsOptions_SetSecure(no, true);
  if (s == NATS_OK && o->tls_ca)
    s = natsOptions_LoadCATrustedCertificates(no, o->tls_ca);
  if (s == NATS_OK && o->tls_cert)
    s = natsOptions_LoadCertificatesChain(no, o->tls_cert, o->tls_key);
  return s;
}

static natsStatus set_behaviour(natsOptions *no, pg_transport *t,
                                const pg_transport_options *o) {
  char name[256];
  snprintf(name, sizeof name, "parigot %s/%s", o->app, o->node);
  int64_t timeout = o->connect_timeout_ms ? o->connect_timeout_ms
                                          : DEFAULT_CONNECT_TIMEOUT_MS;
  natsStatus s = natsOptions_SetTimeout(no, timeout);
  if (s == NATS_OK) s = natsOptions_SetName(no, name);
  /* Keep trying a lost server for as long as the node runs; calls in
   * flight meanwhile end by their deadlines. */
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(no, -1);
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(no, RECONNECT_WAIT_MS);
  /* A request is one small message: send it now rather than waiting for
   * the flusher thread (lower latency per call). */
  if (s == NATS_OK) s = natsOptions_SetSendAsap(no, true);
  if (s == NATS_OK) s = natsOptions_SetDisconnectedCB(no, on_disconnected, t);
  if (s == NATS_OK) s = natsOptions_SetReconnectedCB(no, on_reconnected, t);
  if (s == NATS_OK) s = natsOptions_SetClosedCB(no, on_closed, t);
  if (s == NATS_OK) s = natsOptions_SetErrorHandler(no, on_async_error, t);
  return s;
}

static natsStatus make_options(natsOptions **out, pg_transport *t,
                               const pg_transport_options *o) {
  natsOptions *no = NULL;
  natsStatus s = natsOptions_Create(&no);
  if (s != NATS_OK) return s;
  if (o->nurls == 1)
    s = natsOptions_SetURL(no, o->urls[0]);
  else
    s = natsOptions_SetServers(no, (const char **)o->urls, (int)o->nurls);
  if (s == NATS_OK) s = set_auth(no, o);
  if (s == NATS_OK) s = set_behaviour(no, t, o);
  if (s != NATS_OK) {
    natsOptions_Destroy(no);
    return s;
  }
  *out = no;
  return NATS_OK;
}

static int subscribe_replies(pg_transport *t, char *err, size_t errlen) {
  uint8_t random[22];
  if (getrandom(random, sizeof random, 0) != (ssize_t)sizeof random)
    for (size_t i = 0; i < sizeof random; i++)
      random[i] = (uint8_t)(rand() ^ (int)time(NULL));
  pg_wire_inbox(t->inbox, random);
  char subject[PG_WIRE_INBOX_LEN + 3];
  snprintf(subject, sizeof subject, "%s.*", t->inbox);
  natsStatus s = natsConnection_Subscribe(&t->reply_sub, t->nc, subject,
                                          on_reply, t);
  if (s != NATS_OK)
    return set_err(err, errlen, "nats: cannot subscribe to %s: %s", subject,
                   last_error(s));
  track_sub(t, t->reply_sub);
  /* Make sure the server has the subscription before the first request
   * could be answered. */
  natsConnection_FlushTimeout(t->nc, 1000);
  return 0;
}

static pg_transport *transport_new(const pg_transport_options *o) {
  pg_transport *t = calloc(1, sizeof *t);
  if (!t) return NULL;
  pthread_mutex_init(&t->mu, NULL);
  pthread_cond_init(&t->cond, NULL);
  t->cb = o->callbacks;
  t->app = strdup(o->app ? o->app : "");
  if (!t->app) {
    pg_transport_free(t);
    return NULL;
  }
  return t;
}

int pg_transport_connect(pg_transport **out, const pg_transport_options *o,
                         char *err, size_t errlen) {
  char urls[512];
  join_urls(urls, sizeof urls, o);
  if (o->nurls == 0)
    return set_err(err, errlen, "nats: no server URL");
  pg_transport *t = transport_new(o);
  if (!t) return set_err(err, errlen, "nats: out of memory");
  natsOptions *no = NULL;
  natsStatus s = make_options(&no, t, o);
  if (s != NATS_OK) {
    set_err(err, errlen, "nats: bad connection options: %s", last_error(s));
    goto fail;
  }
  s = natsConnection_Connect(&t->nc, no);
  natsOptions_Destroy(no);
  if (s != NATS_OK) {
    t->nc = NULL;
    set_err(err, errlen, "nats: cannot connect to %s: %s", urls,
            last_error(s));
    goto fail;
  }
  natsConnection_GetConnectedUrl(t->nc, t->url, sizeof t->url);
  if (subscribe_replies(t, err, errlen) != 0) goto fail;
  *out = t;
  return 0;
fail:
  pg_transport_free(t);
  return -1;
}

/* ---- teardown ------------------------------------------------------------- */

/* Waits (bounded) until `done(t)` holds; t->mu is held by the caller. */
static void wait_until(pg_transport *t, bool (*done)(const pg_transport *)) {
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += CLOSE_WAIT_MS / 1000;
  while (!done(t))
    if (pthread_cond_timedwait(&t->cond, &t->mu, &until) != 0) break;
}

static bool no_callback_running(const pg_transport *t) { return t->busy == 0; }

static bool libnats_finished(const pg_transport *t) {
  return t->closed && t->live_subs <= 0;
}

void pg_transport_free(pg_transport *t) {
  if (!t) return;
  pthread_mutex_lock(&t->mu);
  t->closing = true;
  wait_until(t, no_callback_running);
  pthread_mutex_unlock(&t->mu);
  for (serve_sub *s = t->serving; s; s = s->next)
    if (s->sub) natsSubscription_Unsubscribe(s->sub);
  if (t->nc) {
    natsConnection_FlushTimeout(t->nc, 1000);
    natsConnection_Close(t->nc);
    pthread_mutex_lock(&t->mu);
    wait_until(t, libnats_finished);
    pthread_mutex_unlock(&t->mu);
  }
  while (t->serving) {
    serve_sub *s = t->serving;
    t->serving = s->next;
    natsSubscription_Destroy(s->sub);
    free(s->service);
    free(s);
  }
  natsSubscription_Destroy(t->reply_sub);
  natsConnection_Destroy(t->nc);
  pthread_cond_destroy(&t->cond);
  pthread_mutex_destroy(&t->mu);
  free(t->app);
  free(t);
}

/* ---- accessors ------------------------------------------------------------- */

natsConnection *pg_transport_conn(pg_transport *t) { return t->nc; }
const char *pg_transport_url(pg_transport *t) { return t->url; }

/* ---- serving --------------------------------------------------------------- */

static serve_sub *find_serving(pg_transport *t, const char *service) {
  for (serve_sub *s = t->serving; s; s = s->next)
    if (!strcmp(s->service, service)) return s;
  return NULL;
}

int pg_transport_serve(pg_transport *t, const char *service, char *err,
                       size_t errlen) {
  serve_sub *s = find_serving(t, service);
  if (s && s->sub) return 0;
  char subject[PG_WIRE_SUBJECT_MAX];
  if (pg_wire_subject_svc(subject, sizeof subject, t->app, service,
                          strlen(service)) < 0)
    return set_err(err, errlen,
                   "nats: service name '%s' cannot be a NATS subject",
                   service);
  if (!s) {
    if (!(s = calloc(1, sizeof *s)) || !(s->service = strdup(service))) {
      free(s);
      return set_err(err, errlen, "nats: out of memory");
    }
    s->t = t;
    s->service_len = strlen(service);
    s->next = t->serving;
    t->serving = s;
  }
  natsStatus st = natsConnection_QueueSubscribe(&s->sub, t->nc, subject,
                                                service, on_request, s);
  if (st != NATS_OK) {
    s->sub = NULL;
    return set_err(err, errlen, "nats: cannot subscribe to %s: %s", subject,
                   last_error(st));
  }
  track_sub(t, s->sub);
  natsConnection_FlushTimeout(t->nc, 1000);
  return 0;
}

void pg_transport_unserve(pg_transport *t, const char *service) {
  serve_sub *s = find_serving(t, service);
  if (!s || !s->sub) return;
  natsSubscription_Unsubscribe(s->sub);
  natsSubscription_Destroy(s->sub);
  s->sub = NULL; /* the record stays: a callback may still be using it */
}

/* ---- publishing -------------------------------------------------------------- */

static natsStatus set_request_headers(natsMsg *m, const pg_transport_call *c,
                                      const char *method) {
  char deadline[16], trace[PG_WIRE_TRACE_LEN + 1];
  snprintf(deadline, sizeof deadline, "%u", c->deadline_ms);
  natsStatus s = natsMsgHeader_Set(m, PG_WIRE_H_METHOD, method);
  if (s == NATS_OK) s = natsMsgHeader_Set(m, PG_WIRE_H_DEADLINE, deadline);
  if (s == NATS_OK && c->trace) {
    pg_wire_trace_format(trace, c->trace);
    s = natsMsgHeader_Set(m, PG_WIRE_H_TRACE, trace);
  }
  if (s == NATS_OK && c->from) s = natsMsgHeader_Set(m, PG_WIRE_H_FROM, c->from);
  return s;
}

/* A method travels as a header value: printable ASCII only, no spaces at
 * the ends (gRPC method names are identifiers). */
static bool method_ok(const char *m, size_t len) {
  if (len == 0 || len > 255 || m[0] == ' ' || m[len - 1] == ' ') return false;
  for (size_t i = 0; i < len; i++)
    if ((unsigned char)m[i] < 0x20 || (unsigned char)m[i] >= 0x7f)
      return false;
  return true;
}

int pg_transport_send(pg_transport *t, const pg_transport_call *c,
                         char *err, size_t errlen) {
  char subject[PG_WIRE_SUBJECT_MAX], reply[PG_WIRE_INBOX_LEN + 16];
  char method[256];
  if (pg_wire_subject_svc(subject, sizeof subject, t->app, c->service,
                          c->service_len) < 0) {
    set_err(err, errlen, "service name '%.*s' cannot be a NATS subject",
            (int)c->service_len, c->service);
    return PG_TRANSPORT_BAD_NAME;
  }
  if (!method_ok(c->method, c->method_len)) {
    set_err(err, errlen, "method name '%.*s' cannot travel over NATS",
            (int)c->method_len, c->method);
    return PG_TRANSPORT_BAD_NAME;
  }
  memcpy(method, c->method, c->method_len);
  method[c->method_len] = '\0';
  snprintf(reply, sizeof reply, "%s.%u", t->inbox, c->call_id);
  natsMsg *m = NULL;
  natsStatus s = natsMsg_Create(&m, subject, reply, (const char *)c->body,
                                (int)c->body_len);
  if (s == NATS_OK) s = set_request_headers(m, c, method);
  if (s == NATS_OK) s = natsConnection_PublishMsg(t->nc, m);
  natsMsg_Destroy(m);
  if (s != NATS_OK) {
    set_err(err, errlen, "nats: cannot send the request: %s", last_error(s));
    return PG_TRANSPORT_FAILED;
  }
  return 0;
}

int pg_transport_respond(pg_transport *t, const char *reply_to, int32_t status,
                         const uint8_t *body, size_t body_len, const char *msg,
                         size_t msg_len) {
  char code[16];
  snprintf(code, sizeof code, "%d", (int)status);
  natsMsg *m = NULL;
  natsStatus s = natsMsg_Create(&m, reply_to, NULL, (const char *)body,
                                (int)body_len);
  if (s == NATS_OK) s = natsMsgHeader_Set(m, PG_WIRE_H_STATUS, code);
  char *escaped = NULL;
  if (s == NATS_OK && msg_len) {
    size_t need = pg_wire_escape(NULL, 0, (const uint8_t *)msg, msg_len);
    escaped = malloc(need + 1);
    if (!escaped) s = NATS_NO_MEMORY;
    if (escaped) pg_wire_escape(escaped, need + 1, (const uint8_t *)msg, msg_len);
    if (s == NATS_OK) s = natsMsgHeader_Set(m, PG_WIRE_H_MESSAGE, escaped);
  }
  if (s == NATS_OK) s = natsConnection_PublishMsg(t->nc, m);
  free(escaped);
  natsMsg_Destroy(m);
  return s == NATS_OK ? 0 : -1;
}
