import { describe, expect, it } from 'vitest';
import { type Finding, FindingList, PRECEDENCE, assembleRanges } from './verify-report.js';

const finding = (from: number, to: number, kind: Finding['kind'], precedence: number, detail = `${kind} ${from}`): Finding => ({
  from,
  to,
  kind,
  detail,
  precedence,
  expiredBy: -1,
  merged: 1,
});

describe('assembleRanges', () => {
  it('tiles the whole span, intact where nothing was found', () => {
    expect(assembleRanges(10, [finding(3, 4, 'deleted', PRECEDENCE.row)]).map(({ from, to, kind }) => [from, to, kind])).toEqual([
      [0, 3, 'intact'],
      [3, 4, 'deleted'],
      [4, 10, 'intact'],
    ]);
    expect(assembleRanges(0, [])).toEqual([]);
  });

  it('lets a row finding name its row inside a checkpoint or witness range', () => {
    const ranges = assembleRanges(20, [finding(0, 20, 'modified', PRECEDENCE.witness, 'fork'), finding(10, 15, 'modified', PRECEDENCE.checkpoint), finding(12, 13, 'reordered', PRECEDENCE.row)]);
    expect(ranges.map(({ from, to, kind }) => [from, to, kind])).toEqual([
      [0, 12, 'modified'],
      [12, 13, 'reordered'],
      [13, 20, 'modified'],
    ]);
    expect(ranges[0].detail).toBe('fork (and 1 more like it)');
  });

  it('merges adjacent findings of one kind and counts them in the detail', () => {
    const list = new FindingList();
    for (const seq of [4, 5, 6]) list.add({ from: seq, to: seq + 1, kind: 'modified', detail: `seq ${seq} changed`, precedence: PRECEDENCE.row, expiredBy: -1 });
    list.add({ from: 9, to: 10, kind: 'modified', detail: 'seq 9 changed', precedence: PRECEDENCE.row, expiredBy: -1 });
    expect(list.items).toHaveLength(2);
    expect(assembleRanges(10, list.items).filter((r) => r.kind !== 'intact')).toEqual([
      { from: 4, to: 7, kind: 'modified', detail: 'seq 4 changed (and 2 more like it)' },
      { from: 9, to: 10, kind: 'modified', detail: 'seq 9 changed' },
    ]);
  });
});
