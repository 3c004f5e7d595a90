/* A small program for tests/callgrind.sh: plain calls (work -> leaf),
 * direct recursion (fib) and mutual recursion (even <-> odd), so that the
 * call graph valgrind records has cycles. Written for prof-render. */
#include <stdio.h>

static volatile unsigned long sink;

__attribute__((noinline)) static unsigned long leaf(unsigned long n) {
  unsigned long s = 0;
  for (unsigned long i = 0; i < n; i++)
    s += i * i;
  return s;
}

__attribute__((noinline)) static unsigned long fib(unsigned n) {
  return n < 2 ? leaf(n + 1) : fib(n - 1) + fib(n - 2);
}

__attribute__((noinline)) static unsigned long odd(unsigned n);

__attribute__((noinline)) static unsigned long even(unsigned n) {
  return n == 0 ? leaf(10) : odd(n - 1);
}

__attribute__((noinline)) static unsigned long odd(unsigned n) {
  return n == 0 ? leaf(20) : even(n - 1);
}

__attribute__((noinline)) static unsigned long work(void) {
  return leaf(5000) + fib(12) + even(31);
}

int main(void) {
  for (int i = 0; i < 3; i++)
    sink += work();
  sink += leaf(1000);
  printf("%lu\n", sink);
  return 0;
}
