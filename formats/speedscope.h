/*
 * speedscope.h - speedscope JSON (https://www.speedscope.app/file-format-schema.json):
 * reader (speedscope.c) and writer (speedscope_write.c).
 */
#ifndef PRF_SPEEDSCOPE_H
#define PRF_SPEEDSCOPE_H

#include "input.h"

int prf_speedscope_sniff(const unsigned char *head, size_t len);
prf_status prf_speedscope_read(prf_profile *profile, prf_input *in,
                               const prf_read_options *options, prf_error *err);
/* One sampled profile per thread from the samples (time order kept), or
 * one from the call tree's stacks when the samples do not cover it; the
 * default value column's values as weights. */
prf_status prf_speedscope_write(const prf_profile *profile, prf_write_fn write,
                                void *ctx, prf_error *err);

#endif
