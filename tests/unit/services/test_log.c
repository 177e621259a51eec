/*
 * test_log.c: unit tests of the unified log (src/kernel/log.c) and of
 * log.v1.LogService (src/services/log_service.c). A fixed clock makes
 * every line an exact string; the log writes into an open_memstream.
 */
#include <stdlib.h>
#include <string.h>

#include "kernel/log.h"
#include "log/v1/log.pg.h"
#include "pg_test.h"
#include "services/service.h"

/* 2026-11-29T18:41:08.123Z plus 456789 ns that must not show. */
#define FIXED_NS 1795977668123456789ull
#define STAMP "2026-11-29T18:41:08.123Z"

static uint64_t fixed_clock(void *ctx) {
  return ctx ? *(uint64_t *)ctx : FIXED_NS;
}

/* A log writing into a memory buffer. */
typedef struct mem_log {
  pg_log *log;
  FILE *out;
  char *text; /* owned by the stream until fclose */
  size_t len;
} mem_log;

static int mem_log_open(mem_log *m, pg_log_format format,
                        pg_log_level min_level) {
  memset(m, 0, sizeof *m);
  m->out = open_memstream(&m->text, &m->len);
  if (!m->out)
    return -1;
  pg_log_options opts = {m->out, format, min_level, fixed_clock, NULL};
  return pg_log_new(&m->log, &opts);
}

/* What was written so far (the log flushes each line itself). */
static const char *mem_log_text(mem_log *m) { return m->text ? m->text : ""; }

static void mem_log_close(mem_log *m) {
  pg_log_free(m->log);
  fclose(m->out);
  free(m->text);
}

static size_t count_char(const char *s, char c) {
  size_t n = 0;
  for (; *s; s++)
    n += *s == c;
  return n;
}

static void test_text_line(void) {
  mem_log m;
  ASSERT_EQ(mem_log_open(&m, PG_LOG_TEXT, PG_LOG_DEBUG), 0);
  pg_log_field fields[] = {{"key", "apple"}, {"n", "3"}};
  pg_log_emit(m.log, PG_LOG_INFO, "store", 0, "saved item", fields, 2);
  pg_log_emit(m.log, PG_LOG_WARN, "parigot", -1, "startup", NULL, 0);
  pg_log_emit(m.log, PG_LOG_DEBUG, "a", 12, "d", NULL, 0);
  pg_log_emit(m.log, PG_LOG_ERROR, "b", 1, "e", NULL, 0);
  pg_log_emit(m.log, PG_LOG_FATAL, "c", 2, "f", NULL, 0);
  ASSERT_STR_EQ(mem_log_text(&m),
                STAMP " INFO  store[0] saved item key=apple n=3\n" STAMP
                      " WARN  parigot startup\n" STAMP " DEBUG a[12] d\n" STAMP
                      " ERROR b[1] e\n" STAMP " FATAL c[2] f\n");
  mem_log_close(&m);
}

static void test_json_line(void) {
  mem_log m;
  ASSERT_EQ(mem_log_open(&m, PG_LOG_JSON, PG_LOG_DEBUG), 0);
  pg_log_field fields[] = {{"key", "apple"}, {"n", "3"}};
  pg_log_emit(m.log, PG_LOG_INFO, "store", 0, "saved item", fields, 2);
  pg_log_emit(m.log, PG_LOG_ERROR, "parigot", -1, "no fields", NULL, 0);
  ASSERT_STR_EQ(mem_log_text(&m),
                "{\"time\":\"" STAMP "\",\"level\":\"info\",\"program\":"
                "\"store\",\"replica\":0,\"msg\":\"saved item\",\"fields\":"
                "{\"key\":\"apple\",\"n\":\"3\"}}\n"
                "{\"time\":\"" STAMP "\",\"level\":\"error\",\"program\":"
                "\"parigot\",\"msg\":\"no fields\"}\n");
  mem_log_close(&m);
}

static void test_text_escaping(void) {
  mem_log m;
  ASSERT_EQ(mem_log_open(&m, PG_LOG_TEXT, PG_LOG_DEBUG), 0);
  pg_log_field fields[] = {
      {"plain", "caf\xc3\xa9"},     {"space", "a b"},
      {"quote", "say \"hi\""},      {"empty", ""},
      {"eq", "a=b"},                {"my key", "v"},
      {"nl", "line1\nline2"},       {"bad", "\xff"},
  };
  pg_log_emit(m.log, PG_LOG_INFO, "p", 0,
              "a\nb\tc\rd \"q\" back\\slash \x01 \x7f \xc2\x85 "
              "\xe2\x80\xa8 \xff\xfe end",
              fields, 8);
  ASSERT_STR_EQ(
      mem_log_text(&m),
      STAMP " INFO  p[0] a\\nb\\tc\\rd \"q\" back\\\\slash \\x01 \\x7f "
            "\\u0085 \\u2028 \\xff\\xfe end plain=caf\xc3\xa9 space=\"a b\" "
            "quote=\"say \\\"hi\\\"\" empty=\"\" eq=\"a=b\" \"my key\"=v "
            "nl=\"line1\\nline2\" bad=\"\\xff\"\n");
  ASSERT_EQ(count_char(mem_log_text(&m), '\n'), 1);
  mem_log_close(&m);
}

static void test_json_escaping(void) {
  mem_log m;
  ASSERT_EQ(mem_log_open(&m, PG_LOG_JSON, PG_LOG_DEBUG), 0);
  pg_log_field fields[] = {{"k\"", "v\\\n\x01"}};
  pg_log_emit(m.log, PG_LOG_WARN, "p\"q", 3,
              "tab\there \"q\" \x08\x0c \x7f \xc2\x9b \xe2\x80\xa9 "
              "bad:\xff\xc0\x80 trunc:\xe2\x82 ok:\xe2\x82\xac "
              "surrogate:\xed\xa0\x80",
              fields, 1);
  ASSERT_STR_EQ(
      mem_log_text(&m),
      "{\"time\":\"" STAMP "\",\"level\":\"warn\",\"program\":\"p\\\"q\","
      "\"replica\":3,\"msg\":\"tab\\there \\\"q\\\" \\b\\f \\u007f "
      "\\u009b \\u2029 bad:\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd "
      "trunc:\xef\xbf\xbd\xef\xbf\xbd ok:\xe2\x82\xac "
      "surrogate:\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\","
      "\"fields\":{\"k\\\"\":\"v\\\\\\n\\u0001\"}}\n");
  mem_log_close(&m);
}

/* Whatever the bytes, a JSON line is valid UTF-8, has no raw control
 * character and ends with its only newline (a property, checked over
 * pseudo-random messages and values). */
static void test_json_any_bytes(void) {
  mem_log m;
  uint32_t seed = 12345;
  ASSERT_EQ(mem_log_open(&m, PG_LOG_JSON, PG_LOG_DEBUG), 0);
  for (int round = 0; round < 500; round++) {
    char bytes[64];
    size_t len = (size_t)(round % 64);
    for (size_t i = 0; i < len; i++) {
      seed = seed * 1103515245u + 12345u;
      bytes[i] = (char)(seed >> 16);
    }
    size_t before = m.len;
    pg_log_span msg = {bytes, len};
    pg_log_span kv[2] = {{bytes, len / 2}, {bytes + len / 2, len - len / 2}};
    pg_log_emit_spans(m.log, PG_LOG_INFO, "fuzz", round, msg, kv, 1);
    const char *line = m.text + before;
    size_t line_len = m.len - before;
    ASSERT_TRUE(line_len > 0 && line[line_len - 1] == '\n');
    ASSERT_TRUE(pg_wire_utf8_valid((const uint8_t *)line, line_len));
    for (size_t i = 0; i + 1 < line_len; i++)
      ASSERT_TRUE((unsigned char)line[i] >= 0x20 && line[i] != 0x7f);
  }
  mem_log_close(&m);
}

static void test_empty_strings(void) {
  mem_log m;
  ASSERT_EQ(mem_log_open(&m, PG_LOG_TEXT, PG_LOG_DEBUG), 0);
  pg_log_span kv[2] = {{NULL, 0}, {NULL, 0}};
  pg_log_span none = {NULL, 0};
  pg_log_emit_spans(m.log, PG_LOG_INFO, NULL, -1, none, kv, 1);
  pg_log_emit(m.log, PG_LOG_INFO, "p", -1, NULL, NULL, 0);
  ASSERT_STR_EQ(mem_log_text(&m), STAMP " INFO  parigot \"\"=\"\"\n" STAMP
                                        " INFO  p\n");
  mem_log_close(&m);
}

static void test_min_level_and_emitf(void) {
  mem_log m;
  ASSERT_EQ(mem_log_open(&m, PG_LOG_TEXT, PG_LOG_WARN), 0);
  pg_log_emit(m.log, PG_LOG_INFO, "p", 0, "dropped", NULL, 0);
  pg_log_emitf(m.log, PG_LOG_DEBUG, "p", 0, "dropped %d", 1);
  pg_log_emitf(m.log, PG_LOG_ERROR, "parigot", -1, "%s trapped: %s", "store",
               "out of bounds\nmemory access");
  /* Longer than emitf's stack buffer. */
  char big[2000];
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = 0;
  pg_log_emitf(m.log, PG_LOG_WARN, "p", 1, "%s!", big);
  const char *first = STAMP " ERROR parigot store trapped: out of bounds\\n"
                            "memory access\n";
  ASSERT_TRUE(strncmp(mem_log_text(&m), first, strlen(first)) == 0);
  const char *second = mem_log_text(&m) + strlen(first);
  ASSERT_EQ(strlen(second), strlen(STAMP " WARN  p[1] ") + 1999 + 2);
  ASSERT_STR_CONTAINS(second, "xxx!\n");
  mem_log_close(&m);
}

static void test_clock_hook(void) {
  mem_log m;
  uint64_t now = 0; /* the epoch */
  memset(&m, 0, sizeof m);
  m.out = open_memstream(&m.text, &m.len);
  pg_log_options opts = {m.out, PG_LOG_TEXT, PG_LOG_DEBUG, fixed_clock, &now};
  ASSERT_EQ(pg_log_new(&m.log, &opts), 0);
  pg_log_emit(m.log, PG_LOG_INFO, "p", -1, "a", NULL, 0);
  now = 1999999999ull; /* 1.999999999 s: milliseconds are cut, not rounded */
  pg_log_emit(m.log, PG_LOG_INFO, "p", -1, "b", NULL, 0);
  ASSERT_STR_EQ(mem_log_text(&m), "1970-01-01T00:00:00.000Z INFO  p a\n"
                                  "1970-01-01T00:00:01.999Z INFO  p b\n");
  mem_log_close(&m);
}

static void guest(mem_log *m, const char *program, int replica,
                  pg_log_stream_id stream, const char *s) {
  pg_log_guest_output(m->log, program, replica, stream, (const uint8_t *)s,
                      strlen(s));
}

static void test_guest_lines(void) {
  mem_log m;
  ASSERT_EQ(mem_log_open(&m, PG_LOG_TEXT, PG_LOG_DEBUG), 0);
  guest(&m, "store", 0, PG_LOG_STDOUT, "hel");
  guest(&m, "store", 1, PG_LOG_STDOUT, "other replica");
  guest(&m, "store", 0, PG_LOG_STDERR, "err part");
  ASSERT_STR_EQ(mem_log_text(&m), ""); /* all partial */
  guest(&m, "store", 0, PG_LOG_STDOUT, "lo\nwor");
  ASSERT_STR_EQ(mem_log_text(&m),
                STAMP " INFO  store[0] hello stream=stdout\n");
  guest(&m, "store", 0, PG_LOG_STDERR, "\r\n\ntwo\r\nthree\n");
  guest(&m, "main", -1, PG_LOG_STDOUT, "a \"quoted\" line\n");
  pg_log_flush_guest(m.log, "store", 0);
  pg_log_flush_guest(m.log, "store", 0); /* nothing left: no line */
  ASSERT_STR_EQ(mem_log_text(&m),
                STAMP " INFO  store[0] hello stream=stdout\n" STAMP
                      " WARN  store[0] err part stream=stderr\n" STAMP
                      " WARN  store[0] stream=stderr\n" STAMP
                      " WARN  store[0] two stream=stderr\n" STAMP
                      " WARN  store[0] three stream=stderr\n" STAMP
                      " INFO  main a \"quoted\" line stream=stdout\n" STAMP
                      " INFO  store[0] wor stream=stdout\n");
  size_t before = strlen(mem_log_text(&m));
  pg_log_free(m.log); /* flushes replica 1's partial line */
  m.log = NULL;
  ASSERT_STR_EQ(mem_log_text(&m) + before,
                STAMP " INFO  store[1] other replica stream=stdout\n");
  mem_log_close(&m);
}

static void test_guest_cut_at_64k(void) {
  mem_log m;
  const size_t cap = 64 * 1024;
  char *big = malloc(cap + 10);
  ASSERT_TRUE(big != NULL);
  memset(big, 'a', cap + 10);
  ASSERT_EQ(mem_log_open(&m, PG_LOG_TEXT, PG_LOG_DEBUG), 0);
  pg_log_guest_output(m.log, "g", 0, PG_LOG_STDOUT, (uint8_t *)big, cap + 10);
  guest(&m, "g", 0, PG_LOG_STDOUT, "\n");
  /* The first line holds exactly 64 KiB and says it was cut. */
  const char *text = mem_log_text(&m);
  const char *prefix = STAMP " INFO  g[0] ";
  ASSERT_TRUE(strncmp(text, prefix, strlen(prefix)) == 0);
  const char *body = text + strlen(prefix);
  ASSERT_EQ(strspn(body, "a"), cap);
  ASSERT_TRUE(strncmp(body + cap, " stream=stdout cut=true\n", 24) == 0);
  ASSERT_STR_EQ(body + cap + 24,
                STAMP " INFO  g[0] aaaaaaaaaa stream=stdout\n");
  mem_log_close(&m);

  /* A UTF-8 character across the limit moves to the next line whole. */
  ASSERT_EQ(mem_log_open(&m, PG_LOG_TEXT, PG_LOG_DEBUG), 0);
  memcpy(big + cap - 1, "\xc3\xa9", 2);
  pg_log_guest_output(m.log, "g", 0, PG_LOG_STDOUT, (uint8_t *)big, cap + 1);
  pg_log_flush_guest(m.log, "g", 0);
  text = mem_log_text(&m);
  body = text + strlen(prefix);
  ASSERT_EQ(strspn(body, "a"), cap - 1);
  ASSERT_TRUE(strncmp(body + cap - 1, " stream=stdout cut=true\n", 24) == 0);
  ASSERT_STR_EQ(body + cap - 1 + 24,
                STAMP " INFO  g[0] \xc3\xa9 stream=stdout\n");
  mem_log_close(&m);
  free(big);
}

static void test_level_names(void) {
  ASSERT_STR_EQ(pg_log_level_name(PG_LOG_DEBUG), "debug");
  ASSERT_STR_EQ(pg_log_level_name(PG_LOG_WARN), "warn");
  ASSERT_STR_EQ(pg_log_level_name(PG_LOG_FATAL), "fatal");
  ASSERT_EQ(pg_log_level_parse("info"), PG_LOG_INFO);
  ASSERT_EQ(pg_log_level_parse("ERROR"), PG_LOG_ERROR);
  ASSERT_EQ(pg_log_level_parse("warning"), -1);
  ASSERT_EQ(pg_log_level_parse(""), -1);
  ASSERT_EQ(pg_log_level_parse(NULL), -1);
}

/* ------------------------------------------------------------------------
 * log.v1.LogService
 */

static int call_log(pg_host_service *svc, const char *method,
                    const uint8_t *req, size_t len, char *msg,
                    size_t *reply_len) {
  pg_caller caller = {"store", 2};
  uint8_t *reply = (uint8_t *)"junk";
  int code = svc->handle(svc, &caller, method, req, len, &reply, reply_len,
                         msg, 256);
  free(reply);
  return code;
}

static size_t encode_request(const log_v1_LogRequest *rq, uint8_t *buf,
                             size_t cap) {
  size_t len = 0;
  if (log_v1_LogRequest_encode(rq, buf, cap, &len) != PG_WIRE_OK)
    return 0;
  return len;
}

static void test_log_service_line(void) {
  mem_log m;
  pg_host_service *svc = NULL;
  char msg[256] = "";
  size_t reply_len = 99;
  uint8_t buf[256];
  ASSERT_EQ(mem_log_open(&m, PG_LOG_TEXT, PG_LOG_DEBUG), 0);
  ASSERT_EQ(pg_log_service_new(&svc, m.log), 0);
  ASSERT_STR_EQ(svc->name, "log.v1.LogService");
  ASSERT_TRUE(svc->release == NULL); /* holds nothing per caller */
  log_v1_Field fields[] = {{pg_str("key"), pg_str("apple")},
                           {pg_str("n"), pg_str("3")}};
  log_v1_LogRequest rq = {log_v1_Level_LEVEL_WARN, pg_str("saved item"), 2,
                          fields};
  size_t len = encode_request(&rq, buf, sizeof buf);
  ASSERT_TRUE(len > 0);
  ASSERT_EQ(call_log(svc, "Log", buf, len, msg, &reply_len), PG_CODE_OK);
  ASSERT_EQ(reply_len, 0); /* an empty LogResponse */

  /* UNSPECIFIED is INFO; FATAL stays FATAL; the path form of the method;
   * a NUL inside the message is escaped, not a cut. */
  log_v1_LogRequest plain = {log_v1_Level_LEVEL_UNSPECIFIED,
                             {"a\0b", 3}, 0, NULL};
  len = encode_request(&plain, buf, sizeof buf);
  ASSERT_EQ(call_log(svc, "/log.v1.LogService/Log", buf, len, msg,
                     &reply_len),
            PG_CODE_OK);
  log_v1_LogRequest fatal = {log_v1_Level_LEVEL_FATAL, pg_str("bye"), 0,
                             NULL};
  len = encode_request(&fatal, buf, sizeof buf);
  ASSERT_EQ(call_log(svc, "Log", buf, len, msg, &reply_len), PG_CODE_OK);
  ASSERT_EQ(call_log(svc, "Log", NULL, 0, msg, &reply_len), PG_CODE_OK);
  ASSERT_STR_EQ(mem_log_text(&m),
                STAMP " WARN  store[2] saved item key=apple n=3\n" STAMP
                      " INFO  store[2] a\\x00b\n" STAMP
                      " FATAL store[2] bye\n" STAMP " INFO  store[2]\n");
  svc->free(svc);
  mem_log_close(&m);
}

static void test_log_service_many_fields(void) {
  mem_log m;
  pg_host_service *svc = NULL;
  char msg[256] = "";
  size_t reply_len = 0, n = 300;
  log_v1_Field *fields = calloc(n, sizeof *fields);
  uint8_t *buf = malloc(64 * 1024);
  ASSERT_TRUE(fields && buf);
  for (size_t i = 0; i < n; i++)
    fields[i] = (log_v1_Field){pg_str("k"), pg_str("value")};
  log_v1_LogRequest rq = {log_v1_Level_LEVEL_INFO, pg_str("many"), n, fields};
  size_t len = encode_request(&rq, buf, 64 * 1024);
  ASSERT_EQ(mem_log_open(&m, PG_LOG_TEXT, PG_LOG_DEBUG), 0);
  ASSERT_EQ(pg_log_service_new(&svc, m.log), 0);
  /* 300 fields decode to more than the 4 KiB stack arena holds. */
  ASSERT_EQ(call_log(svc, "Log", buf, len, msg, &reply_len), PG_CODE_OK);
  ASSERT_EQ(count_char(mem_log_text(&m), '='), n);
  ASSERT_EQ(count_char(mem_log_text(&m), '\n'), 1);
  svc->free(svc);
  mem_log_close(&m);
  free(fields);
  free(buf);
}

static void test_log_service_errors(void) {
  mem_log m;
  pg_host_service *svc = NULL;
  char msg[256] = "";
  size_t reply_len = 0;
  ASSERT_EQ(mem_log_open(&m, PG_LOG_TEXT, PG_LOG_DEBUG), 0);
  ASSERT_EQ(pg_log_service_new(&svc, m.log), 0);
  const uint8_t truncated[] = {0x12, 0x05, 'a', 'b'}; /* message, 5 bytes */
  ASSERT_EQ(call_log(svc, "Log", truncated, sizeof truncated, msg,
                     &reply_len),
            PG_CODE_INVALID_ARGUMENT);
  ASSERT_STR_EQ(msg, "log.v1.LogRequest does not decode: length runs past "
                     "the end of its message at byte 1");
  const uint8_t bad_utf8[] = {0x12, 0x01, 0xff};
  ASSERT_EQ(call_log(svc, "Log", bad_utf8, sizeof bad_utf8, msg, &reply_len),
            PG_CODE_INVALID_ARGUMENT);
  ASSERT_STR_CONTAINS(msg, "UTF-8");
  const uint8_t bad_tag[] = {0x00};
  ASSERT_EQ(call_log(svc, "Log", bad_tag, 1, msg, &reply_len),
            PG_CODE_INVALID_ARGUMENT);
  ASSERT_EQ(call_log(svc, "Print", NULL, 0, msg, &reply_len),
            PG_CODE_UNIMPLEMENTED);
  ASSERT_STR_EQ(msg, "log.v1.LogService has no method \"Print\"");
  ASSERT_STR_EQ(mem_log_text(&m), ""); /* nothing logged */
  svc->free(svc);
  mem_log_close(&m);
}

int main(void) {
  PG_RUN(test_text_line);
  PG_RUN(test_json_line);
  PG_RUN(test_text_escaping);
  PG_RUN(test_json_escaping);
  PG_RUN(test_json_any_bytes);
  PG_RUN(test_empty_strings);
  PG_RUN(test_min_level_and_emitf);
  PG_RUN(test_clock_hook);
  PG_RUN(test_guest_lines);
  PG_RUN(test_guest_cut_at_64k);
  PG_RUN(test_level_names);
  PG_RUN(test_log_service_line);
  PG_RUN(test_log_service_many_fields);
  PG_RUN(test_log_service_errors);
  return PG_DONE();
}
