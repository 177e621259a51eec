/*
 * deploy.c: app.yaml's deploy.nats as libnats connection options
 * (remote.h), shared by the kernel's node mode (remote.c) and commands
 * that reach a deployment without running programs (`parigot logs`).
 */
#include <string.h>

#include "kernel/remote.h"

#define CONNECT_TIMEOUT_MS 2000

void pg_deploy_transport_options(const pg_app_config *app,
                                 const char *client_name,
                                 pg_transport_options *out) {
  memset(out, 0, sizeof *out);
  out->app = app->name;
  out->node = client_name;
  out->connect_timeout_ms = CONNECT_TIMEOUT_MS;
  if (!app->deploy) return;
  const pg_nats_config *nc = &app->deploy->nats;
  out->urls = (const char *const *)nc->urls;
  out->nurls = nc->nurls;
  out->user = nc->user;
  out->password = nc->password;
  out->token = nc->token;
  out->tls = nc->tls;
  out->tls_ca = nc->tls_ca;
  out->tls_cert = nc->tls_cert;
  out->tls_key = nc->tls_key;
}
