/*
 * serve_internal.h: the table of exported services that parigot_export
 * (parigot.c) fills and parigot_serve (serve.c) routes calls through.
 */
#ifndef PARIGOT_SDK_SERVE_INTERNAL_H
#define PARIGOT_SDK_SERVE_INTERNAL_H

#include "parigot/parigot.h"

/* Adds `service` to the table (all pointers borrowed for the life of the
 * program). ALREADY_EXISTS for a second export of the same service,
 * RESOURCE_EXHAUSTED past PARIGOT_MAX_EXPORTS. */
int parigot__serve_register(const pg_service_desc *service,
                            parigot_dispatch_fn dispatch, const void *handlers,
                            void *ctx);

/* Takes `service` out of the table again (its export syscall failed). */
void parigot__serve_unregister(const pg_service_desc *service);

#endif /* PARIGOT_SDK_SERVE_INTERNAL_H */
