import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VIGIL_BIN, cleanEnv, tempDir, vigil } from '../helpers/cli.js';
import { type RunningServer, startServer } from '../helpers/server.js';

const POD_LOG = 'web-5d8f7c9b6-x2x9k_shop_web-3f2a9c1e7b5d4a8f9e0c1b2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5.log';
const line = (n: number) => `2026-01-12T10:00:${String(n % 60).padStart(2, '0')}.000000000Z stdout F request ${n} served\n`;

let server: RunningServer | undefined;
let agent: ChildProcess | undefined;
afterEach(async () => {
  await stopAgent();
  await server?.kill();
  server = undefined;
});

function startAgent(args: string[]): void {
  agent = spawn(process.execPath, [VIGIL_BIN, 'agent', ...args], { env: cleanEnv(), stdio: 'ignore' });
}

async function stopAgent(): Promise<void> {
  const running = agent;
  agent = undefined;
  if (!running || running.exitCode !== null || running.signalCode !== null) return;
  await new Promise((resolve) => {
    running.once('exit', resolve);
    running.kill('SIGTERM');
  });
}

async function storedLines(dataDir: string): Promise<number> {
  const result = await vigil(['query', 'cluster=node-pool source=container | stats count()', '-o', 'json', '--data-dir', dataDir]);
  return result.code === 0 ? (JSON.parse(result.stdout) as Array<Record<string, number>>)[0]['count()'] : -1;
}

async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 150; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('vigil agent', () => {
  it('sends what a node writes to the server, every line once, across an agent restart', async () => {
    const dir = tempDir();
    const dataDir = join(dir, 'server');
    const logs = join(dir, 'containers');
    mkdirSync(logs);
    writeFileSync(join(logs, POD_LOG), Array.from({ length: 20 }, (_, i) => line(i)).join(''));
    const config = join(dir, 'agent.yaml');
    writeFileSync(config, `sources:\n  - kind: container-logs\n    cluster: node-pool\n    path: ${logs}\n    node: worker-7\n    pollIntervalMs: 100\n`);
    const token = (await vigil(['tokens', 'create', '--name', 'agents', '--role', 'ingest', '--data-dir', dataDir])).stdout.trim();
    server = await startServer(['--data-dir', dataDir]);
    const agentArgs = ['--server', server.url, '--token', token, '--config', config, '--data-dir', join(dir, 'agent')];

    startAgent(agentArgs);
    await waitFor('the first 20 lines', async () => (await storedLines(dataDir)) === 20);
    await stopAgent();
    appendFileSync(join(logs, POD_LOG), Array.from({ length: 15 }, (_, i) => line(20 + i)).join(''));
    startAgent(agentArgs);
    await waitFor('all 35 lines', async () => (await storedLines(dataDir)) === 35);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await storedLines(dataDir)).toBe(35);

    const stored = await vigil(['query', 'cluster=node-pool | fields host.name, pod, ns | head 1', '-o', 'json', '--data-dir', dataDir]);
    expect(JSON.parse(stored.stdout)).toEqual([{ 'host.name': 'worker-7', pod: 'web-5d8f7c9b6-x2x9k', ns: 'shop' }]);
    // What the server stored re-derives from the records alone, node name included.
    const verify = await vigil(['verify', '--data-dir', dataDir]);
    expect(verify.stdout).toContain('result: intact');
  });

  it('refuses records of Vigil\'s own admin source and unreadable lines, storing the rest', async () => {
    const dataDir = tempDir();
    const token = (await vigil(['tokens', 'create', '--name', 'agents', '--role', 'ingest', '--data-dir', dataDir])).stdout.trim();
    server = await startServer(['--data-dir', dataDir]);
    const good = JSON.stringify({ source: 'node', record: JSON.stringify({ __CURSOR: 'c1', __REALTIME_TIMESTAMP: '1768208400000000', _HOSTNAME: 'worker-1', MESSAGE: 'hello', PRIORITY: '6' }) });
    const forged = JSON.stringify({ source: 'vigil.admin', record: JSON.stringify({ action: 'retention.apply' }) });
    const response = await fetch(`${server.url}/api/v1/ingest/records/node-pool`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
      body: [good, forged, 'not json'].join('\n'),
    });
    expect(await response.json()).toEqual({ accepted: 1, duplicates: 0, quarantined: 2 });
    const quarantine = await vigil(['ingest', '--show-quarantine', '--data-dir', dataDir]);
    expect(quarantine.stdout).toMatch(/line 2: records of source vigil\.admin are Vigil's own and cannot be sent/);
    expect(quarantine.stdout).toMatch(/line 3: malformed JSON/);
  });
});
