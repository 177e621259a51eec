/*
 * recursion.c: deep but bounded recursion: Ackermann for small arguments,
 * naive Fibonacci, building and walking a binary tree recursively, and a
 * recursive-descent evaluator of arithmetic expressions.
 */
#include <stdio.h>
#include <stdlib.h>

static unsigned long ackermann(unsigned long m, unsigned long n) {
  if (m == 0) return n + 1;
  if (n == 0) return ackermann(m - 1, 1);
  return ackermann(m - 1, ackermann(m, n - 1));
}

static long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

typedef struct node {
  int key;
  struct node *left, *right;
} node;

static node *insert(node *t, int key) {
  if (!t) {
    t = calloc(1, sizeof *t);
    if (!t) exit(3);
    t->key = key;
  } else if (key < t->key) {
    t->left = insert(t->left, key);
  } else {
    t->right = insert(t->right, key);
  }
  return t;
}

static int height(const node *t) {
  if (!t) return 0;
  int l = height(t->left), r = height(t->right);
  return 1 + (l > r ? l : r);
}

static long long sum_inorder(const node *t, long long *count) {
  if (!t) return 0;
  long long s = sum_inorder(t->left, count);
  s = s * 3 + t->key + (*count)++;
  return s % 1000000007 + sum_inorder(t->right, count);
}

static void free_tree(node *t) {
  if (!t) return;
  free_tree(t->left);
  free_tree(t->right);
  free(t);
}

/* expr := term (('+'|'-') term)*; term := factor (('*'|'/') factor)*;
 * factor := number | '(' expr ')' | '-' factor */
static const char *cursor;
static long expr(void);
static long factor(void) {
  if (*cursor == '(') {
    cursor++;
    long v = expr();
    cursor++; /* ')' */
    return v;
  }
  if (*cursor == '-') {
    cursor++;
    return -factor();
  }
  long v = 0;
  while (*cursor >= '0' && *cursor <= '9') v = v * 10 + (*cursor++ - '0');
  return v;
}
static long term(void) {
  long v = factor();
  while (*cursor == '*' || *cursor == '/') {
    char op = *cursor++;
    long r = factor();
    v = op == '*' ? v * r : (r ? v / r : 0);
  }
  return v;
}
static long expr(void) {
  long v = term();
  while (*cursor == '+' || *cursor == '-') {
    char op = *cursor++;
    long r = term();
    v = op == '+' ? v + r : v - r;
  }
  return v;
}

int main(void) {
  for (unsigned long m = 0; m <= 3; m++)
    for (unsigned long n = 0; n <= 4; n++)
      printf("A(%lu,%lu)=%lu%s", m, n, ackermann(m, n), n == 4 ? "\n" : " ");
  printf("A(2,200)=%lu A(3,7)=%lu\n", ackermann(2, 200), ackermann(3, 7));
  printf("fib(27)=%ld\n", fib(27));
  node *root = NULL;
  unsigned s = 1;
  for (int i = 0; i < 20000; i++) {
    s = s * 1103515245u + 12345u;
    root = insert(root, (int)((s >> 8) % 100000));
  }
  node *chain = NULL; /* a degenerate tree: recursion 2000 deep */
  for (int i = 0; i < 2000; i++) chain = insert(chain, i);
  long long count = 0;
  printf("tree height %d chain height %d\n", height(root), height(chain));
  long long hash = sum_inorder(root, &count);
  printf("inorder hash %lld over %lld nodes\n", hash, count);
  free_tree(root);
  free_tree(chain);
  char deep[4200];
  int at = 0;
  for (int i = 0; i < 1000; i++) deep[at++] = '(';
  at += sprintf(deep + at, "1+2*3");
  for (int i = 0; i < 1000; i++) deep[at++] = ')';
  deep[at] = '\0';
  const char *exprs[] = {"1+2*3", "(1+2)*3", "100/7-3*(2+-4)", "2*(3*(4*(5+6)))", deep};
  for (unsigned i = 0; i < 5; i++) {
    cursor = exprs[i];
    long v = expr();
    printf("expr %u = %ld\n", i, v);
  }
  return 0;
}
