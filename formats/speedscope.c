/*
 * speedscope.c - placeholder: replaced by the real reader.
 */
#include "speedscope.h"

int prf_speedscope_sniff(const unsigned char *head, size_t len) {
  (void)head;
  (void)len;
  return 0;
}

prf_status prf_speedscope_read(prf_profile *profile, prf_input *in,
                           const prf_read_options *options, prf_error *err) {
  (void)profile;
  (void)in;
  (void)options;
  return prf_fail(err, PRF_E_DATA, "the speedscope reader is not built yet");
}

prf_status prf_speedscope_write(const prf_profile *profile, prf_write_fn write,
                                void *ctx, prf_error *err) {
  (void)profile;
  (void)write;
  (void)ctx;
  return prf_fail(err, PRF_E_USAGE, "the speedscope writer is not built yet");
}
