/*
 * image.c - PNG and PDF flame graphs: cairo draws the frames of the one
 * layout (layout.c) that the SVG writer draws, pango shapes and measures
 * the text. Labels are fitted with pango's measured widths, so they may
 * hold a few more or fewer characters than the SVG's fixed-advance
 * estimate; every rectangle and colour is the SVG's.
 *
 * No global state: each call makes its own font map and pango context,
 * so separate profiles can be drawn from separate threads.
 */
#include "escape.h"
#include "layout.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
  /* cairo's limit for an image surface side, and a sane one for a PDF
     page (in points) */
  MAX_SIDE = 32767,
  /* Longer names are measured by their first MEASURE_MAX bytes: no frame
     is wide enough to show more, and shaping a megabyte of text for each
     step of the label search would take seconds. */
  MEASURE_MAX = 4096,
  /* widths remembered by text address and length: names are interned, so
     the thousands of frames of one function share one address */
  WIDTH_CACHE = 4096
};

/* cairo and pango are loaded when a PNG or PDF is first drawn, not when
 * the program starts: linked in, their forty-odd libraries cost every run
 * about 15 ms of start-up (a top or an SVG of a small profile took 20 ms
 * instead of 4). Each call opens the library (a reference count after the
 * first) and reaches the functions through this table; RTLD_NODELETE
 * keeps glib's and fontconfig's state in place when the last reference
 * goes. */
#define IMAGE_FUNCS(X)                                                         \
  X(cairo_arc)                                                                 \
  X(cairo_close_path)                                                          \
  X(cairo_create)                                                              \
  X(cairo_destroy)                                                             \
  X(cairo_fill)                                                                \
  X(cairo_fill_preserve)                                                       \
  X(cairo_font_options_create)                                                 \
  X(cairo_font_options_destroy)                                                \
  X(cairo_font_options_set_antialias)                                          \
  X(cairo_font_options_set_hint_metrics)                                       \
  X(cairo_font_options_set_hint_style)                                         \
  X(cairo_image_surface_create)                                                \
  X(cairo_matrix_init_scale)                                                   \
  X(cairo_move_to)                                                             \
  X(cairo_new_sub_path)                                                        \
  X(cairo_pattern_add_color_stop_rgb)                                          \
  X(cairo_pattern_create_linear)                                               \
  X(cairo_pattern_destroy)                                                     \
  X(cairo_pattern_set_matrix)                                                  \
  X(cairo_pdf_surface_create_for_stream)                                       \
  X(cairo_pdf_surface_set_metadata)                                            \
  X(cairo_rectangle)                                                           \
  X(cairo_scale)                                                               \
  X(cairo_set_line_width)                                                      \
  X(cairo_set_source)                                                          \
  X(cairo_set_source_rgb)                                                      \
  X(cairo_status)                                                              \
  X(cairo_status_to_string)                                                    \
  X(cairo_stroke)                                                              \
  X(cairo_surface_destroy)                                                     \
  X(cairo_surface_finish)                                                      \
  X(cairo_surface_status)                                                      \
  X(cairo_surface_write_to_png_stream)                                         \
  X(g_object_unref)                                                            \
  X(pango_cairo_context_set_font_options)                                      \
  X(pango_cairo_font_map_new)                                                  \
  X(pango_cairo_show_layout)                                                   \
  X(pango_cairo_update_context)                                                \
  X(pango_context_set_round_glyph_positions)                                   \
  X(pango_font_description_free)                                               \
  X(pango_font_description_new)                                                \
  X(pango_font_description_set_absolute_size)                                  \
  X(pango_font_description_set_family)                                         \
  X(pango_font_map_create_context)                                             \
  X(pango_layout_context_changed)                                              \
  X(pango_layout_get_baseline)                                                 \
  X(pango_layout_get_extents)                                                  \
  X(pango_layout_new)                                                          \
  X(pango_layout_set_font_description)                                         \
  X(pango_layout_set_single_paragraph_mode)                                    \
  X(pango_layout_set_text)

typedef struct image_api {
  void *lib;
#define X(f) __typeof__(f) *f;
  IMAGE_FUNCS(X)
#undef X
} image_api;

static const char image_lib[] = "libpangocairo-1.0.so.0";

static prf_status image_api_open(image_api *api, const char *what,
                                 prf_error *err) {
  memset(api, 0, sizeof *api);
  api->lib = dlopen(image_lib, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (!api->lib) {
    const char *why = dlerror();
    return prf_fail(err, PRF_E_OUTPUT,
                    "%s output needs %s (Debian: libpangocairo-1.0-0): %s",
                    what, image_lib, why ? why : "cannot load it");
  }
  /* POSIX's way to store dlsym's object pointer in a function pointer. */
#define X(f)                                                                   \
  *(void **)&api->f = dlsym(api->lib, #f);                                     \
  if (!api->f) {                                                               \
    dlclose(api->lib);                                                         \
    api->lib = NULL;                                                           \
    return prf_fail(err, PRF_E_OUTPUT, "%s output needs %s, which lacks %s",   \
                    what, image_lib, #f);                                      \
  }
  IMAGE_FUNCS(X)
#undef X
  return PRF_OK;
}

static void image_api_close(image_api *api) {
  if (api->lib)
    dlclose(api->lib);
  api->lib = NULL;
}

typedef struct width_entry {
  const char *text;
  size_t len;
  double width;
} width_entry;

/* Fallbacks after the requested family: DejaVu Sans (fonts-dejavu-core)
   has glyphs for most scripts; then whatever fontconfig calls sans. */
static const char font_fallback[] = ",DejaVu Sans,sans-serif";

typedef struct text_engine {
  const image_api *api;
  PangoFontMap *fontmap;
  PangoContext *context;
  PangoLayout *layout;
  PangoFontDescription *font;
  prf_buf text;        /* the cleaned text last handed to pango */
  width_entry *cache;  /* WIDTH_CACHE entries, direct-mapped */
  const prf_allocator *mem; /* for text and cache (pango has its own) */
} text_engine;

static double seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Hands len bytes of profile text to the layout as valid UTF-8 without
 * control characters. False when out of memory. */
static bool set_text(text_engine *te, const char *s, size_t len,
                     const char *suffix) {
  const image_api *api = te->api;
  te->text.len = 0;
  prf_text_plain(&te->text, s, len);
  if (suffix)
    prf_buf_puts(&te->text, suffix);
  if (te->text.failed || te->text.len > INT32_MAX)
    return false;
  api->pango_layout_set_text(te->layout, te->text.len ? te->text.data : "",
                             (int)te->text.len);
  return true;
}

static double layout_width(const text_engine *te) {
  const image_api *api = te->api;
  PangoRectangle logical;
  api->pango_layout_get_extents(te->layout, NULL, &logical);
  return (double)logical.width / PANGO_SCALE;
}

/* The prf_measure_fn of PNG and PDF. Out of memory reads as "does not
 * fit": the label is left out, the picture is still right. */
static double measure_pango(void *ctx, const char *s, size_t len) {
  text_engine *te = ctx;
  uintptr_t key = (uintptr_t)s ^ ((uintptr_t)s >> 12) ^ (uintptr_t)len * 0x9E3779B1u;
  width_entry *e = &te->cache[key % WIDTH_CACHE];
  if (e->text == s && e->len == len)
    return e->width;
  bool cut = len > MEASURE_MAX;
  if (!set_text(te, s, cut ? MEASURE_MAX : len, NULL))
    return HUGE_VAL;
  /* A cut name is a little wider than its measured part, so that the
     search for the longest prefix that fits stays monotonic. */
  double w = layout_width(te) + (cut ? 1 : 0);
  *e = (width_entry){s, len, w};
  return w;
}

static void text_engine_free(text_engine *te) {
  const image_api *api = te->api;
  if (te->layout)
    api->g_object_unref(te->layout);
  if (te->context)
    api->g_object_unref(te->context);
  if (te->fontmap)
    api->g_object_unref(te->fontmap);
  if (te->font)
    api->pango_font_description_free(te->font);
  prf_buf_free(&te->text);
  prf_mem_free(te->mem, te->cache);
}

static bool text_engine_init(text_engine *te, const image_api *api,
                             const prf_allocator *mem,
                             const prf_flame_options *o) {
  memset(te, 0, sizeof *te);
  te->api = api;
  te->mem = mem;
  prf_buf_init(&te->text, mem);
  prf_buf family;
  prf_buf_init(&family, mem);
  prf_buf_puts(&family, o->font_type && *o->font_type ? o->font_type : "Verdana");
  prf_buf_puts(&family, font_fallback);
  prf_buf_putc(&family, '\0');
  te->cache = prf_mem_calloc(mem, WIDTH_CACHE, sizeof *te->cache);
  te->fontmap = api->pango_cairo_font_map_new();
  te->font = api->pango_font_description_new();
  if (family.failed || !te->cache || !te->fontmap || !te->font) {
    prf_buf_free(&family);
    return false;
  }
  api->pango_font_description_set_family(te->font, family.data);
  prf_buf_free(&family);
  api->pango_font_description_set_absolute_size(te->font,
                                                o->font_size * PANGO_SCALE);
  te->context = api->pango_font_map_create_context(te->fontmap);
  if (!te->context)
    return false;
  /* Unhinted metrics: a label measured once fits at every --scale and on
     paper alike. Grey antialiasing: images are viewed on any screen. */
  cairo_font_options_t *fo = api->cairo_font_options_create();
  api->cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
  api->cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
  api->cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
  api->pango_cairo_context_set_font_options(te->context, fo);
  api->cairo_font_options_destroy(fo);
  api->pango_context_set_round_glyph_positions(te->context, FALSE);
  te->layout = api->pango_layout_new(te->context);
  if (!te->layout)
    return false;
  api->pango_layout_set_font_description(te->layout, te->font);
  api->pango_layout_set_single_paragraph_mode(te->layout, TRUE);
  return true;
}

/* ---- drawing ---- */

typedef struct painter {
  cairo_t *cr;
  text_engine *te;
  const prf_layout *l;
  const prf_flame_options *o;
  bool nomem;
} painter;

static void set_rgb(const image_api *api, cairo_t *cr, uint32_t rgb) {
  api->cairo_set_source_rgb(cr, ((rgb >> 16) & 0xFF) / 255.0,
                            ((rgb >> 8) & 0xFF) / 255.0, (rgb & 0xFF) / 255.0);
}

static uint32_t parse_hex(const char *s) {
  uint32_t v = 0;
  for (s += *s == '#'; *s; s++)
    v = v * 16 + (uint32_t)(*s <= '9' ? *s - '0' : (*s | 0x20) - 'a' + 10);
  return v;
}

/* SVG's <rect rx=r ry=r>: corners are quarter circles, r at most half of
 * each side. */
static void rounded_rect(const image_api *api, cairo_t *cr, double x, double y,
                         double w, double h, double r) {
  if (r > w / 2)
    r = w / 2;
  if (r > h / 2)
    r = h / 2;
  if (r <= 0) {
    api->cairo_rectangle(cr, x, y, w, h);
    return;
  }
  api->cairo_new_sub_path(cr);
  api->cairo_arc(cr, x + w - r, y + r, r, -M_PI / 2, 0);
  api->cairo_arc(cr, x + w - r, y + h - r, r, 0, M_PI / 2);
  api->cairo_arc(cr, x + r, y + h - r, r, M_PI / 2, M_PI);
  api->cairo_arc(cr, x + r, y + r, r, M_PI, 3 * M_PI / 2);
  api->cairo_close_path(cr);
}

/* Draws the layout's text with its baseline at y; x is the left edge, or
 * the centre when centre is set, or the right edge when right is set.
 * Returns the text's width. */
static double draw_text(painter *pt, const char *s, size_t len,
                        const char *suffix, double x, double y, int align,
                        uint32_t rgb) {
  text_engine *te = pt->te;
  const image_api *api = te->api;
  if (!set_text(te, s, len, suffix)) {
    pt->nomem = true;
    return 0;
  }
  double w = layout_width(te);
  if (align > 0)
    x -= w;
  else if (align == 0)
    x -= w / 2;
  double baseline =
      (double)api->pango_layout_get_baseline(te->layout) / PANGO_SCALE;
  set_rgb(api, pt->cr, rgb);
  api->cairo_move_to(pt->cr, x, y - baseline);
  api->pango_cairo_show_layout(pt->cr, te->layout);
  return w;
}

enum { LEFT = -1, CENTRE = 0, RIGHT = 1 };

/* Fills the current path, outlined as the SVG outlines a frame that has
   calls only in the other side of a diff. */
static void fill(const image_api *api, cairo_t *cr, uint32_t rgb,
                 bool outlined) {
  set_rgb(api, cr, rgb);
  if (!outlined) {
    api->cairo_fill(cr);
    return;
  }
  api->cairo_fill_preserve(cr);
  set_rgb(api, cr, PRF_HIDDEN_RGB);
  api->cairo_set_line_width(cr, 1.5);
  api->cairo_stroke(cr);
}

static void draw_frames(painter *pt) {
  const image_api *api = pt->te->api;
  const prf_layout *l = pt->l;
  for (size_t i = 0; i < l->count; i++) {
    const prf_layout_frame *f = &l->frames[i];
    double x, y, w, h;
    prf_layout_rect(l, f, pt->o->inverted, &x, &y, &w, &h);
    rounded_rect(api, pt->cr, x, y, w, h, 2);
    fill(api, pt->cr, f->rgb,
         f->hidden > 0); /* outlined: calls only in the other side */
  }
  /* Text after all rectangles: pango switches the source and font
     state, so drawing it in one pass keeps the fills cheap. */
  api->pango_font_description_set_absolute_size(pt->te->font,
                                                l->font_size * PANGO_SCALE);
  api->pango_layout_set_font_description(pt->te->layout, pt->te->font);
  for (size_t i = 0; i < l->count && !pt->nomem; i++) {
    const prf_layout_frame *f = &l->frames[i];
    if (f->label_len == 0)
      continue;
    double x, y, w, h;
    prf_layout_rect(l, f, pt->o->inverted, &x, &y, &w, &h);
    size_t len;
    const char *name = prf_layout_name(l, f->node, &len);
    draw_text(pt, name, f->label_len, f->label_dots ? ".." : NULL, x + 3,
              y + h / 2 + l->font_size / 4, LEFT, 0x000000);
  }
}

/* The footer: what the full width stands for, and the sample type; for a
 * differential graph, a legend of the two hues. */
static void draw_footer(painter *pt, const prf_profile *profile) {
  const image_api *api = pt->te->api;
  const prf_allocator *mem = &profile->mem;
  const prf_layout *l = pt->l;
  const prf_flame_options *o = pt->o;
  double y = l->height - l->ypad_bottom / 2;
  const char *type = prf_value_type(profile, l->column);
  const char *unit = prf_value_unit(profile, l->column);
  /* Folded stacks say only "samples (count)"; a pprof column says what it
     measures: "Total: 240.29s · sample type cpu (nanoseconds)". */
  bool counted = !unit || !*unit || strcmp(unit, "count") == 0;
  bool plain = !type || !*type ||
               (counted && o->count_name && strcmp(type, o->count_name) == 0);
  char count[64];
  if (counted)
    prf_format_count(count, sizeof count, l->total * o->factor);
  else
    prf_format_measure(count, sizeof count, l->total * o->factor, unit);
  prf_buf b;
  prf_buf_init(&b, mem);
  if (l->details) {
    /* The detailed differential view: both sides' own totals. */
    double value[2], share[2];
    prf_layout_diff_values(l, 0, value, share);
    char side[2][64];
    for (int i = 0; i < 2; i++)
      prf_layout_format_value(l, o, value[i], side[i], sizeof side[i]);
    prf_buf_printf(&b, "NEW: %s \xc2\xb7 BASE: %s", side[1], side[0]);
    plain = true;
    counted = false;
  } else {
    prf_buf_puts(&b, "Total: ");
    prf_buf_puts(&b, count);
  }
  if (counted) {
    prf_buf_putc(&b, ' ');
    prf_buf_puts(&b, o->count_name ? o->count_name : "samples");
  }
  if (!plain) {
    prf_buf_puts(&b, " \xc2\xb7 sample type ");
    prf_buf_puts(&b, type);
    if (!counted && strcmp(unit, type) != 0) {
      prf_buf_puts(&b, " (");
      prf_buf_puts(&b, unit);
      prf_buf_putc(&b, ')');
    }
  }
  if (b.failed) {
    pt->nomem = true;
    prf_buf_free(&b);
    return;
  }
  draw_text(pt, b.data, b.len, NULL, l->xpad, y, LEFT, 0x000000);
  prf_buf_free(&b);
  if (!l->differential || l->nlegend)
    return; /* no legend, or the detailed one under the title */
  /* Right-aligned: [red] grew  [blue] shrank, with the swatch colours
     the palette gives the largest change. */
  static const char *const words[] = {"shrank", "grew"};
  double x = l->width - l->xpad;
  for (int i = 0; i < 2; i++) {
    bool grew = (i == 1) != (o->negate != 0);
    x -= draw_text(pt, words[i], strlen(words[i]), NULL, x, y, RIGHT,
                   0x000000) + 4;
    double s = l->font_size * 0.8;
    api->cairo_rectangle(pt->cr, x - s, y - s, s, s);
    set_rgb(api, pt->cr, prf_palette_diff(grew ? 1 : -1, 1));
    api->cairo_fill(pt->cr);
    x -= s + 12;
  }
}

/* The detailed differential view's legend row, at the positions the
   layout measured with pango. */
static void draw_legend(painter *pt) {
  const image_api *api = pt->te->api;
  const prf_layout *l = pt->l;
  double s = l->font_size * 0.8;
  for (size_t i = 0; i < l->nlegend && !pt->nomem; i++) {
    const struct prf_legend_item *it = &l->legend[i];
    if (it->swatch) {
      api->cairo_rectangle(pt->cr, it->x, l->legend_y - s, s, s);
      fill(api, pt->cr, it->rgb, it->swatch == 2);
    }
    draw_text(pt, it->text, strlen(it->text), NULL, it->text_x, l->legend_y,
              LEFT, 0x000000);
  }
}

static void draw(painter *pt, const prf_profile *profile) {
  const image_api *api = pt->te->api;
  const prf_layout *l = pt->l;
  const prf_flame_options *o = pt->o;
  cairo_t *cr = pt->cr;
  prf_palette pal = PRF_PAL_HOT;
  prf_palette_lookup(o->colors ? o->colors : "hot", &pal);
  const char *bg1, *bg2;
  prf_palette_background(pal, &bg1, &bg2);
  uint32_t top = parse_hex(bg1), bottom = parse_hex(bg2);
  /* In the unit square scaled to the image, as an SVG renderer draws an
     objectBoundingBox gradient: the same rounding, the same pixels. */
  cairo_pattern_t *bg = api->cairo_pattern_create_linear(0, 0, 0, 1);
  cairo_matrix_t unit;
  api->cairo_matrix_init_scale(&unit, 1, 1 / l->height);
  api->cairo_pattern_set_matrix(bg, &unit);
  api->cairo_pattern_add_color_stop_rgb(bg, 0.05, ((top >> 16) & 0xFF) / 255.0,
                                        ((top >> 8) & 0xFF) / 255.0,
                                        (top & 0xFF) / 255.0);
  api->cairo_pattern_add_color_stop_rgb(
      bg, 0.95, ((bottom >> 16) & 0xFF) / 255.0, ((bottom >> 8) & 0xFF) / 255.0,
      (bottom & 0xFF) / 255.0);
  api->cairo_rectangle(cr, 0, 0, l->width, l->height);
  api->cairo_set_source(cr, bg);
  api->cairo_fill(cr);
  api->cairo_pattern_destroy(bg);

  api->pango_cairo_update_context(cr, pt->te->context);
  api->pango_layout_context_changed(pt->te->layout);
  draw_frames(pt);

  const char *title = o->title;
  if (!title)
    title = o->flamechart ? "Flame Chart"
                          : o->inverted ? "Icicle Graph" : "Flame Graph";
  api->pango_font_description_set_absolute_size(
      pt->te->font, (l->font_size + 5) * PANGO_SCALE);
  api->pango_layout_set_font_description(pt->te->layout, pt->te->font);
  draw_text(pt, title, strlen(title), NULL, l->width / 2, l->font_size * 2,
            CENTRE, 0x000000);
  api->pango_font_description_set_absolute_size(pt->te->font,
                                                l->font_size * PANGO_SCALE);
  api->pango_layout_set_font_description(pt->te->layout, pt->te->font);
  if (*l->subtitle)
    draw_text(pt, l->subtitle, strlen(l->subtitle), NULL, l->width / 2,
              l->font_size * 4, CENTRE, 0xA0A0A0);
  draw_footer(pt, profile);
  draw_legend(pt);
}

/* ---- output ---- */

typedef struct stream {
  prf_write_fn write;
  void *ctx;
  bool failed;
} stream;

static cairo_status_t stream_write(void *closure, const unsigned char *data,
                                   unsigned int length) {
  stream *s = closure;
  if (s->failed || (length && s->write(s->ctx, data, length) != 0)) {
    s->failed = true;
    return CAIRO_STATUS_WRITE_ERROR;
  }
  return CAIRO_STATUS_SUCCESS;
}

static prf_status image_failure(const image_api *api, cairo_status_t cs,
                                const stream *out, const char *what,
                                prf_error *err) {
  if (out->failed || cs == CAIRO_STATUS_WRITE_ERROR)
    return prf_fail(err, PRF_E_OUTPUT, "cannot write %s output", what);
  if (cs == CAIRO_STATUS_NO_MEMORY)
    return prf_fail(err, PRF_E_NOMEM, "out of memory drawing the %s", what);
  return prf_fail(err, PRF_E_OUTPUT, "cairo cannot draw the %s: %s", what,
                  api->cairo_status_to_string(cs));
}

/* PNG or PDF through cairo, labels measured and shaped by pango. */
static prf_status write_image(const image_api *api, prf_profile *profile,
                              const prf_flame_options *o,
                              prf_image_format format, prf_write_fn write,
                              void *ctx, prf_render_times *times, double t0,
                              prf_error *err) {
  const char *what = format == PRF_IMAGE_PNG ? "PNG" : "PDF";
  prf_status st;
  text_engine te;
  if (!text_engine_init(&te, api, &profile->mem, o)) {
    text_engine_free(&te);
    return prf_fail(err, PRF_E_NOMEM, "out of memory setting up text for %s",
                    what);
  }
  prf_layout l;
  st = prf_layout_build(&l, profile, o, measure_pango, &te, err);
  times->layout = seconds() - t0;
  if (st != PRF_OK) {
    text_engine_free(&te);
    return st;
  }
  double scale = format == PRF_IMAGE_PNG && o->scale > 0 ? o->scale : 1;
  double w = ceil(l.width * scale), h = ceil(l.height * scale);
  if (w > MAX_SIDE || h > MAX_SIDE) {
    unsigned levels = (unsigned)l.max_depth + 1;
    prf_layout_free(&l);
    text_engine_free(&te);
    return prf_fail(err, PRF_E_LIMIT,
                    "the %s would be %.0f x %.0f %s (%u levels deep); the "
                    "limit is %d on each side: lower --scale, --width or "
                    "--height, raise --minwidth, or write SVG",
                    what, w, h, format == PRF_IMAGE_PNG ? "pixels" : "points",
                    levels, MAX_SIDE);
  }
  stream out = {write, ctx, false};
  cairo_surface_t *surface =
      format == PRF_IMAGE_PNG
          ? api->cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)w, (int)h)
          : api->cairo_pdf_surface_create_for_stream(stream_write, &out, w, h);
  if (format == PRF_IMAGE_PDF &&
      api->cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS) {
    /* Reproducible: cairo would stamp the current time. */
    api->cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR,
                                        "prof-render " PRF_VERSION_STRING);
    api->cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE,
                                        "1970-01-01T00:00:00Z");
  }
  cairo_t *cr = api->cairo_create(surface);
  t0 = seconds();
  api->cairo_scale(cr, scale, scale);
  painter pt = {cr, &te, &l, o, false};
  if (api->cairo_status(cr) == CAIRO_STATUS_SUCCESS)
    draw(&pt, profile);
  cairo_status_t cs = api->cairo_status(cr);
  api->cairo_destroy(cr);
  times->draw = seconds() - t0;
  t0 = seconds();
  if (pt.nomem)
    st = prf_fail(err, PRF_E_NOMEM, "out of memory drawing the %s", what);
  else if (cs != CAIRO_STATUS_SUCCESS)
    st = image_failure(api, cs, &out, what, err);
  else if (format == PRF_IMAGE_PNG) {
    cs = api->cairo_surface_write_to_png_stream(surface, stream_write, &out);
    if (cs != CAIRO_STATUS_SUCCESS)
      st = image_failure(api, cs, &out, what, err);
  } else {
    api->cairo_surface_finish(surface);
    cs = api->cairo_surface_status(surface);
    if (cs != CAIRO_STATUS_SUCCESS)
      st = image_failure(api, cs, &out, what, err);
  }
  api->cairo_surface_destroy(surface);
  times->encode = seconds() - t0;
  prf_layout_free(&l);
  text_engine_free(&te);
  return st;
}

prf_status prf_flame_write(prf_profile *profile, const prf_flame_options *o,
                           prf_image_format format, prf_write_fn write,
                           void *ctx, prf_render_times *times, prf_error *err) {
  prf_flame_options defaults;
  if (!o) {
    prf_flame_options_init(&defaults);
    o = &defaults;
  }
  prf_render_times local;
  if (!times)
    times = &local;
  memset(times, 0, sizeof *times);
  if (format != PRF_IMAGE_SVG && format != PRF_IMAGE_PNG &&
      format != PRF_IMAGE_PDF)
    return prf_fail(err, PRF_E_USAGE, "unknown image format %d", (int)format);
  prf_status st = prf_flame_options_check(o, err);
  if (st != PRF_OK)
    return st;
  double t0 = seconds();
  if (format == PRF_IMAGE_SVG) {
    double advance = o->font_size * o->font_width;
    prf_layout l;
    st = prf_layout_build(&l, profile, o, prf_measure_fixed, &advance, err);
    times->layout = seconds() - t0;
    if (st != PRF_OK)
      return st;
    t0 = seconds();
    st = prf_svg_write_layout(&l, o, write, ctx, err);
    times->encode = seconds() - t0;
    prf_layout_free(&l);
    return st;
  }

  const char *what = format == PRF_IMAGE_PNG ? "PNG" : "PDF";
  image_api api;
  st = image_api_open(&api, what, err);
  if (st != PRF_OK)
    return st;
  st = write_image(&api, profile, o, format, write, ctx, times, t0, err);
  image_api_close(&api);
  return st;
}
