import type { Node, Pod, Workload } from './cluster-world.js';
import type { Random } from './random.js';

/**
 * Request bodies for the writes an audit policy records at Request level. Kept as compact as
 * the real objects without managed fields, so the average event stays near real sizes.
 */

export function podFromTemplate(workload: Workload, ownerUid: string): Record<string, unknown> {
  const owner = workload.kind === 'Deployment' ? `${workload.name}-${workload.templateHash}` : workload.name;
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: {
      generateName: `${owner}-`,
      namespace: workload.namespace,
      labels: { 'app.kubernetes.io/name': workload.name, 'pod-template-hash': workload.templateHash },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: workload.kind === 'Deployment' ? 'ReplicaSet' : workload.kind, name: owner, uid: ownerUid, controller: true, blockOwnerDeletion: true },
      ],
    },
    spec: {
      containers: [
        {
          name: workload.name,
          image: workload.image,
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
          resources: { limits: { memory: '512Mi' }, requests: { cpu: '250m', memory: '256Mi' } },
          securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true },
        },
      ],
      serviceAccountName: workload.serviceAccount,
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
    },
  };
}

const EVENT_REASONS: Array<[type: string, reason: string, message: (pod: Pod) => string]> = [
  ['Normal', 'Pulled', (pod) => `Container image "${pod.workload.image}" already present on machine`],
  ['Normal', 'Created', (pod) => `Created container ${pod.workload.name}`],
  ['Normal', 'Started', (pod) => `Started container ${pod.workload.name}`],
  ['Normal', 'Killing', (pod) => `Stopping container ${pod.workload.name}`],
  ['Warning', 'Unhealthy', () => 'Readiness probe failed: HTTP probe failed with statuscode: 503'],
  ['Warning', 'BackOff', (pod) => `Back-off restarting failed container ${pod.workload.name} in pod ${pod.name}_${pod.namespace}(${pod.uid})`],
];

/** A core/v1 Event a kubelet reports about a pod on its node. */
export function kubeletEvent(random: Random, pod: Pod, node: Node): Record<string, unknown> {
  const [type, reason, message] = random.pick(EVENT_REASONS);
  return {
    kind: 'Event',
    apiVersion: 'v1',
    metadata: { name: `${pod.name}.${random.hex(16)}`, namespace: pod.namespace },
    involvedObject: { kind: 'Pod', namespace: pod.namespace, name: pod.name, uid: pod.uid, apiVersion: 'v1', fieldPath: `spec.containers{${pod.workload.name}}` },
    reason,
    message: message(pod),
    source: { component: 'kubelet', host: node.name },
    count: 1,
    type,
    reportingComponent: 'kubelet',
    reportingInstance: node.name,
  };
}

export function imagePatch(workload: Workload, random: Random): Record<string, unknown> {
  const image = workload.image.replace(/:[^:]+$/, `:${random.between(1, 3)}.${random.between(0, 40)}.${random.between(0, 9)}`);
  return { spec: { template: { spec: { containers: [{ name: workload.name, image }] } } } };
}

export function scalePatch(replicas: number): Record<string, unknown> {
  return { spec: { replicas } };
}

export function restartPatch(timestamp: string): Record<string, unknown> {
  return { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': timestamp } } } } };
}

export function migrationJob(workload: Workload, random: Random): Record<string, unknown> {
  return {
    kind: 'Job',
    apiVersion: 'batch/v1',
    metadata: { name: `${workload.name}-migrate-${random.k8sSuffix(5)}`, namespace: workload.namespace },
    spec: {
      backoffLimit: 2,
      ttlSecondsAfterFinished: 3600,
      template: {
        spec: {
          containers: [{ name: 'migrate', image: workload.image, args: ['migrate', '--to=latest'] }],
          restartPolicy: 'Never',
          serviceAccountName: workload.serviceAccount,
        },
      },
    },
  };
}

export function roleBinding(namespace: string, subject: string, role: string): Record<string, unknown> {
  return {
    kind: 'RoleBinding',
    apiVersion: 'rbac.authorization.k8s.io/v1',
    metadata: { name: `${subject.split('@')[0]}-${role}`, namespace },
    subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: subject }],
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
  };
}

export function argoRefreshPatch(): Record<string, unknown> {
  return { metadata: { annotations: { 'argocd.argoproj.io/refresh': 'normal' } } };
}
