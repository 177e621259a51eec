/*
 * stdin_wc.c: reads all of stdin with fgets and getchar-sized pieces, then
 * prints line/word/byte counts like wc, the longest line, a checksum and
 * the text upper-cased with its lines reversed, so stdin is read exactly.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
  size_t cap = 4096, len = 0;
  char *text = malloc(cap);
  if (!text) return 3;
  char line[256];
  int first = getchar(); /* one character first, then line by line */
  if (first != EOF) text[len++] = (char)first;
  while (fgets(line, sizeof line, stdin)) {
    size_t n = strlen(line);
    if (len + n + 1 > cap) {
      char *grown = realloc(text, cap *= 2);
      if (!grown) return 3;
      text = grown;
    }
    memcpy(text + len, line, n);
    len += n;
  }
  text[len] = '\0';
  size_t lines = 0, words = 0, longest = 0, cur = 0;
  unsigned long long sum = 0;
  int in_word = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)text[i];
    sum = sum * 131 + c;
    if (c == '\n') {
      lines++;
      if (cur > longest) longest = cur;
      cur = 0;
    } else {
      cur++;
    }
    if (isspace(c)) in_word = 0;
    else if (!in_word) in_word = 1, words++;
  }
  if (cur > longest) longest = cur;
  printf("%zu lines %zu words %zu bytes, longest line %zu, checksum %016llx\n",
         lines, words, len, longest, sum);
  /* lines in reverse order, upper-cased */
  char **starts = malloc((lines + 2) * sizeof *starts);
  if (!starts) return 3;
  size_t n = 0;
  for (char *p = text; *p;) {
    starts[n++] = p;
    char *nl = strchr(p, '\n');
    if (!nl) break;
    *nl = '\0';
    p = nl + 1;
  }
  while (n > 0) {
    for (char *p = starts[--n]; *p; p++) putchar(toupper((unsigned char)*p));
    putchar('\n');
  }
  free(starts);
  free(text);
  return 0;
}
