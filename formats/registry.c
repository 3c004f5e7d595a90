/*
 * registry.c - the format table and the public read/write entry points.
 */
#include "registry.h"

#include "folded.h"
#include "pprof.h"

#include <string.h>

static const prf_format formats[] = {
    {"folded", "folded stacks (flamegraph.pl / inferno input)",
     prf_folded_sniff, prf_folded_read, prf_folded_write},
    {"pprof", "pprof profile.proto, gzipped or raw", prf_pprof_sniff,
     prf_pprof_read, prf_pprof_write},
};

static const char *const format_names[] = {"folded", "pprof", NULL};

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
  const prf_format *format = NULL;
  if (options->format && !(format = prf_format_find(options->format)))
    return prf_fail(err, PRF_E_USAGE, "unknown input format '%s'",
                    options->format);
  prf_input in;
  prf_status st = prf_input_open(&in, read, ctx, options->source_name,
                                 options->max_input_size, err);
  if (st == PRF_OK && !format) {
    if (!prf_input_fill(&in, SNIFF_BYTES)) {
      st = err->code;
    } else if (in.end == in.start) {
      st = prf_fail(err, PRF_E_DATA, "empty input: expected a profile");
    } else {
      format = prf_format_sniff(in.buf + in.start, in.end - in.start);
      if (!format)
        st = prf_fail(err, PRF_E_DATA,
                      "unrecognised input format: expected one of: folded, pprof");
    }
  }
  if (st == PRF_OK)
    st = format->read(profile, &in, options, err);
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
