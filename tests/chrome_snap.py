#!/usr/bin/env python3
"""Per-function self and total weights from a speedscope jest snapshot and
from prof-render's folded output, as two comparable tables.

  chrome_snap.py SNAPSHOT "EXPORT NAME" FOLDED WANT GOT [--strip-args]

speedscope keys frames by name, file, line and column; prof-render's folded
output names functions only. So both sides are summed per function name:
self adds up exactly; a total is only comparable when speedscope has one
frame of that name (else it is written as "-" on both sides). speedscope
names an anonymous function "(anonymous FILE:LINE)"; prof-render calls it
"(anonymous)". With --strip-args, speedscope's trace-event names lose the
JSON of their args ("gamma {...}" -> "gamma"), which prof-render leaves out.
Frames of weight 0 are left out (prof-render records no empty stretches).
"""
import re
import sys


def snapshot_frames(path, export):
    text = open(path, encoding="utf-8").read()
    start = text.index("exports[`" + export + "`] = `")
    end = text.index("\n`;", start)
    body = text[start:end]
    frames = []
    for block in re.findall(r"Frame \{(.*?)\n    \}", body, re.S):
        f = {}
        for key, val in re.findall(r'\n      "(\w+)": (.*),', block):
            f[key] = val
        frames.append(f)
    return frames


def unquote(v):
    return v[1:-1] if v.startswith('"') and v.endswith('"') else v


def want_table(frames, strip_args):
    self_w, total_w, keys = {}, {}, {}
    for f in frames:
        name = unquote(f["name"])
        if name.startswith("(anonymous "):
            name = "(anonymous)"
        if strip_args and " {" in name:
            name = name[: name.index(" {")]
        s, t = float(f["selfWeight"]), float(f["totalWeight"])
        if s == 0 and t == 0:
            continue
        self_w[name] = self_w.get(name, 0) + s
        total_w[name] = t
        keys[name] = keys.get(name, 0) + 1
    return {n: (self_w[n], total_w[n] if keys[n] == 1 else None) for n in self_w}


def got_table(folded):
    self_w, total_w = {}, {}
    for line in open(folded, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line:
            continue
        stack, _, value = line.rpartition(" ")
        v = float(value)
        names = stack.split(";")
        self_w[names[-1]] = self_w.get(names[-1], 0) + v
        for n in set(names):
            total_w[n] = total_w.get(n, 0) + v
    return {n: (self_w.get(n, 0), total_w[n]) for n in total_w if total_w[n] != 0}


def write(path, table, comparable):
    with open(path, "w", encoding="utf-8") as out:
        for name in sorted(table):
            s, t = table[name]
            shown = "%.3f" % t if comparable.get(name, True) and t is not None else "-"
            out.write("%s\t%.3f\t%s\n" % (name, s, shown))


def main():
    args = [a for a in sys.argv[1:] if a != "--strip-args"]
    strip = "--strip-args" in sys.argv
    snap, export, folded, want_out, got_out = args
    want = want_table(snapshot_frames(snap, export), strip)
    got = got_table(folded)
    comparable = {n: want[n][1] is not None for n in want}
    write(want_out, want, comparable)
    write(got_out, got, comparable)


main()
