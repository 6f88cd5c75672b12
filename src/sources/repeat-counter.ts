/**
 * Tells apart identical lines written at the same time (a burst of equal failures within one
 * syslog second): the n-th repeat gets n, so it is kept as its own event, while re-reading the
 * same input gives the same numbers and is recognised as a duplicate. Only the current time's
 * keys are held, so memory stays small on ordered input.
 */
export class RepeatCounter {
  private time: string | undefined;
  private readonly seen = new Map<string, number>();

  /** How many times this key was seen before at this time. */
  next(time: string, key: string): number {
    if (time !== this.time) {
      this.time = time;
      this.seen.clear();
    }
    const count = this.seen.get(key) ?? 0;
    this.seen.set(key, count + 1);
    return count;
  }
}

/** A dedup key with the repeat number appended when it is a repeat. */
export function withRepeat(key: string, repeat: number): string {
  return repeat === 0 ? key : `${key}\u0000#${repeat}`;
}
