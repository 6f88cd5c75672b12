/**
 * What Vigil knows about built-in Kubernetes resources: their API group(s) and scope. Rules name
 * resources without a group (`resource: deployments`) while audit policies select by group, so
 * the simulator needs the group a request for that resource carries.
 */

const GROUPS_OF_RESOURCE: Readonly<Record<string, readonly string[]>> = {
  pods: [''],
  services: [''],
  secrets: [''],
  configmaps: [''],
  serviceaccounts: [''],
  namespaces: [''],
  nodes: [''],
  endpoints: [''],
  persistentvolumes: [''],
  persistentvolumeclaims: [''],
  replicationcontrollers: [''],
  podtemplates: [''],
  limitranges: [''],
  resourcequotas: [''],
  events: ['', 'events.k8s.io'],
  deployments: ['apps'],
  daemonsets: ['apps'],
  statefulsets: ['apps'],
  replicasets: ['apps'],
  controllerrevisions: ['apps'],
  jobs: ['batch'],
  cronjobs: ['batch'],
  roles: ['rbac.authorization.k8s.io'],
  rolebindings: ['rbac.authorization.k8s.io'],
  clusterroles: ['rbac.authorization.k8s.io'],
  clusterrolebindings: ['rbac.authorization.k8s.io'],
  mutatingwebhookconfigurations: ['admissionregistration.k8s.io'],
  validatingwebhookconfigurations: ['admissionregistration.k8s.io'],
  validatingadmissionpolicies: ['admissionregistration.k8s.io'],
  validatingadmissionpolicybindings: ['admissionregistration.k8s.io'],
  certificatesigningrequests: ['certificates.k8s.io'],
  selfsubjectrulesreviews: ['authorization.k8s.io'],
  selfsubjectaccessreviews: ['authorization.k8s.io'],
  subjectaccessreviews: ['authorization.k8s.io'],
  localsubjectaccessreviews: ['authorization.k8s.io'],
  tokenreviews: ['authentication.k8s.io'],
  selfsubjectreviews: ['authentication.k8s.io'],
  leases: ['coordination.k8s.io'],
  networkpolicies: ['networking.k8s.io'],
  ingresses: ['networking.k8s.io'],
  ingressclasses: ['networking.k8s.io'],
  endpointslices: ['discovery.k8s.io'],
  poddisruptionbudgets: ['policy'],
  storageclasses: ['storage.k8s.io'],
  csidrivers: ['storage.k8s.io'],
  customresourcedefinitions: ['apiextensions.k8s.io'],
  apiservices: ['apiregistration.k8s.io'],
  runtimeclasses: ['node.k8s.io'],
  priorityclasses: ['scheduling.k8s.io'],
  horizontalpodautoscalers: ['autoscaling'],
};

const CLUSTER_SCOPED = new Set([
  'namespaces',
  'nodes',
  'persistentvolumes',
  'clusterroles',
  'clusterrolebindings',
  'mutatingwebhookconfigurations',
  'validatingwebhookconfigurations',
  'validatingadmissionpolicies',
  'validatingadmissionpolicybindings',
  'certificatesigningrequests',
  'selfsubjectrulesreviews',
  'selfsubjectaccessreviews',
  'subjectaccessreviews',
  'tokenreviews',
  'selfsubjectreviews',
  'ingressclasses',
  'storageclasses',
  'csidrivers',
  'customresourcedefinitions',
  'apiservices',
  'runtimeclasses',
  'priorityclasses',
]);

/** The API groups serving a resource; undefined for resources Vigil does not know (CRDs). */
export function groupsOfResource(resource: string): readonly string[] | undefined {
  return GROUPS_OF_RESOURCE[resource];
}

export function isClusterScoped(resource: string): boolean {
  return CLUSTER_SCOPED.has(resource);
}

/** Namespaces a namespaced resource typically lives in, to stand for "any namespace". */
export function exampleNamespacesOf(resource: string): readonly string[] {
  return resource === 'leases' ? ['kube-node-lease', 'kube-system'] : ['default', 'kube-system'];
}

/**
 * kube-apiserver's long-running check (`BasicLongRunningRequestCheck` with verbs watch/proxy and
 * subresources attach/exec/proxy/log/portforward): only these requests get a ResponseStarted stage.
 */
export function isLongRunning(verb: string, subresource: string | undefined): boolean {
  if (verb === 'watch' || verb === 'proxy') return true;
  return subresource !== undefined && ['attach', 'exec', 'proxy', 'log', 'portforward'].includes(subresource);
}

export const ALL_VERBS: readonly string[] = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
export const WRITE_VERBS: readonly string[] = ['create', 'update', 'patch', 'delete', 'deletecollection'];

const VERBS_OF_SUBRESOURCE: Readonly<Record<string, readonly string[]>> = {
  exec: ['create', 'get'],
  attach: ['create', 'get'],
  portforward: ['create', 'get'],
  proxy: ['get', 'create'],
  log: ['get'],
  token: ['create'],
  approval: ['update', 'patch'],
  ephemeralcontainers: ['update', 'patch'],
  eviction: ['create'],
  binding: ['create'],
};

/** Verbs a client really sends to a resource or subresource, when a rule does not say. */
export function verbsFor(subresource: string | undefined): readonly string[] {
  if (subresource === undefined) return ALL_VERBS;
  return VERBS_OF_SUBRESOURCE[subresource] ?? ['get', 'update', 'patch'];
}
