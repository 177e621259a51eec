/*
 * bench.h: what the pieces of the engine benchmark runner (pg_bench_engine)
 * share. runner.c parses the command line and prints the report;
 * native_run.c makes one timed run of a workload's native binary as a
 * subprocess; wasm_run.c compiles a workload's .wasm once and makes timed
 * runs of instantiate + _start under parigot; instantiate.c measures
 * pg_instance_new/free of a small module beside a calloc/free reference.
 *
 * Times are in nanoseconds: wall clock from CLOCK_MONOTONIC, and CPU time
 * (the thread's, or a child's user + system) beside it.
 */
#ifndef PG_BENCH_H
#define PG_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parigot/engine.h"

/* Nanoseconds on CLOCK_MONOTONIC. */
uint64_t pg__bench_now_ns(void);
/* CPU time of the calling thread in nanoseconds (CLOCK_THREAD_CPUTIME_ID). */
uint64_t pg__bench_cpu_ns(void);

/* The best (smallest) wall and CPU times over some runs, each minimum taken
 * on its own. CPU time is reported beside wall time because the machine
 * may be shared: another process's load inflates wall time, much less the
 * CPU time. */
typedef struct pg_bench_best {
  uint64_t wall_ns;
  uint64_t cpu_ns;
} pg_bench_best;

#define PG_BENCH_BEST_INIT {UINT64_MAX, UINT64_MAX}

/* Folds one run's times into *best. */
void pg__bench_best_add(pg_bench_best *best, uint64_t wall_ns, uint64_t cpu_ns);

/* A captured stdout: NUL-terminated, owned by whoever holds the struct
 * (free with pg__bench_output_free). */
typedef struct pg_bench_output {
  char *text;
  size_t len;
} pg_bench_output;

void pg__bench_output_free(pg_bench_output *out);

/* Reads the whole file `path` (borrowed) into a new buffer that the caller
 * owns (free()). Returns PG_IO with the reason in err on failure. */
pg_status pg__bench_read_file(const char *path, uint8_t **bytes, size_t *len,
                              char *err, size_t errlen);

/* How many times to run each side, and when to stop early. The runs of
 * the two sides alternate (native, parigot, native, ...) so that both see
 * the same load when the machine is shared. */
typedef struct pg_bench_plan {
  int native_runs;         /* best of this many native runs */
  int wasm_runs;           /* best of at most this many parigot runs */
  uint64_t wasm_budget_ns; /* no new parigot run once this much time has
                              passed on the workload (after two runs) */
  bool quick;              /* pass "quick" to the workloads: tiny sizes */
} pg_bench_plan;

/* One run of the native program `path` (borrowed), with "quick" as its
 * argument when `quick`. On success folds its times into *best (CPU time is
 * the child's user + system time), writes its stdout to *out (owned by the
 * caller) and returns true; on failure (cannot start, non-zero exit) writes
 * the reason to err and returns false. */
bool pg__bench_native_run(const char *path, bool quick, pg_bench_best *best,
                          pg_bench_output *out, char *err, size_t errlen);

/* A workload's module, compiled once and run many times. */
typedef struct pg_bench_wasm pg_bench_wasm;

/* Reads and compiles the module at `path` (borrowed; best of a few
 * compilations is kept in *compile_ns, the file size in *wasm_bytes).
 * `name` (copied) becomes the guest's argv[0]. On success writes *out
 * (free with pg__bench_wasm_free); on failure writes the reason to err and
 * returns false. */
bool pg__bench_wasm_open(pg_bench_wasm **out, const char *path,
                         const char *name, uint64_t *compile_ns,
                         size_t *wasm_bytes, char *err, size_t errlen);

/* One run under parigot: fresh WASI state and linker, pg_instance_new,
 * _start, teardown. On success folds its times into *best, writes the
 * guest's stdout to *out (owned by the caller) and returns true; on failure
 * (trap, non-zero exit) writes the reason to err and returns false. */
bool pg__bench_wasm_run(pg_bench_wasm *w, bool quick, pg_bench_best *best,
                        pg_bench_output *out, char *err, size_t errlen);

void pg__bench_wasm_free(pg_bench_wasm *w); /* accepts NULL */

/* Distribution of one measured operation. The mean is pulled up by the
 * rare iteration that loses the CPU to another process; the median is the
 * typical cost. */
typedef struct pg_bench_latency {
  double mean_us;
  double median_us;
  double p99_us;
} pg_bench_latency;

/* Measures `iterations` rounds of pg_instance_new + pg_instance_free of the
 * module at `path` (borrowed), plus two references in the same run: a
 * calloc + free of 64 KiB and a pg_memory_new + pg_memory_free of one page.
 * Returns false with the reason in err when the module does not load. */
bool pg__bench_instantiate(const char *path, int iterations,
                           pg_bench_latency *instance,
                           pg_bench_latency *calloc_ref,
                           pg_bench_latency *memory_ref, char *err,
                           size_t errlen);

#endif /* PG_BENCH_H */
