/*
 * json.h - what every JSON reader shares: reading the whole input,
 * UTF-8 validation, parsing with cJSON (errors name the byte offset and
 * line), and typed access whose errors name the JSON path.
 *
 * Paths are written the way jq spells them: ".nodes[3].callFrame.url".
 * cJSON limits nesting to CJSON_NESTING_LIMIT (1000) levels, so parsing
 * and freeing recurse at most that deep.
 */
#ifndef PRF_JSON_H
#define PRF_JSON_H

#include "input.h"

#include <cjson/cJSON.h>

/* The whole decoded input, NUL-terminated, checked to be UTF-8. On an
 * invalid sequence: PRF_E_DATA with its byte offset and line. */
prf_status prf_json_slurp(prf_input *in, char **text, size_t *len);

/* The first invalid UTF-8 byte offset in s, or len when valid. Overlong
 * forms, surrogates and code points above U+10FFFF are invalid. */
size_t prf_utf8_check(const unsigned char *s, size_t len);

/* Parses text (len bytes) as one JSON value followed by nothing but
 * whitespace. On failure: PRF_E_DATA naming the byte offset and line. */
prf_status prf_json_parse_text(const char *text, size_t len, cJSON **root,
                               prf_error *err);

/* A whole JSON input: its tree, and its text, kept to place errors. */
typedef struct prf_json_doc {
  const prf_allocator *mem; /* what text came from */
  char *text;
  size_t len;
  cJSON *root;
} prf_json_doc;

/* prf_json_slurp then prf_json_parse_text into doc (freed on failure). */
prf_status prf_json_read(prf_input *in, prf_json_doc *doc);

/* Gives a reader's error its place in the input and frees doc; returns
 * st. A JSON reader's error names the JSON path where it was found
 * ("at .nodes[3].id: ...", "at the top level: ..." or "in the JSON
 * string at .profile, ..."): when err has no position yet, it gets the
 * byte offset (and line) of the deepest value of that path in the text.
 * The walk is linear and does not recurse. */
prf_status prf_json_done(prf_json_doc *doc, prf_status st, prf_error *err);

/* The byte offset in text (a valid JSON value of len bytes) of the value
 * that path (".a.b[2]", "" for the top level) names, or of the deepest
 * value on the way that exists. */
size_t prf_json_offset(const char *text, size_t len, const char *path);

/* A JSON path being walked, for error messages: a fixed buffer that
 * members and indexes are appended to and cut back from. */
typedef struct prf_jpath {
  char buf[200];
  size_t len;
} prf_jpath;

void prf_jpath_init(prf_jpath *p);
/* Appends ".key" or "[index]"; returns the previous length for
 * prf_jpath_cut. Too long a path ends in "..." rather than failing. */
size_t prf_jpath_key(prf_jpath *p, const char *key);
size_t prf_jpath_index(prf_jpath *p, size_t index);
void prf_jpath_cut(prf_jpath *p, size_t len);

/* PRF_E_DATA: "at PATH[.key]: expected WHAT, found TYPE" ("missing" when
 * item is NULL). key may be NULL. */
prf_status prf_json_expected(prf_error *err, const prf_jpath *path,
                             const char *key, const char *what,
                             const cJSON *item);

/* The name of a value's JSON type ("string", "number", "null"...). */
const char *prf_json_type_name(const cJSON *item);

/* A member of an object (case-sensitive; NULL when obj is not an object
 * or the key is absent). */
const cJSON *prf_json_get(const cJSON *obj, const char *key);

/* Typed members. Each returns PRF_OK, or PRF_E_DATA with an error naming
 * PATH.key. The _opt forms leave *out alone and succeed when the member
 * is absent or null. Numbers must be finite; integers must be whole and
 * within [min, max]. lenient: a string holding a number is accepted too
 * (Sentry sends thread ids and times as strings). */
prf_status prf_json_num(const cJSON *obj, const char *key, bool lenient,
                        const prf_jpath *path, prf_error *err, double *out);
prf_status prf_json_num_opt(const cJSON *obj, const char *key, bool lenient,
                            const prf_jpath *path, prf_error *err,
                            double *out);
prf_status prf_json_int(const cJSON *obj, const char *key, bool lenient,
                        int64_t min, int64_t max, const prf_jpath *path,
                        prf_error *err, int64_t *out);
prf_status prf_json_int_opt(const cJSON *obj, const char *key, bool lenient,
                            int64_t min, int64_t max, const prf_jpath *path,
                            prf_error *err, int64_t *out);
/* Strings: *out points into the cJSON tree (valid while it lives). */
prf_status prf_json_str(const cJSON *obj, const char *key,
                        const prf_jpath *path, prf_error *err,
                        const char **out);
prf_status prf_json_str_opt(const cJSON *obj, const char *key,
                            const prf_jpath *path, prf_error *err,
                            const char **out);
/* Arrays and objects: *out is the member (required / NULL when absent). */
prf_status prf_json_array(const cJSON *obj, const char *key,
                          const prf_jpath *path, prf_error *err,
                          const cJSON **out);
prf_status prf_json_array_opt(const cJSON *obj, const char *key,
                              const prf_jpath *path, prf_error *err,
                              const cJSON **out);
prf_status prf_json_object(const cJSON *obj, const char *key,
                           const prf_jpath *path, prf_error *err,
                           const cJSON **out);
prf_status prf_json_object_opt(const cJSON *obj, const char *key,
                               const prf_jpath *path, prf_error *err,
                               const cJSON **out);

/* An array element (or the value itself when key is NULL) as an integer
 * in [min, max]: for arrays of numbers ("samples": [1, 2, 3]). */
prf_status prf_json_item_int(const cJSON *item, bool lenient, int64_t min,
                             int64_t max, const prf_jpath *path,
                             prf_error *err, int64_t *out);
prf_status prf_json_item_num(const cJSON *item, bool lenient,
                             const prf_jpath *path, prf_error *err,
                             double *out);

/* Sniffing helpers: whether the first bytes (after whitespace) start
 * with c, and whether a quoted key "key" occurs in them. */
bool prf_json_starts(const unsigned char *head, size_t len, char c);
bool prf_json_has_key(const unsigned char *head, size_t len, const char *key);

/* Writing JSON. A string: quotes, backslashes and control characters
 * escaped, '<', '>' and '&' too (so that it may sit inside an HTML
 * <script>), U+2028/2029 (JavaScript line ends), and every byte that is
 * not UTF-8 as U+FFFD; the result is valid JSON whatever the bytes. */
void prf_json_string(prf_buf *b, const char *s, size_t len);
/* A number, shortest exact (prf_format_number); null when not finite. */
void prf_json_number(prf_buf *b, double v);

#endif
