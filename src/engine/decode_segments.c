/*
 * decode_segments.c: constant expressions and the sections that use them
 * or that carry bulk contents -- element, data count, code and data.
 *
 * Function bodies are not decoded here: the code section only splits each
 * entry into its local declarations (expanded into local_types) and its
 * instruction bytes, which compile.c validates and compiles. See decode.h
 * for the error policy.
 */
#include <stdlib.h>

#include "decode.h"

/* ---- constant expressions ----------------------------------------------- */

enum {
  OP_BLOCK = 0x02, OP_LOOP = 0x03, OP_IF = 0x04, OP_END = 0x0B,
  OP_BR_TABLE = 0x0E, OP_CALL_INDIRECT = 0x11, OP_SELECT_T = 0x1C,
  OP_GLOBAL_GET = 0x23, OP_I32_CONST = 0x41, OP_I64_CONST = 0x42,
  OP_F32_CONST = 0x43, OP_F64_CONST = 0x44, OP_REF_NULL = 0xD0,
  OP_REF_FUNC = 0xD2, OP_PREFIX_FC = 0xFC
};

static pg_status global_get(pg_decoder *d, size_t at, uint32_t index,
                            pg_constexpr *c) {
  const pg_module *m = d->m;
  c->op = PG_CONST_GLOBAL_GET;
  c->index = index;
  /* WebAssembly 2.0: only imported, immutable globals are constant. */
  if (index >= m->nglobal_imports) {
    pg__dec_invalid(d, at, "unknown global %u", index);
    c->type = 0; /* unknown: no type error on top of this one */
  } else {
    if (m->global_types[index].mutable_)
      pg__dec_invalid(d, at, "constant expression required (global %u is "
                      "mutable)", index);
    c->type = m->global_types[index].type;
  }
  return PG_OK;
}

static pg_status ref_func(pg_decoder *d, size_t at, uint32_t index,
                          pg_constexpr *c) {
  pg_module *m = d->m;
  c->op = PG_CONST_REF_FUNC;
  c->type = PG_FUNCREF;
  c->index = index;
  if (index >= m->nfuncs)
    pg__dec_invalid(d, at, "unknown function %u", index);
  else
    m->func_declared[index] = true;
  return PG_OK;
}

/* Reads the immediates of one constant instruction `op` into *c. Returns
 * PG_NOT_FOUND when `op` is not a constant instruction (nothing read). */
static pg_status const_instr(pg_decoder *d, pg_reader *r, uint8_t op,
                             size_t at, pg_constexpr *c) {
  int64_t s;
  uint32_t index;
  bool ok = true;
  switch (op) {
    case OP_I32_CONST:
      c->op = PG_CONST_I32, c->type = PG_I32;
      ok = pg_read_sleb(r, 32, &s);
      c->value.i32 = (uint32_t)s;
      break;
    case OP_I64_CONST:
      c->op = PG_CONST_I64, c->type = PG_I64;
      ok = pg_read_sleb(r, 64, &s);
      c->value.i64 = (uint64_t)s;
      break;
    case OP_F32_CONST:
      c->op = PG_CONST_F32, c->type = PG_F32;
      ok = pg_read_fixed32(r, &c->value.f32);
      break;
    case OP_F64_CONST:
      c->op = PG_CONST_F64, c->type = PG_F64;
      ok = pg_read_fixed64(r, &c->value.f64);
      break;
    case OP_REF_NULL:
      c->op = PG_CONST_REF_NULL;
      return pg__dec_reftype(d, r, &c->type);
    case OP_REF_FUNC:
      PG_TRY(pg__dec_u32(d, r, &index));
      return ref_func(d, at, index, c);
    case OP_GLOBAL_GET:
      PG_TRY(pg__dec_u32(d, r, &index));
      return global_get(d, at, index, c);
    default:
      return PG_NOT_FOUND;
  }
  return ok ? PG_OK : pg__dec_read_error(d, r);
}

static pg_status skip_u32s(pg_decoder *d, pg_reader *r, uint32_t n) {
  uint32_t v;
  for (uint32_t i = 0; i < n; i++) PG_TRY(pg__dec_u32(d, r, &v));
  return PG_OK;
}

static pg_status skip_bytes(pg_decoder *d, pg_reader *r, uint32_t n) {
  uint8_t b;
  for (uint32_t i = 0; i < n; i++) PG_TRY(pg__dec_u8(d, r, &b));
  return PG_OK;
}

/* The 0xFC-prefixed instructions: saturating truncation, bulk memory and
 * table operations. */
static pg_status skip_prefixed(pg_decoder *d, pg_reader *r, size_t at) {
  uint32_t sub;
  PG_TRY(pg__dec_u32(d, r, &sub));
  if (sub <= 7) return PG_OK;
  switch (sub) {
    case 8: PG_TRY(skip_u32s(d, r, 1)); return skip_bytes(d, r, 1);
    case 9: case 13: case 15: case 16: case 17: return skip_u32s(d, r, 1);
    case 10: return skip_bytes(d, r, 2);
    case 11: return skip_bytes(d, r, 1);
    case 12: case 14: return skip_u32s(d, r, 2);
    default: break;
  }
  pg_reader at_op = *r;
  at_op.p = r->start + at;
  return pg__dec_malformed(d, &at_op, "illegal opcode 0xfc %u", sub);
}

/* Skips the immediates of an instruction that is valid in a function body
 * but not in a constant expression, so the expression can still be read to
 * its end and reported as invalid; block/loop/if nest (`depth`) so their
 * `end` is not taken for the expression's. Unknown opcodes are malformed. */
static pg_status skip_nonconst(pg_decoder *d, pg_reader *r, uint8_t op,
                               size_t at, int *depth) {
  int64_t blocktype;
  uint32_t n;
  if (op == 0x00 || op == 0x01 || op == 0x05 || op == 0x0F || op == 0x1A ||
      op == 0x1B || (op >= 0x45 && op <= 0xC4) || op == 0xD1)
    return PG_OK;
  switch (op) {
    case OP_BLOCK: case OP_LOOP: case OP_IF:
      if (!pg_read_sleb(r, 33, &blocktype)) return pg__dec_read_error(d, r);
      (*depth)++;
      return PG_OK;
    case 0x0C: case 0x0D: case 0x10: case 0x20: case 0x21: case 0x22:
    case 0x24: case 0x25: case 0x26:
      return skip_u32s(d, r, 1);
    case OP_BR_TABLE:
      PG_TRY(pg__dec_count(d, r, &n));
      PG_TRY(skip_u32s(d, r, n));
      return skip_u32s(d, r, 1);
    case OP_CALL_INDIRECT: return skip_u32s(d, r, 2);
    case OP_SELECT_T:
      PG_TRY(pg__dec_count(d, r, &n));
      return skip_bytes(d, r, n);
    case 0x3F: case 0x40: return skip_bytes(d, r, 1);
    case OP_PREFIX_FC: return skip_prefixed(d, r, at);
    default:
      if (op >= 0x28 && op <= 0x3E) return skip_u32s(d, r, 2);
      break;
  }
  r->p = r->start + at;
  return pg__dec_malformed(d, r, "illegal opcode 0x%02x", op);
}

static const char *type_name(pg_vt t) {
  switch (t) {
    case PG_I32: return "i32";
    case PG_I64: return "i64";
    case PG_F32: return "f32";
    case PG_F64: return "f64";
    case PG_FUNCREF: return "funcref";
    case PG_EXTERNREF: return "externref";
    default: return "?";
  }
}

pg_status pg__dec_constexpr(pg_decoder *d, pg_reader *r, pg_vt expected,
                            pg_constexpr *out) {
  size_t start = pg_reader_offset(r);
  uint32_t nvalues = 0;
  bool constant = true;
  int depth = 0;
  memset(out, 0, sizeof *out);
  for (;;) {
    size_t at = pg_reader_offset(r);
    uint8_t op;
    PG_TRY(pg__dec_u8(d, r, &op));
    if (op == OP_END) {
      if (depth == 0) break;
      depth--;
      continue;
    }
    pg_constexpr item = {0};
    pg_status st = const_instr(d, r, op, at, &item);
    if (st == PG_OK) {
      if (nvalues++ == 0) *out = item;
      continue;
    }
    if (st != PG_NOT_FOUND) return st;
    PG_TRY(skip_nonconst(d, r, op, at, &depth));
    if (constant)
      pg__dec_invalid(d, at, "constant expression required (opcode 0x%02x)",
                      op);
    constant = false;
  }
  bool type_ok = out->type == expected || out->type == 0;
  if (constant && (nvalues != 1 || !type_ok))
    pg__dec_invalid(d, start,
                    "type mismatch: constant expression of type %s "
                    "expected, got %u value(s) of type %s",
                    type_name(expected), nvalues,
                    nvalues ? type_name(out->type) : "none");
  out->type = expected;
  return PG_OK;
}

/* ---- element section ---------------------------------------------------- *
 * flags bit 0: passive or declarative (else active); bit 1: explicit table
 * index when active, declarative when not; bit 2: items are expressions
 * with a reference type (else function indices with an element kind). */

static pg_status elem_items(pg_decoder *d, pg_reader *r, pg_elem_decl *e,
                            bool exprs) {
  uint32_t n;
  PG_TRY(pg__dec_count(d, r, &n));
  e->items = pg__dec_alloc(n, sizeof *e->items);
  if (!e->items) return pg__dec_nomem(d);
  e->count = n;
  for (uint32_t i = 0; i < n; i++) {
    if (exprs) {
      PG_TRY(pg__dec_constexpr(d, r, e->reftype, &e->items[i]));
    } else {
      size_t at = pg_reader_offset(r);
      uint32_t index;
      PG_TRY(pg__dec_u32(d, r, &index));
      PG_TRY(ref_func(d, at, index, &e->items[i]));
    }
  }
  return PG_OK;
}

static pg_status elem_kind(pg_decoder *d, pg_reader *r, uint32_t flags,
                           pg_elem_decl *e) {
  e->reftype = PG_FUNCREF;
  if ((flags & 3) == 0) return PG_OK; /* implicit funcref */
  if (flags & 4) return pg__dec_reftype(d, r, &e->reftype);
  uint8_t kind;
  PG_TRY(pg__dec_u8(d, r, &kind));
  if (kind != 0x00) {
    r->p--;
    return pg__dec_malformed(d, r, "malformed element kind 0x%02x", kind);
  }
  return PG_OK;
}

static pg_status one_elem(pg_decoder *d, pg_reader *r, pg_elem_decl *e) {
  const pg_module *m = d->m;
  uint32_t flags;
  PG_TRY(pg__dec_u32(d, r, &flags));
  if (flags > 7) {
    return pg__dec_malformed(d, r, "malformed elements segment kind %u",
                             flags);
  }
  e->mode = !(flags & 1) ? PG_SEG_ACTIVE
            : (flags & 2) ? PG_SEG_DECLARATIVE : PG_SEG_PASSIVE;
  size_t table_at = pg_reader_offset(r);
  if (e->mode == PG_SEG_ACTIVE) {
    if (flags & 2) PG_TRY(pg__dec_u32(d, r, &e->table));
    if (e->table >= m->ntables)
      pg__dec_invalid(d, table_at, "unknown table %u", e->table);
    PG_TRY(pg__dec_constexpr(d, r, PG_I32, &e->offset));
  }
  PG_TRY(elem_kind(d, r, flags, e));
  PG_TRY(elem_items(d, r, e, (flags & 4) != 0));
  if (e->mode == PG_SEG_ACTIVE && e->table < m->ntables &&
      m->tables[e->table].reftype != e->reftype)
    pg__dec_invalid(d, table_at,
                    "type mismatch: %s segment for a %s table %u",
                    type_name(e->reftype),
                    type_name(m->tables[e->table].reftype), e->table);
  return PG_OK;
}

pg_status pg__dec_element_section(pg_decoder *d, pg_reader *r) {
  pg_module *m = d->m;
  uint32_t n;
  PG_TRY(pg__dec_count(d, r, &n));
  m->elems = pg__dec_alloc(n, sizeof *m->elems);
  if (!m->elems) return pg__dec_nomem(d);
  m->nelems = n;
  for (uint32_t i = 0; i < n; i++) PG_TRY(one_elem(d, r, &m->elems[i]));
  return PG_OK;
}

/* ---- data count --------------------------------------------------------- */

pg_status pg__dec_datacount_section(pg_decoder *d, pg_reader *r) {
  PG_TRY(pg__dec_u32(d, r, &d->m->data_count));
  d->m->has_data_count = true;
  return PG_OK;
}

/* ---- code section ------------------------------------------------------- */

/* Reads the local declarations twice: once to check types and bound the
 * total (so nothing is allocated for an absurd count), once to expand. */
static pg_status read_locals(pg_decoder *d, pg_reader *r, pg_func_decl *f) {
  uint32_t ngroups;
  PG_TRY(pg__dec_count(d, r, &ngroups));
  pg_reader again = *r;
  uint64_t total = 0;
  for (uint32_t g = 0; g < ngroups; g++) {
    uint32_t n;
    pg_vt t;
    PG_TRY(pg__dec_u32(d, r, &n));
    PG_TRY(pg__dec_valtype(d, r, &t));
    total += n;
    if (total > PG_MAX_LOCALS)
      return pg__dec_malformed(d, r, "too many locals (more than %u)",
                               PG_MAX_LOCALS);
  }
  f->local_types = pg__dec_alloc(total, sizeof *f->local_types);
  if (!f->local_types) return pg__dec_nomem(d);
  f->nlocals = (uint32_t)total;
  uint32_t k = 0;
  for (uint32_t g = 0; g < ngroups; g++) {
    uint32_t n;
    pg_vt t;
    PG_TRY(pg__dec_u32(d, &again, &n));
    PG_TRY(pg__dec_valtype(d, &again, &t));
    memset(f->local_types + k, t, n);
    k += n;
  }
  return PG_OK;
}

static pg_status one_body(pg_decoder *d, pg_reader *r, pg_func_decl *f) {
  uint32_t size;
  PG_TRY(pg__dec_u32(d, r, &size));
  if (size > pg_reader_left(r))
    return pg__dec_malformed(d, r,
                             "unexpected end of section or function (body "
                             "of %u bytes, %zu left)", size,
                             pg_reader_left(r));
  pg_reader body;
  pg_reader_init(&body, r->start, r->p, r->p + size);
  r->p += size;
  PG_TRY(read_locals(d, &body, f));
  if (pg_reader_left(&body) == 0)
    return pg__dec_malformed(d, &body,
                             "unexpected end of section or function");
  f->body = body.p;
  f->body_len = (uint32_t)pg_reader_left(&body);
  f->body_offset = (uint32_t)pg_reader_offset(&body);
  if (body.end[-1] != OP_END) {
    body.p = body.end - 1;
    return pg__dec_malformed(d, &body, "END opcode expected");
  }
  return PG_OK;
}

pg_status pg__dec_code_section(pg_decoder *d, pg_reader *r) {
  pg_module *m = d->m;
  uint32_t n;
  PG_TRY(pg__dec_count(d, r, &n));
  if (n != d->nfunc_decls)
    return pg__dec_malformed(d, r,
                             "function and code section have inconsistent "
                             "lengths (%u functions, %u bodies)",
                             d->nfunc_decls, n);
  d->saw_code = true;
  for (uint32_t i = 0; i < n; i++) PG_TRY(one_body(d, r, &m->defined[i]));
  return PG_OK;
}

/* ---- data section ------------------------------------------------------- */

static pg_status one_data(pg_decoder *d, pg_reader *r, pg_data_decl *seg) {
  const pg_module *m = d->m;
  uint32_t flags;
  PG_TRY(pg__dec_u32(d, r, &flags));
  if (flags > 2)
    return pg__dec_malformed(d, r, "malformed data segment kind %u", flags);
  seg->mode = flags == 1 ? PG_SEG_PASSIVE : PG_SEG_ACTIVE;
  if (seg->mode == PG_SEG_ACTIVE) {
    size_t at = pg_reader_offset(r);
    if (flags == 2) PG_TRY(pg__dec_u32(d, r, &seg->memory));
    if (seg->memory >= m->nmemories)
      pg__dec_invalid(d, at, "unknown memory %u", seg->memory);
    PG_TRY(pg__dec_constexpr(d, r, PG_I32, &seg->offset));
  }
  PG_TRY(pg__dec_u32(d, r, &seg->len));
  if (!pg_read_bytes(r, seg->len, &seg->bytes))
    return pg__dec_read_error(d, r);
  return PG_OK;
}

pg_status pg__dec_data_section(pg_decoder *d, pg_reader *r) {
  pg_module *m = d->m;
  uint32_t n;
  PG_TRY(pg__dec_count(d, r, &n));
  if (m->has_data_count && n != m->data_count)
    return pg__dec_malformed(d, r,
                             "data count and data section have inconsistent "
                             "lengths (count %u, %u segments)",
                             m->data_count, n);
  d->saw_data = true;
  m->datas = pg__dec_alloc(n, sizeof *m->datas);
  if (!m->datas) return pg__dec_nomem(d);
  m->ndatas = n;
  for (uint32_t i = 0; i < n; i++) PG_TRY(one_data(d, r, &m->datas[i]));
  return PG_OK;
}
