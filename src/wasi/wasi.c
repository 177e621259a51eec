/*
 * wasi.c: the life of a pg_wasi (config copy, preopens, fd table), the one
 * table of wasi_snapshot_preview1 imports with their signatures, and running
 * a command's `_start`.
 *
 * The import table below is the single source of truth for what we define:
 * every preview1 function is in it, the ones we do not implement point at
 * pg__wasi_nosys (errno ENOSYS), so any wasi-libc program links.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi_internal.h"

#define WASI_MODULE "wasi_snapshot_preview1"

typedef struct wasi_import {
  const char *name;
  const char *sig;
  pg_host_fn fn;
} wasi_import;

/* Every preview1 function, in witx order. */
static const wasi_import wasi_imports[] = {
    {"args_get", "ii->i", pg__wasi_args_get},
    {"args_sizes_get", "ii->i", pg__wasi_args_sizes_get},
    {"environ_get", "ii->i", pg__wasi_environ_get},
    {"environ_sizes_get", "ii->i", pg__wasi_environ_sizes_get},
    {"clock_res_get", "ii->i", pg__wasi_clock_res_get},
    {"clock_time_get", "iIi->i", pg__wasi_clock_time_get},
    {"fd_advise", "iIIi->i", pg__wasi_fd_advise},
    {"fd_allocate", "iII->i", pg__wasi_fd_allocate},
    {"fd_close", "i->i", pg__wasi_fd_close},
    {"fd_datasync", "i->i", pg__wasi_fd_datasync},
    {"fd_fdstat_get", "ii->i", pg__wasi_fd_fdstat_get},
    {"fd_fdstat_set_flags", "ii->i", pg__wasi_fd_fdstat_set_flags},
    {"fd_fdstat_set_rights", "iII->i", pg__wasi_nosys},
    {"fd_filestat_get", "ii->i", pg__wasi_fd_filestat_get},
    {"fd_filestat_set_size", "iI->i", pg__wasi_fd_filestat_set_size},
    {"fd_filestat_set_times", "iIIi->i", pg__wasi_fd_filestat_set_times},
    {"fd_pread", "iiiIi->i", pg__wasi_fd_pread},
    {"fd_prestat_get", "ii->i", pg__wasi_fd_prestat_get},
    {"fd_prestat_dir_name", "iii->i", pg__wasi_fd_prestat_dir_name},
    {"fd_pwrite", "iiiIi->i", pg__wasi_fd_pwrite},
    {"fd_read", "iiii->i", pg__wasi_fd_read},
    {"fd_readdir", "iiiIi->i", pg__wasi_fd_readdir},
    {"fd_renumber", "ii->i", pg__wasi_fd_renumber},
    {"fd_seek", "iIii->i", pg__wasi_fd_seek},
    {"fd_sync", "i->i", pg__wasi_fd_sync},
    {"fd_tell", "ii->i", pg__wasi_fd_tell},
    {"fd_write", "iiii->i", pg__wasi_fd_write},
    {"path_create_directory", "iii->i", pg__wasi_path_create_directory},
    {"path_filestat_get", "iiiii->i", pg__wasi_path_filestat_get},
    {"path_filestat_set_times", "iiiiIIi->i", pg__wasi_path_filestat_set_times},
    {"path_link", "iiiiiii->i", pg__wasi_path_link},
    {"path_open", "iiiiiIIii->i", pg__wasi_path_open},
    {"path_readlink", "iiiiii->i", pg__wasi_path_readlink},
    {"path_remove_directory", "iii->i", pg__wasi_path_remove_directory},
    {"path_rename", "iiiiii->i", pg__wasi_path_rename},
    {"path_symlink", "iiiii->i", pg__wasi_path_symlink},
    {"path_unlink_file", "iii->i", pg__wasi_path_unlink_file},
    {"poll_oneoff", "iiii->i", pg__wasi_poll_oneoff},
    {"proc_exit", "i->", pg__wasi_proc_exit},
    {"proc_raise", "i->i", pg__wasi_nosys},
    {"sched_yield", "->i", pg__wasi_sched_yield},
    {"random_get", "ii->i", pg__wasi_random_get},
    {"sock_accept", "iii->i", pg__wasi_nosys},
    {"sock_recv", "iiiiii->i", pg__wasi_nosys},
    {"sock_send", "iiiii->i", pg__wasi_nosys},
    {"sock_shutdown", "ii->i", pg__wasi_nosys},
};

PG_WASI_HOST_FN(nosys) { return pg__wasi_ret(call, WASI_ENOSYS); }

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...) {
  if (!err || errlen == 0) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
}

/* ---- errno and file types ---- */

int pg__wasi_errno(int e) {
  switch (e) {
    case 0: return WASI_ESUCCESS;
    case E2BIG: return WASI_E2BIG;
    case EACCES: return WASI_EACCES;
    case EAGAIN: return WASI_EAGAIN;
    case EBADF: return WASI_EBADF;
    case EBUSY: return WASI_EBUSY;
    case EEXIST: return WASI_EEXIST;
    case EFAULT: return WASI_EFAULT;
    case EFBIG: return WASI_EFBIG;
    case EINTR: return WASI_EINTR;
    case EINVAL: return WASI_EINVAL;
    case EISDIR: return WASI_EISDIR;
    case ELOOP: return WASI_ELOOP;
    case EMFILE: return WASI_EMFILE;
    case EMLINK: return WASI_EMLINK;
    case ENAMETOOLONG: return WASI_ENAMETOOLONG;
    case ENFILE: return WASI_ENFILE;
    case ENODEV: return WASI_ENODEV;
    case ENOENT: return WASI_ENOENT;
    case ENOMEM: return WASI_ENOMEM;
    case ENOSPC: return WASI_ENOSPC;
    case ENOSYS: return WASI_ENOSYS;
    case ENOTDIR: return WASI_ENOTDIR;
    case ENOTEMPTY: return WASI_ENOTEMPTY;
    case ENOTSUP: return WASI_ENOTSUP;
    case ENOTTY: return WASI_ENOTTY;
    case ENXIO: return WASI_ENXIO;
    case EOVERFLOW: return WASI_EOVERFLOW;
    case EPERM: return WASI_EPERM;
    case EPIPE: return WASI_EPIPE;
    case ERANGE: return WASI_ERANGE;
    case EROFS: return WASI_EROFS;
    case ESPIPE: return WASI_ESPIPE;
    case ETIMEDOUT: return WASI_ETIMEDOUT;
    case ETXTBSY: return WASI_ETXTBSY;
    case EXDEV: return WASI_EXDEV;
    default: return WASI_EIO;
  }
}

uint8_t pg__wasi_filetype(unsigned mode) {
  switch (mode & S_IFMT) {
    case S_IFREG: return WASI_FILETYPE_REGULAR_FILE;
    case S_IFDIR: return WASI_FILETYPE_DIRECTORY;
    case S_IFCHR: return WASI_FILETYPE_CHARACTER_DEVICE;
    case S_IFBLK: return WASI_FILETYPE_BLOCK_DEVICE;
    case S_IFLNK: return WASI_FILETYPE_SYMBOLIC_LINK;
    case S_IFSOCK: return WASI_FILETYPE_SOCKET_STREAM;
    default: return WASI_FILETYPE_UNKNOWN; /* FIFOs too, as wasmtime does */
  }
}

int pg__wasi_store32(pg_host_call *call, uint32_t ptr, uint32_t v) {
  uint8_t *p = pg__wasi_mem(call, ptr, 4);
  if (!p) return WASI_EFAULT;
  pg__wasi_put32(p, v);
  return WASI_ESUCCESS;
}

int pg__wasi_store64(pg_host_call *call, uint32_t ptr, uint64_t v) {
  uint8_t *p = pg__wasi_mem(call, ptr, 8);
  if (!p) return WASI_EFAULT;
  pg__wasi_put64(p, v);
  return WASI_ESUCCESS;
}

/* ---- the fd table ---- */

pg__wasi_fd *pg__wasi_fd_get(pg_wasi *w, uint32_t fd) {
  if (fd >= w->nfds || w->fds[fd].kind == PG_WASI_FD_FREE) return NULL;
  return &w->fds[fd];
}

int pg__wasi_fd_add(pg_wasi *w, const pg__wasi_fd *entry, uint32_t *out_fd) {
  uint32_t fd = 0;
  while (fd < w->nfds && w->fds[fd].kind != PG_WASI_FD_FREE) fd++;
  if (fd == w->nfds) {
    if (w->nfds >= 65536) return WASI_EMFILE;
    uint32_t n = w->nfds ? w->nfds * 2 : 8;
    pg__wasi_fd *grown = realloc(w->fds, n * sizeof *grown);
    if (!grown) return WASI_ENOMEM;
    for (uint32_t i = w->nfds; i < n; i++)
      grown[i] = (pg__wasi_fd){.kind = PG_WASI_FD_FREE, .host_fd = -1};
    w->fds = grown;
    w->nfds = n;
  }
  w->fds[fd] = *entry;
  *out_fd = fd;
  return WASI_ESUCCESS;
}

void pg__wasi_dirlist_free(pg__wasi_dirlist *d) {
  if (!d) return;
  for (size_t i = 0; i < d->count; i++) free(d->names[i]);
  free(d->names);
  free(d->inos);
  free(d->types);
  free(d);
}

void pg__wasi_fd_release(pg__wasi_fd *e) {
  if (e->kind != PG_WASI_FD_STDIO && e->host_fd >= 0) close(e->host_fd);
  free(e->guest_name);
  pg__wasi_dirlist_free(e->dir);
  *e = (pg__wasi_fd){.kind = PG_WASI_FD_FREE, .host_fd = -1};
}

/* ---- construction ---- */

static char **copy_strings(const char *const *src, int n) {
  char **dst = calloc((size_t)n + 1, sizeof *dst);
  if (!dst) return NULL;
  for (int i = 0; i < n; i++) {
    dst[i] = strdup(src[i] ? src[i] : "");
    if (!dst[i]) {
      for (int j = 0; j < i; j++) free(dst[j]);
      free(dst);
      return NULL;
    }
  }
  return dst;
}

static void free_strings(char **s, int n) {
  if (!s) return;
  for (int i = 0; i < n; i++) free(s[i]);
  free(s);
}

/* Guest fds 0..2: a negative host fd leaves the slot closed. */
static int add_stdio(pg_wasi *w, int slot, int host_fd) {
  if (host_fd < 0) return WASI_ESUCCESS;
  struct stat st;
  uint8_t type = WASI_FILETYPE_UNKNOWN;
  if (fstat(host_fd, &st) == 0) type = pg__wasi_filetype(st.st_mode);
  uint64_t rights = WASI_RIGHTS_ALL;
  /* wasi-libc's isatty() wants a character device without seek/tell. */
  if (isatty(host_fd)) {
    type = WASI_FILETYPE_CHARACTER_DEVICE;
    rights &= ~(WASI_RIGHT_FD_SEEK | WASI_RIGHT_FD_TELL);
  }
  int fl = fcntl(host_fd, F_GETFL);
  uint16_t fdflags = 0;
  if (fl >= 0 && (fl & O_APPEND)) fdflags |= WASI_FDFLAG_APPEND;
  if (fl >= 0 && (fl & O_NONBLOCK)) fdflags |= WASI_FDFLAG_NONBLOCK;
  pg__wasi_fd e = {.kind = PG_WASI_FD_STDIO, .host_fd = host_fd,
                   .filetype = type, .fdflags = fdflags,
                   .rights_base = rights, .rights_inheriting = rights};
  /* Buffer stdout only when nobody watches it live. */
  e.buffered = slot == 1 && !isatty(host_fd);
  w->fds[slot] = e;
  return WASI_ESUCCESS;
}

/* Guest fds 1 and 2 when a write hook takes their bytes: a character
 * device without seek/tell (what wasi-libc's isatty() wants), no host fd. */
static void add_hooked_stdio(pg_wasi *w, int slot) {
  uint64_t rights = WASI_RIGHTS_ALL &
                    ~(WASI_RIGHT_FD_SEEK | WASI_RIGHT_FD_TELL);
  w->fds[slot] = (pg__wasi_fd){.kind = PG_WASI_FD_STDIO, .host_fd = -1,
                               .filetype = WASI_FILETYPE_CHARACTER_DEVICE,
                               .rights_base = rights,
                               .rights_inheriting = rights};
}

/* Opens "HOST[:GUEST]" and gives it the next guest fd. */
static pg_status add_preopen(pg_wasi *w, const char *spec, char *err,
                             size_t errlen) {
  const char *colon = strchr(spec, ':');
  size_t host_len = colon ? (size_t)(colon - spec) : strlen(spec);
  char *host = strndup(spec, host_len);
  char *guest = strdup(colon ? colon + 1 : spec);
  pg_status st = PG_NOMEM;
  int fd = -1;
  if (!host || !guest) goto fail;
  if (host_len == 0 || guest[0] == '\0') {
    set_err(err, errlen, "--dir \"%s\": empty directory name", spec);
    st = PG_BAD_ARG;
    goto fail;
  }
  fd = open(host, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    set_err(err, errlen, "--dir %s: %s", host, strerror(errno));
    st = PG_IO;
    goto fail;
  }
  pg__wasi_fd e = {.kind = PG_WASI_FD_PREOPEN, .host_fd = fd,
                   .filetype = WASI_FILETYPE_DIRECTORY,
                   .rights_base = WASI_RIGHTS_ALL,
                   .rights_inheriting = WASI_RIGHTS_ALL, .guest_name = guest};
  uint32_t guest_fd;
  if (pg__wasi_fd_add(w, &e, &guest_fd) != WASI_ESUCCESS) goto fail;
  free(host);
  return PG_OK;
fail:
  if (fd >= 0) close(fd);
  free(host);
  free(guest);
  return st;
}

static int count_strings(const char *const *s) {
  int n = 0;
  while (s && s[n]) n++;
  return n;
}

pg_status pg_wasi_new(pg_wasi **out, const pg_wasi_config *cfg, char *err,
                      size_t errlen) {
  if (!out || !cfg || cfg->argc < 0 || (cfg->argc > 0 && !cfg->argv)) {
    set_err(err, errlen, "pg_wasi_new: bad arguments");
    return PG_BAD_ARG;
  }
  pg_status st = PG_NOMEM;
  pg_wasi *w = calloc(1, sizeof *w);
  if (!w) goto fail;
  w->argc = cfg->argc;
  w->nenv = count_strings(cfg->envp);
  w->argv = copy_strings(cfg->argv, w->argc);
  w->envp = copy_strings(cfg->envp, w->nenv);
  w->fds = calloc(8, sizeof *w->fds);
  if (w->fds) w->nfds = 8;
  if (!w->argv || !w->envp || !w->fds) goto fail;
  for (uint32_t i = 0; i < w->nfds; i++)
    w->fds[i] = (pg__wasi_fd){.kind = PG_WASI_FD_FREE, .host_fd = -1};
  w->out_fd = cfg->stdout_fd;
  w->clock_ns = cfg->clock_ns;
  w->random_bytes = cfg->random_bytes;
  w->hook_ctx = cfg->hook_ctx;
  w->write_hook = cfg->write;
  w->sleep_hook = cfg->sleep;
  add_stdio(w, 0, cfg->stdin_fd);
  if (w->write_hook) {
    add_hooked_stdio(w, 1);
    add_hooked_stdio(w, 2);
  } else {
    add_stdio(w, 1, cfg->stdout_fd);
    add_stdio(w, 2, cfg->stderr_fd);
  }
  /* Preopens start at fd 3 even when a stdio slot is closed. */
  for (int i = 0; i < 3; i++)
    if (w->fds[i].kind == PG_WASI_FD_FREE) w->fds[i].kind = PG_WASI_FD_STDIO;
  for (int i = 0; cfg->preopens && cfg->preopens[i]; i++) {
    st = add_preopen(w, cfg->preopens[i], err, errlen);
    if (st != PG_OK) goto fail;
  }
  for (int i = 0; i < 3; i++)
    if (w->fds[i].host_fd < 0 && !(w->write_hook && i > 0))
      w->fds[i].kind = PG_WASI_FD_FREE;
  *out = w;
  return PG_OK;
fail:
  if (st == PG_NOMEM) set_err(err, errlen, "out of memory");
  pg_wasi_free(w);
  return st;
}

void pg_wasi_free(pg_wasi *w) {
  if (!w) return;
  pg__wasi_flush_out(w);
  for (uint32_t i = 0; i < w->nfds; i++)
    if (w->fds[i].kind != PG_WASI_FD_FREE) pg__wasi_fd_release(&w->fds[i]);
  free(w->fds);
  free(w->out_buf);
  free_strings(w->argv, w->argc);
  free_strings(w->envp, w->nenv);
  free(w);
}

pg_status pg_wasi_link(pg_wasi *w, pg_linker *l) {
  if (!w || !l) return PG_BAD_ARG;
  size_t n = sizeof wasi_imports / sizeof wasi_imports[0];
  for (size_t i = 0; i < n; i++) {
    const wasi_import *imp = &wasi_imports[i];
    pg_status st =
        pg_linker_define_func(l, WASI_MODULE, imp->name, imp->sig, imp->fn, w);
    if (st != PG_OK) return st;
  }
  return PG_OK;
}

void pg_wasi_flush(pg_wasi *w) {
  if (w) pg__wasi_flush_out(w);
}

pg_status pg_wasi_run_start(pg_wasi *w, pg_instance *inst, int *exit_code) {
  if (!w || !inst || !exit_code) return PG_BAD_ARG;
  pg_func *start = pg_instance_func(inst, "_start");
  if (!start) return PG_NOT_FOUND;
  pg_status st = pg_instance_invoke(inst, start, NULL, 0);
  /* WASI functions never yield; a yield here comes from another import the
   * embedder linked, which is not something a plain command can drive. */
  if (st == PG_YIELD) {
    pg_instance_abort(inst);
    st = PG_BAD_STATE;
  }
  pg__wasi_flush_out(w);
  if (st == PG_OK) {
    *exit_code = 0;
  } else if (st == PG_TRAP && pg_instance_trap_kind(inst) == PG_TRAP_EXIT) {
    *exit_code = pg_instance_exit_code(inst);
    st = PG_OK;
  }
  return st;
}
