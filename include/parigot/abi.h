/*
 * abi.h: parigot's syscall ABI between a guest program and the kernel —
 * the single source of truth for syscall names, their wasm signatures, the
 * layouts of the records they write into guest memory, and the ABI version.
 * docs/abi.md explains each call; the kernel (src/kernel/syscall.c) and the
 * guest SDK (sdk/) both include this file, so they cannot disagree.
 *
 * Guests import these functions from the wasm module "parigot". Every
 * pointer is a 32-bit offset into the guest's memory 0 and every length a
 * byte count; the kernel checks each (pointer, length) before use. Every
 * call returns an i32 status: a gRPC canonical code (0 OK, ...; see
 * PG_CODE_MAP in sdk/include/parigot/call.h).
 */
#ifndef PARIGOT_ABI_H
#define PARIGOT_ABI_H

#include <stdint.h>

/* Bumped on every incompatible change. The SDK calls `version` at startup
 * and exits with a clear message when the kernel speaks another one. */
#define PARIGOT_ABI_VERSION 1

#define PARIGOT_ABI_MODULE "parigot"

/* Longest service name ("pkg.Service") and method name accepted. */
#define PARIGOT_ABI_MAX_NAME 256
/* Largest request or reply payload, in bytes (16 MiB). */
#define PARIGOT_ABI_MAX_PAYLOAD (16u << 20)
/* Most calls one instance may have outstanding at once (fan-out). */
#define PARIGOT_ABI_MAX_OUTSTANDING 1024

/*
 * The syscalls: XX(name, wasm signature, summary). Signature letters as in
 * pg_linker_define_func: i = i32, I = i64.
 */
#define PARIGOT_SYSCALL_MAP(XX)                                               \
  XX(version, "->i", "the kernel's ABI version")                              \
  XX(require, "ii->i", "declare a required service (name_ptr, name_len)")     \
  XX(export, "ii->i", "declare an exported service (name_ptr, name_len)")     \
  XX(run, "->i", "block until every required service is ready")               \
  XX(locate, "iii->i", "service handle of a required service")                \
  XX(call, "iiiiiii->i", "start a call; does not block")                     \
  XX(wait, "iiii->i", "block until one of several calls completes")           \
  XX(result, "iiii->i", "fetch a completed call's status and reply")          \
  XX(serve, "iiii->i", "block until a call to an exported service arrives")  \
  XX(respond, "iiiiii->i", "answer an incoming call")                         \
  XX(exit, "i->", "end the program with an exit code")

/*
 * Records the kernel writes into guest memory. All fields are
 * little-endian; each record is 4-byte aligned and has no padding.
 */

/* Written by `result`. */
typedef struct parigot_abi_result {
  int32_t status;     /* the callee's pg_code, or the kernel's */
  uint32_t reply_len; /* bytes of reply payload */
  uint32_t msg_len;   /* bytes of error message (UTF-8, no NUL) */
} parigot_abi_result;

/* Written by `serve`. The buffer receives, back to back: the service name
 * (service_len bytes), the method name (method_len) and the request
 * payload (req_len). */
typedef struct parigot_abi_incoming {
  uint32_t call_id;     /* pass to `respond` */
  uint32_t service_len;
  uint32_t method_len;
  uint32_t req_len;
  uint32_t deadline_ms; /* time left before the caller gives up */
} parigot_abi_incoming;

#endif /* PARIGOT_ABI_H */
