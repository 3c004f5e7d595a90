#!/usr/bin/env python3
"""Makes the hostile inputs of the bad-input catalogue (testdata/bad/).

    gen.py write DIR          writes the small committed files of the
                              folded, perf and pprof readers under DIR
    gen.py NAME OUT           writes one large input that is made at test
                              time (the 'gen:NAME' rows of cases.tsv)

Everything is deterministic: the same bytes on every machine.
"""
import functools
import gzip
import os
import random
import struct
import sys


# ---- folded ----------------------------------------------------------------

def folded(stacks):
    return "".join(";".join(s) + " %s\n" % w for s, w in stacks).encode()


GOOD_FOLDED = folded([(["main", "parse", "read"], 3), (["main", "render"], 2)])


# ---- perf script -------------------------------------------------------------

def perf(samples):
    out = []
    for i, (stack, period) in enumerate(samples):
        out.append("app %d [000] %d.%06d: %s cpu-clock:\n" % (
            100, 1000 + i, i, period))
        for depth, fn in enumerate(reversed(stack)):
            out.append("\t%16x %s (/usr/bin/app)\n" % (0x1000 + depth % 97, fn))
        out.append("\n")
    return "".join(out).encode("utf-8", "surrogateescape")


GOOD_PERF = perf([(["main", "parse", "read"], 1000), (["main", "render"], 1000)])


# ---- pprof (a minimal protobuf encoder) ---------------------------------------

@functools.lru_cache(maxsize=1 << 16)
def varint(v):
    """Small values recur (keys, lengths, ids): their bytes are cached."""
    v &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(num, wire, payload):
    key = varint(num << 3 | wire)
    if wire == 0:
        return key + varint(payload)
    return key + varint(len(payload)) + payload


def msg(*fields):
    return b"".join(fields)


def pprof(stacks, strings_extra=(), values_per_sample=1):
    """stacks: list of (frames root-first, value). One function and one
    location per distinct frame name."""
    strings = ["", "samples", "count"] + list(strings_extra)
    sidx = {s: i for i, s in enumerate(strings)}
    funcs = {}
    body = [field(1, 2, msg(field(1, 0, 1), field(2, 0, 2)))]
    samples = []
    for frames, value in stacks:
        locs = []
        for name in reversed(frames):  # pprof stacks are leaf first
            if name not in funcs:
                funcs[name] = len(funcs) + 1
                if name not in sidx:
                    sidx[name] = len(strings)
                    strings.append(name)
            locs.append(funcs[name])
        vals = b"".join(varint(value) for _ in range(values_per_sample))
        samples.append(field(2, 2, msg(
            field(1, 2, b"".join(varint(l) for l in locs)), field(2, 2, vals))))
    body += samples
    for name, fid in funcs.items():
        body.append(field(4, 2, msg(field(1, 0, fid), field(4, 2, msg(
            field(1, 0, fid), field(2, 0, 1))))))
        body.append(field(5, 2, msg(field(1, 0, fid), field(2, 0, sidx[name]))))
    for s in strings:
        body.append(field(6, 2, s.encode("utf-8", "surrogateescape")))
    return b"".join(body)


GOOD_PPROF = pprof([(["main", "parse", "read"], 3), (["main", "render"], 2)])


# ---- shared recipes ------------------------------------------------------------

def garbage(n=4096, seed=1):
    rnd = random.Random(seed)
    return bytes(rnd.randrange(256) for _ in range(n))


def bomb(payload, pad_byte=b"\n", size=8 << 20):
    """gzip of payload followed by size bytes of padding: a few tens of KB
    that decode to more than the limit the test sets."""
    return gzip.compress(payload + pad_byte * size, 9, mtime=0)


def deep_names(n):
    return ["f%d" % (i % 97) for i in range(n)]


def committed():
    """name -> bytes for folded, perf and pprof."""
    files = {}
    F, P, B = "folded/", "perf/", "pprof/"
    # folded
    files[F + "empty.folded"] = b""
    files[F + "truncated.folded"] = GOOD_FOLDED[:-9]
    files[F + "garbage.bin"] = garbage()
    files[F + "nul-bytes.folded"] = b"main;pa\0rse 3\nmain;\0\0 2\n"
    files[F + "invalid-utf8.folded"] = b"main;pars\xff\xfe 3\nmain;\xc3\x28 2\n"
    files[F + "deep-1000000.folded.gz"] = gzip.compress(
        folded([(deep_names(1000000), 1)]), 9, mtime=0)
    files[F + "name-1mb.folded.gz"] = gzip.compress(
        folded([(["main", "x" * (1 << 20)], 5)]), 9, mtime=0)
    files[F + "count-overflow.folded"] = folded(
        [(["main", "a"], "18446744073709551616"), (["main", "b"], "1e400")])
    files[F + "count-negative-nan-inf.folded"] = folded(
        [(["main", "a"], "-5"), (["main", "b"], "nan"), (["main", "c"], "inf")])
    files[F + "bomb.folded.gz"] = bomb(GOOD_FOLDED)
    files[F + "no-count.folded"] = b"main;parse\nmain;render\n"
    files[F + "control-chars.folded"] = (
        b"main;\x1b[31mred\x07 3\nmain;tab\there 1\nmain;\x7f\x01 2\n")
    files[F + "hostile-names.folded"] = (
        b"main;</script><script>alert(1)</script> 3\n"
        b"main;\"><svg onload=alert(1)> 2\nmain;]]> 1\n"
        b"main;javascript:alert(1) 1\nmain;\xe2\x80\xaeevil\xe2\x80\xac 1\n")
    # perf script
    files[P + "empty.perf"] = b""
    files[P + "truncated.perf"] = GOOD_PERF[: len(GOOD_PERF) // 2]
    files[P + "garbage.bin"] = garbage(seed=2)
    files[P + "nul-bytes.perf"] = GOOD_PERF.replace(b"parse", b"pa\0se")
    files[P + "invalid-utf8.perf"] = GOOD_PERF.replace(b"parse", b"pa\xff\xfese")
    files[P + "deep-1000000.perf.gz"] = gzip.compress(
        perf([(deep_names(1000000), 1000)]), 9, mtime=0)
    files[P + "name-1mb.perf.gz"] = gzip.compress(
        perf([(["main", "x" * (1 << 20)], 1000)]), 9, mtime=0)
    files[P + "period-overflow.perf"] = perf(
        [(["main", "a"], "18446744073709551616"), (["main", "b"], "99999999999999999999999")])
    files[P + "period-negative-nan.perf"] = perf(
        [(["main", "a"], "-5"), (["main", "b"], "nan"), (["main", "c"], "inf")])
    files[P + "bomb.perf.gz"] = bomb(GOOD_PERF)
    files[P + "header-only.perf"] = b"app 100 [000] 1000.000000: 1000 cpu-clock:\n"
    files[P + "frame-without-header.perf"] = b"\t1000 main (/usr/bin/app)\n\n"
    # pprof
    files[B + "empty.pb"] = b""
    files[B + "truncated.pb.gz"] = gzip.compress(GOOD_PPROF, 9, mtime=0)[:-12]
    files[B + "truncated.pb"] = GOOD_PPROF[:-7]
    files[B + "garbage.bin"] = garbage(seed=3)
    files[B + "nul-bytes-in-name.pb"] = pprof([(["main", "pa\0se"], 3)])
    files[B + "invalid-utf8.pb"] = pprof([(["main", "pa\udcff\udcfese"], 3)])
    files[B + "deep-1000000.pb.gz"] = gzip.compress(
        pprof([(deep_names(1000000), 1)]), 9, mtime=0)
    files[B + "name-1mb.pb.gz"] = gzip.compress(
        pprof([(["main", "x" * (1 << 20)], 5)]), 9, mtime=0)
    files[B + "varint-11-bytes.pb"] = (
        field(1, 2, msg(field(1, 0, 1), field(2, 0, 2))) + b"\x60" + b"\xff" * 10 + b"\x01")
    files[B + "value-negative.pb"] = pprof([(["main", "a"], -5), (["main", "b"], 7)])
    files[B + "bomb.pb.gz"] = gzip.compress(GOOD_PPROF + b"\x00" * (8 << 20), 9, mtime=0)
    files[B + "length-beyond-end.pb"] = GOOD_PPROF + b"\x32" + varint(1000000) + b"abc"
    files[B + "string-index-out-of-range.pb"] = GOOD_PPROF + field(
        5, 2, msg(field(1, 0, 99), field(2, 0, 1000)))
    files[B + "location-id-0.pb"] = GOOD_PPROF + field(2, 2, msg(
        field(1, 2, varint(0)), field(2, 2, varint(1))))
    files[B + "wrong-value-count.pb"] = GOOD_PPROF + field(2, 2, msg(
        field(1, 2, varint(1)), field(2, 2, varint(1) + varint(2))))
    files[B + "two-profiles.pb.gz"] = (gzip.compress(GOOD_PPROF, 9, mtime=0) * 2)
    return files


# ---- inputs made at test time (too large to commit) ---------------------------

def siblings_folded(n):
    return "".join("main;f%d 1\n" % i for i in range(n)).encode()


def siblings_perf(n):
    return perf([(["main", "f%d" % i], 1000) for i in range(n)])


GENERATED = {
    "folded-siblings": siblings_folded,
    "perf-siblings": siblings_perf,
    "pprof-siblings": lambda n: pprof([(["main", "f%d" % i], 1) for i in range(n)]),
}


def generated(name):
    """'folded-siblings-10000000' -> the bytes of that input, or None."""
    kind, _, count = name.rpartition("-")
    if kind in GENERATED and count.isdigit():
        return GENERATED[kind](int(count))
    return None


def run(argv, committed_files, generate, doc):
    """The command line shared by gen.py and gen_json.py: `write DIR`
    writes committed_files() under DIR; `NAME OUT` writes generate(NAME)."""
    if len(argv) == 3 and argv[1] == "write":
        for name, data in sorted(committed_files().items()):
            path = os.path.join(argv[2], name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
        return 0
    data = generate(argv[1]) if len(argv) == 3 else None
    if data is not None:
        with open(argv[2], "wb") as f:
            f.write(data)
        return 0
    sys.stderr.write(doc)
    return 2


def main(argv):
    return run(argv, committed, generated, __doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
