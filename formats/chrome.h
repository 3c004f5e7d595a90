/*
 * chrome.h - Chrome/Node reader (placeholder until its reader lands).
 */
#ifndef PRF_CHROME_H
#define PRF_CHROME_H

#include "input.h"

int prf_cpuprofile_sniff(const unsigned char *head, size_t len);
prf_status prf_cpuprofile_read(prf_profile *profile, prf_input *in,
                           const prf_read_options *options, prf_error *err);
int prf_chrome_trace_sniff(const unsigned char *head, size_t len);
prf_status prf_chrome_trace_read(prf_profile *profile, prf_input *in,
                           const prf_read_options *options, prf_error *err);

#endif
