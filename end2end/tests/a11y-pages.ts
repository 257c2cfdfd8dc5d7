// Every page a user can reach (the router in app/src/shell.rs), each checked with axe-core
// as the right demo user sees it: a11y.spec.ts runs these at desktop width, a11y-phone.spec.ts
// on a phone. Not a spec itself: both specs call `a11ySuite`.
import { test, expect, Page } from '@playwright/test';
import { login, hydrated, expectAccessible, shot } from './helpers';

/** Requests made for the check: one waiting for li.na, one returned to its requester. */
interface Made { running: number; returned: number }

interface Visit {
  /** The test's name and the screenshot's. */
  name: string;
  /** Who is signed in (null: nobody). */
  user: string | null;
  path: (m: Made) => string;
  /** The page is a plain form, served without the WASM bundle: nothing to wait for. */
  plain?: boolean;
  /** What a person does there first (opens a tab, shows the errors) before the check. */
  then?: (page: Page) => Promise<void>;
}

const BUILTIN_FORMS = ['leave', 'expense', 'purchase', 'office_supplies', 'vehicle', 'general', 'new_account'];

const VISITS: Visit[] = [
  { name: 'login', user: null, path: () => '/login', plain: true },
  {
    name: 'login-error', user: null, path: () => '/login', plain: true,
    then: async (page) => {
      await page.getByLabel('用户名').fill('zhang.wei');
      await page.getByLabel(/^密码/).fill('wrong-password-1');
      await page.getByRole('button', { name: '登录' }).click();
      await expect(page.getByText('用户名或密码错误').first()).toBeVisible();
    },
  },
  { name: 'home', user: 'zhang.wei', path: () => '/' },
  {
    name: 'approvals-todo', user: 'li.na', path: () => '/approvals',
    then: async (page) => {
      // The filters, opened: their fields are checked too.
      await page.getByText('筛选', { exact: true }).click();
      await expect(page.getByLabel('类型')).toBeVisible();
    },
  },
  { name: 'approvals-done', user: 'li.na', path: () => '/approvals?box=done' },
  { name: 'approvals-mine', user: 'zhang.wei', path: () => '/approvals?box=mine' },
  { name: 'approvals-cc', user: 'li.na', path: () => '/approvals?box=cc' },
  { name: 'approvals-catalog', user: 'zhang.wei', path: () => '/approvals/new' },
  ...BUILTIN_FORMS.map((key): Visit => ({ name: `approvals-new-${key}`, user: 'zhang.wei', path: () => `/approvals/new/${key}` })),
  {
    name: 'approvals-new-expense-errors', user: 'zhang.wei', path: () => '/approvals/new/expense',
    then: async (page) => {
      await page.getByRole('button', { name: '提交', exact: true }).click();
      await expect(page.getByRole('alert').filter({ hasText: '表单有' })).toBeVisible();
    },
  },
  { name: 'instance-requester', user: 'zhang.wei', path: (m) => `/approvals/${m.running}` },
  {
    name: 'instance-approver', user: 'li.na', path: (m) => `/approvals/${m.running}`,
    then: async (page) => {
      // Return, transfer and add-signer, opened.
      await page.getByText(/^退回 \/ 转交 \/ 加签$/).click();
      await expect(page.getByLabel('退回到')).toBeVisible();
    },
  },
  { name: 'instance-returned', user: 'zhang.wei', path: (m) => `/approvals/${m.returned}` },
  { name: 'instance-resubmit', user: 'zhang.wei', path: (m) => `/approvals/${m.returned}/resubmit` },
  { name: 'notifications', user: 'li.na', path: () => '/notifications' },
  { name: 'contacts', user: 'zhang.wei', path: () => '/contacts' },
  { name: 'profile', user: 'zhang.wei', path: () => '/me' },
  { name: 'designer-list', user: 'han.mei', path: () => '/designer' },
  { name: 'designer-flow', user: 'han.mei', path: () => '/designer/expense' },
  {
    name: 'designer-node', user: 'han.mei', path: () => '/designer/expense',
    then: async (page) => {
      await page.getByRole('button', { name: '审批人 直属主管' }).click();
      await expect(page.getByLabel('节点名称')).toHaveValue('直属主管');
    },
  },
  {
    name: 'designer-branch', user: 'han.mei', path: () => '/designer/expense',
    then: async (page) => {
      // A condition branch's panel: its comparisons, each a field, an operator and a value.
      await page.getByRole('button', { name: /^超过5000元/ }).click();
      await expect(page.getByLabel('分支名称')).toHaveValue('超过5000元');
    },
  },
  {
    name: 'designer-cc', user: 'han.mei', path: () => '/designer/leave',
    then: async (page) => {
      await page.getByRole('button', { name: '抄送人 抄送人事' }).click();
      await expect(page.getByRole('group', { name: '抄送对象 1' })).toBeVisible();
    },
  },
  {
    name: 'designer-form-table', user: 'han.mei', path: () => '/designer/expense',
    then: async (page) => {
      // A detail table's columns: label, key and type of each.
      await page.getByRole('tab', { name: '表单设计' }).click();
      await page.getByRole('button', { name: /费用明细/ }).click();
      await expect(page.getByLabel('字段标识')).toHaveValue('items');
    },
  },
  {
    name: 'designer-form-select', user: 'han.mei', path: () => '/designer/leave',
    then: async (page) => {
      // A select's options: label and value of each.
      await page.getByRole('tab', { name: '表单设计' }).click();
      await page.getByRole('button', { name: /请假类型/ }).click();
      await expect(page.getByLabel('字段标识')).toHaveValue('leave_type');
    },
  },
  {
    name: 'designer-form', user: 'han.mei', path: () => '/designer/expense',
    then: async (page) => {
      await page.getByRole('tab', { name: '表单设计' }).click();
      await page.getByRole('button', { name: /报销事由/ }).click();
      await expect(page.getByLabel('字段标识')).toHaveValue('reason');
    },
  },
  {
    name: 'designer-simulate', user: 'han.mei', path: () => '/designer/expense',
    then: async (page) => {
      await page.getByRole('tab', { name: '模拟运行' }).click();
      await expect(page.getByRole('heading', { name: '审批路径' })).toBeVisible();
    },
  },
  {
    name: 'designer-versions', user: 'han.mei', path: () => '/designer/expense',
    then: async (page) => {
      await page.getByRole('tab', { name: '版本历史' }).click();
      await expect(page.getByRole('row').nth(1)).toBeVisible();
    },
  },
  { name: 'admin-users', user: 'admin', path: () => '/admin/users' },
  { name: 'admin-new-user', user: 'admin', path: () => '/admin/users/new' },
  {
    name: 'admin-user', user: 'admin', path: () => '/admin/users',
    then: async (page) => {
      await page.getByRole('link', { name: '张伟' }).first().click();
      await expect(page).toHaveURL(/\/admin\/users\/\d+$/);
      await expect(page.getByRole('heading', { name: /张伟/ })).toBeVisible();
      await page.waitForLoadState('networkidle');
    },
  },
  { name: 'admin-departments', user: 'admin', path: () => '/admin/departments' },
  { name: 'admin-roles', user: 'admin', path: () => '/admin/roles' },
  { name: 'admin-audit', user: 'admin', path: () => '/admin/audit' },
  { name: 'admin-dormant', user: 'admin', path: () => '/admin/dormant' },
  { name: 'not-found', user: 'zhang.wei', path: () => '/no/such/page' },
];

/** Declares one test per page for the current project (`label` names its screenshots). */
export function a11ySuite(label: string) {
  let made: Made;

  test.beforeAll(async ({ browser }) => {
    const ctx = await browser.newContext({ locale: 'zh-CN' });
    const page = await ctx.newPage();
    await login(page, 'zhang.wei');
    // What the browser's own fetch sends: the CSRF check wants to know where it comes from.
    const headers = { origin: new URL(page.url()).origin };
    const submit = async (data: object) => {
      const r = await page.request.post('/api/v1/instances', { headers, data });
      expect(r.status(), await r.text()).toBe(201);
      return (await r.json()).id as number;
    };
    const running = await submit({
      template_key: 'expense',
      form: { reason: '无障碍检查', items: [{ date: '2026-11-20', category: 'meal', amount: '86.50', note: '午餐' }] },
    });
    const returned = await submit({
      template_key: 'office_supplies', form: { items: [{ name: '便签', quantity: 3 }], reason: '无障碍检查' },
    });
    // li.na, the manager, sends the second back to its requester.
    await ctx.clearCookies();
    await login(page, 'li.na');
    const view = await (await page.request.get(`/api/v1/instances/${returned}`)).json();
    const r = await page.request.post(`/api/v1/tasks/${view.my_tasks[0]}/actions`, {
      headers, data: { action: 'return', target_node: 'requester', comment: '请写明用途' },
    });
    expect(r.status(), await r.text()).toBe(200);
    made = { running, returned };
    await ctx.close();
  });

  test.afterAll(async ({ browser }) => {
    // Leave nothing waiting in li.na's list for the other tests.
    if (!made) return;
    const ctx = await browser.newContext({ locale: 'zh-CN' });
    const page = await ctx.newPage();
    await login(page, 'zhang.wei');
    const headers = { origin: new URL(page.url()).origin };
    for (const id of [made.running, made.returned]) await page.request.post(`/api/v1/instances/${id}/withdraw`, { headers });
    await ctx.close();
  });

  test.describe(`axe at ${label} width`, () => {
    for (const v of VISITS) {
      test(`no serious accessibility problem: ${v.name}`, async ({ page }) => {
        if (v.user) await login(page, v.user);
        await page.goto(v.path(made));
        if (!v.plain) await hydrated(page);
        if (v.then) await v.then(page);
        await shot(page, `a11y-${label}-${v.name}`);
        await expectAccessible(page, `${v.name} (${label})`);
      });
    }
  });
}
