import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { REDACTED } from '../model/redact.js';
import { eksSource } from './eks.js';

const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/eks/${name}`, import.meta.url), 'utf8');
const context = { cluster: 'prod-eu' };
const decode = (value: unknown, text = JSON.stringify(value)) => eksSource.decode(value, text, context);
const payloadLines = fixture('subscription-payload.json').split('\n').filter(Boolean);
const firehoseData = (payload: unknown) => gzipSync(Buffer.from(JSON.stringify(payload))).toString('base64');

const auditMessage = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: 'a-1',
    stage: 'ResponseComplete',
    verb: 'get',
    user: { username: 'eks:node-manager', groups: ['system:authenticated'] },
    objectRef: { resource: 'configmaps', namespace: 'kube-system', name: 'aws-auth' },
    responseStatus: { code: 200 },
    requestReceivedTimestamp: '2026-03-02T10:00:00Z',
    ...overrides,
  });

const payload = (logStream: string, messages: string[], logGroup = '/aws/eks/prod-eu/cluster') => ({
  messageType: 'DATA_MESSAGE',
  owner: '111122223333',
  logGroup,
  logStream,
  subscriptionFilters: ['vigil'],
  logEvents: messages.map((message, i) => ({ id: `id-${i}`, timestamp: 1772445600000 + i, message })),
});

describe('eks source: recognising', () => {
  it('takes CloudWatch exports of EKS log groups and streams only', () => {
    expect(eksSource.recognises(JSON.parse(fixture('filter-log-events.json')))).toBe(true);
    expect(eksSource.recognises(JSON.parse(payloadLines[0]))).toBe(true);
    expect(eksSource.recognises(JSON.parse(payloadLines[2]))).toBe(true);
    expect(eksSource.recognises(JSON.parse(fixture('firehose-request.json')))).toBe(true);
    expect(eksSource.recognises({ logStreamName: 'authenticator-abc', timestamp: 1, message: 'x' })).toBe(true);

    expect(eksSource.recognises(payload('app-7f9c', ['hello'], '/ecs/shop'))).toBe(false);
    expect(eksSource.recognises({ logStreamName: 'i-0123/var/log/messages', timestamp: 1, message: 'x' })).toBe(false);
    expect(eksSource.recognises({ requestId: 'r', records: [{ data: firehoseData(payload('app', ['x'], '/ecs/shop')) }] })).toBe(false);
    expect(eksSource.recognises({ requestId: 'r', records: [{ data: '!!!' }] })).toBe(false);
    expect(eksSource.recognises(JSON.parse(auditMessage()))).toBe(false);
  });
});

describe('eks source: decoding', () => {
  it('normalizes filter-log-events output: audit, authenticator and API server lines', () => {
    const { events, rejections } = decode(JSON.parse(fixture('filter-log-events.json')));
    expect(rejections).toEqual([]);
    const [audit, granted, apiserver] = events;
    expect(audit).toMatchObject({
      source: 'cloud.eks',
      cluster: 'prod-eu',
      category: 'api',
      action: 'get',
      userName: 'kubernetes-admin',
      userGroups: ['system:masters', 'system:authenticated'],
      actorKind: 'human',
      sourceIp: '203.0.113.10',
      namespace: 'payments',
      resourceType: 'secrets',
      resourceName: 'db-credentials',
      statusCode: 200,
      decision: 'allow',
      auditId: '0f9a7e2c-5b1d-4c3e-9a8f-7e6d5c4b3a21',
      stage: 'ResponseComplete',
      hostName: 'kube-apiserver-audit-4a1b2c3d4e5f60718293a4b5c6d7e8f9',
    });
    expect(audit.raw).toMatchObject({ kind: 'Event', objectRef: { resource: 'secrets' } });
    expect(granted).toMatchObject({
      source: 'cloud.eks',
      category: 'authentication',
      action: 'authenticate',
      outcome: 'success',
      userName: 'kubernetes-admin',
      userGroups: ['system:masters'],
      timestamp: Date.parse('2026-03-02T10:00:00.950Z'),
      dedupKey: '38112233445566778899001122334455667788990011223344556601',
      message: 'access granted',
      logLevel: 'info',
    });
    expect(granted.raw).toMatchObject({ arn: 'arn:aws:iam::111122223333:user/alice', uid: 'aws-iam-authenticator:111122223333:AIDAEXAMPLEUSERID01' });
    expect(apiserver).toMatchObject({ logLevel: 'warning', hostName: 'kube-apiserver-4a1b2c3d4e5f60718293a4b5c6d7e8f9', outcome: 'unknown' });
    expect(apiserver.message).toMatch(/^Failed calling webhook, failing open policy\.example\.com/);
  });

  it('reads denials: an unmapped ARN becomes the user, a bad token has none; STS lines are kept', () => {
    const { events } = decode(JSON.parse(payloadLines[0]), payloadLines[0]);
    expect(events.map((event) => [event.action, event.outcome, event.userName])).toEqual([
      [undefined, 'unknown', undefined],
      ['authenticate', 'failure', 'arn:aws:iam::444455556666:user/mallory'],
      ['authenticate', 'failure', undefined],
    ]);
    expect(events[1].message).toBe('access denied: ARN is not mapped');
    expect(events[0].raw).toMatchObject({ msg: 'STS response', accountid: '444455556666', userid: 'AIDAEXAMPLEUSERID02' });
  });

  it('gives the same events from a Firehose request as from the payloads it carries', () => {
    const fromPayloads = payloadLines.flatMap((line) => decode(JSON.parse(line), line).events);
    const fromFirehose = decode(JSON.parse(fixture('firehose-request.json'))).events;
    expect(fromFirehose.map((event) => event.id)).toEqual(fromPayloads.map((event) => event.id));
    expect(fromFirehose.map((event) => event.record)).toEqual(fromPayloads.map((event) => event.record));
    expect(fromFirehose).toHaveLength(4);
  });

  it('quarantines one bad Firehose record, a foreign log group and a broken audit message, keeping the rest', () => {
    const request = {
      requestId: 'r-1',
      timestamp: 1,
      records: [
        { data: firehoseData(payload('kube-apiserver-audit-1', [auditMessage(), '{"kind":"Event"', auditMessage({ auditID: 'a-2' })])) },
        { data: Buffer.from('not json').toString('base64') },
        { data: firehoseData(payload('app-1', ['hello'], '/ecs/shop')) },
      ],
    };
    const { events, rejections } = decode(request);
    expect(events.map((event) => event.auditId)).toEqual(['a-1', 'a-2']);
    expect(rejections.map((rejection) => [rejection.where, rejection.reason.slice(0, 40)])).toEqual([
      ['records[0] logEvents[1]', 'EKS audit stream kube-apiserver-audit-1:'],
      ['records[1]', 'record data is not base64 of JSON (nor o'],
      ['records[2]', 'log group "/ecs/shop", stream "app-1" is'],
    ]);
  });

  it("counts EKS's own eks:* identities as controllers", () => {
    const { events } = decode(payload('kube-apiserver-audit-1', [auditMessage()]));
    expect(events[0]).toMatchObject({ userName: 'eks:node-manager', actorKind: 'controller' });
  });

  it('redacts Secret values before storing, and the stored record decodes to the same event', () => {
    const secret = auditMessage({
      level: 'RequestResponse',
      objectRef: { resource: 'secrets', namespace: 'payments', name: 'db' },
      responseObject: { kind: 'Secret', data: { password: 'c3VwZXJzZWNyZXQ=' } },
    });
    const [event] = decode(payload('kube-apiserver-audit-1', [secret])).events;
    expect(event.record).not.toContain('c3VwZXJzZWNyZXQ=');
    expect(event.record).toContain(REDACTED);
    expect(event.raw).toMatchObject({ responseObject: { data: { password: REDACTED } } });
    const again = decode(JSON.parse(event.record), event.record).events;
    expect(again).toHaveLength(1);
    expect({ ...again[0], raw: undefined }).toEqual({ ...event, raw: undefined });
  });
});
