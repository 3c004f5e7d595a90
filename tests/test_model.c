/* Unit tests of the model: strings, frames, the prefix tree, totals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static prf_fid frame(prf_profile *p, const char *name) {
  prf_frame f;
  memset(&f, 0, sizeof f);
  assert_int_equal(prf_string_intern(p, name, strlen(name), &f.name), PRF_OK);
  prf_fid id;
  assert_int_equal(prf_frame_intern(p, &f, &id), PRF_OK);
  return id;
}

static prf_profile *one_column(void) {
  prf_profile *p = prf_profile_new();
  assert_non_null(p);
  assert_int_equal(prf_value_add(p, "samples", "count", NULL), PRF_OK);
  return p;
}

/* Finds the child of parent whose frame is named name. */
static prf_node child_named(const prf_profile *p, prf_node parent,
                            const char *name) {
  const prf_tree *t = prf_profile_tree_const(p);
  for (prf_node c = prf_tree_first_child(t, parent); c != PRF_NONE;
       c = prf_tree_next_sibling(t, c)) {
    const prf_frame *f = prf_frame_get(p, prf_tree_frame(t, c));
    if (strcmp(prf_string(p, f->name, NULL), name) == 0)
      return c;
  }
  return PRF_NONE;
}

static size_t child_count(const prf_tree *t, prf_node n) {
  size_t k = 0;
  for (prf_node c = prf_tree_first_child(t, n); c != PRF_NONE;
       c = prf_tree_next_sibling(t, c))
    k++;
  return k;
}

static void test_strings_interned(void **state) {
  (void)state;
  prf_profile *p = prf_profile_new();
  prf_str a, b, c, e;
  assert_int_equal(prf_string_intern(p, "main", 4, &a), PRF_OK);
  assert_int_equal(prf_string_intern(p, "main()", 4, &b), PRF_OK);
  assert_int_equal(prf_string_intern(p, "a\0b", 3, &c), PRF_OK);
  assert_int_equal(prf_string_intern(p, "", 0, &e), PRF_OK);
  assert_int_equal(a, b);
  assert_int_not_equal(a, c);
  assert_int_equal(e, 0);
  size_t len;
  assert_memory_equal(prf_string(p, c, &len), "a\0b", 3);
  assert_int_equal(len, 3);
  assert_string_equal(prf_string(p, 999999, NULL), "");
  /* Many strings force the table and the arena to grow. */
  char buf[32];
  prf_str ids[5000];
  for (int i = 0; i < 5000; i++) {
    snprintf(buf, sizeof buf, "fn_%d", i);
    assert_int_equal(prf_string_intern(p, buf, strlen(buf), &ids[i]), PRF_OK);
  }
  for (int i = 0; i < 5000; i++) {
    snprintf(buf, sizeof buf, "fn_%d", i);
    assert_string_equal(prf_string(p, ids[i], NULL), buf);
  }
  prf_profile_free(p);
}

static void test_frames_deduplicated(void **state) {
  (void)state;
  prf_profile *p = prf_profile_new();
  prf_fid a = frame(p, "f"), b = frame(p, "f"), c = frame(p, "g");
  assert_int_equal(a, b);
  assert_int_not_equal(a, c);
  prf_frame k = *prf_frame_get(p, a);
  k.kind = PRF_KIND_KERNEL;
  prf_fid d;
  assert_int_equal(prf_frame_intern(p, &k, &d), PRF_OK);
  assert_int_not_equal(a, d); /* the kind is part of the identity */
  k.kind = 0;
  k.line = 12;
  prf_fid e;
  assert_int_equal(prf_frame_intern(p, &k, &e), PRF_OK);
  assert_int_not_equal(a, e);
  assert_int_equal(prf_frame_count(p), 4);
  assert_null(prf_frame_get(p, 4));
  prf_profile_free(p);
}

/* The reference tools draw p;foo and p;foo;bar as two foo boxes when
 * p;foo2 sorts between them; a prefix tree has one. */
static void test_prefix_merging(void **state) {
  (void)state;
  prf_profile *p = one_column();
  prf_fid P = frame(p, "p"), foo = frame(p, "foo"), foo2 = frame(p, "foo2"),
          bar = frame(p, "bar");
  double one = 1, two = 2, three = 3;
  prf_fid s1[] = {P, foo}, s2[] = {P, foo2}, s3[] = {P, foo, bar};
  assert_int_equal(prf_stack_add(p, s1, 2, &one, NULL), PRF_OK);
  assert_int_equal(prf_stack_add(p, s2, 2, &two, NULL), PRF_OK);
  assert_int_equal(prf_stack_add(p, s3, 3, &three, NULL), PRF_OK);
  const prf_tree *t = prf_profile_tree_const(p);
  assert_int_equal(prf_tree_node_count(t), 5); /* root p foo foo2 bar */
  prf_node np = child_named(p, 0, "p");
  assert_int_equal(child_count(t, np), 2);
  prf_node nfoo = child_named(p, np, "foo");
  assert_int_equal(prf_tree_self(t, nfoo, 0), 1);
  assert_int_equal(prf_tree_total(t, nfoo, 0), 4);
  assert_int_equal(prf_tree_total(t, np, 0), 6);
  assert_int_equal(prf_tree_total(t, 0, 0), 6);
  assert_int_equal(prf_tree_self(t, 0, 0), 0);
  assert_int_equal(prf_tree_depth(t, child_named(p, nfoo, "bar")), 3);
  assert_int_equal(prf_tree_max_depth(t), 3);
  prf_profile_free(p);
}

/* Recursion: a;a;a creates three nodes; each counts the sample once. */
static void test_self_and_total_recursion(void **state) {
  (void)state;
  prf_profile *p = one_column();
  prf_fid a = frame(p, "a");
  prf_fid s[] = {a, a, a};
  double v = 5;
  prf_node leaf;
  assert_int_equal(prf_stack_add(p, s, 3, &v, &leaf), PRF_OK);
  const prf_tree *t = prf_profile_tree_const(p);
  assert_int_equal(prf_tree_depth(t, leaf), 3);
  for (prf_node n = leaf; n != 0; n = prf_tree_parent(t, n))
    assert_int_equal(prf_tree_total(t, n, 0), 5);
  assert_int_equal(prf_tree_self(t, leaf, 0), 5);
  assert_int_equal(prf_tree_self(t, prf_tree_parent(t, leaf), 0), 0);
  /* Adding more invalidates and recomputes totals. */
  assert_int_equal(prf_stack_add(p, s, 1, &v, NULL), PRF_OK);
  assert_int_equal(prf_tree_total(t, 0, 0), 10);
  prf_profile_free(p);
}

/* Narrow nodes find children by their list, wide ones (more than 8
 * children, counts saturate at 255) through the hash table: both must
 * find every child again, before and after the switch. */
static void test_wide_nodes(void **state) {
  (void)state;
  prf_profile *p = one_column();
  enum { N = 700 };
  prf_fid fids[N];
  char name[32];
  for (int i = 0; i < N; i++) {
    snprintf(name, sizeof name, "f%d", i);
    fids[i] = frame(p, name);
  }
  prf_fid mid = frame(p, "mid");
  double one = 1;
  for (int round = 0; round < 3; round++) {
    for (int i = 0; i < N; i++) {
      prf_fid s1[] = {fids[i]}, s2[] = {mid, fids[i]};
      assert_int_equal(prf_stack_add(p, s1, 1, &one, NULL), PRF_OK);
      if (i < 9 + round)
        assert_int_equal(prf_stack_add(p, s2, 2, &one, NULL), PRF_OK);
    }
    /* root: N children; mid: 9 + round (crosses the narrow limit) */
    assert_int_equal(prf_tree_node_count(prf_profile_tree(p)),
                     1 + N + 1 + 9 + round);
  }
  const prf_tree *t = prf_profile_tree_const(p);
  assert_true(prf_tree_total(t, 0, 0) == 3 * N + 9 + 10 + 11);
  prf_node m = child_named(p, 0, "mid");
  assert_true(prf_tree_total(t, m, 0) == 30);
  assert_int_equal(child_count(t, m), 11);
  assert_int_equal(child_count(t, 0), N + 1); /* and mid */
  prf_profile_free(p);
}

static void test_several_columns(void **state) {
  (void)state;
  prf_profile *p = prf_profile_new();
  size_t i0, i1;
  assert_int_equal(prf_value_add(p, "samples", "count", &i0), PRF_OK);
  assert_int_equal(prf_value_add(p, "cpu", "nanoseconds", &i1), PRF_OK);
  assert_int_equal(i1, 1);
  assert_string_equal(prf_value_type(p, 1), "cpu");
  assert_string_equal(prf_value_unit(p, 1), "nanoseconds");
  assert_int_equal(prf_value_set_default(p, 1), PRF_OK);
  assert_int_equal(prf_value_set_default(p, 2), PRF_E_USAGE);
  prf_fid s[] = {frame(p, "x"), frame(p, "y")};
  double v[] = {1, 1000};
  assert_int_equal(prf_stack_add(p, s, 2, v, NULL), PRF_OK);
  assert_int_equal(prf_stack_add(p, s, 1, v, NULL), PRF_OK);
  const prf_tree *t = prf_profile_tree_const(p);
  assert_int_equal(prf_tree_total(t, 0, 0), 2);
  assert_int_equal(prf_tree_total(t, 0, 1), 2000);
  /* Columns are fixed once stacks exist. */
  assert_int_equal(prf_value_add(p, "late", "count", NULL), PRF_E_USAGE);
  prf_profile_free(p);
}

static void test_deep_stack_no_recursion(void **state) {
  (void)state;
  enum { DEPTH = 1000000 };
  prf_profile *p = one_column();
  prf_fid *s = malloc(DEPTH * sizeof *s);
  assert_non_null(s);
  prf_fid f[3] = {frame(p, "a"), frame(p, "b"), frame(p, "c")};
  for (size_t i = 0; i < DEPTH; i++)
    s[i] = f[i % 3];
  double v = 1;
  prf_node leaf;
  assert_int_equal(prf_stack_add(p, s, DEPTH, &v, &leaf), PRF_OK);
  assert_int_equal(prf_stack_add(p, s, DEPTH / 2, &v, NULL), PRF_OK);
  const prf_tree *t = prf_profile_tree_const(p);
  assert_int_equal(prf_tree_max_depth(t), DEPTH);
  assert_int_equal(prf_tree_total(t, 0, 0), 2);
  prf_node *path = malloc(DEPTH * sizeof *path);
  assert_int_equal(prf_tree_path(t, leaf, path, DEPTH), DEPTH);
  assert_int_equal(prf_tree_frame(t, path[DEPTH - 1]), f[(DEPTH - 1) % 3]);
  prf_tree *r = prf_tree_reversed(t, NULL);
  assert_non_null(r);
  assert_int_equal(prf_tree_max_depth(r), DEPTH);
  assert_int_equal(prf_tree_total(r, 0, 0), 2);
  prf_tree_free(r);
  free(path);
  free(s);
  prf_profile_free(p);
}

/* prf_grow_mapped keeps an array's items as it grows from malloc'd memory
 * to a mapping of its own and then from mapping to mapping (moved by
 * mremap), for items of 4 and 16 bytes, with the default allocator and a
 * custom one (plain prf_grow). */
typedef struct quad {
  uint32_t v[4];
} quad;

static void *counting_alloc(void *opaque, size_t size) {
  ++*(size_t *)opaque;
  return malloc(size);
}
static void *counting_realloc(void *opaque, void *ptr, size_t size) {
  ++*(size_t *)opaque;
  return realloc(ptr, size);
}
static void counting_free(void *opaque, void *ptr) {
  (void)opaque;
  free(ptr);
}

static void test_grow_mapped(void **state) {
  (void)state;
  size_t calls = 0;
  prf_allocator custom = {counting_alloc, counting_realloc, counting_free, &calls};
  const prf_allocator *mems[2] = {NULL, &custom};
  for (int m = 0; m < 2; m++) {
    const prf_allocator *mem = mems[m];
    uint32_t *a = NULL;
    quad *q = NULL;
    size_t acap = 0, qcap = 0, n = 0;
    /* 6 M items: 24 MB and 96 MB, several moves past 4 MiB. */
    for (size_t need = 1; need <= 6000000; need = need * 3 + 1) {
      assert_true(prf_grow_mapped(mem, (void **)&a, &acap, need, sizeof *a));
      assert_true(prf_grow_mapped(mem, (void **)&q, &qcap, need, sizeof *q));
      assert_true(acap >= need && qcap >= need);
#if defined(__linux__)
      /* Past 4 MiB, the default allocator's arrays are mappings of their
         own, aligned for huge pages (malloc's never are: its blocks
         start after a header). */
      if (m == 0 && need * sizeof *q >= (4u << 20))
        assert_int_equal((uintptr_t)q % (2u << 20), 0);
#endif
      for (size_t i = 0; i < n; i++) /* what the array held is still there */
        if (a[i] != (uint32_t)(i * 2654435761u) || q[i].v[3] != (uint32_t)i)
          fail_msg("item %zu lost growing to %zu (allocator %d)", i, need, m);
      for (; n < need; n++) {
        a[n] = (uint32_t)(n * 2654435761u);
        q[n] = (quad){{0, 1, 2, (uint32_t)n}};
      }
    }
    a[acap - 1] = 7; /* the whole capacity is writable */
    q[qcap - 1].v[0] = 7;
    prf_free_mapped(mem, a, acap, sizeof *a);
    prf_free_mapped(mem, q, qcap, sizeof *q);
  }
  assert_true(calls > 0); /* the custom allocator was asked */
}

static void test_reversed_tree(void **state) {
  (void)state;
  prf_profile *p = one_column();
  prf_fid m = frame(p, "main"), a = frame(p, "a"), l = frame(p, "leaf");
  prf_fid s1[] = {m, a, l}, s2[] = {m, l};
  double v1 = 3, v2 = 4;
  prf_stack_add(p, s1, 3, &v1, NULL);
  prf_stack_add(p, s2, 2, &v2, NULL);
  prf_tree *r = prf_tree_reversed(prf_profile_tree(p), NULL);
  assert_non_null(r);
  /* leaf is now the only root child, with both stacks under it. */
  prf_node first = prf_tree_first_child(r, 0);
  assert_int_equal(prf_tree_frame(r, first), l);
  assert_int_equal(prf_tree_next_sibling(r, first), PRF_NONE);
  assert_int_equal(prf_tree_total(r, first, 0), 7);
  assert_int_equal(prf_tree_total(r, 0, 0), 7);
  prf_tree_free(r);
  prf_profile_free(p);
}

static void test_samples_in_order(void **state) {
  (void)state;
  prf_profile *p = one_column();
  prf_fid s[] = {frame(p, "x"), frame(p, "y")};
  prf_node n1, n2;
  double zero = 0;
  prf_stack_add(p, s, 2, &zero, &n1);
  prf_stack_add(p, s, 1, &zero, &n2);
  double v = 2;
  assert_int_equal(prf_sample_add(p, n1, &v, 100, PRF_NONE), PRF_OK);
  uint32_t th;
  assert_int_equal(prf_thread_add(p, 4242, "worker", &th), PRF_OK);
  assert_int_equal(prf_sample_add(p, n2, &v, 200, 7), PRF_E_USAGE);
  assert_int_equal(prf_sample_add(p, n2, &v, 200, th), PRF_OK);
  assert_int_equal(prf_sample_add(p, n1, &v, 300, PRF_NONE), PRF_OK);
  assert_int_equal(prf_sample_add(p, 9999, &v, 0, 0), PRF_E_USAGE);
  assert_int_equal(prf_sample_get(p, 1)->leaf, n2);
  assert_int_equal(prf_sample_get(p, 1)->time, 200);
  assert_int_equal(prf_sample_get(p, 1)->thread, th);
  assert_int_equal(prf_thread_id(p, th), 4242);
  assert_string_equal(prf_thread_name(p, th), "worker");
  uint32_t th2;
  assert_int_equal(prf_thread_add(p, 4242, "", &th2), PRF_OK);
  assert_int_equal(th2, th);
  assert_string_equal(prf_thread_name(p, th), "worker");
  prf_label lab[2];
  memset(lab, 0, sizeof lab);
  prf_string_intern(p, "span", 4, &lab[0].key);
  prf_string_intern(p, "GET /", 5, &lab[0].str);
  prf_string_intern(p, "bytes", 5, &lab[1].key);
  lab[1].num = 512;
  prf_string_intern(p, "bytes", 5, &lab[1].unit);
  assert_int_equal(prf_sample_add_labeled(p, n1, &v, 400, PRF_NONE, lab, 2),
                   PRF_OK);
  size_t nl;
  const prf_label *got = prf_sample_labels(p, 3, &nl);
  assert_int_equal(nl, 2);
  assert_string_equal(prf_string(p, got[0].str, NULL), "GET /");
  assert_int_equal(got[1].num, 512);
  assert_null(prf_sample_labels(p, 0, &nl));
  assert_int_equal(nl, 0);
  assert_true(prf_sample_values(p, 2)[0] == 2);
  assert_int_equal(prf_tree_self(prf_profile_tree(p), n1, 0), 6);
  prf_profile_free(p);
}

static void test_metadata(void **state) {
  (void)state;
  prf_profile *p = prf_profile_new();
  assert_null(prf_meta_get(p, "release"));
  prf_meta_set(p, "release", "1.0");
  prf_meta_set(p, "env", "prod");
  prf_meta_set(p, "release", "2.0");
  assert_string_equal(prf_meta_get(p, "release"), "2.0");
  assert_int_equal(prf_meta_count(p), 2);
  const char *k, *v;
  prf_meta_at(p, 1, &k, &v);
  assert_string_equal(k, "env");
  assert_string_equal(v, "prod");
  prf_profile_free(p);
}

static void test_format_count(void **state) {
  (void)state;
  char b[64];
  prf_format_count(b, sizeof b, 1234567);
  assert_string_equal(b, "1,234,567");
  prf_format_count(b, sizeof b, 513);
  assert_string_equal(b, "513");
  prf_format_count(b, sizeof b, 1000);
  assert_string_equal(b, "1,000");
  prf_format_count(b, sizeof b, 12.5);
  assert_string_equal(b, "12.5");
  prf_format_count(b, sizeof b, 4321.125);
  assert_string_equal(b, "4,321.125");
  prf_format_number(b, sizeof b, 0.1);
  assert_string_equal(b, "0.1");
  prf_format_number(b, sizeof b, 274.321);
  assert_string_equal(b, "274.321");
  prf_format_number(b, sizeof b, 42);
  assert_string_equal(b, "42");
}

static int cmp_u32(void *ctx, uint32_t a, uint32_t b) {
  (void)ctx;
  return (a > b) - (a < b);
}

static void test_sort_ids(void **state) {
  (void)state;
  enum { N = 10007 };
  uint32_t *ids = malloc(N * sizeof *ids);
  uint64_t x = 42;
  for (size_t i = 0; i < N; i++) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    ids[i] = (uint32_t)(x >> 40) % 1000;
  }
  assert_true(prf_sort_ids(NULL, ids, N, cmp_u32, NULL));
  for (size_t i = 1; i < N; i++)
    assert_true(ids[i - 1] <= ids[i]);
  free(ids);
}

static void test_error_format(void **state) {
  (void)state;
  prf_error e;
  prf_error_clear(&e);
  prf_error_set_source(&e, "x.folded");
  prf_fail(&e, PRF_E_DATA, "expected %s", "a count");
  e.line = 7;
  char buf[256];
  assert_string_equal(prf_error_format(&e, buf, sizeof buf),
                      "x.folded:7: expected a count");
  e.line = 0;
  e.has_offset = 1;
  e.offset = 12;
  assert_string_equal(prf_error_format(&e, buf, sizeof buf),
                      "x.folded: byte 12: expected a count");
  assert_string_equal(prf_status_name(PRF_E_OUTPUT), "cannot write output");
  assert_string_equal(prf_version(), PRF_VERSION_STRING);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_strings_interned),
      cmocka_unit_test(test_frames_deduplicated),
      cmocka_unit_test(test_prefix_merging),
      cmocka_unit_test(test_self_and_total_recursion),
      cmocka_unit_test(test_wide_nodes),
      cmocka_unit_test(test_several_columns),
      cmocka_unit_test(test_deep_stack_no_recursion),
      cmocka_unit_test(test_grow_mapped),
      cmocka_unit_test(test_reversed_tree),
      cmocka_unit_test(test_samples_in_order),
      cmocka_unit_test(test_metadata),
      cmocka_unit_test(test_format_count),
      cmocka_unit_test(test_sort_ids),
      cmocka_unit_test(test_error_format),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
