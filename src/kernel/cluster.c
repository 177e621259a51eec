/*
 * cluster.c: the NATS side of startup across nodes (cluster.h). One
 * pg_cluster per node process binds the app's JetStream key-value bucket
 * (declarations and readiness) and its log stream, writes this node's
 * keys, publishes its log lines, and runs one watcher thread over the
 * bucket.
 *
 * Threads: the watcher thread only copies each change into `queue`
 * (guarded by `mu`) and calls `wake`, which posts to the kernel's inbox;
 * the event loop then drains the queue and applies the changes to its view
 * (kernel.c). Nothing here touches kernel state. Writes (put, delete,
 * publish) happen on the event loop's thread through libnats, which is
 * thread-safe.
 */
#include "kernel/cluster.h"

#include <nats/nats.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernel/logmerge.h"

/* JetStream API requests (bucket writes, stream lookups) give up after
 * this; a node that cannot reach NATS says so instead of hanging. */
#define JS_WAIT_MS 5000
/* The log stream keeps at most this many lines (oldest dropped first). */
#define LOG_STREAM_MAX_MSGS 1000000
/* kvWatcher_Next's timeout: how often the watcher checks for shutdown.
 * It is never interrupted with kvWatcher_Stop: libnats 3.4 leaks the
 * entry a Next in progress was building when Stop lands (seen under
 * LeakSanitizer), so closing waits for the poll instead. */
#define WATCH_POLL_MS 100
/* While ticks are on, the loop is woken this often. */
#define TICK_NS 1000000000ull
/* Keys live this long in the bucket unless their node writes them again
 * (it does every third of it): the keys of a node that died without
 * withdrawing them (SIGKILL, power) disappear by themselves. */
#define DEFAULT_TTL_MS 30000u

/* A key this node wrote and keeps alive. */
typedef struct own_key {
  char *key, *value; /* owned */
  size_t len;
} own_key;

/* One bucket change waiting for the event loop. */
typedef struct change {
  struct change *next;
  char *key;   /* owned */
  char *value; /* owned; NULL when deleted */
  size_t len;
  bool deleted;
} change;

struct pg_cluster {
  natsConnection *nc; /* borrowed */
  jsCtx *js;          /* owned */
  kvStore *kv;        /* owned */
  kvWatcher *watcher; /* owned; NULL until pg_cluster_watch */
  pthread_t thread;
  bool thread_started;
  atomic_bool stopping;
  atomic_bool ticks;
  atomic_bool caught_up;
  void (*wake)(void *ctx);
  void *wake_ctx;
  char *log_subject; /* owned: parigot.<app>.log.<node> */
  uint64_t refresh_ns; /* the watcher rewrites own keys this often */
  /* This node's keys, as last written: rewritten by the watcher thread
   * before they expire. write_mu serializes every bucket write, so a
   * refresh never brings back a key the loop just deleted. */
  pthread_mutex_t write_mu;
  struct own_key *own; /* guarded by write_mu; nown of capown */
  size_t nown, capown;
  pthread_mutex_t mu;
  change *head, *tail; /* guarded by mu */
  atomic_size_t queued; /* changes in the list: drain skips the lock at 0 */
};

void pg_cluster_log_stream_name(const char *app, char *out, size_t cap) {
  char bucket[256];
  pg_cluster_bucket_name(app, bucket, sizeof bucket);
  snprintf(out, cap, "PARIGOT_LOG_%s", bucket + strlen("parigot_"));
}

/* "what: status text (last error)" into err. */
static int nats_fail(char *err, size_t errlen, const char *what,
                     natsStatus s) {
  const char *last = nats_GetLastError(NULL);
  if (err && errlen)
    snprintf(err, errlen, "%s: %s%s%s%s", what, natsStatus_GetText(s),
             last && *last ? " (" : "", last && *last ? last : "",
             last && *last ? ")" : "");
  return -1;
}

static int bind_bucket(pg_cluster *c, const char *app, uint32_t ttl_ms,
                       char *err, size_t errlen) {
  char bucket[256];
  pg_cluster_bucket_name(app, bucket, sizeof bucket);
  natsStatus s = js_KeyValue(&c->kv, c->js, bucket);
  if (s == NATS_OK) return 0;
  kvConfig cfg;
  kvConfig_Init(&cfg);
  cfg.Bucket = bucket;
  cfg.Description = "parigot: declarations and readiness of every node";
  cfg.History = 1;
  cfg.TTL = (int64_t)ttl_ms * 1000000; /* libnats wants nanoseconds */
  s = js_CreateKeyValue(&c->kv, c->js, &cfg);
  if (s != NATS_OK) /* another node may have created it meanwhile */
    s = js_KeyValue(&c->kv, c->js, bucket);
  if (s == NATS_OK) return 0;
  char what[320];
  snprintf(what, sizeof what, "nats: key-value bucket %s", bucket);
  return nats_fail(err, errlen, what, s);
}

static int bind_log_stream(pg_cluster *c, const char *app, char *err,
                           size_t errlen) {
  char name[256], subject[300];
  pg_cluster_log_stream_name(app, name, sizeof name);
  snprintf(subject, sizeof subject, "parigot.%s.log.>", app);
  jsStreamInfo *si = NULL;
  jsErrCode jerr = 0;
  natsStatus s = js_GetStreamInfo(&si, c->js, name, NULL, &jerr);
  jsStreamInfo_Destroy(si);
  if (s == NATS_OK) return 0;
  const char *subjects[] = {subject};
  jsStreamConfig sc;
  jsStreamConfig_Init(&sc);
  sc.Name = name;
  sc.Description = "parigot: the log lines of every node";
  sc.Subjects = subjects;
  sc.SubjectsLen = 1;
  sc.Storage = js_FileStorage;
  sc.MaxMsgs = LOG_STREAM_MAX_MSGS;
  sc.Discard = js_DiscardOld;
  si = NULL;
  s = js_AddStream(&si, c->js, &sc, NULL, &jerr);
  jsStreamInfo_Destroy(si);
  if (s == NATS_OK || jerr == JSStreamNameExistErr) return 0;
  /* Nodes starting together race to create it; the loser is told "subjects
   * overlap with an existing stream": fine when the winner's is there. */
  si = NULL;
  natsStatus again = js_GetStreamInfo(&si, c->js, name, NULL, &jerr);
  jsStreamInfo_Destroy(si);
  if (again == NATS_OK) return 0;
  char what[320];
  snprintf(what, sizeof what, "nats: log stream %s", name);
  return nats_fail(err, errlen, what, s);
}

int pg_cluster_open(pg_cluster **out, natsConnection *nc, const char *app,
                    const char *node, uint32_t ttl_ms,
                    void (*wake)(void *ctx), void *wake_ctx, char *err,
                    size_t errlen) {
  pg_cluster *c = calloc(1, sizeof *c);
  if (!c) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  c->nc = nc;
  c->wake = wake;
  c->wake_ctx = wake_ctx;
  if (!ttl_ms) ttl_ms = DEFAULT_TTL_MS;
  c->refresh_ns = (uint64_t)ttl_ms * 1000000ull / 3;
  pthread_mutex_init(&c->mu, NULL);
  pthread_mutex_init(&c->write_mu, NULL);
  size_t n = strlen(app) + strlen(node) + 32;
  c->log_subject = malloc(n);
  if (!c->log_subject) {
    snprintf(err, errlen, "out of memory");
    goto fail;
  }
  snprintf(c->log_subject, n, "parigot.%s.log.%s", app, node);
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = JS_WAIT_MS;
  natsStatus s = natsConnection_JetStream(&c->js, nc, &jo);
  if (s != NATS_OK) {
    nats_fail(err, errlen, "nats: JetStream", s);
    goto fail;
  }
  if (bind_bucket(c, app, ttl_ms, err, errlen) != 0) goto fail;
  if (bind_log_stream(c, app, err, errlen) != 0) goto fail;
  *out = c;
  return 0;
fail:
  pg_cluster_close(c);
  return -1;
}

static void free_change(change *ch) {
  free(ch->key);
  free(ch->value);
  free(ch);
}

void pg_cluster_unwatch(pg_cluster *c) {
  if (!c) return;
  atomic_store(&c->stopping, true);
  if (c->thread_started) pthread_join(c->thread, NULL); /* <= one poll */
  c->thread_started = false;
  kvWatcher_Destroy(c->watcher);
  c->watcher = NULL;
}

void pg_cluster_close(pg_cluster *c) {
  if (!c) return;
  pg_cluster_unwatch(c);
  if (c->nc && c->log_subject) natsConnection_FlushTimeout(c->nc, 2000);
  kvStore_Destroy(c->kv);
  jsCtx_Destroy(c->js);
  for (change *ch = c->head; ch;) {
    change *next = ch->next;
    free_change(ch);
    ch = next;
  }
  for (size_t i = 0; i < c->nown; i++) {
    free(c->own[i].key);
    free(c->own[i].value);
  }
  free(c->own);
  pthread_mutex_destroy(&c->mu);
  pthread_mutex_destroy(&c->write_mu);
  free(c->log_subject);
  free(c);
}

/* The entry of key in c->own, or NULL. Under write_mu. */
static own_key *find_own(pg_cluster *c, const char *key) {
  for (size_t i = 0; i < c->nown; i++)
    if (strcmp(c->own[i].key, key) == 0) return &c->own[i];
  return NULL;
}

/* Remembers key = value for the refresh. Under write_mu. Out of memory:
 * the key is written once and may expire. */
static void keep_own(pg_cluster *c, const char *key, const char *value,
                     size_t len) {
  own_key *o = find_own(c, key);
  char *copy = malloc(len + 1);
  if (!copy) return;
  memcpy(copy, value, len);
  copy[len] = '\0';
  if (!o && c->nown == c->capown) {
    size_t cap = c->capown ? 2 * c->capown : 8;
    own_key *grown = realloc(c->own, cap * sizeof *grown);
    if (!grown) goto drop;
    c->own = grown;
    c->capown = cap;
  }
  if (!o) {
    o = &c->own[c->nown];
    *o = (own_key){.key = strdup(key)};
    if (!o->key) goto drop;
    c->nown++;
  }
  free(o->value);
  o->value = copy;
  o->len = len;
  return;
drop:
  free(copy);
}

static void forget_own(pg_cluster *c, const char *key) {
  own_key *o = find_own(c, key);
  if (!o) return;
  free(o->key);
  free(o->value);
  *o = c->own[--c->nown];
}

int pg_cluster_put(pg_cluster *c, const char *key, const char *value,
                   size_t len, char *err, size_t errlen) {
  pthread_mutex_lock(&c->write_mu);
  natsStatus s = kvStore_Put(NULL, c->kv, key, value, (int)len);
  if (s == NATS_OK) keep_own(c, key, value, len);
  pthread_mutex_unlock(&c->write_mu);
  if (s == NATS_OK) return 0;
  char what[300];
  snprintf(what, sizeof what, "nats: put %s", key);
  return nats_fail(err, errlen, what, s);
}

int pg_cluster_delete(pg_cluster *c, const char *key, char *err,
                      size_t errlen) {
  pthread_mutex_lock(&c->write_mu);
  forget_own(c, key);
  natsStatus s = kvStore_Delete(c->kv, key);
  pthread_mutex_unlock(&c->write_mu);
  if (s == NATS_OK) return 0;
  char what[300];
  snprintf(what, sizeof what, "nats: delete %s", key);
  return nats_fail(err, errlen, what, s);
}

/* The watcher thread, every refresh_ns: writes this node's keys again so
 * they outlive the bucket's TTL as long as the node lives. */
static void refresh_own(pg_cluster *c) {
  pthread_mutex_lock(&c->write_mu);
  for (size_t i = 0; i < c->nown && !atomic_load(&c->stopping); i++)
    kvStore_Put(NULL, c->kv, c->own[i].key, c->own[i].value,
                (int)c->own[i].len); /* a failure: the next round retries */
  pthread_mutex_unlock(&c->write_mu);
}

/* ---- the watcher thread -------------------------------------------------- */

/* Copies one entry into the queue; false when out of memory. */
static bool enqueue(pg_cluster *c, kvEntry *e) {
  change *ch = calloc(1, sizeof *ch);
  if (!ch) return false;
  kvOperation op = kvEntry_Operation(e);
  ch->deleted = op == kvOp_Delete || op == kvOp_Purge;
  ch->key = strdup(kvEntry_Key(e) ? kvEntry_Key(e) : "");
  int len = kvEntry_ValueLen(e);
  if (!ch->deleted) {
    ch->len = len > 0 ? (size_t)len : 0;
    ch->value = malloc(ch->len + 1);
    if (ch->value) {
      if (ch->len) memcpy(ch->value, kvEntry_Value(e), ch->len);
      ch->value[ch->len] = '\0';
    }
  }
  if (!ch->key || (!ch->deleted && !ch->value)) {
    free_change(ch);
    return false;
  }
  pthread_mutex_lock(&c->mu);
  if (c->tail)
    c->tail->next = ch;
  else
    c->head = ch;
  c->tail = ch;
  atomic_fetch_add(&c->queued, 1);
  pthread_mutex_unlock(&c->mu);
  return true;
}

static uint64_t monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *watch_main(void *arg) {
  pg_cluster *c = arg;
  uint64_t last_tick = monotonic_ns(), last_refresh = last_tick;
  while (!atomic_load(&c->stopping)) {
    if (monotonic_ns() - last_refresh >= c->refresh_ns) {
      refresh_own(c);
      last_refresh = monotonic_ns();
    }
    kvEntry *e = NULL;
    natsStatus s = kvWatcher_Next(&e, c->watcher, WATCH_POLL_MS);
    if (atomic_load(&c->stopping)) {
      kvEntry_Destroy(e);
      break;
    }
    if (s == NATS_OK && !e) { /* the initial values are all in */
      atomic_store(&c->caught_up, true);
    } else if (s == NATS_OK) {
      enqueue(c, e);
      kvEntry_Destroy(e);
    } else if (!atomic_load(&c->ticks) ||
               monotonic_ns() - last_tick < TICK_NS) {
      continue; /* a timeout, or NATS away: libnats reconnects by itself */
    }
    last_tick = monotonic_ns();
    if (c->wake) c->wake(c->wake_ctx);
  }
  return NULL;
}

int pg_cluster_watch(pg_cluster *c, char *err, size_t errlen) {
  kvWatchOptions wo;
  kvWatchOptions_Init(&wo);
  natsStatus s = kvStore_WatchAll(&c->watcher, c->kv, &wo);
  if (s != NATS_OK) return nats_fail(err, errlen, "nats: watch bucket", s);
  if (pthread_create(&c->thread, NULL, watch_main, c) != 0) {
    snprintf(err, errlen, "cannot start the bucket watcher thread");
    return -1;
  }
  c->thread_started = true;
  return 0;
}

void pg_cluster_ticks(pg_cluster *c, bool on) { atomic_store(&c->ticks, on); }

bool pg_cluster_caught_up(pg_cluster *c) {
  return atomic_load(&c->caught_up);
}

size_t pg_cluster_drain(pg_cluster *c,
                        void (*fn)(void *ctx, const char *key,
                                   const char *value, size_t len,
                                   bool deleted),
                        void *ctx) {
  /* Called on every turn of the event loop: no lock when nothing came. */
  if (atomic_load_explicit(&c->queued, memory_order_acquire) == 0) return 0;
  pthread_mutex_lock(&c->mu);
  change *ch = c->head;
  c->head = c->tail = NULL;
  atomic_store(&c->queued, 0);
  pthread_mutex_unlock(&c->mu);
  size_t n = 0;
  while (ch) {
    change *next = ch->next;
    fn(ctx, ch->key, ch->value, ch->len, ch->deleted);
    free_change(ch);
    ch = next;
    n++;
  }
  return n;
}

void pg_cluster_log_sink(void *ctx, const char *json, size_t len) {
  pg_cluster *c = ctx;
  /* Best effort: while NATS is away libnats buffers, then drops; the
   * local log still has every line. */
  natsConnection_Publish(c->nc, c->log_subject, json, (int)len);
}

/* ---- reading the log stream (`parigot logs`) ----------------------------- */

static uint64_t realtime_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

typedef struct log_reader {
  const pg_cluster_logs_options *o;
  pg_logmerge merge;
  size_t bad;
} log_reader;

/* One message of the stream: into the merger. Returns its NumPending
 * (messages after it when it was sent), or UINT64_MAX when unknown. */
static uint64_t take_log_msg(log_reader *lr, natsMsg *msg) {
  uint64_t pending = UINT64_MAX;
  jsMsgMetaData *meta = NULL;
  if (natsMsg_GetMetaData(&meta, msg) == NATS_OK) pending = meta->NumPending;
  jsMsgMetaData_Destroy(meta);
  pg_logrec r;
  char why[160];
  const char *data = natsMsg_GetData(msg);
  int len = natsMsg_GetDataLength(msg);
  if (pg_logrec_parse(data, len > 0 ? (size_t)len : 0, &r, why,
                      sizeof why) != 0) {
    lr->bad++;
    if (lr->o->bad_line) lr->o->bad_line(lr->o->ctx, natsMsg_GetSubject(msg),
                                         why);
  } else {
    pg_logmerge_add(&lr->merge, &r);
  }
  return pending;
}

static bool stop_requested(const pg_cluster_logs_options *o) {
  return o->stop && atomic_load(o->stop);
}

/* Reads until the stream is drained (or, following, until *stop). */
static void read_log_stream(log_reader *lr, natsSubscription *sub,
                            uint64_t total) {
  const pg_cluster_logs_options *o = lr->o;
  bool caught_up = total == 0;
  uint64_t quiet_since = realtime_ns();
  while (!stop_requested(o)) {
    natsMsg *msg = NULL;
    natsStatus s = natsSubscription_NextMsg(&msg, sub, 200);
    if (s == NATS_OK) {
      if (take_log_msg(lr, msg) == 0) caught_up = true;
      natsMsg_Destroy(msg);
      quiet_since = realtime_ns();
    } else if (!o->follow &&
               realtime_ns() - quiet_since > JS_WAIT_MS * 1000000ull) {
      break; /* the stream stopped answering: print what we have */
    }
    if (caught_up && !o->follow) break;
    if (caught_up) {
      uint64_t window = (uint64_t)o->window_ms * 1000000ull;
      uint64_t now = realtime_ns();
      pg_logmerge_flush(&lr->merge, now > window ? now - window : 0, o->emit,
                        o->ctx);
    }
  }
}

int pg_cluster_logs(natsConnection *nc, const char *app,
                    const pg_cluster_logs_options *o, char *err,
                    size_t errlen) {
  char name[256], subject[300];
  pg_cluster_log_stream_name(app, name, sizeof name);
  snprintf(subject, sizeof subject, "parigot.%s.log.>", app);
  jsCtx *js = NULL;
  jsStreamInfo *si = NULL;
  natsSubscription *sub = NULL;
  log_reader lr = {.o = o};
  jsErrCode jerr = 0;
  int rc = -1;
  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = JS_WAIT_MS;
  natsStatus s = natsConnection_JetStream(&js, nc, &jo);
  if (s != NATS_OK) {
    nats_fail(err, errlen, "nats: JetStream", s);
    goto done;
  }
  s = js_GetStreamInfo(&si, js, name, NULL, &jerr);
  if (s == NATS_NOT_FOUND || jerr == JSStreamNotFoundErr) {
    snprintf(err, errlen, "app %s has no log stream %s yet: no node has run "
             "with this NATS", app, name);
    goto done;
  }
  if (s != NATS_OK) {
    nats_fail(err, errlen, "nats: log stream", s);
    goto done;
  }
  uint64_t total = si->State.Msgs;
  if (total > 0 || o->follow) {
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = name;
    so.Ordered = true;
    so.Config.DeliverPolicy = js_DeliverAll;
    s = js_SubscribeSync(&sub, js, subject, &jo, &so, &jerr);
    if (s != NATS_OK) {
      nats_fail(err, errlen, "nats: read log stream", s);
      goto done;
    }
    read_log_stream(&lr, sub, total);
  }
  pg_logmerge_flush(&lr.merge, UINT64_MAX, o->emit, o->ctx);
  rc = 0;
done:
  natsSubscription_Destroy(sub);
  jsStreamInfo_Destroy(si);
  jsCtx_Destroy(js);
  pg_logmerge_free(&lr.merge);
  return rc;
}
