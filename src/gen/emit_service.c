/*
 * emit_service.c: writes, per service, its names (pkg.Service and the
 * gRPC paths /pkg.Service/Method), its descriptor, one typed client stub
 * per method (each a call to pg_call_unary through a pg_client), and the
 * server skeleton: a struct of handler pointers and one dispatch function
 * that decodes the request, calls the handler and encodes the reply.
 * Streaming methods are refused: parigot calls are unary.
 */
#include <stdlib.h>
#include <string.h>

#include "gen.h"

typedef struct method_types {
  const char *req; /* C type of the request message */
  const char *resp;
} method_types;

static method_types types_of(gen_ctx *ctx, const gen_service_desc *s,
                             const Google__Protobuf__MethodDescriptorProto *md) {
  method_types out = {"void", "void"};
  const gen_type *in = gen_find_type(ctx, md->input_type ? md->input_type : "");
  const gen_type *rt = gen_find_type(ctx, md->output_type ? md->output_type : "");
  if (!in || !rt || !in->msg || !rt->msg) {
    gen_fail(ctx, "%s.%s: unknown request or response type", s->name,
             md->name);
    return out;
  }
  if ((md->has_client_streaming && md->client_streaming) ||
      (md->has_server_streaming && md->server_streaming))
    gen_fail(ctx, "%s.%s: streaming methods are not supported", s->name,
             md->name);
  out.req = in->c_name;
  out.resp = rt->c_name;
  return out;
}

static char *full_service_name(const gen_file_desc *file,
                               const gen_service_desc *s) {
  const char *pkg = file->package ? file->package : "";
  return gen_strdupf("%s%s%s", pkg, *pkg ? "." : "", s->name);
}

void gen_emit_service_decls(gen_ctx *ctx, const gen_file_desc *file,
                            const gen_service_desc *s, gen_buf *out) {
  char *c = gen_c_name(file, s->name);
  char *full = full_service_name(file, s);
  gen_buf_printf(out, "/* service %s */\n#define %s_NAME \"%s\"\n", full, c,
                 full);
  for (size_t i = 0; i < s->n_method; i++) {
    gen_buf_printf(out, "#define %s_%s_PATH \"/%s/%s\"\n", c,
                   s->method[i]->name, full, s->method[i]->name);
    /* The method's position in the service descriptor's methods, for
     * generic callers such as the SDK's fan-out (parigot_call_start). */
    gen_buf_printf(out, "#define %s_%s_INDEX %zu\n", c, s->method[i]->name,
                   i);
  }
  gen_buf_printf(out, "extern const pg_service_desc %s_desc;\n\n", c);
  gen_buf_printf(out,
      "/* Client stubs: encode *req into `arena`, call through `client`,\n"
      " * decode the reply into *resp (its strings and arrays in `arena`).\n"
      " * Return a pg_code; *errmsg (may be NULL) explains a failure. */\n");
  for (size_t i = 0; i < s->n_method; i++) {
    method_types mt = types_of(ctx, s, s->method[i]);
    gen_buf_printf(out, "int %s_%s(const pg_client *client, const %s *req,\n"
                        "    %s *resp, pg_arena *arena, const char **errmsg);\n",
                   c, s->method[i]->name, mt.req, mt.resp);
  }
  gen_buf_printf(out,
      "\n/* Server: one handler per method (NULL answers UNIMPLEMENTED). A\n"
      " * handler fills *resp (zeroed), may allocate from `arena`, and returns\n"
      " * a pg_code. */\ntypedef struct %s_handlers {\n", c);
  if (s->n_method == 0)
    gen_buf_printf(out, "  char pg_unused_; /* C has no empty structs */\n");
  for (size_t i = 0; i < s->n_method; i++) {
    method_types mt = types_of(ctx, s, s->method[i]);
    char *member = gen_safe_ident(s->method[i]->name);
    gen_buf_printf(out, "  int (*%s)(void *ctx, const %s *req, %s *resp,\n"
                        "      pg_arena *arena, const char **errmsg);\n",
                   member, mt.req, mt.resp);
    free(member);
  }
  gen_buf_printf(out, "} %s_handlers;\n\n", c);
  gen_buf_printf(out,
      "/* Serves one call of `method` (\"Method\" or \"/pkg.Service/Method\"):\n"
      " * decodes req (INVALID_ARGUMENT if it does not decode) into\n"
      " * reply->arena, calls the handler with ctx, and encodes its reply\n"
      " * into reply->arena. UNIMPLEMENTED for an unknown method. */\n"
      "int %s_dispatch(const %s_handlers *handlers, void *ctx,\n"
      "    const char *method, const uint8_t *req, size_t req_len,\n"
      "    pg_buf *reply, const char **errmsg);\n\n", c, c);
  /* The same with an untyped handlers pointer: code that registers
   * skeletons generically (the SDK's parigot_export) stores one function
   * type for every service; calling the typed function through a cast
   * pointer would be undefined behaviour in C. */
  gen_buf_printf(out,
      "/* %s_dispatch for generic callers: `handlers` is a\n"
      " * const %s_handlers *. */\n"
      "static inline int %s_dispatch_any(const void *handlers, void *ctx,\n"
      "    const char *method, const uint8_t *req, size_t req_len,\n"
      "    pg_buf *reply, const char **errmsg) {\n"
      "  return %s_dispatch((const %s_handlers *)handlers, ctx, method, req,\n"
      "      req_len, reply, errmsg);\n"
      "}\n\n", c, c, c, c, c);
  free(c);
  free(full);
}

static void emit_descriptor(gen_ctx *ctx, const char *c, const char *full,
                            const gen_service_desc *s, gen_buf *out) {
  if (s->n_method) {
    gen_buf_printf(out, "static const pg_method_desc %s__methods[] = {\n", c);
    for (size_t i = 0; i < s->n_method; i++) {
      method_types mt = types_of(ctx, s, s->method[i]);
      gen_buf_printf(out, "  {\"%s\", \"/%s/%s\", &%s_type, &%s_type},\n",
                     s->method[i]->name, full, s->method[i]->name, mt.req,
                     mt.resp);
    }
    gen_buf_printf(out, "};\n");
  }
  gen_buf_printf(out, "const pg_service_desc %s_desc = {\"%s\", %zu, %s%s};\n\n",
                 c, full, s->n_method, s->n_method ? c : "NULL",
                 s->n_method ? "__methods" : "");
}

static void emit_stub_and_server(gen_ctx *ctx, const char *c,
                                 const gen_service_desc *s, size_t i,
                                 gen_buf *out) {
  method_types mt = types_of(ctx, s, s->method[i]);
  const char *name = s->method[i]->name;
  char *member = gen_safe_ident(name);
  gen_buf_printf(out,
      "int %s_%s(const pg_client *client, const %s *req,\n"
      "    %s *resp, pg_arena *arena, const char **errmsg) {\n"
      "  return pg_call_unary(client, &%s_desc, %zu, req, resp, arena, errmsg);\n"
      "}\n\n", c, name, mt.req, mt.resp, c, i);
  gen_buf_printf(out,
      "static int %s__serve_%s(const %s_handlers *handlers, void *ctx,\n"
      "    const uint8_t *req, size_t req_len, pg_buf *reply,\n"
      "    const char **errmsg) {\n"
      "  %s in;\n  %s out;\n"
      "  if (!handlers || !handlers->%s) {\n"
      "    if (errmsg)\n      *errmsg = \"method not implemented\";\n"
      "    return PG_CODE_UNIMPLEMENTED;\n  }\n"
      "  if (%s_decode(&in, req, req_len, reply->arena, NULL) != PG_WIRE_OK) {\n"
      "    if (errmsg)\n      *errmsg = \"request does not decode\";\n"
      "    return PG_CODE_INVALID_ARGUMENT;\n  }\n"
      "  memset(&out, 0, sizeof out);\n"
      "  int code = handlers->%s(ctx, &in, &out, reply->arena, errmsg);\n"
      "  if (code != PG_CODE_OK)\n    return code;\n"
      "  return pg_reply_encode(&%s_type, &out, reply, errmsg);\n}\n\n",
      c, name, c, mt.req, mt.resp, member, mt.req, member, mt.resp);
  free(member);
}

void gen_emit_service_defs(gen_ctx *ctx, const gen_file_desc *file,
                           const gen_service_desc *s, gen_buf *out) {
  char *c = gen_c_name(file, s->name);
  char *full = full_service_name(file, s);
  gen_buf_printf(out, "/* ---- service %s ---- */\n\n", full);
  emit_descriptor(ctx, c, full, s, out);
  for (size_t i = 0; i < s->n_method; i++)
    emit_stub_and_server(ctx, c, s, i, out);
  gen_buf_printf(out,
      "int %s_dispatch(const %s_handlers *handlers, void *ctx,\n"
      "    const char *method, const uint8_t *req, size_t req_len,\n"
      "    pg_buf *reply, const char **errmsg) {\n"
      "  if (errmsg)\n    *errmsg = NULL;\n"
      "  reply->data = NULL;\n  reply->len = 0;\n", c, c);
  for (size_t i = 0; i < s->n_method; i++)
    gen_buf_printf(out,
        "  if (pg_method_is(&%s_desc, %zu, method))\n"
        "    return %s__serve_%s(handlers, ctx, req, req_len, reply, errmsg);\n",
        c, i, c, s->method[i]->name);
  gen_buf_printf(out,
      "  (void)handlers;\n  (void)ctx;\n  (void)req;\n  (void)req_len;\n"
      "  if (errmsg)\n    *errmsg = \"unknown method\";\n"
      "  return PG_CODE_UNIMPLEMENTED;\n}\n\n");
  free(c);
  free(full);
}
