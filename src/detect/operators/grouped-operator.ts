import { BoundedMap } from '../bounded-map.js';
import type { OperatorLimits } from './operator.js';

/** What every stateful operator shares: its per-group state, capped at `maxGroups` with evictions counted. */
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
}
