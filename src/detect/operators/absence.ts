import type { VigilEvent } from '../../model/event.js';
import type { AlertEntity } from '../rule.js';
import { type Evidence, type OperatorLimits, type StatefulOperator } from './operator.js';
import { GroupedOperator } from './grouped-operator.js';

interface AbsenceState {
  /** Event time of the group's latest event. */
  lastEvent: number;
  /** Engine clock when that event arrived: a batch that replays one source after another must
   *  not mistake "read later" for "went silent". */
  seenAtClock: number;
  /** The current silence has been reported; cleared when the group speaks again. */
  reported: boolean;
  entity: AlertEntity;
}

/**
 * An expected stream or entity goes silent for longer than T. Groups are streams and nodes, few
 * and long-lived, so they are not reordered on every event (this runs for every event of a
 * stream); beyond the cap the earliest-seen group is dropped.
 *
 * Silence is detected two ways: when the clock (other streams' events, or `tick(now)` in live use)
 * moves past the deadline, and — when nothing else moves the clock — when the stream resumes
 * after a gap longer than T.
 */
export class Absence extends GroupedOperator<AbsenceState> implements StatefulOperator {
  constructor(
    private readonly afterMs: number,
    private readonly entityOf: (event: VigilEvent) => AlertEntity,
    limits: OperatorLimits,
  ) {
    super(limits);
  }

  observe(event: VigilEvent, groupKey: string, clock: number): Evidence | undefined {
    const t = event.timestamp;
    const state = this.groups.get(groupKey);
    if (state === undefined) {
      this.groups.set(groupKey, { lastEvent: t, seenAtClock: clock, reported: false, entity: this.entityOf(event) });
      return undefined;
    }
    let evidence: Evidence | undefined;
    if (t > state.lastEvent) {
      if (!state.reported && t - state.lastEvent > this.afterMs) {
        evidence = { firstSeen: state.lastEvent, time: t, eventIds: [event.id], count: 1, entity: state.entity };
      }
      state.lastEvent = t;
    }
    state.seenAtClock = clock;
    state.reported = false;
    return evidence;
  }

  advance(clock: number): Array<{ groupKey: string; evidence: Evidence }> {
    const found: Array<{ groupKey: string; evidence: Evidence }> = [];
    for (const [groupKey, state] of this.groups.entries()) {
      if (state.reported) continue;
      if (clock - state.lastEvent > this.afterMs && clock - state.seenAtClock > this.afterMs) {
        state.reported = true;
        found.push({ groupKey, evidence: { firstSeen: state.lastEvent, time: clock, eventIds: [], count: 1, entity: state.entity } });
      }
    }
    return found;
  }
}
