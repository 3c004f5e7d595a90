/*
 * check.c - the model's invariants, checked from the outside.
 *
 * Every reader must leave a profile that satisfies them, whatever its
 * input; the fuzz targets call prf_profile_check after each parse. The
 * walk is iterative and costs O(nodes + frames + samples) time and one
 * array of frame-sized scratch memory.
 */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static prf_status broken(prf_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static prf_status broken(prf_error *err, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  prf_status st = prf_vfail(err, PRF_E_DATA, fmt, ap);
  va_end(ap);
  return st;
}

static prf_status check_strings(const prf_strtab *t, prf_error *err) {
  if (t->count < 1 || t->len[0] != 0 || !t->ptr[0] || t->ptr[0][0])
    return broken(err, "model: string 0 is not the empty string");
  for (size_t i = 0; i < t->count; i++)
    if (!t->ptr[i] || t->ptr[i][t->len[i]] != '\0')
      return broken(err, "model: string %zu is not terminated", i);
  return PRF_OK;
}

#define STR_OK(p, id) ((id) < (p)->strings.count)

static prf_status check_tables(const prf_profile *p, prf_error *err) {
  for (size_t i = 0; i < p->nframes; i++) {
    const prf_frame *f = &p->frames[i];
    if (!STR_OK(p, f->name) || !STR_OK(p, f->file) || !STR_OK(p, f->module))
      return broken(err, "model: frame %zu names a missing string", i);
    if (f->kind > PRF_KIND_WAKER || f->in_app > PRF_IN_APP_NO)
      return broken(err, "model: frame %zu has kind %u, in_app %u", i,
                    f->kind, f->in_app);
  }
  if (p->ncols && p->default_col >= p->ncols)
    return broken(err, "model: default column %zu of %zu", p->default_col,
                  p->ncols);
  for (size_t i = 0; i < p->ncols; i++)
    if (!STR_OK(p, p->cols[i].type) || !STR_OK(p, p->cols[i].unit))
      return broken(err, "model: column %zu names a missing string", i);
  for (size_t i = 0; i < p->nmeta; i++)
    if (!STR_OK(p, p->meta[i].key) || !STR_OK(p, p->meta[i].value))
      return broken(err, "model: metadata %zu names a missing string", i);
  for (size_t i = 0; i < p->nthreads; i++)
    if (!STR_OK(p, p->threads[i].name))
      return broken(err, "model: thread %zu names a missing string", i);
  for (size_t i = 0; i < p->nlabels; i++) {
    const prf_label *l = &p->labels[i];
    if (!STR_OK(p, l->key) || !STR_OK(p, l->str) || !STR_OK(p, l->unit))
      return broken(err, "model: label %zu names a missing string", i);
  }
  return PRF_OK;
}

static prf_status check_samples(const prf_profile *p, prf_error *err) {
  for (size_t i = 0; i < p->nsamples; i++) {
    const prf_sample *s = &p->samples[i];
    if (s->leaf >= p->tree.count)
      return broken(err, "model: sample %zu has node %u of %zu", i, s->leaf,
                    p->tree.count);
    if (s->thread != PRF_NONE && s->thread >= p->nthreads)
      return broken(err, "model: sample %zu has thread %u of %zu", i,
                    s->thread, p->nthreads);
    if (s->label_first > p->nlabels ||
        s->label_count > p->nlabels - s->label_first)
      return broken(err, "model: sample %zu has labels beyond the table", i);
    for (size_t c = 0; c < p->ncols; c++)
      if (!isfinite(p->sample_values[i * p->ncols + c]))
        return broken(err, "model: sample %zu has a value that is not finite",
                      i);
  }
  return PRF_OK;
}

/* Parent links point backwards, depths follow them, every node is on its
 * parent's child list exactly once, and no two siblings share a frame. */
static prf_status check_links(const prf_tree *t, size_t nframes,
                              uint32_t *seen, prf_error *err) {
  const prf_tnode *nodes = t->nodes;
  if (nodes[0].parent != PRF_NONE || nodes[0].frame != PRF_NONE ||
      t->depth[0] != 0)
    return broken(err, "model: the root has a parent, a frame or a depth");
  uint32_t max_depth = 0;
  for (size_t n = 1; n < t->count; n++) {
    uint32_t parent = nodes[n].parent;
    if (parent >= n)
      return broken(err, "model: node %zu has parent %u (not before it)", n,
                    parent);
    if (nodes[n].frame >= nframes)
      return broken(err, "model: node %zu has frame %u of %zu", n,
                    nodes[n].frame, nframes);
    if (t->depth[n] != t->depth[parent] + 1)
      return broken(err, "model: node %zu has depth %u below depth %u", n,
                    t->depth[n], t->depth[parent]);
    if (t->depth[n] > max_depth)
      max_depth = t->depth[n];
  }
  if (max_depth != t->max_depth)
    return broken(err, "model: maximum depth %u, recorded %u", max_depth,
                  t->max_depth);
  for (size_t i = 0; i < nframes; i++)
    seen[i] = PRF_NONE;
  size_t listed = 0;
  for (size_t n = 0; n < t->count; n++) {
    for (uint32_t c = nodes[n].first_child; c != PRF_NONE;
         c = nodes[c].next_sibling) {
      if (c >= t->count || ++listed >= t->count)
        return broken(err, "model: the child list of node %zu is broken", n);
      if (nodes[c].parent != n)
        return broken(err, "model: node %u is listed under node %zu, its "
                      "parent is %u", c, n, nodes[c].parent);
      if (seen[nodes[c].frame] == n)
        return broken(err, "model: node %zu has two children with frame %u",
                      n, nodes[c].frame);
      seen[nodes[c].frame] = (uint32_t)n;
    }
  }
  if (listed != t->count - 1)
    return broken(err, "model: %zu of %zu nodes are on child lists", listed,
                  t->count - 1);
  return PRF_OK;
}

static bool close_enough(double a, double b, double scale) {
  return fabs(a - b) <= 1e-9 * (scale > 1 ? scale : 1);
}

/* Self values are finite and sit on distinct nodes; totals (when valid)
 * are self plus the children's totals. */
static prf_status check_values(const prf_tree *t, prf_error *err) {
  const prf_allocator *mem = t->mem;
  size_t k = t->ncol;
  for (size_t e = 0; e < t->nstacks; e++) {
    if (t->stack_node[e] >= t->count)
      return broken(err, "model: stack %zu ends at node %u of %zu", e,
                    t->stack_node[e], t->count);
    for (size_t c = 0; c < k; c++)
      if (!isfinite(t->stack_self[e * k + c]))
        return broken(err, "model: stack %zu has a value that is not finite",
                      e);
  }
  if (!t->totals_valid || !k)
    return PRF_OK;
  /* sum[] is the children's totals plus self; mag[] the same sum of
     absolute values, the scale of the rounding error. */
  size_t cells = t->count * k;
  if (cells / k != t->count || cells > SIZE_MAX / (2 * sizeof(double)))
    return PRF_E_NOMEM;
  double *sum = prf_mem_calloc(mem, cells * 2, sizeof(double));
  if (!sum)
    return PRF_E_NOMEM;
  double *mag = sum + cells;
  prf_status st = PRF_OK;
  for (size_t e = 0; e < t->nstacks; e++)
    for (size_t c = 0; c < k; c++) {
      double v = t->stack_self[e * k + c];
      sum[t->stack_node[e] * k + c] += v;
      mag[t->stack_node[e] * k + c] += fabs(v);
    }
  for (size_t n = t->count; n-- > 0 && st == PRF_OK;) {
    for (size_t c = 0; c < k; c++) {
      if (!close_enough(sum[n * k + c], t->total[n * k + c], mag[n * k + c])) {
        st = broken(err, "model: node %zu has total %g, its stacks add up "
                    "to %g", n, t->total[n * k + c], sum[n * k + c]);
        break;
      }
      if (n) {
        sum[t->nodes[n].parent * k + c] += sum[n * k + c];
        mag[t->nodes[n].parent * k + c] += mag[n * k + c];
      }
    }
  }
  prf_mem_free(mem, sum);
  return st;
}

prf_status prf_profile_check(const prf_profile *p, prf_error *err) {
  const prf_allocator *mem = &p->mem;
  if (!p)
    return prf_fail(err, PRF_E_USAGE, "no profile");
  prf_status st = check_strings(&p->strings, err);
  if (st == PRF_OK)
    st = check_tables(p, err);
  if (st == PRF_OK)
    st = check_samples(p, err);
  if (st != PRF_OK)
    return st;
  const prf_tree *t = &p->tree;
  if (t->count < 1)
    return broken(err, "model: the tree has no root");
  if (t->nstacks && t->ncol != p->ncols)
    return broken(err, "model: the tree has %zu columns, the profile %zu",
                  t->ncol, p->ncols);
  uint32_t *seen =
      prf_mem_alloc(mem, (p->nframes ? p->nframes : 1) * sizeof *seen);
  if (!seen)
    return prf_fail(err, PRF_E_NOMEM, "out of memory checking the model");
  st = check_links(t, p->nframes, seen, err);
  prf_mem_free(mem, seen);
  if (st == PRF_OK)
    st = check_values(t, err);
  if (st == PRF_E_NOMEM)
    return prf_fail(err, st, "out of memory checking the model");
  return st;
}
