/*
 * pngcmp.c - checks that a PNG flame graph has the geometry of the SVG of
 * the same input: the SVG rasterised by another renderer (rsvg-convert)
 * and the PNG must agree pixel for pixel outside text, and every frame
 * must have its SVG fill in both.
 *
 *   pngcmp [--scale S] [--tolerance T] FRAMES.svg REFERENCE.png OURS.png
 *
 * FRAMES.svg is prof-render's SVG (one <g><title/><rect/><text/></g> frame
 * per line); REFERENCE.png is it rasterised at scale S; OURS.png is
 * prof-render's PNG at --scale S. Text is left out of the comparison: the
 * title and footer bands (above the highest and below the lowest frame)
 * and, in each frame wide enough for a label, the part right of its left
 * edge where the label goes. Every frame at least 4 pixels wide must show
 * its fill as the most common colour of its inside, in both images.
 *
 * Prints a summary line; exit status 0 when at least 99% of the compared
 * pixels are identical, at least 2000 pixels are compared, and every
 * frame has its fill; 1 otherwise; 2 on usage or I/O errors.
 */
#include <cairo.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct frame {
  double x, y, w, h;
  uint32_t rgb;
} frame;

static int load_frames(const char *path, frame **out, size_t *n) {
  FILE *f = fopen(path, "r");
  if (!f) {
    perror(path);
    return 2;
  }
  size_t cap = 0;
  char *line = NULL;
  size_t linecap = 0;
  *out = NULL;
  *n = 0;
  while (getline(&line, &linecap, f) > 0) {
    const char *r = strstr(line, "<rect x=\"");
    if (strncmp(line, "<g><title>", 10) != 0 || !r)
      continue;
    frame fr;
    unsigned cr, cg, cb;
    if (sscanf(r, "<rect x=\"%lf\" y=\"%lf\" width=\"%lf\" height=\"%lf\" "
                  "fill=\"rgb(%u,%u,%u)\"",
               &fr.x, &fr.y, &fr.w, &fr.h, &cr, &cg, &cb) != 7) {
      fprintf(stderr, "pngcmp: %s: cannot read frame: %s", path, line);
      free(line);
      fclose(f);
      return 2;
    }
    fr.rgb = (cr << 16) | (cg << 8) | cb;
    if (*n == cap) {
      cap = cap ? 2 * cap : 1024;
      frame *grown = realloc(*out, cap * sizeof *grown);
      if (!grown) {
        free(line);
        fclose(f);
        return 2;
      }
      *out = grown;
    }
    (*out)[(*n)++] = fr;
  }
  free(line);
  fclose(f);
  return 0;
}

static cairo_surface_t *load_png(const char *path) {
  cairo_surface_t *s = cairo_image_surface_create_from_png(path);
  if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
    fprintf(stderr, "pngcmp: %s: %s\n", path,
            cairo_status_to_string(cairo_surface_status(s)));
    cairo_surface_destroy(s);
    return NULL;
  }
  cairo_surface_flush(s);
  return s;
}

static bool near(uint32_t a, uint32_t b, int tolerance) {
  for (int shift = 0; shift < 24; shift += 8) {
    int d = (int)((a >> shift) & 0xFF) - (int)((b >> shift) & 0xFF);
    if (d > tolerance || d < -tolerance)
      return false;
  }
  return true;
}

static uint32_t pixel(cairo_surface_t *s, int x, int y) {
  const unsigned char *d = cairo_image_surface_get_data(s);
  const uint32_t *row =
      (const uint32_t *)(const void *)(d + (size_t)y * (size_t)cairo_image_surface_get_stride(s));
  return row[x] & 0xFFFFFF; /* both images are opaque: ignore alpha */
}

/* The most common colour among the pixels [x0,x1) x [y0,y1). */
static uint32_t modal(cairo_surface_t *s, int x0, int x1, int y0, int y1) {
  uint32_t best = 0;
  size_t best_n = 0;
  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++) {
      uint32_t c = pixel(s, x, y);
      if (best_n && c == best)
        continue;
      size_t n = 0;
      for (int yy = y0; yy < y1; yy++)
        for (int xx = x0; xx < x1; xx++)
          n += pixel(s, xx, yy) == c;
      if (n > best_n) {
        best = c;
        best_n = n;
      }
      if (2 * best_n > (size_t)(x1 - x0) * (size_t)(y1 - y0))
        return best;
    }
  return best;
}

int main(int argc, char **argv) {
  double scale = 1;
  int tolerance = 0;
  int a = 1;
  for (; a + 1 < argc && argv[a][0] == '-'; a += 2) {
    if (strcmp(argv[a], "--scale") == 0)
      scale = atof(argv[a + 1]);
    else if (strcmp(argv[a], "--tolerance") == 0)
      tolerance = atoi(argv[a + 1]);
    else
      break;
  }
  if (argc - a != 3 || scale <= 0 || tolerance < 0) {
    fprintf(stderr, "usage: pngcmp [--scale S] [--tolerance T] FRAMES.svg "
                    "REFERENCE.png OURS.png\n");
    return 2;
  }
  frame *frames;
  size_t n;
  int rc = load_frames(argv[a], &frames, &n);
  if (rc)
    return rc;
  cairo_surface_t *ref = load_png(argv[a + 1]), *ours = load_png(argv[a + 2]);
  if (!ref || !ours || n == 0) {
    if (n == 0)
      fprintf(stderr, "pngcmp: %s: no frames\n", argv[a]);
    return 2;
  }
  int w = cairo_image_surface_get_width(ours);
  int h = cairo_image_surface_get_height(ours);
  if (cairo_image_surface_get_width(ref) != w ||
      cairo_image_surface_get_height(ref) != h) {
    printf("pngcmp: sizes differ: %s is %dx%d, %s is %dx%d\n", argv[a + 1],
           cairo_image_surface_get_width(ref), cairo_image_surface_get_height(ref),
           argv[a + 2], w, h);
    return 1;
  }
  bool *masked = calloc((size_t)w * (size_t)h, 1);
  if (!masked)
    return 2;
  double top = INFINITY, bottom = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    top = fmin(top, frames[i].y);
    bottom = fmax(bottom, frames[i].y + frames[i].h);
  }
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      if (y < (int)floor(top * scale) || y >= (int)ceil(bottom * scale))
        masked[(size_t)y * w + x] = true;
  for (size_t i = 0; i < n; i++) {
    const frame *f = &frames[i];
    if (f->w <= 6)
      continue; /* too narrow for a label */
    int x0 = (int)floor((f->x + 2) * scale), x1 = (int)ceil((f->x + f->w) * scale);
    int y0 = (int)floor(f->y * scale), y1 = (int)ceil((f->y + f->h) * scale);
    for (int y = y0 < 0 ? 0 : y0; y < y1 && y < h; y++)
      for (int x = x0 < 0 ? 0 : x0; x < x1 && x < w; x++)
        masked[(size_t)y * w + x] = true;
  }
  size_t compared = 0, same = 0;
  const char *diff_path = getenv("PNGCMP_DIFF"); /* debugging: where they differ */
  cairo_surface_t *diff =
      diff_path ? cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h) : NULL;
  unsigned char *dd = diff ? cairo_image_surface_get_data(diff) : NULL;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      bool eq = near(pixel(ref, x, y), pixel(ours, x, y), tolerance);
      if (!masked[(size_t)y * w + x]) {
        compared++;
        same += eq;
      }
      if (dd)
        ((uint32_t *)(void *)(dd + (size_t)y * (size_t)cairo_image_surface_get_stride(diff)))[x] =
            masked[(size_t)y * w + x] ? 0x808080 : eq ? 0xFFFFFF : 0xFF0000;
    }
  if (diff) {
    cairo_surface_mark_dirty(diff);
    cairo_surface_write_to_png(diff, diff_path);
    cairo_surface_destroy(diff);
  }
  size_t checked = 0, wrong = 0;
  for (size_t i = 0; i < n; i++) {
    const frame *f = &frames[i];
    int x0 = (int)ceil(f->x * scale) + 1, x1 = (int)floor((f->x + f->w) * scale) - 1;
    int y0 = (int)ceil(f->y * scale) + 1, y1 = (int)floor((f->y + f->h) * scale) - 1;
    if (f->w < 4 || x1 <= x0 || y1 <= y0)
      continue;
    checked++;
    uint32_t m_ours = modal(ours, x0, x1, y0, y1), m_ref = modal(ref, x0, x1, y0, y1);
    if (m_ours != f->rgb || m_ref != f->rgb) {
      if (wrong++ < 5)
        printf("pngcmp: frame at %.2f,%.1f (%.2f wide): fill #%06x, "
               "reference shows #%06x, ours #%06x\n",
               f->x, f->y, f->w, f->rgb, m_ref, m_ours);
    }
  }
  double pct = compared ? 100.0 * (double)same / (double)compared : 0;
  printf("pngcmp: %dx%d, %zu frames; %zu pixels compared (%.1f%% of the "
         "image), %.3f%% identical; %zu frames checked for their fill, %zu "
         "wrong\n",
         w, h, n, compared, 100.0 * (double)compared / ((double)w * h), pct,
         checked, wrong);
  bool ok = pct >= 99 && compared >= 2000 && wrong == 0 && checked > 0;
  free(masked);
  free(frames);
  cairo_surface_destroy(ref);
  cairo_surface_destroy(ours);
  return ok ? 0 : 1;
}
