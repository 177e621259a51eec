/*
 * wasi_fd.c: WASI preview1 calls on file descriptors: reading and writing
 * (stdio and files), seeking, closing, fdstat/filestat, preopen names and
 * directory listings.
 *
 * Guest stdout, when it is not a terminal, collects in a 64 KiB host buffer:
 * wasi-libc already buffers a pipe's stdout 1 KiB at a time, and one host
 * write per 64 KiB instead of per 1 KiB is what makes printing benchmarks
 * cheap. To keep stdout and stderr in the order a native program would show
 * them, the buffer is written out before any other write, read, sleep, seek,
 * close and at exit; so the guest never sees its stdout later than native.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "wasi_internal.h"

/* ---- stdout buffer ---- */

static int write_all(int fd, const uint8_t *p, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return pg__wasi_errno(errno);
    p += n;
    len -= (size_t)n;
  }
  return WASI_ESUCCESS;
}

int pg__wasi_flush_out(pg_wasi *w) {
  if (!w || w->out_len == 0) return WASI_ESUCCESS;
  int err = write_all(w->out_fd, w->out_buf, w->out_len);
  w->out_len = 0; /* on error the bytes are lost, as a native pipe would */
  return err;
}

/* ---- iovecs ---- */

/* Turns the guest's iovec array into host iovecs, each buffer checked.
 * Empty buffers are skipped. Returns a WASI errno. */
static int gather_iovs(pg_host_call *call, uint32_t iovs, uint32_t n,
                       struct iovec *out, int *count, size_t *total) {
  if (n > PG_WASI_MAX_IOVS) return WASI_EINVAL;
  const uint8_t *arr = pg__wasi_mem(call, iovs, (uint64_t)n * WASI_IOVEC_SIZE);
  if (n > 0 && !arr) return WASI_EFAULT;
  *count = 0;
  *total = 0;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t ptr = pg__wasi_get32(arr + 8 * i);
    uint32_t len = pg__wasi_get32(arr + 8 * i + 4);
    if (len == 0) continue;
    uint8_t *buf = pg__wasi_mem(call, ptr, len);
    if (!buf) return WASI_EFAULT;
    if (*total + len > (size_t)INT32_MAX) break; /* a short transfer is fine */
    out[(*count)++] = (struct iovec){.iov_base = buf, .iov_len = len};
    *total += len;
  }
  return WASI_ESUCCESS;
}

static pg__wasi_fd *lookup(pg_host_call *call, uint32_t fd) {
  return pg__wasi_fd_get(call->env, fd);
}

/* Appends to the stdout buffer; false when the bytes do not fit even in an
 * empty buffer (the caller then writes them directly). */
static bool buffer_out(pg_wasi *w, const struct iovec *iov, int n,
                       size_t total, int *err) {
  /* Allocated on first use: a service that never prints costs nothing. */
  if (!w->out_buf && !(w->out_buf = malloc(PG_WASI_OUT_BUF))) return false;
  if (w->out_len + total > PG_WASI_OUT_BUF) *err = pg__wasi_flush_out(w);
  if (*err || total > PG_WASI_OUT_BUF) return false;
  for (int i = 0; i < n; i++) {
    memcpy(w->out_buf + w->out_len, iov[i].iov_base, iov[i].iov_len);
    w->out_len += iov[i].iov_len;
  }
  return true;
}

PG_WASI_HOST_FN(fd_write) {
  pg_wasi *w = call->env;
  pg__wasi_fd *e = lookup(call, pg__wasi_arg32(call, 0));
  if (!e) return pg__wasi_ret(call, WASI_EBADF);
  /* Every pointer is checked before a byte moves. */
  uint8_t *result = pg__wasi_mem(call, pg__wasi_arg32(call, 3), 4);
  if (!result) return pg__wasi_ret(call, WASI_EFAULT);
  struct iovec iov[PG_WASI_MAX_IOVS];
  int n = 0, err;
  size_t total = 0;
  err = gather_iovs(call, pg__wasi_arg32(call, 1), pg__wasi_arg32(call, 2),
                    iov, &n, &total);
  if (err) return pg__wasi_ret(call, err);
  uint32_t fd = pg__wasi_arg32(call, 0);
  if (w->write_hook && e->kind == PG_WASI_FD_STDIO && (fd == 1 || fd == 2)) {
    for (int i = 0; i < n; i++)
      w->write_hook(w->hook_ctx, (int)fd, iov[i].iov_base, iov[i].iov_len);
    pg__wasi_put32(result, (uint32_t)total);
    return pg__wasi_ret(call, WASI_ESUCCESS);
  }
  ssize_t wrote = (ssize_t)total;
  if (e->buffered && e->host_fd == w->out_fd) {
    if (!buffer_out(w, iov, n, total, &err) && !err) {
      while ((wrote = writev(e->host_fd, iov, n)) < 0 && errno == EINTR) {
      }
    }
  } else {
    err = pg__wasi_flush_out(w);
    while (!err && n > 0 && (wrote = writev(e->host_fd, iov, n)) < 0 &&
           errno == EINTR) {
    }
  }
  if (!err && wrote < 0) err = pg__wasi_errno(errno);
  if (!err) pg__wasi_put32(result, (uint32_t)wrote);
  return pg__wasi_ret(call, err);
}

PG_WASI_HOST_FN(fd_read) {
  pg_wasi *w = call->env;
  pg__wasi_fd *e = lookup(call, pg__wasi_arg32(call, 0));
  if (!e) return pg__wasi_ret(call, WASI_EBADF);
  uint8_t *result = pg__wasi_mem(call, pg__wasi_arg32(call, 3), 4);
  if (!result) return pg__wasi_ret(call, WASI_EFAULT);
  struct iovec iov[PG_WASI_MAX_IOVS];
  int n = 0;
  size_t total = 0;
  int err = gather_iovs(call, pg__wasi_arg32(call, 1), pg__wasi_arg32(call, 2),
                        iov, &n, &total);
  if (!err) err = pg__wasi_flush_out(w); /* a prompt shows before we block */
  ssize_t got = 0;
  while (!err && n > 0 && (got = readv(e->host_fd, iov, n)) < 0 &&
         errno == EINTR) {
  }
  if (!err && got < 0) err = pg__wasi_errno(errno);
  if (!err) pg__wasi_put32(result, (uint32_t)got);
  return pg__wasi_ret(call, err);
}

/* fd_pread / fd_pwrite: (fd, iovs, iovs_len, offset, result_ptr). */
static pg_host_result positioned_io(pg_host_call *call, bool writing) {
  pg_wasi *w = call->env;
  pg__wasi_fd *e = lookup(call, pg__wasi_arg32(call, 0));
  if (!e) return pg__wasi_ret(call, WASI_EBADF);
  uint64_t offset = pg__wasi_arg64(call, 3);
  if (offset > INT64_MAX) return pg__wasi_ret(call, WASI_EINVAL);
  if (e->filetype == WASI_FILETYPE_DIRECTORY)
    return pg__wasi_ret(call, WASI_EISDIR);
  uint8_t *result = pg__wasi_mem(call, pg__wasi_arg32(call, 4), 4);
  if (!result) return pg__wasi_ret(call, WASI_EFAULT);
  struct iovec iov[PG_WASI_MAX_IOVS];
  int n = 0;
  size_t total = 0;
  int err = gather_iovs(call, pg__wasi_arg32(call, 1), pg__wasi_arg32(call, 2),
                        iov, &n, &total);
  if (!err) err = pg__wasi_flush_out(w);
  ssize_t done = 0;
  while (!err && n > 0) {
    done = writing ? pwritev(e->host_fd, iov, n, (off_t)offset)
                   : preadv(e->host_fd, iov, n, (off_t)offset);
    if (done >= 0 || errno != EINTR) break;
  }
  if (!err && done < 0) err = pg__wasi_errno(errno);
  if (!err) pg__wasi_put32(result, (uint32_t)done);
  return pg__wasi_ret(call, err);
}

PG_WASI_HOST_FN(fd_pread) { return positioned_io(call, false); }
PG_WASI_HOST_FN(fd_pwrite) { return positioned_io(call, true); }

/* ---- position, close, sync ---- */

PG_WASI_HOST_FN(fd_seek) {
  pg__wasi_fd *e = lookup(call, pg__wasi_arg32(call, 0));
  if (!e) return pg__wasi_ret(call, WASI_EBADF);
  int64_t offset = (int64_t)pg__wasi_arg64(call, 1);
  uint32_t whence = pg__wasi_arg32(call, 2);
  int how = whence == WASI_WHENCE_SET   ? SEEK_SET
            : whence == WASI_WHENCE_CUR ? SEEK_CUR
            : whence == WASI_WHENCE_END ? SEEK_END
                                        : -1;
  if (how < 0) return pg__wasi_ret(call, WASI_EINVAL);
  if (e->filetype == WASI_FILETYPE_DIRECTORY)
    return pg__wasi_ret(call, WASI_EBADF);
  uint8_t *result = pg__wasi_mem(call, pg__wasi_arg32(call, 3), 8);
  if (!result) return pg__wasi_ret(call, WASI_EFAULT);
  int err = pg__wasi_flush_out(call->env);
  off_t pos = lseek(e->host_fd, (off_t)offset, how);
  if (!err && pos < 0) err = pg__wasi_errno(errno);
  if (!err) pg__wasi_put64(result, (uint64_t)pos);
  return pg__wasi_ret(call, err);
}

PG_WASI_HOST_FN(fd_tell) {
  pg__wasi_fd *e = lookup(call, pg__wasi_arg32(call, 0));
  if (!e) return pg__wasi_ret(call, WASI_EBADF);
  int err = pg__wasi_flush_out(call->env);
  off_t pos = lseek(e->host_fd, 0, SEEK_CUR);
  if (!err && pos < 0) err = pg__wasi_errno(errno);
  if (!err) err = pg__wasi_store64(call, pg__wasi_arg32(call, 1), (uint64_t)pos);
  return pg__wasi_ret(call, err);
}

PG_WASI_HOST_FN(fd_close) {
  pg__wasi_fd *e = lookup(call, pg__wasi_arg32(call, 0));
  if (!e) return pg__wasi_ret(call, WASI_EBADF);
  int err = pg__wasi_flush_out(call->env);
  pg__wasi_fd_release(e);
  return pg__wasi_ret(call, err);
}

static pg_host_result sync_fd(pg_host_call *call, bool data_only) {
  pg__wasi_fd *e = lookup(call, pg__wasi_arg32(call, 0));
  if (!e) return pg__wasi_ret(call, WASI_EBADF);
  int err = pg__wasi_flush_out(call->env);
  if (!err && (data_only ? fdatasync(e->host_fd) : fsync(e->host_fd)) != 0)
    err = pg__wasi_errno(errno);
  return pg__wasi_ret(call, err);
}

PG_WASI_HOST_FN(fd_sync) { return sync_fd(call, false); }
PG_WASI_HOST_FN(fd_datasync) { return sync_fd(call, true); }

PG_WASI_HOST_FN(fd_renumber) {
  pg_wasi *w = call->env;
  uint32_t from = pg__wasi_arg32(call, 0), to = pg__wasi_arg32(call, 1);
  pg__wasi_fd *src = pg__wasi_fd_get(w, from), *dst = pg__wasi_fd_get(w, to);
  if (!src || !dst) return pg__wasi_ret(call, WASI_EBADF);
  if (from == to) return pg__wasi_ret(call, WASI_ESUCCESS);
  int err = pg__wasi_flush_out(w);
  pg__wasi_fd_release(dst);
  *dst = *src;
  *src = (pg__wasi_fd){.kind = PG_WASI_FD_FREE, .host_fd = -1};
  return pg__wasi_ret(call, err);
}

/* ---- stat ---- */

static uint64_t timespec_ns(struct timespec ts) {
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void pg__wasi_put_filestat(uint8_t *out, const struct stat *st) {
  memset(out, 0, WASI_FILESTAT_SIZE);
  pg__wasi_put64(out + 0, (uint64_t)st->st_dev);
  pg__wasi_put64(out + 8, (uint64_t)st->st_ino);
  out[16] = pg__wasi_filetype(st->st_mode);
  pg__wasi_put64(out + 24, (uint64_t)st->st_nlink);
  pg__wasi_put64(out + 32, (uint64_t)st->st_size);
  pg__wasi_put64(out + 40, timespec_ns(st->st_atim));
  pg__wasi_put64(out + 48, timespec_ns(st->st_mtim));
  pg__wasi_put64(out + 56, timespec_ns(st->st_ctim));
}

PG_WASI_HOST_FN(fd_fdstat_get) {
  pg__wasi_fd *e = lookup(call, pg__wasi_arg32(call, 0));
  if (!e) return pg__wasi_ret(call, WASI_EBADF);
  uint8_t *out = pg__wasi_mem(call, pg__wasi_arg32(call, 1), WASI_FDSTAT_SIZE);
  if (!out) return pg__wasi_ret(call, WASI_EFAULT);
  memset(out, 0, WASI_FDSTAT_SIZE);
  out[0] = e->filetype;
  pg__wasi_put16(out + 2, e->fdflags);
  pg__wasi_put64(out + 8, e->rights_base);
  pg__wasi_put64(out + 16, e->rights_inheriting);
  return pg__wasi_ret(call, WASI_ESUCCESS);
}

PG_WASI_HOST_FN(fd_fdstat_set_flags) {
  pg__wasi_fd *e = lookup(call, pg__wasi_arg32(call, 0));
  if (!e) return pg__wasi_ret(call, WASI_EBADF);
  uint16_t flags = (uint16_t)pg__wasi_arg32(call, 1);
  int fl = fcntl(e->host_fd, F_GETFL);
  if (fl < 0) return pg__wasi_ret(call, pg__wasi_errno(errno));
  fl &= ~(O_APPEND | O_NONBLOCK);
  if (flags & WASI_FDFLAG_APPEND) fl |= O_APPEND;
  if (flags & WASI_FDFLAG_NONBLOCK) fl |= O_NONBLOCK;
  if (fcntl(e->host_fd, F_SETFL, fl) != 0)
    return pg__wasi_ret(call, pg__wasi_errno(errno));
  e->fdflags = (uint16_t)((e->fdflags & ~(WASI_FDFLAG_APPEND | WASI_FDFLAG_NONBLOCK)) |
                          (flags & (WASI_FDFLAG_APPEND | WASI_FDFLAG_NONBLOCK)));
  return pg__wasi_ret(call, WASI_ESUCCESS);
}

PG_WASI_HOST_FN(fd_filestat_get) {
  pg__wasi_fd *e = lookup(call, pg__wasi_arg32(call, 0));
  if (!e) return pg__wasi_ret(call, WASI_EBADF);
  uint8_t *out = pg__wasi_mem(call, pg__wasi_arg32(call, 1), WASI_FILESTAT_SIZE);
  if (!out) return pg__wasi_ret(call, WASI_EFAULT);
  pg__wasi_flush_out(call->env);
  struct stat st;
  if (fstat(e->host_fd, &st) != 0) return pg__wasi_ret(call, pg__wasi_errno(errno));
  pg__wasi_put_filestat(out, &st);
  if (e->kind == PG_WASI_FD_STDIO) out[16] = e->filetype;
  return pg__wasi_ret(call, WASI_ESUCCESS);
}

PG_WASI_HOST_FN(fd_filestat_set_size) {
  pg__wasi_fd *e = lookup(call, pg__wasi_arg32(call, 0));
  if (!e) return pg__wasi_ret(call, WASI_EBADF);
  uint64_t size = pg__wasi_arg64(call, 1);
  if (size > INT64_MAX) return pg__wasi_ret(call, WASI_EINVAL);
  if (ftruncate(e->host_fd, (off_t)size) != 0)
    return pg__wasi_ret(call, pg__wasi_errno(errno));
  return pg__wasi_ret(call, WASI_ESUCCESS);
}

int pg__wasi_times(uint64_t atim, uint64_t mtim, uint32_t flags,
                   struct timespec out[2]) {
  if (((flags & WASI_FSTFLAG_ATIM) && (flags & WASI_FSTFLAG_ATIM_NOW)) ||
      ((flags & WASI_FSTFLAG_MTIM) && (flags & WASI_FSTFLAG_MTIM_NOW)) ||
      flags > 15)
    return WASI_EINVAL;
  const uint64_t given[2] = {atim, mtim};
  for (int i = 0; i < 2; i++) {
    uint32_t set = i ? WASI_FSTFLAG_MTIM : WASI_FSTFLAG_ATIM;
    uint32_t now = i ? WASI_FSTFLAG_MTIM_NOW : WASI_FSTFLAG_ATIM_NOW;
    out[i].tv_sec = (time_t)(given[i] / 1000000000u);
    out[i].tv_nsec = flags & set   ? (long)(given[i] % 1000000000u)
                     : flags & now ? UTIME_NOW
                                   : UTIME_OMIT;
  }
  return WASI_ESUCCESS;
}

PG_WASI_HOST_FN(fd_filestat_set_times) {
  pg__wasi_fd *e = lookup(call, pg__wasi_arg32(call, 0));
  if (!e) return pg__wasi_ret(call, WASI_EBADF);
  struct timespec ts[2];
  int err = pg__wasi_times(pg__wasi_arg64(call, 1), pg__wasi_arg64(call, 2),
                           pg__wasi_arg32(call, 3), ts);
  if (!err && futimens(e->host_fd, ts) != 0) err = pg__wasi_errno(errno);
  return pg__wasi_ret(call, err);
}

/* Advice is a hint: checked, then accepted without telling the host. */
PG_WASI_HOST_FN(fd_advise) {
  pg__wasi_fd *e = lookup(call, pg__wasi_arg32(call, 0));
  if (!e) return pg__wasi_ret(call, WASI_EBADF);
  if (pg__wasi_arg32(call, 3) > 5) return pg__wasi_ret(call, WASI_EINVAL);
  return pg__wasi_ret(call, e->filetype == WASI_FILETYPE_DIRECTORY ? WASI_EBADF
                                                                   : WASI_ESUCCESS);
}

PG_WASI_HOST_FN(fd_allocate) {
  pg__wasi_fd *e = lookup(call, pg__wasi_arg32(call, 0));
  if (!e) return pg__wasi_ret(call, WASI_EBADF);
  uint64_t off = pg__wasi_arg64(call, 1), len = pg__wasi_arg64(call, 2);
  if (off > INT64_MAX || len > INT64_MAX || len == 0)
    return pg__wasi_ret(call, WASI_EINVAL);
  int r = posix_fallocate(e->host_fd, (off_t)off, (off_t)len);
  return pg__wasi_ret(call, r ? pg__wasi_errno(r) : WASI_ESUCCESS);
}

/* ---- preopens ---- */

PG_WASI_HOST_FN(fd_prestat_get) {
  pg__wasi_fd *e = lookup(call, pg__wasi_arg32(call, 0));
  if (!e || e->kind != PG_WASI_FD_PREOPEN) return pg__wasi_ret(call, WASI_EBADF);
  uint8_t *out = pg__wasi_mem(call, pg__wasi_arg32(call, 1), WASI_PRESTAT_SIZE);
  if (!out) return pg__wasi_ret(call, WASI_EFAULT);
  memset(out, 0, WASI_PRESTAT_SIZE); /* tag 0: a directory */
  pg__wasi_put32(out + 4, (uint32_t)strlen(e->guest_name));
  return pg__wasi_ret(call, WASI_ESUCCESS);
}

PG_WASI_HOST_FN(fd_prestat_dir_name) {
  pg__wasi_fd *e = lookup(call, pg__wasi_arg32(call, 0));
  if (!e || e->kind != PG_WASI_FD_PREOPEN) return pg__wasi_ret(call, WASI_EBADF);
  size_t len = strlen(e->guest_name);
  if (pg__wasi_arg32(call, 2) < len) return pg__wasi_ret(call, WASI_ENAMETOOLONG);
  uint8_t *out = pg__wasi_mem(call, pg__wasi_arg32(call, 1), len);
  if (!out && len > 0) return pg__wasi_ret(call, WASI_EFAULT);
  memcpy(out, e->guest_name, len);
  return pg__wasi_ret(call, WASI_ESUCCESS);
}

/* ---- directory listings ---- */

static uint8_t dirent_type(int dirfd, const struct dirent *d) {
  switch (d->d_type) {
    case DT_REG: return WASI_FILETYPE_REGULAR_FILE;
    case DT_DIR: return WASI_FILETYPE_DIRECTORY;
    case DT_LNK: return WASI_FILETYPE_SYMBOLIC_LINK;
    case DT_CHR: return WASI_FILETYPE_CHARACTER_DEVICE;
    case DT_BLK: return WASI_FILETYPE_BLOCK_DEVICE;
    case DT_SOCK: return WASI_FILETYPE_SOCKET_STREAM;
    default: break;
  }
  struct stat st;
  if (fstatat(dirfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    return WASI_FILETYPE_UNKNOWN;
  return pg__wasi_filetype(st.st_mode);
}

static int dirlist_push(pg__wasi_dirlist *l, size_t *cap, const char *name,
                        uint64_t ino, uint8_t type) {
  if (l->count == *cap) {
    size_t n = *cap ? *cap * 2 : 16;
    char **names = realloc(l->names, n * sizeof *names);
    if (names) l->names = names;
    uint64_t *inos = realloc(l->inos, n * sizeof *inos);
    if (inos) l->inos = inos;
    uint8_t *types = realloc(l->types, n);
    if (types) l->types = types;
    if (!names || !inos || !types) return WASI_ENOMEM;
    *cap = n;
  }
  if (!(l->names[l->count] = strdup(name))) return WASI_ENOMEM;
  l->inos[l->count] = ino;
  l->types[l->count] = type;
  l->count++;
  return WASI_ESUCCESS;
}

/* Reads every entry of the directory `host_fd`, in the host's order. */
static int dirlist_load(int host_fd, pg__wasi_dirlist **out) {
  int fd = openat(host_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return pg__wasi_errno(errno);
  DIR *dir = fdopendir(fd);
  if (!dir) {
    close(fd);
    return pg__wasi_errno(errno);
  }
  pg__wasi_dirlist *l = calloc(1, sizeof *l);
  size_t cap = 0;
  int err = l ? WASI_ESUCCESS : WASI_ENOMEM;
  struct dirent *d;
  while (!err && (d = readdir(dir)) != NULL)
    err = dirlist_push(l, &cap, d->d_name, d->d_ino, dirent_type(fd, d));
  closedir(dir);
  if (err) {
    pg__wasi_dirlist_free(l);
    return err;
  }
  *out = l;
  return WASI_ESUCCESS;
}

/* Copies entries from `cookie` on into buf; the last one may be cut off,
 * which tells wasi-libc to call again with a bigger buffer. */
static uint32_t dirlist_write(const pg__wasi_dirlist *l, uint64_t cookie,
                              uint8_t *buf, uint32_t len) {
  uint32_t used = 0;
  for (uint64_t i = cookie; i < l->count && used < len; i++) {
    uint8_t head[WASI_DIRENT_SIZE] = {0};
    size_t namlen = strlen(l->names[i]);
    pg__wasi_put64(head, i + 1);
    pg__wasi_put64(head + 8, l->inos[i]);
    pg__wasi_put32(head + 16, (uint32_t)namlen);
    head[20] = l->types[i];
    uint32_t n = len - used < WASI_DIRENT_SIZE ? len - used : WASI_DIRENT_SIZE;
    memcpy(buf + used, head, n);
    used += n;
    n = len - used < namlen ? len - used : (uint32_t)namlen;
    memcpy(buf + used, l->names[i], n);
    used += n;
  }
  return used;
}

PG_WASI_HOST_FN(fd_readdir) {
  pg__wasi_fd *e = lookup(call, pg__wasi_arg32(call, 0));
  if (!e) return pg__wasi_ret(call, WASI_EBADF);
  if (e->filetype != WASI_FILETYPE_DIRECTORY) return pg__wasi_ret(call, WASI_ENOTDIR);
  uint32_t len = pg__wasi_arg32(call, 2);
  uint64_t cookie = pg__wasi_arg64(call, 3);
  uint8_t *buf = pg__wasi_mem(call, pg__wasi_arg32(call, 1), len);
  uint8_t *used = pg__wasi_mem(call, pg__wasi_arg32(call, 4), 4);
  if ((!buf && len > 0) || !used) return pg__wasi_ret(call, WASI_EFAULT);
  if (cookie == 0 || !e->dir) {
    pg__wasi_dirlist *l;
    int err = dirlist_load(e->host_fd, &l);
    if (err) return pg__wasi_ret(call, err);
    pg__wasi_dirlist_free(e->dir); /* a rewind sees new entries */
    e->dir = l;
  }
  pg__wasi_put32(used, dirlist_write(e->dir, cookie, buf, len));
  return pg__wasi_ret(call, WASI_ESUCCESS);
}
