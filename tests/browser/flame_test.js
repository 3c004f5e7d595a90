#!/usr/bin/env node
/*
 * Browser test for render/flame.js, the script embedded in prof-render's SVG.
 *
 *   node tests/browser/flame_test.js path/to/flame.svg
 *
 * Opens the SVG in headless Debian chromium (through playwright-core) and
 * drives it as a person would: hover, click to zoom, reload, search, ignore
 * case, reset, keyboard. Expected values are computed here from the fg:x /
 * fg:w / y attributes the C writer put in the file, not from the script's
 * own state. Also runs the script on derived files: embedded via <object>,
 * a root-only graph, a graph without frames and a 50,000-frame graph.
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
const EPS_PX = 0.02; // attributes are written with two decimals


// ---- reading the page (DOM attributes only) ----

function snapshot() { // runs in the page
  const byId = id => document.getElementById(id);
  const txt = id => (byId(id) ? byId(id).textContent : null);
  const frames = byId('frames') ? Array.from(byId('frames').children) : [];
  return {
    frames: frames.map(g => {
      const r = g.querySelector('rect'), t = g.querySelector('text'), ti = g.querySelector('title');
      return {
        title: ti ? ti.textContent : '', fx: r.getAttribute('fg:x'), fw: r.getAttribute('fg:w'),
        y: r.getAttribute('y'), x: r.getAttribute('x'), width: r.getAttribute('width'),
        fill: r.getAttribute('fill'), tx: t ? t.getAttribute('x') : null, label: t ? t.textContent : '',
        cls: g.getAttribute('class') || '', shown: getComputedStyle(g).display !== 'none',
      };
    }),
    details: txt('details'), matched: txt('matched'), search: txt('search'),
    unzoomShown: getComputedStyle(byId('unzoom')).display !== 'none',
    icShow: byId('ignorecase').classList.contains('show'), href: location.href,
  };
}

function readVars() { // runs in the page
  /* global imagewidth, xpad, total_samples, inverted, nametype, searchcolor, fontsize, fontwidth */
  return { imagewidth, xpad, total_samples, inverted, nametype, searchcolor, fontsize, fontwidth };
}

// ---- the model the expectations are computed from ----

// "foo (bar) (12 samples, 1.00%)" -> "foo (bar)"
const nameOf = title => title.replace(/ \((?:[^()]|\([^()]*\))*\)$/, '');

function buildModel(snap, v) {
  const ys = [...new Set(snap.frames.map(f => parseFloat(f.y)))].sort((a, b) => a - b);
  const frames = snap.frames.map((f, i) => {
    const r = ys.indexOf(parseFloat(f.y));
    return { i, name: nameOf(f.title), fx: parseFloat(f.fx), fw: parseFloat(f.fw), fxStr: f.fx,
             yStr: f.y, depth: v.inverted ? r : ys.length - 1 - r, orig: f };
  });
  return { v, frames, span: v.imagewidth - 2 * v.xpad, eps: Math.max(1, v.total_samples) * 1e-9 };
}

function isAncestor(m, a, b) { // a is a proper ancestor of b
  return a.depth < b.depth && a.fx <= b.fx + m.eps && a.fx + a.fw >= b.fx + b.fw - m.eps;
}

function relation(m, z, f) {
  if (f === z) return 'self';
  if (isAncestor(m, z, f)) return 'desc';
  if (isAncestor(m, f, z)) return 'anc';
  return 'hide';
}

function fitLabel(m, name, width) {
  const fit = Math.floor((width - 3) / (m.v.fontsize * m.v.fontwidth));
  if (fit < 3) return '';
  return name.length <= fit ? name : name.slice(0, fit - 2) + '..';
}

// Problems found when comparing a snapshot with zoom on frame z.
function zoomProblems(m, snap, z) {
  const bad = [];
  const near = (a, b) => Math.abs(parseFloat(a) - b) <= EPS_PX;
  for (const f of m.frames) {
    const s = snap.frames[f.i], rel = relation(m, z, f);
    if ((rel === 'hide') === s.shown || (rel === 'hide') !== /\bhide\b/.test(s.cls))
      bad.push(`${f.name}@${f.fxStr}: ${rel} but shown=${s.shown} class="${s.cls}"`);
    if (rel === 'hide') continue;
    if ((rel === 'anc') !== /\bparent\b/.test(s.cls)) bad.push(`${f.name}: ${rel} class="${s.cls}"`);
    const x = rel === 'anc' ? m.v.xpad : m.v.xpad + (f.fx - z.fx) * m.span / z.fw;
    const w = rel === 'anc' ? m.span : f.fw * m.span / z.fw;
    if (!near(s.x, x) || !near(s.width, w)) bad.push(`${f.name}: x,w ${s.x},${s.width} want ${x},${w}`);
    if (s.tx !== null && !near(s.tx, parseFloat(s.x) + 3)) bad.push(`${f.name}: label x ${s.tx}`);
    if (s.label !== fitLabel(m, f.name, parseFloat(s.width))) bad.push(`${f.name}: label "${s.label}"`);
  }
  return bad;
}

// Expected "Matched" share: matched frames visible in the zoom, each sample
// once (only matches without a matched ancestor count), clipped to the zoom.
function expectedMatch(m, z, re) {
  const lo = z ? z.fx : 0, hi = z ? z.fx + z.fw : m.v.total_samples;
  const hits = m.frames.filter(f => re.test(f.name));
  const visible = hits.filter(f => !z || relation(m, z, f) !== 'hide');
  let sum = 0;
  for (const f of visible)
    if (!visible.some(g => isAncestor(m, g, f)))
      sum += Math.max(0, Math.min(f.fx + f.fw, hi) - Math.max(f.fx, lo));
  return { pct: hi > lo ? 100 * sum / (hi - lo) : 0, hits: new Set(hits.map(f => f.i)) };
}

function searchProblems(m, snap, exp) {
  const bad = [];
  const mm = /^Matched: (\d+\.\d\d)%$/.exec(snap.matched || '');
  if (!mm || Math.abs(parseFloat(mm[1]) - exp.pct) > 0.01)
    bad.push(`matched "${snap.matched}" want ${exp.pct.toFixed(2)}%`);
  for (const f of m.frames) {
    const want = exp.hits.has(f.i) ? m.v.searchcolor : f.orig.fill;
    if (snap.frames[f.i].fill !== want) bad.push(`${f.name}: fill ${snap.frames[f.i].fill} want ${want}`);
  }
  if (snap.search !== 'Reset Search') bad.push(`search text "${snap.search}"`);
  return bad;
}

function unzoomedProblems(m, snap) {
  const bad = [];
  for (const f of m.frames) {
    const s = snap.frames[f.i], o = f.orig;
    if (!s.shown || /\b(hide|parent)\b/.test(s.cls)) bad.push(`${f.name}: class "${s.cls}"`);
    if (s.x !== o.x || s.width !== o.width || s.tx !== o.tx || s.label !== o.label || s.fill !== o.fill)
      bad.push(`${f.name}: ${JSON.stringify(s)} vs original`);
  }
  if (snap.unzoomShown) bad.push('Reset Zoom still shown');
  return bad;
}

const escapeRe = s => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const params = href => new URL(href).searchParams;
const sel = f => `#frames > g:nth-child(${f.i + 1})`;

// ---- browser plumbing ----

async function openPage(browser, url, errors) {
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  page.on('pageerror', e => errors.push('pageerror: ' + e.message));
  page.on('console', msg => { if (msg.type() === 'error') errors.push('console: ' + msg.text()); });
  await page.goto(url, { waitUntil: 'load' });
  return page;
}

async function stubPrompt(page, answer) {
  await page.evaluate(a => { window.prompt = () => a; }, answer);
}

// ---- the main walk-through on the given file ----

async function mainChecks(browser, svgPath) {
  const errors = [];
  const page = await openPage(browser, pathToFileURL(svgPath).href, errors);
  const parsed = await page.evaluate(() => document.documentElement.localName === 'svg' &&
    !document.getElementsByTagName('parsererror').length && typeof init === 'function');
  check(parsed, 'SVG parses and defines init()');
  const v = await page.evaluate(readVars);
  const snap0 = await page.evaluate(snapshot);
  const m = buildModel(snap0, v);
  const nonRoot = m.frames.filter(f => f.depth > 0);
  check(m.frames.length > 1, `file has frames (${m.frames.length})`);

  // 1. hover
  const widest = nonRoot.slice().sort((a, b) => b.fw - a.fw)[0] || m.frames[0];
  await page.hover(sel(widest));
  let s = await page.evaluate(snapshot);
  check(s.details === `${v.nametype} ${widest.orig.title}`, 'hovering a frame fills details', s.details);
  await page.mouse.move(3, 3);
  s = await page.evaluate(snapshot);
  check(s.details === ' ', 'leaving the frame clears details', s.details);

  // 2. zoom: a deep frame with descendants whose zoom hides something
  const hasDesc = f => m.frames.some(g => isAncestor(m, f, g));
  const hidesSome = f => m.frames.some(g => relation(m, f, g) === 'hide');
  const cands = nonRoot.filter(f => hasDesc(f) && hidesSome(f))
    .sort((a, b) => (b.depth >= 2) - (a.depth >= 2) || b.fw - a.fw);
  const z = cands[0] || widest;
  await page.click(sel(z));
  s = await page.evaluate(snapshot);
  const zp = zoomProblems(m, s, z);
  check(zp.length === 0, `click zooms to "${z.name}": unrelated hidden, ancestors dimmed, rescaled`, zp.slice(0, 5));
  check(Math.abs(parseFloat(s.frames[z.i].width) - m.span) <= EPS_PX,
        'zoomed frame spans imagewidth - 2*xpad', s.frames[z.i].width);
  check(s.unzoomShown, 'Reset Zoom is shown');
  check(params(s.href).get('x') === z.fxStr && params(s.href).get('y') === z.yStr,
        'URL carries x= and y= of the zoomed frame', s.href);

  await page.reload({ waitUntil: 'load' });
  s = await page.evaluate(snapshot);
  check(zoomProblems(m, s, z).length === 0 && s.unzoomShown, 'reload keeps the zoom', zoomProblems(m, s, z).slice(0, 5));

  // 3. search inside the zoom: the commonest name among the descendants
  const inZoom = m.frames.filter(f => relation(m, z, f) === 'desc');
  const commonest = list => {
    const n = {};
    for (const f of list) n[f.name] = (n[f.name] || 0) + 1;
    return Object.keys(n).sort((a, b) => n[b] - n[a])[0];
  };
  const term1 = escapeRe(commonest(inZoom) || z.name);
  await stubPrompt(page, term1);
  await page.click('#search');
  s = await page.evaluate(snapshot);
  let exp = expectedMatch(m, z, new RegExp(term1));
  let sp = searchProblems(m, s, exp);
  check(sp.length === 0, `search /${term1}/ in the zoom colours matches, Matched: ${exp.pct.toFixed(2)}%`, sp.slice(0, 5));
  check(params(s.href).get('s') === term1, 'URL carries s=', s.href);
  await page.reload({ waitUntil: 'load' });
  s = await page.evaluate(snapshot);
  check(searchProblems(m, s, exp).length === 0 && zoomProblems(m, s, z).length === 0,
        'reload keeps zoom and search', searchProblems(m, s, exp).slice(0, 5));

  // 4. reset search, then reset zoom
  await page.click('#search');
  s = await page.evaluate(snapshot);
  check(s.search === 'Search' && s.matched === ' ' && s.frames.every((f, i) => f.fill === m.frames[i].orig.fill),
        'Reset Search restores colours and texts', [s.search, s.matched]);
  await page.click('#unzoom');
  s = await page.evaluate(snapshot);
  let up = unzoomedProblems(m, s);
  check(up.length === 0, 'Reset Zoom restores every frame as written', up.slice(0, 5));
  check(!params(s.href).has('x') && !params(s.href).has('y') && !params(s.href).has('s'),
        'URL state cleared', s.href);

  // 5. unzoomed search of the commonest exact name (nested matches count once)
  const term2 = '^' + escapeRe(commonest(m.frames)) + '$';
  await stubPrompt(page, term2);
  await page.click('#search');
  s = await page.evaluate(snapshot);
  exp = expectedMatch(m, null, new RegExp(term2));
  sp = searchProblems(m, s, exp);
  check(sp.length === 0, `search /${term2}/ over the whole graph: Matched: ${exp.pct.toFixed(2)}%`, sp.slice(0, 5));

  // 6. ignore case: upper-cased name with lower-case letters matches only with ic
  const lower = m.frames.filter(f => f.name !== f.name.toUpperCase());
  const partial = lower.filter(f => f.fw < v.total_samples / 2);
  const mixedName = commonest(partial.length ? partial : lower);
  const mixed = m.frames.find(f => f.name === mixedName) || m.frames[0];
  const term3 = escapeRe(mixed.name.toUpperCase());
  await stubPrompt(page, term3);
  await page.click('#search'); // resets the current search
  await page.click('#search');
  s = await page.evaluate(snapshot);
  const expCase = expectedMatch(m, null, new RegExp(term3));
  sp = searchProblems(m, s, expCase);
  check(sp.length === 0, `case-sensitive /${term3}/: Matched: ${expCase.pct.toFixed(2)}%`, sp.slice(0, 5));
  await page.click('#ignorecase');
  s = await page.evaluate(snapshot);
  const expNoCase = expectedMatch(m, null, new RegExp(term3, 'i'));
  sp = searchProblems(m, s, expNoCase);
  check(sp.length === 0 && s.icShow && params(s.href).get('i') === '1' && expNoCase.hits.has(mixed.i) &&
        !expCase.hits.has(mixed.i), `ignore case re-runs the search: Matched: ${expNoCase.pct.toFixed(2)}%`,
        sp.slice(0, 5).concat([s.icShow, s.href]));
  await page.click('#ignorecase');
  s = await page.evaluate(snapshot);
  check(searchProblems(m, s, expCase).length === 0 && !s.icShow && !params(s.href).has('i'),
        'ignore case toggles back', [s.matched, s.icShow]);

  // 7. invalid regex, keyboard
  await page.click('#search');
  await stubPrompt(page, '(unclosed');
  await page.click('#search');
  s = await page.evaluate(snapshot);
  check(s.matched === 'Invalid regex' && s.frames.every((f, i) => f.fill === m.frames[i].orig.fill),
        'invalid regex reports "Invalid regex"', s.matched);
  await stubPrompt(page, term2);
  // A listener on window runs after the script's listener on document.
  await page.evaluate(() => window.addEventListener('keydown', e => { window.lastPrevented = e.defaultPrevented; }));
  await page.keyboard.press('Control+f');
  const prevented = await page.evaluate(() => window.lastPrevented);
  s = await page.evaluate(snapshot);
  check(prevented && searchProblems(m, s, expectedMatch(m, null, new RegExp(term2))).length === 0,
        'Ctrl-F prompts and searches (default prevented)', [prevented, s.matched]);
  await page.click(sel(z));
  await page.keyboard.press('Escape');
  s = await page.evaluate(snapshot);
  check(s.search === 'Search' && s.matched === ' ' && zoomProblems(m, s, z).length === 0,
        'Escape resets the search first', [s.search, s.matched]);
  await page.keyboard.press('Escape');
  s = await page.evaluate(snapshot);
  check(unzoomedProblems(m, s).length === 0, 'second Escape resets the zoom', unzoomedProblems(m, s).slice(0, 3));
  await page.click(sel(z));
  await page.mouse.dblclick(3, 40); // left of xpad: background only
  s = await page.evaluate(snapshot);
  check(unzoomedProblems(m, s).length === 0, 'double-click on the background resets the zoom');

  check(errors.length === 0, 'no page or console errors', errors);
  await page.close();
  return { m, z };
}

// ---- derived files ----

async function embeddedChecks(browser, svgPath, dir, m, z) {
  const errors = [];
  const html = path.join(dir, 'embed.html');
  fs.writeFileSync(html, `<!DOCTYPE html><html><body style="margin:0">
<object id="o" type="image/svg+xml" data="${pathToFileURL(svgPath).href}" width="${m.v.imagewidth}" height="2000"></object>
</body></html>\n`);
  const page = await openPage(browser, pathToFileURL(html).href, errors);
  let frame = null;
  for (let t = 0; t < 50 && !frame; t++) {
    frame = page.frames().find(f => f !== page.mainFrame() && f.url().endsWith('.svg'));
    if (!frame) await page.waitForTimeout(100);
  }
  let bad = ['no frame for the <object>'];
  if (frame) {
    await frame.waitForLoadState('load');
    await frame.click(sel(z));
    bad = zoomProblems(m, await frame.evaluate(snapshot), z);
  }
  check(bad.length === 0 && errors.length === 0, 'embedded via <object>: click zooms, no errors', bad.concat(errors).slice(0, 5));
  await page.close();
}

// Same header, other frames: runs the script on graphs the file lacks.
function variant(svgText, framesXml) {
  const start = svgText.indexOf('<g id="frames">');
  const end = svgText.lastIndexOf('</g>');
  return svgText.slice(0, svgText.indexOf('>', start) + 1) + '\n' + framesXml + svgText.slice(end);
}

async function edgeChecks(browser, svgText, dir) {
  const root = (svgText.match(/<g><title>all \([\s\S]*?<\/g>/) || [''])[0];
  for (const [label, xml] of [['root-only graph', root], ['graph without frames', '']]) {
    const file = path.join(dir, label.replace(/\W+/g, '-') + '.svg');
    fs.writeFileSync(file, variant(svgText, xml));
    const errors = [];
    const page = await openPage(browser, pathToFileURL(file).href, errors);
    await stubPrompt(page, 'a');
    if (xml) await page.click('#frames > g');
    await page.click('#search');
    await page.click('#ignorecase');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    const s = await page.evaluate(snapshot);
    check(errors.length === 0 && s.frames.every(f => f.shown), `${label}: no errors`, errors);
    await page.close();
  }
}

async function bigChecks(browser, svgText, dir, m) {
  // 50,000 frames with fractional extents, the root spanning total_samples.
  const total = m.v.total_samples, rootY = parseFloat(m.frames.find(f => f.depth === 0).yStr);
  const step = m.v.inverted ? 16 : -16, out = [];
  const queue = [[0, total, 0]];
  let made = 0;
  for (let q = 0; q < queue.length && made < 50000; q++) {
    const [x, w, d] = queue[q];
    const y = rootY + d * step;
    out.push(`<g><title>${made ? 'f' + made : 'all'} (${w} samples, 1.00%)</title><rect x="0" y="${y}" width="1" ` +
             `height="15" fill="rgb(200,100,40)" rx="2" ry="2" fg:x="${x}" fg:w="${w}"/><text x="3" y="${y + 10}"></text></g>`);
    made++;
    for (let c = 0; c < 3; c++) queue.push([x + c * w * 0.3, w * 0.3, d + 1]);
  }
  const file = path.join(dir, 'big.svg');
  fs.writeFileSync(file, variant(svgText, out.join('\n')));
  const errors = [];
  const page = await openPage(browser, pathToFileURL(file).href, errors);
  const r = await page.evaluate(() => {
    const gs = document.getElementById('frames').children;
    const click = el => { const t = performance.now(); el.dispatchEvent(new MouseEvent('click', { bubbles: true })); return performance.now() - t; };
    const zoom = click(gs[5].querySelector('rect'));
    let shown = 0;
    for (const g of gs) if (!g.classList.contains('hide')) shown++;
    const unzoom = click(document.getElementById('unzoom'));
    return { zoom, unzoom, shown };
  });
  // gs[5] is a depth-2 frame: 2 ancestors, itself and its 3+9+... descendants.
  const ok = r.zoom < 2000 && r.unzoom < 2000 && r.shown > 3 && r.shown < 50000 && errors.length === 0;
  check(ok, `50,000 frames: zoom ${r.zoom.toFixed(0)} ms, reset ${r.unzoom.toFixed(0)} ms`, [r, errors]);
  await page.close();
}

async function main() {
  const svgPath = process.argv[2] && path.resolve(process.argv[2]);
  if (!svgPath || !fs.existsSync(svgPath)) {
    console.error('usage: node flame_test.js path/to/flame.svg');
    process.exit(2);
  }
  const svgText = fs.readFileSync(svgPath, 'utf8');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flame-test-'));
  const browser = await chromium.launch(LAUNCH);
  try {
    const { m, z } = await mainChecks(browser, svgPath);
    await embeddedChecks(browser, svgPath, dir, m, z);
    await edgeChecks(browser, svgText, dir);
    await bigChecks(browser, svgText, dir, m);
  } catch (e) {
    check(false, 'test run finished without exceptions', String(e && e.stack || e));
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  finish();
}

main();
