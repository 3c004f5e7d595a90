/*
 * pprof.c - the pprof profile.proto format (perftools.profiles.Profile),
 * gzipped or raw. The whole message is decoded by hand in two passes:
 * first the tables (strings, functions, mappings, locations), then the
 * samples, whose references can only be checked once the tables are known.
 * Every reference is checked; an error names the byte offset.
 */
#include "pprof.h"

#include "protobuf.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pp_str {
  const uint8_t *p;
  size_t len;
} pp_str;

typedef struct pp_function {
  uint64_t id;
  int64_t name, system_name, filename, start_line;
} pp_function;

typedef struct pp_mapping {
  uint64_t id, start, limit, offset;
  int64_t filename, build_id;
} pp_mapping;

typedef struct pp_line {
  uint64_t function_id;
  int64_t line, column;
} pp_line;

typedef struct pp_location {
  uint64_t id, mapping_id, address;
  size_t line_first, nlines;
  size_t drop_inner; /* drop_frames: inner lines removed (the match and
                        what was inlined into it) */
  uint8_t prune;     /* 0 none, 1 the whole location matches, 2 part */
} pp_location;

typedef struct pp_range {
  size_t start, end;
} pp_range;

typedef struct pp_vtype {
  int64_t type, unit;
} pp_vtype;

typedef struct pprof_reader {
  prf_profile *profile;
  prf_error *err;
  const uint8_t *data;
  pp_str *strings;
  size_t nstrings, strings_cap;
  pp_vtype *types;
  size_t ntypes, types_cap;
  pp_function *funcs;
  size_t nfuncs, funcs_cap;
  pp_mapping *maps;
  size_t nmaps, maps_cap;
  pp_location *locs;
  size_t nlocs, locs_cap;
  pp_line *lines;
  size_t nlines, lines_cap;
  pp_range *samples;
  size_t nsamples, samples_cap;
  int64_t *comments;
  size_t ncomments, comments_cap;
  pp_vtype period_type;
  int64_t drop_frames, keep_frames, default_type, period;
  int64_t time_nanos, duration_nanos;
  int64_t main_file, main_build_id; /* of the first mapping in the file */
  /* per-sample scratch */
  uint64_t *ids;
  size_t nids, ids_cap;
  int64_t *values;
  size_t nvalues, values_cap;
  prf_fid *frames;
  size_t frames_cap;
  /* The frames of location i (by index): fid_of_slot[slot_of_loc[i] + k]
     for its line k, or + 0 for a location without lines; PRF_NONE until
     made. Side by side in small arrays: the samples look them up at
     random, and the location table itself is large. */
  uint32_t *slot_of_loc;    /* nlocs + 1 entries */
  prf_fid *fid_of_slot;
  uint32_t *loc_by_id;      /* dense ids: id -> location index + 1 */
  prf_fid *fid_by_id;       /* dense ids: id -> the frame of a location
                               with one, once made (else PRF_NONE) */
  bool drop_on;             /* drop_frames marked some locations */
  bool top_only;            /* stacks as lists of frames (prf_read_options) */
  bool oom;                 /* a repeated field's callback ran out of memory */
  size_t loc_by_id_len;
} pprof_reader;

static prf_status bad(pprof_reader *r, const prf_pb *at, const char *what) {
  r->err->has_offset = 1;
  r->err->offset = at ? prf_pb_offset(at) : 0;
  return prf_fail(r->err, PRF_E_DATA, "malformed pprof profile: %s", what);
}

static prf_status nomem(pprof_reader *r) {
  return prf_fail(r->err, PRF_E_NOMEM, "out of memory reading pprof profile");
}

#define PUSH(r, arr, n, cap, value)                                            \
  (((r)->n < (r)->cap || prf_grow(&(r)->profile->mem, (void **)&(r)->arr,      \
                                  &(r)->cap, (r)->n + 1, sizeof *(r)->arr))    \
       ? ((r)->arr[(r)->n++] = (value), true)                                  \
       : false)

/* ---- pass 1: the tables ---- */

static bool read_varint_field(prf_pb *pb, uint32_t wire, uint64_t *out) {
  if (wire != PB_VARINT)
    return false;
  return prf_pb_varint(pb, out);
}

/* Reads a message of varint fields into out[field - 1] for fields 1..n;
 * other fields are skipped. */
static bool read_varints(prf_pb *msg, uint64_t *out, uint32_t n) {
  while (!prf_pb_done(msg)) {
    uint32_t field, wire;
    if (!prf_pb_key(msg, &field, &wire))
      return false;
    if (field >= 1 && field <= n && wire == PB_VARINT) {
      if (!prf_pb_varint(msg, &out[field - 1]))
        return false;
    } else if (!prf_pb_skip(msg, wire)) {
      return false;
    }
  }
  return true;
}

static prf_status read_location(pprof_reader *r, prf_pb *msg) {
  pp_location loc = {0, 0, 0, r->nlines, 0, 0, 0};
  while (!prf_pb_done(msg)) {
    uint32_t field, wire;
    uint64_t v;
    if (!prf_pb_key(msg, &field, &wire))
      return bad(r, msg, "bad field key in a location");
    if (field == 4 && wire == PB_LEN) {
      prf_pb sub;
      uint64_t f[3] = {0, 0, 0};
      if (!prf_pb_bytes(msg, &sub) || !read_varints(&sub, f, 3))
        return bad(r, msg, "bad line in a location");
      pp_line line = {f[0], (int64_t)f[1], (int64_t)f[2]};
      if (!PUSH(r, lines, nlines, lines_cap, line))
        return nomem(r);
      loc.nlines++;
    } else if (field >= 1 && field <= 3) {
      if (!read_varint_field(msg, wire, &v))
        return bad(r, msg, "bad number in a location");
      if (field == 1)
        loc.id = v;
      else if (field == 2)
        loc.mapping_id = v;
      else
        loc.address = v;
    } else if (!prf_pb_skip(msg, wire)) {
      return bad(r, msg, "bad field in a location");
    }
  }
  if (loc.id == 0)
    return bad(r, msg, "found location with reserved ID=0");
  return PUSH(r, locs, nlocs, locs_cap, loc) ? PRF_OK : nomem(r);
}

static bool add_comment(void *ctx, uint64_t v) {
  pprof_reader *r = ctx;
  r->oom = !PUSH(r, comments, ncomments, comments_cap, (int64_t)v);
  return !r->oom;
}

static prf_status read_tables(pprof_reader *r, prf_pb *pb) {
  while (!prf_pb_done(pb)) {
    uint32_t field, wire;
    const uint8_t *at = pb->p;
    if (!prf_pb_key(pb, &field, &wire))
      return bad(r, pb, "bad field key");
    prf_pb sub;
    uint64_t v[6] = {0, 0, 0, 0, 0, 0};
    if (wire == PB_LEN && field <= 6 && !prf_pb_bytes(pb, &sub))
      return bad(r, pb, "length beyond the end of the data");
    switch (wire == PB_LEN || field == 13 ? field : 0) {
    case 1: /* sample_type */
      if (!read_varints(&sub, v, 2))
        return bad(r, &sub, "bad sample type");
      if (!PUSH(r, types, ntypes, types_cap, ((pp_vtype){(int64_t)v[0], (int64_t)v[1]})))
        return nomem(r);
      continue;
    case 2: /* sample: decoded once the tables are known */
      if (!PUSH(r, samples, nsamples, samples_cap,
                ((pp_range){(size_t)(sub.p - r->data), (size_t)(sub.end - r->data)})))
        return nomem(r);
      continue;
    case 3: /* mapping */
      if (!read_varints(&sub, v, 6))
        return bad(r, &sub, "bad mapping");
      if (v[0] == 0)
        return bad(r, &sub, "found mapping with reserved ID=0");
      if (r->nmaps == 0) { /* pprof calls the first mapping the main binary */
        r->main_file = (int64_t)v[4];
        r->main_build_id = (int64_t)v[5];
      }
      if (!PUSH(r, maps, nmaps, maps_cap,
                ((pp_mapping){v[0], v[1], v[2], v[3], (int64_t)v[4], (int64_t)v[5]})))
        return nomem(r);
      continue;
    case 4: {
      prf_status st = read_location(r, &sub);
      if (st != PRF_OK)
        return st;
      continue;
    }
    case 5: /* function */
      if (!read_varints(&sub, v, 5))
        return bad(r, &sub, "bad function");
      if (v[0] == 0)
        return bad(r, &sub, "found function with reserved ID=0");
      if (!PUSH(r, funcs, nfuncs, funcs_cap,
                ((pp_function){v[0], (int64_t)v[1], (int64_t)v[2], (int64_t)v[3], (int64_t)v[4]})))
        return nomem(r);
      continue;
    case 6: /* string_table */
      if (!PUSH(r, strings, nstrings, strings_cap,
                ((pp_str){sub.p, (size_t)(sub.end - sub.p)})))
        return nomem(r);
      continue;
    case 11: /* period_type */
      if (!prf_pb_bytes(pb, &sub) || !read_varints(&sub, v, 2))
        return bad(r, pb, "bad period type");
      r->period_type = (pp_vtype){(int64_t)v[0], (int64_t)v[1]};
      continue;
    case 13: /* comment: repeated int64 */
      if (!prf_pb_repeated(pb, wire, add_comment, r))
        return r->oom ? nomem(r) : bad(r, pb, "bad comment list");
      continue;
    default:
      break;
    }
    if (wire == PB_VARINT && field >= 7 && field <= 14) {
      uint64_t x;
      if (!prf_pb_varint(pb, &x))
        return bad(r, pb, "bad number");
      int64_t s = (int64_t)x;
      switch (field) {
      case 7: r->drop_frames = s; break;
      case 8: r->keep_frames = s; break;
      case 9: r->time_nanos = s; break;
      case 10: r->duration_nanos = s; break;
      case 12: r->period = s; break;
      case 14: r->default_type = s; break;
      default: break;
      }
      continue;
    }
    pb->p = at;
    if (!prf_pb_key(pb, &field, &wire) || !prf_pb_skip(pb, wire))
      return bad(r, pb, "bad field");
  }
  return PRF_OK;
}

/* ---- checking references ---- */

static bool str_ok(const pprof_reader *r, int64_t i) {
  return i >= 0 && (uint64_t)i < r->nstrings;
}

static int cmp_func(const void *a, const void *b) {
  const pp_function *x = a, *y = b;
  return (x->id > y->id) - (x->id < y->id);
}
static int cmp_map(const void *a, const void *b) {
  const pp_mapping *x = a, *y = b;
  return (x->id > y->id) - (x->id < y->id);
}
static int cmp_loc(const void *a, const void *b) {
  const pp_location *x = a, *y = b;
  return (x->id > y->id) - (x->id < y->id);
}

static const pp_function *find_func(const pprof_reader *r, uint64_t id) {
  pp_function key = {id, 0, 0, 0, 0};
  if (!r->nfuncs) /* bsearch wants a non-null base even for 0 items */
    return NULL;
  return bsearch(&key, r->funcs, r->nfuncs, sizeof key, cmp_func);
}
static const pp_mapping *find_map(const pprof_reader *r, uint64_t id) {
  pp_mapping key = {id, 0, 0, 0, 0, 0};
  if (!r->nmaps)
    return NULL;
  return bsearch(&key, r->maps, r->nmaps, sizeof key, cmp_map);
}
static const pp_location *find_loc(const pprof_reader *r, uint64_t id) {
  if (r->loc_by_id) /* most writers number locations 1..n */
    return id < r->loc_by_id_len && r->loc_by_id[id] ? &r->locs[r->loc_by_id[id] - 1]
                                                      : NULL;
  pp_location key = {id, 0, 0, 0, 0, 0, 0};
  if (!r->nlocs)
    return NULL;
  return bsearch(&key, r->locs, r->nlocs, sizeof key, cmp_loc);
}

/* A direct table from id to location when the ids are dense enough. */
static prf_status index_locations(pprof_reader *r) {
  const prf_allocator *mem = &r->profile->mem;
  if (!r->nlocs || r->locs[r->nlocs - 1].id > 4 * (uint64_t)r->nlocs + 1024)
    return PRF_OK;
  r->loc_by_id_len = (size_t)r->locs[r->nlocs - 1].id + 1;
  r->loc_by_id = prf_mem_calloc(mem, r->loc_by_id_len, sizeof *r->loc_by_id);
  r->fid_by_id = prf_mem_alloc(mem, r->loc_by_id_len * sizeof *r->fid_by_id);
  if (!r->loc_by_id || !r->fid_by_id)
    return nomem(r);
  for (size_t i = 0; i < r->loc_by_id_len; i++)
    r->fid_by_id[i] = PRF_NONE;
  for (size_t i = 0; i < r->nlocs; i++)
    r->loc_by_id[r->locs[i].id] = (uint32_t)i + 1;
  return PRF_OK;
}

/* Sorts a table by id and refuses duplicates. */
#define SORT_UNIQUE(r, arr, n, cmp, what)                                   \
  do {                                                                      \
    if ((r)->n)                                                             \
      qsort((r)->arr, (r)->n, sizeof *(r)->arr, cmp);                       \
    for (size_t i_ = 1; i_ < (r)->n; i_++)                                  \
      if ((r)->arr[i_].id == (r)->arr[i_ - 1].id)                           \
        return bad(r, NULL, "duplicate " what " id");                       \
  } while (0)

static prf_status check_tables(pprof_reader *r) {
  if (r->nstrings == 0 || r->strings[0].len != 0)
    return bad(r, NULL, "string_table[0] must be \"\"");
  SORT_UNIQUE(r, funcs, nfuncs, cmp_func, "function");
  SORT_UNIQUE(r, maps, nmaps, cmp_map, "mapping");
  SORT_UNIQUE(r, locs, nlocs, cmp_loc, "location");
  for (size_t i = 0; i < r->nfuncs; i++) {
    const pp_function *f = &r->funcs[i];
    if (!str_ok(r, f->name) || !str_ok(r, f->system_name) || !str_ok(r, f->filename))
      return bad(r, NULL, "function string index out of range");
  }
  for (size_t i = 0; i < r->nmaps; i++)
    if (!str_ok(r, r->maps[i].filename) || !str_ok(r, r->maps[i].build_id))
      return bad(r, NULL, "mapping string index out of range");
  for (size_t i = 0; i < r->ntypes; i++)
    if (!str_ok(r, r->types[i].type) || !str_ok(r, r->types[i].unit))
      return bad(r, NULL, "sample type string index out of range");
  if (!str_ok(r, r->period_type.type) || !str_ok(r, r->period_type.unit) ||
      !str_ok(r, r->drop_frames) || !str_ok(r, r->keep_frames) ||
      !str_ok(r, r->default_type) || !str_ok(r, r->main_file) ||
      !str_ok(r, r->main_build_id))
    return bad(r, NULL, "string index out of range");
  for (size_t i = 0; i < r->ncomments; i++)
    if (!str_ok(r, r->comments[i]))
      return bad(r, NULL, "comment string index out of range");
  for (size_t i = 0; i < r->nlocs; i++) {
    const pp_location *l = &r->locs[i];
    if (l->mapping_id && !find_map(r, l->mapping_id))
      return bad(r, NULL, "location refers to a missing mapping");
    for (size_t k = 0; k < l->nlines; k++) {
      uint64_t fid = r->lines[l->line_first + k].function_id;
      if (fid && !find_func(r, fid))
        return bad(r, NULL, "line refers to a missing function");
    }
  }
  return PRF_OK;
}

/* ---- building the model ---- */

static prf_status intern(pprof_reader *r, int64_t index, prf_str *out) {
  const pp_str *s = &r->strings[index];
  return prf_string_intern(r->profile, (const char *)s->p, s->len, out) == PRF_OK
             ? PRF_OK
             : nomem(r);
}

static const char *base_name(const uint8_t *p, size_t len, size_t *blen) {
  size_t start = len;
  while (start > 0 && p[start - 1] != '/')
    start--;
  *blen = len - start;
  return (const char *)p + start;
}

/* The frame of line k of a location, or of the location itself when it has
 * no function name: "[binary]" when the mapping names a file, otherwise
 * "<unknown>", as pprof shows them; the address is kept in the frame. */
static prf_status make_frame(pprof_reader *r, const pp_location *loc, size_t k,
                             prf_fid *out) {
  prf_frame f;
  memset(&f, 0, sizeof f);
  const pp_mapping *m = loc->mapping_id ? find_map(r, loc->mapping_id) : NULL;
  prf_status st = PRF_OK;
  if (m)
    st = intern(r, m->filename, &f.module);
  const pp_line *ln = k < loc->nlines ? &r->lines[loc->line_first + k] : NULL;
  const pp_function *fn = ln && ln->function_id ? find_func(r, ln->function_id) : NULL;
  if (fn && !r->strings[fn->name].len && !r->strings[fn->system_name].len)
    fn = NULL; /* a function without a name tells no more than an address */
  if (st == PRF_OK && fn) {
    int64_t name = r->strings[fn->name].len ? fn->name : fn->system_name;
    const pp_str *ns = &r->strings[name];
    size_t len = ns->len;
    /* The folded suffixes _[k] _[j] _[w] (prof-render writes them for frame
       kinds pprof cannot hold) become the frame kind again. */
    if (len > 4 && ns->p[len - 4] == '_' && ns->p[len - 3] == '[' &&
        ns->p[len - 1] == ']' && strchr("kjw", ns->p[len - 2])) {
      f.kind = ns->p[len - 2] == 'k'   ? PRF_KIND_KERNEL
               : ns->p[len - 2] == 'j' ? PRF_KIND_JIT
                                       : PRF_KIND_WAKER;
      len -= 4;
    }
    st = prf_string_intern(r->profile, (const char *)ns->p, len, &f.name) == PRF_OK
             ? PRF_OK
             : nomem(r);
    if (st == PRF_OK)
      st = intern(r, fn->filename, &f.file);
    f.line = ln->line > 0 && ln->line <= UINT32_MAX ? (uint32_t)ln->line : 0;
    f.column = ln->column > 0 && ln->column <= UINT32_MAX ? (uint32_t)ln->column : 0;
    /* Every line but the last of a location was inlined into the next. */
    if (k + 1 < loc->nlines && f.kind == PRF_KIND_NORMAL)
      f.kind = PRF_KIND_INLINED;
  } else if (st == PRF_OK) {
    char name[600];
    if (m && r->strings[m->filename].len) {
      size_t blen;
      const char *b = base_name(r->strings[m->filename].p,
                                r->strings[m->filename].len, &blen);
      snprintf(name, sizeof name, "[%.*s]", (int)(blen < 512 ? blen : 512), b);
    } else {
      snprintf(name, sizeof name, "<unknown>"); /* as pprof names it */
    }
    st = prf_string_intern(r->profile, name, strlen(name), &f.name) == PRF_OK
             ? PRF_OK
             : nomem(r);
  }
  f.address = loc->address;
  if (st == PRF_OK && prf_frame_intern(r->profile, &f, out) != PRF_OK)
    st = nomem(r);
  return st;
}

static bool add_id(void *ctx, uint64_t v) {
  pprof_reader *r = ctx;
  r->oom = !PUSH(r, ids, nids, ids_cap, v);
  return !r->oom;
}

static bool add_value(void *ctx, uint64_t v) {
  pprof_reader *r = ctx;
  r->oom = !PUSH(r, values, nvalues, values_cap, (int64_t)v);
  return !r->oom;
}

static prf_status read_label(pprof_reader *r, prf_pb *msg, prf_label *out) {
  uint64_t v[4] = {0, 0, 0, 0};
  if (!read_varints(msg, v, 4))
    return bad(r, msg, "bad label");
  if (!str_ok(r, (int64_t)v[0]) || !str_ok(r, (int64_t)v[1]) ||
      !str_ok(r, (int64_t)v[3]))
    return bad(r, msg, "label string index out of range");
  memset(out, 0, sizeof *out);
  prf_status st = intern(r, (int64_t)v[0], &out->key);
  if (st == PRF_OK)
    st = intern(r, (int64_t)v[1], &out->str);
  if (st == PRF_OK)
    st = intern(r, (int64_t)v[3], &out->unit);
  out->num = (int64_t)v[2];
  return st;
}

/* drop_frames, as pprof applies it: scanning from the root, past the
 * first location that matches nothing, the first location that matches
 * ends the stack: wholly dropped (1) or cut inside (2). Returns the index
 * of the leaf-most location kept (r->nids when everything goes). */
static size_t drop_cut(const pprof_reader *r) {
  if (!r->drop_on)
    return 0;
  bool user = false;
  for (size_t i = r->nids; i-- > 0;) {
    const pp_location *loc = &r->locs[r->ids[i]]; /* an index by now */
    if (!loc->prune) {
      user = true;
      continue;
    }
    if (!user)
      continue; /* never prune everything */
    return loc->prune == 1 ? i + 1 : i;
  }
  return 0;
}

static bool full_match(const regex_t *re, const pp_str *name) {
  char buf[1024];
  size_t n = name->len < sizeof buf - 1 ? name->len : sizeof buf - 1;
  memcpy(buf, name->p, n);
  buf[n] = '\0';
  char *paren = strchr(buf + 1, '('); /* compare without parameters */
  if (paren)
    *paren = '\0';
  return regexec(re, buf, 0, NULL, 0) == 0;
}

/* Marks the locations that drop_frames (and not keep_frames) match. */
static prf_status mark_drops(pprof_reader *r) {
  const prf_allocator *mem = &r->profile->mem;
  if (r->drop_frames <= 0)
    return PRF_OK;
  const pp_str *d = &r->strings[r->drop_frames], *k = &r->strings[r->keep_frames];
  char *expr = prf_mem_alloc(mem, d->len + k->len + 8);
  if (!expr)
    return nomem(r);
  regex_t drop, keep;
  bool has_keep = r->keep_frames > 0;
  snprintf(expr, d->len + k->len + 8, "^(%.*s)$", (int)d->len, (const char *)d->p);
  int rc = regcomp(&drop, expr, REG_EXTENDED | REG_NOSUB);
  if (rc == 0 && has_keep) {
    snprintf(expr, d->len + k->len + 8, "^(%.*s)$", (int)k->len, (const char *)k->p);
    if (regcomp(&keep, expr, REG_EXTENDED | REG_NOSUB) != 0) {
      regfree(&drop);
      rc = 1;
    }
  }
  prf_mem_free(mem, expr);
  if (rc != 0) /* an expression POSIX cannot read: keep every frame */
    return prf_meta_set(r->profile, "drop_frames_ignored", "1") == PRF_OK
               ? PRF_OK
               : nomem(r);
  for (size_t i = 0; i < r->nlocs; i++) {
    pp_location *loc = &r->locs[i];
    for (size_t j = loc->nlines; j-- > 0;) { /* from the outer caller in */
      const pp_line *ln = &r->lines[loc->line_first + j];
      const pp_function *fn = ln->function_id ? find_func(r, ln->function_id) : NULL;
      if (!fn || !r->strings[fn->name].len)
        continue;
      const pp_str *name = &r->strings[fn->name];
      if (full_match(&drop, name) && !(has_keep && full_match(&keep, name))) {
        loc->prune = j + 1 == loc->nlines ? 1 : 2;
        loc->drop_inner = j + 1;
        break;
      }
    }
  }
  regfree(&drop);
  if (has_keep)
    regfree(&keep);
  r->drop_on = true;
  return PRF_OK;
}

/* The frames of the sample in r->ids into r->frames, root first:
 * locations from the last, and in each the lines from the last (the
 * out-of-line caller) to the first (the innermost inlinee). */
static prf_status sample_frames(pprof_reader *r, const prf_pb *at,
                                size_t *out_depth) {
  const prf_allocator *mem = &r->profile->mem;
  if (!prf_grow(mem, (void **)&r->frames, &r->frames_cap, r->nids,
                sizeof *r->frames))
    return nomem(r);
  /* Most locations have one frame, made by an earlier sample: one look-up
     each, by id. */
  size_t depth = 0;
  if (!r->drop_on && r->fid_by_id) {
    for (size_t i = r->nids; i-- > 0;) {
      uint64_t id = r->ids[i];
      if (id >= r->loc_by_id_len || r->fid_by_id[id] == PRF_NONE)
        break;
      r->frames[depth++] = r->fid_by_id[id];
    }
    if (depth == r->nids) {
      *out_depth = depth;
      return PRF_OK;
    }
    depth = 0;
  }
  /* Ids become indexes into r->locs, looked up once. */
  for (size_t i = 0; i < r->nids; i++) {
    const pp_location *loc = r->ids[i] ? find_loc(r, r->ids[i]) : NULL;
    if (!loc)
      return bad(r, at, r->ids[i] ? "a sample refers to a missing location"
                                  : "a sample refers to location id 0");
    r->ids[i] = (uint64_t)(loc - r->locs);
  }
  size_t leafmost = drop_cut(r);
  for (size_t i = r->nids; i-- > leafmost;) {
    size_t li = (size_t)r->ids[i];
    prf_fid *fids = r->fid_of_slot + r->slot_of_loc[li];
    size_t n = r->slot_of_loc[li + 1] - r->slot_of_loc[li];
    size_t skip = i == leafmost && r->drop_on && r->locs[li].prune == 2
                      ? r->locs[li].drop_inner
                      : 0;
    if (!prf_grow(mem, (void **)&r->frames, &r->frames_cap, depth + n,
                  sizeof *r->frames))
      return nomem(r);
    for (size_t k = n; k-- > skip;) {
      if (fids[k] == PRF_NONE) {
        prf_status st = make_frame(r, &r->locs[li], k, &fids[k]);
        if (st != PRF_OK)
          return st;
      }
      r->frames[depth++] = fids[k];
    }
    if (n == 1 && r->fid_by_id)
      r->fid_by_id[r->locs[li].id] = fids[0];
  }
  *out_depth = depth;
  return PRF_OK;
}

static prf_status read_sample(pprof_reader *r, const pp_range *range,
                              prf_label **labels, size_t *labels_cap) {
  const prf_allocator *mem = &r->profile->mem;
  prf_pb pb = prf_pb_init(r->data + range->start, range->end - range->start);
  pb.base = r->data;
  r->nids = r->nvalues = 0;
  size_t nlabels = 0;
  while (!prf_pb_done(&pb)) {
    uint32_t field, wire;
    if (!prf_pb_key(&pb, &field, &wire))
      return bad(r, &pb, "bad field key in a sample");
    if (field == 1) {
      if (!prf_pb_repeated(&pb, wire, add_id, r))
        return r->oom ? nomem(r) : bad(r, &pb, "bad location list in a sample");
    } else if (field == 2) {
      if (!prf_pb_repeated(&pb, wire, add_value, r))
        return r->oom ? nomem(r) : bad(r, &pb, "bad value list in a sample");
    } else if (field == 3 && wire == PB_LEN) {
      prf_pb sub;
      if (!prf_pb_bytes(&pb, &sub))
        return bad(r, &pb, "bad label in a sample");
      if (!prf_grow(mem, (void **)labels, labels_cap, nlabels + 1,
                    sizeof **labels))
        return nomem(r);
      prf_status st = read_label(r, &sub, &(*labels)[nlabels]);
      if (st != PRF_OK)
        return st;
      nlabels++;
    } else if (!prf_pb_skip(&pb, wire)) {
      return bad(r, &pb, "bad field in a sample");
    }
  }
  size_t ncols = prf_value_count(r->profile);
  if (r->nvalues != ncols) {
    char msg[128];
    snprintf(msg, sizeof msg, "a sample has %zu values, expected %zu (one per sample type)",
             r->nvalues, ncols);
    pb.p = r->data + range->start;
    return bad(r, &pb, msg);
  }
  pb.p = r->data + range->start; /* errors from here name the sample */
  size_t depth = 0;
  prf_status st = sample_frames(r, &pb, &depth);
  if (st != PRF_OK)
    return st;
  double vals[64];
  double *v = ncols <= 64 ? vals : prf_mem_alloc(mem, ncols * sizeof *v);
  if (!v)
    return nomem(r);
  for (size_t c = 0; c < ncols; c++)
    v[c] = (double)r->values[c];
  prf_node leaf;
  if (r->top_only) {
    st = prf_stacks_add(r->profile, r->frames, depth, v);
  } else {
    st = prf_stack_add(r->profile, r->frames, depth, NULL, &leaf);
    if (st == PRF_OK)
      st = prf_sample_add_labeled(r->profile, leaf, v, INT64_MIN, PRF_NONE,
                                  *labels, nlabels);
  }
  if (v != vals)
    prf_mem_free(mem, v);
  if (st == PRF_E_LIMIT) /* the message names the limit (registry.c) */
    return bad(r, &pb, "a sample exceeds a limit");
  return st == PRF_OK ? PRF_OK : nomem(r);
}

static prf_status declare_columns(pprof_reader *r) {
  prf_profile *p = r->profile;
  pp_vtype fallback = r->period_type;
  const pp_vtype *types = r->types;
  size_t n = r->ntypes;
  if (n == 0) { /* as pprof: a profile without sample types uses its period type */
    types = &fallback;
    n = 1;
  }
  char type[512], unit[512];
  size_t have = prf_value_count(p);
  if (have && have != n)
    return prf_fail(r->err, PRF_E_DATA,
                    "cannot merge: this profile has %zu sample types, the "
                    "inputs before it had %zu", n, have);
  for (size_t i = 0; i < n; i++) {
    const pp_str *t = &r->strings[types[i].type], *u = &r->strings[types[i].unit];
    snprintf(type, sizeof type, "%.*s", (int)(t->len < 500 ? t->len : 500), (const char *)t->p);
    snprintf(unit, sizeof unit, "%.*s", (int)(u->len < 500 ? u->len : 500), (const char *)u->p);
    if (!type[0])
      snprintf(type, sizeof type, "samples");
    if (have) {
      if (strcmp(prf_value_type(p, i), type) != 0)
        return prf_fail(r->err, PRF_E_DATA,
                        "cannot merge: sample type %zu is '%s', the inputs "
                        "before it had '%s'", i + 1, type, prf_value_type(p, i));
    } else if (prf_value_add(p, type, unit, NULL) != PRF_OK) {
      return nomem(r);
    }
  }
  if (have)
    return PRF_OK;
  size_t dflt = n - 1;
  if (r->default_type > 0 && r->ntypes)
    for (size_t i = 0; i < n; i++)
      if (types[i].type == r->default_type)
        dflt = i;
  return prf_value_set_default(p, dflt);
}

/* Several inputs merge into one profile: prf_meta_combine joins the
 * header fields as pprof's Merge does. */
static prf_status set_meta_str(pprof_reader *r, const char *key, int64_t index) {
  if (index <= 0)
    return PRF_OK;
  const pp_str *s = &r->strings[index];
  size_t len = s->len < 4000 ? s->len : 4000;
  return prf_meta_combine(r->profile, key, (const char *)s->p, len) == PRF_OK
             ? PRF_OK : nomem(r);
}

static prf_status set_meta_num(pprof_reader *r, const char *key, int64_t v) {
  if (v == 0)
    return PRF_OK;
  char value[32];
  int n = snprintf(value, sizeof value, "%lld", (long long)v);
  return prf_meta_combine(r->profile, key, value, (size_t)n) == PRF_OK
             ? PRF_OK : nomem(r);
}

static prf_status read_metadata(pprof_reader *r) {
  const prf_allocator *mem = &r->profile->mem;
  prf_status st = set_meta_str(r, "drop_frames", r->drop_frames);
  if (st == PRF_OK)
    st = set_meta_str(r, "mapping_file", r->main_file);
  if (st == PRF_OK)
    st = set_meta_str(r, "build_id", r->main_build_id);
  if (st == PRF_OK)
    st = set_meta_str(r, "keep_frames", r->keep_frames);
  if (st == PRF_OK && r->period_type.type > 0) {
    char v[1100];
    const pp_str *t = &r->strings[r->period_type.type], *u = &r->strings[r->period_type.unit];
    snprintf(v, sizeof v, "%.*s/%.*s", (int)(t->len < 500 ? t->len : 500), (const char *)t->p,
             (int)(u->len < 500 ? u->len : 500), (const char *)u->p);
    st = prf_meta_set(r->profile, "period_type", v) == PRF_OK ? PRF_OK : nomem(r);
  }
  if (st == PRF_OK)
    st = set_meta_num(r, "period", r->period);
  if (st == PRF_OK)
    st = set_meta_num(r, "time_nanos", r->time_nanos);
  if (st == PRF_OK)
    st = set_meta_num(r, "duration_nanos", r->duration_nanos);
  if (st == PRF_OK && r->ncomments) {
    prf_buf b;
    prf_buf_init(&b, mem);
    for (size_t i = 0; i < r->ncomments; i++) {
      if (i)
        prf_buf_putc(&b, '\n');
      prf_buf_put(&b, r->strings[r->comments[i]].p, r->strings[r->comments[i]].len);
    }
    st = !b.failed && prf_meta_combine(r->profile, "comments", b.data ? b.data : "",
                                       b.len) == PRF_OK
             ? PRF_OK : nomem(r);
    prf_buf_free(&b);
  }
  return st;
}

static void reader_free(pprof_reader *r) {
  const prf_allocator *mem = &r->profile->mem;
  prf_mem_free(mem, r->strings);
  prf_mem_free(mem, r->types);
  prf_mem_free(mem, r->funcs);
  prf_mem_free(mem, r->maps);
  prf_mem_free(mem, r->locs);
  prf_mem_free(mem, r->lines);
  prf_mem_free(mem, r->samples);
  prf_mem_free(mem, r->comments);
  prf_mem_free(mem, r->ids);
  prf_mem_free(mem, r->values);
  prf_mem_free(mem, r->frames);
  prf_mem_free(mem, r->slot_of_loc);
  prf_mem_free(mem, r->fid_of_slot);
  prf_mem_free(mem, r->loc_by_id);
  prf_mem_free(mem, r->fid_by_id);
}

/* Numbers the slots of the locations' frames (see slot_of_loc). */
static prf_status make_slots(pprof_reader *r) {
  const prf_allocator *mem = &r->profile->mem;
  if (r->nlines + r->nlocs >= UINT32_MAX)
    return bad(r, NULL, "too many locations and lines");
  r->slot_of_loc = prf_mem_alloc(mem, (r->nlocs + 1) * sizeof *r->slot_of_loc);
  if (!r->slot_of_loc)
    return nomem(r);
  size_t slots = 0;
  for (size_t i = 0; i < r->nlocs; i++) {
    r->slot_of_loc[i] = (uint32_t)slots;
    slots += r->locs[i].nlines ? r->locs[i].nlines : 1;
  }
  r->slot_of_loc[r->nlocs] = (uint32_t)slots;
  r->fid_of_slot =
      prf_mem_alloc(mem, (slots ? slots : 1) * sizeof *r->fid_of_slot);
  if (!r->fid_of_slot)
    return nomem(r);
  for (size_t i = 0; i < slots; i++)
    r->fid_of_slot[i] = PRF_NONE;
  return PRF_OK;
}

static prf_status decode(pprof_reader *r, const uint8_t *data, size_t size) {
  const prf_allocator *mem = &r->profile->mem;
  prf_pb pb = prf_pb_init(data, size);
  prf_status st = read_tables(r, &pb);
  if (st == PRF_OK)
    st = check_tables(r);
  if (st == PRF_OK)
    st = index_locations(r);
  if (st == PRF_OK)
    st = mark_drops(r);
  if (st == PRF_OK)
    st = declare_columns(r);
  if (st == PRF_OK)
    st = read_metadata(r);
  if (st != PRF_OK)
    return st;
  st = make_slots(r);
  if (st != PRF_OK)
    return st;
  prf_label *labels = NULL;
  size_t labels_cap = 0;
  for (size_t i = 0; i < r->nsamples && st == PRF_OK; i++)
    st = read_sample(r, &r->samples[i], &labels, &labels_cap);
  prf_mem_free(mem, labels);
  return st;
}

prf_status prf_pprof_read(prf_profile *profile, prf_input *in,
                          const prf_read_options *options, prf_error *err) {
  const prf_allocator *mem = &profile->mem;
  unsigned char *data;
  size_t size;
  prf_status st = prf_input_slurp(in, &data, &size);
  if (st != PRF_OK)
    return st;
  if (in->gzip_members > 1) { /* as the reference reader: one profile */
    prf_mem_free(mem, data);
    err->has_offset = 1;
    err->offset = in->second_member;
    return prf_fail(err, PRF_E_DATA,
                    "two concatenated gzip members: expected one pprof profile");
  }
  pprof_reader r;
  memset(&r, 0, sizeof r);
  r.profile = profile;
  r.err = err;
  r.data = data;
  /* Only a profile with nothing in it yet can hold its stacks as lists. */
  r.top_only = options && options->top_only && prf_tree_node_count(&profile->tree) == 1 &&
               prf_sample_count(profile) == 0;
  profile->top_only = r.top_only;
  if (size) {
    st = decode(&r, data, size);
  } else {
    st = prf_fail(err, PRF_E_DATA, "empty input: expected a pprof profile");
    err->has_offset = 1;
    err->offset = 0;
  }
  reader_free(&r);
  prf_mem_free(mem, data);
  return st;
}

/* A protobuf Profile starts with one of its fields; most writers put the
 * sample types (field 1) or samples (2) first. Check that the first few
 * fields parse and are Profile fields. */
int prf_pprof_sniff(const unsigned char *head, size_t len) {
  prf_pb pb = prf_pb_init(head, len);
  int fields = 0;
  while (!prf_pb_done(&pb) && fields < 8) {
    uint32_t field, wire;
    if (!prf_pb_key(&pb, &field, &wire) || field < 1 || field > 15)
      return 0;
    bool len_field = field <= 6 || field == 11 || field == 13;
    if (len_field ? (wire != PB_LEN && !(field == 13 && wire == PB_VARINT))
                  : wire != PB_VARINT)
      return 0;
    const uint8_t *before = pb.p;
    if (!prf_pb_skip(&pb, wire))
      return fields >= 1 && pb.p == before ? 40 : 0; /* cut by the sniff window */
    fields++;
  }
  return fields >= 2 || (fields == 1 && prf_pb_done(&pb)) ? 60 : 0;
}
