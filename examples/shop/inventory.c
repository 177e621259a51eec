/*
 * inventory.c: the `inventory` program of the shop example — exports
 * shop.v1.InventoryService, the stock of every sku. Take removes all the
 * items of an order or none (FAILED_PRECONDITION when one is short,
 * NOT_FOUND for an unknown sku). The last hop of main -> checkout -> cart
 * -> inventory.
 */
#include <stdio.h>
#include <string.h>

#include "parigot/parigot.h"
#include "shop/v1/shop.pg.h"

#define INITIAL_STOCK 450

typedef struct stock {
  const char *sku;
  uint32_t quantity;
} stock;

static stock shelf[] = {
    {"apple", INITIAL_STOCK}, {"bread", INITIAL_STOCK},
    {"cheese", INITIAL_STOCK}, {"dates", INITIAL_STOCK},
    {"eggs", INITIAL_STOCK},  {"flour", INITIAL_STOCK},
    {"grapes", INITIAL_STOCK}, {"honey", INITIAL_STOCK},
};
#define N_SKUS (sizeof shelf / sizeof shelf[0])

static stock *find(pg_string sku) {
  for (size_t i = 0; i < N_SKUS; i++)
    if (strlen(shelf[i].sku) == sku.len &&
        memcmp(shelf[i].sku, sku.data, sku.len) == 0)
      return &shelf[i];
  return NULL;
}

/* An error message in the call's arena. */
static const char *say(pg_arena *arena, const char *what, pg_string sku) {
  size_t cap = strlen(what) + sku.len + 2;
  char *msg = pg_arena_alloc(arena, cap, 1);
  if (msg)
    snprintf(msg, cap, "%s %.*s", what, (int)sku.len, sku.data);
  return msg ? msg : what;
}

static int do_take(void *ctx, const shop_v1_TakeRequest *req,
                   shop_v1_TakeResponse *resp, pg_arena *arena,
                   const char **errmsg) {
  (void)ctx;
  for (size_t i = 0; i < req->n_items; i++) { /* all or nothing: check */
    stock *s = find(req->items[i].sku);
    if (!s) {
      *errmsg = say(arena, "unknown sku", req->items[i].sku);
      return PG_CODE_NOT_FOUND;
    }
    if (s->quantity < req->items[i].quantity) {
      *errmsg = say(arena, "out of stock:", req->items[i].sku);
      return PG_CODE_FAILED_PRECONDITION;
    }
  }
  resp->left = pg_arena_alloc(arena, (req->n_items + 1) * sizeof *resp->left,
                              _Alignof(shop_v1_Item));
  if (!resp->left)
    return PG_CODE_RESOURCE_EXHAUSTED;
  for (size_t i = 0; i < req->n_items; i++) { /* then take */
    stock *s = find(req->items[i].sku);
    s->quantity -= req->items[i].quantity;
    resp->left[resp->n_left++] = (shop_v1_Item){pg_str(s->sku), s->quantity};
  }
  return PG_CODE_OK;
}

static int do_stock(void *ctx, const shop_v1_StockRequest *req,
                    shop_v1_StockResponse *resp, pg_arena *arena,
                    const char **errmsg) {
  (void)ctx;
  stock *s = find(req->sku);
  if (!s) {
    *errmsg = say(arena, "unknown sku", req->sku);
    return PG_CODE_NOT_FOUND;
  }
  resp->quantity = s->quantity;
  return PG_CODE_OK;
}

static const shop_v1_InventoryService_handlers handlers = {
    .Take = do_take, .Stock = do_stock};

int main(void) {
  if (PARIGOT_EXPORT(shop_v1_InventoryService, &handlers, NULL) != PG_CODE_OK ||
      parigot_run() != PG_CODE_OK || parigot_serve() != PG_CODE_OK) {
    fprintf(stderr, "inventory: %s\n", parigot_last_error());
    return 1;
  }
  return 0;
}
