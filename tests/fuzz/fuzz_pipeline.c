/*
 * fuzz_pipeline.c - read (format sniffed) -> filters and granularity ->
 * every writer. The first input byte picks the options, so the fuzzer
 * explores them too. Checks: the model's invariants before and after the
 * analysis, SVG output that is valid UTF-8 without control characters
 * (well-formed text for XML) and the same bytes when written twice,
 * written pprof and speedscope output that reads back, (for a quarter of
 * the inputs) a PNG or PDF that is the same bytes twice, and an HTML report
 * that is the same bytes twice and whose data block is valid JSON with no
 * '<' in it (so no name can close the script element).
 */
#include "fuzz.h"

#include <cjson/cJSON.h>
#include <string.h>

/* Readers refuse inputs without a weighed stack, so an empty profile
 * (after a filter dropped everything, or cut every stack down to its
 * thread's root frame, which speedscope holds as the profile's name) is
 * not expected to read back. */
static int has_weight(const prf_profile *p) {
  const prf_tree *t = prf_profile_tree_const(p);
  size_t col = prf_value_default(p);
  uint32_t min_depth = prf_thread_count(p) ? 2 : 1;
  for (size_t i = 0; i < prf_tree_stack_count(t); i++) {
    prf_node n = prf_tree_stack(t, i);
    if (prf_tree_depth(t, n) >= min_depth && prf_tree_self(t, n, col) != 0)
      return 1;
  }
  return 0;
}

static void write_one(prf_profile *p, const char *format) {
  fuzz_out out = {0};
  prf_error err;
  prf_error_clear(&err);
  prf_status st = prf_profile_write(p, format, fuzz_out_write, &out, &err);
  if (st == PRF_OK && out.len == out.total && has_weight(p) &&
      (!strcmp(format, "pprof") || !strcmp(format, "speedscope"))) {
    prf_read_options o;
    fuzz_read_options(&o, format);
    prf_profile *back = prf_profile_new();
    if (back) {
      st = prf_profile_read_buffer(back, out.data, out.len, &o, &err);
      if (st == PRF_E_DATA)
        fuzz_fail("written output does not read back", err.message);
      if (st == PRF_OK)
        fuzz_check_model(back);
      prf_profile_free(back);
    }
  }
  fuzz_out_free(&out);
}

static void write_svg(prf_profile *p, unsigned bits) {
  prf_flame_options f;
  prf_flame_options_init(&f);
  f.inverted = bits & 1;
  f.reverse = (bits >> 1) & 1;
  f.flamechart = (bits >> 2) & 1;
  f.sort = (bits >> 3) & 1 ? PRF_SORT_WEIGHT : PRF_SORT_ALPHA;
  f.min_width = (bits >> 4) & 1 ? 0 : 0.1;
  fuzz_out a = {0}, b = {0};
  prf_error err;
  prf_error_clear(&err);
  prf_status sa = prf_svg_write(p, &f, fuzz_out_write, &a, &err);
  prf_status sb = prf_svg_write(p, &f, fuzz_out_write, &b, &err);
  if (sa != sb || (sa == PRF_OK && !fuzz_out_equal(&a, &b)))
    fuzz_fail("the SVG differs from one run to the next", "");
  if (sa == PRF_OK)
    fuzz_check_xml_text(&a, "svg");
  fuzz_out_free(&a);
  fuzz_out_free(&b);
}

/* A PNG or PDF for a quarter of the inputs (a cairo surface and a pango
 * font map per call cost more than everything else): the same bytes on a
 * second run; pango must be handed nothing it would warn about (the
 * fuzzers and the replay test run with G_DEBUG=fatal-warnings). */
static void write_image(prf_profile *p, unsigned bits) {
  if ((bits & 0x18) != 0x18)
    return;
  prf_flame_options f;
  prf_flame_options_init(&f);
  f.inverted = bits & 1;
  f.reverse = (bits >> 1) & 1;
  f.flamechart = (bits >> 2) & 1;
  f.width = 300; /* smaller images, more inputs per second */
  prf_image_format fmt = (bits >> 5) & 1 ? PRF_IMAGE_PDF : PRF_IMAGE_PNG;
  fuzz_out a = {0}, b = {0};
  prf_error err;
  prf_error_clear(&err);
  prf_status sa = prf_flame_write(p, &f, fmt, fuzz_out_write, &a, NULL, &err);
  prf_status sb = prf_flame_write(p, &f, fmt, fuzz_out_write, &b, NULL, &err);
  if (sa != sb || (sa == PRF_OK && !fuzz_out_equal(&a, &b)))
    fuzz_fail("the PNG/PDF differs from one run to the next", "");
  if (sa == PRF_OK && a.len < 8)
    fuzz_fail("the PNG/PDF is empty", "");
  fuzz_out_free(&a);
  fuzz_out_free(&b);
}

/* The top table of a profile read for top alone (pprof keeps its distinct
 * stacks, without a call tree) must equal the one read in full. */
static void check_top_only(const uint8_t *data, size_t size, const prf_top_options *t,
                           const fuzz_out *want) {
  prf_read_options o;
  fuzz_read_options(&o, NULL);
  o.top_only = 1;
  prf_profile *p = prf_profile_new();
  prf_error err;
  prf_error_clear(&err);
  if (p && prf_profile_read_buffer(p, data, size, &o, &err) == PRF_OK) {
    fuzz_out got = {0};
    prf_top_write(p, t, fuzz_out_write, &got, &err);
    if (!fuzz_out_equal(&got, want))
      fuzz_fail("top of a profile read for top alone differs from the full read's", "");
    fuzz_out_free(&got);
  }
  prf_profile_free(p);
}

/* The HTML report: deterministic; its data block is JSON in which no '<'
 * appears (docs/report-data.md), whatever the names hold. */
static void write_report(prf_profile *p, unsigned bits) {
  prf_report_options r;
  prf_report_options_init(&r);
  r.prune = (bits >> 1) & 1 ? 0 : 1e-5;
  if ((bits >> 2) & 1)
    r.source_url = "https://example.com/{rev}/{path}#L{line}";
  fuzz_out a = {0}, b = {0};
  prf_error err;
  prf_error_clear(&err);
  prf_status sa = prf_report_write(p, &r, fuzz_out_write, &a, &err);
  prf_status sb = prf_report_write(p, &r, fuzz_out_write, &b, &err);
  if (sa != sb || (sa == PRF_OK && !fuzz_out_equal(&a, &b)))
    fuzz_fail("the report differs from one run to the next", "");
  if (sa == PRF_OK && a.len == a.total) { /* not cut short by the fuzz cap */
    static const char open[] = "<script type=\"application/json\" id=\"prf-data\">";
    const char *html = (const char *)a.data, *start = NULL;
    for (size_t i = 0; i + sizeof open - 1 <= a.len && !start; i++)
      if (memcmp(html + i, open, sizeof open - 1) == 0)
        start = html + i;
    if (!start)
      fuzz_fail("the report has no data block", "");
    start += sizeof open - 1;
    const char *end = memchr(start, '<', a.len - (size_t)(start - html));
    if (!end || (size_t)(html + a.len - end) < 9 || memcmp(end, "</script>", 9) != 0)
      fuzz_fail("a '<' inside the report's data block", "");
    cJSON *json = cJSON_ParseWithLength(start, (size_t)(end - start));
    if (!json)
      fuzz_fail("the report's data block is not JSON", "");
    cJSON_Delete(json);
  }
  fuzz_out_free(&a);
  fuzz_out_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  unsigned bits = data[0];
  data++;
  size--;
  prf_read_options o;
  fuzz_read_options(&o, NULL);
  o.keep_order = (bits >> 5) & 1;
  prf_profile *p = prf_profile_new();
  if (!p)
    return 0;
  prf_error err;
  prf_error_clear(&err);
  if (prf_profile_read_buffer(p, data, size, &o, &err) != PRF_OK)
    goto out;
  fuzz_check_model(p);
  if (!o.keep_order) {
    prf_top_options t;
    prf_top_options_init(&t);
    fuzz_out want = {0};
    prf_top_write(p, &t, fuzz_out_write, &want, &err);
    check_top_only(data, size, &t, &want);
    fuzz_out_free(&want);
  }
  if ((bits >> 6) & 1) {
    prf_filter filter = {0};
    filter.focus = "a";
    filter.hide = "^[0-9_]";
    filter.prune_from = "b$";
    if (prf_profile_filter(p, &filter, &err) != PRF_OK)
      goto out;
    fuzz_check_model(p);
  }
  if ((bits >> 7) & 1) {
    if (prf_profile_set_granularity(p, PRF_GRAN_LINES, bits & 1, &err) !=
        PRF_OK)
      goto out;
    fuzz_check_model(p);
  }
  write_one(p, "folded");
  write_one(p, "pprof");
  write_one(p, "speedscope");
  fuzz_out out = {0};
  prf_info_write(p, fuzz_out_write, &out, &err);
  fuzz_out_free(&out);
  prf_top_options t;
  prf_top_options_init(&t);
  t.tsv = bits & 1;
  prf_top_write(p, &t, fuzz_out_write, &out, &err);
  fuzz_out_free(&out);
  write_svg(p, bits);
  write_image(p, bits);
  write_report(p, bits);
out:
  prf_profile_free(p);
  return 0;
}
