/*
 * main.c - the prof-render command: parses arguments, opens files and
 * calls the library. Nothing else lives here.
 */
#define _GNU_SOURCE
#include "profrender.h"
#include "progress.h"
#include "record.h"

#include <errno.h>
#include <stdbool.h>
#include <getopt.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum {
  EXIT_USAGE = 2,
  EXIT_DATA = 65,
  EXIT_NOINPUT = 66,
  EXIT_SOFTWARE = 70,
  EXIT_OSERR = 71,
  EXIT_IOERR = 74
};

enum { MAX_WARNINGS = 10 };

typedef struct cli {
  const char *command;
  prf_filter filter;
  const char *convert_to;
  prf_granularity granularity;
  int granularity_set;
  int noinlines;
  uint64_t max_input_size;
  const char *sample_type;
  prf_top_options top;
  const char *output;
  const char *input_format;
  const char *input_label; /* the name errors give the input (record) */
  const char *frequency;   /* record -F */
  prf_read_options read;   /* the format options (weight, threads, perf) */
  prf_flame_options flame;
  const char *format;      /* --format: text|tsv for top, svg|png|pdf */
  prf_diff_options diff;   /* diff: the gate's rule */
  const char **base_files, **new_files; /* diff: --base-files, --new-files */
  size_t nbase_files, nnew_files;
  int fail_on_regression;
  int absolute;
  int match_lines;
  const char *summary;      /* diff: text|markdown|json|junit */
  const char *summary_file;
  prf_report_options report; /* report: --source-url, --rev, --prune */
  int quiet;
  int timings;
  size_t warnings;
  progress progress; /* the line shown while a long input is read */
} cli;

static const char usage_text[] =
    "Usage: prof-render [render] [OPTIONS] [INPUT...]\n"
    "       prof-render collapse [OPTIONS] [INPUT...]\n"
    "       prof-render top [OPTIONS] [INPUT...]\n"
    "       prof-render info [OPTIONS] [INPUT...]\n"
    "       prof-render record [-F HZ] [OPTIONS] -- COMMAND [ARGS...]\n"
    "       prof-render convert [--to pprof|folded|speedscope] -o OUT [INPUT...]\n"
    "       prof-render merge [--to pprof|folded|speedscope] -o OUT INPUT...\n"
    "       prof-render diff [OPTIONS] BASE NEW | BASE... -- NEW...\n"
    "       prof-render report [OPTIONS] [--base BASE]... INPUT... [-o FILE]\n"
    "\n"
    "Turns CPU profiles into flame graphs. Inputs are merged; with no INPUT,\n"
    "or INPUT '-', standard input is read. The format is detected from the\n"
    "content (gzip and UTF-16 are decoded).\n"
    "\n"
    "Commands:\n"
    "  render             write a flame graph: interactive SVG (the default),\n"
    "                     or PNG/PDF by --format or an -o ending in .png/.pdf\n"
    "  collapse           write canonical folded stacks (sorted, merged)\n"
    "  top                the hottest functions: flat flat% sum% cum cum%,\n"
    "                     the numbers of `go tool pprof -top`\n"
    "  info               what the input holds: format, value columns,\n"
    "                     totals, samples, threads, metadata\n"
    "  record             run COMMAND under `perf record -g` (-F HZ, 999 by\n"
    "                     default) and render its flame graph (an -o ending\n"
    "                     in .html, .folded, .json or .pb.gz writes that)\n"
    "  convert            write the inputs as a gzipped pprof profile (or\n"
    "                     folded stacks, by --to or an -o ending in .folded)\n"
    "  merge              the same: the inputs summed into one profile (pprof\n"
    "                     header fields combined as pprof merges them)\n"
    "  diff               compare releases function by function: a table with\n"
    "                     a statistical verdict; -o draws a differential flame\n"
    "                     graph (.svg/.png/.pdf) or writes folded pairs (.folded)\n"
    "  report             one self-contained HTML page to explore the profile:\n"
    "                     flame graph, tables by function, line and file,\n"
    "                     timeline; with --base, the comparison of releases\n"
    "\n"
    "Options:\n"
    "  -o, --output FILE  write to FILE (atomically) instead of stdout (-)\n"
    "      --input-format NAME  do not sniff; read NAME: folded, pprof, perf,\n"
    "                     cpuprofile, chrome-trace, speedscope, sentry, firefox,\n"
    "                     pstats, callgrind\n"
    "      --max-input-size N  refuse inputs that decode to more than N bytes\n"
    "                     (K, M, G suffixes; 4G by default)\n"
    "      --max-depth N  refuse stacks deeper than N frames (100000)\n"
    "      --max-frames N refuse more than N distinct frames (16777216)\n"
    "      --granularity G  functions (default), filefunctions, files, lines\n"
    "                     or addresses: how finely frames are told apart\n"
    "      --noinlines    give inlined functions' cost to their callers\n"
    "      --focus RE     keep stacks through a function, file or binary\n"
    "                     matching RE (POSIX extended regex)\n"
    "      --ignore RE    drop stacks through a match\n"
    "      --hide RE      remove matching functions (cost to the caller)\n"
    "      --show RE      keep only matching functions\n"
    "      --prune-from RE  cut stacks below their first matching function\n"
    "      --tag-focus KEY=VALUE  keep samples with that label\n"
    "      --weight time|samples  timed formats (.cpuprofile, traces, Sentry,\n"
    "                     Firefox, speedscope): weigh samples by duration\n"
    "                     (default) or count them\n"
    "      --include-idle keep idle samples ((idle), empty stacks)\n"
    "      --thread NAME|ID  only this thread or profile\n"
    "      --per-thread   thread name as the root frame (the default)\n"
    "      --no-thread-root  merge threads without a root frame\n"
    "      --pid, --tid   perf script: root frame comm-PID or comm-PID/TID\n"
    "      --kernel, --jit, --all  perf script: mark kernel (_[k]) and JIT\n"
    "                     (_[j]) frames (--all: both)\n"
    "      --addrs        perf script: show addresses of unknown symbols\n"
    "      --sample-type NAME|INDEX  the value column to use (pprof: the\n"
    "                     default_sample_type, else the last; callgrind: an\n"
    "                     event, the first by default; pstats: time, calls)\n"
    "      --title TEXT   title (default \"Flame Graph\")\n"
    "      --subtitle TEXT  second line under the title\n"
    "      --width PX     image width (1200)\n"
    "      --height PX    frame height (16)\n"
    "      --fontsize PX  font size (12)\n"
    "      --fonttype NAME  font family (Verdana)\n"
    "      --fontwidth N  average glyph width / font size (0.59)\n"
    "      --minwidth N   omit frames narrower than N pixels (0.1), or N%\n"
    "                     of the total when N ends in '%'\n"
    "      --countname TEXT  what a count is called (samples)\n"
    "      --nametype TEXT  label of the details line (Function:)\n"
    "  -c, --colors NAME  palette: hot mem io wakeup java js perl python rust\n"
    "                     red green blue aqua yellow purple orange\n"
    "      --hash         accepted for flamegraph.pl compatibility: colours\n"
    "                     always come from a hash of the name\n"
    "      --inverted     icicle graph (root at the top)\n"
    "      --reverse      reverse every stack (leaf becomes root)\n"
    "      --flamechart   keep input order instead of merging (time order)\n"
    "      --sort KEY     alpha (default) or weight (heaviest first)\n"
    "      --negate       differential input: swap growth and shrinkage\n"
    "      --width-from base|new|max  differential input: frame widths from\n"
    "                     BASE, NEW (the default) or the larger of the two\n"
    "      --notes TEXT   embed notes in the SVG\n"
    "      --factor N     multiply the displayed counts by N\n"
    "      --total N      the image width stands for N samples (so several\n"
    "                     graphs share one scale)\n"
    "      --no-javascript  static SVG without the interactive script\n"
    "      --format svg|png|pdf  the image format (default: from -o, else svg)\n"
    "      --scale N      PNG: N device pixels per pixel (2 for HiDPI; 1)\n"
    "\n"
    "Diff options:\n"
    "      --base-files FILE, --new-files FILE  add a run to a side (repeatable)\n"
    "      --fail-on-regression  exit 1 when a function regressed\n"
    "      --metric self|total  the share that must grow (self)\n"
    "      --min-change PP  growth of at least PP percentage points (1)\n"
    "      --threshold R  and at least R relative: 0.1 or 10% (10%)\n"
    "      --p-value P    and significant: any false alarm below P (0.01)\n"
    "      --match functions|lines  function identity (functions: by name, and\n"
    "                     by module where one name is in two modules)\n"
    "      --absolute     graph: absolute change (default: shares)\n"
    "      --summary text|markdown|json|junit  the report's form (text)\n"
    "      --summary-file FILE  write it there instead of stdout\n"
    "\n"
    "Report options:\n"
    "      --base FILE    a BASE run (repeatable): the INPUTs are then NEW and\n"
    "                     the page compares them (the diff options apply)\n"
    "      --prune SHARE  leave out call tree nodes below SHARE of the total\n"
    "                     (1e-5; 0 keeps all); the tables stay exact\n"
    "      --source-url TEMPLATE  link frames to their source: http(s) URL\n"
    "                     with {path}, {line} and {rev}\n"
    "      --rev REV      {rev} (default: the profile's release metadata)\n"
    "\n"
    "Top options:\n"
    "      --sort flat|cum  order of the rows (flat)\n"
    "      --nodecount N  show at most N rows\n"
    "      --nodefraction F  hide rows whose cum is below F of the total\n"
    "                     (0.005, as pprof)\n"
    "      --format text|tsv  tsv: raw values for scripts\n"
    "\n"
    "  -q, --quiet        no warnings about skipped lines, no progress line\n"
    "      --timings      print phase times and peak memory to stderr\n"
    "  -h, --help         show this help\n"
    "  -V, --version      show the version\n"
    "\n"
    "Examples:\n"
    "  prof-render stacks.folded > flame.svg\n"
    "  perf script | stackcollapse-perf.pl | prof-render > flame.svg\n"
    "  prof-render -o flame.svg a.folded b.folded\n"
    "  prof-render --colors java --title 'GC' -o gc.svg gc.folded\n"
    "  prof-render collapse x.folded > canonical.folded\n"
    "  prof-render top cpu.pb.gz\n"
    "  prof-render convert -o merged.pb.gz a.folded b.pb.gz\n"
    "\n"
    "Exit status: 0 ok, 2 usage error, 65 bad input data, 66 cannot open\n"
    "input, 74 cannot write output.\n";

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "prof-render: ");
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, " (see 'prof-render --help')\n");
  return EXIT_USAGE;
}

static int exit_code(prf_status st) {
  switch (st) {
  case PRF_OK: return 0;
  case PRF_E_USAGE: return EXIT_USAGE;
  case PRF_E_DATA:
  case PRF_E_LIMIT: return EXIT_DATA;
  case PRF_E_INPUT: return EXIT_NOINPUT;
  case PRF_E_OUTPUT: return EXIT_IOERR;
  case PRF_E_NOMEM: return EXIT_OSERR;
  }
  return EXIT_SOFTWARE;
}

static void report(const prf_error *err) {
  char line[1024];
  fprintf(stderr, "prof-render: %s\n", prf_error_format(err, line, sizeof line));
}

static void on_warning(void *ctx, const prf_error *w) {
  cli *c = ctx;
  c->warnings++;
  if (c->quiet || c->warnings > MAX_WARNINGS)
    return;
  progress_clear(&c->progress);
  char line[1024];
  fprintf(stderr, "prof-render: warning: %s\n",
          prf_error_format(w, line, sizeof line));
}

static prf_status cli_fail(prf_error *err, prf_status code, const char *msg) {
  prf_error_clear(err);
  err->code = code;
  snprintf(err->message, sizeof err->message, "%s", msg);
  return code;
}

static bool parse_number(const char *s, double *out) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (end == s || *end != '\0' || errno)
    return false;
  *out = v;
  return true;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Peak resident memory so far, in kB. */
static long peak_rss(void) {
  struct rusage ru;
  return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : 0;
}

/* --timings: the phases (render's split when given) and peak memory, at
 * the end of reading and of the run. */
static void print_timings(double read, long read_rss, double render,
                          const prf_render_times *times) {
  fprintf(stderr, "timing read %.3f s\ntiming render %.3f s\n", read, render);
  if (times && times->layout + times->draw + times->encode > 0)
    fprintf(stderr, "timing render-layout %.3f s\ntiming render-draw %.3f s\n"
                    "timing render-encode %.3f s\n",
            times->layout, times->draw, times->encode);
  fprintf(stderr, "timing peak-rss-read %ld kB\ntiming peak-rss %ld kB\n",
          read_rss, peak_rss());
}

/* ---- input ---- */

typedef struct file_src {
  FILE *f;
  const char *name;
  progress *progress;
} file_src;

static size_t file_read(void *ctx, void *buf, size_t size, prf_error *err) {
  file_src *src = ctx;
  size_t n = fread(buf, 1, size, src->f);
  progress_add(src->progress, n, now());
  if (n == 0 && ferror(src->f)) {
    err->code = PRF_E_INPUT;
    snprintf(err->message, sizeof err->message, "cannot read: %s",
             strerror(errno));
  }
  return n;
}

static prf_status read_input(cli *c, prf_profile *p, const char *path,
                             prf_error *err) {
  bool is_stdin = strcmp(path, "-") == 0;
  file_src src = {is_stdin ? stdin : fopen(path, "rb"),
                  is_stdin ? "<stdin>" : path, &c->progress};
  if (!src.f) {
    prf_error_clear(err);
    err->code = PRF_E_INPUT;
    snprintf(err->source, sizeof err->source, "%s", path);
    snprintf(err->message, sizeof err->message, "cannot open: %s",
             strerror(errno));
    return PRF_E_INPUT;
  }
  prf_read_options ro = c->read;
  ro.format = c->input_format;
  ro.source_name = c->input_label ? c->input_label : src.name;
  ro.warn = on_warning;
  ro.warn_ctx = c;
  ro.keep_order = c->flame.flamechart;
  ro.max_input_size = c->max_input_size;
  struct stat sb;
  uint64_t size = fstat(fileno(src.f), &sb) == 0 && S_ISREG(sb.st_mode)
                      ? (uint64_t)sb.st_size : 0;
  progress_begin(&c->progress, src.name, size, now());
  prf_status st = prf_profile_read(p, file_read, &src, &ro, err);
  progress_clear(&c->progress);
  if (!is_stdin)
    fclose(src.f);
  return st;
}

/* ---- output: stdout, or a temporary file renamed into place ---- */

typedef struct sink {
  FILE *f;
  const char *path;
  char *tmp;
} sink;

static int sink_write(void *ctx, const void *data, size_t size) {
  sink *s = ctx;
  return fwrite(data, 1, size, s->f) == size ? 0 : -1;
}

static prf_status sink_open(sink *s, const char *path, prf_error *err) {
  memset(s, 0, sizeof *s);
  if (path && strcmp(path, "-") == 0)
    path = NULL; /* -o -: standard output, as for inputs */
  s->path = path;
  if (!path) {
    s->f = stdout;
    return PRF_OK;
  }
  size_t n = strlen(path) + 16;
  s->tmp = malloc(n);
  if (!s->tmp)
    return PRF_E_NOMEM;
  snprintf(s->tmp, n, "%s.tmpXXXXXX", path);
  int fd = mkstemp(s->tmp);
  if (fd < 0 || !(s->f = fdopen(fd, "wb"))) {
    err->code = PRF_E_OUTPUT;
    snprintf(err->source, sizeof err->source, "%s", path);
    snprintf(err->message, sizeof err->message, "cannot create output: %s",
             strerror(errno));
    if (fd >= 0) {
      close(fd);
      unlink(s->tmp);
    }
    free(s->tmp);
    s->tmp = NULL;
    return PRF_E_OUTPUT;
  }
  /* mkstemp makes 0600; give the output the mode a new file would get. */
  mode_t mask = umask(0);
  umask(mask);
  fchmod(fd, 0666 & ~mask);
  return PRF_OK;
}

/* Finishes the output; on failure the destination is left untouched. */
static prf_status sink_close(sink *s, prf_status st, prf_error *err) {
  if (!s->f)
    return st;
  bool ok = st == PRF_OK;
  if (s->tmp) {
    ok = fclose(s->f) == 0 && ok;
    if (ok && rename(s->tmp, s->path) != 0)
      ok = false;
    if (!ok)
      unlink(s->tmp);
    free(s->tmp);
  } else {
    ok = fflush(s->f) == 0 && !ferror(s->f) && ok;
  }
  if (st == PRF_OK && !ok) {
    err->code = PRF_E_OUTPUT;
    snprintf(err->source, sizeof err->source, "%s", s->path ? s->path : "<stdout>");
    snprintf(err->message, sizeof err->message, "cannot write output: %s",
             strerror(errno));
    return PRF_E_OUTPUT;
  }
  return st;
}

/* ---- options ---- */

enum {
  OPT_INPUT_FORMAT = 256, OPT_TITLE, OPT_SUBTITLE, OPT_WIDTH, OPT_HEIGHT,
  OPT_FONTSIZE, OPT_FONTTYPE, OPT_FONTWIDTH, OPT_MINWIDTH, OPT_COUNTNAME,
  OPT_NAMETYPE, OPT_HASH, OPT_INVERTED, OPT_REVERSE, OPT_FLAMECHART,
  OPT_SORT, OPT_NEGATE, OPT_NOTES, OPT_FACTOR, OPT_TOTAL, OPT_NOJS,
  OPT_TIMINGS, OPT_FOCUS, OPT_IGNORE, OPT_HIDE, OPT_SHOW, OPT_PRUNE_FROM,
  OPT_TAG_FOCUS, OPT_TO, OPT_GRANULARITY, OPT_NOINLINES, OPT_MAX_INPUT, OPT_MAX_DEPTH, OPT_MAX_FRAMES,
  OPT_SAMPLE_TYPE, OPT_NODECOUNT, OPT_NODEFRACTION, OPT_FORMAT, OPT_WEIGHT,
  OPT_INCLUDE_IDLE, OPT_THREAD, OPT_PER_THREAD, OPT_NO_THREAD_ROOT, OPT_PID,
  OPT_TID, OPT_KERNEL, OPT_JIT, OPT_ALL, OPT_ADDRS, OPT_SCALE, OPT_BASE_FILES,
  OPT_NEW_FILES, OPT_FAIL_ON_REGRESSION, OPT_METRIC, OPT_MIN_CHANGE,
  OPT_THRESHOLD, OPT_P_VALUE, OPT_MATCH, OPT_ABSOLUTE, OPT_SUMMARY,
  OPT_SUMMARY_FILE, OPT_WIDTH_FROM, OPT_BASE, OPT_SOURCE_URL, OPT_REV,
  OPT_PRUNE
};

static const struct option long_options[] = {
    {"output", required_argument, NULL, 'o'},
    {"input-format", required_argument, NULL, OPT_INPUT_FORMAT},
    {"title", required_argument, NULL, OPT_TITLE},
    {"subtitle", required_argument, NULL, OPT_SUBTITLE},
    {"width", required_argument, NULL, OPT_WIDTH},
    {"height", required_argument, NULL, OPT_HEIGHT},
    {"fontsize", required_argument, NULL, OPT_FONTSIZE},
    {"fonttype", required_argument, NULL, OPT_FONTTYPE},
    {"fontwidth", required_argument, NULL, OPT_FONTWIDTH},
    {"minwidth", required_argument, NULL, OPT_MINWIDTH},
    {"countname", required_argument, NULL, OPT_COUNTNAME},
    {"nametype", required_argument, NULL, OPT_NAMETYPE},
    {"colors", required_argument, NULL, 'c'},
    {"hash", no_argument, NULL, OPT_HASH},
    {"inverted", no_argument, NULL, OPT_INVERTED},
    {"reverse", no_argument, NULL, OPT_REVERSE},
    {"flamechart", no_argument, NULL, OPT_FLAMECHART},
    {"sort", required_argument, NULL, OPT_SORT},
    {"negate", no_argument, NULL, OPT_NEGATE},
    {"notes", required_argument, NULL, OPT_NOTES},
    {"factor", required_argument, NULL, OPT_FACTOR},
    {"total", required_argument, NULL, OPT_TOTAL},
    {"no-javascript", no_argument, NULL, OPT_NOJS},
    {"quiet", no_argument, NULL, 'q'},
    {"timings", no_argument, NULL, OPT_TIMINGS},
    {"sample-type", required_argument, NULL, OPT_SAMPLE_TYPE},
    {"max-input-size", required_argument, NULL, OPT_MAX_INPUT},
    {"max-depth", required_argument, NULL, OPT_MAX_DEPTH},
    {"max-frames", required_argument, NULL, OPT_MAX_FRAMES},
    {"granularity", required_argument, NULL, OPT_GRANULARITY},
    {"to", required_argument, NULL, OPT_TO},
    {"focus", required_argument, NULL, OPT_FOCUS},
    {"ignore", required_argument, NULL, OPT_IGNORE},
    {"hide", required_argument, NULL, OPT_HIDE},
    {"show", required_argument, NULL, OPT_SHOW},
    {"prune-from", required_argument, NULL, OPT_PRUNE_FROM},
    {"tag-focus", required_argument, NULL, OPT_TAG_FOCUS},
    {"noinlines", no_argument, NULL, OPT_NOINLINES},
    {"nodecount", required_argument, NULL, OPT_NODECOUNT},
    {"nodefraction", required_argument, NULL, OPT_NODEFRACTION},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"weight", required_argument, NULL, OPT_WEIGHT},
    {"include-idle", no_argument, NULL, OPT_INCLUDE_IDLE},
    {"thread", required_argument, NULL, OPT_THREAD},
    {"per-thread", no_argument, NULL, OPT_PER_THREAD},
    {"no-thread-root", no_argument, NULL, OPT_NO_THREAD_ROOT},
    {"pid", no_argument, NULL, OPT_PID},
    {"tid", no_argument, NULL, OPT_TID},
    {"kernel", no_argument, NULL, OPT_KERNEL},
    {"jit", no_argument, NULL, OPT_JIT},
    {"all", no_argument, NULL, OPT_ALL},
    {"addrs", no_argument, NULL, OPT_ADDRS},
    {"scale", required_argument, NULL, OPT_SCALE},
    {"base-files", required_argument, NULL, OPT_BASE_FILES},
    {"new-files", required_argument, NULL, OPT_NEW_FILES},
    {"fail-on-regression", no_argument, NULL, OPT_FAIL_ON_REGRESSION},
    {"metric", required_argument, NULL, OPT_METRIC},
    {"min-change", required_argument, NULL, OPT_MIN_CHANGE},
    {"threshold", required_argument, NULL, OPT_THRESHOLD},
    {"p-value", required_argument, NULL, OPT_P_VALUE},
    {"match", required_argument, NULL, OPT_MATCH},
    {"absolute", no_argument, NULL, OPT_ABSOLUTE},
    {"width-from", required_argument, NULL, OPT_WIDTH_FROM},
    {"summary", required_argument, NULL, OPT_SUMMARY},
    {"summary-file", required_argument, NULL, OPT_SUMMARY_FILE},
    {"base", required_argument, NULL, OPT_BASE},
    {"source-url", required_argument, NULL, OPT_SOURCE_URL},
    {"rev", required_argument, NULL, OPT_REV},
    {"prune", required_argument, NULL, OPT_PRUNE},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0}};

static int number_option(const char *name, const char *arg, double *out) {
  if (!parse_number(arg, out))
    return usage_error("%s needs a number, not '%s'", name, arg);
  return 0;
}

/* Returns -1 to go on, or an exit status. */
static int parse_args(cli *c, int argc, char **argv) {
  int opt;
  opterr = 0;
  /* record stops at its COMMAND, whose options are its own. */
  const char *optstring = strcmp(c->command, "record") == 0 ? "+:o:c:qhVF:"
                                                            : ":o:c:qhV";
  while ((opt = getopt_long(argc, argv, optstring, long_options, NULL)) != -1) {
    prf_flame_options *f = &c->flame;
    int rc = 0;
    switch (opt) {
    case 'o': c->output = optarg; break;
    case 'F': {
      double hz;
      if (!parse_number(optarg, &hz) || hz < 1 || hz > 100000 || hz != (int)hz)
        rc = usage_error("-F needs a whole number of samples per second, not '%s'", optarg);
      c->frequency = optarg;
      break;
    }
    case OPT_INPUT_FORMAT: c->input_format = optarg; break;
    case OPT_TITLE: f->title = optarg; break;
    case OPT_SUBTITLE: f->subtitle = optarg; break;
    case OPT_WIDTH: rc = number_option("--width", optarg, &f->width); break;
    case OPT_HEIGHT: rc = number_option("--height", optarg, &f->frame_height); break;
    case OPT_FONTSIZE: rc = number_option("--fontsize", optarg, &f->font_size); break;
    case OPT_FONTTYPE: f->font_type = optarg; break;
    case OPT_FONTWIDTH: rc = number_option("--fontwidth", optarg, &f->font_width); break;
    case OPT_MINWIDTH: {
      char buf[64];
      size_t n = strlen(optarg);
      f->min_width_percent = n > 0 && optarg[n - 1] == '%';
      snprintf(buf, sizeof buf, "%.*s", (int)(n - (size_t)f->min_width_percent), optarg);
      if (n >= sizeof buf || !parse_number(buf, &f->min_width))
        rc = usage_error("--minwidth needs pixels or a percentage, not '%s'", optarg);
      break;
    }
    case OPT_COUNTNAME: f->count_name = optarg; break;
    case OPT_NAMETYPE: f->name_type = optarg; break;
    case 'c': f->colors = optarg; break;
    case OPT_HASH: f->hash = 1; break;
    case OPT_INVERTED: f->inverted = 1; break;
    case OPT_REVERSE: f->reverse = 1; break;
    case OPT_FLAMECHART: f->flamechart = 1; break;
    case OPT_SORT:
      if (strcmp(c->command, "top") == 0) {
        if (strcmp(optarg, "flat") == 0 || strcmp(optarg, "cum") == 0)
          c->top.by_cum = strcmp(optarg, "cum") == 0;
        else
          rc = usage_error("--sort takes flat or cum for top, not '%s'", optarg);
      } else if (strcmp(optarg, "alpha") == 0)
        f->sort = PRF_SORT_ALPHA;
      else if (strcmp(optarg, "weight") == 0)
        f->sort = PRF_SORT_WEIGHT;
      else
        rc = usage_error("--sort takes alpha or weight, not '%s'", optarg);
      break;
    case OPT_NEGATE: f->negate = 1; break;
    case OPT_WIDTH_FROM:
      /* The columns of a differential profile: 0 before (BASE), 1 after. */
      if (strcmp(optarg, "new") == 0) {
        f->column = SIZE_MAX;
        f->width_from = PRF_WIDTH_COLUMN;
      } else if (strcmp(optarg, "base") == 0) {
        f->column = 0;
        f->width_from = PRF_WIDTH_COLUMN;
      } else if (strcmp(optarg, "max") == 0) {
        f->column = SIZE_MAX;
        f->width_from = PRF_WIDTH_MAX;
      } else {
        rc = usage_error("--width-from takes base, new or max, not '%s'", optarg);
      }
      break;
    case OPT_NOTES: f->notes = optarg; break;
    case OPT_FACTOR: rc = number_option("--factor", optarg, &f->factor); break;
    case OPT_TOTAL: rc = number_option("--total", optarg, &f->total); break;
    case OPT_NOJS: f->no_javascript = 1; break;
    case 'q': c->quiet = 1; break;
    case OPT_TIMINGS: c->timings = 1; break;
    case OPT_SAMPLE_TYPE: c->sample_type = optarg; break;
    case OPT_NOINLINES: c->noinlines = 1; break;
    case OPT_FOCUS: c->filter.focus = optarg; break;
    case OPT_IGNORE: c->filter.ignore = optarg; break;
    case OPT_HIDE: c->filter.hide = optarg; break;
    case OPT_SHOW: c->filter.show = optarg; break;
    case OPT_PRUNE_FROM: c->filter.prune_from = optarg; break;
    case OPT_TAG_FOCUS: c->filter.tag_focus = optarg; break;
    case OPT_TO:
      if (strcmp(optarg, "pprof") && strcmp(optarg, "folded") &&
          strcmp(optarg, "speedscope"))
        rc = usage_error("--to takes pprof, folded or speedscope, not '%s'", optarg);
      c->convert_to = optarg;
      break;
    case OPT_GRANULARITY: {
      static const char *const names[] = {"functions", "filefunctions", "files",
                                          "lines", "addresses"};
      size_t k = 0;
      while (k < 5 && strcmp(optarg, names[k]) != 0)
        k++;
      if (k == 5)
        rc = usage_error("--granularity takes functions, filefunctions, files, "
                         "lines or addresses, not '%s'", optarg);
      else
        c->granularity = (prf_granularity)k, c->granularity_set = 1;
      break;
    }
    case OPT_MAX_INPUT: {
      char *end;
      errno = 0;
      unsigned long long v = strtoull(optarg, &end, 10);
      unsigned shift = *end == 'K' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : 0;
      if (shift)
        end++;
      if (errno || end == optarg || *end || v == 0 || v > (UINT64_MAX >> shift))
        rc = usage_error("--max-input-size needs bytes (with K, M or G), not '%s'", optarg);
      else
        c->max_input_size = (uint64_t)v << shift;
      break;
    }
    case OPT_MAX_DEPTH:
    case OPT_MAX_FRAMES: {
      char *end;
      errno = 0;
      unsigned long long v = strtoull(optarg, &end, 10);
      const char *name = opt == OPT_MAX_DEPTH ? "--max-depth" : "--max-frames";
      if (errno || end == optarg || *end || v == 0 || v >= UINT32_MAX - 1)
        rc = usage_error("%s needs a count from 1 to 4294967293, not '%s'",
                         name, optarg);
      else if (opt == OPT_MAX_DEPTH)
        c->read.max_depth = (uint32_t)v;
      else
        c->read.max_frames = (uint32_t)v;
      break;
    }
    case OPT_NODECOUNT: {
      double n;
      if (!parse_number(optarg, &n) || n < 0 || n != (double)(size_t)n)
        rc = usage_error("--nodecount needs a whole number, not '%s'", optarg);
      else
        c->top.node_count = (size_t)n;
      break;
    }
    case OPT_NODEFRACTION:
      if (!parse_number(optarg, &c->top.node_fraction) ||
          c->top.node_fraction < 0 || c->top.node_fraction > 1)
        rc = usage_error("--nodefraction needs a number from 0 to 1, not '%s'", optarg);
      break;
    case OPT_FORMAT:
      if (strcmp(optarg, "tsv") && strcmp(optarg, "text") &&
          strcmp(optarg, "svg") && strcmp(optarg, "png") && strcmp(optarg, "pdf"))
        rc = usage_error("--format takes svg, png or pdf (top: text or tsv), "
                         "not '%s'", optarg);
      c->format = optarg;
      break;
    case OPT_BASE: /* report's BASE runs; for diff, as --base-files */
    case OPT_BASE_FILES:
    case OPT_NEW_FILES: {
      bool is_base = opt != OPT_NEW_FILES;
      const char ***list = is_base ? &c->base_files : &c->new_files;
      size_t *n = is_base ? &c->nbase_files : &c->nnew_files;
      const char **grown = realloc(*list, (*n + 1) * sizeof **list);
      if (!grown)
        return usage_error("out of memory");
      grown[(*n)++] = optarg;
      *list = grown;
      break;
    }
    case OPT_FAIL_ON_REGRESSION: c->fail_on_regression = 1; break;
    case OPT_METRIC:
      if (strcmp(optarg, "self") == 0)
        c->diff.metric = PRF_DIFF_SELF;
      else if (strcmp(optarg, "total") == 0)
        c->diff.metric = PRF_DIFF_TOTAL;
      else
        rc = usage_error("--metric takes self or total, not '%s'", optarg);
      break;
    case OPT_MIN_CHANGE:
      if (!parse_number(optarg, &c->diff.min_change) || c->diff.min_change < 0 ||
          c->diff.min_change > 100)
        rc = usage_error("--min-change needs percentage points from 0 to 100, not '%s'", optarg);
      break;
    case OPT_THRESHOLD: {
      /* "10%" or the ratio 0.1 */
      char buf[64];
      size_t len = strlen(optarg);
      bool percent = len > 1 && len < sizeof buf && optarg[len - 1] == '%';
      snprintf(buf, sizeof buf, "%.*s", (int)(percent ? len - 1 : len), optarg);
      if (!parse_number(buf, &c->diff.threshold) || c->diff.threshold < 0)
        rc = usage_error("--threshold needs a ratio (0.1) or a percentage (10%%), not '%s'", optarg);
      else if (percent)
        c->diff.threshold /= 100;
      break;
    }
    case OPT_P_VALUE:
      if (!parse_number(optarg, &c->diff.p_value) || !(c->diff.p_value > 0) ||
          !(c->diff.p_value < 1))
        rc = usage_error("--p-value needs a number between 0 and 1, not '%s'", optarg);
      break;
    case OPT_MATCH:
      if (strcmp(optarg, "functions") && strcmp(optarg, "lines"))
        rc = usage_error("--match takes functions or lines, not '%s'", optarg);
      c->match_lines = strcmp(optarg, "lines") == 0;
      break;
    case OPT_ABSOLUTE: c->absolute = 1; break;
    case OPT_SUMMARY:
      if (strcmp(optarg, "text") && strcmp(optarg, "markdown") &&
          strcmp(optarg, "json") && strcmp(optarg, "junit"))
        rc = usage_error("--summary takes text, markdown, json or junit, not '%s'", optarg);
      c->summary = optarg;
      break;
    case OPT_SUMMARY_FILE: c->summary_file = optarg; break;
    case OPT_SOURCE_URL:
      if (strncmp(optarg, "http://", 7) != 0 && strncmp(optarg, "https://", 8) != 0)
        rc = usage_error("--source-url takes an http:// or https:// URL "
                         "template, not '%s'", optarg);
      c->report.source_url = optarg;
      break;
    case OPT_REV: c->report.rev = optarg; break;
    case OPT_PRUNE:
      if (!parse_number(optarg, &c->report.prune) || !(c->report.prune >= 0) ||
          c->report.prune > 1)
        rc = usage_error("--prune needs a share from 0 to 1, not '%s'", optarg);
      break;
    case OPT_SCALE:
      rc = number_option("--scale", optarg, &f->scale);
      if (!rc && f->scale == 0) /* the library reads 0 as "unset" */
        rc = usage_error("scale must be between 0.1 and 16");
      break;
    case OPT_WEIGHT:
      if (strcmp(optarg, "time") == 0)
        c->read.weight = PRF_WEIGHT_TIME;
      else if (strcmp(optarg, "samples") == 0)
        c->read.weight = PRF_WEIGHT_SAMPLES;
      else
        rc = usage_error("--weight takes time or samples, not '%s'", optarg);
      break;
    case OPT_INCLUDE_IDLE: c->read.include_idle = 1; break;
    case OPT_THREAD: c->read.thread = optarg; break;
    case OPT_PER_THREAD: c->read.no_thread_root = 0; break;
    case OPT_NO_THREAD_ROOT: c->read.no_thread_root = 1; break;
    case OPT_PID: c->read.perf_flags |= PRF_PERF_PID; break;
    case OPT_TID: c->read.perf_flags |= PRF_PERF_TID; break;
    case OPT_KERNEL: c->read.perf_flags |= PRF_PERF_KERNEL; break;
    case OPT_JIT: c->read.perf_flags |= PRF_PERF_JIT; break;
    case OPT_ALL: c->read.perf_flags |= PRF_PERF_ALL; break;
    case OPT_ADDRS: c->read.perf_flags |= PRF_PERF_ADDRS; break;
    case 'h': fputs(usage_text, stdout); return fflush(stdout) ? EXIT_IOERR : 0;
    case 'V': printf("prof-render %s\n", prf_version()); return fflush(stdout) ? EXIT_IOERR : 0;
    case ':': return usage_error("option '%s' needs a value", argv[optind - 1]);
    default: return usage_error("unknown option '%s'", argv[optind - 1]);
    }
    if (rc)
      return rc;
  }
  return -1;
}

static bool ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n > m && strcasecmp(s + n - m, suffix) == 0;
}

/* The profile format an output name asks for, NULL for none. */
static const char *profile_format_of(const char *o) {
  if (ends_with(o, ".folded") || ends_with(o, ".txt"))
    return "folded";
  if (ends_with(o, ".json"))
    return "speedscope";
  if (ends_with(o, ".pb.gz") || ends_with(o, ".pb") || ends_with(o, ".pprof"))
    return "pprof";
  return NULL;
}

/* convert writes --to, else what -o's extension says, else pprof. */
static const char *convert_format(const cli *c) {
  if (c->convert_to)
    return c->convert_to;
  const char *f = profile_format_of(c->output ? c->output : "");
  return f ? f : "pprof";
}

/* render draws --format, else what -o's extension says, else SVG. */
static prf_image_format image_format(const cli *c) {
  const char *f = c->format;
  const char *o = c->output ? c->output : "";
  if (f ? strcmp(f, "png") == 0 : ends_with(o, ".png"))
    return PRF_IMAGE_PNG;
  if (f ? strcmp(f, "pdf") == 0 : ends_with(o, ".pdf"))
    return PRF_IMAGE_PDF;
  return PRF_IMAGE_SVG;
}

/* --format must suit the command; a PNG or PDF is not for a terminal. */
static int check_format(cli *c) {
  bool top = strcmp(c->command, "top") == 0;
  bool render = strcmp(c->command, "render") == 0 ||
                strcmp(c->command, "record") == 0 ||
                strcmp(c->command, "diff") == 0;
  if (c->format) {
    bool table = strcmp(c->format, "text") == 0 || strcmp(c->format, "tsv") == 0;
    if (table && !top)
      return usage_error("--format %s is for top", c->format);
    if (!table && !render)
      return usage_error("--format %s is for render", c->format);
    c->top.tsv = strcmp(c->format, "tsv") == 0;
  }
  /* render draws; folded stacks come from collapse (record picks by -o) */
  if (strcmp(c->command, "render") == 0 && !c->format && c->output &&
      ends_with(c->output, ".folded"))
    return usage_error("render draws a flame graph, not folded stacks: use "
                       "'prof-render collapse -o %s'", c->output);
  if (render && strcmp(c->command, "diff") != 0 && !c->output &&
      image_format(c) != PRF_IMAGE_SVG && isatty(1))
    return usage_error("will not write a %s to a terminal: use -o FILE or "
                       "redirect standard output",
                       image_format(c) == PRF_IMAGE_PNG ? "PNG" : "PDF");
  return -1;
}

/* --sample-type: a column by its name, or by its 0-based index. */
static prf_status select_sample_type(prf_profile *p, const char *want,
                                     prf_error *err) {
  size_t n = prf_value_count(p);
  for (size_t i = 0; i < n; i++)
    if (strcmp(prf_value_type(p, i), want) == 0)
      return prf_value_set_default(p, i);
  char *end;
  unsigned long idx = strtoul(want, &end, 10);
  if (*want && *end == '\0' && idx < n)
    return prf_value_set_default(p, idx);
  prf_error_clear(err);
  err->code = PRF_E_USAGE;
  int o = snprintf(err->message, sizeof err->message,
                   "--sample-type '%s' is not in the profile; it has:", want);
  for (size_t i = 0; i < n && o > 0 && (size_t)o < sizeof err->message; i++)
    o += snprintf(err->message + o, sizeof err->message - (size_t)o, " %s",
                  prf_value_type(p, i));
  return PRF_E_USAGE;
}

static bool filter_set(const prf_filter *f) {
  const char *all[] = {f->focus, f->ignore, f->hide, f->show, f->prune_from,
                       f->tag_focus};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    if (all[i] && *all[i])
      return true;
  return false;
}

/* Reads the inputs into p (merged), then --sample-type, the filters and,
 * when asked, the granularity. */
static prf_status prepare(cli *c, prf_profile *p, char *const *inputs,
                          size_t ninputs, bool granularity, prf_error *err) {
  prf_status st = PRF_OK;
  /* A plain top of one input needs no call tree (prf_read_options). */
  c->read.top_only = strcmp(c->command, "top") == 0 && ninputs == 1 &&
                     !granularity && !filter_set(&c->filter);
  for (size_t i = 0; i < ninputs && st == PRF_OK; i++)
    st = read_input(c, p, inputs[i], err);
  if (c->warnings > MAX_WARNINGS && !c->quiet)
    fprintf(stderr, "prof-render: warning: %zu more problems not shown\n",
            c->warnings - MAX_WARNINGS);
  c->warnings = 0;
  if (st == PRF_OK && c->sample_type)
    st = select_sample_type(p, c->sample_type, err);
  if (st == PRF_OK)
    st = prf_profile_filter(p, &c->filter, err);
  if (st == PRF_OK && granularity)
    st = prf_profile_set_granularity(p, c->granularity, c->noinlines, err);
  return st;
}

/* No INPUT: standard input. */
static void stdin_if_none(char ***inputs, size_t *ninputs) {
  static char *const stdin_only[] = {"-"};
  if (*ninputs == 0) {
    *inputs = (char **)stdin_only;
    *ninputs = 1;
  }
}

static int run(cli *c, char **inputs, size_t ninputs) {
  stdin_if_none(&inputs, &ninputs);
  prf_error err;
  prf_error_clear(&err);
  if (strcmp(c->command, "render") == 0 &&
      prf_flame_options_check(&c->flame, &err) != PRF_OK) {
    fprintf(stderr, "prof-render: %s (see 'prof-render --help')\n", err.message);
    return EXIT_USAGE;
  }
  prf_profile *p = prf_profile_new();
  if (!p) {
    fprintf(stderr, "prof-render: out of memory\n");
    return EXIT_OSERR;
  }
  double t0 = now();
  /* convert keeps every detail unless a granularity is asked for; top
     already groups by function name, the default granularity. */
  bool want_granularity =
      strcmp(c->command, "convert") == 0 || strcmp(c->command, "info") == 0
          ? c->granularity_set || c->noinlines
          : !(strcmp(c->command, "top") == 0 &&
              c->granularity == PRF_GRAN_FUNCTIONS && !c->noinlines);
  prf_status st = prepare(c, p, inputs, ninputs, want_granularity, &err);
  double t1 = now();
  long read_rss = peak_rss();
  prf_render_times times = {0, 0, 0};
  if (st == PRF_OK) {
    sink out;
    st = sink_open(&out, c->output, &err);
    if (st == PRF_OK) {
      if (strcmp(c->command, "collapse") == 0)
        st = prf_profile_write(p, "folded", sink_write, &out, &err);
      else if (strcmp(c->command, "top") == 0)
        st = prf_top_write(p, &c->top, sink_write, &out, &err);
      else if (strcmp(c->command, "info") == 0)
        st = prf_info_write(p, sink_write, &out, &err);
      else if (strcmp(c->command, "convert") == 0)
        st = prf_profile_write(p, convert_format(c), sink_write, &out, &err);
      else
        st = prf_flame_write(p, &c->flame, image_format(c), sink_write, &out,
                             &times, &err);
      if (st == PRF_E_OUTPUT)
        snprintf(err.message, sizeof err.message, "cannot write output: %s",
                 strerror(errno));
      st = sink_close(&out, st, &err);
    }
  }
  double t2 = now();
  if (c->timings)
    print_timings(t1 - t0, read_rss, t2 - t1, &times);
  if (st != PRF_OK)
    report(&err);
  prf_profile_free(p);
  return exit_code(st);
}

/* ---- diff ---- */

/* Reads each file of a side as one run. */
static prf_status load_runs(cli *c, const char *const *files, size_t n,
                            prf_profile **runs, prf_error *err) {
  prf_status st = PRF_OK;
  for (size_t i = 0; i < n && st == PRF_OK; i++) {
    if (!(runs[i] = prf_profile_new()))
      return cli_fail(err, PRF_E_NOMEM, "out of memory");
    char *one[] = {(char *)files[i]};
    st = prepare(c, runs[i], one, 1, true, err);
  }
  return st;
}

static bool is_folded_name(const char *path) {
  return path && (ends_with(path, ".folded") || ends_with(path, ".txt"));
}

/* The graph (-o) and the report (stdout or --summary-file). */
static prf_status diff_outputs(cli *c, prf_profile *const *base, size_t nb,
                               prf_profile *const *next, size_t nn,
                               const prf_diff *d, prf_error *err) {
  prf_status st = PRF_OK;
  if (c->output) {
    prf_profile *dp = prf_profile_new();
    if (!dp)
      return cli_fail(err, PRF_E_NOMEM, "out of memory");
    st = prf_diff_profile((const prf_profile *const *)base, nb,
                          (const prf_profile *const *)next, nn, &c->diff,
                          c->absolute, dp, err);
    sink out;
    if (st == PRF_OK)
      st = sink_open(&out, c->output, err);
    if (st == PRF_OK) {
      if (is_folded_name(c->output))
        st = prf_profile_write(dp, "folded", sink_write, &out, err);
      else
        st = prf_flame_write(dp, &c->flame, image_format(c), sink_write, &out,
                             NULL, err);
      st = sink_close(&out, st, err);
    }
    prf_profile_free(dp);
    if (st != PRF_OK)
      return st;
  }
  const char *form = c->summary ? c->summary : "text";
  prf_diff_format fmt = strcmp(form, "markdown") == 0 ? PRF_DIFF_MARKDOWN
                        : strcmp(form, "json") == 0   ? PRF_DIFF_JSON
                        : strcmp(form, "junit") == 0  ? PRF_DIFF_JUNIT
                                                      : PRF_DIFF_TEXT;
  bool color = fmt == PRF_DIFF_TEXT && !c->summary_file && isatty(1) &&
               !getenv("NO_COLOR");
  size_t rows = c->top.node_count ? c->top.node_count : 20;
  sink rep;
  st = sink_open(&rep, c->summary_file, err);
  if (st == PRF_OK) {
    st = prf_diff_write(d, fmt, fmt == PRF_DIFF_JSON || fmt == PRF_DIFF_JUNIT ? 0 : rows,
                        color, sink_write, &rep, err);
    st = sink_close(&rep, st, err);
  }
  return st;
}

static int run_diff(cli *c, char **before, size_t nbefore, char **after,
                    size_t nafter) {
  /* BASE NEW, or BASE... -- NEW..., plus --base-files/--new-files */
  if (nafter == 0 && nbefore == 2 && !c->nbase_files && !c->nnew_files) {
    after = before + 1;
    nafter = 1;
    nbefore = 1;
  }
  size_t nb = c->nbase_files + nbefore, nn = c->nnew_files + nafter;
  if (nb == 0 || nn == 0)
    return usage_error("diff needs BASE and NEW profiles: diff BASE NEW, "
                       "diff BASE... -- NEW..., or --base-files/--new-files");
  if (nafter == 0 && nbefore > 0 && (c->nbase_files == 0 || c->nnew_files == 0))
    return usage_error("with several profiles, separate BASE... from NEW... "
                       "with --, or use --base-files and --new-files");
  prf_error err;
  prf_error_clear(&err);
  prf_status st = prf_flame_options_check(&c->flame, &err);
  if (st == PRF_OK)
    st = prf_diff_options_check(&c->diff, &err);
  if (st != PRF_OK) {
    fprintf(stderr, "prof-render: %s (see 'prof-render --help')\n", err.message);
    return EXIT_USAGE;
  }
  const char **bf = calloc(nb, sizeof *bf), **nf = calloc(nn, sizeof *nf);
  prf_profile **base = calloc(nb, sizeof *base), **next = calloc(nn, sizeof *next);
  if (!bf || !nf || !base || !next) {
    st = cli_fail(&err, PRF_E_NOMEM, "out of memory");
  } else {
    for (size_t i = 0; i < nb; i++)
      bf[i] = i < c->nbase_files ? c->base_files[i] : before[i - c->nbase_files];
    for (size_t i = 0; i < nn; i++)
      nf[i] = i < c->nnew_files ? c->new_files[i] : after[i - c->nnew_files];
    if (c->match_lines)
      c->granularity = PRF_GRAN_LINES;
    st = load_runs(c, bf, nb, base, &err);
    if (st == PRF_OK)
      st = load_runs(c, nf, nn, next, &err);
  }
  prf_diff d;
  memset(&d, 0, sizeof d);
  if (st == PRF_OK)
    st = prf_diff_compute((const prf_profile *const *)base, nb,
                          (const prf_profile *const *)next, nn, &c->diff, &d,
                          &err);
  if (st == PRF_OK)
    st = diff_outputs(c, base, nb, next, nn, &d, &err);
  int rc = exit_code(st);
  if (st != PRF_OK)
    report(&err);
  else if (c->fail_on_regression && d.regressions)
    rc = 1;
  prf_diff_free(&d);
  for (size_t i = 0; base && i < nb; i++)
    prf_profile_free(base[i]);
  for (size_t i = 0; next && i < nn; i++)
    prf_profile_free(next[i]);
  free(base);
  free(next);
  free(bf);
  free(nf);
  return rc;
}

/* ---- report ---- */

/* report INPUT...: the inputs merged into one profile, as render merges
 * them; with --base, the INPUTs are NEW runs and the page compares. */
static int run_report(cli *c, char **inputs, size_t ninputs) {
  stdin_if_none(&inputs, &ninputs);
  prf_error err;
  prf_error_clear(&err);
  prf_report_options *o = &c->report;
  o->title = c->flame.title;
  prf_status st = prf_report_options_check(o, &err);
  if (st == PRF_OK && c->nbase_files)
    st = prf_diff_options_check(&c->diff, &err);
  if (st != PRF_OK) {
    fprintf(stderr, "prof-render: %s (see 'prof-render --help')\n", err.message);
    return EXIT_USAGE;
  }
  double t0 = now();
  size_t nb = c->nbase_files, nfiles = nb + ninputs;
  const char **files = calloc(nfiles, sizeof *files);
  prf_profile **runs = calloc(nfiles, sizeof *runs);
  prf_profile *shown = NULL;
  prf_diff d;
  memset(&d, 0, sizeof d);
  if (!files || !runs) {
    st = cli_fail(&err, PRF_E_NOMEM, "out of memory");
  } else {
    for (size_t i = 0; i < nfiles; i++)
      files[i] = i < nb ? c->base_files[i] : inputs[i - nb];
    o->files = files;
    o->nfiles = nfiles;
  }
  if (st == PRF_OK && nb == 0) {
    /* the tables need lines: no granularity unless asked for */
    if (!(shown = runs[0] = prf_profile_new()))
      st = cli_fail(&err, PRF_E_NOMEM, "out of memory");
    else
      st = prepare(c, shown, inputs, ninputs, c->granularity_set || c->noinlines,
                   &err);
  } else if (st == PRF_OK) {
    if (c->match_lines)
      c->granularity = PRF_GRAN_LINES;
    st = load_runs(c, files, nfiles, runs, &err);
    const prf_profile *const *base = (const prf_profile *const *)runs;
    if (st == PRF_OK)
      st = prf_diff_compute(base, nb, base + nb, ninputs, &c->diff, &d, &err);
    if (st == PRF_OK && !(shown = prf_profile_new()))
      st = cli_fail(&err, PRF_E_NOMEM, "out of memory");
    if (st == PRF_OK)
      st = prf_diff_profile(base, nb, base + nb, ninputs, &c->diff, c->absolute,
                            shown, &err);
    o->diff = &d;
    o->info = runs[nb];
  }
  double t1 = now();
  long read_rss = peak_rss();
  if (st == PRF_OK) {
    sink out;
    st = sink_open(&out, c->output, &err);
    if (st == PRF_OK) {
      st = prf_report_write(shown, o, sink_write, &out, &err);
      st = sink_close(&out, st, &err);
    }
  }
  if (c->timings)
    print_timings(t1 - t0, read_rss, now() - t1, NULL);
  if (st != PRF_OK)
    report(&err);
  prf_diff_free(&d);
  if (nb && shown)
    prf_profile_free(shown);
  for (size_t i = 0; runs && i < nfiles; i++)
    prf_profile_free(runs[i]);
  free(runs);
  free(files);
  return exit_code(st);
}

/* record: perf record, perf script into a temporary file, then the same
 * path as render with the perf reader. */
static int record(cli *c, char **command) {
  char *script;
  int rc = record_profile(c->frequency, command, &script);
  if (rc)
    return rc;
  c->input_format = "perf";
  c->input_label = "perf script output";
  char *inputs[] = {script};
  /* -o names what to keep: an HTML report, folded stacks or a profile (as
     convert writes them), else a flame graph (--format picks one). */
  const char *o = c->output && !c->format ? c->output : "";
  if (ends_with(o, ".html")) {
    c->command = "report";
    rc = run_report(c, inputs, 1);
  } else {
    c->command = profile_format_of(o) ? "convert" : "render";
    rc = run(c, inputs, 1);
  }
  record_cleanup(script);
  return rc;
}

/* First touches of fresh memory cost a page fault per 4 KiB (about 7 us
 * on this project's VMs: half the CPU time of a small top). The heap is made
 * to start with a large free region offered to transparent huge pages,
 * one fault per 2 MiB; the memory is only used as it is needed. */
static void prefer_huge_pages(void) {
#if defined(__GLIBC__) && defined(MADV_HUGEPAGE)
  enum { HUGE = 2 << 20, REGION = 64 << 20 };
  mallopt(M_MMAP_THRESHOLD, 2 * REGION); /* the region comes from the heap */
  mallopt(M_TRIM_THRESHOLD, 4 * REGION); /* and stays there once freed */
  char *p = malloc(REGION);
  mallopt(M_MMAP_THRESHOLD, 4 * HUGE);   /* larger arrays: their own maps */
  if (!p)
    return;
  uintptr_t start = ((uintptr_t)p + HUGE - 1) & ~(uintptr_t)(HUGE - 1);
  uintptr_t end = ((uintptr_t)p + REGION) & ~(uintptr_t)(HUGE - 1);
  madvise((void *)start, end - start, MADV_HUGEPAGE); /* advice only */
  free(p);
#endif
}

/* The progress line goes to a terminal that can redraw a line in place. */
static FILE *progress_terminal(const cli *c) {
  const char *term = getenv("TERM");
  if (c->quiet || !isatty(STDERR_FILENO) || (term && strcmp(term, "dumb") == 0))
    return NULL;
  return stderr;
}

int main(int argc, char **argv) {
  double start = now();
  prefer_huge_pages();
  cli c;
  memset(&c, 0, sizeof c);
  c.command = "render";
  prf_read_options_init(&c.read);
  prf_flame_options_init(&c.flame);
  int first = 1;
  prf_top_options_init(&c.top);
  prf_diff_options_init(&c.diff);
  prf_report_options_init(&c.report);
  if (argc > 1 && (strcmp(argv[1], "render") == 0 ||
                   strcmp(argv[1], "collapse") == 0 ||
                   strcmp(argv[1], "top") == 0 ||
                   strcmp(argv[1], "info") == 0 ||
                   strcmp(argv[1], "record") == 0 ||
                   strcmp(argv[1], "diff") == 0 ||
                   strcmp(argv[1], "report") == 0 ||
                   strcmp(argv[1], "convert") == 0 ||
                   strcmp(argv[1], "merge") == 0)) {
    /* merge is convert under the name people look for: inputs are always
       merged into one profile. */
    c.command = strcmp(argv[1], "merge") == 0 ? "convert" : argv[1];
    first = 2;
  }
  argv[first - 1] = argv[0];
  /* diff BASE... -- NEW...: the NEW side is split off before the options
     are parsed (getopt would take "--" for the end of the options). */
  int nargs = argc;
  char **after = NULL;
  size_t nafter = 0;
  if (strcmp(c.command, "diff") == 0) {
    c.flame.diff_details = 1; /* both values in tooltips, a legend... */
    for (int i = first; i < argc; i++)
      if (strcmp(argv[i], "--") == 0) {
        after = argv + i + 1;
        nafter = (size_t)(argc - i - 1);
        nargs = i;
        break;
      }
  }
  int rc = parse_args(&c, nargs - first + 1, argv + first - 1);
  progress_init(&c.progress, progress_terminal(&c), start);
  if (rc < 0)
    rc = check_format(&c);
  if (rc >= 0)
    return rc;
  if (strcmp(c.command, "record") == 0)
    return record(&c, argv + first - 1 + optind);
  if (strcmp(c.command, "report") == 0) {
    rc = run_report(&c, argv + first - 1 + optind,
                    (size_t)(argc - first + 1 - optind));
    free(c.base_files);
    free(c.new_files);
    return rc;
  }
  if (strcmp(c.command, "diff") == 0) {
    rc = run_diff(&c, argv + first - 1 + optind,
                  (size_t)(nargs - first + 1 - optind), after, nafter);
    free(c.base_files);
    free(c.new_files);
    return rc;
  }
  return run(&c, argv + first - 1 + optind, (size_t)(argc - first + 1 - optind));
}
