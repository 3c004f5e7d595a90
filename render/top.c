/*
 * top.c - the top table as text, the way `go tool pprof -top` prints it:
 * a legend, then flat flat% sum% cum cum% name, values scaled to one unit
 * chosen from the rows shown (pprof's "minimum" output unit), and as TSV.
 */
#include "escape.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct unit_def {
  const char *name;   /* printed */
  const char *const *aliases;
  double factor;      /* in base units */
} unit_def;

static const char *const a_b[] = {"b", "byte", NULL};
static const char *const a_kb[] = {"kb", "kbyte", "kilobyte", NULL};
static const char *const a_mb[] = {"mb", "mbyte", "megabyte", NULL};
static const char *const a_gb[] = {"gb", "gbyte", "gigabyte", NULL};
static const char *const a_tb[] = {"tb", "tbyte", "terabyte", NULL};
static const char *const a_pb[] = {"pb", "pbyte", "petabyte", NULL};
static const unit_def memory_units[] = {
    {"B", a_b, 1}, {"kB", a_kb, 1024.0}, {"MB", a_mb, 1048576.0},
    {"GB", a_gb, 1073741824.0}, {"TB", a_tb, 1099511627776.0},
    {"PB", a_pb, 1125899906842624.0}, {NULL, NULL, 0}};
static const char *const a_ns[] = {"ns", "nanosecond", NULL};
static const char *const a_us[] = {"\xce\xbcs", "us", "microsecond", NULL};
static const char *const a_ms[] = {"ms", "millisecond", NULL};
static const char *const a_s[] = {"s", "sec", "second", NULL};
static const char *const a_hr[] = {"hour", "hr", NULL};
static const unit_def time_units[] = {
    {"ns", a_ns, 1}, {"us", a_us, 1e3}, {"ms", a_ms, 1e6}, {"s", a_s, 1e9},
    {"hrs", a_hr, 3600e9}, {NULL, NULL, 0}};

typedef struct unit_family {
  const unit_def *units;
  const unit_def *fallback; /* for values below the smallest unit */
} unit_family;

static const unit_family families[] = {{memory_units, &memory_units[0]},
                                       {time_units, &time_units[3]}};

/* Finds a sample unit ("nanoseconds", "bytes"...) in the known families:
 * lower case, a plural "s" dropped from names longer than two letters. */
static const unit_def *sniff(const char *unit, const unit_family **family) {
  char u[64];
  size_t n = strlen(unit);
  if (n >= sizeof u)
    return NULL;
  for (size_t i = 0; i <= n; i++)
    u[i] = (char)(unit[i] >= 'A' && unit[i] <= 'Z' ? unit[i] + 32 : unit[i]);
  if (n > 2 && u[n - 1] == 's')
    u[n - 1] = '\0';
  for (size_t f = 0; f < sizeof families / sizeof families[0]; f++)
    for (const unit_def *d = families[f].units; d->name; d++)
      for (const char *const *a = d->aliases; *a; a++)
        if (strcmp(*a, u) == 0) {
          *family = &families[f];
          return d;
        }
  return NULL;
}

/* The largest unit of the family that value (in base units) fills. */
static const unit_def *auto_unit(const unit_family *fam, double value) {
  const unit_def *best = NULL;
  for (const unit_def *d = fam->units; d->name; d++)
    if (value / d->factor >= 1.0 && (!best || d->factor >= best->factor))
      best = d;
  return best ? best : fam->fallback;
}

typedef struct scaler {
  const unit_family *family;
  const unit_def *from, *to;
  char plain[64]; /* unknown units other than counts are appended */
} scaler;

/* pprof's "minimum" rule: the unit of the smallest value shown, unless the
 * total needs a bigger unit and the smallest is below a hundredth of it:
 * then the unit in which the smallest shows as at least 0.01. */
static void choose_unit(scaler *s, const char *unit, double min_flat,
                        double max_cum) {
  memset(s, 0, sizeof *s);
  s->from = sniff(unit, &s->family);
  if (!s->from) {
    if (strcmp(unit, "count") && strcmp(unit, "sample") && strcmp(unit, "unit") &&
        strcmp(unit, ""))
      snprintf(s->plain, sizeof s->plain, "%s", unit);
    return;
  }
  const unit_def *lo = auto_unit(s->family, fabs(min_flat) * s->from->factor);
  const unit_def *hi = auto_unit(s->family, fabs(max_cum) * s->from->factor);
  s->to = lo;
  if (lo != hi && fabs(min_flat) * 100 < fabs(max_cum))
    s->to = auto_unit(s->family, fabs(min_flat) * 100 * s->from->factor);
}

/* A value in the report's unit: two decimals, ".00" dropped, "0" alone. */
static void format_value(char *out, size_t size, const scaler *s, double v) {
  double x = s->to ? v * s->from->factor / s->to->factor : v;
  char num[64];
  snprintf(num, sizeof num, "%.2f", x);
  size_t n = strlen(num);
  if (n > 3 && strcmp(num + n - 3, ".00") == 0)
    num[n - 3] = '\0';
  if (strcmp(num, "0") == 0 || strcmp(num, "-0") == 0)
    snprintf(out, size, "0");
  else
    snprintf(out, size, "%s%s", num, s->to ? s->to->name : s->plain);
}

void prf_format_measure(char *out, size_t size, double value,
                        const char *unit) {
  scaler s;
  choose_unit(&s, unit, value, value);
  format_value(out, size, &s, value);
}

static void put_value(prf_buf *b, const scaler *s, double v) {
  char tmp[160];
  format_value(tmp, sizeof tmp, s, v);
  prf_buf_puts(b, tmp);
}

/* pprof's percentage: "  100%" near 100, two decimals from 1%, else two
 * significant digits. */
static void put_percent(prf_buf *b, double value, double total) {
  double r = total != 0 ? fabs(value / total) * 100 : 0;
  if (r >= 99.95 && r <= 100.05)
    prf_buf_puts(b, "  100%");
  else if (r >= 1.0)
    prf_buf_printf(b, "%5.2f%%", r);
  else
    prf_buf_printf(b, "%5.2g%%", r);
}

/* A value right-aligned in ten columns, a blank, and its share. */
static void put_cell(prf_buf *b, const scaler *s, double v, double total) {
  char tmp[160];
  format_value(tmp, sizeof tmp, s, v);
  for (size_t i = strlen(tmp); i < 10; i++)
    prf_buf_putc(b, ' ');
  prf_buf_puts(b, tmp);
  prf_buf_putc(b, ' ');
  put_percent(b, v, total);
}

static void put_row_name(prf_buf *b, const prf_profile *p, const prf_top_row *r) {
  size_t len;
  const char *name = prf_string(p, r->name, &len);
  prf_buf_put(b, name, len);
  if (r->inlined == 1)
    prf_buf_puts(b, " (inline)");
  else if (r->inlined == 2)
    prf_buf_puts(b, " (partial-inline)");
}

/* "Jan 2, 2006 at 3:04pm (UTC)" */
static void put_time(prf_buf *b, long long nanos) {
  static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  time_t secs = (time_t)(nanos / 1000000000LL);
  struct tm tm;
  if (!gmtime_r(&secs, &tm))
    return;
  int h = tm.tm_hour % 12;
  prf_buf_printf(b, "Time: %s %d, %d at %d:%02d%s (UTC)\n", months[tm.tm_mon],
                 tm.tm_mday, tm.tm_year + 1900, h ? h : 12, tm.tm_min,
                 tm.tm_hour < 12 ? "am" : "pm");
}

static void legend(prf_buf *b, const prf_profile *p, const prf_top *top,
                   const scaler *s) {
  const char *v;
  if ((v = prf_meta_get(p, "mapping_file")) && *v) {
    const char *slash = strrchr(v, '/');
    prf_buf_printf(b, "File: %s\n", slash ? slash + 1 : v);
  }
  if ((v = prf_meta_get(p, "build_id")) && *v)
    prf_buf_printf(b, "Build ID: %s\n", v);
  if ((v = prf_meta_get(p, "comments"))) { /* those not starting with '#' */
    while (*v) {
      size_t n = strcspn(v, "\n");
      if (*v != '#')
        prf_buf_printf(b, "%.*s\n", (int)n, v);
      v += n + (v[n] == '\n');
    }
  }
  prf_buf_printf(b, "Type: %s\n", prf_value_type(p, top->column));
  if ((v = prf_meta_get(p, "time_nanos")))
    put_time(b, strtoll(v, NULL, 10));
  if ((v = prf_meta_get(p, "duration_nanos"))) {
    double ns = strtod(v, NULL);
    scaler d;
    choose_unit(&d, "nanoseconds", ns, ns);
    prf_buf_puts(b, "Duration: ");
    put_value(b, &d, ns);
    prf_buf_puts(b, ", Total samples = ");
    put_value(b, s, top->total);
    prf_buf_putc(b, ' ');
    const unit_family *fam;
    const unit_def *u = sniff(prf_value_unit(p, top->column), &fam);
    if (u && fam == &families[1] && top->total != 0) {
      prf_buf_putc(b, '(');
      put_percent(b, top->total * u->factor, ns);
      prf_buf_putc(b, ')');
    }
    prf_buf_putc(b, '\n');
  }
  if ((v = prf_meta_get(p, "active_filters"))) {
    prf_buf_puts(b, "Active filters:\n");
    while (*v) {
      size_t n = strcspn(v, "\n");
      prf_buf_printf(b, "   %.*s\n", (int)n, v);
      v += n + (v[n] == '\n');
    }
  }
}

static void put_trimmed_percent(prf_buf *b, double value, double total) {
  const prf_allocator *mem = b->mem;
  prf_buf tmp;
  prf_buf_init(&tmp, mem);
  put_percent(&tmp, value, total);
  const char *t = tmp.data ? tmp.data : "";
  while (*t == ' ')
    t++;
  prf_buf_puts(b, t);
  b->failed |= tmp.failed; /* a table missing a cell is no table */
  prf_buf_free(&tmp);
}

static prf_status write_tsv(const prf_profile *p, const prf_top *top,
                            prf_write_fn write, void *ctx, prf_error *err) {
  const prf_allocator *mem = &p->mem;
  prf_buf b;
  prf_buf_init(&b, mem);
  prf_buf_puts(&b, "flat\tcum\tfunction\tfile\tline\n");
  char num[64];
  for (size_t i = 0; i < top->count; i++) {
    const prf_top_row *r = &top->rows[i];
    prf_format_number(num, sizeof num, r->flat);
    prf_buf_printf(&b, "%s\t", num);
    prf_format_number(num, sizeof num, r->cum);
    prf_buf_printf(&b, "%s\t", num);
    size_t start = b.len;
    put_row_name(&b, p, r);
    /* A tab or newline inside a name is written as \t or \n. */
    for (size_t k = start; k < b.len && !b.failed; k++) {
      if (b.data[k] == '\t' || b.data[k] == '\n' || b.data[k] == '\\') {
        char c = b.data[k] == '\t' ? 't' : b.data[k] == '\n' ? 'n' : '\\';
        prf_buf tail;
        prf_buf_init(&tail, mem);
        prf_buf_put(&tail, b.data + k + 1, b.len - k - 1);
        b.len = k;
        prf_buf_putc(&b, '\\');
        prf_buf_putc(&b, c);
        prf_buf_put(&b, tail.data, tail.len);
        b.failed |= tail.failed;
        prf_buf_free(&tail);
        k++;
      }
    }
    prf_buf_puts(&b, "\t\t\n");
  }
  prf_status st = b.failed ? PRF_E_NOMEM
                  : write(ctx, b.data ? b.data : "", b.len) ? PRF_E_OUTPUT
                                                            : PRF_OK;
  prf_buf_free(&b);
  if (st != PRF_OK)
    return prf_fail(err, st, st == PRF_E_NOMEM ? "out of memory" : "cannot write the table");
  return st;
}

prf_status prf_top_write(const prf_profile *p, const prf_top_options *o,
                         prf_write_fn write, void *ctx, prf_error *err) {
  const prf_allocator *mem = &p->mem;
  prf_top top;
  prf_status st = prf_top_compute(p, o, &top, err);
  if (st != PRF_OK)
    return st;
  if (o && o->tsv) {
    st = write_tsv(p, &top, write, ctx, err);
    prf_top_free(&top);
    return st;
  }
  /* pprof's "minimum" output unit: from the smallest value shown (|flat|,
     or |cum| where flat is 0) and the total. */
  double smallest = 0, shown_flat = 0;
  for (size_t i = 0; i < top.count; i++) {
    const prf_top_row *r = &top.rows[i];
    double v = r->flat != 0 ? fabs(r->flat) : fabs(r->cum);
    if (v > 0 && (smallest == 0 || v < smallest))
      smallest = v;
    shown_flat += r->flat;
  }
  if (smallest == 0)
    smallest = top.total;
  scaler s;
  choose_unit(&s, prf_value_unit(p, top.column), smallest, top.total);
  prf_buf b;
  prf_buf_init(&b, mem);
  legend(&b, p, &top, &s);
  prf_buf_puts(&b, "Showing nodes accounting for ");
  put_value(&b, &s, shown_flat);
  prf_buf_puts(&b, ", ");
  put_trimmed_percent(&b, shown_flat, top.total);
  prf_buf_puts(&b, " of ");
  put_value(&b, &s, top.total);
  prf_buf_puts(&b, " total\n");
  if (top.dropped && top.total != 0) {
    prf_buf_printf(&b, "Dropped %zu node%s (cum <= ", top.dropped,
                   top.dropped > 1 ? "s" : "");
    put_value(&b, &s, top.cutoff);
    prf_buf_puts(&b, ")\n");
  }
  if (top.trimmed && top.count)
    prf_buf_printf(&b, "Showing top %zu nodes out of %zu\n", top.count,
                   top.count + top.trimmed);
  prf_buf_puts(&b, "      flat  flat%   sum%        cum   cum%\n");
  double sum = 0;
  for (size_t i = 0; i < top.count && !b.failed; i++) {
    const prf_top_row *r = &top.rows[i];
    sum += r->flat;
    put_cell(&b, &s, r->flat, top.total);
    prf_buf_putc(&b, ' ');
    put_percent(&b, sum, top.total);
    prf_buf_putc(&b, ' ');
    put_cell(&b, &s, r->cum, top.total);
    prf_buf_puts(&b, "  ");
    put_row_name(&b, p, r);
    prf_buf_putc(&b, '\n');
  }
  st = b.failed ? PRF_E_NOMEM : write(ctx, b.data, b.len) ? PRF_E_OUTPUT : PRF_OK;
  prf_buf_free(&b);
  prf_top_free(&top);
  if (st != PRF_OK)
    return prf_fail(err, st, st == PRF_E_NOMEM ? "out of memory writing the table"
                                               : "cannot write the table");
  return PRF_OK;
}
