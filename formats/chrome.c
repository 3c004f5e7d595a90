/*
 * chrome.c - placeholder: replaced by the real reader.
 */
#include "chrome.h"

int prf_cpuprofile_sniff(const unsigned char *head, size_t len) {
  (void)head;
  (void)len;
  return 0;
}

prf_status prf_cpuprofile_read(prf_profile *profile, prf_input *in,
                           const prf_read_options *options, prf_error *err) {
  (void)profile;
  (void)in;
  (void)options;
  return prf_fail(err, PRF_E_DATA, "the cpuprofile reader is not built yet");
}

int prf_chrome_trace_sniff(const unsigned char *head, size_t len) {
  (void)head;
  (void)len;
  return 0;
}

prf_status prf_chrome_trace_read(prf_profile *profile, prf_input *in,
                           const prf_read_options *options, prf_error *err) {
  (void)profile;
  (void)in;
  (void)options;
  return prf_fail(err, PRF_E_DATA, "the chrome_trace reader is not built yet");
}

