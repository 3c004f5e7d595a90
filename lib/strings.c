/*
 * strings.c - the per-profile string interning table. The bytes live in
 * arena chunks owned by the table; an id indexes ptr[] and len[].
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

enum { CHUNK_MIN = 64 * 1024, CHUNK_MAX = 4 * 1024 * 1024 };

static char *strtab_store(prf_strtab *t, const char *s, size_t len) {
  if (len >= SIZE_MAX / 2)
    return NULL;
  if (t->nchunks == 0 || t->chunk_used + len + 1 > t->chunk_size) {
    /* Chunks double up to 4 MiB so that many small strings cost few
       allocations; a longer string gets a chunk of its own size. */
    size_t size = t->chunk_size ? t->chunk_size * 2 : CHUNK_MIN;
    if (size > CHUNK_MAX)
      size = CHUNK_MAX;
    if (size < len + 1)
      size = len + 1;
    if (!prf_grow(t->mem, (void **)&t->chunks, &t->chunks_cap, t->nchunks + 1,
                  sizeof *t->chunks))
      return NULL;
    char *chunk = prf_mem_alloc(t->mem, size);
    if (!chunk)
      return NULL;
    t->chunks[t->nchunks++] = chunk;
    t->chunk_size = size;
    t->chunk_used = 0;
  }
  char *dst = t->chunks[t->nchunks - 1] + t->chunk_used;
  memcpy(dst, s, len);
  dst[len] = '\0';
  t->chunk_used += len + 1;
  return dst;
}

bool prf_strtab_init(prf_strtab *t, const prf_allocator *mem) {
  memset(t, 0, sizeof *t);
  t->mem = mem;
  prf_str empty;
  if (prf_strtab_intern(t, "", 0, &empty))
    return true;
  prf_strtab_free(t); /* a failed init holds nothing: callers skip free */
  return false;
}

void prf_strtab_free(prf_strtab *t) {
  for (size_t i = 0; i < t->nchunks; i++)
    prf_mem_free(t->mem, t->chunks[i]);
  prf_mem_free(t->mem, t->chunks);
  prf_mem_free(t->mem, t->ptr);
  prf_mem_free(t->mem, t->len);
  prf_index_free(t->mem, &t->index);
  memset(t, 0, sizeof *t);
}

bool prf_strtab_intern(prf_strtab *t, const char *s, size_t len,
                       prf_str *out) {
  if (len > UINT32_MAX)
    return false;
  if (!prf_index_reserve(t->mem, &t->index, t->count))
    return false;
  uint64_t hash = prf_hash_bytes(s, len);
  for (size_t i = prf_index_start(&t->index, hash); t->index.slots[i];
       i = prf_index_next(&t->index, i)) {
    uint32_t id = prf_index_id(&t->index, i, hash);
    if (id != PRF_NONE && t->len[id] == len && memcmp(t->ptr[id], s, len) == 0) {
      *out = id;
      return true;
    }
  }
  if (t->count >= UINT32_MAX - 1)
    return false;
  size_t cap = t->cap;
  if (!prf_grow(t->mem, (void **)&t->ptr, &cap, t->count + 1, sizeof *t->ptr))
    return false;
  cap = t->cap;
  if (!prf_grow(t->mem, (void **)&t->len, &cap, t->count + 1, sizeof *t->len))
    return false;
  t->cap = cap;
  char *copy = strtab_store(t, s, len);
  if (!copy)
    return false;
  t->ptr[t->count] = copy;
  t->len[t->count] = (uint32_t)len;
  prf_index_put(&t->index, hash, (uint32_t)t->count);
  *out = (prf_str)t->count++;
  return true;
}
