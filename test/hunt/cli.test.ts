import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertJson } from '../../src/detect/alert.js';
import { type CliResult, tempDir, vigil } from '../helpers/cli.js';
import { writeScenarioLogs } from './history-scenario.js';

type StoredAlert = AlertJson & { status: string };

/** A rule the built-in pack does not have: one identity reading secrets in two or more namespaces within an hour. */
const NEW_RULE = `rules:
  - id: hunt-secrets-across-namespaces
    title: Secrets read in several namespaces by one identity
    description: Written after an incident, to see whether it happened before.
    severity: high
    techniques: [T1552.007]
    source: k8s.audit
    match:
      orchestrator.resource.type: secrets
      verb: [get, list]
      outcome: success
    threshold: {count: 2, within: 1h, distinct: orchestrator.namespace}
    group_by: [user.name]
    entity: {user: user.name}
    summary: "{user.name} read secrets in {count} namespaces"
`;

let dir: string;
let dataDir: string;
let ruleFile: string;

const ndjson = (result: CliResult): AlertJson[] => result.stdout.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as AlertJson);
const listAlerts = async (...args: string[]) => JSON.parse((await vigil(['alerts', 'list', '--limit', '10000', '-o', 'json', '--data-dir', dataDir, ...args])).stdout) as StoredAlert[];
const essentials = (alerts: AlertJson[]) =>
  alerts.map((a) => ({ id: a.id, rule: a.rule.id, entity: a.entity, count: a.count, firstSeen: a.firstSeen, lastSeen: a.lastSeen })).sort((a, b) => a.id.localeCompare(b.id));

beforeAll(async () => {
  dir = tempDir('vigil-hunt-cli-');
  dataDir = join(dir, 'data');
  const [dayOne, dayTwo] = writeScenarioLogs(dir);
  for (const file of [dayOne, dayTwo]) {
    const ingested = await vigil(['ingest', '--cluster', 'prod', '--data-dir', dataDir, file]);
    if (ingested.code !== 0) throw new Error(`ingest of ${file} failed: ${ingested.stderr}`);
  }
  ruleFile = join(dir, 'new-rule.yaml');
  writeFileSync(ruleFile, NEW_RULE);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('vigil hunt', () => {
  it('finds over stored history the same alerts live detection raised at ingest, as NDJSON', async () => {
    const live = await listAlerts();
    expect(live.length).toBeGreaterThan(10);
    const hunted = await vigil(['hunt', '--data-dir', dataDir, '--rules', 'builtin', '-o', 'ndjson']);
    expect(hunted.code, hunted.stderr).toBe(1);
    const alerts = ndjson(hunted);
    expect(essentials(alerts)).toEqual(essentials(live));
    expect(alerts.every((alert) => alert.origin === undefined)).toBe(true);
    expect(hunted.stderr).toMatch(/^hunted \d+ events from 2026-03-02T\S+ to 2026-03-03T\S+ in [\d.]+ s \(\d+ events\/s\): \d+ alert\(s\)$/m);
    expect(hunted.stderr).toContain(`  k8s-mass-delete: ${live.filter((a) => a.rule.id === 'k8s-mass-delete').length}`);
  });

  it('hunts a new rule over history and, with --store-alerts, files what it finds marked retro-hunt', async () => {
    const before = await listAlerts();
    expect(before.some((alert) => alert.rule.id === 'hunt-secrets-across-namespaces')).toBe(false);
    const hunted = await vigil(['hunt', '--data-dir', dataDir, '--rules', ruleFile, '--since', '2026-03-02', '--store-alerts']);
    expect(hunted.code, hunted.stderr).toBe(1);
    expect(hunted.stdout).toMatch(/^SEVERITY\s+RULE\s+ENTITY\s+COUNT\s+FIRST SEEN\s+LAST SEEN\s+SUMMARY$/m);
    expect(hunted.stdout).toMatch(/^high\s+hunt-secrets-across-namespaces\s+system:serviceaccount:ci:deployer\s/m);
    const filed = await listAlerts('--rule', 'hunt-secrets-across-namespaces');
    expect(filed.length).toBeGreaterThan(0);
    expect(hunted.stderr).toContain(`stored ${filed.length} alert(s) marked retro-hunt; 0 already raised`);
    for (const alert of filed) {
      expect(alert.origin).toBe('retro-hunt');
      expect(alert.status).toBe('open');
    }
    const shown = await vigil(['alerts', 'show', filed[0].id, '-o', 'json', '--data-dir', dataDir]);
    expect((JSON.parse(shown.stdout) as StoredAlert[])[0].origin).toBe('retro-hunt');
    // The stolen token read secrets in ci and payments within minutes: the new rule catches it.
    expect(filed.map((alert) => alert.entity.user)).toContain('system:serviceaccount:ci:deployer');

    const again = await vigil(['hunt', '--data-dir', dataDir, '--rules', ruleFile, '--store-alerts', '-o', 'ndjson']);
    expect(again.stderr).toContain(`stored ${filed.length} alert(s) marked retro-hunt`);
    expect(await listAlerts()).toHaveLength(before.length + filed.length);
  });

  it('leaves alerts live detection already raised alone: no duplicates, no rewrites', async () => {
    const before = await listAlerts();
    const live = before.filter((alert) => alert.origin === undefined);
    const hunted = await vigil(['hunt', '--data-dir', dataDir, '--store-alerts', '-o', 'ndjson']);
    expect(ndjson(hunted)).toHaveLength(live.length);
    expect(hunted.stderr).toContain(`stored 0 alert(s) marked retro-hunt; ${live.length} already raised by live detection`);
    expect(await listAlerts()).toEqual(before);
  });

  it('reports nothing and exits 0 over a range without attacks; refuses a bad range', async () => {
    const quiet = await vigil(['hunt', '--data-dir', dataDir, '--rules', ruleFile, '--since', '2030-01-01', '-o', 'ndjson']);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stdout).toBe('');
    expect(quiet.stderr).toMatch(/^hunted 0 events in/m);
    const backwards = await vigil(['hunt', '--data-dir', dataDir, '--since', '2026-03-03', '--until', '2026-03-02']);
    expect(backwards.code).toBe(2);
    expect(backwards.stderr).toMatch(/--since .* must be before --until/);
    const noStore = await vigil(['hunt', '--data-dir', join(dir, 'nowhere')]);
    expect(noStore.code).not.toBe(0);
    expect(noStore.stderr).toContain('no Vigil store');
  });
});

describe('vigil hunt --include-archive', () => {
  let archiveDir: string;
  let archivedData: string;

  beforeAll(async () => {
    archiveDir = tempDir('vigil-hunt-archive-');
    archivedData = join(archiveDir, 'data');
    for (const file of writeScenarioLogs(archiveDir)) {
      const ingested = await vigil(['ingest', '--cluster', 'prod', '--data-dir', archivedData, file]);
      if (ingested.code !== 0) throw new Error(`ingest of ${file} failed: ${ingested.stderr}`);
    }
  });

  afterAll(() => rmSync(archiveDir, { recursive: true, force: true }));

  it('replays archived days merged with the hot ones and finds the same alerts live detection raised', async () => {
    const live = JSON.parse((await vigil(['alerts', 'list', '--limit', '10000', '-o', 'json', '--data-dir', archivedData])).stdout) as StoredAlert[];
    const before = await vigil(['hunt', '--data-dir', archivedData, '-o', 'ndjson']);
    const scanned = /^hunted (\d+) events/m.exec(before.stderr)?.[1];
    // Day one (2026-03-02) is older than this; day two (2026-03-03) is not.
    const olderThanDays = Math.floor((Date.now() - Date.parse('2026-03-03T00:00:00Z')) / 86_400_000);
    const archived = await vigil(['archive', '--older-than', `${olderThanDays}d`, '--to', join(archiveDir, 'archive'), '--data-dir', archivedData]);
    expect(archived.code, archived.stderr).toBe(0);
    expect(archived.stdout).toMatch(/archived \d+ records of 1 days/);

    const hotOnly = await vigil(['hunt', '--data-dir', archivedData, '-o', 'ndjson']);
    expect(Number(/^hunted (\d+) events/m.exec(hotOnly.stderr)?.[1])).toBeLessThan(Number(scanned));
    for (const args of [['--include-archive', join(archiveDir, 'archive')], ['--include-archive']]) {
      const hunted = await vigil(['hunt', '--data-dir', archivedData, ...args, '-o', 'ndjson']);
      expect(hunted.code, hunted.stderr).toBe(1);
      expect(/^hunted (\d+) events/m.exec(hunted.stderr)?.[1], args.join(' ')).toBe(scanned);
      expect(essentials(ndjson(hunted)), args.join(' ')).toEqual(essentials(live));
    }
  });
});
