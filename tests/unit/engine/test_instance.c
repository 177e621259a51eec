/*
 * test_instance.c: instantiation and linking — import resolution and every
 * unlinkable message, shared memories, segments out of bounds at
 * instantiation (and what survives them), start functions, memory limits,
 * pg_memory_ptr's edge cases, host-created objects and signatures.
 *
 * Includes instance.h (and so runtime.h) to look inside tables and memories the public API keeps
 * opaque.
 */
#include "pg_test.h"
#include "engine_test_util.h"
#include "instance.h"

static pg_host_result host_add(pg_host_call *call) {
  call->results[0] = (uint32_t)call->args[0] + (uint32_t)call->args[1];
  return PG_HOST_DONE;
}

/* Host objects matching imports.wat; each test breaks one of them. */
typedef struct env_objects {
  pg_table *tab;
  pg_memory *mem;
  pg_global *g;
} env_objects;

static void env_free(env_objects *e) {
  pg_table_free(e->tab);
  pg_memory_free(e->mem);
  pg_global_free(e->g);
}

/* Defines env.* for imports.wat with the given (possibly wrong) shapes. */
static pg_linker *imports_linker(env_objects *e, const char *add_sig,
                                 pg_valtype tab_type, uint32_t tab_min,
                                 uint32_t tab_max, bool tab_has_max,
                                 uint32_t mem_min, uint32_t mem_max,
                                 bool mem_has_max, pg_val g, bool g_mut) {
  pg_linker *l = NULL;
  if (pg_linker_new(&l) != PG_OK)
    return NULL;
  pg_table_new(&e->tab, tab_type, tab_min, tab_max, tab_has_max);
  pg_memory_new(&e->mem, mem_min, mem_max, mem_has_max);
  pg_global_new(&e->g, g, g_mut);
  if (add_sig)
    pg_linker_define_func(l, "env", "add", add_sig, host_add, NULL);
  pg_linker_define(l, "env", "tab",
                   (pg_extern){.kind = PG_EXTERN_TABLE, .of.table = e->tab});
  pg_linker_define(l, "env", "mem",
                   (pg_extern){.kind = PG_EXTERN_MEMORY, .of.memory = e->mem});
  pg_linker_define(l, "env", "g",
                   (pg_extern){.kind = PG_EXTERN_GLOBAL, .of.global = e->g});
  return l;
}

/* Instantiates imports.wat against `l`; returns the status and the error. */
static pg_status try_imports(pg_linker *l, char *err, size_t errlen) {
  pg_module *m = load_fixture("imports");
  pg_instance *inst = NULL;
  if (!m)
    return PG_IO;
  pg_status st = pg_instance_new(&inst, m, l, NULL, err, errlen);
  pg_instance_free(inst);
  pg_module_free(m);
  return st;
}

#define GOOD_LINKER(e)                                                        \
  imports_linker(e, "ii->i", PG_FUNCREF, 2, 10, true, 1, 4, true,            \
                 val_i32(5), false)

static void test_imports_resolve(void) {
  env_objects e = {0};
  pg_linker *l = GOOD_LINKER(&e);
  char err[256];
  pg_module *m = load_fixture("imports");
  ASSERT_TRUE(m != NULL);
  pg_instance *inst = NULL;
  pg_status st = pg_instance_new(&inst, m, l, NULL, err, sizeof err);
  pg_module_free(m); /* the instance keeps its own reference */
  ASSERT_EQ(st, PG_OK);
  ASSERT_TRUE(pg_memory_ptr(inst, 0, 65536) == e.mem->base);
  pg_extern ext;
  ASSERT_EQ(pg_instance_export(inst, "get_g", &ext), PG_OK);
  ASSERT_EQ(ext.kind, PG_EXTERN_FUNC);
  ASSERT_EQ(pg_instance_export(inst, "nope", &ext), PG_NOT_FOUND);
  ASSERT_TRUE(pg_instance_func(inst, "nope") == NULL);
  pg_instance_free(inst);
  pg_linker_free(l);
  env_free(&e);
}

static void test_unknown_import(void) {
  char err[256];
  ASSERT_EQ(try_imports(NULL, err, sizeof err), PG_UNLINKABLE);
  ASSERT_STR_EQ(err, "unknown import: \"env\" \"add\"");
  env_objects e = {0};
  pg_linker *l = imports_linker(&e, NULL, PG_FUNCREF, 2, 10, true, 1, 4, true,
                                val_i32(5), false);
  ASSERT_EQ(try_imports(l, err, sizeof err), PG_UNLINKABLE);
  ASSERT_STR_EQ(err, "unknown import: \"env\" \"add\"");
  pg_linker_free(l);
  env_free(&e);
}

/* Expects instantiating imports.wat against `l` to fail with `why`. */
#define ASSERT_INCOMPATIBLE(l, name, why)                                     \
  do {                                                                        \
    char err_[256];                                                           \
    ASSERT_EQ(try_imports(l, err_, sizeof err_), PG_UNLINKABLE);              \
    ASSERT_STR_EQ(err_, "incompatible import type for \"env\" \"" name        \
                        "\": " why);                                          \
  } while (0)

static void test_incompatible_func(void) {
  env_objects e = {0};
  pg_linker *l = imports_linker(&e, "i->i", PG_FUNCREF, 2, 10, true, 1, 4,
                                true, val_i32(5), false);
  ASSERT_INCOMPATIBLE(l, "add", "function signature differs");
  /* A memory where a function is expected. */
  pg_linker_define(l, "env", "add",
                   (pg_extern){.kind = PG_EXTERN_MEMORY, .of.memory = e.mem});
  ASSERT_INCOMPATIBLE(l, "add", "expected function, got memory");
  /* Redefining the name replaces the earlier definition. */
  ASSERT_EQ(pg_linker_define_func(l, "env", "add", "ii->i", host_add, NULL),
            PG_OK);
  char err[256];
  ASSERT_EQ(try_imports(l, err, sizeof err), PG_OK);
  pg_linker_free(l);
  env_free(&e);
}

static void test_incompatible_table(void) {
  env_objects e = {0};
  pg_linker *l = imports_linker(&e, "ii->i", PG_EXTERNREF, 2, 10, true, 1, 4,
                                true, val_i32(5), false);
  ASSERT_INCOMPATIBLE(l, "tab", "table element type differs");
  pg_linker_free(l);
  env_free(&e);
  l = imports_linker(&e, "ii->i", PG_FUNCREF, 1, 10, true, 1, 4, true,
                     val_i32(5), false);
  ASSERT_INCOMPATIBLE(l, "tab", "size smaller than the declared minimum");
  pg_linker_free(l);
  env_free(&e);
  l = imports_linker(&e, "ii->i", PG_FUNCREF, 2, 0, false, 1, 4, true,
                     val_i32(5), false);
  ASSERT_INCOMPATIBLE(l, "tab", "no maximum but one is declared");
  pg_linker_free(l);
  env_free(&e);
  l = imports_linker(&e, "ii->i", PG_FUNCREF, 3, 11, true, 1, 4, true,
                     val_i32(5), false);
  ASSERT_INCOMPATIBLE(l, "tab", "maximum larger than the declared maximum");
  pg_linker_free(l);
  env_free(&e);
}

static void test_incompatible_memory(void) {
  env_objects e = {0};
  pg_linker *l = imports_linker(&e, "ii->i", PG_FUNCREF, 2, 10, true, 0, 4,
                                true, val_i32(5), false);
  ASSERT_INCOMPATIBLE(l, "mem", "size smaller than the declared minimum");
  pg_linker_free(l);
  env_free(&e);
  l = imports_linker(&e, "ii->i", PG_FUNCREF, 2, 10, true, 1, 0, false,
                     val_i32(5), false);
  ASSERT_INCOMPATIBLE(l, "mem", "no maximum but one is declared");
  pg_linker_free(l);
  env_free(&e);
  l = imports_linker(&e, "ii->i", PG_FUNCREF, 2, 10, true, 2, 5, true,
                     val_i32(5), false);
  ASSERT_INCOMPATIBLE(l, "mem", "maximum larger than the declared maximum");
  pg_linker_free(l);
  env_free(&e);
  /* A bigger memory with a smaller maximum is a subtype: fine. */
  l = imports_linker(&e, "ii->i", PG_FUNCREF, 2, 10, true, 3, 3, true,
                     val_i32(5), false);
  char err[256];
  ASSERT_EQ(try_imports(l, err, sizeof err), PG_OK);
  pg_linker_free(l);
  env_free(&e);
}

static void test_incompatible_global(void) {
  env_objects e = {0};
  pg_linker *l = imports_linker(&e, "ii->i", PG_FUNCREF, 2, 10, true, 1, 4,
                                true, val_i32(5), true);
  ASSERT_INCOMPATIBLE(l, "g", "global mutability differs");
  pg_linker_free(l);
  env_free(&e);
  l = imports_linker(&e, "ii->i", PG_FUNCREF, 2, 10, true, 1, 4, true,
                     val_i64(5), false);
  ASSERT_INCOMPATIBLE(l, "g", "global value type differs");
  pg_linker_free(l);
  env_free(&e);
}

static void test_bad_signature_strings(void) {
  pg_linker *l = NULL;
  ASSERT_EQ(pg_linker_new(&l), PG_OK);
  ASSERT_EQ(pg_linker_define_func(l, "m", "f", "ii", host_add, NULL),
            PG_BAD_ARG);
  ASSERT_EQ(pg_linker_define_func(l, "m", "f", "ix->i", host_add, NULL),
            PG_BAD_ARG);
  ASSERT_EQ(pg_linker_define_func(l, "m", "f", "i->i->i", host_add, NULL),
            PG_BAD_ARG);
  ASSERT_EQ(pg_linker_define_func(l, "m", "f", "->", host_add, NULL), PG_OK);
  ASSERT_EQ(pg_linker_define_func(l, "m", "g", "iIfFre->Fi", host_add, NULL),
            PG_OK);
  pg_extern ext;
  /* Many names, to make the index grow and rehash. */
  for (int i = 0; i < 200; i++) {
    char name[32];
    snprintf(name, sizeof name, "f%d", i);
    ASSERT_EQ(pg_linker_define_func(l, "m", name, "i->", host_add, NULL),
              PG_OK);
  }
  ASSERT_TRUE(pg__linker_lookup(l, "m", "g", &ext));
  ASSERT_TRUE(pg__linker_lookup(l, "m", "f199", &ext));
  ASSERT_TRUE(!pg__linker_lookup(l, "m", "f200", &ext));
  ASSERT_TRUE(!pg__linker_lookup(l, "mg", "", &ext));
  ASSERT_TRUE(pg__linker_lookup(l, "m", "g", &ext));
  const pg_func *f = ext.of.func;
  ASSERT_EQ(pg_func_param_count(f), 6);
  ASSERT_EQ(pg_func_result_count(f), 2);
  const pg_valtype *p = pg_func_params(f), *r = pg_func_results(f);
  ASSERT_EQ(p[0], PG_I32);
  ASSERT_EQ(p[1], PG_I64);
  ASSERT_EQ(p[2], PG_F32);
  ASSERT_EQ(p[3], PG_F64);
  ASSERT_EQ(p[4], PG_FUNCREF);
  ASSERT_EQ(p[5], PG_EXTERNREF);
  ASSERT_EQ(r[0], PG_F64);
  ASSERT_EQ(r[1], PG_I32);
  ASSERT_STR_EQ(f->host_name, "m.g");
  pg_linker_free(l);
}

/* A's memory exported, B imports it: both see the same bytes. B's data
 * segment writes into A's memory at instantiation. */
static void test_shared_memory_instantiation(void) {
  pg_module *ma = load_fixture("mem_export"), *mb = load_fixture("mem_import");
  ASSERT_TRUE(ma && mb);
  pg_instance *a = NULL, *b = NULL;
  pg_linker *l = NULL;
  char err[256];
  ASSERT_EQ(pg_instance_new(&a, ma, NULL, NULL, err, sizeof err), PG_OK);
  ASSERT_EQ(pg_linker_new(&l), PG_OK);
  ASSERT_EQ(pg_linker_define_instance(l, "A", a), PG_OK);
  ASSERT_EQ(pg_instance_new(&b, mb, l, NULL, err, sizeof err), PG_OK);
  ASSERT_TRUE(pg_memory_ptr(a, 0, 1) == pg_memory_ptr(b, 0, 1));
  const char *hi = pg_memory_ptr(a, 8, 2);
  ASSERT_TRUE(hi != NULL);
  ASSERT_EQ(hi[0], 'h');
  ASSERT_EQ(hi[1], 'i');
  pg_extern ext;
  ASSERT_EQ(pg_instance_export(a, "mem", &ext), PG_OK);
  ASSERT_EQ(ext.kind, PG_EXTERN_MEMORY);
  ASSERT_EQ(ext.of.memory->declared_max, 2);
  pg_instance_free(b);
  pg_instance_free(a);
  pg_linker_free(l);
  pg_module_free(ma);
  pg_module_free(mb);
}

/* linking.wast: segment 0 lands at 7, segment 1 traps, and the function
 * stored at 7 still works afterwards though its instance failed. */
static void test_elem_out_of_bounds(void) {
  pg_module *m = load_fixture("elem_oob"), *other = load_fixture("nomem");
  ASSERT_TRUE(m && other);
  pg_table *tab = NULL;
  pg_linker *l = NULL;
  ASSERT_EQ(pg_table_new(&tab, PG_FUNCREF, 10, 0, false), PG_OK);
  ASSERT_EQ(pg_linker_new(&l), PG_OK);
  pg_linker_define(l, "env", "tab",
                   (pg_extern){.kind = PG_EXTERN_TABLE, .of.table = tab});
  pg_instance *inst = NULL, *runner = NULL;
  char err[256];
  ASSERT_EQ(pg_instance_new(&inst, m, l, NULL, err, sizeof err), PG_TRAP);
  ASSERT_STR_EQ(err, "out of bounds table access");
  ASSERT_TRUE(inst == NULL);
  ASSERT_TRUE(tab->elems[7] != NULL);
  ASSERT_TRUE(tab->elems[8] == NULL);
  ASSERT_TRUE(tab->elems[9] == NULL);
  /* Run the orphaned function on another instance's stack. */
  ASSERT_EQ(pg_instance_new(&runner, other, NULL, NULL, err, sizeof err),
            PG_OK);
  pg_val r;
  ASSERT_EQ(pg_instance_call(runner, tab->elems[7], NULL, 0, &r, 1), PG_OK);
  ASSERT_EQ(r.of.i32, 7);
  pg_instance_free(runner);
  pg_linker_free(l);
  pg_table_free(tab);
  pg_module_free(m);
  pg_module_free(other);
}

static void test_data_out_of_bounds(void) {
  pg_module *m = load_fixture("data_oob");
  ASSERT_TRUE(m != NULL);
  pg_memory *mem = NULL;
  pg_linker *l = NULL;
  ASSERT_EQ(pg_memory_new(&mem, 1, 0, false), PG_OK);
  ASSERT_EQ(pg_linker_new(&l), PG_OK);
  pg_linker_define(l, "env", "mem",
                   (pg_extern){.kind = PG_EXTERN_MEMORY, .of.memory = mem});
  pg_instance *inst = NULL;
  char err[256];
  ASSERT_EQ(pg_instance_new(&inst, m, l, NULL, err, sizeof err), PG_TRAP);
  ASSERT_STR_EQ(err, "out of bounds memory access");
  ASSERT_TRUE(inst == NULL);
  ASSERT_EQ(mem->base[0], 'o'); /* the first segment stays */
  ASSERT_EQ(mem->base[1], 'k');
  ASSERT_EQ(mem->base[0xffff], 0); /* the failing one wrote nothing */
  /* Grow the memory: now both segments fit. */
  ASSERT_EQ(pg__memory_grow(mem, 1), 1);
  ASSERT_EQ(pg_instance_new(&inst, m, l, NULL, err, sizeof err), PG_OK);
  ASSERT_EQ(mem->base[0x10000], 'y');
  pg_instance_free(inst);
  pg_linker_free(l);
  pg_memory_free(mem);
  pg_module_free(m);
}

static void test_start_function(void) {
  pg_module *bad = load_fixture("start_trap"), *good = load_fixture("start_ok");
  ASSERT_TRUE(bad && good);
  pg_instance *inst = NULL;
  char err[256];
  ASSERT_EQ(pg_instance_new(&inst, bad, NULL, NULL, err, sizeof err), PG_TRAP);
  ASSERT_STR_EQ(err, "unreachable");
  ASSERT_TRUE(inst == NULL);
  ASSERT_EQ(pg_instance_new(&inst, good, NULL, NULL, err, sizeof err), PG_OK);
  pg_val r;
  ASSERT_EQ(pg_instance_call(inst, pg_instance_func(inst, "get"), NULL, 0, &r,
                             1),
            PG_OK);
  ASSERT_EQ(r.of.i32, 42);
  pg_instance_free(inst);
  pg_module_free(bad);
  pg_module_free(good);
}

static void test_memory_ptr_edges(void) {
  pg_module *m = load_fixture("memory"), *none = load_fixture("nomem");
  ASSERT_TRUE(m && none);
  pg_instance *inst = NULL, *bare = NULL;
  char err[256];
  ASSERT_EQ(pg_instance_new(&inst, m, NULL, NULL, err, sizeof err), PG_OK);
  ASSERT_EQ(pg_instance_new(&bare, none, NULL, NULL, err, sizeof err), PG_OK);
  uint8_t *base = pg_memory_ptr(inst, 0, 0);
  ASSERT_TRUE(base != NULL);
  ASSERT_U64_EQ(pg_memory_size(inst), 65536);
  ASSERT_TRUE(pg_memory_ptr(inst, 0, 65536) == base);
  ASSERT_TRUE(pg_memory_ptr(inst, 65536, 0) == base + 65536); /* len 0, end */
  ASSERT_TRUE(pg_memory_ptr(inst, 65535, 1) == base + 65535);
  ASSERT_TRUE(pg_memory_ptr(inst, 65535, 2) == NULL);
  ASSERT_TRUE(pg_memory_ptr(inst, 65536, 1) == NULL);
  ASSERT_TRUE(pg_memory_ptr(inst, 65537, 0) == NULL);
  ASSERT_TRUE(pg_memory_ptr(inst, 0, 65537) == NULL);
  /* Would wrap around 4 GiB in 32-bit arithmetic, or 2^64 in 64-bit. */
  ASSERT_TRUE(pg_memory_ptr(inst, 0xFFFFFFFFu, 2) == NULL);
  ASSERT_TRUE(pg_memory_ptr(inst, 16, 0xFFFFFFFFF0ull) == NULL);
  ASSERT_TRUE(pg_memory_ptr(inst, UINT64_MAX, 2) == NULL);
  ASSERT_TRUE(pg_memory_ptr(inst, 1, UINT64_MAX) == NULL);
  ASSERT_TRUE(pg_memory_ptr(inst, 0x100000000ull, 0) == NULL);
  /* No memory at all. */
  ASSERT_TRUE(pg_memory_ptr(bare, 0, 0) == NULL);
  ASSERT_TRUE(pg_memory_ptr(bare, 0, 1) == NULL);
  ASSERT_U64_EQ(pg_memory_size(bare), 0);
  pg_instance_free(inst);
  pg_instance_free(bare);
  pg_module_free(m);
  pg_module_free(none);
}

static void test_memory_limit_at_instantiation(void) {
  pg_module *m = load_fixture("memory");
  ASSERT_TRUE(m != NULL);
  pg_instance *inst = NULL;
  char err[256];
  pg_limits limits = {.max_memory_pages = 2};
  ASSERT_EQ(pg_instance_new(&inst, m, NULL, &limits, err, sizeof err), PG_OK);
  ASSERT_EQ(inst->memory->max_pages, 2);
  ASSERT_EQ(inst->limits.stack_bytes, 1u << 20);
  ASSERT_EQ(inst->limits.max_call_depth, 10000);
  ASSERT_EQ(pg__memory_grow(inst->memory, 2), -1);
  ASSERT_EQ(pg__memory_grow(inst->memory, 1), 1);
  ASSERT_U64_EQ(pg_memory_size(inst), 2 * 65536);
  const uint8_t *p = pg_memory_ptr(inst, 65536, 65536);
  ASSERT_TRUE(p != NULL);
  ASSERT_EQ(p[0] | p[65535], 0); /* new bytes are zero */
  ASSERT_EQ(pg__memory_grow(inst->memory, 1), -1);
  ASSERT_EQ(pg__memory_grow(inst->memory, 0), 2);
  pg_instance_free(inst);
  limits.max_memory_pages = 0; /* default: 65536 */
  ASSERT_EQ(pg_instance_new(&inst, m, NULL, &limits, err, sizeof err), PG_OK);
  ASSERT_EQ(inst->memory->max_pages, 65536);
  pg_instance_free(inst);
  pg_module_free(m);
  /* A minimum above the cap cannot be instantiated. */
  m = load_fixture("big_memory");
  ASSERT_TRUE(m != NULL);
  limits.max_memory_pages = 2;
  inst = NULL;
  ASSERT_EQ(pg_instance_new(&inst, m, NULL, &limits, err, sizeof err),
            PG_NOMEM);
  ASSERT_STR_EQ(err, "memory of 3 pages exceeds the instance limit of 2");
  ASSERT_TRUE(inst == NULL);
  pg_module_free(m);
}

static void test_host_objects(void) {
  pg_table *t = NULL;
  pg_memory *mem = NULL;
  pg_global *g = NULL;
  ASSERT_EQ(pg_table_new(&t, PG_I32, 1, 1, true), PG_BAD_ARG);
  ASSERT_EQ(pg_table_new(&t, PG_EXTERNREF, 2, 1, true), PG_BAD_ARG);
  ASSERT_EQ(pg_table_new(&t, PG_EXTERNREF, 1, 3, true), PG_OK);
  ASSERT_EQ(pg__table_grow(t, 2, (void *)t), 1);
  ASSERT_TRUE(t->elems[0] == NULL && t->elems[2] == (void *)t);
  ASSERT_EQ(pg__table_grow(t, 1, NULL), -1);
  ASSERT_EQ(pg__table_grow(t, 0, NULL), 3);
  pg_table_free(t);
  ASSERT_EQ(pg_table_new(&t, PG_FUNCREF, 0x10, 0, false), PG_OK);
  ASSERT_EQ(pg__table_grow(t, 0xfffffff0u, NULL), -1);
  pg_table_free(t);
  ASSERT_EQ(pg_memory_new(&mem, 2, 1, true), PG_BAD_ARG);
  ASSERT_EQ(pg_memory_new(&mem, 0, 0, false), PG_OK);
  ASSERT_EQ(pg__memory_grow(mem, 65537), -1);
  ASSERT_EQ(pg__memory_grow(mem, 1), 0);
  pg_memory_free(mem);
  pg_val v = {.type = PG_F64};
  v.of.f64 = 0x7ff8000000000123ull; /* a NaN payload survives */
  ASSERT_EQ(pg_global_new(&g, v, true), PG_OK);
  pg_val back = pg_global_get(g);
  ASSERT_EQ(back.type, PG_F64);
  ASSERT_U64_EQ(back.of.f64, 0x7ff8000000000123ull);
  pg_global_free(g);
  pg_memory_free(NULL);
  pg_table_free(NULL);
  pg_global_free(NULL);
  pg_linker_free(NULL);
  pg_instance_free(NULL);
}

static void test_export_names_with_nul(void) {
  pg_module *m = load_fixture("nul_names");
  ASSERT_TRUE(m != NULL);
  pg_instance *inst = NULL;
  char err[256];
  ASSERT_EQ(pg_instance_new(&inst, m, NULL, NULL, err, sizeof err), PG_OK);
  pg_extern a, anul, empty, nul;
  ASSERT_EQ(pg_instance_export(inst, "a", &a), PG_OK);
  ASSERT_EQ(pg_instance_export_n(inst, "a\0b", 3, &anul), PG_OK);
  ASSERT_EQ(pg_instance_export(inst, "", &empty), PG_OK);
  ASSERT_EQ(pg_instance_export_n(inst, "\0", 1, &nul), PG_OK);
  ASSERT_EQ(pg_instance_export_n(inst, "a\0c", 3, &nul), PG_NOT_FOUND);
  ASSERT_EQ(pg_instance_export_n(inst, "\0", 1, &nul), PG_OK);
  ASSERT_EQ(a.of.func->index, 0);
  ASSERT_EQ(anul.of.func->index, 1);
  ASSERT_EQ(empty.of.func->index, 2);
  ASSERT_EQ(nul.of.func->index, 3);
  pg_instance_free(inst);
  pg_module_free(m);
}

int main(void) {
  PG_RUN(test_imports_resolve);
  PG_RUN(test_unknown_import);
  PG_RUN(test_incompatible_func);
  PG_RUN(test_incompatible_table);
  PG_RUN(test_incompatible_memory);
  PG_RUN(test_incompatible_global);
  PG_RUN(test_bad_signature_strings);
  PG_RUN(test_shared_memory_instantiation);
  PG_RUN(test_elem_out_of_bounds);
  PG_RUN(test_data_out_of_bounds);
  PG_RUN(test_start_function);
  PG_RUN(test_memory_ptr_edges);
  PG_RUN(test_memory_limit_at_instantiation);
  PG_RUN(test_host_objects);
  PG_RUN(test_export_names_with_nul);
  return PG_DONE();
}
