import { test, expect, Page } from '@playwright/test';
import { login, hydrated, shot } from './helpers';

/** Collects every content-security-policy violation the page reports, and console errors. */
function watch(page: Page) {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return problems;
}

test('pages hydrate under the content security policy with no violations', async ({ page }) => {
  const problems = watch(page);
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  const first = await page.goto('/login');
  const loginCsp = first?.headers()['content-security-policy'] ?? '';
  expect(loginCsp).toContain("frame-ancestors 'none'");
  await login(page, 'han.mei');
  for (const path of ['/approvals', '/approvals/new/expense', '/me', '/designer', '/notifications']) {
    const res = await page.goto(path);
    const headers = res?.headers() ?? {};
    expect(headers['content-security-policy'], path).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9_-]{16,}' 'wasm-unsafe-eval'/);
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    await hydrated(page);
  }
  // A button that works only once hydrated: the language switch round trip.
  await page.goto('/me');
  await hydrated(page);
  await shot(page, 'desktop-me-tokens');
  expect(problems, problems.join('\n')).toEqual([]);
});
