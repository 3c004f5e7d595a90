/*
 * speedscope_write.c - any profile out as speedscope JSON.
 *
 * One sampled profile per thread, built from the samples in their order
 * (so speedscope's time-order view is the recording's), or, when the
 * samples do not account for the whole call tree (folded input, merged
 * inputs), one profile of the tree's distinct stacks. Weights are the
 * default value column; its unit becomes the profile's unit. Frame kinds
 * keep their folded suffix ("_[k]"), which the reader recognises, and a
 * thread's root frame (several threads merged) is left out of its
 * profile, since the profile is the thread. Every string is escaped to
 * valid JSON, whatever bytes it holds; the output is deterministic.
 */
#include "speedscope.h"

#include "json.h"
#include "reader.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct ss_writer {
  const prf_profile *p;
  const prf_tree *t;
  prf_error *err;
  prf_stream s; /* the output */
  size_t col;
  double ns_per_unit; /* time units; 0 otherwise */
  uint32_t *frame_index; /* frame id -> output index + 1 */
  prf_fid *frames;       /* output index -> frame id */
  size_t nframes, frames_cap;
  prf_node *path;
  size_t path_cap;
} ss_writer;

/* ---- output ---- */

/* An index, without printf's cost (a file has millions). */
static void put_index(prf_buf *b, uint32_t v, bool comma) {
  char tmp[12];
  size_t n = sizeof tmp;
  do {
    tmp[--n] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  if (comma)
    tmp[--n] = ',';
  prf_buf_put(b, tmp + n, sizeof tmp - n);
}

/* ---- frames ---- */

static bool frame_ref(ss_writer *w, prf_fid f, uint32_t *out) {
  const prf_allocator *mem = &w->p->mem;
  if (!w->frame_index[f]) {
    if (!prf_grow(mem, (void **)&w->frames, &w->frames_cap, w->nframes + 1,
                  sizeof *w->frames))
      return false;
    w->frames[w->nframes++] = f;
    w->frame_index[f] = (uint32_t)w->nframes;
  }
  *out = w->frame_index[f] - 1;
  return true;
}

static void put_frames(ss_writer *w) {
  const prf_allocator *mem = &w->p->mem;
  prf_buf *b = &w->s.buf;
  prf_buf_puts(b, "\"shared\":{\"frames\":[");
  for (size_t i = 0; i < w->nframes && !w->s.nomem && !w->s.io; i++) {
    const prf_frame *f = prf_frame_get(w->p, w->frames[i]);
    size_t len;
    const char *name = prf_string(w->p, f->name, &len);
    prf_buf_puts(b, i ? ",\n{\"name\":" : "\n{\"name\":");
    /* The name with its kind's folded suffix, as the reader expects. */
    const char *suffix = prf_kind_suffix(f->kind);
    if (*suffix) {
      prf_buf tmp;
      prf_buf_init(&tmp, mem);
      prf_buf_put(&tmp, name, len);
      prf_buf_puts(&tmp, suffix);
      if (tmp.failed)
        w->s.nomem = true;
      else
        prf_json_string(b, tmp.data, tmp.len);
      prf_buf_free(&tmp);
    } else {
      prf_json_string(b, name, len);
    }
    const char *file = prf_string(w->p, f->file, &len);
    if (len) {
      prf_buf_puts(b, ",\"file\":");
      prf_json_string(b, file, len);
    }
    if (f->line)
      prf_buf_printf(b, ",\"line\":%u", f->line);
    if (f->column)
      prf_buf_printf(b, ",\"col\":%u", f->column);
    prf_buf_putc(b, '}');
    prf_stream_flush(&w->s, false);
  }
  prf_buf_puts(b, "]}");
}

/* ---- profiles ---- */

/* The speedscope unit of the default column: its own name when speedscope
 * knows it, else "none". */
static const char *unit_of(ss_writer *w) {
  static const char *const names[] = {"nanoseconds", "microseconds",
                                      "milliseconds", "seconds", "bytes"};
  static const double ns[] = {1, 1e3, 1e6, 1e9, 0};
  const char *u = prf_value_count(w->p) ? prf_value_unit(w->p, w->col) : "";
  for (size_t i = 0; i < 5; i++)
    if (strcmp(u, names[i]) == 0) {
      w->ns_per_unit = ns[i];
      return names[i];
    }
  return "none";
}

/* Whether a frame is the root frame prf_thread_root gives thread. */
static bool is_thread_root(const prf_profile *p, prf_fid fid, uint32_t thread) {
  const prf_frame *f = prf_frame_get(p, fid);
  if (!f || f->file || f->module || f->line || f->kind)
    return false;
  char buf[48];
  const char *name = prf_thread_root_name(p, thread, buf, sizeof buf);
  return strcmp(prf_string(p, f->name, NULL), name) == 0;
}

static bool path_room(ss_writer *w, prf_node leaf, size_t *depth) {
  const prf_allocator *mem = &w->p->mem;
  *depth = prf_tree_path(w->t, leaf, w->path, w->path_cap);
  if (*depth <= w->path_cap)
    return true;
  size_t cap = w->path_cap;
  if (!prf_grow(mem, (void **)&w->path, &cap, *depth, sizeof *w->path))
    return false;
  w->path_cap = cap;
  *depth = prf_tree_path(w->t, leaf, w->path, w->path_cap);
  return true;
}

/* Writes one stack as an array of frame indexes, skipping `skip` root
 * frames. */
static void put_stack(ss_writer *w, prf_node leaf, size_t skip) {
  size_t depth;
  if (!path_room(w, leaf, &depth)) {
    w->s.nomem = true;
    return;
  }
  prf_buf_putc(&w->s.buf, '[');
  for (size_t i = skip; i < depth; i++) {
    uint32_t idx;
    if (!frame_ref(w, prf_tree_frame(w->t, w->path[i]), &idx)) {
      w->s.nomem = true;
      return;
    }
    put_index(&w->s.buf, idx, i > skip);
  }
  prf_buf_putc(&w->s.buf, ']');
}

typedef struct stack_ref {
  prf_node leaf;
  double weight;
} stack_ref;

static prf_status check_weight(ss_writer *w, double v) {
  if (isfinite(v) && v >= 0)
    return PRF_OK;
  char num[64];
  prf_format_number(num, sizeof num, v);
  return prf_fail(w->err, PRF_E_DATA,
                  "cannot write speedscope JSON: a stack weighs %s in value "
                  "column '%s'; speedscope weights must be finite and not "
                  "negative", num, prf_value_type(w->p, w->col));
}

/* Writes one sampled profile of n stacks. */
static prf_status put_profile(ss_writer *w, const char *name, const char *unit,
                              const stack_ref *s, size_t n, size_t skip,
                              int64_t start_ns, bool first) {
  prf_buf *b = &w->s.buf;
  double start = 0, end;
  if (w->ns_per_unit && start_ns != INT64_MIN)
    start = (double)start_ns / w->ns_per_unit;
  end = start;
  for (size_t i = 0; i < n; i++)
    end += s[i].weight;
  prf_buf_puts(b, first ? "\n{\"type\":\"sampled\",\"name\":"
                        : ",\n{\"type\":\"sampled\",\"name\":");
  prf_json_string(b, name, strlen(name));
  prf_buf_printf(b, ",\"unit\":\"%s\",\"startValue\":", unit);
  prf_json_number(b, start);
  prf_buf_puts(b, ",\"endValue\":");
  prf_json_number(b, end);
  prf_buf_puts(b, ",\n\"samples\":[");
  for (size_t i = 0; i < n && !w->s.nomem && !w->s.io; i++) {
    if (i)
      prf_buf_puts(b, (i & 15) ? "," : ",\n");
    put_stack(w, s[i].leaf, skip);
    prf_stream_flush(&w->s, false);
  }
  prf_buf_puts(b, "],\n\"weights\":[");
  for (size_t i = 0; i < n && !w->s.nomem && !w->s.io; i++) {
    if (i)
      prf_buf_puts(b, (i & 31) ? "," : ",\n");
    prf_json_number(b, s[i].weight);
    prf_stream_flush(&w->s, false);
  }
  prf_buf_puts(b, "]}");
  return PRF_OK;
}

/* ---- from samples ---- */

/* Whether the samples hold everything the call tree holds (a profile
 * merged from a folded file and a sampled one does not). */
static bool samples_cover_tree(ss_writer *w) {
  size_t n = prf_sample_count(w->p);
  if (!n)
    return false;
  double sum = 0;
  for (size_t i = 0; i < n; i++)
    sum += prf_sample_values(w->p, i)[w->col];
  double total = prf_tree_total(w->t, 0, w->col);
  return fabs(sum - total) <= 1e-9 * fmax(fabs(total), 1);
}

static const char *profile_name(ss_writer *w, uint32_t thread, char *buf,
                                size_t size) {
  if (thread == PRF_NONE) {
    const char *m = prf_meta_get(w->p, "name");
    return m && *m ? m : "profile";
  }
  const char *name = prf_thread_name(w->p, thread);
  if (*name)
    return name;
  snprintf(buf, size, "thread %lld", (long long)prf_thread_id(w->p, thread));
  return buf;
}

/* One profile per thread (threads in index order, samples without a
 * thread last), each keeping its samples' order. */
static prf_status from_samples(ss_writer *w, const char *unit) {
  const prf_allocator *mem = &w->p->mem;
  size_t n = prf_sample_count(w->p), nthreads = prf_thread_count(w->p);
  size_t *count = prf_mem_calloc(mem, nthreads + 2, sizeof *count);
  stack_ref *refs = prf_mem_alloc(mem, (n ? n : 1) * sizeof *refs);
  int64_t *start = prf_mem_alloc(mem, (nthreads + 1) * sizeof *start);
  bool *strip = prf_mem_alloc(mem, (nthreads + 1) * sizeof *strip);
  prf_status st = PRF_OK;
  if (!count || !refs || !start || !strip)
    st = PRF_E_NOMEM;
  for (size_t t = 0; st == PRF_OK && t <= nthreads; t++) {
    start[t] = INT64_MIN;
    strip[t] = t < nthreads;
  }
  /* Bucket the samples by thread (a counting sort keeps their order). */
  for (size_t i = 0; st == PRF_OK && i < n; i++) {
    const prf_sample *s = prf_sample_get(w->p, i);
    size_t t = s->thread < nthreads ? s->thread : nthreads;
    double v = prf_sample_values(w->p, i)[w->col];
    st = check_weight(w, v);
    if (v > 0)
      count[t + 1]++;
  }
  for (size_t t = 0; st == PRF_OK && t <= nthreads; t++)
    count[t + 1] += count[t];
  for (size_t i = 0; st == PRF_OK && i < n; i++) {
    const prf_sample *s = prf_sample_get(w->p, i);
    size_t t = s->thread < nthreads ? s->thread : nthreads;
    double v = prf_sample_values(w->p, i)[w->col];
    if (v <= 0)
      continue;
    if (start[t] == INT64_MIN)
      start[t] = s->time;
    /* Leave out the thread's root frame only when every stack has it. */
    if (strip[t]) {
      prf_node top = s->leaf;
      while (top && prf_tree_parent(w->t, top))
        top = prf_tree_parent(w->t, top);
      strip[t] = top && is_thread_root(w->p, prf_tree_frame(w->t, top),
                                       (uint32_t)t);
    }
    refs[count[t]++] = (stack_ref){s->leaf, v};
  }
  size_t from = 0;
  bool first = true;
  for (size_t t = 0; st == PRF_OK && t <= nthreads; t++) {
    size_t to = count[t];
    if (to == from)
      continue;
    char buf[48];
    const char *name = profile_name(w, t < nthreads ? (uint32_t)t : PRF_NONE,
                                    buf, sizeof buf);
    st = put_profile(w, name, unit, refs + from, to - from, strip[t],
                     start[t], first);
    first = false;
    from = to;
  }
  if (st == PRF_OK && first)
    st = put_profile(w, profile_name(w, PRF_NONE, NULL, 0), unit, NULL, 0, 0,
                     INT64_MIN, true);
  prf_mem_free(mem, count);
  prf_mem_free(mem, refs);
  prf_mem_free(mem, start);
  prf_mem_free(mem, strip);
  return st;
}

/* ---- from the call tree ---- */

static prf_status from_tree(ss_writer *w, const char *unit) {
  const prf_allocator *mem = &w->p->mem;
  size_t n = prf_tree_stack_count(w->t), k = 0;
  stack_ref *refs = prf_mem_alloc(mem, (n ? n : 1) * sizeof *refs);
  if (!refs)
    return PRF_E_NOMEM;
  prf_status st = PRF_OK;
  for (size_t i = 0; i < n && st == PRF_OK; i++) {
    prf_node node = prf_tree_stack(w->t, i);
    double v = prf_tree_self(w->t, node, w->col);
    st = check_weight(w, v);
    if (node != 0 && v > 0)
      refs[k++] = (stack_ref){node, v};
  }
  if (st == PRF_OK)
    st = put_profile(w, profile_name(w, PRF_NONE, NULL, 0), unit, refs, k, 0,
                     INT64_MIN, true);
  prf_mem_free(mem, refs);
  return st;
}

prf_status prf_speedscope_write(const prf_profile *profile, prf_write_fn write,
                                void *ctx, prf_error *err) {
  const prf_allocator *mem = &profile->mem;
  ss_writer w;
  memset(&w, 0, sizeof w);
  w.p = profile;
  w.t = prf_profile_tree_const(profile);
  w.s.write = write;
  w.s.ctx = ctx;
  w.err = err;
  w.col = prf_value_count(profile) ? prf_value_default(profile) : 0;
  prf_buf_init(&w.s.buf, mem);
  w.path_cap = (size_t)prf_tree_max_depth(w.t) + 1;
  w.path = prf_mem_alloc(mem, w.path_cap * sizeof *w.path);
  w.frame_index =
      prf_mem_calloc(mem, prf_frame_count(profile) + 1, sizeof *w.frame_index);
  prf_status st = w.path && w.frame_index ? PRF_OK : PRF_E_NOMEM;
  const char *unit = unit_of(&w);
  const char *name = prf_meta_get(profile, "name");
  prf_buf_puts(&w.s.buf, "{\"$schema\":\"https://www.speedscope.app/"
                       "file-format-schema.json\",\n\"exporter\":\"prof-render@"
                       PRF_VERSION_STRING "\",");
  if (name) {
    prf_buf_puts(&w.s.buf, "\n\"name\":");
    prf_json_string(&w.s.buf, name, strlen(name));
    prf_buf_putc(&w.s.buf, ',');
  }
  prf_buf_puts(&w.s.buf, "\n\"activeProfileIndex\":0,\n\"profiles\":[");
  if (st == PRF_OK && prf_value_count(profile))
    st = samples_cover_tree(&w) ? from_samples(&w, unit) : from_tree(&w, unit);
  else if (st == PRF_OK)
    st = put_profile(&w, "profile", unit, NULL, 0, 0, INT64_MIN, true);
  prf_buf_puts(&w.s.buf, "],\n");
  if (st == PRF_OK)
    put_frames(&w);
  prf_buf_puts(&w.s.buf, "}\n");
  if (st == PRF_OK)
    prf_stream_flush(&w.s, true);
  if (st == PRF_OK && w.s.nomem)
    st = PRF_E_NOMEM;
  if (st == PRF_OK && w.s.io)
    st = prf_fail(err, PRF_E_OUTPUT, "cannot write speedscope JSON");
  if (st == PRF_E_NOMEM)
    prf_fail(err, st, "out of memory writing speedscope JSON");
  prf_buf_free(&w.s.buf);
  prf_mem_free(mem, w.path);
  prf_mem_free(mem, w.frame_index);
  prf_mem_free(mem, w.frames);
  return st;
}
