import type { VigilEvent } from '../../model/event.js';
import { eventId } from '../../model/event-id.js';
import { withRepeat } from '../repeat-counter.js';
import { readAppLog } from './app-log.js';
import { type ContainerIdentity, identityRecord } from './identity.js';
import type { LogicalLine } from './partial-lines.js';

/**
 * A container log line as a normalized event. The record is built, not copied, because a line
 * may be joined from pieces and CRI lines are not JSON: `time`, `stream`, `log` as written,
 * `kubernetes` for the container, `json` for the fields of a JSON application log line.
 */
export function containerEvent(line: LogicalLine, identity: ContainerIdentity | undefined, cluster: string, repeat: number): VigilEvent {
  const timestamp = Date.parse(line.time);
  const app = readAppLog(line.message);
  const raw = recordOf(line, identity, app.json);
  const origin = identity?.containerId ?? [identity?.namespace, identity?.pod, identity?.container].filter(Boolean).join('/');
  const dedupKey = withRepeat(`${origin}\u0000${line.stream}\u0000${line.time}\u0000${line.message}`, repeat);
  return {
    id: eventId(timestamp, cluster, 'container', dedupKey),
    timestamp,
    source: 'container',
    cluster,
    dedupKey,
    kind: 'event',
    outcome: 'unknown',
    namespace: identity?.namespace,
    podName: identity?.pod,
    containerId: identity?.containerId,
    hostName: identity?.host,
    message: app.message,
    logLevel: app.level,
    raw,
    record: JSON.stringify(raw),
  };
}

function recordOf(line: LogicalLine, identity: ContainerIdentity | undefined, json: Record<string, unknown> | undefined): Record<string, unknown> {
  const raw: Record<string, unknown> = { time: line.time, stream: line.stream, log: line.message, format: line.format };
  const kubernetes = identity ? identityRecord(identity) : undefined;
  if (kubernetes) raw.kubernetes = kubernetes;
  if (line.attrs) raw.attrs = line.attrs;
  if (json) raw.json = json;
  if (line.pieces > 1) raw.pieces = line.pieces;
  if (line.truncatedBytes > 0) raw.truncated_bytes = line.truncatedBytes;
  if (line.unfinished) raw.unfinished = true;
  return raw;
}
