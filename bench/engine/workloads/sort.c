/*
 * sort: a hand-written quicksort (median of three, insertion sort for short
 * runs) of pseudo-random 32-bit integers. Not libc's qsort, because glibc
 * and wasi-libc use different algorithms and the comparison would say
 * nothing about the engine. Measures unpredictable branches, array loads
 * and stores, and recursion.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_size.h"

static void insertion_sort(int32_t *a, long n)
{
  for (long i = 1; i < n; i++) {
    int32_t v = a[i];
    long j = i - 1;
    while (j >= 0 && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}

static void swap(int32_t *a, int32_t *b)
{
  int32_t t = *a;
  *a = *b;
  *b = t;
}

static int32_t median_of_three(int32_t *a, long n)
{
  long mid = n / 2;
  if (a[mid] < a[0])
    swap(&a[mid], &a[0]);
  if (a[n - 1] < a[0])
    swap(&a[n - 1], &a[0]);
  if (a[n - 1] < a[mid])
    swap(&a[n - 1], &a[mid]);
  return a[mid];
}

/* Sorts a[0..n) ascending. Recurses into the smaller half only, so the
 * depth stays logarithmic. */
static void quicksort(int32_t *a, long n)
{
  while (n > 16) {
    int32_t pivot = median_of_three(a, n);
    long i = 0, j = n - 1;
    for (;;) {
      while (a[i] < pivot)
        i++;
      while (a[j] > pivot)
        j--;
      if (i >= j)
        break;
      swap(&a[i++], &a[j--]);
    }
    long left = j + 1;
    if (left < n - left) {
      quicksort(a, left);
      a += left;
      n -= left;
    } else {
      quicksort(a + left, n - left);
      n = left;
    }
  }
  insertion_sort(a, n);
}

int main(int argc, char **argv)
{
  long n = bench_size(argc, argv, 1500000, 2000);
  int32_t *a = malloc((size_t)n * sizeof *a);
  if (!a)
    return 1;
  uint32_t x = 88172645u;
  for (long i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    a[i] = (int32_t)x;
  }
  quicksort(a, n);
  uint64_t h = 0;
  long unsorted = 0;
  for (long i = 0; i < n; i++) {
    h = h * 1000003u + (uint32_t)a[i];
    unsorted += i > 0 && a[i - 1] > a[i];
  }
  printf("sort(%ld): %ld out of order, hash %016llx\n", n, unsorted,
         (unsigned long long)h);
  free(a);
  return 0;
}
