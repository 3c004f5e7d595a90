/*
 * escape.c - output escaping.
 */
#include "escape.h"

#include <string.h>

size_t prf_utf8_next(const char *str, size_t len, uint32_t *cp) {
  const unsigned char *s = (const unsigned char *)str;
  unsigned char c = s[0];
  size_t n;
  uint32_t v, min;
  if (c < 0x80) {
    *cp = c;
    return 1;
  } else if (c >= 0xC2 && c <= 0xDF) {
    n = 2, v = c & 0x1F, min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3, v = c & 0x0F, min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4, v = c & 0x07, min = 0x10000;
  } else {
    *cp = 0xFFFD;
    return 1;
  }
  if (len < n) {
    *cp = 0xFFFD;
    return 1;
  }
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80) {
      *cp = 0xFFFD;
      return 1;
    }
    v = (v << 6) | (s[i] & 0x3F);
  }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
    *cp = 0xFFFD;
    return 1;
  }
  *cp = v;
  return n;
}

static bool xml_allowed(uint32_t cp) {
  if (cp < 0x20)
    return cp == '\t';
  if (cp == 0x7F || (cp >= 0x80 && cp <= 0x9F))
    return false;
  if (cp >= 0xFDD0 && cp <= 0xFDEF)
    return false;
  return (cp & 0xFFFE) != 0xFFFE;
}

/* Copies s, replacing what XML forbids with U+FFFD and, when entities is
 * set, the markup characters with entities. */
static void clean_text(prf_buf *b, const char *s, size_t len, bool entities) {
  size_t i = 0, run = 0; /* s[run..i) is safe to copy as is */
  while (i < len) {
    unsigned char c = (unsigned char)s[i];
    const char *rep = NULL;
    size_t n = 1;
    if (!entities && c >= 0x20 && c < 0x7F)
      ; /* printable ASCII as is */
    else if (c == '&')
      rep = "&amp;";
    else if (c == '<')
      rep = "&lt;";
    else if (c == '>')
      rep = "&gt;";
    else if (c == '"')
      rep = "&quot;";
    else if (c == '\'')
      rep = "&apos;";
    else if (c < 0x20 || c >= 0x7F) {
      uint32_t cp;
      n = prf_utf8_next(s + i, len - i, &cp);
      if (cp == 0xFFFD && !(n == 3 && (unsigned char)s[i] == 0xEF))
        rep = "\xEF\xBF\xBD";
      else if (!xml_allowed(cp))
        rep = "\xEF\xBF\xBD";
    }
    if (rep) {
      prf_buf_put(b, s + run, i - run);
      prf_buf_puts(b, rep);
      run = i + n;
    }
    i += n;
  }
  prf_buf_put(b, s + run, len - run);
}

void prf_escape_xml(prf_buf *b, const char *s, size_t len) {
  clean_text(b, s, len, true);
}

void prf_text_plain(prf_buf *b, const char *s, size_t len) {
  clean_text(b, s, len, false);
}

void prf_escape_js(prf_buf *b, const char *s, size_t len) {
  for (size_t i = 0; i < len;) {
    uint32_t cp;
    size_t n = prf_utf8_next(s + i, len - i, &cp);
    i += n;
    if (cp >= 0x20 && cp < 0x7F && cp != '\'' && cp != '"' && cp != '\\' &&
        cp != '<' && cp != '>' && cp != '&') {
      prf_buf_putc(b, (char)cp);
    } else if (cp < 0x10000) {
      prf_buf_printf(b, "\\u%04x", (unsigned)cp);
    } else {
      cp -= 0x10000;
      prf_buf_printf(b, "\\u%04x\\u%04x", (unsigned)(0xD800 + (cp >> 10)),
                     (unsigned)(0xDC00 + (cp & 0x3FF)));
    }
  }
}

void prf_escape_css(prf_buf *b, const char *s, size_t len) {
  for (size_t i = 0; i < len;) {
    uint32_t cp;
    size_t n = prf_utf8_next(s + i, len - i, &cp);
    if (cp == '"' || cp == '\\' || cp < 0x20 || cp == 0x7F)
      prf_buf_printf(b, "\\%x ", (unsigned)cp);
    else
      prf_escape_xml(b, s + i, n);
    i += n;
  }
}
