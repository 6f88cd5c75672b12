import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/api.js';
import { artifactPath, collectPageErrors, ensureUiBuilt, launchChromium } from '../helpers/browser.js';
import { type RunningServer, startServer } from '../helpers/server.js';

/**
 * The web UI end to end: `vigil serve --demo` (the demo cluster replayed through the receiver)
 * driven by Debian's chromium. Screenshots of every page land in test-artifacts/ui/.
 */

let server: RunningServer;
let browser: BrowserContext;
let page: Page;
let token: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  ensureUiBuilt();
  server = await startServer(['--demo']);
  token = await eventually(async () => /log in with the first admin token[^\n]*\n\s+(vgl_\S+)/.exec(server.output())?.[1], 'the login token');
  await eventually(async () => (server.output().includes('Replayed the demo cluster') ? true : undefined), 'the demo replay', 300);
  browser = await launchChromium();
  page = await browser.newPage();
  collectPageErrors(page, pageErrors);
});

afterAll(async () => {
  await browser?.close();
  await server?.kill();
});

const shoot = (name: string) => page.screenshot({ path: artifactPath(`${name}.png`) });

describe('web UI', () => {
  it('logs in with the printed token', async () => {
    await page.goto(server.url);
    await expect.poll(() => page.getByRole('heading', { name: 'Log in' }).isVisible()).toBe(true);
    await shoot('01-login');
    await page.getByLabel('API token').fill('vgl_wrong');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('unknown or revoked token');
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Explore' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Pages' }).getByRole('link').allTextContents()).toEqual(['Explore', 'Alerts', 'Rules', 'Sources', 'Integrity', 'Posture']);
  });

  it('runs a query, shows its histogram, facets and events, and opens an event with its inclusion proof', async () => {
    const query = page.getByLabel('Query');
    await query.fill('us');
    await expect.poll(() => page.getByRole('option').allTextContents()).toContainEqual(expect.stringContaining('user.name'));
    await query.press('ArrowDown');
    await query.press('Enter');
    expect(await query.inputValue()).toBe('user.name=');
    await query.fill('verb=delete');
    await query.press('Enter');
    await page.waitForURL(/q=verb%3Ddelete/);
    const verbColumn = async () => (await page.locator('table.events thead th').allTextContents()).indexOf('Verb') + 1;
    const verbs = async () => page.locator(`table.events tbody tr:not(.detail-row) td:nth-child(${await verbColumn()})`).allTextContents();
    await expect.poll(async () => [...new Set(await verbs())], { timeout: 20_000 }).toEqual(['delete']);
    expect(await verbs()).toHaveLength(50);
    const actionFacet = page.getByRole('complementary', { name: 'Field values' }).getByRole('button', { name: /^Filter event\.action = / });
    await expect.poll(() => actionFacet.count(), { timeout: 20_000 }).toBe(1);
    const total = /\(([\d,]+)\)$/.exec((await actionFacet.getAttribute('aria-label')) ?? '')?.[1] ?? '';
    expect(Number(total.replaceAll(',', ''))).toBeGreaterThan(100);
    const histogram = page.locator('figure.histogram figcaption');
    await expect.poll(() => histogram.textContent(), { timeout: 20_000 }).toMatch(new RegExp(`^${total} events from`));
    expect(await page.locator('figure.histogram svg .bar').count()).toBeGreaterThan(10);
    await shoot('02-explore');

    await page.locator('table.events tbody tr').first().getByRole('button').click();
    await page.getByRole('button', { name: 'Inclusion proof' }).click();
    await expect.poll(() => page.locator('.proof').textContent()).toContain('Included in the signed ledger');
    await shoot('03-event-proof');

    await page.getByRole('button', { name: /^Filter user\.name = bob@example\.com/ }).click();
    await page.waitForURL(/bob%40example\.com/);
    expect(await query.inputValue()).toBe('verb=delete user.name=bob@example.com');
  });

  it('lists the alerts, opens one with its timeline and runbook, and acknowledges it', async () => {
    await page.getByRole('link', { name: 'Alerts' }).click();
    const alert = page.getByRole('link', { name: 'Mass deletion by one identity' }).first();
    await alert.waitFor({ timeout: 20_000 });
    await shoot('04-alerts');
    await alert.click();
    await page.getByRole('heading', { name: 'Mass deletion by one identity' }).waitFor();
    await expect.poll(() => page.locator('.timeline circle.dot').count(), { timeout: 20_000 }).toBeGreaterThan(5);
    await expect.poll(() => page.locator('.runbook').textContent()).toMatch(/^(?!Loading|This rule has no runbook).{20,}/);
    expect(await page.getByRole('link', { name: 'T1485' }).count()).toBe(1);
    await shoot('05-alert-detail');
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await expect.poll(() => page.locator('.badges .badge').nth(1).textContent(), { timeout: 20_000 }).toBe('acknowledged');
    expect(await page.getByRole('button', { name: 'Acknowledge' }).isDisabled()).toBe(true);
    await expect.poll(() => page.locator('.history').textContent()).toMatch(/open → acknowledged by initial-admin/);
    await page.getByLabel('Why').fill('planned clean-up of the payments namespace');
    await page.getByRole('button', { name: 'Silence', exact: true }).click();
    await expect.poll(() => page.locator('.silence [role=status]').textContent(), { timeout: 20_000 }).toMatch(/^Silenced until /);
    await page.getByRole('heading', { name: 'History' }).scrollIntoViewIfNeeded();
    await shoot('06-alert-acknowledged');
  });

  it('shows rules with hit counts, source health and posture', async () => {
    await page.getByRole('link', { name: 'Rules' }).click();
    const massDelete = page.getByRole('row').filter({ hasText: 'k8s-mass-delete' });
    await massDelete.waitFor();
    await shoot('07-rules');
    await page.getByRole('link', { name: 'Sources' }).click();
    await page.getByRole('row').filter({ hasText: 'k8s.audit' }).waitFor();
    await expect.poll(() => page.locator('svg.sparkline').count()).toBeGreaterThan(0);
    await shoot('08-sources');
    await page.getByRole('link', { name: 'Posture' }).click();
    await page.getByRole('heading', { name: 'Coverage by the audit policy' }).waitFor({ timeout: 30_000 });
    await shoot('09-posture');
  });

  it('opens the integrity page and verifies the store', async () => {
    await page.getByRole('link', { name: 'Integrity' }).click();
    await page.getByRole('heading', { name: 'Latest checkpoint' }).waitFor();
    expect(await page.locator('pre.note-text').first().textContent()).toMatch(/^vigil\/[0-9a-f]{16}\n\d+\n/);
    await page.getByRole('button', { name: 'Verify now' }).click();
    await expect.poll(() => page.locator('.verdict').textContent(), { timeout: 30_000 }).toContain('Intact');
    await shoot('10-integrity');
  });

  it('fits a laptop screen', async () => {
    await page.setViewportSize({ width: 1024, height: 720 });
    await page.getByRole('link', { name: 'Explore' }).click();
    await page.locator('figure.histogram figcaption').waitFor();
    await page.locator('table.events').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await shoot('11-explore-laptop');
  });

  it('logs out, having raised no error and no CSP violation in the page', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    expect(pageErrors).toEqual([]);
  });
});
