// Issue 4's first-load measurement: the to-do page (/approvals) opened with an empty cache
// in Debian's Chromium, as li.na. Counts the bytes of JS, WASM and CSS as they crossed the
// wire (the server compresses with brotli when the browser asks for it) and the time from
// navigation start until the WASM client has hydrated the page (interactive). Five cold
// loads; the median is reported. Writes bench/results/first-load.json and the README's
// `bench:first-load` row.
//   BASE_URL=http://127.0.0.1:3000 node perf/first-load.cjs
const { chromium } = require('playwright-core');
const fs = require('fs');
const path = require('path');

const BASE = process.env.BASE_URL || 'http://127.0.0.1:3000';
const PASSWORD = process.env.TONGBAN_DEMO_PASSWORD || 'Demo-pass-2026';
const ROOT = path.join(__dirname, '..', '..');

async function once(browser) {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 860 }, locale: 'zh-CN' });
  const page = await ctx.newPage();
  await page.goto(BASE + '/login');
  await page.getByLabel(/用户名|Username/).fill('li.na');
  await page.getByLabel(/^(密码|Password)/).fill(PASSWORD);
  await page.getByRole('button', { name: /^(登录|Sign in)$/ }).click();
  await page.waitForURL(u => !u.pathname.startsWith('/login'));
  // Let the page signed in to finish loading its own parts, then measure in a fresh tab, so
  // no request of the previous page is still in flight and counted.
  await page.waitForFunction(() => window.__TB_HYDRATED__ === true, null, { timeout: 30000 });
  await page.close();
  const tab = await ctx.newPage();
  // A cold cache for the measured load.
  const cdp = await ctx.newCDPSession(tab);
  await cdp.send('Network.enable');
  await cdp.send('Network.clearBrowserCache');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const sizes = {};
  const types = {};
  cdp.on('Network.responseReceived', e => { types[e.requestId] = { url: e.response.url, enc: e.response.headers['content-encoding'] || e.response.headers['Content-Encoding'] || '' }; });
  cdp.on('Network.loadingFinished', e => { sizes[e.requestId] = e.encodedDataLength; });
  await tab.goto(BASE + '/approvals');
  await tab.waitForFunction(() => window.__TB_HYDRATED__ === true, null, { timeout: 30000 });
  const tti = await tab.evaluate(() => window.__TB_HYDRATED_AT__);
  const dcl = await tab.evaluate(() => performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd);
  await tab.waitForTimeout(300);
  const files = [];
  for (const [id, t] of Object.entries(types)) {
    const kind = /\.wasm(\?|$)/.test(t.url) ? 'wasm' : /\.js(\?|$)/.test(t.url) ? 'js' : /\.css(\?|$)/.test(t.url) ? 'css' : null;
    if (!kind || sizes[id] === undefined) continue;
    files.push({ url: t.url.replace(BASE, ''), kind, wire_bytes: sizes[id], encoding: t.enc });
  }
  await ctx.close();
  return { tti, dcl, files };
}

(async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const runs = [];
  for (let i = 0; i < 5; i++) runs.push(await once(browser));
  await browser.close();
  const median = xs => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const files = runs[0].files;
  const byKind = k => files.filter(f => f.kind === k).reduce((s, f) => s + f.wire_bytes, 0);
  const total = files.reduce((s, f) => s + f.wire_bytes, 0);
  const out = {
    date: new Date().toISOString().slice(0, 10),
    page: '/approvals',
    files,
    bytes: { js: byKind('js'), wasm: byKind('wasm'), css: byKind('css'), total },
    kib_total: Math.round(total / 1024 * 10) / 10,
    time_to_interactive_ms: Math.round(median(runs.map(r => r.tti))),
    dom_content_loaded_ms: Math.round(median(runs.map(r => r.dcl))),
    runs: runs.length,
  };
  fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'bench', 'results', 'first-load.json'), JSON.stringify(out, null, 2) + '\n');
  const line = `| ${out.date} | ${(out.bytes.js / 1024).toFixed(1)} | ${(out.bytes.wasm / 1024).toFixed(1)} | ${(out.bytes.css / 1024).toFixed(1)} | ${out.kib_total} | ${out.dom_content_loaded_ms} | ${out.time_to_interactive_ms} |`;
  const readme = path.join(ROOT, 'README.md');
  const text = fs.readFileSync(readme, 'utf8');
  const a = text.indexOf('<!-- bench:first-load -->'), b = text.indexOf('<!-- /bench:first-load -->');
  if (a < 0 || b < 0) throw new Error('README.md has no bench:first-load markers');
  fs.writeFileSync(readme, text.slice(0, a) + '<!-- bench:first-load -->\n' + line + '\n' + text.slice(b));
  console.log(JSON.stringify(out, null, 2));
})().catch(e => { console.error(e); process.exit(1); });
