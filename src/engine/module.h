/*
 * module.h: the decoded form of a WebAssembly module, shared inside the
 * engine.
 *
 * decode.c fills a pg_module from bytes (and checks module-level rules);
 * compile.c validates and compiles every function body into code_of each
 * pg_func_decl; instance.c instantiates from it. After pg_module_new returns,
 * a module is immutable and may be shared by any number of instances (they
 * each hold a reference). All arrays and strings below are owned by the
 * module and freed with it.
 */
#ifndef PG_ENGINE_MODULE_H
#define PG_ENGINE_MODULE_H

#include "parigot/engine.h"

/* Value types use the binary encoding (PG_I32 = 0x7F, ...). */
typedef uint8_t pg_vt;

/* A function type. types[0..nparams) are the params, then nresults results.
 * sig_id is the process-wide interned id of the signature: two function types
 * are equal exactly when their sig_ids are (call_indirect compares ids). */
typedef struct pg_functype {
  uint32_t nparams;
  uint32_t nresults;
  pg_vt *types; /* owned, nparams + nresults entries */
  uint32_t sig_id;
} pg_functype;

typedef struct pg_limits_decl {
  uint32_t min;
  uint32_t max;
  bool has_max;
} pg_limits_decl;

typedef struct pg_tabletype {
  pg_vt reftype; /* PG_FUNCREF or PG_EXTERNREF */
  pg_limits_decl limits;
} pg_tabletype;

typedef struct pg_globaltype {
  pg_vt type;
  bool mutable_;
} pg_globaltype;

/* A constant expression. WebAssembly 2.0 allows exactly one of these
 * instructions followed by `end`. */
typedef enum pg_const_op {
  PG_CONST_I32,        /* value.i32 */
  PG_CONST_I64,        /* value.i64 */
  PG_CONST_F32,        /* value.f32 (bits) */
  PG_CONST_F64,        /* value.f64 (bits) */
  PG_CONST_REF_NULL,   /* reftype */
  PG_CONST_REF_FUNC,   /* index = function index */
  PG_CONST_GLOBAL_GET  /* index = global index (an imported global) */
} pg_const_op;

typedef struct pg_constexpr {
  pg_const_op op;
  pg_vt type; /* the type the expression produces */
  uint32_t index;
  union {
    uint32_t i32;
    uint64_t i64;
    uint32_t f32;
    uint64_t f64;
  } value;
} pg_constexpr;

typedef struct pg_import_decl {
  char *module; /* owned, NUL-terminated, valid UTF-8 */
  char *name;   /* owned */
  pg_extern_kind kind;
  union {
    uint32_t type_index; /* PG_EXTERN_FUNC */
    pg_tabletype table;
    pg_limits_decl memory;
    pg_globaltype global;
  } desc;
} pg_import_decl;

typedef struct pg_export_decl {
  char *name; /* owned; unique within the module; NUL-terminated, but a
                 name may itself contain U+0000 (names.wast does) */
  uint32_t name_len; /* bytes of name, without the terminating NUL */
  pg_extern_kind kind;
  uint32_t index; /* into the combined (imports first) index space */
} pg_export_decl;

typedef struct pg_global_decl {
  pg_globaltype type;
  pg_constexpr init;
} pg_global_decl;

typedef enum pg_seg_mode {
  PG_SEG_ACTIVE,
  PG_SEG_PASSIVE,
  PG_SEG_DECLARATIVE
} pg_seg_mode;

typedef struct pg_elem_decl {
  pg_seg_mode mode;
  pg_vt reftype;
  uint32_t table;      /* active only */
  pg_constexpr offset; /* active only; i32 */
  uint32_t count;
  pg_constexpr *items; /* owned; each ref.null, ref.func or global.get */
} pg_elem_decl;

typedef struct pg_data_decl {
  pg_seg_mode mode;    /* active or passive */
  uint32_t memory;     /* active only; always 0 in 2.0 */
  pg_constexpr offset; /* active only; i32 */
  const uint8_t *bytes; /* points into pg_module.bytes */
  uint32_t len;
} pg_data_decl;

/* Compiled code of one function; defined by the compiler (ir.h). */
typedef struct pg_fcode pg_fcode;

/* A function defined in the module (not imported). */
typedef struct pg_func_decl {
  uint32_t type_index;
  /* Locals beyond the params, in order, expanded (one entry per local). */
  uint32_t nlocals;
  pg_vt *local_types;   /* owned */
  const uint8_t *body;  /* instructions after the locals, up to and
                           including the final `end`; into pg_module.bytes */
  uint32_t body_len;
  uint32_t body_offset; /* byte offset of `body` in the module, for errors */
  pg_fcode *code;       /* owned; set by pg__compile_module */
} pg_func_decl;

struct pg_module {
  int refcount; /* pg_module_free and instance free decrement */

  uint8_t *bytes; /* owned copy of the binary */
  size_t len;

  uint32_t ntypes;
  pg_functype *types;

  uint32_t nimports;
  pg_import_decl *imports;
  /* Counts of imports by kind; imported entities come first in each
   * index space. */
  uint32_t nfunc_imports, ntable_imports, nmemory_imports, nglobal_imports;

  /* Function index space: imports then defined. */
  uint32_t nfuncs;           /* total, imports included */
  uint32_t *func_type_index; /* owned, nfuncs entries: type of every func */
  uint32_t ndefined_funcs;   /* nfuncs - nfunc_imports */
  pg_func_decl *defined;     /* owned, ndefined_funcs entries */

  /* Table index space: imports then defined. */
  uint32_t ntables;
  pg_tabletype *tables; /* owned, ntables entries (imports included) */

  /* Memory index space (at most one memory in 2.0). */
  uint32_t nmemories;
  pg_limits_decl *memories; /* owned, nmemories entries (imports incl.) */

  /* Global index space: imports then defined. */
  uint32_t nglobals;
  pg_globaltype *global_types; /* owned, nglobals entries (imports incl.) */
  pg_global_decl *defined_globals; /* owned, nglobals - nglobal_imports */

  uint32_t nexports;
  pg_export_decl *exports;

  bool has_start;
  uint32_t start;

  uint32_t nelems;
  pg_elem_decl *elems;

  bool has_data_count;
  uint32_t data_count;
  uint32_t ndatas;
  pg_data_decl *datas;

  /* Functions that may be the target of ref.func in code: those named in
   * an element segment, an export, or a global initializer (spec: C.refs).
   * Owned, nfuncs entries. */
  bool *func_declared;

  /* From the "name" custom section, when present: func_names[i] is the
   * name of function i or NULL. Owned (array and strings). */
  char *module_name;
  char **func_names;
};

/* Error detail for decoding/validation/compilation. */
typedef struct pg_err {
  char *buf;
  size_t len;
} pg_err;

/* Writes a formatted message to err (if it has a buffer). Returns `code`, so
 * callers can `return pg__err(err, PG_MALFORMED, "...")`. */
pg_status pg__err(pg_err *err, pg_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* decode.c: parses `m->bytes` (already set) into the fields above and checks
 * every module-level rule that does not need function bodies (index ranges,
 * limits, duplicate exports, constant expressions, start type, data count).
 * Errors name the section, the byte offset and the reason. */
pg_status pg__decode_module(pg_module *m, pg_err *err);

/* compile.c: validates every function body of a decoded module and compiles
 * it into m->defined[i].code. Errors name the function index, the byte
 * offset in the module and the reason. */
pg_status pg__compile_module(pg_module *m, pg_err *err);
/* Frees one function's code (accepts NULL). */
void pg__fcode_free(pg_fcode *code);

/* types.c: the process-wide signature intern table (thread-safe). Returns the
 * id for the given params/results; equal signatures get equal ids. */
uint32_t pg__sig_intern(const pg_vt *types, uint32_t nparams,
                        uint32_t nresults);

/* Frees everything a module owns and the module itself. */
void pg__module_destroy(pg_module *m);

#endif /* PG_ENGINE_MODULE_H */
