/**
 * A token bucket: `perSecond` tokens a second, up to `burst` held. `take` answers whether a
 * delivery may start now; `waitMs` how long until one may. `perSecond` 0 means no limit.
 */
export class RateLimiter {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number = Math.max(1, Math.ceil(perSecond)),
    now: number = Date.now(),
  ) {
    this.tokens = this.burst;
    this.updatedAt = now;
  }

  available(now: number): number {
    if (this.perSecond <= 0) return Number.POSITIVE_INFINITY;
    this.refill(now);
    return Math.floor(this.tokens);
  }

  take(now: number): boolean {
    if (this.perSecond <= 0) return true;
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  waitMs(now: number): number {
    if (this.perSecond <= 0) return 0;
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.perSecond);
    this.updatedAt = now;
  }
}
