/*
 * environ.c: environment variables: getenv of set, empty and unset names,
 * the whole environ in order, and setenv/unsetenv/putenv inside the
 * program. The test runs the native build under `env -i` with the same
 * variables parigot passes with --env, so both see exactly the same list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static void show(const char *name) {
  const char *v = getenv(name);
  printf("%s=%s%s%s\n", name, v ? "[" : "", v ? v : "(unset)", v ? "]" : "");
}

int main(void) {
  int n = 0;
  for (char **e = environ; *e; e++) printf("environ[%d] %s\n", n++, *e);
  printf("%d variables\n", n);
  show("GREETING");
  show("EMPTY");
  show("WITH_EQUALS");
  show("NOT_SET");
  setenv("ADDED", "by setenv", 1);
  setenv("GREETING", "replaced", 0); /* no overwrite */
  unsetenv("EMPTY");
  static char put[] = "PUT=via putenv";
  putenv(put);
  show("ADDED");
  show("GREETING");
  show("EMPTY");
  show("PUT");
  const char *count = getenv("COUNT");
  int c = count ? atoi(count) : 0;
  for (int i = 0; i < c; i++) printf("%d%s", i * i, i + 1 < c ? "," : "\n");
  return c;
}
