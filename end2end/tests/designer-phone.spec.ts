import { test, expect } from '@playwright/test';
import { login, shot, hydrated } from './helpers';

// Process owners design on a desktop, but a phone must still show the flow, the form and the
// history readably (checking a template on the way to a meeting), without the page itself
// scrolling sideways: only the flow canvas does.
test('the designer on a phone: flow, form preview and versions fit the screen', async ({ page }) => {
  await login(page, 'han.mei');
  await page.goto('/designer');
  await hydrated(page);
  await expect(page.locator('a[href="/designer/expense"]')).toBeVisible();
  const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
  expect(await fits()).toBe(true);
  await shot(page, 'phone-designer-list');

  // The designer's stylesheet is in the server-rendered head of its pages, and only there.
  const html = await (await page.request.get('/designer/expense')).text();
  expect(html).toContain('href="/designer.css"');
  const css = await page.request.get('/designer.css');
  expect(css.status()).toBe(200);
  expect(css.headers()['content-type']).toContain('text/css');
  await page.goto('/approvals');
  await expect(page.locator('link[href="/designer.css"]')).toHaveCount(0);

  await page.goto('/designer/expense');
  await hydrated(page);
  await expect(page.locator('.fd-node').first()).toBeVisible();
  expect(await fits()).toBe(true);
  // The tabs stay on one line each (they scroll sideways rather than wrap).
  for (const t of await page.locator('.designer-tabs .tab').all()) {
    expect((await t.boundingBox())!.height).toBeLessThan(48);
  }
  // The flow opens centred in its canvas: the requester's pill is in view.
  await expect.poll(async () => {
    const c = (await page.locator('.fd-canvas').boundingBox())!;
    const b = (await page.locator('.fd-start').boundingBox())!;
    return b.x >= c.x && b.x + b.width <= c.x + c.width;
  }).toBe(true);
  await shot(page, 'phone-designer-flow');

  // Tapping a node opens its properties.
  const first = page.locator('.fd-node').first();
  const id = await first.getAttribute('data-node');
  await first.click();
  await expect(page.locator(`[data-panel-node="${id}"]`)).toBeVisible();

  await page.locator('[data-tab="form"]').click();
  await expect(page.locator('.fm-field').first()).toBeVisible();
  expect(await fits()).toBe(true);
  await shot(page, 'phone-designer-form');

  await page.locator('[data-tab="versions"]').click();
  await expect(page.locator('#version-table tbody tr').first()).toBeVisible();
  expect(await fits()).toBe(true);
  await shot(page, 'phone-designer-versions');
});
