/* Unit tests of the protobuf wire reader and the pprof reader, on small
 * profiles encoded by hand here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "internal.h"
#include "protobuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a tiny encoder ---- */

typedef struct enc {
  uint8_t b[4096];
  size_t n;
} enc;

static void varint(enc *e, uint64_t v) {
  do {
    uint8_t byte = v & 0x7F;
    v >>= 7;
    e->b[e->n++] = byte | (v ? 0x80 : 0);
  } while (v);
}
static void key(enc *e, uint32_t field, uint32_t wire) { varint(e, ((uint64_t)field << 3) | wire); }
static void vfield(enc *e, uint32_t field, uint64_t v) { key(e, field, PB_VARINT); varint(e, v); }
static void bfield(enc *e, uint32_t field, const void *data, size_t n) {
  key(e, field, PB_LEN);
  varint(e, n);
  memcpy(e->b + e->n, data, n);
  e->n += n;
}
static void sub(enc *e, uint32_t field, const enc *m) { bfield(e, field, m->b, m->n); }
static void str(enc *e, const char *s) { bfield(e, 6, s, strlen(s)); }

/* strings: 0 "", 1 samples, 2 count, 3 cpu, 4 nanoseconds, 5 main,
 * 6 work, 7 inl, 8 main.go, 9 /bin/app, 10 span */
static void strings(enc *e) {
  const char *s[] = {"", "samples", "count", "cpu", "nanoseconds", "main",
                     "work", "inl", "main.go", "/bin/app", "span"};
  for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
    str(e, s[i]);
}

static void vtype(enc *e, uint32_t field, uint64_t type, uint64_t unit) {
  enc m = {.n = 0};
  vfield(&m, 1, type);
  vfield(&m, 2, unit);
  sub(e, field, &m);
}

static void function(enc *e, uint64_t id, uint64_t name) {
  enc m = {.n = 0};
  vfield(&m, 1, id);
  vfield(&m, 2, name);
  vfield(&m, 4, 8);
  sub(e, 5, &m);
}

/* A location with lines given as (function id, line) pairs. */
static void location(enc *e, uint64_t id, uint64_t mapping, uint64_t addr,
                     const uint64_t *lines, size_t nlines) {
  enc m = {.n = 0};
  vfield(&m, 1, id);
  if (mapping)
    vfield(&m, 2, mapping);
  vfield(&m, 3, addr);
  for (size_t i = 0; i < nlines; i++) {
    enc l = {.n = 0};
    vfield(&l, 1, lines[2 * i]);
    vfield(&l, 2, lines[2 * i + 1]);
    sub(&m, 4, &l);
  }
  sub(e, 4, &m);
}

/* A sample: packed location ids, packed values, optional label. */
static void sample(enc *e, const uint64_t *locs, size_t nl, const int64_t *vals,
                   size_t nv, int label) {
  enc m = {.n = 0}, p = {.n = 0};
  for (size_t i = 0; i < nl; i++)
    varint(&p, locs[i]);
  sub(&m, 1, &p);
  p.n = 0;
  for (size_t i = 0; i < nv; i++)
    varint(&p, (uint64_t)vals[i]);
  sub(&m, 2, &p);
  if (label) {
    enc l = {.n = 0};
    vfield(&l, 1, 10);
    vfield(&l, 2, 6);
    sub(&m, 3, &l);
  }
  sub(e, 2, &m);
}

/* A good profile: main -> work (with inl inlined into work), plus an
 * unsymbolized location in /bin/app. */
static void good_profile(enc *e) {
  e->n = 0;
  vtype(e, 1, 1, 2);
  vtype(e, 1, 3, 4);
  strings(e);
  function(e, 1, 5);
  function(e, 2, 6);
  function(e, 3, 7);
  enc m = {.n = 0};
  vfield(&m, 1, 1);
  vfield(&m, 5, 9);
  sub(e, 3, &m);
  uint64_t l1[] = {1, 10}, l2[] = {3, 30, 2, 20};
  location(e, 1, 1, 0x1000, l1, 1);
  location(e, 2, 1, 0x2000, l2, 2);
  location(e, 3, 1, 0x3000, NULL, 0);
  uint64_t s1[] = {2, 1}, s2[] = {3, 1};
  int64_t v1[] = {2, 20000000}, v2[] = {-1, -10000000};
  sample(e, s1, 2, v1, 2, 1);
  sample(e, s2, 2, v2, 2, 0);
  vtype(e, 11, 3, 4);
  vfield(e, 12, 10000000);
  vfield(e, 14, 1); /* default: samples */
}

static int to_buf(void *ctx, const void *data, size_t size) {
  prf_buf_put(ctx, data, size);
  return 0;
}

static prf_status read_pprof(const enc *e, prf_profile **out, prf_error *err) {
  prf_profile *p = prf_profile_new();
  prf_read_options o;
  prf_read_options_init(&o);
  o.format = "pprof";
  prf_status st = prf_profile_read_buffer(p, e->b, e->n, &o, err);
  *out = p;
  return st;
}

static void test_good_profile(void **state) {
  (void)state;
  enc e;
  good_profile(&e);
  prf_profile *p;
  prf_error err;
  assert_int_equal(read_pprof(&e, &p, &err), PRF_OK);
  assert_int_equal(prf_value_count(p), 2);
  assert_string_equal(prf_value_type(p, 1), "cpu");
  assert_string_equal(prf_value_unit(p, 1), "nanoseconds");
  assert_int_equal(prf_value_default(p), 0);
  assert_string_equal(prf_meta_get(p, "period"), "10000000");
  assert_string_equal(prf_meta_get(p, "period_type"), "cpu/nanoseconds");
  prf_buf b;
  prf_buf_init(&b, NULL);
  assert_int_equal(prf_profile_write(p, "folded", to_buf, &b, NULL), PRF_OK);
  /* leaf first in the file: root first here; inl was inlined into work;
     the location without lines is named after its binary; negative
     (delta) values are kept */
  assert_string_equal(b.data, "main;[app] -1\nmain;work;inl_[i] 2\n");
  assert_int_equal(prf_sample_count(p), 2);
  size_t nl;
  const prf_label *lab = prf_sample_labels(p, 0, &nl);
  assert_int_equal(nl, 1);
  assert_string_equal(prf_string(p, lab[0].key, NULL), "span");
  assert_string_equal(prf_string(p, lab[0].str, NULL), "work");
  /* the frame keeps file, line and address */
  const prf_tree *t = prf_profile_tree_const(p);
  prf_node leaf = prf_sample_get(p, 0)->leaf;
  const prf_frame *f = prf_frame_get(p, prf_tree_frame(t, leaf));
  assert_string_equal(prf_string(p, f->file, NULL), "main.go");
  assert_int_equal(f->line, 30);
  assert_int_equal(f->address, 0x2000);
  assert_string_equal(prf_string(p, f->module, NULL), "/bin/app");
  prf_buf_free(&b);
  prf_profile_free(p);
}

/* Each damaged profile must fail with PRF_E_DATA and a message naming what
 * is wrong. */
static void expect_bad(const enc *e, const char *what) {
  prf_profile *p;
  prf_error err;
  prf_status st = read_pprof(e, &p, &err);
  if (st != PRF_E_DATA || !strstr(err.message, what))
    fail_msg("expected '%s', got status %d: %s", what, st, err.message);
  prf_profile_free(p);
}

static void test_bad_profiles(void **state) {
  (void)state;
  enc e;
  good_profile(&e);
  for (size_t cut = 1; cut < e.n; cut += 7) { /* truncated anywhere */
    enc t = e;
    t.n = cut;
    prf_profile *p;
    prf_error err;
    prf_status st = read_pprof(&t, &p, &err);
    assert_true(st == PRF_E_DATA || st == PRF_OK);
    prf_profile_free(p);
  }
  e.n = 0; /* a varint longer than 10 bytes */
  key(&e, 9, PB_VARINT);
  for (int i = 0; i < 11; i++)
    e.b[e.n++] = 0xFF;
  e.b[e.n++] = 0x01;
  expect_bad(&e, "bad number");
  e.n = 0; /* a length beyond the end */
  key(&e, 6, PB_LEN);
  varint(&e, 1000);
  expect_bad(&e, "length beyond the end");
  e.n = 0; /* string_table[0] not empty */
  str(&e, "x");
  expect_bad(&e, "string_table[0]");
  good_profile(&e); /* a string index out of range */
  function(&e, 9, 99);
  expect_bad(&e, "string index out of range");
  good_profile(&e);
  function(&e, 0, 5);
  expect_bad(&e, "reserved ID=0");
  good_profile(&e);
  location(&e, 0, 0, 1, NULL, 0);
  expect_bad(&e, "reserved ID=0");
  good_profile(&e);
  uint64_t missing[] = {42};
  int64_t two[] = {1, 1}, one[] = {1};
  sample(&e, missing, 1, two, 2, 0);
  expect_bad(&e, "missing location");
  good_profile(&e);
  uint64_t zero[] = {0};
  sample(&e, zero, 1, two, 2, 0);
  expect_bad(&e, "location id 0");
  good_profile(&e);
  uint64_t ok[] = {1};
  sample(&e, ok, 1, one, 1, 0);
  expect_bad(&e, "a sample has 1 values, expected 2");
  good_profile(&e);
  uint64_t l[] = {77, 1};
  location(&e, 9, 0, 1, l, 1);
  expect_bad(&e, "missing function");
  good_profile(&e);
  location(&e, 9, 5, 1, NULL, 0);
  expect_bad(&e, "missing mapping");
  good_profile(&e);
  location(&e, 1, 0, 1, NULL, 0);
  expect_bad(&e, "duplicate location id");
}

static void test_no_sample_types_use_period_type(void **state) {
  (void)state;
  enc e = {.n = 0};
  strings(&e);
  function(&e, 1, 5);
  uint64_t l1[] = {1, 10};
  location(&e, 1, 0, 0, l1, 1);
  uint64_t s[] = {1};
  int64_t v[] = {30};
  sample(&e, s, 1, v, 1, 0);
  vtype(&e, 11, 3, 4);
  prf_profile *p;
  prf_error err;
  assert_int_equal(read_pprof(&e, &p, &err), PRF_OK);
  assert_int_equal(prf_value_count(p), 1);
  assert_string_equal(prf_value_type(p, 0), "cpu");
  assert_true(prf_tree_total(prf_profile_tree(p), 0, 0) == 30);
  prf_profile_free(p);
}

static void test_unknown_fields_and_unpacked_numbers(void **state) {
  (void)state;
  enc e = {.n = 0};
  vfield(&e, 99, 7);           /* unknown varint field */
  bfield(&e, 98, "xyz", 3);    /* unknown bytes field */
  key(&e, 97, PB_I64);         /* unknown fixed64 */
  memset(e.b + e.n, 0, 8);
  e.n += 8;
  key(&e, 96, PB_I32);
  memset(e.b + e.n, 0, 4);
  e.n += 4;
  vtype(&e, 1, 1, 2);
  strings(&e);
  function(&e, 5, 5); /* sparse ids */
  uint64_t l1[] = {5, 1};
  location(&e, 1000, 0, 0, l1, 1);
  enc m = {.n = 0}; /* a sample with unpacked repeated fields */
  vfield(&m, 1, 1000);
  vfield(&m, 2, 4);
  sub(&e, 2, &m);
  prf_profile *p;
  prf_error err;
  assert_int_equal(read_pprof(&e, &p, &err), PRF_OK);
  assert_true(prf_tree_total(prf_profile_tree(p), 0, 0) == 4);
  prf_profile_free(p);
}

/* drop_frames: the frames from the (fully matched) function down to the
 * leaf go; keep_frames overrides it; the root is never dropped. */
static void test_drop_frames(void **state) {
  (void)state;
  enc e;
  good_profile(&e);
  vfield(&e, 7, 6); /* drop_frames = "work" */
  prf_profile *p;
  prf_error err;
  assert_int_equal(read_pprof(&e, &p, &err), PRF_OK);
  prf_buf b;
  prf_buf_init(&b, NULL);
  assert_int_equal(prf_profile_write(p, "folded", to_buf, &b, NULL), PRF_OK);
  assert_string_equal(b.data, "main 2\nmain;[app] -1\n");
  prf_buf_free(&b);
  prf_profile_free(p);
  vfield(&e, 8, 6); /* keep_frames = "work" wins */
  assert_int_equal(read_pprof(&e, &p, &err), PRF_OK);
  prf_buf_init(&b, NULL);
  prf_profile_write(p, "folded", to_buf, &b, NULL);
  assert_string_equal(b.data, "main;[app] -1\nmain;work;inl_[i] 2\n");
  prf_buf_free(&b);
  prf_profile_free(p);
  good_profile(&e);
  vfield(&e, 7, 7); /* "inl": the inlined line and below go, work stays */
  assert_int_equal(read_pprof(&e, &p, &err), PRF_OK);
  prf_buf_init(&b, NULL);
  prf_profile_write(p, "folded", to_buf, &b, NULL);
  assert_string_equal(b.data, "main;[app] -1\nmain;work 2\n");
  prf_buf_free(&b);
  prf_profile_free(p);
  good_profile(&e);
  vfield(&e, 7, 5); /* "main" is the root: nothing before it, kept */
  assert_int_equal(read_pprof(&e, &p, &err), PRF_OK);
  prf_buf_init(&b, NULL);
  prf_profile_write(p, "folded", to_buf, &b, NULL);
  assert_string_equal(b.data, "main;[app] -1\nmain;work;inl_[i] 2\n");
  prf_buf_free(&b);
  prf_profile_free(p);
}

/* prf_top_compute of the profile read with and without top_only. */
static void expect_same_top(const enc *e, size_t column) {
  prf_profile *tree_p, *list_p = prf_profile_new();
  prf_read_options o;
  prf_read_options_init(&o);
  o.format = "pprof";
  o.top_only = 1;
  prf_error err;
  assert_int_equal(read_pprof(e, &tree_p, &err), PRF_OK);
  assert_int_equal(prf_profile_read_buffer(list_p, e->b, e->n, &o, &err), PRF_OK);
  assert_int_equal(prf_tree_node_count(prf_profile_tree_const(list_p)), 1);
  prf_top_options to;
  prf_top_options_init(&to);
  to.column = column;
  to.node_fraction = 0;
  prf_top a, b;
  assert_int_equal(prf_top_compute(tree_p, &to, &a, &err), PRF_OK);
  assert_int_equal(prf_top_compute(list_p, &to, &b, &err), PRF_OK);
  assert_int_equal(a.count, b.count);
  assert_true(a.count > 0);
  assert_true(a.total == b.total && a.cutoff == b.cutoff);
  assert_int_equal(a.dropped, b.dropped);
  for (size_t i = 0; i < a.count; i++) {
    assert_string_equal(prf_string(tree_p, a.rows[i].name, NULL),
                        prf_string(list_p, b.rows[i].name, NULL));
    assert_true(a.rows[i].flat == b.rows[i].flat && a.rows[i].cum == b.rows[i].cum);
    assert_int_equal(a.rows[i].inlined, b.rows[i].inlined);
  }
  prf_top_free(&a);
  prf_top_free(&b);
  prf_profile_free(tree_p);
  prf_profile_free(list_p);
}

/* top_only keeps the stacks as lists: the same top table as the tree's,
 * with repeated stacks, values that cancel out, recursion and
 * drop_frames; such a profile takes no more input and no filter. */
static void test_top_only(void **state) {
  (void)state;
  enc e;
  good_profile(&e);
  uint64_t s1[] = {2, 1}, s3[] = {1, 2, 1}, s4[] = {3, 2, 1};
  int64_t v1[] = {3, 30000000}, v2[] = {-3, -30000000}, v3[] = {1, 7};
  sample(&e, s1, 2, v1, 2, 0); /* the first stack again */
  sample(&e, s3, 3, v1, 2, 0); /* main calls work calls main */
  sample(&e, s3, 3, v2, 2, 0); /* ... and cancels out */
  sample(&e, s4, 3, v3, 2, 0);
  expect_same_top(&e, 0);
  expect_same_top(&e, 1);
  vfield(&e, 7, 6); /* drop_frames = "work" */
  expect_same_top(&e, 0);
  prf_profile *p = prf_profile_new();
  prf_read_options o;
  prf_read_options_init(&o);
  o.format = "pprof";
  o.top_only = 1;
  prf_error err;
  assert_int_equal(prf_profile_read_buffer(p, e.b, e.n, &o, &err), PRF_OK);
  assert_int_equal(prf_profile_read_buffer(p, e.b, e.n, &o, &err), PRF_E_USAGE);
  prf_filter f = {.focus = "main"};
  assert_int_equal(prf_profile_filter(p, &f, &err), PRF_E_USAGE);
  assert_int_equal(prf_profile_set_granularity(p, PRF_GRAN_FILES, 0, &err),
                   PRF_E_USAGE);
  prf_profile_free(p);
}

static void test_varint_limits(void **state) {
  (void)state;
  uint8_t max[] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01};
  prf_pb pb = prf_pb_init(max, sizeof max);
  uint64_t v;
  assert_true(prf_pb_varint(&pb, &v));
  assert_true(v == UINT64_MAX);
  max[9] = 0x02; /* a 65th bit */
  pb = prf_pb_init(max, sizeof max);
  assert_false(prf_pb_varint(&pb, &v));
  pb = prf_pb_init(max, 5); /* cut short */
  assert_false(prf_pb_varint(&pb, &v));
  assert_int_equal(prf_pb_offset(&pb), 5);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_good_profile),
      cmocka_unit_test(test_bad_profiles),
      cmocka_unit_test(test_no_sample_types_use_period_type),
      cmocka_unit_test(test_unknown_fields_and_unpacked_numbers),
      cmocka_unit_test(test_drop_frames),
      cmocka_unit_test(test_varint_limits),
      cmocka_unit_test(test_top_only),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
