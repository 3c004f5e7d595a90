/* Unit tests of the folded reader and writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

typedef struct warnings {
  size_t count;
  uint64_t lines[16];
  char last[512];
} warnings;

static void collect(void *ctx, const prf_error *w) {
  warnings *ws = ctx;
  if (ws->count < 16)
    ws->lines[ws->count] = w->line;
  ws->count++;
  prf_error_format(w, ws->last, sizeof ws->last);
}

static int to_buf(void *ctx, const void *data, size_t size) {
  prf_buf_put(ctx, data, size);
  return 0;
}

/* Reads text as folded stacks and returns the canonical folded output
 * (malloc'd), or NULL with *status set on failure. */
static char *collapse_opts(const void *data, size_t size, warnings *ws,
                           prf_status *status, prf_error *err) {
  prf_profile *p = prf_profile_new();
  prf_read_options o;
  prf_read_options_init(&o);
  o.source_name = "t.folded";
  o.warn = ws ? collect : NULL;
  o.warn_ctx = ws;
  prf_status st = prf_profile_read_buffer(p, data, size, &o, err);
  *status = st;
  if (st != PRF_OK) {
    prf_profile_free(p);
    return NULL;
  }
  prf_buf b;
  prf_buf_init(&b, NULL);
  assert_int_equal(prf_profile_write(p, "folded", to_buf, &b, NULL), PRF_OK);
  prf_buf_putc(&b, '\0');
  prf_profile_free(p);
  return b.data;
}

static char *collapse(const char *text) {
  prf_status st;
  prf_error err;
  char *out = collapse_opts(text, strlen(text), NULL, &st, &err);
  if (!out)
    fail_msg("read failed: %s", err.message);
  return out;
}

static void expect_collapse(const char *in, const char *want) {
  char *got = collapse(in);
  assert_string_equal(got, want);
  free(got);
}

static void test_merges_and_sorts(void **state) {
  (void)state;
  expect_collapse("a;b;c 1\na;b;c 1\na;b;d 4\na;b;c 3\na;b 5\n",
                  "a;b 5\na;b;c 5\na;b;d 4\n");
}

static void test_no_trailing_newline_and_crlf(void **state) {
  (void)state;
  expect_collapse("x;y 2\r\nx 1\r\nx;y 3", "x 1\nx;y 5\n");
}

static void test_fractional_counts(void **state) {
  (void)state;
  expect_collapse("a;b 31.23\na;b 6.1\nc 2.\nd 0.5\n",
                  "a;b 37.33\nc 2\nd 0.5\n");
  /* more than 18 digits after the dot, most of them leading zeros (a
     fuzzer find: the divisor table has 19 entries) */
  expect_collapse("a 0.0000000000000000000000000000000000000000000000000000000000000000000025\n"
                  "c 3.000000000000000000000000000000000000000000001\n",
                  "a 2.5e-69\nc 3\n");
}

static void test_differential(void **state) {
  (void)state;
  prf_profile *p = prf_profile_new();
  const char *in = "cksum;main 31 56\nnoploop;main 274 415\nnoploop 0 2\n";
  assert_int_equal(prf_profile_read_buffer(p, in, strlen(in), NULL, NULL),
                   PRF_OK);
  assert_int_equal(prf_value_count(p), 2);
  assert_string_equal(prf_value_type(p, 0), "before");
  assert_int_equal(prf_value_default(p), 1);
  const prf_tree *t = prf_profile_tree_const(p);
  assert_true(prf_tree_total(t, 0, 0) == 305);
  assert_true(prf_tree_total(t, 0, 1) == 473);
  prf_buf b;
  prf_buf_init(&b, NULL);
  prf_profile_write(p, "folded", to_buf, &b, NULL);
  assert_string_equal(b.data,
                      "cksum;main 31 56\nnoploop 0 2\nnoploop;main 274 415\n");
  prf_buf_free(&b);
  prf_profile_free(p);
}

static void test_comments_and_metadata(void **state) {
  (void)state;
  prf_profile *p = prf_profile_new();
  const char *in = "# austin: 3.3.0\n# mode: wall\n// a comment\n"
                   "# just a remark, no key\n\n  \na;b 1\n# duration: 23873\n";
  warnings ws = {0};
  prf_read_options o;
  prf_read_options_init(&o);
  o.warn = collect;
  o.warn_ctx = &ws;
  assert_int_equal(prf_profile_read_buffer(p, in, strlen(in), &o, NULL),
                   PRF_OK);
  assert_int_equal(ws.count, 0);
  assert_string_equal(prf_meta_get(p, "austin"), "3.3.0");
  assert_string_equal(prf_meta_get(p, "mode"), "wall");
  assert_string_equal(prf_meta_get(p, "duration"), "23873");
  prf_profile_free(p);
}

static void test_invalid_lines_warn_with_line_numbers(void **state) {
  (void)state;
  const char *in = "a;b 1\nTHIS IS A BAD LINE\na 2\n"
                   "THIS IS A BAD FRACTIONAL LINE 12V.43\n 7\nb 1 2 x\n";
  warnings ws = {0};
  prf_status st;
  prf_error err;
  char *out = collapse_opts(in, strlen(in), &ws, &st, &err);
  assert_non_null(out);
  assert_string_equal(out, "a 2\na;b 1\n");
  assert_int_equal(ws.count, 4);
  assert_int_equal(ws.lines[0], 2);
  assert_int_equal(ws.lines[1], 4);
  assert_int_equal(ws.lines[2], 5);
  assert_int_equal(ws.lines[3], 6);
  assert_non_null(strstr(ws.last, "t.folded:6: skipping line"));
  free(out);
}

static void test_empty_frames_and_spaces(void **state) {
  (void)state;
  expect_collapse("a;;b 1\nfoo bar;baz qux 2\n[unknown];x 3\n",
                  "[unknown];x 3\na;;b 1\nfoo bar;baz qux 2\n");
}

static void test_semicolon_inside_brackets(void **state) {
  (void)state;
  prf_profile *p = prf_profile_new();
  const char *in =
      "main;core::array::<impl Default for [T; _]>::default 19\n";
  prf_profile_read_buffer(p, in, strlen(in), NULL, NULL);
  assert_int_equal(prf_tree_max_depth(prf_profile_tree(p)), 2);
  prf_profile_free(p);
  /* Unbalanced brackets: every ';' splits. */
  p = prf_profile_new();
  const char *bad = "a[;b;c 1\n";
  prf_profile_read_buffer(p, bad, strlen(bad), NULL, NULL);
  assert_int_equal(prf_tree_max_depth(prf_profile_tree(p)), 3);
  prf_profile_free(p);
}

static void test_kind_suffixes(void **state) {
  (void)state;
  prf_profile *p = prf_profile_new();
  const char *in = "java;Interp_[j];inl_[i];sys_read_[k];wake_[w];x_[z] 1\n";
  prf_profile_read_buffer(p, in, strlen(in), NULL, NULL);
  const prf_tree *t = prf_profile_tree_const(p);
  uint8_t kinds[6];
  const char *names[6];
  prf_node n = 0;
  for (int i = 0; i < 6; i++) {
    n = prf_tree_first_child(t, n);
    const prf_frame *f = prf_frame_get(p, prf_tree_frame(t, n));
    kinds[i] = f->kind;
    names[i] = prf_string(p, f->name, NULL);
  }
  assert_int_equal(kinds[1], PRF_KIND_JIT);
  assert_string_equal(names[1], "Interp");
  assert_int_equal(kinds[2], PRF_KIND_INLINED);
  assert_int_equal(kinds[3], PRF_KIND_KERNEL);
  assert_string_equal(names[3], "sys_read");
  assert_int_equal(kinds[4], PRF_KIND_WAKER);
  assert_int_equal(kinds[5], PRF_KIND_NORMAL);
  assert_string_equal(names[5], "x_[z]");
  prf_buf b;
  prf_buf_init(&b, NULL);
  prf_profile_write(p, "folded", to_buf, &b, NULL);
  assert_string_equal(b.data, in); /* suffixes come back on output */
  prf_buf_free(&b);
  prf_profile_free(p);
}

/* Names from other formats may hold line breaks; folded output has one
 * stack per line, so they are written as spaces (suffixes kept). */
static void test_line_breaks_in_names(void **state) {
  (void)state;
  prf_profile *p = prf_profile_new();
  assert_int_equal(prf_value_add(p, "samples", "count", NULL), PRF_OK);
  prf_frame f;
  memset(&f, 0, sizeof f);
  prf_fid fids[3];
  const char *names[] = {"main", "multi\nline\r\nname", "read"};
  for (int i = 0; i < 3; i++) {
    assert_int_equal(prf_string_intern(p, names[i], strlen(names[i]), &f.name),
                     PRF_OK);
    f.kind = i == 2 ? PRF_KIND_KERNEL : PRF_KIND_NORMAL;
    assert_int_equal(prf_frame_intern(p, &f, &fids[i]), PRF_OK);
  }
  double one = 1, two = 2;
  prf_node leaf;
  assert_int_equal(prf_stack_add(p, fids, 3, &two, &leaf), PRF_OK);
  assert_int_equal(prf_stack_add(p, fids, 2, &one, &leaf), PRF_OK);
  prf_buf b;
  prf_buf_init(&b, NULL);
  assert_int_equal(prf_profile_write(p, "folded", to_buf, &b, NULL), PRF_OK);
  prf_buf_putc(&b, '\0');
  assert_string_equal(b.data, "main;multi line  name 1\n"
                              "main;multi line  name;read_[k] 2\n");
  prf_buf_free(&b);
  prf_profile_free(p);
}

static int str_cmp(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Output lines sort as their bytes sort (flamegraph.pl's order), also
 * where a name is a prefix of another ("a;foo bar;y" comes before
 * "a;foo;x": ' ' sorts before ';'), where a name holds ';' (Rust's
 * "[T; 2]") and where a kind's suffix follows a name. */
static void test_output_order_is_byte_order(void **state) {
  (void)state;
  const char *lines[] = {
      "a;foo;x 1",       "a;foo bar;y 2", "a;foo 3",        "a;foo_[k];z 4",
      "a;b[T; 2];c 5",   "a;b[T; 2] 6",   "a;b 7",          "a;b[T;c 8",
      "a;foo!;q 9",      "a;fo 10",       "a 11",           "a;foo;x;y 12",
      "a;\xc3\xa9t\xc3\xa9 13", "a;z 14", "b;foo 15"};
  size_t n = sizeof lines / sizeof lines[0];
  prf_buf in;
  prf_buf_init(&in, NULL);
  for (size_t i = n; i-- > 0;) { /* reversed: the writer must sort */
    prf_buf_puts(&in, lines[i]);
    prf_buf_putc(&in, '\n');
  }
  prf_buf_putc(&in, '\0');
  const char *sorted[sizeof lines / sizeof lines[0]];
  memcpy(sorted, lines, sizeof lines);
  qsort(sorted, n, sizeof sorted[0], str_cmp);
  prf_buf want;
  prf_buf_init(&want, NULL);
  for (size_t i = 0; i < n; i++) {
    /* strcmp of whole lines equals the stacks' order here: no stack text
       is a prefix of another followed by a digit-first difference */
    prf_buf_puts(&want, sorted[i]);
    prf_buf_putc(&want, '\n');
  }
  prf_buf_putc(&want, '\0');
  char *got = collapse(in.data);
  assert_string_equal(got, want.data);
  free(got);
  prf_buf_free(&in);
  prf_buf_free(&want);
}

/* The same order where no name holds ';', which the writer prints by a
 * walk of the tree instead of a sort: random stacks from names that are
 * prefixes of others followed by bytes below ';' (' ', ':', '0', '+') and
 * above it, with kind suffixes and UTF-8, some repeated. The expected
 * output merges equal stacks and sorts their texts with strcmp (the end
 * of a stack sorts before every byte). */
typedef struct stack_line {
  char text[128];
  long count;
} stack_line;

static int stack_line_cmp(const void *a, const void *b) {
  return strcmp(((const stack_line *)a)->text, ((const stack_line *)b)->text);
}

static void test_walk_order_is_byte_order(void **state) {
  (void)state;
  enum { STACKS = 3000, MAXDEPTH = 5 };
  static const char *const names[] = {
      "a", "a b", "a:b", "a::c", "a0", "a+", "ab", "a_[k]", "a_[j]", "b",
      "\xc3\xa9", "a.b", "B", "[unknown]"};
  size_t nnames = sizeof names / sizeof names[0];
  stack_line *lines = calloc(STACKS, sizeof *lines);
  assert_non_null(lines);
  uint32_t seed = 777;
  prf_buf in;
  prf_buf_init(&in, NULL);
  for (int i = 0; i < STACKS; i++) {
    seed = seed * 1103515245u + 12345u;
    int depth = 1 + (int)((seed >> 16) % MAXDEPTH);
    char *t = lines[i].text;
    for (int d = 0; d < depth; d++) {
      seed = seed * 1103515245u + 12345u;
      size_t k = (seed >> 16) % (d == 0 ? 3 : nnames);
      if (d)
        strcat(t, ";");
      strcat(t, names[k]);
    }
    lines[i].count = 1 + i % 7;
    prf_buf_printf(&in, "%s %ld\n", t, lines[i].count);
  }
  qsort(lines, STACKS, sizeof *lines, stack_line_cmp);
  prf_buf want;
  prf_buf_init(&want, NULL);
  size_t distinct = 0;
  for (size_t i = 0; i < STACKS;) {
    long sum = 0;
    size_t j = i;
    for (; j < STACKS && strcmp(lines[j].text, lines[i].text) == 0; j++)
      sum += lines[j].count;
    prf_buf_printf(&want, "%s %ld\n", lines[i].text, sum);
    distinct++;
    i = j;
  }
  prf_buf_putc(&want, '\0');
  assert_true(distinct > 1000 && distinct < STACKS); /* merged some */
  prf_buf_putc(&in, '\0');
  char *got = collapse(in.data);
  assert_string_equal(got, want.data);
  free(got);
  /* One name with ';' makes the writer sort instead: the same lines, and
     that one among them. */
  static const char extra[] = "a;b[T; 2] 1\n";
  in.len--; /* the NUL */
  prf_buf_puts(&in, extra);
  prf_buf_putc(&in, '\0');
  got = collapse(in.data);
  char *at = strstr(got, extra);
  assert_non_null(at);
  memmove(at, at + strlen(extra), strlen(at + strlen(extra)) + 1);
  assert_string_equal(got, want.data);
  free(got);
  free(lines);
  prf_buf_free(&in);
  prf_buf_free(&want);
}

/* Two frames that print the same name (one function in two files, as
 * pprof has them) make one text: their stacks' lines interleave in byte
 * order, which the tree walk cannot give, so the writer sorts. */
static void test_same_text_frames_interleave(void **state) {
  (void)state;
  prf_profile *p = prf_profile_new();
  assert_int_equal(prf_value_add(p, "samples", "count", NULL), PRF_OK);
  prf_tree *t = prf_profile_tree(p);
  prf_fid x, foo1, foo2, a, b, c;
  prf_frame fr;
  const char *names[] = {"x", "foo", "foo", "a", "b", "c"};
  const char *files[] = {"", "one.c", "two.c", "", "", ""};
  prf_fid *ids[] = {&x, &foo1, &foo2, &a, &b, &c};
  for (int i = 0; i < 6; i++) {
    memset(&fr, 0, sizeof fr);
    assert_int_equal(prf_string_intern(p, names[i], strlen(names[i]), &fr.name), PRF_OK);
    assert_int_equal(prf_string_intern(p, files[i], strlen(files[i]), &fr.file), PRF_OK);
    assert_int_equal(prf_frame_intern(p, &fr, ids[i]), PRF_OK);
  }
  const prf_fid stacks[][3] = {{x, foo1, a}, {x, foo1, c}, {x, foo2, b}};
  for (int i = 0; i < 3; i++) {
    prf_node n = 0;
    for (int d = 0; d < 3; d++)
      assert_int_equal(prf_tree_child(t, n, stacks[i][d], &n), PRF_OK);
    double one = i + 1;
    assert_int_equal(prf_tree_add_self(t, n, &one), PRF_OK);
  }
  prf_buf out;
  prf_buf_init(&out, NULL);
  assert_int_equal(prf_profile_write(p, "folded", to_buf, &out, NULL), PRF_OK);
  prf_buf_putc(&out, '\0');
  assert_string_equal(out.data, "x;foo;a 1\nx;foo;b 3\nx;foo;c 2\n");
  prf_buf_free(&out);
  prf_profile_free(p);
}

static void test_empty_input_is_an_error(void **state) {
  (void)state;
  const char *cases[] = {"", "\n\n", "# only a comment\n", "garbage\n"};
  for (size_t i = 0; i < 4; i++) {
    prf_status st;
    prf_error err;
    char *out = collapse_opts(cases[i], strlen(cases[i]), NULL, &st, &err);
    assert_null(out);
    assert_int_equal(st, PRF_E_DATA);
    assert_true(strstr(err.message, "empty input") ||
                strstr(err.message, "no stacks"));
  }
}

/* UTF-16 with a BOM, as Windows editors save folded files. */
static void test_utf16(void **state) {
  (void)state;
  const char *text = "a;\xC3\xA9;c 1\r\na;\xF0\x9F\x94\xA5 2";
  const uint32_t cps[] = {'a', ';', 0xE9, ';', 'c', ' ', '1', '\r', '\n',
                          'a', ';', 0x1F525, ' ', '2'};
  for (int be = 0; be < 2; be++) {
    unsigned char buf[128];
    size_t n = 0;
    buf[n++] = be ? 0xFE : 0xFF;
    buf[n++] = be ? 0xFF : 0xFE;
    for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++) {
      uint32_t u[2] = {cps[i], 0};
      int k = 1;
      if (cps[i] >= 0x10000) {
        u[0] = 0xD800 + ((cps[i] - 0x10000) >> 10);
        u[1] = 0xDC00 + ((cps[i] - 0x10000) & 0x3FF);
        k = 2;
      }
      for (int j = 0; j < k; j++) {
        buf[n++] = (unsigned char)(be ? u[j] >> 8 : u[j] & 0xFF);
        buf[n++] = (unsigned char)(be ? u[j] & 0xFF : u[j] >> 8);
      }
    }
    prf_status st;
    prf_error err;
    char *out = collapse_opts(buf, n, NULL, &st, &err);
    assert_non_null(out);
    char *want = collapse(text);
    assert_string_equal(out, want);
    assert_string_equal(out, "a;\xC3\xA9;c 1\na;\xF0\x9F\x94\xA5 2\n");
    free(out);
    free(want);
  }
}

static void test_utf8_bom_skipped(void **state) {
  (void)state;
  expect_collapse("\xEF\xBB\xBF" "a;b 1\n", "a;b 1\n");
}

static void test_gzip_input(void **state) {
  (void)state;
  const char *text = "main;work 40\nmain;idle 2\n";
  unsigned char gz[256];
  z_stream z;
  memset(&z, 0, sizeof z);
  assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY),
                   Z_OK);
  z.next_in = (unsigned char *)text;
  z.avail_in = (uInt)strlen(text);
  z.next_out = gz;
  z.avail_out = sizeof gz;
  assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
  size_t n = sizeof gz - z.avail_out;
  deflateEnd(&z);
  prf_status st;
  prf_error err;
  char *out = collapse_opts(gz, n, NULL, &st, &err);
  assert_non_null(out);
  assert_string_equal(out, "main;idle 2\nmain;work 40\n");
  free(out);
  /* A truncated gzip stream is an error, not a silently short profile. */
  out = collapse_opts(gz, n / 2, NULL, &st, &err);
  assert_null(out);
  assert_int_equal(st, PRF_E_DATA);
  assert_non_null(strstr(err.message, "gzip"));
}

/* A read callback that hands out one byte at a time. */
static size_t dribble(void *ctx, void *buf, size_t size, prf_error *err) {
  (void)err;
  const char **p = ctx;
  if (size == 0 || **p == '\0')
    return 0;
  *(char *)buf = **p;
  (*p)++;
  return 1;
}

static void test_streaming_in_pieces(void **state) {
  (void)state;
  const char *text = "a;b;c 1\r\na;b;d 2\na;b;c 3\n# k: v\nx 4";
  const char *cursor = text;
  prf_profile *p = prf_profile_new();
  assert_int_equal(prf_profile_read(p, dribble, &cursor, NULL, NULL), PRF_OK);
  prf_buf b;
  prf_buf_init(&b, NULL);
  prf_profile_write(p, "folded", to_buf, &b, NULL);
  char *whole = collapse(text);
  assert_string_equal(b.data, whole);
  free(whole);
  prf_buf_free(&b);
  prf_profile_free(p);
}

static void test_merge_inputs(void **state) {
  (void)state;
  prf_profile *p = prf_profile_new();
  const char *a = "x;y 1\n", *b = "x;y 2\nz 1\n", *d = "x;y 1 2\n";
  assert_int_equal(prf_profile_read_buffer(p, a, strlen(a), NULL, NULL), PRF_OK);
  assert_int_equal(prf_profile_read_buffer(p, b, strlen(b), NULL, NULL), PRF_OK);
  assert_true(prf_tree_total(prf_profile_tree(p), 0, 0) == 4);
  prf_error err;
  assert_int_equal(prf_profile_read_buffer(p, d, strlen(d), NULL, &err),
                   PRF_E_DATA);
  assert_non_null(strstr(err.message, "cannot merge"));
  prf_profile_free(p);
}

static void test_round_trip_is_stable(void **state) {
  (void)state;
  const char *in = "z;y 3\na;b;c 0.25\na;b 7\nk_[k];u_[j] 1\n";
  char *once = collapse(in);
  char *twice = collapse(once);
  assert_string_equal(once, twice);
  free(once);
  free(twice);
}

static void test_keep_order_records_lines(void **state) {
  (void)state;
  prf_profile *p = prf_profile_new();
  prf_read_options o;
  prf_read_options_init(&o);
  o.keep_order = 1;
  const char *in = "a;b 1\nc 2\na;b 3\n";
  assert_int_equal(prf_profile_read_buffer(p, in, strlen(in), &o, NULL), PRF_OK);
  assert_int_equal(prf_sample_count(p), 3);
  assert_int_equal(prf_sample_get(p, 0)->leaf, prf_sample_get(p, 2)->leaf);
  assert_true(prf_sample_values(p, 1)[0] == 2);
  assert_true(prf_tree_total(prf_profile_tree(p), 0, 0) == 6);
  prf_profile_free(p);
}

static void test_unknown_format_name(void **state) {
  (void)state;
  prf_profile *p = prf_profile_new();
  prf_read_options o;
  prf_read_options_init(&o);
  o.format = "nope";
  prf_error err;
  assert_int_equal(prf_profile_read_buffer(p, "a 1\n", 4, &o, &err),
                   PRF_E_USAGE);
  assert_non_null(strstr(err.message, "nope"));
  prf_profile_free(p);
  assert_string_equal(prf_format_names()[0], "folded");
}

static void test_long_line(void **state) {
  (void)state;
  enum { DEPTH = 300000 };
  prf_buf b;
  prf_buf_init(&b, NULL);
  for (int i = 0; i < DEPTH; i++)
    prf_buf_puts(&b, i ? ";fn" : "fn");
  prf_buf_puts(&b, " 1\nfn 2\n");
  prf_profile *p = prf_profile_new();
  /* Deeper than the default limit: a clear error naming it, line 1. */
  prf_error err;
  assert_int_equal(prf_profile_read_buffer(p, b.data, b.len, NULL, &err),
                   PRF_E_LIMIT);
  assert_non_null(strstr(err.message, "--max-depth"));
  assert_int_equal(err.line, 1);
  prf_profile_free(p);
  p = prf_profile_new();
  prf_read_options o;
  prf_read_options_init(&o);
  o.max_depth = DEPTH;
  assert_int_equal(prf_profile_read_buffer(p, b.data, b.len, &o, NULL), PRF_OK);
  assert_int_equal(prf_tree_max_depth(prf_profile_tree(p)), DEPTH);
  assert_true(prf_tree_total(prf_profile_tree(p), 0, 0) == 3);
  prf_buf_free(&b);
  prf_profile_free(p);
}

/* The folded reader looks up a group of stacks' existing nodes side by
 * side before it adds each stack's new ones in turn; the tree must be the
 * one that adding the stacks one at a time makes, node ids included.
 * Stacks in random order from few names (shared prefixes, wide nodes, some
 * repeated) and runs of sorted ones (long prefixes shared with the stack
 * before) are read, then built again frame by frame with prf_tree_child. */
static void test_tree_same_as_one_stack_at_a_time(void **state) {
  (void)state;
  enum { STACKS = 6000, MAXDEPTH = 14 };
  static const char *const names[] = {"main", "run", "parse", "eval", "gc", "io"};
  uint32_t seed = 12345;
  prf_buf text;
  prf_buf_init(&text, NULL);
  int path[MAXDEPTH], depth = 0;
  for (int i = 0; i < STACKS; i++) {
    seed = seed * 1103515245u + 12345u;
    if ((seed >> 16) % 4 == 0 && depth > 1) {
      path[depth - 1] = (int)((seed >> 20) % 6); /* a sibling of the last */
    } else {
      seed = seed * 1103515245u + 12345u;
      depth = 1 + (int)((seed >> 16) % MAXDEPTH);
      for (int d = 0; d < depth; d++) {
        seed = seed * 1103515245u + 12345u;
        path[d] = (int)((seed >> 16) % (d < 3 ? 2 : 6));
      }
    }
    for (int d = 0; d < depth; d++)
      prf_buf_printf(&text, "%s%s", d ? ";" : "", names[path[d]]);
    prf_buf_printf(&text, " %d\n", 1 + i % 3);
  }
  prf_profile *p = prf_profile_new();
  assert_int_equal(prf_profile_read_buffer(p, text.data, text.len, NULL, NULL),
                   PRF_OK);
  const prf_tree *got = prf_profile_tree(p);

  prf_profile *q = prf_profile_new();
  assert_int_equal(prf_value_add(q, "samples", "count", NULL), PRF_OK);
  prf_tree *want = prf_profile_tree(q);
  const char *line = text.data, *end = text.data + text.len;
  while (line < end) {
    const char *nl = memchr(line, '\n', (size_t)(end - line));
    const char *sp = memchr(line, ' ', (size_t)(nl - line));
    prf_node node = 0;
    for (const char *f = line; f < sp;) {
      const char *semi = memchr(f, ';', (size_t)(sp - f));
      if (!semi)
        semi = sp;
      prf_frame fr;
      memset(&fr, 0, sizeof fr);
      assert_int_equal(prf_string_intern(q, f, (size_t)(semi - f), &fr.name), PRF_OK);
      prf_fid fid;
      assert_int_equal(prf_frame_intern(q, &fr, &fid), PRF_OK);
      assert_int_equal(prf_tree_child(want, node, fid, &node), PRF_OK);
      f = semi + 1;
    }
    line = nl + 1;
  }
  size_t n = prf_tree_node_count(want);
  assert_true(n > 1000);
  assert_int_equal(prf_tree_node_count(got), n);
  for (prf_node i = 1; i < n; i++) {
    assert_int_equal(prf_tree_parent(got, i), prf_tree_parent(want, i));
    const prf_frame *a = prf_frame_get(p, prf_tree_frame(got, i));
    const prf_frame *b = prf_frame_get(q, prf_tree_frame(want, i));
    assert_string_equal(prf_string(p, a->name, NULL), prf_string(q, b->name, NULL));
  }
  prf_profile_free(q);
  prf_profile_free(p);
  prf_buf_free(&text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_merges_and_sorts),
      cmocka_unit_test(test_no_trailing_newline_and_crlf),
      cmocka_unit_test(test_fractional_counts),
      cmocka_unit_test(test_differential),
      cmocka_unit_test(test_comments_and_metadata),
      cmocka_unit_test(test_invalid_lines_warn_with_line_numbers),
      cmocka_unit_test(test_empty_frames_and_spaces),
      cmocka_unit_test(test_semicolon_inside_brackets),
      cmocka_unit_test(test_kind_suffixes),
      cmocka_unit_test(test_line_breaks_in_names),
      cmocka_unit_test(test_output_order_is_byte_order),
      cmocka_unit_test(test_walk_order_is_byte_order),
      cmocka_unit_test(test_same_text_frames_interleave),
      cmocka_unit_test(test_empty_input_is_an_error),
      cmocka_unit_test(test_utf16),
      cmocka_unit_test(test_utf8_bom_skipped),
      cmocka_unit_test(test_gzip_input),
      cmocka_unit_test(test_streaming_in_pieces),
      cmocka_unit_test(test_merge_inputs),
      cmocka_unit_test(test_round_trip_is_stable),
      cmocka_unit_test(test_keep_order_records_lines),
      cmocka_unit_test(test_unknown_format_name),
      cmocka_unit_test(test_long_line),
      cmocka_unit_test(test_tree_same_as_one_stack_at_a_time),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
