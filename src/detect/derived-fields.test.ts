import { describe, expect, it } from 'vitest';
import { normalizeAuditEvent } from '../model/k8s-audit.js';
import { DERIVED_FIELDS, execCommandOf, imageRepository } from './derived-fields.js';

const derived = (name: string) => DERIVED_FIELDS.find((field) => field.name === name)!;

function withRequest(resource: string, requestObject: unknown, extra: Record<string, unknown> = {}) {
  const raw = { kind: 'Event', auditID: 'a', stage: 'ResponseComplete', verb: 'create', objectRef: { resource, namespace: 'ns' }, requestReceivedTimestamp: '2026-03-02T10:00:00Z', requestObject, ...extra };
  return normalizeAuditEvent(raw, JSON.stringify(raw), 'c');
}

describe('pod spec and containers', () => {
  const spec = { hostPID: true, initContainers: [{ image: 'busybox:1' }], containers: [{ image: 'registry.example.com:5000/app/api:1.2@sha256:abc' }] };

  it('finds the pod spec of pods, workload templates and cron job templates', () => {
    expect(derived('vigil.k8s.pod_spec').get(withRequest('pods', { spec }))).toBe(spec);
    expect(derived('vigil.k8s.pod_spec').get(withRequest('daemonsets', { spec: { template: { spec } } }))).toBe(spec);
    expect(derived('vigil.k8s.pod_spec').get(withRequest('cronjobs', { spec: { jobTemplate: { spec: { template: { spec } } } } }))).toBe(spec);
    expect(derived('vigil.k8s.pod_spec').get(withRequest('configmaps', { data: {} }))).toBeUndefined();
  });

  it('lists every container and its image repository', () => {
    expect(derived('vigil.k8s.containers').get(withRequest('pods', { spec }))).toHaveLength(2);
    expect(derived('vigil.k8s.image_repositories').get(withRequest('pods', { spec }))).toEqual(['registry.example.com:5000/app/api', 'busybox']);
  });
});

describe('imageRepository', () => {
  it('strips tag and digest but keeps a registry port', () => {
    expect(imageRepository('nginx')).toBe('nginx');
    expect(imageRepository('nginx:1.25')).toBe('nginx');
    expect(imageRepository('registry.k8s.io/kube-proxy:v1.29.2')).toBe('registry.k8s.io/kube-proxy');
    expect(imageRepository('reg:5000/team/app')).toBe('reg:5000/team/app');
    expect(imageRepository('quay.io/a/b@sha256:0123')).toBe('quay.io/a/b');
  });
});

describe('exec command', () => {
  it('joins and URL-decodes the command parameters of an exec request', () => {
    expect(execCommandOf('/api/v1/namespaces/a/pods/p/exec?command=sh&command=-c&command=cat+%2Fetc%2Fshadow&container=c')).toBe('sh -c cat /etc/shadow');
    expect(execCommandOf('/api/v1/namespaces/a/pods/p/exec?container=c')).toBeUndefined();
    expect(execCommandOf('/api/v1/namespaces/a/pods/p/exec?command=%E0%A4%A')).toBe('%E0%A4%A');
  });

  it('is only derived for exec and attach requests', () => {
    const uri = { requestURI: '/api/v1/namespaces/ns/pods/p/exec?command=id' };
    const exec = withRequest('pods', undefined, { ...uri, objectRef: { resource: 'pods', namespace: 'ns', name: 'p', subresource: 'exec' } });
    expect(derived('vigil.k8s.exec_command').get(exec)).toBe('id');
    expect(derived('vigil.k8s.exec_command').get(withRequest('pods', undefined, uri))).toBeUndefined();
  });
});
