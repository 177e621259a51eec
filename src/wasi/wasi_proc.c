/*
 * wasi_proc.c: the process side of WASI preview1: args and environment,
 * clocks and random bytes (through the config's hooks when set, so a
 * deterministic mode can fix them), poll_oneoff (sleeping, and readiness of
 * stdio and files), sched_yield and proc_exit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>

#include "wasi_internal.h"

/* ---- args and environment: both are a list of C strings ---- */

/* *count = n, *bytes = total size of the strings with their NULs. */
static int strings_sizes(pg_host_call *call, char **s, int n) {
  uint64_t bytes = 0;
  for (int i = 0; i < n; i++) bytes += strlen(s[i]) + 1;
  if (bytes > UINT32_MAX) return WASI_E2BIG;
  int err = pg__wasi_store32(call, pg__wasi_arg32(call, 0), (uint32_t)n);
  if (err) return err;
  return pg__wasi_store32(call, pg__wasi_arg32(call, 1), (uint32_t)bytes);
}

/* Writes n guest pointers at args[0] and the strings at args[1]. */
static int strings_get(pg_host_call *call, char **s, int n) {
  uint32_t ptrs = pg__wasi_arg32(call, 0), buf = pg__wasi_arg32(call, 1);
  uint64_t bytes = 0;
  for (int i = 0; i < n; i++) bytes += strlen(s[i]) + 1;
  uint8_t *p = pg__wasi_mem(call, ptrs, (uint64_t)n * 4);
  uint8_t *b = pg__wasi_mem(call, buf, bytes);
  if ((n > 0 && !p) || (bytes > 0 && !b)) return WASI_EFAULT;
  uint32_t at = 0;
  for (int i = 0; i < n; i++) {
    size_t len = strlen(s[i]) + 1;
    pg__wasi_put32(p + 4 * i, buf + at);
    memcpy(b + at, s[i], len);
    at += (uint32_t)len;
  }
  return WASI_ESUCCESS;
}

PG_WASI_HOST_FN(args_sizes_get) {
  pg_wasi *w = call->env;
  return pg__wasi_ret(call, strings_sizes(call, w->argv, w->argc));
}
PG_WASI_HOST_FN(args_get) {
  pg_wasi *w = call->env;
  return pg__wasi_ret(call, strings_get(call, w->argv, w->argc));
}
PG_WASI_HOST_FN(environ_sizes_get) {
  pg_wasi *w = call->env;
  return pg__wasi_ret(call, strings_sizes(call, w->envp, w->nenv));
}
PG_WASI_HOST_FN(environ_get) {
  pg_wasi *w = call->env;
  return pg__wasi_ret(call, strings_get(call, w->envp, w->nenv));
}

/* ---- clocks ---- */

static int host_clock(uint32_t id, clockid_t *out) {
  switch (id) {
    case PG_WASI_CLOCK_REALTIME: *out = CLOCK_REALTIME; return 0;
    case PG_WASI_CLOCK_MONOTONIC: *out = CLOCK_MONOTONIC; return 0;
    case PG_WASI_CLOCK_PROCESS_CPUTIME: *out = CLOCK_PROCESS_CPUTIME_ID; return 0;
    case PG_WASI_CLOCK_THREAD_CPUTIME: *out = CLOCK_THREAD_CPUTIME_ID; return 0;
    default: return -1;
  }
}

int pg__wasi_clock_now(pg_wasi *w, uint32_t clock_id, uint64_t *out_ns) {
  clockid_t cid;
  if (host_clock(clock_id, &cid) != 0) return WASI_EINVAL;
  if (w->clock_ns) {
    *out_ns = w->clock_ns(w->hook_ctx, clock_id);
    return WASI_ESUCCESS;
  }
  struct timespec ts;
  if (clock_gettime(cid, &ts) != 0) return pg__wasi_errno(errno);
  *out_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
  return WASI_ESUCCESS;
}

PG_WASI_HOST_FN(clock_res_get) {
  pg_wasi *w = call->env;
  clockid_t cid;
  if (host_clock(pg__wasi_arg32(call, 0), &cid) != 0)
    return pg__wasi_ret(call, WASI_EINVAL);
  uint64_t res = 1; /* a hooked clock is exact to the nanosecond */
  struct timespec ts;
  if (!w->clock_ns && clock_getres(cid, &ts) == 0)
    res = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
  return pg__wasi_ret(call, pg__wasi_store64(call, pg__wasi_arg32(call, 1), res));
}

PG_WASI_HOST_FN(clock_time_get) {
  uint64_t now;
  int err = pg__wasi_clock_now(call->env, pg__wasi_arg32(call, 0), &now);
  if (!err) err = pg__wasi_store64(call, pg__wasi_arg32(call, 2), now);
  return pg__wasi_ret(call, err);
}

/* ---- random ---- */

PG_WASI_HOST_FN(random_get) {
  pg_wasi *w = call->env;
  uint32_t len = pg__wasi_arg32(call, 1);
  if (len == 0) return pg__wasi_ret(call, WASI_ESUCCESS);
  uint8_t *buf = pg__wasi_mem(call, pg__wasi_arg32(call, 0), len);
  if (!buf) return pg__wasi_ret(call, WASI_EFAULT);
  if (w->random_bytes) {
    w->random_bytes(w->hook_ctx, buf, len);
    return pg__wasi_ret(call, WASI_ESUCCESS);
  }
  for (uint32_t done = 0; done < len;) {
    ssize_t n = getrandom(buf + done, len - done, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return pg__wasi_ret(call, pg__wasi_errno(errno));
    done += (uint32_t)n;
  }
  return pg__wasi_ret(call, WASI_ESUCCESS);
}

/* ---- scheduling and exit ---- */

PG_WASI_HOST_FN(sched_yield) { return pg__wasi_ret(call, WASI_ESUCCESS); }

PG_WASI_HOST_FN(proc_exit) {
  pg__wasi_flush_out(call->env);
  return pg_host_exit(call, (int32_t)pg__wasi_arg32(call, 0));
}

/* ---- poll_oneoff ---- */

enum { EVENT_CLOCK = 0, EVENT_FD_READ = 1, EVENT_FD_WRITE = 2 };
#define POLL_MAX_SUBSCRIPTIONS 4096

/* One subscription, decoded. For clocks `wait_ns` is the time from now
 * until it fires; for fds `pfd` indexes the host pollfd array. */
typedef struct poll_sub {
  uint64_t userdata;
  uint8_t tag;
  uint16_t error;
  uint64_t wait_ns;
  int pfd;
  bool ready_now; /* fires without waiting (errors, hooked fds) */
} poll_sub;

static int decode_sub(pg_wasi *w, const uint8_t *in, poll_sub *s,
                      struct pollfd *pfds, int *npfds) {
  s->userdata = pg__wasi_get64(in);
  s->tag = in[8];
  s->error = 0;
  s->pfd = -1;
  s->ready_now = false;
  if (s->tag == EVENT_CLOCK) {
    uint32_t id = pg__wasi_get32(in + 16);
    uint64_t timeout = pg__wasi_get64(in + 24);
    uint16_t flags = pg__wasi_get16(in + 40);
    uint64_t now;
    int err = pg__wasi_clock_now(w, id, &now);
    if (err) {
      s->error = (uint16_t)err;
      s->ready_now = true;
      s->wait_ns = 0;
    } else if (flags & 1) { /* subscription_clock_flags.abstime */
      s->wait_ns = timeout > now ? timeout - now : 0;
    } else {
      s->wait_ns = timeout;
    }
    return 0;
  }
  if (s->tag != EVENT_FD_READ && s->tag != EVENT_FD_WRITE) return WASI_EINVAL;
  pg__wasi_fd *e = pg__wasi_fd_get(w, pg__wasi_get32(in + 16));
  if (!e || e->host_fd < 0) {
    /* A hooked stdout/stderr (no host fd) can always be written; reading
     * it, like any closed fd, is EBADF at once. */
    s->error = e && s->tag == EVENT_FD_WRITE ? 0 : WASI_EBADF;
    s->ready_now = true;
    return 0;
  }
  s->pfd = (*npfds)++;
  pfds[s->pfd] = (struct pollfd){
      .fd = e->host_fd, .events = s->tag == EVENT_FD_READ ? POLLIN : POLLOUT};
  return 0;
}

static void sleep_ns(uint64_t ns) {
  struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000u),
                        .tv_nsec = (long)(ns % 1000000000u)};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

/* Waits for the first subscription to be ready: a host poll() when fds are
 * involved, else a sleep until the earliest clock. Returns how far time got:
 * the earliest clock's wait (clocks with that wait or less fire), 0 when an
 * error event fires at once, or UINT64_MAX when an fd became ready first.
 * With a clock hook, time is the hook's business: the earliest clock fires
 * without a real sleep. */
static uint64_t wait_ready(pg_wasi *w, poll_sub *subs, uint32_t n,
                           struct pollfd *pfds, int npfds) {
  uint64_t min_wait = UINT64_MAX;
  bool early = false;
  for (uint32_t i = 0; i < n; i++) {
    if (subs[i].ready_now) early = true;
    if (subs[i].tag == EVENT_CLOCK && subs[i].wait_ns < min_wait)
      min_wait = subs[i].wait_ns;
  }
  if (early) min_wait = 0;
  uint64_t sleep = w->clock_ns ? 0 : min_wait;
  if (npfds > 0) {
    int timeout_ms = sleep == UINT64_MAX ? -1
                     : sleep / 1000000u > 86400000u
                         ? 86400000
                         : (int)((sleep + 999999u) / 1000000u);
    int r;
    while ((r = poll(pfds, (nfds_t)npfds, timeout_ms)) < 0 && errno == EINTR) {
    }
    if (r > 0) return early ? 0 : UINT64_MAX;
  } else if (sleep != UINT64_MAX && sleep > 0) {
    sleep_ns(sleep);
  }
  return min_wait;
}

static uint32_t write_events(uint8_t *out, const poll_sub *subs, uint32_t n,
                             const struct pollfd *pfds, uint64_t fired) {
  uint32_t nev = 0;
  for (uint32_t i = 0; i < n; i++) {
    const poll_sub *s = &subs[i];
    bool ready = s->ready_now;
    uint16_t flags = 0;
    if (!ready && s->tag == EVENT_CLOCK)
      ready = fired != UINT64_MAX && s->wait_ns <= fired;
    if (!ready && s->pfd >= 0) {
      short re = pfds[s->pfd].revents;
      ready = re != 0;
      if (re & POLLHUP) flags |= 1; /* eventrwflags.fd_readwrite_hangup */
    }
    if (!ready) continue;
    uint8_t *ev = out + (size_t)nev * WASI_EVENT_SIZE;
    memset(ev, 0, WASI_EVENT_SIZE);
    pg__wasi_put64(ev, s->userdata);
    pg__wasi_put16(ev + 8, s->error);
    ev[10] = s->tag;
    pg__wasi_put16(ev + 24, flags);
    nev++;
  }
  return nev;
}

/* A sleep on clocks only, with a sleep hook: writes the events as if the
 * earliest clock had fired and asks the hook to suspend the guest until
 * then. True when the hook took it (poll_oneoff then yields). */
static bool yield_sleep(pg_wasi *w, poll_sub *subs, uint32_t n, uint8_t *out,
                        uint8_t *nevents) {
  uint64_t wait = UINT64_MAX;
  for (uint32_t i = 0; i < n; i++) {
    if (subs[i].ready_now) return false; /* fires at once: no sleep */
    if (subs[i].tag == EVENT_CLOCK && subs[i].wait_ns < wait)
      wait = subs[i].wait_ns;
  }
  if (wait == 0 || wait == UINT64_MAX) return false;
  pg__wasi_put32(nevents, write_events(out, subs, n, NULL, wait));
  return w->sleep_hook(w->hook_ctx, wait);
}

PG_WASI_HOST_FN(poll_oneoff) {
  pg_wasi *w = call->env;
  uint32_t n = pg__wasi_arg32(call, 2);
  if (n == 0 || n > POLL_MAX_SUBSCRIPTIONS)
    return pg__wasi_ret(call, WASI_EINVAL);
  const uint8_t *in =
      pg__wasi_mem(call, pg__wasi_arg32(call, 0), (uint64_t)n * WASI_SUBSCRIPTION_SIZE);
  uint8_t *out =
      pg__wasi_mem(call, pg__wasi_arg32(call, 1), (uint64_t)n * WASI_EVENT_SIZE);
  uint8_t *nevents = pg__wasi_mem(call, pg__wasi_arg32(call, 3), 4);
  if (!in || !out || !nevents) return pg__wasi_ret(call, WASI_EFAULT);
  poll_sub *subs = calloc(n, sizeof *subs);
  struct pollfd *pfds = calloc(n, sizeof *pfds);
  int err = WASI_ENOMEM, npfds = 0;
  if (!subs || !pfds) goto done;
  for (uint32_t i = 0; i < n; i++) {
    err = decode_sub(w, in + (size_t)i * WASI_SUBSCRIPTION_SIZE, &subs[i], pfds,
                     &npfds);
    if (err) goto done;
  }
  pg__wasi_flush_out(w); /* what the guest wrote is visible while it waits */
  if (w->sleep_hook && npfds == 0 && yield_sleep(w, subs, n, out, nevents)) {
    free(subs);
    free(pfds);
    return PG_HOST_YIELD; /* the embedder resumes with ESUCCESS */
  }
  uint64_t fired = wait_ready(w, subs, n, pfds, npfds);
  /* Memory cannot move while the host runs, so `out` is still valid. */
  pg__wasi_put32(nevents, write_events(out, subs, n, pfds, fired));
  err = WASI_ESUCCESS;
done:
  free(subs);
  free(pfds);
  return pg__wasi_ret(call, err);
}
