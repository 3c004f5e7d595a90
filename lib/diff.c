/*
 * diff.c - comparing two releases. For every function: its share of each
 * profile's total in BASE and in NEW (self and total, pprof's flat and
 * cum), the change, a one-sided test of that change, and the verdict of
 * the CI gate; and the differential profile a flame graph draws.
 *
 * The statistics, in plain words (README.md, "Comparing releases"):
 * - One profile per side: a sample either has the function (on top of
 *   the stack for self, anywhere for total) or not, so its share is a
 *   proportion of the sample count; two-proportion z-test.
 * - Several runs per side: Welch's t-test on the per-run shares.
 * - A function regresses when its share grew by at least min_change
 *   percentage points AND by threshold relative AND the growth is
 *   significant. Many functions are tested at once, in both directions
 *   (regressions and improvements); to keep the chance of any false
 *   verdict in the whole profile below p_value, each function is tested
 *   at a level alpha* chosen so that the sum over functions of
 *   min(alpha*, c_j) equals p_value / 2 (one half per direction), where
 *   c_j is the chance that
 *   function j passes the two practical thresholds by noise alone (under
 *   "no change", from its pooled share). A Bonferroni correction would
 *   use alpha* = p_value / 2m; functions that noise cannot push over the
 *   thresholds (c_j tiny) use up almost none of the budget, so the
 *   functions that matter get a level close to p_value. The union bound
 *   keeps the family-wise false alarm rate at most p_value. alpha* never
 *   exceeds p_value: every regression is significant at p_value itself.
 */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void prf_diff_options_init(prf_diff_options *o) {
  memset(o, 0, sizeof *o);
  o->metric = PRF_DIFF_SELF;
  o->min_change = 1;
  o->threshold = 0.10;
  o->p_value = 0.01;
  o->column = SIZE_MAX;
}

/* ---- distributions ---- */

/* P(Z > z) for a standard normal Z. */
static double normal_sf(double z) { return 0.5 * erfc(z / sqrt(2.0)); }

/* The continued fraction of the incomplete beta function (modified
 * Lentz), for x < (a + 1) / (a + b + 2). */
static double beta_cf(double a, double b, double x) {
  const double tiny = 1e-300;
  double c = 1, d = 1 - (a + b) * x / (a + 1);
  if (fabs(d) < tiny)
    d = tiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= 300; m++) {
    double m2 = 2.0 * m;
    double num = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
    d = 1 + num * d;
    c = 1 + num / c;
    d = 1 / (fabs(d) < tiny ? tiny : d);
    c = fabs(c) < tiny ? tiny : c;
    h *= d * c;
    num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
    d = 1 + num * d;
    c = 1 + num / c;
    d = 1 / (fabs(d) < tiny ? tiny : d);
    c = fabs(c) < tiny ? tiny : c;
    double step = d * c;
    h *= step;
    if (fabs(step - 1) < 1e-15)
      break;
  }
  return h;
}

/* The regularised incomplete beta function I_x(a, b). */
static double beta_inc(double a, double b, double x) {
  if (x <= 0)
    return 0;
  if (x >= 1)
    return 1;
  double front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) +
                     b * log1p(-x));
  if (x < (a + 1) / (a + b + 2))
    return front * beta_cf(a, b, x) / a;
  return 1 - front * beta_cf(b, a, 1 - x) / b;
}

/* P(T > t) for Student's t with df degrees of freedom. */
static double student_sf(double t, double df) {
  double tail = 0.5 * beta_inc(df / 2, 0.5, df / (df + t * t));
  return t >= 0 ? tail : 1 - tail;
}

/* ---- per-run shares ---- */

typedef struct run_data {
  prf_top top;
  double samples; /* the sample count the shares are proportions of */
} run_data;

/* The number of samples behind a run's values: the values themselves when
 * they are counts; else a column of counts beside them (pprof CPU
 * profiles: samples/count next to cpu/nanoseconds); else the samples
 * recorded one by one (timed formats); else the values. */
static double sample_basis(const prf_profile *p, size_t column, double total) {
  const char *unit = prf_value_unit(p, column);
  if (!*unit || strcmp(unit, "count") == 0 || strcmp(unit, "samples") == 0)
    return total;
  const prf_tree *t = prf_profile_tree_const(p);
  for (size_t c = 0; c < prf_value_count(p); c++) {
    if (strcmp(prf_value_unit(p, c), "count") != 0)
      continue;
    double n = 0;
    for (size_t i = 0; i < prf_tree_stack_count(t); i++)
      n += fabs(prf_tree_self(t, prf_tree_stack(t, i), c));
    if (n > 0)
      return n;
  }
  size_t n = prf_sample_count(p), counted = 0;
  for (size_t i = 0; i < n; i++)
    counted += prf_sample_get(p, i)->leaf != 0 &&
               prf_sample_values(p, i)[column] != 0;
  return counted ? (double)counted : total;
}

/* ---- function identity across releases ---- */

/* Functions are matched by name, but a name that one run finds in two
 * modules (memcpy in libc and in the binary) is two functions: such a
 * name is told apart by module in every run. Other names are not, so a
 * binary renamed between releases (app-v1, app-v2; Go's builds in
 * temporary directories) does not break the match. */
typedef struct identity {
  prf_strtab names; /* id -> the function as the table shows it */
  uint8_t *split;   /* by id of a name: told apart by module */
  size_t split_cap;
  prf_buf buf;      /* scratch for "name [module]" */
  const prf_allocator *mem;
} identity;

/* What a diff keeps: its functions' names, and a copy of the allocator
 * they came from that lives as long as they do. */
typedef struct kept_names {
  prf_allocator mem;
  prf_strtab names;
} kept_names;

/* A frame's module as two releases share it: the file name without its
 * directory, and a shared library without its version ("libc.so.6" ->
 * "libc.so"), as an upgrade changes it. */
static const char *module_key(const prf_profile *p, prf_str module,
                              size_t *len) {
  size_t n;
  const char *s = prf_string(p, module, &n);
  size_t start = n;
  while (start > 0 && s[start - 1] != '/' && s[start - 1] != '\\')
    start--;
  s += start;
  n -= start;
  size_t end = n; /* before the ".6" or ".1.2.3" groups at the end */
  for (;;) {
    size_t i = end;
    while (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9')
      i--;
    if (i == end || i < 2 || s[i - 1] != '.')
      break;
    end = i - 1;
  }
  if (end < n && end >= 3 && memcmp(s + end - 3, ".so", 3) == 0)
    n = end;
  *len = n;
  return s;
}

static bool same_module(const prf_profile *p, prf_str a, prf_str b) {
  if (a == b)
    return true;
  size_t la, lb;
  const char *ka = module_key(p, a, &la), *kb = module_key(p, b, &lb);
  return la == lb && memcmp(ka, kb, la) == 0;
}

/* Marks the names that run p finds in frames of two modules. Only the
 * frames on its tree count: a filter or a granularity leaves others in
 * the frame table. */
static bool find_split(identity *ids, const prf_profile *p) {
  const prf_allocator *mem = ids->mem;
  const prf_tree *t = prf_profile_tree_const(p);
  /* name -> a frame of it with a module, + 1; UINT32_MAX: split */
  uint32_t *first = prf_mem_calloc(mem, p->strings.count ? p->strings.count : 1,
                                   sizeof *first);
  if (!first)
    return false;
  bool ok = true;
  for (size_t n = 1; ok && n < t->count; n++) {
    prf_fid f = t->nodes[n].frame;
    const prf_frame *fr = prf_frame_get(p, f);
    uint32_t *seen = &first[fr->name];
    if (*seen == UINT32_MAX || *seen == f + 1)
      continue; /* split already, or this very frame again */
    size_t klen;
    module_key(p, fr->module, &klen);
    if (klen == 0)
      continue; /* no module: nothing to tell it apart by */
    if (!*seen) {
      *seen = f + 1;
      continue;
    }
    if (same_module(p, prf_frame_get(p, *seen - 1)->module, fr->module))
      continue;
    *seen = UINT32_MAX;
    size_t len;
    const char *name = prf_string(p, fr->name, &len);
    prf_str id;
    size_t cap = ids->split_cap;
    ok = prf_strtab_intern(&ids->names, name, len, &id) &&
         prf_grow(mem, (void **)&ids->split, &cap, (size_t)id + 1, 1);
    if (ok) {
      memset(ids->split + ids->split_cap, 0, cap - ids->split_cap);
      ids->split_cap = cap;
      ids->split[id] = 1;
    }
  }
  prf_mem_free(mem, first);
  return ok;
}

/* The identity of a frame: its name, and for a split name its module. */
static bool identity_of(identity *ids, const prf_profile *p,
                        const prf_frame *fr, prf_str *out) {
  size_t len, klen;
  const char *name = prf_string(p, fr->name, &len);
  if (!prf_strtab_intern(&ids->names, name, len, out))
    return false;
  if (*out >= ids->split_cap || !ids->split[*out])
    return true;
  const char *key = module_key(p, fr->module, &klen);
  if (klen == 0)
    return true;
  ids->buf.len = 0;
  prf_buf_put(&ids->buf, name, len);
  prf_buf_put(&ids->buf, " [", 2);
  prf_buf_put(&ids->buf, key, klen);
  prf_buf_putc(&ids->buf, ']');
  return !ids->buf.failed &&
         prf_strtab_intern(&ids->names, ids->buf.data, ids->buf.len, out);
}

/* A run's flat and cum per function identity (pprof's -top values, every
 * function kept): each row's name is its id in ids->names. */
static prf_status load_run(const prf_profile *p, const prf_diff_options *o,
                           identity *ids, run_data *r, prf_error *err) {
  const prf_allocator *mem = ids->mem;
  const prf_tree *t = prf_profile_tree_const(p);
  size_t nframes = prf_frame_count(p);
  uint32_t *row_of =
      prf_mem_alloc(mem, (nframes ? nframes : 1) * sizeof *row_of);
  prf_keymap rows = {0}; /* identity -> row + 1 */
  prf_str *func = NULL;  /* row -> identity */
  size_t func_cap = 0;
  bool ok = row_of != NULL;
  if (ok)
    memset(row_of, 0xFF, (nframes ? nframes : 1) * sizeof *row_of);
  for (size_t n = 1; ok && n < t->count; n++) {
    prf_fid f = t->nodes[n].frame;
    if (row_of[f] != UINT32_MAX)
      continue;
    prf_str id;
    bool fresh = false;
    uint32_t row = identity_of(ids, p, prf_frame_get(p, f), &id)
                       ? prf_keymap_id(mem, &rows, id, &fresh)
                       : 0;
    ok = row && (!fresh ||
                 prf_grow(mem, (void **)&func, &func_cap, row, sizeof *func));
    if (ok) {
      func[row - 1] = id;
      row_of[f] = row - 1;
    }
  }
  prf_status st = ok ? prf_top_grouped(p, o->column, row_of, rows.count, &r->top, err)
                     : prf_fail(err, PRF_E_NOMEM, "out of memory comparing profiles");
  for (size_t i = 0; st == PRF_OK && i < r->top.count; i++)
    r->top.rows[i].name = func[i];
  if (st == PRF_OK)
    r->samples = sample_basis(p, r->top.column, r->top.total);
  prf_mem_free(mem, row_of);
  prf_mem_free(mem, func);
  prf_keymap_free(mem, &rows);
  return st;
}

/* ---- the table ---- */

typedef struct func_stats {
  double *self, *total; /* per run (base runs, then new runs): shares */
} func_stats;

static int row_cmp(const void *a, const void *b) {
  const prf_diff_row *x = a, *y = b;
  double dx = fabs(x->delta_pp), dy = fabs(y->delta_pp);
  if (dx != dy)
    return dx > dy ? -1 : 1;
  return strcmp(x->function, y->function);
}

static void mean_var(const double *v, size_t n, double *mean, double *var) {
  double s = 0;
  for (size_t i = 0; i < n; i++)
    s += v[i];
  *mean = n ? s / (double)n : 0;
  double q = 0;
  for (size_t i = 0; i < n; i++)
    q += (v[i] - *mean) * (v[i] - *mean);
  *var = n > 1 ? q / (double)(n - 1) : 0;
}

/* The level alpha* in [0, budget] with sum_j min(alpha*, c_j) = budget
 * (budget itself when the c_j already sum to less). */
static double water_level(const double *c, size_t n, double budget) {
  double sum = 0;
  for (size_t i = 0; i < n; i++)
    sum += c[i];
  if (sum <= budget)
    return budget;
  double lo = 0, hi = budget;
  for (int it = 0; it < 100; it++) {
    double mid = (lo + hi) / 2, s = 0;
    for (size_t i = 0; i < n; i++)
      s += c[i] < mid ? c[i] : mid;
    if (s > budget)
      hi = mid;
    else
      lo = mid;
  }
  return lo;
}

/* Test statistics of one function: the change of the mean share, the
 * one-sided p-values of growth and shrinkage, and the chance (under no
 * change) of a change past the practical thresholds either way. */
typedef struct test_result {
  double base, next, delta, p_up, p_down, c;
} test_result;

static test_result test_one(const double *b, size_t nb, const double *n,
                            size_t nn, const double *samples_b,
                            const double *samples_n, const prf_diff_options *o) {
  test_result r;
  double se, df = 0;
  if (nb >= 2 && nn >= 2) { /* Welch */
    double vb, vn;
    mean_var(b, nb, &r.base, &vb);
    mean_var(n, nn, &r.next, &vn);
    double qb = vb / (double)nb, qn = vn / (double)nn;
    se = sqrt(qb + qn);
    if (se > 0)
      df = (qb + qn) * (qb + qn) /
           (qb * qb / (double)(nb - 1) + qn * qn / (double)(nn - 1));
  } else { /* pooled counts, two proportions */
    double xb = 0, sb = 0, xn = 0, sn = 0;
    for (size_t i = 0; i < nb; i++) {
      xb += b[i] * samples_b[i];
      sb += samples_b[i];
    }
    for (size_t i = 0; i < nn; i++) {
      xn += n[i] * samples_n[i];
      sn += samples_n[i];
    }
    r.base = sb > 0 ? xb / sb : 0;
    r.next = sn > 0 ? xn / sn : 0;
    double pooled = sb + sn > 0 ? (xb + xn) / (sb + sn) : 0;
    se = sb > 0 && sn > 0 ? sqrt(pooled * (1 - pooled) * (1 / sb + 1 / sn)) : 0;
  }
  r.delta = r.next - r.base;
  if (!(se > 0)) { /* no noise: any change is certain */
    r.p_up = r.delta > 0 ? 0 : 1;
    r.p_down = r.delta < 0 ? 0 : 1;
    r.c = 0;
    return r;
  }
  double stat = r.delta / se;
  double mid = (r.base + r.next) / 2;
  /* new/base - 1 >= threshold with base = mid - delta/2, new = mid + delta/2 */
  double needed =
      fmax(o->min_change / 100, o->threshold * mid / (1 + o->threshold / 2)) / se;
  if (df > 0) {
    r.p_up = student_sf(stat, df);
    r.p_down = student_sf(-stat, df);
    r.c = student_sf(needed, df);
  } else {
    r.p_up = normal_sf(stat);
    r.p_down = normal_sf(-stat);
    r.c = normal_sf(needed);
  }
  return r;
}

static bool passes(double base, double next, const prf_diff_options *o,
                   bool growth) {
  double delta = (next - base) * 100;
  if (growth)
    return delta >= o->min_change &&
           (base > 0 ? next / base - 1 >= o->threshold : next > 0);
  return -delta >= o->min_change && base > 0 && 1 - next / base >= o->threshold;
}

prf_status prf_diff_options_check(const prf_diff_options *o, prf_error *err) {
  if (o->metric != PRF_DIFF_SELF && o->metric != PRF_DIFF_TOTAL)
    return prf_fail(err, PRF_E_USAGE, "metric must be self or total");
  if (!(o->min_change >= 0 && o->min_change <= 100))
    return prf_fail(err, PRF_E_USAGE,
                    "min change must be 0 to 100 percentage points");
  if (!(o->threshold >= 0 && o->threshold <= 1e6))
    return prf_fail(err, PRF_E_USAGE, "threshold must be a non-negative ratio");
  if (!(o->p_value > 0 && o->p_value < 1))
    return prf_fail(err, PRF_E_USAGE, "p-value must be between 0 and 1");
  return PRF_OK;
}

prf_status prf_diff_compute(const prf_profile *const *base, size_t nbase,
                            const prf_profile *const *next, size_t nnew,
                            const prf_diff_options *o, prf_diff *diff,
                            prf_error *err) {
  prf_diff_options defaults;
  if (!o) {
    prf_diff_options_init(&defaults);
    o = &defaults;
  }
  memset(diff, 0, sizeof *diff);
  prf_status st = prf_diff_options_check(o, err);
  if (st != PRF_OK)
    return st;
  if (nbase == 0 || nnew == 0)
    return prf_fail(err, PRF_E_USAGE, "a diff needs at least one base and one new profile");
  diff->allocator = base[0]->mem;
  const prf_allocator *mem = &diff->allocator;
  size_t nruns = nbase + nnew;
  run_data *runs = prf_mem_calloc(mem, nruns, sizeof *runs);
  double *samples = prf_mem_calloc(mem, nruns, sizeof *samples);
  identity ids = {.split = NULL, .split_cap = 0, .mem = mem};
  prf_buf_init(&ids.buf, mem);
  bool names_ok = prf_strtab_init(&ids.names, mem);
  func_stats fs = {NULL, NULL};
  double *c = NULL; /* per function: the chance of passing the thresholds by noise */
  test_result *tests = NULL;
  size_t nfuncs = 0;
  if (!runs || !samples || !names_ok) {
    st = prf_fail(err, PRF_E_NOMEM, "out of memory comparing profiles");
    goto done;
  }
  /* Which names need their module, from every run first: the rule must
     be the same in all runs for their rows to match. */
  for (size_t r = 0; r < nruns && st == PRF_OK; r++)
    if (!find_split(&ids, r < nbase ? base[r] : next[r - nbase]))
      st = prf_fail(err, PRF_E_NOMEM, "out of memory comparing profiles");
  for (size_t r = 0; r < nruns && st == PRF_OK; r++) {
    const prf_profile *p = r < nbase ? base[r] : next[r - nbase];
    st = load_run(p, o, &ids, &runs[r], err);
    samples[r] = runs[r].samples;
    if (st == PRF_OK && !(runs[r].top.total > 0))
      st = prf_fail(err, PRF_E_DATA,
                    "%s input %zu has no samples in the compared column",
                    r < nbase ? "base" : "new", (r < nbase ? r : r - nbase) + 1);
  }
  if (st != PRF_OK)
    goto done;
  nfuncs = ids.names.count; /* each row's name is its function's id */
  /* id 0 is the empty string of the table: a function without a name */
  fs.self = prf_mem_calloc(mem, nfuncs * nruns + 1, sizeof *fs.self);
  fs.total = prf_mem_calloc(mem, nfuncs * nruns + 1, sizeof *fs.total);
  c = prf_mem_calloc(mem, nfuncs + 1, sizeof *c);
  tests = prf_mem_calloc(mem, nfuncs + 1, sizeof *tests);
  diff->rows = prf_mem_calloc(mem, nfuncs + 1, sizeof *diff->rows);
  if (!fs.self || !fs.total || !c || !tests || !diff->rows) {
    st = prf_fail(err, PRF_E_NOMEM, "out of memory comparing profiles");
    goto done;
  }
  for (size_t r = 0; r < nruns; r++) {
    double total = runs[r].top.total;
    for (size_t i = 0; i < runs[r].top.count; i++) {
      prf_str id = runs[r].top.rows[i].name;
      fs.self[id * nruns + r] = fabs(runs[r].top.rows[i].flat) / total;
      fs.total[id * nruns + r] = fabs(runs[r].top.rows[i].cum) / total;
    }
  }
  /* Tests of the chosen metric; the other share is shown as a mean. */
  size_t n = 0;
  for (size_t j = 0; j < nfuncs; j++) {
    const double *m = (o->metric == PRF_DIFF_TOTAL ? fs.total : fs.self) + j * nruns;
    bool any = false;
    for (size_t r = 0; r < nruns; r++)
      any = any || fs.self[j * nruns + r] > 0 || fs.total[j * nruns + r] > 0;
    if (!any)
      continue;
    tests[n] = test_one(m, nbase, m + nbase, nnew, samples, samples + nbase, o);
    c[n] = tests[n].c;
    prf_diff_row *row = &diff->rows[n];
    row->function = ids.names.ptr[j];
    double v;
    mean_var(fs.self + j * nruns, nbase, &row->base_self, &v);
    mean_var(fs.self + j * nruns + nbase, nnew, &row->new_self, &v);
    mean_var(fs.total + j * nruns, nbase, &row->base_total, &v);
    mean_var(fs.total + j * nruns + nbase, nnew, &row->new_total, &v);
    row->base_share = tests[n].base;
    row->new_share = tests[n].next;
    row->delta_pp = tests[n].delta * 100;
    row->relative = tests[n].base > 0 ? tests[n].next / tests[n].base - 1
                                      : (tests[n].next > 0 ? INFINITY : 0);
    row->p_value = row->delta_pp >= 0 ? tests[n].p_up : tests[n].p_down;
    n++;
  }
  diff->alpha = o->p_value;
  /* Half the budget for each direction: the verdicts (regressions and
     improvements together) stay below p_value. */
  diff->alpha_each = water_level(c, n, o->p_value / 2);
  for (size_t i = 0; i < n; i++) {
    prf_diff_row *row = &diff->rows[i];
    if (passes(tests[i].base, tests[i].next, o, true) &&
        tests[i].p_up <= diff->alpha_each) {
      row->verdict = PRF_DIFF_REGRESSION;
      diff->regressions++;
    } else if (passes(tests[i].base, tests[i].next, o, false) &&
               tests[i].p_down <= diff->alpha_each) {
      row->verdict = PRF_DIFF_IMPROVEMENT;
      diff->improvements++;
    }
  }
  diff->count = n;
  if (n > 1)
    qsort(diff->rows, n, sizeof *diff->rows, row_cmp);
  diff->base_runs = nbase;
  diff->new_runs = nnew;
  for (size_t r = 0; r < nruns; r++)
    *(r < nbase ? &diff->base_samples : &diff->new_samples) += samples[r];
  diff->metric = o->metric;
  diff->welch = nbase >= 2 && nnew >= 2;
  diff->min_change = o->min_change;
  diff->threshold = o->threshold;
  /* The names stay with the diff. */
  kept_names *kept = prf_mem_alloc(mem, sizeof *kept);
  if (!kept) {
    st = prf_fail(err, PRF_E_NOMEM, "out of memory comparing profiles");
    goto done;
  }
  kept->mem = *mem;
  kept->names = ids.names;
  kept->names.mem = &kept->mem;
  diff->priv = kept;
  names_ok = false;
done:
  for (size_t r = 0; runs && r < nruns; r++)
    prf_top_free(&runs[r].top);
  prf_mem_free(mem, runs);
  prf_mem_free(mem, samples);
  prf_mem_free(mem, fs.self);
  prf_mem_free(mem, fs.total);
  prf_mem_free(mem, c);
  prf_mem_free(mem, tests);
  if (names_ok)
    prf_strtab_free(&ids.names);
  prf_mem_free(mem, ids.split);
  prf_buf_free(&ids.buf);
  if (st != PRF_OK)
    prf_diff_free(diff);
  return st;
}

void prf_diff_free(prf_diff *diff) {
  const prf_allocator *mem = &diff->allocator;
  if (!diff)
    return;
  prf_mem_free(mem, diff->rows);
  if (diff->priv) {
    prf_strtab_free(&((kept_names *)diff->priv)->names);
    prf_mem_free(mem, diff->priv);
  }
  prf_allocator keep = diff->allocator;
  memset(diff, 0, sizeof *diff);
  diff->allocator = keep;
}

/* ---- the differential profile ---- */

prf_status prf_diff_profile(const prf_profile *const *base, size_t nbase,
                            const prf_profile *const *next, size_t nnew,
                            const prf_diff_options *o, int absolute,
                            prf_profile *out, prf_error *err) {
  const prf_allocator *mem = &out->mem;
  prf_diff_options defaults;
  if (!o) {
    prf_diff_options_init(&defaults);
    o = &defaults;
  }
  if (nbase == 0 || nnew == 0)
    return prf_fail(err, PRF_E_USAGE, "a diff needs at least one base and one new profile");
  if (prf_value_count(out) != 0)
    return prf_fail(err, PRF_E_USAGE, "the differential profile must start empty");
  /* The values keep their unit (NEW's), so that a CPU profile's
     differential graph reads in seconds, not in nanosecond "samples". */
  size_t ncol = o->column == SIZE_MAX ? prf_value_default(next[0]) : o->column;
  const char *unit = ncol < prf_value_count(next[0]) ? prf_value_unit(next[0], ncol) : "";
  if (!*unit)
    unit = "count";
  size_t cb, cn;
  prf_status st = prf_value_add(out, "before", unit, &cb);
  if (st == PRF_OK)
    st = prf_value_add(out, "after", unit, &cn);
  if (st == PRF_OK)
    st = prf_value_set_default(out, cn);
  if (st != PRF_OK)
    return prf_fail(err, st, "out of memory building the differential profile");
  /* Each side is the mean of its runs; normalised, BASE is scaled to
     NEW's total, so widths and colours compare shares (difffolded -n). */
  double sum[2] = {0, 0};
  for (size_t r = 0; r < nbase + nnew; r++) {
    const prf_profile *p = r < nbase ? base[r] : next[r - nbase];
    size_t col = o->column == SIZE_MAX ? prf_value_default(p) : o->column;
    if (col >= prf_value_count(p))
      return prf_fail(err, PRF_E_USAGE, "value column %zu does not exist", col);
    const prf_tree *t = prf_profile_tree_const(p);
    for (size_t i = 0; i < prf_tree_stack_count(t); i++)
      sum[r >= nbase] += fabs(prf_tree_self(t, prf_tree_stack(t, i), col));
  }
  double scale[2] = {1 / (double)nbase, 1 / (double)nnew};
  if (!absolute && sum[0] > 0)
    scale[0] = (sum[1] / (double)nnew) / sum[0];
  /* What a reader needs to undo the scaling (tooltips show BASE's own
     mean samples) and to say what the colours compare. */
  char factor[64];
  prf_format_number(factor, sizeof factor, (1 / (double)nbase) / scale[0]);
  st = prf_meta_set(out, "diff_base_factor", factor);
  if (st == PRF_OK)
    st = prf_meta_set(out, "diff_colour", absolute ? "absolute" : "share");
  if (st != PRF_OK)
    return prf_fail(err, st, "out of memory building the differential profile");
  prf_fid *map = NULL;
  prf_fid *path_frames = NULL;
  prf_node *path = NULL;
  for (size_t r = 0; r < nbase + nnew && st == PRF_OK; r++) {
    const prf_profile *p = r < nbase ? base[r] : next[r - nbase];
    size_t col = o->column == SIZE_MAX ? prf_value_default(p) : o->column;
    const prf_tree *t = prf_profile_tree_const(p);
    size_t cap = (size_t)prf_tree_max_depth(t) + 1;
    prf_mem_free(mem, map);
    prf_mem_free(mem, path);
    prf_mem_free(mem, path_frames);
    map = prf_mem_alloc(mem, (prf_frame_count(p) + 1) * sizeof *map);
    path = prf_mem_alloc(mem, cap * sizeof *path);
    path_frames = prf_mem_alloc(mem, cap * sizeof *path_frames);
    if (!map || !path || !path_frames) {
      st = PRF_E_NOMEM;
      break;
    }
    st = prf_frames_map(out, p, map);
    for (size_t i = 0; i < prf_tree_stack_count(t) && st == PRF_OK; i++) {
      prf_node leaf = prf_tree_stack(t, i);
      double v = prf_tree_self(t, leaf, col);
      if (v == 0)
        continue;
      size_t depth = prf_tree_path(t, leaf, path, cap);
      for (size_t d = 0; d < depth; d++)
        path_frames[d] = map[prf_tree_frame(t, path[d])];
      double values[2] = {0, 0};
      values[r >= nbase] = v * scale[r >= nbase];
      st = prf_stack_add(out, path_frames, depth, values, NULL);
    }
  }
  prf_mem_free(mem, map);
  prf_mem_free(mem, path);
  prf_mem_free(mem, path_frames);
  if (st != PRF_OK)
    return prf_fail(err, st, "out of memory building the differential profile");
  return PRF_OK;
}
