/*
 * hello.c: parigot's first demo guest, an ordinary C program built for
 * wasm32-wasi and run with `parigot exec`. It greets whoever is named on the
 * command line, prints a small table of primes (a sieve), and counts the
 * words of a built-in text, so the demo shows args, computation and stdio.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const char text[] =
    "parigot runs microservices written as WebAssembly programs. "
    "While developing, the whole application runs as one process: "
    "one debugger, one log, a startup order computed from the "
    "dependency graph, and reproducible runs.";

static void greet(int argc, char **argv) {
  if (argc < 2) {
    printf("Hello from WebAssembly!\n");
    return;
  }
  printf("Hello,");
  for (int i = 1; i < argc; i++) printf(" %s%s", argv[i], i + 1 < argc ? "," : "!");
  printf("\n");
}

static void print_primes(int limit) {
  char composite[512] = {0};
  int count = 0;
  printf("\nPrimes below %d:\n", limit);
  for (int n = 2; n < limit; n++) {
    if (composite[n]) continue;
    for (int k = n * n; k < limit; k += n) composite[k] = 1;
    printf("%5d%s", n, ++count % 10 == 0 ? "\n" : "");
  }
  if (count % 10) printf("\n");
  printf("(%d primes)\n", count);
}

static void count_words(void) {
  int words = 0, letters = 0, longest = 0, run = 0;
  for (const char *p = text;; p++) {
    if (*p && isalpha((unsigned char)*p)) {
      letters++;
      run++;
      continue;
    }
    if (run > 0) {
      words++;
      if (run > longest) longest = run;
    }
    run = 0;
    if (!*p) break;
  }
  printf("\nThe built-in text has %d words, %d letters, %zu bytes;\n"
         "its longest word has %d letters.\n",
         words, letters, strlen(text), longest);
}

int main(int argc, char **argv) {
  greet(argc, argv);
  print_primes(200);
  count_words();
  return 0;
}
