import { describe, expect, it } from 'vitest';
import { BoundedMap } from './bounded-map.js';

describe('BoundedMap', () => {
  it('keeps at most its capacity, evicting an entry not used since it was added or last spared', () => {
    const map = new BoundedMap<number>(3);
    map.set('a', 1);
    map.set('b', 2);
    map.set('c', 3);
    map.get('a');
    map.set('d', 4);
    expect([...map.entries()].map(([key]) => key).sort()).toEqual(['a', 'c', 'd']);
    expect(map.evictions).toBe(1);
  });

  it('evicts even when everything was used, after one sweep', () => {
    const map = new BoundedMap<number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.get('a');
    map.get('b');
    map.set('c', 3);
    expect(map.size).toBe(2);
    expect(map.get('c')).toBe(3);
    expect(map.evictions).toBe(1);
  });

  it('replaces values in place and refuses a zero capacity', () => {
    const map = new BoundedMap<string>(1);
    map.set('a', 'x');
    map.set('a', 'y');
    expect(map.get('a')).toBe('y');
    expect(map.evictions).toBe(0);
    expect(() => new BoundedMap(0)).toThrow(/at least 1/);
  });
});
