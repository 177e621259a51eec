/*
 * main.c: protoc-gen-parigot's conversation with protoc. protoc writes a
 * CodeGeneratorRequest to our stdin; we answer with a CodeGeneratorResponse
 * on stdout holding NAME.pg.h and NAME.pg.c for each file to generate, or
 * an error that protoc prints. Usage:
 *   protoc --plugin=protoc-gen-parigot=PATH --parigot_out=DIR file.proto
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

typedef Google__Protobuf__Compiler__CodeGeneratorRequest gen_request;
typedef Google__Protobuf__Compiler__CodeGeneratorResponse gen_response;
typedef Google__Protobuf__Compiler__CodeGeneratorResponse__File gen_out_file;

/* All of stdin (malloc'ed) into *out; returns its length. */
static size_t read_stdin(uint8_t **out) {
  size_t len = 0, cap = 1 << 16;
  uint8_t *data = gen_xmalloc(cap);
  size_t n;
  while ((n = fread(data + len, 1, cap - len, stdin)) > 0) {
    len += n;
    if (len == cap) {
      uint8_t *bigger = gen_xmalloc(cap * 2);
      memcpy(bigger, data, len);
      free(data);
      data = bigger;
      cap *= 2;
    }
  }
  *out = data;
  return len;
}

static const gen_file_desc *find_file(const gen_request *req,
                                      const char *name) {
  for (size_t i = 0; i < req->n_proto_file; i++)
    if (strcmp(req->proto_file[i]->name, name) == 0)
      return req->proto_file[i];
  return NULL;
}

static gen_out_file *new_out_file(char *name, char *content) {
  gen_out_file *f = gen_xmalloc(sizeof *f);
  google__protobuf__compiler__code_generator_response__file__init(f);
  f->name = name;
  f->content = content;
  return f;
}

/* Appends NAME.pg.h and NAME.pg.c for `file` to the response. */
static void generate_file(gen_ctx *ctx, const gen_file_desc *file,
                          gen_response *resp) {
  if (!file->syntax || strcmp(file->syntax, "proto3") != 0) {
    gen_fail(ctx, "%s: only proto3 files are supported", file->name);
    return;
  }
  gen_buf header = {0}, source = {0};
  gen_emit_header(ctx, file, &header);
  gen_emit_source(ctx, file, &source);
  resp->file[resp->n_file++] =
      new_out_file(gen_output_name(file->name, ".pg.h"), gen_buf_take(&header));
  resp->file[resp->n_file++] =
      new_out_file(gen_output_name(file->name, ".pg.c"), gen_buf_take(&source));
}

static int write_response(const gen_response *resp) {
  size_t len = google__protobuf__compiler__code_generator_response__get_packed_size(resp);
  uint8_t *data = gen_xmalloc(len);
  google__protobuf__compiler__code_generator_response__pack(resp, data);
  size_t written = fwrite(data, 1, len, stdout);
  free(data);
  return written == len && fflush(stdout) == 0 ? 0 : 1;
}

static void free_response(gen_response *resp) {
  for (size_t i = 0; i < resp->n_file; i++) {
    free(resp->file[i]->name);
    free(resp->file[i]->content);
    free(resp->file[i]);
  }
  free(resp->file);
}

int main(void) {
  uint8_t *input;
  size_t len = read_stdin(&input);
  gen_request *req =
      google__protobuf__compiler__code_generator_request__unpack(NULL, len, input);
  free(input);
  if (!req) {
    fprintf(stderr, "protoc-gen-parigot: cannot parse the request on stdin "
                    "(run me through protoc --parigot_out)\n");
    return 1;
  }
  gen_ctx ctx = {0};
  for (size_t i = 0; i < req->n_proto_file; i++)
    gen_ctx_index_file(&ctx, req->proto_file[i]);
  gen_response resp;
  google__protobuf__compiler__code_generator_response__init(&resp);
  resp.has_supported_features = 1;
  resp.supported_features =
      GOOGLE__PROTOBUF__COMPILER__CODE_GENERATOR_RESPONSE__FEATURE__FEATURE_PROTO3_OPTIONAL;
  resp.file = gen_xmalloc(2 * (req->n_file_to_generate + 1) * sizeof *resp.file);
  for (size_t i = 0; i < req->n_file_to_generate && !ctx.error; i++) {
    const gen_file_desc *file = find_file(req, req->file_to_generate[i]);
    if (!file)
      gen_fail(&ctx, "%s: not in the request", req->file_to_generate[i]);
    else
      generate_file(&ctx, file, &resp);
  }
  if (ctx.error) {
    free_response(&resp);
    resp.n_file = 0;
    resp.file = NULL;
    resp.error = ctx.error;
  }
  int status = write_response(&resp);
  if (!ctx.error)
    free_response(&resp);
  gen_ctx_free(&ctx);
  google__protobuf__compiler__code_generator_request__free_unpacked(req, NULL);
  return status;
}
