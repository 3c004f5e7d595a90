/* Unit tests of the custom allocator (prf_allocator): everything made for
 * a profile goes through its allocator and is given back; no allocation
 * bypasses it for libc; a failing allocator gives PRF_E_NOMEM, never a
 * crash or a leak.
 *
 * The program is linked with --wrap for malloc, calloc, realloc, free and
 * posix_memalign (see the Makefile), so that a call the library makes to
 * libc directly while a custom allocator is in use is counted here. Calls
 * inside shared libraries (cJSON's parse tree, zlib without hooks, cairo)
 * are not wrapped: those are the documented exceptions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "profrender.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- libc, watched ---- */

void *__real_malloc(size_t size);
void *__real_calloc(size_t count, size_t size);
void *__real_realloc(void *ptr, size_t size);
void __real_free(void *ptr);
int __real_posix_memalign(void **out, size_t align, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t count, size_t size);
void *__wrap_realloc(void *ptr, size_t size);
void __wrap_free(void *ptr);
int __wrap_posix_memalign(void **out, size_t align, size_t size);

static int watching;      /* a custom allocator is in use */
static size_t libc_calls; /* library calls to libc's allocator meanwhile */

static void caught(void) {
  if (watching && getenv("TEST_ALLOC_TRAP"))
    __builtin_trap(); /* for a debugger's backtrace */
}

void *__wrap_malloc(size_t size) {
  caught();
  libc_calls += watching;
  return __real_malloc(size);
}
void *__wrap_calloc(size_t count, size_t size) {
  caught();
  libc_calls += watching;
  return __real_calloc(count, size);
}
void *__wrap_realloc(void *ptr, size_t size) {
  caught();
  libc_calls += watching;
  return __real_realloc(ptr, size);
}
void __wrap_free(void *ptr) {
  if (ptr)
    caught();
  libc_calls += watching && ptr;
  __real_free(ptr);
}
int __wrap_posix_memalign(void **out, size_t align, size_t size) {
  caught();
  libc_calls += watching;
  return __real_posix_memalign(out, align, size);
}

/* ---- a counting allocator ---- */

/* Each block starts with a header naming the counter that made it, so a
 * block freed through the wrong allocator (or one from libc) is seen. */
enum { HEADER = 16 };

typedef struct counter {
  size_t calls;    /* alloc and realloc calls */
  size_t allocs, frees, live;
  size_t fail_at;  /* the call that fails (SIZE_MAX: none) */
  size_t failures;
  size_t bad;      /* wrong opaque, foreign block, size 0, NULL freed */
} counter;

static void counter_init(counter *c) {
  memset(c, 0, sizeof *c);
  c->fail_at = SIZE_MAX;
}

static bool fails(counter *c) {
  if (c->calls++ != c->fail_at)
    return false;
  c->failures++;
  return true;
}

static unsigned char *block_of(counter *c, void *ptr) {
  unsigned char *base = (unsigned char *)ptr - HEADER;
  counter *owner;
  memcpy(&owner, base, sizeof owner);
  if (owner != c)
    c->bad++;
  return base;
}

static void *count_alloc(void *opaque, size_t size) {
  counter *c = opaque;
  if (size == 0)
    c->bad++;
  if (fails(c))
    return NULL;
  unsigned char *base = __real_malloc(size + HEADER);
  if (!base)
    return NULL;
  memcpy(base, &c, sizeof c);
  c->allocs++;
  c->live++;
  return base + HEADER;
}

static void *count_realloc(void *opaque, void *ptr, size_t size) {
  counter *c = opaque;
  if (size == 0 || !ptr)
    c->bad++;
  if (fails(c))
    return NULL;
  unsigned char *base = __real_realloc(block_of(c, ptr), size + HEADER);
  return base ? base + HEADER : NULL;
}

static void count_free(void *opaque, void *ptr) {
  counter *c = opaque;
  if (!ptr) {
    c->bad++;
    return;
  }
  c->frees++;
  c->live--;
  __real_free(block_of(c, ptr));
}

static prf_allocator counting(counter *c) {
  prf_allocator a = {count_alloc, count_realloc, count_free, c};
  return a;
}

/* ---- inputs ---- */

typedef struct file_data {
  unsigned char *data;
  size_t size;
} file_data;

static file_data load(const char *path) {
  file_data f = {NULL, 0};
  FILE *fp = fopen(path, "rb");
  assert_non_null(fp);
  size_t cap = 0;
  for (;;) {
    if (f.size == cap) {
      cap = cap ? cap * 2 : 65536;
      f.data = __real_realloc(f.data, cap);
      assert_non_null(f.data);
    }
    size_t n = fread(f.data + f.size, 1, cap - f.size, fp);
    if (n == 0)
      break;
    f.size += n;
  }
  fclose(fp);
  return f;
}

static prf_profile *read_with(const prf_allocator *a, const char *path) {
  file_data f = load(path);
  prf_profile *p = prf_profile_new_with_allocator(a);
  assert_non_null(p);
  prf_error err;
  prf_status st = prf_profile_read_buffer(p, f.data, f.size, NULL, &err);
  __real_free(f.data);
  if (st != PRF_OK)
    fail_msg("%s: %s", path, err.message);
  return p;
}

#define FOLDED "testdata/folded/perf-java-stacks-01-collapsed-all.txt"
#define BEFORE "testdata/folded/inferno__diff-folded__before.txt"
#define AFTER "testdata/folded/inferno__diff-folded__after.txt"
#define PPROF_GZ "testdata/pprof/parca__query__single-stack.pb.gz"
#define PERF "testdata/perf-script/FlameGraph__test__perf-dd-stacks-01.txt"
#define SPEEDSCOPE \
  "testdata/speedscope/speedscope__speedscope__0.1.2__simple-sampled.speedscope.json"
#define CPUPROFILE "testdata/chrome/speedscope__Chrome__65__simple.cpuprofile"
#define TRACE_ARGS "testdata/chrome/speedscope__trace-event__mismatched-args.json"
#define TRACE_SAMPLES "testdata/chrome/speedscope__trace-event__simple-with-samples.json"
#define TRACE_CHUNKS "testdata/chrome/speedscope__Chrome__141__no-arg-data.json"
#define GECKO "testdata/firefox/firefox-profiler__gecko-1.json"
#define PROCESSED "testdata/firefox/firefox-profiler__processed-1.json"
#define SENTRY "testdata/sentry/v2-two-threads.json"
#define SMALL "testdata/folded/perf-js-stacks-01-collapsed-all.txt"
#define SMALL_GZ "testdata/pprof/parca__query__two-stacks.pb.gz"
#define PSTATS "testdata/pstats/app.prof"
#define CALLGRIND \
  "testdata/callgrind/speedscope__callgrind__callgrind.name-compression.log"

/* Writes with every writer a profile has into buffers of its allocator. */
static void write_all(prf_profile *p) {
  static const char *const formats[] = {"folded", "pprof", "speedscope"};
  const prf_allocator *a = prf_profile_allocator(p);
  for (size_t i = 0; i < sizeof formats / sizeof *formats; i++) {
    prf_buffer b;
    prf_buffer_init(&b, a);
    assert_int_equal(prf_profile_write(p, formats[i], prf_buffer_write, &b, NULL), PRF_OK);
    assert_true(b.size > 0);
    prf_buffer_free(&b);
  }
  prf_flame_options fo;
  prf_flame_options_init(&fo);
  for (int reverse = 0; reverse < 2; reverse++) {
    fo.reverse = reverse;
    prf_buffer b;
    prf_buffer_init(&b, a);
    assert_int_equal(prf_svg_write(p, &fo, prf_buffer_write, &b, NULL), PRF_OK);
    prf_buffer_free(&b);
  }
  prf_report_options ro;
  prf_report_options_init(&ro);
  prf_buffer b;
  prf_buffer_init(&b, a);
  assert_int_equal(prf_report_write(p, &ro, prf_buffer_write, &b, NULL), PRF_OK);
  assert_int_equal(prf_info_write(p, prf_buffer_write, &b, NULL), PRF_OK);
  assert_int_equal(prf_top_write(p, NULL, prf_buffer_write, &b, NULL), PRF_OK);
  prf_buffer_free(&b);
}

/* ---- tests ---- */

static void test_everything_goes_through_the_allocator(void **state) {
  (void)state;
  counter c;
  counter_init(&c);
  prf_allocator a = counting(&c);
  watching = 1;
  libc_calls = 0;
  prf_profile *folded = read_with(&a, FOLDED);
  prf_profile *pprof = read_with(&a, PPROF_GZ); /* zlib through the hooks */
  prf_profile *perf = read_with(&a, PERF);
  prf_profile *ss = read_with(&a, SPEEDSCOPE);
  prf_profile *before = read_with(&a, BEFORE);
  prf_profile *after = read_with(&a, AFTER);
  prf_profile *all[] = {folded, pprof, perf, ss};
  for (size_t i = 0; i < sizeof all / sizeof *all; i++)
    write_all(all[i]);

  prf_top top;
  assert_int_equal(prf_top_compute(folded, NULL, &top, NULL), PRF_OK);
  assert_true(top.count > 0);
  prf_top_free(&top);

  prf_diff diff;
  assert_int_equal(prf_diff_compute((const prf_profile *const *)&before, 1,
                                    (const prf_profile *const *)&after, 1,
                                    NULL, &diff, NULL),
                   PRF_OK);
  prf_buffer b;
  prf_buffer_init(&b, &a);
  assert_int_equal(prf_diff_write(&diff, PRF_DIFF_MARKDOWN, 0, 0, prf_buffer_write, &b, NULL), PRF_OK);
  prf_profile *dp = prf_profile_new_with_allocator(&a);
  assert_int_equal(prf_diff_profile((const prf_profile *const *)&before, 1,
                                    (const prf_profile *const *)&after, 1,
                                    NULL, 0, dp, NULL),
                   PRF_OK);
  write_all(dp);
  prf_report_options ro;
  prf_report_options_init(&ro);
  ro.diff = &diff;
  assert_int_equal(prf_report_write(dp, &ro, prf_buffer_write, &b, NULL), PRF_OK);
  prf_buffer_free(&b);
  prf_profile_free(dp);
  prf_profile_free(before); /* the diff outlives its BASE profile */
  prf_diff_free(&diff);
  prf_profile_free(after);

  prf_profile *perf2 = read_with(&a, PERF);
  assert_int_equal(prf_profile_merge(perf, perf2, NULL), PRF_OK);
  prf_profile_free(perf2);
  assert_int_equal(prf_profile_set_granularity(pprof, PRF_GRAN_LINES, 0, NULL), PRF_OK);
  prf_tree *reversed = prf_tree_reversed(prf_profile_tree(folded), NULL);
  assert_non_null(reversed);
  prf_tree_free(reversed);
  assert_int_equal(prf_profile_check(folded, NULL), PRF_OK);

  for (size_t i = 0; i < sizeof all / sizeof *all; i++)
    prf_profile_free(all[i]);
  /* The other readers (their JSON trees are cJSON's: not counted), and
     the call-graph readers (pstats, callgrind) with their rebuilt trees. */
  static const char *const json[] = {CPUPROFILE, TRACE_ARGS, TRACE_SAMPLES,
                                     TRACE_CHUNKS, GECKO, PROCESSED, SENTRY,
                                     PSTATS, CALLGRIND};
  for (size_t i = 0; i < sizeof json / sizeof *json; i++) {
    prf_profile *p = read_with(&a, json[i]);
    prf_buffer out;
    prf_buffer_init(&out, &a);
    assert_int_equal(prf_svg_write(p, NULL, prf_buffer_write, &out, NULL), PRF_OK);
    prf_buffer_free(&out);
    prf_profile_free(p);
  }
  watching = 0;
  assert_int_equal(libc_calls, 0);
  assert_true(c.allocs > 100);
  assert_int_equal(c.live, 0);
  assert_int_equal(c.allocs, c.frees);
  assert_int_equal(c.bad, 0);
}

static void test_buffer_uses_its_allocator(void **state) {
  (void)state;
  counter c;
  counter_init(&c);
  prf_allocator a = counting(&c);
  prf_buffer b;
  prf_buffer_init(&b, &a);
  assert_int_equal(prf_buffer_write(&b, "abc", 3), 0);
  assert_true(c.allocs > 0 && c.live == 1);
  prf_buffer_free(&b);
  assert_int_equal(c.live, 0);
  /* Still usable after prf_buffer_free, with the same allocator. */
  assert_int_equal(prf_buffer_write(&b, "de", 2), 0);
  assert_string_equal((char *)b.data, "de");
  prf_buffer_free(&b);
  assert_int_equal(c.live, 0);
  assert_int_equal(c.bad, 0);
  /* A failing allocator: -1, the contents unchanged. */
  prf_buffer_write(&b, "x", 1);
  c.fail_at = c.calls;
  assert_int_equal(prf_buffer_write(&b, "0123456789abcdefghijklmnopqrstuvwxyz", 36), -1);
  assert_string_equal((char *)b.data, "x");
  prf_buffer_free(&b);
  assert_int_equal(c.live, 0);
}

static void test_allocator_is_copied_and_checked(void **state) {
  (void)state;
  counter c;
  counter_init(&c);
  prf_allocator a = counting(&c);
  prf_profile *p = prf_profile_new_with_allocator(&a);
  assert_non_null(p);
  memset(&a, 0, sizeof a); /* the profile keeps its own copy */
  assert_ptr_equal(prf_profile_allocator(p)->opaque, &c);
  prf_profile_free(p);
  assert_int_equal(c.live, 0);
  /* Some functions but not all: refused. */
  prf_allocator partial = {count_alloc, NULL, count_free, &c};
  assert_null(prf_profile_new_with_allocator(&partial));
  /* NULL and all-NULL: libc. */
  prf_allocator none = {NULL, NULL, NULL, &c};
  p = prf_profile_new_with_allocator(&none);
  assert_non_null(p);
  assert_null(prf_profile_allocator(p)->alloc);
  prf_profile_free(p);
  p = prf_profile_new_with_allocator(NULL);
  assert_non_null(p);
  prf_profile_free(p);
}

/* After reading, computing the top table and writing an SVG: every other
 * writer, a diff of the profile with itself, its table, the differential
 * profile and its report. Each step runs only while all went well. */
static prf_status more_work(prf_profile *p, prf_buffer *out, prf_error *err) {
  static const char *const formats[] = {"folded", "pprof", "speedscope"};
  prf_status st = PRF_OK;
  for (size_t i = 0; i < sizeof formats / sizeof *formats && st == PRF_OK; i++)
    st = prf_profile_write(p, formats[i], prf_buffer_write, out, err);
  if (st == PRF_OK)
    st = prf_report_write(p, NULL, prf_buffer_write, out, err);
  if (st == PRF_OK)
    st = prf_info_write(p, prf_buffer_write, out, err);
  if (st == PRF_OK)
    st = prf_top_write(p, NULL, prf_buffer_write, out, err);
  prf_flame_options fo;
  prf_flame_options_init(&fo);
  fo.reverse = 1;
  if (st == PRF_OK)
    st = prf_svg_write(p, &fo, prf_buffer_write, out, err);
  if (st != PRF_OK)
    return st;
  const prf_profile *runs[] = {p};
  prf_diff diff;
  st = prf_diff_compute(runs, 1, runs, 1, NULL, &diff, err);
  if (st == PRF_OK)
    st = prf_diff_write(&diff, PRF_DIFF_JSON, 0, 0, prf_buffer_write, out, err);
  prf_profile *dp = NULL;
  if (st == PRF_OK && !(dp = prf_profile_new_with_allocator(prf_profile_allocator(p))))
    st = PRF_E_NOMEM;
  if (st == PRF_OK)
    st = prf_diff_profile(runs, 1, runs, 1, NULL, 0, dp, err);
  prf_report_options ro;
  prf_report_options_init(&ro);
  ro.diff = &diff;
  if (st == PRF_OK)
    st = prf_report_write(dp, &ro, prf_buffer_write, out, err);
  prf_profile_free(dp);
  prf_diff_free(&diff);
  return st;
}

/* Reads path, computes the top table and writes an SVG (and does
 * more_work when asked) with allocation number fail_at failing. Returns
 * whether anything failed; every failure must be PRF_E_NOMEM and leave
 * nothing allocated. */
static bool run_failing(const file_data *f, size_t fail_at, bool more) {
  counter c;
  counter_init(&c);
  c.fail_at = fail_at;
  prf_allocator a = counting(&c);
  prf_profile *p = prf_profile_new_with_allocator(&a);
  prf_status st = p ? PRF_OK : PRF_E_NOMEM;
  prf_error err;
  prf_error_clear(&err);
  if (st == PRF_OK)
    st = prf_profile_read_buffer(p, f->data, f->size, NULL, &err);
  prf_top top;
  memset(&top, 0, sizeof top);
  if (st == PRF_OK)
    st = prf_top_compute(p, NULL, &top, &err);
  prf_top_free(&top);
  prf_buffer out = {0}; /* libc: only the library's allocations fail */
  prf_flame_options fo;
  prf_flame_options_init(&fo);
  if (st == PRF_OK)
    st = prf_svg_write(p, &fo, prf_buffer_write, &out, &err);
  if (st == PRF_OK && more)
    st = more_work(p, &out, &err);
  prf_buffer_free(&out);
  prf_profile_free(p);
  if (c.failures == 0) {
    assert_int_equal(st, PRF_OK);
  } else if (st == PRF_OK) { /* e.g. a piece of output silently left out */
    fail_msg("allocation %zu failed, yet the calls succeeded", fail_at);
  } else if (st != PRF_E_NOMEM) {
    fail_msg("allocation %zu failed: status %d (%s), expected PRF_E_NOMEM",
             fail_at, (int)st, err.message);
  }
  if (c.live != 0)
    fail_msg("allocation %zu failed: %zu blocks not freed", fail_at, c.live);
  assert_int_equal(c.bad, 0);
  return c.failures != 0;
}

static void fail_each_allocation(const char *path, bool more) {
  file_data f = load(path);
  size_t n = 0;
  while (run_failing(&f, n, more)) {
    n++;
    if (n > 5000)
      fail_msg("%s: still failing after 5000 allocations", path);
  }
  assert_true(n > 10); /* the loop did reach the work */
  __real_free(f.data);
}

static void test_each_failing_allocation_is_clean(void **state) {
  (void)state;
  fail_each_allocation(SMALL, false);
}

static void test_each_failing_allocation_is_clean_gzip(void **state) {
  (void)state;
  fail_each_allocation(SMALL_GZ, false); /* pprof through zlib's hooks */
}

static void test_each_failing_allocation_is_clean_other_readers(void **state) {
  (void)state;
  static const char *const inputs[] = {PERF,   CPUPROFILE, TRACE_ARGS,
                                       TRACE_SAMPLES, GECKO, PROCESSED,
                                       SENTRY, SPEEDSCOPE, PSTATS, CALLGRIND};
  for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++)
    fail_each_allocation(inputs[i], false);
}

static void test_each_failing_allocation_is_clean_writers(void **state) {
  (void)state;
  fail_each_allocation(SMALL, true);
}

/* A failed test leaves by longjmp, perhaps still watching. */
static int stop_watching(void **state) {
  (void)state;
  watching = 0;
  return 0;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_teardown(test_everything_goes_through_the_allocator, stop_watching),
      cmocka_unit_test_teardown(test_buffer_uses_its_allocator, stop_watching),
      cmocka_unit_test_teardown(test_allocator_is_copied_and_checked, stop_watching),
      cmocka_unit_test_teardown(test_each_failing_allocation_is_clean, stop_watching),
      cmocka_unit_test_teardown(test_each_failing_allocation_is_clean_gzip, stop_watching),
      cmocka_unit_test_teardown(test_each_failing_allocation_is_clean_other_readers, stop_watching),
      cmocka_unit_test_teardown(test_each_failing_allocation_is_clean_writers, stop_watching),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
