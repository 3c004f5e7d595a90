/*
 * callgrind.c - valgrind's callgrind output (the KCachegrind format).
 *
 * The file holds, per function (fl= file, fn= name), cost lines (positions,
 * then one cost per event of "events:"), and per call (cfl=/cfi= file,
 * cfn= name, calls= count, then one cost line with the call's inclusive
 * cost). Names may be compressed: "(3) name" defines id 3, "(3)" reuses
 * it; files, functions and objects number separately. Positions (and, in
 * files speedscope reads, costs) may be relative: "+N", "-N", "*" (same).
 * A call without cfl=/cfi= calls into the caller's file. Costs and edges
 * go into a call graph (lib/callgraph.c), which builds the call tree.
 */
#include "callgrind.h"
#include "reader.h"

#include <stdlib.h>
#include <string.h>

enum { SPACE_FILE, SPACE_FN, SPACE_OB, NSPACES };

typedef struct names {
  prf_keymap ids;  /* compressed id -> slot + 1 */
  prf_str *str;    /* slot -> name */
  size_t cap;
} names;

typedef struct cg_reader {
  prf_profile *p;
  const prf_read_options *o;
  prf_error *err;
  prf_input *in;
  prf_callgraph *g;
  names space[NSPACES];
  size_t npos;        /* position columns (positions:) */
  size_t ncol;        /* events; 0 until events: */
  double *last;       /* the previous cost line's costs, for "+N" "*" */
  double *cost;       /* the current line's costs */
  prf_str fl, fn_name, cfl, cfn;
  bool have_fn, have_cfl, have_cfn;
  prf_fid fn;         /* the current function's frame */
  int pending;        /* 1: the next line is a call's cost; 2: a jump's */
  prf_fid callee;
  size_t lines;       /* cost lines read */
} cg_reader;

static bool is_blank(char c) { return c == ' ' || c == '\t'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* A line quoted in a message: its first 60 bytes. */
#define SHOW(s, len) ((len) > 60 ? 60 : (int)(len)), (s)

static prf_status fail(cg_reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static prf_status fail(cg_reader *r, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  prf_status st = prf_vfail(r->err, PRF_E_DATA, fmt, ap);
  va_end(ap);
  r->err->line = r->in->line;
  return st;
}

static bool starts(const char *s, size_t len, const char *key) {
  size_t n = strlen(key);
  return len >= n && memcmp(s, key, n) == 0;
}

/* A name that may be compressed: "(id) name", "(id)", or "name". */
static prf_status name_value(cg_reader *r, int space, const char *s,
                             size_t len, prf_str *out) {
  names *t = &r->space[space];
  if (len == 0 || s[0] != '(')
    return prf_string_intern(r->p, s, len, out);
  size_t i = 1;
  uint64_t id = 0;
  while (i < len && is_digit(s[i]) && id < (1ull << 40))
    id = id * 10 + (uint64_t)(s[i++] - '0');
  if (i == 1 || i >= len || s[i] != ')')
    return prf_string_intern(r->p, s, len, out); /* a name in parentheses */
  size_t rest = i + 1;
  while (rest < len && is_blank(s[rest]))
    rest++;
  bool fresh;
  uint32_t slot = prf_keymap_id(&r->p->mem, &t->ids, id, &fresh);
  if (!slot)
    return PRF_E_NOMEM;
  if (fresh) {
    if (!prf_grow(&r->p->mem, (void **)&t->str, &t->cap, slot + 1, sizeof *t->str))
      return PRF_E_NOMEM;
    t->str[slot] = PRF_NONE;
  }
  if (rest < len) { /* a definition (a later one renames) */
    prf_status st = prf_string_intern(r->p, s + rest, len - rest, out);
    if (st == PRF_OK)
      t->str[slot] = *out;
    return st;
  }
  if (t->str[slot] == PRF_NONE)
    return fail(r, "compressed name '%.*s' is used before it is defined: "
                   "expected '(id) name' first", SHOW(s, len));
  *out = t->str[slot];
  return PRF_OK;
}

static prf_status frame_of(cg_reader *r, prf_str file, prf_str name,
                           prf_fid *out) {
  prf_frame f;
  memset(&f, 0, sizeof f);
  f.name = name;
  f.file = file;
  return prf_frame_intern(r->p, &f, out);
}

/* "events: Ir Dr ...": the value columns, the first the default. */
static prf_status read_events(cg_reader *r, const char *s, size_t len) {
  const char *types[64], *units[64];
  char *copy = prf_mem_alloc(&r->p->mem, len + 1);
  if (!copy)
    return PRF_E_NOMEM;
  memcpy(copy, s, len);
  copy[len] = '\0';
  size_t n = 0;
  for (char *tok = strtok(copy, " \t"); tok; tok = strtok(NULL, " \t")) {
    if (n == 64) {
      prf_mem_free(&r->p->mem, copy);
      return fail(r, "more than 64 events: '%.*s'", SHOW(s, len));
    }
    types[n] = tok;
    units[n++] = "count";
  }
  prf_status st;
  if (r->ncol) { /* a later part of the file: the same events */
    bool same = n == r->ncol;
    for (size_t i = 0; same && i < n; i++)
      same = strcmp(types[i], prf_value_type(r->p, i)) == 0;
    prf_mem_free(&r->p->mem, copy);
    return same ? PRF_OK
                : fail(r, "'events: %.*s' differs from the first 'events:' "
                          "line: expected the same events in every part",
                       SHOW(s, len));
  }
  if (n == 0) {
    st = fail(r, "'events:' names no event: expected 'events: Ir ...'%.*s", SHOW("", 0));
  } else {
    bool had = prf_value_count(r->p) > 0;
    st = prf_reader_columns(r->p, n, types, units, r->err);
    if (st == PRF_OK && !had)
      st = prf_value_set_default(r->p, 0);
    if (st != PRF_OK)
      r->err->line = r->in->line;
  }
  prf_mem_free(&r->p->mem, copy);
  if (st != PRF_OK)
    return st;
  r->ncol = n;
  r->g = prf_callgraph_new(&r->p->mem, n);
  r->last = prf_mem_calloc(&r->p->mem, n, sizeof *r->last);
  r->cost = prf_mem_calloc(&r->p->mem, n, sizeof *r->cost);
  return r->g && r->last && r->cost ? PRF_OK : PRF_E_NOMEM;
}

static prf_status read_positions(cg_reader *r, const char *s, size_t len) {
  size_t n = 0;
  for (size_t i = 0; i < len;) {
    while (i < len && is_blank(s[i]))
      i++;
    if (i < len)
      n++;
    while (i < len && !is_blank(s[i]))
      i++;
  }
  if (n == 0 || n > 16)
    return fail(r, "'positions:' expects 1 to 16 of line, instr: '%.*s'", SHOW(s, len));
  r->npos = n;
  return PRF_OK;
}

/* One token of a cost line: a number, "+N"/"-N" relative to the previous
 * value, or "*" (the same). Hex positions ("0x...") are accepted too;
 * only costs must stay below PRF_MAX_COUNT (an address may not). */
static bool token_value(const char *s, size_t len, double prev, bool cost,
                        double *out) {
  if (len == 1 && s[0] == '*') {
    *out = prev;
    return true;
  }
  size_t i = 0;
  int sign = 0;
  if (s[0] == '+' || s[0] == '-')
    sign = s[i++] == '+' ? 1 : -1;
  double v = 0;
  if (len - i > 2 && s[i] == '0' && (s[i + 1] | 0x20) == 'x') {
    for (i += 2; i < len; i++) {
      char c = (char)(s[i] | 0x20);
      int d = is_digit(s[i]) ? s[i] - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (d < 0)
        return false;
      v = v * 16 + d;
    }
  } else {
    if (i == len)
      return false;
    for (; i < len; i++) {
      if (!is_digit(s[i]))
        return false;
      v = v * 10 + (s[i] - '0');
    }
  }
  *out = sign ? prev + sign * v : v;
  return !cost || (*out <= PRF_MAX_COUNT && *out >= -PRF_MAX_COUNT);
}

static prf_status read_cost(cg_reader *r, const char *s, size_t len) {
  if (!r->ncol)
    return fail(r, "a cost line before 'events:': expected 'events: NAME...' "
                   "first, got '%.*s'", SHOW(s, len));
  if (!r->have_fn && r->pending != 2)
    return fail(r, "a cost line before any 'fn=': '%.*s'", SHOW(s, len));
  size_t i = 0, tok = 0;
  while (i < len) {
    while (i < len && is_blank(s[i]))
      i++;
    size_t start = i;
    while (i < len && !is_blank(s[i]))
      i++;
    if (start == i)
      break;
    double v;
    size_t c = tok >= r->npos ? tok - r->npos : 0;
    if (tok >= r->npos + r->ncol)
      return fail(r, "more costs than events on '%.*s'", SHOW(s, len));
    bool cost = tok >= r->npos;
    if (!token_value(s + start, i - start, cost ? r->last[c] : 0, cost, &v))
      return fail(r, "expected a number (costs below 2^63), '+N', '-N' or '*' "
                     "in cost line "
                     "'%.*s'", SHOW(s, len));
    if (tok >= r->npos)
      r->cost[c] = v;
    tok++;
  }
  if (tok < r->npos) {
    prf_fail(r->err, PRF_E_DATA, "expected %zu position(s) ('positions:') "
             "before the costs: '%.*s'", r->npos, len > 60 ? 60 : (int)len, s);
    r->err->line = r->in->line;
    return PRF_E_DATA;
  }
  for (size_t c = tok - r->npos; c < r->ncol; c++)
    r->cost[c] = 0; /* costs left out are zero */
  memcpy(r->last, r->cost, r->ncol * sizeof *r->cost);
  int pending = r->pending;
  r->pending = 0;
  r->lines++;
  if (pending == 2)
    return PRF_OK; /* a jump's position */
  if (pending == 1) {
    r->have_cfl = false; /* the next call is in the caller's file again */
    return prf_callgraph_add_edge(r->g, r->fn, r->callee, r->cost);
  }
  return prf_callgraph_add_self(r->g, r->fn, r->cost);
}

static prf_status read_calls(cg_reader *r, const char *s, size_t len) {
  if (!r->have_fn || !r->have_cfn)
    return fail(r, "'calls=' without a 'fn=' and a 'cfn=' before it: "
                   "'%.*s'", SHOW(s, len));
  if (!r->ncol)
    return fail(r, "'calls=' before 'events:': '%.*s'", SHOW(s, len));
  size_t i = 6;
  if (i >= len || !is_digit(s[i]))
    return fail(r, "expected 'calls=COUNT TARGET': '%.*s'", SHOW(s, len));
  r->pending = 1;
  return frame_of(r, r->have_cfl ? r->cfl : r->fl, r->cfn, &r->callee);
}

static prf_status read_spec(cg_reader *r, const char *s, size_t len) {
  const char *eq = memchr(s, '=', len);
  size_t k = (size_t)(eq - s), vlen = len - k - 1;
  const char *v = eq + 1;
  prf_str str;
  prf_status st;
  if (k == 2 && (starts(s, len, "fl") || starts(s, len, "fi") ||
                 starts(s, len, "fe"))) {
    st = name_value(r, SPACE_FILE, v, vlen, &str);
    if (st == PRF_OK && s[1] == 'l')
      r->fl = str;
    return st;
  }
  if (k == 3 && (starts(s, len, "cfl") || starts(s, len, "cfi"))) {
    st = name_value(r, SPACE_FILE, v, vlen, &r->cfl);
    r->have_cfl = vlen > 0;
    return st;
  }
  if (k == 2 && starts(s, len, "fn")) {
    if (vlen == 0)
      return fail(r, "'fn=' without a name%.*s", SHOW("", 0));
    st = name_value(r, SPACE_FN, v, vlen, &r->fn_name);
    if (st == PRF_OK)
      st = frame_of(r, r->fl, r->fn_name, &r->fn);
    if (st == PRF_OK && r->g)
      st = prf_callgraph_add_self(r->g, r->fn, NULL);
    r->have_fn = true;
    r->have_cfl = false;
    return st;
  }
  if (k == 3 && starts(s, len, "cfn")) {
    if (vlen == 0)
      return fail(r, "'cfn=' without a name%.*s", SHOW("", 0));
    r->have_cfn = true;
    return name_value(r, SPACE_FN, v, vlen, &r->cfn);
  }
  if ((k == 2 && starts(s, len, "ob")) || (k == 3 && starts(s, len, "cob")))
    return name_value(r, SPACE_OB, v, vlen, &str);
  if (k == 5 && starts(s, len, "calls"))
    return read_calls(r, s, len);
  if ((k == 4 && starts(s, len, "jump")) || (k == 4 && starts(s, len, "jcnd"))) {
    r->pending = 2;
    return PRF_OK;
  }
  return fail(r, "unknown line '%.*s': expected fl=, fi=, fe=, fn=, cfl=, "
                 "cfi=, cfn=, ob=, cob=, calls=, jump=, jcnd=, a header "
                 "'key: value' or a cost line", SHOW(s, len));
}

static prf_status read_line(cg_reader *r, const char *s, size_t len) {
  while (len > 0 && (is_blank(s[len - 1]) || s[len - 1] == '\r'))
    len--;
  if (len == 0 || s[0] == '#')
    return PRF_OK;
  if (r->pending == 1 && !(is_digit(s[0]) || s[0] == '+' || s[0] == '-' ||
                           s[0] == '*'))
    return fail(r, "expected the cost line of the call before it, got "
                   "'%.*s'", SHOW(s, len));
  if (is_digit(s[0]) || s[0] == '+' || s[0] == '-' || s[0] == '*')
    return read_cost(r, s, len);
  size_t k = 0;
  while (k < len && (s[k] == '_' || ((s[k] | 0x20) >= 'a' && (s[k] | 0x20) <= 'z')))
    k++;
  if (k > 0 && k < len && s[k] == '=')
    return read_spec(r, s, len);
  if (k > 0 && k < len && s[k] == ':') {
    const char *v = s + k + 1;
    size_t vlen = len - k - 1;
    while (vlen > 0 && is_blank(*v))
      v++, vlen--;
    if (k == 6 && starts(s, len, "events"))
      return read_events(r, v, vlen);
    if (k == 9 && starts(s, len, "positions"))
      return read_positions(r, v, vlen);
    return PRF_OK; /* version, creator, cmd, desc, summary, totals... */
  }
  return fail(r, "unknown line '%.*s': expected a callgrind header "
                 "'key: value', a 'key=value' line or a cost line", SHOW(s, len));
}

static void free_reader(cg_reader *r) {
  for (int i = 0; i < NSPACES; i++) {
    prf_keymap_free(&r->p->mem, &r->space[i].ids);
    prf_mem_free(&r->p->mem, r->space[i].str);
  }
  prf_callgraph_free(r->g);
  prf_mem_free(&r->p->mem, r->last);
  prf_mem_free(&r->p->mem, r->cost);
}

prf_status prf_callgrind_read(prf_profile *profile, prf_input *in,
                              const prf_read_options *options, prf_error *err) {
  cg_reader r;
  memset(&r, 0, sizeof r);
  r.p = profile;
  r.o = options;
  r.err = err;
  r.in = in;
  r.npos = 1;
  prf_status st = PRF_OK;
  const char *line;
  size_t len;
  while (st == PRF_OK && prf_input_line(in, &line, &len))
    st = read_line(&r, line, len);
  if (st == PRF_OK && in->failed)
    st = err->code;
  if (st == PRF_OK && r.pending == 1) {
    st = prf_fail(err, PRF_E_DATA, "the input ends after 'calls=': expected "
                                   "the call's cost line");
    prf_reader_at_end(err, in);
  }
  if (st == PRF_OK && (!r.g || r.lines == 0)) {
    st = prf_fail(err, PRF_E_DATA, "no costs found: expected 'events:', "
                                   "'fn=' and cost lines (callgrind format)");
    prf_reader_at_end(err, in);
  }
  if (st != PRF_OK && err->message[0] == '\0') {
    prf_fail(err, st, "%s", prf_status_name(st));
    err->line = in->line;
  }
  if (st == PRF_OK)
    st = prf_reader_build_callgraph(profile, &r.g, options, err);
  free_reader(&r);
  return st;
}

int prf_callgrind_sniff(const unsigned char *head, size_t len) {
  const char *s = (const char *)head;
  if (len >= 18 && memcmp(s, "# callgrind format", 18) == 0)
    return 90;
  /* Else the header lines valgrind and xdebug write before any data. */
  int keys = 0;
  bool events = false;
  for (size_t pos = 0, lines = 0; pos < len && lines < 40; lines++) {
    const char *nl = memchr(s + pos, '\n', len - pos);
    size_t n = nl ? (size_t)(nl - (s + pos)) : len - pos;
    const char *l = s + pos;
    pos += n + 1;
    static const char *const known[] = {"version: ", "creator: ", "cmd: ",
                                        "positions: ", "part: ", "pid: ",
                                        "fl=", "fn=", "ob="};
    if (n >= 8 && memcmp(l, "events: ", 8) == 0)
      events = true;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
      if (starts(l, n, known[i]))
        keys++;
    if (events && keys >= 1)
      return 80;
  }
  return 0;
}
