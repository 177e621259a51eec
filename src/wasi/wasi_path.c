/*
 * wasi_path.c: the path_* calls of WASI preview1, confined to the directory
 * the guest names them against (a --dir preopen, or a directory opened
 * through one).
 *
 * Confinement does not trust the host's path lookup: resolve() walks the
 * path one component at a time with openat(O_NOFOLLOW), keeping the chain
 * of directories it went through so that ".." pops one and can never go
 * above the starting directory. Symbolic links are read with readlinkat and
 * their text spliced into the rest of the path, so a link inside the
 * sandbox works while an absolute link, or one whose ".." climbs out, is
 * refused (ENOTCAPABLE) like an absolute path. If a component is swapped for
 * a link between our check and the open, O_NOFOLLOW makes the open fail
 * rather than escape.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi_internal.h"

#define WASI_EILSEQ 25
#define MAX_SYMLINKS 32 /* links expanded per path, like ELOOP on Linux (40) */

#ifdef O_PATH
#define WALK_FLAGS (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
#else
#define WALK_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
#endif

/* Where a path leads: the final name inside directory `dirfd`. */
typedef struct resolved {
  int dirfd;
  bool owned;              /* dirfd was opened by resolve(): close it */
  char name[NAME_MAX + 1]; /* "." when the path names the directory itself */
  bool must_be_dir;        /* the path ended with '/' */
} resolved;

/* The directories a walk went through; top is the current one. */
typedef struct walk {
  int base;   /* borrowed: the starting directory */
  int *fds;   /* owned, depth entries */
  int depth;
  int cap;
  int links;  /* symbolic links expanded so far */
} walk;

static int walk_cur(const walk *k) { return k->depth ? k->fds[k->depth - 1] : k->base; }

static int walk_push(walk *k, int fd) {
  if (k->depth == k->cap) {
    int n = k->cap ? k->cap * 2 : 16;
    int *grown = realloc(k->fds, (size_t)n * sizeof *grown);
    if (!grown) return WASI_ENOMEM;
    k->fds = grown;
    k->cap = n;
  }
  k->fds[k->depth++] = fd;
  return WASI_ESUCCESS;
}

static void walk_close(walk *k, int keep) {
  for (int i = 0; i < k->depth; i++)
    if (k->fds[i] != keep) close(k->fds[i]);
  free(k->fds);
}

static void resolved_close(resolved *r) {
  if (r->owned) close(r->dirfd);
  r->owned = false;
}

static bool is_link(int dirfd, const char *name) {
  struct stat st;
  return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
}

/* Replaces *rest (owned) with the link's text followed by `after`. */
static int splice_link(walk *k, const char *name, const char *after,
                       char **rest) {
  char target[PATH_MAX];
  if (++k->links > MAX_SYMLINKS) return WASI_ELOOP;
  ssize_t n = readlinkat(walk_cur(k), name, target, sizeof target - 1);
  if (n < 0) return pg__wasi_errno(errno);
  if (n == 0) return WASI_ENOENT;
  if (target[0] == '/') return WASI_ENOTCAPABLE;
  size_t alen = strlen(after);
  if ((size_t)n + 1 + alen >= PATH_MAX) return WASI_ENAMETOOLONG;
  char *joined = malloc((size_t)n + 2 + alen);
  if (!joined) return WASI_ENOMEM;
  memcpy(joined, target, (size_t)n);
  joined[n] = '\0';
  if (alen) {
    joined[n] = '/';
    memcpy(joined + n + 1, after, alen + 1);
  }
  free(*rest);
  *rest = joined;
  return WASI_ESUCCESS;
}

/* Walks the first component of *rest (owned; what is left of the path)
 * and drops it from *rest, or splices a symbolic link's text in its place.
 * Sets *done, with out->name, when the final component is reached. */
static int walk_next(walk *k, char **rest, bool follow, resolved *out,
                     bool *done) {
  const char *p = *rest;
  while (*p == '/') p++;
  if (*p == '\0') { /* "dir/" ends here: the directory itself */
    strcpy(out->name, ".");
    out->must_be_dir = true;
    *done = true;
    return WASI_ESUCCESS;
  }
  size_t n = strcspn(p, "/");
  if (n > NAME_MAX) return WASI_ENAMETOOLONG;
  char comp[NAME_MAX + 1];
  memcpy(comp, p, n);
  comp[n] = '\0';
  const char *after = p + n;
  bool trailing = *after == '/';
  while (*after == '/') after++;
  bool last = *after == '\0';
  if (strcmp(comp, "..") == 0) {
    if (k->depth == 0) return WASI_ENOTCAPABLE; /* would leave the root */
    close(k->fds[--k->depth]);
    strcpy(comp, ".");
  }
  if (strcmp(comp, ".") == 0) {
    if (last) strcpy(out->name, ".");
    *done = last;
  } else if ((!last || follow || trailing) && is_link(walk_cur(k), comp)) {
    return splice_link(k, comp, after, rest);
  } else if (last) {
    strcpy(out->name, comp);
    out->must_be_dir = trailing;
    *done = true;
  } else {
    int fd = openat(walk_cur(k), comp, WALK_FLAGS);
    if (fd < 0) return pg__wasi_errno(errno);
    int err = walk_push(k, fd);
    if (err) {
      close(fd);
      return err;
    }
  }
  memmove(*rest, after, strlen(after) + 1);
  return WASI_ESUCCESS;
}

/* Resolves `path` against the directory `base`; on success the caller owns
 * `out` and calls resolved_close. `follow` follows a final symbolic link. */
static int resolve(int base, const char *path, bool follow, resolved *out) {
  *out = (resolved){.dirfd = -1};
  if (path[0] == '\0') return WASI_ENOENT;
  if (path[0] == '/') return WASI_ENOTCAPABLE;
  walk k = {.base = base};
  char *rest = strdup(path);
  int err = rest ? WASI_ESUCCESS : WASI_ENOMEM;
  bool done = false;
  while (!err && !done) err = walk_next(&k, &rest, follow, out, &done);
  free(rest);
  if (!err) {
    out->dirfd = walk_cur(&k);
    out->owned = k.depth > 0;
  }
  walk_close(&k, err ? -1 : out->dirfd);
  return err;
}

/* Reads the guest path (ptr, len) into a NUL-terminated host string. */
static int guest_path(pg_host_call *call, uint32_t ptr, uint32_t len,
                      char *out) {
  if (len >= PATH_MAX) return WASI_ENAMETOOLONG;
  const uint8_t *p = pg__wasi_mem(call, ptr, len);
  if (!p && len > 0) return WASI_EFAULT;
  if (len > 0 && memchr(p, '\0', len)) return WASI_EILSEQ;
  if (len > 0) memcpy(out, p, len);
  out[len] = '\0';
  return WASI_ESUCCESS;
}

/* The directory fd a path_* call is relative to (guest fd in args[i]). */
static int base_dir(pg_host_call *call, int i, pg__wasi_fd **out) {
  pg__wasi_fd *e = pg__wasi_fd_get(call->env, pg__wasi_arg32(call, i));
  if (!e) return WASI_EBADF;
  if (e->filetype != WASI_FILETYPE_DIRECTORY) return WASI_ENOTDIR;
  *out = e;
  return WASI_ESUCCESS;
}

/* Common prologue: base dir from args[fd_arg], path from the next two
 * args (ptr, len) starting at path_arg, resolved. */
static int resolve_arg(pg_host_call *call, int fd_arg, int path_arg,
                       bool follow, resolved *out) {
  pg__wasi_fd *dir;
  char path[PATH_MAX];
  int err = base_dir(call, fd_arg, &dir);
  if (!err)
    err = guest_path(call, pg__wasi_arg32(call, path_arg),
                     pg__wasi_arg32(call, path_arg + 1), path);
  if (!err) err = resolve(dir->host_fd, path, follow, out);
  return err;
}

/* ---- path_open ---- */

static int open_flags(uint32_t oflags, uint64_t rights, uint16_t fdflags,
                      bool must_be_dir) {
  const uint64_t write_rights = WASI_RIGHT_FD_WRITE | (1ull << 8) /* allocate */
                                | (1ull << 22); /* filestat_set_size */
  bool rd = rights & (WASI_RIGHT_FD_READ | WASI_RIGHT_FD_READDIR);
  bool wr = rights & write_rights;
  int fl = O_CLOEXEC | O_NOFOLLOW;
  if (oflags & WASI_OFLAG_DIRECTORY || must_be_dir) {
    fl |= O_DIRECTORY;
    wr = false;
  }
  fl |= wr ? (rd ? O_RDWR : O_WRONLY) : O_RDONLY;
  if (oflags & WASI_OFLAG_CREAT) fl |= O_CREAT;
  if (oflags & WASI_OFLAG_EXCL) fl |= O_EXCL;
  if (oflags & WASI_OFLAG_TRUNC) fl |= O_TRUNC;
  if (fdflags & WASI_FDFLAG_APPEND) fl |= O_APPEND;
  if (fdflags & WASI_FDFLAG_NONBLOCK) fl |= O_NONBLOCK;
  if (fdflags & WASI_FDFLAG_DSYNC) fl |= O_DSYNC;
  if (fdflags & (WASI_FDFLAG_SYNC | WASI_FDFLAG_RSYNC)) fl |= O_SYNC;
  return fl;
}

PG_WASI_HOST_FN(path_open) {
  pg_wasi *w = call->env;
  pg__wasi_fd *dir;
  int err = base_dir(call, 0, &dir);
  if (err) return pg__wasi_ret(call, err);
  uint64_t inherit = dir->rights_inheriting;
  resolved r;
  err = resolve_arg(call, 0, 2, pg__wasi_arg32(call, 1) & WASI_LOOKUP_SYMLINK_FOLLOW, &r);
  if (err) return pg__wasi_ret(call, err);
  uint64_t rights = pg__wasi_arg64(call, 5) & inherit;
  uint16_t fdflags = (uint16_t)pg__wasi_arg32(call, 7);
  int fl = open_flags(pg__wasi_arg32(call, 4), rights, fdflags, r.must_be_dir);
  int fd = openat(r.dirfd, r.name, fl, 0666);
  if (fd < 0) err = pg__wasi_errno(errno);
  resolved_close(&r);
  if (err) return pg__wasi_ret(call, err);
  struct stat st;
  fstat(fd, &st);
  pg__wasi_fd e = {.host_fd = fd, .filetype = pg__wasi_filetype(st.st_mode),
                   .fdflags = fdflags & (WASI_FDFLAG_APPEND | WASI_FDFLAG_NONBLOCK),
                   .rights_base = rights,
                   .rights_inheriting = pg__wasi_arg64(call, 6) & inherit};
  e.kind = e.filetype == WASI_FILETYPE_DIRECTORY ? PG_WASI_FD_DIR : PG_WASI_FD_FILE;
  uint32_t guest_fd;
  err = pg__wasi_fd_add(w, &e, &guest_fd);
  if (err) {
    close(fd);
    return pg__wasi_ret(call, err);
  }
  err = pg__wasi_store32(call, pg__wasi_arg32(call, 8), guest_fd);
  if (err) pg__wasi_fd_release(&w->fds[guest_fd]);
  return pg__wasi_ret(call, err);
}

/* ---- the other path calls ---- */

PG_WASI_HOST_FN(path_filestat_get) {
  resolved r;
  int err = resolve_arg(call, 0, 2, pg__wasi_arg32(call, 1) & WASI_LOOKUP_SYMLINK_FOLLOW, &r);
  if (err) return pg__wasi_ret(call, err);
  struct stat st;
  if (fstatat(r.dirfd, r.name, &st, AT_SYMLINK_NOFOLLOW) != 0)
    err = pg__wasi_errno(errno);
  else if (r.must_be_dir && !S_ISDIR(st.st_mode))
    err = WASI_ENOTDIR;
  resolved_close(&r);
  uint8_t *out = pg__wasi_mem(call, pg__wasi_arg32(call, 4), WASI_FILESTAT_SIZE);
  if (!err && !out) err = WASI_EFAULT;
  if (!err) pg__wasi_put_filestat(out, &st);
  return pg__wasi_ret(call, err);
}

PG_WASI_HOST_FN(path_create_directory) {
  resolved r;
  int err = resolve_arg(call, 0, 1, false, &r);
  if (err) return pg__wasi_ret(call, err);
  if (mkdirat(r.dirfd, r.name, 0777) != 0) err = pg__wasi_errno(errno);
  resolved_close(&r);
  return pg__wasi_ret(call, err);
}

PG_WASI_HOST_FN(path_unlink_file) {
  resolved r;
  int err = resolve_arg(call, 0, 1, false, &r);
  if (err) return pg__wasi_ret(call, err);
  struct stat st;
  if (r.must_be_dir) /* "x/" names a directory, never a file */
    err = fstatat(r.dirfd, r.name, &st, AT_SYMLINK_NOFOLLOW) != 0
              ? pg__wasi_errno(errno)
          : S_ISDIR(st.st_mode) ? WASI_EISDIR
                                : WASI_ENOTDIR;
  else if (unlinkat(r.dirfd, r.name, 0) != 0)
    err = pg__wasi_errno(errno);
  resolved_close(&r);
  return pg__wasi_ret(call, err);
}

PG_WASI_HOST_FN(path_remove_directory) {
  resolved r;
  int err = resolve_arg(call, 0, 1, false, &r);
  if (err) return pg__wasi_ret(call, err);
  if (strcmp(r.name, ".") == 0) err = WASI_EINVAL; /* as rmdir(".") */
  else if (unlinkat(r.dirfd, r.name, AT_REMOVEDIR) != 0)
    err = pg__wasi_errno(errno);
  resolved_close(&r);
  return pg__wasi_ret(call, err);
}

PG_WASI_HOST_FN(path_rename) {
  resolved from, to;
  int err = resolve_arg(call, 0, 1, false, &from);
  if (err) return pg__wasi_ret(call, err);
  err = resolve_arg(call, 3, 4, false, &to);
  if (!err) {
    if (renameat(from.dirfd, from.name, to.dirfd, to.name) != 0)
      err = pg__wasi_errno(errno);
    resolved_close(&to);
  }
  resolved_close(&from);
  return pg__wasi_ret(call, err);
}

PG_WASI_HOST_FN(path_readlink) {
  resolved r;
  int err = resolve_arg(call, 0, 1, false, &r);
  if (err) return pg__wasi_ret(call, err);
  char target[PATH_MAX];
  ssize_t n = readlinkat(r.dirfd, r.name, target, sizeof target);
  if (n < 0) err = pg__wasi_errno(errno);
  resolved_close(&r);
  if (err) return pg__wasi_ret(call, err);
  uint32_t cap = pg__wasi_arg32(call, 4);
  uint32_t len = (uint64_t)n < cap ? (uint32_t)n : cap;
  uint8_t *buf = pg__wasi_mem(call, pg__wasi_arg32(call, 3), len);
  if (!buf && len > 0) return pg__wasi_ret(call, WASI_EFAULT);
  if (len > 0) memcpy(buf, target, len);
  return pg__wasi_ret(call, pg__wasi_store32(call, pg__wasi_arg32(call, 5), len));
}

PG_WASI_HOST_FN(path_symlink) {
  char target[PATH_MAX];
  int err = guest_path(call, pg__wasi_arg32(call, 0), pg__wasi_arg32(call, 1), target);
  if (err) return pg__wasi_ret(call, err);
  if (target[0] == '/') return pg__wasi_ret(call, WASI_ENOTCAPABLE);
  resolved r;
  err = resolve_arg(call, 2, 3, false, &r);
  if (err) return pg__wasi_ret(call, err);
  if (symlinkat(target, r.dirfd, r.name) != 0) err = pg__wasi_errno(errno);
  resolved_close(&r);
  return pg__wasi_ret(call, err);
}

PG_WASI_HOST_FN(path_filestat_set_times) {
  struct timespec ts[2];
  int err = pg__wasi_times(pg__wasi_arg64(call, 4), pg__wasi_arg64(call, 5),
                           pg__wasi_arg32(call, 6), ts);
  if (err) return pg__wasi_ret(call, err);
  resolved r;
  err = resolve_arg(call, 0, 2, pg__wasi_arg32(call, 1) & WASI_LOOKUP_SYMLINK_FOLLOW, &r);
  if (err) return pg__wasi_ret(call, err);
  if (utimensat(r.dirfd, r.name, ts, AT_SYMLINK_NOFOLLOW) != 0)
    err = pg__wasi_errno(errno);
  resolved_close(&r);
  return pg__wasi_ret(call, err);
}

/* Hard links: both names are confined; the source is never followed, so a
 * link to a symlink that points out stays a symlink (refused when used). */
PG_WASI_HOST_FN(path_link) {
  resolved from, to;
  int err = resolve_arg(call, 0, 2, pg__wasi_arg32(call, 1) & WASI_LOOKUP_SYMLINK_FOLLOW, &from);
  if (err) return pg__wasi_ret(call, err);
  err = resolve_arg(call, 4, 5, false, &to);
  if (!err) {
    if (linkat(from.dirfd, from.name, to.dirfd, to.name, 0) != 0)
      err = pg__wasi_errno(errno);
    resolved_close(&to);
  }
  resolved_close(&from);
  return pg__wasi_ret(call, err);
}
