#!/usr/bin/env python3
"""gen_api.py - writes docs/API.md from lib/profrender.h, so the reference
never drifts from the header: every declaration with the comment above it,
under the header's own section banners. tests/docs.sh checks that
docs/API.md is what this script writes.

    python3 docs/gen_api.py lib/profrender.h > docs/API.md
    python3 docs/gen_api.py --check lib/profrender.h   # lists what has no comment
"""
import re
import sys

BANNER = "/* " + "-" * 66 + " */"


def comment_text(lines):
    """The text of a /* ... */ block, without the markers and stars."""
    text = "\n".join(lines)
    text = re.sub(r"^\s*/\*+", "", text)
    text = re.sub(r"\*+/\s*$", "", text)
    out = [re.sub(r"^\s*\* ?", "", l) for l in text.split("\n")]
    return "\n".join(out).strip()


def undocumented(src):
    """The public functions and types declared with no comment of their own
    right above them, as (line number, text)."""
    missing, pending, in_decl, depth, i = [], False, False, 0, 0
    while i < len(src):
        s = re.sub(r"/\*.*?\*/", "", src[i]).strip()
        if not in_decl and src[i].strip().startswith("/*"):
            while "*/" not in src[i]:
                i += 1
            pending = True
        elif not src[i].strip():
            pending = False
        elif s.startswith("#") or (not in_decl and (s.startswith("extern") or s == "}")):
            pass
        elif s:
            if not in_decl and (re.match(r"(typedef|enum|struct)\b", s)
                                or re.search(r"\bprf_\w+\s*\(", s)):
                if not pending and "/*" not in src[i]:  # nor at the end
                    missing.append((i + 1, s))
                pending = False
            in_decl = True
            depth += s.count("{") - s.count("}")
            if depth <= 0 and s.endswith(";"):
                in_decl, depth = False, 0
        i += 1
    return missing


def main():
    if sys.argv[1] == "--check":
        src = open(sys.argv[2], encoding="utf-8").read().split("\n")
        missing = undocumented(src)
        for line, text in missing:
            print("%s:%d: no comment above: %s" % (sys.argv[2], line, text))
        sys.exit(1 if missing else 0)
    src = open(sys.argv[1], encoding="utf-8").read().split("\n")
    out = ["# libprofrender API reference", "",
           "Generated from `lib/profrender.h` by `docs/gen_api.py`; the header "
           "is the source of truth. Link with `pkg-config --cflags --libs "
           "profrender`.", ""]
    i, n = 0, len(src)
    # The file comment: the conventions every function follows.
    if src and src[0].startswith("/*"):
        j = 0
        while "*/" not in src[j]:
            j += 1
        out += ["## Conventions", "", comment_text(src[: j + 1]), ""]
        i = j + 1
    pending = []  # the comment above the next declaration
    while i < n:
        line = src[i]
        s = line.strip()
        if s == BANNER.strip() and i + 1 < n:
            out += ["## " + comment_text([src[i + 1]]), ""]
            pending = []
            i += 2
            continue
        if s.startswith("/*"):
            j = i
            while "*/" not in src[j]:
                j += 1
            pending = src[i: j + 1]
            i = j + 1
            continue
        if s.startswith("#define") and "PROFRENDER_H" not in s:
            j, decl = i, [src[i]]  # a public macro, with its continuations
            while src[j].rstrip().endswith("\\") and j + 1 < n:
                j += 1
                decl.append(src[j])
            if pending:
                out += [comment_text(pending), ""]
            if not pending and out[-3:-2] and out[-3].startswith("#define"):
                out[-2:] = decl + ["```", ""]  # consecutive macros: one block
            else:
                out += ["```c"] + decl + ["```", ""]
            pending = []
            i = j + 1
            continue
        if (not s or s.startswith("#") or s.startswith("extern \"C\"")
                or s == "}" or s.startswith("#pragma")):
            if not s:
                pending = []
            i += 1
            continue
        # A declaration: up to the ';' that ends it at brace depth 0.
        j, depth, decl = i, 0, []
        while j < n:
            decl.append(src[j])
            depth += src[j].count("{") - src[j].count("}")
            if depth <= 0 and src[j].rstrip().endswith(";"):
                break
            j += 1
        if pending:
            out += [comment_text(pending), ""]
        out += ["```c"] + decl + ["```", ""]
        pending = []
        i = j + 1
    sys.stdout.write("\n".join(out).rstrip("\n") + "\n")


if __name__ == "__main__":
    main()
