/*
 * svgframes.c - lists the frames of a flame graph SVG, so that tests can
 * compare the geometry that different writers produce for one input.
 *
 *   svgframes [--inverted] FILE          depth TAB fg:x TAB fg:w TAB name
 *   svgframes [--inverted] --paths FILE  path TAB fg:x TAB fg:w
 *
 * Reads what prof-render writes (one <g><title/><rect/><text/></g> per
 * line) as well as what inferno and flamegraph.pl write (pretty-printed,
 * one element per line, x in percent, frames possibly wrapped in <a>).
 * A frame is a <title> followed by a <rect> that carries fg:x and fg:w
 * (the frame's extent in samples); elements without them are ignored.
 * Comments and CDATA sections (the embedded script) are skipped.
 *
 * depth: the rank of the rect's y among all frames. Normally the largest y
 * is depth 0 (the root at the bottom); with --inverted (icicle graphs) the
 * smallest y is.
 * name:  the <title> text without its final " (N countname, P%...)" group,
 * with the XML entities &lt; &gt; &amp; &quot; &apos; and numeric
 * character references decoded. Names are printed as they are, blanks
 * included.
 * path:  the names from the root down to the frame, joined by ';'. The
 * parent of a frame is the frame one level up whose [x, x+w] interval
 * contains the frame's.
 *
 * Without --paths the lines are sorted by depth, x, width, then name.
 * With --paths they come depth-first, siblings by x. Exit status: 0, 1 if
 * the file holds no frames or a frame has no parent, 2 on usage or I/O
 * errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct frame {
  double y, x, w;
  int depth;
  long parent;
  long first_child, next_sibling;
  char *name;
} frame;

typedef struct frames {
  frame *v;
  size_t n, cap;
} frames;

static void *xrealloc(void *p, size_t size) {
  void *q = realloc(p, size ? size : 1);
  if (!q) {
    fprintf(stderr, "svgframes: out of memory\n");
    exit(2);
  }
  return q;
}

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  size_t cap = 1 << 16, n = 0, got;
  char *buf = xrealloc(NULL, cap + 1);
  while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) {
      cap *= 2;
      buf = xrealloc(buf, cap + 1);
    }
  }
  int bad = ferror(f);
  fclose(f);
  if (bad) {
    free(buf);
    return NULL;
  }
  buf[n] = '\0';
  return buf;
}

/* Appends the code point c to *o as UTF-8. */
static char *put_utf8(char *o, unsigned long c) {
  if (c < 0x80) {
    *o++ = (char)c;
  } else if (c < 0x800) {
    *o++ = (char)(0xC0 | (c >> 6));
    *o++ = (char)(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    *o++ = (char)(0xE0 | (c >> 12));
    *o++ = (char)(0x80 | ((c >> 6) & 0x3F));
    *o++ = (char)(0x80 | (c & 0x3F));
  } else {
    *o++ = (char)(0xF0 | (c >> 18));
    *o++ = (char)(0x80 | ((c >> 12) & 0x3F));
    *o++ = (char)(0x80 | ((c >> 6) & 0x3F));
    *o++ = (char)(0x80 | (c & 0x3F));
  }
  return o;
}

/* Decodes XML entities and character references in place (the result is
 * never longer than the input). Unknown entities are kept as they are. */
static void unescape(char *s) {
  static const struct {
    const char *ent;
    char c;
  } ents[] = {{"&lt;", '<'},
              {"&gt;", '>'},
              {"&amp;", '&'},
              {"&quot;", '"'},
              {"&apos;", '\''}};
  char *o = s;
  while (*s) {
    if (*s != '&') {
      *o++ = *s++;
      continue;
    }
    size_t i;
    for (i = 0; i < sizeof ents / sizeof ents[0]; i++) {
      size_t n = strlen(ents[i].ent);
      if (strncmp(s, ents[i].ent, n) == 0) {
        *o++ = ents[i].c;
        s += n;
        break;
      }
    }
    if (i < sizeof ents / sizeof ents[0])
      continue;
    if (s[1] == '#') {
      int hex = s[2] == 'x' || s[2] == 'X';
      char *end;
      unsigned long c = strtoul(s + 2 + hex, &end, hex ? 16 : 10);
      if (end > s + 2 + hex && *end == ';' && c > 0 && c <= 0x10FFFF) {
        o = put_utf8(o, c);
        s = end + 1;
        continue;
      }
    }
    *o++ = *s++;
  }
  *o = '\0';
}

static int is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Reads the attribute NAME="..." of the tag that spans [tag, end) as a
 * number. Returns 0 when it is absent or not a number. */
static int num_attr(const char *tag, const char *end, const char *name,
                    double *out) {
  size_t n = strlen(name);
  for (const char *p = tag; p + n + 2 < end; p++) {
    if (!is_blank(*p) || strncmp(p + 1, name, n) != 0)
      continue;
    const char *q = p + 1 + n;
    while (q < end && is_blank(*q))
      q++;
    if (q >= end || *q != '=')
      continue;
    q++;
    while (q < end && is_blank(*q))
      q++;
    if (q >= end || (*q != '"' && *q != '\''))
      continue;
    char *num_end;
    *out = strtod(q + 1, &num_end);
    return num_end != q + 1 && num_end < end && *num_end == *q;
  }
  return 0;
}

/* Cuts the title's final " (N countname, P%...)" group: the last " ("
 * that a count (a digit) follows, when the title ends with ')'. A title
 * without that group (inferno's --nameattr can replace it) stays whole. */
static void strip_count(char *t) {
  size_t len = strlen(t);
  if (len < 4 || t[len - 1] != ')')
    return;
  for (size_t i = len - 2; i-- > 0;) {
    if (t[i] == ' ' && t[i + 1] == '(' && t[i + 2] >= '0' && t[i + 2] <= '9') {
      t[i] = '\0';
      return;
    }
  }
}

static void add(frames *fs, const frame *f) {
  if (fs->n == fs->cap) {
    fs->cap = fs->cap ? fs->cap * 2 : 1024;
    fs->v = xrealloc(fs->v, fs->cap * sizeof *fs->v);
  }
  fs->v[fs->n++] = *f;
}

/* Collects the frames of the SVG text (modified in place: titles are cut
 * out of it). */
static void scan(char *svg, frames *fs) {
  char *title = NULL;
  char *p = svg;
  while ((p = strchr(p, '<')) != NULL) {
    if (strncmp(p, "<!--", 4) == 0) {
      char *e = strstr(p + 4, "-->");
      if (!e)
        break;
      p = e + 3;
    } else if (strncmp(p, "<![CDATA[", 9) == 0) {
      char *e = strstr(p + 9, "]]>");
      if (!e)
        break;
      p = e + 3;
    } else if (strncmp(p, "<title>", 7) == 0) {
      char *e = strstr(p + 7, "</title>");
      if (!e)
        break;
      *e = '\0';
      title = p + 7;
      p = e + 8;
    } else if (strncmp(p, "<rect", 5) == 0 && is_blank(p[5])) {
      char *e = strchr(p, '>');
      if (!e)
        break;
      frame f;
      memset(&f, 0, sizeof f);
      if (title && num_attr(p, e, "y", &f.y) && num_attr(p, e, "fg:x", &f.x) &&
          num_attr(p, e, "fg:w", &f.w)) {
        strip_count(title);
        unescape(title);
        f.name = title;
        f.parent = f.first_child = f.next_sibling = -1;
        add(fs, &f);
      }
      title = NULL; /* a title names the one rect that follows it */
      p = e + 1;
    } else if (strncmp(p, "</g>", 4) == 0 || strncmp(p, "</a>", 4) == 0) {
      title = NULL;
      p += 4;
    } else {
      p++;
    }
  }
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static int cmp_frame(const void *a, const void *b) {
  const frame *x = a, *y = b;
  if (x->depth != y->depth)
    return x->depth < y->depth ? -1 : 1;
  if (x->x != y->x)
    return x->x < y->x ? -1 : 1;
  if (x->w != y->w)
    return x->w < y->w ? -1 : 1;
  return strcmp(x->name, y->name);
}

/* Depth from y: the rank of the frame's y among the distinct y values. */
static void assign_depths(frames *fs, int inverted) {
  double *ys = xrealloc(NULL, fs->n * sizeof *ys);
  for (size_t i = 0; i < fs->n; i++)
    ys[i] = fs->v[i].y;
  qsort(ys, fs->n, sizeof *ys, cmp_double);
  size_t nys = 0;
  for (size_t i = 0; i < fs->n; i++)
    if (nys == 0 || ys[nys - 1] != ys[i])
      ys[nys++] = ys[i];
  for (size_t i = 0; i < fs->n; i++) {
    size_t lo = 0, hi = nys - 1;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (ys[mid] < fs->v[i].y)
        lo = mid + 1;
      else
        hi = mid;
    }
    fs->v[i].depth = inverted ? (int)lo : (int)(nys - 1 - lo);
  }
  free(ys);
}

/* Links every frame to its parent (frames sorted by depth then x). Returns
 * the number of frames below depth 0 without a parent. */
static size_t link_parents(frames *fs) {
  double total = 0;
  for (size_t i = 0; i < fs->n; i++)
    if (fs->v[i].w > total)
      total = fs->v[i].w;
  const double eps = total * 1e-9;
  size_t orphans = 0, level = 0; /* level: first frame of depth d-1 */
  long last_child_of = -1, last_child = -1;
  for (size_t i = 0; i < fs->n; i++) {
    frame *f = &fs->v[i];
    if (f->depth == 0)
      continue;
    while (level < fs->n && fs->v[level].depth < f->depth - 1)
      level++;
    /* Binary search: the last frame of depth d-1 with x <= f->x + eps. */
    size_t lo = level, hi = level;
    while (hi < fs->n && fs->v[hi].depth == f->depth - 1)
      hi++;
    size_t end = hi;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (fs->v[mid].x <= f->x + eps)
        lo = mid + 1;
      else
        hi = mid;
    }
    if (lo > level && lo <= end) {
      frame *p = &fs->v[lo - 1];
      if (f->x + f->w <= p->x + p->w + eps) {
        f->parent = (long)(lo - 1);
        if (last_child_of == f->parent)
          fs->v[last_child].next_sibling = (long)i;
        else
          p->first_child = (long)i;
        last_child_of = f->parent;
        last_child = (long)i;
        continue;
      }
    }
    fprintf(stderr, "svgframes: no parent for %s at depth %d, x %g\n",
            f->name, f->depth, f->x);
    orphans++;
  }
  return orphans;
}

/* Depth-first from every root: one line per frame with its path. */
static void print_paths(const frames *fs) {
  size_t cap = 4096, len = 0;
  char *path = xrealloc(NULL, cap);
  size_t *mark = NULL; /* path length before each open frame's name */
  size_t mark_cap = 0, depth = 0;
  for (size_t r = 0; r < fs->n && fs->v[r].depth == 0; r++) {
    long i = (long)r;
    depth = 0;
    len = 0;
    while (i >= 0) {
      const frame *f = &fs->v[i];
      size_t nl = strlen(f->name);
      if (depth == mark_cap) {
        mark_cap = mark_cap ? mark_cap * 2 : 256;
        mark = xrealloc(mark, mark_cap * sizeof *mark);
      }
      mark[depth++] = len;
      if (len + nl + 2 > cap) {
        while (len + nl + 2 > cap)
          cap *= 2;
        path = xrealloc(path, cap);
      }
      if (f->depth > 0)
        path[len++] = ';';
      memcpy(path + len, f->name, nl);
      len += nl;
      path[len] = '\0';
      printf("%s\t%.15g\t%.15g\n", path, f->x, f->w);
      if (f->first_child >= 0) {
        i = f->first_child;
        continue;
      }
      /* Up until a frame has a next sibling. */
      while (i >= 0) {
        len = mark[--depth];
        if (fs->v[i].next_sibling >= 0 || fs->v[i].depth == 0) {
          i = fs->v[i].depth == 0 ? -1 : fs->v[i].next_sibling;
          break;
        }
        i = fs->v[i].parent;
      }
    }
  }
  free(mark);
  free(path);
}

int main(int argc, char **argv) {
  int inverted = 0, paths = 0;
  const char *file = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--inverted") == 0)
      inverted = 1;
    else if (strcmp(argv[i], "--paths") == 0)
      paths = 1;
    else if (!file && argv[i][0] != '-')
      file = argv[i];
    else
      file = NULL, i = argc;
  }
  if (!file) {
    fprintf(stderr, "usage: svgframes [--inverted] [--paths] FILE\n");
    return 2;
  }
  char *svg = slurp(file);
  if (!svg) {
    perror(file);
    return 2;
  }
  frames fs = {NULL, 0, 0};
  scan(svg, &fs);
  if (fs.n == 0) {
    fprintf(stderr, "svgframes: %s: no frames (title + rect with fg:x, fg:w)\n",
            file);
    free(svg);
    return 1;
  }
  assign_depths(&fs, inverted);
  qsort(fs.v, fs.n, sizeof *fs.v, cmp_frame);
  size_t orphans = link_parents(&fs);
  if (paths) {
    print_paths(&fs);
  } else {
    for (size_t i = 0; i < fs.n; i++)
      printf("%d\t%.15g\t%.15g\t%s\n", fs.v[i].depth, fs.v[i].x, fs.v[i].w,
             fs.v[i].name);
  }
  free(fs.v);
  free(svg);
  return orphans ? 1 : 0;
}
