// corscope against real server frameworks: Express + the `cors` package, and Starlette's CORSMiddleware
// (FastAPI's), in typical configurations and misconfigurations (e2e/servers/). Same method as e2e.mjs on
// the lab: every case is opened in the built page through its permalink (`#...&run=1`, `repeat=1`) and
// `#report-json` is read; the same request is sent with fetch() from a blank page on the page's origin and
// Chromium's own verdict is read over DevTools (`Network.loadingFailed.corsErrorStatus`); grade.mjs grades
// it. Then the page's own `curl` commands are run, their output pasted, and the pasted verdict graded.
//
//   node e2e/real-servers.mjs --dist <built dist/> --express <base URL> --starlette <base URL> [--out target/real-servers]
//
// Env: CASE=<name,...> only these cases; CHROMIUM=<path>. Exits 1 on any wrong row (either path) or error.
import { chromium } from 'playwright-core';
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BLANK_PATH, serveStatic, shellWords } from './util.mjs';
import { chromiumVerdict, describeChrome, describeReport, faultResponseOf, grade, gradePaste } from './grade.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []));
if (!args.dist || !args.express || !args.starlette) {
  console.error('usage: node e2e/real-servers.mjs --dist <dir> --express <url> --starlette <url> [--out <dir>]');
  process.exit(2);
}
const SERVERS = { express: args.express.replace(/\/$/, ''), starlette: args.starlette.replace(/\/$/, '') };
const OUT = resolve(args.out ?? 'target/real-servers');
const ONLY = process.env.CASE ? new Set(process.env.CASE.split(',')) : null;
const DONE_MS = 20_000;
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const enc = encodeURIComponent;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const started = Date.now();
const failures = [];
const fail = (what) => { failures.push(what); console.log(`FAIL ${what}`); };

const GET = { method: 'GET', credentials: 'omit', headers: [] };
const PUT_H = { method: 'PUT', credentials: 'omit', headers: [['X-Custom', '1']] };
const ACAO = 'access-control-allow-origin';
/// The cases: server, path, request, and what we expect Chromium to say (`expect`: code or 'ok'; only a
/// prediction, printed when Chromium says otherwise). `fault_header` is the header at fault when Chromium
/// gives the expected code (grade.mjs checks the report's fault_header against it; null = not checked).
const CASES = [
  // Express + cors
  { name: 'express-default-get', server: 'express', path: '/default', request: GET, expect: 'ok' },
  { name: 'express-default-put-header', server: 'express', path: '/default', request: PUT_H, expect: 'ok' },
  { name: 'express-default-credentials', server: 'express', path: '/default', request: { ...GET, credentials: 'include' }, expect: 'WildcardOriginNotAllowed', fault_header: ACAO },
  { name: 'express-fixed-get', server: 'express', path: '/fixed', request: GET, expect: 'AllowOriginMismatch', fault_header: ACAO },
  { name: 'express-fixed-put', server: 'express', path: '/fixed', request: PUT_H, expect: 'PreflightAllowOriginMismatch', fault_header: ACAO },
  { name: 'express-reflect-credentials', server: 'express', path: '/reflect', request: { ...GET, credentials: 'include' }, expect: 'ok' },
  { name: 'express-reflect-put-credentials', server: 'express', path: '/reflect', request: { ...PUT_H, credentials: 'include' }, expect: 'ok' },
  { name: 'express-wildcard-credentials-get', server: 'express', path: '/wildcard-credentials', request: { ...GET, credentials: 'include' }, expect: 'WildcardOriginNotAllowed', fault_header: ACAO },
  { name: 'express-wildcard-credentials-put', server: 'express', path: '/wildcard-credentials', request: { ...PUT_H, credentials: 'include' }, expect: 'PreflightWildcardOriginNotAllowed', fault_header: ACAO },
  { name: 'express-wildcard-credentials-omit', server: 'express', path: '/wildcard-credentials', request: GET, expect: 'ok' },
  { name: 'express-headers-x-api-key', server: 'express', path: '/headers', request: { method: 'POST', credentials: 'omit', headers: [['X-Api-Key', 'k'], ['Content-Type', 'application/json']], body: '{}' }, expect: 'HeaderDisallowedByPreflightResponse', fault_header: 'access-control-allow-headers' },
  { name: 'express-methods-put', server: 'express', path: '/methods', request: { method: 'PUT', credentials: 'omit', headers: [] }, expect: 'MethodDisallowedByPreflightResponse', fault_header: 'access-control-allow-methods' },
  { name: 'express-methods-post', server: 'express', path: '/methods', request: { method: 'POST', credentials: 'omit', headers: [['Content-Type', 'application/json']], body: '{}' }, expect: 'ok' },
  { name: 'express-error-500-get', server: 'express', path: '/error', request: GET, expect: 'MissingAllowOriginHeader', fault_header: ACAO },
  { name: 'express-error-500-put', server: 'express', path: '/error', request: PUT_H, expect: 'PreflightMissingAllowOriginHeader', fault_header: ACAO },
  { name: 'express-get-only-get', server: 'express', path: '/get-only', request: GET, expect: 'ok' },
  { name: 'express-get-only-put', server: 'express', path: '/get-only', request: { method: 'PUT', credentials: 'omit', headers: [] }, expect: 'PreflightMissingAllowOriginHeader', fault_header: ACAO },
  { name: 'express-get-only-get-header', server: 'express', path: '/get-only', request: { ...GET, headers: [['Authorization', 'Bearer t']] }, expect: 'PreflightMissingAllowOriginHeader', fault_header: ACAO },
  { name: 'spring-style-header', server: 'express', path: '/spring-style', request: { ...GET, headers: [['X-Custom', '1']] }, expect: 'PreflightMissingAllowOriginHeader', fault_header: ACAO },
  { name: 'spring-style-put', server: 'express', path: '/spring-style', request: { method: 'PUT', credentials: 'omit', headers: [] }, expect: 'PreflightMissingAllowOriginHeader', fault_header: ACAO },
  { name: 'spring-style-json-post', server: 'express', path: '/spring-style', request: { method: 'POST', credentials: 'omit', headers: [['Content-Type', 'application/json']], body: '{}' }, expect: 'ok' },
  { name: 'express-unknown-route', server: 'express', path: '/nowhere', request: GET, expect: 'MissingAllowOriginHeader', fault_header: ACAO },
  // Starlette CORSMiddleware
  { name: 'starlette-wildcard-get', server: 'starlette', path: '/wildcard/api', request: GET, expect: 'ok' },
  { name: 'starlette-wildcard-put-header', server: 'starlette', path: '/wildcard/api', request: PUT_H, expect: 'PreflightInvalidStatus' },
  { name: 'starlette-wildcard-credentials-simple', server: 'starlette', path: '/wildcard/api', request: { ...GET, credentials: 'include' }, expect: 'WildcardOriginNotAllowed', fault_header: ACAO },
  { name: 'starlette-fixed-get', server: 'starlette', path: '/fixed/api', request: GET, expect: 'MissingAllowOriginHeader', fault_header: ACAO },
  { name: 'starlette-fixed-put', server: 'starlette', path: '/fixed/api', request: PUT_H, expect: 'PreflightMissingAllowOriginHeader', fault_header: ACAO },
  { name: 'starlette-wildcard-credentials-get', server: 'starlette', path: '/wildcard-credentials/api', request: { ...GET, credentials: 'include' }, expect: 'ok' },
  { name: 'starlette-wildcard-credentials-put', server: 'starlette', path: '/wildcard-credentials/api', request: { ...PUT_H, credentials: 'include' }, expect: 'ok' },
  { name: 'starlette-no-headers-custom', server: 'starlette', path: '/no-headers/api', request: { ...GET, headers: [['X-Custom', '1']] }, expect: 'PreflightInvalidStatus' },
  { name: 'starlette-no-headers-content-type', server: 'starlette', path: '/no-headers/api', request: { method: 'POST', credentials: 'omit', headers: [['Content-Type', 'application/json']], body: '{}' }, expect: 'ok' },
  { name: 'starlette-get-only-put', server: 'starlette', path: '/get-only/api', request: { method: 'PUT', credentials: 'omit', headers: [] }, expect: 'PreflightInvalidStatus' },
  { name: 'starlette-regex-credentials', server: 'starlette', path: '/regex/api', request: { ...PUT_H, credentials: 'include' }, expect: 'ok' },
  { name: 'starlette-regex-prod-get', server: 'starlette', path: '/regex-prod/api', request: GET, expect: 'MissingAllowOriginHeader', fault_header: ACAO },
  { name: 'starlette-regex-prod-put', server: 'starlette', path: '/regex-prod/api', request: PUT_H, expect: 'PreflightMissingAllowOriginHeader', fault_header: ACAO },
  // Starlette's Mount redirects `/regex` to `/regex/` (307) outside the middleware: no CORS headers on it.
  { name: 'starlette-mount-slash-redirect', server: 'starlette', path: '/regex', request: GET, expect: 'MissingAllowOriginHeader', fault_header: ACAO },
];

const site = await serveStatic(resolve(args.dist));
const profile = await mkdtemp(join(tmpdir(), 'corscope-real-servers-profile-'));
process.on('exit', () => rmSync(profile, { recursive: true, force: true }));
let context;
let rows = [];
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
  const version = context.browser()?.version() ?? '';
  console.log(`page ${site.url}  express ${SERVERS.express}  starlette ${SERVERS.starlette}  ${version}`);
  await mkdir(OUT, { recursive: true });
  rows = await runCases();
} catch (e) {
  fail(`harness error: ${e.stack ?? e}`);
} finally {
  await context?.close().catch(() => {});
  await site.close();
  await rm(profile, { recursive: true, force: true });
}
await writeFile(join(OUT, 'results.json'), JSON.stringify({ page: site.url, servers: SERVERS, seconds: (Date.now() - started) / 1000, failures, rows }, null, 1)).catch(() => {});
console.log(`\n${failures.length ? `FAILED (${failures.length})` : 'PASSED'} in ${((Date.now() - started) / 1000).toFixed(1)} s; results in ${join(OUT, 'results.json')}`);
for (const f of failures) console.log(`  - ${f.split('\n')[0]}`);
process.exit(failures.length ? 1 : 0);

// ---------------------------------------------------------------------------------------------------
// The pieces below are e2e.mjs's (not exported there: it is a script), kept identical in behaviour.

async function openPage(url) {
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && /panic|RuntimeError|unreachable/i.test(m.text())) page.problems.push(`console: ${m.text()}`); });
  await page.goto(url);
  await page.waitForSelector('#request-form', { state: 'attached', timeout: 10_000 });
  await page.evaluate(() => {
    const report = document.getElementById('report');
    window.__e2eDone = 0;
    const seen = () => { if (['done', 'failed'].includes(report.dataset.state)) window.__e2eDone += 1; };
    seen();
    new MutationObserver(seen).observe(report, { attributes: true, attributeFilter: ['data-state'] });
  });
  return page;
}

async function waitDone(page, before) {
  await page.waitForFunction((n) => window.__e2eDone > n, before, { timeout: DONE_MS, polling: 50 });
  const state = await page.getAttribute('#report', 'data-state');
  if (state !== 'done') throw new Error(`report data-state=${state}: ${await page.textContent('#headline')}`);
  return JSON.parse(await page.textContent('#report-json'));
}

function permalink(url, request) {
  const parts = [`url=${enc(url)}`, `method=${enc(request.method ?? 'GET')}`, `mode=${request.mode ?? 'cors'}`,
    `credentials=${request.credentials ?? 'same-origin'}`];
  for (const [name, value] of request.headers ?? []) parts.push(`header=${enc(`${name}:${value}`)}`);
  if (request.body != null) parts.push(`body=${enc(request.body)}`);
  parts.push('repeat=1', 'run=1');
  return `${site.url}/#${parts.join('&')}`;
}

async function chromiumOwn(blank, cdp, url, request) {
  const sent = [];
  const failed = new Map();
  const onSent = (e) => sent.push(e);
  const onFailed = (e) => failed.set(e.requestId, e);
  cdp.on('Network.requestWillBeSent', onSent);
  cdp.on('Network.loadingFailed', onFailed);
  try {
    const init = { method: request.method ?? 'GET', mode: request.mode ?? 'cors', credentials: request.credentials ?? 'same-origin',
      redirect: 'follow', headers: request.headers ?? [] };
    if (request.body != null) init.body = request.body;
    const result = await blank.evaluate(async ([url, init]) => {
      try {
        const r = await fetch(url, init);
        await r.arrayBuffer().catch(() => {});
        return { resolved: true, status: r.status, type: r.type, readable: [...r.headers.keys()].sort() };
      } catch (e) { return { resolved: false, message: String(e.message) }; }
    }, [url, init]);
    const main = () => sent.find((e) => e.request.url === url && e.initiator?.type !== 'preflight' && e.type !== 'Preflight');
    const preflight = sent.some((e) => (e.initiator?.type === 'preflight' || e.type === 'Preflight') && e.request.url === url);
    let event;
    for (let i = 0; i < 40 && !result.resolved; i++) {
      event = main() && failed.get(main().requestId);
      if (event) break;
      await sleep(25);
    }
    return { ...chromiumVerdict({ resolved: result.resolved, corsErrorStatus: event?.corsErrorStatus, errorText: event?.errorText ?? result.message }),
      preflight, status: result.status ?? null, readable: result.readable ?? null };
  } finally {
    cdp.off('Network.requestWillBeSent', onSent);
    cdp.off('Network.loadingFailed', onFailed);
  }
}

function runCurl(line) {
  const words = shellWords(line.trim());
  if (words[0] !== 'curl') throw new Error(`not a curl command: ${line}`);
  return new Promise((resolve, reject) => {
    execFile('curl', ['-sS', '--max-time', '10', ...words.slice(1)], { encoding: 'latin1', maxBuffer: 8 << 20 }, (error, stdout, stderr) => {
      if (error && !stdout) reject(new Error(`curl failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

async function pastePath(page) {
  const commands = await page.$$eval('#curl pre', (pres) => pres.map((p) => p.textContent));
  if (commands.length === 0) throw new Error('no curl commands in #curl');
  const preflightLine = commands.find((c) => / -X OPTIONS /.test(c));
  const actualLine = commands.find((c) => c !== preflightLine);
  const preflight = preflightLine ? await runCurl(preflightLine) : '';
  const actual = await runCurl(actualLine);
  await page.fill('#paste-preflight', preflight);
  await page.fill('#paste-actual', actual);
  await page.evaluate(() => { document.getElementById('report-json').textContent = ''; document.getElementById('paste-error').textContent = ''; });
  const before = await page.evaluate(() => window.__e2eDone);
  await page.click('#paste-run');
  await page.waitForFunction((n) => window.__e2eDone > n || document.getElementById('paste-error').textContent !== '', before, { timeout: 5000, polling: 20 });
  const error = await page.textContent('#paste-error');
  if (error) throw new Error(`paste refused: ${error}`);
  return { report: JSON.parse(await page.textContent('#report-json')), commands: { preflight: preflightLine, actual: actualLine } };
}

// ---------------------------------------------------------------------------------------------------

async function runCases() {
  const blank = await context.newPage();
  await blank.goto(site.url + BLANK_PATH);
  const cdp = await context.newCDPSession(blank);
  await cdp.send('Network.enable');
  const rows = [];
  const list = CASES.filter((c) => !ONLY || ONLY.has(c.name));
  if (list.length === 0) fail(`no case ran (CASE=${process.env.CASE ?? ''})`);
  console.log(`\n${list.length} cases (browser-only path, then the pasted-headers path)\n`);
  const header = `${'case'.padEnd(38)} ${'Chromium'.padEnd(58)} ${'corscope'.padEnd(64)} ${'grade'.padEnd(6)} paste`;
  console.log(header);
  console.log('-'.repeat(header.length + 4));
  for (const [i, c] of list.entries()) {
    const url = `${SERVERS[c.server]}${c.path}`;
    const row = { name: c.name, server: c.server, url, request: c.request, expect: c.expect, notes: [] };
    rows.push(row);
    const page = await openPage(permalink(url, c.request));
    row.permalink = page.url();
    try {
      row.report = await waitDone(page, 0);
    } catch (e) {
      row.report = { outcome: `no report (${e.message.split('\n')[0]})` };
    }
    // Chromium's own verdict on a URL of its own (no shared preflight cache; no server here caches).
    const sep = url.includes('?') ? '&' : '?';
    row.chrome = await chromiumOwn(blank, cdp, `${url}${sep}rs=${i}-${Date.now()}`, c.request);
    const said = row.chrome.outcome === 'blocked' ? row.chrome.cors_error : row.chrome.outcome;
    if (said !== c.expect) row.notes.push(`surprise: expected ${c.expect}, Chromium says ${describeChrome(row.chrome)}`);
    const truth = row.chrome.cors_error ? {
      fault_response: faultResponseOf(row.chrome.cors_error),
      fault_header: said === c.expect ? c.fault_header ?? null : null,
    } : {};
    row.graded = row.report.outcome?.startsWith('no report') ? { grade: 'wrong', why: row.report.outcome, unknown: [] } : grade(row.chrome, row.report, truth);
    if (row.report.preflight !== undefined && row.chrome.outcome !== 'network-error' && row.report.preflight !== row.chrome.preflight) {
      row.notes.push(`preflight: corscope ${row.report.preflight}, Chromium ${row.chrome.preflight}`);
      fail(`${c.name}: the report says preflight=${row.report.preflight}, Chromium ${row.chrome.preflight ? 'sent' : 'did not send'} one`);
    }
    if (row.chrome.outcome === 'ok' && row.report.outcome === 'ok') {
      const same = row.report.status === row.chrome.status && JSON.stringify(row.report.readable_headers) === JSON.stringify(row.chrome.readable);
      if (!same) {
        row.notes.push(`readable: corscope ${row.report.status} [${row.report.readable_headers}], Chromium ${row.chrome.status} [${row.chrome.readable}]`);
        fail(`${c.name}: status or readable headers differ from Chromium's own fetch`);
      }
    }
    if (row.graded.unknown.length) row.notes.push(`left null: ${row.graded.unknown.join(', ')}`);
    if (row.graded.why) row.notes.push(row.graded.why);
    if (row.chrome.outcome !== 'network-error' && row.report.outcome && !row.report.outcome.startsWith('no report')) {
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
    if (page.problems.length) { row.notes.push(...page.problems); fail(`${c.name}: ${page.problems[0]}`); }
    await page.close();
    console.log(`${c.name.padEnd(38)} ${describeChrome(row.chrome).padEnd(58)} ${describeReport(row.report).padEnd(64)} ${row.graded.grade.padEnd(6)} ${row.paste?.grade ?? '-'}`);
    for (const note of row.notes) console.log(`${''.padEnd(40)}${note}`);
  }
  await blank.close();

  const by = (pick, g) => rows.filter((r) => pick(r)?.grade === g).length;
  const blocked = rows.filter((r) => r.chrome.outcome === 'blocked');
  const exact = by((r) => r.graded, 'exact');
  const faultN = by((r) => r.graded, 'fault');
  const wrong = by((r) => r.graded, 'wrong');
  const pasted = rows.filter((r) => r.paste);
  const pasteExact = by((r) => r.paste, 'exact');
  const pasteWrong = pasted.length - pasteExact;
  console.log(`\nbrowser-only path: ${rows.length} cases: ${exact} exact, ${faultN} fault, ${wrong} wrong`
    + ` (blocked ones: ${blocked.filter((r) => r.graded.grade === 'exact').length}/${blocked.length} exact;`
    + ` fault left null in ${rows.filter((r) => r.graded.unknown.length).length} rows)`);
  console.log(`pasted-headers path: ${pasted.length} cases: ${pasteExact} exact, ${pasteWrong} wrong`
    + ` (blocked ones: ${pasted.filter((r) => r.chrome.outcome === 'blocked' && r.paste.grade === 'exact').length}/${pasted.filter((r) => r.chrome.outcome === 'blocked').length} exact)`);
  const surprises = rows.filter((r) => r.notes.some((n) => n.startsWith('surprise')));
  if (surprises.length) console.log(`Chromium differed from our expectation in ${surprises.length} case(s): ${surprises.map((r) => r.name).join(', ')}`);
  if (wrong) fail(`browser-only path: ${wrong} wrong: ${rows.filter((r) => r.graded.grade === 'wrong').map((r) => r.name).join(', ')}`);
  if (pasteWrong) fail(`pasted-headers path: ${pasteWrong} wrong: ${pasted.filter((r) => r.paste.grade !== 'exact').map((r) => r.name).join(', ')}`);
  return rows;
}
