/*
 * main.c: the `main` program of the shop example — drives a workload of
 * 200 orders through shop.v1.CheckoutService and checks every answer
 * against its own model of the shop: the catalog, the volume discount and
 * the stock are written out again here on purpose, so a total is computed
 * independently of the services that produced it. Some orders run out of
 * stock (FAILED_PRECONDITION), one is empty (INVALID_ARGUMENT), one names
 * an unknown sku (NOT_FOUND). Prints a summary; exits 0 when every answer
 * was right.
 */
#include <stdio.h>
#include <string.h>

#include "parigot/parigot.h"
#include "shop/v1/shop.pg.h"

#define N_ORDERS 200
#define MAX_ITEMS 5
#define STOCK 450

static const char *skus[] = {"apple", "bread", "cheese", "dates",
                             "eggs",  "flour", "grapes", "honey"};
static const int64_t cents[] = {120, 250, 799, 450, 329, 199, 375, 999};
#define N_SKUS 8
static uint32_t stock[N_SKUS];

static pg_client checkout;
static int wrong, placed, out_of_stock, rejected;
static int64_t revenue;
static uint64_t replicas_seen[8];
static size_t n_replicas;

/* A fixed pseudo-random sequence (an LCG), so every run orders the same. */
static uint32_t next_random(void) {
  static uint32_t state = 20260101u;
  state = state * 1664525u + 1013904223u;
  return state >> 8;
}

typedef struct order {
  uint32_t id;
  size_t n;
  shop_v1_Item items[MAX_ITEMS];
} order;

static void make_order(order *o, uint32_t id) {
  o->id = id;
  o->n = 0;
  if (id == 50)
    return; /* empty: INVALID_ARGUMENT */
  o->n = 1 + next_random() % MAX_ITEMS;
  for (size_t i = 0; i < o->n; i++)
    o->items[i] = (shop_v1_Item){pg_str(skus[next_random() % N_SKUS]),
                                 1 + next_random() % 12};
  if (id == 100)
    o->items[o->n - 1].sku = pg_str("kiwi"); /* unknown: NOT_FOUND */
}

static int sku_index(pg_string sku) {
  for (int i = 0; i < N_SKUS; i++)
    if (strlen(skus[i]) == sku.len && memcmp(skus[i], sku.data, sku.len) == 0)
      return i;
  return -1;
}

/* What the shop should answer: a code, and on OK the merged quantities
 * (want[sku]) and the total; takes the stock when the order goes through. */
static int expect(const order *o, uint32_t want[N_SKUS], int64_t *total) {
  memset(want, 0, N_SKUS * sizeof *want);
  *total = 0;
  if (o->n == 0)
    return PG_CODE_INVALID_ARGUMENT;
  for (size_t i = 0; i < o->n; i++) {
    int k = sku_index(o->items[i].sku);
    if (k < 0)
      return PG_CODE_NOT_FOUND;
    want[k] += o->items[i].quantity;
  }
  for (int k = 0; k < N_SKUS; k++)
    if (want[k] > stock[k])
      return PG_CODE_FAILED_PRECONDITION;
  for (int k = 0; k < N_SKUS; k++) {
    int64_t unit = want[k] >= 10 ? cents[k] * 9 / 10 : cents[k];
    *total += unit * want[k];
    stock[k] -= want[k];
  }
  return PG_CODE_OK;
}

static void note_replica(uint64_t tag) {
  for (size_t i = 0; i < n_replicas; i++)
    if (replicas_seen[i] == tag)
      return;
  if (n_replicas < 8)
    replicas_seen[n_replicas++] = tag;
}

/* Checks a successful reply's lines and total against the model. */
static bool lines_match(const shop_v1_PlaceOrderResponse *r,
                        const uint32_t want[N_SKUS], int64_t total) {
  uint32_t got[N_SKUS] = {0};
  int64_t sum = 0;
  for (size_t i = 0; i < r->n_lines; i++) {
    int k = sku_index(r->lines[i].sku);
    if (k < 0)
      return false;
    got[k] += r->lines[i].quantity;
    sum += r->lines[i].line_cents;
    note_replica(r->lines[i].priced_by);
  }
  return memcmp(got, want, sizeof got) == 0 && sum == total &&
         r->total_cents == total;
}

static void place(const order *o, pg_arena *arena) {
  uint32_t want[N_SKUS];
  int64_t total;
  int want_code = expect(o, want, &total);
  shop_v1_PlaceOrderRequest req = {o->id, o->n,
                                   o->n ? (shop_v1_Item *)o->items : NULL};
  shop_v1_PlaceOrderResponse resp;
  const char *err = NULL;
  pg_arena_reset(arena);
  int code = shop_v1_CheckoutService_PlaceOrder(&checkout, &req, &resp, arena,
                                                &err);
  bool ok = code == want_code &&
            (code != PG_CODE_OK || lines_match(&resp, want, total));
  if (!ok) {
    wrong++;
    printf("order %u WRONG: want %s total %lld, got %s total %lld (%s)\n",
           o->id, pg_code_name(want_code), (long long)total,
           pg_code_name(code), (long long)resp.total_cents, err ? err : "");
    return;
  }
  if (code == PG_CODE_OK) {
    placed++;
    revenue += total;
  } else if (code == PG_CODE_FAILED_PRECONDITION) {
    out_of_stock++;
  } else {
    rejected++;
  }
}

int main(void) {
  static uint8_t storage[64 * 1024];
  pg_arena arena;
  pg_arena_init(&arena, storage, sizeof storage);
  if (parigot_require(shop_v1_CheckoutService_NAME) != PG_CODE_OK ||
      parigot_run() != PG_CODE_OK ||
      parigot_locate(shop_v1_CheckoutService_NAME, &checkout) != PG_CODE_OK) {
    fprintf(stderr, "main: %s\n", parigot_last_error());
    return 1;
  }
  for (int k = 0; k < N_SKUS; k++)
    stock[k] = STOCK;
  for (uint32_t id = 1; id <= N_ORDERS; id++) {
    order o;
    make_order(&o, id);
    place(&o, &arena);
    if (id % 50 == 0)
      printf("shop: %u orders sent: %d placed, %d out of stock, %d rejected, "
             "%d wrong\n", id, placed, out_of_stock, rejected, wrong);
  }
  printf("shop: %d orders: %d placed, %d out of stock, %d rejected, %d wrong; "
         "revenue %lld.%02lld; pricing replicas seen: %zu\n",
         N_ORDERS, placed, out_of_stock, rejected, wrong,
         (long long)(revenue / 100), (long long)(revenue % 100), n_replicas);
  printf(wrong ? "shop: FAILED\n" : "shop: all answers correct\n");
  return wrong ? 1 : 0;
}
