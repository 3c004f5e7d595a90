#!/usr/bin/env node
/*
 * Browser test for the HTML report's page (render/report.js and .css).
 *
 *   node tests/browser/report_test.js [--out DIR] [--large PAGE] PAGE...
 *
 * Each PAGE is a report HTML file (today assembled by make_report_page.py
 * from fixtures; later written by `prof-render report`). What is checked
 * depends on the page's own DATA (read here from the file, independently
 * of the script): every page loads without console errors, page errors,
 * CSP violations or dialogs; zoom, breadcrumbs, reset, search share,
 * invalid regex, the table's sorting and filter, views, URL state and the
 * sandwich view; timed pages also the flame chart, thread and range;
 * diff pages the verdict and colours; pages with hostile names that the
 * names stay text. --large PAGE measures the time to the first drawn graph
 * and saves a screenshot of it in DIR ($TMPDIR by default).
 * Prints "ok N - ..." lines and a closing "P passed, F failed"; exits 1 on
 * any failure.
 */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { pathToFileURL } = require('url');
const { chromium } = require('playwright-core');

const { LAUNCH, check, finish } = require('./common');


// ---- the page's DATA, read from the file (not through the script) ----

function readData(file) {
  const html = fs.readFileSync(file, 'utf8');
  const m = /<script type="application\/json" id="prf-data">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error(`${file}: no prf-data block`);
  return { data: JSON.parse(m[1]), html };
}

// Independent model of the tree: children lists in id order.
function model(d) {
  const parent = d.nodes.parent, n = parent.length;
  const kids = Array.from({ length: n }, () => []);
  for (let i = 1; i < n; i++) kids[parent[i]].push(i);
  const name = i => (d.nodes.frame[i] >= 0 ? d.strings[d.frames.name[d.nodes.frame[i]]] : '');
  return { n, parent, kids, name };
}

// Matched share as the contract implies: a match's subtree is not counted
// again (each sample once).
function expectedShare(d, m, re, col) {
  const total = d.nodes.total[col];
  let sum = 0;
  const stack = [0];
  while (stack.length) {
    const i = stack.pop();
    if (i > 0 && re.test(m.name(i))) { sum += total[i]; continue; }
    for (const c of m.kids[i]) stack.push(c);
  }
  return sum / total[0];
}

const escapeRe = s => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// ---- browser plumbing ----

async function openPage(browser, file, problems, opts = {}) {
  const page = await browser.newPage({ viewport: { width: opts.width || 1280, height: 900 } });
  // CSP violations: both the console message and the DOM event.
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', e => {
      window.__csp.push(e.violatedDirective + ' ' + e.blockedURI);
    });
  });
  page.on('pageerror', e => problems.push('pageerror: ' + e.message));
  page.on('console', msg => { if (msg.type() === 'error' || /Content Security Policy/.test(msg.text())) problems.push('console: ' + msg.text()); });
  page.on('dialog', async dlg => { problems.push('dialog: ' + dlg.message()); await dlg.dismiss(); });
  page.on('request', req => { if (!/^(file|data|about):/.test(req.url())) problems.push('network: ' + req.url()); });
  const t0 = Date.now();
  await page.goto(pathToFileURL(file).href + (opts.hash || ''), { waitUntil: 'load' });
  await page.waitForFunction(() => window.__prf && window.__prf.firstDraw > 0, null, { timeout: 20000 });
  page.loadMs = Date.now() - t0;
  return page;
}

async function cleanLoad(page, problems, label) {
  const csp = await page.evaluate(() => window.__csp);
  check(problems.length === 0 && csp.length === 0, `${label}: no console errors, page errors, dialogs or CSP violations`,
        problems.concat(csp));
}

const prf = (page, expr) => page.evaluate(expr);

async function canvasBox(page, sel = 'canvas.prf-flame') {
  return page.locator(sel).boundingBox();
}

// A point of a canvas in viewport coordinates, scrolled into view first:
// deep graphs (a real perf profile) are taller than the window, and the
// mouse only reaches what is on screen.
async function canvasPoint(page, sel, x, y) {
  await page.evaluate(([sel, y]) => {
    const r = document.querySelector(sel).getBoundingClientRect();
    if (r.top + y < 20 || r.top + y > window.innerHeight - 20)
      window.scrollBy(0, r.top + y - window.innerHeight / 2);
  }, [sel, y]);
  const box = await canvasBox(page, sel);
  return { x: box.x + x, y: box.y + y };
}

async function clickFrame(page, f, sel = 'canvas.prf-flame', button = 'left') {
  const p = await canvasPoint(page, sel, f.x + Math.min(f.w / 2, 20), f.y + 8);
  await page.mouse.click(p.x, p.y, { button });
}

async function setSearch(page, text) {
  await page.fill('.prf-search input[type=search]', text);
  await page.press('.prf-search input[type=search]', 'Enter');
  // Shortcuts are ignored while typing, as they should be: leave the box.
  await page.evaluate(() => document.activeElement.blur());
}

const matchedText = page => page.textContent('.prf-matched');

// ---- checks for every page ----

async function commonChecks(browser, file) {
  const label = path.basename(file);
  const { data: d } = readData(file);
  const m = model(d);
  const col = d.column;
  const problems = [];
  const page = await openPage(browser, file, problems);
  await cleanLoad(page, problems, `${label} loads`);

  // Header
  const h1 = await page.textContent('h1');
  check(h1 === d.title, `${label}: title shown as text`, h1);

  // Zoom: the widest frame below the root that has children.
  let frames = await prf(page, () => window.__prf.frames());
  const width = await prf(page, () => window.__prf.width);
  const cand = frames.filter(f => f.depth >= 1 && m.kids[f.node].length && f.w > 10)
    .sort((a, b) => (b.depth >= 2) - (a.depth >= 2) || b.w - a.w)[0];
  if (cand) {
    await clickFrame(page, cand);
    const zoom = await prf(page, () => window.__prf.zoom);
    frames = await prf(page, () => window.__prf.frames());
    const z = frames.find(f => f.node === cand.node);
    check(zoom === cand.node && z && Math.abs(z.x) < 0.01 && Math.abs(z.w - width) < 0.01,
          `${label}: clicking "${cand.name}" zooms it to the full width`, { zoom, z, width });
    const anc = frames.filter(f => f.depth < cand.depth);
    check(anc.length === cand.depth && anc.every(f => f.x === 0 && Math.abs(f.w - width) < 0.01),
          `${label}: ancestors span the width`, anc);
    // Every other frame lies inside the zoomed one (its subtree only).
    const inside = frames.filter(f => f.depth > cand.depth).every(f => {
      let a = f.node;
      while (a > 0 && a !== cand.node) a = m.parent[a];
      return a === cand.node && f.x >= -0.01 && f.x + f.w <= width + 0.01;
    });
    check(inside, `${label}: only the zoomed frame's subtree is drawn above it`);
    const crumbs = await page.$$eval('.prf-crumbs button', bs => bs.map(b => b.textContent));
    check(crumbs.length === cand.depth + 1 && crumbs[crumbs.length - 1] === cand.name,
          `${label}: breadcrumbs show the zoom path`, crumbs);
    check(/[#&]z=\d+/.test(page.url()), `${label}: zoom is in the URL fragment`, page.url());
    // Source link (only with data.source and a file).
    const f = d.nodes.frame[cand.node];
    if (d.source && d.frames.file[f]) {
      const a = await page.$('a.prf-src');
      const href = a && await a.getAttribute('href');
      const enc = s => encodeURIComponent(s).replace(/%2F/gi, '/');
      const want = d.source.url.split('{path}').join(enc(d.strings[d.frames.file[f]]))
        .split('{line}').join(d.frames.line[f] ? String(d.frames.line[f]) : '')
        .split('{rev}').join(enc(d.source.rev));
      const ok = /^https?:\/\//.test(want) ? href === want : href === null;
      check(ok && (!a || await a.getAttribute('rel') === 'noopener noreferrer'),
            `${label}: source link of the zoomed frame`, { href, want });
    }
    // Reload keeps the view.
    await page.reload({ waitUntil: 'load' });
    await page.waitForFunction(() => window.__prf && window.__prf.firstDraw > 0);
    check(await prf(page, () => window.__prf.zoom) === cand.node, `${label}: reload keeps the zoom`);
    await page.keyboard.press('Escape');
    check(await prf(page, () => window.__prf.zoom) === 0 &&
          await page.$eval('.prf-crumbs', e => e.hidden), `${label}: Esc resets the zoom`);
  }

  // Icicle toggle: the root moves from the bottom row to the top.
  const rootY = async () => (await prf(page, () => window.__prf.frames())).find(f => f.node === 0).y;
  const y0 = await rootY();
  await page.click('.prf-graphbtns button:text-is("Flame")');
  const y1 = await rootY();
  check(y0 > 0 && y1 === 0 && /[#&]ic=1/.test(page.url()), `${label}: icicle toggle puts the root on top`, { y0, y1 });
  await page.click('.prf-graphbtns button:text-is("Icicle")');
  // Order toggle: heaviest first puts the root's children by total, left
  // to right; alphabetical by name.
  const rootKids = async () => (await prf(page, () => window.__prf.frames()))
    .filter(f => f.depth === 1).sort((a, b) => a.x - b.x).map(f => f.node);
  const tot = d.nodes.total[col];
  const alpha = m.kids[0].filter(k => tot[k] > 0).slice()
    .sort((a, b) => (m.name(a) < m.name(b) ? -1 : m.name(a) > m.name(b) ? 1 : a - b));
  const kidsA = await rootKids();
  await page.click('.prf-graphbtns button:text-is("Order: A–Z")');
  const kidsH = await rootKids();
  const heavy = m.kids[0].filter(k => tot[k] > 0).slice().sort((a, b) => tot[b] - tot[a] || a - b);
  check(JSON.stringify(kidsA) === JSON.stringify(alpha.filter(k => kidsA.includes(k))) &&
        JSON.stringify(kidsH) === JSON.stringify(heavy.filter(k => kidsH.includes(k))),
        `${label}: order toggle (alphabetical, heaviest first)`, { kidsA, kidsH });
  await page.click('.prf-graphbtns button:text-is("Order: heaviest")');

  // Hover tooltip: the root frame's total.
  frames = await prf(page, () => window.__prf.frames());
  const root = frames.find(f => f.node === 0);
  const rp = await canvasPoint(page, 'canvas.prf-flame', 5, root.y + 8);
  await page.mouse.move(rp.x, rp.y);
  const tipText = await page.$eval('.prf-tip', e => (e.hidden ? '' : e.textContent));
  check(/total/.test(tipText) && tipText.indexOf('100.00%') >= 0, `${label}: hovering the root shows a tooltip`, tipText);
  await page.mouse.move(1, 1);

  // Search: a name that occurs most often (nested matches count once).
  const counts = new Map();
  for (let i = 1; i < m.n; i++) counts.set(m.name(i), (counts.get(m.name(i)) || 0) + 1);
  const name = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0];
  const q = '^' + escapeRe(name) + '$';
  await setSearch(page, q);
  const want = expectedShare(d, m, new RegExp(q), col);
  let txt = await matchedText(page);
  check(txt.startsWith(`Matched: ${(want * 100).toFixed(2)}%`), `${label}: search "${name}" matches ${(want * 100).toFixed(2)}%`, txt);
  const drawnMatch = await page.evaluate(() => {
    const cv = document.querySelector('canvas.prf-flame');
    const fr = window.__prf.frames(), dpr = window.devicePixelRatio || 1;
    const ctx = cv.getContext('2d');
    return fr.filter(f => f.w > 4).map(f => {
      const p = ctx.getImageData(Math.floor((f.x + 2) * dpr), Math.floor((f.y + 2) * dpr), 1, 1).data;
      return { name: f.name, magenta: p[0] === 230 && p[1] === 0 && p[2] === 230 };
    });
  });
  check(drawnMatch.length > 0 && drawnMatch.every(f => f.magenta === (f.name === name)),
        `${label}: matches are highlighted in the graph`, drawnMatch.filter(f => f.magenta !== (f.name === name)));
  // Ignore case
  if (/[a-z]/.test(name)) {
    await page.check('.prf-ic input');
    await setSearch(page, q.toUpperCase());
    txt = await matchedText(page);
    check(txt.startsWith(`Matched: ${(want * 100).toFixed(2)}%`), `${label}: ignore-case search`, txt);
    await page.uncheck('.prf-ic input');
  }
  // An invalid regex is matched as text, without an error.
  await setSearch(page, '(' + name);
  txt = await matchedText(page);
  const plain = expectedShare(d, m, new RegExp(escapeRe('(' + name)), col);
  check(/not a valid regex/.test(txt) && txt.startsWith(`Matched: ${(plain * 100).toFixed(2)}%`),
        `${label}: invalid regex falls back to plain text`, txt);
  await setSearch(page, '');

  // Views by key, and the table.
  await page.keyboard.press('2');
  check(await prf(page, () => window.__prf.view) === 'table' && await page.isVisible('table.prf-top'),
        `${label}: key 2 shows the top table`);
  await tableChecks(page, d, label);
  await page.keyboard.press('3');
  check(await prf(page, () => window.__prf.view) === 'sandwich', `${label}: key 3 shows the sandwich view`);
  await page.keyboard.press('1');
  check(await prf(page, () => window.__prf.view) === 'flame' && await page.isVisible('canvas.prf-flame'),
        `${label}: key 1 shows the flame graph`);
  await page.keyboard.press('4');
  check(await prf(page, () => window.__prf.view) === (d.samples ? 'chart' : 'flame'),
        `${label}: key 4 ${d.samples ? 'shows the flame chart' : 'does nothing without samples'}`);
  await page.keyboard.press('1');

  // Sandwich from a frame's context menu: the callees' root total is the
  // function's exact total (no pruning in fixtures).
  const fnT = d.tables.function;
  const fi = fnT.name.map((s, i) => i).find(i => d.strings[fnT.name[i]] === name);
  frames = await prf(page, () => window.__prf.frames());
  const target = frames.find(f => f.name === name);
  if (target && fi !== undefined && !(d.pruned && d.pruned.nodes)) {
    await clickFrame(page, target, 'canvas.prf-flame', 'right');
    const callees = await prf(page, () => window.__prf.callees());
    const callers = await prf(page, () => window.__prf.callers());
    const note = await page.textContent('.prf-view-sandwich .prf-note');
    check(await prf(page, () => window.__prf.view) === 'sandwich' && callees.length > 0 && callers.length > 0 &&
          callees[0].name === name && callers[0].name === name,
          `${label}: right-click opens the sandwich of "${name}"`, { callees: callees.length, callers: callers.length });
    check(/total/.test(note), `${label}: sandwich shows the function's total`, note);
    const rootTotal = await prf(page, () => window.__prf.sandwichTotal);
    check(rootTotal === fnT.total[col][fi], `${label}: sandwich total equals the table's total`, { rootTotal, want: fnT.total[col][fi] });
  }

  // Theme: dark colours follow prefers-color-scheme.
  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.emulateMedia({ colorScheme: 'light' });
  const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  check(dark !== light, `${label}: dark theme follows prefers-color-scheme`, { dark, light });

  // Help
  await page.keyboard.press('?');
  check(await page.isVisible('.prf-help'), `${label}: ? shows the help`);
  await page.keyboard.press('Escape');

  await cleanLoad(page, problems, `${label} after interaction`);
  await page.close();
  return { data: d, model: m };
}

async function tableChecks(page, d, label) {
  const T = d.tables.function;
  const col = d.column;
  const names = T.name.map(s => d.strings[s]);
  const rows = () => page.$$eval('table.prf-top tbody tr td.prf-name', tds => tds.map(t => t.textContent));
  for (const [key, arr] of [['total', T.total[col]], ['self', T.self[col]]]) {
    const th = `table.prf-top th[data-key="${key}"]`;
    // First click sorts descending unless already sorted by it.
    await page.click(th);
    if (!(await page.$eval(th, e => e.classList.contains('prf-desc')))) await page.click(th);
    const idx = names.map((_, i) => i).sort((a, b) => arr[b] - arr[a] || a - b);
    const want = idx.slice(0, 500).map(i => names[i]);
    let got = await rows();
    check(JSON.stringify(got) === JSON.stringify(want), `${label}: table sorted by ${key}, descending`, { got: got.slice(0, 5), want: want.slice(0, 5) });
    await page.click(th);
    const asc = names.map((_, i) => i).sort((a, b) => arr[a] - arr[b] || a - b).slice(0, 500).map(i => names[i]);
    got = await rows();
    check(JSON.stringify(got) === JSON.stringify(asc), `${label}: table sorted by ${key}, ascending`, { got: got.slice(0, 5), want: asc.slice(0, 5) });
  }
  // Filter
  const probe = names[0].slice(0, 3);
  await page.fill('input.prf-filter', probe);
  await page.waitForTimeout(250);
  const got = await rows();
  const want = names.filter(s => s.toLowerCase().includes(probe.toLowerCase())).length;
  check(got.length === Math.min(500, want) && got.every(s => s.toLowerCase().includes(probe.toLowerCase())),
        `${label}: filter "${probe}" keeps ${want} rows`, got.length);
  await page.fill('input.prf-filter', '');
  await page.waitForTimeout(250);
  // Other tabs have rows.
  for (const tab of ['line', 'file']) {
    await page.click(`.prf-subtabs button:text-is("By ${tab}")`);
    const n = await page.$$eval('table.prf-top tbody tr', r => r.length);
    const want = (tab === 'file' ? d.tables.file.file : d.tables.line.name).length;
    check(n === Math.min(500, want), `${label}: "${tab}" tab shows ${Math.min(500, want)} rows`, n);
  }
  await page.click('.prf-subtabs button:text-is("By function")');
  // A row click highlights that function in the graph (via the search).
  const firstName = (await rows())[0];
  await page.click('table.prf-top tbody tr >> nth=0');
  const s = await page.inputValue('.prf-search input[type=search]');
  check(await prf(page, () => window.__prf.view) === 'flame' && s === '^' + escapeRe(firstName) + '$',
        `${label}: clicking a row highlights "${firstName}" in the graph`, s);
  await setSearch(page, '');
  await page.keyboard.press('2');
}

// ---- timed pages: flame chart, thread, range ----

async function timedChecks(browser, file) {
  const label = path.basename(file);
  const { data: d } = readData(file);
  const problems = [];
  const page = await openPage(browser, file, problems);
  const col = d.column;
  await page.keyboard.press('4');
  const chart = await prf(page, () => window.__prf.chartFrames());
  check(chart.length > 0, `${label}: flame chart draws ${chart.length} frames`);
  const lanes = new Set(d.samples.thread).size;
  check(chart.filter(f => f.node === 0).length === lanes, `${label}: flame chart has a lane per thread (${lanes})`,
        chart.filter(f => f.node === 0));
  // Clicking a frame below a lane's root zooms the chart in time.
  const sub = chart.filter(f => f.node !== 0 && f.w > 20)[0];
  if (sub) {
    await clickFrame(page, sub, 'canvas.prf-chart');
    const z = (await prf(page, () => window.__prf.chartFrames())).find(f => f.node === sub.node && f.depth === sub.depth);
    check(z && Math.abs(z.w - (await prf(page, () => window.__prf.width))) < 0.5,
          `${label}: clicking a chart frame zooms it to the width`, z);
    await page.keyboard.press('Escape');
  }
  // Thread filter (offered when there are threads to choose between): the
  // graph's root total becomes that thread's weight.
  const w = d.samples.weight[col];
  if (d.threads.length >= 1) {
    const ti = d.threads.length - 1;
    await page.selectOption('select.prf-thread', String(ti));
    const sumT = d.samples.thread.reduce((s, t, i) => s + (t === ti ? w[i] : 0), 0);
    check(await prf(page, () => window.__prf.rootTotal) === sumT, `${label}: thread filter sums that thread's samples`, sumT);
    await page.selectOption('select.prf-thread', '-1');
  }
  // Range: drag over the middle of the strip.
  await page.keyboard.press('1');
  const box = await canvasBox(page, 'canvas.prf-strip');
  await page.mouse.move(box.x + box.width * 0.25, box.y + 10);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, box.y + 10, { steps: 5 });
  await page.mouse.up();
  const range = await prf(page, () => window.__prf.range);
  let t = 0, sumR = 0;
  for (let i = 0; i < d.samples.dt.length; i++) {
    t += d.samples.dt[i];
    const s = t / 1e9;
    if (range && s >= range[0] && s <= range[1]) sumR += w[i];
  }
  const rt = await prf(page, () => window.__prf.rootTotal);
  check(range && rt === sumR && sumR > 0 && sumR < d.nodes.total[col][0],
        `${label}: dragging a range re-aggregates the graph (${range && range.map(x => x.toFixed(2)).join('-')} s)`, { rt, sumR });
  check(/[#&]r=/.test(page.url()), `${label}: range is in the URL`, page.url());
  await page.click('button:text-is("Clear range")');
  check(await prf(page, () => window.__prf.rootTotal) === d.nodes.total[col][0], `${label}: clearing the range restores the totals`);
  await cleanLoad(page, problems, `${label} (timed) after interaction`);
  await page.close();
}

// ---- diff pages: verdict and colours ----

async function diffChecks(browser, file) {
  const label = path.basename(file);
  const { data: d } = readData(file);
  const problems = [];
  const page = await openPage(browser, file, problems);
  const text = await page.textContent('.prf-banner');
  const verdict = d.diff.verdict === 'regression' ? 'Regression' : 'OK';
  check(text.startsWith(verdict), `${label}: verdict banner says ${verdict}`, text.slice(0, 80));
  const n = await page.$$eval('.prf-diffrows tbody tr', r => r.length);
  check(n === d.diff.rows.length, `${label}: regression table has ${d.diff.rows.length} rows`, n);
  // Colours: a frame that grew is red, one that shrank blue.
  const px = await page.evaluate(() => {
    const cv = document.querySelector('canvas.prf-flame');
    const dpr = window.devicePixelRatio || 1, ctx = cv.getContext('2d');
    return window.__prf.frames().filter(f => f.w > 4).map(f => {
      const p = ctx.getImageData(Math.floor((f.x + 2) * dpr), Math.floor((f.y + 2) * dpr), 1, 1).data;
      return { node: f.node, name: f.name, rgb: [p[0], p[1], p[2]] };
    });
  });
  const bad = px.filter(f => {
    const delta = d.nodes.total[1][f.node] - d.nodes.total[0][f.node];
    const [r, , b] = f.rgb;
    return delta > 0 ? !(r === 255 && b < 250) : delta < 0 ? !(b === 255 && r < 250) : false;
  });
  check(px.length > 0 && bad.length === 0, `${label}: frames are red when they grew and blue when they shrank`, bad);
  await cleanLoad(page, problems, `${label} (diff)`);
  await page.close();
}

// ---- hostile names ----

async function hostileChecks(browser, file) {
  const label = path.basename(file);
  const { data: d } = readData(file);
  const problems = [];
  const page = await openPage(browser, file, problems);
  await page.keyboard.press('2');
  await page.mouse.move(300, 300);
  const cells = await page.$$eval('table.prf-top td.prf-name', t => t.map(e => e.textContent));
  const names = d.tables.function.name.map(s => d.strings[s]);
  check(names.every(n => cells.includes(n)), `${label}: every hostile name is shown as text in the table`,
        names.filter(n => !cells.includes(n)));
  const dom = await page.evaluate(() => ({
    scripts: document.scripts.length, imgs: document.images.length, svgs: document.querySelectorAll('svg').length,
    styled: document.querySelectorAll('[style]').length - document.querySelectorAll('canvas[style], .prf-tip[style]').length,
    pwned: typeof window.__pwned, h1: document.querySelector('h1').textContent,
    meta: [...document.querySelectorAll('.prf-info dd')].map(e => e.textContent),
  }));
  check(dom.scripts === 2 && dom.imgs === 0 && dom.svgs === 0 && dom.pwned === 'undefined',
        `${label}: no element was created from the names`, dom);
  check(dom.h1 === d.title && (d.info.meta.length === 0 || dom.meta.includes(d.info.meta[0][1])),
        `${label}: title and metadata shown as text`, dom);
  // Search for every name as text, and hover every frame.
  for (const n of names) {
    await setSearch(page, n);
  }
  await page.keyboard.press('1');
  const frames = await prf(page, () => window.__prf.frames());
  const box = await canvasBox(page);
  for (const f of frames) await page.mouse.move(box.x + f.x + 1, box.y + f.y + 8);
  // Zoom a hostile frame, which shows its (unsafe) source link: the rev
  // is percent-encoded so the URL stays an https URL.
  const hf = frames.find(f => f.depth === 2) || frames.find(f => f.depth === 1);
  await clickFrame(page, hf);
  const href = await page.$eval('a.prf-src', a => a.href).catch(() => null);
  check(href === null || /^https:\/\/example\.com\/[^"<> ]*$/.test(href), `${label}: source link is an encoded https URL`, href);
  await page.waitForTimeout(200);
  await cleanLoad(page, problems, `${label} (hostile) after hovering, searching, zooming`);
  await page.close();
}

// ---- the large page: time to the first drawn graph ----

async function largeChecks(browser, file, outDir) {
  const label = path.basename(file);
  const problems = [];
  const t0 = Date.now();
  let page = await openPage(browser, file, problems);
  const wall = Date.now() - t0;
  const inPage = await prf(page, () => window.__prf.firstDraw);
  const started = await prf(page, () => window.__prf.startedAt);
  const nframes = (await prf(page, () => window.__prf.frames())).length;
  // "script" is the page's own share: from the script's first line to the
  // drawn graph; the rest is Chromium reading and parsing the HTML.
  console.log(`# ${label}: first graph drawn ${inPage.toFixed(0)} ms after navigation start ` +
              `(script ${(inPage - started).toFixed(0)} ms; ${wall} ms wall incl. load), ${nframes} frames drawn`);
  check(inPage < 10000, `${label}: interactive within 10 s (${(inPage / 1000).toFixed(2)} s)`);
  const shot = path.join(outDir, 'report-large-flame.png');
  await page.locator('canvas.prf-flame').screenshot({ path: shot });
  console.log(`# screenshot: ${shot}`);
  // Interaction stays quick: zoom on the widest child of the root.
  const frames = await prf(page, () => window.__prf.frames());
  const c = frames.filter(f => f.depth === 1).sort((a, b) => b.w - a.w)[0];
  let t = Date.now();
  await clickFrame(page, c);
  await page.waitForFunction(n => window.__prf.zoom === n, c.node);
  const zoomMs = Date.now() - t;
  t = Date.now();
  await setSearch(page, 'func_1[0-9]_');
  await page.waitForFunction(() => /Matched/.test(document.querySelector('.prf-matched').textContent));
  const searchMs = Date.now() - t;
  t = Date.now();
  await page.keyboard.press('2');
  await page.waitForSelector('table.prf-top tbody tr');
  const tableMs = Date.now() - t;
  console.log(`# ${label}: zoom ${zoomMs} ms, search ${searchMs} ms, table ${tableMs} ms`);
  check(zoomMs < 5000 && searchMs < 5000 && tableMs < 5000, `${label}: zoom, search and table respond within 5 s`);
  // A zoom into the deepest stack (thousands of levels): the walks are
  // iterative, so this must neither throw nor stall.
  const { data: d } = readData(file);
  const par = d.nodes.parent;
  const depth = new Int32Array(par.length);
  let deep = 0;
  for (let i = 1; i < par.length; i++) {
    depth[i] = depth[par[i]] + 1;
    if (depth[i] > depth[deep]) deep = i;
  }
  await cleanLoad(page, problems, `${label} (large)`);
  await page.close();
  t = Date.now();
  page = await openPage(browser, file, problems, { hash: '#z=' + deep });
  const zf = (await prf(page, () => window.__prf.frames())).find(f => f.node === deep);
  const gap = await page.textContent('.prf-crumbs');
  check(await prf(page, () => window.__prf.zoom) === deep && zf && zf.x === 0 && /more/.test(gap),
        `${label}: zoom at depth ${depth[deep]} works (${Date.now() - t} ms incl. reload)`, { zf, gap: gap.slice(0, 100) });
  // Sandwich of the most frequent name.
  const cnt = new Map();
  for (let i = 1; i < par.length; i++) { const f = d.nodes.frame[i]; cnt.set(f, (cnt.get(f) || 0) + 1); }
  const fr = [...cnt.entries()].sort((a, b) => b[1] - a[1])[0][0];
  const fn = d.strings[d.frames.name[fr]];
  t = Date.now();
  await page.evaluate(h => { location.hash = h; }, '#v=sandwich&fn=' + encodeURIComponent(fn));
  await page.waitForFunction(() => window.__prf.view === 'sandwich' && window.__prf.callees().length > 0);
  console.log(`# ${label}: sandwich of ${fn} (${cnt.get(fr)} nodes) ${Date.now() - t} ms`);
  check(true, `${label}: sandwich view of a frequent function`);
  await cleanLoad(page, problems, `${label} (large, deep zoom and sandwich)`);
  await page.close();
}

(async () => {
  const args = process.argv.slice(2);
  let outDir = process.env.TMPDIR || os.tmpdir();
  let large = null;
  const pages = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out') outDir = args[++i];
    else if (args[i] === '--large') large = args[++i];
    else pages.push(args[i]);
  }
  const browser = await chromium.launch(LAUNCH);
  try {
    for (const p of pages) {
      const { data: d } = readData(p);
      await commonChecks(browser, p);
      if (d.samples) await timedChecks(browser, p);
      if (d.diff) await diffChecks(browser, p);
      if (/alert\(/.test(JSON.stringify(d.strings))) await hostileChecks(browser, p);
    }
    if (large) await largeChecks(browser, large, outDir);
  } catch (e) {
    check(false, 'test run finished', String(e && e.stack || e));
  } finally {
    await browser.close();
  }
  finish();
})();
