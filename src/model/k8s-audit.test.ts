import { describe, expect, it } from 'vitest';
import { NotAnAuditEvent, normalizeAuditEvent } from './k8s-audit.js';
import { actorKindOf } from './actor.js';

const secretCreate = {
  kind: 'Event',
  apiVersion: 'audit.k8s.io/v1',
  level: 'Metadata',
  auditID: '263db4e4-f0bb-41b4-913d-c03815f49be5',
  stage: 'ResponseComplete',
  requestURI: '/api/v1/namespaces/kube-system/secrets',
  verb: 'create',
  user: { username: 'admin', groups: ['system:masters', 'system:authenticated'] },
  sourceIPs: ['127.0.0.1', '10.0.0.9'],
  userAgent: 'kubeadm/v1.16.2 (linux/amd64) kubernetes/c97fe50',
  objectRef: { resource: 'secrets', namespace: 'kube-system', name: 'bootstrap-token-ne7bxu', apiVersion: 'v1' },
  responseStatus: { metadata: {}, code: 201 },
  requestReceivedTimestamp: '2020-03-24T18:53:49.023018Z',
  stageTimestamp: '2020-03-24T18:53:49.027010Z',
  annotations: { 'authorization.k8s.io/decision': 'allow' },
  someFutureField: { x: 1 },
};

describe('normalizeAuditEvent', () => {
  it('maps an audit Event to ECS-style fields and keeps the original', () => {
    const text = JSON.stringify(secretCreate);
    const event = normalizeAuditEvent(secretCreate, text, 'prod');
    expect(event).toMatchObject({
      timestamp: Date.parse('2020-03-24T18:53:49.023Z'),
      source: 'k8s.audit',
      cluster: 'prod',
      action: 'create',
      outcome: 'success',
      userName: 'admin',
      userGroups: ['system:masters', 'system:authenticated'],
      actorKind: 'human',
      sourceIp: '127.0.0.1',
      namespace: 'kube-system',
      resourceType: 'secrets',
      resourceName: 'bootstrap-token-ne7bxu',
      statusCode: 201,
      decision: 'allow',
      auditId: secretCreate.auditID,
      stage: 'ResponseComplete',
      record: text,
    });
    expect(event.raw.someFutureField).toEqual({ x: 1 });
  });

  it('gives the same id to the same (cluster, auditID, stage) and a different one per stage or cluster', () => {
    const a = normalizeAuditEvent(secretCreate, '', 'prod').id;
    expect(normalizeAuditEvent({ ...secretCreate, verb: 'other' }, '', 'prod').id).toBe(a);
    expect(normalizeAuditEvent({ ...secretCreate, stage: 'RequestReceived' }, '', 'prod').id).not.toBe(a);
    expect(normalizeAuditEvent(secretCreate, '', 'staging').id).not.toBe(a);
  });

  it('marks 4xx/5xx as failures and events without status as unknown', () => {
    const forbidden = { ...secretCreate, responseStatus: { code: 403, reason: 'Forbidden', message: 'secrets is forbidden' } };
    expect(normalizeAuditEvent(forbidden, '', 'c')).toMatchObject({ outcome: 'failure', message: 'secrets is forbidden' });
    const { responseStatus: _, ...noStatus } = secretCreate;
    expect(normalizeAuditEvent(noStatus, '', 'c').outcome).toBe('unknown');
  });

  it('falls back to v1beta1 timestamp fields', () => {
    const { requestReceivedTimestamp: _r, stageTimestamp: _s, ...old } = secretCreate;
    const event = normalizeAuditEvent({ ...old, apiVersion: 'audit.k8s.io/v1beta1', timestamp: '2018-10-26T13:42:46Z' }, '', 'c');
    expect(event.timestamp).toBe(Date.parse('2018-10-26T13:42:46Z'));
  });

  it.each([
    [{ kind: 0 }, /"kind" is 0/],
    [{ ...secretCreate, apiVersion: 'v1' }, /core\/v1 Event belongs to --source k8s-event/],
    [{ ...secretCreate, auditID: undefined }, /without "auditID"/],
    [{ ...secretCreate, requestReceivedTimestamp: 'yesterday', stageTimestamp: undefined }, /no valid requestReceivedTimestamp/],
  ])('rejects %j with a reason', (raw, reason) => {
    expect(() => normalizeAuditEvent(raw as Record<string, unknown>, '', 'c')).toThrow(NotAnAuditEvent);
    expect(() => normalizeAuditEvent(raw as Record<string, unknown>, '', 'c')).toThrow(reason);
  });
});

describe('actorKindOf', () => {
  it.each([
    ['system:anonymous', [], 'anonymous'],
    ['someone', ['system:unauthenticated'], 'anonymous'],
    ['system:node:worker-1', ['system:nodes'], 'node'],
    ['system:serviceaccount:ci:deployer', [], 'serviceaccount'],
    ['system:serviceaccount:kube-system:replicaset-controller', [], 'controller'],
    ['system:serviceaccount:kube-system:coredns', [], 'serviceaccount'],
    ['system:kube-scheduler', [], 'controller'],
    ['alice@example.com', ['system:authenticated'], 'human'],
  ])('%s is %s', (user, groups, kind) => {
    expect(actorKindOf(user, groups)).toBe(kind);
  });
});
