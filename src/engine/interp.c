/*
 * interp.c: runs compiled code (ir.h) on an instance's own stack.
 *
 * One function, run(), holds the dispatch loop: every op is a label, the
 * compiler stores label addresses in the code, and each handler ends with
 * `goto *pc->op` (threaded code; one indirect jump per instruction, which
 * the CPU predicts per site). Hot state lives in C locals the compiler keeps
 * in registers: pc, fp, and the current instance's memory base and size.
 *
 * Wasm-to-Wasm calls never recurse in C: a call pushes a pg_frame on the
 * exec's frame array and moves fp to the callee's first argument slot (the
 * arguments are already there, so nothing is copied); a return pops it.
 * That is what lets a host function suspend the whole computation (the
 * state is just pc/fp/depth, saved in pg_exec) and lets runaway recursion
 * end in a clean "call stack exhausted" trap.
 *
 * The code of one module may call into another instance (imports), so the
 * context (memory, globals, tables, functions) is that of `cur`, switched on
 * calls and returns that cross instances. Traps, suspensions and results
 * always belong to the instance that was invoked (`root`), whose stack this
 * is.
 *
 * The loop is longer than the house limit because it is the dispatch loop:
 * splitting it into functions would put a call on every instruction.
 */
#include <stdlib.h>
#include <string.h>

#include "ir.h"
#include "numeric.h"
#include "runtime.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "loads and stores assume a little-endian host"
#endif

#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

#define DEFAULT_STACK_BYTES (1u << 20)
#define DEFAULT_CALL_DEPTH 10000u

/* One activation of a wasm function. */
typedef struct pg_frame {
  const pg_word *ret_pc; /* where the caller continues */
  pg_cell *ret_fp;       /* the caller's frame */
  const pg_func *func;   /* the function running in this frame */
  pg_instance *caller;   /* the caller's instance (context to restore) */
} pg_frame;

struct pg_exec {
  pg_cell *stack; /* owned, value cells */
  pg_cell *stack_end;
  pg_frame *frames; /* owned, max_frames entries */
  uint32_t max_frames;
  uint32_t depth; /* frames in use (valid while suspended) */
  pg_run_state suspended; /* PG_RUN_YIELDED, PG_RUN_NO_FUEL or IDLE */
  /* Saved while suspended (yield or out of fuel). */
  const pg_word *pc;
  pg_cell *fp;
  pg_instance *cur;
  pg_cell *yield_results; /* where a yielded host call's results go */
  uint32_t yield_nresults;
  /* The function being invoked, and the two-instruction trampoline that
   * calls it and stops: [call_entry][halt]. */
  const pg_func *entry_func;
  pg_word entry_code[2];
};

/* Charges `cost` units; true when the budget is already used up (the
 * instruction must not run). A cost larger than what is left empties the
 * budget but still runs, so every resume makes progress. */
static inline bool out_of_fuel(pg_instance *root, uint64_t cost) {
  if (cost == 0) return false;
  if (root->fuel == 0) return true;
  root->fuel = root->fuel > cost ? root->fuel - cost : 0;
  return false;
}

static void capture_backtrace(pg_instance *root, const pg_exec *ex,
                              uint32_t depth, const pg_func *host) {
  uint32_t n = 0;
  if (host) root->trap.frames[n++] = host;
  for (uint32_t k = depth; k-- > 0 && n < PG_BACKTRACE_MAX;)
    root->trap.frames[n++] = ex->frames[k].func;
  root->trap.nframes = n;
}

/* Runs from the state saved in ex until the entry call returns (PG_OK), a
 * trap (PG_TRAP), a yield (PG_YIELD) or the fuel runs out (PG_OUT_OF_FUEL).
 * Called with root == NULL, it only hands out the handler table. */
static pg_status run(pg_instance *root, pg_exec *ex,
                     const void *const **table_out) {
  static const void *const labels[PG_OP_COUNT_] = {
#define XX_(name, nops) &&op_##name,
      PG_OP_MAP_ALL_
#undef XX_
  };
  if (!root) {
    *table_out = labels;
    return PG_OK;
  }

  const pg_word *pc = ex->pc;
  pg_cell *fp = ex->fp;
  pg_instance *cur = ex->cur;
  uint32_t depth = ex->depth;
  pg_frame *const frames = ex->frames;
  const uint32_t max_frames = ex->max_frames;
  pg_cell *const stack_end = ex->stack_end;
  const bool fuel_on = root->fuel_enabled;
  pg_memory *mem;
  uint8_t *mem_base;
  uint64_t mem_size;
  pg_global **globals;
  pg_func **funcs;
  pg_table **tables;
  pg_trap_kind trap_kind = PG_TRAP_NONE;
  const pg_func *callee = NULL, *host_func = NULL;
  int64_t call_base = 0;
  const pg_word *call_next = NULL;

#define RELOAD_MEMORY()                                                     \
  do {                                                                      \
    mem = cur->memory;                                                      \
    mem_base = mem ? mem->base : NULL;                                      \
    mem_size = mem ? mem->size : 0;                                         \
  } while (0)
#define LOAD_CONTEXT()                                                      \
  do {                                                                      \
    RELOAD_MEMORY();                                                        \
    globals = cur->globals;                                                 \
    funcs = cur->funcs;                                                     \
    tables = cur->tables;                                                   \
  } while (0)

/* Every handler ends in its own indirect jump, so the CPU predicts the
 * next handler per site. Left alone, clang merges the identical tails
 * (`pc += N; goto *pc->op`) of all handlers into one shared jump, which
 * predicts badly: sha256 spent most of its time in that one jump and ran
 * at 22x native. The empty asm with a distinct comment per site makes the
 * tails differ, so nothing is merged. */
#define PG_STR_(x) #x
#define PG_STR(x) PG_STR_(x)
#define NEXT()                                                              \
  do {                                                                      \
    __asm__ volatile("# dispatch " PG_STR(__COUNTER__) : "+r"(pc));         \
    goto *pc->op;                                                           \
  } while (0)
#define ADV(name)                                                           \
  do {                                                                      \
    pc += PG_SZ_##name;                                                     \
    NEXT();                                                                 \
  } while (0)
#define TRAP(kind)                                                          \
  do {                                                                      \
    trap_kind = (kind);                                                     \
    goto trap;                                                              \
  } while (0)
#define CHARGE(cost)                                                        \
  do {                                                                      \
    if (UNLIKELY(fuel_on) && out_of_fuel(root, (cost))) goto no_fuel;       \
  } while (0)
/* Takes the branch whose (off, cost) pair starts at pc[1]. */
#define TAKE()                                                              \
  do {                                                                      \
    CHARGE(pc[2].u);                                                        \
    pc = pc + 1 + pc[1].i;                                                  \
    NEXT();                                                                 \
  } while (0)

/* True when fewer than n cells are left from p (inside the stack) to the
 * end of the stack. */
#define NO_ROOM(p, n) ((size_t)(stack_end - (p)) < (size_t)(n))

#define S(k) fp[pc[k].i]
#define U32(k) ((uint32_t)S(k))
#define I32(k) ((int32_t)(uint32_t)S(k))
#define F32(k) pg_f32_from_bits((uint32_t)S(k))
#define F64(k) pg_f64_from_bits(S(k))
#define SET_I32(k, v) (S(k) = (uint64_t)(uint32_t)(v))
#define SET_I64(k, v) (S(k) = (uint64_t)(v))
#define SET_F32(k, v) (S(k) = (uint64_t)pg_f32_bits(v))
#define SET_F64(k, v) (S(k) = pg_f64_bits(v))

  LOAD_CONTEXT();
  NEXT();

  /* ---- control --------------------------------------------------------- */
op_halt:
  ex->depth = 0;
  return PG_OK;

op_call_entry:
  callee = ex->entry_func;
  call_base = 0;
  call_next = pc + PG_SZ_call_entry;
  goto do_call;

op_unreachable:
  TRAP(PG_TRAP_UNREACHABLE);

op_br:
  TAKE();

op_br_if:
  if (U32(3)) TAKE();
  ADV(br_if);

op_br_unless:
  if (!U32(3)) TAKE();
  ADV(br_unless);

op_br_table: {
  uint32_t i = U32(1);
  uint64_t n = pc[2].u;
  const pg_word *e = pc + 3 + 2 * (i < n ? (uint64_t)i : n);
  CHARGE(e[1].u);
  pc = e + e[0].i;
  NEXT();
}

op_ret1:
op_ret1_pad:
  fp[0] = S(1);
  /* fall through */
op_ret:
op_ret_pad: {
  pg_frame *fr = &frames[--depth];
  pc = fr->ret_pc;
  fp = fr->ret_fp;
  if (UNLIKELY(fr->caller != cur)) {
    cur = fr->caller;
    LOAD_CONTEXT();
  }
  NEXT();
}

op_call:
  callee = funcs[pc[1].i];
  call_base = pc[2].i;
  call_next = pc + PG_SZ_call;
  goto do_call;

op_call_wasm: {
  const pg_fcode *fc = pc[3].ptr;
  pg_cell *nfp = fp + pc[2].i;
  CHARGE(fc->entry_cost);
  if (UNLIKELY(depth >= max_frames || NO_ROOM(nfp, fc->frame_slots)))
    TRAP(PG_TRAP_STACK_EXHAUSTED);
  pg_frame *fr = &frames[depth++];
  fr->ret_pc = pc + PG_SZ_call_wasm;
  fr->ret_fp = fp;
  fr->func = funcs[pc[1].i];
  fr->caller = cur;
  fp = nfp;
  for (uint32_t k = 0; k < fc->nlocals; k++) fp[fc->nparams + k] = 0;
  pc = fc->code;
  NEXT();
}

op_call_indirect: {
  const pg_table *t = tables[pc[1].i];
  uint32_t i = U32(4);
  if (UNLIKELY(i >= t->size)) TRAP(PG_TRAP_UNDEFINED_ELEMENT);
  callee = t->elems[i];
  if (UNLIKELY(!callee)) TRAP(PG_TRAP_UNINIT_ELEMENT);
  if (UNLIKELY(callee->sig_id != pc[2].u)) TRAP(PG_TRAP_INDIRECT_TYPE);
  call_base = pc[3].i;
  call_next = pc + PG_SZ_call_indirect;
  goto do_call;
}

do_call: {
  if (callee->host) goto do_host_call;
  const pg_fcode *fc = callee->code;
  pg_cell *nfp = fp + call_base;
  CHARGE(fc->entry_cost);
  if (UNLIKELY(depth >= max_frames || NO_ROOM(nfp, fc->frame_slots)))
    TRAP(PG_TRAP_STACK_EXHAUSTED);
  pg_frame *fr = &frames[depth++];
  fr->ret_pc = call_next;
  fr->ret_fp = fp;
  fr->func = callee;
  fr->caller = cur;
  fp = nfp;
  for (uint32_t k = 0; k < fc->nlocals; k++) fp[fc->nparams + k] = 0;
  if (callee->owner != cur) {
    cur = callee->owner;
    LOAD_CONTEXT();
  }
  pc = fc->code;
  NEXT();
}

do_host_call: {
  /* Arguments stay where they are; results are written just above them
   * (so a host function may read its arguments in any order while writing
   * results) and then moved down. */
  pg_cell *args = fp + call_base;
  uint32_t np = callee->type->nparams, nr = callee->type->nresults;
  if (UNLIKELY(NO_ROOM(args, (size_t)np + nr)))
    TRAP(PG_TRAP_STACK_EXHAUSTED);
  ex->depth = depth;
  pg_host_call hc = {.instance = cur, .args = args, .results = args + np,
                     .env = callee->env, .func = callee};
  pg_host_result hr = callee->host(&hc);
  if (LIKELY(hr == PG_HOST_DONE)) {
    if (nr) memmove(args, args + np, (size_t)nr * sizeof *args);
    RELOAD_MEMORY();
    pc = call_next;
    NEXT();
  }
  if (hr == PG_HOST_YIELD) {
    ex->yield_results = args;
    ex->yield_nresults = nr;
    ex->pc = call_next;
    ex->fp = fp;
    ex->cur = cur;
    ex->depth = depth;
    ex->suspended = root->state = PG_RUN_YIELDED;
    return PG_YIELD;
  }
  host_func = callee;
  if (cur != root) root->trap = cur->trap;
  goto trap_recorded;
}

op_copy:
  S(1) = S(2);
  ADV(copy);

op_copy2:
  S(1) = S(2);
  S(3) = S(4);
  ADV(copy2);

op_const:
  S(1) = pc[2].u;
  ADV(const);

op_select:
  S(1) = U32(4) ? S(2) : S(3);
  ADV(select);

op_select64:
  S(1) = S(4) ? S(2) : S(3);
  ADV(select64);

op_global_get:
  S(1) = globals[pc[2].i]->value;
  ADV(global_get);

op_global_set:
  globals[pc[1].i]->value = S(2);
  ADV(global_set);

  /* ---- memory ---------------------------------------------------------- */
/* One access at effective address `ea` (64-bit, so address + offset
 * cannot wrap), in the three address forms of ir.h. */
#define LOAD_AT(label, name, ctype, conv, addr, memoff)                     \
  label : {                                                                 \
    uint64_t ea = (uint64_t)(addr) + pc[memoff].u;                          \
    ctype v;                                                                \
    if (UNLIKELY(ea + sizeof v > mem_size)) TRAP(PG_TRAP_MEMORY_OOB);       \
    memcpy(&v, mem_base + ea, sizeof v);                                    \
    S(1) = conv;                                                            \
    ADV(name);                                                              \
  }
#define LOAD(name, ctype, conv)                                             \
  LOAD_AT(op_##name, name, ctype, conv, U32(2), 3)                          \
  LOAD_AT(op_##name##_rr, name##_rr, ctype, conv, U32(2) + U32(3), 4)       \
  LOAD_AT(op_##name##_ri, name##_ri, ctype, conv,                           \
          U32(2) + (uint32_t)pc[3].u, 4)                                    \
  LOAD_AT(op_##name##_rs, name##_rs, ctype, conv,                           \
          U32(2) + (U32(3) << pc[4].u), 5)                                  \
  LOAD_AT(op_##name##_si, name##_si, ctype, conv,                           \
          (U32(2) << pc[3].u) + (uint32_t)pc[4].u, 5)
#define STORE_AT(label, name, ctype, addr, value, memoff)                   \
  label : {                                                                 \
    uint64_t ea = (uint64_t)(addr) + pc[memoff].u;                          \
    ctype v = (ctype)S(value);                                              \
    if (UNLIKELY(ea + sizeof v > mem_size)) TRAP(PG_TRAP_MEMORY_OOB);       \
    memcpy(mem_base + ea, &v, sizeof v);                                    \
    ADV(name);                                                              \
  }
#define STORE(name, ctype)                                                  \
  STORE_AT(op_##name, name, ctype, U32(1), 2, 3)                            \
  STORE_AT(op_##name##_rr, name##_rr, ctype, U32(1) + U32(2), 3, 4)         \
  STORE_AT(op_##name##_ri, name##_ri, ctype, U32(1) + (uint32_t)pc[2].u, 3, \
           4)                                                               \
  STORE_AT(op_##name##_rs, name##_rs, ctype, U32(1) + (U32(2) << pc[3].u),  \
           4, 5)                                                            \
  STORE_AT(op_##name##_si, name##_si, ctype,                                \
           (U32(1) << pc[2].u) + (uint32_t)pc[3].u, 4, 5)
  LOAD(i32_load, uint32_t, v)
  LOAD(i64_load, uint64_t, v)
  LOAD(i32_load8_s, int8_t, (uint32_t)(int32_t)v)
  LOAD(i32_load8_u, uint8_t, v)
  LOAD(i32_load16_s, int16_t, (uint32_t)(int32_t)v)
  LOAD(i32_load16_u, uint16_t, v)
  LOAD(i64_load8_s, int8_t, (uint64_t)(int64_t)v)
  LOAD(i64_load8_u, uint8_t, v)
  LOAD(i64_load16_s, int16_t, (uint64_t)(int64_t)v)
  LOAD(i64_load16_u, uint16_t, v)
  LOAD(i64_load32_s, int32_t, (uint64_t)(int64_t)v)
  LOAD(i64_load32_u, uint32_t, v)
  STORE(i32_store, uint32_t)
  STORE(i64_store, uint64_t)
  STORE(i32_store8, uint8_t)
  STORE(i32_store16, uint16_t)

op_memory_size:
  SET_I32(1, mem ? mem->pages : 0);
  ADV(memory_size);

op_memory_grow: {
  int64_t r = pg__memory_grow(mem, U32(2));
  SET_I32(1, (uint32_t)(int32_t)r);
  RELOAD_MEMORY();
  ADV(memory_grow);
}

op_memory_fill: {
  uint32_t d = U32(1), n = U32(3);
  if (UNLIKELY((uint64_t)d + n > mem_size)) TRAP(PG_TRAP_MEMORY_OOB);
  if (n) memset(mem_base + d, (int)(U32(2) & 0xFF), n);
  ADV(memory_fill);
}

op_memory_copy: {
  uint32_t d = U32(1), s = U32(2), n = U32(3);
  if (UNLIKELY((uint64_t)d + n > mem_size || (uint64_t)s + n > mem_size))
    TRAP(PG_TRAP_MEMORY_OOB);
  if (n) memmove(mem_base + d, mem_base + s, n);
  ADV(memory_copy);
}

op_memory_init: {
  const pg_data_inst *di = &cur->datas[pc[1].i];
  uint32_t d = U32(2), s = U32(3), n = U32(4);
  if (UNLIKELY((uint64_t)s + n > di->len || (uint64_t)d + n > mem_size))
    TRAP(PG_TRAP_MEMORY_OOB);
  if (n) memcpy(mem_base + d, di->bytes + s, n);
  ADV(memory_init);
}

op_data_drop:
  cur->datas[pc[1].i].len = 0;
  ADV(data_drop);

op_table_get: {
  const pg_table *t = tables[pc[2].i];
  uint32_t i = U32(3);
  if (UNLIKELY(i >= t->size)) TRAP(PG_TRAP_TABLE_OOB);
  S(1) = (pg_cell)(uintptr_t)t->elems[i];
  ADV(table_get);
}

op_table_set: {
  pg_table *t = tables[pc[1].i];
  uint32_t i = U32(2);
  if (UNLIKELY(i >= t->size)) TRAP(PG_TRAP_TABLE_OOB);
  t->elems[i] = (void *)(uintptr_t)S(3);
  ADV(table_set);
}

op_table_size:
  SET_I32(1, tables[pc[2].i]->size);
  ADV(table_size);

op_table_grow: {
  int64_t r = pg__table_grow(tables[pc[2].i], U32(4),
                             (void *)(uintptr_t)S(3));
  SET_I32(1, (uint32_t)(int32_t)r);
  ADV(table_grow);
}

op_table_fill: {
  pg_table *t = tables[pc[1].i];
  uint32_t i = U32(2), n = U32(4);
  void *v = (void *)(uintptr_t)S(3);
  if (UNLIKELY((uint64_t)i + n > t->size)) TRAP(PG_TRAP_TABLE_OOB);
  for (uint32_t k = 0; k < n; k++) t->elems[i + k] = v;
  ADV(table_fill);
}

op_table_copy: {
  pg_table *dt = tables[pc[1].i];
  const pg_table *st = tables[pc[2].i];
  uint32_t d = U32(3), s = U32(4), n = U32(5);
  if (UNLIKELY((uint64_t)d + n > dt->size || (uint64_t)s + n > st->size))
    TRAP(PG_TRAP_TABLE_OOB);
  if (n) memmove(dt->elems + d, st->elems + s, (size_t)n * sizeof(void *));
  ADV(table_copy);
}

op_table_init: {
  pg_table *t = tables[pc[1].i];
  const pg_elem_inst *e = &cur->elems[pc[2].i];
  uint32_t d = U32(3), s = U32(4), n = U32(5);
  if (UNLIKELY((uint64_t)s + n > e->len || (uint64_t)d + n > t->size))
    TRAP(PG_TRAP_TABLE_OOB);
  if (n) memcpy(t->elems + d, e->refs + s, (size_t)n * sizeof(void *));
  ADV(table_init);
}

op_elem_drop:
  cur->elems[pc[1].i].len = 0;
  ADV(elem_drop);

op_ref_func:
  S(1) = (pg_cell)(uintptr_t)funcs[pc[2].i];
  ADV(ref_func);

  /* ---- numeric ---------------------------------------------------------- */
#define UN(name, get, set, expr)                                            \
  op_##name : {                                                             \
    __auto_type a = get(2);                                                 \
    set(1, (expr));                                                         \
    ADV(name);                                                              \
  }
#define GET_U32(k) U32(k)
#define GET_U64(k) S(k)
  UN(i32_eqz, GET_U32, SET_I32, a == 0)
  UN(i64_eqz, GET_U64, SET_I32, a == 0)
  UN(i32_clz, GET_U32, SET_I32, pg_i32_clz(a))
  UN(i32_ctz, GET_U32, SET_I32, pg_i32_ctz(a))
  UN(i32_popcnt, GET_U32, SET_I32, pg_i32_popcnt(a))
  UN(i64_clz, GET_U64, SET_I64, pg_i64_clz(a))
  UN(i64_ctz, GET_U64, SET_I64, pg_i64_ctz(a))
  UN(i64_popcnt, GET_U64, SET_I64, pg_i64_popcnt(a))
  UN(f32_abs, F32, SET_F32, pg_f32_abs(a))
  UN(f32_neg, F32, SET_F32, pg_f32_neg(a))
  UN(f32_ceil, F32, SET_F32, pg_f32_ceil(a))
  UN(f32_floor, F32, SET_F32, pg_f32_floor(a))
  UN(f32_trunc, F32, SET_F32, pg_f32_trunc(a))
  UN(f32_nearest, F32, SET_F32, pg_f32_nearest(a))
  UN(f32_sqrt, F32, SET_F32, pg_f32_sqrt(a))
  UN(f64_abs, F64, SET_F64, pg_f64_abs(a))
  UN(f64_neg, F64, SET_F64, pg_f64_neg(a))
  UN(f64_ceil, F64, SET_F64, pg_f64_ceil(a))
  UN(f64_floor, F64, SET_F64, pg_f64_floor(a))
  UN(f64_trunc, F64, SET_F64, pg_f64_trunc(a))
  UN(f64_nearest, F64, SET_F64, pg_f64_nearest(a))
  UN(f64_sqrt, F64, SET_F64, pg_f64_sqrt(a))
  UN(i32_wrap_i64, GET_U64, SET_I32, (uint32_t)a)
  UN(i64_extend_i32_s, GET_U32, SET_I64, (int64_t)(int32_t)a)
  UN(i64_extend_i32_u, GET_U32, SET_I64, a)
  UN(f32_convert_i32_s, GET_U32, SET_F32, pg_f32_convert_i32_s((int32_t)a))
  UN(f32_convert_i32_u, GET_U32, SET_F32, pg_f32_convert_i32_u(a))
  UN(f32_convert_i64_s, GET_U64, SET_F32, pg_f32_convert_i64_s((int64_t)a))
  UN(f32_convert_i64_u, GET_U64, SET_F32, pg_f32_convert_i64_u(a))
  UN(f32_demote_f64, F64, SET_F32, (float)a)
  UN(f64_convert_i32_s, GET_U32, SET_F64, pg_f64_convert_i32_s((int32_t)a))
  UN(f64_convert_i32_u, GET_U32, SET_F64, pg_f64_convert_i32_u(a))
  UN(f64_convert_i64_s, GET_U64, SET_F64, pg_f64_convert_i64_s((int64_t)a))
  UN(f64_convert_i64_u, GET_U64, SET_F64, pg_f64_convert_i64_u(a))
  UN(f64_promote_f32, F32, SET_F64, (double)a)
  UN(i32_extend8_s, GET_U32, SET_I32, (int32_t)(int8_t)a)
  UN(i32_extend16_s, GET_U32, SET_I32, (int32_t)(int16_t)a)
  UN(i64_extend8_s, GET_U64, SET_I64, (int64_t)(int8_t)a)
  UN(i64_extend16_s, GET_U64, SET_I64, (int64_t)(int16_t)a)
  UN(i64_extend32_s, GET_U64, SET_I64, (int64_t)(int32_t)a)
  UN(i32_trunc_sat_f32_s, F32, SET_I32, pg_i32_trunc_sat_f32_s(a))
  UN(i32_trunc_sat_f32_u, F32, SET_I32, pg_i32_trunc_sat_f32_u(a))
  UN(i32_trunc_sat_f64_s, F64, SET_I32, pg_i32_trunc_sat_f64_s(a))
  UN(i32_trunc_sat_f64_u, F64, SET_I32, pg_i32_trunc_sat_f64_u(a))
  UN(i64_trunc_sat_f32_s, F32, SET_I64, pg_i64_trunc_sat_f32_s(a))
  UN(i64_trunc_sat_f32_u, F32, SET_I64, pg_i64_trunc_sat_f32_u(a))
  UN(i64_trunc_sat_f64_s, F64, SET_I64, pg_i64_trunc_sat_f64_s(a))
  UN(i64_trunc_sat_f64_u, F64, SET_I64, pg_i64_trunc_sat_f64_u(a))

#define TRUNC(name, get, ctype, set)                                        \
  op_##name : {                                                             \
    ctype r;                                                                \
    pg_trap_kind k = pg_##name(get(2), &r);                                 \
    if (UNLIKELY(k != PG_TRAP_NONE)) TRAP(k);                               \
    set(1, r);                                                              \
    ADV(name);                                                              \
  }
  TRUNC(i32_trunc_f32_s, F32, int32_t, SET_I32)
  TRUNC(i32_trunc_f32_u, F32, uint32_t, SET_I32)
  TRUNC(i32_trunc_f64_s, F64, int32_t, SET_I32)
  TRUNC(i32_trunc_f64_u, F64, uint32_t, SET_I32)
  TRUNC(i64_trunc_f32_s, F32, int64_t, SET_I64)
  TRUNC(i64_trunc_f32_u, F32, uint64_t, SET_I64)
  TRUNC(i64_trunc_f64_s, F64, int64_t, SET_I64)
  TRUNC(i64_trunc_f64_u, F64, uint64_t, SET_I64)

/* Integer binary ops with an `_imm` twin (constant right operand). */
#define IBIN(T, name, ctype, set, expr)                                     \
  op_##T##_##name : {                                                       \
    ctype a = (ctype)S(2), b = (ctype)S(3);                                 \
    set(1, (expr));                                                         \
    ADV(T##_##name);                                                        \
  }                                                                         \
  op_##T##_##name##_imm : {                                                 \
    ctype a = (ctype)S(2), b = (ctype)pc[3].u;                              \
    set(1, (expr));                                                         \
    ADV(T##_##name##_imm);                                                  \
  }
#define I32B(name, expr) IBIN(i32, name, uint32_t, SET_I32, expr)
#define I64B(name, expr) IBIN(i64, name, uint64_t, SET_I64, expr)
#define I64C(name, expr) IBIN(i64, name, uint64_t, SET_I32, expr)
  I32B(eq, a == b)
  I32B(ne, a != b)
  I32B(lt_s, (int32_t)a < (int32_t)b)
  I32B(lt_u, a < b)
  I32B(gt_s, (int32_t)a > (int32_t)b)
  I32B(gt_u, a > b)
  I32B(le_s, (int32_t)a <= (int32_t)b)
  I32B(le_u, a <= b)
  I32B(ge_s, (int32_t)a >= (int32_t)b)
  I32B(ge_u, a >= b)
  I32B(add, a + b)
  I32B(sub, a - b)
  I32B(mul, a * b)
  I32B(and, a & b)
  I32B(or, a | b)
  I32B(xor, a ^ b)
  I32B(shl, a << (b & 31))
  I32B(shr_s, (uint32_t)((int32_t)a >> (b & 31)))
  I32B(shr_u, a >> (b & 31))
  I32B(rotl, pg_i32_rotl(a, b))
  I32B(rotr, pg_i32_rotr(a, b))
  I64C(eq, a == b)
  I64C(ne, a != b)
  I64C(lt_s, (int64_t)a < (int64_t)b)
  I64C(lt_u, a < b)
  I64C(gt_s, (int64_t)a > (int64_t)b)
  I64C(gt_u, a > b)
  I64C(le_s, (int64_t)a <= (int64_t)b)
  I64C(le_u, a <= b)
  I64C(ge_s, (int64_t)a >= (int64_t)b)
  I64C(ge_u, a >= b)
  I64B(add, a + b)
  I64B(sub, a - b)
  I64B(mul, a * b)
  I64B(and, a & b)
  I64B(or, a | b)
  I64B(xor, a ^ b)
  I64B(shl, a << (b & 63))
  I64B(shr_s, (uint64_t)((int64_t)a >> (b & 63)))
  I64B(shr_u, a >> (b & 63))
  I64B(rotl, pg_i64_rotl(a, b))
  I64B(rotr, pg_i64_rotr(a, b))

#define BIN(name, get, set, expr)                                           \
  op_##name : {                                                             \
    __auto_type a = get(2);                                                 \
    __auto_type b = get(3);                                                 \
    set(1, (expr));                                                         \
    ADV(name);                                                              \
  }
#define DIV(name, ctype, set)                                               \
  op_##name : {                                                             \
    ctype r;                                                                \
    pg_trap_kind k = pg_##name((ctype)S(2), (ctype)S(3), &r);               \
    if (UNLIKELY(k != PG_TRAP_NONE)) TRAP(k);                               \
    set(1, r);                                                              \
    ADV(name);                                                              \
  }
  DIV(i32_div_s, int32_t, SET_I32)
  DIV(i32_div_u, uint32_t, SET_I32)
  DIV(i32_rem_s, int32_t, SET_I32)
  DIV(i32_rem_u, uint32_t, SET_I32)
  DIV(i64_div_s, int64_t, SET_I64)
  DIV(i64_div_u, uint64_t, SET_I64)
  DIV(i64_rem_s, int64_t, SET_I64)
  DIV(i64_rem_u, uint64_t, SET_I64)
  BIN(f32_eq, F32, SET_I32, a == b)
  BIN(f32_ne, F32, SET_I32, a != b)
  BIN(f32_lt, F32, SET_I32, a < b)
  BIN(f32_gt, F32, SET_I32, a > b)
  BIN(f32_le, F32, SET_I32, a <= b)
  BIN(f32_ge, F32, SET_I32, a >= b)
  BIN(f64_eq, F64, SET_I32, a == b)
  BIN(f64_ne, F64, SET_I32, a != b)
  BIN(f64_lt, F64, SET_I32, a < b)
  BIN(f64_gt, F64, SET_I32, a > b)
  BIN(f64_le, F64, SET_I32, a <= b)
  BIN(f64_ge, F64, SET_I32, a >= b)
  BIN(f32_min, F32, SET_F32, pg_f32_min(a, b))
  BIN(f32_max, F32, SET_F32, pg_f32_max(a, b))
  BIN(f32_copysign, F32, SET_F32, pg_f32_copysign(a, b))
  BIN(f64_min, F64, SET_F64, pg_f64_min(a, b))
  BIN(f64_max, F64, SET_F64, pg_f64_max(a, b))
  BIN(f64_copysign, F64, SET_F64, pg_f64_copysign(a, b))

/* Float arithmetic with a register or an immediate (bits) right operand. */
#define FBIN(name, get, set, frombits, expr)                                \
  BIN(name, get, set, expr)                                                 \
  op_##name##_imm : {                                                       \
    __auto_type a = get(2);                                                 \
    __auto_type b = frombits(pc[3].u);                                      \
    set(1, (expr));                                                         \
    ADV(name##_imm);                                                        \
  }
#define F32_IMM(u) pg_f32_from_bits((uint32_t)(u))
  FBIN(f32_add, F32, SET_F32, F32_IMM, a + b)
  FBIN(f32_sub, F32, SET_F32, F32_IMM, a - b)
  FBIN(f32_mul, F32, SET_F32, F32_IMM, a * b)
  FBIN(f32_div, F32, SET_F32, F32_IMM, a / b)
  FBIN(f64_add, F64, SET_F64, pg_f64_from_bits, a + b)
  FBIN(f64_sub, F64, SET_F64, pg_f64_from_bits, a - b)
  FBIN(f64_mul, F64, SET_F64, pg_f64_from_bits, a * b)
  FBIN(f64_div, F64, SET_F64, pg_f64_from_bits, a / b)

/* f64 op with its right operand loaded from memory (ir.h): the load's
 * bounds check and trap come first, exactly as the separate load did. */
#define F64MEM_AT(label, name, addr, memoff, expr)                          \
  label : {                                                                 \
    uint64_t ea = (uint64_t)(addr) + pc[memoff].u, bits;                    \
    if (UNLIKELY(ea + sizeof bits > mem_size)) TRAP(PG_TRAP_MEMORY_OOB);    \
    memcpy(&bits, mem_base + ea, sizeof bits);                              \
    double a = F64(2), b = pg_f64_from_bits(bits);                          \
    SET_F64(1, (expr));                                                     \
    ADV(name);                                                              \
  }
#define F64MEM(name, expr)                                                  \
  F64MEM_AT(op_##name##_m, name##_m, U32(3), 4, expr)                       \
  F64MEM_AT(op_##name##_mi, name##_mi, U32(3) + (uint32_t)pc[4].u, 5, expr)
  F64MEM(f64_add, a + b)
  F64MEM(f64_sub, a - b)
  F64MEM(f64_mul, a * b)
  F64MEM(f64_div, a / b)

op_i32_xor_rotl:
  SET_I32(1, U32(2) ^ pg_i32_rotl(U32(3), (uint32_t)pc[4].u));
  ADV(i32_xor_rotl);

op_i32_xor_shr_u:
  SET_I32(1, U32(2) ^ (U32(3) >> (pc[4].u & 31)));
  ADV(i32_xor_shr_u);

  /* ---- fused compare-and-branch: off cost a b|imm ---------------------- */
#define BRC(T, name, ctype, expr)                                           \
  op_brc_##T##_##name : {                                                   \
    ctype a = (ctype)S(3), b = (ctype)S(4);                                 \
    if (expr) TAKE();                                                       \
    ADV(brc_##T##_##name);                                                  \
  }                                                                         \
  op_brc_##T##_##name##_imm : {                                             \
    ctype a = (ctype)S(3), b = (ctype)pc[4].u;                              \
    if (expr) TAKE();                                                       \
    ADV(brc_##T##_##name##_imm);                                            \
  }
#define BRC_ALL(T, ctype, stype)                                            \
  BRC(T, eq, ctype, a == b)                                                 \
  BRC(T, ne, ctype, a != b)                                                 \
  BRC(T, lt_s, ctype, (stype)a < (stype)b)                                  \
  BRC(T, lt_u, ctype, a < b)                                                \
  BRC(T, gt_s, ctype, (stype)a > (stype)b)                                  \
  BRC(T, gt_u, ctype, a > b)                                                \
  BRC(T, le_s, ctype, (stype)a <= (stype)b)                                 \
  BRC(T, le_u, ctype, a <= b)                                               \
  BRC(T, ge_s, ctype, (stype)a >= (stype)b)                                 \
  BRC(T, ge_u, ctype, a >= b)
  BRC_ALL(i32, uint32_t, int32_t)
  BRC_ALL(i64, uint64_t, int64_t)

op_brc_i64_eqz:
  if (S(3) == 0) TAKE();
  ADV(brc_i64_eqz);

op_brc_i64_nez:
  if (S(3) != 0) TAKE();
  ADV(brc_i64_nez);

  /* ---- loop counter + branch: off cost d a imm [b|bimm] (ir.h) --------- */
/* The sum is written only once the fuel is charged, so running out stops
 * before the whole instruction and resume redoes the add exactly once. */
#define ADDI_TAKE(v)                                                        \
  do {                                                                      \
    CHARGE(pc[2].u);                                                        \
    SET_I32(3, (v));                                                        \
    pc = pc + 1 + pc[1].i;                                                  \
    NEXT();                                                                 \
  } while (0)
op_addi_br_if: {
  uint32_t v = U32(4) + (uint32_t)pc[5].u;
  if (v != 0) ADDI_TAKE(v);
  SET_I32(3, v);
  ADV(addi_br_if);
}
op_addi_br_unless: {
  uint32_t v = U32(4) + (uint32_t)pc[5].u;
  if (v == 0) ADDI_TAKE(v);
  SET_I32(3, v);
  ADV(addi_br_unless);
}
/* b is never d (the compiler checks), so reading it first is exact. */
#define ADDI_BRC(name, expr)                                                \
  op_addi_brc_i32_##name : {                                                \
    uint32_t a = U32(4) + (uint32_t)pc[5].u, b = U32(6);                    \
    if (expr) ADDI_TAKE(a);                                                 \
    SET_I32(3, a);                                                          \
    ADV(addi_brc_i32_##name);                                               \
  }                                                                         \
  op_addi_brc_i32_##name##_imm : {                                          \
    uint32_t a = U32(4) + (uint32_t)pc[5].u, b = (uint32_t)pc[6].u;         \
    if (expr) ADDI_TAKE(a);                                                 \
    SET_I32(3, a);                                                          \
    ADV(addi_brc_i32_##name##_imm);                                         \
  }
  ADDI_BRC(eq, a == b)
  ADDI_BRC(ne, a != b)
  ADDI_BRC(lt_s, (int32_t)a < (int32_t)b)
  ADDI_BRC(lt_u, a < b)
  ADDI_BRC(gt_s, (int32_t)a > (int32_t)b)
  ADDI_BRC(gt_u, a > b)
  ADDI_BRC(le_s, (int32_t)a <= (int32_t)b)
  ADDI_BRC(le_u, a <= b)
  ADDI_BRC(ge_s, (int32_t)a >= (int32_t)b)
  ADDI_BRC(ge_u, a >= b)

  /* ---- leaving the loop ------------------------------------------------ */
trap:
  pg__trap(root, trap_kind, "%s", pg_trap_kind_str(trap_kind));
  host_func = NULL;
trap_recorded:
  capture_backtrace(root, ex, depth, host_func);
  ex->depth = 0;
  root->state = PG_RUN_IDLE;
  return PG_TRAP;

no_fuel:
  ex->pc = pc;
  ex->fp = fp;
  ex->cur = cur;
  ex->depth = depth;
  ex->suspended = root->state = PG_RUN_NO_FUEL;
  return PG_OUT_OF_FUEL;
}

/* ------------------------------------------------------------------------
 * Entry points (runtime.h)
 */

const void *const *pg__interp_handlers(void) {
  const void *const *table = NULL;
  run(NULL, NULL, &table);
  return table;
}

static pg_status ensure_exec(pg_instance *inst) {
  if (inst->exec) return PG_OK;
  pg_exec *ex = calloc(1, sizeof *ex);
  if (!ex) return PG_NOMEM;
  size_t bytes = inst->limits.stack_bytes ? inst->limits.stack_bytes
                                          : DEFAULT_STACK_BYTES;
  size_t cells = bytes / sizeof(pg_cell);
  if (cells < 64) cells = 64;
  ex->max_frames = inst->limits.max_call_depth ? inst->limits.max_call_depth
                                               : DEFAULT_CALL_DEPTH;
  ex->stack = malloc(cells * sizeof(pg_cell));
  ex->frames = malloc((size_t)ex->max_frames * sizeof(pg_frame));
  if (!ex->stack || !ex->frames) {
    pg__exec_free(ex);
    return PG_NOMEM;
  }
  ex->stack_end = ex->stack + cells;
  const void *const *h = pg__interp_handlers();
  ex->entry_code[0].op = h[PG_OP_call_entry];
  ex->entry_code[1].op = h[PG_OP_halt];
  inst->exec = ex;
  return PG_OK;
}

static pg_val cell_to_val(pg_cell c, pg_vt type) {
  pg_val v = {.type = (pg_valtype)type};
  switch (type) {
  case PG_I32:
  case PG_F32: v.of.i32 = (uint32_t)c; break;
  case PG_I64:
  case PG_F64: v.of.i64 = c; break;
  default: v.of.ref = (void *)(uintptr_t)c; break;
  }
  return v;
}

/* After the entry call returned: copies its results (in stack[0..n)) to
 * the instance. */
static pg_status finish(pg_instance *inst, pg_status st) {
  if (st != PG_OK) return st;
  pg_exec *ex = inst->exec;
  const pg_functype *ft = ex->entry_func->type;
  pg_val *out = inst->results;
  if (ft->nresults > 16) {
    pg_val *big = realloc(inst->results_big, ft->nresults * sizeof *big);
    if (!big) {
      inst->state = PG_RUN_IDLE;
      return PG_NOMEM;
    }
    inst->results_big = big;
    out = big;
  }
  for (uint32_t i = 0; i < ft->nresults; i++)
    out[i] = cell_to_val(ex->stack[i], ft->types[ft->nparams + i]);
  inst->nresults = ft->nresults;
  inst->state = PG_RUN_DONE;
  return PG_OK;
}

/* The caller (api.c / instance.c) owns inst->state and checks it before
 * calling; the values set here match what it sets from our status. */
pg_status pg__interp_invoke(pg_instance *inst, const pg_func *fn,
                            const pg_cell *args, uint32_t nargs) {
  if (nargs != fn->type->nparams) return PG_BAD_ARG;
  pg_status st = ensure_exec(inst);
  if (st != PG_OK) return st;
  pg_exec *ex = inst->exec;
  size_t cells = (size_t)(ex->stack_end - ex->stack);
  if (nargs > cells || fn->type->nresults > cells) {
    pg__trap(inst, PG_TRAP_STACK_EXHAUSTED, "call stack exhausted");
    inst->trap.nframes = 0;
    return PG_TRAP;
  }
  if (nargs) memcpy(ex->stack, args, nargs * sizeof *args);
  ex->entry_func = fn;
  ex->pc = ex->entry_code;
  ex->fp = ex->stack;
  ex->cur = inst;
  ex->depth = 0;
  ex->suspended = PG_RUN_IDLE;
  inst->state = PG_RUN_RUNNING;
  return finish(inst, run(inst, ex, NULL));
}

pg_status pg__interp_resume(pg_instance *inst, const pg_cell *host_results,
                            uint32_t nresults) {
  pg_exec *ex = inst->exec;
  if (!ex) return PG_BAD_STATE;
  if (ex->suspended == PG_RUN_YIELDED) {
    if (nresults != ex->yield_nresults || (nresults && !host_results))
      return PG_BAD_ARG;
    if (nresults)
      memcpy(ex->yield_results, host_results, nresults * sizeof *host_results);
  } else if (ex->suspended != PG_RUN_NO_FUEL) {
    return PG_BAD_STATE;
  }
  ex->suspended = PG_RUN_IDLE;
  inst->state = PG_RUN_RUNNING;
  return finish(inst, run(inst, ex, NULL));
}

void pg__interp_abort(pg_instance *inst) {
  if (inst->exec) {
    inst->exec->depth = 0;
    inst->exec->suspended = PG_RUN_IDLE;
  }
  inst->state = PG_RUN_IDLE;
}

void pg__exec_free(pg_exec *exec) {
  if (!exec) return;
  free(exec->stack);
  free(exec->frames);
  free(exec);
}
