/*
 * gen.h: internal interface of protoc-gen-parigot, the protoc plugin that
 * turns proto3 files into guest C (NAME.pg.h / NAME.pg.c; see
 * docs/codegen.md). main.c talks to protoc; model.c resolves types and
 * names; emit_header.c, emit_codec.c and emit_service.c write the output
 * into gen_buf text buffers.
 *
 * This is a host tool: it allocates with malloc and exits on out-of-memory.
 *
 * Ownership: pointer parameters are borrowed for the call unless a comment
 * says otherwise. The descriptors belong to protoc's CodeGeneratorRequest
 * (main.c), which outlives the gen_ctx that keeps pointers into them;
 * strings a function returns are malloc'ed for the caller when its comment
 * says so, else they live as long as ctx.
 */
#ifndef PG_GEN_H
#define PG_GEN_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "google/protobuf/compiler/plugin.pb-c.h"
#include "google/protobuf/descriptor.pb-c.h"

typedef Google__Protobuf__FileDescriptorProto gen_file_desc;
typedef Google__Protobuf__DescriptorProto gen_msg_desc;
typedef Google__Protobuf__FieldDescriptorProto gen_field_desc;
typedef Google__Protobuf__EnumDescriptorProto gen_enum_desc;
typedef Google__Protobuf__ServiceDescriptorProto gen_service_desc;

/* ---- text buffer (buf.c) ---- */
typedef struct gen_buf {
  char *data; /* NUL-terminated, owned */
  size_t len;
  size_t cap;
} gen_buf;

void gen_buf_printf(gen_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends `tmpl` with every '$' replaced by `value` (borrowed). */
void gen_buf_subst(gen_buf *b, const char *tmpl, const char *value);
void gen_buf_free(gen_buf *b);
/* Returns the contents (ownership moves to the caller); b is emptied. */
char *gen_buf_take(gen_buf *b);
/* malloc'ed printf. */
char *gen_strdupf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *gen_vstrdupf(const char *fmt, va_list ap);
void *gen_xmalloc(size_t n);

/* ---- types and names (model.c) ---- */
typedef struct gen_type {
  char *full_name; /* ".pkg.Outer.Inner", as type_name fields spell it */
  char *c_name;    /* "pkg_Outer_Inner" */
  const gen_msg_desc *msg;  /* exactly one of msg / enm is set */
  const gen_enum_desc *enm;
  const gen_file_desc *file;
} gen_type;

typedef struct gen_ctx {
  gen_type *types; /* every message and enum of every file protoc sent */
  size_t n_types;
  size_t cap_types;
  char *error; /* first error (owned), reported to protoc */
} gen_ctx;

/* How one scalar proto type maps to C and to the wire. Templates use '$'
 * for the value expression. */
typedef struct gen_scalar {
  const char *ctype;    /* C type of the struct member */
  int wire;             /* PG_WT_* of one value */
  const char *raw_type; /* uint64_t (varint/fixed64) or uint32_t (fixed32) */
  const char *decode;   /* raw value -> C value */
  const char *encode;   /* C value -> raw value */
  const char *size;     /* encoded size of a varint value; NULL if fixed */
  int fixed_size;       /* 4 or 8 for fixed wire types, else 0 */
  const char *nonzero;  /* true when the value is not the proto3 default */
  const char *count_kind; /* PG_COUNT_* when repeated and packable */
} gen_scalar;

void gen_ctx_index_file(gen_ctx *ctx, const gen_file_desc *file);
void gen_ctx_free(gen_ctx *ctx);
void gen_fail(gen_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
const gen_type *gen_find_type(gen_ctx *ctx, const char *full_name);

/* The scalar description of f, NULL for message, string, bytes. */
const gen_scalar *gen_scalar_of(gen_ctx *ctx, const gen_field_desc *f);
bool gen_is_message(const gen_field_desc *f);
bool gen_is_string(const gen_field_desc *f);
bool gen_is_bytes(const gen_field_desc *f);
bool gen_is_repeated(const gen_field_desc *f);
bool gen_is_packed(const gen_field_desc *f); /* repeated scalar, packed */
/* proto3 `optional` on a scalar, string or bytes: has_NAME + value. */
bool gen_has_presence_flag(const gen_field_desc *f);
/* The index of f's real (not synthetic) oneof, or -1. */
int gen_real_oneof(const gen_field_desc *f);
bool gen_is_map_entry(const gen_msg_desc *m);
/* The C type name of a message or enum field's type ("pkg_Msg"). */
const char *gen_type_c_name(gen_ctx *ctx, const gen_field_desc *f);
/* The C member name of f (a C keyword gets a trailing '_'); static buffer
 * reused by the next call. */
const char *gen_member(const gen_field_desc *f);
/* A C identifier made safe the same way; malloc'ed. */
char *gen_safe_ident(const char *name);
/* Wire bytes of the tag of f with wire type `wire`, into out[5]; returns
 * how many. */
int gen_tag_bytes(uint32_t number, int wire, uint8_t out[5]);
/* Fields of m sorted by number (caller frees the array). */
const gen_field_desc **gen_fields_by_number(const gen_msg_desc *m);
/* "a/b/c.proto" -> "a/b/c" + suffix (malloc'ed). */
char *gen_output_name(const char *proto_name, const char *suffix);
/* The C name of a message or enum declared in `file` under `scope`
 * ("Outer.Inner" relative to the package). */
char *gen_c_name(const gen_file_desc *file, const char *scope);

/* ---- emitters ---- */
/* Each walks every message/enum/service of `file` and appends to `out`. */
void gen_emit_header(gen_ctx *ctx, const gen_file_desc *file, gen_buf *out);
void gen_emit_source(gen_ctx *ctx, const gen_file_desc *file, gen_buf *out);
/* Pieces used by the two above. */
void gen_emit_message_struct(gen_ctx *ctx, const gen_type *t, gen_buf *out);
void gen_emit_message_codec(gen_ctx *ctx, const gen_type *t, gen_buf *out);
void gen_emit_service_decls(gen_ctx *ctx, const gen_file_desc *file,
                            const gen_service_desc *s, gen_buf *out);
void gen_emit_service_defs(gen_ctx *ctx, const gen_file_desc *file,
                           const gen_service_desc *s, gen_buf *out);

#endif /* PG_GEN_H */
