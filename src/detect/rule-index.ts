import type { VigilEvent } from '../model/event.js';
import { INDEX_DIMENSIONS } from './condition.js';
import type { CompiledRule } from './rule.js';
import { indexKeyOf, indexKeysOf } from './source-family.js';

const ANY = '*';
/** Distinct (verb, resource, actor) combinations cached per source; beyond, lists are merged per call. */
const MAX_CACHED = 8192;
/** What the index files: a rule, or anything that carries one (the engine's rule + state). */
export interface Indexed {
  rule: CompiledRule;
}

/** A tree of maps, one level per index dimension; leaves hold lists. */
type Level<T> = Map<string, Level<T> | T[]>;

/**
 * Rules filed by `vigil.source` (cloud audit records also reach `k8s.audit` rules, see
 * source-family.ts), verb, resource and actor kind, as far as the rules' conditions guarantee
 * them (`verb: delete`, `not: {actor: [node, controller]}`). An event only runs the rules filed
 * under its own values or under "any" in each dimension; the merged, ordered list for each
 * combination is built once and cached, so the per-event cost is a few map lookups plus the
 * rules that can actually apply.
 */
export class RuleIndex<T extends Indexed> {
  private readonly trees = new Map<string, Level<T>>();
  private readonly merged = new Map<string, Level<T>>();
  private readonly order = new Map<T, number>();
  private readonly none: readonly T[] = [];
  private cached = 0;

  constructor(items: readonly T[]) {
    items.forEach((item, position) => {
      const rule = item.rule;
      this.order.set(item, position);
      const keys = INDEX_DIMENSIONS.map((dimension) => [...(rule.condition.hints[dimension] ?? [ANY])]);
      for (const source of indexKeysOf(rule)) {
        let tree = this.trees.get(source);
        if (tree === undefined) {
          this.trees.set(source, (tree = new Map()));
          this.merged.set(source, new Map());
        }
        file(tree, keys, 0, item);
      }
    });
  }

  candidates(event: VigilEvent): readonly T[] {
    const source = indexKeyOf(event);
    const root = this.merged.get(source);
    if (root === undefined) return this.none;
    const verb = event.action ?? '';
    const resource = event.resourceType ?? '';
    const actor = event.actorKind ?? '';
    const byResource = root.get(verb) as Level<T> | undefined;
    const byActor = byResource?.get(resource) as Level<T> | undefined;
    const cached = byActor?.get(actor) as T[] | undefined;
    if (cached !== undefined) return cached;
    const list = this.merge(source, [verb, resource, actor]);
    if (this.cached < MAX_CACHED) {
      this.cached++;
      let level = root;
      for (const key of [verb, resource]) {
        let next = level.get(key) as Level<T> | undefined;
        if (next === undefined) level.set(key, (next = new Map()));
        level = next;
      }
      level.set(actor, list as T[]);
    }
    return list;
  }

  private merge(source: string, values: string[]): readonly T[] {
    const tree = this.trees.get(source);
    if (tree === undefined) return this.none;
    const found: T[] = [];
    collect(tree, values, 0, found);
    if (found.length === 0) return this.none;
    return found.sort((a, b) => (this.order.get(a) ?? 0) - (this.order.get(b) ?? 0));
  }
}

function file<T>(level: Level<T>, keys: string[][], depth: number, item: T): void {
  const last = depth === keys.length - 1;
  for (const key of keys[depth]) {
    let next = level.get(key);
    if (next === undefined) level.set(key, (next = last ? [] : new Map()));
    if (last) (next as T[]).push(item);
    else file(next as Level<T>, keys, depth + 1, item);
  }
}

/** Gathers the rules under the event's value and under "any" at every level (each rule once). */
function collect<T>(level: Level<T>, values: string[], depth: number, into: T[]): void {
  const last = depth === values.length - 1;
  for (const key of values[depth] === ANY ? [ANY] : [values[depth], ANY]) {
    const next = level.get(key);
    if (next === undefined) continue;
    if (last) into.push(...(next as T[]));
    else collect(next as Level<T>, values, depth + 1, into);
  }
}
