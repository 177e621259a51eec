/*
 * measure.h: the timing loops of the kernel benchmark (measure.c), shared
 * by the guest client (echo_client.c: compiled to wasm32, its stub goes
 * through the kernel) and the native reference (native.c: the same
 * generated code compiled for the host), so both time exactly the same
 * code.
 */
#ifndef BENCH_KERNEL_MEASURE_H
#define BENCH_KERNEL_MEASURE_H

#include "handler.h"

/* Fills the request payload; call once before measuring. */
void bench_init(void);

/* Makes `calls` Echo calls through `client` (borrowed) with the generated
 * stub; returns ns per call, or a negative number after printing the
 * first failure or wrong answer. */
double bench_time_stub(const pg_client *client, long calls);

/* Calls the handler directly `calls` times; ns per call. */
double bench_time_handler(long calls);

/* A client whose transport calls the generated dispatch function in this
 * program: the stub's whole path without any kernel. */
pg_client bench_local_client(void);

/* Prints one result line: ns per call, calls per second and how many
 * times faster than `round_trip_ns` it is. */
void bench_report(const char *what, double ns, double round_trip_ns);

#endif
