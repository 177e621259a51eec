/*
 * wasi_internal.h: what the files of src/wasi share: the pg_wasi state
 * (file descriptor table, args, environment, hooks), the preview1 constants
 * (errno values, rights, struct layouts) and the guest-memory helpers.
 *
 * Split by concept: wasi.c (lifecycle, the import table, errno mapping),
 * wasi_proc.c (args, environ, clocks, random, poll, exit), wasi_fd.c (file
 * descriptors and stdio), wasi_path.c (confined path resolution and path_*).
 * Every guest pointer goes through pg_memory_ptr via pg__wasi_mem below.
 */
#ifndef PG_WASI_INTERNAL_H
#define PG_WASI_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "parigot/engine.h"
#include "parigot/wasi.h"

/* ---- preview1 errno values (witx order; a C guest sees these in errno) ---- */
enum {
  WASI_ESUCCESS = 0,
  WASI_E2BIG = 1,
  WASI_EACCES = 2,
  WASI_EAGAIN = 6,
  WASI_EBADF = 8,
  WASI_EBUSY = 10,
  WASI_EEXIST = 20,
  WASI_EFAULT = 21,
  WASI_EFBIG = 22,
  WASI_EINTR = 27,
  WASI_EINVAL = 28,
  WASI_EIO = 29,
  WASI_EISDIR = 31,
  WASI_ELOOP = 32,
  WASI_EMFILE = 33,
  WASI_EMLINK = 34,
  WASI_ENAMETOOLONG = 37,
  WASI_ENFILE = 41,
  WASI_ENODEV = 43,
  WASI_ENOENT = 44,
  WASI_ENOMEM = 48,
  WASI_ENOSPC = 51,
  WASI_ENOSYS = 52,
  WASI_ENOTDIR = 54,
  WASI_ENOTEMPTY = 55,
  WASI_ENOTSUP = 58,
  WASI_ENOTTY = 59,
  WASI_ENXIO = 60,
  WASI_EOVERFLOW = 61,
  WASI_EPERM = 63,
  WASI_EPIPE = 64,
  WASI_ERANGE = 68,
  WASI_EROFS = 69,
  WASI_ESPIPE = 70,
  WASI_ETIMEDOUT = 73,
  WASI_ETXTBSY = 74,
  WASI_EXDEV = 75,
  WASI_ENOTCAPABLE = 76
};

/* ---- file types, fd flags, open flags, lookup flags ---- */
enum {
  WASI_FILETYPE_UNKNOWN = 0,
  WASI_FILETYPE_BLOCK_DEVICE = 1,
  WASI_FILETYPE_CHARACTER_DEVICE = 2,
  WASI_FILETYPE_DIRECTORY = 3,
  WASI_FILETYPE_REGULAR_FILE = 4,
  WASI_FILETYPE_SOCKET_DGRAM = 5,
  WASI_FILETYPE_SOCKET_STREAM = 6,
  WASI_FILETYPE_SYMBOLIC_LINK = 7
};
enum {
  WASI_FDFLAG_APPEND = 1,
  WASI_FDFLAG_DSYNC = 2,
  WASI_FDFLAG_NONBLOCK = 4,
  WASI_FDFLAG_RSYNC = 8,
  WASI_FDFLAG_SYNC = 16
};
enum {
  WASI_OFLAG_CREAT = 1,
  WASI_OFLAG_DIRECTORY = 2,
  WASI_OFLAG_EXCL = 4,
  WASI_OFLAG_TRUNC = 8
};
enum { WASI_LOOKUP_SYMLINK_FOLLOW = 1 };
enum { WASI_WHENCE_SET = 0, WASI_WHENCE_CUR = 1, WASI_WHENCE_END = 2 };
enum { WASI_FSTFLAG_ATIM = 1, WASI_FSTFLAG_ATIM_NOW = 2,
       WASI_FSTFLAG_MTIM = 4, WASI_FSTFLAG_MTIM_NOW = 8 };

/* ---- rights (bit numbers from the witx) ---- */
#define WASI_RIGHT_FD_READ (1ull << 1)
#define WASI_RIGHT_FD_SEEK (1ull << 2)
#define WASI_RIGHT_FD_TELL (1ull << 5)
#define WASI_RIGHT_FD_WRITE (1ull << 6)
#define WASI_RIGHT_FD_READDIR (1ull << 14)
#define WASI_RIGHTS_ALL ((1ull << 30) - 1)

/* ---- struct sizes in guest memory ---- */
enum {
  WASI_IOVEC_SIZE = 8,      /* buf u32 @0, buf_len u32 @4 */
  WASI_FDSTAT_SIZE = 24,    /* filetype u8 @0, flags u16 @2, rights u64 @8,16 */
  WASI_FILESTAT_SIZE = 64,  /* dev,ino,filetype@16,nlink,size,atim,mtim,ctim */
  WASI_PRESTAT_SIZE = 8,    /* tag u8 @0, name_len u32 @4 */
  WASI_DIRENT_SIZE = 24,    /* next u64, ino u64, namlen u32 @16, type u8 @20 */
  WASI_SUBSCRIPTION_SIZE = 48,
  WASI_EVENT_SIZE = 32
};

/* At most this many iovecs per call (POSIX IOV_MAX on Linux). */
#define PG_WASI_MAX_IOVS 1024
/* Host-side buffer for guest stdout when it is not a terminal. */
#define PG_WASI_OUT_BUF 65536

/* ---- the file descriptor table ---- */
typedef enum pg__wasi_fd_kind {
  PG_WASI_FD_FREE = 0, /* slot unused */
  PG_WASI_FD_STDIO,    /* one of the config's stdio fds; host fd borrowed */
  PG_WASI_FD_FILE,     /* opened by path_open; host fd owned */
  PG_WASI_FD_DIR,      /* directory opened by path_open; host fd owned */
  PG_WASI_FD_PREOPEN   /* a --dir root; host fd owned */
} pg__wasi_fd_kind;

/* A directory's entries, read once when fd_readdir starts at cookie 0.
 * A cookie is an index into these arrays. */
typedef struct pg__wasi_dirlist {
  char **names; /* owned, NUL-terminated */
  uint64_t *inos;
  uint8_t *types; /* WASI file types */
  size_t count;
} pg__wasi_dirlist;

typedef struct pg__wasi_fd {
  pg__wasi_fd_kind kind;
  int host_fd;              /* -1 when kind is FREE */
  uint8_t filetype;         /* WASI file type */
  uint16_t fdflags;         /* WASI fd flags */
  uint64_t rights_base;
  uint64_t rights_inheriting;
  bool buffered;            /* writes collect in pg_wasi.out_buf */
  char *guest_name;         /* PREOPEN: the name the guest sees; owned */
  pg__wasi_dirlist *dir;    /* DIR/PREOPEN: listing for fd_readdir; owned */
} pg__wasi_fd;

struct pg_wasi {
  char **argv; /* argc strings, owned */
  int argc;
  char **envp; /* nenv strings "K=V", owned */
  int nenv;
  pg__wasi_fd *fds; /* nfds slots; guest fd n is fds[n] */
  uint32_t nfds;
  /* Guest stdout bytes not yet written to the host (only for a non-tty
   * stdout). out_buf is NULL until the first buffered write. Invariant:
   * out_len <= PG_WASI_OUT_BUF; out_fd is the host fd they belong to.
   * Flushed before any other write, read, sleep or exit. */
  uint8_t *out_buf;
  size_t out_len;
  int out_fd;
  uint64_t (*clock_ns)(void *ctx, uint32_t clock_id);
  void (*random_bytes)(void *ctx, uint8_t *buf, size_t len);
  void *hook_ctx;
  /* pg_wasi_config.write: fds 1 and 2 go here when set. */
  void (*write_hook)(void *ctx, int fd, const uint8_t *bytes, size_t len);
  /* pg_wasi_config.sleep: a clocks-only poll_oneoff may yield instead. */
  bool (*sleep_hook)(void *ctx, uint64_t ns);
};

/* ---- helpers shared by the files ---- */

/* Writes `err` as the call's single result and finishes the call. */
static inline pg_host_result pg__wasi_ret(pg_host_call *call, int err) {
  call->results[0] = (pg_cell)(uint32_t)err;
  return PG_HOST_DONE;
}
static inline uint32_t pg__wasi_arg32(const pg_host_call *call, int i) {
  return (uint32_t)call->args[i];
}
static inline uint64_t pg__wasi_arg64(const pg_host_call *call, int i) {
  return (uint64_t)call->args[i];
}
/* The one guest-pointer check: [ptr, ptr+len) inside memory, or NULL. */
static inline uint8_t *pg__wasi_mem(pg_host_call *call, uint32_t ptr,
                                    uint64_t len) {
  return (uint8_t *)pg_memory_ptr(call->instance, ptr, len);
}

/* Little-endian stores and loads into host pointers already checked. */
static inline void pg__wasi_put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}
static inline void pg__wasi_put32(uint8_t *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline void pg__wasi_put64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint16_t pg__wasi_get16(const uint8_t *p) {
  return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint32_t pg__wasi_get32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}
static inline uint64_t pg__wasi_get64(const uint8_t *p) {
  return (uint64_t)pg__wasi_get32(p) | (uint64_t)pg__wasi_get32(p + 4) << 32;
}

/* Writes a u32 / u64 result to a guest pointer; WASI_EFAULT if it is bad. */
int pg__wasi_store32(pg_host_call *call, uint32_t ptr, uint32_t v);
int pg__wasi_store64(pg_host_call *call, uint32_t ptr, uint64_t v);

/* Maps a host errno value to the WASI errno (EIO for unknown ones). */
int pg__wasi_errno(int host_errno);
/* WASI file type of a host st_mode. */
uint8_t pg__wasi_filetype(unsigned mode);

/* The fd table entry for a guest fd, or NULL when it is not open. The
 * pointer is borrowed from w's table: valid until the next fd_add. */
pg__wasi_fd *pg__wasi_fd_get(pg_wasi *w, uint32_t fd);
/* Copies *entry into the lowest free slot, which then owns its host fd,
 * guest_name and dir; writes the guest fd. Returns a WASI errno (EMFILE or
 * ENOMEM; on failure the caller still owns what entry points to). */
int pg__wasi_fd_add(pg_wasi *w, const pg__wasi_fd *entry, uint32_t *out_fd);
/* Frees a slot: closes an owned host fd, frees names and listings. */
void pg__wasi_fd_release(pg__wasi_fd *e);
/* Frees a listing (accepts NULL). */
void pg__wasi_dirlist_free(pg__wasi_dirlist *d);
/* Writes buffered stdout to the host now; returns a WASI errno. */
int pg__wasi_flush_out(pg_wasi *w);
/* Fills a 64-byte WASI filestat at `out` (already checked) from `st`
 * (borrowed). */
struct stat;
void pg__wasi_put_filestat(uint8_t *out, const struct stat *st);

/* Turns WASI (atim, mtim, fstflags) into the two timespecs of
 * futimens/utimensat; WASI_EINVAL for contradictory flags. */
struct timespec;
int pg__wasi_times(uint64_t atim, uint64_t mtim, uint32_t flags,
                   struct timespec out[2]);

/* Current time of a WASI clock through the hook or the host, to *out_ns;
 * returns a WASI errno (EINVAL for an unknown clock). */
int pg__wasi_clock_now(pg_wasi *w, uint32_t clock_id, uint64_t *out_ns);

/* Host functions, one per preview1 import (see the table in wasi.c). */
#define PG_WASI_HOST_FN(name) pg_host_result pg__wasi_##name(pg_host_call *call)
PG_WASI_HOST_FN(args_get);
PG_WASI_HOST_FN(args_sizes_get);
PG_WASI_HOST_FN(environ_get);
PG_WASI_HOST_FN(environ_sizes_get);
PG_WASI_HOST_FN(clock_res_get);
PG_WASI_HOST_FN(clock_time_get);
PG_WASI_HOST_FN(random_get);
PG_WASI_HOST_FN(proc_exit);
PG_WASI_HOST_FN(sched_yield);
PG_WASI_HOST_FN(poll_oneoff);
PG_WASI_HOST_FN(fd_write);
PG_WASI_HOST_FN(fd_read);
PG_WASI_HOST_FN(fd_pwrite);
PG_WASI_HOST_FN(fd_pread);
PG_WASI_HOST_FN(fd_close);
PG_WASI_HOST_FN(fd_seek);
PG_WASI_HOST_FN(fd_tell);
PG_WASI_HOST_FN(fd_fdstat_get);
PG_WASI_HOST_FN(fd_fdstat_set_flags);
PG_WASI_HOST_FN(fd_filestat_get);
PG_WASI_HOST_FN(fd_filestat_set_size);
PG_WASI_HOST_FN(fd_filestat_set_times);
PG_WASI_HOST_FN(fd_advise);
PG_WASI_HOST_FN(fd_allocate);
PG_WASI_HOST_FN(fd_prestat_get);
PG_WASI_HOST_FN(fd_prestat_dir_name);
PG_WASI_HOST_FN(fd_readdir);
PG_WASI_HOST_FN(fd_renumber);
PG_WASI_HOST_FN(fd_sync);
PG_WASI_HOST_FN(fd_datasync);
PG_WASI_HOST_FN(path_open);
PG_WASI_HOST_FN(path_filestat_get);
PG_WASI_HOST_FN(path_create_directory);
PG_WASI_HOST_FN(path_unlink_file);
PG_WASI_HOST_FN(path_remove_directory);
PG_WASI_HOST_FN(path_rename);
PG_WASI_HOST_FN(path_readlink);
PG_WASI_HOST_FN(path_symlink);
PG_WASI_HOST_FN(path_link);
PG_WASI_HOST_FN(path_filestat_set_times);
PG_WASI_HOST_FN(nosys);

#endif /* PG_WASI_INTERNAL_H */
