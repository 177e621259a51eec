/*
 * log.h: a convenience over the built-in log.v1.LogService for guests —
 * one call sends a line with its level, a printf-style message and
 * key=value fields to the app's unified log. The program must require
 * "log.v1.LogService" and locate it (parigot.h) first.
 */
#ifndef PARIGOT_LOG_H
#define PARIGOT_LOG_H

#include "log/v1/log.pg.h"
#include "parigot/parigot.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Most key=value fields one parigot_logf line carries. */
#define PARIGOT_LOG_MAX_FIELDS 16

/*
 * Sends one line through `log` (a located LogService client, borrowed).
 *   level   log_v1_Level_LEVEL_INFO, ...
 *   fields  NULL or an array of 2*n strings, key then value, ended by a
 *           NULL key (borrowed for the call); at most
 *           PARIGOT_LOG_MAX_FIELDS pairs are sent
 *   fmt     printf format of the message (up to 1 KiB after formatting)
 * Returns the call's pg_code.
 */
int parigot_logf(const pg_client *log, log_v1_Level level,
                 const char *const *fields, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#ifdef __cplusplus
}
#endif
#endif /* PARIGOT_LOG_H */
