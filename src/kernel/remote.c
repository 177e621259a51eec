/*
 * remote.c: the kernel's calls over NATS when it runs as one node of a
 * deployment (`parigot run app.yaml --node NAME`; DESIGN.md, "Deployment
 * as microservices"). It owns k->transport (src/transport) and maps it
 * onto the kernel's calls:
 *   - out: a call to a service whose program has no replica on this node
 *     is published to parigot.<app>.svc.<service> (call.c decides, this
 *     file sends); the reply, or NATS's "no responders", comes back as an
 *     inbox event and completes the call. The call's deadline timer is the
 *     kernel's usual one: a dead node's calls end by it, a late reply
 *     finds its call gone (ids carry a generation) and is dropped.
 *   - in: every service a local program exports is served through a
 *     queue subscription (group = the service), so NATS balances callers
 *     over every node that runs it. A request becomes a call in that
 *     program's queue, exactly like a local one, with the reply subject
 *     kept in the call; completing it publishes the reply.
 * libnats threads only copy what arrived into one malloc'd record and post
 * it to the kernel inbox (post_*); everything else happens on the loop.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel_internal.h"
#include "kernel/remote.h"

/* ---- libnats threads: copy, post, nothing else ----------------------------- */

static void post(pg__kernel *k, int kind, void *record) {
  if (pg__inbox_post(&k->inbox, kind, record) != 0) free(record);
}

static void post_reply(void *ctx, pg_transport_reply *r) {
  post(ctx, PG__EV_REMOTE_REPLY, r);
}

static void post_request(void *ctx, pg_transport_incoming *q) {
  post(ctx, PG__EV_REMOTE_REQUEST, q);
}

static void post_status(void *ctx, pg_transport_event *e) {
  post(ctx, PG__EV_NATS_STATUS, e);
}

/* ---- connection ------------------------------------------------------------ */

int pg__remote_open(pg__kernel *k) {
  pg_transport_options o;
  pg_deploy_transport_options(k->app, k->opts.node, &o);
  o.callbacks = (pg_transport_callbacks){.reply = post_reply,
                                         .request = post_request,
                                         .event = post_status,
                                         .ctx = k};
  char err[768];
  if (pg_transport_connect(&k->transport, &o, err, sizeof err) != 0) {
    k->transport = NULL;
    pg_log_emit(k->log, PG_LOG_ERROR, "parigot", -1, err, NULL, 0);
    return PG_EXIT_CONFIG;
  }
  pg_log_emitf(k->log, PG_LOG_INFO, "parigot", -1, "node %s connected to %s",
               k->opts.node, pg_transport_url(k->transport));
  return 0;
}

void pg__remote_close(pg__kernel *k) {
  pg_transport_free(k->transport); /* no callback runs after this */
  k->transport = NULL;
}

/* ---- serving ----------------------------------------------------------------- */

static bool serves_here(const pg__service *s) {
  return s->owner && s->owner->needed && pg__program_local(s->owner);
}

int pg__remote_serve(pg__kernel *k) {
  if (!k->transport) return 0;
  for (size_t i = 0; i < k->nservices; i++) {
    pg__service *s = &k->services[i];
    if (!serves_here(s)) continue;
    char err[512];
    if (pg_transport_serve(k->transport, s->name, err, sizeof err) != 0) {
      pg_log_emitf(k->log, PG_LOG_ERROR, "parigot", -1,
                   "program %s: cannot serve %s over NATS: %s",
                   s->owner->cfg->name, s->name, err);
      return PG_EXIT_CONFIG;
    }
  }
  return 0;
}

void pg__remote_unserve_program(pg__kernel *k, pg__program *p) {
  if (!k->transport) return;
  for (size_t i = 0; i < k->nservices; i++)
    if (k->services[i].owner == p)
      pg_transport_unserve(k->transport, k->services[i].name);
}

/* ---- calls out ------------------------------------------------------------------ */

/* "node/program[replica]" for Parigot-From. */
static void caller_name(pg__kernel *k, const pg__call *c, char *out,
                        size_t cap) {
  snprintf(out, cap, "%s/%s", k->opts.node ? k->opts.node : "",
           c->caller ? c->caller->label : "?");
}

void pg__remote_send(pg__kernel *k, pg__call *c, uint32_t timeout_ms) {
  char from[160], err[512];
  caller_name(k, c, from, sizeof from);
  pg_trace trace = c->trace;
  trace.parent_span = c->span; /* the callee's parent is this call */
  pg_transport_call tc = {
      .service = c->service->name, .service_len = c->service->name_len,
      .method = (const char *)c->buf, .method_len = c->method_len,
      .body = c->buf + c->method_len, .body_len = c->req_len,
      .call_id = c->id, .deadline_ms = timeout_ms, .trace = &trace,
      .from = from};
  int rc = k->transport ? pg_transport_send(k->transport, &tc, err, sizeof err)
                        : PG_TRANSPORT_FAILED;
  if (!k->transport) snprintf(err, sizeof err, "not connected to NATS");
  if (rc == PG_TRANSPORT_BAD_NAME)
    pg__call_completef(k, c, PG_CODE_INVALID_ARGUMENT, "service %s: %s",
                       c->service->name, err);
  else if (rc != 0)
    pg__call_completef(k, c, PG_CODE_UNAVAILABLE,
                       "service %s is unavailable: %s", c->service->name, err);
}

void pg__remote_reply(pg__kernel *k, pg_transport_reply *r) {
  pg__call *c = pg__call_find(k, r->call_id);
  if (!c || !c->remote || c->state != PG__CALL_SERVING) {
    pg_log_emitf(k->log, PG_LOG_DEBUG, "parigot", -1,
                 "dropped a late reply over NATS (call %u)", r->call_id);
  } else if (r->no_responders) {
    pg__call_completef(k, c, PG_CODE_UNAVAILABLE,
                       "service %s is unavailable: no node serves it",
                       c->service->name);
  } else if (r->malformed) {
    pg__call_completef(k, c, PG_CODE_INTERNAL,
                       "service %s: a reply over NATS without a valid "
                       "Parigot-Status",
                       c->service->name);
  } else if (r->status == PG_CODE_OK) {
    pg__call_complete(k, c, PG_CODE_OK, r->body, r->body_len, NULL, 0);
  } else {
    pg__call_complete(k, c, r->status, NULL, 0, r->message, r->message_len);
  }
  free(r);
}

/* ---- calls in ------------------------------------------------------------------ */

/* Answers a request the kernel will not queue. */
__attribute__((format(printf, 4, 5))) static void
refuse(pg__kernel *k, const pg_transport_incoming *q, int32_t code,
       const char *fmt, ...) {
  if (!q->reply_to) return;
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  size_t n = pg__vformat(msg, sizeof msg, fmt, ap);
  va_end(ap);
  pg_transport_respond(k->transport, q->reply_to, code, NULL, 0, msg, n);
}

/* --log-level debug: one line per call from another node, with the trace
 * it continues (the same trace id appears on the caller's node). */
static void log_incoming(pg__kernel *k, const pg_transport_incoming *q) {
  if (k->opts.log_level > PG_LOG_DEBUG) return;
  char trace[PG_WIRE_TRACE_LEN + 1] = "none";
  if (q->has_trace) pg_wire_trace_format(trace, &q->trace);
  pg_log_emitf(k->log, PG_LOG_DEBUG, "parigot", -1,
               "call from %s to %s/%s over NATS trace=%s", q->from, q->service,
               q->method, trace);
}

void pg__remote_request(pg__kernel *k, pg_transport_incoming *q) {
  log_incoming(k, q);
  pg__service *svc = pg__service_find(k, q->service, q->service_len);
  if (!svc || !serves_here(svc)) {
    refuse(k, q, PG_CODE_UNAVAILABLE, "service %s is not served on node %s",
           q->service, k->opts.node ? k->opts.node : "?");
  } else if (q->method_len == 0 || q->method_len > PARIGOT_ABI_MAX_NAME ||
             q->body_len > PARIGOT_ABI_MAX_PAYLOAD) {
    refuse(k, q, PG_CODE_INVALID_ARGUMENT,
           "service %s: a request over NATS without a method or too large",
           q->service);
  } else if (pg__call_incoming(k, svc, q->method, q->method_len, q->body,
                               q->body_len, q->deadline_ms,
                               q->has_trace ? &q->trace : NULL,
                               q->reply_to) != 0) {
    refuse(k, q, PG_CODE_RESOURCE_EXHAUSTED,
           "service %s: node %s is out of "
           "memory or call slots",
           q->service, k->opts.node ? k->opts.node : "?");
  }
  free(q);
}

void pg__remote_respond(pg__kernel *k, pg__call *c) {
  if (!k->transport) return;
  const uint8_t *msg = c->buf + c->reply_len;
  if (pg_transport_respond(k->transport, c->reply_to, c->status, c->buf,
                           c->reply_len, (const char *)msg, c->msg_len) != 0)
    pg_log_emitf(k->log, PG_LOG_WARN, "parigot", -1,
                 "could not send the reply of %s over NATS",
                 c->service->name);
}

/* ---- connection events ------------------------------------------------------------ */

void pg__remote_status(pg__kernel *k, pg_transport_event *e) {
  pg_log_level level = e->kind == PG_TRANSPORT_RECONNECTED ? PG_LOG_INFO
                                                           : PG_LOG_WARN;
  pg_log_emit(k->log, level, "parigot", -1, e->text, NULL, 0);
  free(e);
}
