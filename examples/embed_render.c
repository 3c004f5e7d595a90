/*
 * embed_render.c - libprofrender in a dozen calls: read a profile of any
 * format, print its ten hottest functions, write its flame graph.
 *
 *   cc embed_render.c $(pkg-config --cflags --libs profrender) -o embed_render
 *   ./embed_render profile.pb.gz flame.svg
 */
#include <profrender.h>

#include <stdio.h>

static int to_file(void *ctx, const void *data, size_t size) {
  return fwrite(data, 1, size, (FILE *)ctx) == size ? 0 : -1;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s PROFILE OUT.svg\n", argv[0]);
    return 2;
  }
  prf_profile *profile = prf_profile_new();
  prf_error err;
  char msg[1024];
  if (!profile)
    return 70;
  if (prf_profile_read_file(profile, argv[1], NULL, &err) != PRF_OK) {
    fprintf(stderr, "%s\n", prf_error_format(&err, msg, sizeof msg));
    prf_profile_free(profile);
    return err.code == PRF_E_INPUT ? 66 : 65;
  }

  /* Frames that differ only by line merge, as in `go tool pprof`. */
  prf_status st = prf_profile_set_granularity(profile, PRF_GRAN_FUNCTIONS, 0, &err);

  /* The ten hottest functions, by self value, as `go tool pprof -top`. */
  prf_top_options top;
  prf_top_options_init(&top);
  top.node_count = 10;
  if (st == PRF_OK)
    st = prf_top_write(profile, &top, to_file, stdout, &err);

  /* The flame graph, written to memory first, then to the file. */
  prf_flame_options flame;
  prf_flame_options_init(&flame);
  flame.title = "Flame Graph";
  prf_buffer svg = {0};
  if (st == PRF_OK)
    st = prf_svg_write(profile, &flame, prf_buffer_write, &svg, &err);
  if (st == PRF_OK) {
    FILE *out = fopen(argv[2], "wb");
    if (!out || fwrite(svg.data, 1, svg.size, out) != svg.size)
      st = PRF_E_OUTPUT;
    if (out && fclose(out) != 0)
      st = PRF_E_OUTPUT;
    if (st != PRF_OK)
      snprintf(err.message, sizeof err.message, "cannot write %s", argv[2]);
  }
  if (st != PRF_OK)
    fprintf(stderr, "embed_render: %s\n", err.message);
  prf_buffer_free(&svg);
  prf_profile_free(profile);
  return st == PRF_OK ? 0 : 1;
}
