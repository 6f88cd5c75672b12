import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, vigil } from '../helpers/cli.js';
import { type RunningServer, startServer } from '../helpers/server.js';

const fixture = (path: string) => fileURLToPath(new URL(`../fixtures/${path}`, import.meta.url));
const FAKE_JOURNALCTL = fileURLToPath(new URL('./fake-journalctl.mjs', import.meta.url));

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.kill();
  server = undefined;
});

/** SIGTERM, as Kubernetes stops a pod: serve stops its live sources (and journalctl) before it exits. */
async function terminate(running: RunningServer): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => running.process.once('exit', (code) => resolve(code)));
  running.process.kill('SIGTERM');
  return exited;
}

/** Asks the running server for counts per source until they are what is expected (the wait is bounded by the test timeout). */
async function countsWhenComplete(url: string, token: string, expected: Record<string, number>): Promise<Record<string, number>> {
  const query = new URLSearchParams({ q: 'source!=vigil.admin | stats count() by vigil.source' });
  for (;;) {
    const response = await fetch(`${url}/api/v1/events?${query}`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await response.json()) as { rows?: Array<Record<string, unknown>> };
    const counts = Object.fromEntries((body.rows ?? []).map((row) => [row['vigil.source'], row['count()']]));
    if (Object.entries(expected).every(([source, count]) => (counts[source] as number) >= count)) return counts as Record<string, number>;
    await sleep(50);
  }
}

describe('vigil serve --config', () => {
  it('refuses a config with a bad key, naming it, with exit status 2', async () => {
    const work = tempDir();
    writeFileSync(join(work, 'vigil.yaml'), 'sources:\n  - kind: container-logs\n    cluster: prod\n    paht: /var/log/containers\n');
    const result = await vigil(['serve', '--listen', '127.0.0.1:0', '--data-dir', join(work, 'data'), '--config', join(work, 'vigil.yaml')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('sources[0].paht: unknown key');
  });

  it('follows container logs, journald and auth.log into the store, and resumes after a restart without duplicates', async () => {
    const work = tempDir();
    const containers = join(work, 'containers');
    mkdirSync(containers);
    const criName = 'web-5d8f7c9b6-x2x9k_shop_web-3f2a9c1e7b5d4a8f9e0c1b2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5.log';
    copyFileSync(fixture(`container/${criName}`), join(containers, criName));
    copyFileSync(fixture('node/auth.log'), join(work, 'auth.log'));
    const config = join(work, 'vigil.yaml');
    writeFileSync(
      config,
      `sources:
  - {kind: container-logs, cluster: prod, path: ${JSON.stringify(containers)}, node: node-1, pollIntervalMs: 20}
  - {kind: journald, cluster: prod, command: ${JSON.stringify([process.execPath, FAKE_JOURNALCTL, '--entries', fixture('node/journal.json')])}}
  - {kind: syslog, cluster: prod, path: ${JSON.stringify(join(work, 'auth.log'))}, pollIntervalMs: 20}
`,
    );
    const dataDir = join(work, 'data');
    const token = (await vigil(['tokens', 'create', '--name', 'reader', '--role', 'viewer', '--data-dir', dataDir])).stdout.trim();
    server = await startServer(['--data-dir', dataDir, '--config', config, '--rules', 'none']);
    expect(await countsWhenComplete(server.url, token, { container: 6, node: 21 })).toEqual({ container: 6, node: 21 });
    const health = (await (await fetch(`${server.url}/api/v1/sources`, { headers: { authorization: `Bearer ${token}` } })).json()) as Array<Record<string, unknown>>;
    expect(health.filter((row) => row.cluster === 'prod').map((row) => [row.source, row.origin, row.count]).sort()).toEqual([
      ['container', 'node-1', 6],
      ['node', 'node-1', 21],
    ]);
    expect(await terminate(server)).toBe(0);
    writeFileSync(join(containers, criName), '2026-01-12T09:05:00.000000000Z stderr F after the restart\n', { flag: 'a' });
    server = await startServer(['--data-dir', dataDir, '--config', config, '--rules', 'none']);
    expect(await countsWhenComplete(server.url, token, { container: 7, node: 21 })).toEqual({ container: 7, node: 21 });
    const checkpoint = JSON.parse(readFileSync(join(dataDir, 'checkpoints', 'container-logs-prod.json'), 'utf8'));
    expect(checkpoint.files[0]).toMatchObject({ path: join(containers, criName) });
    expect(await terminate(server)).toBe(0);
    server = undefined;
  });
});
