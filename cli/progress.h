/*
 * progress.h - the CLI's progress line while a long input is read.
 *
 * Shown on stderr only when it is a terminal, the run has gone on for
 * about a second and --quiet was not given: bytes read of the total, the
 * rate and the time left, one line redrawn in place and erased when the
 * input is read (or before a warning is printed).
 */
#ifndef PRF_CLI_PROGRESS_H
#define PRF_CLI_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct progress {
  FILE *out;          /* NULL: never show anything */
  double run_start;   /* when the run began; nothing before DELAY */
  char name[48];      /* the input being read, shortened */
  uint64_t done;      /* its bytes read so far */
  uint64_t total;     /* its size, 0 when unknown (a pipe) */
  double file_start;  /* when its reading began */
  double drawn_at;    /* when the line was last drawn */
  bool shown;         /* a line is on the terminal */
} progress;

/* Sets p up; out is the terminal to draw on or NULL to stay silent. */
void progress_init(progress *p, FILE *out, double now);

/* A new input of `total` bytes (0: unknown) begins. */
void progress_begin(progress *p, const char *name, uint64_t total,
                    double now);

/* `bytes` more were read; redraws the line at most a few times a second. */
void progress_add(progress *p, size_t bytes, double now);

/* Erases the line, if one is shown. */
void progress_clear(progress *p);

/* Writes the line's text ("reading NAME: 120 MB of 990 MB (12%),
 * 110 MB/s, 8 s left") into buf; no terminal codes. Returns buf. */
char *progress_format(char *buf, size_t size, const char *name,
                      uint64_t done, uint64_t total, double elapsed);

#endif
