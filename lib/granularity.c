/*
 * granularity.c - one call tree rebuilt at a coarser granularity. Nodes
 * are visited in id order, so every parent is mapped before its children
 * and no walk recurses.
 */
#include "internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The frame a person sees at this granularity. */
static prf_status coarse_frame(prf_profile *p, const prf_frame *f,
                               prf_granularity g, prf_fid *out) {
  const prf_allocator *mem = &p->mem;
  prf_frame c;
  memset(&c, 0, sizeof c);
  c.kind = f->kind;
  c.in_app = f->in_app;
  c.module = f->module;
  size_t nlen, flen;
  const char *name = prf_string(p, f->name, &nlen);
  const char *file = prf_string(p, f->file, &flen);
  prf_buf b;
  prf_buf_init(&b, mem);
  switch (g) {
  case PRF_GRAN_FUNCTIONS:
    c.name = f->name;
    break;
  case PRF_GRAN_FILEFUNCTIONS:
    c.file = f->file;
    prf_buf_put(&b, name, nlen);
    if (flen) {
      prf_buf_putc(&b, ' ');
      prf_buf_put(&b, file, flen);
    }
    break;
  case PRF_GRAN_FILES:
    c.file = f->file;
    if (flen)
      prf_buf_put(&b, file, flen);
    else
      prf_buf_put(&b, name, nlen);
    break;
  case PRF_GRAN_ADDRESSES:
  case PRF_GRAN_LINES:
    c.file = f->file;
    c.line = f->line;
    if (g == PRF_GRAN_ADDRESSES && f->address) {
      c.address = f->address;
      prf_buf_printf(&b, "%016" PRIx64 " ", f->address);
    }
    prf_buf_put(&b, name, nlen);
    if (flen) {
      prf_buf_putc(&b, ' ');
      prf_buf_put(&b, file, flen);
      if (f->line)
        prf_buf_printf(&b, ":%u", f->line);
    }
    break;
  }
  prf_status st = PRF_OK;
  if (b.failed)
    st = PRF_E_NOMEM;
  else if (g != PRF_GRAN_FUNCTIONS)
    st = prf_string_intern(p, b.data ? b.data : "", b.len, &c.name);
  prf_buf_free(&b);
  return st == PRF_OK ? prf_frame_intern(p, &c, out) : st;
}

/* Whether any frame carries detail that a granularity could drop. */
static bool has_detail(const prf_profile *p) {
  for (size_t i = 0; i < prf_frame_count(p); i++) {
    const prf_frame *f = prf_frame_get(p, (prf_fid)i);
    if (f->file || f->line || f->column || f->address)
      return true;
  }
  return false;
}

prf_status prf_profile_set_granularity(prf_profile *p, prf_granularity g,
                                       int noinlines, prf_error *err) {
  const prf_allocator *mem = &p->mem;
  if ((unsigned)g > PRF_GRAN_ADDRESSES)
    return prf_fail(err, PRF_E_USAGE, "unknown granularity %d", (int)g);
  if (p->top_only)
    return prf_fail(err, PRF_E_USAGE, "a profile read for the top table alone "
                                      "(top_only) has no granularity to set");
  if (!noinlines && !has_detail(p))
    return PRF_OK; /* nothing would merge */
  prf_callgraph_drop(p);
  prf_tree *old = &p->tree;
  size_t nframes = prf_frame_count(p);
  prf_fid *coarse =
      prf_mem_alloc(mem, (nframes ? nframes : 1) * sizeof *coarse);
  prf_node *map = prf_mem_alloc(mem, old->count * sizeof *map);
  prf_tree fresh;
  bool fresh_ok = false;
  prf_status st = coarse && map ? PRF_OK : PRF_E_NOMEM;
  for (size_t i = 0; st == PRF_OK && i < nframes; i++) {
    prf_frame f = *prf_frame_get(p, (prf_fid)i); /* the table may move */
    st = coarse_frame(p, &f, g, &coarse[i]);
  }
  if (st == PRF_OK && !(fresh_ok = prf_tree_init(&fresh, p, old->ncol)))
    st = PRF_E_NOMEM;
  if (st == PRF_OK) {
    map[0] = 0;
    for (size_t n = 1; n < old->count && st == PRF_OK; n++) {
      prf_fid f = old->nodes[n].frame;
      prf_node parent = map[old->nodes[n].parent];
      if (noinlines && prf_frame_get(p, f)->kind == PRF_KIND_INLINED)
        map[n] = parent; /* its cost goes to the function it was inlined into */
      else
        st = prf_tree_child(&fresh, parent, coarse[f], &map[n]);
    }
  }
  for (size_t e = 0; st == PRF_OK && e < old->nstacks; e++)
    st = prf_tree_add_self(&fresh, map[old->stack_node[e]],
                           &old->stack_self[e * old->ncol]);
  if (st == PRF_OK) {
    for (size_t i = 0; i < p->nsamples; i++)
      p->samples[i].leaf = map[p->samples[i].leaf];
    prf_tree_release(&p->tree);
    p->tree = fresh;
  } else if (fresh_ok) {
    prf_tree_release(&fresh);
  }
  prf_mem_free(mem, coarse);
  prf_mem_free(mem, map);
  if (st != PRF_OK)
    return prf_fail(err, st, "out of memory changing the granularity");
  return PRF_OK;
}
