import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { partitionMapping } from '../../src/bus/subjects.js';

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
 * account mapping that partitions Vigil's subjects, and waits until it accepts clients.
 */
export async function startNats(options: { partitions?: number } = {}): Promise<RunningNats> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-nats-'));
  const port = await freePort();
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

function stopProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** A loopback port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
