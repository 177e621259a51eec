/*
 * handler_map.c: pg_bench_handlers, a developer tool for profiling the
 * interpreter. Prints every operation's handler address as a byte offset
 * from pg__interp_handlers, one "OFFSET NAME" per line. profile.sh maps
 * perf samples inside the interpreter loop to these offsets, which tells
 * which operations the time goes to (the handlers are labels inside one C
 * function, so perf alone only sees "run").
 *
 * It reads the engine's internal ir.h on purpose: it is a tool for the
 * engine's authors, not a user of the public API.
 */
#include <stdio.h>

#include "ir.h"

static const char *const op_names[] = {
#define XX_(name, nops) #name,
    PG_OP_MAP_ALL_
#undef XX_
};

int main(void)
{
  const void *const *handlers = pg__interp_handlers();
  const char *origin = (const char *)(void *)pg__interp_handlers;
  for (int i = 0; i < PG_OP_COUNT_; i++)
    printf("%ld %s\n", (long)((const char *)handlers[i] - origin),
           op_names[i]);
  return 0;
}
