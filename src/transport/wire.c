/*
 * wire.c: the names and header texts parigot uses on NATS (wire.h). Pure
 * functions over strings: no allocation, no libnats, no global state.
 */
#include "transport/wire.h"

#include <stdio.h>
#include <string.h>

/* ---- subjects ------------------------------------------------------------ */

static bool token_char_ok(unsigned char c) {
  return c > 0x20 && c < 0x7f && c != '*' && c != '>' && c != '.';
}

bool pg_wire_subject_ok(const char *s, size_t len) {
  if (len == 0) return false;
  size_t token = 0; /* length of the current token */
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '.') {
      if (token == 0) return false;
      token = 0;
    } else if (!token_char_ok(c)) {
      return false;
    } else {
      token++;
    }
  }
  return token > 0;
}

static bool cstr_ok(const char *s) { return s && pg_wire_subject_ok(s, strlen(s)); }

static int fits(int n, size_t cap) {
  return n >= 0 && (size_t)n < cap ? n : -1;
}

int pg_wire_subject_svc(char *out, size_t cap, const char *app,
                        const char *service, size_t service_len) {
  if (!cstr_ok(app) || service_len > 255 ||
      !pg_wire_subject_ok(service, service_len))
    return -1;
  return fits(snprintf(out, cap, "parigot.%s.svc.%.*s", app, (int)service_len,
                       service),
              cap);
}

int pg_wire_subject_log(char *out, size_t cap, const char *app,
                        const char *node) {
  if (!cstr_ok(app) || !cstr_ok(node)) return -1;
  return fits(snprintf(out, cap, "parigot.%s.log.%s", app, node), cap);
}

int pg_wire_kv_bucket(char *out, size_t cap, const char *app) {
  if (!cstr_ok(app)) return -1;
  int n = fits(snprintf(out, cap, "parigot_%s", app), cap);
  /* KV bucket names allow [A-Za-z0-9_-] only. */
  for (int i = 0; i < n; i++) {
    char c = out[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) out[i] = '_';
  }
  return n;
}

/* ---- the reply inbox ------------------------------------------------------- */

void pg_wire_inbox(char out[PG_WIRE_INBOX_LEN + 1], const uint8_t *random) {
  static const char alphabet[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  memcpy(out, "_INBOX.", 7);
  for (int i = 0; i < 22; i++) out[7 + i] = alphabet[random[i] % 62];
  out[PG_WIRE_INBOX_LEN] = '\0';
}

uint32_t pg_wire_reply_call_id(const char *subject, const char *inbox) {
  size_t n = strlen(inbox);
  if (strncmp(subject, inbox, n) != 0 || subject[n] != '.') return 0;
  uint32_t id;
  if (pg_wire_parse_u32(subject + n + 1, &id) != 0) return 0;
  return id;
}

/* ---- numbers ------------------------------------------------------------- */

int pg_wire_parse_u32(const char *s, uint32_t *out) {
  if (!s || !*s || strlen(s) > 10) return -1;
  uint64_t v = 0;
  for (const char *p = s; *p; p++) {
    if (*p < '0' || *p > '9') return -1;
    v = v * 10 + (uint64_t)(*p - '0');
  }
  if (v > UINT32_MAX) return -1;
  *out = (uint32_t)v;
  return 0;
}

int pg_wire_parse_status(const char *s, int32_t *out) {
  uint32_t v;
  if (pg_wire_parse_u32(s, &v) != 0 || v > 16) return -1;
  *out = (int32_t)v;
  return 0;
}

/* ---- escaping ------------------------------------------------------------ */

static const char hex_upper[] = "0123456789ABCDEF";

static bool must_escape(const uint8_t *in, size_t len, size_t i) {
  uint8_t c = in[i];
  if (c == '%' || c < 0x20 || c == 0x7f) return true;
  return c == ' ' && (i == 0 || i + 1 == len);
}

size_t pg_wire_escape(char *out, size_t cap, const uint8_t *in, size_t len) {
  size_t n = 0;
  for (size_t i = 0; i < len; i++) {
    char piece[3];
    size_t plen = 1;
    piece[0] = (char)in[i];
    if (must_escape(in, len, i)) {
      piece[0] = '%';
      piece[1] = hex_upper[in[i] >> 4];
      piece[2] = hex_upper[in[i] & 15];
      plen = 3;
    }
    for (size_t j = 0; j < plen; j++, n++)
      if (n + 1 < cap) out[n] = piece[j];
  }
  if (cap) out[n < cap ? n : cap - 1] = '\0';
  return n;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

size_t pg_wire_unescape(uint8_t *out, const char *in) {
  size_t n = 0;
  for (size_t i = 0; in[i];) {
    int hi, lo;
    if (in[i] == '%' && (hi = hex_value(in[i + 1])) >= 0 &&
        (lo = hex_value(in[i + 2])) >= 0) {
      out[n++] = (uint8_t)(hi << 4 | lo);
      i += 3;
    } else {
      out[n++] = (uint8_t)in[i++];
    }
  }
  return n;
}

/* ---- trace context -------------------------------------------------------- */

static const char hex_lower[] = "0123456789abcdef";

void pg_wire_trace_format(char out[PG_WIRE_TRACE_LEN + 1], const pg_trace *t) {
  for (int i = 0; i < 16; i++) {
    out[2 * i] = hex_lower[t->id[i] >> 4];
    out[2 * i + 1] = hex_lower[t->id[i] & 15];
  }
  out[32] = '-';
  for (int i = 0; i < 16; i++)
    out[33 + i] = hex_lower[(t->parent_span >> (60 - 4 * i)) & 15];
  out[PG_WIRE_TRACE_LEN] = '\0';
}

int pg_wire_trace_parse(const char *s, pg_trace *out) {
  if (!s || strlen(s) != PG_WIRE_TRACE_LEN || s[32] != '-') return -1;
  pg_trace t = {{0}, 0};
  for (int i = 0; i < 32; i++) {
    int v = hex_value(s[i]);
    if (v < 0) return -1;
    t.id[i / 2] = (uint8_t)(t.id[i / 2] << 4 | v);
  }
  for (int i = 33; i < PG_WIRE_TRACE_LEN; i++) {
    int v = hex_value(s[i]);
    if (v < 0) return -1;
    t.parent_span = t.parent_span << 4 | (uint64_t)v;
  }
  *out = t;
  return 0;
}
