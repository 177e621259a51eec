/*
 * math_double.c: double arithmetic and <math.h> (sin, cos, tan, exp, log,
 * log10, pow, sqrt, fmod, floor, ceil, round, trunc, atan2, hypot,
 * frexp/ldexp), printed with %.17g so every bit shows.
 */
#include <math.h>
#include <stdio.h>

static const double inputs[] = {0.0, 0.5, 1.0, -1.0, 2.0, 3.0, 10.0, 0.1,
                                1e-5, 100.25, -7.75, 1234.5678, 0.7853981633974483};

static void transcendental(void) {
  for (unsigned i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
    double x = inputs[i];
    printf("x=%.17g\n", x);
    printf("  sin %.17g cos %.17g tan %.17g\n", sin(x), cos(x), tan(x));
    printf("  exp %.17g atan %.17g\n", exp(x), atan(x));
    if (x > 0)
      printf("  log %.17g log10 %.17g log2 %.17g sqrt %.17g\n", log(x),
             log10(x), log2(x), sqrt(x));
    /* No cbrt: glibc's is not correctly rounded and musl's (wasi-libc) is,
     * so they differ in the last bit for some inputs. */
    printf("  pow(x,2.5) %.17g pow(1.5,x) %.17g\n", pow(fabs(x), 2.5),
           pow(1.5, x));
  }
}

static void rounding(void) {
  const double v[] = {2.5, 3.5, -2.5, -0.4, 7.999999, -7.5, 1e16 + 1};
  for (unsigned i = 0; i < sizeof v / sizeof v[0]; i++)
    printf("%.17g: floor %.17g ceil %.17g round %.17g trunc %.17g rint %.17g\n",
           v[i], floor(v[i]), ceil(v[i]), round(v[i]), trunc(v[i]), rint(v[i]));
}

static void exact(void) {
  printf("fmod %.17g %.17g %.17g\n", fmod(10.5, 3.0), fmod(-7.25, 2.0),
         fmod(1e20, 3.3));
  printf("atan2 %.17g %.17g hypot %.17g\n", atan2(1.0, -1.0), atan2(-0.0, -1.0),
         hypot(3.0, 4.0));
  int e;
  double m = frexp(1234.5, &e);
  printf("frexp %.17g %d ldexp %.17g\n", m, e, ldexp(m, e + 3));
  double sum = 0, kahan = 0, c = 0;
  for (int i = 1; i <= 100000; i++) {
    double term = 1.0 / ((double)i * i);
    sum += term;
    double y = term - c, t = kahan + y;
    c = (t - kahan) - y;
    kahan = t;
  }
  printf("basel naive %.17g kahan %.17g pi^2/6 %.17g\n", sum, kahan,
         M_PI * M_PI / 6);
  double a = 0.1 + 0.2, b = 1e16, f = 3.0;
  printf("0.1+0.2 %.17g big+1 %.17g 1/3 %.17g 2/3*3 %.17g\n", a, b + 1.0 - b,
         1.0 / f, 2.0 / f * 3.0);
  float fl = 16777216.0f;
  printf("float %.9g %.9g sqrtf %.9g\n", (double)(fl + 1.0f), (double)(1.0f / 3.0f),
         (double)sqrtf(2.0f));
}

int main(void) {
  transcendental();
  rounding();
  exact();
  return 0;
}
