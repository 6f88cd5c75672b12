import type { V1DaemonSet, V1Node, V1Pod } from '@kubernetes/client-node';
import type { Finding } from './findings.js';

/**
 * Live cluster state that decides whether logs are collected everywhere: the nodes, and the
 * DaemonSets of log collectors and security agents with their pods' readiness per node.
 * Read-only: three list calls (nodes, DaemonSets, the collectors' pods).
 */

export interface NodeState {
  name: string;
  ready: boolean;
  /** Has a NoSchedule/NoExecute taint (control-plane nodes): DaemonSets without tolerations skip it. */
  tainted: boolean;
}

export interface CollectorState {
  namespace: string;
  name: string;
  images: string[];
  desired: number;
  ready: number;
  /** Node name → whether the collector's pod on it is ready. */
  podsByNode: Map<string, boolean>;
}

export interface ClusterSnapshot {
  server: string;
  nodes: NodeState[];
  collectors: CollectorState[];
}

/** Log shippers and security agents, by DaemonSet name or image. */
const COLLECTOR = /fluent-?bit|fluentd|vector|promtail|filebeat|auditbeat|logstash|falco|tetragon|otel|opentelemetry-collector|alloy|grafana-agent|datadog|splunk|elastic-agent|cloudwatch-agent|log-?collector|log-?shipper|vigil/i;

export async function readCluster(kubeconfigPath: string): Promise<ClusterSnapshot> {
  // Loaded here, not at start-up: the client library takes about a second to import.
  const { AppsV1Api, CoreV1Api, KubeConfig } = await import('@kubernetes/client-node');
  const config = new KubeConfig();
  config.loadFromFile(kubeconfigPath);
  const server = config.getCurrentCluster()?.server ?? '(no current cluster)';
  const core = config.makeApiClient(CoreV1Api);
  const apps = config.makeApiClient(AppsV1Api);
  const [nodeList, daemonSets] = await Promise.all([core.listNode(), apps.listDaemonSetForAllNamespaces()]);
  const collectors: CollectorState[] = [];
  for (const daemonSet of daemonSets.items.filter(isCollector)) {
    const namespace = daemonSet.metadata?.namespace ?? 'default';
    const selector = Object.entries(daemonSet.spec?.selector?.matchLabels ?? {})
      .map(([key, value]) => `${key}=${value}`)
      .join(',');
    const pods = await core.listNamespacedPod({ namespace, labelSelector: selector === '' ? undefined : selector });
    collectors.push(collectorState(daemonSet, pods.items));
  }
  return { server, nodes: nodeList.items.map(nodeState), collectors };
}

function isCollector(daemonSet: V1DaemonSet): boolean {
  const images = daemonSet.spec?.template?.spec?.containers?.map((container) => container.image ?? '') ?? [];
  return [daemonSet.metadata?.name ?? '', ...images].some((text) => COLLECTOR.test(text));
}

function nodeState(node: V1Node): NodeState {
  const ready = node.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ?? false;
  const tainted = node.spec?.taints?.some((taint) => taint.effect === 'NoSchedule' || taint.effect === 'NoExecute') ?? false;
  return { name: node.metadata?.name ?? '', ready, tainted };
}

function collectorState(daemonSet: V1DaemonSet, pods: readonly V1Pod[]): CollectorState {
  const uid = daemonSet.metadata?.uid;
  const podsByNode = new Map<string, boolean>();
  for (const pod of pods) {
    const owned = uid === undefined || (pod.metadata?.ownerReferences ?? []).some((owner) => owner.uid === uid);
    const node = pod.spec?.nodeName;
    if (!owned || node === undefined) continue;
    const ready = pod.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ?? false;
    podsByNode.set(node, (podsByNode.get(node) ?? false) || ready);
  }
  return {
    namespace: daemonSet.metadata?.namespace ?? 'default',
    name: daemonSet.metadata?.name ?? '',
    images: daemonSet.spec?.template?.spec?.containers?.map((container) => container.image ?? '') ?? [],
    desired: daemonSet.status?.desiredNumberScheduled ?? 0,
    ready: daemonSet.status?.numberReady ?? 0,
    podsByNode,
  };
}

export function clusterFindings(snapshot: ClusterSnapshot, kubeconfigPath: string): Finding[] {
  const location = { file: kubeconfigPath };
  if (snapshot.collectors.length === 0) {
    return [
      {
        id: 'collector-absent',
        severity: 'high',
        title: 'No log collector runs in the cluster',
        evidence: [`${snapshot.server}: none of the ${snapshot.nodes.length} node(s) runs a log shipper or security agent DaemonSet (Fluent Bit, Vector, Promtail, Falco, Tetragon, OpenTelemetry collector, …)`],
        fix: 'Deploy a log collector DaemonSet that ships container and node logs to Vigil (see deploy/), unless your provider collects them.',
        location,
      },
    ];
  }
  return snapshot.collectors.flatMap((collector) => collectorFindings(collector, snapshot.nodes, location));
}

function collectorFindings(collector: CollectorState, nodes: readonly NodeState[], location: { file: string }): Finding[] {
  const label = `${collector.namespace}/${collector.name}`;
  const findings: Finding[] = [];
  const missing = nodes.filter((node) => !collector.podsByNode.has(node.name));
  if (missing.length > 0) {
    const schedulable = missing.filter((node) => !node.tainted);
    findings.push({
      id: 'collector-missing-on-nodes',
      severity: schedulable.length > 0 ? 'high' : 'low',
      title: `Log collector ${label} does not run on ${missing.length} of ${nodes.length} node(s)`,
      evidence: [
        ...missing.map((node) => `${node.name}: no ${collector.name} pod${node.tainted ? ' (node is tainted; the DaemonSet may lack a toleration)' : ''}${node.ready ? '' : ' (node NotReady)'}`),
        `DaemonSet status: ${collector.ready} ready of ${collector.desired} desired`,
      ],
      fix:
        schedulable.length > 0
          ? `Find why ${collector.name} is not scheduled there (kubectl -n ${collector.namespace} describe ds ${collector.name}; node selectors, resources); logs from those nodes are not collected.`
          : `Add tolerations to ${collector.name} if the logs of tainted (control-plane) nodes should be collected.`,
      location,
      subject: label,
    });
  }
  const notReady = [...collector.podsByNode].filter(([, ready]) => !ready).map(([node]) => node);
  if (notReady.length > 0) {
    findings.push({
      id: 'collector-not-ready',
      severity: 'medium',
      title: `Log collector ${label} not ready on ${notReady.length} node(s)`,
      evidence: notReady.map((node) => `${node}: ${collector.name} pod is not Ready`),
      fix: `kubectl -n ${collector.namespace} get pods -o wide | grep ${collector.name}; read the pod's events and logs.`,
      location,
      subject: label,
    });
  }
  return findings;
}
