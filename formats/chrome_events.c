/*
 * chrome_events.c - trace events without a CPU profile, read the way
 * speedscope reads them:
 *
 * - duration events: per thread, "B" opens a frame, "E" closes it and
 *   "X" (ts, dur or tdur) does both. Opens are taken in time order (ties
 *   in file order; X events with the same start, longest first), closes
 *   in time order, an open before a close at the same time only when
 *   both are the same event (name and args), and among closes at the same
 *   time first the one that matches the open frame. A close that names
 *   another frame than the open one is ignored (a warning); frames still
 *   open at the end are closed there. Each stretch of time between two
 *   changes becomes one sample of the open stack, weighed by its length.
 * - Hermes-style {"traceEvents", "samples", "stackFrames"}: a sample
 *   names its leaf in stackFrames (frames link to their "parent") and
 *   weighs the time until the thread's next sample.
 */
#include "chrome_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- duration events ---- */

typedef struct dur_event {
  double ts;             /* microseconds (start, or end for an X close) */
  const cJSON *ev;
  const char *name;      /* NULL when absent */
  char *key;             /* name + args as JSON, made when first compared */
  bool has_key;
  uint32_t index;        /* in the events array (for error paths) */
} dur_event;

typedef struct dur_thread {
  int64_t pid, tid;
  uint32_t *b, *e, *x;   /* indexes into events */
  size_t nb, ne, nx, bcap, ecap, xcap;
  double *ets;           /* close time of each entry of e (X: ts + dur) */
} dur_thread;

typedef struct dur_ctx {
  prf_profile *p;
  const prf_read_options *o;
  prf_error *err;
  const char *prefix;    /* ".traceEvents" or "" */
  dur_event *events;
  size_t nevents, events_cap;
  dur_thread *threads;
  size_t nthreads, threads_cap;
  bool hermes;
  size_t mismatched, empty_closes, left_open;
} dur_ctx;

static const char *event_key(const prf_allocator *mem, dur_event *e) {
  if (e->has_key)
    return e->key ? e->key : "";
  e->has_key = true;
  const cJSON *args = prf_json_get(e->ev, "args");
  const char *name = e->name ? e->name : "(unnamed)";
  bool with_args = args && !cJSON_IsNull(args) && !cJSON_IsFalse(args) &&
                   !(cJSON_IsNumber(args) && args->valuedouble == 0) &&
                   !(cJSON_IsString(args) && !*args->valuestring);
  char *json = with_args ? cJSON_PrintUnformatted(args) : NULL;
  size_t n = strlen(name), m = json ? strlen(json) : 0;
  e->key = prf_mem_alloc(mem, n + m + 2);
  if (e->key) {
    memcpy(e->key, name, n);
    e->key[n] = json ? ' ' : '\0';
    if (json)
      memcpy(e->key + n + 1, json, m + 1);
  }
  cJSON_free(json); /* cJSON's memory, not the profile's */
  return e->key ? e->key : "";
}

static bool same_name(const dur_event *a, const dur_event *b) {
  if (!a->name || !b->name)
    return a->name == b->name;
  return strcmp(a->name, b->name) == 0;
}

static dur_thread *thread_of(dur_ctx *c, int64_t pid, int64_t tid) {
  const prf_allocator *mem = &c->p->mem;
  for (size_t i = c->nthreads; i-- > 0;)
    if (c->threads[i].pid == pid && c->threads[i].tid == tid)
      return &c->threads[i];
  if (c->nthreads == c->threads_cap &&
      !prf_grow(mem, (void **)&c->threads, &c->threads_cap, c->nthreads + 1,
                sizeof *c->threads))
    return NULL;
  dur_thread *t = &c->threads[c->nthreads++];
  memset(t, 0, sizeof *t);
  t->pid = pid;
  t->tid = tid;
  return t;
}

static bool push_index(const prf_allocator *mem, uint32_t **arr, size_t *n,
                       size_t *cap, uint32_t v) {
  if (*n == *cap && !prf_grow(mem, (void **)arr, cap, *n + 1, sizeof **arr))
    return false;
  (*arr)[(*n)++] = v;
  return true;
}

static double x_dur(const cJSON *ev) {
  const cJSON *d = prf_json_get(ev, "dur");
  if (!d || cJSON_IsNull(d))
    d = prf_json_get(ev, "tdur");
  return cJSON_IsNumber(d) && isfinite(d->valuedouble) ? d->valuedouble : 0;
}

/* Sorts the B/E/X events of the input into threads. */
static prf_status collect(dur_ctx *c, const cJSON *events, const char *prefix) {
  const prf_allocator *mem = &c->p->mem;
  prf_jpath path;
  chr_events_path(&path, prefix);
  size_t i = 0;
  for (const cJSON *ev = events->child; ev; ev = ev->next, i++) {
    const cJSON *ph = prf_json_get(ev, "ph");
    if (!cJSON_IsString(ph) || ph->valuestring[0] == '\0' ||
        ph->valuestring[1] != '\0' || !strchr("BEX", ph->valuestring[0]))
      continue;
    char kind = ph->valuestring[0];
    size_t cut = prf_jpath_index(&path, i);
    int64_t pid, tid;
    double ts;
    const char *name = NULL;
    prf_status st = chr_pid_tid(ev, &path, c->err, &pid, &tid);
    if (st == PRF_OK)
      st = chr_time(ev, "ts", true, false, &path, c->err, &ts, NULL);
    if (st == PRF_OK)
      st = prf_json_str_opt(ev, "name", &path, c->err, &name);
    if (st == PRF_OK && kind == 'X') {
      double d;
      st = chr_time(ev, "dur", false, true, &path, c->err, &d, NULL);
      if (st == PRF_OK)
        st = chr_time(ev, "tdur", false, true, &path, c->err, &d, NULL);
    }
    prf_jpath_cut(&path, cut);
    if (st != PRF_OK)
      return st;
    if (c->nevents == c->events_cap &&
        !prf_grow(mem, (void **)&c->events, &c->events_cap, c->nevents + 1,
                  sizeof *c->events))
      return prf_fail(c->err, PRF_E_NOMEM, "out of memory");
    uint32_t k = (uint32_t)c->nevents++;
    c->events[k] = (dur_event){ts, ev, name, NULL, false, (uint32_t)i};
    dur_thread *t = thread_of(c, pid, tid);
    bool ok = t != NULL;
    if (ok && kind == 'B')
      ok = push_index(mem, &t->b, &t->nb, &t->bcap, k);
    else if (ok && kind == 'E')
      ok = push_index(mem, &t->e, &t->ne, &t->ecap, k);
    else if (ok)
      ok = push_index(mem, &t->x, &t->nx, &t->xcap, k);
    if (!ok)
      return prf_fail(c->err, PRF_E_NOMEM, "out of memory");
  }
  return PRF_OK;
}

static int x_cmp(void *ctx, uint32_t a, uint32_t b) {
  const dur_event *ev = ctx;
  if (ev[a].ts != ev[b].ts)
    return ev[a].ts < ev[b].ts ? -1 : 1;
  double da = x_dur(ev[a].ev), db = x_dur(ev[b].ev);
  return da > db ? -1 : da < db ? 1 : 0;
}

static int ts_cmp(void *ctx, uint32_t a, uint32_t b) {
  const dur_event *ev = ctx;
  return ev[a].ts < ev[b].ts ? -1 : ev[a].ts > ev[b].ts ? 1 : 0;
}

static int close_cmp(void *ctx, uint32_t a, uint32_t b) {
  const double *ets = ctx;
  return ets[a] < ets[b] ? -1 : ets[a] > ets[b] ? 1 : 0;
}

/* The open queue (B then X starts, by time) and the close queue (E then
 * X ends, by time), as event indexes; closes get their times in ets. */
static prf_status queues(dur_ctx *c, dur_thread *t, uint32_t **closes,
                         double **close_ts) {
  const prf_allocator *mem = &c->p->mem;
  if (!prf_sort_ids(mem, t->x, t->nx, x_cmp, c->events))
    return prf_fail(c->err, PRF_E_NOMEM, "out of memory");
  for (size_t i = 0; i < t->nx; i++)
    if (!push_index(mem, &t->b, &t->nb, &t->bcap, t->x[i]))
      return prf_fail(c->err, PRF_E_NOMEM, "out of memory");
  if (!prf_sort_ids(mem, t->b, t->nb, ts_cmp, c->events))
    return prf_fail(c->err, PRF_E_NOMEM, "out of memory");
  size_t n = t->ne + t->nx;
  uint32_t *order = prf_mem_alloc(mem, (n ? n : 1) * sizeof *order);
  uint32_t *ev = prf_mem_alloc(mem, (n ? n : 1) * sizeof *ev);
  double *ets = prf_mem_alloc(mem, (n ? n : 1) * sizeof *ets);
  if (!order || !ev || !ets) {
    prf_mem_free(mem, order);
    prf_mem_free(mem, ev);
    prf_mem_free(mem, ets);
    return prf_fail(c->err, PRF_E_NOMEM, "out of memory");
  }
  for (size_t i = 0; i < t->ne; i++) {
    ev[i] = t->e[i];
    ets[i] = c->events[t->e[i]].ts;
  }
  for (size_t i = 0; i < t->nx; i++) {
    ev[t->ne + i] = t->x[i];
    ets[t->ne + i] = c->events[t->x[i]].ts + x_dur(c->events[t->x[i]].ev);
  }
  for (size_t i = 0; i < n; i++)
    order[i] = (uint32_t)i;
  bool ok = prf_sort_ids(mem, order, n, close_cmp, ets);
  uint32_t *sorted_ev = prf_mem_alloc(mem, (n ? n : 1) * sizeof *sorted_ev);
  double *sorted_ts = prf_mem_alloc(mem, (n ? n : 1) * sizeof *sorted_ts);
  if (ok && sorted_ev && sorted_ts)
    for (size_t i = 0; i < n; i++) {
      sorted_ev[i] = ev[order[i]];
      sorted_ts[i] = ets[order[i]];
    }
  prf_mem_free(mem, order);
  prf_mem_free(mem, ev);
  prf_mem_free(mem, ets);
  if (!ok || !sorted_ev || !sorted_ts) {
    prf_mem_free(mem, sorted_ev);
    prf_mem_free(mem, sorted_ts);
    return prf_fail(c->err, PRF_E_NOMEM, "out of memory");
  }
  t->ne = n;
  *closes = sorted_ev;
  *close_ts = sorted_ts;
  return PRF_OK;
}

/* The frame of an opening event: its name (Hermes traces add the
 * source position from args). */
static prf_status event_frame(dur_ctx *c, const dur_event *e, prf_fid *out) {
  prf_frame f;
  memset(&f, 0, sizeof f);
  const char *name = e->name ? e->name : "(unnamed)";
  prf_status st = prf_string_intern(c->p, name, strlen(name), &f.name);
  const cJSON *cat = prf_json_get(e->ev, "cat");
  if (st == PRF_OK && cJSON_IsString(cat) && *cat->valuestring)
    st = prf_string_intern(c->p, cat->valuestring, strlen(cat->valuestring),
                           &f.module);
  if (st == PRF_OK && c->hermes) {
    const cJSON *args = prf_json_get(e->ev, "args");
    const cJSON *url = prf_json_get(args, "url");
    const cJSON *ln = prf_json_get(args, "line"), *cl = prf_json_get(args, "column");
    if (cJSON_IsString(url) && *url->valuestring)
      st = prf_string_intern(c->p, url->valuestring, strlen(url->valuestring),
                             &f.file);
    if (cJSON_IsNumber(ln) && ln->valuedouble >= 1 && ln->valuedouble < UINT32_MAX)
      f.line = (uint32_t)ln->valuedouble;
    if (cJSON_IsNumber(cl) && cl->valuedouble >= 1 && cl->valuedouble < UINT32_MAX)
      f.column = (uint32_t)cl->valuedouble;
  }
  if (st == PRF_OK)
    st = prf_frame_intern(c->p, &f, out);
  return st == PRF_OK ? PRF_OK : prf_fail(c->err, st, "out of memory");
}

typedef struct open_stack {
  const prf_allocator *mem;
  uint32_t *ev;       /* open events */
  prf_node *node;     /* their tree nodes */
  size_t len, ev_cap, node_cap;
  prf_node base;
  double last;        /* time of the last change */
  bool started;
  uint32_t thread;
} open_stack;

/* The stack changes at time ts: the stretch since the last change is a
 * sample of the stack as it was. */
static prf_status advance(dur_ctx *c, open_stack *s, double ts) {
  if (s->started && s->len > 0 && ts > s->last) {
    double v = ts - s->last;
    int64_t ns = (int64_t)llround(s->last * 1000.0);
    prf_status st = prf_sample_add(c->p, s->node[s->len - 1], &v, ns, s->thread);
    if (st != PRF_OK)
      return prf_fail(c->err, st, "cannot add a sample");
  }
  s->started = true;
  s->last = ts;
  return PRF_OK;
}

/* Fails naming the event (a limit the model hit, or memory). */
static prf_status event_fail(dur_ctx *c, prf_status st, uint32_t k,
                             const char *what) {
  prf_jpath path;
  chr_events_path(&path, c->prefix);
  prf_jpath_index(&path, c->events[k].index);
  return prf_fail(c->err, st, "at %s: %s", path.buf, what);
}

static prf_status open_frame(dur_ctx *c, open_stack *s, uint32_t k) {
  const prf_allocator *mem = &c->p->mem;
  prf_status st = advance(c, s, c->events[k].ts);
  prf_fid fid;
  if (st == PRF_OK && (st = event_frame(c, &c->events[k], &fid)) != PRF_OK)
    st = event_fail(c, st, k, "cannot add its frame");
  if (st != PRF_OK)
    return st;
  if ((s->len == s->ev_cap && !prf_grow(mem, (void **)&s->ev, &s->ev_cap,
                                        s->len + 1, sizeof *s->ev)) ||
      (s->len == s->node_cap && !prf_grow(mem, (void **)&s->node, &s->node_cap,
                                          s->len + 1, sizeof *s->node)))
    return prf_fail(c->err, PRF_E_NOMEM, "out of memory");
  prf_node parent = s->len ? s->node[s->len - 1] : s->base;
  st = prf_tree_child(prf_profile_tree(c->p), parent, fid, &s->node[s->len]);
  if (st != PRF_OK)
    return event_fail(c, st, k, "cannot add a stack");
  s->ev[s->len++] = k;
  return PRF_OK;
}

static prf_status close_frame(dur_ctx *c, open_stack *s, uint32_t k,
                              double ts) {
  if (s->len == 0) {
    c->empty_closes++;
    return PRF_OK;
  }
  dur_event *top = &c->events[s->ev[s->len - 1]];
  if (!same_name(top, &c->events[k])) {
    c->mismatched++;
    return PRF_OK;
  }
  prf_status st = advance(c, s, ts);
  s->len--;
  return st;
}

/* Puts the close that best matches the open frame first among the
 * closes at the same time: same key, else same name. */
static void pick_close(dur_ctx *c, open_stack *s, uint32_t *closes,
                       const double *cts, size_t at, size_t n) {
  const prf_allocator *mem = &c->p->mem;
  if (s->len == 0)
    return;
  dur_event *top = &c->events[s->ev[s->len - 1]];
  for (int pass = 0; pass < 2; pass++)
    for (size_t j = at + 1; j < n && cts[j] <= cts[at]; j++) {
      dur_event *e = &c->events[closes[j]];
      bool match = pass == 0
                       ? strcmp(event_key(mem, top), event_key(mem, e)) == 0
                       : same_name(top, e);
      if (match) {
        uint32_t tmp = closes[at];
        closes[at] = closes[j];
        closes[j] = tmp;
        return;
      }
    }
}

static prf_status run_thread(dur_ctx *c, dur_thread *t, uint32_t thread,
                             prf_fid root) {
  const prf_allocator *mem = &c->p->mem;
  uint32_t *closes = NULL;
  double *cts = NULL;
  prf_status st = queues(c, t, &closes, &cts);
  open_stack s;
  memset(&s, 0, sizeof s);
  s.mem = mem;
  s.thread = thread;
  if (st == PRF_OK && root != PRF_NONE &&
      (st = prf_tree_child(prf_profile_tree(c->p), 0, root, &s.base)) != PRF_OK)
    st = prf_fail(c->err, st, "cannot add a stack");
  size_t bi = 0, ei = 0;
  while (st == PRF_OK && (bi < t->nb || ei < t->ne)) {
    bool take_b;
    if (ei == t->ne)
      take_b = true;
    else if (bi == t->nb)
      take_b = false;
    else {
      double bts = c->events[t->b[bi]].ts, ets = cts[ei];
      take_b =
          bts < ets ||
          (bts == ets && strcmp(event_key(mem, &c->events[t->b[bi]]),
                                event_key(mem, &c->events[closes[ei]])) == 0);
    }
    if (take_b) {
      st = open_frame(c, &s, t->b[bi++]);
    } else {
      pick_close(c, &s, closes, cts, ei, t->ne);
      st = close_frame(c, &s, closes[ei], cts[ei]);
      ei++;
    }
  }
  c->left_open += s.len;
  prf_mem_free(mem, s.ev);
  prf_mem_free(mem, s.node);
  prf_mem_free(mem, closes);
  prf_mem_free(mem, cts);
  return st;
}

static int thread_cmp(void *ctx, uint32_t a, uint32_t b) {
  const dur_thread *t = ctx;
  if (t[a].pid != t[b].pid)
    return t[a].pid < t[b].pid ? -1 : 1;
  return t[a].tid < t[b].tid ? -1 : t[a].tid > t[b].tid ? 1 : 0;
}

/* Hermes traces ship their source positions in every event's args. */
static bool is_hermes(const cJSON *events) {
  const cJSON *args = prf_json_get(events->child, "args");
  static const char *const keys[] = {"line", "column", "name", "category",
                                     "url", "params", "allocatedCategory",
                                     "allocatedName"};
  if (!cJSON_IsObject(args))
    return false;
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
    if (!prf_json_get(args, keys[i]))
      return false;
  return true;
}

static prf_status read_durations(prf_profile *p, const cJSON *events,
                                 const char *prefix, chr_names *names,
                                 const prf_read_options *o, prf_error *err) {
  const prf_allocator *mem = &p->mem;
  dur_ctx c;
  memset(&c, 0, sizeof c);
  c.p = p;
  c.o = o;
  c.err = err;
  c.prefix = prefix;
  c.hermes = is_hermes(events);
  prf_status st = collect(&c, events, prefix);
  if (st == PRF_OK && c.nthreads == 0)
    st = prf_fail(err, PRF_E_DATA,
                  "at %s: expected a CPU profile (Profile, ProfileChunk or "
                  "CpuProfile events) or duration events (ph B, E or X), "
                  "found neither", *prefix ? prefix : "the top level");
  if (st == PRF_OK && !prf_weigh_by_time(o))
    chr_warn(o, "duration events have no samples: weighing by time");
  const char *type = "wall", *unit = "microseconds";
  if (st == PRF_OK)
    st = prf_reader_columns(p, 1, &type, &unit, err);
  uint32_t *order =
      prf_mem_alloc(mem, (c.nthreads ? c.nthreads : 1) * sizeof *order);
  if (st == PRF_OK && !order)
    st = prf_fail(err, PRF_E_NOMEM, "out of memory");
  for (size_t i = 0; st == PRF_OK && i < c.nthreads; i++) {
    order[i] = (uint32_t)i;
    if (c.threads[i].pid != c.threads[0].pid)
      names->many_pids = true;
  }
  if (st == PRF_OK &&
      !prf_sort_ids(mem, order, c.nthreads, thread_cmp, c.threads))
    st = prf_fail(err, PRF_E_NOMEM, "out of memory");
  for (size_t i = 0; st == PRF_OK && i < c.nthreads; i++) {
    dur_thread *t = &c.threads[order[i]];
    uint32_t thread;
    prf_fid root;
    bool wanted;
    st = chr_thread(p, o, names, t->pid, t->tid, &thread, &root, &wanted, err);
    if (st == PRF_OK && wanted)
      st = run_thread(&c, t, thread, root);
  }
  if (st == PRF_OK && c.mismatched + c.empty_closes + c.left_open > 0)
    chr_warn(o, "unbalanced duration events: %zu end events did not match "
                "the open event, %zu came with nothing open, %zu events were "
                "still open at the end", c.mismatched, c.empty_closes,
             c.left_open);
  for (size_t i = 0; i < c.nevents; i++)
    prf_mem_free(mem, c.events[i].key);
  for (size_t i = 0; i < c.nthreads; i++) {
    prf_mem_free(mem, c.threads[i].b);
    prf_mem_free(mem, c.threads[i].e);
    prf_mem_free(mem, c.threads[i].x);
  }
  prf_mem_free(mem, c.threads);
  prf_mem_free(mem, c.events);
  prf_mem_free(mem, order);
  return st;
}

/* ---- Hermes samples + stackFrames ---- */

typedef struct sf_table {
  const prf_allocator *mem;
  prf_keymap ids;        /* frame id -> index + 1 */
  const cJSON **frames;
  prf_fid *fids;         /* interned lazily */
  size_t n;
} sf_table;

static prf_status sf_build(sf_table *t, const cJSON *obj, prf_error *err) {
  const prf_allocator *mem = t->mem;
  size_t n = (size_t)cJSON_GetArraySize(obj);
  t->frames = prf_mem_alloc(mem, (n ? n : 1) * sizeof *t->frames);
  t->fids = prf_mem_alloc(mem, (n ? n : 1) * sizeof *t->fids);
  if (!t->frames || !t->fids)
    return prf_fail(err, PRF_E_NOMEM, "out of memory");
  for (const cJSON *f = obj->child; f; f = f->next) {
    char *end;
    long long id = strtoll(f->string ? f->string : "", &end, 10);
    if (!f->string || !*f->string || *end || !cJSON_IsObject(f) ||
        id <= INT64_MIN / 2 || id >= INT64_MAX / 2)
      return prf_fail(err, PRF_E_DATA,
                      "at .stackFrames: expected frame objects under numeric "
                      "ids, found \"%.40s\"", f->string ? f->string : "");
    bool fresh;
    uint32_t k =
        prf_keymap_id(mem, &t->ids, (uint64_t)id ^ (1ull << 63), &fresh);
    if (!k)
      return prf_fail(err, PRF_E_NOMEM, "out of memory");
    if (fresh) {
      t->frames[t->n] = f;
      t->fids[t->n++] = PRF_NONE;
    } else {
      t->frames[k - 1] = f; /* a repeated key: the last one wins */
    }
  }
  return PRF_OK;
}

static prf_status sf_frame(prf_profile *p, sf_table *t, uint32_t i,
                           prf_error *err) {
  if (t->fids[i] != PRF_NONE)
    return PRF_OK;
  const cJSON *nm = prf_json_get(t->frames[i], "name");
  const cJSON *cat = prf_json_get(t->frames[i], "category");
  prf_frame f;
  memset(&f, 0, sizeof f);
  const char *name = cJSON_IsString(nm) && *nm->valuestring ? nm->valuestring
                                                            : "(anonymous)";
  prf_status st = prf_string_intern(p, name, strlen(name), &f.name);
  if (st == PRF_OK && cJSON_IsString(cat))
    st = prf_string_intern(p, cat->valuestring, strlen(cat->valuestring),
                           &f.module);
  if (st == PRF_OK)
    st = prf_frame_intern(p, &f, &t->fids[i]);
  return st == PRF_OK ? PRF_OK : prf_fail(err, st, "out of memory");
}

/* The stack of frame id leaf, root first, into s. */
static prf_status sf_stack(prf_profile *p, sf_table *t, int64_t leaf,
                           prf_fstack *s, size_t sample, prf_error *err) {
  const prf_allocator *mem = &p->mem;
  s->len = 0;
  int64_t id = leaf;
  while (id != 0) {
    bool fresh;
    uint32_t k =
        prf_keymap_id(mem, &t->ids, (uint64_t)id ^ (1ull << 63), &fresh);
    if (!k)
      return prf_fail(err, PRF_E_NOMEM, "out of memory");
    if (fresh || k > t->n)
      return prf_fail(err, PRF_E_DATA,
                      "at .samples[%zu]: frame %lld is not in .stackFrames",
                      sample, (long long)id);
    if (s->len > t->n)
      return prf_fail(err, PRF_E_DATA,
                      "at .stackFrames: expected a tree, but frame %lld is "
                      "its own ancestor (a cycle of parent links)",
                      (long long)leaf);
    prf_status st = sf_frame(p, t, k - 1, err);
    if (st != PRF_OK)
      return prf_fail(err, st, "at .samples[%zu]: cannot add frame %lld",
                      sample, (long long)id);
    if (!prf_fstack_push(mem, s, t->fids[k - 1]))
      return prf_fail(err, PRF_E_NOMEM, "out of memory");
    const cJSON *par = prf_json_get(t->frames[k - 1], "parent");
    id = cJSON_IsNumber(par) && fabs(par->valuedouble) < 9e15
             ? (int64_t)par->valuedouble
             : 0;
  }
  for (size_t i = 0; i < s->len / 2; i++) {
    prf_fid tmp = s->ids[i];
    s->ids[i] = s->ids[s->len - 1 - i];
    s->ids[s->len - 1 - i] = tmp;
  }
  return PRF_OK;
}

typedef struct hs_sample {
  int64_t pid, tid, sf;
  double ts;
  uint32_t index;
} hs_sample;

static int hs_cmp(void *ctx, uint32_t a, uint32_t b) {
  const hs_sample *s = ctx;
  if (s[a].pid != s[b].pid)
    return s[a].pid < s[b].pid ? -1 : 1;
  return s[a].tid < s[b].tid ? -1 : s[a].tid > s[b].tid ? 1 : 0;
}

static prf_status read_samples(prf_profile *p, const cJSON *samples,
                               const cJSON *frames, chr_names *names,
                               const prf_read_options *o, prf_error *err) {
  const prf_allocator *mem = &p->mem;
  size_t n = (size_t)cJSON_GetArraySize(samples), i = 0;
  hs_sample *hs = prf_mem_alloc(mem, (n ? n : 1) * sizeof *hs);
  uint32_t *order = prf_mem_alloc(mem, (n ? n : 1) * sizeof *order);
  sf_table t;
  memset(&t, 0, sizeof t);
  t.mem = mem;
  prf_fstack stack = {0};
  prf_status st = hs && order ? sf_build(&t, frames, err)
                              : prf_fail(err, PRF_E_NOMEM, "out of memory");
  prf_jpath path;
  prf_jpath_init(&path);
  prf_jpath_key(&path, "samples");
  for (const cJSON *s = samples->child; st == PRF_OK && s; s = s->next, i++) {
    size_t cut = prf_jpath_index(&path, i);
    hs[i].index = (uint32_t)i;
    st = chr_pid_tid(s, &path, err, &hs[i].pid, &hs[i].tid);
    if (st == PRF_OK)
      st = chr_time(s, "ts", true, false, &path, err, &hs[i].ts, NULL);
    if (st == PRF_OK)
      st = prf_json_int(s, "sf", true, INT64_MIN / 2, INT64_MAX / 2, &path,
                        err, &hs[i].sf);
    prf_jpath_cut(&path, cut);
    order[i] = (uint32_t)i;
    if (st == PRF_OK && hs[i].pid != hs[0].pid)
      names->many_pids = true;
  }
  if (st == PRF_OK && n == 0)
    st = prf_fail(err, PRF_E_DATA, "at .samples: expected samples, found none");
  if (st == PRF_OK)
    st = chr_columns(p, o, "cpu", err);
  if (st == PRF_OK && !prf_sort_ids(mem, order, n, hs_cmp, hs))
    st = prf_fail(err, PRF_E_NOMEM, "out of memory");
  uint32_t thread = PRF_NONE;
  prf_fid root = PRF_NONE;
  bool wanted = false;
  for (size_t k = 0; st == PRF_OK && k < n; k++) {
    const hs_sample *s = &hs[order[k]];
    bool first = k == 0 || hs_cmp(hs, order[k - 1], order[k]) != 0;
    bool last = k + 1 == n || hs_cmp(hs, order[k], order[k + 1]) != 0;
    if (first)
      st = chr_thread(p, o, names, s->pid, s->tid, &thread, &root, &wanted,
                      err);
    if (st != PRF_OK || !wanted)
      continue;
    double v = 1;
    if (prf_weigh_by_time(o))
      v = last ? 0 : fmax(0, hs[order[k + 1]].ts - s->ts);
    st = sf_stack(p, &t, s->sf, &stack, s->index, err);
    if (st != PRF_OK || (stack.len == 0 && !o->include_idle))
      continue;
    prf_tree *tree = prf_profile_tree(p);
    prf_node leaf = 0;
    prf_status st2 = root != PRF_NONE ? prf_tree_child(tree, 0, root, &leaf)
                                      : PRF_OK;
    for (size_t d = 0; st2 == PRF_OK && d < stack.len; d++)
      st2 = prf_tree_child(tree, leaf, stack.ids[d], &leaf);
    if (st2 == PRF_OK)
      st2 = prf_sample_add(p, leaf, &v, (int64_t)llround(s->ts * 1000.0),
                           thread);
    if (st2 != PRF_OK)
      st = prf_fail(err, st2, "at .samples[%u]: cannot add a stack",
                    s->index);
  }
  prf_fstack_free(mem, &stack);
  prf_keymap_free(mem, &t.ids);
  prf_mem_free(mem, t.frames);
  prf_mem_free(mem, t.fids);
  prf_mem_free(mem, hs);
  prf_mem_free(mem, order);
  return st;
}

prf_status chr_read_timeline(prf_profile *p, const cJSON *root,
                             const cJSON *events, const char *prefix,
                             chr_names *names, const prf_read_options *o,
                             prf_error *err) {
  const cJSON *samples = prf_json_get(root, "samples");
  const cJSON *frames = prf_json_get(root, "stackFrames");
  if (samples || frames) {
    prf_jpath path;
    prf_jpath_init(&path);
    prf_status st = prf_json_array(root, "samples", &path, err, &samples);
    if (st == PRF_OK)
      st = prf_json_object(root, "stackFrames", &path, err, &frames);
    return st == PRF_OK ? read_samples(p, samples, frames, names, o, err) : st;
  }
  return read_durations(p, events, prefix, names, o, err);
}
