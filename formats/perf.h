/*
 * perf.h - perf script text reader (placeholder until its reader lands).
 */
#ifndef PRF_PERF_H
#define PRF_PERF_H

#include "input.h"

int prf_perf_sniff(const unsigned char *head, size_t len);
prf_status prf_perf_read(prf_profile *profile, prf_input *in,
                           const prf_read_options *options, prf_error *err);

#endif
