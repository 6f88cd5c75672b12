/**
 * The Kubernetes API surface the generator speaks: resource kinds, and the request URI and
 * `objectRef` the apiserver records for a request against them.
 */
export interface ResourceKind {
  /** "" for the core group. */
  group: string;
  version: string;
  resource: string;
  namespaced: boolean;
}

const kind = (group: string, version: string, resource: string, namespaced = true): ResourceKind => ({
  group,
  version,
  resource,
  namespaced,
});

export const K = {
  pods: kind('', 'v1', 'pods'),
  nodes: kind('', 'v1', 'nodes', false),
  namespaces: kind('', 'v1', 'namespaces', false),
  services: kind('', 'v1', 'services'),
  endpoints: kind('', 'v1', 'endpoints'),
  configmaps: kind('', 'v1', 'configmaps'),
  secrets: kind('', 'v1', 'secrets'),
  serviceaccounts: kind('', 'v1', 'serviceaccounts'),
  events: kind('', 'v1', 'events'),
  persistentvolumeclaims: kind('', 'v1', 'persistentvolumeclaims'),
  deployments: kind('apps', 'v1', 'deployments'),
  replicasets: kind('apps', 'v1', 'replicasets'),
  statefulsets: kind('apps', 'v1', 'statefulsets'),
  daemonsets: kind('apps', 'v1', 'daemonsets'),
  jobs: kind('batch', 'v1', 'jobs'),
  cronjobs: kind('batch', 'v1', 'cronjobs'),
  leases: kind('coordination.k8s.io', 'v1', 'leases'),
  endpointslices: kind('discovery.k8s.io', 'v1', 'endpointslices'),
  ingresses: kind('networking.k8s.io', 'v1', 'ingresses'),
  roles: kind('rbac.authorization.k8s.io', 'v1', 'roles'),
  rolebindings: kind('rbac.authorization.k8s.io', 'v1', 'rolebindings'),
  clusterroles: kind('rbac.authorization.k8s.io', 'v1', 'clusterroles', false),
  clusterrolebindings: kind('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', false),
  horizontalpodautoscalers: kind('autoscaling', 'v2', 'horizontalpodautoscalers'),
  csinodes: kind('storage.k8s.io', 'v1', 'csinodes', false),
  tokenreviews: kind('authentication.k8s.io', 'v1', 'tokenreviews', false),
  subjectaccessreviews: kind('authorization.k8s.io', 'v1', 'subjectaccessreviews', false),
  certificatesigningrequests: kind('certificates.k8s.io', 'v1', 'certificatesigningrequests', false),
  certificates: kind('cert-manager.io', 'v1', 'certificates'),
  certificaterequests: kind('cert-manager.io', 'v1', 'certificaterequests'),
  ciliumendpoints: kind('cilium.io', 'v2', 'ciliumendpoints'),
  ciliumnodes: kind('cilium.io', 'v2', 'ciliumnodes', false),
  ciliumidentities: kind('cilium.io', 'v2', 'ciliumidentities', false),
  applications: kind('argoproj.io', 'v1alpha1', 'applications'),
  externalsecrets: kind('external-secrets.io', 'v1beta1', 'externalsecrets'),
} as const satisfies Record<string, ResourceKind>;

/** What one API request addressed: a resource (possibly a collection) or a non-resource path. */
export interface ResourceTarget {
  kind: ResourceKind;
  /** Omitted for cluster-scoped kinds and for requests across all namespaces. */
  namespace?: string;
  /** Omitted for list, watch, create and deletecollection. */
  name?: string;
  subresource?: string;
}

export interface ObjectRef {
  resource: string;
  namespace?: string;
  name?: string;
  uid?: string;
  apiGroup?: string;
  apiVersion: string;
  resourceVersion?: string;
  subresource?: string;
}

/** The path part of the request URI, as a client such as client-go builds it. */
export function resourcePath(target: ResourceTarget): string {
  const { kind: k, namespace, name, subresource } = target;
  let path = k.group === '' ? `/api/${k.version}` : `/apis/${k.group}/${k.version}`;
  if (k.namespaced && namespace !== undefined) path += `/namespaces/${namespace}`;
  path += `/${k.resource}`;
  if (name !== undefined) path += `/${name}`;
  if (subresource !== undefined) path += `/${subresource}`;
  return path;
}

/**
 * The `objectRef` of the audit event, keys in the order the apiserver serialises them; empty
 * fields and the core group's "" are left out, as the apiserver does.
 */
export function objectRefOf(target: ResourceTarget, identity?: { uid: string; resourceVersion: string }): ObjectRef {
  const ref: Partial<ObjectRef> = { resource: target.kind.resource };
  if (target.kind.namespaced && target.namespace !== undefined) ref.namespace = target.namespace;
  if (target.name !== undefined) ref.name = target.name;
  if (identity !== undefined) ref.uid = identity.uid;
  if (target.kind.group !== '') ref.apiGroup = target.kind.group;
  ref.apiVersion = target.kind.version;
  if (identity !== undefined) ref.resourceVersion = identity.resourceVersion;
  if (target.subresource !== undefined) ref.subresource = target.subresource;
  return ref as ObjectRef;
}
