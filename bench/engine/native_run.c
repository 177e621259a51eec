/*
 * native_run.c: times a workload's native binary. Each run is a subprocess
 * (posix_spawn) whose stdout is read through a pipe; the time is wall clock
 * from just before the spawn to just after waitpid, so it includes process
 * start-up (well under a millisecond, against workloads of 0.1 s or more).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

extern char **environ;

/* Reads fd until EOF into a new output (owned by the caller). */
static bool read_all(int fd, pg_bench_output *out)
{
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  if (!buf)
    return false;
  for (;;) {
    if (len + 1 == cap) {
      char *bigger = realloc(buf, cap * 2);
      if (!bigger)
        goto fail;
      buf = bigger;
      cap *= 2;
    }
    ssize_t n = read(fd, buf + len, cap - 1 - len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      goto fail;
    if (n == 0)
      break;
    len += (size_t)n;
  }
  buf[len] = '\0';
  out->text = buf;
  out->len = len;
  return true;
fail:
  free(buf);
  return false;
}

static uint64_t timeval_ns(struct timeval tv)
{
  return (uint64_t)tv.tv_sec * 1000000000u + (uint64_t)tv.tv_usec * 1000u;
}

/* One run: spawns `path` with the plan's argument, captures its stdout into
 * *out (owned by the caller), its wall time into *wall_ns and its user +
 * system time into *cpu_ns. */
static bool run_once(const char *path, bool quick, uint64_t *wall_ns,
                     uint64_t *cpu_ns, pg_bench_output *out, char *err,
                     size_t errlen)
{
  char *argv[] = {(char *)path, quick ? "quick" : NULL, NULL};
  int pipe_fds[2] = {-1, -1};
  posix_spawn_file_actions_t actions;
  bool have_actions = false, ok = false;
  pid_t pid;
  int status = 0;
  if (pipe(pipe_fds) != 0 || posix_spawn_file_actions_init(&actions) != 0) {
    snprintf(err, errlen, "pipe: %s", strerror(errno));
    goto fail;
  }
  have_actions = true;
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  uint64_t start = pg__bench_now_ns();
  int rc = posix_spawn(&pid, path, &actions, NULL, argv, environ);
  if (rc != 0) {
    snprintf(err, errlen, "cannot start %s: %s", path, strerror(rc));
    goto fail;
  }
  close(pipe_fds[1]);
  pipe_fds[1] = -1;
  bool read_ok = read_all(pipe_fds[0], out);
  struct rusage usage = {0};
  while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  *wall_ns = pg__bench_now_ns() - start;
  *cpu_ns = timeval_ns(usage.ru_utime) + timeval_ns(usage.ru_stime);
  if (!read_ok) {
    snprintf(err, errlen, "cannot read the output of %s", path);
    goto fail;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    snprintf(err, errlen, "%s failed (wait status %d)", path, status);
    pg__bench_output_free(out);
    goto fail;
  }
  ok = true;
fail:
  if (have_actions)
    posix_spawn_file_actions_destroy(&actions);
  for (int i = 0; i < 2; i++)
    if (pipe_fds[i] >= 0)
      close(pipe_fds[i]);
  return ok;
}

bool pg__bench_native_run(const char *path, bool quick, pg_bench_best *best,
                          pg_bench_output *out, char *err, size_t errlen)
{
  uint64_t wall_ns, cpu_ns;
  if (!run_once(path, quick, &wall_ns, &cpu_ns, out, err, errlen))
    return false;
  pg__bench_best_add(best, wall_ns, cpu_ns);
  return true;
}
