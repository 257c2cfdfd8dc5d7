import { test, expect, Browser, Page, Locator } from '@playwright/test';
import { login, shot, hydrated, card } from './helpers';
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

// Drop targets on the canvas (a "+" slot, the form's gaps) have no role: a pointer drag aims at a
// place, found by its data attribute. The "+" button inside a slot is found by its name.
const slot = (page: Page, key: string) => page.locator(`.fd-slot[data-slot="${key}"]`);
const formSlot = (page: Page, i: number) => page.locator(`.fm-slot[data-fslot="${i}"]`);

// Nodes of one kind share a name until renamed (two "审批人"), and fields show their key only in
// small print: on the canvas a node is found by its id, a form field by its key.
const node = (page: Page, id: string) => page.locator(`.fd-node[data-node="${id}"]`);
const nodePanel = (page: Page, id: string) => page.locator(`[data-panel-node="${id}"]`);
const field = (page: Page, key: string) => page.locator(`.fm-field[data-field="${key}"]`);
// A branch's head reads "条件 1 优先级 1 …"; its id says which branch of which node it is.
const armHead = (page: Page, arm: string) => page.locator(`.fd-arm-head[data-arm="${arm}"]`);
// A condition's three selects have no label yet (see the report): found in their row.
const condRow = (page: Page, i: number) => page.locator(`.cond-row[data-cond="${i}"]`);
// Plain text with no role: the count of problems and the version badge in the editor's bar.
const problems = (page: Page) => page.locator('#problem-count');
const versionBadge = (page: Page) => page.locator('#version-badge');
/** The side panel of the flow tab. */
const panel = (page: Page) => page.getByRole('complementary', { name: '属性' });
const tab = (page: Page, name: string) => page.getByRole('tab', { name });
const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
/** The published versions' rows (the header row has no "vN"). */
const versionRows = (page: Page) => page.getByRole('table').getByRole('row', { name: /^v\d+\s/ });

async function openInstance(page: Page, id: string) {
  await page.goto(`/approvals/${id}`);
  await hydrated(page);
}

async function approve(browser: Browser, user: string, id: string) {
  const p = await as(browser, user);
  await openInstance(p, id);
  await p.getByLabel('填写审批意见').fill('同意');
  await button(p, '同意').click();
  await expect(button(p, '同意')).toHaveCount(0);
  await p.context().close();
}

async function fileExpense(zhang: Page, amount: string): Promise<string> {
  await zhang.goto('/approvals/new/trip_e2e');
  await hydrated(zhang);
  const row1 = zhang.getByRole('group', { name: '第 1 行' });
  await row1.getByLabel('项目').fill('机票');
  await row1.getByLabel('金额').fill(amount);
  await button(zhang, '提交').click();
  await expect(zhang).toHaveURL(/\/approvals\/\d+\?submitted=1/);
  return zhang.url().match(/approvals\/(\d+)/)![1];
}

test('a process owner builds the expense flow by dragging, simulates, publishes, and it routes as designed', async ({ browser }) => {
  test.setTimeout(180_000);
  const owner = await as(browser, 'han.mei');
  // Reached from the navigation inside the running app: the designer's own stylesheet comes along.
  await owner.goto('/approvals');
  await hydrated(owner);
  await owner.getByRole('link', { name: '流程设计' }).click();
  await expect(owner).toHaveURL(/\/designer$/);
  // The designer's own stylesheet is there: its layout, read from the computed style.
  await expect(owner.locator('.designer-home')).toHaveCSS('display', 'grid');
  await hydrated(owner);
  await owner.getByLabel('名称', { exact: true }).fill('差旅报销');
  await owner.getByLabel('标识（英文）').fill('trip_e2e');
  await owner.getByLabel('分类', { exact: true }).fill('财务');
  await button(owner, '创建并设计').click();
  await expect(owner).toHaveURL(/\/designer\/trip_e2e$/);
  await hydrated(owner);
  await expect(problems(owner)).toContainText('问题');

  // The form: a detail table, then a total under it (it sums the table's money column).
  await tab(owner, '表单设计').click();
  // The empty form's drop area has no role: a place to drop on.
  await drag(owner, button(owner, '明细表'), owner.locator('.fm-empty'));
  await expect(field(owner, 'table_1')).toBeVisible();
  await drag(owner, button(owner, '合计'), formSlot(owner, 1));
  // The preview pane has no role of its own; its fields are its buttons.
  const preview = owner.locator('#form-preview');
  await expect(preview.getByRole('button')).toHaveCount(2);
  await expect(preview.getByRole('button').nth(1)).toHaveAttribute('data-field', 'total_1');
  await field(owner, 'total_1').click();
  await expect(owner.getByLabel('合计哪一列')).toHaveValue('table_1.amount');
  await owner.getByLabel('标题', { exact: true }).fill('报销总额');
  await button(owner, '手机').click();
  await expect(preview).toHaveClass(/phone/);
  await expect.poll(() => preview.evaluate((f) => f.getBoundingClientRect().width)).toBeLessThanOrEqual(375);
  await owner.waitForTimeout(300); // the buttons' colour transition, for the screenshot
  await shot(owner, 'designer-form-phone-preview');
  await button(owner, '电脑').click();

  // The flow: manager → condition (total > 5000 → general manager) → CC finance.
  await tab(owner, '流程设计').click();
  await drag(owner, button(owner, '审批人'), slot(owner, 'root/0'));
  await expect(node(owner, 'approver1')).toContainText('直属主管');
  await drag(owner, button(owner, '条件分支'), slot(owner, 'root/1'));
  await expect(node(owner, 'conditions1')).toBeVisible();
  await expect(node(owner, 'conditions1')).toHaveClass(/has-error/);
  await armHead(owner, 'conditions1/0').click();
  await panel(owner).getByRole('button', { name: '+ 添加条件' }).click();
  await expect(condRow(owner, 0).locator('.cond-field')).toHaveValue('total_1');
  await condRow(owner, 0).locator('.cond-op').selectOption('gt');
  await condRow(owner, 0).locator('.cond-value').fill('5000');
  await expect(armHead(owner, 'conditions1/0')).toContainText('报销总额 > 5000');
  await drag(owner, button(owner, '审批人'), slot(owner, 'conditions1/0/0'));
  await expect(nodePanel(owner, 'approver2')).toBeVisible();
  await owner.getByLabel('节点名称').fill('总经理');
  await owner.getByLabel('谁来处理').selectOption('users');
  await owner.getByLabel('添加成员').selectOption({ label: '刘洋 · 总经理' });
  await expect(node(owner, 'approver2')).toContainText('刘洋');
  await drag(owner, button(owner, '抄送人'), slot(owner, 'root/2'));
  await expect(node(owner, 'cc1')).toHaveClass(/has-error/);
  await button(owner, '+ 添加抄送对象').click();
  const target = owner.getByRole('group', { name: '抄送对象 1' });
  await target.getByLabel('谁来处理').selectOption('department_head');
  await target.getByLabel(/^部门/).selectOption({ label: '财务部' });
  await owner.getByLabel('节点名称').fill('抄送财务');
  await expect(problems(owner)).toContainText('校验通过');

  // Keyboard: a "+" opens its menu; the new node is undone with Ctrl+Z.
  await slot(owner, 'root/3').getByRole('button', { name: '在此处添加节点' }).focus();
  await owner.keyboard.press('Enter');
  await slot(owner, 'root/3').getByRole('menuitem', { name: '办理人' }).press('Enter');
  await expect(node(owner, 'handler1')).toBeVisible();
  await expect(nodePanel(owner, 'handler1')).toBeVisible();
  await owner.keyboard.press('Control+z');
  await expect(node(owner, 'handler1')).toHaveCount(0);
  // Its panel goes with it: the template's properties show again.
  await expect(nodePanel(owner, 'handler1')).toHaveCount(0);
  await expect(panel(owner)).toContainText('校验');
  // Moving a node by dragging it: the CC above the condition, then back.
  await drag(owner, node(owner, 'cc1'), slot(owner, 'root/1'));
  await expect.poll(() => topLevel(owner)).toEqual(['approver1', 'cc1', 'conditions1']);
  await button(owner, '撤销').click();
  await expect.poll(() => topLevel(owner)).toEqual(['approver1', 'conditions1', 'cc1']);
  await shot(owner, 'designer-expense-flow');

  // Simulate: 8000 passes the general manager, 3000 does not.
  await tab(owner, '模拟运行').click();
  await owner.getByLabel(/^发起人/).selectOption({ label: '张伟 · 软件工程师' });
  await owner.getByLabel('报销总额').fill('8000');
  const steps = card(owner, '审批路径');
  await expect(steps).toContainText('李娜');
  await expect(steps).toContainText('刘洋');
  await expect(steps).toContainText('王芳');
  await expect(node(owner, 'approver2')).toHaveClass(/on-path/);
  await shot(owner, 'designer-simulate-8000');
  await owner.getByLabel('报销总额').fill('3000');
  await expect(node(owner, 'approver2')).toHaveClass(/off-path/);
  await expect(steps).not.toContainText('刘洋');

  // Renaming the field the condition uses is caught at once, on the branch node; undo restores it.
  await tab(owner, '表单设计').click();
  await field(owner, 'total_1').click();
  await expect(owner.getByText(/^被这些条件使用：/)).toContainText('条件分支');
  await owner.getByLabel('字段标识').fill('sum');
  await expect(problems(owner)).toHaveText(/\d+ 个问题/);
  await expect(button(owner, '发布')).toBeDisabled();
  await tab(owner, '流程设计').click();
  await expect(node(owner, 'conditions1')).toHaveClass(/has-error/);
  await button(owner, '撤销').click();
  await expect(problems(owner)).toContainText('校验通过');
  await expect(node(owner, 'conditions1')).not.toHaveClass(/has-error/);

  // Publish.
  await owner.getByRole('textbox', { name: '版本说明（可选）' }).fill('首个版本');
  await button(owner, '发布').click();
  await expect(owner.getByRole('status')).toContainText('v1');
  await expect(versionBadge(owner)).toContainText('v1');

  // zhang.wei files with it: 8000 reaches the general manager after the manager.
  const zhang = await as(browser, 'zhang.wei');
  const big = await fileExpense(zhang, '8000');
  // The status badge is plain text beside the title, with no role of its own.
  const status = zhang.locator('#instance-status');
  await expect(status).toHaveText('审批中');
  await expect(card(zhang, '申请内容')).toContainText('8000.00');

  // The owner raises the threshold to 10000 and publishes version 2.
  await owner.reload();
  await hydrated(owner);
  await armHead(owner, 'conditions1/0').click();
  await condRow(owner, 0).locator('.cond-value').fill('10000');
  await button(owner, '发布').click();
  await expect(versionBadge(owner)).toContainText('v2');

  // The running request keeps version 1: after the manager it still waits for the general manager.
  await approve(browser, 'li.na', big);
  await openInstance(zhang, big);
  await expect(status).toHaveText('审批中');
  await expect(zhang.getByRole('main')).toContainText('刘洋');
  // A new 8000 request runs version 2: the manager's approval finishes it.
  const v2 = await fileExpense(zhang, '8000');
  await approve(browser, 'li.na', v2);
  await openInstance(zhang, v2);
  await expect(status).toHaveText('已通过');

  // History: two versions, their difference, export, roll back.
  await tab(owner, '版本历史').click();
  await expect(versionRows(owner)).toHaveCount(2);
  await expect(card(owner, '版本对比')).toContainText('10000');
  const v1 = owner.getByRole('row', { name: /^v1\s/ });
  await expect(v1.getByRole('link', { name: '导出' })).toHaveAttribute('href', /export\?version=1/);
  await shot(owner, 'designer-versions');
  await v1.getByRole('button', { name: '回滚到此版本' }).click();
  await expect(versionBadge(owner)).toContainText('v3');
  await expect(versionRows(owner)).toHaveCount(3);
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
  await owner.getByLabel('选择文件').setInputFiles(bad);
  // Worded in the page's language in the browser, before anything is sent.
  const importAlert = owner.getByRole('alert', { name: '导入模板' });
  await expect(importAlert).toContainText('文件不是有效的 JSON（第 1 行第 ');
  // A template with a problem of its own: each problem on its own line.
  const noLabel = bigTemplate() as any;
  noLabel.template.form.fields.push({ key: 'note', label: '', type: 'text', required: false });
  const withProblem = path.join(dir, 'no-label.json');
  fs.writeFileSync(withProblem, JSON.stringify(noLabel));
  await owner.getByLabel('选择文件').setInputFiles(withProblem);
  await expect(importAlert).toContainText('文件中的模板有 1 处问题');
  await expect(importAlert.getByRole('listitem')).toHaveText(['字段 note: 名称为空']);
  // A field of the wrong shape: the sentence, and the reader's own words behind "技术细节".
  const robot = bigTemplate() as any;
  robot.template.flow.nodes[0].type = 'robot';
  const wrongShape = path.join(dir, 'robot.json');
  fs.writeFileSync(wrongShape, JSON.stringify(robot));
  await owner.getByLabel('选择文件').setInputFiles(wrongShape);
  await expect(importAlert).toContainText('模板的某个字段类型或取值不符合格式');
  await importAlert.getByText('技术细节').click();
  await expect(importAlert.locator('code')).toContainText('robot');
  const good = path.join(dir, 'big.json');
  fs.writeFileSync(good, JSON.stringify(bigTemplate()));
  await owner.getByLabel('选择文件').setInputFiles(good);
  await expect(owner).toHaveURL(/\/designer\/big_flow$/);
  await hydrated(owner);
  // Every node on the canvas (each a button named by its kind and name, among other buttons).
  const nodes = owner.locator('.fd-node');
  await expect(nodes).toHaveCount(34);
  await expect(problems(owner)).toContainText('校验通过');
  // Wider than the canvas: it opens centred, so the start of the flow is in view.
  // The canvas, its start pill and its branch heads have no role: found by their class.
  const canvas = owner.locator('.fd-canvas');
  const inView = async (sel: string) => {
    const c = (await canvas.boundingBox())!;
    const b = (await owner.locator(sel).first().boundingBox())!;
    return b.x >= c.x && b.x + b.width <= c.x + c.width;
  };
  await expect.poll(() => inView('.fd-start')).toBe(true);
  await shot(owner, 'designer-large-flow');
  await button(owner, '−').click();
  await expect(owner.getByRole('button', { name: /^\d+%$/ })).toHaveText('90%');
  // "Fit width" shows every branch side by side.
  await button(owner, '适应宽度').click();
  await expect.poll(() => canvas.evaluate((c) => c.scrollWidth <= c.clientWidth + 1)).toBe(true);
  await expect.poll(() => inView('.fd-arm-head[data-arm="region_split/3"]')).toBe(true);
  await owner.screenshot({ path: 'screenshots/designer-large-flow-zoomed-out.png' });
  // A node deleted from a branch shows at once in the checks, and undo brings it back.
  await button(owner, '审批人 法务经理').click();
  await panel(owner).getByRole('button', { name: '删除节点' }).click();
  await expect(nodes).toHaveCount(33);
  await button(owner, '撤销').click();
  await expect(nodes).toHaveCount(34);
});

test('people without the process owner role cannot open the designer', async ({ browser }) => {
  const zhang = await as(browser, 'zhang.wei');
  await expect(zhang.getByRole('link', { name: '流程设计' })).toHaveCount(0);
  await zhang.goto('/designer');
  await expect(zhang.getByRole('alert').filter({ hasText: '没有权限执行此操作' })).toBeVisible();
  const r = await zhang.request.get('/api/v1/designer/templates');
  expect(r.status()).toBe(403);
});

test('a change that needs a second process owner reaches the reviewer with its reasons worded', async ({ browser }) => {
  const admin = await as(browser, 'admin');
  const origin = { origin: new URL(admin.url()).origin };
  const key = `timed_${Math.random().toString(36).slice(2, 10)}`;
  const doc = {
    key, name: '限时审批', category: '测试', description: '', icon: '',
    form: { fields: [{ key: 'subject', label: '事项', type: 'text' }] },
    flow: { nodes: [{ type: 'approver', id: 'manager', name: '直属主管', rule: { kind: 'manager', levels: 1 },
      timeout: { then: 'auto_approve', after_minutes: 120 } }] },
  };
  const saved = await admin.request.put(`/api/v1/designer/templates/${key}/draft`, { headers: origin, data: { doc, rev: 0 } });
  expect(saved.status()).toBe(200);
  const published = await admin.request.post(`/api/v1/designer/templates/${key}/publish`, {
    headers: origin, data: { rev: (await saved.json()).draft_rev },
  });
  expect(published.status()).toBe(202);
  const review = await published.json();
  expect(review.concerns).toEqual([{ concern: 'auto_approve', node: 'manager' }]);
  // The reviewer reads the reason as a sentence in the page's language, not as a code.
  const han = await as(browser, 'han.mei');
  await han.goto(`/approvals/${review.instance_id}`);
  await expect(han.getByRole('definition').filter({ hasText: '超时后自动通过' })).toHaveText('节点 manager 超时后自动通过');
  await shot(han, 'review-request-reasons');
});
