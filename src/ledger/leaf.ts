import type { VigilEvent } from '../model/event.js';

/**
 * The bytes a ledger leaf commits to: which source and cluster a record came from and the
 * record as stored. Every other stored column is derived from these three, and `vigil verify`
 * re-derives and compares them, so changing any queryable value is caught.
 */
export function leafBytes(event: Pick<VigilEvent, 'source' | 'cluster' | 'record'>): string {
  return `${event.source}\n${event.cluster}\n${event.record}`;
}
