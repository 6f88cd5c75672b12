import { NotAnAuditEvent, normalizeAuditEvent } from '../model/k8s-audit.js';
import { redactSecrets } from '../model/redact.js';
import type { Decoded, DecodeContext, Source } from './source.js';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * Kubernetes audit events (`audit.k8s.io/v1` and `v1beta1`): single Events as written by the
 * log backend, and `EventList` bodies as POSTed by the webhook backend.
 */
export const k8sAuditSource: Source = {
  kind: 'k8s.audit',
  name: 'k8s-audit',

  recognises(value) {
    if (!isObject(value)) return false;
    const apiVersion = value.apiVersion;
    if (typeof apiVersion === 'string') return apiVersion.startsWith('audit.k8s.io/');
    return value.kind === 'Event' && typeof value.auditID === 'string';
  },

  decode(value, text, context) {
    if (isObject(value) && value.kind === 'EventList') return decodeList(value, context);
    const decoded: Decoded = { events: [], rejections: [] };
    decodeOne(value, text, '', context, decoded);
    return decoded;
  },
};

function decodeList(list: Json, context: DecodeContext): Decoded {
  const decoded: Decoded = { events: [], rejections: [] };
  if (!Array.isArray(list.items)) {
    decoded.rejections.push({ reason: 'EventList without an "items" array', where: '', text: JSON.stringify(list) });
    return decoded;
  }
  list.items.forEach((item: unknown, index: number) => {
    decodeOne(item, JSON.stringify(item), `items[${index}]`, context, decoded);
  });
  return decoded;
}

function decodeOne(value: unknown, text: string, where: string, context: DecodeContext, into: Decoded): void {
  if (!isObject(value)) {
    into.rejections.push({ reason: `expected a JSON object (an audit Event), got ${describe(value)}`, where, text });
    return;
  }
  try {
    // Redaction happens before anything is stored or hashed: the ledger covers what is kept.
    const record = redactSecrets(value) ? JSON.stringify(value) : text;
    into.events.push(normalizeAuditEvent(value, record, context.cluster));
  } catch (error) {
    if (!(error instanceof NotAnAuditEvent)) throw error;
    into.rejections.push({ reason: error.message, where, text });
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : `a ${typeof value}`;
}
