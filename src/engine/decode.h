/*
 * decode.h: the decoder's internal state and helpers, shared by decode.c
 * (header, section loop, custom and name sections), decode_sections.c
 * (type .. start) and decode_segments.c (constant expressions, element,
 * code, data). Nothing outside the decode_*.c files includes this.
 *
 * Error policy. Binary-format problems (the spec's assert_malformed) stop
 * decoding at once with PG_MALFORMED. Typing and index problems (the spec's
 * assert_invalid) are recorded -- the first one wins -- and decoding goes
 * on, so that a module that is both malformed further on and invalid here
 * reports PG_MALFORMED, as the spec (decode everything, then validate)
 * requires. pg__decode_module returns the recorded PG_INVALID at the end.
 */
#ifndef PG_ENGINE_DECODE_H
#define PG_ENGINE_DECODE_H

#include "module.h"
#include "reader.h"

/* Implementation limit on the locals of one function (params excluded).
 * Beyond it a body is rejected as "too many locals", like an overflowing
 * count: it keeps a 20-byte function from asking for gigabytes. */
#define PG_MAX_LOCALS 50000u

typedef struct pg_decoder {
  pg_module *m;         /* borrowed: the module being filled */
  pg_err *err;          /* borrowed: where the final message goes */
  const char *section;  /* name of the section being read, for messages */

  uint32_t nfunc_decls; /* entries of the function section */
  bool saw_code;        /* a code section was read */
  bool saw_data;        /* a data section was read */

  /* The first "name" custom section, parsed once every index space is
   * known (it may legally come before them in a sloppy producer). */
  const uint8_t *names;
  size_t names_len;

  /* The first typing/index error, reported only if decoding succeeds. */
  bool has_invalid;
  char invalid[256];
} pg_decoder;

/* Ownership, for every function below: the decoder `d` and the reader `r`
 * are borrowed for the call; `r` is advanced past what was read (on
 * failure its position is unspecified, but never past r->end). Strings and
 * arrays written to the module belong to the module (pg__module_destroy
 * frees them, also after a failure half-way). */

/* Returns early with the status of `expr` unless it is PG_OK. */
#define PG_TRY(expr)                                                          \
  do {                                                                        \
    pg_status pg_try_st_ = (expr);                                            \
    if (pg_try_st_ != PG_OK) return pg_try_st_;                               \
  } while (0)

/* ---- errors (decode.c) ---- */

/* Formats "<section> section at offset 0x..: <reason>" and returns
 * PG_MALFORMED. `r` is borrowed for its position. */
pg_status pg__dec_malformed(pg_decoder *d, const pg_reader *r,
                            const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same, with the reason the reader left in r->error. */
pg_status pg__dec_read_error(pg_decoder *d, const pg_reader *r);
/* Records a typing/index problem at `offset` (only the first is kept). */
void pg__dec_invalid(pg_decoder *d, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
pg_status pg__dec_nomem(pg_decoder *d);

/* ---- primitive reads; each returns PG_OK or PG_MALFORMED (decode.c) ---- */

pg_status pg__dec_u8(pg_decoder *d, pg_reader *r, uint8_t *out);
pg_status pg__dec_u32(pg_decoder *d, pg_reader *r, uint32_t *out);
/* A vector length. Every entry takes at least one byte, so a count larger
 * than the bytes left is malformed; this bounds every allocation by the
 * size of the module. */
pg_status pg__dec_count(pg_decoder *d, pg_reader *r, uint32_t *out);
/* A name: length, then that many bytes of valid UTF-8. *bytes points into
 * the module (borrowed). */
pg_status pg__dec_name_bytes(pg_decoder *d, pg_reader *r,
                             const uint8_t **bytes, uint32_t *len);
/* A name copied into a new NUL-terminated string (*out owned by the
 * caller). */
pg_status pg__dec_name(pg_decoder *d, pg_reader *r, char **out);
bool pg__utf8_valid(const uint8_t *s, size_t n);
pg_status pg__dec_valtype(pg_decoder *d, pg_reader *r, pg_vt *out);
pg_status pg__dec_reftype(pg_decoder *d, pg_reader *r, pg_vt *out);
/* calloc for `count` entries that never returns NULL for count 0. */
void *pg__dec_alloc(size_t count, size_t size);
/* Grows *array (of *count entries) by `extra` zeroed entries. */
bool pg__dec_grow(void **array, uint32_t count, uint32_t extra, size_t size);

/* ---- sections (decode_sections.c) ---- */

pg_status pg__dec_type_section(pg_decoder *d, pg_reader *r);
pg_status pg__dec_import_section(pg_decoder *d, pg_reader *r);
pg_status pg__dec_function_section(pg_decoder *d, pg_reader *r);
pg_status pg__dec_table_section(pg_decoder *d, pg_reader *r);
pg_status pg__dec_memory_section(pg_decoder *d, pg_reader *r);
pg_status pg__dec_global_section(pg_decoder *d, pg_reader *r);
pg_status pg__dec_export_section(pg_decoder *d, pg_reader *r);
pg_status pg__dec_start_section(pg_decoder *d, pg_reader *r);

/* ---- sections (decode_segments.c) ---- */

/* Reads a constant expression up to its `end` and type-checks it against
 * `expected` (problems of typing are recorded as invalid). */
pg_status pg__dec_constexpr(pg_decoder *d, pg_reader *r, pg_vt expected,
                            pg_constexpr *out);
pg_status pg__dec_element_section(pg_decoder *d, pg_reader *r);
pg_status pg__dec_datacount_section(pg_decoder *d, pg_reader *r);
pg_status pg__dec_code_section(pg_decoder *d, pg_reader *r);
pg_status pg__dec_data_section(pg_decoder *d, pg_reader *r);

#endif /* PG_ENGINE_DECODE_H */
