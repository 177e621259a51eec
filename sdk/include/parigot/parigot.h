/*
 * parigot.h: the guest SDK — what a parigot program (C compiled to
 * wasm32-wasi) uses to declare the services it requires and exports, wait
 * for the kernel to start it, call other services through generated client
 * stubs (blocking, or several at once: fan-out) and serve calls through
 * generated server skeletons. It wraps the syscall ABI of
 * include/parigot/abi.h (docs/abi.md) and nothing else; docs/sdk.md shows a
 * whole program.
 *
 * The life of a program:
 *   parigot_require("log.v1.LogService");          declarations, then
 *   PARIGOT_EXPORT(demo_vvv_StoreService, &handlers, ctx);
 *   parigot_run();                                 blocks until released
 *   parigot_locate("log.v1.LogService", &log);     a pg_client for stubs
 *   parigot_serve();                               servers: the call loop
 *
 * Every function returns a pg_code (call.h): PG_CODE_OK or the reason it
 * failed; parigot_last_error() then holds a message. The SDK is not
 * thread-safe (wasm32-wasi programs have one thread) and never asks the
 * host to allocate: buffers are the program's own and grow on
 * RESOURCE_EXHAUSTED to the size the kernel reports.
 */
#ifndef PARIGOT_PARIGOT_H
#define PARIGOT_PARIGOT_H

#include <stddef.h>
#include <stdint.h>

#include "parigot/abi.h"
#include "parigot/call.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A message describing the last failure of an SDK function in this program
 * (never NULL; "" when nothing failed yet). Static storage, overwritten by
 * the next failure. */
const char *parigot_last_error(void);

/* ---- declarations (before parigot_run) --------------------------------- */

/* Declares that this program calls `service` ("pkg.Service", borrowed).
 * Only services required here may be located and called. */
int parigot_require(const char *service);

/*
 * The generic shape of a generated skeleton's dispatch function,
 * pkg_Service_dispatch (docs/codegen.md). `handlers` is the generated
 * pkg_Service_handlers struct; the other arguments are as there.
 */
typedef int (*parigot_dispatch_fn)(const void *handlers, void *ctx,
                                   const char *method, const uint8_t *req,
                                   size_t req_len, pg_buf *reply,
                                   const char **errmsg);

/*
 * Declares that this program implements `service` and registers the
 * skeleton that parigot_serve() routes its calls to.
 *   service   the generated pkg_Service_desc (borrowed, static)
 *   dispatch  the generated pkg_Service_dispatch_any (PARIGOT_EXPORT
 *             passes it and checks the handlers' type)
 *   handlers  the program's pkg_Service_handlers (borrowed for the life of
 *             the program)
 *   ctx       passed to every handler (borrowed, may be NULL)
 * Up to PARIGOT_MAX_EXPORTS services per program.
 */
int parigot_export(const pg_service_desc *service, parigot_dispatch_fn dispatch,
                   const void *handlers, void *ctx);

#define PARIGOT_MAX_EXPORTS 32

/* parigot_export for the generated code of `prefix` (e.g.
 * demo_vvv_StoreService): `handlers` must be a
 * `const prefix_handlers *` (a compile-time check). */
#define PARIGOT_EXPORT(prefix, handlers, ctx)                                 \
  parigot_export(&prefix##_desc,                                              \
                 prefix##_dispatch_any,                                       \
                 (const prefix##_handlers *){(handlers)}, (ctx))

/* Ends the declarations and blocks until everything this program requires
 * is released and ready. ABORTED when the app cannot start (the kernel
 * logs why): the program should exit. */
int parigot_run(void);

/* ---- calling services ---------------------------------------------------- */

/*
 * Fills *out with a client for `service` (borrowed; required before run),
 * for the generated stubs: pkg_Service_Method(&client, &req, &resp, arena,
 * &errmsg) blocks until the reply arrives. The client stays valid for the
 * life of the program and may be copied. PERMISSION_DENIED if the service
 * was not required, NOT_FOUND if nobody exports it.
 */
int parigot_locate(const char *service, pg_client *out);

/* Sets the deadline of calls made through `client` (0: the app's default
 * deadline, app.yaml `deadline_ms`; inside a handler never longer than
 * parigot_serve_deadline_ms()). It applies to every client of the same
 * service in this program. INVALID_ARGUMENT if `client` is not one that
 * parigot_locate filled. */
int parigot_client_set_timeout(const pg_client *client, uint32_t timeout_ms);

/* One call in flight, for fan-out. Treat as opaque; zero it or let
 * parigot_call_start fill it. */
typedef struct parigot_call {
  uint32_t id;                  /* the kernel's call id while PENDING */
  int state;                    /* PARIGOT_CALL_* below */
  int status;                   /* pg_code once DONE */
  const pg_method_desc *method; /* borrowed from the service descriptor */
} parigot_call;

enum {
  PARIGOT_CALL_IDLE = 0, /* nothing started, or already finished */
  PARIGOT_CALL_PENDING,  /* started; the reply may not be there yet */
  PARIGOT_CALL_READY,    /* the reply is there: parigot_call_finish it */
  PARIGOT_CALL_FAILED    /* did not start; status says why */
};

/*
 * Starts methods[method_index] of `service` on `client` with request `req`
 * (a pointer to the method's request struct; borrowed, encoded and copied
 * before this returns) and returns without waiting. Writes *call. On
 * failure *call is FAILED with the status, so a fan-out loop may start
 * everything and sort out errors in parigot_call_finish.
 */
int parigot_call_start(const pg_client *client, const pg_service_desc *service,
                       size_t method_index, const void *req,
                       parigot_call *call);

/*
 * Blocks until one of calls[0..n) is READY or FAILED and writes its
 * position to *index. A call already READY or FAILED is returned at once;
 * IDLE entries are skipped. FAILED_PRECONDITION when no call in the array
 * is unfinished. `calls` is borrowed (its states are updated).
 */
int parigot_call_wait_any(parigot_call *calls, size_t n, size_t *index);

/*
 * Collects `call`'s reply (blocking if it is still PENDING): decodes it into
 * `resp` (the method's response struct, zeroed first) with its strings and
 * arrays in `arena` (borrowed). Returns the call's status; on failure
 * *errmsg (may be NULL) points at a message in `arena` or static storage.
 * The call is IDLE afterwards.
 */
int parigot_call_finish(parigot_call *call, void *resp, pg_arena *arena,
                        const char **errmsg);

/* ---- serving --------------------------------------------------------------- */

/*
 * The serve loop: waits for calls to the exported services, hands each to
 * its registered dispatch function and sends the reply. One call at a time.
 * Returns PG_CODE_OK when the kernel stops the program (CANCELLED), or the
 * code of a failure it cannot serve past.
 */
int parigot_serve(void);

/* Inside a handler: the time in ms the caller had left when the call
 * arrived (0 outside a handler). Calls a handler makes inherit it as their
 * deadline when theirs is longer or the app's default. */
uint32_t parigot_serve_deadline_ms(void);

/* Sets the size of the arena each served call decodes its request and
 * builds its reply in (default 256 KiB; at least twice a request's size is
 * always used). A handler's reply that does not fit fails that call with
 * RESOURCE_EXHAUSTED. */
void parigot_serve_set_arena_size(size_t bytes);

/* Ends the program with `code` after flushing stdio. Calls in flight fail
 * with UNAVAILABLE for their callers. */
_Noreturn void parigot_exit(int code);

#ifdef __cplusplus
}
#endif
#endif /* PARIGOT_PARIGOT_H */
