/*
 * perf.c - `perf script` text, folded as FlameGraph's stackcollapse-perf.pl
 * folds it (the same stacks, names and values for the same options).
 *
 * A sample is a header line ("comm pid/tid [cpu] time: period event:"),
 * frame lines leaf first ("\t addr symbol+0xoff (dso)") and an empty line.
 * The reference recognises lines with two regular expressions; the
 * matchers below take the same decisions (including their backtracking
 * corner cases) by scanning the bytes in place, with no copy and no
 * allocation per line. Frame names depend only on the symbol, the dso,
 * whether the process is Java and (for --addrs) the address, so each
 * distinct (symbol, dso) is named once and then found by a hash of its
 * bytes.
 *
 * What stackcollapse-perf.pl does, and so this reader:
 * - the root frame is the comm (spaces become '_'), "comm-PID" or
 *   "comm-PID/TID" ('?' when perf printed one number);
 * - only samples of the first event type are kept;
 * - a sample weighs its period (1 when the header has none);
 * - a sample counts only when an empty line ends it (the last one of a
 *   file without a final empty line is dropped);
 * - names are tidied: "+0x..." offsets, argument lists from the first '('
 *   (not Go's "pkg.(*T).m" nor "(anonymous namespace)"), quotes removed,
 *   ';' becomes ':', Java's leading 'L' dropped; "[unknown]" becomes the
 *   dso's base name in brackets; "a->b" is a frame and its inlined callee.
 */
#include "perf.h"

#include "reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_WARNINGS = 20 };

/* ---- character classes of Perl's regular expressions ---- */

/* \s (space, \t, \n, \v, \f, \r), \d, \w (bytes >= 0x80 included, as
 * Perl's for UTF-8 text read as bytes), and [\da-f]. */
enum { C_SPACE = 1, C_DIGIT = 2, C_WORD = 4, C_LHEX = 8 };
static const uint8_t char_class[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 0, 0, 0, 0, 0, 0,
    0, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 0, 0, 0, 0, 4,
    0, 12, 12, 12, 12, 12, 12, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 0, 0, 0, 0, 0,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
};

static bool is_space(char c) { return char_class[(unsigned char)c] & C_SPACE; }
static bool is_digit(char c) { return char_class[(unsigned char)c] & C_DIGIT; }
static bool is_word(char c) { return char_class[(unsigned char)c] & C_WORD; }
static bool is_lower_hex(char c) {
  return char_class[(unsigned char)c] & C_LHEX;
}

static bool contains(const char *s, size_t len, const char *what) {
  size_t n = strlen(what);
  for (size_t i = 0; i + n <= len; i++)
    if (s[i] == what[0] && memcmp(s + i, what, n) == 0)
      return true;
  return false;
}

/* ---- line matchers ---- */

typedef struct header {
  size_t comm_len;           /* comm is s[0, comm_len) */
  size_t pid0, pid1;         /* the first number */
  size_t tid0, tid1;         /* the number after '/', empty if none */
  size_t rest;               /* where the fields after them start */
} header;

/* A sample header, as the regex ^(\S.+?)\s+(\d+)/...(\d+)...\s+ (slashes
 * and the second number optional): the shortest comm
 * of two or more characters followed by blanks, a number, optional
 * slashes and a second number, and a blank. */
static bool match_header(const char *s, size_t len, header *h) {
  if (len < 2 || is_space(s[0]))
    return false;
  for (size_t e = 2; e < len; e++) {
    /* A blank after a blank was tried as part of the same run. */
    if (!is_space(s[e]) || (e > 2 && is_space(s[e - 1])))
      continue;
    size_t i = e;
    while (i < len && is_space(s[i]))
      i++;
    size_t d0 = i;
    while (i < len && is_digit(s[i]))
      i++;
    if (i == d0)
      continue;
    size_t d1 = i;
    while (i < len && s[i] == '/')
      i++;
    size_t t0 = i;
    while (i < len && is_digit(s[i]))
      i++;
    if (i < len && is_space(s[i])) {
      h->comm_len = e;
      h->pid0 = d0;
      h->pid1 = d1;
      h->tid0 = t0;
      h->tid1 = i;
      h->rest = i;
      return true;
    }
  }
  return false;
}

/* The period and event of a header, as /:\s*(\d+)*\s+(\S+):\s*$/: the
 * last word ends with ':' (the event is the word without it), and before
 * it come blanks, an optional number (the period) and a ':'. */
static bool match_event(const char *s, size_t len, size_t *p0, size_t *p1,
                        size_t *e0, size_t *e1) {
  size_t end = len;
  while (end > 0 && is_space(s[end - 1]))
    end--;
  if (end < 2 || s[end - 1] != ':')
    return false;
  size_t t = end - 1;
  while (t > 0 && !is_space(s[t - 1]))
    t--;
  if (t == 0 || t == end - 1)
    return false;
  size_t i = t;
  while (i > 0 && is_space(s[i - 1]))
    i--;
  size_t d1 = i;
  while (i > 0 && is_digit(s[i - 1]))
    i--;
  size_t d0 = i;
  if (d0 < d1)
    while (i > 0 && is_space(s[i - 1]))
      i--;
  if (i == 0 || s[i - 1] != ':')
    return false;
  *p0 = d0;
  *p1 = d1;
  *e0 = t;
  *e1 = end - 1;
  return true;
}

typedef struct frame_line {
  size_t pc0, pc1, f0, f1, m0, m1;
} frame_line;

/* A frame line, as /^\s*(\w+)\s*(.+) \((.*)\)/: the address, the symbol
 * up to the last " (" that a ')' follows, the dso up to the last ')'. */
static bool match_frame(const char *s, size_t len, frame_line *f) {
  size_t i = 0;
  while (i < len && is_space(s[i]))
    i++;
  size_t w0 = i;
  while (i < len && is_word(s[i]))
    i++;
  size_t w1 = i;
  if (w1 == w0)
    return false;
  while (i < len && is_space(s[i]))
    i++;
  size_t s1 = i;
  const char *close = NULL;
  for (size_t k = len; k > w1; k--)
    if (s[k - 1] == ')') {
      close = s + k - 1;
      break;
    }
  if (!close)
    return false;
  size_t q = (size_t)(close - s);
  size_t p = SIZE_MAX;
  /* The last '(' before it with a blank before: eight bytes at a time
     while no byte of the word is '(' (dso paths are long). */
  size_t k = q;
  while (k >= w1 + 10) {
    uint64_t v;
    memcpy(&v, s + k - 8, 8);
    v ^= 0x2828282828282828ull;
    if ((v - 0x0101010101010101ull) & ~v & 0x8080808080808080ull)
      break;
    k -= 8;
  }
  while (k > w1 + 1)
    if (s[--k] == '(' && s[k - 1] == ' ') {
      p = k - 1;
      break;
    }
  if (p == SIZE_MAX)
    return false;
  f->pc0 = w0;
  f->pc1 = w1;
  f->m0 = p + 2;
  f->m1 = q;
  if (p >= s1 + 1) { /* the usual case */
    f->f0 = s1;
    f->f1 = p;
    return true;
  }
  /* Only " (" right after the blanks: the regex backtracks, giving the
     symbol one blank ("addr  (dso)") or the address's last character. */
  if (p + 1 != s1)
    return false;
  if (s1 - w1 >= 2) {
    f->f0 = s1 - 2;
    f->f1 = s1 - 1;
    return true;
  }
  if (w1 - w0 >= 2) {
    f->pc1 = w1 - 1;
    f->f0 = w1 - 1;
    f->f1 = w1;
    return true;
  }
  return false;
}

/* "secs.frac:" in nanoseconds. */
static bool parse_time(const char *s, size_t len, int64_t *out) {
  size_t i = 0;
  uint64_t sec = 0, frac = 0;
  int fd = 0;
  while (i < len && is_digit(s[i])) {
    if (sec > 1000000000000ull)
      return false;
    sec = sec * 10 + (uint64_t)(s[i++] - '0');
  }
  if (i == 0 || i >= len || s[i] != '.')
    return false;
  i++;
  size_t f0 = i;
  while (i < len && is_digit(s[i])) {
    if (fd < 9) {
      frac = frac * 10 + (uint64_t)(s[i] - '0');
      fd++;
    }
    i++;
  }
  if (i == f0 || i + 1 != len || s[i] != ':')
    return false;
  for (; fd < 9; fd++)
    frac *= 10;
  *out = (int64_t)(sec * 1000000000ull + frac);
  return true;
}

/* The first "secs.frac:" field after the pid/tid. */
static bool find_time(const char *s, size_t len, size_t from, int64_t *out) {
  size_t i = from;
  while (i < len) {
    while (i < len && is_space(s[i]))
      i++;
    size_t w = i;
    while (i < len && !is_space(s[i]))
      i++;
    if (i > w && is_digit(s[w]) && parse_time(s + w, i - w, out))
      return true;
  }
  return false;
}

/* ---- the reader ---- */

typedef struct named {
  uint64_t hash;
  uint32_t key, func_len, mod_len, pc_len; /* key bytes in keys */
  uint32_t fids, nfids;                    /* range in fids */
  bool java;
} named;

typedef struct comm_entry {
  uint64_t hash;
  uint32_t key, key_len; /* the header up to the tid, in keys */
  uint32_t thread;
  prf_fid root;
  bool wanted, java;
} comm_entry;

/* A distinct stack: its frames root first in seq, its leaf once built. */
typedef struct stack_entry {
  uint64_t hash;
  uint32_t off, len;
  prf_node leaf;
  bool untimed;  /* value holds untimed samples' sum */
  double value;
} stack_entry;

/* A timed sample, kept in input order until the tree is built. */
typedef struct timed_sample {
  uint32_t stack, thread;
  int64_t time;
  double value;
} timed_sample;

typedef struct perf_reader {
  prf_profile *profile;
  const prf_read_options *options;
  prf_error *err;
  prf_input *in;
  unsigned flags;
  bool by_period;
  bool declared;       /* value column declared */
  bool seen_content;   /* a line other than comments and blanks */
  /* the event filter: the first event seen */
  char *event;
  size_t event_len;
  bool filter_warned;
  /* the current sample (pname in the reference: set by a header) */
  bool open;
  uint64_t open_line;
  comm_entry cur;
  double period;
  int64_t time;
  prf_fstack stack;    /* leaf first */
  prf_fstack path;     /* root first */
  /* Samples are aggregated by distinct stack while reading; the tree is
     built from the distinct stacks at the end (see build_tree). */
  prf_fid *seq;
  size_t nseq, seq_cap;
  stack_entry *stacks;
  size_t nstacks, stacks_cap;
  uint32_t *stack_slots;
  size_t stack_nslots;
  timed_sample *timed;
  size_t ntimed, timed_cap;
  int64_t first_time, last_time; /* of the samples kept, INT64_MIN: none */
  size_t nsamples;     /* samples ended, --thread or not */
  size_t nwarnings;
  /* frame names by (symbol, dso) and comm entries by header bytes */
  char *keys;
  size_t keys_len, keys_cap;
  prf_fid *fids;
  size_t nfids, fids_cap;
  named *names;
  size_t nnames, names_cap;
  uint32_t *name_slots;
  size_t name_nslots;
  comm_entry *comms;
  size_t ncomms, comms_cap;
  uint32_t *comm_slots;
  size_t comm_nslots;
  prf_buf name;        /* scratch */
} perf_reader;

static void warn(perf_reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void warn(perf_reader *r, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  prf_reader_vwarn(r->options, r->in->line, fmt, ap);
  va_end(ap);
}

static bool keys_put(perf_reader *r, const char *s, size_t n, uint32_t *at) {
  const prf_allocator *mem = &r->profile->mem;
  if (r->keys_len + n > UINT32_MAX ||
      !prf_grow(mem, (void **)&r->keys, &r->keys_cap, r->keys_len + n + 1, 1))
    return false;
  if (n)
    memcpy(r->keys + r->keys_len, s, n);
  *at = (uint32_t)r->keys_len;
  r->keys_len += n;
  return true;
}

/* Grows an index of entry ids (slot = id + 1) to stay at most half full. */
static bool slots_reserve(const prf_allocator *mem, uint32_t **slots,
                          size_t *nslots, size_t count, const void *entries,
                          size_t stride) {
  if (count * 2 < *nslots)
    return true;
  size_t n = *nslots ? *nslots * 2 : 1024;
  uint32_t *fresh = prf_mem_calloc(mem, n, sizeof *fresh);
  if (!fresh)
    return false;
  for (size_t id = 0; id < count; id++) {
    uint64_t h = *(const uint64_t *)((const char *)entries + id * stride);
    size_t i = (size_t)h & (n - 1);
    while (fresh[i])
      i = (i + 1) & (n - 1);
    fresh[i] = (uint32_t)id + 1;
  }
  prf_mem_free(mem, *slots);
  *slots = fresh;
  *nslots = n;
  return true;
}

/* ---- naming frames (once per distinct symbol and dso) ---- */

/* stackcollapse-perf.pl's tidy_generic. */
static void tidy(prf_buf *b, size_t start) {
  char *s = b->data + start;
  size_t n = b->len - start;
  for (size_t i = 0; i < n; i++)
    if (s[i] == ';')
      s[i] = ':';
  /* A Go method ("net/http.(*Client).Do") keeps its parentheses. */
  bool go = false;
  for (size_t i = 0; i + 1 < n && !go; i++)
    if (s[i] == '.' && s[i + 1] == '(')
      for (size_t j = i + 2; j + 1 < n; j++)
        if (s[j] == ')' && s[j + 1] == '.') {
          go = true;
          break;
        }
  if (!go) {
    static const char anon[] = "anonymous namespace)";
    for (size_t i = 0; i < n; i++)
      if (s[i] == '(' && !(n - i - 1 >= sizeof anon - 1 &&
                           memcmp(s + i + 1, anon, sizeof anon - 1) == 0)) {
        n = i;
        break;
      }
  }
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (s[i] != '"' && s[i] != '\'')
      s[k++] = s[i];
  b->len = start + k;
}

/* JIT code: a perf map (/tmp/perf-PID.map), as stackcollapse-perf.pl,
 * or a jitdump image (jitted-PID-N.so), as inferno. */
static bool is_jit(const char *m, size_t n) {
  static const char map[] = "/tmp/perf-";
  for (size_t i = 0; i + sizeof map - 1 < n; i++) {
    if (memcmp(m + i, map, sizeof map - 1) != 0)
      continue;
    size_t j = i + sizeof map - 1, d = j;
    while (j < n && is_digit(m[j]))
      j++;
    if (j > d && n - j >= 4 && memcmp(m + j, ".map", 4) == 0)
      return true;
  }
  size_t base = n;
  while (base > 0 && m[base - 1] != '/')
    base--;
  if (n - base < 7 + 4 || memcmp(m + base, "jitted-", 7) != 0 ||
      memcmp(m + n - 3, ".so", 3) != 0)
    return false;
  size_t j = base + 7, d = j;
  while (j < n && is_digit(m[j]))
    j++;
  if (j == d || j >= n || m[j] != '-')
    return false;
  d = ++j;
  while (j < n && is_digit(m[j]))
    j++;
  return j > d && j == n - 3;
}

/* Kernel code: a dso in brackets ("[kernel.kallsyms]") or ending in
 * "vmlinux", as stackcollapse-perf.pl; also, as inferno, a versioned
 * "vmlinux-5.4.14-..." and a module "x.ko". Never "[unknown]". */
static bool is_kernel(const char *m, size_t n) {
  if (n == 0 || contains(m, n, "unknown"))
    return false;
  if (m[0] == '[' || (n >= 3 && memcmp(m + n - 3, ".ko", 3) == 0))
    return true;
  for (size_t i = n; i-- > 0;) {
    if (i + 7 > n || memcmp(m + i, "vmlinux", 7) != 0)
      continue;
    for (size_t j = i + 7; j < n; j++)
      if (!is_word(m[j]) && m[j] != '-' && m[j] != '.')
        return false;
    return true;
  }
  return false;
}

typedef struct frame_src {
  const char *func, *mod, *pc;
  size_t func_len, mod_len, pc_len;
  bool java;
} frame_src;

/* Names one piece of a symbol ("a" of "a->b") into r->name, returns its
 * kind. */
static uint8_t name_piece(perf_reader *r, const frame_src *f, const char *p,
                          size_t n, size_t index) {
  prf_buf *b = &r->name;
  b->len = 0;
  if (n == 9 && memcmp(p, "[unknown]", 9) == 0) {
    prf_buf_putc(b, '[');
    if (f->mod_len == 9 && memcmp(f->mod, "[unknown]", 9) == 0) {
      prf_buf_puts(b, "unknown");
    } else {
      size_t base = f->mod_len;
      while (base > 0 && f->mod[base - 1] != '/')
        base--;
      prf_buf_put(b, f->mod + base, f->mod_len - base);
    }
    if (r->flags & PRF_PERF_ADDRS) {
      prf_buf_puts(b, " <");
      prf_buf_put(b, f->pc, f->pc_len);
      prf_buf_putc(b, '>');
    }
    prf_buf_putc(b, ']');
  } else {
    prf_buf_put(b, p, n);
  }
  if (b->failed)
    return PRF_KIND_NORMAL;
  tidy(b, 0);
  if (f->java && b->len > 0 && b->data[0] == 'L' &&
      memchr(b->data, '/', b->len)) {
    memmove(b->data, b->data + 1, b->len - 1);
    b->len--;
  }
  if (index > 0)
    return contains(b->data, b->len, "_[i]") ? PRF_KIND_NORMAL
                                             : PRF_KIND_INLINED;
  if ((r->flags & PRF_PERF_KERNEL) && is_kernel(f->mod, f->mod_len))
    return PRF_KIND_KERNEL;
  if ((r->flags & PRF_PERF_JIT) && is_jit(f->mod, f->mod_len) &&
      !contains(b->data, b->len, "_[j]"))
    return PRF_KIND_JIT;
  return PRF_KIND_NORMAL;
}

/* Names the frames of one frame line and stores their ids leaf first
 * (a symbol "a->b" is a with b inlined into it: b is the leaf). */
static prf_status name_frames(perf_reader *r, const frame_src *f,
                              uint32_t *first, uint32_t *count) {
  const prf_allocator *mem = &r->profile->mem;
  /* Split at "->"; trailing empty pieces are dropped, as Perl's split. */
  size_t starts[64], ends[64], n = 0;
  size_t pos = 0;
  for (;;) {
    const char *arrow = NULL;
    for (size_t i = pos; i + 1 < f->func_len; i++)
      if (f->func[i] == '-' && f->func[i + 1] == '>') {
        arrow = f->func + i;
        break;
      }
    size_t end = arrow ? (size_t)(arrow - f->func) : f->func_len;
    if (n == 64) { /* absurdly many: the rest stays one piece */
      ends[n - 1] = f->func_len;
      break;
    }
    starts[n] = pos;
    ends[n++] = end;
    if (!arrow)
      break;
    pos = end + 2;
  }
  while (n > 0 && starts[n - 1] == ends[n - 1])
    n--;
  if (!prf_grow(mem, (void **)&r->fids, &r->fids_cap, r->nfids + n + 1,
                sizeof *r->fids) ||
      r->nfids + n > UINT32_MAX)
    return PRF_E_NOMEM;
  *first = (uint32_t)r->nfids;
  *count = (uint32_t)n;
  for (size_t k = n; k-- > 0;) {
    prf_frame fr;
    memset(&fr, 0, sizeof fr);
    fr.kind = name_piece(r, f, f->func + starts[k], ends[k] - starts[k], k);
    if (r->name.failed)
      return PRF_E_NOMEM;
    prf_status st =
        prf_string_intern(r->profile, r->name.data ? r->name.data : "",
                          r->name.len, &fr.name);
    prf_fid id;
    if (st == PRF_OK)
      st = prf_frame_intern(r->profile, &fr, &id);
    if (st != PRF_OK)
      return st;
    r->fids[r->nfids++] = id;
  }
  return PRF_OK;
}

static bool named_is(const perf_reader *r, const named *e, const frame_src *f,
                     uint64_t h) {
  const char *k = r->keys + e->key;
  return e->hash == h && e->java == f->java && e->func_len == f->func_len &&
         e->mod_len == f->mod_len && e->pc_len == f->pc_len &&
         memcmp(k, f->func, f->func_len) == 0 &&
         memcmp(k + f->func_len, f->mod, f->mod_len) == 0 &&
         (f->pc_len == 0 ||
          memcmp(k + f->func_len + f->mod_len, f->pc, f->pc_len) == 0);
}

/* Pushes the frames of one line onto the sample's stack. */
static prf_status push_frames(perf_reader *r, const frame_src *f) {
  const prf_allocator *mem = &r->profile->mem;
  /* The dso is hashed by its length and ends: the same symbol nearly
     always comes with one dso, and the comparison below is exact. */
  uint64_t a = 0, z = 0;
  memcpy(&a, f->mod, f->mod_len < 8 ? f->mod_len : 8);
  if (f->mod_len > 8)
    memcpy(&z, f->mod + f->mod_len - 8, 8);
  uint64_t h = prf_hash_bytes(f->func, f->func_len) ^
               prf_hash_mix(a ^ prf_hash_mix(z + f->mod_len * 2 + f->java));
  if (f->pc_len)
    h ^= prf_hash_mix(prf_hash_bytes(f->pc, f->pc_len) + 1);
  size_t i = r->name_nslots ? (size_t)h & (r->name_nslots - 1) : 0;
  named *e = NULL;
  while (r->name_nslots && r->name_slots[i]) {
    named *c = &r->names[r->name_slots[i] - 1];
    if (named_is(r, c, f, h)) {
      e = c;
      break;
    }
    i = (i + 1) & (r->name_nslots - 1);
  }
  if (!e) {
    if (r->nnames >= UINT32_MAX - 1 ||
        !prf_grow(mem, (void **)&r->names, &r->names_cap, r->nnames + 1,
                  sizeof *r->names))
      return PRF_E_NOMEM;
    e = &r->names[r->nnames];
    memset(e, 0, sizeof *e);
    e->hash = h;
    e->java = f->java;
    e->func_len = (uint32_t)f->func_len;
    e->mod_len = (uint32_t)f->mod_len;
    e->pc_len = (uint32_t)f->pc_len;
    uint32_t at;
    if (!keys_put(r, f->func, f->func_len, &e->key) ||
        !keys_put(r, f->mod, f->mod_len, &at) ||
        !keys_put(r, f->pc, f->pc_len, &at))
      return PRF_E_NOMEM;
    prf_status st = name_frames(r, f, &e->fids, &e->nfids);
    if (st != PRF_OK)
      return st;
    r->nnames++;
    if (!slots_reserve(mem, &r->name_slots, &r->name_nslots, r->nnames,
                       r->names, sizeof *r->names))
      return PRF_E_NOMEM;
    i = (size_t)h & (r->name_nslots - 1);
    while (r->name_slots[i])
      i = (i + 1) & (r->name_nslots - 1);
    r->name_slots[i] = (uint32_t)r->nnames;
    e = &r->names[r->nnames - 1];
  }
  for (uint32_t k = 0; k < e->nfids; k++)
    if (!prf_fstack_push(mem, &r->stack, r->fids[e->fids + k]))
      return PRF_E_NOMEM;
  return PRF_OK;
}

static prf_status on_frame(perf_reader *r, const char *s, const frame_line *m) {
  if (!r->cur.wanted)
    return PRF_OK;
  size_t f1 = m->f1;
  /* A "+0x1f" offset at the end of the symbol is dropped. */
  size_t k = f1;
  while (k > m->f0 && is_lower_hex(s[k - 1]))
    k--;
  if (k < f1 && k - m->f0 >= 3 && memcmp(s + k - 3, "+0x", 3) == 0)
    f1 = k - 3;
  if (f1 > m->f0 && s[m->f0] == '(')
    return PRF_OK; /* a process name, not a frame */
  frame_src f = {s + m->f0, s + m->m0, s + m->pc0, f1 - m->f0,
                 m->m1 - m->m0, 0, r->cur.java};
  /* The address only matters where it becomes part of a name. */
  if ((r->flags & PRF_PERF_ADDRS) && contains(f.func, f.func_len, "[unknown]"))
    f.pc_len = m->pc1 - m->pc0;
  return push_frames(r, &f);
}

/* ---- headers ---- */

static prf_status declare_columns(perf_reader *r, const char *s, size_t e0,
                                  size_t e1, bool has_period) {
  r->declared = true;
  r->by_period = r->options->weight != PRF_WEIGHT_SAMPLES;
  const char *type = "samples", *unit = "count";
  char event[128];
  if (r->by_period && has_period && e1 > e0) {
    size_t n = e1 - e0 < sizeof event - 1 ? e1 - e0 : sizeof event - 1;
    memcpy(event, s + e0, n);
    event[n] = '\0';
    type = event;
    /* The software clocks count nanoseconds. */
    size_t base = strcspn(event, ":");
    if ((base == 9 && memcmp(event, "cpu-clock", 9) == 0) ||
        (base == 10 && memcmp(event, "task-clock", 10) == 0))
      unit = "nanoseconds";
  }
  return prf_reader_columns(r->profile, 1, &type, &unit, r->err);
}

/* Finds or makes the thread, its root frame and whether it is wanted,
 * for the bytes "comm pid/tid" of a header. */
static prf_status comm_for(perf_reader *r, const char *s, const header *h,
                           comm_entry **out) {
  const prf_allocator *mem = &r->profile->mem;
  size_t key_len = h->tid1;
  uint64_t hash = prf_hash_bytes(s, key_len);
  size_t i = r->comm_nslots ? (size_t)hash & (r->comm_nslots - 1) : 0;
  while (r->comm_nslots && r->comm_slots[i]) {
    comm_entry *c = &r->comms[r->comm_slots[i] - 1];
    if (c->hash == hash && c->key_len == key_len &&
        memcmp(r->keys + c->key, s, key_len) == 0) {
      *out = c;
      return PRF_OK;
    }
    i = (i + 1) & (r->comm_nslots - 1);
  }
  if (!prf_grow(mem, (void **)&r->comms, &r->comms_cap, r->ncomms + 1,
                sizeof *r->comms))
    return PRF_E_NOMEM;
  comm_entry *c = &r->comms[r->ncomms];
  memset(c, 0, sizeof *c);
  c->hash = hash;
  c->key_len = (uint32_t)key_len;
  if (!keys_put(r, s, key_len, &c->key))
    return PRF_E_NOMEM;
  /* perf prints the tid alone, or pid/tid; the reference reads "x/0" as
     the tid x alone. */
  bool both = h->tid1 > h->tid0 && !(h->tid1 - h->tid0 == 1 && s[h->tid0] == '0');
  size_t t0 = both ? h->tid0 : h->pid0, t1 = both ? h->tid1 : h->pid1;
  int64_t tid = 0;
  for (size_t k = t0; k < t1 && tid < INT64_MAX / 10 - 10; k++)
    tid = tid * 10 + (s[k] - '0');
  prf_buf *b = &r->name;
  b->len = 0;
  prf_buf_put(b, s, h->comm_len);
  prf_buf_putc(b, '\0');
  if (b->failed)
    return PRF_E_NOMEM;
  prf_status st = prf_thread_add(r->profile, tid, b->data, &c->thread);
  if (st != PRF_OK)
    return st;
  c->wanted = prf_thread_wanted(r->options, tid, b->data);
  c->java = h->comm_len >= 4 && memcmp(s, "java", 4) == 0;
  c->root = PRF_NONE;
  if (!r->options->no_thread_root &&
      !(r->options->thread && *r->options->thread)) {
    b->len = h->comm_len;
    for (size_t k = 0; k < b->len; k++)
      if (b->data[k] == ' ')
        b->data[k] = '_';
    if (r->flags & (PRF_PERF_PID | PRF_PERF_TID)) {
      prf_buf_putc(b, '-');
      if (both)
        prf_buf_put(b, s + h->pid0, h->pid1 - h->pid0);
      else
        prf_buf_putc(b, '?');
    }
    if (r->flags & PRF_PERF_TID) {
      prf_buf_putc(b, '/');
      prf_buf_put(b, s + t0, t1 - t0);
    }
    prf_frame fr;
    memset(&fr, 0, sizeof fr);
    st = b->failed ? PRF_E_NOMEM
                   : prf_string_intern(r->profile, b->data, b->len, &fr.name);
    if (st == PRF_OK)
      st = prf_frame_intern(r->profile, &fr, &c->root);
    if (st != PRF_OK)
      return st;
  }
  r->ncomms++;
  if (!slots_reserve(mem, &r->comm_slots, &r->comm_nslots, r->ncomms, r->comms,
                     sizeof *r->comms))
    return PRF_E_NOMEM;
  i = (size_t)hash & (r->comm_nslots - 1);
  while (r->comm_slots[i])
    i = (i + 1) & (r->comm_nslots - 1);
  r->comm_slots[i] = (uint32_t)r->ncomms;
  *out = &r->comms[r->ncomms - 1];
  return PRF_OK;
}

static prf_status on_header(perf_reader *r, const char *s, size_t len,
                            const header *h) {
  const prf_allocator *mem = &r->profile->mem;
  size_t p0 = 0, p1 = 0, e0 = 0, e1 = 0;
  bool has_event = match_event(s, len, &p0, &p1, &e0, &e1);
  if (has_event) {
    if (!r->event) {
      r->event = prf_mem_alloc(mem, e1 - e0 + 1);
      if (!r->event)
        return PRF_E_NOMEM;
      memcpy(r->event, s + e0, e1 - e0);
      r->event[e1 - e0] = '\0';
      r->event_len = e1 - e0;
    } else if (e1 - e0 != r->event_len ||
               memcmp(s + e0, r->event, r->event_len) != 0) {
      if (!r->filter_warned)
        warn(r, "skipping samples of event '%.*s': only the first event, "
                "'%s', is read (as stackcollapse-perf.pl does)",
             (int)(e1 - e0), s + e0, r->event);
      r->filter_warned = true;
      return PRF_OK;
    }
  }
  if (!r->declared) {
    prf_status st = declare_columns(r, s, e0, e1, has_event && p1 > p0);
    if (st != PRF_OK)
      return st;
  }
  /* The period; none (or "0") counts 1, as in the reference. */
  double period = 0;
  for (size_t k = p0; k < p1 && period <= PRF_MAX_COUNT; k++)
    period = period * 10 + (s[k] - '0');
  if (period > PRF_MAX_COUNT) {
    warn(r, "skipping sample: its period %.*s is above 2^63-1",
         (int)(p1 - p0), s + p0);
    return PRF_OK;
  }
  if (p1 == p0 || (p1 - p0 == 1 && s[p0] == '0'))
    period = 1;
  comm_entry *c;
  prf_status st = comm_for(r, s, h, &c);
  if (st != PRF_OK)
    return st;
  r->cur = *c;
  r->period = period;
  if (!find_time(s, len, h->rest, &r->time))
    r->time = INT64_MIN;
  r->open = true;
  r->open_line = r->in->line;
  return PRF_OK;
}

/* The id of a distinct stack (root first), adding it if new. */
static prf_status stack_id(perf_reader *r, const prf_fid *f, size_t len,
                           uint32_t *out) {
  const prf_allocator *mem = &r->profile->mem;
  uint64_t h = prf_hash_bytes(f, len * sizeof *f);
  size_t i = r->stack_nslots ? (size_t)h & (r->stack_nslots - 1) : 0;
  while (r->stack_nslots && r->stack_slots[i]) {
    const stack_entry *e = &r->stacks[r->stack_slots[i] - 1];
    if (e->hash == h && e->len == len &&
        memcmp(r->seq + e->off, f, len * sizeof *f) == 0) {
      *out = r->stack_slots[i] - 1;
      return PRF_OK;
    }
    i = (i + 1) & (r->stack_nslots - 1);
  }
  if (r->nseq + len > UINT32_MAX || r->nstacks >= UINT32_MAX - 1)
    return prf_fail(r->err, PRF_E_LIMIT, "too many distinct stacks");
  if (!prf_grow(mem, (void **)&r->seq, &r->seq_cap, r->nseq + len, sizeof *f) ||
      !prf_grow(mem, (void **)&r->stacks, &r->stacks_cap, r->nstacks + 1,
                sizeof *r->stacks))
    return PRF_E_NOMEM;
  memcpy(r->seq + r->nseq, f, len * sizeof *f);
  r->stacks[r->nstacks] = (stack_entry){h, (uint32_t)r->nseq, (uint32_t)len,
                                        0, false, 0};
  r->nseq += len;
  r->nstacks++;
  if (!slots_reserve(mem, &r->stack_slots, &r->stack_nslots, r->nstacks,
                     r->stacks, sizeof *r->stacks))
    return PRF_E_NOMEM;
  i = (size_t)h & (r->stack_nslots - 1);
  while (r->stack_slots[i])
    i = (i + 1) & (r->stack_nslots - 1);
  r->stack_slots[i] = (uint32_t)r->nstacks;
  *out = (uint32_t)r->nstacks - 1;
  return PRF_OK;
}

/* An empty line: the sample ends and is counted. */
static prf_status end_sample(perf_reader *r) {
  const prf_allocator *mem = &r->profile->mem;
  if (!r->open)
    return PRF_OK;
  r->open = false;
  r->nsamples++;
  prf_fstack *stack = &r->stack;
  size_t depth = stack->len + (r->cur.root != PRF_NONE);
  if (!r->cur.wanted || depth == 0) {
    stack->len = 0;
    return PRF_OK;
  }
  if (!prf_grow(mem, (void **)&r->path.ids, &r->path.cap, depth,
                sizeof(prf_fid)))
    return PRF_E_NOMEM;
  size_t k = 0;
  if (r->cur.root != PRF_NONE)
    r->path.ids[k++] = r->cur.root;
  for (size_t i = stack->len; i-- > 0;)
    r->path.ids[k++] = stack->ids[i];
  stack->len = 0;
  double value = r->by_period ? r->period : 1;
  uint32_t id = 0;
  prf_status st = stack_id(r, r->path.ids, depth, &id);
  if (st != PRF_OK)
    return st;
  if (r->time == INT64_MIN && !r->options->keep_order) {
    r->stacks[id].untimed = true;
    r->stacks[id].value += value;
    return PRF_OK;
  }
  if (!prf_grow(mem, (void **)&r->timed, &r->timed_cap, r->ntimed + 1,
                sizeof *r->timed))
    return PRF_E_NOMEM;
  r->timed[r->ntimed++] = (timed_sample){id, r->cur.thread, r->time, value};
  if (r->time != INT64_MIN) {
    if (r->first_time == INT64_MIN || r->time < r->first_time)
      r->first_time = r->time;
    if (r->last_time == INT64_MIN || r->time > r->last_time)
      r->last_time = r->time;
  }
  return PRF_OK;
}

/* ---- building the tree ---- */

/* Any lexicographic order keeps the stacks that share a prefix together,
 * so the frame ids are compared as bytes: memcmp runs through the long
 * shared prefixes many at a time (an id-by-id loop took 13% of reading). */
static int seq_cmp(void *ctx, uint32_t a, uint32_t b) {
  const perf_reader *r = ctx;
  const stack_entry *x = &r->stacks[a], *y = &r->stacks[b];
  size_t n = x->len < y->len ? x->len : y->len;
  int c = memcmp(r->seq + x->off, r->seq + y->off, n * sizeof *r->seq);
  if (c)
    return c;
  return x->len < y->len ? -1 : x->len > y->len;
}

/* Adds every distinct stack to the tree once, in an order where each
 * shares the longest prefix with the one before (so only the frames
 * after it are looked up, and new nodes are made in depth-first order),
 * then the values: untimed sums per stack, timed samples in input order. */
static prf_status build_tree(perf_reader *r) {
  const prf_allocator *mem = &r->profile->mem;
  prf_tree *tree = prf_profile_tree(r->profile);
  uint32_t *order = prf_mem_alloc(mem, (r->nstacks + 1) * sizeof *order);
  prf_node *nodes = NULL;
  size_t nodes_cap = 0;
  prf_status st = order ? PRF_OK : PRF_E_NOMEM;
  for (size_t i = 0; i < r->nstacks && st == PRF_OK; i++)
    order[i] = (uint32_t)i;
  if (st == PRF_OK && !prf_sort_ids(mem, order, r->nstacks, seq_cmp, r))
    st = PRF_E_NOMEM;
  const stack_entry *prev = NULL;
  for (size_t i = 0; i < r->nstacks && st == PRF_OK; i++) {
    stack_entry *e = &r->stacks[order[i]];
    const prf_fid *f = r->seq + e->off;
    size_t k = 0;
    if (prev) {
      const prf_fid *g = r->seq + prev->off;
      while (k < e->len && k < prev->len && f[k] == g[k])
        k++;
    }
    if (!prf_grow(mem, (void **)&nodes, &nodes_cap, e->len, sizeof *nodes)) {
      st = PRF_E_NOMEM;
      break;
    }
    for (size_t d = k; d < e->len && st == PRF_OK; d++)
      st = prf_tree_child(tree, d ? nodes[d - 1] : 0, f[d], &nodes[d]);
    e->leaf = nodes[e->len - 1];
    prev = e;
  }
  for (size_t i = 0; i < r->nstacks && st == PRF_OK; i++)
    if (r->stacks[i].untimed)
      st = prf_tree_add_self(tree, r->stacks[i].leaf, &r->stacks[i].value);
  for (size_t i = 0; i < r->ntimed && st == PRF_OK; i++) {
    const timed_sample *t = &r->timed[i];
    st = prf_sample_add(r->profile, r->stacks[t->stack].leaf, &t->value,
                        t->time, t->thread);
  }
  prf_mem_free(mem, order);
  prf_mem_free(mem, nodes);
  return st;
}

/* `perf script --header` lines ("# hostname : db7") become metadata. */
static prf_status read_comment(perf_reader *r, const char *s, size_t len) {
  static const char *const keys[][2] = {
      {"hostname", "hostname"},         {"os release", "os_release"},
      {"perf version", "perf_version"}, {"arch", "arch"},
      {"cpudesc", "cpudesc"},           {"cmdline", "cmdline"},
      {"captured on", "captured_on"}};
  if (r->seen_content || len < 2 || s[1] != ' ')
    return PRF_OK;
  for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
    size_t n = strlen(keys[k][0]);
    if (len < n + 4 || memcmp(s + 2, keys[k][0], n) != 0)
      continue;
    size_t i = n + 2;
    while (i < len && s[i] == ' ')
      i++;
    if (i >= len || s[i] != ':')
      continue;
    i++;
    while (i < len && s[i] == ' ')
      i++;
    size_t end = len;
    while (end > i && is_space(s[end - 1]))
      end--;
    prf_buf *b = &r->name;
    b->len = 0;
    prf_buf_put(b, s + i, end - i);
    prf_buf_putc(b, '\0');
    if (b->failed)
      return PRF_E_NOMEM;
    for (size_t j = 0; j + 1 < b->len; j++)
      if ((unsigned char)b->data[j] < 0x20)
        b->data[j] = ' ';
    return prf_meta_set(r->profile, keys[k][1], b->data);
  }
  return PRF_OK;
}

static prf_status read_line(perf_reader *r, const char *s, size_t len) {
  if (len > 0 && s[0] == '#')
    return read_comment(r, s, len);
  if (len == 0)
    return end_sample(r);
  header h;
  if (match_header(s, len, &h)) {
    r->seen_content = true;
    return on_header(r, s, len, &h);
  }
  if (!r->seen_content) {
    /* Not even the first sample: this is not perf script text. */
    size_t n = len < 60 ? len : 60;
    for (size_t i = 0; i < n; i++)
      if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
        n = i;
    return prf_fail(r->err, PRF_E_DATA,
                    "expected a perf script sample header 'COMM PID[/TID] "
                    "[CPU] TIME: [PERIOD] EVENT:', found '%.*s%s'",
                    (int)n, s, n < len ? "..." : "");
  }
  frame_line m;
  if (match_frame(s, len, &m))
    return r->open ? on_frame(r, s, &m) : PRF_OK;
  if (++r->nwarnings <= MAX_WARNINGS)
    warn(r, "skipping line: expected a sample header, a frame "
            "'ADDRESS SYMBOL (DSO)' or an empty line%s",
         r->nwarnings == MAX_WARNINGS ? " (further such lines are not "
                                        "reported)" : "");
  return PRF_OK;
}

/* The event read and the time the kept samples span: from the first to
 * the last timestamp, plus the mean interval (a timestamp ends the time a
 * sample stands for). */
static prf_status set_meta(perf_reader *r) {
  prf_status st = PRF_OK;
  if (r->event)
    st = prf_meta_set(r->profile, "event", r->event);
  size_t n = 0;
  for (size_t i = 0; i < r->ntimed; i++)
    n += r->timed[i].time != INT64_MIN;
  if (st == PRF_OK && n > 1 && r->last_time > r->first_time) {
    double span = (double)r->last_time - (double)r->first_time;
    char v[32];
    snprintf(v, sizeof v, "%.0f", span + span / (double)(n - 1));
    st = prf_meta_set(r->profile, "duration_nanos", v);
  }
  return st;
}

static void reader_free(perf_reader *r) {
  const prf_allocator *mem = &r->profile->mem;
  prf_mem_free(mem, r->event);
  prf_fstack_free(mem, &r->stack);
  prf_fstack_free(mem, &r->path);
  prf_mem_free(mem, r->seq);
  prf_mem_free(mem, r->stacks);
  prf_mem_free(mem, r->stack_slots);
  prf_mem_free(mem, r->timed);
  prf_mem_free(mem, r->keys);
  prf_mem_free(mem, r->fids);
  prf_mem_free(mem, r->names);
  prf_mem_free(mem, r->name_slots);
  prf_mem_free(mem, r->comms);
  prf_mem_free(mem, r->comm_slots);
  prf_buf_free(&r->name);
}

prf_status prf_perf_read(prf_profile *profile, prf_input *in,
                         const prf_read_options *options, prf_error *err) {
  const prf_allocator *mem = &profile->mem;
  perf_reader r;
  memset(&r, 0, sizeof r);
  r.profile = profile;
  r.options = options;
  r.err = err;
  r.in = in;
  r.flags = options->perf_flags;
  r.first_time = r.last_time = INT64_MIN;
  prf_buf_init(&r.name, mem);
  prf_status st = PRF_OK;
  const char *line;
  size_t len;
  while (st == PRF_OK && prf_input_line(in, &line, &len))
    st = read_line(&r, line, len);
  if (st == PRF_OK && in->failed)
    st = err->code;
  if (st == PRF_OK)
    st = build_tree(&r);
  if (st == PRF_OK)
    st = set_meta(&r);
  if (st != PRF_OK && err->message[0] == '\0')
    prf_fail(err, st, "%s", prf_status_name(st));
  /* The input layer's errors (gzip, the size limit) carry their byte;
     the line reached when they surface depends on buffer sizes. */
  if (st != PRF_OK && !in->failed)
    err->line = in->line;
  if (st == PRF_OK && r.open && (r.stack.len > 0 || r.cur.root != PRF_NONE))
    warn(&r, "the sample at line %llu has no empty line after it: skipped, "
             "as stackcollapse-perf.pl does",
         (unsigned long long)r.open_line);
  if (st == PRF_OK && r.nsamples == 0) {
    st = prf_fail(err, PRF_E_DATA,
                  "no samples found: expected perf script output (sample "
                  "headers, frame lines, an empty line after each sample)%s",
                  r.open ? "; the only sample has no empty line after it, and "
                           "stackcollapse-perf.pl skips such a sample"
                         : "");
    prf_reader_at_end(err, in);
    if (r.open)
      err->line = r.open_line;
  }
  reader_free(&r);
  return st;
}

/* ---- sniffing ---- */

int prf_perf_sniff(const unsigned char *head, size_t len) {
  const char *s = (const char *)head;
  size_t pos = 0;
  bool after_header = false;
  int headers = 0;
  while (pos < len && headers < 8) {
    const char *nl = memchr(s + pos, '\n', len - pos);
    if (!nl)
      return after_header ? 30 : 0; /* cut by the sniff window */
    size_t n = (size_t)(nl - (s + pos));
    const char *l = s + pos;
    pos += n + 1;
    if (n > 0 && l[n - 1] == '\r')
      n--;
    if (n > 0 && l[0] == '#')
      continue;
    if (after_header) {
      frame_line m;
      if (n > 0 && match_frame(l, n, &m)) {
        for (size_t i = m.pc0; i < m.pc1; i++)
          if (!is_digit(l[i]) && !((l[i] | 0x20) >= 'a' && (l[i] | 0x20) <= 'f'))
            return 0;
        return 70;
      }
      if (n > 0)
        return 0;
      after_header = false; /* a sample without a stack */
      continue;
    }
    if (n == 0)
      continue;
    header h;
    size_t end = n;
    while (end > 0 && is_space(l[end - 1]))
      end--;
    if (!match_header(l, n, &h) || l[end - 1] != ':')
      return 0;
    after_header = true;
    headers++;
  }
  return 0;
}
