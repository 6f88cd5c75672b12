import { SOURCE_KINDS, type SourceKind } from '../model/event.js';
import type { CompiledRule } from './rule.js';

const ANY = '*';
/** Distinct (verb, resource) pairs cached per source; beyond this, lists are merged per call. */
const MAX_CACHED_PAIRS = 4096;
const NONE: readonly CompiledRule[] = [];

type Cells = Map<string, Map<string, CompiledRule[]>>;

/**
 * Rules by `vigil.source`, verb and resource, as the rules' conditions guarantee them. An event
 * only runs the rules filed under its own (source, verb, resource), under (verb, any resource),
 * (any verb, resource) and (any, any); the merged list per pair is built once and cached, so the
 * per-event cost is a few map lookups plus the rules that can actually apply.
 */
export class RuleIndex {
  private readonly cells = new Map<SourceKind, Cells>();
  private readonly merged = new Map<SourceKind, Map<string, Map<string, readonly CompiledRule[]>>>();
  private readonly order = new Map<CompiledRule, number>();
  private cachedPairs = 0;

  constructor(rules: readonly CompiledRule[]) {
    rules.forEach((rule, position) => {
      this.order.set(rule, position);
      const verbs = rule.condition.hints.verbs ?? [ANY];
      const resources = rule.condition.hints.resources ?? [ANY];
      for (const source of rule.sources ?? SOURCE_KINDS) {
        const cells = this.cellsOf(source);
        for (const verb of verbs) {
          let byResource = cells.get(verb);
          if (byResource === undefined) cells.set(verb, (byResource = new Map()));
          for (const resource of resources) {
            const list = byResource.get(resource);
            if (list === undefined) byResource.set(resource, [rule]);
            else list.push(rule);
          }
        }
      }
    });
  }

  candidates(source: SourceKind, verb: string | undefined, resource: string | undefined): readonly CompiledRule[] {
    const byVerb = this.merged.get(source);
    if (byVerb === undefined) return NONE;
    const verbKey = verb ?? '';
    const resourceKey = resource ?? '';
    let byResource = byVerb.get(verbKey);
    const cached = byResource?.get(resourceKey);
    if (cached !== undefined) return cached;
    const list = this.merge(source, verbKey, resourceKey);
    if (this.cachedPairs < MAX_CACHED_PAIRS) {
      if (byResource === undefined) byVerb.set(verbKey, (byResource = new Map()));
      byResource.set(resourceKey, list);
      this.cachedPairs++;
    }
    return list;
  }

  private cellsOf(source: SourceKind): Cells {
    let cells = this.cells.get(source);
    if (cells === undefined) {
      cells = new Map();
      this.cells.set(source, cells);
      this.merged.set(source, new Map());
    }
    return cells;
  }

  private merge(source: SourceKind, verb: string, resource: string): readonly CompiledRule[] {
    const cells = this.cells.get(source);
    if (cells === undefined) return NONE;
    const found: CompiledRule[] = [];
    for (const verbKey of verb === ANY ? [ANY] : [verb, ANY]) {
      const byResource = cells.get(verbKey);
      if (byResource === undefined) continue;
      for (const resourceKey of resource === ANY ? [ANY] : [resource, ANY]) {
        const list = byResource.get(resourceKey);
        if (list !== undefined) found.push(...list);
      }
    }
    if (found.length === 0) return NONE;
    return found.sort((a, b) => (this.order.get(a) ?? 0) - (this.order.get(b) ?? 0));
  }
}
