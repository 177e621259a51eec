/*
 * native.c: the native reference of the kernel benchmark — the same
 * generated stub, dispatch function and handler as echo_client.c's "no
 * kernel" and "handler" lines, compiled for the host instead of wasm32, so
 * run.sh can show what the interpreter costs beside what the kernel costs.
 *
 *   pg_bench_kernel_native CALLS ROUND_TRIP_NS
 * ROUND_TRIP_NS is the kernel round trip measured just before (for the
 * ratio column).
 */
#include <stdio.h>
#include <stdlib.h>

#include "measure.h"

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: pg_bench_kernel_native CALLS ROUND_TRIP_NS\n");
    return 2;
  }
  long calls = atol(argv[1]);
  double round_trip = atof(argv[2]);
  if (calls < 1 || round_trip <= 0) {
    fprintf(stderr, "pg_bench_kernel_native: bad CALLS or ROUND_TRIP_NS\n");
    return 2;
  }
  bench_init();
  pg_client local = bench_local_client();
  if (bench_time_stub(&local, calls / 10 + 1) < 0) /* warm up */
    return 1;
  double stub = bench_time_stub(&local, calls);
  double handler = bench_time_handler(calls);
  if (stub < 0 || handler < 0)
    return 1;
  bench_report("native: same stub + dispatch", stub, round_trip);
  bench_report("native: plain call of the handler", handler, round_trip);
  return 0;
}
