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
 *
 * Every error names the file, the line and the key: unknown keys, wrong
 * types, missing required keys, duplicate program names, a wasm file that
 * does not exist.
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

typedef struct pg_app_config {
  char *path;        /* owned; the app.yaml path as given */
  char *dir;         /* owned; its directory (for relative paths) */
  char *name;        /* owned */
  uint32_t deadline_ms; /* default call deadline; 5000 when absent */
  pg_program_config *programs; /* owned, nprograms entries, file order */
  size_t nprograms;
  pg_service_config *services; /* owned, nservices entries */
  size_t nservices;
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

#endif /* PG_KERNEL_CONFIG_H */
