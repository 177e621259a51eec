/*
 * malloc_stress.c: thousands of malloc/calloc/realloc/free calls driven by a
 * fixed pseudo-random sequence; every block is filled with a pattern and
 * checked before it is resized or freed, and a checksum over all contents
 * is printed. Addresses are never printed (they differ by design).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 512
#define ROUNDS 16000

static uint32_t rng_state = 12345;
static uint32_t next_rand(void) {
  rng_state = rng_state * 1103515245u + 12345u;
  return rng_state >> 8;
}

typedef struct slot {
  unsigned char *p;
  size_t len;
  unsigned char seed;
} slot;

static void fill(slot *s) {
  for (size_t i = 0; i < s->len; i++) s->p[i] = (unsigned char)(s->seed + i * 7);
}

static int check(const slot *s, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (s->p[i] != (unsigned char)(s->seed + i * 7)) return 0;
  return 1;
}

static size_t pick_size(void) {
  uint32_t r = next_rand();
  switch (r % 8) {
    case 0: return 0;
    case 1: return 1 + r % 16;
    case 7: return 4096 + r % 20000; /* a few large blocks */
    default: return 1 + r % 700;
  }
}

int main(void) {
  slot slots[SLOTS] = {{0}};
  uint64_t checksum = 0;
  long bad = 0, allocs = 0, reallocs = 0, frees = 0, peak = 0, live = 0;
  for (int round = 0; round < ROUNDS; round++) {
    slot *s = &slots[next_rand() % SLOTS];
    uint32_t op = next_rand() % 3;
    if (s->p && op == 0) { /* free */
      bad += !check(s, s->len);
      live -= (long)s->len;
      free(s->p);
      s->p = NULL;
      frees++;
    } else if (s->p && op == 1) { /* realloc, keeping the prefix */
      size_t len = pick_size() + 1;
      size_t keep = len < s->len ? len : s->len;
      unsigned char *q = realloc(s->p, len);
      if (!q) return 3;
      s->p = q;
      bad += !check(s, keep);
      live += (long)len - (long)s->len;
      s->len = len;
      fill(s);
      reallocs++;
    } else if (!s->p) {
      size_t len = pick_size();
      s->p = op == 2 ? calloc(len ? len : 1, 1) : malloc(len ? len : 1);
      if (!s->p) return 3;
      if (op == 2)
        for (size_t i = 0; i < len; i++) bad += s->p[i] != 0;
      s->len = len;
      s->seed = (unsigned char)next_rand();
      fill(s);
      live += (long)len;
      allocs++;
    }
    if (live > peak) peak = live;
  }
  for (int i = 0; i < SLOTS; i++) {
    if (!slots[i].p) continue;
    bad += !check(&slots[i], slots[i].len);
    for (size_t j = 0; j < slots[i].len; j++)
      checksum = checksum * 31 + slots[i].p[j];
    free(slots[i].p);
  }
  /* One big block to make the heap grow past its first pages. */
  size_t big = 3u << 20;
  unsigned char *b = malloc(big);
  if (!b) return 3;
  memset(b, 0xA5, big);
  for (size_t i = 0; i < big; i += 4096) checksum += b[i];
  free(b);
  printf("allocs %ld reallocs %ld frees %ld peak %ld bytes\n", allocs, reallocs,
         frees, peak);
  printf("checksum %016llx, %ld corrupt blocks\n", (unsigned long long)checksum,
         bad);
  return bad != 0;
}
