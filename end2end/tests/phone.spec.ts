import { test, expect } from '@playwright/test';
import { login, shot, hydrated } from './helpers';

test('address-book search on a phone', async ({ page }) => {
  await page.goto('/login');
  await shot(page, 'phone-login');
  await login(page, 'wu.min');
  await hydrated(page);
  await expect(page.getByRole('navigation', { name: '底部导航' })).toBeVisible();
  await expect(page.locator('aside.sidebar')).toBeHidden();
  await shot(page, 'phone-home');
  await page.getByRole('navigation', { name: '底部导航' }).getByRole('link', { name: '通讯录' }).click();
  await expect(page).toHaveURL(/\/contacts/);
  await page.getByRole('searchbox').fill('财务');
  await page.getByRole('button', { name: '搜索' }).click();
  await expect(page.getByText('王芳')).toBeVisible();
  await expect(page.getByText('张伟')).toHaveCount(0);
  const noHorizontalScroll = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
  expect(noHorizontalScroll).toBe(true);
  await shot(page, 'phone-contacts');
  await page.getByRole('navigation', { name: '底部导航' }).getByRole('link', { name: '我的' }).click();
  await expect(page.getByRole('heading', { name: '个人设置' })).toBeVisible();
  await shot(page, 'phone-profile');
});
