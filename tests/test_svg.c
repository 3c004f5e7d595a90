/* Unit tests of the layout engine and the SVG writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "internal.h"
#include "escape.h"
#include "layout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int to_buf(void *ctx, const void *data, size_t size) {
  prf_buf_put(ctx, data, size);
  return 0;
}

static int refuse(void *ctx, const void *data, size_t size) {
  (void)ctx, (void)data, (void)size;
  return -1;
}

static prf_profile *load(const char *text) {
  prf_profile *p = prf_profile_new();
  prf_error err;
  if (prf_profile_read_buffer(p, text, strlen(text), NULL, &err) != PRF_OK)
    fail_msg("%s", err.message);
  return p;
}

static char *svg(prf_profile *p, const prf_flame_options *o) {
  prf_buf b;
  prf_buf_init(&b, NULL);
  prf_error err;
  if (prf_svg_write(p, o, to_buf, &b, &err) != PRF_OK)
    fail_msg("%s", err.message);
  prf_buf_putc(&b, '\0');
  return b.data;
}

static size_t count(const char *hay, const char *needle) {
  size_t n = 0;
  for (const char *s = hay; (s = strstr(s, needle)); s++)
    n++;
  return n;
}

static void test_hostile_names_are_escaped(void **state) {
  (void)state;
  prf_profile *p = load("main;</script><script>alert(1)</script> 3\n"
                        "main;]]>&lt\"'x 2\n"
                        "main;ctl\x01\x1b[31m;bad\xff\xfeutf8 1\n");
  prf_flame_options o;
  prf_flame_options_init(&o);
  o.title = "<b>title</b> ]]>";
  o.name_type = "'); alert(1); ('";
  o.notes = "--> <!-- notes";
  o.font_type = "x\"; } * { fill:red";
  char *s = svg(p, &o);
  assert_null(strstr(s, "<script>alert"));
  assert_null(strstr(s, "</script><script>"));
  assert_non_null(strstr(s, "&lt;/script&gt;&lt;script&gt;alert(1)"));
  assert_non_null(strstr(s, "]]&gt;&amp;lt&quot;&apos;x"));
  assert_null(strstr(s, "\x01"));
  assert_null(strstr(s, "\x1b"));
  assert_null(strstr(s, "\xff"));
  assert_non_null(strstr(s, "ctl\xEF\xBF\xBD\xEF\xBF\xBD[31m"));
  assert_non_null(strstr(s, "&lt;b&gt;title&lt;/b&gt; ]]&gt;"));
  /* The only CDATA ends are the two script blocks' own. */
  assert_int_equal(count(s, "]]>"), 2);
  assert_non_null(strstr(s, "var nametype = '\\u0027); alert(1); (\\u0027';"));
  assert_null(strstr(s, "--> <!--"));
  /* the quote is escaped, so the rule stays inside the CSS string */
  assert_non_null(strstr(s, "font-family:\"x\\22 ; } * { fill:red\", sans-serif;"));
  free(s);
  prf_profile_free(p);
}

static void test_output_is_deterministic(void **state) {
  (void)state;
  const char *in = "b;c 3\na;x 1\na;y 2\nb 4\n";
  prf_profile *p1 = load(in);
  prf_profile *p2 = load("a;y 2\nb 4\na;x 1\nb;c 3\n"); /* other order */
  prf_flame_options o;
  prf_flame_options_init(&o);
  char *s1 = svg(p1, &o), *s2 = svg(p1, &o), *s3 = svg(p2, &o);
  assert_string_equal(s1, s2);
  assert_string_equal(s1, s3);
  free(s1);
  free(s2);
  free(s3);
  prf_profile_free(p1);
  prf_profile_free(p2);
}

static void test_geometry_matches_flamegraph_pl(void **state) {
  (void)state;
  prf_profile *p = load("a;b 1\na;c 3\n");
  prf_flame_options o;
  prf_flame_options_init(&o);
  char *s = svg(p, &o);
  /* depth 2 -> height (2+1)*16 + 36 + 34 = 118 */
  assert_non_null(strstr(s, "width=\"1200\" height=\"118\""));
  /* c sorts after b: starts at sample 1 of 4: x = 10 + 1180/4 */
  assert_non_null(strstr(s, "<title>c (3 samples, 75.00%)</title><rect "
                            "x=\"305.00\" y=\"37.0\" width=\"885.00\" "
                            "height=\"15.0\""));
  assert_non_null(strstr(s, "fg:x=\"1\" fg:w=\"3\""));
  assert_non_null(strstr(s, "<title>all (4 samples, 100%)</title>"));
  free(s);
  prf_flame_options_init(&o);
  o.inverted = 1;
  s = svg(p, &o);
  assert_non_null(strstr(s, ">Icicle Graph<"));
  /* inverted: root at the top, under the title and the details line */
  assert_non_null(strstr(s, "<title>all (4 samples, 100%)</title><rect "
                            "x=\"10.00\" y=\"52.0\""));
  assert_non_null(strstr(s, "<text id=\"details\" x=\"10.00\" y=\"40.00\">"));
  free(s);
  prf_profile_free(p);
}

static void test_labels_truncate(void **state) {
  (void)state;
  prf_profile *p = load("short 100\nan_extremely_long_function_name 5\n");
  prf_flame_options o;
  prf_flame_options_init(&o);
  o.width = 420; /* 400 px for 105 samples: 19.05 px for the long frame */
  char *s = svg(p, &o);
  /* 19.05 - 3 px fit 2 characters of 7.08 px: fewer than 3, no text */
  assert_non_null(strstr(s, "(5 samples, 4.76%)</title>"));
  assert_non_null(strstr(s, "fg:w=\"5\"/><text x=\"13.00\""));
  free(s);
  o.width = 1200; /* 1180/105*5 = 56.19 px: 7 chars fit -> 5 + ".." */
  s = svg(p, &o);
  assert_non_null(strstr(s, ">an_ex..</text>"));
  assert_non_null(strstr(s, ">short</text>"));
  free(s);
  prf_profile_free(p);
}

static void test_min_width_prunes(void **state) {
  (void)state;
  prf_profile *p = load("big;x 100000\ntiny;y 1\n");
  prf_flame_options o;
  prf_flame_options_init(&o);
  char *s = svg(p, &o);
  /* 1 sample is 0.0118 px < 0.1 px: tiny and y are gone */
  assert_null(strstr(s, "<title>tiny"));
  assert_null(strstr(s, "<title>y "));
  assert_non_null(strstr(s, "<title>big"));
  free(s);
  o.min_width = 0;
  s = svg(p, &o);
  assert_non_null(strstr(s, "<title>tiny"));
  free(s);
  o.min_width = 50; /* percent */
  o.min_width_percent = 1;
  s = svg(p, &o);
  assert_non_null(strstr(s, "<title>x "));
  free(s);
  prf_profile_free(p);
}

static void test_layout_sort_weight_and_reverse(void **state) {
  (void)state;
  prf_profile *p = load("a;z 1\nb;z 5\n");
  prf_flame_options o;
  prf_flame_options_init(&o);
  o.sort = PRF_SORT_WEIGHT;
  double adv = 7;
  prf_layout l;
  assert_int_equal(prf_layout_build(&l, p, &o, prf_measure_fixed, &adv, NULL),
                   PRF_OK);
  for (size_t i = 0; i < l.count; i++) {
    const prf_frame *f =
        l.frames[i].node ? prf_frame_get(p, prf_tree_frame(l.tree, l.frames[i].node)) : NULL;
    if (f && l.frames[i].depth == 1)
      assert_true(strcmp(prf_string(p, f->name, NULL), "b") == 0
                      ? l.frames[i].x == 0
                      : l.frames[i].x == 5);
  }
  prf_layout_free(&l);
  o.sort = PRF_SORT_ALPHA;
  o.reverse = 1;
  assert_int_equal(prf_layout_build(&l, p, &o, prf_measure_fixed, &adv, NULL),
                   PRF_OK);
  /* Reversed: z is the only root child, 6 samples wide. */
  size_t seen = 0;
  for (size_t i = 0; i < l.count; i++) {
    if (l.frames[i].depth == 1) {
      seen++;
      assert_true(l.frames[i].w == 6);
    }
  }
  assert_int_equal(seen, 1);
  prf_layout_free(&l);
  prf_profile_free(p);
}

static void test_flamechart_keeps_order(void **state) {
  (void)state;
  prf_profile *p = prf_profile_new();
  prf_read_options ro;
  prf_read_options_init(&ro);
  ro.keep_order = 1;
  const char *in = "a;b 1\nc 2\na;b 3\na;d 1\n";
  assert_int_equal(prf_profile_read_buffer(p, in, strlen(in), &ro, NULL), PRF_OK);
  prf_flame_options o;
  prf_flame_options_init(&o);
  o.flamechart = 1;
  double adv = 7;
  prf_layout l;
  assert_int_equal(prf_layout_build(&l, p, &o, prf_measure_fixed, &adv, NULL),
                   PRF_OK);
  /* As flamegraph.pl: the last line is the oldest, so the chart reads
     a;d 1, a;b 3, c 2, a;b 1 from the left: all, a[0,4), d[0,1), b[1,4),
     c[4,6), a[6,7), b[6,7) */
  assert_int_equal(l.count, 7);
  size_t a_boxes = 0;
  for (size_t i = 0; i < l.count; i++) {
    const prf_layout_frame *f = &l.frames[i];
    if (f->depth == 1 && f->w == 4)
      assert_true(f->x == 0), a_boxes++;
    if (f->depth == 1 && f->w == 1)
      assert_true(f->x == 6), a_boxes++;
  }
  assert_int_equal(a_boxes, 2);
  prf_layout_free(&l);
  char *s = svg(p, &o);
  assert_non_null(strstr(s, ">Flame Chart<"));
  free(s);
  prf_profile_free(p);
}

/* Timed samples from two threads, given interleaved and out of order:
 * the chart shows each thread's samples in time order, one thread after
 * the other, so consecutive samples of a thread merge into one box. */
static void test_flamechart_time_order(void **state) {
  (void)state;
  prf_profile *p = prf_profile_new();
  assert_int_equal(prf_value_add(p, "cpu", "nanoseconds", NULL), PRF_OK);
  uint32_t t1, t2;
  assert_int_equal(prf_thread_add(p, 1, "one", &t1), PRF_OK);
  assert_int_equal(prf_thread_add(p, 2, "two", &t2), PRF_OK);
  prf_fid fa, fb, fc;
  prf_frame f;
  memset(&f, 0, sizeof f);
  prf_string_intern(p, "a", 1, &f.name);
  prf_frame_intern(p, &f, &fa);
  prf_string_intern(p, "b", 1, &f.name);
  prf_frame_intern(p, &f, &fb);
  prf_string_intern(p, "c", 1, &f.name);
  prf_frame_intern(p, &f, &fc);
  prf_node la, lb, lc;
  assert_int_equal(prf_stack_add(p, &fa, 1, NULL, &la), PRF_OK);
  assert_int_equal(prf_stack_add(p, &fb, 1, NULL, &lb), PRF_OK);
  assert_int_equal(prf_stack_add(p, &fc, 1, NULL, &lc), PRF_OK);
  /* thread one: a@30 b@10 a@20 -> b a a; thread two: c@5 */
  double one = 1;
  assert_int_equal(prf_sample_add(p, la, &one, 30, t1), PRF_OK);
  assert_int_equal(prf_sample_add(p, lc, &one, 5, t2), PRF_OK);
  assert_int_equal(prf_sample_add(p, lb, &one, 10, t1), PRF_OK);
  assert_int_equal(prf_sample_add(p, la, &one, 20, t1), PRF_OK);
  prf_flame_options o;
  prf_flame_options_init(&o);
  o.flamechart = 1;
  double adv = 7;
  prf_layout l;
  assert_int_equal(prf_layout_build(&l, p, &o, prf_measure_fixed, &adv, NULL),
                   PRF_OK);
  /* all, b[0,1), a[1,3), c[3,4) */
  assert_int_equal(l.count, 4);
  int seen = 0;
  for (size_t i = 0; i < l.count; i++) {
    const prf_layout_frame *fr = &l.frames[i];
    if (fr->node == 0)
      continue;
    prf_fid id = prf_tree_frame(prf_profile_tree(p), fr->node);
    if (id == fb)
      assert_true(fr->x == 0 && fr->w == 1), seen |= 1;
    if (id == fa)
      assert_true(fr->x == 1 && fr->w == 2), seen |= 2;
    if (id == fc)
      assert_true(fr->x == 3 && fr->w == 1), seen |= 4;
  }
  assert_int_equal(seen, 7);
  prf_layout_free(&l);
  prf_profile_free(p);
}

static void test_differential_colours(void **state) {
  (void)state;
  prf_profile *p = load("a;grow 10 40\na;shrink 30 10\na;same 5 5\n");
  prf_flame_options o;
  prf_flame_options_init(&o);
  char *s = svg(p, &o);
  assert_non_null(strstr(s, "<title>grow (40 samples, 72.73%; +54.55%)"));
  assert_non_null(strstr(s, "<title>shrink (10 samples, 18.18%; -36.36%)"));
  assert_non_null(strstr(s, "<title>same (5 samples, 9.09%; 0.00%)"));
  assert_non_null(strstr(s, "fill=\"rgb(255,100,100)\"")); /* the largest growth */
  assert_non_null(strstr(s, "fill=\"rgb(250,250,250)\"")); /* no change */
  free(s);
  o.negate = 1; /* as flamegraph.pl: same widths, the change negated */
  s = svg(p, &o);
  assert_non_null(strstr(s, "<title>shrink (10 samples, 18.18%; +36.36%)"));
  assert_non_null(strstr(s, "fill=\"rgb(100,100,255)\"")); /* grow is blue */
  free(s);
  prf_profile_free(p);
}

static void test_palettes_are_stable(void **state) {
  (void)state;
  prf_palette pal;
  for (const char *const *n = prf_palette_names(); *n; n++) {
    assert_true(prf_palette_lookup(*n, &pal));
    uint32_t a = prf_palette_color(pal, "java/lang/Thread.run", 20, 0);
    uint32_t b = prf_palette_color(pal, "java/lang/Thread.run", 20, 0);
    assert_int_equal(a, b);
  }
  assert_false(prf_palette_lookup("nope", &pal));
  prf_palette_lookup("java", &pal);
  uint32_t k = prf_palette_color(pal, "sys_read", 8, PRF_KIND_KERNEL);
  assert_true(((k >> 16) & 0xFF) >= 190 && (k & 0xFF) == 0); /* orange */
  uint32_t grey = prf_palette_color(pal, "--", 2, 0);
  assert_int_equal(grey, 0xA0A0A0);
}

static void test_write_failure_and_bad_options(void **state) {
  (void)state;
  prf_profile *p = load("a 1\n");
  prf_flame_options o;
  prf_flame_options_init(&o);
  prf_error err;
  assert_int_equal(prf_svg_write(p, &o, refuse, NULL, &err), PRF_E_OUTPUT);
  o.colors = "plaid";
  assert_int_equal(prf_svg_write(p, &o, to_buf, NULL, &err), PRF_E_USAGE);
  assert_non_null(strstr(err.message, "plaid"));
  prf_flame_options_init(&o);
  o.width = -5;
  assert_int_equal(prf_flame_options_check(&o, &err), PRF_E_USAGE);
  prf_flame_options_init(&o);
  o.min_width = 120;
  o.min_width_percent = 1;
  assert_int_equal(prf_flame_options_check(&o, &err), PRF_E_USAGE);
  prf_profile_free(p);
}

static void test_escape_functions(void **state) {
  (void)state;
  prf_buf b;
  prf_buf_init(&b, NULL);
  prf_escape_xml(&b, "a<b>&\"'\xC3\xA9\xEF\xBF\xBE\x7f", 13);
  assert_string_equal(b.data, "a&lt;b&gt;&amp;&quot;&apos;\xC3\xA9\xEF\xBF\xBD\xEF\xBF\xBD");
  b.len = 0;
  prf_escape_js(&b, "it's </script> \xF0\x9F\x94\xA5", 19);
  assert_string_equal(b.data, "it\\u0027s \\u003c/script\\u003e \\ud83d\\udd25");
  prf_buf_free(&b);
}

static void test_factor_and_total(void **state) {
  (void)state;
  prf_profile *p = load("a 3\nb 1\n");
  prf_flame_options o;
  prf_flame_options_init(&o);
  o.factor = 2.5;
  o.count_name = "bytes";
  char *s = svg(p, &o);
  assert_non_null(strstr(s, "<title>all (10 bytes, 100%)</title>"));
  assert_non_null(strstr(s, "<title>a (7.5 bytes, 75.00%)</title>"));
  free(s);
  prf_flame_options_init(&o);
  o.total = 8; /* the full width stands for 8 samples: all is half wide */
  s = svg(p, &o);
  assert_non_null(strstr(s, "<title>a (3 samples, 37.50%)</title>"));
  assert_non_null(strstr(s, "width=\"590.00\" height=\"15.0\" fill"));
  free(s);
  prf_profile_free(p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_hostile_names_are_escaped),
      cmocka_unit_test(test_output_is_deterministic),
      cmocka_unit_test(test_geometry_matches_flamegraph_pl),
      cmocka_unit_test(test_labels_truncate),
      cmocka_unit_test(test_min_width_prunes),
      cmocka_unit_test(test_layout_sort_weight_and_reverse),
      cmocka_unit_test(test_flamechart_keeps_order),
      cmocka_unit_test(test_flamechart_time_order),
      cmocka_unit_test(test_differential_colours),
      cmocka_unit_test(test_palettes_are_stable),
      cmocka_unit_test(test_write_failure_and_bad_options),
      cmocka_unit_test(test_escape_functions),
      cmocka_unit_test(test_factor_and_total),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
