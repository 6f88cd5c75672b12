import type { VigilEvent } from '../model/event.js';
import { findSource } from '../sources/registry.js';
import { ADMIN_SOURCE, normalizeAdminRecord } from './admin-record.js';

/**
 * Re-derives the event a stored record was normalized into, with the decoder of the source kind
 * it was stored under: the user-facing sources from the registry, and Vigil's own admin records,
 * which are deliberately absent from the registry so no input can be decoded as one.
 */

export class CannotRederive extends Error {
  override name = 'CannotRederive';
}

export function deriveStoredEvent(source: string, cluster: string, record: string): VigilEvent {
  let raw: unknown;
  try {
    raw = JSON.parse(record);
  } catch (error) {
    throw new CannotRederive(`the record is not JSON (${(error as Error).message})`);
  }
  if (source === ADMIN_SOURCE) {
    if (!isObject(raw)) throw new CannotRederive('an admin record must be a JSON object');
    try {
      return normalizeAdminRecord(raw, record, cluster);
    } catch (error) {
      throw new CannotRederive((error as Error).message);
    }
  }
  const decoder = findSource(source);
  if (!decoder || decoder.kind !== source) throw new CannotRederive(`no decoder for source kind "${source}"`);
  const decoded = decoder.decode(raw, record, { cluster });
  if (decoded.events.length !== 1) {
    const why = decoded.rejections[0]?.reason ?? `it decodes into ${decoded.events.length} events`;
    throw new CannotRederive(`the record is not one ${source} event: ${why}`);
  }
  return decoded.events[0];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
