/*
 * interp.c: runs compiled code. TEMPORARY STUB so the team can link; every
 * invocation traps with "unreachable" until the interpreter lands.
 */
#include <stdlib.h>

#include "runtime.h"

pg_status pg__interp_invoke(pg_instance *inst, const pg_func *fn,
                            const pg_cell *args, uint32_t nargs) {
  (void)fn;
  (void)args;
  (void)nargs;
  pg__trap(inst, PG_TRAP_UNREACHABLE, "unreachable");
  inst->state = PG_RUN_IDLE;
  return PG_TRAP;
}

pg_status pg__interp_resume(pg_instance *inst, const pg_cell *host_results,
                            uint32_t nresults) {
  (void)host_results;
  (void)nresults;
  (void)inst;
  return PG_BAD_STATE;
}

void pg__exec_free(pg_exec *exec) { free(exec); }

void pg__interp_abort(pg_instance *inst) { inst->state = PG_RUN_IDLE; }
