/*
 * fib: naive doubly recursive Fibonacci. Measures the cost of a call and a
 * return (almost nothing else happens per call), the path a wasm engine
 * takes for every function call.
 */
#include <stdio.h>

#include "bench_size.h"

static unsigned fib(unsigned n)
{
  if (n < 2)
    return n;
  return fib(n - 1) + fib(n - 2);
}

int main(int argc, char **argv)
{
  /* volatile: keep the compiler from folding the argument into a constant */
  volatile unsigned n = (unsigned)bench_size(argc, argv, 38, 15);
  printf("fib(%u) = %u\n", n, fib(n));
  return 0;
}
