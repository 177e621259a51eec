/*
 * service.h: built-in services, implemented in the host behind their
 * idl/ protos (log.v1.LogService, file.v1.FileService). A guest calls them
 * exactly like any other service; the kernel routes such calls to
 * `handle`, which runs synchronously on the event loop.
 *
 * Request and reply are protobuf bytes; the implementations decode and
 * encode with the C that protoc-gen-parigot generates from idl/ (compiled
 * natively into the host).
 */
#ifndef PG_SERVICES_SERVICE_H
#define PG_SERVICES_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/log.h"

/* Who is calling, for attribution (log lines carry the caller's name). */
typedef struct pg_caller {
  const char *program; /* borrowed */
  int replica;
} pg_caller;

typedef struct pg_host_service pg_host_service;

struct pg_host_service {
  const char *name; /* "log.v1.LogService"; static */
  void *self;       /* the implementation's state; owned by the service */
  /*
   * Handles one call. method is "Method" or "/pkg.Service/Method".
   * On return: the pg_code (0 = OK); on OK, *reply / *reply_len hold the
   * encoded reply (malloc'd, the caller frees; may be NULL when empty); on
   * an error, msg (capacity msglen) holds a NUL-terminated reason.
   * All pointers borrowed for the call.
   */
  int (*handle)(pg_host_service *svc, const pg_caller *caller,
                const char *method, const uint8_t *req, size_t req_len,
                uint8_t **reply, size_t *reply_len, char *msg,
                size_t msglen);
  void (*free)(pg_host_service *svc); /* frees self and svc */
  /* May be NULL. The kernel calls it when a program replica ends (exit,
   * trap, restart): what that caller holds is released (the file service
   * closes the handles it opened). caller is borrowed for the call. */
  void (*release)(pg_host_service *svc, const pg_caller *caller);
};

/* log.v1.LogService: writes each request to `log` (borrowed; must outlive
 * the service) as one line attributed to the caller. */
int pg_log_service_new(pg_host_service **out, pg_log *log);

/* file.v1.FileService confined to `root` (copied; must be an existing
 * directory): paths are relative to it; "..", absolute paths and symlinks
 * that leave it are refused with PERMISSION_DENIED. Returns 0 or -1 with
 * the reason in err. */
int pg_file_service_new(pg_host_service **out, const char *root, char *err,
                        size_t errlen);

#endif /* PG_SERVICES_SERVICE_H */
