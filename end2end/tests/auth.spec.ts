import { test, expect } from '@playwright/test';
import { login, shot, PASSWORD, hydrated } from './helpers';

test('login page renders and a user signs in', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/login\?next=/);
  // The sign-in page is a plain form, served without the WASM bundle: nothing to hydrate.
  await shot(page, 'desktop-login');
  await login(page, 'admin');
  await expect(page.getByRole('heading', { name: /你好/ })).toBeVisible();
  await shot(page, 'desktop-home');
  // Signed in, the sign-in page sends you on to where you were going (only to this site).
  await page.goto('/login?next=%2Fapprovals');
  await expect(page).toHaveURL(/\/approvals$/);
  await page.goto('/login?next=https%3A%2F%2Fevil.example%2F');
  await expect(page.getByRole('heading', { name: /你好/ })).toBeVisible();
  expect(new URL(page.url()).pathname).toBe('/');
});

test('the sign-in page downloads no WebAssembly', async ({ page }) => {
  const wasm: string[] = [];
  page.on('request', r => {
    // Prefetches for the page after sign-in are fetched at idle priority and do not count.
    if (/\.wasm(\?|$)/.test(r.url()) && !(r.headers()['sec-purpose'] ?? '').startsWith('prefetch')) wasm.push(r.url());
  });
  await page.goto('/login');
  await page.waitForLoadState('networkidle');
  expect(wasm).toEqual([]);
  await expect(page.locator('link[rel="prefetch"][href$=".wasm"]')).toHaveCount(1);
});

test('a wrong password is refused with an inline message', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('用户名').fill('zhang.wei');
  await page.getByLabel(/^密码/).fill('wrong-password-1');
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByText('用户名或密码错误')).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
  await shot(page, 'desktop-login-error');
});

test('five failures lock the account for fifteen minutes', async ({ page }) => {
  await page.goto('/login');
  for (let i = 0; i < 5; i++) {
    await page.getByLabel('用户名').fill('chu.yan');
    await page.getByLabel(/^密码/).fill(`wrong-password-${i}`);
    await page.getByRole('button', { name: '登录' }).click();
    await expect(page.getByText('用户名或密码错误')).toBeVisible();
  }
  await page.getByLabel('用户名').fill('chu.yan');
  await page.getByLabel(/^密码/).fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('alert').filter({ hasText: '锁定' })).toBeVisible();
  await expect(page.getByText(/15 分钟后再试/)).toBeVisible();
  await shot(page, 'desktop-login-locked');
});

test('the language switch is remembered for the user', async ({ page, context }) => {
  await login(page, 'he.jing');
  await hydrated(page);
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('heading', { name: /Hello/ })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Contacts' }).first()).toBeVisible();
  await shot(page, 'desktop-home-en');
  // Sign out, forget the cookie, sign in again: the user's own choice comes back.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await context.clearCookies();
  await login(page, 'he.jing');
  await expect(page.getByRole('heading', { name: /Hello/ })).toBeVisible();
  await page.getByRole('button', { name: '中文' }).click();
  await expect(page.getByRole('heading', { name: /你好/ })).toBeVisible();
});
