/*
 * main.c: the `main` program of the store example — requires
 * demo.vvv.StoreService and the log service, exercises the store (put, get,
 * overwrite, list, delete, a missing key, a key that is no safe file name),
 * checks every answer and logs each step through log.v1.LogService (a
 * wrong answer with what was expected and what came back). Exits 0 when
 * every answer was right, else 1.
 */
#include <stdio.h>
#include <string.h>

#include "demo/vvv/store.pg.h"
#include "parigot/log.h"
#include "parigot/parigot.h"

static pg_client store, logger;
static uint8_t arena_storage[64 * 1024];
static pg_arena arena;
static int failures;

/* Logs a check's outcome; counts it when it failed. */
static void check(bool ok, const char *step, const char *want,
                  const char *got) {
  const char *fields[] = {"step", step, "want", want, "got", got, NULL};
  if (!ok)
    failures++;
  parigot_logf(&logger, ok ? log_v1_Level_LEVEL_INFO : log_v1_Level_LEVEL_ERROR,
               fields, ok ? "ok" : "WRONG ANSWER");
}

/* "CODE: message" of a call's outcome, into buf. */
static const char *outcome(char *buf, size_t cap, int code, const char *err) {
  snprintf(buf, cap, "%s%s%s", pg_code_name(code), err ? ": " : "",
           err ? err : "");
  return buf;
}

/* A call's status against the expected one; logs only a mismatch (the
 * step's success is logged once, by the caller's check of its answer). */
static bool check_code(const char *step, int want, int got, const char *err) {
  char text[160];
  if (want != got)
    check(false, step, pg_code_name(want), outcome(text, sizeof text, got, err));
  return want == got;
}

/* For steps whose answer is a status (an error or a bare OK): one line. */
static void check_error(const char *step, int want, int got, const char *err) {
  char text[160];
  if (check_code(step, want, got, err))
    check(true, step, pg_code_name(want), outcome(text, sizeof text, got, err));
}

static void put(const char *key, const char *value, bool want_created) {
  demo_vvv_PutRequest req = {pg_str(key),
                             {(const uint8_t *)value, strlen(value)}};
  demo_vvv_PutResponse resp;
  const char *err = NULL;
  char step[64];
  pg_arena_reset(&arena);
  snprintf(step, sizeof step, "put %s=%s", key, value);
  int code = demo_vvv_StoreService_Put(&store, &req, &resp, &arena, &err);
  if (check_code(step, PG_CODE_OK, code, err))
    check(resp.created == want_created, step,
          want_created ? "created" : "overwritten",
          resp.created ? "created" : "overwritten");
}

/* A key that is not a safe file name ("../x") is refused. */
static void put_bad_key(const char *key) {
  demo_vvv_PutRequest req = {pg_str(key), {(const uint8_t *)"x", 1}};
  demo_vvv_PutResponse resp;
  const char *err = NULL;
  char step[64];
  pg_arena_reset(&arena);
  snprintf(step, sizeof step, "put %s=x", key);
  int code = demo_vvv_StoreService_Put(&store, &req, &resp, &arena, &err);
  check_error(step, PG_CODE_INVALID_ARGUMENT, code, err);
}

static void get(const char *key, const char *want) {
  demo_vvv_GetRequest req = {pg_str(key)};
  demo_vvv_GetResponse resp;
  const char *err = NULL;
  char step[64], got[128];
  pg_arena_reset(&arena);
  snprintf(step, sizeof step, "get %s", key);
  int code = demo_vvv_StoreService_Get(&store, &req, &resp, &arena, &err);
  if (!want) { /* a missing key */
    check_error(step, PG_CODE_NOT_FOUND, code, err);
    return;
  }
  if (!check_code(step, PG_CODE_OK, code, err))
    return;
  snprintf(got, sizeof got, "%.*s", (int)resp.value.len,
           resp.value.data ? (const char *)resp.value.data : "");
  check(strcmp(got, want) == 0, step, want, got);
}

static void del(const char *key, int want_code) {
  demo_vvv_DeleteRequest req = {pg_str(key)};
  demo_vvv_DeleteResponse resp;
  const char *err = NULL;
  char step[64];
  pg_arena_reset(&arena);
  snprintf(step, sizeof step, "delete %s", key);
  int code = demo_vvv_StoreService_Delete(&store, &req, &resp, &arena, &err);
  check_error(step, want_code, code, err);
}

/* Lists every key; `want` is the expected keys joined by ','. */
static void list(const char *want) {
  demo_vvv_ListRequest req = {pg_str("")};
  demo_vvv_ListResponse resp;
  const char *err = NULL;
  char got[256] = "";
  pg_arena_reset(&arena);
  int code = demo_vvv_StoreService_List(&store, &req, &resp, &arena, &err);
  if (!check_code("list", PG_CODE_OK, code, err))
    return;
  for (size_t i = 0; i < resp.n_keys; i++)
    snprintf(got + strlen(got), sizeof got - strlen(got), "%s%.*s",
             i ? "," : "", (int)resp.keys[i].len, resp.keys[i].data);
  check(strcmp(got, want) == 0, "list", want, got);
}

/* A previous run may have left items behind: start from an empty store. */
static void clear_store(void) {
  demo_vvv_ListRequest req = {pg_str("")};
  demo_vvv_ListResponse resp;
  static uint8_t list_storage[16 * 1024];
  pg_arena list_arena;
  pg_arena_init(&list_arena, list_storage, sizeof list_storage);
  if (demo_vvv_StoreService_List(&store, &req, &resp, &list_arena, NULL) !=
      PG_CODE_OK)
    return;
  for (size_t i = 0; i < resp.n_keys; i++) {
    char key[160];
    snprintf(key, sizeof key, "%.*s", (int)resp.keys[i].len,
             resp.keys[i].data);
    del(key, PG_CODE_OK);
  }
}

static int setup(void) {
  if (parigot_require("demo.vvv.StoreService") != PG_CODE_OK ||
      parigot_require("log.v1.LogService") != PG_CODE_OK ||
      parigot_run() != PG_CODE_OK ||
      parigot_locate("demo.vvv.StoreService", &store) != PG_CODE_OK ||
      parigot_locate("log.v1.LogService", &logger) != PG_CODE_OK) {
    fprintf(stderr, "main: %s\n", parigot_last_error());
    return -1;
  }
  pg_arena_init(&arena, arena_storage, sizeof arena_storage);
  return 0;
}

int main(void) {
  if (setup() != 0)
    return 1;
  parigot_logf(&logger, log_v1_Level_LEVEL_INFO, NULL, "exercising the store");
  clear_store();
  list("");
  put("apple", "red", true);
  get("apple", "red");
  put("apple", "green", false); /* overwrite */
  get("apple", "green");
  put("banana", "yellow", true);
  put("cherry", "dark red", true);
  list("apple,banana,cherry");
  del("banana", PG_CODE_OK);
  get("banana", NULL);      /* NOT_FOUND */
  del("banana", PG_CODE_NOT_FOUND);
  get("durian", NULL);      /* never stored */
  put_bad_key("../escape"); /* INVALID_ARGUMENT */
  list("apple,cherry");
  char total[16];
  snprintf(total, sizeof total, "%d", failures);
  const char *fields[] = {"wrong_answers", total, NULL};
  parigot_logf(&logger,
               failures ? log_v1_Level_LEVEL_ERROR : log_v1_Level_LEVEL_INFO,
               fields, failures ? "store example FAILED" : "store example passed");
  return failures ? 1 : 0;
}
