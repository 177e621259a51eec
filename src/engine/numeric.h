/*
 * numeric.h: the exact WebAssembly semantics of scalar operations whose C
 * counterparts are undefined, implementation-defined or subtly different.
 *
 * The interpreter (interp.c) calls these by name; everything is static
 * inline so the dispatch loop pays nothing for the indirection. Integer
 * division and float->int truncation return a pg_trap_kind (PG_TRAP_NONE on
 * success) and write *out only on success. Operations that WebAssembly
 * defines on the bits of a float (abs, neg, copysign, reinterpret) work on
 * the bits so that NaN payloads are preserved exactly.
 *
 * Assumptions: IEEE 754 binary32/binary64 floats and the default rounding
 * mode (round to nearest, ties to even), which the engine never changes.
 */
#ifndef PG_ENGINE_NUMERIC_H
#define PG_ENGINE_NUMERIC_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "parigot/engine.h"

/* ---- bit casts ---------------------------------------------------------- */

static inline uint32_t pg_f32_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return u;
}

static inline float pg_f32_from_bits(uint32_t u) {
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

static inline uint64_t pg_f64_bits(double d) {
  uint64_t u;
  memcpy(&u, &d, sizeof u);
  return u;
}

static inline double pg_f64_from_bits(uint64_t u) {
  double d;
  memcpy(&d, &u, sizeof d);
  return d;
}

/* ---- integer division (traps) ------------------------------------------ */

static inline pg_trap_kind pg_i32_div_s(int32_t a, int32_t b, int32_t *out) {
  if (b == 0) return PG_TRAP_DIV_ZERO;
  if (a == INT32_MIN && b == -1) return PG_TRAP_INT_OVERFLOW;
  *out = a / b;
  return PG_TRAP_NONE;
}

static inline pg_trap_kind pg_i32_div_u(uint32_t a, uint32_t b,
                                        uint32_t *out) {
  if (b == 0) return PG_TRAP_DIV_ZERO;
  *out = a / b;
  return PG_TRAP_NONE;
}

/* INT32_MIN % -1 is undefined in C; WebAssembly defines it as 0. */
static inline pg_trap_kind pg_i32_rem_s(int32_t a, int32_t b, int32_t *out) {
  if (b == 0) return PG_TRAP_DIV_ZERO;
  *out = (b == -1) ? 0 : a % b;
  return PG_TRAP_NONE;
}

static inline pg_trap_kind pg_i32_rem_u(uint32_t a, uint32_t b,
                                        uint32_t *out) {
  if (b == 0) return PG_TRAP_DIV_ZERO;
  *out = a % b;
  return PG_TRAP_NONE;
}

static inline pg_trap_kind pg_i64_div_s(int64_t a, int64_t b, int64_t *out) {
  if (b == 0) return PG_TRAP_DIV_ZERO;
  if (a == INT64_MIN && b == -1) return PG_TRAP_INT_OVERFLOW;
  *out = a / b;
  return PG_TRAP_NONE;
}

static inline pg_trap_kind pg_i64_div_u(uint64_t a, uint64_t b,
                                        uint64_t *out) {
  if (b == 0) return PG_TRAP_DIV_ZERO;
  *out = a / b;
  return PG_TRAP_NONE;
}

static inline pg_trap_kind pg_i64_rem_s(int64_t a, int64_t b, int64_t *out) {
  if (b == 0) return PG_TRAP_DIV_ZERO;
  *out = (b == -1) ? 0 : a % b;
  return PG_TRAP_NONE;
}

static inline pg_trap_kind pg_i64_rem_u(uint64_t a, uint64_t b,
                                        uint64_t *out) {
  if (b == 0) return PG_TRAP_DIV_ZERO;
  *out = a % b;
  return PG_TRAP_NONE;
}

/* ---- bit counting and rotation ----------------------------------------- */

static inline uint32_t pg_i32_clz(uint32_t x) {
  return x ? (uint32_t)__builtin_clz(x) : 32;
}
static inline uint32_t pg_i32_ctz(uint32_t x) {
  return x ? (uint32_t)__builtin_ctz(x) : 32;
}
static inline uint32_t pg_i32_popcnt(uint32_t x) {
  return (uint32_t)__builtin_popcount(x);
}
static inline uint64_t pg_i64_clz(uint64_t x) {
  return x ? (uint64_t)__builtin_clzll(x) : 64;
}
static inline uint64_t pg_i64_ctz(uint64_t x) {
  return x ? (uint64_t)__builtin_ctzll(x) : 64;
}
static inline uint64_t pg_i64_popcnt(uint64_t x) {
  return (uint64_t)__builtin_popcountll(x);
}

/* The count is taken modulo the width; the `& (W-1)` on the other shift
 * keeps a count of 0 from shifting by the full width (undefined in C). */
static inline uint32_t pg_i32_rotl(uint32_t x, uint32_t n) {
  n &= 31;
  return (x << n) | (x >> ((32 - n) & 31));
}
static inline uint32_t pg_i32_rotr(uint32_t x, uint32_t n) {
  n &= 31;
  return (x >> n) | (x << ((32 - n) & 31));
}
static inline uint64_t pg_i64_rotl(uint64_t x, uint64_t n) {
  n &= 63;
  return (x << n) | (x >> ((64 - n) & 63));
}
static inline uint64_t pg_i64_rotr(uint64_t x, uint64_t n) {
  n &= 63;
  return (x >> n) | (x << ((64 - n) & 63));
}

/* ---- float -> int, trapping -------------------------------------------- *
 * Each range test is written with bounds that are exactly representable in
 * the source type, so no rounding happens in the comparison: a value is in
 * range for a signed N-bit result when -2^(N-1) <= trunc(x) < 2^(N-1),
 * i.e. x > -2^(N-1) - 1 (or >= -2^(N-1) where -2^(N-1)-1 is not
 * representable) and x < 2^(N-1). Unsigned: x > -1 and x < 2^N. */

static inline pg_trap_kind pg_i32_trunc_f32_s(float x, int32_t *out) {
  if (x != x) return PG_TRAP_BAD_CONVERSION;
  if (!(x >= -2147483648.0f && x < 2147483648.0f))
    return PG_TRAP_INT_OVERFLOW;
  *out = (int32_t)x;
  return PG_TRAP_NONE;
}

static inline pg_trap_kind pg_i32_trunc_f32_u(float x, uint32_t *out) {
  if (x != x) return PG_TRAP_BAD_CONVERSION;
  if (!(x > -1.0f && x < 4294967296.0f)) return PG_TRAP_INT_OVERFLOW;
  *out = (uint32_t)x;
  return PG_TRAP_NONE;
}

static inline pg_trap_kind pg_i32_trunc_f64_s(double x, int32_t *out) {
  if (x != x) return PG_TRAP_BAD_CONVERSION;
  if (!(x > -2147483649.0 && x < 2147483648.0)) return PG_TRAP_INT_OVERFLOW;
  *out = (int32_t)x;
  return PG_TRAP_NONE;
}

static inline pg_trap_kind pg_i32_trunc_f64_u(double x, uint32_t *out) {
  if (x != x) return PG_TRAP_BAD_CONVERSION;
  if (!(x > -1.0 && x < 4294967296.0)) return PG_TRAP_INT_OVERFLOW;
  *out = (uint32_t)x;
  return PG_TRAP_NONE;
}

static inline pg_trap_kind pg_i64_trunc_f32_s(float x, int64_t *out) {
  if (x != x) return PG_TRAP_BAD_CONVERSION;
  if (!(x >= -9223372036854775808.0f && x < 9223372036854775808.0f))
    return PG_TRAP_INT_OVERFLOW;
  *out = (int64_t)x;
  return PG_TRAP_NONE;
}

static inline pg_trap_kind pg_i64_trunc_f32_u(float x, uint64_t *out) {
  if (x != x) return PG_TRAP_BAD_CONVERSION;
  if (!(x > -1.0f && x < 18446744073709551616.0f))
    return PG_TRAP_INT_OVERFLOW;
  *out = (uint64_t)x;
  return PG_TRAP_NONE;
}

static inline pg_trap_kind pg_i64_trunc_f64_s(double x, int64_t *out) {
  if (x != x) return PG_TRAP_BAD_CONVERSION;
  if (!(x >= -9223372036854775808.0 && x < 9223372036854775808.0))
    return PG_TRAP_INT_OVERFLOW;
  *out = (int64_t)x;
  return PG_TRAP_NONE;
}

static inline pg_trap_kind pg_i64_trunc_f64_u(double x, uint64_t *out) {
  if (x != x) return PG_TRAP_BAD_CONVERSION;
  if (!(x > -1.0 && x < 18446744073709551616.0))
    return PG_TRAP_INT_OVERFLOW;
  *out = (uint64_t)x;
  return PG_TRAP_NONE;
}

/* ---- float -> int, saturating (NaN -> 0, clamp to the range) ----------- */

static inline int32_t pg_i32_trunc_sat_f32_s(float x) {
  if (x != x) return 0;
  if (x < -2147483648.0f) return INT32_MIN;
  if (x >= 2147483648.0f) return INT32_MAX;
  return (int32_t)x;
}

static inline uint32_t pg_i32_trunc_sat_f32_u(float x) {
  if (x != x || x <= -1.0f) return 0;
  if (x >= 4294967296.0f) return UINT32_MAX;
  return (uint32_t)x;
}

static inline int32_t pg_i32_trunc_sat_f64_s(double x) {
  if (x != x) return 0;
  if (x <= -2147483649.0) return INT32_MIN;
  if (x >= 2147483648.0) return INT32_MAX;
  return (int32_t)x;
}

static inline uint32_t pg_i32_trunc_sat_f64_u(double x) {
  if (x != x || x <= -1.0) return 0;
  if (x >= 4294967296.0) return UINT32_MAX;
  return (uint32_t)x;
}

static inline int64_t pg_i64_trunc_sat_f32_s(float x) {
  if (x != x) return 0;
  if (x < -9223372036854775808.0f) return INT64_MIN;
  if (x >= 9223372036854775808.0f) return INT64_MAX;
  return (int64_t)x;
}

static inline uint64_t pg_i64_trunc_sat_f32_u(float x) {
  if (x != x || x <= -1.0f) return 0;
  if (x >= 18446744073709551616.0f) return UINT64_MAX;
  return (uint64_t)x;
}

static inline int64_t pg_i64_trunc_sat_f64_s(double x) {
  if (x != x) return 0;
  if (x < -9223372036854775808.0) return INT64_MIN;
  if (x >= 9223372036854775808.0) return INT64_MAX;
  return (int64_t)x;
}

static inline uint64_t pg_i64_trunc_sat_f64_u(double x) {
  if (x != x || x <= -1.0) return 0;
  if (x >= 18446744073709551616.0) return UINT64_MAX;
  return (uint64_t)x;
}

/* ---- sign operations on the bits (NaN payloads untouched) -------------- */

static inline float pg_f32_abs(float x) {
  return pg_f32_from_bits(pg_f32_bits(x) & 0x7FFFFFFFu);
}
static inline float pg_f32_neg(float x) {
  return pg_f32_from_bits(pg_f32_bits(x) ^ 0x80000000u);
}
static inline float pg_f32_copysign(float x, float sign) {
  return pg_f32_from_bits((pg_f32_bits(x) & 0x7FFFFFFFu) |
                          (pg_f32_bits(sign) & 0x80000000u));
}
static inline double pg_f64_abs(double x) {
  return pg_f64_from_bits(pg_f64_bits(x) & 0x7FFFFFFFFFFFFFFFull);
}
static inline double pg_f64_neg(double x) {
  return pg_f64_from_bits(pg_f64_bits(x) ^ 0x8000000000000000ull);
}
static inline double pg_f64_copysign(double x, double sign) {
  return pg_f64_from_bits((pg_f64_bits(x) & 0x7FFFFFFFFFFFFFFFull) |
                          (pg_f64_bits(sign) & 0x8000000000000000ull));
}

/* ---- min / max ---------------------------------------------------------- *
 * NaN if either operand is NaN (a + b yields a quiet NaN built from one of
 * them, which is an arithmetic NaN, canonical when the inputs are); among
 * equal operands the zero signs decide: min(-0, +0) = -0, max = +0. */

static inline float pg_f32_min(float a, float b) {
  if (a != a || b != b) return a + b;
  if (a == b) return pg_f32_from_bits(pg_f32_bits(a) | pg_f32_bits(b));
  return a < b ? a : b;
}
static inline float pg_f32_max(float a, float b) {
  if (a != a || b != b) return a + b;
  if (a == b) return pg_f32_from_bits(pg_f32_bits(a) & pg_f32_bits(b));
  return a > b ? a : b;
}
static inline double pg_f64_min(double a, double b) {
  if (a != a || b != b) return a + b;
  if (a == b) return pg_f64_from_bits(pg_f64_bits(a) | pg_f64_bits(b));
  return a < b ? a : b;
}
static inline double pg_f64_max(double a, double b) {
  if (a != a || b != b) return a + b;
  if (a == b) return pg_f64_from_bits(pg_f64_bits(a) & pg_f64_bits(b));
  return a > b ? a : b;
}

/* ---- rounding ----------------------------------------------------------- *
 * C's ceil/floor/trunc/sqrt already match WebAssembly (signed zeros kept,
 * NaN in -> quiet NaN out). nearest is round-half-to-even: nearbyint in the
 * default rounding mode, which (unlike rint) raises no inexact flag and
 * (unlike round) does not round halves away from zero. */

static inline float pg_f32_ceil(float x) { return __builtin_ceilf(x); }
static inline float pg_f32_floor(float x) { return __builtin_floorf(x); }
static inline float pg_f32_trunc(float x) { return __builtin_truncf(x); }
static inline float pg_f32_nearest(float x) { return __builtin_nearbyintf(x); }
static inline float pg_f32_sqrt(float x) { return __builtin_sqrtf(x); }
static inline double pg_f64_ceil(double x) { return __builtin_ceil(x); }
static inline double pg_f64_floor(double x) { return __builtin_floor(x); }
static inline double pg_f64_trunc(double x) { return __builtin_trunc(x); }
static inline double pg_f64_nearest(double x) { return __builtin_nearbyint(x); }
static inline double pg_f64_sqrt(double x) { return __builtin_sqrt(x); }

/* ---- int -> float ------------------------------------------------------- *
 * Plain C casts round correctly on the targets we build for (x86-64 and
 * aarch64 with clang); these names exist so the interpreter has one place
 * to change if a target ever needs a software path. */

static inline float pg_f32_convert_i32_s(int32_t x) { return (float)x; }
static inline float pg_f32_convert_i32_u(uint32_t x) { return (float)x; }
static inline float pg_f32_convert_i64_s(int64_t x) { return (float)x; }
static inline float pg_f32_convert_i64_u(uint64_t x) { return (float)x; }
static inline double pg_f64_convert_i32_s(int32_t x) { return (double)x; }
static inline double pg_f64_convert_i32_u(uint32_t x) { return (double)x; }
static inline double pg_f64_convert_i64_s(int64_t x) { return (double)x; }
static inline double pg_f64_convert_i64_u(uint64_t x) { return (double)x; }

#endif /* PG_ENGINE_NUMERIC_H */
