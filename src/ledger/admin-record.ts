import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import type { Outcome, VigilEvent } from '../model/event.js';
import { eventId } from '../model/event-id.js';

/**
 * Vigil's own actions (an ingest run, retention applied) as records of source `vigil.admin` in
 * the same ledger as the logs they concern, so removing or altering them is caught like any
 * other tamper. The record is JSON written by Vigil; its columns are re-derived from it by
 * `normalizeAdminRecord`, exactly as an audit event's are by its normalizer.
 *
 *   {"apiVersion":"vigil.dev/v1","kind":"AdminAction","id":"<uuid>","time":"2026-…Z",
 *    "action":"retention.apply","outcome":"success","actor":{"user":"ops","host":"vigil-0","pid":42},
 *    "summary":"…","details":{…}}
 *
 * Users cannot store such records: the `vigil.admin` source is not in the source registry, so
 * neither `--source auto` nor any receiver decodes input as one.
 */

export const ADMIN_SOURCE = 'vigil.admin';
/** Admin actions concern the install, not one cluster; they are filed under this cluster name. */
export const ADMIN_CLUSTER = 'vigil';
const API_VERSION = 'vigil.dev/v1';
const KIND = 'AdminAction';

export interface AdminAction {
  /** Dotted verb, e.g. `ingest.run`, `retention.apply`. */
  action: string;
  outcome: 'success' | 'failure';
  /** One line for people (the record's message). */
  summary: string;
  details: Record<string, unknown>;
}

export class NotAnAdminRecord extends Error {
  override name = 'NotAnAdminRecord';
}

/** The record text of an action taken now by this process. */
export function adminRecordText(action: AdminAction, now: number = Date.now()): string {
  return JSON.stringify({
    apiVersion: API_VERSION,
    kind: KIND,
    id: randomUUID(),
    time: new Date(now).toISOString(),
    action: action.action,
    outcome: action.outcome,
    actor: { user: currentUser(), host: hostname(), pid: process.pid },
    summary: action.summary,
    details: action.details,
  });
}

/** The event to append for an action taken now. */
export function adminEvent(action: AdminAction, now: number = Date.now()): VigilEvent {
  const text = adminRecordText(action, now);
  return normalizeAdminRecord(JSON.parse(text) as Record<string, unknown>, text, ADMIN_CLUSTER);
}

type Json = Record<string, unknown>;

/** Columns of an admin record; throws NotAnAdminRecord for anything Vigil would not have written. */
export function normalizeAdminRecord(raw: Json, record: string, cluster: string): VigilEvent {
  if (raw.apiVersion !== API_VERSION || raw.kind !== KIND) throw new NotAnAdminRecord(`not a ${API_VERSION} ${KIND} record`);
  const id = requireText(raw, 'id');
  const action = requireText(raw, 'action');
  const time = requireText(raw, 'time');
  const timestamp = Date.parse(time);
  if (Number.isNaN(timestamp)) throw new NotAnAdminRecord(`admin record ${id}: "time" ${JSON.stringify(time)} is not an RFC 3339 time`);
  const outcome: Outcome = raw.outcome === 'success' || raw.outcome === 'failure' ? raw.outcome : 'unknown';
  const actor = isObject(raw.actor) ? raw.actor : {};
  return {
    id: eventId(timestamp, cluster, ADMIN_SOURCE, id),
    timestamp,
    source: ADMIN_SOURCE,
    cluster,
    dedupKey: id,
    kind: 'event',
    category: 'configuration',
    action,
    outcome,
    userName: text(actor.user),
    hostName: text(actor.host),
    message: text(raw.summary),
    logLevel: outcome === 'failure' ? 'error' : 'info',
    raw,
    record,
  };
}

function requireText(raw: Json, key: string): string {
  const value = text(raw[key]);
  if (value === undefined) throw new NotAnAdminRecord(`admin record without "${key}"`);
  return value;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    // A uid without a passwd entry (common in containers) has no name.
    return `uid ${process.getuid?.() ?? 'unknown'}`;
  }
}
