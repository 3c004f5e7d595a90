/*
 * filter.c - pprof's focus, ignore, hide, show, prune_from and tag_focus.
 * The tree is rebuilt in one pass over the nodes in id order (parents
 * first): a node is mapped to a node of the new tree, to its parent's
 * (frame removed), or dropped with its subtree. No recursion.
 */
#include "internal.h"

#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

typedef struct matcher {
  regex_t re;
  bool on;
} matcher;

static prf_status compile(matcher *m, const char *expr, const char *what,
                          prf_error *err) {
  m->on = false;
  if (!expr || !*expr)
    return PRF_OK;
  int rc = regcomp(&m->re, expr, REG_EXTENDED | REG_NOSUB);
  if (rc != 0) {
    char msg[200];
    regerror(rc, &m->re, msg, sizeof msg);
    return prf_fail(err, PRF_E_USAGE, "bad --%s expression '%s': %s", what,
                    expr, msg);
  }
  m->on = true;
  return PRF_OK;
}

static bool match_str(const matcher *m, const prf_profile *p, prf_str s) {
  return s && regexec(&m->re, prf_string(p, s, NULL), 0, NULL, 0) == 0;
}

/* pprof matches a location by function name, file name or binary. */
static bool match_any(const matcher *m, const prf_profile *p, const prf_frame *f) {
  return match_str(m, p, f->name) || match_str(m, p, f->file) ||
         match_str(m, p, f->module);
}

enum { KEEP = 0, SKIP = 1, DROP = 2 };

typedef struct filter_run {
  prf_profile *p;
  matcher focus, ignore, hide, show, prune;
  prf_str tag_key, tag_value;
  bool tag_on;
} filter_run;

/* The new tree's node for each old node, or PRF_NONE when the stacks
 * through it are dropped. state: focus seen on the path; 2 = pruned. */
static prf_status map_nodes(filter_run *fr, const prf_tree *old, prf_tree *fresh,
                            prf_node *map, uint8_t *focused, uint8_t *pruned) {
  map[0] = 0;
  focused[0] = !fr->focus.on;
  pruned[0] = 0;
  for (size_t n = 1; n < old->count; n++) {
    prf_node parent = old->nodes[n].parent;
    const prf_frame *f = prf_frame_get(fr->p, old->nodes[n].frame);
    map[n] = map[parent];
    focused[n] = focused[parent];
    pruned[n] = pruned[parent];
    if (map[parent] == PRF_NONE)
      continue;
    if (fr->ignore.on && match_any(&fr->ignore, fr->p, f)) {
      map[n] = PRF_NONE;
      continue;
    }
    if (fr->focus.on && match_any(&fr->focus, fr->p, f))
      focused[n] = 1;
    if (pruned[parent])
      continue; /* below the prune point: the cost stays on it */
    bool keep = !(fr->hide.on && match_str(&fr->hide, fr->p, f->name)) &&
                !(fr->show.on && !match_str(&fr->show, fr->p, f->name));
    if (keep) {
      prf_status st = prf_tree_child(fresh, map[parent], old->nodes[n].frame, &map[n]);
      if (st != PRF_OK)
        return st;
    }
    if (fr->prune.on && match_str(&fr->prune, fr->p, f->name))
      pruned[n] = 1;
  }
  return PRF_OK;
}

static bool sample_has_tag(const filter_run *fr, size_t i) {
  size_t n;
  const prf_label *l = prf_sample_labels(fr->p, i, &n);
  for (size_t k = 0; k < n; k++)
    if (l[k].key == fr->tag_key && l[k].str == fr->tag_value)
      return true;
  return false;
}

static prf_status rebuild(filter_run *fr) {
  const prf_allocator *mem = &fr->p->mem;
  prf_profile *p = fr->p;
  prf_tree *old = &p->tree;
  prf_node *map = prf_mem_alloc(mem, old->count * sizeof *map);
  uint8_t *focused = prf_mem_alloc(mem, old->count);
  uint8_t *pruned = prf_mem_alloc(mem, old->count);
  prf_tree fresh;
  bool fresh_ok = false;
  prf_status st = map && focused && pruned ? PRF_OK : PRF_E_NOMEM;
  if (st == PRF_OK && !(fresh_ok = prf_tree_init(&fresh, p, old->ncol)))
    st = PRF_E_NOMEM;
  if (st == PRF_OK)
    st = map_nodes(fr, old, &fresh, map, focused, pruned);
  /* Samples first (they carry labels); a profile without samples moves
     its stacks' values instead. */
  size_t kept = 0;
  for (size_t i = 0; st == PRF_OK && i < p->nsamples; i++) {
    prf_node leaf = p->samples[i].leaf;
    bool keep = map[leaf] != PRF_NONE && focused[leaf] &&
                (!fr->tag_on || sample_has_tag(fr, i));
    if (!keep)
      continue;
    p->samples[kept] = p->samples[i];
    p->samples[kept].leaf = map[leaf];
    memmove(p->sample_values + kept * p->ncols, p->sample_values + i * p->ncols,
            p->ncols * sizeof(double));
    st = prf_tree_add_self(&fresh, map[leaf], p->sample_values + kept * p->ncols);
    kept++;
  }
  if (p->nsamples) {
    p->nsamples = kept;
  } else {
    for (size_t e = 0; st == PRF_OK && e < old->nstacks; e++) {
      prf_node leaf = old->stack_node[e];
      if (map[leaf] != PRF_NONE && focused[leaf] && !fr->tag_on) /* no labels */
        st = prf_tree_add_self(&fresh, map[leaf], &old->stack_self[e * old->ncol]);
    }
  }
  if (st == PRF_OK) {
    prf_tree_release(&p->tree);
    p->tree = fresh;
  } else if (fresh_ok) {
    prf_tree_release(&fresh);
  }
  prf_mem_free(mem, map);
  prf_mem_free(mem, focused);
  prf_mem_free(mem, pruned);
  return st;
}

/* Before the first filter: the totals per column (sum of |value| per
 * sample, as pprof counts them) and the list pprof prints as "Active
 * filters". */
static prf_status remember_totals(prf_profile *p, const prf_filter *f) {
  const prf_allocator *mem = &p->mem;
  if (!p->unfiltered_total) {
    p->unfiltered_total =
        prf_mem_calloc(mem, p->ncols ? p->ncols : 1, sizeof(double));
    if (!p->unfiltered_total)
      return PRF_E_NOMEM;
    const prf_tree *t = &p->tree;
    for (size_t c = 0; c < p->ncols; c++) {
      double sum = 0;
      for (size_t i = 0; i < p->nsamples; i++)
        if (p->samples[i].leaf)
          sum += fabs(p->sample_values[i * p->ncols + c]);
      for (size_t e = 0; !p->nsamples && e < t->nstacks; e++)
        if (t->stack_node[e])
          sum += fabs(t->stack_self[e * p->ncols + c]);
      p->unfiltered_total[c] = sum;
    }
  }
  prf_buf b;
  prf_buf_init(&b, mem);
  const char *old = prf_meta_get(p, "active_filters");
  if (old)
    prf_buf_puts(&b, old);
  const char *names[] = {"focus", "ignore", "hide", "show", "tagfocus"};
  const char *values[] = {f->focus, f->ignore, f->hide, f->show, f->tag_focus};
  for (size_t i = 0; i < 5; i++)
    if (values[i] && *values[i])
      prf_buf_printf(&b, "%s%s=%s", b.len ? "\n" : "", names[i], values[i]);
  prf_status st = b.failed ? PRF_E_NOMEM
                  : b.len ? prf_meta_set(p, "active_filters", b.data)
                          : PRF_OK;
  prf_buf_free(&b);
  return st;
}

prf_status prf_profile_filter(prf_profile *p, const prf_filter *f,
                              prf_error *err) {
  filter_run fr;
  memset(&fr, 0, sizeof fr);
  fr.p = p;
  prf_status st = compile(&fr.focus, f->focus, "focus", err);
  if (st == PRF_OK)
    st = compile(&fr.ignore, f->ignore, "ignore", err);
  if (st == PRF_OK)
    st = compile(&fr.hide, f->hide, "hide", err);
  if (st == PRF_OK)
    st = compile(&fr.show, f->show, "show", err);
  if (st == PRF_OK)
    st = compile(&fr.prune, f->prune_from, "prune-from", err);
  if (st == PRF_OK && f->tag_focus && *f->tag_focus) {
    const char *eq = strchr(f->tag_focus, '=');
    if (!eq || eq == f->tag_focus)
      st = prf_fail(err, PRF_E_USAGE, "--tag-focus takes KEY=VALUE, not '%s'",
                    f->tag_focus);
    else if (prf_string_intern(p, f->tag_focus, (size_t)(eq - f->tag_focus), &fr.tag_key) != PRF_OK ||
             prf_string_intern(p, eq + 1, strlen(eq + 1), &fr.tag_value) != PRF_OK)
      st = PRF_E_NOMEM;
    fr.tag_on = true;
  }
  bool any = fr.focus.on || fr.ignore.on || fr.hide.on || fr.show.on ||
             fr.prune.on || fr.tag_on;
  if (st == PRF_OK && any && p->top_only)
    st = prf_fail(err, PRF_E_USAGE, "a profile read for the top table alone "
                                    "(top_only) cannot be filtered");
  if (st == PRF_OK && any)
    st = remember_totals(p, f);
  if (st == PRF_OK && any) {
    prf_callgraph_drop(p);
    st = rebuild(&fr);
    if (st != PRF_OK)
      prf_fail(err, st, "out of memory filtering the profile");
  }
  matcher *all[] = {&fr.focus, &fr.ignore, &fr.hide, &fr.show, &fr.prune};
  for (size_t i = 0; i < 5; i++)
    if (all[i]->on)
      regfree(&all[i]->re);
  return st;
}
