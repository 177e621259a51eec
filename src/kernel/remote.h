/*
 * remote.h: what the kernel's deployment over NATS (remote.c, deploy.c) offers
 * outside the kernel: turning app.yaml's deploy.nats into libnats
 * connection options, for commands that talk to a deployment without
 * running programs (`parigot logs`). The kernel's own hooks are in
 * kernel_internal.h (pg__remote_*).
 */
#ifndef PG_KERNEL_REMOTE_H
#define PG_KERNEL_REMOTE_H

#include "kernel/config.h"
#include "transport/transport.h"

/* Fills *out from app->deploy->nats (no callbacks, connect timeout 2 s);
 * every string is borrowed from app (keep app alive until
 * pg_transport_connect returns). client_name names this connection (the
 * node, or e.g. "logs"). Without a deploy section out->nurls is 0 and
 * pg_transport_connect fails with "nats: no server URL". */
void pg_deploy_transport_options(const pg_app_config *app,
                                 const char *client_name,
                                 pg_transport_options *out);

#endif /* PG_KERNEL_REMOTE_H */
