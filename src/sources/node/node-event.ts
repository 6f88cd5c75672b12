import type { VigilEvent } from '../../model/event.js';
import { eventId } from '../../model/event-id.js';
import { type AuthFacts, parseAuthMessage } from './auth-message.js';

/** What every node log entry has, whichever log it comes from. */
export interface NodeEntry {
  timestamp: number;
  dedupKey: string;
  host?: string;
  /** SYSLOG_IDENTIFIER or the syslog tag: `sshd`, `sudo`, `kubelet`. */
  program?: string;
  message?: string;
  level?: string;
  raw: Record<string, unknown>;
  record: string;
}

/** A node log entry as a normalized event; sshd, sudo and PAM messages also say who, from where and with what outcome. */
export function nodeEvent(entry: NodeEntry, cluster: string, auth = authFactsOf(entry)): VigilEvent {
  return {
    id: eventId(entry.timestamp, cluster, 'node', entry.dedupKey),
    timestamp: entry.timestamp,
    source: 'node',
    cluster,
    dedupKey: entry.dedupKey,
    kind: 'event',
    category: auth ? 'authentication' : undefined,
    action: auth?.action,
    outcome: auth?.outcome ?? 'unknown',
    userName: auth?.userName,
    sourceIp: auth?.sourceIp,
    hostName: entry.host,
    message: entry.message,
    logLevel: entry.level,
    raw: entry.raw,
    record: entry.record,
  };
}

export function authFactsOf(entry: Pick<NodeEntry, 'program' | 'message'>): AuthFacts | undefined {
  return entry.message === undefined ? undefined : parseAuthMessage(entry.program ?? '', entry.message);
}
