import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, vigil } from './helpers/cli.js';
import { ATTACKS } from './detect/scenarios/attacks.js';
import { sortByTime } from './detect/scenarios/audit-builder.js';
import { normalDay } from './detect/scenarios/normal-day.js';

type Alert = { rule: { id: string }; entity: { user?: string }; count: number };

describe('detection during ingest', () => {
  it('keeps its windows across runs: a delete burst split over two ingests is one alert', async () => {
    const insider = ATTACKS.find((attack) => attack.name === 'insider mass delete');
    if (!insider) throw new Error('scenario "insider mass delete" is missing');
    const events = sortByTime([...normalDay(), ...insider.events()]);
    const burst = events.filter((event) => event.verb === 'delete' && (event.user as { username: string }).username === 'bob@example.com');
    const middle = events.indexOf(burst[Math.floor(burst.length / 2)]);
    const dir = tempDir();
    const first = join(dir, 'first.log');
    const second = join(dir, 'second.log');
    writeFileSync(first, events.slice(0, middle).map((e) => JSON.stringify(e)).join('\n'));
    writeFileSync(second, events.slice(middle).map((e) => JSON.stringify(e)).join('\n'));
    const dataDir = join(dir, 'data');
    expect((await vigil(['ingest', '--cluster', 'prod', '--data-dir', dataDir, first])).code).toBe(0);
    expect((await vigil(['ingest', '--cluster', 'prod', '--data-dir', dataDir, second])).code).toBe(0);
    const listed = await vigil(['alerts', 'list', '--rule', 'k8s-mass-delete', '-o', 'json', '--data-dir', dataDir]);
    const alerts = JSON.parse(listed.stdout) as Alert[];
    expect(alerts).toHaveLength(1);
    expect(alerts[0].entity.user).toBe('bob@example.com');
    expect(alerts[0].count).toBeGreaterThanOrEqual(burst.length - 10);
  });

  it('stores no alerts with --rules none', async () => {
    const dir = tempDir();
    const file = join(dir, 'day.log');
    writeFileSync(file, sortByTime([...normalDay(), ...ATTACKS[0].events()]).map((e) => JSON.stringify(e)).join('\n'));
    await vigil(['ingest', '--rules', 'none', '--data-dir', dir, file]);
    const listed = await vigil(['alerts', 'list', '-o', 'json', '--data-dir', dir]);
    expect(JSON.parse(listed.stdout)).toEqual([]);
  });
});
