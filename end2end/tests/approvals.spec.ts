import { test, expect, Browser, Page } from '@playwright/test';
import { login, shot, hydrated } from './helpers';
import * as path from 'path';

const RECEIPT = path.join(__dirname, '..', 'fixtures', 'receipt.png');

async function as(browser: Browser, user: string): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 860 }, locale: 'zh-CN' });
  const page = await ctx.newPage();
  await login(page, user);
  return page;
}

/** Opens the instance from the to-do list and approves it with a comment. */
async function approveFromTodo(page: Page, id: string, comment: string) {
  await page.goto('/approvals');
  await hydrated(page);
  await page.locator(`a.inbox-main[href="/approvals/${id}"]`).click();
  await expect(page).toHaveURL(new RegExp(`/approvals/${id}$`));
  await hydrated(page);
  await page.locator('#act-comment').fill(comment);
  await page.locator('#btn-approve').click();
  await expect(page.locator('#btn-approve')).toHaveCount(0);
}

test('an 8000 expense with two line items and a receipt, approved by three in turn', async ({ browser }) => {
  const zhang = await as(browser, 'zhang.wei');
  await zhang.goto('/approvals/new');
  await hydrated(zhang);
  await shot(zhang, 'approvals-catalog');
  await zhang.locator('a.template-card[data-key="expense"]').click();
  await expect(zhang).toHaveURL(/\/approvals\/new\/expense/);
  await hydrated(zhang);
  await zhang.locator('[name="reason"]').fill('上海客户拜访');
  await zhang.locator('[name="items[0].date"]').fill('2026-11-16');
  await zhang.locator('[name="items[0].category"]').selectOption('travel');
  await zhang.locator('[name="items[0].amount"]').fill('5000');
  await zhang.locator('[name="items[0].note"]').fill('往返机票');
  await zhang.locator('input[name="file:items[0].receipt"]').first().setInputFiles(RECEIPT);
  await expect(zhang.locator('[data-path="items[0].receipt"] .file-chip a')).toHaveText('receipt.png');
  await zhang.locator('[data-path="items"] .add-row').click();
  await zhang.locator('[name="items[1].date"]').fill('2026-11-17');
  await zhang.locator('[name="items[1].category"]').selectOption('hotel');
  await zhang.locator('[name="items[1].amount"]').fill('3000');
  await expect(zhang.locator('output.total')).toHaveText('¥8000.00');
  // The predicted path follows the amount: over 5000 goes to the general manager.
  await expect(zhang.locator('#path-preview')).toContainText('总经理');
  await expect(zhang.locator('#path-preview')).toContainText('刘洋');
  await shot(zhang, 'approvals-expense-form');
  await zhang.locator('#submit-request').click();
  await expect(zhang).toHaveURL(/\/approvals\/\d+\?submitted=1/);
  const id = zhang.url().match(/approvals\/(\d+)/)![1];
  await expect(zhang.locator('#instance-status')).toHaveText('审批中');
  await expect(zhang.locator('.form-values')).toContainText('8000.00');
  await expect(zhang.locator('.form-values a.file-chip')).toContainText('receipt.png');
  await shot(zhang, 'approvals-instance-submitted');

  for (const [user, comment] of [['li.na', '同意'], ['wang.fang', '票据齐全'], ['liu.yang', '同意报销']]) {
    const p = await as(browser, user);
    if (user === 'li.na') {
      await p.goto('/approvals');
      await expect(p.locator('a.tab.active .count-badge')).toBeVisible();
      await shot(p, 'approvals-todo');
    }
    await approveFromTodo(p, id, comment);
    if (user === 'wang.fang') await shot(p, 'approvals-instance-approving');
    await p.context().close();
  }
  await zhang.goto(`/approvals/${id}`);
  await expect(zhang.locator('#instance-status')).toHaveText('已通过');
  await expect(zhang.locator('.timeline')).toContainText('同意报销');
  await expect(zhang.locator('.flow-node.state-done[data-node="gm"]')).toBeVisible();
  await shot(zhang, 'approvals-instance-approved');
  await zhang.goto('/approvals?box=mine');
  await expect(zhang.locator(`a.inbox-main[href="/approvals/${id}"]`)).toContainText('已通过');
  await shot(zhang, 'approvals-mine');
});

test('five days of annual leave: returned, resubmitted, approved, balance down by five', async ({ browser }) => {
  const zhang = await as(browser, 'zhang.wei');
  await zhang.goto('/approvals/new/leave');
  await hydrated(zhang);
  const before = Number(await zhang.locator('#balances li[data-type="annual"] .balance-available').innerText());
  await zhang.locator('[name="leave_type"]').selectOption('annual');
  await zhang.locator('[name="start_date"]').fill('2026-12-07');
  await zhang.locator('[name="end_date"]').fill('2026-12-11');
  await expect(zhang.locator('output.working-days')).toHaveText('5 天');
  await zhang.locator('[name="reason"]').fill('回老家');
  await expect(zhang.locator('#path-preview')).toContainText('上级主管');
  await shot(zhang, 'approvals-leave-form');
  await zhang.locator('#submit-request').click();
  await expect(zhang).toHaveURL(/\/approvals\/\d+/);
  const id = zhang.url().match(/approvals\/(\d+)/)![1];

  const li = await as(browser, 'li.na');
  await li.goto(`/approvals/${id}`);
  await hydrated(li);
  await li.locator('#act-comment').fill('请写明交接安排');
  await li.locator('details.more-actions summary').click();
  await li.locator('#return-target').selectOption('requester');
  await li.locator('#btn-return').click();
  await expect(li.locator('#instance-status')).toHaveText('已退回');

  await zhang.goto(`/approvals/${id}`);
  await expect(zhang.locator('#instance-status')).toHaveText('已退回');
  await zhang.getByRole('link', { name: '重新提交' }).click();
  await expect(zhang).toHaveURL(new RegExp(`/approvals/${id}/resubmit`));
  await hydrated(zhang);
  await expect(zhang.locator('.returned-notice')).toContainText('请写明交接安排');
  await expect(zhang.locator('[name="start_date"]')).toHaveValue('2026-12-07');
  await zhang.locator('[name="reason"]').fill('回老家；工作已交接给赵磊');
  await shot(zhang, 'approvals-resubmit');
  await zhang.locator('#submit-request').click();
  await expect(zhang).toHaveURL(new RegExp(`/approvals/${id}`));
  await expect(zhang.locator('#instance-status')).toHaveText('审批中');

  await approveFromTodo(li, id, '同意');
  const liu = await as(browser, 'liu.yang');
  await approveFromTodo(liu, id, '同意');
  await zhang.goto(`/approvals/${id}`);
  await expect(zhang.locator('#instance-status')).toHaveText('已通过');
  await zhang.goto('/approvals/new/leave');
  const after = Number(await zhang.locator('#balances li[data-type="annual"] .balance-available').innerText());
  expect(after).toBe(before - 5);
});

test('batch approve three requests, each result reported', async ({ browser }) => {
  const zhang = await as(browser, 'zhang.wei');
  const ids: number[] = [];
  for (const name of ['A4 纸', '签字笔', '文件夹']) {
    const r = await zhang.request.post('/api/v1/instances', {
      // What the browser's own fetch sends: the CSRF check wants to know where it comes from.
      headers: { origin: new URL(zhang.url()).origin },
      data: { template_key: 'office_supplies', form: { items: [{ name, quantity: 2 }], reason: '部门补充' } },
    });
    expect(r.status()).toBe(201);
    ids.push((await r.json()).id);
  }
  const li = await as(browser, 'li.na');
  await li.goto('/approvals?box=todo&template=office_supplies');
  await hydrated(li);
  for (const id of ids) {
    await li.locator('li.inbox-row', { has: li.locator(`a[href="/approvals/${id}"]`) }).locator('input[type=checkbox]').check();
  }
  await li.locator('#batch-form input[name="comment"]').fill('批量同意');
  await shot(li, 'approvals-batch-selected');
  await li.locator('#batch-approve').click();
  await expect(li.locator('#batch-result')).toContainText('3 件成功，0 件失败');
  await shot(li, 'approvals-batch-result');
  for (const id of ids) {
    const v = await (await li.request.get(`/api/v1/instances/${id}`)).json();
    expect(v.history.some((h: any) => h.comment === '批量同意')).toBe(true);
  }
});

test('a notification arrives live in a second browser', async ({ browser }) => {
  const li = await as(browser, 'li.na');
  await li.goto('/approvals');
  await hydrated(li);
  const before = await li.locator('#bell-count').count() ? Number(await li.locator('#bell-count').innerText()) : 0;
  const zhang = await as(browser, 'zhang.wei');
  const r = await zhang.request.post('/api/v1/instances', {
      // What the browser's own fetch sends: the CSRF check wants to know where it comes from.
      headers: { origin: new URL(zhang.url()).origin },
    data: { template_key: 'vehicle', form: { use_dates: { start: '2026-12-01', end: '2026-12-01' }, destination: '机场', passengers: 2, driver: 'yes', purpose: '接客户' } },
  });
  expect(r.status()).toBe(201);
  // No reload: the toast and the bell count come over the event stream.
  await expect(li.locator('#toast')).toContainText('待办', { timeout: 15_000 });
  await expect(li.locator('#bell-count')).toHaveText(String(before + 1));
  // The open to-do list reads again: the new request is in it, still without a reload.
  await expect(li.locator('a.inbox-main', { hasText: '车辆调度' }).first()).toBeVisible();
  await shot(li, 'approvals-live-toast');
  await li.locator('#toast').click();
  await expect(li).toHaveURL(/\/approvals\/\d+/);
  await li.goto('/notifications');
  await expect(li.locator('.notice.unread').first()).toBeVisible();
  await shot(li, 'notifications');
  await li.locator('#mark-all-read').click();
  await expect(li.locator('.notice.unread')).toHaveCount(0);
});

test('bad input gets clear inline errors and submits nothing', async ({ browser }) => {
  const zhang = await as(browser, 'zhang.wei');
  const mine = async () => (await (await zhang.request.get('/api/v1/tasks?box=mine')).json()).total;
  const count = await mine();
  await zhang.goto('/approvals/new/expense');
  await hydrated(zhang);
  await zhang.locator('#submit-request').click();
  await expect(zhang.locator('#form-errors')).toBeVisible();
  await expect(zhang.locator('[data-path="reason"] .field-error')).toHaveText('必填');
  await expect(zhang.locator('[data-path="items"] > .field-error')).toHaveText('必填');
  await zhang.locator('[name="reason"]').fill('测试');
  await zhang.locator('[name="items[0].date"]').fill('2026-11-16');
  await zhang.locator('[name="items[0].category"]').selectOption('meal');
  await zhang.locator('[name="items[0].amount"]').fill('12a.5');
  await zhang.locator('#submit-request').click();
  await expect(zhang.locator('[data-path="items[0].amount"] .field-error')).toHaveText('格式不正确');
  // A disallowed type and an oversized file are refused at upload, shown on the field.
  await zhang.locator('input[name="file:items[0].receipt"]').first().setInputFiles({ name: 'tool.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ') });
  await expect(zhang.locator('[data-path="items[0].receipt"] .file-chip.failed')).toContainText('tool.exe');
  await zhang.locator('input[name="file:items[0].receipt"]').first().setInputFiles({ name: 'big.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(3 * 1024 * 1024, 1) });
  await expect(zhang.locator('[data-path="items[0].receipt"] .file-chip.failed')).toHaveCount(2);
  await expect(zhang.locator('[data-path="items[0].receipt"]')).toContainText('文件太大');
  // Working on another field leaves the amount's message in place until it is fixed.
  await expect(zhang.locator('[data-path="items[0].amount"] .field-error')).toHaveText('格式不正确');
  await shot(zhang, 'approvals-bad-input');
  await zhang.goto('/approvals/new/leave');
  await hydrated(zhang);
  await zhang.locator('[name="leave_type"]').selectOption('annual');
  await zhang.locator('[name="start_date"]').fill('2026-12-10');
  await zhang.locator('[name="end_date"]').fill('2026-12-08');
  await zhang.locator('[name="reason"]').fill('x');
  await zhang.locator('#submit-request').click();
  await expect(zhang.locator('[data-path="end_date"] .field-error')).toHaveText('超出允许范围');
  expect(await mine()).toBe(count);
});
