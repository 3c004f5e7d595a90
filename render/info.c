/*
 * info.c - `prof-render info`: what a profile holds, for people.
 */
#include "escape.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

typedef struct thread_sum {
  size_t samples;
  double total;
} thread_sum;

static void put_measure(prf_buf *b, double v, const char *unit) {
  char tmp[96];
  prf_format_measure(tmp, sizeof tmp, v, unit);
  prf_buf_puts(b, tmp);
}

/* Printable text: control characters (a tab in a kernel symbol, a newline
 * in a hostile name) are shown as '?', so that one item stays one line. */
static void put_text(prf_buf *b, const char *s) {
  for (; *s; s++)
    prf_buf_putc(b, (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
}

static void columns(prf_buf *b, const prf_profile *p) {
  const prf_tree *t = prf_profile_tree_const(p);
  size_t n = prf_value_count(p), dflt = prf_value_default(p);
  prf_buf_puts(b, n == 1 ? "Value column:" : "Value columns:");
  for (size_t c = 0; c < n; c++) {
    prf_buf_puts(b, c ? ", " : " ");
    put_text(b, prf_value_type(p, c));
    prf_buf_puts(b, " (");
    put_text(b, prf_value_unit(p, c));
    prf_buf_puts(b, c == dflt && n > 1 ? ", default)" : ")");
  }
  prf_buf_puts(b, n ? "\nTotal:" : " none\n");
  for (size_t c = 0; c < n; c++) {
    prf_buf_puts(b, c ? ", " : " ");
    put_measure(b, prf_tree_total(t, 0, c), prf_value_unit(p, c));
    if (n > 1) {
      prf_buf_putc(b, ' ');
      put_text(b, prf_value_type(p, c));
    }
  }
  if (n)
    prf_buf_putc(b, '\n');
}

static void samples(prf_buf *b, const prf_profile *p) {
  size_t n = prf_sample_count(p);
  if (n == 0)
    return;
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  size_t timed = 0;
  for (size_t i = 0; i < n; i++) {
    int64_t t = prf_sample_get(p, i)->time;
    if (t == INT64_MIN)
      continue;
    timed++;
    lo = t < lo ? t : lo;
    hi = t > hi ? t : hi;
  }
  prf_buf_printf(b, "Samples: %zu", n);
  if (timed)
    prf_buf_printf(b, " (%zu with timestamps)", timed);
  prf_buf_putc(b, '\n');
  if (timed > 1) {
    prf_buf_puts(b, "Sample span: ");
    put_measure(b, (double)hi - (double)lo, "nanoseconds");
    prf_buf_putc(b, '\n');
  }
}

/* The recorded duration (pprof's duration_nanos, and what the JSON
 * readers derive), readable. */
static void duration(prf_buf *b, const prf_profile *p) {
  const char *v = prf_meta_get(p, "duration_nanos");
  char *end;
  double d = v ? strtod(v, &end) : 0;
  if (!v || end == v || *end || !(d > 0))
    return;
  prf_buf_puts(b, "Duration: ");
  put_measure(b, d, "nanoseconds");
  prf_buf_putc(b, '\n');
}

static void shape(prf_buf *b, const prf_profile *p) {
  const prf_tree *t = prf_profile_tree_const(p);
  prf_buf_printf(b, "Stacks: %zu distinct, %zu call tree nodes, max depth %u\n",
                 prf_tree_stack_count(t), prf_tree_node_count(t) - 1,
                 prf_tree_max_depth(t));
  prf_buf_printf(b, "Frames: %zu distinct\n", prf_frame_count(p));
}

static prf_status threads(prf_buf *b, const prf_profile *p) {
  const prf_allocator *mem = b->mem;
  size_t n = prf_thread_count(p);
  if (n == 0)
    return PRF_OK;
  thread_sum *sum = prf_mem_calloc(mem, n, sizeof *sum);
  if (!sum)
    return PRF_E_NOMEM;
  size_t col = prf_value_default(p), ns = prf_sample_count(p);
  bool values = prf_value_count(p) > 0;
  for (size_t i = 0; i < ns; i++) {
    uint32_t th = prf_sample_get(p, i)->thread;
    if (th == PRF_NONE || th >= n)
      continue;
    sum[th].samples++;
    if (values)
      sum[th].total += prf_sample_values(p, i)[col];
  }
  const char *unit = values ? prf_value_unit(p, col) : "";
  prf_buf_printf(b, "Threads: %zu\n", n);
  prf_buf_printf(b, "  %12s %10s %12s  %s\n", "ID", "SAMPLES", "TOTAL", "NAME");
  for (size_t i = 0; i < n; i++) {
    char tot[96];
    prf_format_measure(tot, sizeof tot, sum[i].total, unit);
    prf_buf_printf(b, "  %12" PRId64 " %10zu %12s  ", prf_thread_id(p, (uint32_t)i),
                   sum[i].samples, tot);
    put_text(b, prf_thread_name(p, (uint32_t)i));
    prf_buf_putc(b, '\n');
  }
  prf_mem_free(mem, sum);
  return PRF_OK;
}

static void metadata(prf_buf *b, const prf_profile *p) {
  size_t n = prf_meta_count(p);
  bool any = false;
  for (size_t i = 0; i < n; i++) {
    const char *k, *v;
    prf_meta_at(p, i, &k, &v);
    if (strcmp(k, "format") == 0)
      continue;
    if (!any)
      prf_buf_puts(b, "Metadata:\n");
    any = true;
    prf_buf_puts(b, "  ");
    put_text(b, k);
    prf_buf_puts(b, ": ");
    put_text(b, v);
    prf_buf_putc(b, '\n');
  }
}

prf_status prf_info_write(const prf_profile *p, prf_write_fn write, void *ctx,
                          prf_error *err) {
  const prf_allocator *mem = &p->mem;
  prf_buf b;
  prf_buf_init(&b, mem);
  const char *format = prf_meta_get(p, "format");
  if (format) {
    prf_buf_puts(&b, "Format: ");
    put_text(&b, format);
    prf_buf_putc(&b, '\n');
  }
  columns(&b, p);
  duration(&b, p);
  samples(&b, p);
  shape(&b, p);
  prf_status st = threads(&b, p);
  metadata(&b, p);
  if (st == PRF_OK && b.failed)
    st = PRF_E_NOMEM;
  if (st == PRF_OK && write(ctx, b.data, b.len) != 0)
    st = prf_fail(err, PRF_E_OUTPUT, "cannot write output");
  else if (st == PRF_E_NOMEM)
    prf_fail(err, st, "out of memory writing the summary");
  prf_buf_free(&b);
  return st;
}
