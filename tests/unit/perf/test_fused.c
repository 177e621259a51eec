/*
 * test_fused.c: the fused loop-counter branches (ir.h's addi_br*) give the
 * results of the separate add, local.set/tee and br_if/if they replace —
 * with unlimited fuel, and with a fuel budget of 1 refilled at every stop,
 * so each taken back edge stops before the fused instruction and resume
 * must apply its add exactly once.
 */
#include "pg_test.h"
#include "engine_test_util.h"

/* Runs export `name`(n) to completion, refilling `slice` units of fuel at
 * every stop (0: unlimited); the i32 result, or 0xdeadbeef on failure. */
static uint32_t run_sliced(const char *name, uint32_t n, uint64_t slice) {
  pg_module *m = load_fixture("counters");
  pg_instance *inst = NULL;
  char err[256];
  pg_limits limits = {.fuel = slice};
  uint32_t out = 0xdeadbeef;
  if (!m || pg_instance_new(&inst, m, NULL, &limits, err, sizeof err) != PG_OK)
    goto done;
  pg_val arg = val_i32(n), r = {0};
  pg_status st = pg_instance_invoke(inst, pg_instance_func(inst, name), &arg, 1);
  for (int stops = 0; st == PG_OUT_OF_FUEL && stops < 100000; stops++) {
    pg_instance_set_fuel(inst, slice);
    st = pg_instance_resume(inst, NULL, 0);
  }
  if (st == PG_OK && pg_instance_results(inst, &r, 1) == 1) out = r.of.i32;
done:
  pg_instance_free(inst);
  pg_module_free(m);
  return out;
}

static void expect_both_ways(const char *name, uint32_t n, uint32_t want) {
  ASSERT_EQ(run_sliced(name, n, 0), want);
  ASSERT_EQ(run_sliced(name, n, 1), want);
}

static void test_addi_br_if(void) {
  expect_both_ways("down_br_if", 10, 30);
  expect_both_ways("down_br_if", 1, 3);
}

static void test_addi_brc_register(void) {
  expect_both_ways("up_ne", 10, 45);
  expect_both_ways("up_ne", 1, 0);
}

static void test_addi_brc_immediate(void) {
  /* from 5 by 7 while < 100: 5, 12, ..., 96, 103 -> 14 iterations */
  expect_both_ways("up_lt_imm", 5, 14 * 1000 + 103);
  expect_both_ways("up_lt_imm", 200, 1 * 1000 + 207);
}

static void test_addi_br_unless(void) {
  expect_both_ways("down_eqz", 10, 20);
  expect_both_ways("down_eqz", 1, 2);
}

static void test_addi_in_if(void) {
  expect_both_ways("up_if", 10, 10 * 5 * 1000 + 10);
  expect_both_ways("up_if", 0, 5 * 1000 + 1);
}

static void test_counter_on_both_sides(void) {
  expect_both_ways("self_cmp", 41, 42);
}

int main(void) {
  PG_RUN(test_addi_br_if);
  PG_RUN(test_addi_brc_register);
  PG_RUN(test_addi_brc_immediate);
  PG_RUN(test_addi_br_unless);
  PG_RUN(test_addi_in_if);
  PG_RUN(test_counter_on_both_sides);
  return PG_DONE();
}
