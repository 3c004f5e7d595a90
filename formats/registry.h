/*
 * registry.h - the table of formats: {name, sniff, read, write}.
 * Auto-detection asks every sniffer and takes the highest score.
 */
#ifndef PRF_REGISTRY_H
#define PRF_REGISTRY_H

#include "input.h"

typedef struct prf_format {
  const char *name;
  const char *description;
  /* A score from 0 (not this format) to 100 (certainly this format) for
   * the first decoded bytes of an input. */
  int (*sniff)(const unsigned char *head, size_t len);
  prf_status (*read)(prf_profile *profile, prf_input *in,
                     const prf_read_options *options, prf_error *err);
  prf_status (*write)(const prf_profile *profile, prf_write_fn write,
                      void *ctx, prf_error *err);
} prf_format;

/* The format with this name, or NULL. */
const prf_format *prf_format_find(const char *name);

/* The best format for these first bytes, or NULL when none fits. */
const prf_format *prf_format_sniff(const unsigned char *head, size_t len);

#endif
