import { writeFileSync } from 'node:fs';
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

  it('refuses a policy that deletes before records leave the hot store', async () => {
    const { dataDir } = await multiDayStore(10);
    const config = configFile('retention:\n  hotDays: 30\n  deleteAfterDays: 7\n');
    const result = await vigil(['retention', 'apply', '--config', config, '--data-dir', dataDir]);
    expect(result.stderr).toMatch(/retention\.deleteAfterDays: must be at least hotDays/);
    expect(result.code).toBe(2);
  });
});
