/*
 * pstats.c - what Python's cProfile and profile write with dump_stats: a
 * marshal stream holding one dict
 *
 *   (file, line, function) -> (primitive calls, total calls, self time,
 *                              cumulative time, callers)
 *
 * where callers maps each caller's key to (calls, primitive calls, self
 * time, cumulative time) of the calls from it (cProfile) or to a call
 * count (profile). Built-in functions have the file "~" and line 0.
 *
 * The marshal stream is decoded into a small table of objects first
 * (marshal's back-references may point at any object read before), then
 * read as pstats. Only the types pstats uses are accepted. Columns: "time"
 * in seconds (self time; the default) and "calls" (the calls of each
 * function). The call tree is rebuilt from the callers (lib/callgraph.c).
 */
#include "pstats.h"
#include "reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { M_NONE, M_INT, M_FLOAT, M_STR, M_TUPLE, M_DICT };
enum { FLAG_REF = 0x80, MAX_NESTING = 32 };

typedef struct mobj {
  uint8_t kind;
  uint32_t first; /* M_STR: byte offset; M_TUPLE, M_DICT: index in kids */
  uint32_t count; /* M_STR: bytes; M_TUPLE: items; M_DICT: pairs */
  double num;     /* M_INT, M_FLOAT */
  size_t at;      /* where its type byte is */
} mobj;

typedef struct marshal {
  const unsigned char *data;
  size_t len, pos;
  mobj *obj;
  size_t nobj, obj_cap;
  uint32_t *kids;
  size_t nkids, kids_cap;
  uint32_t *refs;
  size_t nrefs, refs_cap;
  prf_error *err;
  const prf_allocator *mem; /* the profile's */
} marshal;

static prf_status bad(marshal *m, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static prf_status bad(marshal *m, size_t at, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  prf_vfail(m->err, PRF_E_DATA, fmt, ap);
  va_end(ap);
  m->err->has_offset = 1;
  m->err->offset = at;
  m->err->line = 0;
  return PRF_E_DATA;
}

static bool need(marshal *m, size_t n) { return m->len - m->pos >= n; }

static uint32_t u32(marshal *m) {
  const unsigned char *p = m->data + m->pos;
  m->pos += 4;
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

static prf_status truncated(marshal *m, const char *what) {
  return bad(m, m->len, "the input ends inside %s: expected more bytes "
             "(a truncated pstats file?)", what);
}

static prf_status new_obj(marshal *m, uint8_t kind, size_t at, bool ref,
                          uint32_t *out) {
  if (m->nobj >= UINT32_MAX - 1 ||
      !prf_grow(m->mem, (void **)&m->obj, &m->obj_cap, m->nobj + 1, sizeof *m->obj))
    return PRF_E_NOMEM;
  mobj *o = &m->obj[m->nobj];
  memset(o, 0, sizeof *o);
  o->kind = kind;
  o->at = at;
  *out = (uint32_t)m->nobj++;
  if (ref) { /* marshal numbers an object when it starts */
    if (!prf_grow(m->mem, (void **)&m->refs, &m->refs_cap, m->nrefs + 1, sizeof *m->refs))
      return PRF_E_NOMEM;
    m->refs[m->nrefs++] = *out;
  }
  return PRF_OK;
}

static prf_status parse(marshal *m, int depth, uint32_t *out);

static prf_status parse_str(marshal *m, size_t at, bool ref, bool short_len,
                            uint32_t *out) {
  if (!need(m, short_len ? 1 : 4))
    return truncated(m, "a string's length");
  size_t n = short_len ? m->data[m->pos++] : u32(m);
  if (!need(m, n))
    return truncated(m, "a string");
  prf_status st = new_obj(m, M_STR, at, ref, out);
  if (st == PRF_OK) {
    m->obj[*out].first = (uint32_t)m->pos;
    m->obj[*out].count = (uint32_t)n;
    m->pos += n;
  }
  return st;
}

static prf_status parse_long(marshal *m, size_t at, bool ref, uint32_t *out) {
  if (!need(m, 4))
    return truncated(m, "an integer");
  int32_t n = (int32_t)u32(m);
  uint32_t digits = n < 0 ? (uint32_t)-(int64_t)n : (uint32_t)n;
  if (!need(m, (size_t)digits * 2))
    return truncated(m, "an integer");
  double v = 0, scale = 1;
  for (uint32_t i = 0; i < digits; i++) {
    unsigned d = m->data[m->pos] | (unsigned)m->data[m->pos + 1] << 8;
    if (d >= 1u << 15)
      return bad(m, m->pos, "a long integer digit above 2^15: not a marshal "
                 "stream");
    m->pos += 2;
    v += d * scale;
    scale *= 32768.0;
  }
  prf_status st = new_obj(m, M_INT, at, ref, out);
  if (st == PRF_OK)
    m->obj[*out].num = n < 0 ? -v : v;
  return st;
}

static prf_status parse_float(marshal *m, size_t at, bool ref, bool binary,
                              uint32_t *out) {
  double v;
  if (binary) {
    if (!need(m, 8))
      return truncated(m, "a float");
    uint64_t bits = 0;
    for (int i = 7; i >= 0; i--)
      bits = bits << 8 | m->data[m->pos + (size_t)i];
    memcpy(&v, &bits, sizeof v);
    m->pos += 8;
  } else { /* the old text form: a length byte, then the digits */
    if (!need(m, 1) || !need(m, 1 + (size_t)m->data[m->pos]))
      return truncated(m, "a float");
    char text[257], *end;
    size_t n = m->data[m->pos++];
    memcpy(text, m->data + m->pos, n);
    text[n] = '\0';
    v = strtod(text, &end);
    if (n == 0 || *end)
      return bad(m, m->pos, "expected a number in a text float");
    m->pos += n;
  }
  if (!(v == v) || v > PRF_MAX_COUNT || v < -PRF_MAX_COUNT)
    return bad(m, at, "a float that is not a finite number");
  prf_status st = new_obj(m, M_FLOAT, at, ref, out);
  if (st == PRF_OK)
    m->obj[*out].num = v;
  return st;
}

static prf_status parse_tuple(marshal *m, int depth, size_t at, bool ref,
                              bool small, uint32_t *out) {
  if (!need(m, small ? 1 : 4))
    return truncated(m, "a tuple's length");
  size_t n = small ? m->data[m->pos++] : u32(m);
  if (!need(m, n))
    return truncated(m, "a tuple");
  prf_status st = new_obj(m, M_TUPLE, at, ref, out);
  size_t first = m->nkids;
  if (st == PRF_OK &&
      !prf_grow(m->mem, (void **)&m->kids, &m->kids_cap, first + n, sizeof *m->kids))
    st = PRF_E_NOMEM;
  if (st != PRF_OK)
    return st;
  m->nkids = first + n;
  m->obj[*out].first = (uint32_t)first;
  m->obj[*out].count = (uint32_t)n;
  for (size_t i = 0; i < n && st == PRF_OK; i++) {
    uint32_t kid;
    st = parse(m, depth + 1, &kid);
    m->kids[first + i] = kid;
  }
  return st;
}

/* Key, value pairs up to the '0' that ends a dict. */
static prf_status parse_dict(marshal *m, int depth, size_t at, bool ref,
                             uint32_t *out) {
  prf_status st = new_obj(m, M_DICT, at, ref, out);
  uint32_t *pairs = NULL;
  size_t n = 0, cap = 0;
  while (st == PRF_OK) {
    if (!need(m, 1)) {
      st = truncated(m, "a dict (no '0' ends it)");
      break;
    }
    if (m->data[m->pos] == '0') {
      m->pos++;
      break;
    }
    if (!prf_grow(m->mem, (void **)&pairs, &cap, n + 2, sizeof *pairs)) {
      st = PRF_E_NOMEM;
      break;
    }
    st = parse(m, depth + 1, &pairs[n]);
    if (st == PRF_OK)
      st = parse(m, depth + 1, &pairs[n + 1]);
    n += 2;
  }
  size_t first = m->nkids;
  if (st == PRF_OK &&
      !prf_grow(m->mem, (void **)&m->kids, &m->kids_cap, first + n, sizeof *m->kids))
    st = PRF_E_NOMEM;
  if (st == PRF_OK && n) {
    memcpy(m->kids + first, pairs, n * sizeof *pairs);
    m->nkids = first + n;
    m->obj[*out].first = (uint32_t)first;
    m->obj[*out].count = (uint32_t)(n / 2);
  }
  prf_mem_free(m->mem, pairs);
  return st;
}

static prf_status parse(marshal *m, int depth, uint32_t *out) {
  size_t at = m->pos;
  if (depth > MAX_NESTING)
    return bad(m, at, "objects nested more than %d deep: pstats nests 4",
               MAX_NESTING);
  if (!need(m, 1))
    return truncated(m, "an object (its type byte)");
  unsigned char code = m->data[m->pos++];
  bool ref = code & FLAG_REF;
  prf_status st;
  switch (code & ~FLAG_REF) {
  case '{': return parse_dict(m, depth, at, ref, out);
  case '(': return parse_tuple(m, depth, at, ref, false, out);
  case ')': return parse_tuple(m, depth, at, ref, true, out);
  case 'u': case 't': case 'a': case 'A': case 's':
    return parse_str(m, at, ref, false, out);
  case 'z': case 'Z': return parse_str(m, at, ref, true, out);
  case 'l': return parse_long(m, at, ref, out);
  case 'g': return parse_float(m, at, ref, true, out);
  case 'f': return parse_float(m, at, ref, false, out);
  case 'i':
    if (!need(m, 4))
      return truncated(m, "an integer");
    st = new_obj(m, M_INT, at, ref, out);
    if (st == PRF_OK)
      m->obj[*out].num = (int32_t)u32(m);
    return st;
  case 'N': return new_obj(m, M_NONE, at, ref, out);
  case 'r': {
    if (!need(m, 4))
      return truncated(m, "a back-reference");
    uint32_t i = u32(m);
    if (i >= m->nrefs)
      return bad(m, at, "back-reference %u to an object not read yet "
                 "(%zu so far)", i, m->nrefs);
    *out = m->refs[i];
    return PRF_OK;
  }
  case 'c':
    return bad(m, at, "a code object where pstats has a function name: "
               "`python -m profile -o` writes one; use `python -m cProfile "
               "-o` (or profile.Profile().dump_stats)");
  default:
    return bad(m, at, "marshal type byte 0x%02x ('%c') is not one pstats "
               "uses: expected a dict, tuple, string, int or float",
               code, (code & 0x7f) >= 0x20 && (code & 0x7f) < 0x7f ? code & 0x7f : '?');
  }
}

/* ---- pstats on top of the objects ---- */

typedef struct pstats_reader {
  marshal m;
  prf_profile *p;
  prf_callgraph *g;
  char *name;
  size_t name_cap;
} pstats_reader;

static const mobj *kid(const marshal *m, const mobj *o, size_t i) {
  return &m->obj[m->kids[o->first + i]];
}

static bool is_num(const mobj *o) {
  return o->kind == M_INT || o->kind == M_FLOAT;
}

/* The frame of a (file, line, function) key. */
static prf_status frame_of(pstats_reader *r, const mobj *key, prf_fid *out) {
  marshal *m = &r->m;
  if (key->kind != M_TUPLE || key->count != 3 ||
      kid(m, key, 0)->kind != M_STR || kid(m, key, 1)->kind != M_INT ||
      kid(m, key, 2)->kind != M_STR)
    return bad(m, key->at, "expected a function key (file, line, name): a "
               "tuple of a string, an integer and a string");
  const mobj *file = kid(m, key, 0), *fn = kid(m, key, 2);
  double line = kid(m, key, 1)->num;
  const char *f = (const char *)m->data + file->first;
  const char *n = (const char *)m->data + fn->first;
  prf_frame fr;
  memset(&fr, 0, sizeof fr);
  fr.line = line > 0 && line < 4294967295.0 ? (uint32_t)line : 0;
  /* A name alone for built-ins ("~"); else "name (file:line)", which tells
     apart the many __init__ of a program. */
  bool builtin = file->count == 1 && f[0] == '~';
  size_t len = fn->count + (builtin ? 0 : file->count + 16);
  if (!prf_grow(&r->p->mem, (void **)&r->name, &r->name_cap, len + 1, 1))
    return PRF_E_NOMEM;
  memcpy(r->name, n, fn->count);
  len = fn->count;
  if (!builtin)
    len += (size_t)snprintf(r->name + len, r->name_cap - len, " (%.*s:%u)",
                            (int)file->count, f, fr.line);
  prf_status st = prf_string_intern(r->p, r->name, len, &fr.name);
  if (st == PRF_OK)
    st = prf_string_intern(r->p, f, file->count, &fr.file);
  if (st == PRF_OK)
    st = prf_frame_intern(r->p, &fr, out);
  return st;
}

/* One caller of callee: (calls, primitive, self, cumulative) or a count. */
static prf_status read_caller(pstats_reader *r, prf_fid callee,
                              const mobj *key, const mobj *v) {
  marshal *m = &r->m;
  double cost[2];
  if (v->kind == M_TUPLE && v->count == 4 && is_num(kid(m, v, 0)) &&
      is_num(kid(m, v, 3))) {
    cost[0] = kid(m, v, 3)->num;
    cost[1] = kid(m, v, 0)->num;
  } else if (v->kind == M_INT) { /* profile.py: calls alone */
    cost[0] = cost[1] = v->num;
  } else {
    return bad(m, v->at, "expected a caller's (calls, primitive calls, "
               "self time, cumulative time) or a call count");
  }
  if (cost[0] < 0 || cost[1] < 0)
    return bad(m, v->at, "a negative caller time or count");
  prf_fid caller;
  prf_status st = frame_of(r, key, &caller);
  if (st == PRF_OK)
    st = prf_callgraph_add_edge(r->g, caller, callee, cost);
  return st;
}

static prf_status read_function(pstats_reader *r, const mobj *key,
                                const mobj *v) {
  marshal *m = &r->m;
  if (v->kind != M_TUPLE || v->count != 5 || !is_num(kid(m, v, 0)) ||
      !is_num(kid(m, v, 1)) || !is_num(kid(m, v, 2)) ||
      !is_num(kid(m, v, 3)) || kid(m, v, 4)->kind != M_DICT)
    return bad(m, v->at, "expected a function's (primitive calls, calls, "
               "self time, cumulative time, callers) tuple");
  prf_fid f;
  prf_status st = frame_of(r, key, &f);
  double self[2] = {kid(m, v, 2)->num, kid(m, v, 1)->num};
  double cum[2] = {kid(m, v, 3)->num, kid(m, v, 1)->num};
  if (st == PRF_OK && (self[0] < 0 || cum[0] < 0 || self[1] < 0))
    return bad(m, v->at, "a negative time or call count");
  if (st == PRF_OK)
    st = prf_callgraph_add_self(r->g, f, self);
  if (st == PRF_OK)
    st = prf_callgraph_add_cum(r->g, f, cum);
  const mobj *callers = kid(m, v, 4);
  for (size_t i = 0; st == PRF_OK && i < callers->count; i++)
    st = read_caller(r, f, kid(m, callers, 2 * i), kid(m, callers, 2 * i + 1));
  return st;
}

static prf_status read_stats(pstats_reader *r, const mobj *top) {
  static const char *const types[] = {"time", "calls"};
  static const char *const units[] = {"seconds", "count"};
  if (top->kind != M_DICT)
    return bad(&r->m, top->at, "expected a dict of functions at the start "
               "(a pstats file from cProfile or profile)");
  if (r->m.pos != r->m.len)
    return bad(&r->m, r->m.pos, "%zu bytes after the stats dict: expected "
               "the end of the input", r->m.len - r->m.pos);
  if (top->count == 0)
    return bad(&r->m, top->at, "no functions in the stats dict: expected "
               "at least one");
  bool had = prf_value_count(r->p) > 0;
  prf_status st = prf_reader_columns(r->p, 2, types, units, r->m.err);
  if (st == PRF_OK && !had)
    st = prf_value_set_default(r->p, 0);
  if (st == PRF_OK && !(r->g = prf_callgraph_new(&r->p->mem, 2)))
    st = PRF_E_NOMEM;
  for (size_t i = 0; st == PRF_OK && i < top->count; i++)
    st = read_function(r, kid(&r->m, top, 2 * i), kid(&r->m, top, 2 * i + 1));
  return st;
}

prf_status prf_pstats_read(prf_profile *profile, prf_input *in,
                           const prf_read_options *options, prf_error *err) {
  pstats_reader r;
  memset(&r, 0, sizeof r);
  r.p = profile;
  r.m.err = err;
  r.m.mem = &profile->mem;
  unsigned char *data = NULL;
  size_t len = 0;
  prf_status st = prf_input_slurp(in, &data, &len);
  r.m.data = data;
  r.m.len = len;
  uint32_t top = 0;
  if (st == PRF_OK && len == 0)
    st = bad(&r.m, 0, "empty input: expected a pstats file");
  if (st == PRF_OK)
    st = parse(&r.m, 0, &top);
  if (st == PRF_OK)
    st = read_stats(&r, &r.m.obj[top]);
  if (st == PRF_OK)
    st = prf_reader_build_callgraph(profile, &r.g, options, err);
  if (st != PRF_OK && err->message[0] == '\0')
    prf_fail(err, st, "%s reading pstats", prf_status_name(st));
  prf_callgraph_free(r.g);
  prf_mem_free(&profile->mem, r.m.obj);
  prf_mem_free(&profile->mem, r.m.kids);
  prf_mem_free(&profile->mem, r.m.refs);
  prf_mem_free(&profile->mem, r.name);
  prf_mem_free(&profile->mem, data);
  return st;
}

int prf_pstats_sniff(const unsigned char *head, size_t len) {
  /* A dict whose first key is a (file, line, function) tuple. */
  if (len < 3 || (head[0] & ~FLAG_REF) != '{')
    return 0;
  unsigned t = head[1] & ~FLAG_REF;
  if (t == ')' && head[2] == 3)
    return 60;
  if (t == '(' && len >= 6 && head[2] == 3 && !head[3] && !head[4] && !head[5])
    return 60;
  return 0;
}
