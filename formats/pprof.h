/*
 * pprof.h - Google's pprof profile.proto (gzipped or raw protobuf).
 */
#ifndef PRF_PPROF_H
#define PRF_PPROF_H

#include "registry.h"

int prf_pprof_sniff(const unsigned char *head, size_t len);
prf_status prf_pprof_read(prf_profile *profile, prf_input *in,
                          const prf_read_options *options, prf_error *err);

/* Writes a gzipped profile.proto. Values are rounded to integers. */
prf_status prf_pprof_write(const prf_profile *profile, prf_write_fn write,
                           void *ctx, prf_error *err);

#endif
