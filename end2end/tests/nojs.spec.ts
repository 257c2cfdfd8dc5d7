import { test, expect } from '@playwright/test';
import { PASSWORD, shot } from './helpers';

// Before the WASM loads (or without JavaScript) the pages still work: forms post.
test('without JavaScript: wrong password, sign in, search, switch language', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('用户名').fill('sun.li');
  await page.getByLabel(/^密码/).fill('wrong-password-9');
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByText('用户名或密码错误')).toBeVisible();
  await page.getByLabel('用户名').fill('sun.li');
  await page.getByLabel(/^密码/).fill(PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('heading', { name: /你好，孙丽/ })).toBeVisible();
  await page.goto('/contacts');
  await page.getByRole('searchbox').fill('赵磊');
  await page.getByRole('button', { name: '搜索' }).click();
  await expect(page.locator('.person')).toHaveCount(1);
  await shot(page, 'nojs-contacts');
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('heading', { name: 'Contacts', exact: true })).toBeVisible();
  await page.getByRole('button', { name: '中文' }).click();
  await page.getByRole('button', { name: '退出登录' }).click();
  await expect(page).toHaveURL(/\/login/);
});
