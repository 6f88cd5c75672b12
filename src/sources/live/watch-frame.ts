import { isObject } from '../k8s-event/event-shape.js';
import { statusError } from './kube-http.js';

type Json = Record<string, unknown>;

/** What one line of a watch stream means to the watcher. */
export type WatchFrame =
  | { type: 'changed'; object: Json; uid?: string; version?: string; verb: string }
  | { type: 'deleted'; uid?: string; version?: string }
  | { type: 'bookmark'; version?: string }
  /** 410 Gone: the resourceVersion is too old; list again. */
  | { type: 'expired' }
  | { type: 'failed'; error: Error }
  | { type: 'malformed'; reason: string };

export function readWatchFrame(text: string): WatchFrame {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch (error) {
    return { type: 'malformed', reason: `malformed watch frame: ${(error as Error).message}` };
  }
  if (!isObject(frame) || typeof frame.type !== 'string' || !isObject(frame.object)) return { type: 'malformed', reason: 'watch frame without "type" and "object"' };
  const object = frame.object;
  const { uid, version } = identityOf(object);
  switch (frame.type) {
    case 'ERROR':
      return object.code === 410 ? { type: 'expired' } : { type: 'failed', error: statusError(Number(object.code ?? 0), JSON.stringify(object), 'watch error frame') };
    case 'BOOKMARK':
      return { type: 'bookmark', version };
    case 'DELETED':
      return { type: 'deleted', uid, version };
    default:
      return { type: 'changed', object, uid, version, verb: frame.type };
  }
}

export function identityOf(object: Json): { uid?: string; version?: string } {
  const metadata = isObject(object.metadata) ? object.metadata : {};
  return {
    uid: typeof metadata.uid === 'string' ? metadata.uid : undefined,
    version: typeof metadata.resourceVersion === 'string' ? metadata.resourceVersion : undefined,
  };
}
