/*
 * objects.c: the run-time objects an instance is made of — linear memories,
 * tables, globals — and the signature queries on functions.
 *
 * Memories and tables exist in two forms: owned by an instance (their
 * struct lives in the instance's single allocation; pg__memory_init and
 * pg__table_init set them up) or created by host code (pg_memory_new,
 * pg_table_new; the caller owns them). Both grow through pg__memory_grow and
 * pg__table_grow, which implement the memory.grow / table.grow rules.
 *
 * pg_memory_ptr is the one place where a guest pointer from a host function
 * is checked: every WASI and kernel call goes through it.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "instance.h"

/* ---------------------------------------------------------------------------
 * Values
 */

pg_cell pg__val_to_cell(pg_val v) {
  switch (v.type) {
  case PG_I32:
  case PG_F32:
    return (pg_cell)v.of.i32;
  case PG_I64:
  case PG_F64:
    return v.of.i64;
  case PG_FUNCREF:
  case PG_EXTERNREF:
    return (pg_cell)(uintptr_t)v.of.ref;
  }
  return 0;
}

pg_val pg__cell_to_val(pg_cell c, pg_vt type) {
  pg_val v;
  memset(&v, 0, sizeof v);
  v.type = (pg_valtype)type;
  switch (type) {
  case PG_I32:
  case PG_F32:
    v.of.i32 = (uint32_t)c;
    break;
  case PG_I64:
  case PG_F64:
    v.of.i64 = c;
    break;
  default:
    v.of.ref = (void *)(uintptr_t)c;
    break;
  }
  return v;
}

/* ---------------------------------------------------------------------------
 * Memories
 */

pg_status pg__memory_init(pg_memory *mem, uint32_t pages, uint32_t max_pages,
                          bool has_max, uint32_t declared_max) {
  uint64_t size = (uint64_t)pages * PG_PAGE_SIZE;
  memset(mem, 0, sizeof *mem);
  if (pages > max_pages)
    return PG_NOMEM;
  if (size > 0) {
    /* calloc: large requests come straight from mmap, so untouched pages
     * cost nothing until the guest writes them. */
    mem->base = calloc(1, (size_t)size);
    if (!mem->base)
      return PG_NOMEM;
  }
  mem->size = size;
  mem->pages = pages;
  mem->max_pages = max_pages;
  mem->has_max = has_max;
  mem->declared_max = declared_max;
  return PG_OK;
}

void pg__memory_release(pg_memory *mem) {
  if (!mem)
    return;
  free(mem->base);
  mem->base = NULL;
  mem->size = 0;
  mem->pages = 0;
}

int64_t pg__memory_grow(pg_memory *mem, uint32_t delta) {
  uint32_t old = mem->pages;
  if (delta == 0)
    return old;
  if ((uint64_t)old + delta > mem->max_pages)
    return -1;
  uint64_t new_size = ((uint64_t)old + delta) * PG_PAGE_SIZE;
  if (new_size > SIZE_MAX)
    return -1;
  uint8_t *grown = realloc(mem->base, (size_t)new_size);
  if (!grown)
    return -1;
  memset(grown + mem->size, 0, (size_t)(new_size - mem->size));
  mem->base = grown;
  mem->size = new_size;
  mem->pages = old + delta;
  return old;
}

pg_status pg_memory_new(pg_memory **out, uint32_t min_pages, uint32_t max_pages,
                        bool has_max) {
  if (!out || min_pages > PG_MAX_PAGES || (has_max && max_pages < min_pages))
    return PG_BAD_ARG;
  pg_memory *mem = malloc(sizeof *mem);
  if (!mem)
    return PG_NOMEM;
  uint32_t effective_max = PG_MAX_PAGES;
  if (has_max && max_pages < effective_max)
    effective_max = max_pages;
  pg_status st = pg__memory_init(mem, min_pages, effective_max, has_max,
                                 has_max ? max_pages : 0);
  if (st != PG_OK) {
    free(mem);
    return st;
  }
  *out = mem;
  return PG_OK;
}

void pg_memory_free(pg_memory *m) {
  if (!m)
    return;
  pg__memory_release(m);
  free(m);
}

void *pg_memory_ptr(pg_instance *inst, uint64_t ptr, uint64_t len) {
  /* A valid, non-NULL answer for an empty range inside an empty memory. */
  static uint8_t empty_range;
  if (!inst || !inst->memory)
    return NULL;
  const pg_memory *mem = inst->memory;
  /* Written so that nothing can wrap: ptr <= size, then len <= size - ptr. */
  if (ptr > mem->size || len > mem->size - ptr)
    return NULL;
  if (!mem->base)
    return &empty_range;
  return mem->base + ptr;
}

uint64_t pg_memory_size(const pg_instance *inst) {
  if (!inst || !inst->memory)
    return 0;
  return inst->memory->size;
}

/* ---------------------------------------------------------------------------
 * Tables
 */

pg_status pg__table_init(pg_table *t, pg_vt reftype, uint32_t size,
                         uint32_t max, bool has_max) {
  memset(t, 0, sizeof *t);
  if (size > PG_MAX_TABLE_ELEMS)
    return PG_NOMEM;
  if (size > 0) {
    t->elems = calloc(size, sizeof *t->elems);
    if (!t->elems)
      return PG_NOMEM;
  }
  t->size = size;
  t->max = has_max ? max : UINT32_MAX;
  t->has_max = has_max;
  t->reftype = reftype;
  return PG_OK;
}

void pg__table_release(pg_table *t) {
  if (!t)
    return;
  free(t->elems);
  t->elems = NULL;
  t->size = 0;
}

int64_t pg__table_grow(pg_table *t, uint32_t delta, void *init) {
  uint32_t old = t->size;
  uint64_t new_size = (uint64_t)old + delta;
  if (delta == 0)
    return old;
  if (new_size > t->max || new_size > PG_MAX_TABLE_ELEMS)
    return -1;
  void **grown = realloc(t->elems, (size_t)new_size * sizeof *grown);
  if (!grown)
    return -1;
  for (uint64_t i = old; i < new_size; i++)
    grown[i] = init;
  t->elems = grown;
  t->size = (uint32_t)new_size;
  return old;
}

pg_status pg_table_new(pg_table **out, pg_valtype reftype, uint32_t min,
                       uint32_t max, bool has_max) {
  if (!out || (reftype != PG_FUNCREF && reftype != PG_EXTERNREF) ||
      (has_max && max < min))
    return PG_BAD_ARG;
  pg_table *t = malloc(sizeof *t);
  if (!t)
    return PG_NOMEM;
  pg_status st = pg__table_init(t, (pg_vt)reftype, min, max, has_max);
  if (st != PG_OK) {
    free(t);
    return st;
  }
  *out = t;
  return PG_OK;
}

void pg_table_free(pg_table *t) {
  if (!t)
    return;
  pg__table_release(t);
  free(t);
}

/* ---------------------------------------------------------------------------
 * Globals
 */

static bool is_valtype(pg_valtype t) {
  return t == PG_I32 || t == PG_I64 || t == PG_F32 || t == PG_F64 ||
         t == PG_FUNCREF || t == PG_EXTERNREF;
}

pg_status pg_global_new(pg_global **out, pg_val value, bool mutable_) {
  if (!out || !is_valtype(value.type))
    return PG_BAD_ARG;
  pg_global *g = malloc(sizeof *g);
  if (!g)
    return PG_NOMEM;
  g->value = pg__val_to_cell(value);
  g->type = (pg_vt)value.type;
  g->mutable_ = mutable_;
  *out = g;
  return PG_OK;
}

void pg_global_free(pg_global *g) { free(g); }

pg_val pg_global_get(const pg_global *g) {
  return pg__cell_to_val(g->value, g->type);
}

/* ---------------------------------------------------------------------------
 * Function signatures as pg_valtype arrays.
 *
 * A pg_functype stores its types as bytes (pg_vt) but the public API hands
 * out pg_valtype arrays (enum-sized). We keep one converted array per
 * interned signature, process-wide and never freed (there are few distinct
 * signatures), in a small open-addressing map keyed by sig_id. The lock is
 * taken on every query; these are not hot paths.
 */

typedef struct sig_valtypes {
  uint32_t sig_id;
  pg_valtype *types; /* nparams + nresults entries (at least 1 allocated) */
} sig_valtypes;

static pthread_mutex_t sig_lock = PTHREAD_MUTEX_INITIALIZER;
static sig_valtypes *sig_slots; /* sig_cap entries; types NULL when empty */
static uint32_t sig_cap, sig_used;

static uint32_t sig_slot_of(uint32_t sig_id, uint32_t cap) {
  return (sig_id * 2654435761u) & (cap - 1);
}

static void sig_insert(sig_valtypes *slots, uint32_t cap, sig_valtypes e) {
  uint32_t i = sig_slot_of(e.sig_id, cap);
  while (slots[i].types)
    i = (i + 1) & (cap - 1);
  slots[i] = e;
}

static bool sig_reserve(void) {
  if (sig_cap != 0 && (sig_used + 1) * 2 <= sig_cap)
    return true;
  uint32_t cap = sig_cap ? sig_cap * 2 : 64;
  sig_valtypes *slots = calloc(cap, sizeof *slots);
  if (!slots)
    return false;
  for (uint32_t i = 0; i < sig_cap; i++)
    if (sig_slots[i].types)
      sig_insert(slots, cap, sig_slots[i]);
  free(sig_slots);
  sig_slots = slots;
  sig_cap = cap;
  return true;
}

static const pg_valtype *sig_lookup(const pg_functype *t) {
  for (uint32_t i = sig_slot_of(t->sig_id, sig_cap); sig_slots[i].types;
       i = (i + 1) & (sig_cap - 1))
    if (sig_slots[i].sig_id == t->sig_id)
      return sig_slots[i].types;
  return NULL;
}

/* NULL only when out of memory. */
static const pg_valtype *valtypes_of(const pg_functype *t) {
  const pg_valtype *found = NULL;
  pthread_mutex_lock(&sig_lock);
  if (sig_cap)
    found = sig_lookup(t);
  if (!found && sig_reserve()) {
    uint32_t n = t->nparams + t->nresults;
    pg_valtype *types = malloc((n ? n : 1) * sizeof *types);
    if (types) {
      for (uint32_t i = 0; i < n; i++)
        types[i] = (pg_valtype)t->types[i];
      sig_insert(sig_slots, sig_cap, (sig_valtypes){t->sig_id, types});
      sig_used++;
      found = types;
    }
  }
  pthread_mutex_unlock(&sig_lock);
  return found;
}

uint32_t pg_func_param_count(const pg_func *f) { return f->type->nparams; }

uint32_t pg_func_result_count(const pg_func *f) { return f->type->nresults; }

const pg_valtype *pg_func_params(const pg_func *f) {
  return valtypes_of(f->type);
}

const pg_valtype *pg_func_results(const pg_func *f) {
  const pg_valtype *all = valtypes_of(f->type);
  return all ? all + f->type->nparams : NULL;
}
