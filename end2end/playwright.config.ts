import { defineConfig, devices } from '@playwright/test';

// Debian's Chromium, never a downloaded browser.
const launchOptions = {
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
};

export default defineConfig({
  testDir: './tests',
  fullyParallel: false,
  workers: 1,
  // One retry: a page that once in many runs never reports hydration (seen once in three full
  // runs, `bad input gets clear inline errors`; under investigation) would otherwise turn the
  // whole run red. A test that needed the retry is reported as flaky and listed by
  // scripts/test.sh, never hidden.
  retries: 1,
  timeout: 60_000,
  reporter: [['list']],
  use: {
    baseURL: process.env.BASE_URL ?? 'http://127.0.0.1:3000',
    locale: 'zh-CN',
    launchOptions,
    trace: 'off',
  },
  projects: [
    { name: 'desktop', use: { viewport: { width: 1366, height: 860 } }, testIgnore: /(phone|nojs)\.spec/ },
    { name: 'phone', use: { ...devices['Pixel 7'], launchOptions }, testMatch: /phone\.spec/ },
    { name: 'no-js', use: { javaScriptEnabled: false, viewport: { width: 1280, height: 800 } }, testMatch: /nojs\.spec/ },
  ],
});
