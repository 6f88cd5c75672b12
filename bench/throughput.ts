import type { Dataset } from './dataset.js';
import { type CommandRun, type CommandSpec, runMeasured } from './measure.js';
import { lastLines } from './vigil-cli.js';

/** One line of the throughput table: a command run once over the whole dataset. */
export interface Throughput {
  name: string;
  status: 'ok' | 'failed' | 'skipped';
  command?: string;
  /** Why it failed or was skipped. */
  reason?: string;
  wallSeconds?: number;
  eventsPerSecond?: number;
  megabytesPerSecond?: number;
  /** Filled in once the floor of the same run is known. */
  ratioToFloor?: number;
  cpuPercent?: number;
  peakRssMiB?: number;
  note?: string;
}

/** Decides whether a finished command did its job; returns the problem, or undefined when it did. */
export type Check = (run: CommandRun) => string | undefined;

export const exitsZero: Check = (run) => (run.exitCode === 0 ? undefined : failureText(run));

/** Runs a command over the dataset and turns the measurement into a table line. */
export async function measureThroughput(
  name: string,
  dataset: Dataset,
  spec: CommandSpec,
  check: Check = exitsZero,
): Promise<{ row: Throughput; run: CommandRun }> {
  const run = await runMeasured(spec);
  const problem = run.startError ?? (run.timedOut ? `timed out after ${(spec.timeoutMs / 1000).toFixed(0)} s` : check(run));
  const measured = {
    wallSeconds: run.wallSeconds,
    cpuPercent: run.cpuSeconds === undefined ? undefined : (100 * run.cpuSeconds) / run.wallSeconds,
    peakRssMiB: run.maxRssKiB === undefined ? undefined : run.maxRssKiB / 1024,
  };
  if (problem !== undefined) return { row: { name, status: 'failed', command: run.command, reason: problem, ...measured }, run };
  const rates = { eventsPerSecond: dataset.events / run.wallSeconds, megabytesPerSecond: dataset.bytes / 1e6 / run.wallSeconds };
  return { row: { name, status: 'ok', command: run.command, ...rates, ...measured }, run };
}

export function skipped(name: string, reason: string): Throughput {
  return { name, status: 'skipped', reason };
}

/** "exit status 1 (signal …)" and the end of stderr: what a reader needs to see why it failed. */
export function failureText(run: CommandRun): string {
  const status = run.signal ? `killed by ${run.signal}` : `exit status ${run.exitCode}`;
  const stderr = lastLines(run.stderrTail, 8);
  return stderr ? `${status}:\n${indent(stderr)}` : status;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
