/*
 * perf.h - `perf script` text (Linux perf), folded the way FlameGraph's
 * stackcollapse-perf.pl folds it.
 */
#ifndef PRF_PERF_H
#define PRF_PERF_H

#include "input.h"

/* 70 for a sample header followed by a frame line, 30 for a header cut
 * by the end of the sniff window, 0 otherwise. */
int prf_perf_sniff(const unsigned char *head, size_t len);

/* Reads the samples. Options: perf_flags (PRF_PERF_*), thread,
 * no_thread_root, weight (samples: every sample counts 1 instead of its
 * period), keep_order. */
prf_status prf_perf_read(prf_profile *profile, prf_input *in,
                           const prf_read_options *options, prf_error *err);

#endif
