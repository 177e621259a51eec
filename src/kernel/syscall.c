/*
 * syscall.c: the host functions of the `parigot` import module, one per
 * entry of PARIGOT_SYSCALL_MAP (include/parigot/abi.h; docs/abi.md is the
 * spec). Each function's env is its replica. Every guest (pointer, length)
 * goes through guest_mem() before a byte moves; a bad one makes the call
 * return INVALID_ARGUMENT and touches nothing. Blocking calls (run, wait,
 * result, serve) record their arguments in the replica, set its state and
 * return PG_HOST_YIELD; the loop resumes the instance with the status when
 * the event happens, after writing any out-records into guest memory.
 */
#include <string.h>

#include "kernel/kernel_internal.h"

static pg_host_result ret(pg_host_call *call, int32_t code) {
  call->results[0] = (pg_cell)(uint32_t)code;
  return PG_HOST_DONE;
}

static uint32_t arg(const pg_host_call *call, int i) {
  return (uint32_t)call->args[i];
}

/* The one guest-pointer check: [ptr, ptr+len) inside memory 0, else NULL.
 * An empty range is fine anywhere (nothing is read or written). */
static uint8_t *guest_mem(pg_host_call *call, uint32_t ptr, uint64_t len) {
  static uint8_t empty;
  if (len == 0) return &empty;
  return pg_memory_ptr(call->instance, ptr, len);
}

/* A name argument: 1..PARIGOT_ABI_MAX_NAME bytes in memory, no NUL. */
static const uint8_t *guest_name(pg_host_call *call, uint32_t ptr,
                                 uint32_t len) {
  if (len == 0 || len > PARIGOT_ABI_MAX_NAME) return NULL;
  const uint8_t *p = guest_mem(call, ptr, len);
  if (p && memchr(p, '\0', len)) return NULL;
  return p;
}

static pg__kernel *kernel_of(pg__replica *r) { return r->prog->k; }

/* ---- declarations ------------------------------------------------------- */

static pg_host_result sys_version(pg_host_call *call) {
  return ret(call, PARIGOT_ABI_VERSION);
}

static pg_host_result declare(pg_host_call *call, bool is_export) {
  pg__replica *r = call->env;
  uint32_t len = arg(call, 1);
  const uint8_t *name = guest_name(call, arg(call, 0), len);
  if (!name) return ret(call, PG_CODE_INVALID_ARGUMENT);
  if (r->ran) return ret(call, PG_CODE_FAILED_PRECONDITION);
  return ret(call, pg__declare(r, is_export, (const char *)name, len));
}

static pg_host_result sys_require(pg_host_call *call) {
  return declare(call, false);
}

static pg_host_result sys_export(pg_host_call *call) {
  return declare(call, true);
}

static pg_host_result sys_run(pg_host_call *call) {
  pg__replica *r = call->env;
  if (r->ran) return ret(call, PG_CODE_FAILED_PRECONDITION);
  if (r->prog->released) { /* a restarted replica: the app is running */
    r->ran = true;
    return ret(call, PG_CODE_OK);
  }
  r->state = PG__R_BLOCK_RUN; /* released (or aborted) by kernel.c */
  return PG_HOST_YIELD;
}

/* ---- services and calls ------------------------------------------------- */

static int cmp_service(pg__kernel *k, size_t idx, const char *name,
                       size_t len) {
  const pg__service *s = &k->services[idx];
  int c = memcmp(s->name, name, s->name_len < len ? s->name_len : len);
  if (c) return c;
  return s->name_len < len ? -1 : s->name_len > len;
}

pg__service *pg__service_find(pg__kernel *k, const char *name, size_t len) {
  size_t lo = 0, hi = k->nservices;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int c = cmp_service(k, k->service_by_name[mid], name, len);
    if (c == 0) return &k->services[k->service_by_name[mid]];
    if (c < 0) lo = mid + 1; else hi = mid;
  }
  return NULL;
}

static pg_host_result sys_locate(pg_host_call *call) {
  pg__replica *r = call->env;
  pg__kernel *k = kernel_of(r);
  uint32_t len = arg(call, 1);
  const uint8_t *name = guest_name(call, arg(call, 0), len);
  uint8_t *out = guest_mem(call, arg(call, 2), 4);
  if (!name || !out) return ret(call, PG_CODE_INVALID_ARGUMENT);
  if (!r->ran) return ret(call, PG_CODE_FAILED_PRECONDITION);
  pg__service *svc = pg__service_find(k, (const char *)name, len);
  if (svc && r->prog->may_call[svc - k->services]) {
    pg__put32(out, (uint32_t)(svc - k->services) + 1);
    return ret(call, PG_CODE_OK);
  }
  /* Required but exported by nobody (possible only under --only). */
  for (size_t i = 0; i < r->prog->nrequires; i++) {
    const char *req = r->prog->requires[i];
    if (strlen(req) == len && memcmp(req, name, len) == 0)
      return ret(call, PG_CODE_NOT_FOUND);
  }
  return ret(call, PG_CODE_PERMISSION_DENIED);
}

static pg_host_result sys_call(pg_host_call *call) {
  pg__replica *r = call->env;
  pg__kernel *k = kernel_of(r);
  uint32_t handle = arg(call, 0), method_len = arg(call, 2);
  uint32_t req_len = arg(call, 4);
  const uint8_t *method = guest_name(call, arg(call, 1), method_len);
  const uint8_t *req = req_len <= PARIGOT_ABI_MAX_PAYLOAD
                           ? guest_mem(call, arg(call, 3), req_len)
                           : NULL;
  uint8_t *out = guest_mem(call, arg(call, 6), 4);
  if (!method || !req || !out) return ret(call, PG_CODE_INVALID_ARGUMENT);
  if (!r->ran) return ret(call, PG_CODE_FAILED_PRECONDITION);
  /* A handle that locate() could not have given this program. */
  if (handle == 0 || handle > k->nservices || !r->prog->may_call[handle - 1])
    return ret(call, PG_CODE_PERMISSION_DENIED);
  uint32_t id = 0;
  int32_t code = pg__call_start(k, r, &k->services[handle - 1], method,
                                method_len, req, req_len, arg(call, 5), &id);
  if (code == PG_CODE_OK) pg__put32(out, id);
  return ret(call, code);
}

/* ---- waiting for calls -------------------------------------------------- */

/* A call of r's (as caller) with this id, or NULL. */
static pg__call *own_call(pg__kernel *k, pg__replica *r, uint32_t id) {
  pg__call *c = pg__call_find(k, id);
  return c && c->caller == r ? c : NULL;
}

void pg__wait_try_finish(pg__kernel *k, pg__replica *r, bool give_up) {
  const uint8_t *ids = pg_memory_ptr(r->inst, r->a_buf, 4ull * r->a_count);
  uint8_t *out = pg_memory_ptr(r->inst, r->a_out, 4);
  int64_t found = -1;
  for (uint32_t i = 0; ids && i < r->a_count && found < 0; i++) {
    pg__call *c = own_call(k, r, pg__get32(ids + 4 * i));
    if (c && c->state == PG__CALL_DONE) found = i;
  }
  if (found < 0 && !give_up && ids) return;
  for (uint32_t i = 0; ids && i < r->a_count; i++) {
    pg__call *c = own_call(k, r, pg__get32(ids + 4 * i));
    if (c) c->waited = false;
  }
  if (found >= 0 && out) {
    pg__put32(out, (uint32_t)found);
    pg__wake(k, r, PG_CODE_OK);
  } else {
    pg__wake(k, r,
             ids && out ? PG_CODE_DEADLINE_EXCEEDED : PG_CODE_INVALID_ARGUMENT);
  }
}

static pg_host_result sys_wait(pg_host_call *call) {
  pg__replica *r = call->env;
  pg__kernel *k = kernel_of(r);
  uint32_t count = arg(call, 1), timeout_ms = arg(call, 2);
  if (count == 0 || count > PARIGOT_ABI_MAX_OUTSTANDING)
    return ret(call, PG_CODE_INVALID_ARGUMENT);
  const uint8_t *ids = guest_mem(call, arg(call, 0), 4ull * count);
  uint8_t *out = guest_mem(call, arg(call, 3), 4);
  if (!ids || !out) return ret(call, PG_CODE_INVALID_ARGUMENT);
  for (uint32_t i = 0; i < count; i++) {
    pg__call *c = own_call(k, r, pg__get32(ids + 4 * i));
    if (!c) return ret(call, PG_CODE_NOT_FOUND);
    if (c->state == PG__CALL_DONE) {
      pg__put32(out, i);
      return ret(call, PG_CODE_OK);
    }
  }
  for (uint32_t i = 0; i < count; i++)
    own_call(k, r, pg__get32(ids + 4 * i))->waited = true;
  r->a_buf = arg(call, 0);
  r->a_count = count;
  r->a_out = arg(call, 3);
  r->state = PG__R_BLOCK_WAIT;
  if (timeout_ms)
    pg__timer_arm(k, &r->timer, PG__TIMER_BLOCK_TIMEOUT, r,
                  pg__now(k) + (uint64_t)timeout_ms * 1000000ull);
  return PG_HOST_YIELD;
}

static pg_host_result sys_result(pg_host_call *call) {
  pg__replica *r = call->env;
  pg__kernel *k = kernel_of(r);
  uint32_t buf = arg(call, 1), cap = arg(call, 2), out = arg(call, 3);
  if (!guest_mem(call, out, sizeof(parigot_abi_result)) ||
      !guest_mem(call, buf, cap))
    return ret(call, PG_CODE_INVALID_ARGUMENT);
  pg__call *c = own_call(k, r, arg(call, 0));
  if (!c) return ret(call, PG_CODE_NOT_FOUND);
  if (c->state == PG__CALL_DONE)
    return ret(call, pg__call_collect(k, r, c, buf, cap, out));
  r->a_call = c;
  r->a_buf = buf;
  r->a_cap = cap;
  r->a_out = out;
  r->state = PG__R_BLOCK_RESULT;
  return PG_HOST_YIELD;
}

/* ---- serving ------------------------------------------------------------ */

static void idle_push(pg__program *p, pg__replica *r) {
  r->idle_next = NULL;
  r->idle_prev = p->idle_tail;
  if (p->idle_tail)
    p->idle_tail->idle_next = r;
  else
    p->idle_head = r;
  p->idle_tail = r;
}

static pg_host_result sys_serve(pg_host_call *call) {
  pg__replica *r = call->env;
  pg__kernel *k = kernel_of(r);
  pg__program *p = r->prog;
  uint32_t buf = arg(call, 0), cap = arg(call, 1), out = arg(call, 2);
  uint32_t timeout_ms = arg(call, 3);
  if (!guest_mem(call, out, sizeof(parigot_abi_incoming)) ||
      !guest_mem(call, buf, cap))
    return ret(call, PG_CODE_INVALID_ARGUMENT);
  if (!r->ran || p->nexports == 0)
    return ret(call, PG_CODE_FAILED_PRECONDITION);
  if (p->stopping) return ret(call, PG_CODE_CANCELLED);
  r->a_buf = buf;
  r->a_cap = cap;
  r->a_out = out;
  if (!r->ready) {
    r->ready = true;
    pg__kernel_replica_ready(k, r);
  }
  int32_t code = pg__serve_next(k, r);
  if (code >= 0) return ret(call, code);
  r->state = PG__R_BLOCK_SERVE;
  idle_push(p, r);
  if (timeout_ms)
    pg__timer_arm(k, &r->timer, PG__TIMER_BLOCK_TIMEOUT, r,
                  pg__now(k) + (uint64_t)timeout_ms * 1000000ull);
  return PG_HOST_YIELD;
}

static pg_host_result sys_respond(pg_host_call *call) {
  pg__replica *r = call->env;
  pg__kernel *k = kernel_of(r);
  int32_t status = (int32_t)arg(call, 1);
  uint32_t reply_len = arg(call, 3), msg_len = arg(call, 5);
  const uint8_t *reply = reply_len <= PARIGOT_ABI_MAX_PAYLOAD
                             ? guest_mem(call, arg(call, 2), reply_len)
                             : NULL;
  const uint8_t *msg = msg_len <= 65536 ? guest_mem(call, arg(call, 4), msg_len)
                                        : NULL;
  if (!reply || !msg) return ret(call, PG_CODE_INVALID_ARGUMENT);
  pg__call *c = pg__call_find(k, arg(call, 0));
  /* A held call may be answered even before its bytes fit the buffer
   * (e.g. to refuse a request that is too large). */
  if (!c || c->state != PG__CALL_SERVING || c->server != r)
    return ret(call, PG_CODE_NOT_FOUND);
  if (status < 0 || status > 16) status = PG_CODE_UNKNOWN;
  if (status == PG_CODE_OK)
    pg__call_complete(k, c, status, reply, reply_len, NULL, 0);
  else
    pg__call_complete(k, c, status, NULL, 0, (const char *)msg, msg_len);
  return ret(call, PG_CODE_OK);
}

static pg_host_result sys_exit(pg_host_call *call) {
  return pg_host_exit(call, (int32_t)arg(call, 0));
}

/* ---- the import table --------------------------------------------------- */

int pg__syscalls_link(pg__replica *r, pg_linker *l) {
#define PG_SYSCALL_DEFINE_(name, sig, summary)                                \
  if (pg_linker_define_func(l, PARIGOT_ABI_MODULE, #name, sig, sys_##name,   \
                            r) != PG_OK)                                      \
    return -1;
  PARIGOT_SYSCALL_MAP(PG_SYSCALL_DEFINE_)
#undef PG_SYSCALL_DEFINE_
  return 0;
}
