/*
 * test_deploy_config.c: the `deploy:` section of app.yaml
 * (src/kernel/config.c): NATS URLs, credentials and TLS files, nodes and
 * their programs, the lookup helpers, and the exact "FILE:LINE: key 'x':
 * reason" message of every placement error. Each test writes app.yaml
 * into one temporary directory with a few empty .wasm files beside it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel/config.h"
#include "pg_test.h"

static char tmpdir[256];
static char app_path[512];
static char err[1024];

static void write_file(const char *name, const char *text) {
  char path[600];
  snprintf(path, sizeof path, "%s/%s", tmpdir, name);
  FILE *f = fopen(path, "wb");
  if (!f) {
    perror(path);
    exit(2);
  }
  fputs(text, f);
  fclose(f);
}

static pg_app_config *load(const char *yaml) {
  write_file("app.yaml", yaml);
  pg_app_config *app = NULL;
  if (pg_app_config_load(app_path, &app, err, sizeof err) != 0) return NULL;
  return app;
}

/* The error without the "PATH:" prefix. */
static const char *load_error(const char *yaml) {
  pg_app_config *app = load(yaml);
  if (app) {
    pg_app_config_free(app);
    return "(loaded without error)";
  }
  size_t n = strlen(app_path);
  if (strncmp(err, app_path, n) != 0 || err[n] != ':') return err;
  return err + n + 1;
}

#define APP                                                                   \
  "app: shop\n"                                                               \
  "programs:\n"                                                               \
  "  - {name: main, wasm: a.wasm, role: main}\n"                              \
  "  - {name: cart, wasm: b.wasm}\n"                                          \
  "  - {name: store, wasm: c.wasm, replicas: 2}\n"

/* line 6 onwards is the deploy section */
#define NATS_OK                                                               \
  "deploy:\n"                                                                 \
  "  nats:\n"                                                                 \
  "    url: nats://127.0.0.1:4222\n"

#define NODES_OK                                                              \
  "  nodes:\n"                                                                \
  "    - {name: front, programs: [main, cart]}\n"                             \
  "    - {name: back, programs: [store]}\n"

static void test_full_deploy(void) {
  pg_app_config *app = load(APP
                            "deploy:\n"
                            "  nats:\n"
                            "    urls: [nats://10.0.0.1:4222, tls://h:4443]\n"
                            "    user: shop\n"
                            "    password: s3cret\n"
                            "    tls: {ca: ca.pem, cert: node.pem, key: node.key}\n"
                            "  nodes:\n"
                            "    - name: front\n"
                            "      programs: [main, cart]\n"
                            "    - name: back-1\n"
                            "      programs: [store]\n"
                            "    - name: back-2\n"
                            "      programs: [store, cart]\n");
  if (!app) PG_FAIL_("load failed: %s", err);
  const pg_deploy_config *d = app->deploy;
  ASSERT_TRUE(d != NULL);
  ASSERT_EQ(d->line, 7);
  ASSERT_EQ(d->nats.nurls, 2);
  ASSERT_STR_EQ(d->nats.urls[0], "nats://10.0.0.1:4222");
  ASSERT_STR_EQ(d->nats.urls[1], "tls://h:4443");
  ASSERT_STR_EQ(d->nats.user, "shop");
  ASSERT_STR_EQ(d->nats.password, "s3cret");
  ASSERT_TRUE(d->nats.token == NULL);
  ASSERT_TRUE(d->nats.tls);
  char want[700];
  snprintf(want, sizeof want, "%s/ca.pem", tmpdir);
  ASSERT_STR_EQ(d->nats.tls_ca, want);
  snprintf(want, sizeof want, "%s/node.key", tmpdir);
  ASSERT_STR_EQ(d->nats.tls_key, want);
  ASSERT_EQ(d->nnodes, 3);
  ASSERT_STR_EQ(d->nodes[1].name, "back-1");
  ASSERT_EQ(d->nodes[1].line, 15);
  ASSERT_EQ(d->nodes[2].nprograms, 2);
  ASSERT_EQ(d->nodes[2].programs[0], 2); /* store */
  ASSERT_EQ(d->nodes[2].programs[1], 1); /* cart */
  const pg_node_config *n = pg_app_config_node(app, "back-2");
  ASSERT_TRUE(n == &d->nodes[2]);
  ASSERT_TRUE(pg_app_config_on_node(n, 1));
  ASSERT_TRUE(!pg_app_config_on_node(n, 0));
  ASSERT_TRUE(pg_app_config_node(app, "nowhere") == NULL);
  ASSERT_TRUE(pg_app_config_node(app, NULL) == NULL);
  pg_app_config_free(app);
}

static void test_single_url_token_and_no_deploy(void) {
  pg_app_config *app = load(APP NATS_OK "    token: t0ken\n" NODES_OK);
  if (!app) PG_FAIL_("load failed: %s", err);
  ASSERT_EQ(app->deploy->nats.nurls, 1);
  ASSERT_STR_EQ(app->deploy->nats.urls[0], "nats://127.0.0.1:4222");
  ASSERT_STR_EQ(app->deploy->nats.token, "t0ken");
  ASSERT_TRUE(app->deploy->nats.user == NULL);
  ASSERT_TRUE(!app->deploy->nats.tls);
  pg_app_config_free(app);
  app = load(APP);
  if (!app) PG_FAIL_("load failed: %s", err);
  ASSERT_TRUE(app->deploy == NULL);
  ASSERT_TRUE(pg_app_config_node(app, "front") == NULL);
  pg_app_config_free(app);
}

static void test_nats_errors(void) {
  ASSERT_STR_EQ(load_error(APP "deploy:\n" NODES_OK),
                "7: key 'deploy.nats': missing (how the nodes reach NATS)");
  ASSERT_STR_EQ(load_error(APP NATS_OK),
                "7: key 'deploy.nodes': missing (which programs run on which "
                "node)");
  ASSERT_STR_EQ(load_error(APP "deploy:\n  nats: {user: u, password: p}\n"
                               NODES_OK),
                "7: key 'deploy.nats.url': missing (the address of the NATS "
                "server)");
  ASSERT_STR_EQ(load_error(APP NATS_OK "    urls: [nats://b:4222]\n" NODES_OK),
                "9: key 'deploy.nats.urls': give url or urls, not both");
  ASSERT_STR_EQ(load_error(APP "deploy:\n  nats:\n    urls: []\n" NODES_OK),
                "8: key 'deploy.nats.urls': must list at least one URL");
  ASSERT_STR_EQ(
      load_error(APP "deploy:\n  nats:\n    url: nats://a:1,nats://b:2\n"
                     NODES_OK),
      "8: key 'deploy.nats.url': 'nats://a:1,nats://b:2' is not a server URL "
      "(like nats://host:4222)");
  ASSERT_STR_EQ(load_error(APP NATS_OK "    user: u\n" NODES_OK),
                "9: key 'deploy.nats.password': missing (a user needs a "
                "password)");
  ASSERT_STR_EQ(load_error(APP NATS_OK "    password: p\n" NODES_OK),
                "9: key 'deploy.nats.user': missing (a password needs a user)");
  ASSERT_STR_EQ(load_error(APP NATS_OK
                           "    user: u\n    password: p\n    token: t\n"
                           NODES_OK),
                "11: key 'deploy.nats.token': give user + password or token, "
                "not both");
  ASSERT_STR_EQ(load_error(APP NATS_OK "    port: 4222\n" NODES_OK),
                "9: key 'deploy.nats.port': unknown key");
  ASSERT_STR_EQ(load_error(APP NATS_OK "  extra: 1\n" NODES_OK),
                "9: key 'deploy.extra': unknown key");
  ASSERT_STR_EQ(load_error(APP "deploy: [1]\n"),
                "6: key 'deploy': must be a mapping with nats and nodes, got "
                "a list");
}

static void test_tls_errors(void) {
  char want[800];
  snprintf(want, sizeof want,
           "9: key 'deploy.nats.tls.ca': file '%s/missing.pem' does not exist",
           tmpdir);
  ASSERT_STR_EQ(load_error(APP NATS_OK "    tls: {ca: missing.pem}\n" NODES_OK),
                want);
  ASSERT_STR_EQ(load_error(APP NATS_OK "    tls: {cert: node.pem}\n" NODES_OK),
                "9: key 'deploy.nats.tls.key': missing (a client certificate "
                "needs its key)");
  ASSERT_STR_EQ(load_error(APP NATS_OK "    tls: {pem: x}\n" NODES_OK),
                "9: key 'deploy.nats.tls.pem': unknown key");
  pg_app_config *app = load(APP NATS_OK "    tls:\n" NODES_OK);
  if (!app) PG_FAIL_("an empty tls: failed: %s", err);
  ASSERT_TRUE(app->deploy->nats.tls);
  ASSERT_TRUE(app->deploy->nats.tls_ca == NULL);
  pg_app_config_free(app);
}

static void test_node_errors(void) {
  ASSERT_STR_EQ(load_error(APP NATS_OK "  nodes: []\n"),
                "9: key 'deploy.nodes': the placement needs a node");
  ASSERT_STR_EQ(load_error(APP NATS_OK
                           "  nodes:\n"
                           "    - {name: front, programs: [main, cart]}\n"
                           "    - {name: back, programs: [zz]}\n"),
                "11: key 'deploy.nodes[1].programs[0]': the app has no "
                "program named 'zz'");
  ASSERT_STR_EQ(load_error(APP NATS_OK
                           "  nodes:\n"
                           "    - {name: front, programs: [main, cart, main]}\n"
                           "    - {name: back, programs: [store]}\n"),
                "10: key 'deploy.nodes[0].programs[2]': program 'main' is "
                "listed twice on node 'front'");
  ASSERT_STR_EQ(load_error(APP NATS_OK
                           "  nodes:\n"
                           "    - {name: front, programs: [main, cart]}\n"
                           "    - {name: front, programs: [store]}\n"),
                "11: key 'deploy.nodes[1].name': node name 'front' is already "
                "used on line 10");
  ASSERT_STR_EQ(load_error(APP NATS_OK
                           "  nodes:\n"
                           "    - {name: front, programs: [main, cart]}\n"),
                "10: key 'deploy.nodes': program 'store' (line 5) is on no "
                "node");
  ASSERT_STR_EQ(load_error(APP NATS_OK
                           "  nodes:\n"
                           "    - {name: front, programs: []}\n"),
                "10: key 'deploy.nodes[0].programs': node 'front' runs no "
                "program");
  ASSERT_STR_EQ(load_error(APP NATS_OK "  nodes:\n    - {programs: [main]}\n"),
                "10: key 'deploy.nodes[0].name': missing (every node needs a "
                "name)");
  ASSERT_STR_EQ(load_error(APP NATS_OK "  nodes:\n    - {name: front}\n"),
                "10: key 'deploy.nodes[0].programs': missing (which programs "
                "node 'front' runs)");
  ASSERT_STR_EQ(load_error(APP NATS_OK
                           "  nodes:\n    - {name: 'a b', programs: [main]}\n"),
                "10: key 'deploy.nodes[0].name': 'a b' is not a valid name "
                "(letters, digits, '_', '.', '-')");
  ASSERT_STR_EQ(load_error(APP NATS_OK
                           "  nodes:\n"
                           "    - {name: f, programs: [main], cpu: 2}\n"),
                "10: key 'deploy.nodes[0].cpu': unknown key");
}

int main(void) {
  snprintf(tmpdir, sizeof tmpdir, "/tmp/pg_deploy_test_XXXXXX");
  if (!mkdtemp(tmpdir)) {
    perror("mkdtemp");
    return 2;
  }
  snprintf(app_path, sizeof app_path, "%s/app.yaml", tmpdir);
  const char *files[] = {"a.wasm", "b.wasm", "c.wasm", "ca.pem", "node.pem",
                         "node.key"};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
    write_file(files[i], "");
  PG_RUN(test_full_deploy);
  PG_RUN(test_single_url_token_and_no_deploy);
  PG_RUN(test_nats_errors);
  PG_RUN(test_tls_errors);
  PG_RUN(test_node_errors);
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
  return PG_DONE();
}
