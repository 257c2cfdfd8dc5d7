import { test, expect } from '@playwright/test';
import { login, shot, hydrated } from './helpers';

// Process owners design on a desktop, but a phone must still show the flow, the form and the
// history readably (checking a template on the way to a meeting), without the page itself
// scrolling sideways: only the flow canvas does.
test('the designer on a phone: flow, form preview and versions fit the screen', async ({ page }) => {
  await login(page, 'han.mei');
  await page.goto('/designer');
  await hydrated(page);
  await expect(page.getByRole('link', { name: '报销', exact: true })).toBeVisible();
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
  // A <link> in the head: not something a person sees, so found by its address.
  await expect(page.locator('link[href="/designer.css"]')).toHaveCount(0);

  await page.goto('/designer/expense');
  await hydrated(page);
  // The canvas's nodes, its start pill and the canvas itself are found by their class: nodes of
  // one kind share a name, and the canvas and the pill have no role.
  await expect(page.locator('.fd-node').first()).toBeVisible();
  expect(await fits()).toBe(true);
  // The tabs stay on one line each (they scroll sideways rather than wrap).
  for (const t of await page.getByRole('tab').all()) {
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

  await page.getByRole('tab', { name: '表单设计' }).click();
  // The preview pane has no role of its own; its fields are its buttons.
  await expect(page.locator('#form-preview').getByRole('button').first()).toBeVisible();
  expect(await fits()).toBe(true);
  await shot(page, 'phone-designer-form');

  await page.getByRole('tab', { name: '版本历史' }).click();
  await expect(page.getByRole('table').getByRole('row', { name: /^v\d+\s/ }).first()).toBeVisible();
  expect(await fits()).toBe(true);
  await shot(page, 'phone-designer-versions');
});
