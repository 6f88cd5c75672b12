import { describe, expect, it } from 'vitest';
import { parsePartitions } from './partitions.js';

describe('parsePartitions', () => {
  it('reads ranges and single numbers, sorted and without repeats', () => {
    expect(parsePartitions('4-5,0-2,1')).toEqual([0, 1, 2, 4, 5]);
    expect(parsePartitions('3')).toEqual([3]);
  });

  it('refuses what is not a number or range, naming it', () => {
    expect(() => parsePartitions('0-x')).toThrow(/"0-x"/);
    expect(() => parsePartitions('3-1')).toThrow(/backwards/);
  });
});
