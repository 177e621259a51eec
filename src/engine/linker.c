/*
 * linker.c: the table of names an instance's imports are resolved against.
 *
 * A linker maps (module name, field name) to a pg_extern. Definitions come
 * from host functions (pg_linker_define_func, which creates a host pg_func
 * the linker owns), from any existing object (pg_linker_define), or from
 * every export of an instance (pg_linker_define_instance, the spec's
 * "register"). A later definition of the same name replaces the earlier one;
 * instances already linked keep what they got.
 *
 * Ownership: host functions (their pg_func, pg_functype and name) belong to
 * the linker and are freed with it, so a linker that defined host functions
 * must outlive every instance that imported them. Everything else is
 * borrowed. Lookups go through a small hash index because instantiation
 * resolves every import here and must stay cheap.
 */
#include <stdlib.h>
#include <string.h>

#include "instance.h"

typedef struct link_entry {
  char *module; /* owned */
  char *name;   /* owned */
  uint32_t hash;
  pg_extern ext; /* borrowed object, or a host_def's func */
} link_entry;

/* One host function: the pg_func the interpreter calls, its type, and the
 * storage behind them, in one allocation. Kept until the linker is freed,
 * even when its name is redefined, since instances may still call it. */
typedef struct host_def {
  struct host_def *next;
  pg_func func;
  pg_functype type;
  /* then: type.types bytes, then host_name "module.name\0" */
} host_def;

struct pg_linker {
  link_entry *entries; /* count used of cap */
  uint32_t count, cap;
  uint32_t *index;     /* index_cap slots: entry number + 1, 0 = empty */
  uint32_t index_cap;  /* power of two, > 2 * count */
  host_def *hosts;     /* every host function defined, newest first */
};

/* FNV-1a over "module\0name". */
static uint32_t name_hash(const char *module, const char *name) {
  uint32_t h = 2166136261u;
  for (const char *p = module; *p; p++)
    h = (h ^ (uint8_t)*p) * 16777619u;
  h = (h ^ 0u) * 16777619u;
  for (const char *p = name; *p; p++)
    h = (h ^ (uint8_t)*p) * 16777619u;
  return h;
}

pg_status pg_linker_new(pg_linker **out) {
  if (!out)
    return PG_BAD_ARG;
  pg_linker *l = calloc(1, sizeof *l);
  if (!l)
    return PG_NOMEM;
  *out = l;
  return PG_OK;
}

void pg_linker_free(pg_linker *l) {
  if (!l)
    return;
  for (uint32_t i = 0; i < l->count; i++) {
    free(l->entries[i].module);
    free(l->entries[i].name);
  }
  free(l->entries);
  free(l->index);
  for (host_def *h = l->hosts, *next; h; h = next) {
    next = h->next;
    free(h);
  }
  free(l);
}

/* Returns the entry number of (module, name), or UINT32_MAX. */
static uint32_t find_entry(const pg_linker *l, const char *module,
                           const char *name, uint32_t hash) {
  if (l->index_cap == 0)
    return UINT32_MAX;
  uint32_t mask = l->index_cap - 1;
  for (uint32_t i = hash & mask; l->index[i]; i = (i + 1) & mask) {
    const link_entry *e = &l->entries[l->index[i] - 1];
    if (e->hash == hash && strcmp(e->module, module) == 0 &&
        strcmp(e->name, name) == 0)
      return l->index[i] - 1;
  }
  return UINT32_MAX;
}

static void index_insert(uint32_t *index, uint32_t cap, uint32_t hash,
                         uint32_t entry) {
  uint32_t mask = cap - 1;
  uint32_t i = hash & mask;
  while (index[i])
    i = (i + 1) & mask;
  index[i] = entry + 1;
}

/* Makes room for one more entry in both the array and the index. */
static pg_status reserve_entry(pg_linker *l) {
  if (l->count == l->cap) {
    uint32_t cap = l->cap ? l->cap * 2 : 16;
    link_entry *grown = realloc(l->entries, cap * sizeof *grown);
    if (!grown)
      return PG_NOMEM;
    l->entries = grown;
    l->cap = cap;
  }
  if ((l->count + 1) * 2 >= l->index_cap) {
    uint32_t cap = l->index_cap ? l->index_cap * 2 : 32;
    uint32_t *index = calloc(cap, sizeof *index);
    if (!index)
      return PG_NOMEM;
    for (uint32_t i = 0; i < l->count; i++)
      index_insert(index, cap, l->entries[i].hash, i);
    free(l->index);
    l->index = index;
    l->index_cap = cap;
  }
  return PG_OK;
}

pg_status pg_linker_define(pg_linker *l, const char *module, const char *name,
                           pg_extern ext) {
  if (!l || !module || !name || !ext.of.func)
    return PG_BAD_ARG;
  uint32_t hash = name_hash(module, name);
  uint32_t found = find_entry(l, module, name, hash);
  if (found != UINT32_MAX) {
    l->entries[found].ext = ext;
    return PG_OK;
  }
  if (reserve_entry(l) != PG_OK)
    return PG_NOMEM;
  link_entry e = {strdup(module), strdup(name), hash, ext};
  if (!e.module || !e.name) {
    free(e.module);
    free(e.name);
    return PG_NOMEM;
  }
  l->entries[l->count] = e;
  index_insert(l->index, l->index_cap, hash, l->count);
  l->count++;
  return PG_OK;
}

bool pg__linker_lookup(const pg_linker *l, const char *module,
                       const char *name, pg_extern *out) {
  if (!l)
    return false;
  uint32_t found = find_entry(l, module, name, name_hash(module, name));
  if (found == UINT32_MAX)
    return false;
  *out = l->entries[found].ext;
  return true;
}

/* Parses one side of a signature ("iI", up to `stop`) into types (may be
 * NULL to only count). Returns the count, or -1 on an unknown letter. */
static int parse_sig_side(const char *p, const char *stop, pg_vt *types) {
  int n = 0;
  for (; p < stop; p++, n++) {
    pg_vt t;
    switch (*p) {
    case 'i': t = PG_I32; break;
    case 'I': t = PG_I64; break;
    case 'f': t = PG_F32; break;
    case 'F': t = PG_F64; break;
    case 'r': t = PG_FUNCREF; break;
    case 'e': t = PG_EXTERNREF; break;
    default: return -1;
    }
    if (types)
      types[n] = t;
  }
  return n;
}

/* Creates the host_def for `fn` with signature `sig`, or NULL (bad
 * signature or out of memory; *status says which). */
static host_def *new_host_def(const char *module, const char *name,
                              const char *sig, pg_host_fn fn, void *env,
                              pg_status *status) {
  const char *arrow = strstr(sig, "->");
  *status = PG_BAD_ARG;
  if (!arrow || strstr(arrow + 2, "->"))
    return NULL;
  const char *end = sig + strlen(sig);
  int np = parse_sig_side(sig, arrow, NULL);
  int nr = parse_sig_side(arrow + 2, end, NULL);
  if (np < 0 || nr < 0)
    return NULL;
  size_t mlen = strlen(module), nlen = strlen(name);
  host_def *h = calloc(1, sizeof *h + (size_t)(np + nr) + mlen + nlen + 2);
  *status = PG_NOMEM;
  if (!h)
    return NULL;
  pg_vt *types = (pg_vt *)(h + 1);
  char *host_name = (char *)(types + np + nr);
  parse_sig_side(sig, arrow, types);
  parse_sig_side(arrow + 2, end, types + np);
  memcpy(host_name, module, mlen);
  host_name[mlen] = '.';
  memcpy(host_name + mlen + 1, name, nlen + 1);
  h->type = (pg_functype){(uint32_t)np, (uint32_t)nr, types,
                          pg__sig_intern(types, (uint32_t)np, (uint32_t)nr)};
  if (h->type.sig_id == 0) { /* the intern table is out of memory */
    free(h);
    return NULL;
  }
  h->func.type = &h->type;
  h->func.sig_id = h->type.sig_id;
  h->func.host = fn;
  h->func.env = env;
  h->func.host_name = host_name;
  *status = PG_OK;
  return h;
}

pg_status pg_linker_define_func(pg_linker *l, const char *module,
                                const char *name, const char *sig,
                                pg_host_fn fn, void *env) {
  if (!l || !module || !name || !sig || !fn)
    return PG_BAD_ARG;
  pg_status st;
  host_def *h = new_host_def(module, name, sig, fn, env, &st);
  if (!h)
    return st;
  pg_extern ext = {.kind = PG_EXTERN_FUNC, .of.func = &h->func};
  st = pg_linker_define(l, module, name, ext);
  if (st != PG_OK) {
    free(h);
    return st;
  }
  h->next = l->hosts;
  l->hosts = h;
  return PG_OK;
}

pg_status pg_linker_define_instance(pg_linker *l, const char *module,
                                    pg_instance *inst) {
  if (!l || !module || !inst)
    return PG_BAD_ARG;
  const pg_module *m = inst->module;
  for (uint32_t i = 0; i < m->nexports; i++) {
    pg_extern ext = pg__instance_extern(inst, &m->exports[i]);
    pg_status st = pg_linker_define(l, module, m->exports[i].name, ext);
    if (st != PG_OK)
      return st;
  }
  return PG_OK;
}
