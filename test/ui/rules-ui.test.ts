import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRuleSet } from '../../src/detect/loader.js';
import type { CompiledRule } from '../../src/detect/rule.js';
import { createToken } from '../helpers/api.js';
import { artifactPath, collectPageErrors, ensureUiBuilt, launchChromium } from '../helpers/browser.js';
import { tempDir } from '../helpers/cli.js';
import { type RunningServer, startServer } from '../helpers/server.js';

/**
 * The Rules page in Debian's chromium: an admin switches a rule off (by keyboard) and it stays
 * off after a reload; a rule is tested on pasted events; a viewer sees the state but no switch.
 * The screenshot lands in test-artifacts/ui/.
 */

const RULE = 'k8s-exec-into-pod';

let server: RunningServer;
let browser: BrowserContext;
let page: Page;
let admin: string;
let viewer: string;
const pageErrors: string[] = [];
const rule = loadRuleSet('builtin').find((candidate) => candidate.meta.id === RULE) as CompiledRule;

beforeAll(async () => {
  ensureUiBuilt();
  const dataDir = tempDir('vigil-rules-ui-');
  admin = createToken(dataDir, 'admin', 'admin-ui').secret;
  viewer = createToken(dataDir, 'viewer', 'viewer-ui').secret;
  server = await startServer(['--data-dir', dataDir]);
  browser = await launchChromium();
  page = await browser.newPage();
  collectPageErrors(page, pageErrors);
});

afterAll(async () => {
  await browser?.close();
  await server?.kill();
});

async function logIn(token: string): Promise<void> {
  await page.goto(server.url);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Explore' }).waitFor();
  await page.getByRole('link', { name: 'Rules' }).click();
  await page.getByRole('row').filter({ hasText: RULE }).waitFor();
}

const ruleSwitch = () => page.getByRole('button', { name: `Run ${RULE}`, exact: true });

describe('Rules page', () => {
  it('lets an admin switch a rule off with the keyboard, and shows it off after a reload', async () => {
    await logIn(admin);
    expect(await ruleSwitch().getAttribute('aria-pressed')).toBe('true');
    await ruleSwitch().focus();
    await page.keyboard.press('Space');
    await expect.poll(() => ruleSwitch().getAttribute('aria-pressed')).toBe('false');
    await page.reload();
    await page.getByRole('row').filter({ hasText: RULE }).waitFor();
    expect(await ruleSwitch().getAttribute('aria-pressed')).toBe('false');
    const row = page.getByRole('row').filter({ hasText: RULE });
    expect(await row.textContent()).toMatch(/disabled by admin-ui/);
    await row.scrollIntoViewIfNeeded();
    await page.screenshot({ path: artifactPath('rules-disabled.png') });
  });

  it('tests the rule on pasted events: the positive sample matches and would alert, the negative does not', async () => {
    await page.getByRole('button', { name: `Test ${RULE}`, exact: true }).click();
    expect(await page.getByLabel('Rule', { exact: true }).inputValue()).toBe(RULE);
    const events = page.getByLabel('Events', { exact: true });
    const result = page.locator('.rule-test [role=status]');
    await events.fill(rule.tests.negative[0].events.map((event) => JSON.stringify(event)).join('\n'));
    await page.getByRole('button', { name: 'Run test' }).click();
    await expect.poll(() => result.textContent()).toMatch(/^1 event\(s\): 0 matched, 0 alert\(s\)/);
    await events.fill(JSON.stringify(rule.tests.positive[0].events, null, 2));
    await page.getByRole('button', { name: 'Run test' }).click();
    await expect.poll(() => result.textContent()).toMatch(/^1 event\(s\): 1 matched, 1 alert\(s\) would be raised\..*the rule is disabled/);
    await expect.poll(() => page.getByRole('table', { name: 'Matching events' }).getByRole('row').count()).toBe(2);
    await page.getByRole('table', { name: 'Matching events' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: artifactPath('rules-test.png') });
    await page.getByRole('button', { name: "Run the rule's own tests" }).click();
    await expect.poll(() => result.textContent()).toMatch(/^(\d+) of \1 of the rule's own tests passed/);
  });

  it('shows a viewer the state without a switch, and testing as not allowed', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await logIn(viewer);
    expect(await ruleSwitch().count()).toBe(0);
    expect(await page.getByRole('row').filter({ hasText: RULE }).textContent()).toMatch(/disabled/);
    expect(await page.getByRole('button', { name: 'Run test' }).isDisabled()).toBe(true);
    expect(await page.getByText('Testing rules needs a responder token.').isVisible()).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});
