/*
 * collatz: the longest Collatz chain below a bound. Pure 64-bit integer
 * arithmetic and branches in tight loops, no memory traffic: measures the
 * dispatch cost of simple ALU operations.
 */
#include <stdint.h>
#include <stdio.h>

#include "bench_size.h"

static uint32_t chain_length(uint64_t n)
{
  uint32_t steps = 0;
  while (n != 1) {
    n = (n & 1) ? 3 * n + 1 : n >> 1;
    steps++;
  }
  return steps;
}

int main(int argc, char **argv)
{
  uint64_t limit = (uint64_t)bench_size(argc, argv, 1000000, 2000);
  uint64_t best_start = 1, total = 0;
  uint32_t best_len = 0;
  for (uint64_t i = 1; i < limit; i++) {
    uint32_t len = chain_length(i);
    total += len;
    if (len > best_len) {
      best_len = len;
      best_start = i;
    }
  }
  printf("collatz(<%llu): longest %u steps from %llu, total %llu\n",
         (unsigned long long)limit, best_len, (unsigned long long)best_start,
         (unsigned long long)total);
  return 0;
}
