/*
 * svgframes.c - lists the frames of a flame graph SVG written by
 * prof-render, inferno or flamegraph.pl, so tests can compare geometry
 * across writers. Each frame is a <title> followed by a <rect> carrying
 * y, fg:x and fg:w.
 *
 *   svgframes [--inverted] FILE          depth TAB x TAB w TAB name
 *   svgframes [--inverted] --paths FILE  path TAB x TAB w
 *
 * Depth comes from the rect's y (the largest y is the root, or the
 * smallest with --inverted); a path is the names from the root's child
 * down, joined by ';', found by x-interval containment one level up.
 * Names are printed without surrounding blanks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct frame {
  double y, x, w;
  int depth;
  long parent;
  char *name;
} frame;

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap + 1);
  size_t got;
  while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) {
      char *bigger = realloc(buf, cap * 2 + 1);
      if (!bigger) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = bigger;
      cap *= 2;
    }
  }
  fclose(f);
  if (buf)
    buf[n] = '\0';
  *len = n;
  return buf;
}

/* Decodes the five XML entities in place. */
static void unescape(char *s) {
  static const struct { const char *ent; char c; } ents[] = {
      {"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&quot;", '"'},
      {"&apos;", '\''}};
  char *o = s;
  while (*s) {
    size_t i;
    for (i = 0; i < 5; i++) {
      size_t n = strlen(ents[i].ent);
      if (strncmp(s, ents[i].ent, n) == 0) {
        *o++ = ents[i].c;
        s += n;
        break;
      }
    }
    if (i == 5)
      *o++ = *s++;
  }
  *o = '\0';
}

static int attr(const char *tag, const char *end, const char *name,
                double *out) {
  size_t n = strlen(name);
  for (const char *p = tag; p && p < end; p = strstr(p + 1, name)) {
    p = strstr(p, name);
    if (!p || p >= end)
      return 0;
    if ((p == tag || p[-1] == ' ') && strncmp(p + n, "=\"", 2) == 0) {
      *out = strtod(p + n + 2, NULL);
      return 1;
    }
  }
  return 0;
}

static int cmp_y(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  int inverted = 0, paths = 0;
  const char *file = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--inverted") == 0)
      inverted = 1;
    else if (strcmp(argv[i], "--paths") == 0)
      paths = 1;
    else
      file = argv[i];
  }
  size_t len;
  char *svg = file ? slurp(file, &len) : NULL;
  if (!svg) {
    fprintf(stderr, "usage: svgframes [--inverted] [--paths] FILE\n");
    return 2;
  }
  frame *fr = NULL;
  size_t n = 0, cap = 0;
  for (char *p = strstr(svg, "<title>"); p; p = strstr(p, "<title>")) {
    char *t = p + 7, *te = strstr(t, "</title>");
    char *r = te ? strstr(te, "<rect") : NULL;
    char *re = r ? strstr(r, "/>") : NULL;
    if (!re)
      break;
    frame f;
    memset(&f, 0, sizeof f);
    if (!attr(r, re, "y", &f.y) || !attr(r, re, "fg:x", &f.x) ||
        !attr(r, re, "fg:w", &f.w)) {
      p = re;
      continue;
    }
    *te = '\0';
    /* The name is the title without its last " (...)" group. */
    char *open = strrchr(t, '(');
    while (open && open > t && open[-1] != ' ')
      open = NULL;
    if (open && open > t)
      open[-1] = '\0';
    unescape(t);
    /* inferno trims blanks around names where flamegraph.pl keeps them
       (perf writes frames that are a single space): compare trimmed. */
    while (*t == ' ')
      t++;
    for (size_t k = strlen(t); k > 0 && t[k - 1] == ' '; k--)
      t[k - 1] = '\0';
    f.name = t;
    if (n == cap) {
      cap = cap ? cap * 2 : 1024;
      frame *bigger = realloc(fr, cap * sizeof *fr);
      if (!bigger)
        return 1;
      fr = bigger;
    }
    fr[n++] = f;
    p = re;
  }
  /* Depth: rank of the distinct y values. */
  double *ys = malloc((n ? n : 1) * sizeof *ys);
  for (size_t i = 0; i < n; i++)
    ys[i] = fr[i].y;
  qsort(ys, n, sizeof *ys, cmp_y);
  size_t nys = 0;
  for (size_t i = 0; i < n; i++)
    if (nys == 0 || ys[nys - 1] != ys[i])
      ys[nys++] = ys[i];
  for (size_t i = 0; i < n; i++) {
    size_t k = 0;
    while (ys[k] != fr[i].y)
      k++;
    fr[i].depth = inverted ? (int)k : (int)(nys - 1 - k);
  }
  /* Parents by containment one level up (quadratic is fine for tests). */
  const double eps = 1e-6;
  for (size_t i = 0; i < n; i++) {
    fr[i].parent = -1;
    for (size_t j = 0; j < n && fr[i].depth > 0; j++) {
      if (fr[j].depth == fr[i].depth - 1 && fr[j].x <= fr[i].x + eps &&
          fr[i].x + fr[i].w <= fr[j].x + fr[j].w + eps) {
        fr[i].parent = (long)j;
        break;
      }
    }
  }
  for (size_t i = 0; i < n; i++) {
    if (!paths) {
      printf("%d\t%.6g\t%.6g\t%s\n", fr[i].depth, fr[i].x, fr[i].w, fr[i].name);
      continue;
    }
    if (fr[i].depth == 0)
      continue;
    /* Names from this frame up to the root's child, printed root first. */
    size_t chain[4096];
    size_t k = 0;
    for (long j = (long)i; j >= 0 && fr[j].depth > 0 && k < 4096; j = fr[j].parent)
      chain[k++] = (size_t)j;
    for (size_t m = k; m-- > 0;)
      printf("%s%s", fr[chain[m]].name, m ? ";" : "");
    printf("\t%.6g\t%.6g\n", fr[i].x, fr[i].w);
  }
  free(ys);
  free(fr);
  free(svg);
  return 0;
}
