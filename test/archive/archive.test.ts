import { cpSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readArchivedEvents } from '../../src/archive/read-archive.js';
import { tempDir, vigil } from '../helpers/cli.js';
import { multiDayStore, ndjson, olderThanKeepingFrom13th } from './archive-fixture.js';

/** The archive tier end to end through the CLI: move, verify offline, tamper, query across, restore. */

const QUERY = 'verb=get | head 5000';
const STATS = 'cluster=unit | stats count() by user.name | sort user.name';

function idsOf(rows: Array<Record<string, unknown>>): string[] {
  return rows.map((row) => (row.event as { id: string }).id).sort();
}

describe('vigil archive', () => {
  let dataDir: string;
  let publicKey: string;
  let archiveDir: string;
  let before: string[];
  let statsBefore: Array<Record<string, unknown>>;

  beforeAll(async () => {
    ({ dataDir, publicKey } = await multiDayStore());
    archiveDir = join(tempDir('vigil-archive-target-'), 'archive');
    before = idsOf(await ndjson(['query', QUERY, '-o', 'ndjson', '--data-dir', dataDir]));
    statsBefore = await ndjson(['query', STATS, '-o', 'ndjson', '--data-dir', dataDir]);
    const moved = await vigil(['archive', '--older-than', olderThanKeepingFrom13th(), '--to', archiveDir, '--data-dir', dataDir, '--segment-events', '50']);
    expect(moved.stderr).toBe('');
    expect(moved.stdout).toMatch(/^archived 360 records of 3 days in \d+ segments to /);
    expect(moved.code).toBe(0);
  });

  it('moves the old days out of the hot store; verify reports them archived and the store intact', async () => {
    const hot = idsOf(await ndjson(['query', QUERY, '-o', 'ndjson', '--data-dir', dataDir]));
    expect(hot.length).toBeLessThan(before.length);
    expect(hot.every((id) => before.includes(id))).toBe(true);
    const result = await vigil(['verify', '--data-dir', dataDir, '-o', 'json']);
    const report = JSON.parse(result.stdout) as { intact: boolean; ranges: Array<{ kind: string; from: number; to: number }> };
    expect(report.intact).toBe(true);
    expect(result.code).toBe(0);
    const archived = report.ranges.filter((r) => r.kind === 'archived').reduce((sum, r) => sum + r.to - r.from, 0);
    expect(archived).toBe(360);
    expect(report.ranges.some((r) => r.kind === 'deleted' || r.kind === 'expired')).toBe(false);
  });

  it('writes self-describing segments an auditor verifies with only the public key', async () => {
    const result = await vigil(['archive', 'verify', archiveDir, '--public-key', publicKey, '-o', 'json']);
    const report = JSON.parse(result.stdout) as { intact: boolean; events: number; runs: number };
    expect(report).toMatchObject({ intact: true, events: 360, runs: 1 });
    expect(result.code).toBe(0);
    const index = JSON.parse(readFileSync(join(archiveDir, 'index.json'), 'utf8')) as { segments: Array<{ manifest: string }> };
    const manifest = JSON.parse(readFileSync(join(archiveDir, index.segments[0].manifest), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({ format: 'vigil.archive-segment/v1', schemaVersion: 1, clusters: ['unit'], day: '20260110' });
    expect(manifest.checkpoint).toMatch(/^vigil\/[0-9a-f]{16}\n\d+\n/);
  });

  it('names each kind of tampering with the archive', async () => {
    const cases: Array<[string, (dir: string, segment: string, manifest: string) => void, RegExp]> = [
      ['byte flip', (dir, segment) => flipByte(join(dir, segment)), /segment-modified: segments\/.*bytes were changed|segment-modified/],
      ['truncated file', (dir, segment) => truncateSync(join(dir, segment), Math.floor(statSync(join(dir, segment)).size / 2)), /segment-truncated: .*cut short/],
      ['manifest edited', (dir, _segment, manifest) => writeFileSync(join(dir, manifest), readFileSync(join(dir, manifest), 'utf8').replace('"events": 50', '"events": 49')), /manifest-modified: .*edited/],
      ['segment deleted', (dir, segment, manifest) => (rmSync(join(dir, segment)), rmSync(join(dir, manifest))), /segment-missing: segments\/.*gone from the archive/],
      ['run receipt deleted', (dir) => rmSync(join(dir, 'runs'), { recursive: true }), /undeclared-object: segments\//],
    ];
    const index = JSON.parse(readFileSync(join(archiveDir, 'index.json'), 'utf8')) as { segments: Array<{ name: string; manifest: string }> };
    const { name, manifest } = index.segments[1];
    for (const [what, tamper, expected] of cases) {
      const copy = join(tempDir('vigil-archive-tamper-'), 'archive');
      cpSync(archiveDir, copy, { recursive: true });
      tamper(copy, name, manifest);
      const result = await vigil(['archive', 'verify', copy, '--public-key', publicKey]);
      expect(result.stdout, what).toMatch(expected);
      expect(result.stdout, what).toMatch(/result: NOT INTACT/);
      expect(result.code, what).toBe(1);
    }
  });

  it('refuses a key other than the log\'s', async () => {
    const other = await vigil(['checkpoint', '--public-key', '--data-dir', join(tempDir(), 'other')]);
    const result = await vigil(['archive', 'verify', archiveDir, '--public-key', other.stdout.trim()]);
    expect(result.stdout).toMatch(/run-invalid: .*no signature by/);
    expect(result.code).toBe(1);
  });

  it('queries hot and archived events together, as before archiving', async () => {
    const merged = idsOf(await ndjson(['query', QUERY, '-o', 'ndjson', '--include-archive', '--data-dir', dataDir]));
    expect(merged).toEqual(before);
    expect(await ndjson(['query', STATS, '-o', 'ndjson', '--include-archive', '--data-dir', dataDir])).toEqual(statsBefore);
  });

  it('streams archived events in time order for a time range', async () => {
    const since = Date.UTC(2026, 0, 11);
    const until = Date.UTC(2026, 0, 12);
    const times: number[] = [];
    for await (const event of readArchivedEvents(archiveDir, { since, until })) times.push(event.timestamp);
    expect(times.length).toBe(120);
    expect(times.every((t, i) => t >= since && t < until && (i === 0 || t >= times[i - 1]))).toBe(true);
  });
});

describe('vigil archive restore', () => {
  it('brings a range back at its original leaves: same ids, no new ledger entries for them, verify intact', async () => {
    const { dataDir } = await multiDayStore(60);
    const archiveDir = join(tempDir('vigil-archive-target-'), 'archive');
    const before = idsOf(await ndjson(['query', 'cluster=unit | head 5000', '-o', 'ndjson', '--data-dir', dataDir]));
    expect((await vigil(['archive', '--older-than', olderThanKeepingFrom13th(), '--to', archiveDir, '--data-dir', dataDir])).code).toBe(0);
    const restored = await vigil(['archive', 'restore', '--from', archiveDir, '--since', '2026-01-11T00:00:00Z', '--until', '2026-01-12T00:00:00Z', '--data-dir', dataDir]);
    expect(restored.stderr).toBe("");
    expect(restored.stdout).toMatch(/^restored 60 records of 1 segments/);
    expect(restored.code).toBe(0);
    const day11 = idsOf(await ndjson(['query', 'cluster=unit | head 5000', '-o', 'ndjson', '--since', '2026-01-11T00:00:00Z', '--until', '2026-01-12T00:00:00Z', '--data-dir', dataDir]));
    expect(day11).toHaveLength(60);
    expect(day11.every((id) => before.includes(id))).toBe(true);
    const verify = await vigil(['verify', '--data-dir', dataDir, '-o', 'json']);
    const report = JSON.parse(verify.stdout) as { intact: boolean; ledgerSize: number; ranges: Array<{ kind: string; from: number; to: number }> };
    expect(report.intact).toBe(true);
    // 300 records, the archive and restore records, and one ingest-free run: nothing appended twice.
    expect(report.ledgerSize).toBe(302);
    expect(report.ranges.filter((r) => r.kind === 'archived').reduce((sum, r) => sum + r.to - r.from, 0)).toBe(120);
    const again = await vigil(['archive', 'restore', '--from', archiveDir, '--since', '2026-01-11T00:00:00Z', '--until', '2026-01-12T00:00:00Z', '--data-dir', dataDir]);
    expect(again.stderr + again.stdout).toMatch(/^nothing to restore/);
    const merged = idsOf(await ndjson(['query', 'cluster=unit | head 5000', '-o', 'ndjson', '--include-archive', '--data-dir', dataDir]));
    expect(merged).toEqual(before);
  });

  it('vigil verify --archives catches a segment deleted from the archive', async () => {
    const { dataDir } = await multiDayStore(30);
    const archiveDir = join(tempDir('vigil-archive-target-'), 'archive');
    expect((await vigil(['archive', '--older-than', olderThanKeepingFrom13th(), '--to', archiveDir, '--data-dir', dataDir])).code).toBe(0);
    expect((await vigil(['verify', '--archives', '--data-dir', dataDir])).code).toBe(0);
    rmSync(join(archiveDir, 'runs'), { recursive: true });
    rmSync(join(archiveDir, 'segments', '2026', '01', '10'), { recursive: true });
    const result = await vigil(['verify', '--archives', '--data-dir', dataDir]);
    expect(result.stdout).toMatch(/run-missing: segments\/2026\/01\/10\/.*no signed run in the archive declares it/);
    expect(result.code).toBe(1);
  });
});

function flipByte(path: string): void {
  const bytes = readFileSync(path);
  bytes[Math.floor(bytes.length / 2)] ^= 0x40;
  writeFileSync(path, bytes);
}
