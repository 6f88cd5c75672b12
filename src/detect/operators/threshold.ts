import type { VigilEvent } from '../../model/event.js';
import type { CompiledField } from '../field-access.js';
import { textOfValue } from '../template.js';
import { pushCapped, type Evidence, type OperatorLimits, type StatefulOperator } from './operator.js';
import { GroupedOperator } from './grouped-operator.js';

interface CountState {
  times: number[];
  ids: string[];
  /** While a burst is ongoing, each further event joins the alert instead of re-counting. */
  activeUntil: number;
}

interface DistinctState {
  /** value → [last time, event id], oldest first. */
  values: Array<[string, number, string]>;
  activeUntil: number;
}

/**
 * `count >= N within T` per group. Only the last N timestamps are kept, so memory per group is
 * bounded by N. Once fired, events keep joining the alert until the group is quiet for T.
 */
export class CountThreshold extends GroupedOperator<CountState> implements StatefulOperator {
  constructor(
    private readonly count: number,
    private readonly withinMs: number,
    private readonly limits: OperatorLimits,
  ) {
    super(limits);
  }

  observe(event: VigilEvent, groupKey: string): Evidence | undefined {
    const t = event.timestamp;
    let state = this.groups.get(groupKey);
    if (state === undefined) {
      state = { times: [], ids: [], activeUntil: 0 };
      this.groups.set(groupKey, state);
    }
    if (t <= state.activeUntil) {
      state.activeUntil = t + this.withinMs;
      return { firstSeen: t, time: t, eventIds: [event.id], count: 1 };
    }
    state.times.push(t);
    state.ids.push(event.id);
    while (state.times.length > 0 && state.times[0] < t - this.withinMs) {
      state.times.shift();
      state.ids.shift();
    }
    if (state.times.length < this.count) return undefined;
    const evidence: Evidence = {
      firstSeen: state.times[0],
      time: t,
      eventIds: state.ids.slice(0, this.limits.maxEventIds),
      count: state.times.length,
    };
    state.times = [];
    state.ids = [];
    state.activeUntil = t + this.withinMs;
    return evidence;
  }
}

/** `distinct(field) >= N within T` per group, e.g. distinct secrets read by one identity. */
export class DistinctThreshold extends GroupedOperator<DistinctState> implements StatefulOperator {
  constructor(
    private readonly field: CompiledField,
    private readonly count: number,
    private readonly withinMs: number,
    private readonly limits: OperatorLimits,
  ) {
    super(limits);
  }

  observe(event: VigilEvent, groupKey: string): Evidence | undefined {
    const value = textOfValue(this.field.get(event));
    if (value === undefined) return undefined;
    const t = event.timestamp;
    let state = this.groups.get(groupKey);
    if (state === undefined) {
      state = { values: [], activeUntil: 0 };
      this.groups.set(groupKey, state);
    }
    if (t <= state.activeUntil) {
      state.activeUntil = t + this.withinMs;
      return { firstSeen: t, time: t, eventIds: [event.id], count: 1 };
    }
    const existing = state.values.findIndex((entry) => entry[0] === value);
    if (existing >= 0) state.values.splice(existing, 1);
    state.values.push([value, t, event.id]);
    while (state.values.length > 0 && state.values[0][1] < t - this.withinMs) state.values.shift();
    if (state.values.length < this.count) return undefined;
    const ids: string[] = [];
    for (const entry of state.values) pushCapped(ids, entry[2], this.limits.maxEventIds);
    const evidence: Evidence = { firstSeen: state.values[0][1], time: t, eventIds: ids, count: state.values.length };
    state.values = [];
    state.activeUntil = t + this.withinMs;
    return evidence;
  }
}
