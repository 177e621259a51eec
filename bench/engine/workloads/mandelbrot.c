/*
 * mandelbrot: escape-time iteration over a grid of points. Double-precision
 * multiply/add/compare in a tight loop with the state held in locals:
 * measures floating-point dispatch.
 */
#include <stdio.h>

#include "bench_size.h"

enum { MAX_ITER = 200 };

static unsigned escape_time(double cr, double ci)
{
  double zr = 0.0, zi = 0.0;
  unsigned iter = 0;
  while (iter < MAX_ITER && zr * zr + zi * zi <= 4.0) {
    double next_r = zr * zr - zi * zi + cr;
    zi = 2.0 * zr * zi + ci;
    zr = next_r;
    iter++;
  }
  return iter;
}

int main(int argc, char **argv)
{
  unsigned side = (unsigned)bench_size(argc, argv, 800, 40);
  unsigned long total = 0, inside = 0;
  for (unsigned y = 0; y < side; y++) {
    double ci = -1.25 + 2.5 * y / side;
    for (unsigned x = 0; x < side; x++) {
      double cr = -2.0 + 2.5 * x / side;
      unsigned iter = escape_time(cr, ci);
      total += iter;
      inside += iter == MAX_ITER;
    }
  }
  printf("mandelbrot(%ux%u): %lu iterations, %lu points inside\n", side, side,
         total, inside);
  return 0;
}
