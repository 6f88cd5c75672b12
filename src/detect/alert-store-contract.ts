import { describe, expect, it } from 'vitest';
import type { AlertJson } from './alert.js';
import type { AlertStore } from './alert-store.js';
import type { Severity } from './rule-schema.js';

/**
 * The behaviour every AlertStore must have, so `vigil alerts` and the API answer the same from
 * the embedded store and the scale-out one. Each adapter's test file calls this with a factory
 * for a fresh, empty store and a way to close it.
 */
export function alertStoreContract(adapter: string, openEmpty: () => Promise<{ alerts: AlertStore; close(): Promise<void> }>): void {
  describe(`${adapter} alert store contract`, () => {
    it('stores an alert as open and returns it by id with its cluster and update time', async () => {
      const { alerts, close } = await openEmpty();
      const before = Date.now();
      await alerts.upsertAlerts([alert('a1', { cluster: 'prod' })]);
      const stored = await alerts.getAlert('a1');
      expect(stored).toMatchObject({ ...alert('a1', { cluster: 'prod' }), status: 'open', cluster: 'prod' });
      expect(Date.parse(stored?.updatedAt ?? '')).toBeGreaterThanOrEqual(before - 1);
      expect(await alerts.getAlert('missing')).toBeUndefined();
      await close();
    });

    it('replaces an alert that grew, keeping the status a responder set', async () => {
      const { alerts, close } = await openEmpty();
      await alerts.upsertAlerts([alert('a1', { count: 1, lastSeen: at(1) })]);
      expect(await alerts.setAlertStatus('a1', 'acknowledged')).toBe(true);
      await alerts.upsertAlerts([alert('a1', { count: 7, lastSeen: at(5) })]);
      const stored = await alerts.getAlert('a1');
      expect(stored).toMatchObject({ count: 7, lastSeen: at(5), status: 'acknowledged' });
      expect(await alerts.listAlerts({})).toHaveLength(1);
      await close();
    });

    it('sets the status of a known alert only', async () => {
      const { alerts, close } = await openEmpty();
      await alerts.upsertAlerts([alert('a1')]);
      expect(await alerts.setAlertStatus('nope', 'resolved')).toBe(false);
      expect(await alerts.getAlert('nope')).toBeUndefined();
      expect(await alerts.setAlertStatus('a1', 'acknowledged')).toBe(true);
      expect(await alerts.setAlertStatus('a1', 'resolved')).toBe(true);
      expect((await alerts.getAlert('a1'))?.status).toBe('resolved');
      expect(await alerts.listAlerts({ status: 'resolved' })).toHaveLength(1);
      expect(await alerts.listAlerts({ status: 'open' })).toHaveLength(0);
      await close();
    });

    it('lists newest last-seen first and filters by status, minimum severity, rule, cluster, time and count', async () => {
      const { alerts, close } = await openEmpty();
      await alerts.upsertAlerts([
        alert('low-dev', { severity: 'low', rule: 'r-low', cluster: 'dev', lastSeen: at(1) }),
        alert('high-prod', { severity: 'high', rule: 'r-high', cluster: 'prod', lastSeen: at(3) }),
        alert('crit-prod', { severity: 'critical', rule: 'r-crit', cluster: 'prod', lastSeen: at(2) }),
        alert('medium-none', { severity: 'medium', rule: 'r-high', lastSeen: at(4) }),
      ]);
      await alerts.setAlertStatus('crit-prod', 'acknowledged');
      const ids = async (filter: Parameters<AlertStore['listAlerts']>[0]) => (await alerts.listAlerts(filter)).map((a) => a.id);
      expect(await ids({})).toEqual(['medium-none', 'high-prod', 'crit-prod', 'low-dev']);
      expect(await ids({ status: 'open' })).toEqual(['medium-none', 'high-prod', 'low-dev']);
      expect(await ids({ status: 'acknowledged' })).toEqual(['crit-prod']);
      expect(await ids({ severity: 'high' })).toEqual(['high-prod', 'crit-prod']);
      expect(await ids({ ruleId: 'r-high' })).toEqual(['medium-none', 'high-prod']);
      expect(await ids({ cluster: 'prod' })).toEqual(['high-prod', 'crit-prod']);
      expect(await ids({ cluster: 'prod', severity: 'critical' })).toEqual(['crit-prod']);
      expect(await ids({ since: Date.parse(at(3)) })).toEqual(['medium-none', 'high-prod']);
      expect(await ids({ limit: 2 })).toEqual(['medium-none', 'high-prod']);
      expect((await alerts.listAlerts({ ruleId: 'r-high' })).find((a) => a.id === 'medium-none')?.cluster).toBe('');
      await close();
    });

    it('filters on the latest state of an alert, not on an earlier one', async () => {
      const { alerts, close } = await openEmpty();
      await alerts.upsertAlerts([alert('moving', { lastSeen: at(1) })]);
      await alerts.upsertAlerts([alert('moving', { lastSeen: at(9) })]);
      expect((await alerts.listAlerts({ since: Date.parse(at(5)) })).map((a) => a.lastSeen)).toEqual([at(9)]);
      await alerts.upsertAlerts([alert('moving', { lastSeen: at(2) })]);
      expect(await alerts.listAlerts({ since: Date.parse(at(5)) })).toEqual([]);
      await close();
    });

    it('keeps text with quotes and backslashes intact', async () => {
      const { alerts, close } = await openEmpty();
      const tricky = alert("it's\\odd", { cluster: "c'1" });
      tricky.summary = 'user "bob" ran \\x00 and \'rm\'';
      await alerts.upsertAlerts([tricky]);
      expect(await alerts.getAlert("it's\\odd")).toMatchObject({ summary: tricky.summary, cluster: "c'1" });
      expect((await alerts.listAlerts({ cluster: "c'1" })).map((a) => a.id)).toEqual(["it's\\odd"]);
      await close();
    });
  });
}

function at(hour: number): string {
  return new Date(Date.UTC(2026, 2, 1, hour)).toISOString();
}

function alert(id: string, options: { severity?: Severity; rule?: string; cluster?: string; count?: number; lastSeen?: string } = {}): AlertJson {
  return {
    id,
    rule: { id: options.rule ?? 'rule-1', title: 'A rule', severity: options.severity ?? 'high', format: 'vigil' },
    techniques: ['T1485'],
    entity: { user: 'alice', ...(options.cluster === undefined ? {} : { cluster: options.cluster }) },
    count: options.count ?? 1,
    firstSeen: at(0),
    lastSeen: options.lastSeen ?? at(1),
    summary: `alert ${id}`,
    events: ['e1'],
  };
}
