import { AuditWriter, Random, type RawAuditEvent } from './audit-builder.js';
import { PEOPLE, WORKLOADS, at, humanActor } from './normal-day.js';

/**
 * One attack each, written as the audit events it leaves, to be mixed into the normal day.
 * `expect` names the entity the high alert must be about.
 */
export interface Attack {
  name: string;
  /** Audit events the attack adds to the day. */
  events(): RawAuditEvent[];
  /** Events the attack removes from the day (audit logging switched off), if any. */
  removes?(event: RawAuditEvent): boolean;
  expect: Partial<Record<'user' | 'namespace' | 'sourceIP' | 'source' | 'name' | 'pod', string>>;
}

function writer(seed: number): AuditWriter {
  return new AuditWriter(new Random(seed));
}

const CURL = 'curl/8.5.0';

export const ATTACKS: readonly Attack[] = [
  {
    name: 'insider mass delete',
    expect: { user: 'bob@example.com' },
    events() {
      // Bob, who deleted two pods earlier today, wipes deployments, services and config at night.
      const w = writer(1);
      const resources = [
        { resource: 'deployments', group: 'apps' },
        { resource: 'services' },
        { resource: 'configmaps' },
        { resource: 'secrets' },
      ];
      let t = at(19, 30);
      for (const namespace of ['shop', 'payments']) {
        for (const kind of resources) {
          for (let i = 0; i < 9; i++) {
            w.request((t += 2500), PEOPLE.bob, 'delete', { ...kind, namespace, name: `${kind.resource}-${i}` });
          }
        }
      }
      return w.events;
    },
  },
  {
    name: 'stolen service-account token used from a new IP and user agent',
    expect: { user: 'system:serviceaccount:ci:deployer', sourceIP: '203.0.113.50' },
    events() {
      const w = writer(2);
      const thief = { ...WORKLOADS.deployer, ip: '203.0.113.50', userAgent: CURL };
      w.request(at(21, 0), thief, 'get', { resource: 'secrets', namespace: 'ci', name: 'registry-credentials' });
      w.request(at(21, 0, 40), thief, 'list', { resource: 'secrets', namespace: 'payments' });
      w.request(at(21, 1, 10), thief, 'get', { resource: 'secrets', namespace: 'payments', name: 'db-password' });
      w.request(at(21, 2), thief, 'list', { resource: 'deployments', namespace: 'payments', group: 'apps' });
      return w.events;
    },
  },
  {
    name: 'Forbidden wave from a compromised pod',
    expect: { user: 'system:serviceaccount:shop:frontend' },
    events() {
      // The frontend's token, used from inside its pod with kubectl, tries what it may do.
      const w = writer(3);
      const attacker = { ...WORKLOADS.frontend, userAgent: 'kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819' };
      const probes = [
        { resource: 'secrets', namespace: 'kube-system' },
        { resource: 'secrets' },
        { resource: 'pods', namespace: 'kube-system' },
        { resource: 'nodes' },
        { resource: 'clusterroles', group: 'rbac.authorization.k8s.io' },
        { resource: 'clusterrolebindings', group: 'rbac.authorization.k8s.io' },
        { resource: 'daemonsets', namespace: 'kube-system', group: 'apps' },
        { resource: 'serviceaccounts', namespace: 'kube-system' },
        { resource: 'configmaps', namespace: 'kube-system' },
      ];
      let t = at(13, 20);
      for (let round = 0; round < 4; round++) {
        for (const probe of probes) w.request((t += 1500), attacker, round % 2 === 0 ? 'list' : 'get', probe, { code: 403 });
      }
      w.request((t += 1500), attacker, 'list', { resource: 'pods', namespace: 'shop' });
      return w.events;
    },
  },
  {
    name: 'secrets enumeration by a contractor',
    expect: { user: 'frank@example.com' },
    events() {
      const w = writer(4);
      const frank = humanActor('frank@example.com', '10.20.0.77', 'contractors');
      w.request(at(15, 10), frank, 'list', { resource: 'secrets' }, { query: 'limit=500' });
      const names = ['db-password', 'stripe-api-key', 'jwt-signing-key', 'smtp-credentials', 'redis-auth', 's3-backup', 'oauth-client', 'registry-credentials', 'sentry-dsn', 'admin-bootstrap'];
      names.forEach((name, i) => {
        w.request(at(15, 11, i * 12), frank, 'get', { resource: 'secrets', namespace: i % 2 === 0 ? 'payments' : 'shop', name });
      });
      return w.events;
    },
  },
  {
    name: 'exec into a pod to steal its token',
    expect: { user: 'grace@example.com', namespace: 'payments' },
    events() {
      const w = writer(5);
      const grace = humanActor('grace@example.com', '10.20.0.61', 'developers');
      w.request(at(12, 40), grace, 'create', { resource: 'pods', namespace: 'payments', name: 'api-6b8f-p4m', subresource: 'exec' }, {
        query: 'command=cat&command=%2Fvar%2Frun%2Fsecrets%2Fkubernetes.io%2Fserviceaccount%2Ftoken&container=api&stdout=true',
      });
      w.request(at(12, 41), grace, 'create', { resource: 'pods', namespace: 'payments', name: 'api-6b8f-p4m', subresource: 'exec' }, {
        query: 'command=sh&command=-c&command=curl+-s+http%3A%2F%2F169.254.169.254%2Flatest%2Fmeta-data%2Fiam%2Fsecurity-credentials%2F&container=api&stdout=true',
      });
      return w.events;
    },
  },
  {
    name: 'privileged pod with the host filesystem',
    expect: { user: 'heidi@example.com', namespace: 'default' },
    events() {
      const w = writer(6);
      const heidi = humanActor('heidi@example.com', '10.20.0.68', 'developers');
      w.request(at(11, 45), heidi, 'create', { resource: 'pods', namespace: 'default' }, {
        requestObject: {
          kind: 'Pod',
          metadata: { name: 'debug-tools', namespace: 'default' },
          spec: {
            hostPID: true,
            containers: [{ name: 'tools', image: 'docker.io/library/alpine:3.19', command: ['sleep', 'infinity'], securityContext: { privileged: true }, volumeMounts: [{ name: 'host', mountPath: '/host' }] }],
            volumes: [{ name: 'host', hostPath: { path: '/' } }],
          },
        },
      });
      return w.events;
    },
  },
  {
    name: 'cluster-admin binding for a workload',
    expect: { user: 'bob@example.com' },
    events() {
      const w = writer(7);
      w.request(at(17, 5), PEOPLE.bob, 'create', { resource: 'clusterrolebindings', group: 'rbac.authorization.k8s.io' }, {
        requestObject: {
          kind: 'ClusterRoleBinding',
          metadata: { name: 'frontend-admin' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
          subjects: [{ kind: 'ServiceAccount', name: 'frontend', namespace: 'shop' }],
        },
      });
      return w.events;
    },
  },
  {
    name: 'log shipper deleted and events wiped',
    expect: { user: 'ivan@example.com' },
    events() {
      const w = writer(8);
      const ivan = humanActor('ivan@example.com', '10.20.0.90', 'sre');
      w.request(at(22, 10), ivan, 'delete', { resource: 'daemonsets', namespace: 'logging', name: 'fluent-bit', group: 'apps' });
      w.request(at(22, 11), ivan, 'deletecollection', { resource: 'events', namespace: 'payments' });
      return w.events;
    },
  },
  {
    name: 'audit logging switched off for 40 minutes',
    expect: { source: 'k8s.audit' },
    events: () => [],
    removes(event) {
      const time = String(event.requestReceivedTimestamp);
      return time >= new Date(at(23, 0)).toISOString() && time < new Date(at(23, 40)).toISOString();
    },
  },
];
