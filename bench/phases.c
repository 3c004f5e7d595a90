/*
 * phases.c - times each phase of folded -> SVG separately:
 *   read       the file's bytes into memory (what `cat` costs)
 *   aggregate  folded text -> call tree (the reader)
 *   layout     tree -> frame geometry, colours, labels
 *   write      frames -> SVG bytes (into a sink that discards them)
 * and prints the peak RSS. Uses the library's internal headers on purpose:
 * the public API runs layout and write as one call.
 *
 * Usage: phases FILE [RUNS]    (prints the median of RUNS, default 3)
 */
#include "internal.h"
#include "layout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int discard(void *ctx, const void *data, size_t size) {
  (void)data;
  *(size_t *)ctx += size;
  return 0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: phases FILE [RUNS]\n");
    return 2;
  }
  int runs = argc > 2 ? atoi(argv[2]) : 3;
  if (runs < 1 || runs > 99)
    runs = 3;
  double t[4][99];
  size_t size = 0, svg_bytes = 0, nodes = 0, frames = 0;
  for (int r = 0; r < runs; r++) {
    double t0 = now();
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
      perror(argv[1]);
      return 66;
    }
    prf_buf data;
    prf_buf_init(&data, NULL);
    char chunk[1 << 16];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
      prf_buf_put(&data, chunk, n);
    fclose(f);
    size = data.len;
    double t1 = now();
    prf_profile *p = prf_profile_new();
    prf_error err;
    if (prf_profile_read_buffer(p, data.data, data.len, NULL, &err) != PRF_OK) {
      fprintf(stderr, "phases: %s\n", err.message);
      return 65;
    }
    prf_tree_total(prf_profile_tree(p), 0, 0); /* totals are part of it */
    double t2 = now();
    prf_flame_options o;
    prf_flame_options_init(&o);
    double advance = o.font_size * o.font_width;
    prf_layout l;
    if (prf_layout_build(&l, p, &o, prf_measure_fixed, &advance, &err) != PRF_OK)
      return 70;
    double t3 = now();
    svg_bytes = 0;
    prf_svg_write_layout(&l, &o, discard, &svg_bytes, &err);
    double t4 = now();
    nodes = prf_tree_node_count(prf_profile_tree(p));
    frames = l.count;
    prf_layout_free(&l);
    prf_profile_free(p);
    prf_buf_free(&data);
    t[0][r] = t1 - t0;
    t[1][r] = t2 - t1;
    t[2][r] = t3 - t2;
    t[3][r] = t4 - t3;
  }
  static const char *const names[] = {"read", "aggregate", "layout", "write"};
  double mb = (double)size / 1e6;
  printf("input %s: %.1f MB, %zu tree nodes, %zu frames drawn, SVG %.1f MB\n",
         argv[1], mb, nodes, frames, (double)svg_bytes / 1e6);
  for (int i = 0; i < 4; i++) {
    qsort(t[i], (size_t)runs, sizeof(double), cmp_double);
    double med = t[i][runs / 2];
    printf("phase %-9s %8.3f s", names[i], med);
    if (i <= 1 && med > 0)
      printf("  %8.1f MB/s", mb / med);
    printf("\n");
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("peak RSS %.1f MB (includes the whole input held in memory)\n",
         (double)ru.ru_maxrss / 1024);
  return 0;
}
