/*
 * tree.c - the call tree: a prefix tree in flat arrays. A hash from
 * (parent, frame) to node finds or inserts a child in O(1), so adding a
 * stack of depth d costs d look-ups and no recursion. Children are always
 * created after their parent, so id order is a topological order.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

static uint64_t edge_hash(uint32_t parent, uint32_t frame) {
  return prf_hash_mix(((uint64_t)parent << 32) | frame);
}

/* The node arrays grow by prf_grow_mapped: huge pages, moved rather than
 * copied when they grow. */
static bool tree_reserve(prf_tree *t, size_t need) {
  if (need <= t->nodes_cap && need <= t->depth_cap)
    return true; /* nearly always: no call */
  return prf_grow_mapped(t->mem, (void **)&t->nodes, &t->nodes_cap, need,
                         sizeof *t->nodes) &&
         prf_grow_mapped(t->mem, (void **)&t->depth, &t->depth_cap, need,
                         sizeof *t->depth);
}

/* A node with two or more children: they are in the slots table. */
static bool is_wide(const prf_tree *t, prf_node n) {
  prf_node c = t->nodes[n].first_child;
  return c != PRF_NONE && t->nodes[c].next_sibling != PRF_NONE;
}

static void slot_put(prf_edge *slots, size_t nslots, uint32_t parent,
                     uint32_t frame, uint32_t node) {
  size_t i = edge_hash(parent, frame) & (nslots - 1);
  while (slots[i].node)
    i = (i + 1) & (nslots - 1);
  slots[i] = (prf_edge){parent, frame, node};
}

/* A table of nslots slots with the entries of the old one (which holds
 * every wide node's children), read in order rather than found through
 * the nodes at random. */
static bool tree_rehash(prf_tree *t, size_t nslots) {
  prf_edge *slots = prf_table_alloc(t->mem, nslots, sizeof *slots);
  if (!slots)
    return false;
  for (size_t i = 0; i < t->nslots; i++)
    if (t->slots[i].node)
      slot_put(slots, nslots, t->slots[i].parent, t->slots[i].frame,
               t->slots[i].node);
  prf_mem_free(t->mem, t->slots);
  t->slots = slots;
  t->nslots = nslots;
  return true;
}

/* Makes room for `more` entries in the table of wide nodes' children. */
static bool slots_reserve(prf_tree *t, size_t more) {
  if ((t->nhashed + more) * 2 <= t->nslots)
    return true;
  size_t n = t->nslots;
  while ((t->nhashed + more) * 2 > n)
    n *= 2;
  return tree_rehash(t, n);
}

bool prf_tree_init(prf_tree *t, prf_profile *profile, size_t ncol) {
  memset(t, 0, sizeof *t);
  t->profile = profile;
  t->mem = profile ? &profile->mem : NULL;
  t->ncol = ncol;
  if (!tree_reserve(t, 64) || !tree_rehash(t, 64)) {
    prf_tree_release(t);
    return false;
  }
  t->nodes[0].parent = PRF_NONE;
  t->nodes[0].frame = PRF_NONE;
  t->nodes[0].first_child = PRF_NONE;
  t->nodes[0].next_sibling = PRF_NONE;
  t->depth[0] = 0;
  t->count = 1;
  return true;
}

void prf_tree_release(prf_tree *t) {
  prf_free_mapped(t->mem, t->nodes, t->nodes_cap, sizeof *t->nodes);
  prf_free_mapped(t->mem, t->depth, t->depth_cap, sizeof *t->depth);
  prf_mem_free(t->mem, t->stack_node);
  prf_mem_free(t->mem, t->stack_self);
  prf_index_free(t->mem, &t->stack_index);
  prf_mem_free(t->mem, t->total);
  prf_mem_free(t->mem, t->slots);
  memset(t, 0, sizeof *t);
}

void prf_tree_free(prf_tree *t) {
  if (!t)
    return;
  const prf_allocator *mem = t->mem;
  prf_tree_release(t);
  prf_mem_free(mem, t);
}

/* A stack of `depth` frames exceeds the profile's limit (noted in the
 * tree, not the profile: the folded reader builds the tree on a thread of
 * its own while the parsing thread may note a limit of the frames). */
static bool too_deep(prf_tree *t, size_t depth) {
  uint32_t max = t->profile ? t->profile->max_depth : PRF_NONE - 2;
  if (depth <= max && depth < PRF_NONE - 1)
    return false;
  t->limit_hit = PRF_LIMIT_DEPTH;
  return true;
}

/* Most nodes have one child (stacks share long chains), so the first
 * child is tried before the table: one node read, which the look-up of
 * the next frame needs anyway. */
static prf_node find_child(const prf_tree *t, prf_node parent, prf_fid frame) {
  prf_node c = t->nodes[parent].first_child;
  if (c == PRF_NONE || t->nodes[c].frame == frame)
    return c;
  if (t->nodes[c].next_sibling == PRF_NONE)
    return PRF_NONE;
  size_t mask = t->nslots - 1;
  for (size_t i = edge_hash(parent, frame) & mask; t->slots[i].node != 0;
       i = (i + 1) & mask)
    if (t->slots[i].parent == parent && t->slots[i].frame == frame)
      return t->slots[i].node;
  return PRF_NONE;
}

/* prf_tree_find_paths: each path is walked as find_child would, one
 * memory access per turn, the next one prefetched for the following turn. */
typedef enum { WALK_DONE, WALK_NODE, WALK_SLOTS } walk_state;
typedef struct walker {
  walk_state state;
  prf_node node; /* the path's node at depth d (the root at 0) */
  prf_node c;    /* WALK_NODE: the child of node to try */
  size_t d;
  size_t slot;   /* WALK_SLOTS: where the probe goes on */
} walker;

void prf_tree_find_paths(const prf_tree *t, const prf_fid *paths,
                         const size_t *start, const size_t *depth, size_t n,
                         prf_node *found, size_t *reach) {
  walker w[PRF_TREE_WALKERS];
  size_t mask = t->nslots ? t->nslots - 1 : 0;
  for (size_t base = 0; base < n; base += PRF_TREE_WALKERS) {
    size_t m = n - base < PRF_TREE_WALKERS ? n - base : PRF_TREE_WALKERS;
    size_t active = 0;
    for (size_t k = 0; k < m; k++) {
      w[k] = (walker){WALK_DONE, 0, t->nodes[0].first_child, 0, 0};
      reach[base + k] = 0;
      if (depth[base + k] > 0 && w[k].c != PRF_NONE) {
        w[k].state = WALK_NODE;
        active++;
      }
    }
    while (active > 0) {
      for (size_t k = 0; k < m; k++) {
        walker *v = &w[k];
        const prf_fid *path = paths + start[base + k];
        prf_node next = PRF_NONE;
        if (v->state == WALK_NODE) {
          const prf_tnode *c = &t->nodes[v->c];
          if (c->frame == path[v->d]) {
            next = v->c;
          } else if (c->next_sibling != PRF_NONE && t->nslots) {
            v->slot = edge_hash(v->node, path[v->d]) & mask;
            __builtin_prefetch(&t->slots[v->slot]);
            v->state = WALK_SLOTS;
            continue;
          }
        } else if (v->state == WALK_SLOTS) {
          for (size_t i = v->slot; t->slots[i].node != 0; i = (i + 1) & mask)
            if (t->slots[i].parent == v->node && t->slots[i].frame == path[v->d]) {
              next = t->slots[i].node;
              break;
            }
        } else {
          continue;
        }
        if (next == PRF_NONE) { /* the rest of the path is new */
          v->state = WALK_DONE;
          active--;
          continue;
        }
        found[start[base + k] + v->d] = next;
        reach[base + k] = ++v->d;
        v->node = next;
        v->c = t->nodes[next].first_child;
        if (v->d == depth[base + k] || v->c == PRF_NONE) {
          v->state = WALK_DONE;
          active--;
          continue;
        }
        __builtin_prefetch(&t->nodes[v->c]);
        v->state = WALK_NODE;
      }
    }
  }
}

prf_status prf_tree_child(prf_tree *t, prf_node parent, prf_fid frame,
                          prf_node *out) {
  if (parent >= t->count)
    return PRF_E_USAGE;
  prf_node found = find_child(t, parent, frame);
  if (found != PRF_NONE) {
    *out = found;
    return PRF_OK;
  }
  if (t->count >= PRF_NONE - 1)
    return PRF_E_LIMIT;
  if (too_deep(t, (size_t)t->depth[parent] + 1))
    return PRF_E_LIMIT;
  /* A second child makes the parent wide: both enter the table. */
  prf_node first = t->nodes[parent].first_child;
  size_t more = first == PRF_NONE ? 0 : is_wide(t, parent) ? 1 : 2;
  if (!tree_reserve(t, t->count + 1) || !slots_reserve(t, more))
    return PRF_E_NOMEM;
  uint32_t n = (uint32_t)t->count++;
  t->nodes[n].parent = parent;
  t->nodes[n].frame = frame;
  t->nodes[n].first_child = PRF_NONE;
  t->nodes[n].next_sibling = first;
  t->nodes[parent].first_child = n;
  t->depth[n] = t->depth[parent] + 1;
  if (t->depth[n] > t->max_depth)
    t->max_depth = t->depth[n];
  if (more == 2)
    slot_put(t->slots, t->nslots, parent, t->nodes[first].frame, first);
  if (more)
    slot_put(t->slots, t->nslots, parent, frame, n);
  t->nhashed += more;
  t->totals_valid = false;
  *out = n;
  return PRF_OK;
}

prf_status prf_tree_add_path(prf_tree *t, const prf_fid *frames, size_t depth,
                             prf_node *out) {
  prf_node node = 0;
  size_t i = 0;
  /* The part of the path that exists already. */
  for (; i < depth; i++) {
    prf_node c = find_child(t, node, frames[i]);
    if (c == PRF_NONE)
      break;
    node = c;
  }
  if (i < depth) {
    /* The first new node joins an existing parent (which may turn wide);
       the rest hang each under the one made just before, which has no
       other child: no look-ups, one reservation. */
    prf_status st = prf_tree_child(t, node, frames[i], &node);
    if (st != PRF_OK)
      return st;
    i++;
    size_t rest = depth - i;
    if (rest) {
      if (t->count + rest >= PRF_NONE - 1 || too_deep(t, t->depth[node] + rest))
        return PRF_E_LIMIT;
      if (!tree_reserve(t, t->count + rest))
        return PRF_E_NOMEM;
      uint32_t n = (uint32_t)t->count;
      uint32_t d = t->depth[node];
      for (; i < depth; i++, n++) {
        t->nodes[n].parent = node;
        t->nodes[n].frame = frames[i];
        t->nodes[n].first_child = PRF_NONE;
        t->nodes[n].next_sibling = PRF_NONE;
        t->nodes[node].first_child = n;
        t->depth[n] = ++d;
        node = n;
      }
      t->count = n;
      if (d > t->max_depth)
        t->max_depth = d;
      t->totals_valid = false;
    }
  }
  *out = node;
  return PRF_OK;
}

/* The entry of node's self values, or SIZE_MAX. */
static size_t stack_find(const prf_tree *t, prf_node node) {
  if (!t->stack_index.nslots)
    return SIZE_MAX;
  const prf_index *ix = &t->stack_index;
  uint64_t hash = prf_hash_mix(node);
  for (size_t i = prf_index_start(ix, hash); ix->slots[i];
       i = prf_index_next(ix, i)) {
    uint32_t e = prf_index_id(ix, i, hash);
    if (e != PRF_NONE && t->stack_node[e] == node)
      return e;
  }
  return SIZE_MAX;
}

prf_status prf_tree_add_self(prf_tree *t, prf_node node, const double *values) {
  if (node >= t->count)
    return PRF_E_USAGE;
  size_t e = stack_find(t, node);
  if (e == SIZE_MAX) {
    size_t cap = t->stacks_cap;
    if (t->nstacks >= UINT32_MAX - 1)
      return PRF_E_LIMIT;
    if (!prf_index_reserve(t->mem, &t->stack_index, t->nstacks) ||
        !prf_grow(t->mem, (void **)&t->stack_node, &cap, t->nstacks + 1,
                  sizeof *t->stack_node))
      return PRF_E_NOMEM;
    cap = t->stacks_cap;
    if (t->ncol && !prf_grow(t->mem, (void **)&t->stack_self, &cap,
                             t->nstacks + 1, t->ncol * sizeof(double)))
      return PRF_E_NOMEM;
    t->stacks_cap = cap;
    e = t->nstacks++;
    t->stack_node[e] = node;
    for (size_t c = 0; c < t->ncol; c++)
      t->stack_self[e * t->ncol + c] = 0;
    prf_index_put(&t->stack_index, prf_hash_mix(node), (uint32_t)e);
  }
  for (size_t c = 0; c < t->ncol; c++)
    t->stack_self[e * t->ncol + c] += values[c];
  t->totals_valid = false;
  return PRF_OK;
}

bool prf_tree_compute_totals(prf_tree *t) {
  if (t->totals_valid)
    return true;
  size_t k = t->ncol;
  if (!k)
    return true;
  if (t->count > SIZE_MAX / k)
    return false;
  if (t->total_cap < t->count * k) {
    /* A fresh zeroed table in huge pages, as the hash tables get: faulting
       4 KiB pages in one by one cost more than the summing itself (0.5 s
       of 0.67 s for 14 M nodes). Growth is rare: a tree is summed once it
       has been read. */
    double *fresh = prf_table_alloc(t->mem, t->count * k, sizeof(double));
    if (!fresh)
      return false;
    prf_mem_free(t->mem, t->total);
    t->total = fresh;
    t->total_cap = t->count * k;
  } else {
    memset(t->total, 0, t->count * k * sizeof(double));
  }
  for (size_t e = 0; e < t->nstacks; e++)
    for (size_t c = 0; c < k; c++)
      t->total[t->stack_node[e] * k + c] += t->stack_self[e * k + c];
  for (size_t n = t->count; n-- > 1;) {
    uint32_t p = t->nodes[n].parent;
    for (size_t c = 0; c < k; c++)
      t->total[p * k + c] += t->total[n * k + c];
  }
  t->totals_valid = true;
  return true;
}

size_t prf_tree_stack_count(const prf_tree *t) { return t->nstacks; }

size_t prf_tree_stack_entry(const prf_tree *t, prf_node node) {
  return node < t->count ? stack_find(t, node) : SIZE_MAX;
}

prf_node prf_tree_stack(const prf_tree *t, size_t i) {
  return i < t->nstacks ? t->stack_node[i] : PRF_NONE;
}

const prf_profile *prf_tree_profile(const prf_tree *t) { return t->profile; }
size_t prf_tree_node_count(const prf_tree *t) { return t->count; }

prf_node prf_tree_parent(const prf_tree *t, prf_node n) {
  return n < t->count ? t->nodes[n].parent : PRF_NONE;
}

prf_fid prf_tree_frame(const prf_tree *t, prf_node n) {
  return n < t->count ? t->nodes[n].frame : PRF_NONE;
}

prf_node prf_tree_first_child(const prf_tree *t, prf_node n) {
  return n < t->count ? t->nodes[n].first_child : PRF_NONE;
}

prf_node prf_tree_next_sibling(const prf_tree *t, prf_node n) {
  return n < t->count ? t->nodes[n].next_sibling : PRF_NONE;
}

uint32_t prf_tree_depth(const prf_tree *t, prf_node n) {
  return n < t->count ? t->depth[n] : 0;
}

uint32_t prf_tree_max_depth(const prf_tree *t) { return t->max_depth; }

double prf_tree_self(const prf_tree *t, prf_node n, size_t c) {
  if (n >= t->count || c >= t->ncol)
    return 0;
  size_t e = stack_find(t, n);
  return e == SIZE_MAX ? 0 : t->stack_self[e * t->ncol + c];
}

double prf_tree_total(const prf_tree *t, prf_node n, size_t c) {
  if (n >= t->count || c >= t->ncol)
    return 0;
  /* Lazily computed: the cast is the documented "not while modified". */
  if (!prf_tree_compute_totals((prf_tree *)t))
    return 0; /* out of memory: callers that care call compute first */
  return t->total[n * t->ncol + c];
}

size_t prf_tree_path(const prf_tree *t, prf_node leaf, prf_node *buf,
                     size_t cap) {
  if (leaf >= t->count)
    return 0;
  size_t depth = t->depth[leaf];
  size_t i = depth;
  for (prf_node n = leaf; n != 0; n = t->nodes[n].parent) {
    i--;
    if (i < cap)
      buf[i] = n;
  }
  return depth;
}

prf_tree *prf_tree_reversed(const prf_tree *t, prf_error *err) {
  prf_tree *r = prf_mem_alloc(t->mem, sizeof *r);
  prf_node *path =
      prf_mem_alloc(t->mem, ((size_t)t->max_depth + 1) * sizeof *path);
  if (!r || !path || !prf_tree_init(r, t->profile, t->ncol)) {
    prf_mem_free(t->mem, r);
    prf_mem_free(t->mem, path);
    prf_fail(err, PRF_E_NOMEM, "out of memory reversing the call tree");
    return NULL;
  }
  for (size_t e = 0; e < t->nstacks; e++) {
    prf_node n = t->stack_node[e];
    size_t depth = prf_tree_path(t, n, path, t->max_depth + 1);
    prf_node at = 0;
    prf_status st = PRF_OK;
    for (size_t i = depth; i-- > 0 && st == PRF_OK;)
      st = prf_tree_child(r, at, t->nodes[path[i]].frame, &at);
    if (st == PRF_OK)
      st = prf_tree_add_self(r, at, &t->stack_self[e * t->ncol]);
    if (st != PRF_OK) {
      prf_fail(err, st, "out of memory reversing the call tree");
      prf_tree_free(r);
      prf_mem_free(t->mem, path);
      return NULL;
    }
  }
  prf_mem_free(t->mem, path);
  return r;
}
