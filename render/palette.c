/*
 * palette.c - flamegraph.pl's palettes, with a name hash instead of a
 * random generator.
 */
#include "palette.h"

#include <string.h>

static const char *const names[PRF_PAL_COUNT] = {
    "hot", "mem", "io", "wakeup", "java", "js", "perl", "python", "rust",
    "red", "green", "blue", "aqua", "yellow", "purple", "orange"};

static const char *const public_names[PRF_PAL_COUNT + 1] = {
    "hot", "mem", "io", "wakeup", "java", "js", "perl", "python", "rust",
    "red", "green", "blue", "aqua", "yellow", "purple", "orange", NULL};

const char *const *prf_palette_names(void) { return public_names; }

bool prf_palette_lookup(const char *name, prf_palette *out) {
  for (int i = 0; i < PRF_PAL_COUNT; i++) {
    if (strcmp(names[i], name) == 0) {
      *out = (prf_palette)i;
      return true;
    }
  }
  return false;
}

/* A value in [0, 1] that weights the first characters most, so names that
 * start alike get similar colours. A "module`" prefix is skipped. */
static double name_hash(const char *s, size_t len, bool reverse) {
  const char *tick = memchr(s, '`', len);
  if (tick) {
    len -= (size_t)(tick + 1 - s);
    s = tick + 1;
  }
  double vector = 0, weight = 1, max = 1;
  int mod = 10;
  for (size_t i = 0; i < len && mod <= 12; i++) {
    unsigned char c = (unsigned char)(reverse ? s[len - 1 - i] : s[i]);
    vector += ((double)(c % mod) / (mod - 1)) * weight;
    mod++;
    max += weight;
    weight *= 0.70;
  }
  return 1 - vector / max;
}

static uint32_t rgb(double r, double g, double b) {
  return ((uint32_t)r << 16) | ((uint32_t)g << 8) | (uint32_t)b;
}

static bool contains(const char *s, size_t len, const char *needle) {
  size_t n = strlen(needle);
  for (size_t i = 0; i + n <= len; i++)
    if (memcmp(s + i, needle, n) == 0)
      return true;
  return false;
}

static bool starts_java_package(const char *s, size_t len) {
  static const char *const pkgs[] = {"java/", "javax/", "jdk/", "net/",
                                     "org/",  "com/",   "io/",  "sun/"};
  if (len > 0 && s[0] == 'L') {
    s++;
    len--;
  }
  for (size_t i = 0; i < sizeof pkgs / sizeof pkgs[0]; i++) {
    size_t n = strlen(pkgs[i]);
    if (len >= n && memcmp(s, pkgs[i], n) == 0)
      return true;
  }
  return false;
}

/* Language palettes pick a base hue from what the frame looks like. */
static prf_palette language_hue(prf_palette p, const char *s, size_t len,
                                uint8_t kind) {
  if (kind == PRF_KIND_KERNEL)
    return PRF_PAL_ORANGE;
  switch (p) {
  case PRF_PAL_JAVA:
    if (kind == PRF_KIND_JIT)
      return PRF_PAL_GREEN;
    if (kind == PRF_KIND_INLINED)
      return PRF_PAL_AQUA;
    if (starts_java_package(s, len) || contains(s, len, ":::"))
      return PRF_PAL_GREEN;
    if (contains(s, len, "::"))
      return PRF_PAL_YELLOW;
    return PRF_PAL_RED;
  case PRF_PAL_JS:
    if (kind == PRF_KIND_JIT)
      return memchr(s, '/', len) ? PRF_PAL_GREEN : PRF_PAL_AQUA;
    if (contains(s, len, "::"))
      return PRF_PAL_YELLOW;
    if (memchr(s, '/', len) && contains(s, len, ".js"))
      return PRF_PAL_GREEN;
    if (memchr(s, ':', len))
      return PRF_PAL_AQUA;
    if (len == 1 && s[0] == ' ')
      return PRF_PAL_GREEN;
    return PRF_PAL_RED;
  case PRF_PAL_PERL:
    if (contains(s, len, "::"))
      return PRF_PAL_YELLOW;
    if (contains(s, len, "Perl") || contains(s, len, ".pl"))
      return PRF_PAL_GREEN;
    return PRF_PAL_RED;
  case PRF_PAL_PYTHON:
    if (contains(s, len, "site-packages") || contains(s, len, "dist-packages"))
      return PRF_PAL_AQUA;
    if (contains(s, len, "<frozen") || contains(s, len, "<built-in") ||
        contains(s, len, "/lib/python"))
      return PRF_PAL_YELLOW;
    if (contains(s, len, ".py"))
      return PRF_PAL_GREEN;
    return PRF_PAL_RED;
  case PRF_PAL_RUST:
    if ((len >= 6 && memcmp(s, "core::", 6) == 0) ||
        (len >= 5 && memcmp(s, "std::", 5) == 0) ||
        (len >= 7 && memcmp(s, "alloc::", 7) == 0) ||
        (len >= 7 && memcmp(s, "<core::", 7) == 0) ||
        (len >= 6 && memcmp(s, "<std::", 6) == 0) ||
        (len >= 8 && memcmp(s, "<alloc::", 8) == 0))
      return PRF_PAL_ORANGE;
    if (contains(s, len, "::"))
      return PRF_PAL_AQUA;
    return PRF_PAL_YELLOW;
  case PRF_PAL_WAKEUP:
    return kind == PRF_KIND_WAKER ? PRF_PAL_AQUA : PRF_PAL_BLUE;
  default:
    return p;
  }
}

uint32_t prf_palette_color(prf_palette palette, const char *s, size_t len,
                           uint8_t kind) {
  if (len == 2 && s[0] == '-' && s[1] == '-')
    return rgb(160, 160, 160); /* separator frames */
  if (len == 1 && s[0] == '-')
    return rgb(200, 200, 200);
  prf_palette hue = language_hue(palette, s, len, kind);
  double v1 = name_hash(s, len, false);
  double v2 = name_hash(s, len, true);
  double v3 = v2;
  switch (hue) {
  case PRF_PAL_MEM: return rgb(0, 190 + 50 * v2, 210 * v1);
  case PRF_PAL_IO: return rgb(80 + 60 * v1, 80 + 60 * v1, 190 + 55 * v2);
  case PRF_PAL_RED: return rgb(200 + 55 * v1, 50 + 80 * v1, 50 + 80 * v1);
  case PRF_PAL_GREEN: return rgb(50 + 60 * v1, 200 + 55 * v1, 50 + 60 * v1);
  case PRF_PAL_BLUE: return rgb(80 + 60 * v1, 80 + 60 * v1, 205 + 50 * v1);
  case PRF_PAL_AQUA: return rgb(50 + 60 * v1, 165 + 55 * v1, 165 + 55 * v1);
  case PRF_PAL_YELLOW: return rgb(175 + 55 * v1, 175 + 55 * v1, 50 + 20 * v1);
  case PRF_PAL_PURPLE: return rgb(190 + 65 * v1, 80 + 60 * v1, 190 + 65 * v1);
  case PRF_PAL_ORANGE: return rgb(190 + 65 * v1, 90 + 65 * v1, 0);
  default: return rgb(205 + 50 * v3, 230 * v1, 55 * v2); /* hot */
  }
}

void prf_palette_background(prf_palette palette, const char **top,
                            const char **bottom) {
  *top = "#eeeeee";
  switch (palette) {
  case PRF_PAL_MEM: *bottom = "#e0e0ff"; break;
  case PRF_PAL_IO:
  case PRF_PAL_WAKEUP: *bottom = "#c8c8e8"; break;
  default: *bottom = "#eeeeb0"; break;
  }
}

uint32_t prf_palette_diff(double delta, double max_delta) {
  double f = delta / max_delta;
  if (f > 1)
    f = 1;
  if (f < -1)
    f = -1;
  if (f >= 0) {
    double c = 250 - 150 * f;
    return rgb(delta > 0 ? 255 : 250, c, c);
  }
  double c = 250 + 150 * f;
  return rgb(c, c, 255);
}
