/*
 * profile.c - the profile: strings, frames, value columns, metadata and
 * samples. The call tree lives in tree.c.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

prf_profile *prf_profile_new(void) {
  return prf_profile_new_with_allocator(NULL);
}

prf_profile *prf_profile_new_with_allocator(const prf_allocator *allocator) {
  prf_allocator mem = {0};
  if (allocator &&
      (allocator->alloc || allocator->realloc || allocator->free)) {
    if (!allocator->alloc || !allocator->realloc || !allocator->free)
      return NULL;
    mem = *allocator;
  }
  prf_profile *p = prf_mem_calloc(&mem, 1, sizeof *p);
  if (!p)
    return NULL;
  p->mem = mem;
  /* Limits hold while reading input (prf_profile_read sets them); a
     profile built through the API is bounded only by the id space. */
  p->max_depth = PRF_NONE - 2;
  p->max_frames = PRF_NONE - 2;
  if (!prf_strtab_init(&p->strings, &p->mem) ||
      !prf_tree_init(&p->tree, p, 0)) {
    prf_profile_free(p);
    return NULL;
  }
  return p;
}

void prf_profile_free(prf_profile *p) {
  if (!p)
    return;
  prf_strtab_free(&p->strings);
  prf_mem_free(&p->mem, p->frames);
  prf_index_free(&p->mem, &p->frame_index);
  prf_mem_free(&p->mem, p->cols);
  prf_mem_free(&p->mem, p->meta);
  prf_mem_free(&p->mem, p->samples);
  prf_mem_free(&p->mem, p->sample_values);
  prf_mem_free(&p->mem, p->labels);
  prf_mem_free(&p->mem, p->threads);
  prf_mem_free(&p->mem, p->unfiltered_total);
  prf_tree_release(&p->tree);
  prf_stacks_free(&p->mem, &p->stacks);
  prf_callgraph_drop(p);
  prf_allocator mem = p->mem;
  prf_mem_free(&mem, p);
}

const prf_allocator *prf_profile_allocator(const prf_profile *p) {
  return &p->mem;
}

prf_status prf_string_intern(prf_profile *p, const char *s, size_t len,
                             prf_str *out) {
  if (!prf_strtab_intern(&p->strings, s, len, out))
    return PRF_E_NOMEM;
  return PRF_OK;
}

const char *prf_string(const prf_profile *p, prf_str id, size_t *len) {
  if (id >= p->strings.count) {
    if (len)
      *len = 0;
    return "";
  }
  if (len)
    *len = p->strings.len[id];
  return p->strings.ptr[id];
}

/* ---- value columns ---- */

prf_status prf_value_add(prf_profile *p, const char *type, const char *unit,
                         size_t *index) {
  if (p->tree.count > 1 || p->nsamples > 0 || p->stacks.count > 0)
    return PRF_E_USAGE; /* columns must be declared before stacks */
  prf_value_col col;
  if (prf_string_intern(p, type, strlen(type), &col.type) != PRF_OK ||
      prf_string_intern(p, unit, strlen(unit), &col.unit) != PRF_OK ||
      !prf_grow(&p->mem, (void **)&p->cols, &p->cols_cap, p->ncols + 1,
                sizeof col))
    return PRF_E_NOMEM;
  prf_tree fresh;
  if (!prf_tree_init(&fresh, p, p->ncols + 1))
    return PRF_E_NOMEM;
  prf_tree_release(&p->tree);
  p->tree = fresh;
  p->cols[p->ncols] = col;
  if (index)
    *index = p->ncols;
  p->ncols++;
  return PRF_OK;
}

size_t prf_value_count(const prf_profile *p) { return p->ncols; }

bool prf_is_differential(const prf_profile *p) {
  return p->ncols == 2 && strcmp(prf_value_type(p, 0), "before") == 0 &&
         strcmp(prf_value_type(p, 1), "after") == 0;
}

const char *prf_value_type(const prf_profile *p, size_t i) {
  return i < p->ncols ? prf_string(p, p->cols[i].type, NULL) : "";
}

const char *prf_value_unit(const prf_profile *p, size_t i) {
  return i < p->ncols ? prf_string(p, p->cols[i].unit, NULL) : "";
}

size_t prf_value_default(const prf_profile *p) { return p->default_col; }

prf_status prf_value_set_default(prf_profile *p, size_t i) {
  if (i >= p->ncols)
    return PRF_E_USAGE;
  p->default_col = i;
  return PRF_OK;
}

/* ---- frames ---- */

static uint64_t frame_hash(const prf_frame *f) {
  uint64_t h = prf_hash_mix(((uint64_t)f->name << 32) | f->file);
  h = prf_hash_mix(h ^ (((uint64_t)f->module << 32) | f->line));
  h = prf_hash_mix(h ^ (((uint64_t)f->column << 16) |
                        ((uint64_t)f->kind << 8) | f->in_app));
  return prf_hash_mix(h ^ f->address);
}

static bool frame_equal(const prf_frame *a, const prf_frame *b) {
  return a->name == b->name && a->file == b->file && a->module == b->module &&
         a->line == b->line && a->column == b->column && a->kind == b->kind &&
         a->in_app == b->in_app && a->address == b->address;
}

prf_status prf_frame_intern(prf_profile *p, const prf_frame *frame,
                            prf_fid *out) {
  prf_frame f;
  memset(&f, 0, sizeof f); /* hash and compare without padding bytes */
  f.name = frame->name;
  f.file = frame->file;
  f.module = frame->module;
  f.line = frame->line;
  f.column = frame->column;
  f.kind = frame->kind;
  f.in_app = frame->in_app;
  f.address = frame->address;
  if (!prf_index_reserve(&p->mem, &p->frame_index, p->nframes))
    return PRF_E_NOMEM;
  uint64_t hash = frame_hash(&f);
  for (size_t i = prf_index_start(&p->frame_index, hash); p->frame_index.slots[i];
       i = prf_index_next(&p->frame_index, i)) {
    uint32_t id = prf_index_id(&p->frame_index, i, hash);
    if (id != PRF_NONE && frame_equal(&p->frames[id], &f)) {
      *out = id;
      return PRF_OK;
    }
  }
  if (p->nframes >= PRF_NONE - 1 || p->nframes >= p->max_frames) {
    p->limit_hit = PRF_LIMIT_FRAMES;
    return PRF_E_LIMIT;
  }
  if (!prf_grow(&p->mem, (void **)&p->frames, &p->frames_cap, p->nframes + 1,
                sizeof f))
    return PRF_E_NOMEM;
  p->frames[p->nframes] = f;
  prf_index_put(&p->frame_index, hash, (uint32_t)p->nframes);
  *out = (prf_fid)p->nframes++;
  return PRF_OK;
}

size_t prf_frame_count(const prf_profile *p) { return p->nframes; }

const prf_frame *prf_frame_get(const prf_profile *p, prf_fid id) {
  return id < p->nframes ? &p->frames[id] : NULL;
}

/* ---- metadata ---- */

prf_status prf_meta_set(prf_profile *p, const char *key, const char *value) {
  prf_str k, v;
  if (prf_string_intern(p, key, strlen(key), &k) != PRF_OK ||
      prf_string_intern(p, value, strlen(value), &v) != PRF_OK)
    return PRF_E_NOMEM;
  for (size_t i = 0; i < p->nmeta; i++) {
    if (p->meta[i].key == k) {
      p->meta[i].value = v;
      return PRF_OK;
    }
  }
  if (!prf_grow(&p->mem, (void **)&p->meta, &p->meta_cap, p->nmeta + 1,
                sizeof *p->meta))
    return PRF_E_NOMEM;
  p->meta[p->nmeta].key = k;
  p->meta[p->nmeta].value = v;
  p->nmeta++;
  return PRF_OK;
}

const char *prf_meta_get(const prf_profile *p, const char *key) {
  for (size_t i = 0; i < p->nmeta; i++)
    if (strcmp(prf_string(p, p->meta[i].key, NULL), key) == 0)
      return prf_string(p, p->meta[i].value, NULL);
  return NULL;
}

size_t prf_meta_count(const prf_profile *p) { return p->nmeta; }

void prf_meta_at(const prf_profile *p, size_t i, const char **key,
                 const char **value) {
  *key = i < p->nmeta ? prf_string(p, p->meta[i].key, NULL) : NULL;
  *value = i < p->nmeta ? prf_string(p, p->meta[i].value, NULL) : NULL;
}

/* ---- stacks and samples ---- */

prf_tree *prf_profile_tree(prf_profile *p) { return &p->tree; }

const prf_tree *prf_profile_tree_const(const prf_profile *p) {
  return &p->tree;
}

prf_status prf_stack_add(prf_profile *p, const prf_fid *frames, size_t depth,
                         const double *values, prf_node *leaf) {
  prf_node node = 0;
  for (size_t i = 0; i < depth; i++)
    if (frames[i] >= p->nframes)
      return PRF_E_USAGE;
  prf_status st = prf_tree_add_path(&p->tree, frames, depth, &node);
  if (st != PRF_OK)
    return st;
  if (leaf)
    *leaf = node;
  return values ? prf_tree_add_self(&p->tree, node, values) : PRF_OK;
}

prf_status prf_sample_add(prf_profile *p, prf_node leaf, const double *values,
                          int64_t time, uint32_t thread) {
  if (leaf >= p->tree.count || (thread != PRF_NONE && thread >= p->nthreads))
    return PRF_E_USAGE;
  size_t vcap = p->sample_values_cap;
  if (!prf_grow(&p->mem, (void **)&p->samples, &p->samples_cap, p->nsamples + 1,
                sizeof *p->samples) ||
      (p->ncols && !prf_grow(&p->mem, (void **)&p->sample_values, &vcap,
                             (p->nsamples + 1) * p->ncols, sizeof(double))))
    return PRF_E_NOMEM;
  p->sample_values_cap = vcap;
  prf_sample *s = &p->samples[p->nsamples];
  s->leaf = leaf;
  s->thread = thread;
  s->time = time;
  s->label_first = 0;
  s->label_count = 0;
  if (p->ncols)
    memcpy(p->sample_values + p->nsamples * p->ncols, values,
           p->ncols * sizeof(double));
  p->nsamples++;
  return prf_tree_add_self(&p->tree, leaf, values);
}

prf_status prf_sample_add_labeled(prf_profile *p, prf_node leaf,
                                  const double *values, int64_t time,
                                  uint32_t thread, const prf_label *labels,
                                  size_t nlabels) {
  if (p->nlabels + nlabels >= UINT32_MAX)
    return PRF_E_LIMIT;
  for (size_t i = 0; i < nlabels; i++)
    if (labels[i].key >= p->strings.count || labels[i].str >= p->strings.count ||
        labels[i].unit >= p->strings.count)
      return PRF_E_USAGE;
  if (!prf_grow(&p->mem, (void **)&p->labels, &p->labels_cap,
                p->nlabels + nlabels, sizeof *p->labels))
    return PRF_E_NOMEM;
  prf_status st = prf_sample_add(p, leaf, values, time, thread);
  if (st != PRF_OK)
    return st;
  prf_sample *s = &p->samples[p->nsamples - 1];
  s->label_first = (uint32_t)p->nlabels;
  s->label_count = (uint32_t)nlabels;
  if (nlabels)
    memcpy(p->labels + p->nlabels, labels, nlabels * sizeof *labels);
  p->nlabels += nlabels;
  return PRF_OK;
}

const prf_label *prf_sample_labels(const prf_profile *p, size_t i,
                                   size_t *count) {
  *count = 0;
  if (i >= p->nsamples || p->samples[i].label_count == 0)
    return NULL;
  *count = p->samples[i].label_count;
  return p->labels + p->samples[i].label_first;
}

size_t prf_sample_count(const prf_profile *p) { return p->nsamples; }

prf_status prf_thread_add(prf_profile *p, int64_t id, const char *name,
                          uint32_t *index) {
  prf_str n;
  if (prf_string_intern(p, name, strlen(name), &n) != PRF_OK)
    return PRF_E_NOMEM;
  for (size_t i = 0; i < p->nthreads; i++) {
    if (p->threads[i].id == id) {
      if (n)
        p->threads[i].name = n;
      *index = (uint32_t)i;
      return PRF_OK;
    }
  }
  if (p->nthreads >= PRF_NONE - 1)
    return PRF_E_LIMIT;
  if (!prf_grow(&p->mem, (void **)&p->threads, &p->threads_cap, p->nthreads + 1,
                sizeof *p->threads))
    return PRF_E_NOMEM;
  p->threads[p->nthreads] = (prf_thread){id, n};
  *index = (uint32_t)p->nthreads++;
  return PRF_OK;
}

size_t prf_thread_count(const prf_profile *p) { return p->nthreads; }

int64_t prf_thread_id(const prf_profile *p, uint32_t i) {
  return i < p->nthreads ? p->threads[i].id : 0;
}

const char *prf_thread_name(const prf_profile *p, uint32_t i) {
  return i < p->nthreads ? prf_string(p, p->threads[i].name, NULL) : "";
}

const prf_sample *prf_sample_get(const prf_profile *p, size_t i) {
  return i < p->nsamples ? &p->samples[i] : NULL;
}

const double *prf_sample_values(const prf_profile *p, size_t i) {
  return i < p->nsamples ? p->sample_values + i * p->ncols : NULL;
}

void prf_samples_reverse(prf_profile *p, size_t first) {
  size_t k = p->ncols;
  for (size_t i = first, j = p->nsamples; j > 0 && i + 1 < j; i++, j--) {
    prf_sample tmp = p->samples[i];
    p->samples[i] = p->samples[j - 1];
    p->samples[j - 1] = tmp;
    for (size_t c = 0; c < k; c++) {
      double v = p->sample_values[i * k + c];
      p->sample_values[i * k + c] = p->sample_values[(j - 1) * k + c];
      p->sample_values[(j - 1) * k + c] = v;
    }
  }
}
