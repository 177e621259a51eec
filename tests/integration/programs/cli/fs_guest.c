/*
 * fs_guest.c: a guest that uses files through wasi-libc, for the CLI
 * test's --dir checks. Each argument is one operation:
 *   cat:PATH      print the file's first line, or the error
 *   write:PATH    create PATH with a fixed line
 *   mkdir:PATH  rm:PATH  rmdir:PATH  ls:DIR (names sorted)
 *   mv:OLD,NEW
 * Errors print strerror(errno), so a refused path shows how it was refused.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void report(const char *op, const char *path, int ok) {
  if (ok) printf("%s %s: ok\n", op, path);
  else printf("%s %s: error: %s\n", op, path, strerror(errno));
}

static void cat(const char *path) {
  FILE *f = fopen(path, "r");
  char line[200];
  if (!f) return report("cat", path, 0);
  if (!fgets(line, sizeof line, f)) line[0] = '\0';
  line[strcspn(line, "\n")] = '\0';
  printf("cat %s: [%s]\n", path, line);
  fclose(f);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void ls(const char *path) {
  DIR *d = opendir(path);
  if (!d) return report("ls", path, 0);
  char *names[256];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 256)
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names[n++] = strdup(e->d_name);
  closedir(d);
  qsort(names, (size_t)n, sizeof names[0], cmp_str);
  printf("ls %s:", path);
  for (int i = 0; i < n; i++) printf(" %s", names[i]), free(names[i]);
  printf("\n");
}

static void write_file(const char *path) {
  FILE *f = fopen(path, "w");
  if (!f) return report("write", path, 0);
  fputs("written by the guest\n", f);
  report("write", path, fclose(f) == 0);
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    char *op = argv[i], *path = strchr(op, ':');
    if (!path) continue;
    *path++ = '\0';
    if (!strcmp(op, "cat")) cat(path);
    else if (!strcmp(op, "ls")) ls(path);
    else if (!strcmp(op, "write")) write_file(path);
    else if (!strcmp(op, "mkdir")) report(op, path, mkdir(path, 0777) == 0);
    else if (!strcmp(op, "rmdir")) report(op, path, rmdir(path) == 0);
    else if (!strcmp(op, "rm")) report(op, path, unlink(path) == 0);
    else if (!strcmp(op, "mv")) {
      char *to = strchr(path, ',');
      if (!to) continue;
      *to++ = '\0';
      report(op, to, rename(path, to) == 0);
    }
  }
  return 0;
}
