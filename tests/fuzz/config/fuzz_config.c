/*
 * fuzz_config.c: libFuzzer target for the app.yaml loader. Each input is
 * read as an app.yaml located in a scratch directory that holds a.wasm and
 * b.wasm, so inputs naming them get past the file checks and reach the
 * rest of the loader. A load either succeeds (the config is walked and
 * freed) or fails with a message that starts with the file name.
 */
#define _GNU_SOURCE /* fmemopen */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/config_internal.h"

static char scratch_dir[] = "/tmp/pg_fuzz_config_XXXXXX";
static char app_path[256];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void touch(const char *dir, const char *name) {
  char path[300];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  if (f) fclose(f);
}

static void remove_scratch(void) {
  char path[300];
  snprintf(path, sizeof path, "%s/a.wasm", scratch_dir);
  remove(path);
  snprintf(path, sizeof path, "%s/b.wasm", scratch_dir);
  remove(path);
  remove(scratch_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  if (!mkdtemp(scratch_dir)) abort();
  touch(scratch_dir, "a.wasm");
  touch(scratch_dir, "b.wasm");
  atexit(remove_scratch);
  snprintf(app_path, sizeof app_path, "%s/app.yaml", scratch_dir);
  return 0;
}

static void walk(const pg_app_config *app) {
  size_t total = strlen(app->name);
  for (size_t i = 0; i < app->nprograms; i++) {
    const pg_program_config *p = &app->programs[i];
    total += strlen(p->name) + strlen(p->wasm_path) + p->replicas;
    for (size_t k = 0; k < p->nargs; k++) total += strlen(p->args[k]);
    for (size_t k = 0; k < p->nenv; k++)
      if (!strchr(p->env[k], '=')) abort();
  }
  for (size_t i = 0; i < app->nservices; i++)
    for (size_t k = 0; k < app->services[i].n; k++)
      total += strlen(app->services[i].values[k]);
  if (total == 0) abort(); /* a loaded app has a non-empty name */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0; /* fmemopen refuses an empty buffer */
  FILE *f = fmemopen((void *)data, size, "rb");
  if (!f) return 0;
  pg_app_config *app = NULL;
  char err[512];
  if (pg__app_config_load_stream(app_path, f, &app, err, sizeof err) == 0) {
    walk(app);
    pg_app_config_free(app);
  } else if (strncmp(err, app_path, strlen(app_path)) != 0) {
    abort(); /* every message names the file */
  }
  fclose(f);
  return 0;
}
