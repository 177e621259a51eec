/*
 * fuzz_proto.c: libFuzzer target for the generated protobuf decoder (the
 * parser of untrusted payloads every guest runs). Any bytes are decoded as
 * several message types into a small arena; decode must never read or
 * write out of bounds (ASan) and, when it succeeds, encoding the result
 * and decoding that again must give the same bytes (a round-trip check of
 * the encoder against the decoder).
 */
#include <stdio.h>
#include <stdlib.h>

#include "everything.pg.h"
#include "file/v1/file.pg.h"
#include "log/v1/log.pg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static _Alignas(16) uint8_t msg[2][4096];
static uint8_t arena_mem[2][1 << 16];

static void round_trip(const pg_message_type *type, const uint8_t *data,
                       size_t size) {
  pg_arena arena;
  pg_arena_init(&arena, arena_mem[0], sizeof arena_mem[0]);
  if (type->decode(msg[0], data, size, &arena, NULL) != PG_WIRE_OK)
    return;
  size_t n = type->encoded_size(msg[0]);
  uint8_t *once = malloc(n ? n : 1);
  type->write(msg[0], once);
  pg_arena again;
  pg_arena_init(&again, arena_mem[1], sizeof arena_mem[1]);
  pg_wire_status st = type->decode(msg[1], once, n, &again, NULL);
  if (st == PG_WIRE_ARENA_FULL) { /* map entries may grow on re-encode */
    free(once);
    return;
  }
  size_t n2 = type->encoded_size(msg[1]);
  uint8_t *twice = malloc(n2 ? n2 : 1);
  type->write(msg[1], twice);
  if (st != PG_WIRE_OK || n2 != n || memcmp(once, twice, n) != 0) {
    fprintf(stderr, "%s: round trip differs (%s, %zu vs %zu bytes)\n",
            type->full_name, pg_wire_status_str(st), n, n2);
    abort();
  }
  free(once);
  free(twice);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  round_trip(&pgtest_Everything_type, data, size);
  round_trip(&pgtest_Scalars_type, data, size);
  round_trip(&log_v1_LogRequest_type, data, size);
  round_trip(&file_v1_ListResponse_type, data, size);
  return 0;
}
