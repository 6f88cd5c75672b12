/**
 * The UI's only way to the server: same-origin fetches with the session cookie, the CSRF token
 * on state-changing calls, and a page-wide "logged out" signal when the session ends.
 */

export interface SessionInfo {
  name: string;
  role: 'viewer' | 'responder' | 'admin';
  expiresAt: string;
  csrfToken: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** Fired on window when the server says the session is gone (401). */
export const LOGGED_OUT_EVENT = 'vigil:logged-out';

let csrfToken: string | undefined;

export function rememberSession(session: SessionInfo | undefined): void {
  csrfToken = session?.csrfToken;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export async function api<T>(method: string, path: string, body?: unknown, retried = false): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (UNSAFE.has(method) && csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  if (response.status === 204) return undefined as T;
  const payload = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (response.ok) return payload as T;
  const code = typeof payload.code === 'string' ? payload.code : undefined;
  // A restarted server no longer accepts the old CSRF token: fetch a fresh one and try once more.
  if (response.status === 403 && code === 'FST_CSRF_INVALID_TOKEN' && !retried) {
    rememberSession(await api<SessionInfo>('GET', '/api/v1/session'));
    return api<T>(method, path, body, true);
  }
  if (response.status === 401 && path !== '/api/v1/session') window.dispatchEvent(new Event(LOGGED_OUT_EVENT));
  const message = typeof payload.error === 'string' && payload.message === undefined ? payload.error : String(payload.message ?? payload.error ?? response.statusText);
  throw new ApiError(response.status, message, code);
}

/** A query string from the defined values; arrays repeat the key. */
export function queryString(params: Record<string, string | number | boolean | readonly string[] | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === '') continue;
    if (Array.isArray(value)) for (const item of value) search.append(key, item);
    else search.set(key, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

// ---- shapes of the API's answers the pages use ----

export type EventDocument = Record<string, unknown> & { '@timestamp': string };

export interface EventsAnswer {
  shape: 'events' | 'table';
  events?: EventDocument[];
  nextCursor?: string;
  columns?: string[];
  rows?: Record<string, unknown>[];
}

export interface HistogramAnswer {
  from: string;
  to: string;
  bucketMs: number;
  total: number;
  buckets: Array<{ start: string; count: number }>;
}

export interface FacetsAnswer {
  facets: Array<{ field: string; values: Array<{ value: string | number | null; count: number }> }>;
}

export interface FieldInfo {
  name: string;
  aliases: string[];
  type: string;
}

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

export interface Alert {
  id: string;
  rule: { id: string; title: string; severity: Severity; format: string };
  techniques: string[];
  entity: Record<string, string | undefined>;
  count: number;
  firstSeen: string;
  lastSeen: string;
  summary: string;
  events: string[];
  status: string;
  cluster?: string;
  updatedAt?: string;
  [more: string]: unknown;
}

export interface Rule {
  id: string;
  title: string;
  description?: string;
  severity: Severity;
  format: string;
  techniques: string[];
  runbook?: string;
  enabled: boolean;
  /** The last enable or disable by an operator; absent: as the rule's file says. */
  changed?: { by: string; at: string; reason?: string };
  sources?: string[];
  operator: string;
  hits: { alerts: number; open: number; detections: number; lastSeen?: string };
  coverage?: { status: string; covered: number; checked: number };
}

/** A rule run over given events (POST /api/v1/rules/:id/test). */
export interface RuleTrial {
  rule: string;
  events: number;
  matched: Array<{ index: number; eventId: string; time: string; inAlert: boolean }>;
  detections: number;
  alerts: Array<{ id: string; summary: string; count: number; entity: Record<string, string | undefined> }>;
  notes: string[];
}

/** The rule's own test events run (POST /api/v1/rules/:id/test/embedded). */
export interface RuleSelfTest {
  rule: string;
  results: Array<{ kind: 'positive' | 'negative'; name: string; passed: boolean; problem?: string }>;
  failed: number;
  untested: boolean;
}

/** The alerts list may come as a plain array or wrapped; both are accepted. */
export function alertsOf(answer: unknown): Alert[] {
  if (Array.isArray(answer)) return answer as Alert[];
  const wrapped = answer as { alerts?: Alert[]; items?: Alert[] };
  return wrapped.alerts ?? wrapped.items ?? [];
}
