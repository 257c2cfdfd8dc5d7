// First loads (issue 4, extended): every page a user can land on cold, opened with an empty
// and disabled cache in a fresh tab of Debian's Chromium:
//   /login               signed out (a brand-new browser context, no cookies): a plain form,
//                        no WASM, so it is not waited on to hydrate — the load event, then
//                        500 ms without a request in flight;
//   /approvals           the to-do list, as li.na (the headline row, as before);
//   /                    home, as li.na;
//   /approvals/<id>      a request page, as li.na (the first of her to-do list; if that is
//                        empty, of her own requests; else one she files through the JSON API);
//   /designer/expense    the designer, as han.mei (a process owner): a lazily loaded part.
// For each page: the bytes as they crossed the wire (the server compresses with brotli when
// the browser asks for it) by kind — the HTML document, JS, WASM, CSS and other (favicon, API
// calls, the live-events stream) — the number of responses, DOMContentLoaded and, where the
// page hydrates, the time from navigation start until the WASM client has hydrated it
// (interactive). Prefetches (`<link rel=prefetch>`, fetched at idle priority after load for
// the NEXT page) are counted apart, as `prefetch_bytes`, and not in the page's total.
// RUNS cold loads of each page (default 5); times are medians, bytes those of the run with the
// median total.
//
// Writes bench/results/first-load.json (its top-level fields are /approvals' as before, with
// `pages` holding every page), the README's `bench:first-load` row (/approvals: JS, WASM and
// CSS, as before) and its `bench:first-load-pages` table. Exits 1 (after writing) when a
// page's total is over 350,000 bytes, or the login page's over 30,000.
//   cd end2end && BASE_URL=http://127.0.0.1:3000 TONGBAN_DEMO_PASSWORD=Demo-pass-2026 node perf/first-load.cjs
const { chromium } = require('playwright-core');
const fs = require('fs');
const path = require('path');

const BASE = (process.env.BASE_URL || 'http://127.0.0.1:3000').replace(/\/$/, '');
const PASSWORD = process.env.TONGBAN_DEMO_PASSWORD || 'Demo-pass-2026';
const RUNS = Math.max(1, parseInt(process.env.RUNS || '5', 10) || 5);
const ROOT = path.join(__dirname, '..', '..');
const BUDGET = 350000;
const LOGIN_BUDGET = 30000;
const IDLE_MS = 500;
const SETTLE_CAP_MS = 20000;
const CONTEXT_OPTIONS = { viewport: { width: 1366, height: 860 }, locale: 'zh-CN' };

// Streams that stay open as long as the page does: counted as responses (with the bytes
// received so far) but never waited for.
const STREAMING = new Set(['EventSource', 'WebSocket']);

// Whether a request is a prefetch for the next page. What Chromium 156 reports for
// `<link rel="prefetch" href=… as=…>` in `Network.requestWillBeSent` (checked against a test
// page): `type: "Other"` (not "Prefetch", which the protocol also knows), `initiator: {type:
// "parser", url: <the document>}`, `request.initialPriority: "VeryLow"`, and the request
// header `Sec-Purpose: prefetch` — which no other request carries (the favicon is also
// "Other", but with initiator "other" and priority "High"). The rule: the `Sec-Purpose` header
// (from requestWillBeSent or, where Chromium only reports it there,
// requestWillBeSentExtraInfo) starts with "prefetch"; failing the header, type "Prefetch", or
// type "Other" from the parser at priority "VeryLow". This also covers a prefetch asked for by
// a `Link:` response header.
function isPrefetch(r) {
  const purpose = headerValue(r.headers, 'sec-purpose') || headerValue(r.extraHeaders, 'sec-purpose');
  if (purpose) return /^prefetch/i.test(purpose);
  if (r.type === 'Prefetch') return true;
  return r.type === 'Other' && r.initiator && r.initiator.type === 'parser' && r.priority === 'VeryLow';
}

function headerValue(headers, name) {
  if (!headers) return '';
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return String(v);
  return '';
}

function kindOf(r) {
  const url = r.url.split('#')[0];
  const mime = (r.mime || '').toLowerCase();
  if (r.type === 'Document') return 'html';
  if (/\.wasm(\?|$)/.test(url) || mime === 'application/wasm') return 'wasm';
  if (/\.m?js(\?|$)/.test(url) || /javascript/.test(mime)) return 'js';
  if (/\.css(\?|$)/.test(url) || mime === 'text/css') return 'css';
  return 'other';
}

async function signIn(browser, username) {
  const ctx = await browser.newContext(CONTEXT_OPTIONS);
  const page = await ctx.newPage();
  await page.goto(BASE + '/login');
  await page.getByLabel(/用户名|Username/).fill(username);
  await page.getByLabel(/^(密码|Password)/).fill(PASSWORD);
  await page.getByRole('button', { name: /^(登录|Sign in)$/ }).click();
  await page.waitForURL(u => !u.pathname.startsWith('/login'));
  // Let the page reached after signing in finish loading its own parts; every measurement is
  // then made in a fresh tab, so no request of that page is still in flight and counted.
  await page.waitForFunction(() => window.__TB_HYDRATED__ === true, null, { timeout: 60000 });
  return { ctx, page };
}

// A request page li.na can open: the first of her to-do list, else of her own requests, else a
// general request she files.
async function requestPageId(page) {
  return page.evaluate(async () => {
    // Her own requests next, so that a run against a demo with an empty to-do list files one
    // request the first time only.
    for (const box of ['todo', 'mine']) {
      const r = await fetch('/api/v1/tasks?box=' + box, { headers: { accept: 'application/json' } });
      if (!r.ok) throw new Error('GET /api/v1/tasks?box=' + box + ': ' + r.status + ' ' + await r.text());
      const list = await r.json();
      if (list.items && list.items.length) return list.items[0].instance_id;
    }
    const r = await fetch('/api/v1/instances', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        template_key: 'general',
        form: { subject: '首次加载测量', content: '首次加载基准测试提交的申请（perf/first-load.cjs）。' },
      }),
    });
    if (!r.ok) throw new Error('POST /api/v1/instances: ' + r.status + ' ' + await r.text());
    return (await r.json()).id;
  });
}

// One cold load of `url` in a fresh tab of `ctx`.
async function measure(ctx, url, { hydrates }) {
  const tab = await ctx.newPage();
  const cdp = await ctx.newCDPSession(tab);
  await cdp.send('Network.enable');
  await cdp.send('Network.clearBrowserCache');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const reqs = new Map();
  const hops = []; // redirect responses: a response each, under the same request id
  let lastActivity = Date.now();
  const get = id => {
    if (!reqs.has(id)) reqs.set(id, { id, url: '', received: 0 });
    return reqs.get(id);
  };
  cdp.on('Network.requestWillBeSent', e => {
    lastActivity = Date.now();
    if (e.redirectResponse) {
      hops.push({ url: e.redirectResponse.url, status: e.redirectResponse.status, bytes: e.redirectResponse.encodedDataLength || 0 });
    }
    const r = get(e.requestId);
    Object.assign(r, {
      url: e.request.url, type: e.type, initiator: e.initiator, priority: e.request.initialPriority,
      headers: e.request.headers, inFlight: true,
    });
  });
  cdp.on('Network.requestWillBeSentExtraInfo', e => { get(e.requestId).extraHeaders = e.headers; });
  cdp.on('Network.responseReceived', e => {
    lastActivity = Date.now();
    const r = get(e.requestId);
    Object.assign(r, {
      responded: true, status: e.response.status, mime: e.response.mimeType, type: r.type || e.type,
      encoding: headerValue(e.response.headers, 'content-encoding'), headerBytes: e.response.encodedDataLength || 0,
    });
  });
  cdp.on('Network.dataReceived', e => { lastActivity = Date.now(); get(e.requestId).received += e.encodedDataLength || 0; });
  cdp.on('Network.loadingFinished', e => {
    lastActivity = Date.now();
    const r = get(e.requestId);
    r.bytes = e.encodedDataLength;
    r.inFlight = false;
  });
  cdp.on('Network.loadingFailed', e => {
    lastActivity = Date.now();
    const r = get(e.requestId);
    Object.assign(r, { failed: e.errorText || 'failed', inFlight: false });
  });

  await tab.goto(BASE + url, { waitUntil: 'load', timeout: 60000 });
  let tti = null;
  if (hydrates) {
    await tab.waitForFunction(() => window.__TB_HYDRATED__ === true, null, { timeout: 60000 });
    tti = await tab.evaluate(() => window.__TB_HYDRATED_AT__);
  }
  // Network idle: nothing in flight (open streams aside) for IDLE_MS, so prefetches started
  // at idle priority after load and split parts loaded on hydration are all in.
  const start = Date.now();
  for (;;) {
    const busy = [...reqs.values()].some(r => r.inFlight && !STREAMING.has(r.type));
    if (!busy && Date.now() - lastActivity >= IDLE_MS) break;
    if (Date.now() - start > SETTLE_CAP_MS) {
      console.error(`${url}: still requests in flight after ${SETTLE_CAP_MS} ms:`,
        [...reqs.values()].filter(r => r.inFlight && !STREAMING.has(r.type)).map(r => r.url).join(', '));
      break;
    }
    await tab.waitForTimeout(50);
  }
  const nav = await tab.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0];
    return { dcl: n.domContentLoadedEventEnd, hydrated: window.__TB_HYDRATED__ === true };
  });
  const files = [];
  for (const h of hops) {
    files.push({ url: h.url.replace(BASE, ''), kind: 'other', status: h.status, wire_bytes: h.bytes, encoding: '', prefetch: false, redirect: true });
  }
  for (const r of reqs.values()) {
    if (!/^https?:/.test(r.url)) continue; // data: and blob: URLs never cross the wire
    if (!r.responded) {
      if (r.failed) files.push({ url: r.url.replace(BASE, ''), kind: kindOf(r), failed: r.failed, wire_bytes: 0, prefetch: isPrefetch(r) });
      continue;
    }
    const open = r.bytes === undefined;
    const f = {
      url: r.url.replace(BASE, ''), kind: kindOf(r), type: r.type, status: r.status,
      wire_bytes: open ? r.headerBytes + r.received : r.bytes, encoding: r.encoding, prefetch: isPrefetch(r),
    };
    if (open) f.open = true; // a stream still open (the live events): the bytes so far
    if (r.failed) f.failed = r.failed;
    files.push(f);
  }
  await tab.close();
  return { dcl: nav.dcl, tti, hydrated: nav.hydrated, files };
}

function summarize(name, url, runs, hydrates) {
  const median = xs => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const totalOf = run => run.files.filter(f => !f.prefetch).reduce((s, f) => s + f.wire_bytes, 0);
  const byTotal = runs.slice().sort((a, b) => totalOf(a) - totalOf(b));
  const run = byTotal[Math.floor(byTotal.length / 2)];
  const page = run.files.filter(f => !f.prefetch);
  const pre = run.files.filter(f => f.prefetch);
  const sum = (fs_, k) => fs_.filter(f => !k || f.kind === k).reduce((s, f) => s + f.wire_bytes, 0);
  const responses = run.files.filter(f => f.status !== undefined);
  const bytes = {
    html: sum(page, 'html'), js: sum(page, 'js'), wasm: sum(page, 'wasm'), css: sum(page, 'css'), other: sum(page, 'other'),
    total: sum(page),
  };
  const budget = url === '/login' ? LOGIN_BUDGET : BUDGET;
  return {
    name, page: url,
    requests: responses.length,
    prefetch_requests: responses.filter(f => f.prefetch).length,
    bytes,
    // JS + WASM + CSS: what the headline row (and the budget before the pages were added) counted.
    assets_bytes: bytes.js + bytes.wasm + bytes.css,
    prefetch_bytes: sum(pre),
    kib_total: Math.round(bytes.total / 1024 * 10) / 10,
    budget_bytes: budget,
    within_budget: bytes.total <= budget,
    wasm_requests: responses.filter(f => f.kind === 'wasm' && !f.prefetch).length,
    dom_content_loaded_ms: Math.round(median(runs.map(r => r.dcl))),
    time_to_interactive_ms: hydrates ? Math.round(median(runs.map(r => r.tti))) : null,
    runs: runs.length,
    files: run.files,
  };
}

function replaceBetween(text, open, close, body) {
  const a = text.indexOf(open), b = text.indexOf(close);
  if (a < 0 || b < 0 || b < a) return null;
  return text.slice(0, a) + open + '\n' + body + text.slice(b);
}

(async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const lina = await signIn(browser, 'li.na');
  const instanceId = await requestPageId(lina.page);
  await lina.page.close();
  const han = await signIn(browser, 'han.mei');
  await han.page.close();

  const pages = [
    { name: 'login', url: '/login', hydrates: false, ctx: null },
    { name: 'approvals', url: '/approvals', hydrates: true, ctx: lina.ctx },
    { name: 'home', url: '/', hydrates: true, ctx: lina.ctx },
    { name: 'request', url: '/approvals/' + instanceId, hydrates: true, ctx: lina.ctx },
    { name: 'designer', url: '/designer/expense', hydrates: true, ctx: han.ctx },
  ];
  const runs = new Map(pages.map(p => [p.name, []]));
  for (let i = 0; i < RUNS; i++) {
    for (const p of pages) {
      // Signed out: a brand-new context for every load, so no cookie is sent.
      const ctx = p.ctx || await browser.newContext(CONTEXT_OPTIONS);
      const r = await measure(ctx, p.url, { hydrates: p.hydrates });
      if (!p.ctx) await ctx.close();
      runs.get(p.name).push(r);
    }
  }
  await lina.ctx.close();
  await han.ctx.close();
  await browser.close();

  const results = pages.map(p => summarize(p.name, p.url, runs.get(p.name), p.hydrates));
  const head = results.find(r => r.name === 'approvals');
  const headFiles = head.files.filter(f => !f.prefetch && ['js', 'wasm', 'css'].includes(f.kind));
  const out = {
    date: new Date().toISOString().slice(0, 10),
    // /approvals, as before: JS, WASM and CSS only (its full figures are under `pages`).
    page: '/approvals',
    files: headFiles.map(f => ({ url: f.url, kind: f.kind, wire_bytes: f.wire_bytes, encoding: f.encoding })),
    bytes: { js: head.bytes.js, wasm: head.bytes.wasm, css: head.bytes.css, total: head.assets_bytes },
    kib_total: Math.round(head.assets_bytes / 1024 * 10) / 10,
    time_to_interactive_ms: head.time_to_interactive_ms,
    dom_content_loaded_ms: head.dom_content_loaded_ms,
    runs: RUNS,
    base_url: BASE,
    budget_bytes: BUDGET,
    login_budget_bytes: LOGIN_BUDGET,
    pages: results,
  };
  fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'bench', 'results', 'first-load.json'), JSON.stringify(out, null, 2) + '\n');

  const kib = n => (n / 1024).toFixed(1);
  const line = `| ${out.date} | ${kib(out.bytes.js)} | ${kib(out.bytes.wasm)} | ${kib(out.bytes.css)} | ${out.kib_total} | ${out.dom_content_loaded_ms} | ${out.time_to_interactive_ms} |`;
  const table = [
    '| page | requests | HTML KiB | JS KiB | WASM KiB | CSS KiB | total KiB | within budget |',
    '|---|---|---|---|---|---|---|---|',
    ...results.map(r => `| \`${r.name === 'request' ? '/approvals/<id>' : r.page}\` | ${r.requests} | ${kib(r.bytes.html)} | ${kib(r.bytes.js)} | ${kib(r.bytes.wasm)} | ${kib(r.bytes.css)} | ${kib(r.bytes.total)} | ${r.within_budget ? 'yes' : 'no'} (${r.bytes.total.toLocaleString('en')} of ${r.budget_bytes.toLocaleString('en')} B) |`),
  ].join('\n');
  const readme = path.join(ROOT, 'README.md');
  let text = fs.readFileSync(readme, 'utf8');
  text = replaceBetween(text, '<!-- bench:first-load -->', '<!-- /bench:first-load -->', line + '\n');
  if (text === null) throw new Error('README.md has no bench:first-load markers');
  const OPEN = '<!-- bench:first-load-pages -->', CLOSE = '<!-- /bench:first-load-pages -->';
  let withPages = replaceBetween(text, OPEN, CLOSE, table + '\n');
  if (withPages === null) {
    // First run: the table goes right after the headline row's closing marker.
    const end = '<!-- /bench:first-load -->';
    const at = text.indexOf(end) + end.length;
    const intro = '\n\nEvery page a user can land on cold, by the same script (`/login` signed out, the to-do list,\n' +
      'home and a request page as li.na, the designer as han.mei), counting every response and the\n' +
      'HTML document in the total but not the prefetches for the next page, within 350,000 bytes a\n' +
      'page and 30,000 for the login page:\n\n';
    withPages = text.slice(0, at) + intro + OPEN + '\n' + table + '\n' + CLOSE + text.slice(at);
  }
  fs.writeFileSync(readme, withPages);

  for (const r of results) {
    console.log(`${r.page.padEnd(20)} ${String(r.requests).padStart(3)} requests (${r.prefetch_requests} prefetch)  ` +
      `html ${r.bytes.html}  js ${r.bytes.js}  wasm ${r.bytes.wasm}  css ${r.bytes.css}  other ${r.bytes.other}  ` +
      `total ${r.bytes.total} B  prefetch ${r.prefetch_bytes} B  DCL ${r.dom_content_loaded_ms} ms` +
      (r.time_to_interactive_ms === null ? '' : `  interactive ${r.time_to_interactive_ms} ms`));
  }
  const over = results.filter(r => !r.within_budget);
  const login = results.find(r => r.name === 'login');
  if (login.wasm_requests > 0) console.error(`/login downloaded WASM (${login.wasm_requests} request(s)) besides prefetches`);
  if (over.length) {
    for (const r of over) console.error(`OVER BUDGET: ${r.page} is ${r.bytes.total} bytes, budget ${r.budget_bytes}`);
    process.exit(1);
  }
})().catch(e => { console.error(e); process.exit(1); });
