import { BoundedMap } from '../bounded-map.js';
import { type OperatorLimits, entriesOf } from './operator.js';

/**
 * What every stateful operator shares: its per-group state, capped at `maxGroups` with evictions
 * counted, and saved as [group, state] pairs (states are plain JSON unless an operator says otherwise).
 */
export abstract class GroupedOperator<State> {
  protected readonly groups: BoundedMap<State>;

  constructor(limits: OperatorLimits) {
    this.groups = new BoundedMap(limits.maxGroups);
  }

  get size(): number {
    return this.groups.size;
  }

  get evictions(): number {
    return this.groups.evictions;
  }

  snapshot(): unknown {
    return [...this.groups.entries()];
  }

  restore(state: unknown): void {
    this.groups.clear();
    for (const [key, value] of entriesOf<State>(state)) this.groups.set(key, value);
  }
}
