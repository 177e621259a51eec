/*
 * instance.c: instantiation — turning a compiled pg_module plus a linker
 * into a running pg_instance — and the instance's lifetime and exports.
 *
 * pg_instance_new follows the WebAssembly 2.0 order: resolve and type-check
 * every import, create the defined functions, globals, tables and memory,
 * evaluate element segments, apply the active element segments then the
 * active data segments (each with table.init / memory.init bounds rules;
 * writes made before a failing segment stay), drop active and declarative
 * segments, and run the start function.
 *
 * Creating an instance must be cheap (the kernel runs many replicas, and
 * the bench measures it): the code is shared with the module, and every
 * per-instance array plus the instance itself come from one calloc. Only
 * memory bytes and table entries, which can grow, are separate.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "instance.h"

/* ---------------------------------------------------------------------------
 * The single allocation: the instance struct followed by its arrays.
 */

typedef struct block_layout {
  size_t funcs, defined_funcs, tables, own_tables, globals, own_globals;
  size_t elems, elem_refs, datas, own_memory;
  size_t total;
} block_layout;

/* Reserves `bytes` at the next 16-byte boundary of *size; returns the
 * offset. */
static size_t reserve(size_t *size, size_t bytes) {
  size_t at = (*size + 15) & ~(size_t)15;
  *size = at + bytes;
  return at;
}

static block_layout layout_of(const pg_module *m) {
  block_layout lay;
  size_t size = sizeof(pg_instance);
  size_t nrefs = 0;
  for (uint32_t i = 0; i < m->nelems; i++)
    nrefs += m->elems[i].count;
  lay.funcs = reserve(&size, m->nfuncs * sizeof(pg_func *));
  lay.defined_funcs = reserve(&size, m->ndefined_funcs * sizeof(pg_func));
  lay.tables = reserve(&size, m->ntables * sizeof(pg_table *));
  lay.own_tables = reserve(&size, (m->ntables - m->ntable_imports) *
                                      sizeof(pg_table));
  lay.globals = reserve(&size, m->nglobals * sizeof(pg_global *));
  lay.own_globals = reserve(&size, (m->nglobals - m->nglobal_imports) *
                                       sizeof(pg_global));
  lay.elems = reserve(&size, m->nelems * sizeof(pg_elem_inst));
  lay.elem_refs = reserve(&size, nrefs * sizeof(void *));
  lay.datas = reserve(&size, m->ndatas * sizeof(pg_data_inst));
  lay.own_memory = reserve(&size, sizeof(pg_memory));
  lay.total = size;
  return lay;
}

static pg_instance *alloc_instance(pg_module *m) {
  block_layout lay = layout_of(m);
  char *block = calloc(1, lay.total);
  if (!block)
    return NULL;
  pg_instance *inst = (pg_instance *)block;
  inst->funcs = (pg_func **)(block + lay.funcs);
  inst->defined_funcs = (pg_func *)(block + lay.defined_funcs);
  inst->tables = (pg_table **)(block + lay.tables);
  inst->own_tables = (pg_table *)(block + lay.own_tables);
  inst->globals = (pg_global **)(block + lay.globals);
  inst->own_globals = (pg_global *)(block + lay.own_globals);
  inst->elems = (pg_elem_inst *)(block + lay.elems);
  /* Each segment's refs point into this one array (see evaluate_elems). */
  if (m->nelems)
    inst->elems[0].refs = (void **)(block + lay.elem_refs);
  inst->datas = (pg_data_inst *)(block + lay.datas);
  inst->own_memory = NULL; /* set by create_memory when the module has one */
  inst->module = m;
  __atomic_add_fetch(&m->refcount, 1, __ATOMIC_RELAXED);
  return inst;
}

/* The storage reserved for the module's own memory inside the block. */
static pg_memory *own_memory_slot(pg_instance *inst) {
  block_layout lay = layout_of(inst->module);
  return (pg_memory *)((char *)inst + lay.own_memory);
}

static void set_limits(pg_instance *inst, const pg_limits *limits) {
  if (limits)
    inst->limits = *limits;
  if (inst->limits.max_memory_pages == 0 ||
      inst->limits.max_memory_pages > PG_MAX_PAGES)
    inst->limits.max_memory_pages = PG_MAX_PAGES;
  if (inst->limits.stack_bytes == 0)
    inst->limits.stack_bytes = PG_DEFAULT_STACK_BYTES;
  if (inst->limits.max_call_depth == 0)
    inst->limits.max_call_depth = PG_DEFAULT_CALL_DEPTH;
  inst->fuel = inst->limits.fuel;
  inst->fuel_enabled = inst->limits.fuel != 0;
  inst->state = PG_RUN_IDLE;
}

/* Frees what the instance owns outside its block, then the block. */
static void destroy_instance(pg_instance *inst) {
  const pg_module *m = inst->module;
  if (inst->exec)
    pg__exec_free(inst->exec);
  for (uint32_t i = 0; i < m->ntables - m->ntable_imports; i++)
    pg__table_release(&inst->own_tables[i]);
  pg__memory_release(inst->own_memory);
  free(inst->results_big);
  pg_module_free(inst->module);
  free(inst);
}

/* ---------------------------------------------------------------------------
 * Imports
 */

const char *pg__extern_kind_name(pg_extern_kind kind) {
  switch (kind) {
  case PG_EXTERN_FUNC: return "function";
  case PG_EXTERN_TABLE: return "table";
  case PG_EXTERN_MEMORY: return "memory";
  case PG_EXTERN_GLOBAL: return "global";
  }
  return "unknown";
}

/* limits subtyping: an object with `size` and (has_max, max) may stand for
 * a declared type with (decl). NULL when it fits, else why not. */
static const char *limits_mismatch(uint32_t size, bool has_max, uint32_t max,
                                   const pg_limits_decl *decl) {
  if (size < decl->min)
    return "size smaller than the declared minimum";
  if (decl->has_max && !has_max)
    return "no maximum but one is declared";
  if (decl->has_max && max > decl->max)
    return "maximum larger than the declared maximum";
  return NULL;
}

/* NULL when `ext` matches import `imp` of `m`, else the reason. */
static const char *import_mismatch(const pg_module *m,
                                   const pg_import_decl *imp, pg_extern ext) {
  switch (imp->kind) {
  case PG_EXTERN_FUNC:
    if (ext.of.func->sig_id != m->types[imp->desc.type_index].sig_id)
      return "function signature differs";
    return NULL;
  case PG_EXTERN_TABLE: {
    const pg_table *t = ext.of.table;
    if (t->reftype != imp->desc.table.reftype)
      return "table element type differs";
    return limits_mismatch(t->size, t->has_max, t->max,
                           &imp->desc.table.limits);
  }
  case PG_EXTERN_MEMORY: {
    const pg_memory *mem = ext.of.memory;
    return limits_mismatch(mem->pages, mem->has_max, mem->declared_max,
                           &imp->desc.memory);
  }
  case PG_EXTERN_GLOBAL: {
    const pg_global *g = ext.of.global;
    if (g->type != imp->desc.global.type)
      return "global value type differs";
    if (g->mutable_ != imp->desc.global.mutable_)
      return "global mutability differs";
    return NULL;
  }
  }
  return "unknown import kind";
}

/* Places a resolved import into the instance's index spaces. */
static void bind_import(pg_instance *inst, pg_extern ext, uint32_t *nfunc,
                        uint32_t *ntable, uint32_t *nglobal) {
  switch (ext.kind) {
  case PG_EXTERN_FUNC: inst->funcs[(*nfunc)++] = ext.of.func; break;
  case PG_EXTERN_TABLE: inst->tables[(*ntable)++] = ext.of.table; break;
  case PG_EXTERN_MEMORY: inst->memory = ext.of.memory; break;
  case PG_EXTERN_GLOBAL: inst->globals[(*nglobal)++] = ext.of.global; break;
  }
}

static pg_status resolve_imports(pg_instance *inst, const pg_linker *l,
                                 pg_err *err) {
  const pg_module *m = inst->module;
  uint32_t nfunc = 0, ntable = 0, nglobal = 0;
  for (uint32_t i = 0; i < m->nimports; i++) {
    const pg_import_decl *imp = &m->imports[i];
    pg_extern ext;
    if (!pg__linker_lookup(l, imp->module, imp->name, &ext))
      return pg__err(err, PG_UNLINKABLE, "unknown import: \"%s\" \"%s\"",
                     imp->module, imp->name);
    if (ext.kind != imp->kind)
      return pg__err(err, PG_UNLINKABLE,
                     "incompatible import type for \"%s\" \"%s\": expected "
                     "%s, got %s",
                     imp->module, imp->name, pg__extern_kind_name(imp->kind),
                     pg__extern_kind_name(ext.kind));
    const char *why = import_mismatch(m, imp, ext);
    if (why)
      return pg__err(err, PG_UNLINKABLE,
                     "incompatible import type for \"%s\" \"%s\": %s",
                     imp->module, imp->name, why);
    bind_import(inst, ext, &nfunc, &ntable, &nglobal);
  }
  return PG_OK;
}

/* ---------------------------------------------------------------------------
 * Defined entities
 */

static void create_functions(pg_instance *inst) {
  const pg_module *m = inst->module;
  for (uint32_t i = 0; i < m->ndefined_funcs; i++) {
    pg_func *f = &inst->defined_funcs[i];
    f->type = &m->types[m->defined[i].type_index];
    f->sig_id = f->type->sig_id;
    f->owner = inst;
    f->code = m->defined[i].code;
    f->index = m->nfunc_imports + i;
    inst->funcs[m->nfunc_imports + i] = f;
  }
}

/* Evaluates a constant expression (already validated by the decoder). */
static pg_cell eval_const(const pg_instance *inst, const pg_constexpr *e) {
  switch (e->op) {
  case PG_CONST_I32: return e->value.i32;
  case PG_CONST_I64: return e->value.i64;
  case PG_CONST_F32: return e->value.f32;
  case PG_CONST_F64: return e->value.f64;
  case PG_CONST_REF_NULL: return 0;
  case PG_CONST_REF_FUNC: return (pg_cell)(uintptr_t)inst->funcs[e->index];
  case PG_CONST_GLOBAL_GET: return inst->globals[e->index]->value;
  }
  return 0;
}

static void create_globals(pg_instance *inst) {
  const pg_module *m = inst->module;
  uint32_t first = m->nglobal_imports;
  for (uint32_t i = 0; i < m->nglobals - first; i++) {
    const pg_global_decl *d = &m->defined_globals[i];
    pg_global *g = &inst->own_globals[i];
    g->value = eval_const(inst, &d->init);
    g->type = d->type.type;
    g->mutable_ = d->type.mutable_;
    inst->globals[first + i] = g;
  }
}

static pg_status create_tables(pg_instance *inst, pg_err *err) {
  const pg_module *m = inst->module;
  uint32_t first = m->ntable_imports;
  for (uint32_t i = 0; i < m->ntables - first; i++) {
    const pg_tabletype *tt = &m->tables[first + i];
    pg_table *t = &inst->own_tables[i];
    if (pg__table_init(t, tt->reftype, tt->limits.min, tt->limits.max,
                       tt->limits.has_max) != PG_OK)
      return pg__err(err, PG_NOMEM, "cannot allocate table %u of %u entries",
                     first + i, tt->limits.min);
    inst->tables[first + i] = t;
  }
  return PG_OK;
}

/* The instance cap (limits.max_memory_pages) applies to a memory the module
 * defines; an imported memory keeps the maximum its owner gave it. */
static pg_status create_memory(pg_instance *inst, pg_err *err) {
  const pg_module *m = inst->module;
  if (m->nmemories == 0 || m->nmemory_imports > 0)
    return PG_OK;
  const pg_limits_decl *decl = &m->memories[0];
  uint32_t cap = inst->limits.max_memory_pages;
  if (decl->has_max && decl->max < cap)
    cap = decl->max;
  if (decl->min > inst->limits.max_memory_pages)
    return pg__err(err, PG_NOMEM,
                   "memory of %u pages exceeds the instance limit of %u",
                   decl->min, inst->limits.max_memory_pages);
  pg_memory *mem = own_memory_slot(inst);
  if (pg__memory_init(mem, decl->min, cap, decl->has_max, decl->max) !=
      PG_OK)
    return pg__err(err, PG_NOMEM, "cannot allocate memory of %u pages",
                   decl->min);
  inst->own_memory = mem;
  inst->memory = mem;
  return PG_OK;
}

/* Evaluates every element segment's items into the block's refs array. */
static void evaluate_elems(pg_instance *inst) {
  const pg_module *m = inst->module;
  void **next = inst->elems[0].refs;
  for (uint32_t i = 0; i < m->nelems; i++) {
    const pg_elem_decl *d = &m->elems[i];
    inst->elems[i].refs = next;
    inst->elems[i].len = d->count;
    for (uint32_t k = 0; k < d->count; k++)
      next[k] = (void *)(uintptr_t)eval_const(inst, &d->items[k]);
    next += d->count;
  }
}

static void prepare_datas(pg_instance *inst) {
  const pg_module *m = inst->module;
  for (uint32_t i = 0; i < m->ndatas; i++) {
    inst->datas[i].bytes = m->datas[i].bytes;
    inst->datas[i].len = m->datas[i].len;
  }
}

/* ---------------------------------------------------------------------------
 * Segments and start: the steps that may trap.
 */

static pg_status trap_now(pg_instance *inst, pg_trap_kind kind, pg_err *err) {
  pg__trap(inst, kind, "%s", pg_trap_kind_str(kind));
  return pg__err(err, PG_TRAP, "%s", inst->trap.message);
}

/* Applies active element segments in order (table.init, then elem.drop);
 * declarative segments are dropped. Writes before a failing segment stay. */
static pg_status apply_elems(pg_instance *inst, pg_err *err) {
  const pg_module *m = inst->module;
  for (uint32_t i = 0; i < m->nelems; i++) {
    const pg_elem_decl *d = &m->elems[i];
    pg_elem_inst *seg = &inst->elems[i];
    if (d->mode == PG_SEG_DECLARATIVE)
      seg->len = 0;
    if (d->mode != PG_SEG_ACTIVE)
      continue;
    pg_table *t = inst->tables[d->table];
    uint64_t offset = (uint32_t)eval_const(inst, &d->offset);
    if (offset + seg->len > t->size)
      return trap_now(inst, PG_TRAP_TABLE_OOB, err);
    if (seg->len)
      memcpy(t->elems + offset, seg->refs, seg->len * sizeof(void *));
    seg->len = 0;
  }
  return PG_OK;
}

/* Applies active data segments in order (memory.init, then data.drop). */
static pg_status apply_datas(pg_instance *inst, pg_err *err) {
  const pg_module *m = inst->module;
  for (uint32_t i = 0; i < m->ndatas; i++) {
    const pg_data_decl *d = &m->datas[i];
    pg_data_inst *seg = &inst->datas[i];
    if (d->mode != PG_SEG_ACTIVE)
      continue;
    uint64_t offset = (uint32_t)eval_const(inst, &d->offset);
    uint64_t size = inst->memory ? inst->memory->size : 0;
    if (offset + seg->len > size)
      return trap_now(inst, PG_TRAP_MEMORY_OOB, err);
    if (seg->len)
      memcpy(inst->memory->base + offset, seg->bytes, seg->len);
    seg->len = 0;
  }
  return PG_OK;
}

static pg_status run_start(pg_instance *inst, pg_err *err) {
  const pg_module *m = inst->module;
  if (!m->has_start)
    return PG_OK;
  inst->state = PG_RUN_RUNNING;
  pg_status st = pg__interp_invoke(inst, inst->funcs[m->start], NULL, 0);
  if (st == PG_YIELD || st == PG_OUT_OF_FUEL) {
    pg__interp_abort(inst);
    inst->state = PG_RUN_IDLE;
    if (st == PG_OUT_OF_FUEL)
      return trap_now(inst, PG_TRAP_OUT_OF_FUEL, err);
    return pg__err(err, PG_BAD_STATE,
                   "the start function yielded; a host function may not "
                   "suspend during instantiation");
  }
  inst->state = PG_RUN_IDLE;
  if (st == PG_TRAP)
    return pg__err(err, PG_TRAP, "%s", inst->trap.message);
  return st;
}

/* ---------------------------------------------------------------------------
 * Failed instantiation.
 *
 * When instantiation traps, the spec keeps the effects on imported tables
 * (linking.wast calls a function that a failed instantiation stored into an
 * imported table). Such a function's owner must then stay alive, so an
 * instance whose functions escaped into an imported table or global is kept
 * on this list instead of being freed. It is never returned to anyone and
 * stays reachable (so leak checkers are quiet) until the process exits.
 */

static pthread_mutex_t orphans_lock = PTHREAD_MUTEX_INITIALIZER;
static pg_instance **orphans;
static size_t norphans, orphans_cap;

static bool owns_ref(const pg_instance *inst, const void *ref) {
  const pg_func *first = inst->defined_funcs;
  const pg_func *end = first + inst->module->ndefined_funcs;
  return (const pg_func *)ref >= first && (const pg_func *)ref < end;
}

static bool funcs_escaped(const pg_instance *inst) {
  const pg_module *m = inst->module;
  if (m->ndefined_funcs == 0)
    return false;
  for (uint32_t i = 0; i < m->ntable_imports; i++) {
    const pg_table *t = inst->tables[i];
    if (!t || t->reftype != PG_FUNCREF)
      continue;
    for (uint32_t k = 0; k < t->size; k++)
      if (owns_ref(inst, t->elems[k]))
        return true;
  }
  for (uint32_t i = 0; i < m->nglobal_imports; i++) {
    const pg_global *g = inst->globals[i];
    if (g && g->type == PG_FUNCREF && owns_ref(inst, (void *)g->value))
      return true;
  }
  return false;
}

static bool keep_as_orphan(pg_instance *inst) {
  bool kept = false;
  pthread_mutex_lock(&orphans_lock);
  if (norphans == orphans_cap) {
    size_t cap = orphans_cap ? orphans_cap * 2 : 8;
    pg_instance **grown = realloc(orphans, cap * sizeof *grown);
    if (grown) {
      orphans = grown;
      orphans_cap = cap;
    }
  }
  if (norphans < orphans_cap) {
    orphans[norphans++] = inst;
    kept = true;
  }
  pthread_mutex_unlock(&orphans_lock);
  return kept;
}

static void discard_failed(pg_instance *inst) {
  /* Without memory for the list we free anyway: a dangling table entry is
   * the lesser evil than aborting the host. */
  if (funcs_escaped(inst) && keep_as_orphan(inst))
    return;
  destroy_instance(inst);
}

/* ---------------------------------------------------------------------------
 * Public API
 */

pg_status pg_instance_new(pg_instance **out, pg_module *m, const pg_linker *l,
                          const pg_limits *limits, char *err, size_t errlen) {
  pg_err e = {err, errlen};
  if (err && errlen)
    err[0] = '\0';
  if (!out || !m)
    return pg__err(&e, PG_BAD_ARG, "no output pointer or no module");
  pg_instance *inst = alloc_instance(m);
  if (!inst)
    return pg__err(&e, PG_NOMEM, "cannot allocate the instance");
  set_limits(inst, limits);
  pg_status st = resolve_imports(inst, l, &e);
  if (st != PG_OK)
    goto fail;
  create_functions(inst);
  create_globals(inst);
  if ((st = create_tables(inst, &e)) != PG_OK ||
      (st = create_memory(inst, &e)) != PG_OK)
    goto fail;
  evaluate_elems(inst);
  prepare_datas(inst);
  if ((st = apply_elems(inst, &e)) != PG_OK ||
      (st = apply_datas(inst, &e)) != PG_OK ||
      (st = run_start(inst, &e)) != PG_OK)
    goto fail;
  *out = inst;
  return PG_OK;
fail:
  discard_failed(inst);
  return st;
}

void pg_instance_free(pg_instance *inst) {
  if (!inst)
    return;
  destroy_instance(inst);
}

pg_module *pg_instance_module(const pg_instance *inst) { return inst->module; }

pg_extern pg__instance_extern(const pg_instance *inst,
                              const pg_export_decl *e) {
  pg_extern ext = {.kind = e->kind};
  switch (e->kind) {
  case PG_EXTERN_FUNC: ext.of.func = inst->funcs[e->index]; break;
  case PG_EXTERN_TABLE: ext.of.table = inst->tables[e->index]; break;
  case PG_EXTERN_MEMORY: ext.of.memory = inst->memory; break;
  case PG_EXTERN_GLOBAL: ext.of.global = inst->globals[e->index]; break;
  }
  return ext;
}

pg_status pg_instance_export_n(const pg_instance *inst, const char *name,
                                size_t len, pg_extern *out) {
  if (!inst || !name || !out)
    return PG_BAD_ARG;
  const pg_module *m = inst->module;
  for (uint32_t i = 0; i < m->nexports; i++) {
    const pg_export_decl *e = &m->exports[i];
    if (e->name_len == len && memcmp(e->name, name, len) == 0) {
      *out = pg__instance_extern(inst, e);
      return PG_OK;
    }
  }
  return PG_NOT_FOUND;
}

pg_status pg_instance_export(const pg_instance *inst, const char *name,
                             pg_extern *out) {
  if (!name)
    return PG_BAD_ARG;
  return pg_instance_export_n(inst, name, strlen(name), out);
}

pg_func *pg_instance_func(const pg_instance *inst, const char *name) {
  pg_extern ext;
  if (pg_instance_export(inst, name, &ext) != PG_OK ||
      ext.kind != PG_EXTERN_FUNC)
    return NULL;
  return ext.of.func;
}
