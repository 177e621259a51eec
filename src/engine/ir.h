/*
 * ir.h: the engine's internal code, shared by the compiler (compile*.c),
 * which writes it, and the interpreter (interp.c), which runs it.
 *
 * A compiled function is an array of 64-bit words. Each instruction is a
 * handler address (a label inside the interpreter, taken with `&&label` and
 * handed to the compiler by pg__interp_handlers()), followed by its operand
 * words. Dispatch is `goto *pc->op` (threaded code): no switch, no decode.
 *
 * Operands are mostly slot numbers: every value occupies one pg_cell, and a
 * frame is fp[0 .. nparams) params, then the locals, then the operand-stack
 * temporaries (the value at stack height h lives in slot nparams+nlocals+h).
 * A local.get produces no code: the consumer reads the local's slot. A
 * branch target is a word offset relative to the offset word itself
 * (target = &off + off.i), so code needs no relocation when its array grows
 * or moves, and forward branches are patched through a chain threaded
 * through those words while compiling.
 *
 * PG_OP_MAP below is the single source of truth for the operations: the
 * compiler's enum and the interpreter's label table are both generated from
 * it, in the same order.
 */
#ifndef PG_ENGINE_IR_H
#define PG_ENGINE_IR_H

#include <stdint.h>

#include "module.h"

/* One word of code: a handler address or an operand. */
typedef union pg_word {
  const void *op; /* handler address (first word of an instruction) */
  int64_t i;      /* slot numbers, signed offsets, immediates */
  uint64_t u;
  const void *ptr; /* e.g. the callee's pg_fcode in call_wasm */
} pg_word;

/* The compiled code of one defined function. Immutable once compiled and
 * shared by every instance of the module. */
struct pg_fcode {
  pg_word *code;        /* owned; ncode words */
  uint32_t ncode;
  uint32_t func_index;  /* in the module's function index space */
  uint32_t nparams;
  uint32_t nlocals;     /* declared locals (zeroed on entry) */
  uint32_t nresults;
  uint32_t frame_slots; /* params + locals + max operand height: the most
                           cells a frame of this function touches */
  uint32_t entry_cost;  /* fuel charged on entry: instructions outside
                           loops (loops charge on their back edges) */
};

/*
 * Operand legend: d = destination slot, a/b/c/x = source slots,
 * imm = immediate, off = branch offset (words, from the instruction start),
 * cost = fuel charged when the branch is taken (0 for forward branches),
 * memoff = static memory offset. XX(name, operand words).
 */
#define PG_OP_MAP_CONTROL(XX)                                               \
  XX(halt, 0)         /* leave the loop: the entry call returned */          \
  XX(call_entry, 0)   /* call exec->entry_func with args at fp[0] */         \
  XX(unreachable, 0)                                                          \
  XX(br, 2)           /* off cost */                                         \
  XX(br_if, 3)        /* off cost a: branch when a (i32) != 0 */             \
  XX(br_unless, 3)    /* off cost a: branch when a == 0 */                   \
  XX(br_table, 2)     /* a n, then n+1 pairs (off cost), default last */     \
  XX(ret, 0)          /* results already in fp[0..n) */                      \
  XX(ret1, 1)         /* a: fp[0] = a, then return */                        \
  XX(ret_pad, 2)      /* ret in the place of a br to a ret (spare words) */  \
  XX(ret1_pad, 2)     /* a spare: ret1 in the place of a br to a ret1 */     \
  XX(call, 2)         /* fidx base: any function (imports, host) */          \
  XX(call_wasm, 3)    /* fidx base fcode: a defined function of this module */ \
  XX(call_indirect, 4) /* table sig base x */                                \
  XX(copy, 2)         /* d a */                                              \
  XX(copy2, 4)        /* d1 a1 d2 a2: two copies, in that order */           \
  XX(const, 2)        /* d imm */                                            \
  XX(select, 4)       /* d a b c: d = c (i32) ? a : b */                     \
  XX(select64, 4)     /* d a b c: d = c (64 bits) != 0 ? a : b */            \
  XX(global_get, 2)   /* d gidx */                                           \
  XX(global_set, 2)   /* gidx a */

/* Loads: d addr memoff. Stores: addr value memoff. f32/f64 accesses use the
 * integer ops of the same width (values are bits). Each also exists with
 * the address arithmetic clang emits before most accesses folded in
 * (the sum wraps at 32 bits first, exactly as the separate i32.add did):
 *   name_rr: d a b memoff  / a b value memoff   address (a + b) mod 2^32
 *   name_ri: d a imm memoff / a imm value memoff address (a + imm) mod 2^32
 *   name_rs: d a b k memoff / a b k value memoff
 *                                        address (a + (b << k)) mod 2^32
 *   name_si: d b k imm memoff / b k imm value memoff
 *                                        address ((b << k) + imm) mod 2^32
 *            (a static array indexed by a variable, `table[i]`: vm's
 *            code[pc] and sha256's K[i]) */
#define PG_OP_LIST_LOADS(YY)                                                \
  YY(i32_load) YY(i64_load) YY(i32_load8_s) YY(i32_load8_u)                 \
  YY(i32_load16_s) YY(i32_load16_u) YY(i64_load8_s) YY(i64_load8_u)         \
  YY(i64_load16_s) YY(i64_load16_u) YY(i64_load32_s) YY(i64_load32_u)
#define PG_OP_LIST_STORES(YY)                                               \
  YY(i32_store) YY(i64_store) YY(i32_store8) YY(i32_store16)
#define PG_OP_MEMACCESS_(name)                                              \
  XX_(name, 3) XX_(name##_rr, 4) XX_(name##_ri, 4) XX_(name##_rs, 5)       \
  XX_(name##_si, 5)

#define PG_OP_MAP_MEMORY(XX)                                                \
  XX(memory_size, 1)  /* d */                                               \
  XX(memory_grow, 2)  /* d a */                                             \
  XX(memory_fill, 3)  /* dst val n */                                       \
  XX(memory_copy, 3)  /* dst src n */                                       \
  XX(memory_init, 4)  /* seg dst src n */                                   \
  XX(data_drop, 1)    /* seg */                                             \
  XX(table_get, 3)    /* d table i */                                       \
  XX(table_set, 3)    /* table i v */                                       \
  XX(table_size, 2)   /* d table */                                         \
  XX(table_grow, 4)   /* d table init n */                                  \
  XX(table_fill, 4)   /* table i v n */                                     \
  XX(table_copy, 5)   /* dst_table src_table d s n */                       \
  XX(table_init, 5)   /* table seg d s n */                                 \
  XX(elem_drop, 1)    /* seg */                                             \
  XX(ref_func, 2)     /* d fidx */

/* Unary numeric ops: d a. */
#define PG_OP_MAP_UNARY(XX)                                                 \
  XX(i32_eqz, 2) XX(i64_eqz, 2)                                             \
  XX(i32_clz, 2) XX(i32_ctz, 2) XX(i32_popcnt, 2)                           \
  XX(i64_clz, 2) XX(i64_ctz, 2) XX(i64_popcnt, 2)                           \
  XX(f32_abs, 2) XX(f32_neg, 2) XX(f32_ceil, 2) XX(f32_floor, 2)            \
  XX(f32_trunc, 2) XX(f32_nearest, 2) XX(f32_sqrt, 2)                       \
  XX(f64_abs, 2) XX(f64_neg, 2) XX(f64_ceil, 2) XX(f64_floor, 2)            \
  XX(f64_trunc, 2) XX(f64_nearest, 2) XX(f64_sqrt, 2)                       \
  XX(i32_wrap_i64, 2)                                                       \
  XX(i32_trunc_f32_s, 2) XX(i32_trunc_f32_u, 2)                             \
  XX(i32_trunc_f64_s, 2) XX(i32_trunc_f64_u, 2)                             \
  XX(i64_extend_i32_s, 2) XX(i64_extend_i32_u, 2)                           \
  XX(i64_trunc_f32_s, 2) XX(i64_trunc_f32_u, 2)                             \
  XX(i64_trunc_f64_s, 2) XX(i64_trunc_f64_u, 2)                             \
  XX(f32_convert_i32_s, 2) XX(f32_convert_i32_u, 2)                         \
  XX(f32_convert_i64_s, 2) XX(f32_convert_i64_u, 2)                         \
  XX(f32_demote_f64, 2)                                                     \
  XX(f64_convert_i32_s, 2) XX(f64_convert_i32_u, 2)                         \
  XX(f64_convert_i64_s, 2) XX(f64_convert_i64_u, 2)                         \
  XX(f64_promote_f32, 2)                                                    \
  XX(i32_extend8_s, 2) XX(i32_extend16_s, 2)                                \
  XX(i64_extend8_s, 2) XX(i64_extend16_s, 2) XX(i64_extend32_s, 2)          \
  XX(i32_trunc_sat_f32_s, 2) XX(i32_trunc_sat_f32_u, 2)                     \
  XX(i32_trunc_sat_f64_s, 2) XX(i32_trunc_sat_f64_u, 2)                     \
  XX(i64_trunc_sat_f32_s, 2) XX(i64_trunc_sat_f32_u, 2)                     \
  XX(i64_trunc_sat_f64_s, 2) XX(i64_trunc_sat_f64_u, 2)

/* Binary integer ops that also exist with a constant right operand
 * (`name_imm`: d a imm). Listed once, expanded twice. */
#define PG_OP_LIST_INT_IMM(YY, T)                                           \
  YY(T##_eq) YY(T##_ne) YY(T##_lt_s) YY(T##_lt_u) YY(T##_gt_s)              \
  YY(T##_gt_u) YY(T##_le_s) YY(T##_le_u) YY(T##_ge_s) YY(T##_ge_u)          \
  YY(T##_add) YY(T##_sub) YY(T##_mul) YY(T##_and) YY(T##_or) YY(T##_xor)    \
  YY(T##_shl) YY(T##_shr_s) YY(T##_shr_u) YY(T##_rotl) YY(T##_rotr)

/* Binary ops without an immediate form: d a b. */
#define PG_OP_LIST_BINARY_ONLY(YY)                                          \
  YY(i32_div_s) YY(i32_div_u) YY(i32_rem_s) YY(i32_rem_u)                  \
  YY(i64_div_s) YY(i64_div_u) YY(i64_rem_s) YY(i64_rem_u)                  \
  YY(f32_eq) YY(f32_ne) YY(f32_lt) YY(f32_gt) YY(f32_le) YY(f32_ge)         \
  YY(f64_eq) YY(f64_ne) YY(f64_lt) YY(f64_gt) YY(f64_le) YY(f64_ge)         \
  YY(f32_min) YY(f32_max) YY(f32_copysign)                                  \
  YY(f64_min) YY(f64_max) YY(f64_copysign)

/* Float arithmetic that also exists with a constant right operand
 * (`name_imm`: d a imm, the imm being the constant's bits). */
#define PG_OP_LIST_FLOAT_IMM(YY)                                            \
  YY(f32_add) YY(f32_sub) YY(f32_mul) YY(f32_div)                           \
  YY(f64_add) YY(f64_sub) YY(f64_mul) YY(f64_div)

/* Integer comparisons fused with br_if/if: `brc_<cmp>` off cost a b and
 * `brc_<cmp>_imm` off cost a imm branch when the comparison holds (an
 * i32.eqz fused with br_if is br_unless; i64.eqz has brc_i64_eqz and its
 * negation brc_i64_nez: off cost a). */
#define PG_OP_LIST_CMP(YY, T)                                               \
  YY(T##_eq) YY(T##_ne) YY(T##_lt_s) YY(T##_lt_u) YY(T##_gt_s)              \
  YY(T##_gt_u) YY(T##_le_s) YY(T##_le_u) YY(T##_ge_s) YY(T##_ge_u)

/* Loop counters: an i32.add of a constant stored into a local (set or
 * tee) and tested by the br_if/if right after it, fused into one op that
 * adds, stores and branches (`i += 1; if (i != n) goto loop`): one
 * dispatch less per iteration of nearly every loop clang emits (measured
 * on bench/engine: matmul 2848 -> 1882 ms, geomean 9.63x -> 8.72x).
 *   addi_br_if / addi_br_unless  off cost d a imm:
 *       d = a + imm, branch when d != 0 / d == 0
 *   addi_brc_<cmp>      off cost d a imm b:    d = a + imm, branch when
 *   addi_brc_<cmp>_imm  off cost d a imm bimm: d <cmp> b (or bimm)
 * When the branch is taken but the fuel is used up, nothing is written: the
 * run stops before the whole instruction and resume redoes the add. */
#define PG_OP_ADDI_BRC_(name) XX_(addi_brc_##name, 6)
#define PG_OP_ADDI_BRC_IMM_(name) XX_(addi_brc_##name##_imm, 6)

/* f64 arithmetic whose right operand is an f64.load emitted just before
 * it (only for this op), fused: `name_m` d a x memoff reads b from
 * x + memoff, `name_mi` d a x imm memoff from ((x + imm) mod 2^32) +
 * memoff, with the load's bounds check. matmul's `c[j] += aik * b[j]` and
 * nbody's `p->x - q->x` are load + op pairs. */
#define PG_OP_LIST_F64_MEM(YY) YY(f64_add) YY(f64_sub) YY(f64_mul) YY(f64_div)
#define PG_OP_F64_MEM_(name) XX_(name##_m, 4) XX_(name##_mi, 5)

/* i32.xor of a value rotated/shifted by a constant (emitted just before
 * it, for this xor only), fused: d a b k: d = a ^ rotl(b, k) / a ^ (b >> k).
 * sha256's sigma functions are chains of these (rotl, rotl, xor, rotl, xor
 * becomes rotl, xor_rotl, xor_rotl). */
#define PG_OP_MAP_XOR_SHIFT(XX) XX(i32_xor_rotl, 4) XX(i32_xor_shr_u, 4)

#define PG_OP_BIN_(name) XX_(name, 3)
#define PG_OP_BIN_IMM_(name) XX_(name##_imm, 3)
#define PG_OP_BRC_(name) XX_(brc_##name, 4)
#define PG_OP_BRC_IMM_(name) XX_(brc_##name##_imm, 4)

/* The whole table. XX_ must be defined by the user as XX. */
#define PG_OP_MAP_ALL_                                                      \
  PG_OP_MAP_CONTROL(XX_)                                                    \
  PG_OP_LIST_LOADS(PG_OP_MEMACCESS_)                                        \
  PG_OP_LIST_STORES(PG_OP_MEMACCESS_)                                       \
  PG_OP_MAP_MEMORY(XX_)                                                     \
  PG_OP_MAP_UNARY(XX_)                                                      \
  PG_OP_LIST_INT_IMM(PG_OP_BIN_, i32)                                       \
  PG_OP_LIST_INT_IMM(PG_OP_BIN_, i64)                                       \
  PG_OP_LIST_INT_IMM(PG_OP_BIN_IMM_, i32)                                   \
  PG_OP_LIST_INT_IMM(PG_OP_BIN_IMM_, i64)                                   \
  PG_OP_LIST_BINARY_ONLY(PG_OP_BIN_)                                        \
  PG_OP_LIST_FLOAT_IMM(PG_OP_BIN_)                                          \
  PG_OP_LIST_FLOAT_IMM(PG_OP_BIN_IMM_)                                      \
  PG_OP_LIST_F64_MEM(PG_OP_F64_MEM_)                                        \
  PG_OP_MAP_XOR_SHIFT(XX_)                                                  \
  PG_OP_LIST_CMP(PG_OP_BRC_, i32)                                           \
  PG_OP_LIST_CMP(PG_OP_BRC_IMM_, i32)                                       \
  PG_OP_LIST_CMP(PG_OP_BRC_, i64)                                           \
  PG_OP_LIST_CMP(PG_OP_BRC_IMM_, i64)                                       \
  XX_(brc_i64_eqz, 3) XX_(brc_i64_nez, 3)                                  \
  XX_(addi_br_if, 5) XX_(addi_br_unless, 5)                                 \
  PG_OP_LIST_CMP(PG_OP_ADDI_BRC_, i32)                                      \
  PG_OP_LIST_CMP(PG_OP_ADDI_BRC_IMM_, i32)

typedef enum pg_op {
#define XX_(name, nops) PG_OP_##name,
  PG_OP_MAP_ALL_
#undef XX_
  PG_OP_COUNT_
} pg_op;

/* Words taken by each instruction (handler + operands): PG_SZ_<name>.
 * br_table is variable-sized but never falls through. */
enum pg_op_size {
#define XX_(name, nops) PG_SZ_##name = 1 + (nops),
  PG_OP_MAP_ALL_
#undef XX_
};

/* interp.c: the handler address of every op, indexed by pg_op. */
const void *const *pg__interp_handlers(void);

#endif /* PG_ENGINE_IR_H */
