// corscope next to the tools a user would pick instead (issue 6), measured as e2e/bench.mjs measures
// corscope: the bytes each page weighs, how soon it answers clicks after a cold load, and what it says about
// the benchmark's five requests against the lab, and how soon.
//
// The peers are not in this repository (their code is theirs): pass static copies of them.
//   --testcors <dir>  test-cors.org (monsur/test-cors.org, client/static: corsclient.html as index.html,
//                     js/corsclient.js, jQuery 1.9.1 and Bootstrap 2.3.x as it names them), without its
//                     Google Analytics snippet and GitHub ribbon (third-party requests a closed network fails)
//   --simonw <dir>    simonw/tools cors-fetch.html as index.html
// A peer is interactive at DOMContentLoaded's end (jQuery runs test-cors.org's ready handler then; the
// other's inline script has run before it); corscope at its `corscope-ready` mark.
//
//   node e2e/peers.mjs --dist <corscope dist> --lab <lab url> [--testcors <dir>] [--simonw <dir>]
//                      [--loads 20] [--runs 5] [--delay 100]
import { chromium } from 'playwright-core';
import { resolve } from 'node:path';
import { BLANK_PATH, serveStatic } from './util.mjs';
import { CASES, fileSizes, labUrl, median, ms, permalinkOf, table } from './measure.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []));
if (!args.dist || !args.lab) {
  console.error('usage: node e2e/peers.mjs --dist <dir> --lab <url> [--testcors <dir>] [--simonw <dir>] [--loads 20] [--runs 5] [--delay 100]');
  process.exit(2);
}
const LAB = args.lab.replace(/\/$/, '');
const LOADS = Number(args.loads ?? 20);
const RUNS = Number(args.runs ?? 5);
const DELAY = Number(args.delay ?? 100);

/// How each page is driven: where it is, when it is interactive, and how it sends a case's request (or why
/// it cannot). `send` fills the page's form and resolves to { ms, says }: the time from its Send click to its
/// answer on the page's own clock, and what it shows then.
const SITES = [
  { name: 'corscope', dir: args.dist, mark: 'corscope-ready', send: corscope },
  args.testcors && { name: 'test-cors.org', dir: args.testcors, send: testCors },
  args.simonw && { name: 'simonw CORS Fetch Tester', dir: args.simonw, send: simonw },
].filter(Boolean);

/// corscope through its permalink (which fills the form), then Run; its answer is the drawn report.
async function corscope(page, url, request, site) {
  await page.goto(permalinkOf(site.url, url, request));
  await page.waitForFunction(() => performance.getEntriesByName('corscope-ready').length > 0, null, { timeout: 20_000, polling: 5 });
  return clickUntil(page, '#run', '#report', (el) => el.dataset.state === 'done', async () => {
    const r = JSON.parse(await page.textContent('#report-json'));
    return `${r.cors_error ?? r.outcome}${r.failed_parameter ? ` (${r.failed_parameter})` : ''}: ${r.headline}`;
  });
}

/// test-cors.org's Remote tab: method, "With credentials?", "key: value" header lines; the log ends with
/// the XHR's `loadend` event.
async function testCors(page, url, request, site) {
  await page.goto(`${site.url}/`, { waitUntil: 'load' });
  await page.fill('#server_url', url);
  await page.selectOption('#client_method', request.method);
  await page.setChecked('#client_credentials', request.credentials === 'include');
  await page.fill('#client_headers', request.headers.map(([n, v]) => `${n}: ${v}`).join('\n'));
  return clickUntil(page, '#btnSendRequest', '#tabresultlog', (el) => el.textContent.includes('loadend'), async () => {
    const log = await page.textContent('#tabresultlog');
    return [...log.matchAll(/Fired XHR event: (error|load)(?!start|end)|XHR status: \d+/g)].map((m) => m[0]).join('; ');
  });
}

/// The CORS Fetch Tester sends a plain GET in mode cors: no method, headers or credentials to choose.
async function simonw(page, url, request, site) {
  if (request.method !== 'GET' || request.headers.length || request.credentials !== 'omit') return null;
  await page.goto(`${site.url}/`, { waitUntil: 'load' });
  await page.fill('#url-input', url);
  return clickUntil(page, '#fetch-btn', '.page', (el) => !/Pending request|No request yet/.test(el.textContent), async () => {
    const [status, kind, error] = await Promise.all(['#status-pill', '#meta-pill', '#response-error'].map((q) => page.textContent(q)));
    return `${status} (${kind})${error ? `: ${error}` : ''}`;
  });
}

/// Clicks `button`, then waits until `done(element)` holds for the element `area` selects.
async function clickUntil(page, button, area, done, summary) {
  await page.evaluate(([button, area, done]) => {
    const log = (window.__peer = { at: null, end: null });
    const check = new Function('el', `return (${done})(el)`);
    const el = document.querySelector(area);
    document.querySelector(button).addEventListener('click', () => { log.at = performance.now(); }, true);
    new MutationObserver(() => {
      if (log.at != null && log.end == null && check(el)) log.end = performance.now();
    }).observe(el, { subtree: true, childList: true, characterData: true, attributes: true });
  }, [button, area, done.toString()]);
  // As in e2e/bench.mjs: pressed once the loaded page is idle, as a user would.
  await page.evaluate(() => new Promise((done) => requestIdleCallback(() => done(), { timeout: 1000 })));
  await new Promise((done) => setTimeout(done, 100));
  await page.click(button);
  await page.waitForFunction(() => window.__peer.end != null, null, { timeout: 30_000, polling: 5 });
  const log = await page.evaluate(() => window.__peer);
  return { ms: log.end - log.at, says: (await summary()).replace(/\s+/g, ' ').trim() };
}

async function coldLoad(browser, site, url) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await page.goto(url, { waitUntil: 'load' });
    if (site.mark) await page.waitForFunction((m) => performance.getEntriesByName(m).length > 0, site.mark, { timeout: 20_000, polling: 5 });
    return await page.evaluate((m) => {
      const nav = performance.getEntriesByType('navigation')[0];
      return m ? performance.getEntriesByName(m)[0].startTime : nav.domContentLoadedEventEnd;
    }, site.mark ?? null);
  } finally {
    await context.close();
  }
}

async function answer(browser, site, c, i) {
  const context = await browser.newContext();
  try {
    return await site.send(await context.newPage(), labUrl(LAB, c, DELAY, `peer-${i}-${Date.now()}`), c.request, site);
  } finally {
    await context.close();
  }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'],
});
try {
  for (const site of SITES) site.url = (await serveStatic(resolve(site.dir))).url;
  console.log(`Chromium ${browser.version()}; ${LOADS} cold loads each (taking turns), ${RUNS} runs of each request, lab delay ${DELAY} ms\n`);

  const weights = [];
  for (const site of SITES) {
    const rows = await fileSizes(resolve(site.dir));
    weights.push([site.name, rows.length, rows.reduce((s, r) => s + r.raw, 0), rows.reduce((s, r) => s + r.gzip, 0)]);
  }
  const loads = SITES.map(() => []);
  const blank = [];
  for (let i = 0; i < LOADS; i++) {
    for (const [k, site] of SITES.entries()) loads[k].push(await coldLoad(browser, site, `${site.url}/`));
    blank.push(await coldLoad(browser, {}, `${SITES[0].url}${BLANK_PATH}`));
  }
  table([['page', 'files', 'raw B', 'gzip B', 'interactive ms (median)', 'min', 'max'],
    ...weights.map((w, k) => [...w, ms(median(loads[k])), ms(Math.min(...loads[k])), ms(Math.max(...loads[k]))]),
    ['blank page (browser floor)', '', '', '', ms(median(blank)), ms(Math.min(...blank)), ms(Math.max(...blank))]], 'lrrrrrr');

  console.log('\nwhat each page says about the benchmark requests, and how soon (its Send click to its answer drawn, median)\n');
  const rows = [];
  for (const c of CASES) {
    for (const site of SITES) {
      const runs = [];
      for (let i = 0; i < RUNS; i++) runs.push(await answer(browser, site, c, i));
      const answered = runs.filter(Boolean);
      rows.push([c.name, site.name, answered.length ? ms(median(answered.map((r) => r.ms))) : '-',
        answered.length ? answered[answered.length - 1].says : 'cannot send this request']);
    }
  }
  table([['request', 'page', 'ms', 'what it says'], ...rows], 'llrl');
} finally {
  await browser.close();
}
process.exit(0);
