import type { VigilEvent } from '../../model/event.js';
import type { CompiledCondition } from '../condition.js';
import { pushCapped, type Evidence, type OperatorLimits, type StatefulOperator } from './operator.js';
import { GroupedOperator } from './grouped-operator.js';

interface SequenceState {
  /** Index of the next step to match. */
  next: number;
  started: number;
  ids: string[];
}

/**
 * Ordered steps by the same group within a time bound (A then B by one user within 5m). One
 * partial sequence is tracked per group; a repeated first step restarts it so the bound is
 * measured from the latest possible start.
 */
export class Sequence extends GroupedOperator<SequenceState> implements StatefulOperator {
  constructor(
    private readonly steps: readonly CompiledCondition[],
    private readonly withinMs: number,
    private readonly limits: OperatorLimits,
  ) {
    super(limits);
  }

  observe(event: VigilEvent, groupKey: string): Evidence | undefined {
    const t = event.timestamp;
    let state = this.groups.get(groupKey);
    if (state !== undefined && t - state.started > this.withinMs) {
      this.groups.delete(groupKey);
      state = undefined;
    }
    if (state !== undefined && this.steps[state.next].test(event)) return this.step(state, groupKey, event);
    if (this.steps[0].test(event) && (state === undefined || state.next === 1)) {
      this.groups.set(groupKey, { next: 1, started: t, ids: [event.id] });
    }
    return undefined;
  }

  private step(state: SequenceState, groupKey: string, event: VigilEvent): Evidence | undefined {
    pushCapped(state.ids, event.id, this.limits.maxEventIds);
    state.next++;
    if (state.next < this.steps.length) return undefined;
    this.groups.delete(groupKey);
    return { firstSeen: state.started, time: event.timestamp, eventIds: state.ids, count: state.ids.length };
  }
}
