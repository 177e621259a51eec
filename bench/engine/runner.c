/*
 * runner.c: pg_bench_engine, the engine benchmark run by `make bench`.
 *
 * For every workload (the list comes from CMake as PG_BENCH_WORKLOADS) it
 * times the native binary (DIR/native/bench_NAME) and the same C compiled to
 * wasm32-wasi (DIR/wasm/bench_NAME.wasm) under parigot, checks that both
 * printed the same checksum (a mismatch is an error, not a number), and
 * prints native ms, parigot ms, their ratio and the geometric mean of the
 * ratios. Native and parigot runs alternate, and each side keeps its best
 * time. The ratio of CPU times is printed beside the wall-clock ratio: on a
 * shared machine another process's load inflates wall time much more than
 * CPU time. Then it measures instantiation of DIR/small.wasm.
 *
 *   pg_bench_engine [--quick] [--runs N] [--budget SECONDS]
 *                   [--inst-iterations N] [--dir DIR] [WORKLOAD...]
 *
 * --quick passes "quick" to every workload (tiny sizes) and runs each once:
 * the CTest smoke test, which only checks that the outputs match.
 * Exits 1 when any workload fails or mismatches.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

#ifndef PG_BENCH_DIR
#define PG_BENCH_DIR "."
#endif
#ifndef PG_BENCH_WORKLOADS
#define PG_BENCH_WORKLOADS ""
#endif

enum { MAX_WORKLOADS = 64, TARGET_RATIO = 10, TARGET_INSTANCE_US = 100 };
/* Parigot runs made whatever the time budget says: with one run, a burst of
 * load from another process becomes the number. */
enum { MIN_WASM_RUNS = 2 };

typedef struct options {
  pg_bench_plan plan;
  int inst_iterations;
  const char *dir;
  const char *names[MAX_WORKLOADS];
  int count;
} options;

uint64_t pg__bench_now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t pg__bench_cpu_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void pg__bench_best_add(pg_bench_best *best, uint64_t wall_ns, uint64_t cpu_ns)
{
  if (wall_ns < best->wall_ns)
    best->wall_ns = wall_ns;
  if (cpu_ns < best->cpu_ns)
    best->cpu_ns = cpu_ns;
}

void pg__bench_output_free(pg_bench_output *out)
{
  free(out->text);
  out->text = NULL;
  out->len = 0;
}

pg_status pg__bench_read_file(const char *path, uint8_t **bytes, size_t *len,
                              char *err, size_t errlen)
{
  FILE *f = fopen(path, "rb");
  uint8_t *buf = NULL;
  long size;
  if (!f || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
      fseek(f, 0, SEEK_SET) != 0)
    goto fail;
  buf = malloc(size ? (size_t)size : 1);
  if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size)
    goto fail;
  fclose(f);
  *bytes = buf;
  *len = (size_t)size;
  return PG_OK;
fail:
  snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
  free(buf);
  if (f)
    fclose(f);
  return PG_IO;
}

/* Splits PG_BENCH_WORKLOADS ("a,b,c") into names that
 * point into a static copy. */
static void default_workloads(options *opt)
{
  static char list[] = PG_BENCH_WORKLOADS;
  for (char *save = NULL, *name = strtok_r(list, ",", &save);
       name && opt->count < MAX_WORKLOADS; name = strtok_r(NULL, ",", &save))
    opt->names[opt->count++] = name;
}

static void usage(void)
{
  fprintf(stderr, "usage: pg_bench_engine [--quick] [--runs N] "
                  "[--budget SECONDS] [--inst-iterations N] [--dir DIR] "
                  "[WORKLOAD...]\n");
}

/* Parses argv (borrowed; the options keep pointers into it). */
static bool parse_options(int argc, char **argv, options *opt)
{
  *opt = (options){.plan = {.native_runs = 5, .wasm_runs = 3,
                            .wasm_budget_ns = 6000000000u},
                   .inst_iterations = 20000, .dir = PG_BENCH_DIR};
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    bool has_value = i + 1 < argc;
    if (strcmp(arg, "--quick") == 0) {
      opt->plan = (pg_bench_plan){.native_runs = 1, .wasm_runs = 1,
                                  .quick = true};
      opt->inst_iterations = 200;
    } else if (strcmp(arg, "--runs") == 0 && has_value) {
      int runs = atoi(argv[++i]);
      opt->plan.native_runs = opt->plan.wasm_runs = runs > 0 ? runs : 1;
    } else if (strcmp(arg, "--budget") == 0 && has_value) {
      opt->plan.wasm_budget_ns = (uint64_t)(atof(argv[++i]) * 1e9);
    } else if (strcmp(arg, "--inst-iterations") == 0 && has_value) {
      opt->inst_iterations = atoi(argv[++i]);
    } else if (strcmp(arg, "--dir") == 0 && has_value) {
      opt->dir = argv[++i];
    } else if (arg[0] == '-' || opt->count == MAX_WORKLOADS) {
      usage();
      return false;
    } else {
      opt->names[opt->count++] = arg;
    }
  }
  if (opt->count == 0)
    default_workloads(opt);
  return true;
}

/* Checks one run's output against the reference (the first run's, which
 * is native's) and consumes `got`: it becomes the reference when there is
 * none yet, otherwise it is freed. A mismatch is an error. */
static bool check_output(pg_bench_output *reference, pg_bench_output *got,
                         const char *side, int run, char *err, size_t errlen)
{
  if (!reference->text) {
    *reference = *got;
    return true;
  }
  bool same = strcmp(reference->text, got->text) == 0;
  if (!same)
    snprintf(err, errlen,
             "%s's output differs from native (run %d)\n  native printed:\n"
             "%s  %s printed:\n%s",
             side, run + 1, reference->text, side, got->text);
  pg__bench_output_free(got);
  return same;
}

/* What the runs of one workload add up to. */
typedef struct workload_result {
  pg_bench_best native;
  pg_bench_best wasm;
  int wasm_runs;
  uint64_t compile_ns;
  size_t wasm_bytes;
} workload_result;

/* Runs workload `name` as the plan says, alternating native and parigot
 * runs so both see the same load on a shared machine. */
static bool run_workload(const options *opt, const char *name,
                         workload_result *r, char *err, size_t errlen)
{
  char native_path[4096], wasm_path[4096];
  const pg_bench_plan *plan = &opt->plan;
  pg_bench_wasm *w = NULL;
  pg_bench_output reference = {0}, got = {0};
  bool ok = false;
  snprintf(native_path, sizeof native_path, "%s/native/bench_%s", opt->dir,
           name);
  snprintf(wasm_path, sizeof wasm_path, "%s/wasm/bench_%s.wasm", opt->dir,
           name);
  if (!pg__bench_wasm_open(&w, wasm_path, name, &r->compile_ns,
                           &r->wasm_bytes, err, errlen))
    goto fail;
  uint64_t started = pg__bench_now_ns();
  int rounds = plan->native_runs > plan->wasm_runs ? plan->native_runs
                                                   : plan->wasm_runs;
  for (int i = 0; i < rounds; i++) {
    if (i < plan->native_runs &&
        (!pg__bench_native_run(native_path, plan->quick, &r->native, &got,
                               err, errlen) ||
         !check_output(&reference, &got, "native", i, err, errlen)))
      goto fail;
    if (i >= plan->wasm_runs ||
        (i >= MIN_WASM_RUNS &&
         pg__bench_now_ns() - started >= plan->wasm_budget_ns))
      continue;
    if (!pg__bench_wasm_run(w, plan->quick, &r->wasm, &got, err, errlen) ||
        !check_output(&reference, &got, "parigot", i, err, errlen))
      goto fail;
    r->wasm_runs++;
  }
  ok = true;
fail:
  pg__bench_output_free(&reference);
  pg__bench_wasm_free(w);
  return ok;
}

/* Sums of the logarithms of the ratios, for the geometric means. */
typedef struct ratio_sums {
  double wall;
  double cpu;
  int count;
} ratio_sums;

/* Runs one workload and prints its row; returns false on any failure and
 * otherwise adds its ratios to *sums. */
static bool bench_workload(const options *opt, const char *name,
                           ratio_sums *sums)
{
  char err[8192] = "";
  workload_result r = {.native = PG_BENCH_BEST_INIT,
                       .wasm = PG_BENCH_BEST_INIT};
  if (!run_workload(opt, name, &r, err, sizeof err)) {
    fflush(stdout); /* keep the table and the errors in order */
    fprintf(stderr, "ERROR %s: %s\n", name, err);
    return false;
  }
  double ratio = (double)r.wasm.wall_ns / (double)r.native.wall_ns;
  /* A quick run may take less CPU time than the clock's resolution. */
  double cpu_ratio = (double)(r.wasm.cpu_ns + 1) / (double)(r.native.cpu_ns + 1);
  printf("%-11s %10.1f %11.1f %8.2fx %8.2fx %5d %11.2f %9.1f\n", name,
         r.native.wall_ns / 1e6, r.wasm.wall_ns / 1e6, ratio, cpu_ratio,
         r.wasm_runs, r.compile_ns / 1e6, r.wasm_bytes / 1024.0);
  fflush(stdout);
  sums->wall += log(ratio);
  sums->cpu += log(cpu_ratio);
  sums->count++;
  return true;
}

/* The workload table and the geometric mean; returns the number of
 * failed workloads. */
static int bench_workloads(const options *opt)
{
  printf("engine benchmarks: best of %d native run(s), best of up to %d "
         "parigot run(s) (instantiate + _start), alternating%s\n",
         opt->plan.native_runs, opt->plan.wasm_runs,
         opt->plan.quick ? ", quick sizes" : "");
  printf("%-11s %10s %11s %9s %9s %5s %11s %9s\n", "workload", "native ms",
         "parigot ms", "ratio", "cpu ratio", "runs", "compile ms",
         "wasm KiB");
  fflush(stdout);
  ratio_sums sums = {0};
  int failed = 0;
  for (int i = 0; i < opt->count; i++)
    if (!bench_workload(opt, opt->names[i], &sums))
      failed++;
  if (sums.count > 0)
    printf("geometric mean of %d ratio(s): %.2fx wall clock, %.2fx cpu time "
           "(target: within %dx of native)\n",
           sums.count, exp(sums.wall / sums.count),
           exp(sums.cpu / sums.count), TARGET_RATIO);
  if (failed > 0)
    printf("%d workload(s) FAILED (see the errors above)\n", failed);
  return failed;
}

static void print_latency(const char *what, const pg_bench_latency *l)
{
  printf("  %-40s mean %7.2f us  median %7.2f us  p99 %7.2f us\n", what,
         l->mean_us, l->median_us, l->p99_us);
}

/* The instantiation measurement; returns false when it could not run. */
static bool bench_instantiation(const options *opt)
{
  char path[4096], err[1024] = "";
  pg_bench_latency inst, calloc_ref, memory_ref;
  snprintf(path, sizeof path, "%s/small.wasm", opt->dir);
  if (!pg__bench_instantiate(path, opt->inst_iterations, &inst, &calloc_ref,
                             &memory_ref, err, sizeof err)) {
    fprintf(stderr, "ERROR instantiation: %s\n", err);
    return false;
  }
  printf("\ninstantiation of small.wasm (1 page, data, global, table, 4 "
         "functions), %d iterations; target: under %d us\n",
         opt->inst_iterations, TARGET_INSTANCE_US);
  print_latency("pg_instance_new + pg_instance_free", &inst);
  print_latency("reference: calloc + free of 64 KiB", &calloc_ref);
  print_latency("reference: pg_memory_new + free, 1 page", &memory_ref);
  return true;
}

int main(int argc, char **argv)
{
  options opt;
  if (!parse_options(argc, argv, &opt))
    return 2;
  int failed = bench_workloads(&opt);
  if (!bench_instantiation(&opt))
    failed++;
  return failed == 0 ? 0 : 1;
}
