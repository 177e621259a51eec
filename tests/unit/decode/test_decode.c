/*
 * test_decode.c: unit tests of the module decoder (decode*.c), the module
 * object (module.c) and the signature intern table (types.c).
 *
 * Valid modules come from .wat files beside this one, turned into .wasm at
 * build time by wat2wasm (PG_DECODE_WASM_DIR). Malformed and invalid ones
 * are byte strings written here, each with the status and the words its
 * error message must contain. The compiler is replaced by a stub
 * (test_stubs.c), so these tests exercise decoding alone.
 */
#include <stdlib.h>

#include "module.h"
#include "pg_test.h"

static uint8_t *read_file(const char *name, size_t *len) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", PG_DECODE_WASM_DIR, name);
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
  if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  *len = (size_t)n;
  return buf;
}

/* ---- a module using every section -------------------------------------- */

static pg_module *load(const char *name) {
  size_t len;
  uint8_t *bytes = read_file(name, &len);
  if (!bytes) return NULL;
  pg_module *m = NULL;
  char err[256];
  pg_status st = pg_module_new(&m, bytes, len, err, sizeof err);
  free(bytes);
  if (st != PG_OK) fprintf(stderr, "  %s: %s\n", name, err);
  return m;
}

static void test_full_counts(void) {
  pg_module *m = load("full.wasm");
  ASSERT_TRUE(m != NULL);
  ASSERT_EQ(m->ntypes, 4);
  ASSERT_EQ(m->nimports, 4);
  ASSERT_EQ(m->nfunc_imports, 1);
  ASSERT_EQ(m->ntable_imports, 1);
  ASSERT_EQ(m->nmemory_imports, 1);
  ASSERT_EQ(m->nglobal_imports, 1);
  ASSERT_EQ(m->nfuncs, 4);
  ASSERT_EQ(m->ndefined_funcs, 3);
  ASSERT_EQ(m->ntables, 2);
  ASSERT_EQ(m->nmemories, 1);
  ASSERT_EQ(m->nglobals, 4);
  ASSERT_EQ(m->nexports, 3);
  ASSERT_EQ(m->nelems, 4);
  ASSERT_EQ(m->ndatas, 2);
  ASSERT_TRUE(m->has_start);
  ASSERT_EQ(m->start, 2);
  ASSERT_TRUE(!m->has_data_count);
  pg_module_free(m);
}

static void test_full_types_and_imports(void) {
  pg_module *m = load("full.wasm");
  ASSERT_TRUE(m != NULL);
  const pg_functype *t0 = &m->types[0];
  ASSERT_EQ(t0->nparams, 2);
  ASSERT_EQ(t0->nresults, 1);
  ASSERT_EQ(t0->types[0], PG_I32);
  ASSERT_EQ(t0->types[1], PG_I64);
  ASSERT_EQ(t0->types[2], PG_F32);
  ASSERT_TRUE(t0->sig_id != m->types[1].sig_id);
  ASSERT_STR_EQ(m->imports[0].module, "env");
  ASSERT_STR_EQ(m->imports[0].name, "f");
  ASSERT_EQ(m->imports[0].kind, PG_EXTERN_FUNC);
  ASSERT_EQ(m->imports[1].desc.table.reftype, PG_FUNCREF);
  ASSERT_EQ(m->imports[1].desc.table.limits.min, 1);
  ASSERT_EQ(m->imports[1].desc.table.limits.max, 10);
  ASSERT_TRUE(m->imports[1].desc.table.limits.has_max);
  ASSERT_EQ(m->memories[0].min, 1);
  ASSERT_EQ(m->memories[0].max, 2);
  ASSERT_EQ(m->tables[1].reftype, PG_EXTERNREF);
  ASSERT_EQ(m->tables[1].limits.min, 2);
  ASSERT_TRUE(!m->tables[1].limits.has_max);
  ASSERT_EQ(m->func_type_index[0], 0);
  ASSERT_EQ(m->func_type_index[1], 2);
  ASSERT_EQ(m->func_type_index[2], 1);
  pg_import_info ii;
  ASSERT_EQ(pg_module_import_info(m, 3, &ii), PG_OK);
  ASSERT_STR_EQ(ii.name, "g");
  ASSERT_EQ(ii.kind, PG_EXTERN_GLOBAL);
  ASSERT_EQ(pg_module_import_info(m, 4, &ii), PG_NOT_FOUND);
  pg_module_free(m);
}

static void test_full_code(void) {
  pg_module *m = load("full.wasm");
  ASSERT_TRUE(m != NULL);
  const pg_func_decl *add = &m->defined[0];
  ASSERT_EQ(add->type_index, 2);
  ASSERT_EQ(add->nlocals, 3);
  ASSERT_EQ(add->local_types[0], PG_I64);
  ASSERT_EQ(add->local_types[1], PG_I64);
  ASSERT_EQ(add->local_types[2], PG_F32);
  /* local.get 0, local.get 1, i32.add, end */
  ASSERT_EQ(add->body_len, 6);
  ASSERT_EQ(add->body[0], 0x20);
  ASSERT_EQ(add->body[5], 0x0b);
  ASSERT_TRUE(m->bytes + add->body_offset == add->body);
  ASSERT_EQ(m->defined[1].nlocals, 0);
  ASSERT_EQ(m->defined[1].body_len, 1);
  ASSERT_EQ(m->defined[2].nlocals, 1);
  ASSERT_EQ(m->defined[2].local_types[0], PG_F64);
  pg_module_free(m);
}

static void test_full_globals_exports(void) {
  pg_module *m = load("full.wasm");
  ASSERT_TRUE(m != NULL);
  const pg_global_decl *g = m->defined_globals;
  ASSERT_EQ(g[0].type.type, PG_I64);
  ASSERT_TRUE(g[0].type.mutable_);
  ASSERT_EQ(g[0].init.op, PG_CONST_I64);
  ASSERT_EQ((int64_t)g[0].init.value.i64, -5);
  ASSERT_EQ(g[1].init.op, PG_CONST_GLOBAL_GET);
  ASSERT_EQ(g[1].init.index, 0);
  ASSERT_EQ(g[2].init.op, PG_CONST_REF_FUNC);
  ASSERT_EQ(g[2].init.index, 3);
  ASSERT_EQ(m->global_types[3].type, PG_FUNCREF);
  ASSERT_STR_EQ(m->exports[0].name, "add");
  ASSERT_EQ(m->exports[0].name_len, 3);
  ASSERT_EQ(m->exports[0].kind, PG_EXTERN_FUNC);
  ASSERT_EQ(m->exports[0].index, 1);
  pg_export_info ei;
  ASSERT_EQ(pg_module_export_count(m), 3);
  ASSERT_EQ(pg_module_export_info(m, 2, &ei), PG_OK);
  ASSERT_STR_EQ(ei.name, "g1");
  ASSERT_EQ(ei.kind, PG_EXTERN_GLOBAL);
  /* C.refs: exported add (1), declared start (2), global-init third (3). */
  ASSERT_TRUE(!m->func_declared[0]);
  ASSERT_TRUE(m->func_declared[1]);
  ASSERT_TRUE(m->func_declared[2]);
  ASSERT_TRUE(m->func_declared[3]);
  pg_module_free(m);
}

static void test_full_segments(void) {
  pg_module *m = load("full.wasm");
  ASSERT_TRUE(m != NULL);
  const pg_elem_decl *e = m->elems;
  ASSERT_EQ(e[0].mode, PG_SEG_ACTIVE);
  ASSERT_EQ(e[0].table, 0);
  ASSERT_EQ(e[0].offset.op, PG_CONST_I32);
  ASSERT_EQ(e[0].count, 1);
  ASSERT_EQ(e[0].items[0].op, PG_CONST_REF_FUNC);
  ASSERT_EQ(e[0].items[0].index, 1);
  ASSERT_EQ(e[1].mode, PG_SEG_PASSIVE);
  ASSERT_EQ(e[1].items[0].op, PG_CONST_REF_NULL);
  ASSERT_EQ(e[2].mode, PG_SEG_DECLARATIVE);
  ASSERT_EQ(e[3].mode, PG_SEG_ACTIVE);
  ASSERT_EQ(e[3].table, 1);
  ASSERT_EQ(e[3].reftype, PG_EXTERNREF);
  ASSERT_EQ(e[3].offset.value.i32, 1);
  const pg_data_decl *d = m->datas;
  ASSERT_EQ(d[0].mode, PG_SEG_ACTIVE);
  ASSERT_EQ(d[0].offset.value.i32, 16);
  ASSERT_EQ(d[0].len, 5);
  ASSERT_TRUE(memcmp(d[0].bytes, "hello", 5) == 0);
  ASSERT_EQ(d[1].mode, PG_SEG_PASSIVE);
  ASSERT_EQ(d[1].len, 7);
  pg_module_free(m);
}

static void test_full_names(void) {
  pg_module *m = load("full.wasm");
  ASSERT_TRUE(m != NULL);
  ASSERT_STR_EQ(m->module_name, "demo");
  ASSERT_TRUE(m->func_names != NULL);
  ASSERT_STR_EQ(m->func_names[0], "imp");
  ASSERT_STR_EQ(m->func_names[1], "add");
  ASSERT_STR_EQ(m->func_names[3], "third");
  pg_module_free(m);
}

/* A name section naming a module without functions keeps the module
 * name; one that breaks off half-way is dropped whole. */
static void test_name_section_edges(void) {
  static const uint8_t named[] = {
      0, 'a', 's', 'm', 1, 0, 0, 0,
      0, 0x0e, 4, 'n', 'a', 'm', 'e',       /* custom "name" */
      0, 4, 3, 'm', 'o', 'd',               /* module name "mod" */
      1, 1, 0};                             /* no function names */
  pg_module *m = NULL;
  ASSERT_EQ(pg_module_new(&m, named, sizeof named, NULL, 0), PG_OK);
  ASSERT_STR_EQ(m->module_name, "mod");
  ASSERT_TRUE(m->func_names == NULL);
  pg_module_free(m);
  static const uint8_t broken[] = {
      0, 'a', 's', 'm', 1, 0, 0, 0,
      0, 0x0d, 4, 'n', 'a', 'm', 'e',
      0, 4, 3, 'm', 'o', 'd',
      1, 5};                                /* subsection runs past the end */
  m = NULL;
  ASSERT_EQ(pg_module_new(&m, broken, sizeof broken, NULL, 0), PG_OK);
  ASSERT_TRUE(m->module_name == NULL);
  pg_module_free(m);
}

static void test_empty_module(void) {
  pg_module *m = load("empty.wasm");
  ASSERT_TRUE(m != NULL);
  ASSERT_EQ(m->nfuncs, 0);
  ASSERT_EQ(pg_module_import_count(m), 0);
  pg_module_free(m);
}

/* ---- signatures --------------------------------------------------------- */

static void test_sig_intern(void) {
  const pg_vt a[] = {PG_I32, PG_I64, PG_F32};
  const pg_vt b[] = {PG_I32, PG_I64, PG_F32};
  uint32_t id1 = pg__sig_intern(a, 2, 1);
  ASSERT_TRUE(id1 != 0);
  ASSERT_EQ(pg__sig_intern(b, 2, 1), id1);
  ASSERT_TRUE(pg__sig_intern(a, 1, 2) != id1); /* same bytes, other split */
  ASSERT_TRUE(pg__sig_intern(a, 3, 0) != id1);
  ASSERT_TRUE(pg__sig_intern(NULL, 0, 0) != 0);
  ASSERT_EQ(pg__sig_intern(NULL, 0, 0), pg__sig_intern(a, 0, 0));
  /* Enough distinct signatures to make the table grow several times. */
  pg_vt many[8];
  uint32_t first = 0;
  for (int i = 0; i < 300; i++) {
    for (int k = 0; k < 8; k++) many[k] = (i >> k) & 1 ? PG_I32 : PG_F64;
    uint32_t id = pg__sig_intern(many, 4 + (i & 3), 4 - (i & 3));
    if (i == 0) first = id;
    ASSERT_TRUE(id != 0);
  }
  for (int k = 0; k < 8; k++) many[k] = PG_F64;
  ASSERT_EQ(pg__sig_intern(many, 4, 4), first);
}

static void test_status_strings(void) {
  ASSERT_STR_EQ(pg_status_str(PG_MALFORMED), "malformed module");
  ASSERT_STR_EQ(pg_status_str((pg_status)999), "unknown status");
  ASSERT_STR_EQ(pg_trap_kind_str(PG_TRAP_DIV_ZERO), "integer divide by zero");
  ASSERT_STR_EQ(pg_trap_kind_str(PG_TRAP_STACK_EXHAUSTED),
                "call stack exhausted");
}

/* ---- malformed and invalid modules -------------------------------------- */

#define HDR "\0asm\1\0\0\0"
#define T_VOID "\x01\x04\x01\x60\x00\x00" /* type section: [] -> [] */

typedef struct bad_case {
  const char *what;
  const char *bytes;
  size_t len;
  pg_status status;
  const char *msg1; /* both must occur in the error message */
  const char *msg2;
} bad_case;

#define BAD(what, st, m1, m2, bytes) {what, bytes, sizeof(bytes) - 1, st, m1, m2}
#define MAL PG_MALFORMED
#define INV PG_INVALID

static const bad_case bad_cases[] = {
    BAD("empty", MAL, "unexpected end", "offset 0x0", ""),
    BAD("short magic", MAL, "unexpected end", "", "\0as"),
    BAD("bad magic", MAL, "magic header not detected", "", "\0asn\1\0\0\0"),
    BAD("short version", MAL, "unexpected end", "", "\0asm\1\0"),
    BAD("bad version", MAL, "unknown binary version", "offset 0x4",
        "\0asm\2\0\0\0"),
    BAD("section id 13", MAL, "malformed section id", "offset 0x8",
        HDR "\x0d\x00"),
    BAD("section id 0x80", MAL, "malformed section id", "", HDR "\x80\x00"),
    BAD("section past the end", MAL, "length out of bounds", "type section",
        HDR "\x01\x07\x02\x60\x00\x00"),
    BAD("section size mismatch", MAL, "type section at offset 0xe",
        "section size mismatch", HDR "\x01\x05\x01\x60\x00\x00\x00"),
    BAD("truncated section content", MAL, "type section",
        "unexpected end of section or function", HDR "\x01\x03\x01\x60\x00"),
    BAD("out of order", MAL, "unexpected content after last section",
        "type section", HDR "\x02\x01\x00" "\x01\x01\x00"),
    BAD("duplicate section", MAL, "unexpected content after last section",
        "", HDR "\x01\x01\x00\x01\x01\x00"),
    BAD("datacount after code", MAL, "unexpected content after last section",
        "", HDR "\x0a\x01\x00\x0c\x01\x00"),
    BAD("huge count", MAL, "type section", "unexpected end",
        HDR "\x01\x05\xff\xff\xff\xff\x0f"),
    BAD("leb too long", MAL, "integer representation too long", "",
        HDR "\x01\x07\x81\x80\x80\x80\x80\x00\x00"),
    BAD("leb too large", MAL, "integer too large", "memory section",
        HDR "\x05\x07\x01\x00\x82\x80\x80\x80\x70"),
    BAD("bad functype form", MAL, "malformed function type", "",
        HDR "\x01\x04\x01\x61\x00\x00"),
    BAD("bad value type", MAL, "malformed value type", "",
        HDR "\x01\x05\x01\x60\x01\x7b\x00"),
    BAD("import kind", MAL, "import section at offset 0xd",
        "malformed import kind", HDR "\x02\x04\x01\x00\x00\x04"),
    BAD("import utf8", MAL, "import section",
        "malformed UTF-8 encoding", HDR "\x02\x07\x01\x02\xc0\x80\x00\x00\x00"),
    BAD("import surrogate", MAL, "malformed UTF-8 encoding", "",
        HDR "\x02\x08\x01\x03\xed\xa0\x80\x00\x00\x00"),
    BAD("custom name utf8", MAL, "custom section",
        "malformed UTF-8 encoding", HDR "\x00\x03\x02\xff\xfe"),
    BAD("custom name too long", MAL, "custom section",
        "length out of bounds", HDR "\x00\x02\x05\x61"),
    BAD("mutability", MAL, "global section", "malformed mutability",
        HDR "\x06\x06\x01\x7f\x02\x41\x00\x0b"),
    BAD("reference type", MAL, "table section", "malformed reference type",
        HDR "\x04\x04\x01\x7f\x00\x00"),
    BAD("limits flags", MAL, "memory section", "integer too large",
        HDR "\x05\x03\x01\x02\x00"),
    BAD("export kind", MAL, "export section", "malformed export kind",
        HDR "\x07\x04\x01\x00\x04\x00"),
    BAD("functions without code", MAL, "function and code section", "",
        HDR T_VOID "\x03\x02\x01\x00"),
    BAD("code without functions", MAL, "function and code section", "",
        HDR "\x0a\x04\x01\x02\x00\x0b"),
    BAD("data count mismatch", MAL,
        "data count and data section have inconsistent lengths", "",
        HDR "\x05\x03\x01\x00\x01\x0c\x01\x02\x0b\x04\x01\x01\x01\x61"),
    BAD("data count without data", MAL, "data count and data section", "",
        HDR "\x0c\x01\x01"),
    BAD("too many locals", MAL, "code section", "too many locals",
        HDR T_VOID "\x03\x02\x01\x00"
        "\x0a\x0c\x01\x0a\x02\xff\xff\xff\xff\x0f\x7f\x02\x7e\x0b"),
    BAD("locals over the limit", MAL, "too many locals", "",
        HDR T_VOID "\x03\x02\x01\x00" "\x0a\x08\x01\x06\x01\x80\x80\x04\x7f\x0b"),
    BAD("missing end", MAL, "END opcode expected", "",
        HDR T_VOID "\x03\x02\x01\x00" "\x0a\x06\x01\x04\x00\x41\x01\x1a"),
    BAD("empty body", MAL, "unexpected end of section or function", "",
        HDR T_VOID "\x03\x02\x01\x00" "\x0a\x03\x01\x01\x00"),
    BAD("body past section", MAL, "code section", "unexpected end",
        HDR T_VOID "\x03\x02\x01\x00" "\x0a\x04\x01\x05\x00\x0b"),
    BAD("elem kind", MAL, "element section", "malformed elements segment",
        HDR "\x09\x02\x01\x08"),
    BAD("elemkind byte", MAL, "malformed element kind", "",
        HDR "\x09\x04\x01\x01\x01\x00"),
    BAD("data kind", MAL, "data section", "malformed data segment kind",
        HDR "\x0b\x02\x01\x03"),
    BAD("illegal opcode in constexpr", MAL, "illegal opcode", "",
        HDR "\x06\x06\x01\x7f\x00\xf3\x00\x0b"),
    BAD("data past section", MAL, "data section", "unexpected end",
        HDR "\x05\x03\x01\x00\x01\x0b\x07\x01\x00\x41\x00\x0b\x05\x61"),
    /* invalid: well-formed, but breaks a typing or index rule */
    BAD("memory too big", INV, "memory section",
        "memory size must be at most 65536 pages (4GiB)",
        HDR "\x05\x05\x01\x00\x81\x80\x04"),
    BAD("memory min > max", INV,
        "size minimum must not be greater than maximum", "",
        HDR "\x05\x04\x01\x01\x02\x01"),
    BAD("table min > max", INV,
        "size minimum must not be greater than maximum", "table section",
        HDR "\x04\x05\x01\x70\x01\x02\x01"),
    BAD("two memories", INV, "multiple memories", "",
        HDR "\x05\x05\x02\x00\x00\x00\x00"),
    BAD("imported and defined memory", INV, "multiple memories", "",
        HDR "\x02\x06\x01\x00\x00\x02\x00\x00" "\x05\x03\x01\x00\x00"),
    BAD("unknown type", INV, "function section", "unknown type 1",
        HDR T_VOID "\x03\x02\x01\x01" "\x0a\x04\x01\x02\x00\x0b"),
    BAD("import unknown type", INV, "import section", "unknown type 0",
        HDR "\x02\x05\x01\x00\x00\x00\x00"),
    BAD("duplicate export", INV, "export section", "duplicate export name",
        HDR "\x05\x03\x01\x00\x00" "\x07\x09\x02\x01\x61\x02\x00\x01\x61\x02\x00"),
    BAD("export unknown function", INV, "unknown function 0", "",
        HDR "\x07\x05\x01\x01\x61\x00\x00"),
    BAD("export unknown global", INV, "unknown global 0", "",
        HDR "\x07\x05\x01\x01\x61\x03\x00"),
    BAD("start unknown", INV, "start section", "unknown function",
        HDR "\x08\x01\x00"),
    BAD("start with params", INV, "start function", "",
        HDR "\x01\x05\x01\x60\x01\x7f\x00" "\x03\x02\x01\x00"
        "\x08\x01\x00" "\x0a\x04\x01\x02\x00\x0b"),
    BAD("global type mismatch", INV, "global section", "type mismatch",
        HDR "\x06\x06\x01\x7e\x00\x41\x00\x0b"),
    BAD("global empty init", INV, "type mismatch", "",
        HDR "\x06\x04\x01\x7f\x00\x0b"),
    BAD("global two values", INV, "type mismatch", "",
        HDR "\x06\x08\x01\x7f\x00\x41\x00\x41\x00\x0b"),
    BAD("global not constant", INV, "constant expression required", "",
        HDR "\x06\x09\x01\x7f\x00\x41\x00\x41\x00\x6a\x0b"),
    BAD("global nop", INV, "constant expression required", "",
        HDR "\x06\x05\x01\x7f\x00\x01\x0b"),
    BAD("global.get of defined global", INV, "unknown global 0", "",
        HDR "\x06\x0b\x02\x7f\x00\x41\x00\x0b\x7f\x00\x23\x00\x0b"),
    BAD("global.get of mutable import", INV, "constant expression required",
        "", HDR "\x02\x06\x01\x00\x00\x03\x7f\x01"
        "\x06\x06\x01\x7f\x00\x23\x00\x0b"),
    BAD("ref.func unknown", INV, "unknown function 5", "",
        HDR "\x06\x06\x01\x70\x00\xd2\x05\x0b"),
    BAD("elem unknown table", INV, "element section", "unknown table 0",
        HDR T_VOID "\x03\x02\x01\x00" "\x09\x07\x01\x00\x41\x00\x0b\x01\x00"
        "\x0a\x04\x01\x02\x00\x0b"),
    BAD("elem offset type", INV, "type mismatch", "",
        HDR T_VOID "\x03\x02\x01\x00" "\x04\x04\x01\x70\x00\x01"
        "\x09\x07\x01\x00\x42\x00\x0b\x01\x00" "\x0a\x04\x01\x02\x00\x0b"),
    BAD("elem externref into funcref table", INV, "type mismatch", "",
        HDR "\x04\x04\x01\x70\x00\x01"
        "\x09\x0b\x01\x06\x00\x41\x00\x0b\x6f\x01\xd0\x6f\x0b"),
    BAD("elem item type", INV, "type mismatch", "",
        HDR "\x09\x07\x01\x05\x70\x01\xd0\x6f\x0b"),
    BAD("elem unknown function", INV, "unknown function 3", "",
        HDR "\x09\x05\x01\x01\x00\x01\x03"),
    BAD("data unknown memory", INV, "data section", "unknown memory 0",
        HDR "\x0b\x07\x01\x00\x41\x00\x0b\x01\x61"),
    BAD("data unknown memory 1", INV, "unknown memory 1", "",
        HDR "\x05\x03\x01\x00\x01" "\x0b\x07\x01\x02\x01\x41\x00\x0b\x00"),
    /* malformed wins over invalid, wherever it occurs */
    BAD("invalid then malformed", MAL, "malformed section id", "",
        HDR "\x05\x05\x01\x00\x81\x80\x04" "\x0d\x00"),
};

static void check_bad_case(const bad_case *c) {
  pg_module *m = (pg_module *)0x1;
  char err[256] = "unchanged";
  pg_status st = pg_module_new(&m, (const uint8_t *)c->bytes, c->len, err,
                               sizeof err);
  if (st != c->status || !strstr(err, c->msg1) || !strstr(err, c->msg2)) {
    fprintf(stderr, "  case \"%s\": status %s (want %s), message \"%s\"\n",
            c->what, pg_status_str(st), pg_status_str(c->status), err);
  }
  ASSERT_EQ(st, c->status);
  ASSERT_TRUE(m == (pg_module *)0x1); /* *out untouched on failure */
  ASSERT_STR_CONTAINS(err, c->msg1);
  ASSERT_STR_CONTAINS(err, c->msg2);
}

static void test_bad_modules(void) {
  size_t n = sizeof bad_cases / sizeof bad_cases[0];
  int failed_before = 0;
  for (size_t i = 0; i < n; i++) {
    pg_test_failed_ = 0;
    check_bad_case(&bad_cases[i]);
    failed_before |= pg_test_failed_;
  }
  pg_test_failed_ = failed_before;
}

/* Well-formed corner cases that must decode. */
static void test_good_corner_cases(void) {
  static const struct {
    const char *what;
    const char *bytes;
    size_t len;
  } good[] = {
#define GOOD(what, bytes) {what, bytes, sizeof(bytes) - 1}
      GOOD("header only", HDR),
      GOOD("non-minimal leb", HDR "\x05\x04\x01\x00\x82\x00"),
      GOOD("custom sections anywhere", HDR "\x00\x02\x01\x61" T_VOID
           "\x00\x01\x00"),
      GOOD("empty vectors", HDR "\x01\x01\x00\x02\x01\x00\x03\x01\x00"
           "\x07\x01\x00\x0a\x01\x00"),
      GOOD("data count 0 alone", HDR "\x0c\x01\x00"),
      GOOD("memory 65536 pages", HDR "\x05\x08\x01\x01\x80\x80\x04\x80\x80\x04"),
      GOOD("malformed name section ignored",
           HDR "\x00\x07\x04name\x01\x09"),
      GOOD("utf8 4-byte name", HDR "\x00\x05\x04\xf0\x9f\x98\x80"),
#undef GOOD
  };
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    pg_module *m = NULL;
    char err[256] = "";
    pg_status st = pg_module_new(&m, (const uint8_t *)good[i].bytes,
                                 good[i].len, err, sizeof err);
    if (st != PG_OK)
      fprintf(stderr, "  case \"%s\": %s\n", good[i].what, err);
    ASSERT_EQ(st, PG_OK);
    pg_module_free(m);
  }
}

/* ---- every truncation of a valid module --------------------------------- */

/* Offsets where a section ends: a prefix cut there may be a valid module. */
static bool at_section_end(const uint8_t *b, size_t len, size_t cut) {
  size_t p = 8;
  while (p < len) {
    if (p == cut) return true;
    p++; /* id */
    uint64_t size = 0;
    for (unsigned shift = 0; p < len && shift < 35; shift += 7) {
      size |= (uint64_t)(b[p] & 0x7f) << shift;
      if (!(b[p++] & 0x80)) break;
    }
    p += size;
  }
  return p == cut;
}

static void test_every_prefix(void) {
  size_t len;
  uint8_t *bytes = read_file("full.wasm", &len);
  ASSERT_TRUE(bytes != NULL);
  int accepted = 0;
  for (size_t cut = 0; cut < len; cut++) {
    /* A fresh allocation of exactly `cut` bytes, so ASan sees overreads. */
    uint8_t *copy = malloc(cut ? cut : 1);
    memcpy(copy, bytes, cut);
    pg_module *m = NULL;
    char err[256];
    pg_status st = pg_module_new(&m, copy, cut, err, sizeof err);
    free(copy);
    if (st == PG_OK) {
      accepted++;
      pg_module_free(m);
      if (!at_section_end(bytes, len, cut)) {
        free(bytes);
        PG_FAIL_("prefix of %zu bytes accepted mid-section", cut);
      }
      continue;
    }
    if (st != PG_MALFORMED) {
      free(bytes);
      PG_FAIL_("prefix of %zu bytes: %s: %s", cut, pg_status_str(st), err);
    }
  }
  free(bytes);
  /* Only at section ends: header, +type, +import (later the function
   * section needs its code), +code (data is optional without a data count
   * section), +data (the name section is optional). */
  ASSERT_EQ(accepted, 5);
}

int main(void) {
  PG_RUN(test_full_counts);
  PG_RUN(test_full_types_and_imports);
  PG_RUN(test_full_code);
  PG_RUN(test_full_globals_exports);
  PG_RUN(test_full_segments);
  PG_RUN(test_full_names);
  PG_RUN(test_empty_module);
  PG_RUN(test_name_section_edges);
  PG_RUN(test_sig_intern);
  PG_RUN(test_status_strings);
  PG_RUN(test_bad_modules);
  PG_RUN(test_good_corner_cases);
  PG_RUN(test_every_prefix);
  return PG_DONE();
}
