/*
 * protobuf.c - wire format primitives.
 */
#include "protobuf.h"

bool prf_pb_varint_slow(prf_pb *pb, uint64_t *out) {
  uint64_t v = 0;
  for (unsigned shift = 0, i = 0; i < 10; i++, shift += 7) {
    if (pb->p >= pb->end)
      return false;
    uint8_t b = *pb->p;
    if (i == 9 && b > 1)
      return false; /* more than 64 bits */
    pb->p++;
    v |= (uint64_t)(b & 0x7F) << shift;
    if (!(b & 0x80)) {
      *out = v;
      return true;
    }
  }
  return false; /* longer than 10 bytes */
}

bool prf_pb_key(prf_pb *pb, uint32_t *field, uint32_t *wire) {
  const uint8_t *at = pb->p;
  uint64_t key;
  if (!prf_pb_varint(pb, &key) || (key >> 3) == 0 || (key >> 3) > 0x1FFFFFFF) {
    pb->p = at;
    return false;
  }
  *field = (uint32_t)(key >> 3);
  *wire = (uint32_t)(key & 7);
  return true;
}

bool prf_pb_bytes(prf_pb *pb, prf_pb *sub) {
  const uint8_t *at = pb->p;
  uint64_t len;
  if (!prf_pb_varint(pb, &len) || len > (uint64_t)(pb->end - pb->p)) {
    pb->p = at;
    return false;
  }
  sub->p = pb->p;
  sub->end = pb->p + len;
  sub->base = pb->base;
  pb->p += len;
  return true;
}

bool prf_pb_skip(prf_pb *pb, uint32_t wire) {
  uint64_t v;
  prf_pb sub;
  switch (wire) {
  case PB_VARINT: return prf_pb_varint(pb, &v);
  case PB_I64:
    if (pb->end - pb->p < 8)
      return false;
    pb->p += 8;
    return true;
  case PB_I32:
    if (pb->end - pb->p < 4)
      return false;
    pb->p += 4;
    return true;
  case PB_LEN: return prf_pb_bytes(pb, &sub);
  default: return false; /* groups are not used by any format we read */
  }
}

bool prf_pb_repeated(prf_pb *pb, uint32_t wire, bool (*add)(void *, uint64_t),
                     void *ctx) {
  uint64_t v;
  if (wire == PB_VARINT)
    return prf_pb_varint(pb, &v) && add(ctx, v);
  prf_pb sub;
  if (wire != PB_LEN || !prf_pb_bytes(pb, &sub))
    return false;
  while (!prf_pb_done(&sub)) {
    if (!prf_pb_varint(&sub, &v)) {
      pb->p = sub.p;
      return false;
    }
    if (!add(ctx, v))
      return false;
  }
  return true;
}
