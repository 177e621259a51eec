/*
 * fuzz_services.c: libFuzzer target for the built-in services' request
 * parsers and the file service's confinement (src/services/).
 *
 * Input: one byte picks the method (0-7: FileService Open, Create, Read,
 * Write, Close, Stat, List, Delete; 8: LogService Log; by path or by short
 * name depending on the high bit), one byte picks the caller's replica,
 * the rest is the request's protobuf bytes. Before each input the root is
 * rebuilt: a file, a directory, symlinks that stay inside, symlinks that
 * lead out (relative and absolute), a loop. After each input the sibling
 * directory `outside` must be exactly as it was (its one file unchanged,
 * nothing added): a request that reaches it is a confinement bug (abort).
 * Every failure must carry a NUL-terminated reason; an OK reply must decode
 * as the method's response type.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file/v1/file.pg.h"
#include "log/v1/log.pg.h"
#include "services/service.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char base[] = "/tmp/pg_fuzz_services_XXXXXX";
static char root[300], outside[300], sentinel[320];
static pg_host_service *file_svc, *log_svc;
static pg_log *log_sink;

static void put_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (!f) abort();
  fputs(text, f);
  fclose(f);
}

static void in_root(char *out, size_t cap, const char *name) {
  snprintf(out, cap, "%s/%s", root, name);
}

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw) {
  (void)st, (void)flag;
  if (ftw->level > 0)
    remove(path);
  return 0;
}

/* The tree every input starts from. */
static void rebuild_root(void) {
  char p[400], abs_target[400];
  nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  in_root(p, sizeof p, "f");
  put_file(p, "0123456789");
  in_root(p, sizeof p, "d");
  mkdir(p, 0755);
  in_root(p, sizeof p, "d/g");
  put_file(p, "inside");
  in_root(p, sizeof p, "in");
  symlink("d/g", p);
  in_root(p, sizeof p, "d/up");
  symlink("../f", p);
  in_root(p, sizeof p, "out");
  symlink("../outside", p);
  in_root(p, sizeof p, "d/out2");
  symlink("../../outside/secret", p);
  in_root(p, sizeof p, "abs");
  snprintf(abs_target, sizeof abs_target, "%s", outside);
  symlink(abs_target, p);
  in_root(p, sizeof p, "loop");
  symlink("loop", p);
}

static int count_outside(void) {
  DIR *d = opendir(outside);
  int n = 0;
  if (!d) abort();
  for (struct dirent *de; (de = readdir(d));)
    n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
  closedir(d);
  return n;
}

static void check_outside(void) {
  struct stat st;
  char text[32] = "";
  FILE *f = fopen(sentinel, "r");
  if (!f) abort();
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = 0;
  if (strcmp(text, "top secret") != 0) abort();
  if (stat(outside, &st) != 0 || st.st_nlink != 2 || count_outside() != 1)
    abort();
}

static int remove_any(const char *path, const struct stat *st, int flag,
                      struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  remove(path);
  return 0;
}

/* libFuzzer ends with exit(): the scratch tree goes with it. */
static void remove_base(void) {
  nftw(base, remove_any, 16, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  char err[256];
  (void)argc, (void)argv;
  if (!mkdtemp(base)) abort();
  atexit(remove_base);
  snprintf(root, sizeof root, "%s/root", base);
  snprintf(outside, sizeof outside, "%s/outside", base);
  snprintf(sentinel, sizeof sentinel, "%s/secret", outside);
  if (mkdir(root, 0755) || mkdir(outside, 0755)) abort();
  put_file(sentinel, "top secret");
  if (pg_file_service_new(&file_svc, root, err, sizeof err) != 0) abort();
  FILE *devnull = fopen("/dev/null", "w");
  pg_log_options lo = {devnull, PG_LOG_JSON, PG_LOG_DEBUG, NULL, NULL};
  if (!devnull || pg_log_new(&log_sink, &lo) != 0 ||
      pg_log_service_new(&log_svc, log_sink) != 0)
    abort();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char *const file_methods[] = {
      "Open", "Create", "Read", "Write", "Close", "Stat", "List", "Delete"};
  if (size < 2)
    return 0;
  unsigned pick = data[0] % 9;
  bool by_path = data[0] & 0x80;
  pg_caller caller = {"fuzz", data[1] % 4};
  pg_host_service *svc = pick == 8 ? log_svc : file_svc;
  const pg_service_desc *desc =
      pick == 8 ? &log_v1_LogService_desc : &file_v1_FileService_desc;
  size_t index = 0;
  if (pick < 8)
    while (strcmp(desc->methods[index].name, file_methods[pick]) != 0)
      index++;
  const pg_method_desc *m = &desc->methods[index];
  uint8_t *reply = NULL;
  size_t reply_len = 0;
  char msg[256];
  memset(msg, 'x', sizeof msg);
  rebuild_root();
  int code = svc->handle(svc, &caller, by_path ? m->path : m->name, data + 2,
                         size - 2, &reply, &reply_len, msg, sizeof msg);
  if (code != PG_CODE_OK && !memchr(msg, 0, sizeof msg))
    abort(); /* a failure always explains itself */
  if (code == PG_CODE_OK) {
    static uint8_t arena_mem[1 << 21];
    pg_arena arena;
    pg_arena_init(&arena, arena_mem, sizeof arena_mem);
    uint8_t resp[512];
    if (m->response->size > sizeof resp ||
        m->response->decode(resp, reply, reply_len, &arena, NULL) !=
            PG_WIRE_OK)
      abort();
  }
  free(reply);
  /* A replica ends when the input says so, and every replica now and then,
   * so handles do not pile up to the open-file cap. */
  static unsigned runs;
  if (data[1] >= 0xf0)
    file_svc->release(file_svc, &caller);
  if (++runs % 256 == 0)
    for (int r = 0; r < 4; r++)
      file_svc->release(file_svc, &(pg_caller){"fuzz", r});
  check_outside();
  return 0;
}
