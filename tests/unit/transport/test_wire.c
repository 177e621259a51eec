/*
 * test_wire.c: unit tests of src/transport/wire.c — the subject names,
 * the KV bucket name, the reply inbox and call ids, and the Parigot-*
 * header texts (escaping, trace context, numbers), byte for byte.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pg_test.h"
#include "transport/wire.h"

static void test_service_subject(void) {
  char out[PG_WIRE_SUBJECT_MAX];
  const char *svc = "demo.v1.StoreService";
  ASSERT_EQ(pg_wire_subject_svc(out, sizeof out, "shop", svc, strlen(svc)),
            strlen("parigot.shop.svc.demo.v1.StoreService"));
  ASSERT_STR_EQ(out, "parigot.shop.svc.demo.v1.StoreService");
  /* Only service_len bytes of the name count. */
  ASSERT_EQ(pg_wire_subject_svc(out, sizeof out, "shop", "a.bXYZ", 3), 20);
  ASSERT_STR_EQ(out, "parigot.shop.svc.a.b");
}

static void test_subject_refuses_what_nats_cannot_route(void) {
  char out[PG_WIRE_SUBJECT_MAX];
  const char *bad[] = {"a b", "a.*", "a.>", "a..b", ".a", "a.", "", "a\tb",
                       "a\x7f"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    if (pg_wire_subject_svc(out, sizeof out, "shop", bad[i], strlen(bad[i])) !=
        -1)
      PG_FAIL_("service '%s' was accepted as '%s'", bad[i], out);
  }
  ASSERT_EQ(pg_wire_subject_svc(out, sizeof out, "sh op", "a", 1), -1);
  ASSERT_EQ(pg_wire_subject_svc(out, 10, "shop", "abc", 3), -1); /* fits? */
  ASSERT_TRUE(pg_wire_subject_ok("x-y_z.A9", 8));
  ASSERT_TRUE(!pg_wire_subject_ok("x", 0));
}

static void test_log_subject_and_bucket(void) {
  char out[PG_WIRE_SUBJECT_MAX];
  ASSERT_EQ(pg_wire_subject_log(out, sizeof out, "shop", "node-1"), 23);
  ASSERT_STR_EQ(out, "parigot.shop.log.node-1");
  ASSERT_EQ(pg_wire_subject_log(out, sizeof out, "shop", "a.b"), 20);
  ASSERT_STR_EQ(out, "parigot.shop.log.a.b");
  ASSERT_EQ(pg_wire_kv_bucket(out, sizeof out, "shop"), 12);
  ASSERT_STR_EQ(out, "parigot_shop");
  ASSERT_EQ(pg_wire_kv_bucket(out, sizeof out, "my.app-2"), 16);
  ASSERT_STR_EQ(out, "parigot_my_app-2");
  ASSERT_EQ(pg_wire_kv_bucket(out, 8, "shop"), -1);
}

static void test_inbox_and_call_ids(void) {
  uint8_t random[22];
  for (int i = 0; i < 22; i++) random[i] = (uint8_t)(i * 37 + 5);
  char inbox[PG_WIRE_INBOX_LEN + 1];
  pg_wire_inbox(inbox, random);
  ASSERT_EQ(strlen(inbox), PG_WIRE_INBOX_LEN);
  ASSERT_EQ(strncmp(inbox, "_INBOX.", 7), 0);
  for (int i = 7; i < PG_WIRE_INBOX_LEN; i++) {
    char c = inbox[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
          (c >= 'A' && c <= 'Z')))
      PG_FAIL_("inbox '%s' has '%c' at %d", inbox, c, i);
  }
  char subject[64];
  snprintf(subject, sizeof subject, "%s.%u", inbox, 1048577u);
  ASSERT_EQ(pg_wire_reply_call_id(subject, inbox), 1048577);
  snprintf(subject, sizeof subject, "%s.4294967295", inbox);
  ASSERT_U64_EQ(pg_wire_reply_call_id(subject, inbox), 4294967295u);
  const char *bad[] = {"%s.0", "%s.", "%s.12a", "%s.4294967296", "%sx.5",
                       "%s.-1", "%s.1.2"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    snprintf(subject, sizeof subject, bad[i], inbox);
    if (pg_wire_reply_call_id(subject, inbox) != 0)
      PG_FAIL_("'%s' gave a call id", subject);
  }
  ASSERT_EQ(pg_wire_reply_call_id("_INBOX.other.5", inbox), 0);
}

static void test_escape_examples(void) {
  char out[128];
  const char *msg = "stock: 5% left\r\nnext line";
  size_t n = pg_wire_escape(out, sizeof out, (const uint8_t *)msg,
                            strlen(msg));
  ASSERT_STR_EQ(out, "stock: 5%25 left%0D%0Anext line");
  ASSERT_EQ(n, strlen("stock: 5%25 left%0D%0Anext line"));
  /* Spaces survive in the middle, not at the ends (libnats trims them). */
  pg_wire_escape(out, sizeof out, (const uint8_t *)" a b ", 5);
  ASSERT_STR_EQ(out, "%20a b%20");
  /* UTF-8 passes as is. */
  pg_wire_escape(out, sizeof out, (const uint8_t *)"caf\xc3\xa9", 5);
  ASSERT_STR_EQ(out, "caf\xc3\xa9");
  /* Truncation follows snprintf: the needed length comes back. */
  ASSERT_EQ(pg_wire_escape(out, 4, (const uint8_t *)"%%%", 3), 9);
  ASSERT_STR_EQ(out, "%25");
  ASSERT_EQ(pg_wire_escape(NULL, 0, (const uint8_t *)"\n", 1), 3);
}

static void test_escape_round_trip_every_byte(void) {
  uint8_t in[256], back[256 * 3];
  char text[256 * 3 + 1];
  for (int i = 0; i < 256; i++) in[i] = (uint8_t)i;
  size_t n = pg_wire_escape(text, sizeof text, in, sizeof in);
  ASSERT_EQ(strlen(text), n);
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
      PG_FAIL_("control byte 0x%02x left in the header text at %zu",
               (unsigned char)text[i], i);
  ASSERT_EQ(pg_wire_unescape(back, text), 256);
  ASSERT_EQ(memcmp(back, in, 256), 0);
  /* A stray '%' from a peer that does not escape stays a '%'. */
  ASSERT_EQ(pg_wire_unescape(back, "100%"), 4);
  ASSERT_EQ(memcmp(back, "100%", 4), 0);
  ASSERT_EQ(pg_wire_unescape(back, "%zz%4"), 5);
  ASSERT_EQ(memcmp(back, "%zz%4", 5), 0);
}

static void test_trace_header(void) {
  pg_trace t;
  for (int i = 0; i < 16; i++) t.id[i] = (uint8_t)(0xf0 + i);
  t.parent_span = 0x0123456789abcdefull;
  char text[PG_WIRE_TRACE_LEN + 1];
  pg_wire_trace_format(text, &t);
  ASSERT_STR_EQ(text, "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff-0123456789abcdef");
  pg_trace back;
  ASSERT_EQ(pg_wire_trace_parse(text, &back), 0);
  ASSERT_EQ(memcmp(back.id, t.id, 16), 0);
  ASSERT_U64_EQ(back.parent_span, t.parent_span);
  ASSERT_EQ(pg_wire_trace_parse(
                "F0F1F2F3F4F5F6F7F8F9FAFBFCFDFEFF-0123456789ABCDEF", &back),
            0);
  ASSERT_U64_EQ(back.parent_span, t.parent_span);
  const char *bad[] = {"", "f0f1", "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff_0123456789abcdef",
                       "g0f1f2f3f4f5f6f7f8f9fafbfcfdfeff-0123456789abcdef",
                       "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff-0123456789abcdef0"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    if (pg_wire_trace_parse(bad[i], &back) != -1)
      PG_FAIL_("trace '%s' was accepted", bad[i]);
}

static void test_numbers(void) {
  uint32_t v = 7;
  ASSERT_EQ(pg_wire_parse_u32("0", &v), 0);
  ASSERT_EQ(v, 0);
  ASSERT_EQ(pg_wire_parse_u32("4294967295", &v), 0);
  ASSERT_U64_EQ(v, 4294967295u);
  const char *bad[] = {"", "-1", "+1", " 1", "1 ", "4294967296", "99999999999",
                       "0x10"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    if (pg_wire_parse_u32(bad[i], &v) != -1)
      PG_FAIL_("'%s' parsed as %u", bad[i], v);
  ASSERT_EQ(pg_wire_parse_u32(NULL, &v), -1);
  int32_t status = -1;
  ASSERT_EQ(pg_wire_parse_status("14", &status), 0);
  ASSERT_EQ(status, 14);
  ASSERT_EQ(pg_wire_parse_status("16", &status), 0);
  ASSERT_EQ(pg_wire_parse_status("17", &status), -1);
  ASSERT_EQ(pg_wire_parse_status("OK", &status), -1);
}

int main(void) {
  PG_RUN(test_service_subject);
  PG_RUN(test_subject_refuses_what_nats_cannot_route);
  PG_RUN(test_log_subject_and_bucket);
  PG_RUN(test_inbox_and_call_ids);
  PG_RUN(test_escape_examples);
  PG_RUN(test_escape_round_trip_every_byte);
  PG_RUN(test_trace_header);
  PG_RUN(test_numbers);
  return PG_DONE();
}
