/*
 * raw.c: the reference of the NATS benchmark (bench/nats/run.sh): plain
 * libnats request/reply with the same 100-byte request and reply as
 * parigot's Echo, between two processes through the same nats-server.
 * What parigot adds on top of it (headers, the kernel's event loop, the
 * interpreted guest and its protobuf code) is the overhead run.sh prints.
 *
 *   pg_bench_nats_raw serve URL SUBJECT
 *       answers every request on SUBJECT with its own bytes; prints
 *       "raw: serving" once subscribed; runs until SIGTERM or SIGINT.
 *   pg_bench_nats_raw request URL SUBJECT CALLS CONCURRENCY...
 *       for each concurrency: that many threads sharing one connection
 *       make CALLS requests in all (after a tenth as many to warm up) and
 *       prints the same line as bench/nats/client.c:
 *       "bench: concurrency N: C calls, p50 X us, p99 Y us, R calls/s".
 *
 * Exit status: 0, 1 on a failed or wrong request, 2 on bad arguments.
 */
#include <nats/nats.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAYLOAD 100
#define MAX_CALLS 1000000
#define MAX_THREADS 64
#define REQUEST_TIMEOUT_MS 5000

static char payload[PAYLOAD];
static uint32_t latency_ns[MAX_CALLS];

/* What the requesting threads share for one run. */
typedef struct run {
  natsConnection *conn; /* borrowed, thread-safe */
  const char *subject;  /* borrowed */
  long calls;           /* requests to make in all */
  bool record;          /* store latencies (not while warming up) */
  atomic_long next;     /* the next request number to take */
  atomic_int failed;    /* set by the first failure */
} run;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void answer(natsConnection *conn, natsSubscription *sub, natsMsg *msg,
                   void *closure) {
  (void)sub;
  (void)closure;
  const char *reply = natsMsg_GetReply(msg);
  if (reply)
    natsConnection_Publish(conn, reply, natsMsg_GetData(msg),
                           natsMsg_GetDataLength(msg));
  natsMsg_Destroy(msg);
}

static natsStatus connect_to(natsConnection **out, const char *url) {
  natsOptions *opts = NULL;
  natsStatus s = natsOptions_Create(&opts);
  if (s == NATS_OK)
    s = natsOptions_SetURL(opts, url);
  if (s == NATS_OK)
    s = natsOptions_SetTimeout(opts, 2000);
  /* Without SendAsap libnats buffers a publish for its flusher thread:
   * measured here (loaded 2-core machine, 20000 calls) p50 993 us with
   * it buffered, 191 us with SendAsap. The reference is the fast way. */
  if (s == NATS_OK)
    s = natsOptions_SetSendAsap(opts, true);
  if (s == NATS_OK)
    s = natsConnection_Connect(out, opts);
  natsOptions_Destroy(opts);
  return s;
}

static int serve(const char *url, const char *subject) {
  natsConnection *conn = NULL;
  natsSubscription *sub = NULL;
  sigset_t stop;
  int sig, rc = 1;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  /* Blocked before libnats starts its threads, so they inherit the mask
   * and sigwait below is the only taker. */
  pthread_sigmask(SIG_BLOCK, &stop, NULL);
  natsStatus s = connect_to(&conn, url);
  if (s == NATS_OK)
    s = natsConnection_Subscribe(&sub, conn, subject, answer, NULL);
  if (s == NATS_OK)
    s = natsConnection_Flush(conn);
  if (s != NATS_OK) {
    fprintf(stderr, "raw serve: %s: %s\n", url, natsStatus_GetText(s));
    goto fail;
  }
  printf("raw: serving\n");
  fflush(stdout);
  sigwait(&stop, &sig);
  rc = 0;
fail:
  natsSubscription_Destroy(sub);
  natsConnection_Destroy(conn);
  return rc;
}

static void *request_loop(void *arg) {
  run *r = arg;
  for (;;) {
    long i = atomic_fetch_add(&r->next, 1);
    if (i >= r->calls || atomic_load(&r->failed))
      return NULL;
    natsMsg *reply = NULL;
    uint64_t t0 = now_ns();
    natsStatus s = natsConnection_Request(&reply, r->conn, r->subject, payload,
                                          PAYLOAD, REQUEST_TIMEOUT_MS);
    uint64_t took = now_ns() - t0;
    if (s != NATS_OK || natsMsg_GetDataLength(reply) != PAYLOAD ||
        memcmp(natsMsg_GetData(reply), payload, PAYLOAD) != 0) {
      if (!atomic_exchange(&r->failed, 1))
        fprintf(stderr, "raw request %ld: %s\n", i,
                s != NATS_OK ? natsStatus_GetText(s) : "wrong reply bytes");
    } else if (r->record) {
      latency_ns[i] = (uint32_t)took;
    }
    natsMsg_Destroy(reply);
  }
}

/* Makes r->calls requests with `threads` threads; wall time in ns, or 0
 * after a failure. */
static uint64_t run_threads(run *r, int threads) {
  pthread_t ids[MAX_THREADS];
  atomic_store(&r->next, 0);
  uint64_t t0 = now_ns();
  int started = 0;
  for (; started < threads; started++)
    if (pthread_create(&ids[started], NULL, request_loop, r) != 0)
      break;
  for (int i = 0; i < started; i++)
    pthread_join(ids[i], NULL);
  uint64_t wall = now_ns() - t0;
  return started == threads && !atomic_load(&r->failed) ? wall : 0;
}

static int by_value(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

static int measure(run *r, long calls, int threads) {
  r->calls = calls / 10 + 1;
  r->record = false;
  if (run_threads(r, threads) == 0)
    return -1;
  r->calls = calls;
  r->record = true;
  uint64_t wall = run_threads(r, threads);
  if (wall == 0)
    return -1;
  qsort(latency_ns, (size_t)calls, sizeof latency_ns[0], by_value);
  printf("bench: concurrency %d: %ld calls, p50 %.1f us, p99 %.1f us, "
         "%.0f calls/s\n",
         threads, calls, latency_ns[calls / 2] / 1e3,
         latency_ns[calls * 99 / 100] / 1e3, calls * 1e9 / (double)wall);
  fflush(stdout);
  return 0;
}

static int request(const char *url, const char *subject, long calls,
                   char **concurrency, int n) {
  run r = {.subject = subject};
  natsStatus s = connect_to(&r.conn, url);
  if (s != NATS_OK) {
    fprintf(stderr, "raw request: %s: %s\n", url, natsStatus_GetText(s));
    return 1;
  }
  int rc = 0;
  for (int i = 0; i < n && rc == 0; i++) {
    int threads = atoi(concurrency[i]);
    if (threads < 1 || threads > MAX_THREADS) {
      fprintf(stderr, "raw request: concurrency '%s' not in 1..%d\n",
              concurrency[i], MAX_THREADS);
      rc = 2;
    } else if (measure(&r, calls, threads) < 0) {
      rc = 1;
    }
  }
  natsConnection_Destroy(r.conn);
  return rc;
}

int main(int argc, char **argv) {
  for (size_t i = 0; i < PAYLOAD; i++)
    payload[i] = (char)(i * 7);
  int rc = 2;
  if (argc == 4 && !strcmp(argv[1], "serve")) {
    rc = serve(argv[2], argv[3]);
  } else if (argc >= 6 && !strcmp(argv[1], "request")) {
    long calls = atol(argv[4]);
    if (calls >= 1 && calls <= MAX_CALLS)
      rc = request(argv[2], argv[3], calls, argv + 5, argc - 5);
    else
      fprintf(stderr, "raw request: calls not in 1..%d\n", MAX_CALLS);
  } else {
    fprintf(stderr, "usage: pg_bench_nats_raw serve URL SUBJECT\n"
                    "       pg_bench_nats_raw request URL SUBJECT CALLS "
                    "CONCURRENCY...\n");
  }
  nats_Close();
  return rc;
}
