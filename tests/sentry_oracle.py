#!/usr/bin/env python3
"""Oracle for prof-render's Sentry reader: folded stacks straight from the JSON.

Written for this project (no expected outputs exist for Sentry profiles);
it shares no code with prof-render and follows the documented semantics:

- v1 ("version": "1") and v2 ("version": "2"): profile.samples refer to
  profile.stacks (frame indexes, leaf first) and profile.frames; v1 times are
  elapsed_since_start_ns, v2 times Unix seconds (timestamp); thread ids and
  times may be strings. Legacy iOS profiles hold a JSON string in "profile"
  whose samples carry their frames (leaf first) and relative_timestamp_ns;
  a bogus root address 0xffffffffc is dropped with the frame above it.
- Per thread, samples sorted by time: a sample lasts until the next sample
  of its thread; the last one only marks the end. Zero-length samples add
  nothing. --weight samples counts every sample instead.
- Empty stacks are idle: dropped, or "(idle)" with --include-idle.
- Each stack starts with the thread's name (thread_metadata name; legacy:
  the label of the dispatch queue of the thread's first sample, the main
  queue only for the main thread), or "thread ID"; not with --thread or
  --no-thread-root.
- A frame is named by function (else name, else symbol); without one
  "[module]" (module, else the package's file name without .dylib, .so, .a,
  .dll, .exe), else its instruction_addr, else "<unknown>". A symbolicated
  frame (status, or data.symbolicator_status) without sym_addr was inlined:
  suffix "_[i]".

Prints the stacks as `prof-render collapse` does: merged, sorted bytewise.
"""
import argparse
import gzip
import json
import math
import re
import sys


def package_name(pkg):
    sep = "\\" if re.match(r"(?i)^([a-z]:\\|\\\\)", pkg) else "/"
    pieces = pkg.split(sep)
    name = pieces[-1]
    if name == "" and len(pieces) >= 2:
        name = pieces[-2]
    if name == "":
        name = pkg
    return re.sub(r"\.(dylib|so|a|dll|exe)$", "", name)


def frame_label(f):
    fn = f.get("function") or f.get("name") or f.get("symbol")
    if not fn:
        module = f.get("module") or (package_name(f["package"]) if f.get("package") else "")
        fn = "[%s]" % module if module else (f.get("instruction_addr") or "<unknown>")
    status = f.get("status") or (f.get("data") or {}).get("symbolicator_status")
    if status == "symbolicated" and not f.get("sym_addr"):
        fn += "_[i]"
    return fn.replace("\n", " ").replace("\r", " ")


def is_main_frame(f):
    return f.get("status") == "symbolicated" and f.get("function") in ("main", "UIApplicationMain")


def samples_of(doc):
    """(time_ns, thread_id, leaf-first frame dicts, queue) per sample, and
    the profile object."""
    prof = doc["profile"]
    out = []
    if isinstance(prof, str):
        prof = json.loads(prof)
        for s in prof["samples"]:
            frames = list(s["frames"])
            if len(frames) > 2 and frames[-1].get("instruction_addr") == "0xffffffffc":
                frames = frames[:-2]
            out.append((int(s["relative_timestamp_ns"]), int(s["thread_id"]), frames,
                        s.get("queue_address"), any(is_main_frame(f) for f in s["frames"])))
        return out, prof, True
    v2 = doc.get("version") == "2"
    for s in prof["samples"]:
        if v2:
            t = int(math.floor(float(s["timestamp"]) * 1e9 + 0.5))
        else:
            t = int(s["elapsed_since_start_ns"])
        frames = [prof["frames"][i] for i in prof["stacks"][s["stack_id"]]]
        out.append((t, int(s["thread_id"]), frames, None, False))
    return out, prof, False


def thread_names(samples, prof, legacy):
    names = {}
    meta = prof.get("thread_metadata") or {}
    for key, m in meta.items():
        if m and m.get("name"):
            names[int(key)] = m["name"]
    if not legacy:
        return names
    ordered = sorted(samples, key=lambda s: s[0])
    main = None
    for key, m in meta.items():
        if m and m.get("is_main_thread") is True:
            main = int(key)
    if main is None:
        for s in ordered:
            if s[4]:
                main = s[1]
                break
    queues = prof.get("queue_metadata") or {}
    first = {}
    for s in ordered:
        first.setdefault(s[1], s)
    for tid, s in first.items():
        if tid in names or s[3] not in queues:
            continue
        label = queues[s[3]].get("label")
        if label and (label != "com.apple.main-thread" or tid == main):
            names[tid] = label
    return names


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--weight", choices=["time", "samples"], default="time")
    ap.add_argument("--include-idle", action="store_true")
    ap.add_argument("--thread")
    ap.add_argument("--no-thread-root", action="store_true")
    a = ap.parse_args()
    with open(a.file, "rb") as fp:
        data = fp.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    doc = json.loads(data.decode("utf-8"))
    samples, prof, legacy = samples_of(doc)
    names = thread_names(samples, prof, legacy)
    by_thread = {}
    for s in samples:
        by_thread.setdefault(s[1], []).append(s)
    totals = {}
    for tid, ss in by_thread.items():
        name = names.get(tid, "")
        if a.thread is not None and a.thread != name and a.thread != str(tid):
            continue
        root = [] if a.thread is not None or a.no_thread_root else [name or "thread %d" % tid]
        ss.sort(key=lambda s: s[0])
        for i, s in enumerate(ss):
            if a.weight == "samples":
                w = 1
            elif i + 1 < len(ss):
                w = ss[i + 1][0] - s[0]
            else:
                continue
            if w == 0:
                continue
            if s[2]:
                stack = root + [frame_label(f) for f in reversed(s[2])]
            elif a.include_idle:
                stack = root + ["(idle)"]
            else:
                continue
            key = ";".join(stack)
            totals[key] = totals.get(key, 0) + w
    out = sys.stdout.buffer
    for key in sorted(totals, key=lambda k: k.encode("utf-8")):
        out.write(("%s %d\n" % (key, totals[key])).encode("utf-8"))


if __name__ == "__main__":
    main()
