import type { ReadBatch } from '../read.js';

/** Where a live source delivers what it read; resolves once the batch is stored (then it checkpoints). */
export type BatchSink = (batch: ReadBatch) => Promise<void>;

/** The part of a logger live sources use (pino's methods fit). */
export interface LiveLog {
  info(message: string): void;
  warn(message: string): void;
}

export const SILENT_LOG: LiveLog = { info: () => undefined, warn: () => undefined };

/** Where a live source reports failures and losses as they happen (source health keeps them). */
export interface ProblemReporter {
  error(message: string): void;
  dropped(count: number, reason: string): void;
}

export type LiveState = 'idle' | 'running' | 'retrying' | 'stopped';

/** What a live source has done so far, for source health. */
export interface LiveStats {
  state: LiveState;
  events: number;
  quarantined: number;
  /** Records lost for good (never silently: each one is counted here). */
  dropped: number;
  /** Lines cut at the size cap. */
  truncated: number;
  errors: number;
  lastError?: string;
  /** Epoch ms when the last batch was stored. */
  lastBatchAt?: number;
  /** Source-specific counts: relists, bookmarks, rotations, restarts… */
  details: Record<string, number>;
}

/** A stream a `vigil serve` process follows: the events watch, the container log tailer, journalctl. */
export interface LiveSource {
  /** Unique within one configuration, names the checkpoint. */
  readonly name: string;
  /** Starts following in the background; failures are retried with backoff and show in `stats()`. */
  start(sink: BatchSink): void;
  /** Stops, waits until no batch is in flight and the checkpoint is saved. */
  stop(): Promise<void>;
  stats(): LiveStats;
}

export function emptyStats(): LiveStats {
  return { state: 'idle', events: 0, quarantined: 0, dropped: 0, truncated: 0, errors: 0, details: {} };
}

/** Counts a delivered batch into the stats. */
export function countBatch(stats: LiveStats, batch: ReadBatch): void {
  stats.events += batch.events.length;
  stats.quarantined += batch.quarantined.length;
  stats.truncated += batch.events.filter((event) => typeof event.raw.truncated_bytes === 'number').length;
  stats.lastBatchAt = Date.now();
}

/** Counts a failure and reports it; returns its message for the log. */
export function countError(stats: LiveStats, error: unknown, problems?: ProblemReporter): string {
  stats.errors += 1;
  stats.lastError = error instanceof Error ? error.message : String(error);
  problems?.error(stats.lastError);
  return stats.lastError;
}

export function bump(stats: LiveStats, detail: string, by = 1): void {
  stats.details[detail] = (stats.details[detail] ?? 0) + by;
}
