/*
 * log.c: the unified log (log.h). Every line is built whole in one buffer
 * and written with one fwrite and one fflush, so lines from different
 * sources never interleave and a crash loses at most the line being built.
 *
 * Escaping keeps the promise "one call, one line" for any bytes:
 *   text  the message and program are written bare; field keys and values
 *         are quoted when they are empty or hold a space, '=', '"' or
 *         anything that must be escaped. Escapes: \\ \" \n \r \t, \xNN for
 *         other control bytes and for bytes that are not UTF-8, \uNNNN for
 *         C1 controls and U+2028/U+2029 (line breaks to some readers).
 *   json  RFC 8259 escapes; bytes that are not UTF-8 become U+FFFD, so the
 *         output is valid JSON (and valid UTF-8) whatever a guest sends.
 *
 * Guest stdout/stderr arrive in arbitrary chunks; a partial line waits in a
 * buffer per (program, replica, stream) for its newline, and is cut at
 * PG_LOG_GUEST_LINE_MAX bytes (on a UTF-8 boundary when possible) so a guest
 * that never prints a newline cannot grow host memory without bound.
 *
 * Deployed on several nodes, every line is also handed to a sink as one
 * JSON object with the node's name, the time in ns and a per-node sequence
 * number (cluster.c publishes it on NATS); `parigot logs` prints the lines
 * of every node back through pg_log_emit_remote, with "node/" before the
 * program in text and a "node" member in JSON.
 */
#include "kernel/log.h"
#include "kernel/utf8.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* The longest partial guest line kept before it is cut and emitted. */
#define PG_LOG_GUEST_LINE_MAX (64 * 1024)

/* A growing byte buffer; `oom` sticks once an allocation failed. */
typedef struct line_buf {
  char *data; /* owned; len bytes used of cap */
  size_t len;
  size_t cap;
  bool oom;
} line_buf;

/* The partial line of one guest stream. */
typedef struct guest_line {
  char *program; /* owned copy */
  int replica;
  pg_log_stream_id stream;
  char *data; /* owned; len <= PG_LOG_GUEST_LINE_MAX bytes without '\n' */
  size_t len;
  size_t cap;
} guest_line;

struct pg_log {
  FILE *out; /* borrowed from the options; never NULL */
  pg_log_format format;
  pg_log_level min_level;
  uint64_t (*clock_ns)(void *ctx);
  void *clock_ctx;
  line_buf line; /* reused for every line */
  /* Cluster publishing (pg_log_set_sink): every emitted line also goes to
   * sink as one JSON object carrying node, ns and seq. */
  pg_log_sink sink; /* NULL: nothing published */
  void *sink_ctx;
  char *node;         /* owned; this node's name in published lines */
  uint64_t sink_seq;  /* lines published so far */
  line_buf published; /* reused for every published line */
  /* Partial guest lines in the order their streams first wrote, so that
   * pg_log_free flushes them in a deterministic order. */
  guest_line *guests; /* owned; nguests of capguests */
  size_t nguests;
  size_t capguests;
};

static const char *const level_names[] = {"debug", "info", "warn", "error",
                                          "fatal"};
static const char *const level_padded[] = {"DEBUG", "INFO ", "WARN ", "ERROR",
                                           "FATAL"};

/* ------------------------------------------------------------------------
 * Buffer
 */

static bool buf_reserve(line_buf *b, size_t more) {
  if (b->oom)
    return false;
  if (b->cap - b->len >= more)
    return true;
  size_t cap = b->cap ? b->cap : 256;
  while (cap - b->len < more) {
    if (cap > SIZE_MAX / 2) {
      b->oom = true;
      return false;
    }
    cap *= 2;
  }
  char *grown = realloc(b->data, cap);
  if (!grown) {
    b->oom = true;
    return false;
  }
  b->data = grown;
  b->cap = cap;
  return true;
}

static void buf_put(line_buf *b, const void *data, size_t len) {
  if (len && buf_reserve(b, len)) {
    memcpy(b->data + b->len, data, len);
    b->len += len;
  }
}

static void buf_puts(line_buf *b, const char *s) { buf_put(b, s, strlen(s)); }

static void buf_putc(line_buf *b, char c) { buf_put(b, &c, 1); }

static void buf_hex(line_buf *b, const char *prefix, unsigned value,
                    int digits) {
  static const char hex[] = "0123456789abcdef";
  char tmp[8];
  buf_puts(b, prefix);
  for (int i = digits - 1; i >= 0; i--)
    tmp[digits - 1 - i] = hex[(value >> (4 * i)) & 0xf];
  buf_put(b, tmp, (size_t)digits);
}

/* ------------------------------------------------------------------------
 * UTF-8 and escaping
 */

typedef enum escape_mode {
  ESCAPE_TEXT_BARE,   /* text message/program: '"' stays as is */
  ESCAPE_TEXT_QUOTED, /* inside "...": '"' is escaped too */
  ESCAPE_JSON         /* inside a JSON string */
} escape_mode;

/* Code points that some reader would take as a line break or a terminal
 * control: always escaped. */
static bool is_control(uint32_t cp) {
  return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 ||
         cp == 0x2029;
}

static bool needs_escape(uint32_t cp, escape_mode mode) {
  if (is_control(cp) || cp == '\\')
    return true;
  return cp == '"' && mode != ESCAPE_TEXT_BARE;
}

static void put_escaped_cp(line_buf *b, uint32_t cp, escape_mode mode) {
  switch (cp) {
  case '\\': buf_puts(b, "\\\\"); return;
  case '"': buf_puts(b, "\\\""); return;
  case '\n': buf_puts(b, "\\n"); return;
  case '\r': buf_puts(b, "\\r"); return;
  case '\t': buf_puts(b, "\\t"); return;
  default: break;
  }
  if (mode == ESCAPE_JSON && (cp == '\b' || cp == '\f'))
    buf_puts(b, cp == '\b' ? "\\b" : "\\f");
  else if (mode == ESCAPE_JSON)
    buf_hex(b, "\\u", cp, 4);
  else if (cp < 0x80)
    buf_hex(b, "\\x", cp, 2);
  else
    buf_hex(b, "\\u", cp, 4);
}

/* Appends len bytes at data, escaped for `mode`. Runs of bytes that need
 * nothing are copied in one go. */
static void put_escaped(line_buf *b, const char *data, size_t len,
                        escape_mode mode) {
  const uint8_t *p = (const uint8_t *)data;
  size_t i = 0, run = 0;
  if (len == 0)
    return; /* data may be NULL */
  while (i < len) {
    uint32_t cp = 0;
    size_t n = pg__utf8_decode(p + i, len - i, &cp);
    if (n && !needs_escape(cp, mode)) {
      i += n;
      continue;
    }
    buf_put(b, p + run, i - run);
    if (n) {
      put_escaped_cp(b, cp, mode);
      i += n;
    } else if (mode == ESCAPE_JSON) {
      buf_puts(b, "\xef\xbf\xbd"); /* U+FFFD */
      i++;
    } else {
      buf_hex(b, "\\x", p[i], 2);
      i++;
    }
    run = i;
  }
  buf_put(b, p + run, len - run);
}

/* Does a text-mode key or value need quotes to read back unambiguously? */
static bool text_needs_quotes(const char *data, size_t len) {
  const uint8_t *p = (const uint8_t *)data;
  if (len == 0)
    return true;
  for (size_t i = 0; i < len;) {
    uint32_t cp = 0;
    size_t n = pg__utf8_decode(p + i, len - i, &cp);
    if (!n || cp == ' ' || cp == '=' || cp == '"' ||
        needs_escape(cp, ESCAPE_TEXT_QUOTED))
      return true;
    i += n;
  }
  return false;
}

static void put_text_token(line_buf *b, pg_log_span s) {
  if (!text_needs_quotes(s.data, s.len)) {
    buf_put(b, s.data, s.len);
    return;
  }
  buf_putc(b, '"');
  put_escaped(b, s.data, s.len, ESCAPE_TEXT_QUOTED);
  buf_putc(b, '"');
}

static void put_json_string(line_buf *b, pg_log_span s) {
  buf_putc(b, '"');
  put_escaped(b, s.data, s.len, ESCAPE_JSON);
  buf_putc(b, '"');
}

static pg_log_span span_of(const char *s) {
  pg_log_span out = {s ? s : "", s ? strlen(s) : 0};
  return out;
}

/* ------------------------------------------------------------------------
 * Lines
 */

static uint64_t realtime_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* RFC 3339, UTC, milliseconds: 2026-11-29T18:41:08.123Z */
static void put_time(line_buf *b, uint64_t ns) {
  time_t secs = (time_t)(ns / 1000000000u);
  unsigned ms = (unsigned)(ns / 1000000u % 1000u);
  struct tm tm;
  char tmp[64];
  if (!gmtime_r(&secs, &tm))
    memset(&tm, 0, sizeof tm);
  size_t n = strftime(tmp, sizeof tmp - 8, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(tmp + n, sizeof tmp - n, ".%03uZ", ms);
  buf_puts(b, tmp);
}

/* Everything one line holds. node is NULL for this process's own lines
 * (pg_log_emit*) and names the node for lines of another node
 * (pg_log_emit_remote). */
typedef struct line_parts {
  uint64_t ns;
  pg_log_level level;
  const char *node;
  pg_log_span program;
  int replica;
  pg_log_span msg;
  const pg_log_span *kv;
  size_t nfields;
} line_parts;

static void put_text_line(line_buf *b, const line_parts *l) {
  put_time(b, l->ns);
  buf_putc(b, ' ');
  buf_puts(b, level_padded[l->level]);
  buf_putc(b, ' ');
  if (l->node) {
    put_escaped(b, l->node, strlen(l->node), ESCAPE_TEXT_BARE);
    buf_putc(b, '/');
  }
  put_escaped(b, l->program.data, l->program.len, ESCAPE_TEXT_BARE);
  if (l->replica >= 0) {
    char tmp[16];
    snprintf(tmp, sizeof tmp, "[%d]", l->replica);
    buf_puts(b, tmp);
  }
  if (l->msg.len) {
    buf_putc(b, ' ');
    put_escaped(b, l->msg.data, l->msg.len, ESCAPE_TEXT_BARE);
  }
  for (size_t i = 0; i < l->nfields; i++) {
    buf_putc(b, ' ');
    put_text_token(b, l->kv[2 * i]);
    buf_putc(b, '=');
    put_text_token(b, l->kv[2 * i + 1]);
  }
}

/* The JSON object of a line. `seq` (>= 0) adds what a published line
 * carries for merging: the exact time in ns and the node's line number. */
static void put_json_line(line_buf *b, const line_parts *l, int64_t seq) {
  char tmp[64];
  buf_puts(b, "{\"time\":\"");
  put_time(b, l->ns);
  buf_putc(b, '"');
  if (seq >= 0) {
    snprintf(tmp, sizeof tmp, ",\"ns\":%llu", (unsigned long long)l->ns);
    buf_puts(b, tmp);
  }
  if (l->node) {
    buf_puts(b, ",\"node\":");
    put_json_string(b, span_of(l->node));
  }
  if (seq >= 0) {
    snprintf(tmp, sizeof tmp, ",\"seq\":%lld", (long long)seq);
    buf_puts(b, tmp);
  }
  buf_puts(b, ",\"level\":\"");
  buf_puts(b, level_names[l->level]);
  buf_puts(b, "\",\"program\":");
  put_json_string(b, l->program);
  if (l->replica >= 0) {
    snprintf(tmp, sizeof tmp, ",\"replica\":%d", l->replica);
    buf_puts(b, tmp);
  }
  buf_puts(b, ",\"msg\":");
  put_json_string(b, l->msg);
  if (l->nfields) {
    buf_puts(b, ",\"fields\":{");
    for (size_t i = 0; i < l->nfields; i++) {
      if (i)
        buf_putc(b, ',');
      put_json_string(b, l->kv[2 * i]);
      buf_putc(b, ':');
      put_json_string(b, l->kv[2 * i + 1]);
    }
    buf_putc(b, '}');
  }
  buf_putc(b, '}');
}

/* Writes the finished line: one fwrite, one fflush. When memory ran out
 * while building it, a short fixed line says so instead. */
static void write_line(pg_log *log) {
  line_buf *b = &log->line;
  buf_putc(b, '\n');
  if (b->oom) {
    static const char lost[] =
        "parigot log: out of memory, a log line was lost\n";
    fwrite(lost, 1, sizeof lost - 1, log->out);
  } else {
    fwrite(b->data, 1, b->len, log->out);
  }
  fflush(log->out);
  b->len = 0;
  b->oom = false;
}

/* Hands the line to the cluster sink as JSON (never cut: a line that
 * cannot be built for lack of memory is not published). */
static void publish_line(pg_log *log, line_parts *l) {
  line_buf *b = &log->published;
  b->len = 0;
  b->oom = false;
  l->node = log->node;
  put_json_line(b, l, (int64_t)log->sink_seq++);
  l->node = NULL;
  if (!b->oom)
    log->sink(log->sink_ctx, b->data, b->len);
}

static void emit_parts(pg_log *log, line_parts *l) {
  if ((unsigned)l->level > PG_LOG_FATAL)
    l->level = PG_LOG_FATAL;
  if (!l->msg.data)
    l->msg = span_of("");
  log->line.len = 0;
  if (log->format == PG_LOG_JSON)
    put_json_line(&log->line, l, -1);
  else
    put_text_line(&log->line, l);
  write_line(log);
  if (log->sink && !l->node)
    publish_line(log, l);
}

void pg_log_emit_spans(pg_log *log, pg_log_level level, const char *program,
                       int replica, pg_log_span msg, const pg_log_span *kv,
                       size_t nfields) {
  if (!log || level < log->min_level)
    return;
  line_parts l = {
      .ns = log->clock_ns ? log->clock_ns(log->clock_ctx) : realtime_ns(),
      .level = level,
      .program = span_of(program ? program : "parigot"),
      .replica = replica,
      .msg = msg,
      .kv = kv,
      .nfields = nfields};
  emit_parts(log, &l);
}

void pg_log_emit_remote(pg_log *log, uint64_t time_ns, const char *node,
                        pg_log_level level, pg_log_span program, int replica,
                        pg_log_span msg, const pg_log_span *kv,
                        size_t nfields) {
  if (!log || level < log->min_level)
    return;
  line_parts l = {.ns = time_ns,
                  .level = level,
                  .node = node ? node : "?",
                  .program = program.len ? program : span_of("?"),
                  .replica = replica,
                  .msg = msg,
                  .kv = kv,
                  .nfields = nfields};
  emit_parts(log, &l);
}

int pg_log_set_sink(pg_log *log, const char *node, pg_log_sink sink,
                    void *ctx) {
  char *copy = NULL;
  if (!log)
    return -1;
  if (sink && !(copy = strdup(node ? node : "?")))
    return -1;
  free(log->node);
  log->node = copy;
  log->sink = sink;
  log->sink_ctx = ctx;
  return 0;
}

/* Fields as spans, in batches so that no allocation is needed. */
#define FIELD_BATCH 32

void pg_log_emit(pg_log *log, pg_log_level level, const char *program,
                 int replica, const char *msg, const pg_log_field *fields,
                 size_t nfields) {
  pg_log_span small[2 * FIELD_BATCH];
  pg_log_span *kv = small;
  if (nfields > FIELD_BATCH) {
    kv = malloc(nfields * 2 * sizeof *kv);
    if (!kv) { /* keep the line, drop the fields */
      kv = small;
      nfields = 0;
    }
  }
  for (size_t i = 0; i < nfields; i++) {
    kv[2 * i] = span_of(fields[i].key);
    kv[2 * i + 1] = span_of(fields[i].value);
  }
  pg_log_emit_spans(log, level, program, replica, span_of(msg), kv, nfields);
  if (kv != small)
    free(kv);
}

void pg_log_emitf(pg_log *log, pg_log_level level, const char *program,
                  int replica, const char *fmt, ...) {
  char small[512];
  char *text = small;
  va_list ap;
  if (!log || level < log->min_level)
    return;
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0)
    n = 0;
  if ((size_t)n >= sizeof small) {
    text = malloc((size_t)n + 1);
    if (text) {
      va_start(ap, fmt);
      vsnprintf(text, (size_t)n + 1, fmt, ap);
      va_end(ap);
    } else {
      text = small; /* the cut message is better than none */
      n = (int)strlen(small);
    }
  }
  pg_log_span msg = {text, (size_t)n};
  pg_log_emit_spans(log, level, program, replica, msg, NULL, 0);
  if (text != small)
    free(text);
}

/* ------------------------------------------------------------------------
 * Guest output
 */

static void emit_guest_line(pg_log *log, const guest_line *g,
                            const char *data, size_t len, bool cut) {
  bool err = g->stream == PG_LOG_STDERR;
  pg_log_span kv[4] = {span_of("stream"),
                       span_of(err ? "stderr" : "stdout"), span_of("cut"),
                       span_of("true")};
  if (!cut && len && data[len - 1] == '\r')
    len--; /* a CRLF line ends like any other */
  pg_log_span msg = {data, len};
  pg_log_emit_spans(log, err ? PG_LOG_WARN : PG_LOG_INFO, g->program,
                    g->replica, msg, kv, cut ? 2 : 1);
}

static guest_line *find_guest(pg_log *log, const char *program, int replica,
                              pg_log_stream_id stream) {
  for (size_t i = 0; i < log->nguests; i++) {
    guest_line *g = &log->guests[i];
    if (g->replica == replica && g->stream == stream &&
        strcmp(g->program, program) == 0)
      return g;
  }
  return NULL;
}

/* The entry of a stream, created on first use; NULL when out of memory. */
static guest_line *guest_entry(pg_log *log, const char *program, int replica,
                               pg_log_stream_id stream) {
  guest_line *g = find_guest(log, program, replica, stream);
  if (g)
    return g;
  if (log->nguests == log->capguests) {
    size_t cap = log->capguests ? 2 * log->capguests : 8;
    guest_line *grown = realloc(log->guests, cap * sizeof *grown);
    if (!grown)
      return NULL;
    log->guests = grown;
    log->capguests = cap;
  }
  char *name = strdup(program);
  if (!name)
    return NULL;
  g = &log->guests[log->nguests++];
  memset(g, 0, sizeof *g);
  g->program = name;
  g->replica = replica;
  g->stream = stream;
  return g;
}

/* Where to cut a full partial line: at PG_LOG_GUEST_LINE_MAX, moved back to
 * the start of a UTF-8 sequence when one straddles the limit. */
static size_t cut_point(const char *data) {
  size_t at = PG_LOG_GUEST_LINE_MAX;
  for (int back = 0; back < 3; back++) {
    if (((uint8_t)data[at] & 0xc0) != 0x80)
      return at;
    at--;
  }
  return ((uint8_t)data[at] & 0xc0) == 0x80 ? PG_LOG_GUEST_LINE_MAX : at;
}

/* Appends bytes without a newline to the partial line, emitting cut lines
 * whenever it reaches the cap. */
static void append_partial(pg_log *log, guest_line *g, const char *data,
                           size_t len) {
  while (len) {
    if (g->cap < PG_LOG_GUEST_LINE_MAX + 1) {
      char *grown = realloc(g->data, PG_LOG_GUEST_LINE_MAX + 1);
      if (!grown) { /* emit what cannot be kept */
        emit_guest_line(log, g, data, len, true);
        return;
      }
      g->data = grown;
      g->cap = PG_LOG_GUEST_LINE_MAX + 1;
    }
    size_t room = PG_LOG_GUEST_LINE_MAX + 1 - g->len;
    size_t take = len < room ? len : room;
    memcpy(g->data + g->len, data, take);
    g->len += take;
    data += take;
    len -= take;
    if (g->len > PG_LOG_GUEST_LINE_MAX) {
      size_t at = cut_point(g->data);
      emit_guest_line(log, g, g->data, at, true);
      memmove(g->data, g->data + at, g->len - at);
      g->len -= at;
    }
  }
}

void pg_log_guest_output(pg_log *log, const char *program, int replica,
                         pg_log_stream_id stream, const uint8_t *bytes,
                         size_t len) {
  if (!log || !len)
    return;
  guest_line tmp = {(char *)(program ? program : "?"), replica, stream,
                    NULL, 0, 0};
  guest_line *g = guest_entry(log, tmp.program, replica, stream);
  const char *p = (const char *)bytes;
  while (len) {
    const char *nl = memchr(p, '\n', len);
    if (!nl) {
      if (g)
        append_partial(log, g, p, len);
      else
        emit_guest_line(log, &tmp, p, len, true);
      return;
    }
    size_t n = (size_t)(nl - p);
    if (g && g->len) { /* completes a waiting partial line */
      append_partial(log, g, p, n);
      emit_guest_line(log, g, g->data, g->len, false);
      g->len = 0;
    } else {
      emit_guest_line(log, g ? g : &tmp, p, n, false);
    }
    p += n + 1;
    len -= n + 1;
  }
}

static void drop_guest(pg_log *log, size_t i) {
  free(log->guests[i].program);
  free(log->guests[i].data);
  memmove(&log->guests[i], &log->guests[i + 1],
          (log->nguests - i - 1) * sizeof log->guests[0]);
  log->nguests--;
}

void pg_log_flush_guest(pg_log *log, const char *program, int replica) {
  if (!log)
    return;
  if (!program)
    program = "?";
  for (size_t i = 0; i < log->nguests;) {
    guest_line *g = &log->guests[i];
    if (g->replica != replica || strcmp(g->program, program) != 0) {
      i++;
      continue;
    }
    if (g->len)
      emit_guest_line(log, g, g->data, g->len, false);
    drop_guest(log, i);
  }
}

/* ------------------------------------------------------------------------
 * Life cycle and levels
 */

int pg_log_new(pg_log **out, const pg_log_options *opts) {
  pg_log *log = calloc(1, sizeof *log);
  if (!log)
    return -1;
  log->out = opts && opts->out ? opts->out : stderr;
  log->format = opts ? opts->format : PG_LOG_TEXT;
  log->min_level = opts ? opts->min_level : PG_LOG_DEBUG;
  log->clock_ns = opts ? opts->clock_ns : NULL;
  log->clock_ctx = opts ? opts->clock_ctx : NULL;
  *out = log;
  return 0;
}

void pg_log_free(pg_log *log) {
  if (!log)
    return;
  while (log->nguests) {
    guest_line *g = &log->guests[0];
    if (g->len)
      emit_guest_line(log, g, g->data, g->len, false);
    drop_guest(log, 0);
  }
  free(log->guests);
  free(log->line.data);
  free(log->published.data);
  free(log->node);
  free(log);
}

const char *pg_log_level_name(pg_log_level level) {
  if ((unsigned)level > PG_LOG_FATAL)
    return "?";
  return level_names[level];
}

int pg_log_level_parse(const char *s) {
  if (!s)
    return -1;
  for (int i = 0; i <= PG_LOG_FATAL; i++)
    if (strcasecmp(s, level_names[i]) == 0)
      return i;
  return -1;
}
