/*
 * buf.c: the growable text buffer protoc-gen-parigot writes its output
 * into, and small allocation helpers. A host tool: out of memory ends the
 * process with a message (protoc reports the plugin's failure).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

void *gen_xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) {
    fprintf(stderr, "protoc-gen-parigot: out of memory\n");
    exit(1);
  }
  return p;
}

static void buf_reserve(gen_buf *b, size_t extra) {
  if (b->len + extra + 1 <= b->cap)
    return;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < b->len + extra + 1)
    cap *= 2;
  char *data = gen_xmalloc(cap);
  if (b->data)
    memcpy(data, b->data, b->len + 1);
  else
    data[0] = 0;
  free(b->data);
  b->data = data;
  b->cap = cap;
}

static void buf_vprintf(gen_buf *b, const char *fmt, va_list ap) {
  va_list again;
  va_copy(again, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  if (n < 0)
    n = 0;
  buf_reserve(b, (size_t)n);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, again);
  va_end(again);
  b->len += (size_t)n;
}

void gen_buf_printf(gen_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  buf_vprintf(b, fmt, ap);
  va_end(ap);
}

void gen_buf_subst(gen_buf *b, const char *tmpl, const char *value) {
  for (const char *s = tmpl; *s; s++) {
    if (*s == '$')
      gen_buf_printf(b, "%s", value);
    else
      gen_buf_printf(b, "%c", *s);
  }
}

void gen_buf_free(gen_buf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

char *gen_buf_take(gen_buf *b) {
  buf_reserve(b, 0);
  char *data = b->data;
  b->data = NULL;
  b->len = b->cap = 0;
  return data;
}

char *gen_vstrdupf(const char *fmt, va_list ap) {
  gen_buf b = {0};
  buf_vprintf(&b, fmt, ap);
  return gen_buf_take(&b);
}

char *gen_strdupf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *s = gen_vstrdupf(fmt, ap);
  va_end(ap);
  return s;
}
