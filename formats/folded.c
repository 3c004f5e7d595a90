/*
 * folded.c - folded stacks in and out.
 *
 * Reading streams line by line. Consecutive lines of a sorted file share
 * long prefixes, so the reader remembers the previous line's frame
 * boundaries and tree nodes and only looks up the frames that differ.
 *
 * Two stages: parsing (splitting lines, interning names into frames) and
 * building (finding or adding the frames' nodes in the call tree). Past
 * PARALLEL_MIN bytes of input the builder runs on a thread of its own, up
 * to NBATCH batches of stacks behind the parser: the two share no data
 * but the batches, and the tree is built in input order, so the result
 * is the same as on one thread.
 */
#include "folded.h"
#include "reader.h"

#include <pthread.h>
#include <stdio.h>
#if defined(__SSE2__) && !defined(PRF_PORTABLE)
#include <emmintrin.h>
#endif
#include <stdlib.h>
#include <string.h>

/* A parsed stack: its frames from `common` on (the ones before are the
 * previous stack's) and its counts. */
typedef struct stack_rec {
  uint32_t common, depth;
  size_t first; /* its frames in the batch's fids */
  size_t line;  /* for errors */
  double counts[2];
} stack_rec;

typedef struct batch {
  stack_rec *recs;
  size_t nrecs, recs_cap;
  prf_fid *fids;
  size_t nfids, fids_cap;
} batch;

/* Lines and frames per batch: large enough that handing one over costs
 * nothing, small enough that the builder starts at once. */
enum { BATCH_RECS = 2048, BATCH_FIDS = 64 * 1024 };
/* Batches in the ring between the two stages. Some batches take the
 * builder longer than their parsing took (those that add many nodes),
 * others less: with room for several, the parser goes on instead of
 * waiting for each slow one. */
enum { NBATCH = 8 };
/* Inputs shorter than this are built on the caller's thread. */
enum { PARALLEL_MIN = 4 << 20 };

/* The building stage: the previous stack's path, the failure if any. */
typedef struct builder {
  prf_profile *profile;
  bool keep_order;
  prf_node *nodes;     /* the previous stack's nodes */
  size_t nodes_cap;
  /* A group of stacks looked up side by side: their frames, the nodes
     found, where each starts, its depth, how much of it exists. */
  prf_fid *gpaths;
  prf_node *gfound;
  size_t gpaths_cap, gfound_cap;
  size_t gstart[PRF_TREE_WALKERS], gdepth[PRF_TREE_WALKERS];
  size_t greach[PRF_TREE_WALKERS];
  prf_status status;
  size_t fail_line;
} builder;

/* The builder's thread and the hand-over of batches: batch i of the
 * input is batches[i % NBATCH]; those from `built` to `handed` are the
 * builder's, the others the parser's. */
typedef struct pipeline {
  bool running;
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  size_t handed;  /* batches handed to the builder */
  size_t built;   /* batches it has built */
  bool done;      /* no more batches will come */
  bool failed;    /* the builder stopped on an error */
} pipeline;

typedef struct folded_reader {
  prf_profile *profile;
  const prf_read_options *options;
  prf_error *err;
  prf_input *in;
  int ncounts;         /* 0 until the first stack line, then 1 or 2 */
  size_t nstacks;
  size_t *ends;        /* frame i of the current line ends at ends[i] */
  size_t ends_cap;
  char *prev;          /* the previous stack's bytes */
  size_t prev_len, prev_cap;
  size_t *prev_ends;
  size_t prev_ends_cap;
  size_t prev_depth;
  size_t bytes;        /* of the lines read so far */
  batch batches[NBATCH]; /* a ring: see pipeline */
  size_t filling;
  builder b;
  pipeline pipe;
  prf_fid *fid_of_str; /* string id -> frame id of the last kind seen */
  uint8_t *kind_of_str;
  size_t fid_of_str_cap;
} folded_reader;

static bool is_blank(char c) { return c == ' ' || c == '\t'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Parses COUNT as flamegraph.pl does: digits, optionally '.' and digits. */
static bool parse_count(const char *s, size_t len, double *out) {
  static const double pow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
                                 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14,
                                 1e15, 1e16, 1e17, 1e18};
  if (len == 0 || !is_digit(s[0]))
    return false;
  uint64_t mant = 0;
  int digits = 0, frac = 0, scale = 0;
  bool dot = false;
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '.') {
      if (dot)
        return false;
      dot = true;
      continue;
    }
    if (!is_digit(s[i]))
      return false;
    if (digits < 18) {
      mant = mant * 10 + (uint64_t)(s[i] - '0');
      if (mant)
        digits++;
      if (dot)
        frac++;
    } else if (!dot) {
      scale++; /* an integer too long to keep exactly: keep its magnitude */
    }
  }
  double v = (double)mant;
  for (int i = 0; i < scale && v <= PRF_MAX_COUNT; i++)
    v *= 10;
  /* Leading zeros after the dot count in frac but not in digits, so frac
     may exceed the table ("0.000...0006055"). */
  for (; frac > 18; frac -= 18)
    v /= pow10[18];
  *out = v / pow10[frac];
  return *out <= PRF_MAX_COUNT; /* pprof's int64 holds every count */
}

/* Finds the last blank-separated numeric token of s[0..*len). On success
 * stores the value and shortens *len to the text before its blank. */
static bool take_count(const char *s, size_t *len, double *value) {
  size_t end = *len;
  while (end > 0 && is_blank(s[end - 1]))
    end--;
  size_t start = end;
  while (start > 0 && (is_digit(s[start - 1]) || s[start - 1] == '.'))
    start--;
  if (start == end || start == 0 || !is_blank(s[start - 1]))
    return false;
  if (!parse_count(s + start, end - start, value))
    return false;
  /* One blank separates the count, as in flamegraph.pl: further blanks
     belong to the stack (perf writes frames that are a single space). */
  *len = start - 1;
  return true;
}

/* Notes that frame n of the line ends at `end`. */
static bool add_end(folded_reader *r, size_t n, size_t end) {
  if (n >= r->ends_cap &&
      !prf_grow(&r->profile->mem, (void **)&r->ends, &r->ends_cap, n + 1, sizeof *r->ends))
    return false;
  r->ends[n] = end;
  return true;
}

/* Bit i set when p[i] is ';', '[' or ']', for i < n <= 16. */
static unsigned special_bits(const char *p, size_t n) {
  unsigned mask = 0;
  for (size_t i = 0; i < n; i++)
    mask |= (unsigned)(p[i] == ';' || p[i] == '[' || p[i] == ']') << i;
  return mask;
}

/* special_bits of 16 bytes, at once where the compiler has SSE2. */
static unsigned special_mask(const char *p) {
#if defined(__SSE2__) && !defined(PRF_PORTABLE)
  __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
  __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(';')),
                                        _mm_cmpeq_epi8(v, _mm_set1_epi8('['))),
                           _mm_cmpeq_epi8(v, _mm_set1_epi8(']')));
  return (unsigned)_mm_movemask_epi8(m);
#else
  return special_bits(p, 16);
#endif
}

/* Splits a stack at ';'. A ';' inside [...] belongs to the name (Rust's
 * "[T; N]"), unless the brackets do not balance, when every ';' splits.
 * The line is scanned once, 16 bytes at a time, for the three bytes that
 * matter: two memchr calls per frame (for ';' and for '[') cost 17% of
 * parsing. */
static bool split_frames(folded_reader *r, const char *s, size_t len,
                         size_t *depth) {
  size_t n = 0;
  long nest = 0;
  for (size_t base = 0; base < len; base += 16) {
    unsigned mask = len - base >= 16 ? special_mask(s + base)
                                     : special_bits(s + base, len - base);
    for (; mask; mask &= mask - 1) {
      size_t at = base + (size_t)__builtin_ctz(mask);
      if (s[at] == '[')
        nest++;
      else if (s[at] == ']')
        nest -= nest > 0;
      else if (nest == 0 && !add_end(r, n++, at))
        return false;
    }
  }
  if (nest > 0) { /* unbalanced: every ';' splits */
    n = 0;
    for (const char *semi = memchr(s, ';', len); semi;
         semi = memchr(semi + 1, ';', len - (size_t)(semi + 1 - s)))
      if (!add_end(r, n++, (size_t)(semi - s)))
        return false;
  }
  if (!add_end(r, n++, len))
    return false;
  *depth = n;
  return true;
}

static prf_status frame_for(folded_reader *r, const char *name, size_t len,
                            prf_fid *out) {
  prf_frame f;
  memset(&f, 0, sizeof f);
  if (len >= 4 && name[len - 4] == '_' && name[len - 3] == '[' &&
      name[len - 1] == ']') {
    switch (name[len - 2]) {
    case 'k': f.kind = PRF_KIND_KERNEL; break;
    case 'j': f.kind = PRF_KIND_JIT; break;
    case 'i': f.kind = PRF_KIND_INLINED; break;
    case 'w': f.kind = PRF_KIND_WAKER; break;
    default: break;
    }
    if (f.kind != PRF_KIND_NORMAL)
      len -= 4;
  }
  prf_status st = prf_string_intern(r->profile, name, len, &f.name);
  if (st != PRF_OK)
    return st;
  /* A name nearly always comes with one kind: remember the frame id by
     string id, which saves hashing the frame again. */
  size_t have = r->fid_of_str_cap;
  if (f.name >= have) {
    size_t cap = have;
    if (!prf_grow(&r->profile->mem, (void **)&r->fid_of_str, &cap, (size_t)f.name + 1,
                  sizeof *r->fid_of_str))
      return PRF_E_NOMEM;
    cap = have;
    if (!prf_grow(&r->profile->mem, (void **)&r->kind_of_str, &cap, (size_t)f.name + 1, 1))
      return PRF_E_NOMEM;
    r->fid_of_str_cap = cap;
    for (size_t i = have; i < cap; i++)
      r->fid_of_str[i] = PRF_NONE;
  }
  if (r->fid_of_str[f.name] == PRF_NONE || r->kind_of_str[f.name] != f.kind) {
    st = prf_frame_intern(r->profile, &f, &r->fid_of_str[f.name]);
    if (st != PRF_OK)
      return st;
    r->kind_of_str[f.name] = f.kind;
  }
  *out = r->fid_of_str[f.name];
  return PRF_OK;
}

static prf_status declare_columns(folded_reader *r, int ncounts) {
  prf_profile *p = r->profile;
  r->ncounts = ncounts;
  size_t have = prf_value_count(p);
  if (have == 0) {
    prf_status st;
    if (ncounts == 1)
      return prf_value_add(p, "samples", "count", NULL);
    st = prf_value_add(p, "before", "count", NULL);
    if (st == PRF_OK)
      st = prf_value_add(p, "after", "count", NULL);
    if (st == PRF_OK)
      st = prf_value_set_default(p, 1);
    return st;
  }
  if (have != (size_t)ncounts)
    return prf_fail(r->err, PRF_E_DATA,
                    "cannot merge: this input has %d count column%s per "
                    "line, the inputs before it had %zu",
                    ncounts, ncounts == 1 ? "" : "s", have);
  return PRF_OK;
}

static void warn(folded_reader *r, const char *message) {
  prf_reader_warn(r->options, r->in->line, "%s", message);
}

/* "# key: value" comment lines (austin writes them) become metadata. */
static prf_status read_comment(folded_reader *r, const char *s, size_t len) {
  if (len < 2 || s[0] != '#')
    return PRF_OK;
  const char *colon = memchr(s, ':', len);
  if (!colon)
    return PRF_OK;
  size_t a = 1, b = (size_t)(colon - s);
  while (a < b && is_blank(s[a]))
    a++;
  while (b > a && is_blank(s[b - 1]))
    b--;
  size_t c = (size_t)(colon - s) + 1, d = len;
  while (c < d && is_blank(s[c]))
    c++;
  while (d > c && is_blank(s[d - 1]))
    d--;
  if (a == b || b - a > 64 || memchr(s + a, ' ', b - a) || d - c > 4096)
    return PRF_OK;
  char key[80], value[4100];
  memcpy(key, s + a, b - a);
  key[b - a] = '\0';
  memcpy(value, s + c, d - c);
  value[d - c] = '\0';
  return prf_meta_set(r->profile, key, value);
}

static size_t common_frames(const folded_reader *r, const char *s,
                            size_t len, size_t depth) {
  size_t max = len < r->prev_len ? len : r->prev_len;
  size_t lcp = 0;
  while (lcp + 8 <= max) {
    uint64_t a, b;
    memcpy(&a, s + lcp, 8);
    memcpy(&b, r->prev + lcp, 8);
    if (a != b)
      break;
    lcp += 8;
  }
  while (lcp < max && s[lcp] == r->prev[lcp])
    lcp++;
  size_t k = 0;
  while (k < depth && k < r->prev_depth && r->ends[k] == r->prev_ends[k] &&
         r->ends[k] <= lcp)
    k++;
  return k;
}

static prf_status remember(folded_reader *r, const char *s, size_t len,
                           size_t depth) {
  const prf_allocator *mem = &r->profile->mem;
  if (!prf_grow(mem, (void **)&r->prev, &r->prev_cap, len + 1, 1) ||
      !prf_grow(mem, (void **)&r->prev_ends, &r->prev_ends_cap, depth + 1,
                sizeof *r->prev_ends))
    return PRF_E_NOMEM;
  memcpy(r->prev, s, len);
  memcpy(r->prev_ends, r->ends, depth * sizeof *r->ends);
  r->prev_len = len;
  r->prev_depth = depth;
  return PRF_OK;
}

/* Looks up the existing part of the group's stacks side by side (see
 * prf_tree_find_paths), the ones that share less than half their frames
 * with the stack before: the others mostly add nodes, which costs no
 * look-up. Their frames are put together from the batch and, for the
 * prefix the batch only refers to, the stack before (the first one's from
 * the previous stack's nodes). */
static prf_status find_group(builder *b, const prf_tree *tree, const batch *bt,
                             size_t first, size_t n) {
  const prf_allocator *mem = &b->profile->mem;
  size_t total = 0, walked = 0;
  for (size_t k = 0; k < n; k++) {
    const stack_rec *rec = &bt->recs[first + k];
    b->greach[k] = 0;
    b->gdepth[k] = (size_t)rec->common * 2 < rec->depth ? rec->depth : 0;
    b->gstart[k] = total;
    total += rec->depth; /* every stack's frames, for the next one's prefix */
    walked += b->gdepth[k] > 0;
  }
  if (walked == 0)
    return PRF_OK;
  if (!prf_grow(mem, (void **)&b->gpaths, &b->gpaths_cap, total, sizeof *b->gpaths) ||
      !prf_grow(mem, (void **)&b->gfound, &b->gfound_cap, total, sizeof *b->gfound))
    return PRF_E_NOMEM;
  const prf_fid *prev = NULL; /* the first takes its prefix from the tree */
  for (size_t k = 0; k < n; k++) {
    const stack_rec *rec = &bt->recs[first + k];
    prf_fid *dst = b->gpaths + b->gstart[k];
    for (size_t i = 0; !prev && i < rec->common; i++)
      dst[i] = prf_tree_frame(tree, b->nodes[i]);
    if (prev && rec->common)
      memcpy(dst, prev, rec->common * sizeof *dst);
    if (rec->depth > rec->common)
      memcpy(dst + rec->common, bt->fids + rec->first,
             (rec->depth - rec->common) * sizeof *dst);
    prev = dst;
  }
  prf_tree_find_paths(tree, b->gpaths, b->gstart, b->gdepth, n, b->gfound,
                      b->greach);
  return PRF_OK;
}

/* Builds the batch's stacks into the tree, in order, a group at a time:
 * first the look-ups of the group's existing nodes side by side, then each
 * stack's new nodes in turn, so the tree is the same as one stack at a
 * time would make. */
static prf_status build_batch(builder *b, const batch *bt) {
  prf_tree *tree = prf_profile_tree(b->profile);
  const prf_allocator *mem = &b->profile->mem;
  prf_status st = PRF_OK;
  for (size_t g = 0; g < bt->nrecs && st == PRF_OK; g += PRF_TREE_WALKERS) {
    size_t n = bt->nrecs - g < PRF_TREE_WALKERS ? bt->nrecs - g : PRF_TREE_WALKERS;
    st = find_group(b, tree, bt, g, n);
    for (size_t k = 0; k < n && st == PRF_OK; k++) {
      const stack_rec *rec = &bt->recs[g + k];
      if (!prf_grow(mem, (void **)&b->nodes, &b->nodes_cap,
                    (size_t)rec->depth + 1, sizeof *b->nodes)) {
        st = PRF_E_NOMEM;
      } else {
        /* The nodes before `common` are the previous stack's; the found
           ones follow; the rest are found or added one by one. */
        size_t i = rec->common;
        if (b->greach[k] > i) {
          memcpy(b->nodes + i, b->gfound + b->gstart[k] + i,
                 (b->greach[k] - i) * sizeof *b->nodes);
          i = b->greach[k];
        }
        for (; i < rec->depth && st == PRF_OK; i++)
          st = prf_tree_child(tree, i ? b->nodes[i - 1] : 0,
                              bt->fids[rec->first + i - rec->common],
                              &b->nodes[i]);
      }
      if (st == PRF_OK) {
        prf_node leaf = rec->depth ? b->nodes[rec->depth - 1] : 0;
        st = b->keep_order ? prf_sample_add(b->profile, leaf, rec->counts,
                                            INT64_MIN, PRF_NONE)
                           : prf_tree_add_self(tree, leaf, rec->counts);
      }
      if (st != PRF_OK)
        b->fail_line = rec->line;
    }
  }
  return b->status = st;
}

static void *builder_main(void *arg) {
  folded_reader *r = arg;
  pipeline *pp = &r->pipe;
  pthread_mutex_lock(&pp->mu);
  for (;;) {
    while (pp->built == pp->handed && !pp->done)
      pthread_cond_wait(&pp->cv, &pp->mu);
    if (pp->built == pp->handed)
      break; /* done */
    batch *bt = &r->batches[pp->built % NBATCH];
    pthread_mutex_unlock(&pp->mu);
    prf_status st = build_batch(&r->b, bt);
    pthread_mutex_lock(&pp->mu);
    pp->built++;
    pp->failed = st != PRF_OK;
    pthread_cond_broadcast(&pp->cv);
    if (pp->failed)
      break;
  }
  pthread_mutex_unlock(&pp->mu);
  return NULL;
}

/* Starts the builder's thread; if it cannot start, building stays on
 * this thread. */
static void pipeline_start(folded_reader *r) {
  pipeline *pp = &r->pipe;
  if (pthread_mutex_init(&pp->mu, NULL) != 0)
    return;
  if (pthread_cond_init(&pp->cv, NULL) != 0) {
    pthread_mutex_destroy(&pp->mu);
    return;
  }
  pp->running = pthread_create(&pp->thread, NULL, builder_main, r) == 0;
  if (!pp->running) {
    pthread_cond_destroy(&pp->cv);
    pthread_mutex_destroy(&pp->mu);
  }
}

/* Waits until at most `pending` batches are left to the builder; false
 * if it failed. */
static bool pipeline_wait(pipeline *pp, size_t pending) {
  pthread_mutex_lock(&pp->mu);
  while (pp->handed - pp->built > pending && !pp->failed)
    pthread_cond_wait(&pp->cv, &pp->mu);
  bool ok = !pp->failed;
  pthread_mutex_unlock(&pp->mu);
  return ok;
}

static void pipeline_stop(pipeline *pp) {
  if (!pp->running)
    return;
  pthread_mutex_lock(&pp->mu);
  pp->done = true;
  pthread_cond_broadcast(&pp->cv);
  pthread_mutex_unlock(&pp->mu);
  pthread_join(pp->thread, NULL);
  pthread_cond_destroy(&pp->cv);
  pthread_mutex_destroy(&pp->mu);
  pp->running = false;
}

/* Hands the filled batch to the builder (or builds it here) and starts
 * filling the next one. */
static prf_status flush_batch(folded_reader *r) {
  batch *bt = &r->batches[r->filling];
  if (bt->nrecs == 0)
    return PRF_OK;
  /* A custom allocator is called from the calling thread only: it need
     not be thread-safe. */
  if (!r->pipe.running && r->bytes >= PARALLEL_MIN &&
      !r->options->keep_order && !prf_mem_custom(&r->profile->mem))
    pipeline_start(r);
  if (!r->pipe.running) {
    prf_status st = build_batch(&r->b, bt);
    bt->nrecs = bt->nfids = 0;
    return st;
  }
  pthread_mutex_lock(&r->pipe.mu);
  r->pipe.handed++;
  pthread_cond_broadcast(&r->pipe.cv);
  pthread_mutex_unlock(&r->pipe.mu);
  /* The next batch of the ring is free once the builder is done with it. */
  r->filling = r->pipe.handed % NBATCH;
  if (!pipeline_wait(&r->pipe, NBATCH - 1))
    return r->b.status;
  r->batches[r->filling].nrecs = r->batches[r->filling].nfids = 0;
  return PRF_OK;
}

/* Parses a stack into the batch being filled. */
static prf_status add_stack(folded_reader *r, const char *s, size_t len,
                            const double *counts) {
  size_t depth;
  if (!split_frames(r, s, len, &depth))
    return PRF_E_NOMEM;
  if (depth > UINT32_MAX - 1)
    return PRF_E_LIMIT;
  size_t k = common_frames(r, s, len, depth);
  batch *bt = &r->batches[r->filling];
  const prf_allocator *mem = &r->profile->mem;
  if (!prf_grow(mem, (void **)&bt->recs, &bt->recs_cap, bt->nrecs + 1,
                sizeof *bt->recs) ||
      !prf_grow(mem, (void **)&bt->fids, &bt->fids_cap, bt->nfids + depth - k + 1,
                sizeof *bt->fids))
    return PRF_E_NOMEM;
  stack_rec *rec = &bt->recs[bt->nrecs];
  rec->common = (uint32_t)k;
  rec->depth = (uint32_t)depth;
  rec->first = bt->nfids;
  rec->line = r->in->line;
  rec->counts[0] = counts[0];
  rec->counts[1] = counts[1];
  for (size_t i = k; i < depth; i++) {
    size_t start = i ? r->ends[i - 1] + 1 : 0;
    prf_status st = frame_for(r, s + start, r->ends[i] - start,
                              &bt->fids[bt->nfids + i - k]);
    if (st != PRF_OK)
      return st;
  }
  bt->nfids += depth - k;
  bt->nrecs++;
  prf_status st = remember(r, s, len, depth);
  if (st != PRF_OK)
    return st;
  r->nstacks++;
  if (bt->nrecs >= BATCH_RECS || bt->nfids >= BATCH_FIDS)
    return flush_batch(r);
  return PRF_OK;
}

static prf_status read_line(folded_reader *r, const char *s, size_t len) {
  r->bytes += len + 1;
  while (len > 0 && (is_blank(s[len - 1]) || s[len - 1] == '\r'))
    len--;
  size_t lead = 0;
  while (lead < len && is_blank(s[lead]))
    lead++;
  if (lead == len)
    return PRF_OK; /* blank line */
  if (s[lead] == '#')
    return read_comment(r, s + lead, len - lead);
  if (len - lead >= 2 && s[lead] == '/' && s[lead + 1] == '/')
    return PRF_OK;
  double counts[2];
  size_t stack_len = len;
  if (!take_count(s, &stack_len, &counts[1])) {
    warn(r, "skipping line: expected 'frame;frame;... COUNT' with a "
            "non-negative number (below 2^63) at the end");
    return PRF_OK;
  }
  size_t before_len = stack_len;
  bool two = take_count(s, &before_len, &counts[0]);
  if (r->ncounts == 0) {
    prf_status st = declare_columns(r, two && before_len > 0 ? 2 : 1);
    if (st != PRF_OK)
      return st;
  }
  if (r->ncounts == 2) {
    if (!two || before_len == 0) {
      warn(r, "skipping line: expected 'frame;frame;... BEFORE AFTER' like "
              "the lines before it");
      return PRF_OK;
    }
    stack_len = before_len;
  } else {
    counts[0] = counts[1];
  }
  if (stack_len == 0) {
    warn(r, "skipping line: expected a stack before the count");
    return PRF_OK;
  }
  return add_stack(r, s, stack_len, counts);
}

prf_status prf_folded_read(prf_profile *profile, prf_input *in,
                           const prf_read_options *options, prf_error *err) {
  folded_reader r;
  memset(&r, 0, sizeof r);
  r.profile = profile;
  r.options = options;
  r.err = err;
  r.in = in;
  r.b.profile = profile;
  r.b.keep_order = options->keep_order;
  prf_status st = PRF_OK;
  const char *line;
  size_t len;
  size_t first_sample = prf_sample_count(profile);
  while (st == PRF_OK && prf_input_line(in, &line, &len))
    st = read_line(&r, line, len);
  if (st == PRF_OK)
    st = flush_batch(&r);
  if (r.pipe.running && !pipeline_wait(&r.pipe, 0) && st == PRF_OK)
    st = r.b.status;
  pipeline_stop(&r.pipe);
  /* The builder's failure is reported at the line it came from. */
  bool builder_failed = r.b.status != PRF_OK && st == r.b.status;
  /* For flame charts, flamegraph.pl and inferno take the last line as the
     oldest ("reverse the data so time moves from left to right"): keep the
     samples oldest first. */
  if (st == PRF_OK && options->keep_order)
    prf_samples_reverse(profile, first_sample);
  if (st == PRF_OK && in->failed)
    st = err->code;
  if (st != PRF_OK && err->message[0] == '\0')
    prf_fail(err, st, "%s", prf_status_name(st));
  /* The input layer's errors (gzip, the size limit) carry their byte;
     the line reached when they surface depends on buffer sizes. */
  if (st != PRF_OK && !in->failed)
    err->line = builder_failed ? r.b.fail_line : in->line;
  if (st == PRF_OK && r.nstacks == 0) {
    st = prf_fail(err, PRF_E_DATA,
                  "no stacks found: expected lines of 'frame;frame;... COUNT'");
    prf_reader_at_end(err, in);
  }
  const prf_allocator *mem = &profile->mem;
  prf_mem_free(mem, r.ends);
  prf_mem_free(mem, r.prev);
  prf_mem_free(mem, r.prev_ends);
  prf_mem_free(mem, r.b.nodes);
  prf_mem_free(mem, r.b.gpaths);
  prf_mem_free(mem, r.b.gfound);
  for (int i = 0; i < NBATCH; i++) {
    prf_mem_free(mem, r.batches[i].recs);
    prf_mem_free(mem, r.batches[i].fids);
  }
  prf_mem_free(mem, r.fid_of_str);
  prf_mem_free(mem, r.kind_of_str);
  return st;
}

int prf_folded_sniff(const unsigned char *head, size_t len) {
  /* Folded has no magic: look for a first data line ending in a number. */
  size_t i = 0;
  while (i < len) {
    const unsigned char *nl = memchr(head + i, '\n', len - i);
    size_t end = nl ? (size_t)(nl - head) : len;
    size_t n = end - i;
    const char *s = (const char *)head + i;
    while (n > 0 && (is_blank(s[n - 1]) || s[n - 1] == '\r'))
      n--;
    if (n > 0 && s[0] != '#' && !(n >= 2 && s[0] == '/' && s[1] == '/')) {
      double v;
      size_t l = n;
      if (take_count(s, &l, &v))
        return 20;
      if (!nl)
        return 5; /* a partial first line: could still be folded */
    }
    if (!nl)
      break;
    i = end + 1;
  }
  return len ? 5 : 0;
}

/* ---- writer ---- */

static void put_count(prf_buf *b, double v) {
  char tmp[64];
  prf_format_number(tmp, sizeof tmp, v);
  prf_buf_puts(b, tmp);
}

/* How each frame prints: its name (a line break in it printed as a
 * space), then its kind's suffix. */
typedef struct frame_text {
  const char **name;
  size_t *name_len;
  const char **suffix;
  size_t *len; /* name and suffix */
  uint8_t *breaks;
} frame_text;

static void frame_text_free(const prf_allocator *mem, frame_text *ft) {
  prf_mem_free(mem, ft->name);
  prf_mem_free(mem, ft->name_len);
  prf_mem_free(mem, ft->suffix);
  prf_mem_free(mem, ft->len);
  prf_mem_free(mem, ft->breaks);
}

static bool frame_text_init(frame_text *ft, const prf_profile *p) {
  const prf_allocator *mem = &p->mem;
  size_t n = prf_frame_count(p), m = n ? n : 1;
  ft->name = prf_mem_alloc(mem, m * sizeof *ft->name);
  ft->name_len = prf_mem_alloc(mem, m * sizeof *ft->name_len);
  ft->suffix = prf_mem_alloc(mem, m * sizeof *ft->suffix);
  ft->len = prf_mem_alloc(mem, m * sizeof *ft->len);
  ft->breaks = prf_mem_alloc(mem, m);
  if (!ft->name || !ft->name_len || !ft->suffix || !ft->len || !ft->breaks)
    return false;
  for (size_t i = 0; i < n; i++) {
    const prf_frame *f = prf_frame_get(p, (prf_fid)i);
    ft->name[i] = prf_string(p, f->name, &ft->name_len[i]);
    ft->suffix[i] = prf_kind_suffix(f->kind);
    ft->breaks[i] = memchr(ft->name[i], '\n', ft->name_len[i]) ||
                    memchr(ft->name[i], '\r', ft->name_len[i]);
    ft->len[i] = ft->name_len[i] + strlen(ft->suffix[i]);
  }
  return true;
}

/* A stack to print: its path, root first, in the writer's paths array. */
typedef struct line_ref {
  size_t first;
  uint32_t depth;
  prf_node node;
  size_t entry; /* its stack entry: the values */
} line_ref;

typedef struct folded_writer {
  const prf_tree *t;
  frame_text ft;
  line_ref *refs;
  /* Each stack's frames from the root. Equal frames up to a depth mean the
     same node (a path in the tree is its frames), so the paths are
     compared without reading the tree's nodes at random. */
  prf_fid *paths;
} folded_writer;

/* A position in a stack's printed text: frame k, byte o of its text (o at
 * the frame's length: the ';' after it, or the end of the stack). */
typedef struct text_pos {
  const prf_fid *path;
  uint32_t depth, k;
  size_t o;
} text_pos;

enum { TEXT_END = -1 };

static int text_byte(const folded_writer *w, const text_pos *at) {
  prf_fid f = at->path[at->k];
  const frame_text *ft = &w->ft;
  if (at->o == ft->len[f])
    return at->k + 1 < at->depth ? ';' : TEXT_END;
  if (at->o >= ft->name_len[f])
    return (unsigned char)ft->suffix[f][at->o - ft->name_len[f]];
  unsigned char c = (unsigned char)ft->name[f][at->o];
  return c == '\n' || c == '\r' ? ' ' : c;
}

static void text_next(const folded_writer *w, text_pos *at) {
  prf_fid f = at->path[at->k];
  if (at->o < w->ft.len[f]) {
    at->o++;
  } else {
    at->k++;
    at->o = 0;
  }
}

/* Compares the names of frames f and g over their common length *m, as
 * bytes: -1, 0 or 1. */
static int names_cmp(const frame_text *ft, prf_fid f, prf_fid g, size_t *m) {
  *m = ft->name_len[f] < ft->name_len[g] ? ft->name_len[f] : ft->name_len[g];
  int c = *m ? memcmp(ft->name[f], ft->name[g], *m) : 0;
  return (c > 0) - (c < 0);
}

/* Orders stacks as their printed texts sort byte by byte, as
 * flamegraph.pl sorts its lines, without printing them: frames the two
 * paths share are skipped whole. */
static int text_cmp(void *ctx, uint32_t a, uint32_t b) {
  const folded_writer *w = ctx;
  const line_ref *x = &w->refs[a], *y = &w->refs[b];
  text_pos p = {w->paths + x->first, x->depth, 0, 0};
  text_pos q = {w->paths + y->first, y->depth, 0, 0};
  for (;;) {
    if (p.o == 0 && q.o == 0) {
      prf_fid f = p.path[p.k], g = q.path[q.k];
      if (f == g) {
        /* the same frame after the same ones: the same node, the same
           text, up to the byte after it */
        p.o = q.o = w->ft.len[f];
      } else if (!w->ft.breaks[f] && !w->ft.breaks[g]) {
        /* names printed as they are: their common length at once */
        size_t m;
        int c = names_cmp(&w->ft, f, g, &m);
        if (c)
          return c;
        p.o = q.o = m;
      }
    }
    int c = text_byte(w, &p), d = text_byte(w, &q);
    if (c != d)
      return c < d ? -1 : 1;
    if (c == TEXT_END)
      return 0;
    text_next(w, &p);
    text_next(w, &q);
  }
}

/* Appends frame f's text. */
static void put_frame(prf_buf *b, const frame_text *ft, prf_fid f) {
  size_t start = b->len;
  prf_buf_put(b, ft->name[f], ft->name_len[f]);
  for (size_t j = start; ft->breaks[f] && j < b->len && !b->failed; j++)
    if (b->data[j] == '\n' || b->data[j] == '\r')
      b->data[j] = ' ';
  prf_buf_put(b, ft->suffix[f], ft->len[f] - ft->name_len[f]);
}

/* Appends a stack's text: names joined by ';'. */
static void put_stack(prf_buf *b, const folded_writer *w, const line_ref *r) {
  for (size_t i = 0; i < r->depth; i++) {
    if (i)
      prf_buf_putc(b, ';');
    put_frame(b, &w->ft, w->paths[r->first + i]);
  }
}

/* Stack entry i's value in column c (entries hold ncol values each: read
 * in place, no look-up by node). */
static double entry_self(const prf_tree *t, size_t i, size_t c) {
  return c < t->ncol ? t->stack_self[i * t->ncol + c] : 0;
}

/* Whether stack entry i prints a line: a value in some column, and a
 * stack (the root's own samples have none to print). */
static bool entry_has_line(const prf_tree *t, size_t i, size_t ncols) {
  for (size_t c = 0; t->stack_node[i] != 0 && c < ncols; c++)
    if (entry_self(t, i, c) != 0)
      return true;
  return false;
}

/* Ends a line with entry i's values: column `first`, or both of a pair. */
static void put_values(prf_buf *out, const prf_tree *t, size_t i,
                       size_t first, size_t ncols, bool pair) {
  for (size_t c = first; c < ncols && (c == first || pair); c++) {
    prf_buf_putc(out, ' ');
    put_count(out, entry_self(t, i, c));
  }
  prf_buf_putc(out, '\n');
}

/* Hands out's bytes to write once they pass 1 MiB, or at the end. */
static prf_status flush_lines(prf_buf *out, bool end, prf_write_fn write,
                              void *ctx) {
  if (out->failed)
    return PRF_E_NOMEM;
  if (out->len < (1 << 20) && !(end && out->len))
    return PRF_OK;
  prf_status st = write(ctx, out->data, out->len) != 0 ? PRF_E_OUTPUT : PRF_OK;
  out->len = 0;
  return st;
}

/* ---- writing in the tree's order ----
 *
 * When every frame prints a text of its own, without ';' or a line break
 * (any folded input, most others), sorting is not needed: the lines under
 * a node all start with its path's text and a ';', so they are one block
 * in flamegraph.pl's order, and that order is a walk of the tree. At each
 * node, a child g stands for two items: E(g), the line of the stack that
 * ends at g (g's text, then the end of the line, which sorts first), and
 * C(g), the block of g's subtree (g's text, then ';'). Visiting each
 * node's items in the order of their keys prints the lines sorted, with no
 * comparison of two stacks. */

/* Byte o of frame f's printed text (o < ft->len[f]). */
static int text_at(const frame_text *ft, prf_fid f, size_t o) {
  return o < ft->name_len[f] ? (unsigned char)ft->name[f][o]
                             : (unsigned char)ft->suffix[f][o - ft->name_len[f]];
}

/* Orders items: item 2f is E(f), 2f + 1 is C(f). */
static int item_cmp(void *ctx, uint32_t a, uint32_t b) {
  const frame_text *ft = ctx;
  prf_fid f = a >> 1, g = b >> 1;
  size_t m = ft->len[f] < ft->len[g] ? ft->len[f] : ft->len[g], names;
  int c = names_cmp(ft, f, g, &names);
  if (c)
    return c;
  for (size_t o = names; o < m; o++) {
    int x = text_at(ft, f, o), y = text_at(ft, g, o);
    if (x != y)
      return x < y ? -1 : 1;
  }
  int x = ft->len[f] > m ? text_at(ft, f, m) : (a & 1) ? ';' : -1;
  int y = ft->len[g] > m ? text_at(ft, g, m) : (b & 1) ? ';' : -1;
  return x < y ? -1 : x > y;
}

/* The rank of every item in key order, or false with *rank NULL when
 * the walk does not apply (two frames print the same text, or a text
 * holds ';' or a line break) or memory ran out (*nomem). */
static bool item_ranks(const prf_profile *p, const frame_text *ft,
                       uint32_t **rank, bool *nomem) {
  const prf_allocator *mem = &p->mem;
  size_t n = prf_frame_count(p);
  *rank = NULL;
  if (n > UINT32_MAX / 2)
    return false;
  for (size_t f = 0; f < n; f++)
    if (ft->breaks[f] || memchr(ft->name[f], ';', ft->name_len[f]))
      return false;
  uint32_t *order = prf_mem_alloc(mem, (2 * n + 1) * sizeof *order);
  uint32_t *r = prf_mem_alloc(mem, (2 * n + 1) * sizeof *r);
  bool ok = order && r;
  for (size_t i = 0; ok && i < 2 * n; i++)
    order[i] = (uint32_t)i;
  if (ok && !prf_sort_ids(mem, order, 2 * n, item_cmp, (void *)ft))
    ok = false;
  *nomem = !ok;
  for (size_t i = 0; ok && i < 2 * n; i++) {
    if (i && item_cmp((void *)ft, order[i - 1], order[i]) == 0)
      ok = false; /* two frames with one text */
    r[order[i]] = (uint32_t)i;
  }
  prf_mem_free(mem, order);
  if (!ok) {
    prf_mem_free(mem, r);
    return false;
  }
  *rank = r;
  return true;
}

static void sift_u64(uint64_t *v, size_t top, size_t n) {
  for (size_t c; (c = 2 * top + 1) < n; top = c) {
    if (c + 1 < n && v[c + 1] > v[c])
      c++;
    if (v[top] >= v[c])
      break;
    uint64_t t = v[top];
    v[top] = v[c];
    v[c] = t;
  }
}

/* Sorts v[0..n): insertion sort for the few items of most nodes, else
 * heapsort (no memory, no recursion). */
static void sort_u64(uint64_t *v, size_t n) {
  if (n <= 8) {
    for (size_t i = 1; i < n; i++) {
      uint64_t x = v[i];
      size_t j = i;
      for (; j > 0 && v[j - 1] > x; j--)
        v[j] = v[j - 1];
      v[j] = x;
    }
    return;
  }
  for (size_t k = n / 2; k-- > 0;)
    sift_u64(v, k, n);
  for (size_t end = n; end-- > 1;) {
    uint64_t t = v[0];
    v[0] = v[end];
    v[end] = t;
    sift_u64(v, 0, end);
  }
}

/* A node being walked: its items are items[at..end). */
typedef struct walk_level {
  size_t at, end;
  size_t path_len; /* the path text's length before this node's */
} walk_level;

/* Appends node x's children's items, sorted, to *items. */
static bool push_items(const prf_allocator *mem, const prf_tree *t,
                       const uint32_t *rank, const uint8_t *has_line,
                       prf_node x, uint64_t **items, size_t *n, size_t *cap) {
  size_t first = *n;
  for (prf_node c = t->nodes[x].first_child; c != PRF_NONE;
       c = t->nodes[c].next_sibling) {
    uint32_t f = t->nodes[c].frame;
    if (!prf_grow(mem, (void **)items, cap, *n + 2, sizeof **items))
      return false;
    if (has_line[c >> 3] & (1u << (c & 7)))
      (*items)[(*n)++] = (uint64_t)rank[2 * (size_t)f] << 32 | c;
    if (t->nodes[c].first_child != PRF_NONE)
      (*items)[(*n)++] = (uint64_t)rank[2 * (size_t)f + 1] << 32 | c;
  }
  if (*n > first) /* *items is NULL while nothing was ever added */
    sort_u64(*items + first, *n - first);
  return true;
}

/* The lines of the stacks with a value, in the walk's order (see above);
 * the values of column `first`, or of all columns for a pair. */
static prf_status write_walk(const prf_profile *p, const frame_text *ft,
                             const uint32_t *rank, size_t first, bool pair,
                             prf_write_fn write, void *ctx) {
  const prf_allocator *mem = &p->mem;
  const prf_tree *t = prf_profile_tree_const(p);
  size_t ncols = prf_value_count(p);
  uint8_t *has_line = prf_mem_calloc(mem, t->count / 8 + 1, 1);
  uint64_t *items = NULL;
  walk_level *levels = NULL;
  size_t nitems = 0, items_cap = 0, nlevels = 0, levels_cap = 0;
  prf_buf path, out;
  prf_buf_init(&path, mem);
  prf_buf_init(&out, mem);
  prf_status st = has_line ? PRF_OK : PRF_E_NOMEM;
  for (size_t i = 0; st == PRF_OK && i < t->nstacks; i++) {
    prf_node n = t->stack_node[i];
    if (entry_has_line(t, i, ncols))
      has_line[n >> 3] |= (uint8_t)(1u << (n & 7));
  }
  if (st == PRF_OK &&
      (!prf_grow(mem, (void **)&levels, &levels_cap, 1, sizeof *levels) ||
       !push_items(mem, t, rank, has_line, 0, &items, &nitems, &items_cap)))
    st = PRF_E_NOMEM;
  if (st == PRF_OK)
    levels[nlevels++] = (walk_level){0, nitems, 0};
  while (st == PRF_OK && nlevels > 0) {
    walk_level *l = &levels[nlevels - 1];
    if (l->at == l->end) { /* this node is done: back to its parent */
      path.len = l->path_len;
      nlevels--;
      nitems = nlevels ? levels[nlevels - 1].end : 0;
      continue;
    }
    uint64_t it = items[l->at++];
    prf_node c = (prf_node)(uint32_t)it;
    prf_fid f = t->nodes[c].frame;
    size_t before = path.len;
    if (before)
      prf_buf_putc(&path, ';');
    put_frame(&path, ft, f);
    if (rank[2 * (size_t)f + 1] != (uint32_t)(it >> 32)) { /* E(c) */
      prf_buf_put(&out, path.data, path.len);
      put_values(&out, t, prf_tree_stack_entry(t, c), first, ncols, pair);
      path.len = before;
      st = flush_lines(&out, false, write, ctx);
    } else { /* C(c): walk c's children, after this node's items */
      size_t start = nitems;
      if (!prf_grow(mem, (void **)&levels, &levels_cap, nlevels + 1,
                    sizeof *levels) ||
          !push_items(mem, t, rank, has_line, c, &items, &nitems, &items_cap))
        st = PRF_E_NOMEM;
      else
        levels[nlevels++] = (walk_level){start, nitems, before};
    }
    if (path.failed)
      st = PRF_E_NOMEM;
  }
  if (st == PRF_OK)
    st = flush_lines(&out, true, write, ctx);
  prf_mem_free(mem, has_line);
  prf_mem_free(mem, items);
  prf_mem_free(mem, levels);
  prf_buf_free(&path);
  prf_buf_free(&out);
  return st;
}

/* The stacks with a value, sorted as flamegraph.pl sorts its lines: their
 * paths are gathered (a frame id per frame, a quarter of the text or less)
 * and compared frame by frame, so the text is only ever printed into the
 * output buffer. What the walk cannot write (see above). */
static prf_status write_sorted(const prf_profile *p, folded_writer *w,
                               size_t first, bool pair, prf_write_fn write,
                               void *ctx) {
  const prf_allocator *mem = &p->mem;
  const prf_tree *t = w->t;
  size_t ncols = prf_value_count(p);
  size_t nrefs = 0, refs_cap = 0, npath = 0;
  uint32_t *order = NULL;
  prf_buf out;
  prf_buf_init(&out, mem);
  prf_status st = PRF_OK;
  for (size_t i = 0; i < prf_tree_stack_count(t) && st == PRF_OK; i++) {
    prf_node n = prf_tree_stack(t, i);
    if (!entry_has_line(t, i, ncols))
      continue;
    if (!prf_grow(mem, (void **)&w->refs, &refs_cap, nrefs + 1,
                  sizeof *w->refs)) {
      st = PRF_E_NOMEM;
      break;
    }
    w->refs[nrefs++] = (line_ref){npath, prf_tree_depth(t, n), n, i};
    npath += prf_tree_depth(t, n);
  }
  size_t paths_cap = 0;
  if (st == PRF_OK && (!prf_grow_large(mem, (void **)&w->paths, &paths_cap,
                                       npath + 1, sizeof *w->paths) ||
                       !(order = prf_mem_alloc(mem, (nrefs + 1) * sizeof *order))))
    st = PRF_E_NOMEM;
  for (size_t i = 0; i < nrefs && st == PRF_OK; i++) {
    prf_fid *path = w->paths + w->refs[i].first;
    prf_tree_path(t, w->refs[i].node, path, w->refs[i].depth);
    for (size_t k = 0; k < w->refs[i].depth; k++) /* nodes just read */
      path[k] = prf_tree_frame(t, path[k]);
    order[i] = (uint32_t)i;
  }
  if (st == PRF_OK && !prf_sort_ids(mem, order, nrefs, text_cmp, w))
    st = PRF_E_NOMEM;
  for (size_t i = 0; i < nrefs && st == PRF_OK; i++) {
    const line_ref *r = &w->refs[order[i]];
    put_stack(&out, w, r);
    put_values(&out, t, r->entry, first, ncols, pair);
    st = flush_lines(&out, i + 1 == nrefs, write, ctx);
  }
  prf_mem_free(mem, order);
  prf_buf_free(&out);
  return st;
}

prf_status prf_folded_write(const prf_profile *p, prf_write_fn write,
                            void *ctx, prf_error *err) {
  const prf_allocator *mem = &p->mem;
  folded_writer w;
  memset(&w, 0, sizeof w);
  w.t = prf_profile_tree_const(p);
  /* The two columns of a differential profile are written as a pair;
     otherwise the default column alone. */
  bool pair = prf_is_differential(p);
  size_t first = pair ? 0 : prf_value_default(p);
  prf_status st = frame_text_init(&w.ft, p) ? PRF_OK : PRF_E_NOMEM;
  uint32_t *rank = NULL;
  bool nomem = false;
  if (st == PRF_OK && item_ranks(p, &w.ft, &rank, &nomem))
    st = write_walk(p, &w.ft, rank, first, pair, write, ctx);
  else if (st == PRF_OK)
    st = nomem ? PRF_E_NOMEM : write_sorted(p, &w, first, pair, write, ctx);
  if (st == PRF_E_NOMEM)
    prf_fail(err, st, "out of memory writing folded stacks");
  else if (st == PRF_E_OUTPUT)
    prf_fail(err, st, "cannot write folded stacks");
  frame_text_free(mem, &w.ft);
  prf_mem_free(mem, rank);
  prf_mem_free(mem, w.refs);
  prf_mem_free(mem, w.paths);
  return st;
}
