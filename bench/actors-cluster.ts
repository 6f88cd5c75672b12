import {
  type Actor,
  type RequestMix,
  PLATFORM_UA,
  actor,
  componentAgent,
  create,
  get,
  list,
  patch,
  rbacReason,
  remove,
  serviceAccountUser,
  update,
  using,
  watch,
} from './actor.js';
import type { ApiRequest } from './audit-event.js';
import { type ClusterWorld, type Node, type Pod, type Workload, podsOn, workloadNamed } from './cluster-world.js';
import { K, type ResourceKind } from './kube-api.js';
import type { Random } from './random.js';
import { kubeletEvent, podFromTemplate } from './request-bodies.js';

/** Actors that are the cluster itself: kubelets, the control plane's controllers, and add-ons. */

export function kubelets(world: ClusterWorld, random: Random): Actor[] {
  return world.nodes.map((node) => kubelet(world, random, node));
}

function kubelet(world: ClusterWorld, random: Random, node: Node): Actor {
  const pods = podsOn(world, node);
  const leaseUid = random.uuid();
  const pod = (r: Random) => r.pick(pods);
  const mix: RequestMix = [
    [28, () => update(K.leases, 'kube-node-lease', node.name, undefined, leaseUid)],
    [4, () => get(K.leases, 'kube-node-lease', node.name)],
    [9, () => ({ ...patch(K.nodes, undefined, node.name, undefined, 'status'), query: 'timeout=10s' })],
    [3, () => get(K.nodes, undefined, node.name)],
    [7, using(pod, podGet)],
    [10, using(pod, podStatusPatch)],
    [6, using(pod, tokenRequest)],
    [1, using(pod, (p, r) => watchOneOf(r, K.configmaps, p, p.workload.configMaps))],
    [0.7, using(pod, (p, r) => watchOneOf(r, K.secrets, p, p.workload.secrets))],
    [0.5, (r) => watch(r, K.pods, undefined, `spec.nodeName=${node.name}`)],
    [0.3, (r) => watch(r, K.nodes, undefined, `metadata.name=${node.name}`)],
    [0.3, (r) => watch(r, K.services)],
    [3, using(pod, (p, r) => kubeletEventCreate(r, p, node))],
    [1, () => get(K.csinodes, undefined, node.name)],
  ];
  return actor(
    {
      user: { username: `system:node:${node.name}`, groups: ['system:nodes', 'system:authenticated'] },
      userAgent: componentAgent('kubelet'),
      sourceIps: [node.ip],
      allowReason: '',
    },
    mix,
  );
}

const podGet = (pod: Pod): ApiRequest => get(K.pods, pod.namespace, pod.name);
const podStatusPatch = (pod: Pod): ApiRequest => patch(K.pods, pod.namespace, pod.name, undefined, 'status');
const tokenRequest = (pod: Pod): ApiRequest => create(K.serviceaccounts, pod.namespace, undefined, pod.workload.serviceAccount, 'token');

function watchOneOf(random: Random, kind: ResourceKind, pod: Pod, names: string[]): ApiRequest {
  return watch(random, kind, pod.namespace, `metadata.name=${random.pick(names)}`);
}

function kubeletEventCreate(random: Random, pod: Pod, node: Node): ApiRequest {
  return create(K.events, pod.namespace, kubeletEvent(random, pod, node));
}

export function controlPlane(world: ClusterWorld, random: Random): Array<{ weight: number; actor: Actor }> {
  const [leaderIp, schedulerIp] = world.controlPlaneIps;
  const allPods = world.workloads.flatMap((w) => w.pods);
  const deployments = world.workloads.filter((w) => w.kind === 'Deployment');
  const pod = (r: Random) => r.pick(allPods);
  // Leader election renews every 2 s: the leader gets and updates its lease, standbys only get it.
  const electionMember = (component: 'kube-controller-manager' | 'kube-scheduler', ip: string, leader: boolean) =>
    actor(
      {
        user: { username: `system:${component}`, groups: ['system:authenticated'] },
        userAgent: componentAgent(component, '/leader-election'),
        sourceIps: [ip],
        allowReason: rbacReason(`ClusterRoleBinding "system:${component}"`, `ClusterRole "system:${component}"`, `User "system:${component}"`),
      },
      [
        [1, () => get(K.leases, 'kube-system', component)],
        [leader ? 1 : 0, () => update(K.leases, 'kube-system', component)],
      ],
    );
  const election = (['kube-controller-manager', 'kube-scheduler'] as const).flatMap((component, leaderIndex) =>
    world.controlPlaneIps.map((ip, index) => ({ weight: index === leaderIndex ? 10 : 5, actor: electionMember(component, ip, index === leaderIndex) })),
  );
  const scheduler = actor(
    {
      user: { username: 'system:kube-scheduler', groups: ['system:authenticated'] },
      userAgent: componentAgent('kube-scheduler', '/scheduler'),
      sourceIps: [schedulerIp],
      allowReason: rbacReason('ClusterRoleBinding "system:kube-scheduler"', 'ClusterRole "system:kube-scheduler"', 'User "system:kube-scheduler"'),
    },
    [
      [3, using(pod, (p) => create(K.pods, p.namespace, undefined, p.name, 'binding'))],
      [0.5, (r) => watch(r, K.pods, undefined, 'status.phase!=Succeeded,status.phase!=Failed')],
      [0.3, (r) => watch(r, K.nodes)],
      [0.2, using(pod, (p) => patch(K.pods, p.namespace, p.name, undefined, 'status'))],
    ],
  );
  const controller = (name: string, mix: RequestMix) =>
    actor(
      {
        user: serviceAccountUser(random, 'kube-system', name),
        userAgent: componentAgent('kube-controller-manager', `/system:serviceaccount:kube-system:${name}`),
        sourceIps: [leaderIp],
        allowReason: rbacReason(`ClusterRoleBinding "system:controller:${name}"`, `ClusterRole "system:controller:${name}"`, `ServiceAccount "${name}/kube-system"`),
      },
      mix,
    );
  const deployment = (r: Random) => r.pick(deployments);
  const rsName = (w: Workload) => `${w.name}-${w.templateHash}`;
  const ownerUid = random.uuid();
  return [
    ...election,
    { weight: 3, actor: scheduler },
    {
      weight: 8,
      actor: controller('replicaset-controller', [
        [5, using(deployment, (d) => statusUpdate(K.replicasets, d, rsName))],
        [2, using(deployment, (d) => podCreate(d, ownerUid))],
        [1.5, using(pod, (p) => remove(K.pods, p.namespace, p.name))],
        [0.3, (r) => watch(r, K.pods)],
        [0.3, (r) => watch(r, K.replicasets)],
      ]),
    },
    {
      weight: 5,
      actor: controller('deployment-controller', [
        [4, using(deployment, (d) => statusUpdate(K.deployments, d, (w) => w.name))],
        [1, using(deployment, (d) => update(K.replicasets, d.namespace, rsName(d)))],
        [0.3, (r) => watch(r, K.deployments)],
      ]),
    },
    {
      weight: 9,
      actor: controller('endpointslice-controller', [
        [8, using(deployment, (d, r) => update(K.endpointslices, d.namespace, `${d.name}-${r.k8sSuffix(5)}`))],
        [0.5, using(deployment, (d) => create(K.endpointslices, d.namespace))],
        [0.3, using(deployment, (d, r) => remove(K.endpointslices, d.namespace, `${d.name}-${r.k8sSuffix(5)}`))],
        [0.3, (r) => watch(r, K.endpointslices)],
      ]),
    },
    {
      weight: 4,
      actor: controller('endpoint-controller', [
        [4, using(deployment, (d) => update(K.endpoints, d.namespace, d.name))],
        [0.3, (r) => watch(r, K.endpoints)],
      ]),
    },
    {
      weight: 3,
      actor: controller('generic-garbage-collector', [
        [2, using(deployment, (d) => get(K.replicasets, d.namespace, rsName(d)))],
        [0.3, using(pod, (p) => remove(K.pods, p.namespace, p.name))],
        [0.5, (r) => list(r.pick([K.pods, K.replicasets, K.jobs, K.endpointslices, K.leases]))],
        [0.4, (r) => watch(r, r.pick([K.pods, K.replicasets, K.jobs, K.configmaps, K.secrets, K.serviceaccounts, K.roles, K.rolebindings]))],
      ]),
    },
    {
      weight: 2,
      actor: controller('node-controller', [
        [1, (r) => patch(K.nodes, undefined, r.pick(world.nodes).name)],
        [0.5, (r) => list(K.pods, undefined, `fieldSelector=${encodeURIComponent(`spec.nodeName=${r.pick(world.nodes).name}`)}`)],
        [0.5, (r) => get(K.nodes, undefined, r.pick(world.nodes).name)],
      ]),
    },
    {
      weight: 1.5,
      actor: controller('job-controller', [
        [1, (r) => update(K.jobs, 'data-pipeline', `etl-${r.between(28_000_000, 28_999_999)}`, 'status')],
        [0.3, () => podCreate(workloadNamed(world, 'airflow-scheduler'), ownerUid)],
        [0.3, (r) => remove(K.pods, 'data-pipeline', `etl-${r.between(28_000_000, 28_999_999)}-${r.k8sSuffix(5)}`)],
        [0.2, (r) => patch(K.pods, 'data-pipeline', `etl-${r.between(28_000_000, 28_999_999)}-${r.k8sSuffix(5)}`)],
      ]),
    },
    {
      weight: 1,
      actor: controller('cronjob-controller', [
        [1, () => list(K.jobs)],
        [0.2, () => create(K.jobs, 'data-pipeline')],
        [0.3, () => update(K.cronjobs, 'data-pipeline', 'etl', 'status')],
      ]),
    },
    {
      weight: 3,
      actor: controller('horizontal-pod-autoscaler', [
        [2, using(deployment, (d) => get(K.deployments, d.namespace, d.name, 'scale'))],
        [2, using(deployment, (d) => update(K.horizontalpodautoscalers, d.namespace, d.name, 'status'))],
      ]),
    },
    {
      weight: 1.5,
      actor: controller('daemon-set-controller', [
        [1, (r) => update(K.daemonsets, 'kube-system', r.pick(['kube-proxy', 'cilium', 'ebs-csi-node']), 'status')],
        [0.3, (r) => watch(r, K.daemonsets)],
      ]),
    },
    {
      weight: 1.5,
      actor: controller('statefulset-controller', [
        [1, (r) => update(K.statefulsets, ...statefulSetName(r, world), 'status')],
        [0.3, (r) => watch(r, K.statefulsets)],
      ]),
    },
    {
      weight: 0.5,
      actor: controller('ttl-after-finished-controller', [
        [1, (r) => remove(K.jobs, 'data-pipeline', `etl-${r.between(28_000_000, 28_999_999)}`)],
        [1, (r) => watch(r, K.jobs)],
      ]),
    },
    {
      weight: 0.2,
      actor: controller('namespace-controller', [
        [1, (r) => list(r.pick([K.pods, K.configmaps, K.secrets, K.serviceaccounts]), r.pick(world.namespaces))],
        [0.1, (r) => ({ verb: 'deletecollection', target: { kind: K.events, namespace: r.pick(world.namespaces) } })],
      ]),
    },
    {
      weight: 0.2,
      actor: controller('certificate-controller', [
        [1, (r) => get(K.certificatesigningrequests, undefined, `csr-${r.k8sSuffix(5)}`)],
        [0.5, (r) => update(K.certificatesigningrequests, undefined, `csr-${r.k8sSuffix(5)}`, 'approval')],
      ]),
    },
    {
      weight: 0.5,
      actor: controller('pvc-protection-controller', [
        [1, (r) => get(K.persistentvolumeclaims, ...statefulSetName(r, world))],
        [0.5, (r) => watch(r, K.persistentvolumeclaims)],
      ]),
    },
  ];
}

function statusUpdate(kind: ResourceKind, workload: Workload, name: (w: Workload) => string): ApiRequest {
  return update(kind, workload.namespace, name(workload), 'status');
}

function podCreate(workload: Workload, ownerUid: string): ApiRequest {
  return {
    ...create(K.pods, workload.namespace, podFromTemplate(workload, ownerUid)),
    annotations: { 'pod-security.kubernetes.io/enforce-policy': 'baseline:latest' },
  };
}

function statefulSetName(random: Random, world: ClusterWorld): [string, string] {
  const workload = random.pick(world.workloads.filter((w) => w.kind === 'StatefulSet'));
  return [workload.namespace, workload.name];
}

/** Add-ons every production cluster runs: proxy, DNS, CNI, metrics, ingress, certificates, secrets sync. */
export function addOns(world: ClusterWorld, random: Random): Array<{ weight: number; actor: Actor }> {
  const actors: Array<{ weight: number; actor: Actor }> = [];
  const podActor = (pod: Pod, weight: number, userAgent: string, binding: string, mix: RequestMix, hostNetwork = false) =>
    actors.push({
      weight,
      actor: actor(
        {
          user: serviceAccountUser(random, pod.namespace, pod.workload.serviceAccount, pod),
          userAgent,
          sourceIps: [hostNetwork ? pod.node.ip : pod.ip],
          allowReason: rbacReason(`ClusterRoleBinding "${binding}"`, `ClusterRole "${binding}"`, `ServiceAccount "${pod.workload.serviceAccount}/${pod.namespace}"`),
        },
        mix,
      ),
    });
  const pods = (name: string) => workloadNamed(world, name).pods;
  const anyPod = (r: Random) => r.pick(r.pick(world.workloads).pods);

  for (const pod of pods('kube-proxy')) {
    podActor(pod, 0.15, componentAgent('kube-proxy'), 'system:node-proxier', [
      [3, (r) => watch(r, K.endpointslices, undefined, '!service.kubernetes.io/headless')],
      [2, (r) => watch(r, K.services)],
      [1, () => get(K.nodes, undefined, pod.node.name)],
      [0.5, () => list(K.endpointslices)],
    ], true);
  }
  for (const pod of pods('cilium')) {
    podActor(pod, 0.4, `cilium-agent/v1.15.6 ${PLATFORM_UA}`, 'cilium', [
      [4, using(anyPod, (p) => update(K.ciliumendpoints, p.namespace, p.name))],
      [1, using(anyPod, (p) => create(K.ciliumendpoints, p.namespace))],
      [1, using(anyPod, (p) => remove(K.ciliumendpoints, p.namespace, p.name))],
      [2, () => get(K.ciliumnodes, undefined, pod.node.name)],
      [1, () => update(K.ciliumnodes, undefined, pod.node.name, 'status')],
      [0.4, (r) => watch(r, K.ciliumidentities)],
      [0.2, (r) => watch(r, K.ciliumendpoints)],
    ], true);
  }
  for (const pod of pods('coredns')) {
    podActor(pod, 0.4, 'coredns/v1.11.1 (linux/amd64) kubernetes/$Format', 'system:coredns', [
      [2, (r) => watch(r, K.endpointslices)],
      [1, (r) => watch(r, K.services)],
      [1, (r) => watch(r, K.namespaces)],
      [0.3, () => list(K.services)],
    ]);
  }
  for (const pod of pods('cilium-operator')) {
    podActor(pod, 1, `cilium-operator-generic/v1.15.6 ${PLATFORM_UA}`, 'cilium-operator', [
      [3, () => update(K.leases, 'kube-system', 'cilium-operator-resource-lock')],
      [3, () => get(K.leases, 'kube-system', 'cilium-operator-resource-lock')],
      [0.3, () => list(K.ciliumidentities)],
      [0.1, (r) => remove(K.ciliumidentities, undefined, String(r.between(10_000, 65_000)))],
    ]);
  }
  for (const pod of pods('metrics-server')) {
    podActor(pod, 4, `metrics-server/v0.7.1 ${PLATFORM_UA}`, 'system:metrics-server', [
      [3, () => create(K.tokenreviews, undefined)],
      [3, () => create(K.subjectaccessreviews, undefined)],
      [1, () => list(K.nodes)],
      [0.3, (r) => watch(r, K.configmaps, 'kube-system', 'metadata.name=extension-apiserver-authentication')],
    ]);
  }
  for (const pod of pods('ingress-nginx-controller')) {
    podActor(pod, 1, `nginx-ingress-controller/v1.10.1 ${PLATFORM_UA}`, 'ingress-nginx', [
      [3, () => get(K.leases, 'ingress-nginx', 'ingress-nginx-leader')],
      [3, () => update(K.leases, 'ingress-nginx', 'ingress-nginx-leader')],
      [0.5, (r) => watch(r, K.ingresses)],
      [0.5, (r) => get(K.secrets, r.pick(['checkout', 'payments', 'search']), 'public-tls')],
      [0.5, (r) => update(K.ingresses, r.pick(['checkout', 'payments', 'search']), 'public', 'status')],
      [0.3, (r) => watch(r, K.endpointslices)],
    ]);
  }
  for (const pod of pods('cert-manager')) {
    podActor(pod, 2, `cert-manager-controller/v1.14.5 ${PLATFORM_UA}`, 'cert-manager-controller-certificates', [
      [1.5, () => get(K.leases, 'kube-system', 'cert-manager-controller')],
      [1.5, () => update(K.leases, 'kube-system', 'cert-manager-controller')],
      [1, (r) => get(K.certificates, r.pick(['checkout', 'payments', 'search']), 'public-tls')],
      [0.3, (r) => update(K.certificates, r.pick(['checkout', 'payments', 'search']), 'public-tls', 'status')],
      [1, (r) => get(K.secrets, r.pick(['checkout', 'payments', 'search']), 'public-tls')],
      [0.05, (r) => create(K.certificaterequests, r.pick(['checkout', 'payments', 'search']))],
    ]);
  }
  for (const pod of pods('external-secrets')) {
    podActor(pod, 1.5, `external-secrets/v0.9.19 ${PLATFORM_UA}`, 'external-secrets-controller', [
      [2, (r) => externalSecret(r, world, 'get')],
      [1, (r) => externalSecret(r, world, 'update')],
      [1, (r) => get(K.externalsecrets, r.pick(['checkout', 'payments', 'search']), 'app-credentials')],
      [1, (r) => update(K.externalsecrets, r.pick(['checkout', 'payments', 'search']), 'app-credentials', 'status')],
    ]);
  }
  for (const pod of pods('kube-state-metrics')) {
    podActor(pod, 0.6, `kube-state-metrics/v2.12.0 ${PLATFORM_UA}`, 'kube-state-metrics', [
      [2, (r) => watch(r, r.pick([K.pods, K.deployments, K.nodes, K.jobs, K.services, K.persistentvolumeclaims, K.secrets, K.configmaps]))],
      [1, (r) => list(r.pick([K.pods, K.deployments, K.nodes, K.jobs, K.services]))],
    ]);
  }
  return actors;
}

function externalSecret(random: Random, world: ClusterWorld, verb: 'get' | 'update'): ApiRequest {
  const workload = random.pick(world.workloads.filter((w) => ['checkout', 'payments', 'search'].includes(w.namespace)));
  const name = workload.secrets[1];
  return verb === 'get' ? get(K.secrets, workload.namespace, name) : update(K.secrets, workload.namespace, name);
}
