import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertActionError } from '../../src/alert/alert-action-error.js';
import type { Notification } from '../../src/alert/notification.js';
import { type Harness, Receiver, alertJson, drain, harness } from './helpers.js';

const MINUTE = 60_000;

describe('alert lifecycle, silences and inhibition', () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await Receiver.start();
  });
  afterAll(async () => {
    await receiver.down();
  });

  const setup = (extra = '') =>
    harness(`
resolve_after: 30m
reopen_window: 2h
receivers:
  hook: {type: webhook, url: "${receiver.url}/hook"}
route: {receivers: [hook], group_wait: 0s, group_interval: 0s, repeat_interval: 0s}
${extra}`);

  const notified = (id: string) =>
    receiver.requests.flatMap((request) => (request.json as Notification).alerts.filter((alert) => alert.id === id).map((alert) => alert.event));

  async function step(h: Harness, now: number): Promise<void> {
    h.notifier.tick(now);
    await drain(h, () => now);
  }

  it('records every transition with who, when and why in the ledger', async () => {
    const h = await setup();
    const alert = alertJson();
    const t0 = Date.now();
    await h.detected(alert);
    await step(h, t0);
    await h.service.as('alice').acknowledge(alert.id, 'looking');
    await h.service.as('bob').resolve(alert.id, 'rotated the key');
    await expect(h.service.as('bob').resolve(alert.id, 'again')).rejects.toThrow(AlertActionError);
    const stored = await h.store.query('source="vigil.admin"', {});
    // In ledger order.
    const rows = [...stored.rows].sort((a, b) => Number(a.seq) - Number(b.seq));
    expect(rows.every((row) => typeof row.seq === 'number')).toBe(true);
    const records = rows.map((row) => JSON.parse(row.record as string) as { action: string; details: Record<string, unknown> });
    const mine = records.filter((record) => record.details.alertId === alert.id);
    expect(mine.map((record) => [record.action, record.details.by, record.details.to, record.details.reason])).toEqual([
      ['alert.open', 'vigil', 'open', expect.stringContaining('k8s-secret-deleted')],
      ['alert.acknowledge', 'alice', 'acknowledged', 'looking'],
      ['alert.resolve', 'bob', 'resolved', 'rotated the key'],
    ]);
    await h.close();
  });

  it('notifies nobody of alerts stored without the notifying store, as vigil ingest stores them', async () => {
    const h = await setup();
    const batch = alertJson();
    await h.state.alerts.upsertAlerts([batch]);
    await step(h, Date.now());
    expect(notified(batch.id)).toEqual([]);
    expect((await h.service.as('x').show(batch.id))?.status).toBe('open');
    await h.close();
  });

  it('resolves an alert automatically after resolve_after without a new detection, and notifies the resolution', async () => {
    const h = await setup();
    const alert = alertJson();
    const t0 = Date.now();
    await h.detected(alert);
    await step(h, t0);
    await h.detected({ ...alert, count: 3, lastSeen: '2026-03-02T10:20:00.000Z' });
    await step(h, t0 + 20 * MINUTE);
    await step(h, t0 + 45 * MINUTE);
    expect((await h.service.as('x').show(alert.id))?.status).toBe('open');
    await step(h, t0 + 50 * MINUTE);
    const detail = await h.service.as('x').show(alert.id);
    expect(detail?.status).toBe('resolved');
    expect(detail?.resolvedBy).toBe('vigil');
    expect(detail?.reason).toBe('no new detection for 30m');
    expect(notified(alert.id)).toEqual(['trigger', 'resolve']);
    await h.close();
  });

  it('continues the incident (same dedup key) when the same thing recurs within reopen_window, and not after', async () => {
    const h = await setup();
    const first = alertJson({ user: 'carol@example.com' });
    const t0 = Date.now();
    await h.detected(first);
    await step(h, t0);
    await h.service.as('carol').resolve(first.id, 'done');
    const soon = alertJson({ user: 'carol@example.com' });
    await h.detected(soon);
    await step(h, t0 + 30 * MINUTE);
    const soonView = (await h.service.as('x').list({})).find((alert) => alert.id === soon.id);
    expect(soonView?.incidentKey).toBe(first.id);
    expect(soonView?.reopenCount).toBe(1);
    await h.service.as('carol').resolve(soon.id, 'done again');
    const late = alertJson({ user: 'carol@example.com' });
    await h.detected(late);
    await step(h, t0 + 30 * MINUTE + 3 * 60 * MINUTE);
    const lateView = (await h.service.as('x').list({})).find((alert) => alert.id === late.id);
    expect(lateView?.incidentKey).toBe(late.id);
    await h.close();
  });

  it('notifies nothing while a silence matches, and notifies once it is lifted', async () => {
    const h = await setup();
    const silence = await h.service.as('alice').silence({ matchers: ['rule=k8s-exec-into-pod', 'namespace=dev'], duration: '2h', comment: 'debugging session' });
    const silenced = alertJson({ rule: 'k8s-exec-into-pod', namespace: 'dev' });
    const other = alertJson({ rule: 'k8s-exec-into-pod', namespace: 'prod' });
    const t0 = Date.now();
    await h.detected(silenced, other);
    await step(h, t0);
    expect(notified(silenced.id)).toEqual([]);
    expect(notified(other.id)).toEqual(['trigger']);
    const view = (await h.service.as('x').list({})).find((alert) => alert.id === silenced.id);
    expect(view?.silencedBy).toEqual([silence.id]);
    await h.service.as('alice').unsilence(silence.id);
    await step(h, t0 + MINUTE);
    expect(notified(silenced.id)).toEqual(['trigger']);
    await expect(h.service.as('alice').silence({ matchers: ['nonsense~x'], duration: '1h', comment: 'x' })).rejects.toThrow(/LABEL OP VALUE/);
    await h.close();
  });

  it('mutes lower-severity alerts about the same entity while a critical one fires (default inhibition)', async () => {
    const h = await setup();
    const critical = alertJson({ severity: 'critical', rule: 'k8s-cluster-admin-binding', user: 'eve@example.com' });
    const lower = alertJson({ severity: 'medium', rule: 'k8s-forbidden-wave', user: 'eve@example.com' });
    const elsewhere = alertJson({ severity: 'medium', rule: 'k8s-forbidden-wave', user: 'dan@example.com' });
    const t0 = Date.now();
    await h.detected(critical);
    await step(h, t0);
    await h.detected(lower, elsewhere);
    await step(h, t0 + MINUTE);
    expect(notified(critical.id)).toEqual(['trigger']);
    expect(notified(lower.id)).toEqual([]);
    expect(notified(elsewhere.id)).toEqual(['trigger']);
    expect((await h.service.as('x').list({})).find((alert) => alert.id === lower.id)?.inhibitedBy).toEqual([critical.id]);
    await h.service.as('eve').resolve(critical.id, 'reverted the binding');
    await step(h, t0 + 2 * MINUTE);
    expect(notified(lower.id)).toEqual(['trigger']);
    await h.close();
  });
});
