// The benchmark (issue 6): how big the built page is, how fast it is ready, and how long a diagnosis takes
// next to the request it explains. Measures; never fails on a figure (scripts/bench.sh, not the tests).
//
//   node e2e/bench.mjs --dist <built dist/> --lab <lab base URL> [--loads 20] [--runs 5] [--delay 100]
//                      [--out target/bench]
//
// 1. Size: raw and gzip -9 bytes of every file in dist/ and the total.
// 2. Ready: serves dist/ on a loopback origin (e2e/util.mjs, `Cache-Control: no-store`) and loads it
//    `--loads` times in headless Chromium, each load in a fresh browser context (an empty HTTP cache and a
//    new renderer, so nothing compiled is reused) with the DevTools cache disabled too. Ready = the
//    `corscope-ready` performance mark the page sets once mounted, measured from navigation start
//    (`performance.timeOrigin`); beside it the resource milestones, and the browser's own floor: a blank
//    page on the same origin, loaded the same way, to its DOMContentLoaded. One unmeasured load first
//    warms the browser process, not the page.
// 3. Diagnosis: five requests against the lab's builder with `delay_ms` and `pf_delay_ms` on every answer.
//    The floor is one plain fetch() of the same request from a blank page on the page's origin (no
//    corscope): the time to its rejection (or, when it succeeds, to the end of its body). corscope's time
//    is the report's `elapsed_ms` (start of diagnose() to verdict) after opening its permalink (which fills
//    the form) in a fresh context and, once the page is ready and idle, pressing Run. Each figure is the
//    median of `--runs`.
//    Round trips: every request the page sends to the lab, preflights included, as DevTools reports them
//    (`Network.requestWillBeSent`; answered = `responseReceived`, or the `loadingFinished`/`loadingFailed`
//    that ends it). The answer times are grouped into waves: a time within half the injected delay of its
//    wave's first answer joins it, else it opens a new wave. Every answer waits `delay` ms, so an answer
//    that depended on an earlier one (an actual request after its preflight, a probe after the failure)
//    or that waited for a connection comes at least `delay` ms later: the number of answer waves is the
//    number of sequential round trips. The same grouping of start times shows how many requests were
//    issued together (probes in parallel: one wave). `queued` counts requests answered more than 1.5
//    delays after they could go out: Chromium opens at most 6 HTTP/1.1 connections per host.
//    The page's own share, on the page's clock (fetch() wrapped by an init script, microseconds a call):
//    from the Run click to its first fetch() call, and from the last fetch() answer before the verdict (an
//    abort is not an answer) to the verdict drawn (`data-state=done`; drawing is not in `elapsed_ms`).
// Writes every measurement to <out>/bench.json.
import { chromium } from 'playwright-core';
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg, cpus } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { BLANK_PATH, serveStatic } from './util.mjs';
import { CASES, fileSizes, labUrl, median, ms, permalinkOf, quantile, table } from './measure.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []));
if (!args.dist || !args.lab) {
  console.error('usage: node e2e/bench.mjs --dist <dir> --lab <url> [--loads 20] [--runs 5] [--delay 100] [--out <dir>]');
  process.exit(2);
}
const DIST = resolve(args.dist);
const LAB = args.lab.replace(/\/$/, '');
const LOADS = Number(args.loads ?? 20);
const RUNS = Number(args.runs ?? 5);
const DELAY = Number(args.delay ?? 100);
/// How long a loaded page is left idle before Run is pressed (after its ready mark and an idle callback).
const IDLE_MS = 100;
const OUT = resolve(args.out ?? 'target/bench');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const PARTS = new Set((process.env.BENCH_PARTS ?? 'size,ready,diagnosis').split(','));
/// Only the diagnosis cases whose name contains this text (all when unset).
const ONLY = process.env.BENCH_CASE ?? '';
const sleep = (t) => new Promise((r) => setTimeout(r, t));

// ---------------------------------------------------------------------------------------------------

async function sizes() {
  const rows = await fileSizes(DIST);
  const total = { file: 'TOTAL', raw: rows.reduce((s, r) => s + r.raw, 0), gzip: rows.reduce((s, r) => s + r.gzip, 0) };
  console.log('\nsize (gzip -9)\n');
  table([['file', 'raw B', 'gzip B'], ...[...rows, total].map((r) => [r.file, r.raw, r.gzip])], 'lrr');
  console.log(`total ${(total.gzip / 1024).toFixed(1)} KiB gzipped (target ≤ 100 KB: ${total.gzip <= 100_000 ? 'met' : 'not met'})`);
  return { files: rows, total };
}

/// One cold load: fresh context, cache disabled; navigation start → ready mark, with the milestones.
async function coldLoad() {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    const problems = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${site.url}/`);
    await page.waitForFunction(() => performance.getEntriesByName('corscope-ready').length > 0, null, { timeout: 20_000, polling: 5 });
    const t = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const end = (suffix) => performance.getEntriesByType('resource').find((r) => r.name.endsWith(suffix))?.responseEnd ?? null;
      return {
        ready: performance.getEntriesByName('corscope-ready')[0].startTime,
        html: nav.responseEnd,
        dcl: nav.domContentLoadedEventEnd,
        js: end('.js'),
        wasm: end('.wasm'),
      };
    });
    if (problems.length) throw new Error(`page error: ${problems[0]}`);
    return t;
  } finally {
    await context.close();
  }
}

/// The browser's own floor for a cold load: a blank page on the same origin in a fresh context.
async function blankLoad() {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(site.url + BLANK_PATH, { waitUntil: 'load' });
    return await page.evaluate(() => performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd);
  } finally {
    await context.close();
  }
}

async function ready() {
  await coldLoad();
  const loads = [];
  const blank = [];
  for (let i = 0; i < LOADS; i++) {
    loads.push(await coldLoad());
    blank.push(await blankLoad());
  }
  for (const [i, b] of blank.entries()) loads[i].blank = b;
  const stats = (key) => {
    const s = loads.map((l) => l[key]).filter((x) => x != null).sort((a, b) => a - b);
    return { median: median(s), min: s[0], p90: quantile(s, 0.9), max: s[s.length - 1] };
  };
  const summary = Object.fromEntries(['blank', 'html', 'dcl', 'js', 'wasm', 'ready'].map((k) => [k, stats(k)]));
  console.log(`\ntime to ready: ${LOADS} cold loads (fresh context each, cache disabled), ms from navigation start\n`);
  const names = { blank: 'blank page DOMContentLoaded (browser floor)', html: 'HTML received', dcl: 'DOMContentLoaded', js: 'JS glue received', wasm: 'wasm received', ready: 'ready (corscope-ready mark)' };
  table([['milestone', 'median', 'min', 'p90', 'max'],
    ...Object.entries(summary).map(([k, s]) => [names[k], ms(s.median), ms(s.min), ms(s.p90), ms(s.max)])], 'lrrrr');
  console.log(`ready median ${summary.ready.median.toFixed(1)} ms (target ≤ 100 ms: ${summary.ready.median <= 100 ? 'met' : 'not met'})`);
  // The blank page's time moves with the machine's load (34–49 ms in one hour here): the difference is the
  // part the page itself adds (which moves too, 44–64 ms in that hour).
  console.log(`the page's own share: ${(summary.ready.median - summary.blank.median).toFixed(1)} ms above the blank page's median`);
  return { loads, summary };
}

// ---------------------------------------------------------------------------------------------------

function caseUrl(c, tag) {
  return labUrl(LAB, c, DELAY, tag);
}

function permalink(url, request) {
  return permalinkOf(site.url, url, request);
}

/// Records the requests a page sends to the lab (preflights included): DevTools' start time of each, and
/// when its answer arrived (`responseReceived`, or the `loadingFinished`/`loadingFailed` that ends it).
async function recorder(context, page) {
  const cdp = await context.newCDPSession(page);
  const labHost = new URL(LAB).host;
  const sent = new Map();
  cdp.on('Network.requestWillBeSent', (e) => {
    if (new URL(e.request.url).host !== labHost) return;
    const preflight = e.type === 'Preflight' || e.initiator?.type === 'preflight' || e.request.method === 'OPTIONS';
    sent.set(e.requestId, { at: e.timestamp * 1000, end: null, method: e.request.method, preflight, url: e.request.url, priority: e.request.initialPriority });
  });
  const ended = (e) => {
    const r = sent.get(e.requestId);
    if (r) r.end = Math.max(r.end ?? 0, e.timestamp * 1000);
  };
  const answered = (e) => {
    const r = sent.get(e.requestId);
    if (r && r.end == null) r.end = e.timestamp * 1000;
  };
  cdp.on('Network.responseReceived', answered);
  cdp.on('Network.loadingFinished', (e) => { const r = sent.get(e.requestId); if (r && r.end == null) ended(e); });
  // A request aborted before any answer (a probe the verdict stopped waiting for, or one dropped when
  // the request succeeded) was not a round trip the diagnosis used; one aborted after its head (a probe
  // cancels its body) was answered when its head arrived.
  cdp.on('Network.loadingFailed', (e) => {
    const r = sent.get(e.requestId);
    if (r && r.end == null && e.canceled) r.aborted = e.timestamp * 1000;
    else if (r && r.end == null) ended(e);
  });
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  return { map: sent };
}

/// Groups times into waves (see the header comment): a time within half the delay of its wave's first
/// time joins it. Returns each wave's offset from `origin` (default: the first time) and its size.
function waves(times, origin) {
  const sorted = times.filter((t) => t != null).sort((a, b) => a - b);
  const out = [];
  for (const at of sorted) {
    const last = out[out.length - 1];
    if (last && at - last.at < DELAY / 2) last.n += 1;
    else out.push({ at, n: 1 });
  }
  const t0 = origin ?? out[0]?.at ?? 0;
  return out.map((w) => ({ at: w.at - t0, n: w.n }));
}

/// The requests recorded so far: the waves they were issued in and the waves their answers came back in.
function timeline(recorded) {
  const list = [...recorded.map.values()];
  const t0 = Math.min(...list.map((r) => r.at));
  // Waited for a connection: answered more than 1.5 delays after it could go out (its start, or for an
  // actual request after a preflight, the preflight's answer). Chromium opens at most 6 HTTP/1.1
  // connections per host (and credentials mode), so more parallel requests than that queue.
  const preflightOf = new Map(list.filter((r) => r.preflight).map((r) => [r.url, r]));
  const queued = list.filter((r) => {
    const from = !r.preflight && preflightOf.has(r.url) ? preflightOf.get(r.url).end : r.at;
    return r.end != null && from != null && r.end - from > 1.5 * DELAY;
  }).length;
  return {
    requests: list.length,
    queued,
    preflights: list.filter((r) => r.preflight).length,
    issued: waves(list.map((r) => r.at), t0),
    answered: waves(list.map((r) => r.end), t0),
    aborted: list.filter((r) => r.aborted != null).length,
    list,
  };
}

/// One plain fetch() from a blank page on the page's origin.
async function floorOnce(c, i) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(site.url + BLANK_PATH);
    const sent = await recorder(context, page);
    const url = caseUrl(c, `floor-${i}-${Date.now()}`);
    const result = await page.evaluate(async ([url, init]) => {
      const t = performance.now();
      try {
        const r = await fetch(url, init);
        await r.arrayBuffer();
        return { ok: true, ms: performance.now() - t };
      } catch (e) {
        return { ok: false, ms: performance.now() - t, message: String(e.message) };
      }
    }, [url, { method: c.request.method, mode: 'cors', credentials: c.request.credentials, headers: c.request.headers }]);
    await sleep(50);
    return { ...result, ...timeline(sent) };
  } finally {
    await context.close();
  }
}

/// One corscope diagnosis through the permalink, in a fresh context.
async function corscopeOnce(c, i) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const sent = await recorder(context, page);
    const problems = [];
    page.on('pageerror', (e) => problems.push(e.message));
    // The page's own clock: when Run was clicked, when each fetch() was called and settled (an abort is
    // not an answer), and when the verdict was drawn. Wrapping fetch() costs microseconds per call.
    await page.addInitScript(() => {
      const fetch = window.fetch.bind(window);
      const log = { calls: [], answers: [], run: null, done: null };
      window.__bench = log;
      window.fetch = (...a) => {
        log.calls.push(performance.now());
        const p = fetch(...a);
        p.then(() => log.answers.push(performance.now()), (e) => { if (e?.name !== 'AbortError') log.answers.push(performance.now()); });
        return p;
      };
      addEventListener('click', (e) => {
        if (e.target?.id !== 'run' || log.run != null) return;
        log.run = performance.now();
        const report = document.getElementById('report');
        new MutationObserver(() => { if (report.dataset.state === 'done' && log.done == null) log.done = performance.now(); })
          .observe(report, { attributes: true, attributeFilter: ['data-state'] });
      }, true);
    });
    // The permalink fills the form; the request is sent with the Run button once the page is ready and
    // idle, as a user would, so that the tail of the page's own load does not share the CPU with it.
    await page.goto(permalink(caseUrl(c, `page-${i}-${Date.now()}`), c.request));
    await page.waitForFunction(() => performance.getEntriesByName('corscope-ready').length > 0, null, { timeout: 20_000, polling: 5 });
    await page.evaluate(() => new Promise((done) => requestIdleCallback(() => done(), { timeout: 1000 })));
    await sleep(IDLE_MS);
    await page.click('#run');
    await page.waitForSelector('#report[data-state=done], #report[data-state=failed]', { state: 'attached', timeout: 30_000 });
    const state = await page.getAttribute('#report', 'data-state');
    if (state !== 'done' || problems.length) throw new Error(`${c.name}: report ${state} ${problems[0] ?? ''}`);
    const report = JSON.parse(await page.textContent('#report-json'));
    const log = await page.evaluate(() => window.__bench);
    const calls = log.calls.filter((t) => t >= log.run);
    const answers = log.answers.filter((t) => t >= log.run && t <= log.done);
    // The page's own share: from the click to its first fetch() call, and from the last answer it had
    // before the verdict to the verdict drawn.
    const head = calls.length ? Math.min(...calls) - log.run : null;
    // How long the page took to issue its first wave: its fetch() calls before the first answer.
    const wave = calls.filter((t) => !answers.length || t < Math.min(...answers));
    const spread = wave.length ? Math.max(...wave) - Math.min(...wave) : null;
    const tail = answers.length ? log.done - Math.max(...answers) : null;
    const verdict = report.outcome === 'ok' ? 'ok' : `${report.cors_error ?? report.outcome}${report.certain ? '' : ' (likely)'}`;
    await sleep(50);
    const right = (report.outcome === 'ok' ? 'ok' : report.cors_error) === c.expect;
    return { ms: report.elapsed_ms, verdict, right, probes: report.probes.map((p) => p.name), head, spread, tail, calls: calls.map((t) => t - log.run), ...timeline(sent) };
  } finally {
    await context.close();
  }
}

async function diagnosis() {
  console.log(`\ndiagnosis: lab builder with delay_ms=${DELAY} and pf_delay_ms=${DELAY} on every answer; median of ${RUNS} runs each`);
  console.log('floor = one plain fetch() from a blank page on the page\'s origin; corscope = the report\'s elapsed_ms;');
  console.log(`round trips = waves of answers (preflights included) arriving within ${DELAY / 2} ms of each other; issued = the same for request starts;`);
  console.log(`queued = requests answered more than ${1.5 * DELAY} ms after they could go out (Chromium's 6 HTTP/1.1 connections per host);`);
  console.log('page ms before = the Run click to the page\'s first fetch() call; issuing = its first fetch() call to the last one before any answer;');
  console.log('page ms after = the last fetch() answer before the verdict to the verdict drawn\n');
  const out = [];
  for (const c of CASES.filter((c) => c.name.includes(ONLY))) {
    const floors = [];
    const pages = [];
    for (let i = 0; i < RUNS; i++) {
      floors.push(await floorOnce(c, i));
      pages.push(await corscopeOnce(c, i));
    }
    const floor = median(floors.map((f) => f.ms));
    const took = median(pages.map((p) => p.ms));
    // Each run's floor and page are measured one after the other: their ratio shows the spread.
    const ratios = pages.map((p, i) => p.ms / floors[i].ms);
    const last = pages[pages.length - 1];
    out.push({
      name: c.name,
      floor,
      corscope: took,
      ratio: took / floor,
      ratioRange: [Math.min(...ratios), Math.max(...ratios)],
      floorTrips: median(floors.map((f) => f.answered.length)),
      trips: median(pages.map((p) => p.answered.length)),
      requests: `${last.requests} (${last.preflights} preflights${last.aborted ? `, ${last.aborted} aborted unanswered` : ''})`,
      queued: median(pages.map((p) => p.queued)),
      head: median(pages.filter((p) => p.head != null).map((p) => p.head)),
      spread: median(pages.filter((p) => p.spread != null).map((p) => p.spread)),
      tail: median(pages.filter((p) => p.tail != null).map((p) => p.tail)),
      issued: last.issued.map((w) => `${w.n}@${ms(w.at)}`).join(' '),
      answered: last.answered.map((w) => `${w.n}@${ms(w.at)}`).join(' '),
      probes: last.probes,
      verdict: last.verdict,
      right: pages.every((p) => p.right),
      runs: { floors, pages },
    });
  }
  table([['request', 'floor ms', 'corscope ms', 'ratio', 'runs\' ratios', 'RTs floor', 'RTs corscope', 'page ms before', 'issuing', 'page ms after', 'requests', 'queued', 'issued (n@ms)', 'answered (n@ms)', 'verdict'],
    ...out.map((r) => [r.name, ms(r.floor), ms(r.corscope), `${r.ratio.toFixed(2)}×`,
      `${r.ratioRange[0].toFixed(2)}–${r.ratioRange[1].toFixed(2)}`, r.floorTrips, r.trips, r.head?.toFixed(1) ?? '-', r.spread?.toFixed(1) ?? '-', r.tail?.toFixed(1) ?? '-', r.requests, r.queued, r.issued, r.answered,
      `${r.verdict}${r.right ? '' : ' WRONG'}`])], 'lrrrrrrrrrlrlll');
  for (const r of out) if (r.probes.length) console.log(`probes of "${r.name}": ${r.probes.join(', ')}`);
  const met = out.every((r) => r.ratio <= 2) && out.every((r) => r.trips <= 3);
  console.log(`target ≤ 2× the plain fetch and ≤ 3 round trips in every case: ${met ? 'met' : 'not met'}`
    + ` (worst ratio ${Math.max(...out.map((r) => r.ratio)).toFixed(2)}×, most round trips ${Math.max(...out.map((r) => r.trips))})`);
  return out;
}

// ---------------------------------------------------------------------------------------------------

let browser;
let site;

async function main() {
  site = await serveStatic(DIST);
  const results = { date: new Date().toISOString(), machine: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`, loadavg: loadavg() };
  let status = 0;
  try {
    if (PARTS.has('size')) results.size = await sizes();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run'],
    });
    results.browser = browser.version();
    console.log(`\npage ${site.url}  lab ${LAB}  Chromium ${results.browser}  ${results.machine}  load average ${results.loadavg.map((l) => l.toFixed(2)).join(' ')}`);
    if (PARTS.has('ready')) results.ready = await ready();
    if (PARTS.has('diagnosis')) results.diagnosis = await diagnosis();
    await mkdir(OUT, { recursive: true });
    await writeFile(join(OUT, 'bench.json'), JSON.stringify(results, null, 1));
    console.log(`\nall measurements: ${relative(process.cwd(), join(OUT, 'bench.json'))}`);
  } catch (e) {
    console.error(`bench: ${e.stack ?? e}`);
    status = 1;
  } finally {
    await browser?.close().catch(() => {});
    await site.close();
  }
  process.exit(status);
}

await main();
