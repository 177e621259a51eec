/*
 * sort_search.c: qsort and bsearch on an array of structs with a multi-key
 * comparator (stable order is forced by a unique id, since qsort is not
 * stable and the two libcs may order equal keys differently).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct person {
  char name[16];
  int age;
  double score;
  int id;
} person;

static int by_age_then_name(const void *a, const void *b) {
  const person *x = a, *y = b;
  if (x->age != y->age) return x->age < y->age ? -1 : 1;
  int c = strcmp(x->name, y->name);
  if (c) return c;
  return (x->id > y->id) - (x->id < y->id);
}

static int by_id(const void *a, const void *b) {
  const person *x = a, *y = b;
  return (x->id > y->id) - (x->id < y->id);
}

static int cmp_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

int main(void) {
  static const char *syll[] = {"ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo"};
  enum { N = 300 };
  person people[N];
  unsigned seed = 7;
  for (int i = 0; i < N; i++) {
    seed = seed * 1664525u + 1013904223u;
    snprintf(people[i].name, sizeof people[i].name, "%s%s%s",
             syll[seed >> 29], syll[(seed >> 26) & 7], syll[(seed >> 23) & 7]);
    people[i].age = 18 + (int)((seed >> 8) % 50);
    people[i].score = (double)(seed % 10000) / 100.0;
    people[i].id = (int)((seed >> 4) % 100000) * N + i; /* unique */
  }
  qsort(people, N, sizeof people[0], by_age_then_name);
  for (int i = 0; i < N; i += 23)
    printf("%3d %-8s age %2d score %6.2f id %d\n", i, people[i].name,
           people[i].age, people[i].score, people[i].id);
  qsort(people, N, sizeof people[0], by_id);
  int found = 0, probes = 0;
  for (int i = 0; i < N; i += 7) {
    person key = {.id = people[i].id};
    person *p = bsearch(&key, people, N, sizeof people[0], by_id);
    found += p == &people[i];
    key.id += 1; /* ids are multiples of N plus i: +1 may or may not exist */
    probes += bsearch(&key, people, N, sizeof people[0], by_id) != NULL;
  }
  printf("bsearch found %d of %d, neighbours present %d\n", found, (N + 6) / 7,
         probes);
  int nums[1000];
  for (int i = 0; i < 1000; i++) nums[i] = (int)((i * 7919u) % 1009) - 500;
  qsort(nums, 1000, sizeof nums[0], cmp_int);
  long sum = 0;
  for (int i = 0; i < 1000; i++) sum += (long)nums[i] * (i + 1);
  printf("ints: min %d max %d median %d weighted %ld\n", nums[0], nums[999],
         nums[500], sum);
  int missing = -501;
  printf("bsearch(-501) %s\n",
         bsearch(&missing, nums, 1000, sizeof nums[0], cmp_int) ? "found" : "absent");
  return 0;
}
