import type { FieldName } from './ast.js';
import { FIELDS, type FieldDef, fieldByName } from '../model/fields.js';
import { parsePath } from '../model/path.js';
import { QueryError } from './query-error.js';

export type PathStep = ReturnType<typeof parsePath>[number];

/**
 * What a field name in a query addresses: a normalized field (a store column) or a path of the
 * original record. `name` is kept as typed: output columns carry the user's own names.
 */
export type FieldRef =
  | { kind: 'column'; name: string; def: FieldDef }
  | { kind: 'path'; name: string; steps: readonly PathStep[] };

/**
 * Namespaces that exist only in Vigil's normalized model (the rule engine uses the same list):
 * a name under them that is not a known field is a typo, not a raw path, and must say so
 * instead of silently matching nothing.
 */
const NORMALIZED_ONLY_PREFIXES = ['vigil.', 'orchestrator.', 'event.', 'http.', 'url.', 'user_agent.', 'source.', 'log.', '@'];

export function resolveField(field: FieldName): FieldRef {
  const def = fieldByName(field.name);
  if (def !== undefined) return { kind: 'column', name: field.name, def };
  const namespace = NORMALIZED_ONLY_PREFIXES.find((prefix) => field.name.startsWith(prefix));
  if (namespace !== undefined) {
    const siblings = FIELDS.filter((candidate) => candidate.name.startsWith(namespace)).map((candidate) => candidate.name);
    throw QueryError.at(field.pos, `unknown field "${field.name}"; fields under ${namespace}: ${siblings.join(', ')}`);
  }
  try {
    return { kind: 'path', name: field.name, steps: parsePath(field.name) };
  } catch (error) {
    throw QueryError.at(field.pos, (error as Error).message);
  }
}

/**
 * Whether a field can hold several values in one event: a list column, or a raw path that fans
 * out over an array with `[*]`. (A plain path may still end on an array; filters treat its
 * elements as values.)
 */
export function isMultiValued(field: FieldRef): boolean {
  if (field.kind === 'column') return field.def.type === 'string[]';
  return field.steps.some((step) => 'all' in step);
}

/** Whether two refs address the same data (`user` and `user.name` do). */
export function sameField(a: FieldRef, b: FieldRef): boolean {
  if (a.kind === 'column' && b.kind === 'column') return a.def === b.def;
  return a.kind === 'path' && b.kind === 'path' && a.name === b.name;
}
