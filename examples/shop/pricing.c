/*
 * pricing.c: the `pricing` program of the shop example — exports
 * shop.v1.PricingService and runs as two replicas (app.yaml). Quote prices
 * one line: the catalog price, 10% off the unit from 10 pieces up (rounded
 * down to the cent). Each replica tags its answers with a random id so main
 * can count how many replicas served it.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "parigot/parigot.h"
#include "shop/v1/shop.pg.h"

static const struct {
  const char *sku;
  int64_t cents;
} catalog[] = {
    {"apple", 120}, {"bread", 250}, {"cheese", 799}, {"dates", 450},
    {"eggs", 329},  {"flour", 199}, {"grapes", 375}, {"honey", 999},
};

static uint64_t replica_tag;
static uint64_t quotes;

static int do_quote(void *ctx, const shop_v1_QuoteRequest *req,
                    shop_v1_QuoteResponse *resp, pg_arena *arena,
                    const char **errmsg) {
  (void)ctx;
  (void)arena;
  if (!req->item) {
    *errmsg = "no item to price";
    return PG_CODE_INVALID_ARGUMENT;
  }
  pg_string sku = req->item->sku;
  for (size_t i = 0; i < sizeof catalog / sizeof catalog[0]; i++) {
    if (strlen(catalog[i].sku) != sku.len ||
        memcmp(catalog[i].sku, sku.data, sku.len) != 0)
      continue;
    int64_t unit = catalog[i].cents;
    if (req->item->quantity >= 10)
      unit = unit * 9 / 10;
    resp->unit_cents = unit;
    resp->line_cents = unit * req->item->quantity;
    resp->priced_by = replica_tag;
    quotes++;
    return PG_CODE_OK;
  }
  *errmsg = "no price for that sku";
  return PG_CODE_NOT_FOUND;
}

static const shop_v1_PricingService_handlers handlers = {.Quote = do_quote};

int main(void) {
  if (getentropy(&replica_tag, sizeof replica_tag) != 0)
    replica_tag = 1;
  replica_tag |= 1; /* never 0: 0 means "not set" on the wire */
  if (PARIGOT_EXPORT(shop_v1_PricingService, &handlers, NULL) != PG_CODE_OK ||
      parigot_run() != PG_CODE_OK || parigot_serve() != PG_CODE_OK) {
    fprintf(stderr, "pricing: %s\n", parigot_last_error());
    return 1;
  }
  printf("pricing replica %016llx quoted %llu lines\n",
         (unsigned long long)replica_tag, (unsigned long long)quotes);
  return 0;
}
