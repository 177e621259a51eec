/*
 * guest_abi.h: the `parigot` imports declared by hand, for the kernel's own
 * test guests (the real SDK lives in sdk/; these tests exercise the raw ABI
 * of include/parigot/abi.h, including bad pointers the SDK never passes).
 */
#ifndef PG_TEST_GUEST_ABI_H
#define PG_TEST_GUEST_ABI_H

#include <stdint.h>
#include <string.h>

#include "parigot/abi.h"

#define PG_IMPORT_(n) __attribute__((import_module("parigot"), import_name(n)))
PG_IMPORT_("version") int32_t sys_version(void);
PG_IMPORT_("require") int32_t sys_require(const char *name, uint32_t len);
PG_IMPORT_("export") int32_t sys_export(const char *name, uint32_t len);
PG_IMPORT_("run") int32_t sys_run(void);
PG_IMPORT_("locate")
int32_t sys_locate(const char *name, uint32_t len, uint32_t *out);
PG_IMPORT_("call")
int32_t sys_call(uint32_t handle, const char *method, uint32_t method_len,
                 const void *req, uint32_t req_len, uint32_t timeout_ms,
                 uint32_t *out_id);
PG_IMPORT_("wait")
int32_t sys_wait(const uint32_t *ids, uint32_t count, uint32_t timeout_ms,
                 uint32_t *out_index);
PG_IMPORT_("result")
int32_t sys_result(uint32_t id, void *buf, uint32_t cap,
                   parigot_abi_result *out);
PG_IMPORT_("serve")
int32_t sys_serve(void *buf, uint32_t cap, parigot_abi_incoming *out,
                  uint32_t timeout_ms);
PG_IMPORT_("respond")
int32_t sys_respond(uint32_t id, int32_t status, const void *reply,
                    uint32_t reply_len, const char *msg, uint32_t msg_len);
PG_IMPORT_("exit") void sys_exit(int32_t code);

/* Raw pointers far outside any test guest's memory. */
#define BAD_PTR ((void *)0xfffffff0u)

static inline int32_t require_s(const char *s) {
  return sys_require(s, (uint32_t)strlen(s));
}
static inline int32_t export_s(const char *s) {
  return sys_export(s, (uint32_t)strlen(s));
}

#endif
