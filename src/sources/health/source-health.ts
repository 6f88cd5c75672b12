import type { VigilEvent } from '../../model/event.js';
import type { QuarantineItem } from '../../store/store.js';

/** One source as seen from one place: a node, an API server's log stream or pod, or the cluster as a whole (''). */
export interface HealthKey {
  cluster: string;
  source: string;
  origin: string;
}

/** The counters kept per source and origin. Times are ms since the epoch. */
export interface SourceHealth extends HealthKey {
  /** Event time of the earliest and the newest event. */
  firstSeen?: number;
  lastSeen?: number;
  /** Wall-clock time when an event last arrived. */
  lastReceived?: number;
  /** How far the newest event's time lagged behind its arrival. */
  lagMs?: number;
  count: number;
  errors: number;
  quarantined: number;
  /** Records the source itself gave up on (truncated, shed, lost upstream) and counted. */
  dropped: number;
  lastError?: string;
}

/** Where counters go: added to what is stored. */
export interface HealthSink {
  add(deltas: readonly SourceHealth[]): void;
}

/**
 * The place an event counts under. Node-level sources name the node (`host.name`); EKS names the
 * API server's log stream the same way; AKS names the API server pod. Cluster-wide streams
 * (a webhook's audit log) count under the cluster as a whole.
 */
export function originOf(event: VigilEvent): string {
  return event.hostName ?? (event.source === 'cloud.aks' ? event.podName : undefined) ?? '';
}

const keyText = (key: HealthKey): string => `${key.cluster}\u0000${key.source}\u0000${key.origin}`;
const empty = (key: HealthKey): SourceHealth => ({ ...key, count: 0, errors: 0, quarantined: 0, dropped: 0 });

/**
 * Counts what each source delivers, per origin, and hands the counts to a sink after every call,
 * so nothing is held in memory that a crash could lose. Fed by the ingest path (see `hooks.ts`)
 * and by sources that drop or fail on their own (tailers, watches, receivers).
 */
export class SourceHealthRecorder {
  constructor(
    private readonly sink: HealthSink,
    private readonly now: () => number = Date.now,
  ) {}

  /** Events that were stored. */
  stored(events: readonly VigilEvent[]): void {
    if (events.length === 0) return;
    const receivedAt = this.now();
    const deltas = new Map<string, SourceHealth>();
    let last: { text: string; delta: SourceHealth } | undefined;
    for (const event of events) {
      const origin = originOf(event);
      const text = `${event.cluster}\u0000${event.source}\u0000${origin}`;
      // Batches come from one stream, so consecutive events usually share their key.
      let delta = last?.text === text ? last.delta : deltas.get(text);
      if (delta === undefined) deltas.set(text, (delta = { ...empty({ cluster: event.cluster, source: event.source, origin }), lastReceived: receivedAt }));
      if (last?.delta !== delta) last = { text, delta };
      delta.count++;
      if (delta.firstSeen === undefined || event.timestamp < delta.firstSeen) delta.firstSeen = event.timestamp;
      if (delta.lastSeen === undefined || event.timestamp > delta.lastSeen) delta.lastSeen = event.timestamp;
    }
    for (const delta of deltas.values()) delta.lagMs = Math.max(0, receivedAt - (delta.lastSeen ?? receivedAt));
    this.sink.add([...deltas.values()]);
  }

  /** Records that could not be read; they carry no cluster or origin, so they count under the source alone. */
  quarantined(items: readonly QuarantineItem[]): void {
    const deltas = new Map<string, SourceHealth>();
    for (const item of items) {
      const key = { cluster: '', source: item.source, origin: '' };
      const text = keyText(key);
      const delta = deltas.get(text) ?? empty(key);
      delta.quarantined++;
      delta.lastError = item.reason;
      deltas.set(text, delta);
    }
    if (deltas.size > 0) this.sink.add([...deltas.values()]);
  }

  /** A source failed (a watch lost its connection, a receiver could not store a batch). */
  error(key: HealthKey, message: string): void {
    this.sink.add([{ ...empty(key), errors: 1, lastError: message }]);
  }

  /** A source gave up on records and counted them (lines truncated, events lost upstream). */
  dropped(key: HealthKey, count: number, reason?: string): void {
    if (count > 0) this.sink.add([{ ...empty(key), dropped: count, lastError: reason }]);
  }
}
