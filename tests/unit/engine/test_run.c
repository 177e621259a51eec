/*
 * test_run.c: the execution API on top of the interpreter — calls through
 * imports and shared memories, two instances interleaving through a yielding
 * import, host traps and exits, fuel exhaustion and refuelling, runaway
 * recursion, backtraces with names from the name section, memory.grow under
 * an instance limit, and the run-state checks.
 */
#include "pg_test.h"
#include "engine_test_util.h"
#include "instance.h"

/* Instantiates fixture `name` (no imports unless `l`); NULL on failure. */
static pg_instance *instantiate(const char *name, const pg_linker *l,
                                const pg_limits *limits) {
  pg_module *m = load_fixture(name);
  pg_instance *inst = NULL;
  char err[256];
  if (m && pg_instance_new(&inst, m, l, limits, err, sizeof err) != PG_OK)
    fprintf(stderr, "  instantiating %s: %s\n", name, err);
  pg_module_free(m);
  return inst;
}

/* Calls export `name` with up to two i32 args; returns its i32 result,
 * or 0xdeadbeef when the call fails. */
static uint32_t call_i32(pg_instance *inst, const char *name, size_t nargs,
                         uint32_t a, uint32_t b) {
  pg_val args[2] = {val_i32(a), val_i32(b)}, r = {0};
  pg_func *f = pg_instance_func(inst, name);
  if (!f || pg_instance_call(inst, f, args, nargs, &r, 1) != PG_OK)
    return 0xdeadbeef;
  return r.of.i32;
}

static pg_host_result host_add(pg_host_call *call) {
  call->results[0] = (uint32_t)call->args[0] + (uint32_t)call->args[1];
  return PG_HOST_DONE;
}

static void test_calls_through_imports(void) {
  pg_linker *l = NULL;
  pg_table *tab = NULL;
  pg_memory *mem = NULL;
  pg_global *g = NULL;
  ASSERT_EQ(pg_linker_new(&l), PG_OK);
  pg_table_new(&tab, PG_FUNCREF, 2, 10, true);
  pg_memory_new(&mem, 1, 4, true);
  pg_global_new(&g, val_i32(5), false);
  pg_linker_define_func(l, "env", "add", "ii->i", host_add, NULL);
  pg_linker_define(l, "env", "tab",
                   (pg_extern){.kind = PG_EXTERN_TABLE, .of.table = tab});
  pg_linker_define(l, "env", "mem",
                   (pg_extern){.kind = PG_EXTERN_MEMORY, .of.memory = mem});
  pg_linker_define(l, "env", "g",
                   (pg_extern){.kind = PG_EXTERN_GLOBAL, .of.global = g});
  pg_instance *inst = instantiate("imports", l, NULL);
  ASSERT_TRUE(inst != NULL);
  ASSERT_EQ(call_i32(inst, "call_add", 2, 40, 2), 42);
  ASSERT_EQ(call_i32(inst, "get_g", 0, 0, 0), 5);
  mem->base[4] = 0x2a;
  ASSERT_EQ(call_i32(inst, "load", 1, 4, 0), 0x2a);
  pg_instance_free(inst);
  pg_linker_free(l);
  pg_table_free(tab);
  pg_memory_free(mem);
  pg_global_free(g);
}

static void test_shared_memory_calls(void) {
  pg_linker *l = NULL;
  pg_instance *a = instantiate("mem_export", NULL, NULL), *b = NULL;
  ASSERT_TRUE(a != NULL);
  ASSERT_EQ(pg_linker_new(&l), PG_OK);
  ASSERT_EQ(pg_linker_define_instance(l, "A", a), PG_OK);
  b = instantiate("mem_import", l, NULL);
  ASSERT_TRUE(b != NULL);
  ASSERT_EQ(call_i32(b, "store", 2, 100, 1234), 0); /* no result: r stays 0 */
  ASSERT_EQ(call_i32(a, "load", 1, 100, 0), 1234);
  ASSERT_EQ(call_i32(a, "store", 2, 200, 77), 0);
  ASSERT_EQ(call_i32(b, "load_via_a", 1, 200, 0), 77);
  ASSERT_EQ(call_i32(b, "load_via_a", 1, 8, 0) & 0xffff, 'h' | ('i' << 8));
  pg_instance_free(b);
  pg_instance_free(a);
  pg_linker_free(l);
}

/* ---- two instances interleaving through a yielding import ---- */

typedef struct yield_log {
  char order[64];   /* "A0 B0 A1 ..." */
  size_t len;
} yield_log;

typedef struct yielder {
  const char *name; /* "A" or "B" */
  uint32_t last;    /* argument of the pending yield_me call */
} yielder;

static pg_host_result yield_me(pg_host_call *call) {
  yield_log *log = call->env;
  yielder *who = pg_instance_user(call->instance);
  who->last = (uint32_t)call->args[0];
  log->len += (size_t)snprintf(log->order + log->len, sizeof log->order - log->len,
                               "%s%u ", who->name, who->last % 100);
  return PG_HOST_YIELD;
}

static void test_interleaving_yield(void) {
  yield_log log = {{0}, 0};
  pg_linker *l = NULL;
  ASSERT_EQ(pg_linker_new(&l), PG_OK);
  ASSERT_EQ(pg_linker_define_func(l, "env", "yield_me", "i->i", yield_me, &log),
            PG_OK);
  pg_instance *a = instantiate("yield", l, NULL);
  pg_instance *b = instantiate("yield", l, NULL);
  ASSERT_TRUE(a && b);
  yielder ya = {"A", 0}, yb = {"B", 0};
  pg_instance_set_user(a, &ya);
  pg_instance_set_user(b, &yb);
  ASSERT_TRUE(pg_instance_user(a) == &ya);
  pg_val args_a[2] = {val_i32(0), val_i32(3)}, args_b[2] = {val_i32(100),
                                                            val_i32(3)};
  pg_status sa = pg_instance_invoke(a, pg_instance_func(a, "run"), args_a, 2);
  pg_status sb = pg_instance_invoke(b, pg_instance_func(b, "run"), args_b, 2);
  int rounds = 0;
  while ((sa == PG_YIELD || sb == PG_YIELD) && rounds++ < 10) {
    /* The host answers each call with twice its argument. */
    if (sa == PG_YIELD) {
      pg_cell r = (pg_cell)ya.last * 2;
      sa = pg_instance_resume(a, &r, 1);
    }
    if (sb == PG_YIELD) {
      pg_cell r = (pg_cell)yb.last * 2;
      sb = pg_instance_resume(b, &r, 1);
    }
  }
  ASSERT_EQ(sa, PG_OK);
  ASSERT_EQ(sb, PG_OK);
  ASSERT_STR_EQ(log.order, "A0 B0 A1 B1 A2 B2 ");
  pg_val ra, rb;
  ASSERT_EQ(pg_instance_results(a, &ra, 1), 1);
  ASSERT_EQ(pg_instance_results(b, &rb, 1), 1);
  ASSERT_EQ(ra.of.i32, 2 * (0 + 1 + 2));
  ASSERT_EQ(rb.of.i32, 2 * (100 + 101 + 102));
  pg_instance_free(a);
  pg_instance_free(b);
  pg_linker_free(l);
}

/* ---- traps from host functions ---- */

static pg_host_result host_fail(pg_host_call *call) {
  return pg_host_trap(call, "bad value %u", (uint32_t)call->args[0]);
}

static pg_host_result host_exit(pg_host_call *call) {
  return pg_host_exit(call, (int32_t)call->args[0]);
}

static void test_host_trap_and_exit(void) {
  pg_linker *l = NULL;
  ASSERT_EQ(pg_linker_new(&l), PG_OK);
  pg_linker_define_func(l, "env", "fail", "i->", host_fail, NULL);
  pg_linker_define_func(l, "env", "exit", "i->", host_exit, NULL);
  pg_instance *inst = instantiate("host_trap", l, NULL);
  ASSERT_TRUE(inst != NULL);
  pg_val arg = val_i32(7);
  ASSERT_EQ(pg_instance_invoke(inst, pg_instance_func(inst, "fail"), &arg, 1),
            PG_TRAP);
  ASSERT_EQ(pg_instance_trap_kind(inst), PG_TRAP_HOST);
  ASSERT_STR_EQ(pg_instance_trap_message(inst), "bad value 7");
  arg = val_i32(3);
  ASSERT_EQ(pg_instance_invoke(inst, pg_instance_func(inst, "exit"), &arg, 1),
            PG_TRAP);
  ASSERT_EQ(pg_instance_trap_kind(inst), PG_TRAP_EXIT);
  ASSERT_EQ(pg_instance_exit_code(inst), 3);
  pg_instance_free(inst);
  pg_linker_free(l);
}

/* Tries to run its own instance again from inside a host call. */
static pg_host_result host_reenter(pg_host_call *call) {
  pg_status *seen = call->env;
  pg_val arg = val_i32(9);
  *seen = pg_instance_invoke(call->instance,
                             pg_instance_func(call->instance, "exit"), &arg, 1);
  pg_instance_abort(call->instance); /* a no-op while running */
  return PG_HOST_DONE;
}

static void test_no_reentry_while_running(void) {
  pg_status seen = PG_OK;
  pg_linker *l = NULL;
  ASSERT_EQ(pg_linker_new(&l), PG_OK);
  pg_linker_define_func(l, "env", "fail", "i->", host_reenter, &seen);
  pg_linker_define_func(l, "env", "exit", "i->", host_exit, NULL);
  pg_instance *inst = instantiate("host_trap", l, NULL);
  ASSERT_TRUE(inst != NULL);
  ASSERT_EQ(call_i32(inst, "fail", 1, 0, 0), 1);
  ASSERT_EQ(seen, PG_BAD_STATE);
  pg_instance_free(inst);
  pg_linker_free(l);
}

static void test_fuel(void) {
  pg_limits limits = {.fuel = 1000};
  pg_instance *inst = instantiate("loop", NULL, &limits);
  ASSERT_TRUE(inst != NULL);
  ASSERT_U64_EQ(pg_instance_fuel(inst), 1000);
  pg_val arg = val_i32(100000);
  pg_func *count = pg_instance_func(inst, "count");
  pg_status st = pg_instance_invoke(inst, count, &arg, 1);
  ASSERT_EQ(st, PG_OUT_OF_FUEL);
  ASSERT_EQ(pg_instance_invoke(inst, count, &arg, 1), PG_BAD_STATE);
  int refuels = 0;
  while (st == PG_OUT_OF_FUEL && refuels++ < 10000) {
    pg_instance_set_fuel(inst, 50000);
    st = pg_instance_resume(inst, NULL, 0);
  }
  ASSERT_EQ(st, PG_OK);
  ASSERT_TRUE(refuels > 1);
  pg_val r;
  ASSERT_EQ(pg_instance_results(inst, &r, 1), 1);
  ASSERT_EQ(r.of.i32, 300000);
  /* Out of fuel again, give up, and run unlimited. */
  pg_instance_set_fuel(inst, 10);
  ASSERT_EQ(pg_instance_invoke(inst, count, &arg, 1), PG_OUT_OF_FUEL);
  pg_instance_abort(inst);
  pg_instance_set_fuel(inst, 0);
  ASSERT_U64_EQ(pg_instance_fuel(inst), 0);
  ASSERT_EQ(call_i32(inst, "count", 1, 100000, 0), 300000);
  /* pg_instance_call turns running out of fuel into PG_BAD_STATE. */
  pg_instance_set_fuel(inst, 10);
  ASSERT_EQ(pg_instance_call(inst, count, &arg, 1, &r, 1), PG_BAD_STATE);
  pg_instance_set_fuel(inst, 0);
  ASSERT_EQ(call_i32(inst, "add", 2, 2, 3), 5);
  pg_instance_free(inst);
}

static void test_runaway_recursion(void) {
  pg_limits small = {.max_call_depth = 100};
  pg_instance *insts[2] = {instantiate("loop", NULL, NULL),
                           instantiate("loop", NULL, &small)};
  for (int i = 0; i < 2; i++) {
    pg_instance *inst = insts[i];
    ASSERT_TRUE(inst != NULL);
    pg_val arg = val_i32(1);
    ASSERT_EQ(pg_instance_invoke(inst, pg_instance_func(inst, "recurse"), &arg,
                                 1),
              PG_TRAP);
    ASSERT_EQ(pg_instance_trap_kind(inst), PG_TRAP_STACK_EXHAUSTED);
    ASSERT_STR_EQ(pg_instance_trap_message(inst), "call stack exhausted");
    /* The instance (and the host) carry on. */
    ASSERT_EQ(call_i32(inst, "add", 2, 2, 3), 5);
    pg_instance_free(inst);
  }
}

static void test_backtrace_names(void) {
  pg_instance *inst = instantiate("backtrace", NULL, NULL);
  ASSERT_TRUE(inst != NULL);
  ASSERT_EQ(pg_instance_invoke(inst, pg_instance_func(inst, "outer"), NULL, 0),
            PG_TRAP);
  ASSERT_EQ(pg_instance_trap_kind(inst), PG_TRAP_UNREACHABLE);
  ASSERT_STR_EQ(pg_instance_trap_message(inst), "unreachable");
  char bt[256];
  const char *want = "  #0 inner (func 2)\n"
                     "  #1 middle (func 1)\n"
                     "  #2 outer (func 0)\n";
  ASSERT_EQ(pg_instance_backtrace(inst, bt, sizeof bt), strlen(want));
  ASSERT_STR_EQ(bt, want);
  char tiny[8];
  ASSERT_EQ(pg_instance_backtrace(inst, tiny, sizeof tiny), strlen(want));
  ASSERT_STR_EQ(tiny, "  #0 in");
  pg_instance_free(inst);
}

static void test_memory_grow_limit(void) {
  pg_limits limits = {.max_memory_pages = 3};
  pg_instance *inst = instantiate("memory", NULL, &limits);
  ASSERT_TRUE(inst != NULL);
  ASSERT_EQ(call_i32(inst, "grow", 1, 1, 0), 1);
  ASSERT_EQ(call_i32(inst, "grow", 1, 2, 0), (uint32_t)-1);
  ASSERT_EQ(call_i32(inst, "grow", 1, 1, 0), 2);
  ASSERT_EQ(call_i32(inst, "grow", 1, 1, 0), (uint32_t)-1);
  ASSERT_EQ(call_i32(inst, "size", 0, 0, 0), 3);
  ASSERT_U64_EQ(pg_memory_size(inst), 3 * 65536);
  pg_instance_free(inst);
}

static void test_state_and_argument_checks(void) {
  yield_log log = {{0}, 0};
  pg_linker *l = NULL;
  ASSERT_EQ(pg_linker_new(&l), PG_OK);
  pg_linker_define_func(l, "env", "yield_me", "i->i", yield_me, &log);
  pg_instance *inst = instantiate("yield", l, NULL);
  ASSERT_TRUE(inst != NULL);
  yielder y = {"A", 0};
  pg_instance_set_user(inst, &y);
  pg_func *run = pg_instance_func(inst, "run");
  ASSERT_EQ(pg_func_param_count(run), 2);
  ASSERT_EQ(pg_func_result_count(run), 1);
  ASSERT_EQ(pg_func_params(run)[1], PG_I32);
  ASSERT_EQ(pg_func_results(run)[0], PG_I32);
  pg_cell cell = 0;
  ASSERT_EQ(pg_instance_resume(inst, &cell, 1), PG_BAD_STATE);
  pg_val args[2] = {val_i32(0), val_i64(1)};
  ASSERT_EQ(pg_instance_invoke(inst, run, args, 1), PG_BAD_ARG);
  ASSERT_STR_EQ(pg_instance_trap_message(inst), "expected 2 arguments, got 1");
  ASSERT_EQ(pg_instance_invoke(inst, run, args, 2), PG_BAD_ARG);
  ASSERT_STR_EQ(pg_instance_trap_message(inst),
                "argument 1 has type 0x7e, expected 0x7f");
  args[1] = val_i32(2);
  ASSERT_EQ(pg_instance_invoke(inst, run, args, 2), PG_YIELD);
  ASSERT_EQ(pg_instance_invoke(inst, run, args, 2), PG_BAD_STATE);
  pg_instance_abort(inst);
  pg_val r;
  ASSERT_EQ(pg_instance_call(inst, run, args, 2, &r, 1), PG_BAD_STATE);
  /* After the forced abort the instance runs again. */
  ASSERT_EQ(pg_instance_invoke(inst, run, args, 2), PG_YIELD);
  cell = 10;
  /* The wrong number of results is refused; the instance stays suspended. */
  pg_cell two[2] = {10, 10};
  ASSERT_EQ(pg_instance_resume(inst, two, 2), PG_BAD_ARG);
  ASSERT_STR_EQ(pg_instance_trap_message(inst),
                "2 results do not match the yielded host function");
  ASSERT_EQ(pg_instance_resume(inst, &cell, 1), PG_YIELD);
  ASSERT_EQ(pg_instance_resume(inst, &cell, 1), PG_OK);
  ASSERT_EQ(pg_instance_results(inst, &r, 1), 1);
  ASSERT_EQ(r.of.i32, 20);
  ASSERT_EQ(pg_instance_resume(inst, &cell, 1), PG_BAD_STATE);
  pg_instance_free(inst);
  /* Freeing a suspended instance releases its computation too. */
  inst = instantiate("yield", l, NULL);
  ASSERT_TRUE(inst != NULL);
  pg_instance_set_user(inst, &y);
  ASSERT_EQ(pg_instance_invoke(inst, pg_instance_func(inst, "run"), args, 2),
            PG_YIELD);
  pg_instance_free(inst);
  pg_linker_free(l);
}

static void test_many_results_and_host_entry(void) {
  pg_linker *l = NULL;
  ASSERT_EQ(pg_linker_new(&l), PG_OK);
  pg_linker_define_func(l, "env", "add", "ii->i", host_add, NULL);
  pg_instance *inst = instantiate("many_results", l, NULL);
  ASSERT_TRUE(inst != NULL);
  pg_func *many = pg_instance_func(inst, "many");
  ASSERT_EQ(pg_func_result_count(many), 17);
  ASSERT_EQ(pg_func_results(many)[16], PG_I64);
  pg_val r[20];
  ASSERT_EQ(pg_instance_call(inst, many, NULL, 0, r, 20), PG_OK);
  ASSERT_EQ(pg_instance_results(inst, r, 20), 17);
  for (uint32_t i = 0; i < 16; i++)
    ASSERT_EQ(r[i].of.i32, i + 1);
  ASSERT_EQ(r[16].type, PG_I64);
  ASSERT_U64_EQ(r[16].of.i64, 0x100000000ull);
  ASSERT_EQ(pg_instance_results(inst, r, 2), 17); /* copies only 2 */
  /* Invoking a host function directly (an exported import). */
  ASSERT_EQ(call_i32(inst, "host_add", 2, 20, 22), 42);
  pg_instance_free(inst);
  pg_linker_free(l);
}

int main(void) {
  PG_RUN(test_calls_through_imports);
  PG_RUN(test_shared_memory_calls);
  PG_RUN(test_interleaving_yield);
  PG_RUN(test_host_trap_and_exit);
  PG_RUN(test_no_reentry_while_running);
  PG_RUN(test_fuel);
  PG_RUN(test_runaway_recursion);
  PG_RUN(test_backtrace_names);
  PG_RUN(test_memory_grow_limit);
  PG_RUN(test_state_and_argument_checks);
  PG_RUN(test_many_results_and_host_entry);
  return PG_DONE();
}
