import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it('reads units and bare seconds', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration(90)).toBe(90_000);
  });

  it('rejects what is not a positive duration, saying how to write one', () => {
    expect(() => parseDuration('10 minutes')).toThrow(/"10m"/);
    expect(() => parseDuration('0s')).toThrow(/greater than zero/);
    expect(() => parseDuration(-5)).toThrow(/positive/);
  });
});

describe('formatDuration', () => {
  it('writes durations as a rule author would', () => {
    expect(formatDuration(600_000)).toBe('10m');
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(86_400_000)).toBe('1d');
    expect(formatDuration(93_784_000)).toBe('1d2h3m4s');
    expect(formatDuration(52_500)).toBe('53s');
    expect(formatDuration(250)).toBe('250ms');
  });
});
