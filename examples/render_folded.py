#!/usr/bin/env python3
"""render_folded.py - libprofrender from Python through ctypes, no binding
to build: read a folded-stacks file, write its flame graph as SVG.

    python3 render_folded.py stacks.folded flame.svg

The shared library is found by ctypes.util.find_library("profrender")
(an installed libprofrender.so.0), or at the path in $PRF_LIBRARY.
"""
import ctypes
import ctypes.util
import os
import sys


class Error(ctypes.Structure):
    """prf_error, as lib/profrender.h declares it."""
    _fields_ = [
        ("code", ctypes.c_int),
        ("source", ctypes.c_char * 256),
        ("line", ctypes.c_uint64),
        ("offset", ctypes.c_uint64),
        ("has_offset", ctypes.c_int),
        ("message", ctypes.c_char * 512),
    ]


# int (*prf_write_fn)(void *ctx, const void *data, size_t size)
WRITE_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p,
                            ctypes.c_size_t)


def load_library():
    path = os.environ.get("PRF_LIBRARY") or ctypes.util.find_library("profrender")
    if not path:
        sys.exit("render_folded: libprofrender not found (set PRF_LIBRARY)")
    lib = ctypes.CDLL(path)
    lib.prf_version.restype = ctypes.c_char_p
    lib.prf_profile_new.restype = ctypes.c_void_p
    lib.prf_profile_free.argtypes = [ctypes.c_void_p]
    lib.prf_profile_read_file.argtypes = [ctypes.c_void_p, ctypes.c_char_p,
                                          ctypes.c_void_p, ctypes.POINTER(Error)]
    lib.prf_svg_write.argtypes = [ctypes.c_void_p, ctypes.c_void_p, WRITE_FN,
                                  ctypes.c_void_p, ctypes.POINTER(Error)]
    return lib


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: render_folded.py STACKS.folded OUT.svg")
    lib = load_library()
    profile = lib.prf_profile_new()
    err = Error()
    try:
        if lib.prf_profile_read_file(profile, sys.argv[1].encode(), None,
                                     ctypes.byref(err)) != 0:
            sys.exit("render_folded: %s: %s" % (err.source.decode(errors="replace"),
                                                err.message.decode(errors="replace")))
        chunks = []

        def collect(ctx, data, size):
            chunks.append(ctypes.string_at(data, size))
            return 0

        callback = WRITE_FN(collect)  # kept alive for the call
        # NULL options: the defaults of prf_flame_options_init.
        if lib.prf_svg_write(profile, None, callback, None, ctypes.byref(err)) != 0:
            sys.exit("render_folded: %s" % err.message.decode(errors="replace"))
    finally:
        lib.prf_profile_free(profile)
    with open(sys.argv[2], "wb") as out:
        out.write(b"".join(chunks))
    print("libprofrender %s wrote %s" % (lib.prf_version().decode(), sys.argv[2]))


if __name__ == "__main__":
    main()
