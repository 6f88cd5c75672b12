import { z } from 'zod';
import { parseDuration } from '../detect/duration.js';

/**
 * A duration in config (`30s`, `15m`, `1h`, `7d`, or seconds as a number), in milliseconds.
 * `0` is allowed (no delay, or "off" where the key says so).
 */
export const durationMs = z.union([z.string(), z.number()]).transform((value, ctx) => {
  if (value === 0 || (typeof value === 'string' && /^\s*0+(?:ms|s|m|h|d)?\s*$/.test(value))) return 0;
  try {
    return parseDuration(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});
