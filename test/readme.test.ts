import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir, vigil } from './helpers/cli.js';

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');

describe('README', () => {
  it('gives the two set-up commands that .ci/run and a new user run', () => {
    expect(README).toContain('npm install && npx vigil serve --demo');
    const testCommand = 'scripts/install-test-deps.sh && npm ci && npm test';
    expect(README).toContain(testCommand);
    expect(readFileSync(join(REPO_ROOT, '.ci', 'run'), 'utf8').split('\n')).toContain(testCommand);
  });

  it('shows a custom rule whose own tests pass', async () => {
    const start = README.indexOf('# my-rules/prod-secrets.yaml');
    expect(start).toBeGreaterThan(0);
    const dir = join(tempDir(), 'my-rules');
    mkdirSync(dir);
    writeFileSync(join(dir, 'prod-secrets.yaml'), README.slice(start, README.indexOf('```', start)));
    const result = await vigil(['rules', 'test', '--rules', dir]);
    expect(result.stdout).toContain('2/2 rule tests passed (1 rules)');
    expect(result.code).toBe(0);
  });

  it('shows a retention policy that vigil config check accepts and vigil retention apply follows', async () => {
    const start = README.indexOf('# vigil.yaml — 30 days hot, a year archived');
    expect(start).toBeGreaterThan(0);
    const dir = tempDir();
    const archive = join(dir, 'archive');
    const config = join(dir, 'vigil.yaml');
    writeFileSync(config, README.slice(start, README.indexOf('```', start)).replace('/mnt/archive/vigil', archive));
    const checked = await vigil(['config', 'check', config]);
    expect(checked.code, checked.stderr).toBe(0);
    const dataDir = join(dir, 'data');
    const day = (offsetDays: number, id: string) =>
      JSON.stringify({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: id, stage: 'ResponseComplete', verb: 'get', user: { username: 'alice' },
        objectRef: { resource: 'pods', namespace: 'default' }, requestReceivedTimestamp: new Date(Date.now() - offsetDays * 86_400_000).toISOString() });
    // One record 40 days old (archived), one 400 days old (archived, then past archiveDays), one today (stays hot).
    const ingested = await vigil(['ingest', '--data-dir', dataDir, '-'], { stdin: [day(40, 'a'), day(400, 'b'), day(0, 'c')].join('\n') });
    expect(ingested.code, ingested.stderr).toBe(0);
    const applied = await vigil(['retention', 'apply', '--config', config, '--data-dir', dataDir]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/archived 2 records of 2 days; expired 1 archived records of 1 segments/);
    const verified = await vigil(['verify', '--archives', '--data-dir', dataDir]);
    expect(verified.stdout).toContain('result: intact');
  });
});
