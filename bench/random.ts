/**
 * A small seeded pseudo-random generator (SFC32, seeded through SplitMix32) so that the same
 * seed always yields the same benchmark data on every machine and Node version —
 * `Math.random` cannot be seeded.
 */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let state = seed >>> 0;
    const splitMix32 = (): number => {
      state = (state + 0x9e3779b9) | 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = splitMix32();
    this.b = splitMix32();
    this.c = splitMix32();
    this.d = splitMix32();
    // The first outputs of SFC32 are still correlated with the seed; discard them.
    for (let i = 0; i < 15; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform whole number in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform whole number in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Random.pick needs at least one item');
    return items[this.int(items.length)];
  }

  /** Exponentially distributed with the given mean: gaps between independent arrivals. */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** Lower-case hexadecimal digits, e.g. for UIDs and hashes. */
  hex(length: number): string {
    let text = '';
    while (text.length < length) text += this.nextUint32().toString(16).padStart(8, '0');
    return text.slice(0, length);
  }

  /** Characters from Kubernetes' generated-name alphabet (no vowels, no confusable digits). */
  k8sSuffix(length: number): string {
    const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
    let text = '';
    for (let i = 0; i < length; i++) text += alphabet[this.int(alphabet.length)];
    return text;
  }

  /** An RFC 4122 version-4 UUID, as the apiserver uses for audit IDs and object UIDs. */
  uuid(): string {
    const h = this.hex(32);
    const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

/** Picks among weighted choices in O(log n); build once, draw many times. */
export class WeightedChoice<T> {
  private readonly cumulative: number[] = [];
  private readonly total: number;

  constructor(private readonly items: ReadonlyArray<{ weight: number; value: T }>) {
    let sum = 0;
    for (const item of items) {
      if (!(item.weight >= 0)) throw new Error(`weights must be non-negative, got ${item.weight}`);
      sum += item.weight;
      this.cumulative.push(sum);
    }
    if (sum <= 0) throw new Error('WeightedChoice needs at least one positive weight');
    this.total = sum;
  }

  draw(random: Random): T {
    const target = random.next() * this.total;
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.cumulative[middle] > target) high = middle;
      else low = middle + 1;
    }
    return this.items[low].value;
  }
}
