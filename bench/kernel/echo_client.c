/*
 * echo_client.c: the main program of the kernel benchmark. In one run it
 * times the same Echo (100-byte request, 100-byte reply) three ways:
 *   round trip  the generated client stub through the kernel to the
 *               echo_server program and back (what a service call costs);
 *   no kernel   the same generated stub, but its transport calls the
 *               generated dispatch function in this program: encoding,
 *               decoding and the handler, everything except the kernel;
 *   handler     a plain function call of the handler on decoded structs;
 * and prints calls per second, ns per call and the ratios. argv[1] is the
 * number of calls of each kind (default 200000). Exits 1 when an answer is
 * wrong. native.c times the last two natively.
 */
#include <stdio.h>
#include <stdlib.h>

#include "measure.h"
#include "parigot/parigot.h"

int main(int argc, char **argv) {
  long calls = argc > 1 ? atol(argv[1]) : 200000;
  if (calls < 1)
    calls = 1;
  bench_init();
  pg_client kernel_client, local_client = bench_local_client();
  if (parigot_require(bench_v1_EchoService_NAME) != PG_CODE_OK ||
      parigot_run() != PG_CODE_OK ||
      parigot_locate(bench_v1_EchoService_NAME, &kernel_client) !=
          PG_CODE_OK) {
    fprintf(stderr, "echo_client: %s\n", parigot_last_error());
    return 2;
  }
  if (bench_time_stub(&kernel_client, calls / 10 + 1) < 0) /* warm up */
    return 1;
  double round_trip = bench_time_stub(&kernel_client, calls);
  double no_kernel = bench_time_stub(&local_client, calls);
  double handler = bench_time_handler(calls);
  if (round_trip < 0 || no_kernel < 0 || handler < 0)
    return 1;
  printf("bench: %ld calls each, 100-byte request and reply\n", calls);
  bench_report("round trip through the kernel", round_trip, round_trip);
  bench_report("same stub + dispatch, no kernel", no_kernel, round_trip);
  bench_report("plain call of the handler", handler, round_trip);
  /* What crossing programs adds: the SDK's transport and serve loop (wasm,
   * interpreted) plus the syscalls and the kernel's routing. */
  printf("bench: cost of crossing programs: %.1f ns per call (SDK transport "
         "+ syscalls + kernel)\n",
         round_trip - no_kernel);
  return 0;
}
