/* Unit tests of render/sha256.c: the FIPS 180-4 example vectors (and the
 * one-million-'a' message, fed in uneven pieces so that every path of
 * the block buffering runs), and base64 (RFC 4648's vectors). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sha256.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void hex(const unsigned char d[32], char out[65]) {
  for (int i = 0; i < 32; i++)
    snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void expect_digest(const char *msg, const char *want) {
  unsigned char d[32];
  char got[65];
  prf_sha256_digest(msg, strlen(msg), d);
  hex(d, got);
  assert_string_equal(got, want);
}

static void test_vectors(void **state) {
  (void)state;
  expect_digest("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  expect_digest("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  expect_digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  expect_digest("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
                "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_million_a(void **state) {
  (void)state;
  static char a[1000];
  memset(a, 'a', sizeof a);
  prf_sha256 s;
  prf_sha256_init(&s);
  size_t left = 1000000, step = 1;
  while (left) { /* pieces of 1, 2, ... 1000 bytes */
    size_t n = step < left ? step : left;
    prf_sha256_update(&s, a, n);
    left -= n;
    step = step % 1000 + 1;
  }
  unsigned char d[32];
  char got[65];
  prf_sha256_final(&s, d);
  hex(d, got);
  assert_string_equal(got, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Every length around the padding boundary, split anywhere, equals the
 * one-call digest. */
static void test_split(void **state) {
  (void)state;
  unsigned char msg[200];
  for (size_t i = 0; i < sizeof msg; i++)
    msg[i] = (unsigned char)(i * 37 + 11);
  for (size_t len = 0; len <= 130; len++) {
    unsigned char whole[32];
    prf_sha256_digest(msg, len, whole);
    for (size_t cut = 0; cut <= len; cut += 7) {
      prf_sha256 s;
      unsigned char d[32];
      prf_sha256_init(&s);
      prf_sha256_update(&s, msg, cut);
      prf_sha256_update(&s, msg + cut, len - cut);
      prf_sha256_final(&s, d);
      assert_memory_equal(d, whole, 32);
    }
  }
}

static void expect_b64(const char *in, const char *want) {
  prf_buf b;
  prf_buf_init(&b, NULL);
  prf_base64(&b, in, strlen(in));
  prf_buf_putc(&b, '\0');
  assert_false(b.failed);
  assert_string_equal(b.data, want);
  prf_buf_free(&b);
}

static void test_base64(void **state) {
  (void)state;
  expect_b64("", "");
  expect_b64("f", "Zg==");
  expect_b64("fo", "Zm8=");
  expect_b64("foo", "Zm9v");
  expect_b64("foob", "Zm9vYg==");
  expect_b64("fooba", "Zm9vYmE=");
  expect_b64("foobar", "Zm9vYmFy");
  /* a digest as the CSP carries it */
  unsigned char d[32];
  prf_sha256_digest("abc", 3, d);
  prf_buf b;
  prf_buf_init(&b, NULL);
  prf_base64(&b, d, 32);
  prf_buf_putc(&b, '\0');
  assert_string_equal(b.data, "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
  prf_buf_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_vectors),
      cmocka_unit_test(test_million_a),
      cmocka_unit_test(test_split),
      cmocka_unit_test(test_base64),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
