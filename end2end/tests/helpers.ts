import { expect, Locator, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
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

/**
 * The link to `href`. Rows of a list can read alike (the same kind of request from the same
 * person): the link's address is what tells one request from another.
 */
export function linkTo(page: Page | Locator, href: string): Locator {
  return page.getByRole('link').and(page.locator(`[href="${href}"]`));
}

/**
 * The card (a section, or an aside's part) that the heading `name` titles: cards carry no
 * landmark role of their own, so they are found through their heading.
 */
export function card(page: Page | Locator, name: string | RegExp): Locator {
  return page.getByRole('heading', { name, exact: true }).locator('xpath=..');
}

/** The WCAG rule sets every page is held to: A and AA of WCAG 2.0 and 2.1. */
export const A11Y_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Runs axe-core on the page as it is now and fails on any serious or critical violation of
 * WCAG 2.0/2.1 A and AA. The message names each rule, its impact, what it asks for and the
 * elements (CSS selectors, with axe's summary of what is wrong), so a failure says what to fix.
 * Lesser findings (minor, moderate) are printed, not failed.
 */
export async function expectAccessible(page: Page, label: string) {
  const results = await new AxeBuilder({ page }).withTags(A11Y_TAGS).analyze();
  const describe = (vs: typeof results.violations) => vs.map((v) => [
    `  ${v.id} [${v.impact}] ${v.help} (${v.helpUrl})`,
    ...v.nodes.map((n) => `    at ${n.target.map(String).join(' >> ')}\n` +
      (n.failureSummary ?? '').split('\n').map((l) => `       ${l}`).join('\n')),
  ].join('\n')).join('\n');
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const lesser = results.violations.filter((v) => !serious.includes(v));
  if (lesser.length) console.log(`axe, ${label} (not failing):\n${describe(lesser)}`);
  expect(serious.length, `axe found serious or critical problems on ${label} (${page.url()}):\n${describe(serious)}`).toBe(0);
}
