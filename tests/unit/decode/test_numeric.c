/*
 * test_numeric.c: numeric.h against the boundary values of the spec tests
 * (conversions.wast, i32.wast/i64.wast div and rem, f32.wast/f64.wast min,
 * max and nearest, *_bitwise.wast). Inputs are volatile so the compiler
 * cannot fold the operations at build time with its own rules.
 */
#include "numeric.h"
#include "pg_test.h"

static float f32(uint32_t bits) { return pg_f32_from_bits(bits); }
static double f64(uint64_t bits) { return pg_f64_from_bits(bits); }

#define F32_NAN 0x7fc00000u
#define F32_SNAN 0x7fa00000u /* signalling, payload 0x200000 */
#define F64_NAN 0x7ff8000000000000ull

static bool f32_is_nan_bits(uint32_t b) {
  return (b & 0x7f800000u) == 0x7f800000u && (b & 0x007fffffu);
}
static bool f64_is_nan_bits(uint64_t b) {
  return (b & 0x7ff0000000000000ull) == 0x7ff0000000000000ull &&
         (b & 0x000fffffffffffffull);
}

/* ---- division ----------------------------------------------------------- */

static void test_i32_div_rem(void) {
  int32_t s = 7;
  uint32_t u = 7;
  volatile int32_t min = INT32_MIN, minus1 = -1, zero = 0;
  ASSERT_EQ(pg_i32_div_s(min, minus1, &s), PG_TRAP_INT_OVERFLOW);
  ASSERT_EQ(s, 7); /* untouched on a trap */
  ASSERT_EQ(pg_i32_div_s(1, zero, &s), PG_TRAP_DIV_ZERO);
  ASSERT_EQ(pg_i32_div_u(1, (uint32_t)zero, &u), PG_TRAP_DIV_ZERO);
  ASSERT_EQ(pg_i32_rem_s(1, zero, &s), PG_TRAP_DIV_ZERO);
  ASSERT_EQ(pg_i32_rem_u(1, 0, &u), PG_TRAP_DIV_ZERO);
  ASSERT_EQ(pg_i32_rem_s(min, minus1, &s), PG_TRAP_NONE);
  ASSERT_EQ(s, 0);
  ASSERT_EQ(pg_i32_div_s(-7, 2, &s), PG_TRAP_NONE);
  ASSERT_EQ(s, -3); /* truncates toward zero */
  ASSERT_EQ(pg_i32_rem_s(-7, 2, &s), PG_TRAP_NONE);
  ASSERT_EQ(s, -1); /* sign of the dividend */
  ASSERT_EQ(pg_i32_rem_s(7, -2, &s), PG_TRAP_NONE);
  ASSERT_EQ(s, 1);
  ASSERT_EQ(pg_i32_div_u(0x80000000u, 2, &u), PG_TRAP_NONE);
  ASSERT_EQ(u, 0x40000000u);
  ASSERT_EQ(pg_i32_div_u((uint32_t)-5, 2, &u), PG_TRAP_NONE);
  ASSERT_EQ(u, 0x7ffffffdu);
  ASSERT_EQ(pg_i32_rem_u(0x80000000u, (uint32_t)-1, &u), PG_TRAP_NONE);
  ASSERT_EQ(u, 0x80000000u);
}

static void test_i64_div_rem(void) {
  int64_t s = 7;
  uint64_t u = 7;
  volatile int64_t min = INT64_MIN, minus1 = -1, zero = 0;
  ASSERT_EQ(pg_i64_div_s(min, minus1, &s), PG_TRAP_INT_OVERFLOW);
  ASSERT_EQ(pg_i64_div_s(1, zero, &s), PG_TRAP_DIV_ZERO);
  ASSERT_EQ(pg_i64_div_u(1, 0, &u), PG_TRAP_DIV_ZERO);
  ASSERT_EQ(pg_i64_rem_s(1, zero, &s), PG_TRAP_DIV_ZERO);
  ASSERT_EQ(pg_i64_rem_u(1, 0, &u), PG_TRAP_DIV_ZERO);
  ASSERT_EQ(pg_i64_rem_s(min, minus1, &s), PG_TRAP_NONE);
  ASSERT_EQ(s, 0);
  ASSERT_EQ(pg_i64_div_s(min, 2, &s), PG_TRAP_NONE);
  ASSERT_EQ(s, INT64_MIN / 2);
  ASSERT_EQ(pg_i64_rem_s(-7, 2, &s), PG_TRAP_NONE);
  ASSERT_EQ(s, -1);
  ASSERT_EQ(pg_i64_div_u(0x8000000000000000ull, 2, &u), PG_TRAP_NONE);
  ASSERT_U64_EQ(u, 0x4000000000000000ull);
  ASSERT_EQ(pg_i64_rem_u(0x8000000000000001ull, 0x10, &u), PG_TRAP_NONE);
  ASSERT_EQ(u, 1);
}

/* ---- bits ---------------------------------------------------------------- */

static void test_bit_ops(void) {
  volatile uint32_t z32 = 0;
  volatile uint64_t z64 = 0;
  ASSERT_EQ(pg_i32_clz(z32), 32);
  ASSERT_EQ(pg_i32_ctz(z32), 32);
  ASSERT_EQ(pg_i64_clz(z64), 64);
  ASSERT_EQ(pg_i64_ctz(z64), 64);
  ASSERT_EQ(pg_i32_clz(1), 31);
  ASSERT_EQ(pg_i32_ctz(0x80000000u), 31);
  ASSERT_EQ(pg_i64_clz(1), 63);
  ASSERT_EQ(pg_i64_ctz(0x8000000000000000ull), 63);
  ASSERT_EQ(pg_i32_popcnt(0xffffffffu), 32);
  ASSERT_EQ(pg_i64_popcnt(0xAAAAAAAA55555555ull), 32);
  ASSERT_EQ(pg_i32_rotl(0xfe00dc00u, 4), 0xe00dc00fu);
  ASSERT_EQ(pg_i32_rotr(0xb0c1d2e3u, 5), 0x1d860e97u);
  ASSERT_EQ(pg_i32_rotl(0xabcd9876u, 0), 0xabcd9876u);
  ASSERT_EQ(pg_i32_rotl(1, 32), 1);
  ASSERT_EQ(pg_i32_rotr(1, 33), 0x80000000u);
  ASSERT_U64_EQ(pg_i64_rotl(0xabd1234ef567809cull, 63), 0x55e891a77ab3c04eull);
  ASSERT_U64_EQ(pg_i64_rotr(0xabcd1234ef567809ull, 53), 0x6891a77ab3c04d5eull);
  ASSERT_U64_EQ(pg_i64_rotl(1, 64), 1);
  ASSERT_U64_EQ(pg_i64_rotr(1, 0), 1);
}

/* ---- trapping truncation ------------------------------------------------- */

static void test_trunc_f32_to_i32(void) {
  int32_t s;
  uint32_t u;
  ASSERT_EQ(pg_i32_trunc_f32_s(-2147483648.0f, &s), PG_TRAP_NONE);
  ASSERT_EQ(s, INT32_MIN);
  ASSERT_EQ(pg_i32_trunc_f32_s(2147483520.0f, &s), PG_TRAP_NONE);
  ASSERT_EQ(s, 2147483520);
  ASSERT_EQ(pg_i32_trunc_f32_s(-1.9f, &s), PG_TRAP_NONE);
  ASSERT_EQ(s, -1);
  ASSERT_EQ(pg_i32_trunc_f32_s(2147483648.0f, &s), PG_TRAP_INT_OVERFLOW);
  ASSERT_EQ(pg_i32_trunc_f32_s(-2147483904.0f, &s), PG_TRAP_INT_OVERFLOW);
  ASSERT_EQ(pg_i32_trunc_f32_s(INFINITY, &s), PG_TRAP_INT_OVERFLOW);
  ASSERT_EQ(pg_i32_trunc_f32_s(-INFINITY, &s), PG_TRAP_INT_OVERFLOW);
  ASSERT_EQ(pg_i32_trunc_f32_s(f32(F32_NAN), &s), PG_TRAP_BAD_CONVERSION);
  ASSERT_EQ(pg_i32_trunc_f32_s(f32(0xffa00000u), &s), PG_TRAP_BAD_CONVERSION);
  ASSERT_EQ(pg_i32_trunc_f32_u(4294967040.0f, &u), PG_TRAP_NONE);
  ASSERT_EQ(u, 4294967040u);
  ASSERT_EQ(pg_i32_trunc_f32_u(-0.9f, &u), PG_TRAP_NONE);
  ASSERT_EQ(u, 0);
  ASSERT_EQ(pg_i32_trunc_f32_u(4294967296.0f, &u), PG_TRAP_INT_OVERFLOW);
  ASSERT_EQ(pg_i32_trunc_f32_u(-1.0f, &u), PG_TRAP_INT_OVERFLOW);
  ASSERT_EQ(pg_i32_trunc_f32_u(f32(F32_NAN), &u), PG_TRAP_BAD_CONVERSION);
}

static void test_trunc_f64_to_i32(void) {
  int32_t s;
  uint32_t u;
  ASSERT_EQ(pg_i32_trunc_f64_s(-2147483648.9, &s), PG_TRAP_NONE);
  ASSERT_EQ(s, INT32_MIN);
  ASSERT_EQ(pg_i32_trunc_f64_s(2147483647.9, &s), PG_TRAP_NONE);
  ASSERT_EQ(s, INT32_MAX);
  ASSERT_EQ(pg_i32_trunc_f64_s(2147483648.0, &s), PG_TRAP_INT_OVERFLOW);
  ASSERT_EQ(pg_i32_trunc_f64_s(-2147483649.0, &s), PG_TRAP_INT_OVERFLOW);
  ASSERT_EQ(pg_i32_trunc_f64_s(f64(F64_NAN), &s), PG_TRAP_BAD_CONVERSION);
  ASSERT_EQ(pg_i32_trunc_f64_u(4294967295.9, &u), PG_TRAP_NONE);
  ASSERT_EQ(u, 4294967295u);
  ASSERT_EQ(pg_i32_trunc_f64_u(-0.9, &u), PG_TRAP_NONE);
  ASSERT_EQ(u, 0);
  ASSERT_EQ(pg_i32_trunc_f64_u(f64(0xbfefffffffffffffull), &u), PG_TRAP_NONE);
  ASSERT_EQ(u, 0);
  ASSERT_EQ(pg_i32_trunc_f64_u(4294967296.0, &u), PG_TRAP_INT_OVERFLOW);
  ASSERT_EQ(pg_i32_trunc_f64_u(-1.0, &u), PG_TRAP_INT_OVERFLOW);
  ASSERT_EQ(pg_i32_trunc_f64_u(1e16, &u), PG_TRAP_INT_OVERFLOW);
}

static void test_trunc_to_i64(void) {
  int64_t s;
  uint64_t u;
  ASSERT_EQ(pg_i64_trunc_f32_s(-9223372036854775808.0f, &s), PG_TRAP_NONE);
  ASSERT_EQ(s, INT64_MIN);
  ASSERT_EQ(pg_i64_trunc_f32_s(9223371487098961920.0f, &s), PG_TRAP_NONE);
  ASSERT_EQ(s, 9223371487098961920ll);
  ASSERT_EQ(pg_i64_trunc_f32_s(9223372036854775808.0f, &s),
            PG_TRAP_INT_OVERFLOW);
  ASSERT_EQ(pg_i64_trunc_f32_s(-9223373136366403584.0f, &s),
            PG_TRAP_INT_OVERFLOW);
  ASSERT_EQ(pg_i64_trunc_f32_u(18446742974197923840.0f, &u), PG_TRAP_NONE);
  ASSERT_U64_EQ(u, 18446742974197923840ull);
  ASSERT_EQ(pg_i64_trunc_f32_u(18446744073709551616.0f, &u),
            PG_TRAP_INT_OVERFLOW);
  ASSERT_EQ(pg_i64_trunc_f32_u(-0.9f, &u), PG_TRAP_NONE);
  ASSERT_EQ(u, 0);
  ASSERT_EQ(pg_i64_trunc_f32_u(-1.0f, &u), PG_TRAP_INT_OVERFLOW);
  ASSERT_EQ(pg_i64_trunc_f64_s(-9223372036854775808.0, &s), PG_TRAP_NONE);
  ASSERT_EQ(s, INT64_MIN);
  ASSERT_EQ(pg_i64_trunc_f64_s(9223372036854774784.0, &s), PG_TRAP_NONE);
  ASSERT_EQ(s, 9223372036854774784ll);
  ASSERT_EQ(pg_i64_trunc_f64_s(9223372036854775808.0, &s),
            PG_TRAP_INT_OVERFLOW);
  ASSERT_EQ(pg_i64_trunc_f64_s(-9223372036854777856.0, &s),
            PG_TRAP_INT_OVERFLOW);
  ASSERT_EQ(pg_i64_trunc_f64_u(18446744073709549568.0, &u), PG_TRAP_NONE);
  ASSERT_U64_EQ(u, 18446744073709549568ull);
  ASSERT_EQ(pg_i64_trunc_f64_u(18446744073709551616.0, &u),
            PG_TRAP_INT_OVERFLOW);
  ASSERT_EQ(pg_i64_trunc_f64_u(-1.0, &u), PG_TRAP_INT_OVERFLOW);
  ASSERT_EQ(pg_i64_trunc_f64_u(f64(F64_NAN), &u), PG_TRAP_BAD_CONVERSION);
}

/* ---- saturating truncation ----------------------------------------------- */

static void test_trunc_sat(void) {
  ASSERT_EQ(pg_i32_trunc_sat_f32_s(f32(F32_NAN)), 0);
  ASSERT_EQ(pg_i32_trunc_sat_f32_s(2147483648.0f), INT32_MAX);
  ASSERT_EQ(pg_i32_trunc_sat_f32_s(-2147483904.0f), INT32_MIN);
  ASSERT_EQ(pg_i32_trunc_sat_f32_s(-2147483648.0f), INT32_MIN);
  ASSERT_EQ(pg_i32_trunc_sat_f32_s(-INFINITY), INT32_MIN);
  ASSERT_EQ(pg_i32_trunc_sat_f32_u(4294967296.0f), UINT32_MAX);
  ASSERT_EQ(pg_i32_trunc_sat_f32_u(-1.0f), 0);
  ASSERT_EQ(pg_i32_trunc_sat_f32_u(-0.9f), 0);
  ASSERT_EQ(pg_i32_trunc_sat_f32_u(4294967040.0f), 4294967040u);
  ASSERT_EQ(pg_i32_trunc_sat_f64_s(2147483647.9), INT32_MAX);
  ASSERT_EQ(pg_i32_trunc_sat_f64_s(-2147483648.9), INT32_MIN);
  ASSERT_EQ(pg_i32_trunc_sat_f64_s(-2147483649.0), INT32_MIN);
  ASSERT_EQ(pg_i32_trunc_sat_f64_s(1e30), INT32_MAX);
  ASSERT_EQ(pg_i32_trunc_sat_f64_s(f64(F64_NAN)), 0);
  ASSERT_EQ(pg_i32_trunc_sat_f64_u(4294967295.9), UINT32_MAX);
  ASSERT_EQ(pg_i32_trunc_sat_f64_u(1e16), UINT32_MAX);
  ASSERT_EQ(pg_i32_trunc_sat_f64_u(-1e16), 0);
  ASSERT_EQ(pg_i64_trunc_sat_f32_s(9223372036854775808.0f), INT64_MAX);
  ASSERT_EQ(pg_i64_trunc_sat_f32_s(-INFINITY), INT64_MIN);
  ASSERT_EQ(pg_i64_trunc_sat_f32_s(f32(F32_NAN)), 0);
  ASSERT_U64_EQ(pg_i64_trunc_sat_f32_u(18446744073709551616.0f), UINT64_MAX);
  ASSERT_U64_EQ(pg_i64_trunc_sat_f32_u(-INFINITY), 0);
  ASSERT_EQ(pg_i64_trunc_sat_f64_s(9223372036854775808.0), INT64_MAX);
  ASSERT_EQ(pg_i64_trunc_sat_f64_s(-9223372036854777856.0), INT64_MIN);
  ASSERT_EQ(pg_i64_trunc_sat_f64_s(-9223372036854775808.0), INT64_MIN);
  ASSERT_U64_EQ(pg_i64_trunc_sat_f64_u(18446744073709551616.0), UINT64_MAX);
  ASSERT_U64_EQ(pg_i64_trunc_sat_f64_u(18446744073709549568.0),
                18446744073709549568ull);
  ASSERT_U64_EQ(pg_i64_trunc_sat_f64_u(f64(F64_NAN)), 0);
}

/* ---- min / max ----------------------------------------------------------- */

static void test_min_max(void) {
  volatile float pz = 0.0f, nz = -0.0f;
  ASSERT_EQ(pg_f32_bits(pg_f32_min(pz, nz)), 0x80000000u);
  ASSERT_EQ(pg_f32_bits(pg_f32_min(nz, pz)), 0x80000000u);
  ASSERT_EQ(pg_f32_bits(pg_f32_max(pz, nz)), 0);
  ASSERT_EQ(pg_f32_bits(pg_f32_max(nz, pz)), 0);
  ASSERT_TRUE(f32_is_nan_bits(pg_f32_bits(pg_f32_min(f32(F32_NAN), 1.0f))));
  ASSERT_TRUE(f32_is_nan_bits(pg_f32_bits(pg_f32_max(1.0f, f32(F32_NAN)))));
  ASSERT_TRUE(f32_is_nan_bits(pg_f32_bits(pg_f32_min(-INFINITY, f32(F32_NAN)))));
  /* a signalling NaN in gives a quiet (arithmetic) NaN out */
  ASSERT_TRUE(pg_f32_bits(pg_f32_max(f32(F32_SNAN), 0.0f)) & 0x00400000u);
  ASSERT_TRUE(pg_f32_min(-INFINITY, 1.0f) == -INFINITY);
  ASSERT_TRUE(pg_f32_max(-INFINITY, 1.0f) == 1.0f);
  volatile double dpz = 0.0, dnz = -0.0;
  ASSERT_U64_EQ(pg_f64_bits(pg_f64_min(dpz, dnz)), 0x8000000000000000ull);
  ASSERT_U64_EQ(pg_f64_bits(pg_f64_max(dnz, dpz)), 0);
  ASSERT_TRUE(f64_is_nan_bits(pg_f64_bits(pg_f64_min(f64(F64_NAN), 1.0))));
  ASSERT_TRUE(f64_is_nan_bits(pg_f64_bits(pg_f64_max(0.0, f64(F64_NAN)))));
  ASSERT_TRUE(pg_f64_min(2.0, -3.0) == -3.0);
  ASSERT_TRUE(pg_f64_max(2.0, -3.0) == 2.0);
}

/* ---- rounding ------------------------------------------------------------ */

static void test_nearest(void) {
  ASSERT_EQ(pg_f32_bits(pg_f32_nearest(0.5f)), pg_f32_bits(0.0f));
  ASSERT_EQ(pg_f32_bits(pg_f32_nearest(-0.5f)), 0x80000000u);
  ASSERT_TRUE(pg_f32_nearest(1.5f) == 2.0f);
  ASSERT_TRUE(pg_f32_nearest(2.5f) == 2.0f);
  ASSERT_TRUE(pg_f32_nearest(-3.5f) == -4.0f);
  ASSERT_TRUE(pg_f32_nearest(f32(0x40c90fdbu)) == 6.0f); /* 0x1.921fb6p+2 */
  ASSERT_EQ(pg_f32_bits(pg_f32_nearest(f32(0x80000001u))), 0x80000000u);
  ASSERT_TRUE(pg_f32_nearest(8388609.0f) == 8388609.0f);
  ASSERT_TRUE(pg_f32_nearest(INFINITY) == INFINITY);
  ASSERT_TRUE(f32_is_nan_bits(pg_f32_bits(pg_f32_nearest(f32(F32_NAN)))));
  ASSERT_TRUE(pg_f64_nearest(4.5) == 4.0);
  ASSERT_TRUE(pg_f64_nearest(-4.5) == -4.0);
  ASSERT_U64_EQ(pg_f64_bits(pg_f64_nearest(-0.5)), 0x8000000000000000ull);
  ASSERT_TRUE(pg_f64_nearest(4503599627370497.0) == 4503599627370497.0);
  ASSERT_EQ(pg_f32_bits(pg_f32_ceil(-0.5f)), 0x80000000u);
  ASSERT_EQ(pg_f32_bits(pg_f32_floor(0.5f)), 0);
  ASSERT_EQ(pg_f32_bits(pg_f32_trunc(-0.5f)), 0x80000000u);
  ASSERT_TRUE(pg_f64_floor(-0.5) == -1.0);
  ASSERT_TRUE(pg_f64_ceil(0.5) == 1.0);
  ASSERT_TRUE(pg_f64_sqrt(4.0) == 2.0);
  ASSERT_U64_EQ(pg_f64_bits(pg_f64_sqrt(-0.0)), 0x8000000000000000ull);
  ASSERT_TRUE(f64_is_nan_bits(pg_f64_bits(pg_f64_sqrt(-1.0))));
}

/* ---- sign bits ----------------------------------------------------------- */

static void test_sign_ops_keep_payload(void) {
  ASSERT_EQ(pg_f32_bits(pg_f32_neg(f32(F32_SNAN))), 0xffa00000u);
  ASSERT_EQ(pg_f32_bits(pg_f32_abs(f32(0xffa00000u))), F32_SNAN);
  ASSERT_EQ(pg_f32_bits(pg_f32_copysign(f32(F32_SNAN), -1.0f)), 0xffa00000u);
  ASSERT_EQ(pg_f32_bits(pg_f32_copysign(1.0f, f32(0xffc00000u))), 0xbf800000u);
  ASSERT_EQ(pg_f32_bits(pg_f32_neg(0.0f)), 0x80000000u);
  ASSERT_U64_EQ(pg_f64_bits(pg_f64_neg(f64(0x7ff4000000000000ull))),
                0xfff4000000000000ull);
  ASSERT_U64_EQ(pg_f64_bits(pg_f64_abs(f64(0xfff4000000000000ull))),
                0x7ff4000000000000ull);
  ASSERT_U64_EQ(pg_f64_bits(pg_f64_copysign(2.0, -0.0)),
                0xc000000000000000ull);
}

/* ---- int -> float ------------------------------------------------------- */

static void test_convert(void) {
  volatile int64_t big = 9007199791611905ll;
  ASSERT_TRUE(pg_f32_convert_i64_s(big) == 9007200328482816.0f);
  volatile uint64_t ubig = 0xffffffffffffffffull;
  ASSERT_TRUE(pg_f32_convert_i64_u(ubig) == 18446744073709551616.0f);
  volatile uint64_t mid = 0x8000008000000001ull; /* just above a tie */
  ASSERT_EQ(pg_f32_bits(pg_f32_convert_i64_u(mid)), 0x5f000001u);
  volatile uint64_t tie = 0x8000008000000000ull; /* tie: to even */
  ASSERT_EQ(pg_f32_bits(pg_f32_convert_i64_u(tie)), 0x5f000000u);
  volatile uint64_t d = 0x8000000000000401ull;
  ASSERT_U64_EQ(pg_f64_bits(pg_f64_convert_i64_u(d)), 0x43e0000000000001ull);
  volatile uint32_t u = 0xffffffffu;
  ASSERT_TRUE(pg_f32_convert_i32_u(u) == 4294967296.0f);
  ASSERT_TRUE(pg_f64_convert_i32_u(u) == 4294967295.0);
  volatile int32_t s = 16777217;
  ASSERT_TRUE(pg_f32_convert_i32_s(s) == 16777216.0f);
}

int main(void) {
  PG_RUN(test_i32_div_rem);
  PG_RUN(test_i64_div_rem);
  PG_RUN(test_bit_ops);
  PG_RUN(test_trunc_f32_to_i32);
  PG_RUN(test_trunc_f64_to_i32);
  PG_RUN(test_trunc_to_i64);
  PG_RUN(test_trunc_sat);
  PG_RUN(test_min_max);
  PG_RUN(test_nearest);
  PG_RUN(test_sign_ops_keep_payload);
  PG_RUN(test_convert);
  return PG_DONE();
}
