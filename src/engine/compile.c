/*
 * compile.c: validates every function body of a decoded module and, in the
 * same single pass, compiles it into the threaded slot code of ir.h.
 *
 * Validation follows the spec's algorithm (appendix "Validation
 * Algorithm"): an operand stack of types, where the part below the current
 * block is polymorphic after unreachable/br/br_table/return, and a control
 * stack of blocks with their start types, end types, height and
 * unreachable flag. Both stacks are growable arrays, so deeply nested input
 * never recurses in C.
 *
 * Code generation piggybacks on the type stack: each entry also says where
 * its value is — in its canonical slot (base + height), still in a local
 * (local.get emits nothing), or a constant not yet written anywhere. An
 * instruction reads its operands straight from wherever they are, a constant
 * right operand selects an `_imm` form, a local.set right after an
 * instruction retargets that instruction's destination, and an i32
 * comparison feeding br_if/if becomes one compare-and-branch. Before a
 * local.set of L, entries still reading L are copied to their slots; at
 * block boundaries every value is put in its canonical slot, so all paths
 * that meet at a label agree on where values are.
 *
 * This file is longer than the house limit because it is the validator: one
 * switch over every opcode, each case a few lines, reads best in one place.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"
#include "reader.h"

#define VT_UNKNOWN 0 /* the bottom type of the polymorphic stack */
#define NO_POS SIZE_MAX

enum vkind { V_SLOT, V_LOCAL, V_CONST };

/* One operand-stack entry. */
typedef struct vval {
  pg_vt type;    /* VT_UNKNOWN only in unreachable code */
  uint8_t kind;  /* enum vkind */
  uint32_t local; /* V_LOCAL: the local (slot) it still lives in */
  uint64_t imm;  /* V_CONST: the value's cell */
} vval;

enum ckind { C_BLOCK, C_LOOP, C_IF, C_ELSE, C_FUNC };

typedef struct blocktype {
  uint32_t nparams, nresults;
  const pg_vt *params, *results; /* borrowed from the module or static */
} blocktype;

/* One control-stack entry. */
typedef struct ctrl {
  uint8_t kind;        /* enum ckind */
  bool unreachable;    /* validation: the rest of the block is polymorphic */
  bool live_entry;     /* code entering the block was reachable */
  bool end_live;       /* some emitted branch targets the end */
  blocktype bt;
  uint32_t height;     /* operand height below the block's params */
  int64_t patch_head;  /* chain of forward-branch offset words, -1 = none */
  int64_t else_site;   /* C_IF: offset word of the jump to else, -1 none */
  size_t loop_start;   /* C_LOOP: code index of the header */
  uint32_t instr_at_start; /* C_LOOP: wasm instruction count at the header */
} ctrl;

/* An i32 condition for br_if/if, possibly a fused comparison. */
enum { COND_SLOT, COND_EQZ, COND_CMP, COND_CMP_IMM };
typedef struct cond {
  int kind;
  int cmp;      /* index into the comparisons (eq ne lt_s ... ge_u) */
  bool is64;    /* an i64 comparison / i64.eqz */
  int64_t a, b; /* slots (b: immediate for COND_CMP_IMM) */
} cond;

typedef struct compiler {
  const pg_module *m;        /* borrowed */
  const pg_func_decl *fd;    /* borrowed */
  const void *const *handlers; /* borrowed, static */
  pg_err *err;               /* borrowed */
  pg_status status;          /* first failure, PG_OK while fine */
  uint32_t func_index;
  size_t op_offset;          /* module offset of the current opcode */
  pg_reader r;

  uint32_t nlocals_all;      /* params + declared locals */
  pg_vt *ltypes;             /* owned, nlocals_all */
  uint32_t *local_refs;      /* owned: V_LOCAL entries per local */
  uint8_t *local_zero;       /* owned: local still holds its entry zero */
  bool straight;             /* no label yet: code so far runs only
                                straight from the entry */
  uint32_t nlocal_refs;      /* total V_LOCAL entries on the stack */
  int64_t base;              /* slot of operand height 0 */

  vval *vs;                  /* owned operand stack */
  size_t vn, vcap, vmax;
  ctrl *cs;                  /* owned control stack */
  size_t cn, ccap;
  pg_word *code;             /* owned, handed to the pg_fcode at the end */
  size_t ncode, codecap;
  size_t *brs;               /* owned: where each unconditional br starts */
  size_t nbrs, brcap;

  bool dead;                 /* code being compiled is unreachable */
  /* The value instruction emitted last (for retargeting/fusing). */
  size_t last_start, last_end;
  pg_op last_op;
  size_t copy_start, copy_end; /* the last lone copy, for copy2 */
  /* The last i32.add_imm retargeted to a local (a loop counter), for an
   * addi_br* fused with the branch right after it. */
  size_t bump_start, bump_end;
  /* The value instruction right before it, when nothing came between. */
  bool prev_valid;
  size_t prev_start;
  pg_op prev_op;

  uint32_t ninstr;           /* wasm instructions so far (fuel costs) */
  uint32_t loop_depth;
  uint32_t cost_outside_loops;
} compiler;

static const pg_vt VT_ONE[] = {PG_I32, PG_I64, PG_F32, PG_F64, PG_FUNCREF,
                               PG_EXTERNREF};

/* ------------------------------------------------------------------------
 * Errors and reading
 */

static bool fail(compiler *c, pg_status code, const char *why) {
  if (c->status == PG_OK) {
    c->status = code;
    pg__err(c->err, code, "code section, function %u at offset 0x%zx: %s",
            c->func_index, c->op_offset, why);
  }
  return false;
}

static bool invalid(compiler *c, const char *why) {
  return fail(c, PG_INVALID, why);
}

static bool malformed(compiler *c, const char *why) {
  return fail(c, PG_MALFORMED, why);
}

static bool read_failed(compiler *c) {
  const char *why = c->r.error ? c->r.error : "unexpected end";
  if (strcmp(why, "unexpected end") == 0)
    why = "unexpected end of section or function";
  return malformed(c, why);
}

static bool rd_u8(compiler *c, uint8_t *out) {
  return pg_read_u8(&c->r, out) || read_failed(c);
}

static bool rd_u32(compiler *c, uint32_t *out) {
  return pg_read_u32(&c->r, out) || read_failed(c);
}

static bool rd_zero_byte(compiler *c) {
  uint8_t b;
  if (!rd_u8(c, &b)) return false;
  return b == 0 || malformed(c, "zero byte expected");
}

static const pg_vt *single_type(uint8_t b) {
  switch (b) {
  case PG_I32: return &VT_ONE[0];
  case PG_I64: return &VT_ONE[1];
  case PG_F32: return &VT_ONE[2];
  case PG_F64: return &VT_ONE[3];
  case PG_FUNCREF: return &VT_ONE[4];
  case PG_EXTERNREF: return &VT_ONE[5];
  default: return NULL;
  }
}

static bool is_ref(pg_vt t) { return t == PG_FUNCREF || t == PG_EXTERNREF; }
static bool is_num(pg_vt t) {
  return t == PG_I32 || t == PG_I64 || t == PG_F32 || t == PG_F64;
}

/* ------------------------------------------------------------------------
 * Growable arrays and emission
 */

static bool grow(compiler *c, void **p, size_t *cap, size_t need,
                 size_t elem) {
  if (need <= *cap) return true;
  size_t ncap = *cap ? *cap * 2 : 64;
  while (ncap < need) ncap *= 2;
  void *np = realloc(*p, ncap * elem);
  if (!np) return fail(c, PG_NOMEM, "out of memory");
  *p = np;
  *cap = ncap;
  return true;
}

/* Emits op with its operands; returns the index of the handler word, or
 * NO_POS when the code is unreachable (nothing emitted) or memory ran out. */
static size_t emit_words(compiler *c, pg_op op, const int64_t *ops,
                         size_t n) {
  if (c->dead || c->status != PG_OK) return NO_POS;
  if (!grow(c, (void **)&c->code, &c->codecap, c->ncode + n + 1,
            sizeof(pg_word)))
    return NO_POS;
  size_t start = c->ncode;
  c->code[c->ncode++].op = c->handlers[op];
  for (size_t i = 0; i < n; i++) c->code[c->ncode++].i = ops[i];
  return start;
}

#define EMIT0(c, op) emit_words((c), (op), NULL, 0)
#define EMIT(c, op, ...)                                                    \
  emit_words((c), (op), (const int64_t[]){__VA_ARGS__},                     \
             sizeof((const int64_t[]){__VA_ARGS__}) / sizeof(int64_t))

/* Emits an instruction whose first operand is its destination slot and
 * remembers it, so a following local.set can retarget it. */
#define EMIT_VALUE(c, op, ...)                                              \
  note_value_op((c), (op), EMIT((c), (op), __VA_ARGS__))

static void note_value_op(compiler *c, pg_op op, size_t start) {
  if (start == NO_POS) return;
  c->prev_valid = c->last_end == start;
  c->prev_start = c->last_start;
  c->prev_op = c->last_op;
  c->last_start = start;
  c->last_end = c->ncode;
  c->last_op = op;
}

/* d = a. Two copies in a row (local shuffles, values moved to a label)
 * become one copy2: one dispatch instead of two, same order. */
static void emit_copy(compiler *c, int64_t d, int64_t a) {
  if (c->dead || c->status != PG_OK) return;
  if (c->copy_end == c->ncode &&
      grow(c, (void **)&c->code, &c->codecap, c->ncode + 2, sizeof(pg_word))) {
    c->code[c->copy_start].op = c->handlers[PG_OP_copy2];
    c->code[c->ncode++].i = d;
    c->code[c->ncode++].i = a;
    c->copy_end = NO_POS;
    return;
  }
  c->copy_start = EMIT(c, PG_OP_copy, d, a);
  c->copy_end = c->copy_start == NO_POS ? NO_POS : c->ncode;
}

/* A branch target is placed here: the previous instruction can no longer
 * be rewritten, since another path arrives after it. */
static void mark_label(compiler *c) {
  c->straight = false;
  c->last_end = NO_POS;
  c->copy_end = NO_POS;
  c->bump_end = NO_POS;
  c->prev_valid = false;
}

static void patch_here(compiler *c, int64_t offw) {
  if (offw < 0) return;
  c->code[offw].i = (int64_t)c->ncode - offw;
  mark_label(c);
}

static void patch_chain(compiler *c, int64_t head) {
  while (head >= 0) {
    int64_t prev = c->code[head].i;
    patch_here(c, head);
    head = prev;
  }
}

/* ------------------------------------------------------------------------
 * The operand stack
 */

static ctrl *top(compiler *c) { return &c->cs[c->cn - 1]; }

static bool push_v(compiler *c, vval v) {
  if (!grow(c, (void **)&c->vs, &c->vcap, c->vn + 1, sizeof(vval)))
    return false;
  c->vs[c->vn++] = v;
  if (c->vn > c->vmax) c->vmax = c->vn;
  if (v.kind == V_LOCAL) {
    c->local_refs[v.local]++;
    c->nlocal_refs++;
  }
  return true;
}

static bool push(compiler *c, pg_vt t) {
  return push_v(c, (vval){.type = t, .kind = V_SLOT});
}

static void drop_top(compiler *c) {
  vval *v = &c->vs[--c->vn];
  if (v->kind == V_LOCAL) {
    c->local_refs[v->local]--;
    c->nlocal_refs--;
  }
}

/* Pops one value, checking it against `expect` (VT_UNKNOWN: any). */
static bool pop(compiler *c, pg_vt expect, vval *out) {
  ctrl *f = top(c);
  if (c->vn == f->height) {
    if (!f->unreachable) return invalid(c, "type mismatch");
    *out = (vval){.type = VT_UNKNOWN, .kind = V_SLOT};
    return true;
  }
  *out = c->vs[c->vn - 1];
  drop_top(c);
  if (expect != VT_UNKNOWN && out->type != VT_UNKNOWN && out->type != expect)
    return invalid(c, "type mismatch");
  return true;
}

static void truncate_to(compiler *c, size_t h) {
  while (c->vn > h) drop_top(c);
}

/* Checks that the top n values have `types` without popping them. */
static bool check_top(compiler *c, const pg_vt *types, uint32_t n) {
  ctrl *f = top(c);
  size_t avail = c->vn - f->height;
  for (uint32_t k = 0; k < n; k++) {
    if (k >= avail) {
      if (f->unreachable) continue;
      return invalid(c, "type mismatch");
    }
    pg_vt got = c->vs[c->vn - 1 - k].type;
    if (got != VT_UNKNOWN && got != types[n - 1 - k])
      return invalid(c, "type mismatch");
  }
  return true;
}

static bool pop_types(compiler *c, const pg_vt *types, uint32_t n) {
  vval v;
  for (uint32_t k = n; k-- > 0;)
    if (!pop(c, types[k], &v)) return false;
  return true;
}

static bool push_types(compiler *c, const pg_vt *types, uint32_t n) {
  for (uint32_t k = 0; k < n; k++)
    if (!push(c, types[k])) return false;
  return true;
}

/* The slot that holds value v, which sits (or sat) at height h; a constant
 * is written to its canonical slot first. */
static int64_t src_slot(compiler *c, const vval *v, size_t h) {
  if (v->kind == V_LOCAL) return v->local;
  if (v->kind == V_CONST) EMIT(c, PG_OP_const, c->base + (int64_t)h,
                               (int64_t)v->imm);
  return c->base + (int64_t)h;
}

/* Puts entry i in its canonical slot. */
static void materialize(compiler *c, size_t i) {
  vval *v = &c->vs[i];
  if (v->kind == V_LOCAL) {
    emit_copy(c, c->base + (int64_t)i, v->local);
    c->local_refs[v->local]--;
    c->nlocal_refs--;
  } else if (v->kind == V_CONST) {
    EMIT(c, PG_OP_const, c->base + (int64_t)i, (int64_t)v->imm);
  }
  v->kind = V_SLOT;
}

static void materialize_range(compiler *c, size_t from, size_t to) {
  for (size_t i = from; i < to; i++) materialize(c, i);
}

/* Copies every entry still reading a local (all locals, or only `local`
 * when >= 0) to its slot, before that local changes or paths merge. */
static void materialize_locals(compiler *c, int64_t local) {
  if (c->nlocal_refs == 0) return;
  if (local >= 0 && c->local_refs[local] == 0) return;
  for (size_t i = 0; i < c->vn; i++)
    if (c->vs[i].kind == V_LOCAL && (local < 0 || c->vs[i].local == local))
      materialize(c, i);
}

/* ------------------------------------------------------------------------
 * Control
 */

static uint32_t label_arity(const ctrl *f) {
  return f->kind == C_LOOP ? f->bt.nparams : f->bt.nresults;
}

static const pg_vt *label_types(const ctrl *f) {
  return f->kind == C_LOOP ? f->bt.params : f->bt.results;
}

static bool get_label(compiler *c, uint32_t depth, ctrl **out) {
  if (depth >= c->cn) return invalid(c, "unknown label");
  *out = &c->cs[c->cn - 1 - depth];
  return true;
}

static void set_unreachable(compiler *c) {
  truncate_to(c, top(c)->height);
  top(c)->unreachable = true;
  c->dead = true;
}

/* Points the branch whose offset word is offw at label f: backward to a
 * loop header (charging fuel for the loop body), or forward through f's
 * patch chain. */
static void link_branch(compiler *c, size_t offw, ctrl *f) {
  if (offw == NO_POS) return;
  if (f->kind == C_LOOP) {
    uint32_t cost = c->ninstr - f->instr_at_start;
    c->code[offw].i = (int64_t)f->loop_start - (int64_t)offw;
    c->code[offw + 1].u = cost ? cost : 1;
  } else {
    c->code[offw].i = f->patch_head;
    f->patch_head = (int64_t)offw;
    f->end_live = true;
  }
}

static size_t offword(size_t start) {
  return start == NO_POS ? NO_POS : start + 1;
}

/* True when the top n values are not all already in the slots of a label
 * at height h. */
static bool needs_copies(compiler *c, uint32_t h, uint32_t n) {
  if (c->vn - n != h) return true;
  for (size_t i = c->vn - n; i < c->vn; i++)
    if (c->vs[i].kind != V_SLOT) return true;
  return false;
}

/* Moves the top n values to the slots of a label at height h (ascending:
 * every source is at or above its destination). */
static void emit_label_copies(compiler *c, uint32_t h, uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    size_t idx = c->vn - n + i;
    const vval *v = &c->vs[idx];
    int64_t dst = c->base + h + i;
    if (v->kind == V_LOCAL)
      emit_copy(c, dst, v->local);
    else if (v->kind == V_CONST)
      EMIT(c, PG_OP_const, dst, (int64_t)v->imm);
    else if (idx != h + i)
      emit_copy(c, dst, c->base + (int64_t)idx);
  }
}

/* Emits an unconditional br (target linked later) and remembers it for
 * thread_jumps(). */
static size_t emit_jump(compiler *c) {
  size_t start = EMIT(c, PG_OP_br, -1, 0);
  if (start != NO_POS &&
      grow(c, (void **)&c->brs, &c->brcap, c->nbrs + 1, sizeof *c->brs))
    c->brs[c->nbrs++] = start;
  return start;
}

/* A br whose target is a return becomes that return (saves a dispatch on
 * every early exit, e.g. fib's base case). Forward brs carry no fuel cost,
 * so nothing is lost; loop back edges never target a return. */
static void thread_jumps(compiler *c) {
  const void *ret = c->handlers[PG_OP_ret], *ret1 = c->handlers[PG_OP_ret1];
  for (size_t i = 0; i < c->nbrs; i++) {
    pg_word *w = &c->code[c->brs[i]];
    const pg_word *target = w + 1 + w[1].i;
    if (target->op == ret) {
      w[0].op = c->handlers[PG_OP_ret_pad];
    } else if (target->op == ret1) {
      w[0].op = c->handlers[PG_OP_ret1_pad];
      w[1].i = target[1].i;
    }
  }
}

/* Returns from the function with the top n values as results. */
static void emit_return(compiler *c, uint32_t n) {
  if (c->dead) return;
  if (n == 1) {
    int64_t s = src_slot(c, &c->vs[c->vn - 1], c->vn - 1);
    EMIT(c, PG_OP_ret1, s);
    return;
  }
  /* Locals first to their own slots (a result may overwrite a local
   * another result still reads), then ascending copies to fp[0..n). */
  for (size_t i = c->vn - n; i < c->vn; i++)
    if (c->vs[i].kind == V_LOCAL) materialize(c, i);
  for (uint32_t i = 0; i < n; i++) {
    size_t idx = c->vn - n + i;
    const vval *v = &c->vs[idx];
    if (v->kind == V_CONST)
      EMIT(c, PG_OP_const, i, (int64_t)v->imm);
    else if (c->base + (int64_t)idx != i)
      emit_copy(c, i, c->base + (int64_t)idx);
  }
  EMIT0(c, PG_OP_ret);
}

/* Unconditional branch to label f with its values on top. */
static void emit_br(compiler *c, ctrl *f) {
  uint32_t n = label_arity(f);
  if (c->dead) return;
  if (f->kind == C_FUNC) {
    emit_return(c, n);
    return;
  }
  emit_label_copies(c, f->height, n);
  link_branch(c, offword(emit_jump(c)), f);
}

static const int CMP_INVERSE[10] = {1, 0, 8, 9, 6, 7, 4, 5, 2, 3};
static const int CMP_SWAPPED[10] = {0, 1, 4, 5, 2, 3, 8, 9, 6, 7};

/* When the i32 condition tests the local that an i32.add_imm emitted right
 * before wrote (a loop counter), takes the add back and emits one addi_br*
 * instead; NO_POS when it does not apply. A comparison whose other operand
 * is that local would read it after the add, so it is left alone. */
static size_t emit_counter_branch(compiler *c, const cond *cd, bool negate,
                                  int cmp) {
  if (c->dead || c->status != PG_OK || c->bump_end != c->ncode || cd->is64)
    return NO_POS;
  const pg_word *w = &c->code[c->bump_start];
  int64_t d = w[1].i, a = w[2].i, imm = w[3].i;
  if (cd->a != d || (cd->kind == COND_CMP && cd->b == d)) return NO_POS;
  c->ncode = c->bump_start;
  c->bump_end = NO_POS;
  switch (cd->kind) {
  case COND_SLOT:
    return EMIT(c, negate ? PG_OP_addi_br_unless : PG_OP_addi_br_if, -1, 0,
                d, a, imm);
  case COND_EQZ:
    return EMIT(c, negate ? PG_OP_addi_br_if : PG_OP_addi_br_unless, -1, 0,
                d, a, imm);
  case COND_CMP:
    return EMIT(c, (pg_op)(PG_OP_addi_brc_i32_eq + cmp), -1, 0, d, a, imm,
                cd->b);
  default:
    return EMIT(c, (pg_op)(PG_OP_addi_brc_i32_eq_imm + cmp), -1, 0, d, a,
                imm, cd->b);
  }
}

/* Emits "branch if cond (or !cond when negate)"; returns the offset word. */
static size_t emit_cond_branch(compiler *c, const cond *cd, bool negate) {
  size_t s = NO_POS;
  int cmp = negate ? CMP_INVERSE[cd->cmp] : cd->cmp;
  pg_op first = cd->is64 ? PG_OP_brc_i64_eq : PG_OP_brc_i32_eq;
  pg_op first_imm = cd->is64 ? PG_OP_brc_i64_eq_imm : PG_OP_brc_i32_eq_imm;
  s = emit_counter_branch(c, cd, negate, cmp);
  if (s != NO_POS) return offword(s);
  switch (cd->kind) {
  case COND_SLOT:
    s = EMIT(c, negate ? PG_OP_br_unless : PG_OP_br_if, -1, 0, cd->a);
    break;
  case COND_EQZ:
    if (cd->is64)
      s = EMIT(c, negate ? PG_OP_brc_i64_nez : PG_OP_brc_i64_eqz, -1, 0,
               cd->a);
    else
      s = EMIT(c, negate ? PG_OP_br_if : PG_OP_br_unless, -1, 0, cd->a);
    break;
  case COND_CMP:
    s = EMIT(c, (pg_op)(first + cmp), -1, 0, cd->a, cd->b);
    break;
  default:
    s = EMIT(c, (pg_op)(first_imm + cmp), -1, 0, cd->a, cd->b);
    break;
  }
  return offword(s);
}

/* Pops an i32 condition. When the instruction just emitted computed it
 * with an i32 comparison, that instruction is taken back and its operands
 * returned for a fused compare-and-branch. */
static bool pop_cond(compiler *c, cond *cd) {
  vval v;
  if (!pop(c, PG_I32, &v)) return false;
  size_t h = c->vn;
  *cd = (cond){.kind = COND_SLOT};
  if (c->dead) return true;
  if (v.kind == V_SLOT && c->last_end == c->ncode &&
      c->code[c->last_start + 1].i == c->base + (int64_t)h) {
    pg_op op = c->last_op;
    const pg_word *w = &c->code[c->last_start];
    if (op >= PG_OP_i32_eq && op <= PG_OP_i32_ge_u)
      *cd = (cond){COND_CMP, (int)(op - PG_OP_i32_eq), false, w[2].i,
                   w[3].i};
    else if (op >= PG_OP_i32_eq_imm && op <= PG_OP_i32_ge_u_imm)
      *cd = (cond){COND_CMP_IMM, (int)(op - PG_OP_i32_eq_imm), false,
                   w[2].i, w[3].i};
    else if (op >= PG_OP_i64_eq && op <= PG_OP_i64_ge_u)
      *cd = (cond){COND_CMP, (int)(op - PG_OP_i64_eq), true, w[2].i,
                   w[3].i};
    else if (op >= PG_OP_i64_eq_imm && op <= PG_OP_i64_ge_u_imm)
      *cd = (cond){COND_CMP_IMM, (int)(op - PG_OP_i64_eq_imm), true,
                   w[2].i, w[3].i};
    else if (op == PG_OP_i32_eqz || op == PG_OP_i64_eqz)
      *cd = (cond){COND_EQZ, 0, op == PG_OP_i64_eqz, w[2].i, 0};
    if (cd->kind != COND_SLOT) {
      c->ncode = c->last_start;
      c->last_end = NO_POS;
      return true;
    }
  }
  cd->a = src_slot(c, &v, h);
  return true;
}

static bool read_blocktype(compiler *c, blocktype *bt) {
  if (pg_reader_left(&c->r) == 0) return read_failed(c);
  uint8_t b = *c->r.p;
  *bt = (blocktype){0};
  if (b == 0x40) {
    c->r.p++;
    return true;
  }
  const pg_vt *one = single_type(b);
  if (one) {
    c->r.p++;
    bt->nresults = 1;
    bt->results = one;
    return true;
  }
  int64_t x;
  if (!pg_read_sleb(&c->r, 33, &x)) return read_failed(c);
  if (x < 0) return malformed(c, "malformed value type");
  if ((uint64_t)x >= c->m->ntypes) return invalid(c, "unknown type");
  const pg_functype *ft = &c->m->types[x];
  bt->nparams = ft->nparams;
  bt->nresults = ft->nresults;
  bt->params = ft->types;
  bt->results = ft->types + ft->nparams;
  return true;
}

static bool push_ctrl(compiler *c, uint8_t kind, const blocktype *bt) {
  if (!grow(c, (void **)&c->cs, &c->ccap, c->cn + 1, sizeof(ctrl)))
    return false;
  ctrl *f = &c->cs[c->cn++];
  *f = (ctrl){.kind = kind, .live_entry = !c->dead, .bt = *bt,
              .height = (uint32_t)(c->vn - bt->nparams), .patch_head = -1,
              .else_site = -1, .loop_start = c->ncode,
              .instr_at_start = c->ninstr};
  return true;
}

/* Common entry of block/loop/if: params checked and put in their slots
 * (and every entry still reading a local, since the block may change it on
 * only some paths). */
static bool enter_block(compiler *c, uint8_t kind, const blocktype *bt) {
  if (!check_top(c, bt->params, bt->nparams)) return false;
  if (!c->dead) {
    materialize_locals(c, -1);
    materialize_range(c, c->vn - bt->nparams, c->vn);
  }
  if (!pop_types(c, bt->params, bt->nparams) ||
      !push_types(c, bt->params, bt->nparams))
    return false;
  return push_ctrl(c, kind, bt);
}

static bool op_block(compiler *c) {
  blocktype bt;
  return read_blocktype(c, &bt) && enter_block(c, C_BLOCK, &bt);
}

static bool op_loop(compiler *c) {
  blocktype bt;
  if (!read_blocktype(c, &bt) || !enter_block(c, C_LOOP, &bt)) return false;
  mark_label(c);
  top(c)->loop_start = c->ncode;
  c->loop_depth++;
  return true;
}

static bool op_if(compiler *c) {
  blocktype bt;
  cond cd;
  if (!read_blocktype(c, &bt) || !pop_cond(c, &cd) ||
      !enter_block(c, C_IF, &bt))
    return false;
  size_t offw = emit_cond_branch(c, &cd, true);
  top(c)->else_site = offw == NO_POS ? -1 : (int64_t)offw;
  return true;
}

/* The block's results must be exactly on the stack; puts them in their
 * slots (except at a function end that no branch targets: the return
 * reads them wherever they are). */
static bool close_block_values(compiler *c, ctrl *f) {
  if (!check_top(c, f->bt.results, f->bt.nresults)) return false;
  if (c->vn > f->height + f->bt.nresults) return invalid(c, "type mismatch");
  if (!c->dead && !(f->kind == C_FUNC && !f->end_live))
    materialize_range(c, f->height, c->vn);
  return true;
}

static bool op_else(compiler *c) {
  ctrl *f = top(c);
  if (f->kind != C_IF) return malformed(c, "unexpected else");
  if (!close_block_values(c, f)) return false;
  link_branch(c, offword(emit_jump(c)), f);
  patch_here(c, f->else_site);
  f->else_site = -1;
  truncate_to(c, f->height);
  f->kind = C_ELSE;
  f->unreachable = false;
  c->dead = !f->live_entry;
  return push_types(c, f->bt.params, f->bt.nparams);
}

static bool finish_function(compiler *c, ctrl *f, bool live_after);

static bool op_end(compiler *c) {
  ctrl *f = top(c);
  if (!close_block_values(c, f)) return false;
  if (f->kind == C_IF &&
      (f->bt.nparams != f->bt.nresults ||
       (f->bt.nparams &&
        memcmp(f->bt.params, f->bt.results, f->bt.nparams) != 0)))
    return invalid(c, "type mismatch");
  bool live_after = !c->dead || f->end_live ||
                    (f->kind == C_IF && f->live_entry);
  if (f->kind == C_FUNC) return finish_function(c, f, live_after);
  patch_here(c, f->else_site);
  patch_chain(c, f->patch_head);
  if (f->kind == C_LOOP) c->loop_depth--;
  truncate_to(c, f->height);
  blocktype bt = f->bt;
  c->cn--;
  c->dead = !live_after;
  return push_types(c, bt.results, bt.nresults);
}

static bool finish_function(compiler *c, ctrl *f, bool live_after) {
  uint32_t n = f->bt.nresults;
  if (!f->end_live) {
    emit_return(c, n); /* straight from wherever the values are */
  } else {
    patch_chain(c, f->patch_head);
    c->dead = !live_after;
    truncate_to(c, f->height);
    push_types(c, f->bt.results, n);
    emit_return(c, n);
  }
  c->cn--;
  return true;
}

static bool op_br(compiler *c) {
  uint32_t depth;
  ctrl *f;
  if (!rd_u32(c, &depth) || !get_label(c, depth, &f)) return false;
  if (!check_top(c, label_types(f), label_arity(f))) return false;
  emit_br(c, f);
  set_unreachable(c);
  return true;
}

static bool op_br_if(compiler *c) {
  uint32_t depth;
  ctrl *f;
  cond cd;
  if (!rd_u32(c, &depth) || !get_label(c, depth, &f) || !pop_cond(c, &cd))
    return false;
  uint32_t n = label_arity(f);
  const pg_vt *types = label_types(f);
  if (!check_top(c, types, n)) return false;
  if (!c->dead) {
    if (f->kind == C_FUNC || needs_copies(c, f->height, n)) {
      /* Values to their slots on both paths, then copies on the taken
       * path only (they do not change where the values are). */
      materialize_range(c, c->vn - n, c->vn);
      size_t skip = emit_cond_branch(c, &cd, true);
      emit_br(c, f);
      patch_here(c, (int64_t)skip);
    } else {
      link_branch(c, emit_cond_branch(c, &cd, false), f);
    }
    return true;
  }
  return pop_types(c, types, n) && push_types(c, types, n);
}

/* br_table: each label must take the same number of values, each of the
 * right types. Targets needing their values moved get a stub after the
 * table: copies, then a branch. */
static bool op_br_table(compiler *c) {
  uint32_t count;
  if (!rd_u32(c, &count)) return false;
  if (count > pg_reader_left(&c->r)) return read_failed(c);
  uint32_t *depths = malloc(((size_t)count + 1) * sizeof *depths);
  if (!depths) return fail(c, PG_NOMEM, "out of memory");
  bool ok = false;
  for (uint32_t i = 0; i <= count; i++)
    if (!rd_u32(c, &depths[i])) goto done;
  vval idx;
  if (!pop(c, PG_I32, &idx)) goto done;
  size_t idx_h = c->vn;
  ctrl *def;
  if (!get_label(c, depths[count], &def)) goto done;
  uint32_t n = label_arity(def);
  for (uint32_t i = 0; i <= count; i++) {
    ctrl *f;
    if (!get_label(c, depths[i], &f)) goto done;
    if (label_arity(f) != n) {
      invalid(c, "type mismatch");
      goto done;
    }
    if (!check_top(c, label_types(f), n)) goto done;
  }
  if (!c->dead) {
    int64_t islot = src_slot(c, &idx, idx_h);
    materialize_range(c, c->vn - n, c->vn);
    size_t start = EMIT(c, PG_OP_br_table, islot, count);
    if (start == NO_POS ||
        !grow(c, (void **)&c->code, &c->codecap,
              c->ncode + 2 * ((size_t)count + 1), sizeof(pg_word)))
      goto done;
    for (uint32_t i = 0; i <= count; i++) { /* (off, cost) pairs */
      c->code[c->ncode++].i = -1;
      c->code[c->ncode++].u = 0;
    }
    for (uint32_t i = 0; i <= count; i++) {
      size_t offw = start + 3 + 2 * (size_t)i;
      ctrl *f = &c->cs[c->cn - 1 - depths[i]];
      if (f->kind != C_FUNC && !needs_copies(c, f->height, n)) {
        link_branch(c, offw, f);
        continue;
      }
      patch_here(c, (int64_t)offw); /* stub starts here */
      emit_br(c, f);
    }
  }
  set_unreachable(c);
  ok = true;
done:
  free(depths);
  return ok;
}

static bool op_return(compiler *c) {
  ctrl *f = &c->cs[0];
  if (!check_top(c, f->bt.results, f->bt.nresults)) return false;
  emit_return(c, f->bt.nresults);
  set_unreachable(c);
  return true;
}

/* ------------------------------------------------------------------------
 * Calls
 */

/* Type-checks the params of ft, puts them in consecutive slots and returns
 * the first slot (the callee's frame starts there). */
static bool call_args(compiler *c, const pg_functype *ft, int64_t *base) {
  if (!check_top(c, ft->types, ft->nparams)) return false;
  size_t h = c->vn >= ft->nparams ? c->vn - ft->nparams : 0;
  if (!c->dead) materialize_range(c, h, c->vn);
  *base = c->base + (int64_t)h;
  return pop_types(c, ft->types, ft->nparams);
}

static bool op_call(compiler *c) {
  uint32_t fidx;
  int64_t base;
  if (!rd_u32(c, &fidx)) return false;
  if (fidx >= c->m->nfuncs) return invalid(c, "unknown function");
  const pg_functype *ft = &c->m->types[c->m->func_type_index[fidx]];
  if (!call_args(c, ft, &base)) return false;
  if (fidx >= c->m->nfunc_imports) {
    const pg_fcode *fc = c->m->defined[fidx - c->m->nfunc_imports].code;
    EMIT(c, PG_OP_call_wasm, fidx, base, (int64_t)(intptr_t)fc);
  } else {
    EMIT(c, PG_OP_call, fidx, base);
  }
  return push_types(c, ft->types + ft->nparams, ft->nresults);
}

static bool op_call_indirect(compiler *c) {
  uint32_t tidx, table;
  int64_t base;
  vval idx;
  if (!rd_u32(c, &tidx) || !rd_u32(c, &table)) return false;
  if (table >= c->m->ntables) return invalid(c, "unknown table");
  if (tidx >= c->m->ntypes) return invalid(c, "unknown type");
  if (c->m->tables[table].reftype != PG_FUNCREF)
    return invalid(c, "type mismatch");
  const pg_functype *ft = &c->m->types[tidx];
  if (!pop(c, PG_I32, &idx)) return false;
  size_t idx_h = c->vn;
  if (!call_args(c, ft, &base)) return false;
  if (!c->dead) {
    int64_t islot = src_slot(c, &idx, idx_h);
    EMIT(c, PG_OP_call_indirect, table, ft->sig_id, base, islot);
  }
  return push_types(c, ft->types + ft->nparams, ft->nresults);
}

/* ------------------------------------------------------------------------
 * Variables and parametric
 */

static bool read_local(compiler *c, uint32_t *idx) {
  if (!rd_u32(c, idx)) return false;
  return *idx < c->nlocals_all || invalid(c, "unknown local");
}

static bool op_local_get(compiler *c) {
  uint32_t x;
  if (!read_local(c, &x)) return false;
  return push_v(c, (vval){.type = c->ltypes[x], .kind = V_LOCAL, .local = x});
}

/* local.set/tee: the value goes into local x; the instruction that just
 * computed it is retargeted when nothing else needs the old value. */
static bool op_local_set(compiler *c, bool tee) {
  uint32_t x;
  vval v;
  if (!read_local(c, &x) || !pop(c, c->ltypes[x], &v)) return false;
  size_t h = c->vn;
  /* Declared locals start at zero: storing zero again before any label
   * (clang does it for every accumulator) changes nothing. */
  bool still_zero = v.kind == V_CONST && v.imm == 0 && c->straight &&
                    c->local_zero[x];
  if (!c->dead && !still_zero && !(v.kind == V_LOCAL && v.local == x)) {
    c->local_zero[x] = 0;
    materialize_locals(c, x);
    if (v.kind == V_SLOT && c->last_end == c->ncode &&
        c->code[c->last_start + 1].i == c->base + (int64_t)h) {
      c->code[c->last_start + 1].i = x;
      c->last_end = NO_POS;
      if (c->last_op == PG_OP_i32_add_imm) {
        c->bump_start = c->last_start;
        c->bump_end = c->ncode;
      }
    } else if (v.kind == V_CONST) {
      EMIT(c, PG_OP_const, x, (int64_t)v.imm);
    } else {
      emit_copy(c, x, src_slot(c, &v, h));
    }
  }
  if (!tee) return true;
  return push_v(c, (vval){.type = c->ltypes[x], .kind = V_LOCAL, .local = x});
}

static bool op_global(compiler *c, bool set) {
  uint32_t x;
  vval v;
  if (!rd_u32(c, &x)) return false;
  if (x >= c->m->nglobals) return invalid(c, "unknown global");
  const pg_globaltype *gt = &c->m->global_types[x];
  if (!set) {
    EMIT_VALUE(c, PG_OP_global_get, c->base + (int64_t)c->vn, x);
    return push(c, gt->type);
  }
  if (!gt->mutable_) return invalid(c, "global is immutable");
  if (!pop(c, gt->type, &v)) return false;
  EMIT(c, PG_OP_global_set, x, src_slot(c, &v, c->vn));
  return true;
}

static bool op_select(compiler *c, bool typed) {
  pg_vt want = VT_UNKNOWN;
  if (typed) {
    uint32_t n;
    uint8_t b;
    if (!rd_u32(c, &n)) return false;
    if (n != 1) return invalid(c, "invalid result arity");
    if (!rd_u8(c, &b)) return false;
    if (!single_type(b)) return malformed(c, "malformed value type");
    want = b;
  }
  vval vc, vb, va;
  if (!pop(c, PG_I32, &vc) || !pop(c, want, &vb) || !pop(c, want, &va))
    return false;
  pg_vt t = want;
  if (!typed) {
    if ((vb.type != VT_UNKNOWN && !is_num(vb.type)) ||
        (va.type != VT_UNKNOWN && !is_num(va.type)))
      return invalid(c, "type mismatch");
    if (va.type != VT_UNKNOWN && vb.type != VT_UNKNOWN && va.type != vb.type)
      return invalid(c, "type mismatch");
    t = va.type != VT_UNKNOWN ? va.type : vb.type;
  }
  size_t h = c->vn;
  if (!c->dead) {
    /* A condition just computed by i32.eqz/i64.eqz is taken back: the
     * select swaps its operands and tests the eqz operand instead. */
    pg_op op = PG_OP_select;
    bool swap = false;
    int64_t sc = -1;
    if (vc.kind == V_SLOT && c->last_end == c->ncode &&
        c->code[c->last_start + 1].i == c->base + (int64_t)h + 2 &&
        (c->last_op == PG_OP_i32_eqz || c->last_op == PG_OP_i64_eqz)) {
      op = c->last_op == PG_OP_i64_eqz ? PG_OP_select64 : PG_OP_select;
      sc = c->code[c->last_start + 2].i;
      swap = true;
      c->ncode = c->last_start;
      c->last_end = NO_POS;
    }
    int64_t sa = src_slot(c, &va, h), sb = src_slot(c, &vb, h + 1);
    if (sc < 0) sc = src_slot(c, &vc, h + 2);
    EMIT_VALUE(c, op, c->base + (int64_t)h, swap ? sb : sa, swap ? sa : sb,
               sc);
  }
  return push(c, t);
}

/* ------------------------------------------------------------------------
 * Memory
 */

static bool need_memory(compiler *c) {
  return c->m->nmemories > 0 || invalid(c, "unknown memory 0");
}

static bool read_memarg(compiler *c, uint32_t natural_log2,
                        uint32_t *offset) {
  uint32_t align;
  if (!rd_u32(c, &align) || !rd_u32(c, offset) || !need_memory(c))
    return false;
  if (align > natural_log2)
    return invalid(c, "alignment must not be larger than natural");
  return true;
}

typedef struct memop {
  pg_op op; /* plain form; op + 1 .. + 4: the _rr, _ri, _rs, _si forms */
  pg_vt type;
  uint8_t align; /* natural alignment, log2 */
} memop;

/* 0x28..0x35 loads, 0x36..0x3E stores. */
static const memop MEMOPS[] = {
    {PG_OP_i32_load, PG_I32, 2},     {PG_OP_i64_load, PG_I64, 3},
    {PG_OP_i32_load, PG_F32, 2},     {PG_OP_i64_load, PG_F64, 3},
    {PG_OP_i32_load8_s, PG_I32, 0},  {PG_OP_i32_load8_u, PG_I32, 0},
    {PG_OP_i32_load16_s, PG_I32, 1}, {PG_OP_i32_load16_u, PG_I32, 1},
    {PG_OP_i64_load8_s, PG_I64, 0},  {PG_OP_i64_load8_u, PG_I64, 0},
    {PG_OP_i64_load16_s, PG_I64, 1}, {PG_OP_i64_load16_u, PG_I64, 1},
    {PG_OP_i64_load32_s, PG_I64, 2}, {PG_OP_i64_load32_u, PG_I64, 2},
    {PG_OP_i32_store, PG_I32, 2},    {PG_OP_i64_store, PG_I64, 3},
    {PG_OP_i32_store, PG_F32, 2},    {PG_OP_i64_store, PG_F64, 3},
    {PG_OP_i32_store8, PG_I32, 0},   {PG_OP_i32_store16, PG_I32, 1},
    {PG_OP_i32_store8, PG_I64, 0},   {PG_OP_i32_store16, PG_I64, 1},
    {PG_OP_i32_store, PG_I64, 2},
};

/* An address folded into an access: form 1 = a + b, 2 = a + imm,
 * 3 = a + (b << k), 4 = (a << k) + imm (the imm in b). */
typedef struct addr_form {
  int form;
  int64_t a, b, k;
} addr_form;

/* The i32.shl-by-constant emitted right before the last instruction, when
 * it wrote temporary `slot` (read only by that instruction); else NULL. */
static const pg_word *shift_before_last(compiler *c, int64_t slot) {
  if (!c->prev_valid || c->prev_op != PG_OP_i32_shl_imm) return NULL;
  const pg_word *p = &c->code[c->prev_start];
  return p[1].i == slot && slot >= c->base ? p : NULL;
}

/* When the address (popped, at height h) was computed by the instruction
 * just emitted with i32.add (reg+reg, reg+imm, or reg + a shifted reg
 * computed right before), takes those instructions back and describes the
 * sum in *af; false when there is nothing to fold. `keep` is a slot the
 * caller writes before the access, which no operand may be. */
static bool take_address(compiler *c, const vval *a, size_t h, int64_t keep,
                         addr_form *af) {
  af->form = 0;
  if (c->dead || a->kind != V_SLOT || c->last_end != c->ncode ||
      c->code[c->last_start + 1].i != c->base + (int64_t)h)
    return false;
  const pg_word *w = &c->code[c->last_start];
  size_t cut = c->last_start; /* code is taken back from here */
  *af = (addr_form){0, w[2].i, w[3].i, 0};
  if (c->last_op == PG_OP_i32_add_imm) {
    af->form = 2;
    const pg_word *sh = shift_before_last(c, af->a);
    if (sh) {
      af->form = 4;
      af->a = sh[2].i;
      af->k = (int64_t)(sh[3].u & 31);
      cut = c->prev_start; /* both instructions go */
    }
  } else if (c->last_op == PG_OP_i32_add) {
    af->form = 1;
    const pg_word *sh = NULL;
    if (af->a != af->b) {
      sh = shift_before_last(c, af->b);
      if (!sh && (sh = shift_before_last(c, af->a))) af->a = af->b;
    }
    if (sh && sh[2].i != keep) {
      af->form = 3;
      af->b = sh[2].i;
      af->k = (int64_t)(sh[3].u & 31);
      cut = c->prev_start; /* both instructions go */
    }
  }
  bool b_is_slot = af->form == 1 || af->form == 3;
  if (!af->form || af->a == keep || (b_is_slot && af->b == keep)) {
    af->form = 0;
    return false;
  }
  c->ncode = cut;
  c->last_end = NO_POS;
  c->prev_valid = false;
  return true;
}

static bool op_load(compiler *c, uint8_t opcode) {
  const memop *mo = &MEMOPS[opcode - 0x28];
  uint32_t offset;
  vval a;
  addr_form af;
  if (!read_memarg(c, mo->align, &offset) || !pop(c, PG_I32, &a))
    return false;
  size_t h = c->vn;
  int64_t dst = c->base + (int64_t)h;
  if (take_address(c, &a, h, -1, &af) && af.form == 3)
    EMIT_VALUE(c, (pg_op)(mo->op + 3), dst, af.a, af.b, af.k, offset);
  else if (af.form == 4)
    EMIT_VALUE(c, (pg_op)(mo->op + 4), dst, af.a, af.k, af.b, offset);
  else if (af.form && !c->dead)
    EMIT_VALUE(c, (pg_op)(mo->op + af.form), dst, af.a, af.b, offset);
  else if (!c->dead)
    EMIT_VALUE(c, mo->op, dst, src_slot(c, &a, h), offset);
  return push(c, mo->type);
}

static bool op_store(compiler *c, uint8_t opcode) {
  const memop *mo = &MEMOPS[opcode - 0x28];
  uint32_t offset;
  vval a, v;
  addr_form af;
  if (!read_memarg(c, mo->align, &offset) || !pop(c, mo->type, &v) ||
      !pop(c, PG_I32, &a))
    return false;
  size_t h = c->vn;
  /* A constant value is written to slot h+1 first: keep it clear. */
  int64_t keep = v.kind == V_CONST ? c->base + (int64_t)h + 1 : -1;
  if (take_address(c, &a, h, keep, &af)) {
    int64_t sv = src_slot(c, &v, h + 1);
    if (af.form == 3)
      EMIT(c, (pg_op)(mo->op + 3), af.a, af.b, af.k, sv, offset);
    else if (af.form == 4)
      EMIT(c, (pg_op)(mo->op + 4), af.a, af.k, af.b, sv, offset);
    else
      EMIT(c, (pg_op)(mo->op + af.form), af.a, af.b, sv, offset);
  } else if (!c->dead) {
    int64_t sa = src_slot(c, &a, h), sv = src_slot(c, &v, h + 1);
    EMIT(c, mo->op, sa, sv, offset);
  }
  return true;
}

static bool op_memory_size_grow(compiler *c, bool grow_op) {
  vval a;
  if (!rd_zero_byte(c) || !need_memory(c)) return false;
  size_t h = c->vn;
  if (grow_op) {
    if (!pop(c, PG_I32, &a)) return false;
    h = c->vn;
    if (!c->dead) {
      int64_t sa = src_slot(c, &a, h);
      EMIT_VALUE(c, PG_OP_memory_grow, c->base + (int64_t)h, sa);
    }
  } else {
    EMIT_VALUE(c, PG_OP_memory_size, c->base + (int64_t)h);
  }
  return push(c, PG_I32);
}

/* Pops n values of the given types (last one on top) and returns their
 * slots, for the bulk memory/table ops. */
static bool pop_args(compiler *c, const pg_vt *types, int n, int64_t *slots) {
  vval v[5];
  for (int k = n; k-- > 0;)
    if (!pop(c, types[k], &v[k])) return false;
  size_t h = c->vn;
  for (int k = 0; k < n; k++) slots[k] = c->dead ? 0 : src_slot(c, &v[k], h + k);
  return true;
}

static const pg_vt I32X3[3] = {PG_I32, PG_I32, PG_I32};

/* Without a data count section the index cannot be checked while
 * decoding code; the spec calls that malformed, but a module with no data
 * at all simply has no segment to name (memory_init.wast). */
static bool need_data(compiler *c, uint32_t seg) {
  if (!c->m->has_data_count && c->m->ndatas > 0)
    return malformed(c, "data count section required");
  uint32_t n = c->m->has_data_count ? c->m->data_count : c->m->ndatas;
  return seg < n || invalid(c, "unknown data segment");
}

static bool need_table(compiler *c, uint32_t t) {
  return t < c->m->ntables || invalid(c, "unknown table");
}

static bool need_elem(compiler *c, uint32_t e) {
  return e < c->m->nelems || invalid(c, "unknown elem segment");
}

static pg_vt table_type(compiler *c, uint32_t t) {
  return c->m->tables[t].reftype;
}

/* 0xFC 8..17: bulk memory and table operations. */
static bool op_bulk(compiler *c, uint32_t sub) {
  uint32_t x, y;
  int64_t s[3];
  pg_vt types[3];
  size_t h;
  switch (sub) {
  case 8: /* memory.init */
    if (!rd_u32(c, &x) || !rd_zero_byte(c) || !need_memory(c) ||
        !need_data(c, x) || !pop_args(c, I32X3, 3, s))
      return false;
    EMIT(c, PG_OP_memory_init, x, s[0], s[1], s[2]);
    return true;
  case 9: /* data.drop */
    if (!rd_u32(c, &x) || !need_data(c, x)) return false;
    EMIT(c, PG_OP_data_drop, x);
    return true;
  case 10: /* memory.copy */
    if (!rd_zero_byte(c) || !rd_zero_byte(c) || !need_memory(c) ||
        !pop_args(c, I32X3, 3, s))
      return false;
    EMIT(c, PG_OP_memory_copy, s[0], s[1], s[2]);
    return true;
  case 11: /* memory.fill */
    if (!rd_zero_byte(c) || !need_memory(c) || !pop_args(c, I32X3, 3, s))
      return false;
    EMIT(c, PG_OP_memory_fill, s[0], s[1], s[2]);
    return true;
  case 12: /* table.init elem table */
    if (!rd_u32(c, &y) || !rd_u32(c, &x) || !need_table(c, x) ||
        !need_elem(c, y))
      return false;
    if (c->m->elems[y].reftype != table_type(c, x))
      return invalid(c, "type mismatch");
    if (!pop_args(c, I32X3, 3, s)) return false;
    EMIT(c, PG_OP_table_init, x, y, s[0], s[1], s[2]);
    return true;
  case 13: /* elem.drop */
    if (!rd_u32(c, &x) || !need_elem(c, x)) return false;
    EMIT(c, PG_OP_elem_drop, x);
    return true;
  case 14: /* table.copy dst src */
    if (!rd_u32(c, &x) || !rd_u32(c, &y) || !need_table(c, x) ||
        !need_table(c, y))
      return false;
    if (table_type(c, x) != table_type(c, y))
      return invalid(c, "type mismatch");
    if (!pop_args(c, I32X3, 3, s)) return false;
    EMIT(c, PG_OP_table_copy, x, y, s[0], s[1], s[2]);
    return true;
  case 15: /* table.grow */
    if (!rd_u32(c, &x) || !need_table(c, x)) return false;
    types[0] = table_type(c, x);
    types[1] = PG_I32;
    if (!pop_args(c, types, 2, s)) return false;
    h = c->vn;
    EMIT_VALUE(c, PG_OP_table_grow, c->base + (int64_t)h, x, s[0], s[1]);
    return push(c, PG_I32);
  case 16: /* table.size */
    if (!rd_u32(c, &x) || !need_table(c, x)) return false;
    EMIT_VALUE(c, PG_OP_table_size, c->base + (int64_t)c->vn, x);
    return push(c, PG_I32);
  case 17: /* table.fill */
    if (!rd_u32(c, &x) || !need_table(c, x)) return false;
    types[0] = PG_I32;
    types[1] = table_type(c, x);
    types[2] = PG_I32;
    if (!pop_args(c, types, 3, s)) return false;
    EMIT(c, PG_OP_table_fill, x, s[0], s[1], s[2]);
    return true;
  default:
    return malformed(c, "illegal opcode");
  }
}

static bool op_table_get_set(compiler *c, bool set) {
  uint32_t x;
  int64_t s[2];
  pg_vt types[2];
  if (!rd_u32(c, &x) || !need_table(c, x)) return false;
  types[0] = PG_I32;
  types[1] = table_type(c, x);
  if (set) {
    if (!pop_args(c, types, 2, s)) return false;
    EMIT(c, PG_OP_table_set, x, s[0], s[1]);
    return true;
  }
  if (!pop_args(c, types, 1, s)) return false;
  EMIT_VALUE(c, PG_OP_table_get, c->base + (int64_t)c->vn, x, s[0]);
  return push(c, types[1]);
}

/* ------------------------------------------------------------------------
 * References and constants
 */

static bool op_ref_null(compiler *c) {
  uint8_t b;
  if (!rd_u8(c, &b)) return false;
  if (!is_ref(b)) return malformed(c, "malformed reference type");
  return push_v(c, (vval){.type = b, .kind = V_CONST, .imm = 0});
}

static bool op_ref_is_null(compiler *c) {
  vval v;
  if (!pop(c, VT_UNKNOWN, &v)) return false;
  if (v.type != VT_UNKNOWN && !is_ref(v.type))
    return invalid(c, "type mismatch");
  size_t h = c->vn;
  if (!c->dead) {
    int64_t sa = src_slot(c, &v, h);
    EMIT_VALUE(c, PG_OP_i64_eqz, c->base + (int64_t)h, sa);
  }
  return push(c, PG_I32);
}

static bool op_ref_func(compiler *c) {
  uint32_t x;
  if (!rd_u32(c, &x)) return false;
  if (x >= c->m->nfuncs) return invalid(c, "unknown function");
  if (!c->m->func_declared[x])
    return invalid(c, "undeclared function reference");
  EMIT_VALUE(c, PG_OP_ref_func, c->base + (int64_t)c->vn, x);
  return push(c, PG_FUNCREF);
}

static bool op_const(compiler *c, uint8_t opcode) {
  vval v = {.kind = V_CONST};
  bool ok;
  int32_t i32;
  int64_t i64;
  uint32_t f32;
  switch (opcode) {
  case 0x41:
    ok = pg_read_s32(&c->r, &i32);
    v.type = PG_I32;
    v.imm = (uint32_t)i32;
    break;
  case 0x42:
    ok = pg_read_s64(&c->r, &i64);
    v.type = PG_I64;
    v.imm = (uint64_t)i64;
    break;
  case 0x43:
    ok = pg_read_fixed32(&c->r, &f32);
    v.type = PG_F32;
    v.imm = f32;
    break;
  default:
    ok = pg_read_fixed64(&c->r, &v.imm);
    v.type = PG_F64;
    break;
  }
  return (ok || read_failed(c)) && push_v(c, v);
}

/* ------------------------------------------------------------------------
 * Numeric instructions: one table entry per opcode 0x45..0xC4.
 */

typedef struct numop {
  uint16_t op;     /* pg_op; 0 = reinterpret (no code) */
  uint16_t imm_op; /* pg_op of the `_imm` form, 0 = none */
  pg_vt in, out;
  uint8_t arity; /* 0 = not an instruction */
} numop;

#define U_(o, a, r) {PG_OP_##o, 0, PG_##a, PG_##r, 1}
#define B_(o, a, r) {PG_OP_##o, 0, PG_##a, PG_##r, 2}
#define BI_(o, a, r) {PG_OP_##o, PG_OP_##o##_imm, PG_##a, PG_##r, 2}
#define NOP_(a, r) {0, 0, PG_##a, PG_##r, 1}

static const numop NUMOPS[0xC5 - 0x45] = {
    U_(i32_eqz, I32, I32), BI_(i32_eq, I32, I32), BI_(i32_ne, I32, I32),
    BI_(i32_lt_s, I32, I32), BI_(i32_lt_u, I32, I32),
    BI_(i32_gt_s, I32, I32), BI_(i32_gt_u, I32, I32),
    BI_(i32_le_s, I32, I32), BI_(i32_le_u, I32, I32),
    BI_(i32_ge_s, I32, I32), BI_(i32_ge_u, I32, I32),
    /* 0x50 */
    U_(i64_eqz, I64, I32), BI_(i64_eq, I64, I32), BI_(i64_ne, I64, I32),
    BI_(i64_lt_s, I64, I32), BI_(i64_lt_u, I64, I32),
    BI_(i64_gt_s, I64, I32), BI_(i64_gt_u, I64, I32),
    BI_(i64_le_s, I64, I32), BI_(i64_le_u, I64, I32),
    BI_(i64_ge_s, I64, I32), BI_(i64_ge_u, I64, I32),
    /* 0x5B */
    B_(f32_eq, F32, I32), B_(f32_ne, F32, I32), B_(f32_lt, F32, I32),
    B_(f32_gt, F32, I32), B_(f32_le, F32, I32), B_(f32_ge, F32, I32),
    B_(f64_eq, F64, I32), B_(f64_ne, F64, I32), B_(f64_lt, F64, I32),
    B_(f64_gt, F64, I32), B_(f64_le, F64, I32), B_(f64_ge, F64, I32),
    /* 0x67 */
    U_(i32_clz, I32, I32), U_(i32_ctz, I32, I32), U_(i32_popcnt, I32, I32),
    BI_(i32_add, I32, I32), BI_(i32_sub, I32, I32), BI_(i32_mul, I32, I32),
    B_(i32_div_s, I32, I32), B_(i32_div_u, I32, I32),
    B_(i32_rem_s, I32, I32), B_(i32_rem_u, I32, I32),
    BI_(i32_and, I32, I32), BI_(i32_or, I32, I32), BI_(i32_xor, I32, I32),
    BI_(i32_shl, I32, I32), BI_(i32_shr_s, I32, I32),
    BI_(i32_shr_u, I32, I32), BI_(i32_rotl, I32, I32), BI_(i32_rotr, I32, I32),
    /* 0x79 */
    U_(i64_clz, I64, I64), U_(i64_ctz, I64, I64), U_(i64_popcnt, I64, I64),
    BI_(i64_add, I64, I64), BI_(i64_sub, I64, I64), BI_(i64_mul, I64, I64),
    B_(i64_div_s, I64, I64), B_(i64_div_u, I64, I64),
    B_(i64_rem_s, I64, I64), B_(i64_rem_u, I64, I64),
    BI_(i64_and, I64, I64), BI_(i64_or, I64, I64), BI_(i64_xor, I64, I64),
    BI_(i64_shl, I64, I64), BI_(i64_shr_s, I64, I64),
    BI_(i64_shr_u, I64, I64), BI_(i64_rotl, I64, I64), BI_(i64_rotr, I64, I64),
    /* 0x8B */
    U_(f32_abs, F32, F32), U_(f32_neg, F32, F32), U_(f32_ceil, F32, F32),
    U_(f32_floor, F32, F32), U_(f32_trunc, F32, F32),
    U_(f32_nearest, F32, F32), U_(f32_sqrt, F32, F32),
    BI_(f32_add, F32, F32), BI_(f32_sub, F32, F32), BI_(f32_mul, F32, F32),
    BI_(f32_div, F32, F32), B_(f32_min, F32, F32), B_(f32_max, F32, F32),
    B_(f32_copysign, F32, F32),
    /* 0x99 */
    U_(f64_abs, F64, F64), U_(f64_neg, F64, F64), U_(f64_ceil, F64, F64),
    U_(f64_floor, F64, F64), U_(f64_trunc, F64, F64),
    U_(f64_nearest, F64, F64), U_(f64_sqrt, F64, F64),
    BI_(f64_add, F64, F64), BI_(f64_sub, F64, F64), BI_(f64_mul, F64, F64),
    BI_(f64_div, F64, F64), B_(f64_min, F64, F64), B_(f64_max, F64, F64),
    B_(f64_copysign, F64, F64),
    /* 0xA7 */
    U_(i32_wrap_i64, I64, I32), U_(i32_trunc_f32_s, F32, I32),
    U_(i32_trunc_f32_u, F32, I32), U_(i32_trunc_f64_s, F64, I32),
    U_(i32_trunc_f64_u, F64, I32), U_(i64_extend_i32_s, I32, I64),
    U_(i64_extend_i32_u, I32, I64), U_(i64_trunc_f32_s, F32, I64),
    U_(i64_trunc_f32_u, F32, I64), U_(i64_trunc_f64_s, F64, I64),
    U_(i64_trunc_f64_u, F64, I64), U_(f32_convert_i32_s, I32, F32),
    U_(f32_convert_i32_u, I32, F32), U_(f32_convert_i64_s, I64, F32),
    U_(f32_convert_i64_u, I64, F32), U_(f32_demote_f64, F64, F32),
    U_(f64_convert_i32_s, I32, F64), U_(f64_convert_i32_u, I32, F64),
    U_(f64_convert_i64_s, I64, F64), U_(f64_convert_i64_u, I64, F64),
    U_(f64_promote_f32, F32, F64),
    /* 0xBC reinterpret: same bits, only the type changes */
    NOP_(F32, I32), NOP_(F64, I64), NOP_(I32, F32), NOP_(I64, F64),
    /* 0xC0 */
    U_(i32_extend8_s, I32, I32), U_(i32_extend16_s, I32, I32),
    U_(i64_extend8_s, I64, I64), U_(i64_extend16_s, I64, I64),
    U_(i64_extend32_s, I64, I64),
};

static const numop TRUNC_SAT[8] = {
    U_(i32_trunc_sat_f32_s, F32, I32), U_(i32_trunc_sat_f32_u, F32, I32),
    U_(i32_trunc_sat_f64_s, F64, I32), U_(i32_trunc_sat_f64_u, F64, I32),
    U_(i64_trunc_sat_f32_s, F32, I64), U_(i64_trunc_sat_f32_u, F32, I64),
    U_(i64_trunc_sat_f64_s, F64, I64), U_(i64_trunc_sat_f64_u, F64, I64),
};

static bool op_unary(compiler *c, const numop *no) {
  vval a;
  if (!pop(c, no->in, &a)) return false;
  if (no->op == 0) { /* reinterpret: same cell, only the type changes */
    a.type = no->out;
    return push_v(c, a);
  }
  size_t h = c->vn;
  if (!c->dead) {
    int64_t sa = src_slot(c, &a, h);
    EMIT_VALUE(c, (pg_op)no->op, c->base + (int64_t)h, sa);
  }
  return push(c, no->out);
}

/* The index of a commutable/mirrorable op in the INT_IMM list when its
 * left operand is the constant, or -1. */
static int swapped_index(int i) {
  if (i < 10) return CMP_SWAPPED[i];
  if (i == 10 || i == 12 || i == 13 || i == 14 || i == 15) return i;
  return -1;
}

/* f64 add/sub/mul/div whose right operand b (at height h+1) was loaded by
 * the instruction just emitted: takes the load back and emits the `_m` or
 * `_mi` form (ir.h); false when that does not apply. */
static bool emit_f64_mem_op(compiler *c, const numop *no, const vval *a,
                            const vval *b, size_t h) {
  static const pg_op MEM_FORMS[4][2] = {
      {PG_OP_f64_add_m, PG_OP_f64_add_mi}, {PG_OP_f64_sub_m, PG_OP_f64_sub_mi},
      {PG_OP_f64_mul_m, PG_OP_f64_mul_mi}, {PG_OP_f64_div_m, PG_OP_f64_div_mi}};
  int k = no->op == PG_OP_f64_add   ? 0
          : no->op == PG_OP_f64_sub ? 1
          : no->op == PG_OP_f64_mul ? 2
          : no->op == PG_OP_f64_div ? 3
                                    : -1;
  int64_t dst = c->base + (int64_t)h;
  if (k < 0 || c->dead || b->kind != V_SLOT || a->kind == V_CONST ||
      c->last_end != c->ncode ||
      (c->last_op != PG_OP_i64_load && c->last_op != PG_OP_i64_load_ri) ||
      c->code[c->last_start + 1].i != dst + 1)
    return false;
  const pg_word *w = &c->code[c->last_start];
  int64_t x = w[2].i, y = w[3].i, z = c->last_op == PG_OP_i64_load ? 0 : w[4].i;
  bool plain = c->last_op == PG_OP_i64_load;
  c->ncode = c->last_start;
  c->last_end = NO_POS;
  int64_t sa = src_slot(c, a, h);
  if (plain)
    EMIT_VALUE(c, MEM_FORMS[k][0], dst, sa, x, y);
  else
    EMIT_VALUE(c, MEM_FORMS[k][1], dst, sa, x, y, z);
  return true;
}

/* i32.xor where one operand (a temporary at height h or h+1) was computed
 * by the i32.rotl/shr_u-by-constant just emitted: takes that back and
 * emits i32_xor_rotl / i32_xor_shr_u (ir.h); false when that does not
 * apply. xor commutes, so either side may be the shifted one. */
static bool emit_xor_shift(compiler *c, const numop *no, const vval *a,
                           const vval *b, size_t h) {
  if (no->op != PG_OP_i32_xor || c->dead || c->last_end != c->ncode ||
      (c->last_op != PG_OP_i32_rotl_imm && c->last_op != PG_OP_i32_shr_u_imm))
    return false;
  int64_t dst = c->base + (int64_t)h;
  const pg_word *w = &c->code[c->last_start];
  const vval *other;
  size_t other_h;
  if (b->kind == V_SLOT && w[1].i == dst + 1 && a->kind != V_CONST) {
    other = a;
    other_h = h;
  } else if (a->kind == V_SLOT && w[1].i == dst && b->kind != V_CONST) {
    other = b;
    other_h = h + 1;
  } else {
    return false;
  }
  pg_op op = c->last_op == PG_OP_i32_rotl_imm ? PG_OP_i32_xor_rotl
                                              : PG_OP_i32_xor_shr_u;
  int64_t x = w[2].i, k = w[3].i;
  c->ncode = c->last_start;
  c->last_end = NO_POS;
  EMIT_VALUE(c, op, dst, src_slot(c, other, other_h), x, k);
  return true;
}

static bool op_binary(compiler *c, const numop *no) {
  vval a, b;
  if (!pop(c, no->in, &b) || !pop(c, no->in, &a)) return false;
  size_t h = c->vn;
  int64_t dst = c->base + (int64_t)h;
  if (!c->dead && !emit_f64_mem_op(c, no, &a, &b, h) &&
      !emit_xor_shift(c, no, &a, &b, h)) {
    if (no->imm_op && b.kind == V_CONST) {
      int64_t sa = src_slot(c, &a, h);
      EMIT_VALUE(c, (pg_op)no->imm_op, dst, sa, (int64_t)b.imm);
    } else if (no->imm_op && a.kind == V_CONST &&
               (no->in == PG_I32 || no->in == PG_I64)) {
      pg_op first = no->in == PG_I32 ? PG_OP_i32_eq : PG_OP_i64_eq;
      pg_op first_imm = no->in == PG_I32 ? PG_OP_i32_eq_imm : PG_OP_i64_eq_imm;
      int sw = swapped_index((int)(no->op - first));
      if (sw >= 0) {
        int64_t sb = src_slot(c, &b, h + 1);
        EMIT_VALUE(c, (pg_op)(first_imm + sw), dst, sb, (int64_t)a.imm);
      } else {
        int64_t sa = src_slot(c, &a, h), sb = src_slot(c, &b, h + 1);
        EMIT_VALUE(c, (pg_op)no->op, dst, sa, sb);
      }
    } else {
      int64_t sa = src_slot(c, &a, h), sb = src_slot(c, &b, h + 1);
      EMIT_VALUE(c, (pg_op)no->op, dst, sa, sb);
    }
  }
  return push(c, no->out);
}

static bool op_numeric(compiler *c, const numop *no) {
  return no->arity == 1 ? op_unary(c, no) : op_binary(c, no);
}

static bool op_prefix_fc(compiler *c) {
  uint32_t sub;
  if (!rd_u32(c, &sub)) return false;
  if (sub < 8) return op_numeric(c, &TRUNC_SAT[sub]);
  return op_bulk(c, sub);
}

/* ------------------------------------------------------------------------
 * The opcode switch
 */

static bool compile_op(compiler *c, uint8_t opcode) {
  switch (opcode) {
  case 0x00:
    EMIT0(c, PG_OP_unreachable);
    set_unreachable(c);
    return true;
  case 0x01: return true; /* nop */
  case 0x02: return op_block(c);
  case 0x03: return op_loop(c);
  case 0x04: return op_if(c);
  case 0x05: return op_else(c);
  case 0x0B: return op_end(c);
  case 0x0C: return op_br(c);
  case 0x0D: return op_br_if(c);
  case 0x0E: return op_br_table(c);
  case 0x0F: return op_return(c);
  case 0x10: return op_call(c);
  case 0x11: return op_call_indirect(c);
  case 0x1A: {
    vval v;
    return pop(c, VT_UNKNOWN, &v);
  }
  case 0x1B: return op_select(c, false);
  case 0x1C: return op_select(c, true);
  case 0x20: return op_local_get(c);
  case 0x21: return op_local_set(c, false);
  case 0x22: return op_local_set(c, true);
  case 0x23: return op_global(c, false);
  case 0x24: return op_global(c, true);
  case 0x25: return op_table_get_set(c, false);
  case 0x26: return op_table_get_set(c, true);
  case 0x3F: return op_memory_size_grow(c, false);
  case 0x40: return op_memory_size_grow(c, true);
  case 0x41: case 0x42: case 0x43: case 0x44: return op_const(c, opcode);
  case 0xD0: return op_ref_null(c);
  case 0xD1: return op_ref_is_null(c);
  case 0xD2: return op_ref_func(c);
  case 0xFC: return op_prefix_fc(c);
  default: break;
  }
  if (opcode >= 0x28 && opcode <= 0x35) return op_load(c, opcode);
  if (opcode >= 0x36 && opcode <= 0x3E) return op_store(c, opcode);
  if (opcode >= 0x45 && opcode <= 0xC4 && NUMOPS[opcode - 0x45].arity)
    return op_numeric(c, &NUMOPS[opcode - 0x45]);
  return malformed(c, "illegal opcode");
}

/* ------------------------------------------------------------------------
 * Syntax-only scan. The spec decodes a whole body before validating it, so
 * a malformed encoding later in a body wins over a type error found
 * earlier. After a validation error, the body is scanned again for
 * encoding errors only: immediates, opcodes and block nesting.
 */

static bool skip_u32s(pg_reader *r, int n) {
  uint32_t v;
  for (int i = 0; i < n; i++)
    if (!pg_read_u32(r, &v)) return false;
  return true;
}

static bool skip_zero(pg_reader *r, const char **why) {
  uint8_t b;
  if (!pg_read_u8(r, &b)) return false;
  if (b != 0) *why = "zero byte expected";
  return b == 0;
}

static bool skip_blocktype(pg_reader *r) {
  int64_t x;
  if (pg_reader_left(r) && (*r->p == 0x40 || single_type(*r->p))) {
    r->p++;
    return true;
  }
  return pg_read_sleb(r, 33, &x);
}

static bool skip_fc(pg_reader *r, const char **why) {
  uint32_t sub;
  if (!pg_read_u32(r, &sub)) return false;
  switch (sub) {
  case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7: return true;
  case 8: return skip_u32s(r, 1) && skip_zero(r, why);
  case 10: return skip_zero(r, why) && skip_zero(r, why);
  case 11: return skip_zero(r, why);
  case 12: case 14: return skip_u32s(r, 2);
  case 9: case 13: case 15: case 16: case 17: return skip_u32s(r, 1);
  default: *why = "illegal opcode"; return false;
  }
}

/* Skips one instruction's immediates; adjusts the block depth. */
static bool skip_instr(pg_reader *r, uint8_t op, uint32_t *depth,
                       const char **why) {
  uint32_t n;
  const uint8_t *bytes;
  switch (op) {
  case 0x02: case 0x03: case 0x04: (*depth)++; return skip_blocktype(r);
  case 0x0B: (*depth)--; return true;
  case 0x0C: case 0x0D: case 0x10: case 0xD2: return skip_u32s(r, 1);
  case 0x20: case 0x21: case 0x22: case 0x23: case 0x24: case 0x25:
  case 0x26: return skip_u32s(r, 1);
  case 0x11: return skip_u32s(r, 2);
  case 0x0E:
    if (!pg_read_u32(r, &n)) return false;
    if (n > pg_reader_left(r)) return pg_reader_fail(r, "unexpected end");
    return skip_u32s(r, (int)n + 1);
  case 0x1C:
    if (!pg_read_u32(r, &n)) return false;
    return pg_read_bytes(r, n, &bytes);
  case 0x3F: case 0x40: return skip_zero(r, why);
  case 0x41: { int32_t v; return pg_read_s32(r, &v); }
  case 0x42: { int64_t v; return pg_read_s64(r, &v); }
  case 0x43: return pg_read_bytes(r, 4, &bytes);
  case 0x44: return pg_read_bytes(r, 8, &bytes);
  case 0xD0: {
    uint8_t b;
    if (!pg_read_u8(r, &b)) return false;
    if (!is_ref(b)) *why = "malformed reference type";
    return is_ref(b);
  }
  case 0xFC: return skip_fc(r, why);
  case 0x00: case 0x01: case 0x05: case 0x0F: case 0x1A: case 0x1B:
  case 0xD1: return true;
  default: break;
  }
  if (op >= 0x28 && op <= 0x3E) return skip_u32s(r, 2);
  if (op >= 0x45 && op <= 0xC4) return true;
  *why = "illegal opcode";
  return false;
}

/* Returns the encoding error of the body, or NULL; *offset says where. */
static const char *scan_body(const pg_module *m, const pg_func_decl *fd,
                             size_t *offset) {
  pg_reader r;
  pg_reader_init(&r, m->bytes, fd->body, fd->body + fd->body_len);
  uint32_t depth = 1;
  while (depth > 0) {
    const char *why = NULL;
    uint8_t op;
    *offset = pg_reader_offset(&r);
    if (!pg_read_u8(&r, &op) || !skip_instr(&r, op, &depth, &why)) {
      if (why) return why;
      if (r.error && strcmp(r.error, "unexpected end") != 0) return r.error;
      return "unexpected end of section or function";
    }
  }
  *offset = pg_reader_offset(&r);
  return pg_reader_left(&r) ? "section size mismatch" : NULL;
}

/* ------------------------------------------------------------------------
 * Driver
 */

static bool setup(compiler *c, const pg_functype *ft) {
  const pg_func_decl *fd = c->fd;
  c->nlocals_all = ft->nparams + fd->nlocals;
  c->base = c->nlocals_all;
  c->ltypes = malloc(((size_t)c->nlocals_all + 1) * sizeof *c->ltypes);
  c->local_refs = calloc((size_t)c->nlocals_all + 1, sizeof *c->local_refs);
  c->local_zero = calloc((size_t)c->nlocals_all + 1, 1);
  if (!c->ltypes || !c->local_refs || !c->local_zero)
    return fail(c, PG_NOMEM, "out of memory");
  memset(c->local_zero + ft->nparams, 1, fd->nlocals);
  c->straight = true;
  memcpy(c->ltypes, ft->types, ft->nparams);
  if (fd->nlocals) memcpy(c->ltypes + ft->nparams, fd->local_types, fd->nlocals);
  blocktype bt = {0, ft->nresults, NULL, ft->types + ft->nparams};
  if (!push_ctrl(c, C_FUNC, &bt)) return false;
  pg_reader_init(&c->r, c->m->bytes, fd->body, fd->body + fd->body_len);
  return true;
}

static bool run_body(compiler *c) {
  while (c->cn > 0) {
    uint8_t opcode;
    c->op_offset = pg_reader_offset(&c->r);
    if (!rd_u8(c, &opcode)) return false;
    c->ninstr++;
    if (c->loop_depth == 0) c->cost_outside_loops++;
    if (!compile_op(c, opcode) || c->status != PG_OK) return false;
  }
  c->op_offset = pg_reader_offset(&c->r);
  if (pg_reader_left(&c->r) != 0) return malformed(c, "section size mismatch");
  return true;
}

/* Debugging aid: with PG_DUMP_IR set in the environment, every compiled
 * function is printed to stderr, one instruction per line. */
static const char *const OP_NAMES[] = {
#define XX_(name, nops) #name,
    PG_OP_MAP_ALL_
#undef XX_
};
static const uint8_t OP_WORDS[] = {
#define XX_(name, nops) 1 + (nops),
    PG_OP_MAP_ALL_
#undef XX_
};

static void dump_code(const pg_fcode *fc, const void *const *handlers) {
  fprintf(stderr, "func %u: params %u locals %u frame %u\n", fc->func_index,
          fc->nparams, fc->nlocals, fc->frame_slots);
  for (size_t i = 0; i < fc->ncode;) {
    int op = 0;
    while (op < PG_OP_COUNT_ && handlers[op] != fc->code[i].op) op++;
    if (op == PG_OP_COUNT_) {
      fprintf(stderr, "  %4zu: ?\n", i);
      return;
    }
    size_t words = OP_WORDS[op];
    if (op == PG_OP_br_table) words = 3 + 2 * (fc->code[i + 2].u + 1);
    fprintf(stderr, "  %4zu: %s", i, OP_NAMES[op]);
    for (size_t k = 1; k < words; k++) fprintf(stderr, " %lld", (long long)fc->code[i + k].i);
    fprintf(stderr, "\n");
    i += words;
  }
}

static pg_status compile_function(const pg_module *m, uint32_t i,
                                  const void *const *handlers, pg_err *err) {
  compiler c = {.m = m, .fd = &m->defined[i], .handlers = handlers,
                .err = err, .func_index = m->nfunc_imports + i,
                .last_end = NO_POS, .copy_end = NO_POS, .bump_end = NO_POS};
  const pg_functype *ft = &m->types[c.fd->type_index];
  c.op_offset = c.fd->body_offset;
  if (setup(&c, ft) && run_body(&c)) {
    pg_fcode *fc = c.fd->code;
    thread_jumps(&c);
    fc->code = c.code;
    c.code = NULL;
    fc->ncode = (uint32_t)c.ncode;
    fc->func_index = c.func_index;
    fc->nparams = ft->nparams;
    fc->nlocals = c.fd->nlocals;
    fc->nresults = ft->nresults;
    fc->frame_slots = (uint32_t)(c.base + (int64_t)c.vmax + 1);
    if (fc->frame_slots < ft->nresults) fc->frame_slots = ft->nresults;
    fc->entry_cost = c.cost_outside_loops ? c.cost_outside_loops : 1;
    if (getenv("PG_DUMP_IR")) dump_code(fc, handlers);
  } else if (c.status == PG_INVALID) {
    size_t at;
    const char *why = scan_body(m, c.fd, &at);
    if (why) {
      c.status = pg__err(err, PG_MALFORMED,
                         "code section, function %u at offset 0x%zx: %s",
                         c.func_index, at, why);
    }
  }
  free(c.ltypes);
  free(c.local_refs);
  free(c.local_zero);
  free(c.vs);
  free(c.cs);
  free(c.code);
  free(c.brs);
  return c.status;
}

pg_status pg__compile_module(pg_module *m, pg_err *err) {
  const void *const *handlers = pg__interp_handlers();
  pg_status st = PG_OK;
  /* Every pg_fcode exists before any body is compiled, so a call can
   * embed its callee's pg_fcode pointer. */
  for (uint32_t i = 0; i < m->ndefined_funcs; i++) {
    m->defined[i].code = calloc(1, sizeof(pg_fcode));
    if (!m->defined[i].code) {
      st = pg__err(err, PG_NOMEM, "out of memory compiling functions");
      goto fail;
    }
  }
  for (uint32_t i = 0; i < m->ndefined_funcs; i++) {
    st = compile_function(m, i, handlers, err);
    if (st != PG_OK) goto fail;
  }
  return PG_OK;
fail:
  for (uint32_t i = 0; i < m->ndefined_funcs; i++) {
    pg__fcode_free(m->defined[i].code);
    m->defined[i].code = NULL;
  }
  return st;
}

void pg__fcode_free(pg_fcode *code) {
  if (!code) return;
  free(code->code);
  free(code);
}
