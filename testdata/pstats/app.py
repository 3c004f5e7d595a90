"""A small program for tests/pstats.sh, written for prof-render: methods of
two classes with the same names, a generator, a lambda, built-ins, direct
recursion (fib) and mutual recursion (even, odd). The call structure is
the same on every run; only the times change."""


class Shape:
    def __init__(self, n):
        self.n = n

    def area(self):
        return sum(i * i for i in range(self.n))


class Box:
    def __init__(self, n):
        self.shapes = [Shape(i) for i in range(n)]

    def area(self):
        return sum(s.area() for s in self.shapes)


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def even(n):
    return True if n == 0 else odd(n - 1)


def odd(n):
    return False if n == 0 else even(n - 1)


def main():
    Box(40).area()
    fib(14)
    even(41)
    sorted(range(2000), key=lambda x: -x)


main()
