/*
 * matmul: dense double-precision matrix multiply (i-k-j loop order) of two
 * square matrices. Measures f64 loads, stores and multiply-adds with
 * address arithmetic in a triple loop.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench_size.h"

int main(int argc, char **argv)
{
  long n = bench_size(argc, argv, 600, 12);
  double *a = malloc((size_t)(n * n) * sizeof *a);
  double *b = malloc((size_t)(n * n) * sizeof *b);
  double *c = calloc((size_t)(n * n), sizeof *c);
  if (!a || !b || !c)
    return 1;
  for (long i = 0; i < n * n; i++) {
    a[i] = (double)(i % 17) - 8.0;
    b[i] = (double)(i % 13) * 0.25;
  }
  for (long i = 0; i < n; i++)
    for (long k = 0; k < n; k++) {
      double aik = a[i * n + k];
      for (long j = 0; j < n; j++)
        c[i * n + j] += aik * b[k * n + j];
    }
  double trace = 0, sum = 0;
  for (long i = 0; i < n; i++)
    trace += c[i * n + i];
  for (long i = 0; i < n * n; i++)
    sum += c[i];
  printf("matmul(%ldx%ld): trace %.3f, sum %.3f\n", n, n, trace, sum);
  free(a);
  free(b);
  free(c);
  return 0;
}
