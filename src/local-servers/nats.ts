import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { partitionMapping } from '../bus/subjects.js';
import { stopProcess } from './child-process.js';
import { freePorts } from './free-ports.js';

export const NATS_SERVER = process.env.NATS_SERVER ?? '/usr/sbin/nats-server';

export interface RunningNats {
  url: string;
  /** Stops the server (SIGTERM) and removes its store. */
  stop(): Promise<void>;
  /** SIGKILL, store kept: as when the node dies. */
  kill(): Promise<void>;
  /** Stops (if running) and starts again on the same port and store dir. */
  restart(): Promise<void>;
  output(): string;
}

/**
 * Starts nats-server with JetStream on a free loopback port, a throwaway store dir and the
 * account mapping that partitions Vigil's subjects, and waits until it accepts clients: for the
 * tests, the benchmarks and the scale-out demo, never for production.
 */
export async function startNats(options: { partitions?: number } = {}): Promise<RunningNats> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-nats-'));
  const [port] = await freePorts(1);
  const config = join(dir, 'nats.conf');
  writeFileSync(
    config,
    `listen: 127.0.0.1:${port}\njetstream { store_dir: "${join(dir, 'js')}" }\n${partitionMapping(options.partitions ?? 4)}`,
  );
  let output = '';
  let child: ChildProcess | undefined;
  const start = async () => {
    output = '';
    child = await launch(config, (chunk) => (output += chunk));
  };
  const halt = async (signal: NodeJS.Signals) => {
    const running = child;
    child = undefined;
    if (running) await stopProcess(running, signal);
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    stop: async () => {
      await halt('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
    kill: () => halt('SIGKILL'),
    restart: async () => {
      await halt('SIGTERM');
      await start();
    },
    output: () => output,
  };
}

function launch(config: string, onOutput: (chunk: string) => void): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(NATS_SERVER, ['-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      onOutput(text);
      seen += text;
      if (/Server is ready/.test(seen)) resolve(child);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`nats-server exited with ${code} before it was ready:\n${seen}`)));
  });
}
