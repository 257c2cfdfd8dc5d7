import { expect, Page } from '@playwright/test';
import * as fs from 'fs';

export const PASSWORD = process.env.TONGBAN_DEMO_PASSWORD ?? 'Demo-pass-2026';

export async function login(page: Page, username: string, password = PASSWORD) {
  await page.goto('/login');
  await page.getByLabel(/用户名|Username/).fill(username);
  await page.getByLabel(/^(密码|Password)/).fill(password);
  await page.getByRole('button', { name: /^(登录|Sign in)$/ }).click();
  await expect(page).not.toHaveURL(/\/login/);
  // The sign-in lands on a page of its own: let that navigation finish before the test's next one.
  await page.waitForLoadState('load');
}

/** Waits until the WASM client has hydrated the page (buttons then work client-side). */
export async function hydrated(page: Page) {
  await page.waitForFunction(() => (window as any).__TB_HYDRATED__ === true);
  await page.waitForLoadState('networkidle');
}

export async function shot(page: Page, name: string) {
  fs.mkdirSync('screenshots', { recursive: true });
  await page.screenshot({ path: `screenshots/${name}.png`, fullPage: true });
}
