/*
 * wasm_run.c: runs a workload's .wasm under parigot, in this process.
 * The module is compiled once (its compile time is measured separately, as
 * the best of a few pg_module_new calls); each run then pays for what a
 * service replica would: a fresh pg_wasi and linker, pg_instance_new,
 * _start to completion, and the teardown. The guest's stdout goes to an
 * anonymous temporary file that is read back after the run, so the
 * checksum it prints can be compared with the native one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "parigot/wasi.h"

enum { COMPILE_TRIES = 3 };

struct pg_bench_wasm {
  pg_module *module; /* owned */
  char *name;        /* owned: the guest's argv[0] */
  FILE *stdout_file; /* owned: the guest's stdout, emptied after each run */
};

/* Best of COMPILE_TRIES compilations of bytes (borrowed); keeps the last
 * module in *out (owned by the caller). */
static bool compile(const uint8_t *bytes, size_t len, pg_module **out,
                    uint64_t *best_ns, char *err, size_t errlen)
{
  uint64_t best = UINT64_MAX;
  pg_module *m = NULL;
  for (int i = 0; i < COMPILE_TRIES; i++) {
    pg_module_free(m);
    m = NULL;
    uint64_t start = pg__bench_now_ns();
    pg_status s = pg_module_new(&m, bytes, len, err, errlen);
    uint64_t ns = pg__bench_now_ns() - start;
    if (s != PG_OK)
      return false;
    if (ns < best)
      best = ns;
  }
  *out = m;
  *best_ns = best;
  return true;
}

bool pg__bench_wasm_open(pg_bench_wasm **out, const char *path,
                         const char *name, uint64_t *compile_ns,
                         size_t *wasm_bytes, char *err, size_t errlen)
{
  uint8_t *bytes = NULL;
  size_t len = 0;
  pg_bench_wasm *w = calloc(1, sizeof *w);
  if (!w || !(w->name = strdup(name))) {
    snprintf(err, errlen, "out of memory");
    goto fail;
  }
  if (pg__bench_read_file(path, &bytes, &len, err, errlen) != PG_OK ||
      !compile(bytes, len, &w->module, compile_ns, err, errlen))
    goto fail;
  w->stdout_file = tmpfile();
  if (!w->stdout_file) {
    snprintf(err, errlen, "tmpfile: %s", strerror(errno));
    goto fail;
  }
  free(bytes);
  *wasm_bytes = len;
  *out = w;
  return true;
fail:
  free(bytes);
  pg__bench_wasm_free(w);
  return false;
}

void pg__bench_wasm_free(pg_bench_wasm *w)
{
  if (!w)
    return;
  if (w->stdout_file)
    fclose(w->stdout_file);
  pg_module_free(w->module);
  free(w->name);
  free(w);
}

/* Reads everything written to fd (from offset 0) into *out, then empties
 * the file for the next run. */
static bool take_output(int fd, pg_bench_output *out)
{
  off_t len = lseek(fd, 0, SEEK_END);
  if (len < 0)
    return false;
  out->text = malloc((size_t)len + 1);
  if (!out->text)
    return false;
  ssize_t got = pread(fd, out->text, (size_t)len, 0);
  if (got != len || ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0) {
    pg__bench_output_free(out);
    return false;
  }
  out->text[len] = '\0';
  out->len = (size_t)len;
  return true;
}

/* Describes a failed run of inst into err. */
static void describe_failure(pg_instance *inst, pg_status s, int exit_code,
                             char *err, size_t errlen)
{
  if (s == PG_OK) {
    snprintf(err, errlen, "exited with code %d", exit_code);
    return;
  }
  if (s == PG_NOT_FOUND) {
    snprintf(err, errlen, "the module exports no _start");
    return;
  }
  char trace[1024] = "";
  if (s == PG_TRAP)
    pg_instance_backtrace(inst, trace, sizeof trace);
  snprintf(err, errlen, "%s: %s\n%s", pg_status_str(s),
           s == PG_TRAP ? pg_instance_trap_message(inst) : "", trace);
}

/* Instantiates w's module with fresh WASI state whose stdout is out_fd,
 * runs _start and tears everything down. */
static bool instantiate_and_start(pg_bench_wasm *w, bool quick, int out_fd,
                                  char *err, size_t errlen)
{
  const char *argv[] = {w->name, "quick", NULL};
  pg_wasi_config cfg = {.argc = quick ? 2 : 1, .argv = argv,
                        .stdin_fd = STDIN_FILENO, .stdout_fd = out_fd,
                        .stderr_fd = STDERR_FILENO};
  pg_wasi *wasi = NULL;
  pg_linker *linker = NULL;
  pg_instance *inst = NULL;
  bool ok = false;
  int exit_code = 0;
  pg_status s = pg_wasi_new(&wasi, &cfg, err, errlen);
  if (s != PG_OK)
    goto fail;
  if ((s = pg_linker_new(&linker)) != PG_OK ||
      (s = pg_wasi_link(wasi, linker)) != PG_OK) {
    snprintf(err, errlen, "linker: %s", pg_status_str(s));
    goto fail;
  }
  if ((s = pg_instance_new(&inst, w->module, linker, NULL, err, errlen)) !=
      PG_OK)
    goto fail;
  s = pg_wasi_run_start(wasi, inst, &exit_code);
  if (s != PG_OK || exit_code != 0) {
    describe_failure(inst, s, exit_code, err, errlen);
    goto fail;
  }
  ok = true;
fail:
  /* The linker owns the host functions: free it after the instance. */
  pg_instance_free(inst);
  pg_linker_free(linker);
  pg_wasi_free(wasi);
  return ok;
}

bool pg__bench_wasm_run(pg_bench_wasm *w, bool quick, pg_bench_best *best,
                        pg_bench_output *out, char *err, size_t errlen)
{
  int out_fd = fileno(w->stdout_file);
  uint64_t start = pg__bench_now_ns(), start_cpu = pg__bench_cpu_ns();
  bool ok = instantiate_and_start(w, quick, out_fd, err, errlen);
  uint64_t wall_ns = pg__bench_now_ns() - start;
  uint64_t cpu_ns = pg__bench_cpu_ns() - start_cpu;
  pg_bench_output taken = {0};
  if (!take_output(out_fd, &taken)) {
    snprintf(err, errlen, "cannot read back the guest's stdout");
    return false;
  }
  if (!ok) {
    pg__bench_output_free(&taken);
    return false;
  }
  pg__bench_best_add(best, wall_ns, cpu_ns);
  *out = taken;
  return true;
}
