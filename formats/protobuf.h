/*
 * protobuf.h - a bounds-checked reader of the protocol buffer wire format.
 * No code generator: readers walk fields by number. Every read checks the
 * remaining length; a failure leaves the cursor where the problem is, so
 * callers can report its byte offset.
 */
#ifndef PRF_PROTOBUF_H
#define PRF_PROTOBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { PB_VARINT = 0, PB_I64 = 1, PB_LEN = 2, PB_SGROUP = 3, PB_EGROUP = 4,
       PB_I32 = 5 };

typedef struct prf_pb {
  const uint8_t *p, *end;
  const uint8_t *base; /* start of the whole message, for offsets */
} prf_pb;

static inline prf_pb prf_pb_init(const uint8_t *data, size_t size) {
  prf_pb pb = {data, data + size, data};
  return pb;
}
static inline bool prf_pb_done(const prf_pb *pb) { return pb->p >= pb->end; }
static inline uint64_t prf_pb_offset(const prf_pb *pb) {
  return (uint64_t)(pb->p - pb->base);
}

/* A varint of at most 10 bytes (the 10th may only hold the top bit). */
bool prf_pb_varint_slow(prf_pb *pb, uint64_t *out);
static inline bool prf_pb_varint(prf_pb *pb, uint64_t *out) {
  /* Most varints in a profile (ids, indexes, small values) are one byte. */
  if (pb->p < pb->end && *pb->p < 0x80) {
    *out = *pb->p++;
    return true;
  }
  return prf_pb_varint_slow(pb, out);
}
/* A field key: number (1 .. 2^29-1) and wire type. */
bool prf_pb_key(prf_pb *pb, uint32_t *field, uint32_t *wire);
/* The payload of a length-delimited field, as a cursor of its own. */
bool prf_pb_bytes(prf_pb *pb, prf_pb *sub);
/* Skips a field's payload of this wire type (groups are refused). */
bool prf_pb_skip(prf_pb *pb, uint32_t wire);

/* Repeated integers arrive packed (PB_LEN) or one per field (PB_VARINT).
 * Calls add(ctx, value) for each; false on malformed data or when add
 * returns false. */
bool prf_pb_repeated(prf_pb *pb, uint32_t wire, bool (*add)(void *, uint64_t),
                     void *ctx);

#endif
