import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';
import { RateLimiter } from './rate-limiter.js';

describe('backoff', () => {
  it('doubles the ceiling per attempt up to the maximum, with full jitter below it', () => {
    expect([1, 2, 3, 4, 10].map((attempt) => backoffDelay(attempt, 1000, 30_000, () => 1))).toEqual([1000, 2000, 4000, 8000, 30_000]);
    expect(backoffDelay(5, 1000, 30_000, () => 0.5)).toBe(8000);
    expect(backoffDelay(5, 1000, 30_000, () => 0)).toBe(0);
  });

  it('never retries before the receiver asked (Retry-After)', () => {
    expect(backoffDelay(1, 1000, 30_000, () => 0, 5000)).toBe(5000);
  });
});

describe('rate limiter', () => {
  it('allows a burst, then one start per 1/rate seconds', () => {
    const limiter = new RateLimiter(2, 2, 0);
    expect([limiter.take(0), limiter.take(0), limiter.take(0)]).toEqual([true, true, false]);
    expect(limiter.waitMs(0)).toBe(500);
    expect(limiter.take(499)).toBe(false);
    expect(limiter.take(500)).toBe(true);
  });

  it('does not limit at rate 0', () => {
    const limiter = new RateLimiter(0);
    expect(Array.from({ length: 100 }, () => limiter.take(0)).every(Boolean)).toBe(true);
  });
});
