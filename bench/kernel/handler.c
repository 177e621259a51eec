/*
 * handler.c: the benchmark's Echo handler (see handler.h): the reply is
 * the request's bytes. It does no work of its own on purpose, so the
 * benchmark measures the call path; a handler that touched every byte
 * (first version: each byte plus one) cost ~1 us in the interpreter and
 * hid the kernel's share behind it.
 */
#include "handler.h"

int bench_echo(void *ctx, const bench_v1_Blob *req, bench_v1_Blob *resp,
               pg_arena *arena, const char **errmsg) {
  (void)ctx;
  (void)arena;
  (void)errmsg;
  resp->data = req->data; /* the request lives in the call's arena too */
  return PG_CODE_OK;
}

const bench_v1_EchoService_handlers bench_handlers = {.Echo = bench_echo};
