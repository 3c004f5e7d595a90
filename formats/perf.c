/*
 * perf.c - placeholder: replaced by the real reader.
 */
#include "perf.h"

int prf_perf_sniff(const unsigned char *head, size_t len) {
  (void)head;
  (void)len;
  return 0;
}

prf_status prf_perf_read(prf_profile *profile, prf_input *in,
                           const prf_read_options *options, prf_error *err) {
  (void)profile;
  (void)in;
  (void)options;
  return prf_fail(err, PRF_E_DATA, "the perf reader is not built yet");
}

