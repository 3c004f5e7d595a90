/*
 * pstats.h - the statistics Python's cProfile and profile write
 * (pstats.Stats.dump_stats: a marshal stream of a dict), turned into a
 * call tree.
 */
#ifndef PRF_PSTATS_H
#define PRF_PSTATS_H

#include "registry.h"

int prf_pstats_sniff(const unsigned char *head, size_t len);
prf_status prf_pstats_read(prf_profile *profile, prf_input *in,
                           const prf_read_options *options, prf_error *err);

#endif
