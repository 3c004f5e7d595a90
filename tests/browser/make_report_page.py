#!/usr/bin/env python3
"""Assemble a report page from a DATA JSON file, as docs/report-data.md says.

    make_report_page.py DATA.json OUT.html [--js render/report.js]
                        [--css render/report.css]

A stand-in for `prof-render report` (render/report.c) so the page's script
can be tested before the C writer exists: the skeleton, the CSP meta with the
real base64 SHA-256 of the exact script and style bytes (so the browser
enforces the policy and any inline handler or style attribute shows up as a
violation), and DATA re-serialised with <, >, &, U+2028 and U+2029 escaped.
"""
import argparse
import base64
import hashlib
import html
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def sha(text):
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def escape_data(obj):
    # ensure_ascii=False keeps non-ASCII as is; then the five characters the
    # contract lists are always written as \u escapes so nothing can close
    # the <script> element or break a JS parser that treats U+2028 as a
    # line end.
    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        s = s.replace(ch, esc)
    return s


def page(data, js, css):
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "script-src 'sha256-%s'; style-src 'sha256-%s'; img-src data:\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light dark">\n'
        "<title>%s</title>\n"
        "<style>%s</style>\n"
        "</head>\n"
        "<body>\n"
        "<noscript>This report needs JavaScript.</noscript>\n"
        '<script type="application/json" id="prf-data">%s</script>\n'
        "<script>%s</script>\n"
        "</body>\n"
        "</html>\n"
    ) % (sha(js), sha(css), html.escape(str(data.get("title", "")), quote=True),
         css, escape_data(data), js)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("out")
    ap.add_argument("--js", default=os.path.join(ROOT, "render", "report.js"))
    ap.add_argument("--css", default=os.path.join(ROOT, "render", "report.css"))
    a = ap.parse_args()
    with open(a.data, encoding="utf-8") as f:
        data = json.load(f)
    with open(a.js, encoding="utf-8") as f:
        js = f.read()
    with open(a.css, encoding="utf-8") as f:
        css = f.read()
    if "</script" in js.lower() or "</style" in css.lower():
        sys.exit("script or style contains a closing tag")
    with open(a.out, "w", encoding="utf-8", newline="\n") as f:
        f.write(page(data, js, css))


if __name__ == "__main__":
    main()
