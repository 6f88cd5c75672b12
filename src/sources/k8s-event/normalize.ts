import type { ActorKind, VigilEvent } from '../../model/event.js';
import { eventId } from '../../model/event-id.js';
import { isObject } from './event-shape.js';
import { resourceOfKind } from './resource-name.js';

/** Why a JSON value was not accepted as a Kubernetes Event; becomes the quarantine reason. */
export class NotAKubeEvent extends Error {}

type Json = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const obj = (v: unknown): Json | undefined => (isObject(v) ? v : undefined);

/**
 * Normalizes one core/v1 or events.k8s.io/v1 Event. The two shapes name the same things
 * differently (`involvedObject`/`regarding`, `message`/`note`, `reportingComponent`/
 * `reportingController`, `source`/`deprecatedSource`); both are read.
 */
export function normalizeKubeEvent(raw: Json, record: string, cluster: string): VigilEvent {
  const metadata = obj(raw.metadata);
  if (!metadata) throw new NotAKubeEvent('Kubernetes Event without "metadata"');
  const subject = obj(raw.regarding) ?? obj(raw.involvedObject) ?? {};
  const legacySource = obj(raw.deprecatedSource) ?? obj(raw.source) ?? {};
  const reporter = str(raw.reportingController) ?? str(raw.reportingComponent) ?? str(legacySource.component);
  const timestamp = eventTime(raw, metadata);
  const dedupKey = identityOf(raw, metadata);
  const subjectKind = str(subject.kind);
  const type = str(raw.type);
  return {
    id: eventId(timestamp, cluster, 'k8s.event', dedupKey),
    timestamp,
    source: 'k8s.event',
    cluster,
    dedupKey,
    kind: 'event',
    action: str(raw.reason),
    outcome: 'unknown',
    userName: reporter,
    actorKind: reporter ? reporterKind(reporter) : undefined,
    namespace: str(subject.namespace) ?? str(metadata.namespace),
    resourceType: subjectKind ? resourceOfKind(subjectKind) : undefined,
    resourceName: str(subject.name),
    apiGroup: subjectKind ? apiGroupOf(str(subject.apiVersion)) : undefined,
    podName: subjectKind === 'Pod' ? str(subject.name) : undefined,
    hostName: str(legacySource.host) ?? (reporter === 'kubelet' ? str(raw.reportingInstance) : undefined),
    message: str(raw.note) ?? str(raw.message),
    logLevel: type ? levelOf(type) : undefined,
    raw,
    record,
  };
}

/**
 * Every update of an Event (its count going up) gets a new resourceVersion and is kept as its
 * own record; the same version read twice (a relist, a re-ingested file) is one record.
 */
function identityOf(raw: Json, metadata: Json): string {
  const uid = str(metadata.uid);
  const version = str(metadata.resourceVersion);
  if (uid && version) return `${uid}\u0000${version}`;
  const name = str(metadata.name);
  if (!uid && !name) throw new NotAKubeEvent('Kubernetes Event without metadata.uid or metadata.name');
  const series = obj(raw.series);
  const count = series?.count ?? raw.count ?? raw.deprecatedCount ?? '';
  return `${uid ?? `${str(metadata.namespace) ?? ''}/${name}`}\u0000${version ?? ''}\u0000${String(count)}\u0000${String(raw.lastTimestamp ?? raw.deprecatedLastTimestamp ?? '')}`;
}

/** The latest observation first: a repeated Event's time is when it was last seen. */
const TIME_PATHS: ReadonlyArray<(raw: Json, metadata: Json) => unknown> = [
  (raw) => obj(raw.series)?.lastObservedTime,
  (raw) => raw.lastTimestamp,
  (raw) => raw.deprecatedLastTimestamp,
  (raw) => raw.eventTime,
  (raw) => raw.firstTimestamp,
  (raw) => raw.deprecatedFirstTimestamp,
  (_raw, metadata) => metadata.creationTimestamp,
];

function eventTime(raw: Json, metadata: Json): number {
  for (const read of TIME_PATHS) {
    const value = read(raw, metadata);
    if (typeof value !== 'string') continue;
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new NotAKubeEvent(`Kubernetes Event ${String(metadata.name)} has no valid lastTimestamp, eventTime, firstTimestamp or creationTimestamp`);
}

function levelOf(type: string): string {
  if (type === 'Normal') return 'info';
  return type.toLowerCase();
}

function reporterKind(reporter: string): ActorKind {
  return reporter === 'kubelet' ? 'node' : 'controller';
}

function apiGroupOf(apiVersion: string | undefined): string | undefined {
  if (!apiVersion || !apiVersion.includes('/')) return undefined;
  return apiVersion.slice(0, apiVersion.indexOf('/'));
}
