/*
 * embed.c: the embedding example of docs/engine.md, kept here so it is
 * compiled and run by CTest (docs_example; its whole output is compared
 * with expected.txt). It uses only the public header parigot/engine.h:
 * load a module, define host functions (one of them yields), invoke,
 * resume after PG_YIELD and PG_OUT_OF_FUEL, and report a trap with its
 * backtrace.
 *
 *   embed EXAMPLE.wasm      (built from example.wat)
 */
#include <stdio.h>
#include <stdlib.h>

#include "parigot/engine.h"

/* host.print(ptr, len): prints a string from guest memory. Every guest
 * pointer goes through pg_memory_ptr, which returns NULL for a range that
 * is not wholly inside memory: then the guest traps, the host is safe. */
static pg_host_result host_print(pg_host_call *call) {
  uint32_t ptr = (uint32_t)call->args[0], len = (uint32_t)call->args[1];
  const char *s = pg_memory_ptr(call->instance, ptr, len);
  if (!s) return pg_host_trap(call, "print: bad range %u+%u", ptr, len);
  printf("guest says: %.*s\n", (int)len, s);
  return PG_HOST_DONE;
}

/* host.next_ticket() -> i32: suspends the guest. The embedder gets
 * PG_YIELD and passes the result to pg_instance_resume later. */
static pg_host_result host_next_ticket(pg_host_call *call) {
  return PG_HOST_YIELD;
}

/* Reads a whole file; *len gets its size. Returns a malloc'd buffer (the
 * caller frees it) or NULL. */
static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  uint8_t *buf = NULL;
  if (!f) return NULL;
  if (fseek(f, 0, SEEK_END) == 0) {
    long n = ftell(f);
    rewind(f);
    buf = n > 0 ? malloc((size_t)n) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
      *len = (size_t)n;
    } else {
      free(buf);
      buf = NULL;
    }
  }
  fclose(f);
  return buf;
}

/* sum(3): every PG_YIELD is a next_ticket call waiting for its answer. */
static int run_sum(pg_instance *inst) {
  pg_val arg = {.type = PG_I32, .of.i32 = 3};
  pg_status st = pg_instance_invoke(inst, pg_instance_func(inst, "sum"), &arg, 1);
  for (uint32_t ticket = 10; st == PG_YIELD; ticket += 10) {
    printf("yield: next_ticket -> %u\n", ticket);
    pg_cell answer = ticket; /* an i32 result, as a cell */
    st = pg_instance_resume(inst, &answer, 1);
  }
  pg_val result;
  if (st != PG_OK || pg_instance_results(inst, &result, 1) != 1) return -1;
  printf("sum(3) = %u\n", result.of.i32);
  return 0;
}

/* spin(): preempted by fuel twice, then given up. */
static int run_spin(pg_instance *inst) {
  pg_instance_set_fuel(inst, 1000);
  pg_status st = pg_instance_invoke(inst, pg_instance_func(inst, "spin"), NULL, 0);
  for (int slice = 1; st == PG_OUT_OF_FUEL && slice < 3; slice++) {
    printf("spin: %s after slice %d\n", pg_status_str(st), slice);
    pg_instance_set_fuel(inst, 1000); /* the next time slice */
    st = pg_instance_resume(inst, NULL, 0);
  }
  printf("spin: %s, giving up\n", pg_status_str(st));
  pg_instance_abort(inst); /* the instance is idle again */
  pg_instance_set_fuel(inst, 0); /* 0 = unlimited */
  return st == PG_OUT_OF_FUEL ? 0 : -1;
}

/* divide(0): a trap, with kind, message and backtrace. */
static int run_divide(pg_instance *inst) {
  pg_val arg = {.type = PG_I32, .of.i32 = 0};
  pg_status st = pg_instance_invoke(inst, pg_instance_func(inst, "divide"), &arg, 1);
  if (st != PG_TRAP) return -1;
  char bt[512];
  pg_instance_backtrace(inst, bt, sizeof bt);
  printf("divide(0) trapped: %s\n%s", pg_instance_trap_message(inst), bt);
  return 0;
}

int main(int argc, char **argv) {
  pg_module *mod = NULL;
  pg_linker *linker = NULL;
  pg_instance *inst = NULL;
  char err[256];
  int rc = 1;
  size_t len = 0;
  uint8_t *bytes = argc == 2 ? read_file(argv[1], &len) : NULL;
  if (!bytes) {
    fprintf(stderr, "usage: embed EXAMPLE.wasm (a readable file)\n");
    return 2;
  }
  /* Decode + validate + compile once; the bytes are copied. */
  if (pg_module_new(&mod, bytes, len, err, sizeof err) != PG_OK) goto fail;
  free(bytes);
  bytes = NULL;
  /* Imports resolve by (module, name); the signature is checked too. */
  if (pg_linker_new(&linker) != PG_OK ||
      pg_linker_define_func(linker, "host", "print", "ii->", host_print,
                            NULL) != PG_OK ||
      pg_linker_define_func(linker, "host", "next_ticket", "->i",
                            host_next_ticket, NULL) != PG_OK) {
    snprintf(err, sizeof err, "cannot set up the linker");
    goto fail;
  }
  pg_limits limits = {.max_memory_pages = 16, .max_call_depth = 1000};
  if (pg_instance_new(&inst, mod, linker, &limits, err, sizeof err) != PG_OK)
    goto fail;
  if (run_sum(inst) != 0 || run_spin(inst) != 0 || run_divide(inst) != 0) {
    snprintf(err, sizeof err, "unexpected engine status");
    goto fail;
  }
  rc = 0;
fail:
  if (rc) fprintf(stderr, "embed: %s\n", err);
  pg_instance_free(inst);  /* before the linker that owns its host funcs */
  pg_linker_free(linker);
  pg_module_free(mod);     /* may go any time; the instance holds a ref */
  free(bytes);
  return rc;
}
