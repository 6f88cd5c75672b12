import type { Decoded } from '../source.js';
import type { ContainerIdentity } from './identity.js';
import { ContainerLineDecoder } from './line-decoder.js';
import { parseCriLine } from './log-line.js';

type Json = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** A record as fluent-bit's kubernetes filter ships it: `log` plus a `kubernetes` object naming the container. */
export function isShippedRecord(value: unknown): value is Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const record = value as Json;
  const kubernetes = record.kubernetes;
  if (typeof record.log !== 'string' || kubernetes === null || typeof kubernetes !== 'object') return false;
  const metadata = kubernetes as Json;
  return typeof metadata.pod_name === 'string' || typeof metadata.namespace_name === 'string';
}

/**
 * Decodes a shipped record. A shipper that read the file raw leaves the CRI lines in `log`;
 * they are decoded one by one (pieces joined). Otherwise `log` is the message itself.
 */
export function decodeShippedRecord(record: Json, cluster: string, where: string): Decoded {
  const metadata = record.kubernetes as Json;
  const identity: ContainerIdentity = {
    pod: str(metadata.pod_name),
    namespace: str(metadata.namespace_name),
    container: str(metadata.container_name),
    containerId: str(metadata.container_id) ?? str(metadata.docker_id),
    host: str(metadata.host),
    metadata,
  };
  const decoder = new ContainerLineDecoder({ cluster, identity });
  const log = record.log as string;
  const lines = log.split('\n').filter((line) => line !== '');
  if (lines.length === 0 || !lines.every((line) => parseCriLine(line) !== undefined)) {
    const time = str(record.time) ?? timeOfEpochSeconds(record.date);
    if (!time) return { events: [], rejections: [{ reason: 'shipped container log record without "time" or "date"', where, text: JSON.stringify(record) }] };
    const stream = str(record.stream) ?? 'stdout';
    lines.splice(0, lines.length, JSON.stringify({ log: log.endsWith('\n') ? log : `${log}\n`, stream, time }));
  }
  const decoded: Decoded = { events: [], rejections: [] };
  lines.forEach((line, index) => {
    const one = decoder.decode(line, `${where}log line ${index + 1}`);
    decoded.events.push(...one.events);
    decoded.rejections.push(...one.rejections);
  });
  decoded.events.push(...decoder.end().events);
  return decoded;
}

function timeOfEpochSeconds(value: unknown): string | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? new Date(Math.round(value * 1000)).toISOString() : undefined;
}
