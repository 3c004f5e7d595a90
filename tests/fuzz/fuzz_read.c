/*
 * fuzz_read.c - one reader (FUZZ_FORMAT; NULL: sniff the format) fed the
 * input whole and in pieces of 1 to 13 bytes. Both reads must agree:
 * same status, same error, and the same profile (compared through the
 * canonical folded output); every profile read must satisfy the model's
 * invariants.
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_FORMAT
#define FUZZ_FORMAT NULL
#endif

static int usable(prf_status st) {
  return st != PRF_E_NOMEM && st != PRF_E_LIMIT;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  prf_read_options o;
  fuzz_read_options(&o, FUZZ_FORMAT);
  prf_profile *whole = prf_profile_new(), *piecewise = prf_profile_new();
  if (!whole || !piecewise)
    goto out;
  prf_error ew, ep;
  prf_error_clear(&ew);
  prf_error_clear(&ep);
  prf_status sw = prf_profile_read_buffer(whole, data, size, &o, &ew);
  fuzz_chunks chunks = {data, size, 0, 0};
  prf_status sp = prf_profile_read(piecewise, fuzz_chunks_read, &chunks, &o,
                                   &ep);
  if (!usable(sw) || !usable(sp))
    goto out;
  if (sw != sp) {
    fprintf(stderr, "whole: %s: %s\npiecewise: %s: %s\n", prf_status_name(sw),
            ew.message, prf_status_name(sp), ep.message);
    fuzz_fail("whole and piecewise reads disagree", "");
  }
  if (sw != PRF_OK) {
    if (!ew.message[0])
      fuzz_fail("an error without a message", prf_status_name(sw));
    if (strcmp(ew.message, ep.message) || ew.line != ep.line ||
        ew.offset != ep.offset || ew.has_offset != ep.has_offset) {
      fprintf(stderr, "whole: line %llu byte %llu: %s\n"
              "piecewise: line %llu byte %llu: %s\n",
              (unsigned long long)ew.line, (unsigned long long)ew.offset,
              ew.message, (unsigned long long)ep.line,
              (unsigned long long)ep.offset, ep.message);
      fuzz_fail("whole and piecewise reads give different errors", "");
    }
    goto out;
  }
  fuzz_check_model(whole);
  fuzz_check_model(piecewise);
  fuzz_out a = {0}, b = {0};
  prf_status wa = prf_profile_write(whole, "folded", fuzz_out_write, &a, &ew);
  prf_status wb =
      prf_profile_write(piecewise, "folded", fuzz_out_write, &b, &ep);
  if (wa != wb || (wa == PRF_OK && !fuzz_out_equal(&a, &b)))
    fuzz_fail("whole and piecewise reads give different profiles", "");
  fuzz_out_free(&a);
  fuzz_out_free(&b);
out:
  prf_profile_free(whole);
  prf_profile_free(piecewise);
  return 0;
}
