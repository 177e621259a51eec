/*
 * handler.h: the benchmark's Echo handler (handler.c), shared by the server
 * program, which serves it through the kernel, and the client program,
 * which also calls it directly in the same run as the reference a
 * round trip is measured against.
 */
#ifndef BENCH_KERNEL_HANDLER_H
#define BENCH_KERNEL_HANDLER_H

#include "bench/v1/echo.pg.h"

/* Payload bytes of a request and a reply: with the field's tag and length
 * byte each message is 100 bytes on the wire. */
#define BENCH_PAYLOAD 98

/* Answers `req` (borrowed) with a reply of the same bytes (resp points
 * into the request, which lives in the call's `arena`, borrowed). */
int bench_echo(void *ctx, const bench_v1_Blob *req, bench_v1_Blob *resp,
               pg_arena *arena, const char **errmsg);

extern const bench_v1_EchoService_handlers bench_handlers;

#endif
