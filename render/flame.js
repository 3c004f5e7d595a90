/*
 * flame.js - interactivity for prof-render's SVG flame graphs: hover details,
 * click to zoom, regex search, and zoom/search state kept in the page URL.
 * The variables nametype, fontsize, fontwidth, xpad, inverted, searchcolor,
 * total_samples, countname, factor, truncate_text_right, frameheight and
 * imagewidth come from the script element written before this one.
 *
 * Every frame's geometry is computed from the fg:x / fg:w sample extents,
 * which are parsed once into arrays, so zooming a 50,000-frame graph never
 * reads layout back from the DOM.
 */
"use strict";

var fgN = 0;                    // number of frames
var fgG = [], fgRect = [], fgText = [], fgTitle = [], fgName = [];
var fgX = [], fgW = [], fgDepth = [], fgYAttr = [], fgXAttr = [];
var fgFill = [], fgOrig = [];   // original fill; original x/width/label
var fgState = [];               // 0 normal, 1 hidden, 2 dimmed ancestor
var fgMoved = [];               // geometry differs from what the file had
var fgLit = [];                 // fill currently set to searchcolor
var fgEps = 1e-9;               // tolerance for summed fractional samples
var fgZoomed = -1;              // index of the zoomed frame, -1 when none
var fgTerm = null;              // current search regex source, null if none
var fgIgnoreCase = false;
var fgEl = {};                  // details, unzoom, search, ignorecase, matched

// classList exists on SVG elements in current browsers; the fallback keeps
// older engines (and odd embedders) working.
function fgClass(el, cls, on) {
  if (!el) return;
  if (el.classList) {
    if (on) el.classList.add(cls); else el.classList.remove(cls);
    return;
  }
  var list = (el.getAttribute("class") || "").split(/\s+/).filter(function (c) {
    return c && c !== cls;
  });
  if (on) list.push(cls);
  el.setAttribute("class", list.join(" "));
}

function fgSetText(el, s) {
  if (el) el.textContent = s;
}

// "foo (bar) (12 samples, 1.00%)" -> "foo (bar)": drop the balanced group
// that closes the title, so names containing parentheses survive.
function fgStripTitle(t) {
  t = t.replace(/\s+$/, "");
  if (t.charAt(t.length - 1) !== ")") return t;
  var depth = 0;
  for (var i = t.length - 1; i >= 0; i--) {
    var c = t.charAt(i);
    if (c === ")") depth++;
    else if (c === "(" && --depth === 0) return t.substring(0, i).replace(/\s+$/, "");
  }
  return t;
}

// fg:x is read by qualified name; getAttributeNS covers DOMs that only match
// namespaced lookups. Missing extents fall back to the pixel geometry.
function fgAttr(rect, local) {
  var v = rect.getAttribute("fg:" + local);
  if (v === null && rect.getAttributeNS)
    v = rect.getAttributeNS("http://github.com/jonhoo/inferno", local);
  return v;
}

function fgSpan() {
  return imagewidth - 2 * xpad;
}

function fgLabel(name, width) {
  var fit = Math.floor((width - 3) / (fontsize * fontwidth));
  if (!(fit >= 3)) return "";
  if (name.length <= fit) return name;
  return name.substring(0, fit - 2) + "..";
}

function fgFirst(g, tag) {
  var list = g.getElementsByTagName(tag);
  return list.length ? list[0] : null;
}

function init(evt) {
  var ids = ["details", "unzoom", "search", "ignorecase", "matched"];
  for (var k = 0; k < ids.length; k++) fgEl[ids[k]] = document.getElementById(ids[k]);
  fgEps = Math.max(1, Math.abs(total_samples)) * 1e-9;

  var frames = document.getElementById("frames");
  var groups = frames ? frames.getElementsByTagName("g") : [];
  var ys = [], seenY = {};
  var scale = fgSpan() > 0 ? total_samples / fgSpan() : 0; // px -> samples
  for (var i = 0; i < groups.length; i++) {
    var g = groups[i], rect = fgFirst(g, "rect");
    if (!rect) continue;
    var title = fgFirst(g, "title"), text = fgFirst(g, "text");
    var n = fgN++;
    var tt = title ? title.textContent : "";
    var px = parseFloat(rect.getAttribute("x")) || 0;
    var pw = parseFloat(rect.getAttribute("width")) || 0;
    var sx = fgAttr(rect, "x"), sw = fgAttr(rect, "w");
    fgG[n] = g; fgRect[n] = rect; fgText[n] = text; fgTitle[n] = tt;
    fgName[n] = fgStripTitle(tt);
    fgXAttr[n] = sx !== null ? sx : String((px - xpad) * scale);
    fgX[n] = parseFloat(fgXAttr[n]) || 0;
    fgW[n] = sw !== null ? (parseFloat(sw) || 0) : pw * scale;
    fgYAttr[n] = rect.getAttribute("y") || "0";
    fgFill[n] = rect.getAttribute("fill");
    fgOrig[n] = [rect.getAttribute("x"), rect.getAttribute("width"),
                 text ? text.getAttribute("x") : null, text ? text.textContent : ""];
    fgState[n] = 0; fgMoved[n] = false; fgLit[n] = false;
    g.fgIndex = n; // lets delegated events find the frame without a search
    var yk = Math.round(parseFloat(fgYAttr[n]) * 100);
    fgDepth[n] = yk;
    if (!seenY[yk]) { seenY[yk] = true; ys.push(yk); }
  }
  // Same rect y means same depth; the root is at the bottom unless inverted.
  ys.sort(function (a, b) { return a - b; });
  var rank = {};
  for (var r = 0; r < ys.length; r++) rank[ys[r]] = inverted ? r : ys.length - 1 - r;
  for (var d = 0; d < fgN; d++) fgDepth[d] = rank[fgDepth[d]];

  if (frames) {
    frames.addEventListener("mouseover", function (e) {
      var f = fgFrameOf(e.target);
      if (f >= 0) fgSetText(fgEl.details, nametype + " " + fgTitle[f]);
    });
    frames.addEventListener("mouseout", function (e) {
      if (fgFrameOf(e.target) >= 0) fgSetText(fgEl.details, " ");
    });
    frames.addEventListener("click", function (e) {
      var f = fgFrameOf(e.target);
      if (f >= 0) { fgZoom(f); fgSaveUrl(); }
    });
  }
  fgOn(fgEl.unzoom, "click", function () { fgUnzoom(); fgSaveUrl(); });
  fgOn(fgEl.search, "click", function () {
    if (fgTerm !== null) fgResetSearch(); else fgPrompt();
  });
  fgOn(fgEl.ignorecase, "click", fgToggleCase);
  document.addEventListener("keydown", fgKey, false);
  document.addEventListener("dblclick", function (e) {
    if (fgFrameOf(e.target) < 0 && !fgIsControl(e.target)) { fgUnzoom(); fgSaveUrl(); }
  });
  fgLoadUrl();
}

function fgOn(el, type, fn) {
  if (el) el.addEventListener(type, fn, false);
}

function fgIsControl(el) {
  for (var k in fgEl) if (fgEl[k] && fgEl[k] === el) return true;
  return false;
}

// Index of the frame whose <g> contains node, or -1.
function fgFrameOf(node) {
  for (; node && node !== document; node = node.parentNode)
    if (typeof node.fgIndex === "number") return node.fgIndex;
  return -1;
}

function fgKey(e) {
  var key = e.key || "";
  if ((e.ctrlKey || e.metaKey) && (key === "f" || key === "F" || e.keyCode === 70)) {
    e.preventDefault();
    fgPrompt();
  } else if (key === "Escape" || key === "Esc" || e.keyCode === 27) {
    if (fgTerm !== null) fgResetSearch();
    else if (fgZoomed >= 0) { fgUnzoom(); fgSaveUrl(); }
  }
}

// Place frame i at pixel x / width px, refitting its label.
function fgPlace(i, x, w) {
  var rect = fgRect[i], text = fgText[i];
  rect.setAttribute("x", x.toFixed(2));
  rect.setAttribute("width", w.toFixed(2));
  if (text) {
    text.setAttribute("x", (x + 3).toFixed(2));
    text.textContent = fgLabel(fgName[i], w);
  }
  fgMoved[i] = true;
}

// Touch the class attribute only when the state really changes.
function fgSetState(i, s) {
  if (fgState[i] === s) return;
  var g = fgG[i];
  fgClass(g, "hide", s === 1);
  fgClass(g, "parent", s === 2);
  fgState[i] = s;
}

function fgZoom(z) {
  if (z < 0 || z >= fgN) return;
  if (fgDepth[z] === 0) { fgUnzoom(); return; } // the root resets
  var zx = fgX[z], zw = fgW[z], zd = fgDepth[z], end = zx + zw;
  var scale = zw > 0 ? fgSpan() / zw : 0;
  for (var i = 0; i < fgN; i++) {
    var x = fgX[i], xe = x + fgW[i], d = fgDepth[i];
    if (i === z || (d > zd && x >= zx - fgEps && xe <= end + fgEps)) {
      // Descendant (or the frame itself): rescale into the zoomed span.
      fgPlace(i, xpad + (x - zx) * scale, fgW[i] * scale);
      fgSetState(i, 0);
    } else if (d < zd && x <= zx + fgEps && xe >= end - fgEps) {
      // Ancestor: full width, dimmed.
      fgPlace(i, xpad, fgSpan());
      fgSetState(i, 2);
    } else {
      fgSetState(i, 1); // geometry is left stale: hidden frames are not drawn
    }
  }
  fgZoomed = z;
  fgClass(fgEl.unzoom, "hide", false);
  fgRefreshSearch();
}

function fgUnzoom() {
  for (var i = 0; i < fgN; i++) {
    fgSetState(i, 0);
    if (!fgMoved[i]) continue;
    var o = fgOrig[i];
    fgRestore(fgRect[i], "x", o[0]);
    fgRestore(fgRect[i], "width", o[1]);
    if (fgText[i]) {
      fgRestore(fgText[i], "x", o[2]);
      fgText[i].textContent = o[3];
    }
    fgMoved[i] = false;
  }
  fgZoomed = -1;
  fgClass(fgEl.unzoom, "hide", true);
  fgRefreshSearch();
}

function fgRestore(el, name, value) {
  if (value === null) el.removeAttribute(name); else el.setAttribute(name, value);
}

function fgPrompt() {
  var term = window.prompt("Enter a search term (regexp allowed, eg: ^ext4_)",
                           fgTerm !== null ? fgTerm : "");
  if (term === null) return; // cancelled: leave things as they are
  if (term === "") fgResetSearch(); else fgSearch(term);
}

function fgToggleCase() {
  fgIgnoreCase = !fgIgnoreCase;
  fgClass(fgEl.ignorecase, "show", fgIgnoreCase);
  if (fgTerm !== null) fgSearch(fgTerm); else fgSaveUrl();
}

function fgRefreshSearch() {
  if (fgTerm !== null) fgSearch(fgTerm);
}

// Colour frames whose name matches term and report the share of samples
// inside the current zoom that have a matching frame on their stack.
function fgSearch(term) {
  var re;
  try {
    re = new RegExp(term, fgIgnoreCase ? "i" : "");
  } catch (err) {
    fgResetSearch();
    fgSetText(fgEl.matched, "Invalid regex");
    return;
  }
  var lo = 0, hi = total_samples;
  if (fgZoomed >= 0) { lo = fgX[fgZoomed]; hi = lo + fgW[fgZoomed]; }
  var spans = [];
  for (var i = 0; i < fgN; i++) {
    var hit = re.test(fgName[i]);
    if (hit !== fgLit[i]) {
      if (hit) fgRect[i].setAttribute("fill", searchcolor);
      else fgRestore(fgRect[i], "fill", fgFill[i]);
      fgLit[i] = hit;
    }
    // Hidden frames do not count; dimmed ancestors are clipped to the zoom.
    if (hit && fgState[i] !== 1) {
      var a = Math.max(fgX[i], lo), b = Math.min(fgX[i] + fgW[i], hi);
      if (b > a) spans.push([a, b]);
    }
  }
  // Merge overlapping spans so a sample under nested matches counts once.
  spans.sort(function (p, q) { return p[0] - q[0]; });
  var sum = 0, cs = 0, ce = -Infinity;
  for (var s = 0; s < spans.length; s++) {
    if (spans[s][0] > ce) {
      if (ce > cs) sum += ce - cs;
      cs = spans[s][0]; ce = spans[s][1];
    } else if (spans[s][1] > ce) {
      ce = spans[s][1];
    }
  }
  if (ce > cs) sum += ce - cs;
  var pct = hi - lo > 0 ? 100 * sum / (hi - lo) : 0;
  fgTerm = term;
  fgSetText(fgEl.search, "Reset Search");
  fgClass(fgEl.search, "show", true);
  fgSetText(fgEl.matched, "Matched: " + pct.toFixed(2) + "%");
  fgSaveUrl();
}

function fgResetSearch() {
  for (var i = 0; i < fgN; i++) {
    if (fgLit[i]) {
      fgRestore(fgRect[i], "fill", fgFill[i]);
      fgLit[i] = false;
    }
  }
  fgTerm = null;
  fgSetText(fgEl.search, "Search");
  fgClass(fgEl.search, "show", false);
  fgSetText(fgEl.matched, " ");
  fgSaveUrl();
}

// ---- URL state: ?x=<fg:x>&y=<rect y>&s=<regex>&i=1 ----

function fgParams() {
  var out = {}, q = "";
  try { q = window.location.search || ""; } catch (err) { return out; }
  var parts = q.replace(/^\?/, "").split("&");
  for (var i = 0; i < parts.length; i++) {
    if (!parts[i]) continue;
    var eq = parts[i].indexOf("=");
    var k = eq < 0 ? parts[i] : parts[i].substring(0, eq);
    var v = eq < 0 ? "" : parts[i].substring(eq + 1);
    try { out[k] = decodeURIComponent(v); } catch (err) { out[k] = v; }
  }
  return out;
}

function fgLoadUrl() {
  var p = fgParams();
  if (p.i === "1") { fgIgnoreCase = true; fgClass(fgEl.ignorecase, "show", true); }
  if (p.x !== undefined && p.y !== undefined) {
    var x = parseFloat(p.x), y = parseFloat(p.y);
    for (var i = 0; i < fgN; i++) {
      if (Math.abs(fgX[i] - x) <= fgEps && Math.abs(parseFloat(fgYAttr[i]) - y) < 0.01) {
        fgZoom(i);
        break;
      }
    }
  }
  if (p.s) fgSearch(p.s);
}

// Rewrites our parameters and keeps any others. file: and data: documents
// (or sandboxed embedders) may refuse replaceState; the state then just
// is not saved.
function fgSaveUrl() {
  try {
    var loc = window.location;
    var keep = loc.search.replace(/^\?/, "").split("&").filter(function (kv) {
      return kv && !/^(x|y|s|i)(=|$)/.test(kv);
    });
    if (fgZoomed >= 0)
      keep.push("x=" + encodeURIComponent(fgXAttr[fgZoomed]),
                "y=" + encodeURIComponent(fgYAttr[fgZoomed]));
    if (fgTerm !== null) keep.push("s=" + encodeURIComponent(fgTerm));
    if (fgIgnoreCase) keep.push("i=1");
    var url = loc.pathname + (keep.length ? "?" + keep.join("&") : "") + loc.hash;
    if (url !== loc.pathname + loc.search + loc.hash)
      window.history.replaceState(window.history.state, "", url);
  } catch (err) {
    // ignore: URL state is a convenience
  }
}
