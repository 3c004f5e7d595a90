/*
 * sha256.h - SHA-256 (FIPS 180-4) and base64 (RFC 4648), for the hashes
 * of a page's Content-Security-Policy. No library: a few dozen lines.
 */
#ifndef PRF_SHA256_H
#define PRF_SHA256_H

#include "../lib/internal.h"

typedef struct prf_sha256 {
  uint32_t h[8];
  uint64_t bytes;        /* message length so far */
  unsigned char block[64];
  size_t used;           /* bytes waiting in block */
} prf_sha256;

void prf_sha256_init(prf_sha256 *s);
void prf_sha256_update(prf_sha256 *s, const void *data, size_t len);
void prf_sha256_final(prf_sha256 *s, unsigned char digest[32]);

/* The digest of len bytes in one call. */
void prf_sha256_digest(const void *data, size_t len, unsigned char digest[32]);

/* Appends the base64 of len bytes (with '=' padding). */
void prf_base64(prf_buf *b, const void *data, size_t len);

#endif
