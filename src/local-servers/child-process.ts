import { type ChildProcess, spawn } from 'node:child_process';

/** Sends `signal` and resolves once the process has exited (at once when it already has). */
export function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/**
 * Spawns `argv` and resolves once its output (stdout and stderr) matches `ready`; rejects with
 * the end of its output when it exits first. `onOutput` sees every chunk, e.g. to pass it through.
 */
export function spawnUntilReady(argv: readonly string[], ready: RegExp, onOutput?: (chunk: Buffer) => void): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    const onData = (chunk: Buffer) => {
      onOutput?.(chunk);
      seen = (seen + chunk.toString()).slice(-20_000);
      const match = ready.exec(seen);
      if (match) resolve({ child, match });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${argv.slice(1, 3).join(' ')} exited with ${code} before it was ready:\n${seen.slice(-2000)}`)));
  });
}
