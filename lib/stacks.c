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

static uint64_t stack_hash(const void *ctx, uint32_t i) {
  return ((const prf_stacks *)ctx)->stack[i].hash;
}

/* The stack with these frames, or SIZE_MAX. */
static size_t stack_find(const prf_stacks *s, const prf_fid *frames,
                         size_t depth, uint64_t hash) {
  if (!s->index.nslots)
    return SIZE_MAX;
  const prf_index *ix = &s->index;
  for (size_t i = prf_index_start(ix, hash); ix->slots[i];
       i = prf_index_next(ix, i)) {
    const prf_stack_ref *e = &s->stack[ix->slots[i] - 1];
    if (e->hash == hash && e->depth == depth &&
        memcmp(s->frames + e->first, frames, depth * sizeof *frames) == 0)
      return ix->slots[i] - 1;
  }
  return SIZE_MAX;
}

/* A new stack with these frames and zero values. */
static prf_status stack_new(prf_stacks *s, const prf_fid *frames, size_t depth,
                            uint64_t hash, size_t ncol, size_t *out) {
  size_t n = s->count;
  if (n >= UINT32_MAX - 2)
    return PRF_E_LIMIT;
  size_t cap = s->cap;
  if (!prf_index_reserve(&s->index, n, stack_hash, s) ||
      !prf_grow_large((void **)&s->stack, &cap, n + 1, sizeof *s->stack))
    return PRF_E_NOMEM;
  cap = s->cap;
  if (ncol && !prf_grow_large((void **)&s->values, &cap, n + 1, ncol * sizeof(double)))
    return PRF_E_NOMEM;
  s->cap = cap; /* both arrays hold n + 1 entries at least */
  if (!prf_grow_large((void **)&s->frames, &s->frames_cap, s->nframes + depth,
                sizeof *s->frames))
    return PRF_E_NOMEM;
  memcpy(s->frames + s->nframes, frames, depth * sizeof *frames);
  s->stack[n] = (prf_stack_ref){s->nframes, (uint32_t)depth, hash};
  s->nframes += depth;
  for (size_t c = 0; c < ncol; c++)
    s->values[n * ncol + c] = 0;
  prf_index_put(&s->index, hash, (uint32_t)n);
  s->count = n + 1;
  *out = n;
  return PRF_OK;
}

prf_status prf_stacks_add(prf_profile *p, const prf_fid *frames, size_t depth,
                          const double *values) {
  prf_stacks *s = &p->stacks;
  size_t ncol = p->ncols;
  if (!s->abs_total && !(s->abs_total = calloc(ncol ? ncol : 1, sizeof(double))))
    return PRF_E_NOMEM;
  if (depth == 0)
    return PRF_OK; /* as an empty stack on the tree: counted nowhere */
  if (depth > p->max_depth || depth >= PRF_NONE - 1) {
    p->limit_hit = PRF_LIMIT_DEPTH;
    return PRF_E_LIMIT;
  }
  uint64_t hash = prf_hash_bytes(frames, depth * sizeof *frames);
  size_t e = stack_find(s, frames, depth, hash);
  if (e == SIZE_MAX) {
    prf_status st = stack_new(s, frames, depth, hash, ncol, &e);
    if (st != PRF_OK)
      return st;
  }
  for (size_t c = 0; c < ncol; c++) {
    s->values[e * ncol + c] += values[c];
    s->abs_total[c] += fabs(values[c]);
  }
  return PRF_OK;
}

void prf_stacks_free(prf_stacks *s) {
  free(s->frames);
  free(s->stack);
  free(s->values);
  free(s->abs_total);
  prf_index_free(&s->index);
  memset(s, 0, sizeof *s);
}
