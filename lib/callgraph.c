/*
 * callgraph.c - profiles that record a call graph instead of stacks
 * (cProfile's pstats, valgrind's callgrind).
 *
 * A reader collects, per function, its exact self and cumulative cost and,
 * per caller -> callee edge, the cost that edge carries. The table stays
 * with the profile so that the top table shows the file's numbers; the
 * call tree, which the flame graph, diff and report draw, is rebuilt from
 * the graph:
 *
 * - Each function's cost is split among its callers in proportion to the
 *   cost their edges carry (equally when no edge carries any). A path
 *   root -> ... -> f gets the product of these shares along it.
 * - The roots are the functions nobody else calls; functions only reached
 *   through a cycle that no root enters become roots too.
 * - A callee already on the current path (recursion) is not entered again,
 *   so every walk ends. Each function's self cost is then spread over its
 *   nodes in proportion to the shares that reached them, so every function
 *   keeps exactly its self cost, and the tree's total is the sum of them.
 * - The walk is depth-first with an explicit stack and stops adding nodes
 *   at PRF_CALLGRAPH_MAX_NODES (fewer when there are more than 16 columns,
 *   for each node holds a share per column); functions it did not reach by
 *   then hang directly below the root (with a warning).
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

struct prf_callgraph {
  size_t ncol;
  uint32_t *fn_of_frame; /* frame -> function + 1 (0: none) */
  size_t fn_of_frame_cap;
  prf_fid *frame;        /* function -> frame */
  double *self, *cum;    /* nfn * ncol */
  bool *has_cum;         /* the file gave the cumulative cost */
  size_t nfn, fn_cap;
  prf_keymap edge_ids;   /* caller << 32 | callee -> edge + 1 */
  uint32_t *from, *to;   /* edge -> functions */
  double *cost;          /* nedges * ncol */
  size_t nedges, edge_cap;
  const prf_allocator *mem; /* the profile's */
};

prf_callgraph *prf_callgraph_new(const prf_allocator *mem, size_t ncol) {
  prf_callgraph *g = prf_mem_calloc(mem, 1, sizeof *g);
  if (g) {
    g->ncol = ncol ? ncol : 1;
    g->mem = mem;
  }
  return g;
}

void prf_callgraph_free(prf_callgraph *g) {
  if (!g)
    return;
  prf_mem_free(g->mem, g->fn_of_frame);
  prf_mem_free(g->mem, g->frame);
  prf_mem_free(g->mem, g->self);
  prf_mem_free(g->mem, g->cum);
  prf_mem_free(g->mem, g->has_cum);
  prf_keymap_free(g->mem, &g->edge_ids);
  prf_mem_free(g->mem, g->from);
  prf_mem_free(g->mem, g->to);
  prf_mem_free(g->mem, g->cost);
  prf_mem_free(g->mem, g);
}

/* The function of frame f, added when new; UINT32_MAX when out of memory. */
static uint32_t function_of(prf_callgraph *g, prf_fid f) {
  if (f >= g->fn_of_frame_cap) {
    size_t old = g->fn_of_frame_cap;
    if (!prf_grow(g->mem, (void **)&g->fn_of_frame, &g->fn_of_frame_cap, (size_t)f + 1,
                  sizeof *g->fn_of_frame))
      return UINT32_MAX;
    memset(g->fn_of_frame + old, 0,
           (g->fn_of_frame_cap - old) * sizeof *g->fn_of_frame);
  }
  if (g->fn_of_frame[f])
    return g->fn_of_frame[f] - 1;
  size_t n = g->nfn, cap = g->fn_cap;
  if (n >= UINT32_MAX - 1 ||
      !prf_grow(g->mem, (void **)&g->frame, &cap, n + 1, sizeof *g->frame))
    return UINT32_MAX;
  cap = g->fn_cap;
  if (!prf_grow(g->mem, (void **)&g->has_cum, &cap, n + 1, sizeof *g->has_cum))
    return UINT32_MAX;
  cap = g->fn_cap * g->ncol;
  if (!prf_grow(g->mem, (void **)&g->self, &cap, (n + 1) * g->ncol, sizeof *g->self))
    return UINT32_MAX;
  cap = g->fn_cap * g->ncol;
  if (!prf_grow(g->mem, (void **)&g->cum, &cap, (n + 1) * g->ncol, sizeof *g->cum))
    return UINT32_MAX;
  g->fn_cap = cap / g->ncol;
  g->frame[n] = f;
  g->has_cum[n] = false;
  memset(g->self + n * g->ncol, 0, g->ncol * sizeof *g->self);
  memset(g->cum + n * g->ncol, 0, g->ncol * sizeof *g->cum);
  g->nfn = n + 1;
  g->fn_of_frame[f] = (uint32_t)n + 1;
  return (uint32_t)n;
}

prf_status prf_callgraph_add_self(prf_callgraph *g, prf_fid f,
                                  const double *self) {
  uint32_t fn = function_of(g, f);
  if (fn == UINT32_MAX)
    return PRF_E_NOMEM;
  for (size_t c = 0; self && c < g->ncol; c++)
    g->self[fn * g->ncol + c] += self[c];
  return PRF_OK;
}

prf_status prf_callgraph_add_cum(prf_callgraph *g, prf_fid f,
                                 const double *cum) {
  uint32_t fn = function_of(g, f);
  if (fn == UINT32_MAX)
    return PRF_E_NOMEM;
  g->has_cum[fn] = true;
  for (size_t c = 0; c < g->ncol; c++)
    g->cum[fn * g->ncol + c] += cum[c];
  return PRF_OK;
}

prf_status prf_callgraph_add_edge(prf_callgraph *g, prf_fid caller,
                                  prf_fid callee, const double *cost) {
  uint32_t a = function_of(g, caller), b = function_of(g, callee);
  if (a == UINT32_MAX || b == UINT32_MAX)
    return PRF_E_NOMEM;
  bool fresh;
  uint32_t id = prf_keymap_id(g->mem, &g->edge_ids, ((uint64_t)a << 32) | b, &fresh);
  if (!id)
    return PRF_E_NOMEM;
  size_t e = id - 1;
  if (fresh) {
    size_t cap = g->edge_cap;
    if (!prf_grow(g->mem, (void **)&g->from, &cap, e + 1, sizeof *g->from))
      return PRF_E_NOMEM;
    cap = g->edge_cap;
    if (!prf_grow(g->mem, (void **)&g->to, &cap, e + 1, sizeof *g->to))
      return PRF_E_NOMEM;
    cap = g->edge_cap * g->ncol;
    if (!prf_grow(g->mem, (void **)&g->cost, &cap, (e + 1) * g->ncol, sizeof *g->cost))
      return PRF_E_NOMEM;
    g->edge_cap = cap / g->ncol;
    g->from[e] = a;
    g->to[e] = b;
    memset(g->cost + e * g->ncol, 0, g->ncol * sizeof *g->cost);
    g->nedges = e + 1;
  }
  for (size_t c = 0; c < g->ncol; c++)
    g->cost[e * g->ncol + c] += cost[c];
  return PRF_OK;
}

/* ---- the tree ---- */

typedef struct builder {
  prf_profile *p;
  prf_callgraph *g;
  const prf_allocator *mem;
  size_t ncol;
  uint32_t *out_first; /* CSR of each caller's edges, in file order */
  uint32_t *out_edge;
  double *share;       /* edge * ncol: the callee's share its edge carries */
  uint8_t *on_path;    /* by function */
  uint8_t *reached;    /* by function */
  double *frac;        /* tree node * ncol: the share of its function */
  size_t frac_cap;
  struct frame_walk { uint32_t fn, node, next; } *stack;
  size_t stack_cap;
  size_t max_nodes;    /* the cap for this many columns */
  bool capped;
} builder;

/* Edges that call the caller itself add nothing to the tree. */
static bool self_call(const prf_callgraph *g, size_t e) {
  return g->from[e] == g->to[e];
}

static prf_status index_edges(builder *b) {
  prf_callgraph *g = b->g;
  size_t nfn = g->nfn, ncol = b->ncol;
  b->out_first = prf_mem_calloc(b->mem, nfn + 1, sizeof *b->out_first);
  b->out_edge = prf_mem_alloc(b->mem, (g->nedges ? g->nedges : 1) * sizeof *b->out_edge);
  b->share = prf_mem_alloc(b->mem, (g->nedges ? g->nedges : 1) * ncol * sizeof *b->share);
  double *in = prf_mem_calloc(b->mem, nfn * ncol + 1, sizeof *in);
  uint32_t *indeg = prf_mem_calloc(b->mem, nfn + 1, sizeof *indeg);
  b->on_path = prf_mem_calloc(b->mem, nfn + 1, 1);
  b->reached = prf_mem_calloc(b->mem, nfn + 1, 1);
  prf_status st = b->out_first && b->out_edge && b->share && in && indeg &&
                  b->on_path && b->reached ? PRF_OK : PRF_E_NOMEM;
  for (size_t e = 0; st == PRF_OK && e < g->nedges; e++) {
    b->out_first[g->from[e] + 1]++;
    if (self_call(g, e))
      continue;
    indeg[g->to[e]]++;
    for (size_t c = 0; c < ncol; c++)
      in[g->to[e] * ncol + c] += g->cost[e * ncol + c];
  }
  for (size_t f = 0; st == PRF_OK && f < nfn; f++)
    b->out_first[f + 1] += b->out_first[f];
  for (size_t e = 0; st == PRF_OK && e < g->nedges; e++) {
    /* out_first[f] counts up while filling; restored below */
    b->out_edge[b->out_first[g->from[e]]++] = (uint32_t)e;
    for (size_t c = 0; c < ncol; c++) {
      double sum = in[g->to[e] * ncol + c];
      b->share[e * ncol + c] = self_call(g, e) ? 0
                               : sum > 0 ? g->cost[e * ncol + c] / sum
                                         : 1.0 / indeg[g->to[e]];
    }
  }
  for (size_t f = nfn; st == PRF_OK && f > 0; f--)
    b->out_first[f] = b->out_first[f - 1];
  if (st == PRF_OK)
    b->out_first[0] = 0;
  prf_mem_free(b->mem, in);
  if (st == PRF_OK) /* roots: no caller but themselves */
    for (size_t f = 0; f < nfn; f++)
      b->reached[f] = indeg[f] ? 0 : 2;
  prf_mem_free(b->mem, indeg);
  return st;
}

/* The node's shares, room made for it. */
static double *node_frac(builder *b, prf_node n) {
  size_t old = b->frac_cap;
  if ((size_t)n + 1 > old / b->ncol) {
    if (!prf_grow(b->mem, (void **)&b->frac, &b->frac_cap, ((size_t)n + 1) * b->ncol,
                  sizeof *b->frac))
      return NULL;
    memset(b->frac + old, 0, (b->frac_cap - old) * sizeof *b->frac);
  }
  return b->frac + (size_t)n * b->ncol;
}

/* A node for function fn below parent, given these shares. */
static prf_status add_node(builder *b, prf_node parent, uint32_t fn,
                           const double *share, prf_node *out) {
  prf_status st = prf_tree_child(prf_profile_tree(b->p), parent,
                                 b->g->frame[fn], out);
  if (st != PRF_OK)
    return st;
  double *f = node_frac(b, *out);
  if (!f)
    return PRF_E_NOMEM;
  for (size_t c = 0; c < b->ncol; c++)
    f[c] += share[c];
  b->reached[fn] |= 1;
  return PRF_OK;
}

/* A function that costs nothing and calls nothing (profile's "profiler"
 * entry) would be an empty box of its own: it gets none. */
static bool idle_function(const builder *b, size_t f) {
  for (size_t c = 0; c < b->ncol; c++)
    if (b->g->self[f * b->ncol + c] != 0)
      return false;
  return b->out_first[f] == b->out_first[f + 1];
}

/* Depth-first from function root, a new child of the tree's root. */
static prf_status walk(builder *b, uint32_t root) {
  prf_callgraph *g = b->g;
  size_t ncol = b->ncol;
  double *share = prf_mem_alloc(b->mem, ncol * sizeof *share);
  if (!share)
    return PRF_E_NOMEM;
  for (size_t c = 0; c < ncol; c++)
    share[c] = 1;
  size_t depth = 0;
  prf_node node;
  prf_status st = add_node(b, 0, root, share, &node);
  if (st == PRF_OK && !prf_grow(b->mem, (void **)&b->stack, &b->stack_cap, 1,
                                sizeof *b->stack))
    st = PRF_E_NOMEM;
  if (st == PRF_OK) {
    b->stack[depth++] = (struct frame_walk){root, node, b->out_first[root]};
    b->on_path[root] = 1;
  }
  while (st == PRF_OK && depth > 0) {
    struct frame_walk *top = &b->stack[depth - 1];
    if (top->next == b->out_first[top->fn + 1]) {
      b->on_path[top->fn] = 0;
      depth--;
      continue;
    }
    uint32_t e = b->out_edge[top->next++];
    uint32_t callee = g->to[e];
    if (self_call(g, e) || b->on_path[callee] || idle_function(b, callee))
      continue;
    bool any = false;
    const double *parent = b->frac + (size_t)top->node * ncol;
    for (size_t c = 0; c < ncol; c++) {
      share[c] = parent[c] * b->share[(size_t)e * ncol + c];
      any |= share[c] != 0;
    }
    if (!any)
      continue;
    if (prf_tree_node_count(prf_profile_tree(b->p)) >= b->max_nodes) {
      b->capped = true;
      continue;
    }
    prf_node parent_node = top->node; /* the stack may move */
    st = add_node(b, parent_node, callee, share, &node);
    if (st == PRF_OK && !prf_grow(b->mem, (void **)&b->stack, &b->stack_cap, depth + 1,
                                  sizeof *b->stack))
      st = PRF_E_NOMEM;
    if (st == PRF_OK) {
      b->stack[depth++] = (struct frame_walk){callee, node, b->out_first[callee]};
      b->on_path[callee] = 1;
    }
  }
  prf_mem_free(b->mem, share);
  return st;
}

/* Gives each node its share of its function's self cost. */
static prf_status spread_self(builder *b) {
  prf_callgraph *g = b->g;
  prf_tree *t = prf_profile_tree(b->p);
  size_t ncol = b->ncol, nnodes = prf_tree_node_count(t);
  double *mass = prf_mem_calloc(b->mem, g->nfn * ncol + 1, sizeof *mass);
  uint32_t *first = prf_mem_alloc(b->mem, (g->nfn + 1) * sizeof *first);
  double *v = prf_mem_alloc(b->mem, ncol * sizeof *v);
  prf_status st = mass && first && v && node_frac(b, (prf_node)nnodes)
                      ? PRF_OK : PRF_E_NOMEM;
  for (size_t f = 0; st == PRF_OK && f < g->nfn; f++)
    first[f] = 0;
  for (size_t n = 1; st == PRF_OK && n < nnodes; n++) {
    prf_fid fr = prf_tree_frame(t, (prf_node)n);
    if (fr >= g->fn_of_frame_cap || !g->fn_of_frame[fr])
      continue; /* a node of an earlier input */
    uint32_t fn = g->fn_of_frame[fr] - 1;
    if (!first[fn])
      first[fn] = (uint32_t)n;
    for (size_t c = 0; c < ncol; c++)
      mass[fn * ncol + c] += b->frac[n * ncol + c];
  }
  for (size_t n = 1; st == PRF_OK && n < nnodes; n++) {
    prf_fid fr = prf_tree_frame(t, (prf_node)n);
    if (fr >= g->fn_of_frame_cap || !g->fn_of_frame[fr])
      continue;
    uint32_t fn = g->fn_of_frame[fr] - 1;
    bool any = false;
    for (size_t c = 0; c < ncol; c++) {
      double m = mass[fn * ncol + c], s = g->self[fn * ncol + c];
      /* a function no share reached in this column: all on its first node */
      v[c] = m > 0 ? s * (b->frac[n * ncol + c] / m) : first[fn] == n ? s : 0;
      any |= v[c] != 0;
    }
    if (any)
      st = prf_tree_add_self(t, (prf_node)n, v);
  }
  prf_mem_free(b->mem, mass);
  prf_mem_free(b->mem, first);
  prf_mem_free(b->mem, v);
  return st;
}

static prf_status build_tree(builder *b) {
  prf_callgraph *g = b->g;
  prf_status st = index_edges(b);
  if (st == PRF_OK && !node_frac(b, 0))
    st = PRF_E_NOMEM;
  for (size_t f = 0; st == PRF_OK && f < g->nfn; f++)
    if (b->reached[f] == 2 && !idle_function(b, f))
      st = walk(b, (uint32_t)f);
  /* Cycles that no root enters: their first function becomes a root (all
     below the root itself once past the node cap). */
  for (size_t f = 0; st == PRF_OK && f < g->nfn; f++) {
    if ((b->reached[f] & 1) || idle_function(b, f))
      continue;
    if (b->capped) {
      double one[1] = {1};
      double *share = b->ncol == 1 ? one : prf_mem_alloc(b->mem, b->ncol * sizeof *share);
      prf_node n;
      if (!share)
        return PRF_E_NOMEM;
      for (size_t c = 0; c < b->ncol; c++)
        share[c] = 1;
      st = add_node(b, 0, (uint32_t)f, share, &n);
      if (share != one)
        prf_mem_free(b->mem, share);
    } else {
      st = walk(b, (uint32_t)f);
    }
  }
  if (st == PRF_OK)
    st = spread_self(b);
  return st;
}

/* Cumulative costs the file does not give: self plus the calls made to
 * other functions (a recursive call is inside the outer one). */
static void fill_cum(prf_callgraph *g) {
  size_t ncol = g->ncol;
  for (size_t f = 0; f < g->nfn; f++)
    if (!g->has_cum[f])
      memcpy(g->cum + f * ncol, g->self + f * ncol, ncol * sizeof *g->cum);
  for (size_t e = 0; e < g->nedges; e++)
    if (!self_call(g, e) && !g->has_cum[g->from[e]])
      for (size_t c = 0; c < ncol; c++)
        g->cum[g->from[e] * ncol + c] += g->cost[e * ncol + c];
}

prf_status prf_callgraph_build(prf_profile *p, prf_callgraph *g,
                               size_t *capped, prf_error *err) {
  bool fresh = prf_tree_node_count(prf_profile_tree(p)) == 1 &&
               p->callgraph == NULL;
  if (g->ncol != prf_value_count(p)) {
    prf_callgraph_free(g);
    return prf_fail(err, PRF_E_USAGE, "call graph with %zu columns for a "
                    "profile with %zu", g->ncol, prf_value_count(p));
  }
  fill_cum(g);
  builder b;
  memset(&b, 0, sizeof b);
  b.p = p;
  b.g = g;
  b.mem = &p->mem;
  b.ncol = g->ncol;
  b.max_nodes = PRF_CALLGRAPH_MAX_VALUES / g->ncol < PRF_CALLGRAPH_MAX_NODES
                    ? PRF_CALLGRAPH_MAX_VALUES / g->ncol
                    : PRF_CALLGRAPH_MAX_NODES;
  prf_status st = build_tree(&b);
  *capped = b.capped ? b.max_nodes : 0;
  prf_mem_free(b.mem, b.out_first);
  prf_mem_free(b.mem, b.out_edge);
  prf_mem_free(b.mem, b.share);
  prf_mem_free(b.mem, b.on_path);
  prf_mem_free(b.mem, b.reached);
  prf_mem_free(b.mem, b.frac);
  prf_mem_free(b.mem, b.stack);
  if (st == PRF_OK)
    st = prf_meta_set(p, "callgraph",
                      "stacks reconstructed from a call graph (approximate)");
  if (st == PRF_OK && fresh) {
    p->callgraph = g; /* the file's own numbers, for the top table */
    return PRF_OK;
  }
  prf_callgraph_free(g);
  if (st != PRF_OK && !err->message[0])
    prf_fail(err, st, "cannot build the call tree from the call graph");
  return st;
}

void prf_callgraph_drop(prf_profile *p) {
  prf_callgraph_free(p->callgraph);
  p->callgraph = NULL;
}

void prf_callgraph_top(const prf_profile *p, size_t column,
                       const uint32_t *row_of, prf_top_row *rows,
                       size_t nrows) {
  const prf_callgraph *g = p->callgraph;
  if (!g || column >= g->ncol)
    return;
  for (size_t r = 0; r < nrows; r++)
    rows[r].flat = rows[r].cum = 0;
  for (size_t f = 0; f < g->nfn; f++) {
    if (g->frame[f] >= prf_frame_count(p))
      continue;
    prf_top_row *r = &rows[row_of[g->frame[f]]];
    r->flat += g->self[f * g->ncol + column];
    r->cum += g->cum[f * g->ncol + column];
  }
}
