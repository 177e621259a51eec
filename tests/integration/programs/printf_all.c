/*
 * printf_all.c: printf of every common conversion, with flags, widths and
 * precisions, so wasi-libc's formatting is compared byte for byte with the
 * native libc's.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>

static void integers(void) {
  int vals[] = {0, 1, -1, 42, -42, 123456789, INT_MAX, INT_MIN};
  for (unsigned i = 0; i < sizeof vals / sizeof vals[0]; i++) {
    int v = vals[i];
    printf("[%d] [%5d] [%-5d|] [%05d] [%+d] [% d] [%.3d] [%8.4d]\n", v, v, v, v,
           v, v, v, v);
    printf("  u=[%u] x=[%x] X=[%X] o=[%o] #x=[%#x] #o=[%#o] [%08x]\n",
           (unsigned)v, (unsigned)v, (unsigned)v, (unsigned)v, (unsigned)v,
           (unsigned)v, (unsigned)v);
  }
  long long big[] = {0, LLONG_MAX, LLONG_MIN, 1099511627776LL, -77777777777LL};
  for (unsigned i = 0; i < sizeof big / sizeof big[0]; i++)
    printf("lld=[%lld] llu=[%llu] llx=[%llx] [%20lld] [%-20lld|]\n", big[i],
           (unsigned long long)big[i], (unsigned long long)big[i], big[i],
           big[i]);
  printf("hhd=[%hhd] hd=[%hd] zu=[%zu] jd=[%jd]\n", (signed char)-3, (short)-300,
         sizeof(long long), (intmax_t)-99);
}

static void strings_and_chars(void) {
  const char *s = "parigot";
  printf("[%s] [%10s] [%-10s|] [%.3s] [%10.2s] [%c] [%3c] [%-3c|] [%%]\n", s, s,
         s, s, s, 'x', 'y', 'z');
  printf("[%*d] [%-*d|] [%.*s]\n", 6, 12, 6, 12, 4, "truncated");
  int n = 0;
  printf("count%n|", &n);
  printf(" n=%d\n", n);
}

static void floats(void) {
  double vals[] = {0.0,    -0.0,        1.0,     -1.5,  3.14159265358979,
                   1e-10,  123456789.0, 1e300,   2.5,   0.1,
                   1.0 / 3, 6.02214076e23, 9.999999, 0.5, 1e-320};
  for (unsigned i = 0; i < sizeof vals / sizeof vals[0]; i++) {
    double v = vals[i];
    printf("f=[%f] .2f=[%.2f] 12.4f=[%12.4f] e=[%e] .3E=[%.3E]\n", v, v, v, v, v);
    printf("  g=[%g] .10g=[%.10g] G=[%G] #g=[%#g] +.1f=[%+.1f] .17g=[%.17g]\n",
           v, v, v, v, v, v);
  }
  printf("[%.0f] [%.0f] [%.0f] [%.0f]\n", 0.5, 1.5, 2.5, -0.5);
  printf("[%a] [%A]\n", 1.0, -0.375);
  printf("[%f] [%e] [%G]\n", 1.0 / 0.0, -1.0 / 0.0, -(1.0 / 0.0));
  printf("[%10.3f|] [%-10.3f|] [%010.3f]\n", -2.71828, -2.71828, -2.71828);
}

int main(void) {
  integers();
  strings_and_chars();
  floats();
  char buf[32];
  int len = snprintf(buf, sizeof buf, "%s-%d-%.2f-%x", "snprintf", 99, 1.005, 255);
  printf("snprintf -> [%s] len %d\n", buf, len);
  const char *longer = "overflowing the buffer";
  len = snprintf(buf, 8, "%s", longer);
  printf("truncated -> [%s] len %d\n", buf, len);
  return 0;
}
