/*
 * memhash: memcpy and memmove over buffers, each round followed by an
 * FNV-1a hash of the result. Measures bulk memory operations (libc's
 * memcpy/memmove, or memory.copy where the compiler emits it) and a
 * byte-at-a-time loop of loads, xors and multiplies.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_size.h"

enum { BUFFER_BYTES = 64 * 1024 };

static uint64_t fnv1a(const unsigned char *p, size_t n, uint64_t h)
{
  for (size_t i = 0; i < n; i++) {
    h ^= p[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

/* A deterministic byte pattern (xorshift32). `buf` is borrowed. */
static void fill(unsigned char *buf, size_t n)
{
  uint32_t x = 2463534242u;
  for (size_t i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    buf[i] = (unsigned char)x;
  }
}

int main(int argc, char **argv)
{
  long rounds = bench_size(argc, argv, 1600, 3);
  unsigned char *a = malloc(BUFFER_BYTES), *b = malloc(BUFFER_BYTES);
  if (!a || !b)
    return 1;
  fill(a, BUFFER_BYTES);
  uint64_t h = 0xcbf29ce484222325ULL;
  for (long r = 0; r < rounds; r++) {
    size_t shift = (size_t)(r * 7919) % 4096 + 1;
    memcpy(b, a, BUFFER_BYTES);
    memmove(b + shift, b, BUFFER_BYTES - shift); /* overlapping, forwards */
    memmove(a, b + shift / 2, BUFFER_BYTES - shift / 2); /* backwards */
    for (int copy = 0; copy < 16; copy++) /* many small copies */
      memcpy(b + copy * 4096, a + (copy * 37 + r) % 60000, 4096);
    h = fnv1a(b, BUFFER_BYTES, h);
  }
  printf("memhash(%ld rounds of %d bytes): %016llx\n", rounds, BUFFER_BYTES,
         (unsigned long long)h);
  free(a);
  free(b);
  return 0;
}
