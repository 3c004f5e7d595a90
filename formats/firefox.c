/*
 * firefox.c - the Firefox Profiler's formats.
 *
 * Gecko profile (what Firefox writes): every thread has tables of the form
 * {schema: {column: index}, data: [[row], ...]} for samples, stacks and
 * frames, and its own stringTable; frames are location strings
 * ("name (url:line:col)", "0xaddr", "name (in lib)") that are parsed the
 * way the Firefox Profiler parses them. Sub-process profiles sit under
 * "processes" (very old files put them into "threads" as JSON strings);
 * their times are relative to their own meta.startTime. A DevTools
 * recording wraps a Gecko profile under "profile".
 *
 * Processed profile (what profiler.firefox.com saves): struct-of-arrays
 * tables ({column: [...], length}) per thread, or since version 60 shared
 * by all threads under "shared"; strings per thread or, since version 56,
 * in shared.stringArray; file names in funcTable.fileName or, since 58, in
 * shared.sources; stack prefixes as indexes or, in the newest versions, as
 * prefixOffset (0: a root, else the prefix is that many rows earlier).
 *
 * Both become the same internal tables. A stack resolves to a call tree
 * node through its prefix chain, iteratively and memoised per thread; a
 * chain that comes back to itself is refused. Each sample weighs the time
 * to the thread's next sample (the last one: meta.interval), which is how
 * the Firefox Profiler times samples; --weight samples counts them.
 */
#include "firefox.h"

#include "json.h"
#include "reader.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The newest versions whose layout this reader knows. */
enum { NEWEST_PROCESSED = 70, NEWEST_GECKO = 36 };

#define NODE_UNKNOWN PRF_NONE
#define NODE_BUSY (PRF_NONE - 1)

/* ---- tables: Gecko rows or processed columns behind one interface ---- */

typedef struct ff_tab {
  char path[160];      /* ".threads[0].stackTable" */
  size_t n;            /* rows */
  bool gecko;          /* {schema, data} rows, else struct of arrays */
  const cJSON **rows;  /* gecko: the rows of data */
  const cJSON *schema; /* gecko */
  const cJSON *obj;    /* the table object (NULL: absent) */
} ff_tab;

typedef struct ff_col {
  const ff_tab *tab;
  const char *name;
  int index;          /* gecko: the column's position in a row, -1 absent */
  const cJSON **items; /* processed: the column's items, NULL absent */
} ff_col;

typedef struct ff_strs {
  const cJSON **items;
  size_t n;
} ff_strs;

/* Everything a thread's stacks refer to: per thread, or shared. */
typedef struct ff_tables {
  bool gecko, js_names; /* js_names: old processed funcs hold "f (url:1)" */
  ff_tab stacks, frames, funcs, resources, sources;
  ff_col st_prefix, st_offset, st_frame;
  ff_col fr_location, fr_func, fr_line, fr_column, fr_address;
  ff_col fn_name, fn_file, fn_source, fn_line, fn_column, fn_js, fn_resource;
  ff_col rs_name, src_file;
  ff_strs strs;
  int64_t *prefix; /* per stack: the prefix row, -1 for a root */
  int64_t *frame;  /* per stack: the frame row */
  prf_fid *fids;   /* per frame: interned lazily, PRF_NONE until then */
  const cJSON *libs; /* gecko: the process's libraries */
  bool loaded;
} ff_tables;

/* A sample waiting to be recorded in time order. */
typedef struct ff_sample {
  int64_t time;
  double value;
  prf_node leaf;
  uint32_t thread;
} ff_sample;

/* A thread found in the input, before it is read. */
typedef struct ff_thread {
  const cJSON *obj;
  char path[160];
  double offset_ms; /* added to its sample times (sub-process start) */
  const cJSON *libs; /* gecko: its process's libraries (an array) */
} ff_thread;

typedef struct ff_reader {
  prf_profile *p;
  const prf_read_options *o;
  prf_error *err;
  bool by_time;
  bool processed;
  int64_t version;
  int64_t start_ns; /* the root profile's meta.startTime */
  double interval;  /* milliseconds */
  ff_thread *threads;
  size_t nthreads, threads_cap;
  cJSON **owned; /* sub-process profiles parsed from strings */
  size_t nowned, owned_cap;
  ff_sample *samples;
  size_t nsamples, samples_cap;
  uint32_t *walk;
  size_t walk_cap;
} ff_reader;

static prf_status nomem(ff_reader *r) {
  return prf_fail(r->err, PRF_E_NOMEM, "out of memory reading a Firefox profile");
}

static void path_join(char *out, size_t size, const char *base,
                      const char *key) {
  snprintf(out, size, "%s.%s", base, key);
}

static void warn(ff_reader *r, const char *message) {
  prf_reader_warn(r->o, 0, "%s", message);
}

/* A vector of an array's items: cJSON arrays are linked lists. */
static prf_status array_items(ff_reader *r, const cJSON *arr,
                              const cJSON ***out, size_t *n) {
  const prf_allocator *mem = &r->p->mem;
  size_t count = 0, cap = 0;
  const cJSON **v = NULL;
  for (const cJSON *it = arr ? arr->child : NULL; it; it = it->next) {
    if (count == cap &&
        !prf_grow(mem, (void **)&v, &cap, count + 1, sizeof *v)) {
      prf_mem_free(mem, v);
      return nomem(r);
    }
    v[count++] = it;
  }
  *out = v;
  *n = count;
  return PRF_OK;
}

static prf_status fail_at(ff_reader *r, const char *path, const char *what,
                          const cJSON *item) {
  if (!item)
    return prf_fail(r->err, PRF_E_DATA, "at %s: expected %s, but it is missing",
                    path, what);
  return prf_fail(r->err, PRF_E_DATA, "at %s: expected %s, found %s", path,
                  what, prf_json_type_name(item));
}

/* Opens the table obj[key] (required unless opt). */
static prf_status tab_open(ff_reader *r, const cJSON *obj, const char *base,
                           const char *key, bool gecko, bool opt, ff_tab *t) {
  memset(t, 0, sizeof *t);
  t->gecko = gecko;
  path_join(t->path, sizeof t->path, base, key);
  const cJSON *v = prf_json_get(obj, key);
  if (!v || cJSON_IsNull(v)) {
    if (opt)
      return PRF_OK;
    return fail_at(r, t->path, "an object (a table)", v);
  }
  if (!cJSON_IsObject(v))
    return fail_at(r, t->path, "an object (a table)", v);
  t->obj = v;
  if (gecko) {
    char p[200];
    const cJSON *schema = prf_json_get(v, "schema");
    const cJSON *data = prf_json_get(v, "data");
    path_join(p, sizeof p, t->path, "schema");
    if (!cJSON_IsObject(schema))
      return fail_at(r, p, "an object mapping column names to indexes", schema);
    path_join(p, sizeof p, t->path, "data");
    if (!cJSON_IsArray(data))
      return fail_at(r, p, "an array of rows", data);
    t->schema = schema;
    prf_status st = array_items(r, data, &t->rows, &t->n);
    if (st != PRF_OK)
      return st;
    for (size_t i = 0; i < t->n; i++)
      if (!cJSON_IsArray(t->rows[i])) {
        snprintf(p, sizeof p, "%s.data[%zu]", t->path, i);
        return fail_at(r, p, "an array (a row)", t->rows[i]);
      }
    return PRF_OK;
  }
  /* Struct of arrays: "length", else the length of the first array. */
  const cJSON *len = prf_json_get(v, "length");
  if (len && !cJSON_IsNull(len)) {
    char p[200];
    path_join(p, sizeof p, t->path, "length");
    double d = cJSON_IsNumber(len) ? len->valuedouble : -1;
    if (!(d >= 0 && d <= 4e9 && d == floor(d)))
      return fail_at(r, p, "a whole number from 0 to 4000000000", len);
    t->n = (size_t)d;
    return PRF_OK;
  }
  for (const cJSON *c = v->child; c; c = c->next)
    if (cJSON_IsArray(c)) {
      t->n = (size_t)cJSON_GetArraySize(c);
      break;
    }
  return PRF_OK;
}

static void tab_close(const prf_allocator *mem, ff_tab *t) {
  prf_mem_free(mem, t->rows);
  t->rows = NULL;
}

/* Finds column name of a table; required columns must be present. */
static prf_status col_open(ff_reader *r, const ff_tab *t, const char *name,
                           bool required, ff_col *c) {
  const prf_allocator *mem = &r->p->mem;
  memset(c, 0, sizeof *c);
  c->tab = t;
  c->name = name;
  c->index = -1;
  char p[200];
  if (!t->obj) {
    if (required)
      return fail_at(r, t->path, "an object (a table)", NULL);
    return PRF_OK;
  }
  if (t->gecko) {
    const cJSON *v = prf_json_get(t->schema, name);
    snprintf(p, sizeof p, "%s.schema.%s", t->path, name);
    if (!v || cJSON_IsNull(v)) {
      if (required)
        return fail_at(r, p, "the index of a column", v);
      return PRF_OK;
    }
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble < 1000) ||
        v->valuedouble != floor(v->valuedouble))
      return fail_at(r, p, "a column index from 0 to 999", v);
    c->index = (int)v->valuedouble;
    return PRF_OK;
  }
  const cJSON *v = prf_json_get(t->obj, name);
  path_join(p, sizeof p, t->path, name);
  if (!v || cJSON_IsNull(v)) {
    if (required)
      return fail_at(r, p, "an array (a column)", v);
    return PRF_OK;
  }
  if (!cJSON_IsArray(v))
    return fail_at(r, p, "an array (a column)", v);
  size_t n;
  prf_status st = array_items(r, v, &c->items, &n);
  if (st != PRF_OK)
    return st;
  if (n < t->n) {
    prf_mem_free(mem, c->items);
    c->items = NULL;
    return prf_fail(r->err, PRF_E_DATA,
                    "at %s: expected %zu items (the table's length), found %zu",
                    p, t->n, n);
  }
  return PRF_OK;
}

static void col_close(const prf_allocator *mem, ff_col *c) {
  prf_mem_free(mem, c->items);
  c->items = NULL;
}

static bool col_present(const ff_col *c) {
  return c->tab && (c->tab->gecko ? c->index >= 0 : c->items != NULL);
}

static const cJSON *cell(const ff_col *c, size_t i) {
  if (!c->tab || i >= c->tab->n)
    return NULL;
  if (c->tab->gecko)
    return c->index < 0 ? NULL : cJSON_GetArrayItem(c->tab->rows[i], c->index);
  return c->items ? c->items[i] : NULL;
}

static void cell_path(const ff_col *c, size_t i, char *buf, size_t size) {
  if (c->tab->gecko)
    snprintf(buf, size, "%s.data[%zu][%d] (%s)", c->tab->path, i, c->index,
             c->name);
  else
    snprintf(buf, size, "%s.%s[%zu]", c->tab->path, c->name, i);
}

static prf_status cell_fail(ff_reader *r, const ff_col *c, size_t i,
                            const char *what, const cJSON *item) {
  char at[256];
  cell_path(c, i, at, sizeof at);
  return fail_at(r, at, what, item);
}

/* A number, or *present = false for null or a missing cell. */
static prf_status cell_num(ff_reader *r, const ff_col *c, size_t i,
                           double *out, bool *present) {
  const cJSON *v = cell(c, i);
  *present = false;
  if (!v || cJSON_IsNull(v))
    return PRF_OK;
  if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble))
    return cell_fail(r, c, i, "a finite number", v);
  *out = v->valuedouble;
  *present = true;
  return PRF_OK;
}

/* An index into a table of limit rows; -1 when nullable and null, missing
 * or -1 (the processed format's "none"). */
static prf_status cell_index(ff_reader *r, const ff_col *c, size_t i,
                             bool nullable, const char *target, size_t limit,
                             int64_t *out) {
  const cJSON *v = cell(c, i);
  if (!v || cJSON_IsNull(v)) {
    if (nullable) {
      *out = -1;
      return PRF_OK;
    }
    return cell_fail(r, c, i, "an index (a whole number)", v);
  }
  double d = cJSON_IsNumber(v) ? v->valuedouble : NAN;
  if (!isfinite(d) || d != floor(d))
    return cell_fail(r, c, i, "an index (a whole number)", v);
  if (nullable && d == -1) {
    *out = -1;
    return PRF_OK;
  }
  if (d < 0 || d >= (double)limit) {
    char at[256];
    cell_path(c, i, at, sizeof at);
    return prf_fail(r->err, PRF_E_DATA,
                    "at %s: index %.0f is out of range: expected an index into "
                    "%s, which has %zu row%s",
                    at, d, target, limit, limit == 1 ? "" : "s");
  }
  *out = (int64_t)d;
  return PRF_OK;
}

/* A non-negative whole number that fits a line or column, 0 otherwise. */
static uint32_t cell_u32(ff_reader *r, const ff_col *c, size_t i,
                         prf_status *st) {
  double d;
  bool present;
  *st = cell_num(r, c, i, &d, &present);
  if (*st != PRF_OK || !present || d < 0 || d > UINT32_MAX)
    return 0;
  return (uint32_t)d;
}

/* The string at index idx of the table's strings. */
static prf_status str_at(ff_reader *r, const ff_tables *t, const ff_col *c,
                         size_t row, int64_t idx, const char **out) {
  if (idx < 0 || (uint64_t)idx >= t->strs.n) {
    char at[256];
    cell_path(c, row, at, sizeof at);
    return prf_fail(r->err, PRF_E_DATA,
                    "at %s: string index %lld is out of range: the string "
                    "table has %zu strings",
                    at, (long long)idx, t->strs.n);
  }
  const cJSON *s = t->strs.items[idx];
  if (!cJSON_IsString(s) || !s->valuestring) {
    char at[256];
    cell_path(c, row, at, sizeof at);
    return prf_fail(r->err, PRF_E_DATA,
                    "at %s: string %lld of the string table: expected a "
                    "string, found %s",
                    at, (long long)idx, prf_json_type_name(s));
  }
  *out = s->valuestring;
  return PRF_OK;
}

/* ---- location strings, parsed as the Firefox Profiler parses them ---- */

typedef struct ff_loc {
  const char *name, *file, *module;
  size_t name_len, file_len, module_len;
  uint32_t line, column;
  uint64_t address;
  bool root_scope; /* "url:line": the name is "(root scope) url" */
} ff_loc;

static uint32_t to_u32(const char *s, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n && v <= UINT32_MAX; i++)
    v = v * 10 + (uint64_t)(s[i] - '0');
  return v > UINT32_MAX ? 0 : (uint32_t)v;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* The ":line" or ":line:col" at the end of s[0..n): *t1 is the last
 * colon, *t2 the one before it when there are two numbers (else
 * SIZE_MAX). False without such an end. */
static bool num_tail(const char *s, size_t n, size_t *t1, size_t *t2) {
  size_t k = n;
  while (k > 0 && is_digit(s[k - 1]))
    k--;
  if (k == n || k == 0 || s[k - 1] != ':')
    return false;
  *t1 = k - 1;
  size_t j = k - 1;
  while (j > 0 && is_digit(s[j - 1]))
    j--;
  *t2 = j < k - 1 && j > 0 && s[j - 1] == ':' ? j - 1 : SIZE_MAX;
  return true;
}

/* s[start..end) is "X:line" or "X:line:col" with X non-empty; the
 * shortest X wins (the Firefox Profiler's lazy (.+?)), so "a.js:5:6" is
 * line 5, column 6. */
static bool split_url_line(const char *s, size_t start, size_t end,
                           size_t t1, size_t t2, ff_loc *loc) {
  size_t x = t2 != SIZE_MAX && t2 > start ? t2 : t1;
  if (x <= start)
    return false;
  loc->file = s + start;
  loc->file_len = x - start;
  if (x == t2) {
    loc->line = to_u32(s + t2 + 1, t1 - t2 - 1);
    loc->column = to_u32(s + t1 + 1, end - t1 - 1);
  } else {
    loc->line = to_u32(s + t1 + 1, end - t1 - 1);
  }
  return true;
}

/* JS: "name (url:line[:col])[N]" or "url:line[:col][N]". Linear time: the
 * numbers can only be the end, and the greedy name takes the last " (". */
static bool parse_js(const char *s, size_t n, ff_loc *loc) {
  if (n && s[n - 1] == ']') { /* a source index "[5]" */
    size_t k = n - 1;
    while (k > 0 && is_digit(s[k - 1]))
      k--;
    if (k > 0 && k < n - 1 && s[k - 1] == '[')
      n = k - 1;
  }
  size_t t1, t2;
  if (n >= 2 && s[n - 1] == ')' && num_tail(s, n - 1, &t1, &t2))
    for (size_t i = t1 >= 3 ? t1 - 2 : 0; i-- > 0;)
      if (s[i] == ' ' && s[i + 1] == '(' &&
          split_url_line(s, i + 2, n - 1, t1, t2, loc)) {
        loc->name = s;
        loc->name_len = i;
        return true;
      }
  if (num_tail(s, n, &t1, &t2) && split_url_line(s, 0, n, t1, t2, loc)) {
    loc->root_scope = true;
    return true;
  }
  return false;
}

/* C++: "name (in lib)", "name (in lib) + 123", "name (in lib) (a:b)".
 * Linear time: the last " (in " whose closing ")" is followed by one of
 * the three ends. */
static bool parse_cpp(const char *s, size_t n, ff_loc *loc) {
  size_t plus = SIZE_MAX, k = n, last_colon = SIZE_MAX;
  while (k > 0 && is_digit(s[k - 1]))
    k--;
  if (k < n && k >= 4 && memcmp(s + k - 3, " + ", 3) == 0)
    plus = k - 4;
  for (size_t i = n - 1; n && i-- > 0;)
    if (s[i] == ':') {
      last_colon = i;
      break;
    }
  size_t close = SIZE_MAX;
  for (size_t i = n; i-- > 0;) {
    if (s[i] == ')')
      close = i;
    if (close == SIZE_MAX || n - i < 5 || memcmp(s + i, " (in ", 5) != 0)
      continue;
    bool ok = close == n - 1 || close == plus ||
              (s[n - 1] == ')' && close + 2 < n - 1 && s[close + 1] == ' ' &&
               s[close + 2] == '(' && last_colon != SIZE_MAX &&
               last_colon > close + 2);
    if (!ok)
      continue;
    static const char thunk[] = "non-virtual thunk to ";
    loc->name = s;
    loc->name_len = i;
    if (i >= sizeof thunk - 1 && memcmp(s, thunk, sizeof thunk - 1) == 0) {
      loc->name += sizeof thunk - 1;
      loc->name_len -= sizeof thunk - 1;
    }
    loc->module = s + i + 5;
    loc->module_len = close - i - 5;
    return true;
  }
  return false;
}

static void parse_location(const char *s, ff_loc *loc) {
  size_t n = strlen(s);
  memset(loc, 0, sizeof *loc);
  if (n > 2 && s[0] == '0' && s[1] == 'x') {
    loc->name = s;
    loc->name_len = n;
    char *end;
    unsigned long long a = strtoull(s + 2, &end, 16);
    if (*end == '\0')
      loc->address = a;
    return;
  }
  if (parse_cpp(s, n, loc) || parse_js(s, n, loc)) {
    /* A script URL may be a chain "a -> b": the last one is the script. */
    for (size_t i = loc->file_len; loc->file && i >= 4; i--)
      if (memcmp(loc->file + i - 4, " -> ", 4) == 0) {
        loc->file_len -= i;
        loc->file += i;
        break;
      }
    return;
  }
  loc->name = s;
  loc->name_len = n;
}

static prf_status intern(ff_reader *r, const char *s, size_t n, prf_str *out) {
  *out = 0;
  if (!s || !n)
    return PRF_OK;
  prf_status st = prf_string_intern(r->p, s, n, out);
  return st == PRF_OK ? PRF_OK : nomem(r);
}

static prf_status intern_loc(ff_reader *r, const ff_loc *loc, prf_frame *f) {
  const prf_allocator *mem = &r->p->mem;
  prf_status st;
  if (loc->root_scope) {
    prf_buf b;
    prf_buf_init(&b, mem);
    prf_buf_puts(&b, "(root scope) ");
    prf_buf_put(&b, loc->file, loc->file_len);
    st = b.failed ? nomem(r) : intern(r, b.data, b.len, &f->name);
    prf_buf_free(&b);
  } else {
    st = intern(r, loc->name, loc->name_len, &f->name);
  }
  if (st == PRF_OK)
    st = intern(r, loc->file, loc->file_len, &f->file);
  if (st == PRF_OK)
    st = intern(r, loc->module, loc->module_len, &f->module);
  if (!f->line)
    f->line = loc->line;
  if (!f->column)
    f->column = loc->column;
  if (!f->address)
    f->address = loc->address;
  return st;
}

/* ---- frames ---- */

/* Gecko profiles before version 14 and processed profiles before 17 named
 * JS entry points "AutoEntryScript <reason>"; the upgraders drop the
 * prefix. */
static const char *strip_entry(const ff_reader *r, const char *name) {
  static const char prefix[] = "AutoEntryScript ";
  bool old = r->processed ? r->version < 17 : r->version < 14;
  if (old && strncmp(name, prefix, sizeof prefix - 1) == 0)
    return name + sizeof prefix - 1;
  return name;
}

/* Before processed version 18, a JS function with a column number had
 * "file:line" in fileName and the column in lineNumber. */
static void fix_file_line(const ff_reader *r, prf_frame *f, const char **file,
                          size_t *file_len, uint32_t fn_line) {
  size_t n = strlen(*file), k = n;
  *file_len = n;
  if (!r->processed || r->version >= 18)
    return;
  while (k > 0 && (*file)[k - 1] >= '0' && (*file)[k - 1] <= '9')
    k--;
  if (k == n || k < 1 || (*file)[k - 1] != ':')
    return;
  f->column = fn_line;
  f->line = to_u32(*file + k, n - k);
  *file_len = k - 1;
}

/* The library whose mapping holds an unsymbolicated address: it becomes
 * the frame's module and the address library-relative, as the Firefox
 * Profiler does. */
static void locate_address(const cJSON *libs, ff_loc *loc) {
  for (const cJSON *lib = libs ? libs->child : NULL; lib; lib = lib->next) {
    const cJSON *start = prf_json_get(lib, "start");
    const cJSON *end = prf_json_get(lib, "end");
    const cJSON *name = prf_json_get(lib, "name");
    if (!cJSON_IsNumber(start) || !cJSON_IsNumber(end) || !cJSON_IsString(name))
      continue;
    double a = (double)loc->address;
    if (!(start->valuedouble >= 0 && a >= start->valuedouble &&
          a < end->valuedouble))
      continue;
    const char *n = name->valuestring;
    const char *slash = strrchr(n, '/'); /* old files: a path */
    if (slash && slash[1])
      n = slash + 1;
    loc->module = n;
    loc->module_len = strlen(n);
    loc->address -= (uint64_t)start->valuedouble;
    return;
  }
}

static prf_status gecko_frame(ff_reader *r, ff_tables *t, size_t i,
                              prf_frame *f) {
  int64_t s;
  const char *location;
  prf_status st = cell_index(r, &t->fr_location, i, false, "the string table",
                             t->strs.n, &s);
  if (st == PRF_OK)
    st = str_at(r, t, &t->fr_location, i, s, &location);
  if (st == PRF_OK)
    f->line = cell_u32(r, &t->fr_line, i, &st);
  if (st == PRF_OK)
    f->column = cell_u32(r, &t->fr_column, i, &st);
  if (st != PRF_OK)
    return st;
  ff_loc loc;
  parse_location(strip_entry(r, location), &loc);
  if (loc.address)
    locate_address(t->libs, &loc);
  return intern_loc(r, &loc, f);
}

static prf_status processed_frame(ff_reader *r, ff_tables *t, size_t i,
                                  prf_frame *f) {
  int64_t fn, s, src, res;
  double addr;
  bool present;
  const char *name, *file = NULL;
  prf_status st = cell_index(r, &t->fr_func, i, false, "the function table",
                             t->funcs.n, &fn);
  if (st == PRF_OK)
    f->line = cell_u32(r, &t->fr_line, i, &st);
  if (st == PRF_OK)
    f->column = cell_u32(r, &t->fr_column, i, &st);
  if (st == PRF_OK)
    st = cell_num(r, &t->fr_address, i, &addr, &present);
  if (st != PRF_OK)
    return st;
  if (present && addr > 0 && addr < 18446744073709551615.0)
    f->address = (uint64_t)addr;
  size_t k = (size_t)fn;
  st = cell_index(r, &t->fn_name, k, false, "the string table", t->strs.n, &s);
  if (st == PRF_OK)
    st = str_at(r, t, &t->fn_name, k, s, &name);
  if (st == PRF_OK && col_present(&t->fn_file)) {
    st = cell_index(r, &t->fn_file, k, true, "the string table", t->strs.n, &s);
    if (st == PRF_OK && s >= 0)
      st = str_at(r, t, &t->fn_file, k, s, &file);
  } else if (st == PRF_OK && col_present(&t->fn_source)) {
    st = cell_index(r, &t->fn_source, k, true, "the source table",
                    t->sources.n, &src);
    if (st == PRF_OK && src >= 0) {
      st = cell_index(r, &t->src_file, (size_t)src, false, "the string table",
                      t->strs.n, &s);
      if (st == PRF_OK)
        st = str_at(r, t, &t->src_file, (size_t)src, s, &file);
    }
  }
  prf_frame fl;
  memset(&fl, 0, sizeof fl);
  if (st == PRF_OK)
    fl.line = cell_u32(r, &t->fn_line, k, &st);
  if (st == PRF_OK)
    fl.column = cell_u32(r, &t->fn_column, k, &st);
  if (st == PRF_OK && col_present(&t->rs_name)) {
    st = cell_index(r, &t->fn_resource, k, true, "the resource table",
                    t->resources.n, &res);
    if (st == PRF_OK && res >= 0) {
      const char *module;
      st = cell_index(r, &t->rs_name, (size_t)res, true, "the string table",
                      t->strs.n, &s);
      if (st == PRF_OK && s >= 0 && str_at(r, t, &t->rs_name, (size_t)res, s,
                                           &module) == PRF_OK)
        st = intern(r, module, strlen(module), &f->module);
    }
  }
  if (st != PRF_OK)
    return st;
  bool js = cJSON_IsTrue(cell(&t->fn_js, k));
  size_t file_len = 0;
  if (file && js)
    fix_file_line(r, &fl, &file, &file_len, fl.line);
  else if (file)
    file_len = strlen(file);
  if (!f->line)
    f->line = fl.line;
  if (!f->column)
    f->column = fl.column;
  name = strip_entry(r, name);
  ff_loc loc;
  memset(&loc, 0, sizeof loc);
  if (t->js_names && !file && js && parse_js(name, strlen(name), &loc))
    return intern_loc(r, &loc, f);
  st = intern(r, name, strlen(name), &f->name);
  if (st == PRF_OK)
    st = intern(r, file, file_len, &f->file);
  return st;
}

static prf_status frame_fid(ff_reader *r, ff_tables *t, size_t i,
                            prf_fid *out) {
  if (t->fids[i] != PRF_NONE) {
    *out = t->fids[i];
    return PRF_OK;
  }
  prf_frame f;
  memset(&f, 0, sizeof f);
  prf_status st = t->gecko ? gecko_frame(r, t, i, &f)
                           : processed_frame(r, t, i, &f);
  if (st != PRF_OK)
    return st;
  st = prf_frame_intern(r->p, &f, &t->fids[i]);
  if (st != PRF_OK) {
    char at[256];
    cell_path(t->gecko ? &t->fr_location : &t->fr_func, i, at, sizeof at);
    return prf_fail(r->err, st, "at %s: cannot add the frame", at);
  }
  *out = t->fids[i];
  return PRF_OK;
}

/* ---- stacks ---- */

static prf_status load_stacks(ff_reader *r, ff_tables *t) {
  const prf_allocator *mem = &r->p->mem;
  size_t n = t->stacks.n;
  t->prefix = prf_mem_alloc(mem, (n ? n : 1) * sizeof *t->prefix);
  t->frame = prf_mem_alloc(mem, (n ? n : 1) * sizeof *t->frame);
  t->fids =
      prf_mem_alloc(mem, (t->frames.n ? t->frames.n : 1) * sizeof *t->fids);
  if (!t->prefix || !t->frame || !t->fids)
    return nomem(r);
  for (size_t i = 0; i < t->frames.n; i++)
    t->fids[i] = PRF_NONE;
  bool offsets = col_present(&t->st_offset);
  for (size_t i = 0; i < n; i++) {
    prf_status st = cell_index(r, &t->st_frame, i, false, "the frame table",
                               t->frames.n, &t->frame[i]);
    if (st != PRF_OK)
      return st;
    if (offsets) {
      int64_t off;
      st = cell_index(r, &t->st_offset, i, false, "the rows before this one",
                      i + 1, &off);
      t->prefix[i] = off == 0 ? -1 : (int64_t)i - off;
    } else {
      st = cell_index(r, &t->st_prefix, i, true, "the stack table", n,
                      &t->prefix[i]);
    }
    if (st != PRF_OK)
      return st;
  }
  return PRF_OK;
}

static bool walk_push(ff_reader *r, size_t *len, uint32_t v) {
  const prf_allocator *mem = &r->p->mem;
  if (*len == r->walk_cap && !prf_grow(mem, (void **)&r->walk, &r->walk_cap,
                                       *len + 1, sizeof *r->walk))
    return false;
  r->walk[(*len)++] = v;
  return true;
}

/* The call tree node of stack s under root: walks the prefix chain up to a
 * stack already resolved (or a root), then creates the path down again. A
 * chain that meets itself is a cycle. */
static prf_status stack_node(ff_reader *r, ff_tables *t, prf_node *nodes,
                             prf_node root, int64_t s, prf_node *out) {
  size_t len = 0;
  int64_t cur = s;
  while (cur >= 0 && nodes[cur] == NODE_UNKNOWN) {
    if (!walk_push(r, &len, (uint32_t)cur))
      return nomem(r);
    nodes[cur] = NODE_BUSY;
    cur = t->prefix[cur];
  }
  if (cur >= 0 && nodes[cur] == NODE_BUSY) {
    while (len) /* leave the table as it was */
      nodes[r->walk[--len]] = NODE_UNKNOWN;
    return prf_fail(r->err, PRF_E_DATA,
                    "at %s: the prefix links of stack %lld form a cycle: "
                    "expected every chain of prefixes to end at a root",
                    t->stacks.path, (long long)cur);
  }
  prf_node parent = cur < 0 ? root : nodes[cur];
  prf_tree *tree = prf_profile_tree(r->p);
  while (len) {
    uint32_t k = r->walk[--len];
    prf_fid fid = PRF_NONE;
    prf_status st = frame_fid(r, t, (size_t)t->frame[k], &fid);
    if (st == PRF_OK &&
        (st = prf_tree_child(tree, parent, fid, &parent)) != PRF_OK) {
      char at[256];
      cell_path(&t->st_frame, k, at, sizeof at);
      st = prf_fail(r->err, st, "at %s: cannot add a call tree node", at);
    }
    if (st != PRF_OK) {
      nodes[k] = NODE_UNKNOWN;
      while (len)
        nodes[r->walk[--len]] = NODE_UNKNOWN;
      return st;
    }
    nodes[k] = parent;
  }
  *out = parent;
  return PRF_OK;
}

/* ---- opening a thread's tables ---- */

static prf_status strings_open(ff_reader *r, const cJSON *owner,
                               const char *base, const char *key,
                               ff_strs *s) {
  char p[200];
  path_join(p, sizeof p, base, key);
  const cJSON *arr = prf_json_get(owner, key);
  if (!cJSON_IsArray(arr))
    return fail_at(r, p, "an array of strings", arr);
  return array_items(r, arr, &s->items, &s->n);
}

static void tables_free(const prf_allocator *mem, ff_tables *t) {
  ff_col *cols[] = {&t->st_prefix, &t->st_offset, &t->st_frame,
                    &t->fr_location, &t->fr_func, &t->fr_line,
                    &t->fr_column, &t->fr_address, &t->fn_name,
                    &t->fn_file, &t->fn_source, &t->fn_line,
                    &t->fn_column, &t->fn_js, &t->fn_resource,
                    &t->rs_name, &t->src_file};
  for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
    col_close(mem, cols[i]);
  ff_tab *tabs[] = {&t->stacks, &t->frames, &t->funcs, &t->resources,
                    &t->sources};
  for (size_t i = 0; i < sizeof tabs / sizeof tabs[0]; i++)
    tab_close(mem, tabs[i]);
  prf_mem_free(mem, t->strs.items);
  prf_mem_free(mem, t->prefix);
  prf_mem_free(mem, t->frame);
  prf_mem_free(mem, t->fids);
  memset(t, 0, sizeof *t);
}

static prf_status gecko_tables(ff_reader *r, const ff_thread *th,
                               ff_tables *t) {
  memset(t, 0, sizeof *t);
  t->gecko = true;
  t->libs = th->libs;
  prf_status st = tab_open(r, th->obj, th->path, "stackTable", true, false,
                           &t->stacks);
  if (st == PRF_OK)
    st = tab_open(r, th->obj, th->path, "frameTable", true, false, &t->frames);
  if (st == PRF_OK)
    st = col_open(r, &t->stacks, "prefix", true, &t->st_prefix);
  if (st == PRF_OK)
    st = col_open(r, &t->stacks, "frame", true, &t->st_frame);
  if (st == PRF_OK)
    st = col_open(r, &t->frames, "location", true, &t->fr_location);
  if (st == PRF_OK)
    st = col_open(r, &t->frames, "line", false, &t->fr_line);
  if (st == PRF_OK)
    st = col_open(r, &t->frames, "column", false, &t->fr_column);
  if (st == PRF_OK)
    st = strings_open(r, th->obj, th->path, "stringTable", &t->strs);
  if (st == PRF_OK)
    st = load_stacks(r, t);
  return st;
}

/* owner holds the tables (a thread, or "shared"); shared holds the sources
 * and strings_owner the stringArray. */
static prf_status processed_tables(ff_reader *r, const cJSON *owner,
                                   const char *base, const cJSON *shared,
                                   const cJSON *strings_owner,
                                   const char *strings_base, ff_tables *t) {
  memset(t, 0, sizeof *t);
  prf_status st = tab_open(r, owner, base, "stackTable", false, false,
                           &t->stacks);
  if (st == PRF_OK)
    st = tab_open(r, owner, base, "frameTable", false, false, &t->frames);
  if (st == PRF_OK)
    st = tab_open(r, owner, base, "funcTable", false, false, &t->funcs);
  if (st == PRF_OK)
    st = tab_open(r, owner, base, "resourceTable", false, true, &t->resources);
  if (st == PRF_OK)
    st = tab_open(r, shared, ".shared", "sources", false, true, &t->sources);
  if (st != PRF_OK)
    return st;
  if (prf_json_get(t->stacks.obj, "prefixOffset"))
    st = col_open(r, &t->stacks, "prefixOffset", true, &t->st_offset);
  else
    st = col_open(r, &t->stacks, "prefix", true, &t->st_prefix);
  if (st == PRF_OK)
    st = col_open(r, &t->stacks, "frame", true, &t->st_frame);
  if (st == PRF_OK)
    st = col_open(r, &t->frames, "func", true, &t->fr_func);
  if (st == PRF_OK)
    st = col_open(r, &t->frames, "line", false, &t->fr_line);
  if (st == PRF_OK)
    st = col_open(r, &t->frames, "column", false, &t->fr_column);
  if (st == PRF_OK)
    st = col_open(r, &t->frames, "address", false, &t->fr_address);
  if (st == PRF_OK)
    st = col_open(r, &t->funcs, "name", true, &t->fn_name);
  if (st == PRF_OK)
    st = col_open(r, &t->funcs, "fileName", false, &t->fn_file);
  if (st == PRF_OK)
    st = col_open(r, &t->funcs, "source", false, &t->fn_source);
  if (st == PRF_OK)
    st = col_open(r, &t->funcs, "lineNumber", false, &t->fn_line);
  if (st == PRF_OK)
    st = col_open(r, &t->funcs, "columnNumber", false, &t->fn_column);
  if (st == PRF_OK)
    st = col_open(r, &t->funcs, "isJS", false, &t->fn_js);
  if (st == PRF_OK)
    st = col_open(r, &t->funcs, "resource", false, &t->fn_resource);
  if (st == PRF_OK)
    st = col_open(r, &t->resources, "name", false, &t->rs_name);
  if (st == PRF_OK)
    st = col_open(r, &t->sources, "filename", col_present(&t->fn_source),
                  &t->src_file);
  if (st == PRF_OK)
    st = strings_open(r, strings_owner, strings_base, "stringArray", &t->strs);
  /* Before file names had a column, a JS function's name was its whole
     location string, "name (url:line)". */
  t->js_names = !col_present(&t->fn_file) && !col_present(&t->fn_source);
  if (st == PRF_OK)
    st = load_stacks(r, t);
  return st;
}

/* ---- samples ---- */

typedef struct ff_samples {
  ff_tab tab;
  ff_col stack, time, delta, weight;
  bool tracing; /* weightType "tracing-ms": the weight is a duration */
} ff_samples;

static void samples_free(const prf_allocator *mem, ff_samples *s) {
  col_close(mem, &s->stack);
  col_close(mem, &s->time);
  col_close(mem, &s->delta);
  col_close(mem, &s->weight);
  tab_close(mem, &s->tab);
}

static prf_status samples_open(ff_reader *r, const ff_thread *th, bool gecko,
                               ff_samples *s) {
  memset(s, 0, sizeof *s);
  prf_status st = tab_open(r, th->obj, th->path, "samples", gecko, false,
                           &s->tab);
  if (st == PRF_OK)
    st = col_open(r, &s->tab, "stack", true, &s->stack);
  if (st == PRF_OK && !gecko && prf_json_get(s->tab.obj, "timeDeltas"))
    st = col_open(r, &s->tab, "timeDeltas", true, &s->delta);
  else if (st == PRF_OK)
    st = col_open(r, &s->tab, "time", true, &s->time);
  /* Before processed version 29 the weight column was called "duration". */
  if (st == PRF_OK)
    st = col_open(r, &s->tab,
                  !gecko && !prf_json_get(s->tab.obj, "weight") &&
                          prf_json_get(s->tab.obj, "duration")
                      ? "duration"
                      : "weight",
                  false, &s->weight);
  if (st != PRF_OK)
    return st;
  const cJSON *wt = prf_json_get(s->tab.obj, "weightType");
  if (!wt || cJSON_IsNull(wt))
    return PRF_OK;
  char p[200];
  path_join(p, sizeof p, s->tab.path, "weightType");
  if (!cJSON_IsString(wt))
    return fail_at(r, p, "a string", wt);
  if (strcmp(wt->valuestring, "tracing-ms") == 0)
    s->tracing = true;
  else if (strcmp(wt->valuestring, "samples") != 0)
    return prf_fail(r->err, PRF_E_DATA,
                    "at %s: weight type '%s' is not supported: expected "
                    "'samples' or 'tracing-ms' (CPU samples)",
                    p, wt->valuestring);
  return PRF_OK;
}

static int by_time_cmp(void *ctx, uint32_t a, uint32_t b) {
  const double *t = ctx;
  return t[a] < t[b] ? -1 : t[a] > t[b];
}

static int by_ns_cmp(void *ctx, uint32_t a, uint32_t b) {
  const int64_t *t = ctx;
  return t[a] < t[b] ? -1 : t[a] > t[b];
}

static prf_status push_sample(ff_reader *r, int64_t time, double value,
                              prf_node leaf, uint32_t thread) {
  const prf_allocator *mem = &r->p->mem;
  if (r->nsamples == r->samples_cap &&
      !prf_grow(mem, (void **)&r->samples, &r->samples_cap, r->nsamples + 1,
                sizeof *r->samples))
    return nomem(r);
  ff_sample *s = &r->samples[r->nsamples++];
  s->time = time;
  s->value = value;
  s->leaf = leaf;
  s->thread = thread;
  return PRF_OK;
}

/* The thread's root node: its root frame, or the tree's root. */
static prf_status root_node(ff_reader *r, uint32_t ti, prf_node *root) {
  if (*root != NODE_UNKNOWN)
    return PRF_OK;
  prf_fid fid = PRF_NONE;
  prf_status st = prf_thread_root(r->p, r->o, ti, &fid);
  if (st != PRF_OK)
    return prf_fail(r->err, st, "cannot add the thread's root frame");
  *root = 0;
  if (fid != PRF_NONE &&
      (st = prf_tree_child(prf_profile_tree(r->p), 0, fid, root)) != PRF_OK)
    return prf_fail(r->err, st, "cannot add a call tree node");
  return PRF_OK;
}

typedef struct ff_columns {
  double *time, *weight;
  int64_t *stack;
  uint32_t *order;
  prf_node *nodes;
} ff_columns;

static void columns_free(const prf_allocator *mem, ff_columns *c) {
  prf_mem_free(mem, c->time);
  prf_mem_free(mem, c->weight);
  prf_mem_free(mem, c->stack);
  prf_mem_free(mem, c->order);
  prf_mem_free(mem, c->nodes);
}

/* Reads the sample columns; times are milliseconds since the root
 * profile's start. */
static prf_status read_columns(ff_reader *r, const ff_thread *th,
                               const ff_tables *t, ff_samples *s,
                               ff_columns *c, bool *sorted) {
  const prf_allocator *mem = &r->p->mem;
  size_t n = s->tab.n, m = n ? n : 1;
  c->time = prf_mem_alloc(mem, m * sizeof *c->time);
  c->stack = prf_mem_alloc(mem, m * sizeof *c->stack);
  c->order = prf_mem_alloc(mem, m * sizeof *c->order);
  c->weight = col_present(&s->weight)
                  ? prf_mem_alloc(mem, m * sizeof *c->weight)
                  : NULL;
  c->nodes =
      prf_mem_alloc(mem, (t->stacks.n ? t->stacks.n : 1) * sizeof *c->nodes);
  if (!c->time || !c->stack || !c->order || !c->nodes ||
      (col_present(&s->weight) && !c->weight))
    return nomem(r);
  for (size_t i = 0; i < t->stacks.n; i++)
    c->nodes[i] = NODE_UNKNOWN;
  double acc = 0;
  *sorted = true;
  for (size_t i = 0; i < n; i++) {
    double v;
    bool present;
    prf_status st = cell_index(r, &s->stack, i, true, "the stack table",
                               t->stacks.n, &c->stack[i]);
    const ff_col *tc = col_present(&s->delta) ? &s->delta : &s->time;
    if (st == PRF_OK && (st = cell_num(r, tc, i, &v, &present)) == PRF_OK &&
        !present)
      st = cell_fail(r, tc, i, "a time in milliseconds", cell(tc, i));
    if (st != PRF_OK)
      return st;
    acc = tc == &s->delta ? acc + v : v;
    if (!(fabs(acc + th->offset_ms) < 1e12))
      return cell_fail(r, tc, i, "a time within 10^12 ms of the start",
                       cell(tc, i));
    c->time[i] = acc + th->offset_ms;
    c->order[i] = (uint32_t)i;
    if (i && c->time[i] < c->time[i - 1])
      *sorted = false;
    if (c->weight) {
      st = cell_num(r, &s->weight, i, &c->weight[i], &present);
      if (st != PRF_OK)
        return st;
      if (!present)
        c->weight[i] = 1;
      /* Finite weights can still add up to infinity. */
      if (!(fabs(c->weight[i]) < 9223372036854775808.0))
        return cell_fail(r, &s->weight, i, "a weight from -2^63 to 2^63",
                         cell(&s->weight, i));
    }
  }
  return PRF_OK;
}

/* Reads one thread's samples into r->samples. A sample weighs the time to
 * the thread's next sample, the last one the sampling interval (the
 * Firefox Profiler's sample durations); tracing-ms samples weigh their
 * weight; --weight samples counts samples (or their "samples" weight). */
static prf_status thread_samples(ff_reader *r, const ff_thread *th,
                                 uint32_t ti, ff_tables *t, ff_samples *s) {
  const prf_allocator *mem = &r->p->mem;
  ff_columns c;
  memset(&c, 0, sizeof c);
  bool sorted = true;
  size_t n = s->tab.n;
  if (n >= UINT32_MAX)
    return prf_fail(r->err, PRF_E_LIMIT, "at %s: too many samples",
                    s->tab.path);
  prf_status st = read_columns(r, th, t, s, &c, &sorted);
  if (st == PRF_OK && !sorted &&
      !prf_sort_ids(mem, c.order, n, by_time_cmp, c.time))
    st = nomem(r);
  prf_node root = NODE_UNKNOWN;
  for (size_t k = 0; st == PRF_OK && k < n; k++) {
    uint32_t i = c.order[k];
    double w = c.weight ? c.weight[i] : 1, value;
    if (r->by_time)
      value = s->tracing ? w
              : k + 1 < n ? c.time[c.order[k + 1]] - c.time[i]
                          : r->interval;
    else
      value = s->tracing ? 1 : w;
    prf_node leaf = 0;
    if (c.stack[i] < 0) {
      if (!r->o->include_idle)
        continue;
      st = root_node(r, ti, &root);
      leaf = root;
    } else if ((st = root_node(r, ti, &root)) == PRF_OK) {
      st = stack_node(r, t, c.nodes, root, c.stack[i], &leaf);
    }
    if (st == PRF_OK)
      st = push_sample(r, r->start_ns + llround(c.time[i] * 1e6), value, leaf,
                       ti);
  }
  columns_free(mem, &c);
  return st;
}

/* ---- threads and processes ---- */

static prf_status add_thread(ff_reader *r, const cJSON *obj, const char *path,
                             double offset_ms, const cJSON *libs) {
  const prf_allocator *mem = &r->p->mem;
  if (!cJSON_IsObject(obj))
    return fail_at(r, path, "an object (a thread)", obj);
  if (r->nthreads == r->threads_cap &&
      !prf_grow(mem, (void **)&r->threads, &r->threads_cap, r->nthreads + 1,
                sizeof *r->threads))
    return nomem(r);
  ff_thread *th = &r->threads[r->nthreads++];
  memset(th, 0, sizeof *th);
  th->obj = obj;
  snprintf(th->path, sizeof th->path, "%s", path);
  th->offset_ms = offset_ms;
  th->libs = libs;
  return PRF_OK;
}

/* A process's libraries: an array, or before Gecko version 4 its JSON
 * text. Only used to name the library of unsymbolicated addresses, so a
 * malformed list is ignored. */
static prf_status process_libs(ff_reader *r, const cJSON *prof,
                               const char *path, const cJSON **out) {
  const prf_allocator *mem = &r->p->mem;
  const cJSON *libs = prf_json_get(prof, "libs");
  *out = NULL;
  if (cJSON_IsString(libs)) {
    char p[200];
    path_join(p, sizeof p, path, "libs");
    cJSON *parsed = NULL;
    prf_error e;
    prf_error_clear(&e);
    if (prf_json_parse_text(libs->valuestring, strlen(libs->valuestring),
                            &parsed, &e) != PRF_OK)
      return PRF_OK;
    if (r->nowned == r->owned_cap &&
        !prf_grow(mem, (void **)&r->owned, &r->owned_cap, r->nowned + 1,
                  sizeof *r->owned)) {
      cJSON_Delete(parsed);
      return nomem(r);
    }
    r->owned[r->nowned++] = parsed;
    libs = parsed;
  }
  if (cJSON_IsArray(libs))
    *out = libs;
  return PRF_OK;
}

typedef struct ff_proc {
  const cJSON *profile;
  char path[160];
} ff_proc;

/* A sub-process profile's start relative to the root profile's. */
static prf_status proc_offset(ff_reader *r, const cJSON *prof, const char *path,
                              double root_start, double *offset) {
  const cJSON *meta = prf_json_get(prof, "meta");
  const cJSON *start = prf_json_get(meta, "startTime");
  *offset = 0;
  if (!start || cJSON_IsNull(start))
    return PRF_OK;
  char p[200];
  snprintf(p, sizeof p, "%s.meta.startTime", path);
  if (!cJSON_IsNumber(start) || !(fabs(start->valuedouble) < 4e12))
    return fail_at(r, p, "a time in milliseconds since 1970", start);
  *offset = start->valuedouble - root_start;
  return PRF_OK;
}

/* Old Gecko profiles hold sub-process profiles as JSON text in "threads". */
static prf_status parse_embedded(ff_reader *r, const cJSON *s, const char *path,
                                 const cJSON **out) {
  const prf_allocator *mem = &r->p->mem;
  cJSON *sub = NULL;
  prf_error e;
  prf_error_clear(&e);
  if (prf_json_parse_text(s->valuestring, strlen(s->valuestring), &sub, &e) !=
      PRF_OK)
    return prf_fail(r->err, PRF_E_DATA,
                    "at %s: expected a thread or a sub-process profile (JSON "
                    "text), but the text is not JSON: %s",
                    path, e.message);
  if (r->nowned == r->owned_cap &&
      !prf_grow(mem, (void **)&r->owned, &r->owned_cap, r->nowned + 1,
                sizeof *r->owned)) {
    cJSON_Delete(sub);
    return nomem(r);
  }
  r->owned[r->nowned++] = sub;
  *out = sub;
  return PRF_OK;
}

static prf_status push_proc(ff_reader *r, ff_proc **q, size_t *n, size_t *cap,
                            const cJSON *prof, const char *path) {
  const prf_allocator *mem = &r->p->mem;
  if (!cJSON_IsObject(prof))
    return fail_at(r, path, "an object (a sub-process profile)", prof);
  if (*n == *cap && !prf_grow(mem, (void **)q, cap, *n + 1, sizeof **q))
    return nomem(r);
  (*q)[*n].profile = prof;
  snprintf((*q)[*n].path, sizeof (*q)[*n].path, "%s", path);
  (*n)++;
  return PRF_OK;
}

/* Walks the root profile and its sub-processes breadth first (no
 * recursion), collecting every thread. */
static prf_status collect_gecko(ff_reader *r, const cJSON *prof,
                                const char *base, double root_start) {
  const prf_allocator *mem = &r->p->mem;
  ff_proc *q = NULL;
  size_t nq = 0, cap = 0;
  prf_status st = push_proc(r, &q, &nq, &cap, prof, base);
  for (size_t qi = 0; st == PRF_OK && qi < nq; qi++) {
    ff_proc cur = q[qi];
    char p[200];
    double offset = 0;
    const cJSON *libs = NULL;
    if (qi > 0)
      st = proc_offset(r, cur.profile, cur.path, root_start, &offset);
    if (st == PRF_OK)
      st = process_libs(r, cur.profile, cur.path, &libs);
    path_join(p, sizeof p, cur.path, "threads");
    const cJSON *threads = prf_json_get(cur.profile, "threads");
    if (st == PRF_OK && !cJSON_IsArray(threads))
      st = fail_at(r, p, "an array of threads", threads);
    size_t i = 0;
    for (const cJSON *t = st == PRF_OK ? threads->child : NULL;
         st == PRF_OK && t; t = t->next, i++) {
      snprintf(p, sizeof p, "%s.threads[%zu]", cur.path, i);
      const cJSON *sub = NULL;
      if (cJSON_IsString(t) && (st = parse_embedded(r, t, p, &sub)) == PRF_OK)
        st = push_proc(r, &q, &nq, &cap, sub, p);
      else if (st == PRF_OK)
        st = add_thread(r, t, p, offset, libs);
    }
    path_join(p, sizeof p, cur.path, "processes");
    const cJSON *procs = prf_json_get(cur.profile, "processes");
    if (st == PRF_OK && procs && !cJSON_IsNull(procs) && !cJSON_IsArray(procs))
      st = fail_at(r, p, "an array of sub-process profiles", procs);
    i = 0;
    for (const cJSON *sp = st == PRF_OK && procs ? procs->child : NULL;
         st == PRF_OK && sp; sp = sp->next, i++) {
      snprintf(p, sizeof p, "%s.processes[%zu]", cur.path, i);
      st = push_proc(r, &q, &nq, &cap, sp, p);
    }
  }
  prf_mem_free(mem, q);
  return st;
}

static prf_status collect_processed(ff_reader *r, const cJSON *prof,
                                    const char *base) {
  char p[200];
  path_join(p, sizeof p, base, "threads");
  const cJSON *threads = prf_json_get(prof, "threads");
  if (!cJSON_IsArray(threads))
    return fail_at(r, p, "an array of threads", threads);
  size_t i = 0;
  for (const cJSON *t = threads->child; t; t = t->next, i++) {
    snprintf(p, sizeof p, "%s.threads[%zu]", base, i);
    prf_status st = add_thread(r, t, p, 0, NULL);
    if (st != PRF_OK)
      return st;
  }
  return PRF_OK;
}

/* Registers every thread (also those --thread skips): id = tid when it
 * has one, else its position. */
static prf_status register_thread(ff_reader *r, size_t i, uint32_t *index) {
  const ff_thread *th = &r->threads[i];
  const cJSON *name = prf_json_get(th->obj, "name");
  const cJSON *tid = prf_json_get(th->obj, "tid");
  int64_t id = (int64_t)i;
  if (cJSON_IsNumber(tid) && tid->valuedouble == floor(tid->valuedouble) &&
      fabs(tid->valuedouble) < 9e15)
    id = (int64_t)tid->valuedouble;
  else if (cJSON_IsString(tid) && tid->valuestring[0]) {
    char *end;
    long long v = strtoll(tid->valuestring, &end, 10);
    if (!*end)
      id = v;
  }
  const char *n = cJSON_IsString(name) ? name->valuestring : "";
  /* Before threads had a processType, a tab process's main thread was
     called "Content" (the Firefox Profiler's upgraders rename it). */
  if (!prf_json_get(th->obj, "processType") && strcmp(n, "Content") == 0)
    n = "GeckoMain";
  prf_status st = prf_thread_add(r->p, id, n, index);
  return st == PRF_OK ? PRF_OK : nomem(r);
}

static bool thread_wanted(ff_reader *r, uint32_t index) {
  return prf_thread_wanted(r->o, prf_thread_id(r->p, index),
                           prf_thread_name(r->p, index));
}

static prf_status read_gecko_thread(ff_reader *r, const ff_thread *th,
                                    uint32_t ti) {
  const prf_allocator *mem = &r->p->mem;
  ff_tables t;
  ff_samples s;
  prf_status st = gecko_tables(r, th, &t);
  if (st == PRF_OK)
    st = samples_open(r, th, true, &s);
  else
    memset(&s, 0, sizeof s);
  if (st == PRF_OK)
    st = thread_samples(r, th, ti, &t, &s);
  samples_free(mem, &s);
  tables_free(mem, &t);
  return st;
}

/* Processed threads share one set of tables (shared) or have their own. */
static prf_status read_processed_thread(ff_reader *r, const ff_thread *th,
                                        uint32_t ti, const cJSON *shared,
                                        ff_tables *shared_tables) {
  const prf_allocator *mem = &r->p->mem;
  ff_tables own, *t = shared_tables;
  ff_samples s;
  prf_status st = PRF_OK;
  memset(&own, 0, sizeof own);
  memset(&s, 0, sizeof s);
  bool shared_strings = prf_json_get(shared, "stringArray") != NULL;
  if (prf_json_get(shared, "stackTable")) {
    if (!t->loaded)
      st = processed_tables(r, shared, ".shared", shared, shared, ".shared", t);
    t->loaded = st == PRF_OK;
  } else {
    t = &own;
    st = processed_tables(r, th->obj, th->path, shared,
                          shared_strings ? shared : th->obj,
                          shared_strings ? ".shared" : th->path, t);
  }
  if (st == PRF_OK)
    st = samples_open(r, th, false, &s);
  if (st == PRF_OK)
    st = thread_samples(r, th, ti, t, &s);
  samples_free(mem, &s);
  tables_free(mem, &own);
  return st;
}

/* ---- metadata ---- */

static prf_status meta_str(ff_reader *r, const cJSON *meta, const char *key,
                           const char *as) {
  const cJSON *v = prf_json_get(meta, key);
  if (!cJSON_IsString(v) || !v->valuestring[0])
    return PRF_OK;
  return prf_meta_set(r->p, as, v->valuestring) == PRF_OK ? PRF_OK : nomem(r);
}

static prf_status read_meta(ff_reader *r, const cJSON *meta, const char *base,
                            double *start_ms) {
  prf_jpath path;
  prf_jpath_init(&path);
  if (base[0])
    prf_jpath_key(&path, base + 1);
  prf_jpath_key(&path, "meta");
  r->interval = 1;
  *start_ms = 0;
  prf_status st = prf_json_num_opt(meta, "interval", false, &path, r->err,
                                   &r->interval);
  if (st == PRF_OK && !(r->interval > 0 && r->interval < 1e9))
    st = prf_json_expected(r->err, &path, "interval",
                           "a positive sampling interval in milliseconds",
                           prf_json_get(meta, "interval"));
  if (st == PRF_OK)
    st = prf_json_num_opt(meta, "startTime", false, &path, r->err, start_ms);
  if (st == PRF_OK && !(fabs(*start_ms) < 4e12))
    st = prf_json_expected(r->err, &path, "startTime",
                           "a time in milliseconds since 1970",
                           prf_json_get(meta, "startTime"));
  if (st != PRF_OK)
    return st;
  r->start_ns = llround(*start_ms * 1e6);
  char buf[64];
  snprintf(buf, sizeof buf, "%lld", (long long)r->start_ns);
  if (prf_meta_set(r->p, "time_nanos", buf) != PRF_OK)
    return nomem(r);
  snprintf(buf, sizeof buf, "%.17g ms", r->interval);
  if (prf_meta_set(r->p, "interval", buf) != PRF_OK)
    return nomem(r);
  snprintf(buf, sizeof buf, "%s %lld", r->processed ? "processed" : "gecko",
           (long long)r->version);
  if (prf_meta_set(r->p, "format_version", buf) != PRF_OK)
    return nomem(r);
  st = meta_str(r, meta, "product", "product");
  if (st == PRF_OK)
    st = meta_str(r, meta, "platform", "platform");
  if (st == PRF_OK)
    st = meta_str(r, meta, "oscpu", "oscpu");
  if (st == PRF_OK)
    st = meta_str(r, meta, "misc", "misc");
  if (st == PRF_OK)
    st = meta_str(r, meta, "appBuildID", "release");
  /* The recorded range: processed profiles note where profiling started
     and ended. */
  const cJSON *t0 = prf_json_get(meta, "profilingStartTime");
  const cJSON *t1 = prf_json_get(meta, "profilingEndTime");
  if (st == PRF_OK && cJSON_IsNumber(t0) && cJSON_IsNumber(t1) &&
      t1->valuedouble >= t0->valuedouble &&
      t1->valuedouble - t0->valuedouble < 1e12) {
    snprintf(buf, sizeof buf, "%lld",
             (long long)llround((t1->valuedouble - t0->valuedouble) * 1e6));
    if (prf_meta_set(r->p, "duration_nanos", buf) != PRF_OK)
      st = nomem(r);
  }
  return st;
}

/* ---- the whole profile ---- */

static bool looks_processed(const cJSON *prof, const cJSON *meta) {
  if (prf_json_get(meta, "preprocessedProfileVersion") || prf_json_get(prof, "shared"))
    return true;
  const cJSON *threads = prf_json_get(prof, "threads");
  for (const cJSON *t = cJSON_IsArray(threads) ? threads->child : NULL; t;
       t = t->next)
    if (cJSON_IsObject(t))
      return prf_json_get(t, "funcTable") || prf_json_get(t, "stringArray");
  return false;
}

static prf_status flush_samples(ff_reader *r) {
  const prf_allocator *mem = &r->p->mem;
  uint32_t *ids =
      prf_mem_alloc(mem, (r->nsamples ? r->nsamples : 1) * sizeof *ids);
  int64_t *times =
      prf_mem_alloc(mem, (r->nsamples ? r->nsamples : 1) * sizeof *times);
  if (!ids || !times) {
    prf_mem_free(mem, ids);
    prf_mem_free(mem, times);
    return nomem(r);
  }
  for (size_t i = 0; i < r->nsamples; i++) {
    ids[i] = (uint32_t)i;
    times[i] = r->samples[i].time;
  }
  prf_status st = PRF_OK;
  if (r->nsamples >= UINT32_MAX)
    st = prf_fail(r->err, PRF_E_LIMIT, "too many samples");
  else if (!prf_sort_ids(mem, ids, r->nsamples, by_ns_cmp, times))
    st = nomem(r);
  for (size_t k = 0; st == PRF_OK && k < r->nsamples; k++) {
    const ff_sample *s = &r->samples[ids[k]];
    st = prf_sample_add(r->p, s->leaf, &s->value, s->time, s->thread);
    if (st != PRF_OK)
      st = prf_fail(r->err, st, "cannot add a sample");
  }
  prf_mem_free(mem, ids);
  prf_mem_free(mem, times);
  return st;
}

static prf_status read_threads(ff_reader *r, const cJSON *prof) {
  const prf_allocator *mem = &r->p->mem;
  uint32_t *index =
      prf_mem_alloc(mem, (r->nthreads ? r->nthreads : 1) * sizeof *index);
  if (!index)
    return nomem(r);
  prf_status st = PRF_OK;
  for (size_t i = 0; st == PRF_OK && i < r->nthreads; i++)
    st = register_thread(r, i, &index[i]);
  const cJSON *shared = prf_json_get(prof, "shared");
  ff_tables shared_tables;
  memset(&shared_tables, 0, sizeof shared_tables);
  for (size_t i = 0; st == PRF_OK && i < r->nthreads; i++) {
    if (!thread_wanted(r, index[i]))
      continue;
    st = r->processed ? read_processed_thread(r, &r->threads[i], index[i],
                                              shared, &shared_tables)
                      : read_gecko_thread(r, &r->threads[i], index[i]);
  }
  tables_free(mem, &shared_tables);
  prf_mem_free(mem, index);
  return st == PRF_OK ? flush_samples(r) : st;
}

static prf_status read_profile(ff_reader *r, const cJSON *root) {
  if (!cJSON_IsObject(root))
    return fail_at(r, "the top level", "an object (a Firefox profile)", root);
  const cJSON *fmt = prf_json_get(root, "format");
  if (cJSON_IsString(fmt) &&
      strncmp(fmt->valuestring, "profileJSONWithSymbolicationTable", 33) == 0)
    return prf_fail(r->err, PRF_E_DATA,
                    "at .format: '%s' is the Cleopatra format of Firefox "
                    "profiles from before 2017, which is not supported: "
                    "expected a Gecko or processed profile (meta and threads)",
                    fmt->valuestring);
  const cJSON *prof = root;
  const char *base = "";
  if (!prf_json_get(root, "meta") &&
      cJSON_IsObject(prf_json_get(root, "profile"))) {
    prof = prf_json_get(root, "profile"); /* a DevTools recording */
    base = ".profile";
  }
  char p[200];
  path_join(p, sizeof p, base, "meta");
  const cJSON *meta = prf_json_get(prof, "meta");
  if (!cJSON_IsObject(meta))
    return fail_at(r, p, "an object (the profile's meta data)", meta);
  r->processed = looks_processed(prof, meta);
  const char *vkey = r->processed ? "preprocessedProfileVersion" : "version";
  const cJSON *v = prf_json_get(meta, vkey);
  if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 1e6)
    r->version = (int64_t)v->valuedouble;
  if (r->version > (r->processed ? NEWEST_PROCESSED : NEWEST_GECKO)) {
    char msg[200];
    snprintf(msg, sizeof msg,
             "%s profile version %lld is newer than this reader knows (%d): "
             "reading it as that version",
             r->processed ? "processed" : "Gecko", (long long)r->version,
             r->processed ? NEWEST_PROCESSED : NEWEST_GECKO);
    warn(r, msg);
  }
  double start_ms;
  prf_status st = read_meta(r, meta, base, &start_ms);
  const char *type = r->by_time ? "cpu" : "samples";
  const char *unit = r->by_time ? "milliseconds" : "count";
  if (st == PRF_OK)
    st = prf_reader_columns(r->p, 1, &type, &unit, r->err);
  if (st == PRF_OK)
    st = r->processed ? collect_processed(r, prof, base)
                      : collect_gecko(r, prof, base, start_ms);
  if (st == PRF_OK)
    st = read_threads(r, prof);
  return st;
}

int prf_firefox_sniff(const unsigned char *head, size_t len) {
  if (!prf_json_starts(head, len, '{'))
    return 0;
  bool meta = prf_json_has_key(head, len, "meta");
  if (meta && prf_json_has_key(head, len, "preprocessedProfileVersion"))
    return 60;
  if (meta && prf_json_has_key(head, len, "threads"))
    return 50;
  if (meta && prf_json_has_key(head, len, "profileJSON"))
    return 40; /* Cleopatra: claimed to say that it is not supported */
  /* A DevTools recording: {label, duration, markers, ..., profile}; the
     profile may come after the first 64 KiB of markers, whose fields
     ("endStack") tell them from other formats' markers. */
  if (prf_json_has_key(head, len, "label") &&
      prf_json_has_key(head, len, "duration") &&
      prf_json_has_key(head, len, "markers") &&
      (prf_json_has_key(head, len, "profile") ||
       prf_json_has_key(head, len, "endStack")))
    return 40;
  return 0;
}

prf_status prf_firefox_read(prf_profile *profile, prf_input *in,
                            const prf_read_options *options, prf_error *err) {
  const prf_allocator *mem = &profile->mem;
  prf_json_doc doc;
  prf_status st = prf_json_read(in, &doc);
  if (st != PRF_OK)
    return st;
  ff_reader r;
  memset(&r, 0, sizeof r);
  r.p = profile;
  r.o = options;
  r.err = err;
  r.by_time = prf_weigh_by_time(options);
  st = read_profile(&r, doc.root);
  for (size_t i = 0; i < r.nowned; i++)
    cJSON_Delete(r.owned[i]);
  prf_mem_free(mem, r.owned);
  prf_mem_free(mem, r.threads);
  prf_mem_free(mem, r.samples);
  prf_mem_free(mem, r.walk);
  return prf_json_done(&doc, st, err);
}
