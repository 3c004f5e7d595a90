#!/bin/sh
# prof-render report: the HTML page of docs/report-data.md.
# - The page is exactly the skeleton; its CSP hashes are the SHA-256
#   (base64) of the script and style bodies, as python3 hashlib (and
#   openssl, when there) computes them.
# - DATA is JSON that matches the profile: the tree's totals, the tables
#   equal `prof-render top --nodefraction 0`, timed samples, diff mode
#   equals `prof-render diff --summary json`, pruning.
# - Hostile names appear only escaped; the output is deterministic;
#   errors exit as the other commands do.
. tests/lib.sh
skip_all_without python3 "python3 is needed to read the page"

# py SCRIPT ARGS...: runs python3 with the page helpers; `data(path)` is
# the page's DATA, `page(path)` its text.
cat >"$TMP/rep.py" <<'EOF'
import base64, hashlib, json, re, sys
SKELETON = re.compile(
    r'\A<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
    r'<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
    r"script-src 'sha256-([A-Za-z0-9+/=]{44})'; style-src 'sha256-([A-Za-z0-9+/=]{44})'; "
    r'img-src data:">\n'
    r'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
    r'<meta name="color-scheme" content="light dark">\n'
    r'<title>([^<]*)</title>\n<style>(.*?)</style>\n</head>\n<body>\n'
    r'<noscript>This report needs JavaScript.</noscript>\n'
    r'<script type="application/json" id="prf-data">(.*?)</script>\n'
    r'<script>(.*?)</script>\n</body>\n</html>\n\Z', re.S)
def page(path):
    return open(path, "rb").read().decode("utf-8")
def parts(path):
    m = SKELETON.match(page(path))
    assert m, "not the skeleton"
    return m
def data(path):
    return json.loads(parts(path).group(5))
def b64sha(s):
    return base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode()
def strs(d, ids):
    return [d["strings"][i] for i in ids]
def table(d, name):
    t = d["tables"][name]
    c = d["column"]
    keys = t["name"] if "name" in t else t["file"]
    return {d["strings"][k]: (t["self"][c][i], t["total"][c][i]) for i, k in enumerate(keys)}
def top_tsv(path):
    rows = {}
    for line in open(path):
        f = line.rstrip("\n").split("\t")   # flat cum function file line
        if f[0] != "flat":
            rows[f[2]] = (float(f[0]), float(f[1]))
    return rows
exec(sys.argv[1])
EOF
py() { code=$1; shift; python3 "$TMP/rep.py" "$code" "$@"; }

# ---- the skeleton and the CSP ----
printf 'main;a;b 3\nmain;a;c 2\nmain;d 4\nmain 1\nother;a 5\n' >"$TMP/s.folded"
exit_is "report of a folded file" 0 $PR report --title 'Small <one>' -o "$TMP/s.html" "$TMP/s.folded"
check "the page is exactly the skeleton" py 'parts(sys.argv[2])' "$TMP/s.html"
check "the title is HTML-escaped in <title> and plain in DATA" py '
m = parts(sys.argv[2])
assert m.group(3) == "Small &lt;one&gt;", m.group(3)
assert data(sys.argv[2])["title"] == "Small <one>"' "$TMP/s.html"
check "CSP hashes are python's sha256/base64 of the script and style bodies" py '
m = parts(sys.argv[2])
assert m.group(1) == b64sha(m.group(6)), "script"
assert m.group(2) == b64sha(m.group(4)), "style"
assert m.group(6) == open("render/report.js").read(), "the embedded script is report.js"
assert m.group(4) == open("render/report.css").read(), "the embedded style is report.css"' "$TMP/s.html"
if command -v openssl >/dev/null 2>&1; then
  want=$(openssl dgst -sha256 -binary render/report.js | base64)
  check "  ... and openssl's of render/report.js" grep -qF "script-src 'sha256-$want'" "$TMP/s.html"
fi
check "the page names no other source of script, style or data" py '
h = page(sys.argv[2])
assert h.count("<script") == 2 and h.count("<style") == 1
for bad in ("http://", "https://", " style=", " on", "src="):
    assert bad not in h.split("<script>")[0].split("<body>")[1], bad' "$TMP/s.html"

# ---- DATA matches the profile ----
check "DATA: nodes, totals, self, parent < id, frames and strings" py '
d = data(sys.argv[2])
assert d["v"] == 1 and d["strings"][0] == ""
assert d["columns"] == [{"type": "samples", "unit": "count"}] and d["column"] == 0
n = d["nodes"]
assert len(n["parent"]) == 8, len(n["parent"])   # root main a b c d other a
assert n["parent"][0] == -1 and n["frame"][0] == -1
assert all(0 <= p < i for i, p in enumerate(n["parent"]) if i)
assert n["total"][0][0] == 15 and sum(n["self"][0]) == 15
names = strs(d, d["frames"]["name"])
kids = {}
for i in range(1, len(n["parent"])):
    kids.setdefault(n["parent"][i], []).append(i)
for i, ch in kids.items():
    assert n["total"][0][i] == n["self"][0][i] + sum(n["total"][0][c] for c in ch)
path = lambda i: () if i == 0 else path(n["parent"][i]) + (names[n["frame"][i]],)
t = {path(i): n["total"][0][i] for i in range(len(n["parent"]))}
assert t[("main",)] == 10 and t[("main", "a")] == 5 and t[("other", "a")] == 5
assert d["pruned"] == {"share": 1e-05, "nodes": 0}
assert d["samples"] is None and d["diff"] is None and d["source"] is None
assert d["info"]["format"] == "folded" and d["info"]["samples"] == 15' "$TMP/s.html"
$PR top --nodefraction 0 --format tsv "$TMP/s.folded" >"$TMP/s.top"
check "function table equals top --nodefraction 0 (a counts once per stack)" py '
d = data(sys.argv[2]); top = top_tsv(sys.argv[3])
assert table(d, "function") == top, (table(d, "function"), top)
assert table(d, "function")["a"] == (5, 10)' "$TMP/s.html" "$TMP/s.top"

P=testdata/diff/v2-run1.pb.gz
exit_is "report of a pprof profile" 0 $PR report -o "$TMP/p.html" "$P"
$PR top --nodefraction 0 --format tsv "$P" >"$TMP/p.top"
check "pprof: function table equals top" py '
d = data(sys.argv[2]); top = top_tsv(sys.argv[3])
assert table(d, "function") == top, (table(d, "function"), top)' "$TMP/p.html" "$TMP/p.top"
$PR top --granularity lines --nodefraction 0 --format tsv "$P" >"$TMP/pl.top"
check "pprof: line table equals top --granularity lines" py '
d = data(sys.argv[2]); top = top_tsv(sys.argv[3]); t = d["tables"]["line"]; c = d["column"]
mine = {"%s %s:%d" % (d["strings"][n], d["strings"][f], l): (t["self"][c][i], t["total"][c][i])
        for i, (n, f, l) in enumerate(zip(t["name"], t["file"], t["line"]))}
assert mine == top, set(mine.items()) ^ set(top.items())' "$TMP/p.html" "$TMP/pl.top"
$PR top --granularity files --nodefraction 0 --format tsv "$P" >"$TMP/pf.top"
check "pprof: file table equals top --granularity files" py '
d = data(sys.argv[2]); top = top_tsv(sys.argv[3])
assert table(d, "file") == top, (table(d, "file"), top)' "$TMP/p.html" "$TMP/pf.top"
check "pprof: both columns, the default one, info and metadata" py '
d = data(sys.argv[2])
assert [c["type"] for c in d["columns"]] == ["samples", "cpu"] and d["column"] == 1
i = d["info"]
assert i["format"] == "pprof" and i["samples"] == 2089 and abs(i["duration"] - 30.16) < 0.01, i
assert ["duration_nanos", "30160107589"] in i["meta"]
assert all(len(a) == len(d["nodes"]["parent"]) for a in d["nodes"]["self"] + d["nodes"]["total"])
f = d["frames"]
assert len({len(f[k]) for k in f}) == 1
assert any(l > 0 for l in d["tables"]["line"]["line"])' "$TMP/p.html"

# Timed samples (a .cpuprofile): delta-encoded, in input order.
C=testdata/chrome/speedscope__Chrome__65__simple.cpuprofile
exit_is "report of a .cpuprofile (timed samples)" 0 $PR report -o "$TMP/c.html" "$C"
nsamp=$($PR info "$C" | sed -n 's/^Samples: [0-9]* (\([0-9]*\) with timestamps).*/\1/p')
check "samples: one entry per timed sample, dt from t0, nodes and weights" py '
d = data(sys.argv[2]); s = d["samples"]; n = int(sys.argv[3])
assert len(s["dt"]) == n and len(s["node"]) == n and len(s["thread"]) == n, (len(s["dt"]), n)
assert s["dt"][0] == 0 and all(len(w) == n for w in s["weight"])
N = len(d["nodes"]["parent"])
assert all(0 <= x < N for x in s["node"])
c = d["column"]
assert abs(sum(s["weight"][c]) - d["nodes"]["total"][c][0]) <= 1e-6 * abs(d["nodes"]["total"][c][0])
assert all(-1 <= t < len(d["threads"]) for t in s["thread"])' "$TMP/c.html" "$nsamp"

# ---- hostile names ----
{
  printf '%s\n' 'main;</script><script>alert(1)</script> 3' \
    'main;"><svg onload=alert(2)> 2' \
    "main;'><img src=x onerror=window.__pwned=1> 2" \
    'main;<!--<script> 1' \
    'main;&lt;script&gt;alert(5)&lt;/script&gt; 1' \
    'main;q"uote\ 1'
  printf 'main;\342\200\250sep\342\200\251;bidi\342\200\256 1\n'
  printf 'main;ctl\001\033[31m\177 1\n'
  printf 'main;bad\377\376utf8;\300\257 1\n'
} >"$TMP/hostile.folded"
exit_is "report of hostile names" 0 \
  $PR report --title '</title><script>alert(6)</script>' -o "$TMP/h.html" "$TMP/hostile.folded"
check "hostile names: still exactly the skeleton, two script elements" py '
parts(sys.argv[2])
assert page(sys.argv[2]).count("<script") == 2' "$TMP/h.html"
check "no raw <script, </script, <!-- or U+2028 inside DATA" py '
raw = parts(sys.argv[2]).group(5)
for bad in ("<", ">", "&", "\u2028", "\u2029"):
    assert bad not in raw, repr(bad)' "$TMP/h.html"
sed -n '/id="prf-data"/p' "$TMP/h.html" | sed 's/^<script type="application\/json" id="prf-data">//' >"$TMP/h.data"
check "  ... (grep: no <script nor </script in the data line)" sh -c "! grep -qi '<script\\|</script' '$TMP/h.data'"
check "hostile names read back from DATA as they were (bad UTF-8 as U+FFFD)" py '
d = data(sys.argv[2]); names = set(d["strings"])
for n in ("</script><script>alert(1)</script>", "<!--<script>", "q\"uote\\",
          "\u2028sep\u2029", "ctl\x01\x1b[31m\x7f", "bad\ufffd\ufffdutf8", "\ufffd\ufffd"):
    assert n in names, (n, names)
assert d["title"] == "</title><script>alert(6)</script>"' "$TMP/h.html"
check "  ... and the title is escaped in <title>" grep -qF '<title>&lt;/title&gt;&lt;script&gt;alert(6)&lt;/script&gt;</title>' "$TMP/h.html"

# ---- determinism ----
$PR report -o "$TMP/p2.html" "$P"
same_file "identical bytes on two runs (pprof)" "$TMP/p.html" "$TMP/p2.html"
$PR report --title '</title><script>alert(6)</script>' "$TMP/hostile.folded" >"$TMP/h2.html"
same_file "identical bytes on two runs (hostile; stdout = -o)" "$TMP/h.html" "$TMP/h2.html"

# ---- several inputs merge as render merges them ----
printf 'main;x 2\n' >"$TMP/m2.folded"
$PR report -o "$TMP/m.html" "$TMP/s.folded" "$TMP/m2.folded"
$PR top --nodefraction 0 --format tsv "$TMP/s.folded" "$TMP/m2.folded" >"$TMP/m.top"
check "several INPUTs are merged into one profile" py '
d = data(sys.argv[2])
assert d["nodes"]["total"][0][0] == 17 and table(d, "function") == top_tsv(sys.argv[3])
assert len(d["info"]["files"]) == 2' "$TMP/m.html" "$TMP/m.top"

# ---- source links ----
exit_is "--source-url https and --rev" 0 $PR report --source-url 'https://github.com/o/r/blob/{rev}/{path}#L{line}' \
  --rev abc123 -o "$TMP/src.html" "$P"
check "  ... source has the template and the revision" py '
d = data(sys.argv[2])
assert d["source"] == {"url": "https://github.com/o/r/blob/{rev}/{path}#L{line}", "rev": "abc123"}' "$TMP/src.html"
printf '# release: 1.2.3\nmain;a 1\n' >"$TMP/rel.folded"
if $PR info "$TMP/rel.folded" 2>/dev/null | grep -q 'release: 1.2.3'; then
  $PR report --source-url 'http://x/{rev}/{path}' -o "$TMP/rel.html" "$TMP/rel.folded"
  check "  ... --rev defaults to the release metadata" py '
assert data(sys.argv[2])["source"]["rev"] == "1.2.3"' "$TMP/rel.html"
fi
for u in 'javascript:alert(1)' 'file:///etc/passwd' 'data:text/html,x' '//evil/{path}' 'ftp://x/{path}'; do
  exit_is "--source-url '$u' is refused: exit 2" 2 $PR report --source-url "$u" -o "$TMP/bad.html" "$P"
  check "  ... with a clear message, and no file" sh -c "grep -q 'http:// or https://' '$TMP/exit.err' && [ ! -e '$TMP/bad.html' ]"
done

# ---- errors ----
exit_is "missing input: exit 66" 66 $PR report -o "$TMP/e.html" "$TMP/nope.folded"
printf 'not a profile at all\n' >"$TMP/bad.pb"
exit_is "bad input: exit 65" 65 $PR report --input-format pprof -o "$TMP/e.html" "$TMP/bad.pb"
check "  ... and no file left" test ! -e "$TMP/e.html"
mkdir "$TMP/ro" && chmod 555 "$TMP/ro"
if [ "$(id -u)" != 0 ]; then
  exit_is "unwritable -o: exit 74" 74 $PR report -o "$TMP/ro/x.html" "$P"
fi
exit_is "-o in a missing directory: exit 74" 74 $PR report -o "$TMP/nodir/x.html" "$P"
check "  ... no file, no temporary left" sh -c "[ ! -e '$TMP/nodir' ] && ! ls '$TMP'/ro/* >/dev/null 2>&1"
exit_is "--prune out of range: exit 2" 2 $PR report --prune 1.5 "$P"
exit_is "--sample-type that does not exist: exit 2" 2 $PR report --sample-type nope "$P"
exit_is "--sample-type cpu works" 0 $PR report --sample-type samples -o "$TMP/st.html" "$P"
check "  ... and becomes the default column" py 'assert data(sys.argv[2])["column"] == 0' "$TMP/st.html"

# ---- diff mode ----
D=testdata/diff
exit_is "diff mode: --base v1 v2" 0 $PR report --base "$D/v1-run1.pb.gz" -o "$TMP/d.html" "$D/v2-run1.pb.gz"
$PR diff --summary json "$D/v1-run1.pb.gz" "$D/v2-run1.pb.gz" >"$TMP/d.json"
check "diff: the verdict and rows equal diff --summary json" py '
d = data(sys.argv[2]); j = json.load(open(sys.argv[3])); x = d["diff"]
assert x["verdict"] == j["verdict"] == "regression" and x["metric"] == j["metric"]
assert x["test"] == "z" and x["alpha"] == j["alpha"] and x["alpha_each"] == j["alpha_per_function"]
assert x["min_change"] == j["min_change_pp"] and x["threshold"] == j["threshold"]
assert x["base_samples"] == j["totals"]["base_samples"] and x["new_samples"] == j["totals"]["new_samples"]
assert len(x["rows"]) == j["totals"]["functions"]
for kind, v in (("regressions", 1), ("improvements", -1)):
    mine = [r for r in x["rows"] if r["verdict"] == v]
    assert [r["function"] for r in mine] == [r["function"] for r in j[kind]], kind
    for a, b in zip(mine, j[kind]):
        assert a["delta_pp"] == b["delta_pp"] and a["p_value"] == b["p_value"] and a["relative"] == b["relative"]
assert [r["function"] for r in x["rows"] if r["verdict"] == 1] == ["main.checksum"]' "$TMP/d.html" "$TMP/d.json"
$PR diff -o "$TMP/d.folded" "$D/v1-run1.pb.gz" "$D/v2-run1.pb.gz" >/dev/null
check "diff: before/after columns, the differential tree, base_factor and colour" py '
d = data(sys.argv[2]); x = d["diff"]
assert d["columns"] == [{"type": "before"}, {"type": "after"}] and d["column"] == 1
b = a = 0
for line in open(sys.argv[3]):
    f = line.split(); b += float(f[-2]); a += float(f[-1])
t = d["nodes"]["total"]
assert abs(t[0][0] - b) < 1e-6 * b and abs(t[1][0] - a) < 1e-6 * a, (t[0][0], b, t[1][0], a)
assert x["colour"] == "share" and 0.9 < x["base_factor"] < 1.1
assert len(d["info"]["files"]) == 2' "$TMP/d.html" "$TMP/d.folded"
exit_is "diff mode: --absolute, several runs a side, --metric total" 0 $PR report --absolute --metric total \
  --base "$D/v1-run1.pb.gz" --base "$D/v1-run2.pb.gz" -o "$TMP/d2.html" "$D/v2-run1.pb.gz" "$D/v2-run2.pb.gz"
check "  ... Welch's test, absolute colours, the total metric" py '
x = data(sys.argv[2])["diff"]
assert x["test"] == "welch" and x["colour"] == "absolute" and x["metric"] == "total"
assert x["base_runs"] == 2 and x["new_runs"] == 2 and x["base_factor"] == 1' "$TMP/d2.html"
exit_is "diff mode: a bad --p-value exits 2" 2 $PR report --p-value 2 --base "$D/v1-run1.pb.gz" "$D/v2-run1.pb.gz"
$PR report --base "$TMP/hostile.folded" -o "$TMP/dh.html" "$TMP/hostile.folded"
check "diff mode with hostile names: the skeleton, escaped" py '
raw = parts(sys.argv[2]).group(5)
assert "<" not in raw and ">" not in raw
assert "</script><script>alert(1)</script>" in [r["function"] for r in data(sys.argv[2])["diff"]["rows"]]' "$TMP/dh.html"

# ---- pruning on a big-ish profile ----
if [ ! -x bench/gen_folded ] || [ bench/gen_folded.c -nt bench/gen_folded ]; then
  ${CC:-cc} -std=c11 -O2 -o "$TMP/gen_folded" bench/gen_folded.c -lm
  GEN=$TMP/gen_folded
else
  GEN=bench/gen_folded
fi
"$GEN" --stacks 20000 >"$TMP/big.folded" 2>/dev/null
$PR report -o "$TMP/big.html" "$TMP/big.folded"
$PR -o "$TMP/big.svg" "$TMP/big.folded"
check "20,000 stacks: the report is smaller than the SVG" sh -c \
  "[ \$(wc -c <'$TMP/big.html') -lt \$(wc -c <'$TMP/big.svg') ]"
$PR report --prune 0 -o "$TMP/big0.html" "$TMP/big.folded"
check "pruning: nodes dropped are counted, kept + dropped = all, totals kept" py '
d = data(sys.argv[2]); d0 = data(sys.argv[3])
n, n0 = len(d["nodes"]["parent"]), len(d0["nodes"]["parent"])
assert d["pruned"]["nodes"] > 0 and n + d["pruned"]["nodes"] == n0, (n, d["pruned"], n0)
assert d0["pruned"] == {"share": 0, "nodes": 0}
T = d["nodes"]["total"][0]; root = T[0]
assert all(abs(t) >= 1e-5 * root for t in T)
def lines(d):
    t = d["tables"]["line"]; S = d["strings"]
    return sorted(zip(strs(d, t["name"]), strs(d, t["file"]), t["line"], t["self"][0], t["total"][0]))
assert table(d, "function") == table(d0, "function") and table(d, "file") == table(d0, "file")
assert lines(d) == lines(d0), "tables are exact whatever the pruning"
assert sum(d["nodes"]["self"][0]) <= root' "$TMP/big.html" "$TMP/big0.html"
$PR report --prune 0.01 -o "$TMP/big1.html" "$TMP/big.folded"
check "--prune 0.01 keeps fewer nodes, none below 1%" py '
d = data(sys.argv[2]); T = d["nodes"]["total"][0]
assert d["pruned"]["share"] == 0.01 and all(t >= 0.01 * T[0] for t in T) and len(T) < 2000' "$TMP/big1.html"

done_testing
