/*
 * svg.c - the interactive SVG flame graph: flamegraph.pl's look and
 * structure, plus inferno's fg:x/fg:w sample extents on every frame.
 */
#include "escape.h"
#include "layout.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "flame_js.h" /* generated from flame.js: static const char prf_flame_js[] */

typedef struct svg_writer {
  prf_buf out;
  prf_write_fn write;
  void *ctx;
  bool failed;
} svg_writer;

static void flush(svg_writer *w, bool force) {
  if (w->failed || w->out.failed)
    return;
  if (force || w->out.len >= (1u << 20)) {
    if (w->out.len && w->write(w->ctx, w->out.data, w->out.len) != 0)
      w->failed = true;
    w->out.len = 0;
  }
}

static void text_el(svg_writer *w, const char *id, const char *cls, double x,
                    double y, const char *text) {
  prf_buf_printf(&w->out, "<text id=\"%s\"%s x=\"%.2f\" y=\"%.2f\">", id,
                 cls ? cls : "", x, y);
  prf_escape_xml(&w->out, text, strlen(text));
  prf_buf_puts(&w->out, "</text>\n");
}

static void js_var(prf_buf *b, const char *name, const char *value) {
  prf_buf_printf(b, "var %s = '", name);
  prf_escape_js(b, value, strlen(value));
  prf_buf_puts(b, "';\n");
}

static void header(svg_writer *w, const prf_layout *l,
                   const prf_flame_options *o) {
  prf_buf *b = &w->out;
  prf_palette pal = PRF_PAL_HOT;
  prf_palette_lookup(o->colors ? o->colors : "hot", &pal);
  const char *bg1, *bg2;
  prf_palette_background(pal, &bg1, &bg2);
  prf_buf_puts(b, "<?xml version=\"1.0\" standalone=\"no\"?>\n"
                  "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" "
                  "\"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n");
  prf_buf_printf(b,
                 "<svg version=\"1.1\" width=\"%.0f\" height=\"%.0f\"%s "
                 "viewBox=\"0 0 %.0f %.0f\" xmlns=\"http://www.w3.org/2000/svg\" "
                 "xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
                 "xmlns:fg=\"http://github.com/jonhoo/inferno\">\n",
                 l->width, l->height,
                 o->no_javascript ? "" : " onload=\"init(evt)\"", l->width,
                 l->height);
  prf_buf_puts(b, "<!-- Flame graph written by prof-render " PRF_VERSION_STRING
                  ". Click a frame to zoom, Ctrl-F to search. -->\n");
  if (o->notes && *o->notes) {
    prf_buf_puts(b, "<desc id=\"notes\">");
    prf_escape_xml(b, o->notes, strlen(o->notes));
    prf_buf_puts(b, "</desc>\n");
  }
  prf_buf_printf(b,
                 "<defs>\n<linearGradient id=\"background\" y1=\"0\" y2=\"1\" "
                 "x1=\"0\" x2=\"0\">\n<stop stop-color=\"%s\" offset=\"5%%\"/>\n"
                 "<stop stop-color=\"%s\" offset=\"95%%\"/>\n"
                 "</linearGradient>\n</defs>\n",
                 bg1, bg2);
  prf_buf_puts(b, "<style type=\"text/css\">\ntext { font-family:\"");
  prf_escape_css(b, o->font_type, strlen(o->font_type));
  prf_buf_printf(b,
                 "\", sans-serif; font-size:%gpx; fill:rgb(0,0,0); }\n"
                 "#title { text-anchor:middle; font-size:%gpx; }\n"
                 "#subtitle { text-anchor:middle; fill:rgb(160,160,160); }\n"
                 "#search, #ignorecase { opacity:0.1; cursor:pointer; }\n"
                 "#search:hover, #search.show, #ignorecase:hover, "
                 "#ignorecase.show { opacity:1; }\n"
                 "#matched { text-anchor:start; }\n"
                 "#unzoom { cursor:pointer; }\n"
                 "#frames > *:hover { stroke:black; stroke-width:0.5; "
                 "cursor:pointer; }\n"
                 ".hide { display:none; }\n.parent { opacity:0.5; }\n"
                 "</style>\n",
                 o->font_size, o->font_size + 5);
  if (!o->no_javascript) {
    char num[64];
    prf_buf_puts(b, "<script type=\"text/ecmascript\"><![CDATA[\n");
    js_var(b, "nametype", o->name_type);
    js_var(b, "countname", o->count_name);
    prf_format_number(num, sizeof num, l->total);
    prf_buf_printf(b,
                   "var fontsize = %g;\nvar fontwidth = %g;\nvar xpad = %g;\n"
                   "var inverted = %s;\nvar searchcolor = 'rgb(230,0,230)';\n"
                   "var total_samples = %s;\nvar factor = %g;\n"
                   "var truncate_text_right = false;\nvar frameheight = %g;\n"
                   "var imagewidth = %g;\n]]></script>\n",
                   o->font_size, o->font_width, l->xpad,
                   o->inverted ? "true" : "false", num, o->factor,
                   o->frame_height, l->width);
    prf_buf_puts(b, "<script type=\"text/ecmascript\"><![CDATA[\n");
    prf_buf_puts(b, prf_flame_js);
    prf_buf_puts(b, "]]></script>\n");
  }
  prf_buf_printf(b,
                 "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" "
                 "fill=\"url(#background)\"/>\n",
                 l->width, l->height);
  const char *title = o->title;
  if (!title)
    title = o->flamechart ? "Flame Chart"
                          : o->inverted ? "Icicle Graph" : "Flame Graph";
  text_el(w, "title", NULL, l->width / 2, o->font_size * 2, title);
  if (*l->subtitle)
    text_el(w, "subtitle", NULL, l->width / 2, o->font_size * 4, l->subtitle);
  double bottom = l->height - l->ypad_bottom / 2;
  text_el(w, "details", NULL, l->xpad,
          o->inverted ? l->ypad_top - o->font_size : bottom, " ");
  text_el(w, "unzoom", " class=\"hide\"", l->xpad, o->font_size * 2,
          "Reset Zoom");
  text_el(w, "search", NULL, l->width - l->xpad - 100, o->font_size * 2,
          "Search");
  text_el(w, "ignorecase", NULL, l->width - l->xpad - 16, o->font_size * 2,
          "ic");
  text_el(w, "matched", NULL, l->width - l->xpad - 100, bottom, " ");
  if (l->nlegend) {
    prf_buf_puts(b, "<g id=\"legend\">\n");
    double s = o->font_size * 0.8;
    for (size_t i = 0; i < l->nlegend; i++) {
      const struct prf_legend_item *it = &l->legend[i];
      if (it->swatch) {
        prf_buf_printf(b,
                       "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
                       "height=\"%.2f\" fill=\"#%06X\"",
                       it->x, l->legend_y - s, s, s, (unsigned)it->rgb);
        if (it->swatch == 2)
          prf_buf_printf(b, " stroke=\"#%06X\" stroke-width=\"1.5\"",
                         (unsigned)PRF_HIDDEN_RGB);
        prf_buf_puts(b, "/>\n");
      }
      prf_buf_printf(b, "<text x=\"%.2f\" y=\"%.2f\">", it->text_x, l->legend_y);
      prf_escape_xml(b, it->text, strlen(it->text));
      prf_buf_puts(b, "</text>\n");
    }
    prf_buf_puts(b, "</g>\n");
  }
}

/* The detailed differential view's tooltip, inside the parentheses:
   "NEW 40 samples, 72.73%; BASE 10 samples, 22.22%; +50.51 pp, +227.3%"
   (no parentheses of its own: the script strips the last group to get the
   name back). */
static void diff_tooltip(prf_buf *b, const prf_layout *l,
                         const prf_layout_frame *f,
                         const prf_flame_options *o) {
  double value[2], share[2];
  char count[64];
  prf_layout_diff_values(l, f->node, value, share);
  static const char *const side[2] = {"BASE ", "NEW "};
  for (int i = 1; i >= 0; i--) {
    prf_buf_puts(b, side[i]);
    prf_layout_format_value(l, o, value[i], count, sizeof count);
    prf_escape_xml(b, count, strlen(count));
    prf_buf_puts(b, ", ");
    prf_buf_fixed(b, 100 * share[i], 2);
    prf_buf_puts(b, "%; ");
  }
  double pp = 100 * (share[1] - share[0]);
  prf_buf_puts(b, pp > 0 ? "+" : pp < 0 ? "-" : "");
  prf_buf_fixed(b, fabs(pp), 2);
  prf_buf_puts(b, " pp, ");
  if (share[0] == 0)
    prf_buf_puts(b, share[1] == 0 ? "no change" : "only in NEW");
  else if (share[1] == 0)
    prf_buf_puts(b, "only in BASE");
  else {
    double rel = 100 * (share[1] / share[0] - 1);
    prf_buf_puts(b, rel > 0 ? "+" : rel < 0 ? "-" : "");
    prf_buf_fixed(b, fabs(rel), 1);
    prf_buf_putc(b, '%');
  }
  if (f->hidden > 0) {
    prf_buf_puts(b, l->column == 1 ? "; calls only in BASE: "
                                   : "; calls only in NEW: ");
    double hidden = f->hidden * (l->column == 1 ? l->base_factor : 1);
    prf_layout_format_value(l, o, hidden, count, sizeof count);
    prf_escape_xml(b, count, strlen(count));
  }
}

static void frame_el(svg_writer *w, const prf_layout *l,
                     const prf_layout_frame *f, const prf_flame_options *o) {
  prf_buf *b = &w->out;
  size_t len;
  const char *name = prf_layout_name(l, f->node, &len);
  char count[64], fx[64], fw[64];
  prf_format_count(count, sizeof count, f->w * o->factor);
  prf_buf_puts(b, "<g><title>");
  prf_escape_xml(b, name, len);
  prf_buf_puts(b, " (");
  if (l->details) {
    diff_tooltip(b, l, f, o);
  } else {
    prf_buf_puts(b, count);
    prf_buf_putc(b, ' ');
    prf_escape_xml(b, o->count_name, strlen(o->count_name));
  }
  if (l->details)
    ; /* the shares are in the tooltip already */
  else if (f->node == 0)
    prf_buf_puts(b, ", 100%");
  else
  {
    prf_buf_puts(b, ", ");
    prf_buf_fixed(b, l->total > 0 ? 100 * f->w / l->total : 0, 2);
    prf_buf_putc(b, '%');
  }
  if (l->differential && !l->details && f->node != 0) {
    double pct = l->total > 0 ? 100 * f->delta / l->total : 0;
    prf_buf_printf(b, "; %s%.2f%%", pct > 0 ? "+" : "", pct == 0 ? 0.0 : pct);
  }
  double x, y, rw, rh;
  prf_layout_rect(l, f, o->inverted, &x, &y, &rw, &rh);
  prf_format_number(fx, sizeof fx, f->x);
  prf_format_number(fw, sizeof fw, f->w);
  prf_buf_puts(b, ")</title><rect x=\"");
  prf_buf_fixed(b, x, 2);
  prf_buf_puts(b, "\" y=\"");
  prf_buf_fixed(b, y, 1);
  prf_buf_puts(b, "\" width=\"");
  prf_buf_fixed(b, rw, 2);
  prf_buf_puts(b, "\" height=\"");
  prf_buf_fixed(b, rh, 1);
  prf_buf_puts(b, "\" fill=\"rgb(");
  for (int shift = 16; shift >= 0; shift -= 8) {
    prf_buf_fixed(b, (f->rgb >> shift) & 0xFF, 0);
    prf_buf_putc(b, shift ? ',' : ')');
  }
  if (f->hidden > 0)
    prf_buf_printf(b, "\" stroke=\"#%06X\" stroke-width=\"1.5",
                   (unsigned)PRF_HIDDEN_RGB);
  prf_buf_puts(b, "\" rx=\"2\" ry=\"2\" fg:x=\"");
  prf_buf_puts(b, fx);
  prf_buf_puts(b, "\" fg:w=\"");
  prf_buf_puts(b, fw);
  prf_buf_puts(b, "\"/><text x=\"");
  prf_buf_fixed(b, x + 3, 2);
  prf_buf_puts(b, "\" y=\"");
  prf_buf_fixed(b, y + rh / 2 + l->font_size / 4, 2);
  prf_buf_puts(b, "\">");
  prf_escape_xml(b, name, f->label_len);
  if (f->label_dots)
    prf_buf_puts(b, "..");
  prf_buf_puts(b, "</text></g>\n");
}

prf_status prf_svg_write_layout(const prf_layout *l,
                                const prf_flame_options *o,
                                prf_write_fn write, void *ctx,
                                prf_error *err) {
  const prf_allocator *mem = l->mem;
  svg_writer w = {.write = write, .ctx = ctx};
  prf_buf_init(&w.out, mem);
  header(&w, l, o);
  prf_buf_puts(&w.out, "<g id=\"frames\">\n");
  for (size_t i = 0; i < l->count && !w.failed && !w.out.failed; i++) {
    frame_el(&w, l, &l->frames[i], o);
    flush(&w, false);
  }
  prf_buf_puts(&w.out, "</g>\n</svg>\n");
  flush(&w, true);
  prf_status st = PRF_OK;
  if (w.out.failed)
    st = prf_fail(err, PRF_E_NOMEM, "out of memory writing SVG");
  else if (w.failed)
    st = prf_fail(err, PRF_E_OUTPUT, "cannot write SVG output");
  prf_buf_free(&w.out);
  return st;
}

prf_status prf_svg_write(prf_profile *profile, const prf_flame_options *o,
                         prf_write_fn write, void *ctx, prf_error *err) {
  return prf_flame_write(profile, o, PRF_IMAGE_SVG, write, ctx, NULL, err);
}
