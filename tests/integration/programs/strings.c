/*
 * strings.c: the string and conversion functions of <string.h> and
 * <stdlib.h>: strlen/strcpy/strcat/strcmp/strncmp/strchr/strrchr/strstr/
 * strtok/strspn/memmove/memcmp/memset, snprintf, strtol/strtoul/strtoll/
 * strtod/atoi, toupper, each result printed.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int sign(int v) { return (v > 0) - (v < 0); }

static void basics(void) {
  char buf[128];
  strcpy(buf, "Hello");
  strcat(buf, ", world");
  const char *tail = "!!!???";
  strncat(buf, tail, 3);
  printf("buf=[%s] len=%zu\n", buf, strlen(buf));
  printf("strcmp %d %d %d strncmp %d\n", sign(strcmp("abc", "abd")),
         sign(strcmp("b", "a")), strcmp("same", "same"),
         strncmp("prefix-a", "prefix-b", 7));
  printf("strchr [%s] strrchr [%s] strstr [%s] miss %d\n", strchr(buf, 'o'),
         strrchr(buf, 'o'), strstr(buf, "wor"), strstr(buf, "xyz") == NULL);
  printf("strspn %zu strcspn %zu\n", strspn("aaabbbccc", "ab"),
         strcspn("hello world", " "));
  char tmp[32] = "0123456789abcdefghij";
  memmove(tmp + 4, tmp, 10); /* overlapping, forward */
  printf("memmove fwd [%s]\n", tmp);
  memmove(tmp, tmp + 6, 10); /* overlapping, backward */
  printf("memmove back [%s]\n", tmp);
  memset(tmp + 3, '-', 5);
  printf("memset [%s] memcmp %d\n", tmp, sign(memcmp("abc", "abd", 3)));
  for (char *p = buf; *p; p++) *p = (char)toupper((unsigned char)*p);
  printf("upper [%s]\n", buf);
}

static void tokens(void) {
  char csv[] = "alpha,beta;;gamma, delta ,,epsilon";
  int n = 0;
  for (char *t = strtok(csv, ",;"); t; t = strtok(NULL, ",;"))
    printf("token %d [%s]\n", n++, t);
}

static void numbers(void) {
  const char *ints[] = {"42", "-17", "  +99xyz", "0x1F", "0777", "junk",
                        "9223372036854775807", "99999999999999999999", "-0"};
  for (unsigned i = 0; i < sizeof ints / sizeof ints[0]; i++) {
    char *end;
    errno = 0;
    long long v = strtoll(ints[i], &end, 0);
    int e = errno == ERANGE;
    /* long is 32 bits on wasm32: only the long long calls are comparable
     * for big values, so strtol sees the short inputs only. */
    long b10 = strlen(ints[i]) < 9 ? strtol(ints[i], NULL, 10) : -1;
    unsigned long long u16 = strtoull(ints[i], NULL, 16);
    printf("[%s] strtoll=%lld rest=[%s] erange=%d strtol10=%ld strtoull16=%llu atoi=%d\n",
           ints[i], v, end, e, b10, u16, strlen(ints[i]) < 9 ? atoi(ints[i]) : 0);
  }
  const char *dbls[] = {"3.14159", "-2.5e-3", "1e308", "1e-400", "0x1.8p3",
                        "  12.5abc", "inf", "-0.0", "123456789012345678901234567890",
                        "2.2250738585072014e-308", "4.9e-324", "0.1"};
  for (unsigned i = 0; i < sizeof dbls / sizeof dbls[0]; i++) {
    char *end;
    double d = strtod(dbls[i], &end);
    printf("[%s] strtod=%.17g rest=[%s]\n", dbls[i], d, end);
  }
}

static void formatting(void) {
  char out[64];
  for (int width = 1; width <= 9; width += 4) {
    int n = snprintf(out, sizeof out, "%*d|%-*s|%.*f", width, width * 11, width,
                     "ab", width, 1.0 / 7);
    printf("snprintf(%d) = %d [%s]\n", width, n, out);
  }
}

int main(void) {
  basics();
  tokens();
  numbers();
  formatting();
  return 0;
}
