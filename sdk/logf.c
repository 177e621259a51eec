/*
 * logf.c: parigot_logf (parigot/log.h) — formats a line and sends it through
 * the generated log.v1.LogService client stub, with a small arena on the
 * stack so logging never allocates.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "parigot/log.h"

int parigot_logf(const pg_client *log, log_v1_Level level,
                 const char *const *fields, const char *fmt, ...) {
  char message[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);

  log_v1_Field pairs[PARIGOT_LOG_MAX_FIELDS];
  size_t n = 0;
  for (; fields && fields[2 * n] && n < PARIGOT_LOG_MAX_FIELDS; n++) {
    pairs[n].key = pg_str(fields[2 * n]);
    pairs[n].value = pg_str(fields[2 * n + 1]);
  }
  log_v1_LogRequest req = {level, pg_str(message), n, n ? pairs : NULL};
  log_v1_LogResponse resp;
  uint8_t storage[4096];
  pg_arena arena;
  pg_arena_init(&arena, storage, sizeof storage);
  size_t need = log_v1_LogRequest_size(&req) + 256;
  uint8_t *big = NULL;
  if (need > sizeof storage) { /* a long line: size the arena to it */
    big = malloc(need);
    if (!big)
      return PG_CODE_RESOURCE_EXHAUSTED;
    pg_arena_init(&arena, big, need);
  }
  int code = log_v1_LogService_Log(log, &req, &resp, &arena, NULL);
  free(big);
  return code;
}
