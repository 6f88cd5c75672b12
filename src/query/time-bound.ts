import { QueryError } from './query-error.js';

const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

const DURATION = /^(?:\d+[smhdw])+$/;
const DURATION_PART = /(\d+)([smhdw])/g;
const FULL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
const EPOCH_MS = /^\d+$/;
/** The ECMAScript time value range: Date cannot represent anything beyond it. */
const MAX_TIME_MS = 8.64e15;

const HINT = 'use a duration back from now (30s, 15m, 1h, 7d, 2w, 1h30m), an RFC 3339 time (2026-01-02T15:04:05Z), a date (2026-01-02) or epoch milliseconds';

/**
 * Reads a `--since`/`--until` bound: a duration back from `now` (`1h`, `7d`, `1h30m`), `now`,
 * an RFC 3339 time, a full date (UTC midnight) or epoch milliseconds. Returns epoch ms.
 */
export function parseTimeBound(text: string, now: number): number {
  const trimmed = text.trim();
  if (trimmed === 'now') return now;
  if (DURATION.test(trimmed)) return now - durationMs(trimmed);
  const absolute = parseAbsoluteTime(trimmed);
  if (absolute === undefined) throw new QueryError(`invalid time "${text}": ${HINT}`);
  return absolute;
}

/** An absolute time (RFC 3339, full date or epoch ms) as epoch ms; undefined when the text is none of them. */
export function parseAbsoluteTime(text: string): number | undefined {
  if (EPOCH_MS.test(text)) {
    const ms = Number(text);
    return ms <= MAX_TIME_MS ? ms : undefined;
  }
  const date = FULL_DATE.exec(text);
  if (date) return utcMs(date.slice(1, 4).map(Number), [0, 0, 0], 0);
  const time = DATE_TIME.exec(text);
  if (!time) return undefined;
  const [, year, month, day, hour, minute, second, fraction, zulu, sign, offsetHours, offsetMinutes] = time;
  const offset = zulu ? 0 : offsetMs(sign, Number(offsetHours), Number(offsetMinutes));
  if (offset === undefined) return undefined;
  const millis = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  const local = utcMs([Number(year), Number(month), Number(day)], [Number(hour), Number(minute), Number(second)], millis);
  return local === undefined ? undefined : local - offset;
}

function durationMs(text: string): number {
  let total = 0;
  for (const [, amount, unit] of text.matchAll(DURATION_PART)) total += Number(amount) * UNIT_MS[unit];
  return total;
}

function offsetMs(sign: string, hours: number, minutes: number): number | undefined {
  if (hours > 23 || minutes > 59) return undefined;
  return (sign === '-' ? -1 : 1) * (hours * 60 + minutes) * 60_000;
}

/** Epoch ms of a UTC calendar time, or undefined when a part is out of range (Date would roll it over). */
function utcMs([year, month, day]: number[], [hour, minute, second]: number[], millis: number): number | undefined {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  // RFC 3339 allows second 60 for a leap second; epoch time has no such second, so it folds into the next.
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  return utcDate(year, month - 1, day).setUTCHours(hour, minute, second, millis);
}

function daysInMonth(year: number, month: number): number {
  return utcDate(year, month, 0).getUTCDate();
}

/** Unlike Date.UTC, setUTCFullYear keeps years 0–99 as written instead of mapping them to 19xx. */
function utcDate(year: number, monthIndex: number, day: number): Date {
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, day);
  return date;
}
