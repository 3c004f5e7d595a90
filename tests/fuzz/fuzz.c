/* fuzz.c - see fuzz.h. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fuzz_out_write(void *ctx, const void *data, size_t size) {
  fuzz_out *o = ctx;
  o->total += size;
  if (o->len + size > FUZZ_OUT_MAX)
    size = FUZZ_OUT_MAX - o->len;
  if (o->len + size > o->cap) {
    size_t cap = o->cap ? o->cap : 4096;
    while (cap < o->len + size)
      cap *= 2;
    unsigned char *p = realloc(o->data, cap);
    if (!p)
      return 1;
    o->data = p;
    o->cap = cap;
  }
  if (size)
    memcpy(o->data + o->len, data, size);
  o->len += size;
  return 0;
}

void fuzz_out_free(fuzz_out *o) {
  free(o->data);
  memset(o, 0, sizeof *o);
}

int fuzz_out_equal(const fuzz_out *a, const fuzz_out *b) {
  return a->total == b->total && a->len == b->len &&
         (!a->len || memcmp(a->data, b->data, a->len) == 0);
}

size_t fuzz_chunks_read(void *ctx, void *buf, size_t size, prf_error *err) {
  (void)err;
  fuzz_chunks *c = ctx;
  c->step = c->step % 13 + 1;
  size_t n = c->size - c->pos;
  if (n > c->step)
    n = c->step;
  if (n > size)
    n = size;
  if (n)
    memcpy(buf, c->data + c->pos, n);
  c->pos += n;
  return n;
}

void fuzz_read_options(prf_read_options *o, const char *format) {
  prf_read_options_init(o);
  o->format = format;
  o->source_name = "fuzz";
  o->max_input_size = (uint64_t)64 << 20;
}

void fuzz_fail(const char *what, const char *detail) {
  fprintf(stderr, "fuzz: %s: %s\n", what, detail ? detail : "");
  abort();
}

void fuzz_check_model(const prf_profile *profile) {
  prf_error err;
  prf_error_clear(&err);
  prf_status st = prf_profile_check(profile, &err);
  if (st != PRF_OK && st != PRF_E_NOMEM)
    fuzz_fail("model invariant broken", err.message);
}

void fuzz_check_xml_text(const fuzz_out *out, const char *what) {
  const unsigned char *s = out->data;
  size_t n = out->len, i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) {
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
        fuzz_fail(what, "a control character reached the output");
      i++;
      continue;
    }
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (!len || c > 0xF4 || i + len > n)
      fuzz_fail(what, "invalid UTF-8 in the output");
    for (size_t k = 1; k < len; k++)
      if ((s[i + k] & 0xC0) != 0x80)
        fuzz_fail(what, "invalid UTF-8 in the output");
    unsigned c1 = s[i + 1];
    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0) ||
        (c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 >= 0x90))
      fuzz_fail(what, "invalid UTF-8 in the output");
    /* U+FFFE and U+FFFF are not XML characters either */
    if (c == 0xEF && c1 == 0xBF && s[i + 2] >= 0xBE)
      fuzz_fail(what, "a non-character reached the output");
    i += len;
  }
}
