/*
 * firefox.h - the Firefox Profiler's JSON formats: the Gecko profile that
 * Firefox writes (tables of {schema, data} rows per thread, sub-process
 * profiles under "processes"; also inside a DevTools recording's
 * "profile"), and the processed profile that profiler.firefox.com saves
 * (struct-of-arrays tables, per thread or shared, preprocessedProfileVersion
 * up to 70).
 */
#ifndef PRF_FIREFOX_H
#define PRF_FIREFOX_H

#include "input.h"

int prf_firefox_sniff(const unsigned char *head, size_t len);
prf_status prf_firefox_read(prf_profile *profile, prf_input *in,
                            const prf_read_options *options, prf_error *err);

#endif
