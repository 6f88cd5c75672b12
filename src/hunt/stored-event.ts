import { CannotRederive, deriveStoredEvent } from '../ledger/record-decoders.js';
import type { ActorKind, Outcome, SourceKind, VigilEvent } from '../model/event.js';
import { FIELDS } from '../model/fields.js';

/**
 * The partition columns a hunt reads, in SELECT order: every normalized field's column (checked
 * when this module loads), so an event rebuilt from a row gives every rule the values live
 * detection saw, and the seq that finds its record. Only `dedupKey` is not stored; no rule reads it.
 */
export const HUNT_COLUMNS = [
  'ts', 'id', 'source', 'cluster', 'kind', 'category', 'action', 'outcome', 'user_name', 'user_groups',
  'actor_kind', 'impersonated_user', 'source_ip', 'user_agent', 'namespace', 'resource', 'resource_name',
  'subresource', 'api_group', 'status_code', 'decision', 'request_uri', 'audit_id', 'stage', 'pod_name',
  'container_id', 'host_name', 'message', 'log_level', 'seq',
] as const;

/** Fetches a stored record by seq, for the few events whose record a rule reads. */
export type RecordLookup = (seq: number) => string;

const missing = FIELDS.map((field) => field.column).filter((column) => !(HUNT_COLUMNS as readonly string[]).includes(column));
if (missing.length > 0) throw new Error(`src/hunt/stored-event.ts does not read the field column(s) ${missing.join(', ')}: add them to HUNT_COLUMNS and StoredEvent`);

/** One partition row as `.raw()` returns it, in `HUNT_COLUMNS` order. */
export type HuntRow = unknown[];

const optional = (value: unknown): string | undefined => (value === null ? undefined : (value as string));

/**
 * A stored row as the event it was stored from. The original record is read and parsed only
 * when a rule reads a raw path (most events only meet rules on normalized fields): reading and
 * parsing every record would cost a hunt as much as the rules themselves. `raw` is re-derived
 * with the record's own source decoder, as `vigil verify` does, because for some sources (a GKE
 * LogEntry, say) the record is not the object rules address.
 */
export class StoredEvent implements VigilEvent {
  timestamp: number;
  id: string;
  source: SourceKind;
  cluster: string;
  dedupKey = '';
  kind: string;
  category: string | undefined;
  action: string | undefined;
  outcome: Outcome;
  userName: string | undefined;
  userGroups: string[] | undefined;
  actorKind: ActorKind | undefined;
  impersonatedUser: string | undefined;
  sourceIp: string | undefined;
  userAgent: string | undefined;
  namespace: string | undefined;
  resourceType: string | undefined;
  resourceName: string | undefined;
  subresource: string | undefined;
  apiGroup: string | undefined;
  statusCode: number | undefined;
  decision: string | undefined;
  requestUri: string | undefined;
  auditId: string | undefined;
  stage: string | undefined;
  podName: string | undefined;
  containerId: string | undefined;
  hostName: string | undefined;
  message: string | undefined;
  logLevel: string | undefined;
  readonly seq: number;
  private text: string | undefined;
  private parsed: Record<string, unknown> | undefined;

  constructor(
    row: HuntRow,
    private readonly records: RecordLookup,
  ) {
    this.timestamp = row[0] as number;
    this.id = row[1] as string;
    this.source = row[2] as SourceKind;
    this.cluster = row[3] as string;
    this.kind = row[4] as string;
    this.category = optional(row[5]);
    this.action = optional(row[6]);
    this.outcome = row[7] as Outcome;
    this.userName = optional(row[8]);
    this.userGroups = row[9] === null ? undefined : (JSON.parse(row[9] as string) as string[]);
    this.actorKind = optional(row[10]) as ActorKind | undefined;
    this.impersonatedUser = optional(row[11]);
    this.sourceIp = optional(row[12]);
    this.userAgent = optional(row[13]);
    this.namespace = optional(row[14]);
    this.resourceType = optional(row[15]);
    this.resourceName = optional(row[16]);
    this.subresource = optional(row[17]);
    this.apiGroup = optional(row[18]);
    this.statusCode = row[19] === null ? undefined : (row[19] as number);
    this.decision = optional(row[20]);
    this.requestUri = optional(row[21]);
    this.auditId = optional(row[22]);
    this.stage = optional(row[23]);
    this.podName = optional(row[24]);
    this.containerId = optional(row[25]);
    this.hostName = optional(row[26]);
    this.message = optional(row[27]);
    this.logLevel = optional(row[28]);
    this.seq = row[29] as number;
  }

  get record(): string {
    return (this.text ??= this.records(this.seq));
  }

  get raw(): Record<string, unknown> {
    return (this.parsed ??= rawOf(this.source, this.cluster, this.record));
  }
}

function rawOf(source: string, cluster: string, record: string): Record<string, unknown> {
  try {
    return deriveStoredEvent(source, cluster, record).raw;
  } catch (error) {
    // A record its decoder no longer takes (`vigil verify` reports those): rules see it as stored.
    if (error instanceof CannotRederive) return JSON.parse(record) as Record<string, unknown>;
    throw error;
  }
}
