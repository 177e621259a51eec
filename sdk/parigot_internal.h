/*
 * parigot_internal.h: what the guest SDK's files share — the imports of
 * the `parigot` syscall module (one per PARIGOT_SYSCALL_MAP entry of
 * include/parigot/abi.h, with the same wasm signature: every pointer and
 * length is an i32 on wasm32), the last-error buffer and a growable
 * guest-owned buffer. Not for programs: they use parigot.h.
 */
#ifndef PARIGOT_SDK_INTERNAL_H
#define PARIGOT_SDK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parigot/parigot.h"

#if defined(__wasm__)
#define PARIGOT__IMPORT(name)                                                 \
  __attribute__((import_module(PARIGOT_ABI_MODULE), import_name(#name)))
#else
/* Native builds (SDK unit tests) link the syscalls against a fake kernel. */
#define PARIGOT__IMPORT(name)
#endif

/* The syscalls, in PARIGOT_SYSCALL_MAP order; docs/abi.md says what each
 * does. Every pointer is borrowed for the duration of the call. */
PARIGOT__IMPORT(version) int32_t parigot__sys_version(void);
PARIGOT__IMPORT(require)
int32_t parigot__sys_require(const char *name, uint32_t name_len);
PARIGOT__IMPORT(export)
int32_t parigot__sys_export(const char *name, uint32_t name_len);
PARIGOT__IMPORT(run) int32_t parigot__sys_run(void);
PARIGOT__IMPORT(locate)
int32_t parigot__sys_locate(const char *name, uint32_t name_len,
                            uint32_t *out_handle);
PARIGOT__IMPORT(call)
int32_t parigot__sys_call(uint32_t handle, const char *method,
                          uint32_t method_len, const uint8_t *req,
                          uint32_t req_len, uint32_t timeout_ms,
                          uint32_t *out_call_id);
PARIGOT__IMPORT(wait)
int32_t parigot__sys_wait(const uint32_t *ids, uint32_t count,
                          uint32_t timeout_ms, uint32_t *out_index);
PARIGOT__IMPORT(result)
int32_t parigot__sys_result(uint32_t call_id, uint8_t *buf, uint32_t cap,
                            parigot_abi_result *out_result);
PARIGOT__IMPORT(serve)
int32_t parigot__sys_serve(uint8_t *buf, uint32_t cap,
                           parigot_abi_incoming *out_incoming,
                           uint32_t timeout_ms);
PARIGOT__IMPORT(respond)
int32_t parigot__sys_respond(uint32_t call_id, int32_t status,
                             const uint8_t *reply, uint32_t reply_len,
                             const char *msg, uint32_t msg_len);
PARIGOT__IMPORT(exit) _Noreturn void parigot__sys_exit(int32_t code);

/* Checks the kernel's ABI version once; on a mismatch prints why and ends
 * the program. Every public entry point calls it first. */
void parigot__check_abi(void);

/* Records a failure message (printf-style) for parigot_last_error() and
 * returns `code`, so callers can `return parigot__fail(code, ...)`. */
int parigot__fail(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A buffer the program owns (malloc), grown on demand. */
typedef struct parigot__buffer {
  uint8_t *data; /* owned; cap bytes; NULL before first use */
  size_t cap;
} parigot__buffer;

/* Makes b->cap at least `need` bytes (contents are not kept). false when
 * malloc fails or need is above PARIGOT_ABI_MAX_PAYLOAD plus headroom. */
bool parigot__buffer_reserve(parigot__buffer *b, size_t need);

/* The scratch buffer shared by the client side (request encoding, draining
 * replies that do not fit the caller's arena). */
extern parigot__buffer parigot__scratch;

#endif /* PARIGOT_SDK_INTERNAL_H */
