import { describe, expect, it } from 'vitest';
import type { VigilEvent } from '../model/event.js';
import { type MergeStats, inBatches, mergeByTime } from './merge-by-time.js';

const event = (id: string, timestamp: number) => ({ id, timestamp }) as VigilEvent;

async function* batches(...groups: VigilEvent[][]): AsyncGenerator<VigilEvent[]> {
  yield* groups;
}

async function merged(streams: Array<AsyncIterable<readonly VigilEvent[]>>): Promise<{ ids: string[]; stats: MergeStats }> {
  const stats: MergeStats = { duplicates: 0, outOfOrder: 0 };
  const ids: string[] = [];
  for await (const batch of mergeByTime(streams, stats)) ids.push(...batch.map((e) => e.id));
  return { ids, stats };
}

describe('mergeByTime', () => {
  it('interleaves streams by time, the earlier-listed stream first on equal times', async () => {
    const hot = batches([event('h1', 10), event('h2', 30)], [], [event('h3', 30), event('h4', 70)]);
    const archive = batches([event('a1', 5), event('a2', 30)], [event('a3', 60)]);
    const { ids, stats } = await merged([hot, archive]);
    expect(ids).toEqual(['a1', 'h1', 'h2', 'h3', 'a2', 'a3', 'h4']);
    expect(stats).toEqual({ duplicates: 0, outOfOrder: 0 });
  });

  it('passes an event held by two streams on once', async () => {
    const hot = batches([event('x', 20), event('y', 20), event('z', 40)]);
    const archive = batches([event('w', 10), event('y', 20), event('x', 20)]);
    const { ids, stats } = await merged([hot, archive]);
    expect(ids).toEqual(['w', 'x', 'y', 'z']);
    expect(stats.duplicates).toBe(2);
  });

  it('counts events that go back in time within a stream, alone or merged', async () => {
    expect((await merged([batches([event('a', 10), event('b', 5), event('c', 20)])])).stats.outOfOrder).toBe(1);
    const { ids, stats } = await merged([batches([event('a', 10), event('b', 5)]), batches([event('c', 7)])]);
    expect(ids).toEqual(['c', 'a', 'b']);
    expect(stats.outOfOrder).toBe(1);
  });

  it('ends at once on empty streams', async () => {
    expect((await merged([batches(), batches([])])).ids).toEqual([]);
  });
});

describe('inBatches', () => {
  it('groups single events, keeping their order and the remainder', async () => {
    async function* single(): AsyncGenerator<VigilEvent> {
      for (let i = 0; i < 5; i++) yield event(`e${i}`, i);
    }
    const sizes: number[][] = [];
    for await (const batch of inBatches(single(), 2)) sizes.push(batch.map((e) => e.timestamp));
    expect(sizes).toEqual([[0, 1], [2, 3], [4]]);
  });
});
