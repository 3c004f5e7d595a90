#!/usr/bin/env python3
"""Dev fixture generator: DATA files (docs/report-data.md, "v": 1) for the
report page's browser tests, written before render/report.c exists.

    gen_fixtures.py OUTDIR                 small, timed, diff, hostile
    gen_fixtures.py --large N OUT.json     a random tree of about N nodes

The small ones are built from explicit samples (a stack of frames, a weight
per column, a time and a thread), so nodes, tables and samples agree the way
the contract says. The large one is a random call tree built directly (no
samples), with a 3,000-deep chain so the page's walks must be iterative.
"""
import json
import os
import random
import sys


class Builder:
    def __init__(self, title, columns, fmt="pprof", files=None, meta=None):
        self.title = title
        self.columns = columns
        self.fmt = fmt
        self.files = files or ["profile.pb.gz"]
        self.meta = meta or []
        self.strings = [""]
        self.sid = {"": 0}
        self.frames = []          # (name, file, line, module, kind) sids
        self.fid = {}
        self.parent = [-1]
        self.nframe = [-1]
        self.kids = [{}]
        ncol = len(columns)
        self.self = [[0] for _ in range(ncol)]
        self.total = [[0] for _ in range(ncol)]
        self.samples = []         # (time ns, leaf node, thread, weights)
        self.stacks = []          # (names/frames of each sample, weights)
        self.threads = []

    def s(self, text):
        if text not in self.sid:
            self.sid[text] = len(self.strings)
            self.strings.append(text)
        return self.sid[text]

    def frame(self, name, file="", line=0, module="", kind=0):
        key = (self.s(name), self.s(file), line, self.s(module), kind)
        if key not in self.fid:
            self.fid[key] = len(self.frames)
            self.frames.append(key)
        return self.fid[key]

    def thread(self, tid, name):
        self.threads.append({"id": tid, "name": self.s(name)})
        return len(self.threads) - 1

    def add(self, stack, weights, t=None, thread=-1):
        """stack: root-first list of frame ids."""
        node = 0
        for c in range(len(weights)):
            self.total[c][0] += weights[c]
        for f in stack:
            nxt = self.kids[node].get(f)
            if nxt is None:
                nxt = len(self.parent)
                self.kids[node][f] = nxt
                self.parent.append(node)
                self.nframe.append(f)
                self.kids.append({})
                for c in range(len(weights)):
                    self.self[c].append(0)
                    self.total[c].append(0)
            node = nxt
            for c in range(len(weights)):
                self.total[c][node] += weights[c]
        for c in range(len(weights)):
            self.self[c][node] += weights[c]
        self.stacks.append((list(stack), list(weights)))
        if t is not None:
            self.samples.append((t, node, thread, list(weights)))

    def tables(self):
        ncol = len(self.columns)
        groups = {"function": {}, "line": {}, "file": {}}
        for stack, w in self.stacks:
            keys = {"function": lambda f: (f[0],), "line": lambda f: (f[0], f[1], f[2]),
                    "file": lambda f: (f[1],)}
            for kind, keyf in keys.items():
                seen = set()
                for i, fid in enumerate(stack):
                    fr = self.frames[fid]
                    if kind == "file" and fr[1] == 0:
                        continue
                    k = keyf(fr)
                    g = groups[kind].setdefault(k, [[0] * ncol, [0] * ncol])
                    if k not in seen:
                        seen.add(k)
                        for c in range(ncol):
                            g[1][c] += w[c]
                    if i == len(stack) - 1:
                        for c in range(ncol):
                            g[0][c] += w[c]
        out = {}
        for kind, g in groups.items():
            keys = sorted(g, key=lambda k: (-abs(g[k][1][0]), k))
            t = {}
            if kind == "function":
                t["name"] = [k[0] for k in keys]
            elif kind == "line":
                t["name"] = [k[0] for k in keys]
                t["file"] = [k[1] for k in keys]
                t["line"] = [k[2] for k in keys]
            else:
                t["file"] = [k[0] for k in keys]
            t["self"] = [[g[k][0][c] for k in keys] for c in range(ncol)]
            t["total"] = [[g[k][1][c] for k in keys] for c in range(ncol)]
            out[kind] = t
        return out

    def data(self, column=0, duration=None, diff=None, source=None):
        samples = None
        if self.samples:
            self.samples.sort(key=lambda s: s[0])
            t0 = self.samples[0][0]
            prev = t0
            dt = []
            for s in self.samples:
                dt.append(s[0] - prev)
                prev = s[0]
            samples = {"t0": t0, "dt": dt, "node": [s[1] for s in self.samples],
                       "thread": [s[2] for s in self.samples],
                       "weight": [[s[3][c] for s in self.samples]
                                  for c in range(len(self.columns))]}
        return {
            "v": 1, "title": self.title,
            "info": {"files": self.files, "format": self.fmt,
                     "samples": len(self.stacks), "duration": duration,
                     "meta": self.meta},
            "columns": self.columns, "column": column,
            "strings": self.strings,
            "frames": {"name": [f[0] for f in self.frames], "file": [f[1] for f in self.frames],
                       "line": [f[2] for f in self.frames], "module": [f[3] for f in self.frames],
                       "kind": [f[4] for f in self.frames]},
            "nodes": {"parent": self.parent, "frame": self.nframe,
                      "self": self.self, "total": self.total},
            "pruned": {"share": 0, "nodes": 0},
            "tables": self.tables(),
            "threads": self.threads,
            "samples": samples, "diff": diff, "source": source,
        }


def small():
    b = Builder("small CPU profile", [{"type": "samples", "unit": "count"},
                                      {"type": "cpu", "unit": "nanoseconds"}],
                meta=[["release", "1.2.3"], ["environment", "prod"]])
    F = b.frame
    main = F("main", "cmd/app/main.go", 12)
    parse = F("parse", "internal/parse/parse.go", 40)
    read = F("read", "internal/parse/read.go", 7)
    intern = F("intern", "internal/parse/intern.go", 88)
    render = F("render", "internal/render/render.go", 5)
    layout = F("layout", "internal/render/layout.go", 31)
    svg = F("svg", "internal/render/svg.go", 77)
    memmove = F("runtime.memmove", "runtime/memmove_amd64.s", 100, "runtime")
    sys_read = F("sys_read", kind=1)
    idle = F("idle")
    rec = F("walk", "internal/render/walk.go", 3)
    for stack, n in (([main, parse, read], 30), ([main, parse, read, sys_read], 12),
                     ([main, parse, intern], 20), ([main, parse, intern, memmove], 6),
                     ([main, render, layout], 5), ([main, render, svg], 12),
                     ([main, render, svg, memmove], 4), ([main], 3), ([idle], 10),
                     ([main, render, rec, rec, rec, layout], 7), ([main, render, rec, svg], 2)):
        b.add(stack, [n, n * 10000000])
    return b.data(column=1, duration=1.14,
                  source={"url": "https://github.com/o/r/blob/{rev}/{path}#L{line}", "rev": "abc123"})


def timed():
    b = Builder("timed profile", [{"type": "samples", "unit": "count"},
                                  {"type": "wall", "unit": "nanoseconds"}],
                fmt="perf", files=["perf.data"])
    F = b.frame
    ta = b.thread(101, "main-thread")
    tb = b.thread(102, "worker 1")
    main = F("main", "main.c", 10)
    work = F("work", "work.c", 20)
    hash_ = F("hash", "hash.c", 30)
    sleep = F("sleep", "libc.c", 1)
    wmain = F("worker_main", "worker.c", 5)
    crunch = F("crunch", "worker.c", 50)
    rng = random.Random(8)
    t0 = 1700000000000000000
    step = 10000000  # 10 ms
    for i in range(400):  # 4 seconds, two threads
        t = t0 + i * step
        if i < 150:
            stack = [main, work, hash_] if i % 3 else [main, work]
        elif i < 250:
            stack = [main, sleep]
        else:
            stack = [main, work] if rng.random() < 0.5 else [main, work, hash_]
        b.add(stack, [1, step], t, ta)
        if 100 <= i < 300:
            b.add([wmain, crunch] if i % 4 else [wmain], [1, step], t + step // 2, tb)
    return b.data(column=0, duration=4.0)


def diff():
    b = Builder("diff: base vs new", [{"type": "before", "unit": "count"},
                                      {"type": "after", "unit": "count"}],
                files=["old.pb.gz", "new.pb.gz"])
    F = b.frame
    main = F("main", "main.go", 1)
    grow = F("main.checksum", "sum.go", 9)
    shrink = F("main.shrink", "shrink.go", 3)
    same = F("main.same", "same.go", 4)
    for stack, w in (([main, grow], [10, 40]), ([main, shrink], [30, 10]),
                     ([main, same], [5, 5]), ([main], [2, 2])):
        b.add(stack, w)
    d = {"verdict": "regression", "metric": "self", "test": "z", "base_runs": 1, "new_runs": 1,
         "base_samples": 47, "new_samples": 57, "alpha": 0.01, "alpha_each": 0.0025,
         "min_change": 1, "threshold": 0.1, "base_factor": 0.82, "colour": "share",
         "rows": [{"function": "main.checksum", "base_self": 0.2128, "new_self": 0.7018,
                   "base_total": 0.2128, "new_total": 0.7018, "delta_pp": 48.9,
                   "relative": 2.298, "p_value": 2e-6, "verdict": 1},
                  {"function": "main.shrink", "base_self": 0.6383, "new_self": 0.1754,
                   "base_total": 0.6383, "new_total": 0.1754, "delta_pp": -46.29,
                   "relative": -0.725, "p_value": 1e-5, "verdict": -1},
                  {"function": "main.same", "base_self": 0.1064, "new_self": 0.0877,
                   "base_total": 0.1064, "new_total": 0.0877, "delta_pp": -1.87,
                   "relative": -0.175, "p_value": 0.7, "verdict": 0}]}
    return b.data(column=1, diff=d)


HOSTILE = ["</script><script>alert(1)</script>", "\"><img src=x onerror=alert(1)>",
           "line\u2028sep\u2029para", "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 rtl",
           "emoji \U0001F525\U0001F680 fn", "\u202eevil\u202c", "<b>bold</b> & &amp;",
           "javascript:alert(3)", "{{constructor.constructor('alert(4)')()}}", "__proto__",
           "ctl\u0001\u001b[31m\u007f"]


def hostile():
    b = Builder("</title><script>alert(6)</script> \u2028 report",
                [{"type": "cpu\"><img src=x onerror=alert(7)>", "unit": "nanoseconds"}],
                files=["<img src=x onerror=alert(8)>.pb"],
                meta=[["<script>alert(9)</script>", "\"><svg onload=alert(10)>"]])
    main = b.frame("main", "<svg onload=alert(11)>.c", 1)
    for i, name in enumerate(HOSTILE):
        f = b.frame(name, name + ".go", i + 1)
        b.add([main, f], [10 + i])
    b.thread(1, "<script>alert(12)</script>")
    return b.data(source={"url": "https://example.com/{rev}/{path}#L{line}",
                          "rev": "\"><script>alert(13)</script>"})


def large(n, path):
    """A random call tree of about n nodes, written directly as DATA."""
    rng = random.Random(1)
    nnames = 20000
    strings = [""] + ["pkg%d.func_%d_%s" % (i % 97, i, "x" * (i % 13)) for i in range(nnames)]
    nfiles = 2000
    strings += ["src/pkg%d/file%d.go" % (i % 97, i) for i in range(nfiles)]
    fname, ffile, fline = [], [], []
    for i in range(nnames):
        fname.append(1 + i)
        ffile.append(1 + nnames + rng.randrange(nfiles))
        fline.append(1 + rng.randrange(500))
    parent, frame, selfv = [-1], [-1], [0]
    depth = [0]
    # a deep chain (stacks thousands deep) ...
    prev = 0
    for d in range(3000):
        parent.append(prev)
        frame.append(d % 50)
        selfv.append(0)
        depth.append(depth[prev] + 1)
        prev = len(parent) - 1
    selfv[prev] = 1000
    # ... and a bushy random tree: a new node hangs under an "open" node
    # (depth below 40, fewer than 40 children), mostly a recently added one,
    # so the tree has both deep and wide parts; siblings have distinct frames
    # (it is a call tree).
    used = set()
    open_ = [0]
    nkids = {}
    while len(parent) < n:
        i = len(parent)
        j = max(0, len(open_) - 1 - int(rng.expovariate(0.002)))
        p = open_[j]
        f = rng.randrange(nnames) if rng.random() < 0.7 else rng.randrange(300)
        while (p, f) in used:
            f = rng.randrange(nnames)
        used.add((p, f))
        parent.append(p)
        frame.append(f)
        selfv.append(int(rng.expovariate(1 / 50)) if rng.random() < 0.7 else 0)
        depth.append(depth[p] + 1)
        nkids[p] = nkids.get(p, 0) + 1
        if nkids[p] >= 40:
            open_[j] = open_[-1]
            open_.pop()
        if depth[i] < 40:
            open_.append(i)
    del used
    out_parent, out_frame, out_self = parent, frame, selfv
    # Number the nodes in depth-first order with siblings by name, as a
    # writer walking a sorted tree would (parent < id still holds).
    m = len(out_parent)
    kids = [[] for _ in range(m)]
    for i in range(1, m):
        kids[out_parent[i]].append(i)
    newid = [0] * m
    order = []
    stack = [0]
    while stack:
        i = stack.pop()
        newid[i] = len(order)
        order.append(i)
        kids[i].sort(key=lambda c: strings[fname[out_frame[c]]], reverse=True)
        stack.extend(kids[i])
    del kids
    out_parent = [-1] + [newid[out_parent[i]] for i in order[1:]]
    out_frame = [out_frame[i] for i in order]
    out_self = [out_self[i] for i in order]
    total = out_self[:]
    for i in range(m - 1, 0, -1):
        total[out_parent[i]] += total[i]
    # Exact tables from the tree: self by key; total counts a key once per
    # stack (a node whose ancestor has the same key adds nothing), found with
    # an iterative DFS that keeps a count of each key on the current path.
    kids = [[] for _ in range(m)]
    for i in range(1, m):
        kids[out_parent[i]].append(i)
    fself, ftot, lself, ltot, fileself, filetot = {}, {}, {}, {}, {}, {}
    on_f, on_l, on_file = {}, {}, {}
    stack = [(0, False)]
    while stack:
        i, leaving = stack.pop()
        f = out_frame[i]
        keys = None
        if f >= 0:
            keys = ((fname[f], on_f, fself, ftot), ((fname[f], ffile[f], fline[f]), on_l, lself, ltot),
                    (ffile[f], on_file, fileself, filetot))
        if leaving:
            for k, on, _, _ in keys:
                on[k] -= 1
            continue
        if keys:
            for k, on, sd, td in keys:
                sd[k] = sd.get(k, 0) + out_self[i]
                if not on.get(k):
                    td[k] = td.get(k, 0) + total[i]
                on[k] = on.get(k, 0) + 1
            stack.append((i, True))
        for c in kids[i]:
            stack.append((c, False))
    del kids
    fk = sorted(ftot, key=lambda k: -ftot[k])
    lk = sorted(ltot, key=lambda k: -ltot[k])
    flk = sorted(filetot, key=lambda k: -filetot[k])
    data = {
        "v": 1, "title": "large: %d nodes" % m,
        "info": {"files": ["large.pb.gz"], "format": "pprof", "samples": total[0],
                 "duration": 60.0, "meta": []},
        "columns": [{"type": "cpu", "unit": "nanoseconds"}], "column": 0,
        "strings": strings,
        "frames": {"name": fname, "file": ffile, "line": fline, "module": [0] * nnames,
                   "kind": [0] * nnames},
        "nodes": {"parent": out_parent, "frame": out_frame, "self": [out_self], "total": [total]},
        "pruned": {"share": 0, "nodes": 0},
        "tables": {
            "function": {"name": fk, "self": [[fself.get(k, 0) for k in fk]],
                         "total": [[ftot[k] for k in fk]]},
            "line": {"name": [k[0] for k in lk], "file": [k[1] for k in lk],
                     "line": [k[2] for k in lk], "self": [[lself[k] for k in lk]],
                     "total": [[ltot[k] for k in lk]]},
            "file": {"file": flk, "self": [[fileself[k] for k in flk]],
                     "total": [[filetot[k] for k in flk]]},
        },
        "threads": [], "samples": None, "diff": None, "source": None,
    }
    with open(path, "w") as f:
        json.dump(data, f, separators=(",", ":"))
    print("%s: %d nodes" % (path, m))


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--large":
        large(int(sys.argv[2]), sys.argv[3])
        return
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, fn in (("small", small), ("timed", timed), ("diff", diff), ("hostile", hostile)):
        with open(os.path.join(out, name + ".json"), "w", encoding="utf-8") as f:
            json.dump(fn(), f, ensure_ascii=False, indent=None, separators=(",", ":"))
            f.write("\n")


if __name__ == "__main__":
    main()
