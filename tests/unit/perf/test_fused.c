/*
 * test_fused.c: the fused loop-counter branches (ir.h's addi_br*) give the
 * results of the separate add, local.set/tee and br_if/if they replace —
 * with unlimited fuel, and with a fuel budget of 1 refilled at every stop,
 * so each taken back edge stops before the fused instruction and resume
 * must apply its add exactly once; and the f64 ops with a loaded right
 * operand (f64_<op>_m/_mi) compute a <op> load in that order, wrap the
 * address sum at 32 bits and trap out of bounds as the load did; and
 * i32.xor with a rotated/shifted operand (i32_xor_rotl/_shr_u); and
 * loads/stores at (i << k) + constant (the _si address forms).
 */
#include <string.h>

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

/* Calls f64mem.wasm export `name`(p, a). Returns the trap kind (PG_TRAP_NONE
 * when it returned, the result then in *out). */
static pg_trap_kind call_f64(const char *name, uint32_t p, double a,
                             double *out) {
  pg_module *m = load_fixture("f64mem");
  pg_instance *inst = NULL;
  char err[256];
  pg_trap_kind kind = PG_TRAP_UNREACHABLE; /* "the test could not run" */
  if (!m || pg_instance_new(&inst, m, NULL, NULL, err, sizeof err) != PG_OK)
    goto done;
  pg_val args[2] = {val_i32(p), {.type = PG_F64}}, r = {0};
  memcpy(&args[1].of.f64, &a, sizeof a);
  pg_status st = pg_instance_call(inst, pg_instance_func(inst, name), args,
                                  2, &r, 1);
  kind = st == PG_OK ? PG_TRAP_NONE : pg_instance_trap_kind(inst);
  if (st == PG_OK) memcpy(out, &r.of.f64, sizeof *out);
done:
  pg_instance_free(inst);
  pg_module_free(m);
  return kind;
}

static void expect_f64(const char *name, uint32_t p, double a, double want) {
  double got = -1;
  ASSERT_EQ(call_f64(name, p, a, &got), PG_TRAP_NONE);
  ASSERT_TRUE(got == want);
}

static void test_f64_with_loaded_operand(void) {
  expect_f64("add_m", 0, 1.5, 3.5);   /* 1.5 + [8] */
  expect_f64("sub_m", 16, 1.0, -7.0); /* 1 - [16], operand order kept */
  expect_f64("mul_m", 8, 3.0, 6.0);
  expect_f64("div_m", 16, 2.0, 0.25);
  expect_f64("add_mi", 0, 1.0, 9.0);  /* [0 + 16] */
  expect_f64("sub_mi", 0, 1.0, -7.0);
  expect_f64("mul_mi", 0, 0.5, 4.0);  /* [(0 + 8) + 8] */
  expect_f64("div_mi", 0, 4.0, 0.5);
  /* 0xFFFFFFF8 + 16 wraps to 8 before the load, as the i32.add did */
  expect_f64("add_mi", 0xFFFFFFF8u, 0.0, 2.0);
}

static void test_f64_loaded_operand_bounds(void) {
  double r;
  ASSERT_EQ(call_f64("mul_m", 65536 - 8, 1.0, &r), PG_TRAP_NONE);
  ASSERT_EQ(call_f64("mul_m", 65536 - 7, 1.0, &r), PG_TRAP_MEMORY_OOB);
  ASSERT_EQ(call_f64("add_m", 65536 - 16, 1.0, &r), PG_TRAP_NONE);
  ASSERT_EQ(call_f64("add_m", 65536 - 15, 1.0, &r), PG_TRAP_MEMORY_OOB);
  ASSERT_EQ(call_f64("add_m", 0xFFFFFFFFu, 1.0, &r), PG_TRAP_MEMORY_OOB);
  ASSERT_EQ(call_f64("sub_mi", 65536 - 24, 1.0, &r), PG_TRAP_NONE);
  ASSERT_EQ(call_f64("sub_mi", 65536 - 23, 1.0, &r), PG_TRAP_MEMORY_OOB);
}

/* Calls xorshift.wasm export `name`(a, b); 0xdeadbeef on failure. */
static uint32_t call_xor(const char *name, uint32_t a, uint32_t b) {
  pg_module *m = load_fixture("xorshift");
  pg_instance *inst = NULL;
  char err[256];
  uint32_t out = 0xdeadbeef;
  if (m && pg_instance_new(&inst, m, NULL, NULL, err, sizeof err) == PG_OK) {
    pg_val args[2] = {val_i32(a), val_i32(b)}, r = {0};
    if (pg_instance_call(inst, pg_instance_func(inst, name), args, 2, &r,
                         1) == PG_OK)
      out = r.of.i32;
  }
  pg_instance_free(inst);
  pg_module_free(m);
  return out;
}

static uint32_t rotl32(uint32_t x, unsigned k) {
  return (x << k) | (x >> ((32 - k) & 31));
}

static void test_xor_with_shifted_operand(void) {
  uint32_t a = 0x12345678u, b = 0x9abcdef1u;
  ASSERT_EQ(call_xor("rotl_right", a, b), a ^ rotl32(b, 13));
  ASSERT_EQ(call_xor("rotl_left", a, b), a ^ rotl32(b, 7));
  ASSERT_EQ(call_xor("shr_right", a, b), a ^ (b >> 3)); /* 35 & 31 */
  ASSERT_EQ(call_xor("shr_left", a, b), a ^ (b >> 3));
  ASSERT_EQ(call_xor("sigma0", b, 0),
            rotl32(b, 25) ^ rotl32(b, 14) ^ (b >> 3));
}

/* Calls scaled.wasm export `name`(a[, b]). Returns the trap kind
 * (PG_TRAP_NONE when it returned, the i32 result then in *out). */
static pg_trap_kind call_scaled(const char *name, size_t nargs, uint32_t a,
                                uint32_t b, uint32_t *out) {
  pg_module *m = load_fixture("scaled");
  pg_instance *inst = NULL;
  char err[256];
  pg_trap_kind kind = PG_TRAP_UNREACHABLE; /* "the test could not run" */
  if (m && pg_instance_new(&inst, m, NULL, NULL, err, sizeof err) == PG_OK) {
    pg_val args[2] = {val_i32(a), val_i32(b)}, r = {0};
    pg_status st = pg_instance_call(inst, pg_instance_func(inst, name), args,
                                    nargs, &r, 1);
    kind = st == PG_OK ? PG_TRAP_NONE : pg_instance_trap_kind(inst);
    if (st == PG_OK) *out = r.of.i32;
  }
  pg_instance_free(inst);
  pg_module_free(m);
  return kind;
}

static void test_scaled_index_addresses(void) {
  uint32_t r = 0;
  ASSERT_EQ(call_scaled("load_si", 1, 2, 0, &r), PG_TRAP_NONE);
  ASSERT_EQ(r, 3);
  /* 0x40000001 << 2 wraps to 4: the word at 1028 */
  ASSERT_EQ(call_scaled("load_si", 1, 0x40000001u, 0, &r), PG_TRAP_NONE);
  ASSERT_EQ(r, 2);
  /* (16128 << 2) + 1024 = 65536: one past the end */
  ASSERT_EQ(call_scaled("load_si", 1, 16127, 0, &r), PG_TRAP_NONE);
  ASSERT_EQ(call_scaled("load_si", 1, 16128, 0, &r), PG_TRAP_MEMORY_OOB);
  ASSERT_EQ(call_scaled("store_si", 2, 5, 77, &r), PG_TRAP_NONE);
  ASSERT_EQ(r, 77);
  /* (7935 << 3) + 2048 + 4 = 65532: the last word; 7936 is out */
  ASSERT_EQ(call_scaled("store_si", 2, 7935, 9, &r), PG_TRAP_NONE);
  ASSERT_EQ(r, 9);
  ASSERT_EQ(call_scaled("store_si", 2, 7936, 9, &r), PG_TRAP_MEMORY_OOB);
}

int main(void) {
  PG_RUN(test_addi_br_if);
  PG_RUN(test_addi_brc_register);
  PG_RUN(test_addi_brc_immediate);
  PG_RUN(test_addi_br_unless);
  PG_RUN(test_addi_in_if);
  PG_RUN(test_counter_on_both_sides);
  PG_RUN(test_f64_with_loaded_operand);
  PG_RUN(test_f64_loaded_operand_bounds);
  PG_RUN(test_xor_with_shifted_operand);
  PG_RUN(test_scaled_index_addresses);
  return PG_DONE();
}
