/*
 * trap.c: a guest that traps on purpose, for the CLI test: argv[1] picks
 * the trap (unreachable, div, oob, stack, loop for fuel; alloc only counts
 * how much malloc gets, for --max-memory), reached through named functions
 * so the backtrace has something to show. It prints (and flushes) a line
 * first: that line must reach stdout even though the program dies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile int zero = 0;
static char *volatile sink;
static volatile int never = -1; /* keeps the recursion formally finite */

__attribute__((noinline)) static int innermost_trap(const char *kind) {
  if (strcmp(kind, "div") == 0) return 100 / zero;
  if (strcmp(kind, "oob") == 0) return *(volatile int *)(0xFFFFFFF0u);
  __builtin_trap();
}

__attribute__((noinline)) static int middle_frame(const char *kind) {
  return innermost_trap(kind) + 1;
}

/* No locals in linear memory, so the wasm call stack (not the C shadow
 * stack) runs out first. */
__attribute__((noinline)) static int recurse_forever(int n) {
  if (n == never) return 0;
  return recurse_forever(n + 1) * 3 + 1;
}

int main(int argc, char **argv) {
  const char *kind = argc > 1 ? argv[1] : "unreachable";
  printf("about to trap: %s\n", kind);
  fflush(stdout);
  if (strcmp(kind, "stack") == 0) return recurse_forever(0);
  if (strcmp(kind, "alloc") == 0) { /* no trap: count 1 MiB blocks */
    int mib = 0;
    char *block;
    while (mib < 64 && (block = malloc(1 << 20)) != NULL) {
      block[mib] = (char)mib; /* used, so the compiler keeps the malloc */
      sink = block;
      mib++;
    }
    printf("allocated %d MiB\n", mib);
    return 0;
  }
  if (strcmp(kind, "loop") == 0) {
    for (volatile unsigned long i = 0;; i++) {
    }
  }
  return middle_frame(kind);
}
