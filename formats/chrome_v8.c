/*
 * chrome_v8.c - a V8 CPU profile (nodes, samples, time deltas) turned
 * into time-ordered samples, the way speedscope reads it:
 *
 * - sample i happens at startTime + timeDeltas[0] + ... + timeDeltas[i];
 *   a time earlier than the start of the previous distinct stack (real
 *   files have negative deltas) is moved up to it;
 * - a sample weighs the time until the next sample; the last weighs 0;
 * - (root), (idle) and "native dummy.js" frames are not shown; an (idle)
 *   sample is dropped unless include_idle (then it is "(idle)");
 * - (program) and (garbage collector) are put on top of the previous
 *   sample's stack, where V8 reports them as children of (root);
 * - a sample whose node is not in the profile (a lost chunk) extends the
 *   stack before it;
 * - a leaf with positionTicks (hits per source line) gets one frame per
 *   line: each of its samples goes whole to one line, the lines taking
 *   turns in proportion to their ticks, so that with --weight samples each
 *   line gets exactly its ticks. Line granularity shows the lines,
 *   function granularity merges them back into the function.
 */
#include "chrome_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void chr_profile_free(chr_profile *cp) {
  const prf_allocator *mem = cp->mem;
  prf_mem_free(mem, cp->nodes);
  prf_mem_free(mem, cp->samples);
  prf_mem_free(mem, cp->deltas);
  prf_mem_free(mem, cp->ticks);
  prf_mem_free(mem, cp->key);
  memset(cp, 0, sizeof *cp);
  cp->mem = mem;
}

/* ---- reading ---- */

static uint8_t special_of(const char *name, const char *url) {
  if (url && strcmp(url, "native dummy.js") == 0)
    return CHR_IGNORED;
  if (strcmp(name, "(root)") == 0)
    return CHR_ROOT;
  if (strcmp(name, "(idle)") == 0)
    return CHR_IDLE;
  if (strcmp(name, "(program)") == 0 || strcmp(name, "(garbage collector)") == 0)
    return CHR_PROGRAM;
  return CHR_PLAIN;
}

/* Appends a node read from either node format. */
static prf_status push_node(chr_profile *cp, const chr_node *n,
                            prf_error *err) {
  const prf_allocator *mem = cp->mem;
  if (cp->nnodes == cp->nodes_cap &&
      !prf_grow(mem, (void **)&cp->nodes, &cp->nodes_cap, cp->nnodes + 1,
                sizeof *cp->nodes))
    return prf_fail(err, PRF_E_NOMEM, "out of memory");
  cp->nodes[cp->nnodes++] = *n;
  return PRF_OK;
}

static prf_status add_node(chr_profile *cp, const cJSON *item, prf_jpath *path,
                           uint32_t event, uint32_t index, prf_error *err) {
  chr_node n;
  memset(&n, 0, sizeof n);
  n.parent = PRF_NONE;
  n.fid = PRF_NONE;
  n.event = event;
  n.index = index;
  if (!cJSON_IsObject(item))
    return prf_json_expected(err, path, NULL, "a node object", item);
  prf_status st = prf_json_int(item, "id", false, INT64_MIN, INT64_MAX - 1,
                               path, err, &n.id);
  if (st == PRF_OK)
    st = prf_json_object(item, "callFrame", path, err, &n.call_frame);
  if (st == PRF_OK && prf_json_get(item, "parent") &&
      !cJSON_IsNull(prf_json_get(item, "parent"))) {
    st = prf_json_int(item, "parent", false, INT64_MIN, INT64_MAX - 1, path,
                      err, &n.parent_id);
    n.has_parent = 1;
  }
  if (st == PRF_OK)
    st = prf_json_array_opt(item, "children", path, err, &n.children);
  if (st == PRF_OK)
    st = prf_json_array_opt(item, "positionTicks", path, err, &n.ticks);
  if (st != PRF_OK)
    return st;
  /* The call frame's fields are checked here, interned when used. */
  size_t cut = prf_jpath_key(path, "callFrame");
  const char *name = "", *url = NULL;
  int64_t v;
  st = prf_json_str_opt(n.call_frame, "functionName", path, err, &name);
  if (st == PRF_OK)
    st = prf_json_str_opt(n.call_frame, "url", path, err, &url);
  if (st == PRF_OK)
    st = prf_json_int_opt(n.call_frame, "lineNumber", false, INT32_MIN,
                          INT32_MAX - 1, path, err, &v);
  if (st == PRF_OK)
    st = prf_json_int_opt(n.call_frame, "columnNumber", false, INT32_MIN,
                          INT32_MAX - 1, path, err, &v);
  prf_jpath_cut(path, cut);
  if (st != PRF_OK)
    return st;
  n.special = special_of(name, url);
  return push_node(cp, &n, err);
}

prf_status chr_add_nodes(chr_profile *cp, const cJSON *nodes, prf_jpath *path,
                         uint32_t event, prf_error *err) {
  uint32_t i = 0;
  for (const cJSON *item = nodes->child; item; item = item->next, i++) {
    size_t cut = prf_jpath_index(path, i);
    prf_status st = add_node(cp, item, path, event, i, err);
    prf_jpath_cut(path, cut);
    if (st != PRF_OK)
      return st;
  }
  return PRF_OK;
}

prf_status chr_add_samples(chr_profile *cp, const cJSON *samples,
                           prf_jpath *path, uint32_t event, prf_error *err) {
  const prf_allocator *mem = cp->mem;
  size_t n = (size_t)cJSON_GetArraySize(samples);
  (void)event;
  if (!prf_grow(mem, (void **)&cp->samples, &cp->samples_cap,
                cp->nsamples + n + 1, sizeof *cp->samples))
    return prf_fail(err, PRF_E_NOMEM, "out of memory");
  size_t i = 0;
  for (const cJSON *item = samples->child; item; item = item->next, i++) {
    if (cJSON_IsNumber(item) && item->valuedouble == floor(item->valuedouble) &&
        fabs(item->valuedouble) < 9e15) {
      cp->samples[cp->nsamples++] = (int64_t)item->valuedouble;
      continue;
    }
    size_t cut = prf_jpath_index(path, i);
    prf_status st = prf_json_expected(err, path, NULL, "a node id", item);
    prf_jpath_cut(path, cut);
    return st;
  }
  return PRF_OK;
}

prf_status chr_add_deltas(chr_profile *cp, const cJSON *deltas,
                          prf_jpath *path, prf_error *err) {
  const prf_allocator *mem = cp->mem;
  size_t n = (size_t)cJSON_GetArraySize(deltas);
  if (!prf_grow(mem, (void **)&cp->deltas, &cp->deltas_cap, cp->ndeltas + n + 1,
                sizeof *cp->deltas))
    return prf_fail(err, PRF_E_NOMEM, "out of memory");
  size_t i = 0;
  for (const cJSON *item = deltas->child; item; item = item->next, i++) {
    if (cJSON_IsNumber(item) && isfinite(item->valuedouble) &&
        fabs(item->valuedouble) < 1e15) {
      cp->deltas[cp->ndeltas++] = item->valuedouble;
      continue;
    }
    size_t cut = prf_jpath_index(path, i);
    prf_status st = prf_json_expected(err, path, NULL,
                                      "a time delta in microseconds", item);
    prf_jpath_cut(path, cut);
    return st;
  }
  return PRF_OK;
}

prf_status chr_time(const cJSON *obj, const char *key, bool lenient, bool opt,
                    const prf_jpath *path, prf_error *err, double *out,
                    bool *has) {
  const cJSON *v = prf_json_get(obj, key);
  if (opt && (!v || cJSON_IsNull(v)))
    return PRF_OK;
  double t;
  prf_status st = prf_json_num(obj, key, lenient, path, err, &t);
  if (st == PRF_OK && !(fabs(t) < CHR_MAX_US))
    st = prf_json_expected(err, path, key,
                           "a time in microseconds from -9.2e15 to 9.2e15", v);
  if (st != PRF_OK)
    return st;
  *out = t;
  if (has)
    *has = true;
  return PRF_OK;
}

prf_status chr_add_cpuprofile(chr_profile *cp, const cJSON *obj,
                              prf_jpath *path, uint32_t event,
                              prf_error *err) {
  const cJSON *nodes, *samples, *deltas;
  prf_status st = prf_json_array(obj, "nodes", path, err, &nodes);
  if (st == PRF_OK)
    st = prf_json_array(obj, "samples", path, err, &samples);
  if (st == PRF_OK)
    st = prf_json_array(obj, "timeDeltas", path, err, &deltas);
  if (st == PRF_OK)
    st = chr_time(obj, "startTime", false, true, path, err, &cp->start_time,
                  &cp->has_start);
  if (st == PRF_OK)
    st = chr_time(obj, "endTime", false, true, path, err, &cp->end_time,
                  &cp->has_end);
  size_t cut = path->len;
  if (st == PRF_OK) {
    prf_jpath_key(path, "nodes");
    st = chr_add_nodes(cp, nodes, path, event, err);
    prf_jpath_cut(path, cut);
  }
  if (st == PRF_OK) {
    prf_jpath_key(path, "samples");
    st = chr_add_samples(cp, samples, path, event, err);
    prf_jpath_cut(path, cut);
  }
  if (st == PRF_OK) {
    prf_jpath_key(path, "timeDeltas");
    st = chr_add_deltas(cp, deltas, path, err);
    prf_jpath_cut(path, cut);
  }
  return st;
}

/* ---- the old format: a nested "head" tree and absolute timestamps ---- */

/* One node of the tree: its call frame fields are the node's own. */
static prf_status old_node(chr_profile *cp, const cJSON *item, uint32_t parent,
                           uint32_t index, prf_error *err) {
  prf_jpath path;
  prf_jpath_init(&path);
  prf_jpath_key(&path, "head");
  if (!cJSON_IsObject(item))
    return prf_json_expected(err, &path, NULL, "node objects in the tree",
                             item);
  chr_node n;
  memset(&n, 0, sizeof n);
  n.parent = parent;
  n.fid = PRF_NONE;
  n.event = UINT32_MAX;
  n.index = index;
  n.call_frame = item;
  n.old = 1;
  const char *name = "", *url = NULL;
  int64_t v;
  prf_status st = prf_json_int(item, "id", false, INT64_MIN, INT64_MAX - 1,
                               &path, err, &n.id);
  if (st == PRF_OK)
    st = prf_json_str_opt(item, "functionName", &path, err, &name);
  if (st == PRF_OK)
    st = prf_json_str_opt(item, "url", &path, err, &url);
  if (st == PRF_OK)
    st = prf_json_int_opt(item, "lineNumber", false, INT32_MIN, INT32_MAX - 1,
                          &path, err, &v);
  if (st == PRF_OK)
    st = prf_json_array_opt(item, "positionTicks", &path, err, &n.ticks);
  if (st != PRF_OK)
    return st;
  n.special = special_of(name, url);
  return push_node(cp, &n, err);
}

prf_status chr_add_old_profile(chr_profile *cp, const cJSON *obj,
                               prf_error *err) {
  const prf_allocator *mem = cp->mem;
  prf_jpath path;
  prf_jpath_init(&path);
  const cJSON *head, *samples, *stamps;
  prf_status st = prf_json_object(obj, "head", &path, err, &head);
  if (st == PRF_OK)
    st = prf_json_array(obj, "samples", &path, err, &samples);
  if (st == PRF_OK)
    st = prf_json_array(obj, "timestamps", &path, err, &stamps);
  double start = 0, end = 0;
  if (st == PRF_OK)
    st = prf_json_num(obj, "startTime", false, &path, err, &start);
  if (st == PRF_OK)
    st = prf_json_num_opt(obj, "endTime", false, &path, err, &end);
  const char *bad = st != PRF_OK             ? NULL
                    : !(fabs(start) < 9.2e9) ? "startTime"
                    : !(fabs(end) < 9.2e9)   ? "endTime"
                                             : NULL;
  if (bad)
    st = prf_json_expected(err, &path, bad,
                           "a time in seconds from -9.2e9 to 9.2e9",
                           prf_json_get(obj, bad));
  if (st != PRF_OK)
    return st;
  /* Seconds there, microseconds here. */
  cp->start_time = start * 1e6;
  cp->end_time = end * 1e6;
  cp->has_start = true;
  cp->has_end = prf_json_get(obj, "endTime") != NULL;
  /* Depth first without recursion: a stack of (node, parent index). */
  const cJSON **todo = NULL;
  uint32_t *up = NULL;
  size_t len = 0, cap = 0, ucap = 0;
  if (!prf_grow(mem, (void **)&todo, &cap, 1, sizeof *todo) ||
      !prf_grow(mem, (void **)&up, &ucap, 1, sizeof *up))
    st = prf_fail(err, PRF_E_NOMEM, "out of memory");
  if (st == PRF_OK) {
    todo[len] = head;
    up[len++] = PRF_NONE;
  }
  while (st == PRF_OK && len > 0) {
    len--;
    const cJSON *item = todo[len];
    uint32_t index = (uint32_t)cp->nnodes;
    st = old_node(cp, item, up[len], index, err);
    const cJSON *kids = NULL;
    if (st == PRF_OK)
      st = prf_json_array_opt(item, "children", &path, err, &kids);
    size_t nk = kids ? (size_t)cJSON_GetArraySize(kids) : 0;
    if (st == PRF_OK &&
        (!prf_grow(mem, (void **)&todo, &cap, len + nk, sizeof *todo) ||
         !prf_grow(mem, (void **)&up, &ucap, len + nk, sizeof *up)))
      st = prf_fail(err, PRF_E_NOMEM, "out of memory");
    size_t k = len + nk;
    for (const cJSON *c = kids ? kids->child : NULL; st == PRF_OK && c; c = c->next) {
      todo[--k] = c; /* reversed, so the first child comes out first */
      up[k] = index;
    }
    len += nk;
  }
  prf_mem_free(mem, todo);
  prf_mem_free(mem, up);
  prf_jpath_key(&path, "samples");
  if (st == PRF_OK)
    st = chr_add_samples(cp, samples, &path, UINT32_MAX, err);
  /* Absolute timestamps (microseconds) become deltas. */
  prf_jpath_init(&path);
  prf_jpath_key(&path, "timestamps");
  size_t n0 = cp->ndeltas;
  if (st == PRF_OK)
    st = chr_add_deltas(cp, stamps, &path, err);
  for (size_t i = cp->ndeltas; st == PRF_OK && i-- > n0;)
    cp->deltas[i] -= i > n0 ? cp->deltas[i - 1] : cp->start_time;
  return st;
}

/* ---- resolving ---- */

/* The path of an old-format node: ".head.children[2].children[0]". The
 * tree is at most 500 deep (cJSON nests 1000 levels); a long path is cut
 * short, which still names where it leads. */
static void old_node_path(const chr_profile *cp, size_t i, char *buf,
                          size_t size) {
  uint32_t up[500];
  size_t depth = 0;
  for (uint32_t j = (uint32_t)i; cp->nodes[j].parent != PRF_NONE && depth < 500;
       j = cp->nodes[j].parent)
    up[depth++] = j;
  size_t len = (size_t)snprintf(buf, size, ".head");
  while (depth-- > 0 && len < size) {
    const chr_node *c = &cp->nodes[up[depth]];
    const cJSON *kids = prf_json_get(cp->nodes[c->parent].call_frame, "children");
    size_t k = 0;
    for (const cJSON *it = kids ? kids->child : NULL; it && it != c->call_frame;
         it = it->next)
      k++;
    len += (size_t)snprintf(buf + len, size - len, ".children[%zu]", k);
  }
}

/* The JSON path of node i, for messages. */
static void node_path(const chr_profile *cp, size_t i, char *buf, size_t size) {
  const chr_node *n = &cp->nodes[i];
  if (n->old)
    old_node_path(cp, i, buf, size);
  else if (n->event == UINT32_MAX)
    snprintf(buf, size, ".nodes[%u]", n->index);
  else
    snprintf(buf, size, "%s[%u].args.data.cpuProfile.nodes[%u]", cp->prefix,
             n->event, n->index);
}

/* The key of a node id in a prf_keymap (which cannot hold UINT64_MAX;
 * ids stop at INT64_MAX - 1). */
static uint64_t id_key(int64_t id) { return (uint64_t)id ^ (1ull << 63); }

/* The index of node id, PRF_NONE when there is none (a look-up of a
 * missing id adds it to the map, past the nodes: it stays missing). */
static prf_status find_node(const prf_allocator *mem, prf_keymap *ids,
                            size_t nnodes, int64_t id, uint32_t *out) {
  bool fresh;
  uint32_t k = prf_keymap_id(mem, ids, id_key(id), &fresh);
  if (!k)
    return PRF_E_NOMEM;
  *out = fresh || k > nnodes ? PRF_NONE : k - 1;
  return PRF_OK;
}

/* Resolves parents (from "parent" and from "children") and checks that
 * they form a forest. Node ids map to indexes through ids. */
static prf_status resolve(chr_profile *cp, prf_keymap *ids, prf_error *err) {
  const prf_allocator *mem = cp->mem;
  char where[256];
  for (size_t i = 0; i < cp->nnodes; i++) {
    bool fresh;
    uint32_t k = prf_keymap_id(mem, ids, id_key(cp->nodes[i].id), &fresh);
    if (!k)
      return prf_fail(err, PRF_E_NOMEM, "out of memory");
    if (!fresh || k != i + 1) {
      node_path(cp, i, where, sizeof where);
      return prf_fail(err, PRF_E_DATA,
                      "at %s.id: expected a unique node id, but %lld is "
                      "used twice", where, (long long)cp->nodes[i].id);
    }
  }
  for (size_t i = 0; i < cp->nnodes; i++) {
    chr_node *n = &cp->nodes[i];
    if (!n->has_parent)
      continue;
    uint32_t pi;
    prf_status st = find_node(mem, ids, cp->nnodes, n->parent_id, &pi);
    if (st != PRF_OK)
      return prf_fail(err, st, "out of memory");
    if (pi == i) {
      node_path(cp, i, where, sizeof where);
      return prf_fail(err, PRF_E_DATA,
                      "at %s.parent: expected the id of another node, found "
                      "its own id %lld", where, (long long)n->parent_id);
    }
    if (pi == PRF_NONE)
      cp->missing++; /* a chunk lost on the way: the node becomes a root */
    n->parent = pi;
  }
  for (size_t i = 0; i < cp->nnodes; i++) {
    const cJSON *c = cp->nodes[i].children;
    size_t k = 0;
    for (const cJSON *item = c ? c->child : NULL; item; item = item->next, k++) {
      uint32_t ci = PRF_NONE;
      if (cJSON_IsNumber(item) && item->valuedouble == floor(item->valuedouble) &&
          fabs(item->valuedouble) < 9e15) {
        prf_status st =
            find_node(mem, ids, cp->nnodes, (int64_t)item->valuedouble, &ci);
        if (st != PRF_OK)
          return prf_fail(err, st, "out of memory");
      }
      if (ci == i || (ci == PRF_NONE && !cJSON_IsNumber(item))) {
        node_path(cp, i, where, sizeof where);
        return prf_fail(err, PRF_E_DATA,
                        "at %s.children[%zu]: expected the id of another node",
                        where, k);
      }
      if (ci == PRF_NONE)
        cp->missing++; /* no such node: nothing to link */
      else
        cp->nodes[ci].parent = (uint32_t)i;
    }
  }
  /* No cycles: walk up from every node, marking the walk. */
  uint8_t *mark = prf_mem_calloc(mem, cp->nnodes ? cp->nnodes : 1, 1);
  if (!mark)
    return prf_fail(err, PRF_E_NOMEM, "out of memory");
  for (size_t i = 0; i < cp->nnodes; i++) {
    uint32_t j = (uint32_t)i;
    while (j != PRF_NONE && mark[j] == 0) {
      mark[j] = 1;
      j = cp->nodes[j].parent;
    }
    if (j != PRF_NONE && mark[j] == 1) {
      prf_mem_free(mem, mark);
      node_path(cp, j, where, sizeof where);
      return prf_fail(err, PRF_E_DATA,
                      "at %s: expected a tree, but the node is its own "
                      "ancestor (a cycle of parent links)", where);
    }
    for (j = (uint32_t)i; j != PRF_NONE && mark[j] == 1; j = cp->nodes[j].parent)
      mark[j] = 2;
  }
  prf_mem_free(mem, mark);
  return PRF_OK;
}

/* ---- frames ---- */

static prf_status intern_frame(prf_profile *p, const char *name,
                               const char *url, int64_t line, int64_t col,
                               prf_fid *out) {
  prf_frame f;
  memset(&f, 0, sizeof f);
  if (!*name)
    name = "(anonymous)";
  prf_status st = prf_string_intern(p, name, strlen(name), &f.name);
  if (st == PRF_OK && url && *url)
    st = prf_string_intern(p, url, strlen(url), &f.file);
  f.line = line > 0 && line < UINT32_MAX ? (uint32_t)line : 0;
  f.column = col > 0 && col < UINT32_MAX ? (uint32_t)col : 0;
  return st == PRF_OK ? prf_frame_intern(p, &f, out) : st;
}

/* The node's frame (callFrame line and column are 0-based), and its
 * per-line frames when it has positionTicks (lines there are 1-based). */
static prf_status node_frame(prf_profile *p, chr_profile *cp, chr_node *n,
                             prf_error *err) {
  const prf_allocator *mem = &p->mem;
  if (n->fid != PRF_NONE)
    return PRF_OK;
  const cJSON *cf = n->call_frame;
  const cJSON *fn = prf_json_get(cf, "functionName");
  const cJSON *url = prf_json_get(cf, "url");
  const cJSON *ln = prf_json_get(cf, "lineNumber");
  const cJSON *cn = prf_json_get(cf, "columnNumber");
  const char *name = cJSON_IsString(fn) ? fn->valuestring : "";
  const char *file = cJSON_IsString(url) ? url->valuestring : NULL;
  int64_t line = cJSON_IsNumber(ln) ? (int64_t)ln->valuedouble + 1 : 0;
  int64_t col = cJSON_IsNumber(cn) ? (int64_t)cn->valuedouble + 1
                : n->old ? 1 : 0;
  char where[256];
  prf_status st = intern_frame(p, name, file, line, col, &n->fid);
  if (st != PRF_OK) {
    node_path(cp, (size_t)(n - cp->nodes), where, sizeof where);
    return prf_fail(err, st, "at %s: cannot add its frame", where);
  }
  if (!n->ticks)
    return PRF_OK;
  /* Positions: {line, ticks}; bad entries are an error, not a guess. */
  double total = 0;
  size_t first = cp->nticks, k = 0;
  for (const cJSON *t = n->ticks->child; t; t = t->next, k++) {
    const cJSON *tl = prf_json_get(t, "line"), *tt = prf_json_get(t, "ticks");
    if (!cJSON_IsNumber(tl) || !cJSON_IsNumber(tt) || tl->valuedouble < 0 ||
        tl->valuedouble > INT32_MAX || tt->valuedouble < 0 ||
        tt->valuedouble > 1e15 || tl->valuedouble != floor(tl->valuedouble)) {
      node_path(cp, (size_t)(n - cp->nodes), where, sizeof where);
      return prf_fail(err, PRF_E_DATA,
                      "at %s.positionTicks[%zu]: expected {\"line\": a line "
                      "number, \"ticks\": a count}", where, k);
    }
    if (tt->valuedouble == 0)
      continue;
    if (cp->nticks == cp->ticks_cap &&
        !prf_grow(mem, (void **)&cp->ticks, &cp->ticks_cap, cp->nticks + 1,
                  sizeof *cp->ticks))
      return prf_fail(err, PRF_E_NOMEM, "out of memory");
    st = intern_frame(p, name, file, (int64_t)tl->valuedouble, 0,
                      &cp->ticks[cp->nticks].fid);
    if (st != PRF_OK) {
      node_path(cp, (size_t)(n - cp->nodes), where, sizeof where);
      return prf_fail(err, st, "at %s.positionTicks[%zu]: cannot add its "
                      "frame", where, k);
    }
    cp->ticks[cp->nticks].got = 0;
    cp->ticks[cp->nticks++].share = tt->valuedouble;
    total += tt->valuedouble;
  }
  for (size_t i = first; i < cp->nticks; i++)
    cp->ticks[i].share /= total;
  n->tick_first = (uint32_t)first;
  n->tick_count = (uint32_t)(cp->nticks - first);
  return PRF_OK;
}

/* ---- timing ---- */

/* Times (microseconds after startTime) of every sample and of the end,
 * following speedscope: identical consecutive samples form a run; a run
 * starts at its first sample's time, or at the previous run's start if
 * that is later; the profile ends at the last sample. Inside a run, the
 * samples keep their own times, kept within the run. */
static void sample_times(const chr_profile *cp, size_t n, double *t) {
  const int64_t *node = cp->samples;
  double elapsed = n ? cp->deltas[0] : 0, valid = elapsed;
  /* Pass 1: run starts (stored at their first sample) and the end. */
  for (size_t i = 0; i < n; i++) {
    if (i > 0)
      elapsed += cp->deltas[i];
    if (i == 0 || node[i] != node[i - 1]) {
      if (elapsed >= valid)
        valid = elapsed;
      t[i] = valid;
    } else {
      t[i] = NAN;
    }
  }
  t[n] = n ? (elapsed >= valid ? elapsed : valid) : 0;
  /* Pass 2: samples inside a run, clamped between its start and the
     next run's start, never going back. */
  size_t run = 0, next = 0;
  elapsed = n ? cp->deltas[0] : 0;
  for (size_t i = 0; i < n; i++) {
    if (i > 0)
      elapsed += cp->deltas[i];
    if (!isnan(t[i])) {
      run = i;
      for (next = i + 1; next < n && isnan(t[next]); next++)
        ;
      continue;
    }
    double lo = t[i - 1] > t[run] ? t[i - 1] : t[run];
    double hi = t[next];
    t[i] = elapsed < lo ? lo : elapsed > hi ? hi : elapsed;
  }
}

/* The sample times (t[0] the first, t[n] the end: they never go back)
 * after the start must stay within CHR_MAX_US of 0: deltas each below
 * 1e15 can add up beyond it. */
static prf_status check_times(const chr_profile *cp, const double *t, size_t n,
                              prf_error *err) {
  double base = cp->has_start ? cp->start_time : 0;
  double lo = base + t[0], hi = base + t[n];
  if (fabs(lo) < CHR_MAX_US && fabs(hi) < CHR_MAX_US)
    return PRF_OK;
  char where[256];
  if (cp->event != UINT32_MAX)
    snprintf(where, sizeof where, "%s[%u]", cp->prefix, cp->event);
  else
    snprintf(where, sizeof where, "%s",
             cp->nnodes && cp->nodes[0].old ? ".timestamps" : ".timeDeltas");
  return prf_fail(err, PRF_E_DATA,
                  "at %s: expected sample times (the start plus the time "
                  "deltas) from -9.2e15 to 9.2e15 microseconds, found %g",
                  where, fabs(lo) < CHR_MAX_US ? hi : lo);
}

/* ---- emitting ---- */

typedef struct emit_state {
  uint32_t *stack;    /* open V8 nodes, root first */
  prf_node *tnodes;   /* their tree nodes: tnodes[k] holds stack[0..k] */
  uint8_t *open;      /* per V8 node: on the stack */
  uint32_t *tmp;
  size_t len;
  prf_node base;      /* the tree node under which stacks hang */
} emit_state;

/* Moves the open stack to the one of sample node top (speedscope's walk:
 * close up to the deepest open ancestor, open the rest). */
static prf_status move_to(prf_profile *p, chr_profile *cp, emit_state *s,
                          uint32_t top, prf_error *err) {
  const chr_node *nodes = cp->nodes;
  if (top == PRF_NONE)
    return PRF_OK; /* a node that is not there: the stack stays */
  uint32_t lca = top;
  while (lca != PRF_NONE && !s->open[lca])
    lca = nodes[lca].special == CHR_PROGRAM
              ? (s->len ? s->stack[s->len - 1] : PRF_NONE)
              : nodes[lca].parent;
  while (s->len > 0 && s->stack[s->len - 1] != lca)
    s->open[s->stack[--s->len]] = 0;
  size_t m = 0;
  for (uint32_t n = top; n != PRF_NONE && n != lca;) {
    uint8_t sp = nodes[n].special;
    if (sp == CHR_ROOT || sp == CHR_IDLE || sp == CHR_IGNORED)
      break;
    s->tmp[m++] = n;
    n = sp == CHR_PROGRAM ? (s->len ? s->stack[s->len - 1] : PRF_NONE)
                          : nodes[n].parent;
  }
  prf_tree *tree = prf_profile_tree(p);
  while (m > 0) {
    uint32_t n = s->tmp[--m];
    prf_status st = node_frame(p, cp, &cp->nodes[n], err);
    if (st != PRF_OK)
      return st;
    prf_node parent = s->len ? s->tnodes[s->len - 1] : s->base;
    st = prf_tree_child(tree, parent, cp->nodes[n].fid, &s->tnodes[s->len]);
    if (st != PRF_OK) {
      char where[256];
      node_path(cp, n, where, sizeof where);
      return prf_fail(err, st, "at %s: cannot add a stack", where);
    }
    s->stack[s->len++] = n;
    s->open[n] = 1;
  }
  return PRF_OK;
}

static prf_status add_sample(prf_profile *p, prf_node leaf, double v,
                             double t, uint32_t thread, prf_error *err) {
  int64_t ns = (int64_t)llround(t * 1000.0);
  prf_status st = prf_sample_add(p, leaf, &v, ns, thread);
  return st == PRF_OK ? PRF_OK : prf_fail(err, st, "cannot add a sample");
}

/* Records one sample on the open stack (split over lines when its leaf
 * has positionTicks). */
static prf_status record(prf_profile *p, chr_profile *cp, emit_state *s,
                         uint32_t top, double v, double t, uint32_t thread,
                         prf_fid idle, prf_error *err) {
  prf_tree *tree = prf_profile_tree(p);
  prf_node leaf;
  if (s->len == 0) {
    if (top == PRF_NONE || cp->nodes[top].special != CHR_IDLE ||
        idle == PRF_NONE)
      return PRF_OK;
    prf_status st = prf_tree_child(tree, s->base, idle, &leaf);
    if (st != PRF_OK)
      return prf_fail(err, st, "cannot add a stack");
    return add_sample(p, leaf, v, t, thread, err);
  }
  chr_node *n = &cp->nodes[s->stack[s->len - 1]];
  if (n->tick_count == 0 || s->stack[s->len - 1] != top)
    return add_sample(p, s->tnodes[s->len - 1], v, t, thread, err);
  /* The sample goes whole to one line: the one furthest behind its share
     of the node's samples so far, so that the lines get their ticks. */
  chr_tick *ticks = &cp->ticks[n->tick_first];
  uint32_t best = 0;
  double best_gap = -INFINITY, k = (double)n->tick_seen + 1;
  for (uint32_t i = 0; i < n->tick_count; i++) {
    double gap = ticks[i].share * k - (double)ticks[i].got;
    if (gap > best_gap) {
      best_gap = gap;
      best = i;
    }
  }
  ticks[best].got++;
  n->tick_seen++;
  prf_node parent = s->len > 1 ? s->tnodes[s->len - 2] : s->base;
  prf_status st = prf_tree_child(tree, parent, ticks[best].fid, &leaf);
  if (st != PRF_OK)
    return prf_fail(err, st, "cannot add a stack");
  return add_sample(p, leaf, v, t, thread, err);
}

static prf_status emit_samples(prf_profile *p, chr_profile *cp,
                               const prf_read_options *o, emit_state *s,
                               const uint32_t *node, const double *t,
                               size_t n, uint32_t thread, prf_error *err) {
  prf_fid idle = PRF_NONE;
  if (o->include_idle) {
    prf_status st = intern_frame(p, "(idle)", NULL, 0, 0, &idle);
    if (st != PRF_OK)
      return prf_fail(err, st, "out of memory");
  }
  bool by_time = prf_weigh_by_time(o);
  double base_time = cp->has_start ? cp->start_time : 0;
  for (size_t i = 0; i < n; i++) {
    prf_status st = move_to(p, cp, s, node[i], err);
    if (st == PRF_OK)
      st = record(p, cp, s, node[i], by_time ? t[i + 1] - t[i] : 1,
                  base_time + t[i], thread, idle, err);
    if (st != PRF_OK)
      return st;
  }
  return PRF_OK;
}

prf_status chr_emit(prf_profile *p, chr_profile *cp,
                    const prf_read_options *o, prf_fid root_fid,
                    uint32_t thread, prf_error *err) {
  const prf_allocator *mem = &p->mem;
  prf_keymap ids;
  memset(&ids, 0, sizeof ids);
  prf_status st = resolve(cp, &ids, err);
  if (st == PRF_OK && cp->missing)
    chr_warn(o, "%zu parent or child links name nodes that are not in the "
                "profile: ignored", cp->missing);
  size_t n = cp->nsamples;
  if (st == PRF_OK && cp->ndeltas != n) {
    chr_warn(o, "%zu samples but %zu time deltas: using the first %zu", n,
             cp->ndeltas, n < cp->ndeltas ? n : cp->ndeltas);
    if (cp->ndeltas < n)
      n = cp->ndeltas;
  }
  uint32_t *node = NULL;
  double *t = NULL;
  emit_state s;
  memset(&s, 0, sizeof s);
  if (st == PRF_OK) {
    node = prf_mem_alloc(mem, (n + 1) * sizeof *node);
    t = prf_mem_alloc(mem, (n + 1) * sizeof *t);
    size_t nn = cp->nnodes + 1;
    s.stack = prf_mem_alloc(mem, nn * sizeof *s.stack);
    s.tnodes = prf_mem_alloc(mem, nn * sizeof *s.tnodes);
    s.tmp = prf_mem_alloc(mem, nn * sizeof *s.tmp);
    s.open = prf_mem_calloc(mem, nn, 1);
    if (!node || !t || !s.stack || !s.tnodes || !s.tmp || !s.open)
      st = prf_fail(err, PRF_E_NOMEM, "out of memory");
  }
  size_t unknown = 0;
  for (size_t i = 0; st == PRF_OK && i < n; i++) {
    st = find_node(mem, &ids, cp->nnodes, cp->samples[i], &node[i]);
    if (st != PRF_OK)
      st = prf_fail(err, st, "out of memory");
    else if (node[i] == PRF_NONE)
      unknown++;
  }
  if (st == PRF_OK && unknown)
    chr_warn(o, "%zu samples name nodes that are not in the profile: their "
                "time goes to the stack before them", unknown);
  if (st == PRF_OK && root_fid != PRF_NONE) {
    st = prf_tree_child(prf_profile_tree(p), 0, root_fid, &s.base);
    if (st != PRF_OK)
      st = prf_fail(err, st, "cannot add a stack");
  }
  if (st == PRF_OK) {
    sample_times(cp, n, t);
    st = check_times(cp, t, n, err);
  }
  if (st == PRF_OK)
    st = emit_samples(p, cp, o, &s, node, t, n, thread, err);
  prf_mem_free(mem, node);
  prf_mem_free(mem, t);
  prf_mem_free(mem, s.stack);
  prf_mem_free(mem, s.tnodes);
  prf_mem_free(mem, s.tmp);
  prf_mem_free(mem, s.open);
  prf_keymap_free(mem, &ids);
  return st;
}

prf_status chr_columns(prf_profile *p, const prf_read_options *o,
                       const char *time_type, prf_error *err) {
  const char *type = prf_weigh_by_time(o) ? time_type : "samples";
  const char *unit = prf_weigh_by_time(o) ? "microseconds" : "count";
  return prf_reader_columns(p, 1, &type, &unit, err);
}
