import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as k8s from '@kubernetes/client-node';

/**
 * Validates Kubernetes objects against the API's schemas as @kubernetes/client-node ships them
 * (its models are generated from the Kubernetes OpenAPI document): the kind must exist in its
 * API group and version, every field must be one the API knows with the right type, and every
 * field the API requires must be there. Without kubectl or a cluster, this is the check that a
 * typo (`securityContex`), a wrong type or a missing `containers` is caught.
 */

interface Attribute {
  name: string;
  baseName: string;
  type: string;
}

type Model = { getAttributeTypeMap(): Attribute[] };

/** The API group of every kind Vigil's manifests use (the core group is ""). */
const GROUP_OF_KIND: Record<string, string> = {
  Namespace: '',
  ServiceAccount: '',
  ConfigMap: '',
  Secret: '',
  Service: '',
  PersistentVolumeClaim: '',
  Deployment: 'apps',
  DaemonSet: 'apps',
  StatefulSet: 'apps',
  ClusterRole: 'rbac.authorization.k8s.io',
  ClusterRoleBinding: 'rbac.authorization.k8s.io',
  Role: 'rbac.authorization.k8s.io',
  RoleBinding: 'rbac.authorization.k8s.io',
  NetworkPolicy: 'networking.k8s.io',
};

const modelsDir = join(dirname(createRequire(import.meta.url).resolve('@kubernetes/client-node')), 'gen', 'models');
const requiredCache = new Map<string, Set<string>>();

/** The fields a model's generated declaration does not mark optional. */
function requiredFields(modelName: string): Set<string> {
  let required = requiredCache.get(modelName);
  if (!required) {
    const declaration = readFileSync(join(modelsDir, `${modelName}.d.ts`), 'utf8');
    required = new Set([...declaration.matchAll(/^ {4}'([^']+)': /gm)].map((match) => match[1]));
    requiredCache.set(modelName, required);
  }
  return required;
}

function modelOf(name: string): Model | undefined {
  const candidate = (k8s as unknown as Record<string, unknown>)[name];
  return typeof candidate === 'function' && 'getAttributeTypeMap' in candidate ? (candidate as unknown as Model) : undefined;
}

/** Problems of one object, each with its path (`spec.template.spec.containers[0].image`); empty when valid. */
export function validateObject(object: Record<string, unknown>): string[] {
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return ['apiVersion and kind must be strings'];
  const group = GROUP_OF_KIND[kind];
  if (group === undefined) return [`${kind}: not a kind these manifests are expected to use`];
  const [apiGroup, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  if (apiGroup !== group) return [`${kind} belongs to API group "${group}", not "${apiGroup}" (apiVersion ${apiVersion})`];
  const modelName = `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`;
  if (!modelOf(modelName)) return [`${kind} has no version ${version} in the Kubernetes API (${apiVersion})`];
  const problems: string[] = [];
  checkValue(object, modelName, kind, problems);
  return problems;
}

function checkValue(value: unknown, type: string, path: string, problems: string[]): void {
  if (value === null || value === undefined) return;
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (!Array.isArray(value)) problems.push(`${path}: must be a list`);
    else value.forEach((item, index) => checkValue(item, array[1], `${path}[${index}]`, problems));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (!isObject(value)) problems.push(`${path}: must be a map`);
    else for (const [key, item] of Object.entries(value)) checkValue(item, map[1], `${path}.${key}`, problems);
    return;
  }
  switch (type) {
    case 'string':
    case 'Date':
      if (typeof value !== 'string') problems.push(`${path}: must be a string, got ${JSON.stringify(value)}`);
      return;
    case 'number':
      if (typeof value !== 'number') problems.push(`${path}: must be a number, got ${JSON.stringify(value)}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') problems.push(`${path}: must be true or false, got ${JSON.stringify(value)}`);
      return;
    case 'IntOrString':
      if (typeof value !== 'string' && typeof value !== 'number') problems.push(`${path}: must be a number or a string`);
      return;
    case 'any':
      return;
  }
  const model = modelOf(type);
  if (!model) {
    problems.push(`${path}: the schema type ${type} is unknown to this validator`);
    return;
  }
  if (!isObject(value)) {
    problems.push(`${path}: must be an object (${type})`);
    return;
  }
  const attributes = new Map(model.getAttributeTypeMap().map((attribute) => [attribute.baseName, attribute]));
  for (const [key, item] of Object.entries(value)) {
    const attribute = attributes.get(key);
    if (!attribute) problems.push(`${path}.${key}: unknown field (${type} has ${[...attributes.keys()].join(', ')})`);
    else checkValue(item, attribute.type, `${path}.${key}`, problems);
  }
  for (const field of requiredFields(type)) {
    const baseName = model.getAttributeTypeMap().find((attribute) => attribute.name === field)?.baseName ?? field;
    if (value[baseName] === undefined) problems.push(`${path}.${baseName}: required`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
