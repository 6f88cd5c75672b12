type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The API groups whose `Event` kind is a cluster event (not an audit event). */
export function isEventApiVersion(apiVersion: unknown): boolean {
  return apiVersion === 'v1' || (typeof apiVersion === 'string' && apiVersion.startsWith('events.k8s.io/'));
}

/**
 * A core/v1 or events.k8s.io Event object. List items carry no apiVersion or kind, so without
 * them the object must have the subject reference an Event always has and no audit ID.
 */
export function isKubeEventObject(value: unknown): value is Json {
  if (!isObject(value)) return false;
  if (value.kind !== undefined || value.apiVersion !== undefined) return value.kind === 'Event' && isEventApiVersion(value.apiVersion);
  return value.auditID === undefined && isObject(value.metadata) && (isObject(value.involvedObject) || isObject(value.regarding));
}

export const WATCH_TYPES = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

/** A frame of a watch stream (`{"type":"MODIFIED","object":{…}}`) about Events. */
export function isEventWatchFrame(value: unknown): value is { type: string; object: Json } {
  if (!isObject(value) || typeof value.type !== 'string' || !WATCH_TYPES.has(value.type) || !isObject(value.object)) return false;
  const object = value.object;
  if (value.type === 'BOOKMARK' || value.type === 'ERROR') return isEventApiVersion(object.apiVersion) || object.kind === 'Status';
  return isKubeEventObject(object);
}

/** An `EventList` from the API, or the `List` kubectl prints for `kubectl get events -o json` (every item an Event). */
export function isEventList(value: unknown): value is Json {
  if (!isObject(value)) return false;
  if (value.kind === 'EventList') return isEventApiVersion(value.apiVersion);
  return value.kind === 'List' && Array.isArray(value.items) && value.items.length > 0 && value.items.every(isKubeEventObject);
}

/**
 * An Event as its own record: list items come without `apiVersion` and `kind`, which are added
 * (first, as the API writes them) so a stored record says what it is.
 */
export function withTypeMeta(item: Json, apiVersion: string): Json {
  if (item.kind !== undefined && item.apiVersion !== undefined) return item;
  return { kind: 'Event', apiVersion, ...item };
}
