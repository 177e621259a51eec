/*
 * file_service.c: file.v1.FileService, the built-in service behind
 * idl/file/v1/file.proto: Open/Create/Read/Write/Close/Stat/List/Delete on
 * files under one root directory that app.yaml configures.
 *
 * Confinement. Paths are resolved one component at a time with
 * openat(..., O_NOFOLLOW) from a directory fd of the root, never by the
 * kernel's own path walk: so no rename or symlink swap between a check and
 * a use can lead out (no TOCTOU), which realpath + prefix check cannot
 * promise. A symlink met on the way is read with readlinkat and its target
 * walked the same way: a relative target that stays inside is followed, an
 * absolute target or one whose ".." climbs above the root is refused with
 * PERMISSION_DENIED, as are absolute paths, ".." above the root and NUL
 * bytes. Delete removes a symlink itself; List reports entries without
 * following them (an entry's size never reveals a file outside).
 *
 * Handles. One service serves the whole app, so the table of open files is
 * shared: a handle opened by one program works when another passes it.
 * Ids count up from 1 and are never reused during a run; at most
 * MAX_OPEN_FILES are open at once (RESOURCE_EXHAUSTED beyond). Reading or
 * writing at an explicit offset moves the handle's position to the end of
 * what was read or written, as lseek + read would. A handle stays open
 * until Close, until the program replica that opened it ends (the kernel
 * calls `release`), or until the service is freed.
 *
 * Pointer parameters of the static functions below are borrowed for the
 * call unless their comment says otherwise.
 *
 * Runs on the kernel's event loop, so every call is synchronous and quick;
 * opens use O_NONBLOCK so a FIFO in the root cannot block the loop, and
 * only regular files can be opened.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file/v1/file.pg.h"
#include "services/host_call.h"
#include "services/service.h"

#define MAX_OPEN_FILES 1024
#define READ_MAX_BYTES (1u << 20) /* per Read call; also when max_bytes=0 */
#define PATH_MAX_BYTES 4096
#define MAX_DEPTH 256 /* directories deep below the root */
#define MAX_SYMLINKS 40 /* as Linux's own path walk */

typedef struct open_file {
  uint64_t id; /* > 0, unique for the service's life */
  int fd;      /* owned */
  char *owner; /* owned copy of the opener's program name */
  int owner_replica;
  bool can_read;
  bool can_write;
  bool append; /* every write goes to the end; offsets are refused */
} open_file;

typedef struct file_service {
  pg_host_service base; /* first: a pg_host_service* is a file_service* */
  int root_fd;          /* owned; the directory every path starts from */
  char *root;           /* owned copy, for messages */
  open_file *files;     /* owned; nfiles <= MAX_OPEN_FILES, ordered by id */
  size_t nfiles;
  size_t capfiles;
  uint64_t next_id; /* starts at 1 */
} file_service;

/* ------------------------------------------------------------------------
 * Messages and errno
 */

/* The path as a quoted, escaped string for messages (cut when long). */
static void quote_path(char *out, size_t cap, const char *p, size_t len) {
  size_t o = 0;
  const size_t shown = 200;
  out[o++] = '"';
  for (size_t i = 0; i < len && i < shown && o + 8 < cap; i++) {
    unsigned char c = (unsigned char)p[i];
    if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
      o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
    else
      out[o++] = (char)c;
  }
  if (len > shown && o + 4 < cap)
    o += (size_t)snprintf(out + o, cap - o, "...");
  out[o++] = '"';
  out[o] = 0;
}

static int errno_code(int e) {
  switch (e) {
  case ENOENT: return PG_CODE_NOT_FOUND;
  case EEXIST: return PG_CODE_ALREADY_EXISTS;
  case EISDIR:
  case ENOTDIR:
  case ENOTEMPTY:
  case ELOOP:
  case EROFS:
  case ETXTBSY: return PG_CODE_FAILED_PRECONDITION;
  case EACCES:
  case EPERM: return PG_CODE_PERMISSION_DENIED;
  case ENAMETOOLONG:
  case EINVAL:
  case EFBIG: return PG_CODE_INVALID_ARGUMENT;
  case ENOSPC:
  case EDQUOT:
  case EMFILE:
  case ENFILE:
  case ENOMEM: return PG_CODE_RESOURCE_EXHAUSTED;
  default: return PG_CODE_INTERNAL;
  }
}

/* An errno failure of `what` on the path: code from errno, message with
 * the path and strerror. */
static int path_errno(const char *what, pg_string path, int e, char *err,
                      size_t errlen) {
  char q[256];
  quote_path(q, sizeof q, path.data, path.len);
  return pg__fail(err, errlen, errno_code(e), "%s %s: %s", what, q,
                  strerror(e));
}

static int path_denied(pg_string path, const char *why, char *err,
                       size_t errlen) {
  char q[256];
  quote_path(q, sizeof q, path.data, path.len);
  return pg__fail(err, errlen, PG_CODE_PERMISSION_DENIED,
                  "permission denied: path %s %s", q, why);
}

/* ------------------------------------------------------------------------
 * Confined path walk
 */

typedef struct walk {
  pg_string path;        /* the caller's path (borrowed), for messages */
  int dirs[MAX_DEPTH];   /* dirs[0] = the root (not owned), then owned fds */
  size_t depth;          /* index of the current directory in dirs */
  char *rest;            /* owned: what is left to walk, NUL-terminated */
  size_t pos;            /* next unread byte of rest */
  int links;             /* symlinks followed so far */
  char last[NAME_MAX + 1]; /* the final component; "." = the directory */
} walk;

static int top(const walk *w) { return w->dirs[w->depth]; }

static void walk_end(walk *w) {
  while (w->depth > 0)
    close(w->dirs[w->depth--]);
  free(w->rest);
  w->rest = NULL;
}

/* Checks the path and starts a walk at the root. "" names the root. */
static int walk_begin(walk *w, const file_service *svc, pg_string path,
                      char *err, size_t errlen) {
  memset(w, 0, sizeof *w);
  if (!path.data) /* an absent string decodes as NULL, length 0 */
    path = pg_str("");
  w->path = path;
  w->dirs[0] = svc->root_fd;
  if (path.len > PATH_MAX_BYTES)
    return pg__fail(err, errlen, PG_CODE_INVALID_ARGUMENT,
                    "path of %zu bytes is longer than %d", path.len,
                    PATH_MAX_BYTES);
  if (memchr(path.data, 0, path.len))
    return path_denied(path, "contains a NUL byte", err, errlen);
  if (path.len && path.data[0] == '/')
    return path_denied(path, "is absolute; paths are relative to the root",
                       err, errlen);
  w->rest = strndup(path.len ? path.data : "", path.len);
  if (!w->rest)
    return pg__fail(err, errlen, PG_CODE_RESOURCE_EXHAUSTED, "out of memory");
  return PG_CODE_OK;
}

/* Replaces what is left to walk with target + "/" + rest: a symlink's
 * target is walked from the directory that holds the link. */
static int splice_link(walk *w, const char *target, char *err,
                       size_t errlen) {
  if (target[0] == '/')
    return path_denied(w->path, "goes through a symlink to an absolute path",
                       err, errlen);
  if (++w->links > MAX_SYMLINKS)
    return path_errno("resolving", w->path, ELOOP, err, errlen);
  const char *tail = w->rest + w->pos;
  size_t tlen = strlen(target), rlen = strlen(tail);
  char *joined = malloc(tlen + rlen + 2);
  if (!joined)
    return pg__fail(err, errlen, PG_CODE_RESOURCE_EXHAUSTED, "out of memory");
  memcpy(joined, target, tlen);
  joined[tlen] = '/';
  memcpy(joined + tlen + 1, tail, rlen + 1);
  free(w->rest);
  w->rest = joined;
  w->pos = 0;
  return PG_CODE_OK;
}

/* If `name` in the current directory is a symlink, splices its target into
 * the walk and sets *followed. */
static int follow_if_link(walk *w, const char *name, bool *followed,
                          char *err, size_t errlen) {
  char target[PATH_MAX_BYTES + 1];
  *followed = false;
  ssize_t n = readlinkat(top(w), name, target, sizeof target - 1);
  if (n < 0)
    return PG_CODE_OK; /* not a link: the caller reports its own errno */
  target[n] = 0;
  *followed = true;
  return splice_link(w, target, err, errlen);
}

/* Steps into the directory `name` (not the last component). */
static int descend(walk *w, const char *name, char *err, size_t errlen) {
  if (w->depth + 1 >= MAX_DEPTH)
    return pg__fail(err, errlen, PG_CODE_INVALID_ARGUMENT,
                    "path is more than %d directories deep", MAX_DEPTH - 1);
  int fd = openat(top(w), name,
                  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0) {
    w->dirs[++w->depth] = fd;
    return PG_CODE_OK;
  }
  int e = errno;
  bool followed;
  if (e == ELOOP || e == ENOTDIR) {
    int code = follow_if_link(w, name, &followed, err, errlen);
    if (code != PG_CODE_OK || followed)
      return code;
  }
  return path_errno("resolving", w->path, e, err, errlen);
}

/* Walks every component but the last, which lands in w->last ("." when
 * the path names the directory reached, e.g. "" or "a/.."). */
static int walk_to_last(walk *w, char *err, size_t errlen) {
  for (;;) {
    char *s = w->rest + w->pos;
    while (*s == '/')
      s++;
    size_t n = strcspn(s, "/");
    char *after = s + n;
    while (*after == '/')
      after++;
    bool is_last = *after == 0;
    w->pos = (size_t)(after - w->rest);
    if (n > NAME_MAX)
      return path_errno("resolving", w->path, ENAMETOOLONG, err, errlen);
    char name[NAME_MAX + 1];
    memcpy(name, s, n);
    name[n] = 0;
    if (n == 2 && name[0] == '.' && name[1] == '.') {
      if (w->depth == 0)
        return path_denied(w->path, "leaves the root directory", err,
                           errlen);
      close(w->dirs[w->depth--]);
      name[1] = 0; /* now "." */
    }
    if (n == 0 || strcmp(name, ".") == 0) {
      if (!is_last)
        continue;
      strcpy(w->last, ".");
      return PG_CODE_OK;
    }
    if (is_last) {
      strcpy(w->last, name);
      return PG_CODE_OK;
    }
    int code = descend(w, name, err, errlen);
    if (code != PG_CODE_OK)
      return code;
  }
}

/* When w->last is a symlink, walks to its target's last component and
 * sets *followed; otherwise leaves the walk as it is. */
static int follow_last(walk *w, bool *followed, char *err, size_t errlen) {
  int code = follow_if_link(w, w->last, followed, err, errlen);
  if (code == PG_CODE_OK && *followed)
    code = walk_to_last(w, err, errlen);
  return code;
}

/* Opens the walk's final component, following symlinks that stay inside.
 * On OK *fd is an owned descriptor. */
static int open_last(walk *w, int flags, const char *what, int *fd,
                     char *err, size_t errlen) {
  for (;;) {
    *fd = openat(top(w), w->last, flags | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (*fd >= 0)
      return PG_CODE_OK;
    int e = errno;
    bool followed = false;
    if (e == ELOOP || e == ENOTDIR) {
      int code = follow_last(w, &followed, err, errlen);
      if (code != PG_CODE_OK)
        return code;
    }
    if (!followed)
      return path_errno(what, w->path, e, err, errlen);
  }
}

/* Resolves `path` and opens it with `flags`; *fd owned on OK. */
static int open_path(const file_service *svc, pg_string path, int flags,
                     const char *what, int *fd, char *err, size_t errlen) {
  walk w;
  int code = walk_begin(&w, svc, path, err, errlen);
  if (code == PG_CODE_OK)
    code = walk_to_last(&w, err, errlen);
  if (code == PG_CODE_OK)
    code = open_last(&w, flags, what, fd, err, errlen);
  walk_end(&w);
  return code;
}

/* ------------------------------------------------------------------------
 * The table of open files
 */

static open_file *find_file(file_service *svc, const file_v1_Handle *h,
                            char *err, size_t errlen, int *code) {
  if (!h) {
    *code = pg__fail(err, errlen, PG_CODE_INVALID_ARGUMENT,
                     "the request has no handle");
    return NULL;
  }
  for (size_t i = 0; i < svc->nfiles; i++)
    if (svc->files[i].id == h->id)
      return &svc->files[i];
  *code = pg__fail(err, errlen, PG_CODE_INVALID_ARGUMENT,
                   "unknown file handle %llu", (unsigned long long)h->id);
  return NULL;
}

/* Adds an opened fd (consumed: closed on failure) for `who` and returns
 * its id. */
static int add_file(file_service *svc, const pg_caller *who, int fd,
                    bool can_read, bool can_write, bool append, uint64_t *id,
                    char *err, size_t errlen) {
  char *owner = strdup(who && who->program ? who->program : "");
  if (owner && svc->nfiles == svc->capfiles) {
    size_t cap = svc->capfiles ? 2 * svc->capfiles : 16;
    open_file *grown = realloc(svc->files, cap * sizeof *grown);
    if (grown) {
      svc->files = grown;
      svc->capfiles = cap;
    }
  }
  if (!owner || svc->nfiles == svc->capfiles) {
    free(owner);
    close(fd);
    return pg__fail(err, errlen, PG_CODE_RESOURCE_EXHAUSTED, "out of memory");
  }
  open_file *f = &svc->files[svc->nfiles++];
  *f = (open_file){svc->next_id++, fd,     owner, who ? who->replica : -1,
                   can_read,       can_write, append};
  *id = f->id;
  return PG_CODE_OK;
}

static void remove_file(file_service *svc, open_file *f) {
  size_t i = (size_t)(f - svc->files);
  close(f->fd);
  free(f->owner);
  memmove(f, f + 1, (svc->nfiles - i - 1) * sizeof *f);
  svc->nfiles--;
}

static int check_room(const file_service *svc, char *err, size_t errlen) {
  if (svc->nfiles < MAX_OPEN_FILES)
    return PG_CODE_OK;
  return pg__fail(err, errlen, PG_CODE_RESOURCE_EXHAUSTED,
                  "%d files are open; close one first", MAX_OPEN_FILES);
}

/* Only regular files are opened; the fd goes back to blocking mode (it
 * was opened O_NONBLOCK so a FIFO could not hang the loop). Closes fd on
 * failure. */
static int check_regular(int fd, pg_string path, char *err, size_t errlen) {
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    return path_errno("stat", path, e, err, errlen);
  }
  if (S_ISDIR(st.st_mode)) {
    close(fd);
    return path_errno("open", path, EISDIR, err, errlen);
  }
  if (!S_ISREG(st.st_mode)) {
    char q[256];
    close(fd);
    quote_path(q, sizeof q, path.data, path.len);
    return pg__fail(err, errlen, PG_CODE_FAILED_PRECONDITION,
                    "open %s: not a regular file", q);
  }
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0)
    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
  return PG_CODE_OK;
}

/* ------------------------------------------------------------------------
 * Methods. Each fills its response; what it allocates for the response
 * goes in `scratch`, freed after the reply is encoded.
 */

typedef struct scratch {
  void *data;             /* owned: read bytes or list entries */
  char **names;           /* owned: list entry names */
  size_t nnames;
  file_v1_Handle handle;  /* the Open/Create response points here */
  file_v1_FileInfo info;  /* the Stat response points here */
} scratch;

typedef int (*method_fn)(file_service *svc, const pg_caller *who,
                         const void *req, void *resp, scratch *s, char *err,
                         size_t errlen);

static int open_flags(file_v1_OpenMode mode, bool *rd, bool *wr, bool *app) {
  *rd = *wr = *app = false;
  switch (mode) {
  case file_v1_OpenMode_OPEN_MODE_UNSPECIFIED:
  case file_v1_OpenMode_OPEN_MODE_READ: *rd = true; return O_RDONLY;
  case file_v1_OpenMode_OPEN_MODE_WRITE: *wr = true; return O_WRONLY;
  case file_v1_OpenMode_OPEN_MODE_READ_WRITE: *rd = *wr = true; return O_RDWR;
  case file_v1_OpenMode_OPEN_MODE_APPEND:
    *wr = *app = true;
    return O_WRONLY | O_APPEND;
  default: return -1;
  }
}

static int do_open(file_service *svc, const pg_caller *who, const void *req,
                   void *resp, scratch *s, char *err, size_t errlen) {
  const file_v1_OpenRequest *rq = req;
  bool rd, wr, app;
  int fd, flags = open_flags(rq->mode, &rd, &wr, &app);
  if (flags < 0)
    return pg__fail(err, errlen, PG_CODE_INVALID_ARGUMENT,
                    "unknown open mode %d", (int)rq->mode);
  int code = check_room(svc, err, errlen);
  if (code == PG_CODE_OK)
    code = open_path(svc, rq->path, flags | O_NONBLOCK, "open", &fd, err,
                     errlen);
  if (code == PG_CODE_OK)
    code = check_regular(fd, rq->path, err, errlen);
  if (code == PG_CODE_OK)
    code = add_file(svc, who, fd, rd, wr, app, &s->handle.id, err, errlen);
  if (code == PG_CODE_OK)
    ((file_v1_OpenResponse *)resp)->handle = &s->handle;
  return code;
}

static int do_create(file_service *svc, const pg_caller *who,
                     const void *req, void *resp, scratch *s, char *err,
                     size_t errlen) {
  const file_v1_CreateRequest *rq = req;
  int fd, flags = O_RDWR | O_CREAT | O_NONBLOCK;
  flags |= rq->exclusive ? O_EXCL : O_TRUNC;
  int code = check_room(svc, err, errlen);
  if (code == PG_CODE_OK)
    code = open_path(svc, rq->path, flags, "create", &fd, err, errlen);
  if (code == PG_CODE_OK)
    code = check_regular(fd, rq->path, err, errlen);
  if (code == PG_CODE_OK)
    code = add_file(svc, who, fd, true, true, false, &s->handle.id, err,
                    errlen);
  if (code == PG_CODE_OK)
    ((file_v1_CreateResponse *)resp)->handle = &s->handle;
  return code;
}

/* Moves f to an explicit offset, when the request has one. */
static int seek_to(open_file *f, bool has_offset, uint64_t offset,
                   char *err, size_t errlen) {
  if (!has_offset)
    return PG_CODE_OK;
  if (f->append)
    return pg__fail(err, errlen, PG_CODE_INVALID_ARGUMENT,
                    "handle %llu is in APPEND mode: writes take no offset",
                    (unsigned long long)f->id);
  if (offset > (uint64_t)INT64_MAX ||
      lseek(f->fd, (off_t)offset, SEEK_SET) < 0)
    return pg__fail(err, errlen, PG_CODE_INVALID_ARGUMENT,
                    "bad offset %llu", (unsigned long long)offset);
  return PG_CODE_OK;
}

/* At most the bytes left before the end of the file (as it is now), so a
 * small read does not allocate the 1 MiB a call may return. */
static size_t cap_to_remaining(int fd, size_t want) {
  struct stat st;
  off_t pos = lseek(fd, 0, SEEK_CUR);
  if (pos < 0 || fstat(fd, &st) != 0)
    return want;
  if (pos >= st.st_size)
    return 0;
  if ((uint64_t)(st.st_size - pos) < want)
    return (size_t)(st.st_size - pos);
  return want;
}

/* After a full read: are there bytes left past the position? */
static bool at_eof(int fd) {
  struct stat st;
  off_t pos = lseek(fd, 0, SEEK_CUR);
  return fstat(fd, &st) != 0 || pos < 0 || pos >= st.st_size;
}

static int do_read(file_service *svc, const pg_caller *who, const void *req,
                   void *resp, scratch *s, char *err, size_t errlen) {
  const file_v1_ReadRequest *rq = req;
  file_v1_ReadResponse *out = resp;
  int code;
  (void)who;
  open_file *f = find_file(svc, rq->handle, err, errlen, &code);
  if (!f)
    return code;
  if (!f->can_read)
    return pg__fail(err, errlen, PG_CODE_INVALID_ARGUMENT,
                    "handle %llu is not open for reading",
                    (unsigned long long)f->id);
  if ((code = seek_to(f, rq->has_offset, rq->offset, err, errlen)))
    return code;
  size_t want = rq->max_bytes;
  if (want == 0 || want > READ_MAX_BYTES)
    want = READ_MAX_BYTES;
  want = cap_to_remaining(f->fd, want);
  uint8_t *data = s->data = malloc(want ? want : 1);
  if (!data)
    return pg__fail(err, errlen, PG_CODE_RESOURCE_EXHAUSTED, "out of memory");
  size_t got = 0;
  while (got < want) {
    ssize_t n = read(f->fd, data + got, want - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return pg__fail(err, errlen, errno_code(errno), "read handle %llu: %s",
                      (unsigned long long)f->id, strerror(errno));
    if (n == 0)
      break;
    got += (size_t)n;
  }
  out->data = (pg_bytes){got ? data : NULL, got};
  out->eof = got < want || at_eof(f->fd);
  return PG_CODE_OK;
}

static int do_write(file_service *svc, const pg_caller *who,
                    const void *req, void *resp, scratch *s, char *err,
                    size_t errlen) {
  const file_v1_WriteRequest *rq = req;
  int code;
  (void)who, (void)s;
  open_file *f = find_file(svc, rq->handle, err, errlen, &code);
  if (!f)
    return code;
  if (!f->can_write)
    return pg__fail(err, errlen, PG_CODE_INVALID_ARGUMENT,
                    "handle %llu is not open for writing",
                    (unsigned long long)f->id);
  if ((code = seek_to(f, rq->has_offset, rq->offset, err, errlen)))
    return code;
  size_t done = 0;
  while (done < rq->data.len) {
    ssize_t n = write(f->fd, rq->data.data + done, rq->data.len - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return pg__fail(err, errlen, errno_code(n < 0 ? errno : ENOSPC),
                      "write handle %llu: %s after %zu bytes",
                      (unsigned long long)f->id,
                      strerror(n < 0 ? errno : ENOSPC), done);
    done += (size_t)n;
  }
  ((file_v1_WriteResponse *)resp)->written = done;
  return PG_CODE_OK;
}

static int do_close(file_service *svc, const pg_caller *who,
                    const void *req, void *resp, scratch *s, char *err,
                    size_t errlen) {
  const file_v1_CloseRequest *rq = req;
  int code;
  (void)who, (void)resp, (void)s;
  open_file *f = find_file(svc, rq->handle, err, errlen, &code);
  if (!f)
    return code;
  remove_file(svc, f);
  return PG_CODE_OK;
}

/* The last component of the caller's path, for FileInfo.name. */
static pg_string last_name(pg_string path) {
  size_t end = path.len;
  while (end > 0 && path.data[end - 1] == '/')
    end--;
  size_t start = end;
  while (start > 0 && path.data[start - 1] != '/')
    start--;
  if (start == end)
    return pg_str(".");
  return (pg_string){path.data + start, end - start};
}

static void fill_info(file_v1_FileInfo *info, pg_string name,
                      const struct stat *st) {
  info->name = name;
  info->is_dir = S_ISDIR(st->st_mode);
  info->size = info->is_dir ? 0 : (uint64_t)st->st_size;
  info->modified_unix_nanos =
      (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

static int do_stat(file_service *svc, const pg_caller *who, const void *req,
                   void *resp, scratch *s, char *err, size_t errlen) {
  const file_v1_StatRequest *rq = req;
  (void)who;
  struct stat st;
  bool followed = true;
  walk w;
  int code = walk_begin(&w, svc, rq->path, err, errlen);
  if (code == PG_CODE_OK)
    code = walk_to_last(&w, err, errlen);
  while (code == PG_CODE_OK && followed) {
    if (fstatat(top(&w), w.last, &st, AT_SYMLINK_NOFOLLOW) != 0)
      code = path_errno("stat", rq->path, errno, err, errlen);
    else if (!S_ISLNK(st.st_mode))
      followed = false;
    else
      code = follow_last(&w, &followed, err, errlen);
  }
  walk_end(&w);
  if (code != PG_CODE_OK)
    return code;
  fill_info(&s->info, last_name(rq->path), &st);
  ((file_v1_StatResponse *)resp)->info = &s->info;
  return PG_CODE_OK;
}

static int by_name(const void *a, const void *b) {
  const file_v1_FileInfo *x = a, *y = b;
  return strcmp(x->name.data, y->name.data);
}

/* Reads every entry of the open directory d (consumed) into s. */
static int read_entries(DIR *d, pg_string path, file_v1_ListResponse *out,
                        scratch *s, char *err, size_t errlen) {
  size_t cap = 0;
  struct dirent *de;
  int code = PG_CODE_OK;
  file_v1_FileInfo *entries = NULL;
  while ((de = readdir(d)) != NULL) {
    struct stat st;
    if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
      continue;
    if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
      continue; /* removed since readdir saw it */
    if (s->nnames == cap) {
      cap = cap ? 2 * cap : 32;
      char **names = realloc(s->names, cap * sizeof *names);
      file_v1_FileInfo *grown = names ? realloc(entries, cap * sizeof *grown)
                                      : NULL;
      if (names)
        s->names = names;
      if (!grown) {
        code = path_errno("list", path, ENOMEM, err, errlen);
        break;
      }
      entries = s->data = grown;
    }
    char *name = strdup(de->d_name);
    if (!name) {
      code = path_errno("list", path, ENOMEM, err, errlen);
      break;
    }
    s->names[s->nnames] = name;
    fill_info(&entries[s->nnames++], pg_str(name), &st);
  }
  closedir(d);
  if (code != PG_CODE_OK)
    return code;
  if (s->nnames)
    qsort(entries, s->nnames, sizeof *entries, by_name);
  out->entries = entries;
  out->n_entries = s->nnames;
  return PG_CODE_OK;
}

static int do_list(file_service *svc, const pg_caller *who, const void *req,
                   void *resp, scratch *s, char *err, size_t errlen) {
  const file_v1_ListRequest *rq = req;
  (void)who;
  int fd;
  int code = open_path(svc, rq->path, O_RDONLY | O_DIRECTORY, "list", &fd,
                       err, errlen);
  if (code != PG_CODE_OK)
    return code;
  DIR *d = fdopendir(fd);
  if (!d) {
    int e = errno;
    close(fd);
    return path_errno("list", rq->path, e, err, errlen);
  }
  return read_entries(d, rq->path, resp, s, err, errlen);
}

static int do_delete(file_service *svc, const pg_caller *who,
                     const void *req, void *resp, scratch *s, char *err,
                     size_t errlen) {
  const file_v1_DeleteRequest *rq = req;
  walk w;
  (void)who, (void)resp, (void)s;
  int code = walk_begin(&w, svc, rq->path, err, errlen);
  if (code == PG_CODE_OK)
    code = walk_to_last(&w, err, errlen);
  if (code == PG_CODE_OK && strcmp(w.last, ".") == 0)
    code = pg__fail(err, errlen, PG_CODE_INVALID_ARGUMENT,
                    "delete: the path names a directory by \".\" or \"..\" "
                    "(or the root); name the entry instead");
  if (code == PG_CODE_OK && unlinkat(top(&w), w.last, 0) != 0) {
    int e = errno;
    if (e == EISDIR || e == EPERM) { /* a directory: only when empty */
      if (unlinkat(top(&w), w.last, AT_REMOVEDIR) == 0)
        e = 0;
      else if (errno != ENOTDIR)
        e = errno; /* why the directory could not go (ENOTEMPTY) */
    }
    if (e)
      code = path_errno("delete", rq->path, e, err, errlen);
  }
  walk_end(&w);
  return code;
}

/* ------------------------------------------------------------------------
 * Dispatch
 */

typedef struct method_entry {
  const char *name; /* as in file_v1_FileService_desc */
  method_fn fn;
} method_entry;

static const method_entry methods[] = {
    {"Open", do_open},   {"Create", do_create}, {"Read", do_read},
    {"Write", do_write}, {"Close", do_close},   {"Stat", do_stat},
    {"List", do_list},   {"Delete", do_delete},
};

/* Decoded requests and their responses live in these unions, whichever
 * method is called. */
typedef union any_request {
  file_v1_OpenRequest open;
  file_v1_CreateRequest create;
  file_v1_ReadRequest read;
  file_v1_WriteRequest write;
  file_v1_CloseRequest close;
  file_v1_StatRequest stat;
  file_v1_ListRequest list;
  file_v1_DeleteRequest del;
} any_request;

typedef union any_response {
  file_v1_OpenResponse open;
  file_v1_CreateResponse create;
  file_v1_ReadResponse read;
  file_v1_WriteResponse write;
  file_v1_CloseResponse close;
  file_v1_StatResponse stat;
  file_v1_ListResponse list;
  file_v1_DeleteResponse del;
} any_response;

static const pg_method_desc *find_method(const char *method, method_fn *fn) {
  const pg_service_desc *desc = &file_v1_FileService_desc;
  for (size_t i = 0; i < desc->n_methods; i++) {
    if (!pg_method_is(desc, i, method))
      continue;
    for (size_t j = 0; j < sizeof methods / sizeof methods[0]; j++)
      if (strcmp(methods[j].name, desc->methods[i].name) == 0) {
        *fn = methods[j].fn;
        return &desc->methods[i];
      }
  }
  return NULL;
}

static void scratch_free(scratch *s) {
  for (size_t i = 0; i < s->nnames; i++)
    free(s->names[i]);
  free(s->names);
  free(s->data);
}

static int handle_file(pg_host_service *svc, const pg_caller *caller,
                       const char *method, const uint8_t *req, size_t req_len,
                       uint8_t **reply, size_t *reply_len, char *err,
                       size_t errlen) {
  file_service *self = (file_service *)svc;
  method_fn fn = NULL;
  pg__request_arena ra;
  any_request rq;
  any_response resp;
  scratch s;
  *reply = NULL;
  *reply_len = 0;
  const pg_method_desc *m = find_method(method, &fn);
  if (!m)
    return pg__fail(err, errlen, PG_CODE_UNIMPLEMENTED,
                    "file.v1.FileService has no method \"%s\"",
                    method ? method : "");
  memset(&resp, 0, sizeof resp);
  memset(&s, 0, sizeof s);
  int code = pg__request_decode(m->request, &rq, req, req_len, &ra, err,
                                errlen);
  if (code == PG_CODE_OK)
    code = fn(self, caller, &rq, &resp, &s, err, errlen);
  if (code == PG_CODE_OK)
    code = pg__reply_encode(m->response, &resp, reply, reply_len, err,
                            errlen);
  scratch_free(&s);
  pg__request_arena_free(&ra);
  return code;
}

/* Closes the handles `caller`'s program replica opened. */
static void release_caller(pg_host_service *svc, const pg_caller *caller) {
  file_service *self = (file_service *)svc;
  const char *program = caller && caller->program ? caller->program : "";
  int replica = caller ? caller->replica : -1;
  for (size_t i = 0; i < self->nfiles;) {
    open_file *f = &self->files[i];
    if (f->owner_replica == replica && strcmp(f->owner, program) == 0)
      remove_file(self, f);
    else
      i++;
  }
}

static void free_file_service(pg_host_service *svc) {
  file_service *self = (file_service *)svc;
  if (!self)
    return;
  for (size_t i = 0; i < self->nfiles; i++) {
    close(self->files[i].fd);
    free(self->files[i].owner);
  }
  free(self->files);
  if (self->root_fd >= 0)
    close(self->root_fd);
  free(self->root);
  free(self);
}

int pg_file_service_new(pg_host_service **out, const char *root, char *err,
                        size_t errlen) {
  file_service *self = calloc(1, sizeof *self);
  if (!self) {
    pg__fail(err, errlen, 0, "out of memory");
    return -1;
  }
  self->root_fd = -1;
  self->next_id = 1;
  self->root = strdup(root ? root : "");
  if (!self->root) {
    pg__fail(err, errlen, 0, "out of memory");
    goto fail;
  }
  self->root_fd = open(self->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (self->root_fd < 0) {
    pg__fail(err, errlen, 0, "root directory \"%s\": %s",
             self->root, strerror(errno));
    goto fail;
  }
  self->base.name = file_v1_FileService_NAME;
  self->base.self = self;
  self->base.handle = handle_file;
  self->base.free = free_file_service;
  self->base.release = release_caller;
  *out = &self->base;
  return 0;
fail:
  free_file_service(&self->base);
  return -1;
}
