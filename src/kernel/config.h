/*
 * config.h: an application's configuration, read from app.yaml with libyaml
 * (config.c). The kernel and the `parigot run|graph` commands consume it.
 *
 * Example:
 *   app: store                # the app's name
 *   deadline_ms: 5000         # default call deadline (optional)
 *   services:                 # settings of built-in services (optional)
 *     file.v1.FileService:
 *       root: ./data          # relative to the directory of app.yaml
 *   programs:
 *     - name: store
 *       wasm: build/store.wasm  # relative to the directory of app.yaml
 *       role: server          # server | main | test
 *       replicas: 1           # optional, default 1
 *       args: [--verbose]     # optional
 *       env: {GREETING: hi}   # optional
 *   deploy:                   # optional: placement on nodes (docs/deploy.md)
 *     nats:
 *       url: nats://127.0.0.1:4222   # or urls: [nats://a:4222, nats://b:4222]
 *       user: shop            # user + password, or token, or neither
 *       password: secret
 *       tls: {ca: ca.pem, cert: node.pem, key: node.key}  # optional
 *     nodes:
 *       - name: front         # [A-Za-z0-9_.-]+, unique
 *         programs: [main, cart]
 *       - name: back
 *         programs: [store]   # a program on several nodes: replicas there
 *
 * Without `deploy`, `parigot run` runs every program in one process; with
 * it, `parigot run --node NAME` runs that node's programs and reaches the
 * others over NATS. Every program must be on at least one node; a node
 * names each program once.
 *
 * Every error names the file, the line and the key: unknown keys, wrong
 * types, missing required keys, duplicate program names, a wasm file that
 * does not exist, a node naming an unknown program.
 */
#ifndef PG_KERNEL_CONFIG_H
#define PG_KERNEL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum pg_role {
  PG_ROLE_SERVER, /* serves calls until the app stops */
  PG_ROLE_MAIN,   /* the app ends when every main has exited */
  PG_ROLE_TEST    /* like main; its exit code is a test verdict */
} pg_role;

const char *pg_role_name(pg_role r); /* "server", "main", "test" */

typedef struct pg_program_config {
  char *name;      /* owned; unique in the app; [A-Za-z0-9_.-]+ */
  char *wasm_path; /* owned; resolved against the app.yaml directory */
  pg_role role;
  uint32_t replicas; /* >= 1 */
  char **args;       /* owned, nargs strings (argv[1..]) */
  size_t nargs;
  char **env; /* owned, nenv "KEY=VALUE" strings */
  size_t nenv;
  int line; /* line in app.yaml where the program is declared */
} pg_program_config;

/* A built-in service's settings: a flat list of key/value strings. */
typedef struct pg_service_config {
  char *service; /* owned; e.g. "file.v1.FileService" */
  char **keys;   /* owned, n entries */
  char **values; /* owned, n entries; paths already resolved */
  size_t n;
} pg_service_config;

/* deploy.nats: how every node reaches NATS (passed to libnats). */
typedef struct pg_nats_config {
  char **urls; /* owned, nurls >= 1 strings, e.g. "nats://127.0.0.1:4222" */
  size_t nurls;
  char *user;     /* owned or NULL; set exactly when password is */
  char *password; /* owned or NULL */
  char *token;    /* owned or NULL; never together with user */
  char *tls_ca;   /* owned or NULL; paths resolved against app.yaml's dir */
  char *tls_cert; /* owned or NULL; set exactly when tls_key is */
  char *tls_key;  /* owned or NULL */
  bool tls;       /* a `tls:` mapping was given (even empty): use TLS */
  int line;
} pg_nats_config;

/* One node of the placement: the programs `parigot run --node NAME` runs. */
typedef struct pg_node_config {
  char *name;        /* owned; unique among the nodes; [A-Za-z0-9_.-]+ */
  size_t *programs;  /* owned, nprograms indices into app->programs, each
                        once, in the order written */
  size_t nprograms;
  int line;
} pg_node_config;

typedef struct pg_deploy_config {
  pg_nats_config nats;
  pg_node_config *nodes; /* owned, nnodes >= 1, file order */
  size_t nnodes;
  int line;
} pg_deploy_config;

typedef struct pg_app_config {
  char *path;        /* owned; the app.yaml path as given */
  char *dir;         /* owned; its directory (for relative paths) */
  char *name;        /* owned */
  uint32_t deadline_ms; /* default call deadline; 5000 when absent */
  pg_program_config *programs; /* owned, nprograms entries, file order */
  size_t nprograms;
  pg_service_config *services; /* owned, nservices entries */
  size_t nservices;
  pg_deploy_config *deploy; /* owned; NULL without a `deploy:` section */
} pg_app_config;

/* Reads and checks `path`. On success writes *out (caller frees with
 * pg_app_config_free) and returns 0. On failure returns -1, leaves *out
 * untouched and writes "FILE:LINE: key 'x': reason" to err. */
int pg_app_config_load(const char *path, pg_app_config **out, char *err,
                       size_t errlen);
void pg_app_config_free(pg_app_config *app); /* accepts NULL */

/* Looks up a setting of a built-in service; NULL when absent. The string
 * is borrowed from app. */
const char *pg_app_config_service_setting(const pg_app_config *app,
                                          const char *service,
                                          const char *key);

/* The node called `name` in app->deploy (borrowed from app), or NULL when
 * there is no deploy section or no such node. */
const pg_node_config *pg_app_config_node(const pg_app_config *app,
                                         const char *name);

/* Whether program `program_index` (into app->programs) runs on `node`. */
bool pg_app_config_on_node(const pg_node_config *node, size_t program_index);

#endif /* PG_KERNEL_CONFIG_H */
