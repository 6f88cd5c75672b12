import type { CompiledRule } from '../../detect/rule.js';
import type { SourceHealth } from './source-health.js';

/**
 * `ok`: data arrived within the expected interval; `silent`: not for longer than that (the
 * absence rule for the source raises an alert); `unwatched`: no absence rule names the source;
 * `no events`: only quarantined records or errors so far.
 */
export type HealthStatus = 'ok' | 'silent' | 'unwatched' | 'no events';

export interface SourceHealthReport extends SourceHealth {
  /** Events per minute between the first and the newest event. */
  ratePerMinute?: number;
  /** Time since an event last arrived. */
  silentForMs?: number;
  /** The silence the absence rules tolerate for this source. */
  expectedWithinMs?: number;
  status: HealthStatus;
}

/** The shortest silence any absence rule allows per source: what "silent" means for it. */
export function expectedIntervals(rules: readonly CompiledRule[]): Map<string, number> {
  const intervals = new Map<string, number>();
  for (const rule of rules) {
    if (rule.operator.kind !== 'absence' || rule.sources === undefined) continue;
    for (const source of rule.sources) {
      const known = intervals.get(source);
      if (known === undefined || rule.operator.afterMs < known) intervals.set(source, rule.operator.afterMs);
    }
  }
  return intervals;
}

export function healthReport(rows: readonly SourceHealth[], expected: ReadonlyMap<string, number>, now: number): SourceHealthReport[] {
  return rows.map((row) => {
    const expectedWithinMs = expected.get(row.source);
    const silentForMs = row.lastReceived === undefined ? undefined : Math.max(0, now - row.lastReceived);
    return { ...row, ratePerMinute: rateOf(row), silentForMs, expectedWithinMs, status: statusOf(row.count, silentForMs, expectedWithinMs) };
  });
}

function rateOf(row: SourceHealth): number | undefined {
  if (row.count === 0 || row.firstSeen === undefined || row.lastSeen === undefined) return undefined;
  const minutes = Math.max(1, (row.lastSeen - row.firstSeen) / 60_000);
  return Math.round((row.count / minutes) * 100) / 100;
}

function statusOf(count: number, silentForMs: number | undefined, expectedWithinMs: number | undefined): HealthStatus {
  if (count === 0 || silentForMs === undefined) return 'no events';
  if (expectedWithinMs === undefined) return 'unwatched';
  return silentForMs > expectedWithinMs ? 'silent' : 'ok';
}
