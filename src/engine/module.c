/*
 * module.c: the pg_module object -- creation (copy, decode, compile),
 * reference counting and destruction, the import/export queries of the
 * public API, and the engine-wide error helpers (pg__err, pg_status_str,
 * pg_trap_kind_str) generated from the X-macro tables in engine.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "module.h"

/* ---- status and trap strings -------------------------------------------- */

static const char *const status_strings[] = {
#define PG_STATUS_STR_(name, msg) msg,
    PG_STATUS_MAP(PG_STATUS_STR_)
#undef PG_STATUS_STR_
};

static const char *const trap_strings[] = {
#define PG_TRAP_STR_(name, msg) msg,
    PG_TRAP_MAP(PG_TRAP_STR_)
#undef PG_TRAP_STR_
};

const char *pg_status_str(pg_status s) {
  if ((unsigned)s >= PG_STATUS_COUNT_) return "unknown status";
  return status_strings[s];
}

const char *pg_trap_kind_str(pg_trap_kind k) {
  if ((unsigned)k >= PG_TRAP_COUNT_) return "unknown trap";
  return trap_strings[k];
}

pg_status pg__err(pg_err *err, pg_status code, const char *fmt, ...) {
  if (err && err->buf && err->len > 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->buf, err->len, fmt, ap);
    va_end(ap);
  }
  return code;
}

/* ---- destruction -------------------------------------------------------- */

static void free_imports(pg_module *m) {
  for (uint32_t i = 0; i < m->nimports; i++) {
    free(m->imports[i].module);
    free(m->imports[i].name);
  }
  free(m->imports);
}

static void free_functions(pg_module *m) {
  for (uint32_t i = 0; i < m->ndefined_funcs; i++) {
    free(m->defined[i].local_types);
    pg__fcode_free(m->defined[i].code);
  }
  free(m->defined);
  free(m->func_type_index);
  free(m->func_declared);
  if (m->func_names)
    for (uint32_t i = 0; i < m->nfuncs; i++) free(m->func_names[i]);
  free(m->func_names);
}

void pg__module_destroy(pg_module *m) {
  if (!m) return;
  for (uint32_t i = 0; i < m->ntypes; i++) free(m->types[i].types);
  free(m->types);
  free_imports(m);
  free_functions(m);
  free(m->tables);
  free(m->memories);
  free(m->global_types);
  free(m->defined_globals);
  for (uint32_t i = 0; i < m->nexports; i++) free(m->exports[i].name);
  free(m->exports);
  for (uint32_t i = 0; i < m->nelems; i++) free(m->elems[i].items);
  free(m->elems);
  free(m->datas);
  free(m->module_name);
  free(m->bytes);
  free(m);
}

/* ---- creation ----------------------------------------------------------- */

pg_status pg_module_new(pg_module **out, const uint8_t *bytes, size_t len,
                        char *err, size_t errlen) {
  pg_err e = {err, errlen};
  if (err && errlen) err[0] = '\0';
  if (!out || (!bytes && len))
    return pg__err(&e, PG_BAD_ARG, "pg_module_new: NULL argument");
  pg_status st;
  pg_module *m = calloc(1, sizeof *m);
  if (!m || !(m->bytes = malloc(len ? len : 1))) {
    st = pg__err(&e, PG_NOMEM, "out of memory for a module of %zu bytes",
                 len);
    goto fail;
  }
  m->refcount = 1;
  if (len) memcpy(m->bytes, bytes, len);
  m->len = len;
  st = pg__decode_module(m, &e);
  if (st != PG_OK) goto fail;
  st = pg__compile_module(m, &e);
  if (st != PG_OK) goto fail;
  *out = m;
  return PG_OK;
fail:
  pg__module_destroy(m);
  return st;
}

/* The count is atomic: instances on other threads may drop their
 * references concurrently with the owner. */
void pg_module_free(pg_module *m) {
  if (!m) return;
  if (__atomic_sub_fetch(&m->refcount, 1, __ATOMIC_ACQ_REL) == 0)
    pg__module_destroy(m);
}

/* ---- imports and exports ------------------------------------------------ */

uint32_t pg_module_import_count(const pg_module *m) {
  return m ? m->nimports : 0;
}

pg_status pg_module_import_info(const pg_module *m, uint32_t i,
                                pg_import_info *out) {
  if (!m || !out) return PG_BAD_ARG;
  if (i >= m->nimports) return PG_NOT_FOUND;
  out->module = m->imports[i].module;
  out->name = m->imports[i].name;
  out->kind = m->imports[i].kind;
  return PG_OK;
}

uint32_t pg_module_export_count(const pg_module *m) {
  return m ? m->nexports : 0;
}

pg_status pg_module_export_info(const pg_module *m, uint32_t i,
                                pg_export_info *out) {
  if (!m || !out) return PG_BAD_ARG;
  if (i >= m->nexports) return PG_NOT_FOUND;
  out->name = m->exports[i].name;
  out->kind = m->exports[i].kind;
  return PG_OK;
}
