/*
 * emit_codec.c: writes, for one message, the C that computes its encoded
 * size, writes it (fields in number order, as protoc does, so bytes match
 * byte for byte), and reads it back. The emitted reader is one switch on
 * the whole tag per message, so each known field costs one compare and a
 * jump; repeated fields get their arrays sized by a count pre-pass
 * (pg_wire_count) and are then filled in place.
 */
#include <stdlib.h>
#include <string.h>

#include "gen.h"

/* Wire type of one value of f. */
static int value_wire(gen_ctx *ctx, const gen_field_desc *f) {
  const gen_scalar *s = gen_scalar_of(ctx, f);
  return s ? s->wire : 2;
}

static void emit_tag(const gen_field_desc *f, int wire, const char *indent,
                     gen_buf *out) {
  uint8_t bytes[5];
  int n = gen_tag_bytes((uint32_t)f->number, wire, bytes);
  gen_buf_printf(out, "%s", indent);
  for (int i = 0; i < n; i++)
    gen_buf_printf(out, "*p++ = 0x%02x;%s", bytes[i], i + 1 < n ? " " : "\n");
}

static int tag_size(const gen_field_desc *f, int wire) {
  uint8_t bytes[5];
  return gen_tag_bytes((uint32_t)f->number, wire, bytes);
}

/* Name of the oneof-case constant of f. */
static char *case_const(const gen_type *t, const gen_field_desc *f) {
  return gen_strdupf("%s_%s_%s", t->c_name,
                     t->msg->oneof_decl[gen_real_oneof(f)]->name, f->name);
}

/* Condition under which singular field f is on the wire (malloc'ed). */
static char *presence(gen_ctx *ctx, const gen_type *t,
                      const gen_field_desc *f) {
  char *member = gen_strdupf("m->%s", gen_member(f));
  char *cond;
  if (gen_real_oneof(f) >= 0) {
    char *k = case_const(t, f);
    cond = gen_strdupf("m->%s_case == %s",
                       t->msg->oneof_decl[gen_real_oneof(f)]->name, k);
    free(k);
  } else if (gen_is_map_entry(t->msg)) {
    cond = gen_strdupf("1"); /* map entries carry key and value, as protoc */
  } else if (gen_has_presence_flag(f)) {
    cond = gen_strdupf("m->has_%s", gen_member(f));
  } else if (gen_is_message(f)) {
    cond = gen_strdupf("%s", member);
  } else if (gen_is_string(f) || gen_is_bytes(f)) {
    cond = gen_strdupf("%s.len != 0", member);
  } else {
    gen_buf b = {0};
    gen_buf_subst(&b, gen_scalar_of(ctx, f)->nonzero, member);
    cond = gen_buf_take(&b);
  }
  free(member);
  return cond;
}

/* Appends the encoded size (without tag) of value `v` of field f; for a
 * message, `v` is a pointer (possibly NULL in a map entry). */
static void emit_value_size(gen_ctx *ctx, const gen_field_desc *f,
                            const char *v, bool nullable, gen_buf *out) {
  const gen_scalar *s = gen_scalar_of(ctx, f);
  if (s && s->size)
    gen_buf_subst(out, s->size, v);
  else if (s)
    gen_buf_printf(out, "%d", s->fixed_size);
  else if (gen_is_message(f) && nullable)
    gen_buf_printf(out, "pg_wire_len_size(%s ? %s_size(%s) : 0)", v,
                   gen_type_c_name(ctx, f), v);
  else if (gen_is_message(f))
    gen_buf_printf(out, "pg_wire_len_size(%s_size(%s))",
                   gen_type_c_name(ctx, f), v);
  else
    gen_buf_printf(out, "pg_wire_len_size(%s.len)", v);
}

/* Appends statements writing value `v` (no tag). */
static void emit_value_write(gen_ctx *ctx, const gen_field_desc *f,
                             const char *v, bool nullable, const char *indent,
                             gen_buf *out) {
  const gen_scalar *s = gen_scalar_of(ctx, f);
  if (s) {
    const char *writer = s->wire == 0   ? "varint"
                         : s->wire == 5 ? "fixed32"
                                        : "fixed64";
    gen_buf_printf(out, "%sp = pg_wire_write_%s(p, ", indent, writer);
    gen_buf_subst(out, s->encode, v);
    gen_buf_printf(out, ");\n");
  } else if (gen_is_message(f) && !nullable) {
    const char *c = gen_type_c_name(ctx, f);
    gen_buf_printf(out, "%sp = pg_wire_write_varint(p, %s_size(%s));\n"
                   "%sp = %s__write(%s, p);\n", indent, c, v, indent, c, v);
  } else if (gen_is_message(f)) {
    const char *c = gen_type_c_name(ctx, f);
    gen_buf_printf(out,
                   "%sp = pg_wire_write_varint(p, %s ? %s_size(%s) : 0);\n"
                   "%sif (%s)\n%s  p = %s__write(%s, p);\n",
                   indent, v, c, v, indent, v, indent, c, v);
  } else {
    gen_buf_printf(out, "%sp = pg_wire_write_len_bytes(p, %s.data, %s.len);\n",
                   indent, v, v);
  }
}

/* The payload size of packed field f into local `payload`. */
static void emit_packed_payload(gen_ctx *ctx, const gen_field_desc *f,
                                const char *indent, gen_buf *out) {
  const gen_scalar *s = gen_scalar_of(ctx, f);
  const char *name = gen_member(f);
  if (!s->size || !strchr(s->size, '$')) {
    gen_buf_printf(out, "%ssize_t payload = m->n_%s * %s;\n", indent, name,
                   s->size ? s->size : s->fixed_size == 4 ? "4" : "8");
    return;
  }
  char *elem = gen_strdupf("m->%s[i]", name);
  gen_buf_printf(out, "%ssize_t payload = 0;\n"
                      "%sfor (size_t i = 0; i < m->n_%s; i++)\n%s  payload += ",
                 indent, indent, name, indent);
  gen_buf_subst(out, s->size, elem);
  gen_buf_printf(out, ";\n");
  free(elem);
}

static void emit_field_size(gen_ctx *ctx, const gen_type *t,
                            const gen_field_desc *f, gen_buf *out) {
  char *name = gen_strdupf("%s", gen_member(f));
  if (gen_is_packed(f)) {
    gen_buf_printf(out, "  if (m->n_%s) {\n", name);
    emit_packed_payload(ctx, f, "    ", out);
    gen_buf_printf(out, "    n += %d + pg_wire_len_size(payload);\n  }\n",
                   tag_size(f, 2));
  } else if (gen_is_repeated(f)) {
    char *elem = gen_is_message(f) ? gen_strdupf("(&m->%s[i])", name)
                                   : gen_strdupf("m->%s[i]", name);
    gen_buf_printf(out, "  for (size_t i = 0; i < m->n_%s; i++)\n    n += %d + ",
                   name, tag_size(f, value_wire(ctx, f)));
    emit_value_size(ctx, f, elem, false, out);
    gen_buf_printf(out, ";\n");
    free(elem);
  } else {
    char *cond = presence(ctx, t, f);
    char *v = gen_strdupf("m->%s", name);
    gen_buf_printf(out, "  if (%s)\n    n += %d + ", cond,
                   tag_size(f, value_wire(ctx, f)));
    emit_value_size(ctx, f, v, gen_is_map_entry(t->msg), out);
    gen_buf_printf(out, ";\n");
    free(cond);
    free(v);
  }
  free(name);
}

static void emit_field_write(gen_ctx *ctx, const gen_type *t,
                             const gen_field_desc *f, gen_buf *out) {
  char *name = gen_strdupf("%s", gen_member(f));
  if (gen_is_packed(f)) {
    gen_buf_printf(out, "  if (m->n_%s) {\n", name);
    emit_tag(f, 2, "    ", out);
    emit_packed_payload(ctx, f, "    ", out);
    gen_buf_printf(out, "    p = pg_wire_write_varint(p, payload);\n"
                        "    for (size_t i = 0; i < m->n_%s; i++) {\n", name);
    char *elem = gen_strdupf("m->%s[i]", name);
    emit_value_write(ctx, f, elem, false, "      ", out);
    gen_buf_printf(out, "    }\n  }\n");
    free(elem);
  } else if (gen_is_repeated(f)) {
    char *elem = gen_is_message(f) ? gen_strdupf("(&m->%s[i])", name)
                                   : gen_strdupf("m->%s[i]", name);
    gen_buf_printf(out, "  for (size_t i = 0; i < m->n_%s; i++) {\n", name);
    emit_tag(f, value_wire(ctx, f), "    ", out);
    emit_value_write(ctx, f, elem, false, "    ", out);
    gen_buf_printf(out, "  }\n");
    free(elem);
  } else {
    char *cond = presence(ctx, t, f);
    char *v = gen_strdupf("m->%s", name);
    gen_buf_printf(out, "  if (%s) {\n", cond);
    emit_tag(f, value_wire(ctx, f), "    ", out);
    emit_value_write(ctx, f, v, gen_is_map_entry(t->msg), "    ", out);
    gen_buf_printf(out, "  }\n");
    free(cond);
    free(v);
  }
  free(name);
}

static void emit_size_and_write(gen_ctx *ctx, const gen_type *t,
                                const gen_field_desc **fields, gen_buf *out) {
  const char *c = t->c_name;
  size_t n = t->msg->n_field;
  gen_buf_printf(out, "size_t %s_size(const %s *m) {\n  size_t n = 0;\n"
                      "  (void)m;\n", c, c);
  for (size_t i = 0; i < n; i++)
    emit_field_size(ctx, t, fields[i], out);
  gen_buf_printf(out, "  return n;\n}\n\n");
  gen_buf_printf(out, "uint8_t *%s__write(const %s *m, uint8_t *p) {\n"
                      "  (void)m;\n", c, c);
  for (size_t i = 0; i < n; i++)
    emit_field_write(ctx, t, fields[i], out);
  gen_buf_printf(out, "  return p;\n}\n\n");
}

/* ---- reading ---- */

/* Statements that read one non-message value of f into lvalue `dst`,
 * bounded by `end`. */
static void emit_value_read(gen_ctx *ctx, const gen_field_desc *f,
                            const char *dst, const char *end,
                            const char *indent, gen_buf *out) {
  const gen_scalar *s = gen_scalar_of(ctx, f);
  if (!s) {
    gen_buf_printf(out, "%sp = pg_wire_read_%s(r, p, %s, &%s);\n"
                        "%sif (!p)\n%s  return NULL;\n",
                   indent, gen_is_string(f) ? "string" : "bytes", end, dst,
                   indent, indent);
    return;
  }
  const char *reader = s->wire == 0   ? "varint"
                       : s->wire == 5 ? "fixed32"
                                      : "fixed64";
  gen_buf_printf(out, "%s%s v;\n%sp = pg_wire_read_%s(r, p, %s, &v);\n"
                      "%sif (!p)\n%s  return NULL;\n%s%s = ",
                 indent, s->raw_type, indent, reader, end, indent, indent,
                 indent, dst);
  gen_buf_subst(out, s->decode, "v");
  gen_buf_printf(out, ";\n");
}

/* Statements that read one sub-message into `slot` (an lvalue pointer;
 * `existing` is what to merge into, or "NULL"). */
static void emit_message_read(gen_ctx *ctx, const gen_field_desc *f,
                              const char *existing, const char *slot,
                              gen_buf *out) {
  const char *c = gen_type_c_name(ctx, f);
  gen_buf_printf(out,
      "      size_t len;\n"
      "      p = pg_wire_read_len(r, p, end, &len);\n"
      "      if (!p)\n        return NULL;\n"
      "      %s *sub = pg_wire_enter(r, p, %s, sizeof(%s), _Alignof(%s), depth);\n"
      "      if (!sub || !%s__read(sub, r, p, p + len, depth + 1))\n"
      "        return NULL;\n",
      c, existing, c, c, c);
  if (slot)
    gen_buf_printf(out, "      %s = sub;\n", slot);
  gen_buf_printf(out, "      p += len;\n");
}

static void emit_repeated_case(gen_ctx *ctx, const gen_field_desc *f,
                               gen_buf *out) {
  char *name = gen_strdupf("%s", gen_member(f));
  char *elem = gen_strdupf("m->%s[m->n_%s]", name, name);
  gen_buf_printf(out, "    case %u: {\n", (unsigned)f->number << 3 |
                                              (unsigned)value_wire(ctx, f));
  gen_buf_printf(out, "      if (m->n_%s == limit_%s)\n"
                      "        return pg_wire_fail(r, field, PG_WIRE_BAD_LENGTH);\n",
                 name, name);
  if (gen_is_message(f)) {
    char *ptr = gen_strdupf("&%s", elem);
    emit_message_read(ctx, f, ptr, NULL, out);
    free(ptr);
  } else {
    emit_value_read(ctx, f, elem, "end", "      ", out);
  }
  gen_buf_printf(out, "      m->n_%s++;\n      break;\n    }\n", name);
  if (gen_scalar_of(ctx, f)) {
    /* packed run; accepted for unpacked fields too, as protobuf does */
    gen_buf_printf(out, "    case %u: {\n      size_t len;\n"
        "      p = pg_wire_read_len(r, p, end, &len);\n"
        "      if (!p)\n        return NULL;\n"
        "      const uint8_t *run_end = p + len;\n"
        "      while (p < run_end) {\n"
        "        if (m->n_%s == limit_%s)\n"
        "          return pg_wire_fail(r, p, PG_WIRE_BAD_LENGTH);\n",
        (unsigned)f->number << 3 | 2u, name, name);
    gen_buf_printf(out, "        {\n");
    emit_value_read(ctx, f, elem, "run_end", "          ", out);
    gen_buf_printf(out, "        }\n        m->n_%s++;\n      }\n      break;\n"
                        "    }\n", name);
  }
  free(elem);
  free(name);
}

static void emit_singular_case(gen_ctx *ctx, const gen_type *t,
                               const gen_field_desc *f, gen_buf *out) {
  char *name = gen_strdupf("%s", gen_member(f));
  char *dst = gen_strdupf("m->%s", name);
  char *k = gen_real_oneof(f) >= 0 ? case_const(t, f) : NULL;
  const char *oneof = k ? t->msg->oneof_decl[gen_real_oneof(f)]->name : NULL;
  gen_buf_printf(out, "    case %u: {\n", (unsigned)f->number << 3 |
                                              (unsigned)value_wire(ctx, f));
  if (gen_is_message(f)) {
    char *existing = k ? gen_strdupf("m->%s_case == %s ? m->%s : NULL",
                                     oneof, k, name)
                       : gen_strdupf("m->%s", name);
    emit_message_read(ctx, f, existing, dst, out);
    free(existing);
  } else {
    emit_value_read(ctx, f, dst, "end", "      ", out);
  }
  if (k)
    gen_buf_printf(out, "      m->%s_case = %s;\n", oneof, k);
  if (gen_has_presence_flag(f))
    gen_buf_printf(out, "      m->has_%s = true;\n", name);
  gen_buf_printf(out, "      break;\n    }\n");
  free(k);
  free(dst);
  free(name);
}

/* Count pre-pass and array allocation for the repeated fields. */
static void emit_read_prologue(gen_ctx *ctx, const gen_msg_desc *m,
                               gen_buf *out) {
  size_t k = 0;
  for (size_t i = 0; i < m->n_field; i++)
    k += gen_is_repeated(m->field[i]);
  if (!k)
    return;
  gen_buf_printf(out, "  static const pg_wire_counted counted[%zu] = {\n", k);
  for (size_t i = 0; i < m->n_field; i++) {
    const gen_field_desc *f = m->field[i];
    if (!gen_is_repeated(f))
      continue;
    const gen_scalar *s = gen_scalar_of(ctx, f);
    gen_buf_printf(out, "    {%d, %s},\n", f->number,
                   s ? s->count_kind : "PG_COUNT_EACH");
  }
  gen_buf_printf(out, "  };\n  size_t counts[%zu] = {0};\n"
                      "  if (!pg_wire_count(r, p, end, counted, %zu, counts))\n"
                      "    return NULL;\n", k, k);
  size_t j = 0;
  for (size_t i = 0; i < m->n_field; i++) {
    const gen_field_desc *f = m->field[i];
    if (!gen_is_repeated(f))
      continue;
    char *name = gen_strdupf("%s", gen_member(f));
    gen_buf_printf(out,
        "  size_t limit_%s = m->n_%s + counts[%zu];\n"
        "  if (counts[%zu]) {\n"
        "    void *grown = pg_wire_grow(r, p, m->%s, m->n_%s, counts[%zu],\n"
        "                               sizeof *m->%s, _Alignof(__typeof__(*m->%s)));\n"
        "    if (!grown)\n      return NULL;\n    m->%s = grown;\n  }\n",
        name, name, j, j, name, name, j, name, name, name);
    free(name);
    j++;
  }
}

static void emit_read(gen_ctx *ctx, const gen_type *t, gen_buf *out) {
  const gen_msg_desc *m = t->msg;
  gen_buf_printf(out,
      "const uint8_t *%s__read(%s *m, pg_reader *r, const uint8_t *p,\n"
      "    const uint8_t *end, int depth) {\n  (void)m;\n  (void)depth;\n",
      t->c_name, t->c_name);
  emit_read_prologue(ctx, m, out);
  gen_buf_printf(out, "  while (p < end) {\n    const uint8_t *field = p;\n"
      "    uint32_t tag;\n    (void)field;\n    p = pg_wire_read_tag(r, p, end, &tag);\n"
      "    if (!p)\n      return NULL;\n    switch (tag) {\n");
  for (size_t i = 0; i < m->n_field; i++) {
    if (gen_is_repeated(m->field[i]))
      emit_repeated_case(ctx, m->field[i], out);
    else
      emit_singular_case(ctx, t, m->field[i], out);
  }
  gen_buf_printf(out, "    default:\n      switch (tag >> 3) {\n");
  for (size_t i = 0; i < m->n_field; i++)
    gen_buf_printf(out, "      case %d:\n", m->field[i]->number);
  if (m->n_field)
    gen_buf_printf(out, "        return pg_wire_fail(r, field, "
                        "PG_WIRE_BAD_WIRE_TYPE);\n");
  gen_buf_printf(out, "      default:\n        break;\n      }\n"
      "      p = pg_wire_skip(r, p, end, tag); /* an unknown field */\n"
      "      if (!p)\n        return NULL;\n    }\n  }\n  return p;\n}\n\n");
}

static void emit_public(const gen_type *t, gen_buf *out) {
  const char *c = t->c_name;
  gen_buf_printf(out,
      "pg_wire_status %s_encode(const %s *m, uint8_t *buf, size_t cap,\n"
      "    size_t *out_len) {\n"
      "  size_t n = %s_size(m);\n"
      "  if (out_len)\n    *out_len = n;\n"
      "  if (n > cap || (n && !buf))\n    return PG_WIRE_BUFFER_TOO_SMALL;\n"
      "  if (n)\n    %s__write(m, buf);\n"
      "  return PG_WIRE_OK;\n}\n\n", c, c, c, c);
  gen_buf_printf(out,
      "pg_wire_status %s_decode(%s *out, const uint8_t *data, size_t len,\n"
      "    pg_arena *arena, size_t *err_offset) {\n"
      "  pg_reader r;\n  size_t mark = arena->used;\n"
      "  memset(out, 0, sizeof *out);\n"
      "  if (len == 0)\n    return PG_WIRE_OK;\n"
      "  pg_reader_init(&r, data, arena);\n"
      "  if (%s__read(out, &r, data, data + len, 0))\n    return PG_WIRE_OK;\n"
      "  memset(out, 0, sizeof *out); /* it points into released arena space */\n"
      "  arena->used = mark;\n"
      "  return pg_reader_error(&r, err_offset);\n}\n\n", c, c, c);
  gen_buf_printf(out,
      "static size_t %s__size_any(const void *m) {\n"
      "  return %s_size((const %s *)m);\n}\n"
      "static uint8_t *%s__write_any(const void *m, uint8_t *p) {\n"
      "  return %s__write((const %s *)m, p);\n}\n"
      "static pg_wire_status %s__decode_any(void *m, const uint8_t *data,\n"
      "    size_t len, pg_arena *arena, size_t *err_offset) {\n"
      "  return %s_decode((%s *)m, data, len, arena, err_offset);\n}\n"
      "const pg_message_type %s_type = {\n  \"%s\", sizeof(%s),\n"
      "  %s__size_any, %s__write_any, %s__decode_any,\n};\n\n",
      c, c, c, c, c, c, c, c, c, c, t->full_name + 1, c, c, c, c);
}

void gen_emit_message_codec(gen_ctx *ctx, const gen_type *t, gen_buf *out) {
  const gen_field_desc **fields = gen_fields_by_number(t->msg);
  gen_buf_printf(out, "/* ---- %s ---- */\n\n", t->full_name + 1);
  emit_size_and_write(ctx, t, fields, out);
  emit_read(ctx, t, out);
  emit_public(t, out);
  free(fields);
}
