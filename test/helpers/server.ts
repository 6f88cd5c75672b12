import { type ChildProcess, spawn } from 'node:child_process';
import { VIGIL_BIN, cleanEnv } from './cli.js';

export interface RunningServer {
  url: string;
  process: ChildProcess;
  output: () => string;
  /** SIGKILL: no shutdown hook runs, as when a node dies. */
  kill(): Promise<void>;
}

/** Starts `vigil serve` on a free loopback port and waits until it listens. */
export function startServer(args: readonly string[]): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [VIGIL_BIN, 'serve', '--listen', '127.0.0.1:0', '--log-level', 'warn', ...args], {
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /vigil serving on (https?:\/\/[\d.:]+)/.exec(output);
      if (match) {
        resolve({
          url: match[1],
          process: child,
          output: () => output,
          kill: () =>
            new Promise((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGKILL');
            }),
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`vigil serve exited with ${code} before listening:\n${output}`)));
  });
}
