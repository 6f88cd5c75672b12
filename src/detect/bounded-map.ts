interface Slot<V> {
  value: V;
  /** Set on every use; the eviction sweep gives used entries a second chance. */
  used: boolean;
}

/**
 * A string-keyed map with a size cap, so window state cannot grow without bound on hostile or
 * high-cardinality input. Beyond the cap it evicts an entry not used since the last sweep (the
 * CLOCK approximation of least-recently-used: a use only sets a flag, no reordering on the hot
 * path) and counts the eviction.
 */
export class BoundedMap<V> {
  private readonly map = new Map<string, Slot<V>>();
  evictions = 0;

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new Error(`state capacity must be at least 1, got ${capacity}`);
  }

  get size(): number {
    return this.map.size;
  }

  /** The value under `key`, marking it as used. */
  get(key: string): V | undefined {
    const slot = this.map.get(key);
    if (slot === undefined) return undefined;
    slot.used = true;
    return slot.value;
  }

  set(key: string, value: V): void {
    const slot = this.map.get(key);
    if (slot !== undefined) {
      slot.value = value;
      slot.used = true;
      return;
    }
    if (this.map.size >= this.capacity) this.evictOne();
    this.map.set(key, { value, used: false });
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  *entries(): IterableIterator<[string, V]> {
    for (const [key, slot] of this.map) yield [key, slot.value];
  }

  clear(): void {
    this.map.clear();
  }

  private evictOne(): void {
    for (;;) {
      const [key, slot] = this.map.entries().next().value as [string, Slot<V>];
      this.map.delete(key);
      if (!slot.used) {
        this.evictions++;
        return;
      }
      slot.used = false;
      this.map.set(key, slot);
    }
  }
}
