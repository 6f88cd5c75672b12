import { describe, expect, it } from 'vitest';
import { MinHeap } from './min-heap.js';
import { Random, WeightedChoice } from './random.js';

describe('Random', () => {
  it('repeats its sequence for a seed, and another seed gives another sequence', () => {
    const draw = (seed: number) => {
      const random = new Random(seed);
      return Array.from({ length: 50 }, () => random.nextUint32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(43)).not.toEqual(draw(42));
  });

  it('stays inside the asked ranges', () => {
    const random = new Random(1);
    for (let i = 0; i < 10_000; i++) {
      const unit = random.next();
      expect(unit >= 0 && unit < 1).toBe(true);
      const whole = random.between(3, 5);
      expect([3, 4, 5]).toContain(whole);
    }
  });

  it('makes version-4 UUIDs and Kubernetes-style name suffixes', () => {
    const random = new Random(9);
    for (let i = 0; i < 100; i++) {
      expect(random.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(random.k8sSuffix(5)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    }
  });
});

describe('WeightedChoice', () => {
  it('draws in proportion to the weights and never a zero-weight item', () => {
    const choice = new WeightedChoice([
      { weight: 3, value: 'a' },
      { weight: 0, value: 'never' },
      { weight: 1, value: 'b' },
    ]);
    const random = new Random(5);
    const counts = { a: 0, b: 0, never: 0 };
    for (let i = 0; i < 40_000; i++) counts[choice.draw(random) as keyof typeof counts]++;
    expect(counts.never).toBe(0);
    expect(counts.a / counts.b).toBeGreaterThan(2.7);
    expect(counts.a / counts.b).toBeLessThan(3.3);
  });

  it('refuses weights that cannot be drawn from', () => {
    expect(() => new WeightedChoice([{ weight: 0, value: 1 }])).toThrow(/positive weight/);
    expect(() => new WeightedChoice([{ weight: -1, value: 1 }])).toThrow(/non-negative/);
  });
});

describe('MinHeap', () => {
  it('pops items in key order whatever the push order', () => {
    const heap = new MinHeap<number>((n) => n);
    const random = new Random(3);
    const pushed = Array.from({ length: 500 }, () => random.int(1000));
    for (const n of pushed) heap.push(n);
    const popped: number[] = [];
    while (heap.size > 0) popped.push(heap.pop() as number);
    expect(popped).toEqual([...pushed].sort((a, b) => a - b));
    expect(heap.pop()).toBeUndefined();
  });
});
