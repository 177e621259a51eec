/*
 * test_wasi.c: WASI preview1 host functions, called directly (as the
 * interpreter would) on an instance that has one page of memory: args and
 * environment layout, EFAULT on bad pointers, stdout buffering and its order
 * relative to stderr, stdin, clock/random hooks, preopens, path confinement
 * (.., absolute paths, symlinks out), directory calls, fd_readdir, ENOSYS
 * for the unimplemented calls, and unlinkable unknown imports.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pg_test.h"
#include "wasi_internal.h"

/* (module (memory (export "memory") 1)) */
static const uint8_t memory_module[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x05, 0x03, 0x01,
    0x00, 0x01, 0x07, 0x0a, 0x01, 0x06, 'm',  'e',  'm',  'o',  'r',
    'y',  0x02, 0x00};

/* (module (import "wasi_snapshot_preview1" "no_such_call" (func))) */
static const uint8_t unknown_import_module[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01,
    0x60, 0x00, 0x00, 0x02, 0x27, 0x01, 0x16, 'w',  'a',  's',  'i',
    '_',  's',  'n',  'a',  'p',  's',  'h',  'o',  't',  '_',  'p',
    'r',  'e',  'v',  'i',  'e',  'w',  '1',  0x0c, 'n',  'o',  '_',
    's',  'u',  'c',  'h',  '_',  'c',  'a',  'l',  'l',  0x00, 0x00};

/* One guest: a pg_wasi and an instance with memory. */
typedef struct guest {
  pg_wasi *w;
  pg_module *m;
  pg_instance *inst;
  uint8_t *mem; /* 64 KiB */
} guest;

static int guest_open(guest *g, const pg_wasi_config *cfg) {
  char err[256] = "";
  memset(g, 0, sizeof *g);
  if (pg_wasi_new(&g->w, cfg, err, sizeof err) != PG_OK) {
    fprintf(stderr, "pg_wasi_new: %s\n", err);
    return -1;
  }
  if (pg_module_new(&g->m, memory_module, sizeof memory_module, err,
                    sizeof err) != PG_OK ||
      pg_instance_new(&g->inst, g->m, NULL, NULL, err, sizeof err) != PG_OK) {
    fprintf(stderr, "module: %s\n", err);
    return -1;
  }
  g->mem = pg_memory_ptr(g->inst, 0, 65536);
  return g->mem ? 0 : -1;
}

static void guest_close(guest *g) {
  pg_instance_free(g->inst);
  pg_module_free(g->m);
  pg_wasi_free(g->w);
}

/* Calls host function fn with n i32/i64 args; returns the errno result. */
static uint32_t wcall(guest *g, pg_host_fn fn, int n, ...) {
  pg_cell args[16] = {0}, results[1] = {0xdead};
  va_list ap;
  va_start(ap, n);
  for (int i = 0; i < n; i++) args[i] = va_arg(ap, uint64_t);
  va_end(ap);
  pg_host_call call = {.instance = g->inst, .args = args, .results = results,
                       .env = g->w};
  pg_host_result r = fn(&call);
  return r == PG_HOST_DONE ? (uint32_t)results[0] : 0xffffffffu;
}
#define A(x) ((uint64_t)(x))

static uint32_t load32(guest *g, uint32_t at) { return pg__wasi_get32(g->mem + at); }
static uint64_t load64(guest *g, uint32_t at) { return pg__wasi_get64(g->mem + at); }

/* Puts one iovec at `iov` pointing to `text` copied at `buf`. */
static void put_iov(guest *g, uint32_t iov, uint32_t buf, const char *text) {
  size_t len = strlen(text);
  memcpy(g->mem + buf, text, len);
  pg__wasi_put32(g->mem + iov, buf);
  pg__wasi_put32(g->mem + iov + 4, (uint32_t)len);
}

/* Reads what is in a pipe (non-blocking) into buf as a string. */
static const char *drain(int fd, char *buf, size_t cap) {
  fcntl(fd, F_SETFL, O_NONBLOCK);
  ssize_t n = read(fd, buf, cap - 1);
  buf[n > 0 ? n : 0] = '\0';
  return buf;
}

static void test_args_and_environ(void) {
  const char *argv[] = {"prog.wasm", "one", "two words"};
  const char *envp[] = {"A=1", "HOME=/h", NULL};
  pg_wasi_config cfg = {.argc = 3, .argv = argv, .envp = envp,
                        .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1};
  guest g;
  ASSERT_EQ(guest_open(&g, &cfg), 0);
  ASSERT_EQ(wcall(&g, pg__wasi_args_sizes_get, 2, A(100), A(104)), 0);
  ASSERT_EQ(load32(&g, 100), 3);
  ASSERT_EQ(load32(&g, 104), 10 + 4 + 10);
  ASSERT_EQ(wcall(&g, pg__wasi_args_get, 2, A(200), A(300)), 0);
  ASSERT_EQ(load32(&g, 200), 300);
  ASSERT_STR_EQ((char *)g.mem + load32(&g, 204), "one");
  ASSERT_STR_EQ((char *)g.mem + load32(&g, 208), "two words");
  ASSERT_EQ(wcall(&g, pg__wasi_environ_sizes_get, 2, A(100), A(104)), 0);
  ASSERT_EQ(load32(&g, 100), 2);
  ASSERT_EQ(load32(&g, 104), 4 + 8);
  ASSERT_EQ(wcall(&g, pg__wasi_environ_get, 2, A(400), A(500)), 0);
  ASSERT_STR_EQ((char *)g.mem + load32(&g, 404), "HOME=/h");
  /* The strings would end past the memory: EFAULT, nothing written. */
  ASSERT_EQ(wcall(&g, pg__wasi_args_get, 2, A(200), A(65530)), WASI_EFAULT);
  ASSERT_EQ(wcall(&g, pg__wasi_args_sizes_get, 2, A(65534), A(0)), WASI_EFAULT);
  ASSERT_EQ(wcall(&g, pg__wasi_environ_get, 2, A(0xfffffff0u), A(500)), WASI_EFAULT);
  guest_close(&g);
}

static void test_stdout_buffered_and_ordered_with_stderr(void) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  pg_wasi_config cfg = {.stdin_fd = -1, .stdout_fd = p[1], .stderr_fd = p[1]};
  guest g;
  char buf[256];
  ASSERT_EQ(guest_open(&g, &cfg), 0);
  put_iov(&g, 0, 64, "out1 ");
  ASSERT_EQ(wcall(&g, pg__wasi_fd_write, 4, A(1), A(0), A(1), A(32)), 0);
  ASSERT_EQ(load32(&g, 32), 5);
  ASSERT_STR_EQ(drain(p[0], buf, sizeof buf), ""); /* still buffered */
  put_iov(&g, 0, 64, "err1 ");
  ASSERT_EQ(wcall(&g, pg__wasi_fd_write, 4, A(2), A(0), A(1), A(32)), 0);
  put_iov(&g, 0, 64, "out2");
  ASSERT_EQ(wcall(&g, pg__wasi_fd_write, 4, A(1), A(0), A(1), A(32)), 0);
  pg_wasi_flush(g.w);
  ASSERT_STR_EQ(drain(p[0], buf, sizeof buf), "out1 err1 out2");
  /* A bad iovec array or buffer is EFAULT, and nothing is written. */
  ASSERT_EQ(wcall(&g, pg__wasi_fd_write, 4, A(1), A(65532), A(1), A(32)), WASI_EFAULT);
  pg__wasi_put32(g.mem + 8, 65000);
  pg__wasi_put32(g.mem + 12, 1000);
  ASSERT_EQ(wcall(&g, pg__wasi_fd_write, 4, A(1), A(8), A(1), A(32)), WASI_EFAULT);
  ASSERT_EQ(wcall(&g, pg__wasi_fd_write, 4, A(1), A(0), A(1), A(65535)), WASI_EFAULT);
  ASSERT_EQ(wcall(&g, pg__wasi_fd_write, 4, A(9), A(0), A(1), A(32)), WASI_EBADF);
  ASSERT_EQ(wcall(&g, pg__wasi_fd_write, 4, A(0), A(0), A(1), A(32)), WASI_EBADF);
  guest_close(&g);
  ASSERT_STR_EQ(drain(p[0], buf, sizeof buf), "");
  close(p[0]);
  close(p[1]);
}

static void test_stdin_read(void) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  ASSERT_EQ(write(p[1], "hello", 5), 5);
  close(p[1]);
  pg_wasi_config cfg = {.stdin_fd = p[0], .stdout_fd = -1, .stderr_fd = -1};
  guest g;
  ASSERT_EQ(guest_open(&g, &cfg), 0);
  pg__wasi_put32(g.mem + 0, 100);
  pg__wasi_put32(g.mem + 4, 3);
  pg__wasi_put32(g.mem + 8, 200);
  pg__wasi_put32(g.mem + 12, 10);
  ASSERT_EQ(wcall(&g, pg__wasi_fd_read, 4, A(0), A(0), A(2), A(32)), 0);
  ASSERT_EQ(load32(&g, 32), 5);
  ASSERT_TRUE(memcmp(g.mem + 100, "hel", 3) == 0);
  ASSERT_TRUE(memcmp(g.mem + 200, "lo", 2) == 0);
  ASSERT_EQ(wcall(&g, pg__wasi_fd_read, 4, A(0), A(0), A(2), A(32)), 0);
  ASSERT_EQ(load32(&g, 32), 0); /* end of file */
  ASSERT_EQ(wcall(&g, pg__wasi_fd_read, 4, A(0), A(0), A(2000), A(32)), WASI_EINVAL);
  guest_close(&g);
  close(p[0]);
}

static uint64_t fixed_clock(void *ctx, uint32_t id) {
  return *(uint64_t *)ctx + id;
}
static void fixed_random(void *ctx, uint8_t *buf, size_t len) {
  for (size_t i = 0; i < len; i++) buf[i] = (uint8_t)(i + 1);
}

static void test_clock_random_hooks(void) {
  uint64_t base = 1234567890123ull;
  pg_wasi_config cfg = {.stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1,
                        .clock_ns = fixed_clock, .random_bytes = fixed_random,
                        .hook_ctx = &base};
  guest g;
  ASSERT_EQ(guest_open(&g, &cfg), 0);
  ASSERT_EQ(wcall(&g, pg__wasi_clock_time_get, 3, A(1), A(0), A(8)), 0);
  ASSERT_U64_EQ(load64(&g, 8), base + 1);
  ASSERT_EQ(wcall(&g, pg__wasi_clock_time_get, 3, A(9), A(0), A(8)), WASI_EINVAL);
  ASSERT_EQ(wcall(&g, pg__wasi_clock_time_get, 3, A(0), A(0), A(65533)), WASI_EFAULT);
  ASSERT_EQ(wcall(&g, pg__wasi_random_get, 2, A(16), A(4)), 0);
  ASSERT_TRUE(memcmp(g.mem + 16, "\1\2\3\4", 4) == 0);
  ASSERT_EQ(wcall(&g, pg__wasi_random_get, 2, A(65530), A(7)), WASI_EFAULT);
  /* A relative 1 s sleep fires at once: time belongs to the hook. */
  memset(g.mem + 1024, 0, 48);
  pg__wasi_put64(g.mem + 1024, 77);          /* userdata */
  pg__wasi_put64(g.mem + 1024 + 24, 1000000000ull);
  ASSERT_EQ(wcall(&g, pg__wasi_poll_oneoff, 4, A(1024), A(2048), A(1), A(4000)), 0);
  ASSERT_EQ(load32(&g, 4000), 1);
  ASSERT_U64_EQ(load64(&g, 2048), 77);
  ASSERT_EQ(wcall(&g, pg__wasi_poll_oneoff, 4, A(1024), A(2048), A(0), A(4000)), WASI_EINVAL);
  ASSERT_EQ(wcall(&g, pg__wasi_poll_oneoff, 4, A(65500), A(2048), A(1), A(4000)), WASI_EFAULT);
  guest_close(&g);
}

static void test_real_clock_and_sleep(void) {
  pg_wasi_config cfg = {.stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1};
  guest g;
  ASSERT_EQ(guest_open(&g, &cfg), 0);
  ASSERT_EQ(wcall(&g, pg__wasi_clock_time_get, 3, A(1), A(0), A(8)), 0);
  uint64_t t0 = load64(&g, 8);
  memset(g.mem + 1024, 0, 48);
  pg__wasi_put64(g.mem + 1024 + 24, 20000000ull); /* 20 ms, monotonic */
  pg__wasi_put32(g.mem + 1024 + 16, 1);
  ASSERT_EQ(wcall(&g, pg__wasi_poll_oneoff, 4, A(1024), A(2048), A(1), A(4000)), 0);
  ASSERT_EQ(wcall(&g, pg__wasi_clock_time_get, 3, A(1), A(0), A(8)), 0);
  ASSERT_TRUE(load64(&g, 8) - t0 >= 20000000ull);
  ASSERT_EQ(wcall(&g, pg__wasi_random_get, 2, A(16), A(32)), 0);
  ASSERT_EQ(wcall(&g, pg__wasi_sched_yield, 0), 0);
  guest_close(&g);
}

/* What a write hook received: "fd:bytes|" per call. */
static char hooked[256];
static void collect(void *ctx, int fd, const uint8_t *bytes, size_t len) {
  size_t at = strlen(hooked);
  snprintf(hooked + at, sizeof hooked - at, "%d:%.*s|", fd, (int)len,
           (const char *)bytes);
}

static void test_write_hook_takes_stdout_and_stderr(void) {
  pg_wasi_config cfg = {.stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1,
                        .write = collect};
  guest g;
  hooked[0] = '\0';
  ASSERT_EQ(guest_open(&g, &cfg), 0);
  put_iov(&g, 0, 64, "to out");
  put_iov(&g, 8, 80, " more");
  ASSERT_EQ(wcall(&g, pg__wasi_fd_write, 4, A(1), A(0), A(2), A(32)), 0);
  ASSERT_EQ(load32(&g, 32), 11);
  put_iov(&g, 0, 64, "to err");
  ASSERT_EQ(wcall(&g, pg__wasi_fd_write, 4, A(2), A(0), A(1), A(32)), 0);
  ASSERT_STR_EQ(hooked, "1:to out|1: more|2:to err|");
  /* A terminal to wasi-libc: character device, no seek/tell. */
  ASSERT_EQ(wcall(&g, pg__wasi_fd_fdstat_get, 2, A(1), A(40)), 0);
  ASSERT_EQ(g.mem[40], WASI_FILETYPE_CHARACTER_DEVICE);
  ASSERT_EQ(load64(&g, 48) & (WASI_RIGHT_FD_SEEK | WASI_RIGHT_FD_TELL), 0);
  /* Polling it for writing is ready at once (it has no host fd). */
  memset(g.mem + 1024, 0, 48);
  pg__wasi_put64(g.mem + 1024, 5);
  g.mem[1024 + 8] = 2; /* fd_write */
  pg__wasi_put32(g.mem + 1024 + 16, 1);
  ASSERT_EQ(wcall(&g, pg__wasi_poll_oneoff, 4, A(1024), A(2048), A(1), A(4000)), 0);
  ASSERT_EQ(load32(&g, 4000), 1);
  ASSERT_EQ(pg__wasi_get16(g.mem + 2048 + 8), 0);
  guest_close(&g);
}

static void test_unimplemented_is_enosys_and_unknown_unlinkable(void) {
  pg_wasi_config cfg = {.stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1};
  guest g;
  ASSERT_EQ(guest_open(&g, &cfg), 0);
  ASSERT_EQ(wcall(&g, pg__wasi_nosys, 0), 52);
  pg_linker *l = NULL;
  ASSERT_EQ(pg_linker_new(&l), PG_OK);
  ASSERT_EQ(pg_wasi_link(g.w, l), PG_OK);
  pg_module *m = NULL;
  pg_instance *inst = NULL;
  char err[256] = "";
  ASSERT_EQ(pg_module_new(&m, unknown_import_module, sizeof unknown_import_module,
                          err, sizeof err), PG_OK);
  ASSERT_EQ(pg_instance_new(&inst, m, l, NULL, err, sizeof err), PG_UNLINKABLE);
  ASSERT_STR_CONTAINS(err, "no_such_call");
  pg_module_free(m);
  pg_linker_free(l);
  guest_close(&g);
}

/* ---- filesystem ---- */

static char sandbox_root[256]; /* holds box/ (the preopen) and outside/ */

static void make_tree(void) {
  char path[512];
  snprintf(sandbox_root, sizeof sandbox_root, "/tmp/pg_wasi_test_%d", (int)getpid());
  mkdir(sandbox_root, 0777);
#define P(rel) (snprintf(path, sizeof path, "%s/%s", sandbox_root, rel), path)
  mkdir(P("box"), 0777);
  mkdir(P("box/sub"), 0777);
  mkdir(P("outside"), 0777);
  FILE *f = fopen(P("outside/secret"), "w");
  if (f) fputs("secret", f), fclose(f);
  f = fopen(P("box/hello.txt"), "w");
  if (f) fputs("hello file", f), fclose(f);
  symlink("../outside/secret", P("box/up_link"));
  symlink("/etc/passwd", P("box/abs_link"));
  symlink("hello.txt", P("box/in_link"));
  symlink("../hello.txt", P("box/sub/parent_link"));
#undef P
}

static void remove_tree(void) {
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", sandbox_root);
  if (system(cmd) != 0) fprintf(stderr, "cleanup of %s failed\n", sandbox_root);
}

static int fs_guest(guest *g) {
  static char spec[300];
  snprintf(spec, sizeof spec, "%s/box:/data", sandbox_root);
  const char *pre[] = {spec, NULL};
  pg_wasi_config cfg = {.stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1,
                        .preopens = pre};
  return guest_open(g, &cfg);
}

/* path_open(3, follow, path) for reading; returns errno, fd at mem[8]. */
static uint32_t open_path(guest *g, const char *path, uint32_t oflags,
                          uint64_t rights) {
  size_t len = strlen(path);
  memcpy(g->mem + 4096, path, len);
  return wcall(g, pg__wasi_path_open, 9, A(3), A(1), A(4096), A(len),
               A(oflags), A(rights), A(rights), A(0), A(8));
}

static uint32_t path_call(guest *g, pg_host_fn fn, const char *path) {
  size_t len = strlen(path);
  memcpy(g->mem + 4096, path, len);
  return wcall(g, fn, 3, A(3), A(4096), A(len));
}

static void test_preopen_names(void) {
  guest g;
  ASSERT_EQ(fs_guest(&g), 0);
  ASSERT_EQ(wcall(&g, pg__wasi_fd_prestat_get, 2, A(3), A(16)), 0);
  ASSERT_EQ(g.mem[16], 0);
  ASSERT_EQ(load32(&g, 20), 5);
  ASSERT_EQ(wcall(&g, pg__wasi_fd_prestat_dir_name, 3, A(3), A(32), A(5)), 0);
  ASSERT_TRUE(memcmp(g.mem + 32, "/data", 5) == 0);
  ASSERT_EQ(wcall(&g, pg__wasi_fd_prestat_dir_name, 3, A(3), A(32), A(2)), WASI_ENAMETOOLONG);
  ASSERT_EQ(wcall(&g, pg__wasi_fd_prestat_get, 2, A(4), A(16)), WASI_EBADF);
  ASSERT_EQ(wcall(&g, pg__wasi_fd_prestat_get, 2, A(1), A(16)), WASI_EBADF);
  ASSERT_EQ(wcall(&g, pg__wasi_fd_fdstat_get, 2, A(3), A(40)), 0);
  ASSERT_EQ(g.mem[40], WASI_FILETYPE_DIRECTORY);
  guest_close(&g);
}

static void test_open_read_inside(void) {
  guest g;
  ASSERT_EQ(fs_guest(&g), 0);
  const char *ok[] = {"hello.txt", "./hello.txt", "sub/../hello.txt",
                      "in_link", "sub/parent_link", "sub//../hello.txt"};
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    uint32_t err = open_path(&g, ok[i], 0, WASI_RIGHT_FD_READ);
    if (err != 0) fprintf(stderr, "  path %s\n", ok[i]);
    ASSERT_EQ(err, 0);
    uint32_t fd = load32(&g, 8);
    put_iov(&g, 0, 100, "");
    pg__wasi_put32(g.mem + 4, 64);
    ASSERT_EQ(wcall(&g, pg__wasi_fd_read, 4, A(fd), A(0), A(1), A(32)), 0);
    ASSERT_EQ(load32(&g, 32), 10);
    ASSERT_TRUE(memcmp(g.mem + 100, "hello file", 10) == 0);
    ASSERT_EQ(wcall(&g, pg__wasi_fd_seek, 4, A(fd), A(-4), A(WASI_WHENCE_END), A(40)), 0);
    ASSERT_U64_EQ(load64(&g, 40), 6);
    ASSERT_EQ(wcall(&g, pg__wasi_fd_tell, 2, A(fd), A(40)), 0);
    ASSERT_U64_EQ(load64(&g, 40), 6);
    ASSERT_EQ(wcall(&g, pg__wasi_fd_filestat_get, 2, A(fd), A(200)), 0);
    ASSERT_EQ(g.mem[216], WASI_FILETYPE_REGULAR_FILE);
    ASSERT_U64_EQ(load64(&g, 232), 10);
    ASSERT_EQ(wcall(&g, pg__wasi_fd_close, 1, A(fd)), 0);
    ASSERT_EQ(wcall(&g, pg__wasi_fd_close, 1, A(fd)), WASI_EBADF);
  }
  guest_close(&g);
}

static void test_confinement(void) {
  guest g;
  ASSERT_EQ(fs_guest(&g), 0);
  const char *refused[] = {"../outside/secret", "/etc/passwd", "up_link",
                           "abs_link", "sub/../../outside/secret", "..",
                           "sub/../..", "../box/hello.txt"};
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
    uint32_t err = open_path(&g, refused[i], 0, WASI_RIGHT_FD_READ);
    if (err != WASI_ENOTCAPABLE) fprintf(stderr, "  path %s\n", refused[i]);
    ASSERT_EQ(err, WASI_ENOTCAPABLE);
  }
  /* Without following, a link out opens nothing either (ELOOP, not the
   * target); and stat of the link itself is fine. */
  size_t len = strlen("up_link");
  memcpy(g.mem + 4096, "up_link", len);
  ASSERT_EQ(wcall(&g, pg__wasi_path_open, 9, A(3), A(0), A(4096), A(len), A(0),
                  A(WASI_RIGHT_FD_READ), A(0), A(0), A(8)), WASI_ELOOP);
  ASSERT_EQ(wcall(&g, pg__wasi_path_filestat_get, 5, A(3), A(0), A(4096), A(len), A(200)), 0);
  ASSERT_EQ(g.mem[216], WASI_FILETYPE_SYMBOLIC_LINK);
  ASSERT_EQ(wcall(&g, pg__wasi_path_filestat_get, 5, A(3), A(1), A(4096), A(len), A(200)),
            WASI_ENOTCAPABLE);
  ASSERT_EQ(path_call(&g, pg__wasi_path_create_directory, "../evil"), WASI_ENOTCAPABLE);
  ASSERT_EQ(path_call(&g, pg__wasi_path_unlink_file, "/tmp/x"), WASI_ENOTCAPABLE);
  ASSERT_EQ(open_path(&g, "nope.txt", 0, WASI_RIGHT_FD_READ), WASI_ENOENT);
  ASSERT_EQ(open_path(&g, "hello.txt/x", 0, WASI_RIGHT_FD_READ), WASI_ENOTDIR);
  ASSERT_EQ(open_path(&g, "", 0, WASI_RIGHT_FD_READ), WASI_ENOENT);
  /* path pointer out of memory */
  ASSERT_EQ(wcall(&g, pg__wasi_path_open, 9, A(3), A(1), A(65530), A(10), A(0),
                  A(0), A(0), A(0), A(8)), WASI_EFAULT);
  /* not a directory fd */
  ASSERT_EQ(wcall(&g, pg__wasi_path_open, 9, A(1), A(1), A(4096), A(1), A(0),
                  A(0), A(0), A(0), A(8)), WASI_EBADF);
  guest_close(&g);
}

static void test_directory_calls(void) {
  guest g;
  ASSERT_EQ(fs_guest(&g), 0);
  ASSERT_EQ(path_call(&g, pg__wasi_path_create_directory, "newdir"), 0);
  ASSERT_EQ(path_call(&g, pg__wasi_path_create_directory, "newdir"), WASI_EEXIST);
  /* create + write a file inside it */
  ASSERT_EQ(open_path(&g, "newdir/f.txt", WASI_OFLAG_CREAT | WASI_OFLAG_TRUNC,
                      WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_READ), 0);
  uint32_t fd = load32(&g, 8);
  put_iov(&g, 0, 100, "abc");
  ASSERT_EQ(wcall(&g, pg__wasi_fd_write, 4, A(fd), A(0), A(1), A(32)), 0);
  ASSERT_EQ(wcall(&g, pg__wasi_fd_pread, 5, A(fd), A(0), A(1), A(1), A(32)), 0);
  ASSERT_EQ(load32(&g, 32), 2);
  ASSERT_TRUE(memcmp(g.mem + 100, "bc", 2) == 0);
  /* times, allocate, advise */
  ASSERT_EQ(wcall(&g, pg__wasi_fd_filestat_set_times, 4, A(fd), A(5000000000ull),
                  A(7000000123ull), A(WASI_FSTFLAG_ATIM | WASI_FSTFLAG_MTIM)), 0);
  ASSERT_EQ(wcall(&g, pg__wasi_fd_filestat_get, 2, A(fd), A(200)), 0);
  ASSERT_U64_EQ(load64(&g, 240), 5000000000ull);
  ASSERT_U64_EQ(load64(&g, 248), 7000000123ull);
  ASSERT_EQ(wcall(&g, pg__wasi_fd_filestat_set_times, 4, A(fd), A(0), A(0),
                  A(WASI_FSTFLAG_ATIM | WASI_FSTFLAG_ATIM_NOW)), WASI_EINVAL);
  ASSERT_EQ(wcall(&g, pg__wasi_fd_allocate, 3, A(fd), A(0), A(100)), 0);
  ASSERT_EQ(wcall(&g, pg__wasi_fd_filestat_get, 2, A(fd), A(200)), 0);
  ASSERT_U64_EQ(load64(&g, 232), 100);
  ASSERT_EQ(wcall(&g, pg__wasi_fd_advise, 4, A(fd), A(0), A(0), A(2)), 0);
  ASSERT_EQ(wcall(&g, pg__wasi_fd_close, 1, A(fd)), 0);
  /* a hard link inside is fine, one pointing out is refused */
  memcpy(g.mem + 4096, "newdir/f.txt", 12);
  memcpy(g.mem + 4200, "hard.txt", 8);
  ASSERT_EQ(wcall(&g, pg__wasi_path_link, 7, A(3), A(0), A(4096), A(12), A(3),
                  A(4200), A(8)), 0);
  memcpy(g.mem + 4200, "../hard.txt", 11);
  ASSERT_EQ(wcall(&g, pg__wasi_path_link, 7, A(3), A(0), A(4096), A(12), A(3),
                  A(4200), A(11)), WASI_ENOTCAPABLE);
  ASSERT_EQ(path_call(&g, pg__wasi_path_unlink_file, "hard.txt"), 0);
  memcpy(g.mem + 4096, "newdir/f.txt", 12);
  ASSERT_EQ(wcall(&g, pg__wasi_path_filestat_set_times, 7, A(3), A(0), A(4096),
                  A(12), A(0), A(9000000000ull), A(WASI_FSTFLAG_MTIM)), 0);
  ASSERT_EQ(wcall(&g, pg__wasi_path_filestat_get, 5, A(3), A(0), A(4096), A(12), A(200)), 0);
  ASSERT_U64_EQ(load64(&g, 248), 9000000000ull);
  ASSERT_U64_EQ(load64(&g, 240), 5000000000ull); /* atime left alone */
  ASSERT_EQ(path_call(&g, pg__wasi_path_remove_directory, "newdir"), WASI_ENOTEMPTY);
  /* rename newdir/f.txt -> g.txt */
  memcpy(g.mem + 4096, "newdir/f.txt", 12);
  memcpy(g.mem + 4200, "g.txt", 5);
  ASSERT_EQ(wcall(&g, pg__wasi_path_rename, 6, A(3), A(4096), A(12), A(3), A(4200), A(5)), 0);
  memcpy(g.mem + 4200, "../g.txt", 8);
  ASSERT_EQ(wcall(&g, pg__wasi_path_rename, 6, A(3), A(4096), A(5), A(3), A(4200), A(8)),
            WASI_ENOTCAPABLE);
  ASSERT_EQ(path_call(&g, pg__wasi_path_unlink_file, "newdir"), WASI_EISDIR);
  ASSERT_EQ(path_call(&g, pg__wasi_path_remove_directory, "newdir"), 0);
  ASSERT_EQ(path_call(&g, pg__wasi_path_unlink_file, "g.txt"), 0);
  ASSERT_EQ(path_call(&g, pg__wasi_path_unlink_file, "g.txt"), WASI_ENOENT);
  guest_close(&g);
}

static void test_readdir(void) {
  guest g;
  ASSERT_EQ(fs_guest(&g), 0);
  ASSERT_EQ(open_path(&g, "sub", WASI_OFLAG_DIRECTORY, WASI_RIGHT_FD_READDIR), 0);
  uint32_t fd = load32(&g, 8);
  ASSERT_EQ(wcall(&g, pg__wasi_fd_readdir, 5, A(fd), A(1000), A(4000), A(0), A(8)), 0);
  uint32_t used = load32(&g, 8), at = 0;
  int count = 0, found = 0;
  while (at + WASI_DIRENT_SIZE <= used) {
    uint32_t namlen = load32(&g, 1000 + at + 16);
    if (namlen == 11 && memcmp(g.mem + 1000 + at + 24, "parent_link", 11) == 0) {
      found = 1;
      ASSERT_EQ(g.mem[1000 + at + 20], WASI_FILETYPE_SYMBOLIC_LINK);
    }
    at += WASI_DIRENT_SIZE + namlen;
    count++;
  }
  ASSERT_EQ(count, 3); /* ".", "..", parent_link */
  ASSERT_EQ(found, 1);
  /* A small buffer is filled completely (a cut entry means "call again"). */
  ASSERT_EQ(wcall(&g, pg__wasi_fd_readdir, 5, A(fd), A(1000), A(30), A(0), A(8)), 0);
  ASSERT_EQ(load32(&g, 8), 30);
  ASSERT_EQ(wcall(&g, pg__wasi_fd_readdir, 5, A(fd), A(1000), A(4000), A(3), A(8)), 0);
  ASSERT_EQ(load32(&g, 8), 0);
  ASSERT_EQ(wcall(&g, pg__wasi_fd_readdir, 5, A(fd), A(65000), A(4000), A(0), A(8)),
            WASI_EFAULT);
  guest_close(&g);
}

static void test_missing_preopen_fails(void) {
  const char *pre[] = {"/nonexistent/pg_wasi_dir", NULL};
  pg_wasi_config cfg = {.stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1,
                        .preopens = pre};
  pg_wasi *w = NULL;
  char err[256] = "";
  ASSERT_EQ(pg_wasi_new(&w, &cfg, err, sizeof err), PG_IO);
  ASSERT_TRUE(w == NULL);
  ASSERT_STR_CONTAINS(err, "/nonexistent/pg_wasi_dir");
}

int main(void) {
  PG_RUN(test_args_and_environ);
  PG_RUN(test_stdout_buffered_and_ordered_with_stderr);
  PG_RUN(test_stdin_read);
  PG_RUN(test_clock_random_hooks);
  PG_RUN(test_real_clock_and_sleep);
  PG_RUN(test_write_hook_takes_stdout_and_stderr);
  PG_RUN(test_unimplemented_is_enosys_and_unknown_unlinkable);
  make_tree();
  PG_RUN(test_preopen_names);
  PG_RUN(test_open_read_inside);
  PG_RUN(test_confinement);
  PG_RUN(test_directory_calls);
  PG_RUN(test_readdir);
  PG_RUN(test_missing_preopen_fails);
  remove_tree();
  return PG_DONE();
}
