/*
 * report.c - `prof-render report`: one self-contained HTML page, the
 * skeleton and data of docs/report-data.md. The page's script and style
 * (render/report.js, report.css) are embedded at build time; the
 * Content-Security-Policy allows them by their SHA-256 and nothing else.
 *
 * The call tree is written at function granularity (frames that differ
 * only in their line or column merge), pruned by share; the tables are
 * computed from the whole tree, exact. Every walk follows node ids
 * (a parent's id is below its children's), so nothing recurses.
 */
#include "escape.h"
#include "sha256.h"
#include "../formats/json.h"

#include "report_assets.h" /* generated: prf_report_js[], prf_report_css[] */

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void prf_report_options_init(prf_report_options *o) {
  memset(o, 0, sizeof *o);
  o->prune = 1e-5;
}

static bool has_prefix(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

prf_status prf_report_options_check(const prf_report_options *o,
                                    prf_error *err) {
  if (!(o->prune >= 0 && o->prune <= 1))
    return prf_fail(err, PRF_E_USAGE, "the prune share must be from 0 to 1");
  if (o->source_url && !has_prefix(o->source_url, "http://") &&
      !has_prefix(o->source_url, "https://"))
    return prf_fail(err, PRF_E_USAGE,
                    "the source URL template must start with http:// or "
                    "https://");
  return PRF_OK;
}

typedef struct report {
  const prf_profile *p;
  const prf_tree *t;
  const prf_report_options *o;
  prf_stream s; /* the output */
  size_t ncol;
  /* The tree at function granularity: node x's parent, frame (an index
     into rep), self and total (ncol values each). */
  prf_keymap pairs;   /* (name, file) -> id */
  prf_keymap mods;    /* (module, kind) -> id */
  prf_keymap funcs;   /* (pair, mod) -> function frame + 1 */
  uint32_t *pair_of;  /* profile frame -> its (name, file) id */
  prf_fid *rep;       /* function frame -> a profile frame of it */
  uint32_t *rep_line; /* its line, 0 when its frames differ */
  size_t nrep, rep_cap, line_cap;
  uint32_t *frame_rep; /* profile frame -> function frame */
  prf_keymap nkeys;   /* (parent, function frame) -> node */
  uint32_t *node_of;  /* profile node -> node */
  uint32_t *parent, *frame;
  double *self, *total;
  size_t nnodes;
  /* Set when every frame is a function of its own (folded input): the
     tree is then the profile's, read in place (t's nodes and totals), and
     the five arrays above stay NULL. */
  bool shared;
  /* What is written: kept nodes, the frames and strings they use. */
  uint32_t *kept;     /* node -> written id, or the nearest kept
                         ancestor's (node 0 is always kept) */
  uint8_t *is_kept;
  size_t nkept;
  uint32_t *out_frame; /* function frame -> written id + 1 */
  uint32_t *frames;    /* written id -> function frame */
  size_t nframes;
  uint32_t *sid;       /* profile string -> written id (0: not yet) */
  prf_str *strings;    /* written id -> profile string */
  size_t nstrings, strings_cap;
} report;

/* ---- output ---- */

static void puts_(report *r, const char *s) { prf_buf_puts(&r->s.buf, s); }

static void num(report *r, double v) { prf_json_number(&r->s.buf, v); }

static void str(report *r, const char *s) {
  prf_json_string(&r->s.buf, s, strlen(s));
}

/* A string id of the page for a profile string. */
static uint32_t sid(report *r, prf_str s) {
  const prf_allocator *mem = &r->p->mem;
  if (s == 0)
    return 0;
  if (!r->sid[s]) {
    if (!prf_grow(mem, (void **)&r->strings, &r->strings_cap, r->nstrings + 1,
                  sizeof *r->strings)) {
      r->s.nomem = true;
      return 0;
    }
    r->strings[r->nstrings] = s;
    r->sid[s] = (uint32_t)++r->nstrings; /* strings[0] is "" */
  }
  return r->sid[s];
}

/* [a, b, ...] of n unsigned values given by a function of the index. */
typedef double (*item_fn)(report *r, const void *arg, size_t i);

static void array(report *r, size_t n, item_fn item, const void *arg) {
  prf_buf_putc(&r->s.buf, '[');
  for (size_t i = 0; i < n && !r->s.nomem && !r->s.io; i++) {
    if (i)
      prf_buf_puts(&r->s.buf, (i & 63) ? "," : ",\n");
    num(r, item(r, arg, i));
    prf_stream_flush(&r->s, false);
  }
  prf_buf_putc(&r->s.buf, ']');
}

/* Per column: [[column 0's n values], [column 1's], ...] from a table of
 * n * ncol values (value i of column c at i * ncol + c). */
typedef struct col_arg {
  const double *v;
  size_t c;
} col_arg;

static double col_item(report *r, const void *arg, size_t i) {
  const col_arg *a = arg;
  return a->v[i * r->ncol + a->c];
}

static void columns_of(report *r, const double *v, size_t n) {
  prf_buf_putc(&r->s.buf, '[');
  for (size_t c = 0; c < r->ncol; c++) {
    col_arg a = {v, c};
    if (c)
      prf_buf_puts(&r->s.buf, ",\n");
    array(r, n, col_item, &a);
  }
  prf_buf_putc(&r->s.buf, ']');
}

/* ---- the tree at function granularity ---- */

static uint32_t key_id(report *r, prf_keymap *m, uint64_t key, bool *fresh) {
  const prf_allocator *mem = &r->p->mem;
  uint32_t id = prf_keymap_id(mem, m, key, fresh);
  if (!id)
    r->s.nomem = true;
  return id;
}

/* Frames that differ only in line, column or address are one function
 * frame; its line is kept when all of them agree. */
static void function_frames(report *r) {
  const prf_allocator *mem = &r->p->mem;
  size_t n = prf_frame_count(r->p);
  r->frame_rep = prf_mem_alloc(mem, (n ? n : 1) * sizeof *r->frame_rep);
  r->pair_of = prf_mem_alloc(mem, (n ? n : 1) * sizeof *r->pair_of);
  if (!r->frame_rep || !r->pair_of) {
    r->s.nomem = true;
    return;
  }
  for (size_t f = 0; f < n && !r->s.nomem; f++) {
    const prf_frame *fr = prf_frame_get(r->p, (prf_fid)f);
    bool fresh;
    uint32_t a = key_id(r, &r->pairs, (uint64_t)fr->name << 32 | fr->file, &fresh);
    uint32_t b = key_id(r, &r->mods, (uint64_t)fr->module << 8 | fr->kind, &fresh);
    uint32_t id = key_id(r, &r->funcs, (uint64_t)a << 32 | b, &fresh);
    if (r->s.nomem)
      return;
    r->pair_of[f] = a;
    if (fresh) {
      size_t cap = r->rep_cap;
      if (!prf_grow(mem, (void **)&r->rep, &cap, id, sizeof *r->rep) ||
          !prf_grow(mem, (void **)&r->rep_line, &r->line_cap, id,
                    sizeof *r->rep_line)) {
        r->s.nomem = true;
        return;
      }
      r->rep_cap = cap;
      r->rep[id - 1] = (prf_fid)f;
      r->rep_line[id - 1] = fr->line;
      r->nrep = id;
    } else if (r->rep_line[id - 1] != fr->line) {
      r->rep_line[id - 1] = 0;
    }
    r->frame_rep[f] = id - 1;
  }
}

/* A node of the function tree: its parent and frame, its total and self
 * values (ncol each), from the arrays or from the shared tree. */
static uint32_t node_parent(const report *r, size_t x) {
  return r->shared ? r->t->nodes[x].parent : r->parent[x];
}
static uint32_t node_frame(const report *r, size_t x) {
  return r->shared ? r->t->nodes[x].frame : r->frame[x];
}
static const double *node_total(const report *r, size_t x) {
  return (r->shared ? r->t->total : r->total) + x * r->ncol;
}
static void node_self(const report *r, size_t x, double *out) {
  for (size_t c = 0; c < r->ncol; c++)
    out[c] = r->shared ? prf_tree_self(r->t, (prf_node)x, c)
                       : r->self[x * r->ncol + c];
}
static uint32_t node_of(const report *r, prf_node leaf) {
  return r->shared ? leaf : r->node_of[leaf];
}

/* Maps every node of the profile's tree to a node of the function tree
 * (ids in order of the first node mapped: parents first), adds the self
 * values, then the totals from the leaves up. */
static void build_tree(report *r) {
  const prf_allocator *mem = &r->p->mem;
  const prf_tree *t = r->t;
  size_t n = prf_tree_node_count(t), ncol = r->ncol;
  /* When every frame is a function of its own (folded input), function
     ids follow frame ids (function_frames numbers them in frame order),
     no two nodes merge, and the tree is the profile's: reading it in
     place saves 28 bytes a node and a pass over all of them. */
  if (r->nrep == prf_frame_count(r->p) && t->ncol == ncol && ncol > 0 && n > 0) {
    if (!prf_tree_compute_totals((prf_tree *)t)) { /* documented lazy */
      r->s.nomem = true;
      return;
    }
    r->shared = true;
    r->nnodes = n;
    return;
  }
  uint32_t *map = prf_mem_alloc(mem, n * sizeof *map);
  r->parent = prf_mem_alloc(mem, n * sizeof *r->parent);
  r->frame = prf_mem_alloc(mem, n * sizeof *r->frame);
  r->self = prf_mem_calloc(mem, n * (ncol ? ncol : 1), sizeof *r->self);
  r->total = prf_mem_calloc(mem, n * (ncol ? ncol : 1), sizeof *r->total);
  if (!map || !r->parent || !r->frame || !r->self || !r->total) {
    prf_mem_free(mem, map);
    r->s.nomem = true;
    return;
  }
  map[0] = 0;
  r->parent[0] = UINT32_MAX;
  r->frame[0] = UINT32_MAX;
  r->nnodes = 1;
  for (size_t x = 1; x < n && !r->s.nomem; x++) {
    uint32_t parent = map[prf_tree_parent(t, (prf_node)x)];
    uint32_t f = r->frame_rep[prf_tree_frame(t, (prf_node)x)];
    bool fresh = true;
    uint32_t id = key_id(r, &r->nkeys, (uint64_t)parent << 32 | f, &fresh);
    if (fresh) {
      r->parent[id] = parent;
      r->frame[id] = f;
      r->nnodes = (size_t)id + 1;
    }
    map[x] = id;
  }
  for (size_t i = 0; i < prf_tree_stack_count(t) && !r->s.nomem; i++) {
    prf_node leaf = prf_tree_stack(t, i);
    for (size_t c = 0; c < ncol; c++)
      r->self[map[leaf] * ncol + c] += prf_tree_self(t, leaf, c);
  }
  if (!r->s.nomem) {
    memcpy(r->total, r->self, r->nnodes * ncol * sizeof *r->total);
    for (size_t x = r->nnodes; x-- > 1;)
      for (size_t c = 0; c < ncol; c++)
        r->total[r->parent[x] * ncol + c] += r->total[x * ncol + c];
  }
  /* The samples' leaves, mapped the same way. */
  r->node_of = map;
}

/* ---- pruning ---- */

/* A node is kept when its parent is and its |total| reaches the share of
 * the root's |total| in some column. kept[x]: the written id of x, or of
 * its nearest kept ancestor. */
static void prune(report *r) {
  const prf_allocator *mem = &r->p->mem;
  size_t n = r->nnodes, ncol = r->ncol;
  r->kept = prf_mem_alloc(mem, n * sizeof *r->kept);
  r->is_kept = prf_mem_calloc(mem, n, 1);
  if (!r->kept || !r->is_kept) {
    r->s.nomem = true;
    return;
  }
  double share = r->o->prune;
  const double *root = node_total(r, 0);
  for (size_t x = 0; x < n; x++) {
    bool keep = x == 0;
    uint32_t parent = x ? node_parent(r, x) : 0;
    if (x && r->is_kept[parent]) {
      const double *total = node_total(r, x);
      keep = ncol == 0;
      for (size_t c = 0; c < ncol && !keep; c++)
        keep = !(fabs(total[c]) < share * fabs(root[c]));
    }
    r->is_kept[x] = keep;
    r->kept[x] = keep ? (uint32_t)r->nkept++ : r->kept[parent];
  }
}

/* The function frames the kept nodes use, numbered in that order. */
static void number_frames(report *r) {
  const prf_allocator *mem = &r->p->mem;
  r->out_frame =
      prf_mem_calloc(mem, r->nrep ? r->nrep : 1, sizeof *r->out_frame);
  r->frames = prf_mem_alloc(mem, (r->nrep ? r->nrep : 1) * sizeof *r->frames);
  if (!r->out_frame || !r->frames) {
    r->s.nomem = true;
    return;
  }
  for (size_t x = 1; x < r->nnodes; x++) {
    if (!r->is_kept[x])
      continue;
    uint32_t f = node_frame(r, x);
    if (!r->out_frame[f]) {
      r->frames[r->nframes] = f;
      r->out_frame[f] = (uint32_t)++r->nframes;
    }
  }
}

/* ---- the tables ---- */

enum { T_FUNCTION, T_LINE, T_FILE, NTABLES };

typedef struct table {
  uint32_t *row_of;  /* profile frame -> row */
  prf_fid *first;    /* row -> its first frame */
  size_t nrows;
  double *self, *total; /* nrows * ncol */
  uint32_t *order;   /* the rows written, heaviest first */
  size_t nshown;
} table;

/* The row of each frame: by name, by (name, file, line) or by file. */
static void group_rows(report *r, table *tb, int kind) {
  const prf_allocator *mem = &r->p->mem;
  size_t n = prf_frame_count(r->p);
  prf_keymap keys = {0};
  size_t cap = 0;
  tb->row_of = prf_mem_alloc(mem, (n ? n : 1) * sizeof *tb->row_of);
  if (!tb->row_of) {
    r->s.nomem = true;
    return;
  }
  for (size_t f = 0; f < n && !r->s.nomem; f++) {
    const prf_frame *fr = prf_frame_get(r->p, (prf_fid)f);
    uint64_t key = kind == T_FUNCTION ? fr->name
                   : kind == T_FILE   ? fr->file
                                      : (uint64_t)r->pair_of[f] << 32 | fr->line;
    bool fresh;
    uint32_t row = key_id(r, &keys, key, &fresh);
    if (fresh && !r->s.nomem &&
        !prf_grow(mem, (void **)&tb->first, &cap, row, sizeof *tb->first))
      r->s.nomem = true;
    if (r->s.nomem)
      break;
    if (fresh)
      tb->first[row - 1] = (prf_fid)f;
    tb->row_of[f] = row - 1;
  }
  tb->nrows = keys.count;
  prf_keymap_free(mem, &keys);
}

typedef struct order_ctx {
  report *r;
  const table *tb;
  int kind;
} order_ctx;

static int cmp_str(const report *r, prf_str a, prf_str b) {
  return a == b ? 0 : strcmp(prf_string(r->p, a, NULL), prf_string(r->p, b, NULL));
}

/* By |self| of the default column, then |total|, then the row's text. */
static int row_cmp(void *vctx, uint32_t a, uint32_t b) {
  const order_ctx *o = vctx;
  const report *r = o->r;
  size_t c = prf_value_default(r->p), ncol = r->ncol;
  double sa = fabs(o->tb->self[a * ncol + c]), sb = fabs(o->tb->self[b * ncol + c]);
  if (sa != sb)
    return sa > sb ? -1 : 1;
  double ta = fabs(o->tb->total[a * ncol + c]), tb = fabs(o->tb->total[b * ncol + c]);
  if (ta != tb)
    return ta > tb ? -1 : 1;
  const prf_frame *fa = prf_frame_get(r->p, o->tb->first[a]);
  const prf_frame *fb = prf_frame_get(r->p, o->tb->first[b]);
  int d = o->kind == T_FILE ? 0 : cmp_str(r, fa->name, fb->name);
  if (!d && o->kind != T_FUNCTION)
    d = cmp_str(r, fa->file, fb->file);
  if (!d)
    d = (fa->line > fb->line) - (fa->line < fb->line);
  return d;
}

/* The rows of each table (by function, line and file) with prf_top's
 * flat and cum in every column, summed for all tables in one walk of the
 * tree; rows that no sample reaches are left out, as top leaves them out. */
static void fill_tables(report *r, table *tables) {
  const prf_allocator *mem = &r->p->mem;
  size_t ncol = r->ncol;
  prf_row_sums sums[NTABLES];
  for (int k = 0; k < NTABLES; k++) {
    table *tb = &tables[k];
    group_rows(r, tb, k);
    if (r->s.nomem)
      return;
    tb->self = prf_mem_calloc(mem, tb->nrows * ncol + 1, sizeof *tb->self);
    tb->total = prf_mem_calloc(mem, tb->nrows * ncol + 1, sizeof *tb->total);
    tb->order = prf_mem_alloc(mem, (tb->nrows + 1) * sizeof *tb->order);
    if (!tb->self || !tb->total || !tb->order) {
      r->s.nomem = true;
      return;
    }
    sums[k] = (prf_row_sums){tb->row_of, tb->nrows, tb->self, tb->total};
  }
  if (prf_tree_row_sums(r->p, sums, NTABLES) != PRF_OK) {
    r->s.nomem = true;
    return;
  }
  for (int k = 0; k < NTABLES; k++) {
    table *tb = &tables[k];
    for (size_t i = 0; i < tb->nrows; i++) {
      bool any = false;
      for (size_t c = 0; c < ncol; c++)
        any =
            any || tb->self[i * ncol + c] != 0 || tb->total[i * ncol + c] != 0;
      if (any)
        tb->order[tb->nshown++] = (uint32_t)i;
    }
    order_ctx ctx = {r, tb, k};
    if (ncol && !prf_sort_ids(mem, tb->order, tb->nshown, row_cmp, &ctx)) {
      r->s.nomem = true;
      return;
    }
  }
}

static void table_free(const prf_allocator *mem, table *tb) {
  prf_mem_free(mem, tb->row_of);
  prf_mem_free(mem, tb->first);
  prf_mem_free(mem, tb->self);
  prf_mem_free(mem, tb->total);
  prf_mem_free(mem, tb->order);
}

/* The sids of the rows' names, files and lines. */
typedef struct table_arg {
  const table *tb;
  int field; /* 0 name, 1 file, 2 line */
} table_arg;

static double table_item(report *r, const void *arg, size_t i) {
  const table_arg *a = arg;
  const prf_frame *f = prf_frame_get(r->p, a->tb->first[a->tb->order[i]]);
  return a->field == 2 ? f->line : sid(r, a->field ? f->file : f->name);
}

/* The shown rows' values: [[column 0], [column 1], ...]. */
static void table_values(report *r, const table *tb, const double *v) {
  const prf_allocator *mem = &r->p->mem;
  double *rows = prf_mem_alloc(mem, (tb->nshown * r->ncol + 1) * sizeof *rows);
  if (!rows) {
    r->s.nomem = true;
    return;
  }
  for (size_t i = 0; i < tb->nshown; i++)
    memcpy(rows + i * r->ncol, v + tb->order[i] * r->ncol,
           r->ncol * sizeof *rows);
  columns_of(r, rows, tb->nshown);
  prf_mem_free(mem, rows);
}

static void put_table(report *r, const table *tb, int kind) {
  static const char *const fields[] = {"\"name\":", "\"file\":", "\"line\":"};
  bool first = true;
  prf_buf_putc(&r->s.buf, '{');
  for (int f = 0; f < 3; f++) {
    if ((kind == T_FUNCTION && f) || (kind == T_FILE && f != 1))
      continue;
    table_arg a = {tb, f};
    puts_(r, first ? "" : ",\n");
    puts_(r, fields[f]);
    array(r, tb->nshown, table_item, &a);
    first = false;
  }
  puts_(r, ",\n\"self\":");
  table_values(r, tb, tb->self);
  puts_(r, ",\n\"total\":");
  table_values(r, tb, tb->total);
  prf_buf_putc(&r->s.buf, '}');
}

/* ---- the data ---- */

static void put_info(report *r) {
  const prf_profile *ip = r->o->info ? r->o->info : r->p;
  puts_(r, "\"info\":{\"files\":[");
  for (size_t i = 0; i < r->o->nfiles; i++) {
    if (i)
      prf_buf_putc(&r->s.buf, ',');
    str(r, r->o->files[i]);
  }
  /* the first input's format: "pprof, folded" lists each input's */
  const char *format = prf_meta_get(ip, "format");
  puts_(r, "],\n\"format\":");
  if (format)
    prf_json_string(&r->s.buf, format, strcspn(format, ","));
  else
    puts_(r, "null");
  /* samples: a column that counts them (pprof's samples/count, folded
     counts), else the samples recorded one by one */
  double samples = (double)prf_sample_count(ip);
  for (size_t c = 0; c < prf_value_count(ip); c++)
    if (strcmp(prf_value_type(ip, c), "samples") == 0 &&
        strcmp(prf_value_unit(ip, c), "count") == 0) {
      samples = prf_tree_total(prf_profile_tree_const(ip), 0, c);
      break;
    }
  puts_(r, ",\n\"samples\":");
  num(r, samples);
  /* the recorded duration, else the span of the timed samples */
  const char *d = prf_meta_get(ip, "duration_nanos");
  char *end;
  double ns = d ? strtod(d, &end) : 0;
  if (!d || end == d || *end || !(ns > 0)) {
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t i = 0; i < prf_sample_count(ip); i++) {
      int64_t t = prf_sample_get(ip, i)->time;
      if (t != INT64_MIN) {
        lo = t < lo ? t : lo;
        hi = t > hi ? t : hi;
      }
    }
    ns = hi > lo ? (double)hi - (double)lo : 0;
  }
  puts_(r, ",\n\"duration\":");
  if (ns > 0)
    num(r, ns / 1e9);
  else
    puts_(r, "null");
  puts_(r, ",\n\"meta\":[");
  bool first = true;
  for (size_t i = 0; i < prf_meta_count(ip); i++) {
    const char *k, *v;
    prf_meta_at(ip, i, &k, &v);
    if (strcmp(k, "format") == 0)
      continue;
    puts_(r, first ? "[" : ",\n[");
    str(r, k);
    prf_buf_putc(&r->s.buf, ',');
    str(r, v);
    prf_buf_putc(&r->s.buf, ']');
    first = false;
  }
  puts_(r, "]}");
}

static void put_columns(report *r) {
  puts_(r, "\"columns\":[");
  for (size_t c = 0; c < r->ncol; c++) {
    puts_(r, c ? ",{\"type\":" : "{\"type\":");
    str(r, prf_value_type(r->p, c));
    if (!r->o->diff) { /* diff mode: before and after, counts */
      puts_(r, ",\"unit\":");
      str(r, prf_value_unit(r->p, c));
    }
    prf_buf_putc(&r->s.buf, '}');
  }
  puts_(r, "],\n\"column\":");
  num(r, r->ncol ? (double)prf_value_default(r->p) : 0);
}

static double frame_item(report *r, const void *arg, size_t i) {
  int field = *(const int *)arg;
  uint32_t rep = r->frames[i];
  const prf_frame *f = prf_frame_get(r->p, r->rep[rep]);
  switch (field) {
  case 0: return sid(r, f->name);
  case 1: return sid(r, f->file);
  case 2: return r->rep_line[rep];
  case 3: return sid(r, f->module);
  default: return f->kind;
  }
}

static void put_frames(report *r) {
  static const char *const names[] = {"\"frames\":{\"name\":", ",\n\"file\":",
                                      ",\n\"line\":", ",\n\"module\":",
                                      ",\n\"kind\":"};
  for (int field = 0; field < 5; field++) {
    puts_(r, names[field]);
    array(r, r->nframes, frame_item, &field);
  }
  prf_buf_putc(&r->s.buf, '}');
}

/* The kept nodes: node ids written in order, so kept[] of a kept node is
 * its index in these arrays. */
typedef struct node_arg {
  const uint32_t *ids; /* written id -> node */
  int field;           /* 0 parent, 1 frame */
} node_arg;

static double node_item(report *r, const void *arg, size_t i) {
  const node_arg *a = arg;
  uint32_t x = a->ids[i];
  if (x == 0)
    return -1;
  return a->field == 0 ? r->kept[node_parent(r, x)]
                        : r->out_frame[node_frame(r, x)] - 1;
}

static void put_nodes(report *r) {
  const prf_allocator *mem = &r->p->mem;
  uint32_t *ids = prf_mem_alloc(mem, (r->nkept ? r->nkept : 1) * sizeof *ids);
  double *self = prf_mem_alloc(mem, (r->nkept * r->ncol + 1) * sizeof *self);
  double *total = prf_mem_alloc(mem, (r->nkept * r->ncol + 1) * sizeof *total);
  if (!ids || !self || !total) {
    r->s.nomem = true;
  } else {
    size_t k = 0;
    for (size_t x = 0; x < r->nnodes; x++) {
      if (!r->is_kept[x])
        continue;
      node_self(r, x, self + k * r->ncol);
      memcpy(total + k * r->ncol, node_total(r, x), r->ncol * sizeof *total);
      ids[k++] = (uint32_t)x;
    }
    node_arg parent = {ids, 0}, frame = {ids, 1};
    puts_(r, "\"nodes\":{\"parent\":");
    array(r, r->nkept, node_item, &parent);
    puts_(r, ",\n\"frame\":");
    array(r, r->nkept, node_item, &frame);
    puts_(r, ",\n\"self\":");
    columns_of(r, self, r->nkept);
    puts_(r, ",\n\"total\":");
    columns_of(r, total, r->nkept);
    prf_buf_putc(&r->s.buf, '}');
    puts_(r, ",\n\"pruned\":{\"share\":");
    num(r, r->o->prune);
    puts_(r, ",\"nodes\":");
    num(r, (double)(r->nnodes - r->nkept));
    prf_buf_putc(&r->s.buf, '}');
  }
  prf_mem_free(mem, ids);
  prf_mem_free(mem, self);
  prf_mem_free(mem, total);
}

static void put_threads(report *r) {
  puts_(r, "\"threads\":[");
  for (size_t i = 0; i < prf_thread_count(r->p); i++) {
    prf_buf_printf(&r->s.buf, "%s{\"id\":%" PRId64 ",\"name\":%" PRIu32 "}",
                   i ? ",\n" : "", prf_thread_id(r->p, (uint32_t)i),
                   sid(r, r->p->threads[i].name));
  }
  prf_buf_putc(&r->s.buf, ']');
}

/* The timed samples in input order: the first time, then differences. */
typedef struct sample_arg {
  const size_t *idx;
  int field; /* 0 dt, 1 node, 2 thread */
} sample_arg;

static double sample_item(report *r, const void *arg, size_t i) {
  const sample_arg *a = arg;
  const prf_sample *s = prf_sample_get(r->p, a->idx[i]);
  switch (a->field) {
  case 0: {
    if (i == 0)
      return 0;
    int64_t prev = prf_sample_get(r->p, a->idx[i - 1])->time, d;
    if (__builtin_sub_overflow(s->time, prev, &d))
      return (double)s->time - (double)prev;
    return (double)d;
  }
  case 1: return r->kept[node_of(r, s->leaf)];
  default: return s->thread < prf_thread_count(r->p) ? (double)s->thread : -1;
  }
}

static void put_samples(report *r) {
  const prf_allocator *mem = &r->p->mem;
  size_t n = prf_sample_count(r->p), timed = 0;
  for (size_t i = 0; i < n; i++)
    timed += prf_sample_get(r->p, i)->time != INT64_MIN;
  puts_(r, "\"samples\":");
  if (!timed) {
    puts_(r, "null");
    return;
  }
  size_t *idx = prf_mem_alloc(mem, timed * sizeof *idx);
  double *w = prf_mem_alloc(mem, (timed * r->ncol + 1) * sizeof *w);
  if (!idx || !w) {
    prf_mem_free(mem, idx);
    prf_mem_free(mem, w);
    r->s.nomem = true;
    return;
  }
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (prf_sample_get(r->p, i)->time == INT64_MIN)
      continue;
    memcpy(w + k * r->ncol, prf_sample_values(r->p, i), r->ncol * sizeof *w);
    idx[k++] = i;
  }
  prf_buf_printf(&r->s.buf, "{\"t0\":%" PRId64 ",\n\"dt\":",
                 prf_sample_get(r->p, idx[0])->time);
  static const char *const names[] = {"", ",\n\"node\":", ",\n\"thread\":"};
  for (int f = 0; f < 3; f++) {
    sample_arg a = {idx, f};
    puts_(r, names[f]);
    array(r, timed, sample_item, &a);
  }
  puts_(r, ",\n\"weight\":");
  columns_of(r, w, timed);
  prf_buf_putc(&r->s.buf, '}');
  prf_mem_free(mem, idx);
  prf_mem_free(mem, w);
}

static void put_diff(report *r) {
  const prf_diff *d = r->o->diff;
  puts_(r, "\"diff\":");
  if (!d) {
    puts_(r, "null");
    return;
  }
  prf_buf_printf(&r->s.buf,
                 "{\"verdict\":\"%s\",\"metric\":\"%s\",\"test\":\"%s\","
                 "\"base_runs\":%zu,\"new_runs\":%zu,\n\"base_samples\":",
                 d->regressions ? "regression" : "ok",
                 d->metric == PRF_DIFF_TOTAL ? "total" : "self",
                 d->welch ? "welch" : "z", d->base_runs, d->new_runs);
  num(r, d->base_samples);
  puts_(r, ",\"new_samples\":");
  num(r, d->new_samples);
  puts_(r, ",\"alpha\":");
  num(r, d->alpha);
  puts_(r, ",\"alpha_each\":");
  num(r, d->alpha_each);
  puts_(r, ",\"min_change\":");
  num(r, d->min_change);
  puts_(r, ",\"threshold\":");
  num(r, d->threshold);
  /* what prf_diff_profile recorded: BASE's scaling and the colours' sense */
  const char *factor = prf_meta_get(r->p, "diff_base_factor");
  const char *colour = prf_meta_get(r->p, "diff_colour");
  puts_(r, ",\n\"base_factor\":");
  num(r, factor ? strtod(factor, NULL) : 1);
  puts_(r, ",\"colour\":");
  str(r, colour && strcmp(colour, "absolute") == 0 ? "absolute" : "share");
  puts_(r, ",\n\"rows\":[");
  for (size_t i = 0; i < d->count && !r->s.nomem && !r->s.io; i++) {
    const prf_diff_row *row = &d->rows[i];
    puts_(r, i ? ",\n{\"function\":" : "\n{\"function\":");
    str(r, row->function);
    const double v[] = {row->base_self, row->new_self, row->base_total,
                        row->new_total, row->delta_pp, row->relative,
                        row->p_value};
    static const char *const keys[] = {
        ",\"base_self\":", ",\"new_self\":", ",\"base_total\":",
        ",\"new_total\":", ",\"delta_pp\":", ",\"relative\":", ",\"p_value\":"};
    for (size_t k = 0; k < 7; k++) {
      puts_(r, keys[k]);
      num(r, v[k]);
    }
    prf_buf_printf(&r->s.buf, ",\"verdict\":%d}", row->verdict);
    prf_stream_flush(&r->s, false);
  }
  puts_(r, "]}");
}

static void put_source(report *r) {
  puts_(r, "\"source\":");
  if (!r->o->source_url) {
    puts_(r, "null");
    return;
  }
  const prf_profile *ip = r->o->info ? r->o->info : r->p;
  const char *rev = r->o->rev ? r->o->rev : prf_meta_get(ip, "release");
  puts_(r, "{\"url\":");
  str(r, r->o->source_url);
  puts_(r, ",\"rev\":");
  if (rev)
    str(r, rev);
  else
    puts_(r, "null");
  prf_buf_putc(&r->s.buf, '}');
}

/* The strings the page refers to, numbered in the order the data
 * refers to them (the table is written before its users). */
static void number_strings(report *r, const table *tables) {
  for (size_t i = 0; i < r->nframes; i++)
    for (int field = 0; field < 4; field++)
      if (field != 2)
        frame_item(r, &field, i);
  for (int k = 0; k < NTABLES; k++)
    for (int f = 0; f < 2; f++) {
      table_arg a = {&tables[k], f};
      for (size_t i = 0; i < tables[k].nshown; i++)
        table_item(r, &a, i);
    }
  for (size_t i = 0; i < prf_thread_count(r->p); i++)
    sid(r, r->p->threads[i].name);
}

static void put_strings(report *r) {
  puts_(r, "\"strings\":[\"\"");
  for (size_t i = 0; i < r->nstrings && !r->s.nomem && !r->s.io; i++) {
    size_t len;
    const char *s = prf_string(r->p, r->strings[i], &len);
    puts_(r, (i & 15) ? "," : ",\n");
    prf_json_string(&r->s.buf, s, len);
    prf_stream_flush(&r->s, false);
  }
  prf_buf_putc(&r->s.buf, ']');
}

/* ---- the page ---- */

static void put_hash(prf_buf *b, const unsigned char *data, size_t len) {
  unsigned char digest[32];
  prf_sha256_digest(data, len, digest);
  prf_buf_puts(b, "'sha256-");
  prf_base64(b, digest, 32);
  prf_buf_putc(b, '\'');
}

static void page_head(report *r) {
  prf_buf *b = &r->s.buf;
  const char *title = r->o->title ? r->o->title : "prof-render report";
  prf_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
                  "<meta charset=\"utf-8\">\n"
                  "<meta http-equiv=\"Content-Security-Policy\" "
                  "content=\"default-src 'none'; script-src ");
  put_hash(b, prf_report_js, sizeof prf_report_js - 1);
  prf_buf_puts(b, "; style-src ");
  put_hash(b, prf_report_css, sizeof prf_report_css - 1);
  prf_buf_puts(b, "; img-src data:\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, "
                  "initial-scale=1\">\n"
                  "<meta name=\"color-scheme\" content=\"light dark\">\n"
                  "<title>");
  prf_escape_xml(b, title, strlen(title));
  prf_buf_puts(b, "</title>\n<style>");
  prf_buf_put(b, prf_report_css, sizeof prf_report_css - 1);
  prf_buf_puts(b, "</style>\n</head>\n<body>\n"
                  "<noscript>This report needs JavaScript.</noscript>\n"
                  "<script type=\"application/json\" id=\"prf-data\">{\"v\":1,"
                  "\n\"title\":");
  prf_json_string(b, title, strlen(title));
  prf_buf_puts(b, ",\n");
}

static void release(report *r) {
  const prf_allocator *mem = &r->p->mem;
  prf_buf_free(&r->s.buf);
  prf_keymap_free(mem, &r->pairs);
  prf_keymap_free(mem, &r->mods);
  prf_keymap_free(mem, &r->funcs);
  prf_keymap_free(mem, &r->nkeys);
  prf_mem_free(mem, r->pair_of);
  prf_mem_free(mem, r->rep);
  prf_mem_free(mem, r->rep_line);
  prf_mem_free(mem, r->frame_rep);
  prf_mem_free(mem, r->node_of);
  prf_mem_free(mem, r->parent);
  prf_mem_free(mem, r->frame);
  prf_mem_free(mem, r->self);
  prf_mem_free(mem, r->total);
  prf_mem_free(mem, r->kept);
  prf_mem_free(mem, r->is_kept);
  prf_mem_free(mem, r->out_frame);
  prf_mem_free(mem, r->frames);
  prf_mem_free(mem, r->sid);
  prf_mem_free(mem, r->strings);
}

prf_status prf_report_write(const prf_profile *profile,
                            const prf_report_options *options,
                            prf_write_fn write, void *ctx, prf_error *err) {
  const prf_allocator *mem = &profile->mem;
  prf_report_options defaults;
  if (!options) {
    prf_report_options_init(&defaults);
    options = &defaults;
  }
  prf_status st = prf_report_options_check(options, err);
  if (st != PRF_OK)
    return st;
  report r;
  memset(&r, 0, sizeof r);
  r.p = profile;
  r.t = prf_profile_tree_const(profile);
  r.o = options;
  r.s.write = write;
  r.s.ctx = ctx;
  r.ncol = prf_value_count(profile);
  prf_buf_init(&r.s.buf, mem);
  table tables[NTABLES];
  memset(tables, 0, sizeof tables);
  r.sid = prf_mem_calloc(mem, profile->strings.count + 1, sizeof *r.sid);
  if (!r.sid)
    r.s.nomem = true;
  if (!r.s.nomem)
    function_frames(&r);
  if (!r.s.nomem)
    build_tree(&r);
  if (!r.s.nomem)
    prune(&r);
  if (!r.s.nomem)
    number_frames(&r);
  if (!r.s.nomem)
    fill_tables(&r, tables);
  if (!r.s.nomem)
    number_strings(&r, tables);
  if (!r.s.nomem) {
    page_head(&r);
    put_info(&r);
    puts_(&r, ",\n");
    put_columns(&r);
    puts_(&r, ",\n");
    put_strings(&r);
    puts_(&r, ",\n");
    put_frames(&r);
    puts_(&r, ",\n");
    put_nodes(&r);
    puts_(&r, ",\n\"tables\":{\"function\":");
    put_table(&r, &tables[T_FUNCTION], T_FUNCTION);
    puts_(&r, ",\n\"line\":");
    put_table(&r, &tables[T_LINE], T_LINE);
    puts_(&r, ",\n\"file\":");
    put_table(&r, &tables[T_FILE], T_FILE);
    puts_(&r, "},\n");
    put_threads(&r);
    puts_(&r, ",\n");
    put_samples(&r);
    puts_(&r, ",\n");
    put_diff(&r);
    puts_(&r, ",\n");
    put_source(&r);
    puts_(&r, "}</script>\n<script>");
    prf_buf_put(&r.s.buf, prf_report_js, sizeof prf_report_js - 1);
    puts_(&r, "</script>\n</body>\n</html>\n");
    prf_stream_flush(&r.s, true);
  }
  for (int k = 0; k < NTABLES; k++)
    table_free(mem, &tables[k]);
  if (r.s.nomem)
    st = prf_fail(err, PRF_E_NOMEM, "out of memory writing the report");
  else if (r.s.io)
    st = prf_fail(err, PRF_E_OUTPUT, "cannot write the report");
  release(&r);
  return st;
}
