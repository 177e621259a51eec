/*
 * checkout.c: the `checkout` program of the shop example — exports
 * shop.v1.CheckoutService. PlaceOrder reserves the order's items through
 * cart (which takes them from inventory: main -> checkout -> cart ->
 * inventory) and then prices every line at once: one Quote per line
 * started with parigot_call_start, collected as they complete with
 * parigot_call_wait_any — a fan-out the two pricing replicas share.
 */
#include <stdio.h>
#include <string.h>

#include "parigot/parigot.h"
#include "shop/v1/shop.pg.h"

static pg_client cart, pricing;

/* Starts one Quote per item; calls[i] prices items[i]. */
static void start_quotes(const shop_v1_Item *items, size_t n,
                         parigot_call *calls) {
  for (size_t i = 0; i < n; i++) {
    shop_v1_QuoteRequest q = {(shop_v1_Item *)&items[i]};
    /* a start that fails leaves calls[i] FAILED: finish reports it */
    parigot_call_start(&pricing, &shop_v1_PricingService_desc,
                       shop_v1_PricingService_Quote_INDEX, &q, &calls[i]);
  }
}

/* Collects the quotes in completion order into lines[]; the first failure
 * wins but every call is still finished (none is left with the kernel). */
static int collect_quotes(parigot_call *calls, size_t n,
                          shop_v1_Line *lines, pg_arena *arena,
                          const char **errmsg) {
  int result = PG_CODE_OK;
  for (size_t done = 0; done < n; done++) {
    size_t i;
    int code = parigot_call_wait_any(calls, n, &i);
    if (code != PG_CODE_OK) {
      *errmsg = parigot_last_error();
      return code;
    }
    shop_v1_QuoteResponse quote;
    const char *err = NULL;
    code = parigot_call_finish(&calls[i], &quote, arena, &err);
    if (code != PG_CODE_OK && result == PG_CODE_OK) {
      result = code;
      *errmsg = err;
    }
    lines[i].unit_cents = quote.unit_cents;
    lines[i].line_cents = quote.line_cents;
    lines[i].priced_by = quote.priced_by;
  }
  return result;
}

static int do_place(void *ctx, const shop_v1_PlaceOrderRequest *req,
                    shop_v1_PlaceOrderResponse *resp, pg_arena *arena,
                    const char **errmsg) {
  (void)ctx;
  shop_v1_ReserveRequest reserve = {req->order_id, req->n_items, req->items};
  shop_v1_ReserveResponse reserved;
  int code = shop_v1_CartService_Reserve(&cart, &reserve, &reserved, arena,
                                         errmsg);
  if (code != PG_CODE_OK)
    return code;
  size_t n = reserved.n_reserved;
  parigot_call *calls = pg_arena_alloc(arena, (n + 1) * sizeof *calls,
                                       _Alignof(parigot_call));
  resp->lines = pg_arena_zalloc(arena, (n + 1) * sizeof *resp->lines,
                                _Alignof(shop_v1_Line));
  if (!calls || !resp->lines)
    return PG_CODE_RESOURCE_EXHAUSTED;
  start_quotes(reserved.reserved, n, calls);
  code = collect_quotes(calls, n, resp->lines, arena, errmsg);
  if (code != PG_CODE_OK)
    return code;
  resp->order_id = req->order_id;
  resp->n_lines = n;
  for (size_t i = 0; i < n; i++) {
    resp->lines[i].sku = reserved.reserved[i].sku;
    resp->lines[i].quantity = reserved.reserved[i].quantity;
    resp->total_cents += resp->lines[i].line_cents;
  }
  return PG_CODE_OK;
}

static const shop_v1_CheckoutService_handlers handlers = {.PlaceOrder =
                                                              do_place};

int main(void) {
  if (parigot_require(shop_v1_CartService_NAME) != PG_CODE_OK ||
      parigot_require(shop_v1_PricingService_NAME) != PG_CODE_OK ||
      PARIGOT_EXPORT(shop_v1_CheckoutService, &handlers, NULL) != PG_CODE_OK ||
      parigot_run() != PG_CODE_OK ||
      parigot_locate(shop_v1_CartService_NAME, &cart) != PG_CODE_OK ||
      parigot_locate(shop_v1_PricingService_NAME, &pricing) != PG_CODE_OK ||
      parigot_serve() != PG_CODE_OK) {
    fprintf(stderr, "checkout: %s\n", parigot_last_error());
    return 1;
  }
  return 0;
}
