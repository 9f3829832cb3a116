// The pieces the end-to-end drivers share (e2e.mjs against the lab, real-servers.mjs against real
// frameworks): a corscope page and its report, the permalink, Chromium's own verdict from the DevTools
// protocol, and the paste path with the page's own curl commands.
import { chromium } from 'playwright-core';
import { execFile } from 'node:child_process';
import { shellWords } from './util.mjs';
import { chromiumVerdict, grade, gradePaste } from './grade.mjs';

/// How long a run may take to reach data-state=done.
export const DONE_MS = 20_000;
const enc = encodeURIComponent;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/// Debian's Chromium, headless, in a fresh profile, kept off the network it must not reach.
export function launch(profile) {
  return chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
}

/// A page of corscope in `context`, with page errors and console errors collected.
export async function openPage(context, url) {
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && /panic|RuntimeError|unreachable/i.test(m.text())) page.problems.push(`console: ${m.text()}`); });
  await page.goto(url);
  await page.waitForSelector('#request-form', { state: 'attached', timeout: 10_000 });
  // Counts the report's transitions to done/failed: a later run is seen finishing even when the
  // previous one already left data-state=done. (DevTools' evaluate is not bound by the page's CSP.)
  await page.evaluate(() => {
    const report = document.getElementById('report');
    window.__e2eDone = 0;
    const seen = () => { if (['done', 'failed'].includes(report.dataset.state)) window.__e2eDone += 1; };
    seen();
    new MutationObserver(seen).observe(report, { attributes: true, attributeFilter: ['data-state'] });
  });
  return page;
}

/// Opens corscope at `url` (a permalink that runs) and waits for its first report. A run that never
/// finishes gives `{outcome: 'no report (…)'}`, which every grade counts as wrong.
export async function openReport(context, url) {
  const page = await openPage(context, url);
  try {
    return { page, report: await waitDone(page, 0) };
  } catch (e) {
    return { page, report: { outcome: `no report (${e.message.split('\n')[0]})` } };
  }
}

/// Waits until the report finished once more than `before` times; returns its JSON.
export async function waitDone(page, before) {
  await page.waitForFunction((n) => window.__e2eDone > n, before, { timeout: DONE_MS, polling: 50 });
  const state = await page.getAttribute('#report', 'data-state');
  if (state !== 'done') throw new Error(`report data-state=${state}: ${await page.textContent('#headline')}`);
  return JSON.parse(await page.textContent('#report-json'));
}

export function doneCount(page) {
  return page.evaluate(() => window.__e2eDone);
}

export function headersOf(request) {
  const h = request.headers ?? [];
  return Array.isArray(h) ? h.map((x) => (typeof x === 'string' ? x.split(/:(.*)/s).slice(0, 2).map((s) => s.trim()) : x)) : Object.entries(h);
}

/// The page's permalink (at `siteUrl`) that fills the form with `request` for `url` and runs it.
export function permalink(siteUrl, url, request) {
  const parts = [`url=${enc(url)}`, `method=${enc(request.method ?? 'GET')}`, `mode=${request.mode ?? 'cors'}`,
    `credentials=${request.credentials ?? 'same-origin'}`];
  if (request.redirect) parts.push(`redirect=${request.redirect}`);
  for (const [name, value] of headersOf(request)) parts.push(`header=${enc(`${name}:${value}`)}`);
  if (request.body != null) parts.push(`body=${enc(request.body)}`);
  parts.push('repeat=1', 'run=1');
  return `${siteUrl}/#${parts.join('&')}`;
}

/// Chromium's own verdict on one request, sent with fetch() from `blank` (a page on the page's origin),
/// read from the DevTools protocol. The request id keeps its first URL across redirects, and a failed
/// preflight is reported on the main request, so the main request's id is the one to follow.
export async function chromiumOwn(blank, cdp, url, request) {
  const sent = [];
  const failed = new Map();
  const finished = new Set();
  const onSent = (e) => sent.push(e);
  const onFailed = (e) => failed.set(e.requestId, e);
  const onFinished = (e) => finished.add(e.requestId);
  // A request Chromium refuses before sending (a no-cors request with redirect mode manual) has no
  // network events: its CORS error comes as a DevTools issue about the URL.
  const issues = [];
  const onIssue = (e) => { if (e.issue?.code === 'CorsIssue') issues.push(e.issue.details.corsIssueDetails); };
  cdp.on('Network.requestWillBeSent', onSent);
  cdp.on('Network.loadingFailed', onFailed);
  cdp.on('Network.loadingFinished', onFinished);
  cdp.on('Audits.issueAdded', onIssue);
  await cdp.send('Audits.enable');
  try {
    const init = { method: request.method ?? 'GET', mode: request.mode ?? 'cors', credentials: request.credentials ?? 'same-origin',
      redirect: request.redirect ?? 'follow', headers: headersOf(request) };
    if (request.body != null) init.body = request.body;
    const result = await blank.evaluate(async ([url, init]) => {
      try {
        const r = await fetch(url, init);
        await r.arrayBuffer().catch(() => {});
        return { resolved: true, status: r.status, type: r.type, readable: [...r.headers.keys()].sort() };
      }
      catch (e) { return { resolved: false, message: String(e.message) }; }
    }, [url, init]);
    // DevTools events arrive after fetch() settles and in no promised order across request ids:
    // wait for the main request's own end, then give a preflight's event a moment to land.
    const main = () => sent.find((e) => e.request.url === url && e.initiator?.type !== 'preflight' && e.type !== 'Preflight');
    const preflight = () => sent.some((e) => (e.initiator?.type === 'preflight' || e.type === 'Preflight') && e.request.url === url);
    const ended = () => main() && (failed.has(main().requestId) || finished.has(main().requestId));
    // fetch() throws before sending anything for a request it will not make (no request event then).
    const threw = !result.resolved && /^Failed to execute 'fetch'/.test(result.message);
    for (let i = 0; i < 80 && !ended() && !threw; i++) await sleep(25);
    for (let i = 0; i < 8 && !preflight(); i++) await sleep(25);
    const event = main() && failed.get(main().requestId);
    const refused = threw && !main();
    const issue = main() ? null : issues.find((i) => i.request?.url === url && !i.isWarning);
    return { ...chromiumVerdict({ resolved: result.resolved, type: result.type, refused, corsErrorStatus: event?.corsErrorStatus ?? issue?.corsErrorStatus, errorText: event?.errorText ?? result.message }),
      preflight: preflight(), status: result.status ?? null, readable: result.readable ?? null };
  } finally {
    cdp.off('Network.requestWillBeSent', onSent);
    cdp.off('Network.loadingFailed', onFailed);
    cdp.off('Network.loadingFinished', onFinished);
    cdp.off('Audits.issueAdded', onIssue);
  }
}

/// Runs one of the page's curl commands exactly as shown (word-split like a shell, no shell involved).
export function runCurl(line) {
  const words = shellWords(line.trim());
  if (words[0] !== 'curl') throw new Error(`not a curl command: ${line}`);
  return new Promise((resolve, reject) => {
    execFile('curl', ['-sS', '--max-time', '10', ...words.slice(1)], { encoding: 'latin1', maxBuffer: 8 << 20 }, (error, stdout, stderr) => {
      if (error && !stdout) reject(new Error(`curl failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

/// The paste path on a page that holds the scenario's form: run its curl commands, paste, read the verdict.
export async function pastePath(page) {
  const commands = await page.$$eval('#curl pre', (pres) => pres.map((p) => p.textContent));
  if (commands.length === 0) throw new Error('no curl commands in #curl');
  const preflightLine = commands.find((c) => / -X OPTIONS /.test(c));
  const actualLine = commands.find((c) => c !== preflightLine);
  const preflight = preflightLine ? await runCurl(preflightLine) : '';
  const actual = await runCurl(actualLine);
  await page.fill('#paste-preflight', preflight);
  await page.fill('#paste-actual', actual);
  await page.evaluate(() => { document.getElementById('report-json').textContent = ''; document.getElementById('paste-error').textContent = ''; });
  const before = await doneCount(page);
  await page.click('#paste-run');
  await page.waitForFunction((n) => window.__e2eDone > n || document.getElementById('paste-error').textContent !== '', before, { timeout: 5000, polling: 20 });
  const error = await page.textContent('#paste-error');
  if (error) throw new Error(`paste refused: ${error}`);
  return { report: JSON.parse(await page.textContent('#report-json')), commands: { preflight: preflightLine, actual: actualLine } };
}

/// Codes for a request Chromium refuses before sending anything.
const REQUEST_STAGE = new Set(['DisallowedByMode', 'CorsDisabledScheme', 'NoCorsRedirectModeNotFollow']);

/// The checks the drivers make on one row once `row.report` (the page's browser-only verdict) and
/// `row.chrome` (Chromium's own) are in: the grade against `truth`; the preflight, and for an allowed
/// request the status and readable headers, must be Chromium's (`fail` records a failure; with
/// `readableMayDiffer` a readable difference is only noted); then the paste path on `page`, graded too.
export async function checkRow(page, row, truth, fail, readableMayDiffer = false) {
  row.graded = row.report.outcome?.startsWith('no report') ? { grade: 'wrong', why: row.report.outcome, unknown: [] } : grade(row.chrome, row.report, truth);
  if (row.report.preflight !== undefined && row.chrome.outcome !== 'network-error' && row.report.preflight !== row.chrome.preflight) {
    row.notes.push(`preflight: corscope ${row.report.preflight}, Chromium ${row.chrome.preflight}`);
    fail(`${row.name}: the report says preflight=${row.report.preflight}, Chromium ${row.chrome.preflight ? 'sent' : 'did not send'} one`);
  }
  // Allowed: the page read the same status and response headers as Chromium's own fetch.
  if (row.chrome.outcome === 'ok' && row.report.outcome === 'ok') {
    const same = row.report.status === row.chrome.status && JSON.stringify(row.report.readable_headers) === JSON.stringify(row.chrome.readable);
    if (!same) {
      row.notes.push(`readable: corscope ${row.report.status} [${row.report.readable_headers}], Chromium ${row.chrome.status} [${row.chrome.readable}]`);
      if (!readableMayDiffer) fail(`${row.name}: status or readable headers differ from Chromium's own fetch`);
    }
  }
  if (row.graded.unknown.length) row.notes.push(`left null: ${row.graded.unknown.join(', ')}`);
  if (row.graded.why) row.notes.push(row.graded.why);
  // The pasted-headers path (graded for blocked requests; allowed ones must come out allowed too).
  // (A request the browser refuses to send, before or after fetch() returns, has no answer to paste.)
  const unsent = row.chrome.outcome === 'invalid-request' || REQUEST_STAGE.has(row.chrome.cors_error);
  if (row.chrome.outcome !== 'network-error' && !unsent && row.report.outcome && !row.report.outcome.startsWith('no report')) {
    try {
      const pasted = await pastePath(page);
      row.paste = gradePaste(row.chrome, pasted.report);
      row.pasteReport = pasted.report;
      row.curl = pasted.commands;
      if (row.paste.why) row.notes.push(`paste: ${row.paste.why}`);
    } catch (e) {
      row.paste = { grade: 'wrong', why: e.message.split('\n')[0] };
      row.notes.push(`paste: ${row.paste.why}`);
    }
  }
  if (page.problems.length) { row.notes.push(...page.problems); fail(`${row.name}: ${page.problems[0]}`); }
}
