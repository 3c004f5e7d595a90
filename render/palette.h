/*
 * palette.h - frame colours. A colour depends only on the palette and the
 * frame (name and kind), never on a random generator, so the same function
 * has the same colour in every graph.
 */
#ifndef PRF_PALETTE_H
#define PRF_PALETTE_H

#include "../lib/internal.h"

typedef enum prf_palette {
  PRF_PAL_HOT, PRF_PAL_MEM, PRF_PAL_IO, PRF_PAL_WAKEUP, PRF_PAL_JAVA,
  PRF_PAL_JS, PRF_PAL_PERL, PRF_PAL_PYTHON, PRF_PAL_RUST, PRF_PAL_RED,
  PRF_PAL_GREEN, PRF_PAL_BLUE, PRF_PAL_AQUA, PRF_PAL_YELLOW, PRF_PAL_PURPLE,
  PRF_PAL_ORANGE, PRF_PAL_COUNT
} prf_palette;

/* The palette with this name; false when there is none. */
bool prf_palette_lookup(const char *name, prf_palette *out);

/* 0xRRGGBB for a frame. */
uint32_t prf_palette_color(prf_palette palette, const char *name, size_t len,
                           uint8_t kind);

/* The two background gradient stops of a palette, as "#rrggbb". */
void prf_palette_background(prf_palette palette, const char **top,
                            const char **bottom);

/* Differential colour: red for growth, blue for shrinkage, near-white for
 * no change. delta and max_delta are in the same units; max_delta > 0. */
uint32_t prf_palette_diff(double delta, double max_delta);

#endif
