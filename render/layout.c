/*
 * layout.c - from a tree (or a time-ordered sample list) to frames.
 * Walks are iterative with explicit stacks: stacks can be a million deep.
 */
#include "layout.h"

#include "escape.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sort_ctx {
  const prf_profile *profile;
  const prf_layout *l;
  bool by_weight;
} sort_ctx;

/* The width a node gets: its total in the laid-out column, or, with
   PRF_WIDTH_MAX, the sum over its stacks of the larger column. */
static double node_total(const prf_layout *l, prf_node n) {
  return l->wtotal ? l->wtotal[n] : prf_tree_total(l->tree, n, l->column);
}

static double stack_max(const prf_tree *t, prf_node n) {
  double a = prf_tree_self(t, n, 0), b = prf_tree_self(t, n, 1);
  return a > b ? a : b;
}

static double node_self(const prf_layout *l, prf_node n) {
  return l->wtotal ? stack_max(l->tree, n) : prf_tree_self(l->tree, n, l->column);
}

/* PRF_WIDTH_MAX: each stack as wide as the larger of its two values,
   summed up the tree (children follow parents in id order). */
static bool compute_max_widths(prf_layout *l) {
  const prf_allocator *mem = l->mem;
  const prf_tree *t = l->tree;
  size_t count = prf_tree_node_count(t);
  l->wtotal = prf_mem_calloc(mem, count ? count : 1, sizeof *l->wtotal);
  if (!l->wtotal)
    return false;
  for (size_t i = 0; i < prf_tree_stack_count(t); i++) {
    prf_node n = prf_tree_stack(t, i);
    l->wtotal[n] += stack_max(t, n);
  }
  for (size_t n = count; n-- > 1;)
    l->wtotal[prf_tree_parent(t, (prf_node)n)] += l->wtotal[n];
  return true;
}

/* Compares the byte strings a1 a2 and b1 b2 (each the concatenation of two
 * pieces) without building them. */
static int concat_cmp(const char *a1, size_t n1, const char *a2, size_t n2,
                      const char *b1, size_t m1, const char *b2, size_t m2) {
  size_t na = n1 + n2, nb = m1 + m2;
  for (size_t i = 0; i < na && i < nb; i++) {
    unsigned char x = (unsigned char)(i < n1 ? a1[i] : a2[i - n1]);
    unsigned char y = (unsigned char)(i < m1 ? b1[i] : b2[i - m1]);
    if (x != y)
      return x < y ? -1 : 1;
  }
  return (na > nb) - (na < nb);
}

/* Siblings sort by the name as a folded file writes it (with its _[k]-style
 * suffix), so the order matches flamegraph.pl's sorted input; the other
 * fields break ties between frames that only differ there. */
static int frame_cmp(const prf_profile *p, prf_fid a, prf_fid b) {
  const prf_frame *x = prf_frame_get(p, a), *y = prf_frame_get(p, b);
  size_t xl, yl;
  const char *xs = prf_string(p, x->name, &xl);
  const char *ys = prf_string(p, y->name, &yl);
  int c = memcmp(xs, ys, xl < yl ? xl : yl);
  if (c)
    return c;
  const char *xk = prf_kind_suffix(x->kind), *yk = prf_kind_suffix(y->kind);
  c = concat_cmp(xs, xl, xk, strlen(xk), ys, yl, yk, strlen(yk));
  if (c)
    return c;
  if (x->kind != y->kind)
    return x->kind < y->kind ? -1 : 1;
  c = strcmp(prf_string(p, x->file, NULL), prf_string(p, y->file, NULL));
  if (c)
    return c;
  c = strcmp(prf_string(p, x->module, NULL), prf_string(p, y->module, NULL));
  if (c)
    return c;
  if (x->line != y->line)
    return x->line < y->line ? -1 : 1;
  if (x->column != y->column)
    return x->column < y->column ? -1 : 1;
  if (x->address != y->address)
    return x->address < y->address ? -1 : 1;
  return (x->in_app > y->in_app) - (x->in_app < y->in_app);
}

static int child_cmp(void *vctx, uint32_t a, uint32_t b) {
  const sort_ctx *ctx = vctx;
  if (ctx->by_weight) {
    double wa = node_total(ctx->l, a);
    double wb = node_total(ctx->l, b);
    if (wa != wb)
      return wa > wb ? -1 : 1;
  }
  return frame_cmp(ctx->profile, prf_tree_frame(ctx->l->tree, a),
                   prf_tree_frame(ctx->l->tree, b));
}

double prf_measure_fixed(void *ctx, const char *text, size_t len) {
  double advance = *(const double *)ctx;
  size_t cps = 0;
  for (size_t i = 0; i < len; i++)
    cps += ((unsigned char)text[i] & 0xC0) != 0x80;
  return (double)cps * advance;
}

const char *prf_layout_name(const prf_layout *l, prf_node node, size_t *len) {
  const prf_profile *p = prf_tree_profile(l->tree);
  if (node == 0) {
    *len = 3;
    return "all";
  }
  const prf_frame *f = prf_frame_get(p, prf_tree_frame(l->tree, node));
  return prf_string(p, f->name, len);
}

/* Byte length of the first n code points of s. */
static size_t prefix_bytes(const char *s, size_t len, size_t n) {
  size_t i = 0;
  while (i < len && n > 0) {
    i++;
    while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
      i++;
    n--;
  }
  return i;
}

/* flamegraph.pl's rule: the whole name when it fits; otherwise as many
 * characters as fit with ".." after them; nothing when not even three
 * characters fit. */
static void fit_label(prf_layout_frame *f, const char *name, size_t len,
                      double px, prf_measure_fn measure, void *mctx) {
  f->label_len = 0;
  f->label_dots = false;
  if (measure(mctx, name, len) <= px) {
    f->label_len = (uint32_t)(len < UINT32_MAX ? len : UINT32_MAX);
    return;
  }
  if (measure(mctx, "...", 3) > px)
    return;
  double dots = measure(mctx, "..", 2);
  size_t lo = 0, hi = 0; /* code points: lo fits, hi + 1 does not */
  for (size_t i = 0; i < len; i++)
    hi += ((unsigned char)name[i] & 0xC0) != 0x80;
  while (lo < hi) {
    size_t mid = lo + (hi - lo + 1) / 2;
    if (measure(mctx, name, prefix_bytes(name, len, mid)) + dots <= px)
      lo = mid;
    else
      hi = mid - 1;
  }
  if (lo == 0)
    return;
  f->label_len = (uint32_t)prefix_bytes(name, len, lo);
  f->label_dots = true;
}

static bool push_frame(prf_layout *l, prf_node node, uint32_t depth, double x,
                       double w) {
  const prf_allocator *mem = l->mem;
  if (!prf_grow(mem, (void **)&l->frames, &l->cap, l->count + 1,
                sizeof *l->frames))
    return false;
  prf_layout_frame *f = &l->frames[l->count++];
  memset(f, 0, sizeof *f);
  f->node = node;
  f->depth = depth;
  f->x = x;
  f->w = w;
  if (depth > l->max_depth)
    l->max_depth = depth;
  return true;
}

typedef struct pending {
  prf_node node;
  double x;
} pending;

/* Depth-first, children in sort order, each placed after its elder
 * siblings. Frames narrower than min_w are dropped with their subtrees. */
static prf_status layout_merged(prf_layout *l, const prf_profile *profile,
                                int sort, double min_w) {
  const prf_allocator *mem = l->mem;
  const prf_tree *t = l->tree;
  sort_ctx ctx = {profile, l, sort == PRF_SORT_WEIGHT};
  /* The detailed differential view outlines a frame whose children have
     samples only in the other column (calls that vanished). */
  size_t other = l->column == 1 ? 0 : 1;
  bool mark_hidden = l->details && !l->wtotal;
  pending *stack = NULL;
  size_t depth = 0, cap = 0;
  uint32_t *kids = NULL;
  double *gaps = NULL;
  size_t kids_cap = 0, gaps_cap = 0;
  prf_status st = PRF_OK;
  if (!prf_grow(mem, (void **)&stack, &cap, 1, sizeof *stack))
    return PRF_E_NOMEM;
  stack[depth++] = (pending){0, 0};
  while (depth > 0 && st == PRF_OK) {
    pending at = stack[--depth];
    double w = node_total(l, at.node);
    if (!push_frame(l, at.node, prf_tree_depth(t, at.node), at.x, w)) {
      st = PRF_E_NOMEM;
      break;
    }
    /* Only the children wide enough to draw are sorted; each narrower one
       only moves the drawn siblings that sort after it to the right, so it
       is added to the gap before the first of them, found by binary
       search. A node with ten million thin children costs a pass over them,
       not a sort. */
    size_t n = 0, nthin = 0;
    for (prf_node c = prf_tree_first_child(t, at.node); c != PRF_NONE;
         c = prf_tree_next_sibling(t, c))
      n++;
    if (!prf_grow(mem, (void **)&kids, &kids_cap, n, sizeof *kids) ||
        !prf_grow(mem, (void **)&gaps, &gaps_cap, n + 1, sizeof *gaps)) {
      st = PRF_E_NOMEM;
      break;
    }
    size_t nwide = 0;
    for (prf_node c = prf_tree_first_child(t, at.node); c != PRF_NONE;
         c = prf_tree_next_sibling(t, c)) {
      double cw = node_total(l, c);
      if (cw >= min_w && cw > 0)
        kids[nwide++] = c;
      else
        kids[n - ++nthin] = c; /* the thin ones fill from the end */
    }
    if (!prf_sort_ids(mem, kids, nwide, child_cmp, &ctx) ||
        !prf_grow(mem, (void **)&stack, &cap, depth + nwide, sizeof *stack)) {
      st = PRF_E_NOMEM;
      break;
    }
    prf_layout_frame *parent = &l->frames[l->count - 1];
    for (size_t i = 0; i <= nwide; i++)
      gaps[i] = 0;
    for (size_t k = n - nthin; k < n; k++) {
      double cw = node_total(l, kids[k]);
      if (mark_hidden && cw == 0)
        parent->hidden += prf_tree_total(t, kids[k], other);
      size_t lo = 0, hi = nwide; /* the first wide child after kids[k] */
      while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (child_cmp(&ctx, kids[mid], kids[k]) < 0)
          lo = mid + 1;
        else
          hi = mid;
      }
      gaps[lo] += cw;
    }
    /* Children start after the node's own samples, as in flamegraph.pl
       (its sorted input lists "a;b N" before "a;b;c M"). Push right to
       left so that the leftmost child is laid out first. */
    double x = at.x + node_self(l, at.node);
    for (size_t i = 0; i < nwide; i++) { /* gaps[i] becomes kids[i]'s x */
      x += gaps[i];
      gaps[i] = x;
      x += node_total(l, kids[i]);
    }
    for (size_t i = nwide; i-- > 0;)
      stack[depth++] = (pending){kids[i], gaps[i]};
  }
  prf_mem_free(mem, stack);
  prf_mem_free(mem, kids);
  prf_mem_free(mem, gaps);
  return st;
}

static int by_thread_time(void *ctx, uint32_t a, uint32_t b) {
  const prf_profile *p = ctx;
  const prf_sample *x = prf_sample_get(p, a), *y = prf_sample_get(p, b);
  if (x->thread != y->thread)
    return x->thread < y->thread ? -1 : 1;
  if (x->time != y->time)
    return x->time < y->time ? -1 : 1;
  return 0;
}

/* The order of a flame chart: input order, or, when the samples carry
 * timestamps, each thread's samples in time order (threads one after the
 * other, so a thread root frame spans its thread). NULL with *failed
 * false means input order. */
static uint32_t *chart_order(const prf_profile *profile, bool *failed) {
  const prf_allocator *mem = &profile->mem;
  size_t n = prf_sample_count(profile);
  *failed = false;
  bool timed = false, sorted = true;
  for (size_t i = 0; i < n; i++) {
    const prf_sample *s = prf_sample_get(profile, i);
    timed = timed || s->time != INT64_MIN;
    if (i && by_thread_time((void *)profile, (uint32_t)i - 1, (uint32_t)i) > 0)
      sorted = false;
  }
  if (!timed || sorted || n > UINT32_MAX)
    return NULL;
  uint32_t *order = prf_mem_alloc(mem, n * sizeof *order);
  if (!order) {
    *failed = true;
    return NULL;
  }
  for (size_t i = 0; i < n; i++)
    order[i] = (uint32_t)i;
  if (!prf_sort_ids(mem, order, n, by_thread_time, (void *)profile)) {
    prf_mem_free(mem, order);
    *failed = true;
    return NULL;
  }
  return order;
}

/* A flame chart: samples in time order (else input order); a frame spans
 * consecutive samples that share its path. */
static prf_status layout_chart(prf_layout *l, const prf_profile *profile,
                               double min_w) {
  const prf_allocator *mem = l->mem;
  const prf_tree *t = l->tree;
  size_t cap = (size_t)prf_tree_max_depth(t) + 1;
  prf_node *path = prf_mem_alloc(mem, cap * sizeof *path);
  prf_node *open = prf_mem_alloc(mem, cap * sizeof *open);
  double *start = prf_mem_alloc(mem, cap * sizeof *start);
  bool order_failed;
  uint32_t *order = chart_order(profile, &order_failed);
  prf_status st = PRF_OK;
  if (!path || !open || !start || order_failed)
    st = PRF_E_NOMEM;
  size_t nopen = 0;
  double x = 0;
  size_t n = prf_sample_count(profile);
  for (size_t i = 0; i <= n && st == PRF_OK; i++) {
    size_t depth = 0;
    double v = 0;
    if (i < n) {
      size_t si = order ? order[i] : i;
      const prf_sample *s = prf_sample_get(profile, si);
      v = prf_sample_values(profile, si)[l->column];
      if (v <= 0)
        continue;
      depth = prf_tree_path(t, s->leaf, path, cap);
    }
    size_t k = 0;
    while (k < nopen && k < depth && open[k] == path[k])
      k++;
    while (nopen > k && st == PRF_OK) {
      nopen--;
      double w = x - start[nopen];
      if (w >= min_w && !push_frame(l, open[nopen], (uint32_t)nopen + 1,
                                    start[nopen], w))
        st = PRF_E_NOMEM;
    }
    for (; nopen < depth; nopen++) {
      open[nopen] = path[nopen];
      start[nopen] = x;
    }
    x += v;
  }
  if (st == PRF_OK && !push_frame(l, 0, 0, 0, x))
    st = PRF_E_NOMEM;
  prf_mem_free(mem, order);
  prf_mem_free(mem, path);
  prf_mem_free(mem, open);
  prf_mem_free(mem, start);
  return st;
}

static void decorate(prf_layout *l, const prf_flame_options *o,
                     prf_palette palette, prf_measure_fn measure, void *mctx) {
  const prf_profile *p = prf_tree_profile(l->tree);
  if (l->differential) {
    for (size_t i = 0; i < l->count; i++) {
      prf_layout_frame *f = &l->frames[i];
      /* Growth is after - before whichever column gives the width. */
      f->delta = prf_tree_total(l->tree, f->node, 1) -
                 prf_tree_total(l->tree, f->node, 0);
      if (o->negate)
        f->delta = -f->delta; /* flamegraph.pl: swap the hues only */
      if (fabs(f->delta) > l->max_delta)
        l->max_delta = fabs(f->delta);
    }
  }
  for (size_t i = 0; i < l->count; i++) {
    prf_layout_frame *f = &l->frames[i];
    size_t len;
    const char *name = prf_layout_name(l, f->node, &len);
    if (l->differential) {
      f->rgb = l->max_delta > 0 ? prf_palette_diff(f->delta, l->max_delta)
                                : 0xFAFAFA;
    } else {
      uint8_t kind = f->node ? prf_frame_get(p, prf_tree_frame(l->tree, f->node))->kind : 0;
      f->rgb = prf_palette_color(palette, name, len, kind);
    }
    fit_label(f, name, len, f->w * l->px_per_sample - 3, measure, mctx);
  }
}

void prf_layout_format_value(const prf_layout *l, const prf_flame_options *o,
                             double v, char *out, size_t size) {
  const char *unit = prf_value_unit(prf_tree_profile(l->tree), l->column);
  if (!*unit || strcmp(unit, "count") == 0 || strcmp(unit, "samples") == 0) {
    char count[64];
    prf_format_count(count, sizeof count, v * o->factor);
    snprintf(out, size, "%s %s", count, o->count_name ? o->count_name : "samples");
  } else {
    prf_format_measure(out, size, v * o->factor, unit);
  }
}

static double base_factor_of(const prf_profile *p) {
  const char *f = prf_meta_get(p, "diff_base_factor");
  double factor = f ? strtod(f, NULL) : 1;
  return factor > 0 && isfinite(factor) ? factor : 1;
}

void prf_layout_diff_values(const prf_layout *l, prf_node node,
                            double value[2], double share[2]) {
  for (size_t c = 0; c < 2; c++) {
    double all = prf_tree_total(l->tree, 0, c);
    value[c] = prf_tree_total(l->tree, node, c);
    share[c] = all != 0 ? value[c] / all : 0;
  }
  value[0] *= l->base_factor;
}

/* The legend row of the detailed differential view, left to right:
   [red] grew  [blue] shrank  [outline] calls only in BASE  width: NEW... */
static void build_legend(prf_layout *l, const prf_flame_options *o,
                         prf_measure_fn measure, void *mctx) {
  const prf_profile *p = prf_tree_profile(l->tree);
  const char *colour = prf_meta_get(p, "diff_colour");
  bool absolute = colour && strcmp(colour, "absolute") == 0;
  const char *width = l->wtotal       ? "width: the larger of BASE and NEW"
                      : l->column == 1 ? "width: NEW"
                                       : "width: BASE";
  struct {
    int swatch;
    uint32_t rgb;
    const char *text;
  } items[] = {
      {1, prf_palette_diff(o->negate ? -1 : 1, 1), "grew"},
      {1, prf_palette_diff(o->negate ? 1 : -1, 1), "shrank"},
      {2, 0xFAFAFA, /* an unchanged frame, outlined */
       l->column == 1 ? "has calls only in BASE" : "has calls only in NEW"},
      {0, 0, width},
      {0, 0, absolute ? "colour: change in samples"
                      : "colour: change in share of the total"}};
  double x = l->xpad, s = l->font_size * 0.8;
  for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
    if (items[i].swatch == 2 && l->wtotal)
      continue; /* every frame of both sides is drawn */
    struct prf_legend_item *it = &l->legend[l->nlegend++];
    it->x = x;
    it->swatch = items[i].swatch;
    it->rgb = items[i].rgb;
    it->text = items[i].text;
    it->text_x = it->swatch ? x + s + 4 : x;
    x = it->text_x + measure(mctx, it->text, strlen(it->text)) + 14;
  }
}

/* The subtitle option, else "release 1.2 · production · GET /users" from
 * the metadata that says which run of which program this is ("" when
 * none). NULL when out of memory. */
static char *make_subtitle(const prf_profile *p, const char *option) {
  const prf_allocator *mem = &p->mem;
  static const char *const keys[][2] = {
      {"release", "release "}, {"environment", ""}, {"transaction", ""},
      {"platform", ""}, {"trace_id", "trace "}, {"callgraph", ""}};
  prf_buf b;
  prf_buf_init(&b, mem);
  if (option) {
    prf_buf_puts(&b, option);
  } else {
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
      const char *v = prf_meta_get(p, keys[i][0]);
      if (!v || !*v)
        continue;
      if (b.len)
        prf_buf_puts(&b, " \xc2\xb7 ");
      prf_buf_puts(&b, keys[i][1]);
      prf_buf_puts(&b, v);
    }
  }
  prf_buf_putc(&b, '\0');
  if (b.failed) {
    prf_buf_free(&b);
    return NULL;
  }
  return b.data;
}

prf_status prf_layout_build(prf_layout *l, prf_profile *profile,
                            const prf_flame_options *o, prf_measure_fn measure,
                            void *mctx, prf_error *err) {
  memset(l, 0, sizeof *l);
  l->mem = &profile->mem;
  prf_status st = prf_flame_options_check(o, err);
  if (st != PRF_OK)
    return st;
  prf_palette palette = PRF_PAL_HOT;
  prf_palette_lookup(o->colors ? o->colors : "hot", &palette);
  size_t ncols = prf_value_count(profile);
  if (ncols == 0)
    return prf_fail(err, PRF_E_DATA, "the profile has no values to draw");
  l->column = o->column == SIZE_MAX ? prf_value_default(profile) : o->column;
  if (l->column >= ncols)
    return prf_fail(err, PRF_E_USAGE, "value column %zu does not exist",
                    l->column);
  l->differential = prf_is_differential(profile) && !o->flamechart;
  l->details = l->differential && o->diff_details;
  l->base_factor = base_factor_of(profile);
  l->tree = prf_profile_tree(profile);
  if (o->reverse) {
    l->owned = prf_tree_reversed(l->tree, err);
    if (!l->owned)
      return PRF_E_NOMEM;
    l->tree = l->owned;
  }
  if (!prf_tree_compute_totals(prf_profile_tree(profile)) ||
      !prf_tree_compute_totals(l->owned ? l->owned : prf_profile_tree(profile))) {
    prf_layout_free(l);
    return prf_fail(err, PRF_E_NOMEM, "out of memory computing totals");
  }
  if (l->differential && o->width_from == PRF_WIDTH_MAX &&
      !compute_max_widths(l)) {
    prf_layout_free(l);
    return prf_fail(err, PRF_E_NOMEM, "out of memory computing widths");
  }
  if (o->flamechart) {
    l->data_total = 0;
    for (size_t i = 0; i < prf_sample_count(profile); i++) {
      double v = prf_sample_values(profile, i)[l->column];
      if (v > 0)
        l->data_total += v;
    }
  } else {
    l->data_total = node_total(l, 0);
  }
  l->total = o->total > l->data_total ? o->total : l->data_total;
  l->xpad = 10;
  l->width = o->width;
  l->frame_height = o->frame_height;
  l->font_size = o->font_size;
  l->px_per_sample = l->total > 0 ? (o->width - 2 * l->xpad) / l->total : 0;
  double min_w = o->min_width_percent
                     ? l->total * o->min_width / 100
                     : (l->px_per_sample > 0 ? o->min_width / l->px_per_sample
                                             : 0);
  st = o->flamechart ? layout_chart(l, profile, min_w)
                     : layout_merged(l, profile, o->sort, min_w);
  if (st != PRF_OK) {
    prf_layout_free(l);
    return prf_fail(err, st, "out of memory laying out the flame graph");
  }
  decorate(l, o, palette, measure, mctx);
  /* An icicle graph shows the details line at the top, under the title,
     where the eye is (as inferno does). */
  if (!(l->subtitle = make_subtitle(profile, o->subtitle))) {
    prf_layout_free(l);
    return prf_fail(err, PRF_E_NOMEM, "out of memory laying out the flame graph");
  }
  double subtitle = *l->subtitle ? o->font_size * 2 : 0;
  l->ypad_top = (o->inverted ? o->font_size * 4 + 4 : o->font_size * 3) + subtitle;
  if (l->details) {
    build_legend(l, o, measure, mctx);
    l->legend_y = o->font_size * 4 + subtitle;
    l->ypad_top += o->font_size * 2;
  }
  l->ypad_bottom = o->inverted ? o->font_size + 10 : o->font_size * 2 + 10;
  l->height = (l->max_depth + 1) * o->frame_height + l->ypad_top + l->ypad_bottom;
  return PRF_OK;
}

void prf_layout_free(prf_layout *l) {
  const prf_allocator *mem = l->mem;
  prf_mem_free(mem, l->frames);
  prf_mem_free(mem, l->subtitle);
  prf_mem_free(mem, l->wtotal);
  prf_tree_free(l->owned);
  memset(l, 0, sizeof *l);
}

/* Rounded to what the SVG prints (x and width to 1/100 pixel, y and
 * height to 1/10), so that every writer draws the very same rectangles. */
void prf_layout_rect(const prf_layout *l, const prf_layout_frame *f,
                     bool inverted, double *x, double *y, double *w,
                     double *h) {
  *x = prf_round_fixed(l->xpad + f->x * l->px_per_sample, 2);
  *w = prf_round_fixed(f->w * l->px_per_sample, 2);
  if (inverted)
    *y = l->ypad_top + f->depth * l->frame_height;
  else
    *y = l->height - l->ypad_bottom - (f->depth + 1) * l->frame_height + 1;
  *y = prf_round_fixed(*y, 1);
  *h = prf_round_fixed(l->frame_height - 1, 1);
}
