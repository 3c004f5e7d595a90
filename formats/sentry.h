/*
 * sentry.h - Sentry profiles: the sampled format v1 (transaction
 * profiles), profile chunks v2 (continuous profiling) and the legacy
 * pre-v1 iOS format, whose "profile" member is a JSON-encoded string.
 */
#ifndef PRF_SENTRY_H
#define PRF_SENTRY_H

#include "input.h"

/* How much the first bytes look like a Sentry profile (0: not at all). */
int prf_sentry_sniff(const unsigned char *head, size_t len);

/* Reads one Sentry profile into profile. Each sample lasts until the next
 * sample of its thread and is weighed by that duration in nanoseconds
 * (the last sample of a thread only marks the end); --weight samples
 * counts samples instead. Threads become root frames. */
prf_status prf_sentry_read(prf_profile *profile, prf_input *in,
                           const prf_read_options *options, prf_error *err);

#endif
