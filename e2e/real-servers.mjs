// corscope against real servers: Express + the `cors` package, Starlette's CORSMiddleware (FastAPI's),
// Flask-CORS and nginx's add_header recipes, in typical configurations and misconfigurations (e2e/servers/). Same method as e2e.mjs on
// the lab: every case is opened in the built page through its permalink (`#...&run=1`, `repeat=1`) and
// `#report-json` is read; the same request is sent with fetch() from a blank page on the page's origin and
// Chromium's own verdict is read over DevTools (`Network.loadingFailed.corsErrorStatus`); grade.mjs grades
// it. Then the page's own `curl` commands are run, their output pasted, and the pasted verdict graded.
//
//   node e2e/real-servers.mjs --dist <built dist/> --express <URL> --starlette <URL> --flask <URL> --nginx <URL>
//                             [--out target/real-servers]
//
// Env: CASE=<name,...> only these cases; CHROMIUM=<path>. Exits 1 on any wrong row (either path) or error.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BLANK_PATH, serveStatic } from './util.mjs';
import { checkRow, chromiumOwn, launch, openReport, permalink } from './page.mjs';
import { describeChrome, describeReport, faultResponseOf } from './grade.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []));
const NAMES = ['express', 'starlette', 'flask', 'nginx'];
if (!args.dist || NAMES.some((name) => !args[name])) {
  console.error('usage: node e2e/real-servers.mjs --dist <dir> --express <url> --starlette <url> --flask <url> --nginx <url> [--out <dir>]');
  process.exit(2);
}
const SERVERS = Object.fromEntries(NAMES.map((name) => [name, args[name].replace(/\/$/, '')]));
const OUT = resolve(args.out ?? 'target/real-servers');
const ONLY = process.env.CASE ? new Set(process.env.CASE.split(',')) : null;
const started = Date.now();
const failures = [];
const fail = (what) => { failures.push(what); console.log(`FAIL ${what}`); };

const GET = { method: 'GET', credentials: 'omit', headers: [] };
const PUT_H = { method: 'PUT', credentials: 'omit', headers: [['X-Custom', '1']] };
const JSON_POST = { method: 'POST', credentials: 'omit', headers: [['Content-Type', 'application/json']], body: '{}' };
const ACAO = 'access-control-allow-origin';
const ACAM = 'access-control-allow-methods';
const ACAH = 'access-control-allow-headers';
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
  // Flask-CORS (e2e/servers/flask/app.py)
  { name: 'flask-default-get', server: 'flask', path: '/default/api', request: GET, expect: 'ok' },
  { name: 'flask-default-put-header', server: 'flask', path: '/default/api', request: PUT_H, expect: 'ok' },
  { name: 'flask-default-credentials', server: 'flask', path: '/default/api', request: { ...GET, credentials: 'include' }, expect: 'InvalidAllowCredentials', fault_header: 'access-control-allow-credentials' },
  { name: 'flask-fixed-get', server: 'flask', path: '/fixed/api', request: GET, expect: 'MissingAllowOriginHeader', fault_header: ACAO },
  { name: 'flask-fixed-put', server: 'flask', path: '/fixed/api', request: PUT_H, expect: 'PreflightMissingAllowOriginHeader', fault_header: ACAO },
  { name: 'flask-wildcard-credentials', server: 'flask', path: '/wildcard/api', request: { ...GET, credentials: 'include' }, expect: 'WildcardOriginNotAllowed', fault_header: ACAO },
  { name: 'flask-wildcard-put-header', server: 'flask', path: '/wildcard/api', request: PUT_H, expect: 'ok' },
  { name: 'flask-credentials-get', server: 'flask', path: '/credentials/api', request: { ...GET, credentials: 'include' }, expect: 'ok' },
  { name: 'flask-credentials-put', server: 'flask', path: '/credentials/api', request: { ...PUT_H, credentials: 'include' }, expect: 'ok' },
  { name: 'flask-headers-x-api-key', server: 'flask', path: '/headers/api', request: { ...JSON_POST, headers: [...JSON_POST.headers, ['X-Api-Key', 'k']] }, expect: 'HeaderDisallowedByPreflightResponse', fault_header: ACAH },
  { name: 'flask-methods-put', server: 'flask', path: '/methods/api', request: { ...GET, method: 'PUT' }, expect: 'MethodDisallowedByPreflightResponse', fault_header: ACAM },
  { name: 'flask-no-cors-get', server: 'flask', path: '/plain/api', request: GET, expect: 'MissingAllowOriginHeader', fault_header: ACAO },
  { name: 'flask-no-cors-put', server: 'flask', path: '/plain/api', request: PUT_H, expect: 'PreflightMissingAllowOriginHeader', fault_header: ACAO },
  { name: 'flask-get-only-put', server: 'flask', path: '/default/get-only', request: { ...GET, method: 'PUT' }, expect: 'ok' },
  { name: 'flask-error-500', server: 'flask', path: '/default/boom', request: GET, expect: 'ok' },
  { name: 'flask-not-found', server: 'flask', path: '/default/missing', request: GET, expect: 'ok' },
  // nginx add_header recipes (e2e/servers/nginx/nginx.conf.in)
  { name: 'nginx-enable-cors-get', server: 'nginx', path: '/enable-cors/api', request: GET, expect: 'ok' },
  { name: 'nginx-enable-cors-json-post', server: 'nginx', path: '/enable-cors/api', request: JSON_POST, expect: 'ok' },
  { name: 'nginx-enable-cors-x-api-key', server: 'nginx', path: '/enable-cors/api', request: { ...GET, headers: [['X-Api-Key', 'k']] }, expect: 'HeaderDisallowedByPreflightResponse', fault_header: ACAH },
  { name: 'nginx-enable-cors-put', server: 'nginx', path: '/enable-cors/api', request: { ...GET, method: 'PUT' }, expect: 'MethodDisallowedByPreflightResponse', fault_header: ACAM },
  { name: 'nginx-enable-cors-credentials', server: 'nginx', path: '/enable-cors/api', request: { ...GET, credentials: 'include' }, expect: 'WildcardOriginNotAllowed', fault_header: ACAO },
  { name: 'nginx-no-always-get', server: 'nginx', path: '/no-always/item', request: GET, expect: 'MissingAllowOriginHeader', fault_header: ACAO },
  { name: 'nginx-no-always-put', server: 'nginx', path: '/no-always/item', request: PUT_H, expect: 'MissingAllowOriginHeader', fault_header: ACAO },
  { name: 'nginx-always-get', server: 'nginx', path: '/always/item', request: GET, expect: 'ok' },
  { name: 'nginx-always-put', server: 'nginx', path: '/always/item', request: PUT_H, expect: 'PreflightInvalidStatus' },
  { name: 'nginx-inherit-lost', server: 'nginx', path: '/inherit/api', request: GET, expect: 'MissingAllowOriginHeader', fault_header: ACAO },
  { name: 'nginx-inherit-kept', server: 'nginx', path: '/inherit/other', request: GET, expect: 'ok' },
  { name: 'nginx-duplicate-get', server: 'nginx', path: '/duplicate/api', request: GET, expect: 'MultipleAllowOriginValues', fault_header: ACAO },
  { name: 'nginx-duplicate-put', server: 'nginx', path: '/duplicate/api', request: PUT_H, expect: 'PreflightMultipleAllowOriginValues', fault_header: ACAO },
  { name: 'nginx-allow-list-get', server: 'nginx', path: '/allow-list/api', request: GET, expect: 'MissingAllowOriginHeader', fault_header: ACAO },
  { name: 'nginx-allow-list-put', server: 'nginx', path: '/allow-list/api', request: { ...GET, method: 'PUT' }, expect: 'PreflightMissingAllowOriginHeader', fault_header: ACAO },
  { name: 'nginx-local-credentials-get', server: 'nginx', path: '/local-credentials/api', request: { ...GET, credentials: 'include' }, expect: 'ok' },
  { name: 'nginx-local-credentials-put', server: 'nginx', path: '/local-credentials/api', request: { ...PUT_H, credentials: 'include' }, expect: 'MethodDisallowedByPreflightResponse', fault_header: ACAM },
  { name: 'nginx-local-credentials-header', server: 'nginx', path: '/local-credentials/api', request: { ...GET, credentials: 'include', headers: [['X-Custom', '1']] }, expect: 'HeaderDisallowedByPreflightResponse', fault_header: ACAH },
  { name: 'nginx-local-omit-put', server: 'nginx', path: '/local-credentials/api', request: PUT_H, expect: 'ok' },
  { name: 'nginx-static-get', server: 'nginx', path: '/static/data.json', request: GET, expect: 'ok' },
  { name: 'nginx-static-header', server: 'nginx', path: '/static/data.json', request: { ...GET, headers: [['X-Custom', '1']] }, expect: 'PreflightInvalidStatus' },
];

const site = await serveStatic(resolve(args.dist));
const profile = await mkdtemp(join(tmpdir(), 'corscope-real-servers-profile-'));
process.on('exit', () => rmSync(profile, { recursive: true, force: true }));
let context;
let rows = [];
try {
  context = await launch(profile);
  const version = context.browser()?.version() ?? '';
  console.log(`page ${site.url}  ${Object.entries(SERVERS).map(([k, v]) => `${k} ${v}`).join('  ')}  ${version}`);
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
    const { page, report } = await openReport(context, permalink(site.url, url, c.request));
    row.permalink = page.url();
    row.report = report;
    // Chromium's own verdict on a URL of its own (no shared preflight cache; no server here caches).
    const sep = url.includes('?') ? '&' : '?';
    row.chrome = await chromiumOwn(blank, cdp, `${url}${sep}rs=${i}-${Date.now()}`, c.request);
    const said = row.chrome.outcome === 'blocked' ? row.chrome.cors_error : row.chrome.outcome;
    if (said !== c.expect) row.notes.push(`surprise: expected ${c.expect}, Chromium says ${describeChrome(row.chrome)}`);
    const truth = row.chrome.cors_error ? {
      fault_response: faultResponseOf(row.chrome.cors_error),
      fault_header: said === c.expect ? c.fault_header ?? null : null,
    } : {};
    await checkRow(page, row, truth, fail);
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
