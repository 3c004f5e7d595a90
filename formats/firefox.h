/*
 * firefox.h - Firefox Profiler reader (placeholder until its reader lands).
 */
#ifndef PRF_FIREFOX_H
#define PRF_FIREFOX_H

#include "input.h"

int prf_firefox_sniff(const unsigned char *head, size_t len);
prf_status prf_firefox_read(prf_profile *profile, prf_input *in,
                           const prf_read_options *options, prf_error *err);

#endif
