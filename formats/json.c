/*
 * json.c - the JSON readers' shared parsing and typed access.
 */
#include "json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t prf_utf8_check(const unsigned char *s, size_t len) {
  size_t i = 0;
  while (i < len) {
    /* Skip ASCII eight bytes at a time. */
    while (i + 8 <= len) {
      uint64_t w;
      memcpy(&w, s + i, 8);
      if (w & 0x8080808080808080ull)
        break;
      i += 8;
    }
    if (i >= len)
      break;
    unsigned c = s[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    size_t n;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
      n = 1;
    else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      if (c == 0xE0)
        lo = 0xA0; /* overlong */
      else if (c == 0xED)
        hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      if (c == 0xF0)
        lo = 0x90;
      else if (c == 0xF4)
        hi = 0x8F; /* above U+10FFFF */
    } else
      return i;
    if (len - i <= n)
      return i;
    if (s[i + 1] < lo || s[i + 1] > hi)
      return i;
    for (size_t k = 2; k <= n; k++)
      if ((s[i + k] & 0xC0) != 0x80)
        return i;
    i += n + 1;
  }
  return len;
}

static uint64_t line_of(const char *text, size_t offset) {
  uint64_t line = 1;
  for (const char *p = text; (p = memchr(p, '\n', (size_t)(text + offset - p)));
       p++)
    line++;
  return line;
}

static prf_status fail_at(prf_error *err, const char *text, size_t offset,
                          const char *msg) {
  /* Minified JSON is one long line: the byte offset says where. */
  prf_fail(err, PRF_E_DATA, "at byte %zu: %s", offset, msg);
  if (err) {
    err->offset = offset;
    err->has_offset = 1;
    err->line = line_of(text, offset);
  }
  return PRF_E_DATA;
}

prf_status prf_json_slurp(prf_input *in, char **text, size_t *len) {
  const prf_allocator *mem = in->mem;
  unsigned char *data;
  size_t n;
  prf_status st = prf_input_slurp(in, &data, &n);
  if (st != PRF_OK)
    return st;
  size_t bad = prf_utf8_check(data, n);
  if (bad != n) {
    char msg[80];
    snprintf(msg, sizeof msg,
             "invalid UTF-8 (byte 0x%02x): expected JSON text in UTF-8",
             data[bad]);
    fail_at(in->err, (const char *)data, bad, msg);
    prf_mem_free(mem, data);
    return PRF_E_DATA;
  }
  *text = (char *)data;
  *len = n;
  return PRF_OK;
}

prf_status prf_json_parse_text(const char *text, size_t len, cJSON **root,
                               prf_error *err) {
  const char *end = NULL;
  *root = NULL;
  /* cJSON would take a NUL byte for white space, and cut a string at
     one: only the padding after the value may hold NULs. */
  const char *nul = memchr(text, '\0', len);
  if (nul) {
    size_t off = (size_t)(nul - text), k = off;
    while (k < len && (text[k] == '\0' || text[k] == ' ' || text[k] == '\t' ||
                       text[k] == '\n' || text[k] == '\r'))
      k++;
    if (k < len)
      return fail_at(err, text, off,
                     "invalid JSON: a NUL byte (JSON text has none; in a "
                     "string it is written \\u0000)");
  }
  cJSON *v = cJSON_ParseWithLengthOpts(text, len, &end, 0);
  if (!v) {
    size_t off = end && end >= text && end <= text + len ? (size_t)(end - text) : 0;
    return fail_at(err, text, off,
                   off >= len ? "invalid JSON: the input ends inside a value"
                              : "invalid JSON: expected a JSON value here (bad "
                                "syntax, or nesting deeper than 1000 levels)");
  }
  size_t off = (size_t)(end - text);
  while (off < len && (text[off] == ' ' || text[off] == '\t' ||
                       text[off] == '\n' || text[off] == '\r' || text[off] == '\0'))
    off++;
  if (off < len) {
    cJSON_Delete(v);
    return fail_at(err, text, off,
                   "invalid JSON: expected the end of the input after the "
                   "top-level value");
  }
  *root = v;
  return PRF_OK;
}

prf_status prf_json_read(prf_input *in, prf_json_doc *doc) {
  const prf_allocator *mem = in->mem;
  memset(doc, 0, sizeof *doc);
  doc->mem = mem;
  prf_status st = prf_json_slurp(in, &doc->text, &doc->len);
  if (st != PRF_OK)
    return st;
  st = prf_json_parse_text(doc->text, doc->len, &doc->root, in->err);
  if (st == PRF_OK && !doc->root)
    st = prf_fail(in->err, PRF_E_NOMEM, "out of memory parsing JSON");
  if (st != PRF_OK) {
    prf_mem_free(mem, doc->text);
    doc->text = NULL;
  }
  return st;
}

/* ---- placing errors: walking a path through the text ---- */

/* cJSON takes every byte up to ' ' (NUL too) for white space. */
static size_t skip_space(const char *t, size_t len, size_t i) {
  while (i < len && (unsigned char)t[i] <= ' ')
    i++;
  return i;
}

/* Past the string that starts at t[i] ('"'). */
static size_t skip_string(const char *t, size_t len, size_t i) {
  for (i++; i < len && t[i] != '"'; i++)
    if (t[i] == '\\')
      i++;
  return i < len ? i + 1 : len;
}

/* Past the value that starts at t[i]: nested values are counted, not
 * recursed into (the text has been parsed, so it is well formed). */
static size_t skip_value(const char *t, size_t len, size_t i) {
  size_t depth = 0;
  do {
    i = skip_space(t, len, i);
    if (i >= len)
      return len;
    char c = t[i];
    if (c == '"') {
      i = skip_string(t, len, i);
    } else if (c == '{' || c == '[') {
      depth++;
      i++;
    } else if (c == '}' || c == ']') {
      if (depth)
        depth--;
      i++;
    } else if (c == ',' || c == ':') {
      i++;
    } else { /* a number or a literal */
      do
        i++;
      while (i < len && (unsigned char)t[i] > ' ' && !strchr(",:]}", t[i]));
    }
  } while (depth > 0);
  return i;
}

/* Past a separating ',' (and the space around it). */
static size_t skip_comma(const char *t, size_t len, size_t i) {
  i = skip_space(t, len, i);
  if (i < len && t[i] == ',')
    i++;
  return skip_space(t, len, i);
}

/* The member key (klen bytes) of the object at t[i], or SIZE_MAX. */
static size_t find_member(const char *t, size_t len, size_t i,
                          const char *key, size_t klen) {
  if (i >= len || t[i] != '{')
    return SIZE_MAX;
  i = skip_space(t, len, i + 1);
  while (i < len && t[i] == '"') {
    size_t end = skip_string(t, len, i);
    bool match = end - i == klen + 2 && memcmp(t + i + 1, key, klen) == 0;
    i = skip_space(t, len, end);
    if (i < len && t[i] == ':')
      i = skip_space(t, len, i + 1);
    if (match)
      return i;
    i = skip_comma(t, len, skip_value(t, len, i));
  }
  return SIZE_MAX;
}

/* Element index of the array at t[i], or SIZE_MAX. */
static size_t find_element(const char *t, size_t len, size_t i,
                           size_t index) {
  if (i >= len || t[i] != '[')
    return SIZE_MAX;
  i = skip_space(t, len, i + 1);
  for (size_t k = 0; i < len && t[i] != ']'; k++) {
    if (k == index)
      return i;
    i = skip_comma(t, len, skip_value(t, len, i));
  }
  return SIZE_MAX;
}

size_t prf_json_offset(const char *text, size_t len, const char *path) {
  size_t at = skip_space(text, len, 0);
  const char *p = path;
  if (*p == '(') /* "(.profile|fromjson)...": the string holding JSON */
    p++;
  for (;;) {
    size_t next;
    if (*p == '.') {
      size_t klen = strcspn(p + 1, ".[:|() ,");
      next = find_member(text, len, at, p + 1, klen);
      p += 1 + klen;
    } else if (*p == '[' && p[1] >= '0' && p[1] <= '9') {
      char *end;
      errno = 0;
      unsigned long long index = strtoull(p + 1, &end, 10);
      if (*end != ']' || errno || index >= SIZE_MAX)
        break;
      next = find_element(text, len, at, (size_t)index);
      p = end + 1;
    } else {
      break;
    }
    if (next == SIZE_MAX)
      break;
    at = next;
  }
  return at < len ? at : len;
}

/* The JSON path a reader's error message names, or NULL. */
static const char *message_path(const char *msg) {
  static const char *const lead[] = {"at ", "in the JSON string at "};
  for (size_t i = 0; i < sizeof lead / sizeof lead[0]; i++) {
    size_t n = strlen(lead[i]);
    if (strncmp(msg, lead[i], n) != 0)
      continue;
    const char *p = msg + n;
    if (strncmp(p, "the top level", 13) == 0)
      return "";
    if (*p == '.' || *p == '[' || *p == '(')
      return p;
  }
  return NULL;
}

prf_status prf_json_done(prf_json_doc *doc, prf_status st, prf_error *err) {
  const prf_allocator *mem = doc->mem;
  const char *path;
  if (st != PRF_OK && err && doc->text && !err->line && !err->has_offset &&
      (path = message_path(err->message))) {
    size_t off = prf_json_offset(doc->text, doc->len, path);
    err->offset = off;
    err->has_offset = 1;
    err->line = line_of(doc->text, off);
  }
  cJSON_Delete(doc->root);
  prf_mem_free(mem, doc->text);
  memset(doc, 0, sizeof *doc);
  return st;
}

/* ---- paths ---- */

void prf_jpath_init(prf_jpath *p) {
  p->buf[0] = '\0';
  p->len = 0;
}

static size_t jpath_append(prf_jpath *p, const char *piece) {
  size_t old = p->len, n = strlen(piece);
  if (p->len + n < sizeof p->buf - 4) {
    memcpy(p->buf + p->len, piece, n + 1);
    p->len += n;
  } else if (p->len < sizeof p->buf - 4) {
    memcpy(p->buf + p->len, "...", 4);
    p->len += 3;
  }
  return old;
}

size_t prf_jpath_key(prf_jpath *p, const char *key) {
  char piece[96];
  snprintf(piece, sizeof piece, ".%s", key);
  return jpath_append(p, piece);
}

size_t prf_jpath_index(prf_jpath *p, size_t index) {
  char piece[32];
  snprintf(piece, sizeof piece, "[%zu]", index);
  return jpath_append(p, piece);
}

void prf_jpath_cut(prf_jpath *p, size_t len) {
  if (len < sizeof p->buf) {
    p->len = len;
    p->buf[len] = '\0';
  }
}

const char *prf_json_type_name(const cJSON *item) {
  if (!item)
    return "nothing";
  if (cJSON_IsNull(item))
    return "null";
  if (cJSON_IsBool(item))
    return "a boolean";
  if (cJSON_IsNumber(item))
    return isfinite(item->valuedouble) ? "a number"
                                       : "a number out of range";
  if (cJSON_IsString(item))
    return "a string";
  if (cJSON_IsArray(item))
    return "an array";
  if (cJSON_IsObject(item))
    return "an object";
  return "an invalid value";
}

prf_status prf_json_expected(prf_error *err, const prf_jpath *path,
                             const char *key, const char *what,
                             const cJSON *item) {
  const char *p = path && path->len ? path->buf : "";
  if (!item)
    return prf_fail(err, PRF_E_DATA, "at %s%s%s: expected %s, but it is missing",
                    *p || key ? p : "the top level", key ? "." : "",
                    key ? key : "", what);
  return prf_fail(err, PRF_E_DATA, "at %s%s%s: expected %s, found %s",
                  *p || key ? p : "the top level", key ? "." : "",
                  key ? key : "", what, prf_json_type_name(item));
}

const cJSON *prf_json_get(const cJSON *obj, const char *key) {
  if (!cJSON_IsObject(obj))
    return NULL;
  return cJSON_GetObjectItemCaseSensitive(obj, key);
}

/* ---- numbers ---- */

/* A number, or with lenient a string that is wholly a finite number. */
static bool as_number(const cJSON *v, bool lenient, double *out) {
  if (cJSON_IsNumber(v)) {
    *out = v->valuedouble;
    return isfinite(*out);
  }
  if (lenient && cJSON_IsString(v) && v->valuestring && *v->valuestring) {
    char *end;
    errno = 0;
    double d = strtod(v->valuestring, &end);
    if (*end || errno || !isfinite(d))
      return false;
    /* strtod also reads "nan", "inf" and hex; only decimal digits here. */
    for (const char *s = v->valuestring; *s; s++)
      if (!strchr("0123456789+-.eE", *s))
        return false;
    *out = d;
    return true;
  }
  return false;
}

/* Integers beyond 2^53 lose precision in a double; strings keep them. */
static bool as_int(const cJSON *v, bool lenient, int64_t *out) {
  if (lenient && cJSON_IsString(v) && v->valuestring && *v->valuestring) {
    const char *s = v->valuestring;
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (!*end && !errno && (*s == '-' || (*s >= '0' && *s <= '9'))) {
      *out = x;
      return true;
    }
  }
  double d;
  if (!as_number(v, lenient, &d) || d != floor(d) || d < -9.2e18 || d > 9.2e18)
    return false;
  *out = (int64_t)d;
  return true;
}

/* item (the member key of its object, or an array element when key is
 * NULL) as a number / an integer in [min, max]. */
static prf_status get_num(const cJSON *item, const char *key, bool lenient,
                          const prf_jpath *path, prf_error *err, double *out) {
  if (!as_number(item, lenient, out))
    return prf_json_expected(err, path, key, "a finite number", item);
  return PRF_OK;
}

static prf_status get_int(const cJSON *item, const char *key, bool lenient,
                          int64_t min, int64_t max, const prf_jpath *path,
                          prf_error *err, int64_t *out) {
  int64_t v;
  if (!as_int(item, lenient, &v))
    return prf_json_expected(err, path, key, "a whole number", item);
  if (v < min || v > max) {
    char what[96];
    snprintf(what, sizeof what, "a whole number from %lld to %lld",
             (long long)min, (long long)max);
    return prf_json_expected(err, path, key, what, item);
  }
  *out = v;
  return PRF_OK;
}

prf_status prf_json_item_num(const cJSON *item, bool lenient,
                             const prf_jpath *path, prf_error *err,
                             double *out) {
  return get_num(item, NULL, lenient, path, err, out);
}

prf_status prf_json_item_int(const cJSON *item, bool lenient, int64_t min,
                             int64_t max, const prf_jpath *path,
                             prf_error *err, int64_t *out) {
  return get_int(item, NULL, lenient, min, max, path, err, out);
}

prf_status prf_json_num(const cJSON *obj, const char *key, bool lenient,
                        const prf_jpath *path, prf_error *err, double *out) {
  return get_num(prf_json_get(obj, key), key, lenient, path, err, out);
}

prf_status prf_json_num_opt(const cJSON *obj, const char *key, bool lenient,
                            const prf_jpath *path, prf_error *err,
                            double *out) {
  const cJSON *v = prf_json_get(obj, key);
  if (!v || cJSON_IsNull(v))
    return PRF_OK;
  return prf_json_num(obj, key, lenient, path, err, out);
}

prf_status prf_json_int(const cJSON *obj, const char *key, bool lenient,
                        int64_t min, int64_t max, const prf_jpath *path,
                        prf_error *err, int64_t *out) {
  return get_int(prf_json_get(obj, key), key, lenient, min, max, path, err,
                 out);
}

prf_status prf_json_int_opt(const cJSON *obj, const char *key, bool lenient,
                            int64_t min, int64_t max, const prf_jpath *path,
                            prf_error *err, int64_t *out) {
  const cJSON *v = prf_json_get(obj, key);
  if (!v || cJSON_IsNull(v))
    return PRF_OK;
  return prf_json_int(obj, key, lenient, min, max, path, err, out);
}

/* ---- strings, arrays, objects ---- */

prf_status prf_json_str(const cJSON *obj, const char *key,
                        const prf_jpath *path, prf_error *err,
                        const char **out) {
  const cJSON *v = prf_json_get(obj, key);
  if (!cJSON_IsString(v) || !v->valuestring)
    return prf_json_expected(err, path, key, "a string", v);
  *out = v->valuestring;
  return PRF_OK;
}

prf_status prf_json_str_opt(const cJSON *obj, const char *key,
                            const prf_jpath *path, prf_error *err,
                            const char **out) {
  const cJSON *v = prf_json_get(obj, key);
  if (!v || cJSON_IsNull(v))
    return PRF_OK;
  return prf_json_str(obj, key, path, err, out);
}

static prf_status typed(const cJSON *obj, const char *key, bool opt,
                        cJSON_bool (*is)(const cJSON *), const char *what,
                        const prf_jpath *path, prf_error *err,
                        const cJSON **out) {
  const cJSON *v = prf_json_get(obj, key);
  if (opt && (!v || cJSON_IsNull(v))) {
    *out = NULL;
    return PRF_OK;
  }
  if (!is(v))
    return prf_json_expected(err, path, key, what, v);
  *out = v;
  return PRF_OK;
}

prf_status prf_json_array(const cJSON *obj, const char *key,
                          const prf_jpath *path, prf_error *err,
                          const cJSON **out) {
  return typed(obj, key, false, cJSON_IsArray, "an array", path, err, out);
}

prf_status prf_json_array_opt(const cJSON *obj, const char *key,
                              const prf_jpath *path, prf_error *err,
                              const cJSON **out) {
  return typed(obj, key, true, cJSON_IsArray, "an array", path, err, out);
}

prf_status prf_json_object(const cJSON *obj, const char *key,
                           const prf_jpath *path, prf_error *err,
                           const cJSON **out) {
  return typed(obj, key, false, cJSON_IsObject, "an object", path, err, out);
}

prf_status prf_json_object_opt(const cJSON *obj, const char *key,
                               const prf_jpath *path, prf_error *err,
                               const cJSON **out) {
  return typed(obj, key, true, cJSON_IsObject, "an object", path, err, out);
}

/* ---- sniffing ---- */

bool prf_json_starts(const unsigned char *head, size_t len, char c) {
  size_t i = 0;
  while (i < len && (head[i] == ' ' || head[i] == '\t' || head[i] == '\n' ||
                     head[i] == '\r'))
    i++;
  return i < len && head[i] == (unsigned char)c;
}

bool prf_json_has_key(const unsigned char *head, size_t len, const char *key) {
  size_t k = strlen(key);
  if (k + 2 > len)
    return false;
  for (size_t i = 0; i + k + 2 <= len; i++) {
    const unsigned char *q = memchr(head + i, '"', len - i - k - 1);
    if (!q)
      return false;
    i = (size_t)(q - head);
    if (memcmp(q + 1, key, k) == 0 && q[k + 1] == '"') {
      /* a key: followed by optional whitespace and ':' */
      size_t j = i + k + 2;
      while (j < len && (head[j] == ' ' || head[j] == '\t' || head[j] == '\n' ||
                         head[j] == '\r'))
        j++;
      if (j < len && head[j] == ':')
        return true;
    }
  }
  return false;
}

/* ---- writing ---- */

/* A JSON string: quotes, backslashes and control characters escaped,
 * '<', '>' and '&' too (the file may be embedded in HTML), U+2028/2029
 * (JavaScript), and every byte that is not UTF-8 as U+FFFD. */
void prf_json_string(prf_buf *b, const char *s, size_t len) {
  static const char hex[] = "0123456789abcdef";
  prf_buf_putc(b, '"');
  size_t i = 0;
  while (i < len) {
    size_t valid = i + prf_utf8_check((const unsigned char *)s + i, len - i);
    size_t run = i;
    for (; i < valid; i++) {
      unsigned char c = (unsigned char)s[i];
      const char *esc = NULL;
      char u[7] = "\\u00";
      if (c == '"')
        esc = "\\\"";
      else if (c == '\\')
        esc = "\\\\";
      else if (c == '\n')
        esc = "\\n";
      else if (c == '\t')
        esc = "\\t";
      else if (c == '\r')
        esc = "\\r";
      else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
        u[4] = hex[c >> 4];
        u[5] = hex[c & 15];
        u[6] = '\0';
        esc = u;
      } else if (c == 0xE2 && i + 2 < valid && (unsigned char)s[i + 1] == 0x80 &&
                 ((unsigned char)s[i + 2] == 0xA8 ||
                  (unsigned char)s[i + 2] == 0xA9)) {
        esc = (unsigned char)s[i + 2] == 0xA8 ? "\\u2028" : "\\u2029";
        prf_buf_put(b, s + run, i - run);
        prf_buf_puts(b, esc);
        i += 2;
        run = i + 1;
        continue;
      }
      if (esc) {
        prf_buf_put(b, s + run, i - run);
        prf_buf_puts(b, esc);
        run = i + 1;
      }
    }
    prf_buf_put(b, s + run, i - run);
    if (i < len) {
      prf_buf_puts(b, "\\ufffd");
      i++;
    }
  }
  prf_buf_putc(b, '"');
}

void prf_json_number(prf_buf *b, double v) {
  if (!isfinite(v)) {
    prf_buf_puts(b, "null");
    return;
  }
  char tmp[64];
  prf_format_number(tmp, sizeof tmp, v);
  prf_buf_puts(b, tmp);
}
