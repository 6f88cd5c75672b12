import { describe, expect, it } from 'vitest';
import { QueryError } from './query-error.js';
import { parseAbsoluteTime, parseTimeBound } from './time-bound.js';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

describe('parseTimeBound', () => {
  it.each([
    ['30s', NOW - 30_000],
    ['15m', NOW - 15 * 60_000],
    ['1h', NOW - 3_600_000],
    ['7d', NOW - 7 * 86_400_000],
    ['2w', NOW - 14 * 86_400_000],
    ['1h30m', NOW - 90 * 60_000],
    ['0s', NOW],
    ['now', NOW],
  ])('reads the duration %s back from now', (text, expected) => {
    expect(parseTimeBound(text, NOW)).toBe(expected);
  });

  it.each([
    ['2026-01-02T15:04:05Z', Date.UTC(2026, 0, 2, 15, 4, 5)],
    ['2026-01-02t15:04:05z', Date.UTC(2026, 0, 2, 15, 4, 5)],
    ['2026-01-02 15:04:05Z', Date.UTC(2026, 0, 2, 15, 4, 5)],
    ['2026-01-02T15:04:05.123456Z', Date.UTC(2026, 0, 2, 15, 4, 5, 123)],
    ['2026-01-02T15:04:05.5Z', Date.UTC(2026, 0, 2, 15, 4, 5, 500)],
    ['2026-01-02T17:04:05+02:00', Date.UTC(2026, 0, 2, 15, 4, 5)],
    ['2026-01-02T10:34:05-04:30', Date.UTC(2026, 0, 2, 15, 4, 5)],
    ['2016-12-31T23:59:60Z', Date.UTC(2017, 0, 1, 0, 0, 0)],
    ['2024-02-29', Date.UTC(2024, 1, 29)],
    ['0050-03-01T00:00:00Z', Date.parse('0050-03-01T00:00:00.000Z')],
    ['1767225600000', 1_767_225_600_000],
    ['0', 0],
  ])('reads the absolute time %s', (text, expected) => {
    expect(parseTimeBound(text, NOW)).toBe(expected);
  });

  it.each(['', 'yesterday', '1y', '-1h', '1.5h', '2026-13-01', '2025-02-29', '2026-01-02T24:00:00Z', '2026-01-02T15:04:05', '2026-01-02T15:04Z', '2026-01-02T15:04:05+24:00', '99999999999999999'])(
    'rejects %j with a hint',
    (text) => {
      expect(() => parseTimeBound(text, NOW)).toThrow(QueryError);
      expect(() => parseTimeBound(text, NOW)).toThrow(`invalid time "${text}": use a duration back from now (30s, 15m, 1h, 7d, 2w, 1h30m)`);
    },
  );

  it('leaves durations out of absolute times (used for @timestamp values in queries)', () => {
    expect(parseAbsoluteTime('1h')).toBeUndefined();
    expect(parseAbsoluteTime('2026-01-02T15:04:05Z')).toBe(Date.UTC(2026, 0, 2, 15, 4, 5));
  });
});
