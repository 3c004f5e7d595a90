/*
 * chrome_impl.h - what the Chrome readers share (private to chrome*.c):
 * a V8 CPU profile being assembled (from a .cpuprofile, a trace's old
 * CpuProfile event, or a Profile event and its ProfileChunks) and its
 * conversion into samples; the trace-event timeline readers.
 */
#ifndef PRF_CHROME_IMPL_H
#define PRF_CHROME_IMPL_H

#include "json.h"
#include "reader.h"

/* One node of a V8 profile: a call frame with a parent. */
typedef struct chr_node {
  int64_t id;
  int64_t parent_id;        /* from "parent" (trace chunks), if has_parent */
  uint32_t parent;          /* resolved node index, PRF_NONE for none */
  uint32_t event, index;    /* where it was read (for error paths) */
  const cJSON *call_frame;  /* owned by the JSON tree */
  const cJSON *children;    /* "children" array or NULL */
  const cJSON *ticks;       /* "positionTicks" array or NULL */
  prf_fid fid;              /* PRF_NONE until interned */
  uint32_t tick_first, tick_count; /* per-line frames in chr_profile.ticks */
  uint64_t tick_seen;       /* samples given to its lines so far */
  uint8_t special;          /* CHR_* */
  uint8_t has_parent;
  uint8_t old;              /* from the old "head" tree (no columns) */
} chr_node;

enum { CHR_PLAIN = 0, CHR_ROOT, CHR_IDLE, CHR_PROGRAM, CHR_IGNORED };

typedef struct chr_tick {
  prf_fid fid;     /* the function's frame at that line */
  double share;    /* its ticks / all ticks of the node */
  uint64_t got;    /* samples given to it so far */
} chr_tick;

typedef struct chr_profile {
  const prf_allocator *mem; /* the profile's being read */
  chr_node *nodes;
  size_t nnodes, nodes_cap;
  int64_t *samples;
  size_t nsamples, samples_cap;
  double *deltas;
  size_t ndeltas, deltas_cap;
  chr_tick *ticks;
  size_t nticks, ticks_cap;
  double start_time, end_time; /* microseconds */
  bool has_start, has_end;
  int64_t pid, tid;            /* the thread (traces) */
  char *key;                   /* identity in a trace ("id" or pid:tid) */
  uint32_t event;              /* its declaring event, UINT32_MAX: none */
  const char *prefix;          /* ".traceEvents" or "" for error paths */
  size_t missing;              /* links to nodes that are not there */
} chr_profile;

void chr_profile_free(chr_profile *cp);

/* Times in microseconds stay within what 64-bit nanoseconds hold. */
#define CHR_MAX_US 9.2e15

/* The time member key of obj (microseconds), at most CHR_MAX_US from 0;
 * with opt, absent or null leaves *out alone (*has, if given, says
 * whether it was there); lenient: a numeric string too. */
prf_status chr_time(const cJSON *obj, const char *key, bool lenient, bool opt,
                    const prf_jpath *path, prf_error *err, double *out,
                    bool *has);

/* Appends the nodes of a "nodes" array (path names it). */
prf_status chr_add_nodes(chr_profile *cp, const cJSON *nodes, prf_jpath *path,
                         uint32_t event, prf_error *err);
/* Appends sample node ids / time deltas (microseconds). */
prf_status chr_add_samples(chr_profile *cp, const cJSON *samples,
                           prf_jpath *path, uint32_t event, prf_error *err);
prf_status chr_add_deltas(chr_profile *cp, const cJSON *deltas,
                          prf_jpath *path, prf_error *err);
/* Reads a whole cpuprofile object (nodes, samples, timeDeltas, startTime,
 * endTime) at path. */
prf_status chr_add_cpuprofile(chr_profile *cp, const cJSON *obj,
                              prf_jpath *path, uint32_t event, prf_error *err);

/* Reads the old V8 format: a nested "head" tree, "samples" and absolute
 * "timestamps" (microseconds), startTime and endTime in seconds. */
prf_status chr_add_old_profile(chr_profile *cp, const cJSON *obj,
                               prf_error *err);

/* Turns the profile into samples of p: stacks root first under root_fid
 * (PRF_NONE: none), in thread (PRF_NONE: none). */
prf_status chr_emit(prf_profile *p, chr_profile *cp,
                    const prf_read_options *o, prf_fid root_fid,
                    uint32_t thread, prf_error *err);

/* Declares the value columns of a time-weighted input (type "cpu" or
 * "wall", microseconds) or the sample-count column. */
prf_status chr_columns(prf_profile *p, const prf_read_options *o,
                       const char *time_type, prf_error *err);

/* The names of a trace's threads and processes ("thread_name" and
 * "process_name" metadata events; the last one wins). */
typedef struct chr_name {
  int64_t pid, tid;
  const char *name; /* owned by the JSON tree */
} chr_name;
typedef struct chr_names {
  chr_name *threads, *procs;
  size_t nthreads, threads_cap, nprocs, procs_cap;
  bool many_pids; /* the threads with data belong to several processes */
} chr_names;

prf_status chr_names_read(const prf_allocator *mem, chr_names *names,
                          const cJSON *events, const char *prefix,
                          prf_error *err);
void chr_names_free(const prf_allocator *mem, chr_names *names);

/* Registers a trace thread (pid, tid) with its name and says whether it
 * is wanted; *index gets its thread index and *root its root frame. */
prf_status chr_thread(prf_profile *p, const prf_read_options *o,
                      const chr_names *names, int64_t pid, int64_t tid,
                      uint32_t *index, prf_fid *root, bool *wanted,
                      prf_error *err);

/* Trace events without a CPU profile: duration events (B/E/X) per
 * thread, or Hermes-style "samples" + "stackFrames". */
prf_status chr_read_timeline(prf_profile *p, const cJSON *root,
                             const cJSON *events, const char *prefix,
                             chr_names *names,
                             const prf_read_options *o, prf_error *err);

/* A path naming the events array: "" or ".traceEvents". */
void chr_events_path(prf_jpath *path, const char *prefix);
/* A warning through the read options. */
void chr_warn(const prf_read_options *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* An event's pid and tid (numbers or numeric strings; 0 when absent). */
prf_status chr_pid_tid(const cJSON *ev, const prf_jpath *path, prf_error *err,
                       int64_t *pid, int64_t *tid);

#endif
