import { NotAKubeEvent, normalizeKubeEvent } from './k8s-event/normalize.js';
import { isEventList, isEventWatchFrame, isKubeEventObject, isObject, withTypeMeta } from './k8s-event/event-shape.js';
import type { Decoded, DecodeContext, Source } from './source.js';

type Json = Record<string, unknown>;

/**
 * Kubernetes Event objects (core/v1 and events.k8s.io/v1): single Events, `EventList`s (as
 * `kubectl get events -o json` or the API list them) and watch frames. Audit events are another
 * source: an `audit.k8s.io` Event is never taken for one of these.
 */
export const k8sEventSource: Source = {
  kind: 'k8s.event',
  name: 'k8s-event',

  recognises(value) {
    return isEventList(value) || isEventWatchFrame(value) || isKubeEventObject(value);
  },

  decode(value, text, context) {
    const decoded: Decoded = { events: [], rejections: [] };
    if (isEventList(value)) decodeList(value, context, decoded);
    else if (isObject(value) && typeof value.type === 'string' && isObject(value.object)) decodeFrame(value.type, value.object, context, decoded);
    else decodeOne(value, text, '', context, decoded);
    return decoded;
  },
};

function decodeList(list: Json, context: DecodeContext, into: Decoded): void {
  if (!Array.isArray(list.items)) {
    into.rejections.push({ reason: 'EventList without an "items" array', where: '', text: JSON.stringify(list) });
    return;
  }
  const apiVersion = String(list.apiVersion);
  list.items.forEach((item: unknown, index: number) => {
    const record = isObject(item) ? withTypeMeta(item, apiVersion) : item;
    decodeOne(record, JSON.stringify(record), `items[${index}]`, context, into);
  });
}

/**
 * Deleted frames are the API expiring an Event already kept, and bookmarks only carry a
 * resourceVersion: neither is a new record. An error frame is kept in quarantine.
 */
function decodeFrame(type: string, object: Json, context: DecodeContext, into: Decoded): void {
  if (type === 'DELETED' || type === 'BOOKMARK') return;
  if (type === 'ERROR') {
    into.rejections.push({ reason: `watch ERROR frame: ${String(object.code ?? '')} ${String(object.message ?? object.reason ?? '')}`.trim(), where: 'object', text: JSON.stringify(object) });
    return;
  }
  decodeOne(object, JSON.stringify(object), 'object', context, into);
}

function decodeOne(value: unknown, text: string, where: string, context: DecodeContext, into: Decoded): void {
  if (!isKubeEventObject(value)) {
    into.rejections.push({ reason: 'not a Kubernetes Event (core/v1 or events.k8s.io): no involvedObject/regarding, or another kind', where, text });
    return;
  }
  try {
    into.events.push(normalizeKubeEvent(value, text, context.cluster));
  } catch (error) {
    if (!(error instanceof NotAKubeEvent)) throw error;
    into.rejections.push({ reason: error.message, where, text });
  }
}
