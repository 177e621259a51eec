/*
 * runtime.h: the run-time objects of the engine (functions, memories,
 * tables, globals, instances) and the contract between instance.c (which
 * creates them and implements the public API) and interp.c (which runs
 * compiled code on an instance's stack).
 *
 * Values in memories, tables and globals use the pg_cell convention of
 * engine.h. References are pointers: a funcref is a `pg_func *`, an
 * externref an opaque host pointer; NULL is the null reference.
 */
#ifndef PG_ENGINE_RUNTIME_H
#define PG_ENGINE_RUNTIME_H

#include "module.h"

#define PG_PAGE_SIZE 65536u
#define PG_MAX_PAGES 65536u /* 4 GiB: the wasm32 limit */

/* A function: either wasm code of some instance, or a host function. */
struct pg_func {
  const pg_functype *type; /* borrowed from its module, or owned by the
                              linker for host functions */
  uint32_t sig_id;         /* == type->sig_id; copied for call_indirect */
  pg_instance *owner;      /* wasm: the instance whose code this is;
                              host: NULL */
  /* wasm */
  const pg_fcode *code; /* borrowed from owner->module */
  uint32_t index;       /* function index in owner's module */
  /* host */
  pg_host_fn host;
  void *env;
  const char *host_name; /* "module.name", owned by the linker */
};

/* Invariant: size == pages * PG_PAGE_SIZE; base has at least `size` bytes
 * (NULL when size is 0). max_pages is the declared maximum clamped to the
 * instance limit and PG_MAX_PAGES. */
struct pg_memory {
  uint8_t *base;
  uint64_t size;
  uint32_t pages;
  uint32_t max_pages;
  bool has_max; /* the declared type had a maximum (for import matching) */
  uint32_t declared_max;
};

/* Invariant: elems has `size` entries, each NULL or a valid reference. */
struct pg_table {
  void **elems;
  uint32_t size;
  uint32_t max; /* declared maximum, or UINT32_MAX */
  bool has_max;
  pg_vt reftype;
};

struct pg_global {
  pg_cell value;
  pg_vt type;
  bool mutable_;
};

/* Run state of an instance's stack. */
typedef enum pg_run_state {
  PG_RUN_IDLE,      /* nothing in progress; may invoke */
  PG_RUN_RUNNING,   /* inside pg__interp_run */
  PG_RUN_YIELDED,   /* a host function yielded; waiting for resume */
  PG_RUN_NO_FUEL,   /* fuel ran out; waiting for resume */
  PG_RUN_DONE       /* finished: results available; may invoke again */
} pg_run_state;

#define PG_BACKTRACE_MAX 32

typedef struct pg_trap_info {
  pg_trap_kind kind;
  char message[256];
  int32_t exit_code;
  uint32_t nframes;                     /* frames captured, innermost first */
  const pg_func *frames[PG_BACKTRACE_MAX];
} pg_trap_info;

/* An instantiated element / data segment. len becomes 0 when dropped (and
 * for active and declarative segments once instantiation applied them). */
typedef struct pg_elem_inst {
  void **refs; /* owned; evaluated references */
  uint32_t len;
} pg_elem_inst;

typedef struct pg_data_inst {
  const uint8_t *bytes; /* borrowed from the module */
  uint32_t len;
} pg_data_inst;

/* Execution state: defined by interp.c. */
typedef struct pg_exec pg_exec;

struct pg_instance {
  pg_module *module; /* holds a reference */

  /* Index spaces: imports first, as in the module. Entries for imports are
   * borrowed from other instances/host code; the rest are owned. */
  pg_func **funcs;       /* nfuncs */
  pg_func *defined_funcs; /* owned storage for defined functions */
  pg_table **tables;     /* ntables */
  pg_memory *memory;     /* memory 0 or NULL */
  pg_global **globals;   /* nglobals */
  pg_elem_inst *elems;   /* module->nelems */
  pg_data_inst *datas;   /* module->ndatas */
  /* Owned storage behind non-imported tables/memory/globals. */
  pg_table *own_tables;
  pg_memory *own_memory;
  pg_global *own_globals;

  pg_limits limits; /* copied, defaults filled in */

  pg_exec *exec;       /* owned; created lazily by interp */
  pg_run_state state;
  uint64_t fuel;       /* remaining; meaningful when limits.fuel != 0 */
  bool fuel_enabled;

  /* Results of the last finished invocation. */
  uint32_t nresults;
  pg_val results[16]; /* more than 16 results are kept in results_big */
  pg_val *results_big;

  pg_trap_info trap;
  void *user;
};

/* ---- implemented by instance.c ---- */

/* Records a trap on `inst` (kind + printf-style message). */
void pg__trap(pg_instance *inst, pg_trap_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* memory.grow semantics: grows `mem` by `delta` pages within its max;
 * returns the old size in pages, or -1 (memory unchanged) on failure. */
int64_t pg__memory_grow(pg_memory *mem, uint32_t delta);
/* table.grow semantics, filling new entries with `init`. Returns the old
 * size, or -1 on failure. */
int64_t pg__table_grow(pg_table *t, uint32_t delta, void *init);

/* ---- implemented by interp.c ---- */

/* Starts running `fn` (wasm or host) on inst's stack with `args` (nargs ==
 * param count, already type-checked by the caller). Returns PG_OK with
 * results stored in inst->results, PG_TRAP with inst->trap filled in
 * (including the backtrace), PG_YIELD or PG_OUT_OF_FUEL with the state saved
 * in inst->exec and inst->state set. */
pg_status pg__interp_invoke(pg_instance *inst, const pg_func *fn,
                            const pg_cell *args, uint32_t nargs);
/* Continues after PG_YIELD (host_results copied to the yielded call's
 * result slots) or PG_OUT_OF_FUEL (host_results NULL). */
pg_status pg__interp_resume(pg_instance *inst, const pg_cell *host_results,
                            uint32_t nresults);
/* Drops any suspended computation and frees the exec state. */
void pg__exec_free(pg_exec *exec);
void pg__interp_abort(pg_instance *inst);

#endif /* PG_ENGINE_RUNTIME_H */
