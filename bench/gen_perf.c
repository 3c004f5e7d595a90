/*
 * gen_perf.c - deterministic generator of large, realistic `perf script`
 * text (the input of stackcollapse-perf.pl, inferno-collapse-perf and
 * prof-render), for the benchmarks.
 *
 *   gen_perf --target-bytes B [--seed S] > out.perf   samples until ~B bytes
 *   gen_perf --samples N [--seed S] > out.perf        N samples
 *   gen_perf --version
 *
 * The text is what `perf record -a -g` then `perf script` prints on a busy
 * server: processes of several kinds (C++ with argument lists and
 * templates, Go methods, Rust paths, a JVM with perf-map JIT frames and
 * interpreter frames, Node, kernel threads and the idle task), each with a
 * few threads; a header per sample ("comm  PID/TID [CPU] SECS.USECS:
 *  PERIOD cpu-clock: "), frame lines leaf first ("\t ADDR SYMBOL+0xOFF
 * (DSO)") with offsets that vary from sample to sample, some "[unknown]"
 * symbols, system calls and interrupts ending in the kernel, and an empty
 * line after each sample. Each process walks its own call graph (a few
 * hundred functions calling a handful of callees, the first much more
 * often), so stacks share prefixes and repeat as real ones do; depths are
 * mostly 8-50 with an occasional deep recursion. Time advances ~1 ms per sample.
 *
 * Determinism: own PRNG (splitmix64), integer arithmetic only, no time,
 * no rand(): the same arguments give the same bytes on every machine.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GEN_VERSION "gen_perf 1"

enum { NPROC = 9, FUNCS = 600, FANOUT = 6, NAME_CAP = 160, MAX_DEPTH = 400 };

static uint64_t rng_state;

static uint64_t next_u64(void) {
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static unsigned below(unsigned n) { return (unsigned)(next_u64() % n); }

static void die(const char *what) {
  fprintf(stderr, "gen_perf: %s\n", what);
  exit(1);
}

typedef enum { K_CPP, K_GO, K_RUST, K_JAVA, K_NODE, K_KTHREAD, K_IDLE } kind;

typedef struct func {
  char name[NAME_CAP];
  const char *dso;
  uint64_t addr;
  uint16_t callee[FANOUT];
} func;

typedef struct proc {
  const char *comm;
  kind k;
  int pid, ntids;
  const char *binary;
  char jitmap[32];
  func *f;
} proc;

static const char *const words[] = {
    "Request", "Buffer", "Parser", "Cache", "Index", "Session", "Worker",
    "Queue", "Socket", "Stream", "Encoder", "Decoder", "Table", "Engine",
    "Router", "Handler", "Pool", "Arena", "Token", "Frame", "Writer",
    "Reader", "Config", "Metrics", "Shard", "Batch", "Event", "Timer"};
static const char *const verbs[] = {
    "run", "handle", "parse", "flush", "lookup", "insert", "encode",
    "decode", "read", "write", "poll", "dispatch", "merge", "compact",
    "serialize", "visit", "resize", "hash", "compare", "update"};
#define NW (sizeof words / sizeof words[0])
#define NV (sizeof verbs / sizeof verbs[0])

static const char *const kernel_path[] = {
    "entry_SYSCALL_64_after_hwframe", "do_syscall_64", "__x64_sys_read",
    "ksys_read", "vfs_read", "new_sync_read", "sock_read_iter",
    "tcp_recvmsg", "release_sock", "__release_sock", "tcp_v4_do_rcv"};
static const char *const kernel_irq[] = {
    "asm_common_interrupt", "common_interrupt", "__common_interrupt",
    "handle_edge_irq", "handle_irq_event", "__handle_irq_event_percpu",
    "nvme_irq", "blk_mq_complete_request"};
static const char *const idle_path[] = {
    "secondary_startup_64_no_verify", "start_secondary", "cpu_startup_entry",
    "do_idle", "cpuidle_idle_call", "cpuidle_enter", "cpuidle_enter_state",
    "intel_idle", "mwait_idle_with_hints"};

static void make_name(char *out, kind k, unsigned i) {
  const char *w = words[below(NW)], *w2 = words[below(NW)], *v = verbs[below(NV)];
  switch (k) {
  case K_CPP:
    if (i % 5 == 0)
      snprintf(out, NAME_CAP, "std::vector<app::%s, std::allocator<app::%s> >::%s_%u(unsigned long)", w, w, v, i);
    else
      snprintf(out, NAME_CAP, "app::%s::%s%s_%u(app::%s const&, int)", w, v, w2, i, w2);
    break;
  case K_GO:
    snprintf(out, NAME_CAP, i % 3 ? "main.(*%s).%s%u" : "github.com/acme/%s.%s%u",
             w, v, i);
    break;
  case K_RUST:
    snprintf(out, NAME_CAP, "acme::%s::%s::%s_%u", w2, w, v, i);
    break;
  case K_JAVA:
    snprintf(out, NAME_CAP, "Lcom/acme/%s%s;::%s%u", w, w2, v, i);
    break;
  case K_NODE:
    snprintf(out, NAME_CAP, "LazyCompile:*%s%s /srv/app/lib/%s.js:%u", v, w, w2, i);
    break;
  default:
    snprintf(out, NAME_CAP, "%s_%s_%u", v, w, i);
  }
}

static void make_proc(proc *p, const char *comm, kind k, int pid, int ntids,
                      const char *binary) {
  p->comm = comm;
  p->k = k;
  p->pid = pid;
  p->ntids = ntids;
  p->binary = binary;
  snprintf(p->jitmap, sizeof p->jitmap, "/tmp/perf-%d.map", pid);
  p->f = calloc(FUNCS, sizeof *p->f);
  if (!p->f)
    die("out of memory");
  uint64_t base = k == K_KTHREAD || k == K_IDLE ? 0xffffffff81000000ull
                                                : 0x55d0c0000000ull + (uint64_t)pid * 0x100000;
  for (unsigned i = 0; i < FUNCS; i++) {
    func *f = &p->f[i];
    make_name(f->name, k, i);
    f->dso = binary;
    if (k == K_JAVA && i % 3 != 0)
      f->dso = p->jitmap; /* JIT-compiled methods */
    if (k != K_KTHREAD && k != K_IDLE && i % 11 == 7)
      f->dso = "/usr/lib/x86_64-linux-gnu/libc.so.6";
    if (i % 41 == 13)
      strcpy(f->name, "[unknown]");
    f->addr = base + (uint64_t)i * 0x1000 + below(0x800);
    /* Callees are later functions: the graph is acyclic except for the
       deliberate recursion below, and walks go deeper. */
    for (unsigned c = 0; c < FANOUT; c++) {
      unsigned span = FUNCS - i - 1;
      f->callee[c] = (uint16_t)(span ? i + 1 + below(span < 12 ? span : 12) : i);
    }
  }
}

static char *out;
static size_t out_len, out_cap;
static uint64_t total_bytes;

static void put(const char *s, size_t n) {
  if (out_len + n > out_cap) {
    if (fwrite(out, 1, out_len, stdout) != out_len)
      die("cannot write");
    out_len = 0;
  }
  memcpy(out + out_len, s, n);
  out_len += n;
  total_bytes += n;
}

static void putf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void putf(const char *fmt, ...) {
  char tmp[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0)
    die("format error");
  put(tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static void frame(uint64_t addr, const char *name, const char *dso) {
  unsigned off = below(0x400);
  if (strcmp(name, "[unknown]") == 0)
    putf("\t%16llx [unknown] (%s)\n", (unsigned long long)(addr + off), dso);
  else
    putf("\t%16llx %s+0x%x (%s)\n", (unsigned long long)(addr + off), name, off, dso);
}

/* One sample of process p: a walk down its graph, printed leaf first. */
static void sample(proc *p, uint64_t t_us) {
  unsigned path[MAX_DEPTH];
  unsigned depth;
  int tid = p->pid + (p->ntids > 1 ? (int)below((unsigned)p->ntids) : 0);
  putf("%s %6d/%-6d [%03u] %llu.%06llu: %10u cpu-clock: \n", p->comm, p->pid,
       tid, below(16), (unsigned long long)(t_us / 1000000),
       (unsigned long long)(t_us % 1000000), 1001001u);
  if (p->k == K_IDLE) {
    for (unsigned i = sizeof idle_path / sizeof idle_path[0]; i-- > 0;)
      frame(0xffffffff81a00000ull + i * 0x40, idle_path[i], "[kernel.kallsyms]");
    put("\n", 1);
    return;
  }
  /* Mostly 8-50 deep: a walk that stops at each level with 1 in 16 after
     the 8th, and one sample in 300 a deep recursion. */
  unsigned want = below(300) == 0 ? 150 + below(200) : 50;
  unsigned cur = below(3);
  for (depth = 0; depth < want && depth < MAX_DEPTH; depth++) {
    path[depth] = cur;
    if (want == 50 && depth >= 8 && below(16) == 0) {
      depth++;
      break;
    }
    unsigned r = below(100);
    unsigned c = r < 80 ? 0 : r < 92 ? 1 : r < 97 ? 2 : 3 + below(FANOUT - 3);
    cur = p->f[cur].callee[c]; /* the last function calls itself */
  }
  /* The leaf may be in the kernel: a system call or an interrupt. */
  unsigned r = below(100);
  if (r < 25) {
    unsigned n = 3 + below(sizeof kernel_path / sizeof kernel_path[0] - 3);
    for (unsigned i = n; i-- > 0;)
      frame(0xffffffff81200000ull + i * 0x100, kernel_path[i], "[kernel.kallsyms]");
  } else if (r < 30) {
    for (unsigned i = sizeof kernel_irq / sizeof kernel_irq[0]; i-- > 0;)
      frame(0xffffffff81600000ull + i * 0x100, kernel_irq[i], "[kernel.kallsyms]");
  }
  for (unsigned i = depth; i-- > 0;) {
    const func *f = &p->f[path[i]];
    frame(f->addr, f->name, f->dso);
  }
  if (p->k != K_KTHREAD) {
    frame(0x7f3a12029d90ull, "__libc_start_call_main", "/usr/lib/x86_64-linux-gnu/libc.so.6");
    frame(0x7f3a12029e40ull, "__libc_start_main_impl", "/usr/lib/x86_64-linux-gnu/libc.so.6");
    frame(0x55d0c0001000ull + (uint64_t)p->pid * 0x100000, "_start", p->binary);
  } else {
    frame(0xffffffff810b6d30ull, "kthread", "[kernel.kallsyms]");
    frame(0xffffffff81001a2full, "ret_from_fork", "[kernel.kallsyms]");
  }
  put("\n", 1);
}

int main(int argc, char **argv) {
  uint64_t target = 0, samples = 0, seed = 1;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--version") == 0) {
      puts(GEN_VERSION);
      return 0;
    }
    if (i + 1 >= argc)
      die("usage: gen_perf --target-bytes B | --samples N [--seed S]");
    uint64_t v = strtoull(argv[i + 1], NULL, 10);
    if (strcmp(argv[i], "--target-bytes") == 0)
      target = v;
    else if (strcmp(argv[i], "--samples") == 0)
      samples = v;
    else if (strcmp(argv[i], "--seed") == 0)
      seed = v;
    else
      die("unknown option");
    i++;
  }
  if (!target && !samples)
    die("usage: gen_perf --target-bytes B | --samples N [--seed S]");
  rng_state = seed * 0x2545f4914f6cdd1dull + 7;
  out_cap = 1 << 20;
  out = malloc(out_cap);
  if (!out)
    die("out of memory");
  proc procs[NPROC];
  make_proc(&procs[0], "mysqld", K_CPP, 1201, 24, "/usr/sbin/mysqld");
  make_proc(&procs[1], "envoy", K_CPP, 2210, 8, "/usr/local/bin/envoy");
  make_proc(&procs[2], "api-server", K_GO, 3307, 12, "/srv/bin/api-server");
  make_proc(&procs[3], "indexer", K_RUST, 4410, 6, "/srv/bin/indexer");
  make_proc(&procs[4], "java", K_JAVA, 5123, 40, "/usr/lib/jvm/java-17/lib/server/libjvm.so");
  make_proc(&procs[5], "V8 WorkerThread", K_NODE, 6001, 4, "/usr/bin/node");
  make_proc(&procs[6], "kworker/3:1", K_KTHREAD, 7, 1, "[kernel.kallsyms]");
  make_proc(&procs[7], "swapper", K_IDLE, 0, 1, "[kernel.kallsyms]");
  make_proc(&procs[8], "nginx", K_CPP, 880, 4, "/usr/sbin/nginx");
  static const unsigned weight[NPROC] = {22, 10, 16, 10, 20, 6, 3, 10, 3};
  uint64_t t_us = 8123456789ull, n = 0;
  while (samples ? n < samples : total_bytes < target) {
    unsigned r = below(100), k = 0, acc = weight[0];
    while (r >= acc && k + 1 < NPROC)
      acc += weight[++k];
    sample(&procs[k], t_us);
    t_us += 900 + below(200);
    n++;
  }
  if (fwrite(out, 1, out_len, stdout) != out_len || fflush(stdout) != 0)
    die("cannot write");
  fprintf(stderr, "%llu samples, %llu bytes\n", (unsigned long long)n,
          (unsigned long long)total_bytes);
  for (int i = 0; i < NPROC; i++)
    free(procs[i].f);
  free(out);
  return 0;
}
