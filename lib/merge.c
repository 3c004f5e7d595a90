/*
 * merge.c - summing one profile into another (prf_profile_merge), and the
 * pieces every merge shares: copying frames across string tables, and
 * combining header fields as pprof's Merge does.
 */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static prf_status copy_string(prf_profile *dst, const prf_profile *src,
                              prf_str id, prf_str *out) {
  size_t len;
  const char *s = prf_string(src, id, &len);
  return prf_string_intern(dst, s, len, out);
}

prf_status prf_frames_map(prf_profile *dst, const prf_profile *src,
                          prf_fid *map) {
  size_t n = prf_frame_count(src);
  for (size_t f = 0; f < n; f++) {
    prf_frame fr = *prf_frame_get(src, (prf_fid)f);
    prf_status st = copy_string(dst, src, fr.name, &fr.name);
    st = st ? st : copy_string(dst, src, fr.file, &fr.file);
    st = st ? st : copy_string(dst, src, fr.module, &fr.module);
    st = st ? st : prf_frame_intern(dst, &fr, &map[f]);
    if (st != PRF_OK)
      return st;
  }
  return PRF_OK;
}

/* Whether text holds the line s (len bytes) as one of its lines. */
static bool has_line(const char *text, const char *s, size_t len) {
  for (const char *at = text;;) {
    const char *end = strchr(at, '\n');
    size_t n = end ? (size_t)(end - at) : strlen(at);
    if (n == len && memcmp(at, s, len) == 0)
      return true;
    if (!end)
      return false;
    at = end + 1;
  }
}

prf_status prf_meta_combine(prf_profile *p, const char *key, const char *value,
                            size_t len) {
  const prf_allocator *mem = &p->mem;
  const char *had = prf_meta_get(p, key);
  char num[32];
  enum { EARLIEST, SUM, LARGEST, LINES, FIRST } how =
      strcmp(key, "time_nanos") == 0       ? EARLIEST
      : strcmp(key, "duration_nanos") == 0 ? SUM
      : strcmp(key, "period") == 0         ? LARGEST
      : strcmp(key, "comments") == 0       ? LINES
                                           : FIRST;
  if (had && how <= LARGEST) {
    long long a = strtoll(had, NULL, 10), b = 0;
    if (len < sizeof num) {
      memcpy(num, value, len);
      num[len] = '\0';
      b = strtoll(num, NULL, 10);
    }
    long long v;
    if (how == EARLIEST)
      v = a < b ? a : b;
    else if (how == LARGEST)
      v = a > b ? a : b;
    else if (a > 0 && b > INT64_MAX - a) /* a sum past int64 saturates */
      v = INT64_MAX;
    else if (a < 0 && b < INT64_MIN - a)
      v = INT64_MIN;
    else
      v = a + b;
    snprintf(num, sizeof num, "%lld", v);
    return prf_meta_set(p, key, num);
  }
  if (had && how == LINES) {
    /* Every distinct line, in order of first appearance. b.data stays a
       C string (its NUL not counted) for has_line. */
    prf_buf b;
    prf_buf_init(&b, mem);
    prf_buf_put(&b, had, strlen(had) + 1);
    b.len--;
    for (const char *at = value, *end = value + len; at < end && !b.failed;) {
      const char *nl = memchr(at, '\n', (size_t)(end - at));
      size_t n = nl ? (size_t)(nl - at) : (size_t)(end - at);
      if (!has_line(b.data, at, n)) {
        if (b.len)
          prf_buf_putc(&b, '\n');
        prf_buf_put(&b, at, n);
        prf_buf_putc(&b, '\0');
        b.len--;
      }
      at += n + (nl != NULL);
    }
    prf_status st = b.failed ? PRF_E_NOMEM : prf_meta_set(p, key, b.data);
    prf_buf_free(&b);
    return st;
  }
  if (had)
    return PRF_OK; /* text fields: the first input's */
  char *copy = prf_mem_strndup(mem, value, len);
  if (!copy)
    return PRF_E_NOMEM;
  prf_status st = prf_meta_set(p, key, copy);
  prf_mem_free(mem, copy);
  return st;
}

/* Columns must agree by type and unit; an empty dst takes src's. */
static prf_status merge_columns(prf_profile *dst, const prf_profile *src,
                                prf_error *err) {
  size_t n = prf_value_count(src);
  if (prf_value_count(dst) == 0) {
    for (size_t c = 0; c < n; c++) {
      prf_status st = prf_value_add(dst, prf_value_type(src, c),
                                    prf_value_unit(src, c), NULL);
      if (st != PRF_OK)
        return prf_fail(err, st, "out of memory merging profiles");
    }
    return n ? prf_value_set_default(dst, prf_value_default(src)) : PRF_OK;
  }
  if (prf_value_count(dst) != n)
    return prf_fail(err, PRF_E_DATA,
                    "cannot merge: a profile with %zu value columns into one "
                    "with %zu",
                    n, prf_value_count(dst));
  for (size_t c = 0; c < n; c++)
    if (strcmp(prf_value_type(dst, c), prf_value_type(src, c)) != 0 ||
        strcmp(prf_value_unit(dst, c), prf_value_unit(src, c)) != 0)
      return prf_fail(err, PRF_E_DATA,
                      "cannot merge: value column %zu is %s (%s) in one "
                      "profile and %s (%s) in the other",
                      c, prf_value_type(src, c), prf_value_unit(src, c),
                      prf_value_type(dst, c), prf_value_unit(dst, c));
  return PRF_OK;
}

typedef struct merger {
  prf_profile *dst;
  const prf_profile *src;
  prf_fid *map;       /* src frame -> dst frame */
  prf_node *path;
  prf_fid *frames;
  size_t cap;
  prf_label *labels;
  size_t labels_cap;
  prf_node *done;     /* src node -> dst node, PRF_NONE until mapped */
} merger;

/* The dst node of src's node n (its path, with frames mapped). */
/* The dst node of src's node n (its path, with frames mapped), found once
 * per node: many samples share a leaf. */
static prf_status map_node(merger *m, prf_node n, prf_node *out) {
  if (m->done[n] != PRF_NONE) {
    *out = m->done[n];
    return PRF_OK;
  }
  const prf_tree *t = prf_profile_tree_const(m->src);
  size_t depth = prf_tree_path(t, n, m->path, m->cap);
  for (size_t d = 0; d < depth; d++)
    m->frames[d] = m->map[prf_tree_frame(t, m->path[d])];
  prf_status st = prf_stack_add(m->dst, m->frames, depth, NULL, out);
  if (st == PRF_OK)
    m->done[n] = *out;
  return st;
}

static prf_status merge_sample(merger *m, size_t i, const uint32_t *threads) {
  const prf_allocator *mem = &m->dst->mem;
  const prf_sample *s = prf_sample_get(m->src, i);
  prf_node leaf;
  prf_status st = map_node(m, s->leaf, &leaf);
  size_t nl;
  const prf_label *from = prf_sample_labels(m->src, i, &nl);
  if (st == PRF_OK && nl > m->labels_cap) {
    prf_mem_free(mem, m->labels);
    m->labels_cap = 0;
    if (!(m->labels = prf_mem_alloc(mem, nl * sizeof *m->labels)))
      return PRF_E_NOMEM;
    m->labels_cap = nl;
  }
  for (size_t l = 0; l < nl && st == PRF_OK; l++) {
    m->labels[l] = from[l];
    st = copy_string(m->dst, m->src, from[l].key, &m->labels[l].key);
    st = st ? st : copy_string(m->dst, m->src, from[l].str, &m->labels[l].str);
    st = st ? st : copy_string(m->dst, m->src, from[l].unit, &m->labels[l].unit);
  }
  if (st != PRF_OK)
    return st;
  uint32_t thread = s->thread == PRF_NONE ? PRF_NONE : threads[s->thread];
  return prf_sample_add_labeled(m->dst, leaf, prf_sample_values(m->src, i),
                                s->time, thread, m->labels, nl);
}

/* Values on src's stacks that no sample carries (folded stacks, or what
 * a reader added without samples) are added as stacks. */
static prf_status merge_residue(merger *m) {
  const prf_allocator *mem = &m->dst->mem;
  const prf_tree *t = prf_profile_tree_const(m->src);
  size_t k = prf_value_count(m->src), nstacks = prf_tree_stack_count(t);
  size_t n = nstacks * k; /* k columns: no overflow below 2^32 stacks */
  double *rest = prf_mem_alloc(mem, (n ? n : 1) * sizeof *rest);
  if (!rest)
    return PRF_E_NOMEM;
  for (size_t e = 0; e < nstacks; e++)
    for (size_t c = 0; c < k; c++)
      rest[e * k + c] = prf_tree_self(t, prf_tree_stack(t, e), c);
  for (size_t i = 0; i < prf_sample_count(m->src); i++) {
    prf_node leaf = prf_sample_get(m->src, i)->leaf;
    size_t at = prf_tree_stack_entry(t, leaf);
    if (at == SIZE_MAX)
      continue;
    for (size_t c = 0; c < k; c++)
      rest[at * k + c] -= prf_sample_values(m->src, i)[c];
  }
  prf_status st = PRF_OK;
  for (size_t e = 0; e < nstacks && st == PRF_OK; e++) {
    bool any = false;
    for (size_t c = 0; c < k; c++) {
      double self = prf_tree_self(t, prf_tree_stack(t, e), c);
      /* Sums of fractional samples leave rounding dust: not a stack. */
      if (fabs(rest[e * k + c]) > 1e-9 * fabs(self))
        any = true;
      else
        rest[e * k + c] = 0;
    }
    if (!any)
      continue;
    prf_node leaf;
    st = map_node(m, prf_tree_stack(t, e), &leaf);
    if (st == PRF_OK)
      st = prf_tree_add_self(prf_profile_tree(m->dst), leaf, &rest[e * k]);
  }
  prf_mem_free(mem, rest);
  return st;
}

prf_status prf_profile_merge(prf_profile *dst, const prf_profile *src,
                             prf_error *err) {
  const prf_allocator *mem = &dst->mem;
  prf_error local;
  if (!err)
    err = &local;
  prf_error_clear(err);
  if (!dst || !src || dst == src)
    return prf_fail(err, PRF_E_USAGE, "merge needs two distinct profiles");
  prf_status st = merge_columns(dst, src, err);
  if (st != PRF_OK)
    return st;
  prf_callgraph_drop(dst);
  const prf_tree *t = prf_profile_tree_const(src);
  merger m = {dst, src, NULL, NULL, NULL, (size_t)prf_tree_max_depth(t) + 1,
              NULL, 0, NULL};
  size_t nnodes = prf_tree_node_count(t);
  m.done = prf_mem_alloc(mem, nnodes * sizeof *m.done);
  if (m.done)
    memset(m.done, 0xFF, nnodes * sizeof *m.done); /* PRF_NONE */
  size_t nthreads = prf_thread_count(src);
  uint32_t *threads =
      prf_mem_alloc(mem, (nthreads ? nthreads : 1) * sizeof *threads);
  m.map = prf_mem_alloc(mem, (prf_frame_count(src) ? prf_frame_count(src) : 1) *
                                 sizeof *m.map);
  m.path = prf_mem_alloc(mem, m.cap * sizeof *m.path);
  m.frames = prf_mem_alloc(mem, m.cap * sizeof *m.frames);
  st = threads && m.map && m.path && m.frames && m.done ? PRF_OK : PRF_E_NOMEM;
  if (st == PRF_OK)
    st = prf_frames_map(dst, src, m.map);
  for (size_t i = 0; i < nthreads && st == PRF_OK; i++)
    st = prf_thread_add(dst, prf_thread_id(src, (uint32_t)i),
                        prf_thread_name(src, (uint32_t)i), &threads[i]);
  for (size_t i = 0; i < prf_sample_count(src) && st == PRF_OK; i++)
    st = merge_sample(&m, i, threads);
  if (st == PRF_OK)
    st = merge_residue(&m);
  for (size_t i = 0; i < prf_meta_count(src) && st == PRF_OK; i++) {
    const char *key, *value;
    prf_meta_at(src, i, &key, &value);
    st = prf_meta_combine(dst, key, value, strlen(value));
  }
  prf_mem_free(mem, threads);
  prf_mem_free(mem, m.map);
  prf_mem_free(mem, m.path);
  prf_mem_free(mem, m.frames);
  prf_mem_free(mem, m.labels);
  prf_mem_free(mem, m.done);
  if (st != PRF_OK && err->code == PRF_OK)
    prf_fail(err, st, st == PRF_E_NOMEM ? "out of memory merging profiles"
                                        : "cannot merge the profiles");
  return st;
}
