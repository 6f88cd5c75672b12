import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { VigilEvent } from '../../src/model/event.js';
import { Backoff } from '../../src/sources/live/backoff.js';
import { CheckpointFile } from '../../src/sources/live/checkpoint-file.js';
import { type JournalCheckpoint, JournalFollower } from '../../src/sources/live/journal-follower.js';
import type { ReadBatch } from '../../src/sources/read.js';
import { tempDir } from '../helpers/cli.js';

const ENTRIES = fileURLToPath(new URL('../fixtures/node/journal.json', import.meta.url));
const FAKE = fileURLToPath(new URL('./fake-journalctl.mjs', import.meta.url));
const cursors = readFileSync(ENTRIES, 'utf8').trim().split('\n').map((line) => JSON.parse(line).__CURSOR as string);

/** Collects events; `until(cursor)` resolves once the entry with that cursor is stored. */
function collector() {
  const events: VigilEvent[] = [];
  let waiter: { cursor: string; resolve: () => void } | undefined;
  const sink = async (batch: ReadBatch) => {
    events.push(...batch.events);
    if (waiter && batch.events.some((event) => event.raw.__CURSOR === waiter?.cursor)) waiter.resolve();
  };
  const until = (cursor: string) => new Promise<void>((resolve) => (waiter = { cursor, resolve }));
  return { events, sink, until, cursors: () => events.map((event) => event.raw.__CURSOR) };
}

const started: JournalFollower[] = [];
afterEach(async () => {
  for (const follower of started.splice(0)) await follower.stop();
});

function follower(extra: string[], checkpoint: string, record: string): JournalFollower {
  const created = new JournalFollower({
    name: 'journal',
    cluster: 'c1',
    command: [process.execPath, FAKE, '--entries', ENTRIES, '--record', record, ...extra],
    units: ['ssh.service'],
    checkpoint: new CheckpointFile<JournalCheckpoint>(checkpoint),
    backoff: new Backoff(1, 2),
  });
  started.push(created);
  return created;
}

const calls = (record: string) => readFileSync(record, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as string[]);

describe('JournalFollower', () => {
  it('restarts a journalctl that died after the last stored cursor, so every entry arrives once', async () => {
    const directory = tempDir();
    const record = join(directory, 'calls');
    const checkpoint = join(directory, 'journal.json');
    const out = collector();
    const journal = follower(['--exit-after', '3'], checkpoint, record);
    const done = out.until(cursors[6]);
    journal.start(out.sink);
    await done;
    await journal.stop();
    expect(out.cursors()).toEqual(cursors);
    expect(out.events[0]).toMatchObject({ source: 'node', hostName: 'node-1', action: 'ssh_login', outcome: 'failure' });
    expect(calls(record)).toEqual([
      ['--follow', '--output=json', '--no-pager', '--boot', '--lines=all', '--unit=ssh.service'],
      ['--follow', '--output=json', '--no-pager', `--after-cursor=${cursors[2]}`, '--unit=ssh.service'],
      ['--follow', '--output=json', '--no-pager', `--after-cursor=${cursors[5]}`, '--unit=ssh.service'],
    ]);
    expect(journal.stats()).toMatchObject({ events: 7, errors: 2, lastError: 'journalctl exited with 1: Journal file corrupted, ignoring file.', details: { spawns: 3 } });
    expect(JSON.parse(readFileSync(checkpoint, 'utf8'))).toEqual({ cursor: cursors[6] });
  });

  it('resumes after the checkpointed cursor when Vigil restarts', async () => {
    const directory = tempDir();
    const checkpoint = join(directory, 'journal.json');
    new CheckpointFile<JournalCheckpoint>(checkpoint).save({ cursor: cursors[4] });
    const out = collector();
    const journal = follower([], checkpoint, join(directory, 'calls'));
    const done = out.until(cursors[6]);
    journal.start(out.sink);
    await done;
    await journal.stop();
    expect(out.cursors()).toEqual([cursors[5], cursors[6]]);
  });

  it('reports a journalctl that cannot be run, and keeps retrying', async () => {
    const directory = tempDir();
    let warned: (message: string) => void = () => undefined;
    const warning = new Promise<string>((resolve) => (warned = resolve));
    const journal = new JournalFollower({ name: 'journal', cluster: 'c1', command: [join(directory, 'no-journalctl')], backoff: new Backoff(1, 2), log: { info: () => undefined, warn: (message) => warned(message) } });
    started.push(journal);
    journal.start(async () => undefined);
    expect(await warning).toMatch(/cannot run .*no-journalctl: spawn .* ENOENT \(is systemd installed/);
    expect(journal.stats().state).toBe('retrying');
  });
});
