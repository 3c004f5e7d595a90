/*
 * profrender.h - the public interface of libprofrender.
 *
 * The data flows one way: bytes are read by a format reader into a
 * prf_profile (interned strings, a frame table, value columns, a call tree
 * and optionally the samples in input order); analysis reads trees; the
 * renderers lay a tree out once and write SVG (and later PNG, PDF, HTML).
 *
 * Conventions:
 * - Every fallible function returns a prf_status and, when given a non-NULL
 *   prf_error, fills it. The caller owns the error record.
 * - The library never does file I/O, never prints, never exits. Input comes
 *   from a read callback or a buffer; output goes to a write callback.
 * - A profile owns all of its memory; prf_profile_free releases it at once.
 *   Functions named *_free accept NULL. Pointers a function returns into a
 *   profile (strings, frames, samples, the tree) stay valid until the
 *   profile is freed or changed (interning, adding stacks or samples,
 *   reading, merging, filtering, setting a granularity); a pointer to
 *   static data stays valid for ever. Whatever else a function hands the
 *   caller (a prf_top, a prf_diff, a reversed tree, a prf_buffer) names
 *   the function that frees it.
 * - Memory: malloc by default, or the functions of a prf_allocator given
 *   to prf_profile_new_with_allocator, for everything made from that
 *   profile (see prf_allocator for the two exceptions). Running out of
 *   memory is PRF_E_NOMEM; nothing is left half-allocated.
 * - Threads: there is no global mutable state, so separate profiles may
 *   be used from separate threads at the same time. One profile must not
 *   be modified from two threads at once, nor read while another thread
 *   modifies it. Reading one profile from several threads at once is safe
 *   once its call tree's totals are computed: the totals are computed
 *   lazily, on first use after a change, by prf_tree_total and by
 *   writers that use them (prf_svg_write, prf_flame_write,
 *   prf_report_write, prf_info_write, the speedscope writer). Call
 *   prf_tree_total(prf_profile_tree(p), 0, 0) once from one thread first.
 *   Functions that take no profile (option initialisers, status names)
 *   are safe from any thread.
 */
#ifndef PROFRENDER_H
#define PROFRENDER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Everything declared here is exported from the shared library; the
 * library is built with hidden visibility for all else. */
#if defined(__GNUC__) && __GNUC__ >= 4
#pragma GCC visibility push(default)
#endif

#define PRF_VERSION_MAJOR 0
#define PRF_VERSION_MINOR 1
#define PRF_VERSION_PATCH 0
#define PRF_VERSION_STRING "0.1.0"
#define PRF_VERSION_NUMBER \
  (PRF_VERSION_MAJOR * 10000 + PRF_VERSION_MINOR * 100 + PRF_VERSION_PATCH)

/* The version of the library actually linked, e.g. "0.1.0" (compare with
 * PRF_VERSION_STRING, the header's). A static string; never NULL. */
const char *prf_version(void);

/* ------------------------------------------------------------------ */
/* Errors                                                               */

/* Status codes. The numbers are never reused for another meaning. */
typedef enum prf_status {
  PRF_OK = 0,
  PRF_E_USAGE = 1,  /* a bad argument or option value */
  PRF_E_DATA = 2,   /* the input is malformed or empty */
  PRF_E_INPUT = 3,  /* the input could not be read */
  PRF_E_OUTPUT = 4, /* the output could not be written */
  PRF_E_NOMEM = 5,  /* an allocation failed */
  PRF_E_LIMIT = 6   /* the input exceeds a hard limit (e.g. 2^32 nodes) */
} prf_status;

/* An error or warning record, owned by the caller. */
typedef struct prf_error {
  prf_status code;
  char source[256];  /* input name given in the read options, or "" */
  uint64_t line;     /* 1-based line number, 0 when not known */
  uint64_t offset;   /* byte offset in the input, when has_offset */
  int has_offset;
  char message[512]; /* what was wrong and what was expected */
} prf_error;

/* Resets an error record to PRF_OK with empty fields. err may be NULL. */
void prf_error_clear(prf_error *err);

/* Formats "SOURCE:LINE: MESSAGE" (or "SOURCE: byte N: MESSAGE") into buf,
 * which the caller owns. Returns buf. Never writes more than size bytes;
 * always terminates (a size of 0 writes nothing). */
const char *prf_error_format(const prf_error *err, char *buf, size_t size);

/* A short English name of a status code ("bad input data", ...): a static
 * string, "unknown error" for a number that is not a prf_status. */
const char *prf_status_name(prf_status status);

/* Called for every recoverable problem (a skipped line, ...), on the
 * thread that reads. warning is valid during the call only. */
typedef void (*prf_warn_fn)(void *ctx, const prf_error *warning);

/* ------------------------------------------------------------------ */
/* The profile model                                                    */

/* A profile: its strings, frames, value columns, metadata, call tree,
 * samples and threads. Opaque; made by prf_profile_new. */
typedef struct prf_profile prf_profile;
/* A call tree: the profile's own (prf_profile_tree) or a reversed copy
 * (prf_tree_reversed). Opaque. */
typedef struct prf_tree prf_tree;

/* Ids: indexes into a profile's tables, meaningful in that profile only. */
typedef uint32_t prf_str;   /* interned string id; 0 is "" */
typedef uint32_t prf_fid;   /* frame id */
typedef uint32_t prf_node;  /* call tree node id; 0 is the root ("all") */
#define PRF_NONE UINT32_MAX /* no node / no frame */

/* What kind of code a frame is (kept in prf_frame.kind). */
typedef enum prf_frame_kind {
  PRF_KIND_NORMAL = 0,
  PRF_KIND_KERNEL = 1,  /* folded suffix _[k] */
  PRF_KIND_JIT = 2,     /* folded suffix _[j] */
  PRF_KIND_INLINED = 3, /* folded suffix _[i] */
  PRF_KIND_WAKER = 4    /* folded suffix _[w] */
} prf_frame_kind;

/* Whether a frame is the application's own code (Sentry's in_app). */
typedef enum prf_in_app {
  PRF_IN_APP_UNKNOWN = 0,
  PRF_IN_APP_YES = 1,
  PRF_IN_APP_NO = 2
} prf_in_app;

/* A unique frame. Strings are ids in the profile's string table. */
typedef struct prf_frame {
  prf_str name;
  prf_str file;
  prf_str module;  /* module, package, binary or DSO */
  uint32_t line;   /* 1-based, 0 unknown */
  uint32_t column; /* 1-based, 0 unknown */
  uint8_t kind;    /* prf_frame_kind */
  uint8_t in_app;  /* prf_in_app */
  uint64_t address; /* instruction address, 0 unknown */
} prf_frame;

/* A sample kept in input order (only when the reader was asked to keep
 * order, or the format records time). */
typedef struct prf_sample {
  prf_node leaf;     /* the stack: a node of the profile's tree */
  uint32_t thread;   /* index into the thread table, PRF_NONE if none */
  int64_t time;      /* timestamp in nanoseconds, INT64_MIN if none */
  uint32_t label_first, label_count; /* range in the label table */
} prf_sample;

/* A sample label (pprof-style): a string or a number with a unit. */
typedef struct prf_label {
  prf_str key;
  prf_str str;   /* 0 when the label is numeric */
  int64_t num;
  prf_str unit;
} prf_label;

/* Custom memory functions, like zstd's ZSTD_customMem: everything the
 * library allocates for a profile (its tables and tree, the trees, top
 * tables, comparisons and layouts made from it, the writers' buffers, the
 * readers' temporaries and zlib's state) goes through the profile's copy
 * of this struct, with opaque passed back unchanged. Sizes are never 0;
 * realloc gets a pointer that alloc or realloc returned; free is never
 * given NULL. Returning NULL means out of memory: the call that needed the
 * memory fails with PRF_E_NOMEM and frees what it took. The functions must
 * be safe to call from every thread that uses the profile.
 *
 * Memory that other libraries allocate for themselves does not go
 * through these functions:
 * - cJSON's parse tree while a JSON format (Chrome, .cpuprofile, Sentry,
 *   Firefox, speedscope) is read, and the text it prints of a Chrome
 *   trace event's arguments, use malloc and are freed before the read
 *   returns (cJSON's hooks are process-wide, so the library leaves them
 *   alone);
 * - PNG and PDF rendering (prf_flame_write) allocates inside cairo, pango
 *   and fontconfig;
 * - the C library's own: regcomp's compiled expressions (prf_filter, a
 *   pprof profile's drop_frames), qsort's scratch, and the stdio stream
 *   of prf_profile_read_file, all freed before the call returns.
 * zlib's state (gzip input, pprof output) does use them, through zlib's
 * zalloc and zfree. (With the default functions, a gzipped input that a
 * reader takes whole is decoded by libdeflate instead, which calls malloc;
 * with custom ones zlib decodes it.) */
typedef struct prf_allocator {
  void *(*alloc)(void *opaque, size_t size);
  void *(*realloc)(void *opaque, void *ptr, size_t size);
  void (*free)(void *opaque, void *ptr);
  void *opaque;
} prf_allocator;

/* Creates an empty profile with no value columns, using malloc, realloc
 * and free. The caller owns it and frees it with prf_profile_free. NULL
 * when out of memory. */
prf_profile *prf_profile_new(void);

/* prf_profile_new with custom memory functions: allocator is copied (it
 * need not outlive the call; opaque must outlive the profile and whatever
 * is made from it). NULL, or all three functions NULL, means malloc,
 * realloc and free. NULL when out of memory, or when some but not all of
 * the three functions are set. */
prf_profile *prf_profile_new_with_allocator(const prf_allocator *allocator);

/* The profile's memory functions (all NULL for the default). Owned by the
 * profile, valid until prf_profile_free. Pass it to prf_buffer_init to
 * have a prf_buffer use them as well. Safe to call from any thread. */
const prf_allocator *prf_profile_allocator(const prf_profile *profile);

/* Frees the profile, its tree, strings, frames and samples. Accepts NULL. */
void prf_profile_free(prf_profile *profile);

/* Checks the model's invariants: every id refers to something that
 * exists, parent links and child lists agree, depths follow the parents,
 * no two siblings share a frame, values are finite and totals add up.
 * PRF_OK, or PRF_E_DATA with what is broken in err (a bug in a reader or
 * in code that built the profile by hand). */
prf_status prf_profile_check(const prf_profile *profile, prf_error *err);

/* Interns len bytes (need not be NUL-terminated; may hold NULs); *out
 * gets the id, the same for the same bytes. The profile copies them.
 * PRF_E_NOMEM when out of memory or when the table is full. */
prf_status prf_string_intern(prf_profile *profile, const char *s, size_t len,
                             prf_str *out);

/* The bytes of a string id (NUL-terminated; len may be NULL). Owned by the
 * profile. Returns "" for an invalid id. */
const char *prf_string(const prf_profile *profile, prf_str id, size_t *len);

/* Value columns: each weight is an array with one double per column.
 * Adds a column of this type ("cpu", "samples") and unit ("nanoseconds",
 * "count"), both copied; *index (may be NULL) gets its index. Columns are
 * declared before any stack or sample: PRF_E_USAGE after; PRF_E_NOMEM
 * when out of memory. */
prf_status prf_value_add(prf_profile *profile, const char *type,
                         const char *unit, size_t *index);
/* The number of value columns. */
size_t prf_value_count(const prf_profile *profile);
/* A column's type, owned by the profile ("" for a bad index). */
const char *prf_value_type(const prf_profile *profile, size_t index);
/* A column's unit, owned by the profile ("" for a bad index). */
const char *prf_value_unit(const prf_profile *profile, size_t index);
/* The column that analyses and renderers use unless told otherwise (0
 * until set). */
size_t prf_value_default(const prf_profile *profile);
/* Sets the default column; PRF_E_USAGE for an index that does not exist. */
prf_status prf_value_set_default(prf_profile *profile, size_t index);

/* Finds or adds a frame (copied; its strings must be ids of this
 * profile); *out gets its id. Frames equal in every field are one frame.
 * PRF_E_NOMEM when out of memory, PRF_E_LIMIT past the reader's limit on
 * distinct frames. */
prf_status prf_frame_intern(prf_profile *profile, const prf_frame *frame,
                            prf_fid *out);
/* The number of frames; ids are 0 to the count - 1. */
size_t prf_frame_count(const prf_profile *profile);
/* The frame with this id, or NULL. Owned by the profile. */
const prf_frame *prf_frame_get(const prf_profile *profile, prf_fid id);

/* Metadata: string key/value pairs (release, environment, duration...).
 * Setting an existing key replaces its value. Both are copied.
 * PRF_E_NOMEM when out of memory. */
prf_status prf_meta_set(prf_profile *profile, const char *key,
                        const char *value);
/* The value of key, owned by the profile; NULL when the key is not set. */
const char *prf_meta_get(const prf_profile *profile, const char *key);
/* The number of keys set. */
size_t prf_meta_count(const prf_profile *profile);
/* The i-th key and value in the order they were first set, owned by the
 * profile (both NULL past the end). */
void prf_meta_at(const prf_profile *profile, size_t i, const char **key,
                 const char **value);

/* The profile's call tree. Owned by the profile and valid until it is
 * freed; never NULL. Filtering, a granularity or a new value column
 * replace the tree: take it again after those. */
prf_tree *prf_profile_tree(prf_profile *profile);
/* The same, for a const profile (the tree's totals may still be computed
 * lazily: see the thread rule at the top). */
const prf_tree *prf_profile_tree_const(const prf_profile *profile);

/* Adds a stack given root-first frame ids, with one value per column.
 * Self goes to the leaf; totals are computed from selves when read.
 * *leaf (may be NULL) gets the leaf node. A zero-depth stack adds to the
 * root's self. values may be NULL to only create the path (a caller that
 * then records a sample with prf_sample_add). PRF_E_USAGE for a frame id
 * that does not exist, PRF_E_LIMIT past the depth limit, PRF_E_NOMEM. */
prf_status prf_stack_add(prf_profile *profile, const prf_fid *frames,
                         size_t depth, const double *values, prf_node *leaf);

/* Records a sample in input order (see prf_sample). values has one entry
 * per column (copied); it is also added to the leaf's self. thread is an
 * index from prf_thread_add or PRF_NONE; time INT64_MIN when unknown.
 * PRF_E_USAGE for a node or thread that does not exist, PRF_E_NOMEM. */
prf_status prf_sample_add(prf_profile *profile, prf_node leaf,
                          const double *values, int64_t time, uint32_t thread);
/* The same with labels (copied; keys and values are string ids of this
 * profile). PRF_E_LIMIT past 2^32 labels in the profile. */
prf_status prf_sample_add_labeled(prf_profile *profile, prf_node leaf,
                                  const double *values, int64_t time,
                                  uint32_t thread, const prf_label *labels,
                                  size_t nlabels);
/* The labels of sample i, owned by the profile; *count gets their number
 * (NULL and 0 when it has none or i is past the end). */
const prf_label *prf_sample_labels(const prf_profile *profile, size_t i,
                                   size_t *count);
/* The number of samples kept in input order (0 unless kept). */
size_t prf_sample_count(const prf_profile *profile);
/* Sample i, owned by the profile; NULL past the end. */
const prf_sample *prf_sample_get(const prf_profile *profile, size_t i);
/* The values of sample i (one per column), owned by the profile; NULL
 * past the end. */
const double *prf_sample_values(const prf_profile *profile, size_t i);

/* Threads: an id (as the profiler gave it) and a name (copied). *index
 * gets the index that samples refer to; adding an existing id renames it
 * when name is not empty. PRF_E_NOMEM when out of memory, PRF_E_LIMIT
 * past 2^32 threads. */
prf_status prf_thread_add(prf_profile *profile, int64_t id, const char *name,
                          uint32_t *index);
/* The number of threads. */
size_t prf_thread_count(const prf_profile *profile);
/* A thread's id (0 for a bad index). */
int64_t prf_thread_id(const prf_profile *profile, uint32_t index);
/* A thread's name, owned by the profile ("" when unnamed or a bad index). */
const char *prf_thread_name(const prf_profile *profile, uint32_t index);

/* Appends the leaf's path root-first (without the root) into a buffer the
 * caller owns; returns the depth. When the depth exceeds cap, nothing is
 * stored past cap and the full depth is still returned. */
size_t prf_tree_path(const prf_tree *tree, prf_node leaf, prf_node *buf,
                     size_t cap);

/* ------------------------------------------------------------------ */
/* The call tree (a prefix tree: one node per distinct path)            */

/* The profile whose frames and strings the tree's nodes refer to. */
const prf_profile *prf_tree_profile(const prf_tree *tree);
/* The number of nodes, the root included; ids are 0 to the count - 1,
 * and a parent's id is always smaller than its children's. */
size_t prf_tree_node_count(const prf_tree *tree);
/* A node's parent: PRF_NONE for the root and for a node that does not
 * exist. */
prf_node prf_tree_parent(const prf_tree *tree, prf_node node);
/* A node's frame (an id in prf_tree_profile's frame table): PRF_NONE for
 * the root and for a node that does not exist. */
prf_fid prf_tree_frame(const prf_tree *tree, prf_node node);
/* A node's first child (children are linked in the order they were
 * added): PRF_NONE for a leaf and for a node that does not exist. */
prf_node prf_tree_first_child(const prf_tree *tree, prf_node node);
/* The next child of the node's parent: PRF_NONE after the last one and
 * for a node that does not exist. */
prf_node prf_tree_next_sibling(const prf_tree *tree, prf_node node);
/* A node's depth: 0 for the root, 1 for its children... (0 for a node
 * that does not exist). */
uint32_t prf_tree_depth(const prf_tree *tree, prf_node node);
/* The depth of the deepest node. */
uint32_t prf_tree_max_depth(const prf_tree *tree);
/* A node's own value in a column (0 for a bad node or column). */
double prf_tree_self(const prf_tree *tree, prf_node node, size_t column);
/* Total: self plus all descendants' self (0 for a bad node or column).
 * The totals of the whole tree are computed on the first call after a
 * change, which writes into the tree: that first call must not race with
 * other readers (see the thread rule at the top), and a tree that is
 * being modified by another thread must not be read. Returns 0 when that
 * computation runs out of memory. */
double prf_tree_total(const prf_tree *tree, prf_node node, size_t column);

/* The distinct stacks: the nodes that carry self values (a folded line's
 * leaf, a sample's leaf), in the order they were first given values. */
size_t prf_tree_stack_count(const prf_tree *tree);
/* The node of the i-th stack (PRF_NONE past the end). */
prf_node prf_tree_stack(const prf_tree *tree, size_t i);

/* Finds or adds the child of parent with this frame (an id of the tree's
 * profile, not checked here); *out gets it. PRF_E_USAGE for a parent that
 * does not exist, PRF_E_LIMIT past the depth limit or 2^32 nodes,
 * PRF_E_NOMEM. */
prf_status prf_tree_child(prf_tree *tree, prf_node parent, prf_fid frame,
                          prf_node *out);
/* Adds values (one per column) to a node's self. PRF_E_USAGE for a node
 * that does not exist, PRF_E_NOMEM. */
prf_status prf_tree_add_self(prf_tree *tree, prf_node node,
                             const double *values);

/* A new tree where every stack is reversed (leaf becomes root), for the
 * "reverse" view, made with the profile's allocator. The caller frees it
 * with prf_tree_free, before the profile (whose frames it uses). NULL
 * with PRF_E_NOMEM in err when out of memory. */
prf_tree *prf_tree_reversed(const prf_tree *tree, prf_error *err);
/* Frees a tree made by prf_tree_reversed (not the profile's own tree).
 * Accepts NULL. */
void prf_tree_free(prf_tree *tree);

/* How finely frames are told apart, as pprof's granularities. */
typedef enum prf_granularity {
  PRF_GRAN_FUNCTIONS = 0,     /* by function name (the default) */
  PRF_GRAN_FILEFUNCTIONS = 1, /* by function name and file */
  PRF_GRAN_FILES = 2,         /* by file */
  PRF_GRAN_LINES = 3,         /* by function, file and line */
  PRF_GRAN_ADDRESSES = 4      /* by instruction address as well */
} prf_granularity;

/* Rebuilds the profile's call tree (and its samples' stacks) at a
 * granularity: frames that differ only in finer detail merge, and frame
 * names become what a person reads at that granularity ("main.go:12" is
 * appended for lines, the file alone for files). noinlines drops inlined
 * frames, giving their cost to the function they were inlined into. The
 * original frames stay in the frame table. */
prf_status prf_profile_set_granularity(prf_profile *profile,
                                       prf_granularity granularity,
                                       int noinlines, prf_error *err);

/* pprof's sample and frame filters. Expressions are POSIX extended
 * regular expressions matched anywhere in the text. */
typedef struct prf_filter {
  const char *focus;      /* keep stacks with a frame whose function, file
                             or module matches */
  const char *ignore;     /* drop stacks with such a frame */
  const char *hide;       /* remove frames whose function matches; their
                             cost goes to the caller */
  const char *show;       /* keep only frames whose function matches */
  const char *prune_from; /* cut each stack below (leaf-ward of) its first
                             frame from the root whose function matches */
  const char *tag_focus;  /* KEY=VALUE: keep samples with that label */
} prf_filter;

/* Rebuilds the call tree with the filters applied (before any
 * granularity: they look at the frames as read). PRF_E_USAGE for a bad
 * expression. */
prf_status prf_profile_filter(prf_profile *profile, const prf_filter *filter,
                              prf_error *err);

/* ------------------------------------------------------------------ */
/* Reading                                                              */

/* Fills buf with up to size bytes; returns the count, 0 at end of input.
 * On a read failure it sets err (code PRF_E_INPUT) and returns 0. Called
 * on the reading thread only, during prf_profile_read. */
typedef size_t (*prf_read_fn)(void *ctx, void *buf, size_t size,
                              prf_error *err);

/* How prf_profile_read reads; prf_read_options_init sets the defaults.
 * The strings are the caller's and need only outlive the read. */
typedef struct prf_read_options {
  const char *format;      /* registry name ("folded"), NULL to sniff */
  const char *source_name; /* named in errors and warnings */
  prf_warn_fn warn;        /* may be NULL: warnings are dropped */
  void *warn_ctx;
  int keep_order;          /* keep samples in input order (flame charts) */
  uint64_t max_input_size; /* refuse more decoded bytes than this (a
                              decompression bomb); 0: 4 GiB */
  /* Formats that time their samples (.cpuprofile, Chrome traces, Sentry,
     the Firefox Profiler, speedscope) weigh each sample by its duration
     by default; PRF_WEIGHT_SAMPLES counts samples instead. */
  int weight;              /* prf_weight */
  int include_idle;        /* keep idle samples ((idle), empty Sentry
                              stacks), dropped by default */
  /* Several threads or profiles in one input are merged with the thread
     name as the root frame, unless no_thread_root; thread (a name or a
     numeric id) keeps only that thread (then without a root frame). */
  int no_thread_root;
  const char *thread;
  unsigned perf_flags;     /* PRF_PERF_* for `perf script` input */
  /* Limits on what one input may build: frames in one stack and distinct
     frames in the profile (0: PRF_DEFAULT_MAX_*). Exceeding one fails the
     read with PRF_E_LIMIT and a message naming the limit. */
  uint32_t max_depth;
  uint32_t max_frames;
  /* The profile is read for prf_top_compute and prf_top_write alone: a
     reader that can (pprof) keeps each distinct stack as a list of frames
     and builds no call tree and no samples, which is several times faster.
     Honoured only into an empty profile, which then takes no other input
     and no filter or granularity; anything else sees no stacks in it. */
  int top_only;
} prf_read_options;

#define PRF_DEFAULT_MAX_DEPTH 100000u       /* frames in one stack */
#define PRF_DEFAULT_MAX_FRAMES 16777216u    /* distinct frames (2^24) */

/* What a sample of a timed format weighs (prf_read_options.weight). */
typedef enum prf_weight {
  PRF_WEIGHT_DEFAULT = 0, /* what the format records (time, or counts) */
  PRF_WEIGHT_TIME = 1,
  PRF_WEIGHT_SAMPLES = 2
} prf_weight;

/* `perf script` collapse options, as stackcollapse-perf.pl's. */
enum {
  PRF_PERF_PID = 1u << 0,    /* root frame "comm-PID" */
  PRF_PERF_TID = 1u << 1,    /* root frame "comm-PID/TID" */
  PRF_PERF_KERNEL = 1u << 2, /* kernel frames get the _[k] suffix */
  PRF_PERF_JIT = 1u << 3,    /* JIT frames get the _[j] suffix */
  PRF_PERF_ADDRS = 1u << 4,  /* unknown symbols show their address */
  PRF_PERF_ALL = PRF_PERF_KERNEL | PRF_PERF_JIT
};

/* Sets the defaults: sniff the format, no name, no warnings, merged
 * samples, weights as recorded, the default limits. */
void prf_read_options_init(prf_read_options *options);

/* Reads one input into profile (which may already hold other inputs: the
 * stacks are merged). Gzip and UTF-16 (with BOM) input is decoded.
 * options may be NULL (the defaults). PRF_E_DATA for malformed input
 * (err names the line or byte offset), PRF_E_INPUT when read fails,
 * PRF_E_LIMIT past a limit, PRF_E_USAGE for a bad option, PRF_E_NOMEM;
 * after a failure the profile may hold part of the input and should be
 * freed. Temporaries come from the profile's allocator, except cJSON's
 * parse tree for JSON formats (see prf_allocator). Folded input past
 * 4 MiB is parsed on the calling thread while a second thread, started
 * and joined within the call, builds the call tree (not with a custom
 * allocator, which is only ever called from the calling thread); the
 * result is the same as on one thread, and read and warn are only ever
 * called on the calling thread. */
prf_status prf_profile_read(prf_profile *profile, prf_read_fn read, void *ctx,
                            const prf_read_options *options, prf_error *err);
/* prf_profile_read from size bytes at data (the caller's, not kept). */
prf_status prf_profile_read_buffer(prf_profile *profile, const void *data,
                                   size_t size, const prf_read_options *options,
                                   prf_error *err);

/* Reads the file at path (options->source_name defaults to the path):
 * the one function of the library that opens a file (with stdio). A file
 * that cannot be opened is PRF_E_INPUT with the reason. */
prf_status prf_profile_read_file(prf_profile *profile, const char *path,
                                 const prf_read_options *options,
                                 prf_error *err);

/* Sums src into dst: every sample (with its time, thread and labels) and
 * every stack value, frames and strings copied. The value columns must
 * agree by type and unit (an empty dst takes src's). Header fields combine
 * as pprof's Merge does: the earliest time_nanos, the summed
 * duration_nanos, the largest period, every distinct comment, else the
 * first value. Merging is associative and commutative. src is only read;
 * on failure dst may hold part of src. PRF_E_USAGE when the columns differ
 * or src is dst, PRF_E_LIMIT, PRF_E_NOMEM. */
prf_status prf_profile_merge(prf_profile *dst, const prf_profile *src,
                             prf_error *err);

/* The names of the formats this build reads, NULL-terminated: static. */
const char *const *prf_format_names(void);

/* ------------------------------------------------------------------ */
/* Writing                                                              */

/* Writes size bytes; returns 0 on success, non-zero on failure (the
 * writer then stops and returns PRF_E_OUTPUT). Called on the writing
 * thread only; data is valid during the call only. */
typedef int (*prf_write_fn)(void *ctx, const void *data, size_t size);

/* Output into memory: pass prf_buffer_write and a zeroed (or
 * prf_buffer_init'ed) prf_buffer to any writer; data then holds size bytes
 * (plus a NUL after them, not counted) until prf_buffer_free. A zeroed
 * buffer uses malloc, realloc and free. */
typedef struct prf_buffer {
  unsigned char *data;
  size_t size, cap;
  prf_allocator allocator; /* what data comes from (all NULL: libc) */
} prf_buffer;

/* Empties buffer and makes it allocate with a copy of allocator (NULL:
 * malloc, realloc and free), e.g. prf_profile_allocator(profile). Does not
 * free earlier contents: call it on a new buffer. */
void prf_buffer_init(prf_buffer *buffer, const prf_allocator *allocator);

/* A prf_write_fn that appends size bytes to the prf_buffer at buffer.
 * Returns 0, or -1 when out of memory (the contents stay as they were). A
 * buffer must not be written from two threads at once. */
int prf_buffer_write(void *buffer, const void *data, size_t size);

/* Frees the buffer's data with its allocator and empties the buffer,
 * which keeps its allocator and may be written again. Accepts NULL. */
void prf_buffer_free(prf_buffer *buffer);

/* Writes the profile in a format that has a writer ("folded", "pprof",
 * "speedscope"). Folded output is canonical: one line per stack, sorted
 * bytewise, the default value column (both columns for a two-column
 * differential profile). PRF_E_USAGE for a format without a writer,
 * PRF_E_OUTPUT when write fails, PRF_E_NOMEM. The speedscope writer may
 * compute the tree's totals (see the thread rule). */
prf_status prf_profile_write(const prf_profile *profile, const char *format,
                             prf_write_fn write, void *ctx, prf_error *err);

/* A summary for people: format, value columns and totals, samples and
 * their time span, stack and frame counts, threads (with their sample
 * counts and totals of the default column) and the metadata, as text.
 * May compute the tree's totals. PRF_E_OUTPUT, PRF_E_NOMEM. */
prf_status prf_info_write(const prf_profile *profile, prf_write_fn write,
                          void *ctx, prf_error *err);

/* ------------------------------------------------------------------ */
/* Top table (flat and cumulative cost per function)                   */

/* A row of the top table: one function. */
typedef struct prf_top_row {
  prf_str name;   /* function name ("[binary]" / "<unknown>" unsymbolized) */
  int inlined;    /* its incoming calls (from rows shown) were inlined:
                     0 none or no calls, 1 all, 2 some (pprof's labels) */
  double flat;    /* cost where the function is the leaf */
  double cum;     /* cost of the samples that have it on the stack, once */
} prf_top_row;

/* What prf_top_compute shows; prf_top_options_init sets pprof's
 * defaults. */
typedef struct prf_top_options {
  size_t column;         /* value column; SIZE_MAX: the default */
  size_t node_count;     /* rows at most; 0: no limit */
  double node_fraction;  /* drop rows with |cum| below this share (0.005) */
  double edge_fraction;  /* calls lighter than this share of the sum of
                            flat values do not count for the inline labels
                            (0.001, pprof's -edgefraction) */
  int by_cum;            /* sort by |cum|, then name, then |flat| */
  int tsv;               /* prf_top_write: tab-separated raw values */
} prf_top_options;

/* The defaults: the default column, no row limit, node_fraction 0.005,
 * edge_fraction 0.001, by flat, text. */
void prf_top_options_init(prf_top_options *options);

/* A computed top table; the caller owns it (prf_top_free). */
typedef struct prf_top {
  prf_top_row *rows;  /* the rows shown, sorted like pprof -top: by |flat|,
                         then name, then |cum| (or by cum) */
  size_t count;
  size_t dropped;     /* rows dropped by node_fraction */
  size_t trimmed;     /* rows dropped by node_count */
  double cutoff;      /* node_fraction of the total, as pprof prints it
                         (rows are dropped below that share of the signed
                         sum of the stacks shown, which pprof uses) */
  double total;       /* the sum of all samples' absolute values (pprof) */
  size_t column;
  prf_allocator allocator; /* the profile's, for prf_top_free */
} prf_top;

/* Flat and cumulative values per function (identified by name, pprof's
 * default granularity; recursion counts once), the rows pprof would show
 * and their inline labels. options may be NULL (the defaults). The rows
 * come from the profile's allocator; the caller frees them with
 * prf_top_free, which may come after prf_profile_free (row names are
 * string ids: read them while the profile lives). PRF_E_USAGE for a
 * column that does not exist, PRF_E_NOMEM (top is then empty). Does not
 * change the profile. */
prf_status prf_top_compute(const prf_profile *profile,
                           const prf_top_options *options, prf_top *top,
                           prf_error *err);
/* Frees the rows and empties top. Accepts NULL and an emptied top. */
void prf_top_free(prf_top *top);

/* Writes the table as `go tool pprof -top` does (legend, units scaled
 * the way pprof scales them), or as TSV. options may be NULL. Errors as
 * prf_top_compute's, and PRF_E_OUTPUT. */
prf_status prf_top_write(const prf_profile *profile,
                         const prf_top_options *options, prf_write_fn write,
                         void *ctx, prf_error *err);

/* ------------------------------------------------------------------ */
/* Comparing releases (diff)                                           */

/* What a diff tests for each function. */
typedef enum prf_diff_metric {
  PRF_DIFF_SELF = 0, /* the share of samples with the function on top */
  PRF_DIFF_TOTAL = 1 /* the share of samples with it anywhere on the stack */
} prf_diff_metric;

/* When a change counts; prf_diff_options_init sets the defaults. */
typedef struct prf_diff_options {
  prf_diff_metric metric; /* what must grow for a regression (self) */
  double min_change;      /* ... by at least this many percentage points (1) */
  double threshold;       /* ... and by this much relative (0.10 = 10%) */
  double p_value;         /* the chance of any false alarm in the whole
                             profile is kept below this (0.01) */
  size_t column;          /* value column; SIZE_MAX: each profile's default */
} prf_diff_options;

/* The defaults (in parentheses above): self, 1 point, 10%, p 0.01, each
 * profile's default column. */
void prf_diff_options_init(prf_diff_options *options);
/* PRF_E_USAGE (with the option named in err) for a value out of range. */
prf_status prf_diff_options_check(const prf_diff_options *options,
                                  prf_error *err);

/* A row's verdict (prf_diff_row.verdict). */
enum { PRF_DIFF_IMPROVEMENT = -1, PRF_DIFF_SAME = 0, PRF_DIFF_REGRESSION = 1 };

/* A function compared. */
typedef struct prf_diff_row {
  const char *function;        /* owned by the diff */
  double base_self, new_self;  /* self shares (0..1), mean over runs */
  double base_total, new_total; /* total shares, mean over runs */
  double base_share, new_share; /* the tested metric's shares (pooled
                                   over runs for the z-test) */
  double delta_pp;             /* (new_share - base_share) * 100 */
  double relative;             /* new_share / base_share - 1 (INFINITY for a
                                  function new in NEW) */
  double p_value;              /* one-sided, in the direction of the change */
  int verdict;                 /* PRF_DIFF_REGRESSION, _IMPROVEMENT, _SAME */
} prf_diff_row;

/* A comparison; the caller owns it (prf_diff_free). */
typedef struct prf_diff {
  prf_diff_row *rows;   /* every function in either side, by |delta_pp| */
  size_t count;
  size_t regressions, improvements;
  size_t base_runs, new_runs;
  double base_samples, new_samples; /* the sample counts tested */
  double alpha;         /* the family-wise level asked for */
  double alpha_each;    /* the level each function was tested at */
  prf_diff_metric metric;
  int welch;            /* Welch's t-test on per-run shares (several runs a
                           side), else a two-proportion z-test */
  double min_change, threshold;
  void *priv;
  prf_allocator allocator; /* the first BASE profile's, for prf_diff_free */
} prf_diff;

/* Compares BASE runs with NEW runs function by function (functions by
 * name, pprof's granularity; set a granularity first to match by line).
 * A name that some run finds in frames of two modules is told apart by
 * module in all runs ("memcpy [libc.so]": the module's base name, a
 * shared library's version dropped); every other name is matched by name
 * alone, whatever its module (a renamed binary still matches). See
 * README.md, "Comparing releases", for the statistics. options may be
 * NULL. The diff's memory (its rows and function names) comes from the
 * first BASE profile's allocator and is independent of the profiles
 * afterwards: the caller frees it with prf_diff_free, before or after
 * them. The profiles are only read (several threads may compare the
 * same profiles at once). PRF_E_USAGE for no runs, a bad option or
 * column, PRF_E_NOMEM (diff is then empty). */
prf_status prf_diff_compute(const prf_profile *const *base, size_t nbase,
                            const prf_profile *const *next, size_t nnew,
                            const prf_diff_options *options, prf_diff *diff,
                            prf_error *err);
/* Frees the rows and names and empties diff. Accepts NULL and an emptied
 * diff. */
void prf_diff_free(prf_diff *diff);

/* Fills the empty profile out with the differential profile of the runs:
 * columns "before" and "after" (the default), each side the mean of its
 * runs; unless absolute, BASE is scaled to NEW's total so that the graph
 * compares shares. Renders as a differential flame graph; writes as
 * two-column folded stacks. out's allocator is used for its contents.
 * PRF_E_USAGE for no runs, a non-empty out or a bad column, PRF_E_NOMEM
 * (out then holds part of the result: free it). */
prf_status prf_diff_profile(const prf_profile *const *base, size_t nbase,
                            const prf_profile *const *next, size_t nnew,
                            const prf_diff_options *options, int absolute,
                            prf_profile *out, prf_error *err);

/* What prf_diff_write writes. */
typedef enum prf_diff_format {
  PRF_DIFF_TEXT = 0,     /* a table for a terminal (color: ANSI colours) */
  PRF_DIFF_MARKDOWN = 1, /* for a pull-request comment or a CI summary */
  PRF_DIFF_JSON = 2,     /* {"verdict", "regressions", "improvements", ...} */
  PRF_DIFF_JUNIT = 3     /* one failing test case per regression */
} prf_diff_format;

/* Writes the comparison; max_rows limits the table (0: no limit); color
 * non-zero adds ANSI colours to PRF_DIFF_TEXT. Only reads diff.
 * PRF_E_USAGE for an unknown format, PRF_E_OUTPUT, PRF_E_NOMEM. */
prf_status prf_diff_write(const prf_diff *diff, prf_diff_format format,
                          size_t max_rows, int color, prf_write_fn write,
                          void *ctx, prf_error *err);

/* ------------------------------------------------------------------ */
/* Flame graphs                                                         */

/* How siblings are ordered in a flame graph (prf_flame_options.sort). */
typedef enum prf_sort {
  PRF_SORT_ALPHA = 0,  /* siblings by name (flamegraph.pl's look) */
  PRF_SORT_WEIGHT = 1  /* heaviest sibling first (left-heavy) */
} prf_sort;

/* Where the frame widths of a differential graph come from. */
enum { PRF_WIDTH_COLUMN = 0, PRF_WIDTH_MAX = 1 };

/* How a flame graph looks; prf_flame_options_init sets flamegraph.pl's
 * defaults (in the comments). The strings are the caller's and need only
 * outlive the write. */
typedef struct prf_flame_options {
  const char *title;       /* default "Flame Graph" ("Icicle Graph" inverted,
                              "Flame Chart" for flame charts) */
  const char *subtitle;    /* NULL: none */
  const char *notes;       /* put into an XML comment */
  const char *count_name;  /* "samples" */
  const char *name_type;   /* "Function:" */
  const char *font_type;   /* "Verdana" */
  const char *colors;      /* palette: hot mem io wakeup java js perl python
                              rust red green blue aqua yellow purple orange */
  double width;            /* image width in pixels, 1200 */
  double frame_height;     /* 16 */
  double font_size;        /* 12 */
  double font_width;       /* average glyph advance / font size, 0.59 */
  double min_width;        /* prune frames narrower than this, 0.1 */
  int min_width_percent;   /* min_width is a percent of the total */
  double factor;           /* multiply displayed counts, 1 */
  double total;            /* > 0: the width of the image stands for this
                              total, so graphs share one scale */
  size_t column;           /* value column; SIZE_MAX: the default */
  int inverted;            /* icicle: root at the top */
  int reverse;             /* reverse every stack (leaf first) */
  int flamechart;          /* samples in input order, not merged */
  int negate;              /* differential: swap growth and shrinkage */
  int width_from;          /* differential: PRF_WIDTH_COLUMN (the column
                              option: "after" by default) or PRF_WIDTH_MAX
                              (each stack as wide as its larger column, so
                              frames of either side all show) */
  int diff_details;        /* differential: prof-render's own view (tooltips
                              with both values and shares, a legend, frames
                              whose calls vanished outlined); 0 keeps
                              flamegraph.pl's output */
  int sort;                /* prf_sort */
  int hash;                /* accepted for compatibility; colours are always
                              derived from the name */
  int no_javascript;       /* omit the interactive script */
  double scale;            /* PNG: device pixels per pixel of the layout,
                              1 (2 for HiDPI screens); 0 means 1 */
} prf_flame_options;

/* Sets the defaults. */
void prf_flame_options_init(prf_flame_options *options);

/* Checks option values (palette name, sizes); PRF_E_USAGE with the option
 * named in err on a bad one. */
prf_status prf_flame_options_check(const prf_flame_options *options,
                                   prf_error *err);

/* Writes an interactive SVG flame graph of the profile. The profile is
 * not const because the tree's totals are computed here (not otherwise
 * changed). options may be NULL. The layout and buffers come from the
 * profile's allocator and are freed before it returns. PRF_E_USAGE for a
 * bad option, PRF_E_DATA for a profile without values, PRF_E_OUTPUT,
 * PRF_E_NOMEM. */
prf_status prf_svg_write(prf_profile *profile,
                         const prf_flame_options *options, prf_write_fn write,
                         void *ctx, prf_error *err);

/* What prf_flame_write draws. */
typedef enum prf_image_format {
  PRF_IMAGE_SVG = 0, /* interactive SVG, as prf_svg_write */
  PRF_IMAGE_PNG = 1, /* cairo image surface, RGB, options->scale */
  PRF_IMAGE_PDF = 2  /* one page, 1 pixel of the layout = 1 point */
} prf_image_format;

/* Wall-clock seconds spent in each phase of prf_flame_write. */
typedef struct prf_render_times {
  double layout; /* frame geometry, colours and the labels that fit */
  double draw;   /* rasterising (PNG) or recording (PDF) the frames */
  double encode; /* PNG compression, PDF assembly, SVG text */
} prf_render_times;

/* Writes the flame graph as SVG, PNG or PDF. PNG and PDF are drawn with
 * cairo from the same layout as the SVG (the same rectangles and colours);
 * text is shaped and measured by pango in options->font_type, falling back
 * to DejaVu Sans. Adds a footer with the total and the sample type, and a
 * legend for a differential profile. A PNG or PDF side above 32767 pixels
 * (points) is PRF_E_LIMIT. times may be NULL. Thread-safe for separate
 * profiles: no global state (each call makes its own font map). Our
 * layout and text buffers use the profile's allocator; cairo, pango and
 * fontconfig allocate with malloc (see prf_allocator). */
prf_status prf_flame_write(prf_profile *profile,
                           const prf_flame_options *options,
                           prf_image_format format, prf_write_fn write,
                           void *ctx, prf_render_times *times, prf_error *err);

/* The palette names, NULL-terminated: static. */
const char *const *prf_palette_names(void);

/* ------------------------------------------------------------------ */
/* The HTML report                                                      */

/* What the HTML report shows; prf_report_options_init sets the
 * defaults. Pointers are the caller's and need only outlive the write. */
typedef struct prf_report_options {
  const char *title;        /* NULL: "prof-render report" */
  const char *const *files; /* the inputs' names as given (shown) */
  size_t nfiles;
  const prf_profile *info;  /* whose format, sample count, duration and
                               metadata the page shows; NULL: the profile
                               written (diff mode: pass a NEW run) */
  double prune;             /* drop call tree nodes below this share of the
                               root's total in every column (1e-5); 0 keeps
                               all. Tables are always exact. */
  const char *source_url;   /* link template with {path}, {line} and {rev}:
                               http:// or https:// only; NULL: no links */
  const char *rev;          /* {rev}; NULL: the "release" metadata */
  const prf_diff *diff;     /* diff mode: the comparison, with the profile
                               written being prf_diff_profile's */
} prf_report_options;

/* Sets the defaults (in the comments above). */
void prf_report_options_init(prf_report_options *options);

/* Checks option values: the share, the link template's scheme.
 * PRF_E_USAGE with the option named in err on a bad one. */
prf_status prf_report_options_check(const prf_report_options *options,
                                    prf_error *err);

/* Writes one self-contained HTML page (docs/report-data.md): a strict
 * Content-Security-Policy that allows only the embedded script and style
 * (by their SHA-256), the profile as JSON data (the call tree pruned, the
 * function, line and file tables exact, timed samples, the comparison in
 * diff mode), and nothing that loads from the network. Every string from
 * the profile is escaped; the same input gives the same bytes. options
 * may be NULL. May compute the tree's totals (see the thread rule);
 * scratch comes from the profile's allocator. PRF_E_USAGE for a bad
 * option, PRF_E_OUTPUT, PRF_E_NOMEM. */
prf_status prf_report_write(const prf_profile *profile,
                            const prf_report_options *options,
                            prf_write_fn write, void *ctx, prf_error *err);

#if defined(__GNUC__) && __GNUC__ >= 4
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif

#endif /* PROFRENDER_H */
