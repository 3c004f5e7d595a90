/*
 * folded.h - Brendan Gregg's folded ("collapsed") stacks:
 * "root;caller;leaf COUNT" or, differential, "stack BEFORE AFTER".
 */
#ifndef PRF_FOLDED_H
#define PRF_FOLDED_H

#include "registry.h"

int prf_folded_sniff(const unsigned char *head, size_t len);
prf_status prf_folded_read(prf_profile *profile, prf_input *in,
                           const prf_read_options *options, prf_error *err);
prf_status prf_folded_write(const prf_profile *profile, prf_write_fn write,
                            void *ctx, prf_error *err);

#endif
