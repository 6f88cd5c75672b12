import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PagerDutyEvent } from '../../src/alert/sinks/pagerduty.js';
import { type Harness, Receiver, alertJson, drain, harness } from './helpers.js';

const MINUTE = 60_000;

/**
 * Escalation with the real notifier, outbox, dispatcher and sinks over a real database, posting
 * to local HTTP receivers. Time is passed explicitly ("15 minutes later"), so the test shows
 * what is due when without sleeping.
 */
describe('escalation', () => {
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await Receiver.start();
  });
  afterAll(async () => {
    await receiver.down();
  });

  const config = () => `
receivers:
  chat: {type: webhook, url: "${receiver.url}/chat"}
  pager: {type: pagerduty, routing_key: 0123456789abcdef0123456789abcdef, url: "${receiver.url}/pd"}
  lead: {type: webhook, url: "${receiver.url}/lead"}
escalations:
  security:
    tiers:
      - {after: 0m, notify: [chat]}
      - {after: 15m, notify: [pager]}
      - {after: 45m, notify: [lead]}
route:
  escalation: security
  group_wait: 0s
  group_interval: 0s
  repeat_interval: 0s
`;

  async function scenario(): Promise<{ h: Harness; id: string; t0: number; at: (minutes: number) => Promise<void>; paths: (id: string) => string[] }> {
    const h = await harness(config());
    const alert = alertJson();
    const t0 = Date.now();
    await h.detected(alert);
    const at = async (minutes: number) => {
      const now = t0 + minutes * MINUTE;
      h.notifier.tick(now);
      await drain(h, () => now);
    };
    const paths = (id: string) =>
      receiver.requests
        .filter((request) => JSON.stringify(request.json).includes(id))
        .map((request) => `${request.path} ${eventOf(request.json)}`);
    return { h, id: alert.id, t0, at, paths };
  }

  it('pages tier 2 when tier 1 was not acknowledged, and tier 3 later', async () => {
    const { h, id, at, paths } = await scenario();
    await at(0);
    expect(paths(id)).toEqual(['/chat trigger']);
    await at(14);
    expect(paths(id)).toEqual(['/chat trigger']);
    await at(15);
    expect(paths(id)).toEqual(['/chat trigger', '/pd trigger']);
    await at(45);
    expect(paths(id)).toEqual(['/chat trigger', '/pd trigger', '/lead trigger']);
    await h.close();
  });

  it('does not page tier 2 when tier 1 was acknowledged in time; the notified receiver hears of the acknowledgement', async () => {
    const { h, id, at, paths, t0 } = await scenario();
    await at(0);
    await h.service.as('alice').acknowledge(id, 'looking into it');
    await at(5);
    await at(15);
    await at(60);
    expect(paths(id)).toEqual(['/chat trigger', '/chat acknowledge']);
    const escalations = h.state.escalations.forAlert(id);
    expect(escalations.map((escalation) => escalation.nextDueAt)).toEqual([null]);
    const detail = await h.service.as('alice').show(id);
    expect(detail?.status).toBe('acknowledged');
    expect(detail?.acknowledgedBy).toBe('alice');
    expect(detail?.transitions.map((t) => [t.from, t.to, t.by, t.reason])).toEqual([
      [null, 'open', 'vigil', expect.stringContaining('k8s-secret-deleted')],
      ['open', 'acknowledged', 'alice', 'looking into it'],
    ]);
    expect(Date.parse(detail?.acknowledgedAt ?? '')).toBeGreaterThanOrEqual(t0);
    await h.close();
  });

  it('sends the resolved notice to every receiver that was notified, and only to them', async () => {
    const { h, id, at, paths } = await scenario();
    await at(0);
    await at(15);
    await h.service.as('bob').resolve(id, 'false positive: planned key rotation');
    await at(16);
    await at(60);
    expect(paths(id).sort()).toEqual(['/chat resolve', '/chat trigger', '/pd resolve', '/pd trigger']);
    const resolve = receiver.requests.find((request) => request.path === '/pd' && eventOf(request.json) === 'resolve' && JSON.stringify(request.json).includes(id));
    const trigger = receiver.requests.find((request) => request.path === '/pd' && eventOf(request.json) === 'trigger' && JSON.stringify(request.json).includes(id));
    expect((resolve?.json as PagerDutyEvent).dedup_key).toBe((trigger?.json as PagerDutyEvent).dedup_key);
    await h.close();
  });

  it('reopens a resolved alert that recurs and escalates it again from tier 1', async () => {
    const { h, id, at, paths } = await scenario();
    await at(0);
    await h.service.as('bob').resolve(id, 'contained');
    await at(1);
    await h.detected({ ...alertJson({ id, count: 5, lastSeen: '2026-03-02T11:00:00.000Z' }) });
    await at(2);
    expect(paths(id)).toEqual(['/chat trigger', '/chat resolve', '/chat trigger']);
    const detail = await h.service.as('bob').show(id);
    expect(detail?.status).toBe('open');
    expect(detail?.reopenCount).toBe(1);
    expect(detail?.transitions.at(-1)).toMatchObject({ from: 'resolved', to: 'open', by: 'vigil' });
    await at(17);
    expect(paths(id)).toEqual(['/chat trigger', '/chat resolve', '/chat trigger', '/pd trigger']);
    await h.close();
  });
});

/** The event of a webhook notification's first alert, or a PagerDuty event's action. */
function eventOf(json: unknown): string {
  const body = json as { alerts?: Array<{ event: string }>; event_action?: string };
  return body.alerts?.[0]?.event ?? body.event_action ?? '?';
}
