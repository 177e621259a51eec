/*
 * config.c: reads an app's app.yaml (format in config.h) into a
 * pg_app_config with libyaml's document API, and checks it completely
 * before the kernel sees it: every key at every level is known, every value
 * has the right type, names are valid and unique, wasm files exist. The
 * first problem found stops the load and is reported as
 * "FILE:LINE: key 'PATH': reason", where PATH locates the key
 * ("programs[1].replicas"); YAML syntax errors carry libyaml's line and
 * column instead of a key.
 */
#include "kernel/config.h"
#include "kernel/config_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#define DEFAULT_DEADLINE_MS 5000u
#define MAX_DEADLINE_MS 86400000u /* one day */
#define MAX_REPLICAS 1024u
#define KEY_PATH_MAX 512

/* Settings the built-in services accept; `is_dir` values are directories,
 * resolved against the app.yaml directory. The single list of what
 * `services:` may contain. */
typedef struct builtin_setting {
  const char *service;
  const char *key; /* NULL: the service takes no settings (yet) */
  bool is_dir;
} builtin_setting;

static const builtin_setting builtin_settings[] = {
    {"log.v1.LogService", NULL, false},
    {"file.v1.FileService", "root", true},
};
#define NBUILTIN_SETTINGS (sizeof builtin_settings / sizeof builtin_settings[0])

/* The state of one load. `doc` is borrowed from pg_app_config_load. */
typedef struct loader {
  const char *file; /* borrowed: the path as given, for messages */
  yaml_document_t *doc;
  pg_app_config *app; /* being filled; freed by the caller on failure */
  char *err;
  size_t errlen;
} loader;

const char *pg_role_name(pg_role r) {
  switch (r) {
  case PG_ROLE_SERVER: return "server";
  case PG_ROLE_MAIN: return "main";
  case PG_ROLE_TEST: return "test";
  }
  return "?";
}

/* ---- errors ---------------------------------------------------------- */

static int line_of(const yaml_node_t *node) {
  return node ? (int)node->start_mark.line + 1 : 1;
}

/* Writes "FILE:LINE: key 'KEY': reason" and returns -1. */
__attribute__((format(printf, 4, 5))) static int
fail_at(loader *ld, const yaml_node_t *node, const char *key, const char *fmt,
        ...) {
  int n = snprintf(ld->err, ld->errlen, "%s:%d: key '%s': ", ld->file,
                   line_of(node), key);
  if (n < 0 || (size_t)n >= ld->errlen) return -1;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ld->err + n, ld->errlen - (size_t)n, fmt, ap);
  va_end(ap);
  return -1;
}

/* Writes "FILE:LINE: reason" (no key involved) and returns -1. */
__attribute__((format(printf, 3, 4))) static int
fail_doc(loader *ld, int line, const char *fmt, ...) {
  int n = snprintf(ld->err, ld->errlen, "%s:%d: ", ld->file, line);
  if (n < 0 || (size_t)n >= ld->errlen) return -1;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ld->err + n, ld->errlen - (size_t)n, fmt, ap);
  va_end(ap);
  return -1;
}

static int fail_oom(loader *ld) {
  snprintf(ld->err, ld->errlen, "%s: out of memory", ld->file);
  return -1;
}

/* ---- yaml helpers ---------------------------------------------------- */

static yaml_node_t *node_at(loader *ld, int index) {
  return yaml_document_get_node(ld->doc, index);
}

static const char *scalar_text(const yaml_node_t *node) {
  return (const char *)node->data.scalar.value;
}

/* An empty plain scalar (`key:` with nothing after it) is YAML's null. */
static bool is_null(const yaml_node_t *node) {
  return node->type == YAML_SCALAR_NODE && node->data.scalar.length == 0 &&
         node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

static const char *type_name(const yaml_node_t *node) {
  if (is_null(node)) return "nothing";
  switch (node->type) {
  case YAML_SCALAR_NODE: return "a string";
  case YAML_SEQUENCE_NODE: return "a list";
  case YAML_MAPPING_NODE: return "a mapping";
  default: return "nothing";
  }
}

static void join_key(char *out, const char *prefix, const char *key) {
  if (prefix[0])
    snprintf(out, KEY_PATH_MAX, "%s.%s", prefix, key);
  else
    snprintf(out, KEY_PATH_MAX, "%s", key);
}

static bool in_list(const char *s, const char *const *list) {
  for (size_t i = 0; list[i]; i++)
    if (!strcmp(s, list[i])) return true;
  return false;
}

/* Checks that every key of `map` is a string, is in `allowed` (NULL
 * terminated; NULL list = any key) and appears once. */
static int check_keys(loader *ld, yaml_node_t *map, const char *prefix,
                      const char *const *allowed) {
  char path[KEY_PATH_MAX];
  yaml_node_pair_t *begin = map->data.mapping.pairs.start;
  yaml_node_pair_t *end = map->data.mapping.pairs.top;
  for (yaml_node_pair_t *p = begin; p < end; p++) {
    yaml_node_t *key = node_at(ld, p->key);
    if (key->type != YAML_SCALAR_NODE && !prefix[0])
      return fail_doc(ld, line_of(key), "keys must be strings, got %s",
                      type_name(key));
    if (key->type != YAML_SCALAR_NODE)
      return fail_at(ld, key, prefix, "keys must be strings, got %s",
                     type_name(key));
    join_key(path, prefix, scalar_text(key));
    if (allowed && !in_list(scalar_text(key), allowed))
      return fail_at(ld, key, path, "unknown key");
    for (yaml_node_pair_t *q = begin; q < p; q++) {
      yaml_node_t *earlier = node_at(ld, q->key);
      if (earlier->type == YAML_SCALAR_NODE &&
          !strcmp(scalar_text(earlier), scalar_text(key)))
        return fail_at(ld, key, path, "appears twice (first on line %d)",
                       line_of(earlier));
    }
  }
  return 0;
}

/* The value of `key` in `map`, or NULL. Keys were checked by check_keys. */
static yaml_node_t *find_value(loader *ld, yaml_node_t *map, const char *key) {
  for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
       p < map->data.mapping.pairs.top; p++)
    if (!strcmp(scalar_text(node_at(ld, p->key)), key))
      return node_at(ld, p->value);
  return NULL;
}

static int expect_type(loader *ld, yaml_node_t *node, const char *path,
                       yaml_node_type_t type, const char *what) {
  if (node->type == type && !is_null(node)) return 0;
  return fail_at(ld, node, path, "must be %s, got %s", what, type_name(node));
}

/* Copies a scalar's text into *out (malloc'd). */
static int get_string(loader *ld, yaml_node_t *node, const char *path,
                      char **out) {
  if (expect_type(ld, node, path, YAML_SCALAR_NODE, "a string") < 0) return -1;
  if (strlen(scalar_text(node)) != node->data.scalar.length)
    return fail_at(ld, node, path, "must not contain a NUL character");
  *out = strdup(scalar_text(node));
  return *out ? 0 : fail_oom(ld);
}

static int get_u32(loader *ld, yaml_node_t *node, const char *path,
                   uint32_t min, uint32_t max, uint32_t *out) {
  if (node->type != YAML_SCALAR_NODE || is_null(node))
    return fail_at(ld, node, path, "must be an integer from %u to %u, got %s",
                   min, max, type_name(node));
  const char *s = scalar_text(node);
  char *end = NULL;
  errno = 0;
  unsigned long long v = (s[0] >= '0' && s[0] <= '9') ? strtoull(s, &end, 10)
                                                      : 0;
  if (!end || *end || errno || v < min || v > max)
    return fail_at(ld, node, path, "must be an integer from %u to %u, got '%s'",
                   min, max, s);
  *out = (uint32_t)v;
  return 0;
}

/* Program and app names: [A-Za-z0-9_.-]+ (they appear in log lines, file
 * names and, later, NATS subjects). */
static bool valid_name(const char *s) {
  if (!s[0]) return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
          (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' || *s == '-'))
      return false;
  return true;
}

static int get_name(loader *ld, yaml_node_t *node, const char *path,
                    char **out) {
  if (get_string(ld, node, path, out) < 0) return -1;
  if (valid_name(*out)) return 0;
  fail_at(ld, node, path,
          "'%s' is not a valid name (letters, digits, '_', '.', '-')", *out);
  free(*out);
  *out = NULL;
  return -1;
}

/* ---- paths ----------------------------------------------------------- */

/* `rel` resolved against `dir` (absolute paths stay as they are). */
static char *resolve_path(const char *dir, const char *rel) {
  if (rel[0] == '/' || !strcmp(dir, ".")) return strdup(rel);
  size_t dirlen = strlen(dir);
  const char *sep = dir[dirlen - 1] == '/' ? "" : "/";
  size_t n = dirlen + 1 + strlen(rel) + 1;
  char *out = malloc(n);
  if (out) snprintf(out, n, "%s%s%s", dir, sep, rel);
  return out;
}

static char *dir_of(const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash) return strdup(".");
  if (slash == path) return strdup("/");
  return strndup(path, (size_t)(slash - path));
}

static int check_wasm_file(loader *ld, yaml_node_t *node, const char *path,
                           const char *resolved) {
  struct stat st;
  if (stat(resolved, &st) != 0)
    return fail_at(ld, node, path, "file '%s' %s", resolved,
                   errno == ENOENT ? "does not exist" : strerror(errno));
  if (!S_ISREG(st.st_mode))
    return fail_at(ld, node, path, "'%s' is not a regular file", resolved);
  return 0;
}

/* A directory setting may name a directory that does not exist yet (the
 * service creates it), but not a file. */
static int check_dir(loader *ld, yaml_node_t *node, const char *path,
                     const char *resolved) {
  struct stat st;
  if (stat(resolved, &st) == 0 && !S_ISDIR(st.st_mode))
    return fail_at(ld, node, path, "'%s' is not a directory", resolved);
  return 0;
}

/* ---- programs -------------------------------------------------------- */

static int get_role(loader *ld, yaml_node_t *node, const char *path,
                    pg_role *out) {
  if (expect_type(ld, node, path, YAML_SCALAR_NODE, "a string") < 0) return -1;
  static const pg_role roles[] = {PG_ROLE_SERVER, PG_ROLE_MAIN, PG_ROLE_TEST};
  for (size_t i = 0; i < 3; i++)
    if (!strcmp(scalar_text(node), pg_role_name(roles[i]))) {
      *out = roles[i];
      return 0;
    }
  return fail_at(ld, node, path, "must be server, main or test, got '%s'",
                 scalar_text(node));
}

/* The entries of node, a YAML list of `what`: 0 with *items and *n
 * (borrowed from the document), or -1 after "must be a list of WHAT". */
static int get_list(loader *ld, yaml_node_t *node, const char *path,
                    const char *what, yaml_node_item_t **items, size_t *n) {
  if (node->type != YAML_SEQUENCE_NODE)
    return fail_at(ld, node, path, "must be a list of %s, got %s", what,
                   type_name(node));
  *items = node->data.sequence.items.start;
  *n = (size_t)(node->data.sequence.items.top - *items);
  return 0;
}

static int get_string_list(loader *ld, yaml_node_t *node, const char *path,
                           char ***out, size_t *nout) {
  yaml_node_item_t *items;
  size_t n;
  if (get_list(ld, node, path, "strings", &items, &n) < 0) return -1;
  *out = calloc(n ? n : 1, sizeof **out);
  if (!*out) return fail_oom(ld);
  for (size_t i = 0; i < n; i++) {
    char item_path[KEY_PATH_MAX];
    snprintf(item_path, sizeof item_path, "%s[%zu]", path, i);
    if (get_string(ld, node_at(ld, items[i]), item_path, &(*out)[i]) < 0)
      return -1;
    *nout = i + 1;
  }
  return 0;
}

static bool valid_env_key(const char *s) {
  return s[0] && !strchr(s, '=');
}

/* env: a mapping of KEY: value, stored as "KEY=value". */
static int get_env(loader *ld, yaml_node_t *node, const char *path,
                   char ***out, size_t *nout) {
  if (node->type != YAML_MAPPING_NODE)
    return fail_at(ld, node, path, "must be a mapping of NAME: value, got %s",
                   type_name(node));
  if (check_keys(ld, node, path, NULL) < 0) return -1;
  yaml_node_pair_t *pairs = node->data.mapping.pairs.start;
  size_t n = (size_t)(node->data.mapping.pairs.top - pairs);
  *out = calloc(n ? n : 1, sizeof **out);
  if (!*out) return fail_oom(ld);
  for (size_t i = 0; i < n; i++) {
    yaml_node_t *key = node_at(ld, pairs[i].key);
    yaml_node_t *value = node_at(ld, pairs[i].value);
    char key_path[KEY_PATH_MAX];
    join_key(key_path, path, scalar_text(key));
    if (!valid_env_key(scalar_text(key)))
      return fail_at(ld, key, key_path, "not a valid environment name");
    char *text = NULL;
    if (is_null(value)) text = strdup("");
    else if (get_string(ld, value, key_path, &text) < 0) return -1;
    if (!text) return fail_oom(ld);
    size_t len = strlen(scalar_text(key)) + 1 + strlen(text) + 1;
    (*out)[i] = malloc(len);
    if ((*out)[i]) snprintf((*out)[i], len, "%s=%s", scalar_text(key), text);
    free(text);
    if (!(*out)[i]) return fail_oom(ld);
    *nout = i + 1;
  }
  return 0;
}

static const char *const program_keys[] = {"name", "wasm", "role", "replicas",
                                           "args", "env",  NULL};

/* Fills the required keys of one program: name and wasm. */
static int load_program_required(loader *ld, yaml_node_t *node,
                                 const char *prefix, size_t index,
                                 pg_program_config *prog) {
  char path[KEY_PATH_MAX];
  yaml_node_t *v;
  join_key(path, prefix, "name");
  if (!(v = find_value(ld, node, "name")))
    return fail_at(ld, node, path, "missing (every program needs a name)");
  if (get_name(ld, v, path, &prog->name) < 0) return -1;
  for (size_t i = 0; i < index; i++)
    if (!strcmp(ld->app->programs[i].name, prog->name))
      return fail_at(ld, v, path, "program name '%s' is already used on line %d",
                     prog->name, ld->app->programs[i].line);
  join_key(path, prefix, "wasm");
  if (!(v = find_value(ld, node, "wasm")))
    return fail_at(ld, node, path, "missing (program '%s' needs a .wasm file)",
                   prog->name);
  char *rel = NULL;
  if (get_string(ld, v, path, &rel) < 0) return -1;
  prog->wasm_path = resolve_path(ld->app->dir, rel);
  free(rel);
  if (!prog->wasm_path) return fail_oom(ld);
  return check_wasm_file(ld, v, path, prog->wasm_path);
}

static int load_program_optional(loader *ld, yaml_node_t *node,
                                 const char *prefix, pg_program_config *prog) {
  char path[KEY_PATH_MAX];
  yaml_node_t *v;
  join_key(path, prefix, "role");
  if ((v = find_value(ld, node, "role")) &&
      get_role(ld, v, path, &prog->role) < 0)
    return -1;
  join_key(path, prefix, "replicas");
  if ((v = find_value(ld, node, "replicas")) &&
      get_u32(ld, v, path, 1, MAX_REPLICAS, &prog->replicas) < 0)
    return -1;
  join_key(path, prefix, "args");
  if ((v = find_value(ld, node, "args")) &&
      get_string_list(ld, v, path, &prog->args, &prog->nargs) < 0)
    return -1;
  join_key(path, prefix, "env");
  if ((v = find_value(ld, node, "env")) &&
      get_env(ld, v, path, &prog->env, &prog->nenv) < 0)
    return -1;
  return 0;
}

static int load_program(loader *ld, yaml_node_t *node, size_t index,
                        pg_program_config *prog) {
  char prefix[KEY_PATH_MAX];
  snprintf(prefix, sizeof prefix, "programs[%zu]", index);
  prog->role = PG_ROLE_SERVER;
  prog->replicas = 1;
  prog->line = line_of(node);
  if (node->type != YAML_MAPPING_NODE)
    return fail_at(ld, node, prefix,
                   "must be a mapping with name, wasm, role, ..., got %s",
                   type_name(node));
  if (check_keys(ld, node, prefix, program_keys) < 0) return -1;
  if (load_program_required(ld, node, prefix, index, prog) < 0) return -1;
  return load_program_optional(ld, node, prefix, prog);
}

static int load_programs(loader *ld, yaml_node_t *node) {
  yaml_node_item_t *items;
  size_t n;
  if (get_list(ld, node, "programs", "programs", &items, &n) < 0) return -1;
  if (n == 0)
    return fail_at(ld, node, "programs", "the app needs at least one program");
  ld->app->programs = calloc(n, sizeof *ld->app->programs);
  if (!ld->app->programs) return fail_oom(ld);
  for (size_t i = 0; i < n; i++) {
    ld->app->nprograms = i + 1; /* so a partly filled entry is freed */
    if (load_program(ld, node_at(ld, items[i]), i, &ld->app->programs[i]) < 0)
      return -1;
  }
  return 0;
}

/* ---- services -------------------------------------------------------- */

static const builtin_setting *find_setting(const char *service,
                                           const char *key) {
  for (size_t i = 0; i < NBUILTIN_SETTINGS; i++)
    if (!strcmp(builtin_settings[i].service, service) &&
        (key == NULL ||
         (builtin_settings[i].key && !strcmp(builtin_settings[i].key, key))))
      return &builtin_settings[i];
  return NULL;
}

static int load_service_setting(loader *ld, pg_service_config *svc,
                                yaml_node_t *key, yaml_node_t *value,
                                const char *prefix) {
  char path[KEY_PATH_MAX];
  join_key(path, prefix, scalar_text(key));
  const builtin_setting *s = find_setting(svc->service, scalar_text(key));
  if (!s) return fail_at(ld, key, path, "unknown key");
  char *text = NULL;
  if (get_string(ld, value, path, &text) < 0) return -1;
  svc->keys[svc->n] = strdup(scalar_text(key));
  svc->values[svc->n] = s->is_dir ? resolve_path(ld->app->dir, text) : text;
  if (s->is_dir) free(text);
  svc->n++;
  if (!svc->keys[svc->n - 1] || !svc->values[svc->n - 1]) return fail_oom(ld);
  return s->is_dir ? check_dir(ld, value, path, svc->values[svc->n - 1]) : 0;
}

static int load_service(loader *ld, yaml_node_t *key, yaml_node_t *value,
                        pg_service_config *svc) {
  char prefix[KEY_PATH_MAX];
  join_key(prefix, "services", scalar_text(key));
  if (!find_setting(scalar_text(key), NULL))
    return fail_at(ld, key, prefix, "unknown built-in service");
  if (!(svc->service = strdup(scalar_text(key)))) return fail_oom(ld);
  if (is_null(value)) return 0;
  if (value->type != YAML_MAPPING_NODE)
    return fail_at(ld, value, prefix, "must be a mapping of settings, got %s",
                   type_name(value));
  if (check_keys(ld, value, prefix, NULL) < 0) return -1;
  yaml_node_pair_t *pairs = value->data.mapping.pairs.start;
  size_t n = (size_t)(value->data.mapping.pairs.top - pairs);
  svc->keys = calloc(n ? n : 1, sizeof *svc->keys);
  svc->values = calloc(n ? n : 1, sizeof *svc->values);
  if (!svc->keys || !svc->values) return fail_oom(ld);
  for (size_t i = 0; i < n; i++)
    if (load_service_setting(ld, svc, node_at(ld, pairs[i].key),
                             node_at(ld, pairs[i].value), prefix) < 0)
      return -1;
  return 0;
}

static int load_services(loader *ld, yaml_node_t *node) {
  if (is_null(node)) return 0;
  if (node->type != YAML_MAPPING_NODE)
    return fail_at(ld, node, "services",
                   "must be a mapping of service names, got %s",
                   type_name(node));
  if (check_keys(ld, node, "services", NULL) < 0) return -1;
  yaml_node_pair_t *pairs = node->data.mapping.pairs.start;
  size_t n = (size_t)(node->data.mapping.pairs.top - pairs);
  ld->app->services = calloc(n ? n : 1, sizeof *ld->app->services);
  if (!ld->app->services) return fail_oom(ld);
  for (size_t i = 0; i < n; i++) {
    ld->app->nservices = i + 1;
    if (load_service(ld, node_at(ld, pairs[i].key),
                     node_at(ld, pairs[i].value), &ld->app->services[i]) < 0)
      return -1;
  }
  return 0;
}

/* ---- deploy: placement on nodes -------------------------------------- */

static const char *const deploy_keys[] = {"nats", "nodes", NULL};
static const char *const nats_keys[] = {"url",   "urls",  "user", "password",
                                        "token", "tls",   NULL};
static const char *const tls_keys[] = {"ca", "cert", "key", NULL};
static const char *const node_keys[] = {"name", "programs", NULL};

/* A server URL as libnats takes it: no spaces or commas (libnats would
 * split a comma-separated string into several servers). */
static bool valid_url(const char *s) {
  if (!s[0]) return false;
  for (; *s; s++)
    if (*s == ',' || *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
      return false;
  return true;
}

static int check_urls(loader *ld, yaml_node_t *node, const char *path,
                      const pg_nats_config *nc) {
  for (size_t i = 0; i < nc->nurls; i++)
    if (!valid_url(nc->urls[i]))
      return fail_at(ld, node, path,
                     "'%s' is not a server URL (like nats://host:4222)",
                     nc->urls[i]);
  return 0;
}

static int load_nats_urls(loader *ld, yaml_node_t *map, pg_nats_config *nc) {
  yaml_node_t *url = find_value(ld, map, "url");
  yaml_node_t *urls = find_value(ld, map, "urls");
  if (url && urls)
    return fail_at(ld, urls, "deploy.nats.urls", "give url or urls, not both");
  if (!url && !urls)
    return fail_at(ld, map, "deploy.nats.url",
                   "missing (the address of the NATS server)");
  if (url) {
    if (!(nc->urls = calloc(1, sizeof *nc->urls))) return fail_oom(ld);
    if (get_string(ld, url, "deploy.nats.url", &nc->urls[0]) < 0) return -1;
    nc->nurls = 1;
    return check_urls(ld, url, "deploy.nats.url", nc);
  }
  if (get_string_list(ld, urls, "deploy.nats.urls", &nc->urls, &nc->nurls) < 0)
    return -1;
  if (nc->nurls == 0)
    return fail_at(ld, urls, "deploy.nats.urls", "must list at least one URL");
  return check_urls(ld, urls, "deploy.nats.urls", nc);
}

/* user + password, or token, or neither. */
static int load_nats_auth(loader *ld, yaml_node_t *map, pg_nats_config *nc) {
  yaml_node_t *user = find_value(ld, map, "user");
  yaml_node_t *password = find_value(ld, map, "password");
  yaml_node_t *token = find_value(ld, map, "token");
  if (user && get_string(ld, user, "deploy.nats.user", &nc->user) < 0)
    return -1;
  if (password &&
      get_string(ld, password, "deploy.nats.password", &nc->password) < 0)
    return -1;
  if (token && get_string(ld, token, "deploy.nats.token", &nc->token) < 0)
    return -1;
  if (user && !password)
    return fail_at(ld, user, "deploy.nats.password",
                   "missing (a user needs a password)");
  if (password && !user)
    return fail_at(ld, password, "deploy.nats.user",
                   "missing (a password needs a user)");
  if (token && user)
    return fail_at(ld, token, "deploy.nats.token",
                   "give user + password or token, not both");
  return 0;
}

/* One file of tls: resolved against the app.yaml directory; must exist. */
static int load_tls_file(loader *ld, yaml_node_t *map, const char *key,
                         char **out) {
  char path[KEY_PATH_MAX];
  join_key(path, "deploy.nats.tls", key);
  yaml_node_t *v = find_value(ld, map, key);
  if (!v) return 0;
  char *rel = NULL;
  if (get_string(ld, v, path, &rel) < 0) return -1;
  *out = resolve_path(ld->app->dir, rel);
  free(rel);
  if (!*out) return fail_oom(ld);
  return check_wasm_file(ld, v, path, *out); /* any regular file */
}

static int load_nats_tls(loader *ld, yaml_node_t *node, pg_nats_config *nc) {
  nc->tls = true;
  if (is_null(node)) return 0;
  if (node->type != YAML_MAPPING_NODE)
    return fail_at(ld, node, "deploy.nats.tls",
                   "must be a mapping with ca, cert, key, got %s",
                   type_name(node));
  if (check_keys(ld, node, "deploy.nats.tls", tls_keys) < 0) return -1;
  if (load_tls_file(ld, node, "ca", &nc->tls_ca) < 0 ||
      load_tls_file(ld, node, "cert", &nc->tls_cert) < 0 ||
      load_tls_file(ld, node, "key", &nc->tls_key) < 0)
    return -1;
  if (!nc->tls_cert != !nc->tls_key)
    return fail_at(ld, node, nc->tls_cert ? "deploy.nats.tls.key"
                                          : "deploy.nats.tls.cert",
                   "missing (a client certificate needs its key)");
  return 0;
}

static int load_nats(loader *ld, yaml_node_t *node, pg_nats_config *nc) {
  nc->line = line_of(node);
  if (node->type != YAML_MAPPING_NODE)
    return fail_at(ld, node, "deploy.nats",
                   "must be a mapping with url, user, password, ..., got %s",
                   type_name(node));
  if (check_keys(ld, node, "deploy.nats", nats_keys) < 0) return -1;
  if (load_nats_urls(ld, node, nc) < 0) return -1;
  if (load_nats_auth(ld, node, nc) < 0) return -1;
  yaml_node_t *tls = find_value(ld, node, "tls");
  return tls ? load_nats_tls(ld, tls, nc) : 0;
}

static int program_index(const pg_app_config *app, const char *name,
                         size_t *out) {
  for (size_t i = 0; i < app->nprograms; i++)
    if (!strcmp(app->programs[i].name, name)) {
      *out = i;
      return 0;
    }
  return -1;
}

/* One entry of a node's programs: a known program, once per node. */
static int load_node_program(loader *ld, yaml_node_t *item, const char *path,
                             pg_node_config *node) {
  char *name = NULL;
  if (get_name(ld, item, path, &name) < 0) return -1;
  size_t index;
  int rc = 0;
  if (program_index(ld->app, name, &index) != 0) {
    rc = fail_at(ld, item, path, "the app has no program named '%s'", name);
    goto done;
  }
  for (size_t i = 0; i < node->nprograms; i++)
    if (node->programs[i] == index) {
      rc = fail_at(ld, item, path, "program '%s' is listed twice on node '%s'",
                   name, node->name);
      goto done;
    }
  node->programs[node->nprograms++] = index;
done:
  free(name);
  return rc;
}

static int load_node_programs(loader *ld, yaml_node_t *map, const char *prefix,
                              pg_node_config *node) {
  char path[KEY_PATH_MAX];
  join_key(path, prefix, "programs");
  yaml_node_t *v = find_value(ld, map, "programs");
  if (!v)
    return fail_at(ld, map, path, "missing (which programs node '%s' runs)",
                   node->name);
  yaml_node_item_t *items;
  size_t n;
  if (get_list(ld, v, path, "program names", &items, &n) < 0) return -1;
  if (n == 0)
    return fail_at(ld, v, path, "node '%s' runs no program", node->name);
  if (!(node->programs = calloc(n, sizeof *node->programs)))
    return fail_oom(ld);
  for (size_t i = 0; i < n; i++) {
    char item_path[KEY_PATH_MAX + 16];
    snprintf(item_path, sizeof item_path, "%s[%zu]", path, i);
    if (load_node_program(ld, node_at(ld, items[i]), item_path, node) < 0)
      return -1;
  }
  return 0;
}

static int load_node(loader *ld, yaml_node_t *map, size_t index,
                     pg_node_config *node) {
  char prefix[KEY_PATH_MAX], path[KEY_PATH_MAX];
  snprintf(prefix, sizeof prefix, "deploy.nodes[%zu]", index);
  node->line = line_of(map);
  if (map->type != YAML_MAPPING_NODE)
    return fail_at(ld, map, prefix, "must be a mapping with name and "
                   "programs, got %s", type_name(map));
  if (check_keys(ld, map, prefix, node_keys) < 0) return -1;
  join_key(path, prefix, "name");
  yaml_node_t *v = find_value(ld, map, "name");
  if (!v) return fail_at(ld, map, path, "missing (every node needs a name)");
  if (get_name(ld, v, path, &node->name) < 0) return -1;
  const pg_deploy_config *d = ld->app->deploy;
  for (size_t i = 0; i < index; i++)
    if (!strcmp(d->nodes[i].name, node->name))
      return fail_at(ld, v, path, "node name '%s' is already used on line %d",
                     node->name, d->nodes[i].line);
  return load_node_programs(ld, map, prefix, node);
}

/* Every program must run somewhere. */
static int check_placed(loader *ld, yaml_node_t *nodes) {
  const pg_deploy_config *d = ld->app->deploy;
  for (size_t p = 0; p < ld->app->nprograms; p++) {
    bool placed = false;
    for (size_t i = 0; i < d->nnodes && !placed; i++)
      placed = pg_app_config_on_node(&d->nodes[i], p);
    if (!placed)
      return fail_at(ld, nodes, "deploy.nodes",
                     "program '%s' (line %d) is on no node",
                     ld->app->programs[p].name, ld->app->programs[p].line);
  }
  return 0;
}

static int load_nodes(loader *ld, yaml_node_t *node) {
  pg_deploy_config *d = ld->app->deploy;
  yaml_node_item_t *items;
  size_t n;
  if (get_list(ld, node, "deploy.nodes", "nodes", &items, &n) < 0) return -1;
  if (n == 0)
    return fail_at(ld, node, "deploy.nodes", "the placement needs a node");
  if (!(d->nodes = calloc(n, sizeof *d->nodes))) return fail_oom(ld);
  for (size_t i = 0; i < n; i++) {
    d->nnodes = i + 1; /* so a partly filled entry is freed */
    if (load_node(ld, node_at(ld, items[i]), i, &d->nodes[i]) < 0) return -1;
  }
  return check_placed(ld, node);
}

/* After programs: nodes name them. */
static int load_deploy(loader *ld, yaml_node_t *node) {
  if (node->type != YAML_MAPPING_NODE)
    return fail_at(ld, node, "deploy", "must be a mapping with nats and "
                   "nodes, got %s", type_name(node));
  if (check_keys(ld, node, "deploy", deploy_keys) < 0) return -1;
  if (!(ld->app->deploy = calloc(1, sizeof *ld->app->deploy)))
    return fail_oom(ld);
  ld->app->deploy->line = line_of(node);
  yaml_node_t *v;
  if (!(v = find_value(ld, node, "nats")))
    return fail_at(ld, node, "deploy.nats",
                   "missing (how the nodes reach NATS)");
  if (load_nats(ld, v, &ld->app->deploy->nats) < 0) return -1;
  if (!(v = find_value(ld, node, "nodes")))
    return fail_at(ld, node, "deploy.nodes",
                   "missing (which programs run on which node)");
  return load_nodes(ld, v);
}

/* ---- the document ---------------------------------------------------- */

static const char *const top_keys[] = {"app",      "deadline_ms", "services",
                                       "programs", "deploy",      NULL};

static int load_root(loader *ld, yaml_node_t *root) {
  if (root->type != YAML_MAPPING_NODE)
    return fail_doc(ld, line_of(root),
                    "the top level must be a mapping with 'app' and "
                    "'programs', got %s",
                    type_name(root));
  if (check_keys(ld, root, "", top_keys) < 0) return -1;
  yaml_node_t *v;
  if (!(v = find_value(ld, root, "app")))
    return fail_at(ld, root, "app", "missing (the app needs a name)");
  if (get_name(ld, v, "app", &ld->app->name) < 0) return -1;
  ld->app->deadline_ms = DEFAULT_DEADLINE_MS;
  if ((v = find_value(ld, root, "deadline_ms")) &&
      get_u32(ld, v, "deadline_ms", 1, MAX_DEADLINE_MS,
              &ld->app->deadline_ms) < 0)
    return -1;
  if ((v = find_value(ld, root, "services")) && load_services(ld, v) < 0)
    return -1;
  if (!(v = find_value(ld, root, "programs")))
    return fail_at(ld, root, "programs", "missing (the app needs programs)");
  if (load_programs(ld, v) < 0) return -1;
  if ((v = find_value(ld, root, "deploy")) && load_deploy(ld, v) < 0)
    return -1;
  return 0;
}

static int syntax_error(loader *ld, const yaml_parser_t *parser) {
  const yaml_mark_t *mark = parser->problem ? &parser->problem_mark
                                            : &parser->context_mark;
  snprintf(ld->err, ld->errlen, "%s:%zu:%zu: YAML syntax error: %s%s%s",
           ld->file, mark->line + 1, mark->column + 1,
           parser->problem ? parser->problem : "unknown problem",
           parser->context ? " " : "", parser->context ? parser->context : "");
  return -1;
}

/* Parses the one document of `f` into *doc (caller deletes it). */
static int parse_document(loader *ld, FILE *f, yaml_document_t *doc) {
  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser)) return fail_oom(ld);
  yaml_parser_set_input_file(&parser, f);
  int rc = 0;
  if (!yaml_parser_load(&parser, doc)) {
    rc = syntax_error(ld, &parser);
    goto done;
  }
  yaml_document_t extra;
  if (!yaml_parser_load(&parser, &extra)) {
    yaml_document_delete(doc);
    rc = syntax_error(ld, &parser);
    goto done;
  }
  bool has_extra = yaml_document_get_root_node(&extra) != NULL;
  int extra_line = (int)extra.start_mark.line + 1;
  yaml_document_delete(&extra);
  if (has_extra) {
    yaml_document_delete(doc);
    rc = fail_doc(ld, extra_line,
                  "a second YAML document; app.yaml holds exactly one");
  }
done:
  yaml_parser_delete(&parser);
  return rc;
}

static int load_file(loader *ld, FILE *f) {
  yaml_document_t doc;
  if (parse_document(ld, f, &doc) < 0) return -1;
  ld->doc = &doc;
  yaml_node_t *root = yaml_document_get_root_node(&doc);
  int rc;
  if (!root) {
    rc = fail_doc(ld, 1, "the file is empty (expected a mapping with "
                         "'app' and 'programs')");
  } else {
    rc = load_root(ld, root);
  }
  yaml_document_delete(&doc);
  ld->doc = NULL;
  return rc;
}

int pg__app_config_load_stream(const char *path, FILE *f, pg_app_config **out,
                               char *err, size_t errlen) {
  loader ld = {.file = path, .err = err, .errlen = errlen};
  if (errlen) err[0] = '\0';
  ld.app = calloc(1, sizeof *ld.app);
  if (!ld.app || !(ld.app->path = strdup(path)) ||
      !(ld.app->dir = dir_of(path))) {
    fail_oom(&ld);
    goto fail;
  }
  if (load_file(&ld, f) < 0) goto fail;
  *out = ld.app;
  return 0;
fail:
  pg_app_config_free(ld.app);
  return -1;
}

int pg_app_config_load(const char *path, pg_app_config **out, char *err,
                       size_t errlen) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    return -1;
  }
  int rc = pg__app_config_load_stream(path, f, out, err, errlen);
  fclose(f);
  return rc;
}

static void free_strings(char **list, size_t n) {
  for (size_t i = 0; list && i < n; i++) free(list[i]);
  free(list);
}

static void deploy_free(pg_deploy_config *d) {
  if (!d) return;
  pg_nats_config *nc = &d->nats;
  free_strings(nc->urls, nc->nurls);
  free(nc->user);
  free(nc->password);
  free(nc->token);
  free(nc->tls_ca);
  free(nc->tls_cert);
  free(nc->tls_key);
  for (size_t i = 0; i < d->nnodes; i++) {
    free(d->nodes[i].name);
    free(d->nodes[i].programs);
  }
  free(d->nodes);
  free(d);
}

void pg_app_config_free(pg_app_config *app) {
  if (!app) return;
  for (size_t i = 0; i < app->nprograms; i++) {
    pg_program_config *p = &app->programs[i];
    free(p->name);
    free(p->wasm_path);
    free_strings(p->args, p->nargs);
    free_strings(p->env, p->nenv);
  }
  free(app->programs);
  for (size_t i = 0; i < app->nservices; i++) {
    pg_service_config *s = &app->services[i];
    free(s->service);
    free_strings(s->keys, s->n);
    free_strings(s->values, s->n);
  }
  free(app->services);
  deploy_free(app->deploy);
  free(app->name);
  free(app->dir);
  free(app->path);
  free(app);
}

const char *pg_app_config_service_setting(const pg_app_config *app,
                                          const char *service,
                                          const char *key) {
  for (size_t i = 0; i < app->nservices; i++) {
    const pg_service_config *s = &app->services[i];
    if (strcmp(s->service, service) != 0) continue;
    for (size_t k = 0; k < s->n; k++)
      if (!strcmp(s->keys[k], key)) return s->values[k];
  }
  return NULL;
}

const pg_node_config *pg_app_config_node(const pg_app_config *app,
                                         const char *name) {
  if (!app->deploy || !name) return NULL;
  for (size_t i = 0; i < app->deploy->nnodes; i++)
    if (!strcmp(app->deploy->nodes[i].name, name))
      return &app->deploy->nodes[i];
  return NULL;
}

bool pg_app_config_on_node(const pg_node_config *node, size_t program_index) {
  for (size_t i = 0; i < node->nprograms; i++)
    if (node->programs[i] == program_index) return true;
  return false;
}
