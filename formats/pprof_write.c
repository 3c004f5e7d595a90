/*
 * pprof_write.c - any profile out as a gzipped pprof profile.proto.
 * Frames become functions (name, file) and lines; a run of inlined frames
 * and the frame they were inlined into becomes one location, so inlining
 * survives a round trip; modules become mappings; samples keep their
 * labels (a profile without samples, such as folded input, gets one
 * sample per distinct stack).
 */
#include "pprof.h"

#include "protobuf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* ---- encoding ---- */

/* pprof values are int64: sums of many large counts saturate. */
static int64_t to_int64(double v) {
  if (!(v > -9223372036854775807.0))
    return v != v ? 0 : -INT64_MAX;
  if (v >= 9223372036854775807.0)
    return INT64_MAX;
  return (int64_t)llround(v);
}

static void put_varint(prf_buf *b, uint64_t v) {
  unsigned char tmp[10];
  size_t n = 0;
  do {
    tmp[n] = v & 0x7F;
    v >>= 7;
    if (v)
      tmp[n] |= 0x80;
    n++;
  } while (v);
  prf_buf_put(b, tmp, n);
}

static void put_key(prf_buf *b, uint32_t field, uint32_t wire) {
  put_varint(b, ((uint64_t)field << 3) | wire);
}

static void put_uint(prf_buf *b, uint32_t field, uint64_t v) {
  if (!v)
    return; /* zero is the default: not written */
  put_key(b, field, PB_VARINT);
  put_varint(b, v);
}

static void put_bytes(prf_buf *b, uint32_t field, const void *data, size_t n) {
  put_key(b, field, PB_LEN);
  put_varint(b, n);
  prf_buf_put(b, data, n);
}

/* ---- tables ---- */

/* Looks an id up, noting when memory ran out. */
static uint32_t table_id(const prf_allocator *mem, prf_keymap *t, uint64_t key,
                         bool *fresh, bool *oom) {
  uint32_t id = prf_keymap_id(mem, t, key, fresh);
  if (!id)
    *oom = true;
  return id;
}

typedef struct writer {
  const prf_profile *p;
  const prf_tree *t;
  prf_buf out;       /* the Profile message, without string table */
  prf_buf scratch;
  uint32_t *str_index; /* profile string id -> output index + 1 */
  size_t nstrings;     /* output string table size */
  int64_t *order;      /* output index -> profile string id, or -(i + 1)
                          for extra[i], a text the profile lacks */
  size_t order_cap;
  char **extra;
  size_t nextra, extra_cap;
  prf_keymap funcs[5], maps, locs;   /* funcs: one map per frame kind */
  uint32_t *func_ids[5];              /* kind map id -> function id */
  size_t func_ids_cap[5];
  uint32_t nfuncs;
  prf_fid *run;
  size_t run_cap;
  bool oom;
} writer;

static bool push_order(writer *w, int64_t entry) {
  const prf_allocator *mem = &w->p->mem;
  if (!prf_grow(mem, (void **)&w->order, &w->order_cap, w->nstrings + 1,
                sizeof *w->order)) {
    w->oom = true;
    return false;
  }
  w->order[w->nstrings++] = entry;
  return true;
}

/* The output string index of a profile string (0 is ""). */
static uint64_t str_of(writer *w, prf_str s) {
  if (s == 0)
    return 0;
  if (!w->str_index[s]) {
    if (!push_order(w, s))
      return 0;
    w->str_index[s] = (uint32_t)w->nstrings;
  }
  return w->str_index[s] - 1;
}

/* The output string index of any text. */
static uint64_t str_of_text(writer *w, const char *text) {
  const prf_allocator *mem = &w->p->mem;
  size_t n = strlen(text);
  if (n == 0)
    return 0;
  for (prf_str s = 1; s < w->p->strings.count; s++)
    if (w->p->strings.len[s] == n && memcmp(w->p->strings.ptr[s], text, n) == 0)
      return str_of(w, s);
  for (size_t i = 0; i < w->nextra; i++)
    if (strcmp(w->extra[i], text) == 0)
      for (size_t k = 1; k < w->nstrings; k++)
        if (w->order[k] == -(int64_t)i - 1)
          return k;
  char *copy = prf_mem_alloc(mem, n + 1);
  if (!copy || !prf_grow(mem, (void **)&w->extra, &w->extra_cap, w->nextra + 1,
                         sizeof *w->extra)) {
    prf_mem_free(mem, copy);
    w->oom = true;
    return 0;
  }
  memcpy(copy, text, n + 1);
  w->extra[w->nextra++] = copy;
  if (!push_order(w, -(int64_t)w->nextra))
    return 0;
  return w->nstrings - 1;
}

static uint32_t function_of(writer *w, const prf_frame *f) {
  const prf_allocator *mem = &w->p->mem;
  bool fresh;
  /* pprof has no frame kinds: kernel, JIT and waker frames keep their
     folded suffix in the name ("_[k]"), which the reader recognises. */
  uint8_t kind = f->kind == PRF_KIND_INLINED ? 0 : f->kind;
  if (kind > PRF_KIND_WAKER)
    kind = 0;
  /* One map per kind, each numbering its own keys; function ids are given
     out from one counter. */
  uint32_t local = table_id(mem, &w->funcs[kind],
                            (uint64_t)f->name << 32 | f->file, &fresh, &w->oom);
  if (!local)
    return 0;
  size_t cap = w->func_ids_cap[kind];
  if (fresh && !prf_grow(mem, (void **)&w->func_ids[kind], &cap,
                         (size_t)local + 1, sizeof **w->func_ids)) {
    w->oom = true;
    return 0;
  }
  w->func_ids_cap[kind] = cap;
  if (fresh)
    w->func_ids[kind][local] = ++w->nfuncs;
  uint32_t id = w->func_ids[kind][local];
  if (fresh) {
    uint64_t name = str_of(w, f->name);
    if (kind) {
      size_t len;
      const char *text = prf_string(w->p, f->name, &len);
      prf_buf full;
      prf_buf_init(&full, mem);
      prf_buf_put(&full, text, len);
      prf_buf_puts(&full, prf_kind_suffix(kind));
      name = full.failed ? 0 : str_of_text(w, full.data);
      w->oom |= full.failed;
      prf_buf_free(&full);
    }
    prf_buf m;
    prf_buf_init(&m, mem);
    put_uint(&m, 1, id);
    put_uint(&m, 2, name);
    put_uint(&m, 3, name);
    put_uint(&m, 4, str_of(w, f->file));
    put_bytes(&w->out, 5, m.data, m.len);
    w->oom |= m.failed;
    prf_buf_free(&m);
  }
  return id;
}

static uint32_t mapping_of(writer *w, prf_str module, const char *build_id) {
  const prf_allocator *mem = &w->p->mem;
  if (!module)
    return 0;
  bool fresh;
  uint32_t id = table_id(mem, &w->maps, module, &fresh, &w->oom);
  if (fresh) {
    prf_buf m;
    prf_buf_init(&m, mem);
    put_uint(&m, 1, id);
    put_uint(&m, 5, str_of(w, module));
    if (build_id)
      put_uint(&m, 6, str_of_text(w, build_id));
    put_uint(&m, 7, 1); /* has_functions */
    put_uint(&m, 8, 1); /* has_filenames */
    put_uint(&m, 9, 1); /* has_line_numbers */
    put_uint(&m, 10, 1); /* has_inline_frames */
    put_bytes(&w->out, 3, m.data, m.len);
    w->oom |= m.failed;
    prf_buf_free(&m);
  }
  return id;
}

/* A location for the run of frames run[0..n) (leaf first: inlined frames,
 * then the frame they were inlined into). Keyed by the tree node of the
 * run's outer frame and of its innermost frame, which fix the run. */
static uint32_t location_of(writer *w, prf_node inner, prf_node outer,
                            const prf_fid *run, size_t n) {
  const prf_allocator *mem = &w->p->mem;
  bool fresh;
  uint32_t id =
      table_id(mem, &w->locs, ((uint64_t)inner << 32) | outer, &fresh, &w->oom);
  if (!fresh)
    return id;
  const prf_frame *last = prf_frame_get(w->p, run[n - 1]);
  bool symbolized = last->file || last->line || last->name;
  prf_buf m;
  prf_buf_init(&m, mem);
  put_uint(&m, 1, id);
  put_uint(&m, 2, mapping_of(w, last->module, NULL));
  put_uint(&m, 3, last->address);
  for (size_t i = 0; i < n && symbolized; i++) {
    const prf_frame *f = prf_frame_get(w->p, run[i]);
    prf_buf line;
    prf_buf_init(&line, mem);
    put_uint(&line, 1, function_of(w, f));
    put_uint(&line, 2, f->line);
    put_uint(&line, 3, f->column);
    put_bytes(&m, 4, line.data ? line.data : "", line.len);
    w->oom |= line.failed;
    prf_buf_free(&line);
  }
  put_bytes(&w->out, 4, m.data, m.len);
  w->oom |= m.failed;
  prf_buf_free(&m);
  return id;
}

/* One sample: locations leaf first, one value per column, labels. */
static void sample(writer *w, prf_node leaf, const double *values,
                   const prf_label *labels, size_t nlabels) {
  const prf_allocator *mem = &w->p->mem;
  prf_buf ids, vals, s;
  prf_buf_init(&ids, mem);
  prf_buf_init(&vals, mem);
  prf_buf_init(&s, mem);
  size_t n = 0;
  prf_node inner = PRF_NONE;
  for (prf_node node = leaf; node != 0; node = prf_tree_parent(w->t, node)) {
    prf_fid f = prf_tree_frame(w->t, node);
    if (!prf_grow(mem, (void **)&w->run, &w->run_cap, n + 1, sizeof *w->run)) {
      w->oom = true;
      break;
    }
    if (n == 0)
      inner = node;
    w->run[n++] = f;
    if (prf_frame_get(w->p, f)->kind == PRF_KIND_INLINED &&
        prf_tree_parent(w->t, node) != 0)
      continue; /* inlined into its caller: same location */
    put_varint(&ids, location_of(w, inner, node, w->run, n));
    n = 0;
  }
  for (size_t c = 0; c < prf_value_count(w->p); c++)
    put_varint(&vals, (uint64_t)to_int64(values[c]));
  put_bytes(&s, 1, ids.data ? ids.data : "", ids.len);
  put_bytes(&s, 2, vals.data ? vals.data : "", vals.len);
  for (size_t i = 0; i < nlabels; i++) {
    prf_buf l;
    prf_buf_init(&l, mem);
    put_uint(&l, 1, str_of(w, labels[i].key));
    put_uint(&l, 2, str_of(w, labels[i].str));
    if (labels[i].num) {
      put_key(&l, 3, PB_VARINT);
      put_varint(&l, (uint64_t)labels[i].num);
    }
    put_uint(&l, 4, str_of(w, labels[i].unit));
    put_bytes(&s, 3, l.data ? l.data : "", l.len);
    w->oom |= l.failed;
    prf_buf_free(&l);
  }
  put_bytes(&w->out, 2, s.data, s.len);
  w->oom |= ids.failed || vals.failed || s.failed;
  prf_buf_free(&ids);
  prf_buf_free(&vals);
  prf_buf_free(&s);
}

static void value_type(writer *w, uint32_t field, const char *type,
                       const char *unit) {
  const prf_allocator *mem = &w->p->mem;
  prf_buf m;
  prf_buf_init(&m, mem);
  put_uint(&m, 1, str_of_text(w, type));
  put_uint(&m, 2, str_of_text(w, unit));
  put_bytes(&w->out, field, m.data ? m.data : "", m.len);
  w->oom |= m.failed;
  prf_buf_free(&m);
}

static void metadata(writer *w) {
  const prf_profile *p = w->p;
  const char *v;
  if ((v = prf_meta_get(p, "period_type"))) {
    char type[256];
    const char *slash = strchr(v, '/');
    size_t n = slash ? (size_t)(slash - v) : strlen(v);
    if (n < sizeof type) {
      memcpy(type, v, n);
      type[n] = '\0';
      value_type(w, 11, type, slash ? slash + 1 : "");
    }
  }
  static const struct { const char *key; uint32_t field; } nums[] = {
      {"time_nanos", 9}, {"duration_nanos", 10}, {"period", 12}};
  for (size_t i = 0; i < 3; i++)
    if ((v = prf_meta_get(p, nums[i].key)))
      put_uint(&w->out, nums[i].field, (uint64_t)strtoll(v, NULL, 10));
  if ((v = prf_meta_get(p, "drop_frames")))
    put_uint(&w->out, 7, str_of_text(w, v));
  if ((v = prf_meta_get(p, "keep_frames")))
    put_uint(&w->out, 8, str_of_text(w, v));
  /* The last column is pprof's default already. */
  if (prf_value_default(p) + 1 != prf_value_count(p))
    put_uint(&w->out, 14, str_of_text(w, prf_value_type(p, prf_value_default(p))));
}

static prf_status gzip_out(const prf_allocator *mem, const prf_buf *strings,
                           const prf_buf *body, prf_write_fn write, void *ctx) {
  z_stream z;
  memset(&z, 0, sizeof z);
  prf_zlib_use(&z, mem);
  if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return PRF_E_NOMEM;
  unsigned char out[1 << 16];
  const prf_buf *parts[2] = {strings, body};
  prf_status st = PRF_OK;
  for (int part = 0; part < 2 && st == PRF_OK; part++) {
    z.next_in = (unsigned char *)(parts[part]->data ? parts[part]->data : "");
    z.avail_in = (uInt)parts[part]->len;
    int flush = part == 1 ? Z_FINISH : Z_NO_FLUSH;
    int rc;
    do {
      z.next_out = out;
      z.avail_out = sizeof out;
      rc = deflate(&z, flush);
      size_t n = sizeof out - z.avail_out;
      if (n && write(ctx, out, n) != 0)
        st = PRF_E_OUTPUT;
    } while (st == PRF_OK && (z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END)));
  }
  deflateEnd(&z);
  return st;
}

prf_status prf_pprof_write(const prf_profile *p, prf_write_fn write, void *ctx,
                           prf_error *err) {
  const prf_allocator *mem = &p->mem;
  writer w;
  memset(&w, 0, sizeof w);
  w.p = p;
  w.t = prf_profile_tree_const(p);
  prf_buf_init(&w.out, mem);
  w.str_index = prf_mem_calloc(mem, p->strings.count + 1, sizeof *w.str_index);
  if (!w.str_index)
    return prf_fail(err, PRF_E_NOMEM, "out of memory writing pprof");
  if (!push_order(&w, 0)) { /* string_table[0] = "" */
    prf_mem_free(mem, w.str_index);
    return prf_fail(err, PRF_E_NOMEM, "out of memory writing pprof");
  }
  for (size_t c = 0; c < prf_value_count(p); c++)
    value_type(&w, 1, prf_value_type(p, c), prf_value_unit(p, c));
  /* The main binary's mapping comes first: pprof names the profile by it. */
  const char *main_file = prf_meta_get(p, "mapping_file");
  for (prf_str s = 1; main_file && s < p->strings.count; s++)
    if (strcmp(prf_string(p, s, NULL), main_file) == 0) {
      mapping_of(&w, s, prf_meta_get(p, "build_id"));
      break;
    }
  size_t ns = prf_sample_count(p);
  for (size_t i = 0; i < ns && !w.oom; i++) {
    const prf_sample *s = prf_sample_get(p, i);
    size_t nl;
    const prf_label *labels = prf_sample_labels(p, i, &nl);
    if (s->leaf)
      sample(&w, s->leaf, prf_sample_values(p, i), labels, nl);
  }
  double *vals = prf_mem_alloc(mem, (prf_value_count(p) + 1) * sizeof *vals);
  for (size_t i = 0; ns == 0 && vals && i < prf_tree_stack_count(w.t) && !w.oom; i++) {
    prf_node leaf = prf_tree_stack(w.t, i);
    for (size_t c = 0; c < prf_value_count(p); c++)
      vals[c] = prf_tree_self(w.t, leaf, c);
    if (leaf)
      sample(&w, leaf, vals, NULL, 0);
  }
  w.oom |= !vals;
  prf_mem_free(mem, vals);
  metadata(&w);
  /* The string table goes first (the order of fields does not matter). */
  prf_buf strings;
  prf_buf_init(&strings, mem);
  put_bytes(&strings, 6, "", 0);
  for (size_t i = 1; i < w.nstrings; i++) {
    size_t len;
    const char *text = w.order[i] >= 0
                           ? prf_string(p, (prf_str)w.order[i], &len)
                           : w.extra[-w.order[i] - 1];
    if (w.order[i] < 0)
      len = strlen(text);
    put_bytes(&strings, 6, text, len);
  }
  prf_status st = w.oom || w.out.failed || strings.failed
                      ? PRF_E_NOMEM
                      : gzip_out(mem, &strings, &w.out, write, ctx);
  prf_buf_free(&strings);
  prf_buf_free(&w.out);
  prf_mem_free(mem, w.str_index);
  prf_mem_free(mem, w.order);
  for (size_t i = 0; i < w.nextra; i++)
    prf_mem_free(mem, w.extra[i]);
  prf_mem_free(mem, w.extra);
  prf_mem_free(mem, w.run);
  for (int k = 0; k < 5; k++) {
    prf_keymap_free(mem, &w.funcs[k]);
    prf_mem_free(mem, w.func_ids[k]);
  }
  prf_keymap_free(mem, &w.maps);
  prf_keymap_free(mem, &w.locs);
  if (st != PRF_OK)
    return prf_fail(err, st, st == PRF_E_NOMEM ? "out of memory writing pprof"
                                               : "cannot write pprof output");
  return PRF_OK;
}
