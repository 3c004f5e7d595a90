/*
 * reader.c - thread selection, thread root frames and frame stacks.
 */
#include "reader.h"

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

prf_status prf_thread_root(prf_profile *p, const prf_read_options *o,
                           uint32_t thread, prf_fid *out) {
  *out = PRF_NONE;
  if (o->no_thread_root || (o->thread && *o->thread) || thread == PRF_NONE)
    return PRF_OK;
  const char *name = prf_thread_name(p, thread);
  char buf[48];
  if (!*name) {
    snprintf(buf, sizeof buf, "thread %lld", (long long)prf_thread_id(p, thread));
    name = buf;
  }
  prf_frame f;
  memset(&f, 0, sizeof f);
  prf_status st = prf_string_intern(p, name, strlen(name), &f.name);
  if (st == PRF_OK)
    st = prf_frame_intern(p, &f, out);
  return st;
}

bool prf_fstack_push(prf_fstack *s, prf_fid id) {
  if (s->len == s->cap &&
      !prf_grow((void **)&s->ids, &s->cap, s->len + 1, sizeof *s->ids))
    return false;
  s->ids[s->len++] = id;
  return true;
}

void prf_fstack_free(prf_fstack *s) {
  free(s->ids);
  s->ids = NULL;
  s->len = s->cap = 0;
}
