/** A binary min-heap ordered by a numeric key: events waiting for their later write time. */
export class MinHeap<T> {
  private readonly items: T[] = [];

  constructor(private readonly keyOf: (item: T) => number) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let index = items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >>> 1;
      if (this.keyOf(items[parent]) <= this.keyOf(items[index])) break;
      [items[parent], items[index]] = [items[index], items[parent]];
      index = parent;
    }
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < items.length && this.keyOf(items[left]) < this.keyOf(items[smallest])) smallest = left;
      if (right < items.length && this.keyOf(items[right]) < this.keyOf(items[smallest])) smallest = right;
      if (smallest === index) return top;
      [items[smallest], items[index]] = [items[index], items[smallest]];
      index = smallest;
    }
  }
}
