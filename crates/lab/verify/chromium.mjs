// Runs every lab scenario in headless Chromium and compares DevTools' verdict (Network.loadingFailed's
// corsErrorStatus, whether a preflight was sent, whether fetch resolved) with the catalogue's expectations.
// Started by verify-chromium.sh; needs Node's WebSocket (node >= 22, or --experimental-websocket on 20).
// Usage: node chromium.mjs <lab-url> <page-url> <devtools-port>
const [lab, page, port] = process.argv.slice(2);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const only = process.env.SCENARIO; // run one scenario by name

async function targetWs() {
  for (let i = 0; i < 100; i++) {
    try {
      const list = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
      const p = list.find((t) => t.type === 'page');
      if (p) return p.webSocketDebuggerUrl;
    } catch {}
    await sleep(100);
  }
  throw new Error('no devtools');
}

const ws = new WebSocket(await targetWs());
await new Promise((r) => (ws.onopen = r));
let id = 0;
const pending = new Map();
const events = [];
ws.onmessage = (m) => {
  const msg = JSON.parse(m.data);
  if (msg.id && pending.has(msg.id)) { pending.get(msg.id)(msg); pending.delete(msg.id); }
  else if (msg.method) events.push(msg);
};
const send = (method, params = {}) => new Promise((r) => { const i = ++id; pending.set(i, r); ws.send(JSON.stringify({ id: i, method, params })); });

await send('Network.enable');
await send('Page.enable');
await send('Page.navigate', { url: page });
await sleep(1000);
const scenarios = await (await fetch(`${lab}/scenarios`)).json();
const pageOrigin = new URL(page).origin;
const labAuthority = new URL(lab).host;
let bad = 0;
for (const [i, s] of scenarios.entries()) {
  if (only && s.name !== only) continue;
  events.length = 0;
  const url = `${lab}${s.path}?v=${Date.now()}-${i}`;
  const init = { method: s.request.method, headers: s.request.headers, credentials: s.request.credentials, mode: s.request.mode };
  if (s.request.body !== null) init.body = s.request.body;
  const expr = `fetch(${JSON.stringify(url)}, ${JSON.stringify(init)}).then(r => 'ok ' + r.status, e => 'error ' + e.message)`;
  const res = await send('Runtime.evaluate', { expression: expr, awaitPromise: true, returnByValue: true });
  await sleep(150);
  const result = res.result?.result?.value;
  const sent = events.filter((e) => e.method === 'Network.requestWillBeSent' && e.params.request.url === url && e.params.initiator?.type !== 'preflight');
  const reqId = sent[0]?.params.requestId;
  const failed = events.find((e) => e.method === 'Network.loadingFailed' && e.params.requestId === reqId);
  const preflightSeen = events.some((e) => e.method === 'Network.requestWillBeSent' && e.params.initiator?.type === 'preflight');
  const status = failed?.params.corsErrorStatus;
  const got = { outcome: result?.startsWith('ok') ? 'ok' : 'blocked', cors_error: status?.corsError ?? null, failed_parameter: status ? (status.failedParameter || null) : null, preflight: preflightSeen };
  const sub = (v) => v === null ? null : v.replaceAll('{origin}', pageOrigin).replaceAll('{lab}', labAuthority);
  const want = { outcome: s.expected.outcome, cors_error: s.expected.cors_error, failed_parameter: sub(s.expected.failed_parameter), preflight: s.expected.preflight };
  const same = JSON.stringify(got) === JSON.stringify(want);
  if (!same) bad++;
  console.log(`${same ? 'OK  ' : 'DIFF'} ${s.name}: ${JSON.stringify(got)}${same ? '' : ' expected ' + JSON.stringify(want)} [${result}${failed ? ' / ' + failed.params.errorText : ''}]`);
}
console.log(`${scenarios.length - bad}/${scenarios.length} match`);

// no-cors probes from the cross-origin-isolated page: they resolve (opaque) only thanks to CORP.
if (!only) {
  const probe = `(async () => {
    if (!crossOriginIsolated) return 'page not isolated';
    const paths = ['/s/missing-acao', '/s/error-500-without-cors', '/b?status=404', '/no-such-path'];
    const out = [];
    for (const p of paths) {
      out.push(await fetch(${JSON.stringify(lab)} + p, { mode: 'no-cors' }).then(r => r.type, e => 'error ' + e.message));
    }
    return out.join(',');
  })()`;
  const res = await send('Runtime.evaluate', { expression: probe, awaitPromise: true, returnByValue: true });
  const value = res.result?.result?.value;
  const fine = value === 'opaque,opaque,opaque,opaque';
  if (!fine) bad++;
  console.log(`${fine ? 'OK  ' : 'DIFF'} no-cors probes from an isolated page: ${value}`);
}
ws.close();
process.exit(bad ? 1 : 0);
