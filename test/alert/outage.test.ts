import { afterAll, describe, expect, it } from 'vitest';
import type { PagerDutyEvent } from '../../src/alert/sinks/pagerduty.js';
import { type RunningAlertmanager, Receiver, alertJson, freePort, harness, startAlertmanager, waitFor } from './helpers.js';

const ORDER = ['trigger', 'acknowledge', 'resolve'];

/**
 * Both receivers are down while alerts open, are acknowledged and resolved; the notifications
 * wait in the outbox, retried with backoff; when the receivers come back every one arrives, in
 * order per alert. At-least-once may repeat a delivery (the PagerDuty stand-in answers its
 * first request after the outage with 502 after taking it); the dedup keys make each alert one
 * incident in PagerDuty and one alert in Alertmanager.
 */
describe('a receiver outage', () => {
  let alertmanager: RunningAlertmanager | undefined;
  let pagerduty: Receiver | undefined;
  afterAll(async () => {
    await alertmanager?.stop();
    await pagerduty?.down();
  });

  it('loses nothing while PagerDuty and Alertmanager are down, and duplicates nothing they can see', async () => {
    const pdPort = await freePort();
    const amPort = await freePort();
    const h = await harness(`
receivers:
  pd:
    type: pagerduty
    routing_key: 0123456789abcdef0123456789abcdef
    url: "http://127.0.0.1:${pdPort}/v2/enqueue"
    delivery: {backoff: 50ms, max_backoff: 400ms, max_attempts: 10000, concurrency: 2}
  am:
    type: alertmanager
    url: "http://127.0.0.1:${amPort}"
    delivery: {backoff: 50ms, max_backoff: 400ms, max_attempts: 10000}
route: {receivers: [pd, am], group_wait: 0s, group_interval: 0s}
`);
    h.dispatcher.start();
    const alerts = Array.from({ length: 6 }, (_, index) => alertJson({ user: `user-${index}@example.com`, severity: index === 0 ? 'critical' : 'high', namespace: `ns-${index}` }));
    await h.detected(...alerts);
    h.notifier.tick(Date.now());
    await h.service.as('alice').acknowledge(alerts[1].id, 'on it');
    await h.service.as('alice').acknowledge(alerts[2].id, 'on it');
    h.notifier.tick(Date.now());
    await h.service.as('alice').resolve(alerts[2].id, 'done');
    await h.service.as('bob').resolve(alerts[3].id, 'false positive');
    h.notifier.tick(Date.now());
    h.dispatcher.wake();
    // The first notification of every alert and receiver failed at least twice; the later ones wait behind it.
    await waitFor('retries while the receivers are down', () => {
      const heads = new Map<string, number>();
      for (const entry of h.state.outbox.list({ limit: 1000 }).reverse()) if (!heads.has(entry.orderKey)) heads.set(entry.orderKey, entry.attempts);
      return heads.size === alerts.length * 2 && [...heads.values()].every((attempts) => attempts >= 2);
    });
    const waiting = h.state.outbox.list({ limit: 1000 });
    expect(waiting.every((entry) => entry.status === 'pending' || entry.status === 'delivering')).toBe(true);
    expect(waiting.find((entry) => entry.lastError !== null)?.lastError).toMatch(/cannot connect|no answer/);

    pagerduty = await Receiver.start(pdPort);
    let first = true;
    pagerduty.answer = () => {
      if (!first) return 202;
      first = false;
      return 502;
    };
    alertmanager = await startAlertmanager({ port: amPort });
    h.dispatcher.wake();
    await waitFor('every notification delivered', () => h.state.outbox.list({ limit: 1000 }).every((entry) => entry.status === 'delivered'), 20_000);

    const events = pagerduty.requests.map((request) => request.json as PagerDutyEvent);
    const byKey = new Map<string, string[]>();
    for (const event of events) byKey.set(event.dedup_key, [...(byKey.get(event.dedup_key) ?? []), event.event_action]);
    expect(byKey.size).toBe(alerts.length);
    // 6 triggers, 2 acknowledgements, 2 resolutions, and the one the 502 made Vigil repeat.
    expect(new Set(events.map((event) => `${event.dedup_key} ${event.event_action}`)).size).toBe(10);
    expect(events).toHaveLength(11);
    expect(byKey.get(`vigil-${alerts[2].id}`)?.filter((action, index, all) => all.indexOf(action) === index)).toEqual(['trigger', 'acknowledge', 'resolve']);
    for (const [key, actions] of byKey) {
      const ranks = actions.map((action) => ORDER.indexOf(action));
      expect(ranks, `${key}: ${actions.join(',')}`).toEqual([...ranks].sort());
    }
    const finalAction = (index: number) => byKey.get(`vigil-${alerts[index].id}`)?.at(-1);
    expect([0, 1, 2, 3, 4, 5].map(finalAction)).toEqual(['trigger', 'acknowledge', 'resolve', 'resolve', 'trigger', 'trigger']);

    const listed = (await (await fetch(`${alertmanager.url}/api/v2/alerts`)).json()) as Array<{ labels: Record<string, string> }>;
    const shown = listed.map((alert) => alert.labels.vigil_alert).sort();
    expect(shown).toEqual([alerts[0].id, alerts[1].id, alerts[4].id, alerts[5].id].sort());
    await h.close();
  });
});
