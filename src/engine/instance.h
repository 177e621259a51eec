/*
 * instance.h: internal helpers shared by the files that implement the
 * run-time objects and the public instance API (instance.c, linker.c,
 * objects.c, api.c). Nothing outside those four files includes it; the
 * contract with the interpreter is runtime.h.
 */
#ifndef PG_ENGINE_INSTANCE_H
#define PG_ENGINE_INSTANCE_H

#include "runtime.h"

/* Defaults for the fields of pg_limits left at 0. */
#define PG_DEFAULT_STACK_BYTES (1u << 20)
#define PG_DEFAULT_CALL_DEPTH 10000u

/* Largest table we agree to hold (entries). table.grow past it returns -1
 * and instantiation fails with PG_NOMEM, so a guest cannot make the host
 * allocate gigabytes through a table without a declared maximum. */
#define PG_MAX_TABLE_ELEMS 10000000u

/* Converts between a typed value and its stack cell (engine.h's pg_cell
 * convention: 32-bit values zero-extended, references as pointer bits). */
pg_cell pg__val_to_cell(pg_val v);
pg_val pg__cell_to_val(pg_cell c, pg_vt type);

/* Sets up `mem` (storage borrowed from the caller, e.g. an instance block)
 * with `pages` zeroed pages. `max_pages` is the effective maximum (already
 * clamped by the caller to PG_MAX_PAGES and any instance cap); has_max and
 * declared_max describe the declared type, for import matching. Returns
 * PG_NOMEM when the bytes cannot be allocated. */
pg_status pg__memory_init(pg_memory *mem, uint32_t pages, uint32_t max_pages,
                          bool has_max, uint32_t declared_max);
/* Frees the bytes of a memory set up by pg__memory_init (not `mem`). */
void pg__memory_release(pg_memory *mem);

/* Sets up `t` (storage borrowed) with `size` null entries. PG_NOMEM when
 * the entries cannot be allocated or size exceeds PG_MAX_TABLE_ELEMS. */
pg_status pg__table_init(pg_table *t, pg_vt reftype, uint32_t size,
                         uint32_t max, bool has_max);
/* Frees the entries of a table set up by pg__table_init (not `t`). */
void pg__table_release(pg_table *t);

/* Looks up (module, name) in the linker (borrowed; may be NULL). Writes
 * *out and returns true when defined. */
bool pg__linker_lookup(const pg_linker *l, const char *module,
                       const char *name, pg_extern *out);

/* The object behind export `e` of `inst` (both borrowed). */
pg_extern pg__instance_extern(const pg_instance *inst,
                              const pg_export_decl *e);

/* A static English name for an extern kind ("function", "table", ...). */
const char *pg__extern_kind_name(pg_extern_kind kind);

#endif /* PG_ENGINE_INSTANCE_H */
