/*
 * gen_pprof.c - a deterministic, large pprof profile for the benchmarks:
 * N samples over L locations (one function each, Go-like names), stacks
 * of depth 8-40 drawn as skewed walks so they share prefixes, two value
 * columns (samples/count, cpu/nanoseconds). Writes raw (uncompressed)
 * protobuf to stdout; gzip it for a .pb.gz.
 *
 *   gen_pprof [--samples N] [--locations L] [--seed S]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state;
static uint64_t next(void) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

typedef struct buf {
  unsigned char *p;
  size_t n, cap;
} buf;

static void put(buf *b, const void *d, size_t n) {
  if (b->n + n > b->cap) {
    b->cap = (b->n + n) * 2;
    b->p = realloc(b->p, b->cap);
    if (!b->p) {
      perror("gen_pprof");
      exit(1);
    }
  }
  memcpy(b->p + b->n, d, n);
  b->n += n;
}
static void varint(buf *b, uint64_t v) {
  unsigned char t[10];
  size_t n = 0;
  do {
    t[n++] = (unsigned char)((v & 0x7F) | (v >> 7 ? 0x80 : 0));
    v >>= 7;
  } while (v);
  put(b, t, n);
}
static void field_v(buf *b, unsigned f, uint64_t v) { varint(b, (uint64_t)f << 3); varint(b, v); }
static void field_b(buf *b, unsigned f, const buf *m) {
  varint(b, ((uint64_t)f << 3) | 2);
  varint(b, m->n);
  put(b, m->p, m->n);
}

int main(int argc, char **argv) {
  uint64_t nsamples = 1000000, nlocs = 100000;
  state = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    uint64_t v = strtoull(argv[i + 1], NULL, 10);
    if (!strcmp(argv[i], "--samples")) nsamples = v;
    else if (!strcmp(argv[i], "--locations")) nlocs = v;
    else if (!strcmp(argv[i], "--seed")) state = v;
  }
  if (!nlocs || nlocs > 10000000) {
    fprintf(stderr, "gen_pprof: --locations from 1 to 10000000\n");
    return 2;
  }
  buf out = {0}, m = {0}, l = {0};
  const char *fixed[] = {"", "samples", "count", "cpu", "nanoseconds", "/usr/bin/app", "app.go"};
  for (size_t i = 0; i < 7; i++) {
    buf s = {(unsigned char *)fixed[i], strlen(fixed[i]), 0};
    field_b(&out, 6, &s);
  }
  char name[64];
  for (uint64_t i = 0; i < nlocs; i++) { /* strings 7.. are function names */
    int n = snprintf(name, sizeof name, "pkg%llu.(*T%llu).Method%llu",
                     (unsigned long long)(i % 97), (unsigned long long)(i % 1009),
                     (unsigned long long)i);
    buf s = {(unsigned char *)name, (size_t)n, 0};
    field_b(&out, 6, &s);
  }
  m.n = 0; field_v(&m, 1, 1); field_v(&m, 2, 2); field_b(&out, 1, &m);
  m.n = 0; field_v(&m, 1, 3); field_v(&m, 2, 4); field_b(&out, 1, &m);
  m.n = 0; field_v(&m, 1, 1); field_v(&m, 2, 0x400000); field_v(&m, 3, 0x4000000);
  field_v(&m, 5, 5); field_b(&out, 3, &m);
  for (uint64_t i = 1; i <= nlocs; i++) {
    m.n = 0; field_v(&m, 1, i); field_v(&m, 2, 7 + i - 1); field_v(&m, 4, 6);
    field_b(&out, 5, &m);
    l.n = 0; field_v(&l, 1, i); field_v(&l, 2, 10 + i % 500);
    m.n = 0; field_v(&m, 1, i); field_v(&m, 2, 1); field_v(&m, 3, 0x400000 + i * 16);
    field_b(&m, 4, &l);
    field_b(&out, 4, &m);
  }
  buf ids = {0}, vals = {0};
  uint64_t stack[64];
  for (uint64_t s = 0; s < nsamples; s++) {
    unsigned depth = 8 + (unsigned)(next() % 33);
    stack[0] = 1 + next() % 16; /* a few roots */
    for (unsigned d = 1; d < depth; d++) { /* the hot callee most of the time */
      uint64_t r = next() % 100;
      uint64_t step = r < 80 ? 1 : r < 95 ? 2 + next() % 8 : next() % nlocs;
      stack[d] = 1 + (stack[d - 1] * 31 + step) % nlocs;
    }
    ids.n = vals.n = 0;
    for (unsigned d = depth; d-- > 0;) /* leaf first */
      varint(&ids, stack[d]);
    varint(&vals, 1);
    varint(&vals, 10000000);
    m.n = 0;
    field_b(&m, 1, &ids);
    field_b(&m, 2, &vals);
    field_b(&out, 2, &m);
  }
  field_v(&out, 12, 10000000);
  m.n = 0; field_v(&m, 1, 3); field_v(&m, 2, 4); field_b(&out, 11, &m);
  if (fwrite(out.p, 1, out.n, stdout) != out.n)
    return 74;
  free(out.p); free(m.p); free(l.p); free(ids.p); free(vals.p);
  return 0;
}
