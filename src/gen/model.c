/*
 * model.c: what protoc-gen-parigot knows about the .proto files protoc
 * sends: a table of every message and enum by full name, how each proto
 * type maps to C and to the wire (one table, `scalars`), and the C names
 * of types, members and output files.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

#define FIELD(x) GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__##x

/* Indexed by FieldDescriptorProto.Type (1..18); '$' is the value. */
static const gen_scalar scalars[19] = {
    [FIELD(TYPE__TYPE_DOUBLE)] = {"double", 1, "uint64_t", "pg_wire_bits_double($)",
                            "pg_wire_double_bits($)", NULL, 8,
                            "pg_wire_double_bits($) != 0", "PG_COUNT_FIXED64"},
    [FIELD(TYPE__TYPE_FLOAT)] = {"float", 5, "uint32_t", "pg_wire_bits_float($)",
                           "pg_wire_float_bits($)", NULL, 4,
                           "pg_wire_float_bits($) != 0", "PG_COUNT_FIXED32"},
    [FIELD(TYPE__TYPE_INT64)] = {"int64_t", 0, "uint64_t", "(int64_t)$",
                           "(uint64_t)$", "pg_wire_varint_size((uint64_t)$)",
                           0, "$ != 0", "PG_COUNT_VARINTS"},
    [FIELD(TYPE__TYPE_UINT64)] = {"uint64_t", 0, "uint64_t", "$", "$",
                            "pg_wire_varint_size($)", 0, "$ != 0",
                            "PG_COUNT_VARINTS"},
    [FIELD(TYPE__TYPE_INT32)] = {"int32_t", 0, "uint64_t", "(int32_t)$",
                           "(uint64_t)(int64_t)$", "pg_wire_int32_size($)", 0,
                           "$ != 0", "PG_COUNT_VARINTS"},
    [FIELD(TYPE__TYPE_FIXED64)] = {"uint64_t", 1, "uint64_t", "$", "$", NULL, 8,
                             "$ != 0", "PG_COUNT_FIXED64"},
    [FIELD(TYPE__TYPE_FIXED32)] = {"uint32_t", 5, "uint32_t", "$", "$", NULL, 4,
                             "$ != 0", "PG_COUNT_FIXED32"},
    [FIELD(TYPE__TYPE_BOOL)] = {"bool", 0, "uint64_t", "$ != 0",
                          "(uint64_t)($ ? 1 : 0)", "1", 0, "$",
                          "PG_COUNT_VARINTS"},
    [FIELD(TYPE__TYPE_UINT32)] = {"uint32_t", 0, "uint64_t", "(uint32_t)$", "$",
                            "pg_wire_varint_size($)", 0, "$ != 0",
                            "PG_COUNT_VARINTS"},
    /* through int32_t: a value read from the wire is an int32 (negative
     * ones sign-extended to 10 bytes), whatever C makes of the enum type */
    [FIELD(TYPE__TYPE_ENUM)] = {NULL, 0, "uint64_t", "(int32_t)$",
                          "(uint64_t)(int64_t)(int32_t)$",
                          "pg_wire_int32_size((int32_t)$)", 0,
                          "$ != 0", "PG_COUNT_VARINTS"},
    [FIELD(TYPE__TYPE_SFIXED32)] = {"int32_t", 5, "uint32_t", "(int32_t)$",
                              "(uint32_t)$", NULL, 4, "$ != 0",
                              "PG_COUNT_FIXED32"},
    [FIELD(TYPE__TYPE_SFIXED64)] = {"int64_t", 1, "uint64_t", "(int64_t)$",
                              "(uint64_t)$", NULL, 8, "$ != 0",
                              "PG_COUNT_FIXED64"},
    [FIELD(TYPE__TYPE_SINT32)] = {"int32_t", 0, "uint64_t",
                            "pg_wire_unzigzag32((uint32_t)$)",
                            "pg_wire_zigzag32($)",
                            "pg_wire_varint_size(pg_wire_zigzag32($))", 0,
                            "$ != 0", "PG_COUNT_VARINTS"},
    [FIELD(TYPE__TYPE_SINT64)] = {"int64_t", 0, "uint64_t", "pg_wire_unzigzag64($)",
                            "pg_wire_zigzag64($)",
                            "pg_wire_varint_size(pg_wire_zigzag64($))", 0,
                            "$ != 0", "PG_COUNT_VARINTS"},
};

void gen_fail(gen_ctx *ctx, const char *fmt, ...) {
  if (ctx->error)
    return;
  va_list ap;
  va_start(ap, fmt);
  ctx->error = gen_vstrdupf(fmt, ap);
  va_end(ap);
}

static void add_type(gen_ctx *ctx, const gen_file_desc *file, const char *scope,
                     const gen_msg_desc *msg, const gen_enum_desc *enm) {
  if (ctx->n_types == ctx->cap_types) {
    size_t cap = ctx->cap_types ? ctx->cap_types * 2 : 64;
    gen_type *types = gen_xmalloc(cap * sizeof *types);
    if (ctx->n_types)
      memcpy(types, ctx->types, ctx->n_types * sizeof *types);
    free(ctx->types);
    ctx->types = types;
    ctx->cap_types = cap;
  }
  gen_type *t = &ctx->types[ctx->n_types++];
  const char *pkg = file->package ? file->package : "";
  t->full_name = gen_strdupf(".%s%s%s", pkg, *pkg ? "." : "", scope);
  t->c_name = gen_c_name(file, scope);
  t->msg = msg;
  t->enm = enm;
  t->file = file;
}

static void index_message(gen_ctx *ctx, const gen_file_desc *file,
                          const char *outer, const gen_msg_desc *m) {
  char *scope = outer ? gen_strdupf("%s.%s", outer, m->name)
                      : gen_strdupf("%s", m->name);
  add_type(ctx, file, scope, m, NULL);
  for (size_t i = 0; i < m->n_enum_type; i++) {
    char *s = gen_strdupf("%s.%s", scope, m->enum_type[i]->name);
    add_type(ctx, file, s, NULL, m->enum_type[i]);
    free(s);
  }
  for (size_t i = 0; i < m->n_nested_type; i++)
    index_message(ctx, file, scope, m->nested_type[i]);
  free(scope);
}

void gen_ctx_index_file(gen_ctx *ctx, const gen_file_desc *file) {
  for (size_t i = 0; i < file->n_enum_type; i++)
    add_type(ctx, file, file->enum_type[i]->name, NULL, file->enum_type[i]);
  for (size_t i = 0; i < file->n_message_type; i++)
    index_message(ctx, file, NULL, file->message_type[i]);
}

void gen_ctx_free(gen_ctx *ctx) {
  for (size_t i = 0; i < ctx->n_types; i++) {
    free(ctx->types[i].full_name);
    free(ctx->types[i].c_name);
  }
  free(ctx->types);
  free(ctx->error);
}

const gen_type *gen_find_type(gen_ctx *ctx, const char *full_name) {
  for (size_t i = 0; i < ctx->n_types; i++)
    if (strcmp(ctx->types[i].full_name, full_name) == 0)
      return &ctx->types[i];
  return NULL;
}

const gen_scalar *gen_scalar_of(gen_ctx *ctx, const gen_field_desc *f) {
  if (f->type >= 1 && f->type <= 18 && scalars[f->type].raw_type)
    return &scalars[f->type];
  if (!gen_is_message(f) && !gen_is_string(f) && !gen_is_bytes(f))
    gen_fail(ctx, "field %s: unsupported type %d (groups are proto2-only)",
             f->name, (int)f->type);
  return NULL;
}

bool gen_is_message(const gen_field_desc *f) {
  return f->type == FIELD(TYPE__TYPE_MESSAGE);
}
bool gen_is_string(const gen_field_desc *f) {
  return f->type == FIELD(TYPE__TYPE_STRING);
}
bool gen_is_bytes(const gen_field_desc *f) {
  return f->type == FIELD(TYPE__TYPE_BYTES);
}
bool gen_is_repeated(const gen_field_desc *f) {
  return f->label == FIELD(LABEL__LABEL_REPEATED);
}

bool gen_is_packed(const gen_field_desc *f) {
  if (!gen_is_repeated(f) || gen_is_message(f) || gen_is_string(f) ||
      gen_is_bytes(f) || f->type == FIELD(TYPE__TYPE_GROUP))
    return false;
  /* proto3 packs repeated scalars unless [packed = false] */
  return !(f->options && f->options->has_packed && !f->options->packed);
}

bool gen_has_presence_flag(const gen_field_desc *f) {
  return f->has_proto3_optional && f->proto3_optional && !gen_is_message(f);
}

int gen_real_oneof(const gen_field_desc *f) {
  if (!f->has_oneof_index || (f->has_proto3_optional && f->proto3_optional))
    return -1;
  return f->oneof_index;
}

bool gen_is_map_entry(const gen_msg_desc *m) {
  return m->options && m->options->has_map_entry && m->options->map_entry;
}

const char *gen_type_c_name(gen_ctx *ctx, const gen_field_desc *f) {
  const gen_type *t = f->type_name ? gen_find_type(ctx, f->type_name) : NULL;
  if (!t) {
    gen_fail(ctx, "field %s: unknown type %s", f->name,
             f->type_name ? f->type_name : "(none)");
    return "void";
  }
  return t->c_name;
}

static const char *const c_keywords[] = {
    "auto", "bool", "break", "case", "char", "const", "continue", "default",
    "do", "double", "else", "enum", "extern", "float", "for", "goto", "if",
    "inline", "int", "long", "register", "restrict", "return", "short",
    "signed", "sizeof", "static", "struct", "switch", "typedef", "union",
    "unsigned", "void", "volatile", "while", "true", "false", "NULL",
    "_Bool", "_Alignof", "_Atomic", "_Generic", "_Noreturn", "asm",
};

char *gen_safe_ident(const char *name) {
  for (size_t i = 0; i < sizeof c_keywords / sizeof *c_keywords; i++)
    if (strcmp(name, c_keywords[i]) == 0)
      return gen_strdupf("%s_", name);
  return gen_strdupf("%s", name);
}

const char *gen_member(const gen_field_desc *f) {
  static char out[512];
  char *s = gen_safe_ident(f->name);
  snprintf(out, sizeof out, "%s", s);
  free(s);
  return out;
}

int gen_tag_bytes(uint32_t number, int wire, uint8_t out[5]) {
  uint32_t v = number << 3 | (uint32_t)wire;
  int n = 0;
  while (v >= 0x80) {
    out[n++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  out[n++] = (uint8_t)v;
  return n;
}

static int by_number(const void *a, const void *b) {
  const gen_field_desc *fa = *(const gen_field_desc *const *)a;
  const gen_field_desc *fb = *(const gen_field_desc *const *)b;
  return (fa->number > fb->number) - (fa->number < fb->number);
}

const gen_field_desc **gen_fields_by_number(const gen_msg_desc *m) {
  const gen_field_desc **out = gen_xmalloc(m->n_field * sizeof *out);
  for (size_t i = 0; i < m->n_field; i++)
    out[i] = m->field[i];
  qsort(out, m->n_field, sizeof *out, by_number);
  return out;
}

char *gen_output_name(const char *proto_name, const char *suffix) {
  size_t n = strlen(proto_name);
  if (n > 6 && strcmp(proto_name + n - 6, ".proto") == 0)
    n -= 6;
  return gen_strdupf("%.*s%s", (int)n, proto_name, suffix);
}

char *gen_c_name(const gen_file_desc *file, const char *scope) {
  const char *pkg = file->package ? file->package : "";
  char *name = gen_strdupf("%s%s%s", pkg, *pkg ? "_" : "", scope);
  for (char *s = name; *s; s++)
    if (*s == '.')
      *s = '_';
  return name;
}
