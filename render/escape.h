/*
 * escape.h - making profile text safe for XML/HTML and for JavaScript
 * string literals. Everything from a profile passes through here.
 */
#ifndef PRF_ESCAPE_H
#define PRF_ESCAPE_H

#include "../lib/internal.h"

/* XML text or attribute value: &<>"' become entities; control characters,
 * invalid UTF-8 and non-characters become U+FFFD. */
void prf_escape_xml(prf_buf *b, const char *s, size_t len);

/* Plain text for a text renderer (pango): valid UTF-8 without control
 * characters or non-characters (each becomes U+FFFD), no entities. */
void prf_text_plain(prf_buf *b, const char *s, size_t len);

/* The body of a single-quoted JavaScript string that is also safe inside
 * CDATA and <script>: only printable ASCII is emitted verbatim; quotes,
 * backslashes, <, >, & and everything else become \uXXXX escapes. */
void prf_escape_js(prf_buf *b, const char *s, size_t len);

/* The body of a double-quoted CSS string, XML-escaped as well. */
void prf_escape_css(prf_buf *b, const char *s, size_t len);

/* Decodes one UTF-8 code point at s[0..len); returns its byte length (at
 * least 1) and stores U+FFFD for an invalid sequence. */
size_t prf_utf8_next(const char *s, size_t len, uint32_t *cp);

/* A value with its unit, scaled the way the top table scales ("1.50s",
 * "12MB"; counts plain): for headers and summaries. */
void prf_format_measure(char *out, size_t size, double value,
                        const char *unit);

#endif
