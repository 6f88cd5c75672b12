import type { VigilEvent } from '../model/event.js';

/**
 * Values the rule pack needs that are not plain fields of the record: the pod spec wherever a
 * request carries one (Pod, workload template, CronJob job template), every container of it, their
 * image repositories (tag and digest stripped, for allow-lists) and the URL-decoded command of an
 * exec request. Rules address deeper keys below a derived root,
 * e.g. `vigil.k8s.containers.securityContext.privileged`.
 */
export interface DerivedField {
  name: string;
  get(event: VigilEvent): unknown;
}

type Json = Record<string, unknown>;

const obj = (value: unknown): Json | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;

const TEMPLATE_RESOURCES = new Set(['deployments', 'daemonsets', 'statefulsets', 'replicasets', 'jobs', 'replicationcontrollers', 'podtemplates']);

function podSpecOf(event: VigilEvent): Json | undefined {
  const request = obj(event.raw.requestObject);
  if (request === undefined) return undefined;
  const spec = obj(request.spec);
  if (event.resourceType === 'pods') return spec;
  if (event.resourceType === 'cronjobs') return obj(obj(obj(obj(spec?.jobTemplate)?.spec)?.template)?.spec);
  if (event.resourceType !== undefined && TEMPLATE_RESOURCES.has(event.resourceType)) {
    return obj(obj(spec?.template)?.spec) ?? obj(obj(request.template)?.spec);
  }
  return undefined;
}

function containersOf(event: VigilEvent): unknown[] | undefined {
  const spec = podSpecOf(event);
  if (spec === undefined) return undefined;
  const all: unknown[] = [];
  for (const key of ['containers', 'initContainers', 'ephemeralContainers'] as const) {
    const list = spec[key];
    if (Array.isArray(list)) all.push(...list);
  }
  return all;
}

/** `registry.k8s.io/kube-proxy:v1.29.2@sha256:…` → `registry.k8s.io/kube-proxy` (a registry port is kept). */
export function imageRepository(image: string): string {
  const at = image.indexOf('@');
  const withoutDigest = at >= 0 ? image.slice(0, at) : image;
  const colon = withoutDigest.lastIndexOf(':');
  return colon > withoutDigest.lastIndexOf('/') ? withoutDigest.slice(0, colon) : withoutDigest;
}

function imageRepositoriesOf(event: VigilEvent): string[] | undefined {
  const containers = containersOf(event);
  if (containers === undefined) return undefined;
  const repositories: string[] = [];
  for (const container of containers) {
    const image = obj(container)?.image;
    if (typeof image === 'string') repositories.push(imageRepository(image));
  }
  return repositories;
}

/** `?command=sh&command=-c&command=cat%20%2Fetc%2Fshadow` → `sh -c cat /etc/shadow`. */
export function execCommandOf(requestUri: string | undefined): string | undefined {
  if (requestUri === undefined) return undefined;
  const query = requestUri.indexOf('?');
  if (query < 0) return undefined;
  const parts: string[] = [];
  for (const pair of requestUri.slice(query + 1).split('&')) {
    if (!pair.startsWith('command=')) continue;
    const value = pair.slice('command='.length).replace(/\+/g, ' ');
    try {
      parts.push(decodeURIComponent(value));
    } catch {
      parts.push(value);
    }
  }
  return parts.length > 0 ? parts.join(' ') : undefined;
}

export const DERIVED_FIELDS: readonly DerivedField[] = [
  { name: 'vigil.k8s.pod_spec', get: podSpecOf },
  { name: 'vigil.k8s.containers', get: containersOf },
  { name: 'vigil.k8s.image_repositories', get: imageRepositoriesOf },
  {
    name: 'vigil.k8s.exec_command',
    get: (event) => (event.subresource === 'exec' || event.subresource === 'attach' ? execCommandOf(event.requestUri) : undefined),
  },
];

/** The derived field a name starts with, and the rest of the path below it (`''` for the root). */
export function derivedFieldFor(name: string): { field: DerivedField; rest: string } | undefined {
  for (const field of DERIVED_FIELDS) {
    if (name === field.name) return { field, rest: '' };
    if (name.startsWith(`${field.name}.`)) return { field, rest: name.slice(field.name.length + 1) };
  }
  return undefined;
}
