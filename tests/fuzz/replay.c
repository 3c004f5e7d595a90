/*
 * replay.c - runs a fuzz target over files and directories of inputs
 * without libFuzzer, so that `make check` replays the seed corpora and
 * every crash ever found. Prints how many inputs ran; a failing input
 * aborts with its name on stderr first.
 */
#include "fuzz.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int run_file(const char *path, size_t *count) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "replay: cannot open %s\n", path);
    return 1;
  }
  unsigned char *data = NULL;
  size_t len = 0, cap = 0;
  for (;;) {
    if (len == cap) {
      cap = cap ? cap * 2 : 65536;
      unsigned char *p = realloc(data, cap);
      if (!p) {
        fprintf(stderr, "replay: out of memory reading %s\n", path);
        free(data);
        fclose(f);
        return 1;
      }
      data = p;
    }
    size_t n = fread(data + len, 1, cap - len, f);
    if (!n)
      break;
    len += n;
  }
  fclose(f);
  fprintf(stderr, "replay: %s\n", path);
  LLVMFuzzerTestOneInput(data, len);
  free(data);
  (*count)++;
  return 0;
}

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path, size_t *count);

/* A directory's files and subdirectories, in name order. */
static int run_dir(const char *dir, size_t *count) {
  DIR *d = opendir(dir);
  if (!d) {
    fprintf(stderr, "replay: cannot open %s\n", dir);
    return 1;
  }
  char **names = NULL;
  size_t n = 0, cap = 0;
  int rc = 0;
  struct dirent *e;
  while (!rc && (e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    size_t len = strlen(dir) + strlen(e->d_name) + 2;
    char *path = malloc(len);
    char **grown = n == cap ? realloc(names, (cap = cap * 2 + 16) * sizeof *names)
                            : names;
    if (!path || !grown) {
      free(path);
      rc = 1;
      break;
    }
    names = grown;
    snprintf(path, len, "%s/%s", dir, e->d_name);
    names[n++] = path;
  }
  closedir(d);
  if (n)
    qsort(names, n, sizeof *names, cmp_names);
  for (size_t i = 0; i < n; i++) {
    if (!rc)
      rc = run_path(names[i], count);
    free(names[i]);
  }
  free(names);
  return rc;
}

static int run_path(const char *path, size_t *count) {
  struct stat st;
  if (stat(path, &st) != 0) {
    fprintf(stderr, "replay: cannot open %s\n", path);
    return 1;
  }
  if (S_ISDIR(st.st_mode))
    return run_dir(path, count);
  return S_ISREG(st.st_mode) ? run_file(path, count) : 0;
}

int main(int argc, char **argv) {
  size_t count = 0;
  for (int i = 1; i < argc; i++)
    if (run_path(argv[i], &count))
      return 66;
  printf("%zu inputs\n", count);
  return 0;
}
