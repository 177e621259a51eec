/*
 * args_exit.c: command-line arguments and exit codes. Prints each argument
 * (argv[0] is left out: it names the binary, which differs by design) and
 * exits with a code computed from them: "exit N" exits with N through
 * exit(), "return N" returns N from main, "abort-free" ends normally after
 * atexit handlers ran, otherwise the code is the sum of the argument
 * lengths modulo 256.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void goodbye(void) { printf("atexit handler ran\n"); }

int main(int argc, char **argv) {
  atexit(goodbye);
  printf("argc=%d\n", argc);
  unsigned sum = 0;
  for (int i = 1; i < argc; i++) {
    printf("argv[%d]=[%s] (%zu bytes)\n", i, argv[i], strlen(argv[i]));
    sum += (unsigned)strlen(argv[i]);
  }
  if (argc == 3 && strcmp(argv[1], "exit") == 0) {
    printf("calling exit(%d)\n", atoi(argv[2]));
    exit(atoi(argv[2])); /* stdout must still be flushed */
  }
  if (argc == 3 && strcmp(argv[1], "return") == 0) return atoi(argv[2]);
  printf("exit code %u\n", sum % 256);
  return (int)(sum % 256);
}
