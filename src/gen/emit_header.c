/*
 * emit_header.c: writes NAME.pg.h: forward declarations of every message,
 * the enums (and one "case" enum per oneof), the message structs, the
 * encode/decode prototypes and the service declarations. Every reference
 * between messages is a pointer, so structs can be emitted in any order
 * and may be recursive.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

static void emit_guard(const gen_file_desc *file, gen_buf *out, bool open) {
  char *guard = gen_output_name(file->name, "_PG_H");
  for (char *s = guard; *s; s++)
    *s = isalnum((unsigned char)*s) ? (char)toupper((unsigned char)*s) : '_';
  if (open)
    gen_buf_printf(out, "#ifndef PG_GEN_%s\n#define PG_GEN_%s\n\n", guard,
                   guard);
  else
    gen_buf_printf(out, "#endif /* PG_GEN_%s */\n", guard);
  free(guard);
}

static void emit_includes(const gen_file_desc *file, gen_buf *out) {
  gen_buf_printf(out, "#include <stdbool.h>\n#include <stddef.h>\n"
                      "#include <stdint.h>\n\n#include \"parigot/wire.h\"\n");
  if (file->n_service)
    gen_buf_printf(out, "#include \"parigot/call.h\"\n");
  for (size_t i = 0; i < file->n_dependency; i++) {
    char *dep = gen_output_name(file->dependency[i], ".pg.h");
    gen_buf_printf(out, "#include \"%s\"\n", dep);
    free(dep);
  }
  gen_buf_printf(out, "\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");
}

static void emit_enum(const gen_type *t, gen_buf *out) {
  const gen_enum_desc *e = t->enm;
  gen_buf_printf(out, "/* enum %s */\ntypedef enum %s {\n", t->full_name + 1,
                 t->c_name);
  for (size_t i = 0; i < e->n_value; i++)
    gen_buf_printf(out, "  %s_%s = %d,\n", t->c_name, e->value[i]->name,
                   e->value[i]->number);
  /* proto3 enums are open: any int32 may arrive, so the type must be a
   * signed type that holds every int32 */
  gen_buf_printf(out, "  %s__PG_MIN_ = -0x7fffffff - 1,\n"
                      "  %s__PG_MAX_ = 0x7fffffff\n} %s;\n",
                 t->c_name, t->c_name, t->c_name);
  gen_buf_printf(out,
                 "/* The name of value v (\"%s\"...), NULL when unknown. */\n"
                 "const char *%s_name(int32_t v);\n\n",
                 e->n_value ? e->value[0]->name : "", t->c_name);
}

static void emit_oneof_cases(const gen_type *t, gen_buf *out) {
  const gen_msg_desc *m = t->msg;
  for (size_t o = 0; o < m->n_oneof_decl; o++) {
    const char *oneof = m->oneof_decl[o]->name;
    bool real = false;
    for (size_t i = 0; i < m->n_field; i++)
      real |= gen_real_oneof(m->field[i]) == (int)o;
    if (!real)
      continue; /* synthetic oneof of a proto3 `optional` */
    gen_buf_printf(out, "typedef enum %s_%s_case {\n  %s_%s_NOT_SET = 0,\n",
                   t->c_name, oneof, t->c_name, oneof);
    for (size_t i = 0; i < m->n_field; i++)
      if (gen_real_oneof(m->field[i]) == (int)o)
        gen_buf_printf(out, "  %s_%s_%s = %d,\n", t->c_name, oneof,
                       m->field[i]->name, m->field[i]->number);
    gen_buf_printf(out, "} %s_%s_case;\n\n", t->c_name, oneof);
  }
}

/* The C declaration of one member for field f ("int32_t x;"). */
static void emit_member(gen_ctx *ctx, const gen_field_desc *f,
                        const char *indent, gen_buf *out) {
  const gen_scalar *s = gen_scalar_of(ctx, f);
  const char *ctype = s && s->ctype ? s->ctype
                      : gen_is_string(f)  ? "pg_string"
                      : gen_is_bytes(f)   ? "pg_bytes"
                                          : gen_type_c_name(ctx, f);
  const char *name = gen_member(f);
  if (gen_is_repeated(f))
    gen_buf_printf(out, "%ssize_t n_%s;\n%s%s *%s; /* n_%s elements */\n",
                   indent, name, indent, ctype, name, name);
  else if (gen_is_message(f))
    gen_buf_printf(out, "%s%s *%s; /* NULL when absent */\n", indent, ctype,
                   name);
  else if (gen_has_presence_flag(f))
    gen_buf_printf(out, "%sbool has_%s;\n%s%s %s;\n", indent, name, indent,
                   ctype, name);
  else
    gen_buf_printf(out, "%s%s %s;\n", indent, ctype, name);
}

void gen_emit_message_struct(gen_ctx *ctx, const gen_type *t, gen_buf *out) {
  const gen_msg_desc *m = t->msg;
  gen_buf_printf(out, "/* message %s%s */\nstruct %s {\n", t->full_name + 1,
                 gen_is_map_entry(m) ? " (a map entry)" : "", t->c_name);
  if (m->n_field == 0)
    gen_buf_printf(out, "  char pg_unused_; /* C has no empty structs */\n");
  for (size_t i = 0; i < m->n_field; i++) {
    int o = gen_real_oneof(m->field[i]);
    if (o < 0) {
      emit_member(ctx, m->field[i], "  ", out);
      continue;
    }
    bool first = true;
    for (size_t j = 0; j < i; j++)
      first &= gen_real_oneof(m->field[j]) != o;
    if (!first)
      continue;
    const char *oneof = m->oneof_decl[o]->name;
    gen_buf_printf(out, "  %s_%s_case %s_case; /* which member is set */\n"
                        "  union {\n", t->c_name, oneof, oneof);
    for (size_t j = i; j < m->n_field; j++)
      if (gen_real_oneof(m->field[j]) == o)
        emit_member(ctx, m->field[j], "    ", out);
    gen_buf_printf(out, "  };\n");
  }
  gen_buf_printf(out, "};\n\n");
}

static void emit_message_api(const gen_type *t, gen_buf *out) {
  const char *c = t->c_name;
  gen_buf_printf(out,
      "/* %s: exact encoded size; encode into buf (cap bytes; *out_len gets\n"
      " * the size even when it does not fit); decode into *out (zeroed\n"
      " * first) with strings, bytes and arrays in `arena`. */\n"
      "size_t %s_size(const %s *m);\n"
      "pg_wire_status %s_encode(const %s *m, uint8_t *buf, size_t cap,\n"
      "    size_t *out_len);\n"
      "pg_wire_status %s_decode(%s *out, const uint8_t *data, size_t len,\n"
      "    pg_arena *arena, size_t *err_offset);\n"
      "extern const pg_message_type %s_type;\n"
      "uint8_t *%s__write(const %s *m, uint8_t *p); /* internal */\n"
      "const uint8_t *%s__read(%s *m, pg_reader *r, const uint8_t *p,\n"
      "    const uint8_t *end, int depth); /* internal */\n\n",
      c, c, c, c, c, c, c, c, c, c, c, c);
}

void gen_emit_header(gen_ctx *ctx, const gen_file_desc *file, gen_buf *out) {
  gen_buf_printf(out, "/* generated by protoc-gen-parigot from %s, do not "
                      "edit */\n", file->name);
  emit_guard(file, out, true);
  emit_includes(file, out);
  for (size_t i = 0; i < ctx->n_types; i++)
    if (ctx->types[i].file == file && ctx->types[i].msg)
      gen_buf_printf(out, "typedef struct %s %s;\n", ctx->types[i].c_name,
                     ctx->types[i].c_name);
  gen_buf_printf(out, "\n");
  for (size_t i = 0; i < ctx->n_types; i++) {
    const gen_type *t = &ctx->types[i];
    if (t->file != file)
      continue;
    if (t->enm)
      emit_enum(t, out);
    else
      emit_oneof_cases(t, out);
  }
  for (size_t i = 0; i < ctx->n_types; i++)
    if (ctx->types[i].file == file && ctx->types[i].msg)
      gen_emit_message_struct(ctx, &ctx->types[i], out);
  for (size_t i = 0; i < ctx->n_types; i++)
    if (ctx->types[i].file == file && ctx->types[i].msg)
      emit_message_api(&ctx->types[i], out);
  for (size_t i = 0; i < file->n_service; i++)
    gen_emit_service_decls(ctx, file, file->service[i], out);
  gen_buf_printf(out, "#ifdef __cplusplus\n}\n#endif\n");
  emit_guard(file, out, false);
}
