/*
 * sampler.c - an always-on sampling profiler in one file: a SIGPROF timer
 * interrupts the program every millisecond of CPU time, the handler saves
 * the call stack (backtrace), and at exit libprofrender turns the samples
 * into a flame graph of the program's own workload.
 *
 *   cc -O1 -g -rdynamic sampler.c $(pkg-config --cflags --libs profrender) -ldl -o sampler
 *   ./sampler sampler.svg
 *
 * -rdynamic exports the program's own function names, which dladdr reads.
 */
#define _GNU_SOURCE
#include <profrender.h>

#include <dlfcn.h>
#include <execinfo.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

enum { MAX_SAMPLES = 20000, MAX_DEPTH = 64, SKIP = 2 /* handler, trampoline */ };

/* Written only by the signal handler, read after the timer is stopped. */
static void *stacks[MAX_SAMPLES][MAX_DEPTH];
static int depths[MAX_SAMPLES];
static volatile sig_atomic_t nsamples;

static void on_sigprof(int sig) {
  (void)sig;
  int i = nsamples;
  if (i >= MAX_SAMPLES)
    return;
  depths[i] = backtrace(stacks[i], MAX_DEPTH);
  nsamples = i + 1;
}

static void start_sampling(void) {
  void *warm[1];
  backtrace(warm, 1); /* loads libgcc now, not inside the handler */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigprof;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGPROF, &sa, NULL);
  struct itimerval every_ms = {{0, 1000}, {0, 1000}};
  setitimer(ITIMER_PROF, &every_ms, NULL);
}

static void stop_sampling(void) {
  struct itimerval off;
  memset(&off, 0, sizeof off);
  setitimer(ITIMER_PROF, &off, NULL);
  signal(SIGPROF, SIG_IGN);
}

/* A frame for a return address: the function's name, else the module. */
static prf_status frame_of(prf_profile *p, void *addr, prf_fid *out) {
  Dl_info info;
  char buf[64];
  const char *name = buf;
  prf_frame f;
  memset(&f, 0, sizeof f);
  if (dladdr(addr, &info) && info.dli_sname)
    name = info.dli_sname;
  else
    snprintf(buf, sizeof buf, "[%p]", addr);
  prf_status st = prf_string_intern(p, name, strlen(name), &f.name);
  if (st == PRF_OK && dladdr(addr, &info) && info.dli_fname)
    st = prf_string_intern(p, info.dli_fname, strlen(info.dli_fname), &f.module);
  return st == PRF_OK ? prf_frame_intern(p, &f, out) : st;
}

/* Feeds the samples to the library and writes the flame graph. */
static int write_flame_graph(const char *path) {
  prf_profile *p = prf_profile_new();
  prf_status st = p ? prf_value_add(p, "samples", "count", NULL) : PRF_E_NOMEM;
  for (int i = 0; i < nsamples && st == PRF_OK; i++) {
    prf_fid frames[MAX_DEPTH];
    size_t n = 0;
    for (int d = depths[i] - 1; d >= SKIP && st == PRF_OK; d--) /* root first */
      st = frame_of(p, stacks[i][d], &frames[n++]);
    double one = 1;
    if (st == PRF_OK)
      st = prf_stack_add(p, frames, n, &one, NULL);
  }
  FILE *out = st == PRF_OK ? fopen(path, "wb") : NULL;
  prf_flame_options o;
  prf_flame_options_init(&o);
  o.title = "sampler: its own workload";
  prf_buffer svg = {0};
  if (st == PRF_OK)
    st = prf_svg_write(p, &o, prf_buffer_write, &svg, NULL);
  if (st == PRF_OK && (!out || fwrite(svg.data, 1, svg.size, out) != svg.size))
    st = PRF_E_OUTPUT;
  if (out && fclose(out) != 0)
    st = PRF_E_OUTPUT;
  fprintf(stderr, "sampler: %d samples -> %s (%s)\n", (int)nsamples, path,
          st == PRF_OK ? "ok" : prf_status_name(st));
  prf_buffer_free(&svg);
  prf_profile_free(p);
  return st == PRF_OK ? 0 : 1;
}

/* The workload: hot_a does twice the work of hot_b. */
volatile double sink;

__attribute__((noinline)) void spin(long n) {
  double x = 0;
  for (long i = 0; i < n; i++)
    x += (double)i * 0.5;
  sink = x;
}

__attribute__((noinline)) void hot_a(void) { spin(2000000); }
__attribute__((noinline)) void hot_b(void) { spin(1000000); }

int main(int argc, char **argv) {
  start_sampling();
  for (int round = 0; round < 300; round++) {
    hot_a();
    hot_b();
  }
  stop_sampling();
  return write_flame_graph(argc > 1 ? argv[1] : "sampler.svg");
}
