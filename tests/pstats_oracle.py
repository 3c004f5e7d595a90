"""The oracle of tests/pstats.sh: Python's own pstats module.

  pstats_oracle.py PROF TIME_TSV CALLS_TSV FOLDED
prints two lines, "top: N functions compared, N differences" and "tree: ...":
      top: every function's self time, cumulative time and call count in
      prof-render's `top --format tsv` (time and calls columns) equal
      pstats.Stats(PROF).stats[key][2], [3] and [1], and no row is extra.
      tree: the rebuilt tree (`collapse`) holds the sum of the self times, each
      function's self time, and below the root `exec` (the one root
      whose callees are the program) exec's cumulative time.

prof-render names a function "name (file:line)", a built-in ("~") by its
name alone. Prints what differs before each summary line."""
import math
import pstats
import sys


def name_of(key):
    file, line, fn = key
    return fn if file == "~" else "%s (%s:%d)" % (fn, file, line)


def read_tsv(path):
    rows = {}
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            flat, cum, name = line.rstrip("\n").split("\t")[:3]
            rows[name] = (float(flat), float(cum))
    return rows


def close(a, b):
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def top(prof, time_tsv, calls_tsv):
    stats = pstats.Stats(prof).stats
    times, calls = read_tsv(time_tsv), read_tsv(calls_tsv)
    bad = []
    for key, (cc, nc, tt, ct, callers) in stats.items():
        n = name_of(key)
        if tt == ct == nc == 0 and n not in times and n not in calls:
            continue  # never ran: top shows no row for it, as pprof
        if times.get(n) != (tt, ct):
            bad.append("%s: time %r, pstats (%r, %r)" % (n, times.get(n), tt, ct))
        if calls.get(n, (None,))[0] != nc:
            bad.append("%s: calls %r, pstats %r" % (n, calls.get(n), nc))
    names = {name_of(k) for k in stats}
    bad += ["extra row %s" % n for n in set(times) | set(calls) if n not in names]
    return bad, len(stats)


def tree(prof, folded):
    stats = pstats.Stats(prof).stats
    self_time, roots = {}, {}
    with open(folded, encoding="utf-8") as f:
        for line in f:
            stack, value = line.rstrip("\n").rsplit(" ", 1)
            frames = stack.split(";")
            self_time[frames[-1]] = self_time.get(frames[-1], 0) + float(value)
            roots[frames[0]] = roots.get(frames[0], 0) + float(value)
    bad = []
    want = sum(v[2] for v in stats.values())
    got = sum(self_time.values())
    if not close(got, want):
        bad.append("tree total %r, sum of self times %r" % (got, want))
    for key, v in stats.items():
        if not close(self_time.get(name_of(key), 0), v[2]):
            bad.append("%s: self %r in the tree, pstats %r"
                       % (name_of(key), self_time.get(name_of(key)), v[2]))
    exec_key = ("~", 0, "<built-in method builtins.exec>")
    if exec_key in stats and not close(roots.get(name_of(exec_key), 0), stats[exec_key][3]):
        bad.append("root exec: %r in the tree, cumulative %r"
                   % (roots.get(name_of(exec_key)), stats[exec_key][3]))
    return bad, len(stats)


def main():
    prof, time_tsv, calls_tsv, folded = sys.argv[1:5]
    failed = False
    for what, (bad, n) in (("top", top(prof, time_tsv, calls_tsv)),
                           ("tree", tree(prof, folded))):
        for b in bad[:20]:
            print(b)
        print("%s: %d functions compared, %d differences" % (what, n, len(bad)))
        failed |= bool(bad) or n == 0
    return 1 if failed else 0


sys.exit(main())
