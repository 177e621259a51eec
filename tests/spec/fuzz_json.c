/*
 * fuzz_json.c: libFuzzer target for the spec runner's JSON parser (json.c).
 *
 * Built only with -DPG_FUZZ=ON. Any input must either parse -- and then
 * every node must be reachable through the accessors without a fault -- or
 * fail with a "line L, column C: ..." message; never crash, leak or hang.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Touches every node, as the runner would, bounded by the parser's depth. */
static size_t walk(const pg_json *v) {
  size_t nodes = 1, len = 0;
  double d;
  const char *s = pg_json_string(v, &len);
  if (s && s[len] != '\0') abort(); /* strings stay NUL-terminated */
  (void)pg_json_number(v, &d);
  for (size_t i = 0; i < pg_json_count(v); i++) {
    const char *key = pg_json_key_at(v, i);
    if (key && pg_json_get(v, key) == NULL) abort(); /* a key must resolve */
    nodes += walk(pg_json_at(v, i));
  }
  return nodes;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  pg_json *root = NULL;
  char err[160];
  if (pg_json_parse(&root, (const char *)data, size, err, sizeof err)) {
    walk(root);
    pg_json_free(root);
  } else if (strncmp(err, "line ", 5) != 0) {
    fprintf(stderr, "error without a position: %s\n", err);
    abort();
  }
  return 0;
}
