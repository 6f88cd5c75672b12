import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagePath } from '../package-root.js';
import { spawnUntilReady, stopProcess } from './child-process.js';
import { type RunningClickHouse, startClickHouse } from './clickhouse.js';
import { type RunningNats, startNats } from './nats.js';
import { throwawaySigningKey } from './throwaway-signing-key.js';

/**
 * `npm run demo:scale-out`: the scale-out topology on one machine, for trying it. Starts Debian's
 * nats-server and clickhouse-server on free loopback ports with throwaway directories, two
 * `vigil worker`s sharing four partitions, and `vigil serve --demo --bus … --store …`, whose
 * demo replay goes webhook → JetStream → workers → ClickHouse. Prints the URL and a login token;
 * Ctrl-C stops everything and removes the directories.
 */

const PARTITIONS = 4;
const WORKERS = 2;
const VIGIL = packagePath('bin', 'vigil.js');

async function main(): Promise<void> {
  const listen = process.argv[2] ?? '127.0.0.1:8080';
  const children: ChildProcess[] = [];
  let nats: RunningNats | undefined;
  let clickhouse: RunningClickHouse | undefined;
  const keyDir = mkdtempSync(join(tmpdir(), 'vigil-scale-out-demo-'));
  // The workers sign their partitions' checkpoints with one key; the demo's is as temporary as its data.
  const signingKey = await throwawaySigningKey(keyDir);
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await Promise.all(children.map((child) => stopProcess(child)));
    await nats?.stop();
    await clickhouse?.stop();
    rmSync(keyDir, { recursive: true, force: true });
    process.exit(code);
  };
  process.once('SIGINT', () => void stop(0));
  process.once('SIGTERM', () => void stop(0));
  try {
    say('starting nats-server (JetStream) and clickhouse-server on loopback …');
    [nats, clickhouse] = await Promise.all([startNats({ partitions: PARTITIONS }), startClickHouse()]);
    const store = clickhouse.urlFor('vigil_demo');
    say(`bus ${nats.url}, store ${store}`);
    for (let index = 1; index <= WORKERS; index += 1) {
      const name = `demo-worker-${index}`;
      children.push(await startVigil(['worker', '--name', name, '--bus', nats.url, '--store', store, '--partitions', `0-${PARTITIONS - 1}`, '--signing-key', signingKey, '--log-level', 'warn'], new RegExp(`vigil worker ${name} started`), false));
      say(`${name} consumes its share of partitions 0-${PARTITIONS - 1}`);
    }
    children.push(await startVigil(['serve', '--demo', '--listen', listen, '--bus', nats.url, '--store', store, '--log-level', 'warn'], /vigil serving on/, true));
  } catch (error) {
    process.stderr.write(`demo:scale-out: ${(error as Error).message}\n`);
    if (/ENOENT|could not start/.test((error as Error).message)) process.stderr.write('Install the servers first: scripts/install-test-deps.sh\n');
    await stop(1);
  }
  for (const child of children) child.once('exit', (code) => void (stopping || stop(code ?? 1)));
}

/** Starts a vigil process and resolves once its output shows `ready`; serve's output is passed through for the URL and token. */
async function startVigil(args: string[], ready: RegExp, passThrough: boolean): Promise<ChildProcess> {
  const { child } = await spawnUntilReady([process.execPath, VIGIL, ...args], ready, passThrough ? (chunk) => process.stdout.write(chunk) : undefined);
  return child;
}

function say(line: string): void {
  process.stdout.write(`demo:scale-out: ${line}\n`);
}

void main();
