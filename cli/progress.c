/*
 * progress.c - the CLI's progress line (see progress.h).
 */
#include "progress.h"

#include <string.h>

/* Seconds a run goes on before a line appears, and between redraws. */
static const double DELAY = 1.0;
static const double REDRAW = 0.25;

void progress_init(progress *p, FILE *out, double now) {
  memset(p, 0, sizeof *p);
  p->out = out;
  p->run_start = now;
}

/* The last part of a path, at most NAME_MAX_SHOWN bytes (cut before a
 * UTF-8 sequence, never inside one), so the line stays on one row. */
enum { NAME_MAX_SHOWN = 40 };

void progress_begin(progress *p, const char *name, uint64_t total, double now) {
  const char *slash = strrchr(name, '/');
  if (slash && slash[1])
    name = slash + 1;
  size_t n = strlen(name);
  if (n > NAME_MAX_SHOWN) {
    n = NAME_MAX_SHOWN;
    while (n > 0 && ((unsigned char)name[n] & 0xC0) == 0x80)
      n--;
  }
  /* A file name may hold terminal control codes: show them as '?'. */
  for (size_t i = 0; i < n; i++)
    p->name[i] =
        (unsigned char)name[i] < 0x20 || name[i] == 0x7f ? '?' : name[i];
  p->name[n] = '\0';
  p->done = 0;
  p->total = total;
  p->file_start = now;
}

/* Bytes in the largest unit that keeps 1-3 digits before the point. */
static void put_size(char *buf, size_t size, double bytes) {
  static const char *const units[] = {"B", "kB", "MB", "GB", "TB"};
  size_t u = 0;
  while (bytes >= 1000 && u + 1 < sizeof units / sizeof units[0]) {
    bytes /= 1000;
    u++;
  }
  snprintf(buf, size, u == 0 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
}

char *progress_format(char *buf, size_t size, const char *name, uint64_t done,
                      uint64_t total, double elapsed) {
  char have[32], all[32], rate[32];
  put_size(have, sizeof have, (double)done);
  double per_second = elapsed > 0 ? (double)done / elapsed : 0;
  put_size(rate, sizeof rate, per_second);
  if (total == 0 || done > total) {
    snprintf(buf, size, "reading %s: %s, %s/s", name, have, rate);
    return buf;
  }
  put_size(all, sizeof all, (double)total);
  int percent = (int)((double)done * 100 / (double)total);
  if (per_second <= 0) {
    snprintf(buf, size, "reading %s: %s of %s (%d%%)", name, have, all,
             percent);
    return buf;
  }
  long left = (long)((double)(total - done) / per_second + 0.5);
  if (left < 60)
    snprintf(buf, size, "reading %s: %s of %s (%d%%), %s/s, %ld s left", name,
             have, all, percent, rate, left);
  else
    snprintf(buf, size,
             "reading %s: %s of %s (%d%%), %s/s, %ld min %02ld s left", name,
             have, all, percent, rate, left / 60, left % 60);
  return buf;
}

void progress_add(progress *p, size_t bytes, double now) {
  p->done += bytes;
  if (!p->out || now - p->run_start < DELAY ||
      (p->shown && now - p->drawn_at < REDRAW))
    return;
  char line[512];
  progress_format(line, sizeof line, p->name[0] ? p->name : "input", p->done,
                  p->total, now - p->file_start);
  /* \r to the line's start, \033[K erases what a longer line left. */
  fprintf(p->out, "\rprof-render: %s\033[K", line);
  fflush(p->out);
  p->shown = true;
  p->drawn_at = now;
}

void progress_clear(progress *p) {
  if (!p->shown)
    return;
  fputs("\r\033[K", p->out);
  fflush(p->out);
  p->shown = false;
}
