/*
 * exec.c: `parigot exec`, which runs one WASI command module to completion,
 * like `wasmtime run`: load and compile the file, link WASI preview1 (with
 * --dir preopens and --env variables), run `_start`, and exit with the
 * guest's exit code. Traps print the message and a backtrace and exit 134.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "parigot/engine.h"
#include "parigot/wasi.h"

/* What the command line asked for. The string arrays borrow from argv and
 * are NULL-terminated for pg_wasi_config. */
typedef struct exec_opts {
  const char **dirs;
  int ndirs;
  const char **envs;
  int nenvs;
  pg_limits limits;
  const char *file;
  int nargs;        /* guest args after the file */
  char **args;      /* borrowed from argv */
} exec_opts;

static void exec_usage(FILE *out) {
  fprintf(out,
          "usage: parigot exec [options] FILE.wasm [ARGS...]\n"
          "\n"
          "Runs a WebAssembly command module built for WASI preview1 (for\n"
          "example C compiled with clang --target=wasm32-wasi). The program\n"
          "sees FILE.wasm as argv[0], then ARGS. It gets stdin, stdout and\n"
          "stderr, and no files, environment or clock tricks unless given:\n"
          "\n"
          "options:\n"
          "  --dir HOST[:GUEST]    let the program use directory HOST, which it\n"
          "                        sees as GUEST (default: HOST); it cannot\n"
          "                        reach outside it (no '..', absolute paths\n"
          "                        or symlinks out). May be repeated.\n"
          "  --env K=V             set an environment variable (repeatable);\n"
          "                        the program sees no other variables.\n"
          "  --fuel N              stop the program after about N instructions\n"
          "  --max-memory PAGES    cap its memory at PAGES x 64 KiB\n"
          "  -h, --help            show this help\n"
          "\n"
          "exit codes:\n"
          "  the program's own exit code (from exit() or returning from main)\n"
          "  1    FILE cannot be read, is not a valid module, or cannot be\n"
          "       linked (an import that is not WASI preview1)\n"
          "  2    usage error\n"
          "  134  the program trapped or ran out of fuel; the message and a\n"
          "       backtrace go to stderr\n");
}

static int usage_error(void) {
  fprintf(stderr, "\n");
  exec_usage(stderr);
  return PG_CLI_EXIT_USAGE;
}

/* Parses argv into opts; returns -1 to go on, else an exit code. */
static int parse_args(int argc, char **argv, exec_opts *o) {
  int i = 1;
  bool bad = false;
  while (i < argc && !bad) {
    const char *v = NULL, *arg = argv[i];
    uint64_t n;
    if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
      exec_usage(stdout);
      return PG_CLI_EXIT_OK;
    } else if (!strcmp(arg, "--")) {
      i++;
      break;
    } else if (pg__cli_option(argc, argv, &i, "--dir", &v, &bad)) {
      if (v) o->dirs[o->ndirs++] = v;
    } else if (pg__cli_option(argc, argv, &i, "--env", &v, &bad)) {
      if (v && !strchr(v, '=')) {
        fprintf(stderr, "parigot exec: --env wants K=V, got '%s'\n", v);
        bad = true;
      } else if (v) {
        o->envs[o->nenvs++] = v;
      }
    } else if (pg__cli_option(argc, argv, &i, "--fuel", &v, &bad)) {
      if (v && !pg__cli_parse_u64(v, UINT64_MAX, &o->limits.fuel)) {
        fprintf(stderr, "parigot exec: --fuel wants a number, got '%s'\n", v);
        bad = true;
      }
    } else if (pg__cli_option(argc, argv, &i, "--max-memory", &v, &bad)) {
      if (v && (!pg__cli_parse_u64(v, 65536, &n) || n == 0)) {
        fprintf(stderr, "parigot exec: --max-memory wants 1..65536 pages, got '%s'\n", v);
        bad = true;
      } else if (v) {
        o->limits.max_memory_pages = (uint32_t)n;
      }
    } else if (arg[0] == '-' && arg[1] != '\0') {
      fprintf(stderr, "parigot exec: unknown option '%s'\n", arg);
      bad = true;
    } else {
      break;
    }
  }
  if (bad) return usage_error();
  if (i >= argc) {
    fprintf(stderr, "parigot exec: no module file given\n");
    return usage_error();
  }
  o->file = argv[i];
  o->args = argv + i + 1;
  o->nargs = argc - i - 1;
  return -1;
}

/* Reads the whole file; prints why not and returns NULL on failure. */
static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  uint8_t *buf = NULL;
  if (!f) {
    fprintf(stderr, "parigot: cannot open %s: %s\n", path, strerror(errno));
    return NULL;
  }
  size_t cap = 1 << 16, n = 0, got;
  buf = malloc(cap);
  while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) {
      uint8_t *grown = realloc(buf, cap *= 2);
      if (!grown) free(buf);
      buf = grown;
    }
  }
  if (!buf || ferror(f)) {
    fprintf(stderr, "parigot: cannot read %s: %s\n", path,
            buf ? strerror(errno) : "out of memory");
    free(buf);
    buf = NULL;
  }
  fclose(f);
  *len = n;
  return buf;
}

/* Prints a trap (or fuel exhaustion) with its backtrace to stderr. */
static void report_trap(pg_instance *inst, const char *file, pg_status st) {
  const char *msg = st == PG_OUT_OF_FUEL ? pg_status_str(st)
                                         : pg_instance_trap_message(inst);
  if (!msg || !*msg) msg = pg_trap_kind_str(pg_instance_trap_kind(inst));
  fprintf(stderr, "parigot: trap in %s: %s\n", file, msg);
  if (st != PG_TRAP) return;
  size_t need = pg_instance_backtrace(inst, NULL, 0);
  char *bt = need ? malloc(need + 1) : NULL;
  if (bt) {
    pg_instance_backtrace(inst, bt, need + 1);
    fputs(bt, stderr);
    if (need > 0 && bt[need - 1] != '\n') fputc('\n', stderr);
  }
  free(bt);
}

/* Builds the guest's world and runs it; returns the process exit code. */
static int run_module(exec_opts *o, pg_module *m) {
  char err[512] = "";
  int code = PG_CLI_EXIT_FAILURE;
  pg_wasi *w = NULL;
  pg_linker *l = NULL;
  pg_instance *inst = NULL;
  const char **argv = calloc((size_t)o->nargs + 2, sizeof *argv);
  if (!argv) goto fail;
  argv[0] = o->file;
  for (int i = 0; i < o->nargs; i++) argv[i + 1] = o->args[i];
  pg_wasi_config cfg = {.argc = o->nargs + 1, .argv = argv, .envp = o->envs,
                        .stdin_fd = 0, .stdout_fd = 1, .stderr_fd = 2,
                        .preopens = o->dirs};
  if (pg_wasi_new(&w, &cfg, err, sizeof err) != PG_OK) {
    fprintf(stderr, "parigot: %s\n", err);
    goto fail;
  }
  if (pg_linker_new(&l) != PG_OK || pg_wasi_link(w, l) != PG_OK) {
    fprintf(stderr, "parigot: cannot set up WASI\n");
    goto fail;
  }
  pg_status st = pg_instance_new(&inst, m, l, &o->limits, err, sizeof err);
  if (st == PG_TRAP) { /* a start function trapped: the instance is gone */
    fprintf(stderr, "parigot: trap in %s: %s\n", o->file, err);
    code = PG_CLI_EXIT_TRAP;
    goto fail;
  }
  if (st != PG_OK) {
    fprintf(stderr, "parigot: %s: %s: %s\n", o->file, pg_status_str(st), err);
    goto fail;
  }
  int exit_code = 0;
  st = pg_wasi_run_start(w, inst, &exit_code);
  if (st == PG_OK) {
    code = exit_code & 0xff; /* what a POSIX parent would see anyway */
  } else if (st == PG_NOT_FOUND) {
    fprintf(stderr, "parigot: %s has no _start: not a WASI command\n", o->file);
  } else {
    report_trap(inst, o->file, st);
    code = PG_CLI_EXIT_TRAP;
  }
fail:
  pg_instance_free(inst);
  pg_linker_free(l);
  pg_wasi_free(w); /* flushes the guest's stdout */
  free(argv);
  return code;
}

int pg__cli_exec(int argc, char **argv) {
  exec_opts o = {0};
  int code = PG_CLI_EXIT_FAILURE;
  pg_module *m = NULL;
  uint8_t *bytes = NULL;
  /* At most argc options, plus the NULL terminator. */
  o.dirs = calloc((size_t)argc + 1, sizeof *o.dirs);
  o.envs = calloc((size_t)argc + 1, sizeof *o.envs);
  if (!o.dirs || !o.envs) goto done;
  code = parse_args(argc, argv, &o);
  if (code >= 0) goto done;
  code = PG_CLI_EXIT_FAILURE;
  size_t len = 0;
  bytes = read_file(o.file, &len);
  if (!bytes) goto done;
  char err[512] = "";
  pg_status st = pg_module_new(&m, bytes, len, err, sizeof err);
  if (st != PG_OK) {
    fprintf(stderr, "parigot: %s: %s: %s\n", o.file, pg_status_str(st), err);
    goto done;
  }
  code = run_module(&o, m);
done:
  pg_module_free(m);
  free(bytes);
  free(o.dirs);
  free(o.envs);
  return code;
}
