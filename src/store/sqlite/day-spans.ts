/**
 * The event-time span one write gave each day partition, for the partitions catalog (its
 * min_ts and max_ts are widened to it once per write, not once per event).
 */
export class DaySpans {
  private readonly spans = new Map<string, { min: number; max: number }>();

  widen(day: string, timestamp: number): void {
    const span = this.spans.get(day);
    if (span) {
      span.min = Math.min(span.min, timestamp);
      span.max = Math.max(span.max, timestamp);
    } else this.spans.set(day, { min: timestamp, max: timestamp });
  }

  entries(): IterableIterator<[string, { min: number; max: number }]> {
    return this.spans.entries();
  }
}
