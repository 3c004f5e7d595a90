/*
 * top.c - flat and cumulative cost per function: pprof's -top numbers.
 * Functions are identified by name, as pprof does at its default
 * granularity; a function that appears several times on one stack counts
 * once in its cumulative cost. Rows whose |cum| is below a share of the
 * total are dropped, and a row's inline label comes from the calls into it
 * from the rows that remain, as pprof labels "(inline)" and
 * "(partial-inline)". prf_top_grouped counts the same values for rows the
 * caller groups frames into (the diff's function identity).
 */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct top_ctx {
  const prf_profile *profile;
  prf_top_row *rows;
  int by_cum;
} top_ctx;

static int row_cmp(void *vctx, uint32_t a, uint32_t b) {
  const top_ctx *ctx = vctx;
  const prf_top_row *x = &ctx->rows[a], *y = &ctx->rows[b];
  double x1 = fabs(ctx->by_cum ? x->cum : x->flat);
  double y1 = fabs(ctx->by_cum ? y->cum : y->flat);
  if (x1 != y1)
    return x1 > y1 ? -1 : 1;
  int c = strcmp(prf_string(ctx->profile, x->name, NULL),
                 prf_string(ctx->profile, y->name, NULL));
  if (c)
    return c;
  double x2 = fabs(ctx->by_cum ? x->flat : x->cum);
  double y2 = fabs(ctx->by_cum ? y->flat : y->cum);
  return (x2 < y2) - (x2 > y2);
}

void prf_top_options_init(prf_top_options *o) {
  memset(o, 0, sizeof *o);
  o->column = SIZE_MAX;
  o->node_fraction = 0.005;
  o->edge_fraction = 0.001;
}

void prf_top_free(prf_top *top) {
  const prf_allocator *mem = &top->allocator;
  if (!top)
    return;
  prf_mem_free(mem, top->rows);
  prf_allocator keep = top->allocator;
  memset(top, 0, sizeof *top);
  top->allocator = keep;
}

/* The calls between the rows shown: (caller, callee) -> inlined at every
 * occurrence. A call through dropped rows joins the nearest shown ones. */
typedef struct edge_set {
  prf_keymap ids;  /* caller << 32 | callee -> edge id */
  uint8_t *inl;    /* by edge id */
  size_t *stack;   /* the last stack that added the edge, + 1 */
  double *weight;  /* the value of the stacks through the edge */
  size_t cap;
  const prf_allocator *mem;
} edge_set;

/* Adds a call seen in stack `stack`; as pprof, only its first occurrence
 * in a stack counts. */
static bool edge_add(edge_set *e, uint32_t from, uint32_t to, bool inl,
                     size_t stack, double value) {
  const prf_allocator *mem = e->mem;
  bool fresh;
  uint32_t id =
      prf_keymap_id(mem, &e->ids, ((uint64_t)from << 32) | to, &fresh);
  if (!id)
    return false;
  if (fresh) {
    size_t cap = e->cap;
    if (!prf_grow(mem, (void **)&e->inl, &cap, (size_t)id + 1, 1))
      return false;
    cap = e->cap;
    if (!prf_grow(mem, (void **)&e->stack, &cap, (size_t)id + 1,
                  sizeof *e->stack))
      return false;
    cap = e->cap;
    if (!prf_grow(mem, (void **)&e->weight, &cap, (size_t)id + 1,
                  sizeof *e->weight))
      return false;
    e->cap = cap;
    e->inl[id] = inl;
    e->stack[id] = stack + 1;
    e->weight[id] = value;
  } else if (e->stack[id] != stack + 1) {
    e->stack[id] = stack + 1;
    e->weight[id] += value;
    if (!inl)
      e->inl[id] = 0; /* one call that was not inlined makes the edge plain */
  }
  return true;
}

static void edge_free(edge_set *e) {
  const prf_allocator *mem = e->mem;
  prf_keymap_free(mem, &e->ids);
  prf_mem_free(mem, e->inl);
  prf_mem_free(mem, e->stack);
  prf_mem_free(mem, e->weight);
}

typedef struct top_work {
  const prf_profile *p;
  const prf_tree *t;
  size_t column;
  const uint32_t *row_of;  /* frame -> row */
  prf_node *path;          /* the tree's stacks: nodes, then frames */
  prf_fid *frames;
  size_t path_cap;
  size_t *seen;      /* row -> last stack that counted it */
} top_work;

/* One row per function name; *row_of gets each frame's row. */
static prf_status make_rows(top_work *w, prf_top *top, uint32_t **row_of) {
  const prf_allocator *mem = &top->allocator;
  size_t nframes = prf_frame_count(w->p), nstr = 1, cap = 0;
  for (size_t f = 0; f < nframes; f++)
    if (prf_frame_get(w->p, (prf_fid)f)->name + 1 > nstr)
      nstr = prf_frame_get(w->p, (prf_fid)f)->name + 1;
  uint32_t *row_by_name = prf_mem_calloc(mem, nstr, sizeof *row_by_name);
  *row_of = prf_mem_alloc(mem, (nframes ? nframes : 1) * sizeof **row_of);
  if (!row_by_name || !*row_of) {
    prf_mem_free(mem, row_by_name);
    return PRF_E_NOMEM;
  }
  for (size_t f = 0; f < nframes; f++) {
    prf_str name = prf_frame_get(w->p, (prf_fid)f)->name;
    if (!row_by_name[name]) {
      if (!prf_grow(mem, (void **)&top->rows, &cap, top->count + 1,
                    sizeof *top->rows)) {
        prf_mem_free(mem, row_by_name);
        return PRF_E_NOMEM;
      }
      memset(&top->rows[top->count], 0, sizeof *top->rows);
      top->rows[top->count].name = name;
      row_by_name[name] = (uint32_t)++top->count;
    }
    (*row_of)[f] = row_by_name[name] - 1;
  }
  prf_mem_free(mem, row_by_name);
  return PRF_OK;
}

/* The stacks come from the call tree or, read with top_only, from the
 * profile's list of stacks. */
static size_t stack_count(const top_work *w) {
  return w->p->top_only ? w->p->stacks.count : prf_tree_stack_count(w->t);
}

/* The value of stack i: read in place, no look-up by node. */
static double stack_value(const top_work *w, size_t i) {
  if (w->p->top_only)
    return w->p->stacks.values[i * w->p->ncols + w->column];
  return w->t->stack_self[i * w->t->ncol + w->column];
}

/* The frames of stack i, root first (0 for the empty stack). */
static size_t stack_frames(top_work *w, size_t i, const prf_fid **frames) {
  if (w->p->top_only) {
    const prf_stack_ref *s = &w->p->stacks.stack[i];
    *frames = w->p->stacks.frames + s->first;
    return s->depth;
  }
  size_t depth = prf_tree_path(w->t, prf_tree_stack(w->t, i), w->path, w->path_cap);
  for (size_t d = 0; d < depth; d++)
    w->frames[d] = w->t->nodes[w->path[d]].frame;
  *frames = w->frames;
  return depth;
}

/* The total is the sum of |value| per sample, as pprof counts it (a delta
 * profile's gains and losses on one stack do not cancel out). */
static double total_of(const top_work *w) {
  if (w->p->unfiltered_total) /* pprof: shares of the whole profile */
    return w->p->unfiltered_total[w->column];
  if (w->p->top_only)
    return w->p->stacks.abs_total ? w->p->stacks.abs_total[w->column] : 0;
  double total = 0;
  size_t n = prf_sample_count(w->p);
  for (size_t i = 0; i < n; i++)
    if (prf_sample_get(w->p, i)->leaf != 0) /* pprof drops empty stacks */
      total += fabs(prf_sample_values(w->p, i)[w->column]);
  for (size_t i = 0; n == 0 && i < prf_tree_stack_count(w->t); i++)
    if (prf_tree_stack(w->t, i) != 0)
      total += fabs(stack_value(w, i));
  return total;
}

/* A row's cum is the sum of the totals of the nodes that are its topmost
 * occurrence on their path: every stack through the row passes through
 * exactly one of them. One walk over the tree in pre-order (by parent
 * links, no recursion), counting per row how many nodes on the current
 * path show it, replaces walking every stack's path to the root: a node
 * is visited once, not once per stack below it, and once for all the
 * tables and columns asked for. */
prf_status prf_tree_row_sums(const prf_profile *p, prf_row_sums *tables,
                             size_t ntables) {
  const prf_allocator *mem = &p->mem;
  const prf_tree *t = prf_profile_tree_const(p);
  const prf_tnode *nodes = t->nodes;
  size_t k = t->ncol;
  uint32_t **on_path = prf_mem_calloc(mem, ntables ? ntables : 1, sizeof *on_path);
  /* The cast is prf_tree_total's documented lazy computation. */
  bool ok = on_path && prf_tree_compute_totals((prf_tree *)t);
  for (size_t j = 0; ok && j < ntables; j++)
    ok = (on_path[j] = prf_mem_calloc(mem, tables[j].nrows ? tables[j].nrows : 1,
                                      sizeof **on_path)) != NULL;
  for (size_t i = 0; ok && i < t->nstacks; i++) {
    prf_node leaf = t->stack_node[i];
    for (size_t j = 0; leaf != 0 && j < ntables; j++) {
      double *flat =
          tables[j].flat + (size_t)tables[j].row_of[nodes[leaf].frame] * k;
      for (size_t c = 0; c < k; c++)
        flat[c] += t->stack_self[i * k + c];
    }
  }
  prf_node n = ok ? nodes[0].first_child : PRF_NONE;
  while (n != PRF_NONE) {
    for (size_t j = 0; j < ntables; j++) {
      uint32_t r = tables[j].row_of[nodes[n].frame];
      if (on_path[j][r]++ == 0)
        for (size_t c = 0; c < k; c++)
          tables[j].cum[(size_t)r * k + c] += t->total[(size_t)n * k + c];
    }
    if (nodes[n].first_child != PRF_NONE) {
      n = nodes[n].first_child;
      continue;
    }
    /* Leave n and the ancestors whose children are all done. */
    while (n != 0) {
      for (size_t j = 0; j < ntables; j++)
        on_path[j][tables[j].row_of[nodes[n].frame]]--;
      if (nodes[n].next_sibling != PRF_NONE) {
        n = nodes[n].next_sibling;
        break;
      }
      n = nodes[n].parent;
    }
    if (n == 0)
      break;
  }
  for (size_t j = 0; on_path && j < ntables; j++)
    prf_mem_free(mem, on_path[j]);
  prf_mem_free(mem, on_path);
  return ok ? PRF_OK : PRF_E_NOMEM;
}

/* prf_top's rows from prf_tree_row_sums, for one column. */
static prf_status add_values_tree(top_work *w, prf_top *top) {
  const prf_allocator *mem = &top->allocator;
  size_t k = w->t->ncol, nrows = top->count;
  prf_row_sums sums = {w->row_of, nrows,
                       prf_mem_calloc(mem, nrows * k + 1, sizeof(double)),
                       prf_mem_calloc(mem, nrows * k + 1, sizeof(double))};
  prf_status st =
      sums.flat && sums.cum ? prf_tree_row_sums(w->p, &sums, 1) : PRF_E_NOMEM;
  for (size_t r = 0; st == PRF_OK && r < nrows; r++) {
    top->rows[r].flat = sums.flat[r * k + w->column];
    top->rows[r].cum = sums.cum[r * k + w->column];
  }
  if (st == PRF_OK)
    top->total = total_of(w);
  prf_mem_free(mem, sums.flat);
  prf_mem_free(mem, sums.cum);
  return st;
}

/* Flat to the leaf, cum to each row once per stack. */
static prf_status add_values(top_work *w, prf_top *top) {
  if (!w->p->top_only)
    return add_values_tree(w, top);
  const prf_allocator *mem = &top->allocator;
  w->seen = prf_mem_calloc(mem, top->count ? top->count : 1, sizeof *w->seen);
  if (!w->seen)
    return PRF_E_NOMEM;
  top->total = total_of(w);
  for (size_t i = 0; i < stack_count(w); i++) {
    double v = stack_value(w, i);
    const prf_fid *frames;
    size_t depth = v != 0 ? stack_frames(w, i, &frames) : 0;
    if (depth == 0)
      continue;
    top->rows[w->row_of[frames[depth - 1]]].flat += v;
    for (size_t d = 0; d < depth; d++) {
      uint32_t r = w->row_of[frames[d]];
      if (w->seen[r] != i + 1) {
        w->seen[r] = i + 1;
        top->rows[r].cum += v;
      }
    }
  }
  return PRF_OK;
}

/* Inline labels from the calls between kept rows (keep[r] = new index + 1). */
static prf_status label_inlines(top_work *w, prf_top *top, const uint32_t *keep,
                                prf_top_row *kept, double edge_cutoff) {
  edge_set e = {.mem = &top->allocator};
  for (size_t i = 0; i < stack_count(w); i++) {
    const prf_fid *frames;
    size_t depth = stack_value(w, i) != 0 ? stack_frames(w, i, &frames) : 0;
    uint32_t parent = UINT32_MAX;
    for (size_t d = 0; d < depth; d++) {
      prf_fid fid = frames[d];
      uint32_t r = keep[w->row_of[fid]];
      if (!r)
        continue;
      bool inl = prf_frame_get(w->p, fid)->kind == PRF_KIND_INLINED;
      if (parent != UINT32_MAX && parent != r - 1 && /* no self-calls */
          !edge_add(&e, parent, r - 1, inl, i, stack_value(w, i))) {
        edge_free(&e);
        return PRF_E_NOMEM;
      }
      parent = r - 1;
    }
  }
  /* As pprof, edges lighter than the edge cutoff do not count (in a delta
     profile, calls whose gains and losses cancel). */
  for (size_t j = 0; j < e.ids.cap; j++) {
    if (!e.ids.keys[j] || fabs(e.weight[e.ids.ids[j]]) < edge_cutoff)
      continue;
    prf_top_row *r = &kept[(uint32_t)((e.ids.keys[j] - 1) & 0xFFFFFFFF)];
    r->inlined |= e.inl[e.ids.ids[j]] ? 1 : 2; /* 1: an inlined call, 2: a plain one */
  }
  for (size_t r = 0; r < top->count; r++) /* 1 all inline, 2 mixed */
    kept[r].inlined = kept[r].inlined == 1 ? 1 : kept[r].inlined == 3 ? 2 : 0;
  edge_free(&e);
  return PRF_OK;
}

static prf_status select_rows(top_work *w, prf_top *top,
                              const prf_top_options *o) {
  const prf_allocator *mem = &top->allocator;
  size_t all = top->count;
  uint32_t *order = prf_mem_alloc(mem, (all ? all : 1) * sizeof *order);
  uint32_t *keep = prf_mem_calloc(mem, all ? all : 1, sizeof *keep);
  prf_top_row *kept = prf_mem_alloc(mem, (all ? all : 1) * sizeof *kept);
  top_ctx ctx = {w->p, top->rows, o->by_cum};
  prf_status st = order && keep && kept ? PRF_OK : PRF_E_NOMEM;
  /* pprof drops rows by a share of the signed sum of what the (filtered)
     profile holds, and prints the cutoff as that share of the total. */
  double sum = 0;
  for (size_t i = 0; i < all; i++)
    sum += top->rows[i].flat;
  double drop_below = (double)(long long)fabs(sum * o->node_fraction);
  top->cutoff = (double)(long long)fabs(top->total * o->node_fraction);
  /* Only the rows above the cutoff need an order. */
  size_t candidates = 0, n = 0;
  for (size_t i = 0; st == PRF_OK && i < all; i++) {
    const prf_top_row *r = &top->rows[i];
    if (r->flat == 0 && r->cum == 0)
      continue; /* never on a stack with a value: not a node for pprof */
    if (fabs(r->cum) < drop_below)
      top->dropped++;
    else
      order[candidates++] = (uint32_t)i;
  }
  if (st == PRF_OK && !prf_sort_ids(mem, order, candidates, row_cmp, &ctx))
    st = PRF_E_NOMEM;
  for (size_t i = 0; st == PRF_OK && i < candidates; i++) {
    if (o->node_count && n >= o->node_count) {
      top->trimmed++;
      continue;
    }
    kept[n] = top->rows[order[i]];
    kept[n].inlined = 0;
    keep[order[i]] = (uint32_t)++n;
  }
  if (st == PRF_OK) {
    top->count = n;
    st = label_inlines(w, top, keep, kept,
                       (double)(long long)fabs(sum * o->edge_fraction));
  }
  if (st == PRF_OK) {
    prf_mem_free(mem, top->rows);
    top->rows = kept;
    kept = NULL;
  }
  prf_mem_free(mem, order);
  prf_mem_free(mem, keep);
  prf_mem_free(mem, kept);
  return st;
}

/* Room for the longest path of the tree. */
static bool path_alloc(top_work *w) {
  const prf_allocator *mem = &w->p->mem;
  w->path_cap = (size_t)prf_tree_max_depth(w->t) + 1;
  w->path = prf_mem_alloc(mem, w->path_cap * sizeof *w->path);
  w->frames = prf_mem_alloc(mem, w->path_cap * sizeof *w->frames);
  return w->path && w->frames;
}

/* The value column asked for (SIZE_MAX: the profile's default). */
static prf_status pick_column(const prf_profile *p, size_t asked,
                              size_t *column, prf_error *err) {
  *column = asked == SIZE_MAX ? prf_value_default(p) : asked;
  if (*column >= prf_value_count(p))
    return prf_fail(err, PRF_E_USAGE, "value column %zu does not exist", *column);
  return PRF_OK;
}

prf_status prf_top_compute(const prf_profile *p, const prf_top_options *o,
                           prf_top *top, prf_error *err) {
  const prf_allocator *mem = &p->mem;
  prf_top_options defaults;
  if (!o) {
    prf_top_options_init(&defaults);
    o = &defaults;
  }
  memset(top, 0, sizeof *top);
  top->allocator = p->mem;
  size_t column;
  prf_status st = pick_column(p, o->column, &column, err);
  if (st != PRF_OK)
    return st;
  top->column = column;
  top_work w = {p, prf_profile_tree_const(p), column, NULL, NULL, NULL, 0, NULL};
  uint32_t *row_of = NULL;
  st = path_alloc(&w) ? make_rows(&w, top, &row_of) : PRF_E_NOMEM;
  w.row_of = row_of;
  if (st == PRF_OK)
    st = add_values(&w, top);
  if (st == PRF_OK) /* a call graph's own numbers, not the rebuilt tree's */
    prf_callgraph_top(p, column, row_of, top->rows, top->count);
  if (st == PRF_OK)
    st = select_rows(&w, top, o);
  prf_mem_free(mem, w.path);
  prf_mem_free(mem, w.frames);
  prf_mem_free(mem, row_of);
  prf_mem_free(mem, w.seen);
  if (st != PRF_OK) {
    prf_top_free(top);
    return prf_fail(err, st, "out of memory computing the top table");
  }
  return PRF_OK;
}

prf_status prf_top_grouped(const prf_profile *p, size_t column,
                           const uint32_t *row_of, size_t nrows, prf_top *top,
                           prf_error *err) {
  const prf_allocator *mem = &p->mem;
  memset(top, 0, sizeof *top);
  top->allocator = p->mem;
  prf_status st = pick_column(p, column, &top->column, err);
  if (st != PRF_OK)
    return st;
  top_work w = {p, prf_profile_tree_const(p), top->column, row_of, NULL, NULL, 0, NULL};
  top->rows = prf_mem_calloc(mem, nrows ? nrows : 1, sizeof *top->rows);
  top->count = nrows;
  st = top->rows && path_alloc(&w) ? add_values(&w, top) : PRF_E_NOMEM;
  prf_mem_free(mem, w.path);
  prf_mem_free(mem, w.frames);
  prf_mem_free(mem, w.seen);
  if (st != PRF_OK) {
    prf_top_free(top);
    return prf_fail(err, st, "out of memory computing the values per function");
  }
  return PRF_OK;
}
