import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Receiver, alertJson, drain, harness, waitFor } from './helpers.js';

describe('dispatcher', () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await Receiver.start();
  });
  afterAll(async () => {
    await receiver.down();
  });

  it('keeps at most `concurrency` deliveries in flight to one receiver', async () => {
    const h = await harness(`
receivers:
  slow: {type: webhook, url: "${receiver.url}/slow", delivery: {concurrency: 2, rate_per_second: 0}}
route: {receivers: [slow], group_wait: 0s}
`);
    await h.detected(...Array.from({ length: 6 }, () => alertJson()));
    h.notifier.tick(Date.now());
    const started = h.dispatcher.runOnce();
    expect(started).toBe(2);
    expect(h.dispatcher.runOnce()).toBe(0);
    expect(h.state.outbox.counts().find((count) => count.status === 'delivering')?.count).toBe(2);
    await drain(h);
    expect(receiver.requests.filter((request) => request.path === '/slow')).toHaveLength(6);
    await h.close();
  });

  it('starts at most rate_per_second deliveries in a second (burst)', async () => {
    const h = await harness(`
receivers:
  limited: {type: webhook, url: "${receiver.url}/limited", delivery: {concurrency: 10, rate_per_second: 3}}
route: {receivers: [limited], group_wait: 0s}
`);
    await h.detected(...Array.from({ length: 5 }, () => alertJson()));
    h.notifier.tick(Date.now());
    const now = Date.now();
    expect(h.dispatcher.runOnce(now)).toBe(3);
    await h.dispatcher.idle();
    expect(h.dispatcher.runOnce(now)).toBe(0);
    await drain(h);
    await h.close();
  });

  it('makes a notification a dead letter after max_attempts, or at once when the receiver rejects it (4xx)', async () => {
    receiver.answer = (request) => (request.path === '/broken' ? 500 : request.path === '/rejects' ? 400 : 200);
    const h = await harness(`
receivers:
  broken: {type: webhook, url: "${receiver.url}/broken", delivery: {max_attempts: 3, backoff: 1ms, max_backoff: 2ms}}
  rejects: {type: webhook, url: "${receiver.url}/rejects", delivery: {max_attempts: 3, backoff: 1ms, max_backoff: 2ms}}
route: {receivers: [broken, rejects], group_wait: 0s}
`);
    await h.detected(alertJson());
    h.notifier.tick(Date.now());
    await waitFor('both dead', async () => {
      h.dispatcher.runOnce();
      await h.dispatcher.idle();
      return h.state.outbox.list({ status: 'dead' }).length === 2 || undefined;
    });
    const [broken] = h.state.outbox.list({ receiver: 'broken' });
    const [rejects] = h.state.outbox.list({ receiver: 'rejects' });
    expect(broken).toMatchObject({ status: 'dead', attempts: 3 });
    expect(broken.lastError).toMatch(/HTTP 500.*gave up after 3 attempts/);
    expect(rejects).toMatchObject({ status: 'dead', attempts: 1 });
    expect(rejects.lastError).toMatch(/HTTP 400/);
    expect(receiver.requests.filter((request) => request.path === '/broken')).toHaveLength(3);
    receiver.answer = () => 200;
    await h.service.as('ops').requeue(broken.id);
    await drain(h);
    expect(h.state.outbox.get(broken.id)?.status).toBe('delivered');
    await h.close();
  });
});
