import { FIELDS } from './fields.js';

/**
 * Turns a stored event row into the document users see: ECS-style nested fields
 * (`user.name` becomes `{ user: { name } }`), the ledger index and the original record.
 */
export function rowToDocument(row: Record<string, unknown>): Record<string, unknown> {
  const document: Record<string, unknown> = {};
  for (const field of FIELDS) {
    const value = row[field.column];
    if (value === null || value === undefined) continue;
    setPath(document, field.name, fromColumn(field.type, value));
  }
  if (row.seq !== undefined && row.seq !== null) setPath(document, 'vigil.seq', row.seq);
  if (typeof row.record === 'string') setPath(document, 'vigil.original', JSON.parse(row.record));
  return document;
}

function fromColumn(type: string, value: unknown): unknown {
  if (type === 'time' && typeof value === 'number') return new Date(value).toISOString();
  if (type === 'string[]' && typeof value === 'string') return JSON.parse(value);
  return value;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  if (path.startsWith('@')) {
    target[path] = value;
    return;
  }
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (next === undefined || next === null || typeof next !== 'object') node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}
