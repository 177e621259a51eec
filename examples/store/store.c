/*
 * store.c: the `store` program of the store example — exports
 * demo.vvv.StoreService (demo/vvv/store.proto) and keeps every item as one
 * file, KEY.item, through the built-in file.v1.FileService, so the data
 * lives in the directory app.yaml gives that service. Every change is also
 * reported on the unified log through log.v1.LogService.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo/vvv/store.pg.h"
#include "file/v1/file.pg.h"
#include "parigot/log.h"
#include "parigot/parigot.h"

#define ITEM_SUFFIX ".item"
#define MAX_KEY 128
#define READ_CHUNK (64u * 1024u)

typedef struct store {
  pg_client files; /* file.v1.FileService */
  pg_client log;   /* log.v1.LogService */
} store;

/* Keys become file names, so only a safe alphabet is allowed. */
static bool key_ok(pg_string key) {
  if (key.len == 0 || key.len > MAX_KEY)
    return false;
  for (size_t i = 0; i < key.len; i++) {
    char c = key.data[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok)
      return false;
  }
  return true;
}

/* KEY.item, in the arena (NULL when it is full). */
static const char *item_path(pg_string key, pg_arena *arena);

/* The file of a valid key, or NULL with *code and *errmsg set. */
static const char *checked_path(pg_string key, pg_arena *arena, int *code,
                                const char **errmsg) {
  const char *path = NULL;
  if (!key_ok(key)) {
    *errmsg = "keys are 1 to 128 characters of A-Z a-z 0-9 _ -";
    *code = PG_CODE_INVALID_ARGUMENT;
  } else if (!(path = item_path(key, arena))) {
    *errmsg = "out of arena space";
    *code = PG_CODE_RESOURCE_EXHAUSTED;
  }
  return path;
}

static const char *item_path(pg_string key, pg_arena *arena) {
  char *path = pg_arena_alloc(arena, key.len + sizeof ITEM_SUFFIX, 1);
  if (path) {
    memcpy(path, key.data, key.len);
    memcpy(path + key.len, ITEM_SUFFIX, sizeof ITEM_SUFFIX);
  }
  return path;
}

static int close_file(store *s, file_v1_Handle *h, pg_arena *arena) {
  file_v1_CloseRequest req = {h};
  file_v1_CloseResponse resp;
  return file_v1_FileService_Close(&s->files, &req, &resp, arena, NULL);
}

/* Creates (or truncates) the file; *created says whether it was new. */
static int create_file(store *s, const char *path, file_v1_Handle **out,
                       bool *created, pg_arena *arena, const char **errmsg) {
  file_v1_CreateRequest req = {pg_str(path), true};
  file_v1_CreateResponse resp;
  int code = file_v1_FileService_Create(&s->files, &req, &resp, arena, errmsg);
  *created = code == PG_CODE_OK;
  if (code == PG_CODE_ALREADY_EXISTS) {
    req.exclusive = false;
    code = file_v1_FileService_Create(&s->files, &req, &resp, arena, errmsg);
  }
  if (code == PG_CODE_OK && !resp.handle) {
    *errmsg = "file service: Create returned no handle";
    code = PG_CODE_INTERNAL;
  }
  *out = resp.handle;
  return code;
}

static int do_put(void *ctx, const demo_vvv_PutRequest *req,
                  demo_vvv_PutResponse *resp, pg_arena *arena,
                  const char **errmsg) {
  store *s = ctx;
  int code;
  const char *path = checked_path(req->key, arena, &code, errmsg);
  if (!path)
    return code;
  file_v1_Handle *h;
  code = create_file(s, path, &h, &resp->created, arena, errmsg);
  if (code != PG_CODE_OK)
    return code;
  file_v1_WriteRequest wr = {h, {req->value.data, req->value.len}, true, 0};
  file_v1_WriteResponse wresp;
  code = file_v1_FileService_Write(&s->files, &wr, &wresp, arena, errmsg);
  if (code == PG_CODE_OK && wresp.written != req->value.len) {
    *errmsg = "file service: short write";
    code = PG_CODE_DATA_LOSS;
  }
  int closed = close_file(s, h, arena);
  if (code == PG_CODE_OK && closed != PG_CODE_OK) {
    *errmsg = "file service: close failed";
    code = closed;
  }
  if (code == PG_CODE_OK) {
    char bytes[24];
    snprintf(bytes, sizeof bytes, "%zu", req->value.len);
    const char *fields[] = {"key", req->key.data, "bytes", bytes, NULL};
    parigot_logf(&s->log, log_v1_Level_LEVEL_INFO, fields, "%s item",
                 resp->created ? "stored new" : "overwrote");
  }
  return code;
}

/* Appends one Read's bytes to *value (grown in the arena). */
static bool append(pg_bytes *value, pg_bytes chunk, pg_arena *arena) {
  if (chunk.len == 0)
    return true;
  uint8_t *joined = pg_arena_alloc(arena, value->len + chunk.len, 1);
  if (!joined)
    return false;
  if (value->len)
    memcpy(joined, value->data, value->len);
  memcpy(joined + value->len, chunk.data, chunk.len);
  value->data = joined;
  value->len += chunk.len;
  return true;
}

static int read_all(store *s, file_v1_Handle *h, pg_bytes *value,
                    pg_arena *arena, const char **errmsg) {
  for (;;) {
    file_v1_ReadRequest rr = {h, READ_CHUNK, false, 0};
    file_v1_ReadResponse rresp;
    int code = file_v1_FileService_Read(&s->files, &rr, &rresp, arena, errmsg);
    if (code != PG_CODE_OK)
      return code;
    if (!append(value, rresp.data, arena)) {
      *errmsg = "item does not fit in the reply arena";
      return PG_CODE_RESOURCE_EXHAUSTED;
    }
    if (rresp.eof || rresp.data.len == 0)
      return PG_CODE_OK;
  }
}

static int do_get(void *ctx, const demo_vvv_GetRequest *req,
                  demo_vvv_GetResponse *resp, pg_arena *arena,
                  const char **errmsg) {
  store *s = ctx;
  int code;
  const char *path = checked_path(req->key, arena, &code, errmsg);
  if (!path)
    return code;
  file_v1_OpenRequest oreq = {pg_str(path), file_v1_OpenMode_OPEN_MODE_READ};
  file_v1_OpenResponse oresp;
  code = file_v1_FileService_Open(&s->files, &oreq, &oresp, arena, errmsg);
  if (code == PG_CODE_NOT_FOUND)
    *errmsg = "no such key";
  if (code != PG_CODE_OK)
    return code;
  code = read_all(s, oresp.handle, &resp->value, arena, errmsg);
  close_file(s, oresp.handle, arena);
  return code;
}

static int do_delete(void *ctx, const demo_vvv_DeleteRequest *req,
                     demo_vvv_DeleteResponse *resp, pg_arena *arena,
                     const char **errmsg) {
  store *s = ctx;
  (void)resp;
  int code;
  const char *path = checked_path(req->key, arena, &code, errmsg);
  if (!path)
    return code;
  file_v1_DeleteRequest dreq = {pg_str(path)};
  file_v1_DeleteResponse dresp;
  code = file_v1_FileService_Delete(&s->files, &dreq, &dresp, arena, errmsg);
  if (code == PG_CODE_NOT_FOUND)
    *errmsg = "no such key";
  if (code == PG_CODE_OK) {
    const char *fields[] = {"key", req->key.data, NULL};
    parigot_logf(&s->log, log_v1_Level_LEVEL_INFO, fields, "deleted item");
  }
  return code;
}

/* Is `name` PREFIX...SUFFIX? Then its key is name minus the suffix. */
static bool item_key(pg_string name, pg_string prefix, size_t *key_len) {
  size_t suffix = sizeof ITEM_SUFFIX - 1;
  if (name.len <= suffix ||
      memcmp(name.data + name.len - suffix, ITEM_SUFFIX, suffix) != 0)
    return false;
  *key_len = name.len - suffix;
  return *key_len >= prefix.len &&
         memcmp(name.data, prefix.data, prefix.len) == 0;
}

static int do_list(void *ctx, const demo_vvv_ListRequest *req,
                   demo_vvv_ListResponse *resp, pg_arena *arena,
                   const char **errmsg) {
  store *s = ctx;
  file_v1_ListRequest lreq = {pg_str(".")};
  file_v1_ListResponse lresp;
  int code = file_v1_FileService_List(&s->files, &lreq, &lresp, arena, errmsg);
  if (code != PG_CODE_OK)
    return code;
  resp->keys = pg_arena_alloc(arena, (lresp.n_entries + 1) * sizeof(pg_string),
                              _Alignof(pg_string));
  if (!resp->keys) {
    *errmsg = "listing does not fit in the reply arena";
    return PG_CODE_RESOURCE_EXHAUSTED;
  }
  for (size_t i = 0; i < lresp.n_entries; i++) { /* sorted by the service */
    const file_v1_FileInfo *e = &lresp.entries[i];
    size_t key_len;
    if (!e->is_dir && item_key(e->name, req->prefix, &key_len))
      resp->keys[resp->n_keys++] = (pg_string){e->name.data, key_len};
  }
  return PG_CODE_OK;
}

static const demo_vvv_StoreService_handlers handlers = {
    .Put = do_put, .Get = do_get, .Delete = do_delete, .List = do_list};

static int fail(const char *what) {
  fprintf(stderr, "store: %s: %s\n", what, parigot_last_error());
  return 1;
}

int main(void) {
  static store s;
  if (parigot_require(log_v1_LogService_NAME) != PG_CODE_OK ||
      parigot_require(file_v1_FileService_NAME) != PG_CODE_OK)
    return fail("require");
  if (PARIGOT_EXPORT(demo_vvv_StoreService, &handlers, &s) != PG_CODE_OK)
    return fail("export");
  if (parigot_run() != PG_CODE_OK)
    return fail("run");
  if (parigot_locate(log_v1_LogService_NAME, &s.log) != PG_CODE_OK ||
      parigot_locate(file_v1_FileService_NAME, &s.files) != PG_CODE_OK)
    return fail("locate");
  parigot_logf(&s.log, log_v1_Level_LEVEL_INFO, NULL,
               "store ready: items are files *.item under the file "
               "service's root");
  if (parigot_serve() != PG_CODE_OK)
    return fail("serve");
  return 0;
}
