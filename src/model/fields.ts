import type { VigilEvent } from './event.js';

export type FieldType = 'string' | 'number' | 'time' | 'string[]';

/**
 * A normalized field: its ECS name (what users type), the store column that holds it and
 * how to read it from an event. The store schema, the query compiler and the rule engine
 * all take their field names from this one list.
 */
export interface FieldDef {
  name: string;
  aliases: readonly string[];
  type: FieldType;
  column: string;
  get(event: VigilEvent): string | number | readonly string[] | undefined;
}

function field(
  name: string,
  column: string,
  type: FieldType,
  get: FieldDef['get'],
  aliases: readonly string[] = [],
): FieldDef {
  return { name, column, type, get, aliases };
}

export const FIELDS: readonly FieldDef[] = [
  field('@timestamp', 'ts', 'time', (e) => e.timestamp, ['timestamp', 'time']),
  field('event.id', 'id', 'string', (e) => e.id, ['id']),
  field('vigil.source', 'source', 'string', (e) => e.source, ['source']),
  field('orchestrator.cluster.name', 'cluster', 'string', (e) => e.cluster, ['cluster']),
  field('event.kind', 'kind', 'string', (e) => e.kind),
  field('event.category', 'category', 'string', (e) => e.category),
  field('event.action', 'action', 'string', (e) => e.action, ['verb']),
  field('event.outcome', 'outcome', 'string', (e) => e.outcome, ['outcome']),
  field('user.name', 'user_name', 'string', (e) => e.userName, ['user']),
  field('user.group.name', 'user_groups', 'string[]', (e) => e.userGroups, ['groups']),
  field('vigil.actor.kind', 'actor_kind', 'string', (e) => e.actorKind, ['actor']),
  field('vigil.impersonated_user', 'impersonated_user', 'string', (e) => e.impersonatedUser),
  field('source.ip', 'source_ip', 'string', (e) => e.sourceIp, ['ip']),
  field('user_agent.original', 'user_agent', 'string', (e) => e.userAgent, ['useragent', 'ua']),
  field('orchestrator.namespace', 'namespace', 'string', (e) => e.namespace, ['namespace', 'ns']),
  field('orchestrator.resource.type', 'resource', 'string', (e) => e.resourceType, ['resource']),
  field('orchestrator.resource.name', 'resource_name', 'string', (e) => e.resourceName, ['name']),
  field('vigil.k8s.subresource', 'subresource', 'string', (e) => e.subresource, ['subresource']),
  field('vigil.k8s.api_group', 'api_group', 'string', (e) => e.apiGroup, ['apigroup']),
  field('http.response.status_code', 'status_code', 'number', (e) => e.statusCode, ['code', 'status']),
  field('vigil.k8s.decision', 'decision', 'string', (e) => e.decision, ['decision']),
  field('url.original', 'request_uri', 'string', (e) => e.requestUri, ['uri']),
  field('vigil.k8s.audit_id', 'audit_id', 'string', (e) => e.auditId, ['auditid']),
  field('vigil.k8s.stage', 'stage', 'string', (e) => e.stage, ['stage']),
  field('kubernetes.pod.name', 'pod_name', 'string', (e) => e.podName, ['pod']),
  field('container.id', 'container_id', 'string', (e) => e.containerId),
  field('host.name', 'host_name', 'string', (e) => e.hostName, ['host', 'node']),
  field('message', 'message', 'string', (e) => e.message, ['msg']),
  field('log.level', 'log_level', 'string', (e) => e.logLevel, ['level']),
];

const BY_NAME = new Map<string, FieldDef>();
for (const def of FIELDS) {
  BY_NAME.set(def.name.toLowerCase(), def);
  for (const alias of def.aliases) BY_NAME.set(alias, def);
}

/** Looks up a normalized field by ECS name or alias (case-insensitive); undefined for raw paths. */
export function fieldByName(name: string): FieldDef | undefined {
  return BY_NAME.get(name.toLowerCase());
}
