import { test, expect, Browser, Page } from '@playwright/test';
import { login, shot, hydrated, linkTo, card } from './helpers';
import * as path from 'path';

const RECEIPT = path.join(__dirname, '..', 'fixtures', 'receipt.png');

async function as(browser: Browser, user: string): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 860 }, locale: 'zh-CN' });
  const page = await ctx.newPage();
  await login(page, user);
  return page;
}

/** The request's status badge: plain text beside the title, with no role of its own. */
const status = (page: Page) => page.locator('#instance-status');

/** The annual leave still available, from the balances card beside the leave form. */
async function annualAvailable(page: Page): Promise<number> {
  const annual = card(page, '假期余额').getByRole('listitem').filter({ hasText: '年假' });
  // The number is the item's one <strong>: no role or label singles it out.
  return Number(await annual.locator('.balance-available').innerText());
}

/** Opens the instance from the to-do list and approves it with a comment. */
async function approveFromTodo(page: Page, id: string, comment: string) {
  await page.goto('/approvals');
  await hydrated(page);
  await linkTo(page, `/approvals/${id}`).click();
  await expect(page).toHaveURL(new RegExp(`/approvals/${id}$`));
  await hydrated(page);
  await page.getByLabel('填写审批意见').fill(comment);
  const approve = page.getByRole('button', { name: '同意', exact: true });
  await approve.click();
  await expect(approve).toHaveCount(0);
}

test('an 8000 expense with two line items and a receipt, approved by three in turn', async ({ browser }) => {
  const zhang = await as(browser, 'zhang.wei');
  await zhang.goto('/approvals/new');
  await hydrated(zhang);
  await shot(zhang, 'approvals-catalog');
  await zhang.getByRole('link', { name: /^报销/ }).click();
  await expect(zhang).toHaveURL(/\/approvals\/new\/expense/);
  await hydrated(zhang);
  await zhang.getByLabel('报销事由').fill('上海客户拜访');
  const row1 = zhang.getByRole('group', { name: '第 1 行' });
  await row1.getByLabel('日期').fill('2026-11-16');
  await row1.getByLabel('类别').selectOption('travel');
  await row1.getByLabel('金额').fill('5000');
  await row1.getByLabel('说明').fill('往返机票');
  await row1.getByLabel('上传文件').setInputFiles(RECEIPT);
  await expect(row1.getByRole('link', { name: 'receipt.png' })).toHaveText('receipt.png');
  await zhang.getByRole('button', { name: '添加一行' }).click();
  const row2 = zhang.getByRole('group', { name: '第 2 行' });
  await row2.getByLabel('日期').fill('2026-11-17');
  await row2.getByLabel('类别').selectOption('hotel');
  await row2.getByLabel('金额').fill('3000');
  await expect(zhang.getByRole('status', { name: '合计金额' })).toHaveText('¥8000.00');
  // The predicted path follows the amount: over 5000 goes to the general manager.
  const path = card(zhang, '审批流程预览');
  await expect(path).toContainText('总经理');
  await expect(path).toContainText('刘洋');
  await shot(zhang, 'approvals-expense-form');
  await zhang.getByRole('button', { name: '提交', exact: true }).click();
  await expect(zhang).toHaveURL(/\/approvals\/\d+\?submitted=1/);
  const id = zhang.url().match(/approvals\/(\d+)/)![1];
  await expect(status(zhang)).toHaveText('审批中');
  const values = card(zhang, '申请内容');
  await expect(values).toContainText('8000.00');
  await expect(values.getByRole('link', { name: 'receipt.png' })).toContainText('receipt.png');
  await shot(zhang, 'approvals-instance-submitted');

  for (const [user, comment] of [['li.na', '同意'], ['wang.fang', '票据齐全'], ['liu.yang', '同意报销']]) {
    const p = await as(browser, user);
    if (user === 'li.na') {
      await p.goto('/approvals');
      // The to-do tab is the current one, and shows how many wait.
      const todo = p.getByRole('navigation', { name: '审批列表' }).getByRole('link', { name: /^待办/ });
      await expect(todo).toHaveAttribute('aria-current', 'page');
      await expect(todo).toHaveText(/^待办\s*\d+$/);
      await shot(p, 'approvals-todo');
    }
    await approveFromTodo(p, id, comment);
    if (user === 'wang.fang') await shot(p, 'approvals-instance-approving');
    await p.context().close();
  }
  await zhang.goto(`/approvals/${id}`);
  await expect(status(zhang)).toHaveText('已通过');
  await expect(card(zhang, '审批记录')).toContainText('同意报销');
  const gm = zhang.getByRole('list', { name: '审批流程' }).getByRole('listitem').filter({ hasText: '总经理' });
  await expect(gm).toBeVisible();
  await expect(gm).toHaveClass(/state-done/);
  await shot(zhang, 'approvals-instance-approved');
  await zhang.goto('/approvals?box=mine');
  await expect(linkTo(zhang, `/approvals/${id}`)).toContainText('已通过');
  await shot(zhang, 'approvals-mine');
});

test('five days of annual leave: returned, resubmitted, approved, balance down by five', async ({ browser }) => {
  const zhang = await as(browser, 'zhang.wei');
  await zhang.goto('/approvals/new/leave');
  await hydrated(zhang);
  const before = await annualAvailable(zhang);
  await zhang.getByLabel('请假类型').selectOption('annual');
  await zhang.getByLabel('开始日期').fill('2026-12-07');
  await zhang.getByLabel('结束日期').fill('2026-12-11');
  await expect(zhang.getByRole('status', { name: '请假天数' })).toHaveText('5 天');
  await zhang.getByLabel('请假事由').fill('回老家');
  await expect(card(zhang, '审批流程预览')).toContainText('上级主管');
  await shot(zhang, 'approvals-leave-form');
  await zhang.getByRole('button', { name: '提交', exact: true }).click();
  await expect(zhang).toHaveURL(/\/approvals\/\d+/);
  const id = zhang.url().match(/approvals\/(\d+)/)![1];

  const li = await as(browser, 'li.na');
  await li.goto(`/approvals/${id}`);
  await hydrated(li);
  await li.getByLabel('填写审批意见').fill('请写明交接安排');
  await li.getByText('退回 / 转交 / 加签', { exact: true }).click();
  await li.getByLabel('退回到').selectOption('requester');
  await li.getByRole('button', { name: '退回', exact: true }).click();
  await expect(status(li)).toHaveText('已退回');

  await zhang.goto(`/approvals/${id}`);
  await expect(status(zhang)).toHaveText('已退回');
  await zhang.getByRole('link', { name: '重新提交' }).click();
  await expect(zhang).toHaveURL(new RegExp(`/approvals/${id}/resubmit`));
  await hydrated(zhang);
  await expect(card(zhang, '申请被退回，请按意见修改后重新提交')).toContainText('请写明交接安排');
  await expect(zhang.getByLabel('开始日期')).toHaveValue('2026-12-07');
  await zhang.getByLabel('请假事由').fill('回老家；工作已交接给赵磊');
  await shot(zhang, 'approvals-resubmit');
  await zhang.getByRole('button', { name: '重新提交', exact: true }).click();
  await expect(zhang).toHaveURL(new RegExp(`/approvals/${id}`));
  await expect(status(zhang)).toHaveText('审批中');

  await approveFromTodo(li, id, '同意');
  const liu = await as(browser, 'liu.yang');
  await approveFromTodo(liu, id, '同意');
  await zhang.goto(`/approvals/${id}`);
  await expect(status(zhang)).toHaveText('已通过');
  await zhang.goto('/approvals/new/leave');
  const after = await annualAvailable(zhang);
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
    await li.getByRole('listitem').filter({ has: linkTo(li, `/approvals/${id}`) }).getByRole('checkbox').check();
  }
  await li.getByLabel('审批意见（选填）').fill('批量同意');
  await shot(li, 'approvals-batch-selected');
  await li.getByRole('button', { name: '批量同意' }).click();
  const result = li.getByRole('status').filter({ hasText: '批量处理' });
  await expect(result).toContainText('3 件成功，0 件失败');
  // Each row names its request in the reader's language and links to it.
  for (const id of ids) {
    await expect(result.getByRole('link', { name: '张伟的办公用品申领' }).and(linkTo(li, `/approvals/${id}`))).toBeVisible();
  }
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
  // The bell's link reads "消息" and, when any are unread, their number.
  const bell = li.getByRole('banner').getByRole('link', { name: /^消息/ });
  const before = Number((await bell.textContent())!.replace(/\D/g, '') || '0');
  const zhang = await as(browser, 'zhang.wei');
  const r = await zhang.request.post('/api/v1/instances', {
      // What the browser's own fetch sends: the CSRF check wants to know where it comes from.
      headers: { origin: new URL(zhang.url()).origin },
    data: { template_key: 'vehicle', form: { use_dates: { start: '2026-12-01', end: '2026-12-01' }, destination: '机场', passengers: 2, driver: 'yes', purpose: '接客户' } },
  });
  expect(r.status()).toBe(201);
  // No reload: the toast and the bell count come over the event stream.
  const toast = li.getByRole('status');
  await expect(toast).toContainText('待办', { timeout: 15_000 });
  await expect(bell).toHaveText(new RegExp(`^消息\\s*${before + 1}$`));
  // The open to-do list reads again: the new request is in it, still without a reload.
  await expect(li.getByRole('link', { name: /车辆调度/ }).first()).toBeVisible();
  await shot(li, 'approvals-live-toast');
  await toast.click();
  await expect(li).toHaveURL(/\/approvals\/\d+/);
  await li.goto('/notifications');
  // Unread is shown by the card's style alone: no role or text says it (see the report).
  const unread = li.locator('.notice.unread');
  await expect(unread.first()).toBeVisible();
  await shot(li, 'notifications');
  await li.getByRole('button', { name: '全部标为已读' }).click();
  await expect(unread).toHaveCount(0);
});

test('bad input gets clear inline errors and submits nothing', async ({ browser }) => {
  const zhang = await as(browser, 'zhang.wei');
  const mine = async () => (await (await zhang.request.get('/api/v1/tasks?box=mine')).json()).total;
  const count = await mine();
  await zhang.goto('/approvals/new/expense');
  await hydrated(zhang);
  const submit = zhang.getByRole('button', { name: '提交', exact: true });
  await submit.click();
  await expect(zhang.getByRole('alert').filter({ hasText: /^表单有 \d+ 处需要修改$/ })).toBeVisible();
  // A field's message is not tied to its input (no aria-describedby yet, see the report):
  // it is found in the field's box, by the field's name in the form.
  await expect(zhang.locator('[data-path="reason"] .field-error')).toHaveText('必填');
  await expect(zhang.locator('[data-path="items"] > .field-error')).toHaveText('必填');
  await zhang.getByLabel('报销事由').fill('测试');
  const row1 = zhang.getByRole('group', { name: '第 1 行' });
  await row1.getByLabel('日期').fill('2026-11-16');
  await row1.getByLabel('类别').selectOption('meal');
  await row1.getByLabel('金额').fill('12a.5');
  await submit.click();
  await expect(zhang.locator('[data-path="items[0].amount"] .field-error')).toHaveText('格式不正确');
  // A disallowed type and an oversized file are refused at upload, shown on the field.
  // (A failed upload is marked by its style; its chip holds the file's name and the reason.)
  await row1.getByLabel('上传文件').setInputFiles({ name: 'tool.exe', mimeType: 'application/octet-stream', buffer: Buffer.from('MZ') });
  await expect(zhang.locator('[data-path="items[0].receipt"] .file-chip.failed')).toContainText('tool.exe');
  await row1.getByLabel('上传文件').setInputFiles({ name: 'big.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(3 * 1024 * 1024, 1) });
  await expect(zhang.locator('[data-path="items[0].receipt"] .file-chip.failed')).toHaveCount(2);
  await expect(zhang.locator('[data-path="items[0].receipt"]')).toContainText('文件太大');
  // Working on another field leaves the amount's message in place until it is fixed.
  await expect(zhang.locator('[data-path="items[0].amount"] .field-error')).toHaveText('格式不正确');
  await shot(zhang, 'approvals-bad-input');
  await zhang.goto('/approvals/new/leave');
  await hydrated(zhang);
  await zhang.getByLabel('请假类型').selectOption('annual');
  await zhang.getByLabel('开始日期').fill('2026-12-10');
  await zhang.getByLabel('结束日期').fill('2026-12-08');
  await zhang.getByLabel('请假事由').fill('x');
  await submit.click();
  await expect(zhang.locator('[data-path="end_date"] .field-error')).toHaveText('超出允许范围');
  expect(await mine()).toBe(count);
});

test('a decision on a request changed meanwhile is refused in the reader\'s language, with or without JavaScript', async ({ browser }) => {
  const zhang = await as(browser, 'zhang.wei');
  const origin = { origin: new URL(zhang.url()).origin };
  const r = await zhang.request.post('/api/v1/instances', {
    headers: origin,
    data: { template_key: 'office_supplies', form: { items: [{ name: '订书机', quantity: 1 }], reason: '并发测试' } },
  });
  expect(r.status()).toBe(201);
  const id = (await r.json()).id;
  const comment = async (text: string) => {
    const c = await zhang.request.post(`/api/v1/instances/${id}/comments`, { headers: origin, data: { comment: text } });
    expect(c.status()).toBe(200);
  };

  // With JavaScript: the server function's refusal comes back as a code, worded by the page.
  const li = await as(browser, 'li.na');
  await li.goto(`/approvals/${id}`);
  await hydrated(li);
  await comment('补充：要黑色的');
  await li.getByLabel('填写审批意见').fill('同意');
  await li.getByRole('button', { name: '同意', exact: true }).click();
  await expect(li.getByRole('alert')).toHaveText('申请已被他人改动，请刷新后再试');

  // Without JavaScript: the plain post is sent back to the page, the refusal waiting for it in
  // the session; shown once.
  const ctx = await browser.newContext({ javaScriptEnabled: false, locale: 'zh-CN' });
  const plain = await ctx.newPage();
  await login(plain, 'li.na');
  await plain.goto(`/approvals/${id}`);
  await comment('再补充：两个');
  await plain.getByLabel('填写审批意见').fill('同意，但请控制预算');
  await plain.getByRole('button', { name: '同意', exact: true }).click();
  await expect(plain).toHaveURL(new RegExp(`/approvals/${id}$`));
  await expect(plain.getByRole('alert')).toHaveText('申请已被他人改动，请刷新后再试');
  // What was typed is still there, to be sent again after reading the change.
  await expect(plain.getByLabel('填写审批意见')).toHaveValue('同意，但请控制预算');
  await shot(plain, 'nojs-conflict');
  await plain.reload();
  await expect(plain.getByRole('alert')).toHaveCount(0);
  await expect(plain.getByLabel('填写审批意见')).toHaveValue('');
});
