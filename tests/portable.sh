#!/bin/sh
# The folded reader finds ';', '[' and ']' 16 bytes at a time with SSE2
# where the compiler has it, byte by byte elsewhere (formats/folded.c,
# special_mask). Here formats/folded.c is compiled again with
# -DPRF_PORTABLE, linked in place of the library's copy, and that
# prof-render must collapse every folded test file, and lines made to put
# brackets and ';' at every offset of a 16-byte block, exactly as the
# SSE2 one does.
. tests/lib.sh
CC=${CC:-cc}
# The library of the ASan build is instrumented; this test links the
# plain one.
case $BUILD in build-asan) echo "ok 1 - portable # SKIP needs the plain build"; echo "1..1"; exit 0 ;; esac
if $CC -std=c11 -O2 -DPRF_PORTABLE -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L \
     -Ilib -Ibuild -fvisibility=hidden $(pkg-config --cflags libcjson zlib libdeflate) \
     -c -o "$TMP/folded.o" formats/folded.c 2>"$TMP/cc.err" &&
   $CC -o "$TMP/pr-portable" build/cli/*.o "$TMP/folded.o" libprofrender.a \
     $(pkg-config --libs libcjson zlib libdeflate) -lm -ldl -pthread 2>>"$TMP/cc.err"; then
  ok "prof-render links with the byte-by-byte scanner"
else
  not_ok "prof-render links with the byte-by-byte scanner" "$(head -n 20 "$TMP/cc.err")"
  done_testing
  exit 1
fi
# Lines of frames 1 to 40 bytes long, so that brackets and ';' fall at
# every offset of a block and in a line's tail: plain names, brackets
# holding ';' ("[T; 4]"), nested and stray ']' ones, and one line in ten
# with a '[' never closed (then every ';' splits).
python3 - "$TMP/brackets.folded" <<'PY'
import random, sys
random.seed(7)
def word(n):
    return "".join(random.choice("abcxyz_:<>") for _ in range(n))
def frame():
    k = random.random()
    if k < 0.5:
        return word(random.randint(1, 40))
    if k < 0.7:
        return word(random.randint(0, 12)) + "[T; " + str(random.randint(1, 99)) + "]" + word(random.randint(0, 12))
    if k < 0.8:
        return word(random.randint(0, 6)) + "[[a;b];" + word(random.randint(0, 20)) + "]"
    if k < 0.9:
        return "]" + word(random.randint(0, 20)) + "]["  + word(random.randint(0, 5)) + "]"
    return "[" + word(random.randint(0, 30)) + "]"
with open(sys.argv[1], "w") as out:
    for i in range(3000):
        frames = [frame() for _ in range(random.randint(1, 12))]
        if i % 10 == 3:
            frames.insert(random.randrange(len(frames) + 1), "open[" + word(random.randint(0, 9)))
        out.write(";".join(frames) + " " + str(random.randint(1, 9)) + "\n")
PY

# The split rule, independently: a ';' outside brackets splits; with a
# '[' left open, every ';' does.
frames_of() {
  python3 - "$1" "$2" <<'PY'
import collections, json, sys
def split(s):
    nest, out, cur = 0, [], ""
    for c in s:
        if c == "[":
            nest += 1
        elif c == "]" and nest > 0:
            nest -= 1
        if c == ";" and nest == 0:
            out.append(cur); cur = ""
        else:
            cur += c
    out.append(cur)
    return out if nest == 0 else s.split(";")
want = collections.Counter()
for line in open(sys.argv[1]):
    stack, count = line.rstrip("\n").rsplit(" ", 1)
    want[tuple(split(stack))] += int(count)
doc = json.load(open(sys.argv[2]))
names = [f["name"] for f in doc["shared"]["frames"]]
prof = doc["profiles"][0]
got = collections.Counter()
for sample, weight in zip(prof["samples"], prof["weights"]):
    got[tuple(names[i] for i in sample)] += weight
if got != want:
    bad = sorted(set(got.items()) ^ set(want.items()))[:3]
    print("differs:", bad)
    sys.exit(1)
PY
}
$PR convert --to speedscope -o "$TMP/brackets.json" "$TMP/brackets.folded"
if frames_of "$TMP/brackets.folded" "$TMP/brackets.json" > "$TMP/oracle.out" 2>&1; then
  ok "the bracket lines split as the rule says (checked in Python)"
else
  not_ok "the bracket lines split as the rule says (checked in Python)" "$(head -c 1500 "$TMP/oracle.out")"
fi

for f in "$TMP/brackets.folded" testdata/folded/*.txt testdata/FlameGraph/results/*collapsed*.txt; do
  [ -f "$f" ] || continue
  name=$(basename "$f")
  # speedscope's JSON lists every frame: it shows where lines were split
  # (folded output would join them with ';' again).
  $PR convert --to speedscope -o "$TMP/want.json" "$f" > "$TMP/want.err" 2>&1
  "$TMP/pr-portable" convert --to speedscope -o "$TMP/got.json" "$f" > "$TMP/got.err" 2>&1
  cat "$TMP/want.err" >> "$TMP/want.json" 2>/dev/null
  cat "$TMP/got.err" >> "$TMP/got.json" 2>/dev/null
  same_file "byte-by-byte scanner: $name reads into the same frames" "$TMP/want.json" "$TMP/got.json"
done
done_testing
