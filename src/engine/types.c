/*
 * types.c: the process-wide intern table of function signatures.
 *
 * Every function type (of a module, or of a host function defined through
 * the linker) is given a small id such that two signatures are equal
 * exactly when their ids are; call_indirect then compares one integer
 * instead of two type vectors, even across modules. The table is shared by
 * every thread of the process, so it is guarded by a mutex; entries are
 * never removed (the number of distinct signatures a process meets is
 * small). Ids start at 1: 0 is returned only when memory runs out.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "module.h"

typedef struct sig_entry {
  uint64_t hash;
  uint32_t nparams, nresults;
  pg_vt *types; /* owned by the table, nparams + nresults entries */
  uint32_t id;  /* 0: empty slot */
} sig_entry;

/* Open addressing with linear probing; capacity is a power of two and the
 * table is kept at most half full. */
static struct {
  pthread_mutex_t lock;
  sig_entry *slots;
  uint32_t capacity;
  uint32_t count;
} sigs = {PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0};

static uint64_t sig_hash(const pg_vt *types, uint32_t nparams,
                         uint32_t nresults) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  uint32_t header[2] = {nparams, nresults};
  const uint8_t *hb = (const uint8_t *)header;
  for (size_t i = 0; i < sizeof header; i++) h = (h ^ hb[i]) * 1099511628211ull;
  for (uint64_t i = 0; i < (uint64_t)nparams + nresults; i++)
    h = (h ^ types[i]) * 1099511628211ull;
  return h;
}

static bool sig_equal(const sig_entry *e, uint64_t hash, const pg_vt *types,
                      uint32_t nparams, uint32_t nresults) {
  size_t n = (size_t)nparams + nresults;
  return e->hash == hash && e->nparams == nparams &&
         e->nresults == nresults && (n == 0 || memcmp(e->types, types, n) == 0);
}

static sig_entry *find_slot(sig_entry *slots, uint32_t capacity,
                            uint64_t hash, const pg_vt *types,
                            uint32_t nparams, uint32_t nresults) {
  uint32_t mask = capacity - 1;
  for (uint32_t i = (uint32_t)hash & mask;; i = (i + 1) & mask) {
    sig_entry *e = &slots[i];
    if (e->id == 0 || sig_equal(e, hash, types, nparams, nresults)) return e;
  }
}

static bool grow_table(void) {
  uint32_t capacity = sigs.capacity ? sigs.capacity * 2 : 64;
  sig_entry *slots = calloc(capacity, sizeof *slots);
  if (!slots) return false;
  for (uint32_t i = 0; i < sigs.capacity; i++) {
    sig_entry *old = &sigs.slots[i];
    if (old->id == 0) continue;
    *find_slot(slots, capacity, old->hash, old->types, old->nparams,
               old->nresults) = *old;
  }
  free(sigs.slots);
  sigs.slots = slots;
  sigs.capacity = capacity;
  return true;
}

/* Called with the lock held. */
static uint32_t intern_locked(const pg_vt *types, uint32_t nparams,
                              uint32_t nresults) {
  uint64_t hash = sig_hash(types, nparams, nresults);
  if (sigs.capacity) {
    sig_entry *e = find_slot(sigs.slots, sigs.capacity, hash, types,
                             nparams, nresults);
    if (e->id) return e->id;
  }
  if ((sigs.count + 1) * 2 > sigs.capacity && !grow_table()) return 0;
  size_t ntypes = (size_t)nparams + nresults;
  pg_vt *copy = malloc(ntypes ? ntypes : 1);
  if (!copy) return 0;
  if (ntypes) memcpy(copy, types, ntypes); /* types may be NULL when 0 */
  sig_entry *e =
      find_slot(sigs.slots, sigs.capacity, hash, types, nparams, nresults);
  e->hash = hash;
  e->nparams = nparams;
  e->nresults = nresults;
  e->types = copy;
  e->id = ++sigs.count;
  return e->id;
}

/* `types` is borrowed (copied into the table on first sight; may be NULL
 * when nparams + nresults is 0). */
uint32_t pg__sig_intern(const pg_vt *types, uint32_t nparams,
                        uint32_t nresults) {
  pthread_mutex_lock(&sigs.lock);
  uint32_t id = intern_locked(types, nparams, nresults);
  pthread_mutex_unlock(&sigs.lock);
  return id;
}
