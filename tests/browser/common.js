/*
 * common.js - what the browser tests share: how Chromium is launched, and
 * TAP-style checks with a closing "P passed, F failed" line.
 */
'use strict';

const LAUNCH = {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--no-first-run'],
};

let count = 0, passed = 0, failed = 0;

// Prints "ok N - desc" or "not ok N - desc" with the detail as JSON.
function check(ok, desc, detail) {
  count++;
  if (ok) passed++; else failed++;
  console.log(`${ok ? 'ok' : 'not ok'} ${count} - ${desc}`);
  if (!ok && detail !== undefined) console.log('#   ' + JSON.stringify(detail).slice(0, 800));
}

// Prints the totals and exits 1 when a check failed.
function finish() {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

module.exports = { LAUNCH, check, finish };
