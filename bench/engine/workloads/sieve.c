/*
 * sieve: the sieve of Eratosthenes over a byte array, repeated. Byte loads
 * and stores with a stride, plus a counting pass: measures memory access
 * (and its bounds checks) in loops.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_size.h"

static unsigned count_primes(unsigned char *composite, unsigned limit)
{
  memset(composite, 0, limit);
  for (unsigned i = 2; (unsigned long)i * i < limit; i++)
    if (!composite[i])
      for (unsigned j = i * i; j < limit; j += i)
        composite[j] = 1;
  unsigned count = 0;
  for (unsigned i = 2; i < limit; i++)
    count += !composite[i];
  return count;
}

int main(int argc, char **argv)
{
  unsigned limit = (unsigned)bench_size(argc, argv, 4000000, 5000);
  unsigned rounds = 8;
  unsigned char *composite = malloc(limit);
  if (!composite)
    return 1;
  unsigned long sum = 0;
  for (unsigned r = 0; r < rounds; r++)
    sum += count_primes(composite, limit - r);
  printf("sieve(%u) x%u: %lu primes in total\n", limit, rounds, sum);
  free(composite);
  return 0;
}
