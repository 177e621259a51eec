/*
 * test_file_service.c: unit tests of file.v1.FileService
 * (src/services/file_service.c) through its pg_host_service interface,
 * with requests and replies encoded and decoded by the generated C.
 *
 * Layout made in a fresh temp dir (removed at the end):
 *   T/root/              the service's root
 *   T/outside/secret     must never be read, changed or joined by anything
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file/v1/file.pg.h"
#include "pg_test.h"
#include "services/service.h"

static char tmp_dir[256];
static char root_dir[300];
static char outside_dir[300];
static pg_host_service *svc;
static char msg[512];
static uint8_t arena_mem[1 << 21];
static pg_arena arena;
static pg_caller caller = {"main", 0}; /* who the next call comes from */

/* One call: encodes *req as req_type, decodes the reply into *resp. */
static int call(const char *method, const pg_message_type *req_type,
                const void *req, const pg_message_type *resp_type,
                void *resp) {
  const uint8_t *bytes = NULL;
  size_t len = 0, reply_len = 0;
  uint8_t *reply = NULL;
  pg_arena_reset(&arena);
  if (pg_message_encode_arena(req_type, req, &arena, &bytes, &len) !=
      PG_WIRE_OK)
    return -1;
  msg[0] = 0;
  int code = svc->handle(svc, &caller, method, bytes, len, &reply,
                         &reply_len, msg, sizeof msg);
  if (code == PG_CODE_OK && resp_type->decode(resp, reply, reply_len, &arena,
                                              NULL) != PG_WIRE_OK)
    code = -2;
  free(reply);
  return code;
}

/* ------------------------------------------------------------------------
 * One helper per method
 */

static int do_create(const char *path, bool exclusive, uint64_t *id) {
  file_v1_CreateRequest rq = {pg_str(path), exclusive};
  file_v1_CreateResponse resp = {0};
  int code = call("Create", &file_v1_CreateRequest_type, &rq,
                  &file_v1_CreateResponse_type, &resp);
  if (code == PG_CODE_OK)
    *id = resp.handle ? resp.handle->id : 0;
  return code;
}

static int do_open(pg_string path, file_v1_OpenMode mode, uint64_t *id) {
  file_v1_OpenRequest rq = {path, mode};
  file_v1_OpenResponse resp = {0};
  int code = call("/file.v1.FileService/Open", &file_v1_OpenRequest_type,
                  &rq, &file_v1_OpenResponse_type, &resp);
  if (code == PG_CODE_OK && id)
    *id = resp.handle ? resp.handle->id : 0;
  return code;
}

static int do_write(uint64_t id, const char *data, int64_t offset,
                    uint64_t *written) {
  file_v1_Handle h = {id};
  file_v1_WriteRequest rq = {&h, {(const uint8_t *)data, strlen(data)},
                             offset >= 0, offset >= 0 ? (uint64_t)offset : 0};
  file_v1_WriteResponse resp = {0};
  int code = call("Write", &file_v1_WriteRequest_type, &rq,
                  &file_v1_WriteResponse_type, &resp);
  if (written)
    *written = resp.written;
  return code;
}

/* Reads into out (NUL-terminated) and sets *eof. */
static int do_read(uint64_t id, uint32_t max, int64_t offset, char *out,
                   bool *eof) {
  file_v1_Handle h = {id};
  file_v1_ReadRequest rq = {&h, max, offset >= 0,
                            offset >= 0 ? (uint64_t)offset : 0};
  file_v1_ReadResponse resp = {0};
  int code = call("Read", &file_v1_ReadRequest_type, &rq,
                  &file_v1_ReadResponse_type, &resp);
  out[0] = 0;
  if (code == PG_CODE_OK) {
    memcpy(out, resp.data.data ? (const char *)resp.data.data : "",
           resp.data.len);
    out[resp.data.len] = 0;
    *eof = resp.eof;
  }
  return code;
}

static int do_close(uint64_t id) {
  file_v1_Handle h = {id};
  file_v1_CloseRequest rq = {&h};
  file_v1_CloseResponse resp;
  return call("Close", &file_v1_CloseRequest_type, &rq,
              &file_v1_CloseResponse_type, &resp);
}

static int do_stat(pg_string path, file_v1_FileInfo *info) {
  file_v1_StatRequest rq = {path};
  file_v1_StatResponse resp = {0};
  int code = call("Stat", &file_v1_StatRequest_type, &rq,
                  &file_v1_StatResponse_type, &resp);
  if (code == PG_CODE_OK && info)
    *info = *resp.info;
  return code;
}

static int do_list(pg_string path, file_v1_ListResponse *out) {
  file_v1_ListRequest rq = {path};
  return call("List", &file_v1_ListRequest_type, &rq,
              &file_v1_ListResponse_type, out);
}

static int do_delete(pg_string path) {
  file_v1_DeleteRequest rq = {path};
  file_v1_DeleteResponse resp;
  return call("Delete", &file_v1_DeleteRequest_type, &rq,
              &file_v1_DeleteResponse_type, &resp);
}

/* ------------------------------------------------------------------------
 * Fixture
 */

static void write_host_file(const char *dir, const char *name,
                            const char *text) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  if (f) {
    fputs(text, f);
    fclose(f);
  }
}

static char *read_host_file(const char *dir, const char *name) {
  static char text[4096];
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "r");
  if (!f)
    return NULL;
  size_t n = fread(text, 1, sizeof text - 1, f);
  text[n] = 0;
  fclose(f);
  return text;
}

static size_t count_entries(const char *dir) {
  DIR *d = opendir(dir);
  size_t n = 0;
  if (!d)
    return 0;
  for (struct dirent *de; (de = readdir(d));)
    n += de->d_name[0] != '.';
  closedir(d);
  return n;
}

/* A fresh T/root and T/outside and a service on T/root. */
static int setup(void) {
  strcpy(tmp_dir, "/tmp/pg-file-test-XXXXXX");
  if (!mkdtemp(tmp_dir))
    return -1;
  snprintf(root_dir, sizeof root_dir, "%s/root", tmp_dir);
  snprintf(outside_dir, sizeof outside_dir, "%s/outside", tmp_dir);
  if (mkdir(root_dir, 0755) || mkdir(outside_dir, 0755))
    return -1;
  write_host_file(outside_dir, "secret", "top secret");
  pg_arena_init(&arena, arena_mem, sizeof arena_mem);
  char err[256];
  return pg_file_service_new(&svc, root_dir, err, sizeof err);
}

static void remove_tree(const char *path) {
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
  if (system(cmd) != 0)
    fprintf(stderr, "could not remove %s\n", path);
}

static void teardown(void) {
  if (svc)
    svc->free(svc);
  svc = NULL;
  if (tmp_dir[0])
    remove_tree(tmp_dir);
}

/* ------------------------------------------------------------------------
 * Tests
 */

static void test_round_trip(void) {
  uint64_t id = 0, written = 0;
  char out[64];
  bool eof = false;
  ASSERT_EQ(do_create("a.txt", false, &id), PG_CODE_OK);
  ASSERT_TRUE(id > 0);
  ASSERT_EQ(do_write(id, "hello world", -1, &written), PG_CODE_OK);
  ASSERT_EQ(written, 11);
  ASSERT_EQ(do_read(id, 5, 0, out, &eof), PG_CODE_OK);
  ASSERT_STR_EQ(out, "hello");
  ASSERT_EQ(eof, false);
  ASSERT_EQ(do_read(id, 100, -1, out, &eof), PG_CODE_OK); /* from pos 5 */
  ASSERT_STR_EQ(out, " world");
  ASSERT_EQ(eof, true);
  ASSERT_EQ(do_read(id, 100, -1, out, &eof), PG_CODE_OK);
  ASSERT_STR_EQ(out, "");
  ASSERT_EQ(eof, true);
  ASSERT_EQ(do_read(id, 5, 6, out, &eof), PG_CODE_OK); /* exactly the end */
  ASSERT_STR_EQ(out, "world");
  ASSERT_EQ(eof, true);
  ASSERT_EQ(do_read(id, 0, 100, out, &eof), PG_CODE_OK); /* past the end */
  ASSERT_STR_EQ(out, "");
  ASSERT_EQ(eof, true);
  ASSERT_EQ(do_write(id, "W", 0, NULL), PG_CODE_OK);
  ASSERT_EQ(do_read(id, 0, -1, out, &eof), PG_CODE_OK); /* max 0 = all */
  ASSERT_STR_EQ(out, "ello world");
  ASSERT_EQ(do_close(id), PG_CODE_OK);
  ASSERT_STR_EQ(read_host_file(root_dir, "a.txt"), "Wello world");

  file_v1_FileInfo info = {0};
  ASSERT_EQ(do_stat(pg_str("a.txt"), &info), PG_CODE_OK);
  ASSERT_STR_EQ(info.name.data, "a.txt");
  ASSERT_EQ(info.size, 11);
  ASSERT_EQ(info.is_dir, false);
  ASSERT_TRUE(info.modified_unix_nanos > 1600000000ll * 1000000000ll);

  char sub[400];
  snprintf(sub, sizeof sub, "%s/sub", root_dir);
  ASSERT_EQ(mkdir(sub, 0755), 0);
  ASSERT_EQ(do_create("sub/inner.txt", true, &id), PG_CODE_OK);
  ASSERT_EQ(do_close(id), PG_CODE_OK);
  ASSERT_EQ(do_create("B", true, &id), PG_CODE_OK);
  ASSERT_EQ(do_close(id), PG_CODE_OK);
  file_v1_ListResponse list = {0};
  ASSERT_EQ(do_list(pg_str(""), &list), PG_CODE_OK);
  ASSERT_EQ(list.n_entries, 3);
  ASSERT_STR_EQ(list.entries[0].name.data, "B"); /* byte order */
  ASSERT_STR_EQ(list.entries[1].name.data, "a.txt");
  ASSERT_EQ(list.entries[1].size, 11);
  ASSERT_STR_EQ(list.entries[2].name.data, "sub");
  ASSERT_EQ(list.entries[2].is_dir, true);
  ASSERT_EQ(do_list(pg_str("./sub/"), &list), PG_CODE_OK);
  ASSERT_EQ(list.n_entries, 1);
  ASSERT_STR_EQ(list.entries[0].name.data, "inner.txt");
  ASSERT_EQ(do_stat(pg_str("sub/"), &info), PG_CODE_OK);
  ASSERT_STR_EQ(info.name.data, "sub");
  ASSERT_EQ(info.is_dir, true);
  ASSERT_EQ(do_stat(pg_str(""), &info), PG_CODE_OK);
  ASSERT_STR_EQ(info.name.data, ".");

  ASSERT_EQ(do_delete(pg_str("a.txt")), PG_CODE_OK);
  ASSERT_EQ(do_stat(pg_str("a.txt"), NULL), PG_CODE_NOT_FOUND);
  ASSERT_STR_EQ(msg, "stat \"a.txt\": No such file or directory");
  ASSERT_EQ(do_delete(pg_str("a.txt")), PG_CODE_NOT_FOUND);
  ASSERT_EQ(do_delete(pg_str("sub")), PG_CODE_FAILED_PRECONDITION);
  ASSERT_STR_CONTAINS(msg, "not empty");
  ASSERT_EQ(do_delete(pg_str("sub/inner.txt")), PG_CODE_OK);
  ASSERT_EQ(do_delete(pg_str("sub")), PG_CODE_OK);
  ASSERT_EQ(do_delete(pg_str("")), PG_CODE_INVALID_ARGUMENT);
  ASSERT_EQ(do_delete(pg_str("B")), PG_CODE_OK);
  ASSERT_EQ(count_entries(root_dir), 0);
}

static void test_modes(void) {
  uint64_t id = 0, w = 0;
  char out[64];
  bool eof;
  write_host_file(root_dir, "m", "0123456789");
  ASSERT_EQ(do_open(pg_str("m"), file_v1_OpenMode_OPEN_MODE_WRITE, &id),
            PG_CODE_OK);
  ASSERT_EQ(do_write(id, "ab", -1, &w), PG_CODE_OK); /* at 0, no truncate */
  ASSERT_EQ(do_read(id, 10, 0, out, &eof), PG_CODE_INVALID_ARGUMENT);
  ASSERT_STR_CONTAINS(msg, "not open for reading");
  ASSERT_EQ(do_close(id), PG_CODE_OK);
  ASSERT_STR_EQ(read_host_file(root_dir, "m"), "ab23456789");

  ASSERT_EQ(do_open(pg_str("m"), file_v1_OpenMode_OPEN_MODE_APPEND, &id),
            PG_CODE_OK);
  ASSERT_EQ(do_write(id, "X", 0, &w), PG_CODE_INVALID_ARGUMENT);
  ASSERT_EQ(do_write(id, "X", -1, &w), PG_CODE_OK);
  ASSERT_EQ(do_close(id), PG_CODE_OK);
  ASSERT_STR_EQ(read_host_file(root_dir, "m"), "ab23456789X");

  ASSERT_EQ(do_open(pg_str("m"), file_v1_OpenMode_OPEN_MODE_UNSPECIFIED,
                    &id),
            PG_CODE_OK); /* READ */
  ASSERT_EQ(do_write(id, "no", -1, &w), PG_CODE_INVALID_ARGUMENT);
  ASSERT_STR_CONTAINS(msg, "not open for writing");
  ASSERT_EQ(do_read(id, 4, 7, out, &eof), PG_CODE_OK);
  ASSERT_STR_EQ(out, "789X");
  ASSERT_EQ(eof, true);
  ASSERT_EQ(do_close(id), PG_CODE_OK);

  ASSERT_EQ(do_open(pg_str("m"), file_v1_OpenMode_OPEN_MODE_READ_WRITE, &id),
            PG_CODE_OK);
  ASSERT_EQ(do_write(id, "Z", 10, &w), PG_CODE_OK);
  ASSERT_EQ(do_read(id, 4, -1, out, &eof), PG_CODE_OK); /* after the Z */
  ASSERT_STR_EQ(out, "");
  ASSERT_EQ(do_close(id), PG_CODE_OK);
  ASSERT_STR_EQ(read_host_file(root_dir, "m"), "ab23456789Z");

  ASSERT_EQ(do_open(pg_str("m"), (file_v1_OpenMode)9, &id),
            PG_CODE_INVALID_ARGUMENT);
  ASSERT_EQ(do_open(pg_str("none"), file_v1_OpenMode_OPEN_MODE_READ, &id),
            PG_CODE_NOT_FOUND);
  ASSERT_STR_EQ(msg, "open \"none\": No such file or directory");
  ASSERT_EQ(do_create("m", true, &id), PG_CODE_ALREADY_EXISTS);
  ASSERT_STR_EQ(read_host_file(root_dir, "m"), "ab23456789Z");
  ASSERT_EQ(do_create("m", false, &id), PG_CODE_OK); /* truncates */
  ASSERT_EQ(do_close(id), PG_CODE_OK);
  ASSERT_STR_EQ(read_host_file(root_dir, "m"), "");
  ASSERT_EQ(do_create("nodir/f", false, &id), PG_CODE_NOT_FOUND);
  ASSERT_EQ(do_create("m/f", false, &id), PG_CODE_FAILED_PRECONDITION);

  char d[400];
  snprintf(d, sizeof d, "%s/dir", root_dir);
  ASSERT_EQ(mkdir(d, 0755), 0);
  ASSERT_EQ(do_open(pg_str("dir"), file_v1_OpenMode_OPEN_MODE_READ, &id),
            PG_CODE_FAILED_PRECONDITION);
  ASSERT_EQ(do_list(pg_str("m"), &(file_v1_ListResponse){0}),
            PG_CODE_FAILED_PRECONDITION);
  snprintf(d, sizeof d, "%s/fifo", root_dir);
  ASSERT_EQ(mkfifo(d, 0644), 0); /* must not block the loop */
  ASSERT_EQ(do_open(pg_str("fifo"), file_v1_OpenMode_OPEN_MODE_READ, &id),
            PG_CODE_FAILED_PRECONDITION);
  ASSERT_STR_EQ(msg, "open \"fifo\": not a regular file");
}

/* Every method on `path` is refused with PERMISSION_DENIED, naming it. */
static void expect_denied(pg_string path, const char *shown) {
  uint64_t id = 0;
  file_v1_ListResponse list;
  char what[600];
  snprintf(what, sizeof what, "path %s", shown);
  ASSERT_EQ(do_open(path, file_v1_OpenMode_OPEN_MODE_READ_WRITE, &id),
            PG_CODE_PERMISSION_DENIED);
  ASSERT_STR_CONTAINS(msg, what);
  file_v1_CreateRequest create = {path, false};
  file_v1_CreateResponse created = {0};
  ASSERT_EQ(call("Create", &file_v1_CreateRequest_type, &create,
                 &file_v1_CreateResponse_type, &created),
            PG_CODE_PERMISSION_DENIED);
  ASSERT_STR_CONTAINS(msg, what);
  ASSERT_EQ(do_stat(path, NULL), PG_CODE_PERMISSION_DENIED);
  ASSERT_STR_CONTAINS(msg, what);
  ASSERT_EQ(do_list(path, &list), PG_CODE_PERMISSION_DENIED);
  ASSERT_EQ(do_delete(path), PG_CODE_PERMISSION_DENIED);
}

static void link_in_root(const char *target, const char *name) {
  char path[400];
  snprintf(path, sizeof path, "%s/%s", root_dir, name);
  if (symlink(target, path) != 0)
    perror("symlink");
}

static void test_confinement(void) {
  char abs_secret[400];
  snprintf(abs_secret, sizeof abs_secret, "%s/secret", outside_dir);
  char sub[400];
  snprintf(sub, sizeof sub, "%s/a", root_dir);
  ASSERT_EQ(mkdir(sub, 0755), 0);
  link_in_root("../outside/secret", "rel_file");
  link_in_root(abs_secret, "abs_file");
  link_in_root("../outside", "rel_dir");
  link_in_root(outside_dir, "abs_dir");
  link_in_root("../../outside", "a/up2");

  expect_denied(pg_str("../x"), "\"../x\"");
  expect_denied(pg_str("../outside/secret"), "\"../outside/secret\"");
  expect_denied(pg_str("/etc/passwd"), "\"/etc/passwd\"");
  char quoted[420];
  snprintf(quoted, sizeof quoted, "\"%s\"", abs_secret);
  expect_denied(pg_str(abs_secret), quoted);
  expect_denied(pg_str("a/../../x"), "\"a/../../x\"");
  expect_denied(pg_str(".."), "\"..\"");
  expect_denied(pg_str("rel_dir/secret"), "\"rel_dir/secret\"");
  expect_denied(pg_str("abs_dir/secret"), "\"abs_dir/secret\"");
  expect_denied(pg_str("rel_dir/new"), "\"rel_dir/new\"");
  expect_denied(pg_str("a/up2/secret"), "\"a/up2/secret\"");
  expect_denied((pg_string){"a\0b", 3}, "\"a\\x00b\"");

  /* Links to a file outside: refused to open, create and stat through. */
  uint64_t id;
  ASSERT_EQ(do_open(pg_str("rel_file"), file_v1_OpenMode_OPEN_MODE_READ, &id),
            PG_CODE_PERMISSION_DENIED);
  ASSERT_STR_EQ(msg, "permission denied: path \"rel_file\" leaves the root "
                     "directory");
  ASSERT_EQ(do_open(pg_str("abs_file"), file_v1_OpenMode_OPEN_MODE_WRITE, &id),
            PG_CODE_PERMISSION_DENIED);
  ASSERT_STR_EQ(msg, "permission denied: path \"abs_file\" goes through a "
                     "symlink to an absolute path");
  ASSERT_EQ(do_create("rel_file", false, &id), PG_CODE_PERMISSION_DENIED);
  ASSERT_EQ(do_stat(pg_str("abs_file"), NULL), PG_CODE_PERMISSION_DENIED);
  ASSERT_EQ(do_list(pg_str("rel_dir"), &(file_v1_ListResponse){0}),
            PG_CODE_PERMISSION_DENIED);

  /* Listing shows the links themselves, without following them. */
  file_v1_ListResponse list = {0};
  ASSERT_EQ(do_list(pg_str(""), &list), PG_CODE_OK);
  ASSERT_EQ(list.n_entries, 5);
  ASSERT_STR_EQ(list.entries[1].name.data, "abs_dir");
  ASSERT_EQ(list.entries[1].is_dir, false);

  /* Deleting a link removes the link, never its target. */
  ASSERT_EQ(do_delete(pg_str("rel_file")), PG_CODE_OK);

  /* Nothing outside changed. */
  ASSERT_STR_EQ(read_host_file(outside_dir, "secret"), "top secret");
  ASSERT_EQ(count_entries(outside_dir), 1);
  ASSERT_EQ(count_entries(tmp_dir), 2);
}

static void test_symlinks_inside(void) {
  uint64_t id = 0;
  char out[64];
  bool eof;
  char d[400];
  snprintf(d, sizeof d, "%s/s", root_dir);
  ASSERT_EQ(mkdir(d, 0755), 0);
  write_host_file(root_dir, "s/data", "inside");
  write_host_file(root_dir, "top", "top file");
  link_in_root("s/data", "to_data");
  link_in_root("../top", "s/to_top");
  link_in_root("s", "to_s");
  link_in_root("to_s/../to_data", "chain");
  link_in_root("loop", "loop");
  link_in_root("s/new", "dangling");

  ASSERT_EQ(do_open(pg_str("to_data"), file_v1_OpenMode_OPEN_MODE_READ, &id),
            PG_CODE_OK);
  ASSERT_EQ(do_read(id, 64, -1, out, &eof), PG_CODE_OK);
  ASSERT_STR_EQ(out, "inside");
  ASSERT_EQ(do_close(id), PG_CODE_OK);
  ASSERT_EQ(do_open(pg_str("to_s/to_top"), file_v1_OpenMode_OPEN_MODE_READ,
                    &id),
            PG_CODE_OK);
  ASSERT_EQ(do_read(id, 64, -1, out, &eof), PG_CODE_OK);
  ASSERT_STR_EQ(out, "top file");
  ASSERT_EQ(do_close(id), PG_CODE_OK);
  ASSERT_EQ(do_open(pg_str("chain"), file_v1_OpenMode_OPEN_MODE_READ, &id),
            PG_CODE_OK);
  ASSERT_EQ(do_read(id, 64, -1, out, &eof), PG_CODE_OK);
  ASSERT_STR_EQ(out, "inside");
  ASSERT_EQ(do_close(id), PG_CODE_OK);
  file_v1_FileInfo info;
  ASSERT_EQ(do_stat(pg_str("to_data"), &info), PG_CODE_OK);
  ASSERT_STR_EQ(info.name.data, "to_data");
  ASSERT_EQ(info.size, 6);
  ASSERT_EQ(do_stat(pg_str("s/../top"), &info), PG_CODE_OK);
  ASSERT_EQ(info.size, 8);
  ASSERT_EQ(do_open(pg_str("loop"), file_v1_OpenMode_OPEN_MODE_READ, &id),
            PG_CODE_FAILED_PRECONDITION);
  /* Creating through a dangling link that stays inside creates its target */
  ASSERT_EQ(do_create("dangling", false, &id), PG_CODE_OK);
  ASSERT_EQ(do_close(id), PG_CODE_OK);
  ASSERT_STR_EQ(read_host_file(root_dir, "s/new"), "");
  file_v1_ListResponse list = {0};
  ASSERT_EQ(do_list(pg_str("to_s"), &list), PG_CODE_OK);
  ASSERT_EQ(list.n_entries, 3); /* data, new, to_top */
}

static void test_handles(void) {
  uint64_t a = 0, b = 0, w;
  char out[8];
  bool eof;
  ASSERT_EQ(do_create("h", false, &a), PG_CODE_OK);
  ASSERT_EQ(do_close(a), PG_CODE_OK);
  ASSERT_EQ(do_create("h", false, &b), PG_CODE_OK);
  ASSERT_TRUE(b > a); /* ids are never reused */
  ASSERT_EQ(do_close(a), PG_CODE_INVALID_ARGUMENT);
  ASSERT_STR_CONTAINS(msg, "unknown file handle");
  ASSERT_EQ(do_read(999999, 1, -1, out, &eof), PG_CODE_INVALID_ARGUMENT);
  ASSERT_STR_EQ(msg, "unknown file handle 999999");
  ASSERT_EQ(do_write(0, "x", -1, &w), PG_CODE_INVALID_ARGUMENT);
  file_v1_ReadRequest no_handle = {NULL, 1, false, 0};
  file_v1_ReadResponse resp;
  ASSERT_EQ(call("Read", &file_v1_ReadRequest_type, &no_handle,
                 &file_v1_ReadResponse_type, &resp),
            PG_CODE_INVALID_ARGUMENT);
  ASSERT_STR_EQ(msg, "the request has no handle");
  ASSERT_EQ(do_close(b), PG_CODE_OK);
}

/* Handles are shared by the app, and closed when their opener ends. */
static void test_release(void) {
  uint64_t a = 0, b = 0, c = 0;
  char out[8];
  bool eof;
  caller = (pg_caller){"store", 1};
  ASSERT_EQ(do_create("f", false, &a), PG_CODE_OK);
  ASSERT_EQ(do_open(pg_str("f"), file_v1_OpenMode_OPEN_MODE_READ, &b),
            PG_CODE_OK);
  caller = (pg_caller){"store", 0};
  ASSERT_EQ(do_open(pg_str("f"), file_v1_OpenMode_OPEN_MODE_READ, &c),
            PG_CODE_OK);
  caller = (pg_caller){"main", 0};
  ASSERT_EQ(do_read(a, 1, -1, out, &eof), PG_CODE_OK); /* another's handle */
  ASSERT_TRUE(svc->release != NULL);
  pg_caller ended = {"store", 1};
  svc->release(svc, &ended);
  ASSERT_EQ(do_read(a, 1, -1, out, &eof), PG_CODE_INVALID_ARGUMENT);
  ASSERT_EQ(do_read(b, 1, -1, out, &eof), PG_CODE_INVALID_ARGUMENT);
  ASSERT_EQ(do_read(c, 1, -1, out, &eof), PG_CODE_OK); /* replica 0's */
  ASSERT_EQ(do_close(c), PG_CODE_OK);
}

static void test_open_file_limit(void) {
  struct rlimit rl;
  uint64_t id = 0, first = 0;
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < 1100) {
    rl.rlim_cur = rl.rlim_max < 1100 ? rl.rlim_max : 1100;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  if (rl.rlim_cur < 1100) {
    printf("  (skipped: RLIMIT_NOFILE %llu)\n",
           (unsigned long long)rl.rlim_cur);
    return;
  }
  ASSERT_EQ(do_create("many", false, &first), PG_CODE_OK);
  for (int i = 1; i < 1024; i++)
    ASSERT_EQ(do_open(pg_str("many"), file_v1_OpenMode_OPEN_MODE_READ, &id),
              PG_CODE_OK);
  ASSERT_EQ(do_open(pg_str("many"), file_v1_OpenMode_OPEN_MODE_READ, &id),
            PG_CODE_RESOURCE_EXHAUSTED);
  ASSERT_STR_EQ(msg, "1024 files are open; close one first");
  ASSERT_EQ(do_close(first + 500), PG_CODE_OK);
  ASSERT_EQ(do_open(pg_str("many"), file_v1_OpenMode_OPEN_MODE_READ, &id),
            PG_CODE_OK);
  ASSERT_EQ(id, first + 1024);
}

static void test_bad_requests(void) {
  uint8_t *reply = NULL;
  size_t reply_len = 0;
  const uint8_t junk[] = {0x0a, 0x10, 'x'}; /* path: 16 bytes, has 1 */
  ASSERT_EQ(svc->handle(svc, &caller, "Open", junk, sizeof junk, &reply,
                        &reply_len, msg, sizeof msg),
            PG_CODE_INVALID_ARGUMENT);
  ASSERT_STR_EQ(msg, "file.v1.OpenRequest does not decode: length runs past "
                     "the end of its message at byte 1");
  ASSERT_TRUE(reply == NULL);
  const uint8_t bad_wire[] = {0x0b}; /* field 1, wire type 3 */
  ASSERT_EQ(svc->handle(svc, &caller, "/file.v1.FileService/Read", bad_wire,
                        1, &reply, &reply_len, msg, sizeof msg),
            PG_CODE_INVALID_ARGUMENT);
  ASSERT_EQ(svc->handle(svc, &caller, "Rename", NULL, 0, &reply, &reply_len,
                        msg, sizeof msg),
            PG_CODE_UNIMPLEMENTED);
  ASSERT_STR_EQ(msg, "file.v1.FileService has no method \"Rename\"");
  ASSERT_EQ(svc->handle(svc, &caller, "/log.v1.LogService/Open", NULL, 0,
                        &reply, &reply_len, msg, sizeof msg),
            PG_CODE_UNIMPLEMENTED);
  char long_path[5000];
  memset(long_path, 'a', sizeof long_path - 1);
  long_path[sizeof long_path - 1] = 0;
  ASSERT_EQ(do_stat(pg_str(long_path), NULL), PG_CODE_INVALID_ARGUMENT);
}

static void test_bad_root(void) {
  pg_host_service *other = NULL;
  char err[256] = "";
  ASSERT_EQ(pg_file_service_new(&other, "/nonexistent/pg-root", err,
                                sizeof err),
            -1);
  ASSERT_STR_EQ(err, "root directory \"/nonexistent/pg-root\": No such file "
                     "or directory");
  ASSERT_EQ(pg_file_service_new(&other, "/etc/passwd", err, sizeof err), -1);
  ASSERT_STR_CONTAINS(err, "Not a directory");
}

/* Each test gets a fresh tree and service. */
#define RUN_FRESH(fn)                                                         \
  do {                                                                        \
    if (setup() != 0) {                                                       \
      fprintf(stderr, "setup failed: %s\n", strerror(errno));                 \
      teardown();                                                             \
      return 1;                                                               \
    }                                                                         \
    PG_RUN(fn);                                                               \
    teardown();                                                               \
  } while (0)

int main(void) {
  RUN_FRESH(test_round_trip);
  RUN_FRESH(test_modes);
  RUN_FRESH(test_confinement);
  RUN_FRESH(test_symlinks_inside);
  RUN_FRESH(test_handles);
  RUN_FRESH(test_release);
  RUN_FRESH(test_open_file_limit);
  RUN_FRESH(test_bad_requests);
  PG_RUN(test_bad_root);
  return PG_DONE();
}
