import { test, expect } from '@playwright/test';
import { login, shot } from './helpers';
import * as path from 'path';

const RECEIPT = path.join(__dirname, '..', 'fixtures', 'receipt.png');

test('without JavaScript: file an expense with a receipt, fix a bad amount, approve', async ({ page, browser }) => {
  await login(page, 'zhang.wei');
  await page.goto('/approvals/new/expense');
  await page.locator('[name="reason"]').fill('无脚本报销');
  await page.locator('[name="items[0].date"]').fill('2026-11-18');
  await page.locator('[name="items[0].category"]').selectOption('transport');
  await page.locator('[name="items[0].amount"]').fill('八十');
  await page.locator('input[name="file:items[0].receipt"]').first().setInputFiles(RECEIPT);
  await page.locator('#submit-request').click();
  // Refused by the server: back on the form as a draft, with the error inline and nothing lost.
  await expect(page).toHaveURL(/\/approvals\/new\/expense\?draft=\d+/);
  await expect(page.locator('[data-path="items[0].amount"] .field-error')).toHaveText('格式不正确');
  await expect(page.locator('[name="reason"]')).toHaveValue('无脚本报销');
  await expect(page.locator('[data-path="items[0].receipt"] .file-chip')).toContainText('receipt.png');
  await shot(page, 'nojs-expense-error');
  await page.locator('[name="items[0].amount"]').fill('80');
  await page.locator('#submit-request').click();
  await expect(page).toHaveURL(/\/approvals\/\d+\?submitted=1/);
  await expect(page.locator('#instance-status')).toHaveText('审批中');
  await expect(page.locator('.form-values')).toContainText('80.00');
  await expect(page.locator('.form-values a.file-chip')).toContainText('receipt.png');
  const id = page.url().match(/approvals\/(\d+)/)![1];
  await shot(page, 'nojs-instance');

  const ctx = await browser.newContext({ javaScriptEnabled: false, locale: 'zh-CN' });
  const li = await ctx.newPage();
  await login(li, 'li.na');
  await li.goto('/approvals');
  await expect(li.locator(`a.inbox-main[href="/approvals/${id}"]`)).toBeVisible();
  await li.goto(`/approvals/${id}`);
  await li.locator('#act-comment').fill('无脚本同意');
  await li.locator('#btn-approve').click();
  await expect(li.locator('.timeline')).toContainText('无脚本同意');
  await expect(li.locator('#btn-approve')).toHaveCount(0);
});

test('without JavaScript: drafts keep the form, batch approve works', async ({ page }) => {
  await login(page, 'zhang.wei');
  await page.goto('/approvals/new/purchase');
  await page.locator('[name="item"]').fill('显示器');
  await page.locator('#save-draft').click();
  await expect(page).toHaveURL(/draft=\d+&saved=1/);
  await expect(page.getByRole('status')).toContainText('草稿已保存');
  await expect(page.locator('[name="item"]')).toHaveValue('显示器');
  await page.goto('/approvals/new');
  await expect(page.locator('.drafts')).toContainText('采购');
  await shot(page, 'nojs-drafts');
});
