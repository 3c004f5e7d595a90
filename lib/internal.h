/*
 * internal.h - private declarations shared by lib/, formats/ and render/.
 * Never installed.
 */
#ifndef PRF_INTERNAL_H
#define PRF_INTERNAL_H

#include "profrender.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* ---- memory (util.c) ---- */

/* Every allocation in lib/, formats/ and render/ goes through these, with
 * the allocator of the profile it is made for (NULL, or all functions
 * NULL: libc, called directly so that the default costs one branch). No
 * other file calls malloc, calloc, realloc, free or strdup (tests/alloc.sh
 * checks). A custom function never sees a size of 0 nor a NULL to free. */
static inline bool prf_mem_custom(const prf_allocator *a) {
  return a && a->alloc;
}
static inline void *prf_mem_alloc(const prf_allocator *a, size_t n) {
  if (!prf_mem_custom(a))
    return malloc(n);
  return a->alloc(a->opaque, n ? n : 1);
}
static inline void *prf_mem_realloc(const prf_allocator *a, void *p, size_t n) {
  if (!prf_mem_custom(a))
    return realloc(p, n);
  return p ? a->realloc(a->opaque, p, n ? n : 1)
           : a->alloc(a->opaque, n ? n : 1);
}
static inline void prf_mem_free(const prf_allocator *a, void *p) {
  if (!prf_mem_custom(a))
    free(p);
  else if (p)
    a->free(a->opaque, p);
}
/* Zeroed count * size bytes; NULL when that overflows. */
void *prf_mem_calloc(const prf_allocator *a, size_t count, size_t size);
/* A copy of len bytes of s with a NUL after them. */
char *prf_mem_strndup(const prf_allocator *a, const char *s, size_t len);
char *prf_mem_strdup(const prf_allocator *a, const char *s);

/* ---- small utilities (util.c) ---- */

/* Grows *ptr (an array of elem-sized items with capacity *cap) so that it
 * holds at least need items. Returns false (leaving *ptr intact) when the
 * size overflows or allocation fails. */
bool prf_grow(const prf_allocator *a, void **ptr, size_t *cap, size_t need,
              size_t elem);

/* prf_grow for arrays that grow big and are written soon after growing
 * (the decoded input, the stacks of a top_only profile): from 4 MiB on,
 * their memory is offered to transparent huge pages, one page fault per
 * 2 MiB instead of one per 4 KiB (about 7 us each on this project's VMs). */
bool prf_grow_large(const prf_allocator *a, void **ptr, size_t *cap,
                    size_t need, size_t elem);

/* prf_grow for the call tree's node arrays, which grow by the million
 * and are freed only by their owner, with prf_free_mapped and the
 * capacity it gave. From 4 MiB on (with the default allocator, on Linux)
 * the array is a mapping of its own, offered to huge pages, and it grows
 * by moving its pages to a larger mapping (mremap): nothing is copied,
 * and the old and the new array are never both in memory. A copy into
 * fresh pages, which the kernel zeroes first, was 10% of the CPU time of
 * reading a 64 MB folded file, and the two copies 6 MB of its peak. */
bool prf_grow_mapped(const prf_allocator *a, void **ptr, size_t *cap,
                     size_t need, size_t elem);
void prf_free_mapped(const prf_allocator *a, void *ptr, size_t cap,
                     size_t elem);

/* A zeroed array for a hash table (freed with prf_mem_free). Large tables
 * are probed at random, a cache and TLB miss per look-up, so they ask the
 * kernel for transparent huge pages (with the default allocator only; a
 * custom one is simply asked for the memory, as by prf_grow_large). */
void *prf_table_alloc(const prf_allocator *a, size_t count, size_t elem);

/* An open-addressing index of ids by hash, shared by the string, frame and
 * stack tables. A slot holds the low 32 bits of the key's hash above id + 1
 * (0 is empty), so a probe compares keys only when their hashes agree and
 * doubling the table never re-reads the keys; the load stays at most one
 * half. Look-ups walk from prf_index_start with prf_index_next until an
 * empty slot, and compare the keys of the ids prf_index_id gives. */
typedef struct prf_index {
  uint64_t *slots;
  size_t nslots;
} prf_index;

/* Makes room for id `count` (ids 0..count-1 are in the index already). */
bool prf_index_reserve(const prf_allocator *a, prf_index *index, size_t count);
void prf_index_put(prf_index *index, uint64_t hash, uint32_t id);
void prf_index_free(const prf_allocator *a, prf_index *index);
static inline size_t prf_index_start(const prf_index *index, uint64_t hash) {
  return (size_t)(uint32_t)hash & (index->nslots - 1);
}
static inline size_t prf_index_next(const prf_index *index, size_t i) {
  return (i + 1) & (index->nslots - 1);
}
/* The id in occupied slot i if its hash agrees with `hash`, else PRF_NONE. */
static inline uint32_t prf_index_id(const prf_index *index, size_t i,
                                    uint64_t hash) {
  uint64_t s = index->slots[i];
  return (uint32_t)(s >> 32) == (uint32_t)hash ? (uint32_t)s - 1 : PRF_NONE;
}

/* A map from 64-bit keys to dense ids 1, 2, 3... in order of first
 * insertion (0 means "none"), for tables that number what they meet. */
typedef struct prf_keymap {
  uint64_t *keys; /* key + 1; 0 = empty */
  uint32_t *ids;
  size_t cap, count;
} prf_keymap;

/* The id of key, adding it if new (*fresh then true). 0 when out of
 * memory or full. */
uint32_t prf_keymap_id(const prf_allocator *a, prf_keymap *map, uint64_t key,
                       bool *fresh);
void prf_keymap_free(const prf_allocator *a, prf_keymap *map);

/* A fast 64-bit hash of a byte string, and a mixer for integers. */
uint64_t prf_hash_bytes(const void *data, size_t len);
uint64_t prf_hash_mix(uint64_t x);

/* Fills err (if non-NULL) with code and a printf-style message. Returns
 * code so callers can write `return prf_fail(err, PRF_E_DATA, ...)`. */
prf_status prf_fail(prf_error *err, prf_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
prf_status prf_vfail(prf_error *err, prf_status code, const char *fmt,
                     va_list ap) __attribute__((format(printf, 3, 0)));

/* Copies a source name into err->source (truncating). */
void prf_error_set_source(prf_error *err, const char *source);

/* A growable byte buffer for writers. */
typedef struct prf_buf {
  char *data;
  size_t len, cap;
  bool failed; /* an allocation failed; later appends are ignored */
  const prf_allocator *mem; /* must outlive the buffer (a profile's) */
} prf_buf;

void prf_buf_init(prf_buf *b, const prf_allocator *mem);
void prf_buf_free(prf_buf *b);
void prf_buf_put(prf_buf *b, const void *data, size_t len);
void prf_buf_puts(prf_buf *b, const char *s);
void prf_buf_putc(prf_buf *b, char c);
void prf_buf_printf(prf_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A writer's output: bytes gather in buf and go to write in pieces of
 * about a megabyte (all of them when forced); an allocation or write
 * failure is remembered in nomem or io, and later flushes do nothing. */
typedef struct prf_stream {
  prf_buf buf;
  prf_write_fn write;
  void *ctx;
  bool nomem, io;
} prf_stream;

void prf_stream_flush(prf_stream *s, bool force);

/* Appends v with exactly `decimals` (0 to 6) digits after the point, like
 * printf's "%.*f" but without its cost (the SVG writer prints millions). */
void prf_buf_fixed(prf_buf *b, double v, int decimals);
/* v rounded as prf_buf_fixed prints it (half away from zero). */
double prf_round_fixed(double v, int decimals);

/* Formats a count the way people read it: integers with thousands
 * separators ("1,234"), fractions with up to 3 decimals ("12.5"). */
void prf_format_count(char *out, size_t size, double value);

/* Sorts ids with a comparator that takes a context (a stable, iterative
 * merge sort; qsort has no context argument in ISO C). Returns false when
 * the scratch buffer cannot be allocated. */
typedef int (*prf_id_cmp)(void *ctx, uint32_t a, uint32_t b);
bool prf_sort_ids(const prf_allocator *a, uint32_t *ids, size_t n,
                  prf_id_cmp cmp, void *ctx);

/* Formats a number exactly and shortest: integers as "%lld", other values
 * with the fewest digits that read back the same ("12.5", "0.1"). */
void prf_format_number(char *out, size_t size, double value);

/* The folded-stack suffix of a frame kind ("_[k]", ...; "" for normal). */
const char *prf_kind_suffix(uint8_t kind);

/* ---- merging (merge.c) ---- */

/* Copies the frames of src into dst (strings re-interned); map[f] gets
 * dst's id of src's frame f. */
prf_status prf_frames_map(prf_profile *dst, const prf_profile *src,
                          prf_fid *map);

/* Sets a header field as merging inputs combines it (pprof's Merge):
 * time_nanos the earliest, duration_nanos the sum, period the largest,
 * comments every distinct line in order, any other key the first value.
 * Associative, so merging in any grouping gives the same header. */
prf_status prf_meta_combine(prf_profile *profile, const char *key,
                            const char *value, size_t len);

/* ---- string table (strings.c) ---- */

typedef struct prf_strtab {
  char **chunks;      /* arena chunks holding the bytes */
  size_t nchunks, chunks_cap;
  size_t chunk_used, chunk_size;
  const char **ptr;   /* id -> bytes (NUL-terminated) */
  uint32_t *len;      /* id -> length */
  size_t count, cap;
  prf_index index;
  const prf_allocator *mem; /* must outlive the table (a profile's) */
} prf_strtab;

bool prf_strtab_init(prf_strtab *t, const prf_allocator *mem);
void prf_strtab_free(prf_strtab *t);
/* Returns false when out of memory or the table is full (2^32-1 strings). */
bool prf_strtab_intern(prf_strtab *t, const char *s, size_t len, prf_str *out);

/* ---- per-function values (top.c) ---- */

/* prf_top_compute's flat and cum (and total), with the rows the caller
 * groups frames into rather than one per name: a frame f on the tree
 * counts in row row_of[f] (< nrows). Every row is kept, in row order,
 * named 0 (the caller knows what a row is). column SIZE_MAX: the
 * profile's default. The caller frees with prf_top_free. */
prf_status prf_top_grouped(const prf_profile *profile, size_t column,
                           const uint32_t *row_of, size_t nrows, prf_top *top,
                           prf_error *err);

/* Flat and cum of rows that frames are grouped into, for several
 * groupings (tables) at once and every column: flat[row * ncol + c] and
 * cum[row * ncol + c], added to the caller's zeroed arrays. A row counts
 * once per stack however often it appears on it. Needs the call tree (not
 * a top_only profile); PRF_E_NOMEM is the only failure. */
typedef struct prf_row_sums {
  const uint32_t *row_of; /* frame -> row */
  size_t nrows;
  double *flat, *cum;     /* nrows * ncol each */
} prf_row_sums;
prf_status prf_tree_row_sums(const prf_profile *profile, prf_row_sums *tables,
                             size_t ntables);

/* ---- the model (profile.c, tree.c) ---- */

typedef struct prf_tnode {
  uint32_t parent, frame, first_child, next_sibling;
} prf_tnode;

typedef struct prf_edge {
  uint32_t parent, frame, node;
} prf_edge;

struct prf_tree {
  prf_profile *profile;
  const prf_allocator *mem; /* the profile's (NULL without one: libc) */
  size_t count;
  prf_tnode *nodes; /* the fields a child look-up reads, side by side */
  uint32_t *depth;
  size_t nodes_cap, depth_cap;
  /* Self values are sparse: only the ends of stacks carry them (a folded
     line's leaf, a sample's leaf), a small share of all nodes. Entry e
     belongs to node stack_node[e] and holds ncol values at
     stack_self[e * ncol]; stack_index finds the entry of a node. */
  uint32_t *stack_node;
  double *stack_self;
  size_t nstacks, stacks_cap;
  prf_index stack_index;
  double *total;  /* count * ncol, valid when totals_valid */
  size_t total_cap; /* doubles allocated */
  size_t ncol;
  bool totals_valid;
  uint32_t max_depth;
  uint8_t limit_hit; /* PRF_LIMIT_DEPTH once a stack was too deep */
  /* (parent, frame) -> node for the children of wide nodes (two or more
     children); a node's only child is its first_child, so the many nodes
     of chains never enter the table. Node 0 marks an
     empty slot (the root is never a child); the key lives in the slot so
     that a probe touches one cache line. */
  prf_edge *slots;
  size_t nslots, nhashed;
};

/* Distinct stacks as lists of frames (stacks.c): what a profile read with
 * top_only holds instead of a call tree and samples. */
typedef struct prf_stack_ref {
  size_t first;   /* its frames: frames[first .. first + depth), root first */
  uint32_t depth; /* at least 1 */
  uint64_t hash;  /* of the frames */
} prf_stack_ref;

typedef struct prf_stacks {
  prf_fid *frames;
  size_t nframes, frames_cap;
  prf_stack_ref *stack; /* in order of first appearance */
  double *values;       /* count * ncol: the sums of the stack's samples */
  size_t count, cap;
  uint64_t *slots;      /* finds a stack by its frames (stacks.c) */
  size_t nslots;
  double *abs_total;    /* per column: the sum of |value| over the samples
                           with a non-empty stack (pprof's total) */
} prf_stacks;

/* Adds a sample's values to the stack of these frames (root first, ids
 * already checked); an empty stack counts nowhere. PRF_E_LIMIT (noted in
 * the profile) past its depth limit. */
prf_status prf_stacks_add(prf_profile *profile, const prf_fid *frames,
                          size_t depth, const double *values);
void prf_stacks_free(const prf_allocator *a, prf_stacks *stacks);

typedef struct prf_value_col {
  prf_str type, unit;
} prf_value_col;

typedef struct prf_thread {
  int64_t id;
  prf_str name;
} prf_thread;

typedef struct prf_meta {
  prf_str key, value;
} prf_meta;

struct prf_profile {
  prf_allocator mem; /* all NULL: libc */
  prf_strtab strings;
  prf_frame *frames;
  size_t nframes, frames_cap;
  prf_index frame_index;
  prf_value_col *cols;
  size_t ncols, cols_cap, default_col;
  prf_meta *meta;
  size_t nmeta, meta_cap;
  prf_sample *samples;
  size_t nsamples, samples_cap;
  double *sample_values; /* nsamples * ncols */
  size_t sample_values_cap;
  prf_label *labels;
  size_t nlabels, labels_cap;
  prf_thread *threads;
  size_t nthreads, threads_cap;
  double *unfiltered_total; /* per column, set by the first filter: pprof
                               keeps percentages relative to it */
  uint32_t max_depth;  /* frames per stack at most (prf_tree_child) */
  uint32_t max_frames; /* distinct frames at most (prf_frame_intern) */
  uint8_t limit_hit;   /* PRF_LIMIT_*: which limit a PRF_E_LIMIT came from */
  prf_tree tree;
  /* Read with top_only by a reader that honours it: the stacks are in
     `stacks`, the tree and the samples are empty. */
  bool top_only;
  prf_stacks stacks;
  /* Read from a call graph (pstats, callgrind): the file's own numbers
     per function (callgraph.c), NULL otherwise. */
  struct prf_callgraph *callgraph;
};

/* The largest count or weight a reader accepts: 2^63 - 1 rounded down to
 * a double, so that pprof's int64 values hold every one. */
#define PRF_MAX_COUNT 9223372036854774784.0

enum { PRF_LIMIT_NONE = 0, PRF_LIMIT_DEPTH = 1, PRF_LIMIT_FRAMES = 2 };

/* Reverses the order of the samples from index first to the end. */
void prf_samples_reverse(prf_profile *profile, size_t first);

/* A differential profile (two-count folded input): columns "before" and
 * "after". */
bool prf_is_differential(const prf_profile *profile);

/* Initialises a tree for a profile with ncol columns, holding the root. */
bool prf_tree_init(prf_tree *tree, prf_profile *profile, size_t ncol);
/* Finds or adds the path of frames (root first, ids already checked)
 * below the root; *out gets its last node. */
prf_status prf_tree_add_path(prf_tree *tree, const prf_fid *frames,
                             size_t depth, prf_node *out);
/* Looks up n paths side by side, read-only: path k is paths[start[k]..]
 * (depth[k] frames, root first) and gets in reach[k] how many of its
 * leading frames have nodes already, those nodes in found[start[k]..]. The
 * look-ups of one path depend on each other, a cache miss each in a large
 * tree; taking PRF_TREE_WALKERS paths in turns keeps that many misses in
 * flight instead of one. */
enum { PRF_TREE_WALKERS = 16 };
void prf_tree_find_paths(const prf_tree *tree, const prf_fid *paths,
                         const size_t *start, const size_t *depth, size_t n,
                         prf_node *found, size_t *reach);
void prf_tree_release(prf_tree *tree);
/* Makes sure the totals are computed (children always follow parents).
 * False when out of memory. */
bool prf_tree_compute_totals(prf_tree *tree);
/* The index of node's self-value entry (prf_tree_stack order), or
 * SIZE_MAX when it has none. */
size_t prf_tree_stack_entry(const prf_tree *tree, prf_node node);

/* ---- call graphs (callgraph.c) ---- */

/* What a call-graph reader (pstats, callgrind) collects: per function (a
 * frame) its self and cumulative cost, per caller -> callee edge the cost
 * it carries, one value per column. */
typedef struct prf_callgraph prf_callgraph;

/* The call tree is not expanded past this many nodes, nor past this many
 * node values (nodes times value columns) (README.md). */
#define PRF_CALLGRAPH_MAX_NODES 1000000u
#define PRF_CALLGRAPH_MAX_VALUES 16000000u

/* A graph whose memory comes from mem (the profile's; it must outlive the
 * graph). NULL: out of memory. */
prf_callgraph *prf_callgraph_new(const prf_allocator *mem, size_t ncol);
void prf_callgraph_free(prf_callgraph *graph);
/* Adds self cost (values may be NULL: only declare the function). */
prf_status prf_callgraph_add_self(prf_callgraph *graph, prf_fid frame,
                                  const double *values);
/* Adds cumulative cost as the file states it; functions without one get
 * self plus the cost of their calls to other functions. */
prf_status prf_callgraph_add_cum(prf_callgraph *graph, prf_fid frame,
                                 const double *values);
prf_status prf_callgraph_add_edge(prf_callgraph *graph, prf_fid caller,
                                  prf_fid callee, const double *values);
/* Builds the profile's call tree from the graph (callgraph.c explains
 * how), marks the profile's metadata ("callgraph") and, when the profile
 * held nothing before, keeps the graph for the top table; the graph is
 * consumed either way. *capped: the node cap that was reached, else 0. */
prf_status prf_callgraph_build(prf_profile *profile, prf_callgraph *graph,
                               size_t *capped, prf_error *err);
/* Forgets the file's numbers (another input, a filter, a granularity
 * changes what the tree holds). */
void prf_callgraph_drop(prf_profile *profile);
/* prf_top_compute's flat and cum from the file's numbers, if any. */
void prf_callgraph_top(const prf_profile *profile, size_t column,
                       const uint32_t *row_of, prf_top_row *rows,
                       size_t nrows);

#endif /* PRF_INTERNAL_H */
