/*
 * fake_kernel.h: a scripted stand-in for the kernel's side of the syscall
 * ABI, so the guest SDK (sdk/parigot.c, client.c, serve.c) can be tested
 * natively. Outgoing calls complete at once with a reply computed by
 * fake_answer(); incoming calls are served from a script; every syscall
 * obeys docs/abi.md's buffer rules (RESOURCE_EXHAUSTED keeps the data).
 */
#ifndef PG_TEST_FAKE_KERNEL_H
#define PG_TEST_FAKE_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#define FAKE_HANDLE 7      /* the handle of the one locatable service */
#define FAKE_MAX_CALLS 64

/* What the fake kernel saw and will answer. */
typedef struct fake_call {
  bool used;
  uint32_t id;
  char method[64];
  uint32_t timeout_ms;
  int32_t status;   /* the answer */
  uint8_t *reply;   /* owned; reply_len bytes */
  uint32_t reply_len;
  char msg[128];
} fake_call;

typedef struct fake_incoming {
  const char *service, *method;
  const uint8_t *req; /* borrowed from the test */
  uint32_t req_len;
} fake_incoming;

typedef struct fake_response {
  uint32_t call_id;
  int32_t status;
  uint8_t reply[16384];
  uint32_t reply_len;
  char msg[256];
} fake_response;

typedef struct fake_kernel {
  const char *locatable;     /* the service locate() knows */
  fake_call calls[FAKE_MAX_CALLS];
  uint32_t next_id;
  uint32_t started, result_retries;
  /* serve script */
  const fake_incoming *incoming;
  size_t n_incoming, next_incoming;
  uint32_t serve_retries;    /* RESOURCE_EXHAUSTED answers given */
  fake_response responses[8];
  size_t n_responses;
} fake_kernel;

extern fake_kernel fake;

/* Forgets every call and response; frees replies. */
void fake_reset(void);

/* Fills call `c` (status, reply) for a call of c->method with request
 * bytes req; provided by the test. */
void fake_answer(fake_call *c, const uint8_t *req, uint32_t req_len);

/* Outstanding calls the fake kernel still holds. */
size_t fake_pending(void);

#endif /* PG_TEST_FAKE_KERNEL_H */
