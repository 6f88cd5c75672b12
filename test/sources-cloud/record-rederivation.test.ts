import { describe, expect, it } from 'vitest';
import type { VigilEvent } from '../../src/model/event.js';
import { inputFromPath } from '../../src/sources/input.js';
import { readEvents } from '../../src/sources/read.js';
import { findSource } from '../../src/sources/registry.js';
import { elasticFixtureFiles, ownFixtureFiles } from './fixture-files.js';

async function eventsOf(path: string): Promise<VigilEvent[]> {
  const events: VigilEvent[] = [];
  for await (const batch of readEvents([inputFromPath(path)], { cluster: 'c' })) {
    expect(batch.quarantined, path).toEqual([]);
    events.push(...batch.events);
  }
  return events;
}

/**
 * The ledger covers (source, cluster, record) and `vigil verify` re-derives the stored columns
 * from them, so every stored record must decode on its own — without the envelope it arrived
 * in (Firehose request, Pub/Sub push, Event Hub batch, text line) — to the very same event.
 */
describe('stored records of the cloud and network sources', () => {
  for (const path of [...elasticFixtureFiles(), ...ownFixtureFiles()]) {
    it(`decode back to the same events: ${path.split('/').slice(-2).join('/')}`, async () => {
      const events = await eventsOf(path);
      expect(events.length).toBeGreaterThan(0);
      for (const event of events) {
        const source = findSource(event.source);
        const again = source?.decode(JSON.parse(event.record), event.record, { cluster: 'c' });
        expect(again?.rejections).toEqual([]);
        expect(again?.events).toEqual([event]);
      }
    });
  }
});
