import type { VigilEvent } from '../../model/event.js';
import { pushCapped, type Evidence, type OperatorLimits, type StatefulOperator } from './operator.js';
import { GroupedOperator } from './grouped-operator.js';

interface BaselineState {
  firstSeen: number;
  bucket: number;
  current: number;
  previous: number;
  /** Usual events per active bucket (buckets without events do not dilute it). */
  usual: number;
  samples: number;
  fired: boolean;
  ids: string[];
}

/** After this many buckets the average becomes exponential, so the baseline follows slow change. */
const RUNNING_MEAN_SAMPLES = 10;
const DRIFT_WEIGHT = 0.1;

/**
 * An entity's rate against its own history: fires when its events in the current bucket
 * (plus the overlapping share of the previous one, a sliding estimate) exceed
 * max(factor × usual per-bucket count, floor), once the entity has been seen for the warm-up.
 * Buckets that fired are not learned, so an attack does not become the new normal.
 */
export class Baseline extends GroupedOperator<BaselineState> implements StatefulOperator {
  constructor(
    private readonly options: { bucketMs: number; factor: number; floor: number; warmupMs: number },
    private readonly limits: OperatorLimits,
  ) {
    super(limits);
  }

  observe(event: VigilEvent, groupKey: string): Evidence | undefined {
    const t = event.timestamp;
    const { bucketMs, factor, floor, warmupMs } = this.options;
    const bucket = Math.floor(t / bucketMs);
    let state = this.groups.get(groupKey);
    if (state === undefined) {
      state = { firstSeen: t, bucket, current: 0, previous: 0, usual: 0, samples: 0, fired: false, ids: [] };
      this.groups.set(groupKey, state);
    }
    if (bucket > state.bucket) this.roll(state, bucket);
    state.current++;
    if (state.fired) return { firstSeen: t, time: t, eventIds: [event.id], count: 1 };
    pushCapped(state.ids, event.id, this.limits.maxEventIds);
    const elapsed = (t - bucket * bucketMs) / bucketMs;
    const estimate = state.current + state.previous * (1 - elapsed);
    const warm = t - state.firstSeen >= warmupMs && state.samples > 0;
    if (!warm || estimate <= Math.max(factor * state.usual, floor)) return undefined;
    state.fired = true;
    return { firstSeen: bucket * bucketMs, time: t, eventIds: state.ids, count: state.current };
  }

  private roll(state: BaselineState, bucket: number): void {
    if (state.current > 0 && !state.fired) {
      state.samples++;
      const weight = state.samples <= RUNNING_MEAN_SAMPLES ? 1 / state.samples : DRIFT_WEIGHT;
      state.usual += (state.current - state.usual) * weight;
    }
    state.previous = bucket === state.bucket + 1 && !state.fired ? state.current : 0;
    state.bucket = bucket;
    state.current = 0;
    state.fired = false;
    state.ids = [];
  }
}
