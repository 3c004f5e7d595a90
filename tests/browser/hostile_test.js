#!/usr/bin/env node
/*
 * Output safety: opens an SVG rendered from hostile frame names in headless
 * Chromium and drives it (hover and click every frame, search, reset) while
 * watching for anything the data could run.
 *
 *   node tests/browser/hostile_test.js path/to/hostile.svg [SCRIPTS]
 *
 * The names try alert() (a dialog) and assignments to window.__pwned; the
 * test fails if a dialog opens, window.__pwned is set, the page holds more
 * than the scripts prof-render writes, or any element carries an on*
 * attribute or a javascript: link. SCRIPTS: how many script elements the
 * writer emits itself (2 by default: the SVG's settings and flame.js). Prints TAP-style lines; exits 1 on
 * failure.
 */
'use strict';
const path = require('path');
const { pathToFileURL } = require('url');
const { chromium } = require('playwright-core');

let count = 0, failed = 0;
function check(ok, desc, detail) {
  count++;
  if (!ok) failed++;
  console.log(`${ok ? 'ok' : 'not ok'} ${count} - ${desc}`);
  if (!ok && detail !== undefined) console.log('#   ' + JSON.stringify(detail).slice(0, 600));
}

(async () => {
  const file = process.argv[2];
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
  });
  const page = await browser.newPage();
  const dialogs = [];
  const errors = [];
  page.on('dialog', d => {
    if (/search term/.test(d.message())) { // prof-render's own search prompt
      d.accept('script|alert|javascript').catch(() => {});
      return;
    }
    dialogs.push(d.message());
    d.dismiss().catch(() => {});
  });
  page.on('pageerror', e => errors.push(String(e)));
  await page.goto(pathToFileURL(path.resolve(file)).href);
  const frames = await page.$$('#frames > g');
  check(frames.length > 0, 'the graph has frames', frames.length);
  // A real hover and click on the first frames, then synthetic events on
  // every frame (zooming hides frames, which real pointer actions wait on).
  for (const g of frames.slice(0, 3)) {
    await g.hover({ timeout: 2000 }).catch(() => {});
    await g.click({ timeout: 2000 }).catch(() => {});
  }
  await page.evaluate(() => {
    for (const g of document.querySelectorAll('#frames > g')) {
      for (const type of ['mouseover', 'mousemove', 'click', 'mouseout'])
        g.dispatchEvent(new MouseEvent(type, { bubbles: true }));
    }
  });
  await page.keyboard.press('Escape').catch(() => {});
  await page.evaluate(() => { if (typeof fgPrompt === 'function') fgPrompt(); });
  await page.waitForTimeout(200);
  const state = await page.evaluate(() => ({
    pwned: window.__pwned,
    matched: (document.getElementById('matched') || {}).textContent,
    scripts: document.getElementsByTagName('script').length,
    // prof-render's own: onload="init(evt)" on the root element
    handlers: Array.from(document.querySelectorAll('*')).flatMap(el =>
      Array.from(el.attributes).filter(a => (/^on/i.test(a.name) &&
        !(el === document.documentElement && a.name === 'onload' && a.value === 'init(evt)')) ||
        /^\s*javascript:/i.test(a.value)).map(a => el.tagName + ' ' + a.name + '=' + a.value)),
    titles: Array.from(document.querySelectorAll('#frames title')).map(t => t.textContent),
  }));
  check(dialogs.length === 0, 'no dialog opened from the data', dialogs);
  check(state.pwned === undefined, 'no script from the data ran (window.__pwned unset)');
  const expected = Number(process.argv[3] || 2);
  check(state.scripts === expected, `${expected} script elements, prof-render's own`, state.scripts);
  check(state.handlers.length === 0, 'no event handler or javascript: link in the DOM', state.handlers);
  check(state.titles.some(t => t.includes('</script><script>')),
    'hostile names are shown as text', state.titles.slice(0, 5));
  check(/\d/.test(state.matched || ''), 'a search over the hostile names matched', state.matched);
  check(errors.length === 0, 'no script errors', errors);
  await browser.close();
  console.log(`${count - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
})().catch(e => { console.log('not ok - ' + e); process.exit(1); });
