/*
 * cart.c: the `cart` program of the shop example — exports
 * shop.v1.CartService. Reserve checks an order's items (at least one, no
 * zero quantity), merges repeated skus, and takes them from inventory in
 * one call (the middle hop of main -> checkout -> cart -> inventory).
 */
#include <stdio.h>
#include <string.h>

#include "parigot/parigot.h"
#include "shop/v1/shop.pg.h"

static pg_client inventory;

static bool same(pg_string a, pg_string b) {
  return a.len == b.len && memcmp(a.data, b.data, a.len) == 0;
}

/* Merges repeated skus of `items` into `out` (room for n); returns how
 * many distinct skus there are. */
static size_t merge(const shop_v1_Item *items, size_t n, shop_v1_Item *out) {
  size_t distinct = 0;
  for (size_t i = 0; i < n; i++) {
    size_t j = 0;
    while (j < distinct && !same(out[j].sku, items[i].sku))
      j++;
    if (j == distinct)
      out[distinct++] = (shop_v1_Item){items[i].sku, 0};
    out[j].quantity += items[i].quantity;
  }
  return distinct;
}

static int do_reserve(void *ctx, const shop_v1_ReserveRequest *req,
                      shop_v1_ReserveResponse *resp, pg_arena *arena,
                      const char **errmsg) {
  (void)ctx;
  if (req->n_items == 0) {
    *errmsg = "an order needs at least one item";
    return PG_CODE_INVALID_ARGUMENT;
  }
  for (size_t i = 0; i < req->n_items; i++) {
    if (req->items[i].quantity == 0) {
      *errmsg = "quantities start at 1";
      return PG_CODE_INVALID_ARGUMENT;
    }
  }
  shop_v1_Item *merged = pg_arena_alloc(arena, req->n_items * sizeof *merged,
                                        _Alignof(shop_v1_Item));
  if (!merged)
    return PG_CODE_RESOURCE_EXHAUSTED;
  shop_v1_TakeRequest take = {merge(req->items, req->n_items, merged), merged};
  shop_v1_TakeResponse taken;
  int code = shop_v1_InventoryService_Take(&inventory, &take, &taken, arena,
                                           errmsg);
  if (code != PG_CODE_OK)
    return code;
  resp->n_reserved = take.n_items;
  resp->reserved = merged;
  return PG_CODE_OK;
}

static const shop_v1_CartService_handlers handlers = {.Reserve = do_reserve};

int main(void) {
  if (parigot_require(shop_v1_InventoryService_NAME) != PG_CODE_OK ||
      PARIGOT_EXPORT(shop_v1_CartService, &handlers, NULL) != PG_CODE_OK ||
      parigot_run() != PG_CODE_OK ||
      parigot_locate(shop_v1_InventoryService_NAME, &inventory) != PG_CODE_OK ||
      parigot_serve() != PG_CODE_OK) {
    fprintf(stderr, "cart: %s\n", parigot_last_error());
    return 1;
  }
  return 0;
}
