import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertDetail, AlertView, DeliveryView } from '../../src/alert/operations.js';
import type { Notification } from '../../src/alert/notification.js';
import { tempDir, vigil } from '../helpers/cli.js';
import { type RunningServer, startServer } from '../helpers/server.js';
import { RULE, Receiver, auditEvent, freePort, waitFor } from './helpers.js';

/** Tier 2 is due this long after the alert opened: long enough to kill the server before it. */
const TIER_2_AFTER_MS = 8000;

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.kill();
  server = undefined;
});

async function api<T>(path: string, token: string): Promise<T> {
  const response = await fetch(`${server?.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as T;
}

describe('vigil serve killed with -9 during pending escalations and deliveries', () => {
  it('after a restart, loses no notification and escalates nothing early', async () => {
    const dir = tempDir('vigil-restart-');
    const dataDir = join(dir, 'data');
    mkdirSync(join(dir, 'rules'));
    writeFileSync(join(dir, 'rules', 'secret.yaml'), RULE);
    const chatPort = await freePort();
    const pager = await Receiver.start();
    writeFileSync(
      join(dir, 'vigil.yaml'),
      `alerting:
  evaluation_interval: 100ms
  receivers:
    chat: {type: webhook, url: "http://127.0.0.1:${chatPort}/chat", delivery: {backoff: 100ms, max_backoff: 300ms, max_attempts: 1000}}
    pager: {type: webhook, url: "${pager.url}/pager"}
  escalations:
    oncall:
      tiers:
        - {after: 0s, notify: [chat]}
        - {after: ${TIER_2_AFTER_MS}ms, notify: [pager]}
  route: {escalation: oncall, group_wait: 0s, group_interval: 0s, repeat_interval: 0s}
`,
    );
    const token = (await vigil(['tokens', 'create', '--name', 'restart-test', '--role', 'admin', '--data-dir', dataDir])).stdout.trim();
    const serveArgs = ['--data-dir', dataDir, '--rules', join(dir, 'rules'), '--config', join(dir, 'vigil.yaml')];
    server = await startServer(serveArgs);

    const posted = await fetch(`${server.url}/api/v1/ingest/k8s-audit/prod`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items: [auditEvent()] }),
    });
    expect(posted.status).toBe(200);
    const alert = await waitFor('the alert', async () => (await api<AlertView[]>('/api/v1/alerts?rule=test-secret-deleted', token))[0]);
    // The chat receiver is down: its notification is retried, not delivered, when the server dies.
    await waitFor('a failed attempt to the chat receiver', async () => {
      const deliveries = await api<DeliveryView[]>(`/api/v1/alerts/deliveries?receiver=chat`, token);
      return deliveries.length === 1 && deliveries[0].status !== 'delivered' && deliveries[0].attempts >= 1;
    });
    const before = await api<AlertDetail>(`/api/v1/alerts/${alert.id}`, token);
    const openedAt = Date.parse(before.escalations[0].startedAt);
    expect(before.escalations[0]).toMatchObject({ nextTier: 1, tiers: 2 });
    expect(Date.now()).toBeLessThan(openedAt + TIER_2_AFTER_MS);
    await server.kill();
    server = undefined;

    const chat = await Receiver.start(chatPort);
    server = await startServer(serveArgs);
    await waitFor('the chat notification after the restart', () => chat.requests.length >= 1);
    await waitFor('tier 2 to reach the pager', () => pager.requests.length >= 1, 20_000);
    await waitFor('every delivery settled', async () => (await api<DeliveryView[]>('/api/v1/alerts/deliveries', token)).every((delivery) => delivery.status === 'delivered'));

    // The pager heard of it no earlier than tier 2 was due, and once.
    expect(pager.requests[0].at).toBeGreaterThanOrEqual(openedAt + TIER_2_AFTER_MS);
    const notificationIds = (receiver: Receiver) => new Set(receiver.requests.map((request) => (request.json as Notification).id));
    expect(notificationIds(pager).size).toBe(1);
    // The chat notification decided before the kill was sent after it, and not decided again.
    expect(notificationIds(chat).size).toBe(1);
    expect((chat.requests[0].json as Notification).alerts.map((a) => [a.id, a.event])).toEqual([[alert.id, 'trigger']]);
    expect((pager.requests[0].json as Notification).alerts.map((a) => [a.id, a.event])).toEqual([[alert.id, 'trigger']]);
    const after = await api<AlertDetail>(`/api/v1/alerts/${alert.id}`, token);
    expect(after.escalations[0]).toMatchObject({ nextTier: 2, startedAt: before.escalations[0].startedAt });
    expect(after.notified.sort()).toEqual(['chat', 'pager']);
    await chat.down();
    await pager.down();
  });
});
