/*
 * registry.c - the format table and the public read/write entry points.
 */
#include "registry.h"

#include "callgrind.h"
#include "chrome.h"
#include "firefox.h"
#include "folded.h"
#include "perf.h"
#include "pstats.h"
#include "pprof.h"
#include "sentry.h"
#include "speedscope.h"

#include "reader.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const prf_format formats[] = {
    {"folded", "folded stacks (flamegraph.pl / inferno input)",
     prf_folded_sniff, prf_folded_read, prf_folded_write},
    {"pprof", "pprof profile.proto, gzipped or raw", prf_pprof_sniff,
     prf_pprof_read, prf_pprof_write},
    {"perf", "`perf script` text (Linux perf)", prf_perf_sniff, prf_perf_read,
     NULL},
    {"cpuprofile", "Chrome/Node .cpuprofile", prf_cpuprofile_sniff,
     prf_cpuprofile_read, NULL},
    {"chrome-trace", "Chrome trace events (DevTools Performance export)",
     prf_chrome_trace_sniff, prf_chrome_trace_read, NULL},
    {"speedscope", "speedscope JSON", prf_speedscope_sniff,
     prf_speedscope_read, prf_speedscope_write},
    {"sentry", "Sentry sampled profile (v1) or profile chunk (v2)",
     prf_sentry_sniff, prf_sentry_read, NULL},
    {"firefox", "Firefox Profiler (Gecko or processed format)",
     prf_firefox_sniff, prf_firefox_read, NULL},
    {"pstats", "Python cProfile/profile stats (pstats dump_stats)",
     prf_pstats_sniff, prf_pstats_read, NULL},
    {"callgrind", "valgrind callgrind (KCachegrind format)",
     prf_callgrind_sniff, prf_callgrind_read, NULL},
};

static const char *const format_names[] = {
    "folded", "pprof", "perf", "cpuprofile", "chrome-trace", "speedscope",
    "sentry", "firefox", "pstats", "callgrind", NULL};

enum { SNIFF_BYTES = 64 * 1024 };

const char *const *prf_format_names(void) { return format_names; }

const prf_format *prf_format_find(const char *name) {
  for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
    if (strcmp(formats[i].name, name) == 0)
      return &formats[i];
  return NULL;
}

const prf_format *prf_format_sniff(const unsigned char *head, size_t len) {
  const prf_format *best = NULL;
  int best_score = 0;
  for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
    int score = formats[i].sniff(head, len);
    if (score > best_score) {
      best_score = score;
      best = &formats[i];
    }
  }
  return best;
}

/* --thread names a thread the input does not have: say which it has
 * (readers register every thread, also those they skip). */
static prf_status check_thread_found(const prf_profile *p, size_t first,
                                     const prf_read_options *o,
                                     prf_error *err) {
  const prf_allocator *mem = &p->mem;
  if (!o->thread || !*o->thread)
    return PRF_OK;
  size_t n = prf_thread_count(p);
  for (size_t i = first; i < n; i++)
    if (prf_thread_wanted(o, prf_thread_id(p, (uint32_t)i),
                          prf_thread_name(p, (uint32_t)i)))
      return PRF_OK;
  prf_buf b;
  prf_buf_init(&b, mem);
  for (size_t i = first; i < n && i < first + 20; i++) {
    const char *name = prf_thread_name(p, (uint32_t)i);
    prf_buf_printf(&b, "%s%lld%s%s%s", i > first ? ", " : "",
                   (long long)prf_thread_id(p, (uint32_t)i), *name ? " (" : "",
                   name, *name ? ")" : "");
  }
  if (n > first + 20)
    prf_buf_puts(&b, ", ...");
  prf_buf_putc(&b, '\0');
  prf_status st = prf_fail(err, PRF_E_USAGE,
                           "--thread '%s': no such thread; %s%s", o->thread,
                           n > first ? "the input has: " : "the input has no threads",
                           b.failed ? "" : b.data);
  prf_buf_free(&b);
  return st;
}

/* Records the input's format in the metadata ("pprof", "folded, pprof"
 * for merged inputs of two formats). */
static prf_status note_format(prf_profile *p, const char *name,
                              prf_error *err) {
  const prf_allocator *mem = &p->mem;
  const char *old = prf_meta_get(p, "format");
  if (old && strcmp(old, name) == 0)
    return PRF_OK;
  prf_buf b;
  prf_buf_init(&b, mem);
  if (old) {
    size_t n = strlen(name);
    for (const char *s = old; *s;) {
      const char *e = strchr(s, ',');
      size_t len = e ? (size_t)(e - s) : strlen(s);
      if (len == n && memcmp(s, name, n) == 0) {
        prf_buf_free(&b);
        return PRF_OK;
      }
      s = e ? e + 2 : s + len;
    }
    prf_buf_puts(&b, old);
    prf_buf_puts(&b, ", ");
  }
  prf_buf_puts(&b, name);
  prf_buf_putc(&b, '\0');
  prf_status st = b.failed ? PRF_E_NOMEM : prf_meta_set(p, "format", b.data);
  prf_buf_free(&b);
  return st == PRF_OK ? PRF_OK : prf_fail(err, st, "out of memory");
}

/* Readers report a failed model call their own way ("out of memory",
 * "cannot add a stack"); when a limit caused it, say which, keeping the
 * position the reader gave. */
static prf_status limit_error(const prf_profile *p, prf_error *err) {
  if (p->limit_hit == PRF_LIMIT_DEPTH)
    return prf_fail(err, PRF_E_LIMIT,
                    "a stack is deeper than %u frames (the limit: "
                    "--max-depth)", p->max_depth);
  return prf_fail(err, PRF_E_LIMIT,
                  "more than %u distinct frames (the limit: --max-frames)",
                  p->max_frames);
}

void prf_read_options_init(prf_read_options *options) {
  memset(options, 0, sizeof *options);
}

prf_status prf_profile_read(prf_profile *profile, prf_read_fn read, void *ctx,
                            const prf_read_options *options, prf_error *err) {
  prf_error local;
  prf_read_options defaults;
  if (!err)
    err = &local;
  prf_error_clear(err);
  if (!options) {
    prf_read_options_init(&defaults);
    options = &defaults;
  }
  prf_error_set_source(err, options->source_name);
  if (profile->top_only)
    return prf_fail(err, PRF_E_USAGE, "a profile read for the top table alone "
                                      "(top_only) takes no other input");
  prf_callgraph_drop(profile); /* the file's numbers are one input's */
  const prf_format *format = NULL;
  if (options->format && !(format = prf_format_find(options->format)))
    return prf_fail(err, PRF_E_USAGE, "unknown input format '%s'",
                    options->format);
  prf_input in;
  prf_status st =
      prf_input_open(&in, &profile->mem, read, ctx, options->source_name,
                     options->max_input_size, err);
  if (st == PRF_OK && !format) {
    if (!prf_input_fill(&in, SNIFF_BYTES)) {
      st = err->code;
    } else if (in.end == in.start) {
      st = prf_fail(err, PRF_E_DATA, "empty input: expected a profile");
      err->has_offset = 1;
      err->offset = 0;
    } else {
      format = prf_format_sniff(in.buf + in.start, in.end - in.start);
      if (!format)
        st = prf_fail(err, PRF_E_DATA,
                      "unrecognised input format: expected one of: folded, "
                      "pprof, perf, cpuprofile, chrome-trace, speedscope, "
                      "sentry, firefox, pstats, callgrind");
    }
  }
  size_t threads_before = prf_thread_count(profile);
  profile->max_depth =
      options->max_depth ? options->max_depth : PRF_DEFAULT_MAX_DEPTH;
  profile->max_frames =
      options->max_frames ? options->max_frames : PRF_DEFAULT_MAX_FRAMES;
  profile->limit_hit = PRF_LIMIT_NONE;
  profile->tree.limit_hit = PRF_LIMIT_NONE;
  if (st == PRF_OK)
    st = format->read(profile, &in, options, err);
  if (profile->limit_hit == PRF_LIMIT_NONE)
    profile->limit_hit = profile->tree.limit_hit;
  if (st != PRF_OK && profile->limit_hit != PRF_LIMIT_NONE)
    st = limit_error(profile, err);
  profile->max_depth = PRF_NONE - 2;
  profile->max_frames = PRF_NONE - 2;
  if (st == PRF_OK)
    st = check_thread_found(profile, threads_before, options, err);
  if (st == PRF_OK)
    st = note_format(profile, format->name, err);
  prf_input_close(&in);
  return st;
}

prf_status prf_profile_read_buffer(prf_profile *profile, const void *data,
                                   size_t size, const prf_read_options *options,
                                   prf_error *err) {
  prf_memsrc src = {data, size, 0};
  return prf_profile_read(profile, prf_memsrc_read, &src, options, err);
}

prf_status prf_profile_write(const prf_profile *profile, const char *format,
                             prf_write_fn write, void *ctx, prf_error *err) {
  prf_error local;
  if (!err)
    err = &local;
  prf_error_clear(err);
  const prf_format *f = prf_format_find(format ? format : "");
  if (!f || !f->write)
    return prf_fail(err, PRF_E_USAGE, "no writer for format '%s'",
                    format ? format : "");
  return f->write(profile, write, ctx, err);
}

typedef struct file_src {
  FILE *f;
} file_src;

static size_t file_read(void *ctx, void *buf, size_t size, prf_error *err) {
  file_src *src = ctx;
  size_t n = fread(buf, 1, size, src->f);
  if (n == 0 && ferror(src->f))
    prf_fail(err, PRF_E_INPUT, "cannot read: %s", strerror(errno));
  return n;
}

prf_status prf_profile_read_file(prf_profile *profile, const char *path,
                                 const prf_read_options *options,
                                 prf_error *err) {
  prf_error local;
  if (!err)
    err = &local;
  prf_read_options o;
  if (options)
    o = *options;
  else
    prf_read_options_init(&o);
  if (!o.source_name)
    o.source_name = path;
  file_src src = {fopen(path, "rb")};
  if (!src.f) {
    prf_error_clear(err);
    prf_error_set_source(err, o.source_name);
    return prf_fail(err, PRF_E_INPUT, "cannot open: %s", strerror(errno));
  }
  prf_status st = prf_profile_read(profile, file_read, &src, &o, err);
  fclose(src.f);
  return st;
}
