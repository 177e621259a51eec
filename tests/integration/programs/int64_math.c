/*
 * int64_math.c: 64-bit (and 32-bit) integer arithmetic: mul/div/mod of
 * signed and unsigned values including negative operands, shifts, wrapping
 * unsigned overflow, bit tricks (popcount, clz, ctz, rotations, byte swap),
 * and a 64-bit hash over many values.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

static uint64_t rotl(uint64_t x, unsigned r) { return (x << r) | (x >> (64 - r)); }

static unsigned popcount(uint64_t x) {
  unsigned n = 0;
  while (x) x &= x - 1, n++;
  return n;
}

static uint64_t splitmix(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static void signed_ops(void) {
  int64_t a[] = {7, -7, INT64_MAX, INT64_MIN + 1, 1000000007, -123456789012345};
  int64_t b[] = {3, -3, 2, 10, -97, 1 << 20};
  for (unsigned i = 0; i < 6; i++)
    for (unsigned j = 0; j < 6; j++) {
      int64_t x = a[i], y = b[j];
      printf("%" PRId64 " %" PRId64 ": / %" PRId64 " %% %" PRId64
             " * %" PRIu64 " >> %" PRId64 "\n",
             x, y, x / y, x % y, (uint64_t)x * (uint64_t)y, x >> (j + 1));
    }
}

static void unsigned_ops(void) {
  uint64_t u = UINT64_MAX;
  printf("max+1 %" PRIu64 " 0-1 %" PRIu64 " max*max %" PRIu64 "\n", u + 1,
         (uint64_t)0 - 1, u * u);
  uint32_t w = 0xFFFFFFF0u;
  printf("u32 wrap %u %u mul %u div %u\n", w + 0x20u, w * 3u, w * w, w / 7u);
  uint64_t x = 0x0123456789ABCDEFull;
  printf("shl %016" PRIx64 " shr %016" PRIx64 " rotl %016" PRIx64 "\n", x << 13,
         x >> 13, rotl(x, 29));
  printf("popcount %u %d clz %d ctz %d bswap %016" PRIx64 "\n", popcount(x),
         __builtin_popcountll(x), __builtin_clzll(x), __builtin_ctzll(x << 8),
         __builtin_bswap64(x));
  int32_t s32 = -5;
  printf("s32: %d %d %d %u\n", s32 / 2, s32 % 2, s32 >> 1, (uint32_t)s32 >> 1);
  printf("mixed: %" PRId64 " %" PRIu64 "\n", (int64_t)s32 * INT64_C(1000000000000),
         (uint64_t)(uint32_t)s32 * 3);
}

static void hash(void) {
  uint64_t state = 42, acc = 0, div_acc = 0;
  for (int i = 0; i < 100000; i++) {
    uint64_t r = splitmix(&state);
    acc ^= rotl(acc, 7) + r;
    uint64_t d = (r >> 40) | 1;
    div_acc += r / d + r % d;
    int64_t sr = (int64_t)r;
    div_acc += (uint64_t)(sr / -(int64_t)d);
  }
  printf("hash %016" PRIx64 " divs %016" PRIx64 "\n", acc, div_acc);
}

int main(void) {
  signed_ops();
  unsigned_ops();
  hash();
  return 0;
}
