/*
 * api.c: the execution half of the public instance API — invoke, resume,
 * abort, results, fuel, traps, backtraces, host-function helpers and the
 * user pointer.
 *
 * These functions own the instance's run state machine (runtime.h's
 * pg_run_state): a call starts only from IDLE or DONE, a resume only from
 * YIELDED or NO_FUEL, and whatever the interpreter returns decides the next
 * state. The interpreter (interp.c) does the running; this file checks the
 * embedder's input first, because nothing the embedder passes may break an
 * interpreter invariant.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "instance.h"

/* ---------------------------------------------------------------------------
 * Traps
 */

static void vset_trap(pg_instance *inst, pg_trap_kind kind, const char *fmt,
                      va_list ap) {
  inst->trap.kind = kind;
  vsnprintf(inst->trap.message, sizeof inst->trap.message, fmt, ap);
}

void pg__trap(pg_instance *inst, pg_trap_kind kind, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vset_trap(inst, kind, fmt, ap);
  va_end(ap);
}

static void clear_trap(pg_instance *inst) {
  inst->trap.kind = PG_TRAP_NONE;
  inst->trap.message[0] = '\0';
  inst->trap.exit_code = 0;
  inst->trap.nframes = 0;
}

pg_host_result pg_host_trap(pg_host_call *call, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vset_trap(call->instance, PG_TRAP_HOST, fmt, ap);
  va_end(ap);
  return PG_HOST_TRAP;
}

pg_host_result pg_host_exit(pg_host_call *call, int32_t code) {
  pg__trap(call->instance, PG_TRAP_EXIT, "program exited with code %d",
           (int)code);
  call->instance->trap.exit_code = code;
  return PG_HOST_TRAP;
}

pg_trap_kind pg_instance_trap_kind(const pg_instance *inst) {
  return inst->trap.kind;
}

const char *pg_instance_trap_message(const pg_instance *inst) {
  return inst->trap.message;
}

int32_t pg_instance_exit_code(const pg_instance *inst) {
  return inst->trap.exit_code;
}

/* Writes one backtrace line for frame `depth`; returns snprintf's count. */
static int backtrace_line(char *buf, size_t len, uint32_t depth,
                          const pg_func *f) {
  if (!f->owner)
    return snprintf(buf, len, "  #%u %s (host)\n", depth,
                    f->host_name ? f->host_name : "?");
  const pg_module *m = f->owner->module;
  const char *name = m->func_names ? m->func_names[f->index] : NULL;
  if (name)
    return snprintf(buf, len, "  #%u %s (func %u)\n", depth, name, f->index);
  return snprintf(buf, len, "  #%u func[%u] (func %u)\n", depth, f->index,
                  f->index);
}

size_t pg_instance_backtrace(const pg_instance *inst, char *buf, size_t len) {
  size_t need = 0;
  if (buf && len)
    buf[0] = '\0';
  for (uint32_t i = 0; i < inst->trap.nframes; i++) {
    size_t room = need < len ? len - need : 0;
    int n = backtrace_line(room ? buf + need : NULL, room, i,
                           inst->trap.frames[i]);
    if (n > 0)
      need += (size_t)n;
  }
  return need;
}

/* ---------------------------------------------------------------------------
 * Running
 */

/* Maps what the interpreter returned to the next run state. */
static pg_status settle(pg_instance *inst, pg_status st) {
  switch (st) {
  case PG_OK: inst->state = PG_RUN_DONE; break;
  case PG_YIELD: inst->state = PG_RUN_YIELDED; break;
  case PG_OUT_OF_FUEL: inst->state = PG_RUN_NO_FUEL; break;
  default: inst->state = PG_RUN_IDLE; break;
  }
  return st;
}

/* PG_BAD_ARG with the reason kept as the instance's message. */
static pg_status bad_arg(pg_instance *inst, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static pg_status bad_arg(pg_instance *inst, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vset_trap(inst, PG_TRAP_NONE, fmt, ap);
  va_end(ap);
  return PG_BAD_ARG;
}

static pg_status check_args(pg_instance *inst, const pg_func *fn,
                            const pg_val *args, size_t nargs) {
  const pg_functype *t = fn->type;
  if (nargs != t->nparams)
    return bad_arg(inst, "expected %u arguments, got %zu", t->nparams,
                   nargs);
  for (uint32_t i = 0; i < t->nparams; i++)
    if ((int)args[i].type != (int)t->types[i])
      return bad_arg(inst, "argument %u has type 0x%02x, expected 0x%02x", i,
                     (unsigned)args[i].type, (unsigned)t->types[i]);
  return PG_OK;
}

pg_status pg_instance_invoke(pg_instance *inst, const pg_func *fn,
                             const pg_val *args, size_t nargs) {
  pg_cell small[16];
  pg_cell *cells = small;
  if (!inst || !fn || (nargs && !args))
    return PG_BAD_ARG;
  if (inst->state != PG_RUN_IDLE && inst->state != PG_RUN_DONE)
    return PG_BAD_STATE;
  clear_trap(inst);
  pg_status st = check_args(inst, fn, args, nargs);
  if (st != PG_OK)
    return st;
  if (nargs > 16 && !(cells = malloc(nargs * sizeof *cells)))
    return PG_NOMEM;
  for (size_t i = 0; i < nargs; i++)
    cells[i] = pg__val_to_cell(args[i]);
  inst->nresults = 0;
  inst->state = PG_RUN_RUNNING;
  st = settle(inst, pg__interp_invoke(inst, fn, cells, (uint32_t)nargs));
  if (cells != small)
    free(cells);
  return st;
}

pg_status pg_instance_resume(pg_instance *inst, const pg_cell *host_results,
                             size_t nresults) {
  if (!inst || (nresults && !host_results))
    return PG_BAD_ARG;
  if (inst->state == PG_RUN_NO_FUEL) {
    host_results = NULL;
    nresults = 0;
  } else if (inst->state != PG_RUN_YIELDED) {
    return PG_BAD_STATE;
  }
  pg_run_state suspended = inst->state;
  clear_trap(inst);
  inst->state = PG_RUN_RUNNING;
  pg_status st = pg__interp_resume(inst, host_results, (uint32_t)nresults);
  if (st == PG_BAD_ARG || st == PG_BAD_STATE) {
    /* Refused before running (e.g. the wrong number of results): the
     * computation is still suspended and may be resumed properly. */
    inst->state = suspended;
    if (st == PG_BAD_ARG)
      bad_arg(inst, "%zu results do not match the yielded host function",
              nresults);
    return st;
  }
  return settle(inst, st);
}

void pg_instance_abort(pg_instance *inst) {
  if (!inst)
    return;
  /* Only a suspended computation can be dropped; a running one is on the C
   * stack below us (a host function calling abort on its own instance). */
  if (inst->state != PG_RUN_YIELDED && inst->state != PG_RUN_NO_FUEL)
    return;
  pg__interp_abort(inst);
  inst->state = PG_RUN_IDLE;
}

size_t pg_instance_results(const pg_instance *inst, pg_val *out, size_t cap) {
  if (!inst || inst->state != PG_RUN_DONE)
    return 0;
  const pg_val *all = inst->nresults > 16 ? inst->results_big : inst->results;
  size_t n = inst->nresults < cap ? inst->nresults : cap;
  if (n && out && all)
    memcpy(out, all, n * sizeof *out);
  return inst->nresults;
}

pg_status pg_instance_call(pg_instance *inst, const pg_func *fn,
                           const pg_val *args, size_t nargs, pg_val *results,
                           size_t nresults) {
  pg_status st = pg_instance_invoke(inst, fn, args, nargs);
  if (st == PG_YIELD || st == PG_OUT_OF_FUEL) {
    pg_instance_abort(inst);
    bad_arg(inst, "%s during pg_instance_call",
            st == PG_YIELD ? "a host function yielded" : "fuel ran out");
    return PG_BAD_STATE;
  }
  if (st == PG_OK)
    pg_instance_results(inst, results, nresults);
  return st;
}

/* ---------------------------------------------------------------------------
 * Fuel and user data
 */

/* Remaining fuel; 0 when fuel is unlimited (and when it ran out). */
uint64_t pg_instance_fuel(const pg_instance *inst) {
  return inst->fuel_enabled ? inst->fuel : 0;
}

void pg_instance_set_fuel(pg_instance *inst, uint64_t fuel) {
  inst->fuel = fuel;
  inst->fuel_enabled = fuel != 0;
  inst->limits.fuel = fuel;
}

void pg_instance_set_user(pg_instance *inst, void *user) { inst->user = user; }

void *pg_instance_user(const pg_instance *inst) { return inst->user; }
