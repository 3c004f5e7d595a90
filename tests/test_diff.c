/* Unit tests of the release comparison (lib/diff.c): the statistics on
 * profiles drawn by a seeded random sampler, so the gate's false-alarm
 * rate and its power are measured, not assumed; and the p-values against
 * values computed independently (the normal and Student t tails). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NFUNCS = 40, SAMPLES = 10000 };
/* The issue asks for rates over at least 200 pairs; 2000 make the
   measured rates close to the true ones (a binomial standard error of
   about 0.2 percentage points at 1%). */
#ifndef TRIALS
#define TRIALS 2000
#endif

/* A profile shape: a few hot functions and a long tail, as real CPU
 * profiles have. f1 holds 10%, the function the power test grows
 * (its probability goes from 10% to 12%). */
static void shape(double *w) {
  static const double head[] = {0.30, 0.10, 0.04, 0.03, 0.03};
  double tail = 1;
  for (size_t i = 0; i < 5; i++) {
    w[i] = head[i];
    tail -= head[i];
  }
  for (size_t i = 5; i < NFUNCS; i++)
    w[i] = tail / (NFUNCS - 5);
}

static uint64_t next_random(uint64_t *s) { /* xorshift64* */
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * 2685821657736338717ULL;
}

/* A profile of n samples drawn from the weights: main;fJ stacks. */
static prf_profile *draw(const double *w, size_t n, uint64_t *rng) {
  double cum[NFUNCS], sum = 0;
  for (size_t i = 0; i < NFUNCS; i++)
    cum[i] = (sum += w[i]);
  double counts[NFUNCS] = {0};
  for (size_t k = 0; k < n; k++) {
    double u = (double)(next_random(rng) >> 11) / 9007199254740992.0 * sum;
    size_t lo = 0, hi = NFUNCS - 1;
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (cum[mid] > u)
        hi = mid;
      else
        lo = mid + 1;
    }
    counts[lo]++;
  }
  prf_profile *p = prf_profile_new();
  assert_non_null(p);
  size_t col;
  assert_int_equal(prf_value_add(p, "samples", "count", &col), PRF_OK);
  prf_frame fr;
  memset(&fr, 0, sizeof fr);
  prf_fid main_fid;
  assert_int_equal(prf_string_intern(p, "main", 4, &fr.name), PRF_OK);
  assert_int_equal(prf_frame_intern(p, &fr, &main_fid), PRF_OK);
  for (size_t i = 0; i < NFUNCS; i++) {
    if (counts[i] == 0)
      continue;
    char name[16];
    snprintf(name, sizeof name, "f%zu", i);
    prf_fid stack[2] = {main_fid, 0};
    assert_int_equal(prf_string_intern(p, name, strlen(name), &fr.name), PRF_OK);
    assert_int_equal(prf_frame_intern(p, &fr, &stack[1]), PRF_OK);
    assert_int_equal(prf_stack_add(p, stack, 2, &counts[i], NULL), PRF_OK);
  }
  return p;
}

/* Runs the gate on TRIALS pairs (runs profiles a side, samples each); the
 * new side's f1 grows by growth (0: the same distribution). Returns the
 * number of trials with a regression; *named counts those where f1 was
 * the (only) regression. */
static int trials(double growth, size_t runs, size_t samples, uint64_t seed,
                  int *named) {
  double base_w[NFUNCS], new_w[NFUNCS];
  shape(base_w);
  shape(new_w);
  /* f1's probability grows by growth; the others shrink in proportion */
  double f1 = base_w[1] * (1 + growth);
  for (size_t i = 0; i < NFUNCS; i++)
    new_w[i] = i == 1 ? f1 : base_w[i] * (1 - f1) / (1 - base_w[1]);
  uint64_t rng = seed;
  int flagged = 0;
  *named = 0;
  for (int t = 0; t < TRIALS; t++) {
    prf_profile *b[8], *n[8];
    for (size_t r = 0; r < runs; r++) {
      b[r] = draw(base_w, samples, &rng);
      n[r] = draw(new_w, samples, &rng);
    }
    prf_diff d;
    prf_error err;
    assert_int_equal(prf_diff_compute((const prf_profile *const *)b, runs,
                                      (const prf_profile *const *)n, runs,
                                      NULL, &d, &err),
                     PRF_OK);
    if (d.regressions) {
      flagged++;
      for (size_t i = 0; i < d.count; i++)
        if (d.rows[i].verdict == PRF_DIFF_REGRESSION &&
            strcmp(d.rows[i].function, "f1") == 0 && d.regressions == 1)
          (*named)++;
    }
    prf_diff_free(&d);
    for (size_t r = 0; r < runs; r++) {
      prf_profile_free(b[r]);
      prf_profile_free(n[r]);
    }
  }
  return flagged;
}

/* The bar: over many pairs from one distribution the gate fails
 * below 1% of the time; a 20% growth of a function holding 10% of the
 * samples is caught in at least 95% of the trials, 10,000 samples each. */
static void test_false_alarms_one_run(void **state) {
  (void)state;
  int named;
  int fp = trials(0, 1, SAMPLES, 0x9E3779B97F4A7C15ULL, &named);
  printf("# one profile a side, same distribution: %d of %d pairs flagged (%.1f%%)\n",
         fp, TRIALS, 100.0 * fp / TRIALS);
  assert_true(fp * 100 < TRIALS); /* below 1% */
}

static void test_power_one_run(void **state) {
  (void)state;
  int named;
  int hits = trials(0.20, 1, SAMPLES, 0xD1B54A32D192ED03ULL, &named);
  printf("# one profile a side, f1 (10%%) grown 20%%: %d of %d caught (%.1f%%), "
         "%d naming f1 alone\n",
         hits, TRIALS, 100.0 * hits / TRIALS, named);
  assert_true(hits * 100 >= 95 * TRIALS);
  assert_true(named * 100 >= 95 * TRIALS);
}

/* Several runs a side: Welch's t-test on the per-run shares. */
static void test_false_alarms_runs(void **state) {
  (void)state;
  int named;
  int fp = trials(0, 5, SAMPLES / 5, 0x2545F4914F6CDD1DULL, &named);
  printf("# 5 runs a side, same distribution: %d of %d flagged (%.1f%%)\n", fp,
         TRIALS, 100.0 * fp / TRIALS);
  assert_true(fp * 100 < TRIALS);
}

static void test_power_runs(void **state) {
  (void)state;
  int named;
  int hits = trials(0.50, 5, SAMPLES / 5, 0x853C49E6748FEA9BULL, &named);
  printf("# 5 runs a side, f1 grown 50%%: %d of %d caught (%.1f%%)\n", hits,
         TRIALS, 100.0 * hits / TRIALS);
  assert_true(hits * 100 >= 90 * TRIALS);
}

/* A profile of "hot" and "rest" with these sample counts. */
static prf_profile *two_functions(double hot, double rest) {
  prf_profile *p = prf_profile_new();
  assert_non_null(p);
  size_t col;
  assert_int_equal(prf_value_add(p, "samples", "count", &col), PRF_OK);
  const char *names[] = {"hot", "rest"};
  double values[] = {hot, rest};
  for (size_t i = 0; i < 2; i++) {
    prf_frame fr;
    memset(&fr, 0, sizeof fr);
    prf_fid f;
    assert_int_equal(prf_string_intern(p, names[i], strlen(names[i]), &fr.name), PRF_OK);
    assert_int_equal(prf_frame_intern(p, &fr, &f), PRF_OK);
    assert_int_equal(prf_stack_add(p, &f, 1, &values[i], NULL), PRF_OK);
  }
  return p;
}

/* The p-values of a hand-made pair against independently computed ones:
 * 1000 vs 1200 of 10,000 samples: z = 4.3529..., one-sided p = P(Z > z);
 * shares and changes exact. */
static void test_two_proportions(void **state) {
  (void)state;
  prf_profile *b = two_functions(1000, 9000), *n = two_functions(1200, 8800);
  prf_diff d;
  prf_error err;
  assert_int_equal(prf_diff_compute((const prf_profile *const *)&b, 1,
                                    (const prf_profile *const *)&n, 1, NULL,
                                    &d, &err),
                   PRF_OK);
  assert_int_equal(d.count, 2);
  if (strcmp(d.rows[0].function, "hot") != 0) { /* |change| ties: any order */
    prf_diff_row tmp = d.rows[0];
    d.rows[0] = d.rows[1];
    d.rows[1] = tmp;
  }
  assert_string_equal(d.rows[0].function, "hot");
  assert_string_equal(d.rows[1].function, "rest");
  double pooled = 0.11, se = sqrt(pooled * (1 - pooled) * 2 / 10000);
  double z = 0.02 / se;
  assert_true(fabs(d.rows[0].delta_pp - 2) < 1e-9);
  assert_true(fabs(d.rows[0].relative - 0.2) < 1e-9);
  assert_true(fabs(d.rows[0].p_value - 0.5 * erfc(z / sqrt(2))) < 1e-12);
  assert_int_equal(d.rows[0].verdict, PRF_DIFF_REGRESSION);
  assert_int_equal(d.rows[1].verdict, PRF_DIFF_SAME); /* -2pp is -2.2% */
  assert_int_equal(d.regressions, 1);
  prf_diff_free(&d);
  /* the same with a 30% threshold: not a regression */
  prf_diff_options o;
  prf_diff_options_init(&o);
  o.threshold = 0.30;
  assert_int_equal(prf_diff_compute((const prf_profile *const *)&b, 1,
                                    (const prf_profile *const *)&n, 1, &o,
                                    &d, &err),
                   PRF_OK);
  assert_int_equal(d.regressions, 0);
  prf_diff_free(&d);
  prf_profile_free(b);
  prf_profile_free(n);
}

/* ---- function identity across releases ---- */

/* A release of an app: main.main calls main.work and other, main.work
 * calls memcpy in libc and memcpy in libfoo (a NULL libfoo leaves that
 * one out). counts: the samples that end in main.work, libc's memcpy,
 * libfoo's memcpy and other. */
static prf_profile *release(const char *app, const char *libfoo,
                            const double counts[4]) {
  static const char libc[] = "/usr/lib/x86_64-linux-gnu/libc.so.6";
  const struct {
    const char *name, *module, *file;
    uint32_t line;
  } fns[] = {{"main.main", app, "main.c", 10},
             {"main.work", app, "main.c", 20},
             {"memcpy", libc, "memmove-vec.S", 300},
             {"memcpy", libfoo, "", 0}, /* no line: the same at any granularity */
             {"other", app, "main.c", 30}};
  static const prf_fid paths[4][3] = {{0, 1}, {0, 1, 2}, {0, 1, 3}, {0, 4}};
  static const size_t depths[4] = {2, 3, 3, 2};
  prf_profile *p = prf_profile_new();
  assert_non_null(p);
  size_t col;
  assert_int_equal(prf_value_add(p, "samples", "count", &col), PRF_OK);
  prf_fid fid[5];
  for (size_t i = 0; i < 5; i++) {
    prf_frame fr;
    memset(&fr, 0, sizeof fr);
    const char *module = fns[i].module ? fns[i].module : "";
    assert_int_equal(prf_string_intern(p, fns[i].name, strlen(fns[i].name), &fr.name), PRF_OK);
    assert_int_equal(prf_string_intern(p, module, strlen(module), &fr.module), PRF_OK);
    assert_int_equal(prf_string_intern(p, fns[i].file, strlen(fns[i].file), &fr.file), PRF_OK);
    fr.line = fns[i].line;
    assert_int_equal(prf_frame_intern(p, &fr, &fid[i]), PRF_OK);
  }
  for (size_t s = 0; s < 4; s++) {
    if (s == 2 && !libfoo)
      continue;
    prf_fid stack[3];
    for (size_t d = 0; d < depths[s]; d++)
      stack[d] = fid[paths[s][d]];
    assert_int_equal(prf_stack_add(p, stack, depths[s], &counts[s], NULL), PRF_OK);
  }
  return p;
}

/* The row of a function, NULL if the diff has none. */
static const prf_diff_row *find_row(const prf_diff *d, const char *function) {
  for (size_t i = 0; i < d->count; i++)
    if (strcmp(d->rows[i].function, function) == 0)
      return &d->rows[i];
  return NULL;
}

static void diff_pair(prf_profile *b, prf_profile *n, prf_diff *d) {
  prf_error err;
  assert_int_equal(prf_diff_compute((const prf_profile *const *)&b, 1,
                                    (const prf_profile *const *)&n, 1, NULL,
                                    d, &err),
                   PRF_OK);
}

static void assert_shares(const prf_diff_row *r, double base_self,
                          double new_self) {
  assert_non_null(r);
  assert_true(fabs(r->base_self - base_self) < 1e-12);
  assert_true(fabs(r->new_self - new_self) < 1e-12);
}

/* app v1 and v2, libfoo 1 and 2: libc's memcpy grows from 10% to 20% of
 * the samples, other shrinks from 50% to 40%. */
static void two_releases(prf_profile **b, prf_profile **n) {
  static const double base_counts[4] = {3000, 1000, 1000, 5000};
  static const double new_counts[4] = {3000, 2000, 1000, 4000};
  *b = release("/opt/app/bin/app-v1", "/opt/lib/libfoo.so.1", base_counts);
  *n = release("/opt/app/bin/app-v2", "/opt/lib/libfoo.so.2", new_counts);
}

/* memcpy lives in libc and in libfoo: two functions, told apart by
 * module (without directory or library version, which change between
 * releases); libc's grows from 10% to 20%, libfoo's stays at 10%. A name
 * in one module only is matched by name, though the binary was renamed
 * (app-v1, app-v2). */
static void test_module_identity(void **state) {
  (void)state;
  prf_profile *b, *n;
  two_releases(&b, &n);
  prf_diff d;
  diff_pair(b, n, &d);
  for (size_t i = 0; i < d.count; i++)
    printf("# %-20s %6.2f%% -> %6.2f%%\n", d.rows[i].function,
           d.rows[i].base_self * 100, d.rows[i].new_self * 100);
  /* main.main, main.work, the two memcpy, other: nothing twice */
  assert_int_equal(d.count, 5);
  const prf_diff_row *libc = find_row(&d, "memcpy [libc.so]");
  assert_shares(libc, 0.1, 0.2);
  assert_int_equal(libc->verdict, PRF_DIFF_REGRESSION);
  const prf_diff_row *libfoo = find_row(&d, "memcpy [libfoo.so]");
  assert_shares(libfoo, 0.1, 0.1);
  assert_int_equal(libfoo->verdict, PRF_DIFF_SAME);
  assert_null(find_row(&d, "memcpy"));
  const prf_diff_row *work = find_row(&d, "main.work");
  assert_shares(work, 0.3, 0.3);
  assert_true(fabs(work->base_total - 0.5) < 1e-12);
  assert_true(fabs(work->new_total - 0.6) < 1e-12);
  assert_int_equal(work->verdict, PRF_DIFF_SAME);
  assert_shares(find_row(&d, "other"), 0.5, 0.4);
  assert_int_equal(d.regressions, 1);
  prf_diff_free(&d);
  prf_profile_free(b);
  prf_profile_free(n);
}

/* A name that one run finds in two modules is told apart in every run:
 * NEW's memcpy, in libc alone, is still "memcpy [libc.so]", whichever
 * side has the second module. */
static void test_module_identity_one_run(void **state) {
  (void)state;
  static const double two[4] = {3000, 1000, 1000, 5000};
  static const double one[4] = {3000, 2000, 0, 5000};
  prf_profile *b = release("/opt/app/bin/app-v1", "/opt/lib/libfoo.so.1", two);
  prf_profile *n = release("/opt/app/bin/app-v2", NULL, one);
  prf_diff d;
  diff_pair(b, n, &d);
  assert_int_equal(d.count, 5);
  assert_shares(find_row(&d, "memcpy [libc.so]"), 0.1, 0.2);
  assert_shares(find_row(&d, "memcpy [libfoo.so]"), 0.1, 0);
  assert_null(find_row(&d, "memcpy"));
  prf_diff_free(&d);
  diff_pair(n, b, &d);
  assert_int_equal(d.count, 5);
  assert_shares(find_row(&d, "memcpy [libc.so]"), 0.2, 0.1);
  assert_shares(find_row(&d, "memcpy [libfoo.so]"), 0, 0.1);
  prf_diff_free(&d);
  prf_profile_free(b);
  prf_profile_free(n);
}

/* --match lines: the CLI sets the lines granularity first. Functions are
 * then "name file:line"; libc's memcpy has its own name, so libfoo's
 * (no file) is plain "memcpy": the frames the granularity left out of the
 * tree (libc's "memcpy") do not split it. */
static void test_module_identity_lines(void **state) {
  (void)state;
  prf_profile *b, *n;
  two_releases(&b, &n);
  prf_error err;
  assert_int_equal(prf_profile_set_granularity(b, PRF_GRAN_LINES, 0, &err), PRF_OK);
  assert_int_equal(prf_profile_set_granularity(n, PRF_GRAN_LINES, 0, &err), PRF_OK);
  prf_diff d;
  diff_pair(b, n, &d);
  assert_int_equal(d.count, 5);
  const prf_diff_row *libc = find_row(&d, "memcpy memmove-vec.S:300");
  assert_shares(libc, 0.1, 0.2);
  assert_int_equal(libc->verdict, PRF_DIFF_REGRESSION);
  assert_shares(find_row(&d, "memcpy"), 0.1, 0.1);
  assert_shares(find_row(&d, "main.work main.c:20"), 0.3, 0.3);
  prf_diff_free(&d);
  prf_profile_free(b);
  prf_profile_free(n);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_two_proportions),
      cmocka_unit_test(test_module_identity),
      cmocka_unit_test(test_module_identity_one_run),
      cmocka_unit_test(test_module_identity_lines),
      cmocka_unit_test(test_false_alarms_one_run),
      cmocka_unit_test(test_power_one_run),
      cmocka_unit_test(test_false_alarms_runs),
      cmocka_unit_test(test_power_runs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
