import { createHash } from 'node:crypto';
import type { VigilEvent } from '../model/event.js';
import type { QuarantineItem } from '../store/store.js';
import { inputSubject } from './subjects.js';

/**
 * What travels on the bus: a record exactly as it is to be stored (its text, cluster and source
 * kind; a worker re-derives the event from them as `vigil verify` does), or a record a receiver
 * already had to quarantine. The payload is the record's bytes; the rest rides in headers.
 */
export type BusRecord =
  | { kind: 'record'; cluster: string; source: string; record: string; key: string }
  | { kind: 'quarantine'; item: QuarantineItem; key: string };

export interface BusMessage {
  subject: string;
  /** `Nats-Msg-Id`: the same record sent twice (a retried webhook batch) is stored once by JetStream. */
  msgId: string;
  headers: Record<string, string>;
  payload: Uint8Array;
}

export const HEADER = { cluster: 'Vigil-Cluster', source: 'Vigil-Source', quarantine: 'Vigil-Quarantine' } as const;

/**
 * The entity whose events must meet in one partition: the actor (stateful rules group by user),
 * else the node, else the cluster, so events without either still go to one place.
 */
export function entityKey(event: VigilEvent): string {
  if (event.userName) return `user:${event.userName}`;
  if (event.hostName) return `host:${event.cluster}/${event.hostName}`;
  return `cluster:${event.cluster}`;
}

export function recordOf(event: VigilEvent): BusRecord {
  return { kind: 'record', cluster: event.cluster, source: event.source, record: event.record, key: entityKey(event) };
}

/** Quarantined records have no entity; they are spread by source kind only. */
export function quarantinedRecord(item: QuarantineItem): BusRecord {
  return { kind: 'quarantine', item, key: `quarantine:${item.source}` };
}

export function toMessage(record: BusRecord): BusMessage {
  if (record.kind === 'record') {
    return {
      subject: inputSubject(record.key),
      msgId: digest(['record', record.cluster, record.source, record.record]),
      headers: { [HEADER.cluster]: encodeURIComponent(record.cluster), [HEADER.source]: encodeURIComponent(record.source) },
      payload: Buffer.from(record.record, 'utf8'),
    };
  }
  const { sample, ...where } = record.item;
  return {
    subject: inputSubject(record.key),
    msgId: digest(['quarantine', where.source, where.reason, sample]),
    headers: { [HEADER.quarantine]: encodeURIComponent(JSON.stringify(where)) },
    payload: Buffer.from(sample, 'utf8'),
  };
}

/** What a worker reads back; `undefined` headers mean the message was not written by Vigil. */
export type ReceivedRecord =
  | { kind: 'record'; cluster: string; source: string; record: string }
  | { kind: 'quarantine'; item: QuarantineItem }
  | { kind: 'foreign'; reason: string; sample: string };

export function fromMessage(header: (name: string) => string | undefined, payload: Uint8Array): ReceivedRecord {
  const text = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
  const quarantine = header(HEADER.quarantine);
  if (quarantine !== undefined) {
    const where = JSON.parse(decodeURIComponent(quarantine)) as Omit<QuarantineItem, 'sample'>;
    return { kind: 'quarantine', item: { ...where, sample: text } };
  }
  const cluster = header(HEADER.cluster);
  const source = header(HEADER.source);
  if (cluster === undefined || source === undefined) {
    return { kind: 'foreign', reason: `bus message without ${HEADER.cluster} and ${HEADER.source} headers (not published by a Vigil receiver)`, sample: text.slice(0, 4096) };
  }
  return { kind: 'record', cluster: decodeURIComponent(cluster), source: decodeURIComponent(source), record: text };
}

function digest(parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('base64url');
}
