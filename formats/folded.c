/*
 * folded.c - folded stacks in and out.
 *
 * Reading streams line by line. Consecutive lines of a sorted file share
 * long prefixes, so the reader remembers the previous line's frame
 * boundaries and tree nodes and only looks up the frames that differ.
 */
#include "folded.h"
#include "reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
  prf_node *nodes;     /* the previous stack's path */
  size_t nodes_cap;
  size_t prev_depth;
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

/* Splits a stack at ';'. A ';' inside [...] belongs to the name (Rust's
 * "[T; N]"), unless the brackets do not balance, when every ';' splits. */
static bool split_frames(folded_reader *r, const char *s, size_t len,
                         size_t *depth) {
  const prf_allocator *mem = &r->profile->mem;
  for (int pass = 0; pass < 2; pass++) {
    size_t n = 0, pos = 0;
    long nest = 0;
    for (;;) {
      const char *semi = memchr(s + pos, ';', len - pos);
      size_t end = semi ? (size_t)(semi - s) : len;
      /* Only segments with brackets need a look at every byte. */
      const char *open = pass == 0 && nest == 0 ? memchr(s + pos, '[', end - pos) : NULL;
      if (pass == 0 && (nest > 0 || open)) {
        /* With nothing open, bytes before the first '[' change nothing. */
        for (size_t i = open ? (size_t)(open - s) : pos; i < end; i++) {
          if (s[i] == '[')
            nest++;
          else if (s[i] == ']' && nest > 0)
            nest--;
        }
      }
      if (nest == 0 || end == len) {
        if (!prf_grow(mem, (void **)&r->ends, &r->ends_cap, n + 1,
                      sizeof *r->ends))
          return false;
        r->ends[n++] = end;
      }
      if (end == len)
        break;
      pos = end + 1;
    }
    if (nest == 0 || pass == 1) {
      *depth = n;
      return true;
    }
  }
  return true;
}

static prf_status frame_for(folded_reader *r, const char *name, size_t len,
                            prf_fid *out) {
  const prf_allocator *mem = &r->profile->mem;
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
    if (!prf_grow(mem, (void **)&r->fid_of_str, &cap, (size_t)f.name + 1,
                  sizeof *r->fid_of_str))
      return PRF_E_NOMEM;
    cap = have;
    if (!prf_grow(mem, (void **)&r->kind_of_str, &cap, (size_t)f.name + 1, 1))
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

static prf_status add_stack(folded_reader *r, const char *s, size_t len,
                            const double *counts) {
  const prf_allocator *mem = &r->profile->mem;
  size_t depth;
  if (!split_frames(r, s, len, &depth) ||
      !prf_grow(mem, (void **)&r->nodes, &r->nodes_cap, depth + 1,
                sizeof *r->nodes))
    return PRF_E_NOMEM;
  size_t k = common_frames(r, s, len, depth);
  prf_tree *tree = prf_profile_tree(r->profile);
  for (size_t i = k; i < depth; i++) {
    size_t start = i ? r->ends[i - 1] + 1 : 0;
    prf_fid fid;
    prf_status st = frame_for(r, s + start, r->ends[i] - start, &fid);
    if (st == PRF_OK)
      st = prf_tree_child(tree, i ? r->nodes[i - 1] : 0, fid, &r->nodes[i]);
    if (st != PRF_OK)
      return st;
  }
  prf_status st = remember(r, s, len, depth);
  if (st != PRF_OK)
    return st;
  prf_node leaf = depth ? r->nodes[depth - 1] : 0;
  r->nstacks++;
  if (r->options->keep_order)
    return prf_sample_add(r->profile, leaf, counts, INT64_MIN, PRF_NONE);
  return prf_tree_add_self(tree, leaf, counts);
}

static prf_status read_line(folded_reader *r, const char *s, size_t len) {
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
  const prf_allocator *mem = &profile->mem;
  folded_reader r;
  memset(&r, 0, sizeof r);
  r.profile = profile;
  r.options = options;
  r.err = err;
  r.in = in;
  prf_status st = PRF_OK;
  const char *line;
  size_t len;
  size_t first_sample = prf_sample_count(profile);
  while (st == PRF_OK && prf_input_line(in, &line, &len))
    st = read_line(&r, line, len);
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
    err->line = in->line;
  if (st == PRF_OK && r.nstacks == 0) {
    st = prf_fail(err, PRF_E_DATA,
                  "no stacks found: expected lines of 'frame;frame;... COUNT'");
    prf_reader_at_end(err, in);
  }
  prf_mem_free(mem, r.ends);
  prf_mem_free(mem, r.prev);
  prf_mem_free(mem, r.prev_ends);
  prf_mem_free(mem, r.nodes);
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

typedef struct line_ref {
  const char *text; /* the stack text, set once the buffer stops moving */
  size_t offset, len;
  prf_node node;
} line_ref;

static int line_cmp(const void *a, const void *b) {
  const line_ref *x = a, *y = b;
  size_t n = x->len < y->len ? x->len : y->len;
  int c = memcmp(x->text, y->text, n);
  if (c)
    return c;
  return x->len < y->len ? -1 : x->len > y->len;
}

/* Appends the names along the path of node, root first, joined by ';'. */
static void put_stack(prf_buf *b, const prf_profile *p, const prf_tree *t,
                      prf_node node, prf_node *path, size_t cap) {
  size_t depth = prf_tree_path(t, node, path, cap);
  for (size_t i = 0; i < depth; i++) {
    const prf_frame *f = prf_frame_get(p, prf_tree_frame(t, path[i]));
    size_t len;
    const char *name = prf_string(p, f->name, &len);
    if (i)
      prf_buf_putc(b, ';');
    size_t start = b->len;
    prf_buf_put(b, name, len);
    for (size_t j = start; j < b->len && !b->failed; j++)
      if (b->data[j] == '\n' || b->data[j] == '\r')
        b->data[j] = ' ';
    prf_buf_puts(b, prf_kind_suffix(f->kind));
  }
}

static bool node_has_self(const prf_tree *t, prf_node n, size_t ncols) {
  for (size_t c = 0; c < ncols; c++)
    if (prf_tree_self(t, n, c) != 0)
      return true;
  return false;
}

prf_status prf_folded_write(const prf_profile *p, prf_write_fn write,
                            void *ctx, prf_error *err) {
  const prf_allocator *mem = &p->mem;
  const prf_tree *t = prf_profile_tree_const(p);
  size_t ncols = prf_value_count(p);
  size_t cap = (size_t)prf_tree_max_depth(t) + 1;
  prf_node *path = prf_mem_alloc(mem, cap * sizeof *path);
  line_ref *refs = NULL;
  size_t nrefs = 0, refs_cap = 0;
  prf_buf text, out;
  prf_buf_init(&text, mem);
  prf_buf_init(&out, mem);
  prf_status st = path ? PRF_OK : PRF_E_NOMEM;
  for (size_t i = 0; i < prf_tree_stack_count(t) && st == PRF_OK; i++) {
    prf_node n = prf_tree_stack(t, i);
    if (n == 0 || !node_has_self(t, n, ncols))
      continue; /* the root's own samples have no stack to print */
    if (!prf_grow(mem, (void **)&refs, &refs_cap, nrefs + 1, sizeof *refs)) {
      st = PRF_E_NOMEM;
      break;
    }
    size_t start = text.len;
    put_stack(&text, p, t, n, path, cap);
    refs[nrefs].offset = start;
    refs[nrefs].len = text.len - start;
    refs[nrefs].node = n;
    nrefs++;
    if (text.failed)
      st = PRF_E_NOMEM;
  }
  if (st == PRF_OK && nrefs > 0) { /* qsort must not get NULL */
    for (size_t i = 0; i < nrefs; i++)
      refs[i].text = text.data + refs[i].offset;
    qsort(refs, nrefs, sizeof *refs, line_cmp);
  }
  /* The two columns of a differential profile are written as a pair;
     otherwise the default column alone. */
  bool pair = prf_is_differential(p);
  size_t first = pair ? 0 : prf_value_default(p);
  for (size_t i = 0; i < nrefs && st == PRF_OK; i++) {
    prf_buf_put(&out, refs[i].text, refs[i].len);
    for (size_t c = first; c < ncols && (c == first || pair); c++) {
      prf_buf_putc(&out, ' ');
      put_count(&out, prf_tree_self(t, refs[i].node, c));
    }
    prf_buf_putc(&out, '\n');
    if (out.failed)
      st = PRF_E_NOMEM;
    else if (out.len >= 1 << 20 || i + 1 == nrefs) {
      if (write(ctx, out.data, out.len) != 0)
        st = PRF_E_OUTPUT;
      out.len = 0;
    }
  }
  if (st == PRF_E_NOMEM)
    prf_fail(err, st, "out of memory writing folded stacks");
  else if (st == PRF_E_OUTPUT)
    prf_fail(err, st, "cannot write folded stacks");
  prf_mem_free(mem, path);
  prf_mem_free(mem, refs);
  prf_buf_free(&text);
  prf_buf_free(&out);
  return st;
}
