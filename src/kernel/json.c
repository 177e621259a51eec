/*
 * json.c: a strict, bounded JSON reader and a small writer (json.h). The
 * reader is recursive descent; recursion depth is bounded by
 * PG_JSON_MAX_DEPTH, so hostile input cannot exhaust the C stack. Strings
 * are validated as UTF-8 and \u escapes (with surrogate pairs) are decoded
 * into counted byte strings.
 */
#include "kernel/json.h"
#include "kernel/utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- reader -------------------------------------------------------------- */

typedef struct reader {
  const unsigned char *p, *end, *start;
  char *err;
  size_t errlen;
  bool failed;
} reader;

__attribute__((format(printf, 2, 3))) static void fail(reader *r,
                                                       const char *fmt, ...) {
  if (r->failed) return;
  r->failed = true;
  if (!r->err || !r->errlen) return;
  char what[160];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  snprintf(r->err, r->errlen, "%s at byte %zu", what,
           (size_t)(r->p - r->start));
}

static void skip_space(reader *r) {
  while (r->p < r->end &&
         (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
    r->p++;
}

static bool expect_word(reader *r, const char *word) {
  size_t n = strlen(word);
  if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0) {
    fail(r, "expected '%s'", word);
    return false;
  }
  r->p += n;
  return true;
}

/* A growing byte string for decoded strings. */
typedef struct bytes {
  char *data;
  size_t len, cap;
} bytes;

static bool bytes_put(bytes *b, const void *src, size_t n) {
  if (b->cap - b->len < n + 1) {
    size_t cap = b->cap ? b->cap : 32;
    while (cap - b->len < n + 1) cap *= 2;
    char *grown = realloc(b->data, cap);
    if (!grown) return false;
    b->data = grown;
    b->cap = cap;
  }
  memcpy(b->data + b->len, src, n);
  b->len += n;
  b->data[b->len] = '\0';
  return true;
}

static bool put_utf8(bytes *b, uint32_t cp) {
  unsigned char out[4];
  size_t n;
  if (cp < 0x80) {
    out[0] = (unsigned char)cp, n = 1;
  } else if (cp < 0x800) {
    out[0] = (unsigned char)(0xc0 | cp >> 6);
    out[1] = (unsigned char)(0x80 | (cp & 0x3f)), n = 2;
  } else if (cp < 0x10000) {
    out[0] = (unsigned char)(0xe0 | cp >> 12);
    out[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
    out[2] = (unsigned char)(0x80 | (cp & 0x3f)), n = 3;
  } else {
    out[0] = (unsigned char)(0xf0 | cp >> 18);
    out[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
    out[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
    out[3] = (unsigned char)(0x80 | (cp & 0x3f)), n = 4;
  }
  return bytes_put(b, out, n);
}

static int hex4(reader *r, uint32_t *out) {
  if (r->end - r->p < 4) return -1;
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) {
    unsigned char c = r->p[i];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= c - '0';
    else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
    else return -1;
  }
  r->p += 4;
  *out = v;
  return 0;
}

/* After "\u": one code point, joining a surrogate pair. */
static int unicode_escape(reader *r, uint32_t *cp) {
  if (hex4(r, cp) != 0) return -1;
  if (*cp >= 0xdc00 && *cp <= 0xdfff) return -1; /* lone low surrogate */
  if (*cp < 0xd800 || *cp > 0xdbff) return 0;
  uint32_t low;
  if (r->end - r->p < 2 || r->p[0] != '\\' || r->p[1] != 'u') return -1;
  r->p += 2;
  if (hex4(r, &low) != 0 || low < 0xdc00 || low > 0xdfff) return -1;
  *cp = 0x10000 + ((*cp - 0xd800) << 10) + (low - 0xdc00);
  return 0;
}

static bool escape_char(reader *r, bytes *b) {
  if (r->p >= r->end) return false;
  unsigned char c = *r->p++;
  static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
  const char *at = c ? strchr(from, c) : NULL;
  if (at) return bytes_put(b, &to[at - from], 1);
  uint32_t cp;
  if (c != 'u' || unicode_escape(r, &cp) != 0) {
    fail(r, "bad escape in string");
    return false;
  }
  return put_utf8(b, cp);
}

/* Length of the valid UTF-8 sequence at p, or 0. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end) {
  uint32_t cp;
  return pg__utf8_decode(p, (size_t)(end - p), &cp);
}

/* After the opening quote. Writes the decoded bytes to *b. */
static bool read_string(reader *r, bytes *b) {
  if (!bytes_put(b, "", 0)) goto oom;
  while (r->p < r->end) {
    unsigned char c = *r->p;
    if (c == '"') {
      r->p++;
      return true;
    }
    if (c < 0x20) {
      fail(r, "control character in string");
      return false;
    }
    if (c == '\\') {
      r->p++;
      if (!escape_char(r, b)) goto oom_or_fail;
      continue;
    }
    size_t n = utf8_len(r->p, r->end);
    if (!n) {
      fail(r, "invalid UTF-8 in string");
      return false;
    }
    if (!bytes_put(b, r->p, n)) goto oom;
    r->p += n;
  }
  fail(r, "unterminated string");
  return false;
oom_or_fail:
  if (r->failed) return false;
oom:
  fail(r, "out of memory");
  return false;
}

static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static bool read_number(reader *r, pg_json *v) {
  const unsigned char *s = r->p;
  if (r->p < r->end && *r->p == '-') r->p++;
  if (r->p >= r->end || !is_digit(*r->p)) goto bad;
  if (*r->p == '0') r->p++;
  else while (r->p < r->end && is_digit(*r->p)) r->p++;
  if (r->p < r->end && *r->p == '.') {
    r->p++;
    if (r->p >= r->end || !is_digit(*r->p)) goto bad;
    while (r->p < r->end && is_digit(*r->p)) r->p++;
  }
  if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
    r->p++;
    if (r->p < r->end && (*r->p == '+' || *r->p == '-')) r->p++;
    if (r->p >= r->end || !is_digit(*r->p)) goto bad;
    while (r->p < r->end && is_digit(*r->p)) r->p++;
  }
  v->type = PG_JSON_NUMBER;
  v->len = (size_t)(r->p - s);
  v->str = malloc(v->len + 1);
  if (!v->str) {
    fail(r, "out of memory");
    return false;
  }
  memcpy(v->str, s, v->len);
  v->str[v->len] = '\0';
  return true;
bad:
  fail(r, "bad number");
  return false;
}

static bool read_value(reader *r, pg_json *v, int depth);

static pg_json *push_item(reader *r, pg_json *parent, size_t *cap) {
  if (parent->nitems == *cap) {
    size_t grown_cap = *cap ? *cap * 2 : 4;
    pg_json *grown = realloc(parent->items, grown_cap * sizeof *grown);
    if (!grown) {
      fail(r, "out of memory");
      return NULL;
    }
    parent->items = grown;
    *cap = grown_cap;
  }
  pg_json *item = &parent->items[parent->nitems++];
  memset(item, 0, sizeof *item);
  return item;
}

/* After '[' or '{'. */
static bool read_container(reader *r, pg_json *v, bool object, int depth) {
  size_t cap = 0;
  char close = object ? '}' : ']';
  v->type = object ? PG_JSON_OBJECT : PG_JSON_ARRAY;
  skip_space(r);
  if (r->p < r->end && *r->p == close) {
    r->p++;
    return true;
  }
  for (;;) {
    pg_json *item = push_item(r, v, &cap);
    if (!item) return false;
    skip_space(r);
    if (object) {
      bytes key = {0};
      if (r->p >= r->end || *r->p != '"') {
        fail(r, "expected a member name");
        return false;
      }
      r->p++;
      bool ok = read_string(r, &key);
      item->key = key.data, item->key_len = key.len;
      if (!ok) return false;
      skip_space(r);
      if (r->p >= r->end || *r->p != ':') {
        fail(r, "expected ':'");
        return false;
      }
      r->p++;
    }
    if (!read_value(r, item, depth + 1)) return false;
    skip_space(r);
    if (r->p < r->end && *r->p == ',') {
      r->p++;
      continue;
    }
    if (r->p < r->end && *r->p == close) {
      r->p++;
      return true;
    }
    fail(r, "expected ',' or '%c'", close);
    return false;
  }
}

static bool read_value(reader *r, pg_json *v, int depth) {
  if (depth > PG_JSON_MAX_DEPTH) {
    fail(r, "nested deeper than %d", PG_JSON_MAX_DEPTH);
    return false;
  }
  skip_space(r);
  if (r->p >= r->end) {
    fail(r, "unexpected end");
    return false;
  }
  switch (*r->p) {
  case '{':
  case '[': {
    bool object = *r->p++ == '{';
    return read_container(r, v, object, depth);
  }
  case '"': {
    bytes b = {0};
    r->p++;
    v->type = PG_JSON_STRING;
    bool ok = read_string(r, &b);
    v->str = b.data, v->len = b.len;
    return ok;
  }
  case 't': v->type = PG_JSON_BOOL, v->boolean = true;
    return expect_word(r, "true") || (fail(r, "bad literal"), false);
  case 'f': v->type = PG_JSON_BOOL;
    return expect_word(r, "false") || (fail(r, "bad literal"), false);
  case 'n': v->type = PG_JSON_NULL;
    return expect_word(r, "null") || (fail(r, "bad literal"), false);
  default:
    return read_number(r, v);
  }
}

static void free_children(pg_json *v) {
  for (size_t i = 0; i < v->nitems; i++) free_children(&v->items[i]);
  free(v->items);
  free(v->str);
  free(v->key);
}

void pg_json_free(pg_json *v) {
  if (!v) return;
  free_children(v);
  free(v);
}

int pg_json_parse(const char *text, size_t len, pg_json **out, char *err,
                  size_t errlen) {
  reader r = {.p = (const unsigned char *)text,
              .end = (const unsigned char *)text + len,
              .start = (const unsigned char *)text,
              .err = err,
              .errlen = errlen};
  pg_json *v = calloc(1, sizeof *v);
  if (!v) {
    if (err && errlen) snprintf(err, errlen, "out of memory");
    return -1;
  }
  if (!text && len) fail(&r, "no text");
  if (!r.failed && read_value(&r, v, 1)) {
    skip_space(&r);
    if (r.p != r.end) fail(&r, "text after the value");
  }
  if (r.failed) {
    pg_json_free(v);
    return -1;
  }
  *out = v;
  return 0;
}

const pg_json *pg_json_get(const pg_json *v, const char *key) {
  if (!v || v->type != PG_JSON_OBJECT) return NULL;
  size_t n = strlen(key);
  for (size_t i = 0; i < v->nitems; i++)
    if (v->items[i].key_len == n && memcmp(v->items[i].key, key, n) == 0)
      return &v->items[i];
  return NULL;
}

const char *pg_json_get_str(const pg_json *v, const char *key) {
  const pg_json *m = pg_json_get(v, key);
  return m && m->type == PG_JSON_STRING ? m->str : NULL;
}

int pg_json_u64(const pg_json *v, uint64_t *out) {
  if (!v || v->type != PG_JSON_NUMBER || !v->len) return -1;
  uint64_t n = 0;
  for (size_t i = 0; i < v->len; i++) {
    unsigned char c = (unsigned char)v->str[i];
    if (!is_digit(c)) return -1; /* sign, fraction or exponent */
    if (n > (UINT64_MAX - (c - '0')) / 10) return -1;
    n = n * 10 + (c - '0');
  }
  *out = n;
  return 0;
}

int pg_json_i32(const pg_json *v, int32_t *out) {
  if (!v || v->type != PG_JSON_NUMBER || !v->len) return -1;
  bool neg = v->str[0] == '-';
  pg_json abs = *v;
  abs.str += neg, abs.len -= neg;
  uint64_t n;
  if (pg_json_u64(&abs, &n) != 0) return -1;
  if (n > (uint64_t)INT32_MAX + neg) return -1;
  *out = neg ? (int32_t)(-(int64_t)n) : (int32_t)n;
  return 0;
}

/* ---- writer -------------------------------------------------------------- */

/* The reader's bytes_put, with the failure remembered in w->oom. */
static void w_put(pg_jsonw *w, const void *s, size_t n) {
  if (w->oom) return;
  bytes b = {w->data, w->len, w->cap};
  w->oom = !bytes_put(&b, s, n);
  w->data = b.data;
  w->len = b.len;
  w->cap = b.cap;
}

void pg_jsonw_raw(pg_jsonw *w, const char *s) { w_put(w, s, strlen(s)); }

void pg_jsonw_str(pg_jsonw *w, const char *s, size_t len) {
  const unsigned char *p = (const unsigned char *)s;
  const unsigned char *end = p + len;
  w_put(w, "\"", 1);
  while (p < end) {
    const unsigned char *run = p;
    while (p < end && *p >= 0x20 && *p != '"' && *p != '\\' && *p < 0x80) p++;
    w_put(w, run, (size_t)(p - run));
    if (p >= end) break;
    if (*p >= 0x80) {
      size_t n = utf8_len(p, end);
      if (n) w_put(w, p, n);
      else w_put(w, "\xef\xbf\xbd", 3); /* U+FFFD */
      p += n ? n : 1;
      continue;
    }
    char esc[8];
    switch (*p) {
    case '"': memcpy(esc, "\\\"", 3); break;
    case '\\': memcpy(esc, "\\\\", 3); break;
    case '\n': memcpy(esc, "\\n", 3); break;
    case '\r': memcpy(esc, "\\r", 3); break;
    case '\t': memcpy(esc, "\\t", 3); break;
    default: snprintf(esc, sizeof esc, "\\u%04x", *p); break;
    }
    pg_jsonw_raw(w, esc);
    p++;
  }
  w_put(w, "\"", 1);
}

void pg_jsonw_cstr(pg_jsonw *w, const char *s) {
  if (s) pg_jsonw_str(w, s, strlen(s));
  else pg_jsonw_raw(w, "null");
}

void pg_jsonw_key(pg_jsonw *w, const char *key) {
  pg_jsonw_cstr(w, key);
  w_put(w, ":", 1);
}

char *pg_jsonw_take(pg_jsonw *w, size_t *len) {
  char *out = w->oom ? NULL : w->data;
  if (!out) free(w->data);
  if (len) *len = out ? w->len : 0;
  *w = (pg_jsonw){0};
  return out;
}
