import type { AuditLevel } from './audit-levels.js';
import type { Severity } from './findings.js';
import { userNamed, type RequestShape, type RequestUser } from './request-shape.js';

/**
 * Security-relevant request shapes: what an investigation or a detection needs to find in the
 * audit log (CIS 3.2.2 "the audit policy covers key security concerns", OWASP K05). Each entry
 * says how bad it is when the policy drops it and the level that makes the record useful.
 */
export interface CatalogEntry {
  id: string;
  title: string;
  /** Severity of the finding when some of these requests are not logged at all. */
  severity: Severity;
  /** The level that makes the record useful (Request: the body says what was granted or run). */
  wanted: AuditLevel;
  requests: RequestShape[];
  /**
   * False for requests only one kind of caller makes (kubelet heartbeats): they are not used to
   * stand for "any request" when a rule watches every request of some callers.
   */
  anyCaller?: false;
}

const alice = userNamed('alice@example.com');
const deployer = userNamed('system:serviceaccount:ci:deployer');
const anonymous = userNamed('system:anonymous');

function on(
  verbs: readonly string[],
  group: string,
  resource: string,
  options: { subresource?: string; namespace?: string; name?: string; users?: readonly RequestUser[] } = {},
): RequestShape[] {
  const users = options.users ?? [alice];
  return users.flatMap((user) =>
    verbs.map((verb) => ({
      user,
      verb,
      resource: { group, resource, subresource: options.subresource, namespace: options.namespace ?? '', name: options.name },
    })),
  );
}

export const REQUEST_CATALOG: readonly CatalogEntry[] = [
  {
    id: 'secrets-read',
    title: 'Secrets read or listed',
    severity: 'high',
    wanted: 'Metadata',
    requests: [
      ...on(['get', 'list', 'watch'], '', 'secrets', { namespace: 'payments', users: [alice, deployer] }),
      ...on(['list'], '', 'secrets', { users: [alice, deployer] }),
    ],
  },
  {
    id: 'secrets-write',
    title: 'Secrets created, changed or deleted',
    severity: 'medium',
    wanted: 'Metadata',
    requests: on(['create', 'update', 'patch', 'delete'], '', 'secrets', { namespace: 'payments' }),
  },
  {
    id: 'pods-exec',
    title: 'Commands run in containers (exec/attach)',
    severity: 'high',
    wanted: 'Metadata',
    requests: [
      ...on(['create', 'get'], '', 'pods', { subresource: 'exec', namespace: 'payments', name: 'api-0', users: [alice, deployer] }),
      ...on(['create'], '', 'pods', { subresource: 'attach', namespace: 'payments', name: 'api-0' }),
    ],
  },
  {
    id: 'pods-portforward',
    title: 'Port-forwards into pods',
    severity: 'medium',
    wanted: 'Metadata',
    requests: on(['create', 'get'], '', 'pods', { subresource: 'portforward', namespace: 'payments', name: 'db-0' }),
  },
  {
    id: 'pods-ephemeral-containers',
    title: 'Debug (ephemeral) containers added to pods',
    severity: 'high',
    wanted: 'Request',
    requests: on(['patch', 'update'], '', 'pods', { subresource: 'ephemeralcontainers', namespace: 'payments', name: 'api-0' }),
  },
  {
    id: 'pods-create',
    title: 'Pods created (their spec shows privileges and host mounts)',
    severity: 'high',
    wanted: 'Request',
    requests: on(['create'], '', 'pods', { namespace: 'default', users: [alice, deployer] }),
  },
  {
    id: 'workloads-write',
    title: 'Deployments, DaemonSets, StatefulSets, Jobs and CronJobs created or changed',
    severity: 'medium',
    wanted: 'Request',
    requests: [
      ...on(['create', 'update', 'patch'], 'apps', 'deployments', { namespace: 'default', users: [alice, deployer] }),
      ...on(['create', 'patch'], 'apps', 'daemonsets', { namespace: 'kube-system' }),
      ...on(['create'], 'apps', 'statefulsets', { namespace: 'default' }),
      ...on(['create'], 'batch', 'cronjobs', { namespace: 'default' }),
      ...on(['create'], 'batch', 'jobs', { namespace: 'default' }),
    ],
  },
  {
    id: 'serviceaccount-token',
    title: 'Service-account tokens minted (TokenRequest)',
    severity: 'high',
    wanted: 'Metadata',
    requests: on(['create'], '', 'serviceaccounts', { subresource: 'token', namespace: 'ci', name: 'deployer' }),
  },
  {
    id: 'serviceaccount-create',
    title: 'Service accounts created',
    severity: 'medium',
    wanted: 'Metadata',
    requests: on(['create'], '', 'serviceaccounts', { namespace: 'kube-system' }),
  },
  {
    id: 'rbac-write',
    title: 'RBAC roles and bindings created, changed or deleted',
    severity: 'high',
    wanted: 'Request',
    requests: [
      ...on(['create', 'update', 'patch', 'delete'], 'rbac.authorization.k8s.io', 'clusterrolebindings', { users: [alice, deployer] }),
      ...on(['create', 'update', 'patch'], 'rbac.authorization.k8s.io', 'clusterroles'),
      ...on(['create', 'update', 'patch'], 'rbac.authorization.k8s.io', 'rolebindings', { namespace: 'payments', users: [alice, deployer] }),
      ...on(['create', 'update', 'patch'], 'rbac.authorization.k8s.io', 'roles', { namespace: 'payments' }),
    ],
  },
  {
    id: 'csr-approval',
    title: 'Certificate signing requests approved',
    severity: 'high',
    wanted: 'Metadata',
    requests: on(['update', 'patch'], 'certificates.k8s.io', 'certificatesigningrequests', { subresource: 'approval', name: 'csr-x7k2' }),
  },
  {
    id: 'admission-webhooks-write',
    title: 'Admission webhook configurations created, changed or deleted',
    severity: 'high',
    wanted: 'Request',
    requests: [
      ...on(['create', 'update', 'patch', 'delete'], 'admissionregistration.k8s.io', 'mutatingwebhookconfigurations'),
      ...on(['create', 'update', 'patch', 'delete'], 'admissionregistration.k8s.io', 'validatingwebhookconfigurations'),
    ],
  },
  {
    id: 'nodes-proxy',
    title: "Requests through nodes/proxy to the kubelet's API",
    severity: 'high',
    wanted: 'Metadata',
    requests: on(['get', 'create'], '', 'nodes', { subresource: 'proxy', name: 'worker-1', users: [alice, deployer] }),
  },
  {
    id: 'events-delete',
    title: 'Kubernetes Events deleted',
    severity: 'medium',
    wanted: 'Metadata',
    requests: [
      ...on(['delete', 'deletecollection'], '', 'events', { namespace: 'payments' }),
      ...on(['delete', 'deletecollection'], 'events.k8s.io', 'events', { namespace: 'payments' }),
    ],
  },
  {
    id: 'deletes-by-people',
    title: 'Deletions by people',
    severity: 'medium',
    wanted: 'Metadata',
    requests: [
      ...on(['delete'], '', 'namespaces', { name: 'payments' }),
      ...on(['delete'], '', 'pods', { namespace: 'payments' }),
      ...on(['delete'], 'apps', 'deployments', { namespace: 'payments' }),
      ...on(['delete'], 'apps', 'daemonsets', { namespace: 'logging' }),
      ...on(['delete', 'deletecollection'], '', 'persistentvolumeclaims', { namespace: 'payments' }),
      ...on(['delete'], '', 'configmaps', { namespace: 'payments' }),
      ...on(['delete'], '', 'services', { namespace: 'payments' }),
    ],
  },
  {
    id: 'configmaps-write',
    title: 'Config maps changed (aws-auth, logging configuration)',
    severity: 'medium',
    wanted: 'Metadata',
    requests: [
      ...on(['update', 'patch'], '', 'configmaps', { namespace: 'kube-system', name: 'aws-auth' }),
      ...on(['update', 'patch'], '', 'configmaps', { namespace: 'logging', name: 'fluent-bit' }),
    ],
  },
  {
    id: 'services-write',
    title: 'Services created or changed (NodePort exposure)',
    severity: 'low',
    wanted: 'Request',
    requests: on(['create', 'update', 'patch'], '', 'services', { namespace: 'payments' }),
  },
  {
    id: 'permission-discovery',
    title: 'Permission discovery (kubectl auth can-i --list)',
    severity: 'low',
    wanted: 'Metadata',
    requests: on(['create'], 'authorization.k8s.io', 'selfsubjectrulesreviews', { users: [alice, deployer] }),
  },
  {
    id: 'anonymous-requests',
    title: 'Requests by system:anonymous',
    severity: 'high',
    wanted: 'Metadata',
    requests: [
      { user: anonymous, verb: 'get', path: '/api' },
      { user: anonymous, verb: 'get', path: '/apis' },
      ...on(['list', 'get'], '', 'secrets', { namespace: 'kube-system', users: [anonymous] }),
      ...on(['list'], '', 'pods', { users: [anonymous] }),
    ],
  },
  {
    id: 'failed-authentication',
    title: 'Requests with invalid credentials (401)',
    severity: 'medium',
    wanted: 'Metadata',
    requests: [
      { verb: 'get', path: '/api' },
      { verb: 'list', resource: { group: '', resource: 'secrets', namespace: '' } },
    ],
  },
  {
    id: 'reads-by-workloads',
    title: 'Reads by workload service accounts (where stolen tokens and 403 waves show)',
    severity: 'medium',
    wanted: 'Metadata',
    requests: [
      ...on(['list', 'get'], '', 'pods', { namespace: 'payments', users: [deployer] }),
      ...on(['list'], '', 'nodes', { users: [deployer] }),
      ...on(['get'], '', 'configmaps', { namespace: 'payments', users: [deployer] }),
    ],
  },
  {
    id: 'node-heartbeats',
    title: 'Kubelet lease renewals (the heartbeat that shows a node and its agents are alive)',
    severity: 'low',
    wanted: 'Metadata',
    requests: on(['update'], 'coordination.k8s.io', 'leases', { namespace: 'kube-node-lease', name: 'worker-1', users: [userNamed('system:node:worker-1')] }),
    anyCaller: false,
  },
];
