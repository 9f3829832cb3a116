// Asks real Chromium how it judges raw CORS answers, through the DevTools protocol.
//
// Each case is a request plus the lab builder's raw answer (`/b?...`); the script prints the
// `corsErrorStatus` Chromium reports in `Network.loadingFailed` (or "ok"). The model's Chromium-specific
// rules (check order, list parsing, safelisted extras) are checked against this output.
//
// Usage: node e2e/chromium-facts.mjs [lab base URL, default http://127.0.0.1:8787]
import { chromium } from 'playwright-core';

const lab = process.argv[2] ?? 'http://127.0.0.1:8787';
// The page runs on another origin of the same lab: localhost vs 127.0.0.1.
const pageUrl = lab.replace('127.0.0.1', 'localhost') + '/scenarios';

const cases = process.env.FACTS === 'more' ? [
  ['ACAO http://', {}, 'acao=http://'],
  ['ACAO *.example.com', {}, 'acao=*.example.com'],
  ['ACAO localhost:8911 no scheme', {}, 'acao=localhost:8911'],
  ['ACAO with tab?', {}, 'acao=%09{origin}'],
  ['preflight redirect with ACAO', { method: 'PUT' }, 'acao=echo&pf_acao=echo&pf_acam=PUT&pf_redirect=/b%3Facao%3Decho'],
  ['preflight redirect no ACAO', { method: 'PUT' }, 'acao=echo&pf_redirect=/b%3Facao%3Decho'],
  ['Width', { headers: { width: '100' } }, 'acao=echo&pf_status=500&pf_acao=none'],
  ['Viewport-Width', { headers: { 'viewport-width': '100' } }, 'acao=echo&pf_status=500&pf_acao=none'],
  ['RTT', { headers: { rtt: '50' } }, 'acao=echo&pf_status=500&pf_acao=none'],
  ['Downlink', { headers: { downlink: '1.5' } }, 'acao=echo&pf_status=500&pf_acao=none'],
  ['ECT', { headers: { ect: '4g' } }, 'acao=echo&pf_status=500&pf_acao=none'],
  ['Intervention', { headers: { intervention: 'x' } }, 'acao=echo&pf_status=500&pf_acao=none'],
  ['Lang', { headers: { lang: 'en' } }, 'acao=echo&pf_status=500&pf_acao=none'],
  ['Save-Data: off', { headers: { 'save-data': 'off' } }, 'acao=echo&pf_status=500&pf_acao=none'],
  ['DPR: abc', { headers: { dpr: 'abc' } }, 'acao=echo&pf_status=500&pf_acao=none'],
  ['Device-Memory: x', { headers: { 'device-memory': 'x' } }, 'acao=echo&pf_status=500&pf_acao=none'],
  ['Range bytes=0-10', { headers: { range: 'bytes=0-10' } }, 'acao=echo&pf_status=500&pf_acao=none'],
  ['Range bytes=-10', { headers: { range: 'bytes=-10' } }, 'acao=echo&pf_status=500&pf_acao=none'],
  ['User-Agent dropped?', { headers: { 'user-agent': 'x' } }, 'acao=echo&pf_status=500&pf_acao=none'],
  ['Content-Type json', { headers: { 'content-type': 'application/json' } }, 'acao=echo&pf_status=500&pf_acao=none'],
  ['Two Content-Type values', { headers: [['content-type', 'text/plain'], ['content-type', 'text/plain']] }, 'acao=echo&pf_status=500&pf_acao=none'],
  ['Accept-Language é', { headers: { 'accept-language': 'é' } }, 'acao=echo&pf_status=500&pf_acao=none'],
  ['redirect cross-origin then echo', {}, 'acao=echo&redirect=http://localhost:8911/b%3Facao%3Decho'],
  ['redirect cross-origin then null', {}, 'acao=echo&redirect=http://localhost:8911/b%3Facao%3Dnull'],
  ['redirect with credentials', {}, 'acao=echo&redirect=http://u:p@127.0.0.1:8911/b%3Facao%3Decho'],
  ['redirect without ACAO on hop', {}, 'acao=none&redirect=/b%3Facao%3Decho'],
  ['ACAH * with credentials', { headers: { 'x-a': '1' }, credentials: 'include' }, 'acao=echo&acac=true&pf_acao=echo&pf_acac=true&pf_acah=*'],
  ['PUT actual 405 without ACAO', { method: 'PUT' }, 'acao=none&status=405&pf_acao=echo&pf_acam=PUT'],
  ['POST json body no preflight headers', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }, 'acao=echo&pf_acao=echo'],
] : [
  // [name, fetch init, builder query]
  ['preflight 404 without ACAO', { method: 'PUT' }, 'acao=echo&pf_status=404&pf_acao=none'],
  ['preflight 404 with ACAO', { method: 'PUT' }, 'acao=echo&pf_status=404&pf_acao=echo&pf_acam=PUT'],
  ['preflight 200 no ACAO', { method: 'PUT' }, 'acao=echo&pf_acao=none&pf_acam=PUT'],
  ['ACAM with empty item', { method: 'PUT' }, 'acao=echo&pf_acao=echo&pf_acam=GET,%20,%20PUT'],
  ['ACAM trailing comma', { method: 'PUT' }, 'acao=echo&pf_acao=echo&pf_acam=PUT,'],
  ['ACAM invalid token', { method: 'PUT' }, 'acao=echo&pf_acao=echo&pf_acam=PU%20T'],
  ['ACAH invalid token', { headers: { 'x-a': '1' } }, 'acao=echo&pf_acao=echo&pf_acah=x%20a'],
  ['lowercase put in ACAM', { method: 'PUT' }, 'acao=echo&pf_acao=echo&pf_acam=put'],
  ['patch lowercase vs PATCH', { method: 'patch' }, 'acao=echo&pf_acao=echo&pf_acam=PATCH'],
  ['two headers, both missing', { headers: { 'x-b': '1', 'x-a': '1' } }, 'acao=echo&pf_acao=echo&pf_acah=x-c'],
  ['Authorization under *', { headers: { authorization: 'Bearer x' } }, 'acao=echo&pf_acao=echo&pf_acah=*'],
  ['Save-Data safelisted?', { headers: { 'save-data': 'on' } }, 'acao=echo&pf_status=500&pf_acao=none'],
  ['DPR safelisted?', { headers: { dpr: '2' } }, 'acao=echo&pf_status=500&pf_acao=none'],
  ['Device-Memory safelisted?', { headers: { 'device-memory': '8' } }, 'acao=echo&pf_status=500&pf_acao=none'],
  ['missing ACAO on 500', {}, 'status=500&acao=none'],
  ['credentials ACAC absent', { credentials: 'include' }, 'acao=echo'],
  ['credentials ACAC True', { credentials: 'include' }, 'acao=echo&acac=True'],
  ['wildcard with credentials', { credentials: 'include' }, 'acao=*&acac=true'],
  ['duplicated ACAO', {}, 'acao=echo&acao=echo'],
  ['ACAO null', {}, 'acao=null'],
  ['ACAO invalid', {}, 'acao=not%20an%20origin'],
  ['ACAO invalid no space', {}, 'acao=nota:origin'],
  ['ACAO trailing slash', {}, 'acao={origin}/'],
  ['preflight redirect', { method: 'PUT' }, 'pf_status=302&redirect=/b?acao=echo'],
  ['wildcard preflight with credentials', { method: 'PUT', credentials: 'include' }, 'acao=echo&acac=true&pf_acao=*&pf_acac=true&pf_acam=PUT'],
  ['ACAM * with credentials', { method: 'PUT', credentials: 'include' }, 'acao=echo&acac=true&pf_acao=echo&pf_acac=true&pf_acam=*'],
  ['ACAC True on preflight', { method: 'PUT', credentials: 'include' }, 'acao=echo&acac=true&pf_acao=echo&pf_acac=True&pf_acam=PUT'],
] ;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'],
});
const page = await browser.newPage();
const cdp = await page.context().newCDPSession(page);
await cdp.send('Network.enable');
const failures = new Map();
const urls = new Map();
cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, { url: e.request.url, method: e.request.method }));
cdp.on('Network.loadingFailed', (e) => {
  const r = urls.get(e.requestId);
  if (r) failures.set(`${r.method} ${r.url}`, e.corsErrorStatus ?? { net: e.errorText });
});
await page.goto(pageUrl);
const origin = new URL(pageUrl).origin;
let n = 0;
for (const [name, init, query] of cases) {
  n += 1;
  const url = `${lab}/b?${query.replaceAll('{origin}', encodeURIComponent(origin))}&n=${n}`;
  const result = await page.evaluate(async ([url, init]) => {
    try { const r = await fetch(url, init); return `ok ${r.status}`; } catch (e) { return `rejected: ${e.message}`; }
  }, [url, init]);
  await page.waitForTimeout(100);
  const seen = [...failures.entries()].filter(([k]) => k.includes(`n=${n}`) || k.includes(`n%3D${n}`));
  const status = seen.map(([k, v]) => `${k.split(' ')[0]}: ${v.corsError ?? v.net} ${JSON.stringify(v.failedParameter ?? '')}`).join(' | ');
  console.log(`${name.padEnd(40)} ${result.padEnd(28)} ${status}`);
}
await browser.close();
