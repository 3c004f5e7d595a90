/*
 * util.c - growable arrays, hashing, error records and a byte buffer.
 */
#define _GNU_SOURCE /* mremap */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

void *prf_mem_calloc(const prf_allocator *a, size_t count, size_t size) {
  if (!prf_mem_custom(a))
    return calloc(count, size);
  if (size && count > SIZE_MAX / size)
    return NULL;
  void *p = prf_mem_alloc(a, count * size);
  if (p)
    memset(p, 0, count * size);
  return p;
}

char *prf_mem_strndup(const prf_allocator *a, const char *s, size_t len) {
  if (len == SIZE_MAX)
    return NULL;
  char *copy = prf_mem_alloc(a, len + 1);
  if (!copy)
    return NULL;
  memcpy(copy, s, len);
  copy[len] = '\0';
  return copy;
}

char *prf_mem_strdup(const prf_allocator *a, const char *s) {
  return prf_mem_strndup(a, s, strlen(s));
}

bool prf_grow(const prf_allocator *a, void **ptr, size_t *cap, size_t need,
              size_t elem) {
  if (need <= *cap)
    return true;
  size_t ncap = *cap ? *cap : 16;
  while (ncap < need) {
    if (ncap > SIZE_MAX / 2)
      return false;
    ncap *= 2;
  }
  if (elem && ncap > SIZE_MAX / elem)
    return false;
  void *p = prf_mem_realloc(a, *ptr, ncap * elem);
  if (!p)
    return false;
  *ptr = p;
  *cap = ncap;
  return true;
}

uint64_t prf_hash_mix(uint64_t x) {
  /* The finaliser of SplitMix64: cheap and well distributed. */
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

static uint64_t hash_step(uint64_t h, uint64_t w) {
  return (((h << 5) | (h >> 59)) ^ w) * 0x517cc1b727220a95ULL;
}

uint64_t prf_hash_bytes(const void *data, size_t len) {
  /* One multiply per 8 bytes (the "Fx" step), then a full mix so that the
     low bits used by the tables depend on every input bit. The length is
     in the seed, so the last word may overlap the one before it: a tail
     gathered byte by byte and read back as a word stalled every hash
     (the store cannot be forwarded to the load), 16% of parsing a folded
     file. */
  const unsigned char *p = data;
  uint64_t h = (uint64_t)len * 0x9e3779b97f4a7c15ULL;
  uint64_t w;
  if (len >= 8) {
    const unsigned char *last = p + len - 8;
    for (; p < last; p += 8) {
      memcpy(&w, p, 8);
      h = hash_step(h, w);
    }
    memcpy(&w, last, 8);
    h = hash_step(h, w);
  } else if (len >= 4) {
    uint32_t a, b;
    memcpy(&a, p, 4);
    memcpy(&b, p + len - 4, 4);
    h = hash_step(h, (uint64_t)a << 32 | b);
  } else if (len > 0) {
    h = hash_step(h, (uint64_t)p[0] << 16 | (uint64_t)p[len / 2] << 8 | p[len - 1]);
  }
  return prf_hash_mix(h);
}

void prf_error_clear(prf_error *err) {
  if (!err)
    return;
  memset(err, 0, sizeof *err);
}

void prf_error_set_source(prf_error *err, const char *source) {
  if (!err)
    return;
  snprintf(err->source, sizeof err->source, "%s", source ? source : "");
}

prf_status prf_vfail(prf_error *err, prf_status code, const char *fmt,
                     va_list ap) {
  if (err) {
    err->code = code;
    vsnprintf(err->message, sizeof err->message, fmt, ap);
  }
  return code;
}

prf_status prf_fail(prf_error *err, prf_status code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  prf_vfail(err, code, fmt, ap);
  va_end(ap);
  return code;
}

const char *prf_error_format(const prf_error *err, char *buf, size_t size) {
  if (!buf || !size)
    return buf;
  const char *src = err->source[0] ? err->source : "<input>";
  if (err->line)
    snprintf(buf, size, "%s:%llu: %s", src, (unsigned long long)err->line,
             err->message);
  else if (err->has_offset)
    snprintf(buf, size, "%s: byte %llu: %s", src,
             (unsigned long long)err->offset, err->message);
  else if (err->source[0])
    snprintf(buf, size, "%s: %s", src, err->message);
  else
    snprintf(buf, size, "%s", err->message);
  return buf;
}

const char *prf_status_name(prf_status status) {
  switch (status) {
  case PRF_OK: return "ok";
  case PRF_E_USAGE: return "usage error";
  case PRF_E_DATA: return "bad input data";
  case PRF_E_INPUT: return "cannot read input";
  case PRF_E_OUTPUT: return "cannot write output";
  case PRF_E_NOMEM: return "out of memory";
  case PRF_E_LIMIT: return "input exceeds a limit";
  }
  return "unknown error";
}

const char *prf_version(void) { return PRF_VERSION_STRING; }

void prf_buf_init(prf_buf *b, const prf_allocator *mem) {
  memset(b, 0, sizeof *b);
  b->mem = mem;
}

void prf_buf_free(prf_buf *b) {
  prf_mem_free(b->mem, b->data);
  prf_buf_init(b, b->mem);
}

void prf_buf_put(prf_buf *b, const void *data, size_t len) {
  if (b->failed || len == 0)
    return;
  if (len > SIZE_MAX - b->len - 1 ||
      !prf_grow(b->mem, (void **)&b->data, &b->cap, b->len + len + 1, 1)) {
    b->failed = true;
    return;
  }
  memcpy(b->data + b->len, data, len);
  b->len += len;
  b->data[b->len] = '\0';
}

void prf_buf_puts(prf_buf *b, const char *s) { prf_buf_put(b, s, strlen(s)); }

void prf_buf_putc(prf_buf *b, char c) { prf_buf_put(b, &c, 1); }

void prf_buf_printf(prf_buf *b, const char *fmt, ...) {
  char small[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) {
    b->failed = true;
    return;
  }
  if ((size_t)n < sizeof small) {
    prf_buf_put(b, small, (size_t)n);
    return;
  }
  char *big = prf_mem_alloc(b->mem, (size_t)n + 1);
  if (!big) {
    b->failed = true;
    return;
  }
  va_start(ap, fmt);
  vsnprintf(big, (size_t)n + 1, fmt, ap);
  va_end(ap);
  prf_buf_put(b, big, (size_t)n);
  prf_mem_free(b->mem, big);
}

void prf_stream_flush(prf_stream *s, bool force) {
  if (s->buf.failed)
    s->nomem = true;
  if (s->nomem || s->io || (!force && s->buf.len < (1u << 20)))
    return;
  if (s->buf.len && s->write(s->ctx, s->buf.data, s->buf.len) != 0)
    s->io = true;
  s->buf.len = 0;
}

/* Writes an integer in decimal; returns the length. */
static size_t put_integer(char *out, size_t size, long long v) {
  char tmp[24];
  size_t n = 0;
  unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
  do {
    tmp[n++] = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  if (v < 0)
    tmp[n++] = '-';
  size_t o = 0;
  while (n > 0 && o + 1 < size)
    out[o++] = tmp[--n];
  out[o] = '\0';
  return o;
}

void prf_format_count(char *out, size_t size, double value) {
  char digits[64];
  if (value > -1e18 && value < 1e18 && value == (double)(long long)value) {
    put_integer(digits, sizeof digits, (long long)value);
  } else {
    snprintf(digits, sizeof digits, "%.3f", value);
    char *end = digits + strlen(digits) - 1;
    while (*end == '0')
      *end-- = '\0';
    if (*end == '.')
      *end = '\0';
  }
  /* Insert thousands separators into the integer part. */
  const char *p = digits;
  size_t o = 0;
  if (*p == '-' && o + 1 < size)
    out[o++] = *p++;
  size_t intlen = strcspn(p, ".");
  for (size_t i = 0; p[i] && o + 1 < size; i++) {
    if (i < intlen && i > 0 && (intlen - i) % 3 == 0 && o + 2 < size)
      out[o++] = ',';
    out[o++] = p[i];
  }
  out[o] = '\0';
}

bool prf_sort_ids(const prf_allocator *mem, uint32_t *ids, size_t n,
                  prf_id_cmp cmp, void *ctx) {
  if (n < 2)
    return true;
  /* Insertion sort for short runs, then bottom-up merging. */
  enum { RUN = 16 };
  for (size_t lo = 0; lo < n; lo += RUN) {
    size_t hi = lo + RUN < n ? lo + RUN : n;
    for (size_t i = lo + 1; i < hi; i++) {
      uint32_t v = ids[i];
      size_t j = i;
      while (j > lo && cmp(ctx, ids[j - 1], v) > 0) {
        ids[j] = ids[j - 1];
        j--;
      }
      ids[j] = v;
    }
  }
  if (n <= RUN)
    return true;
  uint32_t *tmp = prf_mem_alloc(mem, n * sizeof *tmp);
  if (!tmp)
    return false;
  uint32_t *src = ids, *dst = tmp;
  for (size_t width = RUN; width < n; width *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * width) {
      size_t mid = lo + width < n ? lo + width : n;
      size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
      size_t a = lo, b = mid, o = lo;
      while (a < mid && b < hi)
        dst[o++] = cmp(ctx, src[b], src[a]) < 0 ? src[b++] : src[a++];
      while (a < mid)
        dst[o++] = src[a++];
      while (b < hi)
        dst[o++] = src[b++];
    }
    uint32_t *t = src;
    src = dst;
    dst = t;
  }
  if (src != ids)
    memcpy(ids, src, n * sizeof *ids);
  prf_mem_free(mem, tmp);
  return true;
}

void prf_format_number(char *out, size_t size, double v) {
  if (v > -9e18 && v < 9e18 && v == (double)(long long)v) {
    put_integer(out, size, (long long)v);
    return;
  }
  for (int precision = 15; precision <= 17; precision++) {
    snprintf(out, size, "%.*g", precision, v);
    if (strtod(out, NULL) == v)
      return;
  }
}

double prf_round_fixed(double v, int decimals) {
  static const double pow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
  if (decimals < 0 || decimals > 6)
    decimals = 6;
  double scaled = v * pow10[decimals];
  if (!(scaled > -9e15 && scaled < 9e15))
    return v;
  long long q = (long long)(scaled < 0 ? scaled - 0.5 : scaled + 0.5);
  return (double)q / pow10[decimals];
}

void prf_buf_fixed(prf_buf *b, double v, int decimals) {
  static const long long pow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
  if (decimals < 0 || decimals > 6)
    decimals = 6;
  double scaled = v * (double)pow10[decimals];
  if (!(scaled > -9e15 && scaled < 9e15)) {
    prf_buf_printf(b, "%.*f", decimals, v);
    return;
  }
  long long q = (long long)(scaled < 0 ? scaled - 0.5 : scaled + 0.5);
  char tmp[32];
  size_t n = 0;
  bool negative = q < 0;
  unsigned long long u = negative ? (unsigned long long)-q : (unsigned long long)q;
  for (int i = 0; i < decimals; i++) {
    tmp[n++] = (char)('0' + u % 10);
    u /= 10;
  }
  if (decimals)
    tmp[n++] = '.';
  do {
    tmp[n++] = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  if (negative)
    tmp[n++] = '-';
  char out[32];
  for (size_t i = 0; i < n; i++)
    out[i] = tmp[n - 1 - i];
  prf_buf_put(b, out, n);
}

void *prf_table_alloc(const prf_allocator *a, size_t count, size_t elem) {
  if (elem && count > SIZE_MAX / elem)
    return NULL;
  if (prf_mem_custom(a))
    return prf_mem_calloc(a, count ? count : 1, elem ? elem : 1);
  size_t bytes = count * elem;
#if defined(MADV_HUGEPAGE)
  enum { HUGE = 2 * 1024 * 1024 };
  if (bytes >= 2 * HUGE) {
    void *p = NULL;
    bytes = (bytes + HUGE - 1) / HUGE * HUGE;
    if (posix_memalign(&p, HUGE, bytes) != 0)
      return NULL;
    madvise(p, bytes, MADV_HUGEPAGE); /* advice only: failure is fine */
    memset(p, 0, bytes);
    return p;
  }
#endif
  return calloc(count ? count : 1, elem ? elem : 1);
}

bool prf_grow_large(const prf_allocator *a, void **ptr, size_t *cap,
                    size_t need, size_t elem) {
  enum { HUGE = 2 * 1024 * 1024 };
  if (need <= *cap)
    return true;
  if (prf_mem_custom(a))
    return prf_grow(a, ptr, cap, need, elem);
  /* Fresh, aligned memory: realloc would keep the small pages it has and
     take the rest from where huge pages cannot go. Each move copies what
     the array holds into pages the kernel zeroes first, so the capacity
     grows four times over: pages never touched cost nothing. */
  size_t ncap = *cap ? *cap : 16;
  while (ncap < need) {
    if (ncap > SIZE_MAX / 4)
      return prf_grow(a, ptr, cap, need, elem);
    ncap *= 4;
  }
  if (elem == 0 || ncap > (SIZE_MAX - HUGE) / elem || ncap * elem < 2 * HUGE)
    return prf_grow(a, ptr, cap, need, elem);
#if defined(MADV_HUGEPAGE)
  size_t bytes = (ncap * elem + HUGE - 1) / HUGE * HUGE;
  void *p = NULL;
  if (posix_memalign(&p, HUGE, bytes) != 0)
    return prf_grow(a, ptr, cap, need, elem); /* no room for so much */
  madvise(p, bytes, MADV_HUGEPAGE); /* advice only: failure is fine */
  if (*ptr)
    memcpy(p, *ptr, *cap * elem);
  free(*ptr);
  *ptr = p;
  *cap = bytes / elem;
  return true;
#else
  return prf_grow(a, ptr, cap, need, elem);
#endif
}

#if defined(__linux__) && defined(MREMAP_MAYMOVE) && defined(MADV_HUGEPAGE)
enum { MAPPED_MIN = 4 << 20, MAPPED_ALIGN = 2 << 20 };

/* The bytes mapped for an array of cap items, when it is mapped. */
static size_t mapped_bytes(size_t cap, size_t elem) {
  return (cap * elem + MAPPED_ALIGN - 1) / MAPPED_ALIGN * MAPPED_ALIGN;
}

/* An array is mapped exactly when it holds MAPPED_MIN bytes or more: the
 * smaller ones come from prf_grow, whose capacity is kept below that. */
static bool is_mapped(const prf_allocator *a, size_t cap, size_t elem) {
  return !prf_mem_custom(a) && cap * elem >= MAPPED_MIN;
}

/* A fresh mapping of `bytes` (a multiple of MAPPED_ALIGN) at an address
 * aligned for huge pages, or NULL. */
static void *map_aligned(size_t bytes) {
  char *raw = mmap(NULL, bytes + MAPPED_ALIGN, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED)
    return NULL;
  uintptr_t at = ((uintptr_t)raw + MAPPED_ALIGN - 1) & ~(uintptr_t)(MAPPED_ALIGN - 1);
  char *p = (char *)at;
  if (p > raw)
    munmap(raw, (size_t)(p - raw));
  if (raw + MAPPED_ALIGN > p)
    munmap(p + bytes, (size_t)(raw + MAPPED_ALIGN - p));
  madvise(p, bytes, MADV_HUGEPAGE); /* advice only: failure is fine */
  return p;
}

bool prf_grow_mapped(const prf_allocator *a, void **ptr, size_t *cap,
                     size_t need, size_t elem) {
  if (need <= *cap)
    return true;
  if (prf_mem_custom(a))
    return prf_grow(a, ptr, cap, need, elem);
  if (elem == 0 || elem > MAPPED_ALIGN || need > (SIZE_MAX / 4 - MAPPED_ALIGN) / elem)
    return false;
  size_t ncap = *cap ? *cap : 16;
  while (ncap < need)
    ncap *= 4; /* four times over: pages never touched cost nothing */
  /* prf_grow doubles from the same capacity, so it stops at or below
     ncap: a malloc'd array stays below MAPPED_MIN (see is_mapped). */
  if (ncap * elem < MAPPED_MIN)
    return prf_grow(a, ptr, cap, need, elem);
  size_t bytes = mapped_bytes(ncap, elem);
  char *p = map_aligned(bytes);
  if (!p)
    return false;
  if (is_mapped(a, *cap, elem)) {
    size_t old = mapped_bytes(*cap, elem);
    /* The old pages move to the start of the new mapping, replacing it. */
    if (mremap(*ptr, old, old, MREMAP_MAYMOVE | MREMAP_FIXED, p) == MAP_FAILED) {
      memcpy(p, *ptr, *cap * elem);
      munmap(*ptr, old);
    }
  } else if (*ptr) {
    memcpy(p, *ptr, *cap * elem);
    free(*ptr);
  }
  *ptr = p;
  *cap = bytes / elem;
  return true;
}

void prf_free_mapped(const prf_allocator *a, void *ptr, size_t cap,
                     size_t elem) {
  if (ptr && is_mapped(a, cap, elem))
    munmap(ptr, mapped_bytes(cap, elem));
  else
    prf_mem_free(a, ptr);
}
#else
bool prf_grow_mapped(const prf_allocator *a, void **ptr, size_t *cap,
                     size_t need, size_t elem) {
  return prf_grow(a, ptr, cap, need, elem);
}

void prf_free_mapped(const prf_allocator *a, void *ptr, size_t cap,
                     size_t elem) {
  (void)cap;
  (void)elem;
  prf_mem_free(a, ptr);
}
#endif

const char *prf_kind_suffix(uint8_t kind) {
  static const char *const suffixes[] = {"", "_[k]", "_[j]", "_[i]", "_[w]"};
  return kind < sizeof suffixes / sizeof suffixes[0] ? suffixes[kind] : "";
}

void prf_index_put(prf_index *ix, uint64_t hash, uint32_t id) {
  size_t i = prf_index_start(ix, hash);
  while (ix->slots[i])
    i = prf_index_next(ix, i);
  ix->slots[i] = (uint64_t)(uint32_t)hash << 32 | ((uint64_t)id + 1);
}

bool prf_index_reserve(const prf_allocator *a, prf_index *ix, size_t count) {
  if ((count + 1) * 2 <= ix->nslots)
    return true;
  if (count >= UINT32_MAX - 1)
    return false;
  prf_index bigger = {
      prf_table_alloc(a, ix->nslots ? ix->nslots * 2 : 256, sizeof(uint64_t)),
      ix->nslots ? ix->nslots * 2 : 256};
  if (!bigger.slots)
    return false;
  /* The slots keep their hashes: each moves without a look at its key. */
  for (size_t i = 0; i < ix->nslots; i++) {
    uint64_t s = ix->slots[i];
    if (!s)
      continue;
    size_t j = prf_index_start(&bigger, s >> 32);
    while (bigger.slots[j])
      j = prf_index_next(&bigger, j);
    bigger.slots[j] = s;
  }
  prf_mem_free(a, ix->slots);
  *ix = bigger;
  return true;
}

void prf_index_free(const prf_allocator *a, prf_index *ix) {
  prf_mem_free(a, ix->slots);
  ix->slots = NULL;
  ix->nslots = 0;
}

uint32_t prf_keymap_id(const prf_allocator *a, prf_keymap *t, uint64_t key,
                       bool *fresh) {
  *fresh = false;
  if (key == UINT64_MAX || t->count >= UINT32_MAX - 1)
    return 0;
  if ((t->count + 1) * 2 > t->cap) {
    size_t ncap = t->cap ? t->cap * 2 : 1024;
    uint64_t *keys = prf_table_alloc(a, ncap, sizeof *keys);
    uint32_t *ids = prf_table_alloc(a, ncap, sizeof *ids);
    if (!keys || !ids) {
      prf_mem_free(a, keys);
      prf_mem_free(a, ids);
      return 0;
    }
    for (size_t i = 0; i < t->cap; i++) {
      if (!t->keys[i])
        continue;
      size_t j = prf_hash_mix(t->keys[i]) & (ncap - 1);
      while (keys[j])
        j = (j + 1) & (ncap - 1);
      keys[j] = t->keys[i];
      ids[j] = t->ids[i];
    }
    prf_mem_free(a, t->keys);
    prf_mem_free(a, t->ids);
    t->keys = keys;
    t->ids = ids;
    t->cap = ncap;
  }
  uint64_t k = key + 1;
  size_t j = prf_hash_mix(k) & (t->cap - 1);
  while (t->keys[j] && t->keys[j] != k)
    j = (j + 1) & (t->cap - 1);
  if (!t->keys[j]) {
    t->keys[j] = k;
    t->ids[j] = (uint32_t)++t->count;
    *fresh = true;
  }
  return t->ids[j];
}

void prf_keymap_free(const prf_allocator *a, prf_keymap *t) {
  prf_mem_free(a, t->keys);
  prf_mem_free(a, t->ids);
  memset(t, 0, sizeof *t);
}

int prf_buffer_write(void *vb, const void *data, size_t size) {
  prf_buffer *b = vb;
  if (size >= SIZE_MAX - b->size)
    return -1;
  if (b->size + size + 1 > b->cap && !prf_grow(&b->allocator, (void **)&b->data,
                                               &b->cap, b->size + size + 1, 1))
    return -1;
  if (size)
    memcpy(b->data + b->size, data, size);
  b->size += size;
  b->data[b->size] = '\0';
  return 0;
}

void prf_buffer_init(prf_buffer *b, const prf_allocator *allocator) {
  memset(b, 0, sizeof *b);
  if (allocator)
    b->allocator = *allocator;
}

void prf_buffer_free(prf_buffer *b) {
  if (!b)
    return;
  prf_mem_free(&b->allocator, b->data);
  b->data = NULL;
  b->size = b->cap = 0;
}
