/*
 * threads.c - separate profiles used from separate threads at once: each
 * thread reads, filters, computes the top table and writes SVG, PNG and
 * folded output of its own profile. Built with -fsanitize=thread by
 * tests/threads.sh, which fails on any data race report; the outputs of
 * every thread must also equal those of a run on one thread.
 */
#include "profrender.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { THREADS = 4 };

typedef struct job {
  const char *path;
  prf_buffer svg, png, folded, top;
  prf_status st;
} job;

static void *work(void *arg) {
  job *j = arg;
  prf_profile *p = prf_profile_new();
  prf_error err;
  j->st = p ? prf_profile_read_file(p, j->path, NULL, &err) : PRF_E_NOMEM;
  if (j->st == PRF_OK)
    j->st = prf_profile_set_granularity(p, PRF_GRAN_FUNCTIONS, 0, &err);
  prf_flame_options o;
  prf_flame_options_init(&o);
  if (j->st == PRF_OK)
    j->st = prf_flame_write(p, &o, PRF_IMAGE_SVG, prf_buffer_write, &j->svg, NULL, &err);
  if (j->st == PRF_OK)
    j->st = prf_flame_write(p, &o, PRF_IMAGE_PNG, prf_buffer_write, &j->png, NULL, &err);
  if (j->st == PRF_OK)
    j->st = prf_profile_write(p, "folded", prf_buffer_write, &j->folded, &err);
  if (j->st == PRF_OK)
    j->st = prf_top_write(p, NULL, prf_buffer_write, &j->top, &err);
  if (j->st != PRF_OK)
    fprintf(stderr, "threads: %s: %s\n", j->path, err.message);
  prf_profile_free(p);
  return NULL;
}

static int same(const prf_buffer *a, const prf_buffer *b) {
  return a->size == b->size && memcmp(a->data, b->data, a->size) == 0;
}

static void release(job *j) {
  prf_buffer_free(&j->svg);
  prf_buffer_free(&j->png);
  prf_buffer_free(&j->folded);
  prf_buffer_free(&j->top);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: threads PROFILE...\n");
    return 2;
  }
  /* One thread after the other first: the reference outputs. */
  job ref[THREADS], run[THREADS];
  memset(ref, 0, sizeof ref);
  memset(run, 0, sizeof run);
  for (int i = 0; i < THREADS; i++) {
    ref[i].path = run[i].path = argv[1 + i % (argc - 1)];
    work(&ref[i]);
  }
  pthread_t t[THREADS];
  for (int i = 0; i < THREADS; i++)
    if (pthread_create(&t[i], NULL, work, &run[i]) != 0)
      return 1;
  for (int i = 0; i < THREADS; i++)
    pthread_join(t[i], NULL);
  int bad = 0;
  for (int i = 0; i < THREADS; i++) {
    if (run[i].st != PRF_OK || ref[i].st != PRF_OK)
      bad = 1;
    else if (!same(&ref[i].svg, &run[i].svg) || !same(&ref[i].png, &run[i].png) ||
             !same(&ref[i].folded, &run[i].folded) || !same(&ref[i].top, &run[i].top)) {
      fprintf(stderr, "threads: thread %d's output differs from one thread's\n", i);
      bad = 1;
    }
    release(&ref[i]);
    release(&run[i]);
  }
  printf("%d threads, %s\n", THREADS, bad ? "FAILED" : "same outputs as one thread");
  return bad;
}
