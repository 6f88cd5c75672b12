import type { VigilEvent } from '../../model/event.js';
import type { CompiledField } from '../field-access.js';
import { textOfValue } from '../template.js';
import { entriesOf, type Evidence, type OperatorLimits, type StatefulOperator } from './operator.js';
import { GroupedOperator } from './grouped-operator.js';

interface NewValueState {
  firstSeen: number;
  /** value → last time seen. */
  values: Map<string, number>;
}

type SavedState = { firstSeen: number; values: Array<[string, number]> };

/**
 * The first time an entity shows a value (or combination of values) within the lookback:
 * a service account's first request from an IP or user agent it never used. An entity must
 * have been seen for the learning period first, so brand-new workloads do not fire.
 */
export class NewValue extends GroupedOperator<NewValueState> implements StatefulOperator {
  private valueEvictions = 0;

  constructor(
    private readonly fields: readonly CompiledField[],
    private readonly options: { lookbackMs: number; learnMs: number },
    private readonly limits: OperatorLimits,
  ) {
    super(limits);
  }

  override get evictions(): number {
    return super.evictions + this.valueEvictions;
  }

  observe(event: VigilEvent, groupKey: string): Evidence | undefined {
    const value = this.observedValue(event);
    if (value === undefined) return undefined;
    const t = event.timestamp;
    let state = this.groups.get(groupKey);
    if (state === undefined) {
      state = { firstSeen: t, values: new Map([[value, t]]) };
      this.groups.set(groupKey, state);
      return undefined;
    }
    const lastSeen = state.values.get(value);
    const isNew = lastSeen === undefined || t - lastSeen > this.options.lookbackMs;
    this.remember(state, value, Math.max(t, lastSeen ?? t));
    if (!isNew || t - state.firstSeen < this.options.learnMs) return undefined;
    return { firstSeen: t, time: t, eventIds: [event.id], count: 1 };
  }

  private observedValue(event: VigilEvent): string | undefined {
    if (this.fields.length === 1) return textOfValue(this.fields[0].get(event));
    let combined = '';
    for (const field of this.fields) {
      const text = textOfValue(field.get(event));
      if (text === undefined) return undefined;
      combined += `${text}\u001f`;
    }
    return combined;
  }

  /** Values keep their first-seen order; beyond the cap the least recently seen one is dropped. */
  private remember(state: NewValueState, value: string, time: number): void {
    if (!state.values.has(value) && state.values.size >= this.limits.maxValuesPerGroup) {
      let oldest: string | undefined;
      let oldestTime = Number.POSITIVE_INFINITY;
      for (const [candidate, seen] of state.values) {
        if (seen < oldestTime) {
          oldest = candidate;
          oldestTime = seen;
        }
      }
      if (oldest !== undefined) state.values.delete(oldest);
      this.valueEvictions++;
    }
    state.values.set(value, time);
  }

  override snapshot(): unknown {
    return [...this.groups.entries()].map(([key, state]): [string, SavedState] => [
      key,
      { firstSeen: state.firstSeen, values: [...state.values.entries()] },
    ]);
  }

  override restore(state: unknown): void {
    this.groups.clear();
    for (const [key, saved] of entriesOf<SavedState>(state)) {
      this.groups.set(key, { firstSeen: saved.firstSeen, values: new Map(saved.values) });
    }
  }
}
