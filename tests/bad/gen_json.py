#!/usr/bin/env python3
"""Makes the hostile inputs of the bad-input catalogue (testdata/bad/) for
the five JSON readers: cpuprofile, chrome-trace, speedscope, sentry and
firefox.

    gen_json.py write DIR     writes the small committed files under
                              DIR/<reader>/
    gen_json.py NAME OUT      writes one large input that is made at test
                              time (the 'gen:NAME' rows of cases.tsv)

Everything is deterministic: the same bytes on every machine (gzip with
mtime=0). Only the standard library is used.

Each reader has a small valid profile (GOOD_*); most hostile files are
that profile with one deliberate change, so that the error is the one the
case is about. Numbers that JSON cannot spell through Python's json module
(1e400, NaN, 18446744073709551616 as written) go in through raw().
"""
import gzip
import json
import sys

import gen  # the shared helpers and command line (same directory)
from gen import deep_names, garbage


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def raw(obj, **subs):
    """JSON text of obj where each string "@NAME@" becomes the raw text
    subs[NAME] (a number JSON or Python would otherwise spell differently,
    or not at all)."""
    text = dumps(obj)
    for name, value in subs.items():
        key = '"@%s@"' % name
        assert key in text, key
        text = text.replace(key, value)
    return text.encode("utf-8", "surrogateescape")


def gz(data):
    return gzip.compress(data, 9, mtime=0)


def bomb(data, size=8 << 20):
    """A few KB of gzip that decode to data followed by size bytes of
    JSON white space: the limit (--max-input-size 1M) is hit first."""
    return gen.bomb(data, b" ", size)


def cut(data):
    """A valid file cut in half."""
    return data[: len(data) // 2]


def nested(depth, inner="1"):
    """An array nested depth levels deep (cJSON stops at 1000)."""
    return "[" * depth + inner + "]" * depth


STACKS = [(["main", "parse", "read"], 3), (["main", "render"], 2)]


# ---- cpuprofile ----------------------------------------------------------------

def cpuprofile_obj(stacks, delta=1000):
    """A .cpuprofile: a (root) node, one node per distinct path, children
    links; each stack is `weight` samples of its leaf."""
    nodes = [{"id": 1, "callFrame": {"functionName": "(root)"}, "children": []}]
    index = {(): 0}
    samples = []
    for frames, weight in stacks:
        path = ()
        for name in frames:
            child = path + (name,)
            if child not in index:
                index[child] = len(nodes)
                nodes[index[path]]["children"].append(len(nodes) + 1)
                nodes.append({"id": len(nodes) + 1,
                              "callFrame": {"functionName": name, "url": "app.js",
                                            "lineNumber": 1, "columnNumber": 1},
                              "children": []})
            path = child
        samples += [index[path] + 1] * weight
    for n in nodes:
        if not n["children"]:
            del n["children"]
    return {"nodes": nodes, "startTime": 0, "endTime": delta * len(samples),
            "samples": samples, "timeDeltas": [delta] * len(samples)}


GOOD_CPU = cpuprofile_obj(STACKS)


def cpu_with(**changes):
    obj = json.loads(dumps(GOOD_CPU))
    obj.update(changes)
    return obj


def cpuprofile_deep(n):
    """One chain of n nodes under (root), linked by "parent" (n ids: too
    many digits to commit in gzip)."""
    out = ['{"nodes":[{"id":1,"callFrame":{"functionName":"(root)"}}']
    for i in range(n):
        out.append(',{"id":%d,"parent":%d,"callFrame":{"functionName":"f%d"}}'
                   % (i + 2, i + 1, i % 97))
    out.append('],"samples":[%d,%d],"timeDeltas":[0,1000]}' % (n + 1, n + 1))
    return "".join(out).encode()


def cpuprofile_siblings(n):
    """n distinct leaves under main, one sample each."""
    out = ['{"nodes":[{"id":1,"callFrame":{"functionName":"(root)"},"children":[2]},'
           '{"id":2,"callFrame":{"functionName":"main"},"children":[',
           ",".join(str(i + 3) for i in range(n)), "]}"]
    for i in range(n):
        out.append(',{"id":%d,"callFrame":{"functionName":"f%d"}}' % (i + 3, i))
    out.append('],"samples":[%s],"timeDeltas":[%s]}' % (
        ",".join(str(i + 3) for i in range(n)), ",".join(["1"] * n)))
    return "".join(out).encode()


def cpuprofile_files():
    C = "cpuprofile/"
    good = dumps(GOOD_CPU).encode()
    f = {}
    f[C + "empty.cpuprofile"] = b""
    f[C + "truncated.cpuprofile"] = cut(good)
    f[C + "garbage.bin"] = garbage(seed=11)
    # Raw NUL bytes inside a name: not JSON (cJSON would cut the name).
    f[C + "nul-bytes-raw.cpuprofile"] = good.replace(b'"parse"', b'"pa\0rse"')
    # \u0000 escapes: valid JSON; the names end at the NUL.
    f[C + "nul-escapes.cpuprofile"] = good.replace(
        b'"parse"', b'"pa\\u0000rse"').replace(b'"render"', b'"\\u0000"')
    f[C + "invalid-utf8.cpuprofile"] = good.replace(b'"parse"', b'"pa\xff\xfese"')
    f[C + "name-1mb.cpuprofile.gz"] = gz(dumps(cpuprofile_obj(
        [(["main", "x" * (1 << 20)], 5)])).encode())
    # Numbers beyond 64 bits where the reader wants an integer or a time.
    f[C + "id-2e64.cpuprofile"] = good.replace(
        b'"id":2,', b'"id":18446744073709551616,', 1)
    f[C + "sample-1e400.cpuprofile"] = raw(cpu_with(samples=[4, "@X@"]), X="1e400")
    f[C + "delta-1e400.cpuprofile"] = raw(cpu_with(timeDeltas=[0, "@X@"]), X="1e400")
    f[C + "delta-1e300.cpuprofile"] = raw(cpu_with(timeDeltas=[0, "@X@"]), X="1e300")
    f[C + "start-time-1e300.cpuprofile"] = raw(cpu_with(startTime="@X@"), X="1e300")
    f[C + "start-time-2e64.cpuprofile"] = raw(
        cpu_with(startTime="@X@", endTime="@X@"), X="18446744073709551616")
    # Deltas below 1e15 each that add up past what 64-bit nanoseconds hold.
    f[C + "delta-sum-overflow.cpuprofile"] = dumps(cpu_with(
        samples=[4] * 12, timeDeltas=[9e14] * 12)).encode()
    # The old format (a "head" tree, times in seconds): a start of 1e300 s.
    f[C + "old-start-time-1e300.cpuprofile"] = raw({
        "head": {"functionName": "(root)", "id": 1, "children": [
            {"functionName": "main", "id": 2, "children": []}]},
        "startTime": "@X@", "endTime": 1, "samples": [2, 2],
        "timestamps": [0, 1000]}, X="1e300")
    # The old format: an id used twice deep in the tree.
    f[C + "old-duplicate-id.cpuprofile"] = dumps({
        "head": {"functionName": "(root)", "id": 1, "children": [
            {"functionName": "main", "id": 2, "children": [
                {"functionName": "a", "id": 3}, {"functionName": "b", "id": 3}]}]},
        "startTime": 0, "endTime": 1, "samples": [3, 3],
        "timestamps": [0, 1000]}).encode()
    # Negative numbers: deltas (real files have some) and ids are fine;
    # a negative positionTicks count is not.
    neg = cpu_with(timeDeltas=[0, -5000, 1000, -1, 1000], samples=[4, 4, 4, -5, -5])
    neg["nodes"][4]["id"] = -5
    neg["nodes"][1]["children"] = [3, -5]
    f[C + "negative-deltas-ids.cpuprofile"] = dumps(neg).encode()
    neg = json.loads(good)
    neg["nodes"][3]["positionTicks"] = [{"line": 2, "ticks": -3}]
    f[C + "negative-ticks.cpuprofile"] = dumps(neg).encode()
    # NaN and Infinity are not JSON.
    f[C + "nan.cpuprofile"] = raw(cpu_with(timeDeltas=[0, "@X@", 1, 1, 1]), X="NaN")
    f[C + "infinity.cpuprofile"] = raw(cpu_with(startTime="@X@"), X="-Infinity")
    f[C + "bomb.cpuprofile.gz"] = bomb(good)
    f[C + "nesting-100000.cpuprofile.gz"] = gz((
        '{"nodes":%s,"samples":[],"timeDeltas":[]}' % nested(100000)).encode())
    # Cycles: children links 2 -> 3 -> 2 (no (root) reaches them), a node
    # that is its own child, a node that is its own parent, an id used twice.
    cyc = {"nodes": [{"id": 1, "callFrame": {"functionName": "(root)"}},
                     {"id": 2, "callFrame": {"functionName": "a"}, "children": [3]},
                     {"id": 3, "callFrame": {"functionName": "b"}, "children": [2]}],
           "samples": [3, 3], "timeDeltas": [0, 1000]}
    f[C + "cycle-children.cpuprofile"] = dumps(cyc).encode()
    own = json.loads(good)
    own["nodes"][2]["children"] = [3]
    f[C + "cycle-own-child.cpuprofile"] = dumps(own).encode()
    par = json.loads(good)
    par["nodes"][2]["parent"] = 3
    f[C + "cycle-own-parent.cpuprofile"] = dumps(par).encode()
    dup = json.loads(good)
    dup["nodes"][4]["id"] = 2
    f[C + "duplicate-id.cpuprofile"] = dumps(dup).encode()
    f[C + "not-an-object.cpuprofile"] = b"[1,2,3]"
    return f


# ---- chrome-trace ---------------------------------------------------------------

def trace_obj(stacks, delta=1000):
    """A trace with one thread's CPU profile: a Profile event and a
    ProfileChunk whose nodes link to their "parent"."""
    cpu = cpuprofile_obj(stacks, delta)
    nodes = []
    for n in cpu["nodes"]:
        nodes.append({"id": n["id"], "callFrame": n["callFrame"]})
    for n in cpu["nodes"]:
        for c in n.get("children", []):
            nodes[c - 1]["parent"] = n["id"]
    ev = {"pid": 1, "tid": 1, "ph": "P", "cat": "disabled-by-default-v8.cpu_profiler",
          "id": "0x1"}
    return {"traceEvents": [
        {"pid": 1, "tid": 1, "ts": 0, "ph": "M", "cat": "__metadata",
         "name": "thread_name", "args": {"name": "CrRendererMain"}},
        dict(ev, ts=0, name="Profile", args={"data": {"startTime": 0}}),
        dict(ev, ts=10, name="ProfileChunk", args={"data": {
            "cpuProfile": {"nodes": nodes, "samples": cpu["samples"]},
            "timeDeltas": cpu["timeDeltas"]}}),
    ]}


GOOD_TRACE = trace_obj(STACKS)


def trace_chunk(obj):
    """The ProfileChunk's data of a copy of a trace."""
    return obj["traceEvents"][2]["args"]["data"]


def durations(stacks):
    """Duration events ("B"/"E") of stacks, one after the other."""
    evs, t = [], 0
    for frames, weight in stacks:
        for name in frames:
            evs.append({"ph": "B", "name": name, "pid": 1, "tid": 1, "ts": t})
        t += weight * 1000
        for name in reversed(frames):
            evs.append({"ph": "E", "name": name, "pid": 1, "tid": 1, "ts": t})
    return evs


def trace_deep_durations(n):
    """n "B" events on one thread at the same time: a stack n deep (the
    frames still open at the end are closed there)."""
    return ('{"traceEvents":[' + ",".join(
        '{"ph":"B","name":"%s","ts":0}' % name
        for name in deep_names(n)) +
        ',{"ph":"X","name":"g","ts":0,"dur":5}]}').encode()


def trace_siblings(n):
    """A ProfileChunk with n distinct leaves under main, one sample each."""
    out = ['{"traceEvents":[{"pid":1,"tid":1,"ts":0,"ph":"P","name":"Profile",'
           '"id":"0x1","args":{"data":{"startTime":0}}},'
           '{"pid":1,"tid":1,"ts":1,"ph":"P","name":"ProfileChunk","id":"0x1",'
           '"args":{"data":{"cpuProfile":{"nodes":['
           '{"id":1,"callFrame":{"functionName":"(root)"}},'
           '{"id":2,"parent":1,"callFrame":{"functionName":"main"}}']
    for i in range(n):
        out.append(',{"id":%d,"parent":2,"callFrame":{"functionName":"f%d"}}'
                   % (i + 3, i))
    out.append('],"samples":[%s]},"timeDeltas":[%s]}}}]}' % (
        ",".join(str(i + 3) for i in range(n)), ",".join(["1"] * n)))
    return "".join(out).encode()


def trace_files():
    T = "chrome-trace/"
    good = dumps(GOOD_TRACE).encode()
    f = {}
    f[T + "empty.json"] = b""
    f[T + "truncated.json"] = cut(good)
    # An array of events cut after an event: the reader closes it (a
    # warning) as the reference viewers do.
    arr = dumps(durations(STACKS)).encode()
    f[T + "truncated-array-repaired.json"] = arr[: arr.index(b"},{", len(arr) // 2) + 2]
    f[T + "garbage.bin"] = garbage(seed=12)
    f[T + "nul-bytes-raw.json"] = good.replace(b'"parse"', b'"pa\0rse"')
    f[T + "nul-escapes.json"] = good.replace(
        b'"parse"', b'"pa\\u0000rse"').replace(b'"CrRendererMain"', b'"\\u0000"')
    f[T + "invalid-utf8.json"] = good.replace(b'"parse"', b'"pa\xff\xfese"')
    f[T + "deep-1000000.json.gz"] = gz(trace_deep_durations(1000000))
    f[T + "name-1mb.json.gz"] = gz(dumps(trace_obj([(["main", "x" * (1 << 20)], 5)])).encode())
    # Numbers beyond 64 bits: a timestamp, a pid, a node id, a duration.
    t = json.loads(good)
    t["traceEvents"][2]["ts"] = "@X@"
    f[T + "ts-1e400.json"] = raw(t, X="1e400")
    evs = durations(STACKS)
    evs[0]["ts"] = "@X@"
    f[T + "ts-2e64.json"] = raw(evs, X="18446744073709551616")
    evs = durations(STACKS)
    evs[0]["pid"] = "@X@"
    f[T + "pid-2e64.json"] = raw(evs, X="18446744073709551616")
    t = json.loads(good)
    trace_chunk(t)["cpuProfile"]["nodes"][1]["id"] = "@X@"
    f[T + "node-id-2e64.json"] = raw(t, X="18446744073709551616")
    evs = durations(STACKS) + [{"ph": "X", "name": "long", "pid": 1, "tid": 1,
                                "ts": 0, "dur": "@X@"}]
    f[T + "dur-1e300.json"] = raw(evs, X="1e300")
    t = json.loads(good)
    trace_chunk(t)["timeDeltas"][1] = "@X@"
    f[T + "delta-1e300.json"] = raw(t, X="1e300")
    # Deltas below 1e15 each that add up past what 64-bit nanoseconds hold.
    t = json.loads(good)
    trace_chunk(t)["cpuProfile"]["samples"] = [4] * 12
    trace_chunk(t)["timeDeltas"] = [9e14] * 12
    f[T + "delta-sum-overflow.json"] = dumps(t).encode()
    # Negative: time deltas (moved up to the previous sample), a negative
    # duration (a zero-length event) and negative pid/tid are all fine.
    t = json.loads(good)
    trace_chunk(t)["timeDeltas"] = [0, -2000, 1000, -1, 1000]
    for e in t["traceEvents"]:
        e["pid"], e["tid"] = -1, -2
    f[T + "negative-deltas-pids.json"] = dumps(t).encode()
    f[T + "negative-dur.json"] = dumps(durations(STACKS) + [
        {"ph": "X", "name": "neg", "pid": 1, "tid": 1, "ts": 100, "dur": -50}]).encode()
    # NaN and Infinity are not JSON.
    evs = durations(STACKS)
    evs[1]["ts"] = "@X@"
    f[T + "nan.json"] = raw(evs, X="NaN")
    evs[1]["ts"] = "@X@"
    f[T + "infinity.json"] = raw(evs, X="Infinity")
    f[T + "bomb.json.gz"] = bomb(good)
    f[T + "nesting-100000.json.gz"] = gz(
        ('{"traceEvents":%s}' % nested(100000)).encode())
    # Parent links of ProfileChunk nodes: 2 -> 3 -> 2, a node its own
    # parent, a parent that is not there (a lost chunk: a warning).
    t = json.loads(good)
    nodes = trace_chunk(t)["cpuProfile"]["nodes"]
    nodes[1]["parent"] = 3
    f[T + "chunk-parent-cycle.json"] = dumps(t).encode()
    t = json.loads(good)
    trace_chunk(t)["cpuProfile"]["nodes"][2]["parent"] = 3
    f[T + "chunk-parent-self.json"] = dumps(t).encode()
    t = json.loads(good)
    trace_chunk(t)["cpuProfile"]["nodes"][4]["parent"] = 99
    f[T + "chunk-parent-missing.json"] = dumps(t).encode()
    # Hermes samples + stackFrames whose parents form a cycle.
    f[T + "hermes-parent-cycle.json"] = dumps({
        "traceEvents": [],
        "samples": [{"pid": 1, "tid": 1, "ts": 0, "sf": 3},
                    {"pid": 1, "tid": 1, "ts": 10, "sf": 3}],
        "stackFrames": {"1": {"name": "a", "parent": 2},
                        "2": {"name": "b", "parent": 3},
                        "3": {"name": "c", "parent": 1}}}).encode()
    # End events with nothing open and ones that name another frame: a
    # warning, the balanced part is kept.
    f[T + "unbalanced-events.json"] = dumps(
        [{"ph": "E", "name": "x", "pid": 1, "tid": 1, "ts": 0}] + durations(STACKS) +
        [{"ph": "E", "name": "main", "pid": 1, "tid": 1, "ts": 9000}]).encode()
    f[T + "no-events.json"] = b'{"traceEvents":[]}'
    return f


# ---- speedscope -----------------------------------------------------------------

SCHEMA = "https://www.speedscope.app/file-format-schema.json"


def speedscope_obj(stacks, unit="milliseconds"):
    names = []
    for frames, _ in stacks:
        for n in frames:
            if n not in names:
                names.append(n)
    return {"$schema": SCHEMA,
            "shared": {"frames": [{"name": n} for n in names]},
            "profiles": [{"type": "sampled", "name": "main", "unit": unit,
                          "startValue": 0,
                          "endValue": sum(w for _, w in stacks),
                          "samples": [[names.index(n) for n in fr] for fr, _ in stacks],
                          "weights": [w for _, w in stacks]}]}


GOOD_SS = speedscope_obj(STACKS)


def evented(events, nframes=3):
    return {"$schema": SCHEMA,
            "shared": {"frames": [{"name": "f%d" % i} for i in range(nframes)]},
            "profiles": [{"type": "evented", "name": "ev", "unit": "milliseconds",
                          "startValue": 0, "endValue": 10,
                          "events": [{"type": t, "frame": fr, "at": at}
                                     for t, fr, at in events]}]}


def speedscope_deep(n):
    return ('{"$schema":"%s","shared":{"frames":[%s]},"profiles":[{"type":"sampled",'
            '"name":"deep","unit":"none","startValue":0,"endValue":1,'
            '"samples":[[%s]],"weights":[1]}]}' % (
                SCHEMA, ",".join('{"name":"f%d"}' % i for i in range(97)),
                ",".join(str(i % 97) for i in range(n)))).encode()


def speedscope_siblings(n):
    return ('{"$schema":"%s","shared":{"frames":[{"name":"main"}%s]},"profiles":'
            '[{"type":"sampled","name":"wide","unit":"none","startValue":0,'
            '"endValue":%d,"samples":[%s],"weights":[%s]}]}' % (
                SCHEMA, "".join(',{"name":"f%d"}' % i for i in range(n)), n,
                ",".join("[0,%d]" % (i + 1) for i in range(n)),
                ",".join(["1"] * n))).encode()


def speedscope_files():
    S = "speedscope/"
    good = dumps(GOOD_SS).encode()
    f = {}
    f[S + "empty.speedscope.json"] = b""
    f[S + "truncated.speedscope.json"] = cut(good)
    f[S + "garbage.bin"] = garbage(seed=13)
    f[S + "nul-bytes-raw.speedscope.json"] = good.replace(b'"parse"', b'"pa\0rse"')
    f[S + "nul-escapes.speedscope.json"] = good.replace(
        b'"parse"', b'"pa\\u0000rse"').replace(b'"render"', b'"\\u0000"')
    f[S + "invalid-utf8.speedscope.json"] = good.replace(b'"parse"', b'"pa\xff\xfese"')
    f[S + "deep-1000000.speedscope.json.gz"] = gz(speedscope_deep(1000000))
    f[S + "name-1mb.speedscope.json.gz"] = gz(dumps(speedscope_obj(
        [(["main", "x" * (1 << 20)], 5)])).encode())
    # Numbers beyond 64 bits: a weight, a frame index, a start value; and
    # finite weights whose sum is not (1e308 twice).
    s = json.loads(good)
    s["profiles"][0]["weights"][1] = "@X@"
    f[S + "weight-1e400.speedscope.json"] = raw(s, X="1e400")
    s["profiles"][0]["weights"] = ["@X@", "@X@"]
    f[S + "weights-sum-overflow.speedscope.json"] = raw(s, X="1e308")
    s = json.loads(good)
    s["profiles"][0]["samples"][1][1] = "@X@"
    f[S + "frame-index-2e64.speedscope.json"] = raw(s, X="18446744073709551616")
    s = json.loads(good)
    s["profiles"][0]["startValue"] = "@X@"
    f[S + "start-value-2e64.speedscope.json"] = raw(s, X="18446744073709551616")
    # Negative: a weight (refused), a start value (fine).
    s = json.loads(good)
    s["profiles"][0]["weights"][0] = -3
    f[S + "weight-negative.speedscope.json"] = dumps(s).encode()
    s = json.loads(good)
    s["profiles"][0]["startValue"] = -1000
    f[S + "start-value-negative.speedscope.json"] = dumps(s).encode()
    # NaN and Infinity are not JSON.
    s = json.loads(good)
    s["profiles"][0]["weights"][0] = "@X@"
    f[S + "nan.speedscope.json"] = raw(s, X="NaN")
    f[S + "infinity.speedscope.json"] = raw(s, X="Infinity")
    f[S + "bomb.speedscope.json.gz"] = bomb(good)
    f[S + "nesting-100000.speedscope.json.gz"] = gz((
        '{"shared":{"frames":[]},"profiles":%s}' % nested(100000)).encode())
    # Evented profiles: a close with nothing open, a close of another
    # frame than the open one, a frame never closed, time going back.
    f[S + "evented-close-without-open.speedscope.json"] = dumps(evented(
        [("O", 0, 0), ("C", 0, 1), ("C", 1, 2)])).encode()
    f[S + "evented-close-wrong-frame.speedscope.json"] = dumps(evented(
        [("O", 0, 0), ("O", 1, 1), ("C", 0, 2), ("C", 1, 3)])).encode()
    f[S + "evented-never-closed.speedscope.json"] = dumps(evented(
        [("O", 0, 0), ("O", 1, 1), ("C", 1, 2)])).encode()
    f[S + "evented-time-backwards.speedscope.json"] = dumps(evented(
        [("O", 0, 5), ("C", 0, 4)])).encode()
    return f


# ---- sentry ----------------------------------------------------------------------

def sentry_obj(stacks, version="2"):
    """A Sentry profile: frames, stacks (leaf first), samples on one
    thread, 10 ms apart, plus one that marks the end."""
    names = []
    for frames, _ in stacks:
        for n in frames:
            if n not in names:
                names.append(n)
    samples, t = [], 0
    for i, (_, w) in enumerate(stacks):
        for _ in range(w):
            s = {"stack_id": i, "thread_id": "1"}
            if version == "2":
                s["timestamp"] = 1700000000 + t / 1000
            else:
                s["elapsed_since_start_ns"] = str(t * 1000000)
            samples.append(s)
            t += 10
    samples.append(dict(samples[-1]))
    if version == "2":
        samples[-1]["timestamp"] = 1700000000 + t / 1000
    else:
        samples[-1]["elapsed_since_start_ns"] = str(t * 1000000)
    return {"version": version, "platform": "python",
            "profile": {"frames": [{"function": n, "in_app": True} for n in names],
                        "stacks": [[names.index(n) for n in reversed(fr)]
                                   for fr, _ in stacks],
                        "samples": samples,
                        "thread_metadata": {"1": {"name": "MainThread"}}}}


GOOD_SENTRY = sentry_obj(STACKS)
GOOD_SENTRY_V1 = sentry_obj(STACKS, "1")


def sentry_deep(n):
    return ('{"version":"2","platform":"python","profile":{"frames":[%s],'
            '"stacks":[[%s]],"samples":[{"stack_id":0,"thread_id":"1",'
            '"timestamp":1700000000},{"stack_id":0,"thread_id":"1",'
            '"timestamp":1700000001}]}}' % (
                ",".join('{"function":"f%d"}' % i for i in range(97)),
                ",".join(str(i % 97) for i in range(n)))).encode()


def sentry_siblings(n):
    return ('{"version":"1","platform":"python","profile":{"frames":'
            '[{"function":"main"}%s],"stacks":[%s],"samples":[%s,%s]}}' % (
                "".join(',{"function":"f%d"}' % i for i in range(n)),
                ",".join("[%d,0]" % (i + 1) for i in range(n)),
                ",".join('{"stack_id":%d,"thread_id":1,"elapsed_since_start_ns":%d}'
                         % (i, i * 1000) for i in range(n)),
                '{"stack_id":0,"thread_id":1,"elapsed_since_start_ns":%d}' % (n * 1000),
            )).encode()


def sentry_files():
    E = "sentry/"
    good = dumps(GOOD_SENTRY).encode()
    f = {}
    f[E + "empty.json"] = b""
    f[E + "truncated.json"] = cut(good)
    f[E + "garbage.bin"] = garbage(seed=14)
    f[E + "nul-bytes-raw.json"] = good.replace(b'"parse"', b'"pa\0rse"')
    f[E + "nul-escapes.json"] = good.replace(
        b'"parse"', b'"pa\\u0000rse"').replace(b'"MainThread"', b'"\\u0000"')
    f[E + "invalid-utf8.json"] = good.replace(b'"parse"', b'"pa\xff\xfese"')
    f[E + "deep-1000000.json.gz"] = gz(sentry_deep(1000000))
    f[E + "name-1mb.json.gz"] = gz(dumps(sentry_obj([(["main", "x" * (1 << 20)], 5)])).encode())
    # Numbers beyond 64 bits: v2 timestamps, v1 times (a string, as Sentry
    # sends them), thread ids, a line number.
    s = json.loads(good)
    s["profile"]["samples"][1]["timestamp"] = "@X@"
    f[E + "timestamp-1e400.json"] = raw(s, X="1e400")
    s["profile"]["samples"][1]["timestamp"] = "@X@"
    f[E + "timestamp-2e64.json"] = raw(s, X="18446744073709551616")
    s = json.loads(dumps(GOOD_SENTRY_V1))
    s["profile"]["samples"][2]["elapsed_since_start_ns"] = "18446744073709551616"
    f[E + "v1-time-2e64-string.json"] = dumps(s).encode()
    s = json.loads(good)
    s["profile"]["samples"][0]["thread_id"] = "@X@"
    f[E + "thread-id-2e64.json"] = raw(s, X="18446744073709551616")
    s = json.loads(good)
    s["profile"]["frames"][0]["lineno"] = "@X@"
    f[E + "lineno-1e400.json"] = raw(s, X="1e400")
    # Negative: a timestamp, a thread id.
    s = json.loads(good)
    s["profile"]["samples"][0]["timestamp"] = -1
    f[E + "timestamp-negative.json"] = dumps(s).encode()
    s = json.loads(good)
    s["profile"]["samples"][0]["thread_id"] = -1
    f[E + "thread-id-negative.json"] = dumps(s).encode()
    # NaN and Infinity are not JSON.
    s = json.loads(good)
    s["profile"]["samples"][0]["timestamp"] = "@X@"
    f[E + "nan.json"] = raw(s, X="NaN")
    f[E + "infinity.json"] = raw(s, X="-Infinity")
    f[E + "bomb.json.gz"] = bomb(good)
    f[E + "nesting-100000.json.gz"] = gz((
        '{"version":"2","profile":{"frames":%s}}' % nested(100000)).encode())
    # Sentry has no parent links: its links are indexes into the frame and
    # stack tables, out of range here (too large, negative).
    s = json.loads(good)
    s["profile"]["stacks"][1][0] = 4
    f[E + "frame-index-out-of-range.json"] = dumps(s).encode()
    s = json.loads(good)
    s["profile"]["stacks"][0][1] = -1
    f[E + "frame-index-negative.json"] = dumps(s).encode()
    s = json.loads(good)
    s["profile"]["samples"][3]["stack_id"] = 2
    f[E + "stack-index-out-of-range.json"] = dumps(s).encode()
    # The legacy format's profile is JSON inside a string: bad JSON there.
    f[E + "legacy-inner-json-bad.json"] = dumps({
        "platform": "cocoa", "profile_id": "x", "device_os_name": "iOS",
        "profile": '{"samples":[{"frames":[1,}]}'}).encode()
    return f


# ---- firefox ----------------------------------------------------------------------

def processed_obj(stacks, offsets=False):
    """A processed profile (per-thread tables): one stack row per distinct
    path, one frame and function per name."""
    names, rows, index = [], [], {}
    samples = []
    for frames, w in stacks:
        path = ()
        for n in frames:
            if n not in names:
                names.append(n)
            child = path + (n,)
            if child not in index:
                index[child] = len(rows)
                rows.append((index[path] if path else None, names.index(n)))
            path = child
        samples += [index[path]] * w
    stack = {"length": len(rows), "frame": [fr for _, fr in rows]}
    if offsets:
        stack["prefixOffset"] = [0 if p is None else i - p
                                 for i, (p, _) in enumerate(rows)]
    else:
        stack["prefix"] = [p for p, _ in rows]
    return {"meta": {"interval": 1, "startTime": 0, "version": 24,
                     "preprocessedProfileVersion": 50, "product": "Firefox"},
            "threads": [{"name": "GeckoMain", "tid": 1, "processType": "default",
                         "stackTable": stack,
                         "frameTable": {"length": len(names),
                                        "func": list(range(len(names)))},
                         "funcTable": {"length": len(names),
                                       "name": list(range(len(names)))},
                         "stringArray": names,
                         "samples": {"length": len(samples), "stack": samples,
                                     "time": list(range(len(samples)))}}]}


GOOD_FF = processed_obj(STACKS)


def gecko_obj(prefixes, frames, names, samples):
    return {"meta": {"version": 24, "interval": 1, "startTime": 0},
            "libs": [],
            "threads": [{"name": "GeckoMain", "tid": 1, "stringTable": names,
                         "stackTable": {"schema": {"prefix": 0, "frame": 1},
                                        "data": [[p, fr] for p, fr in zip(prefixes, frames)]},
                         "frameTable": {"schema": {"location": 0},
                                        "data": [[i] for i in range(len(names))]},
                         "samples": {"schema": {"stack": 0, "time": 1},
                                     "data": [[s, i] for i, s in enumerate(samples)]}}]}


def firefox_deep(n):
    """A chain of n stack rows, each the prefix of the next (prefixOffset
    1, which compresses well)."""
    return ('{"meta":{"interval":1,"startTime":0,"preprocessedProfileVersion":50},'
            '"threads":[{"name":"GeckoMain","tid":1,'
            '"stackTable":{"length":%d,"prefixOffset":[0%s],"frame":[%s]},'
            '"frameTable":{"length":97,"func":[%s]},'
            '"funcTable":{"length":97,"name":[%s]},"stringArray":[%s],'
            '"samples":{"length":1,"stack":[%d],"time":[0]}}]}' % (
                n, ",1" * (n - 1), ",".join(str(i % 97) for i in range(n)),
                ",".join(str(i) for i in range(97)),
                ",".join(str(i) for i in range(97)),
                ",".join('"f%d"' % i for i in range(97)), n - 1)).encode()


def firefox_siblings(n):
    """Stack 0 is main, stacks 1..n its children, one sample each."""
    return ('{"meta":{"interval":1,"startTime":0,"preprocessedProfileVersion":50},'
            '"threads":[{"name":"GeckoMain","tid":1,'
            '"stackTable":{"length":%d,"prefix":[null%s],"frame":[%s]},'
            '"frameTable":{"length":%d,"func":[%s]},'
            '"funcTable":{"length":%d,"name":[%s]},"stringArray":["main"%s],'
            '"samples":{"length":%d,"stack":[%s],"time":[%s]}}]}' % (
                n + 1, ",0" * n, ",".join(str(i) for i in range(n + 1)),
                n + 1, ",".join(str(i) for i in range(n + 1)),
                n + 1, ",".join(str(i) for i in range(n + 1)),
                "".join(',"f%d"' % i for i in range(n)),
                n, ",".join(str(i + 1) for i in range(n)),
                ",".join(str(i) for i in range(n)))).encode()


def firefox_files():
    F = "firefox/"
    good = dumps(GOOD_FF).encode()
    th = lambda o: o["threads"][0]
    f = {}
    f[F + "empty.json"] = b""
    f[F + "truncated.json"] = cut(good)
    f[F + "garbage.bin"] = garbage(seed=15)
    f[F + "nul-bytes-raw.json"] = good.replace(b'"parse"', b'"pa\0rse"')
    f[F + "nul-escapes.json"] = good.replace(
        b'"parse"', b'"pa\\u0000rse"').replace(b'"GeckoMain"', b'"\\u0000"')
    f[F + "invalid-utf8.json"] = good.replace(b'"parse"', b'"pa\xff\xfese"')
    f[F + "deep-1000000.json.gz"] = gz(firefox_deep(1000000))
    f[F + "name-1mb.json.gz"] = gz(dumps(processed_obj([(["main", "x" * (1 << 20)], 5)])).encode())
    # Numbers beyond 64 bits: a sample time, a weight, a stack index, the
    # start time; and finite times far apart (1e300 ms).
    p = json.loads(good)
    th(p)["samples"]["time"][2] = "@X@"
    f[F + "time-1e400.json"] = raw(p, X="1e400")
    th(p)["samples"]["time"][2] = "@X@"
    f[F + "time-1e300.json"] = raw(p, X="1e300")
    p = json.loads(good)
    th(p)["samples"]["weight"] = [1, 1, "@X@", 1, 1]
    f[F + "weight-1e300.json"] = raw(p, X="1e300")
    p = json.loads(good)
    th(p)["samples"]["stack"][0] = "@X@"
    f[F + "stack-index-2e64.json"] = raw(p, X="18446744073709551616")
    p = json.loads(good)
    p["meta"]["startTime"] = "@X@"
    f[F + "start-time-2e64.json"] = raw(p, X="18446744073709551616")
    # Negative: a time (samples are sorted by time), a weight.
    p = json.loads(good)
    th(p)["samples"]["time"] = [0, -5, 2, 3, 4]
    f[F + "time-negative.json"] = dumps(p).encode()
    p = json.loads(good)
    th(p)["samples"]["weight"] = [1, -1, 1, 1, 1]
    f[F + "weight-negative.json"] = dumps(p).encode()
    # NaN and Infinity are not JSON.
    p = json.loads(good)
    th(p)["samples"]["time"][1] = "@X@"
    f[F + "nan.json"] = raw(p, X="NaN")
    f[F + "infinity.json"] = raw(p, X="Infinity")
    f[F + "bomb.json.gz"] = bomb(good)
    f[F + "nesting-100000.json.gz"] = gz((
        '{"meta":{"interval":1},"threads":%s}' % nested(100000)).encode())
    # Prefix links: a stack its own prefix, a forward prefix that closes a
    # cycle (Gecko rows), a forward prefix without a cycle (fine), a
    # prefixOffset reaching before the first row.
    p = json.loads(good)
    th(p)["stackTable"]["prefix"][2] = 2
    f[F + "prefix-self.json"] = dumps(p).encode()
    f[F + "prefix-forward-cycle-gecko.json"] = dumps(gecko_obj(
        [1, 2, 0, None], [0, 1, 2, 0], ["main", "a", "b"], [0, 3])).encode()
    f[F + "prefix-forward-gecko.json"] = dumps(gecko_obj(
        [None, 2, 0], [0, 2, 1], ["main", "a", "b"], [1, 2, 0])).encode()
    p = processed_obj(STACKS, offsets=True)
    th(p)["stackTable"]["prefixOffset"][3] = 9
    f[F + "prefix-offset-before-start.json"] = dumps(p).encode()
    p = json.loads(good)
    th(p)["funcTable"]["name"][1] = 70
    f[F + "string-index-out-of-range.json"] = dumps(p).encode()
    return f


# ---- the catalogue --------------------------------------------------------------

def committed():
    files = {}
    for part in (cpuprofile_files, trace_files, speedscope_files, sentry_files,
                 firefox_files):
        files.update(part())
    return files


GENERATED = {
    "cpuprofile-deep-1000000": lambda: cpuprofile_deep(1000000),
    "cpuprofile-siblings-1000000": lambda: cpuprofile_siblings(1000000),
    "chrome-trace-siblings-1000000": lambda: trace_siblings(1000000),
    "speedscope-siblings-1000000": lambda: speedscope_siblings(1000000),
    "sentry-siblings-1000000": lambda: sentry_siblings(1000000),
    "firefox-siblings-1000000": lambda: firefox_siblings(1000000),
}


def main(argv):
    return gen.run(argv, committed, lambda name: GENERATED[name]()
                   if name in GENERATED else None, __doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
