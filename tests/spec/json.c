/*
 * json.c: the recursive-descent JSON parser behind json.h.
 *
 * Each value becomes one heap node; arrays and objects own a growable array
 * of child pointers (and, for objects, of keys). Recursion is bounded by
 * PG_JSON_MAX_DEPTH, so a hostile file cannot exhaust the C stack. The
 * parser stops at the first error and reports where it is; the position is
 * turned into line and column only then, so the hot path only advances an
 * index.
 */
#include "json.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pg_json {
  pg_json_type type;
  double number;   /* PG_JSON_NUMBER */
  char *str;       /* PG_JSON_STRING: owned, NUL-terminated */
  size_t str_len;  /* bytes in str, not counting the final NUL */
  pg_json **items; /* ARRAY/OBJECT: owned children, `count` of them */
  char **keys;     /* OBJECT: owned keys, parallel to items */
  size_t count;
  size_t cap; /* allocated slots in items (and keys) */
};

typedef struct parser {
  const char *text; /* borrowed */
  size_t len;
  size_t pos;
  char *err; /* borrowed; may be NULL */
  size_t errlen;
  bool failed;
} parser;

static pg_json *parse_value(parser *p, int depth);

static void fail_at(parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void fail_at(parser *p, const char *fmt, ...) {
  if (p->failed) return;
  p->failed = true;
  if (!p->err || p->errlen == 0) return;
  size_t line = 1, col = 1;
  for (size_t i = 0; i < p->pos && i < p->len; i++) {
    if (p->text[i] == '\n') {
      line++;
      col = 1;
    } else {
      col++;
    }
  }
  int n = snprintf(p->err, p->errlen, "line %zu, column %zu: ", line, col);
  if (n < 0 || (size_t)n >= p->errlen) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
  va_end(ap);
}

static void skip_space(parser *p) {
  while (p->pos < p->len) {
    char c = p->text[p->pos];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
    p->pos++;
  }
}

static int peek(const parser *p) {
  return p->pos < p->len ? (unsigned char)p->text[p->pos] : -1;
}

static pg_json *new_node(parser *p, pg_json_type type) {
  pg_json *v = calloc(1, sizeof *v);
  if (!v)
    fail_at(p, "out of memory");
  else
    v->type = type;
  return v;
}

/* Appends child (consumed) with key (consumed, may be NULL for arrays). */
static bool add_child(parser *p, pg_json *parent, char *key, pg_json *child) {
  if (parent->count == parent->cap) {
    size_t cap = parent->cap ? parent->cap * 2 : 4;
    pg_json **items = realloc(parent->items, cap * sizeof *items);
    if (items) parent->items = items;
    bool keys_ok = true;
    if (items && parent->type == PG_JSON_OBJECT) {
      char **keys = realloc(parent->keys, cap * sizeof *keys);
      if (keys) parent->keys = keys;
      keys_ok = keys != NULL;
    }
    if (!items || !keys_ok) {
      fail_at(p, "out of memory");
      free(key);
      pg_json_free(child);
      return false;
    }
    parent->cap = cap;
  }
  if (parent->type == PG_JSON_OBJECT) parent->keys[parent->count] = key;
  parent->items[parent->count++] = child;
  return true;
}

static bool expect_literal(parser *p, const char *word) {
  size_t n = strlen(word);
  if (p->len - p->pos < n || memcmp(p->text + p->pos, word, n) != 0) {
    fail_at(p, "expected '%s'", word);
    return false;
  }
  p->pos += n;
  return true;
}

/* ------------------------------------------------------------------ strings */

typedef struct strbuf {
  char *data;
  size_t len, cap;
} strbuf;

static bool buf_put(strbuf *b, const char *bytes, size_t n) {
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 32;
    while (cap < b->len + n + 1) cap *= 2;
    char *data = realloc(b->data, cap);
    if (!data) return false;
    b->data = data;
    b->cap = cap;
  }
  memcpy(b->data + b->len, bytes, n);
  b->len += n;
  b->data[b->len] = '\0';
  return true;
}

static bool buf_put_utf8(strbuf *b, uint32_t cp) {
  char out[4];
  size_t n;
  if (cp < 0x80) {
    out[0] = (char)cp;
    n = 1;
  } else if (cp < 0x800) {
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    n = 2;
  } else if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    n = 3;
  } else {
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    n = 4;
  }
  return buf_put(b, out, n);
}

/* Reads the 4 hex digits after "\u"; p->pos is at the first digit. */
static bool read_hex4(parser *p, uint32_t *out) {
  if (p->len - p->pos < 4) {
    fail_at(p, "truncated \\u escape");
    return false;
  }
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) {
    char c = p->text[p->pos + i];
    uint32_t d;
    if (c >= '0' && c <= '9')
      d = (uint32_t)(c - '0');
    else if (c >= 'a' && c <= 'f')
      d = (uint32_t)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      d = (uint32_t)(c - 'A' + 10);
    else {
      fail_at(p, "bad hex digit in \\u escape");
      return false;
    }
    v = v * 16 + d;
  }
  p->pos += 4;
  *out = v;
  return true;
}

/* A \u escape, with surrogate pairs joined; p->pos is after the 'u'. */
static bool read_unicode_escape(parser *p, strbuf *b) {
  uint32_t cp;
  if (!read_hex4(p, &cp)) return false;
  if (cp >= 0xDC00 && cp <= 0xDFFF) {
    fail_at(p, "lone low surrogate");
    return false;
  }
  if (cp >= 0xD800 && cp <= 0xDBFF) {
    uint32_t low;
    if (p->len - p->pos < 2 || p->text[p->pos] != '\\' ||
        p->text[p->pos + 1] != 'u') {
      fail_at(p, "high surrogate without a low one");
      return false;
    }
    p->pos += 2;
    if (!read_hex4(p, &low)) return false;
    if (low < 0xDC00 || low > 0xDFFF) {
      fail_at(p, "bad low surrogate");
      return false;
    }
    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
  }
  return buf_put_utf8(b, cp);
}

static bool read_escape(parser *p, strbuf *b) {
  if (p->pos >= p->len) {
    fail_at(p, "unterminated string");
    return false;
  }
  char c = p->text[p->pos++];
  const char *plain = NULL;
  switch (c) {
    case '"': plain = "\""; break;
    case '\\': plain = "\\"; break;
    case '/': plain = "/"; break;
    case 'b': plain = "\b"; break;
    case 'f': plain = "\f"; break;
    case 'n': plain = "\n"; break;
    case 'r': plain = "\r"; break;
    case 't': plain = "\t"; break;
    case 'u': return read_unicode_escape(p, b);
    default:
      p->pos--;
      fail_at(p, "bad escape '\\%c'", c);
      return false;
  }
  return buf_put(b, plain, 1);
}

/* Reads a string whose opening quote is at p->pos. Writes the decoded bytes
 * (owned by the caller) and their length. Raw bytes >= 0x80 are copied as
 * they are: the runner compares names byte by byte, so UTF-8 need not be
 * re-validated here. */
static bool read_string(parser *p, char **out, size_t *out_len) {
  strbuf b = {0};
  p->pos++; /* opening quote */
  if (!buf_put(&b, "", 0)) goto nomem;
  for (;;) {
    size_t start = p->pos;
    while (p->pos < p->len && p->text[p->pos] != '"' &&
           p->text[p->pos] != '\\' && (unsigned char)p->text[p->pos] >= 0x20)
      p->pos++;
    if (!buf_put(&b, p->text + start, p->pos - start)) goto nomem;
    if (p->pos >= p->len) {
      fail_at(p, "unterminated string");
      goto fail;
    }
    char c = p->text[p->pos];
    if (c == '"') break;
    if (c != '\\') {
      fail_at(p, "control character in string");
      goto fail;
    }
    p->pos++;
    if (!read_escape(p, &b)) goto fail;
  }
  p->pos++; /* closing quote */
  *out = b.data;
  *out_len = b.len;
  return true;
nomem:
  fail_at(p, "out of memory");
fail:
  free(b.data);
  return false;
}

/* ------------------------------------------------------------------ numbers */

static void skip_digits(parser *p) {
  while (p->pos < p->len && p->text[p->pos] >= '0' && p->text[p->pos] <= '9')
    p->pos++;
}

static bool is_digit_at(const parser *p) {
  int c = peek(p);
  return c >= '0' && c <= '9';
}

/* Checks the RFC 8259 number grammar, then converts with strtod. */
static pg_json *parse_number(parser *p) {
  size_t start = p->pos;
  if (peek(p) == '-') p->pos++;
  if (peek(p) == '0')
    p->pos++;
  else if (is_digit_at(p))
    skip_digits(p);
  else
    goto bad;
  if (peek(p) == '.') {
    p->pos++;
    if (!is_digit_at(p)) goto bad;
    skip_digits(p);
  }
  if (peek(p) == 'e' || peek(p) == 'E') {
    p->pos++;
    if (peek(p) == '+' || peek(p) == '-') p->pos++;
    if (!is_digit_at(p)) goto bad;
    skip_digits(p);
  }
  char tmp[64];
  size_t n = p->pos - start;
  if (n >= sizeof tmp) {
    p->pos = start;
    fail_at(p, "number too long");
    return NULL;
  }
  memcpy(tmp, p->text + start, n);
  tmp[n] = '\0';
  pg_json *v = new_node(p, PG_JSON_NUMBER);
  if (v) v->number = strtod(tmp, NULL);
  return v;
bad:
  fail_at(p, "malformed number");
  return NULL;
}

/* --------------------------------------------------------------- containers */

static pg_json *parse_array(parser *p, int depth) {
  pg_json *arr = new_node(p, PG_JSON_ARRAY);
  if (!arr) return NULL;
  p->pos++; /* '[' */
  skip_space(p);
  if (peek(p) == ']') {
    p->pos++;
    return arr;
  }
  for (;;) {
    pg_json *item = parse_value(p, depth + 1);
    if (!item || !add_child(p, arr, NULL, item)) goto fail;
    skip_space(p);
    int c = peek(p);
    p->pos++;
    if (c == ']') return arr;
    if (c != ',') {
      p->pos--;
      fail_at(p, "expected ',' or ']' in array");
      goto fail;
    }
  }
fail:
  pg_json_free(arr);
  return NULL;
}

static pg_json *parse_object(parser *p, int depth) {
  pg_json *obj = new_node(p, PG_JSON_OBJECT);
  if (!obj) return NULL;
  p->pos++; /* '{' */
  skip_space(p);
  if (peek(p) == '}') {
    p->pos++;
    return obj;
  }
  for (;;) {
    char *key = NULL;
    size_t key_len;
    skip_space(p);
    if (peek(p) != '"') {
      fail_at(p, "expected a string key in object");
      goto fail;
    }
    if (!read_string(p, &key, &key_len)) goto fail;
    skip_space(p);
    if (peek(p) != ':') {
      free(key);
      fail_at(p, "expected ':' after object key");
      goto fail;
    }
    p->pos++;
    pg_json *item = parse_value(p, depth + 1);
    if (!item) {
      free(key);
      goto fail;
    }
    if (!add_child(p, obj, key, item)) goto fail;
    skip_space(p);
    int c = peek(p);
    p->pos++;
    if (c == '}') return obj;
    if (c != ',') {
      p->pos--;
      fail_at(p, "expected ',' or '}' in object");
      goto fail;
    }
  }
fail:
  pg_json_free(obj);
  return NULL;
}

static pg_json *parse_string_value(parser *p) {
  char *s;
  size_t n;
  if (!read_string(p, &s, &n)) return NULL;
  pg_json *v = new_node(p, PG_JSON_STRING);
  if (!v) {
    free(s);
    return NULL;
  }
  v->str = s;
  v->str_len = n;
  return v;
}

static pg_json *parse_value(parser *p, int depth) {
  if (depth > PG_JSON_MAX_DEPTH) {
    fail_at(p, "nested deeper than %d", PG_JSON_MAX_DEPTH);
    return NULL;
  }
  skip_space(p);
  switch (peek(p)) {
    case '{': return parse_object(p, depth);
    case '[': return parse_array(p, depth);
    case '"': return parse_string_value(p);
    case 't':
      return expect_literal(p, "true") ? new_node(p, PG_JSON_TRUE) : NULL;
    case 'f':
      return expect_literal(p, "false") ? new_node(p, PG_JSON_FALSE) : NULL;
    case 'n':
      return expect_literal(p, "null") ? new_node(p, PG_JSON_NULL) : NULL;
    case -1: fail_at(p, "unexpected end of input"); return NULL;
    default:
      if (peek(p) == '-' || is_digit_at(p)) return parse_number(p);
      fail_at(p, "unexpected character '%c'", p->text[p->pos]);
      return NULL;
  }
}

/* ------------------------------------------------------------------- public */

bool pg_json_parse(pg_json **out, const char *text, size_t len, char *err,
                   size_t errlen) {
  parser p = {.text = text, .len = len, .err = err, .errlen = errlen};
  if (err && errlen) err[0] = '\0';
  if (!text) {
    fail_at(&p, "no input");
    return false;
  }
  pg_json *root = parse_value(&p, 0);
  if (!root) return false;
  skip_space(&p);
  if (p.pos != p.len) {
    fail_at(&p, "trailing characters after the document");
    pg_json_free(root);
    return false;
  }
  *out = root;
  return true;
}

void pg_json_free(pg_json *v) {
  if (!v) return;
  for (size_t i = 0; i < v->count; i++) {
    pg_json_free(v->items[i]);
    if (v->keys) free(v->keys[i]);
  }
  free(v->items);
  free(v->keys);
  free(v->str);
  free(v);
}

pg_json_type pg_json_type_of(const pg_json *v) {
  return v ? v->type : PG_JSON_NULL;
}

const pg_json *pg_json_get(const pg_json *obj, const char *key) {
  if (!obj || obj->type != PG_JSON_OBJECT || !key) return NULL;
  for (size_t i = obj->count; i-- > 0;)
    if (strcmp(obj->keys[i], key) == 0) return obj->items[i];
  return NULL;
}

size_t pg_json_count(const pg_json *v) {
  if (!v || (v->type != PG_JSON_ARRAY && v->type != PG_JSON_OBJECT)) return 0;
  return v->count;
}

const pg_json *pg_json_at(const pg_json *v, size_t i) {
  return i < pg_json_count(v) ? v->items[i] : NULL;
}

const char *pg_json_key_at(const pg_json *v, size_t i) {
  if (!v || v->type != PG_JSON_OBJECT || i >= v->count) return NULL;
  return v->keys[i];
}

const char *pg_json_string(const pg_json *v, size_t *len) {
  if (!v || v->type != PG_JSON_STRING) return NULL;
  if (len) *len = v->str_len;
  return v->str;
}

const char *pg_json_get_string(const pg_json *obj, const char *key) {
  return pg_json_string(pg_json_get(obj, key), NULL);
}

bool pg_json_number(const pg_json *v, double *out) {
  if (!v || v->type != PG_JSON_NUMBER) return false;
  *out = v->number;
  return true;
}
