import { appendFileSync, copyFileSync, readdirSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { VigilEvent } from '../../src/model/event.js';
import { containerLogSource } from '../../src/sources/container-log.js';
import { identityOfPath } from '../../src/sources/container/identity.js';
import { ContainerLineDecoder } from '../../src/sources/container/line-decoder.js';
import { CheckpointFile } from '../../src/sources/live/checkpoint-file.js';
import { FileTailer, type TailCheckpoint } from '../../src/sources/live/file-tailer.js';
import type { ReadBatch } from '../../src/sources/read.js';
import { tempDir } from '../helpers/cli.js';

const ID = 'c'.repeat(64);
const cri = (n: number, stream = 'stdout', tag = 'F', text = `line ${n}`) => `2026-01-12T09:00:00.${String(n).padStart(9, '0')}Z ${stream} ${tag} ${text}\n`;
const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => cri(from + i)).join('');

/** Collects what a tailer delivers; `until(n)` resolves when n events have arrived. */
function collector() {
  const events: VigilEvent[] = [];
  const quarantined: ReadBatch['quarantined'] = [];
  let waiter: { count: number; resolve: () => void } | undefined;
  const sink = async (batch: ReadBatch) => {
    events.push(...batch.events);
    quarantined.push(...batch.quarantined);
    if (waiter && events.length >= waiter.count) waiter.resolve();
  };
  const until = (count: number) => (events.length >= count ? Promise.resolve() : new Promise<void>((resolve) => (waiter = { count, resolve })));
  const messages = () => events.map((event) => event.message);
  return { events, quarantined, sink, until, messages };
}

const running: FileTailer[] = [];

function tailer(directory: string, checkpoint?: string, extra: Partial<ConstructorParameters<typeof FileTailer>[0]> = {}): FileTailer {
  const created = new FileTailer({
    name: 'containers',
    source: containerLogSource,
    list: async () => readdirSync(directory).filter((name) => name.endsWith('.log')).map((name) => join(directory, name)),
    decoderFor: (path) => new ContainerLineDecoder({ cluster: 'c1', identity: identityOfPath(path) }),
    host: 'node-1',
    checkpoint: checkpoint ? new CheckpointFile<TailCheckpoint>(checkpoint) : undefined,
    pollIntervalMs: 1,
    ...extra,
  });
  running.push(created);
  return created;
}

afterEach(async () => {
  for (const created of running.splice(0)) await created.stop();
});

const expectEachOnce = (messages: Array<string | undefined>, count: number) => {
  expect(messages).toHaveLength(count);
  expect(new Set(messages)).toEqual(new Set(Array.from({ length: count }, (_, i) => `line ${i + 1}`)));
};

describe('FileTailer', () => {
  it('reads every line once across a rename rotation and a copytruncate, poll by poll', async () => {
    const directory = tempDir();
    const path = join(directory, `web-1_shop_web-${ID}.log`);
    const out = collector();
    const tail = tailer(directory);
    writeFileSync(path, lines(1, 10));
    await tail.poll(out.sink);
    appendFileSync(path, lines(11, 15));
    renameSync(path, `${path}.1`);
    appendFileSync(`${path}.1`, lines(16, 18)); // the runtime still writes to the old file until it reopens
    writeFileSync(path, lines(19, 22));
    await tail.poll(out.sink);
    appendFileSync(path, lines(23, 25));
    copyFileSync(path, `${path}.2`);
    truncateSync(path, 0);
    appendFileSync(path, lines(26, 27));
    await tail.poll(out.sink);
    await tail.poll(out.sink);
    expectEachOnce(out.messages(), 27);
    expect(out.events[0]).toMatchObject({ podName: 'web-1', namespace: 'shop', containerId: ID, hostName: 'node-1' });
    expect(tail.stats()).toMatchObject({ events: 27, details: { rotations: 1, truncations: 1, files: 1, draining: 0 } });
  });

  it('counts every line exactly once while a writer rotates by rename and by copytruncate as it polls', async () => {
    const directory = tempDir();
    const path = join(directory, `api-1_shop_api-${ID}.log`);
    const out = collector();
    const total = 3000;
    writeFileSync(path, '');
    const tail = tailer(directory);
    let writing = true;
    let polls = 0;
    const polling = (async () => {
      while (writing) {
        await tail.poll(out.sink);
        polls += 1;
        await yieldToLoop();
      }
    })();
    // Rotation is rare next to polling in real life: the tailer has seen each file before it is
    // rotated, and only the last few lines before a rotation are left for the old file or the copy.
    const pollsSince = async (mark: number) => {
      while (polls < mark + 2) await yieldToLoop();
    };
    for (let n = 1; n <= total; n++) {
      if (n % 450 === 445 || n % 700 === 695) await pollsSince(polls);
      appendFileSync(path, cri(n));
      if (n % 450 === 0) {
        renameSync(path, `${path}.${n}`);
        appendFileSync(path, '');
        await pollsSince(polls);
      }
      if (n % 700 === 0) {
        copyFileSync(path, `${path}.copy${n}`);
        truncateSync(path, 0);
        await pollsSince(polls);
      }
      if (n % 25 === 0) await yieldToLoop();
    }
    writing = false;
    await polling;
    await tail.poll(out.sink);
    await tail.poll(out.sink);
    const seen = new Set(out.messages());
    const missing = Array.from({ length: total }, (_, i) => `line ${i + 1}`).filter((m) => !seen.has(m));
    expect(missing).toEqual([]);
    expectEachOnce(out.messages(), total);
    expect(tail.stats().details).toMatchObject({ rotations: 6, truncations: 4, copies_read: 4, draining: 0 });
  });

  it('resumes from its checkpoint after a restart, also when the file was rotated meanwhile', async () => {
    const directory = tempDir();
    const checkpoint = join(tempDir(), 'tail.json');
    const path = join(directory, `web-1_shop_web-${ID}.log`);
    writeFileSync(path, lines(1, 10));
    const first = collector();
    const one = tailer(directory, checkpoint);
    await one.poll(first.sink);
    await one.stop();
    appendFileSync(path, lines(11, 15));
    renameSync(path, `${path}.1`);
    writeFileSync(path, lines(16, 18));
    const second = collector();
    const two = tailer(directory, checkpoint);
    await two.poll(second.sink);
    await two.stop();
    appendFileSync(path, lines(19, 20));
    copyFileSync(path, `${path}.2`);
    truncateSync(path, 0);
    appendFileSync(path, lines(21, 21));
    const third = collector();
    await tailer(directory, checkpoint).poll(third.sink);
    expect(first.messages()).toEqual(Array.from({ length: 10 }, (_, i) => `line ${i + 1}`));
    expect(second.messages()).toEqual(['line 11', 'line 12', 'line 13', 'line 14', 'line 15', 'line 16', 'line 17', 'line 18']);
    expect(third.messages()).toEqual(['line 19', 'line 20', 'line 21']);
  });

  it('reports as dropped a file rotated away and deleted while stopped', async () => {
    const directory = tempDir();
    const checkpoint = join(tempDir(), 'tail.json');
    const path = join(directory, `web-1_shop_web-${ID}.log`);
    writeFileSync(path, lines(1, 2));
    const one = tailer(directory, checkpoint);
    await one.poll(collector().sink);
    await one.stop();
    appendFileSync(path, lines(3, 4));
    renameSync(path, `${path}.1`);
    rmSync(`${path}.1`);
    writeFileSync(path, lines(5, 5));
    const drops: string[] = [];
    const out = collector();
    const two = tailer(directory, checkpoint, { problems: { error: () => undefined, dropped: (count, reason) => drops.push(`${count} ${reason}`) } });
    await two.poll(out.sink);
    expect(out.messages()).toEqual(['line 5']);
    expect(drops).toEqual([`1 ${path} rotated away unread after byte ${Buffer.byteLength(lines(1, 2))}`]);
    expect(two.stats()).toMatchObject({ dropped: 1, details: { rotated_away_unread: 1 } });
  });

  it('does not checkpoint past a partial line, so a restart joins it with its end', async () => {
    const directory = tempDir();
    const checkpoint = join(tempDir(), 'tail.json');
    const path = join(directory, `web-1_shop_web-${ID}.log`);
    writeFileSync(path, cri(1) + cri(2, 'stdout', 'P', 'first half '));
    const before = collector();
    const one = tailer(directory, checkpoint);
    await one.poll(before.sink);
    await one.stop();
    appendFileSync(path, cri(3, 'stdout', 'F', 'second half'));
    const after = collector();
    await tailer(directory, checkpoint).poll(after.sink);
    expect(before.messages()).toEqual(['line 1']);
    expect(after.messages()).toEqual(['first half second half']);
  });

  it('quarantines a physical line over the cap, counts it, and reads on', async () => {
    const directory = tempDir();
    const path = join(directory, `web-1_shop_web-${ID}.log`);
    writeFileSync(path, `${cri(1, 'stdout', 'F', 'x'.repeat(5000))}${cri(2)}`);
    const out = collector();
    const tail = tailer(directory, undefined, { maxLineBytes: 1000, readChunkBytes: 512 });
    await tail.poll(out.sink);
    expect(out.messages()).toEqual(['line 2']);
    expect(out.quarantined).toMatchObject([{ source: 'container', position: `${path}@0`, reason: expect.stringMatching(/line of 5040 bytes exceeds the cap/) }]);
    expect(tail.stats().truncated).toBe(1);
  });
});
