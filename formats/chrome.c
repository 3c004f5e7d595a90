/*
 * chrome.c - Chrome/Node .cpuprofile and Chrome trace events: sniffing,
 * the top level of both readers, and the CPU profiles of a trace
 * (Profile + ProfileChunk events, or the older single CpuProfile event),
 * one per thread. Traces without a CPU profile go to chrome_events.c.
 */
#include "chrome.h"

#include "chrome_impl.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- sniffing ---- */

/* The keys of the other JSON formats: never take their files. */
static bool other_json(const unsigned char *head, size_t len) {
  return prf_json_has_key(head, len, "$schema") ||
         (prf_json_has_key(head, len, "shared") &&
          prf_json_has_key(head, len, "profiles")) ||
         (prf_json_has_key(head, len, "profile") &&
          (prf_json_has_key(head, len, "stacks") ||
           prf_json_has_key(head, len, "version"))) ||
         (prf_json_has_key(head, len, "meta") &&
          prf_json_has_key(head, len, "threads"));
}

int prf_cpuprofile_sniff(const unsigned char *head, size_t len) {
  if (!prf_json_starts(head, len, '{') || other_json(head, len) ||
      prf_json_has_key(head, len, "traceEvents"))
    return 0;
  if (prf_json_has_key(head, len, "nodes") &&
      (prf_json_has_key(head, len, "samples") ||
       prf_json_has_key(head, len, "callFrame")))
    return 60;
  /* The old format: a nested tree under "head". */
  if (prf_json_has_key(head, len, "head") &&
      prf_json_has_key(head, len, "functionName"))
    return 60;
  return 0;
}

int prf_chrome_trace_sniff(const unsigned char *head, size_t len) {
  if (prf_json_starts(head, len, '['))
    return prf_json_has_key(head, len, "ph") ? 60 : 0;
  if (prf_json_starts(head, len, '{') &&
      prf_json_has_key(head, len, "traceEvents") && !other_json(head, len))
    return 60;
  return 0;
}

/* ---- shared helpers ---- */

void chr_warn(const prf_read_options *o, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  prf_reader_vwarn(o, 0, fmt, ap);
  va_end(ap);
}

void chr_events_path(prf_jpath *path, const char *prefix) {
  prf_jpath_init(path);
  if (*prefix)
    prf_jpath_key(path, prefix + 1);
}

static prf_status id_of(const cJSON *ev, const char *key, const prf_jpath *path,
                        prf_error *err, int64_t *out) {
  *out = 0;
  return prf_json_int_opt(ev, key, true, INT64_MIN / 2, INT64_MAX / 2, path,
                          err, out);
}

prf_status chr_pid_tid(const cJSON *ev, const prf_jpath *path, prf_error *err,
                       int64_t *pid, int64_t *tid) {
  prf_status st = id_of(ev, "pid", path, err, pid);
  return st == PRF_OK ? id_of(ev, "tid", path, err, tid) : st;
}

static prf_status name_add(const prf_allocator *mem, chr_name **arr, size_t *n,
                           size_t *cap, int64_t pid, int64_t tid,
                           const char *name, prf_error *err) {
  for (size_t i = 0; i < *n; i++)
    if ((*arr)[i].pid == pid && (*arr)[i].tid == tid) {
      (*arr)[i].name = name;
      return PRF_OK;
    }
  if (*n == *cap && !prf_grow(mem, (void **)arr, cap, *n + 1, sizeof **arr))
    return prf_fail(err, PRF_E_NOMEM, "out of memory");
  (*arr)[(*n)++] = (chr_name){pid, tid, name};
  return PRF_OK;
}

prf_status chr_names_read(const prf_allocator *mem, chr_names *names,
                          const cJSON *events, const char *prefix,
                          prf_error *err) {
  prf_jpath path;
  chr_events_path(&path, prefix);
  size_t i = 0;
  for (const cJSON *ev = events->child; ev; ev = ev->next, i++) {
    const cJSON *ph = prf_json_get(ev, "ph"), *nm = prf_json_get(ev, "name");
    if (!cJSON_IsString(ph) || strcmp(ph->valuestring, "M") != 0 ||
        !cJSON_IsString(nm))
      continue;
    bool thread = strcmp(nm->valuestring, "thread_name") == 0;
    if (!thread && strcmp(nm->valuestring, "process_name") != 0)
      continue;
    const cJSON *a = prf_json_get(prf_json_get(ev, "args"), "name");
    if (!cJSON_IsString(a) || !*a->valuestring)
      continue;
    size_t cut = prf_jpath_index(&path, i);
    int64_t pid, tid;
    prf_status st = chr_pid_tid(ev, &path, err, &pid, &tid);
    prf_jpath_cut(&path, cut);
    if (st == PRF_OK)
      st = thread ? name_add(mem, &names->threads, &names->nthreads,
                             &names->threads_cap, pid, tid, a->valuestring, err)
                  : name_add(mem, &names->procs, &names->nprocs,
                             &names->procs_cap, pid, 0, a->valuestring, err);
    if (st != PRF_OK)
      return st;
  }
  return PRF_OK;
}

void chr_names_free(const prf_allocator *mem, chr_names *names) {
  prf_mem_free(mem, names->threads);
  prf_mem_free(mem, names->procs);
  memset(names, 0, sizeof *names);
}

static const char *lookup(const chr_name *arr, size_t n, int64_t pid,
                          int64_t tid) {
  for (size_t i = 0; i < n; i++)
    if (arr[i].pid == pid && arr[i].tid == tid)
      return arr[i].name;
  return NULL;
}

prf_status chr_thread(prf_profile *p, const prf_read_options *o,
                      const chr_names *names, int64_t pid, int64_t tid,
                      uint32_t *index, prf_fid *root, bool *wanted,
                      prf_error *err) {
  const char *tname = lookup(names->threads, names->nthreads, pid, tid);
  char buf[512];
  const char *name = tname ? tname : "";
  int64_t id = tid;
  if (names->many_pids) {
    /* Thread ids repeat across processes (0, 1, ...): name the process. */
    const char *pname = lookup(names->procs, names->nprocs, pid, 0);
    char pbuf[40], tbuf[40];
    snprintf(pbuf, sizeof pbuf, "pid %lld", (long long)pid);
    snprintf(tbuf, sizeof tbuf, "tid %lld", (long long)tid);
    snprintf(buf, sizeof buf, "%s: %s", pname ? pname : pbuf,
             tname ? tname : tbuf);
    name = buf;
    if (tid >= 0 && tid < 10000000 && pid >= 0 && pid < 100000000000LL)
      id = pid * 10000000 + tid;
  }
  prf_status st = prf_thread_add(p, id, name, index);
  if (st != PRF_OK)
    return prf_fail(err, st, "out of memory");
  *wanted = prf_thread_wanted(o, id, name) ||
            (tname && names->many_pids && prf_thread_wanted(o, id, tname));
  *root = PRF_NONE;
  if (*wanted) {
    st = prf_thread_root(p, o, *index, root);
    if (st != PRF_OK)
      return prf_fail(err, st, "out of memory");
  }
  return PRF_OK;
}

/* ---- .cpuprofile ---- */

prf_status prf_cpuprofile_read(prf_profile *profile, prf_input *in,
                               const prf_read_options *options,
                               prf_error *err) {
  prf_json_doc doc;
  prf_status st = prf_json_read(in, &doc);
  if (st != PRF_OK)
    return st;
  const cJSON *root = doc.root;
  chr_profile cp;
  memset(&cp, 0, sizeof cp);
  cp.mem = &profile->mem;
  cp.prefix = "";
  cp.event = UINT32_MAX; /* not from a trace event */
  prf_jpath path;
  prf_jpath_init(&path);
  if (!cJSON_IsObject(root))
    st = prf_json_expected(err, &path, NULL,
                           "a .cpuprofile object {nodes, samples, timeDeltas}",
                           root);
  if (st == PRF_OK && prf_json_get(root, "head") && !prf_json_get(root, "nodes"))
    st = chr_add_old_profile(&cp, root, err);
  else if (st == PRF_OK)
    st = chr_add_cpuprofile(&cp, root, &path, UINT32_MAX, err);
  if (st == PRF_OK)
    st = chr_columns(profile, options, "cpu", err);
  if (st == PRF_OK)
    st = chr_emit(profile, &cp, options, PRF_NONE, PRF_NONE, err);
  if (st == PRF_OK && cp.has_start && cp.has_end &&
      cp.end_time >= cp.start_time) {
    char v[32];
    snprintf(v, sizeof v, "%.0f", (cp.end_time - cp.start_time) * 1000.0);
    st = prf_meta_set(profile, "duration_nanos", v);
    if (st != PRF_OK)
      st = prf_fail(err, st, "out of memory");
  }
  chr_profile_free(&cp);
  return prf_json_done(&doc, st, err);
}

/* ---- trace events: CPU profiles ---- */

typedef struct trace_ctx {
  const prf_allocator *mem;
  const cJSON *events;
  const char *prefix; /* ".traceEvents" or "" */
  chr_profile *profs;
  size_t nprofs, profs_cap;
  const prf_read_options *o;
  prf_error *err;
} trace_ctx;

/* The profile's key: its "id", else "pid:tid". */
static prf_status profile_key(const cJSON *ev, int64_t pid, int64_t tid,
                              char *buf, size_t size) {
  const cJSON *id = prf_json_get(ev, "id");
  if (cJSON_IsString(id))
    snprintf(buf, size, "s%s", id->valuestring);
  else if (cJSON_IsNumber(id))
    snprintf(buf, size, "n%.17g", id->valuedouble);
  else
    snprintf(buf, size, "t%lld:%lld", (long long)pid, (long long)tid);
  return PRF_OK;
}

static chr_profile *find_profile(trace_ctx *c, const char *key) {
  for (size_t i = 0; i < c->nprofs; i++)
    if (strcmp(c->profs[i].key, key) == 0)
      return &c->profs[i];
  return NULL;
}

/* A Profile or CpuProfile event starts a profile (replacing one with the
 * same key, as the reference viewers do). */
static prf_status start_profile(trace_ctx *c, const char *key, int64_t pid,
                                int64_t tid, uint32_t event,
                                chr_profile **out) {
  const prf_allocator *mem = c->mem;
  chr_profile *cp = find_profile(c, key);
  if (cp) {
    chr_profile_free(cp);
  } else {
    if (c->nprofs == c->profs_cap &&
        !prf_grow(mem, (void **)&c->profs, &c->profs_cap, c->nprofs + 1,
                  sizeof *c->profs))
      return prf_fail(c->err, PRF_E_NOMEM, "out of memory");
    cp = &c->profs[c->nprofs++];
  }
  memset(cp, 0, sizeof *cp);
  cp->mem = c->mem;
  cp->key = prf_mem_strdup(mem, key);
  if (!cp->key)
    return prf_fail(c->err, PRF_E_NOMEM, "out of memory");
  cp->pid = pid;
  cp->tid = tid;
  cp->event = event;
  cp->prefix = c->prefix;
  *out = cp;
  return PRF_OK;
}

/* The arrays of a chunk ("cpuProfile.nodes", ".samples", "timeDeltas"). */
static prf_status add_chunk(trace_ctx *c, chr_profile *cp, const cJSON *data,
                            prf_jpath *path, uint32_t event) {
  const cJSON *cpu, *arr;
  prf_status st = prf_json_object_opt(data, "cpuProfile", path, c->err, &cpu);
  size_t cut = path->len;
  if (st == PRF_OK && cpu) {
    prf_jpath_key(path, "cpuProfile");
    size_t cut2 = path->len;
    st = prf_json_array_opt(cpu, "nodes", path, c->err, &arr);
    if (st == PRF_OK && arr) {
      prf_jpath_key(path, "nodes");
      st = chr_add_nodes(cp, arr, path, event, c->err);
      prf_jpath_cut(path, cut2);
    }
    if (st == PRF_OK)
      st = prf_json_array_opt(cpu, "samples", path, c->err, &arr);
    if (st == PRF_OK && arr) {
      prf_jpath_key(path, "samples");
      st = chr_add_samples(cp, arr, path, event, c->err);
    }
    prf_jpath_cut(path, cut);
  }
  if (st == PRF_OK)
    st = prf_json_array_opt(data, "timeDeltas", path, c->err, &arr);
  if (st == PRF_OK && arr) {
    prf_jpath_key(path, "timeDeltas");
    st = chr_add_deltas(cp, arr, path, c->err);
    prf_jpath_cut(path, cut);
  }
  if (st == PRF_OK)
    st = chr_time(data, "startTime", false, true, path, c->err,
                  &cp->start_time, &cp->has_start);
  if (st == PRF_OK)
    st = chr_time(data, "endTime", false, true, path, c->err, &cp->end_time,
                  &cp->has_end);
  return st;
}

static prf_status cpu_event(trace_ctx *c, const cJSON *ev, uint32_t event,
                            prf_jpath *path) {
  const char *name = prf_json_get(ev, "name")->valuestring;
  int64_t pid, tid;
  prf_status st = chr_pid_tid(ev, path, c->err, &pid, &tid);
  char key[128];
  if (st == PRF_OK)
    st = profile_key(ev, pid, tid, key, sizeof key);
  const cJSON *args = prf_json_get(ev, "args");
  const cJSON *data = prf_json_get(args, "data");
  if (st != PRF_OK)
    return st;
  size_t cut = prf_jpath_key(path, "args");
  prf_jpath_key(path, "data");
  chr_profile *cp = NULL;
  if (strcmp(name, "CpuProfile") == 0) {
    const cJSON *cpu;
    st = prf_json_object(data, "cpuProfile", path, c->err, &cpu);
    if (st == PRF_OK)
      st = start_profile(c, key, pid, tid, event, &cp);
    if (st == PRF_OK) {
      prf_jpath_key(path, "cpuProfile");
      st = chr_add_cpuprofile(cp, cpu, path, event, c->err);
    }
  } else if (strcmp(name, "Profile") == 0) {
    st = start_profile(c, key, pid, tid, event, &cp);
    if (st == PRF_OK && cJSON_IsObject(data))
      st = add_chunk(c, cp, data, path, event);
  } else if (!(cp = find_profile(c, key))) {
    chr_warn(c->o, "ignoring a ProfileChunk of an undeclared profile (%s)", key + 1);
  } else if (cJSON_IsObject(data)) {
    st = add_chunk(c, cp, data, path, event);
  }
  prf_jpath_cut(path, cut);
  return st;
}

static bool is_cpu_event(const cJSON *ev) {
  const cJSON *nm = prf_json_get(ev, "name");
  return cJSON_IsString(nm) && (strcmp(nm->valuestring, "Profile") == 0 ||
                                strcmp(nm->valuestring, "ProfileChunk") == 0 ||
                                strcmp(nm->valuestring, "CpuProfile") == 0);
}

typedef struct ts_item {
  double ts;
  const cJSON *ev;
  uint32_t index;
} ts_item;

static int ts_cmp(void *ctx, uint32_t a, uint32_t b) {
  const ts_item *items = ctx;
  double x = items[a].ts, y = items[b].ts;
  return x < y ? -1 : x > y ? 1 : 0;
}

/* The CPU-profile events in time order (stable: ties keep file order). */
static prf_status cpu_events(trace_ctx *c, ts_item **out, uint32_t **order,
                             size_t *count) {
  const prf_allocator *mem = c->mem;
  size_t n = 0, cap = 0, i = 0;
  ts_item *items = NULL;
  prf_jpath path;
  chr_events_path(&path, c->prefix);
  for (const cJSON *ev = c->events->child; ev; ev = ev->next, i++) {
    if (!is_cpu_event(ev))
      continue;
    if (n == cap &&
        !prf_grow(mem, (void **)&items, &cap, n + 1, sizeof *items)) {
      prf_mem_free(mem, items);
      return prf_fail(c->err, PRF_E_NOMEM, "out of memory");
    }
    double ts = 0;
    size_t cut = prf_jpath_index(&path, i);
    prf_status st = prf_json_num_opt(ev, "ts", true, &path, c->err, &ts);
    prf_jpath_cut(&path, cut);
    if (st != PRF_OK) {
      prf_mem_free(mem, items);
      return st;
    }
    items[n++] = (ts_item){ts, ev, (uint32_t)i};
  }
  uint32_t *ord = prf_mem_alloc(mem, (n ? n : 1) * sizeof *ord);
  if (!ord) {
    prf_mem_free(mem, items);
    return prf_fail(c->err, PRF_E_NOMEM, "out of memory");
  }
  for (size_t k = 0; k < n; k++)
    ord[k] = (uint32_t)k;
  if (!prf_sort_ids(mem, ord, n, ts_cmp, items)) {
    prf_mem_free(mem, items);
    prf_mem_free(mem, ord);
    return prf_fail(c->err, PRF_E_NOMEM, "out of memory");
  }
  *out = items;
  *order = ord;
  *count = n;
  return PRF_OK;
}

static prf_status emit_profiles(trace_ctx *c, prf_profile *p,
                                chr_names *names) {
  for (size_t i = 1; i < c->nprofs; i++)
    if (c->profs[i].pid != c->profs[0].pid)
      names->many_pids = true;
  double start = INFINITY, end = -INFINITY;
  for (size_t i = 0; i < c->nprofs; i++) {
    chr_profile *cp = &c->profs[i];
    uint32_t thread;
    prf_fid root;
    bool wanted;
    prf_status st = chr_thread(p, c->o, names, cp->pid, cp->tid, &thread,
                               &root, &wanted, c->err);
    if (st == PRF_OK && wanted)
      st = chr_emit(p, cp, c->o, root, thread, c->err);
    if (st != PRF_OK)
      return st;
    if (wanted && cp->has_start && cp->has_end && cp->end_time >= cp->start_time) {
      start = fmin(start, cp->start_time);
      end = fmax(end, cp->end_time);
    }
  }
  if (end >= start) {
    char v[32];
    snprintf(v, sizeof v, "%.0f", (end - start) * 1000.0);
    if (prf_meta_set(p, "duration_nanos", v) != PRF_OK)
      return prf_fail(c->err, PRF_E_NOMEM, "out of memory");
  }
  return PRF_OK;
}

static prf_status read_cpu_profiles(prf_profile *p, trace_ctx *c,
                                    chr_names *names) {
  const prf_allocator *mem = &p->mem;
  ts_item *items = NULL;
  uint32_t *order = NULL;
  size_t n = 0;
  prf_status st = cpu_events(c, &items, &order, &n);
  prf_jpath path;
  chr_events_path(&path, c->prefix);
  for (size_t k = 0; st == PRF_OK && k < n; k++) {
    const ts_item *it = &items[order[k]];
    size_t cut = prf_jpath_index(&path, it->index);
    st = cpu_event(c, it->ev, it->index, &path);
    prf_jpath_cut(&path, cut);
  }
  prf_mem_free(mem, items);
  prf_mem_free(mem, order);
  if (st == PRF_OK)
    st = chr_columns(p, c->o, "cpu", c->err);
  if (st == PRF_OK)
    st = emit_profiles(c, p, names);
  for (size_t i = 0; i < c->nprofs; i++)
    chr_profile_free(&c->profs[i]);
  prf_mem_free(mem, c->profs);
  return st;
}

/* ---- trace events: parsing with repair ---- */

static bool is_space(char ch) {
  return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* Chrome writes a trace as it goes: a file cut short lacks the closing
 * ']' and may end in a comma. Close the array as the reference viewers
 * do. text has two spare bytes past len. Returns whether it repaired. */
static bool repair(char *text, size_t *len) {
  size_t i = 0, n = *len;
  while (i < n && is_space(text[i]))
    i++;
  if (i == n || text[i] != '[')
    return false;
  while (n > i && (is_space(text[n - 1]) || text[n - 1] == '\0'))
    n--;
  if (text[n - 1] == ']')
    return false;
  if (text[n - 1] == ',')
    n--;
  text[n++] = ']';
  text[n] = '\0';
  *len = n;
  return true;
}

static prf_status parse_trace(prf_input *in, const prf_read_options *o,
                              prf_json_doc *doc) {
  const prf_allocator *mem = in->mem;
  memset(doc, 0, sizeof *doc);
  doc->mem = mem;
  char *text;
  size_t len;
  prf_status st = prf_json_slurp(in, &text, &len);
  if (st != PRF_OK)
    return st;
  /* Room for the closing bracket and the NUL. */
  char *bigger = prf_mem_realloc(mem, text, len + 2);
  if (!bigger) {
    prf_mem_free(mem, text);
    return prf_fail(in->err, PRF_E_NOMEM, "out of memory");
  }
  text = bigger;
  if (repair(text, &len))
    chr_warn(o, "the trace is cut short (no closing ']'): read the events "
                  "before the cut");
  st = prf_json_parse_text(text, len, &doc->root, in->err);
  if (st == PRF_OK && !doc->root)
    st = prf_fail(in->err, PRF_E_NOMEM, "out of memory parsing JSON");
  if (st != PRF_OK) {
    prf_mem_free(mem, text);
    return st;
  }
  doc->text = text; /* kept to place errors */
  doc->len = len;
  return PRF_OK;
}

prf_status prf_chrome_trace_read(prf_profile *profile, prf_input *in,
                                 const prf_read_options *options,
                                 prf_error *err) {
  const prf_allocator *mem = &profile->mem;
  prf_json_doc doc;
  prf_status st = parse_trace(in, options, &doc);
  if (st != PRF_OK)
    return st;
  const cJSON *root = doc.root;
  trace_ctx c;
  memset(&c, 0, sizeof c);
  c.mem = &profile->mem;
  c.o = options;
  c.err = err;
  c.prefix = "";
  c.events = root;
  prf_jpath path;
  prf_jpath_init(&path);
  if (cJSON_IsObject(root)) {
    c.prefix = ".traceEvents";
    st = prf_json_array(root, "traceEvents", &path, err, &c.events);
  } else if (!cJSON_IsArray(root)) {
    st = prf_json_expected(err, &path, NULL,
                           "an array of trace events or {\"traceEvents\": [...]}",
                           root);
  }
  chr_names names;
  memset(&names, 0, sizeof names);
  if (st == PRF_OK)
    st = chr_names_read(mem, &names, c.events, c.prefix, err);
  bool has_cpu = false;
  for (const cJSON *ev = st == PRF_OK ? c.events->child : NULL; ev && !has_cpu;
       ev = ev->next)
    has_cpu = is_cpu_event(ev);
  if (st == PRF_OK && has_cpu)
    st = read_cpu_profiles(profile, &c, &names);
  else if (st == PRF_OK)
    st = chr_read_timeline(profile, root, c.events, c.prefix, &names,
                           options, err);
  chr_names_free(mem, &names);
  return prf_json_done(&doc, st, err);
}
