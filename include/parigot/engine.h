/*
 * parigot engine: the public API of parigot's WebAssembly engine.
 *
 * The engine decodes, validates and compiles a module once (pg_module), then
 * creates any number of cheap instances that share the compiled code
 * (pg_instance). Wasm-to-Wasm calls never recurse in C: each instance runs on
 * its own value and frame stacks, so a host function can suspend the
 * instance (PG_HOST_YIELD) and the embedder resumes it later from anywhere in
 * its own loop. That is how the kernel runs many services as coroutines on one
 * thread. Runaway recursion becomes a "call stack exhausted" trap, and a fuel
 * budget lets the embedder preempt a busy guest.
 *
 * The engine knows nothing of parigot's kernel; it could be used on its own.
 * This is the only header a user of the engine includes.
 */
#ifndef PARIGOT_ENGINE_H
#define PARIGOT_ENGINE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------
 * Status codes: the single table of every status the engine returns.
 * XX(NAME, message)
 */
#define PG_STATUS_MAP(XX)                                                     \
  XX(OK, "ok")                                                                \
  XX(NOMEM, "out of memory")                                                  \
  XX(MALFORMED, "malformed module")                                           \
  XX(INVALID, "invalid module")                                               \
  XX(UNLINKABLE, "unlinkable: unknown or incompatible import")                \
  XX(TRAP, "trap")                                                            \
  XX(YIELD, "suspended by a host function")                                   \
  XX(OUT_OF_FUEL, "fuel exhausted")                                           \
  XX(NOT_FOUND, "not found")                                                  \
  XX(BAD_ARG, "bad argument")                                                 \
  XX(BAD_STATE, "instance is not in a state that allows this")                \
  XX(IO, "input/output error")

typedef enum pg_status {
#define PG_STATUS_ENUM_(name, msg) PG_##name,
  PG_STATUS_MAP(PG_STATUS_ENUM_)
#undef PG_STATUS_ENUM_
  PG_STATUS_COUNT_
} pg_status;

/* A static string describing `s` (never NULL). */
const char *pg_status_str(pg_status s);

/* ---------------------------------------------------------------------------
 * Trap kinds, with the messages the WebAssembly spec tests expect.
 * XX(NAME, message)
 */
#define PG_TRAP_MAP(XX)                                                       \
  XX(NONE, "no trap")                                                         \
  XX(UNREACHABLE, "unreachable")                                              \
  XX(MEMORY_OOB, "out of bounds memory access")                               \
  XX(TABLE_OOB, "out of bounds table access")                                 \
  XX(DIV_ZERO, "integer divide by zero")                                      \
  XX(INT_OVERFLOW, "integer overflow")                                        \
  XX(BAD_CONVERSION, "invalid conversion to integer")                         \
  XX(INDIRECT_TYPE, "indirect call type mismatch")                            \
  XX(UNDEFINED_ELEMENT, "undefined element")                                  \
  XX(UNINIT_ELEMENT, "uninitialized element")                                 \
  XX(STACK_EXHAUSTED, "call stack exhausted")                                 \
  XX(OUT_OF_FUEL, "fuel exhausted")                                           \
  XX(HOST, "host function trapped")                                           \
  XX(EXIT, "program exited")

typedef enum pg_trap_kind {
#define PG_TRAP_ENUM_(name, msg) PG_TRAP_##name,
  PG_TRAP_MAP(PG_TRAP_ENUM_)
#undef PG_TRAP_ENUM_
  PG_TRAP_COUNT_
} pg_trap_kind;

/* A static string: the spec's message for a trap kind (never NULL). */
const char *pg_trap_kind_str(pg_trap_kind k);

/* ---------------------------------------------------------------------------
 * Values
 */
typedef enum pg_valtype {
  PG_I32 = 0x7F,
  PG_I64 = 0x7E,
  PG_F32 = 0x7D,
  PG_F64 = 0x7C,
  PG_FUNCREF = 0x70,
  PG_EXTERNREF = 0x6F
} pg_valtype;

/* A typed value. Floats are carried as their bits so NaN payloads survive.
 * A null reference is ref == NULL. A funcref points to a pg_func. */
typedef struct pg_val {
  pg_valtype type;
  union {
    uint32_t i32;
    uint64_t i64;
    uint32_t f32; /* IEEE 754 single, as bits */
    uint64_t f64; /* IEEE 754 double, as bits */
    void *ref;
  } of;
} pg_val;

/* The raw 64-bit cell that holds one value on an instance's stack and in
 * host-function argument/result arrays: i32/f32 in the low 32 bits (upper
 * bits unspecified on read, written as zero), i64/f64 as all 64 bits,
 * references as the pointer's bits (0 for null). */
typedef uint64_t pg_cell;

/* ---------------------------------------------------------------------------
 * Objects. All opaque.
 */
typedef struct pg_module pg_module;     /* decoded, validated, compiled code */
typedef struct pg_instance pg_instance; /* one instantiation of a module */
typedef struct pg_func pg_func;         /* a function (wasm or host) */
typedef struct pg_memory pg_memory;     /* a linear memory */
typedef struct pg_table pg_table;       /* a table of references */
typedef struct pg_global pg_global;     /* a global variable */
typedef struct pg_linker pg_linker;     /* names -> externals for imports */

typedef enum pg_extern_kind {
  PG_EXTERN_FUNC = 0,
  PG_EXTERN_TABLE = 1,
  PG_EXTERN_MEMORY = 2,
  PG_EXTERN_GLOBAL = 3
} pg_extern_kind;

/* Something one instance exports and another imports. Borrowed: the object
 * belongs to the instance (or host code) that created it, which must outlive
 * every instance that imports it. */
typedef struct pg_extern {
  pg_extern_kind kind;
  union {
    pg_func *func;
    pg_table *table;
    pg_memory *memory;
    pg_global *global;
  } of;
} pg_extern;

/* ---------------------------------------------------------------------------
 * Modules
 */

/* Decode, validate and compile `bytes` (copied: the caller may free them on
 * return). On success writes *out and returns PG_OK. On failure returns
 * PG_MALFORMED, PG_INVALID or PG_NOMEM, leaves *out untouched, and writes a
 * NUL-terminated reason naming the section, byte offset and cause to `err`
 * (may be NULL; truncated to errlen). Never crashes or hangs on bad bytes. */
pg_status pg_module_new(pg_module **out, const uint8_t *bytes, size_t len,
                        char *err, size_t errlen);

/* Drops the caller's reference. Instances hold their own reference, so a
 * module may be freed while its instances live. Accepts NULL. */
void pg_module_free(pg_module *m);

/* Describes import or export number i. Strings are borrowed from the module
 * and valid while it lives. Returns PG_NOT_FOUND past the end. */
typedef struct pg_import_info {
  const char *module;
  const char *name;
  pg_extern_kind kind;
} pg_import_info;
typedef struct pg_export_info {
  const char *name;
  pg_extern_kind kind;
} pg_export_info;
uint32_t pg_module_import_count(const pg_module *m);
pg_status pg_module_import_info(const pg_module *m, uint32_t i,
                                pg_import_info *out);
uint32_t pg_module_export_count(const pg_module *m);
pg_status pg_module_export_info(const pg_module *m, uint32_t i,
                                pg_export_info *out);

/* ---------------------------------------------------------------------------
 * Host functions
 *
 * A host function receives its arguments as cells and writes its results as
 * cells. It returns one of:
 *   PG_HOST_DONE  - results are written; execution continues.
 *   PG_HOST_TRAP  - the instance traps; the message is set with pg_host_trap.
 *   PG_HOST_YIELD - the instance suspends; pg_instance_invoke/resume returns
 *                   PG_YIELD to the embedder, which later calls
 *                   pg_instance_resume() with the results.
 */
typedef enum pg_host_result {
  PG_HOST_DONE = 0,
  PG_HOST_TRAP = 1,
  PG_HOST_YIELD = 2
} pg_host_result;

typedef struct pg_host_call {
  pg_instance *instance; /* borrowed: the instance whose code made the call */
  const pg_cell *args;   /* borrowed for the duration of the call */
  pg_cell *results;      /* written by the host on PG_HOST_DONE */
  void *env;             /* the env given when the function was defined */
  const pg_func *func;   /* the host function being called */
} pg_host_call;

typedef pg_host_result (*pg_host_fn)(pg_host_call *call);

/* Sets the instance's trap message (printf-style) and returns PG_HOST_TRAP,
 * so a host function can `return pg_host_trap(call, "bad fd %d", fd);`. */
pg_host_result pg_host_trap(pg_host_call *call, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Like pg_host_trap, but the trap has kind PG_TRAP_EXIT and carries an exit
 * code (WASI proc_exit). Read it back with pg_instance_exit_code(). */
pg_host_result pg_host_exit(pg_host_call *call, int32_t code);

/* ---------------------------------------------------------------------------
 * Guest memory, for host functions. Every guest pointer goes through
 * pg_memory_ptr: it returns a host pointer to [ptr, ptr+len) or NULL when any
 * byte of that range is outside the memory (or there is no memory). The
 * pointer is valid until the guest runs again (memory.grow may move it).
 */
void *pg_memory_ptr(pg_instance *inst, uint64_t ptr, uint64_t len);
/* Current size of the instance's memory 0 in bytes (0 when it has none). */
uint64_t pg_memory_size(const pg_instance *inst);

/* ---------------------------------------------------------------------------
 * Linker: where imports are looked up. Names are copied.
 */
pg_status pg_linker_new(pg_linker **out);
void pg_linker_free(pg_linker *l); /* accepts NULL */

/* Defines a host function. `sig` is "PARAMS->RESULTS" with one letter per
 * value: i=i32 I=i64 f=f32 F=f64 r=funcref e=externref; e.g. "ii->i",
 * "->", "I->". `env` is borrowed and handed to every call. */
pg_status pg_linker_define_func(pg_linker *l, const char *module,
                                const char *name, const char *sig,
                                pg_host_fn fn, void *env);
/* Defines any external (e.g. a host-created memory, or one export of an
 * instance). The object is borrowed; it must outlive instances using it. */
pg_status pg_linker_define(pg_linker *l, const char *module, const char *name,
                           pg_extern ext);
/* Defines every export of `inst` under module name `module` (the spec's
 * "register"). `inst` is borrowed and must outlive importers. */
pg_status pg_linker_define_instance(pg_linker *l, const char *module,
                                    pg_instance *inst);

/* Host-created objects (e.g. the spec tests' "spectest" module). Owned by the
 * caller; free them after every instance that imports them. */
pg_status pg_memory_new(pg_memory **out, uint32_t min_pages, uint32_t max_pages,
                        bool has_max);
void pg_memory_free(pg_memory *m);
pg_status pg_table_new(pg_table **out, pg_valtype reftype, uint32_t min,
                       uint32_t max, bool has_max);
void pg_table_free(pg_table *t);
pg_status pg_global_new(pg_global **out, pg_val value, bool mutable_);
void pg_global_free(pg_global *g);
pg_val pg_global_get(const pg_global *g);

/* ---------------------------------------------------------------------------
 * Instances
 */
typedef struct pg_limits {
  uint32_t max_memory_pages; /* cap on memory 0 (64 KiB pages); 0 = 65536 */
  uint32_t stack_bytes;      /* value stack (frames: max_call_depth); 0 = 1 MiB */
  uint32_t max_call_depth;   /* frames; 0 = default (10000) */
  uint64_t fuel;             /* instruction budget; 0 = unlimited */
} pg_limits;

/* Instantiates `m`: resolves imports through `l` (may be NULL when the module
 * has none), allocates memory, tables and globals, applies element and data
 * segments, and runs the start function. `limits` is copied (NULL = the
 * defaults). On success writes *out. On failure returns PG_UNLINKABLE (an
 * import is missing or has the wrong type), PG_TRAP (a segment is out of
 * bounds or the start function trapped) or PG_NOMEM, and writes the reason
 * to `err`. */
pg_status pg_instance_new(pg_instance **out, pg_module *m, const pg_linker *l,
                          const pg_limits *limits, char *err, size_t errlen);
void pg_instance_free(pg_instance *inst); /* accepts NULL */

/* The instance's module (borrowed). */
pg_module *pg_instance_module(const pg_instance *inst);

/* Looks up an export by name; writes *out and returns PG_OK, or PG_NOT_FOUND.
 * The object is borrowed from the instance. */
pg_status pg_instance_export(const pg_instance *inst, const char *name,
                             pg_extern *out);
/* As pg_instance_export, for a name of len bytes that may contain NUL. */
pg_status pg_instance_export_n(const pg_instance *inst, const char *name,
                               size_t len, pg_extern *out);
/* Shortcut: the exported function `name`, or NULL. */
pg_func *pg_instance_func(const pg_instance *inst, const char *name);

/* Signature of a function: counts and types (borrowed arrays). */
uint32_t pg_func_param_count(const pg_func *f);
uint32_t pg_func_result_count(const pg_func *f);
const pg_valtype *pg_func_params(const pg_func *f);
const pg_valtype *pg_func_results(const pg_func *f);

/* Runs `fn` on `inst`'s stack with `args` (copied; types must match).
 *   PG_OK          - finished; fetch results with pg_instance_results().
 *   PG_YIELD       - a host function yielded; call pg_instance_resume().
 *   PG_OUT_OF_FUEL - the budget ran out; add fuel and pg_instance_resume(),
 *                    or give up (pg_instance_abort).
 *   PG_TRAP        - details from pg_instance_trap().
 *   PG_BAD_ARG / PG_BAD_STATE - wrong arguments, or the instance is already
 *                    running or suspended.
 * `fn` may belong to another instance (an import); it runs on inst's stack. */
pg_status pg_instance_invoke(pg_instance *inst, const pg_func *fn,
                             const pg_val *args, size_t nargs);
/* Continues a suspended instance. After PG_YIELD, `host_results` are the
 * yielded host function's results (copied); after PG_OUT_OF_FUEL pass NULL, 0.
 * Returns as pg_instance_invoke. */
pg_status pg_instance_resume(pg_instance *inst, const pg_cell *host_results,
                             size_t nresults);
/* Drops a suspended computation; the instance becomes idle again. */
void pg_instance_abort(pg_instance *inst);
/* After PG_OK: copies up to cap results to out, returns how many there are. */
size_t pg_instance_results(const pg_instance *inst, pg_val *out, size_t cap);

/* Convenience: invoke that must finish; a yield is PG_BAD_STATE. */
pg_status pg_instance_call(pg_instance *inst, const pg_func *fn,
                           const pg_val *args, size_t nargs, pg_val *results,
                           size_t nresults);

/* Fuel: remaining budget, and setting it (0 = unlimited). */
uint64_t pg_instance_fuel(const pg_instance *inst);
void pg_instance_set_fuel(pg_instance *inst, uint64_t fuel);

/* After PG_TRAP: kind and message (borrowed, valid until the next call). */
pg_trap_kind pg_instance_trap_kind(const pg_instance *inst);
const char *pg_instance_trap_message(const pg_instance *inst);
/* Exit code when the trap kind is PG_TRAP_EXIT. */
int32_t pg_instance_exit_code(const pg_instance *inst);
/* Writes the trap's backtrace, innermost first, one frame per line:
 * "  #0 func_name (func 12)". Returns the length it needed (like snprintf). */
size_t pg_instance_backtrace(const pg_instance *inst, char *buf, size_t len);

/* Embedder data attached to an instance (borrowed). */
void pg_instance_set_user(pg_instance *inst, void *user);
void *pg_instance_user(const pg_instance *inst);

#ifdef __cplusplus
}
#endif
#endif /* PARIGOT_ENGINE_H */
