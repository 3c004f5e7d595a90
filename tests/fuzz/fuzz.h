/*
 * fuzz.h - helpers shared by the fuzz targets: an output sink, a reader
 * that hands the input over in small pieces, and a failure that stops the
 * fuzzer (or the replay) with a message.
 */
#ifndef PRF_FUZZ_H
#define PRF_FUZZ_H

#include "profrender.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Output collected in memory (at most FUZZ_OUT_MAX bytes are kept; the
 * rest is only counted). */
enum { FUZZ_OUT_MAX = 1 << 24 };
typedef struct fuzz_out {
  unsigned char *data;
  size_t len, cap, total;
} fuzz_out;
int fuzz_out_write(void *ctx, const void *data, size_t size);
void fuzz_out_free(fuzz_out *out);
int fuzz_out_equal(const fuzz_out *a, const fuzz_out *b);

/* A prf_read_fn over a buffer that returns 1 to 13 bytes per call. */
typedef struct fuzz_chunks {
  const uint8_t *data;
  size_t size, pos;
  unsigned step;
} fuzz_chunks;
size_t fuzz_chunks_read(void *ctx, void *buf, size_t size, prf_error *err);

/* Read options for fuzzing: named "fuzz", format as given (NULL sniffs),
 * a 64 MiB decoding limit so that bombs are refused cheaply. */
void fuzz_read_options(prf_read_options *o, const char *format);

/* Prints "fuzz: WHAT: DETAIL" and aborts. */
_Noreturn void fuzz_fail(const char *what, const char *detail);

/* Aborts unless the profile satisfies the model's invariants. */
void fuzz_check_model(const prf_profile *profile);

/* Aborts unless the bytes are valid UTF-8 without the control characters
 * XML forbids (everything below 0x20 except tab, newline, return). */
void fuzz_check_xml_text(const fuzz_out *out, const char *what);

#endif
