/*
 * sentry.c - placeholder: replaced by the real reader.
 */
#include "sentry.h"

int prf_sentry_sniff(const unsigned char *head, size_t len) {
  (void)head;
  (void)len;
  return 0;
}

prf_status prf_sentry_read(prf_profile *profile, prf_input *in,
                           const prf_read_options *options, prf_error *err) {
  (void)profile;
  (void)in;
  (void)options;
  return prf_fail(err, PRF_E_DATA, "the sentry reader is not built yet");
}

