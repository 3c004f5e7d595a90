/* Unit tests of the CLI's progress line text (cli/progress.c): sizes in
 * the right unit, the percentage, the rate and the time left, the
 * unknown-size form, and the file name shortened and made safe. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../cli/progress.c"

#include <stdlib.h>
#include <string.h>

static void test_known_size(void **state) {
  (void)state;
  char buf[256];
  /* 250 MB of 1 GB in 2.5 s: 100 MB/s, 7.5 s left, shown rounded. */
  progress_format(buf, sizeof buf, "big.folded", 250000000, 1000000000, 2.5);
  assert_string_equal(buf, "reading big.folded: 250.0 MB of 1.0 GB (25%), "
                           "100.0 MB/s, 8 s left");
  /* Minutes when over one: 10 MB of 1 GB at 1 MB/s leaves 990 s. */
  progress_format(buf, sizeof buf, "x", 10000000, 1000000000, 10);
  assert_string_equal(buf, "reading x: 10.0 MB of 1.0 GB (1%), 1.0 MB/s, "
                           "16 min 30 s left");
  /* Nothing read yet: no rate, no estimate. */
  progress_format(buf, sizeof buf, "x", 0, 5000, 1);
  assert_string_equal(buf, "reading x: 0 B of 5.0 kB (0%)");
}

static void test_unknown_size(void **state) {
  (void)state;
  char buf[256];
  progress_format(buf, sizeof buf, "<stdin>", 1500, 0, 0.5);
  assert_string_equal(buf, "reading <stdin>: 1.5 kB, 3.0 kB/s");
  /* A file that grew while read is shown as of unknown size. */
  progress_format(buf, sizeof buf, "f", 2000, 1000, 1);
  assert_string_equal(buf, "reading f: 2.0 kB, 2.0 kB/s");
}

static void test_drawing(void **state) {
  (void)state;
  char *text = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&text, &len);
  assert_non_null(out);
  progress p;
  progress_init(&p, out, 100.0);
  progress_begin(&p, "/some/dir/esc\033[31mape.folded", 1000, 100.0);
  progress_add(&p, 100, 100.5); /* before the delay: nothing */
  fflush(out);
  assert_int_equal(len, 0);
  progress_add(&p, 100, 101.5); /* drawn */
  progress_add(&p, 100, 101.6); /* too soon to redraw */
  progress_add(&p, 100, 101.9); /* redrawn */
  progress_clear(&p);
  progress_clear(&p); /* nothing left to erase */
  fclose(out);
  assert_string_equal(
      text, "\rprof-render: reading esc?[31mape.folded: 200 B of 1.0 kB "
            "(20%), 133 B/s, 6 s left\033[K"
            "\rprof-render: reading esc?[31mape.folded: 400 B of 1.0 kB "
            "(40%), 211 B/s, 3 s left\033[K\r\033[K");
  free(text);
}

static void test_silent(void **state) {
  (void)state;
  progress p;
  progress_init(&p, NULL, 0);
  progress_begin(&p, "f", 10, 0);
  progress_add(&p, 5, 50); /* no terminal: no crash, nothing drawn */
  assert_false(p.shown);
  progress_clear(&p);
  /* Long names are cut to one row, never inside a UTF-8 sequence. */
  char name[100];
  memset(name, 'a', 39);
  strcpy(name + 39, "\xc3\xa9tail-that-is-long");
  progress_begin(&p, name, 10, 0);
  assert_int_equal(strlen(p.name), 39);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_known_size),
      cmocka_unit_test(test_unknown_size),
      cmocka_unit_test(test_drawing),
      cmocka_unit_test(test_silent),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
