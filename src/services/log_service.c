/*
 * log_service.c: log.v1.LogService, the built-in service behind
 * idl/log/v1/log.proto. Each Log call becomes exactly one line of the
 * unified log (kernel/log.h), attributed to the calling program and
 * replica, so a guest's structured lines sit in the same stream as the
 * kernel's events and every other program's output.
 */
#include <stdlib.h>

#include "log/v1/log.pg.h"
#include "services/host_call.h"
#include "services/service.h"

typedef struct log_service {
  pg_host_service base; /* first, so a pg_host_service* is a log_service* */
  pg_log *log;          /* borrowed; outlives the service */
} log_service;

/* LEVEL_UNSPECIFIED and values this build does not know log at INFO: a
 * line is never refused for its level. */
static pg_log_level map_level(log_v1_Level level) {
  switch (level) {
  case log_v1_Level_LEVEL_DEBUG: return PG_LOG_DEBUG;
  case log_v1_Level_LEVEL_WARN: return PG_LOG_WARN;
  case log_v1_Level_LEVEL_ERROR: return PG_LOG_ERROR;
  case log_v1_Level_LEVEL_FATAL: return PG_LOG_FATAL;
  default: return PG_LOG_INFO;
  }
}

/* Fields as counted strings (they may hold NUL bytes); small requests use
 * the stack. */
#define FIELDS_ON_STACK 16

static int emit_request(pg_log *log, const pg_caller *caller,
                        const log_v1_LogRequest *rq, char *err,
                        size_t errlen) {
  pg_log_span small[2 * FIELDS_ON_STACK];
  pg_log_span *kv = small;
  if (rq->n_fields > FIELDS_ON_STACK) {
    kv = calloc(rq->n_fields, 2 * sizeof *kv);
    if (!kv)
      return pg__fail(err, errlen, PG_CODE_RESOURCE_EXHAUSTED,
                      "out of memory for %zu log fields", rq->n_fields);
  }
  for (size_t i = 0; i < rq->n_fields; i++) {
    const log_v1_Field *f = &rq->fields[i];
    kv[2 * i] = (pg_log_span){f->key.data, f->key.len};
    kv[2 * i + 1] = (pg_log_span){f->value.data, f->value.len};
  }
  pg_log_span msg = {rq->message.data, rq->message.len};
  pg_log_emit_spans(log, map_level(rq->level), caller ? caller->program : "?",
                    caller ? caller->replica : -1, msg, kv, rq->n_fields);
  if (kv != small)
    free(kv);
  return PG_CODE_OK;
}

static int handle_log(pg_host_service *svc, const pg_caller *caller,
                      const char *method, const uint8_t *req, size_t req_len,
                      uint8_t **reply, size_t *reply_len, char *err,
                      size_t errlen) {
  log_service *self = (log_service *)svc;
  pg__request_arena ra;
  log_v1_LogRequest rq;
  log_v1_LogResponse resp = {0};
  *reply = NULL;
  *reply_len = 0;
  if (!pg_method_is(&log_v1_LogService_desc, 0, method))
    return pg__fail(err, errlen, PG_CODE_UNIMPLEMENTED,
                    "log.v1.LogService has no method \"%s\"",
                    method ? method : "");
  int code = pg__request_decode(&log_v1_LogRequest_type, &rq, req, req_len,
                                &ra, err, errlen);
  if (code == PG_CODE_OK)
    code = emit_request(self->log, caller, &rq, err, errlen);
  pg__request_arena_free(&ra);
  if (code != PG_CODE_OK)
    return code;
  return pg__reply_encode(&log_v1_LogResponse_type, &resp, reply, reply_len,
                          err, errlen);
}

static void free_log_service(pg_host_service *svc) { free(svc); }

int pg_log_service_new(pg_host_service **out, pg_log *log) {
  log_service *self = calloc(1, sizeof *self);
  if (!self)
    return -1;
  self->log = log;
  self->base.name = log_v1_LogService_NAME;
  self->base.self = self;
  self->base.handle = handle_log;
  self->base.free = free_log_service;
  *out = &self->base;
  return 0;
}
