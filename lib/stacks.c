/*
 * stacks.c - distinct stacks as lists of frames, without a call tree: what
 * a profile read with the top_only option holds (see prf_read_options).
 * The top table needs only each stack's frames and value; finding a stack
 * by the hash of its frames is one look-up per sample where the tree costs
 * one (random) child look-up per frame.
 */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The index: open addressing, a slot holds the high half of the stack's
 * hash and its id + 1 (0: empty), so a probe reads the stack itself only
 * when the hashes agree. The load stays at most one half. */
static uint64_t slot_of(uint64_t hash, size_t id) {
  return (hash & ~(uint64_t)UINT32_MAX) | (uint64_t)(id + 1);
}

static bool index_reserve(const prf_allocator *a, prf_stacks *s, size_t count) {
  if ((count + 1) * 2 <= s->nslots)
    return true;
  size_t n = s->nslots ? s->nslots * 2 : 1024;
  uint64_t *slots = prf_table_alloc(a, n, sizeof *slots);
  if (!slots)
    return false;
  for (size_t e = 0; e < s->count; e++) {
    size_t i = (size_t)s->stack[e].hash & (n - 1);
    while (slots[i])
      i = (i + 1) & (n - 1);
    slots[i] = slot_of(s->stack[e].hash, e);
  }
  prf_mem_free(a, s->slots);
  s->slots = slots;
  s->nslots = n;
  return true;
}

/* The stack with these frames, or the empty slot where it goes. */
static size_t stack_find(const prf_stacks *s, const prf_fid *frames,
                         size_t depth, uint64_t hash, size_t *slot) {
  size_t mask = s->nslots - 1;
  size_t i = (size_t)hash & mask;
  for (; s->slots[i]; i = (i + 1) & mask) {
    if ((s->slots[i] ^ hash) >> 32)
      continue;
    size_t e = (size_t)(uint32_t)s->slots[i] - 1;
    const prf_stack_ref *r = &s->stack[e];
    if (r->depth == depth &&
        memcmp(s->frames + r->first, frames, depth * sizeof *frames) == 0)
      return e;
  }
  *slot = i;
  return SIZE_MAX;
}

/* A new stack with these frames and zero values, in an empty slot. */
static prf_status stack_new(const prf_allocator *a, prf_stacks *s,
                            const prf_fid *frames, size_t depth, uint64_t hash,
                            size_t ncol, size_t slot) {
  size_t n = s->count;
  if (n >= UINT32_MAX - 2)
    return PRF_E_LIMIT;
  size_t cap = s->cap;
  if (!prf_grow_large(a, (void **)&s->stack, &cap, n + 1, sizeof *s->stack))
    return PRF_E_NOMEM;
  cap = s->cap;
  if (ncol && !prf_grow_large(a, (void **)&s->values, &cap, n + 1,
                              ncol * sizeof(double)))
    return PRF_E_NOMEM;
  s->cap = cap; /* both arrays hold n + 1 entries at least */
  if (!prf_grow_large(a, (void **)&s->frames, &s->frames_cap,
                      s->nframes + depth, sizeof *s->frames))
    return PRF_E_NOMEM;
  memcpy(s->frames + s->nframes, frames, depth * sizeof *frames);
  s->stack[n] = (prf_stack_ref){s->nframes, (uint32_t)depth, hash};
  s->nframes += depth;
  for (size_t c = 0; c < ncol; c++)
    s->values[n * ncol + c] = 0;
  s->slots[slot] = slot_of(hash, n);
  s->count = n + 1;
  return PRF_OK;
}

prf_status prf_stacks_add(prf_profile *p, const prf_fid *frames, size_t depth,
                          const double *values) {
  prf_stacks *s = &p->stacks;
  const prf_allocator *a = &p->mem;
  size_t ncol = p->ncols;
  if (!s->abs_total &&
      !(s->abs_total = prf_mem_calloc(a, ncol ? ncol : 1, sizeof(double))))
    return PRF_E_NOMEM;
  if (depth == 0)
    return PRF_OK; /* as an empty stack on the tree: counted nowhere */
  if (depth > p->max_depth || depth >= PRF_NONE - 1) {
    p->limit_hit = PRF_LIMIT_DEPTH;
    return PRF_E_LIMIT;
  }
  if (!index_reserve(a, s, s->count + 1))
    return PRF_E_NOMEM;
  uint64_t hash = prf_hash_bytes(frames, depth * sizeof *frames);
  size_t slot = 0, e = stack_find(s, frames, depth, hash, &slot);
  if (e == SIZE_MAX) {
    prf_status st = stack_new(a, s, frames, depth, hash, ncol, slot);
    if (st != PRF_OK)
      return st;
    e = s->count - 1;
  }
  for (size_t c = 0; c < ncol; c++) {
    s->values[e * ncol + c] += values[c];
    s->abs_total[c] += fabs(values[c]);
  }
  return PRF_OK;
}

void prf_stacks_free(const prf_allocator *a, prf_stacks *s) {
  prf_mem_free(a, s->frames);
  prf_mem_free(a, s->stack);
  prf_mem_free(a, s->values);
  prf_mem_free(a, s->abs_total);
  prf_mem_free(a, s->slots);
  memset(s, 0, sizeof *s);
}
