import type { VigilEvent } from '../../src/model/event.js';
import { normalizeAuditEvent } from '../../src/model/k8s-audit.js';

/** A realistic audit Event (a pod create by alice) with overrides, normalized as `vigil detect` would. */
export function auditEvent(overrides: Record<string, unknown> = {}): VigilEvent {
  const raw: Record<string, unknown> = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'RequestResponse',
    auditID: 'a-1',
    stage: 'ResponseComplete',
    verb: 'create',
    requestURI: '/api/v1/namespaces/shop/pods',
    user: { username: 'alice@example.com', groups: ['developers', 'system:authenticated'] },
    sourceIPs: ['10.20.0.15'],
    userAgent: 'kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819',
    objectRef: { resource: 'pods', namespace: 'shop', name: 'web-1', apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 201 },
    requestReceivedTimestamp: '2026-03-02T10:00:00Z',
    annotations: { 'authorization.k8s.io/decision': 'allow' },
    requestObject: {
      kind: 'Pod',
      spec: {
        containers: [
          { name: 'web', image: 'nginx:1.25', securityContext: { privileged: false } },
          { name: 'sidecar', image: 'registry.example.com:5000/envoy@sha256:abc', securityContext: { privileged: true, capabilities: { add: ['NET_ADMIN'] } } },
        ],
        volumes: [{ name: 'sock', hostPath: { path: '/var/run/docker.sock' } }, { name: 'cache', emptyDir: {} }],
      },
    },
    ...overrides,
  };
  return normalizeAuditEvent(raw, JSON.stringify(raw), 'test');
}
