import { test, expect } from '@playwright/test';
import { login, shot, hydrated } from './helpers';

test('an admin creates a department and a user, who signs in; disabling ends their session', async ({ browser }) => {
  const adminCtx = await browser.newContext();
  const admin = await adminCtx.newPage();
  await login(admin, 'admin');

  await admin.goto('/admin/departments');
  await hydrated(admin);
  await shot(admin, 'desktop-admin-departments');
  const create = admin.locator('section.card').filter({ hasText: '新建部门' });
  await create.getByLabel('部门名称').fill('法务部');
  await create.getByRole('button', { name: '新建' }).click();
  await expect(admin.locator('input[name="name"][value="法务部"]')).toBeVisible();

  await admin.goto('/admin/users/new');
  await hydrated(admin);
  await admin.getByLabel('用户名').fill('zhou.lv');
  await admin.getByLabel('姓名').fill('周律');
  await admin.getByLabel('初始密码').fill('Lawyer-2026');
  await admin.getByLabel('部门').selectOption({ label: '　法务部' });
  await admin.getByLabel('职位').fill('法务专员');
  await shot(admin, 'desktop-admin-new-user');
  await admin.getByRole('button', { name: '新建' }).click();
  await expect(admin).toHaveURL(/\/admin\/users\/\d+$/);
  await expect(admin.getByRole('heading', { name: /周律/ })).toBeVisible();
  await shot(admin, 'desktop-admin-user');

  const userCtx = await browser.newContext();
  const user = await userCtx.newPage();
  // The administrator knows this password: the first sign-in must replace it, and nothing
  // else opens until it is.
  await login(user, 'zhou.lv', 'Lawyer-2026');
  await expect(user).toHaveURL(/\/me\?must_change=1/);
  await expect(user.getByRole('alert').filter({ hasText: '初始密码' })).toBeVisible();
  await hydrated(user);
  await shot(user, 'desktop-first-sign-in');
  await user.goto('/approvals');
  await expect(user).toHaveURL(/\/me\?must_change=1/);
  await user.getByLabel(/^当前密码/).fill('Lawyer-2026');
  await user.getByLabel(/^新密码/).fill('Zhou-own-choice-77');
  await user.getByLabel(/^确认新密码/).fill('Zhou-own-choice-77');
  await user.locator('section.card').filter({ hasText: '修改密码' }).getByRole('button', { name: '保存' }).click();
  await expect(user.getByText('密码已修改')).toBeVisible();
  await user.goto('/');
  await expect(user.getByRole('heading', { name: /你好，周律/ })).toBeVisible();

  await admin.getByRole('button', { name: '停用（离职）' }).click();
  await expect(admin.getByText('已停用')).toBeVisible();

  await user.goto('/contacts');
  await expect(user).toHaveURL(/\/login/);
  await adminCtx.close();
  await userCtx.close();
});

test('bad input in the new-account form is shown inline and nothing is created', async ({ page }) => {
  await login(page, 'admin');
  await page.goto('/admin/users/new');
  await hydrated(page);
  await page.getByLabel('用户名').fill('zhang.wei');
  await page.getByLabel('姓名').fill('<b>重复</b>');
  await page.getByLabel('初始密码').fill('Secret-2026');
  await page.getByRole('button', { name: '新建' }).click();
  await expect(page.locator('.field.has-error')).toContainText('已被占用');
  await page.getByLabel('用户名').fill('new.person');
  await page.getByLabel('初始密码').fill('short');
  await page.getByRole('button', { name: '新建' }).click();
  await expect(page.locator('.field.has-error')).toContainText('密码至少 10 位');
  await expect(page).toHaveURL(/\/admin\/users\/new/);
  await shot(page, 'desktop-admin-new-user-errors');
});

test('administration pages render for the admin', async ({ page }) => {
  await login(page, 'admin');
  for (const [path, heading, name] of [
    ['/admin/users', '账号管理', 'admin-users'],
    ['/admin/roles', '角色与权限', 'admin-roles'],
    ['/admin/audit', '操作日志', 'admin-audit'],
    ['/admin/dormant', '休眠账号', 'admin-dormant'],
    ['/me', '个人设置', 'profile'],
    ['/contacts', '通讯录', 'contacts'],
  ]) {
    await page.goto(path);
    await expect(page.getByRole('heading', { name: heading, exact: true })).toBeVisible();
    await shot(page, `desktop-${name}`);
  }
  await page.goto('/admin/audit?action=auth.');
  await expect(page.locator('table.audit tbody tr').first()).toContainText('auth.login');
});

test('a viewer does not see administration', async ({ page }) => {
  await login(page, 'zheng.hao');
  await expect(page.getByRole('link', { name: '管理' })).toHaveCount(0);
  await page.goto('/admin/users');
  await expect(page.getByText('没有权限执行此操作')).toBeVisible();
  await page.goto('/no/such/page');
  await expect(page.getByRole('heading', { name: '找不到这个页面' })).toBeVisible();
  await shot(page, 'desktop-404');
});
