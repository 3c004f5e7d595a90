/*
 * gen_trace.c - writes a deterministic Chrome trace (the JSON array that
 * the DevTools Performance panel exports) of about --target-bytes bytes
 * to standard output, for `make bench`.
 *
 * Shape, after real exports: thread_name metadata, then for each of two
 * threads (a renderer main thread and a worker) a Profile event and
 * ProfileChunk events carrying the V8 CPU profile in pieces (nodes with
 * "parent" links in the first chunks, then 100 samples and 100 time
 * deltas per chunk, from the profiler thread), mixed with the timeline's
 * other events (X events with args), which make up most of a real trace.
 * About a third of the bytes are profile chunks.
 *
 *   gen_trace [--target-bytes N] [--nodes N] [--seed N] [--version]
 *
 * A summary goes to standard error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;

static uint64_t rnd(void) {
  uint64_t x = rng_state;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return rng_state = x;
}

static unsigned below(unsigned n) { return (unsigned)(rnd() % n); }

static const char *const words[] = {
    "render", "layout", "parse",  "compile", "update", "dispatch", "handle",
    "resolve", "fetch", "decode", "measure", "paint",  "commit",   "schedule",
    "flush",  "reduce", "map",    "filter",  "visit",  "emit"};
static const char *const nouns[] = {
    "Node",  "Tree",   "Style", "Frame", "Event", "Queue", "Module", "Promise",
    "Chunk", "Buffer", "Token", "Scope", "Fiber", "Hook",  "Effect", "Store"};

typedef struct gen {
  uint64_t bytes;
  unsigned nodes;
  unsigned *parent;
  double ts;
  unsigned long long samples, chunks, fillers;
} gen;

static void put(gen *g, const char *s) {
  g->bytes += strlen(s);
  fputs(s, stdout);
}

static void node_json(gen *g, unsigned id, char *buf, size_t size) {
  unsigned f = (id * 2654435761u) % 4000;
  if (id == 1)
    snprintf(buf, size,
             "{\"callFrame\":{\"codeType\":\"other\",\"functionName\":"
             "\"(root)\",\"scriptId\":0},\"id\":1}");
  else if (id == 2 || id == 3)
    snprintf(buf, size,
             "{\"callFrame\":{\"codeType\":\"other\",\"functionName\":\"%s\","
             "\"scriptId\":0},\"id\":%u,\"parent\":1}",
             id == 2 ? "(program)" : "(idle)", id);
  else
    snprintf(buf, size,
             "{\"callFrame\":{\"codeType\":\"JS\",\"columnNumber\":%u,"
             "\"functionName\":\"%s%s%u\",\"lineNumber\":%u,\"scriptId\":%u,"
             "\"url\":\"https://example.com/static/js/bundle-%u.js\"},"
             "\"id\":%u,\"parent\":%u}",
             f * 7 % 120, words[f % 20], nouns[f / 20 % 16], f, f * 3 % 900,
             20 + f % 40, f % 40, id, g->parent[id]);
  (void)g;
}

static void filler(gen *g, unsigned pid, unsigned tid) {
  char buf[512];
  unsigned d = 5 + below(400);
  snprintf(buf, sizeof buf,
           "{\"args\":{\"data\":{\"frame\":\"0x1a2b3c4d%u\",\"url\":"
           "\"https://example.com/page/%u\",\"styleSheetUrl\":\"\",\"lineNumber\":%u,"
           "\"elementCount\":%u}},\"cat\":\"devtools.timeline\",\"dur\":%u,"
           "\"name\":\"%s%s\",\"ph\":\"X\",\"pid\":%u,\"tdur\":%u,\"tid\":%u,"
           "\"ts\":%.0f,\"tts\":%u},\n",
           below(16), below(100), below(5000), below(3000), d,
           words[below(20)], nouns[below(16)], pid, d - 1, tid, g->ts,
           below(1000000));
  put(g, buf);
  g->fillers++;
}

/* One chunk of samples for profile id, with up to 100 samples. */
static void chunk(gen *g, const char *id, unsigned pid, unsigned ptid,
                  unsigned first_node, unsigned nnodes) {
  char buf[1024];
  snprintf(buf, sizeof buf,
           "{\"args\":{\"data\":{\"cpuProfile\":{");
  put(g, buf);
  if (nnodes) {
    put(g, "\"nodes\":[");
    for (unsigned k = 0; k < nnodes; k++) {
      node_json(g, first_node + k, buf, sizeof buf);
      put(g, buf);
      put(g, k + 1 < nnodes ? "," : "],");
    }
  }
  put(g, "\"samples\":[");
  unsigned deltas[100];
  for (unsigned k = 0; k < 100; k++) {
    unsigned r = below(100);
    unsigned node = r < 8 ? 3 : r < 12 ? 2 : 4 + below(g->nodes - 3);
    snprintf(buf, sizeof buf, "%u%s", node, k < 99 ? "," : "");
    put(g, buf);
    deltas[k] = 100 + below(60);
    g->ts += deltas[k];
  }
  put(g, "]},\"timeDeltas\":[");
  for (unsigned k = 0; k < 100; k++) {
    snprintf(buf, sizeof buf, "%u%s", deltas[k], k < 99 ? "," : "");
    put(g, buf);
  }
  snprintf(buf, sizeof buf,
           "]}},\"cat\":\"disabled-by-default-v8.cpu_profiler\",\"id\":\"%s\","
           "\"name\":\"ProfileChunk\",\"ph\":\"P\",\"pid\":%u,\"tid\":%u,"
           "\"ts\":%.0f,\"tts\":%u},\n",
           id, pid, ptid, g->ts, below(1000000));
  put(g, buf);
  g->samples += 100;
  g->chunks++;
}

int main(int argc, char **argv) {
  uint64_t target = 200000000;
  unsigned nodes = 20000, seed = 1;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--version") == 0) {
      puts("gen_trace 1");
      return 0;
    } else if (strcmp(argv[i], "--target-bytes") == 0 && i + 1 < argc) {
      target = strtoull(argv[++i], NULL, 10);
    } else if (strcmp(argv[i], "--nodes") == 0 && i + 1 < argc) {
      nodes = (unsigned)strtoul(argv[++i], NULL, 10);
    } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
      seed = (unsigned)strtoul(argv[++i], NULL, 10);
    } else {
      fprintf(stderr, "usage: gen_trace [--target-bytes N] [--nodes N] "
                      "[--seed N]\n");
      return 2;
    }
  }
  if (nodes < 10)
    nodes = 10;
  rng_state = 0x9E3779B97F4A7C15ull ^ seed;
  gen g;
  memset(&g, 0, sizeof g);
  g.nodes = nodes;
  g.ts = 9632403026.0;
  g.parent = calloc(nodes + 1, sizeof *g.parent);
  if (!g.parent)
    return 1;
  /* A tree 5-40 deep: each node hangs under a recent node or the root. */
  for (unsigned id = 4; id <= nodes; id++)
    g.parent[id] = id < 8 || below(16) == 0 ? 1 : id - 1 - below(id - 4 < 30 ? id - 4 : 30);
  char buf[512];
  put(&g, "[\n");
  const unsigned pid = 6543, tids[2] = {259, 17667}, ptid = 5143;
  const char *names[2] = {"CrRendererMain", "DedicatedWorker thread"};
  const char *ids[2] = {"0x2", "0x3"};
  for (int t = 0; t < 2; t++) {
    snprintf(buf, sizeof buf,
             "{\"args\":{\"name\":\"%s\"},\"cat\":\"__metadata\",\"name\":"
             "\"thread_name\",\"ph\":\"M\",\"pid\":%u,\"tid\":%u,\"ts\":0},\n",
             names[t], pid, tids[t]);
    put(&g, buf);
    snprintf(buf, sizeof buf,
             "{\"args\":{\"data\":{\"startTime\":%.0f}},\"cat\":"
             "\"disabled-by-default-v8.cpu_profiler\",\"id\":\"%s\",\"name\":"
             "\"Profile\",\"ph\":\"P\",\"pid\":%u,\"tid\":%u,\"ts\":%.0f,"
             "\"tts\":1},\n",
             g.ts, ids[t], pid, tids[t], g.ts);
    put(&g, buf);
  }
  unsigned sent[2] = {1, 1}; /* next node id to send per profile */
  while (g.bytes < target) {
    int t = below(4) == 0; /* the worker gets a quarter */
    /* The nodes come in the first chunks, 500 at a time (samples name
       nodes of later chunks too: readers resolve them at the end). */
    unsigned left = sent[t] <= nodes ? nodes - sent[t] + 1 : 0;
    unsigned n = left < 500 ? left : 500;
    chunk(&g, ids[t], pid, ptid, sent[t], n);
    sent[t] += n;
    for (int k = 0; k < 7; k++)
      filler(&g, pid, tids[below(2)]);
  }
  /* The closing event has no trailing comma. */
  snprintf(buf, sizeof buf,
           "{\"args\":{},\"cat\":\"__metadata\",\"name\":\"TracingEnd\","
           "\"ph\":\"I\",\"pid\":%u,\"tid\":%u,\"ts\":%.0f}\n]\n",
           pid, tids[0], g.ts);
  put(&g, buf);
  fprintf(stderr,
          "gen_trace: %llu bytes, 2 profiles, %u nodes each, %llu samples in "
          "%llu chunks, %llu other events\n",
          (unsigned long long)g.bytes, nodes, g.samples, g.chunks, g.fillers);
  free(g.parent);
  return 0;
}
