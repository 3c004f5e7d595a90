/*
 * reader.c - thread selection, thread root frames and frame stacks.
 */
#include "reader.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool prf_thread_wanted(const prf_read_options *o, int64_t id,
                       const char *name) {
  if (!o->thread || !*o->thread)
    return true;
  if (name && strcmp(o->thread, name) == 0)
    return true;
  char *end;
  long long want = strtoll(o->thread, &end, 10);
  return *end == '\0' && want == id;
}

const char *prf_thread_root_name(const prf_profile *p, uint32_t thread,
                                 char *buf, size_t size) {
  const char *name = prf_thread_name(p, thread);
  if (*name)
    return name;
  snprintf(buf, size, "thread %lld", (long long)prf_thread_id(p, thread));
  return buf;
}

prf_status prf_thread_root(prf_profile *p, const prf_read_options *o,
                           uint32_t thread, prf_fid *out) {
  *out = PRF_NONE;
  if (o->no_thread_root || (o->thread && *o->thread) || thread == PRF_NONE)
    return PRF_OK;
  char buf[48];
  const char *name = prf_thread_root_name(p, thread, buf, sizeof buf);
  prf_frame f;
  memset(&f, 0, sizeof f);
  prf_status st = prf_string_intern(p, name, strlen(name), &f.name);
  if (st == PRF_OK)
    st = prf_frame_intern(p, &f, out);
  return st;
}

bool prf_fstack_push(const prf_allocator *mem, prf_fstack *s, prf_fid id) {
  if (s->len == s->cap &&
      !prf_grow(mem, (void **)&s->ids, &s->cap, s->len + 1, sizeof *s->ids))
    return false;
  s->ids[s->len++] = id;
  return true;
}

void prf_fstack_free(const prf_allocator *mem, prf_fstack *s) {
  prf_mem_free(mem, s->ids);
  s->ids = NULL;
  s->len = s->cap = 0;
}

prf_status prf_reader_columns(prf_profile *p, size_t n,
                              const char *const *types,
                              const char *const *units, prf_error *err) {
  size_t have = prf_value_count(p);
  if (have) {
    if (have != n)
      return prf_fail(err, PRF_E_DATA,
                      "cannot merge: this input has %zu value column%s, the "
                      "inputs before it had %zu", n, n == 1 ? "" : "s", have);
    for (size_t i = 0; i < n; i++)
      if (strcmp(prf_value_type(p, i), types[i]) != 0)
        return prf_fail(err, PRF_E_DATA,
                        "cannot merge: value column %zu is '%s', the inputs "
                        "before it had '%s'", i + 1, types[i],
                        prf_value_type(p, i));
    return PRF_OK;
  }
  for (size_t i = 0; i < n; i++) {
    prf_status st = prf_value_add(p, types[i], units[i], NULL);
    if (st != PRF_OK)
      return prf_fail(err, st, "cannot declare value column '%s'", types[i]);
  }
  return n ? prf_value_set_default(p, n - 1) : PRF_OK;
}

void prf_reader_vwarn(const prf_read_options *o, uint64_t line,
                      const char *fmt, va_list ap) {
  if (!o->warn)
    return;
  prf_error w;
  prf_error_clear(&w);
  w.code = PRF_E_DATA;
  prf_error_set_source(&w, o->source_name);
  w.line = line;
  vsnprintf(w.message, sizeof w.message, fmt, ap);
  o->warn(o->warn_ctx, &w);
}

void prf_reader_warn(const prf_read_options *o, uint64_t line,
                     const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  prf_reader_vwarn(o, line, fmt, ap);
  va_end(ap);
}

void prf_reader_at_end(prf_error *err, const prf_input *in) {
  if (!err)
    return;
  err->line = in->line;
  err->has_offset = in->line == 0;
  err->offset = 0;
}

prf_status prf_reader_build_callgraph(prf_profile *profile,
                                      prf_callgraph **graph,
                                      const prf_read_options *o,
                                      prf_error *err) {
  size_t capped;
  prf_callgraph *g = *graph;
  *graph = NULL;
  prf_status st = prf_callgraph_build(profile, g, &capped, err);
  if (st == PRF_OK && capped)
    prf_reader_warn(o, 0, "the call graph expands to more than %zu call "
                    "tree nodes: functions not reached by then are drawn "
                    "directly below the root", capped);
  return st;
}
