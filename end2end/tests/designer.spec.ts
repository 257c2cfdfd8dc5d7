import { test, expect, Browser, Page, Locator } from '@playwright/test';
import { login, shot, hydrated } from './helpers';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

async function as(browser: Browser, user: string): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 860 }, locale: 'zh-CN' });
  const page = await ctx.newPage();
  await login(page, user);
  return page;
}

/** A real mouse drag: press on `from`, move in steps, release over `to`. */
async function drag(page: Page, from: Locator, to: Locator) {
  await from.scrollIntoViewIfNeeded();
  const a = (await from.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2 + 12, a.y + a.height / 2 + 12, { steps: 3 });
  await to.scrollIntoViewIfNeeded();
  const b = (await to.boundingBox())!;
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 12 });
  await page.mouse.up();
}

/** The ids of the flow's top-level nodes, in order. */
async function topLevel(page: Page): Promise<string[]> {
  return page.locator('.fd-flow > .fd-seq').first().evaluate((el) => Array.from(el.children)
    .filter((c) => c.matches('.fd-node, .fd-branch'))
    .map((c) => (c.matches('.fd-node') ? c : c.querySelector('.fd-node'))!.getAttribute('data-node') ?? ''));
}

const slot = (page: Page, key: string) => page.locator(`.fd-slot[data-slot="${key}"]`);

async function openInstance(page: Page, id: string) {
  await page.goto(`/approvals/${id}`);
  await hydrated(page);
}

async function approve(browser: Browser, user: string, id: string) {
  const p = await as(browser, user);
  await openInstance(p, id);
  await p.locator('#act-comment').fill('同意');
  await p.locator('#btn-approve').click();
  await expect(p.locator('#btn-approve')).toHaveCount(0);
  await p.context().close();
}

async function fileExpense(zhang: Page, amount: string): Promise<string> {
  await zhang.goto('/approvals/new/trip_e2e');
  await hydrated(zhang);
  await zhang.locator('[name="table_1[0].item"]').fill('机票');
  await zhang.locator('[name="table_1[0].amount"]').fill(amount);
  await zhang.locator('#submit-request').click();
  await expect(zhang).toHaveURL(/\/approvals\/\d+\?submitted=1/);
  return zhang.url().match(/approvals\/(\d+)/)![1];
}

test('a process owner builds the expense flow by dragging, simulates, publishes, and it routes as designed', async ({ browser }) => {
  test.setTimeout(180_000);
  const owner = await as(browser, 'han.mei');
  // Reached from the navigation inside the running app: the designer's own stylesheet comes along.
  await owner.goto('/approvals');
  await hydrated(owner);
  await owner.locator('a[href="/designer"]').first().click();
  await expect(owner).toHaveURL(/\/designer$/);
  await expect(owner.locator('.designer-home')).toHaveCSS('display', 'grid');
  await hydrated(owner);
  await owner.locator('#new-template [name="name"]').fill('差旅报销');
  await owner.locator('#new-template [name="key"]').fill('trip_e2e');
  await owner.locator('#new-template [name="category"]').fill('财务');
  await owner.locator('#new-template button[type="submit"]').click();
  await expect(owner).toHaveURL(/\/designer\/trip_e2e$/);
  await hydrated(owner);
  await expect(owner.locator('#problem-count')).toContainText('问题');

  // The form: a detail table, then a total under it (it sums the table's money column).
  await owner.locator('[data-tab="form"]').click();
  await drag(owner, owner.locator('[data-field-type="table"]'), owner.locator('.fm-empty'));
  await expect(owner.locator('.fm-field[data-field="table_1"]')).toBeVisible();
  await drag(owner, owner.locator('[data-field-type="total"]'), owner.locator('.fm-slot[data-fslot="1"]'));
  await expect(owner.locator('.fm-field')).toHaveCount(2);
  await expect(owner.locator('.fm-field').nth(1)).toHaveAttribute('data-field', 'total_1');
  await owner.locator('.fm-field[data-field="total_1"]').click();
  await expect(owner.locator('.total-of')).toHaveValue('table_1.amount');
  await owner.locator('.field-label').fill('报销总额');
  await owner.locator('#preview-phone').click();
  await expect(owner.locator('#form-preview')).toHaveClass(/phone/);
  await expect.poll(() => owner.locator('#form-preview').evaluate((f) => f.getBoundingClientRect().width)).toBeLessThanOrEqual(375);
  await owner.waitForTimeout(300); // the buttons' colour transition, for the screenshot
  await shot(owner, 'designer-form-phone-preview');
  await owner.locator('#preview-desktop').click();

  // The flow: manager → condition (total > 5000 → general manager) → CC finance.
  await owner.locator('[data-tab="flow"]').click();
  await drag(owner, owner.locator('[data-palette="approver"]'), slot(owner, 'root/0'));
  await expect(owner.locator('.fd-node[data-node="approver1"]')).toContainText('直属主管');
  await drag(owner, owner.locator('[data-palette="conditions"]'), slot(owner, 'root/1'));
  await expect(owner.locator('.fd-node[data-node="conditions1"]')).toBeVisible();
  await expect(owner.locator('.fd-node[data-node="conditions1"]')).toHaveClass(/has-error/);
  await owner.locator('.fd-arm-head[data-arm="conditions1/0"]').click();
  await owner.locator('#cond-add').click();
  await expect(owner.locator('.cond-row[data-cond="0"] .cond-field')).toHaveValue('total_1');
  await owner.locator('.cond-row[data-cond="0"] .cond-op').selectOption('gt');
  await owner.locator('.cond-row[data-cond="0"] .cond-value').fill('5000');
  await expect(owner.locator('.fd-arm-head[data-arm="conditions1/0"]')).toContainText('报销总额 > 5000');
  await drag(owner, owner.locator('[data-palette="approver"]'), slot(owner, 'conditions1/0/0'));
  await expect(owner.locator('[data-panel-node="approver2"]')).toBeVisible();
  await owner.locator('.node-name').fill('总经理');
  await owner.locator('.rule-kind').selectOption('users');
  await owner.locator('.add-user').selectOption({ label: '刘洋 · 总经理' });
  await expect(owner.locator('.fd-node[data-node="approver2"]')).toContainText('刘洋');
  await drag(owner, owner.locator('[data-palette="cc"]'), slot(owner, 'root/2'));
  await expect(owner.locator('.fd-node[data-node="cc1"]')).toHaveClass(/has-error/);
  await owner.locator('#cc-add').click();
  await owner.locator('.cc-target .rule-kind').selectOption('department_head');
  await owner.locator('.cc-target select').nth(1).selectOption({ label: '财务部' });
  await owner.locator('.node-name').fill('抄送财务');
  await expect(owner.locator('#problem-count')).toContainText('校验通过');

  // Keyboard: a "+" opens its menu; the new node is undone with Ctrl+Z.
  await owner.locator('.fd-slot[data-slot="root/3"] .fd-add').focus();
  await owner.keyboard.press('Enter');
  await owner.locator('.fd-slot[data-slot="root/3"] .fd-menu-item[data-kind="handler"]').press('Enter');
  await expect(owner.locator('.fd-node[data-node="handler1"]')).toBeVisible();
  await expect(owner.locator('[data-panel-node="handler1"]')).toBeVisible();
  await owner.keyboard.press('Control+z');
  await expect(owner.locator('.fd-node[data-node="handler1"]')).toHaveCount(0);
  // Its panel goes with it: the template's properties show again.
  await expect(owner.locator('[data-panel-node="handler1"]')).toHaveCount(0);
  await expect(owner.locator('.designer-panel')).toContainText('校验');
  // Moving a node by dragging it: the CC above the condition, then back.
  await drag(owner, owner.locator('.fd-node[data-node="cc1"]'), slot(owner, 'root/1'));
  await expect.poll(() => topLevel(owner)).toEqual(['approver1', 'cc1', 'conditions1']);
  await owner.locator('#undo').click();
  await expect.poll(() => topLevel(owner)).toEqual(['approver1', 'conditions1', 'cc1']);
  await shot(owner, 'designer-expense-flow');

  // Simulate: 8000 passes the general manager, 3000 does not.
  await owner.locator('[data-tab="simulate"]').click();
  await owner.locator('#sim-requester').selectOption({ label: '张伟 · 软件工程师' });
  await owner.locator('[data-sim="total_1"]').fill('8000');
  await expect(owner.locator('#sim-steps')).toContainText('李娜');
  await expect(owner.locator('#sim-steps')).toContainText('刘洋');
  await expect(owner.locator('#sim-steps')).toContainText('王芳');
  await expect(owner.locator('.fd-node[data-node="approver2"]')).toHaveClass(/on-path/);
  await shot(owner, 'designer-simulate-8000');
  await owner.locator('[data-sim="total_1"]').fill('3000');
  await expect(owner.locator('.fd-node[data-node="approver2"]')).toHaveClass(/off-path/);
  await expect(owner.locator('#sim-steps')).not.toContainText('刘洋');

  // Renaming the field the condition uses is caught at once, on the branch node; undo restores it.
  await owner.locator('[data-tab="form"]').click();
  await owner.locator('.fm-field[data-field="total_1"]').click();
  await expect(owner.locator('.designer-panel .hint')).toContainText('条件分支');
  await owner.locator('.field-key').fill('sum');
  await expect(owner.locator('#problem-count')).toHaveText(/\d+ 个问题/);
  await expect(owner.locator('#publish')).toBeDisabled();
  await owner.locator('[data-tab="flow"]').click();
  await expect(owner.locator('.fd-node[data-node="conditions1"]')).toHaveClass(/has-error/);
  await owner.locator('#undo').click();
  await expect(owner.locator('#problem-count')).toContainText('校验通过');
  await expect(owner.locator('.fd-node[data-node="conditions1"]')).not.toHaveClass(/has-error/);

  // Publish.
  await owner.locator('#publish-note').fill('首个版本');
  await owner.locator('#publish').click();
  await expect(owner.locator('#designer-note')).toContainText('v1');
  await expect(owner.locator('#version-badge')).toContainText('v1');

  // zhang.wei files with it: 8000 reaches the general manager after the manager.
  const zhang = await as(browser, 'zhang.wei');
  const big = await fileExpense(zhang, '8000');
  await expect(zhang.locator('#instance-status')).toHaveText('审批中');
  await expect(zhang.locator('.form-values')).toContainText('8000.00');

  // The owner raises the threshold to 10000 and publishes version 2.
  await owner.reload();
  await hydrated(owner);
  await owner.locator('.fd-arm-head[data-arm="conditions1/0"]').click();
  await owner.locator('.cond-row[data-cond="0"] .cond-value').fill('10000');
  await owner.locator('#publish').click();
  await expect(owner.locator('#version-badge')).toContainText('v2');

  // The running request keeps version 1: after the manager it still waits for the general manager.
  await approve(browser, 'li.na', big);
  await openInstance(zhang, big);
  await expect(zhang.locator('#instance-status')).toHaveText('审批中');
  await expect(zhang.locator('main')).toContainText('刘洋');
  // A new 8000 request runs version 2: the manager's approval finishes it.
  const v2 = await fileExpense(zhang, '8000');
  await approve(browser, 'li.na', v2);
  await openInstance(zhang, v2);
  await expect(zhang.locator('#instance-status')).toHaveText('已通过');

  // History: two versions, their difference, export, roll back.
  await owner.locator('[data-tab="versions"]').click();
  await expect(owner.locator('#version-table tbody tr')).toHaveCount(2);
  await expect(owner.locator('#diff-list')).toContainText('10000');
  await expect(owner.locator('tr[data-version="1"] a[download]')).toHaveAttribute('href', /export\?version=1/);
  await shot(owner, 'designer-versions');
  await owner.locator('tr[data-version="1"] .rollback').click();
  await expect(owner.locator('#version-badge')).toContainText('v3');
  await expect(owner.locator('#version-table tbody tr')).toHaveCount(3);
});

/** A flow of 34 nodes: condition branches with chains, a parallel block, CCs. */
function bigTemplate(): object {
  const nodes: any[] = [];
  let n = 0;
  const approver = (name: string) => ({ type: 'approver', id: `a${++n}`, name, rule: { kind: 'manager', levels: 1 }, on_empty: { then: 'admin' } });
  nodes.push(approver('部门主管'), approver('部门负责人'));
  const arms = ['华东', '华南', '华北'].map((region, i) => ({
    name: region,
    condition: { kind: 'compare', field: 'region', op: 'eq', value: `r${i}` },
    nodes: [approver(`${region}经理`), approver(`${region}总监`), approver(`${region}财务`)],
  }));
  arms.push({ name: '其他', condition: null as any, nodes: [approver('总部经理'), approver('总部总监'), approver('总部财务')] });
  nodes.push({ type: 'conditions', id: 'region_split', name: '区域判断', arms });
  nodes.push({
    type: 'parallel', id: 'checks', name: '并行复核', arms: [
      { name: '法务', nodes: [approver('法务专员'), approver('法务经理')] },
      { name: '财务', nodes: [approver('会计'), approver('财务经理')] },
      { name: '风控', nodes: [approver('风控专员')] },
    ],
  });
  for (const s of ['运营', '采购', '行政', '人事', '信息', '审计', '总裁办']) nodes.push(approver(`${s}审批`));
  nodes.push({ type: 'cc', id: 'cc_all', name: '抄送全员', targets: [{ kind: 'role', key: 'admin' }] });
  for (const s of ['付款', '归档', '回访', '复盘', '结项']) nodes.push({ type: 'handler', id: `h_${s}`, name: s, rule: { kind: 'manager', levels: 1 }, on_empty: { then: 'admin' } });
  return {
    format: 'tongban.template', format_version: 1, exported_version: 0,
    template: {
      key: 'big_flow', name: '大型采购流程', category: '采购', description: '', icon: 'cart',
      form: { fields: [{ key: 'region', label: '区域', type: 'select', required: true, options: [{ value: 'r0', label: '华东' }, { value: 'r1', label: '华南' }, { value: 'r2', label: '华北' }] }] },
      flow: { nodes },
    },
  };
}

test('import: a bad file is refused clearly; a 34-node flow imports and is drawn', async ({ browser }) => {
  const owner = await as(browser, 'han.mei');
  await owner.goto('/designer');
  await hydrated(owner);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tb-'));
  const bad = path.join(dir, 'bad.json');
  fs.writeFileSync(bad, '{"format": "tongban.template", "format_version": 1, "template": {"key": "x"');
  await owner.locator('#import-file').setInputFiles(bad);
  await expect(owner.locator('#import-error')).toContainText('not JSON');
  const good = path.join(dir, 'big.json');
  fs.writeFileSync(good, JSON.stringify(bigTemplate()));
  await owner.locator('#import-file').setInputFiles(good);
  await expect(owner).toHaveURL(/\/designer\/big_flow$/);
  await hydrated(owner);
  await expect(owner.locator('.fd-node')).toHaveCount(34);
  await expect(owner.locator('#problem-count')).toContainText('校验通过');
  // Wider than the canvas: it opens centred, so the start of the flow is in view.
  const canvas = owner.locator('.fd-canvas');
  const inView = async (sel: string) => {
    const c = (await canvas.boundingBox())!;
    const b = (await owner.locator(sel).first().boundingBox())!;
    return b.x >= c.x && b.x + b.width <= c.x + c.width;
  };
  await expect.poll(() => inView('.fd-start')).toBe(true);
  await shot(owner, 'designer-large-flow');
  await owner.locator('#zoom-out').click();
  await expect(owner.locator('#zoom-reset')).toHaveText('90%');
  // "Fit width" shows every branch side by side.
  await owner.locator('#zoom-fit').click();
  await expect.poll(() => canvas.evaluate((c) => c.scrollWidth <= c.clientWidth + 1)).toBe(true);
  await expect.poll(() => inView('.fd-arm-head[data-arm="region_split/3"]')).toBe(true);
  await owner.screenshot({ path: 'screenshots/designer-large-flow-zoomed-out.png' });
  // A node deleted from a branch shows at once in the checks, and undo brings it back.
  await owner.locator('.fd-node[data-node="a16"]').click();
  await owner.locator('#node-delete').click();
  await expect(owner.locator('.fd-node')).toHaveCount(33);
  await owner.locator('#undo').click();
  await expect(owner.locator('.fd-node')).toHaveCount(34);
});

test('people without the process owner role cannot open the designer', async ({ browser }) => {
  const zhang = await as(browser, 'zhang.wei');
  await expect(zhang.locator('a[href="/designer"]')).toHaveCount(0);
  await zhang.goto('/designer');
  await expect(zhang.locator('.panel-error, .alert-error')).toBeVisible();
  const r = await zhang.request.get('/api/v1/designer/templates');
  expect(r.status()).toBe(403);
});
