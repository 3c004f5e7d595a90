/* Unit tests of the embedding API: reading a file, writing into memory,
 * merging profiles (samples, labels, threads, stack values, headers). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "profrender.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const pprof_file = "testdata/pprof/parca__query__profile-with-labels.pb.gz";

static prf_profile *from_text(const char *text) {
  prf_profile *p = prf_profile_new();
  assert_non_null(p);
  assert_int_equal(prf_profile_read_buffer(p, text, strlen(text), NULL, NULL), PRF_OK);
  return p;
}

static prf_profile *from_file(const char *path) {
  prf_profile *p = prf_profile_new();
  assert_non_null(p);
  prf_error err;
  assert_int_equal(prf_profile_read_file(p, path, NULL, &err), PRF_OK);
  return p;
}

/* The profile as canonical folded stacks, in memory. */
static char *folded(const prf_profile *p) {
  prf_buffer b = {0};
  assert_int_equal(prf_profile_write(p, "folded", prf_buffer_write, &b, NULL), PRF_OK);
  assert_non_null(b.data);
  assert_int_equal(strlen((char *)b.data), b.size); /* NUL-terminated */
  return (char *)b.data;
}

static void test_read_file_names_the_path(void **state) {
  (void)state;
  prf_profile *p = prf_profile_new();
  prf_error err;
  assert_int_equal(prf_profile_read_file(p, "/nonexistent/x.folded", NULL, &err),
                   PRF_E_INPUT);
  assert_string_equal(err.source, "/nonexistent/x.folded");
  assert_non_null(strstr(err.message, "cannot open"));
  prf_profile_free(p);
}

static void test_buffer_collects_writes(void **state) {
  (void)state;
  prf_buffer b = {0};
  assert_int_equal(prf_buffer_write(&b, "ab", 2), 0);
  assert_int_equal(prf_buffer_write(&b, "", 0), 0);
  assert_int_equal(prf_buffer_write(&b, "cde", 3), 0);
  assert_int_equal(b.size, 5);
  assert_string_equal((char *)b.data, "abcde");
  prf_buffer_free(&b);
  assert_null(b.data);
}

static void test_merge_sums_stacks(void **state) {
  (void)state;
  prf_profile *a = from_text("a;b 3\na;c 2\n");
  prf_profile *b = from_text("a;b 4\nd 1\n");
  prf_profile *dst = prf_profile_new();
  assert_int_equal(prf_profile_merge(dst, a, NULL), PRF_OK);
  assert_int_equal(prf_profile_merge(dst, b, NULL), PRF_OK);
  char *got = folded(dst);
  assert_string_equal(got, "a;b 7\na;c 2\nd 1\n");
  free(got);
  prf_profile_free(a);
  prf_profile_free(b);
  prf_profile_free(dst);
}

/* Samples keep their labels, threads and values; the header combines. */
static void test_merge_keeps_samples(void **state) {
  (void)state;
  prf_profile *src = from_file(pprof_file);
  prf_profile *dst = prf_profile_new();
  assert_int_equal(prf_profile_merge(dst, src, NULL), PRF_OK);
  char *want = folded(src), *got = folded(dst);
  assert_string_equal(want, got);
  assert_int_equal(prf_sample_count(dst), prf_sample_count(src));
  size_t with_labels = 0;
  for (size_t i = 0; i < prf_sample_count(src); i++) {
    size_t ns, nd;
    const prf_label *ls = prf_sample_labels(src, i, &ns);
    const prf_label *ld = prf_sample_labels(dst, i, &nd);
    assert_int_equal(ns, nd);
    for (size_t l = 0; l < ns; l++) {
      assert_string_equal(prf_string(src, ls[l].key, NULL), prf_string(dst, ld[l].key, NULL));
      assert_string_equal(prf_string(src, ls[l].str, NULL), prf_string(dst, ld[l].str, NULL));
      assert_true(ls[l].num == ld[l].num);
    }
    with_labels += ns > 0;
    for (size_t c = 0; c < prf_value_count(src); c++)
      assert_true(prf_sample_values(src, i)[c] == prf_sample_values(dst, i)[c]);
  }
  assert_true(with_labels > 0); /* the file does carry labels */
  /* Twice: every value doubles, the duration too, the time stays. */
  assert_int_equal(prf_profile_merge(dst, src, NULL), PRF_OK);
  assert_int_equal(prf_sample_count(dst), 2 * prf_sample_count(src));
  const char *d1 = prf_meta_get(src, "duration_nanos");
  if (d1) {
    char want_d[32];
    snprintf(want_d, sizeof want_d, "%lld", 2 * atoll(d1));
    assert_string_equal(prf_meta_get(dst, "duration_nanos"), want_d);
  }
  free(want);
  free(got);
  prf_profile_free(src);
  prf_profile_free(dst);
}

/* Stack values that no sample carries are merged too. */
static void test_merge_keeps_stack_values(void **state) {
  (void)state;
  prf_profile *src = prf_profile_new();
  assert_int_equal(prf_value_add(src, "samples", "count", NULL), PRF_OK);
  prf_frame f = {0};
  prf_fid ids[2];
  assert_int_equal(prf_string_intern(src, "main", 4, &f.name), PRF_OK);
  assert_int_equal(prf_frame_intern(src, &f, &ids[0]), PRF_OK);
  assert_int_equal(prf_string_intern(src, "work", 4, &f.name), PRF_OK);
  assert_int_equal(prf_frame_intern(src, &f, &ids[1]), PRF_OK);
  double five = 5, two = 2;
  prf_node leaf;
  assert_int_equal(prf_stack_add(src, ids, 1, &five, NULL), PRF_OK);
  assert_int_equal(prf_stack_add(src, ids, 2, NULL, &leaf), PRF_OK);
  assert_int_equal(prf_sample_add(src, leaf, &two, 1000, PRF_NONE), PRF_OK);
  assert_int_equal(prf_stack_add(src, ids, 2, &two, NULL), PRF_OK);
  prf_profile *dst = prf_profile_new();
  assert_int_equal(prf_profile_merge(dst, src, NULL), PRF_OK);
  char *got = folded(dst);
  assert_string_equal(got, "main 5\nmain;work 4\n");
  assert_int_equal(prf_sample_count(dst), 1);
  assert_true(prf_sample_get(dst, 0)->time == 1000);
  free(got);
  prf_profile_free(src);
  prf_profile_free(dst);
}

static void test_merge_is_associative(void **state) {
  (void)state;
  const char *text[3] = {"a;b 1\nc 2\n", "a;b 3\na 1\n", "c;d 5\na;b 0.5\n"};
  prf_profile *p[3];
  for (int i = 0; i < 3; i++)
    p[i] = from_text(text[i]);
  prf_profile *left = prf_profile_new(), *ab = prf_profile_new();
  prf_profile *right = prf_profile_new(), *bc = prf_profile_new();
  assert_int_equal(prf_profile_merge(ab, p[0], NULL), PRF_OK);
  assert_int_equal(prf_profile_merge(ab, p[1], NULL), PRF_OK);
  assert_int_equal(prf_profile_merge(left, ab, NULL), PRF_OK);
  assert_int_equal(prf_profile_merge(left, p[2], NULL), PRF_OK);
  assert_int_equal(prf_profile_merge(bc, p[1], NULL), PRF_OK);
  assert_int_equal(prf_profile_merge(bc, p[2], NULL), PRF_OK);
  assert_int_equal(prf_profile_merge(right, p[0], NULL), PRF_OK);
  assert_int_equal(prf_profile_merge(right, bc, NULL), PRF_OK);
  char *l = folded(left), *r = folded(right);
  assert_string_equal(l, r);
  assert_string_equal(l, "a 1\na;b 4.5\nc 2\nc;d 5\n");
  free(l);
  free(r);
  prf_profile *all[] = {left, ab, right, bc, p[0], p[1], p[2]};
  for (size_t i = 0; i < 7; i++)
    prf_profile_free(all[i]);
}

static void test_merge_refuses_other_columns(void **state) {
  (void)state;
  prf_profile *a = from_text("a 1\n"); /* samples (count) */
  prf_profile *b = from_file("testdata/pprof/pprof__internal__proftest__large.cpu");
  prf_error err;
  assert_int_equal(prf_profile_merge(a, b, &err), PRF_E_DATA);
  assert_non_null(strstr(err.message, "cannot merge"));
  assert_int_equal(prf_profile_merge(a, a, &err), PRF_E_USAGE);
  prf_profile_free(a);
  prf_profile_free(b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_read_file_names_the_path),
      cmocka_unit_test(test_buffer_collects_writes),
      cmocka_unit_test(test_merge_sums_stacks),
      cmocka_unit_test(test_merge_keeps_samples),
      cmocka_unit_test(test_merge_keeps_stack_values),
      cmocka_unit_test(test_merge_is_associative),
      cmocka_unit_test(test_merge_refuses_other_columns),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
