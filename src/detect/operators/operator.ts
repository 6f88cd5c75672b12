import type { VigilEvent } from '../../model/event.js';
import type { AlertEntity } from '../rule.js';

/** What a stateful operator found: the span of the evidence and the events that make it up. */
export interface Evidence {
  firstSeen: number;
  /** Event time at which the detection was made. */
  time: number;
  eventIds: readonly string[];
  /** Events this detection adds to its alert (may exceed eventIds when ids were capped). */
  count: number;
  /** Set only when there is no triggering event (absence). */
  entity?: AlertEntity;
}

export interface OperatorLimits {
  /** Groups (entities) kept per rule; the least recently active are evicted beyond this. */
  maxGroups: number;
  /** Distinct values remembered per group (new_value). */
  maxValuesPerGroup: number;
  /** Event ids carried by one detection. */
  maxEventIds: number;
}

/**
 * Window state of one rule, keyed by group. Everything is driven by event time, so replaying a
 * file and watching a live stream give the same detections.
 */
export interface StatefulOperator {
  /** Feeds one event that passed the rule's match condition. */
  observe(event: VigilEvent, groupKey: string, clock: number): Evidence | undefined;
  /** Lets time-driven operators (absence) react to the clock moving without an event of theirs. */
  advance?(clock: number): Array<{ groupKey: string; evidence: Evidence }>;
  readonly size: number;
  readonly evictions: number;
  snapshot(): unknown;
  restore(state: unknown): void;
}

/** Pushes an id unless the list is full; detections keep the earliest evidence. */
export function pushCapped(ids: string[], id: string, cap: number): void {
  if (ids.length < cap) ids.push(id);
}

export function entriesOf<V>(state: unknown): Array<[string, V]> {
  if (!Array.isArray(state)) throw new Error('saved window state is not a list of [group, state] pairs');
  return state as Array<[string, V]>;
}
