import type { VigilEvent } from '../model/event.js';
import { fieldByName } from '../model/fields.js';
import { compilePathReader, parsePath, readPath } from '../model/path.js';
import { derivedFieldFor } from './derived-fields.js';

/**
 * Reads one addressed value from an event: a scalar, an array of values (multi-valued fields and
 * raw paths that fan out) or undefined. Callers treat nested arrays as further values.
 */
export type Accessor = (event: VigilEvent) => unknown;

export interface CompiledField {
  name: string;
  get: Accessor;
  /** Normalized fields are plain property reads; raw paths walk the original record. */
  kind: 'normalized' | 'derived' | 'raw';
  /** The canonical ECS name for normalized fields (so `verb` and `event.action` index alike). */
  canonical: string;
  /** False when the value is always one scalar or undefined, so no array needs unrolling. */
  multiValued: boolean;
}

/**
 * Namespaces that only exist in Vigil's normalized model: a name under them that is not a known
 * field is a typo, not a raw path, and must fail at load instead of silently never matching.
 */
const NORMALIZED_ONLY_PREFIXES = ['vigil.', 'orchestrator.', 'event.', 'http.', 'url.', 'user_agent.', 'source.', 'log.', '@'];

export function compileField(name: string): CompiledField {
  const def = fieldByName(name);
  if (def !== undefined) return { name, get: def.get, kind: 'normalized', canonical: def.name, multiValued: def.type === 'string[]' };
  const derived = derivedFieldFor(name);
  if (derived !== undefined) {
    const { field, rest } = derived;
    const get: Accessor = rest === '' ? field.get : (event) => readBelow(field.get(event), rest);
    return { name, get, kind: 'derived', canonical: name, multiValued: true };
  }
  if (NORMALIZED_ONLY_PREFIXES.some((prefix) => name.startsWith(prefix))) {
    throw new Error(`unknown field "${name}": not a normalized field (see src/model/fields.ts) nor a derived vigil.k8s.* field`);
  }
  parsePath(name);
  return { name, get: rawAccessor(name), kind: 'raw', canonical: name, multiValued: true };
}

function readBelow(root: unknown, rest: string): unknown {
  if (root === undefined || root === null) return undefined;
  return readPath(root, rest);
}

function rawAccessor(path: string): Accessor {
  const read = compilePathReader(path);
  return (event) => read(event.raw);
}
