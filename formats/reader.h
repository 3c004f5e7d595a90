/*
 * reader.h - helpers every reader with threads, time or stacks shares:
 * thread selection and the thread root frame, growing frame stacks, and
 * time-weighted samples.
 */
#ifndef PRF_READER_H
#define PRF_READER_H

#include "../lib/internal.h"
#include "input.h"

/* Whether the read options keep a thread (--thread picks one by name or
 * numeric id; all are kept otherwise). */
bool prf_thread_wanted(const prf_read_options *o, int64_t id,
                       const char *name);

/* The frame put at the root of a thread's stacks when several threads
 * are merged: a frame named after the thread ("main", or "thread 42"
 * when unnamed). *out is PRF_NONE when no root is wanted
 * (--no-thread-root, or --thread picked one). */
/* The name of that root frame: the thread's name, else "thread ID" in
 * buf. */
const char *prf_thread_root_name(const prf_profile *p, uint32_t thread,
                                 char *buf, size_t size);
prf_status prf_thread_root(prf_profile *p, const prf_read_options *o,
                           uint32_t thread, prf_fid *out);

/* A growable root-first stack of frame ids. */
typedef struct prf_fstack {
  prf_fid *ids;
  size_t len, cap;
} prf_fstack;

/* Appends a frame; false when out of memory. */
bool prf_fstack_push(const prf_allocator *mem, prf_fstack *s, prf_fid id);
void prf_fstack_free(const prf_allocator *mem, prf_fstack *s);

/* Whether the reader should weigh by time (the default) rather than by
 * sample count. */
static inline bool prf_weigh_by_time(const prf_read_options *o) {
  return o->weight != PRF_WEIGHT_SAMPLES;
}



/* Passes a warning (a recoverable problem) to options->warn, if any, with
 * the source name and line (0 when unknown). */
/* Builds the profile's call tree from *graph (the call-graph readers:
 * pstats, callgrind), which it consumes (*graph is then NULL), warning
 * through the options when the tree reached its node cap. */
prf_status prf_reader_build_callgraph(prf_profile *profile,
                                      prf_callgraph **graph,
                                      const prf_read_options *o,
                                      prf_error *err);

void prf_reader_warn(const prf_read_options *o, uint64_t line,
                     const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void prf_reader_vwarn(const prf_read_options *o, uint64_t line,
                      const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Places an error found at the end of the input ("no samples found"):
 * at its last line, or at byte 0 when it has none. */
void prf_reader_at_end(prf_error *err, const prf_input *in);

/* Declares the value columns of a reader's input, or, when the profile
 * already has columns (an earlier input), checks that they match: the
 * same number and the same types, else PRF_E_DATA "cannot merge". The
 * default column is the last one. */
prf_status prf_reader_columns(prf_profile *p, size_t n,
                              const char *const *types,
                              const char *const *units, prf_error *err);

#endif
