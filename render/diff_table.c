/*
 * diff_table.c - the comparison of two releases as a terminal table,
 * Markdown (pull-request comments, $GITHUB_STEP_SUMMARY), JSON and JUnit
 * XML. Function names are data: cleaned of control characters for the
 * terminal, escaped for Markdown, JSON and XML.
 */
#include "escape.h"
#include "../formats/json.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *verdict_word(int v) {
  return v == PRF_DIFF_REGRESSION ? "regressed"
         : v == PRF_DIFF_IMPROVEMENT ? "improved" : "";
}

static void pct(prf_buf *b, double share) {
  prf_buf_fixed(b, share * 100, 2);
  prf_buf_putc(b, '%');
}

static void change(prf_buf *b, double pp) {
  if (pp >= 0)
    prf_buf_putc(b, '+');
  prf_buf_fixed(b, pp == 0 ? 0 : pp, 2);
  prf_buf_puts(b, "pp");
}

static void relative(prf_buf *b, double r) {
  if (isinf(r)) {
    prf_buf_puts(b, "new");
  } else if (r == -1) {
    prf_buf_puts(b, "gone");
  } else {
    if (r >= 0)
      prf_buf_putc(b, '+');
    prf_buf_fixed(b, r == 0 ? 0 : r * 100, 1);
    prf_buf_putc(b, '%');
  }
}

static void pvalue(prf_buf *b, double p) {
  if (p < 1e-300)
    prf_buf_puts(b, "<1e-300");
  else
    prf_buf_printf(b, "%.2g", p);
}

/* The change, the relative change and the p-value, with separators. */
static void change_cells(prf_buf *b, const prf_diff_row *r, const char *sep,
                         const char *p_sep) {
  change(b, r->delta_pp);
  prf_buf_puts(b, sep);
  relative(b, r->relative);
  prf_buf_puts(b, p_sep);
  pvalue(b, r->p_value);
}

/* Right-aligns the text appended since start to width columns. */
static void pad_left(prf_buf *b, size_t start, size_t width) {
  size_t len = b->len - start;
  if (b->failed || len >= width)
    return;
  size_t pad = width - len;
  for (size_t i = 0; i < pad; i++)
    prf_buf_putc(b, ' ');
  if (b->failed)
    return;
  memmove(b->data + start + pad, b->data + start, len);
  memset(b->data + start, ' ', pad);
}

static const char *metric_name(const prf_diff *d) {
  return d->metric == PRF_DIFF_TOTAL ? "total" : "self";
}

/* What was compared and the rule, in words; sep goes between the
 * sentences (a newline for the terminal, a blank in Markdown). */
static void summary(prf_buf *b, const prf_diff *d, const char *sep) {
  char nb[64], nn[64];
  prf_format_count(nb, sizeof nb, d->base_samples);
  prf_format_count(nn, sizeof nn, d->new_samples);
  prf_buf_printf(b, "Base: %zu profile%s, %s samples. New: %zu profile%s, %s samples.%s",
                 d->base_runs, d->base_runs == 1 ? "" : "s", nb, d->new_runs,
                 d->new_runs == 1 ? "" : "s", nn, sep);
  prf_buf_printf(b, "A regression: the %s share grew by at least ", metric_name(d));
  prf_buf_fixed(b, d->min_change, 2);
  prf_buf_puts(b, " pp and ");
  prf_buf_fixed(b, d->threshold * 100, 1);
  prf_buf_printf(b, "%%, significant at p <= %.2g (%s); the chance of any false "
                    "verdict in the whole profile is kept below %.2g.",
                 d->alpha_each,
                 d->welch ? "Welch's t-test on the per-run shares"
                          : "two-proportion z-test on the sample counts",
                 d->alpha);
}

static bool shown(const prf_diff *d, size_t i, size_t max_rows) {
  return max_rows == 0 || i < max_rows ||
         d->rows[i].verdict != PRF_DIFF_SAME;
}

/* ---- text ---- */

static void write_text(prf_buf *b, const prf_diff *d, size_t max_rows,
                       bool color) {
  const char *red = color ? "\033[31m" : "", *green = color ? "\033[32m" : "",
             *bold = color ? "\033[1m" : "", *reset = color ? "\033[0m" : "";
  summary(b, d, "\n");
  prf_buf_puts(b, "\n\nVerdict: ");
  if (d->regressions)
    prf_buf_printf(b, "%s%sREGRESSION%s: %zu function%s got slower", bold, red,
                   reset, d->regressions, d->regressions == 1 ? "" : "s");
  else
    prf_buf_printf(b, "%sok%s: no function got slower", bold, reset);
  prf_buf_printf(b, ", %zu improved\n\n", d->improvements);
  static const char *const head[] = {"base self", "new self", "base total",
                                     "new total", "change", "relative",
                                     "p-value"};
  static const size_t widths[] = {10, 10, 11, 10, 10, 9, 9};
  for (size_t c = 0; c < 7; c++) {
    size_t at = b->len;
    prf_buf_puts(b, head[c]);
    pad_left(b, at, widths[c]);
  }
  prf_buf_puts(b, "  verdict    function\n");
  for (size_t i = 0; i < d->count; i++) {
    if (!shown(d, i, max_rows))
      continue;
    const prf_diff_row *r = &d->rows[i];
    double cells[] = {r->base_self, r->new_self, r->base_total, r->new_total};
    for (size_t c = 0; c < 4; c++) {
      size_t at = b->len;
      pct(b, cells[c]);
      pad_left(b, at, widths[c]);
    }
    size_t at = b->len;
    change(b, r->delta_pp);
    pad_left(b, at, widths[4]);
    at = b->len;
    relative(b, r->relative);
    pad_left(b, at, widths[5]);
    at = b->len;
    pvalue(b, r->p_value);
    pad_left(b, at, widths[6]);
    const char *hue = r->verdict == PRF_DIFF_REGRESSION   ? red
                      : r->verdict == PRF_DIFF_IMPROVEMENT ? green : "";
    prf_buf_printf(b, "  %s%-9s%s  ", hue, verdict_word(r->verdict),
                   *hue ? reset : "");
    prf_text_plain(b, r->function, strlen(r->function));
    prf_buf_putc(b, '\n');
  }
}

/* ---- Markdown ---- */

/* Markdown text: every ASCII punctuation character backslash-escaped
 * (CommonMark allows it for all of them), so a name cannot open a link,
 * an emphasis, a code span or a table cell; <, > and & as entities. */
static void md_escape(prf_buf *b, const char *s) {
  prf_buf clean;
  prf_buf_init(&clean, b->mem);
  prf_text_plain(&clean, s, strlen(s));
  for (size_t i = 0; i < clean.len; i++) {
    char c = clean.data[i];
    if (c == '<')
      prf_buf_puts(b, "&lt;");
    else if (c == '>')
      prf_buf_puts(b, "&gt;");
    else if (c == '&')
      prf_buf_puts(b, "&amp;");
    else if (strchr("\\`*_{}[]()#+-.!|~\"'$%^=:;,/?@", c) && c)
      prf_buf_printf(b, "\\%c", c);
    else
      prf_buf_putc(b, c);
  }
  if (clean.failed)
    b->failed = true;
  prf_buf_free(&clean);
}

static void write_markdown(prf_buf *b, const prf_diff *d, size_t max_rows) {
  prf_buf_printf(b, "### prof-render diff: %s\n\n",
                 d->regressions ? "regression" : "no regression");
  prf_buf_printf(b, "**%zu function%s regressed**, %zu improved. ",
                 d->regressions, d->regressions == 1 ? "" : "s",
                 d->improvements);
  summary(b, d, " ");
  prf_buf_puts(b, "\n\n| function | base self | new self | base total | "
                  "new total | change | relative | p-value | verdict |\n"
                  "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
  for (size_t i = 0; i < d->count; i++) {
    if (!shown(d, i, max_rows))
      continue;
    const prf_diff_row *r = &d->rows[i];
    prf_buf_puts(b, "| ");
    md_escape(b, r->function);
    double cells[] = {r->base_self, r->new_self, r->base_total, r->new_total};
    for (size_t c = 0; c < 4; c++) {
      prf_buf_puts(b, " | ");
      pct(b, cells[c]);
    }
    prf_buf_puts(b, " | ");
    change_cells(b, r, " | ", " | ");
    prf_buf_printf(b, " | %s |\n",
                   r->verdict == PRF_DIFF_REGRESSION ? "**regressed**"
                                                     : verdict_word(r->verdict));
  }
}

/* ---- JSON ---- */

/* ', "key": value' (sep and key as given) */
static void json_field(prf_buf *b, const char *sep_key, double v) {
  prf_buf_puts(b, sep_key);
  prf_json_number(b, v);
}

static void json_rows(prf_buf *b, const prf_diff *d, int verdict) {
  bool first = true;
  prf_buf_putc(b, '[');
  for (size_t i = 0; i < d->count; i++) {
    const prf_diff_row *r = &d->rows[i];
    if (r->verdict != verdict)
      continue;
    prf_buf_puts(b, first ? "\n    {\"function\": \"" : ",\n    {\"function\": \"");
    first = false;
    prf_escape_js(b, r->function, strlen(r->function));
    json_field(b, "\", \"base_share\": ", r->base_share);
    json_field(b, ", \"new_share\": ", r->new_share);
    json_field(b, ", \"delta_pp\": ", r->delta_pp);
    json_field(b, ", \"relative\": ", r->relative);
    json_field(b, ", \"p_value\": ", r->p_value);
    prf_buf_putc(b, '}');
  }
  prf_buf_puts(b, first ? "]" : "\n  ]");
}

static void write_json(prf_buf *b, const prf_diff *d) {
  prf_buf_printf(b, "{\n  \"verdict\": \"%s\",\n  \"metric\": \"%s\",\n"
                    "  \"test\": \"%s\",\n  \"alpha\": ",
                 d->regressions ? "regression" : "ok", metric_name(d),
                 d->welch ? "welch-t" : "two-proportion-z");
  prf_json_number(b, d->alpha);
  json_field(b, ",\n  \"alpha_per_function\": ", d->alpha_each);
  json_field(b, ",\n  \"min_change_pp\": ", d->min_change);
  json_field(b, ",\n  \"threshold\": ", d->threshold);
  prf_buf_puts(b, ",\n  \"regressions\": ");
  json_rows(b, d, PRF_DIFF_REGRESSION);
  prf_buf_puts(b, ",\n  \"improvements\": ");
  json_rows(b, d, PRF_DIFF_IMPROVEMENT);
  prf_buf_printf(b, ",\n  \"totals\": {\"base_runs\": %zu, \"new_runs\": %zu, "
                    "\"base_samples\": ",
                 d->base_runs, d->new_runs);
  prf_json_number(b, d->base_samples);
  json_field(b, ", \"new_samples\": ", d->new_samples);
  prf_buf_printf(b, ", \"functions\": %zu}\n}\n", d->count);
}

/* ---- JUnit ---- */

static void write_junit(prf_buf *b, const prf_diff *d) {
  prf_buf_printf(b,
                 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                 "<testsuites>\n<testsuite name=\"prof-render diff\" "
                 "tests=\"%zu\" failures=\"%zu\">\n",
                 d->regressions + 1, d->regressions);
  for (size_t i = 0; i < d->count; i++) {
    const prf_diff_row *r = &d->rows[i];
    if (r->verdict != PRF_DIFF_REGRESSION)
      continue;
    prf_buf_puts(b, "<testcase classname=\"prof-render.diff\" name=\"");
    prf_escape_xml(b, r->function, strlen(r->function));
    prf_buf_printf(b, "\"><failure message=\"%s share ", metric_name(d));
    pct(b, r->base_share);
    prf_buf_puts(b, " -&gt; ");
    pct(b, r->new_share);
    prf_buf_puts(b, " (");
    change_cells(b, r, ", ", ", p = ");
    prf_buf_puts(b, ")\"/></testcase>\n");
  }
  prf_buf_printf(b,
                 "<testcase classname=\"prof-render.diff\" name=\"no other "
                 "function regressed (%zu compared)\"/>\n</testsuite>\n"
                 "</testsuites>\n",
                 d->count - d->regressions);
}

prf_status prf_diff_write(const prf_diff *d, prf_diff_format format,
                          size_t max_rows, int color, prf_write_fn write,
                          void *ctx, prf_error *err) {
  const prf_allocator *mem = &d->allocator;
  prf_buf b;
  prf_buf_init(&b, mem);
  switch (format) {
  case PRF_DIFF_TEXT: write_text(&b, d, max_rows, color != 0); break;
  case PRF_DIFF_MARKDOWN: write_markdown(&b, d, max_rows); break;
  case PRF_DIFF_JSON: write_json(&b, d); break;
  case PRF_DIFF_JUNIT: write_junit(&b, d); break;
  default:
    prf_buf_free(&b);
    return prf_fail(err, PRF_E_USAGE, "unknown diff format %d", (int)format);
  }
  prf_status st = PRF_OK;
  if (b.failed)
    st = prf_fail(err, PRF_E_NOMEM, "out of memory writing the comparison");
  else if (b.len && write(ctx, b.data, b.len) != 0)
    st = prf_fail(err, PRF_E_OUTPUT, "cannot write the comparison");
  prf_buf_free(&b);
  return st;
}
