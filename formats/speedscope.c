/*
 * speedscope.c - speedscope JSON in (the writer is in speedscope_write.c).
 *
 * A file holds shared frames and one or more profiles. Each profile
 * becomes a thread (id = its index, name = its name); with several, the
 * thread's name is the root frame of its stacks. Both kinds of profile
 * become samples in time order, so flame charts work:
 * - sampled: one sample per stack, its time startValue plus the weights
 *   before it;
 * - evented: the open/close events are replayed and every interval
 *   between two events becomes a sample of the stack open during it,
 *   weighing the interval's length. Events must be in time order and
 *   properly nested, as speedscope requires.
 * Units choose the value column: time -> "cpu", bytes -> "space", none ->
 * "samples". Profiles with different time units are converted to the
 * finest of them; time and bytes (or none) in one input are refused.
 */
#include "speedscope.h"

#include "json.h"
#include "reader.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- units ---- */

typedef enum { CAT_NONE, CAT_TIME, CAT_BYTES } unit_cat;

typedef struct unit_def {
  const char *name;
  unit_cat cat;
  double ns; /* nanoseconds per unit, for time units */
} unit_def;

static const unit_def units[] = {
    {"none", CAT_NONE, 0},           {"nanoseconds", CAT_TIME, 1},
    {"microseconds", CAT_TIME, 1e3}, {"milliseconds", CAT_TIME, 1e6},
    {"seconds", CAT_TIME, 1e9},      {"bytes", CAT_BYTES, 0},
};
enum { NUNITS = sizeof units / sizeof units[0] };

/* Weights and times stay below 2^63, as counts do in the other readers:
 * finite values that cannot add up to infinity. */
#define MAX_VALUE 9223372036854775808.0

static const unit_def *unit_find(const char *name) {
  for (size_t i = 0; i < NUNITS; i++)
    if (strcmp(units[i].name, name) == 0)
      return &units[i];
  return NULL;
}

/* ---- the reader ---- */

typedef struct ss_reader {
  prf_profile *p;
  const prf_read_options *o;
  prf_error *err;
  prf_jpath path;
  const cJSON *profiles;
  size_t nprofiles;
  prf_fid *fids;        /* shared frame index -> frame id */
  const char **names;   /* shared frame index -> name (for messages) */
  size_t nframes;
  const unit_def **unit; /* per profile */
  const unit_def *target; /* the unit of the value column (time) */
  unit_cat cat;           /* of the wanted profiles */
  bool by_time;
  size_t nsamples;      /* samples recorded */
  double span_lo, span_hi; /* wanted profiles' start and end, ns */
  prf_fid *stack;       /* root-first frame ids of the current stack */
  prf_node *nodes;      /* the tree nodes of an evented stack */
  int64_t *open;        /* shared frame index per open evented frame */
  size_t stack_cap, nodes_cap, open_cap;
  int64_t *open_at;     /* event index that opened each frame */
  size_t open_at_cap;
} ss_reader;

static prf_status nomem(ss_reader *r) {
  return prf_fail(r->err, PRF_E_NOMEM, "out of memory reading speedscope JSON");
}

/* "foo_[k]": prof-render writes frame kinds as folded suffixes. */
static uint8_t take_kind(const char *name, size_t *len) {
  size_t n = *len;
  if (n < 5 || name[n - 4] != '_' || name[n - 3] != '[' || name[n - 1] != ']')
    return PRF_KIND_NORMAL;
  uint8_t kind;
  switch (name[n - 2]) {
  case 'k': kind = PRF_KIND_KERNEL; break;
  case 'j': kind = PRF_KIND_JIT; break;
  case 'i': kind = PRF_KIND_INLINED; break;
  case 'w': kind = PRF_KIND_WAKER; break;
  default: return PRF_KIND_NORMAL;
  }
  *len = n - 4;
  return kind;
}

static prf_status read_frame(ss_reader *r, const cJSON *item, size_t i) {
  size_t mark = prf_jpath_index(&r->path, i);
  prf_status st = PRF_OK;
  const char *name = NULL, *file = NULL;
  int64_t line = 0, col = 0;
  if (!cJSON_IsObject(item))
    st = prf_json_expected(r->err, &r->path, NULL, "a frame object", item);
  if (st == PRF_OK)
    st = prf_json_str(item, "name", &r->path, r->err, &name);
  if (st == PRF_OK)
    st = prf_json_str_opt(item, "file", &r->path, r->err, &file);
  if (st == PRF_OK)
    st = prf_json_int_opt(item, "line", false, 0, UINT32_MAX, &r->path, r->err, &line);
  if (st == PRF_OK)
    st = prf_json_int_opt(item, "col", false, 0, UINT32_MAX, &r->path, r->err, &col);
  prf_jpath_cut(&r->path, mark);
  if (st != PRF_OK)
    return st;
  prf_frame f;
  memset(&f, 0, sizeof f);
  size_t len = strlen(name);
  f.kind = take_kind(name, &len);
  f.line = (uint32_t)line;
  f.column = (uint32_t)col;
  if (prf_string_intern(r->p, name, len, &f.name) != PRF_OK ||
      (file && prf_string_intern(r->p, file, strlen(file), &f.file) != PRF_OK))
    return nomem(r);
  st = prf_frame_intern(r->p, &f, &r->fids[i]);
  if (st != PRF_OK)
    return prf_fail(r->err, st, "at %s[%zu]: cannot add the frame",
                    r->path.buf, i);
  r->names[i] = name;
  return PRF_OK;
}

static prf_status read_frames(ss_reader *r, const cJSON *root) {
  const prf_allocator *mem = &r->p->mem;
  const cJSON *shared, *frames;
  prf_status st = prf_json_object(root, "shared", &r->path, r->err, &shared);
  if (st != PRF_OK)
    return st;
  size_t mark = prf_jpath_key(&r->path, "shared");
  st = prf_json_array(shared, "frames", &r->path, r->err, &frames);
  if (st == PRF_OK) {
    prf_jpath_key(&r->path, "frames");
    r->nframes = (size_t)cJSON_GetArraySize(frames);
    r->fids = prf_mem_calloc(mem, r->nframes + 1, sizeof *r->fids);
    r->names = prf_mem_calloc(mem, r->nframes + 1, sizeof *r->names);
    if (!r->fids || !r->names)
      st = nomem(r);
    size_t i = 0;
    for (const cJSON *f = frames->child; f && st == PRF_OK; f = f->next, i++)
      st = read_frame(r, f, i);
  }
  prf_jpath_cut(&r->path, mark);
  return st;
}

/* Checks a profile's type, name and unit; notes whether it is wanted. */
static prf_status read_header(ss_reader *r, const cJSON *prof, size_t i,
                              bool *wanted) {
  const char *type = NULL, *name = "", *unit = NULL;
  double start = 0, end = 0;
  prf_status st = cJSON_IsObject(prof)
                      ? PRF_OK
                      : prf_json_expected(r->err, &r->path, NULL,
                                          "a profile object", prof);
  if (st == PRF_OK)
    st = prf_json_str(prof, "type", &r->path, r->err, &type);
  if (st == PRF_OK && strcmp(type, "sampled") && strcmp(type, "evented"))
    st = prf_fail(r->err, PRF_E_DATA,
                  "at %s.type: expected \"sampled\" or \"evented\", found "
                  "\"%.40s\"", r->path.buf, type);
  if (st == PRF_OK)
    st = prf_json_str_opt(prof, "name", &r->path, r->err, &name);
  if (st == PRF_OK)
    st = prf_json_str(prof, "unit", &r->path, r->err, &unit);
  if (st == PRF_OK && !(r->unit[i] = unit_find(unit)))
    st = prf_fail(r->err, PRF_E_DATA,
                  "at %s.unit: expected none, nanoseconds, microseconds, "
                  "milliseconds, seconds or bytes, found \"%.40s\"",
                  r->path.buf, unit);
  if (st == PRF_OK)
    st = prf_json_num(prof, "startValue", false, &r->path, r->err, &start);
  if (st == PRF_OK)
    st = prf_json_num(prof, "endValue", false, &r->path, r->err, &end);
  if (st != PRF_OK)
    return st;
  uint32_t thread;
  if (prf_thread_add(r->p, (int64_t)i, name, &thread) != PRF_OK)
    return nomem(r);
  *wanted = prf_thread_wanted(r->o, (int64_t)i, name);
  if (*wanted && r->unit[i]->cat == CAT_TIME) {
    r->span_lo = fmin(r->span_lo, start * r->unit[i]->ns);
    r->span_hi = fmax(r->span_hi, end * r->unit[i]->ns);
  }
  return PRF_OK;
}

/* The value column: one unit category among the wanted profiles, time
 * in the finest unit (or the unit of an earlier input's column). */
static prf_status choose_column(ss_reader *r, size_t first_wanted) {
  r->cat = r->unit[first_wanted]->cat;
  r->target = NULL;
  for (size_t i = first_wanted; i < r->nprofiles; i++) {
    const unit_def *u = r->unit[i];
    if (!u)
      continue; /* not wanted */
    if (u->cat != r->cat)
      return prf_fail(r->err, PRF_E_DATA,
                      "at .profiles[%zu].unit: expected a unit like that of "
                      ".profiles[%zu] (%s), found %s: time, bytes and none "
                      "cannot be merged into one value column",
                      i, first_wanted, r->unit[first_wanted]->name, u->name);
    if (u->cat == CAT_TIME && (!r->target || u->ns < r->target->ns))
      r->target = u;
  }
  const char *type = "samples", *unit = "count";
  if (r->by_time && r->cat == CAT_TIME) {
    type = "cpu";
    /* An earlier input with a time column: keep its unit. */
    const unit_def *have = prf_value_count(r->p) == 1 &&
                                   strcmp(prf_value_type(r->p, 0), "cpu") == 0
                               ? unit_find(prf_value_unit(r->p, 0))
                               : NULL;
    if (have && have->cat == CAT_TIME)
      r->target = have;
    unit = r->target->name;
  } else if (r->by_time && r->cat == CAT_BYTES) {
    type = "space";
    unit = "bytes";
  }
  return prf_reader_columns(r->p, 1, &type, &unit, r->err);
}

/* ---- samples ---- */

typedef struct clock {
  double ns;     /* nanoseconds per unit; 0: no time */
  double scale;  /* value unit -> column unit */
} clock;

static int64_t to_ns(const clock *c, double v) {
  if (c->ns == 0)
    return INT64_MIN;
  double t = v * c->ns;
  if (!(t > -9.2e18 && t < 9.2e18))
    return INT64_MIN;
  return (int64_t)llround(t);
}

static bool stack_room(ss_reader *r, size_t need) {
  const prf_allocator *mem = &r->p->mem;
  return need <= r->stack_cap ||
         prf_grow(mem, (void **)&r->stack, &r->stack_cap, need,
                  sizeof *r->stack);
}

/* A frame index: a whole number below the number of shared frames. */
static prf_status frame_index(ss_reader *r, const cJSON *item, int64_t *out) {
  double v = cJSON_IsNumber(item) ? item->valuedouble : 0.5;
  if (!isfinite(v) || v != floor(v))
    return prf_json_expected(r->err, &r->path, NULL,
                             "a frame index (a whole number)", item);
  if (v < 0 || v >= (double)r->nframes) {
    char num[40];
    prf_format_number(num, sizeof num, v);
    return prf_fail(r->err, PRF_E_DATA,
                    "at %s: expected a frame index below %zu (the length of "
                    ".shared.frames), found %s", r->path.buf, r->nframes, num);
  }
  *out = (int64_t)v;
  return PRF_OK;
}

static prf_status read_stack(ss_reader *r, const cJSON *stack, prf_fid root,
                             size_t *depth) {
  if (!cJSON_IsArray(stack))
    return prf_json_expected(r->err, &r->path, NULL,
                             "an array of frame indexes", stack);
  size_t n = 0;
  if (root != PRF_NONE) {
    if (!stack_room(r, 1))
      return nomem(r);
    r->stack[n++] = root;
  }
  size_t k = 0;
  for (const cJSON *it = stack->child; it; it = it->next, k++) {
    int64_t idx;
    size_t mark = prf_jpath_index(&r->path, k);
    prf_status st = frame_index(r, it, &idx);
    prf_jpath_cut(&r->path, mark);
    if (st != PRF_OK)
      return st;
    if (!stack_room(r, n + 1))
      return nomem(r);
    r->stack[n++] = r->fids[idx];
  }
  *depth = n;
  return PRF_OK;
}

static prf_status read_sampled(ss_reader *r, const cJSON *prof, uint32_t thread,
                               prf_fid root, const clock *c) {
  const cJSON *samples, *weights;
  double start = 0;
  prf_status st = prf_json_array(prof, "samples", &r->path, r->err, &samples);
  if (st == PRF_OK)
    st = prf_json_array(prof, "weights", &r->path, r->err, &weights);
  if (st == PRF_OK)
    st = prf_json_num(prof, "startValue", false, &r->path, r->err, &start);
  if (st != PRF_OK)
    return st;
  int ns = cJSON_GetArraySize(samples), nw = cJSON_GetArraySize(weights);
  if (ns != nw)
    return prf_fail(r->err, PRF_E_DATA,
                    "at %s.weights: expected one weight per sample (%d), "
                    "found %d", r->path.buf, ns, nw);
  double at = start;
  size_t i = 0;
  const cJSON *w = weights->child;
  for (const cJSON *s = samples->child; s && st == PRF_OK;
       s = s->next, w = w->next, i++) {
    double weight;
    size_t mark = prf_jpath_key(&r->path, "weights");
    prf_jpath_index(&r->path, i);
    st = prf_json_item_num(w, false, &r->path, r->err, &weight);
    if (st == PRF_OK && weight < 0)
      st = prf_fail(r->err, PRF_E_DATA,
                    "at %s: expected a weight of zero or more, found %g",
                    r->path.buf, weight);
    /* Finite weights can still add up to infinity. */
    if (st == PRF_OK && weight >= MAX_VALUE)
      st = prf_fail(r->err, PRF_E_DATA,
                    "at %s: expected a weight below 2^63, found %g",
                    r->path.buf, weight);
    prf_jpath_cut(&r->path, mark);
    size_t depth = 0;
    if (st == PRF_OK) {
      prf_jpath_key(&r->path, "samples");
      prf_jpath_index(&r->path, i);
      st = read_stack(r, s, root, &depth);
      prf_jpath_cut(&r->path, mark);
    }
    int64_t time = to_ns(c, at);
    at += weight;
    if (st != PRF_OK || (r->by_time && weight == 0))
      continue;
    if (depth == (root != PRF_NONE) && !r->o->include_idle)
      continue; /* an empty stack: idle */
    double v = r->by_time ? weight * c->scale : 1;
    prf_node leaf;
    st = prf_stack_add(r->p, r->stack, depth, NULL, &leaf);
    if (st != PRF_OK)
      st = prf_fail(r->err, st, "at %s.samples[%zu]: cannot add the stack",
                    r->path.buf, i);
    else if (prf_sample_add(r->p, leaf, &v, time, thread) != PRF_OK)
      st = nomem(r);
    r->nsamples++;
  }
  return st;
}

/* ---- evented profiles ---- */

typedef struct event {
  bool open;
  int64_t frame;
  double at;
} event;

static prf_status read_event(ss_reader *r, const cJSON *ev, event *out) {
  const char *type;
  prf_status st = cJSON_IsObject(ev) ? PRF_OK
                                     : prf_json_expected(r->err, &r->path, NULL,
                                                         "an event object", ev);
  if (st == PRF_OK)
    st = prf_json_str(ev, "type", &r->path, r->err, &type);
  if (st == PRF_OK && strcmp(type, "O") && strcmp(type, "C"))
    return prf_fail(r->err, PRF_E_DATA,
                    "at %s.type: expected \"O\" (open) or \"C\" (close), "
                    "found \"%.40s\"", r->path.buf, type);
  if (st == PRF_OK) {
    size_t mark = prf_jpath_key(&r->path, "frame");
    st = frame_index(r, prf_json_get(ev, "frame"), &out->frame);
    prf_jpath_cut(&r->path, mark);
  }
  if (st == PRF_OK)
    st = prf_json_num(ev, "at", false, &r->path, r->err, &out->at);
  /* Finite times can still be infinitely far apart. */
  if (st == PRF_OK && !(fabs(out->at) < MAX_VALUE))
    st = prf_json_expected(r->err, &r->path, "at",
                           "a time from -2^63 to 2^63", prf_json_get(ev, "at"));
  if (st == PRF_OK)
    out->open = type[0] == 'O';
  return st;
}

/* Records the interval [from, to) of the open stack as one sample. */
static prf_status interval(ss_reader *r, size_t depth, double from, double to,
                           uint32_t thread, const clock *c) {
  if (to <= from || depth == 0)
    return PRF_OK;
  double v = r->by_time ? (to - from) * c->scale : 1;
  if (prf_sample_add(r->p, r->nodes[depth - 1], &v, to_ns(c, from), thread) !=
      PRF_OK)
    return nomem(r);
  r->nsamples++;
  return PRF_OK;
}

/* Applies one event to the open stack (nodes[0..*depth), open[...]). */
static prf_status apply_event(ss_reader *r, const event *e, size_t i,
                              size_t *depth, size_t base) {
  const prf_allocator *mem = &r->p->mem;
  prf_tree *t = prf_profile_tree(r->p);
  if (e->open) {
    size_t d = *depth;
    if (!prf_grow(mem, (void **)&r->nodes, &r->nodes_cap, d + 1,
                  sizeof *r->nodes) ||
        !prf_grow(mem, (void **)&r->open, &r->open_cap, d + 1,
                  sizeof *r->open) ||
        !prf_grow(mem, (void **)&r->open_at, &r->open_at_cap, d + 1,
                  sizeof *r->open_at))
      return nomem(r);
    prf_node parent = d ? r->nodes[d - 1] : (prf_node)base;
    prf_status st = prf_tree_child(t, parent, r->fids[e->frame], &r->nodes[d]);
    if (st != PRF_OK)
      return prf_fail(r->err, st, "at %s: cannot add the stack", r->path.buf);
    r->open[d] = e->frame;
    r->open_at[d] = (int64_t)i;
    *depth = d + 1;
    return PRF_OK;
  }
  char at[40];
  prf_format_number(at, sizeof at, e->at);
  if (*depth == 0)
    return prf_fail(r->err, PRF_E_DATA,
                    "at %s: tried to leave frame \"%.80s\" while no frame was "
                    "open (at %s): expected events properly nested",
                    r->path.buf, r->names[e->frame], at);
  if (r->open[*depth - 1] != e->frame)
    return prf_fail(r->err, PRF_E_DATA,
                    "at %s: tried to leave frame \"%.80s\" while frame "
                    "\"%.80s\" was at the top at %s: expected events properly "
                    "nested", r->path.buf, r->names[e->frame],
                    r->names[r->open[*depth - 1]], at);
  (*depth)--;
  return PRF_OK;
}

static prf_status read_evented(ss_reader *r, const cJSON *prof,
                               uint32_t thread, prf_fid root, const clock *c) {
  const cJSON *events;
  prf_status st = prf_json_array(prof, "events", &r->path, r->err, &events);
  if (st != PRF_OK)
    return st;
  prf_node base = 0;
  if (root != PRF_NONE &&
      prf_tree_child(prf_profile_tree(r->p), 0, root, &base) != PRF_OK)
    return nomem(r);
  size_t mark = prf_jpath_key(&r->path, "events");
  size_t depth = 0, i = 0;
  double last = 0;
  for (const cJSON *ev = events->child; ev && st == PRF_OK; ev = ev->next, i++) {
    event e;
    size_t m2 = prf_jpath_index(&r->path, i);
    st = read_event(r, ev, &e);
    if (st == PRF_OK && i > 0 && e.at < last) {
      char a[40], b[40];
      prf_format_number(a, sizeof a, e.at);
      prf_format_number(b, sizeof b, last);
      st = prf_fail(r->err, PRF_E_DATA,
                    "at %s.at: expected events in time order, found %s after "
                    "%s", r->path.buf, a, b);
    }
    if (st == PRF_OK && i > 0)
      st = interval(r, depth, last, e.at, thread, c);
    if (st == PRF_OK)
      st = apply_event(r, &e, i, &depth, base);
    last = e.at;
    if (st == PRF_OK)
      prf_jpath_cut(&r->path, m2);
  }
  if (st == PRF_OK && depth > 0)
    st = prf_fail(r->err, PRF_E_DATA,
                  "at %s: tried to complete the profile with a non-empty "
                  "stack: frame \"%.80s\" opened by %s[%lld] is never closed",
                  r->path.buf, r->names[r->open[depth - 1]], r->path.buf,
                  (long long)r->open_at[depth - 1]);
  if (st == PRF_OK)
    prf_jpath_cut(&r->path, mark);
  return st;
}

static prf_status read_body(ss_reader *r, const cJSON *prof, size_t i) {
  uint32_t thread;
  const char *name = "";
  prf_json_str_opt(prof, "name", &r->path, NULL, &name);
  if (prf_thread_add(r->p, (int64_t)i, name, &thread) != PRF_OK)
    return nomem(r);
  prf_fid root = PRF_NONE;
  if (r->nprofiles > 1 && prf_thread_root(r->p, r->o, thread, &root) != PRF_OK)
    return nomem(r);
  const unit_def *u = r->unit[i];
  clock c = {u->ns, 1};
  if (u->cat == CAT_TIME && r->target)
    c.scale = u->ns / r->target->ns;
  const char *type = prf_json_get(prof, "type")->valuestring;
  return strcmp(type, "sampled") == 0 ? read_sampled(r, prof, thread, root, &c)
                                      : read_evented(r, prof, thread, root, &c);
}

static prf_status read_meta(ss_reader *r, const cJSON *root) {
  static const char *const keys[] = {"name", "exporter"};
  for (size_t k = 0; k < 2; k++) {
    const char *v = NULL;
    prf_status st = prf_json_str_opt(root, keys[k], &r->path, r->err, &v);
    if (st != PRF_OK)
      return st;
    if (v && prf_meta_set(r->p, keys[k], v) != PRF_OK)
      return nomem(r);
  }
  return PRF_OK;
}

/* The time the wanted profiles span, from their start and end values. */
static prf_status note_duration(ss_reader *r) {
  double d = r->span_hi - r->span_lo;
  if (r->cat != CAT_TIME || !(d > 0 && d < 9e18))
    return PRF_OK;
  char buf[32];
  snprintf(buf, sizeof buf, "%lld", (long long)llround(d));
  return prf_meta_set(r->p, "duration_nanos", buf) == PRF_OK ? PRF_OK : nomem(r);
}

static prf_status read_profiles(ss_reader *r, const cJSON *root) {
  const prf_allocator *mem = &r->p->mem;
  prf_status st = prf_json_array(root, "profiles", &r->path, r->err,
                                 &r->profiles);
  if (st != PRF_OK)
    return st;
  r->nprofiles = (size_t)cJSON_GetArraySize(r->profiles);
  if (r->nprofiles == 0)
    return prf_fail(r->err, PRF_E_DATA,
                    "at .profiles: expected at least one profile, found none");
  r->unit = prf_mem_calloc(mem, r->nprofiles, sizeof *r->unit);
  if (!r->unit)
    return nomem(r);
  size_t first = SIZE_MAX, i = 0;
  prf_jpath_key(&r->path, "profiles");
  for (const cJSON *prof = r->profiles->child; prof && st == PRF_OK;
       prof = prof->next, i++) {
    bool wanted = false;
    size_t mark = prf_jpath_index(&r->path, i);
    st = read_header(r, prof, i, &wanted);
    if (st == PRF_OK && !wanted)
      r->unit[i] = NULL;
    else if (st == PRF_OK && first == SIZE_MAX)
      first = i;
    if (st == PRF_OK)
      prf_jpath_cut(&r->path, mark);
  }
  if (st != PRF_OK || first == SIZE_MAX)
    return st; /* none wanted: the registry reports the bad --thread */
  st = choose_column(r, first);
  if (st == PRF_OK)
    st = note_duration(r);
  i = 0;
  for (const cJSON *prof = r->profiles->child; prof && st == PRF_OK;
       prof = prof->next, i++) {
    size_t mark = prf_jpath_index(&r->path, i);
    if (r->unit[i])
      st = read_body(r, prof, i);
    if (st == PRF_OK)
      prf_jpath_cut(&r->path, mark);
  }
  if (st == PRF_OK && r->nsamples == 0)
    st = prf_fail(r->err, PRF_E_DATA,
                  "at .profiles: no samples: expected a stack with a weight "
                  "above zero");
  return st;
}

prf_status prf_speedscope_read(prf_profile *profile, prf_input *in,
                               const prf_read_options *options,
                               prf_error *err) {
  const prf_allocator *mem = &profile->mem;
  prf_json_doc doc;
  prf_status st = prf_json_read(in, &doc);
  if (st != PRF_OK)
    return st;
  const cJSON *root = doc.root;
  ss_reader r;
  memset(&r, 0, sizeof r);
  r.p = profile;
  r.o = options;
  r.err = err;
  r.by_time = prf_weigh_by_time(options);
  r.span_lo = INFINITY;
  r.span_hi = -INFINITY;
  prf_jpath_init(&r.path);
  if (!cJSON_IsObject(root))
    st = prf_json_expected(err, &r.path, NULL,
                           "a speedscope file (an object with shared frames "
                           "and profiles)", root);
  if (st == PRF_OK)
    st = read_frames(&r, root);
  if (st == PRF_OK)
    st = read_meta(&r, root);
  if (st == PRF_OK)
    st = read_profiles(&r, root);
  prf_mem_free(mem, r.fids);
  prf_mem_free(mem, r.names);
  prf_mem_free(mem, r.unit);
  prf_mem_free(mem, r.stack);
  prf_mem_free(mem, r.nodes);
  prf_mem_free(mem, r.open);
  prf_mem_free(mem, r.open_at);
  return prf_json_done(&doc, st, err);
}

/* ---- sniffing ---- */

static bool contains(const unsigned char *head, size_t len, const char *s) {
  size_t n = strlen(s);
  for (size_t i = 0; i + n <= len; i++) {
    const unsigned char *q = memchr(head + i, s[0], len - i - n + 1);
    if (!q)
      return false;
    i = (size_t)(q - head);
    if (memcmp(q, s, n) == 0)
      return true;
  }
  return false;
}

int prf_speedscope_sniff(const unsigned char *head, size_t len) {
  if (!prf_json_starts(head, len, '{'))
    return 0;
  if (prf_json_has_key(head, len, "$schema") &&
      contains(head, len, "speedscope.app/file-format-schema"))
    return 90;
  /* The schema may come last in a big file: the shape then. */
  if (prf_json_has_key(head, len, "shared") &&
      prf_json_has_key(head, len, "frames") &&
      (prf_json_has_key(head, len, "profiles") ||
       contains(head, len, "\"exporter\": \"speedscope") ||
       contains(head, len, "\"exporter\":\"speedscope")))
    return 60;
  return 0;
}
