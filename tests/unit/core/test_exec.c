/*
 * test_exec.c: runs compiled code through the public API and checks what
 * the compiler and interpreter must get right: multi-value control flow,
 * br_table, calls and recursion, call_indirect checks, memory bounds, host
 * functions that yield and trap, fuel exhaustion with resume, runaway
 * recursion and backtraces. Fixtures are wat/NAME.wat.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parigot/engine.h"
#include "pg_test.h"

/* Loads PG_TEST_WASM_DIR/name.wasm; NULL on failure (message on stderr). */
static pg_module *load(const char *name) {
  char path[512], err[256];
  snprintf(path, sizeof path, "%s/%s.wasm", PG_TEST_WASM_DIR, name);
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "  cannot open %s\n", path);
    return NULL;
  }
  uint8_t buf[1 << 16];
  size_t len = fread(buf, 1, sizeof buf, f);
  fclose(f);
  pg_module *m = NULL;
  if (pg_module_new(&m, buf, len, err, sizeof err) != PG_OK) {
    fprintf(stderr, "  %s: %s\n", path, err);
    return NULL;
  }
  return m;
}

static pg_val i32v(uint32_t v) {
  pg_val out = {.type = PG_I32};
  out.of.i32 = v;
  return out;
}

static pg_val i64v(uint64_t v) {
  pg_val out = {.type = PG_I64};
  out.of.i64 = v;
  return out;
}

/* One instance of a fixture, with the linker that fed its imports. */
typedef struct fixture {
  pg_module *m;
  pg_linker *l;
  pg_instance *inst;
} fixture;

static void fixture_free(fixture *fx) {
  pg_instance_free(fx->inst);
  pg_linker_free(fx->l);
  pg_module_free(fx->m);
}

/* ---- host functions of host.wat ---- */

typedef struct host_env {
  bool yield;     /* env.add suspends instead of answering */
  int calls;      /* env.add calls seen */
  uint32_t last_a, last_b;
} host_env;

static pg_host_result host_add(pg_host_call *call) {
  host_env *env = call->env;
  env->calls++;
  env->last_a = (uint32_t)call->args[0];
  env->last_b = (uint32_t)call->args[1];
  if (env->yield) return PG_HOST_YIELD;
  call->results[0] = (uint32_t)(env->last_a + env->last_b);
  return PG_HOST_DONE;
}

static pg_host_result host_fail(pg_host_call *call) {
  return pg_host_trap(call, "boom %d", 7);
}

static bool open_fixture(fixture *fx, const char *name, host_env *env,
                         const pg_limits *limits) {
  char err[256];
  memset(fx, 0, sizeof *fx);
  fx->m = load(name);
  if (!fx->m || pg_linker_new(&fx->l) != PG_OK) return false;
  if (env) {
    pg_linker_define_func(fx->l, "env", "add", "ii->i", host_add, env);
    pg_linker_define_func(fx->l, "env", "fail", "->", host_fail, env);
  }
  if (pg_instance_new(&fx->inst, fx->m, fx->l, limits, err, sizeof err) !=
      PG_OK) {
    fprintf(stderr, "  instantiate %s: %s\n", name, err);
    return false;
  }
  return true;
}

/* Calls `name` expecting PG_OK; returns the number of results. */
static pg_status call(fixture *fx, const char *name, const pg_val *args,
                      size_t nargs, pg_val *out, size_t nout) {
  const pg_func *fn = pg_instance_func(fx->inst, name);
  if (!fn) return PG_NOT_FOUND;
  return pg_instance_call(fx->inst, fn, args, nargs, out, nout);
}

/* ---- tests ---- */

static void test_multi_value_blocks(void) {
  fixture fx;
  pg_val r[2];
  ASSERT_TRUE(open_fixture(&fx, "control", NULL, NULL));
  pg_val ab[2] = {i32v(3), i32v(4)};
  ASSERT_EQ(call(&fx, "swap", ab, 2, r, 2), PG_OK);
  ASSERT_EQ(r[0].of.i32, 4);
  ASSERT_EQ(r[1].of.i32, 3);
  ASSERT_EQ(call(&fx, "block_params", ab, 2, r, 1), PG_OK);
  ASSERT_EQ((int32_t)r[0].of.i32, -1);
  ASSERT_EQ(call(&fx, "swap_locals", ab, 2, r, 2), PG_OK);
  ASSERT_EQ(r[0].of.i32, 4);
  ASSERT_EQ(r[1].of.i32, 3);
  pg_val n = i32v(10);
  ASSERT_EQ(call(&fx, "loop_sum", &n, 1, r, 1), PG_OK);
  ASSERT_EQ(r[0].of.i32, 55);
  ASSERT_EQ(call(&fx, "loop_params", &n, 1, r, 1), PG_OK);
  ASSERT_EQ(r[0].of.i32, 55);
  fixture_free(&fx);
}

static void test_branches(void) {
  fixture fx;
  pg_val r[1];
  ASSERT_TRUE(open_fixture(&fx, "control", NULL, NULL));
  for (uint32_t i = 0; i < 6; i++) {
    pg_val a = i32v(i);
    ASSERT_EQ(call(&fx, "br_table", &a, 1, r, 1), PG_OK);
    ASSERT_EQ(r[0].of.i32, i < 3 ? 100 + i : 103);
    ASSERT_EQ(call(&fx, "br_table_value", &a, 1, r, 1), PG_OK);
    ASSERT_EQ(r[0].of.i32, i == 1 ? 17 : 7);
  }
  pg_val zero = i32v(0), one = i32v(9);
  ASSERT_EQ(call(&fx, "if_else", &zero, 1, r, 1), PG_OK);
  ASSERT_EQ(r[0].of.i32, 2);
  ASSERT_EQ(call(&fx, "if_else", &one, 1, r, 1), PG_OK);
  ASSERT_EQ(r[0].of.i32, 1);
  pg_val taken[2] = {i32v(8), i32v(1)}, not_taken[2] = {i32v(8), i32v(0)};
  ASSERT_EQ(call(&fx, "br_if_value", taken, 2, r, 1), PG_OK);
  ASSERT_EQ(r[0].of.i32, 8);
  ASSERT_EQ(call(&fx, "br_if_value", not_taken, 2, r, 1), PG_OK);
  ASSERT_EQ(r[0].of.i32, 55);
  pg_val sel[3] = {i32v(0), i64v(1ull << 40), i64v(5)};
  ASSERT_EQ(call(&fx, "select", sel, 3, r, 1), PG_OK);
  ASSERT_U64_EQ(r[0].of.i64, 5);
  sel[0] = i32v(1);
  ASSERT_EQ(call(&fx, "select", sel, 3, r, 1), PG_OK);
  ASSERT_U64_EQ(r[0].of.i64, 1ull << 40);
  fixture_free(&fx);
}

static void test_recursion(void) {
  fixture fx;
  pg_val r[1];
  ASSERT_TRUE(open_fixture(&fx, "calls", NULL, NULL));
  pg_val n = i64v(20);
  ASSERT_EQ(call(&fx, "fac", &n, 1, r, 1), PG_OK);
  ASSERT_U64_EQ(r[0].of.i64, 2432902008176640000ull);
  pg_val f = i32v(20);
  ASSERT_EQ(call(&fx, "fib", &f, 1, r, 1), PG_OK);
  ASSERT_EQ(r[0].of.i32, 6765);
  fixture_free(&fx);
}

static void test_call_indirect(void) {
  fixture fx;
  pg_val r[1];
  ASSERT_TRUE(open_fixture(&fx, "calls", NULL, NULL));
  pg_val fib10[2] = {i32v(0), i32v(10)}, even7[2] = {i32v(1), i32v(7)};
  ASSERT_EQ(call(&fx, "indirect", fib10, 2, r, 1), PG_OK);
  ASSERT_EQ(r[0].of.i32, 55);
  ASSERT_EQ(call(&fx, "indirect", even7, 2, r, 1), PG_OK);
  ASSERT_EQ(r[0].of.i32, 0);
  pg_val null_slot[2] = {i32v(2), i32v(0)}, past_end[2] = {i32v(3), i32v(0)};
  ASSERT_EQ(call(&fx, "indirect", null_slot, 2, r, 1), PG_TRAP);
  ASSERT_EQ(pg_instance_trap_kind(fx.inst), PG_TRAP_UNINIT_ELEMENT);
  ASSERT_EQ(call(&fx, "indirect", past_end, 2, r, 1), PG_TRAP);
  ASSERT_EQ(pg_instance_trap_kind(fx.inst), PG_TRAP_UNDEFINED_ELEMENT);
  ASSERT_EQ(call(&fx, "indirect_wrong_type", NULL, 0, r, 1), PG_TRAP);
  ASSERT_EQ(pg_instance_trap_kind(fx.inst), PG_TRAP_INDIRECT_TYPE);
  ASSERT_STR_EQ(pg_instance_trap_message(fx.inst),
                "indirect call type mismatch");
  fixture_free(&fx);
}

static void test_stack_exhausted(void) {
  fixture fx;
  pg_val r[1];
  ASSERT_TRUE(open_fixture(&fx, "calls", NULL, NULL));
  pg_val z = i32v(0);
  ASSERT_EQ(call(&fx, "runaway", &z, 1, r, 1), PG_TRAP);
  ASSERT_EQ(pg_instance_trap_kind(fx.inst), PG_TRAP_STACK_EXHAUSTED);
  ASSERT_STR_EQ(pg_instance_trap_message(fx.inst), "call stack exhausted");
  /* The instance is usable again afterwards. */
  pg_val f = i32v(10);
  ASSERT_EQ(call(&fx, "fib", &f, 1, r, 1), PG_OK);
  ASSERT_EQ(r[0].of.i32, 55);
  fixture_free(&fx);
}

static void test_backtrace(void) {
  fixture fx;
  char bt[512];
  ASSERT_TRUE(open_fixture(&fx, "calls", NULL, NULL));
  ASSERT_EQ(call(&fx, "nested_trap", NULL, 0, NULL, 0), PG_TRAP);
  ASSERT_EQ(pg_instance_trap_kind(fx.inst), PG_TRAP_UNREACHABLE);
  pg_instance_backtrace(fx.inst, bt, sizeof bt);
  const char *inner = strstr(bt, "inner"), *middle = strstr(bt, "middle");
  ASSERT_TRUE(inner && middle && inner < middle); /* innermost first */
  ASSERT_STR_CONTAINS(bt, "#2");
  fixture_free(&fx);
}

static void test_memory_bounds(void) {
  fixture fx;
  pg_val r[1];
  ASSERT_TRUE(open_fixture(&fx, "memory", NULL, NULL));
  pg_val a = i32v(65535);
  ASSERT_EQ(call(&fx, "load8", &a, 1, r, 1), PG_OK);
  a = i32v(65536);
  ASSERT_EQ(call(&fx, "load8", &a, 1, r, 1), PG_TRAP);
  ASSERT_EQ(pg_instance_trap_kind(fx.inst), PG_TRAP_MEMORY_OOB);
  ASSERT_STR_EQ(pg_instance_trap_message(fx.inst),
                "out of bounds memory access");
  a = i32v(0);
  ASSERT_EQ(call(&fx, "load32_off", &a, 1, r, 1), PG_OK);
  ASSERT_EQ(r[0].of.i32, 0x04030201);
  a = i32v(0xFFFFFFF0u); /* address + offset overflows 32 bits */
  ASSERT_EQ(call(&fx, "load32_off", &a, 1, r, 1), PG_TRAP);
  pg_val st[2] = {i32v(65528), i64v(0x8877665544332211ull)};
  ASSERT_EQ(call(&fx, "store64", st, 2, NULL, 0), PG_OK);
  a = i32v(65528);
  ASSERT_EQ(call(&fx, "load64", &a, 1, r, 1), PG_OK);
  ASSERT_U64_EQ(r[0].of.i64, 0x8877665544332211ull);
  a = i32v(65534);
  ASSERT_EQ(call(&fx, "load16_s", &a, 1, r, 1), PG_OK);
  ASSERT_EQ(r[0].of.i32, 0xFFFF8877u);
  st[0] = i32v(65529);
  ASSERT_EQ(call(&fx, "store64", st, 2, NULL, 0), PG_TRAP);
  fixture_free(&fx);
}

static void test_memory_grow(void) {
  fixture fx;
  pg_val r[1];
  ASSERT_TRUE(open_fixture(&fx, "memory", NULL, NULL));
  pg_val one = i32v(1), five = i32v(5), a = i32v(65536 + 8);
  ASSERT_EQ(call(&fx, "load8", &a, 1, r, 1), PG_TRAP);
  ASSERT_EQ(call(&fx, "grow", &one, 1, r, 1), PG_OK);
  ASSERT_EQ(r[0].of.i32, 1);
  ASSERT_EQ(call(&fx, "size", NULL, 0, r, 1), PG_OK);
  ASSERT_EQ(r[0].of.i32, 2);
  ASSERT_EQ(call(&fx, "load8", &a, 1, r, 1), PG_OK);
  ASSERT_EQ(call(&fx, "grow", &five, 1, r, 1), PG_OK);
  ASSERT_EQ(r[0].of.i32, 0xFFFFFFFFu); /* past the maximum of 3 */
  pg_val fc[3] = {i32v(100), i32v(65536 + 200), i32v(0)};
  ASSERT_EQ(call(&fx, "fill_copy", fc, 3, r, 1), PG_OK);
  ASSERT_EQ(r[0].of.i32, 0x41414141u);
  fc[1] = i32v(2 * 65536 - 3);
  ASSERT_EQ(call(&fx, "fill_copy", fc, 3, r, 1), PG_TRAP);
  fixture_free(&fx);
}

static void test_host_yield_resume(void) {
  fixture fx;
  host_env env = {.yield = true};
  ASSERT_TRUE(open_fixture(&fx, "host", &env, NULL));
  const pg_func *fn = pg_instance_func(fx.inst, "sum_via_host");
  pg_val n = i32v(5);
  pg_status st = pg_instance_invoke(fx.inst, fn, &n, 1);
  int yields = 0;
  while (st == PG_YIELD) {
    yields++;
    ASSERT_EQ(env.last_b, 1);
    pg_cell result = env.last_a + env.last_b;
    st = pg_instance_resume(fx.inst, &result, 1);
  }
  ASSERT_EQ(st, PG_OK);
  ASSERT_EQ(yields, 5);
  pg_val r;
  ASSERT_EQ(pg_instance_results(fx.inst, &r, 1), 1);
  ASSERT_EQ(r.of.i32, 15);
  /* Without yielding the same code answers directly. */
  env.yield = false;
  ASSERT_EQ(call(&fx, "sum_via_host", &n, 1, &r, 1), PG_OK);
  ASSERT_EQ(r.of.i32, 15);
  fixture_free(&fx);
}

static void test_yield_in_nested_frames(void) {
  fixture fx;
  host_env env = {.yield = true};
  ASSERT_TRUE(open_fixture(&fx, "host", &env, NULL));
  const pg_func *fn = pg_instance_func(fx.inst, "nested");
  pg_val n = i32v(5);
  ASSERT_EQ(pg_instance_invoke(fx.inst, fn, &n, 1), PG_YIELD);
  ASSERT_EQ(env.last_a, 5);
  ASSERT_EQ(env.last_b, 100);
  /* Wrong result count is refused; the computation stays suspended. */
  pg_cell two[2] = {1, 2};
  ASSERT_EQ(pg_instance_resume(fx.inst, two, 2), PG_BAD_ARG);
  pg_cell result = 105;
  ASSERT_EQ(pg_instance_resume(fx.inst, &result, 1), PG_OK);
  pg_val r;
  ASSERT_EQ(pg_instance_results(fx.inst, &r, 1), 1);
  ASSERT_EQ(r.of.i32, (105 + 1) * 2);
  /* Abandoning a suspended call leaves the instance usable. */
  ASSERT_EQ(pg_instance_invoke(fx.inst, fn, &n, 1), PG_YIELD);
  pg_instance_abort(fx.inst);
  env.yield = false;
  ASSERT_EQ(call(&fx, "nested", &n, 1, &r, 1), PG_OK);
  ASSERT_EQ(r.of.i32, 212);
  fixture_free(&fx);
}

static void test_small_stack_limits(void) {
  fixture fx;
  pg_val r[1];
  pg_limits limits = {.stack_bytes = 4096, .max_call_depth = 50};
  ASSERT_TRUE(open_fixture(&fx, "calls", NULL, &limits));
  pg_val z = i32v(0), f = i32v(15);
  ASSERT_EQ(call(&fx, "runaway", &z, 1, r, 1), PG_TRAP);
  ASSERT_EQ(pg_instance_trap_kind(fx.inst), PG_TRAP_STACK_EXHAUSTED);
  ASSERT_EQ(call(&fx, "fib", &f, 1, r, 1), PG_OK); /* depth 15 fits */
  ASSERT_EQ(r[0].of.i32, 610);
  pg_val deep = i64v(60); /* fac: 61 frames > 50 */
  ASSERT_EQ(call(&fx, "fac", &deep, 1, r, 1), PG_TRAP);
  ASSERT_STR_EQ(pg_instance_trap_message(fx.inst), "call stack exhausted");
  fixture_free(&fx);
}

static void test_host_trap(void) {
  fixture fx;
  host_env env = {0};
  char bt[256];
  ASSERT_TRUE(open_fixture(&fx, "host", &env, NULL));
  ASSERT_EQ(call(&fx, "call_fail", NULL, 0, NULL, 0), PG_TRAP);
  ASSERT_STR_CONTAINS(pg_instance_trap_message(fx.inst), "boom 7");
  pg_instance_backtrace(fx.inst, bt, sizeof bt);
  ASSERT_STR_CONTAINS(bt, "#1");
  fixture_free(&fx);
}

static void test_fuel(void) {
  fixture fx;
  host_env env = {0};
  pg_limits limits = {.fuel = 1000};
  ASSERT_TRUE(open_fixture(&fx, "host", &env, &limits));
  const pg_func *fn = pg_instance_func(fx.inst, "count");
  pg_val n = i32v(100000);
  pg_status st = pg_instance_invoke(fx.inst, fn, &n, 1);
  int refills = 0;
  while (st == PG_OUT_OF_FUEL && refills < 100000) {
    refills++;
    pg_instance_set_fuel(fx.inst, 1000);
    st = pg_instance_resume(fx.inst, NULL, 0);
  }
  ASSERT_EQ(st, PG_OK);
  ASSERT_TRUE(refills > 100); /* ~7 units per iteration */
  pg_val r;
  ASSERT_EQ(pg_instance_results(fx.inst, &r, 1), 1);
  ASSERT_EQ(r.of.i32, 100000);
  /* Unlimited again: one run. */
  pg_instance_set_fuel(fx.inst, 0);
  ASSERT_EQ(call(&fx, "count", &n, 1, &r, 1), PG_OK);
  ASSERT_EQ(r.of.i32, 100000);
  fixture_free(&fx);
}

int main(void) {
  PG_RUN(test_multi_value_blocks);
  PG_RUN(test_branches);
  PG_RUN(test_recursion);
  PG_RUN(test_call_indirect);
  PG_RUN(test_stack_exhausted);
  PG_RUN(test_backtrace);
  PG_RUN(test_memory_bounds);
  PG_RUN(test_memory_grow);
  PG_RUN(test_host_yield_resume);
  PG_RUN(test_yield_in_nested_frames);
  PG_RUN(test_small_stack_limits);
  PG_RUN(test_host_trap);
  PG_RUN(test_fuel);
  return PG_DONE();
}
