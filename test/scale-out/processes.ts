import { spawn } from 'node:child_process';
import { stopProcess } from '../../src/local-servers/child-process.js';
import { VIGIL_BIN, cleanEnv } from '../helpers/cli.js';

export interface RunningWorker {
  name: string;
  output(): string;
  /** SIGKILL: no lease released, nothing flushed, as when the node dies. */
  kill(): Promise<void>;
  /** SIGTERM: the worker finishes its batch and releases its leases; resolves to its exit status (or the signal that ended it). */
  stop(): Promise<number | string | null>;
}

/** Starts `vigil worker` and waits until it has started consuming (or waits for its leases). */
export function startWorker(name: string, args: readonly string[]): Promise<RunningWorker> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [VIGIL_BIN, 'worker', '--name', name, '--log-level', 'info', ...args], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(`vigil worker ${name} started`)) {
        resolve({ name, output: () => output, kill: () => stopProcess(child, 'SIGKILL'), stop: async () => (await stopProcess(child, 'SIGTERM'), child.exitCode ?? child.signalCode) });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`vigil worker ${name} exited with ${code} before starting:\n${output}`)));
  });
}
