/*
 * gen_folded.c - a deterministic generator of large, realistic folded
 * profiles for the benchmarks. A synthetic program of a few thousand
 * functions calls a handful of callees each (skewed choice), so stacks
 * share long prefixes as real ones do; depths are mostly 10-60 with a few
 * up to 200; counts follow a Zipf-like law. The same arguments give the
 * same bytes on every machine (own PRNG, no time, no rand()).
 *
 *   gen_folded --stacks N [--seed S]          N distinct stacks
 *   gen_folded --bytes B [--seed S]           distinct stacks until ~B bytes
 *   gen_folded ... [--min-depth D] [--max-depth D] [--repeat K]
 *
 * --repeat K prints the whole set K times (input grows, distinct stacks
 * do not).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NFUNCS = 6000, FANOUT = 6, NAME_MAX_LEN = 96 };

static uint64_t rng_state;

static uint64_t next(void) { /* splitmix64 */
  uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static uint32_t below(uint32_t n) { return (uint32_t)(next() % n); }
static double uniform(void) { return (double)(next() >> 11) / 9007199254740992.0; }

static char names[NFUNCS][NAME_MAX_LEN];
static uint32_t callees[NFUNCS][FANOUT];

static void make_program(void) {
  static const char *const ns[] = {"std::vector<int>", "runtime", "java/util/HashMap",
                                   "net/http", "app::server", "tokio::runtime",
                                   "org/apache/kafka/clients", "libc", "v8::internal",
                                   "django/db/models", "serde_json::de", "absl::flat_hash_map"};
  static const char *const verbs[] = {"get", "put", "run", "poll", "parse", "render",
                                      "mallocgc", "push_back", "handle", "encode",
                                      "decode", "flush", "lock", "scan", "visit"};
  for (uint32_t i = 0; i < NFUNCS; i++) {
    uint32_t kind = below(20);
    if (i < 8) {
      static const char *const roots[] = {"_start", "__libc_start_main", "main",
                                          "start_thread", "java", "python3",
                                          "node", "[unknown]"};
      snprintf(names[i], NAME_MAX_LEN, "%s", roots[i]);
    } else if (kind == 0) {
      snprintf(names[i], NAME_MAX_LEN, "%s_%u_[k]", verbs[below(15)], i);
    } else if (kind == 1) {
      snprintf(names[i], NAME_MAX_LEN, "[unknown]");
    } else {
      snprintf(names[i], NAME_MAX_LEN, "%s%s%s_%u", ns[below(12)],
               below(3) ? "::" : ".", verbs[below(15)], i);
    }
    /* Callees mostly further down the table, so walks go deeper. */
    for (int k = 0; k < FANOUT; k++)
      callees[i][k] = (i + 1 + below(200) + (uint32_t)k * below(40)) % NFUNCS;
  }
}

/* Open addressing set of 64-bit stack hashes, for distinctness. */
static uint64_t *set;
static size_t set_cap, set_count;

static int insert(uint64_t h) {
  if (h == 0)
    h = 1;
  if ((set_count + 1) * 2 > set_cap) {
    size_t ncap = set_cap ? set_cap * 2 : 1 << 16;
    uint64_t *ns = calloc(ncap, sizeof *ns);
    if (!ns) {
      perror("gen_folded");
      exit(1);
    }
    for (size_t i = 0; i < set_cap; i++) {
      if (!set[i])
        continue;
      size_t j = set[i] & (ncap - 1);
      while (ns[j])
        j = (j + 1) & (ncap - 1);
      ns[j] = set[i];
    }
    free(set);
    set = ns;
    set_cap = ncap;
  }
  size_t j = h & (set_cap - 1);
  while (set[j]) {
    if (set[j] == h)
      return 0;
    j = (j + 1) & (set_cap - 1);
  }
  set[j] = h;
  set_count++;
  return 1;
}

int main(int argc, char **argv) {
  uint64_t stacks = 0, bytes = 0, seed = 1;
  unsigned min_depth = 10, max_depth = 60, repeat = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    uint64_t v = strtoull(argv[i + 1], NULL, 10);
    if (strcmp(argv[i], "--stacks") == 0) stacks = v;
    else if (strcmp(argv[i], "--bytes") == 0) bytes = v;
    else if (strcmp(argv[i], "--seed") == 0) seed = v;
    else if (strcmp(argv[i], "--min-depth") == 0) min_depth = (unsigned)v;
    else if (strcmp(argv[i], "--max-depth") == 0) max_depth = (unsigned)v;
    else if (strcmp(argv[i], "--repeat") == 0) repeat = (unsigned)v;
    else {
      fprintf(stderr, "gen_folded: unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if ((!stacks && !bytes) || min_depth < 1 || max_depth < min_depth || max_depth > 5000 || !repeat) {
    fprintf(stderr, "usage: gen_folded (--stacks N | --bytes B) [--seed S] "
                    "[--min-depth D] [--max-depth D] [--repeat K]\n");
    return 2;
  }
  rng_state = seed;
  make_program();
  size_t cap = 1 << 20, len = 0;
  char *out = malloc(cap);
  uint32_t *path = malloc((max_depth + 200) * sizeof *path);
  if (!out || !path)
    return 1;
  uint64_t made = 0;
  while (stacks ? made < stacks : len < bytes) {
    unsigned depth = min_depth + below(max_depth - min_depth + 1);
    if (below(1000) == 0)
      depth += 100 + below(100); /* a few very deep stacks */
    path[0] = 2 + below(6);      /* main, start_thread, java, ... */
    uint64_t h = 0x12345;
    for (unsigned d = 1; d < depth; d++) {
      /* Skewed choice: callee 0 is the hot path. */
      double u = uniform();
      int k = u < 0.85 ? 0 : u < 0.93 ? 1 : u < 0.97 ? 2 : 3 + (int)below(FANOUT - 3);
      path[d] = callees[path[d - 1]][k];
    }
    for (unsigned d = 0; d < depth; d++)
      h = (h ^ path[d]) * 0x100000001b3ULL + d;
    if (!insert(h))
      continue;
    /* Zipf-like count: a few hot stacks, a long tail of 1s. */
    uint64_t count = (uint64_t)(1.0 / (uniform() * 0.999 + 0.001));
    if (count > 1000)
      count = 1000;
    for (unsigned d = 0; d < depth; d++) {
      size_t n = strlen(names[path[d]]);
      if (len + n + 32 > cap) {
        cap *= 2;
        char *bigger = realloc(out, cap);
        if (!bigger)
          return 1;
        out = bigger;
      }
      if (d)
        out[len++] = ';';
      memcpy(out + len, names[path[d]], n);
      len += n;
    }
    len += (size_t)snprintf(out + len, 32, " %llu\n", (unsigned long long)count);
    made++;
  }
  for (unsigned r = 0; r < repeat; r++)
    if (fwrite(out, 1, len, stdout) != len)
      return 74;
  fprintf(stderr, "gen_folded: %llu distinct stacks, %zu bytes x %u\n",
          (unsigned long long)made, len, repeat);
  free(out);
  free(path);
  free(set);
  return 0;
}
