/*
 * options.c - flame graph options: defaults and validation.
 */
#include "palette.h"

#include <math.h>
#include <string.h>

void prf_flame_options_init(prf_flame_options *o) {
  memset(o, 0, sizeof *o);
  o->count_name = "samples";
  o->name_type = "Function:";
  o->font_type = "Verdana";
  o->colors = "hot";
  o->width = 1200;
  o->frame_height = 16;
  o->font_size = 12;
  o->font_width = 0.59;
  o->min_width = 0.1;
  o->factor = 1;
  o->column = SIZE_MAX;
  o->sort = PRF_SORT_ALPHA;
  o->scale = 1;
}

static bool in_range(double v, double lo, double hi) {
  return isfinite(v) && v >= lo && v <= hi;
}

prf_status prf_flame_options_check(const prf_flame_options *o,
                                   prf_error *err) {
  prf_palette pal;
  if (o->colors && !prf_palette_lookup(o->colors, &pal))
    return prf_fail(err, PRF_E_USAGE,
                    "unknown palette '%s': expected one of hot mem io wakeup "
                    "java js perl python rust red green blue aqua yellow "
                    "purple orange",
                    o->colors);
  if (!in_range(o->width, 100, 1e6))
    return prf_fail(err, PRF_E_USAGE, "width must be between 100 and 1000000 pixels");
  if (!in_range(o->frame_height, 2, 1000))
    return prf_fail(err, PRF_E_USAGE, "frame height must be between 2 and 1000 pixels");
  if (!in_range(o->font_size, 1, 500))
    return prf_fail(err, PRF_E_USAGE, "font size must be between 1 and 500");
  if (!in_range(o->font_width, 0.05, 5))
    return prf_fail(err, PRF_E_USAGE, "font width must be between 0.05 and 5");
  if (!in_range(o->min_width, 0, o->min_width_percent ? 100 : 1e6))
    return prf_fail(err, PRF_E_USAGE,
                    o->min_width_percent
                        ? "min width must be a percentage from 0 to 100"
                        : "min width must be a number of pixels from 0 to 1000000");
  if (o->scale != 0 && !in_range(o->scale, 0.1, 16))
    return prf_fail(err, PRF_E_USAGE, "scale must be between 0.1 and 16");
  if (!in_range(o->factor, 1e-300, 1e300))
    return prf_fail(err, PRF_E_USAGE, "factor must be a positive number");
  if (!in_range(o->total, 0, 1e300))
    return prf_fail(err, PRF_E_USAGE, "total must be a non-negative number");
  if (o->reverse && o->flamechart)
    return prf_fail(err, PRF_E_USAGE,
                    "reverse and flame chart cannot be combined: a flame chart "
                    "keeps each sample's stack as it was recorded");
  if (o->sort != PRF_SORT_ALPHA && o->sort != PRF_SORT_WEIGHT)
    return prf_fail(err, PRF_E_USAGE, "sort must be alpha or weight");
  if (o->width_from != PRF_WIDTH_COLUMN && o->width_from != PRF_WIDTH_MAX)
    return prf_fail(err, PRF_E_USAGE, "width must come from a column or their maximum");
  return PRF_OK;
}
