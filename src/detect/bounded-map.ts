/**
 * A string-keyed map with a size cap that evicts the least recently used entry and counts
 * evictions, so window state cannot grow without bound on hostile or high-cardinality input.
 */
export class BoundedMap<V> {
  private readonly map = new Map<string, V>();
  evictions = 0;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new Error(`state capacity must be at least 1, got ${capacity}`);
  }

  get size(): number {
    return this.map.size;
  }

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  /** Marks an entry as just used, so it is the last to be evicted. */
  touch(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
  }

  set(key: string, value: V): void {
    if (this.map.has(key)) {
      this.touch(key, value);
      return;
    }
    if (this.map.size >= this.capacity) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
      this.evictions++;
    }
    this.map.set(key, value);
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  entries(): IterableIterator<[string, V]> {
    return this.map.entries();
  }

  clear(): void {
    this.map.clear();
  }
}
