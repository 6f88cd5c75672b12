import type { VigilEvent } from '../../../model/event.js';

/**
 * Falco's `ka.*` fields (the k8saudit plugin) and `jevt.*` / `json.*` fields (the json plugin),
 * read from an audit event the way those plugins read them: every value is a string (a JSON
 * string as it is, anything else as its JSON text), list fields give several strings, and a
 * field whose path is missing is *not set*. See README.md for the table of fields and paths.
 */

/** One field's values for one event: a string, several strings, or undefined when not set. */
export type FalcoValue = string | string[] | undefined;

export interface FalcoField {
  /** The field as written, with its argument: `ka.uri.param[command]`. */
  name: string;
  /** List fields (`ka.user.groups`) yield several values; `in` then means "every value is in". */
  list: boolean;
  /** `jevt.rawtime` compares as a number; every other field as text. */
  numeric: boolean;
  extract(event: VigilEvent): FalcoValue;
}

/** A field name Vigil does not know, or a field used without the argument it needs. */
export class FalcoFieldError extends Error {}

type Json = Record<string, unknown>;
type Extractor = (raw: Json, arg: string | undefined, event: VigilEvent) => FalcoValue;

interface FieldDef {
  list: boolean;
  arg: 'none' | 'index' | 'key-required';
  extract: Extractor;
}

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The k8saudit plugin's string rendering: strings as they are, any other JSON value as JSON text. */
function renderValue(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function at(root: unknown, keys: readonly string[]): unknown {
  let current = root;
  for (const key of keys) {
    if (Array.isArray(current) && /^\d+$/.test(key)) current = current[Number(key)];
    else if (isObject(current)) current = current[key];
    else return undefined;
    if (current === undefined) return undefined;
  }
  return current;
}

/** A single-valued field at a path. */
const single =
  (...keys: string[]): Extractor =>
  (raw) =>
    renderValue(at(raw, keys));

/** A list field at a path: the path must hold an array, each item rendered. */
const listAt =
  (...keys: string[]): Extractor =>
  (raw) => {
    const value = at(raw, keys);
    return Array.isArray(value) ? nonEmpty(value.map((item) => renderValue(item) as string)) : undefined;
  };

/** An empty list is "not set": the plugin framework sees no value. */
function nonEmpty(values: string[]): string[] | undefined {
  return values.length > 0 ? values : undefined;
}

/**
 * The plugin's recursive walk: an array met on the way fans out (or picks the argument's index),
 * and an element missing the rest of the path yields a hole (undefined).
 */
function valuesAt(value: unknown, index: number | undefined, keys: readonly string[]): unknown[] | undefined {
  let current = value;
  for (let i = 0; i < keys.length; i++) {
    if (Array.isArray(current)) {
      if (index === undefined) {
        const out: unknown[] = [];
        for (const item of current) {
          const below = valuesAt(item, index, keys.slice(i));
          if (below === undefined) out.push(undefined);
          else out.push(...below);
        }
        return out;
      }
      if (index >= current.length) return undefined;
      current = current[index];
    }
    current = isObject(current) ? current[keys[i]] : undefined;
    if (current === undefined) return undefined;
  }
  return [current];
}

function indexOf(arg: string | undefined): number | undefined {
  return arg !== undefined && /^\d+$/.test(arg) ? Number(arg) : undefined;
}

/** Values along a path with holes skipped (`arrayAsStringsSkipNil`). */
const skipHoles =
  (...keys: string[]): Extractor =>
  (raw, arg) => {
    const values = valuesAt(raw, indexOf(arg), keys);
    if (values === undefined) return undefined;
    return nonEmpty(values.filter((value) => value !== undefined).map((value) => renderValue(value) as string));
  };

const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'] as const;

/** Images of one container list; a container without an image makes the field unreadable. */
function imagesOf(raw: Json, list: string, index: number | undefined): string[] | undefined {
  const values = valuesAt(raw, index, ['requestObject', 'spec', list, 'image']);
  if (values === undefined || values.some((value) => value === undefined)) return undefined;
  return values.map((value) => renderValue(value) as string);
}

/** The plugin's repository split: up to the first `:`, then up to the first `@` (a registry port is cut). */
export function falcoImageRepository(image: string): string {
  return image.split(':')[0].split('@')[0];
}

function hostPortsOf(raw: Json, list: string, index: number | undefined): FalcoValue {
  const perContainer = valuesAt(raw, index, ['requestObject', 'spec', list, 'ports']);
  if (perContainer === undefined) return undefined;
  const ports: string[] = [];
  for (const containerPorts of perContainer) {
    if (containerPorts === undefined) continue;
    if (!Array.isArray(containerPorts)) return undefined;
    for (const port of containerPorts) {
      const value = isObject(port) ? (port.hostPort ?? port.containerPort) : undefined;
      if (value !== undefined) ports.push(renderValue(value) as string);
    }
  }
  return nonEmpty(ports);
}

function effectiveIdsOf(raw: Json, list: string, key: 'runAsUser' | 'runAsGroup', index: number | undefined): FalcoValue {
  const podValue = at(raw, ['requestObject', 'spec', key]);
  const fallback = podValue === undefined ? '0' : (renderValue(podValue) as string);
  const values = valuesAt(raw, index, ['requestObject', 'spec', list, 'securityContext', key]);
  if (values === undefined) return undefined;
  return nonEmpty(values.map((value) => (value === undefined ? fallback : (renderValue(value) as string))));
}

function joinedOf(raw: Json, list: string, key: 'command' | 'args', index: number | undefined): FalcoValue {
  const values = valuesAt(raw, index, ['requestObject', 'spec', list, key]);
  if (values === undefined) return undefined;
  return nonEmpty(values.filter(Array.isArray).map((parts) => parts.map((part) => renderValue(part)).join(' ')));
}

/** `ka.req.pod.<list>.*` for each of containers, initContainers and ephemeralContainers. */
function containerFields(list: string): Record<string, FieldDef> {
  const security = (key: string): FieldDef => ({ list: true, arg: 'index', extract: skipHoles('requestObject', 'spec', list, 'securityContext', key) });
  const prefix = `ka.req.pod.${list}`;
  return {
    [`${prefix}.image`]: { list: true, arg: 'index', extract: (raw, arg) => imagesOf(raw, list, indexOf(arg)) },
    [`${prefix}.image.repository`]: {
      list: true,
      arg: 'index',
      extract: (raw, arg) => imagesOf(raw, list, indexOf(arg))?.map(falcoImageRepository),
    },
    [`${prefix}.name`]: { list: true, arg: 'index', extract: skipHoles('requestObject', 'spec', list, 'name') },
    [`${prefix}.command`]: { list: true, arg: 'index', extract: (raw, arg) => joinedOf(raw, list, 'command', indexOf(arg)) },
    [`${prefix}.args`]: { list: true, arg: 'index', extract: (raw, arg) => joinedOf(raw, list, 'args', indexOf(arg)) },
    [`${prefix}.privileged`]: security('privileged'),
    [`${prefix}.allow_privilege_escalation`]: security('allowPrivilegeEscalation'),
    [`${prefix}.read_only_fs`]: security('readOnlyRootFilesystem'),
    [`${prefix}.run_as_user`]: security('runAsUser'),
    [`${prefix}.run_as_group`]: security('runAsGroup'),
    [`${prefix}.proc_mount`]: security('procMount'),
    [`${prefix}.add_capabilities`]: { list: true, arg: 'index', extract: skipHoles('requestObject', 'spec', list, 'securityContext', 'capabilities', 'add') },
    [`${prefix}.eff_run_as_user`]: { list: true, arg: 'index', extract: (raw, arg) => effectiveIdsOf(raw, list, 'runAsUser', indexOf(arg)) },
    [`${prefix}.eff_run_as_group`]: { list: true, arg: 'index', extract: (raw, arg) => effectiveIdsOf(raw, list, 'runAsGroup', indexOf(arg)) },
    [`${prefix}.host_port`]: { list: true, arg: 'index', extract: (raw, arg) => hostPortsOf(raw, list, indexOf(arg)) },
  };
}

function subjectNames(raw: Json, kind: string, withNamespace = false): FalcoValue {
  const subjects = at(raw, ['requestObject', 'subjects']);
  if (!Array.isArray(subjects)) return undefined;
  const names: string[] = [];
  for (const subject of subjects) {
    if (!isObject(subject) || subject.kind !== kind || subject.name === undefined) continue;
    const name = renderValue(subject.name) as string;
    names.push(withNamespace ? `${renderValue(subject.namespace) ?? ''}:${name}` : name);
  }
  return nonEmpty(names);
}

function uriParam(raw: Json, key: string | undefined): FalcoValue {
  const uri = renderValue(raw.requestURI);
  if (uri === undefined || key === undefined) return undefined;
  const query = uri.indexOf('?');
  if (query < 0) return undefined;
  return new URLSearchParams(uri.slice(query + 1)).get(key) ?? undefined;
}

function volumeHostPathUsed(raw: Json, arg: string | undefined): FalcoValue {
  const values = valuesAt(raw, undefined, ['requestObject', 'spec', 'volumes', 'hostPath', 'path']);
  if (values === undefined || arg === undefined) return undefined;
  const prefix = arg.endsWith('*') ? arg.slice(0, -1) : undefined;
  for (const value of values) {
    const path = renderValue(value);
    if (path === undefined) continue;
    if ((prefix !== undefined && path.startsWith(prefix)) || path === arg) return 'true';
  }
  return 'false';
}

function volumeTypes(raw: Json, arg: string | undefined): FalcoValue {
  const volumes = valuesAt(raw, indexOf(arg), ['requestObject', 'spec', 'volumes']);
  const list = volumes?.length === 1 && Array.isArray(volumes[0]) ? volumes[0] : volumes;
  if (list === undefined) return undefined;
  const types: string[] = [];
  for (const volume of list) if (isObject(volume)) types.push(...Object.keys(volume).filter((key) => key !== 'name'));
  return nonEmpty(types);
}

function anyContainerPrivileged(raw: Json): FalcoValue {
  const values = valuesAt(raw, undefined, ['requestObject', 'spec', 'containers', 'securityContext', 'privileged']);
  if (values === undefined) return undefined;
  return values.some((value) => value === true) ? 'true' : 'false';
}

function targetPodName(raw: Json): FalcoValue {
  const ref = raw.objectRef;
  if (!isObject(ref) || ref.resource !== 'pods' || ref.subresource !== undefined) return undefined;
  return renderValue(at(raw, ['responseObject', 'metadata', 'name']));
}

const annotation = (key: string): Extractor => (raw) => renderValue(at(raw, ['annotations', key]));

const K8S_AUDIT_FIELDS: Record<string, FieldDef> = {
  'ka.auditid': { list: false, arg: 'none', extract: single('auditID') },
  'ka.stage': { list: false, arg: 'none', extract: single('stage') },
  'ka.auth.decision': { list: false, arg: 'none', extract: annotation('authorization.k8s.io/decision') },
  'ka.auth.reason': { list: false, arg: 'none', extract: annotation('authorization.k8s.io/reason') },
  'ka.auth.openshift.decision': { list: false, arg: 'none', extract: annotation('authentication.openshift.io/decision') },
  'ka.auth.openshift.username': { list: false, arg: 'none', extract: annotation('authentication.openshift.io/username') },
  'ka.validations.admission.policy.failure': { list: false, arg: 'none', extract: annotation('validation.policy.admission.k8s.io/validation_failure') },
  'ka.security.pod.violations': { list: false, arg: 'none', extract: annotation('pod-security.kubernetes.io/audit-violations') },
  'ka.cluster.name': { list: false, arg: 'none', extract: annotation('cluster_name') },
  'ka.user.name': { list: false, arg: 'none', extract: single('user', 'username') },
  'ka.user.groups': { list: true, arg: 'none', extract: listAt('user', 'groups') },
  'ka.impuser.name': { list: false, arg: 'none', extract: single('impersonatedUser', 'username') },
  'ka.verb': { list: false, arg: 'none', extract: single('verb') },
  'ka.uri': { list: false, arg: 'none', extract: single('requestURI') },
  'ka.uri.param': { list: false, arg: 'key-required', extract: uriParam },
  'ka.target.name': { list: false, arg: 'none', extract: single('objectRef', 'name') },
  'ka.target.namespace': { list: false, arg: 'none', extract: single('objectRef', 'namespace') },
  'ka.target.resource': { list: false, arg: 'none', extract: single('objectRef', 'resource') },
  'ka.target.subresource': { list: false, arg: 'none', extract: single('objectRef', 'subresource') },
  'ka.target.pod.name': { list: false, arg: 'none', extract: targetPodName },
  'ka.req.binding.subjects': { list: true, arg: 'none', extract: listAt('requestObject', 'subjects') },
  'ka.req.binding.subjects.user_names': { list: true, arg: 'none', extract: (raw) => subjectNames(raw, 'User') },
  'ka.req.binding.subjects.serviceaccount_names': { list: true, arg: 'none', extract: (raw) => subjectNames(raw, 'ServiceAccount') },
  'ka.req.binding.subjects.serviceaccount_ns_names': { list: true, arg: 'none', extract: (raw) => subjectNames(raw, 'ServiceAccount', true) },
  'ka.req.binding.subjects.group_names': { list: true, arg: 'none', extract: (raw) => subjectNames(raw, 'Group') },
  'ka.req.binding.role': { list: false, arg: 'none', extract: single('requestObject', 'roleRef', 'name') },
  // Deprecated; the plugin answers "true" whatever the argument.
  'ka.req.binding.subject.has_name': { list: false, arg: 'key-required', extract: () => 'true' },
  'ka.req.configmap.name': { list: false, arg: 'none', extract: single('objectRef', 'name') },
  'ka.req.configmap.obj': { list: false, arg: 'none', extract: single('requestObject', 'data') },
  ...containerFields('containers'),
  ...containerFields('initContainers'),
  ...containerFields('ephemeralContainers'),
  'ka.req.container.image': { list: false, arg: 'none', extract: (raw) => imagesOf(raw, 'containers', 0)?.[0] },
  'ka.req.container.image.repository': {
    list: false,
    arg: 'none',
    extract: (raw) => {
      const image = imagesOf(raw, 'containers', 0)?.[0];
      return image === undefined ? undefined : falcoImageRepository(image);
    },
  },
  'ka.req.container.privileged': { list: false, arg: 'none', extract: anyContainerPrivileged },
  'ka.req.container.host_network': { list: false, arg: 'none', extract: single('requestObject', 'spec', 'hostNetwork') },
  'ka.req.pod.host_ipc': { list: false, arg: 'none', extract: single('requestObject', 'spec', 'hostIPC') },
  'ka.req.pod.host_network': { list: false, arg: 'none', extract: single('requestObject', 'spec', 'hostNetwork') },
  'ka.req.pod.host_pid': { list: false, arg: 'none', extract: single('requestObject', 'spec', 'hostPID') },
  'ka.req.pod.run_as_user': { list: false, arg: 'none', extract: single('requestObject', 'spec', 'securityContext', 'runAsUser') },
  'ka.req.pod.run_as_group': { list: false, arg: 'none', extract: single('requestObject', 'spec', 'securityContext', 'runAsGroup') },
  'ka.req.pod.fs_group': { list: false, arg: 'none', extract: single('requestObject', 'spec', 'securityContext', 'fsGroup') },
  'ka.req.pod.supplemental_groups': { list: true, arg: 'none', extract: listAt('requestObject', 'spec', 'securityContext', 'supplementalGroups') },
  'ka.req.pod.volumes.hostpath': { list: true, arg: 'index', extract: skipHoles('requestObject', 'spec', 'volumes', 'hostPath', 'path') },
  'ka.req.pod.volumes.flexvolume_driver': { list: true, arg: 'index', extract: skipHoles('requestObject', 'spec', 'volumes', 'flexVolume', 'driver') },
  'ka.req.pod.volumes.volume_type': { list: true, arg: 'index', extract: volumeTypes },
  'ka.req.volume.hostpath': { list: false, arg: 'key-required', extract: volumeHostPathUsed },
  'ka.req.role.rules': { list: true, arg: 'none', extract: listAt('requestObject', 'rules') },
  'ka.req.role.rules.apiGroups': { list: true, arg: 'index', extract: (raw, arg) => flattenedRules(raw, 'apiGroups', arg) },
  'ka.req.role.rules.nonResourceURLs': { list: true, arg: 'index', extract: (raw, arg) => flattenedRules(raw, 'nonResourceURLs', arg) },
  'ka.req.role.rules.verbs': { list: true, arg: 'index', extract: (raw, arg) => flattenedRules(raw, 'verbs', arg) },
  'ka.req.role.rules.resources': { list: true, arg: 'index', extract: (raw, arg) => flattenedRules(raw, 'resources', arg) },
  'ka.req.service.type': { list: false, arg: 'none', extract: single('requestObject', 'spec', 'type') },
  'ka.req.service.ports': { list: true, arg: 'index', extract: skipHoles('requestObject', 'spec', 'ports') },
  'ka.resp.name': { list: false, arg: 'none', extract: single('responseObject', 'metadata', 'name') },
  'ka.response.code': { list: false, arg: 'none', extract: single('responseStatus', 'code') },
  'ka.response.reason': { list: false, arg: 'none', extract: single('responseStatus', 'reason') },
  'ka.useragent': { list: false, arg: 'none', extract: single('userAgent') },
  // The plugin's code reads requestObject.rules.sourceIPs here (a slip); Vigil reads the documented field.
  'ka.sourceips': { list: true, arg: 'index', extract: sourceIps },
};

function sourceIps(raw: Json, arg: string | undefined): FalcoValue {
  const ips = raw.sourceIPs;
  if (!Array.isArray(ips)) return undefined;
  const index = indexOf(arg);
  const picked = index === undefined ? ips : ips.slice(index, index + 1);
  return nonEmpty(picked.map((ip) => renderValue(ip) as string));
}

/** `requestObject.rules[].<key>` flattened over every rule (`extractRulesField`). */
function flattenedRules(raw: Json, key: string, arg: string | undefined): FalcoValue {
  const perRule = valuesAt(raw, indexOf(arg), ['requestObject', 'rules', key]);
  if (perRule === undefined) return undefined;
  const values: string[] = [];
  for (const items of perRule) if (Array.isArray(items)) for (const item of items) if (item !== undefined) values.push(renderValue(item) as string);
  return nonEmpty(values);
}

/** An RFC 6901 pointer as the json plugin walks it (object keys, array indexes), split once. */
function jsonPointer(pointer: string | undefined): (raw: Json) => FalcoValue {
  if (pointer === undefined || pointer === '') return () => undefined;
  const keys = (pointer.startsWith('/') ? pointer.slice(1) : pointer).split('/').map((key) => key.replaceAll('~1', '/').replaceAll('~0', '~'));
  return (raw) => renderValue(at(raw, keys));
}

type JsonExtractor = (raw: Json, event: VigilEvent) => FalcoValue;

const JSON_FIELDS: Record<string, { arg: FieldDef['arg']; numeric?: boolean; compile: (arg: string | undefined) => JsonExtractor }> = {
  value: { arg: 'key-required', compile: jsonPointer },
  obj: { arg: 'none', compile: () => (raw) => JSON.stringify(raw, null, 2) },
  rawtime: { arg: 'none', numeric: true, compile: () => (_raw, event) => (BigInt(event.timestamp) * 1_000_000n).toString() },
  time: { arg: 'none', compile: () => (_raw, event) => new Date(event.timestamp).toISOString() },
};

/** Compiles a field reference such as `ka.user.name` or `jevt.value[/stage]`. */
export function falcoField(name: string, arg: string | undefined): FalcoField {
  const written = arg === undefined ? name : `${name}[${arg}]`;
  const def = K8S_AUDIT_FIELDS[name];
  if (def !== undefined) {
    checkArgument(written, def.arg, arg);
    const extract = def.extract;
    return {
      name: written,
      list: def.list,
      numeric: false,
      // Events without an auditID are not audit events to the plugin: no ka.* value at all.
      extract: (event) => (event.raw.auditID === undefined ? undefined : extract(event.raw, arg, event)),
    };
  }
  const [namespace, rest] = [name.slice(0, name.indexOf('.')), name.slice(name.indexOf('.') + 1)];
  const jsonDef = namespace === 'jevt' || namespace === 'json' ? JSON_FIELDS[rest] : undefined;
  if (jsonDef !== undefined) {
    checkArgument(written, jsonDef.arg, arg);
    const extract = jsonDef.compile(arg);
    return { name: written, list: false, numeric: jsonDef.numeric ?? false, extract: (event) => extract(event.raw, event) };
  }
  throw new FalcoFieldError(`unknown field "${name}": Vigil reads the k8saudit plugin's ka.* fields and the json plugin's jevt.*/json.* fields (see src/detect/formats/falco/README.md)`);
}

function checkArgument(written: string, kind: FieldDef['arg'], arg: string | undefined): void {
  if (kind === 'key-required' && (arg === undefined || arg === '')) throw new FalcoFieldError(`field "${written}" needs an argument in brackets, e.g. ${written}[key]`);
  if (kind === 'none' && arg !== undefined) throw new FalcoFieldError(`field "${written}" takes no argument`);
  if (kind === 'index' && arg !== undefined && indexOf(arg) === undefined) throw new FalcoFieldError(`field "${written}" takes a numeric index argument, e.g. [0]`);
}
