/*
 * layout.h - the one layout engine. Frame geometry (position and width in
 * sample units, depth, colour, the label that fits) is computed once here;
 * every writer only draws the frames it is given.
 */
#ifndef PRF_LAYOUT_H
#define PRF_LAYOUT_H

#include "../lib/internal.h"
#include "palette.h"

/* Returns the width in pixels of len bytes of UTF-8 text. */
typedef double (*prf_measure_fn)(void *ctx, const char *text, size_t len);

typedef struct prf_layout_frame {
  prf_node node;
  uint32_t depth;      /* 0 is the root */
  double x, w;         /* start and width, in sample units */
  double delta;        /* differential: change in samples (after - before) */
  double hidden;       /* differential with details: the other column's
                          samples in children that have none in the width
                          column (calls only in BASE, say); drawn outlined */
  uint32_t rgb;        /* 0xRRGGBB */
  uint32_t label_len;  /* bytes of the name shown */
  bool label_dots;     /* ".." follows the shown bytes */
} prf_layout_frame;

typedef struct prf_layout {
  const prf_allocator *mem; /* the profile's: all of the layout's memory */
  prf_layout_frame *frames;
  size_t count, cap;
  const prf_tree *tree;  /* the tree laid out */
  prf_tree *owned;       /* a derived tree (reverse) freed with the layout */
  size_t column;
  double total;          /* the samples that the full width stands for */
  double data_total;     /* the root's total */
  double px_per_sample;
  uint32_t max_depth;    /* deepest frame kept */
  bool differential;
  bool details;          /* prof-render's differential view (a legend...) */
  double base_factor;    /* prf_diff_profile scales BASE to NEW's total so
                            that widths compare shares; this (its
                            "diff_base_factor" metadata, else 1) turns a
                            "before" value back into BASE's own samples */
  double max_delta;
  double *wtotal;        /* PRF_WIDTH_MAX: per node, the widths laid out */
  /* The legend row of the detailed differential view: swatches and words
     at x positions measured with the layout's measure function. */
  struct prf_legend_item {
    double x;            /* swatch (or text, without one) left edge */
    double text_x;
    int swatch;          /* 0 none, 1 filled with rgb, 2 outlined */
    uint32_t rgb;
    const char *text;
  } legend[5];
  size_t nlegend;
  double legend_y;       /* text baseline of the legend row */
  /* the line under the title: the subtitle option, else what the
     profile's metadata says it is (release, environment, transaction...) */
  char *subtitle;
  /* pixel geometry shared by the writers */
  double width, height, frame_height, font_size, xpad, ypad_top, ypad_bottom;
} prf_layout;

/* Lays out the profile's tree (or samples, for a flame chart). */
prf_status prf_layout_build(prf_layout *layout, prf_profile *profile,
                            const prf_flame_options *options,
                            prf_measure_fn measure, void *measure_ctx,
                            prf_error *err);
void prf_layout_free(prf_layout *layout);

/* The name a frame shows ("all" for the root). */
const char *prf_layout_name(const prf_layout *layout, prf_node node,
                            size_t *len);

/* The outline colour of frames with hidden calls. */
#define PRF_HIDDEN_RGB 0x2030C0

/* A value as the graph shows it: "1,234 samples" for counts (the
   count_name option), "2.09s" or "12.5MB" for measures, times factor. */
void prf_layout_format_value(const prf_layout *layout,
                             const prf_flame_options *options, double v,
                             char *out, size_t size);

/* A frame's two column totals (before in BASE's own samples, after) and
   their share of each column's whole, for tooltips. */
void prf_layout_diff_values(const prf_layout *layout, prf_node node,
                            double value[2], double share[2]);

/* Pixel rectangle of a frame. */
void prf_layout_rect(const prf_layout *layout, const prf_layout_frame *f,
                     bool inverted, double *x, double *y, double *w,
                     double *h);

/* Fixed-advance text measure: code points * font_size * font_width.
 * ctx points to a double holding font_size * font_width. */
double prf_measure_fixed(void *ctx, const char *text, size_t len);

/* Writes an SVG of a finished layout (prf_svg_write = build + this). */
prf_status prf_svg_write_layout(const prf_layout *layout,
                                const prf_flame_options *options,
                                prf_write_fn write, void *ctx, prf_error *err);

#endif
