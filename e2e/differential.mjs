// Random differential testing: corscope against Chromium's own verdict on servers and requests nobody
// wrote down. Where e2e.mjs walks the lab's catalogue (cases chosen by hand), this draws each case at
// random from a seeded generator: a server built with the lab's `/b?...` parameters (Access-Control-*
// headers right, wrong, missing, doubled or malformed, on the preflight and on the actual response;
// odd statuses; redirects) and a request (method, credentials, mode, headers, body). Each case goes
// through the same two paths as e2e.mjs: the page through its permalink, graded against the
// `corsErrorStatus` of the same fetch() from a blank page on the page's origin, and the pasted output of
// the page's own curl commands.
//
//   node e2e/differential.mjs --dist <built dist/> --lab <lab base URL> [--cases 100] [--seed 1]
//                             [--out target/differential]
//
// Grades as in e2e.mjs (exact, fault, wrong), plus `masked`: Chromium's code is among the report's
// "also possible" codes only, because a simpler explanation covers everything the page could observe
// (or Chromium's network error is one the report gives as possible).
// A seed and case number reproduce a case: `--seed S --only N`. Exits 1 on any wrong row.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BLANK_PATH, otherHost, serveStatic } from './util.mjs';
import { checkRow, chromiumOwn, launch, openReport, permalink } from './page.mjs';
import { describeChrome, describeReport, faultResponseOf } from './grade.mjs';

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []));
if (!args.dist || !args.lab) {
  console.error('usage: node e2e/differential.mjs --dist <dir> --lab <url> [--cases 100] [--seed 1] [--only N] [--out <dir>]');
  process.exit(2);
}
const LAB = args.lab.replace(/\/$/, '');
const CASES = Number(args.cases ?? 100);
const SEED = Number(args.seed ?? 1);
const ONLY = args.only == null ? null : Number(args.only);
const OUT = resolve(args.out ?? 'target/differential');
const enc = encodeURIComponent;
const failures = [];
const fail = (what) => { failures.push(what); console.log(`FAIL ${what}`); };
const started = Date.now();

/// mulberry32: a small seeded generator, so that a seed names the same cases on every machine.
function generator(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = (list) => list[Math.floor(next() * list.length)];
  const chance = (p) => next() < p;
  return { pick, chance };
}

/// One random case for a page at `origin` reaching the lab at LAB (`alt`: the lab under its other host
/// name, another origin).
function draw(rand, origin, alt) {
  const { pick, chance } = rand;
  const request = {
    // `patch` and `Delete`: fetch() upper-cases only the six standard methods, so `patch` stays lower case
    // and must be listed so in Access-Control-Allow-Methods.
    method: pick(['GET', 'GET', 'GET', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'patch', 'Delete', 'PURGE']),
    mode: chance(0.08) ? 'no-cors' : 'cors',
    credentials: pick(['omit', 'same-origin', 'include', 'include']),
    headers: [],
    body: null,
  };
  if (chance(0.1)) request.redirect = pick(['manual', 'error']);
  // Headers, some of them safelisted only for some values.
  const headerPool = [['Content-Type', 'application/json'], ['Content-Type', 'text/plain'], ['X-Custom', '1'],
    ['Authorization', 'Bearer t'], ['Accept', 'application/json'], ['X-Requested-With', 'XMLHttpRequest'],
    ['X-Trace-Id', 'abc'], ['Content-Language', 'en'], ['Range', 'bytes=0-10'], ['Range', 'bytes=0-1,5-6'],
    ['Content-Type', 'text/plain;charset=UTF-8'], ['Content-Type', 'multipart/form-data; boundary=x'],
    ['Accept', 'text/html"x'], ['Content-Language', 'en@x'], ['Accept-Language', 'x'.repeat(130)],
    ['X-Api-Key', 'k']];
  const n = pick([0, 0, 1, 1, 2, 3]);
  for (let i = 0; i < n; i++) {
    const h = pick(headerPool);
    if (!request.headers.some(([name]) => name === h[0])) request.headers.push(h);
  }
  if (['POST', 'PUT', 'PATCH'].includes(request.method) && chance(0.7)) request.body = '{}';
  const params = [];
  const add = (key, value) => params.push(`${key}=${enc(value)}`);
  // A value for Access-Control-Allow-Origin: mostly right, else one of the ways it goes wrong.
  const origins = ['echo', 'echo', 'echo', '*', '*', 'none', 'http://other.example', `${origin}/`, 'null', 'double', origin.toUpperCase()];
  const allowOrigin = (prefix) => {
    const v = pick(origins);
    if (v === 'double') { add(`${prefix}acao`, 'echo'); add(`${prefix}acao`, 'echo'); } else add(`${prefix}acao`, v);
  };
  const credentials = ['none', 'none', 'true', 'true', 'false', 'True'];
  const side = (prefix) => {
    allowOrigin(prefix);
    const acac = pick(credentials);
    if (acac !== 'none') add(`${prefix}acac`, acac);
  };
  side('');
  if (chance(0.2)) add('status', pick(['201', '204', '404', '500']));
  if (chance(0.15)) add('aceh', pick(['x-total', '*', 'content-length']));
  // The preflight's answer.
  side('pf_');
  if (chance(0.35)) add('pf_status', pick(['200', '403', '404', '500', '301', '299', '300', '304']));
  add('pf_acam', pick(['none', 'echo', 'echo', '*', 'GET, POST', 'PUT', 'put', 'GET, POST, PUT, DELETE, PATCH', 'DELETE', 'GET POST',
    'patch', 'PATCH, patch', ' PUT , DELETE ', 'GET,,PUT', 'PURGE', 'delete']));
  add('pf_acah', pick(['none', 'echo', 'echo', '*', 'content-type', 'x-custom, content-type', 'authorization', 'X-Custom',
    'content-type, authorization, x-custom, x-requested-with, x-trace-id', 'x-custom;', '*, authorization', 'range, accept, accept-language',
    ' x-custom , content-type ', 'x-api-key,,content-type', '']));
  if (chance(0.1)) add('pf_acma', pick(['0', '-1', '600']));
  // Sometimes the actual request is redirected, on the lab's origin or to the other one.
  let url = `${LAB}/b?${params.join('&')}`;
  if (chance(0.12)) {
    const target = `${chance(0.5) ? LAB : `http://${alt}`}/b?${params.join('&')}`;
    url = `${LAB}/b?${params.filter((p) => p.startsWith('pf_')).join('&')}&acao=echo&acac=true&redirect=${enc(target)}`;
  }
  return { url, request };
}

const site = await serveStatic(resolve(args.dist));
const profile = await mkdtemp(join(tmpdir(), 'corscope-differential-profile-'));
process.on('exit', () => rmSync(profile, { recursive: true, force: true }));
const rows = [];
let context;
try {
  context = await launch(profile);
  console.log(`page ${site.url}  lab ${LAB}  seed ${SEED}  ${CASES} cases\n`);
  await mkdir(OUT, { recursive: true });
  const blank = await context.newPage();
  await blank.goto(site.url + BLANK_PATH);
  const cdp = await context.newCDPSession(blank);
  await cdp.send('Network.enable');
  const alt = otherHost(new URL(LAB).host);
  const rand = generator(SEED);
  for (let i = 0; i < CASES; i++) {
    const { url, request } = draw(rand, site.url, alt);
    if (ONLY != null && ONLY !== i) continue;
    const tagged = `${url}&d=${SEED}-${i}-${Date.now()}`;
    const row = { name: `#${i}`, url, request, notes: [] };
    rows.push(row);
    const { page, report } = await openReport(context, permalink(site.url, tagged, request));
    row.report = report;
    row.chrome = await chromiumOwn(blank, cdp, `${url}&d=${SEED}-${i}-own-${Date.now()}`, request);
    const truth = row.chrome.cors_error ? { fault_response: faultResponseOf(row.chrome.cors_error), fault_header: null } : {};
    await checkRow(page, row, truth, fail);
    await page.close();
    // Chromium's code only "also possible": a simpler explanation covers every outcome the page saw (a
    // preflight problem behind an actual response that fails anyway, which no probe can get past). The
    // page could not have told, and its findings say so: counted apart from wrong, not a failure.
    // Likewise a network error the report gives as possible beside its candidates (a redirect the
    // request's own mode refuses, when no probe could show the redirect passing its CORS check).
    const possible = row.chrome.outcome === 'network-error' ? row.report.network_error_possible
      : (row.report.also_possible ?? []).includes(row.chrome.cors_error);
    if (row.graded.grade === 'wrong' && row.report.outcome === 'blocked' && !row.report.certain && possible) {
      row.graded = { ...row.graded, grade: 'masked' };
    }
    // A pasted verdict the page warns about (curl's answer after a cross-origin redirect carried curl's
    // origin back, where the browser sends `null`): counted apart, not a failure.
    if (row.paste && row.paste.grade !== 'exact' && (row.pasteReport?.warnings ?? []).some((w) => w.includes("-H 'Origin: null'"))) {
      row.paste = { ...row.paste, grade: 'warned' };
    }
    const said = `${request.method} ${request.mode} ${request.credentials} [${request.headers.map(([n]) => n).join(',')}]`;
    console.log(`${row.name.padEnd(5)} ${said.slice(0, 44).padEnd(44)} ${describeChrome(row.chrome).slice(0, 44).padEnd(44)} ${describeReport(row.report).slice(0, 56).padEnd(56)} ${row.graded.grade.padEnd(6)} ${row.paste?.grade ?? '-'}`);
    if (row.graded.grade === 'wrong' || (row.paste && !['exact', 'warned'].includes(row.paste.grade))) {
      console.log(`      ${url.replace(LAB, '')}`);
      for (const note of row.notes) console.log(`      ${note}`);
    }
    if (row.graded.grade === 'wrong') fail(`${row.name}: ${row.graded.why}`);
    if (row.paste && !['exact', 'warned'].includes(row.paste.grade)) fail(`${row.name} (paste): ${row.paste.why}`);
  }
} catch (e) {
  fail(`harness error: ${e.stack ?? e}`);
} finally {
  await context?.close().catch(() => {});
  await site.close();
  await rm(profile, { recursive: true, force: true });
}
const count = (f) => rows.filter(f).length;
console.log(`\nbrowser-only path: ${rows.length} cases: ${count((r) => r.graded?.grade === 'exact')} exact, `
  + `${count((r) => r.graded?.grade === 'fault')} fault, ${count((r) => r.graded?.grade === 'masked')} masked, `
  + `${count((r) => r.graded?.grade === 'wrong')} wrong`);
console.log(`pasted-headers path: ${count((r) => r.paste)} cases: ${count((r) => r.paste?.grade === 'exact')} exact, `
  + `${count((r) => r.paste?.grade === 'warned')} with the page's Origin: null warning`);
await writeFile(join(OUT, `seed-${SEED}.json`), JSON.stringify(rows.map(({ name, url, request, chrome, report, graded, paste, notes }) => ({ name, url, request, chrome, report, graded, paste, notes })), null, 1)).catch(() => {});
console.log(`\n${failures.length ? `FAILED (${failures.length})` : 'PASSED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(failures.length ? 1 : 0);
