import type { Random } from './random.js';

/**
 * The imaginary cluster the generated audit events describe: nodes, namespaces, workloads and
 * their pods. Built once from the seed, so names repeat across events as they do in a real
 * cluster (the same pod is read, patched and deleted by different actors).
 */
export interface ClusterWorld {
  nodes: Node[];
  workloads: Workload[];
  /** Namespaces that hold workloads, plus the system ones. */
  namespaces: string[];
  /** Addresses of the control-plane hosts (kube-controller-manager, kube-scheduler). */
  controlPlaneIps: string[];
}

export interface Node {
  name: string;
  ip: string;
  uid: string;
}

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet';

export interface Workload {
  namespace: string;
  name: string;
  kind: WorkloadKind;
  /** For Deployments: the pod-template hash of the current ReplicaSet. */
  templateHash: string;
  serviceAccount: string;
  image: string;
  pods: Pod[];
  configMaps: string[];
  secrets: string[];
}

export interface Pod {
  namespace: string;
  name: string;
  uid: string;
  node: Node;
  ip: string;
  workload: Workload;
}

/** namespace → [workload name, kind, replicas] — a typical mid-size production cluster. */
const LAYOUT: Record<string, Array<[string, WorkloadKind, number]>> = {
  'kube-system': [
    ['coredns', 'Deployment', 2],
    ['metrics-server', 'Deployment', 1],
    ['cilium-operator', 'Deployment', 2],
    ['kube-proxy', 'DaemonSet', 0],
    ['cilium', 'DaemonSet', 0],
    ['ebs-csi-node', 'DaemonSet', 0],
  ],
  'ingress-nginx': [['ingress-nginx-controller', 'Deployment', 3]],
  'cert-manager': [
    ['cert-manager', 'Deployment', 1],
    ['cert-manager-webhook', 'Deployment', 1],
    ['cert-manager-cainjector', 'Deployment', 1],
  ],
  'external-secrets': [['external-secrets', 'Deployment', 1]],
  monitoring: [
    ['prometheus-k8s', 'StatefulSet', 2],
    ['alertmanager-main', 'StatefulSet', 3],
    ['grafana', 'Deployment', 1],
    ['kube-state-metrics', 'Deployment', 1],
    ['node-exporter', 'DaemonSet', 0],
  ],
  argocd: [
    ['argocd-server', 'Deployment', 2],
    ['argocd-repo-server', 'Deployment', 2],
    ['argocd-application-controller', 'StatefulSet', 1],
  ],
  payments: [
    ['payments-api', 'Deployment', 4],
    ['payments-worker', 'Deployment', 3],
    ['ledger-service', 'StatefulSet', 3],
  ],
  checkout: [
    ['checkout-frontend', 'Deployment', 6],
    ['cart-service', 'Deployment', 4],
    ['checkout-api', 'Deployment', 4],
  ],
  search: [
    ['search-api', 'Deployment', 3],
    ['indexer', 'StatefulSet', 2],
  ],
  'data-pipeline': [
    ['airflow-scheduler', 'Deployment', 1],
    ['airflow-webserver', 'Deployment', 1],
    ['spark-operator', 'Deployment', 1],
  ],
  ci: [['github-runner', 'Deployment', 4]],
  default: [],
};

const SYSTEM_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease', 'default'];
const NODE_COUNT = 40;

export function buildClusterWorld(random: Random): ClusterWorld {
  const nodes = Array.from({ length: NODE_COUNT }, (_, i) => makeNode(random, i));
  const workloads: Workload[] = [];
  let podIndex = 0;
  for (const [namespace, entries] of Object.entries(LAYOUT)) {
    for (const [name, workloadKind, replicas] of entries) {
      const workload = makeWorkload(random, namespace, name, workloadKind);
      const podCount = workloadKind === 'DaemonSet' ? nodes.length : replicas;
      for (let i = 0; i < podCount; i++) {
        const node = workloadKind === 'DaemonSet' ? nodes[i] : nodes[podIndex++ % nodes.length];
        workload.pods.push(makePod(random, workload, node, i));
      }
      workloads.push(workload);
    }
  }
  const namespaces = [...new Set([...SYSTEM_NAMESPACES, ...Object.keys(LAYOUT)])];
  return { nodes, workloads, namespaces, controlPlaneIps: ['10.0.0.10', '10.0.0.11', '10.0.0.12'] };
}

function makeNode(random: Random, index: number): Node {
  const zone = 'abc'[index % 3];
  const subnet = 16 + (index % 3) * 16;
  return { name: `worker-${zone}-${String(index + 1).padStart(2, '0')}`, ip: `10.0.${subnet}.${random.between(4, 250)}`, uid: random.uuid() };
}

function makeWorkload(random: Random, namespace: string, name: string, workloadKind: WorkloadKind): Workload {
  const registry = namespace === 'kube-system' || namespace === 'monitoring' ? 'registry.k8s.io' : `registry.example.com/${namespace}`;
  return {
    namespace,
    name,
    kind: workloadKind,
    templateHash: random.k8sSuffix(10),
    serviceAccount: name,
    image: `${registry}/${name}:${random.between(1, 3)}.${random.between(0, 40)}.${random.between(0, 9)}`,
    pods: [],
    configMaps: ['kube-root-ca.crt', `${name}-config`],
    secrets: [`${name}-tls`, `${name}-credentials`],
  };
}

function makePod(random: Random, workload: Workload, node: Node, ordinal: number): Pod {
  const name =
    workload.kind === 'Deployment'
      ? `${workload.name}-${workload.templateHash}-${random.k8sSuffix(5)}`
      : workload.kind === 'StatefulSet'
        ? `${workload.name}-${ordinal}`
        : `${workload.name}-${random.k8sSuffix(5)}`;
  return {
    namespace: workload.namespace,
    name,
    uid: random.uuid(),
    node,
    ip: `10.244.${random.between(0, 63)}.${random.between(2, 254)}`,
    workload,
  };
}

export function workloadNamed(world: ClusterWorld, name: string): Workload {
  const workload = world.workloads.find((w) => w.name === name);
  if (workload === undefined) throw new Error(`the generated cluster has no workload "${name}"`);
  return workload;
}

export function workloadsIn(world: ClusterWorld, namespaces: readonly string[]): Workload[] {
  return world.workloads.filter((w) => namespaces.includes(w.namespace));
}

export function podsOn(world: ClusterWorld, node: Node): Pod[] {
  return world.workloads.flatMap((w) => w.pods).filter((pod) => pod.node === node);
}
