/*
 * input.c - the decoding byte stream under every reader.
 */
#include "input.h"

#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>

/* Buffers start small (most inputs of a test or fuzz run are tiny) and
 * double while the input keeps filling them, up to the sizes that suit
 * large files: RAW_SIZE per read call, a decoded window of WINDOW_MIN. */
enum {
  RAW_START = 16 * 1024,
  RAW_SIZE = 256 * 1024,
  RAW_KEEP = 1024 * 1024,
  RAW_WHOLE = 4 * 1024 * 1024,
  WINDOW_START = 64 * 1024,
  WINDOW_MIN = 1024 * 1024
};
#define MAX_LINE ((size_t)256 << 20)

size_t prf_memsrc_read(void *ctx, void *buf, size_t size, prf_error *err) {
  (void)err;
  prf_memsrc *m = ctx;
  size_t n = m->size - m->pos < size ? m->size - m->pos : size;
  memcpy(buf, m->data + m->pos, n);
  m->pos += n;
  return n;
}

/* Reads more raw bytes after those in raw (growing it when full). Past
 * RAW_SIZE it grows to RAW_WHOLE at once, which prf_grow_large gives huge
 * pages: read() faulting in 4 KiB pages one by one copied a pprof file at
 * under 200 MB/s. */
static bool raw_append(prf_input *in) {
  size_t want = in->raw_cap + 1;
  if (want > RAW_SIZE && want < RAW_WHOLE)
    want = RAW_WHOLE;
  if (in->raw_len == in->raw_cap &&
      !prf_grow_large(in->mem, (void **)&in->raw, &in->raw_cap, want, 1)) {
    in->failed = true;
    prf_fail(in->err, PRF_E_NOMEM, "out of memory reading input");
    return false;
  }
  size_t n = in->read(in->ctx, in->raw + in->raw_len, in->raw_cap - in->raw_len,
                      in->err);
  in->raw_len += n;
  if (n == 0) {
    in->raw_eof = true;
    if (in->err && in->err->code != PRF_OK) {
      in->failed = true;
      return false;
    }
  }
  return true;
}

static bool raw_fill(prf_input *in) {
  const prf_allocator *mem = in->mem;
  if (in->raw_pos < in->raw_len || in->raw_eof)
    return true;
  /* The first RAW_KEEP bytes of a gzip input stay in raw, read ones too:
     when a reader then wants the whole input (prf_input_slurp), it is
     decoded again at once, faster. */
  if (in->gzip && in->raw_base == 0 && in->raw_len < RAW_KEEP)
    return raw_append(in);
  if (in->raw_len == in->raw_cap && in->raw_cap < RAW_SIZE) {
    unsigned char *bigger = prf_mem_realloc(mem, in->raw, in->raw_cap * 2);
    if (bigger) { /* else keep reading with the smaller buffer */
      in->raw = bigger;
      in->raw_cap *= 2;
    }
  }
  in->raw_base += in->raw_len;
  in->raw_pos = 0;
  in->raw_len = in->read(in->ctx, in->raw, in->raw_cap, in->err);
  if (in->raw_len == 0) {
    in->raw_eof = true;
    if (in->err && in->err->code != PRF_OK) {
      in->failed = true;
      return false;
    }
  }
  return true;
}

/* Fails the input with a gzip error at the current input byte. */
static void gzip_fail(prf_input *in, const char *what, const char *detail) {
  in->failed = true;
  if (in->err) {
    in->err->has_offset = 1;
    in->err->offset = in->raw_base + in->raw_pos;
  }
  prf_fail(in->err, PRF_E_DATA, "%s%s%s", what, detail ? ": " : "",
           detail ? detail : "");
}

/* Bytes after gzip decoding (or raw bytes). Returns 0 at the end. */
static size_t source_read(prf_input *in, unsigned char *dst, size_t size) {
  size_t got = 0;
  while (got < size) {
    if (!raw_fill(in))
      return 0;
    size_t avail = in->raw_len - in->raw_pos;
    if (!in->gzip) {
      if (avail == 0)
        break;
      size_t n = avail < size - got ? avail : size - got;
      memcpy(dst + got, in->raw + in->raw_pos, n);
      in->raw_pos += n;
      got += n;
      continue;
    }
    if (!in->z_live) {
      if (avail == 0)
        break;
      /* Another gzip member follows: keep inflating (like gzip -d). */
      if (inflateReset(&in->z) != Z_OK) {
        gzip_fail(in, "bad gzip stream", NULL);
        return 0;
      }
      in->z_live = true;
      if (++in->gzip_members == 2)
        in->second_member = in->raw_base + in->raw_pos;
    }
    in->z.next_in = in->raw + in->raw_pos;
    in->z.avail_in = (uInt)avail;
    in->z.next_out = dst + got;
    in->z.avail_out = (uInt)(size - got);
    int rc = inflate(&in->z, Z_NO_FLUSH);
    size_t used = (in->raw_len - in->raw_pos) - in->z.avail_in;
    size_t made = (size - got) - in->z.avail_out;
    in->raw_pos += used;
    got += made;
    if (rc == Z_STREAM_END) {
      in->z_live = false;
    } else if (rc == Z_MEM_ERROR) { /* zlib's window, allocated on demand */
      in->failed = true;
      prf_fail(in->err, PRF_E_NOMEM, "out of memory decoding gzip");
      return 0;
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      gzip_fail(in, "bad gzip data", in->z.msg ? in->z.msg : "inflate failed");
      return 0;
    } else if (used == 0 && made == 0) {
      if (avail == 0) { /* the input ended inside a gzip member */
        gzip_fail(in, "truncated gzip stream", NULL);
        return 0;
      }
      break;
    }
  }
  return got;
}

static size_t put_utf8(unsigned char *out, uint32_t cp) {
  if (cp < 0x80) {
    out[0] = (unsigned char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (unsigned char)(0xC0 | (cp >> 6));
    out[1] = (unsigned char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (unsigned char)(0xE0 | (cp >> 12));
    out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (unsigned char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (unsigned char)(0xF0 | (cp >> 18));
  out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
  out[3] = (unsigned char)(0x80 | (cp & 0x3F));
  return 4;
}

static uint32_t unit16(const prf_input *in, const unsigned char *p) {
  return in->enc == PRF_ENC_UTF16LE ? (uint32_t)(p[0] | (p[1] << 8))
                                    : (uint32_t)((p[0] << 8) | p[1]);
}

/* Decodes UTF-16 into UTF-8; size must be at least 8. A lone surrogate
 * becomes U+FFFD. Returns 0 at the end. */
static size_t utf16_read(prf_input *in, unsigned char *dst, size_t size) {
  const prf_allocator *mem = in->mem;
  size_t want = size / 2; /* 2 input bytes give at most 3 output bytes */
  if (!prf_grow(mem, (void **)&in->mid, &in->mid_cap, want + 4, 1)) {
    in->failed = true;
    prf_fail(in->err, PRF_E_NOMEM, "out of memory decoding UTF-16");
    return 0;
  }
  memcpy(in->mid, in->pending, in->npending);
  size_t n = in->npending + source_read(in, in->mid + in->npending,
                                        want - in->npending);
  in->npending = 0;
  size_t i = 0, o = 0;
  while (i + 1 < n) {
    uint32_t u = unit16(in, in->mid + i);
    if (u >= 0xD800 && u <= 0xDBFF) {
      if (i + 3 >= n && !in->raw_eof) {
        break; /* the low surrogate is in the next read */
      }
      uint32_t lo = i + 3 < n ? unit16(in, in->mid + i + 2) : 0;
      if (lo >= 0xDC00 && lo <= 0xDFFF) {
        o += put_utf8(dst + o, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
        i += 4;
        continue;
      }
      u = 0xFFFD;
    } else if (u >= 0xDC00 && u <= 0xDFFF) {
      u = 0xFFFD;
    }
    o += put_utf8(dst + o, u);
    i += 2;
  }
  in->npending = n - i;
  memcpy(in->pending, in->mid + i, in->npending);
  if (o == 0 && in->npending && n > 0 && in->npending == n && in->raw_eof) {
    /* An odd trailing byte: nothing more will come. */
    in->npending = 0;
  }
  return o;
}

static size_t decoded_read(prf_input *in, unsigned char *dst, size_t size) {
  if (in->enc == PRF_ENC_PLAIN)
    return source_read(in, dst, size);
  size_t got;
  do {
    got = utf16_read(in, dst, size);
  } while (got == 0 && in->npending && !in->failed);
  return got;
}

bool prf_input_fill(prf_input *in, size_t want) {
  const prf_allocator *mem = in->mem;
  while (!in->eof && in->end - in->start < want) {
    if (in->start > 0) {
      memmove(in->buf, in->buf + in->start, in->end - in->start);
      in->consumed += in->start;
      in->end -= in->start;
      in->start = 0;
    }
    size_t step = in->cap < WINDOW_MIN ? in->cap : WINDOW_MIN;
    if (step < want)
      step = want;
    size_t need = in->end + step;
    if (in->cap - in->end < step / 2 &&
        !prf_grow_large(mem, (void **)&in->buf, &in->cap, need, 1)) {
      in->failed = true;
      prf_fail(in->err, PRF_E_NOMEM, "out of memory reading input");
      return false;
    }
    size_t n = decoded_read(in, in->buf + in->end, in->cap - in->end);
    if (in->failed)
      return false;
    in->decoded += n;
    if (in->decoded > in->max_decoded) {
      in->failed = true;
      if (in->err) {
        in->err->has_offset = 1;
        in->err->offset = in->max_decoded;
      }
      prf_fail(in->err, PRF_E_LIMIT,
               "the input decodes to more than %llu bytes (the limit: "
               "--max-input-size)", (unsigned long long)in->max_decoded);
      return false;
    }
    if (n == 0 && in->npending == 0)
      in->eof = true;
    in->end += n;
  }
  return !in->failed;
}

/* zlib's memory from the profile's allocator (a custom one only: zlib
   calls malloc itself for the default). */
static voidpf z_alloc(voidpf opaque, uInt items, uInt size) {
  if (size && items > SIZE_MAX / size)
    return Z_NULL;
  return prf_mem_alloc(opaque, (size_t)items * size);
}

static void z_free(voidpf opaque, voidpf p) { prf_mem_free(opaque, p); }

void prf_zlib_use(z_stream *z, const prf_allocator *mem) {
  if (prf_mem_custom(mem)) {
    z->zalloc = z_alloc;
    z->zfree = z_free;
    z->opaque = (voidpf)mem;
  }
}

prf_status prf_input_open(prf_input *in, const prf_allocator *mem,
                          prf_read_fn read, void *ctx, const char *source,
                          uint64_t max_decoded, prf_error *err) {
  memset(in, 0, sizeof *in);
  in->mem = mem;
  in->max_decoded = max_decoded ? max_decoded : (uint64_t)4 << 30;
  in->read = read;
  in->ctx = ctx;
  in->err = err;
  in->source = source;
  in->raw = prf_mem_alloc(mem, RAW_START);
  in->raw_cap = RAW_START;
  if (!in->raw)
    return prf_fail(err, PRF_E_NOMEM, "out of memory");
  /* A short first read (a pipe) must not hide the gzip magic. */
  while (in->raw_len < 2 && !in->raw_eof) {
    size_t n = read(ctx, in->raw + in->raw_len, in->raw_cap - in->raw_len, err);
    if (n == 0) {
      in->raw_eof = true;
      if (err && err->code != PRF_OK) {
        in->failed = true;
        return err->code;
      }
    }
    in->raw_len += n;
  }
  if (in->raw_len >= 2 && in->raw[0] == 0x1f && in->raw[1] == 0x8b) {
    prf_zlib_use(&in->z, mem);
    if (inflateInit2(&in->z, 15 + 16) != Z_OK)
      return prf_fail(err, PRF_E_NOMEM, "cannot start gzip decoding");
    in->gzip = true;
    in->z_live = true;
    in->gzip_members = 1;
  }
  /* Look at the first decoded bytes for a byte order mark. */
  unsigned char head[3];
  size_t n = source_read(in, head, 2);
  if (in->failed)
    return err->code;
  if (n == 2 && head[0] == 0xFF && head[1] == 0xFE) {
    in->enc = PRF_ENC_UTF16LE;
  } else if (n == 2 && head[0] == 0xFE && head[1] == 0xFF) {
    in->enc = PRF_ENC_UTF16BE;
  } else if (n == 2 && head[0] == 0xEF && head[1] == 0xBB) {
    size_t m = source_read(in, head + 2, 1);
    if (!(m == 1 && head[2] == 0xBF)) {
      memcpy(in->pending, head, 2 + m); /* not a BOM: keep the bytes */
      in->npending = 2 + m;
    } else {
      in->bom_len = 3;
    }
  } else {
    memcpy(in->pending, head, n);
    in->npending = n;
  }
  if (!prf_grow(mem, (void **)&in->buf, &in->cap, WINDOW_START, 1))
    return prf_fail(err, PRF_E_NOMEM, "out of memory");
  if (in->enc == PRF_ENC_PLAIN && in->npending) {
    memcpy(in->buf, in->pending, in->npending);
    in->end = in->npending;
    in->npending = 0;
  }
  return PRF_OK;
}

void prf_input_close(prf_input *in) {
  const prf_allocator *mem = in->mem;
  if (in->gzip)
    inflateEnd(&in->z);
  prf_mem_free(mem, in->raw);
  prf_mem_free(mem, in->mid);
  prf_mem_free(mem, in->buf);
  memset(in, 0, sizeof *in);
}

bool prf_input_line(prf_input *in, const char **line, size_t *len) {
  size_t scanned = 0;
  for (;;) {
    unsigned char *s = in->buf + in->start;
    size_t avail = in->end - in->start;
    unsigned char *nl = memchr(s + scanned, '\n', avail - scanned);
    if (nl || (in->eof && avail > 0)) {
      size_t n = nl ? (size_t)(nl - s) : avail;
      in->start += nl ? n + 1 : n;
      if (n > 0 && s[n - 1] == '\r')
        n--;
      *line = (const char *)s;
      *len = n;
      in->line++;
      return true;
    }
    if (in->eof || in->failed)
      return false;
    if (avail >= MAX_LINE) { /* no text format has lines this long */
      in->failed = true;
      prf_fail(in->err, PRF_E_LIMIT, "a line longer than %u MiB",
               (unsigned)(MAX_LINE >> 20));
      return false;
    }
    scanned = avail;
    if (!prf_input_fill(in, avail + 1))
      return false;
  }
}

/* libdeflate decodes a whole gzip file in memory about twice as fast as
 * zlib's streaming inflate (every pprof file is gzipped). It is used when
 * the whole input is wanted from its start, and more of it than the first
 * window: the compressed bytes all still in in->raw (RAW_KEEP), plain
 * text, the default allocator (libdeflate allocates with malloc). The
 * decoded bytes are *data (NUL-terminated), or NULL when this path does
 * not apply or the data is bad or over the limit: then zlib carries on
 * from where it was over the same bytes, and reports what is wrong as
 * usual. */
static bool slurp_gzip_whole(prf_input *in, unsigned char **data, size_t *len) {
  const prf_allocator *mem = in->mem;
  *data = NULL;
  if (!in->gzip || in->eof || prf_mem_custom(mem) || in->enc != PRF_ENC_PLAIN ||
      in->raw_base != 0 || in->consumed != 0 || in->start != 0)
    return true;
  while (!in->raw_eof) /* the rest of the input, after what raw holds */
    if (!raw_append(in))
      return false;
  const unsigned char *src = in->raw;
  size_t srclen = in->raw_len;
  /* The last member's size (mod 2^32) is the likely total, unless it is
     implausible for profiles (more than 64 times the compressed size: a
     damaged trailer should not reserve gigabytes); `room` bytes of out
     may be written (one more for the NUL), at most the limit. */
  size_t room = 0;
  if (srclen >= 18)
    room = (size_t)src[srclen - 4] | (size_t)src[srclen - 3] << 8 |
           (size_t)src[srclen - 2] << 16 | (size_t)src[srclen - 1] << 24;
  if (room / 64 > srclen)
    room = 0;
  if (room < 4 * srclen)
    room = 4 * srclen;
  if (room > in->max_decoded)
    room = (size_t)in->max_decoded;
  struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
  unsigned char *out = NULL;
  size_t cap = 0, pos = 0, made = 0, second = 0;
  unsigned members = 1;
  bool ok = d && prf_grow_large(mem, (void **)&out, &cap, room + 1, 1);
  while (ok && pos < srclen) {
    size_t used = 0, produced = 0;
    enum libdeflate_result rc = libdeflate_gzip_decompress_ex(
        d, src + pos, srclen - pos, out + made, room - made, &used, &produced);
    if (rc == LIBDEFLATE_INSUFFICIENT_SPACE && room < in->max_decoded) {
      room = room <= in->max_decoded / 4 ? room * 4 : (size_t)in->max_decoded;
      ok = prf_grow_large(mem, (void **)&out, &cap, room + 1, 1);
      continue; /* this member again, with more room */
    }
    ok = rc == LIBDEFLATE_SUCCESS;
    if (ok && pos > 0 && ++members == 2)
      second = pos;
    pos += used;
    made += produced;
  }
  libdeflate_free_decompressor(d);
  if (!ok) {
    prf_mem_free(mem, out);
    return true;
  }
  /* The bytes decoded so far are a prefix of these, after the BOM. */
  if (in->bom_len) {
    memmove(out, out + in->bom_len, made - in->bom_len);
    made -= in->bom_len;
  }
  out[made] = '\0';
  in->decoded = made;
  in->consumed = made;
  prf_mem_free(mem, in->raw); /* all of it decoded */
  in->raw = NULL;
  in->raw_pos = in->raw_len = in->raw_cap = 0;
  in->z_live = false;
  in->gzip_members = members;
  in->second_member = second;
  in->eof = true;
  prf_mem_free(mem, in->buf);
  in->buf = NULL;
  in->start = in->end = in->cap = 0;
  *data = out;
  *len = made;
  return true;
}

prf_status prf_input_slurp(prf_input *in, unsigned char **data, size_t *len) {
  const prf_allocator *mem = in->mem;
  if (!slurp_gzip_whole(in, data, len))
    return in->err ? in->err->code : PRF_E_INPUT;
  if (*data)
    return PRF_OK;
  while (!in->eof)
    if (!prf_input_fill(in, in->end - in->start + WINDOW_MIN))
      return in->err ? in->err->code : PRF_E_INPUT;
  /* Hand the window itself over (no copy of a large input): move the
     bytes to its start and make room for the terminating NUL. */
  size_t n = in->end - in->start;
  if (in->start > 0)
    memmove(in->buf, in->buf + in->start, n);
  if (!prf_grow(mem, (void **)&in->buf, &in->cap, n + 1, 1))
    return prf_fail(in->err, PRF_E_NOMEM, "out of memory reading input");
  in->buf[n] = '\0';
  *data = in->buf;
  *len = n;
  in->consumed += in->end;
  in->buf = NULL;
  in->start = in->end = in->cap = 0;
  return PRF_OK;
}
