/*
 * test_config.c: unit tests of pg_app_config_load (src/kernel/config.c).
 * Each test writes an app.yaml into a fresh temporary directory (with a few
 * empty .wasm files beside it: the loader only checks they exist) and
 * checks either the loaded values or the exact error message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel/config.h"
#include "pg_test.h"

static char tmpdir[256];
static char app_path[512];
static char err[1024];

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "wb");
  if (!f) {
    perror(path);
    exit(2);
  }
  fputs(text, f);
  fclose(f);
}

static void setup_dir(void) {
  snprintf(tmpdir, sizeof tmpdir, "/tmp/pg_config_test_XXXXXX");
  if (!mkdtemp(tmpdir)) {
    perror("mkdtemp");
    exit(2);
  }
  char path[600];
  snprintf(path, sizeof path, "%s/a.wasm", tmpdir);
  write_file(path, "");
  snprintf(path, sizeof path, "%s/b.wasm", tmpdir);
  write_file(path, "");
  snprintf(path, sizeof path, "%s/build", tmpdir);
  mkdir(path, 0755);
  snprintf(path, sizeof path, "%s/build/c.wasm", tmpdir);
  write_file(path, "");
  snprintf(app_path, sizeof app_path, "%s/app.yaml", tmpdir);
}

static void cleanup_dir(void) {
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
}

/* Loads `yaml`; returns the config (NULL on failure, err filled). */
static pg_app_config *load(const char *yaml) {
  write_file(app_path, yaml);
  pg_app_config *app = NULL;
  if (pg_app_config_load(app_path, &app, err, sizeof err) != 0) return NULL;
  return app;
}

/* Loads `yaml`, which must fail; returns the message without the
 * "PATH:" prefix (or a marker when the prefix or the failure is absent). */
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

#define PROGRAM_A "  - name: a\n    wasm: a.wasm\n"

static void test_full_valid_file(void) {
  pg_app_config *app = load(
      "# a complete app\n"
      "app: store\n"
      "deadline_ms: 250\n"
      "services:\n"
      "  file.v1.FileService:\n"
      "    root: ./data\n"
      "  log.v1.LogService: {}\n"
      "programs:\n"
      "  - name: store\n"
      "    wasm: a.wasm\n"
      "    role: server\n"
      "    replicas: 3\n"
      "    args: [--verbose, \"two words\"]\n"
      "    env: {GREETING: hi, EMPTY: \"\"}\n"
      "  - name: main.v2-x_y\n"
      "    wasm: build/c.wasm\n"
      "    role: main\n"
      "  - name: t\n"
      "    wasm: b.wasm\n"
      "    role: test\n"
      "    args:\n"
      "      - one\n");
  ASSERT_TRUE(app != NULL);
  ASSERT_STR_EQ(app->name, "store");
  ASSERT_STR_EQ(app->path, app_path);
  ASSERT_STR_EQ(app->dir, tmpdir);
  ASSERT_EQ(app->deadline_ms, 250);
  ASSERT_EQ(app->nprograms, 3);
  pg_program_config *p = &app->programs[0];
  char expect[600];
  ASSERT_STR_EQ(p->name, "store");
  snprintf(expect, sizeof expect, "%s/a.wasm", tmpdir);
  ASSERT_STR_EQ(p->wasm_path, expect);
  ASSERT_EQ(p->role, PG_ROLE_SERVER);
  ASSERT_EQ(p->replicas, 3);
  ASSERT_EQ(p->nargs, 2);
  ASSERT_STR_EQ(p->args[0], "--verbose");
  ASSERT_STR_EQ(p->args[1], "two words");
  ASSERT_EQ(p->nenv, 2);
  ASSERT_STR_EQ(p->env[0], "GREETING=hi");
  ASSERT_STR_EQ(p->env[1], "EMPTY=");
  ASSERT_EQ(p->line, 9);
  p = &app->programs[1];
  ASSERT_STR_EQ(p->name, "main.v2-x_y");
  snprintf(expect, sizeof expect, "%s/build/c.wasm", tmpdir);
  ASSERT_STR_EQ(p->wasm_path, expect);
  ASSERT_EQ(p->role, PG_ROLE_MAIN);
  ASSERT_EQ(p->replicas, 1);
  ASSERT_EQ(p->nargs, 0);
  ASSERT_EQ(p->nenv, 0);
  ASSERT_EQ(p->line, 15);
  p = &app->programs[2];
  ASSERT_EQ(p->role, PG_ROLE_TEST);
  ASSERT_EQ(p->nargs, 1);
  ASSERT_STR_EQ(p->args[0], "one");
  ASSERT_EQ(app->nservices, 2);
  snprintf(expect, sizeof expect, "%s/./data", tmpdir);
  ASSERT_STR_EQ(pg_app_config_service_setting(app, "file.v1.FileService",
                                              "root"),
                expect);
  ASSERT_TRUE(pg_app_config_service_setting(app, "file.v1.FileService",
                                            "other") == NULL);
  ASSERT_TRUE(pg_app_config_service_setting(app, "log.v1.LogService",
                                            "root") == NULL);
  pg_app_config_free(app);
}

static void test_defaults(void) {
  pg_app_config *app = load("app: x\nprograms:\n" PROGRAM_A);
  ASSERT_TRUE(app != NULL);
  ASSERT_EQ(app->deadline_ms, 5000);
  ASSERT_EQ(app->nservices, 0);
  ASSERT_EQ(app->programs[0].role, PG_ROLE_SERVER);
  ASSERT_EQ(app->programs[0].replicas, 1);
  ASSERT_TRUE(pg_app_config_service_setting(app, "file.v1.FileService",
                                            "root") == NULL);
  pg_app_config_free(app);
}

static void test_absolute_wasm_path(void) {
  char yaml[1024];
  snprintf(yaml, sizeof yaml,
           "app: x\nprograms:\n  - name: a\n    wasm: %s/b.wasm\n", tmpdir);
  pg_app_config *app = load(yaml);
  ASSERT_TRUE(app != NULL);
  char expect[600];
  snprintf(expect, sizeof expect, "%s/b.wasm", tmpdir);
  ASSERT_STR_EQ(app->programs[0].wasm_path, expect);
  pg_app_config_free(app);
}

static void test_role_names(void) {
  ASSERT_STR_EQ(pg_role_name(PG_ROLE_SERVER), "server");
  ASSERT_STR_EQ(pg_role_name(PG_ROLE_MAIN), "main");
  ASSERT_STR_EQ(pg_role_name(PG_ROLE_TEST), "test");
}

static void test_unknown_keys(void) {
  ASSERT_STR_EQ(load_error("app: x\ncolour: red\nprograms:\n" PROGRAM_A),
                "2: key 'colour': unknown key");
  ASSERT_STR_EQ(load_error("app: x\nprograms:\n" PROGRAM_A "    colour: red\n"),
                "5: key 'programs[0].colour': unknown key");
  ASSERT_STR_EQ(load_error("app: x\nservices:\n  file.v1.FileService:\n"
                           "    rooot: d\nprograms:\n" PROGRAM_A),
                "4: key 'services.file.v1.FileService.rooot': unknown key");
  ASSERT_STR_EQ(load_error("app: x\nservices:\n  kv.v1.Store: {}\n"
                           "programs:\n" PROGRAM_A),
                "3: key 'services.kv.v1.Store': unknown built-in service");
  ASSERT_STR_EQ(load_error("app: x\nservices:\n  log.v1.LogService:\n"
                           "    level: debug\nprograms:\n" PROGRAM_A),
                "4: key 'services.log.v1.LogService.level': unknown key");
}

static void test_missing_required_keys(void) {
  ASSERT_STR_EQ(load_error("programs:\n" PROGRAM_A),
                "1: key 'app': missing (the app needs a name)");
  ASSERT_STR_EQ(load_error("app: x\n"),
                "1: key 'programs': missing (the app needs programs)");
  ASSERT_STR_EQ(load_error("app: x\nprograms:\n  - wasm: a.wasm\n"),
                "3: key 'programs[0].name': missing (every program needs a "
                "name)");
  ASSERT_STR_EQ(load_error("app: x\nprograms:\n" PROGRAM_A
                           "  - name: b\n    role: main\n"),
                "5: key 'programs[1].wasm': missing (program 'b' needs a "
                ".wasm file)");
  ASSERT_STR_EQ(load_error("app: x\nprograms: []\n"),
                "2: key 'programs': the app needs at least one program");
}

static void test_wrong_types(void) {
  ASSERT_STR_EQ(load_error("app: x\nprograms:\n" PROGRAM_A "    args: -v\n"),
                "5: key 'programs[0].args': must be a list of strings, got a "
                "string");
  ASSERT_STR_EQ(load_error("app: x\nprograms:\n" PROGRAM_A
                           "    args: [a, [b]]\n"),
                "5: key 'programs[0].args[1]': must be a string, got a list");
  ASSERT_STR_EQ(load_error("app: x\nprograms:\n" PROGRAM_A "    env: [A=1]\n"),
                "5: key 'programs[0].env': must be a mapping of NAME: value, "
                "got a list");
  ASSERT_STR_EQ(load_error("app: x\nprograms:\n" PROGRAM_A
                           "    env: {A: {b: c}}\n"),
                "5: key 'programs[0].env.A': must be a string, got a mapping");
  ASSERT_STR_EQ(load_error("app: x\nprograms:\n  name: a\n  wasm: a.wasm\n"),
                "3: key 'programs': must be a list of programs, got a mapping");
  ASSERT_STR_EQ(load_error("app: x\nprograms:\n  - a.wasm\n"),
                "3: key 'programs[0]': must be a mapping with name, wasm, "
                "role, ..., got a string");
  ASSERT_STR_EQ(load_error("app: [x]\nprograms:\n" PROGRAM_A),
                "1: key 'app': must be a string, got a list");
  ASSERT_STR_EQ(load_error("app:\nprograms:\n" PROGRAM_A),
                "1: key 'app': must be a string, got nothing");
  ASSERT_STR_EQ(load_error("app: x\nprograms:\n  - name: a\n    wasm:\n"),
                "4: key 'programs[0].wasm': must be a string, got nothing");
  ASSERT_STR_EQ(load_error("app: x\nservices: [file]\nprograms:\n" PROGRAM_A),
                "2: key 'services': must be a mapping of service names, got "
                "a list");
  ASSERT_STR_EQ(load_error("- app: x\n"),
                "1: the top level must be a mapping with 'app' and "
                "'programs', got a list");
}

static void test_bad_numbers(void) {
  ASSERT_STR_EQ(load_error("app: x\nprograms:\n" PROGRAM_A "    replicas: 0\n"),
                "5: key 'programs[0].replicas': must be an integer from 1 to "
                "1024, got '0'");
  ASSERT_STR_EQ(load_error("app: x\nprograms:\n" PROGRAM_A
                           "    replicas: -2\n"),
                "5: key 'programs[0].replicas': must be an integer from 1 to "
                "1024, got '-2'");
  ASSERT_STR_EQ(load_error("app: x\nprograms:\n" PROGRAM_A
                           "    replicas: 1.5\n"),
                "5: key 'programs[0].replicas': must be an integer from 1 to "
                "1024, got '1.5'");
  ASSERT_STR_EQ(load_error("app: x\nprograms:\n" PROGRAM_A
                           "    replicas: [2]\n"),
                "5: key 'programs[0].replicas': must be an integer from 1 to "
                "1024, got a list");
  ASSERT_STR_EQ(load_error("app: x\ndeadline_ms: 99999999999999999999999\n"
                           "programs:\n" PROGRAM_A),
                "2: key 'deadline_ms': must be an integer from 1 to 86400000, "
                "got '99999999999999999999999'");
}

static void test_bad_role(void) {
  ASSERT_STR_EQ(load_error("app: x\nprograms:\n" PROGRAM_A "    role: client\n"),
                "5: key 'programs[0].role': must be server, main or test, got "
                "'client'");
}

static void test_invalid_names(void) {
  ASSERT_STR_EQ(load_error("app: x\nprograms:\n  - name: my prog\n"
                           "    wasm: a.wasm\n"),
                "3: key 'programs[0].name': 'my prog' is not a valid name "
                "(letters, digits, '_', '.', '-')");
  ASSERT_STR_EQ(load_error("app: a/b\nprograms:\n" PROGRAM_A),
                "1: key 'app': 'a/b' is not a valid name (letters, digits, "
                "'_', '.', '-')");
  ASSERT_STR_EQ(load_error("app: x\nprograms:\n" PROGRAM_A
                           "    env: {\"A=B\": c}\n"),
                "5: key 'programs[0].env.A=B': not a valid environment name");
}

static void test_duplicates(void) {
  ASSERT_STR_EQ(load_error("app: x\nprograms:\n" PROGRAM_A
                           "  - name: b\n    wasm: b.wasm\n"
                           "  - name: a\n    wasm: b.wasm\n"),
                "7: key 'programs[2].name': program name 'a' is already used "
                "on line 3");
  ASSERT_STR_EQ(load_error("app: x\napp: y\nprograms:\n" PROGRAM_A),
                "2: key 'app': appears twice (first on line 1)");
}

static void test_missing_wasm_file(void) {
  char expect[700];
  snprintf(expect, sizeof expect,
           "4: key 'programs[0].wasm': file '%s/nope/z.wasm' does not exist",
           tmpdir);
  ASSERT_STR_EQ(load_error("app: x\nprograms:\n  - name: a\n"
                           "    wasm: nope/z.wasm\n"),
                expect);
  snprintf(expect, sizeof expect,
           "4: key 'programs[0].wasm': '%s/build' is not a regular file",
           tmpdir);
  ASSERT_STR_EQ(load_error("app: x\nprograms:\n  - name: a\n    wasm: build\n"),
                expect);
  snprintf(expect, sizeof expect,
           "4: key 'services.file.v1.FileService.root': '%s/a.wasm' is not a "
           "directory",
           tmpdir);
  ASSERT_STR_EQ(load_error("app: x\nservices:\n  file.v1.FileService:\n"
                           "    root: a.wasm\nprograms:\n" PROGRAM_A),
                expect);
}

static void test_syntax_errors(void) {
  ASSERT_STR_EQ(load_error("app: x\nprograms:\n  - name: a\n   wasm: a\n"),
                "4:4: YAML syntax error: did not find expected '-' indicator "
                "while parsing a block collection");
  ASSERT_STR_EQ(load_error("app: x\nprograms:\n  - name: a\n    args: [a\n"),
                "5:1: YAML syntax error: did not find expected ',' or ']' "
                "while parsing a flow sequence");
  ASSERT_STR_EQ(load_error("app: x\n  bad: indent\n"),
                "2:6: YAML syntax error: mapping values are not allowed in "
                "this context");
  ASSERT_STR_EQ(load_error("app: x\n---\napp: y\n"),
                "2: a second YAML document; app.yaml holds exactly one");
}

static void test_empty_file(void) {
  ASSERT_STR_EQ(load_error(""),
                "1: the file is empty (expected a mapping with 'app' and "
                "'programs')");
  ASSERT_STR_EQ(load_error("# only a comment\n"),
                "1: the file is empty (expected a mapping with 'app' and "
                "'programs')");
}

static void test_unreadable_file(void) {
  pg_app_config *app = NULL;
  char path[600];
  snprintf(path, sizeof path, "%s/none.yaml", tmpdir);
  ASSERT_EQ(pg_app_config_load(path, &app, err, sizeof err), -1);
  ASSERT_TRUE(app == NULL);
  char expect[700];
  snprintf(expect, sizeof expect, "%s: cannot open: No such file or directory",
           path);
  ASSERT_STR_EQ(err, expect);
}

static void test_small_error_buffer(void) {
  write_file(app_path, "app: x\ncolour: red\nprograms:\n" PROGRAM_A);
  pg_app_config *app = NULL;
  char small[8];
  ASSERT_EQ(pg_app_config_load(app_path, &app, small, sizeof small), -1);
  ASSERT_EQ(strlen(small), 7);
}

int main(void) {
  setup_dir();
  PG_RUN(test_full_valid_file);
  PG_RUN(test_defaults);
  PG_RUN(test_absolute_wasm_path);
  PG_RUN(test_role_names);
  PG_RUN(test_unknown_keys);
  PG_RUN(test_missing_required_keys);
  PG_RUN(test_wrong_types);
  PG_RUN(test_bad_numbers);
  PG_RUN(test_bad_role);
  PG_RUN(test_invalid_names);
  PG_RUN(test_duplicates);
  PG_RUN(test_missing_wasm_file);
  PG_RUN(test_syntax_errors);
  PG_RUN(test_empty_file);
  PG_RUN(test_unreadable_file);
  PG_RUN(test_small_error_buffer);
  cleanup_dir();
  return PG_DONE();
}
