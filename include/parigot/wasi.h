/*
 * parigot WASI: host functions for wasi_snapshot_preview1, enough to run C
 * programs built with clang-19 and wasi-libc (args, environment, clocks,
 * random, stdio, a confined view of preopened host directories, proc_exit).
 *
 * One pg_wasi holds the state of one guest process (its file descriptor
 * table, args, environment). pg_wasi_link() defines every preview1 function
 * in a linker with that pg_wasi as env, so one pg_wasi serves exactly one
 * instance. Every guest pointer is checked with pg_memory_ptr; bad input
 * gives a WASI errno to the guest, never a host crash. Functions we do not
 * implement are still defined and return ENOSYS (52), so any wasi-libc
 * program links.
 */
#ifndef PARIGOT_WASI_H
#define PARIGOT_WASI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parigot/engine.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pg_wasi pg_wasi;

/* WASI clock ids, as passed to a clock_ns hook. */
enum {
  PG_WASI_CLOCK_REALTIME = 0,
  PG_WASI_CLOCK_MONOTONIC = 1,
  PG_WASI_CLOCK_PROCESS_CPUTIME = 2,
  PG_WASI_CLOCK_THREAD_CPUTIME = 3
};

typedef struct pg_wasi_config {
  int argc;
  const char *const *argv;      /* copied; argv[0] is the program name */
  const char *const *envp;      /* NULL-terminated "K=V", copied; NULL = empty */
  int stdin_fd, stdout_fd, stderr_fd; /* host fds for guest fds 0,1,2 (borrowed:
                                         never closed by pg_wasi) */
  const char *const *preopens;  /* NULL-terminated "HOST[:GUEST]" dirs, copied;
                                   NULL = no filesystem access */
  /* Hooks so a deterministic mode can fix time and randomness; NULL = the
   * real clock / getrandom. clock_ns returns nanoseconds for a WASI clock id;
   * random_bytes fills buf (borrowed for the call) with len bytes. */
  uint64_t (*clock_ns)(void *ctx, uint32_t clock_id);
  void (*random_bytes)(void *ctx, uint8_t *buf, size_t len);
  void *hook_ctx; /* borrowed, handed to the hooks */
  /* When set, what the guest writes to fds 1 and 2 goes to this hook
   * instead of stdout_fd/stderr_fd (the kernel feeds its unified log this
   * way); fd is 1 or 2, bytes borrowed for the call. The two fds then look
   * like a terminal to the guest, so wasi-libc flushes them line by line. */
  void (*write)(void *ctx, int fd, const uint8_t *bytes, size_t len);
  /* When set, poll_oneoff on clocks only (a guest's sleep) asks this hook
   * first: the events are written as if the earliest clock (ns from now)
   * had fired, and if the hook returns true poll_oneoff yields
   * (PG_HOST_YIELD) instead of sleeping; the embedder resumes the instance
   * with one result cell, 0 (success), once the time has passed. False:
   * poll_oneoff waits as it would without the hook. */
  bool (*sleep)(void *ctx, uint64_t ns);
} pg_wasi_config;

/* Creates a WASI process state from `cfg` (copied, including its strings).
 * Opens every preopen directory now, so a missing one fails here: returns
 * PG_IO (or PG_NOMEM / PG_BAD_ARG) with the reason in `err`, and leaves *out
 * untouched. */
pg_status pg_wasi_new(pg_wasi **out, const pg_wasi_config *cfg, char *err,
                      size_t errlen);

/* Flushes buffered stdout/stderr, closes guest-opened files and preopens,
 * frees everything. Accepts NULL. */
void pg_wasi_free(pg_wasi *w);

/* Defines every wasi_snapshot_preview1 function in `l` (borrowed), with `w`
 * as env; `w` must outlive every instance linked through `l`. */
pg_status pg_wasi_link(pg_wasi *w, pg_linker *l);

/* Runs the command's `_start` to completion and writes the exit code to
 * *exit_code: the proc_exit code, or 0 when _start returns. Buffered output
 * is flushed before returning. On a trap returns PG_TRAP (details on the
 * instance: pg_instance_trap_message / pg_instance_backtrace); PG_NOT_FOUND
 * when there is no `_start`; PG_OUT_OF_FUEL when the fuel budget ran out. */
pg_status pg_wasi_run_start(pg_wasi *w, pg_instance *inst, int *exit_code);

/* Writes out any buffered guest stdout/stderr now. */
void pg_wasi_flush(pg_wasi *w);

#ifdef __cplusplus
}
#endif
#endif /* PARIGOT_WASI_H */
