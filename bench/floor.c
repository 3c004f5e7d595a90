/*
 * floor.c - the least work any folded -> flame graph program must do, timed
 * on this machine: read every byte of the file and tell its frame names
 * apart. A frame cannot be merged with its like before its name has been
 * found in a table, so no tool can be faster than this, whatever it does
 * after (merging the frames into a tree, the layout, the SVG).
 *
 *   bench/floor FILE [THREADS [RUNS]]
 *
 * Each thread reads its share of the file (the lines that start in it)
 * with pread in 1 MiB blocks, splits every line at its last blank (the
 * count) and at ';', and looks every name up in its own open-addressing
 * table, adding the new ones. Nothing else: no counts are parsed, no
 * brackets balanced, no errors checked. It prints the median wall time of
 * RUNS runs (default 5) with the page cache warm, and a second figure for
 * reading and finding the ';' alone.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { BLOCK = 1 << 20, MAX_THREADS = 16, MAX_RUNS = 99 };

typedef struct table {
  uint64_t *slot; /* hash << 32 | (id + 1); 0 is empty */
  size_t nslots, count;
  char **name;
  uint32_t *len;
} table;

typedef struct share {
  int fd;
  off_t from, to; /* the lines that start in [from, to) */
  int names;      /* 1: intern the names; 0: only find the ';' */
  table t;
  size_t lines, frames;
  int failed;
} share;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The same kind of hash prof-render uses: a multiply per 8 bytes. */
static uint64_t hash(const char *p, size_t n) {
  uint64_t h = (uint64_t)n * 0x9e3779b97f4a7c15ULL, w;
  for (; n >= 8; p += 8, n -= 8) {
    memcpy(&w, p, 8);
    h = (((h << 5) | (h >> 59)) ^ w) * 0x517cc1b727220a95ULL;
  }
  if (n) {
    w = 0;
    memcpy(&w, p, n);
    h = (((h << 5) | (h >> 59)) ^ w) * 0x517cc1b727220a95ULL;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  return h ^ (h >> 33);
}

static int table_grow(table *t) {
  size_t n = t->nslots ? t->nslots * 2 : 4096;
  uint64_t *slot = calloc(n, sizeof *slot);
  char **name = realloc(t->name, n / 2 * sizeof *name);
  uint32_t *len = name ? realloc(t->len, n / 2 * sizeof *len) : NULL;
  if (name)
    t->name = name;
  if (len)
    t->len = len;
  if (!slot || !name || !len) {
    free(slot);
    return 0;
  }
  for (size_t i = 0; i < t->nslots; i++) {
    uint64_t v = t->slot[i];
    if (!v)
      continue;
    size_t j = (size_t)(v >> 32) & (n - 1);
    while (slot[j])
      j = (j + 1) & (n - 1);
    slot[j] = v;
  }
  free(t->slot);
  t->slot = slot;
  t->nslots = n;
  return 1;
}

static int intern(table *t, const char *s, size_t n) {
  if ((t->count + 1) * 2 > t->nslots && !table_grow(t))
    return 0;
  uint64_t h = hash(s, n) & 0xffffffffu;
  for (size_t i = h & (t->nslots - 1);; i = (i + 1) & (t->nslots - 1)) {
    uint64_t v = t->slot[i];
    if (!v) {
      char *copy = malloc(n ? n : 1);
      if (!copy)
        return 0;
      memcpy(copy, s, n);
      t->name[t->count] = copy;
      t->len[t->count] = (uint32_t)n;
      t->slot[i] = h << 32 | (t->count + 1);
      t->count++;
      return 1;
    }
    size_t id = (size_t)(uint32_t)v - 1;
    if ((v >> 32) == h && t->len[id] == n && memcmp(t->name[id], s, n) == 0)
      return 1;
  }
}

static int line(share *sh, const char *s, const char *nl) {
  const char *end = nl;
  while (end > s && end[-1] != ' ')
    end--;
  if (end > s)
    end--; /* the blank before the count */
  sh->lines++;
  for (const char *f = s; f < end;) {
    const char *semi = memchr(f, ';', (size_t)(end - f));
    if (!semi)
      semi = end;
    if (sh->names && !intern(&sh->t, f, (size_t)(semi - f)))
      return 0;
    sh->frames++;
    f = semi + 1;
  }
  return 1;
}

static void *run_share(void *arg) {
  share *sh = arg;
  char *buf = malloc(2 * (size_t)BLOCK);
  if (!buf) {
    sh->failed = 1;
    return NULL;
  }
  off_t at = sh->from; /* the file offset of buf[0] */
  size_t have = 0, skip = 0;
  if (at > 0) { /* the line that starts before `from` is the other's */
    at--;
    skip = 1;
  }
  for (;;) {
    ssize_t got = pread(sh->fd, buf + have, BLOCK, at + (off_t)have);
    if (got < 0) {
      sh->failed = 1;
      break;
    }
    size_t n = have + (size_t)got;
    const char *p = buf, *e = buf + n;
    if (skip) { /* up to the first line start at or after `from` */
      const char *nl = memchr(p, '\n', n);
      if (!nl) {
        at += (off_t)n;
        have = 0;
        if (got == 0)
          break;
        continue;
      }
      p = nl + 1;
      skip = 0;
    }
    int stop = 0;
    while (!stop) {
      if (at + (p - buf) >= sh->to) {
        stop = 1;
        break;
      }
      const char *nl = memchr(p, '\n', (size_t)(e - p));
      if (!nl && got > 0)
        break;
      if (!nl)
        nl = e;
      if (nl > p && !line(sh, p, nl)) {
        sh->failed = 1;
        stop = 1;
      }
      p = nl + 1;
      if (nl == e)
        stop = 1;
    }
    if (stop || got == 0)
      break;
    have = (size_t)(e - p);
    if (have >= BLOCK) { /* a line longer than a block: not a profile */
      sh->failed = 1;
      break;
    }
    at += p - buf;
    memmove(buf, p, have);
  }
  free(buf);
  return NULL;
}

static void table_free(table *t) {
  for (size_t i = 0; i < t->count; i++)
    free(t->name[i]);
  free(t->slot);
  free(t->name);
  free(t->len);
  memset(t, 0, sizeof *t);
}

/* One pass over the file on nthreads threads; the wall time, or < 0. */
static double pass(int fd, off_t size, int nthreads, int names,
                   size_t *lines, size_t *frames, size_t *distinct) {
  share sh[MAX_THREADS];
  pthread_t tid[MAX_THREADS];
  memset(sh, 0, sizeof sh);
  double t0 = now();
  for (int i = 0; i < nthreads; i++) {
    sh[i].fd = fd;
    sh[i].names = names;
    sh[i].from = size * i / nthreads;
    sh[i].to = size * (i + 1) / nthreads;
  }
  int started = 1;
  for (int i = 1; i < nthreads; i++, started++)
    if (pthread_create(&tid[i], NULL, run_share, &sh[i]) != 0)
      break;
  run_share(&sh[0]);
  for (int i = 1; i < started; i++)
    pthread_join(tid[i], NULL);
  double t = now() - t0;
  int failed = started < nthreads;
  *lines = *frames = *distinct = 0;
  for (int i = 0; i < nthreads; i++) {
    failed |= sh[i].failed;
    *lines += sh[i].lines;
    *frames += sh[i].frames;
    if (sh[i].t.count > *distinct) /* per thread: a lower bound */
      *distinct = sh[i].t.count;
    table_free(&sh[i].t);
  }
  return failed ? -1 : t;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 4) {
    fprintf(stderr, "usage: floor FILE [THREADS [RUNS]]\n");
    return 2;
  }
  int nthreads = argc > 2 ? atoi(argv[2]) : 2;
  int runs = argc > 3 ? atoi(argv[3]) : 5;
  if (nthreads < 1 || nthreads > MAX_THREADS || runs < 1 || runs > MAX_RUNS) {
    fprintf(stderr, "floor: THREADS is 1 to %d, RUNS 1 to %d\n", MAX_THREADS,
            MAX_RUNS);
    return 2;
  }
  int fd = open(argv[1], O_RDONLY);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) {
    perror(argv[1]);
    return 66;
  }
  for (int names = 0; names <= 1; names++) {
    double t[MAX_RUNS];
    size_t lines = 0, frames = 0, distinct = 0;
    for (int r = 0; r < runs; r++) {
      t[r] = pass(fd, st.st_size, nthreads, names, &lines, &frames, &distinct);
      if (t[r] < 0) {
        fprintf(stderr, "floor: %s: cannot read it, or out of memory\n",
                argv[1]);
        return 1;
      }
    }
    qsort(t, (size_t)runs, sizeof *t, cmp_double);
    if (names)
      printf("  read and intern every frame name: %.3f s (%zu lines, %zu "
             "frames, %zu names), %d thread%s\n",
             t[(runs - 1) / 2], lines, frames, distinct, nthreads,
             nthreads == 1 ? "" : "s");
    else
      printf("  read and find every ';':          %.3f s, %d thread%s\n",
             t[(runs - 1) / 2], nthreads, nthreads == 1 ? "" : "s");
  }
  close(fd);
  return 0;
}
