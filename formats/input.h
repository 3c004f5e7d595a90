/*
 * input.h - a decoded byte stream over a read callback: gzip is inflated,
 * a UTF-8 BOM is skipped and UTF-16 (with a BOM) becomes UTF-8, so every
 * reader sees plain bytes. Text readers take lines from it.
 */
#ifndef PRF_INPUT_H
#define PRF_INPUT_H

#include "../lib/internal.h"

#include <zlib.h>

typedef enum { PRF_ENC_PLAIN, PRF_ENC_UTF16LE, PRF_ENC_UTF16BE } prf_encoding;

typedef struct prf_input {
  const prf_allocator *mem; /* the profile's: the buffers and zlib's state */
  prf_read_fn read;
  void *ctx;
  prf_error *err;          /* where read failures are reported */
  const char *source;
  /* raw bytes from the callback */
  unsigned char *raw;
  size_t raw_pos, raw_len, raw_cap;
  uint64_t raw_base;       /* input bytes before raw[0] */
  uint64_t second_member;  /* input offset of the second gzip member */
  bool raw_eof;
  /* gzip */
  bool gzip;
  bool z_live;
  unsigned gzip_members; /* gzip members started so far */
  z_stream z;
  /* text encoding after gzip */
  prf_encoding enc;
  uint8_t bom_len;          /* the UTF-8 byte order mark skipped: 0 or 3 */
  unsigned char pending[4]; /* undecoded UTF-16 bytes */
  size_t npending;
  unsigned char *mid;       /* bytes after gzip, before UTF-16 decoding */
  size_t mid_cap;
  /* decoded window */
  unsigned char *buf;
  size_t start, end, cap;
  bool eof;
  bool failed;             /* a read or decode error was reported */
  uint64_t consumed;       /* decoded bytes before buf[start] */
  uint64_t line;           /* lines returned so far */
  uint64_t decoded;        /* decoded bytes produced so far */
  uint64_t max_decoded;    /* the limit on them */
} prf_input;

/* Makes zlib allocate z's state with mem (when it is a custom allocator;
 * zlib's default is malloc). Call before inflateInit or deflateInit. */
void prf_zlib_use(z_stream *z, const prf_allocator *mem);

/* Sets up decoding; reads the first bytes to detect gzip and the BOM. */
prf_status prf_input_open(prf_input *in, const prf_allocator *mem,
                          prf_read_fn read, void *ctx, const char *source,
                          uint64_t max_decoded, prf_error *err);
void prf_input_close(prf_input *in);

/* Makes at least want decoded bytes available in buf[start..end) unless the
 * input ends first. Returns false on a read/decode error (err is set). */
bool prf_input_fill(prf_input *in, size_t want);

/* The next line without its "\n" (and without a trailing "\r"). Returns
 * false at the end of input or on error (check in->failed). The bytes stay
 * valid until the next call. */
bool prf_input_line(prf_input *in, const char **line, size_t *len);

/* Reads the whole rest of the input into a buffer from in->mem (NUL
 * added), which the caller frees with prf_mem_free(in->mem, ...). */
prf_status prf_input_slurp(prf_input *in, unsigned char **data, size_t *len);

/* A read callback over a memory buffer. */
typedef struct prf_memsrc {
  const unsigned char *data;
  size_t size, pos;
} prf_memsrc;
size_t prf_memsrc_read(void *ctx, void *buf, size_t size, prf_error *err);

#endif
