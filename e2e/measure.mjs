// What e2e/bench.mjs and e2e/peers.mjs share: the five benchmark requests, the lab URL that serves each
// with its injected delay, file sizes, and the small statistics and table printing both report with.
import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

const enc = encodeURIComponent;

/// Prints `rows` (the first is the header) as a text table; `align` holds 'l' or 'r' per column.
export function table(rows, align) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  const line = (r) => r.map((v, c) => (align[c] === 'r' ? String(v).padStart(widths[c]) : String(v).padEnd(widths[c]))).join('  ').trimEnd();
  console.log(line(rows[0]));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows.slice(1)) console.log(line(r));
}

/// The `q` quantile of an ascending list; the median of any list; a figure in whole ms ('-' when none).
export const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
export const ms = (x) => (x == null ? '-' : x.toFixed(0));

async function files(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...await files(path));
    else out.push(path);
  }
  return out.sort();
}

/// Raw and `gzip -9` bytes of every file under `dir`, by path relative to it.
export async function fileSizes(dir) {
  const rows = [];
  for (const path of await files(dir)) {
    const bytes = await readFile(path);
    rows.push({ file: relative(dir, path), raw: bytes.length, gzip: execFileSync('gzip', ['-9', '-c', path], { maxBuffer: 64 << 20 }).length });
  }
  return rows;
}

/// The benchmark's requests: the lab's builder query that makes the server answer each way, the request the
/// page sends, and Chromium's verdict.
export const CASES = [
  {
    name: 'simple, no ACAO',
    query: 'x=1',
    request: { method: 'GET', credentials: 'omit', headers: [] },
    expect: 'MissingAllowOriginHeader',
  },
  {
    name: 'preflight, 1 header of 5 refused',
    query: `acao=echo&pf_acao=echo&pf_acam=GET&pf_acah=${enc('x-a, x-b, x-d, x-e')}`,
    request: { method: 'GET', credentials: 'omit', headers: [['X-A', '1'], ['X-B', '2'], ['X-C', '3'], ['X-D', '4'], ['X-E', '5']] },
    expect: 'HeaderDisallowedByPreflightResponse',
  },
  {
    name: 'credentialed, wildcard ACAO',
    query: 'acao=*',
    request: { method: 'GET', credentials: 'include', headers: [] },
    expect: 'WildcardOriginNotAllowed',
  },
  {
    name: 'allowed',
    query: 'acao=*',
    request: { method: 'GET', credentials: 'omit', headers: [] },
    expect: 'ok',
  },
  {
    name: 'allowed, preflighted (5 headers)',
    query: `acao=echo&pf_acao=echo&pf_acam=GET&pf_acah=${enc('x-a, x-b, x-c, x-d, x-e')}`,
    request: { method: 'GET', credentials: 'omit', headers: [['X-A', '1'], ['X-B', '2'], ['X-C', '3'], ['X-D', '4'], ['X-E', '5']] },
    expect: 'ok',
  },
];

/// The lab URL for a case, with `delay` ms added to every answer (preflights included); `tag` keeps each
/// run's URL unique, so no cached preflight answers for the server.
export function labUrl(lab, c, delay, tag) {
  return `${lab}/b?${c.query}&delay_ms=${delay}&pf_delay_ms=${delay}&bench=${tag}`;
}

/// corscope's permalink (on the page at `site`) for sending `request` to `url`.
export function permalinkOf(site, url, request) {
  const parts = [`url=${enc(url)}`, `method=${request.method}`, 'mode=cors', `credentials=${request.credentials}`];
  for (const [name, value] of request.headers) parts.push(`header=${enc(`${name}:${value}`)}`);
  return `${site}/#${parts.join('&')}`;
}
