import {
  type Actor,
  type RequestMix,
  actor,
  create,
  get,
  list,
  nonResource,
  patch,
  rbacReason,
  remove,
  serviceAccountUser,
  update,
  using,
  watch,
  withCode,
} from './actor.js';
import type { ApiRequest, Identity } from './audit-event.js';
import { type ClusterWorld, type Pod, type Workload, workloadNamed, workloadsIn } from './cluster-world.js';
import { K } from './kube-api.js';
import type { Random } from './random.js';
import { argoRefreshPatch, imagePatch, migrationJob, podFromTemplate, restartPatch, roleBinding, scalePatch } from './request-bodies.js';

/** Actors that use the cluster: applications' service accounts, CI, people, and the anonymous internet. */

type Weighted = Array<{ weight: number; actor: Actor }>;

const APP_NAMESPACES = ['payments', 'checkout', 'search', 'data-pipeline'];
const KUBECTL_MAC = 'kubectl/v1.30.2 (darwin/arm64) kubernetes/3968350';
const KUBECTL_LINUX = 'kubectl/v1.30.2 (linux/amd64) kubernetes/3968350';

export function workloadAccounts(world: ClusterWorld, random: Random): Weighted {
  const actors: Weighted = [];
  const podActor = (pod: Pod, weight: number, userAgent: string, allowReason: string, mix: RequestMix) =>
    actors.push({
      weight,
      actor: actor({ user: serviceAccountUser(random, pod.namespace, pod.workload.serviceAccount, pod), userAgent, sourceIps: [pod.ip], allowReason }, mix),
    });
  const clusterRole = (pod: Pod, role: string) =>
    rbacReason(`ClusterRoleBinding "${role}"`, `ClusterRole "${role}"`, `ServiceAccount "${pod.workload.serviceAccount}/${pod.namespace}"`);
  const ownRole = (pod: Pod) =>
    rbacReason(`RoleBinding "${pod.workload.name}/${pod.namespace}"`, `Role "${pod.workload.name}"`, `ServiceAccount "${pod.workload.serviceAccount}/${pod.namespace}"`);
  const appWorkload = (r: Random) => r.pick(workloadsIn(world, APP_NAMESPACES));
  const anyKind = (r: Random) => r.pick([K.pods, K.deployments, K.services, K.configmaps, K.replicasets, K.ingresses, K.serviceaccounts, K.jobs]);

  for (const pod of workloadNamed(world, 'argocd-application-controller').pods) {
    podActor(pod, 6, 'argocd-application-controller/v2.11.3 (linux/amd64) kubernetes/$Format', clusterRole(pod, 'argocd-application-controller'), [
      [2, (r) => list(anyKind(r), r.pick(APP_NAMESPACES))],
      [0.7, (r) => watch(r, anyKind(r))],
      [2, (r) => get(K.applications, 'argocd', r.pick(APP_NAMESPACES))],
      [2, (r) => patch(K.applications, 'argocd', r.pick(APP_NAMESPACES), argoRefreshPatch())],
      [0.2, using(appWorkload, (w, r) => patch(K.deployments, w.namespace, w.name, imagePatch(w, r)))],
      [0.5, using(appWorkload, (w) => get(K.deployments, w.namespace, w.name))],
    ]);
  }
  for (const pod of workloadNamed(world, 'argocd-server').pods) {
    podActor(pod, 1, 'argocd-server/v2.11.3 (linux/amd64) kubernetes/$Format', clusterRole(pod, 'argocd-server'), [
      [1, (r) => get(K.applications, 'argocd', r.pick(APP_NAMESPACES))],
      [0.5, () => list(K.applications, 'argocd')],
      [0.3, (r) => watch(r, K.applications, 'argocd')],
    ]);
  }
  for (const pod of workloadNamed(world, 'prometheus-k8s').pods) {
    podActor(pod, 1, 'Prometheus/2.53.0', clusterRole(pod, 'prometheus-k8s'), [
      [4, (r) => watch(r, r.pick([K.pods, K.endpoints, K.services, K.endpointslices]), r.pick(world.namespaces))],
      [1, (r) => list(r.pick([K.pods, K.endpoints, K.services, K.endpointslices]), r.pick(world.namespaces))],
    ]);
  }
  for (const pod of workloadNamed(world, 'grafana').pods) {
    podActor(pod, 1, 'OpenAPI-Generator/29.0.0/python', clusterRole(pod, 'grafana-clusterrole'), [
      [1, (r) => watch(r, K.configmaps, undefined)],
      [0.5, () => list(K.configmaps, undefined, 'labelSelector=grafana_dashboard%3D1')],
      // A dashboard sidecar configured to also search secrets, without the RBAC for it: a common misconfiguration.
      [0.3, () => withCode(list(K.secrets, undefined, 'labelSelector=grafana_datasource%3D1'), 403)],
    ]);
  }
  for (const pod of workloadNamed(world, 'payments-api').pods) {
    podActor(pod, 1, 'payments-api/v0.0.0 (linux/amd64) kubernetes/$Format', ownRole(pod), [
      [1, () => get(K.configmaps, pod.namespace, pod.workload.configMaps[1])],
      [1, () => get(K.secrets, pod.namespace, pod.workload.secrets[1])],
    ]);
  }
  for (const pod of workloadNamed(world, 'payments-worker').pods) {
    podActor(pod, 1.5, 'payments-worker/v0.0.0 (linux/amd64) kubernetes/$Format', ownRole(pod), [
      [2, () => get(K.leases, pod.namespace, 'payments-worker-leader')],
      [2, () => update(K.leases, pod.namespace, 'payments-worker-leader')],
    ]);
  }
  for (const pod of workloadNamed(world, 'airflow-scheduler').pods) {
    const etlPod = (r: Random) => `etl-${r.between(28_000_000, 28_999_999)}-${r.k8sSuffix(5)}`;
    podActor(pod, 3, 'OpenAPI-Generator/29.0.0/python', ownRole(pod), [
      [1, (r) => ({ ...create(K.pods, pod.namespace, podFromTemplate(pod.workload, r.uuid())), annotations: { 'pod-security.kubernetes.io/enforce-policy': 'restricted:latest' } })],
      [0.8, (r) => remove(K.pods, pod.namespace, etlPod(r))],
      [1, () => list(K.pods, pod.namespace, 'labelSelector=airflow-worker%3D1')],
      [0.5, (r) => ({ ...get(K.pods, pod.namespace, etlPod(r), 'log'), query: 'container=base' })],
      [0.5, (r) => get(K.pods, pod.namespace, etlPod(r))],
      [0.5, (r) => watch(r, K.pods, pod.namespace)],
    ]);
  }
  return actors;
}

export function ciAccounts(world: ClusterWorld, random: Random): Weighted {
  const runners = workloadNamed(world, 'github-runner').pods;
  const appWorkload = (r: Random) => r.pick(workloadsIn(world, APP_NAMESPACES));
  const ciIdentity = (name: string, userAgent: string, role: string) => {
    const users = runners.map((pod) => ({ pod, user: serviceAccountUser(random, 'ci', name, pod) }));
    return (r: Random): Identity => {
      const { pod, user } = r.pick(users);
      return { user, userAgent, sourceIps: [pod.ip], allowReason: rbacReason(`ClusterRoleBinding "${role}"`, `ClusterRole "${role}"`, `ServiceAccount "${name}/ci"`) };
    };
  };
  const deployer = actor(ciIdentity('github-deployer', KUBECTL_LINUX, 'ci-deployer'), [
    [4, using(appWorkload, (w) => get(K.deployments, w.namespace, w.name))],
    [1, using(appWorkload, (w, r) => patch(K.deployments, w.namespace, w.name, imagePatch(w, r)))],
    [1, () => nonResource('/api')],
    [1, () => nonResource('/apis')],
    [1, using(appWorkload, (w) => list(K.pods, w.namespace, `labelSelector=${encodeURIComponent(`app.kubernetes.io/name=${w.name}`)}`))],
    [1, using(appWorkload, (w) => get(K.replicasets, w.namespace, `${w.name}-${w.templateHash}`))],
    [0.5, using(appWorkload, (w, r) => watch(r, K.deployments, w.namespace, `metadata.name=${w.name}`))],
    [0.3, using(appWorkload, (w) => create(K.configmaps, w.namespace))],
    [0.3, using(appWorkload, (w, r) => create(K.jobs, w.namespace, migrationJob(w, r)))],
    [0.3, (r) => get(K.namespaces, undefined, r.pick(APP_NAMESPACES))],
    [0.05, () => withCode(list(K.secrets, 'kube-system'), 403)],
  ]);
  const helm = actor(ciIdentity('helm-deployer', 'Helm/3.15.2', 'ci-helm'), [
    [1, (r) => list(K.secrets, r.pick(APP_NAMESPACES), 'labelSelector=owner%3Dhelm')],
    [0.3, using(appWorkload, (w) => create(K.secrets, w.namespace))],
    [0.3, using(appWorkload, (w, r) => update(K.secrets, w.namespace, `sh.helm.release.v1.${w.name}.v${r.between(2, 90)}`))],
    [1, using(appWorkload, (w) => get(K.deployments, w.namespace, w.name))],
    [0.5, using(appWorkload, (w, r) => patch(K.deployments, w.namespace, w.name, imagePatch(w, r)))],
    [0.5, using(appWorkload, (w) => get(K.services, w.namespace, w.name))],
  ]);
  return [
    { weight: 3, actor: deployer },
    { weight: 1, actor: helm },
  ];
}

interface Person {
  name: string;
  group: string;
  userAgent: string;
  ips: string[];
  allowReason: string;
}

function person({ name, group, userAgent, ips, allowReason }: Person): (random: Random) => Identity {
  const user = { username: name, groups: [group, 'system:authenticated'] };
  return (random) => ({ user, userAgent, sourceIps: [random.pick(ips)], allowReason });
}

/** What kubectl sends for everyday work in a namespace: get, describe, logs, discovery. */
function kubectlHabits(world: ClusterWorld, namespaces: string[]): RequestMix {
  const workload = (r: Random): Workload => r.pick(workloadsIn(world, namespaces));
  const pod = (r: Random): Pod => r.pick(workload(r).pods);
  return [
    [4, (r) => list(K.pods, r.pick(namespaces))],
    [2, using(pod, (p) => get(K.pods, p.namespace, p.name))],
    [2, using(pod, (p) => ({ ...get(K.pods, p.namespace, p.name, 'log'), query: `container=${p.workload.name}&tailLines=200` }))],
    [1, (r) => list(K.events, r.pick(namespaces), `fieldSelector=${encodeURIComponent('involvedObject.kind=Pod')}`)],
    [2, using(workload, (w) => get(K.deployments, w.namespace, w.name))],
    [1, () => nonResource('/api')],
    [1, () => nonResource('/apis')],
    [0.3, using(pod, (p, r) => ({ ...watch(r, K.pods, p.namespace), streamMs: r.between(20, 900) * 1000 }))],
  ];
}

function changes(world: ClusterWorld, namespaces: string[]): RequestMix {
  const workload = (r: Random): Workload => r.pick(workloadsIn(world, namespaces));
  const pod = (r: Random): Pod => r.pick(workload(r).pods);
  return [
    [0.3, using(workload, (w, r) => patch(K.deployments, w.namespace, w.name, r.chance(0.5) ? scalePatch(r.between(2, 8)) : restartPatch('2025-06-02T10:00:00Z')))],
    [0.3, using(pod, (p) => remove(K.pods, p.namespace, p.name))],
    [0.1, using(pod, (p, r) => exec(r, p))],
  ];
}

function exec(random: Random, pod: Pod): ApiRequest {
  return {
    verb: 'create',
    target: { kind: K.pods, namespace: pod.namespace, name: pod.name, subresource: 'exec' },
    query: `command=sh&container=${pod.workload.name}&stdin=true&stdout=true&tty=true`,
    code: 101,
    level: 'Request',
    streamMs: random.between(10, 1_800) * 1000,
  };
}

export function people(world: ClusterWorld): Weighted {
  const all = world.namespaces;
  const alice = actor(
    person({ name: 'alice@example.com', group: 'oidc:platform-admins', userAgent: KUBECTL_MAC, ips: ['203.0.113.10', '198.51.100.23'], allowReason: rbacReason('ClusterRoleBinding "platform-admins"', 'ClusterRole "cluster-admin"', 'Group "oidc:platform-admins"') }),
    [
      ...kubectlHabits(world, APP_NAMESPACES.concat('monitoring', 'ingress-nginx')),
      ...changes(world, APP_NAMESPACES),
      [0.3, (r) => get(K.secrets, r.pick(APP_NAMESPACES), 'public-tls')],
      [0.2, (r) => list(K.secrets, r.pick(all))],
      [1, () => list(K.nodes)],
      [0.5, (r) => get(K.nodes, undefined, r.pick(world.nodes).name)],
      [0.05, (r) => create(K.rolebindings, 'payments', roleBinding('payments', r.pick(['bob@example.com', 'dave@example.com']), 'view'))],
    ],
  );
  const bob = actor(
    person({ name: 'bob@example.com', group: 'oidc:developers', userAgent: 'kubectl/v1.29.1 (linux/amd64) kubernetes/bc401b9', ips: ['203.0.113.44', '192.0.2.77'], allowReason: rbacReason('RoleBinding "developers/payments"', 'ClusterRole "edit"', 'Group "oidc:developers"') }),
    [
      ...kubectlHabits(world, ['payments', 'checkout']),
      ...changes(world, ['payments', 'checkout']),
      [0.4, () => withCode(list(K.pods, 'kube-system'), 403)],
      [0.3, using((r) => r.pick(workloadNamed(world, 'payments-api').secrets), (name) => withCode(get(K.secrets, 'payments', name), 403))],
      [0.2, () => withCode(list(K.nodes), 403)],
    ],
  );
  const carol = actor(
    person({ name: 'carol@example.com', group: 'oidc:sre', userAgent: 'k9s/v0.32.5 (darwin/arm64) kubernetes/$Format', ips: ['203.0.113.12'], allowReason: rbacReason('ClusterRoleBinding "sre"', 'ClusterRole "admin"', 'Group "oidc:sre"') }),
    [
      ...kubectlHabits(world, all.filter((ns) => ns !== 'kube-node-lease')),
      [3, (r) => watch(r, K.pods, r.pick(all))],
      [1, (r) => list(K.deployments, r.pick(all))],
      [0.5, () => list(K.nodes)],
      [0.2, using((r) => r.pick(r.pick(world.workloads).pods), (p) => remove(K.pods, p.namespace, p.name))],
    ],
  );
  const dave = actor(
    person({ name: 'dave@example.com', group: 'oidc:data-engineers', userAgent: 'kubectl/v1.28.4 (windows/amd64) kubernetes/bae2c62', ips: ['198.51.100.61'], allowReason: rbacReason('RoleBinding "data-engineers/data-pipeline"', 'ClusterRole "edit"', 'Group "oidc:data-engineers"') }),
    [
      ...kubectlHabits(world, ['data-pipeline']),
      [1, () => list(K.jobs, 'data-pipeline')],
      [0.3, (r) => remove(K.jobs, 'data-pipeline', `etl-${r.between(28_000_000, 28_999_999)}`)],
      [0.2, (r) => create(K.jobs, 'data-pipeline', migrationJob(workloadNamed(world, 'airflow-scheduler'), r))],
      [0.3, () => withCode(list(K.pods, 'payments'), 403)],
    ],
  );
  const erin = actor(
    person({ name: 'erin@example.com', group: 'oidc:security', userAgent: KUBECTL_MAC, ips: ['203.0.113.15'], allowReason: rbacReason('ClusterRoleBinding "security-auditors"', 'ClusterRole "view"', 'Group "oidc:security"') }),
    [
      [2, () => list(K.clusterrolebindings)],
      [2, () => list(K.rolebindings)],
      [1, (r) => list(K.roles, r.pick(all))],
      [1, (r) => get(K.clusterroles, undefined, r.pick(['cluster-admin', 'admin', 'edit', 'view', 'system:node']))],
      [0.5, (r) => withCode(list(K.secrets, r.pick(all)), 403)],
      [0.5, () => list(K.pods)],
    ],
  );
  const breakGlass = actor(
    { user: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] }, userAgent: KUBECTL_LINUX, sourceIps: ['10.0.0.5'], allowReason: '' },
    [
      [1, () => list(K.nodes)],
      [1, () => list(K.pods)],
      [0.2, (r) => get(K.configmaps, 'kube-system', r.pick(['kubeadm-config', 'kube-proxy', 'coredns']))],
    ],
  );
  return [
    { weight: 30, actor: alice },
    { weight: 25, actor: bob },
    { weight: 25, actor: carol },
    { weight: 12, actor: dave },
    { weight: 5, actor: erin },
    { weight: 0.5, actor: breakGlass },
  ];
}

export function anonymous(world: ClusterWorld): Weighted {
  const publicInfo = rbacReason('ClusterRoleBinding "system:public-info-viewer"', 'ClusterRole "system:public-info-viewer"', 'Group "system:unauthenticated"');
  const anonymousUser = { username: 'system:anonymous', groups: ['system:unauthenticated'] };
  const probes = actor(
    (r) => ({ user: anonymousUser, userAgent: 'kube-probe/1.29', sourceIps: [r.pick(world.controlPlaneIps)], allowReason: publicInfo }),
    [
      [5, () => nonResource('/livez')],
      [5, () => nonResource('/readyz')],
      [1, () => nonResource('/version')],
      [1, () => nonResource('/healthz')],
    ],
  );
  const scanner = actor(
    (r) => ({ user: anonymousUser, userAgent: r.pick(['python-requests/2.31.0', 'Go-http-client/1.1', 'curl/8.5.0']), sourceIps: [`185.220.101.${r.between(1, 254)}`], allowReason: publicInfo }),
    [
      [1, () => withCode(list(K.secrets, 'kube-system'), 403)],
      [1, () => withCode(list(K.pods), 403)],
      [1, () => nonResource('/version')],
      [0.5, () => withCode(nonResource('/'), 403)],
    ],
  );
  return [
    { weight: 10, actor: probes },
    { weight: 1, actor: scanner },
  ];
}
