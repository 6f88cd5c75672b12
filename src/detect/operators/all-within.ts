import type { VigilEvent } from '../../model/event.js';
import type { CompiledCondition } from '../condition.js';
import { type Evidence, type OperatorLimits, type StatefulOperator } from './operator.js';
import { GroupedOperator } from './grouped-operator.js';

interface AllWithinState {
  /** Per step: the time and event id of its latest match, or null before the first. */
  latest: Array<[number, string] | null>;
}

/**
 * Every step by the same group within a time bound, in any order (Sigma `temporal`). Each step
 * keeps only its latest match, so the bound is checked against the latest possible window: it
 * fires as soon as the oldest of the latest matches is no older than the bound.
 */
export class AllWithin extends GroupedOperator<AllWithinState> implements StatefulOperator {
  constructor(
    private readonly steps: readonly CompiledCondition[],
    private readonly withinMs: number,
    limits: OperatorLimits,
  ) {
    super(limits);
  }

  observe(event: VigilEvent, groupKey: string): Evidence | undefined {
    const t = event.timestamp;
    let state = this.groups.get(groupKey);
    if (state === undefined) {
      state = { latest: this.steps.map(() => null) };
      this.groups.set(groupKey, state);
    }
    this.steps.forEach((step, i) => {
      if (step.test(event)) state.latest[i] = [t, event.id];
    });
    let oldest = Number.POSITIVE_INFINITY;
    for (const match of state.latest) {
      if (match === null) return undefined;
      oldest = Math.min(oldest, match[0]);
    }
    if (t - oldest > this.withinMs) return undefined;
    const ids = [...new Set(state.latest.map((match) => (match as [number, string])[1]))];
    this.groups.delete(groupKey);
    return { firstSeen: oldest, time: t, eventIds: ids, count: ids.length };
  }
}
