/*
 * sentry.h - Sentry reader (placeholder until its reader lands).
 */
#ifndef PRF_SENTRY_H
#define PRF_SENTRY_H

#include "input.h"

int prf_sentry_sniff(const unsigned char *head, size_t len);
prf_status prf_sentry_read(prf_profile *profile, prf_input *in,
                           const prf_read_options *options, prf_error *err);

#endif
