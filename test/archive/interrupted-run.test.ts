import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { archiveOldPartitions } from '../../src/archive/archive-move.js';
import { expireArchivedSegments } from '../../src/archive/archive-expiry.js';
import { type ArchiveTarget, openArchiveTarget } from '../../src/archive/target.js';
import { tempDir, vigil } from '../helpers/cli.js';
import { multiDayStore, olderThanKeepingFrom13th, withSession } from './archive-fixture.js';

/**
 * An archive run committed in the store whose receipt never reached the archive (the process
 * stopped, the target failed) is finished by the next run on that target. The failure is injected
 * where it happens in life: the target refuses to store the run receipt.
 */

const DAY = 86_400_000;

/** A directory target whose writes of run receipts fail, as a full disk or a lost connection would. */
class ReceiptRefusingTarget implements ArchiveTarget {
  constructor(private readonly inner: ArchiveTarget) {}
  get location(): string {
    return this.inner.location;
  }
  putFile(name: string, localPath: string): Promise<void> {
    return this.inner.putFile(name, localPath);
  }
  async putText(name: string, text: string): Promise<void> {
    if (name.startsWith('runs/')) throw new Error(`injected failure: ${name} could not be written`);
    await this.inner.putText(name, text);
  }
  read(name: string): Promise<Readable> {
    return this.inner.read(name);
  }
  readText(name: string): Promise<string | undefined> {
    return this.inner.readText(name);
  }
  list(prefix: string): AsyncIterable<{ name: string; bytes: number }> {
    return this.inner.list(prefix);
  }
  remove(name: string): Promise<void> {
    return this.inner.remove(name);
  }
}

describe('an interrupted archive run', () => {
  it('is committed but unproven in the archive until the next run writes its receipt and index', async () => {
    const { dataDir, publicKey } = await multiDayStore(20);
    const archiveDir = join(tempDir('vigil-archive-target-'), 'archive');
    const olderThan = { ms: Number.parseInt(olderThanKeepingFrom13th(), 10) * DAY, text: olderThanKeepingFrom13th() };

    await expect(withSession(dataDir, (store, session) => archiveOldPartitions(store, session, new ReceiptRefusingTarget(openArchiveTarget(archiveDir)), { olderThan }))).rejects.toThrow(
      /injected failure: runs\/\d+\.json/,
    );
    const broken = await vigil(['archive', 'verify', archiveDir, '--public-key', publicKey]);
    expect(broken.stdout).toMatch(/undeclared-object: segments\//);
    expect(broken.code).toBe(1);
    const store = await vigil(['verify', '--data-dir', dataDir, '--archives']);
    expect(store.stdout).toMatch(/undeclared-object: segments\/.*no signed archive run declares this object/);
    expect(store.code).toBe(1);

    const next = await vigil(['archive', '--older-than', olderThanKeepingFrom13th(), '--to', archiveDir, '--data-dir', dataDir]);
    expect(next.stdout).toMatch(/^finished the interrupted archive run at seq \d+ \(receipt and index written\)\nnothing to archive/);
    expect(next.code).toBe(0);
    const repaired = await vigil(['archive', 'verify', archiveDir, '--public-key', publicKey, '-o', 'json']);
    expect(JSON.parse(repaired.stdout)).toMatchObject({ intact: true, runs: 1, events: 60, problems: [] });
    const verified = await vigil(['verify', '--data-dir', dataDir, '--archives']);
    expect(verified.stdout).toMatch(/result: intact/);
    expect(verified.code).toBe(0);
  });

  it('an expiry cut short before its receipt still deletes nothing, and the next run finishes it', async () => {
    const { dataDir, publicKey } = await multiDayStore(20);
    const archiveDir = join(tempDir('vigil-archive-target-'), 'archive');
    const hot = { ms: Number.parseInt(olderThanKeepingFrom13th(), 10) * DAY, text: olderThanKeepingFrom13th() };
    await withSession(dataDir, (store, session) => archiveOldPartitions(store, session, openArchiveTarget(archiveDir), { olderThan: hot }));
    const gone = { ms: hot.ms + DAY, text: 'hot + 1d' };

    await expect(withSession(dataDir, (store, session) => expireArchivedSegments(store, session, new ReceiptRefusingTarget(openArchiveTarget(archiveDir)), { olderThan: gone }))).rejects.toThrow(
      /injected failure/,
    );
    const before = await vigil(['archive', 'verify', archiveDir, '--public-key', publicKey, '-o', 'json']);
    expect(JSON.parse(before.stdout)).toMatchObject({ intact: true, events: 60, expired: [] });

    const finished = await withSession(dataDir, (store, session) => expireArchivedSegments(store, session, openArchiveTarget(archiveDir), { olderThan: gone }));
    expect(finished.repairedRuns).toHaveLength(1);
    expect(finished.declaredBy).toBeUndefined();
    const after = await vigil(['archive', 'verify', archiveDir, '--public-key', publicKey, '-o', 'json']);
    const report = JSON.parse(after.stdout) as { intact: boolean; events: number; expired: Array<{ events: number }> };
    expect(report).toMatchObject({ intact: true, events: 20 });
    expect(report.expired.reduce((sum, s) => sum + s.events, 0)).toBe(40);
    expect((await vigil(['verify', '--data-dir', dataDir, '--archives'])).code).toBe(0);
  });
});
