import { AuditWriter, Random, sortByTime, type Actor, type RawAuditEvent, type Target } from './audit-builder.js';

/**
 * One ordinary day (2026-03-02, UTC) of a small production cluster's API audit log, generated
 * deterministically: kubelets renewing leases and reporting status, controllers and the
 * scheduler doing their work (rollouts, CronJobs, garbage collection, namespace cleanup,
 * DaemonSet pods after a node reboot, certificate rotation), Argo CD, a CI deployer, Prometheus,
 * cert-manager, CoreDNS and kube-proxy watches, load-balancer health probes, and people at work:
 * a platform admin (kubectl, a shell for debugging, a Helm upgrade), a developer (logs,
 * port-forward, a few Forbidden), an SRE draining a node at night and a namespace being deleted.
 * Nothing in it is an attack: the built-in pack must raise no high or critical alert on it.
 */

export const DAY_START = Date.parse('2026-03-02T00:00:00Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
export const at = (hours: number, minutes = 0, seconds = 0): number => DAY_START + hours * HOUR + minutes * MINUTE + seconds * 1000;

const K8S_VERSION = 'v1.29.2';
const KUBECTL = `kubectl/${K8S_VERSION} (linux/amd64) kubernetes/4b8e819`;

export const NODES = [
  { name: 'cp-1', ip: '10.0.0.10' },
  { name: 'worker-1', ip: '10.0.1.11' },
  { name: 'worker-2', ip: '10.0.1.12' },
  { name: 'worker-3', ip: '10.0.1.13' },
];

export function nodeActor(name: string, ip: string): Actor {
  return { username: `system:node:${name}`, groups: ['system:nodes', 'system:authenticated'], ip, userAgent: `kubelet/${K8S_VERSION} (linux/amd64) kubernetes/4b8e819` };
}

export function controllerActor(name: string): Actor {
  return {
    username: `system:serviceaccount:kube-system:${name}`,
    groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'],
    ip: '10.0.0.10',
    userAgent: `kube-controller-manager/${K8S_VERSION} (linux/amd64) kubernetes/4b8e819/system:serviceaccount:kube-system:${name}`,
  };
}

export function serviceAccountActor(namespace: string, name: string, ip: string, userAgent: string): Actor {
  return {
    username: `system:serviceaccount:${namespace}:${name}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
    ip,
    userAgent,
  };
}

export function humanActor(email: string, ip: string, group: string, userAgent = KUBECTL): Actor {
  return { username: email, groups: ['system:authenticated', group], ip, userAgent };
}

export const PEOPLE = {
  alice: humanActor('alice@example.com', '10.20.0.15', 'platform-admins'),
  bob: humanActor('bob@example.com', '10.20.0.31', 'developers'),
  carol: humanActor('carol@example.com', '10.20.0.44', 'sre'),
  dave: humanActor('dave@example.com', '10.20.0.52', 'developers'),
};

export const WORKLOADS = {
  argocd: serviceAccountActor('argocd', 'argocd-application-controller', '10.244.1.20', 'argocd-application-controller/v2.10.1 (linux/amd64) kubernetes/abcdef0'),
  deployer: serviceAccountActor('ci', 'deployer', '10.244.2.40', KUBECTL),
  prometheus: serviceAccountActor('monitoring', 'prometheus', '10.244.3.4', 'Prometheus/2.49.1'),
  certManager: serviceAccountActor('cert-manager', 'cert-manager', '10.244.1.30', 'cert-manager-controller/v1.14.2 (linux/amd64) cert-manager/6e3f2a'),
  cainjector: serviceAccountActor('cert-manager', 'cert-manager-cainjector', '10.244.1.31', 'cainjector/v1.14.2 (linux/amd64) cert-manager/6e3f2a'),
  coredns: serviceAccountActor('kube-system', 'coredns', '10.244.0.3', 'coredns/v1.11.1 (linux/amd64) kubernetes/4b8e819'),
  frontend: serviceAccountActor('shop', 'frontend', '10.244.2.33', 'frontend/1.4.2 (go1.21.6) client-go/v0.29.2'),
};

const KCM: Actor = { username: 'system:kube-controller-manager', groups: ['system:authenticated'], ip: '10.0.0.10', userAgent: `kube-controller-manager/${K8S_VERSION} (linux/amd64) kubernetes/4b8e819/leader-election` };
const SCHEDULER: Actor = { username: 'system:kube-scheduler', groups: ['system:authenticated'], ip: '10.0.0.10', userAgent: `kube-scheduler/${K8S_VERSION} (linux/amd64) kubernetes/4b8e819/scheduler` };
const LOAD_BALANCER: Actor = { username: 'system:anonymous', groups: ['system:unauthenticated'], ip: '10.0.0.2', userAgent: 'ELB-HealthChecker/2.0' };

const APPS = [
  { namespace: 'payments', name: 'api', image: 'registry.example.com/payments/api' },
  { namespace: 'shop', name: 'frontend', image: 'registry.example.com/shop/frontend' },
  { namespace: 'shop', name: 'cart', image: 'registry.example.com/shop/cart' },
];

/** The node agents every node runs, recreated by the DaemonSet controller after a reboot. */
const DAEMONSET_PODS = [
  {
    name: 'kube-proxy',
    namespace: 'kube-system',
    spec: {
      hostNetwork: true,
      containers: [{ name: 'kube-proxy', image: `registry.k8s.io/kube-proxy:${K8S_VERSION}`, securityContext: { privileged: true } }],
      volumes: [{ name: 'lib-modules', hostPath: { path: '/lib/modules' } }, { name: 'xtables-lock', hostPath: { path: '/run/xtables.lock', type: 'FileOrCreate' } }],
    },
  },
  {
    name: 'calico-node',
    namespace: 'kube-system',
    spec: {
      hostNetwork: true,
      initContainers: [{ name: 'install-cni', image: 'docker.io/calico/cni:v3.27.0', securityContext: { privileged: true } }],
      containers: [{ name: 'calico-node', image: 'docker.io/calico/node:v3.27.0', securityContext: { privileged: true } }],
      volumes: [
        { name: 'var-run-calico', hostPath: { path: '/var/run/calico' } },
        { name: 'var-lib-calico', hostPath: { path: '/var/lib/calico' } },
        { name: 'cni-net-dir', hostPath: { path: '/etc/cni/net.d' } },
      ],
    },
  },
  {
    name: 'fluent-bit',
    namespace: 'logging',
    spec: {
      containers: [{ name: 'fluent-bit', image: 'cr.fluentbit.io/fluent/fluent-bit:2.2.2' }],
      volumes: [{ name: 'varlog', hostPath: { path: '/var/log' } }, { name: 'containers', hostPath: { path: '/var/lib/docker/containers' } }],
    },
  },
  {
    name: 'node-exporter',
    namespace: 'monitoring',
    spec: {
      hostNetwork: true,
      hostPID: true,
      containers: [{ name: 'node-exporter', image: 'quay.io/prometheus/node-exporter:v1.7.0' }],
      volumes: [{ name: 'proc', hostPath: { path: '/proc' } }, { name: 'sys', hostPath: { path: '/sys' } }, { name: 'root', hostPath: { path: '/' } }],
    },
  },
];

export function normalDay(seed = 20260302): RawAuditEvent[] {
  const random = new Random(seed);
  const day = new Day(new AuditWriter(random), random);
  day.nodeHeartbeats();
  day.leaderElection();
  day.healthProbes();
  day.monitoring();
  day.argocdSyncs();
  day.watches();
  day.cronJobs();
  day.deployments();
  day.platformAdmin();
  day.developer();
  day.nightDrain();
  day.namespaceCleanup();
  day.certificates();
  day.frontendConfig();
  const endOfDay = new Date(at(24)).toISOString();
  return sortByTime(day.writer.events.filter((event) => String(event.requestReceivedTimestamp) < endOfDay));
}

class Day {
  constructor(
    readonly writer: AuditWriter,
    private readonly random: Random,
  ) {}

  private jitter(maxSeconds: number): number {
    return this.random.int(0, maxSeconds * 1000);
  }

  nodeHeartbeats(): void {
    for (const node of NODES) {
      const kubelet = nodeActor(node.name, node.ip);
      for (let t = at(0) + this.jitter(10); t < at(24); t += 120_000 + this.jitter(3)) {
        if (node.name === 'worker-3' && t > at(3, 20) && t < at(3, 24)) continue; // rebooting
        this.writer.request(t, kubelet, 'update', { resource: 'leases', namespace: 'kube-node-lease', name: node.name, group: 'coordination.k8s.io' });
      }
      for (let t = at(0) + this.jitter(60); t < at(24); t += 10 * MINUTE) {
        this.writer.request(t, kubelet, 'patch', { resource: 'nodes', name: node.name, subresource: 'status' });
      }
    }
  }

  leaderElection(): void {
    for (let t = at(0) + this.jitter(30); t < at(24); t += 5 * MINUTE) {
      this.writer.request(t, KCM, 'update', { resource: 'leases', namespace: 'kube-system', name: 'kube-controller-manager', group: 'coordination.k8s.io' });
      this.writer.request(t + 1500, SCHEDULER, 'update', { resource: 'leases', namespace: 'kube-system', name: 'kube-scheduler', group: 'coordination.k8s.io' });
    }
  }

  healthProbes(): void {
    for (let t = at(0) + this.jitter(20); t < at(24); t += 5 * MINUTE) {
      this.writer.request(t, LOAD_BALANCER, 'get', undefined, { path: '/readyz' });
      this.writer.request(t + 200, LOAD_BALANCER, 'get', undefined, { path: '/livez' });
    }
  }

  monitoring(): void {
    const prometheus = WORKLOADS.prometheus;
    for (let t = at(0) + this.jitter(30); t < at(24); t += 15 * MINUTE) {
      for (const node of NODES) {
        this.writer.request(t + this.jitter(5), prometheus, 'get', { resource: 'nodes', name: node.name, subresource: 'proxy' }, { path: `/api/v1/nodes/${node.name}/proxy/metrics` });
        this.writer.request(t + this.jitter(5), prometheus, 'get', { resource: 'nodes', name: node.name, subresource: 'proxy' }, { path: `/api/v1/nodes/${node.name}/proxy/metrics/cadvisor` });
      }
    }
    for (let t = at(0, 3); t < at(24); t += 30 * MINUTE) {
      this.writer.request(t, prometheus, 'list', { resource: 'pods' }, { query: 'limit=500&resourceVersion=0' });
      this.writer.request(t + 300, prometheus, 'watch', { resource: 'pods' }, { query: 'allowWatchBookmarks=true&resourceVersion=48812&timeout=9m&watch=true' });
    }
  }

  argocdSyncs(): void {
    for (let t = at(0, 2) + this.jitter(60); t < at(24); t += 10 * MINUTE) {
      for (const app of APPS) {
        this.writer.request(t + this.jitter(10), WORKLOADS.argocd, 'get', { resource: 'deployments', namespace: app.namespace, name: app.name, group: 'apps' });
      }
      this.writer.request(t + this.jitter(10), WORKLOADS.argocd, 'list', { resource: 'configmaps', namespace: 'shop' });
    }
  }

  watches(): void {
    for (let t = at(0, 7); t < at(24); t += 45 * MINUTE + this.jitter(300)) {
      this.writer.request(t, WORKLOADS.coredns, 'watch', { resource: 'endpointslices', group: 'discovery.k8s.io' }, { query: 'allowWatchBookmarks=true&resourceVersion=48001&watch=true' });
      this.writer.request(t + 500, WORKLOADS.coredns, 'watch', { resource: 'services' }, { query: 'allowWatchBookmarks=true&resourceVersion=48002&watch=true' });
      for (const node of NODES) {
        const proxy = serviceAccountActor('kube-system', 'kube-proxy', node.ip, `kube-proxy/${K8S_VERSION} (linux/amd64) kubernetes/4b8e819`);
        this.writer.request(t + this.jitter(60), proxy, 'watch', { resource: 'endpointslices', group: 'discovery.k8s.io' }, { query: 'labelSelector=%21service.kubernetes.io%2Fheadless&watch=true' });
      }
    }
  }

  /** A CronJob backup every 15 minutes: Job, Pod, binding, token, status, cleanup an hour later. */
  cronJobs(): void {
    for (let t = at(0, 0, 1); t < at(24); t += 15 * MINUTE) {
      const name = `backup-${Math.floor(t / 60_000)}`;
      const node = this.random.pick(NODES.slice(1));
      this.writer.request(t, controllerActor('cronjob-controller'), 'create', { resource: 'jobs', namespace: 'payments', group: 'batch' }, {
        requestObject: { kind: 'Job', metadata: { name }, spec: { template: { spec: { containers: [{ name: 'backup', image: 'registry.example.com/payments/backup:2.3.0' }], restartPolicy: 'OnFailure' } } } },
      });
      this.podLifecycle(t + 300, 'payments', `${name}-${this.random.hex(5)}`, 'registry.example.com/payments/backup:2.3.0', controllerActor('job-controller'), node);
      this.writer.request(t + 45_000, controllerActor('job-controller'), 'update', { resource: 'jobs', namespace: 'payments', name, group: 'batch', subresource: 'status' });
      this.writer.request(t + HOUR, controllerActor('ttl-after-finished-controller'), 'delete', { resource: 'jobs', namespace: 'payments', name, group: 'batch' });
      this.writer.request(t + HOUR + 400, controllerActor('generic-garbage-collector'), 'delete', { resource: 'pods', namespace: 'payments', name: `${name}-pod` });
    }
  }

  private podLifecycle(t: number, namespace: string, pod: string, image: string, creator: Actor, node: { name: string; ip: string }): void {
    this.writer.request(t, creator, 'create', { resource: 'pods', namespace }, {
      requestObject: {
        kind: 'Pod',
        metadata: { generateName: `${pod.slice(0, pod.lastIndexOf('-'))}-`, namespace },
        spec: { containers: [{ name: 'main', image, securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false } }], serviceAccountName: 'default' },
      },
    });
    this.writer.request(t + 20, SCHEDULER, 'create', { resource: 'pods', namespace, name: pod, subresource: 'binding' });
    const kubelet = nodeActor(node.name, node.ip);
    this.writer.request(t + 900, kubelet, 'create', { resource: 'serviceaccounts', namespace, name: 'default', subresource: 'token' });
    this.writer.request(t + 1100, kubelet, 'get', { resource: 'configmaps', namespace, name: 'kube-root-ca.crt' });
    this.writer.request(t + 2500, kubelet, 'patch', { resource: 'pods', namespace, name: pod, subresource: 'status' });
    this.writer.request(t + 2600, kubelet, 'create', { resource: 'events', namespace }, { code: 201 });
  }

  /** The CI deployer rolls out an app: read the registry secret, new config, patch, clean old config. */
  deployments(): void {
    const runs = [at(9, 12), at(10, 3), at(11, 41), at(13, 5), at(14, 22), at(15, 48), at(16, 30), at(17, 55)];
    runs.forEach((start, run) => {
      const app = APPS[run % APPS.length];
      const deployer = { ...WORKLOADS.deployer, ip: `10.244.2.${40 + run}` };
      const revision = 40 + run;
      this.writer.request(start, deployer, 'get', { resource: 'secrets', namespace: 'ci', name: 'registry-credentials' });
      this.writer.request(start + 800, deployer, 'get', { resource: 'deployments', namespace: app.namespace, name: app.name, group: 'apps' });
      this.writer.request(start + 1500, deployer, 'create', { resource: 'configmaps', namespace: app.namespace }, {
        requestObject: { kind: 'ConfigMap', metadata: { name: `${app.name}-config-${revision}` }, data: { 'app.yaml': 'logLevel: info\nfeatureFlags: [checkout-v2]\n' } },
      });
      this.writer.request(start + 2500, deployer, 'patch', { resource: 'deployments', namespace: app.namespace, name: app.name, group: 'apps' }, {
        requestObject: { spec: { template: { spec: { containers: [{ name: app.name, image: `${app.image}:1.8.${revision}` }] } } } },
      });
      const replicaSet = `${app.name}-${this.random.hex(9)}`;
      this.writer.request(start + 2700, controllerActor('deployment-controller'), 'create', { resource: 'replicasets', namespace: app.namespace, group: 'apps' }, {
        requestObject: { kind: 'ReplicaSet', metadata: { name: replicaSet }, spec: { replicas: 3, template: { spec: { containers: [{ name: app.name, image: `${app.image}:1.8.${revision}` }] } } } },
      });
      for (let replica = 0; replica < 3; replica++) {
        const node = NODES[1 + replica];
        this.podLifecycle(start + 3000 + replica * 20_000, app.namespace, `${replicaSet}-${this.random.hex(5)}`, `${app.image}:1.8.${revision}`, controllerActor('replicaset-controller'), node);
        this.writer.request(start + 15_000 + replica * 20_000, controllerActor('replicaset-controller'), 'delete', { resource: 'pods', namespace: app.namespace, name: `${app.name}-old-${replica}` });
      }
      for (let old = 0; old < 12; old++) {
        this.writer.request(start + 80_000 + old * 600, deployer, 'delete', { resource: 'configmaps', namespace: app.namespace, name: `${app.name}-config-${revision - 15 + old}` });
      }
      this.writer.request(start + 90_000, deployer, 'create', { resource: 'jobs', namespace: app.namespace, group: 'batch' }, {
        requestObject: { kind: 'Job', metadata: { name: `${app.name}-migrate-${revision}` }, spec: { template: { spec: { containers: [{ name: 'migrate', image: `${app.image}:1.8.${revision}`, command: ['/app/migrate'] }] } } } },
      });
      this.podLifecycle(start + 90_500, app.namespace, `${app.name}-migrate-${revision}-${this.random.hex(5)}`, `${app.image}:1.8.${revision}`, controllerActor('job-controller'), NODES[2]);
    });
  }

  /** Alice: kubectl sessions, a shell into an API pod while debugging, a Helm upgrade of monitoring. */
  platformAdmin(): void {
    const alice = PEOPLE.alice;
    for (const start of [at(9, 15), at(11, 0), at(14, 0), at(16, 30)]) {
      for (let i = 0; i < 15; i++) {
        const t = start + i * 20_000 + this.jitter(10);
        const app = this.random.pick(APPS);
        const [verb, target]: [string, Target] = this.random.pick([
          ['list', { resource: 'pods', namespace: app.namespace }],
          ['get', { resource: 'deployments', namespace: app.namespace, name: app.name, group: 'apps' }],
          ['list', { resource: 'nodes' }],
          ['list', { resource: 'events', namespace: app.namespace }],
          ['get', { resource: 'pods', namespace: app.namespace, name: `${app.name}-7d9c-x2x`, subresource: 'log' }],
        ] as Array<[string, Target]>);
        this.writer.request(t, alice, verb, target);
      }
    }
    this.writer.request(at(11, 6), alice, 'create', { resource: 'pods', namespace: 'payments', name: 'api-7d9c-x2x', subresource: 'exec' }, { query: 'command=sh&container=api&stdin=true&stdout=true&tty=true' });
    this.writer.request(at(11, 20), alice, 'delete', { resource: 'pods', namespace: 'payments', name: 'api-7d9c-x2x' });
    this.helmUpgrade(at(14, 10));
  }

  private helmUpgrade(t: number): void {
    const helm = { ...PEOPLE.alice, userAgent: 'Helm/3.14.2' };
    this.writer.request(t, helm, 'list', { resource: 'secrets', namespace: 'monitoring' }, { query: 'labelSelector=name%3Dkube-prometheus%2Cowner%3Dhelm' });
    this.writer.request(t + 400, helm, 'get', { resource: 'secrets', namespace: 'monitoring', name: 'sh.helm.release.v1.kube-prometheus.v7' });
    this.writer.request(t + 1200, helm, 'create', { resource: 'secrets', namespace: 'monitoring' });
    const nodeExporter = DAEMONSET_PODS[3];
    this.writer.request(t + 2000, helm, 'patch', { resource: 'daemonsets', namespace: 'monitoring', name: 'node-exporter', group: 'apps' }, {
      requestObject: { kind: 'DaemonSet', spec: { template: { spec: nodeExporter.spec } } },
    });
    this.writer.request(t + 2300, helm, 'patch', { resource: 'deployments', namespace: 'monitoring', name: 'prometheus-operator', group: 'apps' }, {
      requestObject: { spec: { template: { spec: { containers: [{ name: 'operator', image: 'quay.io/prometheus-operator/prometheus-operator:v0.71.2' }] } } } },
    });
    this.writer.request(t + 2600, helm, 'update', { resource: 'secrets', namespace: 'monitoring', name: 'sh.helm.release.v1.kube-prometheus.v8' });
    NODES.forEach((node, i) => this.daemonPod(t + 5000 + i * 8000, nodeExporter, node));
  }

  private daemonPod(t: number, pod: (typeof DAEMONSET_PODS)[number], node: { name: string; ip: string }): void {
    const name = `${pod.name}-${this.random.hex(5)}`;
    this.writer.request(t, controllerActor('daemon-set-controller'), 'create', { resource: 'pods', namespace: pod.namespace }, {
      requestObject: { kind: 'Pod', metadata: { generateName: `${pod.name}-`, namespace: pod.namespace }, spec: { ...pod.spec, nodeName: node.name } },
    });
    const kubelet = nodeActor(node.name, node.ip);
    this.writer.request(t + 700, kubelet, 'create', { resource: 'serviceaccounts', namespace: pod.namespace, name: pod.name, subresource: 'token' });
    this.writer.request(t + 2100, kubelet, 'patch', { resource: 'pods', namespace: pod.namespace, name, subresource: 'status' });
  }

  /** Bob: logs and pods in shop, a port-forward to the database, three Forbidden, a pod restart. */
  developer(): void {
    const bob = PEOPLE.bob;
    for (let start = at(10, 0); start < at(18, 0); start += 35 * MINUTE + this.jitter(300)) {
      for (let i = 0; i < 6; i++) {
        const t = start + i * 15_000;
        const [verb, target]: [string, Target] = this.random.pick([
          ['list', { resource: 'pods', namespace: 'shop' }],
          ['get', { resource: 'pods', namespace: 'shop', name: 'cart-5f7b-kq2', subresource: 'log' }],
          ['get', { resource: 'deployments', namespace: 'shop', name: 'cart', group: 'apps' }],
          ['list', { resource: 'configmaps', namespace: 'shop' }],
        ] as Array<[string, Target]>);
        this.writer.request(t, bob, verb, target);
      }
    }
    this.writer.request(at(11, 30), bob, 'delete', { resource: 'pods', namespace: 'shop', name: 'cart-5f7b-kq2' });
    this.writer.request(at(11, 31), bob, 'delete', { resource: 'pods', namespace: 'shop', name: 'cart-5f7b-zz9' });
    this.writer.request(at(13, 0), bob, 'list', { resource: 'secrets', namespace: 'kube-system' }, { code: 403 });
    this.writer.request(at(13, 1), bob, 'get', { resource: 'nodes', name: 'worker-1' }, { code: 403 });
    this.writer.request(at(13, 3), bob, 'list', { resource: 'clusterroles', group: 'rbac.authorization.k8s.io' }, { code: 403 });
    this.writer.request(at(15, 0), bob, 'create', { resource: 'pods', namespace: 'shop', name: 'cart-db-0', subresource: 'portforward' });
    this.writer.request(at(15, 40), bob, 'create', { resource: 'configmaps', namespace: 'shop' }, { requestObject: { kind: 'ConfigMap', metadata: { name: 'bob-scratch' }, data: { note: 'trying cart timeouts' } } });
    this.writer.request(at(15, 52), bob, 'delete', { resource: 'configmaps', namespace: 'shop', name: 'bob-scratch' });
  }

  /** Carol drains worker-3 at night for a kernel update; DaemonSet pods come back after the reboot. */
  nightDrain(): void {
    const carol = PEOPLE.carol;
    this.writer.request(at(3, 10), carol, 'list', { resource: 'nodes' });
    this.writer.request(at(3, 11), carol, 'patch', { resource: 'nodes', name: 'worker-3' }, { requestObject: { spec: { unschedulable: true } } });
    for (let i = 0; i < 6; i++) {
      this.writer.request(at(3, 11, 20 + i * 3), carol, 'create', { resource: 'pods', namespace: this.random.pick(['shop', 'payments']), name: `pod-on-worker-3-${i}`, subresource: 'eviction', group: '' });
    }
    for (const [i, pod] of DAEMONSET_PODS.entries()) this.daemonPod(at(3, 25, i * 5), pod, NODES[3]);
    this.writer.request(at(3, 32), carol, 'patch', { resource: 'nodes', name: 'worker-3' }, { requestObject: { spec: { unschedulable: null } } });
    const cp = NODES[0];
    this.writer.request(at(2, 30), nodeActor(cp.name, cp.ip), 'create', { resource: 'pods', namespace: 'kube-system', name: `kube-apiserver-${cp.name}` }, {
      requestObject: {
        kind: 'Pod',
        metadata: { name: `kube-apiserver-${cp.name}`, namespace: 'kube-system', annotations: { 'kubernetes.io/config.source': 'file' } },
        spec: {
          hostNetwork: true,
          containers: [{ name: 'kube-apiserver', image: `registry.k8s.io/kube-apiserver:${K8S_VERSION}` }],
          volumes: [{ name: 'k8s-certs', hostPath: { path: '/etc/kubernetes/pki' } }, { name: 'ca-certs', hostPath: { path: '/etc/ssl/certs' } }],
        },
      },
    });
  }

  /** Dave removes a finished feature namespace; the namespace controller deletes its contents. */
  namespaceCleanup(): void {
    this.writer.request(at(16, 0), PEOPLE.dave, 'delete', { resource: 'namespaces', name: 'feature-42' });
    const namespaceController = controllerActor('namespace-controller');
    const kinds: Target[] = [
      { resource: 'deployments', group: 'apps' },
      { resource: 'replicasets', group: 'apps' },
      { resource: 'services' },
      { resource: 'configmaps' },
      { resource: 'secrets' },
      { resource: 'serviceaccounts' },
      { resource: 'rolebindings', group: 'rbac.authorization.k8s.io' },
    ];
    let t = at(16, 0, 2);
    for (const kind of kinds) {
      for (let i = 0; i < 8; i++) {
        this.writer.request((t += 300), namespaceController, 'delete', { ...kind, namespace: 'feature-42', name: `${kind.resource}-${i}` });
      }
    }
    this.writer.request((t += 300), namespaceController, 'deletecollection', { resource: 'events', namespace: 'feature-42' });
    for (let i = 0; i < 12; i++) {
      this.writer.request((t += 200), controllerActor('generic-garbage-collector'), 'delete', { resource: 'pods', namespace: 'feature-42', name: `web-${i}` });
    }
  }

  /** cert-manager's informers and a renewal; a kubelet client-certificate rotation. */
  certificates(): void {
    const certManager = WORKLOADS.certManager;
    this.writer.request(at(0, 5), certManager, 'list', { resource: 'secrets' }, { query: 'limit=500&resourceVersion=0' });
    for (let t = at(0, 5, 2); t < at(24); t += HOUR) {
      this.writer.request(t, certManager, 'watch', { resource: 'secrets' }, { query: 'allowWatchBookmarks=true&resourceVersion=47120&timeoutSeconds=3540&watch=true' });
    }
    this.writer.request(at(6, 0), certManager, 'update', { resource: 'secrets', namespace: 'shop', name: 'frontend-tls' });
    this.writer.request(at(6, 1), WORKLOADS.cainjector, 'patch', { resource: 'validatingwebhookconfigurations', name: 'cert-manager-webhook', group: 'admissionregistration.k8s.io' });
    const worker2 = NODES[2];
    this.writer.request(at(12, 0), nodeActor(worker2.name, worker2.ip), 'create', { resource: 'certificatesigningrequests', group: 'certificates.k8s.io' });
    this.writer.request(at(12, 0, 1), controllerActor('certificate-controller'), 'update', { resource: 'certificatesigningrequests', name: 'csr-8x2kq', subresource: 'approval', group: 'certificates.k8s.io' });
    this.writer.request(at(12, 0, 2), controllerActor('certificate-controller'), 'update', { resource: 'certificatesigningrequests', name: 'csr-8x2kq', subresource: 'status', group: 'certificates.k8s.io' });
  }

  frontendConfig(): void {
    for (let t = at(0, 11); t < at(24); t += 30 * MINUTE) {
      this.writer.request(t, WORKLOADS.frontend, 'get', { resource: 'configmaps', namespace: 'shop', name: 'frontend-flags' });
    }
  }
}
