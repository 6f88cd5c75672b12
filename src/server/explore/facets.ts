import type { Store, TimeRange } from '../../store/store.js';
import { BadRequest, asBadRequest } from './explore-input.js';

/** The fields Explore shows top values of when the request names none. */
export const DEFAULT_FACET_FIELDS = [
  'vigil.source',
  'orchestrator.cluster.name',
  'event.action',
  'user.name',
  'orchestrator.namespace',
  'orchestrator.resource.type',
  'http.response.status_code',
  'source.ip',
  'vigil.actor.kind',
  'event.outcome',
] as const;

export interface Facet {
  field: string;
  /** Most frequent first; `value` null counts the events without the field. */
  values: Array<{ value: string | number | null; count: number }>;
}

/** A field name or raw path, nothing that could end the name and start another term. */
const FIELD_NAME = /^[@A-Za-z_][\w.@-]*(\[(\*|\d+)\][\w.@-]*)*$/;

/** Top values of each field among the events `filter` matches, one `| stats count() by` each. */
export async function facets(store: Store, filter: string, range: TimeRange, fields: readonly string[], size: number): Promise<Facet[]> {
  const result: Facet[] = [];
  for (const field of fields) {
    if (!FIELD_NAME.test(field)) throw new BadRequest(`field "${field}" is not a field name or raw path (e.g. user.name, objectRef.subresource)`);
    const text = `${filter} | stats count() as n by ${field} | sort -n | head ${size}`;
    const rows = await store.query(text, range).catch((error: unknown) => {
      throw asBadRequest(error);
    });
    result.push({ field, values: rows.rows.map((row) => ({ value: facetValue(row[field]), count: Number(row.n) })) });
  }
  return result;
}

function facetValue(value: unknown): string | number | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'number' ? value : String(value);
}
