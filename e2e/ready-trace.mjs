// Where the time to ready goes (issue 6), and which of several builds is faster on a shared machine.
// Loads each built dist/ cold, like e2e/bench.mjs (a fresh context per load, the DevTools cache disabled,
// one unmeasured load first), taking turns between the dists so a busy moment slows them all alike, and
// prints per dist the median of each milestone in ms from navigation start: each resource's request start
// and response end, DOMContentLoaded, and every performance mark (the page's `corscope-ready`, and any a
// test build adds).
//
//   node e2e/ready-trace.mjs [--loads 20] <built dist/> [<another dist/> …]
import { chromium } from 'playwright-core';
import { resolve } from 'node:path';
import { serveStatic } from './util.mjs';

const argv = process.argv.slice(2);
const at = argv.indexOf('--loads');
const LOADS = at >= 0 ? Number(argv.splice(at, 2)[1]) : 20;
const dists = argv.map((d) => resolve(d));
if (!dists.length || !(LOADS > 0)) {
  console.error('usage: node e2e/ready-trace.mjs [--loads 20] <dist> [<dist> …]');
  process.exit(2);
}
const median = (xs) => {
  const s = xs.filter((x) => x != null).sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const sites = [];
for (const dist of dists) sites.push(await serveStatic(dist));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'],
});

async function load(site) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await page.goto(`${site.url}/`);
    await page.waitForFunction(() => performance.getEntriesByName('corscope-ready').length > 0, null, { timeout: 20_000, polling: 5 });
    return await page.evaluate(() => {
      const out = { DOMContentLoaded: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd };
      for (const r of performance.getEntriesByType('resource')) {
        const name = r.name.split('/').pop().replace(/-[0-9a-f]{16}/, '');
        out[`${name} start`] = r.startTime;
        out[`${name} end`] = r.responseEnd;
      }
      for (const m of performance.getEntriesByType('mark')) out[`mark ${m.name}`] = m.startTime;
      return out;
    });
  } finally {
    await context.close();
  }
}

const rows = dists.map(() => []);
try {
  for (const site of sites) await load(site); // warms the browser process, not the page
  for (let i = 0; i < LOADS; i++) {
    for (const [k, site] of sites.entries()) rows[k].push(await load(site));
  }
} finally {
  await browser.close();
  for (const site of sites) await site.close();
}
for (const [k, dist] of dists.entries()) {
  console.log(`\n${dist}: median of ${LOADS} cold loads, ms from navigation start`);
  const keys = [...new Set(rows[k].flatMap((r) => Object.keys(r)))];
  const stats = keys.map((key) => [key, median(rows[k].map((r) => r[key]))]).sort((a, b) => a[1] - b[1]);
  for (const [key, v] of stats) console.log(`${v.toFixed(1).padStart(7)}  ${key}`);
}
