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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_two_proportions),
      cmocka_unit_test(test_false_alarms_one_run),
      cmocka_unit_test(test_power_one_run),
      cmocka_unit_test(test_false_alarms_runs),
      cmocka_unit_test(test_power_runs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
