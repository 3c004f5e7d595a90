/*
 * report.js - the interactive page of `prof-render report`.
 *
 * Reads the DATA block described in docs/report-data.md and builds the whole
 * user interface: header, flame graph (canvas), search, top table, sandwich
 * view, flame chart with an activity strip, diff banner and source links.
 *
 * Rules this file keeps (the page runs under a strict CSP, see the doc):
 *  - every string from the profile goes through textContent, never
 *    innerHTML, and no markup is built from strings;
 *  - no inline handlers and no style attributes in markup (element.style.x
 *    from script is allowed by CSP and is what positions the tooltip);
 *  - no eval, no network;
 *  - tree walks are iterative (stacks can be thousands deep) and the tree
 *    lives in typed arrays so a million nodes stay fast.
 */
"use strict";
(function () {
  const T_START = performance.now();
  const raw = JSON.parse(document.getElementById("prf-data").textContent);

  // ---------------------------------------------------------------------
  // Small helpers
  // ---------------------------------------------------------------------

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  // Appends the children; returns the last one (to chain into it).
  function add(parent) {
    let last = parent;
    for (let i = 1; i < arguments.length; i++) {
      if (arguments[i]) last = parent.appendChild(arguments[i]);
    }
    return last;
  }

  function clear(e) {
    while (e.firstChild) e.removeChild(e.firstChild);
  }

  function button(text, title, onClick) {
    const b = el("button", null, text);
    b.type = "button";
    if (title) b.title = title;
    b.addEventListener("click", onClick);
    return b;
  }

  const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

  // Thousands separators without depending on the browser's locale, so the
  // page reads the same everywhere.
  function group(n, decimals) {
    const neg = n < 0;
    const s = Math.abs(n).toFixed(decimals);
    const dot = s.indexOf(".");
    let int = dot < 0 ? s : s.slice(0, dot);
    const frac = dot < 0 ? "" : s.slice(dot);
    let out = "";
    while (int.length > 3) {
      out = "," + int.slice(-3) + out;
      int = int.slice(0, -3);
    }
    return (neg ? "-" : "") + int + out + frac;
  }

  const NS_PER = { nanoseconds: 1, microseconds: 1e3, milliseconds: 1e6, seconds: 1e9 };

  // A value of a column in its unit: time as ns/µs/ms/s, bytes as KB/MB/GB,
  // anything else as a plain number with separators.
  function fmtValue(v, unit) {
    const a = Math.abs(v);
    if (unit && NS_PER[unit] !== undefined) {
      const ns = v * NS_PER[unit];
      const an = Math.abs(ns);
      if (an >= 1e9) return trim(ns / 1e9) + " s";
      if (an >= 1e6) return trim(ns / 1e6) + " ms";
      if (an >= 1e3) return trim(ns / 1e3) + " µs";
      return trim(ns) + " ns";
    }
    if (unit === "bytes") {
      if (a >= 1 << 30) return trim(v / (1 << 30)) + " GB";
      if (a >= 1 << 20) return trim(v / (1 << 20)) + " MB";
      if (a >= 1 << 10) return trim(v / (1 << 10)) + " KB";
      return group(v, 0) + " B";
    }
    return Number.isInteger(v) ? group(v, 0) : group(v, 2);
  }

  function trim(x) { // 3 significant digits, separators for big numbers
    const a = Math.abs(x);
    if (a >= 100) return group(x, 0);
    if (a >= 10) return x.toFixed(1);
    return x.toFixed(2);
  }

  function pct(x) {
    if (!isFinite(x)) return "–";
    return (x * 100).toFixed(2) + "%";
  }

  function fmtSeconds(s) {
    if (s === null || s === undefined) return "–";
    if (s >= 120) return trim(s / 60) + " min";
    return trim(s) + " s";
  }

  // ---------------------------------------------------------------------
  // The model: typed arrays built once
  // ---------------------------------------------------------------------

  const STR = raw.strings || [""];
  const str = (sid) => (sid > 0 && sid < STR.length ? STR[sid] : "");
  const FR = raw.frames || {};
  const frName = new Int32Array(FR.name || []);
  const frFile = new Int32Array(FR.file || []);
  const frLine = new Int32Array(FR.line || []);
  const frModule = new Int32Array(FR.module || []);
  const frKind = new Uint8Array(FR.kind || []);
  const COLS = raw.columns && raw.columns.length ? raw.columns : [{ type: "value", unit: "count" }];
  const DIFF = raw.diff || null;
  const SAMPLES = raw.samples && raw.samples.node && raw.samples.node.length ? raw.samples : null;
  const THREADS = raw.threads || [];
  const SOURCE = raw.source || null;
  const INFO = raw.info || {};

  // The main tree. parent < id (contract), so one forward pass fills depth
  // and a counting pass builds the children lists without recursion.
  function buildTree(parent, frame) {
    const n = parent.length;
    const depth = new Int32Array(n);
    const first = new Int32Array(n + 1);
    for (let i = 1; i < n; i++) {
      depth[i] = depth[parent[i]] + 1;
      first[parent[i] + 1]++;
    }
    for (let i = 0; i < n; i++) first[i + 1] += first[i];
    const kids = new Int32Array(Math.max(0, n - 1));
    const fill = first.slice(0, n);
    for (let i = 1; i < n; i++) kids[fill[parent[i]]++] = i;
    return { n, parent, frame, depth, first, kids, self: null, total: null, order: "" };
  }

  const nodesRaw = raw.nodes || { parent: [-1], frame: [-1], self: [[0]], total: [[0]] };
  const main = buildTree(new Int32Array(nodesRaw.parent), new Int32Array(nodesRaw.frame));
  nodesRaw.parent = nodesRaw.frame = null; // let the big arrays go
  const colSelf = [];
  const colTotal = [];
  function selfOf(c) {
    if (!colSelf[c]) colSelf[c] = new Float64Array(nodesRaw.self[c] || main.n);
    return colSelf[c];
  }
  function totalOf(c) {
    if (!colTotal[c]) colTotal[c] = new Float64Array(nodesRaw.total[c] || main.n);
    return colTotal[c];
  }

  const nodeName = (t, i) => (t.frame[i] >= 0 ? frName[t.frame[i]] : 0);
  const ROOT_LABEL = "all";
  function labelOf(t, i) {
    if (t.frame[i] < 0) return t.rootLabel || ROOT_LABEL;
    return str(frName[t.frame[i]]);
  }

  // Alphabetical order like flamegraph.pl: rank each used name string once,
  // then children sort by an integer key.
  let nameRank = null;
  function rankNames() {
    if (nameRank) return nameRank;
    const used = new Uint8Array(STR.length);
    for (let f = 0; f < frName.length; f++) used[frName[f]] = 1;
    const sids = [];
    for (let s = 0; s < STR.length; s++) if (used[s]) sids.push(s);
    sids.sort((a, b) => (STR[a] < STR[b] ? -1 : STR[a] > STR[b] ? 1 : 0));
    nameRank = new Int32Array(STR.length);
    for (let i = 0; i < sids.length; i++) nameRank[sids[i]] = i;
    return nameRank;
  }

  function sortKids(t, order) {
    const key = new Float64Array(t.n);
    if (order === "heavy") {
      for (let i = 0; i < t.n; i++) key[i] = -Math.abs(t.total[i]);
    } else {
      const rank = rankNames();
      for (let i = 0; i < t.n; i++) key[i] = t.frame[i] >= 0 ? rank[frName[t.frame[i]]] : -1;
    }
    const cmp = (a, b) => key[a] - key[b] || a - b;
    const kids = t.kids;
    for (let p = 0; p < t.n; p++) {
      const a = t.first[p], b = t.first[p + 1];
      if (b - a < 2) continue;
      // Writers usually emit siblings in name order already: checking is
      // linear, sorting a million nodes is not, so sort only when needed.
      let sorted = true;
      for (let k = a + 1; k < b; k++) {
        if (key[kids[k - 1]] > key[kids[k]]) {
          sorted = false;
          break;
        }
      }
      if (!sorted) kids.subarray(a, b).sort(cmp);
    }
    t.order = order;
    t.sortedFor = t.total;
  }

  function ensureOrder(t) {
    if (t.order !== state.order || (state.order === "heavy" && t.sortedFor !== t.total)) {
      sortKids(t, state.order);
    }
  }

  // ---------------------------------------------------------------------
  // View state (mirrored into location.hash)
  // ---------------------------------------------------------------------

  const VIEWS = ["flame", "table", "sandwich", "chart"];
  const state = {
    view: "flame",
    zoom: 0,
    search: "",
    ic: false,
    col: Math.min(Math.max(0, raw.column | 0), COLS.length - 1),
    tab: "function",
    order: "alpha",
    icicle: false,
    fn: "",
    thread: -1,
    range: null, // [from, to] seconds since the first sample
  };

  function readHash() {
    const p = new URLSearchParams(location.hash.replace(/^#/, ""));
    const v = p.get("v");
    if (VIEWS.indexOf(v) >= 0 && (v !== "chart" || SAMPLES)) state.view = v;
    const z = parseInt(p.get("z"), 10);
    state.zoom = z > 0 && z < main.n ? z : 0;
    state.search = p.get("s") || "";
    state.ic = p.get("i") === "1";
    const c = parseInt(p.get("c"), 10);
    if (c >= 0 && c < COLS.length) state.col = c;
    const t = p.get("t");
    if (t === "function" || t === "line" || t === "file") state.tab = t;
    state.order = p.get("o") === "heavy" ? "heavy" : "alpha";
    state.icicle = p.get("ic") === "1";
    state.fn = p.get("fn") || "";
    const th = parseInt(p.get("th"), 10);
    state.thread = th >= 0 && th < THREADS.length ? th : -1;
    const r = /^([0-9.]+)-([0-9.]+)$/.exec(p.get("r") || "");
    state.range = r && SAMPLES ? [parseFloat(r[1]), parseFloat(r[2])] : null;
  }

  function writeHash() {
    const p = new URLSearchParams();
    if (state.view !== "flame") p.set("v", state.view);
    if (state.zoom) p.set("z", String(state.zoom));
    if (state.search) p.set("s", state.search);
    if (state.ic) p.set("i", "1");
    if (state.col !== (raw.column | 0)) p.set("c", String(state.col));
    if (state.tab !== "function") p.set("t", state.tab);
    if (state.order !== "alpha") p.set("o", state.order);
    if (state.icicle) p.set("ic", "1");
    if (state.fn) p.set("fn", state.fn);
    if (state.thread >= 0) p.set("th", String(state.thread));
    if (state.range) p.set("r", state.range[0].toFixed(3) + "-" + state.range[1].toFixed(3));
    const h = p.toString();
    // replaceState: the fragment is a bookmark of the view, not history to
    // step through; it also avoids a hashchange event of our own.
    history.replaceState(null, "", h ? "#" + h : location.pathname + location.search);
  }

  // ---------------------------------------------------------------------
  // Values shown: a column of the tree, or re-aggregated from samples when
  // a time range or a thread is selected.
  // ---------------------------------------------------------------------

  const unitOf = (c) => (COLS[c] && COLS[c].unit) || "";
  const fmt = (v) => fmtValue(v, unitOf(state.col));

  let sampleTimes = null; // seconds since the first sample
  function times() {
    if (sampleTimes) return sampleTimes;
    const dt = SAMPLES.dt;
    sampleTimes = new Float64Array(dt.length);
    let t = 0;
    for (let i = 0; i < dt.length; i++) {
      t += dt[i];
      sampleTimes[i] = t / 1e9;
    }
    return sampleTimes;
  }

  let aggKey = "";
  let aggSelf = null;
  let aggTotal = null;
  function filtered() {
    return SAMPLES && (state.range || state.thread >= 0);
  }

  // Points the main tree at the values of the current column and filter.
  function applyValues() {
    if (filtered()) {
      const key = state.col + "|" + state.thread + "|" + (state.range ? state.range.join("-") : "");
      if (key !== aggKey) {
        const ts = times(), node = SAMPLES.node, th = SAMPLES.thread;
        const w = SAMPLES.weight[state.col] || [];
        const s = new Float64Array(main.n);
        const lo = state.range ? state.range[0] : -Infinity;
        const hi = state.range ? state.range[1] : Infinity;
        for (let i = 0; i < node.length; i++) {
          if (ts[i] < lo || ts[i] > hi) continue;
          if (state.thread >= 0 && th[i] !== state.thread) continue;
          const n = node[i];
          if (n >= 0 && n < main.n) s[n] += w[i] || 0;
        }
        const t = s.slice();
        for (let i = main.n - 1; i > 0; i--) t[main.parent[i]] += t[i];
        aggSelf = s;
        aggTotal = t;
        aggKey = key;
      }
      main.self = aggSelf;
      main.total = aggTotal;
    } else {
      main.self = selfOf(state.col);
      main.total = totalOf(state.col);
    }
  }

  // ---------------------------------------------------------------------
  // Colours
  // ---------------------------------------------------------------------

  // flamegraph.pl's name hash (as render/palette.c): weights the first
  // characters most, skips a "module`" prefix.
  function nameHash(s, reverse) {
    const tick = s.indexOf("`");
    if (tick >= 0) s = s.slice(tick + 1);
    let vector = 0, weight = 1, max = 1, mod = 10;
    for (let i = 0; i < s.length && mod <= 12; i++) {
      const c = s.charCodeAt(reverse ? s.length - 1 - i : i) & 0xff;
      vector += ((c % mod) / (mod - 1)) * weight;
      mod++;
      max += weight;
      weight *= 0.7;
    }
    return 1 - vector / max;
  }

  const rgb = (r, g, b) => "rgb(" + (r | 0) + "," + (g | 0) + "," + (b | 0) + ")";
  const colourCache = new Map();
  function warmColour(f) { // f: frame id, or -1 for the root
    if (f < 0) return rgb(220, 220, 220);
    const key = frName[f] * 8 + frKind[f];
    let c = colourCache.get(key);
    if (c) return c;
    const s = str(frName[f]);
    const v1 = nameHash(s, false), v2 = nameHash(s, true);
    switch (frKind[f]) {
      case 1: c = rgb(190 + 65 * v1, 90 + 65 * v1, 0); break; // kernel: orange
      case 2: c = rgb(50 + 60 * v1, 200 + 55 * v1, 50 + 60 * v1); break; // jit: green
      case 3: c = rgb(50 + 60 * v1, 165 + 55 * v1, 165 + 55 * v1); break; // inlined: aqua
      default: c = rgb(205 + 50 * v2, 230 * v1, 55 * v2); // "hot"
    }
    colourCache.set(key, c);
    return c;
  }

  // Differential colour as prf_palette_diff: red growth, blue shrinkage.
  function diffColour(delta, maxDelta) {
    let f = maxDelta > 0 ? delta / maxDelta : 0;
    f = Math.max(-1, Math.min(1, f));
    if (f >= 0) {
      const c = 250 - 150 * f;
      return rgb(delta > 0 ? 255 : 250, c, c);
    }
    const c = 250 + 150 * f;
    return rgb(c, c, 255);
  }

  const MATCH_COLOUR = "rgb(230,0,230)";

  // ---------------------------------------------------------------------
  // Search: a regex over function names ("file:" prefix: over file names)
  // ---------------------------------------------------------------------

  let searchRe = null;
  let searchOnFile = false;
  let searchPlain = false;
  let matchCache = null; // Int8Array per string id: -1 unknown, 0 no, 1 yes

  function compileSearch() {
    searchRe = null;
    searchPlain = false;
    searchOnFile = false;
    matchCache = null;
    let q = state.search;
    if (!q) return;
    if (q.slice(0, 5) === "file:") {
      searchOnFile = true;
      q = q.slice(5);
    }
    const flags = state.ic ? "i" : "";
    try {
      searchRe = new RegExp(q, flags);
    } catch (e) {
      // Not a valid regex: match the text as typed rather than failing.
      searchRe = new RegExp(escapeRe(q), flags);
      searchPlain = true;
    }
    matchCache = new Int8Array(STR.length).fill(-1);
  }

  function frameMatches(f) {
    if (!searchRe || f < 0) return false;
    const sid = searchOnFile ? frFile[f] : frName[f];
    if (searchOnFile && sid === 0) return false;
    let m = matchCache[sid];
    if (m < 0) {
      m = searchRe.test(STR[sid]) ? 1 : 0;
      matchCache[sid] = m;
    }
    return m === 1;
  }

  // The matched value, each sample once: a match's subtree is not searched
  // further, so nested matches do not count twice.
  function matchedValue(t, from) {
    let sum = 0;
    const stack = [from];
    while (stack.length) {
      const n = stack.pop();
      if (frameMatches(t.frame[n])) {
        sum += t.total[n];
        continue;
      }
      for (let k = t.first[n]; k < t.first[n + 1]; k++) stack.push(t.kids[k]);
    }
    return sum;
  }

  // ---------------------------------------------------------------------
  // Layout and drawing of a tree on a canvas
  // ---------------------------------------------------------------------

  const ROW = 17;
  const MIN_W = 0.5; // frames narrower than this (CSS px) are not drawn
  const MAX_ANCESTORS = 24; // deep zooms show the nearest ancestors only
  const FONT = "12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

  // Laid-out frames: parallel arrays, DFS order. Children follow the
  // parent's self (as flamegraph.pl); what pruning removed stays a gap.
  function layoutTree(t, zoom, width) {
    const L = { node: [], x: [], w: [], d: [], base: 0, rows: 0, width };
    const V = t.total, S = t.self;
    const zd = t.depth[zoom];
    L.base = Math.max(0, zd - MAX_ANCESTORS);
    for (let a = zoom ? t.parent[zoom] : -1; a >= 0; a = t.parent[a]) {
      if (t.depth[a] < L.base) break;
      L.node.push(a); L.x.push(0); L.w.push(width); L.d.push(t.depth[a] - L.base);
    }
    const vz = V[zoom];
    if (!(vz > 0)) {
      L.rows = zd - L.base + 1;
      return L;
    }
    const scale = width / vz;
    const sn = [zoom], sx = [0];
    let maxD = zd;
    while (sn.length) {
      const n = sn.pop(), x = sx.pop();
      const w = V[n] * scale;
      L.node.push(n); L.x.push(x); L.w.push(w); L.d.push(t.depth[n] - L.base);
      if (t.depth[n] > maxD) maxD = t.depth[n];
      let cx = x + Math.max(0, S[n]) * scale;
      const end = x + w;
      // Push in reverse so the first child pops first (DFS order left to right).
      const a = t.first[n], b = t.first[n + 1];
      const pos = [];
      for (let k = a; k < b; k++) {
        const c = t.kids[k];
        const cw = V[c] * scale;
        if (cw >= MIN_W && cx < end) pos.push(c, cx);
        if (cw > 0) cx += cw;
      }
      for (let k = pos.length - 2; k >= 0; k -= 2) {
        sn.push(pos[k]);
        sx.push(pos[k + 1]);
      }
    }
    L.rows = maxD - L.base + 1;
    return L;
  }

  function cssVar(name, fallback) {
    const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return v || fallback;
  }

  const textWidth = new Map();
  // Sizes the canvas for HiDPI and returns its 2D context in CSS pixels.
  function prepCanvas(cv, width, height) {
    const dpr = window.devicePixelRatio || 1;
    // Browsers cap canvas size, and a huge canvas is slow to allocate and
    // paint: about 700 rows are drawn; zooming shows the deeper ones.
    const maxH = Math.floor(12000 / dpr);
    height = Math.min(height, maxH);
    cv.style.width = width + "px";
    cv.style.height = height + "px";
    cv.width = Math.round(width * dpr);
    cv.height = Math.round(height * dpr);
    const ctx = cv.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    return { ctx, height, maxRows: Math.floor(height / ROW) };
  }

  // opts: tree, flip (root at the top), colour(i), label(i)
  function drawLayout(cv, L, opts) {
    const rows = Math.max(1, L.rows);
    const { ctx, maxRows } = prepCanvas(cv, L.width, rows * ROW);
    const fg = "#000";
    ctx.font = FONT;
    ctx.textBaseline = "middle";
    const shownRows = Math.min(rows, maxRows);
    const yOf = (d) => (opts.flip ? d * ROW : (shownRows - 1 - d) * ROW);
    L.y = [];
    for (let i = 0; i < L.node.length; i++) {
      const d = L.d[i];
      if (d >= shownRows) { L.y.push(-1); continue; }
      const x = L.x[i], w = L.w[i], y = yOf(d);
      L.y.push(y);
      const n = L.node[i];
      ctx.fillStyle = opts.colour(n);
      ctx.fillRect(x, y, Math.max(w - (w > 3 ? 1 : 0), MIN_W), ROW - 1);
      if (w > 28) {
        const label = opts.label(n, i);
        let tw = textWidth.get(label);
        if (tw === undefined) {
          tw = ctx.measureText(label).width;
          if (textWidth.size < 50000) textWidth.set(label, tw);
        }
        let text = label;
        const room = w - 6;
        if (tw > room) {
          const chars = Math.floor((label.length * room) / tw) - 2;
          text = chars >= 2 ? label.slice(0, chars) + ".." : "";
        }
        if (text) {
          ctx.fillStyle = fg;
          ctx.fillText(text, x + 3, y + ROW / 2);
        }
      }
    }
    L.flip = opts.flip;
    L.shownRows = shownRows;
    return L;
  }

  function hitTest(L, x, y) {
    if (!L) return -1;
    for (let i = L.node.length - 1; i >= 0; i--) {
      const fy = L.y[i];
      if (fy < 0 || y < fy || y >= fy + ROW) continue;
      if (x >= L.x[i] && x < L.x[i] + L.w[i]) return i;
    }
    return -1;
  }

  // ---------------------------------------------------------------------
  // The page skeleton
  // ---------------------------------------------------------------------

  const body = document.body;
  const app = add(body, el("div", "prf-app"));
  const head = add(app, el("header", "prf-head"));
  const toolbar = add(app, el("nav", "prf-toolbar"));
  const banner = add(app, el("div", "prf-banner"));
  const stripBox = add(app, el("section", "prf-stripbox"));
  const views = {};
  for (const v of VIEWS) views[v] = add(app, el("section", "prf-view prf-view-" + v));
  const tip = add(body, el("div", "prf-tip"));
  const help = add(body, el("div", "prf-help"));
  tip.hidden = true;
  help.hidden = true;

  // ---- header ----
  function buildHeader() {
    clear(head);
    add(head, el("h1", null, raw.title || "Profile report"));
    const dl = add(head, el("dl", "prf-info"));
    const item = (k, v) => {
      if (v === null || v === undefined || v === "") return null;
      const d = add(dl, el("div"));
      add(d, el("dt", null, k));
      if (v instanceof Node) add(add(d, el("dd")), v);
      else add(d, el("dd", null, v));
      return d;
    };
    const files = INFO.files || [];
    item(files.length > 1 ? "Files" : "File", files.join(", "));
    item("Format", INFO.format);
    let colEl;
    if (COLS.length > 1) {
      colEl = el("select", "prf-col");
      COLS.forEach((c, i) => {
        const o = el("option", null, c.type + (c.unit ? " (" + c.unit + ")" : ""));
        o.value = String(i);
        colEl.appendChild(o);
      });
      colEl.value = String(state.col);
      colEl.addEventListener("change", () => {
        state.col = parseInt(colEl.value, 10);
        aggKey = "";
        update();
      });
      colEl.setAttribute("aria-label", "Sample type");
    } else {
      colEl = COLS[0].type + (COLS[0].unit ? " (" + COLS[0].unit + ")" : "");
    }
    item("Sample type", colEl);
    item("Total", add(el("span", "prf-total")));
    item("Duration", INFO.duration === null || INFO.duration === undefined ? null : fmtSeconds(INFO.duration));
    item("Samples", INFO.samples ? group(INFO.samples, 0) : null);
    item("Threads", THREADS.length ? String(THREADS.length) : null);
    if (raw.pruned && raw.pruned.nodes > 0) {
      item("Pruned", group(raw.pruned.nodes, 0) + " nodes below " + pct(raw.pruned.share));
    }
    for (const kv of INFO.meta || []) item(String(kv[0]), String(kv[1]));
  }

  function updateHeader() {
    const t = head.querySelector(".prf-total");
    if (t) t.textContent = fmt(totalOf(state.col)[0]) + (filtered() ? " (selection: " + fmt(main.total[0]) + ")" : "");
    const c = head.querySelector(".prf-col");
    if (c) c.value = String(state.col);
  }

  // ---- toolbar ----
  const tabs = {};
  const tbViews = add(toolbar, el("div", "prf-tabs"));
  const VIEW_NAMES = { flame: "Flame graph", table: "Top table", sandwich: "Sandwich", chart: "Flame chart" };
  VIEWS.forEach((v, i) => {
    if (v === "chart" && !SAMPLES) return;
    tabs[v] = add(tbViews, button(VIEW_NAMES[v], "Key " + (i + 1), () => setView(v)));
  });
  const searchBox = add(toolbar, el("div", "prf-search"));
  const searchIn = add(searchBox, el("input"));
  searchIn.type = "search";
  searchIn.placeholder = "Search (regex; file:… for files)";
  searchIn.setAttribute("aria-label", "Search");
  const icLabel = add(searchBox, el("label", "prf-ic"));
  const icIn = add(icLabel, el("input"));
  icIn.type = "checkbox";
  add(icLabel, document.createTextNode(" ignore case"));
  const matchedEl = add(searchBox, el("span", "prf-matched"));
  const tbGraph = add(toolbar, el("div", "prf-graphbtns"));
  const orderBtn = add(tbGraph, button("", "Order of children", () => {
    state.order = state.order === "alpha" ? "heavy" : "alpha";
    update();
  }));
  const icicleBtn = add(tbGraph, button("", "Root at the top or bottom", () => {
    state.icicle = !state.icicle;
    update();
  }));
  add(tbGraph, button("Reset zoom", "Esc", () => resetZoom()));
  add(toolbar, button("?", "Keyboard shortcuts", () => { help.hidden = !help.hidden; }));

  let searchTimer = 0;
  searchIn.addEventListener("input", () => {
    // Debounced: recompiling and redrawing a million nodes per keystroke is
    // wasteful.
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      state.search = searchIn.value;
      update();
    }, 120);
  });
  searchIn.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      clearTimeout(searchTimer);
      state.search = searchIn.value;
      update();
    }
  });
  icIn.addEventListener("change", () => {
    state.ic = icIn.checked;
    update();
  });

  // ---- diff banner ----
  function buildBanner() {
    clear(banner);
    if (!DIFF) {
      banner.hidden = true;
      return;
    }
    const rows = DIFF.rows || [];
    const reg = rows.filter((r) => r.verdict === 1).length;
    const imp = rows.filter((r) => r.verdict === -1).length;
    banner.classList.add(DIFF.verdict === "regression" ? "prf-bad" : "prf-good");
    add(banner, el("strong", "prf-verdict", DIFF.verdict === "regression" ? "Regression" : "OK"));
    add(banner, el("span", null,
      " — " + reg + " function" + (reg === 1 ? "" : "s") + " regressed, " + imp + " improved" +
      " (" + (DIFF.metric || "self") + ", " + (DIFF.test || "") + " test, alpha " + DIFF.alpha +
      ", threshold " + DIFF.threshold + "; base " + DIFF.base_runs + " run(s), " + group(DIFF.base_samples || 0, 0) +
      " samples; new " + DIFF.new_runs + " run(s), " + group(DIFF.new_samples || 0, 0) + " samples)"));
    const tbl = add(banner, el("table", "prf-diffrows"));
    const hr = add(add(tbl, el("thead")), el("tr"));
    for (const h of ["Function", "Base self", "New self", "Base total", "New total", "Δ pp", "Relative", "p", ""]) {
      add(hr, el("th", null, h));
    }
    const tb = add(tbl, el("tbody"));
    for (const r of rows) {
      const tr = add(tb, el("tr", r.verdict === 1 ? "prf-up" : r.verdict === -1 ? "prf-down" : null));
      add(tr, el("td", "prf-name", r["function"]));
      for (const k of ["base_self", "new_self", "base_total", "new_total"]) add(tr, el("td", "prf-num", pct(r[k])));
      add(tr, el("td", "prf-num", (r.delta_pp > 0 ? "+" : "") + Number(r.delta_pp).toFixed(2)));
      add(tr, el("td", "prf-num", (r.relative > 0 ? "+" : "") + pct(r.relative)));
      add(tr, el("td", "prf-num", Number(r.p_value).toPrecision(2)));
      add(tr, el("td", null, r.verdict === 1 ? "slower" : r.verdict === -1 ? "faster" : ""));
      tr.addEventListener("click", () => {
        state.search = "^" + escapeRe(String(r["function"])) + "$";
        state.ic = false;
        setView("flame");
      });
    }
  }

  // ---------------------------------------------------------------------
  // Flame graph view
  // ---------------------------------------------------------------------

  const fv = views.flame;
  const crumbs = add(fv, el("div", "prf-crumbs"));
  const flameWrap = add(fv, el("div", "prf-canvaswrap"));
  const flameCv = add(flameWrap, el("canvas", "prf-flame"));
  const flameNote = add(fv, el("div", "prf-note"));
  const details = add(fv, el("div", "prf-details"));
  let flameL = null;
  let firstDraw = 0;

  function width() {
    return Math.max(200, Math.floor(app.clientWidth || document.documentElement.clientWidth || 800));
  }

  function nodeColour(t, maxDelta) {
    return (n) => {
      const f = t.frame[n];
      if (frameMatches(f)) return MATCH_COLOUR;
      if (DIFF && t === main && COLS.length >= 2) {
        return diffColour(totalOf(1)[n] - totalOf(0)[n], maxDelta);
      }
      return warmColour(f);
    };
  }

  function drawFlame() {
    ensureOrder(main);
    const L = layoutTree(main, state.zoom, width());
    let maxDelta = 0;
    if (DIFF && COLS.length >= 2) {
      // Saturation relative to the largest change shown.
      const a = totalOf(0), b = totalOf(1);
      for (let i = 0; i < L.node.length; i++) {
        const d = Math.abs(b[L.node[i]] - a[L.node[i]]);
        if (d > maxDelta) maxDelta = d;
      }
    }
    flameL = drawLayout(flameCv, L, {
      flip: state.icicle,
      colour: nodeColour(main, maxDelta),
      label: (n) => labelOf(main, n),
    });
    flameNote.textContent = L.rows > L.shownRows ? "Deepest " + (L.rows - L.shownRows) + " levels not drawn (canvas size limit); zoom in to see them." : "";
    if (!firstDraw) firstDraw = performance.now();
    buildCrumbs();
    showDetails(state.zoom);
  }

  function buildCrumbs() {
    clear(crumbs);
    const path = [];
    for (let a = state.zoom; a >= 0; a = main.parent[a]) {
      path.push(a);
      if (a === 0) break;
    }
    path.reverse();
    if (path.length <= 1) {
      crumbs.hidden = true;
      return;
    }
    crumbs.hidden = false;
    // Long paths: the first 3 and the last 12 steps, with the gap marked.
    const shown = path.length > 16 ? path.slice(0, 3).concat([-1], path.slice(-12)) : path;
    shown.forEach((n, i) => {
      if (i) add(crumbs, el("span", "prf-sep", "›"));
      if (n < 0) {
        add(crumbs, el("span", "prf-gap", "… " + (path.length - 15) + " more"));
        return;
      }
      const b = add(crumbs, button(labelOf(main, n), "Zoom to this frame", () => zoomTo(n)));
      b.className = "prf-crumb" + (n === state.zoom ? " prf-current" : "");
    });
  }

  // Source link: the contract's template, percent-encoded except '/', then
  // accepted only with an http(s) scheme.
  function sourceUrl(f) {
    if (!SOURCE || !SOURCE.url || f < 0 || frFile[f] === 0) return null;
    const enc = (s) => encodeURIComponent(s).replace(/%2F/gi, "/");
    const url = String(SOURCE.url)
      .split("{path}").join(enc(str(frFile[f])))
      .split("{line}").join(frLine[f] > 0 ? enc(String(frLine[f])) : "")
      .split("{rev}").join(enc(String(SOURCE.rev || "")));
    return /^https?:\/\//i.test(url) ? url : null;
  }

  function frameLines(t, n, zoomNode) {
    const f = t.frame[n];
    const lines = [];
    lines.push(["", labelOf(t, n)]);
    if (f >= 0 && frFile[f]) lines.push(["at", str(frFile[f]) + (frLine[f] ? ":" + frLine[f] : "")]);
    if (f >= 0 && frModule[f]) lines.push(["module", str(frModule[f])]);
    const whole = t.total[0];
    const z = t.total[zoomNode];
    lines.push(["self", fmt(t.self[n]) + " (" + pct(t.self[n] / whole) + ")"]);
    lines.push(["total", fmt(t.total[n]) + " (" + pct(t.total[n] / whole) + " of all" +
      (zoomNode ? ", " + pct(t.total[n] / z) + " of zoomed" : "") + ")"]);
    if (DIFF && t === main && COLS.length >= 2) {
      const a = totalOf(0)[n], b = totalOf(1)[n];
      lines.push(["before", fmtValue(a, unitOf(0))]);
      lines.push(["after", fmtValue(b, unitOf(1))]);
      lines.push(["change", (b - a > 0 ? "+" : "") + fmtValue(b - a, unitOf(1))]);
    }
    return lines;
  }

  function fillLines(box, lines) {
    clear(box);
    for (const [k, v] of lines) {
      const row = add(box, el("div", k ? "prf-kv" : "prf-title"));
      if (k) add(row, el("span", "prf-k", k + " "));
      add(row, el("span", "prf-v", v));
    }
  }

  function showDetails(n) {
    clear(details);
    if (n === 0 && !state.zoom) {
      add(details, el("span", "prf-hint", "Click a frame to zoom; right-click for its sandwich view. Hover for details."));
      return;
    }
    fillLines(add(details, el("div")), frameLines(main, n, state.zoom));
    const actions = add(details, el("div", "prf-actions"));
    const f = main.frame[n];
    if (f >= 0) {
      add(actions, button("Sandwich view", "Callers and callees of this function", () => openSandwich(str(frName[f]))));
      const url = sourceUrl(f);
      if (url) {
        const a = add(actions, el("a", "prf-src", "Open in repository"));
        a.href = url;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
      }
    }
  }

  function zoomTo(n) {
    state.zoom = n;
    update();
  }

  function resetZoom() {
    state.zoom = 0;
    chartZoom = null;
    sandZoom.callers = sandZoom.callees = 0;
    update();
  }

  // Tooltip handling shared by every canvas.
  function attachCanvas(cv, getL, getTree, getZoom, onClick, onContext) {
    const pos = (e) => {
      const r = cv.getBoundingClientRect();
      return [e.clientX - r.left, e.clientY - r.top];
    };
    cv.addEventListener("mousemove", (e) => {
      const L = getL();
      const [x, y] = pos(e);
      const i = hitTest(L, x, y);
      if (i < 0) {
        tip.hidden = true;
        cv.classList.remove("prf-hand");
        return;
      }
      cv.classList.add("prf-hand");
      const t = getTree();
      const lines = t.tip ? t.tip(L.node[i]) : frameLines(t, L.node[i], getZoom());
      fillLines(tip, lines);
      tip.hidden = false;
      // Keep the tooltip inside the window.
      const tw = tip.offsetWidth, th = tip.offsetHeight;
      let left = e.clientX + 14, top = e.clientY + 14;
      if (left + tw > window.innerWidth - 4) left = Math.max(4, e.clientX - tw - 14);
      if (top + th > window.innerHeight - 4) top = Math.max(4, e.clientY - th - 14);
      tip.style.left = left + "px";
      tip.style.top = top + "px";
    });
    cv.addEventListener("mouseleave", () => { tip.hidden = true; });
    cv.addEventListener("click", (e) => {
      const [x, y] = pos(e);
      const i = hitTest(getL(), x, y);
      if (i >= 0) onClick(getL().node[i], i);
    });
    if (onContext) {
      cv.addEventListener("contextmenu", (e) => {
        const [x, y] = pos(e);
        const i = hitTest(getL(), x, y);
        if (i < 0) return;
        e.preventDefault();
        onContext(getL().node[i]);
      });
    }
  }

  attachCanvas(flameCv, () => flameL, () => main, () => state.zoom, (n) => zoomTo(n), (n) => {
    if (main.frame[n] >= 0) openSandwich(str(frName[main.frame[n]]));
  });

  // ---------------------------------------------------------------------
  // Top table
  // ---------------------------------------------------------------------

  const tv = views.table;
  const tableTabs = add(tv, el("div", "prf-tabs prf-subtabs"));
  const tableFilter = add(tv, el("input", "prf-filter"));
  tableFilter.type = "search";
  tableFilter.placeholder = "Filter rows (text)";
  tableFilter.setAttribute("aria-label", "Filter rows");
  const tableNote = add(tv, el("div", "prf-note"));
  const table = add(tv, el("table", "prf-top"));
  const TABLE_CAP = 500;
  const tableSort = { key: "self", desc: true };
  const TAB_NAMES = { function: "By function", line: "By line", file: "By file" };
  const tabBtns = {};
  for (const k of ["function", "line", "file"]) {
    tabBtns[k] = add(tableTabs, button(TAB_NAMES[k], null, () => {
      state.tab = k;
      update();
    }));
  }
  let filterTimer = 0;
  tableFilter.addEventListener("input", () => {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(drawTable, 100);
  });

  function tableLabel(tab, T, i) {
    if (tab === "function") return str(T.name[i]);
    if (tab === "file") return str(T.file[i]);
    return str(T.name[i]) + "  " + str(T.file[i]) + (T.line[i] ? ":" + T.line[i] : "");
  }

  function drawTable() {
    const tab = state.tab;
    for (const k in tabBtns) tabBtns[k].classList.toggle("prf-on", k === tab);
    clear(table);
    const T = raw.tables && raw.tables[tab];
    if (!T) {
      tableNote.textContent = "No table in this report.";
      return;
    }
    const selfA = (T.self && T.self[state.col]) || [];
    const totA = (T.total && T.total[state.col]) || [];
    const n = (tab === "file" ? T.file : T.name || []).length;
    const whole = totalOf(state.col)[0];
    const q = tableFilter.value.toLowerCase();
    const idx = [];
    const labels = new Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = tableLabel(tab, T, i);
      if (!q || labels[i].toLowerCase().indexOf(q) >= 0) idx.push(i);
    }
    const k = tableSort.key, sgn = tableSort.desc ? -1 : 1;
    if (k === "name") {
      idx.sort((a, b) => sgn * (labels[a] < labels[b] ? -1 : labels[a] > labels[b] ? 1 : 0) || a - b);
    } else {
      const arr = k === "self" ? selfA : totA;
      idx.sort((a, b) => sgn * (arr[a] - arr[b]) || a - b);
    }
    const hr = add(add(table, el("thead")), el("tr"));
    const cols = [["name", tab === "file" ? "File" : tab === "line" ? "Function and line" : "Function"],
      ["self", "Self"], ["selfp", "Self %"], ["total", "Total"], ["totalp", "Total %"]];
    for (const [key, title] of cols) {
      const sortKey = key === "selfp" ? "self" : key === "totalp" ? "total" : key;
      const th = add(hr, el("th", "prf-sortable" + (key === "name" ? "" : " prf-num"), title));
      th.dataset.key = sortKey;
      if (sortKey === k) th.classList.add(tableSort.desc ? "prf-desc" : "prf-asc");
      th.addEventListener("click", () => {
        if (tableSort.key === sortKey) tableSort.desc = !tableSort.desc;
        else {
          tableSort.key = sortKey;
          tableSort.desc = sortKey !== "name";
        }
        drawTable();
      });
    }
    if (tab !== "file") add(hr, el("th", null, ""));
    const tb = add(table, el("tbody"));
    const shown = Math.min(idx.length, TABLE_CAP);
    for (let r = 0; r < shown; r++) {
      const i = idx[r];
      const tr = add(tb, el("tr"));
      add(tr, el("td", "prf-name", labels[i]));
      add(tr, el("td", "prf-num", fmt(selfA[i] || 0)));
      add(tr, el("td", "prf-num", pct((selfA[i] || 0) / whole)));
      add(tr, el("td", "prf-num", fmt(totA[i] || 0)));
      add(tr, el("td", "prf-num", pct((totA[i] || 0) / whole)));
      tr.addEventListener("click", () => {
        // Highlight in the graph through the search, so the matched share
        // and the URL follow.
        state.search = tab === "file" ? "file:^" + escapeRe(str(T.file[i])) + "$" : "^" + escapeRe(str(T.name[i])) + "$";
        state.ic = false;
        setView("flame");
      });
      if (tab !== "file") {
        const td = add(tr, el("td"));
        add(td, button("sandwich", "Callers and callees", (e) => {
          e.stopPropagation();
          openSandwich(str(T.name[i]));
        }));
      }
    }
    tableNote.textContent = idx.length > shown
      ? "Showing the first " + shown + " of " + group(idx.length, 0) + " rows; filter to narrow down."
      : group(idx.length, 0) + " rows.";
  }

  // ---------------------------------------------------------------------
  // Sandwich view: callers above (inverted), callees below
  // ---------------------------------------------------------------------

  const sv = views.sandwich;
  const sandHead = add(sv, el("div", "prf-sandhead"));
  add(sandHead, el("label", null, "Function: "));
  const fnIn = add(sandHead, el("input", "prf-fn"));
  fnIn.setAttribute("list", "prf-fnlist");
  fnIn.setAttribute("aria-label", "Function");
  const fnList = add(sandHead, el("datalist"));
  fnList.id = "prf-fnlist";
  const sandNote = add(sv, el("div", "prf-note"));
  add(sv, el("h2", null, "Callers"));
  const callersCv = add(add(sv, el("div", "prf-canvaswrap")), el("canvas"));
  add(sv, el("h2", null, "Callees"));
  const calleesCv = add(add(sv, el("div", "prf-canvaswrap")), el("canvas"));
  const sandZoom = { callers: 0, callees: 0 };
  let sand = null; // {key, callers, callees}
  let callersL = null, calleesL = null;

  fnIn.addEventListener("change", () => {
    state.fn = fnIn.value;
    sandZoom.callers = sandZoom.callees = 0;
    update();
  });

  function fillFnList() {
    const T = raw.tables && raw.tables.function;
    if (!T || fnList.childElementCount) return;
    const n = Math.min(T.name.length, 1000);
    for (let i = 0; i < n; i++) {
      const o = el("option");
      o.value = str(T.name[i]);
      fnList.appendChild(o);
    }
  }

  // A merged tree built from (parent, name) pairs: node 0 is the function.
  function mergedTree(rootFrame, rootLabel) {
    return { parent: [-1], frame: [rootFrame], self: [0], total: [0], map: new Map(), rootLabel };
  }

  function mergedChild(m, p, f) {
    const sid = f >= 0 ? frName[f] : 0;
    const key = p * STR.length + sid;
    let c = m.map.get(key);
    if (c === undefined) {
      c = m.parent.length;
      m.parent.push(p);
      m.frame.push(f);
      m.self.push(0);
      m.total.push(0);
      m.map.set(key, c);
    }
    return c;
  }

  function finishMerged(m) {
    const t = buildTree(new Int32Array(m.parent), new Int32Array(m.frame));
    t.self = new Float64Array(m.self);
    t.total = new Float64Array(m.total);
    t.rootLabel = m.rootLabel;
    return t;
  }

  function buildSandwich(fnName) {
    const t = main;
    const n = t.n;
    // Outermost occurrences: nodes named fnName with no ancestor so named
    // (recursion must not count a sample twice).
    const isF = new Uint8Array(n);
    const under = new Uint8Array(n);
    let rootFrame = -1;
    // Compare string ids, not strings, in the per-node loop.
    const want = new Uint8Array(STR.length);
    for (let s = 1; s < STR.length; s++) if (STR[s] === fnName) want[s] = 1;
    for (let i = 1; i < n; i++) {
      const f = t.frame[i];
      if (f >= 0 && want[frName[f]]) {
        isF[i] = 1;
        if (rootFrame < 0) rootFrame = f;
      }
      const p = t.parent[i];
      under[i] = p > 0 && (isF[p] || under[p]) ? 1 : 0;
    }
    const callers = mergedTree(rootFrame, fnName);
    const callees = mergedTree(rootFrame, fnName);
    const map = new Int32Array(n).fill(-1);
    let count = 0;
    for (let i = 1; i < n; i++) {
      if (isF[i] && !under[i]) {
        count++;
        const v = t.total[i];
        callers.total[0] += v;
        callees.total[0] += v;
        callees.self[0] += t.self[i];
        // Callers: walk up to the root, merging by name.
        let m = 0;
        let a = t.parent[i];
        if (a <= 0) callers.self[0] += v;
        for (; a > 0; a = t.parent[a]) {
          m = mergedChild(callers, m, t.frame[a]);
          callers.total[m] += v;
          if (t.parent[a] <= 0) callers.self[m] += v;
        }
        map[i] = 0;
      } else if (i > 0 && map[t.parent[i]] >= 0) {
        // Callees: the occurrence's subtree, merged by name. Ids grow from
        // parent to child, so one forward pass visits parents first.
        const m = mergedChild(callees, map[t.parent[i]], t.frame[i]);
        map[i] = m;
        callees.total[m] += t.total[i];
        callees.self[m] += t.self[i];
      }
    }
    return { count, callers: finishMerged(callers), callees: finishMerged(callees) };
  }

  function drawSandwich() {
    fillFnList();
    fnIn.value = state.fn;
    if (!state.fn) {
      sandNote.textContent = "Pick a function (type its name, use a table row's sandwich button, or right-click a frame).";
      prepCanvas(callersCv, width(), 1);
      prepCanvas(calleesCv, width(), 1);
      callersL = calleesL = null;
      return;
    }
    const key = state.fn + "|" + aggKey + "|" + state.col + "|" + filtered();
    if (!sand || sand.key !== key) {
      sand = buildSandwich(state.fn);
      sand.key = key;
    }
    const whole = main.total[0];
    sandNote.textContent = sand.count
      ? state.fn + ": total " + fmt(sand.callees.total[0]) + " (" + pct(sand.callees.total[0] / whole) + "), self " + fmt(sand.callees.self[0])
      : "No frame named \"" + state.fn + "\" in the graph.";
    const w = width();
    for (const [t, cv, which, flip] of [[sand.callers, callersCv, "callers", false], [sand.callees, calleesCv, "callees", true]]) {
      ensureOrder(t);
      if (sandZoom[which] >= t.n) sandZoom[which] = 0;
      const L = drawLayout(cv, layoutTree(t, sandZoom[which], w), {
        flip,
        colour: nodeColourPlain(t),
        label: (n) => labelOf(t, n),
      });
      if (which === "callers") callersL = L; else calleesL = L;
    }
  }

  function nodeColourPlain(t) {
    return (n) => (frameMatches(t.frame[n]) ? MATCH_COLOUR : warmColour(t.frame[n]));
  }

  attachCanvas(callersCv, () => callersL, () => sand.callers, () => sandZoom.callers, (n) => {
    sandZoom.callers = n;
    drawSandwich();
  });
  attachCanvas(calleesCv, () => calleesL, () => sand.callees, () => sandZoom.callees, (n) => {
    sandZoom.callees = n;
    drawSandwich();
  });

  function openSandwich(name) {
    state.fn = name;
    sandZoom.callers = sandZoom.callees = 0;
    setView("sandwich");
  }

  // ---------------------------------------------------------------------
  // Samples: thread selector, activity strip, flame chart
  // ---------------------------------------------------------------------

  const STRIP_ROWS = 20; // cells per column: 50 ms of a one-second column
  const CELL_H = 4;
  let stripCv = null, stripNote = null, threadSel = null;
  let drag = null;
  const cv2 = views.chart;
  const chartCv = add(add(cv2, el("div", "prf-canvaswrap")), el("canvas", "prf-chart"));
  const chartNote = add(cv2, el("div", "prf-note"));
  let chartL = null;
  let chartZoom = null; // [from, to] seconds
  let chartRuns = null;

  function duration() {
    const ts = times();
    return Math.max(ts[ts.length - 1], 1e-9);
  }

  function buildStripBox() {
    clear(stripBox);
    if (!SAMPLES) {
      stripBox.hidden = true;
      return;
    }
    const bar = add(stripBox, el("div", "prf-stripbar"));
    if (THREADS.length) {
      add(bar, el("label", null, "Thread: "));
      threadSel = add(bar, el("select", "prf-thread"));
      const o = add(threadSel, el("option", null, "all threads"));
      o.value = "-1";
      THREADS.forEach((t, i) => {
        const op = add(threadSel, el("option", null, str(t.name) + " (" + t.id + ")"));
        op.value = String(i);
      });
      threadSel.addEventListener("change", () => {
        state.thread = parseInt(threadSel.value, 10);
        chartRuns = null;
        update();
      });
    }
    stripNote = add(bar, el("span", "prf-rangenote"));
    add(bar, button("Clear range", "Use all samples", () => {
      state.range = null;
      chartRuns = null;
      update();
    }));
    stripCv = add(add(stripBox, el("div", "prf-canvaswrap")), el("canvas", "prf-strip"));
    const secAt = (e) => {
      const r = stripCv.getBoundingClientRect();
      const { col, ncol } = stripColumns();
      return Math.max(0, Math.min(ncol * col, ((e.clientX - r.left) / r.width) * ncol * col));
    };
    stripCv.addEventListener("mousedown", (e) => {
      drag = { a: secAt(e), b: secAt(e) };
      e.preventDefault();
    });
    window.addEventListener("mousemove", (e) => {
      if (!drag) return;
      drag.b = secAt(e);
      drawStrip();
    });
    window.addEventListener("mouseup", (e) => {
      if (!drag) return;
      drag.b = secAt(e);
      let a = Math.min(drag.a, drag.b), b = Math.max(drag.a, drag.b);
      const { col } = stripColumns();
      if (b - a < col * 0.02) { // a click: that column
        a = Math.floor(a / col) * col;
        b = a + col;
      }
      drag = null;
      state.range = [a, b];
      chartRuns = null;
      chartZoom = null;
      update();
    });
  }

  // The strip's columns: a second each, as FlameScope, for profiles of ten
  // seconds or more; shorter ones get shorter columns (at least ten of
  // them), so that a 200 ms profile is not one column. Each column's rows
  // split it in STRIP_ROWS cells, top to bottom.
  function stripColumns() {
    const d = duration();
    const steps = [1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001];
    const col = steps.find((s) => d / s >= 10) || steps[steps.length - 1];
    return { col, ncol: Math.max(1, Math.ceil(d / col)) };
  }

  function drawStrip() {
    if (!stripCv) return;
    const ts = times(), th = SAMPLES.thread;
    const { col, ncol } = stripColumns();
    const nsec = ncol; // columns
    const cells = new Float64Array(nsec * STRIP_ROWS);
    let max = 0;
    for (let i = 0; i < ts.length; i++) {
      if (state.thread >= 0 && th[i] !== state.thread) continue;
      const s = Math.min(nsec - 1, Math.floor(ts[i] / col));
      const r = Math.min(STRIP_ROWS - 1, Math.floor((ts[i] / col - s) * STRIP_ROWS));
      const v = ++cells[s * STRIP_ROWS + r];
      if (v > max) max = v;
    }
    const w = width();
    const { ctx } = prepCanvas(stripCv, w, STRIP_ROWS * CELL_H);
    const cw = w / nsec;
    for (let s = 0; s < nsec; s++) {
      for (let r = 0; r < STRIP_ROWS; r++) {
        const v = cells[s * STRIP_ROWS + r];
        if (!v) continue;
        const f = v / max; // white -> orange -> red, as FlameScope
        ctx.fillStyle = rgb(255, 235 - 200 * f, 200 - 200 * f);
        ctx.fillRect(s * cw, r * CELL_H, Math.max(cw - (cw > 3 ? 1 : 0), 0.5), CELL_H - 0.5);
      }
    }
    const sel = drag ? [Math.min(drag.a, drag.b), Math.max(drag.a, drag.b)] : state.range;
    if (sel) {
      ctx.fillStyle = "rgba(60,120,255,0.25)";
      const span = nsec * col;
      ctx.fillRect((sel[0] / span) * w, 0, Math.max(1, ((sel[1] - sel[0]) / span) * w), STRIP_ROWS * CELL_H);
    }
    if (threadSel) threadSel.value = String(state.thread);
    let count = 0;
    if (state.range || state.thread >= 0) {
      for (let i = 0; i < ts.length; i++) {
        if (state.range && (ts[i] < state.range[0] || ts[i] > state.range[1])) continue;
        if (state.thread >= 0 && th[i] !== state.thread) continue;
        count++;
      }
    }
    stripNote.textContent = (state.range
      ? " Range " + state.range[0].toFixed(2) + "–" + state.range[1].toFixed(2) + " s: " + group(count, 0) + " samples. "
      : " Drag across the strip to aggregate a time range. ") + (state.range ? "" : "");
  }

  // Runs of the flame chart: a frame per node per stretch of consecutive
  // samples that have it on their stack, in time order. With several
  // threads shown, each thread gets its own lane (stacked vertically), so
  // interleaved samples of different threads do not chop each other's runs.
  function buildRuns() {
    const ts = times(), node = SAMPLES.node, th = SAMPLES.thread;
    const lo = state.range ? state.range[0] : -Infinity;
    const hi = state.range ? state.range[1] : Infinity;
    const lanes = new Map(); // thread index -> kept sample indices
    for (let i = 0; i < ts.length; i++) {
      if (ts[i] < lo || ts[i] > hi) continue;
      if (state.thread >= 0 && th[i] !== state.thread) continue;
      if (node[i] < 0 || node[i] >= main.n) continue;
      const lane = state.thread >= 0 ? state.thread : th[i];
      if (!lanes.has(lane)) lanes.set(lane, []);
      lanes.get(lane).push(i);
    }
    const runs = { start: [], end: [], node: [], depth: [], label: [], root: [], maxDepth: 0,
      from: Infinity, to: -Infinity, count: 0 };
    const laneIds = Array.from(lanes.keys()).sort((x, y) => x - y);
    let base = 0;
    for (const lane of laneIds) {
      const keep = lanes.get(lane);
      const laneLabel = laneIds.length > 1 || lane >= 0
        ? (lane >= 0 && THREADS[lane] ? str(THREADS[lane].name) + " (" + THREADS[lane].id + ")" : "no thread")
        : null;
      // A sample lasts until the next kept one, at most twice the median
      // gap, so idle stretches stay empty.
      const gaps = [];
      for (let k = 1; k < keep.length; k++) gaps.push(ts[keep[k]] - ts[keep[k - 1]]);
      gaps.sort((x, y) => x - y);
      const med = gaps.length ? gaps[gaps.length >> 1] || 0.001 : 0.001;
      const open = []; // per depth: [node, start]
      let prevEnd = -Infinity;
      let laneMax = 0;
      const stack = [];
      const close = (d, end) => {
        while (open.length > d) {
          const o = open.pop();
          const depth = open.length;
          runs.node.push(o[0]);
          runs.start.push(o[1]);
          runs.end.push(end);
          runs.depth.push(base + depth);
          runs.root.push(depth === 0);
          runs.label.push(depth === 0 ? laneLabel : null);
        }
      };
      for (let k = 0; k < keep.length; k++) {
        const i = keep[k];
        const t = ts[i];
        const next = k + 1 < keep.length ? ts[keep[k + 1]] : t + med;
        const end = t + Math.min(next - t, 2 * med);
        stack.length = 0;
        for (let x = node[i]; x >= 0; x = main.parent[x]) stack.push(x);
        stack.reverse(); // root first
        if (t > prevEnd + 1e-9) close(0, prevEnd);
        let d = 0;
        while (d < open.length && d < stack.length && open[d][0] === stack[d]) d++;
        close(d, t);
        for (; d < stack.length; d++) open.push([stack[d], t]);
        if (stack.length - 1 > laneMax) laneMax = stack.length - 1;
        prevEnd = end;
      }
      close(0, prevEnd);
      if (keep.length) {
        runs.from = Math.min(runs.from, ts[keep[0]]);
        runs.to = Math.max(runs.to, prevEnd);
      }
      runs.count += keep.length;
      runs.maxDepth = base + laneMax;
      base += laneMax + 2; // an empty row between lanes
    }
    if (!runs.count) {
      runs.from = 0;
      runs.to = 1;
    }
    return runs;
  }

  function drawChart() {
    if (!SAMPLES) return;
    if (!chartRuns) chartRuns = buildRuns();
    const R = chartRuns;
    const w = width();
    const from = chartZoom ? chartZoom[0] : R.from;
    const to = chartZoom ? chartZoom[1] : R.to;
    const scale = w / Math.max(to - from, 1e-12);
    const L = { node: [], x: [], w: [], d: [], base: 0, rows: R.maxDepth + 1, width: w, run: [] };
    for (let r = 0; r < R.node.length; r++) {
      if (R.end[r] <= from || R.start[r] >= to) continue;
      const x0 = Math.max(0, (R.start[r] - from) * scale);
      const x1 = Math.min(w, (R.end[r] - from) * scale);
      if (x1 - x0 < MIN_W) continue;
      L.node.push(R.node[r]); L.x.push(x0); L.w.push(x1 - x0); L.d.push(R.depth[r]); L.run.push(r);
    }
    chartL = drawLayout(chartCv, L, {
      flip: true,
      colour: nodeColour(main, 0),
      label: (n, i) => (R.label[L.run[i]] !== null ? R.label[L.run[i]] : labelOf(main, n)),
    });
    chartNote.textContent = group(R.count, 0) + " samples, " + (to - from).toFixed(3) + " s shown" +
      (chartZoom ? " (click a lane's top row or press Esc to zoom out)" : "; click a frame to zoom in time.");
  }

  attachCanvas(chartCv, () => chartL, () => main, () => state.zoom, (n, i) => {
    const r = chartL.run[i];
    chartZoom = r === undefined || chartRuns.root[r] ? null : [chartRuns.start[r], chartRuns.end[r]];
    drawChart();
  });

  // ---------------------------------------------------------------------
  // Help, keyboard, views
  // ---------------------------------------------------------------------

  function buildHelp() {
    add(help, el("h2", null, "Keyboard"));
    const dl = add(help, el("dl"));
    for (const [k, v] of [["/ or Ctrl-F", "focus the search"], ["Esc", "reset zoom, close this help"],
      ["1 2 3 4", "flame graph, top table, sandwich, flame chart"], ["?", "this help"],
      ["click", "zoom to a frame"], ["right-click", "sandwich view of a frame's function"]]) {
      add(dl, el("dt", null, k), el("dd", null, v));
    }
    add(help, el("p", null, "Search takes a regular expression (matched as plain text when invalid); prefix file: to search file names. The view is saved in the address, so a link reopens it."));
    add(help, button("Close", null, () => { help.hidden = true; }));
  }

  document.addEventListener("keydown", (e) => {
    const tag = e.target && e.target.tagName;
    const typing = tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA";
    if ((e.ctrlKey || e.metaKey) && (e.key === "f" || e.key === "F")) {
      e.preventDefault();
      setView(state.view === "table" || state.view === "sandwich" ? "flame" : state.view);
      searchIn.focus();
      searchIn.select();
      return;
    }
    if (e.key === "Escape") {
      if (!help.hidden) {
        help.hidden = true;
        return;
      }
      if (typing) e.target.blur();
      resetZoom();
      return;
    }
    if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "/") {
      e.preventDefault();
      searchIn.focus();
      searchIn.select();
    } else if (e.key === "?") {
      help.hidden = !help.hidden;
    } else if (e.key >= "1" && e.key <= "4") {
      const v = VIEWS[e.key.charCodeAt(0) - 49];
      if (v !== "chart" || SAMPLES) setView(v);
    }
  });

  window.addEventListener("hashchange", () => {
    readHash();
    chartRuns = null;
    update();
  });

  let resizeTimer = 0;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(update, 100);
  });

  function setView(v) {
    state.view = v;
    update();
  }

  // One place that brings the page in line with `state`.
  function update() {
    applyValues();
    compileSearch();
    writeHash();
    updateHeader();
    for (const v of VIEWS) {
      views[v].hidden = v !== state.view;
      if (tabs[v]) tabs[v].classList.toggle("prf-on", v === state.view);
    }
    if (document.activeElement !== searchIn) searchIn.value = state.search;
    icIn.checked = state.ic;
    orderBtn.textContent = state.order === "alpha" ? "Order: A–Z" : "Order: heaviest";
    icicleBtn.textContent = state.icicle ? "Icicle" : "Flame";
    tbGraph.hidden = state.view === "table";
    stripBox.hidden = !SAMPLES || !(state.view === "flame" || state.view === "chart");
    if (state.search) {
      const v = matchedValue(main, 0);
      matchedEl.textContent = "Matched: " + pct(v / main.total[0]) + " (" + fmt(v) + ")" + (searchPlain ? " — not a valid regex, matched as text" : "");
      lastMatch = { value: v, share: v / main.total[0] };
    } else {
      matchedEl.textContent = "";
      lastMatch = null;
    }
    if (!stripBox.hidden) drawStrip();
    if (state.view === "flame") drawFlame();
    else if (state.view === "table") drawTable();
    else if (state.view === "sandwich") drawSandwich();
    else if (state.view === "chart") drawChart();
  }

  let lastMatch = null;

  // A read-only hook for the browser tests (tests/browser/report_test.js):
  // what is laid out where, without reaching into closures.
  function framesOf(L, t) {
    if (!L) return [];
    const out = [];
    for (let i = 0; i < L.node.length; i++) {
      if (L.y && L.y[i] < 0) continue;
      out.push({ node: L.node[i], name: labelOf(t, L.node[i]), x: L.x[i], w: L.w[i], y: L.y ? L.y[i] : 0, depth: L.d[i] + L.base });
    }
    return out;
  }
  Object.defineProperty(window, "__prf", {
    value: Object.freeze({
      get view() { return state.view; },
      get zoom() { return state.zoom; },
      get width() { return flameL ? flameL.width : 0; },
      get firstDraw() { return firstDraw; },
      get startedAt() { return T_START; },
      get matched() { return lastMatch; },
      get rootTotal() { return main.total[0]; },
      get range() { return state.range ? state.range.slice() : null; },
      get sandwichTotal() { return sand ? sand.callees.total[0] : null; },
      frames: () => framesOf(flameL, main),
      chartFrames: () => framesOf(chartL, main),
      callers: () => (sand ? framesOf(callersL, sand.callers) : []),
      callees: () => (sand ? framesOf(calleesL, sand.callees) : []),
    }),
  });

  // ---------------------------------------------------------------------
  // Start
  // ---------------------------------------------------------------------

  readHash();
  buildHeader();
  buildBanner();
  buildStripBox();
  buildHelp();
  update();
})();
