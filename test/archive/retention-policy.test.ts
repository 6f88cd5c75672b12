import { cpSync, existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, vigil } from '../helpers/cli.js';
import { multiDayStore, olderThanKeepingFrom13th } from './archive-fixture.js';

/** The retention: section of the config, applied by vigil retention apply --config. */

function configFile(text: string): string {
  const path = join(tempDir('vigil-config-'), 'vigil.yaml');
  writeFileSync(path, text);
  return path;
}

async function rangeKinds(dataDir: string): Promise<Record<string, number>> {
  const result = await vigil(['verify', '--data-dir', dataDir, '-o', 'json']);
  const report = JSON.parse(result.stdout) as { intact: boolean; ranges: Array<{ kind: string; from: number; to: number }> };
  expect(report.intact).toBe(true);
  const kinds: Record<string, number> = {};
  for (const range of report.ranges) kinds[range.kind] = (kinds[range.kind] ?? 0) + range.to - range.from;
  return kinds;
}

describe('retention policy', () => {
  const hotDays = Number.parseInt(olderThanKeepingFrom13th(), 10);

  it('moves days older than hotDays to archiveTo; verify calls them archived', async () => {
    const { dataDir } = await multiDayStore(20);
    const archive = join(tempDir('vigil-archive-target-'), 'archive');
    const config = configFile(`sources: []\nretention:\n  hotDays: ${hotDays}\n  archiveTo: ${archive}\n`);
    const result = await vigil(['retention', 'apply', '--config', config, '--data-dir', dataDir]);
    expect(result.stdout).toBe('retention policy: archived 60 records of 3 days\n');
    expect(result.code).toBe(0);
    expect(await rangeKinds(dataDir)).toMatchObject({ archived: 60 });
  });

  it('without an archive removes days older than hotDays; verify calls them expired', async () => {
    const { dataDir } = await multiDayStore(20);
    const config = configFile(`retention:\n  hotDays: ${hotDays}\n`);
    const result = await vigil(['retention', 'apply', '--config', config, '--data-dir', dataDir]);
    expect(result.stdout).toBe('retention policy: removed 60 records of 3 days\n');
    const kinds = await rangeKinds(dataDir);
    expect(kinds.expired).toBe(60);
    expect(kinds.archived).toBeUndefined();
  });

  it('hot days → archive days → gone: expired segments leave the archive as a signed expiry, reported expired by both verifiers', async () => {
    const { dataDir, publicKey } = await multiDayStore(20);
    const archive = join(tempDir('vigil-archive-target-'), 'archive');
    // Days 10–12 leave the hot store; of those, 10 and 11 are older than hotDays + 1 and leave the archive too.
    const config = configFile(`retention:\n  hotDays: ${hotDays}\n  archiveTo: ${archive}\n  archiveDays: 1\n`);
    const result = await vigil(['retention', 'apply', '--config', config, '--data-dir', dataDir]);
    expect(result.stdout).toBe('retention policy: archived 60 records of 3 days; expired 40 archived records of 2 segments\n');
    expect(result.code).toBe(0);
    expect(existsSync(join(archive, 'segments', '2026', '01', '10'))).toBe(false);
    expect(readdirSync(join(archive, 'segments', '2026', '01', '12')).length).toBe(2);

    const kinds = await rangeKinds(dataDir);
    expect(kinds).toMatchObject({ archived: 20, expired: 40 });
    expect(Object.keys(kinds).sort()).toEqual(['archived', 'expired', 'intact']);
    const withArchives = await vigil(['verify', '--archives', '--data-dir', dataDir]);
    expect(withArchives.stdout).toMatch(/removed from it by policy \(the expiry record at seq \d+\)/);
    expect(withArchives.stdout).toMatch(/result: intact/);
    expect(withArchives.code).toBe(0);

    const offline = await vigil(['archive', 'verify', archive, '--public-key', publicKey]);
    expect(offline.stdout).toMatch(/1 of 1 segments verified, 20 events/);
    expect(offline.stdout).toMatch(/expired by policy: 2 segments with 40 events, removed by the signed expiry record at seq \d+/);
    expect(offline.stdout).toMatch(/result: intact/);
    expect(offline.code).toBe(0);

    // Without the expiry's receipt the removal is unexplained: the segments read as missing.
    const copy = join(tempDir('vigil-archive-tamper-'), 'archive');
    cpSync(archive, copy, { recursive: true });
    const receipts = readdirSync(join(copy, 'runs')).sort();
    rmSync(join(copy, 'runs', receipts[receipts.length - 1]));
    const tampered = await vigil(['archive', 'verify', copy, '--public-key', publicKey]);
    expect(tampered.stdout).toMatch(/segment-missing: segments\/2026\/01\/10\//);
    expect(tampered.code).toBe(1);
  });

  it('applies the policy again without archiving or expiring twice', async () => {
    const { dataDir } = await multiDayStore(10);
    const archive = join(tempDir('vigil-archive-target-'), 'archive');
    const config = configFile(`retention:\n  hotDays: ${hotDays}\n  archiveTo: ${archive}\n  archiveDays: 1\n`);
    expect((await vigil(['retention', 'apply', '--config', config, '--data-dir', dataDir])).code).toBe(0);
    const again = await vigil(['retention', 'apply', '--config', config, '--data-dir', dataDir]);
    expect(again.stdout).toBe('retention policy: archived 0 records of 0 days\n');
    expect(await rangeKinds(dataDir)).toMatchObject({ archived: 10, expired: 20 });
  });

  it('refuses archiveDays without an archive', async () => {
    const { dataDir } = await multiDayStore(10);
    const config = configFile('retention:\n  hotDays: 30\n  archiveDays: 365\n');
    const result = await vigil(['retention', 'apply', '--config', config, '--data-dir', dataDir]);
    expect(result.stderr).toMatch(/retention\.archiveDays: needs archiveTo/);
    expect(result.code).toBe(2);
  });
});
