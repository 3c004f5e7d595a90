/*
 * speedscope.h - speedscope reader (placeholder until its reader lands).
 */
#ifndef PRF_SPEEDSCOPE_H
#define PRF_SPEEDSCOPE_H

#include "input.h"

int prf_speedscope_sniff(const unsigned char *head, size_t len);
prf_status prf_speedscope_read(prf_profile *profile, prf_input *in,
                           const prf_read_options *options, prf_error *err);
prf_status prf_speedscope_write(const prf_profile *profile, prf_write_fn write,
                                void *ctx, prf_error *err);

#endif
