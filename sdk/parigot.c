/*
 * parigot.c: the guest SDK's core (parigot.h) — the ABI version check at
 * startup, declarations (require, export), run, exit, the last-error
 * message and the program-owned buffers. Calls live in client.c, the serve
 * loop in serve.c; all three speak to the kernel only through the syscalls
 * declared in parigot_internal.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parigot_internal.h"
#include "serve_internal.h"

static char last_error[512];
static bool abi_checked;

parigot__buffer parigot__scratch;

const char *parigot_last_error(void) { return last_error; }

int parigot__fail(int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(last_error, sizeof last_error, fmt, ap);
  va_end(ap);
  return code;
}

/* Exit code of a program whose SDK and kernel disagree on the ABI
 * (EX_SOFTWARE from sysexits.h: it must be rebuilt, not retried). */
#define PARIGOT_EXIT_ABI_MISMATCH 70

void parigot__check_abi(void) {
  if (abi_checked)
    return;
  abi_checked = true;
  int32_t kernel = parigot__sys_version();
  if (kernel == PARIGOT_ABI_VERSION)
    return;
  fprintf(stderr,
          "parigot: this program was built with the parigot SDK for syscall "
          "ABI version %d, but the kernel speaks version %d; rebuild it "
          "with the SDK that matches this parigot\n",
          PARIGOT_ABI_VERSION, (int)kernel);
  parigot_exit(PARIGOT_EXIT_ABI_MISMATCH);
}

/* "At startup": a constructor runs before main whenever this file is
 * linked, which every program that declares anything does. */
__attribute__((constructor)) static void check_abi_at_startup(void) {
  parigot__check_abi();
}

bool parigot__buffer_reserve(parigot__buffer *b, size_t need) {
  if (need <= b->cap)
    return true;
  if (need > (size_t)PARIGOT_ABI_MAX_PAYLOAD + 2 * PARIGOT_ABI_MAX_NAME + 64)
    return false;
  size_t cap = b->cap ? b->cap : 4096;
  while (cap < need)
    cap *= 2;
  uint8_t *fresh = malloc(cap);
  if (!fresh)
    return false;
  free(b->data);
  b->data = fresh;
  b->cap = cap;
  return true;
}

/* A service name the kernel will accept: 1..PARIGOT_ABI_MAX_NAME bytes. */
static int check_name(const char *what, const char *service) {
  if (!service || !*service)
    return parigot__fail(PG_CODE_INVALID_ARGUMENT, "%s: empty service name",
                         what);
  if (strlen(service) > PARIGOT_ABI_MAX_NAME)
    return parigot__fail(PG_CODE_INVALID_ARGUMENT,
                         "%s: service name longer than %d bytes", what,
                         PARIGOT_ABI_MAX_NAME);
  return PG_CODE_OK;
}

int parigot_require(const char *service) {
  parigot__check_abi();
  int code = check_name("parigot_require", service);
  if (code != PG_CODE_OK)
    return code;
  code = parigot__sys_require(service, (uint32_t)strlen(service));
  if (code != PG_CODE_OK)
    return parigot__fail(code, "parigot_require(\"%s\"): %s", service,
                         pg_code_str(code));
  return PG_CODE_OK;
}

int parigot_export(const pg_service_desc *service, parigot_dispatch_fn dispatch,
                   const void *handlers, void *ctx) {
  parigot__check_abi();
  if (!service || !dispatch || !handlers)
    return parigot__fail(PG_CODE_INVALID_ARGUMENT,
                         "parigot_export: service, dispatch and handlers are "
                         "required");
  int code = check_name("parigot_export", service->name);
  if (code != PG_CODE_OK)
    return code;
  code = parigot__serve_register(service, dispatch, handlers, ctx);
  if (code != PG_CODE_OK)
    return code;
  code = parigot__sys_export(service->name, (uint32_t)strlen(service->name));
  if (code != PG_CODE_OK) {
    parigot__serve_unregister(service);
    return parigot__fail(code, "parigot_export(\"%s\"): %s", service->name,
                         pg_code_str(code));
  }
  return PG_CODE_OK;
}

int parigot_run(void) {
  parigot__check_abi();
  int code = parigot__sys_run();
  if (code == PG_CODE_ABORTED)
    return parigot__fail(code, "parigot_run: the app cannot start (the "
                               "kernel's log says why)");
  if (code != PG_CODE_OK)
    return parigot__fail(code, "parigot_run: %s", pg_code_str(code));
  return PG_CODE_OK;
}

_Noreturn void parigot_exit(int code) {
  fflush(NULL);
  parigot__sys_exit(code);
}
