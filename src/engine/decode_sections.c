/*
 * decode_sections.c: the declaration sections of a module -- type, import,
 * function, table, memory, global, export and start -- and the
 * module-level rules that go with them (index ranges, limits, one memory,
 * unique export names, the start function's type).
 *
 * Sections arrive in a fixed order, so when one is read every index space
 * it refers to is already complete: each check is made where the index is
 * read, with its exact offset. See decode.h for the error policy.
 */
#include <stdlib.h>

#include "decode.h"

/* ---- types -------------------------------------------------------------- */

/* A vector of value types; each is one byte, so the vector is `n` bytes
 * starting at *start (borrowed). */
static pg_status valtype_vector(pg_decoder *d, pg_reader *r,
                                const uint8_t **start, uint32_t *n) {
  PG_TRY(pg__dec_count(d, r, n));
  *start = r->p;
  for (uint32_t i = 0; i < *n; i++) {
    pg_vt t;
    PG_TRY(pg__dec_valtype(d, r, &t));
  }
  return PG_OK;
}

static pg_status one_functype(pg_decoder *d, pg_reader *r, pg_functype *ft) {
  uint8_t form;
  PG_TRY(pg__dec_u8(d, r, &form));
  if (form != 0x60) {
    r->p--;
    return pg__dec_malformed(d, r, "malformed function type 0x%02x", form);
  }
  const uint8_t *params, *results;
  uint32_t np, nr;
  PG_TRY(valtype_vector(d, r, &params, &np));
  PG_TRY(valtype_vector(d, r, &results, &nr));
  ft->types = pg__dec_alloc((size_t)np + nr, sizeof *ft->types);
  if (!ft->types) return pg__dec_nomem(d);
  memcpy(ft->types, params, np);
  memcpy(ft->types + np, results, nr);
  ft->nparams = np;
  ft->nresults = nr;
  ft->sig_id = pg__sig_intern(ft->types, np, nr);
  if (ft->sig_id == 0) return pg__dec_nomem(d);
  return PG_OK;
}

pg_status pg__dec_type_section(pg_decoder *d, pg_reader *r) {
  pg_module *m = d->m;
  uint32_t n;
  PG_TRY(pg__dec_count(d, r, &n));
  m->types = pg__dec_alloc(n, sizeof *m->types);
  if (!m->types) return pg__dec_nomem(d);
  m->ntypes = n;
  for (uint32_t i = 0; i < n; i++) PG_TRY(one_functype(d, r, &m->types[i]));
  return PG_OK;
}

/* ---- limits, table and global types ------------------------------------- */

static pg_status read_limits(pg_decoder *d, pg_reader *r, pg_limits_decl *out) {
  uint8_t flags;
  PG_TRY(pg__dec_u8(d, r, &flags));
  if (flags > 1) {
    r->p--;
    return pg__dec_malformed(d, r, "integer too large (limits flags 0x%02x)",
                             flags);
  }
  out->has_max = flags == 1;
  PG_TRY(pg__dec_u32(d, r, &out->min));
  out->max = 0;
  if (out->has_max) PG_TRY(pg__dec_u32(d, r, &out->max));
  return PG_OK;
}

static void check_min_max(pg_decoder *d, size_t offset,
                          const pg_limits_decl *l) {
  if (l->has_max && l->min > l->max)
    pg__dec_invalid(d, offset,
                    "size minimum must not be greater than maximum "
                    "(%u > %u)", l->min, l->max);
}

static pg_status read_memtype(pg_decoder *d, pg_reader *r,
                              pg_limits_decl *out) {
  size_t at = pg_reader_offset(r);
  PG_TRY(read_limits(d, r, out));
  if (out->min > 65536 || (out->has_max && out->max > 65536))
    pg__dec_invalid(d, at, "memory size must be at most 65536 pages (4GiB)");
  check_min_max(d, at, out);
  return PG_OK;
}

static pg_status read_tabletype(pg_decoder *d, pg_reader *r,
                                pg_tabletype *out) {
  PG_TRY(pg__dec_reftype(d, r, &out->reftype));
  size_t at = pg_reader_offset(r);
  PG_TRY(read_limits(d, r, &out->limits));
  check_min_max(d, at, &out->limits);
  return PG_OK;
}

static pg_status read_globaltype(pg_decoder *d, pg_reader *r,
                                 pg_globaltype *out) {
  PG_TRY(pg__dec_valtype(d, r, &out->type));
  uint8_t mut;
  PG_TRY(pg__dec_u8(d, r, &mut));
  if (mut > 1) {
    r->p--;
    return pg__dec_malformed(d, r, "malformed mutability 0x%02x", mut);
  }
  out->mutable_ = mut == 1;
  return PG_OK;
}

static void check_type_index(pg_decoder *d, size_t offset, uint32_t index) {
  if (index >= d->m->ntypes)
    pg__dec_invalid(d, offset, "unknown type %u", index);
}

static void check_one_memory(pg_decoder *d, size_t offset) {
  if (d->m->nmemories > 1)
    pg__dec_invalid(d, offset, "multiple memories");
}

/* ---- imports ------------------------------------------------------------ */

static pg_status import_desc(pg_decoder *d, pg_reader *r,
                             pg_import_decl *imp) {
  uint8_t kind;
  PG_TRY(pg__dec_u8(d, r, &kind));
  size_t at = pg_reader_offset(r);
  switch (kind) {
    case PG_EXTERN_FUNC:
      PG_TRY(pg__dec_u32(d, r, &imp->desc.type_index));
      check_type_index(d, at, imp->desc.type_index);
      break;
    case PG_EXTERN_TABLE:
      PG_TRY(read_tabletype(d, r, &imp->desc.table));
      break;
    case PG_EXTERN_MEMORY:
      PG_TRY(read_memtype(d, r, &imp->desc.memory));
      break;
    case PG_EXTERN_GLOBAL:
      PG_TRY(read_globaltype(d, r, &imp->desc.global));
      break;
    default:
      r->p--;
      return pg__dec_malformed(d, r, "malformed import kind 0x%02x", kind);
  }
  imp->kind = (pg_extern_kind)kind;
  return PG_OK;
}

/* Builds the imported part of each index space. */
static pg_status index_spaces_from_imports(pg_decoder *d) {
  pg_module *m = d->m;
  m->func_type_index = pg__dec_alloc(m->nfunc_imports, sizeof(uint32_t));
  m->func_declared = pg__dec_alloc(m->nfunc_imports, sizeof(bool));
  m->tables = pg__dec_alloc(m->ntable_imports, sizeof *m->tables);
  m->memories = pg__dec_alloc(m->nmemory_imports, sizeof *m->memories);
  m->global_types = pg__dec_alloc(m->nglobal_imports, sizeof *m->global_types);
  if (!m->func_type_index || !m->func_declared || !m->tables ||
      !m->memories || !m->global_types)
    return pg__dec_nomem(d);
  for (uint32_t i = 0; i < m->nimports; i++) {
    const pg_import_decl *imp = &m->imports[i];
    switch (imp->kind) {
      case PG_EXTERN_FUNC:
        m->func_type_index[m->nfuncs++] = imp->desc.type_index;
        break;
      case PG_EXTERN_TABLE: m->tables[m->ntables++] = imp->desc.table; break;
      case PG_EXTERN_MEMORY:
        m->memories[m->nmemories++] = imp->desc.memory;
        break;
      case PG_EXTERN_GLOBAL:
        m->global_types[m->nglobals++] = imp->desc.global;
        break;
    }
  }
  return PG_OK;
}

pg_status pg__dec_import_section(pg_decoder *d, pg_reader *r) {
  pg_module *m = d->m;
  uint32_t n;
  PG_TRY(pg__dec_count(d, r, &n));
  m->imports = pg__dec_alloc(n, sizeof *m->imports);
  if (!m->imports) return pg__dec_nomem(d);
  m->nimports = n;
  for (uint32_t i = 0; i < n; i++) {
    pg_import_decl *imp = &m->imports[i];
    PG_TRY(pg__dec_name(d, r, &imp->module));
    PG_TRY(pg__dec_name(d, r, &imp->name));
    PG_TRY(import_desc(d, r, imp));
    switch (imp->kind) {
      case PG_EXTERN_FUNC: m->nfunc_imports++; break;
      case PG_EXTERN_TABLE: m->ntable_imports++; break;
      case PG_EXTERN_MEMORY: m->nmemory_imports++; break;
      case PG_EXTERN_GLOBAL: m->nglobal_imports++; break;
    }
  }
  PG_TRY(index_spaces_from_imports(d));
  check_one_memory(d, pg_reader_offset(r));
  return PG_OK;
}

/* ---- functions, tables, memories ---------------------------------------- */

pg_status pg__dec_function_section(pg_decoder *d, pg_reader *r) {
  pg_module *m = d->m;
  uint32_t n;
  PG_TRY(pg__dec_count(d, r, &n));
  m->defined = pg__dec_alloc(n, sizeof *m->defined);
  if (!m->defined ||
      !pg__dec_grow((void **)&m->func_type_index, m->nfuncs, n,
                    sizeof(uint32_t)) ||
      !pg__dec_grow((void **)&m->func_declared, m->nfuncs, n, sizeof(bool)))
    return pg__dec_nomem(d);
  m->ndefined_funcs = n;
  d->nfunc_decls = n;
  for (uint32_t i = 0; i < n; i++) {
    size_t at = pg_reader_offset(r);
    uint32_t type_index;
    PG_TRY(pg__dec_u32(d, r, &type_index));
    check_type_index(d, at, type_index);
    m->defined[i].type_index = type_index;
    m->func_type_index[m->nfuncs + i] = type_index;
  }
  m->nfuncs += n;
  return PG_OK;
}

pg_status pg__dec_table_section(pg_decoder *d, pg_reader *r) {
  pg_module *m = d->m;
  uint32_t n;
  PG_TRY(pg__dec_count(d, r, &n));
  if (!pg__dec_grow((void **)&m->tables, m->ntables, n, sizeof *m->tables))
    return pg__dec_nomem(d);
  for (uint32_t i = 0; i < n; i++)
    PG_TRY(read_tabletype(d, r, &m->tables[m->ntables++]));
  return PG_OK;
}

pg_status pg__dec_memory_section(pg_decoder *d, pg_reader *r) {
  pg_module *m = d->m;
  uint32_t n;
  PG_TRY(pg__dec_count(d, r, &n));
  if (!pg__dec_grow((void **)&m->memories, m->nmemories, n,
                    sizeof *m->memories))
    return pg__dec_nomem(d);
  for (uint32_t i = 0; i < n; i++) {
    size_t at = pg_reader_offset(r);
    PG_TRY(read_memtype(d, r, &m->memories[m->nmemories++]));
    check_one_memory(d, at);
  }
  return PG_OK;
}

/* ---- globals ------------------------------------------------------------ */

pg_status pg__dec_global_section(pg_decoder *d, pg_reader *r) {
  pg_module *m = d->m;
  uint32_t n;
  PG_TRY(pg__dec_count(d, r, &n));
  m->defined_globals = pg__dec_alloc(n, sizeof *m->defined_globals);
  if (!m->defined_globals ||
      !pg__dec_grow((void **)&m->global_types, m->nglobals, n,
                    sizeof *m->global_types))
    return pg__dec_nomem(d);
  for (uint32_t i = 0; i < n; i++) {
    pg_global_decl *g = &m->defined_globals[i];
    PG_TRY(read_globaltype(d, r, &g->type));
    PG_TRY(pg__dec_constexpr(d, r, g->type.type, &g->init));
    /* Counted only once whole, so the index space never holds a global
     * whose initializer was not read. */
    m->global_types[m->nglobals++] = g->type;
  }
  return PG_OK;
}

/* ---- exports ------------------------------------------------------------ */

typedef struct export_name {
  const uint8_t *bytes; /* borrowed from the module */
  uint32_t len;
  size_t offset;
} export_name;

static int compare_names(const void *a, const void *b) {
  const export_name *x = a, *y = b;
  uint32_t n = x->len < y->len ? x->len : y->len;
  int c = memcmp(x->bytes, y->bytes, n);
  if (c) return c;
  return (x->len > y->len) - (x->len < y->len);
}

/* Sorting makes the check O(n log n): a module may export many thousands. */
static void check_unique_names(pg_decoder *d, export_name *names, uint32_t n) {
  qsort(names, n, sizeof *names, compare_names);
  for (uint32_t i = 1; i < n; i++)
    if (compare_names(&names[i - 1], &names[i]) == 0)
      pg__dec_invalid(d, names[i].offset, "duplicate export name \"%.*s\"",
                      (int)(names[i].len > 64 ? 64 : names[i].len),
                      (const char *)names[i].bytes);
}

static void check_export_index(pg_decoder *d, size_t offset,
                               const pg_export_decl *e) {
  pg_module *m = d->m;
  static const char *const what[] = {"function", "table", "memory", "global"};
  uint32_t limits[] = {m->nfuncs, m->ntables, m->nmemories, m->nglobals};
  if (e->index >= limits[e->kind]) {
    pg__dec_invalid(d, offset, "unknown %s %u", what[e->kind], e->index);
    return;
  }
  if (e->kind == PG_EXTERN_FUNC) m->func_declared[e->index] = true;
}

static pg_status one_export(pg_decoder *d, pg_reader *r, pg_export_decl *e,
                            export_name *name) {
  name->offset = pg_reader_offset(r);
  PG_TRY(pg__dec_name_bytes(d, r, &name->bytes, &name->len));
  e->name = malloc((size_t)name->len + 1);
  if (!e->name) return pg__dec_nomem(d);
  memcpy(e->name, name->bytes, name->len);
  e->name[name->len] = '\0';
  e->name_len = name->len;
  uint8_t kind;
  PG_TRY(pg__dec_u8(d, r, &kind));
  if (kind > PG_EXTERN_GLOBAL) {
    r->p--;
    return pg__dec_malformed(d, r, "malformed export kind 0x%02x", kind);
  }
  e->kind = (pg_extern_kind)kind;
  size_t at = pg_reader_offset(r);
  PG_TRY(pg__dec_u32(d, r, &e->index));
  check_export_index(d, at, e);
  return PG_OK;
}

pg_status pg__dec_export_section(pg_decoder *d, pg_reader *r) {
  pg_module *m = d->m;
  uint32_t n;
  PG_TRY(pg__dec_count(d, r, &n));
  m->exports = pg__dec_alloc(n, sizeof *m->exports);
  export_name *names = pg__dec_alloc(n, sizeof *names);
  pg_status st = PG_OK;
  if (!m->exports || !names) {
    st = pg__dec_nomem(d);
    goto fail;
  }
  m->nexports = n;
  for (uint32_t i = 0; i < n; i++) {
    st = one_export(d, r, &m->exports[i], &names[i]);
    if (st != PG_OK) goto fail;
  }
  check_unique_names(d, names, n);
fail:
  free(names);
  return st;
}

/* ---- start -------------------------------------------------------------- */

pg_status pg__dec_start_section(pg_decoder *d, pg_reader *r) {
  pg_module *m = d->m;
  size_t at = pg_reader_offset(r);
  PG_TRY(pg__dec_u32(d, r, &m->start));
  m->has_start = true;
  if (m->start >= m->nfuncs) {
    pg__dec_invalid(d, at, "unknown function %u", m->start);
    return PG_OK;
  }
  uint32_t type_index = m->func_type_index[m->start];
  if (type_index >= m->ntypes) return PG_OK; /* already reported */
  const pg_functype *ft = &m->types[type_index];
  if (ft->nparams != 0 || ft->nresults != 0)
    pg__dec_invalid(d, at, "start function %u must have type [] -> []",
                    m->start);
  return PG_OK;
}
