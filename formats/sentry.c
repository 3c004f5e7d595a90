/*
 * sentry.c - Sentry profiles.
 *
 * v1 (transaction profiles) and v2 (profile chunks) share their tables:
 * profile.frames, profile.stacks (frame indexes, leaf first),
 * profile.samples ({stack_id, thread_id, time}) and thread_metadata. v1
 * times are nanoseconds since the start (elapsed_since_start_ns), v2
 * times Unix seconds (timestamp); thread ids and times may be numbers or
 * strings. The legacy iOS format (before v1) holds a JSON-encoded string
 * in "profile", whose samples carry their frames inline.
 *
 * A sample lasts until the next sample of its thread, and the last sample
 * of a thread only marks the end, as Sentry's vroom builds its call
 * trees. An empty stack means the thread was idle.
 */
#include "sentry.h"

#include "json.h"
#include "reader.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { FORMAT_LEGACY, FORMAT_V1, FORMAT_V2 };
enum { MAX_THREADS = 10000 }; /* the thread table is searched linearly */
#define NO_END INT64_MIN

typedef struct sentry_sample {
  int64_t time, end;       /* ns; end: the next sample of the thread */
  uint32_t thread;         /* slot in the reader's thread table */
  uint32_t first, len;     /* leaf-first frame ids in reader.flat */
  const char *queue;       /* legacy: the dispatch queue address */
  bool has_main;           /* legacy: a symbolicated main() frame */
} sentry_sample;

typedef struct sentry_thread {
  int64_t id;
  const char *name;        /* from the metadata; NULL when none */
  bool is_main;            /* legacy metadata is_main_thread */
  int64_t last_time;       /* of its previous sample in input order */
  bool unordered;          /* its samples are not in time order */
  uint32_t index;          /* in the profile's thread table */
  bool wanted;
  prf_fid root;
} sentry_thread;

typedef struct sentry_reader {
  prf_profile *profile;
  const prf_read_options *options;
  prf_error *err;
  int format;
  prf_jpath path;
  prf_fid *frames;         /* v1, v2: profile.frames interned */
  size_t nframes;
  uint32_t *stack_first, *stack_len; /* v1, v2: ranges in flat */
  size_t nstacks;
  prf_fid *flat;
  size_t nflat, flat_cap;
  sentry_sample *samples;
  size_t nsamples;
  sentry_thread *threads;
  size_t nthreads, threads_cap;
  prf_keymap thread_map;   /* thread id -> slot + 1 */
  bool has_active;
  int64_t active;          /* the transaction's thread (v1, legacy) */
  prf_fstack stack;
} sentry_reader;

static prf_status nomem(sentry_reader *r) {
  return prf_fail(r->err, PRF_E_NOMEM, "out of memory reading a Sentry profile");
}

static void warn(sentry_reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void warn(sentry_reader *r, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  prf_reader_vwarn(r->options, 0, fmt, ap);
  va_end(ap);
}

static prf_status intern(sentry_reader *r, const char *s, size_t len,
                         prf_str *out) {
  *out = 0;
  if (!s || !len)
    return PRF_OK;
  return prf_string_intern(r->profile, s, len, out) == PRF_OK ? PRF_OK
                                                               : nomem(r);
}

/* ---- frames ---- */

/* The file name of a package path without .dylib/.so/.a/.dll/.exe, as
 * Sentry shows packages ("/usr/lib/libc.so" -> "libc"). */
static void package_base(const char *pkg, const char **base, size_t *len) {
  size_t n = strlen(pkg);
  char sep = ((((pkg[0] | 0x20) >= 'a' && (pkg[0] | 0x20) <= 'z') &&
               pkg[1] == ':' && pkg[2] == '\\') ||
              (pkg[0] == '\\' && pkg[1] == '\\'))
                 ? '\\'
                 : '/';
  size_t end = n;
  if (end > 0 && pkg[end - 1] == sep)
    end--;
  size_t start = end;
  while (start > 0 && pkg[start - 1] != sep)
    start--;
  if (start == end) {
    start = 0;
    end = n;
  }
  static const char *const exts[] = {".dylib", ".so", ".a", ".dll", ".exe"};
  for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
    size_t e = strlen(exts[i]);
    if (end - start > e && memcmp(pkg + end - e, exts[i], e) == 0) {
      end -= e;
      break;
    }
  }
  *base = pkg + start;
  *len = end - start;
}

/* "0x1f73f92e8" -> its value; false when it is not such a string. */
static bool parse_address(const char *s, uint64_t *out) {
  if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || !s[2])
    return false;
  uint64_t v = 0;
  size_t digits = 0;
  for (const char *p = s + 2; *p; p++) {
    int d = *p >= '0' && *p <= '9'   ? *p - '0'
            : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10
            : *p >= 'A' && *p <= 'F' ? *p - 'A' + 10
                                     : -1;
    if (d < 0)
      return false;
    if (v || d)
      digits++;
    if (digits > 16)
      return false;
    v = v << 4 | (uint64_t)d;
  }
  *out = v;
  return true;
}

typedef struct frame_fields {
  const char *function, *name, *symbol, *module, *package, *filename,
      *abs_path, *file, *addr, *status, *sym_addr, *platform;
} frame_fields;

static prf_status frame_strings(sentry_reader *r, const cJSON *obj,
                                frame_fields *f) {
  memset(f, 0, sizeof *f);
  const struct {
    const char *key;
    const char **out;
  } keys[] = {{"function", &f->function}, {"name", &f->name},
              {"symbol", &f->symbol},     {"module", &f->module},
              {"package", &f->package},   {"filename", &f->filename},
              {"abs_path", &f->abs_path}, {"file", &f->file},
              {"instruction_addr", &f->addr}, {"status", &f->status},
              {"sym_addr", &f->sym_addr}, {"platform", &f->platform}};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    prf_status st = prf_json_str_opt(obj, keys[i].key, &r->path, r->err,
                                     keys[i].out);
    if (st != PRF_OK)
      return st;
  }
  /* v1 frames may keep the symbolicator's status in data. */
  const cJSON *data;
  prf_status st = prf_json_object_opt(obj, "data", &r->path, r->err, &data);
  if (st == PRF_OK && data && !f->status) {
    size_t mark = prf_jpath_key(&r->path, "data");
    st = prf_json_str_opt(data, "symbolicator_status", &r->path, r->err,
                          &f->status);
    prf_jpath_cut(&r->path, mark);
  }
  return st;
}

static const char *first_of(const char *a, const char *b, const char *c) {
  if (a && *a)
    return a;
  if (b && *b)
    return b;
  return c && *c ? c : NULL;
}

/* lineno (alias line) or colno (alias column): 1-based, 0 unknown. */
static prf_status frame_number(sentry_reader *r, const cJSON *obj,
                               const char *key, const char *alias,
                               uint32_t *out) {
  int64_t v = 0;
  const char *k = prf_json_get(obj, key) ? key : alias;
  prf_status st = prf_json_int_opt(obj, k, false, 0, UINT32_MAX, &r->path,
                                   r->err, &v);
  *out = (uint32_t)v;
  return st;
}

static prf_status frame_in_app(sentry_reader *r, const cJSON *obj,
                               uint8_t *out) {
  const cJSON *v = prf_json_get(obj, "in_app");
  *out = PRF_IN_APP_UNKNOWN;
  if (!v || cJSON_IsNull(v))
    return PRF_OK;
  if (!cJSON_IsBool(v))
    return prf_json_expected(r->err, &r->path, "in_app",
                             "true, false or null", v);
  *out = cJSON_IsTrue(v) ? PRF_IN_APP_YES : PRF_IN_APP_NO;
  return PRF_OK;
}

/* Interns one frame object (r->path names it). A frame without a function
 * name is named like pprof names one: "[package]" after its package or
 * module, else its instruction address, else "<unknown>". */
static prf_status read_frame(sentry_reader *r, const cJSON *obj,
                             prf_fid *out, bool *is_main) {
  if (!cJSON_IsObject(obj))
    return prf_json_expected(r->err, &r->path, NULL, "a frame object", obj);
  frame_fields s;
  prf_frame f;
  memset(&f, 0, sizeof f);
  prf_status st = frame_strings(r, obj, &s);
  if (st == PRF_OK)
    st = frame_number(r, obj, "lineno", "line", &f.line);
  if (st == PRF_OK)
    st = frame_number(r, obj, "colno", "column", &f.column);
  if (st == PRF_OK)
    st = frame_in_app(r, obj, &f.in_app);
  if (st != PRF_OK)
    return st;
  if (s.addr && *s.addr && !parse_address(s.addr, &f.address))
    return prf_json_expected(r->err, &r->path, "instruction_addr",
                             "a hex address such as \"0x1f73f92e8\"",
                             prf_json_get(obj, "instruction_addr"));
  const char *module = s.module && *s.module ? s.module : NULL;
  size_t module_len = module ? strlen(module) : 0;
  if (!module && s.package && *s.package)
    package_base(s.package, &module, &module_len);
  const char *fn = first_of(s.function, s.name, s.symbol);
  char buf[600];
  size_t fn_len;
  if (fn) {
    fn_len = strlen(fn);
  } else if (module_len) {
    int n = snprintf(buf, sizeof buf, "[%.*s]",
                     (int)(module_len < 512 ? module_len : 512), module);
    fn = buf;
    fn_len = (size_t)n;
  } else {
    fn = s.addr && *s.addr ? s.addr : "<unknown>";
    fn_len = strlen(fn);
  }
  const char *file = first_of(s.filename, s.abs_path, s.file);
  st = intern(r, fn, fn_len, &f.name);
  if (st == PRF_OK)
    st = intern(r, module, module_len, &f.module);
  if (st == PRF_OK)
    st = intern(r, file, file ? strlen(file) : 0, &f.file);
  if (st != PRF_OK)
    return st;
  /* Symbolicated frames without a symbol address were inlined into the
     next frame (vroom's rule). */
  bool symbolicated = s.status && strcmp(s.status, "symbolicated") == 0;
  if (symbolicated && !(s.sym_addr && *s.sym_addr))
    f.kind = PRF_KIND_INLINED;
  if (is_main)
    *is_main = symbolicated && s.function &&
               (strcmp(s.function, "main") == 0 ||
                strcmp(s.function, "UIApplicationMain") == 0);
  st = prf_frame_intern(r->profile, &f, out);
  return st == PRF_OK ? PRF_OK
                      : prf_fail(r->err, st, "at %s: cannot add the frame",
                                 r->path.buf);
}

static bool flat_push(sentry_reader *r, prf_fid id) {
  const prf_allocator *mem = &r->profile->mem;
  if (r->nflat == r->flat_cap && !prf_grow(mem, (void **)&r->flat, &r->flat_cap,
                                           r->nflat + 1, sizeof *r->flat))
    return false;
  r->flat[r->nflat++] = id;
  return true;
}

/* ---- the v1/v2 tables ---- */

static prf_status read_frame_table(sentry_reader *r, const cJSON *prof) {
  const prf_allocator *mem = &r->profile->mem;
  const cJSON *frames;
  prf_status st = prf_json_array(prof, "frames", &r->path, r->err, &frames);
  if (st != PRF_OK)
    return st;
  size_t n = (size_t)cJSON_GetArraySize(frames);
  r->frames = prf_mem_alloc(mem, (n ? n : 1) * sizeof *r->frames);
  if (!r->frames)
    return nomem(r);
  size_t mark = prf_jpath_key(&r->path, "frames");
  const cJSON *item;
  cJSON_ArrayForEach(item, frames) {
    size_t at = prf_jpath_index(&r->path, r->nframes);
    st = read_frame(r, item, &r->frames[r->nframes], NULL);
    if (st != PRF_OK)
      return st;
    r->nframes++;
    prf_jpath_cut(&r->path, at);
  }
  prf_jpath_cut(&r->path, mark);
  return PRF_OK;
}

/* An index into a table of n entries (stack_id, a stack's frame). */
static prf_status read_index(sentry_reader *r, const cJSON *item, size_t n,
                             const char *table, size_t *out) {
  int64_t v;
  prf_status st = prf_json_item_int(item, false, 0, INT64_MAX, &r->path,
                                    r->err, &v);
  if (st == PRF_OK && (uint64_t)v >= n) {
    char what[96];
    snprintf(what, sizeof what, "an index below %zu (the length of %s)", n,
             table);
    return prf_json_expected(r->err, &r->path, NULL, what, item);
  }
  *out = (size_t)v;
  return st;
}

static prf_status read_stacks(sentry_reader *r, const cJSON *prof) {
  const prf_allocator *mem = &r->profile->mem;
  const cJSON *stacks;
  prf_status st = prf_json_array(prof, "stacks", &r->path, r->err, &stacks);
  if (st != PRF_OK)
    return st;
  size_t n = (size_t)cJSON_GetArraySize(stacks);
  r->stack_first = prf_mem_alloc(mem, (n ? n : 1) * sizeof *r->stack_first);
  r->stack_len = prf_mem_alloc(mem, (n ? n : 1) * sizeof *r->stack_len);
  if (!r->stack_first || !r->stack_len)
    return nomem(r);
  size_t mark = prf_jpath_key(&r->path, "stacks");
  const cJSON *stack;
  cJSON_ArrayForEach(stack, stacks) {
    size_t at = prf_jpath_index(&r->path, r->nstacks);
    if (!cJSON_IsArray(stack))
      return prf_json_expected(r->err, &r->path, NULL,
                               "an array of frame indexes", stack);
    if (r->nflat > UINT32_MAX - (size_t)cJSON_GetArraySize(stack))
      return prf_fail(r->err, PRF_E_LIMIT, "at %s: more than 2^32 frames in "
                      "all stacks", r->path.buf);
    r->stack_first[r->nstacks] = (uint32_t)r->nflat;
    size_t k = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, stack) {
      size_t at2 = prf_jpath_index(&r->path, k++);
      size_t frame;
      st = read_index(r, item, r->nframes, ".profile.frames", &frame);
      if (st != PRF_OK)
        return st;
      if (!flat_push(r, r->frames[frame]))
        return nomem(r);
      prf_jpath_cut(&r->path, at2);
    }
    r->stack_len[r->nstacks++] = (uint32_t)k;
    prf_jpath_cut(&r->path, at);
  }
  prf_jpath_cut(&r->path, mark);
  return PRF_OK;
}

/* ---- threads ---- */

/* The slot of a thread id, added when new. */
static prf_status thread_slot(sentry_reader *r, int64_t id, uint32_t *slot) {
  const prf_allocator *mem = &r->profile->mem;
  bool fresh;
  uint32_t k = prf_keymap_id(mem, &r->thread_map, (uint64_t)id, &fresh);
  if (!k)
    return nomem(r);
  if (fresh) {
    if (r->nthreads >= MAX_THREADS)
      return prf_fail(r->err, PRF_E_LIMIT,
                      "at %s: more than %d threads in one profile",
                      r->path.buf, MAX_THREADS);
    if (!prf_grow(mem, (void **)&r->threads, &r->threads_cap, r->nthreads + 1,
                  sizeof *r->threads))
      return nomem(r);
    sentry_thread *t = &r->threads[r->nthreads++];
    memset(t, 0, sizeof *t);
    t->id = id;
    t->last_time = INT64_MIN;
    t->root = PRF_NONE;
  }
  *slot = k - 1;
  return PRF_OK;
}

/* thread_metadata: {"<tid>": {"name": ..., "priority": ...}}. Threads
 * that have no samples are registered too. */
static prf_status read_thread_metadata(sentry_reader *r, const cJSON *prof) {
  const cJSON *meta;
  prf_status st =
      prf_json_object_opt(prof, "thread_metadata", &r->path, r->err, &meta);
  if (st != PRF_OK || !meta)
    return st;
  size_t mark = prf_jpath_key(&r->path, "thread_metadata");
  const cJSON *m;
  cJSON_ArrayForEach(m, meta) {
    char *end;
    long long id = strtoll(m->string, &end, 10);
    if (!*m->string || *end || id < 0) {
      warn(r, "at %s: skipping thread \"%.100s\": expected a numeric thread "
           "id as the key", r->path.buf, m->string);
      continue;
    }
    size_t at = prf_jpath_key(&r->path, m->string);
    if (!cJSON_IsObject(m) && !cJSON_IsNull(m))
      return prf_json_expected(r->err, &r->path, NULL, "an object", m);
    uint32_t slot;
    const char *name = NULL;
    const cJSON *is_main = prf_json_get(m, "is_main_thread");
    st = prf_json_str_opt(m, "name", &r->path, r->err, &name);
    if (st == PRF_OK)
      st = thread_slot(r, id, &slot);
    if (st != PRF_OK)
      return st;
    if (name && *name)
      r->threads[slot].name = name;
    r->threads[slot].is_main = cJSON_IsTrue(is_main);
    prf_jpath_cut(&r->path, at);
  }
  prf_jpath_cut(&r->path, mark);
  return PRF_OK;
}

/* ---- samples ---- */

static prf_status read_sample_time(sentry_reader *r, const cJSON *s,
                                   int64_t *out) {
  if (r->format == FORMAT_V1)
    return prf_json_int(s, "elapsed_since_start_ns", true, 0, INT64_MAX,
                        &r->path, r->err, out);
  if (r->format == FORMAT_LEGACY)
    return prf_json_int(s, "relative_timestamp_ns", true, 0, INT64_MAX,
                        &r->path, r->err, out);
  double t;
  prf_status st = prf_json_num(s, "timestamp", true, &r->path, r->err, &t);
  if (st == PRF_OK && !(t >= 0 && t * 1e9 < 9.2e18))
    return prf_json_expected(r->err, &r->path, "timestamp",
                             "a Unix time in seconds from 0 to 9.2e9",
                             prf_json_get(s, "timestamp"));
  *out = (int64_t)llround(t * 1e9);
  return st;
}

/* Legacy samples carry their frames, leaf first. */
static prf_status read_inline_frames(sentry_reader *r, const cJSON *s,
                                     sentry_sample *out) {
  const cJSON *frames;
  prf_status st = prf_json_array(s, "frames", &r->path, r->err, &frames);
  if (st != PRF_OK)
    return st;
  size_t n = (size_t)cJSON_GetArraySize(frames);
  if (r->nflat > UINT32_MAX - n)
    return prf_fail(r->err, PRF_E_LIMIT, "at %s: more than 2^32 frames in "
                    "all samples", r->path.buf);
  out->first = (uint32_t)r->nflat;
  size_t mark = prf_jpath_key(&r->path, "frames"), k = 0;
  const cJSON *f, *root = NULL;
  cJSON_ArrayForEach(f, frames) {
    size_t at = prf_jpath_index(&r->path, k++);
    prf_fid id;
    bool is_main = false;
    st = read_frame(r, f, &id, &is_main);
    if (st != PRF_OK)
      return st;
    if (!flat_push(r, id))
      return nomem(r);
    out->has_main |= is_main;
    root = f;
    prf_jpath_cut(&r->path, at);
  }
  prf_jpath_cut(&r->path, mark);
  /* Sentry drops a bogus root address of iOS backtraces, which never
     symbolicates, together with the frame above it. */
  const cJSON *addr = prf_json_get(root, "instruction_addr");
  if (n > 2 && cJSON_IsString(addr) &&
      strcmp(addr->valuestring, "0xffffffffc") == 0)
    n -= 2;
  out->len = (uint32_t)n;
  return PRF_OK;
}

static prf_status read_sample(sentry_reader *r, const cJSON *s,
                              sentry_sample *out) {
  if (!cJSON_IsObject(s))
    return prf_json_expected(r->err, &r->path, NULL, "a sample object", s);
  memset(out, 0, sizeof *out);
  out->end = NO_END;
  int64_t tid;
  prf_status st = read_sample_time(r, s, &out->time);
  if (st == PRF_OK)
    st = prf_json_int(s, "thread_id", true, 0, INT64_MAX, &r->path, r->err,
                      &tid);
  if (st == PRF_OK)
    st = thread_slot(r, tid, &out->thread);
  if (st != PRF_OK)
    return st;
  if (r->format == FORMAT_LEGACY) {
    st = prf_json_str_opt(s, "queue_address", &r->path, r->err, &out->queue);
    return st == PRF_OK ? read_inline_frames(r, s, out) : st;
  }
  size_t mark = prf_jpath_key(&r->path, "stack_id"), stack;
  st = read_index(r, prf_json_get(s, "stack_id"), r->nstacks,
                  ".profile.stacks", &stack);
  prf_jpath_cut(&r->path, mark);
  if (st == PRF_OK) {
    out->first = r->stack_first[stack];
    out->len = r->stack_len[stack];
  }
  return st;
}

static prf_status read_samples(sentry_reader *r, const cJSON *prof) {
  const prf_allocator *mem = &r->profile->mem;
  const cJSON *samples;
  prf_status st = prf_json_array(prof, "samples", &r->path, r->err, &samples);
  if (st != PRF_OK)
    return st;
  size_t n = (size_t)cJSON_GetArraySize(samples);
  size_t mark = prf_jpath_key(&r->path, "samples");
  if (n == 0)
    return prf_fail(r->err, PRF_E_DATA, "at %s: expected at least one "
                    "sample, found an empty array", r->path.buf);
  if (n >= UINT32_MAX)
    return prf_fail(r->err, PRF_E_LIMIT, "at %s: more than 2^32 samples",
                    r->path.buf);
  r->samples = prf_mem_alloc(mem, n * sizeof *r->samples);
  if (!r->samples)
    return nomem(r);
  const cJSON *s;
  cJSON_ArrayForEach(s, samples) {
    size_t at = prf_jpath_index(&r->path, r->nsamples);
    sentry_sample *out = &r->samples[r->nsamples];
    st = read_sample(r, s, out);
    if (st != PRF_OK)
      return st;
    sentry_thread *t = &r->threads[out->thread];
    if (out->time < t->last_time)
      t->unordered = true;
    t->last_time = out->time;
    r->nsamples++;
    prf_jpath_cut(&r->path, at);
  }
  prf_jpath_cut(&r->path, mark);
  return PRF_OK;
}

/* ---- metadata ---- */

static prf_status meta(sentry_reader *r, const char *key, const char *value) {
  if (!value || !*value)
    return PRF_OK;
  return prf_meta_set(r->profile, key, value) == PRF_OK ? PRF_OK : nomem(r);
}

static prf_status meta_int(sentry_reader *r, const char *key, int64_t v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%lld", (long long)v);
  return meta(r, key, buf);
}

/* Copies string members of obj into metadata: pairs of JSON key and
 * metadata key. */
static prf_status meta_strings(sentry_reader *r, const cJSON *obj,
                               const char *const *pairs, size_t npairs) {
  for (size_t i = 0; i + 1 < npairs; i += 2) {
    const char *v = NULL;
    prf_status st = prf_json_str_opt(obj, pairs[i], &r->path, r->err, &v);
    if (st == PRF_OK)
      st = meta(r, pairs[i + 1], v);
    if (st != PRF_OK)
      return st;
  }
  return PRF_OK;
}

/* Joins the non-empty string members keys of obj (an object member of
 * the top level named member, or the top level itself when member is
 * NULL) with spaces into one metadata value: os = "linux 5.15.0". */
static prf_status meta_join(sentry_reader *r, const cJSON *top,
                            const char *member, const char *const *keys,
                            size_t nkeys, const char *meta_key) {
  const cJSON *obj = top;
  size_t mark = r->path.len;
  if (member) {
    prf_status st = prf_json_object_opt(top, member, &r->path, r->err, &obj);
    if (st != PRF_OK || !obj)
      return st;
    prf_jpath_key(&r->path, member);
  }
  char buf[512];
  size_t len = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < nkeys; i++) {
    const char *v = NULL;
    prf_status st = prf_json_str_opt(obj, keys[i], &r->path, r->err, &v);
    if (st != PRF_OK)
      return st;
    if (v && *v && len < sizeof buf - 1) {
      int n = snprintf(buf + len, sizeof buf - len, "%s%s", len ? " " : "", v);
      len = n < 0 ? len : len + (size_t)n;
      if (len > sizeof buf - 1)
        len = sizeof buf - 1;
    }
  }
  prf_jpath_cut(&r->path, mark);
  return meta(r, meta_key, buf);
}

static int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* RFC 3339 ("2023-01-12T08:24:54.614Z", "...+01:00") to Unix ns. */
static bool parse_rfc3339(const char *s, int64_t *out) {
  int y, mo, d, h, mi, sec, n = 0;
  if (sscanf(s, "%4d-%2d-%2d%*1[Tt ]%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec,
             &n) != 6 || n != 19 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
      h > 23 || mi > 59 || sec > 60)
    return false;
  const char *p = s + n;
  int64_t frac = 0, scale = 1000000000;
  if (*p == '.') {
    p++;
    if (*p < '0' || *p > '9')
      return false;
    for (; *p >= '0' && *p <= '9'; p++)
      if (scale > 1) {
        scale /= 10;
        frac += (*p - '0') * scale;
      }
  }
  int64_t offset = 0;
  if (*p == 'Z' || *p == 'z') {
    p++;
  } else if (*p == '+' || *p == '-') {
    int oh, om, m = 0;
    if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &m) != 2 || m != 5)
      return false;
    offset = (*p == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    p += 6;
  } else {
    return false;
  }
  if (*p)
    return false;
  int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
                 offset;
  /* nanoseconds in an int64 cover the years 1678 to 2262 */
  if (secs > INT64_MAX / 1000000000 - 1 || secs < INT64_MIN / 1000000000 + 1)
    return false;
  *out = secs * 1000000000 + frac;
  return true;
}

/* v1: "transactions"[0] (as vroom prefers it) or "transaction". */
static prf_status read_transaction(sentry_reader *r, const cJSON *root) {
  const cJSON *list, *tx = NULL;
  size_t mark = r->path.len;
  prf_status st =
      prf_json_array_opt(root, "transactions", &r->path, r->err, &list);
  if (st == PRF_OK && list && cJSON_GetArraySize(list) > 0) {
    prf_jpath_key(&r->path, "transactions");
    prf_jpath_index(&r->path, 0);
    tx = cJSON_GetArrayItem(list, 0);
    if (!cJSON_IsObject(tx))
      return prf_json_expected(r->err, &r->path, NULL, "an object", tx);
  } else if (st == PRF_OK) {
    st = prf_json_object_opt(root, "transaction", &r->path, r->err, &tx);
    if (st != PRF_OK || !tx)
      return st;
    prf_jpath_key(&r->path, "transaction");
  }
  if (st != PRF_OK)
    return st;
  static const char *const pairs[] = {"name", "transaction", "name", "name",
                                      "id", "transaction_id",
                                      "trace_id", "trace_id"};
  int64_t active = -1;
  st = meta_strings(r, tx, pairs, sizeof pairs / sizeof pairs[0]);
  if (st == PRF_OK)
    st = prf_json_int_opt(tx, "active_thread_id", true, 0, INT64_MAX,
                          &r->path, r->err, &active);
  if (st == PRF_OK && active >= 0) {
    r->has_active = true;
    r->active = active;
  }
  prf_jpath_cut(&r->path, mark);
  return st;
}

static prf_status read_meta_v1v2(sentry_reader *r, const cJSON *root) {
  static const char *const pairs[] = {
      "release", "release", "environment", "environment", "platform",
      "platform", "event_id", "profile_id", "profile_id", "profile_id",
      "chunk_id", "chunk_id", "profiler_id", "profiler_id", "timestamp",
      "timestamp"};
  static const char *const os[] = {"name", "version"};
  static const char *const device[] = {"manufacturer", "model",
                                       "architecture"};
  static const char *const runtime[] = {"name", "version"};
  static const char *const sdk[] = {"name", "version"};
  prf_status st = meta_strings(r, root, pairs, sizeof pairs / sizeof pairs[0]);
  if (st == PRF_OK)
    st = meta_join(r, root, "os", os, 2, "os");
  if (st == PRF_OK)
    st = meta_join(r, root, "device", device, 3, "device");
  if (st == PRF_OK)
    st = meta_join(r, root, "runtime", runtime, 2, "runtime");
  if (st == PRF_OK)
    st = meta_join(r, root, "client_sdk", sdk, 2, "sdk");
  if (st == PRF_OK && r->format == FORMAT_V1)
    st = read_transaction(r, root);
  const char *ts = prf_meta_get(r->profile, "timestamp");
  int64_t ns;
  if (st == PRF_OK && r->format == FORMAT_V1 && ts && parse_rfc3339(ts, &ns))
    st = meta_int(r, "time_nanos", ns);
  return st;
}

static prf_status read_meta_legacy(sentry_reader *r, const cJSON *root) {
  static const char *const pairs[] = {
      "platform", "platform", "environment", "environment", "profile_id",
      "profile_id", "transaction_name", "transaction", "transaction_name",
      "name", "transaction_id", "transaction_id", "trace_id", "trace_id"};
  static const char *const os[] = {"device_os_name", "device_os_version"};
  static const char *const device[] = {"device_manufacturer", "device_model"};
  prf_status st = meta_strings(r, root, pairs, sizeof pairs / sizeof pairs[0]);
  if (st == PRF_OK)
    st = meta_join(r, root, NULL, os, 2, "os");
  if (st == PRF_OK)
    st = meta_join(r, root, NULL, device, 2, "device");
  const char *name = NULL, *code = NULL;
  if (st == PRF_OK)
    st = prf_json_str_opt(root, "version_name", &r->path, r->err, &name);
  if (st == PRF_OK)
    st = prf_json_str_opt(root, "version_code", &r->path, r->err, &code);
  if (st == PRF_OK && name && *name) {
    char buf[256];
    snprintf(buf, sizeof buf, code && *code ? "%s (%s)" : "%s", name, code);
    st = meta(r, "release", buf);
  }
  int64_t duration = -1;
  if (st == PRF_OK)
    st = prf_json_int_opt(root, "duration_ns", true, 0, INT64_MAX, &r->path,
                          r->err, &duration);
  if (st == PRF_OK && duration >= 0)
    st = meta_int(r, "duration_nanos", duration);
  return st;
}

/* ---- putting samples into the model ---- */

static int by_time(void *ctx, uint32_t a, uint32_t b) {
  const sentry_sample *s = ctx;
  return s[a].time < s[b].time ? -1 : s[a].time > s[b].time;
}

/* The legacy format names the main thread nowhere: the first thread with
 * main() on its stack (vroom's rule). */
static void find_main_thread(sentry_reader *r, const uint32_t *order) {
  for (size_t i = 0; i < r->nthreads && !r->has_active; i++)
    if (r->threads[i].is_main) {
      r->active = r->threads[i].id;
      r->has_active = true;
    }
  for (size_t k = 0; k < r->nsamples && !r->has_active; k++)
    if (r->samples[order[k]].has_main) {
      r->active = r->threads[r->samples[order[k]].thread].id;
      r->has_active = true;
    }
}

/* Legacy threads without a name take the label of the dispatch queue of
 * their first sample; the main queue's label only names the main thread. */
static prf_status name_from_queues(sentry_reader *r, const cJSON *prof,
                                   const uint32_t *order) {
  const prf_allocator *mem = &r->profile->mem;
  const cJSON *queues;
  prf_status st =
      prf_json_object_opt(prof, "queue_metadata", &r->path, r->err, &queues);
  if (st != PRF_OK || !queues)
    return st;
  bool *seen = prf_mem_calloc(mem, r->nthreads ? r->nthreads : 1, sizeof *seen);
  if (!seen)
    return nomem(r);
  for (size_t k = 0; k < r->nsamples && st == PRF_OK; k++) {
    const sentry_sample *s = &r->samples[order[k]];
    sentry_thread *t = &r->threads[s->thread];
    if (seen[s->thread])
      continue;
    seen[s->thread] = true;
    const cJSON *q = s->queue ? prf_json_get(queues, s->queue) : NULL;
    const char *label = NULL;
    if (!q || t->name)
      continue;
    size_t mark = prf_jpath_key(&r->path, "queue_metadata");
    prf_jpath_key(&r->path, s->queue);
    st = prf_json_str_opt(q, "label", &r->path, r->err, &label);
    prf_jpath_cut(&r->path, mark);
    if (label && *label &&
        (strcmp(label, "com.apple.main-thread") != 0 ||
         (r->has_active && t->id == r->active)))
      t->name = label;
  }
  prf_mem_free(mem, seen);
  return st;
}

/* Registers every thread (the transaction's active thread first) and
 * picks the wanted ones with their root frames. */
static prf_status register_threads(sentry_reader *r) {
  for (size_t pass = 0; pass < 2; pass++) {
    for (size_t i = 0; i < r->nthreads; i++) {
      sentry_thread *t = &r->threads[i];
      bool active = r->has_active && t->id == r->active;
      if (active != (pass == 0))
        continue;
      prf_status st =
          prf_thread_add(r->profile, t->id, t->name ? t->name : "", &t->index);
      if (st != PRF_OK)
        return prf_fail(r->err, st, "cannot add thread %lld",
                        (long long)t->id);
      t->wanted = prf_thread_wanted(r->options, t->id,
                                    prf_thread_name(r->profile, t->index));
      if (t->wanted && prf_thread_root(r->profile, r->options, t->index,
                                       &t->root) != PRF_OK)
        return nomem(r);
      if (t->unordered)
        warn(r, "the samples of thread %lld are not in time order: sorted "
             "by time", (long long)t->id);
    }
  }
  return PRF_OK;
}

static prf_status add_sample(sentry_reader *r, const sentry_sample *s,
                             prf_fid *idle) {
  const prf_allocator *mem = &r->profile->mem;
  const sentry_thread *t = &r->threads[s->thread];
  bool by_time = prf_weigh_by_time(r->options);
  if (!t->wanted || (by_time && (s->end == NO_END || s->end == s->time)) ||
      (s->len == 0 && !r->options->include_idle))
    return PRF_OK;
  double value = by_time ? (double)(s->end - s->time) : 1;
  r->stack.len = 0;
  if (t->root != PRF_NONE && !prf_fstack_push(mem, &r->stack, t->root))
    return nomem(r);
  for (size_t i = s->len; i-- > 0;)
    if (!prf_fstack_push(mem, &r->stack, r->flat[s->first + i]))
      return nomem(r);
  if (s->len == 0) {
    if (*idle == PRF_NONE) {
      prf_frame f;
      memset(&f, 0, sizeof f);
      if (intern(r, "(idle)", 6, &f.name) != PRF_OK ||
          prf_frame_intern(r->profile, &f, idle) != PRF_OK)
        return nomem(r);
    }
    if (!prf_fstack_push(mem, &r->stack, *idle))
      return nomem(r);
  }
  prf_node leaf;
  prf_status st = prf_stack_add(r->profile, r->stack.ids, r->stack.len, NULL,
                                &leaf);
  if (st == PRF_OK)
    st = prf_sample_add(r->profile, leaf, &value, s->time, t->index);
  return st == PRF_OK ? PRF_OK
                      : prf_fail(r->err, st, "at %s.samples[%zu]: cannot add "
                                 "the sample", r->path.buf,
                                 (size_t)(s - r->samples));
}

/* Sorts the samples by time (stably), gives each the time of the next
 * sample of its thread, and adds them in time order. */
static prf_status add_samples(sentry_reader *r, const cJSON *prof) {
  const prf_allocator *mem = &r->profile->mem;
  uint32_t *order = prf_mem_alloc(mem, r->nsamples * sizeof *order);
  size_t *last =
      prf_mem_alloc(mem, (r->nthreads ? r->nthreads : 1) * sizeof *last);
  prf_status st = order && last ? PRF_OK : nomem(r);
  for (size_t i = 0; st == PRF_OK && i < r->nsamples; i++)
    order[i] = (uint32_t)i;
  if (st == PRF_OK &&
      !prf_sort_ids(mem, order, r->nsamples, by_time, r->samples))
    st = nomem(r);
  if (st == PRF_OK && r->format == FORMAT_LEGACY) {
    find_main_thread(r, order);
    st = name_from_queues(r, prof, order);
  }
  if (st == PRF_OK)
    st = register_threads(r);
  for (size_t i = 0; st == PRF_OK && i < r->nthreads; i++)
    last[i] = SIZE_MAX;
  for (size_t k = 0; st == PRF_OK && k < r->nsamples; k++) {
    sentry_sample *s = &r->samples[order[k]];
    if (last[s->thread] != SIZE_MAX)
      r->samples[last[s->thread]].end = s->time;
    last[s->thread] = order[k];
  }
  prf_fid idle = PRF_NONE;
  size_t before = prf_sample_count(r->profile);
  for (size_t k = 0; st == PRF_OK && k < r->nsamples; k++)
    st = add_sample(r, &r->samples[order[k]], &idle);
  if (st == PRF_OK && prf_sample_count(r->profile) == before)
    warn(r, "no sample was kept: the last sample of each thread only marks "
         "its end, idle samples are dropped without --include-idle");
  if (st == PRF_OK && r->has_active)
    st = meta_int(r, "active_thread_id", r->active);
  if (st == PRF_OK && r->format == FORMAT_V2)
    st = meta_int(r, "time_nanos", r->samples[order[0]].time);
  if (st == PRF_OK && r->format != FORMAT_LEGACY)
    st = meta_int(r, "duration_nanos", r->samples[order[r->nsamples - 1]].time -
                                           r->samples[order[0]].time);
  prf_mem_free(mem, order);
  prf_mem_free(mem, last);
  return st;
}

/* ---- the entry points ---- */

static prf_status declare_columns(sentry_reader *r) {
  const char *type = "wall", *unit = "nanoseconds";
  if (!prf_weigh_by_time(r->options)) {
    type = "samples";
    unit = "count";
  }
  return prf_reader_columns(r->profile, 1, &type, &unit, r->err);
}

/* The legacy profile: a JSON document inside the string .profile. */
static prf_status parse_legacy(sentry_reader *r, const cJSON *str,
                               cJSON **out) {
  const char *text = str->valuestring;
  size_t len = strlen(text);
  size_t bad = prf_utf8_check((const unsigned char *)text, len);
  if (bad != len)
    return prf_fail(r->err, PRF_E_DATA, "in the JSON string at .profile, "
                    "byte %zu: invalid UTF-8", bad);
  prf_error inner;
  prf_error_clear(&inner);
  if (prf_json_parse_text(text, len, out, &inner) != PRF_OK)
    return prf_fail(r->err, inner.code, "in the JSON string at .profile, %s",
                    inner.message); /* the message gives the byte */
  if (!*out)
    return nomem(r);
  /* Paths inside it are spelled as jq reaches them. */
  static const char prefix[] = "(.profile|fromjson)";
  memcpy(r->path.buf, prefix, sizeof prefix);
  r->path.len = sizeof prefix - 1;
  if (!cJSON_IsObject(*out))
    return prf_json_expected(r->err, &r->path, NULL, "an object", *out);
  return PRF_OK;
}

static prf_status pick_format(sentry_reader *r, const cJSON *root,
                              const cJSON **prof) {
  const cJSON *version = prf_json_get(root, "version");
  const cJSON *p = prf_json_get(root, "profile");
  if (cJSON_IsString(version) && strcmp(version->valuestring, "1") == 0)
    r->format = FORMAT_V1;
  else if (cJSON_IsString(version) && strcmp(version->valuestring, "2") == 0)
    r->format = FORMAT_V2;
  else if (version && !cJSON_IsNull(version))
    return prf_json_expected(r->err, &r->path, "version",
                             "\"1\" or \"2\" (the Sentry profile formats "
                             "this reader knows)", version);
  else if (cJSON_IsString(p))
    r->format = FORMAT_LEGACY;
  else {
    const cJSON *samples = prf_json_get(p, "samples");
    r->format = prf_json_get(cJSON_GetArrayItem(samples, 0), "timestamp")
                    ? FORMAT_V2 : FORMAT_V1;
  }
  if (r->format == FORMAT_LEGACY)
    return PRF_OK;
  return prf_json_object(root, "profile", &r->path, r->err, prof);
}

static prf_status read_root(sentry_reader *r, const cJSON *root) {
  if (!cJSON_IsObject(root))
    return prf_json_expected(r->err, &r->path, NULL,
                             "an object (a Sentry profile)", root);
  const cJSON *prof = NULL;
  cJSON *legacy = NULL;
  prf_status st = pick_format(r, root, &prof);
  if (st == PRF_OK)
    st = declare_columns(r);
  if (st == PRF_OK && r->format == FORMAT_LEGACY) {
    st = read_meta_legacy(r, root);
    if (st == PRF_OK)
      st = parse_legacy(r, prf_json_get(root, "profile"), &legacy);
    prof = legacy;
  } else if (st == PRF_OK) {
    st = read_meta_v1v2(r, root);
    prf_jpath_key(&r->path, "profile");
    if (st == PRF_OK)
      st = read_frame_table(r, prof);
    if (st == PRF_OK)
      st = read_stacks(r, prof);
  }
  if (st == PRF_OK)
    st = read_samples(r, prof);
  if (st == PRF_OK)
    st = read_thread_metadata(r, prof);
  if (st == PRF_OK)
    st = add_samples(r, prof);
  cJSON_Delete(legacy);
  return st;
}

prf_status prf_sentry_read(prf_profile *profile, prf_input *in,
                           const prf_read_options *options, prf_error *err) {
  const prf_allocator *mem = &profile->mem;
  prf_json_doc doc;
  prf_status st = prf_json_read(in, &doc);
  if (st != PRF_OK)
    return st;
  sentry_reader r;
  memset(&r, 0, sizeof r);
  r.profile = profile;
  r.options = options;
  r.err = err;
  prf_jpath_init(&r.path);
  st = read_root(&r, doc.root);
  prf_mem_free(mem, r.frames);
  prf_mem_free(mem, r.stack_first);
  prf_mem_free(mem, r.stack_len);
  prf_mem_free(mem, r.flat);
  prf_mem_free(mem, r.samples);
  prf_mem_free(mem, r.threads);
  prf_keymap_free(mem, &r.thread_map);
  prf_fstack_free(mem, &r.stack);
  return prf_json_done(&doc, st, err);
}

/* A JSON object with "profile" and the keys only Sentry writes. Keys of
 * the other JSON formats veto: cpuprofile "nodes", speedscope "$schema"
 * and "shared", Firefox "meta" with "threads", Chrome "traceEvents". */
int prf_sentry_sniff(const unsigned char *head, size_t len) {
  if (!prf_json_starts(head, len, '{'))
    return 0;
  static const char *const veto[] = {"traceEvents", "nodes", "$schema",
                                     "shared", "profiles"};
  for (size_t i = 0; i < sizeof veto / sizeof veto[0]; i++)
    if (prf_json_has_key(head, len, veto[i]))
      return 0;
  if (prf_json_has_key(head, len, "meta") &&
      prf_json_has_key(head, len, "threads"))
    return 0;
  static const char *const sentry[] = {
      "thread_metadata", "stack_id", "elapsed_since_start_ns", "profiler_id",
      "chunk_id", "relative_timestamp_ns", "device_os_name", "event_id",
      "profile_id", "debug_meta"};
  int score = 0;
  if (prf_json_has_key(head, len, "profile"))
    score += 20;
  if (prf_json_has_key(head, len, "version") ||
      prf_json_has_key(head, len, "platform"))
    score += 20;
  for (size_t i = 0; i < sizeof sentry / sizeof sentry[0]; i++)
    if (prf_json_has_key(head, len, sentry[i])) {
      score += 30;
      break;
    }
  /* A v1 profile's debug_meta may fill the head: one key Sentry alone
     writes is enough, "profile" with "version" or "platform" too. */
  return score >= 30 ? score : 0;
}
