import { describe, expect, it } from 'vitest';
import { auditEventOfLogEntry, parseMethodName, targetOf } from './gke-audit.js';

describe('parseMethodName', () => {
  it('reads verb, resource and subresource', () => {
    expect(parseMethodName('io.k8s.core.v1.pods.create')).toEqual({ verb: 'create', resource: 'pods', subresource: undefined });
    expect(parseMethodName('io.k8s.core.v1.pods.exec.create')).toEqual({ verb: 'create', resource: 'pods', subresource: 'exec' });
    expect(parseMethodName('io.k8s.authorization.rbac.v1.clusterrolebindings.create')).toMatchObject({ verb: 'create', resource: 'clusterrolebindings' });
    expect(parseMethodName('io.k8s.apps.v1beta1.deployments.scale.update')).toEqual({ verb: 'update', resource: 'deployments', subresource: 'scale' });
    expect(parseMethodName('io.k8s.get')).toEqual({ verb: 'get' });
  });
});

describe('targetOf', () => {
  it('rebuilds object reference and request URI from the resource name', () => {
    expect(targetOf('core/v1/namespaces/payments/pods/api/exec', 'pods')).toEqual({
      requestURI: '/api/v1/namespaces/payments/pods/api/exec',
      objectRef: { resource: 'pods', namespace: 'payments', name: 'api', subresource: 'exec', apiGroup: '', apiVersion: 'v1' },
    });
    expect(targetOf('rbac.authorization.k8s.io/v1/clusterrolebindings/admins', 'clusterrolebindings')).toEqual({
      requestURI: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/admins',
      objectRef: { resource: 'clusterrolebindings', name: 'admins', apiGroup: 'rbac.authorization.k8s.io', apiVersion: 'v1' },
    });
  });

  it('tells a namespace itself from an object in it', () => {
    expect(targetOf('core/v1/namespaces/logging', 'namespaces').objectRef).toMatchObject({ resource: 'namespaces', name: 'logging' });
    expect(targetOf('core/v1/namespaces/logging/finalize', 'namespaces').objectRef).toMatchObject({ resource: 'namespaces', name: 'logging', subresource: 'finalize' });
    expect(targetOf('core/v1/namespaces/shop/secrets', 'secrets').objectRef).toEqual({ resource: 'secrets', namespace: 'shop', apiGroup: '', apiVersion: 'v1' });
  });

  it('treats a name without an API version as a non-resource path', () => {
    expect(targetOf('readyz', undefined)).toEqual({ requestURI: '/readyz' });
    expect(targetOf('HNAP1', undefined)).toEqual({ requestURI: '/HNAP1' });
  });
});

describe('auditEventOfLogEntry', () => {
  const entry = (payload: Record<string, unknown>, labels?: Record<string, string>) => ({
    insertId: 'i-1',
    timestamp: '2026-03-02T10:00:00.5Z',
    receiveTimestamp: '2026-03-02T10:00:01Z',
    protoPayload: { serviceName: 'k8s.io', authenticationInfo: { principalEmail: 'alice@example.com' }, ...payload },
    ...(labels ? { labels } : {}),
  });

  it('infers stage and HTTP status and says so', () => {
    const created = auditEventOfLogEntry(entry({ methodName: 'io.k8s.core.v1.pods.create', resourceName: 'core/v1/namespaces/a/pods/p', status: {} }));
    expect(created).toMatchObject({ stage: 'ResponseComplete', responseStatus: { code: 201 }, auditID: 'i-1', verb: 'create', requestReceivedTimestamp: '2026-03-02T10:00:00.5Z' });
    expect((created.annotations as Record<string, string>)['vigil/inferred']).toBe('stage,responseStatus.code,requestURI');
    const exec = auditEventOfLogEntry(entry({ methodName: 'io.k8s.core.v1.pods.exec.create', resourceName: 'core/v1/namespaces/a/pods/p/exec' }));
    expect(exec).toMatchObject({ stage: 'ResponseStarted', responseStatus: { code: 101 } });
    const denied = auditEventOfLogEntry(entry({ methodName: 'io.k8s.core.v1.secrets.list', resourceName: 'core/v1/secrets', status: { code: 7, message: 'forbidden' } }));
    expect(denied).toMatchObject({ responseStatus: { code: 403, message: 'forbidden' } });
    const unauthenticated = auditEventOfLogEntry(entry({ methodName: 'io.k8s.get', resourceName: 'api', status: { code: 16 } }));
    expect(unauthenticated).toMatchObject({ responseStatus: { code: 401 } });
  });

  it('takes the decision from the labels, else from authorizationInfo', () => {
    const fromLabels = auditEventOfLogEntry(entry({ methodName: 'io.k8s.get', resourceName: 'readyz', authorizationInfo: [{ granted: false }] }, { 'authorization.k8s.io/decision': 'allow' }));
    expect((fromLabels.annotations as Record<string, string>)['authorization.k8s.io/decision']).toBe('allow');
    const fromChecks = auditEventOfLogEntry(entry({ methodName: 'io.k8s.get', resourceName: 'readyz', authorizationInfo: [{ granted: true }, { granted: false }] }));
    expect((fromChecks.annotations as Record<string, string>)['authorization.k8s.io/decision']).toBe('forbid');
  });

  it('carries the request and response objects for rules that read them', () => {
    const pod = { kind: 'Pod', spec: { containers: [{ image: 'alpine', securityContext: { privileged: true } }] } };
    const event = auditEventOfLogEntry(entry({ methodName: 'io.k8s.core.v1.pods.create', resourceName: 'core/v1/namespaces/a/pods/p', request: pod }));
    expect(event.requestObject).toBe(pod);
    expect(event.level).toBe('Request');
    expect(event).not.toHaveProperty('responseObject');
  });
});
