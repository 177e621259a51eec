/*
 * bench_proto.c: encode and decode throughput of protoc-gen-parigot's C
 * beside libprotobuf-c, on the same ~1 KiB message (bench.proto), in the
 * same run. Each side is timed best-of-N (the machine is shared, so the
 * best run is the least disturbed one); MB/s counts encoded bytes.
 *   encode: parigot NAME_encode (size pass + write) vs protobuf-c
 *           get_packed_size + pack
 *   decode: parigot NAME_decode into a reset arena vs protobuf-c unpack +
 *           free_unpacked (its default malloc allocator)
 * Both encoders must produce identical bytes; the run fails otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.pb-c.h"
#include "bench.pg.h"

enum { SPANS = 4, ATTRS = 4, COUNTERS = 6, ROUNDS = 7 };

static const char *const attr_keys[ATTRS] = {"http.method", "http.status_code",
                                             "db.statement", "user_agent"};
static const char *const attr_values[ATTRS] = {
    "GET", "200", "SELECT id, total, currency FROM orders WHERE id = $1",
    "Mozilla/5.0 (X11; Linux x86_64) parigot-bench/1.0"};
static const int64_t counters[COUNTERS] = {1, -2, 300, 40000, -5000000,
                                           6000000000};
static const uint8_t checksum[32] = {0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4};

/* ---- the message, built for each library ---- */
static bench_Attribute pg_attrs[SPANS][ATTRS];
static bench_Span pg_spans[SPANS];
static bench_Batch pg_batch;

static void build_pg(void) {
  for (int s = 0; s < SPANS; s++) {
    bench_Span *sp = &pg_spans[s];
    for (int a = 0; a < ATTRS; a++) {
      pg_attrs[s][a].key = pg_str(attr_keys[a]);
      pg_attrs[s][a].value = pg_str(attr_values[a]);
    }
    sp->trace_id_hi = 0x0123456789abcdefull;
    sp->trace_id_lo = 0xfedcba9876543210ull;
    sp->span_id = 1000 + (uint64_t)s;
    sp->parent_id = s ? 1000 : 0;
    sp->name = pg_str("GET /api/v1/orders/{id}");
    sp->start_unix_nanos = 1700000000123456789ll + s;
    sp->duration_nanos = 1234567;
    sp->status = s == 3 ? 13 : 0;
    sp->n_attributes = ATTRS;
    sp->attributes = pg_attrs[s];
    sp->n_counters = COUNTERS;
    sp->counters = (int64_t *)counters;
    sp->sample_rate = 0.125;
    sp->sampled = true;
  }
  pg_batch.service = pg_str("checkout-service");
  pg_batch.host = pg_str("node-17.eu-west.example.internal");
  pg_batch.pid = 4242;
  pg_batch.n_spans = SPANS;
  pg_batch.spans = pg_spans;
  pg_batch.checksum.data = checksum;
  pg_batch.checksum.len = sizeof checksum;
}

static Bench__Attribute c_attrs[SPANS][ATTRS];
static Bench__Attribute *c_attr_ptrs[SPANS][ATTRS];
static Bench__Span c_spans[SPANS];
static Bench__Span *c_span_ptrs[SPANS];
static Bench__Batch c_batch = BENCH__BATCH__INIT;

static void build_protobuf_c(void) {
  for (int s = 0; s < SPANS; s++) {
    Bench__Span *sp = &c_spans[s];
    bench__span__init(sp);
    for (int a = 0; a < ATTRS; a++) {
      bench__attribute__init(&c_attrs[s][a]);
      c_attrs[s][a].key = (char *)attr_keys[a];
      c_attrs[s][a].value = (char *)attr_values[a];
      c_attr_ptrs[s][a] = &c_attrs[s][a];
    }
    sp->trace_id_hi = pg_spans[s].trace_id_hi;
    sp->trace_id_lo = pg_spans[s].trace_id_lo;
    sp->span_id = pg_spans[s].span_id;
    sp->parent_id = pg_spans[s].parent_id;
    sp->name = (char *)pg_spans[s].name.data;
    sp->start_unix_nanos = pg_spans[s].start_unix_nanos;
    sp->duration_nanos = pg_spans[s].duration_nanos;
    sp->status = pg_spans[s].status;
    sp->n_attributes = ATTRS;
    sp->attributes = c_attr_ptrs[s];
    sp->n_counters = COUNTERS;
    sp->counters = (int64_t *)counters;
    sp->sample_rate = pg_spans[s].sample_rate;
    sp->sampled = 1;
    c_span_ptrs[s] = sp;
  }
  c_batch.service = (char *)pg_batch.service.data;
  c_batch.host = (char *)pg_batch.host.data;
  c_batch.pid = pg_batch.pid;
  c_batch.n_spans = SPANS;
  c_batch.spans = c_span_ptrs;
  c_batch.checksum.data = (uint8_t *)checksum;
  c_batch.checksum.len = sizeof checksum;
}

/* ---- timing ---- */
static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint8_t out[8192];
static uint8_t arena_mem[1 << 16];
static const uint8_t *wire; /* the message's bytes, for the decoders */
static size_t wire_len;
static volatile size_t sink;

static void pg_encode_once(void) {
  size_t n;
  bench_Batch_encode(&pg_batch, out, sizeof out, &n);
  sink += n + out[n - 1];
}

static void c_encode_once(void) {
  size_t n = bench__batch__get_packed_size(&c_batch);
  if (n <= sizeof out)
    bench__batch__pack(&c_batch, out);
  sink += n + out[n - 1];
}

static void pg_decode_once(void) {
  static pg_arena arena;
  static bench_Batch m;
  pg_arena_init(&arena, arena_mem, sizeof arena_mem);
  if (bench_Batch_decode(&m, wire, wire_len, &arena, NULL) == PG_WIRE_OK)
    sink += m.spans[SPANS - 1].n_attributes;
}

static void c_decode_once(void) {
  Bench__Batch *m = bench__batch__unpack(NULL, wire_len, wire);
  if (m) {
    sink += m->spans[SPANS - 1]->n_attributes;
    bench__batch__free_unpacked(m, NULL);
  }
}

/* Seconds per call of fn: best of ROUNDS rounds of `iters` calls. */
static double best_time(void (*fn)(void), long iters) {
  double best = 1e30;
  for (int r = 0; r < ROUNDS; r++) {
    double t0 = now();
    for (long i = 0; i < iters; i++)
      fn();
    double t = (now() - t0) / (double)iters;
    if (t < best)
      best = t;
  }
  return best;
}

/* Enough iterations for about 50 ms per round. */
static long calibrate(void (*fn)(void)) {
  long iters = 64;
  for (;;) {
    double t0 = now();
    for (long i = 0; i < iters; i++)
      fn();
    if (now() - t0 > 0.05 || iters > (1l << 26))
      return iters;
    iters *= 2;
  }
}

static void report(const char *what, void (*ours)(void), void (*theirs)(void)) {
  long iters = calibrate(ours);
  double t_ours = best_time(ours, iters);
  double t_theirs = best_time(theirs, calibrate(theirs));
  double mb_ours = (double)wire_len / t_ours / 1e6;
  double mb_theirs = (double)wire_len / t_theirs / 1e6;
  printf("%-8s %12.0f %16.0f %9.2fx\n", what, mb_ours, mb_theirs,
         mb_ours / mb_theirs);
}

int main(void) {
  build_pg();
  build_protobuf_c();
  size_t n_pg = bench_Batch_size(&pg_batch);
  size_t n_c = bench__batch__get_packed_size(&c_batch);
  static uint8_t pg_bytes[8192], c_bytes[8192];
  if (n_pg > sizeof pg_bytes || n_c != n_pg) {
    fprintf(stderr, "bench_proto: sizes differ: parigot %zu, protobuf-c %zu\n",
            n_pg, n_c);
    return 1;
  }
  bench_Batch_encode(&pg_batch, pg_bytes, sizeof pg_bytes, &n_pg);
  bench__batch__pack(&c_batch, c_bytes);
  if (memcmp(pg_bytes, c_bytes, n_pg) != 0) {
    fprintf(stderr, "bench_proto: encodings differ\n");
    return 1;
  }
  wire = pg_bytes;
  wire_len = n_pg;
  printf("protobuf: bench.Batch, %zu bytes, identical bytes from both "
         "encoders\n", wire_len);
  printf("%-8s %12s %16s %10s\n", "", "parigot MB/s", "protobuf-c MB/s",
         "ratio");
  report("encode", pg_encode_once, c_encode_once);
  report("decode", pg_decode_once, c_decode_once);
  return 0;
}
