import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REDACTED } from '../model/redact.js';
import { gkeSource } from './gke.js';

const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/gke/${name}`, import.meta.url), 'utf8');
const context = { cluster: 'shop-prod' };
const decode = (value: unknown, text = JSON.stringify(value)) => gkeSource.decode(value, text, context);
const entries = JSON.parse(fixture('log-entries.json')) as Array<Record<string, unknown>>;
const pushed = fixture('pushed-entries.json').split('\n').filter(Boolean);
const pushes = fixture('pubsub-push.json').split('\n').filter(Boolean);
const push = (data: string) => ({ message: { data: Buffer.from(data).toString('base64'), messageId: '1' }, subscription: 'projects/p/subscriptions/s' });

describe('gke source', () => {
  it('recognises k8s.io audit LogEntries, also inside Pub/Sub pushes, and nothing else', () => {
    expect(gkeSource.recognises(entries[0])).toBe(true);
    expect(gkeSource.recognises(JSON.parse(pushes[0]))).toBe(true);
    const computeEntry = { ...entries[0], protoPayload: { ...(entries[0].protoPayload as object), serviceName: 'compute.googleapis.com' } };
    expect(gkeSource.recognises(computeEntry)).toBe(false);
    expect(gkeSource.recognises(push(JSON.stringify(computeEntry)))).toBe(false);
    expect(gkeSource.recognises(push('not json'))).toBe(false);
  });

  it('turns a LogEntry into the audit event it describes', () => {
    const { events, rejections } = decode(entries[1]);
    expect(rejections).toEqual([]);
    expect(events[0]).toMatchObject({
      source: 'cloud.gke',
      cluster: 'shop-prod',
      category: 'api',
      action: 'list',
      outcome: 'failure',
      userName: 'system:serviceaccount:ci:deployer',
      actorKind: 'serviceaccount',
      sourceIp: '10.12.0.44',
      userAgent: 'curl/8.5.0',
      resourceType: 'secrets',
      statusCode: 403,
      decision: 'forbid',
      requestUri: '/api/v1/secrets',
      auditId: 'b1f2c3d4-0004',
      stage: 'ResponseComplete',
      timestamp: Date.parse('2026-03-02T10:08:00.100Z'),
    });
    expect(events[0].record).toBe(JSON.stringify(entries[1]));
    expect(events[0].raw).toMatchObject({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', verb: 'list' });
  });

  it('stores a pushed LogEntry verbatim, deduplicated with the same entry read from a file', () => {
    const fromPush = decode(JSON.parse(pushes[1]), pushes[1]).events;
    const fromFile = decode(JSON.parse(pushed[1]), pushed[1]).events;
    expect(fromPush).toHaveLength(1);
    expect(fromPush[0].record).toBe(pushed[1]);
    expect(fromPush[0].id).toBe(fromFile[0].id);
    expect(fromPush[0]).toMatchObject({ resourceType: 'pods', subresource: 'exec', stage: 'ResponseStarted', statusCode: 101 });
  });

  it('quarantines a push whose data is not a k8s.io LogEntry, saying where', () => {
    expect(decode(push('{"broken"')).rejections).toMatchObject([{ where: 'message.data', reason: expect.stringMatching(/not JSON/) }]);
    expect(decode({ message: {}, subscription: 's' }).rejections).toMatchObject([{ where: 'message.data', reason: 'Pub/Sub push message without "data"' }]);
    expect(decode(push('{"protoPayload":{"serviceName":"storage.googleapis.com"}}')).rejections[0].reason).toMatch(/not a GKE Kubernetes audit LogEntry/);
  });

  it('redacts Secret values in responses before storing', () => {
    const { events } = decode(entries[0]);
    expect(events[0].record).not.toContain('c3VwZXJzZWNyZXQ=');
    expect(JSON.parse(events[0].record).protoPayload.response.data).toEqual({ password: REDACTED });
    expect(events[0].raw).toMatchObject({ responseObject: { data: { password: REDACTED } } });
  });
});
