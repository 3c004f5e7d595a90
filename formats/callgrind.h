/*
 * callgrind.h - valgrind's callgrind output (KCachegrind's format): per
 * function costs and caller -> callee edges, turned into a call tree.
 */
#ifndef PRF_CALLGRIND_H
#define PRF_CALLGRIND_H

#include "registry.h"

int prf_callgrind_sniff(const unsigned char *head, size_t len);
prf_status prf_callgrind_read(prf_profile *profile, prf_input *in,
                              const prf_read_options *options, prf_error *err);

#endif
