/*
 * decode.c: turns the bytes of a WebAssembly 2.0 binary into a pg_module.
 *
 * This file holds the entry point (pg__decode_module), the module header,
 * the section loop with its ordering and size rules, custom sections
 * (including the tolerant "name" section parser), the final cross-section
 * checks, and the primitive reads shared by decode_sections.c and
 * decode_segments.c. The error policy (malformed stops, invalid is
 * recorded and reported at the end) is explained in decode.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "decode.h"

enum {
  SEC_CUSTOM = 0,
  SEC_TYPE = 1,
  SEC_IMPORT = 2,
  SEC_FUNCTION = 3,
  SEC_TABLE = 4,
  SEC_MEMORY = 5,
  SEC_GLOBAL = 6,
  SEC_EXPORT = 7,
  SEC_START = 8,
  SEC_ELEMENT = 9,
  SEC_CODE = 10,
  SEC_DATA = 11,
  SEC_DATACOUNT = 12,
  SEC_COUNT_ = 13
};

static const char *const section_names[SEC_COUNT_] = {
    "custom", "type",    "import", "function", "table", "memory",   "global",
    "export", "start",   "element", "code",    "data",  "data count"};

/* Position of each known section in the required order (data count sits
 * between element and code). */
static const int section_rank[SEC_COUNT_] = {0, 1, 2,  3,  4,  5, 6,
                                             7, 8, 9, 11, 12, 10};

/* ---- errors ------------------------------------------------------------- */

static pg_status vreport(pg_decoder *d, size_t offset, const char *fmt,
                         va_list ap) {
  char reason[200];
  vsnprintf(reason, sizeof reason, fmt, ap);
  if (d->section)
    return pg__err(d->err, PG_MALFORMED, "%s section at offset 0x%zx: %s",
                   d->section, offset, reason);
  return pg__err(d->err, PG_MALFORMED, "at offset 0x%zx: %s", offset,
                 reason);
}

pg_status pg__dec_malformed(pg_decoder *d, const pg_reader *r,
                            const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  pg_status st = vreport(d, pg_reader_offset(r), fmt, ap);
  va_end(ap);
  return st;
}

pg_status pg__dec_read_error(pg_decoder *d, const pg_reader *r) {
  const char *why = r->error ? r->error : "unexpected end";
  /* Inside a section the reader is bounded by the section's end. */
  if (d->section && strcmp(why, "unexpected end") == 0)
    why = "unexpected end of section or function";
  return pg__dec_malformed(d, r, "%s", why);
}

void pg__dec_invalid(pg_decoder *d, size_t offset, const char *fmt, ...) {
  if (d->has_invalid) return;
  char reason[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(reason, sizeof reason, fmt, ap);
  va_end(ap);
  snprintf(d->invalid, sizeof d->invalid, "%s section at offset 0x%zx: %s",
           d->section ? d->section : "module", offset, reason);
  d->has_invalid = true;
}

pg_status pg__dec_nomem(pg_decoder *d) {
  return pg__err(d->err, PG_NOMEM, "%s section: out of memory",
                 d->section ? d->section : "module");
}

/* ---- primitive reads ---------------------------------------------------- */

pg_status pg__dec_u8(pg_decoder *d, pg_reader *r, uint8_t *out) {
  return pg_read_u8(r, out) ? PG_OK : pg__dec_read_error(d, r);
}

pg_status pg__dec_u32(pg_decoder *d, pg_reader *r, uint32_t *out) {
  return pg_read_u32(r, out) ? PG_OK : pg__dec_read_error(d, r);
}

pg_status pg__dec_count(pg_decoder *d, pg_reader *r, uint32_t *out) {
  uint32_t n;
  PG_TRY(pg__dec_u32(d, r, &n));
  if (n > pg_reader_left(r))
    return pg__dec_malformed(
        d, r, "unexpected end of section or function (%u entries in %zu bytes)",
        n, pg_reader_left(r));
  *out = n;
  return PG_OK;
}

bool pg__utf8_valid(const uint8_t *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t c = s[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2, cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3, cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4, cp = c & 0x07;
    } else {
      return false; /* continuation byte, overlong lead, or > U+10FFFF */
    }
    if (n - i < len) return false;
    for (size_t k = 1; k < len; k++) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = cp << 6 | (s[i + k] & 0x3F);
    }
    if (len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)))
      return false; /* overlong, or a surrogate */
    if (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) return false;
    i += len;
  }
  return true;
}

pg_status pg__dec_name_bytes(pg_decoder *d, pg_reader *r,
                             const uint8_t **bytes, uint32_t *len) {
  uint32_t n;
  PG_TRY(pg__dec_u32(d, r, &n));
  if (n > pg_reader_left(r))
    return pg__dec_malformed(d, r, "length out of bounds (name of %u bytes)",
                             n);
  const uint8_t *start = r->p;
  if (!pg__utf8_valid(start, n))
    return pg__dec_malformed(d, r, "malformed UTF-8 encoding");
  r->p += n;
  *bytes = start;
  *len = n;
  return PG_OK;
}

pg_status pg__dec_name(pg_decoder *d, pg_reader *r, char **out) {
  const uint8_t *bytes;
  uint32_t len;
  PG_TRY(pg__dec_name_bytes(d, r, &bytes, &len));
  char *s = malloc((size_t)len + 1);
  if (!s) return pg__dec_nomem(d);
  memcpy(s, bytes, len);
  s[len] = '\0';
  *out = s;
  return PG_OK;
}

pg_status pg__dec_valtype(pg_decoder *d, pg_reader *r, pg_vt *out) {
  uint8_t b;
  PG_TRY(pg__dec_u8(d, r, &b));
  switch (b) {
    case PG_I32: case PG_I64: case PG_F32: case PG_F64:
    case PG_FUNCREF: case PG_EXTERNREF:
      *out = b;
      return PG_OK;
    default:
      r->p--;
      return pg__dec_malformed(d, r, "malformed value type 0x%02x", b);
  }
}

pg_status pg__dec_reftype(pg_decoder *d, pg_reader *r, pg_vt *out) {
  uint8_t b;
  PG_TRY(pg__dec_u8(d, r, &b));
  if (b != PG_FUNCREF && b != PG_EXTERNREF) {
    r->p--;
    return pg__dec_malformed(d, r, "malformed reference type 0x%02x", b);
  }
  *out = b;
  return PG_OK;
}

void *pg__dec_alloc(size_t count, size_t size) {
  return calloc(count ? count : 1, size);
}

bool pg__dec_grow(void **array, uint32_t count, uint32_t extra, size_t size) {
  size_t total = (size_t)count + extra;
  void *p = realloc(*array, (total ? total : 1) * size);
  if (!p) return false;
  memset((char *)p + (size_t)count * size, 0, (size_t)extra * size);
  *array = p;
  return true;
}

/* ---- custom sections and the name section ------------------------------ */

static pg_status custom_section(pg_decoder *d, pg_reader *r) {
  const uint8_t *name;
  uint32_t len;
  PG_TRY(pg__dec_name_bytes(d, r, &name, &len));
  if (len == 4 && memcmp(name, "name", 4) == 0 && !d->names) {
    d->names = r->p;
    d->names_len = pg_reader_left(r);
  }
  r->p = r->end; /* the payload of a custom section is not checked */
  return PG_OK;
}

static char *dup_name(pg_reader *r) {
  uint32_t len;
  const uint8_t *bytes;
  if (!pg_read_u32(r, &len) || !pg_read_bytes(r, len, &bytes)) return NULL;
  if (!pg__utf8_valid(bytes, len)) return NULL;
  char *s = malloc((size_t)len + 1);
  if (!s) return NULL;
  memcpy(s, bytes, len);
  s[len] = '\0';
  return s;
}

/* Subsection 1: a vector of (function index, name). */
static bool read_func_names(pg_module *m, pg_reader *r) {
  uint32_t n;
  if (!pg_read_u32(r, &n) || n > pg_reader_left(r)) return false;
  if (m->nfuncs == 0) return true; /* nothing to name */
  m->func_names = calloc(m->nfuncs, sizeof *m->func_names);
  if (!m->func_names) return false;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t index;
    if (!pg_read_u32(r, &index)) return false;
    char *s = dup_name(r);
    if (!s) return false;
    if (index < m->nfuncs && !m->func_names[index])
      m->func_names[index] = s;
    else
      free(s);
  }
  return true;
}

static void drop_names(pg_module *m) {
  free(m->module_name);
  m->module_name = NULL;
  if (m->func_names)
    for (uint32_t i = 0; i < m->nfuncs; i++) free(m->func_names[i]);
  free(m->func_names);
  m->func_names = NULL;
}

/* Like other engines, a name section that does not parse is ignored: the
 * names are debugging help, never a reason to reject a module. */
static void parse_name_section(pg_decoder *d) {
  pg_module *m = d->m;
  pg_reader r;
  pg_reader_init(&r, m->bytes, d->names, d->names + d->names_len);
  while (pg_reader_left(&r) > 0) {
    uint8_t id;
    uint32_t size;
    const uint8_t *body;
    if (!pg_read_u8(&r, &id) || !pg_read_u32(&r, &size) ||
        !pg_read_bytes(&r, size, &body))
      goto fail;
    pg_reader sub;
    pg_reader_init(&sub, m->bytes, body, body + size);
    if (id == 0 && !m->module_name) {
      m->module_name = dup_name(&sub);
      if (!m->module_name) goto fail;
    } else if (id == 1 && !m->func_names) {
      if (!read_func_names(m, &sub)) goto fail;
    }
  }
  return;
fail:
  drop_names(m);
}

/* ---- header and section loop -------------------------------------------- */

static pg_status read_header(pg_decoder *d, pg_reader *r) {
  static const uint8_t magic[4] = {0x00, 0x61, 0x73, 0x6D};
  static const uint8_t version[4] = {0x01, 0x00, 0x00, 0x00};
  const uint8_t *b;
  if (!pg_read_bytes(r, 4, &b)) return pg__dec_read_error(d, r);
  if (memcmp(b, magic, 4) != 0) {
    r->p = b;
    return pg__dec_malformed(d, r, "magic header not detected");
  }
  if (!pg_read_bytes(r, 4, &b)) return pg__dec_read_error(d, r);
  if (memcmp(b, version, 4) != 0) {
    r->p = b;
    return pg__dec_malformed(d, r, "unknown binary version");
  }
  return PG_OK;
}

static pg_status section_body(pg_decoder *d, uint8_t id, pg_reader *r) {
  switch (id) {
    case SEC_CUSTOM: return custom_section(d, r);
    case SEC_TYPE: return pg__dec_type_section(d, r);
    case SEC_IMPORT: return pg__dec_import_section(d, r);
    case SEC_FUNCTION: return pg__dec_function_section(d, r);
    case SEC_TABLE: return pg__dec_table_section(d, r);
    case SEC_MEMORY: return pg__dec_memory_section(d, r);
    case SEC_GLOBAL: return pg__dec_global_section(d, r);
    case SEC_EXPORT: return pg__dec_export_section(d, r);
    case SEC_START: return pg__dec_start_section(d, r);
    case SEC_ELEMENT: return pg__dec_element_section(d, r);
    case SEC_CODE: return pg__dec_code_section(d, r);
    case SEC_DATA: return pg__dec_data_section(d, r);
    case SEC_DATACOUNT: return pg__dec_datacount_section(d, r);
    default: return PG_OK; /* unreachable: ids are checked by the caller */
  }
}

/* Reads one section header and its contents; `rank` is the rank of the last
 * non-custom section seen, for the ordering rule. */
static pg_status one_section(pg_decoder *d, pg_reader *r, int *rank) {
  uint8_t id;
  uint32_t size;
  d->section = NULL;
  size_t id_offset = pg_reader_offset(r);
  PG_TRY(pg__dec_u8(d, r, &id));
  if (id >= SEC_COUNT_) {
    r->p--;
    return pg__dec_malformed(d, r, "malformed section id %u", id);
  }
  if (id != SEC_CUSTOM) {
    if (section_rank[id] <= *rank) {
      r->p--;
      return pg__dec_malformed(d, r,
                               "unexpected content after last section "
                               "(%s section out of order or repeated)",
                               section_names[id]);
    }
    *rank = section_rank[id];
  }
  d->section = section_names[id];
  PG_TRY(pg__dec_u32(d, r, &size));
  if (size > pg_reader_left(r))
    return pg__dec_malformed(d, r,
                             "length out of bounds (section of %u bytes, "
                             "%zu left)", size, pg_reader_left(r));
  pg_reader body;
  pg_reader_init(&body, r->start, r->p, r->p + size);
  PG_TRY(section_body(d, id, &body));
  if (pg_reader_left(&body) != 0)
    return pg__dec_malformed(d, &body,
                             "section size mismatch (section at 0x%zx "
                             "declared %u bytes)", id_offset, size);
  r->p = body.end;
  return PG_OK;
}

/* Rules that involve several sections, checked once all are read. */
static pg_status final_checks(pg_decoder *d, const pg_reader *r) {
  pg_module *m = d->m;
  d->section = "code";
  if (!d->saw_code && d->nfunc_decls != 0)
    return pg__dec_malformed(d, r,
                             "function and code section have inconsistent "
                             "lengths (%u functions, no code section)",
                             d->nfunc_decls);
  d->section = "data";
  if (m->has_data_count && !d->saw_data && m->data_count != 0)
    return pg__dec_malformed(d, r,
                             "data count and data section have inconsistent "
                             "lengths (count %u, no data section)",
                             m->data_count);
  return PG_OK;
}

pg_status pg__decode_module(pg_module *m, pg_err *err) {
  pg_decoder d;
  memset(&d, 0, sizeof d);
  d.m = m;
  d.err = err;
  pg_reader r;
  pg_reader_init(&r, m->bytes, m->bytes, m->bytes + m->len);
  PG_TRY(read_header(&d, &r));
  int rank = 0;
  while (pg_reader_left(&r) > 0) PG_TRY(one_section(&d, &r, &rank));
  PG_TRY(final_checks(&d, &r));
  if (d.names) parse_name_section(&d);
  d.section = NULL;
  if (d.has_invalid) return pg__err(err, PG_INVALID, "%s", d.invalid);
  return PG_OK;
}
