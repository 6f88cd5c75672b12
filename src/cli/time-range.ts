import { parseTimeBound } from '../query/index.js';
import type { TimeRange } from '../store/store.js';
import { UsageError } from './exit.js';

/** The values of a command's `--since` and `--until` flags. */
export interface TimeRangeFlags {
  since?: string;
  until?: string;
}

/**
 * The time range the flags name, each bound a duration back from now (90d) or an RFC 3339 time;
 * both durations count back from the same instant. A bound that does not parse is a usage error
 * naming its flag.
 */
export function timeRangeFromFlags(flags: TimeRangeFlags): TimeRange {
  const now = Date.now();
  const bound = (flag: string, text: string | undefined) => {
    if (text === undefined) return undefined;
    try {
      return parseTimeBound(text, now);
    } catch (error) {
      throw new UsageError(`${flag}: ${(error as Error).message}`);
    }
  };
  return { since: bound('--since', flags.since), until: bound('--until', flags.until) };
}
